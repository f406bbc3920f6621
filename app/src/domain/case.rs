//! The words of a couple case: what a partner seeks, the case's status and confidentiality
//! policy, and the limited texts a therapist types about a case.

use super::{has_control_chars, stored_enum, InvalidInput};
use serde::{Deserialize, Serialize};

/// Where a partner stands with their invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationState {
    /// Never invited.
    NotInvited,
    /// An invitation is waiting to be used.
    Invited,
    /// The last invitation expired unused.
    Expired,
    /// The last invitation was revoked.
    Revoked,
    /// The partner has joined.
    Joined,
    /// The therapist removed the partner from the case; their access has ended.
    Removed,
}

impl InvitationState {
    /// How the state reads in the caseload.
    pub fn label(self) -> &'static str {
        match self {
            InvitationState::NotInvited => "Not invited",
            InvitationState::Invited => "Invited",
            InvitationState::Expired => "Invitation expired",
            InvitationState::Revoked => "Invitation revoked",
            InvitationState::Joined => "Joined",
            InvitationState::Removed => "Removed from the case",
        }
    }
}

stored_enum! {
    /// What a partner wants more of. Never inferred from gender.
    pub enum Seeks {
        /// More emotional connection.
        Emotional => "emotional", "More emotional connection";
        /// More physical closeness.
        Physical => "physical", "More physical closeness";
        /// Not sure yet.
        Unsure => "unsure", "Not sure yet";
    }
}

/// The case form's warning when both partners seek the same kind of closeness: the Baby
/// Steps programme is written for a couple where one partner longs for more emotional
/// connection and the other for more physical closeness. `None` when they differ or either
/// is not sure yet.
pub fn same_kind_warning(a: Seeks, b: Seeks) -> Option<&'static str> {
    (a == b && a != Seeks::Unsure).then_some(
        "Both partners seek the same kind of closeness. Baby Steps assumes one of them wants \
         more emotional connection and the other more physical closeness; check this with \
         each partner, or choose \"Not sure yet\" for whoever is undecided.",
    )
}

stored_enum! {
    /// A case's stage in the caseload.
    pub enum CaseStatus {
        /// Work in progress.
        Active => "active", "Active";
        /// On hold for now.
        Paused => "paused", "Paused";
        /// Finished; accepts nothing new until reopened.
        Closed => "closed", "Closed";
    }
}

stored_enum! {
    /// What the therapist will do with something one partner tells them alone.
    pub enum ConfidentialityPolicy {
        /// Anything relevant to the couple may be brought into joint sessions.
        NoSecrets => "no_secrets", "No secrets";
        /// The therapist may keep some things private, with limits explained up front.
        LimitedSecrets => "limited_secrets", "Limited secrets";
    }
}

impl ConfidentialityPolicy {
    /// The explanation shown to clients when they join.
    pub fn explanation(self) -> &'static str {
        match self {
            ConfidentialityPolicy::NoSecrets => {
                "Your therapist works with the two of you together. Anything you tell your therapist \
                 on your own that matters to your relationship may be brought into your joint work. \
                 Your written answers stay private from your partner until you choose to share them."
            }
            ConfidentialityPolicy::LimitedSecrets => {
                "Your therapist may keep some things you tell them on your own private, and will \
                 explain the limits of that with you. Your written answers stay private from your \
                 partner until you choose to share them."
            }
        }
    }

    /// One sentence on what happens to what a partner tells the therapist alone (a private
    /// note, a check-in note) under this policy, with the safety exception. The app never
    /// shows it to the other partner; the policy says what the therapist may do with it.
    pub fn said_alone(self) -> &'static str {
        match self {
            ConfidentialityPolicy::NoSecrets => {
                "Your partner never sees this in Babysteps, but under your \"no secrets\" agreement \
                 your therapist may bring what you tell them alone into your joint sessions, and if \
                 anyone is at risk of harm they may have to act on it to keep people safe."
            }
            ConfidentialityPolicy::LimitedSecrets => {
                "Your partner never sees this in Babysteps, and under your \"limited secrets\" \
                 agreement your therapist may keep what you tell them alone private within the limits \
                 they explained, unless anyone is at risk of harm, when they may have to act on it to \
                 keep people safe."
            }
        }
    }
}

/// Parses an optional text of at most `max` characters: blank means none.
fn optional_text(input: &str, max: usize, what: &str) -> Result<Option<String>, InvalidInput> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(InvalidInput::new(format!("{what} can be at most {max} characters.")));
    }
    if has_control_chars(text, false) {
        return Err(InvalidInput::new(format!("{what} cannot contain control characters.")));
    }
    Ok(Some(text.to_owned()))
}

