//! Reads the homework areas share: an assignment's exercise text, stored answers, a
//! case's assignments with both partners' responses, and a client's open assignment.

use crate::{
    domain::{answers::Answers, exercise::ExerciseTemplate, homework::ResponseStatus},
    entities::{assignments, cases, exercise_versions, partners, responses},
    error::AppError,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationDef,
};

/// The exercise text an assignment was given (its own version, never a later edit).
pub async fn exercise_of(
    db: &impl ConnectionTrait,
    assignment: &assignments::Model,
) -> Result<ExerciseTemplate, AppError> {
    let version = exercise_versions::Entity::find_by_id(assignment.exercise_version_id)
        .all(db)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::Internal)?;
    content_of(&version)
}

/// The exercise stored in a version (an unreadable one is logged, never shown).
pub fn content_of(version: &exercise_versions::Model) -> Result<ExerciseTemplate, AppError> {
    serde_json::from_str(&version.content).map_err(|error| {
        tracing::error!(%error, version = version.id, "stored exercise version unreadable");
        AppError::Internal
    })
}

/// The answers as the partner last shared them (none if never shared).
pub(super) fn shared_answers(response: &responses::Model) -> Option<Result<Answers, AppError>> {
    let shared = response.shared_answers.as_deref()?;
    Some(serde_json::from_str(shared).map_err(|_| AppError::Internal))
}

/// True when the partner sees a version the writer is no longer on: the therapist reopened
/// a shared submission (it is a draft again), or it changed since it was shared.
pub fn partner_sees_older_version(response: &responses::Model) -> bool {
    response
        .shared_answers
        .as_deref()
        .is_some_and(|shared| shared != response.answers || !status_of(Some(response)).is_done())
}

pub(super) fn stored_answers(response: &responses::Model) -> Result<Answers, AppError> {
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

/// A case's [`CaseHomework`], for a case whose partner rows (in position order) are already read.
pub(super) async fn homework_with_partners(
    db: &impl ConnectionTrait,
    case_id: i32,
    partners: Vec<partners::Model>,
) -> Result<CaseHomework, AppError> {
    // Each assignment with the exercise version it was given, for its title.
    let version_of_assignment: RelationDef = assignments::Entity::belongs_to(exercise_versions::Entity)
        .from(assignments::Column::ExerciseVersionId)
        .to(exercise_versions::Column::Id)
        .into();
    let rows = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .join(JoinType::LeftJoin, version_of_assignment)
        .select_also(exercise_versions::Entity)
        .order_by_asc(assignments::Column::Id)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(CaseHomework { partners, assignments: Vec::new() });
    }
    let ids: Vec<i32> = rows.iter().map(|(a, _)| a.id).collect();
    let all_responses =
        responses::Entity::find().filter(responses::Column::AssignmentId.is_in(ids)).all(db).await?;
    let mut assignments = Vec::new();
    for (assignment, version) in rows {
        let title = content_of(&version.ok_or(AppError::Internal)?)?.title;
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

/// An assignment of the client's case given to this partner and already open; another
/// case's assignment is "not found", a locked step is refused with a message.
pub(super) async fn open_assignment_of(
    db: &impl ConnectionTrait,
    partner: &partners::Model,
    case: &cases::Model,
    assignment_id: i32,
) -> Result<assignments::Model, AppError> {
    let assignment = assignments::Entity::find_by_id(assignment_id)
        .filter(assignments::Column::CaseId.eq(case.id))
        .all(db)
        .await?
        .into_iter()
        .next()
        .filter(|a| a.recipients.includes(partner.position))
        .ok_or(AppError::NotFound)?;
    if assignment.skipped_at.is_some() {
        return Err(AppError::conflict(format!(
            "Your therapist skipped this step: {}",
            assignment.skip_reason
        )));
    }
    if assignment.unlocked_at.is_none() {
        return Err(AppError::conflict("This step opens when you have both finished the step before it."));
    }
    Ok(assignment)
}

/// Where a partner's response stands (no response: not started).
pub fn status_of(response: Option<&responses::Model>) -> ResponseStatus {
    response.map_or(ResponseStatus::NotStarted, |r| r.status)
}
