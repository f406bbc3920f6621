//! Resetting a forgotten password by email.
//!
//! Asking ("forgot your password?") always gets the same answer, whether or not the email
//! has an account, and of either role. Both branches do the same throttle work; only a
//! known account gets a reset row and an email queued in the outbox (a few inserts in one
//! transaction); and every answer is held back until [`ANSWER_FLOOR`] has passed since
//! the request began, so the difference cannot be timed. Nothing is sent for an unknown
//! email, and nothing about it is stored beyond the throttle's counter.
//!
//! As with invitations, the link's token is minted only when the email is sent
//! ([`mint_token`], called by the mail worker), so the outbox never holds a usable link;
//! only the token's SHA-256 is stored. A link works once, for 30 minutes from the request;
//! a newer request, a password change or a completed reset retires the earlier links.
//! Choosing the new password ends every session of the account and signs nobody in.

use super::{event, set_password_hash};
use crate::{
    domain::{outbox::EmailKind, EmailAddress, Password},
    entities::{password_resets, users},
    error::{AppError, FieldContext},
    services::{
        audit::{self, AuditAction},
        email, outbox, passwords, sessions,
        throttle::{self, ThrottlePolicy},
        tokens::SecretToken,
    },
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, TransactionSession, TransactionTrait,
};

/// How long a reset link works after it was asked for.
pub const RESET_LIFETIME_MINUTES: i64 = 30;

/// The shortest time any answer to "forgot your password?" takes, whatever the email.
pub const ANSWER_FLOOR: std::time::Duration = std::time::Duration::from_millis(300);

/// Requests per typed email: three, then one a minute, doubling to 15 minutes (so nobody
/// can fill an inbox with links). The same for an email without an account.
pub const PER_EMAIL: ThrottlePolicy =
    ThrottlePolicy { free_failures: 3, base_wait_secs: 60, max_wait_secs: 900, forget_after_secs: 3600 };

/// Requests per client address.
pub const PER_ADDRESS: ThrottlePolicy =
    ThrottlePolicy { free_failures: 20, base_wait_secs: 60, max_wait_secs: 900, forget_after_secs: 3600 };

/// Asks for a reset link for `email_text`. The answer (success, or the same refusal of a
/// malformed address or too many requests) never depends on whether the email has an
/// account, and takes at least [`ANSWER_FLOOR`].
pub async fn request_reset(
    db: &(impl ConnectionTrait + TransactionTrait),
    email_text: &str,
    client_address: std::net::IpAddr,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let floor = tokio::time::Instant::now() + ANSWER_FLOOR;
    let answer = queue_reset(db, email_text, client_address, now).await;
    tokio::time::sleep_until(floor).await;
    answer
}

