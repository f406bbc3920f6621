//! Service tests for homework: the Baby Steps programme, drafts and submissions, sharing and
//! the mutual reveal, review and comments — on SQLite and PostgreSQL. Every function that
//! returns answers is checked to never hand a partner the other's unshared answers, and to
//! give a client of another case nothing.

mod support;

use app::{
    entities::{assignments, exercise_versions},
    error::AppError,
    services::{
        accounts::{self, TherapistSignUp},
        cases::{self, CaseDraft, PartnerFields},
        exchange,
        homework::{self, ResponseStatus, SaveIntent},
        invitations, messages, settings, Actor,
    },
};
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use std::collections::BTreeMap;

const PASSWORD: &str = "a calm and quiet river";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}

struct Couple {
    therapist: Actor,
    case_id: i32,
    a: Actor,
    b: Actor,
}

async fn couple(db: &DatabaseConnection, tag: &str) -> Couple {
    let form = TherapistSignUp::parse("Dr Ana Ruiz", &format!("t.{tag}@example.org"), PASSWORD).unwrap();
    let therapist = accounts::sign_up_therapist(db, form, t0()).await.unwrap();
    let (a_email, b_email) = (format!("a.{tag}@example.org"), format!("b.{tag}@example.org"));
    let fields =
        |first_name, email, seeks| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks };
    let draft = CaseDraft::parse(
        "Alex & Sam",
        "no_secrets",
        fields("Alex", &a_email, "emotional"),
        fields("Sam", &b_email, "physical"),
    )
    .unwrap();
    let case_id = cases::create_case(db, therapist, draft, t0()).await.unwrap();
    let mut clients = Vec::new();
    for partner in cases::partners_of(db, case_id).await.unwrap() {
        invitations::invite(db, therapist, case_id, partner.id, t0()).await.unwrap();
        let invitation = app::entities::invitations::Entity::find()
            .filter(app::entities::invitations::Column::PartnerId.eq(partner.id))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let token = invitations::mint_token(db, invitation.id, t0()).await.unwrap().unwrap();
        clients.push(invitations::accept_with_new_account(db, &token, PASSWORD, true, t0()).await.unwrap());
    }
    Couple { therapist, case_id, a: clients[0], b: clients[1] }
}

