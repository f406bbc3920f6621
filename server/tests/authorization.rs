//! Every server function of the caseload, case pages, invitations and outbox, called by each
//! kind of actor: anonymous (401), another therapist (404 for the owner's records), the
//! owner (2xx), a client of the case and a client of another case (403). Never 2xx with
//! someone else's data, never 500.

use app::services::{
    accounts::{self, TherapistSignUp},
    cases::{self, CaseDraft, PartnerFields},
    invitations, Actor,
};
use chrono::Utc;
use reqwest::{header, Client, StatusCode};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use server::config::Config;
use std::collections::HashMap;

const PASSWORD: &str = "a calm and quiet river";

/// One test server per process at a time (see `server/tests/http.rs`).
static ONE_SERVER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct World {
    _one_at_a_time: tokio::sync::MutexGuard<'static, ()>,
    base: String,
    db: DatabaseConnection,
    owner: Actor,
    client: Actor,
    owner_case: i32,
    owner_partner: i32,
    owner_email_id: i32,
    actors: Vec<(&'static str, Client)>,
}

async fn therapist(db: &DatabaseConnection, email: &str) -> Actor {
    let form = TherapistSignUp::parse("Dr Therapist", email, PASSWORD).unwrap();
    accounts::sign_up_therapist(db, form, Utc::now()).await.unwrap()
}

/// A case of `owner` whose first partner (`client_email`) has joined; returns (case, other
/// partner, the client who joined).
async fn case_with_client(
    db: &DatabaseConnection,
    owner: Actor,
    label: &str,
    client_email: &str,
    other_email: &str,
) -> (i32, i32, Actor) {
    let fields =
        |first_name, email| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks: "unsure" };
    let draft =
        CaseDraft::parse(label, "no_secrets", fields("Alex", client_email), fields("Sam", other_email))
            .unwrap();
    let case_id = cases::create_case(db, owner, draft, Utc::now()).await.unwrap();
    let partners = app::services::access::partners_of(db, case_id).await.unwrap();
    invitations::invite(db, owner, case_id, partners[0].id, Utc::now()).await.unwrap();
    let invitation = app::entities::invitations::Entity::find()
        .filter(app::entities::invitations::Column::PartnerId.eq(partners[0].id))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let token = invitations::mint_token(db, invitation.id, Utc::now()).await.unwrap().unwrap();
    let client = invitations::accept_with_new_account(db, &token, PASSWORD, true, Utc::now()).await.unwrap();
    (case_id, partners[1].id, client)
}

