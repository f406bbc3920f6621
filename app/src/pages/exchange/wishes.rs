//! `/wishes`: steps 3 and 4. The client's own wishes (with the smaller steps offered back),
//! their partner's wishes to answer, and the agreements that came out of both.

use crate::api::page_data::page_data;

use super::{any_error, not_open_yet};
use crate::{
    api::exchange::{
        load_exchange, ActOnWish, AddWish, AgreementView, ChooseAgreement, ExchangeView, RetagWish,
        RewordWish, WishView,
    },
    components::{
        form::{action_error, form_action, Field, FieldIds, FieldLayout},
        guard::RequireRole,
    },
    domain::{baby_steps, exchange::WishState, Role},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

/// The actions of the page; any of them completing reloads it.
#[derive(Clone, Copy)]
struct WishActions {
    add: ServerAction<AddWish>,
    act: ServerAction<ActOnWish>,
    choose: ServerAction<ChooseAgreement>,
    retag: ServerAction<RetagWish>,
    reword: ServerAction<RewordWish>,
    /// The wish the last action was about, so its error shows beside it.
    last_wish: RwSignal<i32>,
}

/// The page.
#[component]
pub fn WishesPage() -> impl IntoView {
    let actions = WishActions {
        add: form_action(),
        act: form_action(),
        choose: form_action(),
        retag: form_action(),
        reword: form_action(),
        last_wish: RwSignal::new(0),
    };
    let board = page_data(
        move || {
            (
                actions.add.version().get(),
                actions.act.version().get(),
                actions.choose.version().get(),
                actions.retag.version().get(),
                actions.reword.version().get(),
            )
        },
        |_| load_exchange(),
    );
    view! {
        <Title text="Wishes and agreements"/>
        <RequireRole role=Role::Client>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    board.await.map(|b| {
                        if b.progress.is_open(baby_steps::WISHES_STEP) {
                            Either::Left(wishes_page(b, actions))
                        } else {
                            Either::Right(view! {
                                <section aria-labelledby="wishes-title">
                                    <h1 id="wishes-title">"Wishes and agreements"</h1>
                                    {not_open_yet(baby_steps::WISHES_STEP)}
                                </section>
                            })
                        }
                    })
                })}
            </Transition>
        </RequireRole>
    }
}

/// The kinds a wish may have, as the couple's programme allows (`(key, label)`).
type WishKinds = &'static [(&'static str, &'static str)];

