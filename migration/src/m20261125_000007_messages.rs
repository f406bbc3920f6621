//! Follow-ups and automatic emails: the therapist's message settings and templates,
//! proposed consultation times with their single-use links, the idempotency log that
//! lets each automatic email out once, calendar attachments, and clients' reminder choice.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    PracticeName,
    Signature,
    BookingUrl,
    Digest,
    Reminders,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Partners {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OutboxEmails {
    Table,
    Calendar,
}

#[derive(DeriveIden)]
enum MessageTemplates {
    Table,
    Id,
    TherapistId,
    Name,
    Subject,
    Body,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConsultationSlots {
    Table,
    Id,
    CaseId,
    Proposal,
    StartsAt,
    ChosenByPartnerId,
    ChosenAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SlotLinks {
    Table,
    Id,
    SlotId,
    PartnerId,
    Secret,
    UsedAt,
}

#[derive(DeriveIden)]
enum ReminderLog {
    Table,
    Id,
    IdempotencyKey,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len(Users::PracticeName, 120).default("").to_owned(),
            text(Users::Signature).default("").to_owned(),
            string_len(Users::BookingUrl, 300).default("").to_owned(),
            string_len(Users::Digest, 16).default("immediate").to_owned(),
            boolean(Users::Reminders).default(true).to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Users::Table).add_column(column).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(OutboxEmails::Table)
                    .add_column(text_null(OutboxEmails::Calendar))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MessageTemplates::Table)
                    .col(pk_auto(MessageTemplates::Id))
                    .col(integer(MessageTemplates::TherapistId))
                    .col(string_len(MessageTemplates::Name, 120))
                    .col(string_len(MessageTemplates::Subject, 200))
                    .col(text(MessageTemplates::Body))
                    .col(timestamp_with_time_zone(MessageTemplates::CreatedAt))
                    .col(timestamp_with_time_zone(MessageTemplates::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_templates_therapist")
                            .from(MessageTemplates::Table, MessageTemplates::TherapistId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConsultationSlots::Table)
                    .col(pk_auto(ConsultationSlots::Id))
                    .col(integer(ConsultationSlots::CaseId))
                    .col(string_len(ConsultationSlots::Proposal, 32))
                    .col(timestamp_with_time_zone(ConsultationSlots::StartsAt))
                    .col(integer_null(ConsultationSlots::ChosenByPartnerId))
                    .col(timestamp_with_time_zone_null(ConsultationSlots::ChosenAt))
                    .col(timestamp_with_time_zone(ConsultationSlots::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_slots_case")
                            .from(ConsultationSlots::Table, ConsultationSlots::CaseId)
                            .to(Cases::Table, Cases::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SlotLinks::Table)
                    .col(pk_auto(SlotLinks::Id))
                    .col(integer(SlotLinks::SlotId))
                    .col(integer(SlotLinks::PartnerId))
                    .col(string_len(SlotLinks::Secret, 64))
                    .col(timestamp_with_time_zone_null(SlotLinks::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_slot_links_slot")
                            .from(SlotLinks::Table, SlotLinks::SlotId)
                            .to(ConsultationSlots::Table, ConsultationSlots::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_slot_links_partner")
                            .from(SlotLinks::Table, SlotLinks::PartnerId)
                            .to(Partners::Table, Partners::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReminderLog::Table)
                    .col(pk_auto(ReminderLog::Id))
                    .col(string_len_uniq(ReminderLog::IdempotencyKey, 200))
                    .col(timestamp_with_time_zone(ReminderLog::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ReminderLog::Table.into_iden(),
            SlotLinks::Table.into_iden(),
            ConsultationSlots::Table.into_iden(),
            MessageTemplates::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter().table(OutboxEmails::Table).drop_column(OutboxEmails::Calendar).to_owned(),
            )
            .await?;
        for column in
            [Users::PracticeName, Users::Signature, Users::BookingUrl, Users::Digest, Users::Reminders]
        {
            manager.alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
