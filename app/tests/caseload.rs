//! Service tests for the caseload read model: review counts, programme steps, overdue
//! work and unread notes — on SQLite and PostgreSQL.

use crate::support;

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
    homework::assign_programme(
        db,
        c.therapist,
        c.case_id,
        homework::ProgrammeChoice::whole(Some(due), ""),
        t0(),
    )
    .await
    .unwrap();
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
    homework::assign_programme(
        db,
        zoned.therapist,
        zoned.case_id,
        homework::ProgrammeChoice::whole(Some(due), ""),
        t0(),
    )
    .await
    .unwrap();
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

/// Item 8 of issue 13: the caseload shows each partner's closeness apart and the gap
/// between them each week, and sorts by the largest gap in the latest week both partners
/// checked in (cases without such a week last), in the database.
async fn the_caseload_shows_and_sorts_by_the_gap_between_partners(db: &DatabaseConnection) {
    use app::{
        domain::closeness::{latest_gap, Gap, Ratings},
        services::{
            caseload::{CaseloadQuery, CaseloadSort},
            exchange::{self, CheckInForm},
        },
    };
    let therapist = therapist(db, "gap@example.org").await;
    let this_week = app::services::clock::week_start(t0().date_naive());
    let last_week = this_week - chrono::Duration::weeks(1);
    let check_in = |client, week, emotional, physical| {
        let form = CheckInForm {
            week_start: week,
            my_part: "done".into(),
            noticed: "partly".into(),
            emotional,
            physical,
            note: String::new(),
        };
        exchange::save_check_in(db, client, form, t0())
    };
    let mut cases = Vec::new();
    for (tag, label) in [("quiet", "Quiet"), ("wide", "Wide"), ("narrow", "Narrow"), ("alone", "Alone")] {
        let c = couple_for(db, therapist, &format!("gap-{tag}"), label).await;
        homework::assign_programme(
            db,
            therapist,
            c.case_id,
            homework::ProgrammeChoice::whole(None, ""),
            t0(),
        )
        .await
        .unwrap();
        open_exchange(db, &c).await;
        cases.push(c);
    }
    let (wide, narrow, alone) = (&cases[1], &cases[2], &cases[3]);
    // Wide was far apart last week (8) and is close this week (1): the latest week counts.
    check_in(wide.a, last_week, 2, 9).await.unwrap();
    check_in(wide.b, last_week, 8, 1).await.unwrap();
    check_in(wide.a, this_week, 5, 5).await.unwrap();
    check_in(wide.b, this_week, 4, 6).await.unwrap();
    check_in(narrow.a, this_week, 3, 3).await.unwrap();
    check_in(narrow.b, this_week, 6, 3).await.unwrap();
    check_in(alone.a, this_week, 1, 10).await.unwrap();

    let query = |sort| CaseloadQuery { search: String::new(), status: None, sort, page: 1, per_page: 20 };
    assert_eq!(CaseloadSort::from_query("gap"), CaseloadSort::LargestGap);
    let page = caseload::caseload(db, therapist, &query(CaseloadSort::LargestGap), t0()).await.unwrap();
    let labels: Vec<&str> = page.rows.iter().map(|row| row.case.label.as_str()).collect();
    assert_eq!(&labels[..2], ["Narrow", "Wide"], "largest latest gap first");
    let mut without: Vec<&str> = labels[2..].to_vec();
    without.sort();
    assert_eq!(without, ["Alone", "Quiet"], "cases without a common week come last");

    let row = page.rows.iter().find(|row| row.case.id == wide.case_id).unwrap();
    assert_eq!(row.closeness.len(), 2, "one entry per week");
    assert_eq!(row.closeness[0].week_start, last_week);
    assert_eq!(row.closeness[0].a, Some(Ratings { emotional: 2, physical: 9 }), "partner A's own ratings");
    assert_eq!(row.closeness[0].b, Some(Ratings { emotional: 8, physical: 1 }), "partner B's own ratings");
    assert_eq!(row.closeness[0].gap(), Some(Gap { emotional: 6, physical: 8 }));
    assert_eq!(latest_gap(&row.closeness), Some(Gap { emotional: 1, physical: 1 }));
    let alone_row = page.rows.iter().find(|row| row.case.id == alone.case_id).unwrap();
    assert_eq!(alone_row.closeness[0].b, None);
    assert_eq!(latest_gap(&alone_row.closeness), None);

    // Search and filter still apply with the gap sort.
    let mut narrowed = query(CaseloadSort::LargestGap);
    narrowed.search = "wid".into();
    let found = caseload::caseload(db, therapist, &narrowed, t0()).await.unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.rows[0].case.id, wide.case_id);
}

on_both_databases!(the_caseload_shows_and_sorts_by_the_gap_between_partners,);
