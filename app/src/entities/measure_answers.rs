//! `SeaORM` entity for the `measure_answers` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "measure_answers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub schedule_id: i32,
    pub partner_id: i32,
    pub measure_version_id: i32,
    pub due_on: Date,
    #[sea_orm(column_type = "Text")]
    pub answers: String,
    pub total_hundredths: i32,
    pub submitted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
