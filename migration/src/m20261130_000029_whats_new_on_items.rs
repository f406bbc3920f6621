//! "What's new" keeps whether the therapist marked an item done on the item itself, so the
//! caseload counts only the items still open. Before, every note, chosen time, shared
//! response and undelivered email a therapist ever had was checked against a table of done
//! markers on every caseload view: at 10,000 cases with 5,400 notes that was most of the
//! page's 36 ms.
//!
//! - `private_notes`, `consultation_slots` and `outbox_emails` gain `whats_new_done_at`;
//!   `responses` gains `share_done_at` and `submission_done_revision` (a submission made
//!   again after the therapist reopened it has a higher revision, and is new again).
//! - The markers of `whats_new_done` are copied onto their items (through an index on kind
//!   and record, so the copy is one lookup an item) and the table is dropped.
//! - A partial index for each kind holds only its open items, so each part of the count
//!   starts from those few rows.

use crate::m20261129_000021_whats_new;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WhatsNewDone {
    Table,
    Kind,
    RecordId,
    Version,
    DoneAt,
}

#[derive(DeriveIden)]
enum PrivateNotes {
    Table,
    CaseId,
    WhatsNewDoneAt,
}

#[derive(DeriveIden)]
enum ConsultationSlots {
    Table,
    CaseId,
    ChosenAt,
    WhatsNewDoneAt,
}

#[derive(DeriveIden)]
enum OutboxEmails {
    Table,
    CaseId,
    Status,
    WhatsNewDoneAt,
}

#[derive(DeriveIden)]
enum Responses {
    Table,
    AssignmentId,
    Status,
    SharedAt,
    ShareDoneAt,
    SubmissionDoneRevision,
}

