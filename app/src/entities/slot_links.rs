//! `SeaORM` entity for the `slot_links` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "slot_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub slot_id: i32,
    pub partner_id: i32,
    pub secret: String,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
