//! A client's own pages: "My homework", one exercise sheet, and their own writing to keep.

mod measure;
mod sheet;
mod writing;

use crate::api::page_data::page_data;

pub use measure::MeasureSheetPage;
pub use sheet::SheetPage;
pub use writing::OwnWritingPage;

use crate::domain::date_text;
use crate::{
    api::{
        cases::{load_my_homework_page, AskSeeksChange, ClientHomeView, MyHomeworkView},
        homework::HomeworkListItem,
        settings::SaveReminders,
    },
    components::{
        form::{action_error, form_action, Field, FieldIds},
        guard::RequireRole,
        progress::ProgrammeProgress,
        safety::SafetyNotice,
    },
    domain::{
        case::{CaseStatus, Seeks},
        homework::ResponseStatus,
        Role,
    },
};
use leptos::{
    either::{Either, EitherOf4},
    prelude::*,
};
use leptos_meta::Title;
use leptos_router::components::A;

/// "My homework": the client's home, with their therapist, their partner, and what the
/// therapist has assigned (due, done, locked, with new comments).
#[component]
pub fn MyHomeworkPage() -> impl IntoView {
    let reminders = form_action::<SaveReminders>();
    // One server call: a closed case, or a removed partner, lists no homework, only the notice.
    let home = page_data(move || reminders.version().get(), |_| load_my_homework_page());
    view! {
        <Title text="My homework"/>
        <RequireRole role=Role::Client>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    home.await.map(|page| client_home(page, reminders))
                })}
            </Suspense>
        </RequireRole>
    }
}

fn client_home(page: MyHomeworkView, reminders: ServerAction<SaveReminders>) -> impl IntoView {
    match page.home.no_access.clone() {
        Some(notice) => Either::Left(no_access_notice(page.home, notice)),
        None => Either::Right(open_home(page, Some(reminders))),
    }
}

/// What a client sees once the case is closed or they were removed from it: what happened,
/// and the two things they keep (a private note to the therapist, their own writing).
fn no_access_notice(home: ClientHomeView, notice: String) -> impl IntoView {
    view! {
        <section aria-labelledby="closed-title">
            <h1 id="closed-title">"Your work in Babysteps"</h1>
            <p class="notice notice-info" role="status">{notice}</p>
            <ul class="card">
                <li><A href="/private-note">{format!("Send {} a private note", home.therapist_name)}</A></li>
                <li><A href="/my-writing">"Download your own writing"</A></li>
            </ul>
        </section>
    }
}

/// The open home page. Without a reminders action it is the read-only preview a therapist
/// sees of a sample partner ("View as"): the same content, with no link, form or button.
pub(crate) fn open_home(
    page: MyHomeworkView,
    reminders: Option<ServerAction<SaveReminders>>,
) -> impl IntoView {
    let MyHomeworkView { home, items, reminders: reminders_on, measures } = page;
    let read_only = reminders.is_none();
    let therapist = home.therapist_name.clone();
    let link = move |href: &'static str, text: &'static str| {
        if read_only {
            Either::Left(view! { <span>{text}</span> })
        } else {
            Either::Right(view! { <A href=href>{text}</A> })
        }
    };
    view! {
        <section aria-labelledby="homework-title">
            <h1 id="homework-title">"My homework"</h1>
            <p class="lead">
                {format!("Hello {}. You and {} are working with {}.", home.own_first_name, home.partner_first_name, home.therapist_name)}
            </p>
            {(home.status == CaseStatus::Paused).then(|| view! {
                <p class="notice notice-info" role="status">
                    {format!(
                        "{therapist} has paused this work for now. You can read everything; new wishes, answers to wishes and check-ins wait until they resume it. You can still send a private note."
                    )}
                </p>
            })}
            {if items.is_empty() {
                Either::Left(view! {
                    <div class="empty-state">
                        <h2>"Nothing assigned yet"</h2>
                        <p>{format!("When {therapist} gives you an exercise, it appears here.")}</p>
                    </div>
                })
            } else {
                Either::Right(view! {
                    <ol class="homework-list">{items.into_iter().map(|item| homework_item(item, read_only)).collect_view()}</ol>
                })
            }}
            <measure::MyMeasures measures read_only/>
            <nav aria-label="Working together" class="card together-links">
                <h2>"Working together"</h2>
                {home.progress.clone().filter(|p| !p.open_steps.is_empty()).map(|progress| view! {
                    <ProgrammeProgress progress heading_id="home-progress"/>
                })}
                <ul>
                    <li>{link("/wishes", "Wishes and agreements")}" — steps 3 and 4"</li>
                    <li>{link("/check-in", "Weekly check-in")}</li>
                    <li>{link("/letting-go", "Letting go")}" — step 5"</li>
                    <li>{link("/private-note", "Private note to your therapist")}</li>
                    <li>{link("/my-writing", "Download your own writing")}</li>
                </ul>
            </nav>
            {(reminders.is_some() && home.progress.as_ref().is_some_and(|p| !p.open_steps.is_empty())).then(|| seeks_card(&home))}
            {reminders.map(|reminders| view! {
            <section class="card" aria-labelledby="reminders-title">
                <h2 id="reminders-title">"Email reminders"</h2>
                <p>
                    {if reminders_on {
                        "We email you when homework is new, due tomorrow or overdue, and for the weekly check-in — never between 21:00 and 08:00."
                    } else {
                        "Reminders are off. You still get invitations and your therapist's own messages."
                    }}
                </p>
                <ActionForm action=reminders>
                    <input type="hidden" name="on" value=(!reminders_on).to_string()/>
                    <button type="submit" class="button-secondary">{if reminders_on { "Turn reminders off" } else { "Turn reminders on" }}</button>
                </ActionForm>
            </section>
            })}
            <details class="policy">
                <summary>{format!("Confidentiality: {}", home.policy.label())}</summary>
                <p>{home.policy.explanation()}</p>
            </details>
            <footer class="client-footer">
                <SafetyNotice safety=home.safety.clone()/>
                <p>{link("/private-note", "Write to your therapist alone")}</p>
            </footer>
        </section>
    }
}

