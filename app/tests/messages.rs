//! Service tests for follow-up emails and proposed consultation times — on SQLite and
//! PostgreSQL.

mod support;

use app::{
    domain::homework::Recipients,
    error::AppError,
    services::{case_page::case_page, messages},
};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use support::fixtures::*;

fn follow_up(body: &str, send_at: Option<DateTime<Utc>>, times: Vec<DateTime<Utc>>) -> messages::FollowUp {
    messages::FollowUp {
        recipients: Recipients::Both,
        subject: "Checking in, {first_name}".into(),
        body: body.into(),
        progress_summary: "You have completed 1 of 5 steps.".into(),
        send_at,
        times,
    }
}
async fn follow_ups_are_checked_rendered_and_scheduled(db: &DatabaseConnection) {
    let c = couple(db, "follow").await;
    let later = t0() + chrono::Duration::hours(2);
    let unknown =
        messages::send_follow_up(db, c.therapist, c.case_id, follow_up("Hi {firstname}", None, vec![]), t0())
            .await;
    assert!(unknown.unwrap_err().message_for("body").unwrap().contains("{firstname}"));
    let empty =
        messages::send_follow_up(db, c.therapist, c.case_id, follow_up("  ", None, vec![]), t0()).await;
    assert!(empty.unwrap_err().message_for("body").is_some());
    let past = messages::send_follow_up(
        db,
        c.therapist,
        c.case_id,
        follow_up("Hi", Some(t0() - chrono::Duration::hours(1)), vec![]),
        t0(),
    )
    .await;
    assert!(past.unwrap_err().message_for("send_at").is_some());
    let four =
        messages::send_follow_up(db, c.therapist, c.case_id, follow_up("Hi", None, vec![later; 4]), t0())
            .await;
    assert!(four.unwrap_err().message_for("times").is_some());
    let other = couple(db, "follow-other").await;
    let foreign =
        messages::send_follow_up(db, other.therapist, c.case_id, follow_up("Hi", None, vec![]), t0()).await;
    assert_eq!(foreign.unwrap_err(), AppError::NotFound);
    assert!(emails_of(db, c.case_id, "follow_up").await.is_empty(), "nothing is sent when refused");

    let body = "Hello {first_name}. {progress_summary} Book: {booking_link}";
    let sent =
        messages::send_follow_up(db, c.therapist, c.case_id, follow_up(body, Some(later), vec![]), t0())
            .await
            .unwrap();
    assert_eq!(sent, 2);
    let emails = emails_of(db, c.case_id, "follow_up").await;
    assert_eq!(emails.len(), 2);
    assert_eq!(emails[0].subject, "Checking in, Alex");
    assert!(emails[0].text_body.starts_with("Hello Alex. You have completed 1 of 5 steps."));
    assert!(emails[1].text_body.starts_with("Hello Sam."));
    assert!(emails.iter().all(|e| e.next_attempt_at == later), "scheduled, and stored so a restart keeps it");
}
async fn consultation_links_are_single_use(db: &DatabaseConnection) {
    let c = couple(db, "consult").await;
    let (first, second) = (t0() + chrono::Duration::days(2), t0() + chrono::Duration::days(3));
    messages::send_follow_up(
        db,
        c.therapist,
        c.case_id,
        follow_up("Hi {first_name}", None, vec![first, second]),
        t0(),
    )
    .await
    .unwrap();
    let emails = emails_of(db, c.case_id, "follow_up").await;
    let links = |text: &str| -> Vec<String> {
        text.lines().filter_map(|line| line.split("/consult/").nth(1)).map(str::to_owned).collect()
    };
    let alex_links = links(&emails[0].text_body);
    let sam_links = links(&emails[1].text_body);
    assert_eq!((alex_links.len(), sam_links.len()), (2, 2), "one link per time");
    assert!(emails[0].text_body.contains("{link}/consult/"), "the address is filled in when sent");

    assert_eq!(
        messages::slot_link(db, &alex_links[0], t0()).await.unwrap().state,
        messages::SlotLinkState::Open
    );
    let tampered = format!("{}x", alex_links[0]);
    assert_eq!(messages::slot_link(db, &tampered, t0()).await.unwrap_err(), AppError::NotFound);
    assert_eq!(messages::choose_slot(db, "not-a-link", t0()).await.unwrap_err(), AppError::NotFound);
    let expired = messages::choose_slot(db, &alex_links[0], first + chrono::Duration::minutes(1)).await;
    assert!(expired.unwrap_err().to_string().contains("passed"));

    assert_eq!(messages::choose_slot(db, &alex_links[0], t0()).await.unwrap(), first);
    let twice = messages::choose_slot(db, &alex_links[0], t0()).await.unwrap_err();
    assert!(twice.to_string().contains("already been used"));
    assert_eq!(
        messages::slot_link(db, &sam_links[1], t0()).await.unwrap().state,
        messages::SlotLinkState::Taken
    );
    assert!(messages::choose_slot(db, &sam_links[1], t0()).await.is_err(), "one choice per proposal");

    let calendars = emails_of(db, c.case_id, "calendar").await;
    assert_eq!(calendars.len(), 2, "both partners get the invitation");
    assert!(calendars.iter().all(|e| e.calendar.as_deref().is_some_and(|ics| ics.contains("BEGIN:VEVENT"))));
    let told = emails_of(db, c.case_id, "notification").await;
    assert!(told.iter().any(|e| e.subject == "A consultation time was chosen"));
    let defaults = case_page(db, c.therapist, c.case_id, t0()).await.map(|page| page.compose).unwrap();
    assert_eq!(defaults.slots.iter().filter(|s| s.chosen_at.is_some()).count(), 1);
}

on_both_databases!(follow_ups_are_checked_rendered_and_scheduled, consultation_links_are_single_use,);
