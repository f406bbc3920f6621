//! The therapist's side-by-side review of one assignment: each question with partner A's
//! and partner B's answers, comments to each partner (on one answer or the whole
//! exercise), and marking each submission reviewed or reopening it.

use crate::api::page_data::page_data;

use crate::{
    api::homework::{load_review, AddComment, ReviewPartner, ReviewView, SetReviewState},
    components::{
        dates::short_date,
        form::{action_error, form_action, Field, FieldIds, FormError},
        guard::RequireRole,
        questions::answer_text,
    },
    domain::{
        answers::{is_for, MAX_COMMENT_CHARS},
        case::Seeks,
        homework::ResponseStatus,
        Role,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// `/review/:id`.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let params = use_params_map();
    let assignment_id = move || params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let comment = form_action::<AddComment>();
    let review_state = form_action::<SetReviewState>();
    let review = page_data(
        move || (assignment_id(), comment.version().get(), review_state.version().get()),
        |(id, ..)| load_review(id),
    );
    view! {
        <Title text="Review"/>
        <RequireRole role=Role::Therapist>
            <Transition fallback=|| view! { <p class="loading">"Loading the review…"</p> }>
                {move || Suspend::new(async move { review.await.map(|review| review_page(review, comment, review_state)) })}
            </Transition>
        </RequireRole>
    }
}

fn review_page(
    review: ReviewView,
    comment: ServerAction<AddComment>,
    review_state: ServerAction<SetReviewState>,
) -> impl IntoView {
    let comment_error = action_error(comment.value());
    let state_error = action_error(review_state.value());
    let back = format!("/cases/{}", review.case_id);
    let partners = review.partners.clone();
    view! {
        <Title text=format!("{} · {}", review.title, review.case_label)/>
        <article class="review" aria-labelledby="review-title">
            <p class="breadcrumb"><A href=back>{format!("← {}", review.case_label)}</A></p>
            <h1 id="review-title">{review.title.clone()}</h1>
            <FormError error=comment_error/>
            <FormError error=state_error/>
            <div class="review-status">
                {partners.iter().map(|partner| partner_status(partner, review_state)).collect_view()}
            </div>
            <div class="table-scroll" tabindex="0" role="group" aria-label="Answers side by side">
                <table class="side-by-side">
                    <caption class="visually-hidden">"Answers side by side"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Question"</th>
                            {partners.iter().map(|p| view! { <th scope="col">{p.first_name.clone()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {review.questions.iter().map(|question| {
                            view! {
                                <tr>
                                    <th scope="row">{question.prompt.clone()}</th>
                                    {partners.iter().map(|partner| {
                                        if !is_for(question, partner.seeks) {
                                            return view! { <td class="not-asked">"Not asked"</td> }.into_any();
                                        }
                                        let comments: Vec<_> = partner.comments.iter().filter(|c| c.question_key.as_deref() == Some(question.key.as_str())).cloned().collect();
                                        view! {
                                            <td>
                                                {answer_text(question, partner.values.get(&question.key))}
                                                {comments.into_iter().map(|c| view! { <blockquote class="comment"><p class="preserve-lines">{c.body}</p><footer>{short_date(c.created_at)}</footer></blockquote> }).collect_view()}
                                                {comment_form(partner, Some(&question.key), &question.prompt, comment)}
                                            </td>
                                        }.into_any()
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                        <tr>
                            <th scope="row">"The whole exercise"</th>
                            {partners.iter().map(|partner| {
                                let comments: Vec<_> = partner.comments.iter().filter(|c| c.question_key.is_none()).cloned().collect();
                                view! {
                                    <td>
                                        {comments.into_iter().map(|c| view! { <blockquote class="comment"><p class="preserve-lines">{c.body}</p><footer>{short_date(c.created_at)}</footer></blockquote> }).collect_view()}
                                        {comment_form(partner, None, "the whole exercise", comment)}
                                    </td>
                                }
                            }).collect_view()}
                        </tr>
                    </tbody>
                </table>
            </div>
        </article>
    }
}

/// A partner's progress with "Mark reviewed" or "Reopen for changes".
fn partner_status(partner: &ReviewPartner, review_state: ServerAction<SetReviewState>) -> impl IntoView {
    let shared = if partner.shared { " · shared with their partner" } else { "" };
    let label = match partner.progress {
        ResponseStatus::Draft => "Draft (not submitted yet)",
        other => other.label(),
    };
    let name = partner.first_name.clone();
    let progress = partner.progress;
    let button = partner.response_id.filter(|_| progress.is_done()).map(|response_id| {
        let (reviewed, text) = if progress == ResponseStatus::Submitted {
            (true, format!("Mark {name}'s answers reviewed"))
        } else {
            (false, format!("Reopen {name}'s answers for changes"))
        };
        view! {
            <ActionForm action=review_state attr:class="inline-form">
                <input type="hidden" name="response_id" value=response_id/>
                <input type="hidden" name="reviewed" value=reviewed.to_string()/>
                <button type="submit" class="button-secondary">{text}</button>
            </ActionForm>
        }
    });
    let reopen_text = format!("Reopen {}'s answers for changes", partner.first_name);
    let reopen = partner.response_id.filter(|_| progress == ResponseStatus::Submitted).map(|response_id| {
        view! {
            <ActionForm action=review_state attr:class="inline-form">
                <input type="hidden" name="response_id" value=response_id/>
                <input type="hidden" name="reviewed" value="false"/>
                <button type="submit" class="button-secondary">{reopen_text}</button>
            </ActionForm>
        }
    });
    // What reopening does, next to the button that does it.
    let reopen_hint = partner.response_id.filter(|_| progress.is_done()).map(|_| {
        let text = if partner.shared {
            format!(
                "Reopening makes these answers a draft again so {name} can change them. Their partner keeps seeing only the version {name} already shared, until {name} submits and shares again."
            )
        } else {
            format!("Reopening makes these answers a draft again so {name} can change them and submit again.")
        };
        view! { <p class="field-hint">{text}</p> }
    });
    view! {
        <section class="card" aria-label=partner.first_name.clone()>
            <h2>{format!("{} — {}", partner.first_name, seeks_phrase(partner.seeks))}</h2>
            <p><span class="badge">{label}</span>{shared}</p>
            {button}
            {reopen}
            {reopen_hint}
        </section>
    }
}

/// A comment box for one partner, on one answer or the whole exercise.
fn comment_form(
    partner: &ReviewPartner,
    question_key: Option<&str>,
    about: &str,
    comment: ServerAction<AddComment>,
) -> Option<impl IntoView> {
    let response_id = partner.response_id?;
    let name = partner.first_name.clone();
    let label = format!("Comment to {name} on {about}");
    let id = format!("comment-{response_id}-{}", question_key.unwrap_or("overall"));
    let question_key = question_key.unwrap_or("").to_owned();
    Some(view! {
        <details class="comment-form">
            <summary>{format!("Comment to {name}")}</summary>
            <ActionForm action=comment>
                <input type="hidden" name="response_id" value=response_id/>
                <input type="hidden" name="question_key" value=question_key/>
                <Field ids=FieldIds::new(id.clone()) label=label hint=format!("Only {name} sees this comment.")>
                    <textarea id=id.clone() name="body" rows="3" maxlength=MAX_COMMENT_CHARS.to_string() required aria-describedby=format!("{id}-hint")></textarea>
                </Field>
                <button type="submit" class="button-secondary">"Send comment"</button>
            </ActionForm>
        </details>
    })
}

/// What a partner seeks, as the end of "Alex — …".
fn seeks_phrase(seeks: Seeks) -> &'static str {
    match seeks {
        Seeks::Emotional => "seeks more emotional connection",
        Seeks::Physical => "seeks more physical closeness",
        Seeks::Unsure => "not sure yet what they seek",
    }
}
