//! Erasure and retention.
//! - `users.retention_years`: how many years a therapist keeps a closed case before the
//!   daily job purges its content (1 to 50; 7 by default, see the README's "Retention").
//! - `cases.erased_at`, `partners.erased_at`: when the content of a case, or of one partner,
//!   was erased (on request or by retention); the rows stay, emptied, so the audit trail's
//!   references and the tombstones keep their meaning.
//! - Outbox bodies of emails already sent are emptied (the mail worker now does this after
//!   each send): they held follow-up text and, for follow-ups, usable consultation links.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    RetentionYears,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    ErasedAt,
}

#[derive(DeriveIden)]
enum Partners {
    Table,
    ErasedAt,
}

#[derive(DeriveIden)]
enum OutboxEmails {
    Table,
    Status,
    TextBody,
    HtmlBody,
    Calendar,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        small_integer(Users::RetentionYears)
                            .default(7)
                            .check(Expr::col(Users::RetentionYears).between(1, 50)),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .add_column(timestamp_with_time_zone_null(Cases::ErasedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Partners::Table)
                    .add_column(timestamp_with_time_zone_null(Partners::ErasedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(OutboxEmails::Table)
                    .value(OutboxEmails::TextBody, "")
                    .value(OutboxEmails::HtmlBody, "")
                    .value(OutboxEmails::Calendar, Option::<String>::None)
                    .and_where(Expr::col(OutboxEmails::Status).eq("sent"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Partners::Table).drop_column(Partners::ErasedAt).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Cases::Table).drop_column(Cases::ErasedAt).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Users::Table).drop_column(Users::RetentionYears).to_owned())
            .await
    }
}
