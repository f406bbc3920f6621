//! The words of outgoing emails. Emails never carry clinical content: a neutral sentence
//! and a link. What an inbox shows of a client's email — the subject and the start of the
//! text, and the hidden preview line of the HTML — holds no treatment word
//! ([`crate::domain::follow_up::TREATMENT_WORDS`]). Links that hold a secret are written as
//! `{link}` and filled in only when the email is sent, so the outbox never stores a usable
//! token.

/// The placeholder for a link minted at send time.
pub const LINK_PLACEHOLDER: &str = "{link}";

/// Subject, plain-text body and HTML body of one email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailContent {
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// The subject of every automatic email to a client, and the preview line of every client
/// email's HTML: it says nothing of treatment.
pub const CLIENT_SUBJECT: &str = "Something new in Babysteps";

/// Why Babysteps writes to a client on its own. Each is one neutral sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientNotice {
    /// Homework was assigned to them.
    NewAssignment,
    /// Homework is due tomorrow.
    DueTomorrow,
    /// Homework is past its due date.
    Overdue,
    /// The weekly check-in is open.
    CheckIn,
    /// The therapist commented on their answers.
    Comment,
    /// The other partner shared a submission with them.
    PartnerShared,
    /// The therapist replied to their private note.
    NoteReply,
    /// Something changed in their exchange (for instance, a yes was taken back).
    ExchangeUpdate,
}

impl ClientNotice {
    /// Every notice.
    pub const ALL: [ClientNotice; 8] = [
        ClientNotice::NewAssignment,
        ClientNotice::DueTomorrow,
        ClientNotice::Overdue,
        ClientNotice::CheckIn,
        ClientNotice::Comment,
        ClientNotice::PartnerShared,
        ClientNotice::NoteReply,
        ClientNotice::ExchangeUpdate,
    ];

    /// The neutral sentence the email carries.
    pub fn sentence(self) -> &'static str {
        match self {
            ClientNotice::NewAssignment => "Something new is waiting for you in Babysteps.",
            ClientNotice::DueTomorrow => "Something in Babysteps is due tomorrow.",
            ClientNotice::Overdue => "Something in Babysteps is still waiting for you.",
            ClientNotice::CheckIn => "This week's check-in is open in Babysteps.",
            ClientNotice::Comment => "There is a new comment for you in Babysteps.",
            ClientNotice::PartnerShared => "Your partner shared something with you in Babysteps.",
            ClientNotice::NoteReply => "There is a new message for you in Babysteps.",
            ClientNotice::ExchangeUpdate => "There is an update for you in Babysteps.",
        }
    }

    /// Where the link leads in the app: the check-in, or the start page, which takes a
    /// signed-in client to their own home. Never a path that names treatment: a link's
    /// address shows in the text of the email.
    pub fn path(self) -> &'static str {
        match self {
            ClientNotice::CheckIn => "/check-in",
            ClientNotice::NoteReply => "/private-note",
            _ => "/",
        }
    }
}

/// Escapes text for HTML.
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// The hidden first line of an HTML email, which inboxes show as its preview.
fn preheader(text: &str) -> String {
    format!(
        "<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all\">{}</div>",
        escape_html(text)
    )
}

fn html_page(preview: &str, paragraphs: &[String], link_label: &str) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    let preview = preheader(preview);
    format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5;color:#1f2a2e\">{preview}{body}\
         <p><a href=\"{LINK_PLACEHOLDER}\" style=\"display:inline-block;padding:10px 16px;background:#2f6f6a;\
         color:#ffffff;text-decoration:none;border-radius:6px\">{link_label}</a></p>\
         <p style=\"color:#4a585e;font-size:14px\">If the button does not work, copy this address into your browser: \
         {LINK_PLACEHOLDER}</p></body></html>"
    )
}

