//! Every main page, rendered on the server (as a browser without JavaScript gets it) for an
//! anonymous visitor, a therapist and a client, several times over: each answers without a
//! server error, and nothing at all is logged at ERROR — also not by work that finishes
//! after a response was sent (Leptos renders some views more than once; a request's
//! server-function calls must never outlive what they need from that request).
//!
//! Each page's `<title>` names it.
//!
//! This file is its own test binary with one test, so the log it watches is its own.

mod support;

use app::{
    entities::{assignments, outbox_emails},
    services::{
        accounts::TherapistSignUp,
        cases::{self, CaseDraft, PartnerFields},
        exchange,
        homework::{self, SaveIntent},
        invitations, messages, templates, Actor,
    },
};
use chrono::{Duration, Utc};
use reqwest::{header, redirect::Policy, Client, StatusCode};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use server::config::Config;
use std::{
    collections::HashMap,
    fmt::Write as _,
    sync::{Arc, Mutex},
};
use support::signed_in;
use tracing::{field::Field, Event, Level, Subscriber};
use tracing_subscriber::{layer::Context, prelude::*, Layer};

const PASSWORD: &str = "a calm and quiet river";
/// Each page is opened this many times by each visitor: the fault this guards against showed
/// on 1–27% of page views, so one view each would often miss it.
const ROUNDS: usize = 4;

/// Keeps every event logged at ERROR, as `target: message fields`.
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

/// What the world below holds, for building page addresses.
struct Ids {
    case_id: i32,
    step_1: i32,
    template_id: i32,
    join_token: String,
    consult_token: String,
    /// A sample partner's read-only home ("View as"), for the owner's sample couple.
    view_as: String,
}

async fn therapist(db: &DatabaseConnection, name: &str, email: &str) -> Actor {
    let form = TherapistSignUp::parse(name, email, PASSWORD).unwrap();
    support::verified_therapist(db, form, Utc::now()).await
}

