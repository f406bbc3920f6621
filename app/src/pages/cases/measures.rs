//! The case page's measures: schedule one of the therapist's measures for the couple, and
//! read each partner's totals over time (a chart with the bands shaded, and its table).
//! Its data comes with the homework tab's, so the tab includes it with one line.

use crate::{
    api::measures::{CaseMeasuresView, ScheduleMeasure, ScheduleView, StopMeasureSchedule},
    components::{
        form::{action_error, form_action, Field, FieldIds, FormError},
        measure_chart::MeasureChart,
    },
    error::AppError,
};
use leptos::{either::Either, prelude::*};
use leptos_router::components::A;

/// The measures section's forms, whose completion reloads the homework tab.
#[derive(Clone, Copy)]
pub struct MeasureActions {
    schedule: ServerAction<ScheduleMeasure>,
    stop: ServerAction<StopMeasureSchedule>,
}

impl Default for MeasureActions {
    fn default() -> Self {
        MeasureActions { schedule: form_action(), stop: form_action() }
    }
}

impl MeasureActions {
    /// Changes whenever one of the forms completes (read in a tracking context).
    pub fn version(&self) -> usize {
        self.schedule.version().get() + self.stop.version().get()
    }
}

/// The measures section of case `case_id`, from its homework tab's data.
pub fn case_measures_section(
    case_id: i32,
    found: CaseMeasuresView,
    actions: MeasureActions,
) -> impl IntoView {
    view! {
        <section aria-labelledby="measures-title">
            <h2 id="measures-title">"Measures"</h2>
            {measures_body(case_id, found, actions.schedule, actions.stop)}
        </section>
    }
}

fn measures_body(
    case_id: i32,
    found: CaseMeasuresView,
    schedule: ServerAction<ScheduleMeasure>,
    stop: ServerAction<StopMeasureSchedule>,
) -> impl IntoView {
    let stop_error = action_error(stop.value());
    let schedules = if found.schedules.is_empty() {
        Either::Left(view! { <p>"No measure scheduled for this couple yet."</p> })
    } else {
        Either::Right(found.schedules.into_iter().map(|s| schedule_block(s, stop)).collect_view())
    };
    view! {
        <FormError error=stop_error/>
        {schedules}
        {schedule_form(case_id, found.available, schedule)}
    }
}

fn schedule_block(schedule: ScheduleView, stop: ServerAction<StopMeasureSchedule>) -> impl IntoView {
    let heading = format!("measure-{}-title", schedule.id);
    let labelled_by = heading.clone();
    let id = schedule.id;
    let stopped = schedule.stopped;
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h3 id=heading>{schedule.title.clone()}</h3>
            <p class="aside">
                {format!("{} · {}", schedule.when, schedule.recipients)}
                {stopped.then_some(" · Stopped")}
            </p>
            <MeasureChart schedule/>
            {(!stopped).then(|| view! {
                <ActionForm action=stop attr:class="inline-form">
                    <input type="hidden" name="schedule_id" value=id/>
                    <button type="submit" class="button-secondary">"Stop this schedule"</button>
                </ActionForm>
            })}
        </section>
    }
}

fn field_error(error: Signal<Option<AppError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.message_for(name)))
}

fn schedule_form(
    case_id: i32,
    available: Vec<(i32, String)>,
    action: ServerAction<ScheduleMeasure>,
) -> impl IntoView {
    if available.is_empty() {
        return Either::Left(view! {
            <p>"To schedule a measure, first write one or copy the built-in one on the " <A href="/measures">"Measures"</A> " page."</p>
        });
    }
    let error = action_error(action.value());
    let done = move || matches!(action.value().get(), Some(Ok(())));
    Either::Right(view! {
        <details class="assign-exercise">
            <summary>"Schedule a measure"</summary>
            <ActionForm action=action attr:class="assign-form">
                <input type="hidden" name="case_id" value=case_id/>
                <Field ids=FieldIds::new("schedule-measure") label="Measure" error=field_error(error, "measure_id")>
                    <select id="schedule-measure" name="measure_id">
                        {available.into_iter().map(|(id, title)| view! { <option value=id>{title}</option> }).collect_view()}
                    </select>
                </Field>
                <Field ids=FieldIds::new("schedule-recipients") label="For" error=field_error(error, "recipients")>
                    <select id="schedule-recipients" name="recipients">
                        <option value="both">"Both partners"</option>
                        <option value="a">"Partner A only"</option>
                        <option value="b">"Partner B only"</option>
                    </select>
                </Field>
                <Field ids=FieldIds::new("schedule-starts-on") label="First due on" error=field_error(error, "starts_on")>
                    <input id="schedule-starts-on" name="starts_on" type="date" required/>
                </Field>
                <Field ids=FieldIds::new("schedule-repeat") label="How often" error=field_error(error, "repeat")>
                    <select id="schedule-repeat" name="repeat">
                        <option value="once">"Once"</option>
                        <option value="weeks">"Every few weeks"</option>
                    </select>
                </Field>
                <Field
                    ids=FieldIds::new("schedule-every-weeks")
                    label="Every how many weeks (1 to 52)"
                    hint="Only when it repeats."
                    error=field_error(error, "every_weeks")
                >
                    <input id="schedule-every-weeks" name="every_weeks" type="number" min="1" max="52" aria-describedby="schedule-every-weeks-hint"/>
                </Field>
                <FormError error/>
                <button type="submit" class="button-secondary">"Schedule measure"</button>
                <span role="status" class="saved-note">{move || done().then_some("Scheduled.")}</span>
            </ActionForm>
        </details>
    })
}