/// Most characters in a case label.
pub const MAX_CASE_LABEL_CHARS: usize = 120;
/// Most characters in a partner's first or last name: both, with a space between, fit the
/// display name of the client account made when the partner joins.
pub const MAX_PARTNER_NAME_CHARS: usize = 49;
// Both names and the space between them: 2 × 49 + 1 ≤ 100.
const _: () = assert!(2 * MAX_PARTNER_NAME_CHARS < super::MAX_NAME_CHARS);
/// Most characters in a partner's pronouns.
pub const MAX_PRONOUNS_CHARS: usize = 40;
/// Most characters in the therapist's notes on a case.
pub const MAX_NOTES_CHARS: usize = 20_000;

/// The highest caseload page anyone can ask for: far beyond any caseload, and small enough
/// that a page's offset (at most 100 rows a page) never overflows anywhere.
pub const MAX_CASELOAD_PAGE: u64 = 100_000;

/// A caseload page number, from 1 to 100,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseloadPageNumber(u64);

impl CaseloadPageNumber {
    /// Accepts a page from 1 to 100,000.
    pub fn parse(page: u64) -> Result<Self, InvalidInput> {
        if (1..=MAX_CASELOAD_PAGE).contains(&page) {
            Ok(Self(page))
        } else {
            Err(InvalidInput::new("Choose a page from 1 to 100,000."))
        }
    }

    /// A page number from an address (`?page=`): unreadable or 0 is page 1, anything past
    /// the last possible page is that page.
    pub fn from_query(text: &str) -> Self {
        Self(text.trim().parse::<u64>().unwrap_or(1).clamp(1, MAX_CASELOAD_PAGE))
    }

    /// The page, from 1.
    pub fn get(self) -> u64 {
        self.0
    }

    /// The page counted from 0, as the database paginates.
    pub fn index(self) -> u64 {
        self.0 - 1
    }
}

/// How the therapist names a case in their caseload, e.g. "Alex & Sam".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLabel(String);

impl CaseLabel {
    /// Parses a label of 1 to 120 characters.
    pub fn parse(input: &str) -> Result<Self, InvalidInput> {
        optional_text(input, MAX_CASE_LABEL_CHARS, "A case name")?
            .map(Self)
            .ok_or_else(|| InvalidInput::new("Give the case a name, for example \"Alex & Sam\"."))
    }

    /// The label.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A partner's first name (required) — what the app calls them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstName(String);

impl FirstName {
    /// Parses a first name of 1 to 49 characters.
    pub fn parse(input: &str) -> Result<Self, InvalidInput> {
        optional_text(input, MAX_PARTNER_NAME_CHARS, "A name")?
            .map(Self)
            .ok_or_else(|| InvalidInput::new("Enter a first name."))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An optional last name of at most 49 characters.
pub fn parse_last_name(input: &str) -> Result<Option<String>, InvalidInput> {
    optional_text(input, MAX_PARTNER_NAME_CHARS, "A last name")
}

/// Optional pronouns of at most 40 characters.
pub fn parse_pronouns(input: &str) -> Result<Option<String>, InvalidInput> {
    optional_text(input, MAX_PRONOUNS_CHARS, "Pronouns")
}

/// The therapist's private notes on a case (may be empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TherapistNotes(String);

impl TherapistNotes {
    /// Parses notes of at most 20,000 characters; newlines are kept.
    pub fn parse(input: &str) -> Result<Self, InvalidInput> {
        let notes = input.trim_end();
        if notes.chars().count() > MAX_NOTES_CHARS {
            return Err(InvalidInput::new(format!("Notes can be at most {MAX_NOTES_CHARS} characters.")));
        }
        if has_control_chars(notes, true) {
            return Err(InvalidInput::new("Notes cannot contain control characters."));
        }
        Ok(Self(notes.to_owned()))
    }

    /// The notes.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One tab of the therapist's case page, each at its own address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseTab {
    /// `/cases/:id`: where each partner is and what needs the therapist now.
    Overview,
    /// `/cases/:id/homework`: assignments, review links and the timeline.
    Homework,
    /// `/cases/:id/together`: wishes, agreements, check-ins and step 5.
    Together,
    /// `/cases/:id/notes`: the therapist's own notes and the partners' private notes.
    Notes,
    /// `/cases/:id/messages`: the follow-up composer and the case's emails.
    Messages,
}

impl CaseTab {
    /// Every tab, in the order the tab bar shows them.
    pub const ALL: [CaseTab; 5] =
        [CaseTab::Overview, CaseTab::Homework, CaseTab::Together, CaseTab::Notes, CaseTab::Messages];

    /// The name in the address and in a server call (empty for the overview).
    pub fn as_str(self) -> &'static str {
        match self {
            CaseTab::Overview => "",
            CaseTab::Homework => "homework",
            CaseTab::Together => "together",
            CaseTab::Notes => "notes",
            CaseTab::Messages => "messages",
        }
    }

    /// Reads a tab's name (empty or `overview` is the overview).
    pub fn parse(name: &str) -> Result<Self, InvalidInput> {
        match name.trim() {
            "" | "overview" => Ok(CaseTab::Overview),
            "homework" => Ok(CaseTab::Homework),
            "together" => Ok(CaseTab::Together),
            "notes" => Ok(CaseTab::Notes),
            "messages" => Ok(CaseTab::Messages),
            _ => Err(InvalidInput("Choose one of the case page's tabs.".to_owned())),
        }
    }

    /// The tab's name on the page.
    pub fn label(self) -> &'static str {
        match self {
            CaseTab::Overview => "Overview",
            CaseTab::Homework => "Homework",
            CaseTab::Together => "Together",
            CaseTab::Notes => "Notes",
            CaseTab::Messages => "Messages",
        }
    }

