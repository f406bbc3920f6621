//! HTTP tests: the real server on an ephemeral port, a fresh SQLite file each, driven by
//! an HTTP client the way a browser (or an attacker) would.

use crate::support;

use reqwest::{header, redirect::Policy, Client, Response, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use server::config::Config;
use std::collections::HashMap;

struct TestServer {
    base: String,
    db: DatabaseConnection,
    client: Client,
    db_path: std::path::PathBuf,
    _one_at_a_time: tokio::sync::MutexGuard<'static, ()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", self.db_path.display())).ok();
        }
    }
}

async fn spawn_server(extra: &[(&str, &str)]) -> TestServer {
    let one_at_a_time = support::ONE_SERVER.lock().await;
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let db_path = std::env::temp_dir().join(format!("bs_http_{}_{n}.db", std::process::id()));
    let mut vars: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".to_owned(), format!("sqlite://{}", db_path.display())),
        ("LISTEN_ADDR".to_owned(), "127.0.0.1:0".to_owned()),
    ]);
    for (name, value) in extra {
        vars.insert((*name).to_owned(), (*value).to_owned());
    }
    let config = Config::from_vars(&vars).expect("test config");
    let db = server::open_database(&config).await.expect("open database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let app = server::router(
        &config,
        server::app_state(&config, db.clone(), server::sealing_key(&config).unwrap()),
    );
    tokio::spawn(server::serve(listener, app, std::future::pending()));
    let client = Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client");
    TestServer { base, db, client, db_path, _one_at_a_time: one_at_a_time }
}

impl TestServer {
    /// Posts a form to a server function the way the hydrated app does (same origin).
    async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}/api/{endpoint}", self.base))
            .header(header::ORIGIN, &self.base)
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Opens a page the way a browser navigation does.
    async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .send()
            .await
            .expect("request")
    }

    /// Signs up as `email`, then confirms through the emailed link, which signs in; returns
    /// the confirmation's answer.
    /// Posts the sign-up form (same origin).
    async fn sign_up_form(&self, email: &str) -> Response {
        self.call(
            "auth/sign_up",
            &[("display_name", "Dr Ana Ruiz"), ("email", email), ("password", PASSWORD)],
        )
        .await
    }

    async fn sign_up(&self, email: &str) -> Response {
        let form = [("display_name", "Dr Ana Ruiz"), ("email", email), ("password", PASSWORD)];
        assert_eq!(self.call("auth/sign_up", &form).await.status(), StatusCode::OK);
        let token = support::confirmation_token(&self.db, email).await;
        self.call("auth/confirm_email", &[("token", token.expose()), ("password", PASSWORD)]).await
    }
}

