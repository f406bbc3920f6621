//! What's new for a therapist: across their cases, newest first, what the partners did and
//! what went wrong since the therapist last marked it done — a submission waiting for
//! review, a shared submission, a private note, a chosen consultation time, an email about
//! a case that could not be delivered.
//!
//! Nothing is written when these things happen: the items are read from their own tables
//! (one `UNION ALL` statement), and marking one done is written on its own row (a note's,
//! a time's or an email's `whats_new_done_at`, a response's `share_done_at` or
//! `submission_done_revision`), so each part of the count starts from the open items in a
//! partial index and costs what is open, not the practice's history. A submission made
//! again after the therapist reopened it is new again (its revision is what was marked
//! done). Erased cases are left out.

use super::{
    access::case_by_key,
    audit::{self, AuditAction, AuditEvent},
    homework, Actor,
};
use crate::{
    domain::{whats_new::WhatsNewKind, Role},
    entities::{
        assignments, cases, consultation_slots, exercise_versions, outbox_emails, partners, private_notes,
        responses,
    },
    error::AppError,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{
        Alias, Condition, DynIden, Expr, ExprTrait, IntoIden, Order, Query, SelectStatement, UnionType,
    },
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionSession,
    TransactionTrait,
};
use std::collections::HashMap;

/// The most items the list shows (the newest); the count covers them all.
pub const MAX_ITEMS: u64 = 200;

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatsNewItem {
    /// What kind of thing.
    pub kind: WhatsNewKind,
    /// The record it is about (a response, a note, a slot, an email).
    pub record_id: i32,
    /// Which event of that record (a response's revision; 0 otherwise).
    pub version: i32,
    /// When it happened (an email: when it was queued).
    pub at: DateTime<Utc>,
    /// The case.
    pub case_id: i32,
    /// The case's name.
    pub case_label: String,
    /// The partner concerned (first name), if any.
    pub partner: Option<String>,
    /// The exercise's title, for a submission or a share.
    pub title: Option<String>,
    /// Where the therapist deals with it.
    pub link: String,
}

/// Whether a section reads the items still open or those the therapist marked done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    Done,
}

/// Keeps the rows of `select` whose case (`case_id`, a column of a table in `select`) is one
/// of the therapist's own that still hold content, joined by the case's key so that each
/// section starts from its few open items (their partial index).
fn of_own_cases(select: &mut SelectStatement, therapist_id: i32, case_id: Expr) {
    select
        .inner_join(cases::Entity, case_by_key(case_id))
        .and_where(Expr::col((cases::Entity, cases::Column::TherapistId)).eq(therapist_id))
        .and_where(Expr::col((cases::Entity, cases::Column::ErasedAt)).is_null());
}

/// A literal for the `kind` column (the stored names are fixed words, never input).
fn kind_literal(kind: WhatsNewKind) -> Expr {
    Expr::cust(format!("'{}'", kind.as_str()))
}

/// The table an item of `kind` is a row of, and the column marking it done sets, to what.
fn done_marker(kind: WhatsNewKind, now: DateTime<Utc>) -> (DynIden, DynIden, Expr) {
    let at = Expr::value(Some(now));
    match kind {
        WhatsNewKind::Submission => (
            responses::Entity.into_iden(),
            responses::Column::SubmissionDoneRevision.into_iden(),
            Expr::col(responses::Column::Revision),
        ),
        WhatsNewKind::Share => {
            (responses::Entity.into_iden(), responses::Column::ShareDoneAt.into_iden(), at)
        }
        WhatsNewKind::PrivateNote => {
            (private_notes::Entity.into_iden(), private_notes::Column::WhatsNewDoneAt.into_iden(), at)
        }
        WhatsNewKind::TimeChosen => (
            consultation_slots::Entity.into_iden(),
            consultation_slots::Column::WhatsNewDoneAt.into_iden(),
            at,
        ),
        WhatsNewKind::EmailFailed => {
            (outbox_emails::Entity.into_iden(), outbox_emails::Column::WhatsNewDoneAt.into_iden(), at)
        }
    }
}

