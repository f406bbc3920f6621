//! Exercise questions as form fields (one per question kind), and answers read back as
//! text. The client's sheet and the therapist's preview render the same fields.

use crate::{
    components::{
        focus::focus_after_render,
        form::{Field, FieldIds, FieldLayout},
    },
    domain::{
        answers::{field_name, join_tagged, kind_label, split_tagged},
        baby_steps::ProgrammeContent,
        exercise::{Question, QuestionKind, ScaleRange},
    },
};
use leptos::prelude::*;

/// The id of a question's field (or of its group's first element).
fn field_id(question: &Question) -> String {
    format!("q-{}", question.key)
}

/// The limit shown under a question, so nobody is surprised when a save is refused.
pub fn limit_hint(kind: &QuestionKind) -> Option<String> {
    match kind {
        QuestionKind::ShortText { max_chars } | QuestionKind::LongText { max_chars } => {
            Some(format!("Up to {max_chars} characters."))
        }
        QuestionKind::List { max_items, max_item_chars, tagged } => Some(format!(
            "Up to {max_items} items, each up to {max_item_chars} characters.{}",
            if *tagged {
                " Choose a kind for each item; an item without one counts as everyday."
            } else {
                ""
            }
        )),
        QuestionKind::MultipleChoice { .. } => Some("Choose any that fit.".to_owned()),
        QuestionKind::Scale { .. } | QuestionKind::SingleChoice { .. } => None,
    }
}

/// One question as a form field. `value` is the saved answer as a form value (lists one
/// item per line); `error` is the message for this answer from the last save, if any;
/// `on_change` runs after edits that fire no `input` event (list buttons).
#[component]
pub fn QuestionField(
    /// The question.
    question: Question,
    /// The saved answer.
    value: String,
    /// The last save's message for this answer.
    error: Signal<Option<String>>,
    /// Called when the list editor changes without an `input` event.
    on_change: Callback<()>,
    /// The couple's programme content: the kinds a tagged list's items may have.
    #[prop(optional)]
    content: ProgrammeContent,
) -> impl IntoView {
    let ids = FieldIds::new(field_id(&question));
    let id = ids.control.clone();
    let name = field_name(&question.key);
    let hint = [question.help.clone(), limit_hint(&question.kind)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let has_hint = !hint.is_empty();
    let described_by = {
        let ids = ids.clone();
        move || ids.described_by(has_hint, error.get().is_some()).unwrap_or_default()
    };
    let invalid = move || error.get().is_some().then_some("true");
    let required_mark = if question.required { "" } else { " (optional)" };
    let prompt = format!("{}{required_mark}", question.prompt);
    let hint_line = view! { <p class="field-hint" id=ids.hint.clone() hidden=!has_hint>{hint.clone()}</p> };
    let group = |control: AnyView| {
        view! {
            <div class="field question" class:field-invalid=move || error.get().is_some()>
                {control}
                <p class="field-error" id=ids.error.clone() role="alert" hidden=move || error.get().is_none()>
                    {move || error.get()}
                </p>
            </div>
        }
        .into_any()
    };
    let text_hint = has_hint.then(|| hint.clone());
    match question.kind.clone() {
        QuestionKind::ShortText { max_chars } => view! {
            <Field ids=ids.clone() label=prompt hint=text_hint error=error class="field question">
                <input
                    id=id
                    name=name
                    type="text"
                    maxlength=max_chars.to_string()
                    value=value
                    aria-invalid=invalid
                    aria-describedby=described_by
                />
            </Field>
        }
        .into_any(),
        QuestionKind::LongText { max_chars } => view! {
            <Field ids=ids.clone() label=prompt hint=text_hint error=error class="field question">
                <textarea
                    id=id
                    name=name
                    rows="5"
                    maxlength=max_chars.to_string()
                    aria-invalid=invalid
                    aria-describedby=described_by
                >
                    {value}
                </textarea>
            </Field>
        }
        .into_any(),
        QuestionKind::List { max_items, max_item_chars, tagged } => group(
            view! {
                <ListEditor
                    id=id
                    name=name
                    prompt=prompt
                    hint=hint_line
                    items=value.lines().map(str::to_owned).filter(|line| !line.trim().is_empty()).collect()
                    max_items=max_items as usize
                    max_item_chars=max_item_chars
                    tagged=tagged
                    kinds=content.wish_kinds()
                    on_change=on_change
                />
            }
            .into_any(),
        ),
        QuestionKind::Scale { min, max, min_label, max_label } => {
            // Never loop over ends taken unchecked: a row stored before the limits may hold any.
            let range = ScaleRange::clamped(min, max);
            let (min, max) = (range.min(), range.max());
            group(view! {
                <fieldset class="scale" aria-describedby=described_by>
                    <legend>{prompt}</legend>
                    {hint_line}
                    <p class="scale-ends" aria-hidden="true">
                        <span>{format!("{min}: {min_label}")}</span>
                        <span>{format!("{max}: {max_label}")}</span>
                    </p>
                    <div class="scale-points">
                        {range.points()
                            .map(|point| {
                                let point_id = format!("{id}-{point}");
                                // The ends say what they mean to screen readers too.
                                let end = if point == min {
                                    Some(format!(" ({min_label})"))
                                } else if point == max {
                                    Some(format!(" ({max_label})"))
                                } else {
                                    None
                                };
                                let label = view! { {point}{end.map(|end| view! { <span class="visually-hidden">{end}</span> })} };
                                let (name, checked) = (name.clone(), value.trim() == point.to_string());
                                view! {
                                    <Field ids=FieldIds::new(point_id.clone()) label=label layout=FieldLayout::Beside class="scale-point">
                                        <input
                                            type="radio"
                                            id=point_id
                                            name=name
                                            value=point.to_string()
                                            checked=checked
                                        />
                                    </Field>
                                }
                            })
                            .collect_view()}
                    </div>
                </fieldset>
            }
            .into_any())
        }
        QuestionKind::SingleChoice { options } => {
            let choices = Choices { options, chosen: &[value.trim().to_owned()], input_type: "radio" };
            group(choice_group(&id, &name, prompt, hint_line, choices, described_by).into_any())
        }
        QuestionKind::MultipleChoice { options } => {
            let chosen: Vec<String> = value.lines().map(|line| line.trim().to_owned()).collect();
            let choices = Choices { options, chosen: &chosen, input_type: "checkbox" };
            group(choice_group(&id, &name, prompt, hint_line, choices, described_by).into_any())
        }
    }
}

/// The options of a choice question, which are chosen, and how they are picked.
struct Choices<'a> {
    options: Vec<String>,
    chosen: &'a [String],
    /// `radio` (one) or `checkbox` (several).
    input_type: &'static str,
}

