//! The words of a therapy session: whether it was held, is scheduled or was cancelled,
//! who attended, how long it lasted, the therapist's note (free text or Data / Assessment /
//! Plan) and what the note points to.

use super::{has_control_chars, stored_enum, InvalidInput};
use serde::{Deserialize, Serialize};

stored_enum! {
    /// Where a session is.
    pub enum SessionStatus {
        /// The session took place and was recorded.
        Held => "held", "Held";
        /// The next session, scheduled (the attending partners got an invitation).
        Scheduled => "scheduled", "Scheduled";
        /// A scheduled session the therapist cancelled.
        Cancelled => "cancelled", "Cancelled";
    }
}

stored_enum! {
    /// Who attended (or is to attend) a session.
    pub enum Attendance {
        /// Both partners.
        Both => "both", "Both partners";
        /// Partner A alone.
        PartnerA => "a", "Partner A alone";
        /// Partner B alone.
        PartnerB => "b", "Partner B alone";
    }
}

impl Attendance {
    /// True when the partner at `position` (1 = A, 2 = B) attends.
    pub fn includes(self, position: i16) -> bool {
        match self {
            Attendance::Both => true,
            Attendance::PartnerA => position == 1,
            Attendance::PartnerB => position == 2,
        }
    }
}

stored_enum! {
    /// How a session note is written.
    pub enum NoteFormat {
        /// One free text.
        Free => "free", "Free text";
        /// Data, Assessment and Plan, each its own text.
        Dap => "dap", "Data / Assessment / Plan";
    }
}

stored_enum! {
    /// What a session note can point to.
    pub enum TopicKind {
        /// A wish between the partners.
        Wish => "wish", "Wish";
        /// An agreement one partner practises.
        Agreement => "agreement", "Agreement";
        /// A partner's private note to the therapist.
        PrivateNote => "private_note", "Private note";
        /// A step 5 request for one more guided conversation, held in this session.
        Conversation => "conversation", "Conversation request";
    }
}

/// One thing a session note points to, as a form posts it: `<kind>:<id>` (`wish:12`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TopicRef {
    /// What it is.
    pub kind: TopicKind,
    /// Its record's id (for a conversation request, the step 5 entry's).
    pub id: i32,
}

impl TopicRef {
    /// Parses `<kind>:<id>` with a positive id.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let refused = || InvalidInput::new("Choose what was discussed from the list.");
        let (kind, id) = text.trim().split_once(':').ok_or_else(refused)?;
        let kind = TopicKind::parse(kind).map_err(|_| refused())?;
        let id: i32 = id.parse().map_err(|_| refused())?;
        if id <= 0 {
            return Err(refused());
        }
        Ok(Self { kind, id })
    }

    /// The form value, `<kind>:<id>`.
    pub fn form_value(self) -> String {
        format!("{}:{}", self.kind.as_str(), self.id)
    }
}

/// The shortest session a therapist can record, in minutes.
pub const MIN_SESSION_MINUTES: i32 = 5;
/// The longest, in minutes (a whole-day intensive).
pub const MAX_SESSION_MINUTES: i32 = 600;

/// A session's length in minutes, 5 to 600.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionMinutes(i32);

impl SessionMinutes {
    /// Parses a whole number of minutes from 5 to 600.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let refused = || {
            InvalidInput::new(format!(
                "Enter the length in minutes, {MIN_SESSION_MINUTES} to {MAX_SESSION_MINUTES}."
            ))
        };
        let minutes: i32 = text.trim().parse().map_err(|_| refused())?;
        if (MIN_SESSION_MINUTES..=MAX_SESSION_MINUTES).contains(&minutes) {
            Ok(Self(minutes))
        } else {
            Err(refused())
        }
    }

    /// The minutes.
    pub fn get(self) -> i32 {
        self.0
    }
}

/// The longest text of one part of a session note.
pub const MAX_SESSION_NOTE_CHARS: usize = 20_000;

/// A session note: one free text, or Data / Assessment / Plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionNote {
    /// One free text (may be empty).
    Free(String),
    /// The three parts of a DAP note (each may be empty).
    Dap {
        /// What was observed and said.
        data: String,
        /// The therapist's assessment.
        assessment: String,
        /// What comes next.
        plan: String,
    },
}

/// Parses one part of a note: at most 20,000 characters, newlines kept, no control
/// characters; the field is named in the refusal by the caller.
pub fn parse_note_text(input: &str) -> Result<String, InvalidInput> {
    let text = input.trim_end();
    if text.chars().count() > MAX_SESSION_NOTE_CHARS {
        return Err(InvalidInput::new(format!("Keep this to {MAX_SESSION_NOTE_CHARS} characters.")));
    }
    if has_control_chars(text, true) {
        return Err(InvalidInput::new("Remove the invisible control characters from this text."));
    }
    Ok(text.to_owned())
}

impl SessionNote {
    /// The note's format.
    pub fn format(&self) -> NoteFormat {
        match self {
            SessionNote::Free(_) => NoteFormat::Free,
            SessionNote::Dap { .. } => NoteFormat::Dap,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for status in SessionStatus::ALL {
            assert_eq!(SessionStatus::parse(status.as_str()), Ok(*status));
        }
        for attendance in Attendance::ALL {
            assert_eq!(Attendance::parse(attendance.as_str()), Ok(*attendance));
        }
        for format in NoteFormat::ALL {
            assert_eq!(NoteFormat::parse(format.as_str()), Ok(*format));
        }
        for kind in TopicKind::ALL {
            assert_eq!(TopicKind::parse(kind.as_str()), Ok(*kind));
        }
    }

    #[test]
    fn attendance_picks_partners_by_position() {
        assert!(Attendance::Both.includes(1) && Attendance::Both.includes(2));
        assert!(Attendance::PartnerA.includes(1) && !Attendance::PartnerA.includes(2));
        assert!(Attendance::PartnerB.includes(2) && !Attendance::PartnerB.includes(1));
    }

    #[test]
    fn topics_are_read_from_their_form_value() {
        let topic = TopicRef::parse("wish:12").unwrap();
        assert_eq!(topic, TopicRef { kind: TopicKind::Wish, id: 12 });
        assert_eq!(TopicRef::parse(&topic.form_value()).unwrap(), topic);
        for bad in ["", "wish", "wish:", "wish:0", "wish:-3", "meal:1", "wish:1e9", "wish:99999999999"] {
            assert!(TopicRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn minutes_are_five_to_six_hundred() {
        assert_eq!(SessionMinutes::parse(" 50 ").unwrap().get(), 50);
        assert!(SessionMinutes::parse("5").is_ok() && SessionMinutes::parse("600").is_ok());
        for bad in ["", "4", "601", "-50", "fifty", "50.5", "99999999999"] {
            assert!(SessionMinutes::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn note_text_keeps_lines_and_refuses_control_characters() {
        assert_eq!(parse_note_text("one\ntwo\n\n").unwrap(), "one\ntwo");
        assert!(parse_note_text("bell \u{7}").is_err());
        assert!(parse_note_text(&"n".repeat(MAX_SESSION_NOTE_CHARS + 1)).is_err());
        assert_eq!(SessionNote::Free(String::new()).format(), NoteFormat::Free);
    }
}
