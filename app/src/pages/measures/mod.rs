//! The therapist's scored measures: the list (with the built-in example to copy), a new
//! measure, and one measure's editor. Each save is a new version; answers already given
//! keep the version they answered.

use crate::api::page_data::page_data;

use crate::{
    api::measures::{
        load_measure, load_measures, ArchiveMeasure, CopyBuiltInMeasure, MeasureSummary, SaveMeasure,
    },
    components::{
        form::{action_error, form_action, FormError, SelectField, TextArea, TextField},
        guard::RequireRole,
    },
    domain::{
        measure::{MeasureText, MAX_LABEL_CHARS},
        Role,
    },
    error::AppError,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// `/measures`: the therapist's measures, the built-in example to copy, and a new one.
#[component]
pub fn MeasuresPage() -> impl IntoView {
    let save = form_action::<SaveMeasure>();
    let copy = form_action::<CopyBuiltInMeasure>();
    let archive = form_action::<ArchiveMeasure>();
    let list = page_data(
        move || (save.version().get(), copy.version().get(), archive.version().get()),
        |_| load_measures(),
    );
    let copy_error = action_error(copy.value());
    view! {
        <Title text="Measures"/>
        <RequireRole role=Role::Therapist>
            <section aria-labelledby="measures-title">
                <h1 id="measures-title">"Measures"</h1>
                <p class="lead">
                    "A measure is a short questionnaire partners fill in on a schedule; you see each partner's total over time. "
                    "Editing a measure saves a new version: totals already given keep the version they answered."
                </p>
                <section class="card" aria-labelledby="built-in-title">
                    <h2 id="built-in-title">"How connected do we feel"</h2>
                    <p>"Babysteps' own six-item example (scores 0 to 24, with three bands). Copy it, then change it as you like."</p>
                    <ActionForm action=copy attr:class="inline-form">
                        <button type="submit" class="button-secondary">"Copy the built-in measure"</button>
                    </ActionForm>
                    <FormError error=copy_error/>
                </section>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move { list.await.map(|found| measure_table(found, archive)) })}
                </Suspense>
                <section aria-labelledby="new-measure-title">
                    <h2 id="new-measure-title">"New measure"</h2>
                    {measure_form(save, None, MeasureText { scoring: "sum".into(), ..MeasureText::default() })}
                </section>
            </section>
        </RequireRole>
    }
}

fn measure_table(measures: Vec<MeasureSummary>, archive: ServerAction<ArchiveMeasure>) -> impl IntoView {
    if measures.is_empty() {
        return Either::Left(view! { <p>"No measures of your own yet."</p> });
    }
    Either::Right(view! {
        <div class="table-scroll" tabindex="0" role="group" aria-label="Your measures">
            <table>
                <caption class="visually-hidden">"Your measures"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Measure"</th>
                        <th scope="col">"Items"</th>
                        <th scope="col">"Version"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    {measures
                        .into_iter()
                        .map(|m| {
                            let label = if m.archived { "Restore" } else { "Archive" };
                            let button_label = format!("{label}: {}", m.title);
                            view! {
                                <tr>
                                    <th scope="row">
                                        <A href=format!("/measures/{}/edit", m.id)>{m.title.clone()}</A>
                                        {m.archived.then(|| view! { " " <span class="badge badge-closed">"Archived"</span> })}
                                    </th>
                                    <td>{m.items}</td>
                                    <td>{m.version}</td>
                                    <td>
                                        <ActionForm action=archive attr:class="inline-form">
                                            <input type="hidden" name="measure_id" value=m.id/>
                                            <input type="hidden" name="archived" value=(!m.archived).to_string()/>
                                            <button type="submit" class="button-secondary" aria-label=button_label>{label}</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    })
}

/// The measure's form: title, instructions, options, items, scoring and bands, each
/// refusal shown at its field.
fn measure_form(
    action: ServerAction<SaveMeasure>,
    measure_id: Option<i32>,
    text: MeasureText,
) -> impl IntoView {
    let error: Signal<Option<AppError>> = action_error(action.value());
    let saved = move || matches!(action.value().get(), Some(Ok(_)));
    view! {
        <ActionForm action=action attr:class="measure-form">
            {measure_id.map(|id| view! { <input type="hidden" name="measure_id" value=id/> })}
            <TextField label="Title" name="title" max_length=MAX_LABEL_CHARS value=Some(text.title) error/>
            <TextArea label="Instructions (optional)" name="instructions" max_length=2_000 rows=2 value=text.instructions error/>
            <TextArea
                label="Answer options"
                name="options"
                hint="One a line: the score, =, then what the partner reads. For example \"0 = Not at all\". Every item uses these options."
                max_length=2_000
                rows=5
                value=text.options
                error
            />
            <TextArea
                label="Items"
                name="items"
                hint="One a line. Start a line with (R) to score that item in reverse."
                max_length=15_000
                rows=8
                value=text.items
                error
            />
            <SelectField
                label="Total"
                name="scoring"
                options=vec![("sum", "Sum of the item scores"), ("mean", "Mean of the item scores")]
                selected=Some(text.scoring)
                error
            />
            <TextArea
                label="Bands (optional)"
                name="bands"
                hint="One a line, low to high, not overlapping: the range, =, then the label. For example \"0-10 = Feeling distant\"."
                max_length=2_000
                rows=4
                value=text.bands
                error
            />
            <FormError error/>
            <button type="submit" class="button-primary">{if measure_id.is_some() { "Save a new version" } else { "Create measure" }}</button>
            <span role="status" class="saved-note">{move || saved().then_some("Saved.")}</span>
        </ActionForm>
    }
}

/// `/measures/:id/edit`: one of the therapist's measures.
#[component]
pub fn EditMeasurePage() -> impl IntoView {
    let params = use_params_map();
    let measure_id = move || params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let save = form_action::<SaveMeasure>();
    let found = page_data(move || (measure_id(), save.version().get()), |(id, _)| load_measure(id));
    view! {
        <Title text="Edit measure"/>
        <RequireRole role=Role::Therapist>
            <section aria-labelledby="edit-measure-title">
                <p><A href="/measures">"All measures"</A></p>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        found.await.map(|m| view! {
                            <h1 id="edit-measure-title">{m.text.title.clone()}</h1>
                            <p class="aside">{format!("Version {}", m.version)}</p>
                            {measure_form(save, Some(m.id), m.text)}
                        })
                    })}
                </Suspense>
            </section>
        </RequireRole>
    }
}
