//! Argon2id password hashing, run on the blocking thread pool so it never stalls the
//! async runtime. Parameters: 19 MiB memory, 2 iterations, 1 lane (OWASP's minimum).
//!
//! At most one hash runs per CPU at a time (a global semaphore): each takes 19 MiB, so a
//! burst of sign-ins must not grow memory without bound. A request that cannot start its
//! hash within [`HASHING_WAIT`] is refused with [`AppError::RateLimited`] (429 with
//! `Retry-After`).

use crate::{domain::Password, error::AppError};
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use std::{
    sync::{LazyLock, OnceLock},
    time::Duration,
};
use tokio::sync::{Semaphore, SemaphorePermit};

/// The stored "hash" of an account that has no password yet (an operator's invitation not
/// yet accepted): no password matches it.
pub const NO_PASSWORD: &str = "!no-password";

/// How long a request waits for a free hashing slot before it is refused.
pub const HASHING_WAIT: Duration = Duration::from_secs(2);

/// One hashing slot per CPU, shared by the whole process.
static HASHING: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map(usize::from).unwrap_or(1)));

/// A hashing slot, or a refusal after [`HASHING_WAIT`].
async fn hashing_slot() -> Result<SemaphorePermit<'static>, AppError> {
    slot_of(&HASHING).await
}

async fn slot_of(slots: &Semaphore) -> Result<SemaphorePermit<'_>, AppError> {
    match tokio::time::timeout(HASHING_WAIT, slots.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_)) => Err(AppError::Internal),
        Err(_) => Err(AppError::RateLimited { retry_after_secs: HASHING_WAIT.as_secs().max(1) }),
    }
}

fn hasher() -> Result<Argon2<'static>, AppError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|error| {
        tracing::error!(%error, "argon2 parameters refused");
        AppError::Internal
    })?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a new password into a PHC string (salt and parameters included).
pub async fn hash(password: &Password) -> Result<String, AppError> {
    let password = password.expose().to_owned();
    let _slot = hashing_slot().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()?.hash_password(password.as_bytes(), &salt).map(|hash| hash.to_string()).map_err(|error| {
            tracing::error!(%error, "password hashing failed");
            AppError::Internal
        })
    })
    .await
    .map_err(|_| AppError::Internal)?
}

/// Checks a password against a stored hash. `None` as the hash still spends the same work
/// on a fixed dummy hash, so an unknown email takes as long as a wrong password.
pub async fn verify(candidate: &str, stored_hash: Option<&str>) -> Result<bool, AppError> {
    let candidate = candidate.to_owned();
    let stored_hash = stored_hash.filter(|hash| *hash != NO_PASSWORD);
    let known = stored_hash.is_some();
    let stored = match stored_hash {
        Some(hash) => hash.to_owned(),
        None => dummy_hash()?.to_owned(),
    };
    let _slot = hashing_slot().await?;
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored).map_err(|error| {
            tracing::error!(%error, "stored password hash unreadable");
            AppError::Internal
        })?;
        let matches = hasher()?.verify_password(candidate.as_bytes(), &parsed).is_ok();
        Ok(known && matches)
    })
    .await
    .map_err(|_| AppError::Internal)?
}

/// A hash of a random password, made once per process, for timing-safe refusals.
fn dummy_hash() -> Result<&'static str, AppError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let salt = SaltString::generate(&mut OsRng);
    let hash =
        hasher()?.hash_password(salt.as_str().as_bytes(), &salt).map_err(|_| AppError::Internal)?.to_string();
    Ok(DUMMY.get_or_init(|| hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let password = Password::parse("a long enough phrase", None).unwrap();
        let hash = hash(&password).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("a long enough phrase", Some(&hash)).await.unwrap());
        assert!(!verify("a long enough phrasE", Some(&hash)).await.unwrap());
    }

    #[tokio::test]
    async fn no_stored_hash_never_verifies() {
        assert!(!verify("anything at all here", None).await.unwrap());
        assert!(!verify(NO_PASSWORD, Some(NO_PASSWORD)).await.unwrap());
    }

    #[tokio::test]
    async fn hashing_beyond_the_cpus_waits_then_is_refused() {
        let slots = Semaphore::new(1);
        let held = slot_of(&slots).await.unwrap();
        let started = std::time::Instant::now();
        assert_eq!(slot_of(&slots).await.unwrap_err(), AppError::RateLimited { retry_after_secs: 2 });
        assert!(started.elapsed() >= HASHING_WAIT);
        drop(held);
        assert!(slot_of(&slots).await.is_ok());
        assert!(HASHING.available_permits() >= 1);
    }

    #[tokio::test]
    async fn two_hashes_of_one_password_differ() {
        let password = Password::parse("a long enough phrase", None).unwrap();
        assert_ne!(hash(&password).await.unwrap(), hash(&password).await.unwrap());
    }
}
