//! Reading the current request inside a server function: state, session, client address.
//!
//! A server function starts with `let req = request::current()?;`, before its first
//! `.await`, and from then on reads only `req`. That is not style: during server-side
//! rendering a resource's server function runs as a future that can outlive the view that
//! created it. Leptos walks a `<Suspense>`'s children up to three times and drops the views
//! of the earlier walks, and a page that redirects is sent before its resources finish; the
//! future goes on, but the Leptos context it would look things up in is gone. A future is
//! first polled while the view that created it is alive, so everything taken then stays
//! valid for as long as the future runs. Getters return errors rather than panic when
//! something is missing.

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
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The cookie that carries the session token.
pub const SESSION_COOKIE: &str = "babysteps_session";

/// What a server function needs from its request, taken from the Leptos context at once.
#[derive(Clone)]
pub struct Request {
    /// The server's shared state.
    pub state: AppState,
    parts: Parts,
    response: ResponseOptions,
}

/// The current request, read from the server function's context. Call it first, before any
/// `.await` (see the module's documentation).
#[track_caller]
pub fn current() -> Result<Request, AppError> {
    let caller = std::panic::Location::caller();
    let missing = |what: &str| {
        tracing::error!(%caller, "{what} missing from the server function context");
        AppError::Internal
    };
    Ok(Request {
        state: use_context::<AppState>().ok_or_else(|| missing("AppState"))?,
        parts: use_context::<Parts>().ok_or_else(|| missing("request parts"))?,
        response: use_context::<ResponseOptions>().ok_or_else(|| missing("response options"))?,
    })
}

/// The current time; services take it explicitly so tests can choose it.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

impl Request {
    /// The database pool.
    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.state.db
    }

    /// The session token from the request's cookie, if any.
    pub fn session_token(&self) -> Option<SecretToken> {
        self.parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == SESSION_COOKIE)
            .map(|(_, value)| SecretToken::from_text(value))
    }

    /// The signed-in actor, or `None` for an anonymous request.
    pub async fn optional_actor(&self) -> Result<Option<Actor>, AppError> {
        let Some(token) = self.session_token() else {
            return Ok(None);
        };
        sessions::authenticate(self.db(), &token, self.state.security.sessions, now()).await
    }

    /// The signed-in actor; anonymous requests are refused with 401.
    pub async fn actor(&self) -> Result<Actor, AppError> {
        self.optional_actor().await?.ok_or(AppError::Unauthenticated)
    }

    /// The client's network address: the TCP peer, or when the peer is one of the
    /// configured trusted proxies, the address it forwarded (`X-Forwarded-For`).
    pub fn client_address(&self) -> IpAddr {
        let peer = self
            .parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(address)| address.ip());
        let forwarded: Vec<&str> = self
            .parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        self.state.accounts.trusted_proxies.client_address(peer, &forwarded)
    }

    fn set_cookie(&self, value: String) -> Result<(), AppError> {
        let value = HeaderValue::from_str(&value).map_err(|_| AppError::Internal)?;
        self.response.append_header(header::SET_COOKIE, value);
        Ok(())
    }

    /// Sends the session cookie: HttpOnly, SameSite=Lax, Secure behind https.
    pub fn set_session_cookie(&self, token: &SecretToken) -> Result<(), AppError> {
        let settings: &SecuritySettings = &self.state.security;
        let secure = if settings.secure_cookies { "; Secure" } else { "" };
        let max_age = settings.sessions.absolute_timeout.num_seconds();
        self.set_cookie(format!(
            "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
            token.expose()
        ))
    }

    /// Tells the browser to forget the session cookie.
    pub fn clear_session_cookie(&self) -> Result<(), AppError> {
        let secure = if self.state.security.secure_cookies { "; Secure" } else { "" };
        self.set_cookie(format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"))
    }
}
