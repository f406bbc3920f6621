//! Steps 3 and 4: the behaviour exchange as a state machine. A wish is one behaviour a
//! partner (the wisher) would like from the other (the addressee). The addressee answers
//! "yes", offers a smaller step, or says "not for now"; the wisher accepts an offer or asks
//! for a different one; either way an agreed wish becomes an agreement to practise.
//!
//! Before answering, the addressee may ask "what do you mean?"; the wisher may reword
//! their wish while it is unanswered, and the earlier wording stays in the thread.
//!
//! Consent can change: the giver of an agreement may make it smaller again (a new offer in
//! the same thread) or take their yes back at any time, without giving a reason.

use super::{stored_enum, InvalidInput};
use serde::{Deserialize, Serialize};

stored_enum! {
    /// Where a wish stands.
    pub enum WishState {
        /// Waiting for the addressee's answer.
        Open => "open", "Waiting for an answer";
        /// The addressee offered a smaller step; waiting for the wisher.
        OfferPending => "offer_pending", "A smaller step was offered";
        /// The wisher asked for a different smaller step; waiting for the addressee.
        DifferentAsked => "different_asked", "A different smaller step was asked for";
        /// The addressee said "not for now" (they may answer again later).
        NotNow => "not_now", "Not for now";
        /// Agreed: there is an agreement to practise.
        Agreed => "agreed", "Agreed";
        /// The wisher took it back.
        Withdrawn => "withdrawn", "Withdrawn";
        /// The addressee took back an earlier yes (they may answer again later).
        TakenBack => "taken_back", "The yes was taken back for now";
        /// The addressee asked what the wish means; waiting for the wisher to reword it (the
        /// addressee may still answer it as it stands).
        ClarifyAsked => "clarify_asked", "Asked what this means";
    }
}

stored_enum! {
    /// Where a smaller step offered on a wish stands.
    pub enum OfferStatus {
        /// Offered; waiting for the wisher.
        Proposed => "proposed", "waiting for an answer";
        /// The wisher accepted it.
        Accepted => "accepted", "accepted";
        /// The wisher asked for a different one.
        Declined => "declined", "a different step was asked for";
    }
}

/// Which partner is acting on a wish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The partner who made the wish.
    Wisher,
    /// The partner it is addressed to.
    Addressee,
}

/// What a partner does to a wish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WishAction {
    /// The addressee: "yes, I can do this".
    Yes,
    /// The addressee: "not yet — here is a smaller step I am willing to do".
    SmallerStep,
    /// The addressee: "not for now".
    NotNow,
    /// The wisher accepts the smaller step offered.
    AcceptOffer,
    /// The wisher asks for a different smaller step.
    AskDifferent,
    /// The wisher takes the wish back.
    Withdraw,
    /// The addressee takes back a yes they gave (no reason needed).
    TakeBack,
    /// The addressee asks "what do you mean?" on an unanswered wish.
    AskClarify,
    /// The wisher rewords their unanswered wish (the earlier wording is kept).
    Reword,
}

impl WishAction {
    /// Reads a submitted name (rewording has its own form, with the new words).
    pub fn parse(value: &str) -> Result<Self, InvalidInput> {
        match value {
            "yes" => Ok(WishAction::Yes),
            "smaller_step" => Ok(WishAction::SmallerStep),
            "not_now" => Ok(WishAction::NotNow),
            "accept_offer" => Ok(WishAction::AcceptOffer),
            "ask_different" => Ok(WishAction::AskDifferent),
            "withdraw" => Ok(WishAction::Withdraw),
            "take_back" => Ok(WishAction::TakeBack),
            "ask_clarify" => Ok(WishAction::AskClarify),
            _ => Err(InvalidInput::new("Choose what to do with this wish.")),
        }
    }

    /// Who may take this action.
    pub fn side(self) -> Side {
        match self {
            WishAction::Yes
            | WishAction::SmallerStep
            | WishAction::NotNow
            | WishAction::TakeBack
            | WishAction::AskClarify => Side::Addressee,
            WishAction::AcceptOffer
            | WishAction::AskDifferent
            | WishAction::Withdraw
            | WishAction::Reword => Side::Wisher,
        }
    }
}