const PASSWORD: &str = "a calm and quiet river";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_answers_the_same_for_known_and_unknown_emails() {
    let server = spawn_server(&[]).await;
    support::therapist(&server.db, "known@example.org").await;
    let mut answers = Vec::new();
    for email in ["known@example.org", "unknown@example.org"] {
        let form = [("display_name", "Dr Ana Ruiz"), ("email", email), ("password", PASSWORD)];
        let response = server.call("auth/sign_up", &form).await;
        assert!(!response.headers().contains_key(header::SET_COOKIE), "sign-up signs nobody in");
        let location = response.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned());
        answers.push((response.status(), location, response.text().await.unwrap()));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, StatusCode::OK);
    assert_eq!(answers[0].1.as_deref(), Some("/sign-up/sent"));
    let sent = server.get("/sign-up/sent").await.text().await.unwrap();
    assert!(sent.contains("Check your email"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_mode_refuses_sign_up() {
    let server = spawn_server(&[("SIGN_UP", "invite")]).await;
    let page = server.get("/sign-up").await.text().await.unwrap();
    assert!(page.contains("Sign-up is by invitation"), "{page}");
    assert!(!page.contains("name=\"password\""));
    let refused = server.sign_up_form("new@example.org").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let users: Vec<app::entities::users::Model> =
        <app::entities::users::Entity as sea_orm::EntityTrait>::find().all(&server.db).await.unwrap();
    assert!(users.is_empty());
}

/// `server invite-therapist EMAIL`, run as the operator would, against the test server's
/// database: without SMTP it prints the single-use link, which sets up the account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_invites_a_therapist() {
    let server = spawn_server(&[("SIGN_UP", "invite")]).await;
    let run = |email: &str, smtp: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .args(["invite-therapist", email])
            .env_clear()
            .env("DATABASE_URL", format!("sqlite://{}", server.db_path.display()))
            .env("PUBLIC_BASE_URL", &server.base)
            .env("RUST_LOG", "warn");
        if smtp {
            command.env("SMTP_HOST", "127.0.0.1").env("SMTP_TLS", "none");
        }
        command.output().unwrap()
    };
    let printed = run("New.Therapist@example.org", false);
    assert!(printed.status.success(), "{printed:?}");
    let stdout = String::from_utf8(printed.stdout).unwrap();
    assert!(stdout.contains("new.therapist@example.org") && stdout.contains("No SMTP_HOST"), "{stdout}");
    let link = stdout.lines().find(|line| line.starts_with(&server.base)).expect("the link").to_owned();
    let token = link.split("/welcome/").nth(1).unwrap();
    assert_eq!(server.get(&format!("/welcome/{token}")).await.status(), StatusCode::OK);
    let form = [("token", token), ("display_name", "Dr Nell Ode"), ("password", PASSWORD)];
    assert_eq!(server.call("auth/complete_invitation", &form).await.status(), StatusCode::OK);
    let me: serde_json::Value = server.call("auth/me", &[]).await.json().await.unwrap();
    assert_eq!((me["display_name"].as_str(), me["role"].as_str()), (Some("Dr Nell Ode"), Some("therapist")));
    // The link worked once.
    let again = server.call("auth/complete_invitation", &form).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // The address has an account now: a second invitation is refused, plainly.
    let refused = run("new.therapist@example.org", false);
    assert!(!refused.status.success());
    assert!(String::from_utf8(refused.stderr).unwrap().contains("already has an account"));
    // With SMTP the link is emailed (minted when sent), never printed.
    let emailed = run("mailed@example.org", true);
    assert!(emailed.status.success(), "{emailed:?}");
    let stdout = String::from_utf8(emailed.stdout).unwrap();
    assert!(stdout.contains("queued") && !stdout.contains("/welcome/"), "{stdout}");
    let queued: Vec<app::entities::outbox_emails::Model> =
        <app::entities::outbox_emails::Entity as sea_orm::EntityTrait>::find().all(&server.db).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert!(queued[0].account_link_id.is_some() && queued[0].text_body.contains("{link}"));
    // Bad input is named.
    let bad = run("not-an-email", false);
    assert!(!bad.status.success());
    assert!(String::from_utf8(bad.stderr).unwrap().contains("EMAIL"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_wrong_passwords_answer_429_with_retry_after() {
    let server = spawn_server(&[]).await;
    support::therapist(&server.db, "lock@example.org").await;
    let wrong = [("email", "lock@example.org"), ("password", "not it at all"), ("next", "")];
    for _ in 0..5 {
        assert_eq!(server.call("auth/sign_in", &wrong).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let limited = server.call("auth/sign_in", &wrong).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = limited.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&wait));
    let page = server.get("/sign-in").await.text().await.unwrap();
    assert!(page.contains("href=\"/forgot-password\""), "the sign-in page points to the reset");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_then_confirmation_sets_a_safe_session_cookie_and_signs_in() {
    let server = spawn_server(&[]).await;
    let response = server.sign_up("ana@example.org").await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie =
        response.headers().get(header::SET_COOKIE).expect("session cookie").to_str().unwrap().to_owned();
    assert!(cookie.starts_with("babysteps_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"));
    assert!(!cookie.contains("Secure"), "plain http must not set Secure");
    let token = cookie.split(';').next().unwrap().trim_start_matches("babysteps_session=");
    assert!(token.len() >= 22, "at least 128 bits of token");

    let me: serde_json::Value = server.call("auth/me", &[]).await.json().await.unwrap();
    assert_eq!(me["display_name"], "Dr Ana Ruiz");
    assert_eq!(me["role"], "therapist");
    assert!(me.get("password_hash").is_none());

    let caseload = server.get("/caseload").await;
    assert_eq!(caseload.status(), StatusCode::OK);
    assert!(caseload.text().await.unwrap().contains("Caseload"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookies_and_hsts_behind_https() {
    let server = spawn_server(&[("PUBLIC_BASE_URL", "https://care.example.org")]).await;
    let post = |endpoint: &str, form: Vec<(&'static str, String)>| {
        server
            .client
            .post(format!("{}/api/{endpoint}", server.base))
            .header(header::ORIGIN, "https://care.example.org")
            .form(&form)
            .send()
    };
    let signed_up = post(
        "auth/sign_up",
        vec![
            ("display_name", "Dr Ana Ruiz".into()),
            ("email", "ana@example.org".into()),
            ("password", PASSWORD.into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(signed_up.status(), StatusCode::OK);
    let token = support::confirmation_token(&server.db, "ana@example.org").await;
    let response =
        post("auth/confirm_email", vec![("token", token.expose().to_owned()), ("password", PASSWORD.into())])
            .await
            .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::SET_COOKIE].to_str().unwrap().contains("; Secure"));
    assert!(response.headers().contains_key(header::STRICT_TRANSPORT_SECURITY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_works_and_a_wrong_password_is_refused_plainly() {
    let server = spawn_server(&[]).await;
    server.sign_up("kim@example.org").await;
    server.call("auth/sign_out", &[]).await;

    let wrong = server
        .call("auth/sign_in", &[("email", "kim@example.org"), ("password", "not it at all"), ("next", "")])
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(body["message"], "That email and password do not match an account.");

    let right = server
        .call("auth/sign_in", &[("email", "KIM@example.org"), ("password", PASSWORD), ("next", "/caseload")])
        .await;
    assert_eq!(right.status(), StatusCode::OK);
    assert_eq!(right.headers()[header::LOCATION], "/caseload");
    let me: serde_json::Value = server.call("auth/me", &[]).await.json().await.unwrap();
    assert_eq!(me["email"], "kim@example.org");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_answered_at_the_field() {
    let server = spawn_server(&[]).await;
    let response = server
        .call("auth/sign_up", &[("display_name", "Ana"), ("email", "not-an-email"), ("password", PASSWORD)])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["field"], "email");

    let missing = server.call("auth/sign_up", &[("email", "a@b.co")]).await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_refused() {
    let server = spawn_server(&[]).await;
    server.sign_up("jo@example.org").await;
    assert_eq!(server.get("/caseload").await.status(), StatusCode::OK);

    // Age every session past the idle timeout.
    server
        .db
        .execute_unprepared("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00+00:00'")
        .await
        .unwrap();
    let me: serde_json::Value = server.call("auth/me", &[]).await.json().await.unwrap();
    assert!(me.is_null());
    let page = server.get("/caseload").await;
    assert_eq!(page.status(), StatusCode::FOUND);
    assert_eq!(page.headers()[header::LOCATION], "/sign-in?next=/caseload");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_ends_the_session() {
    let server = spawn_server(&[]).await;
    let signed_up = server.sign_up("pat@example.org").await;
    let cookie =
        signed_up.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    server.call("auth/sign_out", &[]).await;
    // Replaying the old cookie does not bring the session back.
    let replay = Client::new()
        .post(format!("{}/api/auth/me", server.base))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    let me: serde_json::Value = replay.json().await.unwrap();
    assert!(me.is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_origin_posts_are_refused() {
    let server = spawn_server(&[]).await;
    let form = [("display_name", "Mallory"), ("email", "m@example.org"), ("password", PASSWORD)];
    let from_elsewhere = server
        .client
        .post(format!("{}/api/auth/sign_up", server.base))
        .header(header::ORIGIN, "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(from_elsewhere.status(), StatusCode::FORBIDDEN);
    let cross_site = server
        .client
        .post(format!("{}/api/auth/sign_up", server.base))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    // Nothing was created.
    let signed_in = server
        .call("auth/sign_in", &[("email", "m@example.org"), ("password", PASSWORD), ("next", "")])
        .await;
    assert_eq!(signed_in.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_changing_functions_refuse_get() {
    let server = spawn_server(&[]).await;
    for endpoint in ["auth/sign_up", "auth/sign_in", "auth/sign_out"] {
        let response = server.get(&format!("/api/{endpoint}")).await;
        assert!(!response.status().is_success(), "GET /api/{endpoint} answered {}", response.status());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers_with_a_fresh_nonce() {
    let server = spawn_server(&[]).await;
    let first = server.get("/sign-in").await;
    assert_eq!(first.status(), StatusCode::OK);
    let headers = first.headers().clone();
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("script-src 'nonce-"), "{csp}");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY), "no HSTS over plain http");
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
    let html = first.text().await.unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "scripts carry the CSP nonce");
    let second = server.get("/sign-in").await;
    assert!(
        !second.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains(&nonce),
        "nonce is per response"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_pages_answer_404() {
    let server = spawn_server(&[]).await;
    let response = server.get("/no/such/page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protected_pages_send_anonymous_visitors_to_sign_in() {
    let server = spawn_server(&[]).await;
    for (path, next) in [("/caseload", "/caseload"), ("/homework", "/homework")] {
        let response = server.get(path).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{path}");
        assert_eq!(response.headers()[header::LOCATION], format!("/sign-in?next={next}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_errors_never_reach_the_browser() {
    let server = spawn_server(&[]).await;
    server.sign_up("ray@example.org").await;
    server.db.execute_unprepared("DROP TABLE sessions").await.unwrap();
    for response in [
        server.call("auth/me", &[]).await,
        server
            .call("auth/sign_in", &[("email", "ray@example.org"), ("password", PASSWORD), ("next", "")])
            .await,
        server.get("/caseload").await,
    ] {
        let status = response.status();
        let body = response.text().await.unwrap().to_lowercase();
        for leak in ["sqlite", "no such table", "sessions", "database", "sqlx", "error returned"] {
            assert!(!body.contains(leak), "{status}: body mentions {leak:?}: {body}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_follows_the_database() {
    let server = spawn_server(&[]).await;
    let healthy = server.get("/healthz").await;
    assert_eq!(healthy.status(), StatusCode::OK);
    server.db.clone().close().await.unwrap();
    let unhealthy = server.get("/healthz").await;
    assert_eq!(unhealthy.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_never_fail_on_a_busy_database() {
    let server = spawn_server(&[]).await;
    let mut tasks = Vec::new();
    for n in 0..12 {
        let client = Client::new();
        let url = format!("{}/api/auth/sign_up", server.base);
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&[
                    ("display_name", "Busy"),
                    ("email", &format!("c{n}@example.org")),
                    ("password", PASSWORD),
                ])
                .send()
                .await
                .map(|r| r.status())
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), StatusCode::OK);
    }
}

/// A built site as cargo-leptos leaves it after `build --release --precompress`: hashed
/// bundle names with `.br` and `.gz` copies, and the favicon.
fn built_site() -> std::path::PathBuf {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let root = std::env::temp_dir().join(format!("bs_site_{}_{n}", std::process::id()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("babysteps.Zm9vYmFyYmF6cXV4cXV1eA.wasm"), b"\0asm raw wasm").unwrap();
    std::fs::write(pkg.join("babysteps.Zm9vYmFyYmF6cXV4cXV1eA.wasm.br"), b"brotli wasm").unwrap();
    std::fs::write(pkg.join("babysteps.Zm9vYmFyYmF6cXV4cXV1eA.wasm.gz"), b"gzip wasm").unwrap();
    std::fs::write(pkg.join("unhashed.js"), b"export {}").unwrap();
    std::fs::write(root.join("favicon.svg"), b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    root
}

async fn get_with(server: &TestServer, path: &str, accept_encoding: Option<&str>) -> Response {
    let mut request = server.client.get(format!("{}{path}", server.base));
    if let Some(encodings) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, encodings);
    }
    request.send().await.expect("request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundle_is_sent_precompressed_and_hashed_files_are_cached_for_a_year() {
    let site = built_site();
    let server = spawn_server(&[("SITE_ROOT", site.to_str().unwrap())]).await;
    let wasm = "/pkg/babysteps.Zm9vYmFyYmF6cXV4cXV1eA.wasm";

    let brotli = get_with(&server, wasm, Some("gzip, deflate, br, zstd")).await;
    assert_eq!(brotli.status(), StatusCode::OK);
    let headers = brotli.headers().clone();
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert_eq!(headers[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert!(headers.get_all(header::VARY).iter().any(|v| v.to_str().unwrap().contains("accept-encoding")));
    assert_eq!(brotli.bytes().await.unwrap().as_ref(), b"brotli wasm");

    let gzip = get_with(&server, wasm, Some("gzip")).await;
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gzip.bytes().await.unwrap().as_ref(), b"gzip wasm");

    let plain = get_with(&server, wasm, None).await;
    assert!(!plain.headers().contains_key(header::CONTENT_ENCODING));
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"\0asm raw wasm");

    // A name without a hash may change content: the browser asks again each time.
    let unhashed = get_with(&server, "/pkg/unhashed.js", None).await;
    assert_eq!(unhashed.status(), StatusCode::OK);
    assert_eq!(unhashed.headers()[header::CACHE_CONTROL], "no-cache");

    let missing = get_with(&server, "/pkg/babysteps.AAAAAAAAAAAAAAAAAAAAAA.js", None).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.headers()[header::CACHE_CONTROL], "no-store");
    std::fs::remove_dir_all(site).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_link_a_favicon_that_is_served() {
    let site = built_site();
    let server = spawn_server(&[("SITE_ROOT", site.to_str().unwrap())]).await;
    let page = server.get("/sign-in").await.text().await.unwrap();
    assert!(page.contains(r#"<link rel="icon" href="/favicon.svg" type="image/svg+xml""#), "{page}");
    for path in ["/favicon.svg", "/favicon.ico"] {
        let icon = get_with(&server, path, None).await;
        assert_eq!(icon.status(), StatusCode::OK, "{path}");
        assert_eq!(icon.headers()[header::CONTENT_TYPE], "image/svg+xml", "{path}");
        assert_eq!(icon.headers()[header::CACHE_CONTROL], "public, max-age=86400", "{path}");
    }
    std::fs::remove_dir_all(site).ok();
}

// ---- Input that cannot hurt: hostile numbers, dates and text (issue 11) ----

/// Signs `client` in (same origin) and checks it worked.
async fn sign_in_as(server: &TestServer, client: &Client, email: &str) {
    let response = client
        .post(format!("{}/api/auth/sign_in", server.base))
        .header(header::ORIGIN, &server.base)
        .form(&[("email", email), ("password", PASSWORD), ("next", "")])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK, "sign in {email}");
}

/// A therapist (signed in on `server.client`) with a case labelled `label` whose partner A
/// (Alex) has joined. Returns the therapist, the case and a client signed in as Alex.
async fn case_with_a_client(server: &TestServer, label: &str) -> (app::services::Actor, i32, Client) {
    use app::services::{
        accounts::TherapistSignUp,
        cases::{self, CaseDraft, PartnerFields},
        invitations,
    };
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let now = chrono::Utc::now();
    let form = TherapistSignUp::parse("Dr Ana Ruiz", "owner@example.org", PASSWORD).unwrap();
    let therapist = support::verified_therapist(&server.db, form, now).await;
    sign_in_as(server, &server.client, "owner@example.org").await;
    let fields =
        |first_name, email| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks: "unsure" };
    let draft = CaseDraft::parse(
        label,
        "no_secrets",
        fields("Alex", "alex@example.org"),
        fields("Sam", "sam@example.org"),
    )
    .unwrap();
    let case_id = cases::create_case(&server.db, therapist, draft, now).await.unwrap();
    let alex = app::services::access::partners_of(&server.db, case_id).await.unwrap()[0].id;
    invitations::invite(&server.db, therapist, case_id, alex, now).await.unwrap();
    let invitation = app::entities::invitations::Entity::find()
        .filter(app::entities::invitations::Column::PartnerId.eq(alex))
        .one(&server.db)
        .await
        .unwrap()
        .unwrap();
    let token = invitations::mint_token(&server.db, invitation.id, now).await.unwrap().unwrap();
    invitations::accept_with_new_account(&server.db, &token, PASSWORD, true, now).await.unwrap();
    let client = Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
    sign_in_as(server, &client, "alex@example.org").await;
    (therapist, case_id, client)
}

/// Asserts a refusal at `field`: 422 with a message, never a server error.
async fn assert_refused_at(response: Response, field: &str, what: &str) -> String {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {text}");
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["field"], field, "{what}: {text}");
    body["message"].as_str().unwrap_or_default().to_owned()
}

/// An exercise with one scale question from `min` to `max`, as the editor sends it.
fn scale_exercise(title: &str, min: i64, max: i64) -> serde_json::Value {
    serde_json::json!({
        "title": title,
        "summary": "",
        "instructions": "",
        "questions": [{
            "key": "q1",
            "prompt": "How far?",
            "help": null,
            "kind": { "kind": "scale", "min": min, "max": max, "min_label": "low", "max_label": "high" },
            "audience": "everyone",
            "required": true
        }]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scale_beyond_the_limits_is_refused_and_an_old_one_renders_bounded() {
    let server = spawn_server(&[]).await;
    let (therapist, _, _) = case_with_a_client(&server, "Alex & Sam").await;
    let widest = scale_exercise("Widest", i64::from(i32::MIN), i64::from(i32::MAX));
    let message = assert_refused_at(
        server.call("templates/save", &[("content", &widest.to_string())]).await,
        "content",
        "scale",
    )
    .await;
    assert!(message.contains("-100") && message.contains("100"), "{message}");
    let wide = scale_exercise("Wide", -5000, 5000);
    assert_refused_at(
        server.call("templates/save", &[("content", &wide.to_string())]).await,
        "content",
        "wide",
    )
    .await;

    // A scale stored before the limit renders no more than 101 points.
    let fine: app::domain::exercise::ExerciseTemplate =
        serde_json::from_value(scale_exercise("Fine", 0, 10)).unwrap();
    let id =
        app::services::templates::save(&server.db, therapist, None, &fine, chrono::Utc::now()).await.unwrap();
    server
        .db
        .execute_unprepared(&format!(
            "UPDATE exercise_versions SET content = '{}' WHERE template_id = {id}",
            scale_exercise("Old", -5000, 5000)
        ))
        .await
        .unwrap();
    let page = server.get(&format!("/exercises/{id}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let points = html.matches("type=\"radio\"").count();
    assert!((1..=101).contains(&points), "{points} points rendered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dates_outside_2000_to_2100_are_refused_at_the_field() {
    let server = spawn_server(&[]).await;
    let (_, case_id, client) = case_with_a_client(&server, "Alex & Sam").await;
    let case = case_id.to_string();
    for due_on in ["-262143-01-01", "+262142-12-31", "1999-12-31", "2101-01-01"] {
        let response = server
            .call("homework/assign_programme", &[("case_id", &case), ("due_on", due_on), ("note", "")])
            .await;
        let message = assert_refused_at(response, "due_on", due_on).await;
        assert!(message.contains("2000") && message.contains("2100"), "{message}");
    }
    let follow_up = |field: &'static str, value: &'static str| {
        vec![
            ("case_id", case.clone()),
            ("recipients", "both".to_owned()),
            ("subject", "Hello".to_owned()),
            ("body", "Hello {first_name}".to_owned()),
            (field, value.to_owned()),
        ]
    };
    for (field, key) in [("send_at", "send_at"), ("times", "times[0]")] {
        for value in ["-262143-01-01T10:00", "+262142-12-31T23:59", "2101-01-01T10:00"] {
            let form = follow_up(key, value);
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_refused_at(server.call("messages/send", &form).await, field, value).await;
        }
    }
    for week_start in ["-262143-01-01", "+262142-12-27", "1999-12-27"] {
        let response = client
            .post(format!("{}/api/exchange/check_in", server.base))
            .header(header::ORIGIN, &server.base)
            .header(header::ACCEPT, "application/json")
            .form(&[
                ("week_start", week_start),
                ("my_part", "done"),
                ("noticed", "done"),
                ("emotional", "5"),
                ("physical", "5"),
            ])
            .send()
            .await
            .expect("the server answers");
        assert_refused_at(response, "week_start", week_start).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_caseload_page_is_refused_and_the_page_still_renders() {
    let server = spawn_server(&[]).await;
    server.sign_up("pia@example.org").await;
    for page in ["400000000000000000", "18446744073709551615", "100001"] {
        let response = server
            .call("cases/caseload", &[("search", ""), ("status", ""), ("sort", ""), ("page", page)])
            .await;
        assert_refused_at(response, "page", page).await;
    }
    let response = server.get("/caseload?page=400000000000000000").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("</html>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labels_and_titles_never_become_markup_in_the_page_head() {
    use app::services::templates;
    const PROBE: &str = "A&B</title><meta name=\"probe-injected\" content=\"yes\"><title>x";
    let server = spawn_server(&[]).await;
    let (therapist, case_id, client) = case_with_a_client(&server, PROBE).await;
    let exercise = scale_exercise(PROBE, 0, 10);
    let exercise: app::domain::exercise::ExerciseTemplate = serde_json::from_value(exercise).unwrap();
    let template_id =
        templates::save(&server.db, therapist, None, &exercise, chrono::Utc::now()).await.unwrap();
    let assignment = templates::ExerciseAssignment {
        template_id,
        recipients: app::domain::homework::Recipients::Both,
        due_on: None,
        note: "",
    };
    templates::assign(&server.db, therapist, case_id, assignment, chrono::Utc::now()).await.unwrap();
    let assignment_id = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        app::entities::assignments::Entity::find()
            .filter(app::entities::assignments::Column::CaseId.eq(case_id))
            .one(&server.db)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let therapist_pages = [
        format!("/cases/{case_id}"),
        format!("/exercises/{template_id}"),
        format!("/review/{assignment_id}"),
    ];
    let mut pages = Vec::new();
    for path in &therapist_pages {
        pages.push((path.clone(), server.get(path).await));
    }
    let sheet = format!("/homework/{assignment_id}");
    let response = client
        .get(format!("{}{sheet}", server.base))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .expect("request");
    pages.push((sheet, response));
    for (path, response) in pages {
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let html = response.text().await.unwrap();
        let head = html.split("</head>").next().unwrap_or_default();
        assert!(!html.contains("<meta name=\"probe-injected\""), "{path}: the label became markup:\n{head}");
        assert_eq!(head.matches("<title>").count(), 1, "{path}: one title:\n{head}");
        // The editor's title is "Exercise"; the others carry the label or exercise title.
        if !path.starts_with("/exercises/") {
            assert!(
                head.contains("<title>A&amp;B&lt;/title&gt;&lt;meta"),
                "{path}: the title, as text:\n{head}"
            );
        }
    }
}

// ---- A link cannot put its own words on a page (issue 11) ----

/// An invitation link (Sam, invited, not joined) and a consultation link (Alex, joined) of
/// a fresh therapist's case: the public pages whose forms work without signing in.
async fn join_and_consult_tokens(db: &DatabaseConnection) -> (String, String) {
    use app::{
        entities::outbox_emails,
        services::{
            accounts::TherapistSignUp,
            cases::{self, CaseDraft, PartnerFields},
            invitations, messages,
        },
    };
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let now = chrono::Utc::now();
    let form = TherapistSignUp::parse("Dr Ana Ruiz", "owner@example.org", PASSWORD).unwrap();
    let owner = support::verified_therapist(db, form, now).await;
    let fields =
        |first_name, email| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks: "unsure" };
    let draft = CaseDraft::parse(
        "A & S",
        "no_secrets",
        fields("Alex", "alex@example.org"),
        fields("Sam", "sam@example.org"),
    )
    .unwrap();
    let case_id = cases::create_case(db, owner, draft, now).await.unwrap();
    let mut tokens = Vec::new();
    for partner in app::services::access::partners_of(db, case_id).await.unwrap() {
        invitations::invite(db, owner, case_id, partner.id, now).await.unwrap();
        tokens.push(support::invitation_token(db, partner.id, now).await);
    }
    invitations::accept_with_new_account(db, &tokens[0], PASSWORD, true, now).await.unwrap();
    let follow_up = messages::FollowUp {
        recipients: app::domain::homework::Recipients::Both,
        subject: "Checking in".into(),
        body: "Hello {first_name}.".into(),
        progress_summary: String::new(),
        send_at: None,
        times: vec![now + chrono::Duration::days(30)],
    };
    messages::send_follow_up(db, owner, case_id, follow_up, now).await.unwrap();
    let email = outbox_emails::Entity::find()
        .filter(outbox_emails::Column::Kind.eq("follow_up"))
        .one(db)
        .await
        .unwrap()
        .expect("a follow-up in the outbox");
    // The mail worker mints the consultation link as it sends the email.
    let text = messages::mint_consultation_links(db, &email).await.unwrap().0;
    let consult = text.split("/consult/").nth(1).and_then(|rest| rest.split_whitespace().next());
    (tokens[1].expose().to_owned(), consult.expect("a consultation link").to_owned())
}

/// `page` as Leptos links it after a failed form post without JavaScript (`__path` names the
/// server function, `__err` carries the error), here with an error chosen by the link's writer.
fn error_link(page: &str, server_fn: &str, error: &serde_json::Value) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::URL_SAFE.encode(error.to_string());
    format!("{page}?__path=/api/{server_fn}&__err={}", encoded.replace('=', "%3D"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_cannot_put_its_own_words_on_a_page() {
    let server = spawn_server(&[]).await;
    let (join_token, consult_token) = join_and_consult_tokens(&server.db).await;
    let planted = "Your account is locked. Call 555 0100 to unlock it.";
    let forms = [
        ("/sign-in".to_owned(), "auth/sign_in", "email"),
        ("/sign-up".to_owned(), "auth/sign_up", "email"),
        (format!("/join/{join_token}"), "invitations/accept", "password"),
        (format!("/consult/{consult_token}"), "consult/choose", "token"),
    ];
    for (page, server_fn, field) in &forms {
        for error in [
            serde_json::json!({ "kind": "invalid", "field": "", "message": planted }),
            serde_json::json!({ "kind": "invalid", "field": field, "message": planted }),
            serde_json::json!({ "kind": "conflict", "message": planted }),
            serde_json::json!({ "kind": "no_access", "message": planted }),
        ] {
            let response = server.get(&error_link(page, server_fn, &error)).await;
            assert_eq!(response.status(), StatusCode::OK, "{page} with {error}");
            let html = response.text().await.unwrap();
            assert!(!html.contains("555 0100"), "{page} shows the link's words for {error}");
        }
        // The round trip itself still works: the form shows the kind's fixed sentence.
        let conflict = serde_json::json!({ "kind": "conflict", "message": planted });
        let html = server.get(&error_link(page, server_fn, &conflict)).await.text().await.unwrap();
        assert!(html.contains("Reload the page and try again."), "{page} shows a fixed sentence");
    }
}

// ---- Limits on size, time and concurrency (issue 11) ----

/// Opens a raw connection to the server and sends `head` (request line and headers).
async fn send_head(server: &TestServer, head: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(server.base.trim_start_matches("http://")).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// The status code of the answer on a raw connection.
async fn status_on(stream: &mut tokio::net::TcpStream) -> u16 {
    use tokio::io::AsyncReadExt;
    let mut answer = Vec::new();
    let mut buffer = [0; 1024];
    while !answer.windows(2).any(|w| w == b"\r\n") {
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(read > 0, "the connection closed without an answer");
        answer.extend_from_slice(&buffer[..read]);
    }
    let line = String::from_utf8_lossy(&answer);
    line.split(' ').nth(1).and_then(|code| code.parse().ok()).expect("a status line")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_refused_with_413_and_the_server_stays_well() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = spawn_server(&[]).await;
    let head = |length: &str| {
        format!(
            "POST /api/auth/sign_in HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n{length}\r\n\r\n"
        )
    };
    // 3 MB announced: refused at once, before any of it is sent.
    let mut stream = send_head(&server, &head("Content-Length: 3145728")).await;
    assert_eq!(status_on(&mut stream).await, 413);
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.ok();
    assert!(answer.len() < 100, "a short answer: {answer}");

    // Without a declared length the body is read up to the limit, then refused (never a 5xx).
    let mut stream = send_head(&server, &head("Transfer-Encoding: chunked")).await;
    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
    for _ in 0..33 {
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let status = status_on(&mut stream).await;
    assert!((400..500).contains(&status), "an unsized body over the limit answers {status}");

    let health = server.get("/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    let small =
        server.call("auth/sign_in", &[("email", "a@example.org"), ("password", "x"), ("next", "")]).await;
    assert_eq!(small.status(), StatusCode::UNPROCESSABLE_ENTITY, "ordinary requests still work");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_request_times_out_and_holds_at_most_its_share() {
    let server = spawn_server(&[("REQUEST_TIMEOUT_SECS", "2"), ("MAX_CONCURRENT_REQUESTS", "1")]).await;
    // A body announced and never sent keeps the only slot until the timeout.
    let head = "POST /api/auth/sign_in HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\
                Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n";
    let mut stalled = send_head(&server, head).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let waiting = server
        .client
        .get(format!("{}/healthz", server.base))
        .timeout(std::time::Duration::from_millis(300))
        .send()
        .await;
    assert!(waiting.is_err(), "a second request waits while the only slot is taken");
    let answer = tokio::time::timeout(std::time::Duration::from_secs(20), status_on(&mut stalled)).await;
    assert_eq!(answer.ok(), Some(503), "the stalled request is answered at the timeout");
    assert_eq!(server.get("/healthz").await.status(), StatusCode::OK, "the slot is free again");
}

// ---- The audit trail (issue 12) ----

/// The audit CSV downloads for the case's therapist as a file with a header row, and is
/// refused to everyone else ("not found" for another therapist). Each refusal — of the
/// download and of a server function — is recorded once with the caller, the address and
/// the session's reference, and so are a refusal and a read made while the server renders a
/// page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_csv_is_the_owners_alone_and_refusals_are_recorded() {
    use app::entities::{audit_entries, sessions};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let server = spawn_server(&[]).await;
    let (owner, case_id, alex) = case_with_a_client(&server, "Alex & Sam").await;
    let other_therapist = support::therapist(&server.db, "other@example.org").await;
    let other = Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
    sign_in_as(&server, &other, "other@example.org").await;

    let url = format!("{}/audit/export?case={case_id}&action=", server.base);
    let download = server.client.get(&url).send().await.unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = download.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().to_owned();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"audit-case-{case_id}-")),
        "{disposition}"
    );
    let csv = download.text().await.unwrap();
    assert!(csv.starts_with("occurred_at_utc,actor,action,outcome,case,partner,"), "{csv}");
    assert!(csv.contains("Alex & Sam"));

    let anonymous = Client::new();
    for (who, client, status) in [
        ("another therapist", &other, StatusCode::NOT_FOUND),
        ("a client", &alex, StatusCode::FORBIDDEN),
        ("anonymous", &anonymous, StatusCode::UNAUTHORIZED),
    ] {
        let refused = client.get(&url).send().await.unwrap();
        assert_eq!(refused.status(), status, "{who}");
        assert!(!refused.text().await.unwrap().contains("Alex"), "{who}");
    }
    let (status, _) =
        support::call(&other, &server.base, "cases/page", &[("case_id", case_id.to_string())]).await;
    assert_eq!(status, 404);
    // Refused while the server renders a page (without JavaScript, or a first load).
    let (_, html) = support::page(&other, &server.base, &format!("/cases/{case_id}")).await;
    assert!(!html.contains("Alex &amp; Sam") && !html.contains("Alex & Sam"));
    // Pages their own people open record no refusal.
    let (status, _) = support::page(&server.client, &server.base, &format!("/cases/{case_id}")).await;
    assert_eq!(status, 200);
    let (status, _) = support::page(&alex, &server.base, "/my-writing").await;
    assert_eq!(status, 200);

    let entries = |action: &'static str| {
        audit_entries::Entity::find()
            .filter(audit_entries::Column::Action.eq(action))
            .order_by_asc(audit_entries::Column::Id)
            .all(&server.db)
    };
    let session_of = |user: i32| {
        sessions::Entity::find()
            .filter(sessions::Column::UserId.eq(user))
            .order_by_desc(sessions::Column::Id)
            .one(&server.db)
    };
    let other_session = session_of(other_therapist.user_id).await.unwrap().unwrap().id;
    let owner_session = session_of(owner.user_id).await.unwrap().unwrap().id;
    let not_found = entries("request.not_found").await.unwrap();
    let refused: Vec<(&str, Option<i32>, Option<i32>)> =
        not_found.iter().map(|e| (e.record_id.as_str(), e.actor_user_id, e.session_ref)).collect();
    assert_eq!(
        refused,
        [
            ("audit/export", Some(other_therapist.user_id), Some(other_session)),
            ("cases/page", Some(other_therapist.user_id), Some(other_session)),
            (format!("/cases/{case_id}").as_str(), Some(other_therapist.user_id), Some(other_session)),
        ]
    );
    assert!(not_found.iter().all(|e| e.client_address.as_deref() == Some("127.0.0.1")));
    assert_eq!(entries("request.forbidden").await.unwrap().len(), 1);
    let anonymous_refusal = entries("request.unauthenticated").await.unwrap();
    assert_eq!(anonymous_refusal.iter().map(|e| e.actor_user_id).collect::<Vec<_>>(), [None]);
    let exported = entries("audit.exported").await.unwrap();
    assert_eq!(exported.len(), 1);
    assert_eq!((exported[0].session_ref, exported[0].case_id), (Some(owner_session), Some(case_id)));
    // The case page's read, made while the server rendered the page, carries the request too.
    let viewed = entries("case.viewed").await.unwrap();
    let last = viewed.last().expect("the case page was audited");
    assert_eq!((last.session_ref, last.client_address.as_deref()), (Some(owner_session), Some("127.0.0.1")));
}

/// Marks `address` as having failed sign-in far past the per-address allowance just now,
/// so its next attempt must wait (as 40 wrong passwords from it would).
async fn exhaust_address(db: &DatabaseConnection, address: &str) {
    use app::entities::sign_in_throttles;
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let key = app::services::throttle::address_key(address.parse().unwrap());
    sign_in_throttles::Entity::insert(sign_in_throttles::ActiveModel {
        scope_key: Set(key),
        failures: Set(40),
        last_failure_at: Set(chrono::Utc::now()),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
}

/// A wrong password for a fresh email (so only the per-address counter can refuse it),
/// sent with `forwarded` as `X-Forwarded-For` when given. Returns the status.
async fn wrong_password_from(server: &TestServer, forwarded: Option<&str>) -> StatusCode {
    static EMAILS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = EMAILS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let email = format!("nobody{n}@example.org");
    let mut request = server
        .client
        .post(format!("{}/api/auth/sign_in", server.base))
        .header(header::ORIGIN, &server.base)
        .header(header::ACCEPT, "application/json")
        .form(&[("email", email.as_str()), ("password", "not the password"), ("next", "")]);
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    if status == StatusCode::TOO_MANY_REQUESTS {
        assert!(response.headers().contains_key(header::RETRY_AFTER));
    }
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_the_forwarded_client_is_throttled() {
    // The test client connects from 127.0.0.1: here that is the trusted reverse proxy.
    let server = spawn_server(&[("TRUSTED_PROXIES", "127.0.0.1/32, 10.0.0.0/8")]).await;
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    exhaust_address(&server.db, "203.0.113.7").await;
    assert_eq!(wrong_password_from(&server, Some("203.0.113.7")).await, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not held back by that one.
    assert_eq!(wrong_password_from(&server, Some("203.0.113.8")).await, refused);
    // What the client wrote itself (the left part) proves nothing: the proxy appended the
    // real address, and a further trusted hop is looked through.
    assert_eq!(
        wrong_password_from(&server, Some("203.0.113.8, 203.0.113.7")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        wrong_password_from(&server, Some("198.51.100.1, 203.0.113.7, 10.1.2.3")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // IPv6 clients count by their /64: a new address in the same /64 does not dodge it.
    exhaust_address(&server.db, "2001:db8:1:2::1").await;
    assert_eq!(wrong_password_from(&server, Some("2001:db8:1:2::abcd")).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        wrong_password_from(&server, Some("2001:db8:1:2:ffff:ffff:ffff:ffff")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(wrong_password_from(&server, Some("2001:db8:1:3::1")).await, refused);
    // The proxy's own address is not what is counted.
    assert_eq!(wrong_password_from(&server, None).await, refused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_an_untrusted_peer_a_forwarded_header_is_ignored() {
    // No trusted proxy (and one that is not this peer): the TCP peer is the client.
    for settings in [&[][..], &[("TRUSTED_PROXIES", "10.0.0.0/8")][..]] {
        let server = spawn_server(settings).await;
        exhaust_address(&server.db, "127.0.0.1").await;
        // A spoofed header does not dodge the per-address throttle…
        for forwarded in [None, Some("203.0.113.9"), Some("2001:db8::1"), Some("10.0.0.1, 203.0.113.10")] {
            assert_eq!(
                wrong_password_from(&server, forwarded).await,
                StatusCode::TOO_MANY_REQUESTS,
                "{forwarded:?}"
            );
        }
        drop(server);
        // …nor can it get someone else throttled.
        let server = spawn_server(settings).await;
        exhaust_address(&server.db, "203.0.113.9").await;
        assert_eq!(wrong_password_from(&server, Some("203.0.113.9")).await, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
