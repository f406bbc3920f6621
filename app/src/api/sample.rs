//! The sample practice: add or remove the fictional sample couples, and read a sample
//! partner's home as they would see it (read-only, for sample cases only).

use super::cases::MyHomeworkView;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::request, crate::services::sample};

/// Adds the three sample couples to the signed-in therapist's caseload.
#[server(endpoint = "sample/add")]
pub async fn add_sample_couples() -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    sample::add_sample_couples(req.db(), actor, request::now()).await?;
    leptos_axum::redirect("/caseload");
    Ok(())
}

/// Removes the signed-in therapist's sample couples completely.
#[server(endpoint = "sample/remove")]
pub async fn remove_sample_couples() -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    sample::remove_sample_couples(req.db(), actor, request::now()).await?;
    leptos_axum::redirect("/caseload");
    Ok(())
}

/// A sample partner's "My homework" as they would see it ("View as Alex"), for the case's
/// therapist; refused for a real case.
#[server(endpoint = "sample/view_as")]
pub async fn load_sample_view(case_id: i32, partner_id: i32) -> Result<MyHomeworkView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let page = sample::view_as(req.db(), actor, case_id, partner_id, request::now()).await?;
    Ok(MyHomeworkView::new(page, false))
}
