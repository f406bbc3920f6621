//! A client's own writing, as one plain-text document to read on "My writing": their
//! homework answers, wishes, check-ins, step 5 writing and private notes. Nothing the other
//! partner or the therapist wrote is in it. It stays available after the case is closed or
//! the client is removed from it. The download is the client's record export
//! ([`super::export::client_export`]).

use super::{
    access::client_membership,
    audit::{self, AuditAction, AuditEvent},
    clock,
    homework::{content_of, status_of},
    Actor,
};
use crate::{
    domain::answers::{read_value, Answers},
    entities::{
        assignments, check_ins, exercise_versions, pact_entries, private_notes, responses, users, wishes,
    },
    error::AppError,
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::fmt::Write;

/// The client's own writing, as text.
#[derive(Debug, Clone)]
pub struct OwnWriting {
    /// The document.
    pub text: String,
}

/// Everything the signed-in client wrote, oldest first within each part (audited).
pub async fn own_writing(
    db: &impl ConnectionTrait,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<OwnWriting, AppError> {
    let (me, case) = client_membership(db, actor).await?;
    let mut text = String::new();
    let line = |text: &mut String, value: std::fmt::Arguments<'_>| {
        // Writing to a String cannot fail.
        let _ = text.write_fmt(value);
        text.push('\n');
    };
    line(
        &mut text,
        format_args!("What {} wrote in Babysteps, as of {}", me.first_name, now.format("%-d %B %Y")),
    );

    line(&mut text, format_args!("\n== Homework"));
    let my_responses = responses::Entity::find()
        .filter(responses::Column::PartnerId.eq(me.id))
        .order_by_asc(responses::Column::Id)
        .all(db)
        .await?;
    let my_assignments = assignments::Entity::find()
        .filter(assignments::Column::Id.is_in(my_responses.iter().map(|r| r.assignment_id)))
        .all(db)
        .await?;
    let versions = exercise_versions::Entity::find()
        .filter(exercise_versions::Column::Id.is_in(my_assignments.iter().map(|a| a.exercise_version_id)))
        .all(db)
        .await?;
    for response in &my_responses {
        let version = my_assignments
            .iter()
            .find(|a| a.id == response.assignment_id)
            .and_then(|a| versions.iter().find(|v| v.id == a.exercise_version_id))
            .ok_or(AppError::Internal)?;
        let exercise = content_of(version)?;
        let answers: Answers = serde_json::from_str(&response.answers).map_err(|_| AppError::Internal)?;
        line(&mut text, format_args!("\n-- {} ({})", exercise.title, status_of(Some(response)).label()));
        for question in exercise.questions.iter() {
            if let Some(answer) = answers.get(&question.key) {
                line(&mut text, format_args!("{}\n{}\n", question.prompt, read_value(answer)));
            }
        }
    }

    line(&mut text, format_args!("\n== My wishes"));
    let my_wishes = wishes::Entity::find()
        .filter(wishes::Column::WisherId.eq(me.id))
        .order_by_asc(wishes::Column::Id)
        .all(db)
        .await?;
    for wish in my_wishes {
        line(&mut text, format_args!("- {}", wish.text));
    }

    line(&mut text, format_args!("\n== Weekly check-ins"));
    let my_check_ins = check_ins::Entity::find()
        .filter(check_ins::Column::PartnerId.eq(me.id))
        .order_by_asc(check_ins::Column::WeekStart)
        .all(db)
        .await?;
    for check_in in my_check_ins {
        line(
            &mut text,
            format_args!(
                "Week of {}: my part {}, noticed {}, emotional closeness {}/10, physical closeness {}/10",
                check_in.week_start,
                check_in.my_part,
                check_in.noticed,
                check_in.emotional,
                check_in.physical
            ),
        );
        if !check_in.note.is_empty() {
            line(&mut text, format_args!("  {}", check_in.note));
        }
    }

    line(&mut text, format_args!("\n== Letting go (step 5)"));
    let pact = pact_entries::Entity::find().filter(pact_entries::Column::PartnerId.eq(me.id)).one(db).await?;
    if let Some(pact) = pact.filter(|p| !p.letting_go.is_empty()) {
        line(&mut text, format_args!("{}", pact.letting_go));
    }

    line(&mut text, format_args!("\n== Private notes to my therapist"));
    let notes = private_notes::Entity::find()
        .filter(private_notes::Column::PartnerId.eq(me.id))
        .order_by_asc(private_notes::Column::Id)
        .all(db)
        .await?;
    if !notes.is_empty() {
        // Times in the therapist's zone, named, as everywhere a client reads them.
        let zone: Option<String> = users::Entity::find_by_id(case.therapist_id)
            .select_only()
            .column(users::Column::TimeZone)
            .into_tuple()
            .one(db)
            .await?;
        let zone = zone.unwrap_or_else(|| "UTC".to_owned());
        for note in notes {
            line(
                &mut text,
                format_args!("{}:\n{}\n", clock::local(&zone, note.created_at).long(), note.body),
            );
        }
    }

    audit::record(db, AuditEvent::by(actor, AuditAction::OwnWritingViewed, "case", case.id), now).await?;
    Ok(OwnWriting { text })
}
