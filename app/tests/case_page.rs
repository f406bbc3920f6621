//! Service tests for the therapist's case page, one tab at a time: each tab is one read
//! with one ownership check and a bounded number of statements, and nothing for anyone but
//! the owner; the overview gathers what needs the therapist — on SQLite and PostgreSQL.

use crate::support;

use app::{
    error::AppError,
    services::{
        case_page::{case_homework_tab, case_messages, case_notes, case_overview, case_together},
        exchange, Actor,
    },
};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use std::sync::{Arc, Mutex};
use support::fixtures::*;

/// The tabs, each with the most statements it may run (measured, then fixed here so a
/// per-row query or a second ownership check shows up as a failure). The whole page ran
/// 29 before it had tabs.
const TABS: [(&str, usize); 5] =
    [("overview", 20), ("homework", 15), ("together", 19), ("notes", 13), ("messages", 18)];

/// Loads one tab as `actor`, keeping only whether it was allowed.
async fn load(db: &DatabaseConnection, tab: &str, actor: Actor, case_id: i32) -> Result<(), AppError> {
    match tab {
        "overview" => case_overview(db, actor, case_id, "Europe/London", t0()).await.map(drop),
        "homework" => case_homework_tab(db, actor, case_id, t0()).await.map(drop),
        "together" => case_together(db, actor, case_id, t0()).await.map(drop),
        "notes" => case_notes(db, actor, case_id, "UTC", t0()).await.map(drop),
        _ => case_messages(db, actor, case_id, t0()).await.map(drop),
    }
}

/// Every statement one tab runs, in order.
async fn statements_of(db: &DatabaseConnection, tab: &str, c: &Couple) -> Vec<String> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut counted = db.clone();
    let sink = Arc::clone(&seen);
    counted.set_metric_callback(move |info| {
        if let Ok(mut statements) = sink.lock() {
            statements.push(info.statement.sql.clone());
        }
    });
    load(&counted, tab, c.therapist, c.case_id).await.unwrap();
    let statements = seen.lock().unwrap().clone();
    statements
}

async fn each_tab_checks_ownership_once_and_answers_only_the_owner(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "page").await;
    share_step_1(db, &c).await;
    let other = couple(db, "page-other").await;
    for (tab, budget) in TABS {
        let statements = statements_of(db, tab, &c).await;
        let ownership_checks =
            statements.iter().filter(|sql| sql.contains("\"cases\".\"therapist_id\" =")).count();
        assert_eq!(ownership_checks, 1, "{tab}: one ownership check: {statements:#?}");
        println!("{tab}: {} statements", statements.len());
        assert!(statements.len() <= budget, "{tab}: {} statements: {statements:#?}", statements.len());
        assert_eq!(load(db, tab, other.therapist, c.case_id).await.unwrap_err(), AppError::NotFound, "{tab}");
        assert_eq!(load(db, tab, c.a, c.case_id).await.unwrap_err(), AppError::Forbidden, "{tab}");
        assert_eq!(load(db, tab, c.b, c.case_id).await.unwrap_err(), AppError::Forbidden, "{tab}");
    }
}

async fn the_overview_gathers_what_needs_the_therapist(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "overview").await;
    exchange::send_private_note(db, c.a, "Please call me.", true, t0()).await.unwrap();
    exchange::send_private_note(db, c.b, "A thought.", false, t0()).await.unwrap();
    // 09:00 UTC on 25 November is still the 24th in Pago Pago (UTC−11).
    let overview = case_overview(db, c.therapist, c.case_id, "Pacific/Pago_Pago", t0()).await.unwrap();
    assert_eq!(overview.today, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
    assert_eq!(overview.unread_notes.len(), 2);
    assert!(overview.unread_notes[0].urgent, "urgent first");
    // Both partners submitted step 1: the homework shows it, waiting for review.
    let (step_1, _, responses) = &overview.homework.assignments[0];
    assert_eq!(step_1.step_number, Some(1));
    assert!(responses.iter().all(|r| r.as_ref().is_some_and(|r| r.submitted_at.is_some())));
    assert_eq!(overview.progress.partners.len(), 2);
    // Opening a note takes it off the overview; loading the overview read nothing.
    let urgent = overview.unread_notes[0].id;
    exchange::mark_private_note_read(db, c.therapist, urgent, t0()).await.unwrap();
    let overview = case_overview(db, c.therapist, c.case_id, "UTC", t0()).await.unwrap();
    assert_eq!(overview.unread_notes.len(), 1);
    assert!(!overview.unread_notes[0].urgent);
}

on_both_databases!(each_tab_checks_ownership_once_and_answers_only_the_owner);
on_both_databases!(the_overview_gathers_what_needs_the_therapist);
