//! The client's side of homework: their list, opening a sheet, saving and submitting
//! answers (conflict-safe), the unlock rule that opens the next step, and sharing.

use super::{
    super::access::{client_partner, partners_of},
    super::audit::{self, AuditAction, AuditEvent},
    super::{email, reminders, Actor},
    shared::*,
};
use crate::{
    domain::{
        answers::{self, Answers, Completeness},
        baby_steps::{self, ProgrammeContent},
        exercise::ExerciseTemplate,
        homework::{previous_step_complete, ResponseStatus},
    },
    entities::{assignments, comments, exercise_versions, partners, responses},
    error::AppError,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, IntoCondition, Query},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IdenStatic, IntoActiveModel, JoinType,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, RelationDef, SelectA, SelectB, TransactionSession,
    TransactionTrait,
};
use std::collections::BTreeMap;

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
    let (partner, _) = client_partner(db, actor).await?;
    Ok(partner_homework(db, &partner).await?.items)
}

/// What one partner's "My homework" lists, and which Baby Steps steps of the case are open.
#[derive(Debug, Clone)]
pub struct PartnerHomework {
    /// What is assigned to the partner, in order, with their status and unread comments.
    pub items: Vec<HomeworkItem>,
    /// The numbers of the case's Baby Steps steps that are open, in order.
    pub open_steps: Vec<i16>,
}

/// One partner's homework in one statement: every assignment of their case with its
/// exercise version (for the title), the status of this partner's own response (never its
/// answers, and never the other partner's) and how many of the therapist's comments on it
/// are unread.
pub async fn partner_homework(
    db: &impl ConnectionTrait,
    partner: &partners::Model,
) -> Result<PartnerHomework, AppError> {
    let version_of_assignment: RelationDef = assignments::Entity::belongs_to(exercise_versions::Entity)
        .from(assignments::Column::ExerciseVersionId)
        .to(exercise_versions::Column::Id)
        .into();
    let partner_id = partner.id;
    let own_response: RelationDef = assignments::Entity::belongs_to(responses::Entity)
        .from(assignments::Column::Id)
        .to(responses::Column::AssignmentId)
        .on_condition(move |_, response| {
            Expr::col((response, responses::Column::PartnerId)).eq(partner_id).into_condition()
        })
        .into();
    let unread_comments = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from(comments::Entity)
        .and_where(
            Expr::col((comments::Entity, comments::Column::ResponseId))
                .equals((responses::Entity, responses::Column::Id)),
        )
        .and_where(Expr::col((comments::Entity, comments::Column::ReadAt)).is_null())
        .to_owned();
    let mut query = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(partner.case_id))
        .join(JoinType::InnerJoin, version_of_assignment)
        .join(JoinType::LeftJoin, own_response)
        .select_also(exercise_versions::Entity)
        .order_by_asc(assignments::Column::Id)
        .into_query();
    query
        .expr_as(Expr::col((responses::Entity, responses::Column::Status)), Alias::new("own_status"))
        .expr_as(Expr::SubQuery(None, Box::new(unread_comments.into())), Alias::new("unread_comments"));
    let mut found = PartnerHomework { items: Vec::new(), open_steps: Vec::new() };
    for row in db.query_all(&query).await? {
        let assignment = assignments::Model::from_query_result(&row, SelectA.as_str())?;
        let version = exercise_versions::Model::from_query_result(&row, SelectB.as_str())?;
        if assignment.programme_key.as_deref() == Some(baby_steps::PROGRAMME_KEY)
            && assignment.unlocked_at.is_some()
        {
            found.open_steps.extend(assignment.step_number);
        }
        if !assignment.recipients.includes(partner.position) {
            continue;
        }
        let status: Option<ResponseStatus> = row.try_get("", "own_status")?;
        let unread: i64 = row.try_get("", "unread_comments")?;
        found.items.push(HomeworkItem {
            title: content_of(&version)?.title,
            assignment,
            status: status.unwrap_or(ResponseStatus::NotStarted),
            unread_comments: usize::try_from(unread).unwrap_or(0),
        });
    }
    found.open_steps.sort_unstable();
    Ok(found)
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
    /// Whether the couple's programme speaks of sexual intimacy (the kinds a list item may
    /// be tagged with follow it).
    pub content: ProgrammeContent,
}

