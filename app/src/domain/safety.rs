//! What a client is told about reaching their therapist alone: the therapist's crisis line
//! and how soon they usually reply (each with a default when the therapist has not set
//! one), shown on the private note page, the client's home and the join page.

use super::{has_control_chars, InvalidInput};
use serde::{Deserialize, Serialize};

/// Most characters in a crisis line.
pub const MAX_CRISIS_LINE_CHARS: usize = 300;

/// The crisis line shown when the therapist has not written their own.
pub const DEFAULT_CRISIS_LINE: &str = "If you are in danger, call your local emergency number.";

/// The fewest and most days a therapist may say they usually reply within.
pub const REPLY_DAYS: std::ops::RangeInclusive<i16> = 1..=14;

/// A therapist's crisis line: one line of at most 300 characters (may be empty: the default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrisisLine(String);

impl CrisisLine {
    /// Parses one line of at most 300 characters, trimmed; blank means "use the default".
    pub fn parse(input: &str) -> Result<Self, InvalidInput> {
        let text = input.trim();
        if text.chars().count() > MAX_CRISIS_LINE_CHARS {
            return Err(InvalidInput::new(format!(
                "Keep the crisis line to {MAX_CRISIS_LINE_CHARS} characters."
            )));
        }
        if has_control_chars(text, false) {
            return Err(InvalidInput::new("Write the crisis line on one line."));
        }
        Ok(Self(text.to_owned()))
    }

    /// The text (empty for the default).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Parses "usually replies within N days": blank for none, else a whole number 1 to 14.
pub fn parse_reply_days(input: &str) -> Result<Option<i16>, InvalidInput> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i16>() {
        Ok(days) if REPLY_DAYS.contains(&days) => Ok(Some(days)),
        _ => Err(InvalidInput::new("Choose a number of days from 1 to 14.")),
    }
}

/// What a client is told about getting help and hearing back, from their therapist's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafetyInfo {
    /// The therapist's crisis line (empty: the default).
    pub crisis_line: String,
    /// The days within which the therapist usually replies, if they said.
    pub reply_within_days: Option<i16>,
}

impl SafetyInfo {
    /// The crisis line to show: the therapist's own, or the default.
    pub fn crisis_text(&self) -> &str {
        match self.crisis_line.trim() {
            "" => DEFAULT_CRISIS_LINE,
            own => own,
        }
    }

    /// That nobody watches the channel around the clock, and how soon a reply usually comes.
    pub fn availability(&self) -> String {
        match self.reply_within_days {
            Some(1) => "This is not monitored around the clock; your therapist usually replies within 1 day."
                .to_owned(),
            Some(days) => format!(
                "This is not monitored around the clock; your therapist usually replies within {days} days."
            ),
            None => "This is not monitored around the clock; your therapist replies when they can, \
                     usually within a few days."
                .to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crisis_lines_are_one_short_line() {
        assert_eq!(
            CrisisLine::parse("  Call 112 (EU) or 988 (US) ").unwrap().as_str(),
            "Call 112 (EU) or 988 (US)"
        );
        assert!(CrisisLine::parse("line one\nline two").is_err());
        assert!(CrisisLine::parse(&"x".repeat(301)).is_err());
        assert_eq!(CrisisLine::parse(" ").unwrap().as_str(), "");
    }

    #[test]
    fn reply_days_are_one_to_fourteen() {
        assert_eq!(parse_reply_days(""), Ok(None));
        assert_eq!(parse_reply_days(" 3 "), Ok(Some(3)));
        assert!(
            parse_reply_days("0").is_err()
                && parse_reply_days("15").is_err()
                && parse_reply_days("two").is_err()
        );
    }

    #[test]
    fn defaults_apply_when_unset() {
        let unset = SafetyInfo::default();
        assert_eq!(unset.crisis_text(), DEFAULT_CRISIS_LINE);
        assert!(unset.availability().starts_with("This is not monitored around the clock"));
        let set = SafetyInfo { crisis_line: "Call 988".into(), reply_within_days: Some(2) };
        assert_eq!(set.crisis_text(), "Call 988");
        assert!(set.availability().ends_with("usually replies within 2 days."));
    }
}
