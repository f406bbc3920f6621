//! The therapist's own exercises: list, open, save (a new version each time), duplicate,
//! archive.

use crate::{domain::exercise::ExerciseTemplate, error::AppError};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {super::request, crate::services::templates};

/// One exercise in the therapist's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSummary {
    /// The exercise.
    pub id: i32,
    /// Its title.
    pub title: String,
    /// What it is for.
    pub summary: String,
    /// How many questions it has.
    pub question_count: usize,
    /// Its current version.
    pub version: i32,
    /// Archived exercises cannot be assigned.
    pub archived: bool,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// One exercise, to edit and preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateView {
    /// The exercise.
    pub id: i32,
    /// Its current version.
    pub version: i32,
    /// Archived exercises cannot be assigned.
    pub archived: bool,
    /// The current version's content.
    pub content: ExerciseTemplate,
}

#[cfg(feature = "ssr")]
impl From<templates::OwnTemplate> for TemplateSummary {
    fn from(found: templates::OwnTemplate) -> Self {
        TemplateSummary {
            id: found.template.id,
            title: found.content.title,
            summary: found.content.summary,
            question_count: found.content.questions.len(),
            version: found.template.current_version,
            archived: found.template.archived_at.is_some(),
            updated_at: found.template.updated_at,
        }
    }
}

/// The therapist's exercises, newest first.
#[server(endpoint = "templates/list")]
pub async fn load_templates() -> Result<Vec<TemplateSummary>, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    Ok(templates::list(req.db(), actor).await?.into_iter().map(TemplateSummary::from).collect())
}

/// One of the therapist's exercises.
#[server(endpoint = "templates/get")]
pub async fn load_template(template_id: i32) -> Result<TemplateView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let found = templates::get(req.db(), actor, template_id).await?;
    Ok(TemplateView {
        id: found.template.id,
        version: found.template.current_version,
        archived: found.template.archived_at.is_some(),
        content: found.content,
    })
}

/// Creates an exercise (no `template_id`) or saves a new version. `content` is the
/// exercise as JSON. Returns the exercise's id.
#[server(endpoint = "templates/save")]
pub async fn save_template(template_id: Option<i32>, content: String) -> Result<i32, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let content: ExerciseTemplate = serde_json::from_str(&content).map_err(|_| {
        AppError::invalid("content", "The exercise could not be read. Reload the page and try again.")
    })?;
    templates::save(req.db(), actor, template_id, &content, request::now()).await
}

/// Copies an exercise. Returns the copy's id.
#[server(endpoint = "templates/duplicate")]
pub async fn duplicate_template(template_id: i32) -> Result<i32, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    templates::duplicate(req.db(), actor, template_id, request::now()).await
}

/// Archives (`archived` = true) or restores an exercise.
#[server(endpoint = "templates/archive")]
pub async fn archive_template(template_id: i32, archived: bool) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    templates::set_archived(req.db(), actor, template_id, archived, request::now()).await
}
