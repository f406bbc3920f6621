//! Automatic emails. Some are queued by the change that causes them (homework assigned,
//! your partner shared, a new comment, a submission for the therapist); the rest are
//! planned from what is stored (due tomorrow, overdue, the weekly check-in, the therapist's
//! daily digest) by [`run_due`], which the server calls every minute.
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
    entities::{agreements, assignments, cases, check_ins, partners, reminder_log, responses, users},
    error::AppError,
};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession,
    TransactionTrait,
};

mod plan;

pub use plan::{plan, ClientFacts, DigestFacts, DueFacts, Planned};

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
pub async fn notify_client(
    db: &impl ConnectionTrait,
    partner: &partners::Model,
    key: &str,
    content: email::EmailContent,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let Some(client_id) = partner.client_user_id else { return Ok(false) };
    let Some(client) = users::Entity::find_by_id(client_id).one(db).await? else { return Ok(false) };
    let case = cases::Entity::find_by_id(partner.case_id).one(db).await?.ok_or(AppError::Internal)?;
    let therapist = users::Entity::find_by_id(case.therapist_id).one(db).await?.ok_or(AppError::Internal)?;
    // The client's own choice, and the therapist's for their practice.
    if !client.reminders || !therapist.reminders {
        return Ok(false);
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

/// Plans and queues every automatic email due at `now`. Safe to run any number of times
/// (and on several servers): each email's key lets it through once. Returns how many were
/// queued.
pub async fn run_due(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let active_cases =
        cases::Entity::find().filter(cases::Column::Status.eq(CaseStatus::Active)).all(db).await?;
    let case_ids: Vec<i32> = active_cases.iter().map(|c| c.id).collect();
    if case_ids.is_empty() {
        return Ok(0);
    }
    let therapists = users::Entity::find()
        .filter(users::Column::Id.is_in(active_cases.iter().map(|c| c.therapist_id)))
        .all(db)
        .await?;
    let all_partners = partners::Entity::find()
        .filter(partners::Column::CaseId.is_in(case_ids.clone()))
        .filter(partners::Column::ClientUserId.is_not_null())
        .all(db)
        .await?;
    let clients = users::Entity::find()
        .filter(users::Column::Id.is_in(all_partners.iter().filter_map(|p| p.client_user_id)))
        .all(db)
        .await?;
    let chosen = agreements::Entity::find()
        .filter(agreements::Column::CaseId.is_in(case_ids.clone()))
        .filter(agreements::Column::Chosen.eq(true))
        .filter(agreements::Column::WithdrawnAt.is_null())
        .all(db)
        .await?;
    let recent_weeks = check_ins::Entity::find()
        .filter(check_ins::Column::CaseId.is_in(case_ids.clone()))
        .filter(check_ins::Column::WeekStart.gte(now.date_naive() - Duration::days(14)))
        .all(db)
        .await?;
    let therapist_of = |case_id: i32| {
        active_cases
            .iter()
            .find(|c| c.id == case_id)
            .and_then(|c| therapists.iter().find(|t| t.id == c.therapist_id))
    };
    let client_facts: Vec<ClientFacts> = all_partners
        .iter()
        .map(|p| ClientFacts {
            partner_id: p.id,
            zone: therapist_of(p.case_id).map_or(Tz::UTC, |t| zone_of(&t.time_zone)),
            reminders: therapist_of(p.case_id).is_some_and(|t| t.reminders)
                && clients.iter().any(|u| Some(u.id) == p.client_user_id && u.reminders),
            practising: chosen.iter().any(|a| a.giver_id == p.id),
            checked_in_weeks: recent_weeks
                .iter()
                .filter(|c| c.partner_id == p.id)
                .map(|c| c.week_start)
                .collect(),
        })
        .collect();
    let due_assignments = assignments::Entity::find()
        .filter(assignments::Column::CaseId.is_in(case_ids.clone()))
        .filter(assignments::Column::DueOn.is_not_null())
        .filter(assignments::Column::UnlockedAt.is_not_null())
        .all(db)
        .await?;
    let due_responses = responses::Entity::find()
        .filter(responses::Column::AssignmentId.is_in(due_assignments.iter().map(|a| a.id)))
        .all(db)
        .await?;
    let mut due = Vec::new();
    for assignment in &due_assignments {
        let Some(due_on) = assignment.due_on else { continue };
        let recipients = assignment.recipients;
        for partner in
            all_partners.iter().filter(|p| p.case_id == assignment.case_id && recipients.includes(p.position))
        {
            let done = due_responses.iter().any(|r| {
                r.assignment_id == assignment.id && r.partner_id == partner.id && r.status.is_done()
            });
            due.push(DueFacts { assignment_id: assignment.id, partner_id: partner.id, due_on, done });
        }
    }
    let digest_therapists: Vec<&users::Model> =
        therapists.iter().filter(|t| t.digest == Digest::Daily).collect();
    let mut digests = Vec::new();
    for therapist in digest_therapists {
        let their_cases: Vec<i32> =
            active_cases.iter().filter(|c| c.therapist_id == therapist.id).map(|c| c.id).collect();
        let their_assignments = assignments::Entity::find()
            .filter(assignments::Column::CaseId.is_in(their_cases))
            .all(db)
            .await?;
        let new_submissions = responses::Entity::find()
            .filter(responses::Column::AssignmentId.is_in(their_assignments.iter().map(|a| a.id)))
            .filter(responses::Column::SubmittedAt.gt(now - Duration::hours(24)))
            .all(db)
            .await?
            .len();
        digests.push(DigestFacts {
            therapist_id: therapist.id,
            zone: zone_of(&therapist.time_zone),
            new_submissions,
        });
    }

    let mut queued = 0;
    for item in plan(now, &client_facts, &due, &digests) {
        let email = match &item {
            Planned::DueTomorrow { partner_id, .. }
            | Planned::Overdue { partner_id, .. }
            | Planned::CheckIn { partner_id, .. } => {
                let Some(partner) = all_partners.iter().find(|p| p.id == *partner_id) else { continue };
                let Some(client) = clients.iter().find(|u| Some(u.id) == partner.client_user_id) else {
                    continue;
                };
                let case = active_cases.iter().find(|c| c.id == partner.case_id).ok_or(AppError::Internal)?;
                let therapist =
                    therapists.iter().find(|t| t.id == case.therapist_id).ok_or(AppError::Internal)?;
                let notice = match item {
                    Planned::DueTomorrow { .. } => email::ClientNotice::DueTomorrow,
                    Planned::Overdue { .. } => email::ClientNotice::Overdue,
                    _ => email::ClientNotice::CheckIn,
                };
                let content = email::client_notice(&partner.first_name, notice);
                outbox::NewEmail {
                    case_id: Some(case.id),
                    partner_id: Some(partner.id),
                    invitation_id: None,
                    kind: outbox::EmailKind::Reminder,
                    to_address: client.email.clone(),
                    to_name: partner.first_name.clone(),
                    from_name: therapist.display_name.clone(),
                    reply_to: Some(therapist.email.clone()),
                    content,
                }
            }
            Planned::Digest { therapist_id, count, .. } => {
                let Some(therapist) = therapists.iter().find(|t| t.id == *therapist_id) else { continue };
                outbox::NewEmail::to_therapist(
                    therapist,
                    None,
                    outbox::EmailKind::Notification,
                    email::digest(&therapist.display_name, *count),
                )
            }
        };
        if queue_once(db, &item.key(), email, now, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}
