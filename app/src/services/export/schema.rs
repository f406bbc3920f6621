//! The records an export holds, as `record.json` names them. Field names are stable: a new
//! field may be added (readers ignore what they do not know), but a field is never renamed
//! or given another meaning without raising [`SCHEMA_VERSION`]. The README's "Exports"
//! section documents every field.

use crate::domain::{
    audit::AuditOutcome,
    case::{CaseStatus, ConfidentialityPolicy, Seeks},
    exchange::{OfferStatus, WishState},
    homework::ResponseStatus,
    outbox::{EmailKind, EmailStatus},
    therapy_session::{Attendance, NoteFormat, SessionStatus},
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// The version of `record.json`'s layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Which export a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A therapist's export of one case.
    CaseRecord,
    /// A client's export of their own writing and what was shared with them.
    ClientRecord,
}

/// What comes before the lists: the file's version and kind, the case and its partners.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Which export this is.
    pub kind: RecordKind,
    /// When it was made.
    pub exported_at: DateTime<Utc>,
    /// The case.
    pub case: CaseRecord,
    /// Partner A, then partner B.
    pub partners: Vec<PartnerRecord>,
}

/// The case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRecord {
    /// The case's id.
    pub id: i32,
    /// Its label.
    pub label: String,
    /// Active, paused or closed.
    pub status: CaseStatus,
    /// When its status last changed.
    pub status_changed_at: DateTime<Utc>,
    /// The confidentiality policy the partners agreed to.
    pub confidentiality_policy: ConfidentialityPolicy,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When both partners confirmed step 5's pact.
    pub pact_completed_at: Option<DateTime<Utc>>,
    /// The therapist's notes (`null` in a client's export).
    pub therapist_notes: Option<String>,
}

/// A partner. In a client's export the other partner has only a first name and position.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerRecord {
    /// The partner's id (other records name partners by it).
    pub id: i32,
    /// `"A"` or `"B"`.
    pub position: &'static str,
    /// First name.
    pub first_name: String,
    /// Last name, if given.
    pub last_name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Pronouns, if given.
    pub pronouns: Option<String>,
    /// The closeness they seek.
    pub seeks: Option<Seeks>,
    /// When they joined.
    pub joined_at: Option<DateTime<Utc>>,
    /// When the therapist removed them from the case.
    pub removed_at: Option<DateTime<Utc>>,
}

/// One answer to one question.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerRecord {
    /// The question's stable key.
    pub question_key: String,
    /// The question as the partner read it.
    pub prompt: String,
    /// The answer as text (list items on separate lines).
    pub answer: String,
}

/// A comment from the therapist on a response.
#[derive(Debug, Clone, Serialize)]
pub struct CommentRecord {
    /// The comment's id.
    pub id: i32,
    /// The question it is about (`null`: the whole exercise).
    pub question_key: Option<String>,
    /// The comment.
    pub body: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When the partner read it.
    pub read_at: Option<DateTime<Utc>>,
}

/// One partner's response to an assignment.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseRecord {
    /// Whose.
    pub partner_id: i32,
    /// Draft, submitted, reviewed… (`null` for the other partner's shared answers in a
    /// client's export).
    pub status: Option<ResponseStatus>,
    /// When submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When the therapist marked it reviewed.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// When shared with the other partner.
    pub shared_at: Option<DateTime<Utc>>,
    /// The answers: the latest (a draft when `status` is `draft`); for the other partner in
    /// a client's export, the version they shared.
    pub answers: Vec<AnswerRecord>,
    /// The version the other partner sees, when it differs from `answers` (the therapist
    /// reopened it, or it changed since); only in a therapist's export.
    pub shared_answers: Option<Vec<AnswerRecord>>,
    /// The therapist's comments on it (to this partner only).
    pub comments: Vec<CommentRecord>,
}

/// One assignment (a programme step or an exercise) with the partners' responses.
#[derive(Debug, Clone, Serialize)]
pub struct AssignmentRecord {
    /// The assignment's id.
    pub id: i32,
    /// The exercise's title.
    pub title: String,
    /// The Baby Steps step, if it is one.
    pub step_number: Option<i16>,
    /// When it is due.
    pub due_on: Option<NaiveDate>,
    /// The therapist's note with it.
    pub note: String,
    /// When it was assigned.
    pub created_at: DateTime<Utc>,
    /// The responses, partner A first.
    pub responses: Vec<ResponseRecord>,
}

