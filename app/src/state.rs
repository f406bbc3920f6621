//! The server's shared state, given to server functions and SSR through Leptos context.

use crate::services::sessions::SessionPolicy;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

/// Everything a request handler needs from the running server.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos' own options (site root, address, …).
    pub leptos_options: LeptosOptions,
    /// The database pool.
    pub db: DatabaseConnection,
    /// Cookie and session settings.
    pub security: SecuritySettings,
}

/// Settings that shape sessions and cookies.
#[derive(Debug, Clone, Copy)]
pub struct SecuritySettings {
    /// Idle and absolute session timeouts.
    pub sessions: SessionPolicy,
    /// Mark cookies `Secure` (the public URL is https).
    pub secure_cookies: bool,
}
