//! `SeaORM` entity for the `consultation_slots` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultation_slots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub case_id: i32,
    pub proposal: String,
    pub starts_at: DateTimeUtc,
    pub chosen_by_partner_id: Option<i32>,
    pub chosen_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub whats_new_done_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