/// An offer answering a wish.
#[derive(Debug, Clone, Serialize)]
pub struct OfferRecord {
    /// The offer's id.
    pub id: i32,
    /// The offer.
    pub text: String,
    /// Open, accepted, declined….
    pub status: OfferStatus,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// A wish from one partner to the other, with the offers made to it.
#[derive(Debug, Clone, Serialize)]
pub struct WishRecord {
    /// The wish's id.
    pub id: i32,
    /// Who wished it.
    pub wisher_id: i32,
    /// To whom.
    pub addressee_id: i32,
    /// The wish.
    pub text: String,
    /// Emotional or physical.
    pub kind: String,
    /// How much it matters (as given).
    pub importance: i16,
    /// Where it stands.
    pub state: WishState,
    /// How easy it feels to the addressee.
    pub ease: Option<i16>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The offers made to it, oldest first.
    pub offers: Vec<OfferRecord>,
}

/// An agreement (an agreed wish).
#[derive(Debug, Clone, Serialize)]
pub struct AgreementRecord {
    /// The agreement's id.
    pub id: i32,
    /// The wish it came from.
    pub wish_id: i32,
    /// Who does it.
    pub giver_id: i32,
    /// For whom.
    pub receiver_id: i32,
    /// What was agreed.
    pub text: String,
    /// How easy it feels.
    pub ease: Option<i16>,
    /// How often, per week.
    pub times_per_week: i16,
    /// Whether the giver chose to practise it.
    pub chosen: bool,
    /// When it was agreed.
    pub created_at: DateTime<Utc>,
}

/// One partner's weekly check-in. In a client's export the other partner's check-ins
/// appear only when both agreed to share ratings, and then with the ratings alone.
#[derive(Debug, Clone, Serialize)]
pub struct CheckInRecord {
    /// Whose.
    pub partner_id: i32,
    /// The Monday of the week.
    pub week_start: NaiveDate,
    /// Did I do mine (`null`: not shown).
    pub my_part: Option<String>,
    /// Did I notice my partner's (`null`: not shown).
    pub noticed: Option<String>,
    /// Emotional closeness, 0–10.
    pub emotional: i16,
    /// Physical closeness, 0–10.
    pub physical: i16,
    /// The note (`null`: not shown).
    pub note: Option<String>,
}

/// One partner's step 5 (letting go) entry.
#[derive(Debug, Clone, Serialize)]
pub struct PactRecord {
    /// Whose.
    pub partner_id: i32,
    /// What they let go of.
    pub letting_go: String,
    /// Whether they shared it with the other partner.
    pub shared: bool,
    /// Whether they asked for one more guided conversation.
    pub wants_conversation: bool,
    /// When they confirmed the pact.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The therapist's reply to a private note.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyRecord {
    /// The reply's id.
    pub id: i32,
    /// The reply.
    pub body: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When the partner read it.
    pub read_at: Option<DateTime<Utc>>,
}

/// A private note from a partner to the therapist, with the replies.
#[derive(Debug, Clone, Serialize)]
pub struct NoteRecord {
    /// The note's id.
    pub id: i32,
    /// Who wrote it.
    pub partner_id: i32,
    /// The note.
    pub body: String,
    /// Whether it was marked urgent.
    pub urgent: bool,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// When the therapist opened it.
    pub read_at: Option<DateTime<Utc>>,
    /// The therapist's replies, oldest first.
    pub replies: Vec<ReplyRecord>,
}

/// An email about the case: what it was and what became of it, never its text (emails
/// carry links, some single-use, and no clinical content).
#[derive(Debug, Clone, Serialize)]
pub struct EmailRecord {
    /// The email's id.
    pub id: i32,
    /// The partner it was for (`null`: the therapist).
    pub partner_id: Option<i32>,
    /// Invitation, follow-up, reminder….
    pub kind: EmailKind,
    /// The recipient's name.
    pub to_name: String,
    /// The subject.
    pub subject: String,
    /// Queued, sent, failed….
    pub status: EmailStatus,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
}

/// A therapy session with its note (only in a therapist's export).
#[derive(Debug, Clone, Serialize)]
pub struct SessionRecord {
    /// The session's id.
    pub id: i32,
    /// Scheduled, held or cancelled.
    pub status: SessionStatus,
    /// When it starts (or started).
    pub starts_at: DateTime<Utc>,
    /// How long, in minutes.
    pub minutes: i32,
    /// Who attended: both, partner A or partner B.
    pub attendance: Attendance,
    /// Free text or Data / Assessment / Plan.
    pub note_format: NoteFormat,
    /// The free-text note.
    pub note: String,
    /// The DAP note's Data.
    pub data: String,
    /// The DAP note's Assessment.
    pub assessment: String,
    /// The DAP note's Plan.
    pub plan: String,
    /// What the note points to, as `<kind>:<id>` (`wish:12`, `agreement:3`,
    /// `private_note:7`, `conversation:2` for a step 5 entry).
    pub topics: Vec<String>,
}

/// One total a partner gave on a scheduled measure (a client's export holds only their own).
#[derive(Debug, Clone, Serialize)]
pub struct MeasureTotalRecord {
    /// The schedule.
    pub schedule_id: i32,
    /// The measure's title.
    pub measure: String,
    /// Whose.
    pub partner_id: i32,
    /// The due date it answered.
    pub due_on: NaiveDate,
    /// The total, as exact decimal text (`"12"`, `"1.67"`).
    pub total: String,
    /// The cut-off band's label, by the version answered.
    pub band: Option<String>,
    /// The measure version answered.
    pub version: i32,
}

/// An entry of the case's audit trail (only in a therapist's export).
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    /// The entry's id.
    pub id: i64,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// The account that acted (`null`: nobody signed in).
    pub actor_user_id: Option<i32>,
    /// The action's stored name, e.g. `homework.review_opened`.
    pub action: String,
    /// Allowed or refused.
    pub outcome: AuditOutcome,
    /// The partner it concerns.
    pub partner_id: Option<i32>,
    /// The kind of record acted on.
    pub record_type: String,
    /// The record's id (or a refused request's endpoint).
    pub record_id: String,
    /// The client's network address.
    pub client_address: Option<String>,
    /// The session's reference (its row id).
    pub session_ref: Option<i32>,
}

