//! A person's name as they want it shown.

use super::{has_control_chars, InvalidInput};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Most characters a name may have.
pub const MAX_NAME_CHARS: usize = 100;

/// A trimmed, non-empty name of at most 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    /// Parses a name: surrounding spaces are dropped, inner runs of spaces folded.
    pub fn parse(input: &str) -> Result<Self, InvalidInput> {
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(InvalidInput::new("Enter a name."));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(InvalidInput::new(format!("A name can be at most {MAX_NAME_CHARS} characters.")));
        }
        if has_control_chars(&name, false) || name.contains(['<', '>']) {
            return Err(InvalidInput::new("A name cannot contain < or > or control characters."));
        }
        Ok(Self(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PersonName {
    type Error = InvalidInput;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PersonName> for String {
    fn from(value: PersonName) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_folds_spaces() {
        assert_eq!(PersonName::parse("  Dr   Ana  Ruiz ").unwrap().as_str(), "Dr Ana Ruiz");
    }

    #[test]
    fn keeps_accents_and_apostrophes() {
        assert_eq!(PersonName::parse("Zoë O'Brien-Núñez").unwrap().as_str(), "Zoë O'Brien-Núñez");
    }

    #[test]
    fn refuses_empty_long_and_markup() {
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"a".repeat(101)).is_err());
        assert!(PersonName::parse(&"a".repeat(100)).is_ok());
        assert!(PersonName::parse("<script>").is_err());
        assert!(PersonName::parse("bell\u{7}").is_err());
    }
}
