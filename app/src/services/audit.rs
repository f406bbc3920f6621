//! The append-only audit trail. Entries name an action and a record, never its content.
//!
//! Each entry also says which case and partner it concerns (given by the service with
//! [`AuditEvent::concerning`], or read from a `case` record), whether the request was
//! allowed or refused, and — from the request it was written in ([`request_context`]) — the
//! client's network address and a reference to the session (its row id). Services call
//! [`record`] on the connection or transaction of the change itself; refused server-function
//! calls are recorded once, centrally, by the server's request layer ([`record_refusal`]).

pub mod export;
pub mod view;

use super::request_context as context;
use crate::{
    domain::audit::AuditOutcome,
    entities::{audit_entries, partners},
    error::AppError,
};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

/// What happened, as stored in `audit_entries.action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// A therapist account was created.
    AccountCreated,
    /// Someone signed in.
    SignedIn,
    /// A sign-in was refused for a known account.
    SignInFailed,
    /// Someone signed out.
    SignedOut,
    /// A therapist opened their caseload.
    CaseloadViewed,
    /// A case was created.
    CaseCreated,
    /// A case's label, policy or partners were edited.
    CaseUpdated,
    /// A case was paused, closed or reopened.
    CaseStatusChanged,
    /// The therapist removed one partner from a case.
    PartnerRemoved,
    /// Every session of an account was ended (its case closed, or its partner removed).
    SessionsEnded,
    /// A client opened their own writing (My writing).
    OwnWritingViewed,
    /// A client downloaded their own record (their writing and what was shared with them).
    OwnWritingExported,
    /// A therapist downloaded a case's whole record.
    CaseExported,
    /// The therapist's notes were changed.
    CaseNotesUpdated,
    /// The therapist opened a case page.
    CaseViewed,
    /// A partner was invited (or invited again).
    InvitationCreated,
    /// A pending invitation was revoked.
    InvitationRevoked,
    /// A partner accepted their invitation and joined.
    InvitationAccepted,
    /// The therapist opened an unsent invitation's link from the outbox.
    InvitationLinkRevealed,
    /// A client opened their home page.
    ClientHomeViewed,
    /// A therapist opened their outbox.
    OutboxViewed,
    /// Homework was assigned to a case.
    HomeworkAssigned,
    /// A locked step was opened early.
    HomeworkUnlocked,
    /// A therapist set an assignment's (a programme step's) due date and note.
    HomeworkPlanned,
    /// A therapist skipped a programme step, with a reason.
    HomeworkSkipped,
    /// A client opened an exercise.
    HomeworkOpened,
    /// A client saved a draft.
    HomeworkSaved,
    /// A client submitted their answers.
    HomeworkSubmitted,
    /// A client shared their answers with their partner.
    HomeworkShared,
    /// The therapist opened a review.
    HomeworkReviewed,
    /// The therapist marked a submission reviewed.
    HomeworkMarkedReviewed,
    /// The therapist reopened a submission.
    HomeworkReopened,
    /// The therapist commented.
    CommentAdded,
    /// A therapist saved a version of one of their exercises.
    TemplateSaved,
    /// A therapist archived or restored one of their exercises.
    TemplateArchiveChanged,
    /// An account changed its settings.
    SettingsChanged,
    /// A wish was added or acted on.
    WishChanged,
    /// A partner chose (or stopped choosing) an agreement to practise.
    AgreementChosen,
    /// The therapist cleared the flag that every wish of a partner was declined.
    DeclinedFlagCleared,
    /// A weekly check-in was saved.
    CheckInSaved,
    /// A partner saved or confirmed their step 5 entry.
    PactSaved,
    /// The therapist marked a partner's request for one more conversation as held.
    PactConversationHeld,
    /// The therapist set (or cleared) the date to revisit the pact.
    PactRevisitSet,
    /// A client sent their therapist a private note.
    PrivateNoteSent,
    /// The therapist opened a private note (its first reading).
    PrivateNoteRead,
    /// The therapist replied to a private note.
    PrivateNoteReplied,
    /// A client opened their therapist's replies to a private note.
    PrivateNoteReplyRead,
    /// The therapist confirmed they screened each partner alone for safety before
    /// assigning the Baby Steps programme.
    SafetyScreeningConfirmed,
    /// A therapist queued a follow-up email.
    FollowUpQueued,
    /// A partner chose a proposed consultation time.
    ConsultationChosen,
    /// Someone changed their own password (other sessions end with it).
    PasswordChanged,
    /// A password change was refused: the current password did not match.
    PasswordChangeRefused,
    /// A therapist deleted their account (every closed case's content erased with it).
    AccountDeleted,
    /// Deleting an account was refused: the current password did not match.
    AccountDeletionRefused,
    /// A password reset link was asked for a known account (queued by email).
    PasswordResetRequested,
    /// A password was reset through an emailed link (every session ends with it).
    PasswordReset,
    /// Someone signed one of their own sessions out from the account page.
    DeviceSignedOut,
    /// Someone signed out everywhere from the account page.
    SignedOutEverywhere,
    /// A client opened their wishes, offers and agreements.
    WishesViewed,
    /// A client opened their check-ins.
    CheckInsViewed,
    /// A client opened their step 5 (letting go) page.
    PactViewed,
    /// A client opened their private notes and the replies to them.
    PrivateNotesViewed,
    /// A server function refused a request without a live session (401).
    RequestUnauthenticated,
    /// A server function refused a signed-in request (403).
    RequestForbidden,
    /// A server function answered "not found" (404), also for records private to others.
    RequestNotFound,
    /// A therapist opened an audit view.
    AuditViewed,
    /// A therapist downloaded audit entries as CSV.
    AuditExported,
    /// An account confirmed a new second factor.
    SecondFactorEnrolled,
    /// An account removed its second factor.
    SecondFactorRemoved,
    /// A second-factor code from the app finished a sign-in.
    SecondFactorCodeAccepted,
    /// A second-factor code was refused (at sign-in or when confirming an enrolment).
    SecondFactorCodeRefused,
    /// A recovery code finished a sign-in (and is spent).
    RecoveryCodeUsed,
    /// A sign-up named an email that already has an account (its owner was told by email).
    SignUpForExistingEmail,
    /// A therapist confirmed their email through their sign-up link.
    EmailConfirmed,
    /// An unconfirmed therapist account whose link had expired gave up its email to its
    /// address's owner (a new sign-up, an operator's invitation or a joining client).
    AccountRetired,
    /// The operator invited a therapist (`server invite-therapist`).
    TherapistInvited,
    /// An invited therapist chose their name and password through their link.
    InvitationCompleted,
    /// The therapist erased a partner's or a case's content on request (a tombstone: the
    /// entry for the erasure, then one per kind of record with its count).
    ContentErased,
    /// The retention job purged a closed case's content (a tombstone, as for erasure).
    ContentPurged,
    /// A therapist added the sample couples to their caseload.
    SamplesAdded,
    /// A therapist removed their sample couples (every row of them is gone; this line stays).
    SamplesRemoved,
    /// A therapist opened a sample partner's pages read-only ("View as").
    SampleViewedAs,
    /// A therapist opened "What's new".
    WhatsNewViewed,
    /// A therapist marked an item of "What's new" done (or all of them).
    WhatsNewDone,
    /// The therapist opened a case's sessions and their notes.
    SessionNotesViewed,
    /// The therapist recorded a session they held, with its note.
    SessionRecorded,
    /// The therapist scheduled the next session (invitations queued).
    SessionScheduled,
    /// The therapist moved a scheduled session (updated invitations queued).
    SessionMoved,
    /// The therapist cancelled a scheduled session (cancellations queued).
    SessionCancelled,
    /// The therapist opened a couple's session summary.
    SummaryViewed,
    /// A therapist saved a version of one of their scored measures.
    MeasureSaved,
    /// A therapist scheduled a measure for a case, or stopped a schedule.
    MeasureScheduled,
    /// A client opened a scheduled measure.
    MeasureOpened,
    /// A client answered a scheduled measure.
    MeasureAnswered,
    /// The therapist read a case's measure totals.
    MeasureResultsViewed,
}

