//! `/account`, for therapists and clients alike: change the password, and see and sign out
//! the devices the account is signed in on. Signed out, a forgotten password is reset by
//! email ([`forgot`], [`reset`]). `/account/second-factor` sets up a second factor
//! ([`second_factor`]).

use crate::api::page_data::page_data;

mod forgot;
mod reset;
pub mod second_factor;

pub use forgot::ForgotPasswordPage;
pub use reset::{PasswordChangedPage, ResetPasswordPage};

use crate::{
    api::account::{load_devices, ChangePassword, DeviceView, SignOutDevice, SignOutEverywhere},
    auth::use_auth,
    components::{
        dates::date_time,
        form::{action_error, form_action, FormError, TextField},
        guard::RequireSignedIn,
    },
    domain::MAX_PASSWORD_CHARS,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The password rule, as the forms that set one explain it.
const PASSWORD_HINT: &str =
    "At least 12 characters. A few unrelated words make a strong password you can remember.";

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let change = form_action::<ChangePassword>();
    let sign_out_one = form_action::<SignOutDevice>();
    let everywhere = form_action::<SignOutEverywhere>();
    let devices =
        page_data(move || (sign_out_one.version().get(), change.version().get()), |_| load_devices());
    if let Ok(auth) = use_auth() {
        auth.refresh_after(sign_out_one.version());
        auth.refresh_after(everywhere.version());
    }
    let query = use_query_map();
    // Without JavaScript the change redirects here with `?password=changed`.
    let changed = move || match change.value().get() {
        Some(result) => result.is_ok(),
        None => query.read().get("password").as_deref() == Some("changed"),
    };
    let change_error = action_error(change.value());
    let device_error = action_error(sign_out_one.value());
    let everywhere_error = action_error(everywhere.value());
    view! {
        <Title text="Account"/>
        <RequireSignedIn>
            <section class="form-card" aria-labelledby="account-title">
                <h1 id="account-title">"Account"</h1>
                <section aria-labelledby="password-title">
                    <h2 id="password-title">"Change your password"</h2>
                    <p class="aside">"Changing it signs you out on every other device."</p>
                    <ActionForm action=change attr:novalidate=true>
                        <FormError error=change_error/>
                        <TextField label="Current password" name="current_password" input_type="password" autocomplete="current-password" error=change_error/>
                        <TextField label="New password" name="new_password" input_type="password" autocomplete="new-password" hint=PASSWORD_HINT max_length=MAX_PASSWORD_CHARS error=change_error/>
                        <div class="form-actions">
                            <button type="submit" class="button-primary">"Change password"</button>
                            <span role="status" class="saved-note">
                                {move || changed().then_some("Your password was changed. Your other devices were signed out.")}
                            </span>
                        </div>
                    </ActionForm>
                </section>
                <section aria-labelledby="devices-title">
                    <h2 id="devices-title">"Devices"</h2>
                    <p class="aside">"Where your account is signed in now. Sign out any you do not recognise, then change your password."</p>
                    <FormError error=device_error/>
                    <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            devices.await.map(|list| device_list(list, sign_out_one))
                        })}
                    </Transition>
                    <ActionForm action=everywhere>
                        <FormError error=everywhere_error/>
                        <button type="submit" class="button-secondary">"Sign out everywhere"</button>
                        <p class="field-hint">"Ends every session, this one too."</p>
                    </ActionForm>
                </section>
            </section>
        </RequireSignedIn>
    }
}

fn device_list(list: Vec<DeviceView>, sign_out_one: ServerAction<SignOutDevice>) -> impl IntoView {
    let rows = list
        .into_iter()
        .map(|device| {
            let DeviceView { session_id, label, signed_in_at, last_seen_at, current } = device;
            let times = format!("Signed in {} · last used {}", date_time(signed_in_at), date_time(last_seen_at));
            let action = (!current).then(|| {
                let button_label = format!("Sign out {label}");
                view! {
                    <ActionForm action=sign_out_one attr:class="inline-form">
                        <input type="hidden" name="session_id" value=session_id.to_string()/>
                        <button type="submit" class="button-secondary" aria-label=button_label>"Sign out"</button>
                    </ActionForm>
                }
            });
            view! {
                <li class="device">
                    <p>
                        <strong>{label}</strong>
                        {current.then_some(" (this device)")}
                    </p>
                    <p class="aside">{times}</p>
                    {action}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="device-list">{rows}</ul> }
}
