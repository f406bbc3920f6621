//! How much work one page view costs, counted at the database pool: the SQL statements
//! that the caseload (200 cases), the case page, a client's "My homework" and an exercise
//! sheet each run, after a warm-up view, within their budgets, with no write on a GET but
//! the one audit entry. Issue 17 asks for 8, 12, 8 and 8; every page meets its budget, and
//! pages under it are held at what they need today so they cannot grow back. The case's
//! homework tab is counted with a questionnaire scheduled and answered, so its totals are
//! read. And the same pages viewed 200
//! times each, several at once, log no ERROR line (a server function running on after the
//! view that needed it was thrown away used to log one on 1–27% of views).
//!
//! The statements are counted on the running server's own pool; each figure is printed so
//! `cargo test … -- --nocapture` shows it.

mod support;

use app::{
    domain::{
        homework::Recipients,
        measure::{EveryWeeks, Schedule},
    },
    entities::assignments,
    services::{
        cases::{self, CaseDraft, PartnerFields},
        exchange,
        homework::{self, SaveIntent},
        measures::{self, NewSchedule},
        Actor,
    },
};
use chrono::{Duration, Utc};
use reqwest::{header, Client, StatusCode};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::{
    fmt::Write as _,
    sync::{Arc, Mutex, OnceLock},
};
use support::{case_with_clients, signed_in, start_observed_server, therapist, Backend};
use tracing::{field::Field, Event, Level, Subscriber};
use tracing_subscriber::{layer::Context, prelude::*, Layer};

/// The caseload's size in the budgets.
const CASES: usize = 200;
/// How often each page is viewed in the ERROR-line test, and how many views run at once.
const VIEWS_PER_PAGE: usize = 200;
const AT_ONCE: usize = 8;

/// The SQL text of every statement the server's pool ran since the last `take`.
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

impl Statements {
    fn observer(&self) -> support::StatementObserver {
        let seen = self.0.clone();
        Box::new(move |info| seen.lock().unwrap().push(info.statement.sql.clone()))
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// Every event logged at ERROR in this test binary, as `target: fields`.
#[derive(Clone, Default)]
struct ErrorLog(Arc<Mutex<Vec<String>>>);

impl<S: Subscriber> Layer<S> for ErrorLog {
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        if *event.metadata().level() != Level::ERROR {
            return;
        }
        struct Line(String);
        impl tracing::field::Visit for Line {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                let _ = write!(self.0, " {}={value:?}", field.name());
            }
        }
        let mut line = Line(format!("{}:", event.metadata().target()));
        event.record(&mut line);
        self.0.lock().unwrap().push(line.0);
    }
}

/// The binary's ERROR log, installed once as the global subscriber.
fn error_log() -> ErrorLog {
    static LOG: OnceLock<ErrorLog> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = ErrorLog::default();
        tracing_subscriber::registry()
            .with(tracing_subscriber::EnvFilter::new("warn"))
            .with(log.clone())
            .init();
        log
    })
    .clone()
}

/// The pages measured, with their budgets, and who views them.
struct World {
    therapist: Client,
    client: Client,
    pages: Vec<(&'static str, String, usize)>,
}

fn draft(label: &str, names: [&str; 2], emails: [&str; 2]) -> CaseDraft {
    let fields =
        |first_name, email| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks: "unsure" };
    CaseDraft::parse(label, "no_secrets", fields(names[0], emails[0]), fields(names[1], emails[1])).unwrap()
}