impl AuditAction {
    /// The stored name of the action.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::AccountCreated => "account.created",
            AuditAction::SignedIn => "session.started",
            AuditAction::SignInFailed => "session.refused",
            AuditAction::SignedOut => "session.ended",
            AuditAction::CaseloadViewed => "caseload.viewed",
            AuditAction::CaseCreated => "case.created",
            AuditAction::CaseUpdated => "case.updated",
            AuditAction::CaseStatusChanged => "case.status_changed",
            AuditAction::PartnerRemoved => "partner.removed",
            AuditAction::SessionsEnded => "sessions.ended",
            AuditAction::OwnWritingViewed => "own_writing.viewed",
            AuditAction::OwnWritingExported => "own_writing.exported",
            AuditAction::CaseExported => "case.exported",
            AuditAction::CaseNotesUpdated => "case.notes_updated",
            AuditAction::CaseViewed => "case.viewed",
            AuditAction::InvitationCreated => "invitation.created",
            AuditAction::InvitationRevoked => "invitation.revoked",
            AuditAction::InvitationAccepted => "invitation.accepted",
            AuditAction::InvitationLinkRevealed => "invitation.link_revealed",
            AuditAction::ClientHomeViewed => "client_home.viewed",
            AuditAction::OutboxViewed => "outbox.viewed",
            AuditAction::HomeworkAssigned => "homework.assigned",
            AuditAction::HomeworkUnlocked => "homework.unlocked",
            AuditAction::HomeworkPlanned => "homework.planned",
            AuditAction::HomeworkSkipped => "homework.skipped",
            AuditAction::HomeworkOpened => "homework.opened",
            AuditAction::HomeworkSaved => "homework.saved",
            AuditAction::HomeworkSubmitted => "homework.submitted",
            AuditAction::HomeworkShared => "homework.shared",
            AuditAction::HomeworkReviewed => "homework.review_opened",
            AuditAction::HomeworkMarkedReviewed => "homework.marked_reviewed",
            AuditAction::HomeworkReopened => "homework.reopened",
            AuditAction::CommentAdded => "comment.added",
            AuditAction::TemplateSaved => "template.saved",
            AuditAction::TemplateArchiveChanged => "template.archive_changed",
            AuditAction::SettingsChanged => "settings.changed",
            AuditAction::WishChanged => "wish.changed",
            AuditAction::AgreementChosen => "agreement.chosen",
            AuditAction::DeclinedFlagCleared => "declined_flag.cleared",
            AuditAction::CheckInSaved => "check_in.saved",
            AuditAction::PactSaved => "pact.saved",
            AuditAction::PactConversationHeld => "pact.conversation_held",
            AuditAction::PactRevisitSet => "pact.revisit_set",
            AuditAction::PrivateNoteSent => "private_note.sent",
            AuditAction::PrivateNoteRead => "private_note.read",
            AuditAction::PrivateNoteReplied => "private_note.replied",
            AuditAction::PrivateNoteReplyRead => "private_note.reply_read",
            AuditAction::SafetyScreeningConfirmed => "case.safety_screening_confirmed",
            AuditAction::FollowUpQueued => "follow_up.queued",
            AuditAction::ConsultationChosen => "consultation.chosen",
            AuditAction::PasswordChanged => "account.password_changed",
            AuditAction::PasswordChangeRefused => "account.password_change_refused",
            AuditAction::AccountDeleted => "account.deleted",
            AuditAction::AccountDeletionRefused => "account.deletion_refused",
            AuditAction::PasswordResetRequested => "account.password_reset_requested",
            AuditAction::PasswordReset => "account.password_reset",
            AuditAction::DeviceSignedOut => "session.ended_from_account",
            AuditAction::SignedOutEverywhere => "sessions.ended_by_owner",
            AuditAction::WishesViewed => "wishes.viewed",
            AuditAction::CheckInsViewed => "check_ins.viewed",
            AuditAction::PactViewed => "pact.viewed",
            AuditAction::PrivateNotesViewed => "private_notes.viewed",
            AuditAction::RequestUnauthenticated => "request.unauthenticated",
            AuditAction::RequestForbidden => "request.forbidden",
            AuditAction::RequestNotFound => "request.not_found",
            AuditAction::AuditViewed => "audit.viewed",
            AuditAction::AuditExported => "audit.exported",
            AuditAction::SecondFactorEnrolled => "second_factor.enrolled",
            AuditAction::SecondFactorRemoved => "second_factor.removed",
            AuditAction::SecondFactorCodeAccepted => "second_factor.code_accepted",
            AuditAction::SecondFactorCodeRefused => "second_factor.code_refused",
            AuditAction::RecoveryCodeUsed => "second_factor.recovery_code_used",
            AuditAction::SignUpForExistingEmail => "account.sign_up_for_existing",
            AuditAction::EmailConfirmed => "account.email_confirmed",
            AuditAction::AccountRetired => "account.retired",
            AuditAction::TherapistInvited => "account.therapist_invited",
            AuditAction::InvitationCompleted => "account.invitation_completed",
            AuditAction::ContentErased => "content.erased",
            AuditAction::ContentPurged => "content.purged",
            AuditAction::SamplesAdded => "samples.added",
            AuditAction::SamplesRemoved => "samples.removed",
            AuditAction::SampleViewedAs => "sample.viewed_as",
            AuditAction::WhatsNewViewed => "whats_new.viewed",
            AuditAction::WhatsNewDone => "whats_new.done",
            AuditAction::SessionNotesViewed => "therapy_sessions.viewed",
            AuditAction::SessionRecorded => "therapy_session.recorded",
            AuditAction::SessionScheduled => "therapy_session.scheduled",
            AuditAction::SessionMoved => "therapy_session.moved",
            AuditAction::SessionCancelled => "therapy_session.cancelled",
            AuditAction::SummaryViewed => "case.summary_viewed",
            AuditAction::MeasureSaved => "measure.saved",
            AuditAction::MeasureScheduled => "measure.scheduled",
            AuditAction::MeasureOpened => "measure.opened",
            AuditAction::MeasureAnswered => "measure.answered",
            AuditAction::MeasureResultsViewed => "measure.results_viewed",
        }
    }

    /// Whether the entry records a refusal: a failed sign-in or a refused request.
    pub fn outcome(self) -> AuditOutcome {
        match self {
            AuditAction::SignInFailed
            | AuditAction::RequestUnauthenticated
            | AuditAction::RequestForbidden
            | AuditAction::RequestNotFound => AuditOutcome::Refused,
            _ => AuditOutcome::Allowed,
        }
    }

    /// The action a refused server-function call is recorded as, by its HTTP status; `None`
    /// for any status that is not a refusal.
    pub fn refusal(status: u16) -> Option<AuditAction> {
        match status {
            401 => Some(AuditAction::RequestUnauthenticated),
            403 => Some(AuditAction::RequestForbidden),
            404 => Some(AuditAction::RequestNotFound),
            _ => None,
        }
    }
}

