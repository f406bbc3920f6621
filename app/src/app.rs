//! The HTML shell, the app's routes and its layout.

use crate::{
    auth::provide_auth,
    components::{
        error_notice::FriendlyErrors, header::SiteHeader, second_factor_notice::SecondFactorNotice,
    },
    domain::case::CaseTab,
    pages::{
        account::{
            second_factor::SecondFactorPage, AccountPage, ForgotPasswordPage, PasswordChangedPage,
            ResetPasswordPage,
        },
        audit::{AccountAuditPage, CaseAuditPage},
        auth::{ConfirmEmailPage, SignInCodePage, SignInPage, SignUpPage, SignUpSentPage, WelcomePage},
        caseload::CaseloadPage,
        cases::{CasePage, EditCasePage, NewCasePage, SessionSummaryPage, ViewAsPage},
        client::{MeasureSheetPage, MyHomeworkPage, OwnWritingPage, SheetPage},
        consult::ConsultPage,
        exchange::{CheckInPage, LettingGoPage, PrivateNotePage, WishesPage},
        exercises::{EditExercisePage, ExercisesPage, NewExercisePage},
        home::HomePage,
        join::JoinPage,
        measures::{EditMeasurePage, MeasuresPage},
        not_found::NotFoundPage,
        outbox::OutboxPage,
        review::ReviewPage,
        settings::SettingsPage,
        whats_new::WhatsNewPage,
    },
};
use leptos::{lazy, prelude::*};
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy, LazyRoute, SsrMode,
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
                <meta name="color-scheme" content="light dark"/>
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
                    <Route path=path!("/measures") view={Lazy::<MeasuresRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/measures/:id") view={Lazy::<MeasureSheetRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/measures/:id/edit") view={Lazy::<EditMeasureRoute>::new()} ssr=SsrMode::Async/>
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
                    <Route path=path!("/cases/:id/homework") view={Lazy::<CaseHomeworkRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id/together") view={Lazy::<CaseTogetherRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id/notes") view={Lazy::<CaseNotesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id/messages") view={Lazy::<CaseMessagesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id/edit") view={Lazy::<EditCaseRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id/summary") view={Lazy::<SessionSummaryRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/outbox") view={Lazy::<OutboxRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/whats-new") view={Lazy::<WhatsNewRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/audit") view={Lazy::<AccountAuditRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id/audit") view={Lazy::<CaseAuditRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/cases/:id/view-as/:partner") view={Lazy::<ViewAsRoute>::new()} ssr=SsrMode::Async/>
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

/// Declares a route type for each page of each group below (`Group in group_fn (preload
/// its_preload_fn) { Route => Variant, … }`): the route's view comes from the group's
/// `#[lazy]` function, so `cargo leptos build --split` puts each group's code in its own
/// WebAssembly module, which the browser fetches when it first shows a page of that group.
/// While hydrating a server-rendered page, the server names that module and the chunks it
/// needs in `<link rel="preload">`. Code shared by several groups goes into chunks, one per
/// set of groups that share it: a few groups keep that to a few dozen files (one group per
/// page made about 500). Without `--split` the pages stay in one bundle and work the same.
macro_rules! lazy_routes {
    ($($pages:ident in $group:ident (preload $preload:ident) { $($route:ident => $page:ident),* $(,)? })*) => {$($(
        #[doc = concat!("The lazily loaded route of `", stringify!($pages), "::", stringify!($page), "`.")]
        struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_this: Self) -> AnyView {
                $group($pages::$page).await
            }

            async fn preload() {
                #[cfg(target_arch = "wasm32")]
                $preload().await;
            }
        }
    )*)*};
}

/// The home page and signing in: the pages a visitor meets first, on their own so they load least.
#[derive(Clone, Copy)]
enum SignInPages {
    /// [`HomePage`].
    Home,
    /// [`SignInPage`].
    SignIn,
    /// [`SignInCodePage`].
    SignInCode,
}

/// The views of [`SignInPages`], loaded together.
#[lazy]
fn sign_in_pages(page: SignInPages) -> AnyView {
    match page {
        SignInPages::Home => view! { <HomePage/> }.into_any(),
        SignInPages::SignIn => view! { <SignInPage/> }.into_any(),
        SignInPages::SignInCode => view! { <SignInCodePage/> }.into_any(),
    }
}

/// The therapist's caseload, the page a therapist opens most, on its own.
#[derive(Clone, Copy)]
enum CaseloadPages {
    /// [`CaseloadPage`].
    Caseload,
}

/// The view of [`CaseloadPages`].
#[lazy]
fn caseload_pages(page: CaseloadPages) -> AnyView {
    match page {
        CaseloadPages::Caseload => view! { <CaseloadPage/> }.into_any(),
    }
}

