//! An index on every foreign key that a query looks rows up by, where none was (neither
//! SQLite nor PostgreSQL makes one for a foreign key). Without them each of these reads
//! scanned its whole table: the session lookup on every request (`second_factors` by user),
//! a case's notes tab (`private_notes` by case) and a client's notes (by partner), each
//! section of "What's new" (SQLite built a throw-away index for `private_notes` and
//! `consultation_slots` on every caseload view), the together tab (`agreements`,
//! `pact_entries`, `offers`), the consultation links, and a therapist's exercises and
//! follow-up templates.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PrivateNotes {
    Table,
    CaseId,
    PartnerId,
}

#[derive(DeriveIden)]
enum ConsultationSlots {
    Table,
    CaseId,
}

#[derive(DeriveIden)]
enum SlotLinks {
    Table,
    SlotId,
    PartnerId,
}

#[derive(DeriveIden)]
enum Agreements {
    Table,
    CaseId,
}

#[derive(DeriveIden)]
enum PactEntries {
    Table,
    CaseId,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    WishId,
}

#[derive(DeriveIden)]
enum Wishes {
    Table,
    AddresseeId,
}

#[derive(DeriveIden)]
enum Responses {
    Table,
    PartnerId,
}

#[derive(DeriveIden)]
enum SecondFactors {
    Table,
    UserId,
}

#[derive(DeriveIden)]
enum ExerciseTemplates {
    Table,
    TherapistId,
}

#[derive(DeriveIden)]
enum MessageTemplates {
    Table,
    TherapistId,
}

#[derive(DeriveIden)]
enum Assignments {
    Table,
    ExerciseVersionId,
}

#[derive(DeriveIden)]
enum MeasureSchedules {
    Table,
    MeasureId,
}

/// Each index: its name, its table and its one column.
fn indexes() -> Vec<(&'static str, DynIden, DynIden)> {
    fn of(
        name: &'static str,
        table: impl IntoIden,
        column: impl IntoIden,
    ) -> (&'static str, DynIden, DynIden) {
        (name, table.into_iden(), column.into_iden())
    }
    vec![
        of("idx_private_notes_case", PrivateNotes::Table, PrivateNotes::CaseId),
        of("idx_private_notes_partner", PrivateNotes::Table, PrivateNotes::PartnerId),
        of("idx_consultation_slots_case", ConsultationSlots::Table, ConsultationSlots::CaseId),
        of("idx_slot_links_slot", SlotLinks::Table, SlotLinks::SlotId),
        of("idx_slot_links_partner", SlotLinks::Table, SlotLinks::PartnerId),
        of("idx_agreements_case", Agreements::Table, Agreements::CaseId),
        of("idx_pact_entries_case", PactEntries::Table, PactEntries::CaseId),
        of("idx_offers_wish", Offers::Table, Offers::WishId),
        of("idx_wishes_addressee", Wishes::Table, Wishes::AddresseeId),
        of("idx_responses_partner", Responses::Table, Responses::PartnerId),
        of("idx_second_factors_user", SecondFactors::Table, SecondFactors::UserId),
        of("idx_exercise_templates_therapist", ExerciseTemplates::Table, ExerciseTemplates::TherapistId),
        of("idx_message_templates_therapist", MessageTemplates::Table, MessageTemplates::TherapistId),
        of("idx_assignments_exercise_version", Assignments::Table, Assignments::ExerciseVersionId),
        of("idx_measure_schedules_measure", MeasureSchedules::Table, MeasureSchedules::MeasureId),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, column) in indexes() {
            manager.create_index(Index::create().name(name).table(table).col(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in indexes() {
            manager.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        Ok(())
    }
}