async fn steps(db: &DatabaseConnection, case_id: i32) -> Vec<assignments::Model> {
    assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .order_by_asc(assignments::Column::StepNumber)
        .all(db)
        .await
        .unwrap()
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn step1_for_alex() -> BTreeMap<String, String> {
    answers(&[
        ("emotional_meaning", "Feeling heard at the end of the day."),
        ("behaviours", "Ask about my day\nPut phones away at dinner"),
    ])
}

fn step1_for_sam() -> BTreeMap<String, String> {
    answers(&[
        ("physical_meaning", "Being held without a reason."),
        ("behaviours", "Hug me when you come home"),
    ])
}

async fn the_programme_unlocks_step_by_step(db: &DatabaseConnection) {
    let c = couple(db, "flow").await;
    homework::assign_programme(db, c.therapist, c.case_id, None, "Take your time.", t0()).await.unwrap();
    let all = steps(db, c.case_id).await;
    assert_eq!(all.len(), 5);
    assert!(all[0].unlocked_at.is_some() && all[1..].iter().all(|s| s.unlocked_at.is_none()));
    assert!(matches!(
        homework::assign_programme(db, c.therapist, c.case_id, None, "", t0()).await.unwrap_err(),
        AppError::Conflict { .. }
    ));
    let step1 = all[0].id;
    // Locked steps cannot be opened or saved.
    assert!(matches!(
        homework::open_sheet(db, c.a, all[1].id, t0()).await.unwrap_err(),
        AppError::Conflict { .. }
    ));

    // Alex drafts, then saves again on the revision they saw.
    let rev = homework::save_answers(
        db,
        c.a,
        step1,
        0,
        &answers(&[("emotional_meaning", "Feeling heard")]),
        SaveIntent::Draft,
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(rev, 1);
    let rev = homework::save_answers(db, c.a, step1, rev, &step1_for_alex(), SaveIntent::Draft, t0())
        .await
        .unwrap();
    // A second tab still on revision 1 is told, and overwrites nothing.
    let stale = homework::save_answers(
        db,
        c.a,
        step1,
        1,
        &answers(&[("emotional_meaning", "old tab")]),
        SaveIntent::Draft,
        t0(),
    )
    .await;
    assert!(matches!(stale.unwrap_err(), AppError::Conflict { .. }));
    let sheet = homework::open_sheet(db, c.a, step1, t0()).await.unwrap();
    assert_eq!(sheet.response.as_ref().unwrap().revision, rev);
    // The emotional partner gets the emotional questions, not the physical ones.
    assert!(sheet.exercise.questions.iter().any(|q| q.key == "emotional_meaning"));
    assert!(!sheet.exercise.questions.iter().any(|q| q.key == "physical_meaning"));

    // Submitting needs the required answers; a question not in the exercise is refused.
    let missing = homework::save_answers(
        db,
        c.b,
        step1,
        0,
        &answers(&[("behaviours", "Hug me")]),
        SaveIntent::Submit,
        t0(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        missing.message_for("answers[physical_meaning]").as_deref(),
        Some("Please answer this question before you submit.")
    );
    let foreign = homework::save_answers(
        db,
        c.b,
        step1,
        0,
        &answers(&[("emotional_meaning", "x")]),
        SaveIntent::Draft,
        t0(),
    )
    .await
    .unwrap_err();
    assert!(foreign.message_for("answers[emotional_meaning]").is_some());

    homework::save_answers(db, c.a, step1, rev, &step1_for_alex(), SaveIntent::Submit, t0()).await.unwrap();
    assert!(steps(db, c.case_id).await[1].unlocked_at.is_none(), "one partner is not enough");
    // After submitting, the answers are read-only.
    let again = homework::save_answers(db, c.a, step1, rev + 1, &step1_for_alex(), SaveIntent::Draft, t0())
        .await
        .unwrap_err();
    assert!(again.to_string().contains("already submitted"));
    homework::save_answers(db, c.b, step1, 0, &step1_for_sam(), SaveIntent::Submit, t0()).await.unwrap();
    assert!(steps(db, c.case_id).await[1].unlocked_at.is_some(), "step 2 opens when both are done");
    assert!(steps(db, c.case_id).await[2].unlocked_at.is_none());

    // The therapist may open a step early, and reopen a submission.
    homework::unlock_early(db, c.therapist, all[4].id, t0()).await.unwrap();
    assert!(steps(db, c.case_id).await[4].unlocked_at.is_some());
    let review = homework::review_sheet(db, c.therapist, step1, t0()).await.unwrap();
    let alex_response = review.partners[0].1.clone().unwrap();
    homework::set_reviewed(db, c.therapist, alex_response.id, false, t0()).await.unwrap();
    let reopened = homework::open_sheet(db, c.a, step1, t0()).await.unwrap();
    assert_eq!(ResponseStatus::of(reopened.response.as_ref()), ResponseStatus::Draft);
    let rev = reopened.response.unwrap().revision;
    homework::save_answers(db, c.a, step1, rev, &step1_for_alex(), SaveIntent::Submit, t0()).await.unwrap();
    homework::set_reviewed(db, c.therapist, alex_response.id, true, t0()).await.unwrap();
    let items = homework::my_homework(db, c.a).await.unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0].status, ResponseStatus::Reviewed);
}

async fn answers_stay_private_until_both_share(db: &DatabaseConnection) {
    let c = couple(db, "privacy").await;
    homework::assign_programme(db, c.therapist, c.case_id, None, "", t0()).await.unwrap();
    let step1 = steps(db, c.case_id).await[0].id;
    // Drafts: the therapist sees them (as drafts); the other partner does not.
    homework::save_answers(db, c.a, step1, 0, &step1_for_alex(), SaveIntent::Draft, t0()).await.unwrap();
    let review = homework::review_sheet(db, c.therapist, step1, t0()).await.unwrap();
    assert_eq!(ResponseStatus::of(review.partners[0].1.as_ref()), ResponseStatus::Draft);
    assert!(review.partners[0].2.contains_key("behaviours"));
    let sam_view = homework::open_sheet(db, c.b, step1, t0()).await.unwrap();
    assert!(sam_view.partner_answers.is_none());
    assert!(sam_view.answers.is_empty(), "Sam's own answers only");

    // Sharing needs a submission.
    assert!(matches!(homework::share(db, c.a, step1, t0()).await.unwrap_err(), AppError::Conflict { .. }));
    homework::save_answers(db, c.a, step1, 1, &step1_for_alex(), SaveIntent::Submit, t0()).await.unwrap();
    homework::share(db, c.a, step1, t0()).await.unwrap();
    // Mutual reveal: Alex has shared, but until Sam shares neither sees the other's.
    let sam_view = homework::open_sheet(db, c.b, step1, t0()).await.unwrap();
    assert!(sam_view.partner_answers.is_none());
    assert!(sam_view.other_has_shared);
    let alex_view = homework::open_sheet(db, c.a, step1, t0()).await.unwrap();
    assert!(alex_view.partner_answers.is_none());

    homework::save_answers(db, c.b, step1, 0, &step1_for_sam(), SaveIntent::Submit, t0()).await.unwrap();
    homework::share(db, c.b, step1, t0()).await.unwrap();
    let alex_view = homework::open_sheet(db, c.a, step1, t0()).await.unwrap();
    let (_, sams) = alex_view.partner_answers.expect("revealed to Alex");
    assert!(sams.contains_key("physical_meaning"));
    let sam_view = homework::open_sheet(db, c.b, step1, t0()).await.unwrap();
    assert!(sam_view.partner_answers.is_some());

    // A client of another case receives nothing at all.
    let other = couple(db, "other").await;
    for client in [other.a, other.b] {
        assert_eq!(homework::open_sheet(db, client, step1, t0()).await.unwrap_err(), AppError::NotFound);
        assert_eq!(
            homework::save_answers(db, client, step1, 0, &step1_for_alex(), SaveIntent::Draft, t0())
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(homework::share(db, client, step1, t0()).await.unwrap_err(), AppError::NotFound);
        assert_eq!(homework::review_sheet(db, client, step1, t0()).await.unwrap_err(), AppError::Forbidden);
        assert!(homework::my_homework(db, client).await.unwrap().is_empty());
    }
    // Another therapist does not find it; a client may not review.
    assert_eq!(
        homework::review_sheet(db, other.therapist, step1, t0()).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        homework::case_homework(db, other.therapist, c.case_id).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(homework::review_sheet(db, c.a, step1, t0()).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(homework::case_homework(db, c.a, c.case_id).await.unwrap_err(), AppError::Forbidden);
    // The therapist has no client sheet.
    assert_eq!(homework::open_sheet(db, c.therapist, step1, t0()).await.unwrap_err(), AppError::Forbidden);
}

async fn comments_reach_only_their_partner(db: &DatabaseConnection) {
    let c = couple(db, "comments").await;
    homework::assign_programme(db, c.therapist, c.case_id, None, "", t0()).await.unwrap();
    let step1 = steps(db, c.case_id).await[0].id;
    homework::save_answers(db, c.a, step1, 0, &step1_for_alex(), SaveIntent::Submit, t0()).await.unwrap();
    homework::save_answers(db, c.b, step1, 0, &step1_for_sam(), SaveIntent::Submit, t0()).await.unwrap();
    let review = homework::review_sheet(db, c.therapist, step1, t0()).await.unwrap();
    let alex_response = review.partners[0].1.clone().unwrap().id;
    homework::comment(db, c.therapist, alex_response, Some("behaviours"), "Lovely, concrete list.", t0())
        .await
        .unwrap();
    homework::comment(db, c.therapist, alex_response, None, "Thank you for this.", t0()).await.unwrap();
    assert!(homework::comment(db, c.therapist, alex_response, Some("nope"), "x", t0())
        .await
        .unwrap_err()
        .message_for("question_key")
        .is_some());
    assert!(homework::comment(db, c.therapist, alex_response, None, "   ", t0())
        .await
        .unwrap_err()
        .message_for("body")
        .is_some());
    assert_eq!(homework::my_homework(db, c.a).await.unwrap()[0].unread_comments, 2);
    let alex = homework::open_sheet(db, c.a, step1, t0()).await.unwrap();
    assert_eq!(alex.comments.len(), 2);
    assert_eq!(homework::my_homework(db, c.a).await.unwrap()[0].unread_comments, 0, "opened means read");
    let sam = homework::open_sheet(db, c.b, step1, t0()).await.unwrap();
    assert!(sam.comments.is_empty());
    assert_eq!(homework::my_homework(db, c.b).await.unwrap()[0].unread_comments, 0);
    // Clients cannot comment; other therapists cannot find the response.
    assert_eq!(
        homework::comment(db, c.a, alex_response, None, "hi", t0()).await.unwrap_err(),
        AppError::Forbidden
    );
    let other = couple(db, "othert").await;
    assert_eq!(
        homework::comment(db, other.therapist, alex_response, None, "hi", t0()).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        homework::set_reviewed(db, other.therapist, alex_response, true, t0()).await.unwrap_err(),
        AppError::NotFound
    );
}

async fn assignments_keep_the_version_they_were_given(db: &DatabaseConnection) {
    let first = couple(db, "v1").await;
    homework::assign_programme(db, first.therapist, first.case_id, None, "", t0()).await.unwrap();
    let step1 = steps(db, first.case_id).await[0].clone();
    // The stored text of the built-in step is edited (as when the programme's wording changes).
    let version =
        exercise_versions::Entity::find_by_id(step1.exercise_version_id).one(db).await.unwrap().unwrap();
    let mut edited: app::domain::exercise::ExerciseTemplate = serde_json::from_str(&version.content).unwrap();
    edited.title = "Step 1 – as first assigned".into();
    let mut active = version.into_active_model();
    active.content = Set(serde_json::to_string(&edited).unwrap());
    active.update(db).await.unwrap();

    let second = couple(db, "v2").await;
    homework::assign_programme(db, second.therapist, second.case_id, None, "", t0()).await.unwrap();
    let second_step1 = steps(db, second.case_id).await[0].clone();
    assert_ne!(second_step1.exercise_version_id, step1.exercise_version_id, "a new version was made");
    let old = homework::open_sheet(db, first.a, step1.id, t0()).await.unwrap();
    assert_eq!(old.exercise.title, "Step 1 – as first assigned");
    let new = homework::open_sheet(db, second.a, second_step1.id, t0()).await.unwrap();
    assert_eq!(new.exercise.title, app::domain::baby_steps::programme().steps[0].title);
}

async fn a_closed_case_accepts_no_homework(db: &DatabaseConnection) {
    let c = couple(db, "closed").await;
    homework::assign_programme(db, c.therapist, c.case_id, None, "", t0()).await.unwrap();
    let step1 = steps(db, c.case_id).await[0].id;
    cases::set_status(db, c.therapist, c.case_id, app::domain::case::CaseStatus::Closed, t0()).await.unwrap();
    let error = homework::save_answers(db, c.a, step1, 0, &step1_for_alex(), SaveIntent::Draft, t0())
        .await
        .unwrap_err();
    assert!(matches!(error, AppError::Conflict { .. }));
    let other = couple(db, "closed2").await;
    cases::set_status(db, other.therapist, other.case_id, app::domain::case::CaseStatus::Closed, t0())
        .await
        .unwrap();
    assert!(matches!(
        homework::assign_programme(db, other.therapist, other.case_id, None, "", t0()).await.unwrap_err(),
        AppError::Conflict { .. }
    ));
}

/// A small exercise of the therapist's own: a scale for everyone, a list for one role.
fn own_exercise(title: &str) -> app::domain::exercise::ExerciseTemplate {
    use app::domain::exercise::{Audience, ExerciseTemplate, Question, QuestionKind};
    ExerciseTemplate {
        title: title.to_owned(),
        summary: "A weekly look back.".to_owned(),
        instructions: "Answer on your own.".to_owned(),
        questions: vec![
            Question {
                key: "q1".to_owned(),
                prompt: "How close did you feel this week?".to_owned(),
                help: None,
                kind: QuestionKind::Scale {
                    min: 0,
                    max: 10,
                    min_label: "Far".into(),
                    max_label: "Close".into(),
                },
                audience: Audience::Everyone,
                required: true,
            },
            Question {
                key: "q2".to_owned(),
                prompt: "Moments of touch you noticed".to_owned(),
                help: None,
                kind: QuestionKind::List { max_items: 3, max_item_chars: 100 },
                audience: Audience::SeeksPhysical,
                required: false,
            },
        ],
    }
}

async fn own_exercises_are_versioned_archived_and_assigned(db: &DatabaseConnection) {
    use app::services::{homework::Recipients, templates};
    let c = couple(db, "own").await;
    let other = couple(db, "own2").await;
    // Bad templates are refused with a numbered message; clients and other therapists get nothing.
    let mut broken = own_exercise("Broken");
    broken.questions[1].key = "q1".into();
    let error = templates::save(db, c.therapist, None, &broken, t0()).await.unwrap_err();
    assert_eq!(error.message_for("content").as_deref(), Some("Question 2 needs its own key (a-z, 0-9, _)."));
    assert_eq!(
        templates::save(db, c.a, None, &own_exercise("x"), t0()).await.unwrap_err(),
        AppError::Forbidden
    );

    let id = templates::save(db, c.therapist, None, &own_exercise("Weekly look back"), t0()).await.unwrap();
    assert_eq!(templates::get(db, other.therapist, id).await.unwrap_err(), AppError::NotFound);
    assert_eq!(templates::get(db, c.a, id).await.unwrap_err(), AppError::Forbidden);
    assert!(templates::list(db, other.therapist).await.unwrap().is_empty());

    // Assign version 1 to Sam only, then edit: the assignment keeps version 1.
    let assignment =
        templates::assign(db, c.therapist, c.case_id, id, Recipients::PartnerB, None, "Just for you", t0())
            .await
            .unwrap();
    templates::save(db, c.therapist, Some(id), &own_exercise("Weekly look back, edited"), t0())
        .await
        .unwrap();
    assert_eq!(templates::get(db, c.therapist, id).await.unwrap().template.current_version, 2);
    let sheet = homework::open_sheet(db, c.b, assignment, t0()).await.unwrap();
    assert_eq!(sheet.exercise.title, "Weekly look back");
    assert!(sheet.exercise.questions.iter().any(|q| q.key == "q2"), "Sam seeks physical closeness");
    // Alex was not given it.
    assert_eq!(homework::open_sheet(db, c.a, assignment, t0()).await.unwrap_err(), AppError::NotFound);
    assert!(homework::my_homework(db, c.a).await.unwrap().is_empty());
    // Limits of the assigned version hold: a list with too many items is refused at its field.
    let too_many = answers(&[("q1", "7"), ("q2", "a\nb\nc\nd")]);
    let error =
        homework::save_answers(db, c.b, assignment, 0, &too_many, SaveIntent::Draft, t0()).await.unwrap_err();
    assert_eq!(error.message_for("answers[q2]").as_deref(), Some("A list can have at most 3 items."));
    let scale =
        homework::save_answers(db, c.b, assignment, 0, &answers(&[("q1", "11")]), SaveIntent::Draft, t0())
            .await
            .unwrap_err();
    assert_eq!(scale.message_for("answers[q1]").as_deref(), Some("Choose a number from 0 to 10."));

    // Duplicating copies the content; archiving stops new assignments.
    let copy = templates::duplicate(db, c.therapist, id, t0()).await.unwrap();
    assert_eq!(
        templates::get(db, c.therapist, copy).await.unwrap().content.title,
        "Copy of Weekly look back, edited"
    );
    templates::set_archived(db, c.therapist, id, true, t0()).await.unwrap();
    let archived = templates::assign(db, c.therapist, c.case_id, id, Recipients::Both, None, "", t0()).await;
    assert!(archived.unwrap_err().message_for("template_id").is_some());
    // Another therapist's exercise cannot be assigned to this case, nor this one to theirs.
    let foreign = templates::save(db, other.therapist, None, &own_exercise("Theirs"), t0()).await.unwrap();
    let refused =
        templates::assign(db, c.therapist, c.case_id, foreign, Recipients::Both, None, "", t0()).await;
    assert!(refused.unwrap_err().message_for("template_id").is_some());
    assert_eq!(
        templates::assign(db, other.therapist, c.case_id, foreign, Recipients::Both, None, "", t0())
            .await
            .unwrap_err(),
        AppError::NotFound
    );
}

async fn the_caseload_counts_reviews_steps_and_overdue_work(db: &DatabaseConnection) {
    use app::services::cases::{CaseloadQuery, CaseloadSort};
    let c = couple(db, "counts").await;
    let due = t0().date_naive() - chrono::Duration::days(1);
    homework::assign_programme(db, c.therapist, c.case_id, Some(due), "", t0()).await.unwrap();
    let step1 = steps(db, c.case_id).await[0].id;
    let query = CaseloadQuery {
        search: String::new(),
        status: None,
        sort: CaseloadSort::RecentlyUpdated,
        page: 1,
        per_page: 20,
    };
    let row = |page: app::services::cases::CaseloadPage| {
        page.rows.into_iter().find(|r| r.case.id == c.case_id).unwrap()
    };
    let before = row(cases::caseload(db, c.therapist, &query, t0()).await.unwrap()).homework;
    assert_eq!((before.waiting_for_review, before.current_step, before.overdue), (0, Some(1), 1));
    homework::save_answers(db, c.a, step1, 0, &step1_for_alex(), SaveIntent::Submit, t0()).await.unwrap();
    let one = row(cases::caseload(db, c.therapist, &query, t0()).await.unwrap()).homework;
    assert_eq!((one.waiting_for_review, one.current_step, one.overdue), (1, Some(1), 1), "Sam is still due");
    homework::save_answers(db, c.b, step1, 0, &step1_for_sam(), SaveIntent::Submit, t0()).await.unwrap();
    let both = row(cases::caseload(db, c.therapist, &query, t0()).await.unwrap()).homework;
    assert_eq!((both.waiting_for_review, both.current_step, both.overdue), (2, Some(2), 0));

    // "Overdue" follows the therapist's time zone: at 02:00 UTC it is still yesterday in
    // Los Angeles, so work due yesterday (UTC) is not late there yet.
    let zoned = couple(db, "zone").await;
    let due = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    homework::assign_programme(db, zoned.therapist, zoned.case_id, Some(due), "", t0()).await.unwrap();
    let night = Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).unwrap();
    let overdue = |page: app::services::cases::CaseloadPage| {
        page.rows.into_iter().find(|r| r.case.id == zoned.case_id).unwrap().homework.overdue
    };
    assert_eq!(overdue(cases::caseload(db, zoned.therapist, &query, night).await.unwrap()), 1);
    let refused = settings::set_time_zone(db, zoned.therapist, "Mars/Olympus", t0()).await.unwrap_err();
    assert!(refused.message_for("time_zone").is_some());
    settings::set_time_zone(db, zoned.therapist, "America/Los_Angeles", t0()).await.unwrap();
    assert_eq!(overdue(cases::caseload(db, zoned.therapist, &query, night).await.unwrap()), 0);
}

/// A couple who have both submitted and shared step 1 (so each has wishes to the other).
async fn couple_past_step_1(db: &DatabaseConnection, tag: &str) -> Couple {
    let c = couple(db, tag).await;
    homework::assign_programme(db, c.therapist, c.case_id, None, "", t0()).await.unwrap();
    let step1 = steps(db, c.case_id).await[0].id;
    homework::save_answers(db, c.a, step1, 0, &step1_for_alex(), SaveIntent::Submit, t0()).await.unwrap();
    homework::save_answers(db, c.b, step1, 0, &step1_for_sam(), SaveIntent::Submit, t0()).await.unwrap();
    c
}

async fn share_step_1(db: &DatabaseConnection, c: &Couple) {
    let step1 = steps(db, c.case_id).await[0].id;
    homework::share(db, c.a, step1, t0()).await.unwrap();
    homework::share(db, c.b, step1, t0()).await.unwrap();
}

fn wish_by<'a>(board: &'a exchange::Board, text: &str) -> &'a app::entities::wishes::Model {
    &board.wishes.iter().find(|t| t.wish.text == text).unwrap().wish
}

async fn the_exchange_follows_its_rules(db: &DatabaseConnection) {
    use app::domain::exchange::WishAction::*;
    let c = couple_past_step_1(db, "exchange").await;
    // Step 1's lists became wishes; each partner sees only their own until both share.
    let alex_board = exchange::board(db, c.a).await.unwrap();
    assert_eq!(alex_board.wishes.len(), 2);
    assert!(!alex_board.revealed);
    let sam_board = exchange::board(db, c.b).await.unwrap();
    assert_eq!(
        sam_board.wishes.iter().map(|t| t.wish.text.as_str()).collect::<Vec<_>>(),
        ["Hug me when you come home"]
    );
    let ask = wish_by(&alex_board, "Ask about my day").clone();
    let early = exchange::act_on_wish(db, c.b, ask.id, ask.version, Yes, details("", 5), t0()).await;
    assert_eq!(early.unwrap_err(), AppError::NotFound, "Sam cannot act on a wish Sam cannot see");

    share_step_1(db, &c).await;
    assert_eq!(exchange::board(db, c.b).await.unwrap().wishes.len(), 3);
    // Only the addressee answers; a smaller step needs words and an ease rating.
    let own = exchange::act_on_wish(db, c.a, ask.id, ask.version, Yes, details("", 5), t0()).await;
    assert!(matches!(own.unwrap_err(), AppError::Conflict { .. }));
    let wordless =
        exchange::act_on_wish(db, c.b, ask.id, ask.version, SmallerStep, details(" ", 4), t0()).await;
    assert!(wordless.unwrap_err().message_for("offer").is_some());
    exchange::act_on_wish(
        db,
        c.b,
        ask.id,
        ask.version,
        SmallerStep,
        details("Ask one question at dinner", 4),
        t0(),
    )
    .await
    .unwrap();
    // The wisher asks for a different step, then accepts the next one.
    let ask = wish_by(&exchange::board(db, c.a).await.unwrap(), "Ask about my day").clone();
    assert_eq!(ask.state, "offer_pending");
    exchange::act_on_wish(db, c.a, ask.id, ask.version, AskDifferent, details("", 0), t0()).await.unwrap();
    let stale = exchange::act_on_wish(db, c.b, ask.id, ask.version, SmallerStep, details("x", 3), t0()).await;
    assert!(stale.unwrap_err().to_string().contains("changed a moment ago"));
    exchange::act_on_wish(
        db,
        c.b,
        ask.id,
        ask.version + 1,
        SmallerStep,
        details("Ask at the weekend", 5),
        t0(),
    )
    .await
    .unwrap();
    exchange::act_on_wish(db, c.a, ask.id, ask.version + 2, AcceptOffer, details("", 0), t0()).await.unwrap();
    let board = exchange::board(db, c.a).await.unwrap();
    let thread = board.wishes.iter().find(|t| t.wish.id == ask.id).unwrap();
    assert_eq!(thread.wish.state, "agreed");
    let statuses: Vec<&str> = thread.offers.iter().map(|o| o.status.as_str()).collect();
    assert_eq!(statuses, ["declined", "accepted"], "the thread keeps every offer");
    assert_eq!(board.agreements.len(), 1);
    assert_eq!(board.agreements[0].text, "Ask at the weekend");

    // A withdrawn wish cannot be agreed.
    let phones = wish_by(&board, "Put phones away at dinner").clone();
    exchange::act_on_wish(db, c.a, phones.id, phones.version, Withdraw, details("", 0), t0()).await.unwrap();
    let late = exchange::act_on_wish(db, c.b, phones.id, phones.version + 1, Yes, details("", 5), t0()).await;
    assert!(late.unwrap_err().to_string().contains("withdrawn"));

    // Only the giver chooses an agreement to practise, 1 to 7 times a week.
    let agreement = board.agreements[0].id;
    assert!(matches!(
        exchange::choose_agreement(db, c.a, agreement, true, 2, t0()).await.unwrap_err(),
        AppError::Conflict { .. }
    ));
    assert!(exchange::choose_agreement(db, c.b, agreement, true, 9, t0())
        .await
        .unwrap_err()
        .message_for("times_per_week")
        .is_some());
    exchange::choose_agreement(db, c.b, agreement, true, 2, t0()).await.unwrap();
    // Sam's own wish, answered "yes" by Alex, is an agreement Alex gives.
    let hug = wish_by(&board, "Hug me when you come home").clone();
    exchange::act_on_wish(db, c.a, hug.id, hug.version, Yes, details("", 3), t0()).await.unwrap();
    let agreements = exchange::board(db, c.b).await.unwrap().agreements;
    assert_eq!(agreements.len(), 2);
    assert_eq!(agreements[0].text, "Ask at the weekend", "easiest first");

    // Only the wisher re-tags a wish, on the version they saw.
    let hug_now = wish_by(&exchange::board(db, c.b).await.unwrap(), "Hug me when you come home").clone();
    assert!(matches!(
        exchange::retag_wish(db, c.a, hug.id, hug_now.version, "physical", 3, t0()).await.unwrap_err(),
        AppError::Conflict { .. }
    ));
    assert!(exchange::retag_wish(db, c.b, hug.id, hug_now.version, "romantic", 3, t0())
        .await
        .unwrap_err()
        .message_for("kind")
        .is_some());
    exchange::retag_wish(db, c.b, hug.id, hug_now.version, "physical", 3, t0()).await.unwrap();
    let stale = exchange::retag_wish(db, c.b, hug.id, hug_now.version, "sexual", 1, t0()).await;
    assert!(matches!(stale.unwrap_err(), AppError::Conflict { .. }));
    let retagged = wish_by(&exchange::board(db, c.b).await.unwrap(), "Hug me when you come home").clone();
    assert_eq!((retagged.kind.as_str(), retagged.importance), ("physical", 3));

    // Another couple's client and therapist get nothing; a closed case accepts nothing.
    let other = couple(db, "exchange-other").await;
    assert_eq!(
        exchange::act_on_wish(db, other.a, hug.id, 1, Yes, details("", 3), t0()).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(exchange::case_board(db, other.therapist, c.case_id).await.unwrap_err(), AppError::NotFound);
    assert_eq!(exchange::case_board(db, c.therapist, c.case_id).await.unwrap().wishes.len(), 3);
    cases::set_status(db, c.therapist, c.case_id, app::domain::case::CaseStatus::Closed, t0()).await.unwrap();
    assert!(matches!(
        exchange::add_wish(db, c.a, "Walk together", "everyday", 2, t0()).await.unwrap_err(),
        AppError::Conflict { .. }
    ));
}

fn details(offer: &str, ease: i16) -> exchange::ActionDetails {
    exchange::ActionDetails { offer: offer.to_owned(), ease: (ease > 0).then_some(ease) }
}

async fn both_partners_acting_at_once_never_lose_an_update(db: &DatabaseConnection) {
    use app::domain::exchange::WishAction::*;
    let c = couple_past_step_1(db, "race").await;
    share_step_1(db, &c).await;
    for round in 0..4 {
        let text = format!("Wish {round}");
        let id = exchange::add_wish(db, c.a, &text, "emotional", 3, t0()).await.unwrap();
        // Sam answers while Alex withdraws, both from version 1: exactly one wins.
        let (answer, withdraw) = tokio::join!(
            exchange::act_on_wish(db, c.b, id, 1, SmallerStep, details("A smaller one", 4), t0()),
            exchange::act_on_wish(db, c.a, id, 1, Withdraw, details("", 0), t0()),
        );
        assert!(answer.is_ok() != withdraw.is_ok(), "round {round}: {answer:?} / {withdraw:?}");
        let loser = answer.err().or(withdraw.err()).unwrap();
        assert!(matches!(loser, AppError::Conflict { .. }), "{loser:?}");
        let board = exchange::board(db, c.a).await.unwrap();
        let wish = wish_by(&board, &text);
        assert_eq!(wish.version, 2);
        let offers = &board.wishes.iter().find(|t| t.wish.id == id).unwrap().offers;
        assert_eq!(offers.len(), usize::from(wish.state == "offer_pending"), "no offer without its state");
    }
}

async fn check_ins_share_ratings_only_by_mutual_consent(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "checkin").await;
    let this_week = exchange::week_start(t0().date_naive());
    let form = |week: chrono::NaiveDate, emotional: i16| exchange::CheckInForm {
        week_start: week,
        my_part: "done".into(),
        noticed: "partly".into(),
        emotional,
        physical: 4,
        note: "PRIVATE-NOTE".into(),
    };
    let last_week = this_week - chrono::Duration::weeks(1);
    exchange::save_check_in(db, c.a, form(last_week, 3), t0()).await.unwrap();
    exchange::save_check_in(db, c.a, form(this_week, 5), t0()).await.unwrap();
    exchange::save_check_in(db, c.a, form(this_week, 6), t0()).await.unwrap();
    exchange::save_check_in(db, c.b, form(this_week, 7), t0()).await.unwrap();
    let future =
        exchange::save_check_in(db, c.a, form(this_week + chrono::Duration::weeks(1), 5), t0()).await;
    assert!(future.unwrap_err().message_for("week_start").is_some());
    let tuesday =
        exchange::save_check_in(db, c.a, form(this_week + chrono::Duration::days(1), 5), t0()).await;
    assert!(tuesday.unwrap_err().message_for("week_start").is_some());
    let mut bad = form(this_week, 11);
    bad.my_part = "maybe".into();
    assert!(exchange::save_check_in(db, c.a, bad, t0()).await.unwrap_err().message_for("my_part").is_some());

    let alex = exchange::practice(db, c.a).await.unwrap();
    assert_eq!(
        alex.check_ins.iter().map(|c| c.emotional).collect::<Vec<_>>(),
        [3, 6],
        "a week is corrected, not doubled"
    );
    assert!(alex.partner_ratings.is_empty());
    exchange::set_share_ratings(db, c.a, true, t0()).await.unwrap();
    assert!(
        exchange::practice(db, c.a).await.unwrap().partner_ratings.is_empty(),
        "one consent is not enough"
    );
    exchange::set_share_ratings(db, c.b, true, t0()).await.unwrap();
    let alex = exchange::practice(db, c.a).await.unwrap();
    assert_eq!(alex.partner_ratings.iter().map(|r| r.2).collect::<Vec<_>>(), [7]);
    // Sam never receives Alex's check-in answers or note, only the shared ratings.
    let sam = exchange::practice(db, c.b).await.unwrap();
    assert!(sam.check_ins.iter().all(|check_in| check_in.partner_id != alex.check_ins[0].partner_id));
    assert_eq!(exchange::case_practice(db, c.therapist, c.case_id).await.unwrap().check_ins.len(), 3);
    let other = couple(db, "checkin-other").await;
    assert_eq!(
        exchange::case_practice(db, other.therapist, c.case_id).await.unwrap_err(),
        AppError::NotFound
    );
    assert!(exchange::practice(db, other.a).await.unwrap().check_ins.is_empty());
}

async fn the_pact_and_private_notes(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "pact").await;
    exchange::save_pact(db, c.a, "Old hurt about holidays", false, true, false, t0()).await.unwrap();
    let sam_view = exchange::pact(db, c.b).await.unwrap();
    assert_eq!(sam_view.entries[0].1.as_ref().unwrap().letting_go, "", "unshared writing stays private");
    let therapist_view = exchange::case_pact(db, c.therapist, c.case_id).await.unwrap();
    assert_eq!(therapist_view.entries[0].1.as_ref().unwrap().letting_go, "Old hurt about holidays");
    exchange::save_pact(db, c.a, "Old hurt about holidays", true, true, true, t0()).await.unwrap();
    assert_eq!(
        exchange::pact(db, c.b).await.unwrap().entries[0].1.as_ref().unwrap().letting_go,
        "Old hurt about holidays"
    );
    let again = exchange::save_pact(db, c.a, "changed", true, false, true, t0()).await.unwrap_err();
    assert!(matches!(again, AppError::Conflict { .. }));
    let empty = exchange::save_pact(db, c.b, " ", false, false, true, t0()).await.unwrap_err();
    assert!(empty.message_for("letting_go").is_some());
    exchange::save_pact(db, c.b, "Keeping score", false, false, true, t0()).await.unwrap();
    let done = exchange::pact(db, c.a).await.unwrap();
    assert_eq!(done.completed_at, Some(t0()));
    let emails = app::entities::outbox_emails::Entity::find()
        .filter(app::entities::outbox_emails::Column::Kind.eq("case_update"))
        .filter(app::entities::outbox_emails::Column::CaseId.eq(c.case_id))
        .all(db)
        .await
        .unwrap();
    assert_eq!(emails.len(), 1, "the therapist is told once");
    assert!(!emails[0].text_body.contains("Keeping score") && !emails[0].text_body.contains("Alex"));

    // A private note reaches the therapist only, and shows as unread on the caseload.
    exchange::send_private_note(db, c.a, "PRIVATE: I feel unsafe at home", t0()).await.unwrap();
    assert!(exchange::send_private_note(db, c.a, "  ", t0())
        .await
        .unwrap_err()
        .message_for("body")
        .is_some());
    assert!(exchange::my_private_notes(db, c.b).await.unwrap().is_empty());
    assert_eq!(exchange::my_private_notes(db, c.a).await.unwrap().len(), 1);
    let query = cases::CaseloadQuery {
        search: String::new(),
        status: None,
        sort: cases::CaseloadSort::RecentlyUpdated,
        page: 1,
        per_page: 20,
    };
    let unread = |page: cases::CaseloadPage| {
        page.rows.into_iter().find(|r| r.case.id == c.case_id).unwrap().unread_notes
    };
    assert_eq!(unread(cases::caseload(db, c.therapist, &query, t0()).await.unwrap()), 1);
    let notes = exchange::case_private_notes(db, c.therapist, c.case_id, t0()).await.unwrap();
    assert_eq!(notes[0].body, "PRIVATE: I feel unsafe at home");
    assert_eq!(unread(cases::caseload(db, c.therapist, &query, t0()).await.unwrap()), 0);
    assert_eq!(
        exchange::case_private_notes(db, c.b, c.case_id, t0()).await.unwrap_err(),
        AppError::Forbidden
    );
}

