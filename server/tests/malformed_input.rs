//! Malformed input against every server function, as an anonymous visitor, the therapist and
//! a client, on SQLite and on PostgreSQL: each field gets empty, huge, negative and
//! overflowing numbers, `1e309`, NaN, far-past and far-future dates, NUL, bidi overrides and
//! 100 KB of emoji; each endpoint gets broken, deeply nested and duplicated bodies. Every
//! answer must be an answer (no dropped connection, which is what a panic looks like from
//! outside), never a 5xx, and a 4xx carries a message; `/healthz` stays up throughout.

use crate::support;

use reqwest::{header, Client};
use support::{
    case_with_clients, server_functions, signed_in, start_server_on, therapist, Backend, ServerFunction,
    TestServer,
};

/// The hostile values each field gets, one at a time.
fn hostile_values() -> Vec<(&'static str, String)> {
    vec![
        ("empty", String::new()),
        ("negative", "-1".to_owned()),
        ("below i32", "-2147483649".to_owned()),
        ("above i64", "99999999999999999999999999".to_owned()),
        ("1e309", "1e309".to_owned()),
        ("NaN", "NaN".to_owned()),
        ("far past", "-262143-01-01".to_owned()),
        ("far future", "+262143-12-31T23:59".to_owned()),
        ("NUL", "before\0after".to_owned()),
        ("bidi override", "abc\u{202E}fed".to_owned()),
        ("zero width", "a\u{200B}b".to_owned()),
        ("100 KB of emoji", "\u{1F600}".repeat(25_000)),
        ("huge page", "370000000000000000000".to_owned()),
    ]
}

/// A harmless value for a field of type `ty` while another field is being attacked.
fn ordinary_value(name: &str, ty: &str) -> Option<String> {
    if ty.starts_with("Option<") || ty.starts_with("Vec<") || ty.starts_with("BTreeMap<") {
        return None;
    }
    Some(match ty {
        "i32" | "i64" | "u32" | "u64" | "i16" | "usize" => "1".to_owned(),
        "bool" => "false".to_owned(),
        _ if name.contains("email") => "someone@example.org".to_owned(),
        _ => "ordinary".to_owned(),
    })
}

/// The form for `function` with `attacked` set to `value` and the other fields ordinary.
fn form_with(function: &ServerFunction, attacked: &str, value: &str) -> Vec<(String, String)> {
    let mut form = Vec::new();
    for (name, ty) in &function.fields {
        if name == attacked {
            let key = if ty.starts_with("Vec<") {
                format!("{name}[0]")
            } else if ty.starts_with("BTreeMap<") {
                format!("{name}[key]")
            } else {
                name.clone()
            };
            form.push((key, value.to_owned()));
        } else if let Some(ordinary) = ordinary_value(name, ty) {
            form.push((name.clone(), ordinary));
        }
    }
    form
}

/// Bodies that are wrong as a whole, with their content type.
fn broken_bodies(function: &ServerFunction) -> Vec<(&'static str, &'static str, Vec<u8>)> {
    const FORM: &str = "application/x-www-form-urlencoded";
    let first = function.fields.first().map_or("x", |(name, _)| name.as_str());
    let duplicated = function
        .fields
        .iter()
        .flat_map(|(name, _)| [format!("{name}=1"), format!("{name}=2")])
        .collect::<Vec<_>>()
        .join("&");
    vec![
        ("broken escapes", FORM, b"%zz=%%&&==&%".to_vec()),
        ("deeply nested", FORM, format!("{first}{}=1", "[a]".repeat(5_000)).into_bytes()),
        ("every field twice", FORM, duplicated.into_bytes()),
        ("not UTF-8", FORM, vec![0xff, 0xfe, b'=', 0xc3, 0x28]),
        ("broken JSON", "application/json", b"{\"a\": [1, 2".to_vec()),
        ("deep JSON", "application/json", "[".repeat(100_000).into_bytes()),
        ("no boundary", "multipart/form-data", b"--x\r\n".to_vec()),
    ]
}

/// One finding: which call, what came back.
struct Finding {
    actor: &'static str,
    endpoint: String,
    case: String,
    outcome: String,
}