async fn signed_in(base: &str, email: &str) -> Client {
    let client = Client::builder().cookie_store(true).build().unwrap();
    let response = client
        .post(format!("{base}/api/auth/sign_in"))
        .header(header::ORIGIN, base)
        .form(&[("email", email), ("password", PASSWORD), ("next", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "sign in {email}");
    client
}

async fn world(name: &str) -> World {
    let one_at_a_time = ONE_SERVER.lock().await;
    let path = std::env::temp_dir().join(format!("bs_authz_{}_{name}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
    let vars = HashMap::from([("DATABASE_URL".to_owned(), format!("sqlite://{}", path.display()))]);
    let config = Config::from_vars(&vars).unwrap();
    let db = server::open_database(&config).await.unwrap();
    let owner = therapist(&db, "owner@example.org").await;
    let other = therapist(&db, "other@example.org").await;
    let (owner_case, owner_partner, client) =
        case_with_client(&db, owner, "Owner's couple", "client@example.org", "partner@example.org").await;
    case_with_client(&db, other, "Other couple", "foreign@example.org", "foreign2@example.org").await;
    invitations::invite(&db, owner, owner_case, owner_partner, Utc::now()).await.unwrap();
    let owner_email_id = app::entities::outbox_emails::Entity::find()
        .filter(app::entities::outbox_emails::Column::PartnerId.eq(owner_partner))
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .id;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = server::router(&config, server::app_state(&config, db.clone()));
    tokio::spawn(server::serve(listener, app, std::future::pending()));
    let actors = vec![
        ("anonymous", Client::new()),
        ("other therapist", signed_in(&base, "other@example.org").await),
        ("owner", signed_in(&base, "owner@example.org").await),
        ("client of the case", signed_in(&base, "client@example.org").await),
        ("client of another case", signed_in(&base, "foreign@example.org").await),
    ];
    World {
        _one_at_a_time: one_at_a_time,
        base,
        db,
        owner,
        client,
        owner_case,
        owner_partner,
        owner_email_id,
        actors,
    }
}

fn case_form(case_id: Option<i32>) -> Vec<(&'static str, String)> {
    let mut form: Vec<(&'static str, String)> = vec![
        ("label", "Renamed".into()),
        ("confidentiality_policy", "no_secrets".into()),
        ("a_first_name", "Alex".into()),
        ("a_last_name", String::new()),
        ("a_email", "client@example.org".into()),
        ("a_pronouns", String::new()),
        ("a_seeks", "unsure".into()),
        ("b_first_name", "Sam".into()),
        ("b_last_name", String::new()),
        ("b_email", "partner@example.org".into()),
        ("b_pronouns", String::new()),
        ("b_seeks", "unsure".into()),
    ];
    if let Some(id) = case_id {
        form.insert(0, ("case_id", id.to_string()));
    }
    form
}

/// What each actor must get: anonymous, other therapist, owner, client of case, client of another.
type Expected = [u16; 5];

/// One server function called with one form, and what each actor must get.
type Call = (&'static str, Vec<(&'static str, String)>, Expected);

#[tokio::test]
async fn every_case_function_answers_each_actor_correctly() {
    let world = world("matrix").await;
    let case = world.owner_case.to_string();
    let partner = world.owner_partner.to_string();
    let email = world.owner_email_id.to_string();
    let calls: Vec<Call> = vec![
        (
            "cases/caseload",
            vec![("search", "".into()), ("status", "".into()), ("sort", "".into()), ("page", "1".into())],
            [401, 200, 200, 403, 403],
        ),
        ("cases/get", vec![("case_id", case.clone())], [401, 404, 200, 403, 403]),
        ("cases/page", vec![("case_id", case.clone())], [401, 404, 200, 403, 403]),
        ("cases/notes", vec![("case_id", case.clone()), ("notes", "seen".into())], [401, 404, 200, 403, 403]),
        ("cases/save", case_form(Some(world.owner_case)), [401, 404, 200, 403, 403]),
        ("cases/save", case_form(None), [401, 200, 200, 403, 403]),
        (
            "invitations/send",
            vec![("case_id", case.clone()), ("partner_id", partner.clone())],
            [401, 404, 200, 403, 403],
        ),
        ("outbox/list", vec![], [401, 200, 200, 403, 403]),
        ("outbox/reveal_link", vec![("email_id", email.clone())], [401, 404, 409, 403, 403]),
        (
            "invitations/revoke",
            vec![("case_id", case.clone()), ("partner_id", partner.clone())],
            [401, 404, 200, 403, 403],
        ),
        (
            "cases/status",
            vec![("case_id", case.clone()), ("status", "paused".into())],
            [401, 404, 200, 403, 403],
        ),
        ("client/home", vec![], [401, 403, 403, 200, 200]),
        ("settings/get", vec![], [401, 200, 200, 200, 200]),
        (
            "settings/save",
            vec![
                ("display_name", "Dr Therapist".into()),
                ("time_zone", "Europe/London".into()),
                ("digest", "daily".into()),
                ("reminders", "on".into()),
                ("crisis_line", "In an emergency call 112 (EU) or 988 (US)".into()),
                ("reply_within_days", "3".into()),
            ],
            [401, 200, 200, 403, 403],
        ),
        (
            "settings/save",
            vec![
                ("display_name", "Dr Therapist".into()),
                ("time_zone", "Europe/London".into()),
                ("digest", "daily".into()),
                ("reply_within_days", "15".into()),
            ],
            [401, 422, 422, 403, 403],
        ),
        ("settings/reminders", vec![("on", "false".into())], [401, 200, 200, 200, 200]),
        (
            "messages/send",
            vec![
                ("case_id", case.clone()),
                ("recipients", "both".into()),
                ("subject", "Hello {first_name}".into()),
                ("body", "Checking in.".into()),
            ],
            [401, 404, 200, 403, 403],
        ),
        (
            "messages/send",
            vec![
                ("case_id", case.clone()),
                ("recipients", "both".into()),
                ("subject", "Hello".into()),
                ("body", "Hi {nickname}".into()),
            ],
            [401, 404, 422, 403, 403],
        ),
        (
            "messages/save_template",
            vec![("name", "Mine".into()), ("subject", "Hi".into()), ("body", "Hello {first_name}".into())],
            [401, 200, 200, 403, 403],
        ),
        ("consult/lookup", vec![("token", "1-forged".into())], [404, 404, 404, 404, 404]),
        ("consult/choose", vec![("token", "1-forged".into())], [404, 404, 404, 404, 404]),
        ("settings/time_zone", vec![("time_zone", "Europe/London".into())], [401, 200, 200, 200, 200]),
        ("settings/time_zone", vec![("time_zone", "Nowhere/Else".into())], [401, 422, 422, 422, 422]),
        ("invitations/lookup", vec![("token", "not-a-real-token".into())], [200, 200, 200, 200, 200]),
        (
            "invitations/accept",
            vec![("token", "not-a-real-token".into()), ("agree", "yes".into())],
            [409, 409, 409, 409, 409],
        ),
    ];
    check_calls(&world, calls, "Owner's couple").await;
}

/// Calls each endpoint as each actor and checks the status and that `secret` reaches only
/// the owner and the client of the case.
async fn check_calls(world: &World, calls: Vec<Call>, secret: &str) {
    for (endpoint, form, expected) in calls {
        for ((actor, client), want) in world.actors.iter().zip(expected) {
            let response = client
                .post(format!("{}/api/{endpoint}", world.base))
                .header(header::ORIGIN, &world.base)
                .header(header::ACCEPT, "application/json")
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            assert_eq!(status, want, "{endpoint} as {actor}: {body}");
            // Nobody but the owner (and, for their own writing, the client) sees it.
            if *actor != "owner" && !(secret != "Owner's couple" && *actor == "client of the case") {
                assert!(
                    !body.contains(secret) && !body.contains("Renamed"),
                    "{endpoint} leaked to {actor}: {body}"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_homework_function_answers_each_actor_correctly() {
    use app::{
        entities::{assignments, responses},
        services::homework::{self, SaveIntent},
    };
    let world = world("homework").await;
    let db = &world.db;
    homework::assign_programme(db, world.owner, world.owner_case, None, "", true, Utc::now()).await.unwrap();
    let steps = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(world.owner_case))
        .all(db)
        .await
        .unwrap();
    let step = |n: i16| steps.iter().find(|a| a.step_number == Some(n)).unwrap().id.to_string();
    let (step1, step2) = (step(1), step(2));
    let answers = [
        ("emotional_meaning", "CLIENT-SECRET emotional"),
        ("physical_meaning", "CLIENT-SECRET physical"),
        ("behaviours", "CLIENT-SECRET one\nCLIENT-SECRET two"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let assignment: i32 = step1.parse().unwrap();
    homework::save_answers(db, world.client, assignment, 0, &answers, SaveIntent::Submit, Utc::now())
        .await
        .unwrap();
    let response = responses::Entity::find()
        .filter(responses::Column::AssignmentId.eq(assignment))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let case = world.owner_case.to_string();
    let exercise = app::domain::baby_steps::programme().steps.remove(1);
    let template = app::services::templates::save(db, world.owner, None, &exercise, Utc::now())
        .await
        .unwrap()
        .to_string();
    let exercise_json = serde_json::to_string(&exercise).unwrap();
    let calls: Vec<Call> = vec![
        ("templates/list", vec![], [401, 200, 200, 403, 403]),
        ("templates/get", vec![("template_id", template.clone())], [401, 404, 200, 403, 403]),
        (
            "templates/save",
            vec![("template_id", template.clone()), ("content", exercise_json.clone())],
            [401, 404, 200, 403, 403],
        ),
        ("templates/duplicate", vec![("template_id", template.clone())], [401, 404, 200, 403, 403]),
        (
            "templates/archive",
            vec![("template_id", template.clone()), ("archived", "false".into())],
            [401, 404, 200, 403, 403],
        ),
        (
            "homework/assign_exercise",
            vec![
                ("case_id", case.clone()),
                ("template_id", template.clone()),
                ("recipients", "both".into()),
                ("due_on", "".into()),
                ("note", "".into()),
            ],
            [401, 404, 200, 403, 403],
        ),
        ("homework/mine", vec![], [401, 403, 403, 200, 200]),
        ("homework/sheet", vec![("assignment_id", step1.clone())], [401, 403, 403, 200, 404]),
        (
            "homework/save",
            vec![
                ("assignment_id", step1.clone()),
                ("revision", "1".into()),
                ("intent", "draft".into()),
                ("answers[emotional_meaning]", "changed".into()),
            ],
            [401, 403, 403, 409, 404],
        ),
        ("homework/share", vec![("assignment_id", step1.clone())], [401, 403, 403, 200, 404]),
        (
            "homework/assign_programme",
            vec![
                ("case_id", case.clone()),
                ("due_on", "".into()),
                ("note", "".into()),
                ("screened", "yes".into()),
            ],
            [401, 404, 409, 403, 403],
        ),
        (
            "homework/assign_programme",
            vec![("case_id", case.clone()), ("due_on", "".into()), ("note", "".into())],
            [401, 404, 422, 403, 403],
        ),
        ("homework/unlock", vec![("assignment_id", step2.clone())], [401, 404, 200, 403, 403]),
        ("homework/review", vec![("assignment_id", step1.clone())], [401, 404, 200, 403, 403]),
        (
            "homework/comment",
            vec![
                ("response_id", response.clone()),
                ("question_key", "".into()),
                ("body", "Well done".into()),
            ],
            [401, 404, 200, 403, 403],
        ),
        (
            "homework/reviewed",
            vec![("response_id", response.clone()), ("reviewed", "true".into())],
            [401, 404, 200, 403, 403],
        ),
    ];
    check_calls(&world, calls, "CLIENT-SECRET").await;

    // Steps 3 to 5 and private notes (the client's step 1 list became wishes on submit).
    let wish = app::entities::wishes::Entity::find()
        .filter(app::entities::wishes::Column::CaseId.eq(world.owner_case))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    // The server checks check-in weeks against its own clock. Two and three weeks back stay
    // within the four weeks it accepts even if a new week starts while this test runs.
    let now = Utc::now();
    let monday = app::services::clock::week_start(now.date_naive()) - chrono::Duration::weeks(2);
    // The client's private writing, written directly; the calls below write neutral text.
    {
        use app::services::exchange;
        exchange::add_wish(db, world.client, "CLIENT-SECRET wish", "everyday", 2, now).await.unwrap();
        let form = exchange::CheckInForm {
            week_start: monday - chrono::Duration::weeks(1),
            my_part: "done".into(),
            noticed: "done".into(),
            emotional: 5,
            physical: 5,
            note: "CLIENT-SECRET check-in".into(),
        };
        exchange::save_check_in(db, world.client, form, now).await.unwrap();
        exchange::send_private_note(db, world.client, "CLIENT-SECRET note", true, now).await.unwrap();
    }
    // The therapist's reply to that note is the client's and the therapist's alone too.
    let note = app::entities::private_notes::Entity::find()
        .filter(app::entities::private_notes::Column::CaseId.eq(world.owner_case))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id;
    app::services::exchange::reply_to_private_note(db, world.owner, note, "CLIENT-SECRET reply", now)
        .await
        .unwrap();
    let note = note.to_string();
    let monday = monday.to_string();
    let client_only = [401, 403, 403, 200, 200];
    let calls: Vec<Call> = vec![
        ("exchange/board", vec![], client_only),
        (
            "exchange/add_wish",
            vec![("text", "Walk together".into()), ("kind", "everyday".into()), ("importance", "2".into())],
            client_only,
        ),
        (
            "exchange/act",
            vec![("wish_id", wish.clone()), ("version", "1".into()), ("action", "withdraw".into())],
            [401, 403, 403, 200, 404],
        ),
        (
            "exchange/retag",
            vec![
                ("wish_id", wish.clone()),
                ("version", "2".into()),
                ("kind", "physical".into()),
                ("importance", "3".into()),
            ],
            [401, 403, 403, 409, 404],
        ),
        (
            "exchange/choose",
            vec![
                ("agreement_id", "999999".into()),
                ("chosen", "true".into()),
                ("times_per_week", "2".into()),
            ],
            [401, 403, 403, 404, 404],
        ),
        (
            "exchange/check_in",
            vec![
                ("week_start", monday.clone()),
                ("my_part", "done".into()),
                ("noticed", "partly".into()),
                ("emotional", "6".into()),
                ("physical", "5".into()),
                ("note", "A good week".into()),
            ],
            client_only,
        ),
        ("exchange/practice", vec![], client_only),
        ("exchange/share_ratings", vec![("share", "true".into())], client_only),
        ("exchange/save_pact", vec![("letting_go", "Old arguments".into())], client_only),
        ("exchange/pact", vec![], client_only),
        ("notes/send", vec![("body", "Hello".into())], client_only),
        ("notes/send", vec![("body", "Hello".into()), ("urgent", "yes".into())], client_only),
        ("notes/mine", vec![], client_only),
        ("notes/read", vec![("note_id", note.clone())], [401, 404, 200, 403, 403]),
        ("notes/read", vec![("note_id", "999999".into())], [401, 404, 404, 403, 403]),
        (
            "notes/reply",
            vec![("note_id", note.clone()), ("body", "Thank you for writing".into())],
            [401, 404, 200, 403, 403],
        ),
        ("notes/reply", vec![("note_id", note.clone()), ("body", " ".into())], [401, 404, 422, 403, 403]),
        ("notes/replies_read", vec![("note_id", note.clone())], [401, 403, 403, 200, 404]),
    ];
    check_calls(&world, calls, "CLIENT-SECRET").await;
}

#[tokio::test]
async fn a_client_never_receives_therapist_notes() {
    let world = world("notes").await;
    let owner = &world.actors[2].1;
    let form = [("case_id", world.owner_case.to_string()), ("notes", "CONFIDENTIAL-NOTE".to_owned())];
    let saved = owner
        .post(format!("{}/api/cases/notes", world.base))
        .header(header::ORIGIN, &world.base)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    let client = &world.actors[3].1;
    for endpoint in ["client/home", "auth/me"] {
        let body = client
            .post(format!("{}/api/{endpoint}", world.base))
            .header(header::ORIGIN, &world.base)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!body.contains("CONFIDENTIAL-NOTE"), "{endpoint}: {body}");
    }
    let page = client
        .get(format!("{}/homework", world.base))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Alex") && !page.contains("CONFIDENTIAL-NOTE"));
}
