//! Steps 3 to 5 and the private channel: wishes and their threads of smaller steps,
//! agreements, weekly check-ins with closeness ratings, the letting-go pact, and private
//! notes to the therapist.
//!
//! Who sees what follows `shared/product/words-and-visibility.md`: a partner's wishes
//! reach the other partner once both have shared step 1; check-in answers and notes are
//! the writer's and the therapist's; ratings reach the partner only when both agreed to
//! share them; step 5 writing only if its writer shares it; private notes never.

use super::{
    audit::{self, AuditAction, AuditEvent},
    cases::{owned_case, partners_of},
    email, homework, outbox, Actor,
};
use crate::{
    domain::{
        answers::{Answer, Answers},
        baby_steps,
        case::CaseStatus,
        exchange::{self, Side, WishAction, WishState, PRACTICE_ANSWERS},
    },
    entities::{
        agreements, assignments, cases, check_ins, offers, pact_entries, partners, private_notes, responses,
        users, wishes,
    },
    error::{AppError, FieldContext},
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, TransactionSession, TransactionTrait, TryIntoModel,
};

/// The signed-in client, their case (refused when closed, for writes) and the other partner.
struct Couple {
    me: partners::Model,
    other: partners::Model,
    case: cases::Model,
}

async fn couple_of(db: &impl ConnectionTrait, actor: Actor) -> Result<Couple, AppError> {
    let (me, case) = homework::client_partner(db, actor).await?;
    let other =
        partners_of(db, case.id).await?.into_iter().find(|p| p.id != me.id).ok_or(AppError::NotFound)?;
    Ok(Couple { me, other, case })
}

fn refuse_if_closed(case: &cases::Model) -> Result<(), AppError> {
    if case.status == CaseStatus::Closed.as_str() {
        return Err(AppError::conflict("Your therapist has closed this work, so it can't be changed now."));
    }
    Ok(())
}

/// True once both partners have shared step 1 (its mutual reveal has happened).
pub async fn step_1_revealed(db: &impl ConnectionTrait, case_id: i32) -> Result<bool, AppError> {
    let Some(step1) = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .filter(assignments::Column::ProgrammeKey.eq(baby_steps::PROGRAMME_KEY))
        .filter(assignments::Column::StepNumber.eq(1_i16))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let shared = responses::Entity::find()
        .filter(responses::Column::AssignmentId.eq(step1.id))
        .filter(responses::Column::SharedAt.is_not_null())
        .all(db)
        .await?;
    Ok(shared.len() >= 2)
}

