//! The append-only audit trail: who did what to which record, and when.
//! Triggers refuse UPDATE and DELETE on both databases.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEntries {
    Table,
    Id,
    ActorUserId,
    Action,
    RecordType,
    RecordId,
    OccurredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEntries::Table)
                    .col(big_pk_auto(AuditEntries::Id))
                    .col(integer_null(AuditEntries::ActorUserId))
                    .col(string_len(AuditEntries::Action, 64))
                    .col(string_len(AuditEntries::RecordType, 64))
                    .col(string_len(AuditEntries::RecordId, 64))
                    .col(timestamp_with_time_zone(AuditEntries::OccurredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_record")
                    .table(AuditEntries::Table)
                    .col(AuditEntries::RecordType)
                    .col(AuditEntries::RecordId)
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
                     BEGIN RAISE EXCEPTION 'audit entries are append-only'; END;
                     $$ LANGUAGE plpgsql;
                     CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries
                     FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();",
                )
                .await?;
            }
            DatabaseBackend::Sqlite => {
                db.execute_unprepared(
                    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
                     BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
                     BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
                )
                .await?;
            }
            other => {
                return Err(DbErr::Migration(format!("unsupported database backend {other:?}")));
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(
                "DROP TRIGGER IF EXISTS audit_entries_no_update ON audit_entries;
                 DROP FUNCTION IF EXISTS audit_entries_append_only();",
            )
            .await?;
        }
        manager.drop_table(Table::drop().table(AuditEntries::Table).to_owned()).await
    }
}
