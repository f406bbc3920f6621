//! One test per row of the README's "Who sees what" table, over HTTP: for each row, a marker
//! is written the way the app writes it, then everything each of T (the case's therapist),
//! A (the partner who wrote it), B (the other partner) and X (another therapist, a client of
//! another case, and the anonymous) can reach — every server function they may call and
//! every page they may open — is searched for it.

use crate::support;

use app::{
    domain::{case::CaseStatus, homework::Recipients},
    entities::{assignments, outbox_emails, responses},
    services::{
        cases, exchange,
        homework::{self, SaveIntent},
        messages, Actor,
    },
};
use chrono::Utc;
use reqwest::Client;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use support::{call, case_with_clients, page, signed_in, start_server, therapist, TestServer};

/// The case's therapist (T), its two partners (A, B) and everyone else (X).
struct Table {
    server: TestServer,
    owner: Actor,
    a: Actor,
    b: Actor,
    case_id: i32,
    t_client: Client,
    a_client: Client,
    b_client: Client,
    x_clients: Vec<Client>,
}

async fn table(name: &str) -> Table {
    let server = start_server(&format!("table_{name}")).await;
    let db = &server.db;
    let owner = therapist(db, "owner@example.org").await;
    let other = therapist(db, "other@example.org").await;
    let couple = ["aurelio@example.org", "bettina@example.org"];
    let (case_id, _, clients) =
        case_with_clients(db, owner, "Table couple", ["Aurelio", "Bettina"], couple, &couple).await;
    let foreign = ["foreign@example.org", "foreign2@example.org"];
    case_with_clients(db, other, "Other couple", ["Xavi", "Yoko"], foreign, &foreign[..1]).await;
    let base = server.base.clone();
    Table {
        owner,
        a: clients[0],
        b: clients[1],
        case_id,
        t_client: signed_in(&base, "owner@example.org").await,
        a_client: signed_in(&base, "aurelio@example.org").await,
        b_client: signed_in(&base, "bettina@example.org").await,
        x_clients: vec![
            Client::new(),
            signed_in(&base, "other@example.org").await,
            signed_in(&base, "foreign@example.org").await,
        ],
        server,
    }
}

impl Table {
    fn step(&self, assignments: &[assignments::Model], n: i16) -> i32 {
        assignments.iter().find(|a| a.step_number == Some(n)).map_or(0, |a| a.id)
    }

    /// Assigns Baby Steps (unless it is) and has the therapist open steps 3 to 5 early, so
    /// wishes can be answered, check-ins written and step 5 saved.
    async fn open_exchange(&self) {
        let db = &self.server.db;
        if self.assignments().await.is_empty() {
            homework::assign_programme(
                db,
                self.owner,
                self.case_id,
                homework::ProgrammeChoice::whole(None, ""),
                Utc::now(),
            )
            .await
            .unwrap();
        }
        let assignments = self.assignments().await;
        for number in 3..=5 {
            homework::unlock_early(db, self.owner, self.step(&assignments, number), Utc::now())
                .await
                .unwrap();
        }
    }

    async fn assignments(&self) -> Vec<assignments::Model> {
        assignments::Entity::find()
            .filter(assignments::Column::CaseId.eq(self.case_id))
            .all(&self.server.db)
            .await
            .unwrap()
    }

    /// Everything a therapist client reaches about this case.
    async fn therapist_reach(&self, client: &Client) -> String {
        let base = &self.server.base;
        let case = self.case_id.to_string();
        let mut seen = String::new();
        for tab in ["", "homework", "together", "notes", "messages"] {
            let form = [("case_id", case.clone()), ("tab", tab.to_owned())];
            seen.push_str(&call(client, base, "cases/page", &form).await.1);
            let path = if tab.is_empty() { format!("/cases/{case}") } else { format!("/cases/{case}/{tab}") };
            seen.push_str(&page(client, base, &path).await.1);
        }
        for (endpoint, form) in [
            ("cases/get", vec![("case_id", case.clone())]),
            ("outbox/list", vec![]),
            ("cases/caseload", caseload_form()),
        ] {
            seen.push_str(&call(client, base, endpoint, &form).await.1);
        }
        for assignment in self.assignments().await {
            let form = [("assignment_id", assignment.id.to_string())];
            seen.push_str(&call(client, base, "homework/review", &form).await.1);
            seen.push_str(&page(client, base, &format!("/review/{}", assignment.id)).await.1);
        }
        seen
    }