/// Turns the behaviours on a partner's step 1 list into wishes to the other partner (once:
/// a resubmitted step 1 adds nothing).
pub async fn wishes_from_step_1(
    db: &impl ConnectionTrait,
    partner: &partners::Model,
    answers: &Answers,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(Answer::List(items)) = answers.get("behaviours") else { return Ok(()) };
    let existing =
        wishes::Entity::find().filter(wishes::Column::WisherId.eq(partner.id)).one(db).await?.is_some();
    if existing {
        return Ok(());
    }
    let other = partners_of(db, partner.case_id)
        .await?
        .into_iter()
        .find(|p| p.id != partner.id)
        .ok_or(AppError::Internal)?;
    for item in items {
        let Ok(text) = exchange::parse_wish_text(item) else { continue };
        insert_wish(db, partner.case_id, partner.id, other.id, text, "everyday", 2, now).await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_wish(
    db: &impl ConnectionTrait,
    case_id: i32,
    wisher_id: i32,
    addressee_id: i32,
    text: String,
    kind: &str,
    importance: i16,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    Ok(wishes::Entity::insert(wishes::ActiveModel {
        case_id: Set(case_id),
        wisher_id: Set(wisher_id),
        addressee_id: Set(addressee_id),
        text: Set(text),
        kind: Set(kind.to_owned()),
        importance: Set(importance),
        state: Set(WishState::Open.as_str().to_owned()),
        ease: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?
    .last_insert_id)
}

/// A wish with every offer in its thread, oldest first.
#[derive(Debug, Clone)]
pub struct WishThread {
    /// The wish.
    pub wish: wishes::Model,
    /// The smaller steps offered.
    pub offers: Vec<offers::Model>,
}

/// Everything about the exchange one person may see.
#[derive(Debug, Clone)]
pub struct Board {
    /// Partner A and partner B.
    pub partners: Vec<partners::Model>,
    /// True once both partners have shared step 1.
    pub revealed: bool,
    /// The wishes this person may see, with their threads.
    pub wishes: Vec<WishThread>,
    /// Agreements, easiest first.
    pub agreements: Vec<agreements::Model>,
}

async fn board_of(
    db: &impl ConnectionTrait,
    case_id: i32,
    viewer: Option<&partners::Model>,
) -> Result<Board, AppError> {
    let partners = partners_of(db, case_id).await?;
    let revealed = step_1_revealed(db, case_id).await?;
    let mut found = wishes::Entity::find()
        .filter(wishes::Column::CaseId.eq(case_id))
        .order_by_asc(wishes::Column::Id)
        .all(db)
        .await?;
    // A partner sees their own wishes, and the other's once both have shared step 1.
    if let Some(viewer) = viewer {
        found.retain(|wish| wish.wisher_id == viewer.id || revealed);
    }
    let ids: Vec<i32> = found.iter().map(|w| w.id).collect();
    let all_offers = if ids.is_empty() {
        Vec::new()
    } else {
        offers::Entity::find()
            .filter(offers::Column::WishId.is_in(ids))
            .order_by_asc(offers::Column::Id)
            .all(db)
            .await?
    };
    let wishes = found
        .into_iter()
        .map(|wish| WishThread {
            offers: all_offers.iter().filter(|o| o.wish_id == wish.id).cloned().collect(),
            wish,
        })
        .collect();
    let mut agreements =
        agreements::Entity::find().filter(agreements::Column::CaseId.eq(case_id)).all(db).await?;
    agreements.sort_by_key(|a| (std::cmp::Reverse(a.ease.unwrap_or(0)), a.id));
    Ok(Board { partners, revealed, wishes, agreements })
}

/// The signed-in client's view of the exchange.
pub async fn board(db: &impl ConnectionTrait, actor: Actor) -> Result<Board, AppError> {
    let couple = couple_of(db, actor).await?;
    board_of(db, couple.case.id, Some(&couple.me)).await
}

/// The therapist's view of a case's exchange (everything).
pub async fn case_board(db: &impl ConnectionTrait, actor: Actor, case_id: i32) -> Result<Board, AppError> {
    owned_case(db, actor, case_id).await?;
    board_of(db, case_id, None).await
}

/// Adds a wish to the other partner.
pub async fn add_wish(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    text: &str,
    kind: &str,
    importance: i16,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let text = exchange::parse_wish_text(text).field("text")?;
    let kind = exchange::parse_wish_kind(kind).field("kind")?;
    let importance = exchange::parse_importance(importance).field("importance")?;
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    refuse_if_closed(&couple.case)?;
    let id =
        insert_wish(&txn, couple.case.id, couple.me.id, couple.other.id, text, kind, importance, now).await?;
    audit::record(&txn, AuditEvent::by(actor, AuditAction::WishChanged, "wish", id), now).await?;
    txn.commit().await?;
    Ok(id)
}

/// The wisher changes a wish's kind or how much it matters (seen at `version`).
pub async fn retag_wish(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    wish_id: i32,
    version: i32,
    kind: &str,
    importance: i16,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let kind = exchange::parse_wish_kind(kind).field("kind")?;
    let importance = exchange::parse_importance(importance).field("importance")?;
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    refuse_if_closed(&couple.case)?;
    let wish = wishes::Entity::find_by_id(wish_id)
        .filter(wishes::Column::CaseId.eq(couple.case.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if wish.wisher_id != couple.me.id {
        return Err(AppError::conflict("Only the partner who made this wish can change it."));
    }
    if wish.state == WishState::Withdrawn.as_str() {
        return Err(AppError::conflict("This wish was withdrawn, so it can't be changed."));
    }
    let changed = wishes::Entity::update_many()
        .col_expr(wishes::Column::Kind, Expr::value(kind))
        .col_expr(wishes::Column::Importance, Expr::value(importance))
        .col_expr(wishes::Column::Version, Expr::value(version + 1))
        .col_expr(wishes::Column::UpdatedAt, Expr::value(now))
        .filter(wishes::Column::Id.eq(wish.id))
        .filter(wishes::Column::Version.eq(version))
        .exec(&txn)
        .await?
        .rows_affected;
    if changed == 0 {
        return Err(AppError::conflict("This wish changed a moment ago. Reload to see the latest."));
    }
    audit::record(&txn, AuditEvent::by(actor, AuditAction::WishChanged, "wish", wish.id), now).await?;
    txn.commit().await?;
    Ok(())
}

/// What comes with an action on a wish: the smaller step's words and how easy it feels.
#[derive(Debug, Clone, Default)]
pub struct ActionDetails {
    /// The smaller step offered (for `SmallerStep`).
    pub offer: String,
    /// How easy giving feels, 1 to 5 (for `Yes` and `SmallerStep`).
    pub ease: Option<i16>,
}

/// One partner acts on a wish seen at `version`. If the other partner acted first, nothing
/// changes and the caller is told to look again.
pub async fn act_on_wish(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    wish_id: i32,
    version: i32,
    action: WishAction,
    details: ActionDetails,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let ease = match action {
        WishAction::Yes | WishAction::SmallerStep => {
            Some(exchange::parse_ease(details.ease.unwrap_or(0)).field("ease")?)
        }
        _ => None,
    };
    let offer = match action {
        WishAction::SmallerStep => Some(exchange::parse_wish_text(&details.offer).field("offer")?),
        _ => None,
    };
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    refuse_if_closed(&couple.case)?;
    let wish = wishes::Entity::find_by_id(wish_id)
        .filter(wishes::Column::CaseId.eq(couple.case.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let side = if wish.wisher_id == couple.me.id { Side::Wisher } else { Side::Addressee };
    if side == Side::Addressee && !step_1_revealed(&txn, couple.case.id).await? {
        return Err(AppError::NotFound);
    }
    let state = WishState::parse(&wish.state).ok_or(AppError::Internal)?;
    let next = exchange::transition(state, side, action).map_err(AppError::conflict)?;
    let mut update = wishes::Entity::update_many()
        .col_expr(wishes::Column::State, Expr::value(next.as_str()))
        .col_expr(wishes::Column::Version, Expr::value(version + 1))
        .col_expr(wishes::Column::UpdatedAt, Expr::value(now));
    if ease.is_some() {
        update = update.col_expr(wishes::Column::Ease, Expr::value(ease));
    }
    let changed = update
        .filter(wishes::Column::Id.eq(wish.id))
        .filter(wishes::Column::Version.eq(version))
        .exec(&txn)
        .await?
        .rows_affected;
    if changed == 0 {
        return Err(AppError::conflict(
            "This wish changed a moment ago (perhaps your partner answered it). Reload to see the latest.",
        ));
    }
    let pending_offer = offers::Entity::find()
        .filter(offers::Column::WishId.eq(wish.id))
        .filter(offers::Column::Status.eq("proposed"))
        .one(&txn)
        .await?;
    match action {
        WishAction::Yes => {
            agree(&txn, &wish, &wish.text, ease, now).await?;
        }
        WishAction::SmallerStep => {
            offers::Entity::insert(offers::ActiveModel {
                wish_id: Set(wish.id),
                text: Set(offer.unwrap_or_default()),
                status: Set("proposed".to_owned()),
                created_at: Set(now),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
        }
        WishAction::AcceptOffer | WishAction::AskDifferent => {
            let offer = pending_offer.ok_or(AppError::Internal)?;
            let accepted = action == WishAction::AcceptOffer;
            if accepted {
                agree(&txn, &wish, &offer.text, wish.ease, now).await?;
            }
            let mut offer = offer.into_active_model();
            offer.status = Set(if accepted { "accepted" } else { "declined" }.to_owned());
            offer.update(&txn).await?;
        }
        WishAction::Withdraw => {
            if let Some(offer) = pending_offer {
                let mut offer = offer.into_active_model();
                offer.status = Set("declined".to_owned());
                offer.update(&txn).await?;
            }
        }
        WishAction::NotNow => {}
    }
    audit::record(&txn, AuditEvent::by(actor, AuditAction::WishChanged, "wish", wish.id), now).await?;
    txn.commit().await?;
    Ok(())
}

async fn agree(
    db: &impl ConnectionTrait,
    wish: &wishes::Model,
    text: &str,
    ease: Option<i16>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    agreements::Entity::insert(agreements::ActiveModel {
        case_id: Set(wish.case_id),
        wish_id: Set(wish.id),
        giver_id: Set(wish.addressee_id),
        receiver_id: Set(wish.wisher_id),
        text: Set(text.to_owned()),
        ease: Set(ease),
        times_per_week: Set(1),
        chosen: Set(false),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// The giver chooses (or stops choosing) an agreement to practise, and how often.
pub async fn choose_agreement(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    agreement_id: i32,
    chosen: bool,
    times_per_week: i16,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !(1..=7).contains(&times_per_week) {
        return Err(AppError::invalid("times_per_week", "Choose 1 to 7 times a week."));
    }
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    refuse_if_closed(&couple.case)?;
    let agreement = agreements::Entity::find_by_id(agreement_id)
        .filter(agreements::Column::CaseId.eq(couple.case.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if agreement.giver_id != couple.me.id {
        return Err(AppError::conflict("Only the partner who gives this can choose to practise it."));
    }
    let mut active = agreement.into_active_model();
    active.chosen = Set(chosen);
    active.times_per_week = Set(times_per_week);
    active.update(&txn).await?;
    audit::record(&txn, AuditEvent::by(actor, AuditAction::AgreementChosen, "agreement", agreement_id), now)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The Monday that starts the week of `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// A weekly check-in as typed.
#[derive(Debug, Clone)]
pub struct CheckInForm {
    /// The Monday of the week it is about.
    pub week_start: NaiveDate,
    /// Did I do my part: `done`, `partly`, `not_yet`.
    pub my_part: String,
    /// Did I notice my partner's: `done`, `partly`, `not_yet`.
    pub noticed: String,
    /// Emotional closeness, 0 to 10.
    pub emotional: i16,
    /// Physical closeness, 0 to 10.
    pub physical: i16,
    /// An optional note.
    pub note: String,
}

/// Weeks back a check-in may still be written for (a missed week can be caught up).
pub const CHECK_IN_WEEKS_BACK: i64 = 4;

/// Saves (or corrects) the client's check-in for one week.
pub async fn save_check_in(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    form: CheckInForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let this_week = week_start(now.date_naive());
    if form.week_start != week_start(form.week_start)
        || form.week_start > this_week
        || form.week_start < this_week - Duration::weeks(CHECK_IN_WEEKS_BACK)
    {
        return Err(AppError::invalid("week_start", "Choose this week or one of the last four."));
    }
    for (field, value) in [("my_part", &form.my_part), ("noticed", &form.noticed)] {
        if !PRACTICE_ANSWERS.iter().any(|(name, _)| name == value) {
            return Err(AppError::invalid(field, "Choose done, partly or not yet."));
        }
    }
    for (field, value) in [("emotional", form.emotional), ("physical", form.physical)] {
        if !(0..=10).contains(&value) {
            return Err(AppError::invalid(field, "Choose a number from 0 to 10."));
        }
    }
    let note = form.note.trim();
    if note.chars().count() > 2_000 {
        return Err(AppError::invalid("note", "Keep the note to 2,000 characters or fewer."));
    }
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    refuse_if_closed(&couple.case)?;
    let existing = check_ins::Entity::find()
        .filter(check_ins::Column::PartnerId.eq(couple.me.id))
        .filter(check_ins::Column::WeekStart.eq(form.week_start))
        .one(&txn)
        .await?;
    let mut active = match existing {
        Some(found) => found.into_active_model(),
        None => check_ins::ActiveModel {
            case_id: Set(couple.case.id),
            partner_id: Set(couple.me.id),
            week_start: Set(form.week_start),
            ..Default::default()
        },
    };
    active.my_part = Set(form.my_part);
    active.noticed = Set(form.noticed);
    active.emotional = Set(form.emotional);
    active.physical = Set(form.physical);
    active.note = Set(note.to_owned());
    active.updated_at = Set(now);
    let id = active.save(&txn).await?.try_into_model()?.id;
    let mut case = couple.case.into_active_model();
    case.last_client_activity_at = Set(Some(now));
    case.update(&txn).await?;
    audit::record(&txn, AuditEvent::by(actor, AuditAction::CheckInSaved, "check_in", id), now).await?;
    txn.commit().await?;
    Ok(())
}

/// Agrees (or stops agreeing) to show this client's closeness ratings to their partner.
pub async fn set_share_ratings(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    share: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    let id = couple.me.id;
    let mut me = couple.me.into_active_model();
    me.share_ratings = Set(share);
    me.update(&txn).await?;
    audit::record(&txn, AuditEvent::by(actor, AuditAction::SettingsChanged, "partner", id), now).await?;
    txn.commit().await?;
    Ok(())
}

/// Check-ins one person may see.
#[derive(Debug, Clone)]
pub struct Practice {
    /// Partner A and partner B.
    pub partners: Vec<partners::Model>,
    /// The viewer's own check-ins (the therapist: everyone's), oldest week first.
    pub check_ins: Vec<check_ins::Model>,
    /// The other partner's ratings as `(partner, week, emotional, physical)`, for a client
    /// only when both agreed to share ratings.
    pub partner_ratings: Vec<(i32, NaiveDate, i16, i16)>,
}

/// The client's check-ins, and their partner's ratings if both agreed to share them.
pub async fn practice(db: &impl ConnectionTrait, actor: Actor) -> Result<Practice, AppError> {
    let couple = couple_of(db, actor).await?;
    let all = check_ins::Entity::find()
        .filter(check_ins::Column::CaseId.eq(couple.case.id))
        .order_by_asc(check_ins::Column::WeekStart)
        .all(db)
        .await?;
    let both_share = couple.me.share_ratings && couple.other.share_ratings;
    let partner_ratings = all
        .iter()
        .filter(|c| both_share && c.partner_id == couple.other.id)
        .map(|c| (c.partner_id, c.week_start, c.emotional, c.physical))
        .collect();
    let check_ins = all.into_iter().filter(|c| c.partner_id == couple.me.id).collect();
    let mut partners = vec![couple.me, couple.other];
    partners.sort_by_key(|p| p.position);
    Ok(Practice { partners, check_ins, partner_ratings })
}

/// Every check-in of a case, for its therapist.
pub async fn case_practice(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
) -> Result<Practice, AppError> {
    owned_case(db, actor, case_id).await?;
    let check_ins = check_ins::Entity::find()
        .filter(check_ins::Column::CaseId.eq(case_id))
        .order_by_asc(check_ins::Column::WeekStart)
        .all(db)
        .await?;
    Ok(Practice { partners: partners_of(db, case_id).await?, check_ins, partner_ratings: Vec::new() })
}

/// Weekly average closeness per case (both partners, both ratings), oldest week first.
pub async fn closeness_trends(
    db: &impl ConnectionTrait,
    case_ids: &[i32],
) -> Result<std::collections::BTreeMap<i32, Vec<(NaiveDate, f32)>>, AppError> {
    let mut trends: std::collections::BTreeMap<i32, std::collections::BTreeMap<NaiveDate, (i32, i32)>> =
        Default::default();
    if !case_ids.is_empty() {
        for check_in in check_ins::Entity::find()
            .filter(check_ins::Column::CaseId.is_in(case_ids.iter().copied()))
            .all(db)
            .await?
        {
            let week = trends.entry(check_in.case_id).or_default().entry(check_in.week_start).or_default();
            week.0 += i32::from(check_in.emotional) + i32::from(check_in.physical);
            week.1 += 2;
        }
    }
    Ok(trends
        .into_iter()
        .map(|(case, weeks)| {
            (case, weeks.into_iter().map(|(week, (sum, n))| (week, sum as f32 / n as f32)).collect())
        })
        .collect())
}

/// Step 5 as one person may see it.
#[derive(Debug, Clone)]
pub struct Pact {
    /// Partner A and partner B with their entries (the other partner's writing is blanked
    /// for a client unless it was shared).
    pub entries: Vec<(partners::Model, Option<pact_entries::Model>)>,
    /// When both confirmed.
    pub completed_at: Option<DateTime<Utc>>,
}

async fn pact_of(
    db: &impl ConnectionTrait,
    case: &cases::Model,
    viewer: Option<i32>,
) -> Result<Pact, AppError> {
    let found = pact_entries::Entity::find().filter(pact_entries::Column::CaseId.eq(case.id)).all(db).await?;
    let entries = partners_of(db, case.id)
        .await?
        .into_iter()
        .map(|partner| {
            let mut entry = found.iter().find(|e| e.partner_id == partner.id).cloned();
            if let Some(entry) =
                entry.as_mut().filter(|e| viewer.is_some_and(|v| v != e.partner_id) && !e.shared)
            {
                entry.letting_go.clear();
            }
            (partner, entry)
        })
        .collect();
    Ok(Pact { entries, completed_at: case.pact_completed_at })
}

/// The client's view of step 5.
pub async fn pact(db: &impl ConnectionTrait, actor: Actor) -> Result<Pact, AppError> {
    let couple = couple_of(db, actor).await?;
    pact_of(db, &couple.case, Some(couple.me.id)).await
}

/// The therapist's view of a case's step 5.
pub async fn case_pact(db: &impl ConnectionTrait, actor: Actor, case_id: i32) -> Result<Pact, AppError> {
    let case = owned_case(db, actor, case_id).await?;
    pact_of(db, &case, None).await
}

/// Most characters in step 5's writing or a private note.
pub const MAX_PRIVATE_CHARS: usize = 4_000;

/// Saves what the client is letting go of, whether to share it and whether they would like
/// one more guided conversation; `confirm` also confirms the pact. When both partners have
/// confirmed, the case records the date and the therapist is emailed.
pub async fn save_pact(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    letting_go: &str,
    shared: bool,
    wants_conversation: bool,
    confirm: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let letting_go = letting_go.trim();
    if letting_go.chars().count() > MAX_PRIVATE_CHARS {
        return Err(AppError::invalid("letting_go", "Please keep this to 4,000 characters or fewer."));
    }
    if confirm && letting_go.is_empty() {
        return Err(AppError::invalid("letting_go", "Write what you are letting go of before you confirm."));
    }
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    refuse_if_closed(&couple.case)?;
    let existing = pact_entries::Entity::find()
        .filter(pact_entries::Column::PartnerId.eq(couple.me.id))
        .one(&txn)
        .await?;
    if existing.as_ref().is_some_and(|e| e.confirmed_at.is_some()) {
        return Err(AppError::conflict("You have already confirmed the pact."));
    }
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
    active.wants_conversation = Set(wants_conversation);
    active.confirmed_at = Set(confirm.then_some(now));
    active.updated_at = Set(now);
    let id = active.save(&txn).await?.try_into_model()?.id;
    audit::record(&txn, AuditEvent::by(actor, AuditAction::PactSaved, "pact_entry", id), now).await?;
    if confirm {
        let other_confirmed = pact_entries::Entity::find()
            .filter(pact_entries::Column::PartnerId.eq(couple.other.id))
            .filter(pact_entries::Column::ConfirmedAt.is_not_null())
            .one(&txn)
            .await?
            .is_some();
        if other_confirmed && couple.case.pact_completed_at.is_none() {
            let therapist = users::Entity::find_by_id(couple.case.therapist_id)
                .one(&txn)
                .await?
                .ok_or(AppError::Internal)?;
            let case_id = couple.case.id;
            let mut case = couple.case.into_active_model();
            case.pact_completed_at = Set(Some(now));
            case.update(&txn).await?;
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
    txn.commit().await?;
    Ok(())
}

/// Sends the therapist a private note that the partner never sees.
pub async fn send_private_note(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "Write your message first."));
    }
    if body.chars().count() > MAX_PRIVATE_CHARS {
        return Err(AppError::invalid("body", "Please keep this to 4,000 characters or fewer."));
    }
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    let id = private_notes::Entity::insert(private_notes::ActiveModel {
        case_id: Set(couple.case.id),
        partner_id: Set(couple.me.id),
        body: Set(body.to_owned()),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    audit::record(&txn, AuditEvent::by(actor, AuditAction::PrivateNoteSent, "private_note", id), now).await?;
    txn.commit().await?;
    Ok(())
}

/// The private notes the signed-in client has sent, newest first.
pub async fn my_private_notes(
    db: &impl ConnectionTrait,
    actor: Actor,
) -> Result<Vec<private_notes::Model>, AppError> {
    let couple = couple_of(db, actor).await?;
    Ok(private_notes::Entity::find()
        .filter(private_notes::Column::PartnerId.eq(couple.me.id))
        .order_by_desc(private_notes::Column::Id)
        .all(db)
        .await?)
}

/// A case's private notes for its therapist, newest first; opening them marks them read.
pub async fn case_private_notes(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
    now: DateTime<Utc>,
) -> Result<Vec<private_notes::Model>, AppError> {
    owned_case(db, actor, case_id).await?;
    let notes = private_notes::Entity::find()
        .filter(private_notes::Column::CaseId.eq(case_id))
        .order_by_desc(private_notes::Column::Id)
        .all(db)
        .await?;
    private_notes::Entity::update_many()
        .col_expr(private_notes::Column::ReadAt, Expr::value(Some(now)))
        .filter(private_notes::Column::CaseId.eq(case_id))
        .filter(private_notes::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(notes)
}

/// Unread private notes per case.
pub async fn unread_notes(
    db: &impl ConnectionTrait,
    case_ids: &[i32],
) -> Result<std::collections::BTreeMap<i32, usize>, AppError> {
    let mut counts = std::collections::BTreeMap::new();
    if case_ids.is_empty() {
        return Ok(counts);
    }
    for note in private_notes::Entity::find()
        .filter(private_notes::Column::CaseId.is_in(case_ids.iter().copied()))
        .filter(private_notes::Column::ReadAt.is_null())
        .all(db)
        .await?
    {
        *counts.entry(note.case_id).or_insert(0) += 1;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        let wednesday = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(week_start(wednesday), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(week_start(monday), monday);
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(week_start(sunday), monday);
    }
}
