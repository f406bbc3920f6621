//! Verified sign-up: a therapist's email is confirmed before anything is sent from their
//! account to anyone else.
//! - `users.email_verified_at`: when the address was proven (a confirmation link, an
//!   operator's invitation, or a client's invitation). Accounts that exist before this
//!   migration count as verified from their creation.
//! - `account_links`: single-use links about an account (`confirm_email` after sign-up,
//!   `set_password` from the operator's `invite-therapist`); only the SHA-256 of the token
//!   is kept, and it is minted when the email is sent.
//! - `outbox_emails.account_link_id`: the account link an email carries; `account` is a new
//!   kind of email (sign-up confirmations and notices, the operator's invitation).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    EmailVerifiedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AccountLinks {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum OutboxEmails {
    Table,
    AccountLinkId,
}

/// The kinds of email before and after this migration (see migrations 8 and 12).
const KINDS_BEFORE: &str =
    "'invitation', 'case_update', 'follow_up', 'reminder', 'notification', 'calendar', 'password_reset'";
const KINDS_AFTER: &str =
    "'invitation', 'case_update', 'follow_up', 'reminder', 'notification', 'calendar', \
                           'password_reset', 'account'";

async fn check_kinds(manager: &SchemaManager<'_>, list: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if manager.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared("ALTER TABLE outbox_emails DROP CONSTRAINT outbox_emails_kind_known").await?;
        db.execute_unprepared(&format!(
            "ALTER TABLE outbox_emails ADD CONSTRAINT outbox_emails_kind_known CHECK (kind IN ({list}))"
        ))
        .await?;
    } else {
        for (suffix, event) in [("insert", "INSERT"), ("update", "UPDATE OF kind")] {
            db.execute_unprepared(&format!("DROP TRIGGER outbox_emails_kind_known_on_{suffix}")).await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER outbox_emails_kind_known_on_{suffix} BEFORE {event} ON outbox_emails \
                 WHEN NEW.kind NOT IN ({list}) \
                 BEGIN SELECT RAISE(ABORT, 'outbox_emails.kind: unknown value'); END"
            ))
            .await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Users::EmailVerifiedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Users::Table)
                    .value(Users::EmailVerifiedAt, Expr::col(Users::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccountLinks::Table)
                    .col(pk_auto(AccountLinks::Id))
                    .col(integer(AccountLinks::UserId))
                    .col(
                        string_len(AccountLinks::Purpose, 16)
                            .check(Expr::col(AccountLinks::Purpose).is_in(["confirm_email", "set_password"])),
                    )
                    .col(string_len_null(AccountLinks::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(AccountLinks::CreatedAt))
                    .col(timestamp_with_time_zone(AccountLinks::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AccountLinks::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_links_user")
                            .from(AccountLinks::Table, AccountLinks::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_account_links_user")
                    .table(AccountLinks::Table)
                    .col(AccountLinks::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(OutboxEmails::Table)
                    .add_column(integer_null(OutboxEmails::AccountLinkId))
                    .to_owned(),
            )
            .await?;
        check_kinds(manager, KINDS_AFTER).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(OutboxEmails::Table)
                    .and_where(Expr::col("kind").eq("account"))
                    .to_owned(),
            )
            .await?;
        check_kinds(manager, KINDS_BEFORE).await?;
        manager
            .alter_table(
                Table::alter().table(OutboxEmails::Table).drop_column(OutboxEmails::AccountLinkId).to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(AccountLinks::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Users::Table).drop_column(Users::EmailVerifiedAt).to_owned())
            .await
    }
}
