//! Service tests for homework: the Baby Steps programme, drafts and submissions, sharing and
//! the mutual reveal, review and comments — on SQLite and PostgreSQL. Every function that
//! returns answers is checked to never hand a partner the other's unshared answers, and to
//! give a client of another case nothing.

use crate::support;

use app::{
    domain::homework::ResponseStatus,
    entities::exercise_versions,
    error::AppError,
    services::{
        case_page::case_homework_tab,
        cases,
        homework::{self, SaveIntent},
    },
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, IntoActiveModel};
use support::fixtures::*;

async fn the_programme_unlocks_step_by_step(db: &DatabaseConnection) {
    let c = couple(db, "flow").await;
    homework::assign_programme(
        db,
        c.therapist,
        c.case_id,
        homework::ProgrammeChoice::whole(None, "Take your time."),
        t0(),
    )
    .await
    .unwrap();
    let all = steps(db, c.case_id).await;
    assert_eq!(all.len(), 5);
    assert!(all[0].unlocked_at.is_some() && all[1..].iter().all(|s| s.unlocked_at.is_none()));
    assert!(matches!(
        homework::assign_programme(
            db,
            c.therapist,
            c.case_id,
            homework::ProgrammeChoice::whole(None, ""),
            t0()
        )
        .await
        .unwrap_err(),
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
    assert_eq!(homework::status_of(reopened.response.as_ref()), ResponseStatus::Draft);
    let rev = reopened.response.unwrap().revision;
    homework::save_answers(db, c.a, step1, rev, &step1_for_alex(), SaveIntent::Submit, t0()).await.unwrap();
    homework::set_reviewed(db, c.therapist, alex_response.id, true, t0()).await.unwrap();
    let items = homework::my_homework(db, c.a).await.unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0].status, ResponseStatus::Reviewed);
}
async fn answers_stay_private_until_both_share(db: &DatabaseConnection) {
    let c = couple(db, "privacy").await;
    homework::assign_programme(db, c.therapist, c.case_id, homework::ProgrammeChoice::whole(None, ""), t0())
        .await
        .unwrap();
    let step1 = steps(db, c.case_id).await[0].id;
    // Drafts: the therapist sees them (as drafts); the other partner does not.
    homework::save_answers(db, c.a, step1, 0, &step1_for_alex(), SaveIntent::Draft, t0()).await.unwrap();
    let review = homework::review_sheet(db, c.therapist, step1, t0()).await.unwrap();
    assert_eq!(homework::status_of(review.partners[0].1.as_ref()), ResponseStatus::Draft);
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
        case_homework_tab(db, other.therapist, c.case_id, t0()).await.map(|page| page.homework).unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(homework::review_sheet(db, c.a, step1, t0()).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(
        case_homework_tab(db, c.a, c.case_id, t0()).await.map(|page| page.homework).unwrap_err(),
        AppError::Forbidden
    );
    // The therapist has no client sheet.
    assert_eq!(homework::open_sheet(db, c.therapist, step1, t0()).await.unwrap_err(), AppError::Forbidden);
}
async fn comments_reach_only_their_partner(db: &DatabaseConnection) {
    let c = couple(db, "comments").await;
    homework::assign_programme(db, c.therapist, c.case_id, homework::ProgrammeChoice::whole(None, ""), t0())
        .await
        .unwrap();
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
    assert_eq!(
        homework::my_homework(db, c.a).await.unwrap()[0].unread_comments,
        2,
        "opening changes nothing"
    );
    let sams = homework::mark_comments_read(db, c.b, step1, t0()).await;
    assert!(matches!(sams, Ok(0) | Err(AppError::NotFound)), "Sam marks none of Alex's: {sams:?}");
    assert_eq!(homework::mark_comments_read(db, c.a, step1, t0()).await.unwrap(), 2);
    assert_eq!(homework::my_homework(db, c.a).await.unwrap()[0].unread_comments, 0, "shown means read");
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
    homework::assign_programme(
        db,
        first.therapist,
        first.case_id,
        homework::ProgrammeChoice::whole(None, ""),
        t0(),
    )
    .await
    .unwrap();
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
    homework::assign_programme(
        db,
        second.therapist,
        second.case_id,
        homework::ProgrammeChoice::whole(None, ""),
        t0(),
    )
    .await
    .unwrap();
    let second_step1 = steps(db, second.case_id).await[0].clone();
    assert_ne!(second_step1.exercise_version_id, step1.exercise_version_id, "a new version was made");
    let old = homework::open_sheet(db, first.a, step1.id, t0()).await.unwrap();
    assert_eq!(old.exercise.title, "Step 1 – as first assigned");
    let new = homework::open_sheet(db, second.a, second_step1.id, t0()).await.unwrap();
    assert_eq!(new.exercise.title, app::domain::baby_steps::programme().steps[0].title);
}
async fn a_closed_case_accepts_no_homework(db: &DatabaseConnection) {
    let c = couple(db, "closed").await;
    homework::assign_programme(db, c.therapist, c.case_id, homework::ProgrammeChoice::whole(None, ""), t0())
        .await
        .unwrap();
    let step1 = steps(db, c.case_id).await[0].id;
    cases::set_status(db, c.therapist, c.case_id, app::domain::case::CaseStatus::Closed, t0()).await.unwrap();
    let error = homework::save_answers(db, c.a, step1, 0, &step1_for_alex(), SaveIntent::Draft, t0())
        .await
        .unwrap_err();
    assert!(matches!(error, AppError::NoAccess { .. }));
    let other = couple(db, "closed2").await;
    cases::set_status(db, other.therapist, other.case_id, app::domain::case::CaseStatus::Closed, t0())
        .await
        .unwrap();
    assert!(matches!(
        homework::assign_programme(
            db,
            other.therapist,
            other.case_id,
            homework::ProgrammeChoice::whole(None, ""),
            t0()
        )
        .await
        .unwrap_err(),
        AppError::Conflict { .. }
    ));
}

/// After the therapist reopens a shared submission, the other partner keeps seeing the
/// version that was shared — never the new draft — until it is submitted and shared again.
async fn a_reopened_submission_shows_the_partner_only_what_was_shared(db: &DatabaseConnection) {
    let c = couple(db, "reopen").await;
    homework::assign_programme(db, c.therapist, c.case_id, homework::ProgrammeChoice::whole(None, ""), t0())
        .await
        .unwrap();
    let step1 = steps(db, c.case_id).await[0].id;
    let first = answers(&[("emotional_meaning", "SHARED-VERSION"), ("behaviours", "Ask about my day")]);
    homework::save_answers(db, c.a, step1, 0, &first, SaveIntent::Submit, t0()).await.unwrap();
    homework::share(db, c.a, step1, t0()).await.unwrap();
    homework::save_answers(db, c.b, step1, 0, &step1_for_sam(), SaveIntent::Submit, t0()).await.unwrap();
    homework::share(db, c.b, step1, t0()).await.unwrap();
    let seen = |sheet: homework::ExerciseSheet| format!("{:?}", sheet.partner_answers.expect("revealed"));
    assert!(seen(homework::open_sheet(db, c.b, step1, t0()).await.unwrap()).contains("SHARED-VERSION"));

    let alex = homework::open_sheet(db, c.a, step1, t0()).await.unwrap().response.unwrap();
    assert!(!homework::partner_sees_older_version(&alex), "shared and unchanged");
    homework::set_reviewed(db, c.therapist, alex.id, false, t0()).await.unwrap();
    let reopened = homework::open_sheet(db, c.a, step1, t0()).await.unwrap().response.unwrap();
    assert!(homework::partner_sees_older_version(&reopened), "reopened: Alex is told at once");
    let second = answers(&[("emotional_meaning", "DRAFT-AFTER-REOPEN"), ("behaviours", "Ask about my day")]);
    let rev = homework::save_answers(db, c.a, step1, alex.revision, &second, SaveIntent::Draft, t0())
        .await
        .unwrap();
    let sam_sees = seen(homework::open_sheet(db, c.b, step1, t0()).await.unwrap());
    assert!(sam_sees.contains("SHARED-VERSION") && !sam_sees.contains("DRAFT-AFTER-REOPEN"), "{sam_sees}");
    let alex_sheet = homework::open_sheet(db, c.a, step1, t0()).await.unwrap();
    assert!(homework::partner_sees_older_version(alex_sheet.response.as_ref().unwrap()));

    // Submitted again but not yet shared again: still the old version.
    homework::save_answers(db, c.a, step1, rev, &second, SaveIntent::Submit, t0()).await.unwrap();
    let sam_sees = seen(homework::open_sheet(db, c.b, step1, t0()).await.unwrap());
    assert!(!sam_sees.contains("DRAFT-AFTER-REOPEN"), "{sam_sees}");
    // Shared again: now the new version.
    homework::share(db, c.a, step1, t0()).await.unwrap();
    let sam_sees = seen(homework::open_sheet(db, c.b, step1, t0()).await.unwrap());
    assert!(sam_sees.contains("DRAFT-AFTER-REOPEN") && !sam_sees.contains("SHARED-VERSION"), "{sam_sees}");
    let alex_sheet = homework::open_sheet(db, c.a, step1, t0()).await.unwrap();
    assert!(!homework::partner_sees_older_version(alex_sheet.response.as_ref().unwrap()));
}

async fn baby_steps_needs_each_partner_screened_alone(db: &DatabaseConnection) {
    use app::entities::audit_entries;
    use sea_orm::{ColumnTrait, QueryFilter};
    let c = couple(db, "screen").await;
    let refused = homework::assign_programme(
        db,
        c.therapist,
        c.case_id,
        homework::ProgrammeChoice { screened: false, ..homework::ProgrammeChoice::whole(None, "") },
        t0(),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.message_for("screened").as_deref(), Some(homework::SCREENING_REQUIRED));
    assert_eq!(homework::SCREENING_REQUIRED, "Confirm that you have screened each partner alone first.");
    assert!(steps(db, c.case_id).await.is_empty(), "nothing assigned without the screening");
    let other = couple(db, "screen-other").await;
    assert_eq!(
        homework::assign_programme(
            db,
            other.therapist,
            c.case_id,
            homework::ProgrammeChoice::whole(None, ""),
            t0()
        )
        .await
        .unwrap_err(),
        AppError::NotFound
    );
    homework::assign_programme(db, c.therapist, c.case_id, homework::ProgrammeChoice::whole(None, ""), t0())
        .await
        .unwrap();
    assert_eq!(steps(db, c.case_id).await.len(), 5);
    let confirmed = audit_entries::Entity::find()
        .filter(audit_entries::Column::Action.eq("case.safety_screening_confirmed"))
        .all(db)
        .await
        .unwrap();
    assert_eq!(confirmed.len(), 1);
    assert_eq!(confirmed[0].record_id, c.case_id.to_string());
    assert_eq!(confirmed[0].actor_user_id, Some(c.therapist.user_id));
}

async fn each_step_gets_its_own_due_date_and_note(db: &DatabaseConnection) {
    let c = couple(db, "plan").await;
    let other = couple(db, "plan-other").await;
    homework::assign_programme(db, c.therapist, c.case_id, homework::ProgrammeChoice::whole(None, ""), t0())
        .await
        .unwrap();
    let step_3 = steps(db, c.case_id).await[2].id;
    let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 14).unwrap();
    homework::plan_step(db, c.therapist, step_3, Some(due), "  After your session on the 10th. ", t0())
        .await
        .unwrap();
    // The partners read it with the step, even while it is locked.
    let mine = homework::my_homework(db, c.a).await.unwrap();
    let planned = mine.iter().find(|item| item.assignment.id == step_3).unwrap();
    assert_eq!(
        (planned.assignment.due_on, planned.assignment.note.as_str()),
        (Some(due), "After your session on the 10th.")
    );
    // Cleared again; bad input is refused at its field; nobody else may plan it.
    homework::plan_step(db, c.therapist, step_3, None, "", t0()).await.unwrap();
    assert_eq!(steps(db, c.case_id).await[2].due_on, None);
    let long = "x".repeat(2_001);
    let refused = homework::plan_step(db, c.therapist, step_3, None, &long, t0()).await.unwrap_err();
    assert!(refused.message_for("note").is_some(), "{refused:?}");
    let far = chrono::NaiveDate::from_ymd_opt(2300, 1, 1);
    let refused = homework::plan_step(db, c.therapist, step_3, far, "", t0()).await.unwrap_err();
    assert!(refused.message_for("due_on").is_some(), "{refused:?}");
    for (who, expected) in
        [(c.a, AppError::Forbidden), (other.a, AppError::Forbidden), (other.therapist, AppError::NotFound)]
    {
        assert_eq!(homework::plan_step(db, who, step_3, None, "", t0()).await.unwrap_err(), expected);
    }
    cases::set_status(db, c.therapist, c.case_id, app::domain::case::CaseStatus::Closed, t0()).await.unwrap();
    let closed = homework::plan_step(db, c.therapist, step_3, None, "", t0()).await.unwrap_err();
    assert!(matches!(closed, AppError::Conflict { .. }), "{closed:?}");
}

