//! Domain types shared by the browser and the server. Each one can only be built by
//! parsing, so a value of the type is always valid ("parse, don't validate").

pub mod answers;
pub mod audit;
pub mod baby_steps;
pub mod case;
pub mod closeness;
pub mod date_text;
pub mod dates;
pub mod device;
mod email;
pub mod exchange;
pub mod exercise;
pub mod follow_up;
pub mod homework;
pub mod local_time;
pub mod measure;
pub mod outbox;
pub mod pact;
mod password;
mod person_name;
pub mod retention;
mod role;
pub mod safety;
pub mod second_factor;
pub mod therapy_session;
#[cfg(feature = "ssr")]
pub mod time_zone;
pub mod whats_new;

pub use email::EmailAddress;
pub use password::{Password, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
pub use person_name::{PersonName, MAX_NAME_CHARS};
pub use role::Role;

/// Defines a closed set of named values: each has a stored name (the database column's
/// text, the form value and the serde name, all one), a label people read, `ALL`, `as_str`
/// and `parse`. Behind `ssr` the enum is also a SeaORM active enum, so an entity field
/// holds the type itself and an unknown stored value is an error when read, never widened.
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $stored:tt, $label:tt; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sea_orm::DeriveActiveEnum, sea_orm::EnumIter))]
        #[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $stored)]
                #[cfg_attr(feature = "ssr", sea_orm(string_value = $stored))]
                $variant,
            )+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored name (also the form value).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $stored),+ }
            }

            /// Reads a stored or submitted name.
            pub fn parse(value: &str) -> Result<Self, $crate::domain::InvalidInput> {
                match value.trim() {
                    $($stored => Ok($name::$variant),)+
                    _ => Err($crate::domain::InvalidInput::new("Choose one of the options.")),
                }
            }

            /// The label people read.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }
    };
}
pub(crate) use stored_enum;

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

/// True for an invisible character that can disguise one line of text: the bidirectional
/// embeddings, overrides and isolates (which reorder what is shown, as in "Trojan source"),
/// the zero-width space, the word joiner and the byte order mark. The zero-width joiner and
/// non-joiner stay allowed: emoji sequences and several scripts need them.
pub(crate) fn is_disguising(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// True when the text holds a control character (other than the whitespace `allow_newlines`
/// permits), which no name or address should contain; one line of text (`allow_newlines`
/// false) also refuses the invisible characters of [`is_disguising`].
pub(crate) fn has_control_chars(text: &str, allow_newlines: bool) -> bool {
    text.chars().any(|c| {
        (c.is_control() && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')))
            || (!allow_newlines && is_disguising(c))
    })
}

/// The refusal of text with a control character in it.
pub const CONTROL_CHARS_REFUSED: &str = "Remove the invisible control characters from this text.";

/// Passes text that is fit to keep: one line (a name, a subject, a label) holds no control
/// character at all, and longer text (`multi_line`) none but newlines and tabs. Either way
/// NUL is refused, which PostgreSQL cannot store.
pub fn plain_text(text: &str, multi_line: bool) -> Result<&str, InvalidInput> {
    if has_control_chars(text, multi_line) {
        Err(InvalidInput::new(CONTROL_CHARS_REFUSED))
    } else {
        Ok(text)
    }
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_refuses_nul_and_control_characters() {
        assert_eq!(plain_text("Alex & Sam", false), Ok("Alex & Sam"));
        assert_eq!(plain_text("line one\nline two\twith a tab", true), Ok("line one\nline two\twith a tab"));
        for text in ["a\0b", "\u{7}", "\u{1b}[31m", "\u{85}"] {
            assert!(plain_text(text, false).is_err(), "{text:?}");
            assert!(plain_text(text, true).is_err(), "{text:?}");
        }
        assert!(plain_text("two\nlines", false).is_err(), "one line has no newline");
        for disguised in ["abc\u{202E}fed", "a\u{200B}b", "\u{2066}x\u{2069}", "\u{FEFF}bom"] {
            assert!(plain_text(disguised, false).is_err(), "{disguised:?}");
        }
        // Emoji sequences and scripts that need the zero-width joiners stay allowed.
        assert!(plain_text("\u{1F468}\u{200D}\u{1F469}", false).is_ok());
        assert!(plain_text("\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}", false).is_ok());
    }
}
