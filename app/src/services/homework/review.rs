//! The therapist's side of homework: a case's assignments, caseload summaries, the
//! side-by-side review, comments to one partner, and marking reviewed or reopening.

use super::{
    super::access::{owned_case, partners_of, OwnedCase},
    super::audit::{self, AuditAction, AuditEvent},
    super::{email, reminders, Actor},
    shared::*,
};
use crate::{
    domain::{
        answers::{Answers, MAX_COMMENT_CHARS},
        exercise::ExerciseTemplate,
        homework::{Recipients, ResponseStatus},
        Role,
    },
    entities::{assignments, comments, partners, responses},
    error::{AppError, FieldContext},
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, JoinType,
    QueryFilter, QueryOrder, QuerySelect, RelationDef, TransactionSession, TransactionTrait,
};
use std::collections::BTreeMap;

/// The therapist's view of a case's homework.
pub async fn case_homework(db: &impl ConnectionTrait, case: &OwnedCase) -> Result<CaseHomework, AppError> {
    homework_with_partners(db, case.id, case.partners(db).await?.to_vec()).await
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

/// One open assignment of the caseload's page with one recipient's response, if any: only
/// the columns a [`HomeworkSummary`] needs (never the answers).
type SummaryRow =
    (i32, i32, bool, Option<i16>, Recipients, Option<NaiveDate>, bool, Option<i32>, Option<ResponseStatus>);

/// Homework summaries for a page of cases, in one query: each open assignment joined to its
/// responses' partner and status. `today` is the therapist's date.
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
    let response_of_assignment: RelationDef = assignments::Entity::belongs_to(responses::Entity)
        .from(assignments::Column::Id)
        .to(responses::Column::AssignmentId)
        .into();
    let rows: Vec<SummaryRow> = assignments::Entity::find()
        .select_only()
        .column(assignments::Column::Id)
        .column(assignments::Column::CaseId)
        .expr(assignments::Column::ProgrammeKey.is_not_null())
        .column(assignments::Column::StepNumber)
        .column(assignments::Column::Recipients)
        .column(assignments::Column::DueOn)
        .expr(assignments::Column::SkippedAt.is_not_null())
        .column(responses::Column::PartnerId)
        .column(responses::Column::Status)
        .join(JoinType::LeftJoin, response_of_assignment)
        .filter(assignments::Column::CaseId.is_in(case_ids.iter().copied()))
        .filter(assignments::Column::UnlockedAt.is_not_null())
        .order_by_asc(assignments::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut assignment_ids: Vec<i32> = rows.iter().map(|row| row.0).collect();
    assignment_ids.dedup();
    for assignment_id in assignment_ids {
        let of_assignment: Vec<&SummaryRow> = rows.iter().filter(|row| row.0 == assignment_id).collect();
        let &(_, case_id, in_programme, step_number, recipients, due_on, skipped, _, _) = of_assignment[0];
        let Some(summary) = found.get_mut(&case_id) else { continue };
        let status_of_partner = |partner_id: i32| {
            of_assignment
                .iter()
                .find(|row| row.7 == Some(partner_id))
                .and_then(|row| row.8)
                .unwrap_or(ResponseStatus::NotStarted)
        };
        summary.waiting_for_review +=
            of_assignment.iter().filter(|row| row.8 == Some(ResponseStatus::Submitted)).count();
        if in_programme {
            summary.current_step = summary.current_step.max(step_number);
        }
        let unfinished = case_partners
            .iter()
            .filter(|p| p.case_id == case_id && recipients.includes(p.position))
            .any(|p| !status_of_partner(p.id).is_done());
        if unfinished && !skipped && due_on.is_some_and(|due| due < today) {
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
    // The sheet shows both partners' writing, so the entry names the case, not one partner.
    let event = AuditEvent::by(actor, AuditAction::HomeworkReviewed, "assignment", assignment.id);
    audit::record(db, event.concerning(case.id, None), now).await?;
    Ok(ReviewSheet { assignment, case_label: case.into_model().label, exercise, partners })
}

/// The therapist's response and its case's id, or not found.
async fn owned_response(
    db: &impl ConnectionTrait,
    actor: Actor,
    response_id: i32,
) -> Result<(responses::Model, i32), AppError> {
    actor.require_role(Role::Therapist)?;
    let response = responses::Entity::find_by_id(response_id).one(db).await?.ok_or(AppError::NotFound)?;
    let assignment =
        assignments::Entity::find_by_id(response.assignment_id).one(db).await?.ok_or(AppError::NotFound)?;
    owned_case(db, actor, assignment.case_id).await?;
    Ok((response, assignment.case_id))
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
    crate::domain::plain_text(body, true).field("body")?;
    let txn = db.begin().await?;
    let (response, case_id) = owned_response(&txn, actor, response_id).await?;
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
        let content = email::client_notice(&partner.first_name, email::ClientNotice::Comment);
        reminders::notify_client_for_therapist(&txn, &partner, &format!("comment:{id}"), content, now)
            .await?;
    }
    let event = AuditEvent::by(actor, AuditAction::CommentAdded, "comment", id);
    audit::record(&txn, event.concerning(case_id, Some(response.partner_id)), now).await?;
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
    let (response, case_id) = owned_response(&txn, actor, response_id).await?;
    let partner_id = response.partner_id;
    let status = status_of(Some(&response));
    if !status.is_done() {
        return Err(AppError::conflict("This is still a draft; it can be reviewed once it is submitted."));
    }
    let mut active = response.into_active_model();
    if reviewed {
        active.status = Set(ResponseStatus::Reviewed);
        active.reviewed_at = Set(Some(now));
    } else {
        active.status = Set(ResponseStatus::Draft);
        active.submitted_at = Set(None);
        active.reviewed_at = Set(None);
    }
    active.update(&txn).await?;
    let action = if reviewed { AuditAction::HomeworkMarkedReviewed } else { AuditAction::HomeworkReopened };
    let event = AuditEvent::by(actor, action, "response", response_id);
    audit::record(&txn, event.concerning(case_id, Some(partner_id)), now).await?;
    txn.commit().await?;
    Ok(())
}
