//! What the HTTP tests share: a test server on an ephemeral port over a fresh SQLite file,
//! accounts and cases made through the services, and signed-in HTTP clients.

#![allow(dead_code)]

/// The guard that every test file runs, the same as the app's.
#[path = "../../../app/tests/support/test_files.rs"]
pub mod test_files;

use app::services::tokens::SecretToken;
use app::services::{
    accounts::{self, TherapistSignUp},
    cases::{self, CaseDraft, PartnerFields},
    invitations, Actor,
};
use chrono::{DateTime, Utc};
use reqwest::{header, redirect::Policy, Client, StatusCode};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use server::config::Config;
use std::collections::HashMap;

/// The sealing key every test server uses (`SEALING_KEY`), unless a test sets another.
pub const SEALING_KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";

/// [`SEALING_KEY`] as a key, for calling the second-factor services directly.
pub fn sealing_key() -> app::services::sealing::SealingKey {
    app::services::sealing::SealingKey::from_text(SEALING_KEY).unwrap()
}

/// The password every test account uses.
pub const PASSWORD: &str = "a calm and quiet river";

/// One test server per process at a time, for every test of the process. Several Leptos
/// servers rendering pages at once in one process (each test has its own runtime)
/// occasionally leave a response unfinished; a real deployment runs one server per process,
/// where this was not seen under load.
pub static ONE_SERVER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A running test server and its database; the server stops with the test's runtime.
pub struct TestServer {
    /// Held while the server runs.
    pub _one_at_a_time: tokio::sync::MutexGuard<'static, ()>,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The server's database.
    pub db: DatabaseConnection,
    /// The PostgreSQL database to drop at the end, if the server runs on one.
    postgres_database: Option<String>,
}

/// Which database a test server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh database on the local PostgreSQL server (`TEST_POSTGRES_URL`).
    Postgres,
}

/// Starts the real server over a fresh SQLite file named after `name`.
pub async fn start_server(name: &str) -> TestServer {
    start_server_on(name, Backend::Sqlite, &[]).await
}

/// Starts the real server with settings added to the defaults (`PUBLIC_BASE_URL`, …).
pub async fn start_server_with(name: &str, settings: &[(&str, &str)]) -> TestServer {
    start_server_on(name, Backend::Sqlite, settings).await
}

/// Starts the real server over a fresh database of `backend` named after `name`, with
/// `settings` added to the defaults.
pub async fn start_server_on(name: &str, backend: Backend, settings: &[(&str, &str)]) -> TestServer {
    start_observed_server(name, backend, settings, None).await
}

/// What a test server tells about each SQL statement it runs (its text and parameters).
pub type StatementObserver = Box<dyn Fn(&sea_orm::metric::Info<'_>) + Send + Sync>;

/// Starts the real server like [`start_server_on`], with `observer` told about every SQL
/// statement run through its database pool (the test's own set-up included).
pub async fn start_observed_server(
    name: &str,
    backend: Backend,
    settings: &[(&str, &str)],
    observer: Option<StatementObserver>,
) -> TestServer {
    let one_at_a_time = ONE_SERVER.lock().await;
    let (database_url, postgres_database) = match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("bs_http_{}_{name}.db", std::process::id()));
            for suffix in ["", "-wal", "-shm"] {
                std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
            }
            (format!("sqlite://{}", path.display()), None)
        }
        Backend::Postgres => {
            let database = format!("bs_test_http_{}_{name}", std::process::id());
            let admin = postgres_admin().await;
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{database}\"")).await.unwrap();
            admin.execute_unprepared(&format!("CREATE DATABASE \"{database}\"")).await.unwrap();
            (format!("{}/{database}", postgres_server_url()), Some(database))
        }
    };
    let mut vars = HashMap::from([
        ("DATABASE_URL".to_owned(), database_url),
        ("SEALING_KEY".to_owned(), SEALING_KEY.to_owned()),
    ]);
    vars.extend(settings.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())));
    let config = Config::from_vars(&vars).unwrap();
    let mut db = server::open_database(&config).await.unwrap();
    if let Some(observer) = observer {
        db.set_metric_callback(observer);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = server::router(
        &config,
        server::app_state(&config, db.clone(), server::sealing_key(&config).unwrap()),
    );
    tokio::spawn(server::serve(listener, app, std::future::pending()));
    TestServer { _one_at_a_time: one_at_a_time, base, db, postgres_database }
}

