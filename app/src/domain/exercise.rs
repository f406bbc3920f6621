//! Exercise templates: a title, instructions and ordered questions. A template is checked
//! once when it is built or edited; assignments keep a snapshot of the version they got.

use serde::{Deserialize, Serialize};

/// Who a question is addressed to. Roles come from what a partner seeks, never from gender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Both partners.
    Everyone,
    /// The partner who seeks more emotional connection.
    SeeksEmotional,
    /// The partner who seeks more physical closeness.
    SeeksPhysical,
}

/// What kind of answer a question takes, with its limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionKind {
    /// One line of text.
    ShortText {
        /// Most characters allowed.
        max_chars: u32,
    },
    /// Paragraphs of text.
    LongText {
        /// Most characters allowed.
        max_chars: u32,
    },
    /// A list of items the person can add, edit, remove and reorder.
    List {
        /// Most items allowed.
        max_items: u32,
        /// Most characters in one item.
        max_item_chars: u32,
        /// Each item is tagged, as it is written, with the kind of closeness it is about
        /// (the wish kinds): step 1's list, whose items become wishes.
        #[serde(default, skip_serializing_if = "is_false")]
        tagged: bool,
    },
    /// A number on a scale with labelled ends.
    Scale {
        /// The lowest value.
        min: i32,
        /// The highest value.
        max: i32,
        /// What the lowest value means.
        min_label: String,
        /// What the highest value means.
        max_label: String,
    },
    /// One option from a list.
    SingleChoice {
        /// The options, in order.
        options: Vec<String>,
    },
    /// Any number of options from a list.
    MultipleChoice {
        /// The options, in order.
        options: Vec<String>,
    },
}

/// True for `false` (a list that is not tagged is stored as it always was).
fn is_false(value: &bool) -> bool {
    !*value
}

/// One question of an exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// A stable key, unique within the exercise (answers are stored under it).
    pub key: String,
    /// The question as the client reads it.
    pub prompt: String,
    /// Optional guidance shown under the prompt.
    pub help: Option<String>,
    /// The kind of answer and its limits.
    pub kind: QuestionKind,
    /// Who the question is for.
    pub audience: Audience,
    /// Whether it must be answered before submitting.
    pub required: bool,
}

/// An exercise: what the client reads and answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseTemplate {
    /// The exercise's title.
    pub title: String,
    /// One sentence that says what the exercise is for (shown in lists).
    pub summary: String,
    /// Instructions shown above the questions. Paragraphs are separated by blank lines.
    pub instructions: String,
    /// The questions, in order.
    pub questions: Vec<Question>,
}

/// An ordered set of exercises, such as the built-in Baby Steps programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Programme {
    /// A stable key (e.g. `baby_steps`).
    pub key: String,
    /// The programme's name.
    pub title: String,
    /// A short description for the therapist and the couple.
    pub summary: String,
    /// The steps, in order; step 1 is `steps[0]`.
    pub steps: Vec<ExerciseTemplate>,
}

/// Most questions in one exercise.
pub const MAX_QUESTIONS: usize = 50;

/// How far from zero either end of a scale may lie.
pub const SCALE_LIMIT: i32 = 100;
/// Most points on one scale (both ends included).
pub const MAX_SCALE_POINTS: i64 = 101;

/// A scale's ends, checked: both within -100..=100, going up, with at most 101 points.
/// Rendering loops over these points, so they are never taken unchecked from input or
/// from a row stored before the limits existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleRange {
    min: i32,
    max: i32,
}

impl ScaleRange {
    /// Parses the ends the therapist chose; the message says what is allowed.
    pub fn parse(min: i32, max: i32) -> Result<Self, super::InvalidInput> {
        let within = |end: i32| (-SCALE_LIMIT..=SCALE_LIMIT).contains(&end);
        // In i64, so no pair of i32 ends can overflow.
        let points = i64::from(max) - i64::from(min) + 1;
        if !within(min) || !within(max) || !(2..=MAX_SCALE_POINTS).contains(&points) {
            return Err(super::InvalidInput::new(format!(
                "A scale goes up from its lowest to its highest point, both between -{SCALE_LIMIT} and \
                 {SCALE_LIMIT}, with at most {MAX_SCALE_POINTS} points."
            )));
        }
        Ok(Self { min, max })
    }

    /// The ends as stored, brought within the limits (for rows stored before the limits
    /// existed): never more than 101 points, never an empty scale.
    pub fn clamped(min: i32, max: i32) -> Self {
        let min = min.clamp(-SCALE_LIMIT, SCALE_LIMIT);
        let widest = min.saturating_add((MAX_SCALE_POINTS - 1) as i32);
        let max = max.clamp(min, widest.min(SCALE_LIMIT));
        Self { min, max }
    }

    /// The lowest point.
    pub fn min(self) -> i32 {
        self.min
    }

    /// The highest point.
    pub fn max(self) -> i32 {
        self.max
    }

    /// Every point, lowest first.
    pub fn points(self) -> std::ops::RangeInclusive<i32> {
        self.min..=self.max
    }
}

