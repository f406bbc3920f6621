//! The signed-in person's own account (both roles): change the password, see and sign out
//! the devices it is signed in on. And, signed out: ask for a password reset link by
//! email, check such a link, and choose a new password through it.

use crate::{domain::local_time::LocalTime, error::AppError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::services::{
        account::{self, deletion, devices, reset},
        clock, settings,
        tokens::SecretToken,
    },
};

/// One device the account is signed in on, as the account page shows it. The session id is
/// the only handle; token hashes never leave the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    /// The session's id.
    pub session_id: i32,
    /// "Firefox on Linux".
    pub label: String,
    /// When it signed in (in the therapist's time zone).
    pub signed_in_at: LocalTime,
    /// When it was last used (to within a minute).
    pub last_seen_at: LocalTime,
    /// True for the browser making this request.
    pub current: bool,
}

#[cfg(feature = "ssr")]
impl DeviceView {
    /// A device as the account page shows it, its times in `time_zone`.
    fn new(device: devices::Device, time_zone: &str) -> Self {
        DeviceView {
            session_id: device.session_id,
            label: device.label.as_str().to_owned(),
            signed_in_at: clock::local(time_zone, device.signed_in_at),
            last_seen_at: clock::local(time_zone, device.last_seen_at),
            current: device.current,
        }
    }
}

/// What a password reset link is, for its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetLinkView {
    /// It works: ask for the new password.
    Valid,
    /// It was used already.
    Used,
    /// Its 30 minutes are over, or a newer link replaced it.
    Expired,
    /// No such link.
    Unknown,
}

#[cfg(feature = "ssr")]
impl From<reset::ResetLink> for ResetLinkView {
    fn from(link: reset::ResetLink) -> Self {
        match link {
            reset::ResetLink::Valid => ResetLinkView::Valid,
            reset::ResetLink::Used => ResetLinkView::Used,
            reset::ResetLink::Expired => ResetLinkView::Expired,
            reset::ResetLink::Unknown => ResetLinkView::Unknown,
        }
    }
}

/// Changes the signed-in person's password; every other session of the account ends.
#[server(endpoint = "account/change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let current = req.session_token().ok_or(AppError::Unauthenticated)?;
    let client_address = req.client_address();
    let change = account::PasswordChange {
        current_password: &current_password,
        new_password: &new_password,
        client_address,
    };
    account::change_password(req.db(), actor, &current, change, request::now()).await?;
    leptos_axum::redirect("/account?password=changed");
    Ok(())
}

/// The devices the signed-in person is signed in on, this one first.
#[server(endpoint = "account/devices")]
pub async fn load_devices() -> Result<Vec<DeviceView>, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let current = req.session_token().ok_or(AppError::Unauthenticated)?;
    let list = devices::list(req.db(), actor, &current, req.state.security.sessions, request::now()).await?;
    let zone = settings::reading_zone(req.db(), actor).await?;
    Ok(list.into_iter().map(|device| DeviceView::new(device, &zone)).collect())
}

/// Signs out one of the person's own sessions (another's answers 404). Signing out this
/// browser's own session also forgets its cookie and goes to sign-in.
#[server(endpoint = "account/sign_out_device")]
pub async fn sign_out_device(session_id: i32) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let current = req.session_token().ok_or(AppError::Unauthenticated)?;
    if devices::sign_out_one(req.db(), actor, &current, session_id, request::now()).await? {
        req.clear_session_cookie()?;
        leptos_axum::redirect("/sign-in");
    }
    Ok(())
}

/// Ends every session of the signed-in person, this one included, and goes to sign-in.
#[server(endpoint = "account/sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    devices::sign_out_everywhere(req.db(), actor, request::now()).await?;
    req.clear_session_cookie()?;
    leptos_axum::redirect("/sign-in");
    Ok(())
}

/// Deletes the signed-in therapist's account (refused while a case is open or a closed
/// case's record was not downloaded), forgets this browser's session and goes to sign-in.
#[server(endpoint = "account/delete")]
pub async fn delete_account(
    current_password: String,
    #[server(default)] confirm: Option<String>,
) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let deletion = deletion::AccountDeletion {
        current_password: &current_password,
        confirmed: confirm.is_some(),
        client_address: req.client_address(),
    };
    deletion::delete_therapist_account(req.db(), actor, deletion, request::now()).await?;
    req.clear_session_cookie()?;
    leptos_axum::redirect("/sign-in?account=deleted");
    Ok(())
}

/// Asks for a password reset link. The answer is the same whether or not the email has an
/// account (and takes as long): a redirect to the page that says to check the inbox.
#[server(endpoint = "auth/forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    let req = request::current()?;
    reset::request_reset(req.db(), &email, req.client_address(), request::now()).await?;
    req.state.mail.wake_worker();
    leptos_axum::redirect("/forgot-password?sent=1");
    Ok(())
}

/// What a reset link is (reading it changes nothing).
#[server(endpoint = "auth/reset_link")]
pub async fn check_reset_link(token: String) -> Result<ResetLinkView, AppError> {
    let req = request::current()?;
    let link = reset::check_link(req.db(), &SecretToken::from_text(&token), request::now()).await?;
    Ok(link.into())
}

/// Chooses a new password through a reset link. Every session of the account ends and
/// nobody is signed in: the page then asks the person to sign in with the new password.
#[server(endpoint = "auth/reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    let req = request::current()?;
    let token = SecretToken::from_text(&token);
    reset::reset_password(req.db(), &token, &password, request::now()).await?;
    leptos_axum::redirect("/password-changed");
    Ok(())
}
