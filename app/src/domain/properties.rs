//! Property tests of the domain's parsers: on any input (arbitrary Unicode, and text mixed
//! from the characters that have hurt before: NUL, controls, bidi overrides, zero-width
//! characters, markup, separators, digits, far dates) a parser never panics; what it
//! accepts satisfies its bounds and parses back to itself.

use super::{
    answers::{form_value, parse_answer},
    audit::{AuditFilter, AuditPageNumber, MAX_AUDIT_PAGE},
    case::{
        parse_last_name, parse_pronouns, CaseLabel, CaseStatus, CaseloadPageNumber, FirstName, Seeks,
        TherapistNotes, MAX_CASELOAD_PAGE, MAX_CASE_LABEL_CHARS, MAX_NOTES_CHARS, MAX_PARTNER_NAME_CHARS,
        MAX_PRONOUNS_CHARS,
    },
    date_text,
    dates::{FormDate, FormDateTime, FIRST_YEAR, LAST_YEAR},
    exchange::{parse_ease, parse_importance, parse_wish_text, MAX_WISH_CHARS},
    exercise::{Audience, Question, QuestionKind, ScaleRange, MAX_SCALE_POINTS, SCALE_LIMIT},
    is_disguising, plain_text,
    safety::{parse_reply_days, CrisisLine, MAX_CRISIS_LINE_CHARS, REPLY_DAYS},
    second_factor::{grouped, SecondFactorCode, RECOVERY_CODE_CHARS, TOTP_DIGITS},
    EmailAddress, Password, PersonName, Role, MAX_NAME_CHARS, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS,
};
use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

/// Few enough cases that the whole module runs in a few seconds.
fn config() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

/// Characters that have broken parsers or stores before, and ordinary ones around them.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        4 => proptest::char::range('a', 'z'),
        1 => proptest::char::range('0', '9'),
        1 => prop::sample::select(vec![
            '\0', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\n', '\r', '\t', ' ', '\u{a0}', '\u{202E}',
            '\u{202A}', '\u{2066}', '\u{2069}', '\u{200B}', '\u{200D}', '\u{2060}', '\u{FEFF}', '<', '>',
            '&', '"', '\'', '@', '.', '-', '+', ':', 'T', '/', '\u{1F600}', 'é',
        ]),
    ]
}

/// Text of up to `max` characters mixed from [`tricky_char`].
fn tricky_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..=max).prop_map(|chars| chars.into_iter().collect())
}

/// Any text: arbitrary Unicode or the tricky mix, sometimes past every field's limit.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), tricky_text(40), tricky_text(400)]
}

/// True when one line of accepted text shows nothing hidden.
fn clean_line(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() || is_disguising(c))
}

