//! Steps 3 to 5 and the private channel: wishes and their threads of smaller steps,
//! agreements, weekly check-ins with closeness ratings, the letting-go pact, and private
//! notes to the therapist.
//!
//! Who sees what follows the README's "Who sees what": a partner's wishes
//! reach the other partner once both have shared step 1; check-in answers and notes are
//! the writer's and the therapist's; ratings reach the partner only when both agreed to
//! share them; step 5 writing only if its writer shares it; private notes and the
//! therapist's replies to them never.

mod notes;
mod pact;
mod practice;
mod steps;
mod wishes;

pub use notes::{
    ask_seeks_change, case_private_notes, case_unread_notes, mark_private_note_read, mark_replies_read,
    my_private_notes, reply_to_private_note, send_private_note, unread_notes, MyNotes, NoteThread,
    TherapistUnread, UnreadNotes, UrgentCase,
};
pub(crate) use pact::hold_conversation;
pub use pact::{
    case_pact, conversation_request, mark_conversation_held, pact, save_pact, set_pact_revisit, Pact,
};
pub use practice::{
    case_practice, closeness_trends, practice, save_check_in, set_share_ratings, CheckInForm, Practice,
    CHECK_IN_WEEKS_BACK,
};
pub use steps::{
    clear_declined_flag, declined_flags, open_steps, progress, progress_with_open_steps,
    progress_with_partners, step_is_open, PartnerProgress, Progress,
};
pub use wishes::{
    act_on_wish, add_wish, board, case_board, choose_agreement, retag_wish, reword_wish, wishes_from_step_1,
    ActionDetails, Board, WishThread,
};

use crate::{
    domain::baby_steps,
    entities::{assignments, responses},
    error::AppError,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// Most characters in step 5's writing or a private note.
pub const MAX_PRIVATE_CHARS: usize = 4_000;

/// True once both partners have shared step 1 (its mutual reveal has happened).
pub async fn step_1_revealed(db: &impl ConnectionTrait, case_id: i32) -> Result<bool, AppError> {
    let Some(step1) = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .filter(assignments::Column::ProgrammeKey.eq(baby_steps::PROGRAMME_KEY))
        .filter(assignments::Column::StepNumber.eq(1_i16))
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    let shared = responses::Entity::find()
        .filter(responses::Column::AssignmentId.eq(step1.id))
        .filter(responses::Column::SharedAt.is_not_null())
        .all(db)
        .await?;
    Ok(shared.len() >= 2)
}
