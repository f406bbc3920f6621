//! A programme step the therapist skips: `assignments.skipped_at` (when) and
//! `assignments.skip_reason` (what the partners read instead of its questions).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Assignments {
    Table,
    SkippedAt,
    SkipReason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            ColumnDef::new(Assignments::SkippedAt).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(Assignments::SkipReason).text().not_null().default("").to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table(Assignments::Table).add_column(column).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Assignments::SkipReason, Assignments::SkippedAt] {
            manager
                .alter_table(Table::alter().table(Assignments::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
