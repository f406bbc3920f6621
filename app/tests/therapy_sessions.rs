//! Service tests for therapy sessions (`services/therapy_sessions.rs`): recording a session
//! with a note and what it pointed to, scheduling the next one with an `.ics` invitation to
//! each attending partner who joined, moving it (same UID, higher SEQUENCE) and cancelling
//! it (`METHOD:CANCEL`), emails carrying no note, and notes for the therapist alone — on
//! SQLite and PostgreSQL.

use crate::support;

use app::{
    domain::therapy_session::{Attendance, SessionMinutes, SessionNote, SessionStatus, TopicKind, TopicRef},
    entities::{audit_entries, outbox_emails, therapy_sessions as sessions_table},
    error::AppError,
    services::{
        case_page::{case_notes, case_together},
        cases::{self, CaseDraft, PartnerFields},
        exchange, settings,
        therapy_sessions::{self, HeldSession, SessionTime},
        Actor,
    },
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use icalendar::{Calendar, CalendarComponent, CalendarDateTime, Component, DatePerhapsTime};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use support::fixtures::*;

/// The sessions part of the case page's notes tab, as the therapist sees it in UTC.
async fn case_sessions(
    db: &DatabaseConnection,
    actor: Actor,
    case_id: i32,
    now: DateTime<Utc>,
) -> Result<therapy_sessions::CaseSessions, AppError> {
    case_notes(db, actor, case_id, "UTC", now).await.map(|tab| tab.sessions)
}

fn time(starts_at: DateTime<Utc>, attendance: Attendance) -> SessionTime {
    SessionTime { starts_at, minutes: SessionMinutes::parse("50").unwrap(), attendance }
}

async fn calendar_emails(db: &DatabaseConnection, case_id: i32) -> Vec<outbox_emails::Model> {
    emails_of(db, case_id, "calendar").await
}

async fn audited(db: &DatabaseConnection, action: &str) -> usize {
    audit_entries::Entity::find()
        .filter(audit_entries::Column::Action.eq(action))
        .order_by_asc(audit_entries::Column::Id)
        .all(db)
        .await
        .unwrap()
        .len()
}

/// The one event of an `.ics` text, parsed back, with the calendar's METHOD.
fn parsed(ics: &str) -> (String, icalendar::Event) {
    let calendar: Calendar = ics.parse().expect("the .ics parses");
    let method = calendar.property_value("METHOD").unwrap_or_default().to_owned();
    let event = calendar
        .components
        .iter()
        .find_map(|c| match c {
            CalendarComponent::Event(e) => Some(e.clone()),
            _ => None,
        })
        .expect("one event");
    (method, event)
}

fn start_of(event: &icalendar::Event) -> DateTime<Utc> {
    match event.get_start() {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(at))) => at,
        other => panic!("DTSTART in UTC expected, got {other:?}"),
    }
}

