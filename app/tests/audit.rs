//! Service tests for the audit trail (`services/audit*`): each read and write of clinical
//! writing leaves exactly its entry (with case, partner and outcome), sign-ins and refused
//! requests are recorded with the request's address and session reference, the table
//! refuses UPDATE, DELETE and TRUNCATE, and the therapist's view filters, pages and exports
//! only their own entries — on SQLite and PostgreSQL.

use crate::support;

use app::{
    domain::{
        audit::{AuditFilter, AuditOutcome, AuditPageNumber},
        case::TherapistNotes,
        exchange::WishAction,
    },
    entities::{audit_entries, partners, responses},
    error::AppError,
    services::{
        accounts::{self, SignInAttempt},
        audit::{
            self,
            export::to_csv,
            view::{self, AuditRow, AUDIT_PAGE_SIZE},
        },
        case_page::case_notes,
        cases, exchange,
        homework::{self, SaveIntent},
        request_context::{self as context, RequestContext},
        sessions::{self, SessionPolicy},
        Actor,
    },
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use support::fixtures::*;

/// Entries written after entry `after`, oldest first.
async fn entries_after(db: &DatabaseConnection, after: i64) -> Vec<audit_entries::Model> {
    audit_entries::Entity::find()
        .filter(audit_entries::Column::Id.gt(after))
        .order_by_asc(audit_entries::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// The newest entry's id (0 for none).
async fn last_id(db: &DatabaseConnection) -> i64 {
    audit_entries::Entity::find()
        .order_by_desc(audit_entries::Column::Id)
        .one(db)
        .await
        .unwrap()
        .map_or(0, |entry| entry.id)
}

/// A partner's id by their account.
async fn partner_of(db: &DatabaseConnection, client: Actor) -> i32 {
    partners::Entity::find()
        .filter(partners::Column::ClientUserId.eq(client.user_id))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Checks that exactly one entry was written since `since`, as described, and moves
/// `since` past it.
async fn expect_one(
    db: &DatabaseConnection,
    since: &mut i64,
    action: &str,
    actor: Actor,
    case_id: i32,
    partner_id: Option<i32>,
) {
    let new = entries_after(db, *since).await;
    let summary: Vec<&str> = new.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(summary, [action], "entries after {action}");
    let entry = &new[0];
    assert_eq!(entry.actor_user_id, Some(actor.user_id), "{action}: actor");
    assert_eq!(entry.case_id, Some(case_id), "{action}: case");
    assert_eq!(entry.partner_id, partner_id, "{action}: partner");
    assert_eq!(entry.outcome, AuditOutcome::Allowed, "{action}: outcome");
    *since = entry.id;
}

async fn each_read_and_write_leaves_its_entry(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "each").await;
    let (a, b) = (partner_of(db, c.a).await, partner_of(db, c.b).await);
    let step1 = steps(db, c.case_id).await[0].id;
    let t = c.therapist;
    let mut since = last_id(db).await;

    // Answers and drafts: the client's sheet and a draft save; the therapist's review.
    homework::open_sheet(db, c.a, step1, t0()).await.unwrap();
    expect_one(db, &mut since, "homework.opened", c.a, c.case_id, Some(a)).await;
    let step2 = steps(db, c.case_id).await[1].id;
    homework::save_answers(db, c.a, step2, 0, &answers(&[]), SaveIntent::Draft, t0()).await.unwrap();
    expect_one(db, &mut since, "homework.saved", c.a, c.case_id, Some(a)).await;
    homework::review_sheet(db, t, step1, t0()).await.unwrap();
    expect_one(db, &mut since, "homework.review_opened", t, c.case_id, None).await;

    // A comment to partner A.
    let response = responses::Entity::find()
        .filter(responses::Column::AssignmentId.eq(step1))
        .filter(responses::Column::PartnerId.eq(a))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    homework::comment(db, t, response.id, None, "Thank you for this.", t0()).await.unwrap();
    expect_one(db, &mut since, "comment.added", t, c.case_id, Some(a)).await;

    // Wishes and offers, and the agreement they become.
    share_step_1(db, &c).await;
    open_exchange(db, &c).await;
    since = last_id(db).await;
    let board = exchange::board(db, c.b, t0()).await.unwrap();
    expect_one(db, &mut since, "wishes.viewed", c.b, c.case_id, Some(b)).await;
    let wish = board.wishes.iter().find(|w| w.wish.text == "Ask about my day").unwrap().wish.clone();
    let yes = exchange::ActionDetails { offer: String::new(), ease: Some(4) };
    exchange::act_on_wish(db, c.b, wish.id, wish.version, WishAction::Yes, yes, t0()).await.unwrap();
    expect_one(db, &mut since, "wish.changed", c.b, c.case_id, Some(b)).await;
    let agreement = exchange::board(db, c.b, t0()).await.unwrap().agreements[0].id;
    since = last_id(db).await;
    exchange::choose_agreement(db, c.b, agreement, true, 3, t0()).await.unwrap();
    expect_one(db, &mut since, "agreement.chosen", c.b, c.case_id, Some(b)).await;

    // A check-in, written and read.
    let form = exchange::CheckInForm {
        week_start: app::services::clock::week_start(t0().date_naive()),
        my_part: "done".into(),
        noticed: "partly".into(),
        emotional: 6,
        physical: 5,
        note: "A calmer week.".into(),
    };
    exchange::save_check_in(db, c.a, form, t0()).await.unwrap();
    expect_one(db, &mut since, "check_in.saved", c.a, c.case_id, Some(a)).await;
    exchange::practice(db, c.a, t0()).await.unwrap();
    expect_one(db, &mut since, "check_ins.viewed", c.a, c.case_id, Some(a)).await;

    // Step 5 writing, written and read.
    exchange::save_pact(db, c.a, "Old arguments about money.", false, false, false, t0()).await.unwrap();
    expect_one(db, &mut since, "pact.saved", c.a, c.case_id, Some(a)).await;
    exchange::pact(db, c.a, t0()).await.unwrap();
    expect_one(db, &mut since, "pact.viewed", c.a, c.case_id, Some(a)).await;

    // A private note: sent, opened by the therapist, replied to, the reply read.
    exchange::send_private_note(db, c.a, "Something I want you to know.", false, t0()).await.unwrap();
    expect_one(db, &mut since, "private_note.sent", c.a, c.case_id, Some(a)).await;
    let note = exchange::my_private_notes(db, c.a, t0()).await.unwrap().threads[0].note.id;
    expect_one(db, &mut since, "private_notes.viewed", c.a, c.case_id, Some(a)).await;
    exchange::mark_private_note_read(db, t, note, t0()).await.unwrap();
    expect_one(db, &mut since, "private_note.read", t, c.case_id, Some(a)).await;
    exchange::reply_to_private_note(db, t, note, "Thank you for telling me.", t0()).await.unwrap();
    expect_one(db, &mut since, "private_note.replied", t, c.case_id, Some(a)).await;
    exchange::mark_replies_read(db, c.a, note, t0()).await.unwrap();
    expect_one(db, &mut since, "private_note.reply_read", c.a, c.case_id, Some(a)).await;

    // The therapist's notes and the case page.
    let notes = TherapistNotes::parse("Seen together twice.").unwrap();
    cases::update_notes(db, t, c.case_id, notes, t0()).await.unwrap();
    expect_one(db, &mut since, "case.notes_updated", t, c.case_id, None).await;
    // The notes tab opens two records: the case and its session notes.
    case_notes(db, t, c.case_id, "UTC", t0()).await.unwrap();
    let opened = entries_after(db, since).await;
    let actions: Vec<&str> = opened.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["case.viewed", "therapy_sessions.viewed"]);
    assert!(opened.iter().all(|e| e.actor_user_id == Some(t.user_id) && e.case_id == Some(c.case_id)));
}

/// A sign-in from the address the request comes from.
fn attempt<'a>(email: &'a str, password: &'a str) -> SignInAttempt<'a> {
    SignInAttempt { email, password, client_address: "198.51.100.23".parse().unwrap() }
}

async fn sign_ins_and_refusals_carry_the_request(db: &DatabaseConnection) {
    let c = couple(db, "signin").await;
    let a = partner_of(db, c.a).await;
    let client_email = "a.signin@example.org";
    let request = RequestContext::new(Some("198.51.100.23".parse().unwrap()));
    let since = last_id(db).await;
    context::scope(request.clone(), async {
        // A failed sign-in for an unknown email: no account, nothing of the email.
        let refused = accounts::sign_in(db, attempt("nobody@example.org", "wrong password"), t0()).await;
        assert!(refused.is_err());
        // A wrong password for a client's account, then a sign-in and a session.
        assert!(accounts::sign_in(db, attempt(client_email, "wrong password"), t0()).await.is_err());
        let actor = accounts::sign_in(db, attempt(client_email, PASSWORD), t0()).await.unwrap();
        let token = sessions::start(db, actor, SessionPolicy::default(), t0()).await.unwrap();
        // A refused call by the signed-in client, as the server's request layer records it.
        audit::record_refusal(db, "cases/page", 403, t0()).await.unwrap();
        sessions::end(db, &token, t0()).await.unwrap();
    })
    .await;
    let new = entries_after(db, since).await;
    let actions: Vec<&str> = new.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["session.refused", "session.refused", "session.started", "request.forbidden", "session.ended"]
    );
    let unknown = &new[0];
    assert_eq!((unknown.actor_user_id, unknown.case_id, unknown.record_id.as_str()), (None, None, ""));
    assert_eq!(unknown.outcome, AuditOutcome::Refused);
    assert!(!format!("{unknown:?}").contains("nobody"), "no email text: {unknown:?}");
    let wrong = &new[1];
    assert_eq!((wrong.actor_user_id, wrong.case_id, wrong.partner_id), (None, Some(c.case_id), Some(a)));
    let session = request.session().expect("the session was noted").session_id;
    for entry in &new {
        assert_eq!(entry.client_address.as_deref(), Some("198.51.100.23"), "{}", entry.action);
    }
    for entry in &new[2..] {
        assert_eq!(entry.session_ref, Some(session), "{}", entry.action);
        assert_eq!(entry.actor_user_id, Some(c.a.user_id), "{}", entry.action);
    }
    let refusal = &new[3];
    assert_eq!((refusal.record_type.as_str(), refusal.record_id.as_str()), ("endpoint", "cases/page"));
    assert_eq!(refusal.outcome, AuditOutcome::Refused);
    // Outside a request there is no address and no session.
    audit::record_refusal(db, "cases/page", 404, t0()).await.unwrap();
    let outside = entries_after(db, new[4].id).await;
    assert_eq!(
        (outside[0].client_address.clone(), outside[0].session_ref, outside[0].actor_user_id),
        (None, None, None)
    );
}

async fn the_trail_cannot_be_changed(db: &DatabaseConnection) {
    therapist(db, "append@example.org").await;
    assert!(last_id(db).await > 0);
    for statement in ["UPDATE audit_entries SET action = 'changed'", "DELETE FROM audit_entries"] {
        assert!(db.execute_unprepared(statement).await.is_err(), "{statement} was allowed");
    }
    if db.get_database_backend() == DatabaseBackend::Postgres {
        assert!(db.execute_unprepared("TRUNCATE audit_entries").await.is_err(), "TRUNCATE was allowed");
    }
    let kept = audit_entries::Entity::find().all(db).await.unwrap();
    assert!(!kept.is_empty() && kept.iter().all(|e| e.action != "changed"));
}

/// Partner A opens their step 1 sheet `times` times, a minute apart from `start`.
async fn open_sheets(db: &DatabaseConnection, c: &Couple, start: DateTime<Utc>, times: i64) {
    let step1 = steps(db, c.case_id).await[0].id;
    for minute in 0..times {
        homework::open_sheet(db, c.a, step1, start + Duration::minutes(minute)).await.unwrap();
    }
}

async fn the_view_filters_pages_and_stays_in_its_scope(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "view").await;
    let other = couple_past_step_1(db, "elsewhere").await;
    let (a, b) = (partner_of(db, c.a).await, partner_of(db, c.b).await);
    open_sheets(db, &c, t0() + Duration::days(1), 60).await;
    open_sheets(db, &other, t0() + Duration::days(1), 3).await;
    let later = t0() + Duration::days(3);
    homework::open_sheet(db, c.b, steps(db, c.case_id).await[0].id, later).await.unwrap();

    let page = |n: &str| AuditPageNumber::from_query(n);
    let by_partner = |partner: i32| AuditFilter { partner_id: Some(partner), ..AuditFilter::default() };
    let scope = || async { view::case_scope(db, c.therapist, c.case_id).await.unwrap() };
    // Partner A: 60 openings plus their step 1 save, newest first, 50 to a page.
    let first =
        view::audit_page(db, c.therapist, scope().await, &by_partner(a), page("1"), t0()).await.unwrap();
    assert_eq!(first.total, 61);
    assert_eq!(first.rows.len() as u64, AUDIT_PAGE_SIZE);
    assert!(first.rows.windows(2).all(|w| w[0].entry.occurred_at >= w[1].entry.occurred_at));
    assert!(first
        .rows
        .iter()
        .all(|row| row.entry.partner_id == Some(a) && row.partner.as_deref() == Some("Alex")));
    assert_eq!(first.rows[0].actor, "Alex");
    let second =
        view::audit_page(db, c.therapist, scope().await, &by_partner(a), page("2"), t0()).await.unwrap();
    assert_eq!(second.rows.len(), 11);
    let beyond = view::audit_page(db, c.therapist, scope().await, &by_partner(a), page("999999999"), t0())
        .await
        .unwrap();
    assert_eq!((beyond.page.get(), beyond.rows.len()), (10_000, 0));
    // By action and by dates (the therapist's time zone; the openings are on day 2).
    let opened = AuditFilter { action: Some("homework.opened".into()), ..AuditFilter::default() };
    assert_eq!(
        view::audit_page(db, c.therapist, scope().await, &opened, page("1"), t0()).await.unwrap().total,
        61
    );
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d);
    let day_3 = AuditFilter { from: day(28), to: day(28), ..AuditFilter::default() };
    let found = view::audit_page(db, c.therapist, scope().await, &day_3, page("1"), t0()).await.unwrap();
    assert_eq!(found.rows.iter().map(|r| r.entry.partner_id).collect::<Vec<_>>(), [Some(b)]);
    assert!(first.actions.contains(&"homework.opened".to_owned()));
    assert_eq!(first.partners.iter().map(|p| p.id).collect::<Vec<_>>(), [a, b]);
    // Opening the view is itself audited.
    let viewed = AuditFilter { action: Some("audit.viewed".into()), ..AuditFilter::default() };
    assert!(
        view::audit_page(db, c.therapist, scope().await, &viewed, page("1"), t0()).await.unwrap().total >= 5
    );

    // Another therapist's case is "not found"; a client is refused.
    assert_eq!(view::case_scope(db, other.therapist, c.case_id).await.unwrap_err(), AppError::NotFound);
    assert_eq!(view::case_scope(db, c.a, c.case_id).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(view::account_scope(c.a).unwrap_err(), AppError::Forbidden);
    // The account view holds the own cases' entries and nothing of the other case.
    let scope = view::account_scope(c.therapist).unwrap();
    let all = AuditFilter::default();
    let account = view::export_rows(db, c.therapist, scope, &all, t0()).await.unwrap();
    assert!(account.iter().any(|r| r.entry.action == "account.invitation_completed" && r.actor == "You"));
    assert!(account.iter().all(|r| r.entry.case_id.is_none() || r.entry.case_id == Some(c.case_id)));
    assert!(account.iter().all(|r| r.entry.actor_user_id != Some(other.a.user_id)));
    assert_eq!(account.iter().filter(|r| r.entry.action == "homework.opened").count(), 61);
}

