//! Scored measures: a therapist's questionnaire whose items share one set of answer
//! options, each with a score; a total (sum or mean, reversed items counted backwards),
//! optional cut-off bands with labels, and a schedule (once, or every N weeks).
//!
//! The therapist writes a measure as a few short texts (one option, item or band a line);
//! each is parsed here into a type that is valid by construction, and a refusal names the
//! field it belongs to.

use super::{date_text, plain_text, stored_enum, InvalidInput};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most items a measure may have.
pub const MAX_ITEMS: usize = 40;
/// The most answer options a measure may have.
pub const MAX_OPTIONS: usize = 11;
/// The most cut-off bands a measure may have.
pub const MAX_BANDS: usize = 10;
/// The longest item.
pub const MAX_ITEM_CHARS: usize = 300;
/// The longest option or band label, and the longest title.
pub const MAX_LABEL_CHARS: usize = 120;
/// The highest score one answer option may carry.
pub const MAX_OPTION_SCORE: i32 = 100;

stored_enum! {
    /// How a measure's total is computed from its item scores.
    pub enum Scoring {
        /// The item scores added up.
        Sum => "sum", "Sum of the item scores";
        /// The mean of the item scores (two decimals).
        Mean => "mean", "Mean of the item scores";
    }
}

/// A total or a band boundary, kept in hundredths so a mean keeps two decimals exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Score(i32);

impl Score {
    /// A score from hundredths (as stored).
    pub fn from_hundredths(hundredths: i32) -> Self {
        Score(hundredths)
    }

    /// A whole score.
    pub fn whole(points: i32) -> Self {
        Score(points * 100)
    }

    /// The score in hundredths.
    pub fn hundredths(self) -> i32 {
        self.0
    }

    /// The score as a number (for drawing).
    pub fn as_f32(self) -> f32 {
        self.0 as f32 / 100.0
    }

    /// Reads "12", "2.5" or "2.25": not negative, at most two decimals.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let text = text.trim();
        let refused =
            || InvalidInput::new(format!("\"{text}\" is not a score: write a number such as 12 or 2.5."));
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty()
            || whole.len() > 5
            || fraction.len() > 2
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !fraction.chars().all(|c| c.is_ascii_digit())
            || (text.contains('.') && fraction.is_empty())
        {
            return Err(refused());
        }
        let whole: i32 = whole.parse().map_err(|_| refused())?;
        let fraction: i32 = format!("{fraction:0<2}").parse().map_err(|_| refused())?;
        Ok(Score(whole * 100 + fraction))
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.0 / 100, self.0 % 100);
        match fraction {
            0 => write!(f, "{whole}"),
            n if n % 10 == 0 => write!(f, "{whole}.{}", n / 10),
            n => write!(f, "{whole}.{n:02}"),
        }
    }
}

/// One answer option: what the partner reads and the score it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerOption {
    /// The score, 0 to [`MAX_OPTION_SCORE`].
    pub score: i32,
    /// What the partner reads, e.g. "Mostly".
    pub label: String,
}

/// One item (statement or question) of a measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// What the partner reads.
    pub text: String,
    /// Scored backwards: the highest option counts as the lowest.
    pub reversed: bool,
}

/// A cut-off band: totals from `from` to `to` (both included) carry `label`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    /// The lowest total in the band.
    pub from: Score,
    /// The highest total in the band.
    pub to: Score,
    /// What the band means, e.g. "Feeling far apart".
    pub label: String,
}

/// A label or line of text: trimmed, not empty, one line, at most `max` characters.
fn short_text(text: &str, max: usize, what: &str) -> Result<String, InvalidInput> {
    let text = plain_text(text.trim(), false)?;
    if text.is_empty() {
        return Err(InvalidInput::new(format!("Write the {what}.")));
    }
    if text.chars().count() > max {
        return Err(InvalidInput::new(format!("Keep each {what} to {max} characters or fewer.")));
    }
    Ok(text.to_owned())
}

/// The non-empty lines of a text area, numbered from 1.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, line)| (i + 1, line.trim())).filter(|(_, line)| !line.is_empty())
}

/// The answer options every item shares, from lines such as `0 = Not at all`: at least
/// two, at most [`MAX_OPTIONS`], each score different.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerOptions(Vec<AnswerOption>);

