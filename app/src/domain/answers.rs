//! A partner's answers to an exercise: parsed from the form, checked against the exact
//! version of the exercise they were given, and stored as JSON.

use super::{
    baby_steps::{ProgrammeContent, WISH_KINDS},
    case::Seeks,
    exercise::{Audience, ExerciseTemplate, Question, QuestionKind, ScaleRange},
    has_control_chars, InvalidInput,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Answer {
    /// Short or long text.
    Text(String),
    /// The items of a list, in order.
    List(Vec<String>),
    /// The items of a tagged list, in order, each with its kind.
    TaggedList(Vec<TaggedItem>),
    /// A point on a scale.
    Scale(i32),
    /// One option.
    Choice(String),
    /// Several options.
    Choices(Vec<String>),
}

/// One item of a tagged list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaggedItem {
    /// The item's words.
    pub text: String,
    /// The wish kind chosen for it (none: not chosen, which reads as everyday).
    pub kind: Option<String>,
}

/// A tagged list's item travels in the form as one line: its kind's key, a tab, its words
/// (no kind: nothing before the tab, or no tab at all).
const TAG_SEPARATOR: char = '\t';

/// Reads one line of a tagged list: `(kind, words)`.
pub fn split_tagged(line: &str) -> (Option<&str>, &str) {
    match line.split_once(TAG_SEPARATOR) {
        Some((kind, text)) => ((!kind.trim().is_empty()).then_some(kind.trim()), text.trim()),
        None => (None, line.trim()),
    }
}

/// Writes one line of a tagged list (the inverse of [`split_tagged`]).
pub fn join_tagged(kind: Option<&str>, text: &str) -> String {
    format!("{}{TAG_SEPARATOR}{}", kind.unwrap_or(""), text.trim())
}

/// The label of a wish kind's key ("" for none or an unknown key).
pub fn kind_label(kind: Option<&str>) -> &'static str {
    WISH_KINDS.iter().find(|(key, _)| Some(*key) == kind).map_or("", |(_, label)| *label)
}

/// Most characters in one comment from the therapist.
pub const MAX_COMMENT_CHARS: usize = 4_000;

/// Answers by question key.
pub type Answers = BTreeMap<String, Answer>;

/// Whether answers are being kept as a draft or handed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    /// A draft may leave required questions empty.
    Draft,
    /// A submission must answer every required question.
    Submission,
}

/// True when a question is meant for a partner who seeks `seeks`. A partner who is not sure
/// yet is shown both role-specific sets.
pub fn is_for(question: &Question, seeks: Seeks) -> bool {
    matches!(
        (question.audience, seeks),
        (Audience::Everyone, _)
            | (_, Seeks::Unsure)
            | (Audience::SeeksEmotional, Seeks::Emotional)
            | (Audience::SeeksPhysical, Seeks::Physical)
    )
}

/// What a partner who is not sure yet reads under a role-specific question that would be
/// required of a partner who knows what they seek.
pub const UNSURE_CHOICE: &str = "You are not sure yet which kind of closeness you long for \
    more, so you see both sets of questions. Answer at least one of the two questions about \
    what closeness means to you, whichever speaks to you; the other may stay empty.";

/// The message when a partner who is not sure yet answered neither of those questions.
pub const UNSURE_MISSING: &str =
    "Please answer at least one of the two questions about what closeness means to you before you submit.";

/// True when a role-specific question is one a partner who is not sure yet may skip, as
/// long as they answer another like it (see [`questions_for`]).
fn either_or(question: &Question, seeks: Seeks) -> bool {
    seeks == Seeks::Unsure && question.required && question.audience != Audience::Everyone
}

/// The questions a partner who seeks `seeks` is asked, as they are asked. A partner who is
/// not sure yet sees both role-specific sets, and none of those questions is required of
/// them on its own: a submission answers at least one of the required ones.
pub fn questions_for(exercise: &ExerciseTemplate, seeks: Seeks) -> Vec<Question> {
    exercise
        .questions
        .iter()
        .filter(|q| is_for(q, seeks))
        .map(|q| {
            let mut question = q.clone();
            if either_or(q, seeks) {
                question.required = false;
                let help = question.help.take().map(|h| format!("{h} ")).unwrap_or_default();
                question.help = Some(format!("{help}{UNSURE_CHOICE}"));
            }
            question
        })
        .collect()
}

