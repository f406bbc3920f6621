//! The audit trail's side of each request: every request runs in an audit context (the
//! client's address, and the session once known), and every refused request (401, 403 or
//! 404 from a server function, the CSV route or an authorization check while a page
//! renders) is recorded once, here, with its endpoint and the signed-in account.
//!
//! Server-side rendering runs a page's resources as spawned tasks; [`install_executor`]
//! makes Leptos spawn them (through `any_spawner`) with the spawning request's context, so
//! the entries they write carry the address and session too.

use crate::security::loggable_path;
use any_spawner::{CustomExecutor, Executor, PinnedFuture, PinnedLocalFuture};
use app::{
    api::audit::AuditedRoute,
    services::{audit, request_context as context},
    state::AppState,
};
use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::Response,
};
use std::net::SocketAddr;

/// Tokio, with each spawned task in its spawner's audit context.
struct ContextExecutor;

impl CustomExecutor for ContextExecutor {
    fn spawn(&self, future: PinnedFuture<()>) {
        tokio::spawn(context::propagate(future));
    }

    fn spawn_local(&self, future: PinnedLocalFuture<()>) {
        tokio::task::spawn_local(context::propagate(future));
    }

    fn poll_local(&self) {}
}

/// Makes Leptos spawn its tasks on tokio in the spawning request's audit context. Call it
/// before building the Leptos routes (which would otherwise install plain tokio); calling
/// it again (several servers in one test process) changes nothing.
pub fn install_executor() {
    let _ = Executor::init_custom_executor(ContextExecutor);
}

/// Runs the request in a fresh audit context and records a refusal: a server function's
/// (its error's status, once per call), the CSV route's, or one made while the server
/// rendered a page (the first refusal an authorization check noted, under the page's path
/// with any secret link token cut out).
pub async fn audit_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let address = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| peer.ip());
    let path = request.uri().path().to_owned();
    let request_context = context::RequestContext::new(address);
    let response = context::scope(request_context.clone(), next.run(request)).await;
    let status = response.status().as_u16();
    let refused = match (response.extensions().get::<AuditedRoute>(), path.strip_prefix("/api/")) {
        (Some(AuditedRoute(endpoint)), _) => Some((*endpoint, status)),
        (None, Some(endpoint)) => {
            response.headers().contains_key("serverfnerror").then_some((endpoint, status))
        }
        (None, None) => request_context.refusal().map(|noted| (loggable_path(&path), noted)),
    };
    if let Some((endpoint, status)) = refused {
        let recorded = context::scope(
            request_context,
            audit::record_refusal(&state.db, endpoint, status, chrono::Utc::now()),
        )
        .await;
        if recorded.is_err() {
            tracing::error!(endpoint, status, "a refused request could not be audited");
        }
    }
    response
}
