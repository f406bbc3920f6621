//! Assigning homework: the Baby Steps programme (step 1 open, the rest locked), the
//! built-in exercise versions it uses, the "new homework" email, opening a step early, and
//! giving each step (or exercise) its own due date and note, and skipping a step.

use super::{
    super::access::{owned_case, partners_of},
    super::audit::{self, AuditAction, AuditEvent},
    super::{email, reminders, Actor},
};
use crate::{
    domain::{
        baby_steps::{self, ProgrammeContent},
        case::CaseStatus,
        dates,
        exercise::ExerciseTemplate,
        homework::{Recipients, MAX_SKIP_REASON_CHARS},
    },
    entities::{assignments, cases, exercise_templates, exercise_versions},
    error::{AppError, FieldContext},
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, TransactionSession, TransactionTrait,
};

/// The version id of a built-in step, creating the template (or a new version when the
/// programme's text changed) as needed.
async fn built_in_version(
    db: &impl ConnectionTrait,
    key: &str,
    content: &ExerciseTemplate,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let json = serde_json::to_string(content).map_err(|_| AppError::Internal)?;
    let template = exercise_templates::Entity::find()
        .filter(exercise_templates::Column::BuiltInKey.eq(key))
        .one(db)
        .await?;
    let (template_id, version) = match template {
        Some(template) => {
            let current = exercise_versions::Entity::find()
                .filter(exercise_versions::Column::TemplateId.eq(template.id))
                .filter(exercise_versions::Column::Version.eq(template.current_version))
                .one(db)
                .await?;
            if let Some(current) = current.filter(|current| current.content == json) {
                return Ok(current.id);
            }
            let next = template.current_version + 1;
            let id = template.id;
            let mut active = template.into_active_model();
            active.current_version = Set(next);
            active.updated_at = Set(now);
            active.update(db).await?;
            (id, next)
        }
        None => {
            let id = exercise_templates::Entity::insert(exercise_templates::ActiveModel {
                therapist_id: Set(None),
                built_in_key: Set(Some(key.to_owned())),
                title: Set(content.title.clone()),
                current_version: Set(1),
                archived_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .exec(db)
            .await?
            .last_insert_id;
            (id, 1)
        }
    };
    Ok(exercise_versions::Entity::insert(exercise_versions::ActiveModel {
        template_id: Set(template_id),
        version: Set(version),
        content: Set(json),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?
    .last_insert_id)
}

/// The message when the therapist has not confirmed the safety screening.
pub const SCREENING_REQUIRED: &str = "Confirm that you have screened each partner alone first.";

/// How the therapist assigns Baby Steps, as the form says it.
#[derive(Debug, Clone, Copy)]
pub struct ProgrammeChoice<'a> {
    /// When step 1 is due (none: no date).
    pub due_on: Option<NaiveDate>,
    /// A note for the couple, shown with step 1.
    pub note: &'a str,
    /// The therapist confirmed they screened each partner alone for safety (the programme
    /// asks partners for closeness, which is not safe for everyone).
    pub screened: bool,
    /// The whole programme, or the programme without sexual content; the case keeps the
    /// choice (its wish kinds and consent wording follow it).
    pub content: ProgrammeContent,
}

impl<'a> ProgrammeChoice<'a> {
    /// The whole programme, the screening confirmed, with step 1's due date and note.
    pub fn whole(due_on: Option<NaiveDate>, note: &'a str) -> Self {
        ProgrammeChoice { due_on, note, screened: true, content: ProgrammeContent::Full }
    }
}

/// Assigns the Baby Steps programme to both partners: step 1 opens now, steps 2 to 5 are
/// locked until both partners finish the step before (or the therapist opens them).
/// Without the screening confirmation nothing is assigned; with it the confirmation is
/// audited.
pub async fn assign_programme(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    choice: ProgrammeChoice<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let ProgrammeChoice { due_on, note, screened, content } = choice;
    let note = assignment_note(note)?;
    if due_on.is_some_and(|date| !dates::in_range(date)) {
        return Err(AppError::invalid("due_on", dates::out_of_range().0));
    }
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?;
    if !screened {
        return Err(AppError::invalid("screened", SCREENING_REQUIRED));
    }
    if case.status == CaseStatus::Closed {
        return Err(AppError::conflict("This case is closed. Reopen it before assigning homework."));
    }
    let already = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .filter(assignments::Column::ProgrammeKey.eq(baby_steps::PROGRAMME_KEY))
        .one(&txn)
        .await?;
    if already.is_some() {
        return Err(AppError::conflict("Baby Steps is already assigned to this couple."));
    }
    audit::record(&txn, AuditEvent::by(actor, AuditAction::SafetyScreeningConfirmed, "case", case_id), now)
        .await?;
    if case.without_sexual_content != content.leaves_out_sexual() {
        let mut active = cases::Model::clone(&case).into_active_model();
        active.without_sexual_content = Set(content.leaves_out_sexual());
        active.updated_at = Set(now);
        active.update(&txn).await?;
    }
    for (index, step) in baby_steps::programme_for(content).steps.iter().enumerate() {
        let number = index as i16 + 1;
        let version_id = built_in_version(&txn, &content.built_in_key(number), step, now).await?;
        let id = assignments::Entity::insert(assignments::ActiveModel {
            case_id: Set(case_id),
            exercise_version_id: Set(version_id),
            programme_key: Set(Some(baby_steps::PROGRAMME_KEY.to_owned())),
            step_number: Set(Some(number)),
            recipients: Set(Recipients::Both),
            // Step 1 is shared as a mutual reveal: neither sees the other's until both share.
            mutual_reveal: Set(number == 1),
            due_on: Set(if number == 1 { due_on } else { None }),
            note: Set(if number == 1 { note.to_owned() } else { String::new() }),
            unlocked_at: Set((number == 1).then_some(now)),
            created_at: Set(now),
            ..Default::default()
        })
        .exec(&txn)
        .await?
        .last_insert_id;
        let event = AuditEvent::by(actor, AuditAction::HomeworkAssigned, "assignment", id);
        audit::record(&txn, event.concerning(case_id, None), now).await?;
        if number == 1 {
            notify_assigned(&txn, case_id, id, Recipients::Both, now).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// The therapist's note with an assignment: trimmed, plain text, at most 2,000 characters.
fn assignment_note(note: &str) -> Result<&str, AppError> {
    let note = note.trim();
    if note.chars().count() > 2_000 {
        return Err(AppError::invalid("note", "Keep the note to 2,000 characters or fewer."));
    }
    crate::domain::plain_text(note, true).field("note")?;
    Ok(note)
}

/// The therapist gives one assignment (a programme step or an exercise) its own due date
/// (`None`: none) and note, which the partners read with it. A closed case's homework stays
/// as it was.
pub async fn plan_step(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    assignment_id: i32,
    due_on: Option<NaiveDate>,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let note = assignment_note(note)?;
    if due_on.is_some_and(|date| !dates::in_range(date)) {
        return Err(AppError::invalid("due_on", dates::out_of_range().0));
    }
    let txn = db.begin().await?;
    let assignment =
        assignments::Entity::find_by_id(assignment_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let case = owned_case(&txn, actor, assignment.case_id).await?;
    if case.status == CaseStatus::Closed {
        return Err(AppError::conflict("This case is closed. Reopen it before changing its homework."));
    }
    let case_id = assignment.case_id;
    let mut active = assignment.into_active_model();
    active.due_on = Set(due_on);
    active.note = Set(note.to_owned());
    active.update(&txn).await?;
    let event = AuditEvent::by(actor, AuditAction::HomeworkPlanned, "assignment", assignment_id);
    audit::record(&txn, event.concerning(case_id, None), now).await?;
    txn.commit().await?;
    Ok(())
}

/// The therapist skips a programme step, saying why: the partners read the reason instead
/// of its questions, write nothing more in it, get no reminder for it, and the next step
/// opens now (with its "something new" email) if it was still locked.
pub async fn skip_step(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    assignment_id: i32,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "Say why the step is skipped: the partners read it."));
    }
    if reason.chars().count() > MAX_SKIP_REASON_CHARS {
        return Err(AppError::invalid(
            "reason",
            format!("Keep the reason to {MAX_SKIP_REASON_CHARS} characters or fewer."),
        ));
    }
    crate::domain::plain_text(reason, true).field("reason")?;
    let txn = db.begin().await?;
    let assignment =
        assignments::Entity::find_by_id(assignment_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let case = owned_case(&txn, actor, assignment.case_id).await?;
    if case.status == CaseStatus::Closed {
        return Err(AppError::conflict("This case is closed. Reopen it before changing its homework."));
    }
    let (Some(programme), Some(step)) = (assignment.programme_key.clone(), assignment.step_number) else {
        return Err(AppError::conflict("Only a step of the programme can be skipped."));
    };
    if assignment.skipped_at.is_some() {
        return Err(AppError::conflict("This step is already skipped."));
    }
    let case_id = assignment.case_id;
    let mut active = assignment.into_active_model();
    active.skipped_at = Set(Some(now));
    active.skip_reason = Set(reason.to_owned());
    active.update(&txn).await?;
    let next = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .filter(assignments::Column::ProgrammeKey.eq(programme))
        .filter(assignments::Column::StepNumber.eq(step + 1))
        .one(&txn)
        .await?;
    if let Some(next) = next.filter(|next| next.unlocked_at.is_none()) {
        notify_step_opened(&txn, &next, now).await?;
        let mut active = next.into_active_model();
        active.unlocked_at = Set(Some(now));
        active.update(&txn).await?;
    }
    let event = AuditEvent::by(actor, AuditAction::HomeworkSkipped, "assignment", assignment_id);
    audit::record(&txn, event.concerning(case_id, None), now).await?;
    txn.commit().await?;
    Ok(())
}

/// Tells each recipient who has joined that new homework is waiting (once per assignment).
/// A therapist's action: each email must fit their allowance, else the assigning is refused.
pub async fn notify_assigned(
    db: &impl ConnectionTrait,
    case_id: i32,
    assignment_id: i32,
    recipients: Recipients,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for partner in partners_of(db, case_id).await?.into_iter().filter(|p| recipients.includes(p.position)) {
        let content = email::client_notice(&partner.first_name, email::ClientNotice::NewAssignment);
        reminders::notify_client_for_therapist(
            db,
            &partner,
            &format!("assigned:{assignment_id}:{}", partner.id),
            content,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Tells each recipient who has joined that a step of their programme has opened, by a
/// neutral "something new" email sent after their quiet hours, once per step and partner
/// (the key is the one [`notify_assigned`] uses): for a step opened by what the partners
/// did, so steps 2 to 5 are announced like step 1.
pub async fn notify_step_opened(
    db: &impl ConnectionTrait,
    step: &assignments::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for partner in
        partners_of(db, step.case_id).await?.into_iter().filter(|p| step.recipients.includes(p.position))
    {
        let content = email::client_notice(&partner.first_name, email::ClientNotice::NewAssignment);
        let key = format!("assigned:{}:{}", step.id, partner.id);
        reminders::notify_client(db, &partner, &key, content, now).await?;
    }
    Ok(())
}

/// Opens a locked step early, and tells the recipients something new is waiting.
pub async fn unlock_early(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    assignment_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let assignment =
        assignments::Entity::find_by_id(assignment_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    owned_case(&txn, actor, assignment.case_id).await?;
    if assignment.unlocked_at.is_none() {
        let (case_id, recipients) = (assignment.case_id, assignment.recipients);
        notify_assigned(&txn, case_id, assignment_id, recipients, now).await?;
        let mut active = assignment.into_active_model();
        active.unlocked_at = Set(Some(now));
        active.update(&txn).await?;
        audit::record(
            &txn,
            AuditEvent::by(actor, AuditAction::HomeworkUnlocked, "assignment", assignment_id)
                .concerning(case_id, None),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
