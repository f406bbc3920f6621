//! `SeaORM` entity for the `measure_schedules` table.

use crate::domain::homework::Recipients;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "measure_schedules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub case_id: i32,
    pub measure_id: i32,
    pub recipients: Recipients,
    pub starts_on: Date,
    pub every_weeks: Option<i16>,
    pub stopped_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
