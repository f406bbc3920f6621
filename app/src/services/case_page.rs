//! The therapist's case page as one read: the case and its partners, homework, the
//! exchange (wishes, agreements, check-ins, step 5, private notes), the follow-up
//! composer's starting point, the therapist's exercises and the case's emails — after one
//! ownership check, audited once.

use super::{
    access::owned_case,
    audit::{self, AuditAction, AuditEvent},
    cases::{self, CaseDetail},
    exchange::{self, Board, NoteThread, Pact, Practice},
    homework::{self, CaseHomework},
    messages::{self, ComposeDefaults},
    outbox,
    templates::{self, OwnTemplate},
    Actor,
};
use crate::{
    domain::baby_steps,
    entities::{message_templates, outbox_emails},
    error::AppError,
};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

/// Everything the therapist's case page shows.
#[derive(Debug, Clone)]
pub struct CasePage {
    /// The case and its partners with their invitation state.
    pub detail: CaseDetail,
    /// Assignments with both partners' responses.
    pub homework: CaseHomework,
    /// Wishes, their threads and agreements.
    pub board: Board,
    /// Weekly check-ins.
    pub practice: Practice,
    /// Step 5.
    pub pact: Pact,
    /// Private notes from the partners with the therapist's replies: urgent unread first,
    /// then newest first.
    pub notes: Vec<NoteThread>,
    /// The follow-up composer's starting point.
    pub compose: ComposeDefaults,
    /// The therapist's own follow-up templates.
    pub message_templates: Vec<message_templates::Model>,
    /// The therapist's own exercises, to assign.
    pub templates: Vec<OwnTemplate>,
    /// Emails about this case, newest first.
    pub emails: Vec<outbox_emails::Model>,
}

/// The case page for its therapist; anyone else gets "not found" (or "forbidden" for a
/// client). Loading it marks nothing read: a private note is read only when the therapist
/// opens it.
pub async fn case_page(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
    now: DateTime<Utc>,
) -> Result<CasePage, AppError> {
    let case = owned_case(db, actor, case_id).await?;
    // The board knows which steps are open; the check-ins and step 5 are told.
    let board = exchange::case_board(db, &case).await?;
    let page = CasePage {
        detail: cases::detail_of(db, &case, now).await?,
        homework: homework::case_homework(db, &case).await?,
        board: board.clone(),
        practice: exchange::case_practice(db, &case, board.progress.is_open(baby_steps::AGREEMENTS_STEP))
            .await?,
        pact: exchange::case_pact(db, &case, board.progress.is_open(baby_steps::PACT_STEP)).await?,
        notes: exchange::case_private_notes(db, &case).await?,
        compose: messages::compose_defaults(db, &case).await?,
        message_templates: messages::templates(db, actor).await?,
        templates: templates::list(db, actor).await?,
        emails: outbox::case_history(db, &case).await?,
    };
    audit::record(db, AuditEvent::by(actor, AuditAction::CaseViewed, "case", case_id), now).await?;
    Ok(page)
}
