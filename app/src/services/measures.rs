//! Scored measures: the therapist's measures (each save a new version, like exercises),
//! their schedules for a case, the partners' answers and the totals over time.
//!
//! A partner's answers and totals are theirs and the therapist's: the other partner never
//! reads them, and no client reads a total at all. Answers keep the version they answered,
//! so editing a measure never changes a total already given.

use super::{
    access::{couple_of, owned_case, refuse_unless_active, OwnedCase},
    audit::{self, AuditAction, AuditEvent},
    clock::today_in,
    Actor,
};
use crate::{
    domain::{
        case::CaseStatus,
        homework::Recipients,
        measure::{connection_check, EveryWeeks, Measure, MeasureText, Schedule, Score},
        Role,
    },
    entities::{measure_answers, measure_schedules, measure_versions, measures, partners, users},
    error::AppError,
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Func, IntoCondition, Query},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IntoActiveModel, JoinType, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, RelationDef, TransactionSession, TransactionTrait,
};
use std::collections::HashMap;

/// One of the therapist's measures with its current version.
#[derive(Debug, Clone)]
pub struct OwnMeasure {
    /// The measure row (title, current version, archived).
    pub measure: measures::Model,
    /// The current version's content.
    pub content: Measure,
}

fn content_of(version: &measure_versions::Model) -> Result<Measure, AppError> {
    serde_json::from_str(&version.content).map_err(|_| AppError::Internal)
}

