//! The therapist's messages to a couple: follow-up templates (their own and the built-in
//! consultation follow-up), composing and sending a follow-up now or later, proposing up to
//! three consultation times, and a partner choosing one through a single-use link.

use super::{
    access::{case_by_id, owned_case, partners_of, OwnedCase},
    audit::{self, AuditAction, AuditEvent},
    clock, email, outbox,
    tokens::SecretToken,
    Actor,
};
use crate::{
    domain::{baby_steps, case::CaseStatus, dates, follow_up, homework::ResponseStatus, plain_text, Role},
    entities::{
        assignments, consultation_slots, invitations, message_templates, partners, responses, slot_links,
        users,
    },
    error::{AppError, FieldContext},
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};
use std::collections::BTreeMap;

/// How long a consultation lasts in the calendar invitation.
pub const CONSULTATION_MINUTES: i64 = 50;

/// The therapist's own follow-up templates, newest first.
pub async fn templates(
    db: &impl ConnectionTrait,
    actor: Actor,
) -> Result<Vec<message_templates::Model>, AppError> {
    actor.require_role(Role::Therapist)?;
    Ok(message_templates::Entity::find()
        .filter(message_templates::Column::TherapistId.eq(actor.user_id))
        .order_by_desc(message_templates::Column::UpdatedAt)
        .all(db)
        .await?)
}

fn check_text(subject: &str, body: &str) -> Result<(), AppError> {
    if subject.trim().is_empty() || subject.chars().count() > follow_up::MAX_SUBJECT_CHARS {
        return Err(AppError::invalid("subject", "Write a subject of up to 200 characters."));
    }
    plain_text(subject, false).field("subject")?;
    plain_text(body, true).field("body")?;
    if body.trim().is_empty() {
        return Err(AppError::invalid("body", "Write the message first."));
    }
    if body.chars().count() > follow_up::MAX_BODY_CHARS {
        return Err(AppError::invalid("body", "Keep the message to 10,000 characters or fewer."));
    }
    for (field, text) in [("subject", subject), ("body", body)] {
        let unknown = follow_up::unknown_placeholders(text);
        if !unknown.is_empty() {
            return Err(AppError::invalid(field, follow_up::unknown_message(&unknown)));
        }
    }
    inbox_check(subject, body)
}

/// Refuses a subject or message start that would tell an inbox someone is in treatment.
fn inbox_check(subject: &str, body: &str) -> Result<(), AppError> {
    match follow_up::inbox_warning(subject, body) {
        Some((field, message)) => Err(AppError::invalid(field, message)),
        None => Ok(()),
    }
}

/// Creates (`template_id` none) or edits one of the therapist's follow-up templates.
pub async fn save_template(
    db: &impl ConnectionTrait,
    actor: Actor,
    template_id: Option<i32>,
    name: &str,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    actor.require_role(Role::Therapist)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::invalid("name", "Give the template a name of up to 120 characters."));
    }
    plain_text(name, false).field("name")?;
    check_text(subject, body)?;
    let mut active = match template_id {
        Some(id) => message_templates::Entity::find_by_id(id)
            .filter(message_templates::Column::TherapistId.eq(actor.user_id))
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?
            .into_active_model(),
        None => message_templates::ActiveModel {
            therapist_id: Set(actor.user_id),
            created_at: Set(now),
            ..Default::default()
        },
    };
    active.name = Set(name.to_owned());
    active.subject = Set(subject.trim().to_owned());
    active.body = Set(body.trim().to_owned());
    active.updated_at = Set(now);
    let saved = active.save(db).await?;
    let id = sea_orm::TryIntoModel::try_into_model(saved)?.id;
    audit::record(db, AuditEvent::by(actor, AuditAction::TemplateSaved, "message_template", id), now).await?;
    Ok(id)
}

/// What the composer starts from for a case: partners, the progress sentence, the
/// therapist's name, practice and booking link.
#[derive(Debug, Clone)]
pub struct ComposeDefaults {
    /// Partner A and partner B.
    pub partners: Vec<partners::Model>,
    /// "You have completed 3 of 5 steps."
    pub progress_summary: String,
    /// The therapist.
    pub therapist: users::Model,
    /// Consultation times proposed to this case, with who chose which.
    pub slots: Vec<consultation_slots::Model>,
}

