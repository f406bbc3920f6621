//! Joining through an invitation link: the partner reads who invited them and how
//! confidentiality works, agrees, and sets a password (or signs in, if they already have
//! an account).

use crate::api::page_data::page_data;

use crate::{
    api::invitations::{load_invitation, AcceptInvitation, InvitationView},
    auth::use_auth,
    components::{
        form::{action_error, form_action, Field, FieldIds, FieldLayout, FormError, TextField},
        safety::SafetyNotice,
        url::encode_query_value,
    },
    domain::MAX_PASSWORD_CHARS,
    error::AppError,
};
use leptos::{either::EitherOf3, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// The page an invitation link opens.
#[component]
pub fn JoinPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let invitation = page_data(token, load_invitation);
    let accept = form_action::<AcceptInvitation>();
    let error = action_error(accept.value());
    if let Ok(auth) = use_auth() {
        auth.refresh_after(accept.version());
    }
    view! {
        <Title text="Your invitation"/>
        <section class="card auth-card" aria-labelledby="join-title">
            <Suspense fallback=|| view! { <p class="loading">"Opening your invitation…"</p> }>
                {move || Suspend::new(async move {
                    invitation.await.map(|view| invitation_view(view, token(), accept, error))
                })}
            </Suspense>
        </section>
    }
}

fn invitation_view(
    view: InvitationView,
    token: String,
    accept: ServerAction<AcceptInvitation>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let unusable = |title: &'static str, message: &'static str| {
        EitherOf3::A(view! {
            <h1 id="join-title">{title}</h1>
            <p>{message}</p>
            <p><A href="/sign-in">"Go to sign in"</A></p>
        })
    };
    match view {
        InvitationView::Expired => unusable(
            "This invitation has expired",
            "Invitation links work for 7 days. Ask your therapist to send you a new one.",
        ),
        InvitationView::Used => unusable(
            "This invitation has been used",
            "Someone has already joined with this link. If that was you, sign in with the email it was sent to.",
        ),
        InvitationView::Revoked => unusable(
            "This invitation is no longer valid",
            "Your therapist may have sent a newer one. Check your email, or ask them for a new link.",
        ),
        InvitationView::Unknown => unusable(
            "We don't recognise this link",
            "Check that you copied the whole link, or ask your therapist to send you a new one.",
        ),
        InvitationView::Valid { has_account: true, signed_in_as_invitee: false, email, .. } => {
            let next = encode_query_value(&format!("/join/{token}"));
            EitherOf3::B(view! {
                <h1 id="join-title">"Sign in to accept"</h1>
                <p>{format!("There is already a Babysteps account for {email}. Sign in, and you will come back here to accept.")}</p>
                <p><A href=format!("/sign-in?next={next}") attr:class="button-primary">"Sign in"</A></p>
            })
        }
        InvitationView::Valid { therapist_name, partner_first_name, email, policy, has_account, safety, .. } => {
            EitherOf3::C(view! {
                <h1 id="join-title">{format!("Welcome, {partner_first_name}")}</h1>
                <p>{format!("{therapist_name} has invited you to Babysteps. Your account will use {email}.")}</p>
                <section class="policy" aria-labelledby="policy-title">
                    <h2 id="policy-title">{format!("Confidentiality: {}", policy.label())}</h2>
                    <p>{policy.explanation()}</p>
                </section>
                <SafetyNotice safety=safety/>
                <ActionForm action=accept attr:novalidate=true>
                    <FormError error=error/>
                    <input type="hidden" name="token" value=token/>
                    {(!has_account).then(|| view! {
                        <TextField
                            label="Choose a password"
                            name="password"
                            input_type="password"
                            autocomplete="new-password"
                            hint="At least 12 characters. A few unrelated words make a strong password you can remember."
                            max_length=MAX_PASSWORD_CHARS
                            error=error
                        />
                    })}
                    <Field
                        ids=FieldIds::for_name("agree")
                        label="I have read how my therapist handles confidentiality, and I agree"
                        error=Signal::derive(move || error.get().and_then(|e| e.message_for("agree")))
                        layout=FieldLayout::Beside
                        class="field checkbox-field"
                    >
                        <input id="field-agree" type="checkbox" name="agree" value="yes" required aria-describedby="field-agree-error"/>
                    </Field>
                    <button type="submit" class="button-primary">
                        {if has_account { "Accept invitation" } else { "Join Babysteps" }}
                    </button>
                </ActionForm>
            })
        }
    }
}
