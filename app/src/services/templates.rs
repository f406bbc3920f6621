//! A therapist's own exercises: create, edit (each save is a new version), duplicate,
//! archive, and assign one to a case. Assignments keep the version they were given, so
//! editing an exercise never changes homework already assigned.

use super::{
    access::owned_case,
    audit::{self, AuditAction, AuditEvent},
    homework::{self, content_of},
    Actor,
};
use crate::{
    domain::{case::CaseStatus, dates, exercise::ExerciseTemplate, homework::Recipients, Role},
    entities::{assignments, exercise_templates, exercise_versions},
    error::{AppError, FieldContext},
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, IntoCondition},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef, TransactionSession, TransactionTrait,
};

/// One of the therapist's exercises with its current content.
#[derive(Debug, Clone)]
pub struct OwnTemplate {
    /// The template row (title, version, archived).
    pub template: exercise_templates::Model,
    /// The current version's content.
    pub content: ExerciseTemplate,
}

/// The therapist's template, or "not found" (another therapist's, or a built-in step).
async fn owned_template(
    db: &impl ConnectionTrait,
    actor: Actor,
    template_id: i32,
) -> Result<exercise_templates::Model, AppError> {
    actor.require_role(Role::Therapist)?;
    exercise_templates::Entity::find_by_id(template_id)
        .filter(exercise_templates::Column::TherapistId.eq(actor.user_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

async fn current_version(
    db: &impl ConnectionTrait,
    template: &exercise_templates::Model,
) -> Result<exercise_versions::Model, AppError> {
    exercise_versions::Entity::find()
        .filter(exercise_versions::Column::TemplateId.eq(template.id))
        .filter(exercise_versions::Column::Version.eq(template.current_version))
        .one(db)
        .await?
        .ok_or(AppError::Internal)
}

/// The therapist's exercises, newest first (archived ones too, marked by `archived_at`).
pub async fn list(db: &impl ConnectionTrait, actor: Actor) -> Result<Vec<OwnTemplate>, AppError> {
    actor.require_role(Role::Therapist)?;
    // Each exercise with its current version (not the earlier ones) in one statement.
    let current_version: RelationDef = exercise_templates::Entity::belongs_to(exercise_versions::Entity)
        .from(exercise_templates::Column::Id)
        .to(exercise_versions::Column::TemplateId)
        .on_condition(|_, version| {
            Expr::col((version, exercise_versions::Column::Version))
                .equals((exercise_templates::Entity, exercise_templates::Column::CurrentVersion))
                .into_condition()
        })
        .into();
    exercise_templates::Entity::find()
        .filter(exercise_templates::Column::TherapistId.eq(actor.user_id))
        .join(JoinType::LeftJoin, current_version)
        .select_also(exercise_versions::Entity)
        .order_by_desc(exercise_templates::Column::UpdatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|(template, current)| {
            let current = current.ok_or(AppError::Internal)?;
            Ok(OwnTemplate { content: content_of(&current)?, template })
        })
        .collect()
}

/// One of the therapist's exercises.
pub async fn get(db: &impl ConnectionTrait, actor: Actor, template_id: i32) -> Result<OwnTemplate, AppError> {
    let template = owned_template(db, actor, template_id).await?;
    let content = content_of(&current_version(db, &template).await?)?;
    Ok(OwnTemplate { template, content })
}

/// Creates an exercise (`template_id` none) or saves a new version of one. Returns its id.
pub async fn save(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    template_id: Option<i32>,
    content: &ExerciseTemplate,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    actor.require_role(Role::Therapist)?;
    content.validate().map_err(|problem| AppError::invalid("content", problem.0))?;
    let json = serde_json::to_string(content).map_err(|_| AppError::Internal)?;
    let txn = db.begin().await?;
    let (id, version) = match template_id {
        Some(id) => {
            let template = owned_template(&txn, actor, id).await?;
            let next = template.current_version + 1;
            let mut active = template.into_active_model();
            active.title = Set(content.title.trim().to_owned());
            active.current_version = Set(next);
            active.updated_at = Set(now);
            active.update(&txn).await?;
            (id, next)
        }
        None => {
            let id = exercise_templates::Entity::insert(exercise_templates::ActiveModel {
                therapist_id: Set(Some(actor.user_id)),
                built_in_key: Set(None),
                title: Set(content.title.trim().to_owned()),
                current_version: Set(1),
                archived_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .exec(&txn)
            .await?
            .last_insert_id;
            (id, 1)
        }
    };
    exercise_versions::Entity::insert(exercise_versions::ActiveModel {
        template_id: Set(id),
        version: Set(version),
        content: Set(json),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    audit::record(&txn, AuditEvent::by(actor, AuditAction::TemplateSaved, "exercise_template", id), now)
        .await?;
    txn.commit().await?;
    Ok(id)
}

/// Copies an exercise as a new one titled "Copy of …". Returns the copy's id.
pub async fn duplicate(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    template_id: i32,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let mut content = get(db, actor, template_id).await?.content;
    content.title = format!("Copy of {}", content.title).chars().take(200).collect();
    save(db, actor, None, &content, now).await
}

/// Archives an exercise (it can no longer be assigned) or restores it.
pub async fn set_archived(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    template_id: i32,
    archived: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let template = owned_template(&txn, actor, template_id).await?;
    let mut active = template.into_active_model();
    active.archived_at = Set(archived.then_some(now));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    audit::record(
        &txn,
        AuditEvent::by(actor, AuditAction::TemplateArchiveChanged, "exercise_template", template_id),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Which exercise goes to whom, by when, with what note.
#[derive(Debug, Clone, Copy)]
pub struct ExerciseAssignment<'a> {
    /// One of the therapist's exercises.
    pub template_id: i32,
    /// Both partners or one.
    pub recipients: Recipients,
    /// An optional due date.
    pub due_on: Option<NaiveDate>,
    /// A note to the partners.
    pub note: &'a str,
}

/// Assigns the current version of one of the therapist's exercises to a case: to both
/// partners or one, open at once, with an optional due date and note.
pub async fn assign(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    assignment: ExerciseAssignment<'_>,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let ExerciseAssignment { template_id, recipients, due_on, note } = assignment;
    let note = note.trim();
    if note.chars().count() > 2_000 {
        return Err(AppError::invalid("note", "Keep the note to 2,000 characters or fewer."));
    }
    crate::domain::plain_text(note, true).field("note")?;
    if due_on.is_some_and(|date| !dates::in_range(date)) {
        return Err(AppError::invalid("due_on", dates::out_of_range().0));
    }
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?;
    if case.status == CaseStatus::Closed {
        return Err(AppError::conflict("This case is closed. Reopen it before assigning homework."));
    }
    let template = owned_template(&txn, actor, template_id).await.map_err(|error| match error {
        AppError::NotFound => AppError::invalid("template_id", "Choose one of your exercises."),
        other => other,
    })?;
    if template.archived_at.is_some() {
        return Err(AppError::invalid("template_id", "This exercise is archived. Restore it to assign it."));
    }
    let version = current_version(&txn, &template).await?;
    let id = assignments::Entity::insert(assignments::ActiveModel {
        case_id: Set(case_id),
        exercise_version_id: Set(version.id),
        programme_key: Set(None),
        step_number: Set(None),
        recipients: Set(recipients),
        mutual_reveal: Set(false),
        due_on: Set(due_on),
        note: Set(note.to_owned()),
        unlocked_at: Set(Some(now)),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    audit::record(&txn, AuditEvent::by(actor, AuditAction::HomeworkAssigned, "assignment", id), now).await?;
    homework::notify_assigned(&txn, case_id, id, recipients, now).await?;
    txn.commit().await?;
    Ok(id)
}
