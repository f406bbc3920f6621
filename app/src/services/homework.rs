//! Homework: assigning the Baby Steps programme (or one exercise) to a case, each partner's
//! private answers (draft, submitted, shared), the therapist's review and comments, and the
//! rule that unlocks a programme's next step when both partners have done theirs.
//!
//! Who sees what follows `shared/product/words-and-visibility.md`: the therapist sees every
//! answer (drafts marked as drafts); a partner sees their own; the other partner sees a
//! submission only once it is shared — for a mutual reveal, only once both have shared.

use super::{
    audit::{self, AuditAction, AuditEvent},
    cases::{owned_case, partners_of},
    email, reminders, Actor,
};
use crate::{
    domain::{
        answers::{self, Answers, Completeness, MAX_COMMENT_CHARS},
        baby_steps,
        case::{CaseStatus, Seeks},
        exercise::ExerciseTemplate,
        Role,
    },
    entities::{assignments, cases, comments, exercise_templates, exercise_versions, partners, responses},
    error::AppError,
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};
use std::collections::BTreeMap;

/// Where a partner's answers to one assignment stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    /// Nothing written yet.
    NotStarted,
    /// Written, not submitted.
    Draft,
    /// Handed in, waiting for the therapist.
    Submitted,
    /// The therapist has reviewed it.
    Reviewed,
}

impl ResponseStatus {
    fn stored(self) -> &'static str {
        match self {
            ResponseStatus::NotStarted | ResponseStatus::Draft => "draft",
            ResponseStatus::Submitted => "submitted",
            ResponseStatus::Reviewed => "reviewed",
        }
    }

    /// The status of a stored response (none: not started).
    pub fn of(response: Option<&responses::Model>) -> Self {
        match response.map(|r| r.status.as_str()) {
            None => ResponseStatus::NotStarted,
            Some("submitted") => ResponseStatus::Submitted,
            Some("reviewed") => ResponseStatus::Reviewed,
            Some(_) => ResponseStatus::Draft,
        }
    }

    /// Submitted or reviewed: the partner has done their part.
    pub fn is_done(self) -> bool {
        matches!(self, ResponseStatus::Submitted | ResponseStatus::Reviewed)
    }

    /// How the status reads.
    pub fn label(self) -> &'static str {
        match self {
            ResponseStatus::NotStarted => "Not started",
            ResponseStatus::Draft => "Draft",
            ResponseStatus::Submitted => "Submitted",
            ResponseStatus::Reviewed => "Reviewed",
        }
    }
}

/// Who an assignment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipients {
    /// Both partners.
    Both,
    /// Partner A only.
    PartnerA,
    /// Partner B only.
    PartnerB,
}

impl Recipients {
    /// The stored value.
    pub fn stored(self) -> &'static str {
        match self {
            Recipients::Both => "both",
            Recipients::PartnerA => "a",
            Recipients::PartnerB => "b",
        }
    }

    /// Reads a stored or submitted value.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "both" => Some(Recipients::Both),
            "a" => Some(Recipients::PartnerA),
            "b" => Some(Recipients::PartnerB),
            _ => None,
        }
    }

    /// True when the partner at `position` (1 = A, 2 = B) receives the assignment.
    pub fn includes(self, position: i16) -> bool {
        match self {
            Recipients::Both => true,
            Recipients::PartnerA => position == 1,
            Recipients::PartnerB => position == 2,
        }
    }
}

/// The unlock rule: a programme's next step opens when every recipient of the previous
/// step has submitted it (or the therapist opens it early).
pub fn previous_step_complete(statuses: &[ResponseStatus]) -> bool {
    !statuses.is_empty() && statuses.iter().all(|status| status.is_done())
}

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

