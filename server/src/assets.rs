//! Static files: the browser bundle under `/pkg` and the favicon, sent precompressed
//! (brotli or gzip, as the browser accepts) when the release build made `.br` and `.gz`
//! copies, and cached by browsers for as long as their names guarantee their content.

use axum::{
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::Response,
    routing::MethodRouter,
};
use std::path::Path;
use tower::Layer;
use tower_http::services::{ServeDir, ServeFile};

/// For files whose name carries a hash of their content: they never change.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For files whose name stays the same across builds: ask the server each time (it answers
/// 304 Not Modified while the file is unchanged).
pub const REVALIDATE: &str = "no-cache";
/// The favicon keeps its name across builds; a day-old icon is harmless.
pub const FAVICON: &str = "public, max-age=86400";

/// The browser bundle (`site/pkg`): `.js`, `.wasm`, `.css`.
pub fn bundle(pkg_dir: &Path) -> MethodRouter {
    let files = ServeDir::new(pkg_dir).precompressed_br().precompressed_gzip();
    let files = middleware::from_fn(bundle_cache_headers).layer(files);
    axum::routing::get_service(files)
}

/// The favicon (`site/favicon.svg`), also answered at `/favicon.ico` for clients that ask
/// for that name without reading the page's `<link rel="icon">`.
pub fn favicon(site_root: &Path) -> MethodRouter {
    let file = ServeFile::new(site_root.join("favicon.svg")).precompressed_br().precompressed_gzip();
    let file =
        middleware::from_fn(|request: Request, next: Next| cache_headers(request, next, FAVICON)).layer(file);
    axum::routing::get_service(file)
}

async fn bundle_cache_headers(request: Request, next: Next) -> Response {
    let policy = if is_content_hashed(request.uri().path()) { IMMUTABLE } else { REVALIDATE };
    cache_headers(request, next, policy).await
}

/// Sets `Cache-Control` on files found (`no-store` on errors, so a missing file is not
/// remembered) and `Vary: Accept-Encoding`, since the same URL may be sent compressed
/// differently.
async fn cache_headers(request: Request, next: Next, policy: &'static str) -> Response {
    let mut response = next.run(request).await;
    let found = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(if found { policy } else { "no-store" }));
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// True for a file name as cargo-leptos hashes it: `name.<hash>.ext`, the hash being the
/// 22 characters of an unpadded base64url MD5 (`babysteps.3nKq…Zw.wasm`).
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts = name.rsplit('.');
    let (Some(_extension), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !stem.is_empty()
        && hash.len() == 22
        && hash.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_content_hashed("/babysteps.AbCdEfGhIjKlMnOpQrSt-_.wasm"));
        assert!(is_content_hashed("/pkg/babysteps.AbCdEfGhIjKlMnOpQrSt-_.js"));
        assert!(!is_content_hashed("/babysteps.wasm"));
        assert!(!is_content_hashed("/babysteps.js"));
        assert!(!is_content_hashed("/babysteps.short.css"));
        assert!(!is_content_hashed("/AbCdEfGhIjKlMnOpQrSt-_.js"));
        assert!(!is_content_hashed("/babysteps.AbCdEfGhIjKlMnOpQrSt+/.js"));
    }
}