/// The invitation for a partner to join Babysteps.
pub fn invitation(partner_first_name: &str, therapist_name: &str) -> EmailContent {
    let subject = "Your invitation to Babysteps".to_owned();
    let text = format!(
        "Hello {partner_first_name},\n\n\
         {therapist_name} has invited you to join Babysteps.\n\n\
         Open this link to set up your account:\n{LINK_PLACEHOLDER}\n\n\
         The link works once and expires in 7 days. If it has expired, ask {therapist_name} for a new one.\n"
    );
    let html = html_page(
        &subject,
        &[
            format!("Hello {},", escape_html(partner_first_name)),
            format!("{} has invited you to join Babysteps.", escape_html(therapist_name)),
            format!(
                "The link works once and expires in 7 days. If it has expired, ask {} for a new one.",
                escape_html(therapist_name)
            ),
        ],
        "Set up my account",
    );
    EmailContent { subject, text, html }
}

/// Asks a therapist who signed up to confirm their email. The link works once, for
/// `hours` hours; the page it opens asks for the password chosen at sign-up.
pub fn confirm_sign_up(name: &str, hours: i64) -> EmailContent {
    let subject = "Confirm your email for Babysteps".to_owned();
    let text = format!(
        "Hello {name},\n\n\
         Someone (we hope you) created a therapist account in Babysteps with this email address.\n\n\
         Open this link and enter the password you chose to confirm it:\n{LINK_PLACEHOLDER}\n\n\
         The link works once and expires in {hours} hours. Until the address is confirmed, nothing is \
         sent from the account to anyone. If it was not you, ignore this email.\n"
    );
    let html = html_page(
        &subject,
        &[
            format!("Hello {},", escape_html(name)),
            "Someone (we hope you) created a therapist account in Babysteps with this email address. \
             Open the link and enter the password you chose to confirm it."
                .to_owned(),
            format!(
                "The link works once and expires in {hours} hours. Until the address is confirmed, nothing \
                 is sent from the account to anyone. If it was not you, ignore this email."
            ),
        ],
        "Confirm my email",
    );
    EmailContent { subject, text, html }
}

/// Tells the owner of an existing account that someone tried to sign up with their address
/// (the sign-up page answers the same either way). No secret: `{link}` is the app's address.
pub fn sign_up_attempted() -> EmailContent {
    let subject = "Someone tried to sign up with your address".to_owned();
    let text = format!(
        "Hello,\n\n\
         Someone tried to create a Babysteps account with this email address, which already has one.\n\n\
         If it was you, sign in:\n{LINK_PLACEHOLDER}/sign-in\n\n\
         or reset your password:\n{LINK_PLACEHOLDER}/forgot-password\n\n\
         If it was not you, you can ignore this email; nothing has changed.\n"
    );
    let html = html_page(
        &subject,
        &[
            "Hello,".to_owned(),
            "Someone tried to create a Babysteps account with this email address, which already has one."
                .to_owned(),
            format!(
                "If it was you, sign in, or <a href=\"{LINK_PLACEHOLDER}/forgot-password\">reset your password</a>. \
                 If it was not you, you can ignore this email; nothing has changed."
            ),
        ],
        "Sign in",
    )
    .replace(&format!("href=\"{LINK_PLACEHOLDER}\""), &format!("href=\"{LINK_PLACEHOLDER}/sign-in\""))
    .replace(&format!("browser: {LINK_PLACEHOLDER}"), &format!("browser: {LINK_PLACEHOLDER}/sign-in"));
    EmailContent { subject, text, html }
}

/// The operator's invitation to a new therapist: a single-use link to choose their name and
/// password, valid for `days` days.
pub fn therapist_invitation(days: i64) -> EmailContent {
    let subject = "Your Babysteps account is ready".to_owned();
    let text = format!(
        "Hello,\n\n\
         A therapist account in Babysteps was created for this email address.\n\n\
         Open this link to choose your name and password:\n{LINK_PLACEHOLDER}\n\n\
         The link works once and expires in {days} days.\n"
    );
    let html = html_page(
        &subject,
        &[
            "Hello,".to_owned(),
            "A therapist account in Babysteps was created for this email address.".to_owned(),
            format!("The link works once and expires in {days} days."),
        ],
        "Set up my account",
    );
    EmailContent { subject, text, html }
}

