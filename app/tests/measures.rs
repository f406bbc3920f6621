//! Service tests for scored measures — on SQLite and PostgreSQL: scoring with reversed items
//! and bands (sum and mean), the schedule and its reminders with a fixed clock, versions
//! (answers keep theirs), and who may read and answer what.

use crate::support;

use app::{
    domain::{
        homework::Recipients,
        measure::{EveryWeeks, MeasureText, Schedule, Score},
    },
    entities::{audit_entries, reminder_log},
    error::AppError,
    services::{
        case_page, cases,
        measures::{self, ClientMeasure, NewSchedule},
        reminders, summary, Actor,
    },
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use support::fixtures::*;

fn text(scoring: &str, bands: &str) -> MeasureText {
    MeasureText {
        title: "Our week".into(),
        instructions: "Think of the last week.".into(),
        options: "0 = Never\n1 = Sometimes\n2 = Often\n3 = Always".into(),
        items: "We talk\n(R) We argue\nWe laugh".into(),
        scoring: scoring.into(),
        bands: bands.into(),
    }
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// Noon UTC on a day (09:00 UTC is the fixtures' clock; the therapist's zone is UTC).
fn noon(m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, 12, 0, 0).unwrap()
}

async fn answer(
    db: &DatabaseConnection,
    client: Actor,
    schedule: i32,
    chosen: &[&str],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    measures::answer(db, client, schedule, |i| chosen.get(i).copied(), now).await
}

/// The questionnaires a client's home lists.
async fn my_measures(db: &DatabaseConnection, client: Actor, now: DateTime<Utc>) -> Vec<ClientMeasure> {
    cases::client_home_page(db, client, now).await.unwrap().measures
}

/// The measures part of the case page's homework tab.
async fn case_measures(
    db: &DatabaseConnection,
    actor: Actor,
    case_id: i32,
    now: DateTime<Utc>,
) -> Result<measures::CaseMeasures, AppError> {
    case_page::case_homework_tab(db, actor, case_id, now).await.map(|tab| tab.measures)
}

async fn plan(
    db: &DatabaseConnection,
    measure_id: i32,
    c: &Couple,
    recipients: Recipients,
    schedule: Schedule,
) -> i32 {
    measures::schedule(db, c.therapist, c.case_id, NewSchedule { measure_id, recipients, schedule }, t0())
        .await
        .unwrap()
}

async fn scoring_with_reversed_items_and_bands(db: &DatabaseConnection) {
    let c = couple(db, "scoring").await;
    let sum =
        measures::save(db, c.therapist, None, &text("sum", "0-4 = Apart\n5-9 = Close"), t0()).await.unwrap();
    let mean = measures::save(db, c.therapist, None, &text("mean", "0-1.49 = Apart\n1.5-3 = Close"), t0())
        .await
        .unwrap();
    let once = Schedule { starts_on: date(11, 25), every: None };
    let sum_schedule = plan(db, sum, &c, Recipients::Both, once).await;
    let mean_schedule = plan(db, mean, &c, Recipients::Both, once).await;
    // Alex: Always, Never (reversed: 3), Often = 8; Sam: Never, Always (reversed: 0), Never = 0.
    answer(db, c.a, sum_schedule, &["3", "0", "2"], t0()).await.unwrap();
    answer(db, c.b, sum_schedule, &["0", "3", "0"], t0()).await.unwrap();
    // Alex's mean: (1 + 2 + 2) / 3 = 1.67.
    answer(db, c.a, mean_schedule, &["1", "1", "2"], t0()).await.unwrap();
    let results = case_measures(db, c.therapist, c.case_id, t0()).await.unwrap();
    let totals = |schedule: i32, who: usize| {
        let found = results.schedules.iter().find(|s| s.schedule.id == schedule).unwrap();
        found.partners[who].points.iter().map(|p| (p.total, p.band.clone())).collect::<Vec<_>>()
    };
    assert_eq!(totals(sum_schedule, 0), [(Score::whole(8), Some("Close".to_owned()))]);
    assert_eq!(totals(sum_schedule, 1), [(Score::whole(0), Some("Apart".to_owned()))]);
    assert_eq!(totals(mean_schedule, 0), [(Score::from_hundredths(167), Some("Close".to_owned()))]);
    assert_eq!(totals(mean_schedule, 1), []);
    // A missing answer is refused at its item; an unknown option too.
    let missing = answer(db, c.b, mean_schedule, &["1", "", "2"], t0()).await.unwrap_err();
    assert!(missing.message_for("item_1").is_some(), "{missing:?}");
    let unknown = answer(db, c.b, mean_schedule, &["1", "2", "7"], t0()).await.unwrap_err();
    assert!(unknown.message_for("item_2").is_some(), "{unknown:?}");
    // Overlapping bands are refused at the field.
    let overlap =
        measures::save(db, c.therapist, None, &text("sum", "0-5 = A\n5-9 = B"), t0()).await.unwrap_err();
    assert!(overlap.message_for("bands").is_some(), "{overlap:?}");
    // The session summary: each partner's latest two totals, newest first.
    let latest = summary::summary(db, c.therapist, c.case_id, t0()).await.unwrap().measures;
    let alex_sum = latest.iter().find(|l| l.schedule_id == sum_schedule && l.first_name == "Alex").unwrap();
    assert_eq!(alex_sum.latest.iter().map(|p| p.total).collect::<Vec<_>>(), [Score::whole(8)]);
}

async fn the_schedule_and_its_reminders_follow_the_clock(db: &DatabaseConnection) {
    let c = couple(db, "schedule").await;
    let id = measures::copy_built_in(db, c.therapist, t0()).await.unwrap();
    // Every two weeks from Wednesday 2 December, to Alex only; once on 9 December, to both.
    let fortnightly = Schedule { starts_on: date(12, 2), every: Some(EveryWeeks::parse("2").unwrap()) };
    let every_two = plan(db, id, &c, Recipients::PartnerA, fortnightly).await;
    let once = plan(db, id, &c, Recipients::Both, Schedule { starts_on: date(12, 9), every: None }).await;
    // Before the first due date nothing is open, and nothing is reminded.
    let before = my_measures(db, c.a, noon(12, 1)).await;
    assert_eq!(
        before.iter().map(|m| (m.due_on, m.next_on)).collect::<Vec<_>>(),
        [(None, Some(date(12, 2))), (None, Some(date(12, 9)))]
    );
    assert!(answer(db, c.a, every_two, &["0"; 6], noon(12, 1)).await.is_err(), "not open yet");
    assert_eq!(reminders::run_due(db, noon(12, 1)).await.unwrap(), 0);
    // Sam sees only the measure addressed to both.
    let sams = my_measures(db, c.b, noon(12, 2)).await;
    assert_eq!(sams.iter().map(|m| m.schedule_id).collect::<Vec<_>>(), [once]);
    assert_eq!(measures::sheet(db, c.b, every_two, noon(12, 2)).await.unwrap_err(), AppError::NotFound);
    // Each day of December at noon, then again at night: one reminder per due date.
    for day in 1..=31 {
        reminders::run_due(db, noon(12, day)).await.unwrap();
        reminders::run_due(db, noon(12, day) + Duration::minutes(5)).await.unwrap();
        if day == 16 {
            // Alex answers the 16 December one before the afternoon run.
            answer(db, c.a, every_two, &["4", "4", "0", "4", "0", "4"], noon(12, 16)).await.unwrap();
        }
    }
    let mut keys: Vec<String> = reminder_log::Entity::find()
        .filter(reminder_log::Column::IdempotencyKey.starts_with("measure:"))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.idempotency_key)
        .collect();
    keys.sort();
    let (alex, sam) = {
        let partners = app::services::access::partners_of(db, c.case_id).await.unwrap();
        (partners[0].id, partners[1].id)
    };
    let mut expected = vec![
        format!("measure:{every_two}:{alex}:2026-12-02"),
        format!("measure:{every_two}:{alex}:2026-12-16"),
        format!("measure:{every_two}:{alex}:2026-12-30"),
        format!("measure:{once}:{alex}:2026-12-09"),
        format!("measure:{once}:{sam}:2026-12-09"),
    ];
    expected.sort();
    assert_eq!(keys, expected, "every due date once, to its recipients only");
    assert_eq!(emails_of(db, c.case_id, "reminder").await.len(), 5);
    // The 16 December one counts once; a second answer is refused.
    let again = answer(db, c.a, every_two, &["0"; 6], noon(12, 17)).await.unwrap_err();
    assert!(matches!(again, AppError::Conflict { .. }), "{again:?}");
    let mine = my_measures(db, c.a, noon(12, 17)).await;
    assert!(
        mine[0].answered && mine[0].due_on == Some(date(12, 16)) && mine[0].next_on == Some(date(12, 30))
    );
    // Reversed items: all "Completely", reversed ones "Not at all": the highest total, 24.
    let results = case_measures(db, c.therapist, c.case_id, noon(12, 17)).await.unwrap();
    let alex_points =
        &results.schedules.iter().find(|s| s.schedule.id == every_two).unwrap().partners[0].points;
    assert_eq!(
        alex_points.iter().map(|p| (p.due_on, p.total)).collect::<Vec<_>>(),
        [(date(12, 16), Score::whole(24))]
    );
    assert_eq!(alex_points[0].band.as_deref(), Some("Feeling close"));
    // A stopped schedule is reminded of no more.
    measures::stop_schedule(db, c.therapist, every_two, noon(12, 31)).await.unwrap();
    assert_eq!(
        reminders::run_due(db, Utc.with_ymd_and_hms(2027, 1, 13, 12, 0, 0).unwrap()).await.unwrap(),
        0
    );
}

