//! The two-screen sign-in over HTTP: a correct password for an account with a second
//! factor starts no session but sends the browser to the code screen with a short-lived
//! cookie sent only to `auth/sign_in_code`; a code computed from the secret (with the
//! same crate as the server) then starts the session, once.

use crate::support;

use chrono::{Duration, Utc};
use reqwest::{header, redirect::Policy, Client, StatusCode};
use support::{call, page, start_server, start_server_on, therapist, Backend, PASSWORD};
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
    assert!(
        app::services::second_factor::status(&server.db, &support::sealing_key(), actor, Utc::now())
            .await
            .unwrap()
            .enrolled
    );

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

/// Posts a form the way a browser without JavaScript does (HTML accepted, the page it was
/// on as Referer); returns the status and where the browser is sent.
async fn post_without_js(
    client: &Client,
    base: &str,
    endpoint: &str,
    from_page: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let response = client
        .post(format!("{base}/api/{endpoint}"))
        .header(header::ORIGIN, base)
        .header(header::REFERER, format!("{base}{from_page}"))
        .header(header::ACCEPT, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        .form(form)
        .send()
        .await
        .unwrap();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|value| value.to_str().unwrap().trim_start_matches(base).trim_end_matches('?').to_owned())
        .unwrap_or_default();
    (response.status(), location)
}

/// The page a redirect leads to, as the browser then shows it.
async fn follow(client: &Client, base: &str, location: &str) -> String {
    let (status, html) = page(client, base, location).await;
    assert_eq!(status, 200, "{location}");
    html
}

/// The text of the element after `marker` in `html` (Leptos' markers and tags dropped).
fn text_after(html: &str, marker: &str) -> String {
    let start = html.find(marker).unwrap_or_else(|| panic!("{marker} not in the page")) + marker.len();
    let rest = &html[start..];
    let rest = &rest[rest.find('>').unwrap() + 1..];
    let end = rest.find("</code>").unwrap();
    rest[..end].replace("<!>", "").replace("<!---->", "")
}

