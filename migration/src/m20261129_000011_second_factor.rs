//! A second factor for every account: a TOTP secret (RFC 6238) per account, ten
//! single-use recovery codes stored as SHA-256 hashes, sign-ins waiting for their code
//! (only the hash of their short-lived token is kept), and each account's choice to
//! require a second factor (therapists are asked to set one up).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    SecondFactorRequired,
}

#[derive(DeriveIden)]
enum SecondFactors {
    Table,
    UserId,
    Secret,
    StartedAt,
    ConfirmedAt,
    LastUsedStep,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
}

#[derive(DeriveIden)]
enum PendingSignIns {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
}

/// A cascading foreign key from `table.user_id` to `users.id`.
fn user_key(name: &str, table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(Users::Table, Users::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(boolean(Users::SecondFactorRequired).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SecondFactors::Table)
                    .col(integer(SecondFactors::UserId).primary_key())
                    // The base32 text of a 160-bit secret (32 characters).
                    .col(string_len(SecondFactors::Secret, 64))
                    .col(timestamp_with_time_zone(SecondFactors::StartedAt))
                    // Null while the enrolment waits for its first code.
                    .col(timestamp_with_time_zone_null(SecondFactors::ConfirmedAt))
                    // The last TOTP time step accepted: a code is never accepted twice.
                    .col(big_integer_null(SecondFactors::LastUsedStep))
                    .foreign_key(&mut user_key(
                        "fk_second_factors_user",
                        SecondFactors::Table,
                        SecondFactors::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(pk_auto(RecoveryCodes::Id))
                    .col(integer(RecoveryCodes::UserId))
                    .col(string_len(RecoveryCodes::CodeHash, 64))
                    .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                    .foreign_key(&mut user_key(
                        "fk_recovery_codes_user",
                        RecoveryCodes::Table,
                        RecoveryCodes::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_recovery_codes_user_hash")
                    .table(RecoveryCodes::Table)
                    .col(RecoveryCodes::UserId)
                    .col(RecoveryCodes::CodeHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PendingSignIns::Table)
                    .col(pk_auto(PendingSignIns::Id))
                    .col(integer(PendingSignIns::UserId))
                    .col(string_len_uniq(PendingSignIns::TokenHash, 64))
                    .col(timestamp_with_time_zone(PendingSignIns::CreatedAt))
                    .col(timestamp_with_time_zone(PendingSignIns::ExpiresAt))
                    .foreign_key(&mut user_key(
                        "fk_pending_sign_ins_user",
                        PendingSignIns::Table,
                        PendingSignIns::UserId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pending_sign_ins_user")
                    .table(PendingSignIns::Table)
                    .col(PendingSignIns::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PendingSignIns::Table.into_iden(),
            RecoveryCodes::Table.into_iden(),
            SecondFactors::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter().table(Users::Table).drop_column(Users::SecondFactorRequired).to_owned(),
            )
            .await
    }
}
