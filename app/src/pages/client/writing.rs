//! "My writing": everything the client wrote, to read and download as a text file. It stays
//! open after the case is closed or the client is removed from it.

use crate::{api::cases::load_own_writing, components::guard::RequireRole, domain::Role};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The client's own writing, with a download link.
#[component]
pub fn OwnWritingPage() -> impl IntoView {
    let writing = Resource::new(|| (), |_| load_own_writing());
    view! {
        <Title text="My writing"/>
        <RequireRole role=Role::Client>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    writing.await.map(|writing| view! {
                        <section aria-labelledby="writing-title">
                            <p class="breadcrumb"><A href="/homework">"← Home"</A></p>
                            <h1 id="writing-title">"My writing"</h1>
                            <p class="lead">"Everything you wrote here: your answers, wishes, check-ins, step 5 and private notes. Nothing your partner wrote is in it."</p>
                            <p>
                                <a class="button-primary" href=writing.download_href download=writing.file_name.clone()>
                                    {format!("Download {}", writing.file_name)}
                                </a>
                            </p>
                            <pre class="own-writing">{writing.text}</pre>
                        </section>
                    })
                })}
            </Suspense>
        </RequireRole>
    }
}