/// Text that looks like a date, often far outside the calendar's usual years.
fn date_like() -> impl Strategy<Value = String> {
    (any::<bool>(), 0_u32..400_000, 0_u32..20, 0_u32..40).prop_map(|(minus, year, month, day)| {
        format!("{}{year:04}-{month:02}-{day:02}", if minus { "-" } else { "" })
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn person_names(input in text()) {
        if let Ok(name) = PersonName::parse(&input) {
            let shown = name.as_str();
            prop_assert!(!shown.is_empty() && shown.chars().count() <= MAX_NAME_CHARS);
            prop_assert_eq!(shown.trim(), shown);
            prop_assert!(!shown.contains("  ") && !shown.contains(['<', '>']) && clean_line(shown));
            prop_assert_eq!(PersonName::parse(shown).unwrap(), name.clone());
            let json = serde_json::to_string(&name).unwrap();
            prop_assert_eq!(serde_json::from_str::<PersonName>(&json).unwrap(), name);
        }
    }

    #[test]
    fn email_addresses(input in text()) {
        if let Ok(email) = EmailAddress::parse(&input) {
            let shown = email.as_str();
            prop_assert!(shown.chars().count() <= 254 && shown.matches('@').count() == 1);
            prop_assert_eq!(shown.to_lowercase(), shown);
            prop_assert!(!shown.chars().any(char::is_whitespace) && clean_line(shown));
            prop_assert_eq!(EmailAddress::parse(shown).unwrap(), email);
        }
    }

    #[test]
    fn plausible_email_addresses_are_accepted(
        local in "[a-zA-Z0-9._%+-]{1,30}",
        domain in "[a-z0-9-]{1,20}(\\.[a-z]{2,6}){1,2}",
    ) {
        let typed = format!("  {local}@{domain} ");
        let email = EmailAddress::parse(&typed).unwrap();
        prop_assert_eq!(email.as_str(), format!("{local}@{domain}").to_lowercase());
    }

    #[test]
    fn case_fields(input in text()) {
        if let Ok(label) = CaseLabel::parse(&input) {
            let shown = label.as_str();
            prop_assert!(!shown.is_empty() && shown.chars().count() <= MAX_CASE_LABEL_CHARS);
            prop_assert!(clean_line(shown) && shown.trim() == shown);
            prop_assert_eq!(CaseLabel::parse(shown).unwrap(), label);
        }
        if let Ok(name) = FirstName::parse(&input) {
            prop_assert!(name.as_str().chars().count() <= MAX_PARTNER_NAME_CHARS && clean_line(name.as_str()));
            prop_assert_eq!(FirstName::parse(name.as_str()).unwrap(), name);
        }
        if let Ok(Some(last)) = parse_last_name(&input) {
            prop_assert!(last.chars().count() <= MAX_PARTNER_NAME_CHARS && clean_line(&last));
            prop_assert_eq!(parse_last_name(&last).unwrap(), Some(last));
        }
        if let Ok(Some(pronouns)) = parse_pronouns(&input) {
            prop_assert!(pronouns.chars().count() <= MAX_PRONOUNS_CHARS && clean_line(&pronouns));
            prop_assert_eq!(parse_pronouns(&pronouns).unwrap(), Some(pronouns));
        }
    }

    #[test]
    fn one_line_text_refuses_hidden_characters(
        before in tricky_text(20),
        hidden in prop::sample::select(vec!['\0', '\u{1}', '\u{1b}', '\u{7f}', '\u{202E}', '\u{2066}', '\u{200B}', '\u{FEFF}']),
        after in tricky_text(20),
    ) {
        let text = format!("x{before}{hidden}{after}x");
        prop_assert!(plain_text(&text, false).is_err());
        prop_assert!(PersonName::parse(&text).is_err());
        prop_assert!(CaseLabel::parse(&text).is_err());
        prop_assert!(FirstName::parse(&text).is_err());
        prop_assert!(parse_pronouns(&text).is_err());
        prop_assert!(parse_wish_text(&text).is_err());
        prop_assert!(CrisisLine::parse(&text).is_err());
        let address = format!("a{hidden}b@example.org");
        prop_assert!(EmailAddress::parse(&address).is_err());
    }

    #[test]
    fn multi_line_text_refuses_nul(before in tricky_text(200), after in tricky_text(200)) {
        let text = format!("x{before}\0{after}x");
        prop_assert!(plain_text(&text, true).is_err());
        prop_assert!(TherapistNotes::parse(&text).is_err());
    }

    #[test]
    fn plain_text_and_notes(input in text()) {
        if let Ok(line) = plain_text(&input, false) {
            prop_assert!(clean_line(line));
        }
        if let Ok(long) = plain_text(&input, true) {
            prop_assert!(!long.contains('\0'));
        }
        if let Ok(notes) = TherapistNotes::parse(&input) {
            prop_assert!(notes.as_str().chars().count() <= MAX_NOTES_CHARS && !notes.as_str().contains('\0'));
            prop_assert_eq!(TherapistNotes::parse(notes.as_str()).unwrap(), notes);
        }
    }

    #[test]
    fn wishes_and_crisis_lines(input in text(), number in any::<i16>()) {
        if let Ok(wish) = parse_wish_text(&input) {
            prop_assert!(!wish.is_empty() && wish.chars().count() <= MAX_WISH_CHARS && clean_line(&wish));
            prop_assert_eq!(parse_wish_text(&wish).unwrap(), wish);
        }
        if let Ok(line) = CrisisLine::parse(&input) {
            prop_assert!(line.as_str().chars().count() <= MAX_CRISIS_LINE_CHARS && clean_line(line.as_str()));
            prop_assert_eq!(CrisisLine::parse(line.as_str()).unwrap(), line);
        }
        if let Ok(Some(days)) = parse_reply_days(&input) {
            prop_assert!(REPLY_DAYS.contains(&days));
        }
        prop_assert_eq!(parse_importance(number).is_ok(), (1..=3).contains(&number));
        prop_assert_eq!(parse_ease(number).is_ok(), (1..=5).contains(&number));
        let days = parse_reply_days(&number.to_string());
        prop_assert_eq!(days.ok().flatten(), REPLY_DAYS.contains(&number).then_some(number));
    }

    #[test]
    fn scale_ranges(min in any::<i32>(), max in any::<i32>(), near_min in -120_i32..120, width in -5_i32..130) {
        for (min, max) in [(min, max), (near_min, near_min.saturating_add(width))] {
            let points = i64::from(max) - i64::from(min) + 1;
            match ScaleRange::parse(min, max) {
                Ok(range) => {
                    prop_assert_eq!((range.min(), range.max()), (min, max));
                    prop_assert!(-SCALE_LIMIT <= min && max <= SCALE_LIMIT);
                    prop_assert!((2..=MAX_SCALE_POINTS).contains(&points));
                    prop_assert_eq!(ScaleRange::clamped(min, max), range);
                }
                Err(_) => prop_assert!(
                    min.abs_diff(0) > SCALE_LIMIT as u32
                        || max.abs_diff(0) > SCALE_LIMIT as u32
                        || !(2..=MAX_SCALE_POINTS).contains(&points)
                ),
            }
            // What a page renders: always within the limits, never empty, never too many.
            let shown = ScaleRange::clamped(min, max);
            let count = shown.points().count() as i64;
            prop_assert!((1..=MAX_SCALE_POINTS).contains(&count));
            prop_assert!(-SCALE_LIMIT <= shown.min() && shown.max() <= SCALE_LIMIT);
        }
    }

    #[test]
    fn scale_answers(min in any::<i32>(), max in any::<i32>(), raw in prop_oneof![text(), any::<i64>().prop_map(|n| n.to_string())]) {
        let question = Question {
            key: "scale".into(),
            prompt: "How close?".into(),
            help: None,
            kind: QuestionKind::Scale { min, max, min_label: "far".into(), max_label: "close".into() },
            audience: Audience::Everyone,
            required: false,
        };
        if let Ok(Some(answer)) = parse_answer(&question, &raw) {
            let range = ScaleRange::clamped(min, max);
            prop_assert!(matches!(answer, super::answers::Answer::Scale(v) if range.points().contains(&v)));
            prop_assert_eq!(parse_answer(&question, &form_value(&answer)).unwrap(), Some(answer));
        }
    }

    #[test]
    fn text_answers(raw in text(), limit in 1_u32..500) {
        let question = Question {
            key: "words".into(),
            prompt: "Say it".into(),
            help: None,
            kind: QuestionKind::LongText { max_chars: limit },
            audience: Audience::Everyone,
            required: false,
        };
        if let Ok(Some(answer)) = parse_answer(&question, &raw) {
            let value = form_value(&answer);
            prop_assert!(value.chars().count() <= limit as usize && !value.contains('\0'));
            prop_assert_eq!(parse_answer(&question, &value).unwrap(), Some(answer));
        }
    }

    #[test]
    fn dates(input in prop_oneof![text(), date_like()], days in any::<i32>()) {
        if let Ok(date) = FormDate::parse(&input) {
            prop_assert!((FIRST_YEAR..=LAST_YEAR).contains(&date.date().year()));
            prop_assert_eq!(FormDate::parse(&date_text::field_date(&date.date())).unwrap(), date);
            // A week back and forth from any accepted date is still a date.
            prop_assert!(date.date().checked_sub_days(chrono::Days::new(7)).is_some());
        }
        if let Some(date) = NaiveDate::from_num_days_from_ce_opt(days) {
            prop_assert_eq!(FormDate::new(date).is_ok(), (FIRST_YEAR..=LAST_YEAR).contains(&date.year()));
        }
    }

    #[test]
    fn date_times(input in prop_oneof![text(), date_like().prop_map(|d| format!("{d}T12:30"))]) {
        if let Ok(at) = FormDateTime::parse(&input) {
            prop_assert!((FIRST_YEAR..=LAST_YEAR).contains(&at.date_time().year()));
            let again = date_text::field_date_time(&at.date_time());
            prop_assert_eq!(FormDateTime::parse(&again).unwrap(), at);
        }
    }

    #[test]
    fn page_numbers(input in prop_oneof![text(), any::<u64>().prop_map(|n| n.to_string()), "[0-9]{15,40}"], page in any::<u64>()) {
        let caseload = CaseloadPageNumber::from_query(&input);
        prop_assert!((1..=MAX_CASELOAD_PAGE).contains(&caseload.get()));
        prop_assert_eq!(caseload.index() + 1, caseload.get());
        prop_assert_eq!(CaseloadPageNumber::parse(page).is_ok(), (1..=MAX_CASELOAD_PAGE).contains(&page));
        let audit = AuditPageNumber::from_query(&input);
        prop_assert!((1..=MAX_AUDIT_PAGE).contains(&audit.get()));
        prop_assert_eq!(audit.index() + 1, audit.get());
        prop_assert_eq!(AuditPageNumber::clamped(page).get(), page.clamp(1, MAX_AUDIT_PAGE));
    }

    #[test]
    fn audit_filters(partner in text(), action in text(), from in prop_oneof![text(), date_like()], to in date_like()) {
        if let Ok(filter) = AuditFilter::parse(&partner, &action, &from, &to) {
            prop_assert!(filter.partner_id.is_none_or(|id| id > 0));
            prop_assert!(filter.action.as_deref().is_none_or(|a| a.len() <= 64 && a.is_ascii()));
            for date in [filter.from, filter.to].into_iter().flatten() {
                prop_assert!((FIRST_YEAR..=LAST_YEAR).contains(&date.year()));
            }
            if let (Some(from), Some(to)) = (filter.from, filter.to) {
                prop_assert!(from <= to);
            }
        }
    }

    #[test]
    fn second_factor_codes(input in prop_oneof![text(), "[0-9 -]{0,12}", "[a-zA-Z2-7 -]{15,30}"]) {
        match SecondFactorCode::parse(&input) {
            Ok(SecondFactorCode::Totp(digits)) => {
                prop_assert!(digits.len() == TOTP_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(SecondFactorCode::parse(&digits).unwrap(), SecondFactorCode::Totp(digits));
            }
            Ok(SecondFactorCode::Recovery(code)) => {
                prop_assert_eq!(code.len(), RECOVERY_CODE_CHARS);
                prop_assert!(code.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
                // As the page shows it: lower case in groups of five.
                let shown = grouped(&code.to_ascii_lowercase(), 5, '-');
                prop_assert_eq!(SecondFactorCode::parse(&shown).unwrap(), SecondFactorCode::Recovery(code));
            }
            Err(_) => {}
        }
    }

    #[test]
    fn passwords(input in prop_oneof![text(), tricky_text(140)], email in text()) {
        if let Ok(password) = Password::parse(&input, Some(email.as_str())) {
            let length = password.expose().chars().count();
            prop_assert!((MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&length));
            prop_assert!(!password.expose().trim().is_empty());
            let printed = format!("{password:?}");
            prop_assert!(!printed.contains(password.expose()));
        }
    }

    #[test]
    fn named_values(input in text()) {
        // Stored names parse back to themselves; anything else is refused, never a panic.
        for role in Role::ALL {
            prop_assert_eq!(Role::parse(role.as_str()).unwrap(), *role);
        }
        for status in CaseStatus::ALL {
            prop_assert_eq!(CaseStatus::parse(status.as_str()).unwrap(), *status);
        }
        for seeks in Seeks::ALL {
            prop_assert_eq!(Seeks::parse(seeks.as_str()).unwrap(), *seeks);
        }
        if let Ok(role) = Role::parse(&input) {
            prop_assert_eq!(role.as_str(), input.trim());
        }
        let _ = (CaseStatus::parse(&input), Seeks::parse(&input));
    }
}
