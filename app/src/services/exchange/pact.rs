//! Step 5: what each partner lets go of (shared only if they choose), the request for
//! one more guided conversation (which the therapist marks as held, and which holds back
//! that partner's confirmation while open), the pact both confirm, and the date the
//! therapist sets to revisit it (both partners get a check-in reminder that day).

use super::super::{
    access::{couple_of, owned_case, partner_of_case, partners_of, refuse_unless_active, OwnedCase},
    audit::{self, AuditAction, AuditEvent},
    clock, email, outbox, settings, Actor,
};
use super::{steps, MAX_PRIVATE_CHARS};
use crate::{
    domain::{
        baby_steps, dates,
        pact::{ConversationMove, ConversationRequest},
    },
    entities::{cases, pact_entries, partners, users},
    error::{AppError, FieldContext},
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, TransactionSession, TransactionTrait, TryIntoModel,
};

/// Step 5 as one person may see it.
#[derive(Debug, Clone)]
pub struct Pact {
    /// Partner A and partner B with their entries (the other partner's writing is blanked
    /// for a client unless it was shared).
    pub entries: Vec<(partners::Model, Option<pact_entries::Model>)>,
    /// When both confirmed.
    pub completed_at: Option<DateTime<Utc>>,
    /// The date the therapist set to revisit the pact.
    pub revisit_on: Option<NaiveDate>,
    /// True once step 5 is open (letting go can be written and the pact confirmed).
    pub open: bool,
}

async fn pact_of(
    db: &impl ConnectionTrait,
    case: &cases::Model,
    partners: Vec<partners::Model>,
    viewer: Option<i32>,
    open: bool,
) -> Result<Pact, AppError> {
    let found = pact_entries::Entity::find().filter(pact_entries::Column::CaseId.eq(case.id)).all(db).await?;
    let entries = partners
        .into_iter()
        .map(|partner| {
            let mut entry = found.iter().find(|e| e.partner_id == partner.id).cloned();
            // A client reads the other partner's writing only if it was shared, and never
            // once the therapist has removed that partner.
            let hidden = |e: &pact_entries::Model| !e.shared || partner.removed_at.is_some();
            if let Some(entry) =
                entry.as_mut().filter(|e| viewer.is_some_and(|v| v != e.partner_id) && hidden(e))
            {
                entry.letting_go.clear();
            }
            (partner, entry)
        })
        .collect();
    Ok(Pact { entries, completed_at: case.pact_completed_at, revisit_on: case.pact_revisit_on, open })
}

/// The client's view of step 5 (audited as a read of their step 5 writing).
pub async fn pact(db: &impl ConnectionTrait, actor: Actor, now: DateTime<Utc>) -> Result<Pact, AppError> {
    let couple = couple_of(db, actor).await?;
    let partners = partners_of(db, couple.case.id).await?;
    let open = steps::step_is_open(db, couple.case.id, baby_steps::PACT_STEP).await?;
    let pact = pact_of(db, &couple.case, partners, Some(couple.me.id), open).await?;
    let event = AuditEvent::by(actor, AuditAction::PactViewed, "case", couple.case.id);
    audit::record(db, event.concerning(couple.case.id, Some(couple.me.id)), now).await?;
    Ok(pact)
}

/// The therapist's view of a case's step 5 (`open`: step 5 is open).
pub async fn case_pact(db: &impl ConnectionTrait, case: &OwnedCase, open: bool) -> Result<Pact, AppError> {
    pact_of(db, case, case.partners(db).await?.to_vec(), None, open).await
}

/// A pact entry's request for one more conversation.
pub fn conversation_request(entry: &pact_entries::Model) -> ConversationRequest {
    ConversationRequest::from_stored(entry.conversation_requested_at, entry.conversation_held_on)
}

