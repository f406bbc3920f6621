//! Invitations: a one-time link by email that lets a partner join as a client. Only a hash
//! of the link's token is stored; the token itself is minted when the email is sent (or
//! when the therapist opens an unsent invitation from the outbox), expires after 7 days
//! and works once.

use super::{
    access::{owned_case, partner_of_case},
    accounts,
    audit::{self, AuditAction, AuditEvent},
    email, outbox, passwords, settings,
    tokens::SecretToken,
    Actor,
};
use crate::{
    domain::{
        case::{CaseStatus, ConfidentialityPolicy},
        safety::SafetyInfo,
        EmailAddress, Password, Role,
    },
    entities::{cases, invitations, outbox_emails, partners, users},
    error::{AppError, FieldContext},
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, TransactionSession, TransactionTrait,
};

/// How long an invitation link works.
pub const INVITATION_LIFETIME_DAYS: i64 = 7;

fn audit_event(actor_user_id: Option<i32>, action: AuditAction, invitation_id: i32) -> AuditEvent<'static> {
    AuditEvent { actor_user_id, action, record_type: "invitation", record_id: invitation_id.to_string() }
}

/// Revokes every pending invitation of a partner (inside the caller's transaction).
pub async fn revoke_pending(
    db: &impl ConnectionTrait,
    partner_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let pending = invitations::Entity::find()
        .filter(invitations::Column::PartnerId.eq(partner_id))
        .filter(invitations::Column::UsedAt.is_null())
        .filter(invitations::Column::RevokedAt.is_null())
        .all(db)
        .await?;
    for invitation in pending {
        let mut active = invitation.into_active_model();
        active.revoked_at = Set(Some(now));
        active.update(db).await?;
    }
    Ok(())
}

