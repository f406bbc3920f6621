//! The reminder planner: decides from plain facts which automatic emails are due now.
//! Pure (the clock and the facts are inputs), so it is tested at any time and in any zone.

use crate::{
    domain::measure::Schedule,
    services::clock::{in_quiet_hours, week_start},
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Tz;

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
    /// The date the therapist set to revisit the couple's pact (a check-in that day).
    pub pact_revisit_on: Option<NaiveDate>,
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

/// A scheduled measure for one recipient: its schedule and the due dates they answered.
#[derive(Debug, Clone)]
pub struct MeasureFacts {
    /// The schedule.
    pub schedule_id: i32,
    /// The recipient.
    pub partner_id: i32,
    /// When it falls due.
    pub schedule: Schedule,
    /// The due dates they answered.
    pub answered: Vec<NaiveDate>,
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
    /// A scheduled measure fell due (once per due date).
    MeasureDue {
        /// The schedule.
        schedule_id: i32,
        /// The recipient.
        partner_id: i32,
        /// The due date.
        due_on: NaiveDate,
    },
    /// The check-in on the day the therapist set to revisit the pact.
    PactRevisit {
        /// The recipient.
        partner_id: i32,
        /// The revisit date.
        on: NaiveDate,
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
            Planned::PactRevisit { partner_id, on } => format!("pact_revisit:{partner_id}:{on}"),
            Planned::Digest { therapist_id, date, .. } => format!("digest:{therapist_id}:{date}"),
            Planned::MeasureDue { schedule_id, partner_id, due_on } => {
                format!("measure:{schedule_id}:{partner_id}:{due_on}")
            }
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
        let week = week_start(today);
        if client.practising
            && local.weekday() == Weekday::Sun
            && local.hour() >= 10
            && !client.checked_in_weeks.contains(&week)
        {
            planned.push(Planned::CheckIn { partner_id: client.partner_id, week });
        }
        if client.pact_revisit_on == Some(today) {
            planned.push(Planned::PactRevisit { partner_id: client.partner_id, on: today });
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

/// Decides which scheduled measures to remind of at `now`: on each due date (in the
/// client's time zone, outside quiet hours) that the recipient has not answered yet; the
/// key names the due date, so each one is reminded of once.
pub fn plan_measures(now: DateTime<Utc>, clients: &[ClientFacts], measures: &[MeasureFacts]) -> Vec<Planned> {
    let mut planned = Vec::new();
    for client in clients.iter().filter(|c| c.reminders && !in_quiet_hours(now, c.zone)) {
        let today = now.with_timezone(&client.zone).date_naive();
        for item in measures.iter().filter(|m| m.partner_id == client.partner_id) {
            if let Some(due_on) = item.schedule.due_on(today).filter(|due| !item.answered.contains(due)) {
                planned.push(Planned::MeasureDue {
                    schedule_id: item.schedule_id,
                    partner_id: item.partner_id,
                    due_on,
                });
            }
        }
    }
    planned
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn client(zone: Tz) -> ClientFacts {
        ClientFacts {
            partner_id: 7,
            zone,
            reminders: true,
            practising: false,
            checked_in_weeks: vec![],
            pact_revisit_on: None,
        }
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
    fn the_check_in_reminder_comes_on_sunday_unless_done() {
        let practising = ClientFacts { practising: true, ..client(Tz::UTC) };
        // Sunday 29 November 2026, 10:30.
        let sunday = at(2026, 11, 29, 10, 30);
        let week = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(
            plan(sunday, std::slice::from_ref(&practising), &[], &[]),
            [Planned::CheckIn { partner_id: 7, week }]
        );
        assert!(
            plan(at(2026, 11, 28, 10, 30), std::slice::from_ref(&practising), &[], &[]).is_empty(),
            "Saturday"
        );
        let done = ClientFacts { checked_in_weeks: vec![week], ..practising };
        assert!(plan(sunday, &[done], &[], &[]).is_empty());
    }

    #[test]
    fn a_measure_is_reminded_once_per_due_date() {
        use crate::domain::measure::EveryWeeks;
        let clients = [client(Tz::UTC)];
        let start = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let every = |weeks: &str| MeasureFacts {
            schedule_id: 4,
            partner_id: 7,
            schedule: Schedule { starts_on: start, every: EveryWeeks::parse(weeks).ok() },
            answered: vec![],
        };
        let keys = |facts: &MeasureFacts| -> Vec<String> {
            (1..=31)
                .flat_map(|day| {
                    plan_measures(at(2026, 12, day, 12, 0), &clients, std::slice::from_ref(facts))
                })
                .map(|p| p.key())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        assert_eq!(
            keys(&every("2")),
            ["measure:4:7:2026-12-02", "measure:4:7:2026-12-16", "measure:4:7:2026-12-30"]
        );
        assert_eq!(keys(&every("once")), ["measure:4:7:2026-12-02"]);
        let answered = MeasureFacts { answered: vec![start], ..every("2") };
        assert!(plan_measures(at(2026, 12, 3, 12, 0), &clients, &[answered]).is_empty());
        assert!(plan_measures(at(2026, 12, 2, 22, 0), &clients, &[every("2")]).is_empty(), "quiet hours");
        assert!(plan_measures(at(2026, 12, 1, 12, 0), &clients, &[every("2")]).is_empty(), "not yet");
    }

    #[test]
    fn the_pact_revisit_check_in_comes_on_its_day_outside_quiet_hours() {
        let on = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let revisiting = ClientFacts { pact_revisit_on: Some(on), ..client(Tz::UTC) };
        let clients = std::slice::from_ref(&revisiting);
        assert_eq!(
            plan(at(2026, 12, 3, 8, 0), clients, &[], &[]),
            [Planned::PactRevisit { partner_id: 7, on }]
        );
        assert_eq!(plan(at(2026, 12, 3, 8, 0), clients, &[], &[])[0].key(), "pact_revisit:7:2026-12-03");
        assert!(plan(at(2026, 12, 3, 7, 0), clients, &[], &[]).is_empty(), "quiet hours");
        assert!(plan(at(2026, 12, 2, 12, 0), clients, &[], &[]).is_empty(), "the day before");
        assert!(plan(at(2026, 12, 4, 12, 0), clients, &[], &[]).is_empty(), "the day after");
        // In the client's zone: 3 December 02:00 in Auckland is still 2 December UTC.
        let auckland = ClientFacts { zone: "Pacific/Auckland".parse().unwrap(), ..revisiting.clone() };
        assert_eq!(plan(at(2026, 12, 2, 20, 0), &[auckland], &[], &[]).len(), 1);
        let off = ClientFacts { reminders: false, ..revisiting };
        assert!(plan(at(2026, 12, 3, 12, 0), &[off], &[], &[]).is_empty(), "reminders off");
    }

    #[test]
    fn the_daily_digest_is_keyed_by_local_date() {
        let digest =
            DigestFacts { therapist_id: 2, zone: "America/New_York".parse().unwrap(), new_submissions: 3 };
        // 13:00 UTC is 08:00 in New York on 25 November.
        let planned = plan(at(2026, 11, 25, 13, 0), &[], &[], std::slice::from_ref(&digest));
        assert_eq!(planned[0].key(), "digest:2:2026-11-25");
        assert!(plan(at(2026, 11, 25, 12, 59), &[], &[], &[digest]).is_empty(), "07:59 in New York");
    }
}
