//! Secrets the server must read back (a second factor's TOTP secret) are kept sealed:
//! ChaCha20-Poly1305 authenticated encryption with a 256-bit key from the server's
//! configuration (`SEALING_KEY`, or the file `SEALING_KEY_FILE`), a fresh random nonce for
//! every seal, and the place the value belongs to as associated data, so a sealed value
//! copied into another account's row does not open. The database alone never gives the
//! secret; a wrong key opens nothing, and says so as an error rather than a panic.
//!
//! A sealed value is text: `v1:` then the URL-safe base64 (no padding) of the nonce and
//! the ciphertext with its tag. Values stored before sealing existed have no such prefix
//! ([`is_sealed`] tells them apart); the server seals them when it starts.

use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
    Engine as _,
};
use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    ChaCha20Poly1305, Key, Nonce,
};
use rand::RngCore;

/// The length of a key, in bytes.
pub const KEY_BYTES: usize = 32;
/// The nonce's length, in bytes (ChaCha20-Poly1305's 96 bits).
const NONCE_BYTES: usize = 12;
/// What every sealed value starts with (the format's version).
const PREFIX: &str = "v1:";

/// The key that seals and opens stored secrets. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SealingKey([u8; KEY_BYTES]);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(..)")
    }
}

/// A sealed value that could not be opened: sealed with another key, or damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the stored secret does not open with this server's sealing key (another key, or damaged)")]
pub struct Unopenable;

/// True when `stored` is a sealed value (not text stored before sealing existed).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

impl SealingKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = [0_u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        SealingKey(bytes)
    }

    /// A key written as standard base64 of its 32 bytes (surrounding spaces ignored).
    pub fn from_text(text: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| "is not base64 (make one with `openssl rand -base64 32`)".to_owned())?;
        let bytes: [u8; KEY_BYTES] = bytes
            .try_into()
            .map_err(|_| format!("must be {KEY_BYTES} bytes, written in base64 (44 characters)"))?;
        Ok(SealingKey(bytes))
    }

    /// The key as standard base64, as [`SealingKey::from_text`] reads it (for the key file).
    pub fn to_text(&self) -> String {
        STANDARD.encode(self.0)
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(&Key::from(self.0))
    }

    /// Seals `plaintext` for the place named by `context` (e.g. the table, column and row).
    pub fn seal(&self, plaintext: &str, context: &str) -> String {
        let mut nonce = [0_u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload { msg: plaintext.as_bytes(), aad: context.as_bytes() };
        // Encryption fails only for messages longer than 256 GiB.
        let sealed = self.cipher().encrypt(&Nonce::from(nonce), payload).unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Opens a value sealed by [`SealingKey::seal`] for the same `context`.
    pub fn open(&self, stored: &str, context: &str) -> Result<String, Unopenable> {
        let encoded = stored.strip_prefix(PREFIX).ok_or(Unopenable)?;
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| Unopenable)?;
        if bytes.len() < NONCE_BYTES {
            return Err(Unopenable);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| Unopenable)?;
        let opened = self
            .cipher()
            .decrypt(&Nonce::from(nonce), Payload { msg: sealed, aad: context.as_bytes() })
            .map_err(|_| Unopenable)?;
        String::from_utf8(opened).map_err(|_| Unopenable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_place() {
        let key = SealingKey::generate();
        let sealed = key.seal("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "second_factors.secret:7");
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DP"));
        assert!(sealed.len() <= 128, "{}", sealed.len());
        assert_eq!(key.open(&sealed, "second_factors.secret:7").unwrap(), "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
        assert_eq!(key.open(&sealed, "second_factors.secret:8"), Err(Unopenable));
        assert_eq!(SealingKey::generate().open(&sealed, "second_factors.secret:7"), Err(Unopenable));
        assert_ne!(key.seal("same", "x"), key.seal("same", "x"), "a fresh nonce each time");
        for damaged in ["", "v1:", "v1:!!", "v1:AAAA", "JBSWY3DPEHPK3PXP"] {
            assert_eq!(key.open(damaged, "x"), Err(Unopenable));
        }
    }

    #[test]
    fn keys_are_read_back_and_never_printed() {
        let key = SealingKey::generate();
        assert_eq!(SealingKey::from_text(&format!(" {}\n", key.to_text())).unwrap(), key);
        assert!(SealingKey::from_text("short").is_err());
        assert!(SealingKey::from_text(&STANDARD.encode([1_u8; 16])).is_err());
        assert_eq!(format!("{key:?}"), "SealingKey(..)");
    }
}