/// The form field that carries a question's answer.
pub fn field_name(question_key: &str) -> String {
    format!("answers[{question_key}]")
}

/// A list or multiple choice travels in one form field, one item per line.
fn lines(raw: &str) -> Vec<String> {
    raw.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect()
}

fn check_text(text: &str, max_chars: u32) -> Result<(), InvalidInput> {
    if text.chars().count() > max_chars as usize {
        return Err(InvalidInput::new(format!("Please keep this to {max_chars} characters or fewer.")));
    }
    if has_control_chars(text, true) {
        return Err(InvalidInput::new("This answer contains characters we can't store."));
    }
    Ok(())
}

/// Parses one raw form value for a question. Empty means unanswered (`None`).
pub fn parse_answer(question: &Question, raw: &str) -> Result<Option<Answer>, InvalidInput> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let answer = match &question.kind {
        QuestionKind::ShortText { max_chars } | QuestionKind::LongText { max_chars } => {
            check_text(trimmed, *max_chars)?;
            Answer::Text(trimmed.to_owned())
        }
        QuestionKind::List { max_items, max_item_chars, tagged } => {
            // A tagged line is read before any trimming, which would eat its tab.
            let items = if *tagged {
                raw.lines().filter(|line| !split_tagged(line).1.is_empty()).map(str::to_owned).collect()
            } else {
                lines(trimmed)
            };
            if items.len() > *max_items as usize {
                return Err(InvalidInput::new(format!("A list can have at most {max_items} items.")));
            }
            let too_long =
                || InvalidInput::new(format!("Keep each item to {max_item_chars} characters or fewer."));
            if *tagged {
                let mut tagged_items = Vec::new();
                for line in &items {
                    let (kind, text) = split_tagged(line);
                    if text.is_empty() {
                        continue;
                    }
                    check_text(text, *max_item_chars).map_err(|_| too_long())?;
                    if kind.is_some() && kind_label(kind).is_empty() {
                        return Err(InvalidInput::new(
                            "Choose emotional, physical, sexual or everyday for each item.",
                        ));
                    }
                    tagged_items.push(TaggedItem { text: text.to_owned(), kind: kind.map(str::to_owned) });
                }
                if tagged_items.is_empty() {
                    return Ok(None);
                }
                Answer::TaggedList(tagged_items)
            } else {
                for item in &items {
                    check_text(item, *max_item_chars).map_err(|_| too_long())?;
                }
                Answer::List(items)
            }
        }
        QuestionKind::Scale { min, max, .. } => {
            // The points the sheet shows: a scale stored before the limits is clamped there too.
            let range = ScaleRange::clamped(*min, *max);
            match trimmed.parse::<i32>() {
                Ok(value) if range.points().contains(&value) => Answer::Scale(value),
                _ => {
                    return Err(InvalidInput::new(format!(
                        "Choose a number from {} to {}.",
                        range.min(),
                        range.max()
                    )))
                }
            }
        }
        QuestionKind::SingleChoice { options } => {
            if !options.iter().any(|option| option == trimmed) {
                return Err(InvalidInput::new("Choose one of the options."));
            }
            Answer::Choice(trimmed.to_owned())
        }
        QuestionKind::MultipleChoice { options } => {
            let chosen = lines(trimmed);
            if chosen.iter().any(|choice| !options.contains(choice)) {
                return Err(InvalidInput::new("Choose from the options given."));
            }
            Answer::Choices(chosen)
        }
    };
    Ok(Some(answer))
}

/// A problem with one question's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerProblem {
    /// The question's key, or the unknown key that was sent.
    pub question_key: String,
    /// What to change.
    pub message: String,
}