fn follow_up(body: &str, send_at: Option<DateTime<Utc>>, times: Vec<DateTime<Utc>>) -> messages::FollowUp {
    messages::FollowUp {
        recipients: homework::Recipients::Both,
        subject: "Checking in, {first_name}".into(),
        body: body.into(),
        progress_summary: "You have completed 1 of 5 steps.".into(),
        send_at,
        times,
    }
}

async fn emails_of(
    db: &DatabaseConnection,
    case_id: i32,
    kind: &str,
) -> Vec<app::entities::outbox_emails::Model> {
    app::entities::outbox_emails::Entity::find()
        .filter(app::entities::outbox_emails::Column::CaseId.eq(case_id))
        .filter(app::entities::outbox_emails::Column::Kind.eq(kind))
        .order_by_asc(app::entities::outbox_emails::Column::Id)
        .all(db)
        .await
        .unwrap()
}

async fn follow_ups_are_checked_rendered_and_scheduled(db: &DatabaseConnection) {
    let c = couple(db, "follow").await;
    let later = t0() + chrono::Duration::hours(2);
    let unknown =
        messages::send_follow_up(db, c.therapist, c.case_id, follow_up("Hi {firstname}", None, vec![]), t0())
            .await;
    assert!(unknown.unwrap_err().message_for("body").unwrap().contains("{firstname}"));
    let empty =
        messages::send_follow_up(db, c.therapist, c.case_id, follow_up("  ", None, vec![]), t0()).await;
    assert!(empty.unwrap_err().message_for("body").is_some());
    let past = messages::send_follow_up(
        db,
        c.therapist,
        c.case_id,
        follow_up("Hi", Some(t0() - chrono::Duration::hours(1)), vec![]),
        t0(),
    )
    .await;
    assert!(past.unwrap_err().message_for("send_at").is_some());
    let four =
        messages::send_follow_up(db, c.therapist, c.case_id, follow_up("Hi", None, vec![later; 4]), t0())
            .await;
    assert!(four.unwrap_err().message_for("times").is_some());
    let other = couple(db, "follow-other").await;
    let foreign =
        messages::send_follow_up(db, other.therapist, c.case_id, follow_up("Hi", None, vec![]), t0()).await;
    assert_eq!(foreign.unwrap_err(), AppError::NotFound);
    assert!(emails_of(db, c.case_id, "follow_up").await.is_empty(), "nothing is sent when refused");

    let body = "Hello {first_name}. {progress_summary} Book: {booking_link}";
    let sent =
        messages::send_follow_up(db, c.therapist, c.case_id, follow_up(body, Some(later), vec![]), t0())
            .await
            .unwrap();
    assert_eq!(sent, 2);
    let emails = emails_of(db, c.case_id, "follow_up").await;
    assert_eq!(emails.len(), 2);
    assert_eq!(emails[0].subject, "Checking in, Alex");
    assert!(emails[0].text_body.starts_with("Hello Alex. You have completed 1 of 5 steps."));
    assert!(emails[1].text_body.starts_with("Hello Sam."));
    assert!(emails.iter().all(|e| e.next_attempt_at == later), "scheduled, and stored so a restart keeps it");
}

