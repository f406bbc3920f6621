//! Dates and times typed into forms: a due date, a check-in week, when to send a message,
//! a proposed time. Each is parsed once and must lie in the years 2000–2100, so nothing
//! later computes with a date near the ends of what the calendar type can hold (where
//! adding or subtracting a day panics) and no page shows the year -262143.

use super::InvalidInput;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

/// The first year a date typed into a form may have.
pub const FIRST_YEAR: i32 = 2000;
/// The last year a date typed into a form may have.
pub const LAST_YEAR: i32 = 2100;

/// True when `date` lies in the years 2000–2100.
pub fn in_range(date: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

/// The message for a date outside 2000–2100.
pub fn out_of_range() -> InvalidInput {
    InvalidInput::new(format!("Choose a date in the years {FIRST_YEAR} to {LAST_YEAR}."))
}

/// A date from a date field (`2026-12-31`), in the years 2000–2100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FormDate(NaiveDate);

impl FormDate {
    /// Parses `YYYY-MM-DD`; anything else, or a year outside 2000–2100, is refused.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let date = text.trim().parse::<NaiveDate>().map_err(|_| {
            InvalidInput::new(format!(
                "Enter a date like 2026-12-31, in the years {FIRST_YEAR} to {LAST_YEAR}."
            ))
        })?;
        Self::new(date)
    }

    /// Accepts a date in 2000–2100.
    pub fn new(date: NaiveDate) -> Result<Self, InvalidInput> {
        if in_range(date) {
            Ok(Self(date))
        } else {
            Err(out_of_range())
        }
    }

    /// The date.
    pub fn date(self) -> NaiveDate {
        self.0
    }
}

/// A date and time from a `datetime-local` field (`2026-12-31T14:30`), in the years
/// 2000–2100, in no time zone yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FormDateTime(NaiveDateTime);

impl FormDateTime {
    /// Parses `YYYY-MM-DDTHH:MM`; anything else, or a year outside 2000–2100, is refused.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let at = parse_date_and_minute(text.trim()).ok_or_else(|| {
            InvalidInput::new(format!("Enter a date and time, in the years {FIRST_YEAR} to {LAST_YEAR}."))
        })?;
        if in_range(at.date()) {
            Ok(Self(at))
        } else {
            Err(out_of_range())
        }
    }

    /// The date and time.
    pub fn date_time(self) -> NaiveDateTime {
        self.0
    }
}

/// `YYYY-MM-DDTHH:MM` (a `datetime-local` field's value, to the minute), read with
/// `chrono`'s fixed parsers rather than a `strftime` pattern, whose parser would otherwise
/// be in the browser bundle only for this.
fn parse_date_and_minute(text: &str) -> Option<NaiveDateTime> {
    let (date, time) = text.split_once('T')?;
    if time.matches(':').count() != 1 {
        return None;
    }
    Some(date.parse::<NaiveDate>().ok()?.and_time(time.parse::<NaiveTime>().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_2000_to_2100_are_read() {
        let date = FormDate::parse(" 2026-12-31 ").unwrap().date();
        assert_eq!(date, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert!(FormDate::parse("2000-01-01").is_ok() && FormDate::parse("2100-12-31").is_ok());
        let at = FormDateTime::parse("2027-01-15T10:00").unwrap().date_time();
        assert_eq!(at.format("%Y-%m-%d %H:%M").to_string(), "2027-01-15 10:00");
    }

    #[test]
    fn dates_far_away_are_refused_with_the_years_allowed() {
        for text in ["-262143-01-01", "+262142-12-31", "1999-12-31", "2101-01-01", "0000-01-01"] {
            let refused = FormDate::parse(text).unwrap_err();
            assert!(refused.0.contains("2000") && refused.0.contains("2100"), "{text}: {}", refused.0);
        }
        for text in ["-262143-01-01T10:00", "+262142-12-31T23:59", "2101-01-01T00:00"] {
            let refused = FormDateTime::parse(text).unwrap_err();
            assert!(refused.0.contains("2000") && refused.0.contains("2100"), "{text}: {}", refused.0);
        }
        for text in
            ["", "tomorrow", "2026-02-30", "2026-12-31T25:00", "2026-12-31T10:00:30", "2026-12-31 10:00"]
        {
            assert!(FormDate::parse(text).is_err() || FormDateTime::parse(text).is_err(), "{text}");
        }
        assert_eq!(FormDate::new(NaiveDate::MIN), Err(out_of_range()));
    }
}
