//! The programme fitted to each couple.
//!
//! - The caseload sorts by the gap between the partners' closeness ratings in their latest
//!   common week, read from `check_ins` by case and week: an index on `(case_id,
//!   week_start)` keeps that read short.
//! - Step 5 asks once: "one more conversation" becomes a request the therapist marks as
//!   held (`pact_entries.conversation_requested_at`, `conversation_held_on`; a request
//!   made before this migration counts as made when its entry was last saved), and the
//!   therapist can set a date to revisit the pact (`cases.pact_revisit_on`).
//! - Clarifying a wish: the addressee may ask what it means (the wish state
//!   `clarify_asked`), and the wisher may reword it while unanswered; the earlier wordings
//!   are kept, oldest first, as a JSON array of strings (`wishes.earlier_wordings`), so a
//!   page reads them with the wish itself.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CheckIns {
    Table,
    CaseId,
    WeekStart,
}

#[derive(DeriveIden)]
enum PactEntries {
    Table,
    ConversationRequestedAt,
    ConversationHeldOn,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    PactRevisitOn,
}

#[derive(DeriveIden)]
enum Wishes {
    Table,
    EarlierWordings,
}

const CHECK_INS_BY_CASE: &str = "idx_check_ins_case_week";

/// The wish states accepted before this migration (migration 17's).
const OLD_STATES: &str =
    "'open', 'offer_pending', 'different_asked', 'not_now', 'agreed', 'withdrawn', 'taken_back'";
/// The wish states accepted after it.
const NEW_STATES: &str = "'open', 'offer_pending', 'different_asked', 'not_now', 'agreed', 'withdrawn', \
     'taken_back', 'clarify_asked'";

/// Replaces the check on `wishes.state` (migration 8's constraint or triggers, as migration
/// 17 left them) with one accepting `states`.
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
        manager
            .create_index(
                Index::create()
                    .name(CHECK_INS_BY_CASE)
                    .table(CheckIns::Table)
                    .col(CheckIns::CaseId)
                    .col(CheckIns::WeekStart)
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per ALTER TABLE.
        for column in [
            ColumnDef::new(PactEntries::ConversationRequestedAt).timestamp_with_time_zone().null().to_owned(),
            ColumnDef::new(PactEntries::ConversationHeldOn).date().null().to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table(PactEntries::Table).add_column(column).to_owned())
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE pact_entries SET conversation_requested_at = updated_at WHERE wants_conversation",
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .add_column(ColumnDef::new(Cases::PactRevisitOn).date().null())
                    .to_owned(),
            )
            .await?;
        check_wish_states(manager, NEW_STATES).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Wishes::Table)
                    .add_column(ColumnDef::new(Wishes::EarlierWordings).text().not_null().default("[]"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Wishes::Table).drop_column(Wishes::EarlierWordings).to_owned())
            .await?;
        manager
            .get_connection()
            .execute_unprepared("UPDATE wishes SET state = 'open' WHERE state = 'clarify_asked'")
            .await?;
        check_wish_states(manager, OLD_STATES).await?;
        manager
            .alter_table(Table::alter().table(Cases::Table).drop_column(Cases::PactRevisitOn).to_owned())
            .await?;
        for column in [PactEntries::ConversationHeldOn, PactEntries::ConversationRequestedAt] {
            manager
                .alter_table(Table::alter().table(PactEntries::Table).drop_column(column).to_owned())
                .await?;
        }
        manager.drop_index(Index::drop().name(CHECK_INS_BY_CASE).table(CheckIns::Table).to_owned()).await
    }
}
