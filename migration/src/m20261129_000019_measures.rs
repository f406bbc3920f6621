//! Scored measures: a therapist's measures and their versions (each save is a new version,
//! like exercises), their schedules for a case (once, or every N weeks, to one or both
//! partners), and each partner's answers, which keep the version they answered.

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
}

#[derive(DeriveIden)]
enum Partners {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Measures {
    Table,
    Id,
    TherapistId,
    Title,
    CurrentVersion,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MeasureVersions {
    Table,
    Id,
    MeasureId,
    Version,
    Content,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MeasureSchedules {
    Table,
    Id,
    CaseId,
    MeasureId,
    Recipients,
    StartsOn,
    EveryWeeks,
    StoppedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MeasureAnswers {
    Table,
    Id,
    ScheduleId,
    PartnerId,
    MeasureVersionId,
    DueOn,
    Answers,
    TotalHundredths,
    SubmittedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Measures::Table)
                    .col(pk_auto(Measures::Id))
                    .col(integer(Measures::TherapistId))
                    .col(string_len(Measures::Title, 200))
                    .col(integer(Measures::CurrentVersion))
                    .col(timestamp_with_time_zone_null(Measures::ArchivedAt))
                    .col(timestamp_with_time_zone(Measures::CreatedAt))
                    .col(timestamp_with_time_zone(Measures::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_measures_therapist")
                            .from(Measures::Table, Measures::TherapistId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_measures_therapist")
                    .table(Measures::Table)
                    .col(Measures::TherapistId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MeasureVersions::Table)
                    .col(pk_auto(MeasureVersions::Id))
                    .col(integer(MeasureVersions::MeasureId))
                    .col(integer(MeasureVersions::Version))
                    .col(text(MeasureVersions::Content))
                    .col(timestamp_with_time_zone(MeasureVersions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_measure_versions_measure")
                            .from(MeasureVersions::Table, MeasureVersions::MeasureId)
                            .to(Measures::Table, Measures::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_measure_versions_measure_version")
                    .table(MeasureVersions::Table)
                    .col(MeasureVersions::MeasureId)
                    .col(MeasureVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MeasureSchedules::Table)
                    .col(pk_auto(MeasureSchedules::Id))
                    .col(integer(MeasureSchedules::CaseId))
                    .col(integer(MeasureSchedules::MeasureId))
                    .col(
                        string_len(MeasureSchedules::Recipients, 8)
                            .check(Expr::col(MeasureSchedules::Recipients).is_in(["both", "a", "b"])),
                    )
                    .col(date(MeasureSchedules::StartsOn))
                    .col(
                        small_integer_null(MeasureSchedules::EveryWeeks)
                            .check(Expr::col(MeasureSchedules::EveryWeeks).between(1, 52)),
                    )
                    .col(timestamp_with_time_zone_null(MeasureSchedules::StoppedAt))
                    .col(timestamp_with_time_zone(MeasureSchedules::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_measure_schedules_case")
                            .from(MeasureSchedules::Table, MeasureSchedules::CaseId)
                            .to(Cases::Table, Cases::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_measure_schedules_measure")
                            .from(MeasureSchedules::Table, MeasureSchedules::MeasureId)
                            .to(Measures::Table, Measures::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_measure_schedules_case")
                    .table(MeasureSchedules::Table)
                    .col(MeasureSchedules::CaseId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MeasureAnswers::Table)
                    .col(pk_auto(MeasureAnswers::Id))
                    .col(integer(MeasureAnswers::ScheduleId))
                    .col(integer(MeasureAnswers::PartnerId))
                    .col(integer(MeasureAnswers::MeasureVersionId))
                    .col(date(MeasureAnswers::DueOn))
                    .col(text(MeasureAnswers::Answers))
                    .col(integer(MeasureAnswers::TotalHundredths))
                    .col(timestamp_with_time_zone(MeasureAnswers::SubmittedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_measure_answers_schedule")
                            .from(MeasureAnswers::Table, MeasureAnswers::ScheduleId)
                            .to(MeasureSchedules::Table, MeasureSchedules::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_measure_answers_partner")
                            .from(MeasureAnswers::Table, MeasureAnswers::PartnerId)
                            .to(Partners::Table, Partners::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_measure_answers_version")
                            .from(MeasureAnswers::Table, MeasureAnswers::MeasureVersionId)
                            .to(MeasureVersions::Table, MeasureVersions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One answer per partner and due date of a schedule.
        manager
            .create_index(
                Index::create()
                    .name("idx_measure_answers_schedule_partner_due")
                    .table(MeasureAnswers::Table)
                    .col(MeasureAnswers::ScheduleId)
                    .col(MeasureAnswers::PartnerId)
                    .col(MeasureAnswers::DueOn)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_measure_answers_partner")
                    .table(MeasureAnswers::Table)
                    .col(MeasureAnswers::PartnerId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MeasureAnswers::Table.into_iden(),
            MeasureSchedules::Table.into_iden(),
            MeasureVersions::Table.into_iden(),
            Measures::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
