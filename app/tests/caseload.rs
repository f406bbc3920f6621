//! Service tests for the caseload read model: review counts, programme steps, overdue
//! work and unread notes — on SQLite and PostgreSQL.

mod support;

use app::services::{
    caseload,
    homework::{self, SaveIntent},
    settings,
};
use chrono::{TimeZone, Utc};
use sea_orm::DatabaseConnection;
use support::fixtures::*;

async fn the_caseload_counts_reviews_steps_and_overdue_work(db: &DatabaseConnection) {
    use app::services::caseload::{CaseloadQuery, CaseloadSort};
    let c = couple(db, "counts").await;
    let due = t0().date_naive() - chrono::Duration::days(1);
    homework::assign_programme(db, c.therapist, c.case_id, Some(due), "", true, t0()).await.unwrap();
    let step1 = steps(db, c.case_id).await[0].id;
    let query = CaseloadQuery {
        search: String::new(),
        status: None,
        sort: CaseloadSort::RecentlyUpdated,
        page: 1,
        per_page: 20,
    };
    let row = |page: app::services::caseload::CaseloadPage| {
        page.rows.into_iter().find(|r| r.case.id == c.case_id).unwrap()
    };
    let before = row(caseload::caseload(db, c.therapist, &query, t0()).await.unwrap()).homework;
    assert_eq!((before.waiting_for_review, before.current_step, before.overdue), (0, Some(1), 1));
    homework::save_answers(db, c.a, step1, 0, &step1_for_alex(), SaveIntent::Submit, t0()).await.unwrap();
    let one = row(caseload::caseload(db, c.therapist, &query, t0()).await.unwrap()).homework;
    assert_eq!((one.waiting_for_review, one.current_step, one.overdue), (1, Some(1), 1), "Sam is still due");
    homework::save_answers(db, c.b, step1, 0, &step1_for_sam(), SaveIntent::Submit, t0()).await.unwrap();
    let both = row(caseload::caseload(db, c.therapist, &query, t0()).await.unwrap()).homework;
    assert_eq!((both.waiting_for_review, both.current_step, both.overdue), (2, Some(2), 0));

    // "Overdue" follows the therapist's time zone: at 02:00 UTC it is still yesterday in
    // Los Angeles, so work due yesterday (UTC) is not late there yet.
    let zoned = couple(db, "zone").await;
    let due = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    homework::assign_programme(db, zoned.therapist, zoned.case_id, Some(due), "", true, t0()).await.unwrap();
    let night = Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).unwrap();
    let overdue = |page: app::services::caseload::CaseloadPage| {
        page.rows.into_iter().find(|r| r.case.id == zoned.case_id).unwrap().homework.overdue
    };
    assert_eq!(overdue(caseload::caseload(db, zoned.therapist, &query, night).await.unwrap()), 1);
    let refused = settings::set_time_zone(db, zoned.therapist, "Mars/Olympus", t0()).await.unwrap_err();
    assert!(refused.message_for("time_zone").is_some());
    settings::set_time_zone(db, zoned.therapist, "America/Los_Angeles", t0()).await.unwrap();
    assert_eq!(overdue(caseload::caseload(db, zoned.therapist, &query, night).await.unwrap()), 0);
}

on_both_databases!(the_caseload_counts_reviews_steps_and_overdue_work,);
