//! Consultation follow-ups: message text with placeholders such as `{first_name}`, the
//! built-in follow-up, the neutral progress sentence, and the treatment words an inbox must
//! never show (in a subject or a preview). Rendering is the same in the
//! browser (live preview) and on the server (sending), and refuses unknown placeholders.

use std::collections::BTreeMap;

/// The placeholders a follow-up may use, with what each becomes.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("first_name", "the partner's first name"),
    ("therapist_name", "your name"),
    ("practice_name", "your practice's name"),
    ("progress_summary", "the progress sentence below"),
    ("booking_link", "your booking link (Settings)"),
];

/// The built-in follow-up: `(name, subject, body)`. It carries no treatment content: an
/// inbox (or whoever reads it over a shoulder) learns only that someone wrote.
pub const BUILT_IN: (&str, &str, &str) = (
    "Consultation follow-up (built in)",
    "Checking in with you",
    "Hello {first_name},\n\n\
     I wanted to see how you are doing. If you would like to talk, reply to this email or \
     choose a time here: {booking_link}\n\n\
     With warm wishes,\n{therapist_name}\n{practice_name}",
);

/// Word beginnings that tell whoever glances at an inbox that someone is in treatment
/// ("therap" covers therapy, therapist, therapeutic). None may appear in a client email's
/// subject or in the start of its text, which inboxes show as a preview.
pub const TREATMENT_WORDS: &[&str] =
    &["therap", "homework", "session", "consult", "counsel", "clinic", "treatment", "exercise", "psych"];

/// How many characters of a message an inbox shows as its preview (generously).
pub const INBOX_PREVIEW_CHARS: usize = 140;

/// The first word of `text` that begins with a treatment word, as written.
pub fn treatment_word(text: &str) -> Option<&str> {
    text.split(|c: char| !c.is_alphanumeric())
        .find(|word| TREATMENT_WORDS.iter().any(|stem| word.to_lowercase().starts_with(stem)))
}

/// What an inbox shows of a message under its subject: the start of the text, with lines
/// run together.
pub fn inbox_preview(body: &str) -> String {
    body.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(INBOX_PREVIEW_CHARS).collect()
}

/// Why a follow-up would say too much in an inbox: the field (`subject` or `body`) and a
/// message naming the word, or `None` when the subject and the preview are neutral.
pub fn inbox_warning(subject: &str, body: &str) -> Option<(&'static str, String)> {
    if let Some(word) = treatment_word(subject) {
        return Some((
            "subject",
            format!("Keep the subject neutral: anyone who sees the inbox reads it. Leave out “{word}”."),
        ));
    }
    treatment_word(&inbox_preview(body)).map(|word| {
        (
            "body",
            format!(
                "Keep the start of the message neutral: the inbox shows it under the subject. \
                 Leave out “{word}” there."
            ),
        )
    })
}

/// Most characters in a follow-up's subject and body.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Most characters in a follow-up's body.
pub const MAX_BODY_CHARS: usize = 10_000;
/// Most proposed consultation times in one follow-up.
pub const MAX_PROPOSED_TIMES: usize = 3;

/// The placeholders in `text` that are not known, in order of appearance, each once.
pub fn unknown_placeholders(text: &str) -> Vec<String> {
    let mut unknown: Vec<String> = Vec::new();
    for name in placeholder_names(text) {
        if !PLACEHOLDERS.iter().any(|(known, _)| *known == name) && !unknown.iter().any(|u| u == name) {
            unknown.push(name.to_owned());
        }
    }
    unknown
}

