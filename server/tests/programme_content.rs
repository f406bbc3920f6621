//! Baby Steps without sexual content, as each partner's pages show it: every page of such a
//! couple — home, each step's sheet (both question sets: the partners are not sure yet what
//! they seek), wishes, check-in, letting go, the private note, My writing — is searched for
//! the words, and none appears. The same step 1 sheet of a couple with the whole programme
//! does show them, so the search would find them.

use crate::support;

use app::{
    domain::baby_steps::ProgrammeContent,
    entities::assignments,
    services::{
        homework::{self, SaveIntent},
        Actor,
    },
};
use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use support::{case_with_clients, page, signed_in, start_server, therapist};

/// The programme's steps of a case, in order.
async fn steps(db: &DatabaseConnection, case_id: i32) -> Vec<i32> {
    assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .order_by_asc(assignments::Column::StepNumber)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|step| step.id)
        .collect()
}

/// A couple of `owner` whose partners (both not sure yet what they seek) joined, with Baby
/// Steps assigned with `content`, every step open, and step 1 submitted and shared by both.
async fn couple(
    db: &DatabaseConnection,
    owner: Actor,
    tag: &str,
    content: ProgrammeContent,
) -> (Vec<i32>, [String; 2]) {
    let emails = [format!("a.{tag}@example.org"), format!("b.{tag}@example.org")];
    let (case_id, _, clients) = case_with_clients(
        db,
        owner,
        &format!("Couple {tag}"),
        ["Robin", "Kai"],
        [&emails[0], &emails[1]],
        &[&emails[0], &emails[1]],
    )
    .await;
    let now = Utc::now();
    homework::assign_programme(
        db,
        owner,
        case_id,
        homework::ProgrammeChoice { content, ..homework::ProgrammeChoice::whole(None, "") },
        now,
    )
    .await
    .unwrap();
    let steps = steps(db, case_id).await;
    for step in &steps[1..] {
        homework::unlock_early(db, owner, *step, now).await.unwrap();
    }
    for client in &clients {
        let answers = [
            ("emotional_meaning", "Being listened to."),
            ("behaviours", "physical\tHold my hand on walks\nemotional\tAsk about my week"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        homework::save_answers(db, *client, steps[0], 0, &answers, SaveIntent::Submit, now).await.unwrap();
    }
    for client in &clients {
        homework::share(db, *client, steps[0], now).await.unwrap();
    }
    (steps, emails)
}

/// What a person reads on a page: the HTML without its scripts (the hydration data) and
/// comments, lower-cased.
fn readable(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        text.push_str(&rest[..start]);
        rest = rest[start..].find("</script>").map_or("", |end| &rest[start + end + "</script>".len()..]);
    }
    text.push_str(rest);
    text.to_lowercase()
}

#[tokio::test]
async fn a_couple_without_sexual_content_never_reads_of_it() {
    let server = start_server("programme-content").await;
    let db = &server.db;
    let owner = therapist(db, "content@example.org").await;
    let (gentle, gentle_emails) = couple(db, owner, "gentle", ProgrammeContent::WithoutSexual).await;
    let (full, full_emails) = couple(db, owner, "full", ProgrammeContent::Full).await;

    let mut pages = vec!["/homework".to_owned()];
    pages.extend(gentle.iter().map(|step| format!("/homework/{step}")));
    pages.extend(["/wishes", "/check-in", "/letting-go", "/private-note", "/my-writing"].map(str::to_owned));
    for email in &gentle_emails {
        let client = signed_in(&server.base, email).await;
        for path in &pages {
            let (status, html) = page(&client, &server.base, path).await;
            assert_eq!(status, 200, "{email} {path}");
            let text = readable(&html);
            for word in ["sex", "intimacy"] {
                if let Some(at) = text.find(word) {
                    panic!(
                        "{email} reads {word:?} on {path}: …{}…",
                        &text[at.saturating_sub(80)..(at + 80).min(text.len())]
                    );
                }
            }
        }
    }
    // The whole programme does speak of it: the search above would have found it.
    let client = signed_in(&server.base, &full_emails[0]).await;
    let (_, sheet) = page(&client, &server.base, &format!("/homework/{}", full[0])).await;
    assert!(readable(&sheet).contains("sexual intimacy"), "the whole programme's step 1 names it");
    let (_, wishes) = page(&client, &server.base, "/wishes").await;
    assert!(readable(&wishes).contains("sexual"), "…and its wish kinds include it");
    server.finish().await;
}