/// Which kind of closeness Baby Steps assumes the client seeks, and a request to their
/// therapist to change it (sent as a private note; the therapist changes the case).
fn seeks_card(home: &ClientHomeView) -> impl IntoView {
    let ask = form_action::<AskSeeksChange>();
    let error = action_error(ask.value());
    let sent = move || matches!(ask.value().get(), Some(Ok(())));
    let (current, therapist) = (home.own_seeks, home.therapist_name.clone());
    view! {
        <section class="card" aria-labelledby="seeks-title">
            <h2 id="seeks-title">"What the programme assumes"</h2>
            <p>{match current {
                Seeks::Unsure => "Baby Steps is set up for you as not sure yet what you would like more of, so you see both sets of questions.".to_owned(),
                seeks => format!("Baby Steps is set up for you as someone who would like {}.", seeks.label().to_lowercase()),
            }}</p>
            <ActionForm action=ask attr:class="inline-form">
                <Field ids=FieldIds::new("ask-seeks") label=format!("Ask {therapist} to change it to") error=Signal::derive(move || error.get().map(|e| e.to_string()))>
                    <select id="ask-seeks" name="seeks">
                        {Seeks::ALL.iter().filter(|s| **s != current).map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                    </select>
                </Field>
                <button type="submit" class="button-secondary">"Send the request"</button>
            </ActionForm>
            <p role="status">{move || sent().then_some("Sent to your therapist as a private note.")}</p>
        </section>
    }
}

fn homework_item(item: HomeworkListItem, read_only: bool) -> impl IntoView {
    let href = format!("/homework/{}", item.assignment_id);
    let action = match item.progress {
        ResponseStatus::NotStarted => "Start",
        ResponseStatus::Draft => "Continue",
        ResponseStatus::Submitted | ResponseStatus::Reviewed => "Read",
    };
    let badge = if item.skipped.is_some() {
        "Skipped"
    } else if item.locked {
        "Locked"
    } else {
        item.progress.label()
    };
    let comments = match item.unread_comments {
        0 => None,
        1 => Some("1 new comment from your therapist".to_owned()),
        n => Some(format!("{n} new comments from your therapist")),
    };
    view! {
        <li class="card homework-item" class:locked=item.locked || item.skipped.is_some()>
            <h2>{item.title.clone()}</h2>
            <p class="homework-meta">
                <span class="badge">{badge}</span>
                {item.due_on.filter(|_| item.skipped.is_none()).map(|due| format!(" Due {}", date_text::day_month_year(&due)))}
            </p>
            {(!item.note.is_empty() && item.skipped.is_none()).then(|| view! { <p class="step-note">{item.note.clone()}</p> })}
            {comments.map(|text| view! { <p class="badge badge-review">{text}</p> })}
            {if let Some(reason) = item.skipped.clone() {
                EitherOf4::A(view! { <p class="field-hint">{format!("Your therapist skipped this step: {reason}")}</p> })
            } else if item.locked {
                EitherOf4::B(view! { <p class="field-hint">"This step opens when you have both finished the step before it."</p> })
            } else if read_only {
                EitherOf4::C(view! { <p class="field-hint">{format!("{action} (read-only preview)")}</p> })
            } else {
                EitherOf4::D(view! {
                    <A href=href attr:class="button-primary" attr:aria-label=format!("{action}: {}", item.title)>{action}</A>
                })
            }}
        </li>
    }
}
