//! A moment as the therapist's clock shows it: the instant with the UTC offset their time
//! zone had then, and the zone's names. The server makes these (it alone holds the time
//! zone database, see `time_zone`); the browser only formats them, so every time a page
//! shows goes through [`LocalTime::short`] or [`LocalTime::long`].

use super::date_text;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// A stored UTC instant, shown in one time zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LocalTime {
    /// The instant, with the offset the zone had then.
    pub at: DateTime<FixedOffset>,
    /// The zone's abbreviation then ("CST", "CDT", "GMT", or an offset such as "+03").
    pub abbreviation: String,
    /// The zone's IANA name ("America/Chicago").
    pub zone: String,
}

impl LocalTime {
    /// A UTC instant shown in UTC (for accounts with no zone, and for tests).
    pub fn utc(at: DateTime<Utc>) -> Self {
        Self { at: at.fixed_offset(), abbreviation: "UTC".to_owned(), zone: "UTC".to_owned() }
    }

    /// The instant.
    pub fn instant(&self) -> DateTime<Utc> {
        self.at.with_timezone(&Utc)
    }

    /// "25 Nov 2026, 14:05 CST": for lists and tables.
    pub fn short(&self) -> String {
        format!(
            "{}, {} {}",
            date_text::day_month_year(&self.at),
            date_text::clock(&self.at),
            self.abbreviation
        )
    }

    /// "25 Nov 2026": the day in the zone.
    pub fn date(&self) -> String {
        date_text::day_month_year(&self.at)
    }

    /// "Tuesday 1 December 2026, 18:00 CST (America/Chicago)": for emails and for the one
    /// time a page is about.
    pub fn long(&self) -> String {
        let when = format!("{}, {}", date_text::weekday_long_date(&self.at), date_text::clock(&self.at));
        if self.abbreviation == self.zone {
            format!("{when} {}", self.zone)
        } else {
            format!("{when} {} ({})", self.abbreviation, self.zone)
        }
    }
}

impl PartialOrd for LocalTime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Local times order by their instant.
impl Ord for LocalTime {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.at.cmp(&other.at).then_with(|| self.zone.cmp(&other.zone))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_with_the_zone_named() {
        let chicago = FixedOffset::west_opt(6 * 3600).unwrap();
        let at = chicago.with_ymd_and_hms(2026, 12, 1, 18, 0, 0).unwrap();
        let local = LocalTime { at, abbreviation: "CST".into(), zone: "America/Chicago".into() };
        assert_eq!(local.short(), "1 Dec 2026, 18:00 CST");
        assert_eq!(local.long(), "Tuesday 1 December 2026, 18:00 CST (America/Chicago)");
        assert_eq!(local.date(), "1 Dec 2026");
        assert_eq!(local.instant(), Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap());
        let utc = LocalTime::utc(Utc.with_ymd_and_hms(2026, 3, 5, 14, 5, 0).unwrap());
        assert_eq!(utc.short(), "5 Mar 2026, 14:05 UTC");
        assert_eq!(utc.long(), "Thursday 5 March 2026, 14:05 UTC");
        assert!(utc < local);
    }
}