/// Signing up, invitations, consultation links, password resets and one's own account: pages both roles (and visitors) use, less often than signing in.
#[derive(Clone, Copy)]
enum AccountPages {
    /// [`SignUpPage`].
    SignUp,
    /// [`SignUpSentPage`].
    SignUpSent,
    /// [`ConfirmEmailPage`].
    ConfirmEmail,
    /// [`WelcomePage`].
    Welcome,
    /// [`ForgotPasswordPage`].
    ForgotPassword,
    /// [`ResetPasswordPage`].
    ResetPassword,
    /// [`PasswordChangedPage`].
    PasswordChanged,
    /// [`AccountPage`].
    Account,
    /// [`SecondFactorPage`].
    SecondFactor,
    /// [`JoinPage`].
    Join,
    /// [`ConsultPage`].
    Consult,
}

/// The views of [`AccountPages`], loaded together.
#[lazy]
fn account_pages(page: AccountPages) -> AnyView {
    match page {
        AccountPages::SignUp => view! { <SignUpPage/> }.into_any(),
        AccountPages::SignUpSent => view! { <SignUpSentPage/> }.into_any(),
        AccountPages::ConfirmEmail => view! { <ConfirmEmailPage/> }.into_any(),
        AccountPages::Welcome => view! { <WelcomePage/> }.into_any(),
        AccountPages::ForgotPassword => view! { <ForgotPasswordPage/> }.into_any(),
        AccountPages::ResetPassword => view! { <ResetPasswordPage/> }.into_any(),
        AccountPages::PasswordChanged => view! { <PasswordChangedPage/> }.into_any(),
        AccountPages::Account => view! { <AccountPage/> }.into_any(),
        AccountPages::SecondFactor => view! { <SecondFactorPage/> }.into_any(),
        AccountPages::Join => view! { <JoinPage/> }.into_any(),
        AccountPages::Consult => view! { <ConsultPage/> }.into_any(),
    }
}

/// A client's homework sheet, the page clients use most, on its own so it loads least.
#[derive(Clone, Copy)]
enum SheetPages {
    /// [`SheetPage`].
    Sheet,
}

/// The views of [`SheetPages`], loaded together.
#[lazy]
fn sheet_pages(page: SheetPages) -> AnyView {
    match page {
        SheetPages::Sheet => view! { <SheetPage/> }.into_any(),
    }
}

/// The rest of a client's pages: their homework list and the steps done together.
#[derive(Clone, Copy)]
enum ClientPages {
    /// [`MyHomeworkPage`].
    MyHomework,
    /// [`WishesPage`].
    Wishes,
    /// [`CheckInPage`].
    CheckIn,
    /// [`LettingGoPage`].
    LettingGo,
    /// [`PrivateNotePage`].
    PrivateNote,
    /// [`OwnWritingPage`].
    OwnWriting,
    /// [`MeasureSheetPage`].
    MeasureSheet,
}

/// The views of [`ClientPages`], loaded together.
#[lazy]
fn client_pages(page: ClientPages) -> AnyView {
    match page {
        ClientPages::MyHomework => view! { <MyHomeworkPage/> }.into_any(),
        ClientPages::Wishes => view! { <WishesPage/> }.into_any(),
        ClientPages::CheckIn => view! { <CheckInPage/> }.into_any(),
        ClientPages::LettingGo => view! { <LettingGoPage/> }.into_any(),
        ClientPages::PrivateNote => view! { <PrivateNotePage/> }.into_any(),
        ClientPages::OwnWriting => view! { <OwnWritingPage/> }.into_any(),
        ClientPages::MeasureSheet => view! { <MeasureSheetPage/> }.into_any(),
    }
}

/// One of the therapist's cases: its overview and tabs, the page opened most after the
/// caseload.
#[derive(Clone, Copy)]
enum CasePages {
    /// [`CasePage`]: the overview.
    Case,
    /// [`CasePage`]: the homework tab.
    CaseHomework,
    /// [`CasePage`]: the together tab.
    CaseTogether,
    /// [`CasePage`]: the notes tab.
    CaseNotes,
    /// [`CasePage`]: the messages tab.
    CaseMessages,
}

/// The views of [`CasePages`], loaded together.
#[lazy]
fn case_pages(page: CasePages) -> AnyView {
    match page {
        CasePages::Case => view! { <CasePage tab=CaseTab::Overview/> }.into_any(),
        CasePages::CaseHomework => view! { <CasePage tab=CaseTab::Homework/> }.into_any(),
        CasePages::CaseTogether => view! { <CasePage tab=CaseTab::Together/> }.into_any(),
        CasePages::CaseNotes => view! { <CasePage tab=CaseTab::Notes/> }.into_any(),
        CasePages::CaseMessages => view! { <CasePage tab=CaseTab::Messages/> }.into_any(),
    }
}

/// The other pages of a case, opened less often than its tabs: the case form, its records,
/// a review, a sample partner's view and the session summary.
#[derive(Clone, Copy)]
enum CaseFormPages {
    /// [`NewCasePage`].
    NewCase,
    /// [`EditCasePage`].
    EditCase,
    /// [`CaseAuditPage`].
    CaseAudit,
    /// [`ReviewPage`].
    Review,
    /// [`ViewAsPage`].
    ViewAs,
    /// [`SessionSummaryPage`].
    SessionSummary,
}

