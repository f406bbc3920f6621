//! The therapist's caseload: their couples at a glance, searchable, filterable and paged in
//! the database.

use crate::api::page_data::{page_data, PageData};

use crate::{
    api::cases::{load_caseload, CaseloadRow, CaseloadView, UrgentCase},
    components::chart::closeness_trend,
    components::{
        dates::short_date,
        form::{Field, FieldIds},
        guard::RequireRole,
        sample::{add_samples_form, sample_couples_box, SampleActions},
        url::encode_query_value,
    },
    domain::{
        case::{CaseStatus, CaseloadPageNumber, InvitationState},
        Role,
    },
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::use_query_map,
};

/// The therapist's home page.
///
/// Its resource is made here, outside `RequireRole`: on the server Leptos builds a
/// `<Suspense>`'s children up to three times and keeps only the last, so a resource made
/// inside them would load the caseload up to three times per page view.
#[component]
pub fn CaseloadPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).unwrap_or_default();
    let page = move || CaseloadPageNumber::from_query(&param("page")).get();
    let samples = SampleActions::new();
    let caseload = page_data(
        move || (param("q"), param("status"), param("sort"), page(), samples.version()),
        |(search, status, sort, page, _)| load_caseload(search, status, sort, page),
    );
    view! {
        <Title text="Caseload"/>
        <RequireRole role=Role::Therapist>
            <Caseload caseload samples/>
        </RequireRole>
    }
}

#[component]
fn Caseload(caseload: PageData<CaseloadView>, samples: SampleActions) -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).unwrap_or_default();
    let search = move || param("q");
    let status = move || param("status");
    let sort = move || param("sort");
    view! {
        <section aria-labelledby="caseload-title">
            <div class="page-heading">
                <h1 id="caseload-title">"Caseload"</h1>
                <A href="/cases/new" attr:class="button-primary">"New case"</A>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    caseload.await.ok().map(|view| {
                        let label = match view.whats_new {
                            0 => "What's new: nothing".to_owned(),
                            n => format!("What's new: {n}"),
                        };
                        view! { <p><A href="/whats-new">{label}</A></p> }
                    })
                })}
            </Transition>
            <Form method="GET" action="/caseload" attr:class="filters" attr:role="search" attr:aria-label="Caseload">
                <Field ids=FieldIds::new("caseload-q") label="Search by name">
                    <input id="caseload-q" type="search" name="q" maxlength="100" value=search/>
                </Field>
                <Field ids=FieldIds::new("caseload-status") label="Status">
                    <select id="caseload-status" name="status">
                        <option value="" selected=move || status().is_empty()>"All"</option>
                        {CaseStatus::ALL
                            .iter()
                            .map(|option| {
                                let value = option.as_str();
                                view! { <option value=value selected=move || status() == value>{option.label()}</option> }
                            })
                            .collect_view()}
                    </select>
                </Field>
                <Field ids=FieldIds::new("caseload-sort") label="Sort by">
                    <select id="caseload-sort" name="sort">
                        <option value="updated" selected=move || sort().is_empty() || sort() == "updated">"Recently updated"</option>
                        <option value="name" selected=move || sort() == "name">"Name"</option>
                        <option value="activity" selected=move || sort() == "activity">"Last client activity"</option>
                        <option value="gap" selected=move || sort() == "gap">"Largest closeness gap"</option>
                    </select>
                </Field>
                <button type="submit" class="button-secondary">"Apply"</button>
            </Form>
            <Transition fallback=|| view! { <p class="loading">"Loading your caseload…"</p> }>
                {move || Suspend::new(async move {
                    caseload.await.map(|view| caseload_table(view, search(), status(), sort(), samples))
                })}
            </Transition>
        </section>
    }
}