/// Invites (or invites again) one partner of the therapist's case: any earlier link stops
/// working, and the invitation email is queued in the same transaction.
pub async fn invite(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    partner_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?;
    if case.status == CaseStatus::Closed {
        return Err(AppError::conflict("This case is closed. Reopen it before inviting a partner."));
    }
    if case.is_sample {
        return Err(AppError::conflict(super::outbox::NO_EMAIL));
    }
    let partner = partner_of_case(&txn, case_id, partner_id).await?;
    if partner.removed_at.is_some() {
        return Err(AppError::conflict(format!("{} was removed from this case.", partner.first_name)));
    }
    if partner.client_user_id.is_some() {
        return Err(AppError::conflict(format!("{} has already joined.", partner.first_name)));
    }
    let holder =
        users::Entity::find().filter(users::Column::Email.eq(partner.email.as_str())).one(&txn).await?;
    if let Some(holder) = holder {
        if holder.role == Role::Therapist && !accounts::is_stale(&txn, &holder, now).await? {
            return Err(AppError::conflict(format!(
                "{} belongs to a therapist account in Babysteps, so it cannot join as a client. \
                 Ask {} for another address and edit the case.",
                partner.email, partner.first_name
            )));
        }
    }
    outbox::check_allowance(&txn, actor.user_id, 1, now).await?;
    let therapist =
        users::Entity::find_by_id(actor.user_id).one(&txn).await?.ok_or(AppError::Unauthenticated)?;
    revoke_pending(&txn, partner.id, now).await?;
    let invitation_id = invitations::Entity::insert(invitations::ActiveModel {
        partner_id: Set(partner.id),
        token_hash: Set(None),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(INVITATION_LIFETIME_DAYS)),
        used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    let content = email::invitation(&partner.first_name, &therapist.display_name);
    outbox::enqueue(
        &txn,
        outbox::NewEmail {
            case_id: Some(case_id),
            partner_id: Some(partner.id),
            invitation_id: Some(invitation_id),
            kind: outbox::EmailKind::Invitation,
            to_address: partner.email.clone(),
            to_name: partner.first_name.clone(),
            from_name: therapist.display_name.clone(),
            reply_to: Some(therapist.email.clone()),
            content,
        },
        now,
    )
    .await?;
    audit::record(&txn, audit_event(Some(actor.user_id), AuditAction::InvitationCreated, invitation_id), now)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Revokes a partner's pending invitation.
pub async fn revoke(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    partner_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    owned_case(&txn, actor, case_id).await?;
    let partner = partner_of_case(&txn, case_id, partner_id).await?;
    revoke_pending(&txn, partner.id, now).await?;
    audit::record(
        &txn,
        AuditEvent {
            actor_user_id: Some(actor.user_id),
            action: AuditAction::InvitationRevoked,
            record_type: "partner",
            record_id: partner.id.to_string(),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Mints a fresh token for a pending invitation, replacing any earlier one, and returns it.
/// `None` when the invitation can no longer be used.
pub async fn mint_token(
    db: &impl ConnectionTrait,
    invitation_id: i32,
    now: DateTime<Utc>,
) -> Result<Option<SecretToken>, AppError> {
    let Some(invitation) = invitations::Entity::find_by_id(invitation_id).one(db).await? else {
        return Ok(None);
    };
    if invitation.used_at.is_some() || invitation.revoked_at.is_some() || invitation.expires_at <= now {
        return Ok(None);
    }
    let token = SecretToken::generate();
    let mut active = invitation.into_active_model();
    active.token_hash = Set(Some(token.hash()));
    active.update(db).await?;
    Ok(Some(token))
}

/// The link a token opens, relative to the site.
pub fn link_path(token: &SecretToken) -> String {
    format!("/join/{}", token.expose())
}

/// For the outbox when no SMTP server is configured: the therapist opens an unsent
/// invitation's link to pass it on themselves. This makes a new link; earlier ones stop.
pub async fn reveal_unsent_link(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    outbox_email_id: i32,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let txn = db.begin().await?;
    let row =
        outbox_emails::Entity::find_by_id(outbox_email_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let (Some(case_id), Some(invitation_id)) = (row.case_id, row.invitation_id) else {
        return Err(AppError::NotFound);
    };
    owned_case(&txn, actor, case_id).await?;
    if row.status == outbox::EmailStatus::Sent {
        return Err(AppError::conflict(
            "This invitation was already emailed. Send a new invitation instead.",
        ));
    }
    let token = mint_token(&txn, invitation_id, now)
        .await?
        .ok_or_else(|| AppError::conflict("This invitation has expired or was replaced. Send a new one."))?;
    audit::record(
        &txn,
        audit_event(Some(actor.user_id), AuditAction::InvitationLinkRevealed, invitation_id),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(link_path(&token))
}

/// What a person opening an invitation link learns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationLookup {
    /// The link works.
    Valid(InvitationDetails),
    /// The link is past its 7 days.
    Expired,
    /// The link was used already.
    Used,
    /// The therapist revoked it or sent a newer one.
    Revoked,
    /// No such link.
    Unknown,
}

/// The facts shown on a working invitation page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationDetails {
    /// Who invited them.
    pub therapist_name: String,
    /// The invited partner's first name.
    pub partner_first_name: String,
    /// The address invited (their sign-in).
    pub email: String,
    /// The case's confidentiality policy.
    pub policy: ConfidentialityPolicy,
    /// True when that email already has an account (they sign in to accept).
    pub has_account: bool,
    /// The therapist's crisis line and usual reply time.
    pub safety: SafetyInfo,
}

struct Found {
    invitation: invitations::Model,
    partner: partners::Model,
    case: cases::Model,
}

async fn find_by_token(db: &impl ConnectionTrait, token: &SecretToken) -> Result<Option<Found>, AppError> {
    let Some(invitation) =
        invitations::Entity::find().filter(invitations::Column::TokenHash.eq(token.hash())).one(db).await?
    else {
        return Ok(None);
    };
    let partner =
        partners::Entity::find_by_id(invitation.partner_id).one(db).await?.ok_or(AppError::NotFound)?;
    let case = cases::Entity::find_by_id(partner.case_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(Some(Found { invitation, partner, case }))
}

/// Looks up an invitation link (anyone may open one).
pub async fn lookup(
    db: &impl ConnectionTrait,
    token: &SecretToken,
    now: DateTime<Utc>,
) -> Result<InvitationLookup, AppError> {
    let Some(Found { invitation, partner, case }) = find_by_token(db, token).await? else {
        return Ok(InvitationLookup::Unknown);
    };
    if invitation.used_at.is_some() {
        return Ok(InvitationLookup::Used);
    }
    if invitation.revoked_at.is_some() || case.status == CaseStatus::Closed || partner.removed_at.is_some() {
        return Ok(InvitationLookup::Revoked);
    }
    if invitation.expires_at <= now {
        return Ok(InvitationLookup::Expired);
    }
    let therapist = users::Entity::find_by_id(case.therapist_id).one(db).await?.ok_or(AppError::NotFound)?;
    let has_account =
        match users::Entity::find().filter(users::Column::Email.eq(partner.email.as_str())).one(db).await? {
            Some(holder) => !accounts::is_stale(db, &holder, now).await?,
            None => false,
        };
    let policy = case.confidentiality_policy;
    Ok(InvitationLookup::Valid(InvitationDetails {
        safety: settings::safety_of(&therapist),
        therapist_name: therapist.display_name,
        partner_first_name: partner.first_name,
        email: partner.email,
        policy,
        has_account,
    }))
}

/// Why a link cannot be used, in words that say how to get a new one.
fn unusable(lookup: &InvitationLookup) -> AppError {
    let message = match lookup {
        InvitationLookup::Expired => "This invitation has expired. Ask your therapist to send you a new one.",
        InvitationLookup::Used => "This invitation has already been used. Sign in with the email it was sent to.",
        InvitationLookup::Revoked => "This invitation is no longer valid. Ask your therapist to send you a new one.",
        InvitationLookup::Unknown | InvitationLookup::Valid(_) => {
            "This invitation link is not valid. Check that you copied all of it, or ask your therapist for a new one."
        }
    };
    AppError::conflict(message)
}

async fn link_partner(
    txn: &impl ConnectionTrait,
    found: Found,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Found { invitation, partner, case } = found;
    let invitation_id = invitation.id;
    let mut invitation = invitation.into_active_model();
    invitation.used_at = Set(Some(now));
    invitation.update(txn).await?;
    let mut partner = partner.into_active_model();
    partner.client_user_id = Set(Some(user_id));
    partner.joined_at = Set(Some(now));
    partner.update(txn).await?;
    let mut case = case.into_active_model();
    case.last_client_activity_at = Set(Some(now));
    case.update(txn).await?;
    audit::record(txn, audit_event(Some(user_id), AuditAction::InvitationAccepted, invitation_id), now).await
}

/// Accepts an invitation by creating the partner's client account. The partner must agree
/// to the confidentiality policy.
pub async fn accept_with_new_account(
    db: &(impl ConnectionTrait + TransactionTrait),
    token: &SecretToken,
    password: &str,
    agreed: bool,
    now: DateTime<Utc>,
) -> Result<Actor, AppError> {
    let lookup = lookup(db, token, now).await?;
    let InvitationLookup::Valid(details) = &lookup else {
        return Err(unusable(&lookup));
    };
    if details.has_account {
        return Err(AppError::conflict(
            "An account with this email already exists. Sign in to accept the invitation.",
        ));
    }
    if !agreed {
        return Err(AppError::invalid(
            "agree",
            "Please read and agree to how your therapist handles confidentiality.",
        ));
    }
    let password = Password::parse(password, Some(&details.email)).field("password")?;
    let email = EmailAddress::parse(&details.email).map_err(|_| AppError::Internal)?;
    let hash = passwords::hash(&password).await?;
    let txn = db.begin().await?;
    let found = find_by_token(&txn, token).await?.ok_or_else(|| unusable(&InvitationLookup::Unknown))?;
    if found.invitation.used_at.is_some() {
        return Err(unusable(&InvitationLookup::Used));
    }
    let display_name = match &found.partner.last_name {
        Some(last) => format!("{} {last}", found.partner.first_name),
        None => found.partner.first_name.clone(),
    };
    // An unconfirmed therapist account whose link expired does not keep the address's owner out.
    if accounts::retire_if_stale(&txn, &email, now).await?.is_some() {
        return Err(AppError::conflict(
            "An account with this email already exists. Sign in to accept the invitation.",
        ));
    }
    let user_id = accounts::create_client(&txn, &email, &display_name, hash, now).await?;
    link_partner(&txn, found, user_id, now).await?;
    txn.commit().await?;
    Ok(Actor { user_id, role: Role::Client })
}

/// Accepts an invitation for the signed-in client whose email it was sent to.
pub async fn accept_signed_in(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    token: &SecretToken,
    agreed: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let lookup = lookup(db, token, now).await?;
    let InvitationLookup::Valid(details) = &lookup else {
        return Err(unusable(&lookup));
    };
    let user = users::Entity::find_by_id(actor.user_id).one(db).await?.ok_or(AppError::Unauthenticated)?;
    if user.email != details.email {
        return Err(AppError::conflict(
            "This invitation was sent to a different email address. Sign out, then open the link again.",
        ));
    }
    if actor.role != Role::Client {
        return Err(AppError::conflict(
            "This email belongs to a therapist account. Ask the therapist to invite a different address.",
        ));
    }
    if !agreed {
        return Err(AppError::invalid(
            "agree",
            "Please read and agree to how your therapist handles confidentiality.",
        ));
    }
    let txn = db.begin().await?;
    let already =
        partners::Entity::find().filter(partners::Column::ClientUserId.eq(actor.user_id)).one(&txn).await?;
    if already.is_some() {
        return Err(AppError::conflict(
            "Your account already belongs to a couple in Babysteps. Ask your therapist to invite a different address.",
        ));
    }
    let found = find_by_token(&txn, token).await?.ok_or_else(|| unusable(&InvitationLookup::Unknown))?;
    link_partner(&txn, found, actor.user_id, now).await?;
    txn.commit().await?;
    Ok(())
}
