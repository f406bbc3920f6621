//! Consent that can change: a giver may take back a yes, so a wish gains the state
//! `taken_back`, and an agreement remembers when it was set aside (`withdrawn_at`): a
//! withdrawn agreement leaves "what you give" and its reminders stop. And when it gets
//! hard: a partner remembers when the therapist cleared the flag that every one of their
//! wishes was declined (`declined_flag_cleared_at`).

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Agreements {
    Table,
    WithdrawnAt,
}

#[derive(DeriveIden)]
enum Partners {
    Table,
    DeclinedFlagClearedAt,
}

/// The wish states accepted before this migration.
const OLD_STATES: &str = "'open', 'offer_pending', 'different_asked', 'not_now', 'agreed', 'withdrawn'";
/// The wish states accepted after it.
const NEW_STATES: &str =
    "'open', 'offer_pending', 'different_asked', 'not_now', 'agreed', 'withdrawn', 'taken_back'";

/// Replaces the check on `wishes.state` (migration 8's constraint or triggers) with one
/// accepting `states`.
async fn check_wish_states(manager: &SchemaManager<'_>, states: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if manager.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared("ALTER TABLE wishes DROP CONSTRAINT wishes_state_known").await?;
        db.execute_unprepared(&format!(
            "ALTER TABLE wishes ADD CONSTRAINT wishes_state_known CHECK (state IN ({states}))"
        ))
        .await?;
    } else {
        for (suffix, event) in [("insert", "INSERT"), ("update", "UPDATE OF state")] {
            db.execute_unprepared(&format!("DROP TRIGGER wishes_state_known_on_{suffix}")).await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER wishes_state_known_on_{suffix} BEFORE {event} ON wishes \
                 WHEN NEW.state NOT IN ({states}) \
                 BEGIN SELECT RAISE(ABORT, 'wishes.state: unknown value'); END"
            ))
            .await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        check_wish_states(manager, NEW_STATES).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Agreements::Table)
                    .add_column(ColumnDef::new(Agreements::WithdrawnAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Partners::Table)
                    .add_column(
                        ColumnDef::new(Partners::DeclinedFlagClearedAt).timestamp_with_time_zone().null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Partners::Table).drop_column(Partners::DeclinedFlagClearedAt).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(Agreements::Table).drop_column(Agreements::WithdrawnAt).to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("UPDATE wishes SET state = 'not_now' WHERE state = 'taken_back'")
            .await?;
        check_wish_states(manager, OLD_STATES).await
    }
}
