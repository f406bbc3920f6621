//! The Babysteps server: builds the axum router around the Leptos app, guards it, and
//! serves it until told to stop.

pub mod assets;
pub mod audit;
pub mod config;
pub mod mail;
pub mod records;
pub mod security;

use app::{
    app::{shell, App},
    services::{database, sealing::SealingKey, second_factor},
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
use config::{Config, SealingKeySource};
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{future::Future, io::ErrorKind, net::SocketAddr, path::Path, sync::Arc};
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
    /// The sealing key could not be read or made.
    #[error("SEALING_KEY_FILE: {0}")]
    SealingKey(String),
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

/// The key that seals second-factor secrets: `SEALING_KEY`, or the key file, made on first
/// start (readable by the server's user only).
pub fn sealing_key(config: &Config) -> Result<SealingKey, StartError> {
    match &config.sealing_key {
        SealingKeySource::Given(key) => Ok(key.clone()),
        SealingKeySource::File(path) => key_from_file(path),
    }
}

fn key_from_file(path: &Path) -> Result<SealingKey, StartError> {
    let problem = |what: String| StartError::SealingKey(format!("{}: {what}", path.display()));
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .map_err(|e| problem(e.to_string()))
            .and_then(|text| SealingKey::from_text(&text).map_err(|what| problem(format!("the key {what}"))))
    };
    match std::fs::metadata(path) {
        Ok(_) => return read(path),
        Err(error) if error.kind() != ErrorKind::NotFound => return Err(problem(error.to_string())),
        Err(_) => {}
    }
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|e| problem(e.to_string()))?;
    }
    let key = SealingKey::generate();
    // Written whole under another name, then linked into place: of two servers starting at
    // once, both end up with the one key that was linked first.
    let temporary = path.with_extension(format!("new-{}", std::process::id()));
    write_private(&temporary, &key.to_text()).map_err(|e| problem(e.to_string()))?;
    let linked = std::fs::hard_link(&temporary, path);
    std::fs::remove_file(&temporary).ok();
    match linked {
        Ok(()) => {
            tracing::info!(
                path = %path.display(),
                "made a new key that seals second-factor secrets: keep this file safe and apart from \
                 database backups; without it, codes from authenticator apps cannot be checked"
            );
            Ok(key)
        }
        Err(error) if error.kind() == ErrorKind::AlreadyExists => read(path),
        Err(error) => Err(problem(error.to_string())),
    }
}

/// Writes a new file that only the server's user may read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

/// At start-up: seals second-factor secrets still stored as plain text, and says loudly
/// when the key does not open the sealed ones (those accounts can then sign in only with a
/// recovery code, until the right key is configured).
pub async fn seal_stored_secrets(
    db: &sea_orm::DatabaseConnection,
    key: &SealingKey,
) -> Result<(), StartError> {
    let report = second_factor::seal_stored_secrets(db, key)
        .await
        .map_err(|_| StartError::Database("cannot seal the stored second-factor secrets".to_owned()))?;
    if report.sealed_now > 0 {
        tracing::info!(count = report.sealed_now, "sealed second-factor secrets stored as plain text");
    }
    if report.unopenable > 0 {
        tracing::error!(
            count = report.unopenable,
            "second-factor secrets do not open with this SEALING_KEY: those accounts can sign in only \
             with a recovery code until the key they were sealed with is configured"
        );
    }
    Ok(())
}

/// The file path of a `sqlite://` URL, without its query.
pub(crate) fn sqlite_path(url: &str) -> Option<&str> {
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
pub fn app_state(config: &Config, db: sea_orm::DatabaseConnection, sealing_key: SealingKey) -> AppState {
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
            sealing_key: Arc::new(sealing_key),
        },
    }
}

/// The whole HTTP application: pages, server functions, the audit CSV and the record
/// exports, static files, health check, and the layers around them: each request's
/// signed-in account looked up once, the audit context (and refused calls recorded),
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
        .layer(middleware::from_fn(app::api::request::remember_actor))
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
    use super::{key_from_file, sqlite_path};

    #[test]
    fn the_key_file_is_made_once_and_read_back() {
        let folder = std::env::temp_dir().join(format!("bs_key_{}", std::process::id()));
        std::fs::remove_dir_all(&folder).ok();
        let path = folder.join("nested").join("sealing.key");
        let made = key_from_file(&path).unwrap();
        assert_eq!(key_from_file(&path).unwrap(), made);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(key_from_file(&path).unwrap_err().to_string().starts_with("SEALING_KEY_FILE:"));
        std::fs::remove_dir_all(&folder).ok();
    }

    #[test]
    fn sqlite_paths_are_found() {
        assert_eq!(sqlite_path("sqlite://data/babysteps.db"), Some("data/babysteps.db"));
        assert_eq!(sqlite_path("sqlite:///tmp/x.db?mode=rwc"), Some("/tmp/x.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://localhost/db"), None);
    }
}