    /// The tab's address for case `case_id`.
    pub fn href(self, case_id: i32) -> String {
        match self {
            CaseTab::Overview => format!("/cases/{case_id}"),
            other => format!("/cases/{case_id}/{}", other.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for seeks in Seeks::ALL {
            assert_eq!(Seeks::parse(seeks.as_str()), Ok(*seeks));
        }
        for status in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(status.as_str()), Ok(*status));
        }
        for policy in ConfidentialityPolicy::ALL {
            assert_eq!(ConfidentialityPolicy::parse(policy.as_str()), Ok(*policy));
            assert!(!policy.explanation().is_empty());
            assert!(policy.said_alone().contains("at risk of harm"), "the safety exception");
            assert_eq!(policy.said_alone().matches(". ").count(), 0, "one sentence");
        }
        assert!(Seeks::parse("male").is_err());
        assert!(same_kind_warning(Seeks::Physical, Seeks::Physical).is_some());
        assert!(same_kind_warning(Seeks::Emotional, Seeks::Emotional).is_some());
        assert!(same_kind_warning(Seeks::Emotional, Seeks::Physical).is_none());
        assert!(same_kind_warning(Seeks::Unsure, Seeks::Unsure).is_none(), "not sure is not a kind");
        assert!(CaseStatus::parse("").is_err());
    }

    #[test]
    fn caseload_pages_are_bounded() {
        assert_eq!(CaseloadPageNumber::parse(1).unwrap().index(), 0);
        assert_eq!(CaseloadPageNumber::parse(MAX_CASELOAD_PAGE).unwrap().get(), 100_000);
        for page in [0, MAX_CASELOAD_PAGE + 1, 400_000_000_000_000_000, u64::MAX] {
            assert!(CaseloadPageNumber::parse(page).unwrap_err().0.contains("100,000"), "{page}");
        }
        // Offsets stay far from any integer limit: 100,000 pages of 100 rows.
        assert!(CaseloadPageNumber::parse(MAX_CASELOAD_PAGE).unwrap().index().checked_mul(100).is_some());
        assert_eq!(CaseloadPageNumber::from_query("400000000000000000").get(), MAX_CASELOAD_PAGE);
        assert_eq!(CaseloadPageNumber::from_query("-3").get(), 1);
        assert_eq!(CaseloadPageNumber::from_query("0").get(), 1);
        assert_eq!(CaseloadPageNumber::from_query("7").get(), 7);
    }

    #[test]
    fn labels_and_names_are_trimmed_and_bounded() {
        assert_eq!(CaseLabel::parse("  Alex & Sam ").unwrap().as_str(), "Alex & Sam");
        assert!(CaseLabel::parse("   ").is_err());
        assert!(CaseLabel::parse(&"x".repeat(121)).is_err());
        assert!(FirstName::parse("").is_err());
        assert!(FirstName::parse(&"y".repeat(50)).is_err());
        assert!(FirstName::parse(&"y".repeat(121)).is_err());
        assert!(FirstName::parse("Al\0ex").is_err());
        assert_eq!(parse_last_name("  ").unwrap(), None);
        assert_eq!(parse_pronouns(" they/them ").unwrap().as_deref(), Some("they/them"));
        assert!(parse_pronouns(&"z".repeat(41)).is_err());
    }

    #[test]
    fn notes_keep_newlines_but_not_control_characters() {
        assert_eq!(TherapistNotes::parse("line one\nline two\n\n").unwrap().as_str(), "line one\nline two");
        assert!(TherapistNotes::parse("bell \u{7}").is_err());
        assert!(TherapistNotes::parse(&"n".repeat(20_001)).is_err());
        assert_eq!(TherapistNotes::parse("").unwrap().as_str(), "");
    }

    #[test]
    fn case_tabs_read_their_own_names_and_nothing_else() {
        for tab in CaseTab::ALL {
            assert_eq!(CaseTab::parse(tab.as_str()).unwrap(), tab);
        }
        assert_eq!(CaseTab::parse("overview").unwrap(), CaseTab::Overview);
        assert!(CaseTab::parse("edit").is_err());
        assert!(CaseTab::parse("Notes").is_err());
        assert_eq!(CaseTab::Overview.href(7), "/cases/7");
        assert_eq!(CaseTab::Homework.href(7), "/cases/7/homework");
    }
}
