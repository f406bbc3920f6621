//! Baby Steps without sexual content: `cases.without_sexual_content` is chosen when the
//! therapist assigns the programme; the couple's questions, examples, wish kinds and consent
//! wording then leave sexual intimacy out.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    WithoutSexualContent,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .add_column(boolean(Cases::WithoutSexualContent).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Cases::Table).drop_column(Cases::WithoutSexualContent).to_owned(),
            )
            .await
    }
}
