//! Private notes, the client's safety channel: a client writes to the therapist alone (and
//! may mark the note urgent); the therapist is emailed at once, without the note; a note is
//! read only when the therapist opens it; the therapist replies to the partner who wrote it.
//! The other partner never sees a note or a reply. Note and reply text is never logged.

use super::super::{
    access::{case_by_key, couple_of, membership_couple_of, owned_case, partners_of, OwnedCase},
    audit::{self, AuditAction, AuditEvent},
    email, outbox, reminders,
    settings::safety_of,
    Actor,
};
use super::MAX_PRIVATE_CHARS;
use crate::{
    domain::{
        case::{ConfidentialityPolicy, Seeks},
        plain_text,
        safety::SafetyInfo,
    },
    entities::{cases, private_note_replies, private_notes, users},
    error::{AppError, FieldContext},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, TransactionSession, TransactionTrait,
};
use std::collections::BTreeMap;

/// One private note with the therapist's replies to it, oldest reply first.
#[derive(Debug, Clone)]
pub struct NoteThread {
    /// The note.
    pub note: private_notes::Model,
    /// The therapist's replies, oldest first.
    pub replies: Vec<private_note_replies::Model>,
}

/// What the client's private note page shows: their own threads, their case's policy and
/// what their therapist said about getting help and hearing back.
#[derive(Debug, Clone)]
pub struct MyNotes {
    /// The client's notes with replies, newest first.
    pub threads: Vec<NoteThread>,
    /// The case's confidentiality policy.
    pub policy: ConfidentialityPolicy,
    /// The therapist's crisis line and usual reply time.
    pub safety: SafetyInfo,
}

/// Unread private notes of one case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnreadNotes {
    /// Notes the therapist has not opened.
    pub unread: usize,
    /// Of those, the ones marked urgent.
    pub urgent: usize,
}

fn checked_body(body: &str) -> Result<&str, AppError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "Write your message first."));
    }
    if body.chars().count() > MAX_PRIVATE_CHARS {
        return Err(AppError::invalid("body", "Please keep this to 4,000 characters or fewer."));
    }
    plain_text(body, true).field("body")
}

/// A partner asks the therapist to change which kind of closeness the programme assumes
/// they seek: a request the therapist sees among the private notes, in fixed words (the
/// therapist changes it on the case form). Asking for what is already assumed is refused.
pub async fn ask_seeks_change(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    seeks: Seeks,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let couple = couple_of(db, actor).await?;
    if couple.me.seeks == seeks {
        return Err(AppError::invalid("seeks", "That is what the programme already assumes for you."));
    }
    let body = format!(
        "A request from my home page: please change what Baby Steps assumes I seek from \"{}\" to \"{}\".",
        couple.me.seeks.label(),
        seeks.label()
    );
    send_private_note(db, actor, &body, false, now).await
}

