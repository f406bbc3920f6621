//! HTTP tests of the account work: "forgot your password" answers alike for every email,
//! and the session cookie (no Max-Age unless kept, the `__Host-` name over https).

use crate::support;

use reqwest::{header, redirect::Policy, Client, StatusCode};
use support::{case_with_clients, start_server, start_server_with, therapist, PASSWORD};

fn client() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

/// One "forgot your password" post: status, `Location`, body and how long it took.
async fn ask_reset(
    base: &str,
    email: &str,
    json: bool,
) -> (u16, Option<String>, String, std::time::Duration) {
    let accept = if json { "application/json" } else { "text/html" };
    let started = std::time::Instant::now();
    let response = client()
        .post(format!("{base}/api/auth/forgot_password"))
        .header(header::ORIGIN, base)
        .header(header::ACCEPT, accept)
        .form(&[("email", email)])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get(header::LOCATION).map(|value| value.to_str().unwrap().to_owned());
    let body = response.text().await.unwrap();
    (status, location, body, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_answers_alike_for_known_client_and_unknown_emails() {
    let server = start_server("forgot").await;
    let owner = therapist(&server.db, "known@example.org").await;
    let couple = ["client.a@example.org", "client.b@example.org"];
    case_with_clients(&server.db, owner, "Pair", ["Alex", "Sam"], couple, &couple[..1]).await;
    for json in [false, true] {
        let known = ask_reset(&server.base, "known@example.org", json).await;
        let client_email = ask_reset(&server.base, "client.a@example.org", json).await;
        let unknown = ask_reset(&server.base, "nobody@example.org", json).await;
        eprintln!(
            "forgot_password (json: {json}): known {:?}, client {:?}, unknown {:?}",
            known.3, client_email.3, unknown.3
        );
        let answer = |(status, location, body, _): &(u16, Option<String>, String, _)| {
            (*status, location.clone(), body.clone())
        };
        assert_eq!(answer(&known), answer(&unknown), "json: {json}");
        assert_eq!(answer(&client_email), answer(&unknown), "json: {json}");
        for took in [known.3, client_email.3, unknown.3] {
            assert!(
                took >= std::time::Duration::from_millis(300),
                "every answer waits for the floor: {took:?}"
            );
        }
    }
    let (status, location, _, _) = ask_reset(&server.base, "nobody@example.org", false).await;
    assert!(
        (300..400).contains(&status) && location.as_deref() == Some("/forgot-password?sent=1"),
        "without JavaScript the form goes to the page that says to check the inbox: {status} {location:?}"
    );
    // Only the two accounts got an email.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mut to: Vec<String> = app::entities::outbox_emails::Entity::find()
        .filter(app::entities::outbox_emails::Column::Kind.eq("password_reset"))
        .all(&server.db)
        .await
        .unwrap()
        .into_iter()
        .map(|email| email.to_address)
        .collect();
    to.sort();
    to.dedup();
    assert_eq!(to, ["client.a@example.org", "known@example.org"]);
}

/// Signs in (kept or not) and returns the session cookie as set.
async fn sign_in_cookie(base: &str, origin: &str, email: &str, remember: bool) -> String {
    let mut form = vec![("email", email), ("password", PASSWORD), ("next", "")];
    if remember {
        form.push(("remember", "yes"));
    }
    let response = client()
        .post(format!("{base}/api/auth/sign_in"))
        .header(header::ORIGIN, origin)
        .header(header::USER_AGENT, "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "sign in {email}");
    response.headers().get(header::SET_COOKIE).expect("a session cookie").to_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_ends_with_the_browser_unless_kept() {
    let server = start_server("keep").await;
    therapist(&server.db, "ana@example.org").await;
    let plain = sign_in_cookie(&server.base, &server.base, "ana@example.org", false).await;
    assert!(plain.starts_with("babysteps_session="), "{plain}");
    assert!(!plain.contains("Max-Age"), "a session cookie by default: {plain}");
    let kept = sign_in_cookie(&server.base, &server.base, "ana@example.org", true).await;
    assert!(kept.contains("; Max-Age=43200"), "kept for the absolute lifetime (12 h): {kept}");
    // The device was named from the User-Agent, and only that label is stored.
    use sea_orm::EntityTrait;
    let devices: Vec<String> = app::entities::sessions::Entity::find()
        .all(&server.db)
        .await
        .unwrap()
        .into_iter()
        .map(|session| session.device)
        .collect();
    assert_eq!(devices, ["Firefox on Linux", "Firefox on Linux"]);
}

/// `auth/me` with only this cookie header.
async fn me_with_cookie(base: &str, cookie: &str) -> String {
    client()
        .post(format!("{base}/api/auth/me"))
        .header(header::COOKIE, cookie)
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_the_cookie_is_host_prefixed_and_read_under_that_name_only() {
    let origin = "https://care.example.org";
    let server = start_server_with("host_prefix", &[("PUBLIC_BASE_URL", origin)]).await;
    therapist(&server.db, "ana@example.org").await;
    let cookie = sign_in_cookie(&server.base, origin, "ana@example.org", false).await;
    assert!(cookie.starts_with("__Host-babysteps_session="), "{cookie}");
    assert!(cookie.contains("; Secure") && cookie.contains("; Path=/"), "{cookie}");
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let token = pair.trim_start_matches("__Host-babysteps_session=");
    assert!(me_with_cookie(&server.base, &pair).await.contains("ana@example.org"));
    // The unprefixed name (which a subdomain could set) is not read over https.
    assert_eq!(me_with_cookie(&server.base, &format!("babysteps_session={token}")).await, "null");
    // Signing out clears the prefixed cookie.
    let signed_out = client()
        .post(format!("{}/api/auth/sign_out", server.base))
        .header(header::ORIGIN, origin)
        .header(header::COOKIE, &pair)
        .send()
        .await
        .unwrap();
    let cleared = signed_out.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cleared.starts_with("__Host-babysteps_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
}