impl TestServer {
    /// Closes the database and drops it when it is a PostgreSQL one.
    pub async fn finish(self) {
        let TestServer { db, postgres_database, .. } = self;
        db.close().await.ok();
        if let Some(database) = postgres_database {
            let admin = postgres_admin().await;
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"))
                .await
                .ok();
        }
    }
}

/// The PostgreSQL server tests use (`TEST_POSTGRES_URL`, default the local server).
fn postgres_server_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

async fn postgres_admin() -> DatabaseConnection {
    sea_orm::Database::connect(format!("{}/postgres", postgres_server_url()))
        .await
        .expect("PostgreSQL must be reachable for the PostgreSQL tests (set TEST_POSTGRES_URL)")
}

/// A therapist whose email is confirmed.
pub async fn therapist(db: &DatabaseConnection, email: &str) -> Actor {
    let form = TherapistSignUp::parse("Dr Therapist", email, PASSWORD).unwrap();
    verified_therapist(db, form, Utc::now()).await
}

/// A therapist whose email is confirmed, made the way the operator's `invite-therapist`
/// and its link make one (sign-up itself no longer signs anyone in).
pub async fn verified_therapist(db: &DatabaseConnection, form: TherapistSignUp, now: DateTime<Utc>) -> Actor {
    let invited = accounts::invite_therapist(db, &form.email, false, now).await.unwrap();
    let (_, token) = accounts::mint_link_token(db, invited.link_id, now).await.unwrap().unwrap();
    accounts::complete_invitation(db, &token, form.display_name.as_str(), form.password.expose(), now)
        .await
        .unwrap()
}

/// A case of `owner` with two partners (`names`, `emails`); the partners whose emails are in
/// `joining` accept their invitation.
/// Returns the case, its partner ids and the clients who joined, in partner order.
pub async fn case_with_clients(
    db: &DatabaseConnection,
    owner: Actor,
    label: &str,
    names: [&str; 2],
    emails: [&str; 2],
    joining: &[&str],
) -> (i32, Vec<i32>, Vec<Actor>) {
    let fields =
        |first_name, email| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks: "unsure" };
    let draft =
        CaseDraft::parse(label, "no_secrets", fields(names[0], emails[0]), fields(names[1], emails[1]))
            .unwrap();
    let case_id = cases::create_case(db, owner, draft, Utc::now()).await.unwrap();
    let partners = app::services::access::partners_of(db, case_id).await.unwrap();
    let mut clients = Vec::new();
    for partner in &partners {
        invitations::invite(db, owner, case_id, partner.id, Utc::now()).await.unwrap();
        if !joining.contains(&partner.email.as_str()) {
            continue;
        }
        let token = invitation_token(db, partner.id, Utc::now()).await;
        clients.push(
            invitations::accept_with_new_account(db, &token, PASSWORD, true, Utc::now()).await.unwrap(),
        );
    }
    (case_id, partners.iter().map(|p| p.id).collect(), clients)
}

