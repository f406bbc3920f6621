//! The signed-in person's settings: a therapist's name, practice, signature, time zone,
//! booking link, email preferences, crisis line and usual reply time; a client's choice
//! about reminders.

use crate::{domain::outbox::Digest, error::AppError};
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
    /// The practice's name.
    pub practice_name: String,
    /// The signature under follow-ups.
    pub signature: String,
    /// Where clients book a consultation.
    pub booking_url: String,
    /// How a therapist hears of submissions.
    pub digest: Digest,
    /// Automatic reminders on (a therapist: for their clients; a client: for themselves).
    pub reminders: bool,
    /// The crisis line clients see beside the private note (empty: the default).
    pub crisis_line: String,
    /// "Usually replies within N days", if set.
    pub reply_within_days: Option<i16>,
    /// How many years closed cases are kept before their content is purged.
    pub retention_years: i16,
}

#[cfg(feature = "ssr")]
impl From<crate::entities::users::Model> for SettingsView {
    fn from(account: crate::entities::users::Model) -> Self {
        SettingsView {
            display_name: account.display_name,
            email: account.email,
            time_zone: account.time_zone,
            practice_name: account.practice_name,
            signature: account.signature,
            booking_url: account.booking_url,
            digest: account.digest,
            reminders: account.reminders,
            crisis_line: account.crisis_line,
            reply_within_days: account.reply_within_days,
            retention_years: account.retention_years,
        }
    }
}

/// The signed-in person's settings.
#[server(endpoint = "settings/get")]
pub async fn load_settings() -> Result<SettingsView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    Ok(settings::account(req.db(), actor).await?.into())
}

/// Changes the signed-in person's time zone.
#[server(endpoint = "settings/time_zone")]
pub async fn save_time_zone(time_zone: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    settings::set_time_zone(req.db(), actor, &time_zone, request::now()).await
}

/// A therapist's settings form as submitted (a missing field reads as empty; `reminders`
/// arrives only when ticked).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    /// The name clients and emails show.
    pub display_name: String,
    /// An IANA time zone.
    pub time_zone: String,
    /// The practice's name.
    pub practice_name: String,
    /// The signature under follow-ups.
    pub signature: String,
    /// Where clients book a consultation.
    pub booking_url: String,
    /// `immediate` or `daily`.
    pub digest: String,
    /// Present when clients should get automatic reminders.
    pub reminders: Option<String>,
    /// The crisis line clients see beside the private note.
    pub crisis_line: String,
    /// "Usually replies within N days": blank or 1 to 14.
    pub reply_within_days: String,
}

#[cfg(feature = "ssr")]
impl From<SettingsForm> for settings::TherapistSettings {
    fn from(form: SettingsForm) -> Self {
        settings::TherapistSettings {
            display_name: form.display_name,
            practice_name: form.practice_name,
            signature: form.signature,
            time_zone: form.time_zone,
            booking_url: form.booking_url,
            digest: form.digest,
            reminders: form.reminders.is_some(),
            crisis_line: form.crisis_line,
            reply_within_days: form.reply_within_days,
        }
    }
}

/// Saves a therapist's settings.
#[server(endpoint = "settings/save")]
pub async fn save_settings(#[server(flatten)] form: SettingsForm) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    settings::save_therapist_settings(req.db(), actor, form.into(), request::now()).await
}

/// A client turns their reminders on (`on` = true) or off.
#[server(endpoint = "settings/reminders")]
pub async fn save_reminders(on: bool) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    settings::set_reminders(req.db(), actor, on, request::now()).await
}

/// A therapist sets how many years closed cases are kept.
#[server(endpoint = "settings/retention")]
pub async fn save_retention(retention_years: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    settings::set_retention_years(req.db(), actor, &retention_years, request::now()).await
}
