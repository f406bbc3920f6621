//! The audit trail as a record of access: each entry also names the case and partner it
//! concerns, whether the request was allowed or refused, the client's network address and a
//! reference to the session (its row id, never its token or hash). PostgreSQL also refuses
//! TRUNCATE (a statement trigger); SQLite has no TRUNCATE, and migration 2 already refuses
//! UPDATE and DELETE on both databases.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEntries {
    Table,
    ActorUserId,
    OccurredAt,
    CaseId,
}

/// The new columns, as SQL both databases accept (one `ADD COLUMN` per statement, which
/// SQLite requires). No foreign keys: an entry outlives what it names, and a cascade would
/// be refused by the append-only triggers anyway.
const NEW_COLUMNS: [&str; 5] = [
    "ALTER TABLE audit_entries ADD COLUMN case_id integer NULL",
    "ALTER TABLE audit_entries ADD COLUMN partner_id integer NULL",
    "ALTER TABLE audit_entries ADD COLUMN outcome varchar(16) NOT NULL DEFAULT 'allowed' \
     CHECK (outcome IN ('allowed', 'refused'))",
    "ALTER TABLE audit_entries ADD COLUMN client_address varchar(45) NULL",
    "ALTER TABLE audit_entries ADD COLUMN session_ref integer NULL",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in NEW_COLUMNS {
            db.execute_unprepared(statement).await?;
        }
        // The case view and the account view read newest first within a case or an actor.
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_case_time")
                    .table(AuditEntries::Table)
                    .col(AuditEntries::CaseId)
                    .col(AuditEntries::OccurredAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_actor_time")
                    .table(AuditEntries::Table)
                    .col(AuditEntries::ActorUserId)
                    .col(AuditEntries::OccurredAt)
                    .to_owned(),
            )
            .await?;
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
                     FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();",
                )
                .await?;
            }
            DatabaseBackend::Sqlite => {}
            other => {
                return Err(DbErr::Migration(format!("unsupported database backend {other:?}")));
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries;")
                .await?;
        }
        for name in ["idx_audit_case_time", "idx_audit_actor_time"] {
            manager.drop_index(Index::drop().name(name).table(AuditEntries::Table).to_owned()).await?;
        }
        for column in ["session_ref", "client_address", "outcome", "partner_id", "case_id"] {
            db.execute_unprepared(&format!("ALTER TABLE audit_entries DROP COLUMN {column}")).await?;
        }
        Ok(())
    }
}
