//! Domain types shared by the browser and the server. Each one can only be built by
//! parsing, so a value of the type is always valid ("parse, don't validate").

pub mod answers;
pub mod baby_steps;
pub mod case;
mod email;
pub mod exchange;
pub mod exercise;
pub mod follow_up;
mod password;
mod person_name;
mod role;

pub use email::EmailAddress;
pub use password::{Password, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
pub use person_name::{PersonName, MAX_NAME_CHARS};
pub use role::Role;

/// Why a piece of input was refused, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(pub String);

impl InvalidInput {
    /// A refusal with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// True when the text holds a control character (other than the whitespace `allow_newlines`
/// permits), which no name or address should contain.
pub(crate) fn has_control_chars(text: &str, allow_newlines: bool) -> bool {
    text.chars().any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')))
}
