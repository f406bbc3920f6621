//! The HTML shell, the app's routes and its layout.

use crate::{
    auth::provide_auth,
    components::{
        error_notice::FriendlyErrors, header::SiteHeader, second_factor_notice::SecondFactorNotice,
    },
    pages::{
        account::{
            second_factor::SecondFactorPage, AccountPage, ForgotPasswordPage, PasswordChangedPage,
            ResetPasswordPage,
        },
        audit::{AccountAuditPage, CaseAuditPage},
        auth::{ConfirmEmailPage, SignInCodePage, SignInPage, SignUpPage, SignUpSentPage, WelcomePage},
        caseload::CaseloadPage,
        cases::{CasePage, EditCasePage, NewCasePage},
        client::{MyHomeworkPage, OwnWritingPage, SheetPage},
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
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute, SsrMode,
};

/// The page shell rendered on the server around the app. It also sets the
/// Content-Security-Policy header with this response's nonce.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    #[cfg(feature = "ssr")]
    let stylesheet = stylesheet_href(&options);
    #[cfg(not(feature = "ssr"))]
    let stylesheet = options.css_path();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="stylesheet" id="leptos" href=stylesheet/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The content hash cargo-leptos gave one kind of bundle file (`js`, `wasm`, `css`), read
/// from its hash file next to the server binary — the file and the lines Leptos's
/// `HydrationScripts` reads for the script and WebAssembly names. `None` when the build did
/// not hash file names.
#[cfg(feature = "ssr")]
pub fn asset_hash(options: &LeptosOptions, kind: &str) -> Option<String> {
    if !options.hash_files {
        return None;
    }
    let hashes = std::fs::read_to_string(hash_file_path(options)?).ok()?;
    hashes.lines().find_map(|line| {
        let (name, hash) = line.split_once(':')?;
        (name.trim() == kind).then(|| hash.trim().to_owned())
    })
}

/// Where cargo-leptos writes the content hashes of a build: `hash.txt` (or the configured
/// name) in the server binary's folder.
#[cfg(feature = "ssr")]
pub fn hash_file_path(options: &LeptosOptions) -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(&*options.hash_file))
}

/// `/pkg/babysteps.<hash>.css` for a build with hashed names, else `/pkg/babysteps.css`.
#[cfg(feature = "ssr")]
fn stylesheet_href(options: &LeptosOptions) -> String {
    match asset_hash(options, "css") {
        Some(hash) => format!("{}{}.{hash}.css", options.site_pkg_dir_route_base(), options.output_name),
        None => options.css_path(),
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
        <Title formatter=page_title/>
        <Router>
            <Layout/>
        </Router>
    }
}

/// The document title for a page's own `<Title text=…>`: "Page · Babysteps", or
/// "Babysteps" for none. Every title goes through this one formatter (no page sets its
/// own). On the server leptos_meta writes the title into `<title>` exactly as given,
/// unescaped, so the text is escaped here: a case label or an exercise title can never
/// become markup in the page head. In the browser it becomes `document.title`, which is
/// plain text, so nothing is escaped there.
pub fn page_title(page: String) -> String {
    let title = if page.is_empty() { "Babysteps".to_owned() } else { format!("{page} · Babysteps") };
    #[cfg(feature = "ssr")]
    let title = escape_title(&title);
    title
}

