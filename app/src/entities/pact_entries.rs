//! `SeaORM` entity for the `pact_entries` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pact_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub case_id: i32,
    #[sea_orm(unique)]
    pub partner_id: i32,
    #[sea_orm(column_type = "Text")]
    pub letting_go: String,
    pub shared: bool,
    pub wants_conversation: bool,
    pub confirmed_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    pub conversation_requested_at: Option<DateTimeUtc>,
    pub conversation_held_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