/// The recovery codes a page shows (`abcde-fghij-klmno-pqrst`), each once (the page also
/// carries its data for the browser, where they appear again).
fn recovery_codes_in(html: &str) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for word in html.split(|c: char| !(c.is_ascii_lowercase() || ('2'..='7').contains(&c) || c == '-')) {
        let shaped =
            word.len() == 23 && word.char_indices().all(|(i, c)| (c == '-') == [5, 11, 17].contains(&i));
        if shaped && !codes.iter().any(|code| code == word) {
            codes.push(word.to_owned());
        }
    }
    codes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_second_factor_form_works_without_javascript_on_sqlite() {
    every_second_factor_form_works_without_javascript(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_second_factor_form_works_without_javascript_on_postgres() {
    every_second_factor_form_works_without_javascript(Backend::Postgres).await;
}

/// Each form of `/account/second-factor` and `/sign-in/code` posted as a browser without
/// JavaScript posts it: it comes back to its page (or goes on), and the page, rendered on
/// the server alone, shows the outcome or the reason for a refusal.
async fn every_second_factor_form_works_without_javascript(backend: Backend) {
    let server = start_server_on("second_factor_no_js", backend, &[]).await;
    let base = server.base.clone();
    therapist(&server.db, "nojs@example.org").await;
    let owner = support::signed_in(&base, "nojs@example.org").await;
    let here = "/account/second-factor";
    assert!(follow(&owner, &base, here).await.contains("Set up a second factor"));

    // Set up: a wrong password comes back to the page with the reason at the field.
    let (status, location) =
        post_without_js(&owner, &base, "second_factor/start", here, &[("password", "not my password")]).await;
    assert!(status.is_redirection(), "{status}");
    assert!(location.starts_with("/account/second-factor?") && location.contains("__err"), "{location}");
    assert!(follow(&owner, &base, &location).await.contains("That is not your password."));
    let (status, location) =
        post_without_js(&owner, &base, "second_factor/start", here, &[("password", PASSWORD)]).await;
    assert!(status.is_redirection(), "{status}");
    assert_eq!(location, here);
    // The set-up shows the key and the recovery codes on a plain page load.
    let html = follow(&owner, &base, here).await;
    let secret = text_after(&html, "class=\"secret-key\"");
    assert_eq!(secret.replace(' ', "").len(), 32, "{secret}");
    let codes = recovery_codes_in(&html);
    assert_eq!(codes.len(), 10, "{codes:?}");

    // Confirm: a wrong code is refused at the field; the right one turns the factor on.
    let right = code(&secret, Duration::zero());
    let wrong = if right == "000000" { "111111" } else { "000000" };
    let (_, location) =
        post_without_js(&owner, &base, "second_factor/confirm", here, &[("code", wrong)]).await;
    assert!(follow(&owner, &base, &location).await.contains("That code did not work"), "{location}");
    let (status, location) =
        post_without_js(&owner, &base, "second_factor/confirm", here, &[("code", right.as_str())]).await;
    assert!(status.is_redirection(), "{status}");
    let html = follow(&owner, &base, &location).await;
    assert!(html.contains("Your second factor is on") && html.contains("10 unused recovery codes"), "{html}");
    assert!(!html.contains(&secret) && recovery_codes_in(&html).is_empty(), "shown again after set-up");

    // The therapist's setting flips with the plain form too.
    assert!(html.contains("Your account requires a second factor."));
    let (status, location) =
        post_without_js(&owner, &base, "second_factor/required", here, &[("required", "false")]).await;
    assert!(status.is_redirection(), "{status}");
    assert!(follow(&owner, &base, &location)
        .await
        .contains("Your account does not require a second factor."));

    // Signing in: the password screen sends the browser to the code screen…
    let browser = Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
    let form = [("email", "nojs@example.org"), ("password", PASSWORD), ("next", "/outbox")];
    let (status, location) =
        post_without_js(&browser, &base, "auth/sign_in", "/sign-in?next=/outbox", &form).await;
    assert!(status.is_redirection(), "{status}");
    assert_eq!(location, "/sign-in/code?next=/outbox");
    let html = follow(&browser, &base, &location).await;
    assert!(html.contains("name=\"next\"") && html.contains("value=\"/outbox\""), "{html}");
    // …where a wrong code comes back with the reason, and a recovery code (typed in upper
    // case, with spaces) signs in and goes on to the page asked for.
    let (_, back) = post_without_js(
        &browser,
        &base,
        "auth/sign_in_code",
        &location,
        &[("code", wrong), ("next", "/outbox")],
    )
    .await;
    assert!(back.starts_with("/sign-in/code?next=/outbox"), "{back}");
    assert!(follow(&browser, &base, &back).await.contains("That code did not work"));
    let typed = codes[2].to_uppercase().replace('-', " ");
    let (status, landed) = post_without_js(
        &browser,
        &base,
        "auth/sign_in_code",
        &location,
        &[("code", typed.as_str()), ("next", "/outbox")],
    )
    .await;
    assert!(status.is_redirection(), "{status}");
    assert_eq!(landed, "/outbox");
    assert!(call(&browser, &base, "auth/me", &[]).await.1.contains("nojs@example.org"));
    assert!(follow(&browser, &base, here).await.contains("9 unused recovery codes"));

    // Removing needs the password, then the page offers a new set-up.
    let (_, location) =
        post_without_js(&browser, &base, "second_factor/remove", here, &[("password", "not my password")])
            .await;
    assert!(follow(&browser, &base, &location).await.contains("That is not your password."));
    let (status, location) =
        post_without_js(&browser, &base, "second_factor/remove", here, &[("password", PASSWORD)]).await;
    assert!(status.is_redirection(), "{status}");
    assert!(follow(&browser, &base, &location).await.contains("Set up a second factor"));
    server.finish().await;
}