    /// Everything a client reaches: every client function and page.
    async fn client_reach(&self, client: &Client) -> String {
        let base = &self.server.base;
        let mut seen = String::new();
        for endpoint in [
            "auth/me",
            "client/home",
            "client/homework_page",
            "client/my_writing",
            "homework/mine",
            "exchange/board",
            "exchange/practice",
            "exchange/pact",
            "notes/mine",
        ] {
            seen.push_str(&call(client, base, endpoint, &[]).await.1);
        }
        let mut paths: Vec<String> =
            ["/homework", "/wishes", "/check-in", "/letting-go", "/private-note", "/my-writing"]
                .map(String::from)
                .into();
        for assignment in self.assignments().await {
            let form = [("assignment_id", assignment.id.to_string())];
            seen.push_str(&call(client, base, "homework/sheet", &form).await.1);
            paths.push(format!("/homework/{}", assignment.id));
        }
        for path in paths {
            seen.push_str(&page(client, base, &path).await.1);
        }
        seen
    }

    /// Whether T, A, B and any X reach `marker`; emails count for the person they are sent to.
    async fn who_sees(&self, marker: &str) -> [bool; 4] {
        let emails = outbox_emails::Entity::find().all(&self.server.db).await.unwrap();
        let emailed = |address: &str| {
            emails.iter().any(|e| e.to_address == address && format!("{e:?}").contains(marker))
        };
        let mut x = false;
        for client in &self.x_clients {
            x |= self.therapist_reach(client).await.contains(marker)
                || self.client_reach(client).await.contains(marker);
        }
        [
            self.therapist_reach(&self.t_client).await.contains(marker),
            self.client_reach(&self.a_client).await.contains(marker) || emailed("aurelio@example.org"),
            self.client_reach(&self.b_client).await.contains(marker) || emailed("bettina@example.org"),
            x,
        ]
    }

