//! Service tests for the therapist's own exercises: versions, archiving, assigning — on
//! SQLite and PostgreSQL.

use crate::support;

use app::{
    domain::homework::Recipients,
    error::AppError,
    services::{
        homework::{self, SaveIntent},
        templates,
    },
};
use sea_orm::DatabaseConnection;
use support::fixtures::*;

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
                kind: QuestionKind::List { max_items: 3, max_item_chars: 100, tagged: false },
                audience: Audience::SeeksPhysical,
                required: false,
            },
        ],
    }
}
fn exercise_for(template_id: i32, recipients: Recipients, note: &str) -> templates::ExerciseAssignment<'_> {
    templates::ExerciseAssignment { template_id, recipients, due_on: None, note }
}

async fn own_exercises_are_versioned_archived_and_assigned(db: &DatabaseConnection) {
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
    let assignment = templates::assign(
        db,
        c.therapist,
        c.case_id,
        exercise_for(id, Recipients::PartnerB, "Just for you"),
        t0(),
    )
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
    let archived =
        templates::assign(db, c.therapist, c.case_id, exercise_for(id, Recipients::Both, ""), t0()).await;
    assert!(archived.unwrap_err().message_for("template_id").is_some());
    // Another therapist's exercise cannot be assigned to this case, nor this one to theirs.
    let foreign = templates::save(db, other.therapist, None, &own_exercise("Theirs"), t0()).await.unwrap();
    let refused =
        templates::assign(db, c.therapist, c.case_id, exercise_for(foreign, Recipients::Both, ""), t0())
            .await;
    assert!(refused.unwrap_err().message_for("template_id").is_some());
    assert_eq!(
        templates::assign(db, other.therapist, c.case_id, exercise_for(foreign, Recipients::Both, ""), t0())
            .await
            .unwrap_err(),
        AppError::NotFound
    );
}

on_both_databases!(own_exercises_are_versioned_archived_and_assigned,);
