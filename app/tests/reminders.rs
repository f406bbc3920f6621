//! Service tests for automatic emails: clients' and therapists' choices, quiet hours, and
//! running the planner more than once — on SQLite and PostgreSQL.

use crate::support;

use app::services::{
    homework::{self, SaveIntent},
    settings,
};
use chrono::{TimeZone, Utc};
use sea_orm::DatabaseConnection;
use support::fixtures::*;

async fn reminders_respect_choices_quiet_hours_and_run_once(db: &DatabaseConnection) {
    use app::services::reminders;
    let c = couple(db, "remind").await;
    // Sam turns reminders off; Alex keeps them.
    settings::set_reminders(db, c.b, false, t0()).await.unwrap();
    let morning = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let tomorrow = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    homework::assign_programme(
        db,
        c.therapist,
        c.case_id,
        homework::ProgrammeChoice::whole(Some(tomorrow), ""),
        morning,
    )
    .await
    .unwrap();
    let to = |emails: &[app::entities::outbox_emails::Model], name: &str| {
        emails.iter().filter(|e| e.to_name == name).count()
    };
    let assigned = emails_of(db, c.case_id, "notification").await;
    assert_eq!((to(&assigned, "Alex"), to(&assigned, "Sam")), (1, 0), "new homework, told to Alex only");

    assert_eq!(reminders::run_due(db, morning).await.unwrap(), 1, "due tomorrow, Alex only");
    assert_eq!(
        reminders::run_due(db, morning).await.unwrap(),
        0,
        "a second run (a restart) sends nothing twice"
    );
    let due = emails_of(db, c.case_id, "reminder").await;
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].to_name, "Alex");
    assert_eq!(due[0].subject, "Something new in Babysteps", "an inbox learns nothing more");
    assert!(due[0].text_body.contains("Something in Babysteps is due tomorrow."));
    // Overdue: not in quiet hours, then once, then not again within the week.
    let late_night = Utc.with_ymd_and_hms(2026, 11, 26, 22, 0, 0).unwrap();
    assert_eq!(reminders::run_due(db, late_night).await.unwrap(), 0, "quiet hours");
    let next_day = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
    assert_eq!(reminders::run_due(db, next_day).await.unwrap(), 1);
    assert_eq!(
        reminders::run_due(db, next_day + chrono::Duration::days(3)).await.unwrap(),
        0,
        "at most weekly"
    );
    assert_eq!(reminders::run_due(db, next_day + chrono::Duration::days(7)).await.unwrap(), 1);

    // A comment written at night reaches Alex at 08:00.
    let step1 = steps(db, c.case_id).await[0].id;
    homework::save_answers(db, c.a, step1, 0, &step1_for_alex(), SaveIntent::Submit, morning).await.unwrap();
    let submitted = emails_of(db, c.case_id, "notification").await;
    assert!(
        submitted.iter().any(|e| e.subject == "A client submitted homework"),
        "the therapist is told at once"
    );
    let review = homework::review_sheet(db, c.therapist, step1, morning).await.unwrap();
    let response = review.partners[0].1.clone().unwrap().id;
    let night = Utc.with_ymd_and_hms(2026, 11, 27, 23, 30, 0).unwrap();
    homework::comment(db, c.therapist, response, None, "Lovely", night).await.unwrap();
    let comment_email = emails_of(db, c.case_id, "notification").await.into_iter().last().unwrap();
    assert_eq!(comment_email.subject, "Something new in Babysteps");
    assert!(comment_email.text_body.contains("There is a new comment for you in Babysteps."));
    assert_eq!(comment_email.next_attempt_at, Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap());
}

on_both_databases!(reminders_respect_choices_quiet_hours_and_run_once,);

/// More active cases than one planner batch (a paused one among them): every active couple
/// is planned once, also when two servers run the planner at the same moment.
async fn the_planner_walks_every_batch_once(db: &DatabaseConnection) {
    use app::{domain::case::CaseStatus, services::cases, services::reminders};
    let morning = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let tomorrow = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let mut case_ids = Vec::new();
    for n in 0..5 {
        let c = couple(db, &format!("batch{n}")).await;
        homework::assign_programme(
            db,
            c.therapist,
            c.case_id,
            homework::ProgrammeChoice::whole(Some(tomorrow), ""),
            morning,
        )
        .await
        .unwrap();
        if n == 2 {
            cases::set_status(db, c.therapist, c.case_id, CaseStatus::Paused, morning).await.unwrap();
        }
        case_ids.push(c.case_id);
    }
    let (first, second) = tokio::join!(
        reminders::run_due_in_batches(db, morning, 2),
        reminders::run_due_in_batches(db, morning, 2)
    );
    assert_eq!(first.unwrap() + second.unwrap(), 8, "both partners of the four active couples, once");
    for (n, case_id) in case_ids.iter().enumerate() {
        let expected = if n == 2 { 0 } else { 2 };
        assert_eq!(emails_of(db, *case_id, "reminder").await.len(), expected, "couple {n}");
    }
    assert_eq!(reminders::run_due_in_batches(db, morning, 1).await.unwrap(), 0, "nothing twice");
}

on_both_databases!(the_planner_walks_every_batch_once,);
