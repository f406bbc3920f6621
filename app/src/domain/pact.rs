//! Step 5's request for one more guided conversation: a partner asks, the therapist marks
//! it as held on a date, and a partner cannot confirm the pact while their own request is
//! still open. A partner may ask again after a conversation was held.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Where one partner's request for one more conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConversationRequest {
    /// They have not asked (or not since the last one was held and they have not asked again).
    NotAsked,
    /// They asked, and the therapist has not marked it as held yet.
    Open {
        /// When they asked.
        asked_at: DateTime<Utc>,
    },
    /// The therapist held it on this date.
    Held {
        /// When it was held.
        on: NaiveDate,
    },
}

/// A move on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationMove {
    /// The partner asks for one more conversation.
    Ask(DateTime<Utc>),
    /// The therapist marks it as held on a date.
    MarkHeld(NaiveDate),
}

/// Why a move was refused, in words for the person who tried it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused(pub &'static str);

/// What the partner reads when they try to confirm with their own request open.
pub const CONFIRM_WHILE_OPEN: &str = "You asked for one more conversation first. Once your \
    therapist has marked it as held, you can confirm the pact.";

impl ConversationRequest {
    /// Reads the stored columns: when the partner last asked, and when it was last held.
    pub fn from_stored(asked_at: Option<DateTime<Utc>>, held_on: Option<NaiveDate>) -> Self {
        match (asked_at, held_on) {
            (Some(asked_at), None) => ConversationRequest::Open { asked_at },
            (_, Some(on)) => ConversationRequest::Held { on },
            (None, None) => ConversationRequest::NotAsked,
        }
    }

    /// The columns to store: `(asked_at, held_on)`; `asked_at` of a held request is kept.
    pub fn to_stored(
        self,
        previous_asked_at: Option<DateTime<Utc>>,
    ) -> (Option<DateTime<Utc>>, Option<NaiveDate>) {
        match self {
            ConversationRequest::NotAsked => (None, None),
            ConversationRequest::Open { asked_at } => (Some(asked_at), None),
            ConversationRequest::Held { on } => (previous_asked_at, Some(on)),
        }
    }

    /// True while the therapist has not marked the request as held.
    pub fn is_open(self) -> bool {
        matches!(self, ConversationRequest::Open { .. })
    }

    /// The state after `next`, or why it is refused. Asking again while a request is open
    /// changes nothing (the first request stands); marking as held needs an open request.
    pub fn apply(self, next: ConversationMove) -> Result<Self, Refused> {
        match (self, next) {
            (ConversationRequest::Open { .. }, ConversationMove::Ask(_)) => Ok(self),
            (_, ConversationMove::Ask(asked_at)) => Ok(ConversationRequest::Open { asked_at }),
            (ConversationRequest::Open { .. }, ConversationMove::MarkHeld(on)) => {
                Ok(ConversationRequest::Held { on })
            }
            (ConversationRequest::NotAsked, ConversationMove::MarkHeld(_)) => {
                Err(Refused("This partner has not asked for one more conversation."))
            }
            (ConversationRequest::Held { .. }, ConversationMove::MarkHeld(_)) => {
                Err(Refused("This conversation is already marked as held."))
            }
        }
    }

    /// Whether the partner may confirm the pact now.
    pub fn may_confirm(self) -> Result<(), Refused> {
        if self.is_open() {
            Err(Refused(CONFIRM_WHILE_OPEN))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn asked() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    /// Every state and every move, with the outcome expected.
    #[test]
    fn the_transition_table() {
        let later = asked() + chrono::Duration::days(3);
        let open = ConversationRequest::Open { asked_at: asked() };
        let held = ConversationRequest::Held { on: day(26) };
        let table = [
            (ConversationRequest::NotAsked, ConversationMove::Ask(asked()), Ok(open)),
            (ConversationRequest::NotAsked, ConversationMove::MarkHeld(day(26)), Err(())),
            (open, ConversationMove::Ask(later), Ok(open)),
            (open, ConversationMove::MarkHeld(day(26)), Ok(held)),
            (held, ConversationMove::Ask(later), Ok(ConversationRequest::Open { asked_at: later })),
            (held, ConversationMove::MarkHeld(day(27)), Err(())),
        ];
        for (state, next, expected) in table {
            assert_eq!(state.apply(next).map_err(|_| ()), expected, "{state:?} + {next:?}");
        }
    }

    #[test]
    fn only_an_open_request_holds_back_the_pact() {
        assert!(ConversationRequest::NotAsked.may_confirm().is_ok());
        assert_eq!(
            ConversationRequest::Open { asked_at: asked() }.may_confirm(),
            Err(Refused(CONFIRM_WHILE_OPEN))
        );
        assert!(ConversationRequest::Held { on: day(26) }.may_confirm().is_ok());
    }

    #[test]
    fn stored_columns_round_trip() {
        for state in [
            ConversationRequest::NotAsked,
            ConversationRequest::Open { asked_at: asked() },
            ConversationRequest::Held { on: day(26) },
        ] {
            let (asked_at, held_on) = state.to_stored(Some(asked()));
            assert_eq!(ConversationRequest::from_stored(asked_at, held_on), state);
        }
    }
}