/// A link to choose a new password, after someone asked on the "forgot your password"
/// page. Neutral like every email: it says nothing of what the account is for.
pub fn password_reset(name: &str) -> EmailContent {
    let subject = "Your Babysteps password".to_owned();
    let text = format!(
        "Hello {name},\n\n\
         Someone asked to choose a new password for your Babysteps account.\n\n\
         Open this link to choose a new password:\n{LINK_PLACEHOLDER}\n\n\
         The link works once and expires in 30 minutes. If you did not ask, you can ignore this email: \
         your password stays as it is.\n"
    );
    let html = html_page(
        &subject,
        &[
            format!("Hello {},", escape_html(name)),
            "Someone asked to choose a new password for your Babysteps account.".to_owned(),
            "The link works once and expires in 30 minutes. If you did not ask, you can ignore this email: \
             your password stays as it is."
                .to_owned(),
        ],
        "Choose a new password",
    );
    EmailContent { subject, text, html }
}

/// Tells the therapist there is news on a case (both partners confirmed step 5), with a
/// link to the case page and no clinical content. For emails without a secret, the worker
/// fills `{link}` with the app's address, so the link here is `{link}/cases/<id>`.
pub fn case_update(therapist_name: &str, case_id: i32) -> EmailContent {
    let subject = "An update on one of your cases".to_owned();
    let text = format!(
        "Hello {therapist_name},\n\n\
         There is an update on one of your cases in Babysteps: both partners have completed a step.\n\n\
         Open the case:\n{LINK_PLACEHOLDER}/cases/{case_id}\n"
    );
    let html = html_page(
        &subject,
        &[
            format!("Hello {},", escape_html(therapist_name)),
            "There is an update on one of your cases in Babysteps: both partners have completed a step."
                .to_owned(),
        ],
        "Open the case",
    )
    .replace(&format!("href=\"{LINK_PLACEHOLDER}\""), &format!("href=\"{LINK_PLACEHOLDER}/cases/{case_id}\""))
    .replace(
        &format!("browser: {LINK_PLACEHOLDER}"),
        &format!("browser: {LINK_PLACEHOLDER}/cases/{case_id}"),
    );
    EmailContent { subject, text, html }
}

/// Tells the therapist at once that a client wrote them a private note: one neutral
/// sentence and a link to the case, never the note, its writer or whether it is urgent.
pub fn new_private_message(therapist_name: &str, case_id: i32) -> EmailContent {
    let subject = "You have a new message in Babysteps".to_owned();
    let path = format!("/cases/{case_id}");
    let text = format!(
        "Hello {therapist_name},\n\nYou have a new message in Babysteps.\n\nOpen the case:\n{LINK_PLACEHOLDER}{path}\n"
    );
    let html = html_page(
        &subject,
        &[
            format!("Hello {},", escape_html(therapist_name)),
            "You have a new message in Babysteps.".to_owned(),
        ],
        "Open the case",
    )
    .replace(&format!("href=\"{LINK_PLACEHOLDER}\""), &format!("href=\"{LINK_PLACEHOLDER}{path}\""))
    .replace(&format!("browser: {LINK_PLACEHOLDER}"), &format!("browser: {LINK_PLACEHOLDER}{path}"));
    EmailContent { subject, text, html }
}

/// An automatic email to a client: the neutral subject, a neutral sentence and a link into
/// the app.
pub fn client_notice(first_name: &str, notice: ClientNotice) -> EmailContent {
    notice_email(first_name, notice.sentence(), notice.path(), CLIENT_SUBJECT)
}

/// An automatic email to the therapist: the sentence is the subject, with a link into the
/// app (`path`).
pub fn therapist_notice(therapist_name: &str, sentence: &str, path: &str) -> EmailContent {
    notice_email(therapist_name, sentence, path, sentence.trim_end_matches('.'))
}

fn notice_email(name: &str, sentence: &str, path: &str, subject: &str) -> EmailContent {
    let text = format!(
        "Hello {name},\n\n{sentence}\n\nOpen Babysteps:\n{LINK_PLACEHOLDER}{path}\n\n\
         You can turn these reminders off in Babysteps under Settings.\n"
    );
    let html = html_page(
        subject,
        &[
            format!("Hello {},", escape_html(name)),
            escape_html(sentence),
            "You can turn these reminders off in Babysteps under Settings.".to_owned(),
        ],
        "Open Babysteps",
    )
    .replace(&format!("href=\"{LINK_PLACEHOLDER}\""), &format!("href=\"{LINK_PLACEHOLDER}{path}\""))
    .replace(&format!("browser: {LINK_PLACEHOLDER}"), &format!("browser: {LINK_PLACEHOLDER}{path}"));
    EmailContent { subject: subject.to_owned(), text, html }
}

