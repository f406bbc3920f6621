//! Therapy sessions: a session the therapist held with a couple (when, how long, who
//! attended, the therapist's note — free text or Data / Assessment / Plan) or the next one
//! they scheduled (its calendar identity and the sequence number each change raises), and
//! what a session's note points to (a wish, an agreement, a private note, a step 5 request
//! for one more conversation). Called `therapy_sessions` because `sessions` are sign-ins.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TherapySessions {
    Table,
    Id,
    CaseId,
    Status,
    StartsAt,
    Minutes,
    Attendance,
    NoteFormat,
    Note,
    NoteData,
    NoteAssessment,
    NotePlan,
    CalendarUid,
    CalendarSequence,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TherapySessionTopics {
    Table,
    Id,
    SessionId,
    Kind,
    RecordId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TherapySessions::Table)
                    .col(pk_auto(TherapySessions::Id))
                    .col(integer(TherapySessions::CaseId))
                    .col(
                        string_len(TherapySessions::Status, 16).check(
                            Expr::col(TherapySessions::Status).is_in(["held", "scheduled", "cancelled"]),
                        ),
                    )
                    .col(timestamp_with_time_zone(TherapySessions::StartsAt))
                    .col(integer(TherapySessions::Minutes))
                    .col(
                        string_len(TherapySessions::Attendance, 8)
                            .check(Expr::col(TherapySessions::Attendance).is_in(["both", "a", "b"])),
                    )
                    .col(
                        string_len(TherapySessions::NoteFormat, 8)
                            .default("free")
                            .check(Expr::col(TherapySessions::NoteFormat).is_in(["free", "dap"])),
                    )
                    .col(text(TherapySessions::Note).default(""))
                    .col(text(TherapySessions::NoteData).default(""))
                    .col(text(TherapySessions::NoteAssessment).default(""))
                    .col(text(TherapySessions::NotePlan).default(""))
                    .col(string_len(TherapySessions::CalendarUid, 100).unique_key())
                    .col(integer(TherapySessions::CalendarSequence).default(0))
                    .col(timestamp_with_time_zone(TherapySessions::CreatedAt))
                    .col(timestamp_with_time_zone(TherapySessions::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_therapy_sessions_case")
                            .from(TherapySessions::Table, TherapySessions::CaseId)
                            .to(Cases::Table, Cases::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_therapy_sessions_case_starts")
                    .table(TherapySessions::Table)
                    .col(TherapySessions::CaseId)
                    .col(TherapySessions::StartsAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TherapySessionTopics::Table)
                    .col(pk_auto(TherapySessionTopics::Id))
                    .col(integer(TherapySessionTopics::SessionId))
                    .col(string_len(TherapySessionTopics::Kind, 16).check(
                        Expr::col(TherapySessionTopics::Kind).is_in([
                            "wish",
                            "agreement",
                            "private_note",
                            "conversation",
                        ]),
                    ))
                    .col(integer(TherapySessionTopics::RecordId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_therapy_session_topics_session")
                            .from(TherapySessionTopics::Table, TherapySessionTopics::SessionId)
                            .to(TherapySessions::Table, TherapySessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_therapy_session_topics_session")
                    .table(TherapySessionTopics::Table)
                    .col(TherapySessionTopics::SessionId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TherapySessionTopics::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(TherapySessions::Table).to_owned()).await
    }
}