/// The therapist's measure, or "not found" (another therapist's).
async fn owned_measure(
    db: &impl ConnectionTrait,
    actor: Actor,
    measure_id: i32,
) -> Result<measures::Model, AppError> {
    actor.require_role(Role::Therapist)?;
    measures::Entity::find_by_id(measure_id)
        .filter(measures::Column::TherapistId.eq(actor.user_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

async fn current_version(
    db: &impl ConnectionTrait,
    measure: &measures::Model,
) -> Result<measure_versions::Model, AppError> {
    measure_versions::Entity::find()
        .filter(measure_versions::Column::MeasureId.eq(measure.id))
        .filter(measure_versions::Column::Version.eq(measure.current_version))
        .one(db)
        .await?
        .ok_or(AppError::Internal)
}

/// The therapist's measures, newest first (archived ones too).
pub async fn list(db: &impl ConnectionTrait, actor: Actor) -> Result<Vec<OwnMeasure>, AppError> {
    actor.require_role(Role::Therapist)?;
    // Each measure with its current version (not the earlier ones) in one statement.
    let current_version: RelationDef = measures::Entity::belongs_to(measure_versions::Entity)
        .from(measures::Column::Id)
        .to(measure_versions::Column::MeasureId)
        .on_condition(|_, version| {
            Expr::col((version, measure_versions::Column::Version))
                .equals((measures::Entity, measures::Column::CurrentVersion))
                .into_condition()
        })
        .into();
    measures::Entity::find()
        .filter(measures::Column::TherapistId.eq(actor.user_id))
        .join(JoinType::LeftJoin, current_version)
        .select_also(measure_versions::Entity)
        .order_by_desc(measures::Column::UpdatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|(measure, current)| {
            let current = current.ok_or(AppError::Internal)?;
            Ok(OwnMeasure { content: content_of(&current)?, measure })
        })
        .collect()
}

/// One of the therapist's measures.
pub async fn get(db: &impl ConnectionTrait, actor: Actor, measure_id: i32) -> Result<OwnMeasure, AppError> {
    let measure = owned_measure(db, actor, measure_id).await?;
    let content = content_of(&current_version(db, &measure).await?)?;
    Ok(OwnMeasure { measure, content })
}

/// Creates a measure (`measure_id` none) or saves a new version of one, from the
/// therapist's form; a refusal names its field. Answers already given keep their version.
/// Returns the measure's id.
pub async fn save(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    measure_id: Option<i32>,
    text: &MeasureText,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    actor.require_role(Role::Therapist)?;
    let content = Measure::parse(text).map_err(|p| AppError::invalid(p.field, p.problem.0))?;
    save_content(db, actor, measure_id, &content, now).await
}

async fn save_content(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    measure_id: Option<i32>,
    content: &Measure,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let json = serde_json::to_string(content).map_err(|_| AppError::Internal)?;
    let txn = db.begin().await?;
    let (id, version) = match measure_id {
        Some(id) => {
            let measure = owned_measure(&txn, actor, id).await?;
            let next = measure.current_version + 1;
            let mut active = measure.into_active_model();
            active.title = Set(content.title.clone());
            active.current_version = Set(next);
            active.updated_at = Set(now);
            active.update(&txn).await?;
            (id, next)
        }
        None => {
            let id = measures::Entity::insert(measures::ActiveModel {
                therapist_id: Set(actor.user_id),
                title: Set(content.title.clone()),
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
    measure_versions::Entity::insert(measure_versions::ActiveModel {
        measure_id: Set(id),
        version: Set(version),
        content: Set(json),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    audit::record(&txn, AuditEvent::by(actor, AuditAction::MeasureSaved, "measure", id), now).await?;
    txn.commit().await?;
    Ok(id)
}

/// Copies the app's built-in "How connected do we feel" measure as the therapist's own,
/// to use or edit. Returns the copy's id.
pub async fn copy_built_in(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    actor.require_role(Role::Therapist)?;
    save_content(db, actor, None, &connection_check(), now).await
}

/// Archives a measure (it can no longer be scheduled) or restores it.
pub async fn set_archived(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    measure_id: i32,
    archived: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let measure = owned_measure(&txn, actor, measure_id).await?;
    let mut active = measure.into_active_model();
    active.archived_at = Set(archived.then_some(now));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    audit::record(&txn, AuditEvent::by(actor, AuditAction::MeasureSaved, "measure", measure_id), now).await?;
    txn.commit().await?;
    Ok(())
}

/// Which measure goes to whom, and when.
#[derive(Debug, Clone, Copy)]
pub struct NewSchedule {
    /// One of the therapist's measures.
    pub measure_id: i32,
    /// Both partners or one.
    pub recipients: Recipients,
    /// Once, or every N weeks, from a first date.
    pub schedule: Schedule,
}

/// Schedules one of the therapist's measures for a case. Returns the schedule's id.
pub async fn schedule(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    new: NewSchedule,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    if !crate::domain::dates::in_range(new.schedule.starts_on) {
        return Err(AppError::invalid("starts_on", crate::domain::dates::out_of_range().0));
    }
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?;
    if case.status == CaseStatus::Closed {
        return Err(AppError::conflict("This case is closed. Reopen it before scheduling a measure."));
    }
    let measure = owned_measure(&txn, actor, new.measure_id).await.map_err(|error| match error {
        AppError::NotFound => AppError::invalid("measure_id", "Choose one of your measures."),
        other => other,
    })?;
    if measure.archived_at.is_some() {
        return Err(AppError::invalid("measure_id", "This measure is archived. Restore it to schedule it."));
    }
    let id = measure_schedules::Entity::insert(measure_schedules::ActiveModel {
        case_id: Set(case_id),
        measure_id: Set(measure.id),
        recipients: Set(new.recipients),
        starts_on: Set(new.schedule.starts_on),
        every_weeks: Set(new.schedule.every.map(|every| i16::from(every.weeks()))),
        stopped_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    audit::record(
        &txn,
        AuditEvent::by(actor, AuditAction::MeasureScheduled, "measure_schedule", id)
            .concerning(case_id, None),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Stops a schedule: nothing more falls due; the answers given stay.
pub async fn stop_schedule(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    schedule_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    actor.require_role(Role::Therapist)?;
    let txn = db.begin().await?;
    let row =
        measure_schedules::Entity::find_by_id(schedule_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    owned_case(&txn, actor, row.case_id).await?;
    let case_id = row.case_id;
    let mut active = row.into_active_model();
    active.stopped_at = Set(Some(now));
    active.update(&txn).await?;
    audit::record(
        &txn,
        AuditEvent::by(actor, AuditAction::MeasureScheduled, "measure_schedule", schedule_id)
            .concerning(case_id, None),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A stored schedule as the domain's [`Schedule`].
pub fn schedule_of(row: &measure_schedules::Model) -> Schedule {
    Schedule { starts_on: row.starts_on, every: row.every_weeks.and_then(EveryWeeks::from_stored) }
}

/// One total a partner gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalPoint {
    /// The due date it answered.
    pub due_on: NaiveDate,
    /// The total.
    pub total: Score,
    /// The band's label, by the version answered.
    pub band: Option<String>,
    /// The measure version answered.
    pub version: i32,
}

/// One partner's totals of one schedule, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerTotals {
    /// The partner.
    pub partner_id: i32,
    /// Their first name.
    pub first_name: String,
    /// Their totals, oldest first.
    pub points: Vec<TotalPoint>,
}

/// A schedule of a case with what was answered, for the therapist.
#[derive(Debug, Clone)]
pub struct ScheduleResults {
    /// The schedule row.
    pub schedule: measure_schedules::Model,
    /// The measure's current version (its range and bands shade the chart).
    pub measure: Measure,
    /// Each recipient's totals.
    pub partners: Vec<PartnerTotals>,
}

/// A case's measures for its therapist: the therapist's measures to schedule, and each
/// schedule's totals per partner.
#[derive(Debug, Clone)]
pub struct CaseMeasures {
    /// The therapist's measures that can be scheduled (not archived).
    pub available: Vec<OwnMeasure>,
    /// The case's schedules, newest first.
    pub schedules: Vec<ScheduleResults>,
}

/// Each schedule of a case, newest first, with each recipient's totals oldest first, read in
/// a few queries (no authorization or audit: the caller has checked that the case is the
/// actor's, and audits the read).
pub(super) async fn case_results(
    db: &impl ConnectionTrait,
    case_id: i32,
    partners: &[partners::Model],
) -> Result<Vec<ScheduleResults>, AppError> {
    let measure_of_schedule: RelationDef = measure_schedules::Entity::belongs_to(measures::Entity)
        .from(measure_schedules::Column::MeasureId)
        .to(measures::Column::Id)
        .into();
    let (schedules, measure_rows): (Vec<_>, Vec<_>) = measure_schedules::Entity::find()
        .filter(measure_schedules::Column::CaseId.eq(case_id))
        .join(JoinType::InnerJoin, measure_of_schedule)
        .select_also(measures::Entity)
        .order_by_desc(measure_schedules::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .unzip();
    if schedules.is_empty() {
        // Nothing scheduled: no answers or versions to read.
        return Ok(Vec::new());
    }
    let rows: HashMap<i32, measures::Model> = measure_rows.into_iter().flatten().map(|m| (m.id, m)).collect();
    let answers = measure_answers::Entity::find()
        .filter(measure_answers::Column::ScheduleId.is_in(schedules.iter().map(|s| s.id)))
        .order_by_asc(measure_answers::Column::DueOn)
        .all(db)
        .await?;
    let versions: HashMap<i32, measure_versions::Model> = measure_versions::Entity::find()
        .filter(measure_versions::Column::MeasureId.is_in(rows.keys().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let contents: HashMap<i32, Measure> =
        versions.iter().map(|(id, v)| Ok((*id, content_of(v)?))).collect::<Result<_, AppError>>()?;
    schedules
        .into_iter()
        .map(|schedule| {
            let row = rows.get(&schedule.measure_id).ok_or(AppError::Internal)?;
            let current = versions
                .values()
                .find(|v| v.measure_id == row.id && v.version == row.current_version)
                .and_then(|v| contents.get(&v.id))
                .ok_or(AppError::Internal)?
                .clone();
            let partners = partners
                .iter()
                .filter(|p| schedule.recipients.includes(p.position))
                .map(|p| PartnerTotals {
                    partner_id: p.id,
                    first_name: p.first_name.clone(),
                    points: answers
                        .iter()
                        .filter(|a| a.schedule_id == schedule.id && a.partner_id == p.id)
                        .map(|a| {
                            let total = Score::from_hundredths(a.total_hundredths);
                            let answered = contents.get(&a.measure_version_id);
                            TotalPoint {
                                due_on: a.due_on,
                                total,
                                band: answered.and_then(|m| m.band_of(total)).map(|b| b.label.clone()),
                                version: versions.get(&a.measure_version_id).map_or(0, |v| v.version),
                            }
                        })
                        .collect(),
                })
                .collect();
            Ok(ScheduleResults { schedule, measure: current, partners })
        })
        .collect()
}

/// The case page's measures part, for the therapist whose case `case` is (its homework tab
/// has checked): what can be scheduled, and each schedule's totals per partner. The read
/// of the totals is audited.
pub async fn case_measures(
    db: &impl ConnectionTrait,
    actor: Actor,
    case: &OwnedCase,
    now: DateTime<Utc>,
) -> Result<CaseMeasures, AppError> {
    let case_id = case.id;
    let partners = case.partners(db).await?;
    let schedules = case_results(db, case_id, partners).await?;
    let available = list(db, actor).await?.into_iter().filter(|m| m.measure.archived_at.is_none()).collect();
    audit::record(
        db,
        AuditEvent::by(actor, AuditAction::MeasureResultsViewed, "case", case_id).concerning(case_id, None),
        now,
    )
    .await?;
    Ok(CaseMeasures { available, schedules })
}

/// Each partner's latest two totals for each measure scheduled for a case (newest first),
/// for the session summary, which has checked that the case is the actor's and audits the
/// read itself.
pub(super) async fn latest_totals(
    db: &impl ConnectionTrait,
    case_id: i32,
    partners: &[partners::Model],
) -> Result<Vec<LatestTotals>, AppError> {
    let schedules = case_results(db, case_id, partners).await?;
    Ok(schedules
        .into_iter()
        .flat_map(|results| {
            let title = results.measure.title.clone();
            results.partners.into_iter().map(move |p| LatestTotals {
                title: title.clone(),
                schedule_id: results.schedule.id,
                partner_id: p.partner_id,
                first_name: p.first_name,
                latest: p.points.into_iter().rev().take(2).collect(),
            })
        })
        .collect())
}

/// One partner's latest totals of one scheduled measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestTotals {
    /// The measure's title.
    pub title: String,
    /// The schedule.
    pub schedule_id: i32,
    /// The partner.
    pub partner_id: i32,
    /// Their first name.
    pub first_name: String,
    /// At most two totals, newest first.
    pub latest: Vec<TotalPoint>,
}

/// A measure scheduled for a client, as their home lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientMeasure {
    /// The schedule.
    pub schedule_id: i32,
    /// The measure's title.
    pub title: String,
    /// The latest due date (none before the first).
    pub due_on: Option<NaiveDate>,
    /// They answered for that due date.
    pub answered: bool,
    /// The next due date after today, if it repeats.
    pub next_on: Option<NaiveDate>,
}

/// The client's couple, their therapist's "today", and the schedules addressed to them.
async fn my_schedules(
    db: &impl ConnectionTrait,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(super::access::Couple, NaiveDate, Vec<measure_schedules::Model>), AppError> {
    let couple = couple_of(db, actor).await?;
    let therapist =
        users::Entity::find_by_id(couple.case.therapist_id).one(db).await?.ok_or(AppError::Internal)?;
    let today = today_in(&therapist.time_zone, now);
    let schedules = measure_schedules::Entity::find()
        .filter(measure_schedules::Column::CaseId.eq(couple.case.id))
        .filter(measure_schedules::Column::StoppedAt.is_null())
        .order_by_asc(measure_schedules::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|s| s.recipients.includes(couple.me.position))
        .collect();
    Ok((couple, today, schedules))
}

/// The measures scheduled for one partner of a case, as their home lists them (their own,
/// never the other partner's), in one statement: each running schedule addressed to them
/// with its measure's title and the latest due date this partner answered. `today` is the
/// therapist's date.
pub async fn of_partner(
    db: &impl ConnectionTrait,
    partner: &partners::Model,
    today: NaiveDate,
) -> Result<Vec<ClientMeasure>, AppError> {
    let measure_of_schedule: RelationDef = measure_schedules::Entity::belongs_to(measures::Entity)
        .from(measure_schedules::Column::MeasureId)
        .to(measures::Column::Id)
        .into();
    let last_answered = Query::select()
        .expr(Func::max(Expr::col((measure_answers::Entity, measure_answers::Column::DueOn))))
        .from(measure_answers::Entity)
        .and_where(
            Expr::col((measure_answers::Entity, measure_answers::Column::ScheduleId))
                .equals((measure_schedules::Entity, measure_schedules::Column::Id)),
        )
        .and_where(Expr::col((measure_answers::Entity, measure_answers::Column::PartnerId)).eq(partner.id))
        .to_owned();
    let mut query = measure_schedules::Entity::find()
        .filter(measure_schedules::Column::CaseId.eq(partner.case_id))
        .filter(measure_schedules::Column::StoppedAt.is_null())
        .join(JoinType::InnerJoin, measure_of_schedule)
        .order_by_asc(measure_schedules::Column::Id)
        .into_query();
    query
        .expr_as(Expr::col((measures::Entity, measures::Column::Title)), Alias::new("measure_title"))
        .expr_as(Expr::SubQuery(None, Box::new(last_answered.into())), Alias::new("last_answered_on"));
    let mut found = Vec::new();
    for row in db.query_all(&query).await? {
        let schedule_row = measure_schedules::Model::from_query_result(&row, "")?;
        if !schedule_row.recipients.includes(partner.position) {
            continue;
        }
        let last_answered_on: Option<NaiveDate> = row.try_get("", "last_answered_on")?;
        let schedule = schedule_of(&schedule_row);
        let due_on = schedule.due_on(today);
        found.push(ClientMeasure {
            schedule_id: schedule_row.id,
            title: row.try_get("", "measure_title")?,
            due_on,
            // A due date is answered once, and never before it opens: the latest answer
            // is for the open due date exactly when that one is answered.
            answered: due_on.is_some_and(|due| last_answered_on.is_some_and(|last| last >= due)),
            next_on: next_due(&schedule, today),
        });
    }
    Ok(found)
}

/// The first due date after `today`.
fn next_due(schedule: &Schedule, today: NaiveDate) -> Option<NaiveDate> {
    match (schedule.due_on(today), schedule.every) {
        (None, _) => Some(schedule.starts_on),
        (Some(due), Some(every)) => Some(due + chrono::Duration::weeks(i64::from(every.weeks()))),
        (Some(_), None) => None,
    }
}

/// A scheduled measure as the client fills it in.
#[derive(Debug, Clone)]
pub struct MeasureSheet {
    /// The schedule.
    pub schedule_id: i32,
    /// The version they would answer (the current one).
    pub measure: Measure,
    /// The due date open now, if any.
    pub due_on: Option<NaiveDate>,
    /// When they answered that due date, if they did.
    pub answered_at: Option<DateTime<Utc>>,
    /// The next due date after today.
    pub next_on: Option<NaiveDate>,
}

/// The client's schedule by id ("not found" for a schedule of another case or addressed
/// only to the other partner).
async fn my_schedule(
    db: &impl ConnectionTrait,
    actor: Actor,
    schedule_id: i32,
    now: DateTime<Utc>,
) -> Result<(super::access::Couple, NaiveDate, measure_schedules::Model), AppError> {
    let (couple, today, schedules) = my_schedules(db, actor, now).await?;
    let row = schedules.into_iter().find(|s| s.id == schedule_id).ok_or(AppError::NotFound)?;
    Ok((couple, today, row))
}

/// One scheduled measure for the signed-in client to fill in (audited).
pub async fn sheet(
    db: &impl ConnectionTrait,
    actor: Actor,
    schedule_id: i32,
    now: DateTime<Utc>,
) -> Result<MeasureSheet, AppError> {
    let (couple, today, row) = my_schedule(db, actor, schedule_id, now).await?;
    let measure = measures::Entity::find_by_id(row.measure_id).one(db).await?.ok_or(AppError::Internal)?;
    let content = content_of(&current_version(db, &measure).await?)?;
    let schedule = schedule_of(&row);
    let due_on = schedule.due_on(today);
    let answered_at = match due_on {
        Some(due) => measure_answers::Entity::find()
            .filter(measure_answers::Column::ScheduleId.eq(row.id))
            .filter(measure_answers::Column::PartnerId.eq(couple.me.id))
            .filter(measure_answers::Column::DueOn.eq(due))
            .one(db)
            .await?
            .map(|a| a.submitted_at),
        None => None,
    };
    audit::record(
        db,
        AuditEvent::by(actor, AuditAction::MeasureOpened, "measure_schedule", row.id)
            .concerning(couple.case.id, Some(couple.me.id)),
        now,
    )
    .await?;
    Ok(MeasureSheet {
        schedule_id: row.id,
        measure: content,
        due_on,
        answered_at,
        next_on: next_due(&schedule, today),
    })
}

/// The client answers the due date open now, with the current version; a missing answer is
/// refused at its item (`item_0`, …). Each due date is answered once.
pub async fn answer<'a>(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    schedule_id: i32,
    field: impl Fn(usize) -> Option<&'a str>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let (couple, today, row) = my_schedule(&txn, actor, schedule_id, now).await?;
    refuse_unless_active(&couple.case)?;
    let schedule = schedule_of(&row);
    let Some(due_on) = schedule.due_on(today) else {
        return Err(AppError::conflict(format!("This opens on {}.", schedule.starts_on.format("%-d %b %Y"))));
    };
    let measure = measures::Entity::find_by_id(row.measure_id).one(&txn).await?.ok_or(AppError::Internal)?;
    let version = current_version(&txn, &measure).await?;
    let content = content_of(&version)?;
    let chosen = content
        .parse_answers(field)
        .map_err(|(item, problem)| AppError::invalid(&format!("item_{item}"), problem.0))?;
    let total = content.total(&chosen).map_err(|problem| AppError::invalid("item_0", problem.0))?;
    let inserted = measure_answers::Entity::insert(measure_answers::ActiveModel {
        schedule_id: Set(row.id),
        partner_id: Set(couple.me.id),
        measure_version_id: Set(version.id),
        due_on: Set(due_on),
        answers: Set(serde_json::to_string(&chosen).map_err(|_| AppError::Internal)?),
        total_hundredths: Set(total.hundredths()),
        submitted_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    match inserted {
        Ok(inserted) => {
            audit::record(
                &txn,
                AuditEvent::by(
                    actor,
                    AuditAction::MeasureAnswered,
                    "measure_answer",
                    inserted.last_insert_id,
                )
                .concerning(couple.case.id, Some(couple.me.id)),
                now,
            )
            .await?;
        }
        Err(error) if matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::conflict("You have already answered this one. Thank you."));
        }
        Err(error) => return Err(error.into()),
    }
    txn.commit().await?;
    Ok(())
}
