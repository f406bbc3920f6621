//! The session summary: one page per couple for the therapist to prepare a session from,
//! read in one go after one ownership check and audited once. What is new is counted from
//! the last recorded session (all time before the first).

use super::{
    access::owned_case,
    audit::{self, AuditAction, AuditEvent},
    exchange::{self, Board, NoteThread, Pact, Practice},
    homework::{self, CaseHomework},
    measures::{self, LatestTotals},
    therapy_sessions::{self, SessionEntry},
    Actor,
};
use crate::{
    domain::{baby_steps, exchange::WishState, therapy_session::SessionStatus},
    entities::{cases, partners, wishes},
    error::AppError,
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// What one partner did since the last session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerActivity {
    /// The partner.
    pub partner: partners::Model,
    /// Homework they submitted: `(title, when)`.
    pub submitted: Vec<(String, DateTime<Utc>)>,
    /// Homework they shared with their partner: `(title, when)`.
    pub shared: Vec<(String, DateTime<Utc>)>,
    /// Wishes they made (asked for).
    pub asked: Vec<wishes::Model>,
    /// Wishes to them they said "not for now" to, or took their yes back from.
    pub declined: Vec<wishes::Model>,
}

/// Everything the summary page shows.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The case.
    pub case: cases::Model,
    /// When the last recorded session started (none: all time).
    pub since: Option<DateTime<Utc>>,
    /// Each partner's activity since then, A then B.
    pub activity: Vec<PartnerActivity>,
    /// Private notes since then: urgent first, then newest first.
    pub notes: Vec<NoteThread>,
    /// The programme's steps with each partner's response.
    pub homework: CaseHomework,
    /// Wishes with their answers and offers, agreements and each partner's progress.
    pub board: Board,
    /// Every check-in, oldest week first.
    pub practice: Practice,
    /// Step 5.
    pub pact: Pact,
    /// Each partner's latest two totals of each measure scheduled for the case.
    pub measures: Vec<LatestTotals>,
    /// The last recorded session, with its note.
    pub last_session: Option<SessionEntry>,
    /// The next scheduled session, if any.
    pub next_session: Option<SessionEntry>,
}

/// The summary of a case for its therapist; anyone else gets "not found" (or "forbidden"
/// for a client). Reading it marks no private note read.
pub async fn summary(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
    now: DateTime<Utc>,
) -> Result<Summary, AppError> {
    let case = owned_case(db, actor, case_id).await?;
    let sessions = therapy_sessions::sessions_of(db, &case).await?;
    let last_session = sessions.iter().find(|s| s.session.status == SessionStatus::Held).cloned();
    let next_session = sessions
        .iter()
        .filter(|s| s.session.status == SessionStatus::Scheduled && s.session.starts_at > now)
        .min_by_key(|s| s.session.starts_at)
        .cloned();
    let since = last_session.as_ref().map(|s| s.session.starts_at);
    let after = |at: Option<DateTime<Utc>>| at.is_some_and(|at| since.is_none_or(|since| at >= since));
    let board = exchange::case_board(db, &case).await?;
    let homework = homework::case_homework(db, &case).await?;
    let mut case_wishes = wishes::Entity::find().filter(wishes::Column::CaseId.eq(case.id));
    if let Some(since) = since {
        case_wishes = case_wishes.filter(wishes::Column::UpdatedAt.gte(since));
    }
    let recent_wishes = case_wishes.order_by_asc(wishes::Column::Id).all(db).await?;
    let activity = case
        .partners(db)
        .await?
        .iter()
        .map(|partner| {
            let mut activity = PartnerActivity {
                partner: partner.clone(),
                submitted: Vec::new(),
                shared: Vec::new(),
                asked: recent_wishes
                    .iter()
                    .filter(|w| w.wisher_id == partner.id && after(Some(w.created_at)))
                    .cloned()
                    .collect(),
                declined: recent_wishes
                    .iter()
                    .filter(|w| {
                        w.addressee_id == partner.id
                            && matches!(w.state, WishState::NotNow | WishState::TakenBack)
                    })
                    .cloned()
                    .collect(),
            };
            for (_, title, responses) in &homework.assignments {
                for response in responses.iter().flatten().filter(|r| r.partner_id == partner.id) {
                    if after(response.submitted_at) {
                        activity.submitted.push((title.clone(), response.submitted_at.unwrap_or(now)));
                    }
                    if after(response.shared_at) {
                        activity.shared.push((title.clone(), response.shared_at.unwrap_or(now)));
                    }
                }
            }
            activity
        })
        .collect();
    let mut notes: Vec<NoteThread> = exchange::case_private_notes(db, &case)
        .await?
        .into_iter()
        .filter(|t| after(Some(t.note.created_at)))
        .collect();
    notes.sort_by_key(|t| (!t.note.urgent, std::cmp::Reverse(t.note.created_at)));
    let practice =
        exchange::case_practice(db, &case, board.progress.is_open(baby_steps::AGREEMENTS_STEP)).await?;
    let pact = exchange::case_pact(db, &case, board.progress.is_open(baby_steps::PACT_STEP)).await?;
    let measures = measures::latest_totals(db, case.id, case.partners(db).await?).await?;
    let summary = Summary {
        case: cases::Model::clone(&case),
        since,
        activity,
        notes,
        homework,
        board,
        practice,
        pact,
        measures,
        last_session,
        next_session,
    };
    audit::record(db, AuditEvent::by(actor, AuditAction::SummaryViewed, "case", case_id), now).await?;
    Ok(summary)
}