/// Radio buttons or checkboxes in a fieldset.
fn choice_group(
    id: &str,
    name: &str,
    prompt: String,
    hint_line: impl IntoView + 'static,
    choices: Choices<'_>,
    described_by: impl Fn() -> String + Send + Sync + 'static,
) -> impl IntoView {
    let Choices { options, chosen, input_type } = choices;
    view! {
        <fieldset class="choices" aria-describedby=described_by>
            <legend>{prompt}</legend>
            {hint_line}
            {options
                .into_iter()
                .enumerate()
                .map(|(index, option)| {
                    let option_id = format!("{id}-{index}");
                    let checked = chosen.contains(&option);
                    let name = name.to_owned();
                    view! {
                        <Field ids=FieldIds::new(option_id.clone()) label=option.clone() layout=FieldLayout::Beside class="choice">
                            <input type=input_type id=option_id name=name value=option checked=checked/>
                        </Field>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

/// A list the client can add to, edit, reorder and shorten. The items travel in one hidden
/// field, one per line; in a tagged list each item also has a kind, chosen beside it.
#[component]
fn ListEditor(
    id: String,
    name: String,
    prompt: String,
    hint: impl IntoView + 'static,
    items: Vec<String>,
    max_items: usize,
    max_item_chars: u32,
    tagged: bool,
    kinds: &'static [(&'static str, &'static str)],
    on_change: Callback<()>,
) -> impl IntoView {
    let next_key = StoredValue::new(items.len());
    let items = RwSignal::new(
        items
            .iter()
            .enumerate()
            .map(|(key, line)| {
                if tagged {
                    let (kind, text) = split_tagged(line);
                    (key, text.to_owned(), kind.unwrap_or("").to_owned())
                } else {
                    (key, line.clone(), String::new())
                }
            })
            .collect::<Vec<(usize, String, String)>>(),
    );
    let joined = move || {
        items.with(|items| {
            items
                .iter()
                .filter(|(_, text, _)| !tagged || !text.trim().is_empty())
                .map(|(_, text, kind)| {
                    if tagged {
                        join_tagged(Some(kind.as_str()).filter(|k| !k.is_empty()), text)
                    } else {
                        text.trim().to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
    };
    let position = move |key: usize| items.with(|items| items.iter().position(|(k, _, _)| *k == key));
    let add_id = StoredValue::new(format!("{id}-add"));
    let add = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        items.update(|items| items.push((key, String::new(), String::new())));
        on_change.run(());
        // Put the cursor in the new item.
        focus_after_render(format!("#list-item-{key}"));
    };
    let move_item = move |key: usize, up: bool| {
        let mut moved_to = None;
        items.update(|items| {
            if let Some(index) = items.iter().position(|(k, _, _)| *k == key) {
                let other =
                    if up { index.checked_sub(1) } else { Some(index + 1).filter(|i| *i < items.len()) };
                if let Some(other) = other {
                    items.swap(index, other);
                    moved_to = Some((other, items.len()));
                }
            }
        });
        on_change.run(());
        // The focus stays on the item's move button, or on its other one once the item
        // reaches an end of the list (where this one is disabled).
        if let Some((index, len)) = moved_to {
            let at_end = if up { index == 0 } else { index + 1 == len };
            let direction = if up != at_end { "up" } else { "down" };
            focus_after_render(format!("#list-item-{key}-{direction}"));
        }
    };
    let remove = move |key: usize| {
        let index = position(key);
        items.update(|items| items.retain(|(k, _, _)| *k != key));
        on_change.run(());
        // The focus goes to the item that took its place, else the one before, else "Add".
        let neighbour = index.and_then(|index| {
            items.with_untracked(|items| items.get(index).or_else(|| items.last()).map(|(k, _, _)| *k))
        });
        focus_after_render(match neighbour {
            Some(other) => format!("#list-item-{other}"),
            None => add_id.with_value(|id| format!("#{id}")),
        });
    };
    let full = move || items.with(Vec::len) >= max_items;
    view! {
        <fieldset class="list-editor" id=id>
            <legend>{prompt}</legend>
            {hint}
            <input type="hidden" name=name value=joined/>
            <ol>
                <For each=move || items.get() key=|(key, _, _)| *key let((key, text, kind))>
                    <li>
                        <Field
                            ids=FieldIds::new(format!("list-item-{key}"))
                            label=move || format!("Item {}", position(key).map_or(0, |i| i + 1))
                            layout=FieldLayout::LabelHidden
                            class="list-item"
                        >
                        <input
                            id=format!("list-item-{key}")
                            type="text"
                            value=text
                            maxlength=max_item_chars.to_string()
                            on:input=move |ev| {
                                let text = event_target_value(&ev);
                                items.update_untracked(|items| {
                                    if let Some(item) = items.iter_mut().find(|(k, _, _)| *k == key) {
                                        item.1 = text;
                                    }
                                });
                                items.notify();
                            }
                        />
                        <span class="list-item-actions">
                            <button type="button" class="button-small" id=format!("list-item-{key}-up") on:click=move |_| move_item(key, true)
                                disabled=move || position(key) == Some(0)
                                aria-label=move || format!("Move item {} up", position(key).map_or(0, |i| i + 1))>"↑"</button>
                            <button type="button" class="button-small" id=format!("list-item-{key}-down") on:click=move |_| move_item(key, false)
                                disabled=move || position(key).map(|i| i + 1) == Some(items.with(Vec::len))
                                aria-label=move || format!("Move item {} down", position(key).map_or(0, |i| i + 1))>"↓"</button>
                            <button type="button" class="button-small" on:click=move |_| remove(key)
                                aria-label=move || format!("Remove item {}", position(key).map_or(0, |i| i + 1))>"Remove"</button>
                        </span>
                        </Field>
                        {tagged.then(|| view! {
                            <Field
                                ids=FieldIds::new(format!("list-item-{key}-kind"))
                                label=move || format!("Kind of item {}", position(key).map_or(0, |i| i + 1))
                                layout=FieldLayout::LabelHidden
                                class="list-item-kind"
                            >
                            <select
                                id=format!("list-item-{key}-kind")
                                on:change=move |ev| {
                                    let chosen = event_target_value(&ev);
                                    items.update(|items| {
                                        if let Some(item) = items.iter_mut().find(|(k, _, _)| *k == key) {
                                            item.2 = chosen;
                                        }
                                    });
                                    on_change.run(());
                                }
                            >
                                <option value="" selected=kind.is_empty()>"Kind…"</option>
                                {kinds.iter().map(|(value, label)| {
                                    view! { <option value=*value selected=kind == *value>{*label}</option> }
                                }).collect_view()}
                            </select>
                            </Field>
                        })}
                    </li>
                </For>
            </ol>
            <button type="button" class="button-secondary" id=add_id.get_value() on:click=add disabled=full>"Add an item"</button>
            <p class="field-hint" hidden=move || !full()>{format!("This list is full ({max_items} items).")}</p>
        </fieldset>
    }
}

/// An answer read back (lists become bullet points); "Not answered" when empty.
pub fn answer_text(question: &Question, value: Option<&String>) -> AnyView {
    let Some(value) = value.filter(|value| !value.trim().is_empty()) else {
        return view! { <p class="unanswered">"Not answered"</p> }.into_any();
    };
    match &question.kind {
        QuestionKind::List { tagged: true, .. } => view! {
            <ul class="answer-list">
                {value.lines().map(|line| {
                    let (kind, text) = split_tagged(line);
                    let shown = match kind_label(kind) {
                        "" => text.to_owned(),
                        label => format!("{text} ({label})"),
                    };
                    view! { <li>{shown}</li> }
                }).collect_view()}
            </ul>
        }
        .into_any(),
        QuestionKind::List { .. } | QuestionKind::MultipleChoice { .. } => view! {
            <ul class="answer-list">
                {value.lines().map(|line| view! { <li>{line.to_owned()}</li> }).collect_view()}
            </ul>
        }
        .into_any(),
        QuestionKind::Scale { min, max, .. } => {
            let max = ScaleRange::clamped(*min, *max).max();
            view! { <p class="answer">{format!("{value} out of {max}")}</p> }.into_any()
        }
        _ => view! {
            <div class="answer">{value.split("\n\n").map(|p| view! { <p>{p.to_owned()}</p> }).collect_view()}</div>
        }
        .into_any(),
    }
}
