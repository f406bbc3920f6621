//! An email address, trimmed and lower-cased so that comparisons ignore case.

use super::{has_control_chars, InvalidInput};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest address SMTP can carry (RFC 5321 path limit).
const MAX_LEN: usize = 254;
/// The longest local part (before the `@`).
const MAX_LOCAL_LEN: usize = 64;

/// A plausible, normalised email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses what a person typed: surrounding spaces are dropped and the address is
    /// lower-cased; anything that cannot be an address is refused with a message.
    pub fn parse(input: &str) -> Result<Self, InvalidInput> {
        let address = input.trim().to_lowercase();
        if address.is_empty() {
            return Err(InvalidInput::new("Enter an email address."));
        }
        if address.chars().count() > MAX_LEN {
            return Err(InvalidInput::new(format!("An email address can be at most {MAX_LEN} characters.")));
        }
        if address.chars().any(char::is_whitespace) || has_control_chars(&address, false) {
            return Err(InvalidInput::new("An email address cannot contain spaces."));
        }
        let Some((local, domain)) = address.rsplit_once('@') else {
            return Err(InvalidInput::new("Enter an email address like name@example.com."));
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > MAX_LOCAL_LEN || local.contains('@') || !domain_ok {
            return Err(InvalidInput::new("Enter an email address like name@example.com."));
        }
        Ok(Self(address))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = InvalidInput;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_spaces() {
        let email = EmailAddress::parse("  Alex.Doe@Example.ORG ").unwrap();
        assert_eq!(email.as_str(), "alex.doe@example.org");
    }

    #[test]
    fn accepts_plus_addressing_and_subdomains() {
        assert!(EmailAddress::parse("sam+therapy@mail.example.co.uk").is_ok());
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "   ",
            "plainaddress",
            "@example.com",
            "name@",
            "name@localhost",
            "name@.example.com",
            "name@example.com.",
            "name@exa..mple.com",
            "two@@example.com",
            "with space@example.com",
            "tab\t@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn refuses_over_long_addresses() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(EmailAddress::parse(&long_local).is_err());
        let long = format!("a@{}.com", "b".repeat(250));
        let err = EmailAddress::parse(&long).unwrap_err();
        assert!(err.0.contains("254"));
    }

    #[test]
    fn deserialising_parses() {
        let parsed: EmailAddress = serde_json::from_str("\"A@B.CO\"").unwrap();
        assert_eq!(parsed.as_str(), "a@b.co");
        assert!(serde_json::from_str::<EmailAddress>("\"nope\"").is_err());
    }
}
