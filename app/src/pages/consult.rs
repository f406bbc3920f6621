//! `/consult/:token`: a partner confirms one of the consultation times their therapist
//! proposed. Opening the link changes nothing (mail scanners open links); confirming does.

use crate::api::page_data::page_data;

use crate::{
    api::messages::{load_slot_link, ChooseConsultation},
    components::form::form_action,
};
use leptos::{either::EitherOf3, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The page.
#[component]
pub fn ConsultPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let choose = form_action::<ChooseConsultation>();
    let link = page_data(move || (token(), choose.version().get()), |(token, _)| load_slot_link(token));
    view! {
        <Title text="Consultation time"/>
        <section class="card auth-card" aria-labelledby="consult-title">
            <h1 id="consult-title">"Consultation time"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let view = match link.await {
                        Err(_) => EitherOf3::A(view! { <p>"This link is not valid. Please use the link in your email exactly as it was sent."</p> }),
                        Ok(info) if info.state == "open" => {
                            let error = move || choose.value().get().and_then(Result::err).map(|e| e.to_string());
                            EitherOf3::B(view! {
                                <p>{format!("{} proposed {}.", info.therapist_name, info.when)}</p>
                                <ActionForm action=choose>
                                    <input type="hidden" name="token" value=token()/>
                                    <p class="field-error" role="alert" hidden=move || error().is_none()>{error}</p>
                                    <button type="submit" class="button-primary">"Confirm this time"</button>
                                </ActionForm>
                            })
                        }
                        Ok(info) => {
                            let text = match info.state.as_str() {
                                "used" => format!("Thank you. You chose {}. {} has been told, and a calendar invitation is on its way to you both.", info.when, info.therapist_name),
                                "taken" => format!("A time has already been chosen for this consultation. If it does not suit you, reply to {}'s email.", info.therapist_name),
                                _ => format!("This time has passed. Ask {} for new times.", info.therapist_name),
                            };
                            EitherOf3::C(view! { <p role="status">{text}</p> })
                        }
                    };
                    Ok::<_, crate::error::AppError>(view)
                })}
            </Suspense>
        </section>
    }
}
