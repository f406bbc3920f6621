//! "My writing": everything the client wrote, to read, and the download of their record (a
//! ZIP with `record.json` and a printable `record.html`: their own writing and what their
//! partner shared with them). It stays open after the case is closed or the client is
//! removed from it. It also says when their therapist last opened their writing ("Who has
//! opened my writing").

use crate::api::page_data::page_data;

use crate::{
    api::{
        audit::{load_writing_opened, WritingOpenedView},
        cases::load_own_writing,
        export::CLIENT_EXPORT_PATH,
    },
    components::{dates::date_time, guard::RequireRole},
    domain::Role,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::components::A;

/// The client's own writing, with the download of their record, and who has opened it.
#[component]
pub fn OwnWritingPage() -> impl IntoView {
    let writing = page_data(|| (), |_| load_own_writing());
    let opened = page_data(|| (), |_| load_writing_opened());
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
                                <a class="button-primary" href=CLIENT_EXPORT_PATH download=true rel="external">
                                    "Download my record (ZIP)"
                                </a>
                            </p>
                            <p class="aside">"The download holds a file to keep (record.json) and one to read or print (record.html): your own writing, and what your partner chose to share with you."</p>
                            <pre class="own-writing">{writing.text}</pre>
                        </section>
                    })
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move { opened.await.map(opened_section) })}
            </Suspense>
        </RequireRole>
    }
}

/// "Who has opened my writing": the therapist's latest readings, newest first.
fn opened_section(opened: Vec<WritingOpenedView>) -> impl IntoView {
    view! {
        <section aria-labelledby="opened-title">
            <h2 id="opened-title">"Who has opened my writing"</h2>
            <p>"Only your therapist can open what you write here. These are the latest times they did."</p>
            {if opened.is_empty() {
                Either::Left(view! { <p>"Your therapist has not opened your writing yet."</p> })
            } else {
                Either::Right(view! {
                    <ul class="writing-opened">
                        {opened.into_iter().map(|entry| view! {
                            <li>{format!("{} opened {} on {}", entry.therapist_name, entry.what, date_time(entry.at))}</li>
                        }).collect_view()}
                    </ul>
                })
            }}
        </section>
    }
}