async fn clients_see_when_their_therapist_opened_their_writing(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "opened").await;
    let step1 = steps(db, c.case_id).await[0].id;
    assert!(view::writing_opened(db, c.a).await.unwrap().is_empty());
    exchange::send_private_note(db, c.a, "Only for you.", false, t0()).await.unwrap();
    let note = exchange::my_private_notes(db, c.a, t0()).await.unwrap().threads[0].note.id;
    case_notes(db, c.therapist, c.case_id, "UTC", t0() + Duration::minutes(1)).await.unwrap();
    homework::review_sheet(db, c.therapist, step1, t0() + Duration::minutes(2)).await.unwrap();
    exchange::mark_private_note_read(db, c.therapist, note, t0() + Duration::minutes(3)).await.unwrap();
    let actions = |list: Vec<view::WritingOpened>| list.into_iter().map(|o| o.action).collect::<Vec<_>>();
    assert_eq!(
        actions(view::writing_opened(db, c.a).await.unwrap()),
        ["private_note.read", "homework.review_opened", "case.viewed"]
    );
    // Partner B sees the readings of the couple's writing, never of A's private note.
    assert_eq!(
        actions(view::writing_opened(db, c.b).await.unwrap()),
        ["homework.review_opened", "case.viewed"]
    );
    assert_eq!(view::writing_opened(db, c.therapist).await.unwrap_err(), AppError::Forbidden);
}

