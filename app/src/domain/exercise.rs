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
