//! What a person types as their second factor: a six-digit code from an authenticator app
//! (RFC 6238) or one of their recovery codes; and how secrets and recovery codes are
//! grouped for reading. `Debug` never prints a code.

use super::InvalidInput;
use std::fmt;

/// Digits in an authenticator app's code.
pub const TOTP_DIGITS: usize = 6;
/// Characters in a recovery code (base32, 5 bits each: 100 bits), without separators.
pub const RECOVERY_CODE_CHARS: usize = 20;
/// The most characters accepted in the code field (a recovery code with separators and
/// spaces fits easily).
const MAX_INPUT_CHARS: usize = 64;

/// A code typed at sign-in or when confirming an enrolment.
#[derive(Clone, PartialEq, Eq)]
pub enum SecondFactorCode {
    /// Six digits from the authenticator app.
    Totp(String),
    /// A recovery code, upper-cased, without spaces or hyphens.
    Recovery(String),
}

impl SecondFactorCode {
    /// Reads a code: spaces and hyphens are ignored and letters may be in either case.
    /// Six digits are an app's code; twenty base32 characters a recovery code.
    pub fn parse(input: &str) -> Result<Self, InvalidInput> {
        if input.chars().count() > MAX_INPUT_CHARS {
            return Err(InvalidInput::new("That is not a code. Enter the six digits from your app."));
        }
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.is_empty() {
            return Err(InvalidInput::new("Enter the six digits from your authenticator app."));
        }
        if compact.len() == TOTP_DIGITS && compact.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Self::Totp(compact));
        }
        let base32 = |b: u8| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b);
        if compact.len() == RECOVERY_CODE_CHARS && compact.bytes().all(base32) {
            return Ok(Self::Recovery(compact));
        }
        Err(InvalidInput::new("That is not a code. Enter the six digits from your app, or a recovery code."))
    }

    /// True for a six-digit app code.
    pub fn is_totp(&self) -> bool {
        matches!(self, Self::Totp(_))
    }

    /// The code's normalised text (digits, or an upper-case recovery code).
    pub fn expose(&self) -> &str {
        match self {
            Self::Totp(code) | Self::Recovery(code) => code,
        }
    }
}

impl fmt::Debug for SecondFactorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_totp() {
            "SecondFactorCode::Totp(..)"
        } else {
            "SecondFactorCode::Recovery(..)"
        })
    }
}

/// Splits text into groups of `size` characters separated by `separator`, for reading
/// aloud or typing: `ABCDEFGH` → `ABCD EFGH`.
pub fn grouped(text: &str, size: usize, separator: char) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / size.max(1));
    for (i, c) in text.chars().enumerate() {
        if i > 0 && i % size.max(1) == 0 {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_are_an_app_code_spaces_ignored() {
        assert_eq!(SecondFactorCode::parse(" 123 456 ").unwrap(), SecondFactorCode::Totp("123456".into()));
        assert!(SecondFactorCode::parse("123456").unwrap().is_totp());
        assert!(SecondFactorCode::parse("12345").is_err());
        assert!(SecondFactorCode::parse("1234567").is_err());
        assert!(SecondFactorCode::parse("12345a").is_err());
        assert!(SecondFactorCode::parse("").is_err());
        assert!(SecondFactorCode::parse("   ").is_err());
    }

    #[test]
    fn recovery_codes_are_read_in_any_case_with_separators() {
        let code = SecondFactorCode::parse("abcde-fghij-klmno-pq234").unwrap();
        assert_eq!(code, SecondFactorCode::Recovery("ABCDEFGHIJKLMNOPQ234".into()));
        assert!(!code.is_totp());
        // 0, 1, 8 and 9 are not base32.
        assert!(SecondFactorCode::parse("abcde-fghij-klmno-pq018").is_err());
        assert!(SecondFactorCode::parse(&"a".repeat(100)).is_err());
    }

    #[test]
    fn debug_never_prints_the_code() {
        let code = SecondFactorCode::parse("123456").unwrap();
        assert!(!format!("{code:?}").contains("123"));
    }

    #[test]
    fn grouping_reads_in_fours() {
        assert_eq!(grouped("ABCDEFGHIJ", 4, ' '), "ABCD EFGH IJ");
        assert_eq!(grouped("ABCD", 4, ' '), "ABCD");
        assert_eq!(grouped("", 4, ' '), "");
        assert_eq!(grouped("ABCDEFGHIJ", 5, '-'), "ABCDE-FGHIJ");
    }
}
