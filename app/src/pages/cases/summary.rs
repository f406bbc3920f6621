//! The session summary (`/cases/:id/summary`): one page per couple to prepare a session
//! from, loaded by one server call and laid out to print (the print rules are in
//! `style/main.css`, `@media print`): what is new since the last session, step status,
//! wishes with their answers and offers, agreements and how they were kept, closeness
//! over time with the gap between the partners, each partner's latest measure totals, the
//! pact and the last session's note.

use crate::api::page_data::page_data;

use crate::domain::date_text;
use crate::{
    api::{
        exchange::{CaseExchangeView, NoteView, PactView},
        measures::PointView,
        therapy_sessions::{
            load_session_summary, ActivityView, LatestTotalsView, SessionSummaryView, TherapySessionView,
            WeekClosenessView,
        },
    },
    components::{chart::ClosenessChart, dates::short_date, guard::RequireRole},
    domain::{exchange::PRACTICE_ANSWERS, therapy_session::NoteFormat, Role},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// The summary page.
#[component]
pub fn SessionSummaryPage() -> impl IntoView {
    let params = use_params_map();
    let case_id = move || params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let summary = page_data(case_id, load_session_summary);
    view! {
        <RequireRole role=Role::Therapist>
            <Transition fallback=|| view! { <p class="loading">"Loading the summary…"</p> }>
                {move || Suspend::new(async move { summary.await.map(summary_page) })}
            </Transition>
        </RequireRole>
    }
}

fn practice_label(value: &str) -> &'static str {
    PRACTICE_ANSWERS.iter().find(|(name, _)| *name == value).map_or("—", |(_, label)| *label)
}

fn summary_page(view: SessionSummaryView) -> impl IntoView {
    let back = format!("/cases/{}", view.case_id);
    let title = format!("Session summary – {}", view.label);
    view! {
        <Title text=title.clone()/>
        <article class="session-summary" aria-labelledby="summary-title">
            <div class="page-heading">
                <h1 id="summary-title">{title}</h1>
                <A href=back attr:class="button-secondary no-print">"Back to the case"</A>
            </div>
            {view.next_session.as_ref().map(|next| view! {
                <p class="aside">{format!("Next session: {} ({} minutes, {}).", next.when, next.minutes, next.attended)}</p>
            })}
            <section aria-labelledby="since-title" class="summary-section">
                <h2 id="since-title">{view.since.clone()}</h2>
                <div class="summary-columns">
                    {view.activity.into_iter().map(activity_card).collect_view()}
                </div>
                {notes_list(view.notes)}
            </section>
            {steps_section(&view.steps, &view.exchange)}
            {wishes_section(&view.exchange)}
            {check_ins_section(&view.exchange, view.closeness)}
            {measures_section(view.measures)}
            {pact_section(view.exchange.pact.clone())}
            <section aria-labelledby="last-note-title" class="summary-section">
                <h2 id="last-note-title">"Last session note"</h2>
                {match view.last_session {
                    Some(session) => last_note(session).into_any(),
                    None => view! { <p>"No session recorded yet."</p> }.into_any(),
                }}
            </section>
        </article>
    }
}

fn list_or_none(items: Vec<String>, none: &'static str) -> impl IntoView {
    if items.is_empty() {
        view! { <p class="aside">{none}</p> }.into_any()
    } else {
        view! { <ul>{items.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}</ul> }.into_any()
    }
}

fn activity_card(activity: ActivityView) -> impl IntoView {
    let (heading, label) = (activity.partner.clone(), activity.partner.clone());
    let submitted =
        activity.submitted.into_iter().map(|h| format!("{} ({})", h.title, short_date(h.at))).collect();
    let shared = activity.shared.into_iter().map(|h| format!("{} ({})", h.title, short_date(h.at))).collect();
    view! {
        <section class="card summary-partner" aria-label=label>
            <h3>{heading}</h3>
            <h4>"Submitted"</h4>
            {list_or_none(submitted, "Nothing submitted.")}
            <h4>"Shared"</h4>
            {list_or_none(shared, "Nothing shared.")}
            <h4>"Asked for (wishes)"</h4>
            {list_or_none(activity.asked, "No new wishes.")}
            <h4>"Declined for now"</h4>
            {list_or_none(activity.declined, "Nothing declined.")}
        </section>
    }
}

