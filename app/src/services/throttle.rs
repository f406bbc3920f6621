//! Slows down repeated sign-in failures, per account and per client address. Counts live in
//! the database, so several server instances share them.
//!
//! Every attempt is counted **before** its password is checked: [`reserve`] takes one
//! attempt with a compare-and-swap on the counter's row (an `UPDATE … WHERE failures = <read>`,
//! or an `INSERT … ON CONFLICT DO NOTHING` for a new key), which both databases apply
//! atomically. So however many requests arrive at once, only as many reach the password
//! check as the policy allows; the others are refused with [`AppError::RateLimited`]. A
//! correct password then gives the attempt back ([`clear`] for the account, [`release`]
//! for the address).

use crate::{entities::sign_in_throttles, error::AppError};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use std::net::{IpAddr, Ipv6Addr};

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

/// Per account (email): five free tries, then 2 s, 4 s, … up to 15 minutes. Its owner is
/// never locked out for longer: the refusal points to the password reset, and a successful
/// reset clears the counter (see [`clear`]).
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

/// The key for a client address's counter: an IPv6 address counts by its /64 (one
/// household or server usually holds a whole /64), an IPv4 address (also one written as
/// IPv6-mapped) by itself.
pub fn address_key(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => format!("address:{v4}"),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("address:{v4}"),
            None => {
                let prefix = u128::from(v6) & !((1_u128 << 64) - 1);
                format!("address:{}/64", Ipv6Addr::from(prefix))
            }
        },
    }
}

/// Attempts for a compare-and-swap before giving up (each lost race re-reads the row).
const RESERVE_TRIES: usize = 8;

/// Takes one attempt for `key`, counted as a failure until [`clear`] or [`release`] gives
/// it back. Refuses with [`AppError::RateLimited`] while `key` must still wait.
pub async fn reserve(
    db: &impl ConnectionTrait,
    key: &str,
    policy: ThrottlePolicy,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for _ in 0..RESERVE_TRIES {
        let Some(row) = sign_in_throttles::Entity::find_by_id(key.to_owned()).one(db).await? else {
            let inserted = sign_in_throttles::Entity::insert(sign_in_throttles::ActiveModel {
                scope_key: Set(key.to_owned()),
                failures: Set(1),
                last_failure_at: Set(now),
            })
            .on_conflict(OnConflict::column(sign_in_throttles::Column::ScopeKey).do_nothing().to_owned())
            .exec_without_returning(db)
            .await?;
            if inserted == 1 {
                return Ok(());
            }
            continue;
        };
        let forgotten = now - row.last_failure_at > Duration::seconds(policy.forget_after_secs);
        if !forgotten {
            let ready_at = row.last_failure_at + policy.wait_after(row.failures);
            if ready_at > now {
                let retry_after_secs = (ready_at - now).num_seconds().max(1) as u64;
                return Err(AppError::RateLimited { retry_after_secs });
            }
        }
        let failures = if forgotten { 1 } else { row.failures.saturating_add(1) };
        let swapped = sign_in_throttles::Entity::update_many()
            .col_expr(sign_in_throttles::Column::Failures, Expr::value(failures))
            .col_expr(sign_in_throttles::Column::LastFailureAt, Expr::value(now))
            .filter(sign_in_throttles::Column::ScopeKey.eq(key))
            .filter(sign_in_throttles::Column::Failures.eq(row.failures))
            .filter(sign_in_throttles::Column::LastFailureAt.eq(row.last_failure_at))
            .exec(db)
            .await?;
        if swapped.rows_affected == 1 {
            return Ok(());
        }
    }
    // Many requests racing for one key: this one waits its turn like the others.
    Err(AppError::RateLimited { retry_after_secs: policy.base_wait_secs.max(1) as u64 })
}

