//! Input that cannot hurt the server (issue 11), on SQLite and PostgreSQL: NUL and other
//! control characters are refused at their field (PostgreSQL cannot store NUL, so they once
//! answered 500 there), and text at every parser's limit fits its column.

use crate::support;

use app::{
    domain::{baby_steps, case::TherapistNotes, homework::Recipients, CONTROL_CHARS_REFUSED},
    entities::{partners, responses},
    error::AppError,
    services::{
        caseload::{self, CaseloadQuery, CaseloadSort},
        cases::{self, CaseDraft, PartnerFields},
        exchange, homework, invitations, messages,
        settings::{self, TherapistSettings},
        templates,
    },
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use support::fixtures::*;

/// Asserts `result` is a refusal at `field` (never a server error); `what` names the case.
fn refused_at<T: std::fmt::Debug>(result: Result<T, AppError>, field: &str, what: &str) {
    match result {
        Err(AppError::Invalid { field: f, message }) => assert_eq!(f, field, "{what}: {message}"),
        other => panic!("{what}: expected a refusal at {field}, got {other:?}"),
    }
}

fn partner<'a>(first_name: &'a str, last_name: &'a str, email: &'a str) -> PartnerFields<'a> {
    PartnerFields { first_name, last_name, email, pronouns: "", seeks: "unsure" }
}

fn settings_with(practice_name: &str, signature: &str) -> TherapistSettings {
    TherapistSettings {
        display_name: "Dr Ana Ruiz".into(),
        practice_name: practice_name.into(),
        signature: signature.into(),
        time_zone: "UTC".into(),
        booking_url: String::new(),
        digest: "immediate".into(),
        reminders: true,
        crisis_line: String::new(),
        reply_within_days: String::new(),
    }
}

fn follow_up(subject: &str, body: &str) -> messages::FollowUp {
    messages::FollowUp {
        recipients: Recipients::Both,
        subject: subject.into(),
        body: body.into(),
        progress_summary: String::new(),
        send_at: None,
        times: vec![],
    }
}

async fn nul_in_any_text_is_refused_at_its_field(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "nul").await;
    share_step_1(db, &c).await;
    open_exchange(db, &c).await;
    let nul = "before\0after";

    let a = partner("Alex", "", "alex.nul@example.org");
    let b = partner("Sam", "", "sam.nul@example.org");
    refused_at(CaseDraft::parse(nul, "no_secrets", a.clone(), b.clone()), "label", "case label");
    let named = |first: &'static str, last: &'static str| partner(first, last, "alex.nul@example.org");
    refused_at(CaseDraft::parse("A & S", "no_secrets", named(nul, ""), b.clone()), "a_first_name", "first");
    refused_at(CaseDraft::parse("A & S", "no_secrets", named("Alex", nul), b.clone()), "a_last_name", "last");
    assert_eq!(TherapistNotes::parse(nul).unwrap_err().0, "Notes cannot contain control characters.");

    let mut exercise = baby_steps::programme().steps.remove(0);
    exercise.title = nul.into();
    refused_at(templates::save(db, c.therapist, None, &exercise, t0()).await, "content", "exercise title");
    let mut exercise = baby_steps::programme().steps.remove(0);
    exercise.questions[0].prompt = nul.into();
    refused_at(templates::save(db, c.therapist, None, &exercise, t0()).await, "content", "question");

    let send = |message| messages::send_follow_up(db, c.therapist, c.case_id, message, t0());
    refused_at(send(follow_up(nul, "Hello.")).await, "subject", "follow-up subject");
    refused_at(send(follow_up("Hello", nul)).await, "body", "follow-up body");
    let save_template =
        |name, subject, body| messages::save_template(db, c.therapist, None, name, subject, body, t0());
    refused_at(save_template(nul, "Hello", "Hello.").await, "name", "template name");
    refused_at(save_template("Mine", "Hello", nul).await, "body", "template body");

    refused_at(exchange::send_private_note(db, c.a, nul, false, t0()).await, "body", "private note");
    exchange::send_private_note(db, c.a, "A note.", false, t0()).await.unwrap();
    let note = app::entities::private_notes::Entity::find().one(db).await.unwrap().unwrap();
    refused_at(exchange::reply_to_private_note(db, c.therapist, note.id, nul, t0()).await, "body", "reply");

    refused_at(exchange::add_wish(db, c.a, nul, "emotional", 3, t0()).await, "text", "wish");
    let check_in = exchange::CheckInForm {
        week_start: app::services::clock::week_start(t0().date_naive()),
        my_part: "done".into(),
        noticed: "partly".into(),
        emotional: 6,
        physical: 5,
        note: nul.into(),
    };
    refused_at(exchange::save_check_in(db, c.a, check_in, t0()).await, "note", "check-in note");
    refused_at(exchange::save_pact(db, c.a, nul, false, false, false, t0()).await, "letting_go", "pact");

    let response = responses::Entity::find().one(db).await.unwrap().unwrap();
    refused_at(homework::comment(db, c.therapist, response.id, None, nul, t0()).await, "body", "comment");
    let settings = |practice: &str, signature: &str| settings_with(practice, signature);
    refused_at(
        settings::save_therapist_settings(db, c.therapist, settings(nul, ""), t0()).await,
        "practice_name",
        "practice name",
    );
    refused_at(
        settings::save_therapist_settings(db, c.therapist, settings("", nul), t0()).await,
        "signature",
        "signature",
    );
    let error = exchange::send_private_note(db, c.a, nul, false, t0()).await.unwrap_err();
    assert_eq!(error.message_for("body").as_deref(), Some(CONTROL_CHARS_REFUSED));

    // A search is not kept: NUL in it finds nothing rather than failing.
    let query = CaseloadQuery {
        search: nul.into(),
        status: None,
        sort: CaseloadSort::RecentlyUpdated,
        page: 1,
        per_page: 20,
    };
    caseload::caseload(db, c.therapist, &query, t0()).await.unwrap();
}

