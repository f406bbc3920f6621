//! Automatic emails. Some are queued by the change that causes them (homework assigned,
//! your partner shared, a new comment, a submission for the therapist); the rest are
//! planned from what is stored (due tomorrow, overdue, the weekly check-in, the check-in
//! on the day the therapist set to revisit the pact, the therapist's daily digest) by [`run_due`], which the server calls every minute.
//!
//! Every automatic email has an idempotency key (stored with a unique index), so it is sent
//! at most once per item and kind, across restarts and several servers. Nothing is sent
//! to a client in their quiet hours (21:00–08:00 in their time zone, which is their
//! therapist's) and nothing to a client who turned reminders off.

use super::{
    clock::{next_allowed, zone_of},
    email, outbox,
};
use crate::{
    domain::{case::CaseStatus, outbox::Digest},
    entities::{
        agreements, assignments, cases, check_ins, measure_answers, measure_schedules, partners,
        reminder_log, responses, users,
    },
    error::AppError,
};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef, TransactionSession, TransactionTrait,
};
use std::collections::{HashMap, HashSet};

mod plan;

pub use plan::{plan, plan_measures, ClientFacts, DigestFacts, DueFacts, MeasureFacts, Planned};

/// Records `key` and queues `email` in one go; an already used key queues nothing.
/// Returns whether the email was queued.
pub async fn queue_once(
    db: &(impl ConnectionTrait + TransactionTrait),
    key: &str,
    email: outbox::NewEmail,
    send_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let txn = db.begin().await?;
    let logged = reminder_log::Entity::insert(reminder_log::ActiveModel {
        idempotency_key: Set(key.to_owned()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    match logged {
        Ok(_) => {}
        Err(error) if matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            return Ok(false);
        }
        Err(error) => return Err(error.into()),
    }
    outbox::enqueue_at(&txn, email, send_at, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// Queues, inside the caller's transaction, an automatic email to a client who wants
/// reminders, after their quiet hours; the key makes it once only. Returns whether queued.
/// For what a client did (sharing with their partner); a therapist's action uses
/// [`notify_client_for_therapist`].
pub async fn notify_client(
    db: &impl ConnectionTrait,
    partner: &partners::Model,
    key: &str,
    content: email::EmailContent,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    queue_client_notice(db, partner, key, content, false, now).await
}

/// Like [`notify_client`], for a therapist's action (a reply to a note, a comment, new
/// homework): when an email would go, it must fit the therapist's allowance
/// ([`outbox::check_allowance`]: a confirmed email and the daily limit), else the action is
/// refused with that message and, the caller's transaction rolled back, nothing is saved.
pub async fn notify_client_for_therapist(
    db: &impl ConnectionTrait,
    partner: &partners::Model,
    key: &str,
    content: email::EmailContent,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    queue_client_notice(db, partner, key, content, true, now).await
}

async fn queue_client_notice(
    db: &impl ConnectionTrait,
    partner: &partners::Model,
    key: &str,
    content: email::EmailContent,
    therapist_action: bool,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let Some(client_id) = partner.client_user_id else { return Ok(false) };
    let Some(client) = users::Entity::find_by_id(client_id).one(db).await? else { return Ok(false) };
    let case = cases::Entity::find_by_id(partner.case_id).one(db).await?.ok_or(AppError::Internal)?;
    // A sample couple is fictional: nothing is emailed, nothing is logged.
    if case.is_sample {
        return Ok(false);
    }
    let therapist = users::Entity::find_by_id(case.therapist_id).one(db).await?.ok_or(AppError::Internal)?;
    // The client's own choice, and the therapist's for their practice.
    if !client.reminders || !therapist.reminders {
        return Ok(false);
    }
    if therapist_action {
        outbox::check_allowance(db, therapist.id, 1, now).await?;
    }
    if !log_once(db, key, now).await? {
        return Ok(false);
    }
    let send_at = next_allowed(now, zone_of(&therapist.time_zone));
    outbox::enqueue_at(
        db,
        outbox::NewEmail {
            case_id: Some(case.id),
            partner_id: Some(partner.id),
            invitation_id: None,
            kind: outbox::EmailKind::Notification,
            to_address: client.email,
            to_name: partner.first_name.clone(),
            from_name: therapist.display_name.clone(),
            reply_to: Some(therapist.email),
            content,
        },
        send_at,
        now,
    )
    .await?;
    Ok(true)
}

/// Tells the therapist, inside the submitting transaction, that a client submitted —
/// unless they chose the daily digest. No names: a neutral sentence and a link.
pub async fn notify_therapist_of_submission(
    db: &impl ConnectionTrait,
    case_id: i32,
    key: &str,
    partner_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let case = cases::Entity::find_by_id(case_id).one(db).await?.ok_or(AppError::Internal)?;
    if case.is_sample {
        return Ok(());
    }
    let therapist = users::Entity::find_by_id(case.therapist_id).one(db).await?.ok_or(AppError::Internal)?;
    if therapist.digest == Digest::Daily || !log_once(db, key, now).await? {
        return Ok(());
    }
    let content = email::therapist_notice(
        &therapist.display_name,
        "A client submitted homework.",
        &format!("/cases/{case_id}"),
    );
    outbox::enqueue_at(
        db,
        outbox::NewEmail {
            partner_id: Some(partner_id),
            ..outbox::NewEmail::to_therapist(
                &therapist,
                Some(case_id),
                outbox::EmailKind::Notification,
                content,
            )
        },
        next_allowed(now, zone_of(&therapist.time_zone)),
        now,
    )
    .await?;
    Ok(())
}

/// Records `key` in the caller's transaction; false if it was already there.
async fn log_once(db: &impl ConnectionTrait, key: &str, now: DateTime<Utc>) -> Result<bool, AppError> {
    let already =
        reminder_log::Entity::find().filter(reminder_log::Column::IdempotencyKey.eq(key)).one(db).await?;
    if already.is_some() {
        return Ok(false);
    }
    reminder_log::Entity::insert(reminder_log::ActiveModel {
        idempotency_key: Set(key.to_owned()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(true)
}

/// Active cases planned together: every `IN (…)` list a batch binds stays far below what
/// SQLite (32,766) and PostgreSQL (65,535) accept, whatever the number of cases.
pub const PLAN_BATCH: u64 = 500;

/// Plans and queues every automatic email due at `now`. Safe to run any number of times
/// (and on several servers at once): each email's key is inserted into the reminder log,
/// whose unique index lets it through once. Returns how many were queued.
pub async fn run_due(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    run_due_in_batches(db, now, PLAN_BATCH).await
}

/// [`run_due`] with `batch` active cases per batch: the cases are walked in id order
/// (keyset pagination), each batch read with a few set-based queries, then the therapists'
/// daily digests are counted in one grouped query.
pub async fn run_due_in_batches(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    batch: u64,
) -> Result<usize, AppError> {
    let batch = batch.max(1);
    let mut queued = 0;
    let mut after = 0;
    loop {
        let active: Vec<(cases::Model, Option<users::Model>)> = cases::Entity::find()
            .find_also_related(users::Entity)
            .filter(cases::Column::Status.eq(CaseStatus::Active))
            // Sample couples are fictional: no reminder is planned for them.
            .filter(cases::Column::IsSample.eq(false))
            .filter(cases::Column::Id.gt(after))
            .order_by_asc(cases::Column::Id)
            .limit(batch)
            .all(db)
            .await?;
        let Some((last, _)) = active.last() else { break };
        after = last.id;
        let full = active.len() as u64 == batch;
        queued += run_batch(db, now, active).await?;
        if !full {
            break;
        }
    }
    queued += run_digests(db, now).await?;
    Ok(queued)
}

/// The client reminders of one batch of active cases, each with its therapist.
async fn run_batch(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    active: Vec<(cases::Model, Option<users::Model>)>,
) -> Result<usize, AppError> {
    let case_ids: Vec<i32> = active.iter().map(|(case, _)| case.id).collect();
    // Each case's therapist, by case id (no search through the cases per partner).
    let therapist_of: HashMap<i32, &users::Model> =
        active.iter().filter_map(|(case, therapist)| Some((case.id, therapist.as_ref()?))).collect();
    let revisit_of: HashMap<i32, chrono::NaiveDate> =
        active.iter().filter_map(|(case, _)| Some((case.id, case.pact_revisit_on?))).collect();
    let all_partners = partners::Entity::find()
        .filter(partners::Column::CaseId.is_in(case_ids.clone()))
        .filter(partners::Column::ClientUserId.is_not_null())
        .all(db)
        .await?;
    let clients: HashMap<i32, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(all_partners.iter().filter_map(|p| p.client_user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|user| (user.id, user))
        .collect();
    let practising: HashSet<i32> = agreements::Entity::find()
        .filter(agreements::Column::CaseId.is_in(case_ids.clone()))
        .filter(agreements::Column::Chosen.eq(true))
        .filter(agreements::Column::WithdrawnAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|agreement| agreement.giver_id)
        .collect();
    let mut checked_in: HashMap<i32, Vec<chrono::NaiveDate>> = HashMap::new();
    for check_in in check_ins::Entity::find()
        .filter(check_ins::Column::CaseId.is_in(case_ids.clone()))
        .filter(check_ins::Column::WeekStart.gte(now.date_naive() - Duration::days(14)))
        .all(db)
        .await?
    {
        checked_in.entry(check_in.partner_id).or_default().push(check_in.week_start);
    }
    let client_facts: Vec<ClientFacts> = all_partners
        .iter()
        .map(|p| {
            let therapist = therapist_of.get(&p.case_id);
            let client = p.client_user_id.and_then(|id| clients.get(&id));
            ClientFacts {
                partner_id: p.id,
                zone: therapist.map_or(Tz::UTC, |t| zone_of(&t.time_zone)),
                reminders: therapist.is_some_and(|t| t.reminders) && client.is_some_and(|u| u.reminders),
                practising: practising.contains(&p.id),
                checked_in_weeks: checked_in.remove(&p.id).unwrap_or_default(),
                pact_revisit_on: revisit_of.get(&p.case_id).copied(),
            }
        })
        .collect();
    let case_ids_for_measures = case_ids.clone();
    let due_assignments = assignments::Entity::find()
        .filter(assignments::Column::CaseId.is_in(case_ids))
        .filter(assignments::Column::DueOn.is_not_null())
        .filter(assignments::Column::UnlockedAt.is_not_null())
        .filter(assignments::Column::SkippedAt.is_null())
        .all(db)
        .await?;
    let done: HashSet<(i32, i32)> = responses::Entity::find()
        .filter(responses::Column::AssignmentId.is_in(due_assignments.iter().map(|a| a.id)))
        .all(db)
        .await?
        .into_iter()
        .filter(|r| r.status.is_done())
        .map(|r| (r.assignment_id, r.partner_id))
        .collect();
    let mut partners_of_case: HashMap<i32, Vec<&partners::Model>> = HashMap::new();
    for partner in &all_partners {
        partners_of_case.entry(partner.case_id).or_default().push(partner);
    }
    let mut due = Vec::new();
    for assignment in &due_assignments {
        let Some(due_on) = assignment.due_on else { continue };
        let given = partners_of_case.get(&assignment.case_id).into_iter().flatten();
        for partner in given.filter(|p| assignment.recipients.includes(p.position)) {
            let done = done.contains(&(assignment.id, partner.id));
            due.push(DueFacts { assignment_id: assignment.id, partner_id: partner.id, due_on, done });
        }
    }
    let measures = measure_facts(db, now, case_ids_for_measures, &partners_of_case).await?;
    let partner_by_id: HashMap<i32, &partners::Model> = all_partners.iter().map(|p| (p.id, p)).collect();
    let mut queued = 0;
    let planned =
        plan(now, &client_facts, &due, &[]).into_iter().chain(plan_measures(now, &client_facts, &measures));
    for item in planned {
        let (Planned::DueTomorrow { partner_id, .. }
        | Planned::Overdue { partner_id, .. }
        | Planned::CheckIn { partner_id, .. }
        | Planned::MeasureDue { partner_id, .. }
        | Planned::PactRevisit { partner_id, .. }) = &item
        else {
            continue;
        };
        let Some(partner) = partner_by_id.get(partner_id) else { continue };
        let Some(client) = partner.client_user_id.and_then(|id| clients.get(&id)) else { continue };
        let therapist = therapist_of.get(&partner.case_id).ok_or(AppError::Internal)?;
        let notice = match item {
            Planned::DueTomorrow { .. } => email::ClientNotice::DueTomorrow,
            Planned::Overdue { .. } => email::ClientNotice::Overdue,
            Planned::MeasureDue { .. } => email::ClientNotice::NewAssignment,
            _ => email::ClientNotice::CheckIn,
        };
        let email = outbox::NewEmail {
            case_id: Some(partner.case_id),
            partner_id: Some(partner.id),
            invitation_id: None,
            kind: outbox::EmailKind::Reminder,
            to_address: client.email.clone(),
            to_name: partner.first_name.clone(),
            from_name: therapist.display_name.clone(),
            reply_to: Some(therapist.email.clone()),
            content: email::client_notice(&partner.first_name, notice),
        };
        if queue_once(db, &item.key(), email, now, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// The scheduled measures of one batch of cases, per recipient, with the recent due dates
/// they answered: two queries for the whole batch.
async fn measure_facts(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    case_ids: Vec<i32>,
    partners_of_case: &HashMap<i32, Vec<&partners::Model>>,
) -> Result<Vec<MeasureFacts>, AppError> {
    let schedules = measure_schedules::Entity::find()
        .filter(measure_schedules::Column::CaseId.is_in(case_ids))
        .filter(measure_schedules::Column::StoppedAt.is_null())
        .all(db)
        .await?;
    // Only the answers to the due dates open now matter: in any time zone, those fall on or
    // after the latest due date as of yesterday in UTC.
    let yesterday = now.date_naive() - Duration::days(1);
    let since = schedules
        .iter()
        .filter_map(|row| super::measures::schedule_of(row).due_on(yesterday))
        .min()
        .unwrap_or(yesterday);
    let mut answered: HashMap<(i32, i32), Vec<chrono::NaiveDate>> = HashMap::new();
    for answer in measure_answers::Entity::find()
        .filter(measure_answers::Column::ScheduleId.is_in(schedules.iter().map(|s| s.id)))
        .filter(measure_answers::Column::DueOn.gte(since))
        .all(db)
        .await?
    {
        answered.entry((answer.schedule_id, answer.partner_id)).or_default().push(answer.due_on);
    }
    let mut facts = Vec::new();
    for row in &schedules {
        let given = partners_of_case.get(&row.case_id).into_iter().flatten();
        for partner in given.filter(|p| row.recipients.includes(p.position)) {
            facts.push(MeasureFacts {
                schedule_id: row.id,
                partner_id: partner.id,
                schedule: super::measures::schedule_of(row),
                answered: answered.remove(&(row.id, partner.id)).unwrap_or_default(),
            });
        }
    }
    Ok(facts)
}

/// The daily digests: the submissions of the last 24 hours in each digest-choosing
/// therapist's active cases, counted in one grouped query.
async fn run_digests(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let response_assignment: RelationDef = responses::Entity::belongs_to(assignments::Entity)
        .from(responses::Column::AssignmentId)
        .to(assignments::Column::Id)
        .into();
    let assignment_case: RelationDef = assignments::Entity::belongs_to(cases::Entity)
        .from(assignments::Column::CaseId)
        .to(cases::Column::Id)
        .into();
    let case_therapist: RelationDef = cases::Entity::belongs_to(users::Entity)
        .from(cases::Column::TherapistId)
        .to(users::Column::Id)
        .into();
    let counts: Vec<(i32, i64)> = responses::Entity::find()
        .select_only()
        .column(cases::Column::TherapistId)
        .column_as(responses::Column::Id.count(), "submissions")
        .join(JoinType::InnerJoin, response_assignment)
        .join(JoinType::InnerJoin, assignment_case)
        .join(JoinType::InnerJoin, case_therapist)
        .filter(cases::Column::Status.eq(CaseStatus::Active))
        .filter(cases::Column::IsSample.eq(false))
        .filter(users::Column::Digest.eq(Digest::Daily))
        .filter(responses::Column::SubmittedAt.gt(now - Duration::hours(24)))
        .group_by(cases::Column::TherapistId)
        .into_tuple()
        .all(db)
        .await?;
    let mut queued = 0;
    for chunk in counts.chunks(PLAN_BATCH as usize) {
        let therapists: HashMap<i32, users::Model> = users::Entity::find()
            .filter(users::Column::Id.is_in(chunk.iter().map(|(id, _)| *id)))
            .all(db)
            .await?
            .into_iter()
            .map(|user| (user.id, user))
            .collect();
        let digests: Vec<DigestFacts> = chunk
            .iter()
            .filter_map(|(id, count)| {
                let therapist = therapists.get(id)?;
                let new_submissions = usize::try_from(*count).ok()?;
                Some(DigestFacts { therapist_id: *id, zone: zone_of(&therapist.time_zone), new_submissions })
            })
            .collect();
        for item in plan(now, &[], &[], &digests) {
            let Planned::Digest { therapist_id, count, .. } = &item else { continue };
            let Some(therapist) = therapists.get(therapist_id) else { continue };
            let email = outbox::NewEmail::to_therapist(
                therapist,
                None,
                outbox::EmailKind::Notification,
                email::digest(&therapist.display_name, *count),
            );
            if queue_once(db, &item.key(), email, now, now).await? {
                queued += 1;
            }
        }
    }
    Ok(queued)
}
