//! The devices an account is signed in on: its live sessions, each named by the short
//! label made at sign-in, with the current one marked. The owner may sign one out, or all
//! of them. Sessions are named to the browser by their id; token hashes never leave here.

use super::event;
use crate::{
    domain::device::DeviceLabel,
    entities::sessions as session_rows,
    error::AppError,
    services::{
        audit::{self, AuditAction},
        sessions::{self, SessionPolicy},
        tokens::SecretToken,
        Actor,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession, TransactionTrait};

/// One live session of the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// The session's id (the handle the page signs it out by).
    pub session_id: i32,
    /// "Firefox on Linux".
    pub label: DeviceLabel,
    /// When it signed in.
    pub signed_in_at: DateTime<Utc>,
    /// When it was last used (to within a minute).
    pub last_seen_at: DateTime<Utc>,
    /// True for the session making this request.
    pub current: bool,
}

/// The actor's live sessions: the current one first, then the most recently used.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: Actor,
    current: &SecretToken,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Vec<Device>, AppError> {
    let current_hash = current.hash();
    let mut devices: Vec<Device> = session_rows::Entity::find()
        .filter(session_rows::Column::UserId.eq(actor.user_id))
        .all(db)
        .await?
        .into_iter()
        .filter(|session| sessions::is_live(session, policy, now))
        .map(|session| Device {
            session_id: session.id,
            label: DeviceLabel::stored(&session.device),
            signed_in_at: session.created_at,
            last_seen_at: session.last_seen_at,
            current: session.token_hash == current_hash,
        })
        .collect();
    devices
        .sort_by_key(|device| (!device.current, std::cmp::Reverse(device.last_seen_at), device.session_id));
    Ok(devices)
}

/// Signs out one of the actor's own sessions. Another account's session, or none, is
/// "not found". Returns true when it was the current session.
pub async fn sign_out_one(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    current: &SecretToken,
    session_id: i32,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let txn = db.begin().await?;
    let session = session_rows::Entity::find_by_id(session_id)
        .filter(session_rows::Column::UserId.eq(actor.user_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    session_rows::Entity::delete_by_id(session.id).exec(&txn).await?;
    audit::record(&txn, event(Some(actor.user_id), AuditAction::DeviceSignedOut, actor.user_id), now).await?;
    txn.commit().await?;
    Ok(session.token_hash == current.hash())
}

/// Ends every session of the actor, the current one included.
pub async fn sign_out_everywhere(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    session_rows::Entity::delete_many()
        .filter(session_rows::Column::UserId.eq(actor.user_id))
        .exec(&txn)
        .await?;
    audit::record(&txn, event(Some(actor.user_id), AuditAction::SignedOutEverywhere, actor.user_id), now)
        .await?;
    txn.commit().await?;
    Ok(())
}