/// The therapist's daily digest: how many submissions arrived, and a link to the caseload.
pub fn digest(therapist_name: &str, count: usize) -> EmailContent {
    let sentence = match count {
        1 => "One piece of homework was submitted in the last day.".to_owned(),
        n => format!("{n} pieces of homework were submitted in the last day."),
    };
    therapist_notice(therapist_name, &sentence, "/caseload")
}

/// A follow-up the therapist wrote (already rendered, its subject and start checked with
/// [`crate::domain::follow_up::inbox_warning`]), with their signature and, when times were
/// proposed, one link per time.
pub fn follow_up(subject: &str, body: &str, signature: &str, times: &[(String, String)]) -> EmailContent {
    let mut text = body.trim_end().to_owned();
    if !times.is_empty() {
        text.push_str("\n\nChoose a time that suits you:\n");
        for (label, link) in times {
            text.push_str(&format!("- {label}: {link}\n"));
        }
    }
    if !signature.trim().is_empty() {
        text.push_str(&format!("\n\n{}", signature.trim()));
    }
    text.push('\n');
    let paragraphs: String =
        body.split("\n\n").map(|p| format!("<p>{}</p>", escape_html(p).replace('\n', "<br>"))).collect();
    let links: String = if times.is_empty() {
        String::new()
    } else {
        let items: String = times
            .iter()
            .map(|(label, link)| {
                format!("<li><a href=\"{}\">{}</a></li>", escape_html(link), escape_html(label))
            })
            .collect();
        format!("<p>Choose a time that suits you:</p><ul>{items}</ul>")
    };
    let signature_html = if signature.trim().is_empty() {
        String::new()
    } else {
        format!("<p>{}</p>", escape_html(signature.trim()).replace('\n', "<br>"))
    };
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5;color:#1f2a2e\">\
         {}{paragraphs}{links}{signature_html}</body></html>",
        preheader(CLIENT_SUBJECT)
    );
    EmailContent { subject: subject.to_owned(), text, html }
}

/// Tells the therapist a partner chose a consultation time (no clinical content).
pub fn time_chosen(therapist_name: &str, when: &str, case_id: i32) -> EmailContent {
    let mut content = case_update(therapist_name, case_id);
    content.subject = "A consultation time was chosen".to_owned();
    let sentence = format!("A client chose a consultation time: {when}.");
    content.text = content.text.replace(
        "There is an update on one of your cases in Babysteps: both partners have completed a step.",
        &sentence,
    );
    content.html = content.html.replace(
        "There is an update on one of your cases in Babysteps: both partners have completed a step.",
        &escape_html(&sentence),
    );
    content
}

/// The email that carries a calendar invitation for a chosen time. Its subject says only
/// when; the therapist's name is the sender's.
pub fn calendar_invitation(first_name: &str, therapist_name: &str, when: &str) -> EmailContent {
    let subject = format!("Booked: {when}");
    let text = format!(
        "Hello {first_name},\n\nYour time with {therapist_name} is booked for {when}.\n\
         The calendar invitation is attached.\n"
    );
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">{}<p>Hello {},</p>\
         <p>Your time with {} is booked for {}.</p><p>The calendar invitation is attached.</p></body></html>",
        preheader(CLIENT_SUBJECT),
        escape_html(first_name),
        escape_html(therapist_name),
        escape_html(when)
    );
    EmailContent { subject, text, html }
}

/// What a session's calendar email says: the session is booked, moved or cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionNotice {
    /// A new session was scheduled.
    Booked,
    /// A scheduled session moved to a new time.
    Moved,
    /// A scheduled session was cancelled.
    Cancelled,
}

