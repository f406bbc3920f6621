//! Dates as people read them.

use chrono::{DateTime, Utc};

/// "25 Nov 2026" (UTC).
pub fn short_date(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y").to_string()
}

/// "25 Nov 2026, 14:05 UTC".
pub fn date_time(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_dates_plainly() {
        let at = Utc.with_ymd_and_hms(2026, 3, 5, 14, 5, 0).unwrap();
        assert_eq!(short_date(at), "5 Mar 2026");
        assert_eq!(date_time(at), "5 Mar 2026, 14:05 UTC");
    }
}
