//! Every server function, called by each of six actors: anonymous (401), another therapist
//! (404 for the owner's records), the owner (2xx), partner A of the case (who wrote the
//! private text), partner B of the same case (the other partner), and a client of another
//! case (403/404). Never 2xx with someone else's data, never 500; a marker in A's private
//! writing reaches only the owner and A, through any endpoint, page or email.

use crate::support;

use app::services::Actor;
use chrono::Utc;
use reqwest::{header, Client, StatusCode};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use support::{case_with_clients, signed_in, start_server, therapist, TestServer, PASSWORD};

/// The six actors, in the order of [`Expected`].
const ACTORS: [&str; 6] =
    ["anonymous", "other therapist", "owner", "partner A", "partner B", "client of another case"];

struct World {
    _server: TestServer,
    base: String,
    db: DatabaseConnection,
    owner: Actor,
    /// Partner A of the owner's case (writes the private text).
    a: Actor,
    /// Partner B of the same case.
    b: Actor,
    owner_case: i32,
    /// A second case of the owner's whose partner is invited but has not joined.
    pending_case: i32,
    pending_partner: i32,
    pending_email_id: i32,
    actors: Vec<(&'static str, Client)>,
}

async fn world(name: &str) -> World {
    let server = start_server(&format!("authz_{name}")).await;
    let (db, base) = (server.db.clone(), server.base.clone());
    let owner = therapist(&db, "owner@example.org").await;
    let other = therapist(&db, "other@example.org").await;
    let (names, couple) = (["Alex", "Sam"], ["client@example.org", "partner@example.org"]);
    let (owner_case, _, clients) =
        case_with_clients(&db, owner, "Owner's couple", names, couple, &couple).await;
    let pending = ["pending.a@example.org", "pending.b@example.org"];
    let (pending_case, pending_partners, _) =
        case_with_clients(&db, owner, "Owner's waiting pair", names, pending, &[]).await;
    let foreign = ["foreign@example.org", "foreign2@example.org"];
    case_with_clients(&db, other, "Other couple", names, foreign, &foreign[..1]).await;
    let pending_email_id = app::entities::outbox_emails::Entity::find()
        .filter(app::entities::outbox_emails::Column::PartnerId.eq(pending_partners[1]))
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let actors = vec![
        (ACTORS[0], Client::new()),
        (ACTORS[1], signed_in(&base, "other@example.org").await),
        (ACTORS[2], signed_in(&base, "owner@example.org").await),
        (ACTORS[3], signed_in(&base, "client@example.org").await),
        (ACTORS[4], signed_in(&base, "partner@example.org").await),
        (ACTORS[5], signed_in(&base, "foreign@example.org").await),
    ];
    World {
        _server: server,
        base,
        db,
        owner,
        a: clients[0],
        b: clients[1],
        owner_case,
        pending_case,
        pending_partner: pending_partners[1],
        pending_email_id,
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

/// An audit view's form: no filter, page 1, and the case for a case's view.
fn audit_filter(case_id: Option<i32>) -> Vec<(&'static str, String)> {
    let mut form: Vec<(&'static str, String)> =
        ["partner", "action", "from", "to"].into_iter().map(|name| (name, String::new())).collect();
    form.push(("page", "1".into()));
    if let Some(id) = case_id {
        form.insert(0, ("case_id", id.to_string()));
    }
    form
}

/// What each actor of [`ACTORS`] must get.
type Expected = [u16; 6];

/// One server function called with one form, and what each actor must get.
type Call = (&'static str, Vec<(&'static str, String)>, Expected);

#[tokio::test]
async fn every_case_function_answers_each_actor_correctly() {
    let world = world("matrix").await;
    let case = world.owner_case.to_string();
    let pending_case = world.pending_case.to_string();
    let partner = world.pending_partner.to_string();
    let email = world.pending_email_id.to_string();
    let calls: Vec<Call> = vec![
        (
            "cases/caseload",
            vec![("search", "".into()), ("status", "".into()), ("sort", "".into()), ("page", "1".into())],
            [401, 200, 200, 403, 403, 403],
        ),
        // Before "cases/save" below makes the other therapist a case named "Renamed" (which
        // their own records may show).
        ("audit/case", audit_filter(Some(world.owner_case)), [401, 404, 200, 403, 403, 403]),
        ("audit/account", audit_filter(None), [401, 200, 200, 403, 403, 403]),
        ("audit/writing_opened", vec![], [401, 403, 403, 200, 200, 200]),
        ("cases/get", vec![("case_id", case.clone())], [401, 404, 200, 403, 403, 403]),
        ("cases/page", vec![("case_id", case.clone())], [401, 404, 200, 403, 403, 403]),
        // Each tab of the case page, and a tab that does not exist.
        (
            "cases/page",
            vec![("case_id", case.clone()), ("tab", "homework".into())],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "cases/page",
            vec![("case_id", case.clone()), ("tab", "together".into())],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "cases/page",
            vec![("case_id", case.clone()), ("tab", "notes".into())],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "cases/page",
            vec![("case_id", case.clone()), ("tab", "messages".into())],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "cases/page",
            vec![("case_id", case.clone()), ("tab", "edit".into())],
            [401, 422, 422, 422, 422, 422],
        ),
        (
            "cases/notes",
            vec![("case_id", case.clone()), ("notes", "seen".into())],
            [401, 404, 200, 403, 403, 403],
        ),
        ("cases/save", case_form(Some(world.owner_case)), [401, 404, 200, 403, 403, 403]),
        ("cases/save", case_form(None), [401, 200, 200, 403, 403, 403]),
        (
            "invitations/send",
            vec![("case_id", pending_case.clone()), ("partner_id", partner.clone())],
            [401, 404, 200, 403, 403, 403],
        ),
        ("outbox/list", vec![], [401, 200, 200, 403, 403, 403]),
        ("outbox/reveal_link", vec![("email_id", email.clone())], [401, 404, 409, 403, 403, 403]),
        (
            "invitations/revoke",
            vec![("case_id", pending_case.clone()), ("partner_id", partner.clone())],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "cases/status",
            vec![("case_id", case.clone()), ("status", "paused".into())],
            [401, 404, 200, 403, 403, 403],
        ),
        ("client/home", vec![], [401, 403, 403, 200, 200, 200]),
        ("client/homework_page", vec![], [401, 403, 403, 200, 200, 200]),
        ("settings/get", vec![], [401, 200, 200, 200, 200, 200]),
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
            [401, 200, 200, 403, 403, 403],
        ),
        (
            "settings/save",
            vec![
                ("display_name", "Dr Therapist".into()),
                ("time_zone", "Europe/London".into()),
                ("digest", "daily".into()),
                ("reply_within_days", "15".into()),
            ],
            [401, 422, 422, 403, 403, 403],
        ),
        ("settings/reminders", vec![("on", "false".into())], [401, 200, 200, 200, 200, 200]),
        (
            "messages/send",
            vec![
                ("case_id", case.clone()),
                ("recipients", "both".into()),
                ("subject", "Hello {first_name}".into()),
                ("body", "Checking in.".into()),
            ],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "messages/send",
            vec![
                ("case_id", case.clone()),
                ("recipients", "both".into()),
                ("subject", "Hello".into()),
                ("body", "Hi {nickname}".into()),
            ],
            [401, 404, 422, 403, 403, 403],
        ),
        (
            "messages/save_template",
            vec![("name", "Mine".into()), ("subject", "Hi".into()), ("body", "Hello {first_name}".into())],
            [401, 200, 200, 403, 403, 403],
        ),
        ("consult/lookup", vec![("token", "1-forged".into())], [404, 404, 404, 404, 404, 404]),
        ("consult/choose", vec![("token", "1-forged".into())], [404, 404, 404, 404, 404, 404]),
        ("settings/time_zone", vec![("time_zone", "Europe/London".into())], [401, 200, 200, 200, 200, 200]),
        ("settings/time_zone", vec![("time_zone", "Nowhere/Else".into())], [401, 422, 422, 422, 422, 422]),
        ("invitations/lookup", vec![("token", "not-a-real-token".into())], [200, 200, 200, 200, 200, 200]),
        (
            "invitations/accept",
            vec![("token", "not-a-real-token".into()), ("agree", "yes".into())],
            [409, 409, 409, 409, 409, 409],
        ),
        ("client/my_writing", vec![], [401, 403, 403, 200, 200, 200]),
        (
            "cases/remove_partner",
            vec![("case_id", pending_case.clone()), ("partner_id", partner.clone())],
            [401, 404, 200, 403, 403, 403],
        ),
        ("settings/retention", vec![("retention_years", "7".into())], [401, 200, 200, 403, 403, 403]),
        ("settings/retention", vec![("retention_years", "0".into())], [401, 422, 422, 403, 403, 403]),
        (
            "cases/erase",
            vec![("case_id", pending_case.clone()), ("scope", partner.clone())],
            [401, 404, 422, 403, 403, 403],
        ),
        // Last: it erases the waiting pair's second partner.
        (
            "cases/erase",
            vec![("case_id", pending_case.clone()), ("scope", partner.clone()), ("understood", "yes".into())],
            [401, 404, 200, 403, 403, 403],
        ),
    ];
    check_calls(&world, calls, "Owner's couple", &["owner"]).await;
}

/// What's new: only a therapist reads their own list and marks their own items done.
#[tokio::test]
async fn whats_new_answers_each_actor_correctly() {
    let world = world("whats_new").await;
    app::services::exchange::send_private_note(
        &world.db,
        world.a,
        "A note to the therapist",
        false,
        Utc::now(),
    )
    .await
    .unwrap();
    let note = app::entities::private_notes::Entity::find()
        .filter(app::entities::private_notes::Column::CaseId.eq(world.owner_case))
        .one(&world.db)
        .await
        .unwrap()
        .unwrap();
    let calls: Vec<Call> = vec![
        ("whats_new/list", vec![], [401, 200, 200, 403, 403, 403]),
        (
            "whats_new/done",
            vec![
                ("kind", "private_note".into()),
                ("record_id", note.id.to_string()),
                ("version", "0".into()),
            ],
            [401, 404, 200, 403, 403, 403],
        ),
        ("whats_new/done_all", vec![], [401, 200, 200, 403, 403, 403]),
    ];
    check_calls(&world, calls, "Owner's couple", &["owner"]).await;
}

/// Calls each endpoint as each actor and checks the status, and that `secret` reaches only
/// the actors in `may_see`.
async fn check_calls(world: &World, calls: Vec<Call>, secret: &str, may_see: &[&str]) {
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
            if !may_see.contains(actor) {
                assert!(
                    !body.contains(secret) && !body.contains("Renamed"),
                    "{endpoint} leaked to {actor}: {body}"
                );
            }
        }
    }
}

