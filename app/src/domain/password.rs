//! A new password that meets the rules. Its text is never printed by `Debug`.

use super::InvalidInput;
use std::fmt;

/// Fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Most characters a password may have (hashing cost stays bounded).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A password chosen by a person, checked against the password rules.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Checks a new password: 12 to 128 characters, not only spaces, and not the
    /// person's own email address.
    pub fn parse(input: &str, email: Option<&str>) -> Result<Self, InvalidInput> {
        let length = input.chars().count();
        if length < MIN_PASSWORD_CHARS {
            return Err(InvalidInput::new(format!(
                "Use at least {MIN_PASSWORD_CHARS} characters for your password."
            )));
        }
        if length > MAX_PASSWORD_CHARS {
            return Err(InvalidInput::new(format!(
                "A password can be at most {MAX_PASSWORD_CHARS} characters."
            )));
        }
        if input.trim().is_empty() {
            return Err(InvalidInput::new("A password cannot be only spaces."));
        }
        if email.is_some_and(|email| input.trim().eq_ignore_ascii_case(email.trim())) {
            return Err(InvalidInput::new("Your password cannot be your email address."));
        }
        Ok(Self(input.to_owned()))
    }

    /// The password's text, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_long_passphrase() {
        assert!(Password::parse("correct horse battery", None).is_ok());
    }

    #[test]
    fn refuses_short_and_over_long() {
        assert!(Password::parse("short", None).is_err());
        assert!(Password::parse("elevenchars", None).is_err());
        assert!(Password::parse("twelve chars", None).is_ok());
        assert!(Password::parse(&"x".repeat(129), None).is_err());
        assert!(Password::parse(&"x".repeat(128), None).is_ok());
    }

    #[test]
    fn counts_characters_not_bytes() {
        // Twelve characters, many more bytes.
        assert!(Password::parse("ééééééééééé", None).is_err());
        assert!(Password::parse("éééééééééééé", None).is_ok());
    }

    #[test]
    fn refuses_blank_and_own_email() {
        assert!(Password::parse(&" ".repeat(20), None).is_err());
        assert!(Password::parse("Alex@Example.com", Some("alex@example.com")).is_err());
    }

    #[test]
    fn debug_hides_the_text() {
        let password = Password::parse("a secret phrase", None).unwrap();
        assert_eq!(format!("{password:?}"), "Password(..)");
    }
}
