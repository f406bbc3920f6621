//! The signed-in person's settings.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {super::request, crate::services::settings};

/// What the settings page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    /// The account's name.
    pub display_name: String,
    /// The account's email.
    pub email: String,
    /// An IANA time zone name.
    pub time_zone: String,
}

/// The signed-in person's settings.
#[server(endpoint = "settings/get")]
pub async fn load_settings() -> Result<SettingsView, AppError> {
    let actor = request::current_actor().await?;
    let state = request::app_state()?;
    let account = settings::account(&state.db, actor).await?;
    Ok(SettingsView {
        display_name: account.display_name,
        email: account.email,
        time_zone: account.time_zone,
    })
}

/// Changes the signed-in person's time zone.
#[server(endpoint = "settings/time_zone")]
pub async fn save_time_zone(time_zone: String) -> Result<(), AppError> {
    let actor = request::current_actor().await?;
    let state = request::app_state()?;
    settings::set_time_zone(&state.db, actor, &time_zone, request::now()).await
}
