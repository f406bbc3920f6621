//! Writing an exercise: title, summary, instructions and an ordered list of questions
//! (add, remove, reorder; each with its kind, limits, audience and whether it is required),
//! then a preview exactly as a client will see the saved version.

use crate::api::page_data::page_data;

use crate::{
    api::templates::{archive_template, duplicate_template, load_template, save_template, TemplateView},
    components::{
        form::{Field, FieldIds, FieldLayout},
        guard::RequireRole,
        questions::QuestionField,
    },
    domain::{
        answers::is_for,
        case::Seeks,
        exercise::{Audience, ExerciseTemplate, Question, QuestionKind},
        Role,
    },
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
};

/// `/exercises/new`.
#[component]
pub fn NewExercisePage() -> impl IntoView {
    view! {
        <Title text="New exercise"/>
        <RequireRole role=Role::Therapist>
            <h1>"New exercise"</h1>
            <Editor template=None reload=RwSignal::new(0)/>
        </RequireRole>
    }
}

/// `/exercises/:id`: edit, preview, duplicate, archive.
#[component]
pub fn EditExercisePage() -> impl IntoView {
    let params = use_params_map();
    let template_id = move || params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let reload = RwSignal::new(0_u32);
    let template = page_data(move || (template_id(), reload.get()), |(id, _)| load_template(id));
    view! {
        <Title text="Exercise"/>
        <RequireRole role=Role::Therapist>
            <Transition fallback=|| view! { <p class="loading">"Loading the exercise…"</p> }>
                {move || Suspend::new(async move {
                    template.await.map(|template| {
                        let loaded = [(reload.get_untracked(), template)];
                        view! {
                            <For each=move || loaded.clone() key=|(count, _)| *count let((_, template))>
                                <ExerciseHeader template=template.clone() reload/>
                                <Editor template=Some(template.clone()) reload/>
                                <Preview content=template.content/>
                            </For>
                        }
                    })
                })}
            </Transition>
        </RequireRole>
    }
}

