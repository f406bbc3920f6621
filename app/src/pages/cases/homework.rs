//! The homework section of the therapist's case page: assigning Baby Steps, each step's
//! progress per partner with a link to the side-by-side review, opening a step early,
//! giving a step its own due date and note, where each partner is, and a timeline of what
//! happened.

use crate::domain::date_text;
use crate::{
    api::{
        homework::{
            AssignBabySteps, AssignExercise, AssignmentRow, CaseHomeworkView, PlanStep, SkipStep, UnlockEarly,
        },
        templates::TemplateSummary,
    },
    components::{
        dates::date_time,
        form::{action_error, form_action, Field, FieldIds, FieldLayout, FormError, TextArea},
    },
    domain::{
        homework::{ResponseStatus, MAX_SKIP_REASON_CHARS},
        local_time::LocalTime,
    },
    error::AppError,
};
use leptos::{
    either::{Either, EitherOf3},
    prelude::*,
};
use leptos_router::components::A;

/// The actions of the homework section, whose completion reloads the case page.
#[derive(Clone, Copy)]
pub struct HomeworkActions {
    /// Assigns the programme.
    pub assign: ServerAction<AssignBabySteps>,
    /// Opens a step early.
    pub unlock: ServerAction<UnlockEarly>,
    /// Sets a step's due date and note.
    pub plan: ServerAction<PlanStep>,
    /// Skips a step, with a reason.
    pub skip: ServerAction<SkipStep>,
    /// Assigns one of the therapist's own exercises.
    pub assign_exercise: ServerAction<AssignExercise>,
}

impl Default for HomeworkActions {
    fn default() -> Self {
        HomeworkActions {
            assign: form_action(),
            unlock: form_action(),
            plan: form_action(),
            skip: form_action(),
            assign_exercise: form_action(),
        }
    }
}

/// The section itself.
pub fn homework_section(
    case_id: i32,
    closed: bool,
    homework: CaseHomeworkView,
    templates: Vec<TemplateSummary>,
    partner_names: Vec<String>,
    actions: HomeworkActions,
) -> impl IntoView {
    let assign_error = action_error(actions.assign.value());
    let unlock_error = action_error(actions.unlock.value());
    let plan_error = action_error(actions.plan.value());
    let skip_error = action_error(actions.skip.value());
    // One form per row shares each action: its refusal (a field's or the form's) shows here.
    let plan_message = move || {
        plan_error.get().map(|error| {
            let message = error.message_for("due_on").or_else(|| error.message_for("note"));
            format!("The due date and note were not saved: {}", message.unwrap_or_else(|| error.to_string()))
        })
    };
    let skip_message = move || {
        skip_error.get().map(|error| {
            let message = error.message_for("reason").unwrap_or_else(|| error.to_string());
            format!("The step was not skipped: {message}")
        })
    };
    let assignable: Vec<TemplateSummary> = templates.into_iter().filter(|t| !t.archived).collect();
    let assign_other = (!closed && !assignable.is_empty())
        .then(|| assign_exercise_form(case_id, assignable, &partner_names, actions.assign_exercise));
    let assign_programme = (!closed && !homework.has_programme).then(|| {
        view! {
            <ActionForm action=actions.assign attr:class="assign-form">
                <input type="hidden" name="case_id" value=case_id/>
                <Field ids=FieldIds::new("field-due_on") label="Step 1 due on (optional)">
                    <input id="field-due_on" name="due_on" type="date"/>
                </Field>
                <TextArea
                    label="A note for the couple (optional)"
                    name="note"
                    hint="Shown to both partners with step 1."
                    max_length=2000
                    value=""
                    rows=3
                    error=assign_error
                />
                <Field
                    ids=FieldIds::new("field-without_sexual_content")
                    label="Without sexual content"
                    hint="For a couple for whom it does not fit: the questions, examples, wish kinds and consent wording leave sexual intimacy out."
                    layout=FieldLayout::Beside
                >
                    <input type="checkbox" id="field-without_sexual_content" name="without_sexual_content" value="yes" aria-describedby="field-without_sexual_content-hint"/>
                </Field>
                {screening_field(assign_error)}
                <FormError error=assign_error/>
                <button type="submit" class="button-primary">"Assign Baby Steps"</button>
            </ActionForm>
        }
    });
    let body = if homework.rows.is_empty() {
        Either::Left(view! { <p>"Nothing assigned yet."</p> })
    } else {
        let where_now = current_steps(&homework.rows);
        let timeline = timeline(&homework.rows);
        Either::Right(view! {
            <ul class="current-steps">
                {where_now.into_iter().map(|(name, text)| view! { <li><strong>{name}</strong>": "{text}</li> }).collect_view()}
            </ul>
            <FormError error=unlock_error/>
            <p class="notice notice-error" role="alert" hidden=move || plan_message().is_none()>{plan_message}</p>
            <p class="notice notice-error" role="alert" hidden=move || skip_message().is_none()>{skip_message}</p>
            <div class="table-scroll" tabindex="0" role="group" aria-label="Assigned homework">
                <table class="assignments">
                    <caption class="visually-hidden">"Assigned homework"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Exercise"</th>
                            <th scope="col">"Progress"</th>
                            <th scope="col">"Due"</th>
                            <th scope="col">"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {homework.rows.into_iter().map(|row| assignment_row(row, closed, actions)).collect_view()}
                    </tbody>
                </table>
            </div>
            <h3>"Timeline"</h3>
            <ol class="timeline">
                {timeline.into_iter().map(|(at, text)| view! { <li><span class="aside">{date_time(at)}</span>" "{text}</li> }).collect_view()}
            </ol>
        })
    };
    view! {
        <section aria-labelledby="homework-title">
            <h2 id="homework-title">"Homework"</h2>
            {body}
            {assign_programme}
            {assign_other}
        </section>
    }
}