/// A client signed in as `email` (redirects are not followed, as in a test of each answer).
pub async fn signed_in(base: &str, email: &str) -> Client {
    let client = Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
    let response = client
        .post(format!("{base}/api/auth/sign_in"))
        .header(header::ORIGIN, base)
        .form(&[("email", email), ("password", PASSWORD), ("next", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "sign in {email}");
    client
}

/// A working link token for the partner's invitation (as the outbox's "reveal link" makes
/// one): the invitation must have been sent.
pub async fn invitation_token(db: &DatabaseConnection, partner_id: i32, now: DateTime<Utc>) -> SecretToken {
    let invitation = app::entities::invitations::Entity::find()
        .filter(app::entities::invitations::Column::PartnerId.eq(partner_id))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    invitations::mint_token(db, invitation.id, now).await.unwrap().unwrap()
}

/// A working link for the latest sign-up confirmation emailed to `email` (as the mail
/// worker mints one when it sends the email).
pub async fn confirmation_token(db: &DatabaseConnection, email: &str) -> SecretToken {
    use app::entities::outbox_emails;
    use sea_orm::QueryOrder;
    let queued = outbox_emails::Entity::find()
        .filter(outbox_emails::Column::ToAddress.eq(email.to_lowercase()))
        .filter(outbox_emails::Column::AccountLinkId.is_not_null())
        .order_by_desc(outbox_emails::Column::Id)
        .one(db)
        .await
        .unwrap()
        .expect("a confirmation email");
    let (_, token) =
        accounts::mint_link_token(db, queued.account_link_id.unwrap(), Utc::now()).await.unwrap().unwrap();
    token
}

/// Calls a server function as `client` the way the hydrated app does; returns status and body.
pub async fn call(client: &Client, base: &str, endpoint: &str, form: &[(&str, String)]) -> (u16, String) {
    let response = client
        .post(format!("{base}/api/{endpoint}"))
        .header(header::ORIGIN, base)
        .header(header::ACCEPT, "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Opens a page as `client`; returns status and HTML.
pub async fn page(client: &Client, base: &str, path: &str) -> (u16, String) {
    let response =
        client.get(format!("{base}{path}")).header(header::ACCEPT, "text/html").send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// One server function as its source declares it: its endpoint and its form fields.
#[derive(Debug, Clone)]
pub struct ServerFunction {
    /// The endpoint after `/api/`.
    pub endpoint: String,
    /// The form fields and their Rust types (flattened structs expanded).
    pub fields: Vec<(String, String)>,
}

/// Every server function of `app/src/api`, read from its source, so a test over all of
/// them covers new ones without being told.
pub fn server_functions() -> Vec<ServerFunction> {
    let api = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src/api");
    let mut sources: Vec<String> = std::fs::read_dir(api)
        .unwrap()
        .map(|file| std::fs::read_to_string(file.unwrap().path()).unwrap())
        .collect();
    sources.sort();
    let all = sources.join("\n");
    let mut functions = Vec::new();
    for (start, _) in all.match_indices("#[server(endpoint = \"") {
        let rest = &all[start + "#[server(endpoint = \"".len()..];
        let endpoint = rest[..rest.find('"').unwrap()].to_owned();
        let signature = &rest[rest.find("pub async fn").unwrap()..];
        let open = signature.find('(').unwrap();
        let close = matching_paren(signature, open);
        let mut fields = Vec::new();
        for param in split_top_level(&signature[open + 1..close]) {
            let flatten = param.contains("#[server(flatten)]");
            let param = param.rsplit(']').next().unwrap().trim();
            let Some((name, ty)) = param.split_once(':') else { continue };
            let (name, ty) = (name.trim().to_owned(), ty.trim().to_owned());
            if flatten {
                fields.extend(struct_fields(&all, &ty));
            } else {
                fields.push((name, ty));
            }
        }
        functions.push(ServerFunction { endpoint, fields });
    }
    functions
}

fn matching_paren(text: &str, open: usize) -> usize {
    let mut depth = 0;
    for (index, c) in text.char_indices().skip(open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return index;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced parentheses in a server function's signature");
}

fn split_top_level(params: &str) -> Vec<String> {
    let (mut parts, mut current, mut depth) = (Vec::new(), String::new(), 0);
    for c in params.chars() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts.into_iter().filter(|part| !part.trim().is_empty()).collect()
}

/// The `pub` fields of the struct `name` declared in `source`.
fn struct_fields(source: &str, name: &str) -> Vec<(String, String)> {
    let start = source.find(&format!("pub struct {name} {{")).unwrap_or_else(|| panic!("struct {name}"));
    let body = &source[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("\n}").unwrap()];
    body.lines()
        .filter_map(|line| line.trim().strip_prefix("pub "))
        .filter_map(|field| field.trim_end_matches(',').split_once(':'))
        .map(|(name, ty)| (name.trim().to_owned(), ty.trim().to_owned()))
        .collect()
}