/// The email that carries a scheduled session's calendar file: a neutral sentence saying
/// when, never what the session is about.
pub fn session_calendar(
    notice: SessionNotice,
    first_name: &str,
    therapist_name: &str,
    when: &str,
) -> EmailContent {
    let (subject, sentence) = match notice {
        SessionNotice::Booked => (
            format!("Booked: {when}"),
            format!("Your next appointment with {therapist_name} is booked for {when}."),
        ),
        SessionNotice::Moved => (
            format!("New time: {when}"),
            format!("Your next appointment with {therapist_name} has moved to {when}."),
        ),
        SessionNotice::Cancelled => (
            format!("Cancelled: {when}"),
            format!("Your appointment with {therapist_name} on {when} is cancelled."),
        ),
    };
    let text = format!("Hello {first_name},\n\n{sentence}\nThe calendar file is attached.\n");
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">{}<p>Hello {},</p>\
         <p>{}</p><p>The calendar file is attached.</p></body></html>",
        preheader(CLIENT_SUBJECT),
        escape_html(first_name),
        escape_html(&sentence)
    );
    EmailContent { subject, text, html }
}

/// The calendar entry's title for a chosen time: neutral, since calendars are often shared.
pub fn calendar_summary(therapist_name: &str) -> String {
    format!("Meeting with {therapist_name}")
}

/// An iCalendar (RFC 5545) event for a consultation of `minutes` from `starts_at`.
pub fn ics_event(
    uid: &str,
    starts_at: chrono::DateTime<chrono::Utc>,
    minutes: i64,
    summary: &str,
    organizer_email: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let stamp = |at: chrono::DateTime<chrono::Utc>| at.format("%Y%m%dT%H%M%SZ").to_string();
    let escape =
        |text: &str| text.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n");
    [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Babysteps//Consultations//EN".to_owned(),
        "METHOD:REQUEST".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{uid}"),
        format!("DTSTAMP:{}", stamp(now)),
        format!("DTSTART:{}", stamp(starts_at)),
        format!(
            "DTEND:{}",
            stamp(starts_at.checked_add_signed(chrono::Duration::minutes(minutes)).unwrap_or(starts_at))
        ),
        format!("SUMMARY:{}", escape(summary)),
        format!("ORGANIZER:mailto:{organizer_email}"),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ]
    .join("\r\n")
        + "\r\n"
}