/// The state after `action` by `side`, or why it is refused.
pub fn transition(state: WishState, side: Side, action: WishAction) -> Result<WishState, &'static str> {
    use WishAction as A;
    use WishState as S;
    if side != action.side() {
        return Err(match action.side() {
            Side::Addressee => "Only the partner this wish is for can answer it.",
            Side::Wisher => "Only the partner who made this wish can do that.",
        });
    }
    match (state, action) {
        (S::Withdrawn, _) => Err("This wish was withdrawn, so it can't be agreed or changed."),
        // The giver may make an agreement smaller again, or take the yes back.
        (S::Agreed, A::SmallerStep) => Ok(S::OfferPending),
        (S::Agreed, A::TakeBack) => Ok(S::TakenBack),
        (S::Agreed, A::NotNow) => Err("To step back from an agreement, take back your yes."),
        (S::Agreed, _) => Err("This wish is already agreed."),
        (_, A::TakeBack) => Err("There is no yes of yours to take back on this wish."),
        // Clarifying belongs to a wish nobody has answered yet.
        (S::Open, A::AskClarify) => Ok(S::ClarifyAsked),
        (S::ClarifyAsked, A::AskClarify) => Err("You have already asked what this wish means."),
        (_, A::AskClarify) => Err("You can ask what a wish means only before you answer it."),
        (S::Open | S::ClarifyAsked, A::Reword) => Ok(S::Open),
        (_, A::Reword) => Err("A wish can be reworded only while it is still unanswered."),
        (S::Open | S::ClarifyAsked | S::NotNow | S::DifferentAsked | S::TakenBack, A::Yes) => Ok(S::Agreed),
        (S::Open | S::ClarifyAsked | S::NotNow | S::DifferentAsked | S::TakenBack, A::SmallerStep) => {
            Ok(S::OfferPending)
        }
        (S::Open | S::ClarifyAsked | S::DifferentAsked, A::NotNow) => Ok(S::NotNow),
        (S::NotNow | S::TakenBack, A::NotNow) => Err("You have already said \"not for now\"."),
        (S::OfferPending, A::Yes | A::SmallerStep | A::NotNow) => {
            Err("Your smaller step is waiting for an answer from your partner.")
        }
        (S::OfferPending, A::AcceptOffer) => Ok(S::Agreed),
        (S::OfferPending, A::AskDifferent) => Ok(S::DifferentAsked),
        (_, A::AcceptOffer | A::AskDifferent) => Err("There is no smaller step waiting for your answer."),
        (_, A::Withdraw) => Ok(S::Withdrawn),
    }
}

/// True once the addressee has given a wish an answer (a wish still open, or waiting to
/// be clarified, is unanswered; a withdrawn wish no longer asks for one).
pub fn is_answered(state: WishState) -> bool {
    !matches!(state, WishState::Open | WishState::ClarifyAsked | WishState::Withdrawn)
}

/// The earlier wordings of a wish, oldest first, as stored (a JSON array of strings; an
/// unreadable value reads as none).
pub fn earlier_wordings(stored: &str) -> Vec<String> {
    serde_json::from_str(stored).unwrap_or_default()
}

/// The stored earlier wordings after `replaced` was reworded.
pub fn with_earlier_wording(stored: &str, replaced: &str) -> String {
    let mut wordings = earlier_wordings(stored);
    wordings.push(replaced.to_owned());
    serde_json::to_string(&wordings).unwrap_or_else(|_| stored.to_owned())
}

/// How far a partner is with the wishes addressed to them: `(answered, to answer)`, not
/// counting wishes their partner withdrew.
pub fn wishes_answered(states: &[WishState]) -> (usize, usize) {
    let asked: Vec<&WishState> = states.iter().filter(|s| **s != WishState::Withdrawn).collect();
    (asked.iter().filter(|s| is_answered(***s)).count(), asked.len())
}

/// True when every wish a partner made (not counting withdrawn ones) has been declined for
/// now ("not for now", or a yes taken back): at least one wish, none open, offered or agreed.
pub fn all_declined(states: &[WishState]) -> bool {
    let made: Vec<&WishState> = states.iter().filter(|s| **s != WishState::Withdrawn).collect();
    !made.is_empty() && made.iter().all(|s| matches!(s, WishState::NotNow | WishState::TakenBack))
}

/// Step 3 is complete for a partner when they have answered every wish addressed to them.
pub fn step_3_complete_for(states: &[WishState]) -> bool {
    let (answered, asked) = wishes_answered(states);
    answered == asked
}

/// Step 4 is complete when each partner has chosen at least one agreement from the other's
/// list: `practising` holds, per partner, how many agreements they give and practise.
pub fn step_4_complete(practising: &[usize]) -> bool {
    !practising.is_empty() && practising.iter().all(|n| *n > 0)
}

/// How a partner did with their part of an agreement in a week: `(stored name, label)`.
pub const PRACTICE_ANSWERS: &[(&str, &str)] =
    &[("done", "Done"), ("partly", "Partly"), ("not_yet", "Not yet")];

/// Most characters in a wish or an offer.
pub const MAX_WISH_CHARS: usize = 300;

