//! What's new for a therapist: the kinds of item the list holds.

use super::stored_enum;

stored_enum! {
    /// What happened.
    pub enum WhatsNewKind {
        /// A partner submitted homework (waiting for review).
        Submission => "submission", "Submitted";
        /// A partner shared a submission with the other partner.
        Share => "share", "Shared";
        /// A partner wrote a private note.
        PrivateNote => "private_note", "Private note";
        /// A partner chose a proposed consultation time.
        TimeChosen => "time_chosen", "Time chosen";
        /// An email about a case could not be delivered.
        EmailFailed => "email_failed", "Not delivered";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_from_their_stored_names() {
        for kind in WhatsNewKind::ALL {
            assert_eq!(WhatsNewKind::parse(kind.as_str()), Ok(*kind));
        }
        assert!(WhatsNewKind::parse("audit").is_err());
    }
}