/// The sample practice: adding and removing touch only the caller's own samples; "View as"
/// answers only the owner, and only for a sample case (a real case is forbidden).
#[tokio::test]
async fn every_sample_function_answers_each_actor_correctly() {
    use app::services::{access::partners_of, sample};
    let world = world("sample").await;
    sample::add_sample_couples(&world.db, world.owner, Utc::now()).await.unwrap();
    let sample_case = app::entities::cases::Entity::find()
        .filter(app::entities::cases::Column::TherapistId.eq(world.owner.user_id))
        .filter(app::entities::cases::Column::IsSample.eq(true))
        .one(&world.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let sample_partner = partners_of(&world.db, sample_case).await.unwrap()[0].id;
    let real_partner = partners_of(&world.db, world.owner_case).await.unwrap()[0].id;
    let view_as =
        |case: i32, partner: i32| vec![("case_id", case.to_string()), ("partner_id", partner.to_string())];
    let calls: Vec<Call> = vec![
        ("sample/view_as", view_as(sample_case, sample_partner), [401, 404, 200, 403, 403, 403]),
        // Never for a real client, not even the owner's.
        ("sample/view_as", view_as(world.owner_case, real_partner), [401, 404, 403, 403, 403, 403]),
        ("sample/view_as", view_as(sample_case, real_partner), [401, 404, 404, 403, 403, 403]),
        // The owner has theirs already; the other therapist gets their own.
        ("sample/add", vec![], [401, 200, 409, 403, 403, 403]),
        ("sample/remove", vec![], [401, 200, 200, 403, 403, 403]),
        ("sample/view_as", view_as(sample_case, sample_partner), [401, 404, 404, 403, 403, 403]),
    ];
    check_calls(&world, calls, "Owner's couple", &["owner"]).await;
}

#[tokio::test]
async fn every_homework_function_answers_each_actor_correctly() {
    use app::{
        entities::{assignments, responses},
        services::homework::{self, SaveIntent},
    };
    let world = world("homework").await;
    let db = &world.db;
    homework::assign_programme(
        db,
        world.owner,
        world.owner_case,
        homework::ProgrammeChoice::whole(None, ""),
        Utc::now(),
    )
    .await
    .unwrap();
    let steps = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(world.owner_case))
        .all(db)
        .await
        .unwrap();
    let step = |n: i16| steps.iter().find(|a| a.step_number == Some(n)).unwrap().id.to_string();
    let (step1, step2, step5) = (step(1), step(2), step(5));
    let answers = [
        ("emotional_meaning", "CLIENT-SECRET emotional"),
        ("physical_meaning", "CLIENT-SECRET physical"),
        ("behaviours", "CLIENT-SECRET one\nCLIENT-SECRET two"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let assignment: i32 = step1.parse().unwrap();
    homework::save_answers(db, world.a, assignment, 0, &answers, SaveIntent::Submit, Utc::now())
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
        ("templates/list", vec![], [401, 200, 200, 403, 403, 403]),
        ("templates/get", vec![("template_id", template.clone())], [401, 404, 200, 403, 403, 403]),
        (
            "templates/save",
            vec![("template_id", template.clone()), ("content", exercise_json.clone())],
            [401, 404, 200, 403, 403, 403],
        ),
        ("templates/duplicate", vec![("template_id", template.clone())], [401, 404, 200, 403, 403, 403]),
        (
            "templates/archive",
            vec![("template_id", template.clone()), ("archived", "false".into())],
            [401, 404, 200, 403, 403, 403],
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
            [401, 404, 200, 403, 403, 403],
        ),
        ("homework/mine", vec![], [401, 403, 403, 200, 200, 200]),
        ("homework/sheet", vec![("assignment_id", step1.clone())], [401, 403, 403, 200, 200, 404]),
        (
            "homework/save",
            vec![
                ("assignment_id", step1.clone()),
                ("revision", "1".into()),
                ("intent", "draft".into()),
                ("answers[emotional_meaning]", "changed".into()),
            ],
            [401, 403, 403, 409, 409, 404],
        ),
        ("homework/share", vec![("assignment_id", step1.clone())], [401, 403, 403, 200, 404, 404]),
        ("homework/comments_read", vec![("assignment_id", step1.clone())], [401, 403, 403, 200, 404, 404]),
        (
            "homework/assign_programme",
            vec![
                ("case_id", case.clone()),
                ("due_on", "".into()),
                ("note", "".into()),
                ("screened", "yes".into()),
            ],
            [401, 404, 409, 403, 403, 403],
        ),
        (
            "homework/assign_programme",
            vec![("case_id", case.clone()), ("due_on", "".into()), ("note", "".into())],
            [401, 404, 422, 403, 403, 403],
        ),
        ("homework/unlock", vec![("assignment_id", step2.clone())], [401, 404, 200, 403, 403, 403]),
        (
            "homework/plan_step",
            vec![("assignment_id", step2.clone()), ("due_on", "".into()), ("note", "Take your time.".into())],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "homework/skip_step",
            vec![("assignment_id", step5), ("reason", "We will talk it through in the session.".into())],
            [401, 404, 200, 403, 403, 403],
        ),
        ("homework/review", vec![("assignment_id", step1.clone())], [401, 404, 200, 403, 403, 403]),
        (
            "homework/comment",
            vec![
                ("response_id", response.clone()),
                ("question_key", "".into()),
                ("body", "Well done".into()),
            ],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "homework/reviewed",
            vec![("response_id", response.clone()), ("reviewed", "true".into())],
            [401, 404, 200, 403, 403, 403],
        ),
    ];
    check_calls(&world, calls, "CLIENT-SECRET", &["owner", "partner A"]).await;

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
    // The therapist opens steps 3 to 5 early, so the exchange's moves are allowed.
    for number in 3..=5 {
        app::services::homework::unlock_early(db, world.owner, step(number).parse().unwrap(), now)
            .await
            .unwrap();
    }
    // The client's private writing, written directly; the calls below write neutral text.
    {
        use app::services::exchange;
        exchange::add_wish(db, world.a, "CLIENT-SECRET wish", "everyday", 2, now).await.unwrap();
        let form = exchange::CheckInForm {
            week_start: monday - chrono::Duration::weeks(1),
            my_part: "done".into(),
            noticed: "done".into(),
            emotional: 5,
            physical: 5,
            note: "CLIENT-SECRET check-in".into(),
        };
        exchange::save_check_in(db, world.a, form, now).await.unwrap();
        exchange::send_private_note(db, world.a, "CLIENT-SECRET note", true, now).await.unwrap();
        // Partner A asks for one more conversation, for the therapist to mark as held.
        exchange::save_pact(db, world.a, "CLIENT-SECRET letting go", false, true, false, now).await.unwrap();
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
    let partner_a = app::services::access::partners_of(db, world.owner_case).await.unwrap()[0].id.to_string();
    let client_only = [401, 403, 403, 200, 200, 200];
    // A move of steps 3 to 5: the client of another case makes it in their own case, whose
    // steps are not open, and is told what comes first (409).
    let open_steps_only = [401, 403, 403, 200, 200, 409];
    let calls: Vec<Call> = vec![
        (
            "exchange/clear_flag",
            vec![("case_id", world.owner_case.to_string()), ("partner_id", partner_a.clone())],
            [401, 404, 200, 403, 403, 403],
        ),
        ("exchange/board", vec![], client_only),
        (
            "exchange/add_wish",
            vec![("text", "Walk together".into()), ("kind", "everyday".into()), ("importance", "2".into())],
            open_steps_only,
        ),
        (
            "exchange/act",
            vec![("wish_id", wish.clone()), ("version", "1".into()), ("action", "withdraw".into())],
            [401, 403, 403, 200, 404, 404],
        ),
        (
            "exchange/retag",
            vec![
                ("wish_id", wish.clone()),
                ("version", "2".into()),
                ("kind", "physical".into()),
                ("importance", "3".into()),
            ],
            [401, 403, 403, 409, 409, 404],
        ),
        (
            "exchange/choose",
            vec![
                ("agreement_id", "999999".into()),
                ("chosen", "true".into()),
                ("times_per_week", "2".into()),
            ],
            [401, 403, 403, 404, 404, 404],
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
            open_steps_only,
        ),
        ("exchange/practice", vec![], client_only),
        ("exchange/share_ratings", vec![("share", "true".into())], open_steps_only),
        ("exchange/save_pact", vec![("letting_go", "Old arguments".into())], open_steps_only),
        ("exchange/pact", vec![], client_only),
        // Partner A's wish was withdrawn above: only A finds it, and it keeps its words.
        (
            "exchange/reword",
            vec![
                ("wish_id", wish.clone()),
                ("version", "2".into()),
                ("text", "Walk with me after dinner".into()),
            ],
            [401, 403, 403, 409, 404, 404],
        ),
        (
            "exchange/conversation_held",
            vec![
                ("case_id", world.owner_case.to_string()),
                ("partner_id", partner_a.clone()),
                // Yesterday: a day that has come in any therapist's time zone.
                ("held_on", (now - chrono::Duration::days(1)).date_naive().to_string()),
            ],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "exchange/pact_revisit",
            vec![
                ("case_id", world.owner_case.to_string()),
                ("revisit_on", (now + chrono::Duration::days(7)).date_naive().to_string()),
            ],
            [401, 404, 200, 403, 403, 403],
        ),
        ("client/ask_seeks_change", vec![("seeks", "emotional".into())], client_only),
        ("notes/send", vec![("body", "Hello".into())], client_only),
        ("notes/send", vec![("body", "Hello".into()), ("urgent", "yes".into())], client_only),
        ("notes/mine", vec![], client_only),
        ("notes/read", vec![("note_id", note.clone())], [401, 404, 200, 403, 403, 403]),
        ("notes/read", vec![("note_id", "999999".into())], [401, 404, 404, 403, 403, 403]),
        (
            "notes/reply",
            vec![("note_id", note.clone()), ("body", "Thank you for writing".into())],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "notes/reply",
            vec![("note_id", note.clone()), ("body", " ".into())],
            [401, 404, 422, 403, 403, 403],
        ),
        ("notes/replies_read", vec![("note_id", note.clone())], [401, 403, 403, 200, 404, 404]),
    ];
    check_calls(&world, calls, "CLIENT-SECRET", &["owner", "partner A"]).await;
}

/// Therapy sessions and the session summary: the case's therapist only. A marker in a
/// session note reaches the owner and nobody else, through any of them.
#[tokio::test]
async fn every_session_function_answers_each_actor_correctly() {
    use app::{
        domain::therapy_session::{Attendance, SessionMinutes, SessionNote},
        services::therapy_sessions::{self, HeldSession, SessionTime},
    };
    let world = world("sessions").await;
    let db = &world.db;
    let now = Utc::now();
    let time = |starts_at| SessionTime {
        starts_at,
        minutes: SessionMinutes::parse("50").unwrap(),
        attendance: Attendance::Both,
    };
    let held = HeldSession {
        time: time(now - chrono::Duration::days(1)),
        note: SessionNote::Free("SESSION-SECRET a hard evening".into()),
        topics: vec![],
    };
    therapy_sessions::record(db, world.owner, world.owner_case, held, now).await.unwrap();
    let scheduled = therapy_sessions::schedule(
        db,
        world.owner,
        world.owner_case,
        time(now + chrono::Duration::days(7)),
        now,
    )
    .await
    .unwrap()
    .to_string();
    let case = world.owner_case.to_string();
    let calls: Vec<Call> = vec![
        ("cases/summary", vec![("case_id", case.clone())], [401, 404, 200, 403, 403, 403]),
        (
            "therapy_sessions/record",
            vec![
                ("case_id", case.clone()),
                ("starts_at", "2020-01-06T10:00".into()),
                ("minutes", "50".into()),
                ("attendance", "both".into()),
                ("note_format", "dap".into()),
                ("data", "Talked".into()),
                ("topics[0]", "wish:999999".into()),
            ],
            [401, 404, 422, 403, 403, 403],
        ),
        (
            "therapy_sessions/record",
            vec![
                ("case_id", case.clone()),
                ("starts_at", "2020-01-06T10:00".into()),
                ("minutes", "50".into()),
                ("attendance", "a".into()),
                ("note_format", "free".into()),
                ("note", "Another".into()),
            ],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "therapy_sessions/schedule",
            vec![
                ("case_id", case.clone()),
                ("starts_at", "2099-01-05T10:00".into()),
                ("minutes", "50".into()),
                ("attendance", "both".into()),
            ],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "therapy_sessions/move",
            vec![
                ("session_id", scheduled.clone()),
                ("starts_at", "2099-02-02T10:00".into()),
                ("minutes", "60".into()),
            ],
            [401, 404, 200, 403, 403, 403],
        ),
        ("therapy_sessions/cancel", vec![("session_id", scheduled.clone())], [401, 404, 200, 403, 403, 403]),
        ("therapy_sessions/cancel", vec![("session_id", "999999".into())], [401, 404, 404, 403, 403, 403]),
    ];
    check_calls(&world, calls, "SESSION-SECRET", &["owner"]).await;
}

/// Scored measures: the therapist's measures and a case's totals reach the owner alone; a
/// partner lists and answers only what is scheduled for them, and no client ever receives
/// a total or band (the marker is a band label, which only the therapist's views carry).
#[tokio::test]
async fn every_measure_function_answers_each_actor_correctly() {
    use app::{
        domain::{
            homework::Recipients,
            measure::{connection_check, Schedule},
        },
        services::measures,
    };
    let world = world("measures").await;
    let (db, now) = (&world.db, Utc::now());
    let mut text = connection_check().to_text();
    text.bands = "0-8 = CLIENT-SECRET apart\n9-24 = CLIENT-SECRET close".into();
    let measure = measures::save(db, world.owner, None, &text, now).await.unwrap();
    let spare = measures::save(db, world.owner, None, &text, now).await.unwrap().to_string();
    // Due since two days ago, once, to both partners; A has answered it.
    let schedule = Schedule { starts_on: now.date_naive() - chrono::Duration::days(2), every: None };
    let new = measures::NewSchedule { measure_id: measure, recipients: Recipients::Both, schedule };
    let both = measures::schedule(db, world.owner, world.owner_case, new, now).await.unwrap();
    let to_stop = measures::schedule(db, world.owner, world.owner_case, new, now).await.unwrap().to_string();
    let chosen = ["4", "3", "1", "2", "0", "4"];
    measures::answer(db, world.a, both, |i| chosen.get(i).copied(), now).await.unwrap();
    let (case, both, measure) = (world.owner_case.to_string(), both.to_string(), measure.to_string());
    let fields = |id: Option<&str>| {
        let mut form: Vec<(&'static str, String)> = vec![
            ("title", text.title.clone()),
            ("options", text.options.clone()),
            ("items", text.items.clone()),
            ("scoring", "sum".into()),
            ("bands", text.bands.clone()),
        ];
        form.extend(id.map(|id| ("measure_id", id.to_owned())));
        form
    };
    let mut answers: Vec<(&'static str, String)> = vec![("schedule_id", both.clone())];
    for (key, value) in [
        "answers[item_0]",
        "answers[item_1]",
        "answers[item_2]",
        "answers[item_3]",
        "answers[item_4]",
        "answers[item_5]",
    ]
    .into_iter()
    .zip(["1", "1", "1", "1", "1", "1"])
    {
        answers.push((key, value.into()));
    }
    let calls: Vec<Call> = vec![
        ("measures/list", vec![], [401, 200, 200, 403, 403, 403]),
        ("measures/get", vec![("measure_id", measure.clone())], [401, 404, 200, 403, 403, 403]),
        ("measures/save", fields(Some(&measure)), [401, 404, 200, 403, 403, 403]),
        ("measures/save", fields(None), [401, 200, 200, 403, 403, 403]),
        (
            "measures/save",
            vec![
                ("title", "Overlap".into()),
                ("options", "0 = No\n1 = Yes".into()),
                ("items", "One".into()),
                ("scoring", "sum".into()),
                ("bands", "0-1 = A\n1-1 = B".into()),
            ],
            [401, 422, 422, 403, 403, 403],
        ),
        ("measures/copy_built_in", vec![], [401, 200, 200, 403, 403, 403]),
        (
            "measures/archive",
            vec![("measure_id", spare.clone()), ("archived", "true".into())],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "measures/schedule",
            vec![
                ("case_id", case.clone()),
                ("measure_id", measure.clone()),
                ("recipients", "both".into()),
                ("starts_on", "2026-12-02".into()),
                ("repeat", "weeks".into()),
                ("every_weeks", "2".into()),
            ],
            [401, 404, 200, 403, 403, 403],
        ),
        (
            "measures/schedule",
            vec![
                ("case_id", case.clone()),
                ("measure_id", measure.clone()),
                ("recipients", "both".into()),
                ("starts_on", "2026-12-02".into()),
                ("repeat", "weeks".into()),
                ("every_weeks", "53".into()),
            ],
            // The form is read before the case is looked up: refused at the field.
            [401, 422, 422, 403, 403, 403],
        ),
        ("measures/stop", vec![("schedule_id", to_stop.clone())], [401, 404, 200, 403, 403, 403]),
        ("measures/sheet", vec![("schedule_id", both.clone())], [401, 403, 403, 200, 200, 404]),
        ("measures/answer", answers, [401, 403, 403, 409, 200, 404]),
    ];
    check_calls(&world, calls, "CLIENT-SECRET", &["owner"]).await;
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
    for (_, client) in &world.actors[3..] {
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
}

/// Partner B, through every endpoint a client can call, every client page and every email
/// addressed to B, never receives what partner A has not shared: unshared answers, a draft
/// written after the therapist reopened a shared submission, comments to A, check-in notes
/// and unshared ratings, step 5 writing, private notes, and emails sent to A alone. What A
/// did share does reach B (so the check can see content at all).
#[tokio::test]
async fn the_other_partner_never_receives_what_a_partner_has_not_shared() {
    use app::{
        entities::{assignments, outbox_emails, responses},
        services::{
            exchange,
            homework::{self, SaveIntent},
            messages,
        },
    };
    let world = world("other-partner").await;
    let (db, now) = (&world.db, Utc::now());
    homework::assign_programme(
        db,
        world.owner,
        world.owner_case,
        homework::ProgrammeChoice::whole(None, ""),
        now,
    )
    .await
    .unwrap();
    let steps = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(world.owner_case))
        .all(db)
        .await
        .unwrap();
    let step = |n: i16| steps.iter().find(|a| a.step_number == Some(n)).unwrap().id;
    let form =
        |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    // Step 1: both submit and share; A's shared version may reach B.
    let a_step1 = form(&[
        ("emotional_meaning", "A-SHARED-OK"),
        ("physical_meaning", "A-SHARED-OK too"),
        ("behaviours", "A-SHARED-OK wish"),
    ]);
    homework::save_answers(db, world.a, step(1), 0, &a_step1, SaveIntent::Submit, now).await.unwrap();
    let b_step1 = form(&[
        ("emotional_meaning", "B own words"),
        ("physical_meaning", "B too"),
        ("behaviours", "B own wish"),
    ]);
    homework::save_answers(db, world.b, step(1), 0, &b_step1, SaveIntent::Submit, now).await.unwrap();
    homework::share(db, world.a, step(1), now).await.unwrap();
    homework::share(db, world.b, step(1), now).await.unwrap();
    // The therapist comments to A, reopens A's shared step 1, and A writes a new draft.
    let a_response = responses::Entity::find()
        .filter(responses::Column::AssignmentId.eq(step(1)))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .min_by_key(|r| r.partner_id)
        .unwrap();
    homework::comment(db, world.owner, a_response.id, None, "FORBIDDEN-COMMENT-TO-A", now).await.unwrap();
    homework::set_reviewed(db, world.owner, a_response.id, false, now).await.unwrap();
    let draft =
        form(&[("emotional_meaning", "FORBIDDEN-REOPENED-DRAFT"), ("behaviours", "A-SHARED-OK wish")]);
    homework::save_answers(db, world.a, step(1), a_response.revision, &draft, SaveIntent::Draft, now)
        .await
        .unwrap();
    // Step 2: A submits and does not share.
    let a_step2 = form(&[("heard_mind", "FORBIDDEN-UNSHARED"), ("heard_gut", "FORBIDDEN-UNSHARED")]);
    homework::save_answers(db, world.a, step(2), 0, &a_step2, SaveIntent::Draft, now).await.unwrap();
    // The therapist opens steps 3 to 5 early.
    for number in 3..=5 {
        homework::unlock_early(db, world.owner, step(number), now).await.unwrap();
    }
    // Check-in (B shares ratings, A does not), step 5 unshared, a private note, an A-only email.
    let monday = app::services::clock::week_start(now.date_naive()) - chrono::Duration::weeks(2);
    let check_in = |note: &str| exchange::CheckInForm {
        week_start: monday,
        my_part: "done".into(),
        noticed: "done".into(),
        emotional: 9,
        physical: 9,
        note: note.into(),
    };
    exchange::save_check_in(db, world.a, check_in("FORBIDDEN-CHECK-IN-NOTE"), now).await.unwrap();
    exchange::save_check_in(db, world.b, check_in(""), now).await.unwrap();
    exchange::set_share_ratings(db, world.b, true, now).await.unwrap();
    exchange::save_pact(db, world.a, "FORBIDDEN-LETTING-GO", false, false, false, now).await.unwrap();
    exchange::send_private_note(db, world.a, "FORBIDDEN-PRIVATE-NOTE", false, now).await.unwrap();
    let only_a = messages::FollowUp {
        recipients: app::domain::homework::Recipients::PartnerA,
        subject: "Hello {first_name}".into(),
        body: "FORBIDDEN-A-ONLY-EMAIL".into(),
        progress_summary: String::new(),
        send_at: None,
        times: Vec::new(),
    };
    messages::send_follow_up(db, world.owner, world.owner_case, only_a, now).await.unwrap();

    let b = &world.actors[4].1;
    let mut seen = String::new();
    let (s1, s2) = (step(1).to_string(), step(2).to_string());
    let calls: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("auth/me", vec![]),
        ("client/home", vec![]),
        ("client/homework_page", vec![]),
        ("client/my_writing", vec![]),
        ("settings/get", vec![]),
        ("homework/mine", vec![]),
        ("homework/sheet", vec![("assignment_id", s1.clone())]),
        ("homework/sheet", vec![("assignment_id", s2.clone())]),
        ("exchange/board", vec![]),
        ("exchange/practice", vec![]),
        ("exchange/pact", vec![]),
        ("notes/mine", vec![]),
    ];
    for (endpoint, form) in calls {
        let response = b
            .post(format!("{}/api/{endpoint}", world.base))
            .header(header::ORIGIN, &world.base)
            .header(header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{endpoint}");
        seen.push_str(&response.text().await.unwrap());
    }
    for path in [
        "/homework",
        &format!("/homework/{s1}"),
        &format!("/homework/{s2}"),
        "/wishes",
        "/check-in",
        "/letting-go",
        "/private-note",
        "/my-writing",
    ] {
        let response =
            b.get(format!("{}{path}", world.base)).header(header::ACCEPT, "text/html").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        seen.push_str(&response.text().await.unwrap());
    }
    // B's record download: every file in the ZIP.
    let download = b.get(format!("{}/my-writing/export", world.base)).send().await.unwrap();
    assert_eq!(download.status(), StatusCode::OK, "B's record download");
    seen.push_str(&unzipped(download.bytes().await.unwrap().to_vec()));
    for email in outbox_emails::Entity::find().all(db).await.unwrap() {
        if email.to_address == "partner@example.org" {
            seen.push_str(&format!("{email:?}"));
        }
    }
    assert!(seen.contains("A-SHARED-OK"), "what A shared reaches B");
    assert!(
        !seen.contains("FORBIDDEN"),
        "B received A's private writing: {}",
        &seen[seen.find("FORBIDDEN").unwrap_or(0)..][..200.min(seen.len())]
    );
    // A's ratings (9) are not shared: B's check-in page has no partner line.
    let practice = exchange::practice(db, world.b, Utc::now()).await.unwrap();
    assert!(practice.partner_ratings.is_empty());
}

/// Every file of a ZIP, one after the other.
fn unzipped(bytes: Vec<u8>) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    let mut all = String::new();
    for index in 0..archive.len() {
        archive.by_index(index).unwrap().read_to_string(&mut all).unwrap();
    }
    all
}

/// The record downloads (plain GET routes, not server functions), as each actor: the case
/// export for its therapist only ("not found" for another therapist, forbidden for clients),
/// a client's own record for clients only; a refusal never carries the record, and each
/// download leaves one audit entry.
#[tokio::test]
async fn the_record_downloads_answer_each_actor_correctly() {
    use app::entities::audit_entries;
    let world = world("exports").await;
    let routes: Vec<(String, Expected)> = vec![
        (format!("/cases/{}/export", world.owner_case), [401, 404, 200, 403, 403, 403]),
        ("/cases/not-a-number/export".to_owned(), [401, 404, 404, 403, 403, 403]),
        ("/my-writing/export".to_owned(), [401, 403, 403, 200, 200, 200]),
    ];
    for (path, expected) in routes {
        for ((actor, client), want) in world.actors.iter().zip(expected) {
            let response = client.get(format!("{}{path}", world.base)).send().await.unwrap();
            let status = response.status().as_u16();
            let zip = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v == "application/zip");
            let body = response.bytes().await.unwrap().to_vec();
            assert_eq!(status, want, "{path} as {actor}");
            if status == 200 {
                assert!(zip, "{path} as {actor} is a ZIP");
                let files = unzipped(body);
                assert!(files.contains("\"schema_version\":1"), "{path} as {actor}");
                assert_eq!(files.contains("Owner's couple"), actor != &"client of another case");
            } else {
                assert!(
                    !String::from_utf8_lossy(&body).contains("Owner's couple"),
                    "{path} leaked to {actor}"
                );
            }
        }
    }
    let exported = |action: &'static str| {
        audit_entries::Entity::find().filter(audit_entries::Column::Action.eq(action)).all(&world.db)
    };
    let case_exports = exported("case.exported").await.unwrap();
    assert_eq!(case_exports.len(), 1);
    assert_eq!(case_exports[0].actor_user_id, Some(world.owner.user_id));
    assert_eq!(exported("own_writing.exported").await.unwrap().len(), 3);
    let refused = audit_entries::Entity::find()
        .filter(audit_entries::Column::RecordId.is_in(["cases/export", "client/export"]))
        .all(&world.db)
        .await
        .unwrap();
    let summary: Vec<(&str, &str)> =
        refused.iter().map(|e| (e.action.as_str(), e.record_id.as_str())).collect();
    assert_eq!(refused.len(), 14, "every refused download is recorded: {summary:?}");
}