/// The views of [`CaseFormPages`], loaded together.
#[lazy]
fn case_form_pages(page: CaseFormPages) -> AnyView {
    match page {
        CaseFormPages::NewCase => view! { <NewCasePage/> }.into_any(),
        CaseFormPages::EditCase => view! { <EditCasePage/> }.into_any(),
        CaseFormPages::CaseAudit => view! { <CaseAuditPage/> }.into_any(),
        CaseFormPages::Review => view! { <ReviewPage/> }.into_any(),
        CaseFormPages::ViewAs => view! { <ViewAsPage/> }.into_any(),
        CaseFormPages::SessionSummary => view! { <SessionSummaryPage/> }.into_any(),
    }
}

/// The therapist's practice-wide pages: exercises, settings, the outbox and the account's records.
#[derive(Clone, Copy)]
enum PracticePages {
    /// [`ExercisesPage`].
    Exercises,
    /// [`NewExercisePage`].
    NewExercise,
    /// [`EditExercisePage`].
    EditExercise,
    /// [`SettingsPage`].
    Settings,
    /// [`OutboxPage`].
    Outbox,
    /// [`AccountAuditPage`].
    AccountAudit,
    /// [`WhatsNewPage`].
    WhatsNew,
    /// [`MeasuresPage`].
    Measures,
    /// [`EditMeasurePage`].
    EditMeasure,
}

/// The views of [`PracticePages`], loaded together.
#[lazy]
fn practice_pages(page: PracticePages) -> AnyView {
    match page {
        PracticePages::Exercises => view! { <ExercisesPage/> }.into_any(),
        PracticePages::NewExercise => view! { <NewExercisePage/> }.into_any(),
        PracticePages::EditExercise => view! { <EditExercisePage/> }.into_any(),
        PracticePages::Settings => view! { <SettingsPage/> }.into_any(),
        PracticePages::Outbox => view! { <OutboxPage/> }.into_any(),
        PracticePages::AccountAudit => view! { <AccountAuditPage/> }.into_any(),
        PracticePages::WhatsNew => view! { <WhatsNewPage/> }.into_any(),
        PracticePages::Measures => view! { <MeasuresPage/> }.into_any(),
        PracticePages::EditMeasure => view! { <EditMeasurePage/> }.into_any(),
    }
}

lazy_routes! {
    SignInPages in sign_in_pages (preload __preload_sign_in_pages) {
        HomeRoute => Home,
        SignInRoute => SignIn,
        SignInCodeRoute => SignInCode,
    }
    AccountPages in account_pages (preload __preload_account_pages) {
        SignUpRoute => SignUp,
        SignUpSentRoute => SignUpSent,
        ConfirmEmailRoute => ConfirmEmail,
        WelcomeRoute => Welcome,
        ForgotPasswordRoute => ForgotPassword,
        ResetPasswordRoute => ResetPassword,
        PasswordChangedRoute => PasswordChanged,
        AccountRoute => Account,
        SecondFactorRoute => SecondFactor,
        JoinRoute => Join,
        ConsultRoute => Consult,
    }
    SheetPages in sheet_pages (preload __preload_sheet_pages) {
        SheetRoute => Sheet,
    }
    ClientPages in client_pages (preload __preload_client_pages) {
        MyHomeworkRoute => MyHomework,
        WishesRoute => Wishes,
        CheckInRoute => CheckIn,
        LettingGoRoute => LettingGo,
        PrivateNoteRoute => PrivateNote,
        OwnWritingRoute => OwnWriting,
        MeasureSheetRoute => MeasureSheet,
    }
    CaseloadPages in caseload_pages (preload __preload_caseload_pages) {
        CaseloadRoute => Caseload,
    }
    CasePages in case_pages (preload __preload_case_pages) {
        CaseRoute => Case,
        CaseHomeworkRoute => CaseHomework,
        CaseTogetherRoute => CaseTogether,
        CaseNotesRoute => CaseNotes,
        CaseMessagesRoute => CaseMessages,
    }
    CaseFormPages in case_form_pages (preload __preload_case_form_pages) {
        NewCaseRoute => NewCase,
        EditCaseRoute => EditCase,
        CaseAuditRoute => CaseAudit,
        ReviewRoute => Review,
        ViewAsRoute => ViewAs,
        SessionSummaryRoute => SessionSummary,
    }
    PracticePages in practice_pages (preload __preload_practice_pages) {
        ExercisesRoute => Exercises,
        NewExerciseRoute => NewExercise,
        EditExerciseRoute => EditExercise,
        SettingsRoute => Settings,
        OutboxRoute => Outbox,
        AccountAuditRoute => AccountAudit,
        WhatsNewRoute => WhatsNew,
        MeasuresRoute => Measures,
        EditMeasureRoute => EditMeasure,
    }
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