/// Assigns the Baby Steps programme to both partners: step 1 opens now, steps 2 to 5 are
/// locked until both partners finish the step before (or the therapist opens them).
pub async fn assign_programme(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    due_on: Option<NaiveDate>,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let note = note.trim();
    if note.chars().count() > 2_000 {
        return Err(AppError::invalid("note", "Keep the note to 2,000 characters or fewer."));
    }
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?;
    if case.status == CaseStatus::Closed.as_str() {
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
    for (index, step) in baby_steps::programme().steps.iter().enumerate() {
        let number = index as i16 + 1;
        let version_id =
            built_in_version(&txn, &format!("{}.{number}", baby_steps::PROGRAMME_KEY), step, now).await?;
        let id = assignments::Entity::insert(assignments::ActiveModel {
            case_id: Set(case_id),
            exercise_version_id: Set(version_id),
            programme_key: Set(Some(baby_steps::PROGRAMME_KEY.to_owned())),
            step_number: Set(Some(number)),
            recipients: Set(Recipients::Both.stored().to_owned()),
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
        audit::record(&txn, AuditEvent::by(actor, AuditAction::HomeworkAssigned, "assignment", id), now)
            .await?;
        if number == 1 {
            notify_assigned(&txn, case_id, id, Recipients::Both, now).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Tells each recipient who has joined that new homework is waiting (once per assignment).
pub async fn notify_assigned(
    db: &impl ConnectionTrait,
    case_id: i32,
    assignment_id: i32,
    recipients: Recipients,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for partner in partners_of(db, case_id).await?.into_iter().filter(|p| recipients.includes(p.position)) {
        let content =
            email::reminder(&partner.first_name, "You have new homework from your therapist.", "/homework");
        reminders::notify_client(
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

/// Opens a locked step early.
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
        let mut active = assignment.into_active_model();
        active.unlocked_at = Set(Some(now));
        active.update(&txn).await?;
        audit::record(
            &txn,
            AuditEvent::by(actor, AuditAction::HomeworkUnlocked, "assignment", assignment_id),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The exercise text an assignment was given (its own version, never a later edit).
pub async fn exercise_of(
    db: &impl ConnectionTrait,
    assignment: &assignments::Model,
) -> Result<ExerciseTemplate, AppError> {
    let version = exercise_versions::Entity::find_by_id(assignment.exercise_version_id)
        .one(db)
        .await?
        .ok_or(AppError::Internal)?;
    content_of(&version)
}

/// The exercise stored in a version (an unreadable one is logged, never shown).
pub(crate) fn content_of(version: &exercise_versions::Model) -> Result<ExerciseTemplate, AppError> {
    serde_json::from_str(&version.content).map_err(|error| {
        tracing::error!(%error, version = version.id, "stored exercise version unreadable");
        AppError::Internal
    })
}

fn stored_answers(response: &responses::Model) -> Result<Answers, AppError> {
    serde_json::from_str(&response.answers).map_err(|_| AppError::Internal)
}

/// A case's assignments with each partner's response, in order.
#[derive(Debug, Clone)]
pub struct CaseHomework {
    /// Partners A and B.
    pub partners: Vec<partners::Model>,
    /// Each assignment with its exercise title and the partners' responses.
    pub assignments: Vec<(assignments::Model, String, Vec<Option<responses::Model>>)>,
}

async fn homework_of_case(db: &impl ConnectionTrait, case_id: i32) -> Result<CaseHomework, AppError> {
    let partners = partners_of(db, case_id).await?;
    let rows = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .order_by_asc(assignments::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|a| a.id).collect();
    let all_responses =
        responses::Entity::find().filter(responses::Column::AssignmentId.is_in(ids)).all(db).await?;
    // Every version's title in one query (not one query per assignment).
    let versions = exercise_versions::Entity::find()
        .filter(exercise_versions::Column::Id.is_in(rows.iter().map(|a| a.exercise_version_id)))
        .all(db)
        .await?;
    let mut assignments = Vec::new();
    for assignment in rows {
        let version =
            versions.iter().find(|v| v.id == assignment.exercise_version_id).ok_or(AppError::Internal)?;
        let title = content_of(version)?.title;
        let per_partner = partners
            .iter()
            .map(|partner| {
                all_responses
                    .iter()
                    .find(|r| r.assignment_id == assignment.id && r.partner_id == partner.id)
                    .cloned()
            })
            .collect();
        assignments.push((assignment, title, per_partner));
    }
    Ok(CaseHomework { partners, assignments })
}

/// The therapist's view of a case's homework.
pub async fn case_homework(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
) -> Result<CaseHomework, AppError> {
    owned_case(db, actor, case_id).await?;
    homework_of_case(db, case_id).await
}

/// The signed-in client's partner row and case.
pub(crate) async fn client_partner(
    db: &impl ConnectionTrait,
    actor: Actor,
) -> Result<(partners::Model, cases::Model), AppError> {
    actor.require_role(Role::Client)?;
    let partner = partners::Entity::find()
        .filter(partners::Column::ClientUserId.eq(actor.user_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let case = cases::Entity::find_by_id(partner.case_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok((partner, case))
}

fn recipients_of(assignment: &assignments::Model) -> Recipients {
    Recipients::parse(&assignment.recipients).unwrap_or(Recipients::Both)
}

/// An assignment of the client's case given to this partner and already open; another
/// case's assignment is "not found", a locked step is refused with a message.
async fn open_assignment_of(
    db: &impl ConnectionTrait,
    partner: &partners::Model,
    case: &cases::Model,
    assignment_id: i32,
) -> Result<assignments::Model, AppError> {
    let assignment = assignments::Entity::find_by_id(assignment_id)
        .filter(assignments::Column::CaseId.eq(case.id))
        .one(db)
        .await?
        .filter(|a| recipients_of(a).includes(partner.position))
        .ok_or(AppError::NotFound)?;
    if assignment.unlocked_at.is_none() {
        return Err(AppError::conflict("This step opens when you have both finished the step before it."));
    }
    Ok(assignment)
}

/// One item of a client's "My homework".
#[derive(Debug, Clone)]
pub struct HomeworkItem {
    /// The assignment.
    pub assignment: assignments::Model,
    /// The exercise's title.
    pub title: String,
    /// The client's progress on it.
    pub status: ResponseStatus,
    /// Comments from the therapist not yet opened.
    pub unread_comments: usize,
}

/// The client's homework: what is assigned to them, in order.
pub async fn my_homework(db: &impl ConnectionTrait, actor: Actor) -> Result<Vec<HomeworkItem>, AppError> {
    let (partner, case) = client_partner(db, actor).await?;
    let homework = homework_of_case(db, case.id).await?;
    let index = homework.partners.iter().position(|p| p.id == partner.id).ok_or(AppError::NotFound)?;
    // Unread comments for all of this partner's responses in one query.
    let response_ids: Vec<i32> = homework
        .assignments
        .iter()
        .filter_map(|(_, _, responses)| responses[index].as_ref().map(|r| r.id))
        .collect();
    let unread = comments::Entity::find()
        .filter(comments::Column::ResponseId.is_in(response_ids))
        .filter(comments::Column::ReadAt.is_null())
        .all(db)
        .await?;
    let mut items = Vec::new();
    for (assignment, title, responses) in homework.assignments {
        if !recipients_of(&assignment).includes(partner.position) {
            continue;
        }
        let response = responses[index].clone();
        let unread_comments = match &response {
            Some(response) => unread.iter().filter(|c| c.response_id == response.id).count(),
            None => 0,
        };
        items.push(HomeworkItem {
            assignment,
            title,
            status: ResponseStatus::of(response.as_ref()),
            unread_comments,
        });
    }
    Ok(items)
}

/// What a client sees when they open one assignment.
#[derive(Debug, Clone)]
pub struct ExerciseSheet {
    /// The assignment.
    pub assignment: assignments::Model,
    /// The exercise, with only the questions meant for this partner.
    pub exercise: ExerciseTemplate,
    /// This partner.
    pub partner: partners::Model,
    /// The other partner's first name.
    pub other_first_name: String,
    /// This partner's response, if they have started.
    pub response: Option<responses::Model>,
    /// Their answers.
    pub answers: Answers,
    /// The therapist's comments to this partner.
    pub comments: Vec<comments::Model>,
    /// True when the other partner has shared (and, for a mutual reveal, so has this one).
    pub partner_answers: Option<(ExerciseTemplate, Answers)>,
    /// True when the other partner has shared, whether or not it is visible yet.
    pub other_has_shared: bool,
}

/// Opens an assignment for the client it was given to; marks their comments read.
pub async fn open_sheet(
    db: &impl ConnectionTrait,
    actor: Actor,
    assignment_id: i32,
    now: DateTime<Utc>,
) -> Result<ExerciseSheet, AppError> {
    let (partner, case) = client_partner(db, actor).await?;
    let assignment = open_assignment_of(db, &partner, &case, assignment_id).await?;
    let seeks = Seeks::parse(&partner.seeks).map_err(|_| AppError::Internal)?;
    let mut exercise = exercise_of(db, &assignment).await?;
    let full_exercise = exercise.clone();
    exercise.questions.retain(|question| answers::is_for(question, seeks));
    let all_responses =
        responses::Entity::find().filter(responses::Column::AssignmentId.eq(assignment.id)).all(db).await?;
    let response = all_responses.iter().find(|r| r.partner_id == partner.id).cloned();
    let answers = match &response {
        Some(response) => stored_answers(response)?,
        None => Answers::new(),
    };
    let comments = match &response {
        Some(response) => {
            let found = comments::Entity::find()
                .filter(comments::Column::ResponseId.eq(response.id))
                .order_by_asc(comments::Column::Id)
                .all(db)
                .await?;
            comments::Entity::update_many()
                .col_expr(comments::Column::ReadAt, sea_orm::sea_query::Expr::value(Some(now)))
                .filter(comments::Column::ResponseId.eq(response.id))
                .filter(comments::Column::ReadAt.is_null())
                .exec(db)
                .await?;
            found
        }
        None => Vec::new(),
    };
    let others = partners_of(db, case.id).await?;
    let other = others.iter().find(|p| p.id != partner.id).ok_or(AppError::NotFound)?;
    let other_response = all_responses.iter().find(|r| r.partner_id == other.id);
    let other_has_shared = other_response.is_some_and(|r| r.shared_at.is_some());
    let own_shared = response.as_ref().is_some_and(|r| r.shared_at.is_some());
    let visible = other_has_shared && (!assignment.mutual_reveal || own_shared);
    let partner_answers = match other_response.filter(|_| visible) {
        Some(other_response) => {
            let other_seeks = Seeks::parse(&other.seeks).map_err(|_| AppError::Internal)?;
            let mut their_exercise = full_exercise;
            their_exercise.questions.retain(|q| answers::is_for(q, other_seeks));
            Some((their_exercise, stored_answers(other_response)?))
        }
        None => None,
    };
    audit::record(db, AuditEvent::by(actor, AuditAction::HomeworkOpened, "assignment", assignment.id), now)
        .await?;
    Ok(ExerciseSheet {
        assignment,
        exercise,
        other_first_name: other.first_name.clone(),
        partner,
        response,
        answers,
        comments,
        partner_answers,
        other_has_shared,
    })
}

/// Saving or handing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveIntent {
    /// Keep as a draft.
    Draft,
    /// Submit (read-only afterwards unless the therapist reopens it).
    Submit,
}

/// Saves the client's answers. `revision` is the version the client last saw: if the draft
/// changed since (another tab, another device), nothing is overwritten and the caller is
/// told to reload the latest. Returns the new revision.
pub async fn save_answers(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    assignment_id: i32,
    revision: i32,
    raw: &BTreeMap<String, String>,
    intent: SaveIntent,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let txn = db.begin().await?;
    let (partner, case) = client_partner(&txn, actor).await?;
    if case.status == CaseStatus::Closed.as_str() {
        return Err(AppError::conflict("Your therapist has closed this work, so it can't be changed now."));
    }
    let assignment = open_assignment_of(&txn, &partner, &case, assignment_id).await?;
    let seeks = Seeks::parse(&partner.seeks).map_err(|_| AppError::Internal)?;
    let exercise = exercise_of(&txn, &assignment).await?;
    let completeness =
        if intent == SaveIntent::Submit { Completeness::Submission } else { Completeness::Draft };
    let parsed = answers::parse_answers(&exercise, seeks, raw, completeness)
        .map_err(|problem| AppError::invalid(&answers::field_name(&problem.question_key), problem.message))?;
    let json = serde_json::to_string(&parsed).map_err(|_| AppError::Internal)?;
    let existing = responses::Entity::find()
        .filter(responses::Column::AssignmentId.eq(assignment.id))
        .filter(responses::Column::PartnerId.eq(partner.id))
        .one(&txn)
        .await?;
    let status = if intent == SaveIntent::Submit { ResponseStatus::Submitted } else { ResponseStatus::Draft };
    let new_revision = match existing {
        Some(response) => {
            if ResponseStatus::of(Some(&response)).is_done() {
                return Err(AppError::conflict(
                    "You have already submitted this. Ask your therapist to reopen it if you want to change it.",
                ));
            }
            if response.revision != revision {
                return Err(AppError::conflict(
                    "This draft was changed somewhere else (another tab or device). Reload to see the latest version.",
                ));
            }
            let next = response.revision + 1;
            let mut active = response.into_active_model();
            active.answers = Set(json);
            active.status = Set(status.stored().to_owned());
            active.revision = Set(next);
            active.updated_at = Set(now);
            if intent == SaveIntent::Submit {
                active.submitted_at = Set(Some(now));
            }
            active.update(&txn).await?;
            next
        }
        None => {
            if revision != 0 {
                return Err(AppError::conflict(
                    "This draft was changed somewhere else. Reload to see the latest version.",
                ));
            }
            let inserted = responses::Entity::insert(responses::ActiveModel {
                assignment_id: Set(assignment.id),
                partner_id: Set(partner.id),
                answers: Set(json),
                status: Set(status.stored().to_owned()),
                revision: Set(1),
                submitted_at: Set((intent == SaveIntent::Submit).then_some(now)),
                reviewed_at: Set(None),
                shared_at: Set(None),
                updated_at: Set(now),
                ..Default::default()
            })
            .exec(&txn)
            .await;
            match inserted {
                Ok(_) => 1,
                // Two tabs creating the first draft at once: the later one is told.
                Err(error)
                    if matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) =>
                {
                    return Err(AppError::conflict(
                        "This draft was changed somewhere else. Reload to see the latest version.",
                    ));
                }
                Err(error) => return Err(error.into()),
            }
        }
    };
    let mut case = case.into_active_model();
    case.last_client_activity_at = Set(Some(now));
    case.update(&txn).await?;
    let action = if intent == SaveIntent::Submit {
        AuditAction::HomeworkSubmitted
    } else {
        AuditAction::HomeworkSaved
    };
    audit::record(&txn, AuditEvent::by(actor, action, "assignment", assignment.id), now).await?;
    if intent == SaveIntent::Submit {
        let key = format!("submitted:{}:{}:{new_revision}", assignment.id, partner.id);
        reminders::notify_therapist_of_submission(&txn, partner.case_id, &key, partner.id, now).await?;
        unlock_next_step_if_complete(&txn, &assignment, now).await?;
        if assignment.programme_key.as_deref() == Some(baby_steps::PROGRAMME_KEY)
            && assignment.step_number == Some(1)
        {
            super::exchange::wishes_from_step_1(&txn, &partner, &parsed, now).await?;
        }
    }
    txn.commit().await?;
    Ok(new_revision)
}

/// Opens the programme's next step when every recipient has finished this one.
async fn unlock_next_step_if_complete(
    db: &impl ConnectionTrait,
    assignment: &assignments::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (Some(programme), Some(step)) = (&assignment.programme_key, assignment.step_number) else {
        return Ok(());
    };
    let recipients = recipients_of(assignment);
    let partners = partners_of(db, assignment.case_id).await?;
    let all_responses =
        responses::Entity::find().filter(responses::Column::AssignmentId.eq(assignment.id)).all(db).await?;
    let statuses: Vec<ResponseStatus> = partners
        .iter()
        .filter(|p| recipients.includes(p.position))
        .map(|p| ResponseStatus::of(all_responses.iter().find(|r| r.partner_id == p.id)))
        .collect();
    if !previous_step_complete(&statuses) {
        return Ok(());
    }
    let next = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(assignment.case_id))
        .filter(assignments::Column::ProgrammeKey.eq(programme.as_str()))
        .filter(assignments::Column::StepNumber.eq(step + 1))
        .one(db)
        .await?;
    if let Some(next) = next.filter(|next| next.unlocked_at.is_none()) {
        let mut active = next.into_active_model();
        active.unlocked_at = Set(Some(now));
        active.update(db).await?;
    }
    Ok(())
}

/// Shares the client's submitted answers with their partner (for a mutual reveal, they
/// show only once both have shared).
pub async fn share(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    assignment_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let (partner, _) = client_partner(&txn, actor).await?;
    let response = responses::Entity::find()
        .filter(responses::Column::AssignmentId.eq(assignment_id))
        .filter(responses::Column::PartnerId.eq(partner.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if !ResponseStatus::of(Some(&response)).is_done() {
        return Err(AppError::conflict("Submit your answers before you share them."));
    }
    if response.shared_at.is_none() {
        let response_id = response.id;
        let mut active = response.into_active_model();
        active.shared_at = Set(Some(now));
        active.update(&txn).await?;
        if let Some(other) =
            partners_of(&txn, partner.case_id).await?.into_iter().find(|p| p.id != partner.id)
        {
            let content = email::reminder(
                &other.first_name,
                "Your partner shared something with you in Babysteps.",
                "/homework",
            );
            reminders::notify_client(&txn, &other, &format!("shared:{response_id}"), content, now).await?;
        }
        audit::record(
            &txn,
            AuditEvent::by(actor, AuditAction::HomeworkShared, "assignment", assignment_id),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// What the caseload shows of one case's homework.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HomeworkSummary {
    /// Submissions not yet marked reviewed.
    pub waiting_for_review: usize,
    /// The latest programme step that is open (none before the programme is assigned).
    pub current_step: Option<i16>,
    /// Open assignments past their due date that a recipient has not finished.
    pub overdue: usize,
}

/// Homework summaries for a page of cases, in two queries. `today` is the therapist's date.
pub async fn summaries(
    db: &impl ConnectionTrait,
    case_partners: &[partners::Model],
    case_ids: &[i32],
    today: NaiveDate,
) -> Result<BTreeMap<i32, HomeworkSummary>, AppError> {
    let mut found: BTreeMap<i32, HomeworkSummary> =
        case_ids.iter().map(|id| (*id, HomeworkSummary::default())).collect();
    if case_ids.is_empty() {
        return Ok(found);
    }
    let rows = assignments::Entity::find()
        .filter(assignments::Column::CaseId.is_in(case_ids.iter().copied()))
        .all(db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|a| a.id).collect();
    let all_responses = if ids.is_empty() {
        Vec::new()
    } else {
        responses::Entity::find().filter(responses::Column::AssignmentId.is_in(ids)).all(db).await?
    };
    for assignment in rows.iter().filter(|a| a.unlocked_at.is_some()) {
        let Some(summary) = found.get_mut(&assignment.case_id) else { continue };
        let responses: Vec<&responses::Model> =
            all_responses.iter().filter(|r| r.assignment_id == assignment.id).collect();
        summary.waiting_for_review +=
            responses.iter().filter(|r| ResponseStatus::of(Some(r)) == ResponseStatus::Submitted).count();
        if assignment.programme_key.is_some() {
            summary.current_step = summary.current_step.max(assignment.step_number);
        }
        let recipients = recipients_of(assignment);
        let unfinished = case_partners
            .iter()
            .filter(|p| p.case_id == assignment.case_id && recipients.includes(p.position))
            .any(|p| !ResponseStatus::of(responses.iter().copied().find(|r| r.partner_id == p.id)).is_done());
        if unfinished && assignment.due_on.is_some_and(|due| due < today) {
            summary.overdue += 1;
        }
    }
    Ok(found)
}

/// Everything the therapist reviews for one assignment.
#[derive(Debug, Clone)]
pub struct ReviewSheet {
    /// The assignment.
    pub assignment: assignments::Model,
    /// The case's label.
    pub case_label: String,
    /// The exercise as assigned (all questions).
    pub exercise: ExerciseTemplate,
    /// Each partner with their response and the comments made to them.
    pub partners: Vec<(partners::Model, Option<responses::Model>, Answers, Vec<comments::Model>)>,
}

/// The therapist's side-by-side review of an assignment (drafts included, marked).
pub async fn review_sheet(
    db: &impl ConnectionTrait,
    actor: Actor,
    assignment_id: i32,
    now: DateTime<Utc>,
) -> Result<ReviewSheet, AppError> {
    actor.require_role(Role::Therapist)?;
    let assignment =
        assignments::Entity::find_by_id(assignment_id).one(db).await?.ok_or(AppError::NotFound)?;
    let case = owned_case(db, actor, assignment.case_id).await?;
    let exercise = exercise_of(db, &assignment).await?;
    let all_responses =
        responses::Entity::find().filter(responses::Column::AssignmentId.eq(assignment.id)).all(db).await?;
    let mut partners = Vec::new();
    for partner in partners_of(db, case.id).await? {
        let response = all_responses.iter().find(|r| r.partner_id == partner.id).cloned();
        let (answers, comments) = match &response {
            Some(response) => (
                stored_answers(response)?,
                comments::Entity::find()
                    .filter(comments::Column::ResponseId.eq(response.id))
                    .order_by_asc(comments::Column::Id)
                    .all(db)
                    .await?,
            ),
            None => (Answers::new(), Vec::new()),
        };
        partners.push((partner, response, answers, comments));
    }
    audit::record(db, AuditEvent::by(actor, AuditAction::HomeworkReviewed, "assignment", assignment.id), now)
        .await?;
    Ok(ReviewSheet { assignment, case_label: case.label, exercise, partners })
}

/// The therapist's response, or not found.
async fn owned_response(
    db: &impl ConnectionTrait,
    actor: Actor,
    response_id: i32,
) -> Result<responses::Model, AppError> {
    actor.require_role(Role::Therapist)?;
    let response = responses::Entity::find_by_id(response_id).one(db).await?.ok_or(AppError::NotFound)?;
    let assignment =
        assignments::Entity::find_by_id(response.assignment_id).one(db).await?.ok_or(AppError::NotFound)?;
    owned_case(db, actor, assignment.case_id).await?;
    Ok(response)
}

/// Comments on one answer (`question_key`) or the whole response (`None`), to that partner only.
pub async fn comment(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    response_id: i32,
    question_key: Option<&str>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "Write a comment first."));
    }
    if body.chars().count() > MAX_COMMENT_CHARS {
        return Err(AppError::invalid(
            "body",
            format!("Keep comments to {MAX_COMMENT_CHARS} characters or fewer."),
        ));
    }
    let txn = db.begin().await?;
    let response = owned_response(&txn, actor, response_id).await?;
    if let Some(key) = question_key {
        let assignment = assignments::Entity::find_by_id(response.assignment_id)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        if !exercise_of(&txn, &assignment).await?.questions.iter().any(|q| q.key == key) {
            return Err(AppError::invalid("question_key", "That question is not part of this exercise."));
        }
    }
    let id = comments::Entity::insert(comments::ActiveModel {
        response_id: Set(response.id),
        question_key: Set(question_key.map(str::to_owned)),
        body: Set(body.to_owned()),
        author_id: Set(actor.user_id),
        read_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    if let Some(partner) = partners::Entity::find_by_id(response.partner_id).one(&txn).await? {
        let content = email::reminder(&partner.first_name, "Your therapist left you a comment.", "/homework");
        reminders::notify_client(&txn, &partner, &format!("comment:{id}"), content, now).await?;
    }
    audit::record(&txn, AuditEvent::by(actor, AuditAction::CommentAdded, "comment", id), now).await?;
    txn.commit().await?;
    Ok(())
}

/// Marks a submission reviewed, or reopens it so the partner can change it.
pub async fn set_reviewed(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    response_id: i32,
    reviewed: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let response = owned_response(&txn, actor, response_id).await?;
    let status = ResponseStatus::of(Some(&response));
    if !status.is_done() {
        return Err(AppError::conflict("This is still a draft; it can be reviewed once it is submitted."));
    }
    let mut active = response.into_active_model();
    if reviewed {
        active.status = Set(ResponseStatus::Reviewed.stored().to_owned());
        active.reviewed_at = Set(Some(now));
    } else {
        active.status = Set(ResponseStatus::Draft.stored().to_owned());
        active.submitted_at = Set(None);
        active.reviewed_at = Set(None);
    }
    active.update(&txn).await?;
    let action = if reviewed { AuditAction::HomeworkMarkedReviewed } else { AuditAction::HomeworkReopened };
    audit::record(&txn, AuditEvent::by(actor, action, "response", response_id), now).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_unlocks_only_when_every_recipient_is_done() {
        use ResponseStatus::*;
        assert!(!previous_step_complete(&[]));
        assert!(!previous_step_complete(&[Submitted, Draft]));
        assert!(!previous_step_complete(&[Submitted, NotStarted]));
        assert!(previous_step_complete(&[Submitted, Reviewed]));
        assert!(previous_step_complete(&[Submitted]));
    }

    #[test]
    fn recipients_pick_partners_by_position() {
        assert!(Recipients::Both.includes(1) && Recipients::Both.includes(2));
        assert!(Recipients::PartnerA.includes(1) && !Recipients::PartnerA.includes(2));
        assert!(Recipients::PartnerB.includes(2) && !Recipients::PartnerB.includes(1));
        assert_eq!(Recipients::parse("x"), None);
    }
}
