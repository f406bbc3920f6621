//! The request an audit entry is written in: the client's network address, once the
//! session is known a reference to it (the session's row id — never its token or hash),
//! and whether an authorization check refused something.
//!
//! The server's request layer wraps each request in [`scope`]; the session service notes
//! the session when it authenticates or starts one ([`note_session`]); the checks that
//! refuse (no session, the wrong role, another therapist's case, a closed case) note the
//! refusal ([`note_refusal`]); `audit::record` reads the address and session, and the
//! request layer records a refusal made while the server rendered a page. It is a tokio task-local, so a service needs no extra parameter and the call
//! shape `audit::record(db, event, now)` stays as it is. Futures that server-side rendering
//! spawns (a page's resources) run as other tasks: the server's executor carries the context
//! into them with [`propagate`]. Outside a request (the mail worker, service tests) there is
//! no context, and entries have no address and no session.

use std::{
    future::Future,
    net::IpAddr,
    sync::{Arc, Mutex},
};

tokio::task_local! {
    static CURRENT: Arc<RequestContext>;
}

/// A live session, as an entry names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRef {
    /// The session's row id (a reference, not a credential).
    pub session_id: i32,
    /// The account signed in with it.
    pub user_id: i32,
}

/// What the audit trail knows about the current request.
#[derive(Debug, Default)]
pub struct RequestContext {
    client_address: Option<IpAddr>,
    session: Mutex<Option<SessionRef>>,
    refusal: Mutex<Option<u16>>,
}

impl RequestContext {
    /// The context of a request from `client_address` (its TCP peer), before any session.
    pub fn new(client_address: Option<IpAddr>) -> Arc<Self> {
        Arc::new(Self { client_address, ..Self::default() })
    }

    /// The client's address as stored.
    pub fn client_address(&self) -> Option<String> {
        self.client_address.map(|address| address.to_string())
    }

    /// The session the request was authenticated with (or started), if any.
    pub fn session(&self) -> Option<SessionRef> {
        *self.session.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The HTTP status (401, 403 or 404) of the first refusal noted in this request.
    pub fn refusal(&self) -> Option<u16> {
        *self.refusal.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Runs `future` as (part of) the request described by `context`.
pub async fn scope<F: Future>(context: Arc<RequestContext>, future: F) -> F::Output {
    CURRENT.scope(context, future).await
}

/// The current request's context, if the caller runs inside one.
pub fn current() -> Option<Arc<RequestContext>> {
    CURRENT.try_with(Arc::clone).ok()
}

/// `future` wrapped so it runs in the current request's context (if any), for a task
/// spawned on behalf of the request.
pub fn propagate<F: Future>(future: F) -> impl Future<Output = F::Output> {
    let context = current();
    async move {
        match context {
            Some(context) => CURRENT.scope(context, future).await,
            None => future.await,
        }
    }
}

/// Notes the session the current request is authenticated with (no-op outside a request).
pub fn note_session(session: SessionRef) {
    if let Some(context) = current() {
        *context.session.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(session);
    }
}

/// Notes that an authorization check refused the current request with `status` (401, 403
/// or 404); the first one is kept. No-op outside a request.
pub fn note_refusal(status: u16) {
    if let Some(context) = current() {
        context.refusal.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get_or_insert(status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_context_reaches_the_request_and_tasks_it_propagates_to() {
        assert!(current().is_none());
        let context = RequestContext::new(Some("192.0.2.7".parse().unwrap()));
        scope(context, async {
            note_session(SessionRef { session_id: 4, user_id: 9 });
            note_refusal(404);
            note_refusal(403);
            assert_eq!(current().unwrap().refusal(), Some(404));
            let seen = tokio::spawn(propagate(async { current().and_then(|c| c.session()) })).await.unwrap();
            assert_eq!(seen, Some(SessionRef { session_id: 4, user_id: 9 }));
            assert_eq!(current().unwrap().client_address().as_deref(), Some("192.0.2.7"));
            let lost = tokio::spawn(async { current().is_none() }).await.unwrap();
            assert!(lost, "a plain spawn does not carry the context");
        })
        .await;
    }
}
