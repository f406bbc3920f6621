//! Homework server functions: the client's list and exercise sheets (autosave, submit,
//! share), and the therapist's assignment, progress and review.

use crate::{
    domain::{
        baby_steps::ProgrammeContent, case::Seeks, exercise::Question, homework::ResponseStatus,
        local_time::LocalTime,
    },
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
            answers::{form_value, Answers},
            dates::FormDate,
            homework::Recipients,
        },
        services::{
            clock,
            homework::{self, status_of, SaveIntent},
            templates::ExerciseAssignment,
        },
    },
};

/// One line of "My homework".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeworkListItem {
    /// The assignment.
    pub assignment_id: i32,
    /// The exercise's title.
    pub title: String,
    /// Locked until both partners finish the step before.
    pub locked: bool,
    /// When it is due.
    pub due_on: Option<NaiveDate>,
    /// The client's progress.
    pub progress: ResponseStatus,
    /// The therapist's note with the assignment.
    pub note: String,
    /// New comments from the therapist.
    pub unread_comments: usize,
    /// Why the therapist skipped this step (none: not skipped).
    pub skipped: Option<String>,
}

/// A comment from the therapist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    /// The question it is about (none: the whole exercise).
    pub question_key: Option<String>,
    /// What the therapist wrote.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Not yet seen by the client.
    pub unread: bool,
}

/// Someone's answers to a set of questions, as form values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerSet {
    /// The questions they answered.
    pub questions: Vec<Question>,
    /// Their answers by question key (lists one item per line).
    pub values: BTreeMap<String, String>,
}

/// An exercise as the client fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetView {
    /// The assignment.
    pub assignment_id: i32,
    /// The exercise's title.
    pub title: String,
    /// Its instructions (paragraphs separated by blank lines).
    pub instructions: String,
    /// The therapist's note with the assignment.
    pub note: String,
    /// The client's questions and answers so far.
    pub mine: AnswerSet,
    /// Where their answers stand.
    pub progress: ResponseStatus,
    /// The revision the answers are at (for conflict detection).
    pub revision: i32,
    /// Sharing takes effect only when both partners have shared.
    pub mutual_reveal: bool,
    /// The client has shared this version of their answers.
    pub shared: bool,
    /// The partner sees an earlier shared version: the therapist reopened the submission
    /// and it has changed since it was shared.
    pub partner_sees_older_version: bool,
    /// The other partner's first name.
    pub partner_first_name: String,
    /// The other partner has shared.
    pub partner_has_shared: bool,
    /// The other partner's answers, once they are visible to this client.
    pub partner_answers: Option<AnswerSet>,
    /// The therapist's comments to this client.
    pub comments: Vec<CommentView>,
    /// The programme step this is (none for a single exercise).
    pub step_number: Option<i16>,
    /// Whether the couple's programme speaks of sexual intimacy (the list's kinds follow it).
    pub content: ProgrammeContent,
}

/// One partner's progress on one assignment, for the therapist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerProgress {
    /// The partner's first name.
    pub first_name: String,
    /// Where their answers stand.
    pub progress: ResponseStatus,
    /// When they submitted (in the therapist's time zone).
    pub submitted_at: Option<LocalTime>,
    /// When the therapist marked it reviewed.
    pub reviewed_at: Option<LocalTime>,
}

/// One assignment on the therapist's case page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRow {
    /// The assignment.
    pub assignment_id: i32,
    /// The programme step it is (none for a single exercise).
    pub step_number: Option<i16>,
    /// Exercise title.
    pub title: String,
    /// When it was assigned (in the therapist's time zone).
    pub assigned_at: LocalTime,
    /// When it opened (none while locked).
    pub unlocked_at: Option<LocalTime>,
    /// Due date.
    pub due_on: Option<NaiveDate>,
    /// The therapist's note with it.
    pub note: String,
    /// Why the therapist skipped it (none: not skipped).
    pub skipped: Option<String>,
    /// Each partner's progress (partners it was not given to are left out).
    pub partners: Vec<PartnerProgress>,
}