/// Responses of the therapist's cases: submitted and not yet reviewed (`Submission`, one
/// item per revision), or shared (`Share`). Open items are read with the same conditions as
/// their partial indexes (`status = 'submitted'`; shared and not done). Columns: kind,
/// record_id, version, at, case_id, partner_id, assignment_id; `version` is the revision of
/// an open submission and the last revision marked done of a done one.
fn response_items(therapist_id: i32, kind: WhatsNewKind, state: State) -> SelectStatement {
    let response = |column| Expr::col((responses::Entity, column));
    let mut select = Query::select();
    let (at, version) = if kind == WhatsNewKind::Submission {
        let revision = match state {
            State::Open => response(responses::Column::Revision),
            State::Done => response(responses::Column::SubmissionDoneRevision),
        };
        (responses::Column::SubmittedAt, revision)
    } else {
        (responses::Column::SharedAt, Expr::cust("0"))
    };
    select
        .expr_as(kind_literal(kind), Alias::new("kind"))
        .expr_as(response(responses::Column::Id), Alias::new("record_id"))
        .expr_as(version, Alias::new("version"))
        .expr_as(response(at), Alias::new("at"))
        .expr_as(Expr::col((assignments::Entity, assignments::Column::CaseId)), Alias::new("case_id"))
        .expr_as(response(responses::Column::PartnerId), Alias::new("partner_id"))
        .expr_as(Expr::col((assignments::Entity, assignments::Column::Id)), Alias::new("assignment_id"))
        .from(responses::Entity)
        .inner_join(
            assignments::Entity,
            Expr::col((assignments::Entity, assignments::Column::Id))
                .eq(response(responses::Column::AssignmentId).add(0)),
        )
        .and_where(response(at).is_not_null());
    of_own_cases(&mut select, therapist_id, Expr::col((assignments::Entity, assignments::Column::CaseId)));
    match (kind, state) {
        (WhatsNewKind::Submission, State::Open) => {
            select.and_where(response(responses::Column::Status).eq("submitted")).cond_where(
                Condition::any().add(response(responses::Column::SubmissionDoneRevision).is_null()).add(
                    response(responses::Column::SubmissionDoneRevision)
                        .lt(response(responses::Column::Revision)),
                ),
            )
        }
        (WhatsNewKind::Submission, State::Done) => {
            select.and_where(response(responses::Column::SubmissionDoneRevision).is_not_null())
        }
        (_, State::Open) => select.and_where(response(responses::Column::ShareDoneAt).is_null()),
        (_, State::Done) => select.and_where(response(responses::Column::ShareDoneAt).is_not_null()),
    };
    select.to_owned()
}