async fn the_csv_export_is_audited_and_holds_the_view(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "csv").await;
    let since = last_id(db).await;
    let scope = view::case_scope(db, c.therapist, c.case_id).await.unwrap();
    let rows = view::export_rows(db, c.therapist, scope, &AuditFilter::default(), t0()).await.unwrap();
    let text = to_csv(&rows).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert!(lines[0].starts_with("occurred_at_utc,actor,action,outcome,case,partner"), "{}", lines[0]);
    assert_eq!(lines.len(), rows.len() + 2, "a header, one line per entry, and the last line end");
    assert!(text.contains("Alex & Sam"));
    let exported = entries_after(db, since).await;
    assert_eq!(exported.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["audit.exported"]);
    assert_eq!(exported[0].case_id, Some(c.case_id));
}

on_both_databases!(
    each_read_and_write_leaves_its_entry,
    sign_ins_and_refusals_carry_the_request,
    the_trail_cannot_be_changed,
    the_view_filters_pages_and_stays_in_its_scope,
    clients_see_when_their_therapist_opened_their_writing,
    the_csv_export_is_audited_and_holds_the_view,
);

/// An entry as the CSV writer receives it.
fn row(actor: &str, case_label: &str) -> AuditRow {
    AuditRow {
        entry: audit_entries::Model {
            id: 7,
            actor_user_id: Some(1),
            action: "homework.opened".into(),
            record_type: "assignment".into(),
            record_id: "3".into(),
            occurred_at: t0(),
            case_id: Some(2),
            partner_id: None,
            outcome: AuditOutcome::Allowed,
            client_address: Some("::1".into()),
            session_ref: Some(5),
        },
        actor: actor.into(),
        case_label: Some(case_label.into()),
        partner: Some("-1+1".into()),
    }
}

#[test]
fn csv_cells_are_escaped_and_formulas_defused() {
    let text = to_csv(&[row("=HYPERLINK(\"http://x\")", "Alex, \"Sam\"\nand more")]).unwrap();
    let mut lines = text.splitn(2, "\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "occurred_at_utc,actor,action,outcome,case,partner,record_type,record_id,client_address,session_ref,entry_id"
    );
    assert_eq!(
        lines.next().unwrap(),
        "2026-11-25T09:00:00Z,\"'=HYPERLINK(\"\"http://x\"\")\",homework: opened,allowed,\
         \"Alex, \"\"Sam\"\"\nand more\",'-1+1,assignment,3,::1,5,7\r\n"
    );
    for cell in ["+1", "@SUM(A1)"] {
        assert!(to_csv(&[row(cell, "x")]).unwrap().contains(&format!("'{cell}")), "{cell}");
    }
}