/// Gives back one reserved attempt of `key` (a correct password from this address).
pub async fn release(db: &impl ConnectionTrait, key: &str) -> Result<(), AppError> {
    sign_in_throttles::Entity::update_many()
        .col_expr(
            sign_in_throttles::Column::Failures,
            sea_orm::sea_query::ExprTrait::sub(Expr::col(sign_in_throttles::Column::Failures), 1),
        )
        .filter(sign_in_throttles::Column::ScopeKey.eq(key))
        .filter(sign_in_throttles::Column::Failures.gt(0))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets the failures of `key`: after a successful sign-in, and after a successful
/// password reset (call it with [`account_key`] of the account's email), so an attacker's
/// failures never keep the owner out.
pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<(), AppError> {
    sign_in_throttles::Entity::delete_by_id(key.to_owned()).exec(db).await?;
    Ok(())
}

/// Network ranges whose `X-Forwarded-For` is believed (the operator's reverse proxies).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Reads a comma-separated list of CIDRs (`10.0.0.0/8, ::1/128`) or bare addresses.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut ranges = Vec::new();
        for item in list.split(',').map(str::trim).filter(|item| !item.is_empty()) {
            let (address, bits) = match item.split_once('/') {
                Some((address, bits)) => (address, Some(bits)),
                None => (item, None),
            };
            let address: IpAddr =
                address.parse().map_err(|_| format!("{item:?} is not an address or CIDR"))?;
            let max = if address.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                None => max,
                Some(bits) => bits
                    .parse::<u8>()
                    .ok()
                    .filter(|bits| *bits <= max)
                    .ok_or_else(|| format!("{item:?} has a prefix length beyond {max}"))?,
            };
            ranges.push((address, bits));
        }
        Ok(Self(ranges))
    }

    /// True when `address` is in one of the ranges.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|(network, bits)| match (canonical(*network), address) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = if *bits == 0 { 0 } else { u32::MAX << (32 - u32::from(*bits)) };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = if *bits == 0 { 0 } else { u128::MAX << (128 - u32::from(*bits)) };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        })
    }

    /// The client's address: the TCP peer, unless the peer is a trusted proxy; then the
    /// right-most address of `X-Forwarded-For` that is not itself a trusted proxy (the
    /// left part of the header is written by the client and proves nothing).
    pub fn client_address(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        if !self.contains(peer) {
            return canonical(peer);
        }
        let hops: Vec<&str> =
            forwarded_for.iter().flat_map(|value| value.split(',')).map(str::trim).collect();
        let mut client = canonical(peer);
        for hop in hops.iter().rev() {
            let Ok(address) = hop.parse::<IpAddr>() else {
                break;
            };
            client = canonical(address);
            if !self.contains(client) {
                break;
            }
        }
        client
    }
}

/// An IPv4-mapped IPv6 address as IPv4, others unchanged.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

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
        assert_ne!(account_key("1.2.3.4"), address_key(ip("1.2.3.4")));
    }

    #[test]
    fn ipv6_addresses_count_by_their_64() {
        assert_eq!(address_key(ip("2001:db8:1:2:aaaa::1")), address_key(ip("2001:db8:1:2:ffff:1:2:3")));
        assert_eq!(address_key(ip("2001:db8:1:2::9")), "address:2001:db8:1:2::/64");
        assert_ne!(address_key(ip("2001:db8:1:2::1")), address_key(ip("2001:db8:1:3::1")));
        assert_eq!(address_key(ip("::ffff:192.0.2.7")), address_key(ip("192.0.2.7")));
        assert_ne!(address_key(ip("192.0.2.7")), address_key(ip("192.0.2.8")));
    }

    #[test]
    fn trusted_proxies_parse_cidrs_and_refuse_nonsense() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.0.2.1, fd00::/8").unwrap();
        assert!(proxies.contains(ip("10.200.3.4")));
        assert!(proxies.contains(ip("192.0.2.1")));
        assert!(!proxies.contains(ip("192.0.2.2")));
        assert!(proxies.contains(ip("fd12:3456::1")));
        assert!(proxies.contains(ip("::ffff:10.1.1.1")));
        assert!(!proxies.contains(ip("2001:db8::1")));
        assert_eq!(TrustedProxies::parse("").unwrap(), TrustedProxies::default());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("::/129").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_peer() {
        let none = TrustedProxies::default();
        assert_eq!(none.client_address(ip("203.0.113.5"), &["198.51.100.1"]), ip("203.0.113.5"));
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // An untrusted peer's header is ignored.
        assert_eq!(proxies.client_address(ip("203.0.113.5"), &["198.51.100.1"]), ip("203.0.113.5"));
        // Behind the proxy: the right-most untrusted hop; the client's own prefix is ignored.
        assert_eq!(
            proxies.client_address(ip("10.0.0.2"), &["1.1.1.1, 198.51.100.1", "10.0.0.3"]),
            ip("198.51.100.1")
        );
        // No header, or an unreadable hop: the last address known.
        assert_eq!(proxies.client_address(ip("10.0.0.2"), &[]), ip("10.0.0.2"));
        assert_eq!(proxies.client_address(ip("10.0.0.2"), &["junk"]), ip("10.0.0.2"));
        let v6 = TrustedProxies::parse("::1").unwrap();
        assert_eq!(
            address_key(v6.client_address(ip("::1"), &["2001:db8:5:6::77"])),
            "address:2001:db8:5:6::/64"
        );
    }
}
