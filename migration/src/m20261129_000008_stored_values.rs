//! Columns that hold one of a closed set of names accept only those names: a CHECK
//! constraint on PostgreSQL, and on SQLite (which cannot add a constraint to a table)
//! triggers that refuse any other value on insert and update. The names are the stored
//! names of the app's domain enums at the time of this migration.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Role,
    Digest,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Status,
    ConfidentialityPolicy,
}

#[derive(DeriveIden)]
enum Partners {
    Table,
    Seeks,
}

#[derive(DeriveIden)]
enum Assignments {
    Table,
    Recipients,
}

#[derive(DeriveIden)]
enum Responses {
    Table,
    Status,
}

#[derive(DeriveIden)]
enum Wishes {
    Table,
    State,
    Kind,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    Status,
}

#[derive(DeriveIden)]
enum OutboxEmails {
    Table,
    Kind,
    Status,
}

/// Each checked column and the names it accepts.
fn checked_columns() -> Vec<(DynIden, DynIden, &'static [&'static str])> {
    vec![
        (Users::Table.into_iden(), Users::Role.into_iden(), &["therapist", "client"]),
        (Users::Table.into_iden(), Users::Digest.into_iden(), &["immediate", "daily"]),
        (Cases::Table.into_iden(), Cases::Status.into_iden(), &["active", "paused", "closed"]),
        (
            Cases::Table.into_iden(),
            Cases::ConfidentialityPolicy.into_iden(),
            &["no_secrets", "limited_secrets"],
        ),
        (Partners::Table.into_iden(), Partners::Seeks.into_iden(), &["emotional", "physical", "unsure"]),
        (Assignments::Table.into_iden(), Assignments::Recipients.into_iden(), &["both", "a", "b"]),
        (Responses::Table.into_iden(), Responses::Status.into_iden(), &["draft", "submitted", "reviewed"]),
        (
            Wishes::Table.into_iden(),
            Wishes::State.into_iden(),
            &["open", "offer_pending", "different_asked", "not_now", "agreed", "withdrawn"],
        ),
        (
            Wishes::Table.into_iden(),
            Wishes::Kind.into_iden(),
            &["emotional", "physical", "sexual", "everyday"],
        ),
        (Offers::Table.into_iden(), Offers::Status.into_iden(), &["proposed", "accepted", "declined"]),
        (
            OutboxEmails::Table.into_iden(),
            OutboxEmails::Kind.into_iden(),
            &["invitation", "case_update", "follow_up", "reminder", "notification", "calendar"],
        ),
        (
            OutboxEmails::Table.into_iden(),
            OutboxEmails::Status.into_iden(),
            &["pending", "sending", "sent", "failed"],
        ),
    ]
}

/// `'a', 'b', 'c'` (the names are fixed identifiers, never input).
fn quoted_list(names: &[&str]) -> String {
    names.iter().map(|name| format!("'{name}'")).collect::<Vec<_>>().join(", ")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;
        for (table, column, names) in checked_columns() {
            let (table, column, list) = (table.to_string(), column.to_string(), quoted_list(names));
            if postgres {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_known CHECK ({column} IN ({list}))"
                ))
                .await?;
            } else {
                for (suffix, event) in
                    [("insert", "INSERT".to_owned()), ("update", format!("UPDATE OF {column}"))]
                {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_{column}_known_on_{suffix} BEFORE {event} ON {table} \
                         WHEN NEW.{column} NOT IN ({list}) \
                         BEGIN SELECT RAISE(ABORT, '{table}.{column}: unknown value'); END"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;
        for (table, column, _) in checked_columns() {
            let (table, column) = (table.to_string(), column.to_string());
            if postgres {
                db.execute_unprepared(&format!("ALTER TABLE {table} DROP CONSTRAINT {table}_{column}_known"))
                    .await?;
            } else {
                for suffix in ["insert", "update"] {
                    db.execute_unprepared(&format!("DROP TRIGGER {table}_{column}_known_on_{suffix}"))
                        .await?;
                }
            }
        }
        Ok(())
    }
}
