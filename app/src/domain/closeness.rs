//! Closeness ratings week by week, each partner's apart, and the gap between the partners
//! that the programme exists to treat (never an average, which would hide it).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One partner's two ratings for one week (each 0–10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratings {
    /// Emotional closeness.
    pub emotional: i16,
    /// Physical closeness.
    pub physical: i16,
}

/// How far apart the partners' ratings are in one week (each 0–10, never negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// The difference in emotional closeness.
    pub emotional: i16,
    /// The difference in physical closeness.
    pub physical: i16,
}

impl Gap {
    /// The larger of the two differences: what "largest gap" sorts by.
    pub fn largest(self) -> i16 {
        self.emotional.max(self.physical)
    }
}

/// One week of a couple's ratings: partner A's and partner B's, when they checked in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosenessWeek {
    /// The Monday of the week.
    pub week_start: NaiveDate,
    /// Partner A's ratings, if A checked in that week.
    pub a: Option<Ratings>,
    /// Partner B's ratings, if B checked in that week.
    pub b: Option<Ratings>,
}

impl ClosenessWeek {
    /// The difference between the partners, when both checked in that week.
    pub fn gap(&self) -> Option<Gap> {
        let (a, b) = (self.a?, self.b?);
        Some(Gap { emotional: (a.emotional - b.emotional).abs(), physical: (a.physical - b.physical).abs() })
    }
}

/// Groups ratings `(week, is partner A, ratings)` into weeks, oldest first.
pub fn weeks(ratings: impl IntoIterator<Item = (NaiveDate, bool, Ratings)>) -> Vec<ClosenessWeek> {
    let mut weeks: Vec<ClosenessWeek> = Vec::new();
    for (week_start, is_a, rating) in ratings {
        let index = match weeks.iter().position(|w| w.week_start == week_start) {
            Some(index) => index,
            None => {
                weeks.push(ClosenessWeek { week_start, a: None, b: None });
                weeks.len() - 1
            }
        };
        let slot = if is_a { &mut weeks[index].a } else { &mut weeks[index].b };
        *slot = Some(rating);
    }
    weeks.sort_by_key(|w| w.week_start);
    weeks
}

/// The gap of the latest week in which both partners checked in: what the caseload's
/// "largest gap first" sorts by (the database computes the same figure; see
/// `services::caseload`).
pub fn latest_gap(weeks: &[ClosenessWeek]) -> Option<Gap> {
    weeks.iter().rev().find_map(ClosenessWeek::gap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn r(emotional: i16, physical: i16) -> Ratings {
        Ratings { emotional, physical }
    }

    #[test]
    fn the_gap_is_the_distance_either_way() {
        let week = ClosenessWeek { week_start: day(16), a: Some(r(2, 9)), b: Some(r(7, 3)) };
        assert_eq!(week.gap(), Some(Gap { emotional: 5, physical: 6 }));
        assert_eq!(week.gap().unwrap().largest(), 6);
        let swapped = ClosenessWeek { week_start: day(16), a: week.b, b: week.a };
        assert_eq!(swapped.gap(), week.gap());
    }

    #[test]
    fn one_partner_alone_has_no_gap() {
        assert_eq!(ClosenessWeek { week_start: day(16), a: Some(r(2, 2)), b: None }.gap(), None);
        assert_eq!(ClosenessWeek { week_start: day(16), a: None, b: Some(r(2, 2)) }.gap(), None);
    }

    #[test]
    fn ratings_group_into_weeks_oldest_first() {
        let grouped = weeks([(day(23), true, r(5, 5)), (day(16), false, r(1, 8)), (day(16), true, r(4, 4))]);
        assert_eq!(grouped.len(), 2);
        assert_eq!(grouped[0], ClosenessWeek { week_start: day(16), a: Some(r(4, 4)), b: Some(r(1, 8)) });
        assert_eq!(grouped[1], ClosenessWeek { week_start: day(23), a: Some(r(5, 5)), b: None });
    }

    #[test]
    fn the_latest_gap_skips_weeks_only_one_partner_rated() {
        let grouped = weeks([(day(16), true, r(4, 4)), (day(16), false, r(1, 8)), (day(23), true, r(5, 5))]);
        assert_eq!(latest_gap(&grouped), Some(Gap { emotional: 3, physical: 4 }));
        assert_eq!(latest_gap(&grouped[1..]), None);
        assert_eq!(latest_gap(&[]), None);
    }
}