async fn a_held_session_is_recorded_with_its_note_and_topics(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "record").await;
    share_step_1(db, &c).await;
    open_exchange(db, &c).await;
    exchange::send_private_note(db, c.a, "A note for the session", false, t0()).await.unwrap();
    exchange::send_private_note(db, c.b, "Another, urgent", true, t0()).await.unwrap();
    let tab = case_notes(db, c.therapist, c.case_id, "UTC", t0()).await.unwrap();
    // The tab reads the notes once: listed newest first, offered as topics oldest first.
    let listed: Vec<i32> = tab.notes.iter().map(|thread| thread.note.id).collect();
    let offered: Vec<i32> = tab
        .sessions
        .topics
        .iter()
        .filter(|t| t.reference.kind == TopicKind::PrivateNote)
        .map(|t| t.reference.id)
        .collect();
    assert_eq!(listed.len(), 2);
    assert_eq!(offered, listed.iter().rev().copied().collect::<Vec<i32>>());
    let found = tab.sessions;
    assert!(found.sessions.is_empty());
    let wish = found.topics.iter().find(|t| t.reference.kind == TopicKind::Wish).unwrap().clone();
    let note = found.topics.iter().find(|t| t.reference.kind == TopicKind::PrivateNote).unwrap().clone();
    assert!(wish.title.starts_with("Wish from "), "{}", wish.title);

    let earlier = therapy_sessions::record(
        db,
        c.therapist,
        c.case_id,
        HeldSession {
            time: time(t0() - Duration::days(14), Attendance::Both),
            note: SessionNote::Free("First meeting".into()),
            topics: vec![],
        },
        t0(),
    )
    .await
    .unwrap();
    let held = HeldSession {
        time: time(t0() - Duration::days(7), Attendance::PartnerA),
        note: SessionNote::Dap {
            data: "DATA-1".into(),
            assessment: "ASSESS-1".into(),
            plan: "PLAN-1".into(),
        },
        topics: vec![wish.reference, note.reference, wish.reference],
    };
    let id = therapy_sessions::record(db, c.therapist, c.case_id, held, t0()).await.unwrap();

    let found = case_sessions(db, c.therapist, c.case_id, t0()).await.unwrap();
    let ids: Vec<i32> = found.sessions.iter().map(|s| s.session.id).collect();
    assert_eq!(ids, vec![id, earlier], "newest first");
    let latest = &found.sessions[0];
    assert_eq!(latest.session.status, SessionStatus::Held);
    assert_eq!(latest.session.attendance, Attendance::PartnerA);
    assert_eq!(
        (
            latest.session.note_data.as_str(),
            latest.session.note_assessment.as_str(),
            latest.session.note_plan.as_str()
        ),
        ("DATA-1", "ASSESS-1", "PLAN-1")
    );
    let titles: Vec<&str> = latest.topics.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, vec![wish.title.as_str(), note.title.as_str()], "each topic once, in order");
    assert_eq!(audited(db, "therapy_session.recorded").await, 2);
    assert_eq!(audited(db, "therapy_sessions.viewed").await, 2);
    assert!(calendar_emails(db, c.case_id).await.is_empty(), "recording sends nothing");

    // A topic of another case, and a future "held" session, are refused at the field.
    let other = couple_past_step_1(db, "record-other").await;
    exchange::send_private_note(db, other.a, "Elsewhere", false, t0()).await.unwrap();
    let foreign = case_sessions(db, other.therapist, other.case_id, t0()).await.unwrap().topics;
    let foreign = foreign.iter().find(|t| t.reference.kind == TopicKind::PrivateNote).unwrap().reference;
    let refused = therapy_sessions::record(
        db,
        c.therapist,
        c.case_id,
        HeldSession {
            time: time(t0(), Attendance::Both),
            note: SessionNote::Free(String::new()),
            topics: vec![foreign],
        },
        t0(),
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, AppError::Invalid { ref field, .. } if field == "topics"), "{refused:?}");
    let refused = therapy_sessions::record(
        db,
        c.therapist,
        c.case_id,
        HeldSession {
            time: time(t0() + Duration::days(3), Attendance::Both),
            note: SessionNote::Free(String::new()),
            topics: vec![TopicRef { kind: TopicKind::Wish, id: wish.reference.id }],
        },
        t0(),
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, AppError::Invalid { ref field, .. } if field == "starts_at"), "{refused:?}");
}

async fn a_conversation_request_discussed_in_a_session_is_held_on_its_day(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "held-in-session").await;
    open_exchange(db, &c).await;
    settings::set_time_zone(db, c.therapist, "Pacific/Auckland", t0()).await.unwrap();
    exchange::save_pact(db, c.a, "Old hurt", false, true, false, t0()).await.unwrap();
    let topics = case_sessions(db, c.therapist, c.case_id, t0()).await.unwrap().topics;
    let asked = topics.iter().find(|t| t.reference.kind == TopicKind::Conversation).unwrap().reference;
    // 20:00 UTC on 24 November is 09:00 on 25 November in Auckland: the therapist's day.
    let starts_at = Utc.with_ymd_and_hms(2026, 11, 24, 20, 0, 0).unwrap();
    let held = HeldSession {
        time: time(starts_at, Attendance::Both),
        note: SessionNote::Free("We talked it through.".into()),
        topics: vec![asked],
    };
    therapy_sessions::record(db, c.therapist, c.case_id, held, t0()).await.unwrap();
    let pact = case_together(db, c.therapist, c.case_id, t0()).await.unwrap().pact;
    let alex = pact.entries[0].1.clone().unwrap();
    assert_eq!(alex.conversation_held_on, chrono::NaiveDate::from_ymd_opt(2026, 11, 25));
    assert!(!exchange::conversation_request(&alex).is_open(), "Alex can now confirm the pact");
    assert_eq!(audited(db, "pact.conversation_held").await, 1);
    // Held once: it is no longer offered as a topic.
    let topics = case_sessions(db, c.therapist, c.case_id, t0()).await.unwrap().topics;
    assert!(topics.iter().all(|t| t.reference.kind != TopicKind::Conversation));
}