fn wishes_page(board: ExchangeView, actions: WishActions) -> impl IntoView {
    let partner = board.partner.clone();
    let add_error = action_error(actions.add.value());
    let choose_error = action_error(actions.choose.value());
    let kinds: WishKinds = board.content.wish_kinds();
    let agreements_open = board.progress.is_open(baby_steps::AGREEMENTS_STEP);
    let progress = board.progress.sentences();
    let (p1, p2, p3, p4, p5, p6) = (
        partner.clone(),
        partner.clone(),
        partner.clone(),
        partner.clone(),
        partner.clone(),
        partner.clone(),
    );
    view! {
        <section aria-labelledby="wishes-title">
            <h1 id="wishes-title">"Wishes and agreements"</h1>
            <p class="lead">
                {format!(
                    "Each thing on your step 1 list is a wish to {partner}. Look at {partner}'s wishes and say what you \
                     are willing to give: yes, a smaller step for now, or not for now."
                )}
            </p>
            <p>{board.content.consent_note()}</p>
            {(!progress.is_empty()).then(|| view! {
                <ul class="progress" aria-label="Where you both are">
                    {progress.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                </ul>
            })}

            <h2>{format!("{p1}'s wishes for you")}</h2>
            {if !board.revealed {
                Either::Left(view! { <p class="notice notice-info">{format!("You will see {p2}'s wishes once you have both shared step 1.")}</p> })
            } else if board.their_wishes.is_empty() {
                Either::Right(Either::Left(view! { <p>{format!("{p3} has no wishes listed yet.")}</p> }))
            } else {
                Either::Right(Either::Right(view! {
                    <ul class="wish-list">{board.their_wishes.iter().map(|w| their_wish(w, actions)).collect_view()}</ul>
                }))
            }}

            <h2>"Your wishes"</h2>
            {board.all_mine_declined.then(|| view! { <p class="notice notice-info" role="status">{baby_steps::DECLINED_NOTE}</p> })}
            <ul class="wish-list">{board.my_wishes.iter().map(|w| my_wish(w, &p4, kinds, actions)).collect_view()}</ul>
            <details class="card">
                <summary>"Add a wish"</summary>
                <ActionForm action=actions.add>
                    <Field ids=FieldIds::new("wish-text") label={format!("What would you like from {p5}?")} hint="One concrete thing, up to 300 characters.">
                        <input id="wish-text" name="text" type="text" maxlength="300"/>
                    </Field>
                    <Field ids=FieldIds::new("wish-kind") label="Kind">
                        <select id="wish-kind" name="kind">
                            {kinds.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                        </select>
                    </Field>
                    <Field ids=FieldIds::new("wish-importance") label="How much it matters">
                        <select id="wish-importance" name="importance">
                            <option value="1">"1 – a little"</option>
                            <option value="2" selected=true>"2 – quite a lot"</option>
                            <option value="3">"3 – a great deal"</option>
                        </select>
                    </Field>
                    {any_error(add_error)}
                    <button type="submit" class="button-secondary">"Add wish"</button>
                </ActionForm>
            </details>

            <h2>"Agreements"</h2>
            {if agreements_open {
                Either::Left(view! { <p>"Choose at least one of the things you give to practise. The easiest are listed first."</p> })
            } else {
                Either::Right(not_open_yet(baby_steps::AGREEMENTS_STEP))
            }}
            {any_error(choose_error)}
            <h3>"What you give"</h3>
            {agreement_list(&board.i_give, agreements_open.then_some(actions.choose))}
            <h3>{format!("What {p6} gives you")}</h3>
            {agreement_list(&board.i_receive, None)}
        </section>
    }
}

/// The error of the last action, shown only beside the wish it was about.
fn wish_error(wish_id: i32, actions: WishActions) -> impl IntoView {
    let error = Signal::derive(move || {
        (actions.last_wish.get() == wish_id)
            .then(|| {
                actions
                    .act
                    .value()
                    .get()
                    .and_then(Result::err)
                    .or_else(|| actions.retag.value().get().and_then(Result::err))
                    .or_else(|| actions.reword.value().get().and_then(Result::err))
            })
            .flatten()
    });
    any_error(error)
}

/// The wish's earlier wordings, when it was reworded.
fn earlier_wordings(wish: &WishView) -> impl IntoView {
    (!wish.earlier_wordings.is_empty()).then(|| {
        view! {
            <ol class="thread" aria-label="Earlier wording">
                {wish.earlier_wordings.iter().map(|text| {
                    view! { <li>{format!("Earlier wording: \u{201c}{text}\u{201d}")}</li> }
                }).collect_view()}
            </ol>
        }
    })
}

fn thread(wish: &WishView) -> impl IntoView {
    (!wish.offers.is_empty()).then(|| {
        view! {
            <ol class="thread" aria-label="Smaller steps offered">
                {wish.offers.iter().map(|offer| {
                    let status = offer.status.label();
                    view! { <li>{format!("Smaller step: \u{201c}{}\u{201d} — {status}", offer.text)}</li> }
                }).collect_view()}
            </ol>
        }
    })
}

fn their_wish(wish: &WishView, actions: WishActions) -> impl IntoView {
    let id = wish.id;
    let can_answer = matches!(
        wish.state,
        WishState::Open
            | WishState::ClarifyAsked
            | WishState::NotNow
            | WishState::DifferentAsked
            | WishState::TakenBack
    );
    let can_ask = wish.state == WishState::Open;
    let asked = wish.state == WishState::ClarifyAsked;
    let agreed = wish.state == WishState::Agreed;
    let field = move |part: &str| format!("wish-{id}-{part}");
    let version = wish.version;
    let wisher = wish.wisher.clone();
    view! {
        <li class="card wish">
            <p class="wish-text">{wish.text.clone()}</p>
            <p class="aside">{format!("{} · matters {}/3 · {}", wish.kind, wish.importance, wish.state.label())}</p>
            {earlier_wordings(wish)}
            {thread(wish)}
            {can_ask.then(|| view! {
                <p>{format!("Not sure what {wisher} means? Ask before you answer; {wisher} can put it another way.")}</p>
                {wish_button(wish, "ask_clarify", "What do you mean?", actions)}
            })}
            {asked.then(|| view! { <p class="aside">{format!("You asked {wisher} what this means. You can still answer it as it stands.")}</p> })}
            {can_answer.then(|| view! {
                <ActionForm action=actions.act>
                    <input type="hidden" name="wish_id" value=id/>
                    <input type="hidden" name="version" value=version/>
                    <fieldset class="choices">
                        <legend>{format!("Your answer to {wisher}")}</legend>
                        {[("yes", "Yes, I can do this"), ("smaller_step", "Not yet, but I am willing to do a smaller step"), ("not_now", "Not for now")]
                            .into_iter()
                            .map(|(value, label)| {
                                let option_id = field(value);
                                view! {
                                    <Field ids=FieldIds::new(option_id.clone()) label=label layout=FieldLayout::Beside class="choice">
                                        <input type="radio" id=option_id.clone() name="action" value=value required/>
                                    </Field>
                                }
                            })
                            .collect_view()}
                    </fieldset>
                    <Field ids=FieldIds::new(field("offer").clone()) label="The smaller step (if you offer one)">
                        <input id=field("offer") name="offer" type="text" maxlength="300"/>
                    </Field>
                    <Field ids=FieldIds::new(field("ease").clone()) label="How easy does giving this feel?">
                        <select id=field("ease") name="ease">
                            <option value="">"Choose…"</option>
                            {(1..=5).map(|n| {
                                let label = match n { 1 => "1 – hard".to_owned(), 5 => "5 – easy".to_owned(), n => n.to_string() };
                                view! { <option value=n.to_string()>{label}</option> }
                            }).collect_view()}
                        </select>
                    </Field>
                    {wish_error(id, actions)}
                    <button type="submit" class="button-primary" on:click=move |_| actions.last_wish.set(id)>"Send answer"</button>
                </ActionForm>
            })}
            {agreed.then(|| change_my_yes(wish, actions))}
        </li>
    }
}

/// For a wish the viewer said yes to: make it smaller again (a new offer in the same
/// thread), or take the yes back, no reason asked.
fn change_my_yes(wish: &WishView, actions: WishActions) -> impl IntoView {
    let id = wish.id;
    let version = wish.version;
    let offer_id = format!("wish-{id}-smaller-again");
    let ease_id = format!("wish-{id}-smaller-again-ease");
    view! {
        <details class="retag">
            <summary>"Change my yes"</summary>
            <p>"You can make this smaller again or take your yes back at any time. You do not have to give a reason."</p>
            <ActionForm action=actions.act attr:class="form-card">
                <input type="hidden" name="wish_id" value=id/>
                <input type="hidden" name="version" value=version/>
                <input type="hidden" name="action" value="smaller_step"/>
                <Field ids=FieldIds::new(offer_id.clone()) label="A smaller step I can offer instead">
                    <input id=offer_id name="offer" type="text" maxlength="300"/>
                </Field>
                <Field ids=FieldIds::new(ease_id.clone()) label="How easy does the smaller step feel?">
                    <select id=ease_id name="ease">
                        {(1..=5).map(|n| view! { <option value=n.to_string() selected=n == 3>{n}</option> }).collect_view()}
                    </select>
                </Field>
                <button type="submit" class="button-secondary" on:click=move |_| actions.last_wish.set(id)>"Offer the smaller step"</button>
            </ActionForm>
            {wish_button(wish, "take_back", "Take back my yes", actions)}
            {wish_error(id, actions)}
        </details>
    }
}

fn wish_button(
    wish: &WishView,
    action: &'static str,
    label: &'static str,
    actions: WishActions,
) -> impl IntoView {
    let id = wish.id;
    let version = wish.version;
    view! {
        <ActionForm action=actions.act attr:class="inline-form">
            <input type="hidden" name="wish_id" value=id/>
            <input type="hidden" name="version" value=version/>
            <input type="hidden" name="action" value=action/>
            <button type="submit" class="button-secondary" on:click=move |_| actions.last_wish.set(id)>{label}</button>
        </ActionForm>
    }
}

fn my_wish(wish: &WishView, partner: &str, kinds: WishKinds, actions: WishActions) -> impl IntoView {
    let pending = wish.state == WishState::OfferPending;
    let can_withdraw = !matches!(wish.state, WishState::Agreed | WishState::Withdrawn);
    let taken_back = wish.state == WishState::TakenBack;
    let unanswered = matches!(wish.state, WishState::Open | WishState::ClarifyAsked);
    let state = match wish.state {
        WishState::Open => format!("Waiting for {partner}'s answer"),
        WishState::ClarifyAsked => format!("{partner} asked what you mean: you can reword it"),
        WishState::NotNow => format!("{partner}: not for now"),
        WishState::OfferPending => format!("{partner} offered a smaller step"),
        other => other.label().to_owned(),
    };
    view! {
        <li class="card wish">
            <p class="wish-text">{wish.text.clone()}</p>
            <p class="aside">{format!("{} · matters {}/3 · {state}", wish.kind, wish.importance)}</p>
            {taken_back.then(|| view! { <p class="notice notice-info">{baby_steps::TAKEN_BACK_NOTE}</p> })}
            {earlier_wordings(wish)}
            {thread(wish)}
            {unanswered.then(|| reword_form(wish, wish.state == WishState::ClarifyAsked, actions))}
            {can_withdraw.then(|| retag_form(wish, kinds, actions))}
            <div class="case-actions">
                {pending.then(|| wish_button(wish, "accept_offer", "Accept this smaller step", actions))}
                {pending.then(|| wish_button(wish, "ask_different", "Ask for a different step", actions))}
                {can_withdraw.then(|| wish_button(wish, "withdraw", "Withdraw", actions))}
            </div>
            {wish_error(wish.id, actions)}
        </li>
    }
}

/// Rewording an unanswered wish (open at once when the partner asked what it means).
fn reword_form(wish: &WishView, asked: bool, actions: WishActions) -> impl IntoView {
    let (id, version, text) = (wish.id, wish.version, wish.text.clone());
    let text_id = format!("wish-{id}-reword");
    view! {
        <details class="retag" open=asked>
            <summary>"Put it another way"</summary>
            <ActionForm action=actions.reword attr:class="form-card">
                <input type="hidden" name="wish_id" value=id/>
                <input type="hidden" name="version" value=version/>
                <Field ids=FieldIds::new(text_id.clone()) label="Your wish, in other words" hint="Your partner will still see the earlier wording.">
                    <input id=text_id.clone() name="text" type="text" maxlength="300" value=text aria-describedby=format!("{text_id}-hint")/>
                </Field>
                <button type="submit" class="button-secondary" on:click=move |_| actions.last_wish.set(id)>"Reword"</button>
            </ActionForm>
        </details>
    }
}

/// Changing a wish's kind and how much it matters.
fn retag_form(wish: &WishView, kinds: WishKinds, actions: WishActions) -> impl IntoView {
    let (id, version, kind, importance) = (wish.id, wish.version, wish.kind_key.clone(), wish.importance);
    let kind_id = format!("wish-{id}-kind");
    let importance_id = format!("wish-{id}-importance");
    view! {
        <details class="retag">
            <summary>"Change kind or importance"</summary>
            <ActionForm action=actions.retag attr:class="inline-form">
                <input type="hidden" name="wish_id" value=id/>
                <input type="hidden" name="version" value=version/>
                <Field ids=FieldIds::new(kind_id.clone()) label="Kind" class="inline-field">
                    <select id=kind_id name="kind">
                        {kinds.iter().map(|(value, label)| view! { <option value=*value selected=kind == *value>{*label}</option> }).collect_view()}
                    </select>
                </Field>
                <Field ids=FieldIds::new(importance_id.clone()) label="How much it matters" class="inline-field">
                    <select id=importance_id name="importance">
                        {(1..=3).map(|n: i16| view! { <option value=n.to_string() selected=n == importance>{n}</option> }).collect_view()}
                    </select>
                </Field>
                <button type="submit" class="button-secondary" on:click=move |_| actions.last_wish.set(id)>"Save"</button>
            </ActionForm>
        </details>
    }
}

fn agreement_list(
    agreements: &[AgreementView],
    choose: Option<ServerAction<ChooseAgreement>>,
) -> impl IntoView {
    if agreements.is_empty() {
        return Either::Left(view! { <p>"None yet."</p> });
    }
    Either::Right(view! {
        <ul class="agreement-list">
            {agreements.iter().map(|a| {
                let ease = a.ease.map(|e| format!(" · ease {e}/5")).unwrap_or_default();
                let status = if a.chosen { format!(" · practising, {} a week", a.times_per_week) } else { String::new() };
                view! {
                    <li class="card">
                        <p class="wish-text">{a.text.clone()}</p>
                        <p class="aside">{format!("{} gives, {} receives{ease}{status}", a.giver, a.receiver)}</p>
                        {choose.map(|choose| choose_form(a, choose))}
                    </li>
                }
            }).collect_view()}
        </ul>
    })
}

fn choose_form(agreement: &AgreementView, choose: ServerAction<ChooseAgreement>) -> impl IntoView {
    let id = format!("times-{}", agreement.id);
    let current = agreement.times_per_week;
    let (agreement_id, chosen) = (agreement.id, agreement.chosen);
    view! {
        <ActionForm action=choose attr:class="inline-form">
            <input type="hidden" name="agreement_id" value=agreement_id/>
            <input type="hidden" name="chosen" value=(!chosen).to_string()/>
            {if chosen {
                Either::Left(view! {
                    <input type="hidden" name="times_per_week" value=current/>
                    <button type="submit" class="button-secondary">"Stop practising"</button>
                })
            } else {
                Either::Right(view! {
                    <Field ids=FieldIds::new(id.clone()) label="Times a week" class="inline-field">
                        <select id=id name="times_per_week">
                            {(1..=7).map(|n| view! { <option value=n.to_string() selected=n == current>{n}</option> }).collect_view()}
                        </select>
                    </Field>
                    <button type="submit" class="button-primary">"Practise this"</button>
                })
            }}
        </ActionForm>
    }
}
