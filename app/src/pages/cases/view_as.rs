//! "View as Alex": the therapist reads a sample partner's home exactly as that partner would
//! see it, read-only, under a banner. Only for the therapist's own sample couples (the
//! server refuses a real case); nothing here can write.

use crate::{
    api::{page_data::page_data, sample::load_sample_view},
    components::guard::RequireRole,
    domain::Role,
    pages::client::open_home,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// The read-only preview of a sample partner's "My homework".
#[component]
pub fn ViewAsPage() -> impl IntoView {
    let params = use_params_map();
    let number = move |name: &str| params.read().get(name).and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let view = page_data(
        move || (number("id"), number("partner")),
        |(case, partner)| load_sample_view(case, partner),
    );
    view! {
        <Title text="Sample preview"/>
        <RequireRole role=Role::Therapist>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    view.await.map(|page| {
                        let back = format!("/cases/{}", number("id"));
                        view! {
                            <aside class="notice notice-info sample-banner" role="note" aria-label="Sample preview">
                                <p>
                                    <strong>{format!("You are viewing {}'s pages as they would see them.", page.home.own_first_name)}</strong>
                                    " This is a sample couple: read-only, and nothing here is saved or sent. "
                                    <A href=back>"Back to the case"</A>
                                </p>
                            </aside>
                            {open_home(page, None)}
                        }
                    })
                })}
            </Suspense>
        </RequireRole>
    }
}