/// Private notes, chosen consultation times and undelivered emails of the therapist's cases,
/// in the same columns as [`response_items`]; open items are read with the same conditions
/// as their partial indexes.
fn other_items(therapist_id: i32, state: State) -> [SelectStatement; 3] {
    let note = |column| Expr::col((private_notes::Entity, column));
    let slot = |column| Expr::col((consultation_slots::Entity, column));
    let email = |column| Expr::col((outbox_emails::Entity, column));
    let done = |column: Expr| match state {
        State::Open => column.is_null(),
        State::Done => column.is_not_null(),
    };
    let mut sections = [
        Query::select()
            .expr_as(kind_literal(WhatsNewKind::PrivateNote), Alias::new("kind"))
            .expr_as(note(private_notes::Column::Id), Alias::new("record_id"))
            .expr_as(Expr::cust("0"), Alias::new("version"))
            .expr_as(note(private_notes::Column::CreatedAt), Alias::new("at"))
            .expr_as(note(private_notes::Column::CaseId), Alias::new("case_id"))
            .expr_as(note(private_notes::Column::PartnerId), Alias::new("partner_id"))
            .expr_as(Expr::cust("NULL"), Alias::new("assignment_id"))
            .from(private_notes::Entity)
            .and_where(done(note(private_notes::Column::WhatsNewDoneAt)))
            .to_owned(),
        Query::select()
            .expr_as(kind_literal(WhatsNewKind::TimeChosen), Alias::new("kind"))
            .expr_as(slot(consultation_slots::Column::Id), Alias::new("record_id"))
            .expr_as(Expr::cust("0"), Alias::new("version"))
            .expr_as(slot(consultation_slots::Column::ChosenAt), Alias::new("at"))
            .expr_as(slot(consultation_slots::Column::CaseId), Alias::new("case_id"))
            .expr_as(slot(consultation_slots::Column::ChosenByPartnerId), Alias::new("partner_id"))
            .expr_as(Expr::cust("NULL"), Alias::new("assignment_id"))
            .from(consultation_slots::Entity)
            .and_where(slot(consultation_slots::Column::ChosenAt).is_not_null())
            .and_where(done(slot(consultation_slots::Column::WhatsNewDoneAt)))
            .to_owned(),
        Query::select()
            .expr_as(kind_literal(WhatsNewKind::EmailFailed), Alias::new("kind"))
            .expr_as(email(outbox_emails::Column::Id), Alias::new("record_id"))
            .expr_as(Expr::cust("0"), Alias::new("version"))
            .expr_as(email(outbox_emails::Column::CreatedAt), Alias::new("at"))
            .expr_as(email(outbox_emails::Column::CaseId), Alias::new("case_id"))
            .expr_as(email(outbox_emails::Column::PartnerId), Alias::new("partner_id"))
            .expr_as(Expr::cust("NULL"), Alias::new("assignment_id"))
            .from(outbox_emails::Entity)
            .and_where(email(outbox_emails::Column::Status).eq("failed"))
            .and_where(done(email(outbox_emails::Column::WhatsNewDoneAt)))
            .to_owned(),
    ];
    let case_ids = [
        note(private_notes::Column::CaseId),
        slot(consultation_slots::Column::CaseId),
        email(outbox_emails::Column::CaseId),
    ];
    for (section, case_id) in sections.iter_mut().zip(case_ids) {
        of_own_cases(section, therapist_id, case_id);
    }
    sections
}

/// The items of one kind, open or done.
fn items_of(therapist_id: i32, kind: WhatsNewKind, state: State) -> SelectStatement {
    match kind {
        WhatsNewKind::Submission | WhatsNewKind::Share => response_items(therapist_id, kind, state),
        WhatsNewKind::PrivateNote => other_items(therapist_id, state)[0].clone(),
        WhatsNewKind::TimeChosen => other_items(therapist_id, state)[1].clone(),
        WhatsNewKind::EmailFailed => other_items(therapist_id, state)[2].clone(),
    }
}

/// Every open item, as one `UNION ALL` in a subquery named `items`.
fn all_items(therapist_id: i32) -> SelectStatement {
    let mut union = response_items(therapist_id, WhatsNewKind::Submission, State::Open);
    union.union(UnionType::All, response_items(therapist_id, WhatsNewKind::Share, State::Open));
    for select in other_items(therapist_id, State::Open) {
        union.union(UnionType::All, select);
    }
    Query::select().column(sea_orm::sea_query::Asterisk).from_subquery(union, Alias::new("items")).to_owned()
}

/// `SELECT COUNT(*) AS n` of the items waiting for the therapist, for one statement to
/// hold as a subquery (the caseload counts its cases and these together).
pub fn count_query(therapist_id: i32) -> SelectStatement {
    Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from_subquery(all_items(therapist_id), Alias::new("counted"))
        .to_owned()
}