/// Opens an assignment for the client it was given to (audited; changes nothing else).
pub async fn open_sheet(
    db: &impl ConnectionTrait,
    actor: Actor,
    assignment_id: i32,
    now: DateTime<Utc>,
) -> Result<ExerciseSheet, AppError> {
    let (partner, case) = client_partner(db, actor).await?;
    let assignment = open_assignment_of(db, &partner, &case, assignment_id).await?;
    let seeks = partner.seeks;
    let mut exercise = exercise_of(db, &assignment).await?;
    let full_exercise = exercise.clone();
    exercise.questions = answers::questions_for(&exercise, seeks);
    let all_responses =
        responses::Entity::find().filter(responses::Column::AssignmentId.eq(assignment.id)).all(db).await?;
    let response = all_responses.iter().find(|r| r.partner_id == partner.id).cloned();
    let answers = match &response {
        Some(response) => stored_answers(response)?,
        None => Answers::new(),
    };
    // Opening the sheet reads comments but changes nothing: the page marks them read with
    // a POST once they are shown ([`mark_comments_read`]).
    let comments = match &response {
        Some(response) => {
            comments::Entity::find()
                .filter(comments::Column::ResponseId.eq(response.id))
                .order_by_asc(comments::Column::Id)
                .all(db)
                .await?
        }
        None => Vec::new(),
    };
    let others = partners_of(db, case.id).await?;
    let other = others.iter().find(|p| p.id != partner.id).ok_or(AppError::NotFound)?;
    let other_response = all_responses.iter().find(|r| r.partner_id == other.id);
    let other_has_shared = other_response.is_some_and(|r| r.shared_at.is_some());
    let own_shared = response.as_ref().is_some_and(|r| r.shared_at.is_some());
    let visible = other_has_shared && (!assignment.mutual_reveal || own_shared);
    // The partner sees the version that was shared, never a later draft (after a reopen),
    // and nothing of a partner the therapist has removed from the case.
    let shared_version =
        other_response.filter(|_| visible && other.removed_at.is_none()).and_then(shared_answers);
    let partner_answers = match shared_version {
        Some(shared) => {
            let other_seeks = other.seeks;
            let mut their_exercise = full_exercise;
            their_exercise.questions.retain(|q| answers::is_for(q, other_seeks));
            Some((their_exercise, shared?))
        }
        None => None,
    };
    let event = AuditEvent::by(actor, AuditAction::HomeworkOpened, "assignment", assignment.id);
    audit::record(db, event.concerning(case.id, Some(partner.id)), now).await?;
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
        content: ProgrammeContent::from_flag(case.without_sexual_content),
    })
}

/// Marks the therapist's comments on the client's own answers to an assignment as read
/// (the sheet calls it once they are on screen). Returns how many were new.
pub async fn mark_comments_read(
    db: &impl ConnectionTrait,
    actor: Actor,
    assignment_id: i32,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let (partner, _) = client_partner(db, actor).await?;
    let response = responses::Entity::find()
        .filter(responses::Column::AssignmentId.eq(assignment_id))
        .filter(responses::Column::PartnerId.eq(partner.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let marked = comments::Entity::update_many()
        .col_expr(comments::Column::ReadAt, sea_orm::sea_query::Expr::value(Some(now)))
        .filter(comments::Column::ResponseId.eq(response.id))
        .filter(comments::Column::ReadAt.is_null())
        .exec(db)
        .await?
        .rows_affected;
    Ok(marked)
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
    let assignment = open_assignment_of(&txn, &partner, &case, assignment_id).await?;
    let seeks = partner.seeks;
    let exercise = exercise_of(&txn, &assignment).await?;
    let completeness =
        if intent == SaveIntent::Submit { Completeness::Submission } else { Completeness::Draft };
    let content = ProgrammeContent::from_flag(case.without_sexual_content);
    let parsed = answers::parse_answers(&exercise, seeks, raw, completeness)
        .and_then(|parsed| answers::check_item_kinds(&parsed, content).map(|()| parsed))
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
            if status_of(Some(&response)).is_done() {
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
            active.status = Set(status);
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
                status: Set(status),
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
    let event = AuditEvent::by(actor, action, "assignment", assignment.id);
    audit::record(&txn, event.concerning(partner.case_id, Some(partner.id)), now).await?;
    if intent == SaveIntent::Submit {
        let key = format!("submitted:{}:{}:{new_revision}", assignment.id, partner.id);
        reminders::notify_therapist_of_submission(&txn, partner.case_id, &key, partner.id, now).await?;
        unlock_next_step_if_complete(&txn, &assignment, now).await?;
        if assignment.programme_key.as_deref() == Some(baby_steps::PROGRAMME_KEY)
            && assignment.step_number == Some(1)
        {
            crate::services::exchange::wishes_from_step_1(&txn, &partner, &parsed, now).await?;
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
    // In Baby Steps, steps 4 and 5 open by what the partners do in the exchange (every wish
    // answered; an agreement chosen each), never by the optional reflection sheets.
    if programme == baby_steps::PROGRAMME_KEY && step >= baby_steps::WISHES_STEP {
        return Ok(());
    }
    let recipients = assignment.recipients;
    let partners = partners_of(db, assignment.case_id).await?;
    let all_responses =
        responses::Entity::find().filter(responses::Column::AssignmentId.eq(assignment.id)).all(db).await?;
    let statuses: Vec<ResponseStatus> = partners
        .iter()
        .filter(|p| recipients.includes(p.position))
        .map(|p| status_of(all_responses.iter().find(|r| r.partner_id == p.id)))
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
        super::notify_step_opened(db, &next, now).await?;
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
    if !status_of(Some(&response)).is_done() {
        return Err(AppError::conflict("Submit your answers before you share them."));
    }
    // Sharing again after a reopen and a new submission shows the partner the new version.
    if response.shared_at.is_none() || response.shared_answers.as_deref() != Some(response.answers.as_str()) {
        let response_id = response.id;
        let answers = response.answers.clone();
        let mut active = response.into_active_model();
        active.shared_at = Set(Some(now));
        active.shared_answers = Set(Some(answers));
        active.update(&txn).await?;
        if let Some(other) =
            partners_of(&txn, partner.case_id).await?.into_iter().find(|p| p.id != partner.id)
        {
            let content = email::client_notice(&other.first_name, email::ClientNotice::PartnerShared);
            reminders::notify_client(&txn, &other, &format!("shared:{response_id}"), content, now).await?;
        }
        audit::record(
            &txn,
            AuditEvent::by(actor, AuditAction::HomeworkShared, "assignment", assignment_id)
                .concerning(partner.case_id, Some(partner.id)),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
