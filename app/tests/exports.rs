//! Service tests for the record exports (`services/export`), on SQLite and PostgreSQL: the
//! therapist's ZIP holds `record.json` (parsing, with the documented fields) and a printable
//! `record.html`; a client's ZIP never holds the other partner's unshared writing (markers
//! written by the other partner in every private place, searched in every file); each export
//! leaves its audit entry; anyone else is refused.

use crate::support;

use app::{
    domain::{
        case::TherapistNotes,
        homework::Recipients,
        measure::{MeasureText, Schedule},
        therapy_session::{Attendance, SessionMinutes, SessionNote},
    },
    entities::{audit_entries, partners, responses},
    error::AppError,
    services::{
        cases, clock, exchange,
        export::{self, schema::SCHEMA_VERSION},
        homework::{self, SaveIntent},
        measures::{self, NewSchedule},
        messages,
        therapy_sessions::{self, HeldSession, SessionTime},
        Actor,
    },
};
use chrono::Duration;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use std::io::Read;
use support::fixtures::*;

/// The files of a ZIP, by name.
fn unzip(bytes: Vec<u8>) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a readable ZIP");
    (0..archive.len())
        .map(|index| {
            let mut file = archive.by_index(index).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            (file.name().to_owned(), text)
        })
        .collect()
}

/// The id `record.json` gives the partner with this first name.
fn partners_json_id(record: &Value, first_name: &str) -> Value {
    record["partners"].as_array().unwrap().iter().find(|p| p["first_name"] == first_name).unwrap()["id"]
        .clone()
}

/// The latest audit entry.
async fn last_entry(db: &DatabaseConnection) -> audit_entries::Model {
    audit_entries::Entity::find().order_by_desc(audit_entries::Column::Id).one(db).await.unwrap().unwrap()
}

