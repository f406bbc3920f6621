//! Sign-up (and its confirmation), an invited therapist's first visit, sign-in, sign-out
//! and "who am I".

use crate::{domain::Role, error::AppError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::services::{accounts, second_factor, sessions, tokens::SecretToken},
};

/// Where a sign-up lands: the same page whatever the email (the result arrives by email).
pub const SIGN_UP_SENT_PATH: &str = "/sign-up/sent";

/// The signed-in person, as the browser sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    /// Their name.
    pub display_name: String,
    /// Their email.
    pub email: String,
    /// Their role.
    pub role: Role,
    /// Their account asks for a second factor and none is set up yet.
    pub second_factor_missing: bool,
}

/// Where to go after signing in: `next` when it is a path on this site, else the role's home.
pub fn landing_path(next: &str, role: Role) -> String {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.bytes().all(|byte| byte.is_ascii_graphic());
    if local && !next.starts_with("/sign-") {
        next.to_owned()
    } else {
        role.home_path().to_owned()
    }
}

/// Starts a therapist sign-up (when sign-up is open); the answer is the same for every
/// email, and what happened arrives by email.
#[server(endpoint = "auth/sign_up")]
pub async fn sign_up(display_name: String, email: String, password: String) -> Result<(), AppError> {
    let req = request::current()?;
    if !req.state.accounts.sign_up_open {
        return Err(AppError::Forbidden);
    }
    let form = accounts::TherapistSignUp::parse(&display_name, &email, &password)?;
    accounts::sign_up_therapist(req.db(), form, request::now()).await?;
    req.state.mail.wake_worker();
    leptos_axum::redirect(SIGN_UP_SENT_PATH);
    Ok(())
}

/// True when anyone may sign up as a therapist (`SIGN_UP=open`).
#[server(endpoint = "auth/sign_up_open")]
pub async fn sign_up_open() -> Result<bool, AppError> {
    Ok(request::current()?.state.accounts.sign_up_open)
}

/// Confirms a sign-up's email with its link and the password chosen, and signs in.
#[server(endpoint = "auth/confirm_email")]
pub async fn confirm_email(token: String, password: String) -> Result<(), AppError> {
    let req = request::current()?;
    let token = SecretToken::from_text(&token);
    let actor =
        accounts::confirm_email(req.db(), &token, &password, req.client_address(), request::now()).await?;
    req.start_session(actor, false).await?;
    leptos_axum::redirect(actor.role.home_path());
    Ok(())
}

/// An invited therapist chooses their name and password through their link, and signs in.
#[server(endpoint = "auth/complete_invitation")]
pub async fn complete_invitation(
    token: String,
    display_name: String,
    password: String,
) -> Result<(), AppError> {
    let req = request::current()?;
    let token = SecretToken::from_text(&token);
    let actor =
        accounts::complete_invitation(req.db(), &token, &display_name, &password, request::now()).await?;
    req.start_session(actor, false).await?;
    leptos_axum::redirect(actor.role.home_path());
    Ok(())
}

/// Signs in with email and password, then goes to `next` (or the role's home). `remember`
/// (ticked "keep me signed in") keeps the cookie after the browser closes.
#[server(endpoint = "auth/sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: String,
    remember: Option<String>,
) -> Result<(), AppError> {
    let req = request::current()?;
    let attempt =
        accounts::SignInAttempt { email: &email, password: &password, client_address: req.client_address() };
    let actor = accounts::sign_in(req.db(), attempt, request::now()).await?;
    if let Some(pending) = second_factor::begin_sign_in(req.db(), actor, request::now()).await? {
        return super::second_factor::ask_for_code(&req, &pending, &next, remember.is_some());
    }
    req.start_session(actor, remember.is_some()).await?;
    leptos_axum::redirect(&landing_path(&next, actor.role));
    Ok(())
}

/// Ends the current session on the server and in the browser.
#[server(endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let req = request::current()?;
    if let Some(token) = req.session_token() {
        sessions::end(req.db(), &token, request::now()).await?;
    }
    req.clear_session_cookie()?;
    leptos_axum::redirect("/sign-in");
    Ok(())
}

/// The signed-in person, or `None` when nobody is signed in.
#[server(endpoint = "auth/me")]
pub async fn current_user() -> Result<Option<SignedInUser>, AppError> {
    let req = request::current()?;
    let Some(signed_in) = req.signed_in().await? else {
        return Ok(None);
    };
    let second_factor_missing = signed_in.second_factor_missing();
    let (display_name, email, role) =
        (signed_in.account.display_name, signed_in.account.email, signed_in.account.role);
    Ok(Some(SignedInUser { display_name, email, role, second_factor_missing }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landing_keeps_local_paths_only() {
        assert_eq!(landing_path("/caseload?page=2", Role::Therapist), "/caseload?page=2");
        assert_eq!(landing_path("", Role::Therapist), "/caseload");
        assert_eq!(landing_path("https://evil.example", Role::Client), "/homework");
        assert_eq!(landing_path("//evil.example", Role::Client), "/homework");
        assert_eq!(landing_path("/\\evil.example", Role::Client), "/homework");
        assert_eq!(landing_path("/sign-in", Role::Client), "/homework");
        assert_eq!(landing_path("/caseload\r\nSet-Cookie: x=1", Role::Therapist), "/caseload");
        assert_eq!(landing_path("/caf\u{e9}", Role::Therapist), "/caseload");
    }
}