/// Sends the therapist a private note that the partner never sees (`urgent` puts it at the
/// top of the therapist's caseload and case page), and in the same transaction queues the
/// therapist a neutral email, to go at once: the therapist's digest choice is about
/// homework and quiet hours are for clients, so neither delays it.
pub async fn send_private_note(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    body: &str,
    urgent: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let body = checked_body(body)?;
    let txn = db.begin().await?;
    let couple = membership_couple_of(&txn, actor).await?;
    let id = private_notes::Entity::insert(private_notes::ActiveModel {
        case_id: Set(couple.case.id),
        partner_id: Set(couple.me.id),
        body: Set(body.to_owned()),
        created_at: Set(now),
        read_at: Set(None),
        urgent: Set(urgent),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    let event = AuditEvent::by(actor, AuditAction::PrivateNoteSent, "private_note", id);
    audit::record(&txn, event.concerning(couple.case.id, Some(couple.me.id)), now).await?;
    let therapist =
        users::Entity::find_by_id(couple.case.therapist_id).one(&txn).await?.ok_or(AppError::Internal)?;
    let content = email::new_private_message(&therapist.display_name, couple.case.id);
    // A sample couple is fictional (and cannot sign in): never an email about it.
    if couple.case.is_sample {
        txn.commit().await?;
        return Ok(());
    }
    outbox::enqueue(
        &txn,
        outbox::NewEmail {
            partner_id: Some(couple.me.id),
            ..outbox::NewEmail::to_therapist(
                &therapist,
                Some(couple.case.id),
                outbox::EmailKind::Notification,
                content,
            )
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn threads(
    db: &impl ConnectionTrait,
    notes: Vec<private_notes::Model>,
) -> Result<Vec<NoteThread>, AppError> {
    if notes.is_empty() {
        return Ok(Vec::new());
    }
    let mut replies: BTreeMap<i32, Vec<private_note_replies::Model>> = BTreeMap::new();
    for reply in private_note_replies::Entity::find()
        .filter(private_note_replies::Column::NoteId.is_in(notes.iter().map(|n| n.id)))
        .order_by_asc(private_note_replies::Column::Id)
        .all(db)
        .await?
    {
        replies.entry(reply.note_id).or_default().push(reply);
    }
    Ok(notes
        .into_iter()
        .map(|note| NoteThread { replies: replies.remove(&note.id).unwrap_or_default(), note })
        .collect())
}

/// The signed-in client's own notes with the therapist's replies, newest first, their case's
/// policy and their therapist's crisis line — never the other partner's notes or replies.
/// Audited as a read of their notes and the replies.
pub async fn my_private_notes(
    db: &impl ConnectionTrait,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<MyNotes, AppError> {
    let couple = membership_couple_of(db, actor).await?;
    let event = AuditEvent::by(actor, AuditAction::PrivateNotesViewed, "case", couple.case.id);
    audit::record(db, event.concerning(couple.case.id, Some(couple.me.id)), now).await?;
    let notes = private_notes::Entity::find()
        .filter(private_notes::Column::PartnerId.eq(couple.me.id))
        .order_by_desc(private_notes::Column::Id)
        .all(db)
        .await?;
    let therapist =
        users::Entity::find_by_id(couple.case.therapist_id).one(db).await?.ok_or(AppError::Internal)?;
    Ok(MyNotes {
        threads: threads(db, notes).await?,
        policy: couple.case.confidentiality_policy,
        safety: safety_of(&therapist),
    })
}

/// A case's private notes with their replies for its therapist, urgent unread notes first,
/// then newest first. Reading the list marks nothing read: only opening a note does
/// ([`mark_private_note_read`]).
pub async fn case_private_notes(
    db: &impl ConnectionTrait,
    case: &OwnedCase,
) -> Result<Vec<NoteThread>, AppError> {
    let mut notes = case.private_notes(db).await?.to_vec();
    notes.sort_by_key(|n| !(n.urgent && n.read_at.is_none()));
    threads(db, notes).await
}

/// The private notes of the case that its therapist has not opened yet, urgent first, then
/// newest first (without their replies: one statement).
pub async fn case_unread_notes(
    db: &impl ConnectionTrait,
    case: &OwnedCase,
) -> Result<Vec<private_notes::Model>, AppError> {
    let mut notes = private_notes::Entity::find()
        .filter(private_notes::Column::CaseId.eq(case.id))
        .filter(private_notes::Column::ReadAt.is_null())
        .order_by_desc(private_notes::Column::Id)
        .all(db)
        .await?;
    notes.sort_by_key(|note| !note.urgent);
    Ok(notes)
}

/// A note and its case, for the case's therapist; anyone else gets "not found" (or
/// "forbidden" for a client).
async fn owned_note(
    db: &impl ConnectionTrait,
    actor: Actor,
    note_id: i32,
) -> Result<(private_notes::Model, OwnedCase), AppError> {
    actor.require_role(crate::domain::Role::Therapist)?;
    let note = private_notes::Entity::find_by_id(note_id).one(db).await?.ok_or(AppError::NotFound)?;
    let case = owned_case(db, actor, note.case_id).await?;
    Ok((note, case))
}

/// Marks a note read as of `now`, once, with an audit entry; returns when it was first read.
async fn mark_read(
    db: &impl ConnectionTrait,
    actor: Actor,
    note: &private_notes::Model,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, AppError> {
    if let Some(read_at) = note.read_at {
        return Ok(read_at);
    }
    let changed = private_notes::Entity::update_many()
        .col_expr(private_notes::Column::ReadAt, Expr::value(Some(now)))
        .filter(private_notes::Column::Id.eq(note.id))
        .filter(private_notes::Column::ReadAt.is_null())
        .exec(db)
        .await?
        .rows_affected;
    if changed == 1 {
        let event = AuditEvent::by(actor, AuditAction::PrivateNoteRead, "private_note", note.id);
        audit::record(db, event.concerning(note.case_id, Some(note.partner_id)), now).await?;
        return Ok(now);
    }
    // Read in another tab a moment ago.
    let again = private_notes::Entity::find_by_id(note.id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(again.read_at.unwrap_or(now))
}

/// The therapist opens a note: it is marked read (the client then sees "Read" and the
/// date), once, with an audit entry. Returns when it was first read.
pub async fn mark_private_note_read(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    note_id: i32,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, AppError> {
    let txn = db.begin().await?;
    let (note, _) = owned_note(&txn, actor, note_id).await?;
    let read_at = mark_read(&txn, actor, &note, now).await?;
    txn.commit().await?;
    Ok(read_at)
}

/// The therapist replies to a note. The reply reaches the partner who wrote it and nobody
/// else; they get a neutral email (following the rules of every automatic email to a
/// client: their choice and quiet hours). Replying marks the note read.
pub async fn reply_to_private_note(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    note_id: i32,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let (note, case) = owned_note(&txn, actor, note_id).await?;
    let body = checked_body(body)?;
    mark_read(&txn, actor, &note, now).await?;
    let id = private_note_replies::Entity::insert(private_note_replies::ActiveModel {
        note_id: Set(note.id),
        body: Set(body.to_owned()),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    audit::record(
        &txn,
        AuditEvent::by(actor, AuditAction::PrivateNoteReplied, "private_note_reply", id)
            .concerning(note.case_id, Some(note.partner_id)),
        now,
    )
    .await?;
    let writer = partners_of(&txn, case.id)
        .await?
        .into_iter()
        .find(|p| p.id == note.partner_id)
        .ok_or(AppError::Internal)?;
    let content = email::client_notice(&writer.first_name, email::ClientNotice::NoteReply);
    reminders::notify_client_for_therapist(&txn, &writer, &format!("note_reply:{id}"), content, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The client who wrote a note opens their therapist's replies to it: unread replies are
/// marked read (the therapist sees when), with an audit entry. Anyone else gets "not found".
pub async fn mark_replies_read(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    note_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let couple = membership_couple_of(&txn, actor).await?;
    let note = private_notes::Entity::find_by_id(note_id)
        .filter(private_notes::Column::PartnerId.eq(couple.me.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let changed = private_note_replies::Entity::update_many()
        .col_expr(private_note_replies::Column::ReadAt, Expr::value(Some(now)))
        .filter(private_note_replies::Column::NoteId.eq(note.id))
        .filter(private_note_replies::Column::ReadAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if changed > 0 {
        audit::record(
            &txn,
            AuditEvent::by(actor, AuditAction::PrivateNoteReplyRead, "private_note", note.id)
                .concerning(note.case_id, Some(note.partner_id)),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A therapist's unread private notes: how many (and how many urgent) per case, and every
/// case with unread urgent notes, the case with the oldest waiting note first.
#[derive(Debug, Clone, Default)]
pub struct TherapistUnread {
    /// Unread notes per case id.
    pub per_case: BTreeMap<i32, UnreadNotes>,
    /// The cases with unread urgent notes: id, label and how many.
    pub urgent: Vec<UrgentCase>,
}

/// A case with unread urgent private notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrgentCase {
    /// The case's id.
    pub case_id: i32,
    /// The case's label.
    pub label: String,
    /// How many urgent notes wait to be opened.
    pub notes: usize,
}

/// Every unread private note in the therapist's cases, in one statement: only which case
/// each belongs to (with its label) and whether it is urgent, never what it says.
///
/// The read starts from the unread notes (their partial index) and looks each one's case up
/// by its key ([`case_by_key`]).
pub async fn unread_notes(db: &impl ConnectionTrait, therapist_id: i32) -> Result<TherapistUnread, AppError> {
    let note_case = case_by_key(Expr::col((private_notes::Entity, private_notes::Column::CaseId)));
    let mut select = private_notes::Entity::find()
        .select_only()
        .column(private_notes::Column::CaseId)
        .column(private_notes::Column::Urgent)
        .column(cases::Column::Label);
    QueryTrait::query(&mut select).inner_join(cases::Entity, note_case);
    let waiting: Vec<(i32, bool, String)> = select
        .filter(cases::Column::TherapistId.eq(therapist_id))
        .filter(private_notes::Column::ReadAt.is_null())
        .order_by_asc(private_notes::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut found = TherapistUnread::default();
    for (case_id, urgent, label) in waiting {
        let count = found.per_case.entry(case_id).or_default();
        count.unread += 1;
        count.urgent += usize::from(urgent);
        if !urgent {
            continue;
        }
        match found.urgent.iter_mut().find(|listed| listed.case_id == case_id) {
            Some(listed) => listed.notes += 1,
            None => found.urgent.push(UrgentCase { case_id, label, notes: 1 }),
        }
    }
    Ok(found)
}