/// Parses every answer sent for an exercise, for a partner who seeks `seeks`. Keys that
/// are not questions of this version (for this partner) are refused; a submission must
/// answer every required question.
pub fn parse_answers(
    exercise: &ExerciseTemplate,
    seeks: Seeks,
    raw: &BTreeMap<String, String>,
    completeness: Completeness,
) -> Result<Answers, AnswerProblem> {
    let asked = questions_for(exercise, seeks);
    let questions: Vec<&Question> = asked.iter().collect();
    if let Some(unknown) = raw.keys().find(|key| !questions.iter().any(|q| &q.key == *key)) {
        return Err(AnswerProblem {
            question_key: unknown.clone(),
            message: "This answer is for a question that is not in your exercise. Reload the page to see the current questions.".to_owned(),
        });
    }
    let mut answers = Answers::new();
    for question in questions {
        let parsed = parse_answer(question, raw.get(&question.key).map(String::as_str).unwrap_or(""))
            .map_err(|InvalidInput(message)| AnswerProblem { question_key: question.key.clone(), message })?;
        match parsed {
            Some(answer) => {
                answers.insert(question.key.clone(), answer);
            }
            None if question.required && completeness == Completeness::Submission => {
                return Err(AnswerProblem {
                    question_key: question.key.clone(),
                    message: "Please answer this question before you submit.".to_owned(),
                });
            }
            None => {}
        }
    }
    let choices: Vec<&Question> = exercise.questions.iter().filter(|q| either_or(q, seeks)).collect();
    if completeness == Completeness::Submission
        && !choices.is_empty()
        && !choices.iter().any(|q| answers.contains_key(&q.key))
    {
        return Err(AnswerProblem {
            question_key: choices[0].key.clone(),
            message: UNSURE_MISSING.to_owned(),
        });
    }
    Ok(answers)
}

/// Refuses a tagged item of a kind the couple's programme leaves out (a sexual item when
/// the therapist chose Baby Steps without sexual content).
pub fn check_item_kinds(answers: &Answers, content: ProgrammeContent) -> Result<(), AnswerProblem> {
    for (key, answer) in answers {
        let Answer::TaggedList(items) = answer else { continue };
        let outside = items
            .iter()
            .filter_map(|item| item.kind.as_deref())
            .any(|kind| content.parse_wish_kind(kind).is_err());
        if outside {
            let kinds: Vec<&str> = content.wish_kinds().iter().map(|(key, _)| *key).collect();
            return Err(AnswerProblem {
                question_key: key.clone(),
                message: format!("Choose {} for each item.", or_list(&kinds)),
            });
        }
    }
    Ok(())
}

/// "a, b or c".
fn or_list(words: &[&str]) -> String {
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_owned(),
        None => String::new(),
    }
}

