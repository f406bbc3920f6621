//! Service tests for follow-up emails and proposed consultation times — on SQLite and
//! PostgreSQL.

use crate::support;

use app::{
    domain::homework::Recipients,
    error::AppError,
    services::{case_page::case_messages, messages},
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
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
    // What an inbox shows stays neutral: the subject, and the start of the message.
    let telling = messages::FollowUp { subject: "About our session".into(), ..follow_up("Hi", None, vec![]) };
    let refused = messages::send_follow_up(db, c.therapist, c.case_id, telling, t0()).await.unwrap_err();
    assert!(refused.message_for("subject").unwrap().contains("“session”"));
    let start = follow_up("Hello {first_name},\n\nHow did the homework go?", None, vec![]);
    let refused = messages::send_follow_up(db, c.therapist, c.case_id, start, t0()).await.unwrap_err();
    assert!(refused.message_for("body").unwrap().contains("“homework”"));
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
    assert!(links(&emails[0].text_body).iter().all(|l| l.starts_with("{consult:")), "no secret is stored");
    // The mail worker mints the links as it sends each email.
    let alex_links = links(&messages::mint_consultation_links(db, &emails[0]).await.unwrap().0);
    let sam_links = links(&messages::mint_consultation_links(db, &emails[1]).await.unwrap().0);
    assert_eq!((alex_links.len(), sam_links.len()), (2, 2), "one link per time");
    assert!(emails[0].text_body.contains("{link}/consult/"), "the address is filled in when sent");
    let stolen = messages::mint_consultation_links(
        db,
        &app::entities::outbox_emails::Model { partner_id: emails[1].partner_id, ..emails[0].clone() },
    )
    .await
    .unwrap()
    .0;
    assert!(links(&stolen).iter().all(|l| l.ends_with("-gone")), "another partner's email mints nothing");

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
    let defaults = case_messages(db, c.therapist, c.case_id, t0()).await.map(|page| page.compose).unwrap();
    assert_eq!(defaults.slots.iter().filter(|s| s.chosen_at.is_some()).count(), 1);
}

async fn a_one_partner_consultation_reaches_only_that_partner(db: &DatabaseConnection) {
    let c = couple(db, "one-partner").await;
    let first = t0() + chrono::Duration::days(2);
    let to_alex = messages::FollowUp {
        recipients: Recipients::PartnerA,
        ..follow_up("Hi {first_name}", None, vec![first])
    };
    assert_eq!(messages::send_follow_up(db, c.therapist, c.case_id, to_alex, t0()).await.unwrap(), 1);
    let offered = emails_of(db, c.case_id, "follow_up").await;
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].to_name, "Alex");
    let text = messages::mint_consultation_links(db, &offered[0]).await.unwrap().0;
    let link = text.lines().find_map(|line| line.split("/consult/").nth(1)).unwrap().to_owned();

    assert_eq!(messages::choose_slot(db, &link, t0()).await.unwrap(), first);
    let calendars = emails_of(db, c.case_id, "calendar").await;
    assert_eq!(calendars.len(), 1, "only the partner the time was offered to gets the invitation");
    assert_eq!(calendars[0].to_name, "Alex");
    assert!(calendars[0].calendar.as_deref().is_some_and(|ics| ics.contains("BEGIN:VEVENT")));
    let sam = app::services::access::partners_of(db, c.case_id).await.unwrap()[1].clone();
    let to_sam = app::entities::outbox_emails::Entity::find()
        .filter(app::entities::outbox_emails::Column::CaseId.eq(c.case_id))
        .filter(app::entities::outbox_emails::Column::PartnerId.eq(sam.id))
        .all(db)
        .await
        .unwrap();
    assert!(
        to_sam.iter().all(|e| e.kind == app::domain::outbox::EmailKind::Invitation),
        "Sam hears nothing of a consultation offered to Alex alone"
    );
    assert!(to_sam.iter().all(|e| e.to_address != sam.email || e.calendar.is_none()));
    let told = emails_of(db, c.case_id, "notification").await;
    assert!(told.iter().any(|e| e.subject == "A consultation time was chosen"), "the therapist is told");
}

/// Words that tell whoever glances at an inbox that someone is in treatment.
const TREATMENT_WORDS: &[&str] =
    &["therap", "homework", "session", "consult", "counsel", "clinic", "treatment", "exercise", "psych"];

/// The treatment word in `text`, if any.
fn treatment_word(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    TREATMENT_WORDS.iter().copied().find(|word| lower.contains(word))
}

async fn what_an_inbox_shows_of_client_emails_is_neutral(db: &DatabaseConnection) {
    use app::{
        domain::follow_up::BUILT_IN,
        services::{
            homework::{self, SaveIntent},
            reminders,
        },
    };
    use chrono::TimeZone;
    let c = couple(db, "neutral").await;
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
    reminders::run_due(db, morning).await.unwrap();
    let next_day = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
    reminders::run_due(db, next_day).await.unwrap();
    let step1 = steps(db, c.case_id).await[0].id;
    homework::save_answers(db, c.a, step1, 0, &step1_for_alex(), SaveIntent::Submit, next_day).await.unwrap();
    let review = homework::review_sheet(db, c.therapist, step1, next_day).await.unwrap();
    let response = review.partners[0].1.clone().unwrap().id;
    homework::comment(db, c.therapist, response, None, "Lovely", next_day).await.unwrap();
    homework::share(db, c.a, step1, next_day).await.unwrap();
    let (_, subject, body) = BUILT_IN;
    let built_in = messages::FollowUp {
        subject: subject.into(),
        ..follow_up(body, None, vec![next_day + chrono::Duration::days(2)])
    };
    messages::send_follow_up(db, c.therapist, c.case_id, built_in, next_day).await.unwrap();
    let offered = emails_of(db, c.case_id, "follow_up").await;
    let text = messages::mint_consultation_links(db, &offered[0]).await.unwrap().0;
    let link = text.lines().find_map(|line| line.split("/consult/").nth(1)).unwrap().to_owned();
    messages::choose_slot(db, &link, next_day).await.unwrap();

    let to_clients: Vec<_> = app::entities::outbox_emails::Entity::find()
        .filter(app::entities::outbox_emails::Column::CaseId.eq(c.case_id))
        .filter(app::entities::outbox_emails::Column::ToAddress.ne("t.neutral@example.org"))
        .all(db)
        .await
        .unwrap();
    let mut kinds: Vec<String> = to_clients.iter().map(|e| e.kind.as_str().to_owned()).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds.len(), 5, "invitation, notification, reminder, follow-up and calendar: {kinds:?}");
    for email in &to_clients {
        let first_line = email.text_body.lines().find(|line| !line.trim().is_empty()).unwrap_or("");
        // What an inbox lists under the subject: the start of the text, lines run together.
        let preview: String =
            email.text_body.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(140).collect();
        for (part, text) in
            [("subject", &email.subject[..]), ("first line", first_line), ("preview", &preview)]
        {
            assert_eq!(treatment_word(text), None, "{} email's {part}: {text:?}", email.kind.as_str());
        }
    }
}

on_both_databases!(
    what_an_inbox_shows_of_client_emails_is_neutral,
    follow_ups_are_checked_rendered_and_scheduled,
    consultation_links_are_single_use,
    a_one_partner_consultation_reaches_only_that_partner,
);
