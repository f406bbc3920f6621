//! Service tests for "What's new" (`services/whats_new.rs`) and for times in the
//! therapist's zone in the consultation emails and calendar file — on SQLite and
//! PostgreSQL. Every time comes from the fixed clock (`t0`).

use crate::support;

use app::{
    domain::{homework::Recipients, time_zone::TimeZoneName, whats_new::WhatsNewKind},
    entities::{cases, outbox_emails},
    error::AppError,
    services::{
        caseload::{self, CaseloadQuery, CaseloadSort},
        exchange, homework, messages, settings, whats_new,
    },
};
use chrono::{Duration, TimeZone, Utc};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Query},
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use support::fixtures::*;

/// The kinds of the therapist's list, newest first.
async fn kinds(db: &DatabaseConnection, c: &Couple) -> Vec<WhatsNewKind> {
    whats_new::items(db, c.therapist, t0()).await.unwrap().into_iter().map(|item| item.kind).collect()
}

/// Submissions, shares, private notes, chosen times and undelivered emails of the
/// therapist's own cases count, newest first; another therapist's never do.
async fn what_counts_as_new(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "new").await;
    let other = couple_past_step_1(db, "other").await;
    let step1 = steps(db, c.case_id).await[0].id;
    assert_eq!(kinds(db, &c).await, vec![WhatsNewKind::Submission, WhatsNewKind::Submission]);
    exchange::send_private_note(db, c.a, "A note", false, t0() + Duration::hours(1)).await.unwrap();
    homework::share(db, c.b, step1, t0() + Duration::hours(2)).await.unwrap();
    // An email to Alex that could not be delivered.
    let invitation = emails_of(db, c.case_id, "invitation").await[0].id;
    outbox_emails::Entity::update_many()
        .col_expr(outbox_emails::Column::Status, Expr::value("failed"))
        .filter(outbox_emails::Column::Id.eq(invitation))
        .exec(db)
        .await
        .unwrap();
    let items = whats_new::items(db, c.therapist, t0()).await.unwrap();
    let listed: Vec<(WhatsNewKind, Option<&str>)> =
        items.iter().map(|item| (item.kind, item.partner.as_deref())).collect();
    assert_eq!(
        listed,
        vec![
            (WhatsNewKind::Share, Some("Sam")),
            (WhatsNewKind::PrivateNote, Some("Alex")),
            // Same time (t0): ordered by kind, then newest record first.
            (WhatsNewKind::EmailFailed, Some("Alex")),
            (WhatsNewKind::Submission, Some("Sam")),
            (WhatsNewKind::Submission, Some("Alex")),
        ]
    );
    assert!(items.iter().all(|item| item.case_id == c.case_id && item.case_label == "Alex & Sam"));
    assert_eq!(items[0].link, format!("/review/{step1}"));
    assert_eq!(items[0].title.as_deref(), Some(items[4].title.as_deref().unwrap()));
    assert_eq!(items[1].link, format!("/cases/{}#notes-from-clients", c.case_id));
    assert_eq!(whats_new::count(db, c.therapist).await.unwrap(), 5);
    // Per therapist only.
    assert_eq!(whats_new::count(db, other.therapist).await.unwrap(), 2);
    // Reviewing a submission takes it off the list.
    homework::set_reviewed(db, c.therapist, items[3].record_id, true, t0()).await.unwrap();
    assert_eq!(whats_new::count(db, c.therapist).await.unwrap(), 4);
    // The caseload shows the same count beside its cases (on the page and past its end).
    for page in [1, 2] {
        let query = CaseloadQuery {
            search: String::new(),
            status: None,
            sort: CaseloadSort::Label,
            page,
            per_page: 20,
        };
        assert_eq!(
            caseload::caseload(db, c.therapist, &query, t0()).await.unwrap().whats_new,
            4,
            "page {page}"
        );
    }
    // Clients have no list.
    assert_eq!(whats_new::count(db, c.a).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(whats_new::items(db, c.a, t0()).await.unwrap_err(), AppError::Forbidden);
    // An erased case's items are gone from the list and the count.
    cases::Entity::update_many()
        .col_expr(cases::Column::ErasedAt, Expr::value(t0()))
        .filter(cases::Column::Id.eq(c.case_id))
        .exec(db)
        .await
        .unwrap();
    assert_eq!(whats_new::count(db, c.therapist).await.unwrap(), 0);
    assert!(whats_new::items(db, c.therapist, t0()).await.unwrap().is_empty());
    assert_eq!(whats_new::count(db, other.therapist).await.unwrap(), 2);
}