/// The homework section of a case page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseHomeworkView {
    /// True when Baby Steps is assigned.
    pub has_programme: bool,
    /// Assignments in order.
    pub rows: Vec<AssignmentRow>,
}

/// One partner in a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPartner {
    /// First name.
    pub first_name: String,
    /// What they seek.
    pub seeks: Seeks,
    /// Their response, once started.
    pub response_id: Option<i32>,
    /// Where their answers stand.
    pub progress: ResponseStatus,
    /// Shared with their partner.
    pub shared: bool,
    /// Answers by question key.
    pub values: BTreeMap<String, String>,
    /// Comments made to them.
    pub comments: Vec<CommentView>,
}

/// The therapist's side-by-side review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    /// The assignment.
    pub assignment_id: i32,
    /// Its case.
    pub case_id: i32,
    /// The case's name.
    pub case_label: String,
    /// Exercise title.
    pub title: String,
    /// Every question of the version assigned.
    pub questions: Vec<Question>,
    /// Partner A and partner B.
    pub partners: Vec<ReviewPartner>,
}

#[cfg(feature = "ssr")]
fn values(answers: &Answers) -> BTreeMap<String, String> {
    answers.iter().map(|(key, answer)| (key.clone(), form_value(answer))).collect()
}

#[cfg(feature = "ssr")]
fn comment_views(comments: Vec<crate::entities::comments::Model>) -> Vec<CommentView> {
    comments
        .into_iter()
        .map(|c| CommentView {
            unread: c.read_at.is_none(),
            question_key: c.question_key,
            body: c.body,
            created_at: c.created_at,
        })
        .collect()
}

#[cfg(feature = "ssr")]
impl From<homework::HomeworkItem> for HomeworkListItem {
    fn from(item: homework::HomeworkItem) -> Self {
        HomeworkListItem {
            assignment_id: item.assignment.id,
            title: item.title,
            locked: item.assignment.unlocked_at.is_none(),
            due_on: item.assignment.due_on,
            progress: item.status,
            note: item.assignment.note,
            unread_comments: item.unread_comments,
            skipped: item.assignment.skipped_at.map(|_| item.assignment.skip_reason),
        }
    }
}

/// The client's homework.
#[server(endpoint = "homework/mine")]
pub async fn load_my_homework() -> Result<Vec<HomeworkListItem>, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    Ok(homework::my_homework(req.db(), actor).await?.into_iter().map(HomeworkListItem::from).collect())
}

#[cfg(feature = "ssr")]
impl From<homework::ExerciseSheet> for SheetView {
    fn from(sheet: homework::ExerciseSheet) -> Self {
        let progress: ResponseStatus = status_of(sheet.response.as_ref());
        SheetView {
            assignment_id: sheet.assignment.id,
            title: sheet.exercise.title.clone(),
            instructions: sheet.exercise.instructions.clone(),
            note: sheet.assignment.note.clone(),
            mine: AnswerSet { questions: sheet.exercise.questions, values: values(&sheet.answers) },
            progress,
            revision: sheet.response.as_ref().map_or(0, |r| r.revision),
            mutual_reveal: sheet.assignment.mutual_reveal,
            shared: sheet
                .response
                .as_ref()
                .is_some_and(|r| r.shared_at.is_some() && !homework::partner_sees_older_version(r)),
            partner_sees_older_version: sheet
                .response
                .as_ref()
                .is_some_and(homework::partner_sees_older_version),
            partner_first_name: sheet.other_first_name,
            partner_has_shared: sheet.other_has_shared,
            partner_answers: sheet.partner_answers.map(|(exercise, answers)| AnswerSet {
                questions: exercise.questions,
                values: values(&answers),
            }),
            comments: comment_views(sheet.comments),
            step_number: sheet.assignment.step_number,
            content: sheet.content,
        }
    }
}

