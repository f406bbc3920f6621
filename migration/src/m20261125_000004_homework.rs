//! Homework: exercise templates and their versions, assignments to a case, each partner's
//! answers (draft, submitted, shared) and the therapist's comments.

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
enum ExerciseTemplates {
    Table,
    Id,
    TherapistId,
    BuiltInKey,
    Title,
    CurrentVersion,
    ArchivedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ExerciseVersions {
    Table,
    Id,
    TemplateId,
    Version,
    Content,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Assignments {
    Table,
    Id,
    CaseId,
    ExerciseVersionId,
    ProgrammeKey,
    StepNumber,
    Recipients,
    MutualReveal,
    DueOn,
    Note,
    UnlockedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Responses {
    Table,
    Id,
    AssignmentId,
    PartnerId,
    Answers,
    Status,
    Revision,
    SubmittedAt,
    ReviewedAt,
    SharedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Comments {
    Table,
    Id,
    ResponseId,
    QuestionKey,
    Body,
    AuthorId,
    ReadAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ExerciseTemplates::Table)
                    .col(pk_auto(ExerciseTemplates::Id))
                    .col(integer_null(ExerciseTemplates::TherapistId))
                    .col(string_len_null(ExerciseTemplates::BuiltInKey, 64).unique_key())
                    .col(string_len(ExerciseTemplates::Title, 200))
                    .col(integer(ExerciseTemplates::CurrentVersion))
                    .col(timestamp_with_time_zone_null(ExerciseTemplates::ArchivedAt))
                    .col(timestamp_with_time_zone(ExerciseTemplates::CreatedAt))
                    .col(timestamp_with_time_zone(ExerciseTemplates::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_templates_therapist")
                            .from(ExerciseTemplates::Table, ExerciseTemplates::TherapistId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExerciseVersions::Table)
                    .col(pk_auto(ExerciseVersions::Id))
                    .col(integer(ExerciseVersions::TemplateId))
                    .col(integer(ExerciseVersions::Version))
                    .col(text(ExerciseVersions::Content))
                    .col(timestamp_with_time_zone(ExerciseVersions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_versions_template")
                            .from(ExerciseVersions::Table, ExerciseVersions::TemplateId)
                            .to(ExerciseTemplates::Table, ExerciseTemplates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_versions_template_version")
                    .table(ExerciseVersions::Table)
                    .col(ExerciseVersions::TemplateId)
                    .col(ExerciseVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Assignments::Table)
                    .col(pk_auto(Assignments::Id))
                    .col(integer(Assignments::CaseId))
                    .col(integer(Assignments::ExerciseVersionId))
                    .col(string_len_null(Assignments::ProgrammeKey, 64))
                    .col(small_integer_null(Assignments::StepNumber))
                    .col(string_len(Assignments::Recipients, 8))
                    .col(boolean(Assignments::MutualReveal))
                    .col(date_null(Assignments::DueOn))
                    .col(text(Assignments::Note))
                    .col(timestamp_with_time_zone_null(Assignments::UnlockedAt))
                    .col(timestamp_with_time_zone(Assignments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assignments_case")
                            .from(Assignments::Table, Assignments::CaseId)
                            .to(Cases::Table, Cases::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assignments_version")
                            .from(Assignments::Table, Assignments::ExerciseVersionId)
                            .to(ExerciseVersions::Table, ExerciseVersions::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_assignments_case")
                    .table(Assignments::Table)
                    .col(Assignments::CaseId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Responses::Table)
                    .col(pk_auto(Responses::Id))
                    .col(integer(Responses::AssignmentId))
                    .col(integer(Responses::PartnerId))
                    .col(text(Responses::Answers))
                    .col(string_len(Responses::Status, 16))
                    .col(integer(Responses::Revision))
                    .col(timestamp_with_time_zone_null(Responses::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Responses::ReviewedAt))
                    .col(timestamp_with_time_zone_null(Responses::SharedAt))
                    .col(timestamp_with_time_zone(Responses::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_responses_assignment")
                            .from(Responses::Table, Responses::AssignmentId)
                            .to(Assignments::Table, Assignments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_responses_partner")
                            .from(Responses::Table, Responses::PartnerId)
                            .to(Partners::Table, Partners::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_responses_assignment_partner")
                    .table(Responses::Table)
                    .col(Responses::AssignmentId)
                    .col(Responses::PartnerId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Comments::Table)
                    .col(pk_auto(Comments::Id))
                    .col(integer(Comments::ResponseId))
                    .col(string_len_null(Comments::QuestionKey, 64))
                    .col(text(Comments::Body))
                    .col(integer(Comments::AuthorId))
                    .col(timestamp_with_time_zone_null(Comments::ReadAt))
                    .col(timestamp_with_time_zone(Comments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_comments_response")
                            .from(Comments::Table, Comments::ResponseId)
                            .to(Responses::Table, Responses::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_comments_response")
                    .table(Comments::Table)
                    .col(Comments::ResponseId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Comments::Table.into_iden(),
            Responses::Table.into_iden(),
            Assignments::Table.into_iden(),
            ExerciseVersions::Table.into_iden(),
            ExerciseTemplates::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