async fn consultation_links_are_single_use(db: &DatabaseConnection) {
    let c = couple(db, "consult").await;
    let (first, second) = (t0() + chrono::Duration::days(2), t0() + chrono::Duration::days(3));
    messages::send_follow_up(
        db,
        c.therapist,
        c.case_id,
        follow_up("Hi {first_name}", None, vec![first, second]),
        t0(),
    )
    .await
    .unwrap();
    let emails = emails_of(db, c.case_id, "follow_up").await;
    let links = |text: &str| -> Vec<String> {
        text.lines().filter_map(|line| line.split("/consult/").nth(1)).map(str::to_owned).collect()
    };
    let alex_links = links(&emails[0].text_body);
    let sam_links = links(&emails[1].text_body);
    assert_eq!((alex_links.len(), sam_links.len()), (2, 2), "one link per time");
    assert!(emails[0].text_body.contains("{link}/consult/"), "the address is filled in when sent");

    assert_eq!(
        messages::slot_link(db, &alex_links[0], t0()).await.unwrap().state,
        messages::SlotLinkState::Open
    );
    let tampered = format!("{}x", alex_links[0]);
    assert_eq!(messages::slot_link(db, &tampered, t0()).await.unwrap_err(), AppError::NotFound);
    assert_eq!(messages::choose_slot(db, "not-a-link", t0()).await.unwrap_err(), AppError::NotFound);
    let expired = messages::choose_slot(db, &alex_links[0], first + chrono::Duration::minutes(1)).await;
    assert!(expired.unwrap_err().to_string().contains("passed"));

    assert_eq!(messages::choose_slot(db, &alex_links[0], t0()).await.unwrap(), first);
    let twice = messages::choose_slot(db, &alex_links[0], t0()).await.unwrap_err();
    assert!(twice.to_string().contains("already been used"));
    assert_eq!(
        messages::slot_link(db, &sam_links[1], t0()).await.unwrap().state,
        messages::SlotLinkState::Taken
    );
    assert!(messages::choose_slot(db, &sam_links[1], t0()).await.is_err(), "one choice per proposal");

    let calendars = emails_of(db, c.case_id, "calendar").await;
    assert_eq!(calendars.len(), 2, "both partners get the invitation");
    assert!(calendars.iter().all(|e| e.calendar.as_deref().is_some_and(|ics| ics.contains("BEGIN:VEVENT"))));
    let told = emails_of(db, c.case_id, "notification").await;
    assert!(told.iter().any(|e| e.subject == "A consultation time was chosen"));
    let defaults = messages::compose_defaults(db, c.therapist, c.case_id).await.unwrap();
    assert_eq!(defaults.slots.iter().filter(|s| s.chosen_at.is_some()).count(), 1);
}