/// One item, then all of them, marked done; what happens afterwards is new again, and
/// nobody marks another therapist's items.
async fn marking_done(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "done").await;
    let other = couple(db, "done-other").await;
    exchange::send_private_note(db, c.a, "A note", false, t0() + Duration::hours(1)).await.unwrap();
    let items = whats_new::items(db, c.therapist, t0()).await.unwrap();
    let note = items.iter().find(|item| item.kind == WhatsNewKind::PrivateNote).unwrap().clone();
    let mark = |actor| whats_new::mark_done(db, actor, note.kind, note.record_id, note.version, t0());
    assert_eq!(mark(other.therapist).await, Err(AppError::NotFound));
    assert_eq!(mark(c.a).await, Err(AppError::Forbidden));
    assert_eq!(whats_new::count(db, c.therapist).await.unwrap(), 3);
    mark(c.therapist).await.unwrap();
    mark(c.therapist).await.unwrap();
    assert_eq!(kinds(db, &c).await, vec![WhatsNewKind::Submission, WhatsNewKind::Submission]);
    assert_eq!(
        whats_new::mark_done(db, c.therapist, WhatsNewKind::PrivateNote, 999_999, 0, t0()).await,
        Err(AppError::NotFound)
    );
    assert_eq!(whats_new::mark_all_done(db, c.therapist, t0()).await.unwrap(), 2);
    assert_eq!(whats_new::count(db, c.therapist).await.unwrap(), 0);
    assert!(kinds(db, &c).await.is_empty());
    // Something that happens later is new.
    exchange::send_private_note(db, c.b, "Another", false, t0() + Duration::hours(2)).await.unwrap();
    assert_eq!(kinds(db, &c).await, vec![WhatsNewKind::PrivateNote]);
    assert_eq!(whats_new::mark_all_done(db, other.therapist, t0()).await.unwrap(), 0);
    assert_eq!(whats_new::count(db, c.therapist).await.unwrap(), 1);
}