/// The required confirmation that each partner was screened alone for safety.
fn screening_field(error: Signal<Option<AppError>>) -> impl IntoView {
    let message = Signal::derive(move || error.get().and_then(|e| e.message_for("screened")));
    let hint = "Baby Steps asks each partner for more closeness, which is not safe where there is violence, \
                coercion or fear at home. Before you assign it, ask each partner on their own whether they \
                feel safe.";
    view! {
        <Field
            ids=FieldIds::for_name("screened")
            label="I have screened each partner alone for safety"
            hint=hint
            error=message
            layout=FieldLayout::Beside
            class="field checkbox-field"
        >
            <input
                id="field-screened"
                type="checkbox"
                name="screened"
                value="yes"
                required
                aria-describedby="field-screened-hint field-screened-error"
                aria-invalid=move || message.get().is_some().then_some("true")
            />
        </Field>
    }
}

/// Assigning one of the therapist's own exercises to both partners or one.
fn assign_exercise_form(
    case_id: i32,
    templates: Vec<TemplateSummary>,
    partner_names: &[String],
    action: ServerAction<AssignExercise>,
) -> impl IntoView {
    let error = action_error(action.value());
    let done = move || matches!(action.value().get(), Some(Ok(())));
    let mut recipients = vec![("both".to_owned(), "Both partners".to_owned())];
    for (value, name) in ["a", "b"].into_iter().zip(partner_names) {
        recipients.push((value.to_owned(), format!("{name} only")));
    }
    view! {
        <details class="assign-exercise">
            <summary>"Assign one of your exercises"</summary>
            <ActionForm action=action attr:class="assign-form">
                <input type="hidden" name="case_id" value=case_id/>
                <Field ids=FieldIds::new("assign-template") label="Exercise">
                    <select id="assign-template" name="template_id">
                        {templates.into_iter().map(|t| view! { <option value=t.id>{t.title}</option> }).collect_view()}
                    </select>
                </Field>
                <Field ids=FieldIds::new("assign-recipients") label="For">
                    <select id="assign-recipients" name="recipients">
                        {recipients.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                    </select>
                </Field>
                <Field ids=FieldIds::new("assign-due-on") label="Due on (optional)">
                    <input id="assign-due-on" name="due_on" type="date"/>
                </Field>
                <Field ids=FieldIds::new("assign-note") label="A note (optional)">
                    <textarea id="assign-note" name="note" rows="2" maxlength="2000"></textarea>
                </Field>
                <FormError error/>
                <button type="submit" class="button-secondary">"Assign exercise"</button>
                <span role="status" class="saved-note">{move || done().then_some("Assigned.")}</span>
            </ActionForm>
        </details>
    }
}

fn assignment_row(row: AssignmentRow, closed: bool, actions: HomeworkActions) -> impl IntoView {
    let title = step_title(&row);
    let review = format!("/review/{}", row.assignment_id);
    let locked = row.unlocked_at.is_none();
    view! {
        <tr>
            <th scope="row">{title.clone()}</th>
            <td>
                {if let Some(reason) = row.skipped.clone() {
                    EitherOf3::A(view! { <span class="badge">"Skipped"</span><p class="aside step-note">{reason}</p> })
                } else if locked {
                    EitherOf3::B(view! { <span class="badge">"Locked"</span> })
                } else {
                    EitherOf3::C(view! {
                        <ul class="partner-list">
                            {row.partners.iter().map(|p| view! { <li>{format!("{}: {}", p.first_name, p.progress.label())}</li> }).collect_view()}
                        </ul>
                    })
                }}
            </td>
            <td>
                {row.due_on.map(|due| date_text::day_month_year(&due)).unwrap_or_else(|| "—".to_owned())}
                {(!row.note.is_empty()).then(|| view! { <p class="aside step-note">{row.note.clone()}</p> })}
                {(!closed && row.skipped.is_none()).then(|| plan_form(&row, actions.plan))}
                {(!closed && row.skipped.is_none() && row.step_number.is_some()).then(|| skip_form(&row, actions.skip))}
            </td>
            <td>
                {(!locked).then(|| view! { <A href=review attr:aria-label=format!("Review {title}")>"Review"</A> })}
                {(locked && !closed && row.skipped.is_none()).then(|| view! {
                    <ActionForm action=actions.unlock attr:class="inline-form">
                        <input type="hidden" name="assignment_id" value=row.assignment_id/>
                        <button type="submit" class="button-secondary">{format!("Open {} now", short_step(&row))}</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

/// Skipping one programme step, with the reason the partners read, behind a disclosure.
fn skip_form(row: &AssignmentRow, skip: ServerAction<SkipStep>) -> impl IntoView {
    let id = row.assignment_id;
    let reason_id = format!("skip-reason-{id}");
    let named = format!(" {}", row.title);
    view! {
        <details class="plan-step">
            <summary>"Skip this step"<span class="visually-hidden">{named}</span></summary>
            <ActionForm action=skip attr:class="plan-form">
                <input type="hidden" name="assignment_id" value=id/>
                <Field ids=FieldIds::new(reason_id.clone()) label="Why (the partners read this)">
                    <textarea id=reason_id name="reason" rows="2" maxlength=MAX_SKIP_REASON_CHARS.to_string() required></textarea>
                </Field>
                <button type="submit" class="button-secondary">"Skip the step"</button>
            </ActionForm>
        </details>
    }
}

/// The due date and note of one step, behind a disclosure in its row.
fn plan_form(row: &AssignmentRow, plan: ServerAction<PlanStep>) -> impl IntoView {
    let id = row.assignment_id;
    let (due_id, note_id) = (format!("plan-due-{id}"), format!("plan-note-{id}"));
    let named = format!(" for {}", row.title);
    let (due_on, note) = (row.due_on.map(|due| due.to_string()), row.note.clone());
    view! {
        <details class="plan-step">
            <summary>"Due date and note"<span class="visually-hidden">{named}</span></summary>
            <ActionForm action=plan attr:class="plan-form">
                <input type="hidden" name="assignment_id" value=id/>
                <Field ids=FieldIds::new(due_id.clone()) label="Due on (optional)">
                    <input id=due_id name="due_on" type="date" value=due_on/>
                </Field>
                <Field ids=FieldIds::new(note_id.clone()) label="Note for the couple (optional)">
                    <textarea id=note_id name="note" rows="3" maxlength="2000">{note}</textarea>
                </Field>
                <button type="submit" class="button-secondary">"Save due date and note"</button>
            </ActionForm>
        </details>
    }
}

fn short_step(row: &AssignmentRow) -> String {
    match row.step_number {
        Some(step) => format!("step {step}"),
        None => "it".to_owned(),
    }
}

/// The exercise's title (a programme step's title already names the step).
fn step_title(row: &AssignmentRow) -> String {
    row.title.clone()
}

/// Where each partner is: the first open step they have not finished, or why they wait.
pub fn current_steps(rows: &[AssignmentRow]) -> Vec<(String, String)> {
    let mut names: Vec<String> = Vec::new();
    for row in rows {
        for partner in &row.partners {
            if !names.contains(&partner.first_name) {
                names.push(partner.first_name.clone());
            }
        }
    }
    names
        .into_iter()
        .map(|name| {
            let mine =
                |row: &&AssignmentRow| row.partners.iter().find(|p| p.first_name == name).map(|p| p.progress);
            let open_unfinished = rows
                .iter()
                .filter(|row| row.unlocked_at.is_some() && row.skipped.is_none())
                .find(|row| mine(row).is_some_and(|progress| !progress.is_done()));
            let text = match open_unfinished {
                Some(row) => {
                    let draft = mine(&row) == Some(ResponseStatus::Draft);
                    format!(
                        "{}{}",
                        step_title(row),
                        if draft { " (draft started)" } else { " (not started)" }
                    )
                }
                None => match rows.iter().find(|row| row.unlocked_at.is_none() && row.skipped.is_none()) {
                    Some(row) => format!(
                        "done so far; {} opens when both partners finish the step before",
                        short_step(row)
                    ),
                    None => "has finished everything assigned".to_owned(),
                },
            };
            (name, text)
        })
        .collect()
}

/// What happened, newest first: assigned, opened, submitted and reviewed.
pub fn timeline(rows: &[AssignmentRow]) -> Vec<(LocalTime, String)> {
    let mut events = Vec::new();
    for row in rows {
        let title = step_title(row);
        if row.step_number.is_none_or(|step| step == 1) {
            events.push((row.assigned_at.clone(), format!("{title} assigned")));
        }
        if let Some(at) = row.unlocked_at.clone().filter(|at| *at != row.assigned_at) {
            events.push((at, format!("{title} opened")));
        }
        for partner in &row.partners {
            if let Some(at) = partner.submitted_at.clone() {
                events.push((at, format!("{} submitted {title}", partner.first_name)));
            }
            if let Some(at) = partner.reviewed_at.clone() {
                events.push((at, format!("You reviewed {}'s {title}", partner.first_name)));
            }
        }
    }
    events.sort_by(|a, b| b.0.cmp(&a.0));
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::homework::PartnerProgress;
    use chrono::{TimeZone, Utc};

    fn at(hour: u32) -> LocalTime {
        LocalTime::utc(Utc.with_ymd_and_hms(2026, 11, 2, hour, 0, 0).unwrap())
    }

    fn row(step: i16, open: bool, progress: [ResponseStatus; 2]) -> AssignmentRow {
        AssignmentRow {
            assignment_id: step.into(),
            step_number: Some(step),
            title: format!("Title {step}"),
            assigned_at: at(1),
            unlocked_at: open.then(|| at(step as u32)),
            due_on: None,
            note: String::new(),
            skipped: None,
            partners: ["Alex", "Sam"]
                .into_iter()
                .zip(progress)
                .map(|(name, progress)| PartnerProgress {
                    first_name: name.to_owned(),
                    progress,
                    submitted_at: progress.is_done().then(|| at(10)),
                    reviewed_at: None,
                })
                .collect(),
        }
    }

    #[test]
    fn each_partner_is_on_their_first_unfinished_open_step() {
        use ResponseStatus::*;
        let rows = vec![row(1, true, [Submitted, Draft]), row(2, false, [NotStarted, NotStarted])];
        let steps = current_steps(&rows);
        assert_eq!(steps[0].0, "Alex");
        assert!(steps[0].1.contains("step 2 opens"), "{}", steps[0].1);
        assert_eq!(steps[1], ("Sam".to_owned(), "Title 1 (draft started)".to_owned()));
    }

    #[test]
    fn the_timeline_lists_events_newest_first() {
        use ResponseStatus::*;
        let rows = vec![row(1, true, [Submitted, NotStarted]), row(2, true, [NotStarted, NotStarted])];
        let events = timeline(&rows);
        assert_eq!(events.first().map(|e| e.1.as_str()), Some("Alex submitted Title 1"));
        assert_eq!(events.last().map(|e| e.1.as_str()), Some("Title 1 assigned"));
        assert!(events.iter().any(|e| e.1 == "Title 2 opened"));
    }
}