/// Every `{name}` in `text` (a name is letters, digits and underscores).
fn placeholder_names(text: &str) -> impl Iterator<Item = &str> {
    text.split('{').skip(1).filter_map(|rest| {
        let name = rest.split_once('}')?.0;
        (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(name)
    })
}

/// Fills the placeholders. Unknown placeholders are refused with their names. Spaces left
/// at the end of a line (a placeholder with no value, such as an unset booking link, at
/// the end of one) are dropped.
pub fn render(text: &str, values: &BTreeMap<&str, String>) -> Result<String, Vec<String>> {
    let unknown = unknown_placeholders(text);
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let mut rendered = text.to_owned();
    for (name, _) in PLACEHOLDERS {
        let value = values.get(name).map(String::as_str).unwrap_or("");
        rendered = rendered.replace(&format!("{{{name}}}"), value);
    }
    Ok(rendered.split('\n').map(str::trim_end).collect::<Vec<_>>().join("\n"))
}

/// A message naming unknown placeholders, for the field and the preview.
pub fn unknown_message(unknown: &[String]) -> String {
    let names: Vec<String> = unknown.iter().map(|name| format!("{{{name}}}")).collect();
    let known: Vec<String> = PLACEHOLDERS.iter().map(|(name, _)| format!("{{{name}}}")).collect();
    format!("Unknown placeholder {}. You can use {}.", names.join(", "), known.join(", "))
}

/// The neutral progress sentence: no clinical content, only how far the couple has come.
pub fn progress_summary(steps_done: usize, steps_total: usize) -> String {
    match (steps_done, steps_total) {
        (_, 0) => "You have started working with me.".to_owned(),
        (0, total) => format!("You have {total} steps ahead of you."),
        (done, total) if done >= total => format!("You have completed all {total} steps."),
        (1, total) => format!("You have completed 1 of {total} steps."),
        (done, total) => format!("You have completed {done} of {total} steps."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> BTreeMap<&'static str, String> {
        BTreeMap::from([("first_name", "Sam".to_owned()), ("therapist_name", "Dr Ana Ruiz".to_owned())])
    }

    #[test]
    fn placeholders_are_filled_and_missing_values_are_empty() {
        assert_eq!(
            render("Hi {first_name}, from {therapist_name}{practice_name}.", &values()).unwrap(),
            "Hi Sam, from Dr Ana Ruiz."
        );
    }

    #[test]
    fn unknown_placeholders_are_refused_by_name() {
        assert_eq!(
            render("Hi {firstname} {x} {firstname}", &values()),
            Err(vec!["firstname".to_owned(), "x".to_owned()])
        );
        assert!(unknown_message(&["firstname".to_owned()]).contains("{firstname}"));
        // Braces that are not placeholders are left alone.
        assert_eq!(render("a {not a placeholder} b {}", &values()).unwrap(), "a {not a placeholder} b {}");
    }

    #[test]
    fn the_built_in_follow_up_uses_only_known_placeholders() {
        assert!(unknown_placeholders(BUILT_IN.1).is_empty());
        assert!(unknown_placeholders(BUILT_IN.2).is_empty());
        assert!(BUILT_IN.2.contains("{booking_link}"));
    }

    #[test]
    fn the_built_in_follow_up_carries_no_treatment_content() {
        let (_, subject, body) = BUILT_IN;
        let body = render(body, &values()).unwrap();
        assert_eq!(treatment_word(subject), None);
        assert_eq!(treatment_word(&body), None, "not even further down");
        assert!(!body.contains("{progress_summary}"), "how far the couple has come stays in the app");
    }

    #[test]
    fn treatment_words_are_found_whole_and_in_any_case() {
        assert_eq!(treatment_word("About our Session on Monday"), Some("Session"));
        assert_eq!(treatment_word("Your therapist's note"), Some("therapist"));
        assert_eq!(treatment_word("CONSULTATION"), Some("CONSULTATION"));
        assert_eq!(treatment_word("Checking in with you"), None);
        // A word that merely contains one is not one ("obsession" is not a session).
        assert_eq!(treatment_word("an obsession with gardens"), None);
    }

    #[test]
    fn inbox_warnings_name_the_field_and_the_word() {
        assert_eq!(inbox_warning("Checking in", "Hello Sam,\n\nHow are you?"), None);
        let (field, message) = inbox_warning("Your next session", "Hello").unwrap();
        assert_eq!(field, "subject");
        assert!(message.contains("“session”"));
        let (field, message) = inbox_warning("Hi", "Hello Sam,\n\nAbout your homework").unwrap();
        assert_eq!(field, "body");
        assert!(message.contains("“homework”"));
        // Past what an inbox shows, the therapist's own words are theirs to choose.
        let long =
            format!("Hello Sam,\n\n{} We can talk in our next session.", "Lovely weather. ".repeat(10));
        assert_eq!(inbox_warning("Hi", &long), None);
    }

    #[test]
    fn progress_reads_plainly() {
        assert_eq!(progress_summary(3, 5), "You have completed 3 of 5 steps.");
        assert_eq!(progress_summary(1, 5), "You have completed 1 of 5 steps.");
        assert_eq!(progress_summary(5, 5), "You have completed all 5 steps.");
        assert_eq!(progress_summary(0, 5), "You have 5 steps ahead of you.");
    }

    #[test]
    fn an_empty_placeholder_leaves_no_space_at_the_end_of_a_line() {
        let mut values = values();
        values.insert("booking_link", String::new());
        let body = render(BUILT_IN.2, &values).unwrap();
        assert!(body.lines().all(|line| line == line.trim_end()), "{body:?}");
        assert!(body.contains("choose a time here:\n\nWith warm wishes"), "{body:?}");
    }
}
