//! Slows down repeated sign-in failures, per account and per client address. Counts live in
//! the database, so several server instances share them.

use crate::{entities::sign_in_throttles, error::AppError};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{sea_query::OnConflict, ActiveValue::Set, ConnectionTrait, EntityTrait};

/// How quickly failures for one key are slowed down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed before any wait is imposed.
    pub free_failures: i32,
    /// The first wait, doubled with each further failure.
    pub base_wait_secs: i64,
    /// The longest wait.
    pub max_wait_secs: i64,
    /// Failures older than this are forgotten.
    pub forget_after_secs: i64,
}

/// Per account (email): five free tries, then 2 s, 4 s, … up to 15 minutes.
pub const PER_ACCOUNT: ThrottlePolicy =
    ThrottlePolicy { free_failures: 5, base_wait_secs: 2, max_wait_secs: 900, forget_after_secs: 3600 };

/// Per client address: a shared office network gets more room before slowing down.
pub const PER_ADDRESS: ThrottlePolicy =
    ThrottlePolicy { free_failures: 30, base_wait_secs: 2, max_wait_secs: 900, forget_after_secs: 3600 };

impl ThrottlePolicy {
    /// How long after the last failure the next attempt must wait, given `failures` so far.
    pub fn wait_after(&self, failures: i32) -> Duration {
        if failures < self.free_failures {
            return Duration::zero();
        }
        let doublings = (failures - self.free_failures).min(20) as u32;
        let secs = self.base_wait_secs.saturating_mul(1_i64 << doublings).min(self.max_wait_secs);
        Duration::seconds(secs)
    }
}

/// The key for an account's counter.
pub fn account_key(email: &str) -> String {
    format!("account:{email}")
}

/// The key for a client address's counter.
pub fn address_key(address: &str) -> String {
    format!("address:{address}")
}

/// Refuses with [`AppError::RateLimited`] while `key` must still wait.
pub async fn check(
    db: &impl ConnectionTrait,
    key: &str,
    policy: ThrottlePolicy,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(row) = sign_in_throttles::Entity::find_by_id(key.to_owned()).one(db).await? else {
        return Ok(());
    };
    if now - row.last_failure_at > Duration::seconds(policy.forget_after_secs) {
        return Ok(());
    }
    let ready_at = row.last_failure_at + policy.wait_after(row.failures);
    if ready_at > now {
        let retry_after_secs = (ready_at - now).num_seconds().max(1) as u64;
        return Err(AppError::RateLimited { retry_after_secs });
    }
    Ok(())
}

/// Counts one more failure for `key`.
pub async fn record_failure(
    db: &impl ConnectionTrait,
    key: &str,
    policy: ThrottlePolicy,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let previous = sign_in_throttles::Entity::find_by_id(key.to_owned()).one(db).await?;
    let failures = match previous {
        Some(row) if now - row.last_failure_at <= Duration::seconds(policy.forget_after_secs) => {
            row.failures.saturating_add(1)
        }
        _ => 1,
    };
    sign_in_throttles::Entity::insert(sign_in_throttles::ActiveModel {
        scope_key: Set(key.to_owned()),
        failures: Set(failures),
        last_failure_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(sign_in_throttles::Column::ScopeKey)
            .update_columns([sign_in_throttles::Column::Failures, sign_in_throttles::Column::LastFailureAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Forgets the failures of `key` (after a successful sign-in).
pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<(), AppError> {
    sign_in_throttles::Entity::delete_by_id(key.to_owned()).exec(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_failures_cost_nothing_then_waits_double() {
        let policy = PER_ACCOUNT;
        assert_eq!(policy.wait_after(0), Duration::zero());
        assert_eq!(policy.wait_after(4), Duration::zero());
        assert_eq!(policy.wait_after(5), Duration::seconds(2));
        assert_eq!(policy.wait_after(6), Duration::seconds(4));
        assert_eq!(policy.wait_after(7), Duration::seconds(8));
    }

    #[test]
    fn waits_are_capped() {
        assert_eq!(PER_ACCOUNT.wait_after(40), Duration::seconds(900));
        assert_eq!(PER_ACCOUNT.wait_after(i32::MAX), Duration::seconds(900));
    }

    #[test]
    fn keys_do_not_collide() {
        assert_ne!(account_key("1.2.3.4"), address_key("1.2.3.4"));
    }
}
