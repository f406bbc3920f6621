//! Steps 3 to 5 on the therapist's case page (its "Together" tab): wishes with their
//! threads, agreements, check-ins (chart, table and how agreements were kept) and the pact;
//! and the private notes (its "Notes" tab).

use crate::domain::date_text;
use crate::{
    api::exchange::{
        CaseExchangeView, ClearDeclinedFlag, MarkPrivateNoteRead, NoteView, PactView, ProgressView,
        ReplyToPrivateNote,
    },
    components::{
        chart::ClosenessChart,
        dates::{date_time, short_date},
        form::{action_error, form_action, Field, FieldIds},
        pact_follow_up::{PactActions, PactFollowUp},
        progress::ProgrammeProgress,
    },
    domain::exchange::PRACTICE_ANSWERS,
};
use leptos::{either::Either, prelude::*};

fn practice_label(value: &str) -> &'static str {
    PRACTICE_ANSWERS.iter().find(|(name, _)| *name == value).map_or("—", |(_, label)| *label)
}

/// The actions of these sections: opening a private note (which marks it read), replying
/// to it, and clearing the flag that every wish of a partner was declined.
#[derive(Clone, Copy)]
pub struct NoteActions {
    /// Opens a note.
    pub open: ServerAction<MarkPrivateNoteRead>,
    /// Replies to a note's writer.
    pub reply: ServerAction<ReplyToPrivateNote>,
    /// Clears a partner's "every wish declined" flag.
    pub clear_flag: ServerAction<ClearDeclinedFlag>,
    /// Step 5's follow-up: a conversation held, the date to revisit the pact.
    pub pact: PactActions,
}

impl Default for NoteActions {
    fn default() -> Self {
        NoteActions {
            open: form_action(),
            reply: form_action(),
            clear_flag: form_action(),
            pact: PactActions::default(),
        }
    }
}

/// For each partner every one of whose wishes was declined: a flag the therapist clears.
pub fn declined_flags(
    case_id: i32,
    progress: &ProgressView,
    clear: ServerAction<ClearDeclinedFlag>,
) -> impl IntoView {
    let error = action_error(clear.value());
    progress
        .partners
        .iter()
        .filter(|p| p.flagged)
        .map(|p| {
            let (partner_id, name) = (p.partner_id, p.partner.clone());
            view! {
                <div class="notice notice-warning" role="status">
                    <p>{format!("Every wish {name} made has had a \"not for now\". {name} was shown a supportive sentence; this may be worth raising in your next session.")}</p>
                    <ActionForm action=clear attr:class="inline-form">
                        <input type="hidden" name="case_id" value=case_id/>
                        <input type="hidden" name="partner_id" value=partner_id/>
                        <button type="submit" class="button-secondary">{format!("Clear the flag for {name}")}</button>
                    </ActionForm>
                    <p class="field-error" role="alert" hidden=move || error.get().is_none()>{move || error.get().map(|e| e.to_string())}</p>
                </div>
            }
        })
        .collect_view()
}

/// One private note: an unread note shows who wrote it and when, and opens with a button
/// (a POST that marks it read); an opened one shows its text, the replies and a reply form.
fn note_item(note: NoteView, actions: NoteActions) -> impl IntoView {
    let heading = format!("{} · {}", note.partner, date_time(&note.created_at));
    let urgent = note.urgent.then(|| view! { " " <span class="badge badge-urgent">"Urgent"</span> });
    if note.unread() {
        let label = format!("Open note from {}, {}", note.partner, date_time(&note.created_at));
        return Either::Left(view! {
            <li class="unread">
                <span class="aside">{heading}</span>{urgent}" "<span class="badge badge-review">"New"</span>
                <ActionForm action=actions.open attr:class="inline-form">
                    <input type="hidden" name="note_id" value=note.id/>
                    <button type="submit" class="button-secondary" aria-label=label>"Open note"</button>
                </ActionForm>
            </li>
        });
    }
    let reply_id = format!("note-reply-{}", note.id);
    let hint_id = format!("{reply_id}-hint");
    let partner = note.partner.clone();
    Either::Right(view! {
        <li>
            <span class="aside">{heading}{note.read_at.map(|at| format!(" · opened {}", date_time(at)))}</span>{urgent}
            <p class="preserve-lines">{note.body}</p>
            {note.replies.into_iter().map(|reply| {
                let seen = match reply.read_at {
                    Some(at) => format!("read {}", date_time(at)),
                    None => "not read yet".to_owned(),
                };
                view! {
                    <div class="reply">
                        <p class="aside">{format!("Your reply · {} · {seen}", date_time(reply.created_at))}</p>
                        <p class="preserve-lines">{reply.body}</p>
                    </div>
                }
            }).collect_view()}
            <ActionForm action=actions.reply>
                <input type="hidden" name="note_id" value=note.id/>
                <Field ids=FieldIds::new(reply_id.clone()) label={format!("Reply to {partner}")}>
                    <p class="field-hint" id=hint_id.clone()>{format!("Only {partner} sees your reply. They get an email saying there is something new, without your words.")}</p>
                    <textarea id=reply_id name="body" rows="3" maxlength="4000" aria-describedby=hint_id></textarea>
                </Field>
                <button type="submit" class="button-secondary">"Send reply"</button>
            </ActionForm>
        </li>
    })
}