impl ExerciseTemplate {
    /// Checks a template before it is saved: a title, sensible limits, unique keys, and
    /// options where options are needed. Returns the first problem in plain words.
    pub fn validate(&self) -> Result<(), super::InvalidInput> {
        use super::InvalidInput;
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(InvalidInput::new("Give the exercise a title of up to 200 characters."));
        }
        if self.instructions.chars().count() > 10_000 || self.summary.chars().count() > 500 {
            return Err(InvalidInput::new("Keep instructions to 10,000 characters and the summary to 500."));
        }
        super::plain_text(title, false)?;
        super::plain_text(&self.instructions, true)?;
        super::plain_text(&self.summary, true)?;
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            return Err(InvalidInput::new(format!("An exercise needs 1 to {MAX_QUESTIONS} questions.")));
        }
        let mut keys = std::collections::HashSet::new();
        for (index, question) in self.questions.iter().enumerate() {
            let number = index + 1;
            let key_ok = !question.key.is_empty()
                && question.key.len() <= 64
                && question.key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !key_ok || !keys.insert(question.key.as_str()) {
                return Err(InvalidInput::new(format!("Question {number} needs its own key (a-z, 0-9, _).")));
            }
            if question.prompt.trim().is_empty() || question.prompt.chars().count() > 500 {
                return Err(InvalidInput::new(format!(
                    "Question {number} needs a question of up to 500 characters."
                )));
            }
            for text in std::iter::once(&question.prompt).chain(&question.help) {
                super::plain_text(text, true)
                    .map_err(|problem| InvalidInput::new(format!("Question {number}: {}", problem.0)))?;
            }
            match &question.kind {
                QuestionKind::ShortText { max_chars } | QuestionKind::LongText { max_chars } => {
                    if !(1..=20_000).contains(max_chars) {
                        return Err(InvalidInput::new(format!(
                            "Question {number}: allow 1 to 20,000 characters."
                        )));
                    }
                }
                QuestionKind::List { max_items, max_item_chars, .. } => {
                    if !(1..=50).contains(max_items) || !(1..=2_000).contains(max_item_chars) {
                        return Err(InvalidInput::new(format!(
                            "Question {number}: allow 1 to 50 items of 1 to 2,000 characters."
                        )));
                    }
                }
                QuestionKind::Scale { min, max, .. } => {
                    ScaleRange::parse(*min, *max)
                        .map_err(|problem| InvalidInput::new(format!("Question {number}: {}", problem.0)))?;
                }
                QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options } => {
                    let distinct: std::collections::HashSet<&String> = options.iter().collect();
                    if options.len() < 2
                        || options.len() > 20
                        || distinct.len() != options.len()
                        || options.iter().any(|o| o.trim().is_empty() || super::has_control_chars(o, false))
                    {
                        return Err(InvalidInput::new(format!(
                            "Question {number}: give 2 to 20 different options."
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::baby_steps;

    #[test]
    fn the_built_in_programme_is_valid() {
        for step in baby_steps::programme().steps {
            assert_eq!(step.validate(), Ok(()), "{}", step.title);
        }
    }

    #[test]
    fn broken_templates_are_refused() {
        let good = baby_steps::programme().steps.remove(1);
        let mut no_title = good.clone();
        no_title.title = "  ".into();
        assert!(no_title.validate().is_err());
        let mut duplicate_keys = good.clone();
        duplicate_keys.questions[1].key = duplicate_keys.questions[0].key.clone();
        assert!(duplicate_keys.validate().is_err());
        let mut bad_scale = good.clone();
        bad_scale.questions[0].kind =
            QuestionKind::Scale { min: 5, max: 5, min_label: "".into(), max_label: "".into() };
        assert!(bad_scale.validate().is_err());
        let mut one_option = good.clone();
        one_option.questions[0].kind = QuestionKind::SingleChoice { options: vec!["only".into()] };
        assert!(one_option.validate().is_err());
        let mut empty = good;
        empty.questions.clear();
        assert!(empty.validate().is_err());
    }

    #[test]
    fn scales_stay_within_limits_without_overflow() {
        assert_eq!(ScaleRange::parse(0, 10).map(|r| r.points().count()), Ok(11));
        assert_eq!(ScaleRange::parse(-50, 50).map(|r| r.points().count()), Ok(101));
        assert_eq!(ScaleRange::parse(-100, 0).map(|r| (r.min(), r.max())), Ok((-100, 0)));
        for (min, max) in [
            (i32::MIN, i32::MAX),
            (i32::MAX, i32::MIN),
            (-100, 100),
            (-101, 0),
            (0, 101),
            (5, 5),
            (6, 5),
            (i32::MIN, -100),
        ] {
            let refused = ScaleRange::parse(min, max).unwrap_err();
            assert!(refused.0.contains("-100") && refused.0.contains("101 points"), "{min}..{max}");
        }
        let mut widest = baby_steps::programme().steps.remove(1);
        widest.questions[0].kind = QuestionKind::Scale {
            min: i32::MIN,
            max: i32::MAX,
            min_label: "a".into(),
            max_label: "b".into(),
        };
        assert!(widest.validate().unwrap_err().0.starts_with("Question 1: A scale"));
    }

    #[test]
    fn stored_scales_are_clamped_before_rendering() {
        for (min, max) in [(i32::MIN, i32::MAX), (i32::MAX, i32::MIN), (-5000, 5000), (7, 3), (0, 10)] {
            let range = ScaleRange::clamped(min, max);
            let points = range.points().count() as i64;
            assert!((1..=MAX_SCALE_POINTS).contains(&points), "{min}..{max}: {points} points");
            assert!(range.min() >= -SCALE_LIMIT && range.max() <= SCALE_LIMIT);
        }
        assert_eq!(ScaleRange::clamped(0, 10), ScaleRange::parse(0, 10).unwrap());
    }

    #[test]
    fn templates_survive_a_json_round_trip() {
        let programme = baby_steps::programme();
        let json = serde_json::to_string(&programme.steps[0]).unwrap();
        let back: ExerciseTemplate = serde_json::from_str(&json).unwrap();
        assert_eq!(back, programme.steps[0]);
    }
}
