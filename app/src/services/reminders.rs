//! Automatic emails. Some are queued by the change that causes them (homework assigned,
//! your partner shared, a new comment, a submission for the therapist); the rest are
//! planned from what is stored (due tomorrow, overdue, the weekly check-in, the therapist's
//! daily digest) by [`run_due`], which the server calls every minute.
//!
//! Every automatic email has an idempotency key (stored with a unique index), so it is sent
//! at most once per item and kind, across restarts and several servers. Nothing is sent
//! to a client in their quiet hours (21:00–08:00 in their time zone, which is their
//! therapist's) and nothing to a client who turned reminders off.

use super::{email, outbox};
use crate::{
    entities::{agreements, assignments, cases, check_ins, partners, reminder_log, responses, users},
    error::AppError,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession,
    TransactionTrait,
};

/// Quiet hours start at this local hour …
pub const QUIET_FROM_HOUR: u32 = 21;
/// … and end at this one.
pub const QUIET_UNTIL_HOUR: u32 = 8;

/// True between 21:00 and 08:00 local time.
pub fn in_quiet_hours(now: DateTime<Utc>, zone: Tz) -> bool {
    let hour = now.with_timezone(&zone).hour();
    !(QUIET_UNTIL_HOUR..QUIET_FROM_HOUR).contains(&hour)
}

/// `now`, or the end of the quiet hours it falls in (08:00 local, whatever the UTC offset
/// is that day, so daylight-saving changes are handled).
pub fn next_allowed(now: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    if !in_quiet_hours(now, zone) {
        return now;
    }
    let local = now.with_timezone(&zone);
    let day = if local.hour() >= QUIET_FROM_HOUR {
        local.date_naive() + Duration::days(1)
    } else {
        local.date_naive()
    };
    let eight = day.and_time(NaiveTime::from_hms_opt(QUIET_UNTIL_HOUR, 0, 0).unwrap_or_default());
    match zone.from_local_datetime(&eight).earliest() {
        Some(at) => at.with_timezone(&Utc),
        // 08:00 does not exist that day (a clock change at 08:00): an hour later does.
        None => zone
            .from_local_datetime(&(eight + Duration::hours(1)))
            .earliest()
            .map_or(now + Duration::hours(1), |at| at.with_timezone(&Utc)),
    }
}

/// Reads a stored time zone (UTC if unreadable).
pub fn zone_of(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// What the planner knows of a client.
#[derive(Debug, Clone)]
pub struct ClientFacts {
    /// The partner row.
    pub partner_id: i32,
    /// Their time zone (their therapist's).
    pub zone: Tz,
    /// They want reminders.
    pub reminders: bool,
    /// They chose at least one agreement to practise.
    pub practising: bool,
    /// The Mondays of the weeks they have checked in for.
    pub checked_in_weeks: Vec<NaiveDate>,
}

/// An open assignment with a due date, for one recipient.
#[derive(Debug, Clone)]
pub struct DueFacts {
    /// The assignment.
    pub assignment_id: i32,
    /// The recipient.
    pub partner_id: i32,
    /// Its due date.
    pub due_on: NaiveDate,
    /// The recipient has submitted it.
    pub done: bool,
}

/// What the planner knows of a therapist who chose a daily digest.
#[derive(Debug, Clone)]
pub struct DigestFacts {
    /// The therapist.
    pub therapist_id: i32,
    /// Their time zone.
    pub zone: Tz,
    /// Submissions in the last 24 hours.
    pub new_submissions: usize,
}

/// One email the planner decided is due now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned {
    /// Homework due tomorrow.
    DueTomorrow {
        /// The assignment.
        assignment_id: i32,
        /// The recipient.
        partner_id: i32,
    },
    /// Homework past its due date: the day after, then at most weekly.
    Overdue {
        /// The assignment.
        assignment_id: i32,
        /// The recipient.
        partner_id: i32,
        /// 0 the day after the due date, 1 a week later, …
        round: i64,
    },
    /// The weekly check-in reminder (Sunday from 10:00).
    CheckIn {
        /// The recipient.
        partner_id: i32,
        /// The week's Monday.
        week: NaiveDate,
    },
    /// The therapist's daily digest of submissions.
    Digest {
        /// The therapist.
        therapist_id: i32,
        /// Their local date.
        date: NaiveDate,
        /// How many submissions.
        count: usize,
    },
}