async fn schedule_move_and_cancel_send_calendar_files(db: &DatabaseConnection) {
    let c = couple(db, "schedule").await;
    let next = t0() + Duration::days(7);
    let id = therapy_sessions::schedule(db, c.therapist, c.case_id, time(next, Attendance::Both), t0())
        .await
        .unwrap();
    let emails = calendar_emails(db, c.case_id).await;
    assert_eq!(emails.len(), 2, "one invitation per joined partner");
    let mut recipients: Vec<&str> = emails.iter().map(|e| e.to_address.as_str()).collect();
    recipients.sort();
    assert_eq!(recipients, vec!["a.schedule@example.org", "b.schedule@example.org"]);
    let (method, event) = parsed(emails[0].calendar.as_deref().unwrap());
    assert_eq!(method, "REQUEST");
    assert_eq!(start_of(&event), next);
    assert!(emails[0].calendar.as_deref().unwrap().contains("\r\nDTSTART:20261202T090000Z\r\n"));
    assert_eq!(event.get_sequence(), Some(0));
    let uid = event.get_uid().unwrap().to_owned();
    assert!(emails[0].subject.starts_with("Booked: "), "{}", emails[0].subject);

    let moved = next + Duration::hours(2);
    therapy_sessions::reschedule(db, c.therapist, id, moved, SessionMinutes::parse("60").unwrap(), t0())
        .await
        .unwrap();
    let emails = calendar_emails(db, c.case_id).await;
    assert_eq!(emails.len(), 4);
    let (method, event) = parsed(emails[3].calendar.as_deref().unwrap());
    assert_eq!(method, "REQUEST");
    assert_eq!(event.get_uid(), Some(uid.as_str()), "the same UID");
    assert_eq!(event.get_sequence(), Some(1), "SEQUENCE went up");
    assert_eq!(start_of(&event), moved);
    assert!(emails[3].subject.starts_with("New time: "), "{}", emails[3].subject);

    therapy_sessions::cancel(db, c.therapist, id, t0()).await.unwrap();
    let emails = calendar_emails(db, c.case_id).await;
    assert_eq!(emails.len(), 6);
    let ics = emails[5].calendar.as_deref().unwrap();
    let (method, event) = parsed(ics);
    assert_eq!(method, "CANCEL");
    assert_eq!(event.get_uid(), Some(uid.as_str()));
    assert_eq!(event.get_sequence(), Some(2));
    assert!(ics.contains("STATUS:CANCELLED"));
    let stored = sessions_table::Entity::find_by_id(id).one(db).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.calendar_sequence), (SessionStatus::Cancelled, 2));

    // A cancelled session cannot be moved or cancelled again.
    let again = therapy_sessions::cancel(db, c.therapist, id, t0()).await.unwrap_err();
    assert!(matches!(again, AppError::Conflict { .. }), "{again:?}");
    // A session in the past cannot be scheduled.
    let past = therapy_sessions::schedule(db, c.therapist, c.case_id, time(t0(), Attendance::Both), t0())
        .await
        .unwrap_err();
    assert!(matches!(past, AppError::Invalid { ref field, .. } if field == "starts_at"), "{past:?}");
    for action in ["therapy_session.scheduled", "therapy_session.moved", "therapy_session.cancelled"] {
        assert_eq!(audited(db, action).await, 1, "{action}");
    }
}