/// How many items wait for the therapist (one statement).
pub async fn count(db: &impl ConnectionTrait, actor: Actor) -> Result<u64, AppError> {
    actor.require_role(Role::Therapist)?;
    let row = db.query_one(&count_query(actor.user_id)).await?.ok_or(AppError::Internal)?;
    let n: i64 = row.try_get("", "n")?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The newest [`MAX_ITEMS`] items not marked done, newest first: one statement for the
/// items, one each for their cases and partners, two for exercise titles. Audited.
pub async fn items(
    db: &impl ConnectionTrait,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Vec<WhatsNewItem>, AppError> {
    actor.require_role(Role::Therapist)?;
    let mut select = all_items(actor.user_id);
    select
        .order_by(Alias::new("at"), Order::Desc)
        .order_by(Alias::new("kind"), Order::Asc)
        .order_by(Alias::new("record_id"), Order::Desc)
        .limit(MAX_ITEMS);
    struct Row {
        kind: WhatsNewKind,
        record_id: i32,
        version: i32,
        at: DateTime<Utc>,
        case_id: i32,
        partner_id: Option<i32>,
        assignment_id: Option<i32>,
    }
    let rows = db
        .query_all(&select)
        .await?
        .into_iter()
        .map(|row| {
            let kind: String = row.try_get("", "kind")?;
            Ok(Row {
                kind: WhatsNewKind::parse(&kind).map_err(|_| AppError::Internal)?,
                record_id: row.try_get("", "record_id")?,
                version: row.try_get("", "version")?,
                at: row.try_get("", "at")?,
                case_id: row.try_get("", "case_id")?,
                partner_id: row.try_get("", "partner_id")?,
                assignment_id: row.try_get("", "assignment_id")?,
            })
        })
        .collect::<Result<Vec<Row>, AppError>>()?;
    let case_ids: Vec<i32> = rows.iter().map(|r| r.case_id).collect();
    let labels: HashMap<i32, String> = if case_ids.is_empty() {
        HashMap::new()
    } else {
        cases::Entity::find()
            .filter(cases::Column::Id.is_in(case_ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.label))
            .collect()
    };
    let names: HashMap<i32, String> = if case_ids.is_empty() {
        HashMap::new()
    } else {
        partners::Entity::find()
            .filter(partners::Column::CaseId.is_in(case_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.first_name))
            .collect()
    };
    let assignment_ids: Vec<i32> = rows.iter().filter_map(|r| r.assignment_id).collect();
    let titles: HashMap<i32, String> = if assignment_ids.is_empty() {
        HashMap::new()
    } else {
        assignment_titles(db, assignment_ids).await?
    };
    audit::record(db, AuditEvent::by(actor, AuditAction::WhatsNewViewed, "user", actor.user_id), now).await?;
    Ok(rows
        .into_iter()
        .map(|row| WhatsNewItem {
            link: link(row.kind, row.case_id, row.assignment_id),
            kind: row.kind,
            record_id: row.record_id,
            version: row.version,
            at: row.at,
            case_id: row.case_id,
            case_label: labels.get(&row.case_id).cloned().unwrap_or_default(),
            partner: row.partner_id.and_then(|id| names.get(&id).cloned()),
            title: row.assignment_id.and_then(|id| titles.get(&id).cloned()),
        })
        .collect())
}

/// Each assignment's exercise title (two statements: the versions, and which assignment
/// holds which).
async fn assignment_titles(
    db: &impl ConnectionTrait,
    assignment_ids: Vec<i32>,
) -> Result<HashMap<i32, String>, AppError> {
    let versions = exercise_versions::Entity::find()
        .filter(
            exercise_versions::Column::Id.in_subquery(
                Query::select()
                    .column(assignments::Column::ExerciseVersionId)
                    .from(assignments::Entity)
                    .and_where(assignments::Column::Id.is_in(assignment_ids.clone()))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?;
    let of_assignment: Vec<(i32, i32)> = assignments::Entity::find()
        .filter(assignments::Column::Id.is_in(assignment_ids))
        .select_only()
        .columns([assignments::Column::Id, assignments::Column::ExerciseVersionId])
        .into_tuple()
        .all(db)
        .await?;
    let mut titles = HashMap::new();
    for (assignment, version_id) in of_assignment {
        if let Some(version) = versions.iter().find(|v| v.id == version_id) {
            titles.insert(assignment, homework::content_of(version)?.title);
        }
    }
    Ok(titles)
}

/// Where the therapist deals with an item.
fn link(kind: WhatsNewKind, case_id: i32, assignment_id: Option<i32>) -> String {
    match (kind, assignment_id) {
        (WhatsNewKind::Submission | WhatsNewKind::Share, Some(assignment)) => format!("/review/{assignment}"),
        (WhatsNewKind::PrivateNote, _) => format!("/cases/{case_id}#notes-from-clients"),
        (WhatsNewKind::TimeChosen, _) => format!("/cases/{case_id}#follow-up-title"),
        (WhatsNewKind::EmailFailed, _) => format!("/cases/{case_id}#emails-title"),
        _ => format!("/cases/{case_id}"),
    }
}

/// Marks one item done. An item that is not the therapist's (or does not exist) is "not
/// found"; marking it twice changes nothing.
pub async fn mark_done(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    kind: WhatsNewKind,
    record_id: i32,
    version: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    actor.require_role(Role::Therapist)?;
    let this_one = Query::select()
        .column(Alias::new("record_id"))
        .from_subquery(items_of(actor.user_id, kind, State::Open), Alias::new("items"))
        .and_where(Expr::col(Alias::new("record_id")).eq(record_id))
        .and_where(Expr::col(Alias::new("version")).eq(version))
        .to_owned();
    let txn = db.begin().await?;
    if mark(&txn, kind, this_one, now).await? == 0 {
        // Already done, or not one of this therapist's items: nothing to say either way.
        return if is_done(&txn, actor, kind, record_id, version).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        };
    }
    audit::record(&txn, AuditEvent::by(actor, AuditAction::WhatsNewDone, kind.as_str(), record_id), now)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Marks done the items of `kind` whose ids `record_ids` selects (a one-column select of
/// open items); returns how many.
async fn mark(
    db: &impl ConnectionTrait,
    kind: WhatsNewKind,
    record_ids: SelectStatement,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let (table, column, value) = done_marker(kind, now);
    let update = Query::update()
        .table(table.clone())
        .value(column, value)
        .and_where(Expr::col((table, Alias::new("id"))).in_subquery(record_ids))
        .to_owned();
    Ok(db.execute(&update).await?.rows_affected())
}

/// True when the therapist already marked this item done (for a submission: this revision
/// or a later one).
async fn is_done(
    db: &impl ConnectionTrait,
    actor: Actor,
    kind: WhatsNewKind,
    record_id: i32,
    version: i32,
) -> Result<bool, AppError> {
    let done = Query::select()
        .column(Alias::new("record_id"))
        .from_subquery(items_of(actor.user_id, kind, State::Done), Alias::new("items"))
        .and_where(Expr::col(Alias::new("record_id")).eq(record_id))
        .and_where(Expr::col(Alias::new("version")).gte(version))
        .to_owned();
    Ok(db.query_one(&done).await?.is_some())
}

/// Marks every open item done (those there are now: something that happens later is new).
/// Returns how many.
pub async fn mark_all_done(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    actor.require_role(Role::Therapist)?;
    let txn = db.begin().await?;
    let mut marked = 0;
    for kind in WhatsNewKind::ALL.iter().copied() {
        let open = Query::select()
            .column(Alias::new("record_id"))
            .from_subquery(items_of(actor.user_id, kind, State::Open), Alias::new("items"))
            .to_owned();
        marked += mark(&txn, kind, open, now).await?;
    }
    audit::record(&txn, AuditEvent::by(actor, AuditAction::WhatsNewDone, "user", actor.user_id), now).await?;
    txn.commit().await?;
    Ok(usize::try_from(marked).unwrap_or(usize::MAX))
}
