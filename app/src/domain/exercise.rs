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
            match &question.kind {
                QuestionKind::ShortText { max_chars } | QuestionKind::LongText { max_chars } => {
                    if !(1..=20_000).contains(max_chars) {
                        return Err(InvalidInput::new(format!(
                            "Question {number}: allow 1 to 20,000 characters."
                        )));
                    }
                }
                QuestionKind::List { max_items, max_item_chars } => {
                    if !(1..=50).contains(max_items) || !(1..=2_000).contains(max_item_chars) {
                        return Err(InvalidInput::new(format!(
                            "Question {number}: allow 1 to 50 items of 1 to 2,000 characters."
                        )));
                    }
                }
                QuestionKind::Scale { min, max, .. } => {
                    if min >= max || max - min > 100 {
                        return Err(InvalidInput::new(format!(
                            "Question {number}: the scale must go up, by at most 100 points."
                        )));
                    }
                }
                QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options } => {
                    let distinct: std::collections::HashSet<&String> = options.iter().collect();
                    if options.len() < 2
                        || options.len() > 20
                        || distinct.len() != options.len()
                        || options.iter().any(|o| o.trim().is_empty() || o.contains('\n'))
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
    fn templates_survive_a_json_round_trip() {
        let programme = baby_steps::programme();
        let json = serde_json::to_string(&programme.steps[0]).unwrap();
        let back: ExerciseTemplate = serde_json::from_str(&json).unwrap();
        assert_eq!(back, programme.steps[0]);
    }
}
