//! Password resets and the devices an account is signed in on.
//!
//! - `password_resets`: one row per "forgot your password" request for a known account.
//!   Like an invitation, the link's token is minted when the email is sent, so the row
//!   starts without a hash; only the SHA-256 of the token is ever stored. The row names the
//!   outbox email that carries it.
//! - `sessions.device`: a short label ("Firefox on Linux") made from the browser's
//!   User-Agent at sign-in, never the header itself.
//! - `outbox_emails.kind` also accepts `password_reset` (the CHECK constraint on
//!   PostgreSQL and the triggers on SQLite of migration 8, replaced with the longer list).

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Device,
}

#[derive(DeriveIden)]
enum OutboxEmails {
    Table,
    Id,
    Kind,
}

#[derive(DeriveIden)]
enum PasswordResets {
    Table,
    Id,
    UserId,
    OutboxEmailId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

/// The email kinds before this migration.
const KINDS_BEFORE: &[&str] =
    &["invitation", "case_update", "follow_up", "reminder", "notification", "calendar"];
/// The email kinds after it.
const KINDS_AFTER: &[&str] =
    &["invitation", "case_update", "follow_up", "reminder", "notification", "calendar", "password_reset"];

/// Replaces the names `outbox_emails.kind` accepts (see migration 8 for the mechanism).
async fn accept_kinds(manager: &SchemaManager<'_>, names: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let (table, column) = (OutboxEmails::Table.to_string(), OutboxEmails::Kind.to_string());
    let list = names.iter().map(|name| format!("'{name}'")).collect::<Vec<_>>().join(", ");
    if manager.get_database_backend() == DatabaseBackend::Postgres {
        let constraint = format!("{table}_{column}_known");
        db.execute_unprepared(&format!("ALTER TABLE {table} DROP CONSTRAINT {constraint}")).await?;
        db.execute_unprepared(&format!(
            "ALTER TABLE {table} ADD CONSTRAINT {constraint} CHECK ({column} IN ({list}))"
        ))
        .await?;
    } else {
        for (suffix, event) in [("insert", "INSERT".to_owned()), ("update", format!("UPDATE OF {column}"))] {
            let trigger = format!("{table}_{column}_known_on_{suffix}");
            db.execute_unprepared(&format!("DROP TRIGGER {trigger}")).await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {trigger} BEFORE {event} ON {table} \
                 WHEN NEW.{column} NOT IN ({list}) \
                 BEGIN SELECT RAISE(ABORT, '{table}.{column}: unknown value'); END"
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
                    .table(Sessions::Table)
                    .add_column(string_len(Sessions::Device, 60).default(""))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PasswordResets::Table)
                    .col(pk_auto(PasswordResets::Id))
                    .col(integer(PasswordResets::UserId))
                    .col(integer_null(PasswordResets::OutboxEmailId))
                    .col(string_len_null(PasswordResets::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(PasswordResets::CreatedAt))
                    .col(timestamp_with_time_zone(PasswordResets::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PasswordResets::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_password_resets_user")
                            .from(PasswordResets::Table, PasswordResets::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_password_resets_email")
                            .from(PasswordResets::Table, PasswordResets::OutboxEmailId)
                            .to(OutboxEmails::Table, OutboxEmails::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_password_resets_user", PasswordResets::UserId),
            ("idx_password_resets_email", PasswordResets::OutboxEmailId),
        ] {
            manager
                .create_index(Index::create().name(name).table(PasswordResets::Table).col(column).to_owned())
                .await?;
        }
        accept_kinds(manager, KINDS_AFTER).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        accept_kinds(manager, KINDS_BEFORE).await?;
        manager.drop_table(Table::drop().table(PasswordResets::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Sessions::Table).drop_column(Sessions::Device).to_owned())
            .await
    }
}