fn caseload_table(
    view: CaseloadView,
    search: String,
    status: String,
    sort: String,
    samples: SampleActions,
) -> impl IntoView {
    if !view.has_any_cases {
        return Either::Left(view! {
            <div class="empty-state">
                <h2>"Add your first couple"</h2>
                <p>
                    "Create a case for each couple you work with. You will add both partners' names and "
                    "emails, then invite each of them to their own private account."
                </p>
                <A href="/cases/new" attr:class="button-primary">"Create a case"</A>
                <p>
                    "Or explore first: add three fictional sample couples at different points of Baby "
                    "Steps. They are never emailed, and you can remove them in one click."
                </p>
                {add_samples_form(samples)}
            </div>
        });
    }
    let sample_box = sample_couples_box(view.sample_cases, samples);
    let pages = view.total.div_ceil(view.per_page).max(1);
    // The same search and filter, largest gap first: a plain link, so it works without JS.
    let by_gap = {
        let mut url = "/caseload?sort=gap".to_owned();
        for (name, value) in [("q", &search), ("status", &status)] {
            if !value.is_empty() {
                url.push_str(&format!("&{name}={}", encode_query_value(value)));
            }
        }
        url
    };
    let sorted_by_gap = sort == "gap";
    let link = move |page: u64| {
        let mut url = format!("/caseload?page={page}");
        for (name, value) in [("q", &search), ("status", &status), ("sort", &sort)] {
            if !value.is_empty() {
                url.push_str(&format!("&{name}={}", encode_query_value(value)));
            }
        }
        url
    };
    let previous = (view.page > 1).then(|| link(view.page - 1));
    let next = (view.page < pages).then(|| link(view.page + 1));
    let count = match view.total {
        1 => "1 case".to_owned(),
        n => format!("{n} cases"),
    };
    let urgent = (!view.urgent.is_empty()).then(|| urgent_list(view.urgent));
    Either::Right(view! {
        {urgent}
        <p class="result-count" role="status">{count}</p>
        {if view.rows.is_empty() {
            Either::Left(view! { <p>"No cases match. Try another search or status."</p> })
        } else {
            Either::Right(view! {
                <div class="table-scroll" tabindex="0" role="group" aria-label="Your cases">
                    <table class="caseload">
                        <caption class="visually-hidden">"Your cases"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Couple"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Partners"</th>
                                <th scope="col">"Homework"</th>
                                <th scope="col" aria-sort=sorted_by_gap.then_some("descending")>
                                    "Closeness "
                                    <A href=by_gap attr:class="sort-link">"(largest gap first)"</A>
                                </th>
                                <th scope="col">"Last client activity"</th>
                            </tr>
                        </thead>
                        <tbody>{view.rows.into_iter().map(caseload_row).collect_view()}</tbody>
                    </table>
                </div>
            })
        }}
        <nav class="pagination" aria-label="Caseload pages">
            {previous.map(|href| view! { <A href=href attr:rel="prev">"Previous"</A> })}
            <span>{format!("Page {} of {pages}", view.page)}</span>
            {next.map(|href| view! { <A href=href attr:rel="next">"Next"</A> })}
        </nav>
        {sample_box}
    })
}

/// Cases with urgent private notes not opened yet, above the table (whatever the page).
fn urgent_list(urgent: Vec<UrgentCase>) -> impl IntoView {
    view! {
        <section class="notice notice-urgent" aria-labelledby="urgent-title">
            <h2 id="urgent-title">"Urgent"</h2>
            <ul>
                {urgent.into_iter().map(|case| {
                    let text = match case.notes {
                        1 => ": an urgent private note is waiting".to_owned(),
                        n => format!(": {n} urgent private notes are waiting"),
                    };
                    view! { <li><A href=format!("/cases/{}", case.id)>{case.label}</A>{text}</li> }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The caseload's homework cell: the programme step, what waits for review, what is overdue.
fn homework_summary(row: &CaseloadRow) -> impl IntoView {
    let step = match row.current_step {
        Some(step) => format!("Baby Steps: step {step}"),
        None => "No programme yet".to_owned(),
    };
    let waiting = (row.waiting_for_review > 0).then(|| {
        let text = match row.waiting_for_review {
            1 => "1 to review".to_owned(),
            n => format!("{n} to review"),
        };
        view! { <span class="badge badge-review">{text}</span> }
    });
    let overdue = (row.overdue > 0)
        .then(|| view! { <span class="badge badge-overdue">{format!("{} overdue", row.overdue)}</span> });
    let notes = (row.unread_notes > 0).then(|| {
        let text = match row.unread_notes {
            1 => "1 private note".to_owned(),
            n => format!("{n} private notes"),
        };
        view! { <span class="badge badge-overdue">{text}</span> }
    });
    let declined = row
        .declined_flags
        .iter()
        .map(|name| view! { " " <span class="badge badge-overdue">{format!("All of {name}'s wishes declined")}</span> })
        .collect_view();
    view! { <span>{step}</span> " " {waiting} " " {overdue} " " {notes} {declined} }
}

fn caseload_row(row: CaseloadRow) -> impl IntoView {
    let href = format!("/cases/{}", row.id);
    let homework = homework_summary(&row);
    let name = |index: usize| row.partners.get(index).map(|p| p.first_name.clone()).unwrap_or_default();
    let closeness = closeness_trend(&row.closeness, &name(0), &name(1));
    view! {
        <tr>
            <th scope="row">
                <A href=href>{row.label}</A>
                {(row.urgent_notes > 0).then(|| view! { " " <span class="badge badge-urgent">"Urgent"</span> })}
                {row.is_sample.then(|| view! { " " <span class="badge badge-sample">"Sample"</span> })}
            </th>
            <td><span class=format!("badge badge-{}", row.status.as_str())>{row.status.label()}</span></td>
            <td>
                <ul class="partner-list">
                    {row
                        .partners
                        .into_iter()
                        .map(|partner| {
                            let joined = partner.invitation == InvitationState::Joined;
                            view! {
                                <li>
                                    {partner.first_name}
                                    ": "
                                    <span class:joined=joined>{partner.invitation.label()}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </td>
            <td class="homework-summary">{homework}</td>
            <td class="closeness-cell">{closeness}</td>
            <td>{row.last_client_activity_at.map(short_date).unwrap_or_else(|| "None yet".to_owned())}</td>
        </tr>
    }
}