async fn queue_reset(
    db: &(impl ConnectionTrait + TransactionTrait),
    email_text: &str,
    client_address: std::net::IpAddr,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let email = EmailAddress::parse(email_text).field("email")?;
    let email_key = format!("reset:{}", throttle::account_key(email.as_str()));
    let address_key = format!("reset:{}", throttle::address_key(client_address));
    // Every request counts (reserved before anything else), so both branches write the same
    // two rows here.
    throttle::reserve(db, &address_key, PER_ADDRESS, now).await?;
    throttle::reserve(db, &email_key, PER_EMAIL, now).await?;
    let Some(user) = users::Entity::find().filter(users::Column::Email.eq(email.as_str())).one(db).await?
    else {
        return Ok(());
    };
    // A sample partner's (or a retired account's) address can never be mailed.
    if crate::services::outbox::is_unmailable(&user.email) {
        return Ok(());
    }
    let txn = db.begin().await?;
    retire_pending(&txn, user.id, now).await?;
    let email_id = outbox::enqueue(
        &txn,
        outbox::NewEmail {
            case_id: None,
            partner_id: None,
            invitation_id: None,
            kind: EmailKind::PasswordReset,
            to_address: user.email.clone(),
            to_name: user.display_name.clone(),
            from_name: "Babysteps".to_owned(),
            reply_to: None,
            content: email::password_reset(&user.display_name),
        },
        now,
    )
    .await?;
    password_resets::Entity::insert(password_resets::ActiveModel {
        user_id: Set(user.id),
        outbox_email_id: Set(Some(email_id)),
        token_hash: Set(None),
        created_at: Set(now),
        expires_at: Set(now + Duration::minutes(RESET_LIFETIME_MINUTES)),
        used_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(&txn, event(None, AuditAction::PasswordResetRequested, user.id), now).await?;
    txn.commit().await?;
    Ok(())
}

/// Makes every unused reset link of an account stop working (inside the caller's
/// transaction): a newer request, a changed password or a completed reset.
pub(super) async fn retire_pending(
    db: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    password_resets::Entity::update_many()
        .col_expr(password_resets::Column::ExpiresAt, Expr::value(now))
        .filter(password_resets::Column::UserId.eq(user_id))
        .filter(password_resets::Column::UsedAt.is_null())
        .filter(password_resets::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(())
}

/// For the mail worker, as it sends the reset email `outbox_email_id`: a fresh token for
/// its link (any earlier one stops working). `None` when the link can no longer be used.
pub async fn mint_token(
    db: &impl ConnectionTrait,
    outbox_email_id: i32,
    now: DateTime<Utc>,
) -> Result<Option<SecretToken>, AppError> {
    let reset = password_resets::Entity::find()
        .filter(password_resets::Column::OutboxEmailId.eq(outbox_email_id))
        .one(db)
        .await?;
    let Some(reset) = reset.filter(|reset| reset.used_at.is_none() && reset.expires_at > now) else {
        return Ok(None);
    };
    let token = SecretToken::generate();
    let mut active = reset.into_active_model();
    active.token_hash = Set(Some(token.hash()));
    active.update(db).await?;
    Ok(Some(token))
}

/// The page a reset token opens, relative to the site.
pub fn link_path(token: &SecretToken) -> String {
    format!("/reset-password/{}", token.expose())
}

/// What a reset link is, as its page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetLink {
    /// The link works: the page asks for a new password.
    Valid,
    /// The link was used already.
    Used,
    /// The link is past its 30 minutes, or a newer one replaced it.
    Expired,
    /// No such link.
    Unknown,
}

async fn find(
    db: &impl ConnectionTrait,
    token: &SecretToken,
) -> Result<Option<password_resets::Model>, AppError> {
    Ok(password_resets::Entity::find()
        .filter(password_resets::Column::TokenHash.eq(token.hash()))
        .one(db)
        .await?)
}

fn state_of(reset: Option<&password_resets::Model>, now: DateTime<Utc>) -> ResetLink {
    match reset {
        None => ResetLink::Unknown,
        Some(reset) if reset.used_at.is_some() => ResetLink::Used,
        Some(reset) if reset.expires_at <= now => ResetLink::Expired,
        Some(_) => ResetLink::Valid,
    }
}

/// What a reset link is (opening it changes nothing: mail scanners open links).
pub async fn check_link(
    db: &impl ConnectionTrait,
    token: &SecretToken,
    now: DateTime<Utc>,
) -> Result<ResetLink, AppError> {
    Ok(state_of(find(db, token).await?.as_ref(), now))
}

/// The refusal of a link that was used already.
pub const LINK_USED: &str = "This link has already been used. Ask for a new one if you still need it.";
/// The refusal of a link past its time.
pub const LINK_EXPIRED: &str = "This link has expired. Ask for a new one.";

/// Sets a new password through a reset link (the same rules as any new password). The link
/// stops working, every session of the account ends, the account's sign-in throttle is
/// cleared, an unconfirmed email counts as confirmed, and nobody is signed in: the person signs in with the new password.
pub async fn reset_password(
    db: &(impl ConnectionTrait + TransactionTrait),
    token: &SecretToken,
    new_password: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let reset = find(db, token).await?;
    match state_of(reset.as_ref(), now) {
        ResetLink::Valid => {}
        ResetLink::Used => return Err(AppError::conflict(LINK_USED)),
        ResetLink::Expired => return Err(AppError::conflict(LINK_EXPIRED)),
        ResetLink::Unknown => return Err(AppError::NotFound),
    }
    let reset = reset.ok_or(AppError::NotFound)?;
    let user = users::Entity::find_by_id(reset.user_id).one(db).await?.ok_or(AppError::NotFound)?;
    let password = Password::parse(new_password, Some(&user.email)).field("password")?;
    let password_hash = passwords::hash(&password).await?;
    let txn = db.begin().await?;
    // Claimed in one statement, so two tabs submitting at once cannot both use the link.
    let claimed = password_resets::Entity::update_many()
        .col_expr(password_resets::Column::UsedAt, Expr::value(Some(now)))
        .filter(password_resets::Column::Id.eq(reset.id))
        .filter(password_resets::Column::UsedAt.is_null())
        .filter(password_resets::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(AppError::conflict(LINK_USED));
    }
    let (user_id, account_key) = (user.id, throttle::account_key(&user.email));
    set_password_hash(&txn, user, password_hash, now).await?;
    // The link arrived in the mailbox, which confirms the address of a therapist who had not.
    users::Entity::update_many()
        .col_expr(users::Column::EmailVerifiedAt, Expr::value(Some(now)))
        .filter(users::Column::Id.eq(user_id))
        .filter(users::Column::EmailVerifiedAt.is_null())
        .exec(&txn)
        .await?;
    retire_pending(&txn, user_id, now).await?;
    sessions::end_all_for_user(&txn, user_id, now).await?;
    throttle::clear(&txn, &account_key).await?;
    audit::record(&txn, event(Some(user_id), AuditAction::PasswordReset, user_id), now).await?;
    txn.commit().await?;
    Ok(())
}