/// Saves what the client is letting go of and whether to share it; `ask_conversation`
/// also asks the therapist for one more guided conversation (asking again while a request
/// is open changes nothing); `confirm` also confirms the pact, refused while the client's
/// own request is open. When both partners have confirmed, the case records the date and
/// the therapist is emailed.
pub async fn save_pact(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    letting_go: &str,
    shared: bool,
    ask_conversation: bool,
    confirm: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let letting_go = letting_go.trim();
    if letting_go.chars().count() > MAX_PRIVATE_CHARS {
        return Err(AppError::invalid("letting_go", "Please keep this to 4,000 characters or fewer."));
    }
    crate::domain::plain_text(letting_go, true).field("letting_go")?;
    if confirm && letting_go.is_empty() {
        return Err(AppError::invalid("letting_go", "Write what you are letting go of before you confirm."));
    }
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    refuse_unless_active(&couple.case)?;
    steps::require_step(&txn, couple.case.id, baby_steps::PACT_STEP).await?;
    let existing = pact_entries::Entity::find()
        .filter(pact_entries::Column::PartnerId.eq(couple.me.id))
        .one(&txn)
        .await?;
    if existing.as_ref().is_some_and(|e| e.confirmed_at.is_some()) {
        return Err(AppError::conflict("You have already confirmed the pact."));
    }
    let mut request = existing.as_ref().map_or(ConversationRequest::NotAsked, conversation_request);
    if ask_conversation {
        request = request.apply(ConversationMove::Ask(now)).map_err(|r| AppError::conflict(r.0))?;
    }
    if confirm {
        request.may_confirm().map_err(|r| AppError::conflict(r.0))?;
    }
    let previous_asked_at = existing.as_ref().and_then(|e| e.conversation_requested_at);
    let (asked_at, held_on) = request.to_stored(previous_asked_at);
    let mut active = match existing {
        Some(found) => found.into_active_model(),
        None => pact_entries::ActiveModel {
            case_id: Set(couple.case.id),
            partner_id: Set(couple.me.id),
            ..Default::default()
        },
    };
    active.letting_go = Set(letting_go.to_owned());
    active.shared = Set(shared);
    active.wants_conversation = Set(request.is_open());
    active.conversation_requested_at = Set(asked_at);
    active.conversation_held_on = Set(held_on);
    active.confirmed_at = Set(confirm.then_some(now));
    active.updated_at = Set(now);
    let id = active.save(&txn).await?.try_into_model()?.id;
    let event = AuditEvent::by(actor, AuditAction::PactSaved, "pact_entry", id);
    audit::record(&txn, event.concerning(couple.case.id, Some(couple.me.id)), now).await?;
    if confirm {
        let other_confirmed = pact_entries::Entity::find()
            .filter(pact_entries::Column::PartnerId.eq(couple.other.id))
            .filter(pact_entries::Column::ConfirmedAt.is_not_null())
            .one(&txn)
            .await?
            .is_some();
        if other_confirmed && couple.case.pact_completed_at.is_none() {
            let is_sample = couple.case.is_sample;
            let therapist = users::Entity::find_by_id(couple.case.therapist_id)
                .one(&txn)
                .await?
                .ok_or(AppError::Internal)?;
            let case_id = couple.case.id;
            let mut case = couple.case.into_active_model();
            case.pact_completed_at = Set(Some(now));
            case.update(&txn).await?;
            // A sample couple is fictional: the therapist is not emailed about it.
            if !is_sample {
                outbox::enqueue(
                    &txn,
                    outbox::NewEmail::to_therapist(
                        &therapist,
                        Some(case_id),
                        outbox::EmailKind::CaseUpdate,
                        email::case_update(&therapist.display_name, case_id),
                    ),
                    now,
                )
                .await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}

/// The therapist marks a partner's open request for one more conversation as held on
/// `held_on` (a date in the calendar's range, not after today in the therapist's zone).
pub async fn mark_conversation_held(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    partner_id: i32,
    held_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !dates::in_range(held_on) {
        return Err(AppError::invalid("held_on", dates::out_of_range().0));
    }
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?;
    let time_zone = settings::account(&txn, actor).await?.time_zone;
    if held_on > clock::today_in(&time_zone, now) {
        return Err(AppError::invalid("held_on", "Choose the day it was held: today or earlier."));
    }
    let partner = partner_of_case(&txn, case.id, partner_id).await?;
    let entry =
        pact_entries::Entity::find().filter(pact_entries::Column::PartnerId.eq(partner.id)).one(&txn).await?;
    hold_conversation(&txn, actor, entry, held_on, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Marks the conversation a partner asked for in their step 5 entry as held on `held_on`,
/// in the caller's transaction (which has checked the entry's case is the actor's): from
/// the pact form, or from a session note that says it was held in that session.
pub(crate) async fn hold_conversation(
    db: &impl ConnectionTrait,
    actor: Actor,
    entry: Option<pact_entries::Model>,
    held_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let request = entry.as_ref().map_or(ConversationRequest::NotAsked, conversation_request);
    let held = request.apply(ConversationMove::MarkHeld(held_on)).map_err(|r| AppError::conflict(r.0))?;
    let entry = entry.ok_or(AppError::Internal)?;
    let (asked_at, held_on) = held.to_stored(entry.conversation_requested_at);
    let (id, case_id, partner_id) = (entry.id, entry.case_id, entry.partner_id);
    let mut active = entry.into_active_model();
    active.wants_conversation = Set(false);
    active.conversation_requested_at = Set(asked_at);
    active.conversation_held_on = Set(held_on);
    active.update(db).await?;
    let event = AuditEvent::by(actor, AuditAction::PactConversationHeld, "pact_entry", id);
    audit::record(db, event.concerning(case_id, Some(partner_id)), now).await
}

/// The therapist sets the date to revisit the pact (`None` clears it); on that date both
/// partners get a check-in reminder (see `services::reminders`). The date may not be
/// before today in the therapist's zone.
pub async fn set_pact_revisit(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    revisit_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if revisit_on.is_some_and(|on| !dates::in_range(on)) {
        return Err(AppError::invalid("revisit_on", dates::out_of_range().0));
    }
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?;
    let time_zone = settings::account(&txn, actor).await?.time_zone;
    if revisit_on.is_some_and(|on| on < clock::today_in(&time_zone, now)) {
        return Err(AppError::invalid("revisit_on", "Choose today or a later date."));
    }
    steps::require_step(&txn, case.id, baby_steps::PACT_STEP).await?;
    let mut active = case.into_model().into_active_model();
    active.pact_revisit_on = Set(revisit_on);
    active.update(&txn).await?;
    let event = AuditEvent::by(actor, AuditAction::PactRevisitSet, "case", case_id);
    audit::record(&txn, event.concerning(case_id, None), now).await?;
    txn.commit().await?;
    Ok(())
}
