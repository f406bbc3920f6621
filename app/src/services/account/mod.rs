//! The signed-in person's own account, for both roles: changing the password (which ends
//! every other session), resetting a forgotten password by email ([`reset`]), and the
//! devices the account is signed in on ([`devices`]), and deleting a therapist's account
//! ([`deletion`]).

pub mod deletion;
pub mod devices;
pub mod reset;

use super::{
    audit::{self, AuditAction, AuditEvent},
    passwords,
    throttle::{self, PER_ACCOUNT, PER_ADDRESS},
    tokens::SecretToken,
    Actor,
};
use crate::{
    domain::Password,
    entities::{sessions as session_rows, users},
    error::{AppError, FieldContext},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, TransactionSession, TransactionTrait,
};

/// The refusal of a wrong current password.
pub const CURRENT_PASSWORD_WRONG: &str = "That is not your current password.";

/// A password change as it arrived from the form.
#[derive(Debug, Clone, Copy)]
pub struct PasswordChange<'a> {
    /// The current password as typed (never logged).
    pub current_password: &'a str,
    /// The new password as typed (never logged).
    pub new_password: &'a str,
    /// The client's network address, for the per-address throttle.
    pub client_address: std::net::IpAddr,
}

fn event(actor_user_id: Option<i32>, action: AuditAction, user_id: i32) -> AuditEvent<'static> {
    AuditEvent { actor_user_id, action, record_type: "user", record_id: user_id.to_string() }
}

/// Changes the actor's password. The current password must match; wrong guesses are
/// slowed down like sign-in (the same counters, per account and per address). On success
/// every other session of the account ends (the one behind `current` stays) and pending
/// reset links stop working.
pub async fn change_password(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    current: &SecretToken,
    change: PasswordChange<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let user = users::Entity::find_by_id(actor.user_id).one(db).await?.ok_or(AppError::Unauthenticated)?;
    let account_key = throttle::account_key(&user.email);
    let address_key = throttle::address_key(change.client_address);
    if change.current_password.is_empty() {
        return Err(AppError::invalid("current_password", "Enter your current password."));
    }
    let new_password = Password::parse(change.new_password, Some(&user.email)).field("new_password")?;
    // Each attempt is counted before the password is checked, so parallel guesses cannot
    // slip through together; a correct one gives it back.
    throttle::reserve(db, &address_key, PER_ADDRESS, now).await?;
    throttle::reserve(db, &account_key, PER_ACCOUNT, now).await?;
    if !passwords::verify(change.current_password, Some(&user.password_hash)).await? {
        audit::record(db, event(Some(user.id), AuditAction::PasswordChangeRefused, user.id), now).await?;
        return Err(AppError::invalid("current_password", CURRENT_PASSWORD_WRONG));
    }
    throttle::clear(db, &account_key).await?;
    throttle::release(db, &address_key).await?;
    let password_hash = passwords::hash(&new_password).await?;
    let txn = db.begin().await?;
    let user_id = user.id;
    set_password_hash(&txn, user, password_hash, now).await?;
    reset::retire_pending(&txn, user_id, now).await?;
    let others = session_rows::Entity::delete_many()
        .filter(session_rows::Column::UserId.eq(user_id))
        .filter(session_rows::Column::TokenHash.ne(current.hash()))
        .exec(&txn)
        .await?;
    audit::record(&txn, event(Some(user_id), AuditAction::PasswordChanged, user_id), now).await?;
    if others.rows_affected > 0 {
        audit::record(&txn, event(Some(user_id), AuditAction::SessionsEnded, user_id), now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Stores a new password hash on an account (inside the caller's transaction).
async fn set_password_hash(
    db: &impl ConnectionTrait,
    user: users::Model,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut active = user.into_active_model();
    active.password_hash = Set(password_hash);
    active.updated_at = Set(now);
    active.update(db).await?;
    Ok(())
}