/// Migration 29 moves the done markers of `whats_new_done` onto their items, and its
/// downgrade moves them back: what was marked done stays done, what was open stays open.
async fn done_markers_move_onto_their_items(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "moved").await;
    exchange::send_private_note(db, c.a, "A note", false, t0() + Duration::hours(1)).await.unwrap();
    exchange::send_private_note(db, c.b, "Another", false, t0() + Duration::hours(2)).await.unwrap();
    let items = whats_new::items(db, c.therapist, t0()).await.unwrap();
    let listed = |items: &[whats_new::WhatsNewItem]| -> Vec<(WhatsNewKind, i32, i32)> {
        items.iter().map(|item| (item.kind, item.record_id, item.version)).collect()
    };
    assert_eq!(items.len(), 4, "two notes, two submissions: {:?}", listed(&items));
    let (newest_note, first_submission) = (&items[0], &items[3]);
    assert_eq!(
        (newest_note.kind, first_submission.kind),
        (WhatsNewKind::PrivateNote, WhatsNewKind::Submission)
    );

    // Back to the schema before migration 29, where the two are marked done the old way.
    Migrator::down(db, Some(1)).await.unwrap();
    for item in [newest_note, first_submission] {
        let marker = Query::insert()
            .into_table(Alias::new("whats_new_done"))
            .columns(["therapist_id", "kind", "record_id", "version", "done_at"].map(Alias::new))
            .values_panic([
                c.therapist.user_id.into(),
                item.kind.as_str().into(),
                item.record_id.into(),
                item.version.into(),
                t0().into(),
            ])
            .to_owned();
        db.execute(&marker).await.unwrap();
    }
    Migrator::up(db, None).await.unwrap();
    let open = whats_new::items(db, c.therapist, t0()).await.unwrap();
    assert_eq!(listed(&open), vec![listed(&items)[1], listed(&items)[2]]);
    assert_eq!(whats_new::count(db, c.therapist).await.unwrap(), 2);
    // Marked again: still done, and no error.
    whats_new::mark_done(db, c.therapist, newest_note.kind, newest_note.record_id, 0, t0()).await.unwrap();
    whats_new::mark_done(
        db,
        c.therapist,
        first_submission.kind,
        first_submission.record_id,
        first_submission.version,
        t0(),
    )
    .await
    .unwrap();

    // One more marked done, then down and up again: three markers, one item open.
    whats_new::mark_done(db, c.therapist, open[0].kind, open[0].record_id, open[0].version, t0())
        .await
        .unwrap();
    Migrator::down(db, Some(1)).await.unwrap();
    let markers = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(Alias::new("whats_new_done"))
        .and_where(Expr::col(Alias::new("therapist_id")).eq(c.therapist.user_id))
        .to_owned();
    let row = db.query_one(&markers).await.unwrap().unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 3);
    Migrator::up(db, None).await.unwrap();
    assert_eq!(listed(&whats_new::items(db, c.therapist, t0()).await.unwrap()), vec![listed(&open)[1]]);
}

/// A therapist in Chicago proposes 18:00 on 1 December 2026: the follow-up names it in
/// Chicago time, the calendar file carries 00:00 UTC on the 2nd, the choice is new.
async fn a_chicago_consultation_is_at_six_in_the_evening(db: &DatabaseConnection) {
    let c = couple(db, "chicago").await;
    settings::set_time_zone(db, c.therapist, "America/Chicago", t0()).await.unwrap();
    let chicago = TimeZoneName::parse("America/Chicago").unwrap();
    let six_pm = chicago.future_instant("2026-12-01T18:00", t0()).unwrap();
    assert_eq!(six_pm, Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap());
    let follow_up = messages::FollowUp {
        recipients: Recipients::PartnerA,
        subject: "Checking in, {first_name}".into(),
        body: "Hello {first_name}".into(),
        progress_summary: String::new(),
        send_at: None,
        times: vec![six_pm],
    };
    messages::send_follow_up(db, c.therapist, c.case_id, follow_up, t0()).await.unwrap();
    let offered = emails_of(db, c.case_id, "follow_up").await;
    assert!(
        offered[0].text_body.contains("Tuesday 1 December 2026, 18:00 CST (America/Chicago)"),
        "{}",
        offered[0].text_body
    );
    let text = messages::mint_consultation_links(db, &offered[0]).await.unwrap().0;
    let link = text.lines().find_map(|line| line.split("/consult/").nth(1)).unwrap().to_owned();
    messages::choose_slot(db, &link, t0()).await.unwrap();
    let calendar = emails_of(db, c.case_id, "calendar").await;
    assert!(calendar[0].subject.contains("18:00 CST"), "{}", calendar[0].subject);
    let ics = calendar[0].calendar.clone().unwrap();
    assert!(ics.contains("DTSTART:20261202T000000Z"), "{ics}");
    assert_eq!(kinds(db, &c).await, vec![WhatsNewKind::TimeChosen]);
}

on_both_databases!(
    what_counts_as_new,
    marking_done,
    done_markers_move_onto_their_items,
    a_chicago_consultation_is_at_six_in_the_evening
);
