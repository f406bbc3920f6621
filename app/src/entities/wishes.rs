//! `SeaORM` entity for the `wishes` table.

use crate::domain::exchange::WishState;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wishes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub case_id: i32,
    pub wisher_id: i32,
    pub addressee_id: i32,
    pub text: String,
    pub kind: String,
    pub importance: i16,
    pub state: WishState,
    pub ease: Option<i16>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub step_1_item: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub earlier_wordings: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
