//! Consultation follow-ups: message text with placeholders such as `{first_name}`, the
//! built-in follow-up, and the neutral progress sentence. Rendering is the same in the
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

/// The built-in consultation follow-up: `(name, subject, body)`.
pub const BUILT_IN: (&str, &str, &str) = (
    "Consultation follow-up (built in)",
    "Checking in with you",
    "Hello {first_name},\n\n\
     I wanted to check in on how things are between the two of you. {progress_summary}\n\n\
     If you still feel disconnected from each other, or the small steps have become hard to keep \
     up, a consultation can help you find your way back. You can book one here: {booking_link}\n\n\
     With warm wishes,\n{therapist_name}\n{practice_name}",
);

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

/// Fills the placeholders. Unknown placeholders are refused with their names.
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
    Ok(rendered)
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
    fn progress_reads_plainly() {
        assert_eq!(progress_summary(3, 5), "You have completed 3 of 5 steps.");
        assert_eq!(progress_summary(1, 5), "You have completed 1 of 5 steps.");
        assert_eq!(progress_summary(5, 5), "You have completed all 5 steps.");
        assert_eq!(progress_summary(0, 5), "You have 5 steps ahead of you.");
    }
}