async fn partner_id(db: &DatabaseConnection, client: Actor) -> i32 {
    partners::Entity::find()
        .filter(partners::Column::ClientUserId.eq(client.user_id))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A couple with something in every part of the record. Partner A (Alex) writes markers
/// starting `FORBIDDEN` everywhere their partner must never read them, and `A-SHARED-OK` in
/// what they share; B (Sam) writes `B-OWN` in their own places.
async fn full_case(db: &DatabaseConnection, tag: &str) -> Couple {
    let c = couple(db, tag).await;
    homework::assign_programme(db, c.therapist, c.case_id, homework::ProgrammeChoice::whole(None, ""), t0())
        .await
        .unwrap();
    let all = steps(db, c.case_id).await;
    let step = |n: i16| all.iter().find(|a| a.step_number == Some(n)).unwrap().id;
    let a_step1 = answers(&[("emotional_meaning", "A-SHARED-OK"), ("behaviours", "A-SHARED-OK wish")]);
    homework::save_answers(db, c.a, step(1), 0, &a_step1, SaveIntent::Submit, t0()).await.unwrap();
    let b_step1 = answers(&[("physical_meaning", "B-OWN step one"), ("behaviours", "B-OWN wish")]);
    homework::save_answers(db, c.b, step(1), 0, &b_step1, SaveIntent::Submit, t0()).await.unwrap();
    share_step_1(db, &c).await;
    open_exchange(db, &c).await;
    // The therapist comments to A, reopens A's shared step 1; A writes a new draft.
    let a_response = responses::Entity::find()
        .filter(responses::Column::AssignmentId.eq(step(1)))
        .filter(responses::Column::PartnerId.eq(partner_id(db, c.a).await))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    homework::comment(db, c.therapist, a_response.id, None, "FORBIDDEN-COMMENT-TO-A", t0()).await.unwrap();
    homework::set_reviewed(db, c.therapist, a_response.id, false, t0()).await.unwrap();
    let draft =
        answers(&[("emotional_meaning", "FORBIDDEN-REOPENED-DRAFT"), ("behaviours", "A-SHARED-OK wish")]);
    homework::save_answers(db, c.a, step(1), a_response.revision, &draft, SaveIntent::Draft, t0())
        .await
        .unwrap();
    // Step 2: A keeps a draft, unshared.
    let a_step2 = answers(&[("heard_mind", "FORBIDDEN-UNSHARED-DRAFT")]);
    homework::save_answers(db, c.a, step(2), 0, &a_step2, SaveIntent::Draft, t0()).await.unwrap();
    // Check-ins for three weeks: B shares ratings, A does not.
    let this_week = clock::week_start(t0().date_naive());
    for back in 0..3 {
        let form = |note: &str| exchange::CheckInForm {
            week_start: this_week - Duration::weeks(back),
            my_part: "done".into(),
            noticed: "partly".into(),
            emotional: 7,
            physical: 6,
            note: note.into(),
        };
        exchange::save_check_in(db, c.a, form("FORBIDDEN-CHECK-IN-NOTE"), t0()).await.unwrap();
        exchange::save_check_in(db, c.b, form("B-OWN check-in"), t0()).await.unwrap();
    }
    exchange::set_share_ratings(db, c.b, true, t0()).await.unwrap();
    // Step 5 unshared, a private note with a reply, the therapist's notes, an A-only email.
    exchange::save_pact(db, c.a, "FORBIDDEN-LETTING-GO", false, false, false, t0()).await.unwrap();
    exchange::save_pact(db, c.b, "B-OWN letting go", false, false, false, t0()).await.unwrap();
    exchange::send_private_note(db, c.a, "FORBIDDEN-PRIVATE-NOTE", true, t0()).await.unwrap();
    let note = exchange::my_private_notes(db, c.a, t0()).await.unwrap().threads[0].note.id;
    exchange::reply_to_private_note(db, c.therapist, note, "FORBIDDEN-REPLY-TO-A", t0()).await.unwrap();
    exchange::send_private_note(db, c.b, "B-OWN private note", false, t0()).await.unwrap();
    let notes = TherapistNotes::parse("FORBIDDEN-THERAPIST-NOTES").unwrap();
    cases::update_notes(db, c.therapist, c.case_id, notes, t0()).await.unwrap();
    let only_a = messages::FollowUp {
        recipients: Recipients::PartnerA,
        subject: "FORBIDDEN-A-ONLY-SUBJECT".into(),
        body: "FORBIDDEN-A-ONLY-EMAIL".into(),
        progress_summary: String::new(),
        send_at: None,
        times: Vec::new(),
    };
    messages::send_follow_up(db, c.therapist, c.case_id, only_a, t0()).await.unwrap();
    // A session with the therapist's DAP note; a measure both partners are sent, A answers.
    let session = HeldSession {
        time: SessionTime {
            starts_at: t0() - Duration::days(2),
            minutes: SessionMinutes::parse("50").unwrap(),
            attendance: Attendance::Both,
        },
        note: SessionNote::Dap {
            data: "FORBIDDEN-SESSION-DATA".into(),
            assessment: "FORBIDDEN-SESSION-ASSESSMENT".into(),
            plan: "FORBIDDEN-SESSION-PLAN".into(),
        },
        topics: Vec::new(),
    };
    therapy_sessions::record(db, c.therapist, c.case_id, session, t0()).await.unwrap();
    let measure = MeasureText {
        title: "FORBIDDEN-MEASURE".into(),
        instructions: String::new(),
        options: "0 = Never\n1 = Sometimes\n2 = Often".into(),
        items: "We talk\nWe laugh".into(),
        scoring: "sum".into(),
        bands: "0-1 = Apart\n2-4 = Close".into(),
    };
    let measure_id = measures::save(db, c.therapist, None, &measure, t0()).await.unwrap();
    let once = Schedule { starts_on: t0().date_naive(), every: None };
    let planned = NewSchedule { measure_id, recipients: Recipients::Both, schedule: once };
    let schedule = measures::schedule(db, c.therapist, c.case_id, planned, t0()).await.unwrap();
    measures::answer(db, c.a, schedule, |i| ["2", "1"].get(i).copied(), t0()).await.unwrap();
    c
}

async fn therapist_export_holds_the_whole_record(db: &DatabaseConnection) {
    let c = full_case(db, "texp").await;
    let export = export::case_export(db, c.therapist, c.case_id, t0()).await.unwrap();
    assert_eq!(export.file_name, format!("babysteps-case-{}-2026-11-25.zip", c.case_id));
    let entry = last_entry(db).await;
    assert_eq!(
        (entry.action.as_str(), entry.actor_user_id, entry.case_id),
        ("case.exported", Some(c.therapist.user_id), Some(c.case_id))
    );
    let files = unzip(export.to_bytes(db).await.unwrap());
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["record.json", "record.html"]);

    let record: Value = serde_json::from_str(&files[0].1).expect("record.json parses");
    assert_eq!(record["schema_version"], SCHEMA_VERSION);
    assert_eq!(record["kind"], "case_record");
    for key in ["exported_at", "case", "partners", "homework", "wishes", "agreements", "check_ins", "pact"] {
        assert!(record.get(key).is_some(), "record.json has {key}");
    }
    for key in ["private_notes", "emails", "therapy_sessions", "measure_totals", "audit_trail"] {
        assert!(record[key].is_array(), "record.json has the list {key}");
    }
    let sessions = record["therapy_sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        (&sessions[0]["status"], &sessions[0]["note_format"], &sessions[0]["plan"]),
        (&"held".into(), &"dap".into(), &"FORBIDDEN-SESSION-PLAN".into())
    );
    let totals = record["measure_totals"].as_array().unwrap();
    assert_eq!(totals.len(), 1, "A answered once; B not yet");
    assert_eq!(
        (&totals[0]["measure"], &totals[0]["total"], &totals[0]["band"], &totals[0]["partner_id"]),
        (&"FORBIDDEN-MEASURE".into(), &"3".into(), &"Close".into(), &partners_json_id(&record, "Alex"))
    );
    assert_eq!(record["case"]["id"], c.case_id);
    assert_eq!(record["case"]["therapist_notes"], "FORBIDDEN-THERAPIST-NOTES");
    let partners = record["partners"].as_array().unwrap();
    assert_eq!(partners.len(), 2);
    assert_eq!((&partners[0]["position"], &partners[0]["first_name"]), (&"A".into(), &"Alex".into()));
    for field in ["id", "last_name", "email", "pronouns", "seeks", "joined_at", "removed_at"] {
        assert!(partners[0].get(field).is_some(), "partner has {field}");
    }
    let homework = record["homework"].as_array().unwrap();
    assert_eq!(homework.len(), 5, "every step of the programme");
    let step1 = &homework[0];
    assert_eq!(step1["step_number"], 1);
    let responses = step1["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 2);
    // A's reopened draft, the version B sees, and the comment to A.
    assert_eq!(responses[0]["status"], "draft");
    assert!(responses[0]["answers"].to_string().contains("FORBIDDEN-REOPENED-DRAFT"));
    assert!(responses[0]["shared_answers"].to_string().contains("A-SHARED-OK"));
    assert_eq!(responses[0]["comments"][0]["body"], "FORBIDDEN-COMMENT-TO-A");
    for field in ["question_key", "prompt", "answer"] {
        assert!(responses[1]["answers"][0].get(field).is_some(), "answer has {field}");
    }
    assert!(!record["wishes"].as_array().unwrap().is_empty(), "the wishes from step 1");
    let check_ins = record["check_ins"].as_array().unwrap();
    assert_eq!(check_ins.len(), 6);
    assert!(check_ins.windows(2).all(|w| w[0]["week_start"].as_str() <= w[1]["week_start"].as_str()));
    assert_eq!(check_ins[0]["note"], "FORBIDDEN-CHECK-IN-NOTE");
    assert_eq!(record["pact"].as_array().unwrap().len(), 2);
    let notes = record["private_notes"].as_array().unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["replies"][0]["body"], "FORBIDDEN-REPLY-TO-A");
    let emails = record["emails"].as_array().unwrap();
    assert!(emails.iter().any(|e| e["kind"] == "follow_up" && e["subject"] == "FORBIDDEN-A-ONLY-SUBJECT"));
    assert!(!files[0].1.contains("FORBIDDEN-A-ONLY-EMAIL"), "email bodies stay out");
    let trail = record["audit_trail"].as_array().unwrap();
    assert!(trail.iter().any(|e| e["action"] == "case.exported"), "the export itself is in the trail");
    assert!(trail
        .iter()
        .all(|e| e["id"].is_i64() && e["occurred_at"].is_string() && e["outcome"].is_string()));

    let html = &files[1].1;
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("@media print") && html.contains("break-before:page"), "print stylesheet");
    assert!(html.contains("class=\"pair\""), "partners side by side");
    assert!(html.contains("<svg") && html.contains("<polyline"), "the closeness chart");
    assert!(html.contains("FORBIDDEN-PRIVATE-NOTE") && html.contains("case.exported"));
    assert!(html.contains("FORBIDDEN-SESSION-ASSESSMENT") && html.contains("FORBIDDEN-MEASURE"));
    assert_eq!(html.matches("<section class=\"step\"><h3>Step").count(), 5, "a page per step");
}

