//! The HTML shell, the app's routes and its layout.

use crate::{
    auth::provide_auth,
    components::{error_notice::FriendlyErrors, header::SiteHeader},
    pages::{
        auth::{SignInPage, SignUpPage},
        caseload::CaseloadPage,
        cases::{CasePage, EditCasePage, NewCasePage},
        client::{MyHomeworkPage, SheetPage},
        consult::ConsultPage,
        exchange::{CheckInPage, LettingGoPage, PrivateNotePage, WishesPage},
        exercises::{EditExercisePage, ExercisesPage, NewExercisePage},
        home::HomePage,
        join::JoinPage,
        not_found::NotFoundPage,
        outbox::OutboxPage,
        review::ReviewPage,
        settings::SettingsPage,
    },
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The page shell rendered on the server around the app. It also sets the
/// Content-Security-Policy header with this response's nonce.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Sends the CSP for HTML pages: scripts only with this response's nonce.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use http::{header, HeaderValue};
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let (Some(response), Ok(value)) =
        (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(&policy))
    {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The whole app: the router around the page layout.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/babysteps.css"/>
        <Title formatter=|page: String| if page.is_empty() { "Babysteps".to_owned() } else { format!("{page} · Babysteps") }/>
        <Router>
            <Layout/>
        </Router>
    }
}

/// Header, routes and footer. The auth actions are created here, inside the router, so a
/// form submitted before hydration finds its error in the URL the server redirected to.
#[component]
fn Layout() -> impl IntoView {
    provide_auth();
    view! {
            <a class="skip-link" href="#main">"Skip to content"</a>
            <SiteHeader/>
            <main id="main" tabindex="-1">
                <FriendlyErrors>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/sign-up") view=SignUpPage ssr=SsrMode::Async/>
                    <Route path=path!("/caseload") view=CaseloadPage ssr=SsrMode::Async/>
                    <Route path=path!("/homework") view=MyHomeworkPage ssr=SsrMode::Async/>
                    <Route path=path!("/homework/:id") view=SheetPage ssr=SsrMode::Async/>
                    <Route path=path!("/review/:id") view=ReviewPage ssr=SsrMode::Async/>
                    <Route path=path!("/exercises") view=ExercisesPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/wishes") view=WishesPage ssr=SsrMode::Async/>
                    <Route path=path!("/check-in") view=CheckInPage ssr=SsrMode::Async/>
                    <Route path=path!("/letting-go") view=LettingGoPage ssr=SsrMode::Async/>
                    <Route path=path!("/private-note") view=PrivateNotePage ssr=SsrMode::Async/>
                    <Route path=path!("/exercises/new") view=NewExercisePage ssr=SsrMode::Async/>
                    <Route path=path!("/exercises/:id") view=EditExercisePage ssr=SsrMode::Async/>
                    <Route path=path!("/cases/new") view=NewCasePage ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id") view=CasePage ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id/edit") view=EditCasePage ssr=SsrMode::Async/>
                    <Route path=path!("/outbox") view=OutboxPage ssr=SsrMode::Async/>
                    <Route path=path!("/join/:token") view=JoinPage ssr=SsrMode::Async/>
                    <Route path=path!("/consult/:token") view=ConsultPage ssr=SsrMode::Async/>
                </Routes>
                </FriendlyErrors>
            </main>
            <footer class="site-footer">
                <p>"Babysteps keeps what you write private to you and your therapist unless you choose to share it."</p>
            </footer>
    }
}