/// One exercise, as the client fills it in.
#[server(endpoint = "homework/sheet")]
pub async fn load_sheet(assignment_id: i32) -> Result<SheetView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    Ok(homework::open_sheet(req.db(), actor, assignment_id, request::now()).await?.into())
}

/// Saves (intent `draft`) or submits (intent `submit`) the client's answers. `revision` is
/// the one the client last saw. Returns the new revision.
#[server(endpoint = "homework/save")]
pub async fn save_answers(
    assignment_id: i32,
    revision: i32,
    intent: String,
    #[server(default)] answers: BTreeMap<String, String>,
) -> Result<i32, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let intent = if intent == "submit" { SaveIntent::Submit } else { SaveIntent::Draft };
    let now = request::now();
    let revision =
        homework::save_answers(req.db(), actor, assignment_id, revision, &answers, intent, now).await?;
    req.state.mail.wake_worker();
    Ok(revision)
}

/// Marks the therapist's comments on the client's answers read, once the sheet shows them.
#[server(endpoint = "homework/comments_read")]
pub async fn mark_comments_read(assignment_id: i32) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    homework::mark_comments_read(req.db(), actor, assignment_id, request::now()).await?;
    Ok(())
}

/// Shares the client's submitted answers with their partner.
#[server(endpoint = "homework/share")]
pub async fn share_answers(assignment_id: i32) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    homework::share(req.db(), actor, assignment_id, request::now()).await?;
    req.state.mail.wake_worker();
    Ok(())
}

#[cfg(feature = "ssr")]
impl CaseHomeworkView {
    /// The homework section of the therapist's case page, its times in `time_zone` (the
    /// therapist's).
    pub fn new(found: homework::CaseHomework, time_zone: &str) -> Self {
        let local = |at| clock::local(time_zone, at);
        let rows = found
            .assignments
            .into_iter()
            .map(|(assignment, title, responses)| {
                let recipients = assignment.recipients;
                AssignmentRow {
                    assignment_id: assignment.id,
                    step_number: assignment.step_number,
                    title,
                    assigned_at: local(assignment.created_at),
                    unlocked_at: assignment.unlocked_at.map(local),
                    due_on: assignment.due_on,
                    note: assignment.note.clone(),
                    skipped: assignment.skipped_at.map(|_| assignment.skip_reason.clone()),
                    partners: found
                        .partners
                        .iter()
                        .zip(responses)
                        .filter(|(partner, _)| recipients.includes(partner.position))
                        .map(|(partner, response)| PartnerProgress {
                            first_name: partner.first_name.clone(),
                            progress: status_of(response.as_ref()),
                            submitted_at: response.as_ref().and_then(|r| r.submitted_at).map(local),
                            reviewed_at: response.as_ref().and_then(|r| r.reviewed_at).map(local),
                        })
                        .collect(),
                }
            })
            .collect::<Vec<_>>();
        let has_programme = rows.iter().any(|row| row.step_number.is_some());
        CaseHomeworkView { has_programme, rows }
    }
}

/// Assigns Baby Steps to both partners of a case; `screened` (arrives only when ticked)
/// confirms the therapist screened each partner alone for safety first, and
/// `without_sexual_content` (ticked) leaves sexual intimacy out of the couple's programme.
#[server(endpoint = "homework/assign_programme")]
pub async fn assign_baby_steps(
    case_id: i32,
    due_on: String,
    note: String,
    #[server(default)] screened: Option<String>,
    #[server(default)] without_sexual_content: Option<String>,
) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let due_on = parse_due_on(&due_on)?;
    let content = ProgrammeContent::from_flag(without_sexual_content.is_some());
    let screened = screened.is_some();
    homework::assign_programme(
        req.db(),
        actor,
        case_id,
        homework::ProgrammeChoice { due_on, note: &note, screened, content },
        request::now(),
    )
    .await?;
    req.state.mail.wake_worker();
    Ok(())
}

