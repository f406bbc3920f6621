//! Inviting partners, the outbox, and joining through an invitation link.

use crate::{
    api::cases::EmailView,
    domain::{case::ConfidentialityPolicy, safety::SafetyInfo},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::services::{
        invitations::{self, InvitationLookup},
        outbox,
        tokens::SecretToken,
    },
};

/// What an invitation link shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum InvitationView {
    /// The link works.
    Valid {
        /// Who invited them.
        therapist_name: String,
        /// Their first name.
        partner_first_name: String,
        /// The invited address (their sign-in).
        email: String,
        /// The confidentiality policy they agree to.
        policy: ConfidentialityPolicy,
        /// True when that address already has an account.
        has_account: bool,
        /// True when that account is the one signed in now.
        signed_in_as_invitee: bool,
        /// The therapist's crisis line and usual reply time.
        safety: SafetyInfo,
    },
    /// Expired after 7 days.
    Expired,
    /// Used already.
    Used,
    /// Revoked or replaced by a newer invitation.
    Revoked,
    /// Not a link we know.
    Unknown,
}

/// The therapist's outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    /// Emails, newest first.
    pub emails: Vec<EmailView>,
    /// False when no SMTP server is configured.
    pub smtp_configured: bool,
}

/// Invites (or invites again) one partner; any earlier link stops working.
#[server(endpoint = "invitations/send")]
pub async fn invite_partner(case_id: i32, partner_id: i32) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    invitations::invite(req.db(), actor, case_id, partner_id, request::now()).await?;
    req.state.mail.wake_worker();
    Ok(())
}

/// Revokes a partner's pending invitation.
#[server(endpoint = "invitations/revoke")]
pub async fn revoke_invitation(case_id: i32, partner_id: i32) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    invitations::revoke(req.db(), actor, case_id, partner_id, request::now()).await
}

/// The therapist's outbox (the latest 200 emails).
#[server(endpoint = "outbox/list")]
pub async fn load_outbox() -> Result<OutboxView, AppError> {
    let req = request::current()?;
    let account = req.account().await?;
    let actor = crate::services::Actor::of(&account);
    let rows = outbox::therapist_outbox(req.db(), actor, 200, request::now()).await?;
    Ok(OutboxView {
        emails: rows.into_iter().map(|row| EmailView::from_row(row, &account.time_zone)).collect(),
        smtp_configured: req.state.mail.smtp_configured,
    })
}

/// Opens an unsent invitation's link for the therapist to pass on (a new link each time).
#[server(endpoint = "outbox/reveal_link")]
pub async fn reveal_invitation_link(email_id: i32) -> Result<String, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let path = invitations::reveal_unsent_link(req.db(), actor, email_id, request::now()).await?;
    Ok(format!("{}{path}", req.state.mail.public_base_url))
}

/// What an invitation link shows (anyone holding the link may ask).
#[server(endpoint = "invitations/lookup")]
pub async fn load_invitation(token: String) -> Result<InvitationView, AppError> {
    let req = request::current()?;
    let token = SecretToken::from_text(&token);
    let lookup = invitations::lookup(req.db(), &token, request::now()).await?;
    let signed_in_email = match (&lookup, req.optional_actor().await?) {
        (InvitationLookup::Valid(_), Some(actor)) => {
            Some(crate::services::accounts::own_account(req.db(), actor).await?.email)
        }
        _ => None,
    };
    Ok(InvitationView::new(lookup, signed_in_email))
}

#[cfg(feature = "ssr")]
impl InvitationView {
    /// What the link shows; `signed_in_email` is the signed-in person's address, if any.
    fn new(lookup: InvitationLookup, signed_in_email: Option<String>) -> Self {
        match lookup {
            InvitationLookup::Valid(details) => InvitationView::Valid {
                signed_in_as_invitee: signed_in_email.as_deref() == Some(details.email.as_str()),
                therapist_name: details.therapist_name,
                partner_first_name: details.partner_first_name,
                email: details.email,
                policy: details.policy,
                has_account: details.has_account,
                safety: details.safety,
            },
            InvitationLookup::Expired => InvitationView::Expired,
            InvitationLookup::Used => InvitationView::Used,
            InvitationLookup::Revoked => InvitationView::Revoked,
            InvitationLookup::Unknown => InvitationView::Unknown,
        }
    }
}

/// Makes the invited client's account and signs them in.
#[cfg(feature = "ssr")]
async fn accept_with_new_account(
    req: &request::Request,
    token: &SecretToken,
    password: &str,
    agreed: bool,
) -> Result<(), AppError> {
    let now = request::now();
    let actor = invitations::accept_with_new_account(req.db(), token, password, agreed, now).await?;
    req.start_session(actor, false).await
}

/// Accepts an invitation: with a new password, or as the invited client already signed in.
#[server(endpoint = "invitations/accept")]
pub async fn accept_invitation(
    token: String,
    password: Option<String>,
    agree: Option<String>,
) -> Result<(), AppError> {
    let req = request::current()?;
    let token = SecretToken::from_text(&token);
    let agreed = agree.is_some();
    let now = request::now();
    match req.optional_actor().await? {
        Some(actor) => invitations::accept_signed_in(req.db(), actor, &token, agreed, now).await?,
        None => accept_with_new_account(&req, &token, &password.unwrap_or_default(), agreed).await?,
    }
    leptos_axum::redirect("/homework");
    Ok(())
}
