//! Reading the current request inside a server function: state, session, client address.
//! Getters return errors rather than panic when something is missing.

use crate::{
    error::AppError,
    services::{sessions, tokens::SecretToken, Actor},
    state::{AppState, SecuritySettings},
};
use axum::extract::ConnectInfo;
use chrono::{DateTime, Utc};
use http::{header, request::Parts, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::net::SocketAddr;

/// The cookie that carries the session token.
pub const SESSION_COOKIE: &str = "babysteps_session";

/// The server's shared state.
#[track_caller]
pub fn app_state() -> Result<AppState, AppError> {
    let caller = std::panic::Location::caller();
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!(%caller, "AppState missing from the server function context");
        AppError::Internal
    })
}

/// The current time; services take it explicitly so tests can choose it.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

fn request_parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the server function context");
        AppError::Internal
    })
}

/// The session token from the request's cookie, if any.
pub fn session_token() -> Result<Option<SecretToken>, AppError> {
    let parts = request_parts()?;
    let token = parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| SecretToken::from_text(value));
    Ok(token)
}

/// The signed-in actor, or `None` for an anonymous request.
pub async fn optional_actor() -> Result<Option<Actor>, AppError> {
    let Some(token) = session_token()? else {
        return Ok(None);
    };
    let state = app_state()?;
    sessions::authenticate(&state.db, &token, state.security.sessions, now()).await
}

/// The signed-in actor; anonymous requests are refused with 401.
pub async fn current_actor() -> Result<Actor, AppError> {
    optional_actor().await?.ok_or(AppError::Unauthenticated)
}

/// The client's network address (the TCP peer).
pub fn client_address() -> Result<String, AppError> {
    let parts = request_parts()?;
    Ok(parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned()))
}

fn set_cookie(value: String) -> Result<(), AppError> {
    let response = use_context::<ResponseOptions>().ok_or_else(|| {
        tracing::error!("response options missing from the server function context");
        AppError::Internal
    })?;
    let value = HeaderValue::from_str(&value).map_err(|_| AppError::Internal)?;
    response.append_header(header::SET_COOKIE, value);
    Ok(())
}

/// Sends the session cookie: HttpOnly, SameSite=Lax, Secure behind https.
pub fn set_session_cookie(token: &SecretToken, settings: &SecuritySettings) -> Result<(), AppError> {
    let secure = if settings.secure_cookies { "; Secure" } else { "" };
    let max_age = settings.sessions.absolute_timeout.num_seconds();
    set_cookie(format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        token.expose()
    ))
}

/// Tells the browser to forget the session cookie.
pub fn clear_session_cookie(settings: &SecuritySettings) -> Result<(), AppError> {
    let secure = if settings.secure_cookies { "; Secure" } else { "" };
    set_cookie(format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"))
}
