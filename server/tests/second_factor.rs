//! The two-screen sign-in over HTTP: a correct password for an account with a second
//! factor starts no session but sends the browser to the code screen with a short-lived
//! cookie sent only to `auth/sign_in_code`; a code computed from the secret (with the
//! same crate as the server) then starts the session, once.

mod support;

use chrono::{Duration, Utc};
use reqwest::{header, redirect::Policy, Client, StatusCode};
use support::{call, page, start_server, therapist, PASSWORD};
use totp_rs::{Builder, Secret};

/// The code an authenticator app with `secret` (as the page shows it) gives now, or at
/// `offset` from now.
fn code(secret: &str, offset: Duration) -> String {
    let secret = Secret::try_from_base32(secret.replace(' ', "")).unwrap();
    let totp = Builder::new().with_secret(secret).build().unwrap();
    totp.generate(u64::try_from((Utc::now() + offset).timestamp()).unwrap()).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_asks_for_the_code_on_a_second_screen() {
    let server = start_server("second_factor").await;
    let base = server.base.clone();
    let actor = therapist(&server.db, "ana@example.org").await;
    // Set up through the page's server functions.
    let owner = support::signed_in(&base, "ana@example.org").await;
    let (status, _) = call(&owner, &base, "second_factor/start", &[("password", PASSWORD.into())]).await;
    assert_eq!(status, 200);
    let (status, body) = call(&owner, &base, "second_factor/status", &[]).await;
    assert_eq!(status, 200);
    let view: serde_json::Value = serde_json::from_str(&body).unwrap();
    let secret = view["enrolment"]["secret"].as_str().unwrap().to_owned();
    let (status, body) =
        call(&owner, &base, "second_factor/confirm", &[("code", code(&secret, Duration::zero()))]).await;
    assert_eq!(status, 200, "{body}");
    let recovery: Vec<String> = serde_json::from_str(&body).unwrap();
    assert_eq!(recovery.len(), 10);
    let (_, body) = call(&owner, &base, "second_factor/status", &[]).await;
    assert!(
        !body.contains(&secret) && !body.contains(&secret.replace(' ', "")),
        "secret shown again: {body}"
    );
    assert!(app::services::second_factor::status(&server.db, actor, Utc::now()).await.unwrap().enrolled);

    // Screen one: the password. No session yet, a cookie for the code screen only.
    let browser = Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
    let response = browser
        .post(format!("{base}/api/auth/sign_in"))
        .header(header::ORIGIN, &base)
        .header(header::ACCEPT, "application/json")
        .form(&[("email", "ana@example.org"), ("password", PASSWORD), ("next", "/outbox")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::LOCATION], "/sign-in/code?next=/outbox");
    let cookies: Vec<&str> =
        response.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].starts_with("babysteps_pending_sign_in="));
    assert!(cookies[0].contains("HttpOnly") && cookie_has(cookies[0], "Path=/api/auth/sign_in_code"));
    assert!(cookie_has(cookies[0], "Max-Age=300"));
    assert_eq!(call(&browser, &base, "auth/me", &[]).await.1, "null");
    let (status, html) = page(&browser, &base, "/sign-in/code?next=/outbox").await;
    assert_eq!(status, 200);
    assert!(html.contains("Enter your code"));

    // Screen two: a wrong code is refused at the field; the right one signs in, once.
    let next = ("next", "/outbox".to_owned());
    let wrong = if code(&secret, Duration::zero()) == "000000" { "111111" } else { "000000" };
    let (status, body) =
        call(&browser, &base, "auth/sign_in_code", &[("code", wrong.into()), next.clone()]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("That code did not work"));
    let now_code = code(&secret, Duration::zero());
    let response = browser
        .post(format!("{base}/api/auth/sign_in_code"))
        .header(header::ORIGIN, &base)
        .header(header::ACCEPT, "application/json")
        .form(&[("code", now_code.as_str()), ("next", "/outbox")])
        .send()
        .await
        .unwrap();
    // The code may share its step with the set-up code when this runs within the same
    // 30 seconds; then the next step's code (accepted within drift) signs in.
    let response = if response.status() == StatusCode::UNPROCESSABLE_ENTITY {
        let later = code(&secret, Duration::seconds(30));
        browser
            .post(format!("{base}/api/auth/sign_in_code"))
            .header(header::ORIGIN, &base)
            .header(header::ACCEPT, "application/json")
            .form(&[("code", later.as_str()), ("next", "/outbox")])
            .send()
            .await
            .unwrap()
    } else {
        response
    };
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::LOCATION], "/outbox");
    let cookies: Vec<String> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(cookies.iter().any(|c| c.starts_with("babysteps_session=")), "{cookies:?}");
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("babysteps_pending_sign_in=;") && cookie_has(c, "Max-Age=0")));
    let (_, me) = call(&browser, &base, "auth/me", &[]).await;
    assert!(me.contains("ana@example.org"), "{me}");

    // The pending sign-in is spent: the same screen cannot be used again.
    let (status, body) =
        call(&browser, &base, "auth/sign_in_code", &[("code", recovery[0].clone()), next.clone()]).await;
    assert_eq!(status, 422);
    assert!(body.contains("This sign-in has expired"), "{body}");

    // A recovery code finishes another sign-in.
    let other = Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
    let (status, _) = call(
        &other,
        &base,
        "auth/sign_in",
        &[("email", "ana@example.org".into()), ("password", PASSWORD.into()), ("next", String::new())],
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) =
        call(&other, &base, "auth/sign_in_code", &[("code", recovery[0].clone()), ("next", String::new())])
            .await;
    assert_eq!(status, 200);
    assert!(call(&other, &base, "auth/me", &[]).await.1.contains("ana@example.org"));
}

/// True when the `Set-Cookie` value has the attribute `attribute`.
fn cookie_has(cookie: &str, attribute: &str) -> bool {
    cookie.split(';').any(|part| part.trim() == attribute)
}
