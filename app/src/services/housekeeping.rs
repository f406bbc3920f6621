//! The daily clean-up of rows that have outlived their use: expired sessions and pending
//! sign-ins, invitations, account links and password reset links that can no longer be
//! used, forgotten sign-in throttles and old reminder-log keys. Nothing here is clinical
//! content and nothing is audited; the audit trail is never touched.

use crate::{
    entities::{
        account_links, invitations, password_resets, pending_sign_ins, reminder_log, sessions,
        sign_in_throttles,
    },
    error::AppError,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{sea_query::Expr, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

/// How long an invitation that can no longer be used (expired, used or revoked) keeps its
/// row, so the case page can still say "expired" or "joined" for a while.
pub const INVITATION_KEEP_DAYS: i64 = 90;

/// How long a reminder-log key is kept: the planner only ever plans keys for today, this
/// week or the current overdue round, so older keys cannot come back.
pub const REMINDER_LOG_KEEP_DAYS: i64 = 30;

/// How long a sign-in or reset throttle row is kept after its last failure: every policy
/// forgets failures after an hour, so a day later the row says nothing.
pub const THROTTLE_KEEP_HOURS: i64 = 24;

/// How many rows of each kind one run removed (or, for account links, made unusable).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Sessions past their absolute expiry.
    pub sessions: u64,
    /// Pending second-factor sign-ins past their 5 minutes.
    pub pending_sign_ins: u64,
    /// Invitations expired, used or revoked more than [`INVITATION_KEEP_DAYS`] ago.
    pub invitations: u64,
    /// Password reset links past their expiry.
    pub reset_links: u64,
    /// Expired account links whose token digest was dropped (the row stays: an unconfirmed
    /// account's expired link is what lets its address be reused).
    pub account_links: u64,
    /// Throttle rows untouched for [`THROTTLE_KEEP_HOURS`].
    pub throttles: u64,
    /// Reminder-log keys older than [`REMINDER_LOG_KEEP_DAYS`].
    pub reminder_keys: u64,
}

/// Removes what has expired by `now`.
pub async fn purge_expired(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Purged, AppError> {
    let sessions = sessions::Entity::delete_many()
        .filter(sessions::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected;
    let pending_sign_ins = pending_sign_ins::Entity::delete_many()
        .filter(pending_sign_ins::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected;
    let long_ago = now - Duration::days(INVITATION_KEEP_DAYS);
    let invitations = invitations::Entity::delete_many()
        .filter(
            Condition::any()
                .add(invitations::Column::ExpiresAt.lte(long_ago))
                .add(invitations::Column::UsedAt.lte(long_ago))
                .add(invitations::Column::RevokedAt.lte(long_ago)),
        )
        .exec(db)
        .await?
        .rows_affected;
    let reset_links = password_resets::Entity::delete_many()
        .filter(password_resets::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected;
    let account_links = account_links::Entity::update_many()
        .col_expr(account_links::Column::TokenHash, Expr::value(Option::<String>::None))
        .filter(account_links::Column::ExpiresAt.lte(now))
        .filter(account_links::Column::TokenHash.is_not_null())
        .exec(db)
        .await?
        .rows_affected;
    let forgotten = now - Duration::hours(THROTTLE_KEEP_HOURS);
    let throttles = sign_in_throttles::Entity::delete_many()
        .filter(sign_in_throttles::Column::LastFailureAt.lte(forgotten))
        .exec(db)
        .await?
        .rows_affected;
    let reminder_keys = reminder_log::Entity::delete_many()
        .filter(reminder_log::Column::CreatedAt.lte(now - Duration::days(REMINDER_LOG_KEEP_DAYS)))
        .exec(db)
        .await?
        .rows_affected;
    Ok(Purged {
        sessions,
        pending_sign_ins,
        invitations,
        reset_links,
        account_links,
        throttles,
        reminder_keys,
    })
}