impl Planned {
    /// The idempotency key: the same item and kind always give the same key.
    pub fn key(&self) -> String {
        match self {
            Planned::DueTomorrow { assignment_id, partner_id } => format!("due:{assignment_id}:{partner_id}"),
            Planned::Overdue { assignment_id, partner_id, round } => {
                format!("overdue:{assignment_id}:{partner_id}:{round}")
            }
            Planned::CheckIn { partner_id, week } => format!("check_in:{partner_id}:{week}"),
            Planned::Digest { therapist_id, date, .. } => format!("digest:{therapist_id}:{date}"),
        }
    }
}

/// Decides which automatic emails are due at `now`. Pure: the clock and the facts are
/// inputs, so it is tested with any time and time zone.
pub fn plan(
    now: DateTime<Utc>,
    clients: &[ClientFacts],
    due: &[DueFacts],
    digests: &[DigestFacts],
) -> Vec<Planned> {
    let mut planned = Vec::new();
    for client in clients.iter().filter(|c| c.reminders && !in_quiet_hours(now, c.zone)) {
        let local = now.with_timezone(&client.zone);
        let today = local.date_naive();
        for item in due.iter().filter(|d| d.partner_id == client.partner_id && !d.done) {
            if item.due_on == today + Duration::days(1) {
                planned.push(Planned::DueTomorrow {
                    assignment_id: item.assignment_id,
                    partner_id: item.partner_id,
                });
            } else if item.due_on < today {
                let round = ((today - item.due_on).num_days() - 1) / 7;
                planned.push(Planned::Overdue {
                    assignment_id: item.assignment_id,
                    partner_id: item.partner_id,
                    round,
                });
            }
        }
        let week = super::exchange::week_start(today);
        if client.practising
            && local.weekday() == Weekday::Sun
            && local.hour() >= 10
            && !client.checked_in_weeks.contains(&week)
        {
            planned.push(Planned::CheckIn { partner_id: client.partner_id, week });
        }
    }
    for digest in digests.iter().filter(|d| d.new_submissions > 0 && !in_quiet_hours(now, d.zone)) {
        planned.push(Planned::Digest {
            therapist_id: digest.therapist_id,
            date: now.with_timezone(&digest.zone).date_naive(),
            count: digest.new_submissions,
        });
    }
    planned
}

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
    if therapist.digest == "daily" || !log_once(db, key, now).await? {
        return Ok(());
    }
    let content = email::reminder(
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
    let active_cases = cases::Entity::find().filter(cases::Column::Status.eq("active")).all(db).await?;
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
        let recipients = super::homework::Recipients::parse(&assignment.recipients)
            .unwrap_or(super::homework::Recipients::Both);
        for partner in
            all_partners.iter().filter(|p| p.case_id == assignment.case_id && recipients.includes(p.position))
        {
            let done = due_responses.iter().any(|r| {
                r.assignment_id == assignment.id && r.partner_id == partner.id && r.status != "draft"
            });
            due.push(DueFacts { assignment_id: assignment.id, partner_id: partner.id, due_on, done });
        }
    }
    let digest_therapists: Vec<&users::Model> = therapists.iter().filter(|t| t.digest == "daily").collect();
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
                let content = match item {
                    Planned::DueTomorrow { .. } => {
                        email::reminder(&partner.first_name, "Some homework is due tomorrow.", "/homework")
                    }
                    Planned::Overdue { .. } => {
                        email::reminder(&partner.first_name, "Some homework is waiting for you.", "/homework")
                    }
                    _ => email::reminder(
                        &partner.first_name,
                        "It is time for this week's check-in.",
                        "/check-in",
                    ),
                };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn client(zone: Tz) -> ClientFacts {
        ClientFacts { partner_id: 7, zone, reminders: true, practising: false, checked_in_weeks: vec![] }
    }

    fn due(day: u32) -> DueFacts {
        DueFacts {
            assignment_id: 3,
            partner_id: 7,
            due_on: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            done: false,
        }
    }

    #[test]
    fn due_tomorrow_is_sent_the_day_before_outside_quiet_hours() {
        let clients = [client(Tz::UTC)];
        let planned = plan(at(2026, 11, 24, 9, 0), &clients, &[due(25)], &[]);
        assert_eq!(planned, [Planned::DueTomorrow { assignment_id: 3, partner_id: 7 }]);
        assert!(plan(at(2026, 11, 24, 22, 0), &clients, &[due(25)], &[]).is_empty(), "quiet hours");
        assert!(plan(at(2026, 11, 24, 7, 59), &clients, &[due(25)], &[]).is_empty(), "quiet hours");
        let done = DueFacts { done: true, ..due(25) };
        assert!(plan(at(2026, 11, 24, 9, 0), &clients, &[done], &[]).is_empty());
        let off = ClientFacts { reminders: false, ..client(Tz::UTC) };
        assert!(plan(at(2026, 11, 24, 9, 0), &[off], &[due(25)], &[]).is_empty(), "reminders off");
    }

    #[test]
    fn overdue_is_sent_the_day_after_then_at_most_weekly() {
        let clients = [client(Tz::UTC)];
        let keys: Vec<String> = (11..=25)
            .flat_map(|day| plan(at(2026, 11, day, 12, 0), &clients, &[due(10)], &[]))
            .map(|p| p.key())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        // The 11th (round 0), the 18th (round 1) and the 25th (round 2): three emails in 15 days.
        assert_eq!(keys, ["overdue:3:7:0", "overdue:3:7:1", "overdue:3:7:2"]);
        assert_eq!(plan(at(2026, 11, 17, 12, 0), &clients, &[due(10)], &[])[0].key(), "overdue:3:7:0");
    }

    #[test]
    fn planning_twice_gives_the_same_keys() {
        let clients = [client(Tz::UTC)];
        let now = at(2026, 11, 24, 9, 0);
        let first: Vec<String> = plan(now, &clients, &[due(25)], &[]).iter().map(Planned::key).collect();
        let again: Vec<String> =
            plan(now + Duration::minutes(1), &clients, &[due(25)], &[]).iter().map(Planned::key).collect();
        assert_eq!(
            first, again,
            "a restart half-way plans the same emails, which the keys then let through once"
        );
    }

    #[test]
    fn quiet_hours_follow_the_local_clock_across_daylight_saving() {
        let london: Tz = "Europe/London".parse().unwrap();
        // Summer time (UTC+1): 07:30 UTC is 08:30 in London.
        assert!(!in_quiet_hours(at(2026, 7, 1, 7, 30), london));
        // Winter (UTC+0): 07:30 UTC is 07:30 in London.
        assert!(in_quiet_hours(at(2026, 12, 1, 7, 30), london));
        // The night the clocks go forward (29 March 2026), the quiet hours end at 08:00 BST = 07:00 UTC.
        assert_eq!(next_allowed(at(2026, 3, 28, 23, 0), london), at(2026, 3, 29, 7, 0));
        // The night they go back (25 October 2026), at 08:00 GMT = 08:00 UTC.
        assert_eq!(next_allowed(at(2026, 10, 24, 22, 0), london), at(2026, 10, 25, 8, 0));
        // Outside quiet hours nothing waits.
        assert_eq!(next_allowed(at(2026, 10, 24, 12, 0), london), at(2026, 10, 24, 12, 0));
    }

    #[test]
    fn the_check_in_reminder_comes_on_sunday_unless_done() {
        let practising = ClientFacts { practising: true, ..client(Tz::UTC) };
        // Sunday 29 November 2026, 10:30.
        let sunday = at(2026, 11, 29, 10, 30);
        let week = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(plan(sunday, &[practising.clone()], &[], &[]), [Planned::CheckIn { partner_id: 7, week }]);
        assert!(plan(at(2026, 11, 28, 10, 30), &[practising.clone()], &[], &[]).is_empty(), "Saturday");
        let done = ClientFacts { checked_in_weeks: vec![week], ..practising };
        assert!(plan(sunday, &[done], &[], &[]).is_empty());
    }

    #[test]
    fn the_daily_digest_is_keyed_by_local_date() {
        let digest =
            DigestFacts { therapist_id: 2, zone: "America/New_York".parse().unwrap(), new_submissions: 3 };
        // 13:00 UTC is 08:00 in New York on 25 November.
        let planned = plan(at(2026, 11, 25, 13, 0), &[], &[], &[digest.clone()]);
        assert_eq!(planned[0].key(), "digest:2:2026-11-25");
        assert!(plan(at(2026, 11, 25, 12, 59), &[], &[], &[digest]).is_empty(), "07:59 in New York");
    }
}
