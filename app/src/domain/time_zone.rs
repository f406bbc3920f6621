//! A therapist's time zone, an IANA name such as `America/Chicago` (server only: the time
//! zone database never goes to the browser). It turns stored UTC instants into
//! [`LocalTime`]s and times typed into a form back into instants.
//!
//! Typed times follow two rules where the clocks change:
//! - a time inside a daylight-saving **gap** (02:30 on the night the clocks go forward in
//!   Chicago) does not exist and is refused with a message saying so;
//! - a time in a **fold** (01:30 on the night they go back, which happens twice) is read
//!   as the **earlier** instant (still on summer time).

use super::{date_text, dates::FormDateTime, local_time::LocalTime, InvalidInput};
use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// An IANA time zone name the time zone database knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeZoneName(Tz);

impl TimeZoneName {
    /// UTC, every account's zone until they choose one.
    pub const UTC: Self = Self(Tz::UTC);

    /// Reads a name typed into Settings (`Europe/London`); anything else is refused.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        text.trim()
            .parse::<Tz>()
            .map(Self)
            .map_err(|_| InvalidInput::new("Enter a time zone such as Europe/London or America/Chicago."))
    }

    /// A stored name; UTC if it is unreadable (it was parsed when it was saved).
    pub fn stored(name: &str) -> Self {
        Self::parse(name).unwrap_or(Self::UTC)
    }

    /// The IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The zone, for computing with chrono.
    pub fn tz(self) -> Tz {
        self.0
    }

    /// A stored instant as this zone's clock showed it.
    pub fn local(self, at: DateTime<Utc>) -> LocalTime {
        let here = at.with_timezone(&self.0);
        LocalTime {
            at: here.fixed_offset(),
            abbreviation: here.format("%Z").to_string(),
            zone: self.name().to_owned(),
        }
    }

    /// The instant a wall-clock time in this zone means: refused inside a daylight-saving
    /// gap, the earlier instant in a fold.
    pub fn instant(self, wall: NaiveDateTime) -> Result<DateTime<Utc>, InvalidInput> {
        match self.0.from_local_datetime(&wall) {
            LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
            LocalResult::Ambiguous(earlier, _later) => Ok(earlier.with_timezone(&Utc)),
            LocalResult::None => Err(InvalidInput::new(format!(
                "{} on {} does not exist in {}: the clocks go forward then. Choose another time.",
                date_text::clock(&wall),
                date_text::long_date(&wall),
                self.name()
            ))),
        }
    }

    /// A `datetime-local` field's value read in this zone, which must be later than `now`.
    pub fn future_instant(self, text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, InvalidInput> {
        let at = self.instant(FormDateTime::parse(text)?.date_time())?;
        if at <= now {
            return Err(InvalidInput::new(format!(
                "{} has passed. Choose a time in the future ({} time).",
                self.local(at).short(),
                self.name()
            )));
        }
        Ok(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn wall(text: &str) -> NaiveDateTime {
        FormDateTime::parse(text).unwrap().date_time()
    }

    fn chicago() -> TimeZoneName {
        TimeZoneName::parse("America/Chicago").unwrap()
    }

    #[test]
    fn names_are_iana_names() {
        assert_eq!(TimeZoneName::parse(" America/Chicago ").unwrap().name(), "America/Chicago");
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
        assert!(TimeZoneName::parse("").is_err());
        assert_eq!(TimeZoneName::stored("not a zone"), TimeZoneName::UTC);
    }

    #[test]
    fn evening_in_chicago_is_the_next_day_in_utc() {
        // 18:00 CST (UTC−6) is midnight UTC.
        assert_eq!(chicago().instant(wall("2026-12-01T18:00")), Ok(utc(2026, 12, 2, 0, 0)));
        // In summer (CDT, UTC−5) the same wall time is an hour earlier in UTC.
        assert_eq!(chicago().instant(wall("2026-07-01T18:00")), Ok(utc(2026, 7, 1, 23, 0)));
        let shown = chicago().local(utc(2026, 12, 2, 0, 0));
        assert_eq!(shown.short(), "1 Dec 2026, 18:00 CST");
        assert_eq!(shown.long(), "Tuesday 1 December 2026, 18:00 CST (America/Chicago)");
        assert_eq!(chicago().local(utc(2026, 7, 1, 23, 0)).short(), "1 Jul 2026, 18:00 CDT");
        // A zone with no letters for its abbreviation shows its offset (the browser tests rely on it).
        let plus_five = TimeZoneName::parse("Etc/GMT-5").unwrap().local(utc(2026, 7, 1, 13, 0));
        assert_eq!(plus_five.long(), "Wednesday 1 July 2026, 18:00 +05 (Etc/GMT-5)");
        assert_eq!(
            TimeZoneName::UTC.local(utc(2026, 7, 1, 18, 0)).long(),
            "Wednesday 1 July 2026, 18:00 UTC"
        );
    }

    #[test]
    fn a_time_in_the_spring_forward_gap_is_refused() {
        // 8 March 2026: at 02:00 CST the clocks jump to 03:00 CDT; 02:30 never happens.
        let refused = chicago().instant(wall("2026-03-08T02:30")).unwrap_err();
        assert_eq!(
            refused.0,
            "02:30 on 8 March 2026 does not exist in America/Chicago: the clocks go forward then. \
             Choose another time."
        );
        // Either side of the gap is fine.
        assert_eq!(chicago().instant(wall("2026-03-08T01:59")), Ok(utc(2026, 3, 8, 7, 59)));
        assert_eq!(chicago().instant(wall("2026-03-08T03:00")), Ok(utc(2026, 3, 8, 8, 0)));
    }

    #[test]
    fn a_time_in_the_fall_back_fold_is_the_earlier_instant() {
        // 1 November 2026: 01:30 happens twice, at 06:30 UTC (CDT) and 07:30 UTC (CST).
        assert_eq!(chicago().instant(wall("2026-11-01T01:30")), Ok(utc(2026, 11, 1, 6, 30)));
        assert_eq!(chicago().local(utc(2026, 11, 1, 6, 30)).short(), "1 Nov 2026, 01:30 CDT");
        assert_eq!(chicago().local(utc(2026, 11, 1, 7, 30)).short(), "1 Nov 2026, 01:30 CST");
    }

    #[test]
    fn a_typed_time_must_be_in_the_future() {
        let now = utc(2026, 12, 1, 12, 0); // 06:00 in Chicago
        assert_eq!(chicago().future_instant("2026-12-01T18:00", now), Ok(utc(2026, 12, 2, 0, 0)));
        let past = chicago().future_instant("2026-12-01T05:59", now).unwrap_err();
        assert_eq!(
            past.0,
            "1 Dec 2026, 05:59 CST has passed. Choose a time in the future (America/Chicago time)."
        );
        assert!(chicago().future_instant("2026-12-01T06:00", now).is_err());
        assert!(chicago().future_instant("2026-03-08T02:30", utc(2026, 1, 1, 0, 0)).is_err());
        assert!(chicago().future_instant("soon", now).is_err());
    }
}
