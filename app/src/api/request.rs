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
    domain::device::DeviceLabel,
    entities::users,
    error::AppError,
    services::{request_context, sessions, tokens::SecretToken, Actor},
    state::{AppState, SecuritySettings},
};
use axum::{extract::ConnectInfo, middleware::Next, response::Response};
use chrono::{DateTime, Utc};
use http::{header, request::Parts, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
};
use tokio::sync::OnceCell;

/// The cookie that carries the session token over plain http (development).
pub const SESSION_COOKIE: &str = "babysteps_session";
/// The cookie that carries a sign-in waiting for its second-factor code. It is sent only
/// to the one server function that finishes such a sign-in.
pub const PENDING_SIGN_IN_COOKIE: &str = "babysteps_pending_sign_in";
/// The path the pending sign-in cookie is sent to.
const PENDING_SIGN_IN_PATH: &str = "/api/auth/sign_in_code";

/// The cookie that carries the session token over https. The `__Host-` prefix makes the
/// browser accept it only with `Secure`, `Path=/` and no `Domain`, so no other site or
/// subdomain can set or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-babysteps_session";

/// What a server function needs from its request, taken from the Leptos context at once.
#[derive(Clone)]
pub struct Request {
    /// The server's shared state.
    pub state: AppState,
    parts: Parts,
    response: ResponseOptions,
}

/// The signed-in actor of one HTTP request, looked up once and shared by the page shell and
/// every server function the request runs: the server's [`remember_actor`] layer puts one in
/// the request's extensions, and the copies of the request's parts that Leptos hands to
/// each server function share it. A failed lookup is not kept (the next caller tries again).
#[derive(Clone, Default)]
pub struct ActorCache(Arc<OnceCell<Option<sessions::SignedIn>>>);

/// The server's request layer that gives each HTTP request its [`ActorCache`].
pub async fn remember_actor(mut request: axum::extract::Request, next: Next) -> Response {
    request.extensions_mut().insert(ActorCache::default());
    next.run(request).await
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
    /// The request of a plain axum route (not a server function, so no Leptos context): the
    /// same session and address getters. Nothing it sets reaches the response.
    pub fn from_route(state: AppState, parts: Parts) -> Self {
        Request { state, parts, response: ResponseOptions::default() }
    }

    /// The database pool.
    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.state.db
    }

    /// The session cookie's name: [`SECURE_SESSION_COOKIE`] over https, else
    /// [`SESSION_COOKIE`]. Reading, setting and clearing all use this one name.
    fn session_cookie_name(&self) -> &'static str {
        if self.state.security.secure_cookies {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }

    /// The token in the request's cookie named `cookie`, if any.
    fn cookie_token(&self, cookie: &str) -> Option<SecretToken> {
        self.parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == cookie)
            .map(|(_, value)| SecretToken::from_text(value))
    }

    /// The session token from the request's cookie, if any.
    pub fn session_token(&self) -> Option<SecretToken> {
        self.cookie_token(self.session_cookie_name())
    }

    /// The token of a sign-in waiting for its second-factor code, if any.
    pub fn pending_sign_in_token(&self) -> Option<SecretToken> {
        self.cookie_token(PENDING_SIGN_IN_COOKIE)
    }

    /// The signed-in account (read with its session), or `None` for an anonymous request.
    /// The session is looked up once per HTTP request (see [`ActorCache`]); a request that
    /// starts or ends a session answers with a redirect and asks no more.
    pub async fn signed_in_account(&self) -> Result<Option<users::Model>, AppError> {
        Ok(self.signed_in().await?.map(|signed_in| signed_in.account))
    }

    /// The signed-in account with whether it has a confirmed second factor, or `None` for an
    /// anonymous request; looked up once per HTTP request like [`Request::signed_in_account`].
    pub async fn signed_in(&self) -> Result<Option<sessions::SignedIn>, AppError> {
        let lookup = || async {
            let Some(token) = self.session_token() else {
                return Ok(None);
            };
            sessions::authenticate_account(self.db(), &token, self.state.security.sessions, now()).await
        };
        match self.parts.extensions.get::<ActorCache>() {
            Some(ActorCache(cell)) => cell.get_or_try_init(lookup).await.cloned(),
            None => lookup().await,
        }
    }

    /// The signed-in actor, or `None` for an anonymous request (see
    /// [`Request::signed_in_account`]).
    pub async fn optional_actor(&self) -> Result<Option<Actor>, AppError> {
        Ok(self.signed_in_account().await?.as_ref().map(Actor::of))
    }

    /// The signed-in actor; anonymous requests are refused with 401 (noted for the audit
    /// trail).
    pub async fn actor(&self) -> Result<Actor, AppError> {
        Ok(Actor::of(&self.account().await?))
    }

    /// The signed-in account, read with its session; anonymous requests are refused with
    /// 401 (noted for the audit trail).
    pub async fn account(&self) -> Result<users::Model, AppError> {
        self.signed_in_account().await?.ok_or_else(|| {
            request_context::note_refusal(401);
            AppError::Unauthenticated
        })
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

    /// Starts a session for `actor` on this browser (named from its User-Agent for the
    /// account page) and sends its cookie; `keep` keeps it after the browser closes.
    pub async fn start_session(&self, actor: Actor, keep: bool) -> Result<(), AppError> {
        let user_agent =
            self.parts.headers.get(header::USER_AGENT).and_then(|value| value.to_str().ok()).unwrap_or("");
        let device = DeviceLabel::from_user_agent(user_agent);
        let token =
            sessions::start_on_device(self.db(), actor, self.state.security.sessions, &device, now()).await?;
        self.set_session_cookie(&token, keep)
    }

    /// Sends the session cookie: HttpOnly, SameSite=Lax, and over https `Secure` under the
    /// `__Host-` name. Without `keep` it has no Max-Age and ends when the browser closes;
    /// with it, it lasts the session's absolute lifetime.
    pub fn set_session_cookie(&self, token: &SecretToken, keep: bool) -> Result<(), AppError> {
        let settings: &SecuritySettings = &self.state.security;
        let secure = if settings.secure_cookies { "; Secure" } else { "" };
        let max_age = if keep {
            format!("; Max-Age={}", settings.sessions.absolute_timeout.num_seconds())
        } else {
            String::new()
        };
        self.set_cookie(format!(
            "{}={}; Path=/; HttpOnly; SameSite=Lax{max_age}{secure}",
            self.session_cookie_name(),
            token.expose()
        ))
    }

    /// Tells the browser to forget the session cookie.
    pub fn clear_session_cookie(&self) -> Result<(), AppError> {
        let secure = if self.state.security.secure_cookies { "; Secure" } else { "" };
        let name = self.session_cookie_name();
        self.set_cookie(format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"))
    }

    /// Sends the pending sign-in cookie: HttpOnly, SameSite=Strict, for `max_age_secs`.
    pub fn set_pending_sign_in_cookie(&self, token: &SecretToken, max_age_secs: i64) -> Result<(), AppError> {
        let secure = if self.state.security.secure_cookies { "; Secure" } else { "" };
        self.set_cookie(format!(
            "{PENDING_SIGN_IN_COOKIE}={}; Path={PENDING_SIGN_IN_PATH}; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}",
            token.expose()
        ))
    }

    /// Tells the browser to forget the pending sign-in cookie.
    pub fn clear_pending_sign_in_cookie(&self) -> Result<(), AppError> {
        let secure = if self.state.security.secure_cookies { "; Secure" } else { "" };
        self.set_cookie(format!(
            "{PENDING_SIGN_IN_COOKIE}=; Path={PENDING_SIGN_IN_PATH}; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
        ))
    }
}