/// The account functions, as each actor: "who am I" answers everyone (and names nobody to
/// the anonymous), refused sign-ins and sign-ups say why without a server error, and signing
/// out ends exactly the caller's own session.
#[tokio::test]
async fn every_account_function_answers_each_actor_correctly() {
    let world = world("accounts").await;
    let calls: Vec<Call> = vec![
        ("auth/me", vec![], [200, 200, 200, 200, 200, 200]),
        (
            "auth/sign_up",
            vec![
                ("display_name", "Dr New".into()),
                ("email", "not-an-email".into()),
                ("password", PASSWORD.into()),
            ],
            [422, 422, 422, 422, 422, 422],
        ),
        ("auth/sign_up_open", vec![], [200, 200, 200, 200, 200, 200]),
        (
            "auth/confirm_email",
            vec![("token", "not-a-link".into()), ("password", PASSWORD.into())],
            [409, 409, 409, 409, 409, 409],
        ),
        (
            "auth/complete_invitation",
            vec![
                ("token", "not-a-link".into()),
                ("display_name", "Dr New".into()),
                ("password", PASSWORD.into()),
            ],
            [409, 409, 409, 409, 409, 409],
        ),
        ("auth/sign_out", vec![], [200, 200, 200, 200, 200, 200]),
    ];
    // A refused sign-in (an unknown email for each, so no throttle is involved) says why.
    let sign_in = "auth/sign_in";
    for (n, (actor, client)) in world.actors.iter().enumerate() {
        let email = format!("nobody{n}@example.org");
        let refused = client
            .post(format!("{}/api/{sign_in}", world.base))
            .header(header::ORIGIN, &world.base)
            .header(header::ACCEPT, "application/json")
            .form(&[("email", email.as_str()), ("password", "wrong"), ("next", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "auth/sign_in as {actor}");
    }
    check_calls(&world, calls, "Owner's couple", &["owner"]).await;
    // Every session has ended: nobody is signed in any more.
    for (actor, client) in &world.actors {
        let me = client
            .post(format!("{}/api/auth/me", world.base))
            .header(header::ORIGIN, &world.base)
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(me.text().await.unwrap(), "null", "{actor}");
    }
}

/// The account page's functions, as each actor: each signed-in person sees and signs out
/// only their own sessions (another's session id answers 404), changing a password and
/// deleting a therapist's account need the current one, and the signed-out reset functions
/// answer everyone alike.
#[tokio::test]
async fn every_own_account_function_answers_each_actor_correctly() {
    use app::services::sessions::{self, SessionPolicy};
    let world = world("own-account").await;
    // A second session of the owner's (another device) that only the owner may sign out.
    sessions::start(&world.db, world.owner, SessionPolicy::default(), Utc::now()).await.unwrap();
    let owners_other = app::entities::sessions::Entity::find()
        .filter(app::entities::sessions::Column::UserId.eq(world.owner.user_id))
        .all(&world.db)
        .await
        .unwrap()
        .into_iter()
        .map(|session| session.id)
        .max()
        .unwrap()
        .to_string();
    let signed_in = [401, 200, 200, 200, 200, 200];
    let calls: Vec<Call> = vec![
        ("account/devices", vec![], signed_in),
        (
            "account/change_password",
            vec![
                ("current_password", "not the password".into()),
                ("new_password", "a new long password".into()),
            ],
            [401, 422, 422, 422, 422, 422],
        ),
        ("account/sign_out_device", vec![("session_id", owners_other)], [401, 404, 200, 404, 404, 404]),
        // Only a therapist may delete their account, and only with the current password.
        (
            "account/delete",
            vec![("current_password", "not the password".into()), ("confirm", "yes".into())],
            [401, 422, 422, 403, 403, 403],
        ),
        ("auth/forgot_password", vec![("email", "not-an-email".into())], [422, 422, 422, 422, 422, 422]),
        ("auth/reset_link", vec![("token", "not-a-real-token".into())], [200, 200, 200, 200, 200, 200]),
        (
            "auth/reset_password",
            vec![("token", "not-a-real-token".into()), ("password", "a new long password".into())],
            [404, 404, 404, 404, 404, 404],
        ),
        ("account/sign_out_everywhere", vec![], signed_in),
    ];
    // Asking for a reset link (a different unknown email for each, so no throttle is
    // involved) answers everyone alike.
    for (n, (actor, client)) in world.actors.iter().enumerate() {
        let email = format!("nobody{n}@example.org");
        let asked = client
            .post(format!("{}/api/auth/forgot_password", world.base))
            .header(header::ORIGIN, &world.base)
            .header(header::ACCEPT, "application/json")
            .form(&[("email", email.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(asked.status(), StatusCode::OK, "auth/forgot_password as {actor}");
    }
    check_calls(&world, calls, "Owner's couple", &["owner"]).await;
    // Everyone signed out everywhere: nobody is signed in any more.
    for (actor, client) in &world.actors {
        let me = client
            .post(format!("{}/api/auth/me", world.base))
            .header(header::ORIGIN, &world.base)
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(me.text().await.unwrap(), "null", "{actor}");
    }
}

/// The second factor's functions, as each actor: each signed-in person reaches only their
/// own (wrong passwords and codes are refused at the field), only a therapist may require
/// one, and the sign-in code step without a pending sign-in is refused for everyone.
#[tokio::test]
async fn every_second_factor_function_answers_each_actor_correctly() {
    let world = world("second_factor").await;
    let calls: Vec<Call> = vec![
        ("second_factor/status", vec![], [401, 200, 200, 200, 200, 200]),
        (
            "second_factor/start",
            vec![("password", "not the password".into())],
            [401, 422, 422, 422, 422, 422],
        ),
        ("second_factor/start", vec![("password", PASSWORD.into())], [401, 200, 200, 200, 200, 200]),
        ("second_factor/confirm", vec![("code", "not a code".into())], [401, 422, 422, 422, 422, 422]),
        (
            "second_factor/remove",
            vec![("password", "not the password".into())],
            [401, 422, 422, 422, 422, 422],
        ),
        ("second_factor/remove", vec![("password", PASSWORD.into())], [401, 200, 200, 200, 200, 200]),
        ("second_factor/required", vec![("required", "false".into())], [401, 200, 200, 403, 403, 403]),
        (
            "auth/sign_in_code",
            vec![("code", "123456".into()), ("next", String::new())],
            [422, 422, 422, 422, 422, 422],
        ),
    ];
    check_calls(&world, calls, "Owner's couple", &["owner"]).await;
}

/// No server function escapes the matrix: each `endpoint = "…"` in `app/src/api` is called
/// by at least one test above.
#[test]
fn every_server_function_is_in_the_matrix() {
    let matrix = include_str!("authorization.rs");
    let endpoints: Vec<String> = support::server_functions().into_iter().map(|f| f.endpoint).collect();
    assert!(endpoints.len() > 50, "found the server functions: {endpoints:?}");
    let missing: Vec<&String> =
        endpoints.iter().filter(|endpoint| !matrix.contains(&format!("\"{endpoint}\""))).collect();
    assert!(missing.is_empty(), "server functions missing from the authorization matrix: {missing:?}");
}
