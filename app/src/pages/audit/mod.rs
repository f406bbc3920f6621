//! The therapist's records: the audit trail of one case (`/cases/:id/audit`) or of their
//! whole account (`/audit`), newest first, filtered by partner, action and dates, paged,
//! and downloadable as CSV with the same filter. The filter is a GET form, so it works
//! without JavaScript.

use crate::api::page_data::{page_data, PageData};

use crate::{
    api::{
        audit::{load_account_audit, load_case_audit, AuditPageView, AuditRowView, EXPORT_PATH},
        export::case_export_href,
    },
    components::{
        dates::date_time,
        form::{Field, FieldIds},
        guard::RequireRole,
        url::encode_query_value,
    },
    domain::{
        audit::{AuditOutcome, AuditPageNumber},
        Role,
    },
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::{use_params_map, use_query_map},
};

/// The filter's fields, as read from the address.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FilterQuery {
    partner: String,
    action: String,
    from: String,
    to: String,
}

impl FilterQuery {
    /// The filter as query pairs, without the empty ones.
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        [("partner", &self.partner), ("action", &self.action), ("from", &self.from), ("to", &self.to)]
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| (name, value.as_str()))
            .collect()
    }
}

/// An address with `pairs` as its query.
fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> =
        pairs.iter().map(|(name, value)| format!("{name}={}", encode_query_value(value))).collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// The filter and page from the address.
fn use_filter() -> (Memo<FilterQuery>, Memo<u64>) {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let query = query.read();
        let get = |name: &str| query.get(name).unwrap_or_default();
        FilterQuery { partner: get("partner"), action: get("action"), from: get("from"), to: get("to") }
    });
    let page =
        Memo::new(move |_| AuditPageNumber::from_query(&query.read().get("page").unwrap_or_default()).get());
    (filter, page)
}

/// `/audit`: every entry of the therapist's account and cases.
#[component]
pub fn AccountAuditPage() -> impl IntoView {
    let (filter, page) = use_filter();
    let entries = page_data(
        move || (filter.get(), page.get()),
        |(f, page)| load_account_audit(f.partner, f.action, f.from, f.to, page),
    );
    view! {
        <Title text="Records"/>
        <RequireRole role=Role::Therapist>
            <AuditView entries filter path=Signal::derive(|| "/audit".to_owned()) case_id=None/>
        </RequireRole>
    }
}

/// `/cases/:id/audit`: one case's entries.
#[component]
pub fn CaseAuditPage() -> impl IntoView {
    let params = use_params_map();
    let case_id =
        Memo::new(move |_| params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0));
    let (filter, page) = use_filter();
    let entries = page_data(
        move || (case_id.get(), filter.get(), page.get()),
        |(case_id, f, page)| load_case_audit(case_id, f.partner, f.action, f.from, f.to, page),
    );
    let path = Signal::derive(move || format!("/cases/{}/audit", case_id.get()));
    view! {
        <Title text="Case records"/>
        <RequireRole role=Role::Therapist>
            <AuditView entries filter path case_id=Some(case_id)/>
        </RequireRole>
    }
}

#[component]
fn AuditView(
    entries: PageData<AuditPageView>,
    filter: Memo<FilterQuery>,
    path: Signal<String>,
    case_id: Option<Memo<i32>>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the records…"</p> }>
            {move || Suspend::new(async move {
                entries.await.map(|view| audit_page(view, filter.get(), path.get(), case_id.map(|id| id.get())))
            })}
        </Transition>
    }
}