/// The private notes from both partners: unread ones open with a button (which marks them
/// read), opened ones show their text, the replies and a reply form.
#[component]
pub fn PrivateNotes(
    /// Urgent unread first, then newest first.
    notes: Vec<NoteView>,
    /// Opening and replying.
    actions: NoteActions,
) -> impl IntoView {
    let unread = notes.iter().filter(|n| n.unread()).count();
    let notes_title = match unread {
        0 => "Private notes".to_owned(),
        n => format!("Private notes ({n} new)"),
    };
    let open_error = action_error(actions.open.value());
    let reply_error = action_error(actions.reply.value());
    let error = move || open_error.get().or_else(|| reply_error.get()).map(|e| e.to_string());
    view! {
        <section aria-labelledby="notes-from-clients">
            <h2 id="notes-from-clients">{notes_title}</h2>
            <p class="field-error" role="alert" hidden=move || error().is_none()>{error}</p>
            {if notes.is_empty() {
                Either::Left(view! { <p>"No private notes from either partner."</p> })
            } else {
                Either::Right(view! {
                    <ul class="timeline note-thread">
                        {notes.into_iter().map(|note| note_item(note, actions)).collect_view()}
                    </ul>
                })
            }}
        </section>
    }
}

/// Steps 3 to 5, in the order the couple meets them: wishes and agreements, check-ins,
/// letting go.
#[component]
pub fn TogetherSections(
    /// The case.
    case_id: i32,
    /// Steps 3 to 5.
    view: CaseExchangeView,
    /// Clearing a declined-wishes flag, and step 5's follow-up.
    actions: NoteActions,
) -> impl IntoView {
    view! {
        <section aria-labelledby="wishes-heading">
            <h2 id="wishes-heading">"Wishes and agreements"</h2>
            {(!view.progress.open_steps.is_empty()).then(|| view! {
                <ProgrammeProgress progress=view.progress.clone() heading_id="case-progress"/>
            })}
            {declined_flags(case_id, &view.progress, actions.clear_flag)}
            {if view.wishes.is_empty() {
                Either::Left(view! { <p>"Wishes appear when a partner submits step 1."</p> })
            } else {
                Either::Right(view! {
                    <div class="table-scroll" tabindex="0" role="group" aria-label="Wishes">
                        <table>
                            <caption class="visually-hidden">"Wishes"</caption>
                            <thead><tr><th scope="col">"Wish"</th><th scope="col">"From"</th><th scope="col">"Where it stands"</th><th scope="col">"Smaller steps"</th></tr></thead>
                            <tbody>
                                {view.wishes.into_iter().map(|w| view! {
                                    <tr>
                                        <th scope="row">{w.text}<p class="aside">{format!("{} · matters {}/3", w.kind, w.importance)}</p>{w.earlier_wordings.into_iter().map(|e| view! { <p class="aside">{format!("Earlier wording: \u{201c}{e}\u{201d}")}</p> }).collect_view()}</th>
                                        <td>{w.wisher}</td>
                                        <td>{w.state.label()}{w.ease.map(|e| format!(" · ease {e}/5"))}</td>
                                        <td>{w.offers.into_iter().map(|o| view! { <p>{format!("\u{201c}{}\u{201d} ({})", o.text, o.status.as_str())}</p> }).collect_view()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <h3>"Agreements"</h3>
                    <ul>
                        {view.agreements.into_iter().map(|a| view! {
                            <li>{format!(
                                "{} gives {}: {}{}",
                                a.giver,
                                a.receiver,
                                a.text,
                                if a.chosen { format!(" — practising {} a week", a.times_per_week) } else { String::new() }
                            )}</li>
                        }).collect_view()}
                    </ul>
                })
            }}
        </section>
        <section aria-labelledby="check-ins-heading">
            <h2 id="check-ins-heading">"Check-ins"</h2>
            <ClosenessChart check_ins=view.check_ins.clone() caption="Closeness over the weeks, both partners".to_owned() with_gap=true/>
            {(!view.check_ins.is_empty()).then(|| view! {
                <h3>"How agreements were kept"</h3>
                <div class="table-scroll" tabindex="0" role="group" aria-label="How agreements were kept">
                    <table>
                        <thead><tr><th scope="col">"Week of"</th><th scope="col">"Partner"</th><th scope="col">"Did their part"</th><th scope="col">"Noticed the other's"</th><th scope="col">"Note"</th></tr></thead>
                        <tbody>
                            {view.check_ins.into_iter().map(|c| view! {
                                <tr>
                                    <td>{date_text::day_month_year(&c.week_start)}</td>
                                    <td>{c.partner}</td>
                                    <td>{practice_label(&c.my_part)}</td>
                                    <td>{practice_label(&c.noticed)}</td>
                                    <td class="preserve-lines">{c.note}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
        {pact_section(case_id, view.pact, actions.pact)}
    }
}

fn pact_section(case_id: i32, pact: PactView, actions: PactActions) -> impl IntoView {
    let follow_up = pact.open.then(|| view! { <PactFollowUp case_id pact=pact.clone() actions/> });
    view! {
        <section aria-labelledby="pact-heading">
            <h2 id="pact-heading">"Step 5 – Letting go"</h2>
            {pact.completed_at.map(|at| view! { <p class="notice notice-info">{format!("Both partners confirmed the pact on {}.", short_date(at))}</p> })}
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
                            {entry.wants_conversation.then_some(" · asked for one more guided conversation")}
                            {(!entry.letting_go.is_empty()).then(|| view! { <p class="preserve-lines">{entry.letting_go}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {follow_up}
        </section>
    }
}
