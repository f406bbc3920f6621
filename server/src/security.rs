//! HTTP-level protection: security headers on every response, refusal of cross-site
//! state-changing requests, error statuses for server functions, and request logs that
//! never include query strings or bodies.

use app::error::AppError;
use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::sync::Arc;
use tower_http::{classify::ServerErrorsAsFailures, classify::SharedClassifier, trace::TraceLayer};

/// Which origins may send state-changing requests: this app's own.
pub struct OriginGuard {
    public_origin: String,
}

impl OriginGuard {
    /// A guard that accepts `public_origin` (and the request's own Host).
    pub fn new(public_origin: String) -> Self {
        Self { public_origin }
    }

    /// True when a request with these headers comes from this site (or from no browser).
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        let text = |name: HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some(site) = text(HeaderName::from_static("sec-fetch-site")) {
            if site != "same-origin" && site != "none" {
                return false;
            }
        }
        let Some(origin) = text(header::ORIGIN).or_else(|| text(header::REFERER).map(origin_of)) else {
            // No browser sends a state-changing request without Origin today; other clients
            // (scripts, tests) cannot carry a victim's cookie across sites.
            return true;
        };
        if origin == self.public_origin {
            return true;
        }
        let host = text(header::HOST);
        let origin_host = origin.split_once("://").map(|(_, host)| host);
        host.is_some() && origin_host == host
    }
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => &url[..after_scheme + slash],
        None => url,
    }
}

/// Refuses (403) state-changing requests from another site.
pub async fn reject_cross_site(
    State(guard): State<Arc<OriginGuard>>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !guard.allows(request.headers()) {
        tracing::warn!(method = %request.method(), path = request.uri().path(), "cross-site request refused");
        return (StatusCode::FORBIDDEN, "Cross-site requests are not allowed.").into_response();
    }
    next.run(request).await
}

/// Which optional headers to send.
pub struct HeaderPolicy {
    /// Send Strict-Transport-Security (the app is served over https).
    pub hsts: bool,
}

/// Adds security headers to every response. HTML pages carry their own nonce-based CSP
/// (set while rendering); anything else gets a CSP that allows nothing.
pub async fn security_headers(
    State(policy): State<Arc<HeaderPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    let is_asset = request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "same-origin");
    set(
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    );
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    set(header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'");
    if !is_asset {
        set(header::CACHE_CONTROL, "no-store");
    }
    if policy.hsts {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    response
}

/// Server functions answer every error with 500; this gives each [`AppError`] its own
/// status (401, 403, 404, 422, …) so callers and logs can tell them apart.
pub async fn error_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::RateLimited { retry_after_secs } = error {
            parts.headers.insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Logs each request's method, path (never the query, never a token) and status.
pub fn trace_layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, fn(&Request) -> tracing::Span> {
    TraceLayer::new_for_http().make_span_with(|request: &Request| {
        tracing::info_span!("request", method = %request.method(), path = loggable_path(request.uri().path()))
    })
}

/// The path as it may be logged: secrets in invitation, consultation and password reset
/// links are cut out.
pub fn loggable_path(path: &str) -> &str {
    if path.starts_with("/join/") {
        "/join/…"
    } else if path.starts_with("/consult/") {
        "/consult/…"
    } else if path.starts_with("/reset-password/") {
        "/reset-password/…"
    } else if path.starts_with("/confirm-email/") {
        "/confirm-email/…"
    } else if path.starts_with("/welcome/") {
        "/welcome/…"
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn same_origin_is_allowed() {
        let guard = OriginGuard::new("https://care.example.org".into());
        assert!(guard
            .allows(&headers(&[("origin", "https://care.example.org"), ("sec-fetch-site", "same-origin")])));
        assert!(guard.allows(&headers(&[("origin", "http://127.0.0.1:4000"), ("host", "127.0.0.1:4000")])));
        assert!(guard.allows(&headers(&[])));
    }

    #[test]
    fn other_sites_are_refused() {
        let guard = OriginGuard::new("https://care.example.org".into());
        assert!(!guard.allows(&headers(&[("origin", "https://evil.example")])));
        assert!(!guard.allows(&headers(&[("origin", "null")])));
        assert!(!guard.allows(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!guard
            .allows(&headers(&[("sec-fetch-site", "same-site"), ("origin", "https://care.example.org")])));
        assert!(!guard
            .allows(&headers(&[("referer", "https://evil.example/page"), ("host", "care.example.org")])));
    }

    #[test]
    fn tokens_never_reach_the_log() {
        assert_eq!(loggable_path("/join/abcdefSECRET"), "/join/…");
        assert_eq!(loggable_path("/consult/12-SECRET"), "/consult/…");
        assert_eq!(loggable_path("/reset-password/SECRET"), "/reset-password/…");
        assert_eq!(loggable_path("/caseload"), "/caseload");
    }

    #[test]
    fn origins_are_cut_from_urls() {
        assert_eq!(origin_of("https://a.example/x/y"), "https://a.example");
        assert_eq!(origin_of("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
    }
}