/// A therapist's case in which Alex has joined and Sam is invited; Baby Steps assigned and
/// step 1 submitted and shared by Alex; an exercise of the therapist's own; a check-in; a
/// follow-up proposing a consultation time; a private note.
async fn world(db: &DatabaseConnection) -> Ids {
    let now = Utc::now();
    let owner = therapist(db, "Dr Ana Ruiz", "owner@example.org").await;
    let fields =
        |first_name, email| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks: "unsure" };
    let draft = CaseDraft::parse(
        "Alex & Sam",
        "no_secrets",
        fields("Alex", "client@example.org"),
        fields("Sam", "partner@example.org"),
    )
    .unwrap();
    let case_id = cases::create_case(db, owner, draft, now).await.unwrap();
    let partners = app::services::access::partners_of(db, case_id).await.unwrap();
    let mut tokens = Vec::new();
    for partner in &partners {
        invitations::invite(db, owner, case_id, partner.id, now).await.unwrap();
        tokens.push(support::invitation_token(db, partner.id, now).await);
    }
    let client = invitations::accept_with_new_account(db, &tokens[0], PASSWORD, true, now).await.unwrap();

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

    let exercise = app::domain::baby_steps::programme().steps.remove(1);
    let template_id = templates::save(db, owner, None, &exercise, now).await.unwrap();

    // The therapist opens steps 3 to 5 early, so the pages show them open.
    for step in assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .filter(assignments::Column::StepNumber.gte(3))
        .all(db)
        .await
        .unwrap()
    {
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
    exchange::send_private_note(db, client, "A note for my therapist.", false, now).await.unwrap();

    let follow_up = messages::FollowUp {
        recipients: app::domain::homework::Recipients::Both,
        subject: "Checking in".into(),
        body: "Hello {first_name}.".into(),
        progress_summary: String::new(),
        send_at: None,
        times: vec![now + Duration::days(30)],
    };
    messages::send_follow_up(db, owner, case_id, follow_up, now).await.unwrap();
    let follow_up_email = outbox_emails::Entity::find()
        .filter(outbox_emails::Column::Kind.eq("follow_up"))
        .one(db)
        .await
        .unwrap()
        .expect("a follow-up in the outbox");
    // The mail worker mints the consultation link as it sends the email.
    let consult_token = messages::mint_consultation_links(db, &follow_up_email)
        .await
        .unwrap()
        .0
        .split("/consult/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a consultation link in the follow-up")
        .to_owned();

    app::services::sample::add_sample_couples(db, owner, now).await.unwrap();
    let sample_case = app::entities::cases::Entity::find()
        .filter(app::entities::cases::Column::IsSample.eq(true))
        .one(db)
        .await
        .unwrap()
        .expect("a sample couple");
    let sample_partner = app::services::access::partners_of(db, sample_case.id).await.unwrap()[0].id;
    let view_as = format!("/cases/{}/view-as/{sample_partner}", sample_case.id);
    Ids { case_id, step_1, template_id, join_token: tokens[1].expose().to_owned(), consult_token, view_as }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_main_page_renders_for_every_visitor_without_an_error_logged() {
    let errors = ErrorLog::default();
    tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("warn"))
        .with(errors.clone())
        .init();

    let path = std::env::temp_dir().join(format!("bs_pages_{}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
    let vars = HashMap::from([("DATABASE_URL".to_owned(), format!("sqlite://{}", path.display()))]);
    let config = Config::from_vars(&vars).unwrap();
    let db = server::open_database(&config).await.unwrap();
    let ids = world(&db).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = server::router(
        &config,
        server::app_state(&config, db.clone(), server::sealing_key(&config).unwrap()),
    );
    tokio::spawn(server::serve(listener, app, std::future::pending()));

    let Ids { case_id, step_1, template_id, join_token, consult_token, view_as } = &ids;
    let therapist_pages = vec![
        "/caseload".to_owned(),
        "/caseload?q=Alex&status=active&sort=name&page=1".to_owned(),
        "/cases/new".to_owned(),
        format!("/cases/{case_id}"),
        format!("/cases/{case_id}/homework"),
        format!("/cases/{case_id}/together"),
        format!("/cases/{case_id}/notes"),
        format!("/cases/{case_id}/messages"),
        format!("/cases/{case_id}/edit"),
        format!("/review/{step_1}"),
        "/exercises".to_owned(),
        "/exercises/new".to_owned(),
        format!("/exercises/{template_id}"),
        "/measures".to_owned(),
        "/outbox".to_owned(),
        "/settings".to_owned(),
        "/account".to_owned(),
        "/audit".to_owned(),
        "/audit?partner=&action=session.started&from=2026-01-01&to=2026-12-31&page=2".to_owned(),
        format!("/cases/{case_id}/audit"),
        view_as.clone(),
        format!("/cases/{case_id}/summary"),
    ];
    let client_pages = vec![
        "/homework".to_owned(),
        format!("/homework/{step_1}"),
        "/wishes".to_owned(),
        "/check-in".to_owned(),
        "/letting-go".to_owned(),
        "/private-note".to_owned(),
        "/account?password=changed".to_owned(),
        "/my-writing".to_owned(),
    ];
    let public_pages = vec![
        "/".to_owned(),
        "/sign-in".to_owned(),
        "/sign-up".to_owned(),
        format!("/join/{join_token}"),
        format!("/consult/{consult_token}"),
        "/forgot-password".to_owned(),
        "/forgot-password?sent=1".to_owned(),
        "/reset-password/not-a-real-token".to_owned(),
        "/password-changed".to_owned(),
    ];
    let visitors = [
        ("anonymous", Client::builder().redirect(Policy::none()).build().unwrap()),
        ("therapist", signed_in(&base, "owner@example.org").await),
        ("client", signed_in(&base, "client@example.org").await),
    ];

    let mut views = 0;
    for _ in 0..ROUNDS {
        for (visitor, client) in &visitors {
            for page in therapist_pages.iter().chain(&client_pages).chain(&public_pages) {
                let response = client
                    .get(format!("{base}{page}"))
                    .header(header::ACCEPT, "text/html,application/xhtml+xml")
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let body = response.text().await.unwrap();
                views += 1;
                let own = (*visitor == "anonymous" && public_pages.contains(page))
                    || (*visitor == "therapist" && therapist_pages.contains(page))
                    || (*visitor == "client" && client_pages.contains(page));
                if own {
                    assert_eq!(status, StatusCode::OK, "{page} as {visitor}");
                    assert!(body.contains("</html>"), "{page} as {visitor}: unfinished page");
                    assert!(!body.contains("Something went wrong"), "{page} as {visitor}: {body}");
                    // Every page has one title, which names it (the home page is the site's).
                    let head = body.split("</head>").next().unwrap_or_default();
                    assert_eq!(head.matches("<title>").count(), 1, "{page} as {visitor}: one title");
                    let title = head.split("<title>").nth(1).and_then(|t| t.split("</title>").next());
                    let named = title
                        .and_then(|t| t.strip_suffix(" · Babysteps"))
                        .is_some_and(|name| !name.is_empty());
                    assert!(named || page == "/", "{page} as {visitor}: the title {title:?} names no page");
                } else {
                    // Someone else's page sends the visitor to sign in or to their own home;
                    // the start and sign-in pages send a signed-in visitor home.
                    assert!(
                        status == StatusCode::OK || status.is_redirection(),
                        "{page} as {visitor}: {status}"
                    );
                }
            }
        }
    }
    // Work that outlives a response (a view Leptos rendered and threw away) finishes within
    // moments; give it time to log.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let logged = errors.0.lock().unwrap().clone();
    assert!(logged.is_empty(), "{} ERROR lines in {views} page views:\n{}", logged.len(), logged.join("\n"));

    db.close().await.ok();
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
}