/// The item tables and their "done" column, with the kind their markers carry.
fn done_columns() -> [(DynIden, DynIden, &'static str); 4] {
    [
        (PrivateNotes::Table.into_iden(), PrivateNotes::WhatsNewDoneAt.into_iden(), "private_note"),
        (ConsultationSlots::Table.into_iden(), ConsultationSlots::WhatsNewDoneAt.into_iden(), "time_chosen"),
        (OutboxEmails::Table.into_iden(), OutboxEmails::WhatsNewDoneAt.into_iden(), "email_failed"),
        (Responses::Table.into_iden(), Responses::ShareDoneAt.into_iden(), "share"),
    ]
}

/// The markers of `kind` for the row of `table` being updated: `SELECT <aggregate> FROM
/// whats_new_done WHERE kind = … AND record_id = <table>.id`.
fn markers(table: DynIden, kind: &str, aggregate: Expr) -> Expr {
    Expr::SubQuery(
        None,
        Box::new(
            Query::select()
                .expr(aggregate)
                .from(WhatsNewDone::Table)
                .and_where(Expr::col((WhatsNewDone::Table, WhatsNewDone::Kind)).eq(kind))
                .and_where(
                    Expr::col((WhatsNewDone::Table, WhatsNewDone::RecordId))
                        .equals((table, Alias::new("id"))),
                )
                .to_owned()
                .into(),
        ),
    )
}

/// Each index: its name, table, column and the condition that makes an item open.
fn open_item_indexes() -> Vec<(&'static str, DynIden, DynIden, Condition)> {
    vec![
        (
            "idx_private_notes_whats_new",
            PrivateNotes::Table.into_iden(),
            PrivateNotes::CaseId.into_iden(),
            Condition::all().add(Expr::col(PrivateNotes::WhatsNewDoneAt).is_null()),
        ),
        (
            "idx_consultation_slots_whats_new",
            ConsultationSlots::Table.into_iden(),
            ConsultationSlots::CaseId.into_iden(),
            Condition::all()
                .add(Expr::col(ConsultationSlots::ChosenAt).is_not_null())
                .add(Expr::col(ConsultationSlots::WhatsNewDoneAt).is_null()),
        ),
        (
            "idx_outbox_emails_whats_new",
            OutboxEmails::Table.into_iden(),
            OutboxEmails::CaseId.into_iden(),
            Condition::all()
                .add(Expr::col(OutboxEmails::Status).eq("failed"))
                .add(Expr::col(OutboxEmails::WhatsNewDoneAt).is_null()),
        ),
        (
            "idx_responses_shared_whats_new",
            Responses::Table.into_iden(),
            Responses::AssignmentId.into_iden(),
            Condition::all()
                .add(Expr::col(Responses::SharedAt).is_not_null())
                .add(Expr::col(Responses::ShareDoneAt).is_null()),
        ),
        (
            "idx_responses_submitted",
            Responses::Table.into_iden(),
            Responses::AssignmentId.into_iden(),
            Condition::all().add(Expr::col(Responses::Status).eq("submitted")),
        ),
    ]
}

/// For the downgrade, each kind's markers as `SELECT therapist, kind, record, version, time`
/// over its items (a submission's marker kept no time: it takes the response's last change).
const MARKERS_BACK: [&str; 5] = [
    "SELECT c.therapist_id, 'private_note', i.id, 0, i.whats_new_done_at FROM private_notes i \
     JOIN cases c ON c.id = i.case_id WHERE i.whats_new_done_at IS NOT NULL",
    "SELECT c.therapist_id, 'time_chosen', i.id, 0, i.whats_new_done_at FROM consultation_slots i \
     JOIN cases c ON c.id = i.case_id WHERE i.whats_new_done_at IS NOT NULL",
    "SELECT c.therapist_id, 'email_failed', i.id, 0, i.whats_new_done_at FROM outbox_emails i \
     JOIN cases c ON c.id = i.case_id WHERE i.whats_new_done_at IS NOT NULL",
    "SELECT c.therapist_id, 'share', i.id, 0, i.share_done_at FROM responses i \
     JOIN assignments a ON a.id = i.assignment_id JOIN cases c ON c.id = a.case_id \
     WHERE i.share_done_at IS NOT NULL",
    "SELECT c.therapist_id, 'submission', i.id, i.submission_done_revision, i.updated_at FROM responses i \
     JOIN assignments a ON a.id = i.assignment_id JOIN cases c ON c.id = a.case_id \
     WHERE i.submission_done_revision IS NOT NULL",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column, _) in done_columns() {
            manager
                .alter_table(
                    Table::alter().table(table).add_column(timestamp_with_time_zone_null(column)).to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Responses::Table)
                    .add_column(integer_null(Responses::SubmissionDoneRevision))
                    .to_owned(),
            )
            .await?;
        // Each item looks up its markers by kind and record; the table's own index starts
        // with the therapist, so without this one every item would scan all the markers.
        // It goes with the table below.
        manager
            .create_index(
                Index::create()
                    .name("idx_whats_new_done_kind_record")
                    .table(WhatsNewDone::Table)
                    .col(WhatsNewDone::Kind)
                    .col(WhatsNewDone::RecordId)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for (table, column, kind) in done_columns() {
            let done_at = markers(table.clone(), kind, Expr::col(WhatsNewDone::DoneAt).min());
            db.execute(&Query::update().table(table).value(column, done_at).to_owned()).await?;
        }
        let revision =
            markers(Responses::Table.into_iden(), "submission", Expr::col(WhatsNewDone::Version).max());
        db.execute(
            &Query::update()
                .table(Responses::Table)
                .value(Responses::SubmissionDoneRevision, revision)
                .to_owned(),
        )
        .await?;
        manager.drop_table(Table::drop().table(WhatsNewDone::Table).to_owned()).await?;
        for (name, table, column, open) in open_item_indexes() {
            manager
                .create_index(Index::create().name(name).table(table).col(column).cond_where(open).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _, _) in open_item_indexes() {
            manager.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        m20261129_000021_whats_new::Migration.up(manager).await?;
        let db = manager.get_connection();
        for markers in MARKERS_BACK {
            db.execute_unprepared(&format!(
                "INSERT INTO whats_new_done (therapist_id, kind, record_id, version, done_at) {markers}"
            ))
            .await?;
        }
        for (table, column, _) in done_columns() {
            manager.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Responses::Table)
                    .drop_column(Responses::SubmissionDoneRevision)
                    .to_owned(),
            )
            .await
    }
}
