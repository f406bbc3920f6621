//! Argon2id password hashing, run on the blocking thread pool so it never stalls the
//! async runtime. Parameters: 19 MiB memory, 2 iterations, 1 lane (OWASP's minimum).

use crate::{domain::Password, error::AppError};
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use std::sync::OnceLock;

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
    let known = stored_hash.is_some();
    let stored = match stored_hash {
        Some(hash) => hash.to_owned(),
        None => dummy_hash()?.to_owned(),
    };
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
    }

    #[tokio::test]
    async fn two_hashes_of_one_password_differ() {
        let password = Password::parse("a long enough phrase", None).unwrap();
        assert_ne!(hash(&password).await.unwrap(), hash(&password).await.unwrap());
    }
}
