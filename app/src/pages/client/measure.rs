//! A client's scheduled measures: the list on their home, and `/measures/:id` to fill one
//! in. The client sees their items and options only, never a total; the other partner's
//! answers are never sent to them.

use crate::api::page_data::page_data;

use crate::domain::date_text;
use crate::{
    api::measures::{load_measure_sheet, AnswerMeasure, ClientMeasureView, MeasureSheetView},
    components::{
        form::{action_error, form_action, FormError},
        guard::RequireRole,
    },
    domain::Role,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// The client's scheduled measures, for their home (nothing when none is scheduled). In
/// the therapist's read-only preview of a sample partner they are not links.
#[component]
pub fn MyMeasures(
    /// The client's questionnaires, loaded with the page.
    measures: Vec<ClientMeasureView>,
    /// The therapist's read-only preview.
    read_only: bool,
) -> impl IntoView {
    (!measures.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="my-measures-title">
                <h2 id="my-measures-title">"Questionnaires"</h2>
                <ul>
                    {measures.into_iter().map(|m| measure_item(m, read_only)).collect_view()}
                </ul>
            </section>
        }
    })
}

fn measure_item(m: ClientMeasureView, read_only: bool) -> impl IntoView {
    let state = match (m.due_on, m.answered, m.next_on) {
        (Some(_), false, _) => "Ready to fill in".to_owned(),
        (_, _, Some(next)) => format!("Next on {}", date_text::day_month_year(&next)),
        _ => "Done, thank you".to_owned(),
    };
    let open = m.due_on.is_some() && !m.answered && !read_only;
    view! {
        <li>
            {if open {
                Either::Left(view! { <A href=format!("/measures/{}", m.schedule_id)>{m.title.clone()}</A> })
            } else {
                Either::Right(view! { <span>{m.title.clone()}</span> })
            }}
            " — "{state}
        </li>
    }
}

/// `/measures/:id`: one scheduled measure to fill in.
#[component]
pub fn MeasureSheetPage() -> impl IntoView {
    let params = use_params_map();
    let schedule_id = move || params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let answer = form_action::<AnswerMeasure>();
    let sheet = page_data(move || (schedule_id(), answer.version().get()), |(id, _)| load_measure_sheet(id));
    view! {
        <Title text="Questionnaire"/>
        <RequireRole role=Role::Client>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move { sheet.await.map(|found| measure_sheet(found, answer)) })}
            </Suspense>
        </RequireRole>
    }
}

fn measure_sheet(sheet: MeasureSheetView, answer: ServerAction<AnswerMeasure>) -> impl IntoView {
    let error = action_error(answer.value());
    let title = sheet.title.clone();
    let body = match (sheet.due_on, sheet.answered_at) {
        (None, _) => Either::Left(view! {
            <p class="notice notice-info" role="status">
                {sheet.next_on.map(|next| format!("This opens on {}.", date_text::day_month_year(&next)))}
            </p>
        }),
        (Some(_), Some(at)) => Either::Left(view! {
            <p class="notice notice-info" role="status">
                {Some(format!(
                    "You answered this on {}. Thank you.{}",
                    date_text::day_month_year(&at),
                    sheet.next_on.map(|next| format!(" The next one opens on {}.", date_text::day_month_year(&next))).unwrap_or_default()
                ))}
            </p>
        }),
        (Some(_), None) => Either::Right(view! {
            <ActionForm action=answer attr:class="measure-sheet">
                <input type="hidden" name="schedule_id" value=sheet.schedule_id/>
                {sheet
                    .items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| item_field(i, item.clone(), &sheet.options, error))
                    .collect_view()}
                <FormError error/>
                <button type="submit" class="button-primary">"Send my answers"</button>
            </ActionForm>
        }),
    };
    view! {
        <section aria-labelledby="measure-title">
            <p><A href="/homework">"My homework"</A></p>
            <h1 id="measure-title">{title}</h1>
            {(!sheet.instructions.is_empty()).then(|| view! { <p class="lead">{sheet.instructions.clone()}</p> })}
            <p class="aside">"Only you and your therapist see your answers."</p>
            {body}
        </section>
    }
}

/// One item as a group of radio buttons, its refusal shown beside it.
fn item_field(
    index: usize,
    item: String,
    options: &[String],
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let field = format!("item_{index}");
    let message = {
        let field = field.clone();
        Signal::derive(move || error.get().and_then(|e| e.message_for(&field)))
    };
    let error_id = format!("field-{field}-error");
    let legend_id = format!("field-{field}-legend");
    let described_by = error_id.clone();
    view! {
        <fieldset class="field" class:field-invalid=move || message.get().is_some() aria-describedby=described_by>
            <legend id=legend_id>{format!("{}. {item}", index + 1)}</legend>
            {options
                .iter()
                .enumerate()
                .map(|(value, label)| {
                    let id = format!("field-{field}-{value}");
                    view! {
                        <div class="checkbox-field">
                            <input id=id.clone() type="radio" name=format!("answers[{field}]") value=value required/>
                            <label for=id>{label.clone()}</label>
                        </div>
                    }
                })
                .collect_view()}
            <p class="field-error" id=error_id role="alert" hidden=move || message.get().is_none()>{move || message.get()}</p>
        </fieldset>
    }
}
