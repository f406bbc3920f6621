//! Time helpers every area shares: the week's Monday, an account's time zone and today's
//! date in it, and the quiet hours automatic emails wait out. Pure functions of their
//! inputs: the clock is always passed in.

use crate::{
    domain::{local_time::LocalTime, time_zone::TimeZoneName},
    error::AppError,
};
use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// The Monday that starts the week of `date` (the first day chrono knows, for a date in
/// its first week: never a panic, whatever date comes in).
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
        .unwrap_or(NaiveDate::MIN)
}

/// Reads an IANA time zone name such as `Europe/London` (see [`TimeZoneName`]).
pub fn parse_time_zone(name: &str) -> Result<Tz, AppError> {
    TimeZoneName::parse(name)
        .map(TimeZoneName::tz)
        .map_err(|problem| AppError::invalid("time_zone", problem.0))
}

/// Reads a stored time zone (UTC if unreadable).
pub fn zone_of(name: &str) -> Tz {
    TimeZoneName::stored(name).tz()
}

/// A stored instant as an account in `time_zone` reads it: the one way the server turns a
/// time into what a page or an email shows.
pub fn local(time_zone: &str, at: DateTime<Utc>) -> LocalTime {
    TimeZoneName::stored(time_zone).local(at)
}

/// Today's date where the account lives (UTC if its time zone is unreadable).
pub fn today_in(time_zone: &str, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&zone_of(time_zone)).date_naive()
}

/// Quiet hours start at this local hour …
pub const QUIET_FROM_HOUR: u32 = 21;

/// … and end at this one.
pub const QUIET_UNTIL_HOUR: u32 = 8;

/// True between 21:00 and 08:00 local time.
pub fn in_quiet_hours(now: DateTime<Utc>, zone: Tz) -> bool {
    let hour = now.with_timezone(&zone).hour();
    !(QUIET_UNTIL_HOUR..QUIET_FROM_HOUR).contains(&hour)
}

/// `now`, or the end of the quiet hours it falls in (08:00 local, whatever the UTC offset
/// is that day, so daylight-saving changes are handled).
pub fn next_allowed(now: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    if !in_quiet_hours(now, zone) {
        return now;
    }
    let local = now.with_timezone(&zone);
    let day = if local.hour() >= QUIET_FROM_HOUR {
        local.date_naive() + Duration::days(1)
    } else {
        local.date_naive()
    };
    let eight = day.and_time(NaiveTime::from_hms_opt(QUIET_UNTIL_HOUR, 0, 0).unwrap_or_default());
    match zone.from_local_datetime(&eight).earliest() {
        Some(at) => at.with_timezone(&Utc),
        // 08:00 does not exist that day (a clock change at 08:00): an hour later does.
        None => zone
            .from_local_datetime(&(eight + Duration::hours(1)))
            .earliest()
            .map_or(now + Duration::hours(1), |at| at.with_timezone(&Utc)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn weeks_start_on_monday() {
        let wednesday = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(week_start(wednesday), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(week_start(monday), monday);
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(week_start(sunday), monday);
        // The ends of the calendar never panic.
        assert_eq!(week_start(NaiveDate::MIN), NaiveDate::MIN);
        assert!(week_start(NaiveDate::MAX) <= NaiveDate::MAX);
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(parse_time_zone(" Europe/London ").map(|z| z.name()), Ok("Europe/London"));
        assert!(parse_time_zone("Mars/Olympus").unwrap_err().message_for("time_zone").is_some());
        assert!(parse_time_zone("").is_err());
    }

    #[test]
    fn today_follows_the_time_zone() {
        let now = at(2026, 11, 25, 2, 0);
        assert_eq!(today_in("UTC", now), NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
        assert_eq!(today_in("America/Los_Angeles", now), NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!(today_in("Asia/Tokyo", now), NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
        assert_eq!(today_in("not a zone", now), NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
    }

    #[test]
    fn quiet_hours_follow_the_local_clock_across_daylight_saving() {
        let london: Tz = "Europe/London".parse().unwrap();
        // Summer time (UTC+1): 07:30 UTC is 08:30 in London.
        assert!(!in_quiet_hours(at(2026, 7, 1, 7, 30), london));
        // Winter (UTC+0): 07:30 UTC is 07:30 in London.
        assert!(in_quiet_hours(at(2026, 12, 1, 7, 30), london));
        // The night the clocks go forward (29 March 2026), the quiet hours end at 08:00 BST = 07:00 UTC.
        assert_eq!(next_allowed(at(2026, 3, 28, 23, 0), london), at(2026, 3, 29, 7, 0));
        // The night they go back (25 October 2026), at 08:00 GMT = 08:00 UTC.
        assert_eq!(next_allowed(at(2026, 10, 24, 22, 0), london), at(2026, 10, 25, 8, 0));
        // Outside quiet hours nothing waits.
        assert_eq!(next_allowed(at(2026, 10, 24, 12, 0), london), at(2026, 10, 24, 12, 0));
    }
}