async fn answers_keep_their_version(db: &DatabaseConnection) {
    let c = couple(db, "versions").await;
    let id =
        measures::save(db, c.therapist, None, &text("sum", "0-4 = Apart\n5-9 = Close"), t0()).await.unwrap();
    let weekly = Schedule { starts_on: date(11, 25), every: Some(EveryWeeks::parse("1").unwrap()) };
    let schedule = plan(db, id, &c, Recipients::Both, weekly).await;
    answer(db, c.a, schedule, &["3", "0", "3"], t0()).await.unwrap();
    // The therapist edits: a fourth item, and the second is no longer reversed.
    let edited = MeasureText {
        items: "We talk\nWe argue\nWe laugh\nWe rest".into(),
        ..text("sum", "0-6 = Apart\n7-12 = Close")
    };
    assert_eq!(measures::save(db, c.therapist, Some(id), &edited, t0()).await.unwrap(), id);
    assert_eq!(measures::get(db, c.therapist, id).await.unwrap().measure.current_version, 2);
    let next_week = t0() + Duration::weeks(1);
    // The new version has four items: three answers are not enough.
    assert!(answer(db, c.a, schedule, &["3", "0", "3"], next_week)
        .await
        .unwrap_err()
        .message_for("item_3")
        .is_some());
    answer(db, c.a, schedule, &["3", "0", "3", "3"], next_week).await.unwrap();
    let results = case_measures(db, c.therapist, c.case_id, next_week).await.unwrap();
    let points = &results.schedules[0].partners[0].points;
    assert_eq!(
        points.iter().map(|p| (p.version, p.total, p.band.clone())).collect::<Vec<_>>(),
        [(1, Score::whole(9), Some("Close".to_owned())), (2, Score::whole(9), Some("Close".to_owned()))],
        "the first total kept version 1's reversed item and bands"
    );
    // The sheet shows the current version.
    assert_eq!(measures::sheet(db, c.b, schedule, next_week).await.unwrap().measure.items.len(), 4);
    // Erasing Alex's content on request takes their answers with it.
    let alex = app::services::access::partners_of(db, c.case_id).await.unwrap()[0].id;
    let scope = app::services::erasure::Scope::Partner(alex);
    let erased = app::services::erasure::erase(db, c.therapist, c.case_id, scope, next_week).await.unwrap();
    assert_eq!(erased.count("measure_answers"), 2);
    let left = case_measures(db, c.therapist, c.case_id, next_week).await.unwrap();
    assert!(left.schedules[0].partners[0].points.is_empty());
}