/// The composer's starting point for one of the therapist's cases.
pub async fn compose_defaults(
    db: &impl ConnectionTrait,
    case: &OwnedCase,
) -> Result<ComposeDefaults, AppError> {
    let case_id = case.id;
    let therapist = users::Entity::find_by_id(case.therapist_id).one(db).await?.ok_or(AppError::Internal)?;
    let partners = case.partners(db).await?.to_vec();
    let steps = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .filter(assignments::Column::ProgrammeKey.eq(baby_steps::PROGRAMME_KEY))
        .all(db)
        .await?;
    let step_ids: Vec<i32> = steps.iter().map(|s| s.id).collect();
    let done = responses::Entity::find()
        .filter(responses::Column::AssignmentId.is_in(step_ids))
        .filter(responses::Column::Status.ne(ResponseStatus::Draft))
        .all(db)
        .await?;
    // A step counts as completed when both partners submitted it.
    let completed = steps
        .iter()
        .filter(|step| {
            partners.iter().all(|p| done.iter().any(|r| r.assignment_id == step.id && r.partner_id == p.id))
        })
        .count();
    let total = if steps.is_empty() { 0 } else { baby_steps::programme().steps.len() };
    let slots = consultation_slots::Entity::find()
        .filter(consultation_slots::Column::CaseId.eq(case_id))
        .order_by_asc(consultation_slots::Column::StartsAt)
        .all(db)
        .await?;
    Ok(ComposeDefaults {
        partners,
        progress_summary: follow_up::progress_summary(completed, total),
        therapist,
        slots,
    })
}

/// A follow-up as the therapist wrote it.
#[derive(Debug, Clone)]
pub struct FollowUp {
    /// `both`, `a` or `b`.
    pub recipients: crate::domain::homework::Recipients,
    /// The subject, with placeholders.
    pub subject: String,
    /// The body, with placeholders.
    pub body: String,
    /// The progress sentence, as the therapist edited it.
    pub progress_summary: String,
    /// When to send (none: now).
    pub send_at: Option<DateTime<Utc>>,
    /// Up to three proposed consultation times.
    pub times: Vec<DateTime<Utc>>,
}

