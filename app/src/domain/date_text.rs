//! How a calendar date or a clock time reads on a page, in an email and in a form field:
//! "5 Mar", "5 Mar 2026", "5 March 2026", "Thursday 5 March 2026", "14:05", "2026-03-05".
//! Written out here rather than with `chrono`'s `strftime` patterns, which would put
//! `chrono`'s pattern parser and formatter into the browser bundle of every page that
//! shows a date.

use chrono::{Datelike, Timelike, Weekday};

/// The months' names, January first.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(date: &impl Datelike) -> &'static str {
    MONTHS[date.month0() as usize]
}

fn month_abbreviation(date: &impl Datelike) -> &'static str {
    &month_name(date)[..3]
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// "5 Mar": a chart's axis and a week's label.
pub fn day_month(date: &impl Datelike) -> String {
    format!("{} {}", date.day(), month_abbreviation(date))
}

/// "5 Mar 2026": dates in lists and tables.
pub fn day_month_year(date: &impl Datelike) -> String {
    format!("{} {} {}", date.day(), month_abbreviation(date), date.year())
}

/// "5 March 2026": a date a sentence is about.
pub fn long_date(date: &impl Datelike) -> String {
    format!("{} {} {}", date.day(), month_name(date), date.year())
}

/// "Thursday 5 March 2026": the day of an appointment.
pub fn weekday_long_date(date: &impl Datelike) -> String {
    format!("{} {}", weekday_name(date.weekday()), long_date(date))
}

/// "14:05": a 24-hour clock.
pub fn clock(time: &impl Timelike) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

/// "2026-03-05": the value of a date field.
pub fn field_date(date: &impl Datelike) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// "2026-03-05T14:05": the value of a date-and-time field.
pub fn field_date_time(at: &(impl Datelike + Timelike)) -> String {
    format!("{}T{}", field_date(at), clock(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveDateTime};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_read_as_people_write_them() {
        let day = date(2026, 3, 5);
        assert_eq!(day_month(&day), "5 Mar");
        assert_eq!(day_month_year(&day), "5 Mar 2026");
        assert_eq!(long_date(&day), "5 March 2026");
        assert_eq!(weekday_long_date(&day), "Thursday 5 March 2026");
        assert_eq!(field_date(&day), "2026-03-05");
        assert_eq!(day_month_year(&date(2026, 12, 31)), "31 Dec 2026");
        assert_eq!(weekday_long_date(&date(2026, 11, 29)), "Sunday 29 November 2026");
    }

    #[test]
    fn times_read_on_a_24_hour_clock() {
        let at: NaiveDateTime = date(2027, 1, 15).and_hms_opt(9, 5, 59).unwrap();
        assert_eq!(clock(&at), "09:05");
        assert_eq!(field_date_time(&at), "2027-01-15T09:05");
    }

    #[test]
    fn every_month_and_weekday_matches_chrono() {
        // chrono's own patterns are the reference; this module only keeps them out of the
        // browser bundle.
        let mut day = date(2026, 1, 1);
        while day.year() == 2026 {
            assert_eq!(day_month_year(&day), day.format("%-d %b %Y").to_string());
            assert_eq!(weekday_long_date(&day), day.format("%A %-d %B %Y").to_string());
            assert_eq!(field_date(&day), day.format("%Y-%m-%d").to_string());
            day = day.succ_opt().unwrap();
        }
    }
}