impl AnswerOptions {
    /// Parses one option a line, `score = label`.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let mut options: Vec<AnswerOption> = Vec::new();
        for (number, line) in lines(text) {
            let (score, label) = line.split_once('=').ok_or_else(|| {
                InvalidInput::new(format!(
                    "Line {number}: write the score, then =, then the label, e.g. \"0 = Not at all\"."
                ))
            })?;
            let score: i32 =
                score.trim().parse().ok().filter(|s| (0..=MAX_OPTION_SCORE).contains(s)).ok_or_else(
                    || {
                        InvalidInput::new(format!(
                            "Line {number}: a score is a whole number from 0 to {MAX_OPTION_SCORE}."
                        ))
                    },
                )?;
            if options.iter().any(|o| o.score == score) {
                return Err(InvalidInput::new(format!("Line {number}: two options have the score {score}.")));
            }
            let label = short_text(label, MAX_LABEL_CHARS, "option label")
                .map_err(|e| InvalidInput::new(format!("Line {number}: {}", e.0)))?;
            options.push(AnswerOption { score, label });
        }
        if options.len() < 2 {
            return Err(InvalidInput::new("Write at least two answer options, one a line."));
        }
        if options.len() > MAX_OPTIONS {
            return Err(InvalidInput::new(format!("Keep to {MAX_OPTIONS} answer options or fewer.")));
        }
        Ok(AnswerOptions(options))
    }

    /// The options, in the therapist's order.
    pub fn into_inner(self) -> Vec<AnswerOption> {
        self.0
    }
}

/// The items, one a line; a line starting with `(R)` is scored backwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Items(Vec<Item>);

impl Items {
    /// The marker of a reversed item.
    pub const REVERSED: &'static str = "(R)";

    /// Parses one item a line: at least one, at most [`MAX_ITEMS`].
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let mut items = Vec::new();
        for (number, line) in lines(text) {
            let (reversed, line) = match line.get(..3) {
                Some(marker) if marker.eq_ignore_ascii_case(Self::REVERSED) => (true, &line[3..]),
                _ => (false, line),
            };
            let text = short_text(line, MAX_ITEM_CHARS, "item")
                .map_err(|e| InvalidInput::new(format!("Line {number}: {}", e.0)))?;
            items.push(Item { text, reversed });
        }
        if items.is_empty() {
            return Err(InvalidInput::new("Write at least one item, one a line."));
        }
        if items.len() > MAX_ITEMS {
            return Err(InvalidInput::new(format!("Keep to {MAX_ITEMS} items or fewer.")));
        }
        Ok(Items(items))
    }

    /// The items, in order.
    pub fn into_inner(self) -> Vec<Item> {
        self.0
    }
}

/// Cut-off bands from lines such as `0-10 = Distant`: each from at most to, in rising
/// order, none overlapping another. Empty text means no bands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bands(Vec<Band>);

impl Bands {
    /// Parses one band a line, `from-to = label`.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let mut bands: Vec<Band> = Vec::new();
        for (number, line) in lines(text) {
            let at = |e: InvalidInput| InvalidInput::new(format!("Line {number}: {}", e.0));
            let shape = || {
                InvalidInput::new(format!(
                    "Line {number}: write the range, then =, then the label, e.g. \"0-10 = Distant\"."
                ))
            };
            let (range, label) = line.split_once('=').ok_or_else(shape)?;
            let (from, to) = range.split_once(['-', '–']).ok_or_else(shape)?;
            let (from, to) = (Score::parse(from).map_err(at)?, Score::parse(to).map_err(at)?);
            if from > to {
                return Err(InvalidInput::new(format!("Line {number}: the band starts after it ends.")));
            }
            if let Some(before) = bands.last() {
                if from <= before.to {
                    return Err(InvalidInput::new(format!(
                        "Line {number}: bands must not overlap, and go from low to high (this one starts at {from}, the one before ends at {}).",
                        before.to
                    )));
                }
            }
            let label = short_text(label, MAX_LABEL_CHARS, "band label").map_err(at)?;
            bands.push(Band { from, to, label });
        }
        if bands.len() > MAX_BANDS {
            return Err(InvalidInput::new(format!("Keep to {MAX_BANDS} bands or fewer.")));
        }
        Ok(Bands(bands))
    }

    /// The bands, lowest first.
    pub fn into_inner(self) -> Vec<Band> {
        self.0
    }
}