fn audit_page(view: AuditPageView, filter: FilterQuery, path: String, case_id: Option<i32>) -> impl IntoView {
    let (title, crumb) = match &view.case {
        Some((id, label)) => {
            (format!("Records: {label}"), Some((format!("/cases/{id}"), format!("← {label}"))))
        }
        None => ("Records".to_owned(), None),
    };
    let case_pair = case_id.map(|id| id.to_string());
    let mut csv_pairs: Vec<(&str, &str)> = case_pair.iter().map(|id| ("case", id.as_str())).collect();
    csv_pairs.extend(filter.pairs());
    let csv_href = with_query(EXPORT_PATH, &csv_pairs);
    let pages = view.total.div_ceil(view.per_page).max(1);
    let link = {
        let (path, filter) = (path.clone(), filter.clone());
        move |page: u64| {
            let page = page.to_string();
            let mut pairs = filter.pairs();
            pairs.push(("page", page.as_str()));
            with_query(&path, &pairs)
        }
    };
    let previous = (view.page > 1).then(|| link(view.page - 1));
    let next = (view.page < pages).then(|| link(view.page + 1));
    let count = match view.total {
        1 => "1 entry".to_owned(),
        n => format!("{n} entries"),
    };
    let selected = |current: &str, value: &str| current == value;
    view! {
        <section aria-labelledby="audit-title">
            {crumb.map(|(href, text)| view! { <p class="breadcrumb"><A href=href>{text}</A></p> })}
            <h1 id="audit-title">{title}</h1>
            <p class="lead">
                "Every opening and change of clinical writing, every sign-in and every refused request, newest first. Entries cannot be changed or deleted."
            </p>
            <Form method="GET" action=path.clone() attr:class="filters" attr:role="search" attr:aria-label="Filter the records">
                <Field ids=FieldIds::new("audit-partner") label="Partner">
                    <select id="audit-partner" name="partner">
                        <option value="" selected=filter.partner.is_empty()>"Everyone"</option>
                        {view.partners.iter().map(|choice| view! {
                            <option value=choice.value.clone() selected=selected(&filter.partner, &choice.value)>{choice.label.clone()}</option>
                        }).collect_view()}
                    </select>
                </Field>
                <Field ids=FieldIds::new("audit-action") label="Action">
                    <select id="audit-action" name="action">
                        <option value="" selected=filter.action.is_empty()>"All actions"</option>
                        {view.actions.iter().map(|choice| view! {
                            <option value=choice.value.clone() selected=selected(&filter.action, &choice.value)>{choice.label.clone()}</option>
                        }).collect_view()}
                    </select>
                </Field>
                <Field ids=FieldIds::new("audit-from") label="From">
                    <input id="audit-from" type="date" name="from" value=filter.from.clone()/>
                </Field>
                <Field ids=FieldIds::new("audit-to") label="To">
                    <input id="audit-to" type="date" name="to" value=filter.to.clone()/>
                </Field>
                <button type="submit" class="button-secondary">"Apply"</button>
            </Form>
            <p>
                <a class="button-secondary" href=csv_href download=true rel="external">"Download CSV"</a>
                {case_id.map(|id| view! {
                    " "
                    <a class="button-secondary" href=case_export_href(id) download=true rel="external">"Download the case record (ZIP)"</a>
                })}
            </p>
            <p class="result-count" role="status">{count}</p>
            {if view.rows.is_empty() {
                Either::Left(view! { <p>"No entries match. Try another partner, action or dates."</p> })
            } else {
                Either::Right(view! {
                    <div class="table-scroll" tabindex="0" role="group" aria-label="Audit entries">
                        <table class="audit">
                            <caption class="visually-hidden">"Audit entries, newest first"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"When"</th>
                                    <th scope="col">"Who"</th>
                                    <th scope="col">"Action"</th>
                                    <th scope="col">"Outcome"</th>
                                    <th scope="col">"Case"</th>
                                    <th scope="col">"Partner"</th>
                                    <th scope="col">"Record"</th>
                                    <th scope="col">"Address"</th>
                                    <th scope="col">"Session"</th>
                                </tr>
                            </thead>
                            <tbody>{view.rows.into_iter().map(audit_row).collect_view()}</tbody>
                        </table>
                    </div>
                })
            }}
            <nav class="pagination" aria-label="Record pages">
                {previous.map(|href| view! { <A href=href attr:rel="prev">"Previous"</A> })}
                <span>{format!("Page {} of {pages}", view.page)}</span>
                {next.map(|href| view! { <A href=href attr:rel="next">"Next"</A> })}
            </nav>
        </section>
    }
}

fn audit_row(row: AuditRowView) -> impl IntoView {
    let refused = row.outcome == AuditOutcome::Refused;
    let who = if row.actor.is_empty() { "No one signed in".to_owned() } else { row.actor };
    view! {
        <tr class:refused=refused>
            <td>{date_time(row.occurred_at)}</td>
            <td>{who}</td>
            <td>{row.action}</td>
            <td>{row.outcome.label()}</td>
            <td>{row.case_label.unwrap_or_default()}</td>
            <td>{row.partner.unwrap_or_default()}</td>
            <td>{row.record}</td>
            <td>{row.client_address.unwrap_or_default()}</td>
            <td>{row.session_ref.map(|id| id.to_string()).unwrap_or_default()}</td>
        </tr>
    }
}
