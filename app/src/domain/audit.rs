//! The audit view's inputs, parsed once: which rows to show (partner, action, a range of
//! dates) and which page. Also whether a recorded request was allowed or refused.

use super::{dates::FormDate, stored_enum, InvalidInput};
use chrono::NaiveDate;

stored_enum! {
    /// Whether an audited request was allowed or refused.
    pub enum AuditOutcome {
        /// The request was carried out.
        Allowed => "allowed", "Allowed";
        /// The request was refused (401, 403 or 404).
        Refused => "refused", "Refused";
    }
}

/// The highest audit page number; later pages are this one.
pub const MAX_AUDIT_PAGE: u64 = 10_000;

/// An audit page number, from 1 to [`MAX_AUDIT_PAGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AuditPageNumber(u64);

impl AuditPageNumber {
    /// A page number from a form or an address: unreadable or 0 is page 1, anything past
    /// the last page allowed is that page.
    pub fn from_query(text: &str) -> Self {
        let text = text.trim();
        match text.parse::<u64>() {
            Ok(page) => Self::clamped(page),
            // Digits too many for a number are a page past the last.
            Err(_) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => Self(MAX_AUDIT_PAGE),
            Err(_) => Self(1),
        }
    }

    /// A page number as a number: 0 is page 1, anything past the last page allowed is that
    /// page.
    pub fn clamped(page: u64) -> Self {
        Self(page.clamp(1, MAX_AUDIT_PAGE))
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

/// The longest stored action name (the column's width).
const MAX_ACTION_CHARS: usize = 64;

/// Which audit entries to show. Every part is optional; an empty form shows everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only entries concerning this partner.
    pub partner_id: Option<i32>,
    /// Only entries with this stored action name (e.g. `homework.saved`).
    pub action: Option<String>,
    /// Only entries on or after this day (in the therapist's time zone).
    pub from: Option<NaiveDate>,
    /// Only entries on or before this day (in the therapist's time zone).
    pub to: Option<NaiveDate>,
}

impl AuditFilter {
    /// Parses the filter form's fields (each may be empty). Returns the field a refusal
    /// belongs to with its message.
    pub fn parse(
        partner: &str,
        action: &str,
        from: &str,
        to: &str,
    ) -> Result<Self, (&'static str, InvalidInput)> {
        let partner_id = match partner.trim() {
            "" => None,
            text => Some(
                text.parse::<i32>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or(("partner", InvalidInput::new("Choose a partner from the list.")))?,
            ),
        };
        let action = match action.trim() {
            "" => None,
            text if text.len() <= MAX_ACTION_CHARS
                && text
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.') =>
            {
                Some(text.to_owned())
            }
            _ => return Err(("action", InvalidInput::new("Choose an action from the list."))),
        };
        let date = |field: &'static str, text: &str| match text.trim() {
            "" => Ok(None),
            text => FormDate::parse(text).map(|date| Some(date.date())).map_err(|error| (field, error)),
        };
        let (from, to) = (date("from", from)?, date("to", to)?);
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(("to", InvalidInput::new("The end date must be on or after the start date.")));
            }
        }
        Ok(Self { partner_id, action, from, to })
    }
}

/// How an action's stored name reads in the view and the CSV: `homework.review_opened`
/// becomes "homework: review opened".
pub fn action_label(stored: &str) -> String {
    stored.replacen('.', ": ", 1).replace(['_', '.'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_form_filters_nothing() {
        assert_eq!(AuditFilter::parse("", "", "", ""), Ok(AuditFilter::default()));
    }

    #[test]
    fn each_field_is_parsed() {
        let filter = AuditFilter::parse("7", "homework.saved", "2026-11-01", "2026-11-30").unwrap();
        assert_eq!(filter.partner_id, Some(7));
        assert_eq!(filter.action.as_deref(), Some("homework.saved"));
        assert_eq!(filter.from, NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(filter.to, NaiveDate::from_ymd_opt(2026, 11, 30));
    }

    #[test]
    fn bad_fields_are_refused_at_their_field() {
        assert_eq!(AuditFilter::parse("x", "", "", "").unwrap_err().0, "partner");
        assert_eq!(AuditFilter::parse("-1", "", "", "").unwrap_err().0, "partner");
        assert_eq!(AuditFilter::parse("", "DROP TABLE", "", "").unwrap_err().0, "action");
        assert_eq!(AuditFilter::parse("", &"a".repeat(65), "", "").unwrap_err().0, "action");
        assert_eq!(AuditFilter::parse("", "", "31/12/2026", "").unwrap_err().0, "from");
        assert_eq!(AuditFilter::parse("", "", "", "1999-12-31").unwrap_err().0, "to");
        assert_eq!(AuditFilter::parse("", "", "2026-12-02", "2026-12-01").unwrap_err().0, "to");
    }

    #[test]
    fn page_numbers_are_capped() {
        assert_eq!(AuditPageNumber::from_query("0").get(), 1);
        assert_eq!(AuditPageNumber::from_query("junk").get(), 1);
        assert_eq!(AuditPageNumber::from_query("3").index(), 2);
        assert_eq!(AuditPageNumber::from_query("99999999999999999999").get(), MAX_AUDIT_PAGE);
        assert_eq!(AuditPageNumber::clamped(u64::MAX).get(), MAX_AUDIT_PAGE);
        assert_eq!(AuditPageNumber::clamped(0).get(), 1);
    }

    #[test]
    fn actions_read_as_words() {
        assert_eq!(action_label("homework.review_opened"), "homework: review opened");
        assert_eq!(action_label("session.started"), "session: started");
    }
}