/// A due date from a date field: empty for none.
#[cfg(feature = "ssr")]
fn parse_due_on(text: &str) -> Result<Option<NaiveDate>, AppError> {
    match text.trim() {
        "" => Ok(None),
        text => FormDate::parse(text)
            .map(|date| Some(date.date()))
            .map_err(|problem| AppError::invalid("due_on", problem.0)),
    }
}

/// Who an exercise is for, as the assign form posts it.
#[cfg(feature = "ssr")]
fn parse_recipients(recipients: &str) -> Result<Recipients, AppError> {
    Recipients::parse(recipients)
        .map_err(|_| AppError::invalid("recipients", "Choose who the exercise is for."))
}

/// Assigns one of the therapist's exercises to both partners (`recipients` = `both`) or
/// one (`a`, `b`) of a case.
#[server(endpoint = "homework/assign_exercise")]
pub async fn assign_exercise(
    case_id: i32,
    template_id: i32,
    recipients: String,
    due_on: String,
    note: String,
) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let (recipients, due_on) = (parse_recipients(&recipients)?, parse_due_on(&due_on)?);
    let assignment = ExerciseAssignment { template_id, recipients, due_on, note: &note };
    crate::services::templates::assign(req.db(), actor, case_id, assignment, request::now()).await?;
    req.state.mail.wake_worker();
    Ok(())
}

/// Gives one assignment (a programme step or an exercise) its own due date (a date field;
/// empty for none) and note.
#[server(endpoint = "homework/plan_step")]
pub async fn plan_step(assignment_id: i32, due_on: String, note: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let due_on = parse_due_on(&due_on)?;
    homework::plan_step(req.db(), actor, assignment_id, due_on, &note, request::now()).await
}

/// Skips a programme step with a reason the partners read; the next step opens.
#[server(endpoint = "homework/skip_step")]
pub async fn skip_step(assignment_id: i32, reason: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    homework::skip_step(req.db(), actor, assignment_id, &reason, request::now()).await?;
    req.state.mail.wake_worker();
    Ok(())
}

/// Opens a locked step early.
#[server(endpoint = "homework/unlock")]
pub async fn unlock_early(assignment_id: i32) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    homework::unlock_early(req.db(), actor, assignment_id, request::now()).await
}

#[cfg(feature = "ssr")]
impl From<homework::ReviewSheet> for ReviewView {
    fn from(sheet: homework::ReviewSheet) -> Self {
        let partners = sheet
            .partners
            .into_iter()
            .map(|(partner, response, answers, comments)| ReviewPartner {
                first_name: partner.first_name,
                seeks: partner.seeks,
                response_id: response.as_ref().map(|r| r.id),
                progress: status_of(response.as_ref()),
                shared: response.as_ref().is_some_and(|r| r.shared_at.is_some()),
                values: values(&answers),
                comments: comment_views(comments),
            })
            .collect();
        ReviewView {
            assignment_id: sheet.assignment.id,
            case_id: sheet.assignment.case_id,
            case_label: sheet.case_label,
            title: sheet.exercise.title,
            questions: sheet.exercise.questions,
            partners,
        }
    }
}

/// The therapist's side-by-side review of one assignment.
#[server(endpoint = "homework/review")]
pub async fn load_review(assignment_id: i32) -> Result<ReviewView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    Ok(homework::review_sheet(req.db(), actor, assignment_id, request::now()).await?.into())
}

/// Comments to one partner on one answer (`question_key`) or on the whole exercise (empty).
#[server(endpoint = "homework/comment")]
pub async fn add_comment(response_id: i32, question_key: String, body: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let key = Some(question_key.as_str()).filter(|key| !key.is_empty());
    homework::comment(req.db(), actor, response_id, key, &body, request::now()).await?;
    req.state.mail.wake_worker();
    Ok(())
}

/// Marks a submission reviewed (`reviewed` = true) or reopens it for changes.
#[server(endpoint = "homework/reviewed")]
pub async fn set_review_state(response_id: i32, reviewed: bool) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    homework::set_reviewed(req.db(), actor, response_id, reviewed, request::now()).await
}
