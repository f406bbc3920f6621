//! The words of homework: who an assignment is for, where a partner's answers stand, and
//! the rule that opens a programme's next step.

use super::stored_enum;

stored_enum! {
    /// Where a partner's answers to one assignment stand. `NotStarted` is never stored:
    /// it is what a partner without a response row has (the database refuses it).
    pub enum ResponseStatus {
        /// Nothing written yet.
        NotStarted => "not_started", "Not started";
        /// Written, not submitted.
        Draft => "draft", "Draft";
        /// Handed in, waiting for the therapist.
        Submitted => "submitted", "Submitted";
        /// The therapist has reviewed it.
        Reviewed => "reviewed", "Reviewed";
    }
}

impl ResponseStatus {
    /// Submitted or reviewed: the partner has done their part.
    pub fn is_done(self) -> bool {
        matches!(self, ResponseStatus::Submitted | ResponseStatus::Reviewed)
    }
}

stored_enum! {
    /// Who an assignment is for.
    pub enum Recipients {
        /// Both partners.
        Both => "both", "Both partners";
        /// Partner A only.
        PartnerA => "a", "Partner A only";
        /// Partner B only.
        PartnerB => "b", "Partner B only";
    }
}

impl Recipients {
    /// True when the partner at `position` (1 = A, 2 = B) receives the assignment.
    pub fn includes(self, position: i16) -> bool {
        match self {
            Recipients::Both => true,
            Recipients::PartnerA => position == 1,
            Recipients::PartnerB => position == 2,
        }
    }
}

/// Most characters in the reason the therapist gives for skipping a step.
pub const MAX_SKIP_REASON_CHARS: usize = 500;

/// The unlock rule: a programme's next step opens when every recipient of the previous
/// step has submitted it (or the therapist opens it early).
pub fn previous_step_complete(statuses: &[ResponseStatus]) -> bool {
    !statuses.is_empty() && statuses.iter().all(|status| status.is_done())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_unlocks_only_when_every_recipient_is_done() {
        use ResponseStatus::*;
        assert!(!previous_step_complete(&[]));
        assert!(!previous_step_complete(&[Submitted, Draft]));
        assert!(!previous_step_complete(&[Submitted, NotStarted]));
        assert!(previous_step_complete(&[Submitted, Reviewed]));
        assert!(previous_step_complete(&[Submitted]));
    }

    #[test]
    fn recipients_pick_partners_by_position() {
        assert!(Recipients::Both.includes(1) && Recipients::Both.includes(2));
        assert!(Recipients::PartnerA.includes(1) && !Recipients::PartnerA.includes(2));
        assert!(Recipients::PartnerB.includes(2) && !Recipients::PartnerB.includes(1));
        assert!(Recipients::parse("x").is_err());
    }

    #[test]
    fn stored_names_round_trip() {
        for status in ResponseStatus::ALL {
            assert_eq!(ResponseStatus::parse(status.as_str()), Ok(*status));
        }
        for recipients in Recipients::ALL {
            assert_eq!(Recipients::parse(recipients.as_str()), Ok(*recipients));
        }
    }
}
