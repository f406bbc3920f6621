//! The therapist's own exercises: the list, and one exercise's editor with a preview of
//! exactly what a client will see.

use crate::api::page_data::page_data;

mod editor;

pub use editor::{EditExercisePage, NewExercisePage};

use crate::{
    api::templates::{load_templates, TemplateSummary},
    components::{dates::short_date, guard::RequireRole},
    domain::Role,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::components::A;

/// `/exercises`: the therapist's exercises.
#[component]
pub fn ExercisesPage() -> impl IntoView {
    let templates = page_data(|| (), |_| load_templates());
    view! {
        <Title text="Exercises"/>
        <RequireRole role=Role::Therapist>
            <section aria-labelledby="exercises-title">
                <div class="page-heading">
                    <h1 id="exercises-title">"Exercises"</h1>
                    <A href="/exercises/new" attr:class="button-primary">"New exercise"</A>
                </div>
                <p class="lead">
                    "Baby Steps is built in. Here you can write your own exercises to assign alongside it. "
                    "Editing an exercise never changes homework you have already assigned."
                </p>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move { templates.await.map(template_table) })}
                </Suspense>
            </section>
        </RequireRole>
    }
}

fn template_table(templates: Vec<TemplateSummary>) -> impl IntoView {
    if templates.is_empty() {
        return Either::Left(view! {
            <div class="empty-state">
                <h2>"No exercises of your own yet"</h2>
                <p>"Write one with your own questions: text, lists, scales or choices."</p>
            </div>
        });
    }
    Either::Right(view! {
        <div class="table-scroll" tabindex="0" role="group" aria-label="Your exercises">
            <table>
                <caption class="visually-hidden">"Your exercises"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Exercise"</th>
                        <th scope="col">"Questions"</th>
                        <th scope="col">"Version"</th>
                        <th scope="col">"Updated"</th>
                    </tr>
                </thead>
                <tbody>
                    {templates
                        .into_iter()
                        .map(|t| {
                            view! {
                                <tr>
                                    <th scope="row">
                                        <A href=format!("/exercises/{}", t.id)>{t.title}</A>
                                        {t.archived.then(|| view! { " " <span class="badge badge-closed">"Archived"</span> })}
                                        <p class="aside">{t.summary}</p>
                                    </th>
                                    <td>{t.question_count}</td>
                                    <td>{t.version}</td>
                                    <td>{short_date(t.updated_at)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    })
}