/// The text of a measure as the therapist's form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureText {
    /// The title.
    pub title: String,
    /// What the partners read before the items.
    #[serde(default)]
    pub instructions: String,
    /// One answer option a line: `score = label`.
    pub options: String,
    /// One item a line; `(R)` first for a reversed item.
    pub items: String,
    /// `sum` or `mean`.
    pub scoring: String,
    /// One band a line: `from-to = label` (may be empty).
    #[serde(default)]
    pub bands: String,
}

/// A refusal of one field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field's name.
    pub field: &'static str,
    /// Why.
    pub problem: InvalidInput,
}

fn at(field: &'static str) -> impl Fn(InvalidInput) -> FieldProblem {
    move |problem| FieldProblem { field, problem }
}

/// One version of a scored measure, valid by construction (stored as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    /// The title.
    pub title: String,
    /// What the partners read before the items.
    pub instructions: String,
    /// The items, in order.
    pub items: Vec<Item>,
    /// The answer options every item shares.
    pub options: Vec<AnswerOption>,
    /// How the total is computed.
    pub scoring: Scoring,
    /// The cut-off bands, lowest first (maybe none).
    pub bands: Vec<Band>,
}

impl Measure {
    /// Parses the therapist's form; a refusal names its field. Bands must lie within the
    /// totals the measure can give.
    pub fn parse(text: &MeasureText) -> Result<Self, FieldProblem> {
        let title = short_text(&text.title, MAX_LABEL_CHARS, "title").map_err(at("title"))?;
        let instructions = plain_text(text.instructions.trim(), true).map_err(at("instructions"))?.to_owned();
        if instructions.chars().count() > 2_000 {
            return Err(at("instructions")(InvalidInput::new(
                "Keep the instructions to 2,000 characters or fewer.",
            )));
        }
        let options = AnswerOptions::parse(&text.options).map_err(at("options"))?.into_inner();
        let items = Items::parse(&text.items).map_err(at("items"))?.into_inner();
        let scoring = Scoring::parse(&text.scoring).map_err(at("scoring"))?;
        let bands = Bands::parse(&text.bands).map_err(at("bands"))?.into_inner();
        let measure = Measure { title, instructions, items, options, scoring, bands };
        let (low, high) = measure.range();
        if let Some(band) = measure.bands.iter().find(|b| b.from < low || b.to > high) {
            return Err(at("bands")(InvalidInput::new(format!(
                "The band \"{}\" goes outside the totals this measure can give ({low} to {high}).",
                band.label
            ))));
        }
        Ok(measure)
    }

    /// The measure as the form shows it again, for editing.
    pub fn to_text(&self) -> MeasureText {
        let join = |lines: Vec<String>| lines.join("\n");
        MeasureText {
            title: self.title.clone(),
            instructions: self.instructions.clone(),
            options: join(self.options.iter().map(|o| format!("{} = {}", o.score, o.label)).collect()),
            items: join(
                self.items
                    .iter()
                    .map(
                        |i| {
                            if i.reversed {
                                format!("{} {}", Items::REVERSED, i.text)
                            } else {
                                i.text.clone()
                            }
                        },
                    )
                    .collect(),
            ),
            scoring: self.scoring.as_str().to_owned(),
            bands: join(self.bands.iter().map(|b| format!("{}-{} = {}", b.from, b.to, b.label)).collect()),
        }
    }

    fn option_range(&self) -> (i32, i32) {
        let scores = self.options.iter().map(|o| o.score);
        (scores.clone().min().unwrap_or(0), scores.max().unwrap_or(0))
    }

    /// The lowest and highest total the measure can give.
    pub fn range(&self) -> (Score, Score) {
        let (low, high) = self.option_range();
        match self.scoring {
            Scoring::Sum => {
                let n = self.items.len() as i32;
                (Score::whole(low * n), Score::whole(high * n))
            }
            Scoring::Mean => (Score::whole(low), Score::whole(high)),
        }
    }

