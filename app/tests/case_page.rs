//! Service tests for the therapist's case page as one read: one ownership check, a bounded
//! number of statements, and nothing for anyone but the owner — on SQLite and PostgreSQL.

mod support;

use app::{error::AppError, services::case_page::case_page};
use sea_orm::DatabaseConnection;
use std::sync::{Arc, Mutex};
use support::fixtures::*;

/// Every statement the page runs, in order.
async fn statements_of_case_page(db: &DatabaseConnection, c: &Couple) -> Vec<String> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut counted = db.clone();
    let sink = Arc::clone(&seen);
    counted.set_metric_callback(move |info| {
        if let Ok(mut statements) = sink.lock() {
            statements.push(info.statement.sql.clone());
        }
    });
    case_page(&counted, c.therapist, c.case_id, t0()).await.unwrap();
    let statements = seen.lock().unwrap().clone();
    statements
}

async fn the_case_page_checks_ownership_once(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "page").await;
    share_step_1(db, &c).await;
    let statements = statements_of_case_page(db, &c).await;
    let ownership_checks =
        statements.iter().filter(|sql| sql.contains("\"cases\".\"therapist_id\" =")).count();
    assert_eq!(ownership_checks, 1, "one ownership check: {statements:#?}");
    assert!(statements.len() <= CASE_PAGE_STATEMENTS, "{} statements: {statements:#?}", statements.len());

    let other = couple(db, "page-other").await;
    assert_eq!(case_page(db, other.therapist, c.case_id, t0()).await.unwrap_err(), AppError::NotFound);
    assert_eq!(case_page(db, c.a, c.case_id, t0()).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(case_page(db, c.b, c.case_id, t0()).await.unwrap_err(), AppError::Forbidden);
}

/// The statements one case page may run (measured, then fixed here so a per-row query or
/// a second ownership check shows up as a failure).
const CASE_PAGE_STATEMENTS: usize = 29;

on_both_databases!(the_case_page_checks_ownership_once);
