//! The Babysteps server: builds the axum router around the Leptos app, guards it, and
//! serves it until told to stop.

pub mod assets;
pub mod audit;
pub mod config;
pub mod mail;
pub mod security;

use app::{
    app::{shell, App},
    services::database,
    state::{AccountSettings, AppState, MailSettings},
};
use axum::{
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    middleware,
    response::IntoResponse,
    routing::get,
    Router,
};
use config::Config;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{future::Future, net::SocketAddr, sync::Arc};
use tokio::{net::TcpListener, sync::Notify};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::{limit::RequestBodyLimitLayer, timeout::TimeoutLayer};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error("DATABASE_URL: cannot open or migrate the database ({0})")]
    Database(String),
    /// The data folder for SQLite could not be created.
    #[error("DATABASE_URL: cannot create the folder {0}")]
    DataFolder(String),
}

/// Opens the database (creating a SQLite file's folder if needed) and applies migrations.
pub async fn open_database(config: &Config) -> Result<sea_orm::DatabaseConnection, StartError> {
    if let Some(path) = sqlite_path(&config.database_url) {
        if let Some(folder) = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder)
                .map_err(|_| StartError::DataFolder(folder.display().to_string()))?;
        }
    }
    let db =
        database::connect(&config.database_url).await.map_err(|e| StartError::Database(e.to_string()))?;
    database::migrate(&db).await.map_err(|e| StartError::Database(e.to_string()))?;
    Ok(db)
}

/// The file path of a `sqlite://` URL, without its query.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// The Leptos options for serving the built site. When cargo-leptos gave the bundle's files
/// content-hashed names, it wrote their hashes to `hash.txt` next to the server binary;
/// the page shell then links the hashed names.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    let mut options = LeptosOptions::builder()
        .output_name("babysteps")
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.listen_addr)
        .build();
    options.hash_files = app::app::hash_file_path(&options).is_some_and(|path| path.is_file());
    options
}

/// The state shared by every request.
pub fn app_state(config: &Config, db: sea_orm::DatabaseConnection) -> AppState {
    app::services::outbox::set_daily_email_limit(config.daily_email_limit);
    AppState {
        leptos_options: leptos_options(config),
        db,
        security: config.security,
        mail: MailSettings {
            public_base_url: config.public_base_url.clone(),
            smtp_configured: config.smtp.is_some(),
            wakeup: Arc::new(Notify::new()),
        },
        accounts: AccountSettings {
            sign_up_open: config.sign_up == config::SignUpMode::Open,
            trusted_proxies: Arc::new(config.trusted_proxies.clone()),
        },
    }
}

/// The whole HTTP application: pages, server functions, the audit CSV and the record
/// exports, static files, health check, and the layers around them: the audit context (and refused calls recorded),
/// security, then limits on concurrency, time and body size.
pub fn router(config: &Config, state: AppState) -> Router {
    audit::install_executor();
    let routes = generate_route_list(App);
    let guard = Arc::new(security::OriginGuard::new(config.public_origin()));
    let headers = Arc::new(security::HeaderPolicy { hsts: config.is_https() });
    Router::new()
        .route("/healthz", get(health))
        .route(app::api::audit::EXPORT_PATH, get(app::api::audit::export_csv))
        .route(app::api::export::CASE_EXPORT_ROUTE, get(app::api::export::case_export))
        .route(app::api::export::CLIENT_EXPORT_PATH, get(app::api::export::client_export))
        .nest_service("/pkg", assets::bundle(&config.site_root.join("pkg")))
        .route_service("/favicon.svg", assets::favicon(&config.site_root))
        .route_service("/favicon.ico", assets::favicon(&config.site_root))
        .leptos_routes(&state, routes, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(security::error_status))
        .layer(middleware::from_fn_with_state(state.clone(), audit::audit_requests))
        .layer(middleware::from_fn_with_state(guard, security::reject_cross_site))
        .layer(GlobalConcurrencyLimitLayer::new(config.limits.max_concurrent))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, config.limits.timeout))
        // One body limit for every route: 413 for a declared length over it, before reading
        // anything (axum's own default limit, which would answer a failed read, is off).
        .layer(RequestBodyLimitLayer::new(config.limits.max_body_bytes))
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn_with_state(headers, security::security_headers))
        .layer(security::trace_layer())
        .with_state(state)
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    if database::is_reachable(&state.db).await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// Serves `app` on `listener` until `shutdown` completes; requests in flight are finished.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn sqlite_paths_are_found() {
        assert_eq!(sqlite_path("sqlite://data/babysteps.db"), Some("data/babysteps.db"));
        assert_eq!(sqlite_path("sqlite:///tmp/x.db?mode=rwc"), Some("/tmp/x.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://localhost/db"), None);
    }
}