    /// The total of one set of answers (each item's chosen option, by index), or why they
    /// cannot be scored; a reversed item counts the option's score mirrored in the range.
    pub fn total(&self, chosen: &[usize]) -> Result<Score, InvalidInput> {
        if chosen.len() != self.items.len() {
            return Err(InvalidInput::new("Answer every item."));
        }
        let (low, high) = self.option_range();
        let mut sum = 0;
        for (item, &index) in self.items.iter().zip(chosen) {
            let option =
                self.options.get(index).ok_or_else(|| InvalidInput::new("Choose one of the answers."))?;
            sum += if item.reversed { low + high - option.score } else { option.score };
        }
        Ok(match self.scoring {
            Scoring::Sum => Score::whole(sum),
            Scoring::Mean => {
                let n = self.items.len() as i32;
                // Rounded half up to two decimals.
                Score::from_hundredths((sum * 100 * 2 + n) / (2 * n))
            }
        })
    }

    /// The band a total falls in, if any.
    pub fn band_of(&self, total: Score) -> Option<&Band> {
        self.bands.iter().find(|b| b.from <= total && total <= b.to)
    }

    /// Reads a partner's answers from the form's `item_0`, `item_1`, … fields (each an
    /// option's index); a missing or unknown answer is refused at its item.
    pub fn parse_answers<'a>(
        &self,
        field: impl Fn(usize) -> Option<&'a str>,
    ) -> Result<Vec<usize>, (usize, InvalidInput)> {
        (0..self.items.len())
            .map(|i| {
                field(i)
                    .and_then(|value| value.trim().parse::<usize>().ok())
                    .filter(|index| *index < self.options.len())
                    .ok_or((i, InvalidInput::new("Choose an answer for this item.")))
            })
            .collect()
    }
}

/// How often a scheduled measure repeats: every 1 to 52 weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EveryWeeks(u8);

impl EveryWeeks {
    /// Parses a number of weeks from 1 to 52.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        text.trim()
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=52).contains(n))
            .map(EveryWeeks)
            .ok_or_else(|| InvalidInput::new("Choose a number of weeks from 1 to 52."))
    }

    /// From a stored value (a stored value outside 1–52 reads as `None`).
    pub fn from_stored(weeks: i16) -> Option<Self> {
        u8::try_from(weeks).ok().filter(|n| (1..=52).contains(n)).map(EveryWeeks)
    }

    /// The number of weeks.
    pub fn weeks(self) -> u8 {
        self.0
    }
}

/// When a measure is due for a case: once on `starts_on`, or every N weeks from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// The first due date.
    pub starts_on: NaiveDate,
    /// Repeats every N weeks, or never.
    pub every: Option<EveryWeeks>,
}

impl Schedule {
    /// The latest due date on or before `today` (none before the first).
    pub fn due_on(&self, today: NaiveDate) -> Option<NaiveDate> {
        if today < self.starts_on {
            return None;
        }
        match self.every {
            None => Some(self.starts_on),
            Some(every) => {
                let step = i64::from(every.weeks()) * 7;
                let rounds = (today - self.starts_on).num_days() / step;
                Some(self.starts_on + Duration::days(rounds * step))
            }
        }
    }

    /// Every due date from the first up to and including `until`.
    pub fn due_dates(&self, until: NaiveDate) -> Vec<NaiveDate> {
        let mut dates = Vec::new();
        let mut next = self.starts_on;
        while next <= until {
            dates.push(next);
            match self.every {
                Some(every) => next += Duration::weeks(i64::from(every.weeks())),
                None => break,
            }
        }
        dates
    }

    /// In words: "once, on 2 Dec 2026" or "every 2 weeks from 2 Dec 2026".
    pub fn describe(&self) -> String {
        let date = date_text::day_month_year(&self.starts_on);
        match self.every {
            None => format!("Once, on {date}"),
            Some(every) if every.weeks() == 1 => format!("Every week from {date}"),
            Some(every) => format!("Every {} weeks from {date}", every.weeks()),
        }
    }
}