/// Renders and queues the follow-up to each recipient (at `send_at`), with one single-use
/// link per proposed time. Everything is stored, so a restart loses nothing.
pub async fn send_follow_up(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    message: FollowUp,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    // Whose case it is comes first: nobody else learns anything, not even about their input.
    let case = owned_case(db, actor, case_id).await?;
    check_text(&message.subject, &message.body)?;
    if message.progress_summary.chars().count() > 300 {
        return Err(AppError::invalid("progress_summary", "Keep the progress sentence to 300 characters."));
    }
    plain_text(&message.progress_summary, false).field("progress_summary")?;
    if message.send_at.is_some_and(|at| !dates::in_range(at.date_naive())) {
        return Err(AppError::invalid("send_at", dates::out_of_range().0));
    }
    if message.times.iter().any(|at| !dates::in_range(at.date_naive())) {
        return Err(AppError::invalid("times", dates::out_of_range().0));
    }
    if message.send_at.is_some_and(|at| at < now - Duration::minutes(1)) {
        return Err(AppError::invalid("send_at", "Choose a time in the future, or send now."));
    }
    if message.times.len() > follow_up::MAX_PROPOSED_TIMES {
        return Err(AppError::invalid("times", "Propose at most three times."));
    }
    if message.times.iter().any(|t| *t <= now) {
        return Err(AppError::invalid("times", "Proposed times must be in the future."));
    }
    let txn = db.begin().await?;
    let defaults = compose_defaults(&txn, &case).await?;
    if case.status == CaseStatus::Closed {
        return Err(AppError::conflict("This case is closed. Reopen it before writing to the couple."));
    }
    if case.is_sample {
        return Err(AppError::conflict(super::outbox::NO_EMAIL));
    }
    let proposal = SecretToken::generate().hash().chars().take(32).collect::<String>();
    let mut slots = Vec::new();
    for starts_at in &message.times {
        let slot = consultation_slots::ActiveModel {
            case_id: Set(case_id),
            proposal: Set(proposal.clone()),
            starts_at: Set(*starts_at),
            chosen_by_partner_id: Set(None),
            chosen_at: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        slots.push(slot);
    }
    let send_at = message.send_at.unwrap_or(now).max(now);
    let recipients: Vec<&partners::Model> =
        defaults.partners.iter().filter(|p| message.recipients.includes(p.position)).collect();
    // A follow-up goes only to a partner who joined or was invited, and counts towards the
    // therapist's daily limit; both are checked before anything is written.
    for partner in &recipients {
        if partner.client_user_id.is_none() && !was_invited(&txn, partner.id).await? {
            return Err(AppError::invalid(
                "recipients",
                format!(
                    "{} has not been invited yet. Invite them first, or write to the other partner only.",
                    partner.first_name
                ),
            ));
        }
    }
    if !recipients.is_empty() {
        outbox::check_allowance(&txn, actor.user_id, recipients.len() as u64, now).await?;
    }
    let mut sent = 0;
    for partner in recipients {
        let values = BTreeMap::from([
            ("first_name", partner.first_name.clone()),
            ("therapist_name", defaults.therapist.display_name.clone()),
            ("practice_name", defaults.therapist.practice_name.clone()),
            ("progress_summary", message.progress_summary.trim().to_owned()),
            ("booking_link", defaults.therapist.booking_url.clone()),
        ]);
        let subject = follow_up::render(&message.subject, &values)
            .map_err(|unknown| AppError::invalid("subject", follow_up::unknown_message(&unknown)))?;
        let body = follow_up::render(&message.body, &values)
            .map_err(|unknown| AppError::invalid("body", follow_up::unknown_message(&unknown)))?;
        // A name or practice filled in may bring a treatment word the template did not have,
        // or make the subject longer than an email's subject may be.
        inbox_check(&subject, &body)?;
        if subject.chars().count() > follow_up::MAX_SUBJECT_CHARS {
            return Err(AppError::invalid(
                "subject",
                "With the names filled in, the subject is longer than 200 characters. Please shorten it.",
            ));
        }
        let mut times = Vec::new();
        for slot in &slots {
            // No secret yet: the mail worker mints it when it sends the email (an empty
            // secret matches no link, as only SHA-256 digests are ever compared).
            let link = slot_links::ActiveModel {
                slot_id: Set(slot.id),
                partner_id: Set(partner.id),
                secret: Set(String::new()),
                used_at: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let label = clock::local(&defaults.therapist.time_zone, slot.starts_at).long();
            times.push((label, format!("{}/consult/{}", email::LINK_PLACEHOLDER, consult_marker(link.id))));
        }
        outbox::enqueue_at(
            &txn,
            outbox::NewEmail {
                case_id: Some(case_id),
                partner_id: Some(partner.id),
                invitation_id: None,
                kind: outbox::EmailKind::FollowUp,
                to_address: partner.email.clone(),
                to_name: partner.first_name.clone(),
                from_name: defaults.therapist.display_name.clone(),
                reply_to: Some(defaults.therapist.email.clone()),
                content: email::follow_up(&subject, &body, &defaults.therapist.signature, &times),
            },
            send_at,
            now,
        )
        .await?;
        sent += 1;
    }
    if sent == 0 {
        return Err(AppError::invalid("recipients", "Choose who the message is for."));
    }
    audit::record(&txn, AuditEvent::by(actor, AuditAction::FollowUpQueued, "case", case_id), now).await?;
    txn.commit().await?;
    Ok(sent)
}

/// The marker a queued follow-up holds where a consultation link's `<id>-<secret>` goes;
/// [`mint_consultation_links`] replaces it when the email is sent. A therapist cannot write
/// one: `{…}` names other than the known placeholders are refused.
fn consult_marker(link_id: i32) -> String {
    format!("{{consult:{link_id}}}")
}

/// The start of every consultation marker.
const CONSULT_MARKER_START: &str = "{consult:";

/// Mints a fresh secret for each consultation link an outbox email carries (replacing any
/// earlier one, as a retry does) and returns its text and HTML bodies with the links filled
/// in. Only the secret's SHA-256 is stored, so no usable link ever sits in the database;
/// call it as the email is sent. A link that is not this email's partner's, or no longer
/// exists (erased), becomes a link that opens nothing.
pub async fn mint_consultation_links(
    db: &impl ConnectionTrait,
    email: &crate::entities::outbox_emails::Model,
) -> Result<(String, String), AppError> {
    let (mut text, mut html) = (email.text_body.clone(), email.html_body.clone());
    for link_id in consult_link_ids(&text) {
        let link = slot_links::Entity::find_by_id(link_id).one(db).await?;
        let filled = match link {
            Some(link) if Some(link.partner_id) == email.partner_id => {
                let token = SecretToken::generate();
                let mut active = link.into_active_model();
                active.secret = Set(token.hash());
                active.update(db).await?;
                format!("{link_id}-{}", token.expose())
            }
            _ => format!("{link_id}-gone"),
        };
        let marker = consult_marker(link_id);
        text = text.replace(&marker, &filled);
        html = html.replace(&marker, &filled);
    }
    Ok((text, html))
}

/// The link ids of the consultation markers in `text`, each once, in order.
fn consult_link_ids(text: &str) -> Vec<i32> {
    let mut ids = Vec::new();
    for (at, _) in text.match_indices(CONSULT_MARKER_START) {
        let rest = &text[at + CONSULT_MARKER_START.len()..];
        let id = rest.split_once('}').and_then(|(id, _)| id.parse::<i32>().ok());
        if let Some(id) = id.filter(|id| !ids.contains(id)) {
            ids.push(id);
        }
    }
    ids
}

/// True when the partner has an invitation the therapist did not revoke.
async fn was_invited(db: &impl ConnectionTrait, partner_id: i32) -> Result<bool, AppError> {
    Ok(invitations::Entity::find()
        .filter(invitations::Column::PartnerId.eq(partner_id))
        .filter(invitations::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .is_some())
}

/// What a consultation link shows before the partner confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotLinkState {
    /// The time can be chosen.
    Open,
    /// This link was already used.
    Used,
    /// Another time of the same proposal was already chosen.
    Taken,
    /// The time has passed.
    Expired,
}

/// A consultation link, checked.
#[derive(Debug, Clone)]
pub struct SlotLinkInfo {
    /// The proposed time.
    pub starts_at: DateTime<Utc>,
    /// The therapist's display name.
    pub therapist_name: String,
    /// The therapist's time zone, for showing the time.
    pub time_zone: String,
    /// Whether it can still be chosen.
    pub state: SlotLinkState,
}

/// Reads `<id>-<secret>`; a wrong, tampered or unknown link is "not found".
async fn find_link(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<(slot_links::Model, consultation_slots::Model), AppError> {
    let (id, secret) = token.split_once('-').ok_or(AppError::NotFound)?;
    let id: i32 = id.parse().map_err(|_| AppError::NotFound)?;
    // Only the secret's SHA-256 is stored; a tampered id or secret finds nothing.
    let link = slot_links::Entity::find_by_id(id)
        .filter(slot_links::Column::Secret.eq(SecretToken::from_text(secret).hash()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let slot =
        consultation_slots::Entity::find_by_id(link.slot_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok((link, slot))
}

async fn link_state(
    db: &impl ConnectionTrait,
    link: &slot_links::Model,
    slot: &consultation_slots::Model,
    now: DateTime<Utc>,
) -> Result<SlotLinkState, AppError> {
    if link.used_at.is_some() {
        return Ok(SlotLinkState::Used);
    }
    let chosen = consultation_slots::Entity::find()
        .filter(consultation_slots::Column::Proposal.eq(slot.proposal.as_str()))
        .filter(consultation_slots::Column::ChosenAt.is_not_null())
        .one(db)
        .await?;
    if chosen.is_some() {
        return Ok(SlotLinkState::Taken);
    }
    if slot.starts_at <= now {
        return Ok(SlotLinkState::Expired);
    }
    Ok(SlotLinkState::Open)
}

/// What a consultation link offers (reading it changes nothing: mail scanners open links).
pub async fn slot_link(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<SlotLinkInfo, AppError> {
    let (link, slot) = find_link(db, token).await?;
    let case = case_by_id(db, slot.case_id).await?;
    let therapist = users::Entity::find_by_id(case.therapist_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(SlotLinkInfo {
        starts_at: slot.starts_at,
        therapist_name: therapist.display_name,
        time_zone: therapist.time_zone,
        state: link_state(db, &link, &slot, now).await?,
    })
}

/// The partner confirms the time: the link is used up, the therapist is told, and the
/// partners the time was offered to (only they) get a calendar invitation — all in one
/// transaction.
pub async fn choose_slot(
    db: &(impl ConnectionTrait + TransactionTrait),
    token: &str,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, AppError> {
    let txn = db.begin().await?;
    let (link, slot) = find_link(&txn, token).await?;
    match link_state(&txn, &link, &slot, now).await? {
        SlotLinkState::Open => {}
        SlotLinkState::Used => return Err(AppError::conflict("This link has already been used.")),
        SlotLinkState::Taken => {
            return Err(AppError::conflict("A time has already been chosen for this consultation."))
        }
        SlotLinkState::Expired => {
            return Err(AppError::conflict("This time has passed. Ask your therapist for new times."))
        }
    }
    // Only one choice per proposal, even with two partners clicking at once.
    let claimed = consultation_slots::Entity::update_many()
        .col_expr(consultation_slots::Column::ChosenAt, sea_orm::sea_query::Expr::value(Some(now)))
        .col_expr(
            consultation_slots::Column::ChosenByPartnerId,
            sea_orm::sea_query::Expr::value(Some(link.partner_id)),
        )
        .filter(consultation_slots::Column::Id.eq(slot.id))
        .filter(consultation_slots::Column::ChosenAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if claimed == 0 {
        return Err(AppError::conflict("A time has already been chosen for this consultation."));
    }
    let mut used = link.clone().into_active_model();
    used.used_at = Set(Some(now));
    used.update(&txn).await?;
    let case = case_by_id(&txn, slot.case_id).await?;
    let therapist =
        users::Entity::find_by_id(case.therapist_id).one(&txn).await?.ok_or(AppError::Internal)?;
    let when = clock::local(&therapist.time_zone, slot.starts_at).long();
    outbox::enqueue(
        &txn,
        outbox::NewEmail::to_therapist(
            &therapist,
            Some(case.id),
            outbox::EmailKind::Notification,
            email::time_chosen(&therapist.display_name, &when, case.id),
        ),
        now,
    )
    .await?;
    let calendar = email::ics_event(
        &format!("consultation-{}@babysteps", slot.id),
        slot.starts_at,
        CONSULTATION_MINUTES,
        &email::calendar_summary(&therapist.display_name),
        &therapist.email,
        now,
    );
    // Only the partners this time was offered to (each got a link to it) hear of the choice:
    // a consultation offered to one partner is never announced to the other.
    let offered_to: Vec<i32> = slot_links::Entity::find()
        .filter(slot_links::Column::SlotId.eq(slot.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|l| l.partner_id)
        .collect();
    for partner in partners_of(&txn, case.id).await?.into_iter().filter(|p| offered_to.contains(&p.id)) {
        outbox::enqueue_with_calendar(
            &txn,
            outbox::NewEmail {
                case_id: Some(case.id),
                partner_id: Some(partner.id),
                invitation_id: None,
                kind: outbox::EmailKind::Calendar,
                to_address: partner.email.clone(),
                to_name: partner.first_name.clone(),
                from_name: therapist.display_name.clone(),
                reply_to: Some(therapist.email.clone()),
                content: email::calendar_invitation(&partner.first_name, &therapist.display_name, &when),
            },
            calendar.clone(),
            now,
        )
        .await?;
    }
    audit::record(
        &txn,
        AuditEvent {
            actor_user_id: None,
            action: AuditAction::ConsultationChosen,
            record_type: "consultation_slot",
            record_id: slot.id.to_string(),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(slot.starts_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consultation_markers_are_found_once_each() {
        let text = format!(
            "a {} b {} c {} {{consult:x}} {{consult:",
            consult_marker(3),
            consult_marker(12),
            consult_marker(3)
        );
        assert_eq!(consult_link_ids(&text), vec![3, 12]);
        assert!(consult_link_ids("no links").is_empty());
    }
}