fn notes_list(notes: Vec<NoteView>) -> impl IntoView {
    view! {
        <h3>"Private notes"</h3>
        {if notes.is_empty() {
            view! { <p class="aside">"No private notes."</p> }.into_any()
        } else {
            view! {
                <ul class="summary-notes">
                    {notes.into_iter().map(|note| {
                        let heading = format!(
                            "{}{} · {}",
                            if note.urgent { "Urgent · " } else { "" },
                            note.partner,
                            short_date(note.created_at.clone())
                        );
                        view! {
                            <li class:urgent=note.urgent>
                                <strong>{heading}</strong>
                                {if note.unread() {
                                    view! { <p class="aside">"Not opened yet: open it on the case page."</p> }.into_any()
                                } else {
                                    view! { <p class="preserve-lines">{note.body}</p> }.into_any()
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

fn steps_section(
    steps: &[crate::api::therapy_sessions::StepStatusView],
    exchange: &CaseExchangeView,
) -> impl IntoView {
    let partners: Vec<String> =
        steps.first().map(|s| s.partners.iter().map(|(p, _)| p.clone()).collect()).unwrap_or_default();
    view! {
        <section aria-labelledby="steps-title" class="summary-section">
            <h2 id="steps-title">"Steps"</h2>
            {if steps.is_empty() {
                view! { <p class="aside">"Baby Steps is not assigned."</p> }.into_any()
            } else {
                view! {
                    <table class="summary-table">
                        <thead>
                            <tr>
                                <th scope="col">"Step"</th>
                                {partners.into_iter().map(|p| view! { <th scope="col">{p}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            {steps.iter().map(|step| view! {
                                <tr>
                                    <th scope="row">{step.title.clone()}{(!step.open).then_some(" (not open)")}</th>
                                    {step.partners.iter().map(|(_, status)| view! { <td>{status.clone()}</td> }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {list_or_none(exchange.progress.sentences(), "")}
        </section>
    }
}

fn wishes_section(exchange: &CaseExchangeView) -> impl IntoView {
    view! {
        <section aria-labelledby="summary-wishes-title" class="summary-section">
            <h2 id="summary-wishes-title">"Wishes, answers and offers"</h2>
            {if exchange.wishes.is_empty() {
                view! { <p class="aside">"No wishes yet."</p> }.into_any()
            } else {
                view! {
                    <table class="summary-table">
                        <thead><tr><th scope="col">"Wish"</th><th scope="col">"From"</th><th scope="col">"Answer"</th><th scope="col">"Smaller steps offered"</th></tr></thead>
                        <tbody>
                            {exchange.wishes.iter().map(|w| view! {
                                <tr>
                                    <th scope="row">{w.text.clone()}</th>
                                    <td>{w.wisher.clone()}</td>
                                    <td>{w.state.label()}{w.ease.map(|e| format!(" · ease {e}/5"))}</td>
                                    <td>{w.offers.iter().map(|o| view! { <p>{format!("\u{201c}{}\u{201d} ({})", o.text, o.status.as_str())}</p> }).collect_view()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h3>"Agreements chosen"</h3>
            {list_or_none(
                exchange
                    .agreements
                    .iter()
                    .filter(|a| a.chosen)
                    .map(|a| format!("{} gives {}: {} — {} a week", a.giver, a.receiver, a.text, a.times_per_week))
                    .collect(),
                "No agreement chosen yet.",
            )}
        </section>
    }
}

fn check_ins_section(exchange: &CaseExchangeView, weeks: Vec<WeekClosenessView>) -> impl IntoView {
    let partners: Vec<String> = exchange.progress.partners.iter().map(|p| p.partner.clone()).collect();
    view! {
        <section aria-labelledby="summary-closeness-title" class="summary-section">
            <h2 id="summary-closeness-title">"Closeness and how agreements were kept"</h2>
            <ClosenessChart check_ins=exchange.check_ins.clone() caption="Closeness over the weeks, both partners".to_owned()/>
            {(!weeks.is_empty()).then(|| view! {
                <table class="summary-table">
                    <caption>"Each week: closeness (emotional / physical), whether each did their part and noticed the other's, and the gap between the partners"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Week of"</th>
                            {partners.iter().map(|p| view! { <th scope="col">{p.clone()}</th> }).collect_view()}
                            <th scope="col">"Gap"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {weeks.into_iter().map(|week| view! {
                            <tr>
                                <th scope="row">{date_text::day_month_year(&week.week_start)}</th>
                                {week.partners.into_iter().map(|c| view! {
                                    <td>{c.map_or("—".to_owned(), |c| format!(
                                        "{} / {} · did their part: {} · noticed: {}",
                                        c.emotional, c.physical, practice_label(&c.my_part), practice_label(&c.noticed)
                                    ))}</td>
                                }).collect_view()}
                                <td>{week.gap_tenths.map_or("—".to_owned(), |g| format!("{}.{}", g / 10, g % 10))}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

/// A total as the summary's table shows it: "12 (Close), 7 Dec 2026".
fn total_text(point: &PointView) -> String {
    let band = point.band.as_ref().map(|band| format!(" ({band})")).unwrap_or_default();
    format!("{}{band}, {}", point.total, date_text::day_month_year(&point.due_on))
}

fn measures_section(measures: Vec<LatestTotalsView>) -> impl IntoView {
    view! {
        <section aria-labelledby="summary-measures-title" class="summary-section">
            <h2 id="summary-measures-title">"Measures"</h2>
            {if measures.is_empty() {
                view! { <p class="aside">"No measure is scheduled for this couple."</p> }.into_any()
            } else {
                view! {
                    <table class="summary-table">
                        <caption>"Each partner's latest two totals of each scheduled measure"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Measure"</th>
                                <th scope="col">"Partner"</th>
                                <th scope="col">"Latest"</th>
                                <th scope="col">"Before that"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {measures.into_iter().map(|m| {
                                let latest = m.latest.first().map_or_else(|| "Not answered yet".to_owned(), total_text);
                                let before = m.latest.get(1).map_or_else(|| "—".to_owned(), total_text);
                                view! {
                                    <tr>
                                        <th scope="row">{m.title}</th>
                                        <td>{m.partner}</td>
                                        <td>{latest}</td>
                                        <td>{before}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

fn pact_section(pact: PactView) -> impl IntoView {
    view! {
        <section aria-labelledby="summary-pact-title" class="summary-section">
            <h2 id="summary-pact-title">"The pact (step 5)"</h2>
            {match pact.completed_at {
                Some(at) => format!("Both partners confirmed the pact on {}.", short_date(at)),
                None if pact.open => "Not confirmed by both yet.".to_owned(),
                None => "Step 5 is not open yet.".to_owned(),
            }}
            <ul>
                {pact.entries.into_iter().map(|entry| {
                    let status = match entry.confirmed_at {
                        Some(at) => format!("confirmed {}", short_date(at)),
                        None if entry.letting_go.is_empty() => "not started".to_owned(),
                        None => "writing, not confirmed".to_owned(),
                    };
                    view! {
                        <li>
                            <strong>{entry.partner}</strong>": "{status}
                            {entry.wants_conversation.then_some(" · would like one more guided conversation")}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

fn last_note(session: TherapySessionView) -> impl IntoView {
    view! {
        <p class="aside">{format!("{} · {} minutes · {}", session.when, session.minutes, session.attended)}</p>
        {match session.note_format {
            NoteFormat::Free => view! { <p class="preserve-lines">{session.note}</p> }.into_any(),
            NoteFormat::Dap => view! {
                <dl class="dap-note">
                    <dt>"Data"</dt><dd class="preserve-lines">{session.data}</dd>
                    <dt>"Assessment"</dt><dd class="preserve-lines">{session.assessment}</dd>
                    <dt>"Plan"</dt><dd class="preserve-lines">{session.plan}</dd>
                </dl>
            }.into_any(),
        }}
        {(!session.topics.is_empty()).then(|| view! {
            <p class="aside">"Discussed:"</p>
            <ul>{session.topics.into_iter().map(|t| view! { <li><a href=t.href>{t.title}</a></li> }).collect_view()}</ul>
        })}
    }
}
