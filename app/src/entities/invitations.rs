//! `SeaORM` entity for the `invitations` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub partner_id: i32,
    #[sea_orm(unique)]
    pub token_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::partners::Entity",
        from = "Column::PartnerId",
        to = "super::partners::Column::Id",
        on_update = "NoAction",
        on_delete = "Cascade"
    )]
    Partners,
}

impl Related<super::partners::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Partners.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
