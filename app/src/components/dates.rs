//! Dates and times as people read them. Every time a page shows goes through here: a
//! [`LocalTime`] the server made in the therapist's time zone (named beside it), or a bare
//! UTC instant (labelled UTC).

use crate::domain::local_time::LocalTime;
use chrono::{DateTime, Utc};

/// Something that is a moment: a stored UTC instant or a [`LocalTime`].
pub trait Moment {
    /// The moment as a clock shows it.
    fn local_time(&self) -> LocalTime;
}

impl Moment for DateTime<Utc> {
    fn local_time(&self) -> LocalTime {
        LocalTime::utc(*self)
    }
}

impl Moment for LocalTime {
    fn local_time(&self) -> LocalTime {
        self.clone()
    }
}

impl<T: Moment> Moment for &T {
    fn local_time(&self) -> LocalTime {
        (*self).local_time()
    }
}

/// "25 Nov 2026" (the day in the moment's zone).
pub fn short_date(at: impl Moment) -> String {
    at.local_time().date()
}

/// "25 Nov 2026, 14:05 CST".
pub fn date_time(at: impl Moment) -> String {
    at.local_time().short()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    #[test]
    fn formats_dates_plainly() {
        let at = Utc.with_ymd_and_hms(2026, 3, 5, 14, 5, 0).unwrap();
        assert_eq!(short_date(at), "5 Mar 2026");
        assert_eq!(date_time(at), "5 Mar 2026, 14:05 UTC");
        let late = Utc.with_ymd_and_hms(2026, 3, 6, 2, 0, 0).unwrap();
        let chicago = LocalTime {
            at: late.with_timezone(&FixedOffset::west_opt(6 * 3600).unwrap()),
            abbreviation: "CST".into(),
            zone: "America/Chicago".into(),
        };
        assert_eq!(short_date(&chicago), "5 Mar 2026");
        assert_eq!(date_time(&chicago), "5 Mar 2026, 20:00 CST");
    }
}
