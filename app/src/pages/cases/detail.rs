//! The therapist's case page: a heading with the case's status and actions, then tabs that
//! keep the address — the overview (`/cases/:id`), homework, together (steps 3 to 5),
//! notes and messages — each loaded in one server call. Each tab is made of section
//! components, so a new section goes into a tab with one line.

use super::{
    exchange::{NoteActions, PrivateNotes, TogetherSections},
    follow_up::FollowUpComposer,
    homework::{homework_section, HomeworkActions},
    measures::{case_measures_section, MeasureActions},
    overview::{CaseOverview, OverviewActions},
    sessions::{SessionActions, TherapySessions},
};
use crate::{
    api::{
        cases::{
            load_case_page, CasePageView, CaseRecordsView, CaseTabView, CaseView, EmailView, SaveCaseNotes,
            SetCaseStatus,
        },
        messages::ComposeView,
        page_data::page_data,
    },
    components::{
        dates::short_date,
        email_table::EmailTable,
        form::{action_error, form_action, FormError, TextArea},
        guard::RequireRole,
    },
    domain::{
        case::{CaseStatus, CaseTab, MAX_NOTES_CHARS},
        Role,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// The actions on a case page, whose completion reloads the tab's data.
#[derive(Clone, Copy)]
struct CaseActions {
    set_status: ServerAction<SetCaseStatus>,
    save_notes: ServerAction<SaveCaseNotes>,
    overview: OverviewActions,
    homework: HomeworkActions,
    measures: MeasureActions,
    notes: NoteActions,
    sessions: SessionActions,
}

/// One tab of the case page.
#[component]
pub fn CasePage(
    /// Which tab the address names.
    tab: CaseTab,
) -> impl IntoView {
    let params = use_params_map();
    let case_id = move || params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let actions = CaseActions {
        set_status: form_action(),
        save_notes: form_action(),
        overview: OverviewActions::default(),
        homework: HomeworkActions::default(),
        measures: MeasureActions::default(),
        notes: NoteActions::default(),
        sessions: SessionActions::default(),
    };
    let case = page_data(
        move || {
            (
                case_id(),
                actions.set_status.version().get(),
                actions.overview.version(),
                actions.homework.assign.version().get(),
                actions.homework.unlock.version().get()
                    + actions.homework.plan.version().get()
                    + actions.homework.skip.version().get(),
                actions.homework.assign_exercise.version().get() + actions.measures.version(),
                actions.notes.open.version().get(),
                actions.notes.reply.version().get(),
                actions.notes.clear_flag.version().get() + actions.notes.pact.version(),
                actions.sessions.version(),
            )
        },
        move |(id, ..)| load_case_page(id, tab.as_str().to_owned()),
    );
    view! {
        <RequireRole role=Role::Therapist>
            <Transition fallback=|| view! { <p class="loading">"Loading the case…"</p> }>
                {move || Suspend::new(async move { case.await.map(|page| case_page(page, tab, actions)) })}
            </Transition>
        </RequireRole>
    }
}

fn case_page(page: CasePageView, tab: CaseTab, actions: CaseActions) -> impl IntoView {
    let CasePageView { case, smtp_configured, records, tab: content } = page;
    let title = match tab {
        CaseTab::Overview => case.label.clone(),
        other => format!("{}: {}", case.label, other.label()),
    };
    let case_id = case.id;
    let closed = case.status == CaseStatus::Closed;
    let body = match content {
        CaseTabView::Overview(overview) => {
            view! { <CaseOverview case=case.clone() overview records=records.clone() smtp_configured actions=actions.overview/> }
                .into_any()
        }
        CaseTabView::Homework { homework, templates, measures } => {
            let names = case.partners.iter().map(|p| p.first_name.clone()).collect();
            view! {
                {homework_section(case_id, closed, homework, templates, names, actions.homework)}
                {case_measures_section(case_id, measures, actions.measures)}
            }
            .into_any()
        }
        CaseTabView::Together(together) => {
            view! { <TogetherSections case_id view=together actions=actions.notes/> }.into_any()
        }
        CaseTabView::Notes { notes, sessions } => view! {
            <TherapistNotes case_id notes=case.notes.clone() save=actions.save_notes/>
            <PrivateNotes notes actions=actions.notes/>
            <TherapySessions sessions actions=actions.sessions/>
        }
        .into_any(),
        CaseTabView::Messages { compose, emails } => {
            view! { <CaseMessages case_id closed compose emails/> }.into_any()
        }
    };
    view! {
        <Title text=title/>
        <article class="case" aria-labelledby="case-title">
            <CaseHeading case records set_status=actions.set_status/>
            <CaseTabs case_id current=tab/>
            <div class="case-tab">{body}</div>
        </article>
    }
}

/// The case's name, status, confidentiality policy and retention, with its actions.
#[component]
fn CaseHeading(
    /// The case.
    case: CaseView,
    /// Its retention facts.
    records: CaseRecordsView,
    /// Pauses, closes or reopens it.
    set_status: ServerAction<SetCaseStatus>,
) -> impl IntoView {
    let status_error = action_error(set_status.value());
    let status_buttons: Vec<(CaseStatus, &str)> = match case.status {
        CaseStatus::Active => vec![(CaseStatus::Paused, "Pause case"), (CaseStatus::Closed, "Close case")],
        CaseStatus::Paused => vec![(CaseStatus::Active, "Resume case"), (CaseStatus::Closed, "Close case")],
        CaseStatus::Closed => vec![(CaseStatus::Active, "Reopen case")],
    };
    let case_id = case.id;
    view! {
        <div class="page-heading">
            <h1 id="case-title">{case.label.clone()}</h1>
            <span class=format!("badge badge-{}", case.status.as_str())>{case.status.label()}</span>
        </div>
        {crate::components::sample::sample_notice(&case)}
        {case.without_sexual_content.then(|| view! { <p class="aside">"Baby Steps is assigned without sexual content."</p> })}
        <p class="aside">
            {format!("{} since {}. ", case.status.label(), short_date(case.status_changed_at))}
            {format!("Confidentiality policy: {}.", case.policy.label())}
        </p>
        {retention_notice(&records)}
        <div class="case-actions">
            <A href=format!("/cases/{case_id}/edit") attr:class="button-secondary">"Edit case"</A>
            <A href=format!("/cases/{case_id}/summary") attr:class="button-secondary">"Session summary"</A>
            <A href=format!("/cases/{case_id}/audit") attr:class="button-secondary">"Records"</A>
            <a href=crate::api::export::case_export_href(case_id) class="button-secondary" download=true rel="external">"Download the case record (ZIP)"</a>
            {status_buttons
                .into_iter()
                .map(|(status, label)| {
                    view! {
                        <ActionForm action=set_status attr:class="inline-form">
                            <input type="hidden" name="case_id" value=case_id/>
                            <input type="hidden" name="status" value=status.as_str()/>
                            <button type="submit" class="button-secondary">{label}</button>
                        </ActionForm>
                    }
                })
                .collect_view()}
        </div>
        <FormError error=status_error/>
    }
}

/// The tabs: plain links (they work without JavaScript), the current one marked.
#[component]
fn CaseTabs(
    /// The case.
    case_id: i32,
    /// The tab shown.
    current: CaseTab,
) -> impl IntoView {
    view! {
        <nav class="case-tabs" aria-label="Case sections">
            <ul>
                {CaseTab::ALL
                    .into_iter()
                    .map(|tab| view! {
                        <li>
                            <a href=tab.href(case_id) aria-current=(tab == current).then_some("page")>{tab.label()}</a>
                        </li>
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// The therapist's own notes on the case, which clients never see.
#[component]
fn TherapistNotes(
    /// The case.
    case_id: i32,
    /// The notes as saved.
    notes: String,
    /// Saves them.
    save: ServerAction<SaveCaseNotes>,
) -> impl IntoView {
    let notes_error = action_error(save.value());
    let notes_saved = move || matches!(save.value().get(), Some(Ok(())));
    view! {
        <section aria-labelledby="notes-title">
            <h2 id="notes-title">"Your notes"</h2>
            <ActionForm action=save>
                <input type="hidden" name="case_id" value=case_id/>
                <TextArea
                    label="General notes"
                    name="notes"
                    hint="Only you can read these. Clients never see them."
                    max_length=MAX_NOTES_CHARS
                    value=notes
                    error=notes_error
                />
                <div class="form-actions">
                    <button type="submit" class="button-secondary">"Save notes"</button>
                    <span role="status" class="saved-note">{move || notes_saved().then_some("Notes saved.")}</span>
                </div>
            </ActionForm>
        </section>
    }
}

/// The follow-up composer with the consultation times proposed so far, and the case's
/// email history.
#[component]
fn CaseMessages(
    /// The case.
    case_id: i32,
    /// A closed case sends nothing.
    closed: bool,
    /// The composer's starting point.
    compose: ComposeView,
    /// Emails about the case, newest first.
    emails: Vec<EmailView>,
) -> impl IntoView {
    view! {
        <section aria-labelledby="follow-up-title">
            <h2 id="follow-up-title">"Follow-up email"</h2>
            {(!compose.slots.is_empty()).then(|| view! {
                <h3>"Proposed consultation times"</h3>
                <ul>
                    {compose.slots.iter().map(|slot| view! {
                        <li>{match &slot.chosen_by {
                            Some(name) => format!("{} — chosen by {name}", slot.when),
                            None => format!("{} — not chosen", slot.when),
                        }}</li>
                    }).collect_view()}
                </ul>
            })}
            {(!closed).then(|| view! { <FollowUpComposer case_id=case_id compose=compose.clone()/> })}
        </section>
        <section aria-labelledby="emails-title">
            <h2 id="emails-title">"Emails"</h2>
            <EmailTable emails=emails/>
        </section>
    }
}

/// When a closed case will be purged, or when its content was erased.
fn retention_notice(records: &CaseRecordsView) -> impl IntoView {
    let text = match (records.erased_at, records.purge_on) {
        (Some(at), _) => Some(format!("This case's content was erased on {}.", short_date(at))),
        (None, Some(on)) => Some(format!(
            "Closed cases are kept {} years (Settings): this case's content will be purged on {}.",
            records.retention_years,
            short_date(on)
        )),
        (None, None) => None,
    };
    text.map(|text| view! { <p class="notice notice-info retention-notice">{text}</p> })
}
