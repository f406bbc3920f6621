//! `/account/second-factor`: set up a second factor (a code from an authenticator app at
//! each sign-in), see how many recovery codes are left, remove it, and — for a therapist —
//! require one for their account.

use crate::api::page_data::page_data;

use crate::{
    api::second_factor::{
        second_factor_status, ConfirmEnrolment, EnrolmentView, RemoveSecondFactor, RequireSecondFactor,
        SecondFactorView, StartEnrolment,
    },
    auth::use_auth,
    components::form::{action_error, form_action, FormError, TextField},
    error::AppError,
};
use leptos::{either::EitherOf3, prelude::*};
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// The page's four forms.
#[derive(Clone, Copy)]
struct Actions {
    start: ServerAction<StartEnrolment>,
    confirm: ServerAction<ConfirmEnrolment>,
    remove: ServerAction<RemoveSecondFactor>,
    require: ServerAction<RequireSecondFactor>,
}

/// The second factor page, for every signed-in person.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    use_auth().map(|auth| {
        let actions = Actions {
            start: form_action::<StartEnrolment>(),
            confirm: form_action::<ConfirmEnrolment>(),
            remove: form_action::<RemoveSecondFactor>(),
            require: form_action::<RequireSecondFactor>(),
        };
        for version in [actions.confirm.version(), actions.remove.version(), actions.require.version()] {
            auth.refresh_after(version);
        }
        let status = page_data(
            move || {
                (
                    actions.start.version().get(),
                    actions.confirm.version().get(),
                    actions.remove.version().get(),
                    actions.require.version().get(),
                )
            },
            |_| second_factor_status(),
        );
        view! {
            <Title text="Second factor"/>
            <section class="form-card" aria-labelledby="second-factor-title">
                <h1 id="second-factor-title">"Second factor"</h1>
                <p>
                    "With a second factor, signing in asks for your password and then for a six-digit \
                     code from an authenticator app on your phone (any app that supports time-based \
                     codes). Someone who learns your password still cannot sign in."
                </p>
                <RecoveryCodes confirm=actions.confirm/>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match status.await {
                            Ok(view) => Ok(EitherOf3::A(status_view(view, actions))),
                            Err(AppError::Unauthenticated) => Ok(EitherOf3::B(view! {
                                <Redirect path="/sign-in?next=/account/second-factor"/>
                            })),
                            Err(error) => Err::<EitherOf3<_, _, ()>, _>(error),
                        }
                    })}
                </Transition>
            </section>
        }
    })
}

/// The recovery codes once more, right after the set-up is confirmed in the browser (the
/// set-up step showed them already, for a browser without JavaScript too).
#[component]
fn RecoveryCodes(confirm: ServerAction<ConfirmEnrolment>) -> impl IntoView {
    move || {
        confirm.value().get().and_then(Result::ok).map(|codes| {
            view! {
                <section class="notice notice-info recovery-codes" aria-labelledby="recovery-codes-title">
                    <h2 id="recovery-codes-title">"Your recovery codes"</h2>
                    <p>
                        "If you lose your phone, each of these codes signs you in once instead of a code \
                         from the app. If you have not yet, write them down or print them now and keep \
                         them somewhere safe: they are not shown again."
                    </p>
                    <ol>{codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}</ol>
                </section>
            }
        })
    }
}

fn status_view(view: SecondFactorView, actions: Actions) -> impl IntoView {
    let state = if view.enrolled {
        EitherOf3::A(enrolled_view(view.recovery_codes_left, actions.remove))
    } else if let Some(enrolment) = view.enrolment {
        EitherOf3::B(enrolment_view(enrolment, actions.confirm))
    } else {
        EitherOf3::C(start_view(actions.start))
    };
    view! {
        {state}
        {view.may_require.then(|| require_view(view.required, view.enrolled, actions.require))}
    }
}

fn enrolled_view(codes_left: u64, remove: ServerAction<RemoveSecondFactor>) -> impl IntoView {
    let error = action_error(remove.value());
    view! {
        <p class="notice notice-info" role="status">
            {format!(
                "Your second factor is on: signing in asks for a code from your app. \
                 You have {codes_left} unused recovery code{}.",
                if codes_left == 1 { "" } else { "s" },
            )}
        </p>
        <h2>"Remove the second factor"</h2>
        <p>"Signing in will then ask for your password only. You can set up a new one at any time."</p>
        <ActionForm action=remove>
            <FormError error=error/>
            <TextField label="Your password" name="password" input_type="password" autocomplete="current-password" error=error/>
            <button type="submit" class="button-secondary">"Remove the second factor"</button>
        </ActionForm>
    }
}

fn start_view(start: ServerAction<StartEnrolment>) -> impl IntoView {
    let error = action_error(start.value());
    view! {
        <h2>"Set up a second factor"</h2>
        <p>"Have your authenticator app ready. To begin, enter your password again."</p>
        <ActionForm action=start>
            <FormError error=error/>
            <TextField label="Your password" name="password" input_type="password" autocomplete="current-password" error=error/>
            <button type="submit" class="button-primary">"Set up now"</button>
        </ActionForm>
    }
}

fn enrolment_view(enrolment: EnrolmentView, confirm: ServerAction<ConfirmEnrolment>) -> impl IntoView {
    let error = action_error(confirm.value());
    view! {
        <h2>"Add Babysteps to your app"</h2>
        <ol class="steps">
            <li>
                <p>"In your authenticator app, add an account and scan this QR code:"</p>
                <img class="qr-code" src=enrolment.qr_image width="220" height="220" alt="QR code for your authenticator app (the same key as the text below)"/>
                <p>"Or type this key into the app (spaces do not matter):"</p>
                <p><code class="secret-key" aria-label="Key">{enrolment.secret}</code></p>
            </li>
            <li>
                <p>
                    "Write down these recovery codes, or print this page, and keep them somewhere safe. \
                     If you lose your phone, each of them signs you in once instead of a code from the \
                     app. They are not shown again once the set-up is confirmed."
                </p>
                <ol class="recovery-codes" aria-label="Recovery codes">
                    {enrolment.recovery_codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                </ol>
            </li>
            <li>
                <p>"Enter the six-digit code the app now shows, to confirm. This set-up waits ten minutes."</p>
                <ActionForm action=confirm attr:novalidate=true>
                    <FormError error=error/>
                    <TextField label="Code from the app" name="code" autocomplete="one-time-code" max_length=64 error=error/>
                    <button type="submit" class="button-primary">"Confirm"</button>
                </ActionForm>
            </li>
        </ol>
    }
}

fn require_view(required: bool, enrolled: bool, require: ServerAction<RequireSecondFactor>) -> impl IntoView {
    let error = action_error(require.value());
    let text = match (required, enrolled) {
        (true, true) => "Your account requires a second factor.",
        (true, false) => {
            "Your account requires a second factor: until you set one up, your pages remind you."
        }
        (false, _) => "Your account does not require a second factor.",
    };
    view! {
        <h2>"Require a second factor for my account"</h2>
        <p>{text}</p>
        <ActionForm action=require>
            <FormError error=error/>
            <input type="hidden" name="required" value=(!required).to_string()/>
            <button type="submit" class="button-secondary">
                {if required { "Stop requiring a second factor" } else { "Require a second factor" }}
            </button>
        </ActionForm>
    }
}
