//! Server functions for scored measures: the therapist builds measures, schedules them for
//! a case and reads each partner's totals; a client fills in the measures scheduled for
//! them (their home lists them, see `cases::load_my_homework_page`). A client never receives a total, nor anything of the other partner's.

use crate::{
    domain::measure::{MeasureText, Score},
    error::AppError,
};
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::{
        domain::{
            dates::FormDate,
            homework::Recipients,
            measure::{EveryWeeks, Schedule},
        },
        error::FieldContext,
        services::measures,
    },
};

/// One of the therapist's measures, as their list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureSummary {
    /// The measure.
    pub id: i32,
    /// Its title.
    pub title: String,
    /// Its current version.
    pub version: i32,
    /// How many items.
    pub items: usize,
    /// Archived (cannot be scheduled).
    pub archived: bool,
}

/// One of the therapist's measures, for editing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureEditView {
    /// The measure.
    pub id: i32,
    /// Its current version.
    pub version: i32,
    /// The current version as the form shows it.
    pub text: MeasureText,
}

/// A cut-off band on the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandView {
    /// Lowest total.
    pub from: Score,
    /// Highest total.
    pub to: Score,
    /// What it means.
    pub label: String,
}

/// One total on the chart and in the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointView {
    /// The due date it answered.
    pub due_on: NaiveDate,
    /// The total.
    pub total: Score,
    /// Its band's label.
    pub band: Option<String>,
    /// The measure version answered.
    pub version: i32,
}

#[cfg(feature = "ssr")]
impl From<measures::TotalPoint> for PointView {
    fn from(point: measures::TotalPoint) -> Self {
        PointView { due_on: point.due_on, total: point.total, band: point.band, version: point.version }
    }
}

/// One partner's totals, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerPointsView {
    /// First name.
    pub first_name: String,
    /// Totals, oldest first.
    pub points: Vec<PointView>,
}

/// A measure scheduled for a case, with the totals given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleView {
    /// The schedule.
    pub id: i32,
    /// The measure's title.
    pub title: String,
    /// To whom, in words.
    pub recipients: String,
    /// When, in words.
    pub when: String,
    /// Stopped by the therapist.
    pub stopped: bool,
    /// Lowest possible total (current version).
    pub low: Score,
    /// Highest possible total (current version).
    pub high: Score,
    /// Cut-off bands (current version).
    pub bands: Vec<BandView>,
    /// Each recipient's totals.
    pub partners: Vec<PartnerPointsView>,
}

/// The measures part of a case page (its homework tab).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseMeasuresView {
    /// The therapist's measures that can be scheduled: `(id, title)`.
    pub available: Vec<(i32, String)>,
    /// The case's schedules, newest first.
    pub schedules: Vec<ScheduleView>,
}

/// A measure scheduled for the signed-in client, on their home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientMeasureView {
    /// The schedule (the page's id).
    pub schedule_id: i32,
    /// The title.
    pub title: String,
    /// The due date open now.
    pub due_on: Option<NaiveDate>,
    /// Answered for that date.
    pub answered: bool,
    /// The next due date.
    pub next_on: Option<NaiveDate>,
}

#[cfg(feature = "ssr")]
impl From<measures::ClientMeasure> for ClientMeasureView {
    fn from(m: measures::ClientMeasure) -> Self {
        ClientMeasureView {
            schedule_id: m.schedule_id,
            title: m.title,
            due_on: m.due_on,
            answered: m.answered,
            next_on: m.next_on,
        }
    }
}

/// A scheduled measure as the client fills it in: the items and the options' labels only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureSheetView {
    /// The schedule.
    pub schedule_id: i32,
    /// The title.
    pub title: String,
    /// What to read first.
    pub instructions: String,
    /// The items, in order.
    pub items: Vec<String>,
    /// The answer options' labels, in order (their index is the answer).
    pub options: Vec<String>,
    /// The due date open now.
    pub due_on: Option<NaiveDate>,
    /// When they answered it.
    pub answered_at: Option<DateTime<Utc>>,
    /// The next due date.
    pub next_on: Option<NaiveDate>,
}

/// The therapist's measures.
#[server(endpoint = "measures/list")]
pub async fn load_measures() -> Result<Vec<MeasureSummary>, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    Ok(measures::list(req.db(), actor)
        .await?
        .into_iter()
        .map(|m| MeasureSummary {
            id: m.measure.id,
            title: m.content.title.clone(),
            version: m.measure.current_version,
            items: m.content.items.len(),
            archived: m.measure.archived_at.is_some(),
        })
        .collect())
}

/// One of the therapist's measures, for editing.
#[server(endpoint = "measures/get")]
pub async fn load_measure(measure_id: i32) -> Result<MeasureEditView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let found = measures::get(req.db(), actor, measure_id).await?;
    Ok(MeasureEditView {
        id: found.measure.id,
        version: found.measure.current_version,
        text: found.content.to_text(),
    })
}

