//! The words of outgoing emails. Emails never carry clinical content: a neutral sentence
//! and a link. Links that hold a secret are written as `{link}` and filled in only when the
//! email is sent, so the outbox never stores a usable token.

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

fn html_page(paragraphs: &[String], link_label: &str) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5;color:#1f2a2e\">{body}\
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
         {therapist_name} has invited you to Babysteps, where you can do the exercises they give you.\n\n\
         Open this link to set up your account:\n{LINK_PLACEHOLDER}\n\n\
         The link works once and expires in 7 days. If it has expired, ask {therapist_name} for a new one.\n"
    );
    let html = html_page(
        &[
            format!("Hello {},", escape_html(partner_first_name)),
            format!(
                "{} has invited you to Babysteps, where you can do the exercises they give you.",
                escape_html(therapist_name)
            ),
            format!(
                "The link works once and expires in 7 days. If it has expired, ask {} for a new one.",
                escape_html(therapist_name)
            ),
        ],
        "Set up my account",
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

/// Fills the link placeholder in a stored body.
pub fn with_link(body: &str, link: &str) -> String {
    body.replace(LINK_PLACEHOLDER, link)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn links_are_filled_in() {
        assert_eq!(with_link("go to {link} now", "https://x/join/t"), "go to https://x/join/t now");
    }
}