async fn text_at_every_limit_fits_its_column(db: &DatabaseConnection) {
    let owner = therapist(db, "limits@example.org").await;
    let (first, last) = ("F".repeat(49), "L".repeat(49));
    let too_long = "N".repeat(121);
    let b = partner("Sam", "", "sam.limits@example.org");
    refused_at(
        CaseDraft::parse("A & S", "no_secrets", partner(&too_long, "", "a@example.org"), b.clone()),
        "a_first_name",
        "a 121-character first name",
    );
    // First and last name together make the client's account name: 50 and 60 would not fit.
    refused_at(
        CaseDraft::parse("A & S", "no_secrets", partner(&"F".repeat(50), "", "a@example.org"), b.clone()),
        "a_first_name",
        "a 50-character first name",
    );
    refused_at(
        CaseDraft::parse("A & S", "no_secrets", partner("Alex", &"L".repeat(60), "a@example.org"), b.clone()),
        "a_last_name",
        "a 60-character last name",
    );

    let label = "C".repeat(120);
    let pronouns = "p".repeat(40);
    let a = PartnerFields { pronouns: &pronouns, ..partner(&first, &last, "alex.limits@example.org") };
    let draft = CaseDraft::parse(&label, "no_secrets", a, b).unwrap();
    let case_id = cases::create_case(db, owner, draft, t0()).await.unwrap();
    let alex = partners::Entity::find()
        .filter(partners::Column::CaseId.eq(case_id))
        .filter(partners::Column::FirstName.eq(first.as_str()))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    invitations::invite(db, owner, case_id, alex.id, t0()).await.unwrap();
    let invitation = app::entities::invitations::Entity::find()
        .filter(app::entities::invitations::Column::PartnerId.eq(alex.id))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let token = invitations::mint_token(db, invitation.id, t0()).await.unwrap().unwrap();
    invitations::accept_with_new_account(db, &token, PASSWORD, true, t0())
        .await
        .expect("the longest names join");

    let practice = "P".repeat(120);
    settings::save_therapist_settings(db, owner, settings_with(&practice, &"S".repeat(1_000)), t0())
        .await
        .unwrap();
    messages::save_template(db, owner, None, &"T".repeat(120), &"s".repeat(200), "Hello.", t0())
        .await
        .unwrap();
    let mut exercise = baby_steps::programme().steps.remove(0);
    exercise.title = "E".repeat(200);
    templates::save(db, owner, None, &exercise, t0()).await.unwrap();

    // A subject within its limit that the practice's name makes too long for an email
    // (to Alex, who joined: follow-ups go only to partners who joined or were invited).
    let subject = "{practice_name} {practice_name}";
    let to_alex = messages::FollowUp { recipients: Recipients::PartnerA, ..follow_up(subject, "Hello.") };
    refused_at(
        messages::send_follow_up(db, owner, case_id, to_alex, t0()).await,
        "subject",
        "a subject filled in beyond 200 characters",
    );
}

async fn wishes_at_their_limit_fit_their_columns(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "wish").await;
    share_step_1(db, &c).await;
    open_exchange(db, &c).await;
    let longest = "W".repeat(app::domain::exchange::MAX_WISH_CHARS);
    exchange::add_wish(db, c.a, &longest, "emotional", 3, t0()).await.unwrap();
    refused_at(
        exchange::add_wish(db, c.a, &format!("{longest}W"), "emotional", 3, t0()).await,
        "text",
        "long",
    );
}

on_both_databases!(
    nul_in_any_text_is_refused_at_its_field,
    text_at_every_limit_fits_its_column,
    wishes_at_their_limit_fit_their_columns,
);
