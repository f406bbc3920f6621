//! Service tests for erasure and retention, on SQLite and PostgreSQL with a fixed clock:
//! erasing one partner's or a whole case's content removes it from every table and leaves a
//! tombstone without content (and the audit trail still refuses changes); the retention job
//! purges only closed cases past their therapist's setting; the daily clean-up removes only
//! expired rows; a sent email keeps no body.

use crate::support;

use app::{
    domain::{case::CaseStatus, retention::RetentionYears},
    entities::{
        audit_entries, cases as case_rows, check_ins, comments, invitations, outbox_emails, pact_entries,
        partners, password_resets, private_note_replies, private_notes, reminder_log, responses,
        sessions as session_rows, sign_in_throttles, users, wishes,
    },
    error::AppError,
    services::{
        cases, erasure, exchange, homework, housekeeping, messages, outbox,
        sessions::{self, SessionPolicy},
        settings, Actor,
    },
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use support::fixtures::*;

/// A marker in every piece of writing, to search the audit trail for it afterwards.
const MARK: &str = "ERASEME";

fn check_in(week: chrono::NaiveDate) -> exchange::CheckInForm {
    exchange::CheckInForm {
        week_start: week,
        my_part: "done".into(),
        noticed: "done".into(),
        emotional: 5,
        physical: 5,
        note: format!("{MARK} check-in note"),
    }
}

/// A couple past step 1 (shared, so wishes exist) where each partner has written a
/// check-in, a step 5 entry and a private note with a reply, the therapist commented, wrote
/// notes and sent a follow-up with a consultation time.
async fn couple_with_writing(db: &DatabaseConnection, tag: &str) -> Couple {
    let c = couple_past_step_1(db, tag).await;
    share_step_1(db, &c).await;
    open_exchange(db, &c).await;
    let week = app::services::clock::week_start(t0().date_naive());
    let step1 = steps(db, c.case_id).await[0].id;
    for client in [c.a, c.b] {
        exchange::save_check_in(db, client, check_in(week), t0()).await.unwrap();
        exchange::save_pact(db, client, &format!("{MARK} letting go"), false, false, false, t0())
            .await
            .unwrap();
        exchange::send_private_note(db, client, &format!("{MARK} private note"), false, t0()).await.unwrap();
    }
    let review = homework::review_sheet(db, c.therapist, step1, t0()).await.unwrap();
    let response = review.partners[0].1.clone().unwrap().id;
    homework::comment(db, c.therapist, response, None, &format!("{MARK} comment"), t0()).await.unwrap();
    for note in private_notes::Entity::find().all(db).await.unwrap() {
        exchange::reply_to_private_note(db, c.therapist, note.id, &format!("{MARK} reply"), t0())
            .await
            .unwrap();
    }
    let notes = app::domain::case::TherapistNotes::parse(&format!("{MARK} therapist notes")).unwrap();
    cases::update_notes(db, c.therapist, c.case_id, notes, t0()).await.unwrap();
    let follow_up = messages::FollowUp {
        recipients: app::domain::homework::Recipients::Both,
        subject: "Checking in".into(),
        body: format!("Hello {{first_name}}. {MARK}"),
        progress_summary: String::new(),
        send_at: None,
        times: vec![t0() + Duration::days(3)],
    };
    messages::send_follow_up(db, c.therapist, c.case_id, follow_up, t0()).await.unwrap();
    c
}

async fn partner_ids(db: &DatabaseConnection, case_id: i32) -> (i32, i32) {
    let found = app::services::access::partners_of(db, case_id).await.unwrap();
    (found[0].id, found[1].id)
}

/// The audit entries of a case written by erasure (`content.erased` or `content.purged`).
async fn tombstones(db: &DatabaseConnection, case_id: i32, action: &str) -> Vec<audit_entries::Model> {
    audit_entries::Entity::find()
        .filter(audit_entries::Column::CaseId.eq(case_id))
        .filter(audit_entries::Column::Action.eq(action))
        .order_by_asc(audit_entries::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// No audit entry holds the marker, and the trail still refuses UPDATE and DELETE.
async fn audit_is_untouched_and_content_free(db: &DatabaseConnection) {
    for entry in audit_entries::Entity::find().all(db).await.unwrap() {
        assert!(!format!("{entry:?}").contains(MARK), "content in the audit trail: {entry:?}");
    }
    for statement in ["UPDATE audit_entries SET action = 'changed'", "DELETE FROM audit_entries"] {
        assert!(db.execute_unprepared(statement).await.is_err(), "{statement} was allowed");
    }
}

async fn erasing_a_partner_removes_their_content_and_leaves_a_tombstone(db: &DatabaseConnection) {
    let c = couple_with_writing(db, "erase-partner").await;
    let (alex, sam) = partner_ids(db, c.case_id).await;
    let audit_before = audit_entries::Entity::find().count(db).await.unwrap();
    let alex_session = sessions::start(db, c.a, SessionPolicy::default(), t0()).await.unwrap();

    // Nobody but the owner may erase; a partner of another case is not one of this case's.
    let stranger = therapist(db, "stranger@example.org").await;
    let scope = erasure::Scope::Partner(alex);
    assert_eq!(erasure::erase(db, stranger, c.case_id, scope, t0()).await.unwrap_err(), AppError::NotFound);
    assert!(matches!(erasure::erase(db, c.a, c.case_id, scope, t0()).await, Err(AppError::Forbidden)));
    let other = couple(db, "erase-other").await;
    let foreign = erasure::Scope::Partner(partner_ids(db, other.case_id).await.0);
    assert!(matches!(
        erasure::erase(db, c.therapist, c.case_id, foreign, t0()).await,
        Err(AppError::Invalid { .. })
    ));

    let later = t0() + Duration::days(1);
    let erased = erasure::erase(db, c.therapist, c.case_id, scope, later).await.unwrap();
    assert_eq!(erased.count("answers"), 1, "{erased:?}");
    assert_eq!(erased.count("comments"), 1);
    assert_eq!(erased.count("check_ins"), 1);
    assert_eq!(erased.count("step_5_entries"), 1);
    assert_eq!(erased.count("private_notes"), 1);
    assert_eq!(erased.count("private_note_replies"), 1);
    assert_eq!(erased.count("wishes"), 3, "the wishes between the partners go with either");
    assert_eq!(erased.count("consultation_links"), 1);
    assert_eq!(erased.count("client_accounts"), 1);
    assert!(erased.count("email_bodies") >= 1);

    // Alex's content is gone from every table; Sam's own writing stays.
    assert_eq!(
        responses::Entity::find().filter(responses::Column::PartnerId.eq(alex)).count(db).await.unwrap(),
        0
    );
    assert_eq!(comments::Entity::find().count(db).await.unwrap(), 0, "the comment on Alex's answers");
    assert_eq!(
        check_ins::Entity::find().filter(check_ins::Column::PartnerId.eq(alex)).count(db).await.unwrap(),
        0
    );
    assert_eq!(
        pact_entries::Entity::find()
            .filter(pact_entries::Column::PartnerId.eq(alex))
            .count(db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        private_notes::Entity::find()
            .filter(private_notes::Column::PartnerId.eq(alex))
            .count(db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(private_note_replies::Entity::find().count(db).await.unwrap(), 1, "Sam's reply stays");
    assert_eq!(
        wishes::Entity::find().filter(wishes::Column::CaseId.eq(c.case_id)).count(db).await.unwrap(),
        0
    );
    assert_eq!(
        responses::Entity::find().filter(responses::Column::PartnerId.eq(sam)).count(db).await.unwrap(),
        1
    );
    assert_eq!(
        check_ins::Entity::find().filter(check_ins::Column::PartnerId.eq(sam)).count(db).await.unwrap(),
        1
    );
    let alex_emails = outbox_emails::Entity::find()
        .filter(outbox_emails::Column::PartnerId.eq(alex))
        .all(db)
        .await
        .unwrap();
    assert!(!alex_emails.is_empty());
    assert!(alex_emails
        .iter()
        .all(|e| e.text_body.is_empty() && e.html_body.is_empty() && e.calendar.is_none()));
    assert!(alex_emails.iter().all(|e| e.status.as_str() != "pending"), "unsent emails are cancelled");
    let sam_follow_up =
        emails_of(db, c.case_id, "follow_up").await.into_iter().find(|e| e.partner_id == Some(sam));
    assert!(sam_follow_up.unwrap().text_body.contains(MARK), "Sam's email is not Alex's");
    // The partner row stays, emptied and removed; the account is gone and signed out.
    let row = partners::Entity::find_by_id(alex).one(db).await.unwrap().unwrap();
    assert_eq!((row.first_name.as_str(), row.last_name, row.client_user_id), ("Erased", None, None));
    assert!(row.email.ends_with("@invalid") && row.removed_at.is_some() && row.erased_at == Some(later));
    assert!(users::Entity::find_by_id(c.a.user_id).one(db).await.unwrap().is_none());
    assert!(sessions::authenticate(db, &alex_session, SessionPolicy::default(), later)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        case_rows::Entity::find_by_id(c.case_id).one(db).await.unwrap().unwrap().therapist_notes,
        format!("{MARK} therapist notes")
    );

    // The tombstone: the erasure by the therapist, then one entry per kind with its count.
    let stones = tombstones(db, c.case_id, "content.erased").await;
    assert_eq!(stones[0].record_type, "partner");
    assert_eq!(stones[0].record_id, alex.to_string());
    assert!(stones
        .iter()
        .all(|s| s.actor_user_id == Some(c.therapist.user_id) && s.partner_id == Some(alex)));
    assert!(stones.iter().all(|s| s.occurred_at == later));
    assert!(stones.iter().any(|s| s.record_type == "erased.answers" && s.record_id == "1"));
    assert!(stones.iter().any(|s| s.record_type == "erased.wishes" && s.record_id == "3"));
    assert_eq!(stones.len(), 1 + erased.0.len());
    // Nothing was removed from the trail.
    assert!(audit_entries::Entity::find().count(db).await.unwrap() > audit_before);
    audit_is_untouched_and_content_free(db).await;
}

async fn erasing_a_case_removes_both_partners_and_the_therapists_notes(db: &DatabaseConnection) {
    let c = couple_with_writing(db, "erase-case").await;
    let erased = erasure::erase(db, c.therapist, c.case_id, erasure::Scope::Case, t0()).await.unwrap();
    assert_eq!(erased.count("answers"), 2);
    assert_eq!(erased.count("check_ins"), 2);
    assert_eq!(erased.count("private_notes"), 2);
    assert_eq!(erased.count("private_note_replies"), 2);
    assert_eq!(erased.count("therapist_notes"), 1);
    assert_eq!(erased.count("consultation_times"), 1);
    assert_eq!(erased.count("client_accounts"), 2);
    let case = case_rows::Entity::find_by_id(c.case_id).one(db).await.unwrap().unwrap();
    assert_eq!(case.label, format!("Erased case {}", c.case_id));
    assert!(
        case.therapist_notes.is_empty() && case.status == CaseStatus::Closed && case.erased_at == Some(t0())
    );
    for entity_count in [
        responses::Entity::find().count(db).await.unwrap(),
        comments::Entity::find().count(db).await.unwrap(),
        check_ins::Entity::find().count(db).await.unwrap(),
        pact_entries::Entity::find().count(db).await.unwrap(),
        private_notes::Entity::find().count(db).await.unwrap(),
        private_note_replies::Entity::find().count(db).await.unwrap(),
        wishes::Entity::find().count(db).await.unwrap(),
    ] {
        assert_eq!(entity_count, 0);
    }
    let emails =
        outbox_emails::Entity::find().filter(outbox_emails::Column::CaseId.eq(c.case_id)).all(db).await;
    assert!(emails.unwrap().iter().all(|e| e.text_body.is_empty() && e.html_body.is_empty()));
    let stones = tombstones(db, c.case_id, "content.erased").await;
    assert_eq!((stones[0].record_type.as_str(), stones[0].partner_id), ("case", None));
    // The case page still opens for its therapist, saying what happened.
    let page = app::services::case_page::case_notes(db, c.therapist, c.case_id, "UTC", t0()).await.unwrap();
    assert_eq!(page.detail.case.erased_at, Some(t0()));
    audit_is_untouched_and_content_free(db).await;
}

/// Closes `c`'s case at `at`.
async fn close_at(db: &DatabaseConnection, therapist: Actor, case_id: i32, at: DateTime<Utc>) {
    cases::set_status(db, therapist, case_id, CaseStatus::Closed, at).await.unwrap();
}

async fn retention_purges_only_what_is_due(db: &DatabaseConnection) {
    let now = t0();
    let years = |n: u32| chrono::Months::new(12 * n);
    // Closed 7 years and a day ago, with the default of 7 years: due.
    let due = couple_with_writing(db, "due").await;
    close_at(db, due.therapist, due.case_id, now.checked_sub_months(years(7)).unwrap() - Duration::days(1))
        .await;
    // Closed 6 years ago: not yet, and its purge date is shown.
    let recent = couple(db, "recent").await;
    close_at(db, recent.therapist, recent.case_id, now.checked_sub_months(years(6)).unwrap()).await;
    // Closed 8 years ago by a therapist who keeps cases 10 years: not yet.
    let kept = couple(db, "kept").await;
    settings::set_retention_years(db, kept.therapist, "10", now).await.unwrap();
    close_at(db, kept.therapist, kept.case_id, now.checked_sub_months(years(8)).unwrap()).await;
    // Open for 9 years: never purged.
    let open = couple(db, "open").await;

    assert_eq!(
        settings::set_retention_years(db, kept.therapist, "0", now)
            .await
            .unwrap_err()
            .message_for("retention_years"),
        Some("Enter a whole number of years from 1 to 50.".to_owned())
    );
    assert!(settings::set_retention_years(db, kept.a, "3", now).await.is_err(), "clients have no retention");
    let default = users::Entity::find_by_id(recent.therapist.user_id).one(db).await.unwrap().unwrap();
    assert_eq!(default.retention_years, RetentionYears::DEFAULT);

    assert_eq!(erasure::purge_due(db, now).await.unwrap(), 1);
    assert_eq!(erasure::purge_due(db, now).await.unwrap(), 0, "a purged case is not purged again");
    let purged = case_rows::Entity::find_by_id(due.case_id).one(db).await.unwrap().unwrap();
    assert_eq!(purged.erased_at, Some(now));
    assert_eq!(responses::Entity::find().count(db).await.unwrap(), 0, "only the due case had answers");
    let stones = tombstones(db, due.case_id, "content.purged").await;
    assert!(stones.len() > 1 && stones.iter().all(|s| s.actor_user_id.is_none()));
    for case in [recent.case_id, kept.case_id, open.case_id] {
        let row = case_rows::Entity::find_by_id(case).one(db).await.unwrap().unwrap();
        assert!(row.erased_at.is_none() && !row.label.starts_with("Erased"));
        assert!(tombstones(db, case, "content.purged").await.is_empty());
    }
    // The recent case is purged on the day its purge date names, not before.
    let closed_at = now.checked_sub_months(years(6)).unwrap();
    let purge_on = erasure::purge_date(closed_at, 7);
    assert_eq!(erasure::purge_due(db, purge_on - Duration::seconds(1)).await.unwrap(), 0);
    assert_eq!(erasure::purge_due(db, purge_on).await.unwrap(), 1);
    audit_is_untouched_and_content_free(db).await;
    let _ = open.therapist;
}

async fn the_daily_clean_up_removes_only_expired_rows(db: &DatabaseConnection) {
    let c = couple(db, "clean-up").await;
    let now = t0() + Duration::days(100);
    // Sessions: one past its absolute expiry, one live.
    let old = sessions::start(db, c.a, SessionPolicy::default(), t0()).await.unwrap();
    let live = sessions::start(db, c.b, SessionPolicy::default(), now - Duration::minutes(5)).await.unwrap();
    // Throttles: one forgotten long ago, one recent.
    for (key, at) in [("old-key", now - Duration::days(2)), ("new-key", now - Duration::minutes(1))] {
        sign_in_throttles::Entity::insert(sign_in_throttles::ActiveModel {
            scope_key: Set(key.to_owned()),
            failures: Set(3),
            last_failure_at: Set(at),
        })
        .exec_without_returning(db)
        .await
        .unwrap();
    }
    // Reminder keys: one old, one recent.
    for (key, at) in [("old:1", now - Duration::days(40)), ("new:1", now - Duration::days(1))] {
        reminder_log::Entity::insert(reminder_log::ActiveModel {
            idempotency_key: Set(key.to_owned()),
            created_at: Set(at),
            ..Default::default()
        })
        .exec_without_returning(db)
        .await
        .unwrap();
    }
    // Password resets: one expired, one live.
    for expires_at in [now - Duration::minutes(1), now + Duration::minutes(20)] {
        password_resets::Entity::insert(password_resets::ActiveModel {
            user_id: Set(c.a.user_id),
            outbox_email_id: Set(None),
            token_hash: Set(None),
            created_at: Set(expires_at - Duration::minutes(30)),
            expires_at: Set(expires_at),
            used_at: Set(None),
            ..Default::default()
        })
        .exec_without_returning(db)
        .await
        .unwrap();
    }
    let invitations_before = invitations::Entity::find().count(db).await.unwrap();
    assert_eq!(invitations_before, 2, "the couple's two used invitations, used at t0");

    let purged = housekeeping::purge_expired(db, now).await.unwrap();
    assert!(purged.sessions >= 1, "{purged:?}");
    assert_eq!(purged.throttles, 1);
    assert_eq!(purged.reminder_keys, 1);
    assert_eq!(purged.reset_links, 1);
    assert_eq!(purged.invitations, 2, "used more than 90 days ago");
    assert!(sessions::authenticate(db, &old, SessionPolicy::default(), now).await.unwrap().is_none());
    assert!(sessions::authenticate(db, &live, SessionPolicy::default(), now).await.unwrap().is_some());
    let keys: Vec<String> =
        sign_in_throttles::Entity::find().all(db).await.unwrap().into_iter().map(|t| t.scope_key).collect();
    assert!(keys.contains(&"new-key".to_owned()) && !keys.contains(&"old-key".to_owned()));
    let logged: Vec<String> =
        reminder_log::Entity::find().all(db).await.unwrap().into_iter().map(|r| r.idempotency_key).collect();
    assert_eq!(logged, vec!["new:1".to_owned()]);
    assert_eq!(password_resets::Entity::find().count(db).await.unwrap(), 1);
    assert_eq!(session_rows::Entity::find().count(db).await.unwrap(), 1);
    // Run again: nothing more is due.
    assert_eq!(housekeeping::purge_expired(db, now).await.unwrap(), housekeeping::Purged::default());
}

async fn a_sent_email_keeps_no_body(db: &DatabaseConnection) {
    let c = couple_with_writing(db, "sent-body").await;
    let email = emails_of(db, c.case_id, "follow_up").await.remove(0);
    assert!(email.text_body.contains(MARK) && email.calendar.is_none());
    outbox::mark_sent(db, email.id, t0()).await.unwrap();
    let sent = outbox_emails::Entity::find_by_id(email.id).one(db).await.unwrap().unwrap();
    assert!(sent.text_body.is_empty() && sent.html_body.is_empty() && sent.calendar.is_none());
    assert_eq!((sent.subject, sent.to_address, sent.sent_at), (email.subject, email.to_address, Some(t0())));
    assert_eq!(sent.status.as_str(), "sent");
}

on_both_databases!(
    erasing_a_partner_removes_their_content_and_leaves_a_tombstone,
    erasing_a_case_removes_both_partners_and_the_therapists_notes,
    retention_purges_only_what_is_due,
    the_daily_clean_up_removes_only_expired_rows,
    a_sent_email_keeps_no_body,
);
