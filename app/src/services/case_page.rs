//! The therapist's case page, one tab at a time: each tab is one read after one ownership
//! check, audited once as a view of the case. Every tab carries the case and its partners
//! (the page's heading and status actions); besides that
//!
//! - the overview reads what the therapist needs first: each partner's homework and
//!   programme progress, the private notes not yet opened, the check-ins' closeness
//!   ratings, and the therapist's today (for overdue work);
//! - homework: the assignments with both partners' responses, the therapist's exercises,
//!   and the case's measures with each partner's totals (their read audited on its own);
//! - together: wishes, agreements, check-ins and step 5;
//! - notes: the private notes with the therapist's replies (the therapist's own notes are
//!   part of the case) and the sessions with their notes (their read audited on its own);
//! - messages: the follow-up composer's starting point, the therapist's follow-up
//!   templates and the case's emails.

use super::{
    access::{owned_case, OwnedCase},
    audit::{self, AuditAction, AuditEvent},
    cases::{self, CaseDetail},
    clock,
    exchange::{self, Board, NoteThread, Pact, Practice, Progress},
    homework::{self, CaseHomework},
    measures::{self, CaseMeasures},
    messages::{self, ComposeDefaults},
    outbox,
    templates::{self, OwnTemplate},
    therapy_sessions::{self, CaseSessions},
    Actor,
};
use crate::{
    domain::baby_steps,
    entities::{check_ins, message_templates, outbox_emails, private_notes},
    error::AppError,
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ConnectionTrait;

/// The overview tab: where each partner is and what needs the therapist now.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The case and its partners with their invitation state.
    pub detail: CaseDetail,
    /// Assignments with both partners' responses (for where each partner is, submissions
    /// to review and overdue work).
    pub homework: CaseHomework,
    /// Which steps are open, each partner's progress through steps 3 and 4, and the
    /// declined-everything flags.
    pub progress: Progress,
    /// Private notes the therapist has not opened yet, urgent first, then newest first.
    pub unread_notes: Vec<private_notes::Model>,
    /// Every check-in, oldest week first (for each partner's closeness trend).
    pub check_ins: Vec<check_ins::Model>,
    /// The therapist's date, in their time zone (homework due before it is overdue).
    pub today: NaiveDate,
}

/// The homework tab.
#[derive(Debug, Clone)]
pub struct HomeworkTab {
    /// The case and its partners.
    pub detail: CaseDetail,
    /// Assignments with both partners' responses.
    pub homework: CaseHomework,
    /// The therapist's own exercises, to assign.
    pub templates: Vec<OwnTemplate>,
    /// The measures that can be scheduled, and each schedule's totals.
    pub measures: CaseMeasures,
}

/// The together tab: steps 3 to 5.
#[derive(Debug, Clone)]
pub struct Together {
    /// The case and its partners.
    pub detail: CaseDetail,
    /// Wishes, their threads and agreements.
    pub board: Board,
    /// Weekly check-ins.
    pub practice: Practice,
    /// Step 5.
    pub pact: Pact,
}

/// The notes tab.
#[derive(Debug, Clone)]
pub struct NotesTab {
    /// The case (with the therapist's own notes) and its partners.
    pub detail: CaseDetail,
    /// Private notes from the partners with the therapist's replies: urgent unread first,
    /// then newest first.
    pub notes: Vec<NoteThread>,
    /// The sessions held and scheduled, with their notes and what a new note may point to.
    pub sessions: CaseSessions,
}

/// The messages tab.
#[derive(Debug, Clone)]
pub struct MessagesTab {
    /// The case and its partners.
    pub detail: CaseDetail,
    /// The follow-up composer's starting point.
    pub compose: ComposeDefaults,
    /// The therapist's own follow-up templates.
    pub message_templates: Vec<message_templates::Model>,
    /// Emails about this case, newest first.
    pub emails: Vec<outbox_emails::Model>,
}

/// The ownership check, the case with its partners, and the audit entry every tab shares.
async fn open_case(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
    now: DateTime<Utc>,
) -> Result<(OwnedCase, CaseDetail), AppError> {
    let case = owned_case(db, actor, case_id).await?;
    let detail = cases::detail_of(db, &case, now).await?;
    audit::record(db, AuditEvent::by(actor, AuditAction::CaseViewed, "case", case_id), now).await?;
    Ok((case, detail))
}

/// The overview for the case's therapist, whose time zone is `time_zone`; anyone else gets
/// "not found" (or "forbidden" for a client). Loading it marks no note read.
pub async fn case_overview(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
    time_zone: &str,
    now: DateTime<Utc>,
) -> Result<Overview, AppError> {
    let (case, detail) = open_case(db, actor, case_id, now).await?;
    let progress = exchange::progress_with_partners(db, case.id, case.partners(db).await?).await?;
    let practice = exchange::case_practice(db, &case, progress.is_open(baby_steps::AGREEMENTS_STEP)).await?;
    let unread_notes = exchange::case_unread_notes(db, &case).await?;
    Ok(Overview {
        homework: homework::case_homework(db, &case).await?,
        progress,
        unread_notes,
        check_ins: practice.check_ins,
        today: clock::today_in(time_zone, now),
        detail,
    })
}

/// The homework tab for the case's therapist.
pub async fn case_homework_tab(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
    now: DateTime<Utc>,
) -> Result<HomeworkTab, AppError> {
    let (case, detail) = open_case(db, actor, case_id, now).await?;
    Ok(HomeworkTab {
        detail,
        homework: homework::case_homework(db, &case).await?,
        templates: templates::list(db, actor).await?,
        measures: measures::case_measures(db, actor, &case, now).await?,
    })
}

/// The together tab (steps 3 to 5) for the case's therapist.
pub async fn case_together(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
    now: DateTime<Utc>,
) -> Result<Together, AppError> {
    let (case, detail) = open_case(db, actor, case_id, now).await?;
    // The board knows which steps are open; the check-ins and step 5 are told.
    let board = exchange::case_board(db, &case).await?;
    let practice =
        exchange::case_practice(db, &case, board.progress.is_open(baby_steps::AGREEMENTS_STEP)).await?;
    let pact = exchange::case_pact(db, &case, board.progress.is_open(baby_steps::PACT_STEP)).await?;
    Ok(Together { detail, board, practice, pact })
}

/// The notes tab for the case's therapist, whose time zone is `time_zone`. Loading it marks
/// nothing read: a private note is read only when the therapist opens it.
pub async fn case_notes(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
    time_zone: &str,
    now: DateTime<Utc>,
) -> Result<NotesTab, AppError> {
    let (case, detail) = open_case(db, actor, case_id, now).await?;
    Ok(NotesTab {
        detail,
        notes: exchange::case_private_notes(db, &case).await?,
        sessions: therapy_sessions::case_sessions(db, actor, &case, time_zone, now).await?,
    })
}

/// The messages tab for the case's therapist.
pub async fn case_messages(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
    now: DateTime<Utc>,
) -> Result<MessagesTab, AppError> {
    let (case, detail) = open_case(db, actor, case_id, now).await?;
    Ok(MessagesTab {
        detail,
        compose: messages::compose_defaults(db, &case).await?,
        message_templates: messages::templates(db, actor).await?,
        emails: outbox::case_history(db, &case).await?,
    })
}
