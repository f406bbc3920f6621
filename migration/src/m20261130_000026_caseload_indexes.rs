//! Two indexes for a large caseload, so the caseload's counts read index entries instead of
//! every case: `(therapist_id, erased_at)` answers "the therapist's cases that still hold
//! content" (each section of "What's new") and `(therapist_id, is_sample)` counts the sample
//! couples. Measured on SQLite with 10,000 cases: "What's new" 9.6 → 2.3 ms, the sample
//! count 3.6 → 0.1 ms.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    TherapistId,
    ErasedAt,
    IsSample,
}

/// The indexes, by name, with their second column.
const INDEXES: [(&str, Cases); 2] =
    [("idx_cases_therapist_erased", Cases::ErasedAt), ("idx_cases_therapist_sample", Cases::IsSample)];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, column) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Cases::Table)
                        .col(Cases::TherapistId)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager.drop_index(Index::drop().name(name).table(Cases::Table).to_owned()).await?;
        }
        Ok(())
    }
}
