//! The private note as a safety channel: a client may mark a note urgent; the therapist
//! replies to the partner who wrote it (each reply with the time its reader opened it);
//! and each therapist sets the crisis line and how soon they usually reply, which clients
//! see beside the private note. An empty crisis line and no reply time mean the app's
//! defaults.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    CrisisLine,
    ReplyWithinDays,
}

#[derive(DeriveIden)]
enum PrivateNotes {
    Table,
    Id,
    Urgent,
}

#[derive(DeriveIden)]
enum PrivateNoteReplies {
    Table,
    Id,
    NoteId,
    Body,
    CreatedAt,
    ReadAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len(Users::CrisisLine, 300).default("").to_owned(),
            small_integer_null(Users::ReplyWithinDays).to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Users::Table).add_column(column).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(PrivateNotes::Table)
                    .add_column(boolean(PrivateNotes::Urgent).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PrivateNoteReplies::Table)
                    .col(pk_auto(PrivateNoteReplies::Id))
                    .col(integer(PrivateNoteReplies::NoteId))
                    .col(text(PrivateNoteReplies::Body))
                    .col(timestamp_with_time_zone(PrivateNoteReplies::CreatedAt))
                    .col(timestamp_with_time_zone_null(PrivateNoteReplies::ReadAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_note_replies_note")
                            .from(PrivateNoteReplies::Table, PrivateNoteReplies::NoteId)
                            .to(PrivateNotes::Table, PrivateNotes::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_note_replies_note")
                    .table(PrivateNoteReplies::Table)
                    .col(PrivateNoteReplies::NoteId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PrivateNoteReplies::Table).to_owned()).await?;
        manager
            .alter_table(
                Table::alter().table(PrivateNotes::Table).drop_column(PrivateNotes::Urgent).to_owned(),
            )
            .await?;
        for column in [Users::CrisisLine, Users::ReplyWithinDays] {
            manager.alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