/// The therapist's reads of a client's writing, shown to that client ("who has opened my
/// writing"): the case page (both partners' writing, notes and check-ins), a review of
/// answers, and the first reading of a private note.
pub const THERAPIST_READS: [AuditAction; 3] =
    [AuditAction::CaseViewed, AuditAction::HomeworkReviewed, AuditAction::PrivateNoteRead];

/// One fact for the trail: `actor` did `action` to the record `record_type`/`record_id`.
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    /// The account acting, if any.
    pub actor_user_id: Option<i32>,
    /// What happened.
    pub action: AuditAction,
    /// The kind of record, e.g. `user`.
    pub record_type: &'a str,
    /// The record's id.
    pub record_id: String,
}

impl AuditEvent<'static> {
    /// An actor's action on one record, identified by its numeric id.
    pub fn by(actor: super::Actor, action: AuditAction, record_type: &'static str, id: i32) -> Self {
        AuditEvent { actor_user_id: Some(actor.user_id), action, record_type, record_id: id.to_string() }
    }
}

impl<'a> AuditEvent<'a> {
    /// The event, naming the case it concerns and, when it is one partner's, that partner.
    pub fn concerning(self, case_id: i32, partner_id: Option<i32>) -> AuditEntry<'a> {
        AuditEntry { event: self, case_id: Some(case_id), partner_id }
    }
}

