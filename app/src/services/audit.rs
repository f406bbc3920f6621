//! The append-only audit trail. Entries name an action and a record, never its content.

use crate::{entities::audit_entries, error::AppError};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

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
    /// A client downloaded their own writing.
    OwnWritingExported,
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
    /// A weekly check-in was saved.
    CheckInSaved,
    /// A partner saved or confirmed their step 5 entry.
    PactSaved,
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
            AuditAction::OwnWritingExported => "own_writing.exported",
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
            AuditAction::CheckInSaved => "check_in.saved",
            AuditAction::PactSaved => "pact.saved",
            AuditAction::PrivateNoteSent => "private_note.sent",
            AuditAction::PrivateNoteRead => "private_note.read",
            AuditAction::PrivateNoteReplied => "private_note.replied",
            AuditAction::PrivateNoteReplyRead => "private_note.reply_read",
            AuditAction::SafetyScreeningConfirmed => "case.safety_screening_confirmed",
            AuditAction::FollowUpQueued => "follow_up.queued",
            AuditAction::ConsultationChosen => "consultation.chosen",
            AuditAction::SignUpForExistingEmail => "account.sign_up_for_existing",
            AuditAction::EmailConfirmed => "account.email_confirmed",
            AuditAction::AccountRetired => "account.retired",
            AuditAction::TherapistInvited => "account.therapist_invited",
            AuditAction::InvitationCompleted => "account.invitation_completed",
        }
    }
}

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

/// Appends an entry. Call it on the same connection or transaction as the change itself.
pub async fn record(
    db: &impl ConnectionTrait,
    event: AuditEvent<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    audit_entries::Entity::insert(audit_entries::ActiveModel {
        actor_user_id: Set(event.actor_user_id),
        action: Set(event.action.as_str().to_owned()),
        record_type: Set(event.record_type.to_owned()),
        record_id: Set(event.record_id),
        occurred_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}