/// Escapes text for the inside of `<title>`, where only `&` and `<` (and `>` for good
/// measure) can change what the browser reads.
#[cfg(feature = "ssr")]
fn escape_title(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            other => escaped.push(other),
        }
    }
    escaped
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
                <SecondFactorNotice/>
                <FriendlyErrors>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view={Lazy::<HomeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view={Lazy::<SignInRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in/code") view={Lazy::<SignInCodeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/sign-up") view={Lazy::<SignUpRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/forgot-password") view={Lazy::<ForgotPasswordRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/reset-password/:token") view={Lazy::<ResetPasswordRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/password-changed") view={Lazy::<PasswordChangedRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/account/second-factor") view={Lazy::<SecondFactorRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/sign-up/sent") view={Lazy::<SignUpSentRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/confirm-email/:token") view={Lazy::<ConfirmEmailRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/welcome/:token") view={Lazy::<WelcomeRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/caseload") view={Lazy::<CaseloadRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/homework") view={Lazy::<MyHomeworkRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/homework/:id") view={Lazy::<SheetRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/review/:id") view={Lazy::<ReviewRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/exercises") view={Lazy::<ExercisesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/settings") view={Lazy::<SettingsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/wishes") view={Lazy::<WishesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/check-in") view={Lazy::<CheckInRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/letting-go") view={Lazy::<LettingGoRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/private-note") view={Lazy::<PrivateNoteRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/my-writing") view={Lazy::<OwnWritingRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/exercises/new") view={Lazy::<NewExerciseRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/exercises/:id") view={Lazy::<EditExerciseRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cases/new") view={Lazy::<NewCaseRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id/edit") view={Lazy::<EditCaseRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/outbox") view={Lazy::<OutboxRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/audit") view={Lazy::<AccountAuditRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id/audit") view={Lazy::<CaseAuditRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/join/:token") view={Lazy::<JoinRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/consult/:token") view={Lazy::<ConsultRoute>::new()} ssr=SsrMode::Async/>
                </Routes>
                </FriendlyErrors>
            </main>
            <footer class="site-footer">
                <p>"Babysteps keeps what you write private to you and your therapist unless you choose to share it."</p>
            </footer>
    }
}

/// Declares, for each page, a route type whose view is split into its own WebAssembly chunk
/// by `cargo leptos build --split`: the browser downloads the runtime, the header and the
/// router up front, and a page's code (and what only it uses) when it shows that page.
/// While hydrating a server-rendered page, the chunk of that page is fetched first (the
/// server names it in a `<link rel="preload">`). Without `--split` the pages stay in one
/// bundle and work the same.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        #[doc = concat!("The lazily loaded route of [`", stringify!($page), "`].")]
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    HomeRoute => HomePage,
    SignInRoute => SignInPage,
    SignUpRoute => SignUpPage,
    CaseloadRoute => CaseloadPage,
    MyHomeworkRoute => MyHomeworkPage,
    SheetRoute => SheetPage,
    ReviewRoute => ReviewPage,
    ExercisesRoute => ExercisesPage,
    SettingsRoute => SettingsPage,
    WishesRoute => WishesPage,
    CheckInRoute => CheckInPage,
    LettingGoRoute => LettingGoPage,
    PrivateNoteRoute => PrivateNotePage,
    OwnWritingRoute => OwnWritingPage,
    NewExerciseRoute => NewExercisePage,
    EditExerciseRoute => EditExercisePage,
    NewCaseRoute => NewCasePage,
    CaseRoute => CasePage,
    EditCaseRoute => EditCasePage,
    OutboxRoute => OutboxPage,
    JoinRoute => JoinPage,
    ConsultRoute => ConsultPage,
    SignInCodeRoute => SignInCodePage,
    AccountRoute => AccountPage,
    ForgotPasswordRoute => ForgotPasswordPage,
    ResetPasswordRoute => ResetPasswordPage,
    PasswordChangedRoute => PasswordChangedPage,
    SecondFactorRoute => SecondFactorPage,
    SignUpSentRoute => SignUpSentPage,
    ConfirmEmailRoute => ConfirmEmailPage,
    WelcomeRoute => WelcomePage,
    AccountAuditRoute => AccountAuditPage,
    CaseAuditRoute => CaseAuditPage,
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn titles_are_text_never_markup() {
        assert_eq!(page_title(String::new()), "Babysteps");
        assert_eq!(page_title("Caseload".into()), "Caseload · Babysteps");
        let probe = "A&B</title><meta name=\"probe-injected\" content=\"yes\"><title>x";
        let title = page_title(probe.into());
        assert_eq!(
            title,
            "A&amp;B&lt;/title&gt;&lt;meta name=\"probe-injected\" content=\"yes\"&gt;&lt;title&gt;x · Babysteps"
        );
        assert!(!title.contains('<') && !title.contains('>'));
    }
}