/// An answer as a person reads it: a tagged list's items with their kinds in brackets,
/// anything else as its form value.
pub fn read_value(answer: &Answer) -> String {
    match answer {
        Answer::TaggedList(items) => items
            .iter()
            .map(|item| match kind_label(item.kind.as_deref()) {
                "" => item.text.clone(),
                label => format!("{} ({label})", item.text),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => form_value(other),
    }
}

/// The form value that shows an answer again (lists one item per line).
pub fn form_value(answer: &Answer) -> String {
    match answer {
        Answer::Text(text) | Answer::Choice(text) => text.clone(),
        Answer::List(items) | Answer::Choices(items) => items.join("\n"),
        Answer::TaggedList(items) => items
            .iter()
            .map(|item| join_tagged(item.kind.as_deref(), &item.text))
            .collect::<Vec<_>>()
            .join("\n"),
        Answer::Scale(value) => value.to_string(),
    }
}

#[cfg(test)]
mod kind_tests {
    use super::*;

    fn tagged(kinds: &[Option<&str>]) -> Answers {
        let items =
            kinds.iter().map(|kind| TaggedItem { text: "Hold me".into(), kind: kind.map(str::to_owned) });
        Answers::from([("behaviours".to_owned(), Answer::TaggedList(items.collect()))])
    }

    #[test]
    fn a_sexual_item_is_refused_only_without_sexual_content() {
        let answers = tagged(&[Some("physical"), None, Some("sexual")]);
        assert!(check_item_kinds(&answers, ProgrammeContent::Full).is_ok());
        let problem = check_item_kinds(&answers, ProgrammeContent::WithoutSexual).unwrap_err();
        assert_eq!(problem.question_key, "behaviours");
        assert_eq!(problem.message, "Choose emotional, physical or everyday for each item.");
        let fine = tagged(&[Some("emotional"), Some("everyday"), None]);
        assert!(check_item_kinds(&fine, ProgrammeContent::WithoutSexual).is_ok());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(key: &str, kind: QuestionKind, audience: Audience, required: bool) -> Question {
        Question { key: key.into(), prompt: "Q".into(), help: None, kind, audience, required }
    }

    fn exercise() -> ExerciseTemplate {
        ExerciseTemplate {
            title: "T".into(),
            summary: "S".into(),
            instructions: "I".into(),
            questions: vec![
                question("meaning", QuestionKind::LongText { max_chars: 20 }, Audience::SeeksEmotional, true),
                question("touch", QuestionKind::ShortText { max_chars: 20 }, Audience::SeeksPhysical, true),
                question(
                    "list",
                    QuestionKind::List { max_items: 2, max_item_chars: 10, tagged: false },
                    Audience::Everyone,
                    false,
                ),
                question(
                    "scale",
                    QuestionKind::Scale { min: 0, max: 10, min_label: "a".into(), max_label: "b".into() },
                    Audience::Everyone,
                    false,
                ),
                question(
                    "pick",
                    QuestionKind::SingleChoice { options: vec!["yes".into(), "no".into()] },
                    Audience::Everyone,
                    false,
                ),
            ],
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn questions_follow_what_the_partner_seeks() {
        let exercise = exercise();
        let keys = |seeks| {
            exercise.questions.iter().filter(|q| is_for(q, seeks)).map(|q| q.key.as_str()).collect::<Vec<_>>()
        };
        assert_eq!(keys(Seeks::Emotional), ["meaning", "list", "scale", "pick"]);
        assert_eq!(keys(Seeks::Physical), ["touch", "list", "scale", "pick"]);
        assert_eq!(keys(Seeks::Unsure).len(), 5);
    }

    #[test]
    fn drafts_may_be_incomplete_submissions_may_not() {
        let exercise = exercise();
        let partial = raw(&[("list", "one\n\n two ")]);
        let answers = parse_answers(&exercise, Seeks::Emotional, &partial, Completeness::Draft).unwrap();
        assert_eq!(answers["list"], Answer::List(vec!["one".into(), "two".into()]));
        let problem =
            parse_answers(&exercise, Seeks::Emotional, &partial, Completeness::Submission).unwrap_err();
        assert_eq!(problem.question_key, "meaning");
    }

    #[test]
    fn a_partner_not_sure_yet_answers_one_of_the_two_role_questions() {
        let exercise = exercise();
        let asked = questions_for(&exercise, Seeks::Unsure);
        assert!(asked.iter().filter(|q| q.audience != Audience::Everyone).all(|q| !q.required));
        assert!(asked.iter().all(|q| q.audience == Audience::Everyone || q.help.is_some()));
        let neither =
            parse_answers(&exercise, Seeks::Unsure, &raw(&[]), Completeness::Submission).unwrap_err();
        assert_eq!((neither.question_key.as_str(), neither.message.as_str()), ("meaning", UNSURE_MISSING));
        for one in ["meaning", "touch"] {
            assert!(
                parse_answers(&exercise, Seeks::Unsure, &raw(&[(one, "x")]), Completeness::Submission)
                    .is_ok(),
                "{one} alone is enough"
            );
        }
        // A partner who knows what they seek still answers their own required question.
        assert!(parse_answers(&exercise, Seeks::Physical, &raw(&[]), Completeness::Submission).is_err());
        assert!(questions_for(&exercise, Seeks::Physical).iter().any(|q| q.required));
    }

    #[test]
    fn a_tagged_list_keeps_each_items_kind() {
        let mut question = question(
            "list",
            QuestionKind::List { max_items: 3, max_item_chars: 20, tagged: true },
            Audience::Everyone,
            true,
        );
        let answer =
            parse_answer(&question, "physical\tHold me\n\tAsk me\nPlain\nsexual\t ").unwrap().unwrap();
        let item =
            |text: &str, kind: Option<&str>| TaggedItem { text: text.into(), kind: kind.map(Into::into) };
        assert_eq!(
            answer,
            Answer::TaggedList(vec![
                item("Hold me", Some("physical")),
                item("Ask me", None),
                item("Plain", None)
            ])
        );
        assert_eq!(
            parse_answer(&question, &form_value(&answer)).unwrap(),
            Some(answer.clone()),
            "round trip"
        );
        assert_eq!(read_value(&answer), "Hold me (Physical affection)\nAsk me\nPlain");
        assert!(parse_answer(&question, "romantic\tHold me").is_err());
        question.kind = QuestionKind::List { max_items: 3, max_item_chars: 20, tagged: false };
        assert_eq!(
            parse_answer(&question, "a\nb").unwrap(),
            Some(Answer::List(vec!["a".into(), "b".into()]))
        );
    }

    #[test]
    fn answers_to_other_questions_are_refused() {
        let exercise = exercise();
        let problem =
            parse_answers(&exercise, Seeks::Emotional, &raw(&[("touch", "x")]), Completeness::Draft)
                .unwrap_err();
        assert_eq!(problem.question_key, "touch");
        let problem =
            parse_answers(&exercise, Seeks::Unsure, &raw(&[("invented", "x")]), Completeness::Draft)
                .unwrap_err();
        assert_eq!(problem.question_key, "invented");
    }

    #[test]
    fn limits_are_enforced() {
        let exercise = exercise();
        let check = |pairs: &[(&str, &str)]| {
            parse_answers(&exercise, Seeks::Unsure, &raw(pairs), Completeness::Draft)
        };
        assert!(check(&[("meaning", &"x".repeat(21))]).is_err());
        assert!(check(&[("list", "a\nb\nc")]).is_err());
        assert!(check(&[("list", "much too long item")]).is_err());
        assert!(check(&[("scale", "11")]).is_err());
        assert!(check(&[("scale", "ten")]).is_err());
        assert!(check(&[("pick", "maybe")]).is_err());
        assert_eq!(check(&[("scale", "7"), ("pick", "yes")]).unwrap()["scale"], Answer::Scale(7));
    }

    #[test]
    fn a_scale_stored_before_the_limits_takes_only_the_points_shown() {
        let mut exercise = exercise();
        exercise.questions[3].kind = QuestionKind::Scale {
            min: i32::MIN,
            max: i32::MAX,
            min_label: "a".into(),
            max_label: "b".into(),
        };
        let check = |value: &str| {
            parse_answers(&exercise, Seeks::Unsure, &raw(&[("scale", value)]), Completeness::Draft)
        };
        assert_eq!(check("-100").unwrap()["scale"], Answer::Scale(-100));
        assert_eq!(check("0").unwrap()["scale"], Answer::Scale(0));
        let problem = check("2147483647").unwrap_err();
        assert_eq!(problem.message, "Choose a number from -100 to 0.");
    }

    #[test]
    fn form_values_round_trip() {
        let exercise = exercise();
        let sent = raw(&[("meaning", "closeness"), ("list", "a\nb"), ("scale", "3")]);
        let answers = parse_answers(&exercise, Seeks::Emotional, &sent, Completeness::Draft).unwrap();
        let again: BTreeMap<String, String> =
            answers.iter().map(|(k, v)| (k.clone(), form_value(v))).collect();
        assert_eq!(again, sent);
        assert_eq!(field_name("list"), "answers[list]");
    }
}
