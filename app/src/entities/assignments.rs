//! `SeaORM` entity for the `assignments` table.

use crate::domain::homework::Recipients;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assignments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub case_id: i32,
    pub exercise_version_id: i32,
    pub programme_key: Option<String>,
    pub step_number: Option<i16>,
    pub recipients: Recipients,
    pub mutual_reveal: bool,
    pub due_on: Option<Date>,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub unlocked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub skipped_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub skip_reason: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
