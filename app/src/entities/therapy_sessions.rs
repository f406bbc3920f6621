//! `SeaORM` entity for the `therapy_sessions` table.

use crate::domain::therapy_session::{Attendance, NoteFormat, SessionStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "therapy_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub case_id: i32,
    pub status: SessionStatus,
    pub starts_at: DateTimeUtc,
    pub minutes: i32,
    pub attendance: Attendance,
    pub note_format: NoteFormat,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    #[sea_orm(column_type = "Text")]
    pub note_data: String,
    #[sea_orm(column_type = "Text")]
    pub note_assessment: String,
    #[sea_orm(column_type = "Text")]
    pub note_plan: String,
    #[sea_orm(unique)]
    pub calendar_uid: String,
    pub calendar_sequence: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
