//! `SeaORM` entity for the `agreements` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agreements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub case_id: i32,
    #[sea_orm(unique)]
    pub wish_id: i32,
    pub giver_id: i32,
    pub receiver_id: i32,
    pub text: String,
    pub ease: Option<i16>,
    pub times_per_week: i16,
    pub chosen: bool,
    pub created_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
