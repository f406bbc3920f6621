//! Second-factor secrets are stored sealed (authenticated encryption with the server's key):
//! the sealed text (`v1:` and 64 base64 characters for a 160-bit secret) is longer than the
//! base32 secret was, so the column grows to 128 characters. SQLite does not enforce a
//! `varchar` length, so only PostgreSQL's column changes. The sealing itself needs the
//! server's key, which migrations do not have: the server seals plain-text secrets when it
//! starts.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SecondFactors {
    Table,
    Secret,
}

/// The secret column at `length` characters.
fn secret_column(length: u32) -> TableAlterStatement {
    Table::alter()
        .table(SecondFactors::Table)
        .modify_column(ColumnDef::new(SecondFactors::Secret).string_len(length).not_null())
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager.alter_table(secret_column(128)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager.alter_table(secret_column(64)).await?;
        }
        Ok(())
    }
}
