//! The case page's tabs as a browser without JavaScript gets them: each tab has its own
//! address and title, marks itself in the tab bar and shows its own sections to the case's
//! therapist, and shows nothing of the case to anyone else. Also the markup fixes of issue
//! 15: titles escape `&`, boolean attributes are bare, the follow-up preview ends no line
//! in a space, and the review page says what each partner seeks once.

use crate::support;

use app::{
    entities::assignments,
    services::{
        cases::{self, CaseDraft, PartnerFields},
        exchange, homework, invitations, Actor,
    },
};
use chrono::Utc;
use reqwest::{redirect::Policy, Client};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use support::{invitation_token, page, signed_in, start_server, therapist};

const PASSWORD: &str = "a calm and quiet river";

/// A case "Alex & Sam" of `owner@example.org` (Alex seeks emotional connection, Sam
/// physical closeness) in which Alex joined, Baby Steps is assigned and Alex wrote an
/// urgent private note; and another therapist. Returns the case and its step 1.
async fn world(db: &DatabaseConnection) -> (i32, i32) {
    let now = Utc::now();
    let owner: Actor = therapist(db, "owner@example.org").await;
    therapist(db, "other@example.org").await;
    let fields =
        |first_name, email, seeks| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks };
    let draft = CaseDraft::parse(
        "Alex & Sam",
        "no_secrets",
        fields("Alex", "alex@example.org", "emotional"),
        fields("Sam", "sam@example.org", "physical"),
    )
    .unwrap();
    let case_id = cases::create_case(db, owner, draft, now).await.unwrap();
    let alex = app::services::access::partners_of(db, case_id).await.unwrap()[0].id;
    invitations::invite(db, owner, case_id, alex, now).await.unwrap();
    let token = invitation_token(db, alex, now).await;
    let client = invitations::accept_with_new_account(db, &token, PASSWORD, true, now).await.unwrap();
    homework::assign_programme(db, owner, case_id, homework::ProgrammeChoice::whole(None, ""), now)
        .await
        .unwrap();
    exchange::send_private_note(db, client, "Please call me.", true, now).await.unwrap();
    let step_1 = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .order_by_asc(assignments::Column::Id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id;
    (case_id, step_1)
}

/// The text of the page's `<title>`.
fn title_of(html: &str) -> &str {
    let start = html.find("<title>").map(|at| at + "<title>".len()).expect("a title");
    &html[start..start + html[start..].find("</title>").expect("a closed title")]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_case_tab_renders_for_its_therapist_only() {
    let server = start_server("case_tabs").await;
    let (case_id, _) = world(&server.db).await;
    let base = &server.base;
    let owner = signed_in(base, "owner@example.org").await;
    let others = [
        ("another therapist", signed_in(base, "other@example.org").await),
        ("a client of the case", signed_in(base, "alex@example.org").await),
        ("anonymous", Client::builder().redirect(Policy::none()).build().unwrap()),
    ];
    let tabs: [(String, &str, &[&str]); 5] = [
        (
            format!("/cases/{case_id}"),
            "Alex &amp; Sam · Babysteps",
            &[
                "Needs you now",
                "Alex marked a private note urgent",
                "Where each partner is",
                "Closeness",
                "Partners",
            ],
        ),
        (
            format!("/cases/{case_id}/homework"),
            "Alex &amp; Sam: Homework · Babysteps",
            &["id=\"homework-title\"", "Timeline"],
        ),
        (
            format!("/cases/{case_id}/together"),
            "Alex &amp; Sam: Together · Babysteps",
            &["Wishes and agreements", "Check-ins", "Step 5 – Letting go"],
        ),
        (
            format!("/cases/{case_id}/notes"),
            "Alex &amp; Sam: Notes · Babysteps",
            &["Your notes", "Private notes (1 new)", "Open note"],
        ),
        (
            format!("/cases/{case_id}/messages"),
            "Alex &amp; Sam: Messages · Babysteps",
            &["Follow-up email", "id=\"emails-title\""],
        ),
    ];
    for (path, title, markers) in &tabs {
        let (status, html) = page(&owner, base, path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(title_of(&html), *title, "{path}");
        assert!(
            html.contains("<nav aria-label=\"Case sections\" class=\"case-tabs\">"),
            "{path}: the tab bar: {}",
            &html[html.find("<main").unwrap_or(0)..]
        );
        assert!(html.contains(&format!("href=\"{path}\" aria-current=\"page\"")), "{path}: marked current");
        for marker in *markers {
            assert!(html.contains(marker), "{path}: {marker}");
        }
        // Each tab reads only its own part: the note's words reach only the notes tab (whose
        // data carries them, as the whole page's did; the page shows them once opened).
        if !path.ends_with("/notes") {
            assert!(!html.contains("Please call me."), "{path}: the note's words stay on the notes tab");
        }
        for (who, client) in &others {
            let (_, html) = page(client, base, path).await;
            assert!(!html.contains("Alex &amp; Sam") && !html.contains("Alex & Sam"), "{path} as {who}");
            assert!(!html.contains("case-tabs"), "{path} as {who}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn titles_attributes_preview_and_copy_are_clean() {
    let server = start_server("case_markup").await;
    let (case_id, step_1) = world(&server.db).await;
    let base = &server.base;
    let owner = signed_in(base, "owner@example.org").await;

    // The review page: escaped title, and what each partner seeks said once.
    let (status, review) = page(&owner, base, &format!("/review/{step_1}")).await;
    assert_eq!(status, 200);
    assert!(title_of(&review).ends_with(" · Alex &amp; Sam · Babysteps"), "{}", title_of(&review));
    assert!(review.contains("Alex — seeks more emotional connection"), "the review page's copy");
    assert!(review.contains("Sam — seeks more physical closeness"));
    assert!(!review.contains("more more"));

    // No booking link is set: the built-in follow-up's preview ends no line in a space.
    let (_, messages) = page(&owner, base, &format!("/cases/{case_id}/messages")).await;
    let preview = messages.split("class=\"card preview\"").nth(1).expect("the preview");
    let preview = &preview[..preview.find("</section>").expect("the preview's end")];
    assert!(preview.contains("choose a time here:\n"), "the preview is rendered on the server: {preview}");
    assert!(
        !preview.contains(" \n") && !preview.contains("\t\n"),
        "no line ends in white space: {preview:?}"
    );

    // Boolean attributes are bare.
    let anonymous = Client::builder().redirect(Policy::none()).build().unwrap();
    for path in ["/sign-in", "/sign-up"] {
        let (_, html) = page(&anonymous, base, path).await;
        assert!(html.contains(" novalidate"), "{path}");
        assert!(!html.contains("novalidate=\""), "{path}");
    }
}
