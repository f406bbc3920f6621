//! Homework: assigning the Baby Steps programme (or one exercise) to a case, each partner's
//! private answers (draft, submitted, shared), the therapist's review and comments, and the
//! rule that unlocks a programme's next step when both partners have done theirs.
//!
//! Who sees what follows the README's "Who sees what": the therapist sees every
//! answer (drafts marked as drafts); a partner sees their own; the other partner sees a
//! submission only once it is shared — for a mutual reveal, only once both have shared.

mod answers;
mod assign;
mod review;
mod shared;

pub use answers::{
    mark_comments_read, my_homework, open_sheet, partner_homework, save_answers, share, ExerciseSheet,
    HomeworkItem, PartnerHomework, SaveIntent,
};
pub use assign::{
    assign_programme, notify_assigned, notify_step_opened, plan_step, skip_step, unlock_early,
    ProgrammeChoice, SCREENING_REQUIRED,
};
pub use review::{
    case_homework, comment, review_sheet, set_reviewed, summaries, HomeworkSummary, ReviewSheet,
};
pub use shared::{content_of, exercise_of, partner_sees_older_version, status_of, CaseHomework};