/// Checks a wish's or an offer's text.
pub fn parse_wish_text(text: &str) -> Result<String, InvalidInput> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InvalidInput::new("Describe the behaviour in a few words."));
    }
    if text.chars().count() > MAX_WISH_CHARS {
        return Err(InvalidInput::new(format!("Keep it to {MAX_WISH_CHARS} characters or fewer.")));
    }
    if super::has_control_chars(text, false) {
        return Err(InvalidInput::new("This text contains characters we can't store."));
    }
    Ok(text.to_owned())
}

/// The key that says two step 1 list items are the same behaviour: case, spacing and
/// surrounding punctuation do not matter.
pub fn step_1_item_key(text: &str) -> String {
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    words.join(" ").trim_matches(|c: char| c.is_ascii_punctuation()).to_owned()
}

/// Checks how much a wish matters: 1 (a little) to 3 (a lot).
pub fn parse_importance(value: i16) -> Result<i16, InvalidInput> {
    if (1..=3).contains(&value) {
        Ok(value)
    } else {
        Err(InvalidInput::new("Choose how much it matters: 1, 2 or 3."))
    }
}

/// Checks how easy giving feels: 1 (hard) to 5 (easy).
pub fn parse_ease(value: i16) -> Result<i16, InvalidInput> {
    if (1..=5).contains(&value) {
        Ok(value)
    } else {
        Err(InvalidInput::new("Choose how easy it feels, from 1 (hard) to 5 (easy)."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_1_items_that_differ_only_in_case_spacing_or_end_punctuation_are_the_same() {
        assert_eq!(step_1_item_key("  Hold my hand\t on walks. "), "hold my hand on walks");
        assert_eq!(step_1_item_key("HOLD my hand on walks"), step_1_item_key("hold my hand on walks!"));
        assert_ne!(step_1_item_key("Hold my hand"), step_1_item_key("Hold my hand on walks"));
    }

    const STATES: [WishState; 8] = [
        WishState::Open,
        WishState::ClarifyAsked,
        WishState::OfferPending,
        WishState::DifferentAsked,
        WishState::NotNow,
        WishState::Agreed,
        WishState::Withdrawn,
        WishState::TakenBack,
    ];
    const ACTIONS: [WishAction; 9] = [
        WishAction::AskClarify,
        WishAction::Reword,
        WishAction::TakeBack,
        WishAction::Yes,
        WishAction::SmallerStep,
        WishAction::NotNow,
        WishAction::AcceptOffer,
        WishAction::AskDifferent,
        WishAction::Withdraw,
    ];

    /// Every allowed transition, and nothing else.
    fn allowed(state: WishState, action: WishAction) -> Option<WishState> {
        use WishAction as A;
        use WishState as S;
        Some(match (state, action) {
            (S::Open, A::AskClarify) => S::ClarifyAsked,
            (S::Open, A::Reword) | (S::ClarifyAsked, A::Reword) => S::Open,
            (S::Open, A::Yes)
            | (S::ClarifyAsked, A::Yes)
            | (S::NotNow, A::Yes)
            | (S::DifferentAsked, A::Yes)
            | (S::TakenBack, A::Yes) => S::Agreed,
            (S::Open, A::SmallerStep)
            | (S::ClarifyAsked, A::SmallerStep)
            | (S::NotNow, A::SmallerStep)
            | (S::DifferentAsked, A::SmallerStep)
            | (S::TakenBack, A::SmallerStep)
            | (S::Agreed, A::SmallerStep) => S::OfferPending,
            (S::Open, A::NotNow) | (S::ClarifyAsked, A::NotNow) | (S::DifferentAsked, A::NotNow) => S::NotNow,
            (S::OfferPending, A::AcceptOffer) => S::Agreed,
            (S::OfferPending, A::AskDifferent) => S::DifferentAsked,
            (S::Agreed, A::TakeBack) => S::TakenBack,
            (
                S::Open | S::ClarifyAsked | S::OfferPending | S::DifferentAsked | S::NotNow | S::TakenBack,
                A::Withdraw,
            ) => S::Withdrawn,
            _ => return None,
        })
    }

    #[test]
    fn every_transition_is_allowed_or_refused_as_specified() {
        for state in STATES {
            for action in ACTIONS {
                let result = transition(state, action.side(), action);
                assert_eq!(result.ok(), allowed(state, action), "{state:?} + {action:?}");
                if let Err(reason) = result {
                    assert!(!reason.is_empty());
                }
            }
        }
    }

    #[test]
    fn the_wrong_partner_is_always_refused() {
        for state in STATES {
            for action in ACTIONS {
                let wrong = match action.side() {
                    Side::Wisher => Side::Addressee,
                    Side::Addressee => Side::Wisher,
                };
                assert!(transition(state, wrong, action).is_err(), "{state:?} + {action:?} by {wrong:?}");
            }
        }
    }

    #[test]
    fn a_withdrawn_wish_cannot_be_agreed() {
        assert!(transition(WishState::Withdrawn, Side::Addressee, WishAction::Yes).is_err());
        assert!(transition(WishState::Withdrawn, Side::Wisher, WishAction::AcceptOffer).is_err());
    }

    #[test]
    fn a_yes_can_be_made_smaller_or_taken_back_by_the_giver_only() {
        assert_eq!(
            transition(WishState::Agreed, Side::Addressee, WishAction::TakeBack),
            Ok(WishState::TakenBack)
        );
        assert!(transition(WishState::Agreed, Side::Wisher, WishAction::TakeBack).is_err());
        assert_eq!(
            transition(WishState::Agreed, Side::Addressee, WishAction::SmallerStep),
            Ok(WishState::OfferPending)
        );
        assert_eq!(transition(WishState::TakenBack, Side::Addressee, WishAction::Yes), Ok(WishState::Agreed));
        assert!(transition(WishState::Open, Side::Addressee, WishAction::TakeBack).is_err());
    }

    #[test]
    fn a_wish_is_clarified_before_it_is_answered() {
        use WishAction as A;
        use WishState as S;
        assert_eq!(transition(S::Open, Side::Addressee, A::AskClarify), Ok(S::ClarifyAsked));
        assert!(transition(S::Open, Side::Wisher, A::AskClarify).is_err(), "the wisher cannot ask");
        assert_eq!(transition(S::ClarifyAsked, Side::Wisher, A::Reword), Ok(S::Open));
        assert!(transition(S::ClarifyAsked, Side::Addressee, A::Reword).is_err(), "only the wisher rewords");
        assert!(transition(S::NotNow, Side::Wisher, A::Reword).is_err(), "an answered wish keeps its words");
        assert!(!is_answered(S::ClarifyAsked), "asking what it means is not an answer");
        assert_eq!(WishAction::parse("ask_clarify"), Ok(A::AskClarify));
        assert!(WishAction::parse("reword").is_err(), "rewording has its own form");
    }

    #[test]
    fn earlier_wordings_are_kept_oldest_first() {
        let once = with_earlier_wording("[]", "Be nicer");
        let twice = with_earlier_wording(&once, "Say something kind at breakfast");
        assert_eq!(earlier_wordings(&twice), ["Be nicer", "Say something kind at breakfast"]);
        assert!(earlier_wordings("not json").is_empty());
    }

    #[test]
    fn step_3_is_complete_when_every_wish_is_answered() {
        use WishState as S;
        assert_eq!(wishes_answered(&[S::Open, S::Agreed, S::NotNow, S::Withdrawn]), (2, 3));
        assert!(!step_3_complete_for(&[S::Open, S::Agreed]));
        assert!(step_3_complete_for(&[S::OfferPending, S::DifferentAsked, S::TakenBack, S::Withdrawn]));
        assert!(step_3_complete_for(&[]), "nothing to answer is nothing left to answer");
    }

    #[test]
    fn every_wish_declined_needs_at_least_one_and_no_other_answer() {
        use WishState as S;
        assert!(all_declined(&[S::NotNow, S::TakenBack, S::Withdrawn]));
        assert!(!all_declined(&[S::NotNow, S::Agreed]));
        assert!(!all_declined(&[S::NotNow, S::Open]));
        assert!(!all_declined(&[S::Withdrawn]));
        assert!(!all_declined(&[]));
    }

    #[test]
    fn step_4_is_complete_when_each_partner_practises_one_agreement() {
        assert!(step_4_complete(&[1, 2]));
        assert!(!step_4_complete(&[1, 0]));
        assert!(!step_4_complete(&[]));
    }

    #[test]
    fn states_and_inputs_parse() {
        for state in STATES {
            assert_eq!(WishState::parse(state.as_str()), Ok(state));
        }
        assert!(WishAction::parse("hug").is_err());
        use super::super::baby_steps::ProgrammeContent;
        assert_eq!(ProgrammeContent::Full.parse_wish_kind("sexual"), Ok("sexual"));
        assert!(ProgrammeContent::Full.parse_wish_kind("other").is_err());
        assert!(ProgrammeContent::WithoutSexual.parse_wish_kind("sexual").is_err());
        assert_eq!(ProgrammeContent::WithoutSexual.parse_wish_kind("physical"), Ok("physical"));
        assert!(parse_importance(4).is_err() && parse_importance(1).is_ok());
        assert!(parse_ease(0).is_err() && parse_ease(5).is_ok());
        assert!(parse_wish_text("  ").is_err());
        assert!(parse_wish_text(&"x".repeat(301)).is_err());
        assert_eq!(parse_wish_text(" Hold my hand "), Ok("Hold my hand".to_owned()));
    }
}