async fn send(
    client: &Client,
    base: &str,
    endpoint: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Result<(u16, String), String> {
    let response = client
        .post(format!("{base}/api/{endpoint}"))
        .header(header::ORIGIN, base)
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .map_err(|error| format!("no answer: {error}"))?;
    let status = response.status().as_u16();
    Ok((status, response.text().await.unwrap_or_default()))
}

/// Counts an answer by status and keeps it as a finding when it is wrong.
fn record(
    actor: &'static str,
    endpoint: String,
    case: String,
    answer: Result<(u16, String), String>,
    statuses: &mut std::collections::BTreeMap<(&'static str, u16), usize>,
    findings: &mut Vec<Finding>,
) {
    if let Ok((status, _)) = &answer {
        *statuses.entry((actor, *status)).or_default() += 1;
    }
    if let Some(outcome) = problem(answer) {
        findings.push(Finding { actor, endpoint, case, outcome });
    }
}

/// What is wrong with an answer, if anything.
fn problem(answer: Result<(u16, String), String>) -> Option<String> {
    match answer {
        Err(error) => Some(error),
        Ok((status, body)) if status >= 500 => {
            Some(format!("{status}: {}", body.chars().take(200).collect::<String>()))
        }
        Ok((status, body)) if status >= 400 && body.trim().is_empty() => {
            Some(format!("{status} without a message"))
        }
        Ok(_) => None,
    }
}

async fn every_server_function_survives_malformed_input(server: TestServer) {
    let (db, base) = (server.db.clone(), server.base.clone());
    let owner = therapist(&db, "owner@example.org").await;
    let couple = ["client@example.org", "partner@example.org"];
    case_with_clients(&db, owner, "Owner's couple", ["Alex", "Sam"], couple, &couple).await;
    let actors = [
        ("anonymous", Client::new()),
        ("therapist", signed_in(&base, "owner@example.org").await),
        ("client", signed_in(&base, "client@example.org").await),
    ];
    let functions = server_functions();
    assert!(functions.len() > 50, "found the server functions: {}", functions.len());
    let urlencode = |form: &[(String, String)]| {
        form.iter()
            .map(|(key, value)| format!("{}={}", urlencode_component(key), urlencode_component(value)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let mut findings = Vec::new();
    let mut statuses = std::collections::BTreeMap::<(&str, u16), usize>::new();
    let mut calls = 0;
    for (actor, client) in &actors {
        let mut in_flight = tokio::task::JoinSet::new();
        for function in &functions {
            // Signing out ends the actor's session; every other endpoint is attacked as is.
            if function.endpoint == "auth/sign_out" {
                continue;
            }
            let mut cases = Vec::new();
            for (field, _) in &function.fields {
                for (label, value) in hostile_values() {
                    let body = urlencode(&form_with(function, field, &value)).into_bytes();
                    cases.push((format!("{field} = {label}"), "application/x-www-form-urlencoded", body));
                }
            }
            for (label, content_type, body) in broken_bodies(function) {
                cases.push((label.to_owned(), content_type, body));
            }
            for (case, content_type, body) in cases {
                calls += 1;
                let (client, base, endpoint) = (client.clone(), base.clone(), function.endpoint.clone());
                in_flight.spawn(async move {
                    let answer = send(&client, &base, &endpoint, content_type, body).await;
                    (endpoint, case, answer)
                });
                // A few calls at a time: enough to be quick, few enough for the throttles.
                while in_flight.len() >= 4 {
                    let (endpoint, case, answer) = in_flight.join_next().await.unwrap().unwrap();
                    record(actor, endpoint, case, answer, &mut statuses, &mut findings);
                }
            }
        }
        while let Some(joined) = in_flight.join_next().await {
            let (endpoint, case, answer) = joined.unwrap();
            record(actor, endpoint, case, answer, &mut statuses, &mut findings);
        }
        let health = Client::new().get(format!("{base}/healthz")).send().await.map(|r| r.status().as_u16());
        assert_eq!(health.ok(), Some(200), "/healthz after the {actor}'s calls");
    }
    eprintln!("{calls} malformed calls; answers by actor and status: {statuses:?}");
    let report: Vec<String> =
        findings.iter().map(|f| format!("{} {} [{}]: {}", f.actor, f.endpoint, f.case, f.outcome)).collect();
    assert!(
        report.is_empty(),
        "{} of {calls} malformed calls answered badly:\n{}",
        report.len(),
        report.join("\n")
    );
    // The calls reached the functions: refused as bad input, and some still accepted.
    for actor in ["therapist", "client"] {
        assert!(statuses.get(&(actor, 422)).copied().unwrap_or(0) > 100, "{actor}: {statuses:?}");
        assert!(
            statuses.iter().any(|((a, status), _)| *a == actor && *status < 300),
            "{actor}: {statuses:?}"
        );
    }
    server.finish().await;
}

fn urlencode_component(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn malformed_input_on_sqlite() {
    every_server_function_survives_malformed_input(start_server_on("malformed", Backend::Sqlite, &[]).await)
        .await;
}

#[tokio::test]
async fn malformed_input_on_postgres() {
    every_server_function_survives_malformed_input(
        start_server_on("malformed", Backend::Postgres, &[]).await,
    )
    .await;
}

#[test]
fn the_source_reader_finds_flattened_fields() {
    let functions = server_functions();
    let check_in = functions.iter().find(|f| f.endpoint == "exchange/check_in").expect("exchange/check_in");
    assert!(check_in.fields.iter().any(|(name, _)| name == "week_start"), "{:?}", check_in.fields);
    let sign_in = functions.iter().find(|f| f.endpoint == "auth/sign_in").unwrap();
    let names: Vec<&str> = sign_in.fields.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["email", "password", "next", "remember"]);
}
