//! What the HTTP tests share: a test server on an ephemeral port over a fresh SQLite file,
//! accounts and cases made through the services, and signed-in HTTP clients.

#![allow(dead_code)]

use app::services::tokens::SecretToken;
use app::services::{
    accounts::{self, TherapistSignUp},
    cases::{self, CaseDraft, PartnerFields},
    invitations, Actor,
};
use chrono::{DateTime, Utc};
use reqwest::{header, redirect::Policy, Client, StatusCode};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use server::config::Config;
use std::collections::HashMap;

/// The password every test account uses.
pub const PASSWORD: &str = "a calm and quiet river";

/// One test server per process at a time (see `server/tests/http.rs`).
static ONE_SERVER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A running test server and its database; the server stops with the test's runtime.
pub struct TestServer {
    /// Held while the server runs.
    pub _one_at_a_time: tokio::sync::MutexGuard<'static, ()>,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The server's database.
    pub db: DatabaseConnection,
}

/// Starts the real server over a fresh SQLite file named after `name`.
pub async fn start_server(name: &str) -> TestServer {
    let one_at_a_time = ONE_SERVER.lock().await;
    let path = std::env::temp_dir().join(format!("bs_http_{}_{name}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
    let vars = HashMap::from([("DATABASE_URL".to_owned(), format!("sqlite://{}", path.display()))]);
    let config = Config::from_vars(&vars).unwrap();
    let db = server::open_database(&config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = server::router(&config, server::app_state(&config, db.clone()));
    tokio::spawn(server::serve(listener, app, std::future::pending()));
    TestServer { _one_at_a_time: one_at_a_time, base, db }
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
