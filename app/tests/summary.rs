//! Service tests for the session summary (`services/summary.rs`): what is new since the
//! last recorded session (all time before the first), urgent private notes first, step
//! status, wishes, check-ins, the pact and the last session's note, and that only the
//! case's therapist reads it (audited) — on SQLite and PostgreSQL.

use crate::support;

use app::{
    domain::{
        exchange::WishAction,
        therapy_session::{Attendance, SessionMinutes, SessionNote},
    },
    entities::{audit_entries, wishes},
    error::AppError,
    services::{
        exchange::{self, ActionDetails, CheckInForm},
        homework, summary,
        therapy_sessions::{self, HeldSession, SessionTime},
    },
};
use chrono::{Datelike, Duration, NaiveDate};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use support::fixtures::*;

fn check_in(week_start: NaiveDate, emotional: i16, physical: i16) -> CheckInForm {
    CheckInForm {
        week_start,
        my_part: "done".into(),
        noticed: "partly".into(),
        emotional,
        physical,
        note: String::new(),
    }
}

async fn the_summary_shows_what_is_new_since_the_last_session(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "summary").await;
    // Before any session: everything counts, and there is no last note.
    let first = summary::summary(db, c.therapist, c.case_id, t0()).await.unwrap();
    assert!(first.since.is_none() && first.last_session.is_none());
    let names: Vec<&str> = first.activity.iter().map(|a| a.partner.first_name.as_str()).collect();
    assert_eq!(names, vec!["Alex", "Sam"]);
    assert!(first.activity.iter().all(|a| a.submitted.len() == 1), "each submitted step 1");

    let session_at = t0() + Duration::hours(1);
    let now = t0() + Duration::days(1);
    therapy_sessions::record(
        db,
        c.therapist,
        c.case_id,
        HeldSession {
            time: SessionTime {
                starts_at: session_at,
                minutes: SessionMinutes::parse("50").unwrap(),
                attendance: Attendance::Both,
            },
            note: SessionNote::Free("LAST-NOTE talk about evenings".into()),
            topics: vec![],
        },
        now,
    )
    .await
    .unwrap();
    // After the session: both share step 1, Sam declines one of Alex's wishes, each writes
    // a private note (Sam's urgent) and both check in.
    let step1 = steps(db, c.case_id).await[0].id;
    homework::share(db, c.a, step1, now).await.unwrap();
    homework::share(db, c.b, step1, now).await.unwrap();
    open_exchange(db, &c).await;
    let wish = wishes::Entity::find()
        .filter(wishes::Column::CaseId.eq(c.case_id))
        .filter(wishes::Column::AddresseeId.ne(0))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.text == "Ask about my day")
        .unwrap();
    exchange::act_on_wish(
        db,
        c.b,
        wish.id,
        wish.version,
        WishAction::NotNow,
        ActionDetails { offer: String::new(), ease: None },
        now,
    )
    .await
    .unwrap();
    exchange::send_private_note(db, c.a, "Alex's calm note", false, now).await.unwrap();
    exchange::send_private_note(db, c.b, "Sam's urgent note", true, now + Duration::minutes(1))
        .await
        .unwrap();
    let monday = now.date_naive() - Duration::days(i64::from(now.weekday().num_days_from_monday()));
    exchange::save_check_in(db, c.a, check_in(monday, 7, 5), now).await.unwrap();
    exchange::save_check_in(db, c.b, check_in(monday, 3, 4), now).await.unwrap();

    let found = summary::summary(db, c.therapist, c.case_id, now).await.unwrap();
    assert_eq!(found.since, Some(session_at));
    let (alex, sam) = (&found.activity[0], &found.activity[1]);
    assert!(alex.submitted.is_empty() && sam.submitted.is_empty(), "step 1 was submitted before the session");
    assert_eq!(alex.shared.len(), 1);
    assert_eq!(sam.shared.len(), 1);
    assert_eq!(sam.declined.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), vec!["Ask about my day"]);
    assert!(alex.declined.is_empty());
    let notes: Vec<(&str, bool)> =
        found.notes.iter().map(|t| (t.note.body.as_str(), t.note.urgent)).collect();
    assert_eq!(notes, vec![("Sam's urgent note", true), ("Alex's calm note", false)], "urgent first");
    assert!(found.notes.iter().all(|t| t.note.read_at.is_none()), "reading the summary opens no note");
    assert_eq!(found.practice.check_ins.len(), 2);
    assert!(!found.board.wishes.is_empty());
    assert!(found.homework.assignments.iter().any(|(a, _, _)| a.step_number == Some(1)));
    assert_eq!(found.pact.entries.len(), 2);
    assert_eq!(found.last_session.unwrap().session.note, "LAST-NOTE talk about evenings");
    let viewed = audit_entries::Entity::find()
        .filter(audit_entries::Column::Action.eq("case.summary_viewed"))
        .all(db)
        .await
        .unwrap();
    assert_eq!(viewed.len(), 2);
    assert!(viewed.iter().all(|e| e.case_id == Some(c.case_id)));
}

async fn only_the_cases_therapist_reads_the_summary(db: &DatabaseConnection) {
    let c = couple(db, "summary-access").await;
    let other = therapist(db, "t.summary-other@example.org").await;
    assert!(matches!(summary::summary(db, other, c.case_id, t0()).await.unwrap_err(), AppError::NotFound));
    for client in [c.a, c.b] {
        assert!(matches!(
            summary::summary(db, client, c.case_id, t0()).await.unwrap_err(),
            AppError::Forbidden
        ));
    }
    assert!(summary::summary(db, c.therapist, c.case_id, t0()).await.is_ok());
}

on_both_databases!(
    the_summary_shows_what_is_new_since_the_last_session,
    only_the_cases_therapist_reads_the_summary
);
