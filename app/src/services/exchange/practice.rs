//! Practising agreements: the weekly check-in with closeness ratings (shared with the
//! partner only when both agree) and the closeness trend the therapist follows.

use super::super::{
    access::{couple_of, refuse_unless_active, OwnedCase},
    audit::{self, AuditAction, AuditEvent},
    clock::week_start,
    Actor,
};
use super::steps;
use crate::{
    domain::{
        baby_steps, case::ConfidentialityPolicy, closeness, dates, exchange::PRACTICE_ANSWERS, plain_text,
    },
    entities::{check_ins, partners},
    error::{AppError, FieldContext},
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait, TryIntoModel,
};

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
    if !dates::in_range(form.week_start) {
        return Err(AppError::invalid("week_start", dates::out_of_range().0));
    }
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
    plain_text(note, true).field("note")?;
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    refuse_unless_active(&couple.case)?;
    steps::require_step(&txn, couple.case.id, baby_steps::AGREEMENTS_STEP).await?;
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
    let concerns = (couple.case.id, couple.me.id);
    let mut case = couple.case.into_active_model();
    case.last_client_activity_at = Set(Some(now));
    case.update(&txn).await?;
    let event = AuditEvent::by(actor, AuditAction::CheckInSaved, "check_in", id);
    audit::record(&txn, event.concerning(concerns.0, Some(concerns.1)), now).await?;
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
    steps::require_step(&txn, couple.case.id, baby_steps::AGREEMENTS_STEP).await?;
    let (id, case_id) = (couple.me.id, couple.case.id);
    let mut me = couple.me.into_active_model();
    me.share_ratings = Set(share);
    me.update(&txn).await?;
    let event = AuditEvent::by(actor, AuditAction::SettingsChanged, "partner", id);
    audit::record(&txn, event.concerning(case_id, Some(id)), now).await?;
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
    /// The case's confidentiality policy (what the therapist may do with a check-in note).
    pub policy: ConfidentialityPolicy,
    /// True once step 4 is open (check-ins can be written).
    pub open: bool,
}

/// The client's check-ins, and their partner's ratings if both agreed to share them
/// (audited as a read of their check-ins).
pub async fn practice(
    db: &impl ConnectionTrait,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Practice, AppError> {
    let couple = couple_of(db, actor).await?;
    let event = AuditEvent::by(actor, AuditAction::CheckInsViewed, "case", couple.case.id);
    audit::record(db, event.concerning(couple.case.id, Some(couple.me.id)), now).await?;
    let all = check_ins::Entity::find()
        .filter(check_ins::Column::CaseId.eq(couple.case.id))
        .order_by_asc(check_ins::Column::WeekStart)
        .all(db)
        .await?;
    let both_share =
        couple.me.share_ratings && couple.other.share_ratings && couple.other.removed_at.is_none();
    let partner_ratings = all
        .iter()
        .filter(|c| both_share && c.partner_id == couple.other.id)
        .map(|c| (c.partner_id, c.week_start, c.emotional, c.physical))
        .collect();
    let check_ins = all.into_iter().filter(|c| c.partner_id == couple.me.id).collect();
    let mut partners = vec![couple.me, couple.other];
    partners.sort_by_key(|p| p.position);
    let open = steps::step_is_open(db, couple.case.id, baby_steps::AGREEMENTS_STEP).await?;
    Ok(Practice { partners, check_ins, partner_ratings, policy: couple.case.confidentiality_policy, open })
}

/// Every check-in of a case, for its therapist (`open`: step 4 is open).
pub async fn case_practice(
    db: &impl ConnectionTrait,
    case: &OwnedCase,
    open: bool,
) -> Result<Practice, AppError> {
    let case_id = case.id;
    let check_ins = check_ins::Entity::find()
        .filter(check_ins::Column::CaseId.eq(case_id))
        .order_by_asc(check_ins::Column::WeekStart)
        .all(db)
        .await?;
    Ok(Practice {
        partners: case.partners(db).await?.to_vec(),
        check_ins,
        partner_ratings: Vec::new(),
        policy: case.confidentiality_policy,
        open,
    })
}

/// Each case's ratings week by week, partner A's and partner B's apart, oldest week first
/// (one read for the whole page; `partners` are the cases' partners, for who is A).
pub async fn closeness_trends(
    db: &impl ConnectionTrait,
    case_ids: &[i32],
    partners: &[partners::Model],
) -> Result<std::collections::BTreeMap<i32, Vec<closeness::ClosenessWeek>>, AppError> {
    let mut ratings: std::collections::BTreeMap<i32, Vec<(NaiveDate, bool, closeness::Ratings)>> =
        Default::default();
    if !case_ids.is_empty() {
        // The ratings alone, never what the partners wrote.
        let rows: Vec<(i32, i32, NaiveDate, i16, i16)> = check_ins::Entity::find()
            .select_only()
            .columns([
                check_ins::Column::CaseId,
                check_ins::Column::PartnerId,
                check_ins::Column::WeekStart,
                check_ins::Column::Emotional,
                check_ins::Column::Physical,
            ])
            .filter(check_ins::Column::CaseId.is_in(case_ids.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        for (case_id, partner_id, week_start, emotional, physical) in rows {
            let is_a = partners.iter().any(|p| p.id == partner_id && p.position == 1);
            let rating = closeness::Ratings { emotional, physical };
            ratings.entry(case_id).or_default().push((week_start, is_a, rating));
        }
    }
    Ok(ratings.into_iter().map(|(case, ratings)| (case, closeness::weeks(ratings))).collect())
}