    async fn submit_step_1(&self, who: Actor, text: &str) {
        let db = &self.server.db;
        let step1 = self.step(&self.assignments().await, 1);
        let answers = [
            ("emotional_meaning", text.to_owned()),
            ("physical_meaning", format!("{text} physical")),
            ("behaviours", format!("{text} wish")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        homework::save_answers(db, who, step1, 0, &answers, SaveIntent::Submit, Utc::now()).await.unwrap();
    }
}

/// The caseload's first page, unfiltered.
fn caseload_form() -> Vec<(&'static str, String)> {
    vec![
        ("search", String::new()),
        ("status", String::new()),
        ("sort", String::new()),
        ("page", "1".to_owned()),
    ]
}

const T_A: [bool; 4] = [true, true, false, false];
const T_A_B: [bool; 4] = [true, true, true, false];

#[tokio::test]
async fn case_details_and_both_first_names_reach_the_therapist_and_both_partners() {
    let t = table("details").await;
    assert_eq!(t.who_sees("Aurelio").await, T_A_B);
    assert_eq!(t.who_sees("Bettina").await, T_A_B);
}

#[tokio::test]
async fn the_therapists_notes_reach_only_the_therapist() {
    let t = table("notes").await;
    let form = [("case_id", t.case_id.to_string()), ("notes", "ROW-THERAPIST-NOTES".to_owned())];
    assert_eq!(call(&t.t_client, &t.server.base, "cases/notes", &form).await.0, 200);
    assert_eq!(t.who_sees("ROW-THERAPIST-NOTES").await, [true, false, false, false]);
}

#[tokio::test]
async fn a_draft_reaches_the_therapist_and_its_writer() {
    let t = table("draft").await;
    homework::assign_programme(
        &t.server.db,
        t.owner,
        t.case_id,
        homework::ProgrammeChoice::whole(None, ""),
        Utc::now(),
    )
    .await
    .unwrap();
    let step1 = t.step(&t.assignments().await, 1);
    let draft = [("emotional_meaning".to_owned(), "ROW-DRAFT".to_owned())].into();
    homework::save_answers(&t.server.db, t.a, step1, 0, &draft, SaveIntent::Draft, Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-DRAFT").await, T_A);
}

#[tokio::test]
async fn a_submission_reaches_the_other_partner_only_once_both_have_shared() {
    let t = table("submission").await;
    homework::assign_programme(
        &t.server.db,
        t.owner,
        t.case_id,
        homework::ProgrammeChoice::whole(None, ""),
        Utc::now(),
    )
    .await
    .unwrap();
    t.submit_step_1(t.a, "ROW-SUBMISSION").await;
    assert_eq!(t.who_sees("ROW-SUBMISSION").await, T_A, "submitted, not shared");
    let step1 = t.step(&t.assignments().await, 1);
    homework::share(&t.server.db, t.a, step1, Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-SUBMISSION").await, T_A, "shared by A only (mutual reveal)");
    t.submit_step_1(t.b, "B-words").await;
    homework::share(&t.server.db, t.b, step1, Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-SUBMISSION").await, T_A_B, "shared by both");
}

#[tokio::test]
async fn a_comment_reaches_the_therapist_and_the_partner_it_is_to() {
    let t = table("comment").await;
    homework::assign_programme(
        &t.server.db,
        t.owner,
        t.case_id,
        homework::ProgrammeChoice::whole(None, ""),
        Utc::now(),
    )
    .await
    .unwrap();
    t.submit_step_1(t.a, "A-words").await;
    let response = responses::Entity::find().one(&t.server.db).await.unwrap().unwrap();
    homework::comment(&t.server.db, t.owner, response.id, None, "ROW-COMMENT", Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-COMMENT").await, T_A);
}

#[tokio::test]
async fn wishes_and_their_answers_reach_both_partners_once_both_shared_step_1() {
    let t = table("wishes").await;
    homework::assign_programme(
        &t.server.db,
        t.owner,
        t.case_id,
        homework::ProgrammeChoice::whole(None, ""),
        Utc::now(),
    )
    .await
    .unwrap();
    t.submit_step_1(t.a, "ROW-WISH").await;
    t.submit_step_1(t.b, "B-words").await;
    assert_eq!(t.who_sees("ROW-WISH wish").await, T_A, "before sharing");
    let step1 = t.step(&t.assignments().await, 1);
    homework::share(&t.server.db, t.a, step1, Utc::now()).await.unwrap();
    homework::share(&t.server.db, t.b, step1, Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-WISH wish").await, T_A_B);
    // B answers with a smaller step: it reaches A and the therapist too.
    t.open_exchange().await;
    let board = exchange::board(&t.server.db, t.b, Utc::now()).await.unwrap();
    let wish = board.wishes.iter().find(|w| w.wish.text == "ROW-WISH wish").unwrap().wish.clone();
    let offer = exchange::ActionDetails { offer: "ROW-OFFER".into(), ease: Some(4) };
    let action = app::domain::exchange::WishAction::SmallerStep;
    exchange::act_on_wish(&t.server.db, t.b, wish.id, wish.version, action, offer, Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-OFFER").await, T_A_B);
}

fn check_in(note: &str) -> exchange::CheckInForm {
    exchange::CheckInForm {
        week_start: app::services::clock::week_start(Utc::now().date_naive()) - chrono::Duration::weeks(2),
        my_part: "done".into(),
        noticed: "partly".into(),
        emotional: 7,
        physical: 3,
        note: note.into(),
    }
}

#[tokio::test]
async fn check_in_answers_and_notes_reach_the_therapist_and_their_writer() {
    let t = table("check-in").await;
    t.open_exchange().await;
    exchange::save_check_in(&t.server.db, t.a, check_in("ROW-CHECK-IN-NOTE"), Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-CHECK-IN-NOTE").await, T_A);
}

#[tokio::test]
async fn closeness_ratings_reach_the_other_partner_only_when_both_agreed() {
    let t = table("ratings").await;
    let db = &t.server.db;
    t.open_exchange().await;
    exchange::save_check_in(db, t.a, check_in(""), Utc::now()).await.unwrap();
    let partner_ratings = |body: String| {
        let view: serde_json::Value = serde_json::from_str(&body).unwrap();
        view["partner_ratings"].as_array().map_or(0, Vec::len)
    };
    let b_sees =
        || async { partner_ratings(call(&t.b_client, &t.server.base, "exchange/practice", &[]).await.1) };
    assert_eq!(b_sees().await, 0, "nobody agreed");
    exchange::set_share_ratings(db, t.a, true, Utc::now()).await.unwrap();
    assert_eq!(b_sees().await, 0, "only A agreed");
    exchange::set_share_ratings(db, t.b, true, Utc::now()).await.unwrap();
    assert_eq!(b_sees().await, 1, "both agreed");
    // The therapist always sees them; nobody outside the case does.
    let case_page = call(
        &t.t_client,
        &t.server.base,
        "cases/page",
        &[("case_id", t.case_id.to_string()), ("tab", "together".into())],
    )
    .await;
    assert!(case_page.1.contains("\"emotional\":7"), "{}", case_page.1);
    for client in &t.x_clients {
        let (status, body) = call(client, &t.server.base, "exchange/practice", &[]).await;
        assert!(status != 200 || partner_ratings(body) == 0);
    }
}

#[tokio::test]
async fn step_5_writing_reaches_the_other_partner_only_if_shared() {
    let t = table("pact").await;
    let db = &t.server.db;
    t.open_exchange().await;
    exchange::save_pact(db, t.a, "ROW-LETTING-GO", false, false, false, Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-LETTING-GO").await, T_A);
    exchange::save_pact(db, t.a, "ROW-LETTING-GO", true, false, false, Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-LETTING-GO").await, T_A_B);
}

#[tokio::test]
async fn a_private_note_reaches_only_the_therapist_and_its_writer() {
    let t = table("private-note").await;
    exchange::send_private_note(&t.server.db, t.a, "ROW-PRIVATE-NOTE", false, Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-PRIVATE-NOTE").await, T_A);
}

#[tokio::test]
async fn an_email_to_one_partner_reaches_only_that_partner() {
    let t = table("email").await;
    let follow_up = messages::FollowUp {
        recipients: Recipients::PartnerA,
        subject: "ROW-EMAIL-SUBJECT".into(),
        body: "Checking in.".into(),
        progress_summary: String::new(),
        send_at: None,
        times: Vec::new(),
    };
    messages::send_follow_up(&t.server.db, t.owner, t.case_id, follow_up, Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-EMAIL-SUBJECT").await, T_A);
}

#[tokio::test]
async fn audit_entries_reach_no_client_and_no_outsider() {
    let t = table("audit").await;
    exchange::send_private_note(&t.server.db, t.a, "Hello", false, Utc::now()).await.unwrap();
    // The trail's action names appear in no client's or outsider's reach. (The therapist's
    // own view of the trail comes with the records work; today no page shows it.)
    let [_, a, b, x] = t.who_sees("private_note.sent").await;
    assert_eq!([a, b, x], [false, false, false]);
}

#[tokio::test]
async fn a_removed_partner_reaches_nothing_and_their_writing_stays_with_the_therapist() {
    let t = table("removed").await;
    let db = &t.server.db;
    t.open_exchange().await;
    exchange::send_private_note(db, t.a, "ROW-REMOVED-NOTE", false, Utc::now()).await.unwrap();
    exchange::save_pact(db, t.a, "ROW-REMOVED-SHARED", true, false, false, Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-REMOVED-SHARED").await, T_A_B, "before removal");
    let a_partner = app::services::access::partners_of(db, t.case_id).await.unwrap()[0].id;
    let form = [("case_id", t.case_id.to_string()), ("partner_id", a_partner.to_string())];
    assert_eq!(call(&t.t_client, &t.server.base, "cases/remove_partner", &form).await.0, 200);
    // A's session has ended: every call answers "please sign in".
    assert_eq!(call(&t.a_client, &t.server.base, "exchange/board", &[]).await.0, 401);
    // What A wrote stays with the therapist only (A keeps their own writing by signing in).
    let [tt, _, b, x] = t.who_sees("ROW-REMOVED-SHARED").await;
    assert_eq!([tt, b, x], [true, false, false]);
    let a_again = signed_in(&t.server.base, "aurelio@example.org").await;
    let (status, _) = call(&a_again, &t.server.base, "exchange/board", &[]).await;
    assert_eq!(status, 403, "a removed partner reaches no case content");
    let (_, home) = call(&a_again, &t.server.base, "client/home", &[]).await;
    assert!(home.contains("ended your access"), "{home}");
    let (_, writing) = call(&a_again, &t.server.base, "client/my_writing", &[]).await;
    assert!(writing.contains("ROW-REMOVED-NOTE") && writing.contains("ROW-REMOVED-SHARED"));
}

#[tokio::test]
async fn a_closed_case_shows_its_clients_a_notice_and_nothing_else() {
    let t = table("closed").await;
    let db = &t.server.db;
    t.open_exchange().await;
    exchange::save_pact(db, t.a, "ROW-CLOSED-SHARED", true, false, false, Utc::now()).await.unwrap();
    cases::set_status(db, t.owner, t.case_id, CaseStatus::Closed, Utc::now()).await.unwrap();
    for (email, old_session) in [("aurelio@example.org", &t.a_client), ("bettina@example.org", &t.b_client)] {
        assert_eq!(call(old_session, &t.server.base, "client/home", &[]).await.0, 401, "signed out");
        let again = signed_in(&t.server.base, email).await;
        let (_, home) = call(&again, &t.server.base, "client/home", &[]).await;
        assert!(home.contains("closed this work"), "{home}");
        let html = page(&again, &t.server.base, "/homework").await.1;
        assert!(html.contains("closed this work") && html.contains("Download your own writing"));
        assert_eq!(call(&again, &t.server.base, "exchange/pact", &[]).await.0, 403);
        let note = [("body", "After the end".to_owned())];
        assert_eq!(call(&again, &t.server.base, "notes/send", &note).await.0, 200);
    }
}

#[tokio::test]
async fn the_therapists_reply_to_a_note_reaches_only_its_writer() {
    let t = table("reply").await;
    let db = &t.server.db;
    exchange::send_private_note(db, t.a, "A note", false, Utc::now()).await.unwrap();
    let note = app::entities::private_notes::Entity::find().one(db).await.unwrap().unwrap();
    exchange::reply_to_private_note(db, t.owner, note.id, "ROW-REPLY", Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-REPLY").await, T_A);
}

#[tokio::test]
async fn an_urgent_note_is_marked_for_the_therapist_and_hidden_from_the_other_partner() {
    let t = table("urgent").await;
    exchange::send_private_note(&t.server.db, t.a, "ROW-URGENT-NOTE", true, Utc::now()).await.unwrap();
    assert_eq!(t.who_sees("ROW-URGENT-NOTE").await, T_A);
    // The caseload shows the therapist an urgent note; nobody else's view says "urgent".
    let (_, caseload) = call(&t.t_client, &t.server.base, "cases/caseload", &caseload_form()).await;
    assert!(caseload.to_lowercase().contains("urgent"), "{caseload}");
    let (_, b_home) = call(&t.b_client, &t.server.base, "client/home", &[]).await;
    assert!(!b_home.to_lowercase().contains("\"urgent\":true"), "{b_home}");
}