/// Title, version, and the duplicate and archive buttons.
#[component]
fn ExerciseHeader(template: TemplateView, reload: RwSignal<u32>) -> impl IntoView {
    let id = template.id;
    let archived = template.archived;
    let navigate = use_navigate();
    let duplicate = Action::new_local(move |_: &()| duplicate_template(id));
    let archive = Action::new_local(move |_: &()| archive_template(id, !archived));
    Effect::new(move |_| {
        if let Some(Ok(copy)) = duplicate.value().get() {
            navigate(&format!("/exercises/{copy}"), Default::default());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = archive.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    view! {
        <p class="breadcrumb"><A href="/exercises">"← Exercises"</A></p>
        <div class="page-heading">
            <h1>{template.content.title.clone()}</h1>
            {archived.then(|| view! { <span class="badge badge-closed">"Archived"</span> })}
        </div>
        <p class="aside">{format!("Version {}. Homework already assigned keeps the version it was given.", template.version)}</p>
        <div class="case-actions">
            <button type="button" class="button-secondary" on:click=move |_| { duplicate.dispatch(()); }>"Duplicate"</button>
            <button type="button" class="button-secondary" on:click=move |_| { archive.dispatch(()); }>
                {if archived { "Restore" } else { "Archive" }}
            </button>
        </div>
    }
}

/// One question being edited; each part has its own signal so typing never rebuilds the row.
#[derive(Clone, Copy)]
struct QuestionRow {
    row: usize,
    key: StoredValue<String>,
    prompt: RwSignal<String>,
    help: RwSignal<String>,
    kind: RwSignal<String>,
    limit: RwSignal<String>,
    item_chars: RwSignal<String>,
    options: RwSignal<String>,
    scale_min: RwSignal<String>,
    scale_max: RwSignal<String>,
    min_label: RwSignal<String>,
    max_label: RwSignal<String>,
    audience: RwSignal<String>,
    required: RwSignal<bool>,
}

/// The kinds a therapist can choose, as `(value, label)`.
const KINDS: &[(&str, &str)] = &[
    ("long_text", "Long text"),
    ("short_text", "Short text"),
    ("list", "List of items"),
    ("scale", "Scale"),
    ("single_choice", "One choice"),
    ("multiple_choice", "Several choices"),
];

/// Who a question is for, as `(value, label)`.
const AUDIENCES: &[(&str, &str)] = &[
    ("everyone", "Both partners"),
    ("seeks_emotional", "The partner who seeks more emotional connection"),
    ("seeks_physical", "The partner who seeks more physical closeness"),
];

impl QuestionRow {
    fn new(row: usize, question: &Question) -> Self {
        let text = |value: &str| RwSignal::new(value.to_owned());
        let (kind, limit, item_chars, options, scale) = match &question.kind {
            QuestionKind::ShortText { max_chars } => {
                ("short_text", max_chars.to_string(), "300".into(), String::new(), None)
            }
            QuestionKind::LongText { max_chars } => {
                ("long_text", max_chars.to_string(), "300".into(), String::new(), None)
            }
            QuestionKind::List { max_items, max_item_chars, .. } => {
                ("list", max_items.to_string(), max_item_chars.to_string(), String::new(), None)
            }
            QuestionKind::Scale { min, max, min_label, max_label } => (
                "scale",
                "4000".into(),
                "300".into(),
                String::new(),
                Some((*min, *max, min_label.clone(), max_label.clone())),
            ),
            QuestionKind::SingleChoice { options } => {
                ("single_choice", "4000".into(), "300".into(), options.join("\n"), None)
            }
            QuestionKind::MultipleChoice { options } => {
                ("multiple_choice", "4000".into(), "300".into(), options.join("\n"), None)
            }
        };
        let (min, max, min_label, max_label) =
            scale.unwrap_or((0, 10, "Not at all".to_owned(), "Completely".to_owned()));
        QuestionRow {
            row,
            key: StoredValue::new(question.key.clone()),
            prompt: text(&question.prompt),
            help: text(question.help.as_deref().unwrap_or("")),
            kind: text(kind),
            limit: RwSignal::new(limit),
            item_chars: RwSignal::new(item_chars),
            options: RwSignal::new(options),
            scale_min: RwSignal::new(min.to_string()),
            scale_max: RwSignal::new(max.to_string()),
            min_label: RwSignal::new(min_label),
            max_label: RwSignal::new(max_label),
            audience: text(match question.audience {
                Audience::Everyone => "everyone",
                Audience::SeeksEmotional => "seeks_emotional",
                Audience::SeeksPhysical => "seeks_physical",
            }),
            required: RwSignal::new(question.required),
        }
    }

    /// The question as typed, or what to fix (numbered from 1).
    fn to_question(self, number: usize) -> Result<Question, String> {
        let whole = |signal: RwSignal<String>, what: &str| {
            signal
                .get_untracked()
                .trim()
                .parse::<i64>()
                .map_err(|_| format!("Question {number}: {what} must be a whole number."))
        };
        let lines = |signal: RwSignal<String>| {
            signal
                .get_untracked()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let bounded = |value: i64| u32::try_from(value).unwrap_or(0);
        let kind = match self.kind.get_untracked().as_str() {
            "short_text" => {
                QuestionKind::ShortText { max_chars: bounded(whole(self.limit, "the most characters")?) }
            }
            "list" => QuestionKind::List {
                max_items: bounded(whole(self.limit, "the most items")?),
                max_item_chars: bounded(whole(self.item_chars, "the most characters per item")?),
                tagged: false,
            },
            "scale" => QuestionKind::Scale {
                min: i32::try_from(whole(self.scale_min, "the lowest point")?).unwrap_or(i32::MAX),
                max: i32::try_from(whole(self.scale_max, "the highest point")?).unwrap_or(i32::MIN),
                min_label: self.min_label.get_untracked().trim().to_owned(),
                max_label: self.max_label.get_untracked().trim().to_owned(),
            },
            "single_choice" => QuestionKind::SingleChoice { options: lines(self.options) },
            "multiple_choice" => QuestionKind::MultipleChoice { options: lines(self.options) },
            _ => QuestionKind::LongText { max_chars: bounded(whole(self.limit, "the most characters")?) },
        };
        let help = self.help.get_untracked().trim().to_owned();
        Ok(Question {
            key: self.key.get_value(),
            prompt: self.prompt.get_untracked().trim().to_owned(),
            help: (!help.is_empty()).then_some(help),
            kind,
            audience: match self.audience.get_untracked().as_str() {
                "seeks_emotional" => Audience::SeeksEmotional,
                "seeks_physical" => Audience::SeeksPhysical,
                _ => Audience::Everyone,
            },
            required: self.required.get_untracked(),
        })
    }
}

/// A fresh question for the editor.
fn blank_question(key: String) -> Question {
    Question {
        key,
        prompt: String::new(),
        help: None,
        kind: QuestionKind::LongText { max_chars: 4000 },
        audience: Audience::Everyone,
        required: false,
    }
}

/// The next free key: `q1`, `q2`, … past any key already used.
fn next_key(used: &[String]) -> String {
    let highest = used.iter().filter_map(|key| key.strip_prefix('q')?.parse::<u32>().ok()).max().unwrap_or(0);
    format!("q{}", highest + 1)
}

/// The editor for a new exercise (`template` none) or the current version of one.
#[component]
fn Editor(template: Option<TemplateView>, reload: RwSignal<u32>) -> impl IntoView {
    let template_id = template.as_ref().map(|t| t.id);
    let content = template.map(|t| t.content).unwrap_or_else(|| ExerciseTemplate {
        title: String::new(),
        summary: String::new(),
        instructions: String::new(),
        questions: vec![blank_question("q1".to_owned())],
    });
    let title = RwSignal::new(content.title.clone());
    let summary = RwSignal::new(content.summary.clone());
    let instructions = RwSignal::new(content.instructions.clone());
    let next_row = StoredValue::new(content.questions.len());
    let rows = RwSignal::new(
        content.questions.iter().enumerate().map(|(row, q)| QuestionRow::new(row, q)).collect::<Vec<_>>(),
    );
    let problem = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let navigate = use_navigate();
    let save = Action::new_local(move |json: &String| save_template(template_id, json.clone()));
    Effect::new(move |_| match save.value().get() {
        Some(Ok(id)) if template_id.is_none() => navigate(&format!("/exercises/{id}"), Default::default()),
        Some(Ok(_)) => {
            saved.set(true);
            reload.update(|n| *n += 1);
        }
        Some(Err(error)) => problem.set(Some(error.to_string())),
        None => {}
    });

    let add = move |_| {
        let row = next_row.get_value();
        next_row.set_value(row + 1);
        let used: Vec<String> = rows.with_untracked(|rows| rows.iter().map(|r| r.key.get_value()).collect());
        rows.update(|rows| rows.push(QuestionRow::new(row, &blank_question(next_key(&used)))));
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        saved.set(false);
        let questions: Result<Vec<Question>, String> = rows
            .get_untracked()
            .into_iter()
            .enumerate()
            .map(|(index, row)| row.to_question(index + 1))
            .collect();
        let built = questions.and_then(|questions| {
            let content = ExerciseTemplate {
                title: title.get_untracked().trim().to_owned(),
                summary: summary.get_untracked().trim().to_owned(),
                instructions: instructions.get_untracked().trim().to_owned(),
                questions,
            };
            content.validate().map_err(|problem| problem.0)?;
            serde_json::to_string(&content).map_err(|_| "The exercise could not be prepared.".to_owned())
        });
        match built {
            Ok(json) => {
                problem.set(None);
                save.dispatch(json);
            }
            Err(message) => problem.set(Some(message)),
        }
    };

    view! {
        <form class="exercise-editor" on:submit=submit novalidate aria-label="Exercise editor">
            <Field ids=FieldIds::new("exercise-title") label="Title">
                <input id="exercise-title" type="text" maxlength="200" value=content.title on:input=move |ev| title.set(event_target_value(&ev))/>
            </Field>
            <Field ids=FieldIds::new("exercise-summary") label="Summary (optional)" hint="One sentence on what the exercise is for. Up to 500 characters.">
                <input id="exercise-summary" type="text" maxlength="500" aria-describedby="exercise-summary-hint" value=content.summary on:input=move |ev| summary.set(event_target_value(&ev))/>
            </Field>
            <Field ids=FieldIds::new("exercise-instructions") label="Instructions (optional)" hint="Shown above the questions. Leave a blank line between paragraphs.">
                <textarea id="exercise-instructions" rows="5" maxlength="10000" aria-describedby="exercise-instructions-hint" on:input=move |ev| instructions.set(event_target_value(&ev))>
                    {content.instructions}
                </textarea>
            </Field>
            <h2>"Questions"</h2>
            <ol class="question-rows">
                <For each=move || rows.get() key=|row| row.row let(row)>
                    <QuestionEditor row rows/>
                </For>
            </ol>
            <button type="button" class="button-secondary" on:click=add>"Add a question"</button>
            <div class="sheet-actions">
                <p class="field-error" role="alert" hidden=move || problem.get().is_none()>{move || problem.get()}</p>
                <p role="status" class="save-state save-ok">{move || saved.get().then_some("Saved as a new version.")}</p>
                <button type="submit" class="button-primary" disabled=move || save.pending().get()>"Save exercise"</button>
            </div>
        </form>
    }
}

/// One question's fields, with move and remove buttons.
#[component]
fn QuestionEditor(row: QuestionRow, rows: RwSignal<Vec<QuestionRow>>) -> impl IntoView {
    let number = move || rows.with(|rows| rows.iter().position(|r| r.row == row.row).map_or(0, |i| i + 1));
    let row_number = row.row;
    let id = move |part: &str| format!("question-{row_number}-{part}");
    let shift = move |up: bool| {
        rows.update(|rows| {
            if let Some(index) = rows.iter().position(|r| r.row == row.row) {
                let other =
                    if up { index.checked_sub(1) } else { Some(index + 1).filter(|i| *i < rows.len()) };
                if let Some(other) = other {
                    rows.swap(index, other);
                }
            }
        });
    };
    let remove = move |_| rows.update(|rows| rows.retain(|r| r.row != row.row));
    let input = move |label: &'static str, part: &str, signal: RwSignal<String>, input_type: &'static str| {
        let field_id = id(part);
        view! {
            <Field ids=FieldIds::new(field_id.clone()) label=label>
                <input id=field_id type=input_type value=signal.get_untracked() on:input=move |ev| signal.set(event_target_value(&ev))/>
            </Field>
        }
    };
    let select = move |label: &'static str,
                       part: &str,
                       signal: RwSignal<String>,
                       options: &'static [(&'static str, &'static str)]| {
        let field_id = id(part);
        let current = signal.get_untracked();
        view! {
            <Field ids=FieldIds::new(field_id.clone()) label=label>
                <select id=field_id on:change=move |ev| signal.set(event_target_value(&ev))>
                    {options.iter().map(|(value, text)| view! { <option value=*value selected=current == *value>{*text}</option> }).collect_view()}
                </select>
            </Field>
        }
    };
    let kind_fields = move || match row.kind.get().as_str() {
        "short_text" | "long_text" => {
            Either::Left(input("Most characters", "limit", row.limit, "number").into_any())
        }
        "list" => Either::Left(
            view! {
                {input("Most items", "limit", row.limit, "number")}
                {input("Most characters per item", "item-chars", row.item_chars, "number")}
            }
            .into_any(),
        ),
        "scale" => Either::Left(
            view! {
                {input("Lowest point", "scale-min", row.scale_min, "number")}
                {input("What the lowest point means", "min-label", row.min_label, "text")}
                {input("Highest point", "scale-max", row.scale_max, "number")}
                {input("What the highest point means", "max-label", row.max_label, "text")}
            }
            .into_any(),
        ),
        _ => {
            let field_id = id("options");
            Either::Right(view! {
                <Field ids=FieldIds::new(field_id.clone()) label="Options, one per line">
                    <textarea id=field_id rows="4" on:input=move |ev| row.options.set(event_target_value(&ev))>
                        {row.options.get_untracked()}
                    </textarea>
                </Field>
            })
        }
    };
    let required_id = id("required");
    view! {
        <li class="card question-row">
            <fieldset>
                <legend>{move || format!("Question {}", number())}</legend>
                <Field ids=FieldIds::new(id("prompt")) label="Question">
                    <textarea id=id("prompt") rows="2" maxlength="500" on:input=move |ev| row.prompt.set(event_target_value(&ev))>
                        {row.prompt.get_untracked()}
                    </textarea>
                </Field>
                {input("Guidance under the question (optional)", "help", row.help, "text")}
                {select("Kind of answer", "kind", row.kind, KINDS)}
                {kind_fields}
                {select("Who answers", "audience", row.audience, AUDIENCES)}
                <Field ids=FieldIds::new(required_id.clone()) label="Required before submitting" layout=FieldLayout::Beside>
                    <input id=required_id.clone() type="checkbox" checked=row.required.get_untracked() on:change=move |ev| row.required.set(event_target_checked(&ev))/>
                </Field>
                <div class="case-actions">
                    <button type="button" class="button-small" on:click=move |_| shift(true) disabled=move || number() == 1
                        aria-label=move || format!("Move question {} up", number())>"↑ Up"</button>
                    <button type="button" class="button-small" on:click=move |_| shift(false) disabled=move || number() == rows.with(Vec::len)
                        aria-label=move || format!("Move question {} down", number())>"↓ Down"</button>
                    <button type="button" class="button-small" on:click=remove disabled=move || rows.with(Vec::len) == 1
                        aria-label=move || format!("Remove question {}", number())>"Remove"</button>
                </div>
            </fieldset>
        </li>
    }
}

/// The saved version as a client will see it, for a partner who seeks the chosen closeness.
#[component]
fn Preview(content: ExerciseTemplate) -> impl IntoView {
    let seeks = RwSignal::new(Seeks::Unsure);
    let no_errors = Signal::derive(|| None);
    let ignore = Callback::new(|()| {});
    let content = StoredValue::new(content);
    view! {
        <section class="preview" aria-labelledby="preview-title">
            <h2 id="preview-title">"Preview"</h2>
            <Field ids=FieldIds::new("preview-as") label="Preview as">
                <select id="preview-as" on:change=move |ev| seeks.set(Seeks::parse(&event_target_value(&ev)).unwrap_or(Seeks::Unsure))>
                    <option value="unsure" selected=true>"A partner who is not sure yet (sees every question)"</option>
                    <option value="emotional">"The partner who seeks more emotional connection"</option>
                    <option value="physical">"The partner who seeks more physical closeness"</option>
                </select>
            </Field>
            <div class="card preview-sheet">
                <h3>{content.with_value(|c| c.title.clone())}</h3>
                {content.with_value(|c| c.instructions.split("\n\n").map(|p| view! { <p>{p.to_owned()}</p> }).collect_view())}
                <form aria-label="Preview of the exercise" on:submit=|ev| ev.prevent_default()>
                    {move || {
                        let seeks = seeks.get();
                        content.with_value(|c| {
                            c.questions
                                .iter()
                                .filter(|q| is_for(q, seeks))
                                .cloned()
                                .map(|question| view! { <QuestionField question value=String::new() error=no_errors on_change=ignore/> })
                                .collect_view()
                        })
                    }}
                </form>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_question_keys_follow_the_highest_used() {
        assert_eq!(next_key(&[]), "q1");
        assert_eq!(next_key(&["q1".into(), "q7".into(), "behaviours".into()]), "q8");
    }

    #[test]
    fn a_typed_question_becomes_a_question_or_a_numbered_problem() {
        let owner = Owner::new();
        owner.with(|| {
            let row = QuestionRow::new(0, &blank_question("q1".into()));
            row.prompt.set("  How close do you feel?  ".into());
            row.kind.set("scale".into());
            let question = row.to_question(1).unwrap();
            assert_eq!(question.prompt, "How close do you feel?");
            assert!(matches!(question.kind, QuestionKind::Scale { min: 0, max: 10, .. }));
            row.kind.set("list".into());
            row.limit.set("ten".into());
            assert_eq!(row.to_question(3), Err("Question 3: the most items must be a whole number.".into()));
        });
    }
}