/// The lists of `record.json`, in order; each is a JSON array under its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `homework`: [`AssignmentRecord`]s.
    Homework,
    /// `wishes`: [`WishRecord`]s.
    Wishes,
    /// `agreements`: [`AgreementRecord`]s.
    Agreements,
    /// `check_ins`: [`CheckInRecord`]s, by week.
    CheckIns,
    /// `pact`: [`PactRecord`]s (step 5).
    Pact,
    /// `private_notes`: [`NoteRecord`]s.
    PrivateNotes,
    /// `emails`: [`EmailRecord`]s.
    Emails,
    /// `therapy_sessions`: [`SessionRecord`]s, oldest first.
    TherapySessions,
    /// `measure_totals`: [`MeasureTotalRecord`]s, by schedule, partner and due date.
    MeasureTotals,
    /// `audit_trail`: [`AuditRecord`]s, oldest first.
    AuditTrail,
}

impl Section {
    /// The key in `record.json`.
    pub fn key(self) -> &'static str {
        match self {
            Section::Homework => "homework",
            Section::Wishes => "wishes",
            Section::Agreements => "agreements",
            Section::CheckIns => "check_ins",
            Section::Pact => "pact",
            Section::PrivateNotes => "private_notes",
            Section::Emails => "emails",
            Section::TherapySessions => "therapy_sessions",
            Section::MeasureTotals => "measure_totals",
            Section::AuditTrail => "audit_trail",
        }
    }

    /// The heading in `record.html`.
    pub fn heading(self) -> &'static str {
        match self {
            Section::Homework => "Homework",
            Section::Wishes => "Wishes and offers",
            Section::Agreements => "Agreements",
            Section::CheckIns => "Weekly check-ins",
            Section::Pact => "Step 5: letting go",
            Section::PrivateNotes => "Private notes to the therapist",
            Section::Emails => "Emails",
            Section::TherapySessions => "Sessions and session notes",
            Section::MeasureTotals => "Measures",
            Section::AuditTrail => "Audit trail",
        }
    }
}

/// One element of a list.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Item {
    /// Of `homework`.
    Assignment(AssignmentRecord),
    /// Of `wishes`.
    Wish(WishRecord),
    /// Of `agreements`.
    Agreement(AgreementRecord),
    /// Of `check_ins`.
    CheckIn(CheckInRecord),
    /// Of `pact`.
    Pact(PactRecord),
    /// Of `private_notes`.
    Note(NoteRecord),
    /// Of `emails`.
    Email(EmailRecord),
    /// Of `therapy_sessions`.
    Session(SessionRecord),
    /// Of `measure_totals`.
    MeasureTotal(MeasureTotalRecord),
    /// Of `audit_trail`.
    Audit(AuditRecord),
}