async fn only_the_therapist_and_the_partner_reach_answers(db: &DatabaseConnection) {
    let c = couple(db, "access").await;
    let other = couple(db, "access-other").await;
    let id = measures::copy_built_in(db, c.therapist, t0()).await.unwrap();
    // Another therapist cannot read, edit or schedule the measure, nor read the case's totals.
    assert_eq!(measures::get(db, other.therapist, id).await.unwrap_err(), AppError::NotFound);
    let copy = measures::get(db, c.therapist, id).await.unwrap().content.to_text();
    assert_eq!(
        measures::save(db, other.therapist, Some(id), &copy, t0()).await.unwrap_err(),
        AppError::NotFound
    );
    let once = Schedule { starts_on: date(11, 25), every: None };
    let new = NewSchedule { measure_id: id, recipients: Recipients::Both, schedule: once };
    assert_eq!(
        measures::schedule(db, other.therapist, c.case_id, new, t0()).await.unwrap_err(),
        AppError::NotFound
    );
    let refused = measures::schedule(db, other.therapist, other.case_id, new, t0()).await.unwrap_err();
    assert!(refused.message_for("measure_id").is_some(), "another therapist's measure: {refused:?}");
    assert_eq!(case_measures(db, other.therapist, c.case_id, t0()).await.unwrap_err(), AppError::NotFound);
    // Clients reach no therapist function.
    assert_eq!(measures::list(db, c.a).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(case_measures(db, c.a, c.case_id, t0()).await.unwrap_err(), AppError::Forbidden);
    // A client of another case, and a therapist, cannot open or answer the schedule.
    let schedule = plan(db, id, &c, Recipients::PartnerA, once).await;
    assert_eq!(measures::sheet(db, other.a, schedule, t0()).await.unwrap_err(), AppError::NotFound);
    assert_eq!(answer(db, other.a, schedule, &["0"; 6], t0()).await.unwrap_err(), AppError::NotFound);
    assert_eq!(
        answer(db, c.b, schedule, &["0"; 6], t0()).await.unwrap_err(),
        AppError::NotFound,
        "not addressed to Sam"
    );
    assert_eq!(cases::client_home_page(db, c.therapist, t0()).await.unwrap_err(), AppError::Forbidden);
    // Alex answers: audited with the case and partner, never with what was chosen.
    answer(db, c.a, schedule, &["1", "2", "3", "4", "0", "1"], t0()).await.unwrap();
    let entries = audit_entries::Entity::find()
        .filter(audit_entries::Column::CaseId.eq(c.case_id))
        .filter(audit_entries::Column::Action.starts_with("measure."))
        .all(db)
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"measure.scheduled") && actions.contains(&"measure.answered"), "{actions:?}");
    let answered = entries.iter().find(|e| e.action == "measure.answered").unwrap();
    assert!(answered.partner_id.is_some());
    case_measures(db, c.therapist, c.case_id, t0()).await.unwrap();
    let read = audit_entries::Entity::find()
        .filter(audit_entries::Column::CaseId.eq(c.case_id))
        .filter(audit_entries::Column::Action.eq("measure.results_viewed"))
        .all(db)
        .await
        .unwrap();
    assert_eq!(read.len(), 1, "the therapist's read of the totals is audited");
    // A paused case takes no new answers; a closed one refuses the client altogether.
    let both = plan(db, id, &c, Recipients::Both, once).await;
    app::services::cases::set_status(db, c.therapist, c.case_id, app::domain::case::CaseStatus::Paused, t0())
        .await
        .unwrap();
    assert!(matches!(answer(db, c.b, both, &["0"; 6], t0()).await.unwrap_err(), AppError::Conflict { .. }));
    app::services::cases::set_status(db, c.therapist, c.case_id, app::domain::case::CaseStatus::Closed, t0())
        .await
        .unwrap();
    let closed = cases::client_home_page(db, c.b, t0()).await.unwrap();
    assert!(
        closed.case.no_access.is_some() && closed.measures.is_empty(),
        "a closed case lists no questionnaire"
    );
}

on_both_databases!(
    scoring_with_reversed_items_and_bands,
    the_schedule_and_its_reminders_follow_the_clock,
    answers_keep_their_version,
    only_the_therapist_and_the_partner_reach_answers,
);