async fn reminders_respect_choices_quiet_hours_and_run_once(db: &DatabaseConnection) {
    use app::services::reminders;
    let c = couple(db, "remind").await;
    // Sam turns reminders off; Alex keeps them.
    settings::set_reminders(db, c.b, false, t0()).await.unwrap();
    let morning = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let tomorrow = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    homework::assign_programme(db, c.therapist, c.case_id, Some(tomorrow), "", morning).await.unwrap();
    let to = |emails: &[app::entities::outbox_emails::Model], name: &str| {
        emails.iter().filter(|e| e.to_name == name).count()
    };
    let assigned = emails_of(db, c.case_id, "notification").await;
    assert_eq!((to(&assigned, "Alex"), to(&assigned, "Sam")), (1, 0), "new homework, told to Alex only");

    assert_eq!(reminders::run_due(db, morning).await.unwrap(), 1, "due tomorrow, Alex only");
    assert_eq!(
        reminders::run_due(db, morning).await.unwrap(),
        0,
        "a second run (a restart) sends nothing twice"
    );
    let due = emails_of(db, c.case_id, "reminder").await;
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].to_name, "Alex");
    assert_eq!(due[0].subject, "Some homework is due tomorrow");
    // Overdue: not in quiet hours, then once, then not again within the week.
    let late_night = Utc.with_ymd_and_hms(2026, 11, 26, 22, 0, 0).unwrap();
    assert_eq!(reminders::run_due(db, late_night).await.unwrap(), 0, "quiet hours");
    let next_day = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
    assert_eq!(reminders::run_due(db, next_day).await.unwrap(), 1);
    assert_eq!(
        reminders::run_due(db, next_day + chrono::Duration::days(3)).await.unwrap(),
        0,
        "at most weekly"
    );
    assert_eq!(reminders::run_due(db, next_day + chrono::Duration::days(7)).await.unwrap(), 1);

    // A comment written at night reaches Alex at 08:00.
    let step1 = steps(db, c.case_id).await[0].id;
    homework::save_answers(db, c.a, step1, 0, &step1_for_alex(), SaveIntent::Submit, morning).await.unwrap();
    let submitted = emails_of(db, c.case_id, "notification").await;
    assert!(
        submitted.iter().any(|e| e.subject == "A client submitted homework"),
        "the therapist is told at once"
    );
    let review = homework::review_sheet(db, c.therapist, step1, morning).await.unwrap();
    let response = review.partners[0].1.clone().unwrap().id;
    let night = Utc.with_ymd_and_hms(2026, 11, 27, 23, 30, 0).unwrap();
    homework::comment(db, c.therapist, response, None, "Lovely", night).await.unwrap();
    let comment_email = emails_of(db, c.case_id, "notification").await.into_iter().last().unwrap();
    assert_eq!(comment_email.subject, "Your therapist left you a comment");
    assert_eq!(comment_email.next_attempt_at, Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap());
}

on_both_databases!(
    follow_ups_are_checked_rendered_and_scheduled,
    consultation_links_are_single_use,
    reminders_respect_choices_quiet_hours_and_run_once,
    the_exchange_follows_its_rules,
    both_partners_acting_at_once_never_lose_an_update,
    check_ins_share_ratings_only_by_mutual_consent,
    the_pact_and_private_notes,
    own_exercises_are_versioned_archived_and_assigned,
    the_caseload_counts_reviews_steps_and_overdue_work,
    the_programme_unlocks_step_by_step,
    answers_stay_private_until_both_share,
    comments_reach_only_their_partner,
    assignments_keep_the_version_they_were_given,
    a_closed_case_accepts_no_homework,
);
