//! What's new: the items a therapist marked done. The items themselves (submissions,
//! shares, private notes, chosen consultation times, emails that could not be delivered)
//! are read from their own tables; a row here hides one of them from the therapist's
//! "What's new" list. `version` tells a later event of the same record apart (a submission
//! made again after the therapist reopened it has a higher revision).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum WhatsNewDone {
    Table,
    Id,
    TherapistId,
    Kind,
    RecordId,
    Version,
    DoneAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WhatsNewDone::Table)
                    .col(pk_auto(WhatsNewDone::Id))
                    .col(integer(WhatsNewDone::TherapistId))
                    .col(string_len(WhatsNewDone::Kind, 32).check(Expr::col(WhatsNewDone::Kind).is_in([
                        "submission",
                        "share",
                        "private_note",
                        "time_chosen",
                        "email_failed",
                    ])))
                    .col(integer(WhatsNewDone::RecordId))
                    .col(integer(WhatsNewDone::Version).default(0))
                    .col(timestamp_with_time_zone(WhatsNewDone::DoneAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_whats_new_done_therapist")
                            .from(WhatsNewDone::Table, WhatsNewDone::TherapistId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_whats_new_done_item")
                    .table(WhatsNewDone::Table)
                    .col(WhatsNewDone::TherapistId)
                    .col(WhatsNewDone::Kind)
                    .col(WhatsNewDone::RecordId)
                    .col(WhatsNewDone::Version)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WhatsNewDone::Table).to_owned()).await
    }
}
