//! Service tests for the private note as a safety channel (`services/exchange/notes.rs`
//! and what clients are told beside it): the therapist's neutral email, urgent notes first,
//! reading only by opening, replies to the writer alone, and the crisis line — on SQLite
//! and PostgreSQL.

use crate::support;

use app::{
    domain::safety::DEFAULT_CRISIS_LINE,
    entities::{audit_entries, outbox_emails, private_notes},
    error::AppError,
    services::{
        case_page::case_notes,
        caseload::{self, CaseloadQuery, CaseloadSort},
        cases::{self, CaseDraft, PartnerFields},
        exchange, invitations,
        settings::{self, TherapistSettings},
        tokens::SecretToken,
        Actor,
    },
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use support::fixtures::*;

/// Audit actions recorded for one record, oldest first.
async fn audited(db: &DatabaseConnection, action: &str) -> Vec<audit_entries::Model> {
    audit_entries::Entity::find()
        .filter(audit_entries::Column::Action.eq(action))
        .order_by_asc(audit_entries::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// The therapist's settings with everything at its fixture value but the given fields.
fn settings_with(time_zone: &str, digest: &str, crisis_line: &str, days: &str) -> TherapistSettings {
    TherapistSettings {
        display_name: "Dr Ana Ruiz".into(),
        practice_name: String::new(),
        signature: String::new(),
        time_zone: time_zone.into(),
        booking_url: String::new(),
        digest: digest.into(),
        reminders: true,
        crisis_line: crisis_line.into(),
        reply_within_days: days.into(),
    }
}

/// Emails queued to one address, oldest first.
async fn emails_to(db: &DatabaseConnection, address: &str) -> Vec<outbox_emails::Model> {
    outbox_emails::Entity::find()
        .filter(outbox_emails::Column::ToAddress.eq(address))
        .order_by_asc(outbox_emails::Column::Id)
        .all(db)
        .await
        .unwrap()
}

async fn note_ids(db: &DatabaseConnection, writer: Actor) -> Vec<i32> {
    exchange::my_private_notes(db, writer, t0()).await.unwrap().threads.iter().map(|t| t.note.id).collect()
}

async fn a_new_note_emails_the_therapist_at_once_without_its_text(db: &DatabaseConnection) {
    let c = couple(db, "mail").await;
    // Quiet hours in Auckland (22:00) and a daily digest: neither delays a private note.
    let late = settings_with("Pacific/Auckland", "daily", "", "");
    settings::save_therapist_settings(db, c.therapist, late, t0()).await.unwrap();
    assert!(emails_to(db, "t.mail@example.org").await.is_empty());

    exchange::send_private_note(db, c.a, "SECRET-NOTE I am scared of Sam", true, t0()).await.unwrap();
    let emails = emails_to(db, "t.mail@example.org").await;
    assert_eq!(emails.len(), 1, "one email to the therapist");
    let email = &emails[0];
    assert_eq!(email.subject, "You have a new message in Babysteps");
    assert_eq!(email.next_attempt_at, t0(), "sent at once, not after quiet hours or in a digest");
    assert_eq!(email.case_id, Some(c.case_id));
    assert!(email.text_body.contains(&format!("{{link}}/cases/{}", c.case_id)));
    for body in [&email.subject, &email.text_body, &email.html_body] {
        for secret in ["SECRET-NOTE", "scared", "Alex", "Sam", "rgent"] {
            assert!(!body.contains(secret), "{secret} in {body}");
        }
    }
    // A refused note sends nothing.
    assert!(exchange::send_private_note(db, c.a, "   ", false, t0()).await.is_err());
    assert_eq!(emails_to(db, "t.mail@example.org").await.len(), 1);
    assert_eq!(audited(db, "private_note.sent").await.len(), 1);
}

async fn urgent_unread_notes_lead_the_caseload(db: &DatabaseConnection) {
    let c = couple(db, "urgent").await;
    let fields =
        |first_name, email| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks: "unsure" };
    let draft = CaseDraft::parse(
        "Aaron & Bea",
        "no_secrets",
        fields("Aaron", "aaron@example.org"),
        fields("Bea", "bea@example.org"),
    )
    .unwrap();
    cases::create_case(db, c.therapist, draft, t0()).await.unwrap();

    exchange::send_private_note(db, c.a, "Urgent one", true, t0()).await.unwrap();
    exchange::send_private_note(db, c.b, "Not urgent", false, t0() + Duration::minutes(1)).await.unwrap();
    // One case per page, by name: "Aaron & Bea" on page 1, "Alex & Sam" on page 2.
    let query = |page| CaseloadQuery {
        search: String::new(),
        status: None,
        sort: CaseloadSort::Label,
        page,
        per_page: 1,
    };
    let first = caseload::caseload(db, c.therapist, &query(1), t0()).await.unwrap();
    assert_eq!(first.rows[0].case.label, "Aaron & Bea");
    let urgent: Vec<(i32, usize)> = first.urgent.iter().map(|case| (case.case_id, case.notes)).collect();
    assert_eq!(urgent, [(c.case_id, 1)], "listed above the table whatever the page");
    let second = caseload::caseload(db, c.therapist, &query(2), t0()).await.unwrap();
    assert_eq!((second.rows[0].unread_notes, second.rows[0].urgent_notes), (2, 1));
    let searched = CaseloadQuery { search: "Aaron".into(), ..query(1) };
    assert_eq!(caseload::caseload(db, c.therapist, &searched, t0()).await.unwrap().urgent.len(), 1);
    let other = couple(db, "urgent-other").await;
    assert!(caseload::caseload(db, other.therapist, &query(1), t0()).await.unwrap().urgent.is_empty());

    // On the case page the urgent note comes first, though it is older.
    let notes = case_notes(db, c.therapist, c.case_id, "UTC", t0()).await.unwrap().notes;
    assert_eq!(notes.iter().map(|t| t.note.body.as_str()).collect::<Vec<_>>(), ["Urgent one", "Not urgent"]);
    assert!(notes[0].note.urgent);

    exchange::mark_private_note_read(db, c.therapist, notes[0].note.id, t0()).await.unwrap();
    assert!(caseload::caseload(db, c.therapist, &query(1), t0()).await.unwrap().urgent.is_empty());
}

async fn a_note_is_read_only_when_the_therapist_opens_it(db: &DatabaseConnection) {
    let c = couple(db, "read").await;
    exchange::send_private_note(db, c.a, "Please read me", false, t0()).await.unwrap();
    let id = note_ids(db, c.a).await[0];
    for _ in 0..2 {
        let page = case_notes(db, c.therapist, c.case_id, "UTC", t0()).await.unwrap();
        assert_eq!(page.notes[0].note.read_at, None, "loading the case page reads nothing");
    }
    let mine = exchange::my_private_notes(db, c.a, t0()).await.unwrap();
    assert_eq!(mine.threads[0].note.read_at, None, "the client sees it as sent, not read");

    let other = couple(db, "read-other").await;
    let opened = t0() + Duration::hours(2);
    assert_eq!(
        exchange::mark_private_note_read(db, other.therapist, id, opened).await,
        Err(AppError::NotFound)
    );
    assert_eq!(exchange::mark_private_note_read(db, c.a, id, opened).await, Err(AppError::Forbidden));
    assert_eq!(exchange::mark_private_note_read(db, c.b, id, opened).await, Err(AppError::Forbidden));
    assert_eq!(
        exchange::mark_private_note_read(db, c.therapist, 999_999, opened).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        private_notes::Entity::find_by_id(id).one(db).await.unwrap().unwrap().read_at,
        None,
        "no refused call reads it"
    );

    assert_eq!(exchange::mark_private_note_read(db, c.therapist, id, opened).await, Ok(opened));
    let later = opened + Duration::days(1);
    assert_eq!(exchange::mark_private_note_read(db, c.therapist, id, later).await, Ok(opened), "read once");
    let mine = exchange::my_private_notes(db, c.a, t0()).await.unwrap();
    assert_eq!(mine.threads[0].note.read_at, Some(opened), "the client sees when it was read");
    let reads = audited(db, "private_note.read").await;
    assert_eq!(reads.len(), 1);
    assert_eq!(
        (reads[0].actor_user_id, reads[0].record_id.as_str()),
        (Some(c.therapist.user_id), &*id.to_string())
    );
}

async fn a_reply_reaches_the_writer_and_never_the_other_partner(db: &DatabaseConnection) {
    let c = couple(db, "reply").await;
    exchange::send_private_note(db, c.a, "ALEX-NOTE I need to talk alone", false, t0()).await.unwrap();
    exchange::send_private_note(db, c.b, "SAM-NOTE something else", false, t0()).await.unwrap();
    let (alex_note, sam_note) = (note_ids(db, c.a).await[0], note_ids(db, c.b).await[0]);

    let other = couple(db, "reply-other").await;
    let reply =
        |actor, note| exchange::reply_to_private_note(db, actor, note, "REPLY-FOR-ALEX Call me", t0());
    assert_eq!(reply(other.therapist, alex_note).await, Err(AppError::NotFound));
    assert_eq!(reply(c.a, alex_note).await, Err(AppError::Forbidden));
    assert_eq!(reply(c.b, alex_note).await, Err(AppError::Forbidden));
    let empty = exchange::reply_to_private_note(db, c.therapist, alex_note, "  ", t0()).await.unwrap_err();
    assert!(empty.message_for("body").is_some());
    reply(c.therapist, alex_note).await.unwrap();

    // Alex reads the reply under their note; replying also opened the note.
    let alex = exchange::my_private_notes(db, c.a, t0()).await.unwrap();
    assert_eq!(alex.threads[0].replies.len(), 1);
    assert_eq!(alex.threads[0].replies[0].body, "REPLY-FOR-ALEX Call me");
    assert_eq!(alex.threads[0].note.read_at, Some(t0()));
    // Sam sees only Sam's own note, and no reply at all.
    let sam = exchange::my_private_notes(db, c.b, t0()).await.unwrap();
    assert_eq!(sam.threads.len(), 1);
    assert_eq!(sam.threads[0].note.id, sam_note);
    assert!(sam.threads.iter().all(|t| t.replies.is_empty()));
    let seen_by_sam = format!("{:?}", sam.threads);
    assert!(!seen_by_sam.contains("REPLY-FOR-ALEX") && !seen_by_sam.contains("ALEX-NOTE"));
    assert_eq!(exchange::mark_replies_read(db, c.b, alex_note, t0()).await, Err(AppError::NotFound));
    assert_eq!(exchange::mark_replies_read(db, c.therapist, alex_note, t0()).await, Err(AppError::Forbidden));

    // Alex is emailed, neutrally; Sam is not.
    let to_alex = emails_to(db, "a.reply@example.org").await;
    let notice = to_alex.last().unwrap();
    assert_eq!(notice.subject, "Something new in Babysteps");
    assert!(!notice.text_body.contains("REPLY-FOR-ALEX") && !notice.html_body.contains("REPLY-FOR-ALEX"));
    assert!(notice.text_body.contains("{link}/private-note"));
    assert!(emails_to(db, "b.reply@example.org")
        .await
        .iter()
        .all(|e| e.subject != "Something new in Babysteps"));
    assert_eq!(audited(db, "private_note.replied").await.len(), 1);

    // Alex opens the reply; the therapist sees when.
    let opened = t0() + Duration::hours(1);
    exchange::mark_replies_read(db, c.a, alex_note, opened).await.unwrap();
    let page = case_notes(db, c.therapist, c.case_id, "UTC", t0()).await.unwrap();
    let thread = page.notes.iter().find(|t| t.note.id == alex_note).unwrap();
    assert_eq!(thread.replies[0].read_at, Some(opened));
    assert_eq!(audited(db, "private_note.reply_read").await.len(), 1);
}

async fn a_reply_waits_out_the_clients_quiet_hours(db: &DatabaseConnection) {
    let c = couple(db, "quiet").await;
    // 09:00 UTC is 22:00 in Auckland (summer time): the client's email waits until 08:00.
    let auckland = settings_with("Pacific/Auckland", "immediate", "", "");
    settings::save_therapist_settings(db, c.therapist, auckland, t0()).await.unwrap();
    exchange::send_private_note(db, c.a, "Hello", false, t0()).await.unwrap();
    let note = note_ids(db, c.a).await[0];
    exchange::reply_to_private_note(db, c.therapist, note, "Thank you", t0()).await.unwrap();
    let notice = emails_to(db, "a.quiet@example.org").await.pop().unwrap();
    let expected: DateTime<Utc> = "2026-11-25T19:00:00Z".parse().unwrap();
    assert_eq!(notice.next_attempt_at, expected, "08:00 NZDT on 26 November");
}

async fn the_crisis_line_reaches_every_client_page(db: &DatabaseConnection) {
    let c = couple(db, "crisis").await;
    // Unset: the defaults.
    let mine = exchange::my_private_notes(db, c.a, t0()).await.unwrap();
    assert_eq!(mine.safety.crisis_text(), DEFAULT_CRISIS_LINE);
    assert!(mine.safety.availability().starts_with("This is not monitored around the clock"));

    // Bad values are refused at their field and change nothing.
    for (line, days, field) in [
        ("line one\nline two", "3", "crisis_line"),
        (&*"x".repeat(301), "3", "crisis_line"),
        ("Call 112", "15", "reply_within_days"),
        ("Call 112", "0", "reply_within_days"),
    ] {
        let form = settings_with("UTC", "immediate", line, days);
        let error = settings::save_therapist_settings(db, c.therapist, form, t0()).await.unwrap_err();
        assert!(error.message_for(field).is_some(), "{field}: {error:?}");
    }
    assert_eq!(
        exchange::my_private_notes(db, c.a, t0()).await.unwrap().safety.crisis_text(),
        DEFAULT_CRISIS_LINE
    );

    let line = "In an emergency call 112 (EU) or 988 (US)";
    let form = settings_with("UTC", "immediate", &format!("  {line} "), "3");
    settings::save_therapist_settings(db, c.therapist, form, t0()).await.unwrap();
    let expected = "This is not monitored around the clock; your therapist usually replies within 3 days.";
    // The private note page, with the case's policy.
    let mine = exchange::my_private_notes(db, c.a, t0()).await.unwrap();
    assert_eq!((mine.safety.crisis_text(), mine.safety.availability().as_str()), (line, expected));
    assert_eq!(mine.policy, app::domain::case::ConfidentialityPolicy::NoSecrets);
    // The client's home.
    let home = cases::client_case(db, c.b, t0()).await.unwrap();
    assert_eq!((home.safety.crisis_text(), home.safety.availability().as_str()), (line, expected));
    // The join page of a new invitation.
    let fields =
        |first_name, email| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks: "unsure" };
    let draft = CaseDraft::parse(
        "New couple",
        "limited_secrets",
        fields("Kim", "kim@example.org"),
        fields("Lee", "lee@example.org"),
    )
    .unwrap();
    let case_id = cases::create_case(db, c.therapist, draft, t0()).await.unwrap();
    let partner = app::services::access::partners_of(db, case_id).await.unwrap().remove(0);
    invitations::invite(db, c.therapist, case_id, partner.id, t0()).await.unwrap();
    let invitation = app::entities::invitations::Entity::find()
        .filter(app::entities::invitations::Column::PartnerId.eq(partner.id))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let token: SecretToken = invitations::mint_token(db, invitation.id, t0()).await.unwrap().unwrap();
    match invitations::lookup(db, &token, t0()).await.unwrap() {
        invitations::InvitationLookup::Valid(details) => {
            assert_eq!(
                (details.safety.crisis_text(), details.safety.availability().as_str()),
                (line, expected)
            );
        }
        other => panic!("expected a valid invitation, got {other:?}"),
    }
}

on_both_databases!(
    a_new_note_emails_the_therapist_at_once_without_its_text,
    urgent_unread_notes_lead_the_caseload,
    a_note_is_read_only_when_the_therapist_opens_it,
    a_reply_reaches_the_writer_and_never_the_other_partner,
    a_reply_waits_out_the_clients_quiet_hours,
    the_crisis_line_reaches_every_client_page,
);