async fn only_the_owner_exports_a_case(db: &DatabaseConnection) {
    let c = couple(db, "tref").await;
    let other = therapist(db, "other.tref@example.org").await;
    let refused = |r: Result<export::Export, AppError>| r.map(|_| ()).unwrap_err();
    assert!(matches!(refused(export::case_export(db, other, c.case_id, t0()).await), AppError::NotFound));
    assert!(matches!(refused(export::case_export(db, c.a, c.case_id, t0()).await), AppError::Forbidden));
    assert!(matches!(refused(export::client_export(db, c.therapist, t0()).await), AppError::Forbidden));
    let exported = audit_entries::Entity::find()
        .filter(audit_entries::Column::Action.is_in(["case.exported", "own_writing.exported"]))
        .all(db)
        .await
        .unwrap();
    assert!(exported.is_empty(), "a refused export writes no export entry");
}

async fn client_export_never_holds_the_other_partners_private_writing(db: &DatabaseConnection) {
    let c = full_case(db, "cexp").await;
    let b_id = partner_id(db, c.b).await;
    let export = export::client_export(db, c.b, t0()).await.unwrap();
    assert_eq!(export.file_name, "babysteps-sam-2026-11-25.zip");
    let entry = last_entry(db).await;
    assert_eq!(
        (entry.action.as_str(), entry.actor_user_id, entry.case_id, entry.partner_id),
        ("own_writing.exported", Some(c.b.user_id), Some(c.case_id), Some(b_id))
    );
    let files = unzip(export.to_bytes(db).await.unwrap());
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["record.json", "record.html"]);
    for (name, text) in &files {
        if let Some(at) = text.find("FORBIDDEN") {
            panic!("{name} holds A's private writing: {}", &text[at..(at + 60).min(text.len())]);
        }
        assert!(text.contains("A-SHARED-OK"), "{name} holds what A shared");
        for own in ["B-OWN step one", "B-OWN check-in", "B-OWN letting go", "B-OWN private note"] {
            assert!(text.contains(own), "{name} holds B's own {own}");
        }
    }
    let record: Value = serde_json::from_str(&files[0].1).unwrap();
    assert_eq!(record["kind"], "client_record");
    assert_eq!(record["case"]["therapist_notes"], Value::Null);
    assert!(record.get("audit_trail").is_none());
    // A did not share ratings, so none of A's check-ins are there; B's three are.
    let check_ins = record["check_ins"].as_array().unwrap();
    assert_eq!(check_ins.len(), 3);
    assert!(check_ins.iter().all(|c| c["partner_id"] == b_id));
    // B has answered no questionnaire yet; A's total is A's own.
    assert_eq!(record["measure_totals"], Value::Array(Vec::new()));
    // The other partner appears by first name only.
    let alex = record["partners"].as_array().unwrap().iter().find(|p| p["first_name"] == "Alex").unwrap();
    assert_eq!((&alex["email"], &alex["last_name"]), (&Value::Null, &Value::Null));

    // A's own export has A's writing (the partner's unshared writing stays out of it too).
    let a_files = unzip(export::client_export(db, c.a, t0()).await.unwrap().to_bytes(db).await.unwrap());
    let a_record: Value = serde_json::from_str(&a_files[0].1).unwrap();
    let a_totals = a_record["measure_totals"].as_array().unwrap();
    assert_eq!(a_totals.len(), 1, "A's own questionnaire total");
    assert_eq!(
        (&a_totals[0]["total"], &a_totals[0]["partner_id"]),
        (&"3".into(), &partners_json_id(&a_record, "Alex"))
    );
    assert!(a_files[1].1.contains("<h2>Measures</h2>"), "A's printable record lists A's total");
    for (name, text) in &a_files {
        assert!(text.contains("FORBIDDEN-REOPENED-DRAFT") && text.contains("FORBIDDEN-LETTING-GO"), "{name}");
        assert!(!text.contains("B-OWN check-in") && !text.contains("B-OWN letting go"), "{name}");
        assert!(
            !text.contains("B-OWN private note") && !text.contains("FORBIDDEN-THERAPIST-NOTES"),
            "{name}"
        );
    }
}

async fn after_closing_a_client_exports_only_their_own_writing(db: &DatabaseConnection) {
    let c = full_case(db, "cclosed").await;
    cases::set_status(db, c.therapist, c.case_id, app::domain::case::CaseStatus::Closed, t0()).await.unwrap();
    let files = unzip(export::client_export(db, c.b, t0()).await.unwrap().to_bytes(db).await.unwrap());
    for (name, text) in &files {
        assert!(
            !text.contains("A-SHARED-OK") && !text.contains("FORBIDDEN"),
            "{name} holds only B's writing"
        );
        assert!(text.contains("B-OWN step one") && text.contains("B-OWN private note"), "{name}");
    }
}

on_both_databases!(
    therapist_export_holds_the_whole_record,
    only_the_owner_exports_a_case,
    client_export_never_holds_the_other_partners_private_writing,
    after_closing_a_client_exports_only_their_own_writing,
);