async fn a_skipped_step_shows_its_reason_and_opens_the_next(db: &DatabaseConnection) {
    let c = couple(db, "skip").await;
    let other = couple(db, "skip-other").await;
    homework::assign_programme(db, c.therapist, c.case_id, homework::ProgrammeChoice::whole(None, ""), t0())
        .await
        .unwrap();
    let all = steps(db, c.case_id).await;
    let (step_2, step_3) = (all[1].id, all[2].id);
    // A reason is required, plain, and short enough; nobody else may skip.
    let empty = homework::skip_step(db, c.therapist, step_2, "  ", t0()).await.unwrap_err();
    assert!(empty.message_for("reason").is_some(), "{empty:?}");
    let long = "x".repeat(501);
    assert!(homework::skip_step(db, c.therapist, step_2, &long, t0())
        .await
        .unwrap_err()
        .message_for("reason")
        .is_some());
    for (who, expected) in [(c.a, AppError::Forbidden), (other.therapist, AppError::NotFound)] {
        assert_eq!(homework::skip_step(db, who, step_2, "No", t0()).await.unwrap_err(), expected);
    }
    homework::skip_step(db, c.therapist, step_2, "We talked it through in our session.", t0()).await.unwrap();
    let after = steps(db, c.case_id).await;
    assert!(after[1].skipped_at.is_some());
    assert!(after[2].unlocked_at.is_some(), "the next step opens at once");
    assert!(after[0].unlocked_at.is_some() && after[0].skipped_at.is_none(), "step 1 goes on as it was");
    // The partners read why, and cannot write in it.
    let mine = homework::my_homework(db, c.a).await.unwrap();
    let skipped = mine.iter().find(|item| item.assignment.id == step_2).unwrap();
    assert_eq!(skipped.assignment.skip_reason, "We talked it through in our session.");
    let refused = homework::open_sheet(db, c.a, step_2, t0()).await.unwrap_err();
    assert!(
        matches!(&refused, AppError::Conflict { message } if message.contains("We talked it through")),
        "{refused:?}"
    );
    let draft = answers(&[("heard_mind", "A thought")]);
    assert!(matches!(
        homework::save_answers(db, c.a, step_2, 0, &draft, SaveIntent::Draft, t0()).await.unwrap_err(),
        AppError::Conflict { .. }
    ));
    homework::open_sheet(db, c.a, step_3, t0()).await.unwrap();
    // Skipped once; a step that does not exist is not found.
    let again = homework::skip_step(db, c.therapist, step_2, "Again", t0()).await.unwrap_err();
    assert!(matches!(again, AppError::Conflict { .. }), "{again:?}");
    let exercise_like = homework::skip_step(db, c.therapist, step_3 + 1_000, "Gone", t0()).await.unwrap_err();
    assert_eq!(exercise_like, AppError::NotFound);
}

on_both_databases!(
    a_skipped_step_shows_its_reason_and_opens_the_next,
    each_step_gets_its_own_due_date_and_note,
    a_reopened_submission_shows_the_partner_only_what_was_shared,
    baby_steps_needs_each_partner_screened_alone,
    the_programme_unlocks_step_by_step,
    answers_stay_private_until_both_share,
    comments_reach_only_their_partner,
    assignments_keep_the_version_they_were_given,
    a_closed_case_accepts_no_homework,
);