/// Fills the link placeholder in a stored body.
pub fn with_link(body: &str, link: &str) -> String {
    body.replace(LINK_PLACEHOLDER, link)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::follow_up;

    #[test]
    fn invitation_is_neutral_and_escaped() {
        let email = invitation("Sam", "Dr <Ana> & Co");
        assert_eq!(email.subject, "Your invitation to Babysteps");
        assert!(email.text.contains("Dr <Ana> & Co"));
        assert!(email.html.contains("Dr &lt;Ana&gt; &amp; Co"));
        assert!(!email.html.contains("<Ana>"));
        assert!(email.text.contains(LINK_PLACEHOLDER) && email.html.contains(LINK_PLACEHOLDER));
        for clinical in ["therapy", "couple", "relationship", "intimacy", "homework"] {
            assert!(!email.subject.to_lowercase().contains(clinical));
        }
    }

    #[test]
    fn follow_ups_list_one_link_per_time_and_escape_html() {
        let email = follow_up(
            "Hi",
            "Hello <Sam>\n\nSee you",
            "Dr Ruiz",
            &[("Tue 1 Dec, 10:00".into(), "https://x/consult/1-a".into())],
        );
        assert!(email.text.contains("- Tue 1 Dec, 10:00: https://x/consult/1-a"));
        assert!(email.text.ends_with("Dr Ruiz\n"));
        assert!(
            email.html.contains("Hello &lt;Sam&gt;") && email.html.contains("href=\"https://x/consult/1-a\"")
        );
    }

    #[test]
    fn calendar_events_follow_rfc_5545() {
        use chrono::TimeZone;
        let at = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        let ics = ics_event("slot-1@babysteps", at, 50, "Consultation, Dr Ruiz", "ana@example.org", at);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("DTSTART:20261201T100000Z\r\n") && ics.contains("DTEND:20261201T105000Z\r\n"));
        assert!(ics.contains("SUMMARY:Consultation\\, Dr Ruiz"));
    }

    #[test]
    fn client_notices_are_neutral_and_link_into_the_app() {
        let email = client_notice("Sam", ClientNotice::DueTomorrow);
        assert_eq!(email.subject, CLIENT_SUBJECT);
        assert!(email.text.contains("{link}/\n") && email.html.contains("href=\"{link}/\""));
        assert!(client_notice("Sam", ClientNotice::CheckIn).text.contains("{link}/check-in"));
        let told = therapist_notice("Dr Ruiz", "A client submitted homework.", "/cases/3");
        assert_eq!(told.subject, "A client submitted homework");
    }

    /// Words that tell whoever glances at an inbox that someone is in treatment. Kept apart
    /// from [`follow_up::TREATMENT_WORDS`] on purpose: this test checks the words, not the
    /// checker.
    const TREATMENT_WORDS: &[&str] = &[
        "therapist",
        "therapy",
        "homework",
        "session",
        "consultation",
        "counsel",
        "clinical",
        "treatment",
        "exercise",
        "psycholog",
    ];

    /// Every kind of email a client can get, as Babysteps writes it.
    fn every_client_email() -> Vec<(String, EmailContent)> {
        let mut emails = vec![
            ("invitation".to_owned(), invitation("Sam", "Dr Ana Ruiz")),
            ("password reset".to_owned(), password_reset("Sam")),
        ];
        for notice in ClientNotice::ALL {
            emails.push((format!("{notice:?}"), client_notice("Sam", notice)));
        }
        let (_, subject, body) = follow_up::BUILT_IN;
        let values = std::collections::BTreeMap::from([
            ("first_name", "Sam".to_owned()),
            ("therapist_name", "Dr Ana Ruiz".to_owned()),
            ("practice_name", "Ruiz Practice".to_owned()),
            ("progress_summary", follow_up::progress_summary(1, 5)),
            ("booking_link", "https://book.example.org/ruiz".to_owned()),
        ]);
        let (subject, body) =
            (follow_up::render(subject, &values).unwrap(), follow_up::render(body, &values).unwrap());
        let times = [("Tuesday 1 December 2026, 10:00".to_owned(), "{link}/consult/1-a".to_owned())];
        emails.push(("built-in follow-up".to_owned(), follow_up(&subject, &body, "Dr Ana Ruiz", &times)));
        emails.push((
            "calendar invitation".to_owned(),
            calendar_invitation("Sam", "Dr Ana Ruiz", "Tuesday 1 December 2026, 10:00 (CET)"),
        ));
        emails
    }

    #[test]
    fn what_an_inbox_shows_of_any_client_email_is_neutral() {
        for (kind, email) in every_client_email() {
            let first_line = email.text.lines().find(|line| !line.trim().is_empty()).unwrap_or("");
            let preview: String =
                email.text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(140).collect();
            // The HTML's first text (a hidden preview line, or the first paragraph).
            let body_start = email.html.split("<body").nth(1).unwrap_or("");
            let html_first: String = body_start
                .split('>')
                .skip(1)
                .find(|t| !t.starts_with('<'))
                .unwrap_or("")
                .chars()
                .take(140)
                .collect();
            for (part, text) in [
                ("subject", email.subject.as_str()),
                ("first line", first_line),
                ("preview", &preview),
                ("HTML preview", &html_first),
            ] {
                let lower = text.to_lowercase();
                let found: Vec<_> = TREATMENT_WORDS.iter().filter(|word| lower.contains(**word)).collect();
                assert!(found.is_empty(), "the {kind} email's {part} says {found:?}: {text:?}");
            }
        }
    }

    #[test]
    fn the_calendar_entry_is_neutral() {
        let summary = calendar_summary("Dr Ana Ruiz");
        assert_eq!(follow_up::treatment_word(&summary), None);
    }

    #[test]
    fn a_new_private_message_says_nothing_but_where_to_look() {
        let email = new_private_message("Dr Ruiz", 7);
        assert_eq!(email.subject, "You have a new message in Babysteps");
        assert!(email.text.contains("{link}/cases/7") && email.html.contains("href=\"{link}/cases/7\""));
        assert!(!email.text.to_lowercase().contains("urgent"));
    }

    #[test]
    fn links_are_filled_in() {
        assert_eq!(with_link("go to {link} now", "https://x/join/t"), "go to https://x/join/t now");
    }
}