/// The app's own short example measure, "How connected do we feel", written for Babysteps
/// (not a published instrument). Therapists copy it and edit their copy.
pub fn connection_check() -> Measure {
    let text = MeasureText {
        title: "How connected do we feel".into(),
        instructions: "Think about the last two weeks. For each sentence, choose how true it feels for you. There are no right answers, and your partner does not see what you choose.".into(),
        options: "0 = Not at all\n1 = A little\n2 = Somewhat\n3 = Mostly\n4 = Completely".into(),
        items: [
            "I feel my partner is on my side.",
            "When something is on my mind, I can bring it up with my partner.",
            "(R) I feel alone even when we are together.",
            "We find small moments to enjoy each other.",
            "(R) Our conversations tend to end in the same old argument.",
            "I feel comfortable asking my partner for closeness.",
        ]
        .join("\n"),
        scoring: "sum".into(),
        bands: "0-8 = Feeling far apart\n9-16 = Somewhere in between\n17-24 = Feeling close".into(),
    };
    Measure::parse(&text).expect("the built-in measure is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn text(scoring: &str, bands: &str) -> MeasureText {
        MeasureText {
            title: "Check".into(),
            instructions: String::new(),
            options: "0 = Never\n1 = Sometimes\n2 = Often\n3 = Always".into(),
            items: "We talk\n(R) We argue\nWe laugh".into(),
            scoring: scoring.into(),
            bands: bands.into(),
        }
    }

    #[test]
    fn scores_parse_with_up_to_two_decimals() {
        assert_eq!(Score::parse("12"), Ok(Score::whole(12)));
        assert_eq!(Score::parse(" 2.5 "), Ok(Score::from_hundredths(250)));
        assert_eq!(Score::parse("2.25"), Ok(Score::from_hundredths(225)));
        for bad in ["", "-1", "2.", ".5", "2.255", "1e3", "x", "123456"] {
            assert!(Score::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Score::from_hundredths(250).to_string(), "2.5");
        assert_eq!(Score::from_hundredths(205).to_string(), "2.05");
        assert_eq!(Score::whole(7).to_string(), "7");
    }

    #[test]
    fn options_need_distinct_scores_in_range() {
        assert_eq!(AnswerOptions::parse("0 = No\n\n1 = Yes").unwrap().into_inner().len(), 2);
        assert!(AnswerOptions::parse("0 = No").is_err(), "at least two");
        assert!(AnswerOptions::parse("0 = No\n0 = Also no").unwrap_err().0.contains("Line 2"));
        assert!(AnswerOptions::parse("0 = No\n101 = Yes").is_err());
        assert!(AnswerOptions::parse("0 = No\nYes").is_err(), "no =");
        assert!(AnswerOptions::parse("0 = No\n1 = ").is_err(), "no label");
        let many: String = (0..12).map(|n| format!("{n} = x{n}\n")).collect();
        assert!(AnswerOptions::parse(&many).is_err());
    }

    #[test]
    fn items_mark_reversed_ones() {
        let items = Items::parse("One\n(r) Two\n(R)Three").unwrap().into_inner();
        assert_eq!(items.iter().map(|i| i.reversed).collect::<Vec<_>>(), [false, true, true]);
        assert_eq!(items[2].text, "Three");
        assert!(Items::parse("  \n").is_err());
        assert!(Items::parse("(R)").is_err(), "a marker alone is no item");
        assert!(Items::parse("bad\u{202E}text").is_err());
    }

    #[test]
    fn bands_must_not_overlap() {
        assert_eq!(Bands::parse("").unwrap().into_inner(), []);
        let bands = Bands::parse("0-10 = Distant\n11–20 = Closer").unwrap().into_inner();
        assert_eq!(bands[1].from, Score::whole(11));
        assert!(Bands::parse("0-10 = A\n10-20 = B").unwrap_err().0.contains("overlap"));
        assert!(Bands::parse("11-20 = B\n0-10 = A").is_err(), "low to high");
        assert!(Bands::parse("10-5 = A").is_err());
        assert!(Bands::parse("0-10 A").is_err());
        assert!(Bands::parse("0-1.5 = Low\n1.51-3 = High").is_ok());
    }

    #[test]
    fn the_measure_refuses_at_the_field() {
        assert!(Measure::parse(&text("sum", "0-4 = Low\n5-9 = High")).is_ok());
        let outside = Measure::parse(&text("sum", "0-10 = Too wide")).unwrap_err();
        assert_eq!(outside.field, "bands");
        assert_eq!(Measure::parse(&text("median", "")).unwrap_err().field, "scoring");
        assert_eq!(
            Measure::parse(&MeasureText { items: String::new(), ..text("sum", "") }).unwrap_err().field,
            "items"
        );
        assert_eq!(
            Measure::parse(&MeasureText { title: " ".into(), ..text("sum", "") }).unwrap_err().field,
            "title"
        );
    }

    #[test]
    fn sums_count_reversed_items_backwards_and_find_the_band() {
        let measure = Measure::parse(&text("sum", "0-4 = Low\n5-9 = High")).unwrap();
        assert_eq!(measure.range(), (Score::whole(0), Score::whole(9)));
        // Always, Never (reversed: counts 3), Often.
        let total = measure.total(&[3, 0, 2]).unwrap();
        assert_eq!(total, Score::whole(8));
        assert_eq!(measure.band_of(total).unwrap().label, "High");
        assert_eq!(measure.band_of(measure.total(&[0, 3, 0]).unwrap()).unwrap().label, "Low");
        assert!(measure.total(&[0, 0]).is_err(), "every item");
        assert!(measure.total(&[0, 0, 9]).is_err(), "a known option");
    }

    #[test]
    fn means_keep_two_decimals() {
        let measure = Measure::parse(&text("mean", "0-1.49 = Low\n1.5-3 = High")).unwrap();
        assert_eq!(measure.range(), (Score::whole(0), Score::whole(3)));
        // 1 + (3-1) + 2 = 5, / 3 = 1.67.
        let total = measure.total(&[1, 1, 2]).unwrap();
        assert_eq!(total, Score::from_hundredths(167));
        assert_eq!(measure.band_of(total).unwrap().label, "High");
        // 0 + (3-3) + 1 = 1, / 3 = 0.33: Low.
        assert_eq!(measure.band_of(measure.total(&[0, 3, 1]).unwrap()).unwrap().label, "Low");
    }

    #[test]
    fn the_text_round_trips() {
        let measure = Measure::parse(&text("mean", "0-1.5 = Low\n1.51-3 = High")).unwrap();
        assert_eq!(Measure::parse(&measure.to_text()).unwrap(), measure);
        let built_in = connection_check();
        assert_eq!(Measure::parse(&built_in.to_text()).unwrap(), built_in);
        assert_eq!(built_in.items.iter().filter(|i| i.reversed).count(), 2);
        assert_eq!(built_in.range(), (Score::whole(0), Score::whole(24)));
    }

    #[test]
    fn answers_are_read_per_item() {
        let measure = Measure::parse(&text("sum", "")).unwrap();
        let form = ["1", "3", "0"];
        assert_eq!(measure.parse_answers(|i| form.get(i).copied()), Ok(vec![1, 3, 0]));
        let missing = ["1", "9", "0"];
        assert_eq!(measure.parse_answers(|i| missing.get(i).copied()).unwrap_err().0, 1);
        assert_eq!(measure.parse_answers(|_| None).unwrap_err().0, 0);
    }

    #[test]
    fn every_weeks_is_one_to_fifty_two() {
        assert_eq!(EveryWeeks::parse("2").unwrap().weeks(), 2);
        for bad in ["0", "53", "-1", "two", ""] {
            assert!(EveryWeeks::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(EveryWeeks::from_stored(60), None);
    }

    #[test]
    fn schedules_give_the_latest_due_date() {
        let once = Schedule { starts_on: date(12, 2), every: None };
        assert_eq!(once.due_on(date(12, 1)), None);
        assert_eq!(once.due_on(date(12, 2)), Some(date(12, 2)));
        assert_eq!(once.due_on(date(12, 30)), Some(date(12, 2)));
        assert_eq!(once.due_dates(date(12, 30)), [date(12, 2)]);
        let fortnightly = Schedule { starts_on: date(12, 2), every: Some(EveryWeeks::parse("2").unwrap()) };
        assert_eq!(fortnightly.due_on(date(12, 15)), Some(date(12, 2)));
        assert_eq!(fortnightly.due_on(date(12, 16)), Some(date(12, 16)));
        assert_eq!(fortnightly.due_dates(date(12, 31)), [date(12, 2), date(12, 16), date(12, 30)]);
        assert_eq!(fortnightly.describe(), "Every 2 weeks from 2 Dec 2026");
    }
}