async fn invitations_go_only_to_attending_partners_who_joined(db: &DatabaseConnection) {
    // Only partner B attends: only B hears.
    let c = couple(db, "one").await;
    therapy_sessions::schedule(
        db,
        c.therapist,
        c.case_id,
        time(t0() + Duration::days(2), Attendance::PartnerB),
        t0(),
    )
    .await
    .unwrap();
    let emails = calendar_emails(db, c.case_id).await;
    assert_eq!(emails.iter().map(|e| e.to_address.as_str()).collect::<Vec<_>>(), vec!["b.one@example.org"]);

    // A case whose partners were never invited: nothing is queued, the session is kept.
    let therapist = therapist(db, "t.quiet@example.org").await;
    let fields =
        |first_name, email| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks: "unsure" };
    let draft = CaseDraft::parse(
        "Quiet pair",
        "no_secrets",
        fields("Kim", "kim@example.org"),
        fields("Lee", "lee@example.org"),
    )
    .unwrap();
    let case_id = cases::create_case(db, therapist, draft, t0()).await.unwrap();
    therapy_sessions::schedule(
        db,
        therapist,
        case_id,
        time(t0() + Duration::days(2), Attendance::Both),
        t0(),
    )
    .await
    .unwrap();
    assert!(calendar_emails(db, case_id).await.is_empty());
    let found = case_sessions(db, therapist, case_id, t0()).await.unwrap();
    assert_eq!(found.sessions.len(), 1);
}

async fn emails_carry_no_note_and_clients_never_reach_sessions(db: &DatabaseConnection) {
    let c = couple(db, "private").await;
    therapy_sessions::record(
        db,
        c.therapist,
        c.case_id,
        HeldSession {
            time: time(t0() - Duration::days(1), Attendance::Both),
            note: SessionNote::Free("SESSION-SECRET they argued".into()),
            topics: vec![],
        },
        t0(),
    )
    .await
    .unwrap();
    let id = therapy_sessions::schedule(
        db,
        c.therapist,
        c.case_id,
        time(t0() + Duration::days(6), Attendance::Both),
        t0(),
    )
    .await
    .unwrap();
    therapy_sessions::reschedule(
        db,
        c.therapist,
        id,
        t0() + Duration::days(8),
        SessionMinutes::parse("50").unwrap(),
        t0(),
    )
    .await
    .unwrap();
    therapy_sessions::cancel(db, c.therapist, id, t0()).await.unwrap();
    for email in outbox_emails::Entity::find().all(db).await.unwrap() {
        for text in
            [&email.subject, &email.text_body, &email.html_body, &email.calendar.clone().unwrap_or_default()]
        {
            assert!(!text.contains("SESSION-SECRET"), "email {} carries the note", email.id);
        }
        let calendar = email.calendar.unwrap_or_default();
        assert!(!calendar.to_lowercase().contains("therap"), "the calendar entry is neutral: {calendar}");
    }
    // Clients and other therapists never reach the sessions, nor move or cancel one.
    let other = therapist(db, "t.other-private@example.org").await;
    for (actor, expected) in [(c.a, "forbidden"), (c.b, "forbidden"), (other, "not found")] {
        let refused = case_sessions(db, actor, c.case_id, t0()).await.unwrap_err();
        let moved = therapy_sessions::reschedule(
            db,
            actor,
            id,
            t0() + Duration::days(9),
            SessionMinutes::parse("50").unwrap(),
            t0(),
        )
        .await
        .unwrap_err();
        for error in [refused, moved] {
            match expected {
                "forbidden" => assert!(matches!(error, AppError::Forbidden), "{error:?}"),
                _ => assert!(matches!(error, AppError::NotFound), "{error:?}"),
            }
        }
    }
    // Closing the case stops new sessions.
    cases::set_status(db, c.therapist, c.case_id, app::domain::case::CaseStatus::Closed, t0()).await.unwrap();
    let closed = therapy_sessions::schedule(
        db,
        c.therapist,
        c.case_id,
        time(t0() + Duration::days(6), Attendance::Both),
        t0(),
    )
    .await
    .unwrap_err();
    assert!(matches!(closed, AppError::Conflict { .. }), "{closed:?}");
}

on_both_databases!(
    a_held_session_is_recorded_with_its_note_and_topics,
    a_conversation_request_discussed_in_a_session_is_held_on_its_day,
    schedule_move_and_cancel_send_calendar_files,
    invitations_go_only_to_attending_partners_who_joined,
    emails_carry_no_note_and_clients_never_reach_sessions,
);
