//! The second factor: its status and enrolment for the signed-in person, a therapist's
//! "require a second factor" setting, and the sign-in step that asks for a code.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::{auth::landing_path, request},
    crate::{
        components::url::encode_query_value,
        domain::Role,
        services::{second_factor, tokens::SecretToken},
    },
};

/// The signed-in person's second factor, as their own account page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorView {
    /// A second factor is set up.
    pub enrolled: bool,
    /// A therapist, who may require a second factor for their account.
    pub may_require: bool,
    /// The account asks for a second factor.
    pub required: bool,
    /// Unused recovery codes left.
    pub recovery_codes_left: u64,
    /// A started enrolment, still waiting for its first code (shown to the owner only,
    /// and never again once confirmed).
    pub enrolment: Option<EnrolmentView>,
}

/// What a started enrolment shows: the secret to scan or type.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentView {
    /// The secret in base32, grouped in fours.
    pub secret: String,
    /// The QR code as an SVG `data:` URL.
    pub qr_image: String,
    /// The recovery codes the set-up gives, to write down before confirming.
    pub recovery_codes: Vec<String>,
}

impl std::fmt::Debug for EnrolmentView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnrolmentView(..)")
    }
}

#[cfg(feature = "ssr")]
impl SecondFactorView {
    fn new(status: second_factor::SecondFactorStatus, role: Role) -> Self {
        SecondFactorView {
            enrolled: status.enrolled,
            may_require: role == Role::Therapist,
            required: status.required,
            recovery_codes_left: status.recovery_codes_left,
            enrolment: status.enrolment.map(|enrolment| EnrolmentView {
                secret: enrolment.secret,
                qr_image: enrolment.qr_image,
                recovery_codes: enrolment.recovery_codes,
            }),
        }
    }
}

/// The signed-in person's second factor.
#[server(endpoint = "second_factor/status")]
pub async fn second_factor_status() -> Result<SecondFactorView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let status =
        second_factor::status(req.db(), &req.state.accounts.sealing_key, actor, request::now()).await?;
    Ok(SecondFactorView::new(status, actor.role))
}

/// Starts setting up a second factor (the password again).
#[server(endpoint = "second_factor/start")]
pub async fn start_enrolment(password: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    second_factor::start_enrolment(
        req.db(),
        &req.state.accounts.sealing_key,
        actor,
        &password,
        request::now(),
    )
    .await
}

/// Confirms the set-up with a first code; answers the recovery codes, shown once.
#[server(endpoint = "second_factor/confirm")]
pub async fn confirm_enrolment(code: String) -> Result<Vec<String>, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    second_factor::confirm_enrolment(req.db(), &req.state.accounts.sealing_key, actor, &code, request::now())
        .await
}

/// Removes the second factor (the password again).
#[server(endpoint = "second_factor/remove")]
pub async fn remove_second_factor(password: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    second_factor::remove(req.db(), actor, &password, request::now()).await
}

/// A therapist requires a second factor for their account (`required` = true), or not.
#[server(endpoint = "second_factor/required")]
pub async fn require_second_factor(required: bool) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    second_factor::set_required(req.db(), actor, required, request::now()).await
}

/// After a correct password for an account with a second factor: keeps the pending
/// sign-in's token in a short-lived cookie and sends the browser to the code screen.
#[cfg(feature = "ssr")]
pub(crate) fn ask_for_code(
    req: &request::Request,
    token: &SecretToken,
    next: &str,
    keep: bool,
) -> Result<(), AppError> {
    req.set_pending_sign_in_cookie(token, second_factor::PENDING_SIGN_IN_MINUTES * 60)?;
    let keep = if keep { "&remember=on" } else { "" };
    leptos_axum::redirect(&format!("/sign-in/code?next={}{keep}", encode_query_value(next)));
    Ok(())
}

/// Finishes a sign-in with a code from the app (or a recovery code), then goes to `next`;
/// `remember` carries "keep me signed in" from the password screen.
#[server(endpoint = "auth/sign_in_code")]
pub async fn sign_in_code(code: String, next: String, remember: Option<String>) -> Result<(), AppError> {
    let req = request::current()?;
    let token = req.pending_sign_in_token().ok_or(AppError::invalid("", crate::error::SIGN_IN_EXPIRED))?;
    let actor = second_factor::finish_sign_in(
        req.db(),
        &req.state.accounts.sealing_key,
        &token,
        &code,
        request::now(),
    )
    .await?;
    req.clear_pending_sign_in_cookie()?;
    req.start_session(actor, remember.is_some()).await?;
    leptos_axum::redirect(&landing_path(&next, actor.role));
    Ok(())
}