/// Creates a measure (no `measure_id`) or saves a new version. Returns its id.
#[server(endpoint = "measures/save")]
pub async fn save_measure(
    #[server(default)] measure_id: Option<i32>,
    title: String,
    #[server(default)] instructions: String,
    options: String,
    items: String,
    scoring: String,
    #[server(default)] bands: String,
) -> Result<i32, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let text = MeasureText { title, instructions, options, items, scoring, bands };
    measures::save(req.db(), actor, measure_id, &text, request::now()).await
}

/// Copies the built-in "How connected do we feel" measure. Returns the copy's id.
#[server(endpoint = "measures/copy_built_in")]
pub async fn copy_built_in_measure() -> Result<i32, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    measures::copy_built_in(req.db(), actor, request::now()).await
}

/// Archives (`archived` = true) or restores a measure.
#[server(endpoint = "measures/archive")]
pub async fn archive_measure(measure_id: i32, archived: bool) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    measures::set_archived(req.db(), actor, measure_id, archived, request::now()).await
}

#[cfg(feature = "ssr")]
impl From<measures::ScheduleResults> for ScheduleView {
    fn from(results: measures::ScheduleResults) -> Self {
        let (low, high) = results.measure.range();
        ScheduleView {
            id: results.schedule.id,
            title: results.measure.title.clone(),
            recipients: results.schedule.recipients.label().to_owned(),
            when: measures::schedule_of(&results.schedule).describe(),
            stopped: results.schedule.stopped_at.is_some(),
            low,
            high,
            bands: results
                .measure
                .bands
                .iter()
                .map(|b| BandView { from: b.from, to: b.to, label: b.label.clone() })
                .collect(),
            partners: results
                .partners
                .into_iter()
                .map(|p| PartnerPointsView {
                    first_name: p.first_name,
                    points: p.points.into_iter().map(PointView::from).collect(),
                })
                .collect(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<measures::CaseMeasures> for CaseMeasuresView {
    fn from(found: measures::CaseMeasures) -> Self {
        CaseMeasuresView {
            available: found.available.into_iter().map(|m| (m.measure.id, m.content.title)).collect(),
            schedules: found.schedules.into_iter().map(ScheduleView::from).collect(),
        }
    }
}

/// Schedules a measure for a case: `repeat` is `once` or `weeks` (then `every_weeks`).
#[server(endpoint = "measures/schedule")]
pub async fn schedule_measure(
    case_id: i32,
    measure_id: i32,
    recipients: String,
    starts_on: String,
    repeat: String,
    #[server(default)] every_weeks: String,
) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    actor.require_role(crate::domain::Role::Therapist)?;
    let recipients = Recipients::parse(&recipients).field("recipients")?;
    let starts_on = FormDate::parse(&starts_on).field("starts_on")?.date();
    let every = match repeat.as_str() {
        "weeks" => Some(EveryWeeks::parse(&every_weeks).field("every_weeks")?),
        "once" => None,
        _ => return Err(AppError::invalid("repeat", "Choose once or every few weeks.")),
    };
    let new = measures::NewSchedule { measure_id, recipients, schedule: Schedule { starts_on, every } };
    measures::schedule(req.db(), actor, case_id, new, request::now()).await.map(|_| ())
}

/// Stops a schedule (the answers given stay).
#[server(endpoint = "measures/stop")]
pub async fn stop_measure_schedule(schedule_id: i32) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    measures::stop_schedule(req.db(), actor, schedule_id, request::now()).await
}

/// One scheduled measure for the signed-in client to fill in.
#[server(endpoint = "measures/sheet")]
pub async fn load_measure_sheet(schedule_id: i32) -> Result<MeasureSheetView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let sheet = measures::sheet(req.db(), actor, schedule_id, request::now()).await?;
    Ok(MeasureSheetView {
        schedule_id: sheet.schedule_id,
        title: sheet.measure.title,
        instructions: sheet.measure.instructions,
        items: sheet.measure.items.into_iter().map(|i| i.text).collect(),
        options: sheet.measure.options.into_iter().map(|o| o.label).collect(),
        due_on: sheet.due_on,
        answered_at: sheet.answered_at,
        next_on: sheet.next_on,
    })
}

/// The client answers the measure due now: `answers[item_0]`, … each an option's index.
#[server(endpoint = "measures/answer")]
pub async fn answer_measure(
    schedule_id: i32,
    #[server(default)] answers: BTreeMap<String, String>,
) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let field = |i: usize| answers.get(&format!("item_{i}")).map(String::as_str);
    measures::answer(req.db(), actor, schedule_id, field, request::now()).await
}