/// A therapist with [`CASES`] cases; in the first, Alex has joined, Baby Steps is assigned,
/// step 1 submitted and shared, steps 3 to 5 opened early, a check-in and an unread private
/// note written.
async fn world(db: &DatabaseConnection, base: &str) -> World {
    let now = Utc::now();
    let owner: Actor = therapist(db, "budgets@example.org").await;
    let (case_id, _, clients) = case_with_clients(
        db,
        owner,
        "Alex & Sam",
        ["Alex", "Sam"],
        ["alex@example.org", "sam@example.org"],
        &["alex@example.org"],
    )
    .await;
    let client = clients[0];
    for n in 1..CASES {
        let (a, b) = (format!("a{n}@example.org"), format!("b{n}@example.org"));
        let draft = draft(&format!("Couple {n}"), ["Robin", "Kim"], [&a, &b]);
        cases::create_case(db, owner, draft, now).await.unwrap();
    }
    homework::assign_programme(
        db,
        owner,
        case_id,
        homework::ProgrammeChoice::whole(Some(now.date_naive() + Duration::days(7)), ""),
        now,
    )
    .await
    .unwrap();
    let step_1 = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .filter(assignments::Column::StepNumber.eq(1))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let answers = [
        ("emotional_meaning", "Being heard."),
        ("physical_meaning", "Being held."),
        ("behaviours", "Ask about my day\nHold my hand"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    homework::save_answers(db, client, step_1, 0, &answers, SaveIntent::Submit, now).await.unwrap();
    homework::share(db, client, step_1, now).await.unwrap();
    // The therapist opens steps 3 to 5 early, so the check-in below can be written.
    let later_steps = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .filter(assignments::Column::StepNumber.gte(3))
        .all(db)
        .await
        .unwrap();
    for step in later_steps {
        homework::unlock_early(db, owner, step.id, now).await.unwrap();
    }
    let form = exchange::CheckInForm {
        week_start: app::services::clock::week_start(now.date_naive()),
        my_part: "done".into(),
        noticed: "partly".into(),
        emotional: 6,
        physical: 5,
        note: String::new(),
    };
    exchange::save_check_in(db, client, form, now).await.unwrap();
    exchange::send_private_note(db, client, "A note for my therapist.", true, now).await.unwrap();
    // A weekly questionnaire for both, answered by the client: the homework tab reads its
    // totals and the client's home lists it.
    let measure_id = measures::copy_built_in(db, owner, now).await.unwrap();
    let weekly = Schedule {
        starts_on: now.date_naive() - Duration::days(7),
        every: Some(EveryWeeks::parse("1").unwrap()),
    };
    let planned = NewSchedule { measure_id, recipients: Recipients::Both, schedule: weekly };
    let schedule_id = measures::schedule(db, owner, case_id, planned, now).await.unwrap();
    measures::answer(db, client, schedule_id, |_| Some("1"), now).await.unwrap();
    World {
        therapist: signed_in(base, "budgets@example.org").await,
        client: signed_in(base, "alex@example.org").await,
        pages: vec![
            // Issue 17's budget is 8: the session with its account and second factor, the
            // page of cases with its counts, the partners with their invitations, homework
            // with responses, unread notes, check-ins, wishes, and the audit entry.
            ("therapist", "/caseload".to_owned(), 8),
            // Sorted by the largest closeness gap: the sort is part of the page's query.
            ("therapist", "/caseload?sort=gap".to_owned(), 8),
            // Issue 17's budget is 12. The case page had 27 as one long page; each of its tabs
            // now reads only its own part, in one server call: the homework tab with the
            // measures' totals, the notes tab with the sessions (each its own audit entry; the
            // private notes are read once, for the list and as the sessions' topics).
            ("therapist", format!("/cases/{case_id}"), 11),
            ("therapist", format!("/cases/{case_id}/homework"), 12),
            ("therapist", format!("/cases/{case_id}/together"), 12),
            ("therapist", format!("/cases/{case_id}/notes"), 11),
            ("therapist", format!("/cases/{case_id}/messages"), 10),
            // Issue 17's budget is 8: the session, the case with both partners and the
            // therapist, the homework with the client's own statuses and unread comments (and
            // so the open steps), the wishes, the agreements, the questionnaires, and the
            // audit entry, all in one server call.
            ("client", "/homework".to_owned(), 7),
            ("client", format!("/homework/{step_1}"), 8),
        ],
    }
}

impl World {
    fn viewer(&self, who: &str) -> &Client {
        if who == "therapist" {
            &self.therapist
        } else {
            &self.client
        }
    }
}

/// Opens `path` as `client` the way a browser without JavaScript does; the page must render,
/// with no inline style.
async fn view(client: &Client, base: &str, path: &str) {
    let response = client
        .get(format!("{base}{path}"))
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{path}");
    assert!(body.contains("</html>") && !body.contains("Something went wrong"), "{path}: {body}");
    // The content security policy refuses inline style: a `style` attribute would be dropped
    // by the browser, with a console error.
    assert!(!body.contains(" style=\""), "{path} has an inline style attribute: {body}");
}

fn is_write(sql: &str) -> bool {
    let sql = sql.trim_start().to_ascii_uppercase();
    ["INSERT", "UPDATE", "DELETE", "REPLACE"].iter().any(|verb| sql.starts_with(verb))
}

async fn statements_within_budget(backend: Backend) {
    let statements = Statements::default();
    let server = start_observed_server("budgets", backend, &[], Some(statements.observer())).await;
    let world = world(&server.db, &server.base).await;
    let mut report = String::new();
    let mut over = Vec::new();
    for (who, path, budget) in &world.pages {
        let viewer = world.viewer(who);
        view(viewer, &server.base, path).await;
        // Whatever outlives a response (a view Leptos threw away) is counted with it.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        statements.take();
        view(viewer, &server.base, path).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let ran = statements.take();
        let writes: Vec<&String> =
            ran.iter().filter(|sql| is_write(sql) && !sql.contains("audit_entries")).collect();
        let audit_rows = ran.iter().filter(|sql| is_write(sql) && sql.contains("audit_entries")).count();
        writeln!(
            report,
            "{backend:?} {path}: {} statements (budget {budget}), {audit_rows} audit rows",
            ran.len()
        )
        .unwrap();
        // One audit row per kind of record opened: the case tab, plus the session notes (the
        // notes tab) or the measures' totals (the homework tab), each its own clinical record.
        if ran.len() > *budget || !writes.is_empty() || audit_rows > 2 {
            over.push(format!(
                "{path}: {} statements, writes {writes:?}:\n  {}",
                ran.len(),
                ran.join("\n  ")
            ));
        }
    }
    println!("{report}");
    server.finish().await;
    assert!(over.is_empty(), "over budget:\n{}", over.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_views_stay_within_their_statement_budgets_on_sqlite() {
    statements_within_budget(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_views_stay_within_their_statement_budgets_on_postgres() {
    statements_within_budget(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_views_at_once_log_no_error() {
    let errors = error_log();
    let server = start_observed_server("many_views", Backend::Sqlite, &[], None).await;
    let world = Arc::new(world(&server.db, &server.base).await);
    let base = Arc::new(server.base.clone());
    let mut views = 0;
    for page in 0..world.pages.len() {
        for _ in 0..VIEWS_PER_PAGE / AT_ONCE {
            let batch: Vec<_> = (0..AT_ONCE)
                .map(|_| {
                    let (world, base) = (world.clone(), base.clone());
                    tokio::spawn(async move {
                        let (who, path, _) = &world.pages[page];
                        view(world.viewer(who), &base, path).await;
                    })
                })
                .collect();
            for task in batch {
                task.await.unwrap();
                views += 1;
            }
        }
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let logged = errors.0.lock().unwrap().clone();
    server.finish().await;
    assert!(logged.is_empty(), "{} ERROR lines in {views} page views:\n{}", logged.len(), logged.join("\n"));
}
