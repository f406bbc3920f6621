//! The client's pages for steps 3 to 5 and their private channel: wishes and agreements,
//! the weekly check-in with the closeness chart, letting go, and a private note.

use crate::api::page_data::page_data;

mod wishes;

pub use wishes::WishesPage;

use crate::domain::date_text;
use crate::{
    api::exchange::{
        load_my_notes, load_pact, load_practice, MarkRepliesRead, NoteView, PactView, PracticeView,
        PrivateNotesView, SaveCheckIn, SavePact, SendPrivateNote, ShareRatings,
    },
    components::{
        chart::ClosenessChart,
        dates::{date_time, short_date},
        form::{action_error, form_action, Field, FieldIds, FieldLayout},
        guard::RequireRole,
        safety::SafetyNotice,
    },
    domain::{
        baby_steps::{self, GUIDED_CONVERSATION},
        exchange::PRACTICE_ANSWERS,
        Role,
    },
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

/// A message for whichever field of the last submission was refused (or the form).
fn any_error(error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    view! {
        <p class="field-error" role="alert" hidden=move || error.get().is_none()>
            {move || error.get().map(|e| e.to_string())}
        </p>
    }
}

/// What a page says while its step is not open yet: what comes first.
fn not_open_yet(step: i16) -> impl IntoView {
    view! { <p class="notice notice-info" role="status">{baby_steps::what_comes_first(step)}</p> }
}

/// A group of radio buttons with a legend.
fn radio_group(
    legend: String,
    name: &'static str,
    id: &str,
    options: &[(&'static str, &'static str)],
) -> impl IntoView {
    view! {
        <fieldset class="choices">
            <legend>{legend}</legend>
            {options
                .iter()
                .map(|(value, label)| {
                    let option_id = format!("{id}-{value}");
                    let value: &'static str = value;
                    view! {
                        <Field ids=FieldIds::new(option_id.clone()) label={*label} layout=FieldLayout::Beside class="choice">
                            <input type="radio" id=option_id.clone() name=name value=value required/>
                        </Field>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

/// A 0–10 drop-down.
fn rating_select(label: &'static str, name: &'static str) -> impl IntoView {
    let id = format!("check-in-{name}");
    view! {
        <Field ids=FieldIds::new(id.clone()) label=label>
            <select id=id name=name>
                <option value="">"Choose…"</option>
                {(0..=10).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
            </select>
        </Field>
    }
}

/// `/check-in`: this week's check-in, sharing ratings, and the chart.
#[component]
pub fn CheckInPage() -> impl IntoView {
    let save = form_action::<SaveCheckIn>();
    let share = form_action::<ShareRatings>();
    let practice = page_data(move || (save.version().get(), share.version().get()), |_| load_practice());
    view! {
        <Title text="Weekly check-in"/>
        <RequireRole role=Role::Client>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    practice.await.map(|p| {
                        if p.open {
                            Either::Left(check_in_page(p, save, share))
                        } else {
                            Either::Right(view! {
                                <section aria-labelledby="check-in-title">
                                    <h1 id="check-in-title">"Weekly check-in"</h1>
                                    {not_open_yet(baby_steps::AGREEMENTS_STEP)}
                                </section>
                            })
                        }
                    })
                })}
            </Transition>
        </RequireRole>
    }
}

fn check_in_page(
    practice: PracticeView,
    save: ServerAction<SaveCheckIn>,
    share: ServerAction<ShareRatings>,
) -> impl IntoView {
    let error = action_error(save.value());
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    let partner = practice.partner.clone();
    let share_text = if practice.i_share {
        format!("Stop sharing my ratings with {partner}")
    } else {
        format!("Share my closeness ratings with {partner}")
    };
    let mut chart_points = practice.mine.clone();
    chart_points.extend(practice.partner_ratings.clone());
    let p1 = partner.clone();
    let said_alone = practice.policy.said_alone();
    let caption = if practice.partner_ratings.is_empty() {
        "Your closeness over the weeks".to_owned()
    } else {
        format!("Closeness over the weeks: you and {partner}")
    };
    view! {
        <section aria-labelledby="check-in-title">
            <h1 id="check-in-title">"Weekly check-in"</h1>
            <p class="lead">"A few questions once a week about the small steps you agreed on and how close you feel."</p>
            <p>{practice.content.consent_note()}</p>
            {if practice.practising.is_empty() {
                Either::Left(view! { <p class="notice notice-info">"You have not chosen anything to practise yet. Choose at least one agreement on the wishes page."</p> })
            } else {
                Either::Right(view! {
                    <h2>"What you are practising"</h2>
                    <ul>{practice.practising.iter().map(|a| view! { <li>{format!("{} — {} a week, for {}", a.text, times(a.times_per_week), a.receiver)}</li> }).collect_view()}</ul>
                })
            }}
            <ActionForm action=save attr:class="form-card">
                <Field ids=FieldIds::new("check-in-week") label="Week">
                    <select id="check-in-week" name="week_start">
                        {practice.weeks.iter().enumerate().map(|(i, week)| {
                            let label = if i == 0 { format!("This week (from {})", date_text::day_month(week)) } else { format!("Week of {}", date_text::day_month(week)) };
                            view! { <option value=week.to_string()>{label}</option> }
                        }).collect_view()}
                    </select>
                </Field>
                {radio_group("Did you do your part?".to_owned(), "my_part", "my-part", PRACTICE_ANSWERS)}
                {radio_group(format!("Did you notice {p1}'s?"), "noticed", "noticed", PRACTICE_ANSWERS)}
                {rating_select("How emotionally close did you feel? (0–10)", "emotional")}
                {rating_select("How physically close did you feel? (0–10)", "physical")}
                <Field ids=FieldIds::new("check-in-note") label="A note for your therapist (optional)" hint=said_alone>
                    <textarea id="check-in-note" name="note" rows="3" maxlength="2000" aria-describedby="check-in-note-hint"></textarea>
                </Field>
                {any_error(error)}
                <div class="form-actions">
                    <button type="submit" class="button-primary">"Save check-in"</button>
                    <span role="status" class="saved-note">{move || saved().then_some("Check-in saved.")}</span>
                </div>
            </ActionForm>
            <h2>"Sharing ratings"</h2>
            <p>{format!("Your closeness ratings (not your answers or note) can be shown to {partner}, and theirs to you, once you have both agreed.")}</p>
            <ActionForm action=share>
                <input type="hidden" name="share" value=(!practice.i_share).to_string()/>
                <button type="submit" class="button-secondary">{share_text}</button>
            </ActionForm>
            <h2>"Over the weeks"</h2>
            <ClosenessChart check_ins=chart_points caption/>
        </section>
    }
}

fn times(n: i16) -> String {
    match n {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

/// `/letting-go`: step 5.
#[component]
pub fn LettingGoPage() -> impl IntoView {
    let save = form_action::<SavePact>();
    let pact = page_data(move || save.version().get(), |_| load_pact());
    view! {
        <Title text="Letting go"/>
        <RequireRole role=Role::Client>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    pact.await.map(|p| {
                        if p.open {
                            Either::Left(letting_go_page(p, save))
                        } else {
                            Either::Right(view! {
                                <section aria-labelledby="letting-go-title">
                                    <h1 id="letting-go-title">"Step 5 – Letting go"</h1>
                                    {not_open_yet(baby_steps::PACT_STEP)}
                                </section>
                            })
                        }
                    })
                })}
            </Transition>
        </RequireRole>
    }
}

fn letting_go_page(pact: PactView, save: ServerAction<SavePact>) -> impl IntoView {
    let error = action_error(save.value());
    let mine = pact.entries.first().cloned();
    let partner = pact.entries.get(1).cloned();
    let partner_name = partner.as_ref().map(|p| p.partner.clone()).unwrap_or_default();
    let confirmed = mine.as_ref().is_some_and(|m| m.confirmed_at.is_some());
    let mine = mine.unwrap_or_else(|| crate::api::exchange::PactEntryView {
        partner_id: 0,
        partner: String::new(),
        letting_go: String::new(),
        shared: false,
        wants_conversation: false,
        conversation_held_on: None,
        confirmed_at: None,
    });
    let request_open = mine.wants_conversation;
    let held_on = mine.conversation_held_on;
    view! {
        <section aria-labelledby="letting-go-title">
            <h1 id="letting-go-title">"Step 5 – Letting go"</h1>
            {pact.completed_at.map(|at| view! {
                <p class="notice notice-info">{format!("You have both confirmed the pact ({}). Well done.", short_date(at))}</p>
            })}
            <p class="lead">
                "Old hurts can keep a couple stuck even when things are changing. Here you each name, in private, \
                 the resentment you are choosing to set down, and then confirm it to each other."
            </p>
            {if confirmed {
                Either::Left(view! {
                    <h2>"What you are letting go of"</h2>
                    <p class="preserve-lines">{mine.letting_go.clone()}</p>
                    <p class="aside">{if mine.shared { format!("Shared with {partner_name}.") } else { "Only you and your therapist can read this.".to_owned() }}</p>
                    <p><strong>"You have confirmed the pact."</strong></p>
                })
            } else {
                Either::Right(view! {
                    <ActionForm action=save attr:class="form-card">
                        <Field ids=FieldIds::new("letting-go-text") label="What resentment are you choosing to let go of?" hint={format!("Only you and your therapist read this unless you share it with {partner_name}. Up to 4,000 characters.")}>
                            <textarea id="letting-go-text" name="letting_go" rows="6" maxlength="4000" aria-describedby="letting-go-text-hint">{mine.letting_go.clone()}</textarea>
                        </Field>
                        <Field ids=FieldIds::new("letting-go-share") label={format!("Share this with {partner_name}")} layout=FieldLayout::Beside>
                            <input id="letting-go-share" type="checkbox" name="shared" value="on" checked=mine.shared/>
                        </Field>
                        {held_on.map(|on| view! {
                            <p class="aside">{format!("Your therapist marked your extra conversation as held on {}.", date_text::long_date(&on))}</p>
                        })}
                        {if request_open {
                            Either::Left(view! {
                                <p class="notice notice-info" role="status">
                                    "You asked your therapist for one more guided conversation. Once they mark it as held, you can confirm the pact."
                                </p>
                            })
                        } else {
                            Either::Right(view! {
                                <Field ids=FieldIds::new("letting-go-conversation") label={format!("Ask my therapist for one more guided conversation first ({partner_name} will see that I asked)")} layout=FieldLayout::Beside>
                                    <input id="letting-go-conversation" type="checkbox" name="wants_conversation" value="on"/>
                                </Field>
                            })
                        }}
                        {any_error(error)}
                        <div class="form-actions">
                            <button type="submit" name="confirm" value="no" class="button-secondary">"Save for now"</button>
                            {(!request_open).then(|| view! {
                                <button type="submit" name="confirm" value="yes" class="button-primary">"Confirm the pact"</button>
                            })}
                        </div>
                    </ActionForm>
                })
            }}
            {partner.map(|p| {
                let status = if p.confirmed_at.is_some() { format!("{} has confirmed the pact.", p.partner) } else { format!("{} has not confirmed yet.", p.partner) };
                view! {
                    <h2>{p.partner.clone()}</h2>
                    <p>{status}</p>
                    {p.wants_conversation.then(|| view! { <p>{format!("{} would like one more guided conversation first.", p.partner)}</p> })}
                    {(!p.letting_go.is_empty()).then(|| view! { <blockquote class="comment"><p class="preserve-lines">{p.letting_go.clone()}</p></blockquote> })}
                }
            })}
            {pact.revisit_on.map(|on| view! {
                <p class="notice notice-info">{format!("Your therapist suggests looking at the pact again on {}. You will both get a check-in reminder that day.", date_text::long_date(&on))}</p>
            })}
            <details class="policy">
                <summary>"One more guided conversation"</summary>
                <ol>{GUIDED_CONVERSATION.iter().map(|item| view! { <li>{*item}</li> }).collect_view()}</ol>
            </details>
        </section>
    }
}

/// `/private-note`: a message only the therapist reads, optionally marked urgent, with the
/// therapist's replies, the crisis line and what the case's policy means for it.
#[component]
pub fn PrivateNotePage() -> impl IntoView {
    let send = form_action::<SendPrivateNote>();
    let replies_read = form_action::<MarkRepliesRead>();
    let notes = page_data(move || (send.version().get(), replies_read.version().get()), |_| load_my_notes());
    view! {
        <Title text="Private note"/>
        <RequireRole role=Role::Client>
            <section aria-labelledby="note-title" class="form-card">
                <h1 id="note-title">"A private note to your therapist"</h1>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move { notes.await.map(|view| private_note_page(view, send, replies_read)) })}
                </Transition>
            </section>
        </RequireRole>
    }
}

fn private_note_page(
    view: PrivateNotesView,
    send: ServerAction<SendPrivateNote>,
    replies_read: ServerAction<MarkRepliesRead>,
) -> impl IntoView {
    let error = action_error(send.value());
    let sent = move || matches!(send.value().get(), Some(Ok(())));
    let hint = format!("{} Up to 4,000 characters.", view.policy.said_alone());
    view! {
        <p class="lead">
            "Anything you want your therapist to know without your partner — for example if you do not feel safe at home."
        </p>
        <SafetyNotice safety=view.safety.clone()/>
        <ActionForm action=send>
            <Field ids=FieldIds::new("note-body") label="Your message" hint=hint>
                <textarea id="note-body" name="body" rows="6" maxlength="4000" aria-describedby="note-body-hint"></textarea>
            </Field>
            <Field ids=FieldIds::new("note-urgent") label="This is urgent" hint="Urgent notes go to the top of your therapist's list. It is still not an emergency line." layout=FieldLayout::Beside>
                <input id="note-urgent" type="checkbox" name="urgent" value="yes" aria-describedby="note-urgent-hint"/>
            </Field>
            {any_error(error)}
            <div class="form-actions">
                <button type="submit" class="button-primary">"Send to my therapist"</button>
                <span role="status" class="saved-note">{move || sent().then_some("Sent. Only your therapist will read it.")}</span>
            </div>
        </ActionForm>
        {(!view.notes.is_empty()).then(|| view! {
            <h2>"What you have sent"</h2>
            <ul class="timeline note-thread">
                {view.notes.into_iter().map(|note| my_note(note, replies_read)).collect_view()}
            </ul>
        })}
    }
}

/// One of the client's notes: when it was sent and read, and the therapist's replies.
fn my_note(note: NoteView, replies_read: ServerAction<MarkRepliesRead>) -> impl IntoView {
    let status = match note.read_at {
        Some(at) => format!("Sent {} · Read {}", date_time(note.created_at), date_time(at)),
        None => format!("Sent {} · Not read yet", date_time(note.created_at)),
    };
    let unread_replies = note.replies.iter().any(|r| r.read_at.is_none());
    view! {
        <li>
            <p class="aside">{status}{note.urgent.then(|| view! { " " <span class="badge badge-urgent">"Urgent"</span> })}</p>
            <p class="preserve-lines">{note.body}</p>
            {note.replies.into_iter().map(|reply| view! {
                <div class="reply">
                    <p class="aside">
                        {format!("Reply from your therapist · {}", date_time(reply.created_at))}
                        {reply.read_at.is_none().then(|| view! { " " <span class="badge badge-review">"New"</span> })}
                    </p>
                    <p class="preserve-lines">{reply.body}</p>
                </div>
            }).collect_view()}
            {unread_replies.then(|| view! {
                <ActionForm action=replies_read attr:class="inline-form">
                    <input type="hidden" name="note_id" value=note.id/>
                    <button type="submit" class="button-secondary">"Mark the reply as read"</button>
                </ActionForm>
            })}
        </li>
    }
}
