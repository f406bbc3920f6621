//! The server's shared state, given to server functions and SSR through Leptos context.

use crate::services::{sealing::SealingKey, sessions::SessionPolicy, throttle::TrustedProxies};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tokio::sync::Notify;

/// Everything a request handler needs from the running server.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos' own options (site root, address, …).
    pub leptos_options: LeptosOptions,
    /// The database pool.
    pub db: DatabaseConnection,
    /// Cookie and session settings.
    pub security: SecuritySettings,
    /// Where emails' links point, and how to wake the mail worker.
    pub mail: MailSettings,
    /// Who may sign up, and whose forwarded addresses are believed.
    pub accounts: AccountSettings,
}

/// How accounts come to be, and how a client's address is read.
#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// `SIGN_UP=open`: anyone may sign up as a therapist; otherwise only the operator's
    /// `server invite-therapist` creates therapist accounts.
    pub sign_up_open: bool,
    /// `TRUSTED_PROXIES`: peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<TrustedProxies>,
    /// `SEALING_KEY`: seals and opens second-factor secrets at rest.
    pub sealing_key: Arc<SealingKey>,
}

/// What request handlers need to know about outgoing email.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The address people use to reach the app, without a trailing slash.
    pub public_base_url: String,
    /// True when an SMTP server is configured (otherwise email waits in the outbox).
    pub smtp_configured: bool,
    /// Wakes the mail worker after an email is queued.
    pub wakeup: Arc<Notify>,
}

impl MailSettings {
    /// Tells the mail worker there is something to send (after the queuing commit).
    pub fn wake_worker(&self) {
        self.wakeup.notify_one();
    }
}

/// Settings that shape sessions and cookies.
#[derive(Debug, Clone, Copy)]
pub struct SecuritySettings {
    /// Idle and absolute session timeouts.
    pub sessions: SessionPolicy,
    /// Mark cookies `Secure` (the public URL is https).
    pub secure_cookies: bool,
}
