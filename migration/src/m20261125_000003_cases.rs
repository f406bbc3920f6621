//! Couple cases, their two partners, invitations, and the email outbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    TherapistId,
    Label,
    Status,
    StatusChangedAt,
    ConfidentialityPolicy,
    TherapistNotes,
    LastClientActivityAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Partners {
    Table,
    Id,
    CaseId,
    Position,
    FirstName,
    LastName,
    Email,
    Pronouns,
    Seeks,
    ClientUserId,
    JoinedAt,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    PartnerId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum OutboxEmails {
    Table,
    Id,
    CaseId,
    PartnerId,
    InvitationId,
    Kind,
    ToAddress,
    ToName,
    FromName,
    ReplyTo,
    Subject,
    TextBody,
    HtmlBody,
    MessageId,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedAt,
    LastError,
    SentAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Cases::Table)
                    .col(pk_auto(Cases::Id))
                    .col(integer(Cases::TherapistId))
                    .col(string_len(Cases::Label, 120))
                    .col(string_len(Cases::Status, 16))
                    .col(timestamp_with_time_zone(Cases::StatusChangedAt))
                    .col(string_len(Cases::ConfidentialityPolicy, 32))
                    .col(text(Cases::TherapistNotes))
                    .col(timestamp_with_time_zone_null(Cases::LastClientActivityAt))
                    .col(timestamp_with_time_zone(Cases::CreatedAt))
                    .col(timestamp_with_time_zone(Cases::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cases_therapist")
                            .from(Cases::Table, Cases::TherapistId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_cases_therapist_updated", vec![Cases::TherapistId, Cases::UpdatedAt]),
            ("idx_cases_therapist_status_updated", vec![Cases::TherapistId, Cases::Status, Cases::UpdatedAt]),
            ("idx_cases_therapist_label", vec![Cases::TherapistId, Cases::Label]),
            ("idx_cases_therapist_activity", vec![Cases::TherapistId, Cases::LastClientActivityAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Cases::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Partners::Table)
                    .col(pk_auto(Partners::Id))
                    .col(integer(Partners::CaseId))
                    .col(small_integer(Partners::Position))
                    .col(string_len(Partners::FirstName, 60))
                    .col(string_len_null(Partners::LastName, 60))
                    .col(string_len(Partners::Email, 254))
                    .col(string_len_null(Partners::Pronouns, 40))
                    .col(string_len(Partners::Seeks, 16))
                    .col(integer_null(Partners::ClientUserId).unique_key())
                    .col(timestamp_with_time_zone_null(Partners::JoinedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_partners_case")
                            .from(Partners::Table, Partners::CaseId)
                            .to(Cases::Table, Cases::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_partners_client")
                            .from(Partners::Table, Partners::ClientUserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_partners_case_position")
                    .table(Partners::Table)
                    .col(Partners::CaseId)
                    .col(Partners::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_partners_first_name")
                    .table(Partners::Table)
                    .col(Partners::FirstName)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    .col(pk_auto(Invitations::Id))
                    .col(integer(Invitations::PartnerId))
                    .col(string_len_null(Invitations::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(Invitations::CreatedAt))
                    .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Invitations::UsedAt))
                    .col(timestamp_with_time_zone_null(Invitations::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invitations_partner")
                            .from(Invitations::Table, Invitations::PartnerId)
                            .to(Partners::Table, Partners::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_invitations_partner")
                    .table(Invitations::Table)
                    .col(Invitations::PartnerId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OutboxEmails::Table)
                    .col(pk_auto(OutboxEmails::Id))
                    .col(integer_null(OutboxEmails::CaseId))
                    .col(integer_null(OutboxEmails::PartnerId))
                    .col(integer_null(OutboxEmails::InvitationId))
                    .col(string_len(OutboxEmails::Kind, 32))
                    .col(string_len(OutboxEmails::ToAddress, 254))
                    .col(string_len(OutboxEmails::ToName, 120))
                    .col(string_len(OutboxEmails::FromName, 120))
                    .col(string_len_null(OutboxEmails::ReplyTo, 254))
                    .col(string_len(OutboxEmails::Subject, 200))
                    .col(text(OutboxEmails::TextBody))
                    .col(text(OutboxEmails::HtmlBody))
                    .col(string_len_uniq(OutboxEmails::MessageId, 200))
                    .col(string_len(OutboxEmails::Status, 16))
                    .col(integer(OutboxEmails::Attempts))
                    .col(timestamp_with_time_zone(OutboxEmails::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(OutboxEmails::ClaimedAt))
                    .col(string_len_null(OutboxEmails::LastError, 300))
                    .col(timestamp_with_time_zone_null(OutboxEmails::SentAt))
                    .col(timestamp_with_time_zone(OutboxEmails::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outbox_case")
                            .from(OutboxEmails::Table, OutboxEmails::CaseId)
                            .to(Cases::Table, Cases::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_due")
                    .table(OutboxEmails::Table)
                    .col(OutboxEmails::Status)
                    .col(OutboxEmails::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_case")
                    .table(OutboxEmails::Table)
                    .col(OutboxEmails::CaseId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OutboxEmails::Table.into_iden(),
            Invitations::Table.into_iden(),
            Partners::Table.into_iden(),
            Cases::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
