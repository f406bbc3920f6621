//! What the privacy fixes need to remember:
//! - `responses.shared_answers`: the answers as they were when the partner last shared them,
//!   so a reopened submission's new draft never reaches the other partner;
//! - `wishes.step_1_item`: the step 1 list item a wish came from, so every item of a
//!   (re)submitted list becomes a wish exactly once;
//! - `partners.removed_at`: when the therapist removed a partner from the case, which ends
//!   that partner's access and hides their writing from the other partner.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Responses {
    Table,
    Answers,
    SharedAnswers,
    SharedAt,
}

#[derive(DeriveIden)]
enum Wishes {
    Table,
    WisherId,
    #[sea_orm(iden = "step_1_item")]
    Step1Item,
}

#[derive(DeriveIden)]
enum Partners {
    Table,
    RemovedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table(Responses::Table)
                    .add_column(text_null(Responses::SharedAnswers))
                    .to_owned(),
            )
            .await?;
        // What was shared before this migration is the answers as they stand.
        manager
            .exec_stmt(
                Query::update()
                    .table(Responses::Table)
                    .value(Responses::SharedAnswers, Expr::col(Responses::Answers))
                    .and_where(Expr::col(Responses::SharedAt).is_not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(Wishes::Table).add_column(text_null(Wishes::Step1Item)).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("wishes_step_1_item")
                    .table(Wishes::Table)
                    .col(Wishes::WisherId)
                    .col(Wishes::Step1Item)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Partners::Table)
                    .add_column(timestamp_with_time_zone_null(Partners::RemovedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Partners::Table).drop_column(Partners::RemovedAt).to_owned())
            .await?;
        manager.drop_index(Index::drop().name("wishes_step_1_item").table(Wishes::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Wishes::Table).drop_column(Wishes::Step1Item).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter().table(Responses::Table).drop_column(Responses::SharedAnswers).to_owned(),
            )
            .await
    }
}
