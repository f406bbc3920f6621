//! Private notes: a client writes to the therapist alone; the partner never sees them.

use super::super::{
    access::{membership_couple_of, OwnedCase},
    audit::{self, AuditAction, AuditEvent},
    Actor,
};
use super::MAX_PRIVATE_CHARS;
use crate::{entities::private_notes, error::AppError};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait,
};

/// Sends the therapist a private note that the partner never sees.
pub async fn send_private_note(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "Write your message first."));
    }
    if body.chars().count() > MAX_PRIVATE_CHARS {
        return Err(AppError::invalid("body", "Please keep this to 4,000 characters or fewer."));
    }
    let txn = db.begin().await?;
    let couple = membership_couple_of(&txn, actor).await?;
    let id = private_notes::Entity::insert(private_notes::ActiveModel {
        case_id: Set(couple.case.id),
        partner_id: Set(couple.me.id),
        body: Set(body.to_owned()),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    audit::record(&txn, AuditEvent::by(actor, AuditAction::PrivateNoteSent, "private_note", id), now).await?;
    txn.commit().await?;
    Ok(())
}

/// The private notes the signed-in client has sent, newest first.
pub async fn my_private_notes(
    db: &impl ConnectionTrait,
    actor: Actor,
) -> Result<Vec<private_notes::Model>, AppError> {
    let couple = membership_couple_of(db, actor).await?;
    Ok(private_notes::Entity::find()
        .filter(private_notes::Column::PartnerId.eq(couple.me.id))
        .order_by_desc(private_notes::Column::Id)
        .all(db)
        .await?)
}

/// A case's private notes for its therapist, newest first; opening them marks them read.
pub async fn case_private_notes(
    db: &impl ConnectionTrait,
    case: &OwnedCase,
    now: DateTime<Utc>,
) -> Result<Vec<private_notes::Model>, AppError> {
    let case_id = case.id;
    let notes = private_notes::Entity::find()
        .filter(private_notes::Column::CaseId.eq(case_id))
        .order_by_desc(private_notes::Column::Id)
        .all(db)
        .await?;
    private_notes::Entity::update_many()
        .col_expr(private_notes::Column::ReadAt, Expr::value(Some(now)))
        .filter(private_notes::Column::CaseId.eq(case_id))
        .filter(private_notes::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(notes)
}

/// Unread private notes per case.
pub async fn unread_notes(
    db: &impl ConnectionTrait,
    case_ids: &[i32],
) -> Result<std::collections::BTreeMap<i32, usize>, AppError> {
    let mut counts = std::collections::BTreeMap::new();
    if case_ids.is_empty() {
        return Ok(counts);
    }
    for note in private_notes::Entity::find()
        .filter(private_notes::Column::CaseId.is_in(case_ids.iter().copied()))
        .filter(private_notes::Column::ReadAt.is_null())
        .all(db)
        .await?
    {
        *counts.entry(note.case_id).or_insert(0) += 1;
    }
    Ok(counts)
}
