//! Random secrets handed to browsers, stored only as hashes.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A random 256-bit secret given to a browser (a session cookie, an invitation link).
/// Only its hash is stored. Never logged; `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// Wraps a token read from a cookie or a link.
    pub fn from_text(value: &str) -> Self {
        Self(value.to_owned())
    }

    /// The token's text, for the cookie or link.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A new random token.
    pub fn generate() -> Self {
        let mut bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The SHA-256 of the token, as stored.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let first = SecretToken::generate();
        let second = SecretToken::generate();
        assert_ne!(first, second);
        // 32 bytes, base64url without padding.
        assert_eq!(first.expose().len(), 43);
        assert_eq!(first.hash().len(), 64);
        assert_ne!(first.hash(), first.expose());
        assert_eq!(format!("{first:?}"), "SecretToken(..)");
    }
}