/// An event with the case and partner it concerns, as [`record`] stores it. A bare
/// [`AuditEvent`] becomes one with no partner, and with a case only when its record is one.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    event: AuditEvent<'a>,
    case_id: Option<i32>,
    partner_id: Option<i32>,
}

impl<'a> From<AuditEvent<'a>> for AuditEntry<'a> {
    fn from(event: AuditEvent<'a>) -> Self {
        let case_id = if event.record_type == "case" { event.record_id.parse().ok() } else { None };
        AuditEntry { event, case_id, partner_id: None }
    }
}

/// Appends an entry. Call it on the same connection or transaction as the change itself.
/// The client's address and the session reference come from the current request, if any.
pub async fn record<'a>(
    db: &impl ConnectionTrait,
    entry: impl Into<AuditEntry<'a>>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let AuditEntry { event, case_id, partner_id } = entry.into();
    let request = context::current();
    audit_entries::Entity::insert(audit_entries::ActiveModel {
        actor_user_id: Set(event.actor_user_id),
        action: Set(event.action.as_str().to_owned()),
        record_type: Set(event.record_type.to_owned()),
        record_id: Set(event.record_id),
        occurred_at: Set(now),
        case_id: Set(case_id),
        partner_id: Set(partner_id),
        outcome: Set(event.action.outcome()),
        client_address: Set(request.as_ref().and_then(|request| request.client_address())),
        session_ref: Set(request.as_ref().and_then(|request| request.session()).map(|s| s.session_id)),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Appends an entry about an account (a sign-in, a refused sign-in, a sign-out): when the
/// account is a client's, the entry concerns their case and partner, so their therapist
/// sees it.
pub async fn record_for_account(
    db: &impl ConnectionTrait,
    event: AuditEvent<'_>,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let membership: Option<(i32, i32)> = partners::Entity::find()
        .select_only()
        .column(partners::Column::CaseId)
        .column(partners::Column::Id)
        .filter(partners::Column::ClientUserId.eq(user_id))
        .into_tuple()
        .one(db)
        .await?;
    match membership {
        Some((case_id, partner_id)) => record(db, event.concerning(case_id, Some(partner_id)), now).await,
        None => record(db, event, now).await,
    }
}

/// The longest endpoint name an entry keeps (the `record_id` column's width).
const MAX_ENDPOINT_CHARS: usize = 64;

/// Records a refused server-function call (`status` 401, 403 or 404; anything else is
/// ignored): the endpoint (e.g. `cases/page`), and the signed-in account if the request had
/// a live session. Called once per refused request by the server's request layer.
pub async fn record_refusal(
    db: &impl ConnectionTrait,
    endpoint: &str,
    status: u16,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(action) = AuditAction::refusal(status) else {
        return Ok(());
    };
    let actor_user_id = context::current().and_then(|request| request.session()).map(|s| s.user_id);
    let endpoint: String = endpoint.chars().take(MAX_ENDPOINT_CHARS).collect();
    record(db, AuditEvent { actor_user_id, action, record_type: "endpoint", record_id: endpoint }, now).await
}
