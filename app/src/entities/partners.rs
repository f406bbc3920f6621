//! `SeaORM` entity for the `partners` table.

use crate::domain::case::Seeks;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "partners")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub case_id: i32,
    pub position: i16,
    pub first_name: String,
    pub last_name: Option<String>,
    pub email: String,
    pub pronouns: Option<String>,
    pub seeks: Seeks,
    #[sea_orm(unique)]
    pub client_user_id: Option<i32>,
    pub joined_at: Option<DateTimeUtc>,
    pub share_ratings: bool,
    pub removed_at: Option<DateTimeUtc>,
    pub erased_at: Option<DateTimeUtc>,
    pub declined_flag_cleared_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cases::Entity",
        from = "Column::CaseId",
        to = "super::cases::Column::Id",
        on_update = "NoAction",
        on_delete = "Cascade"
    )]
    Cases,
    #[sea_orm(has_many = "super::invitations::Entity")]
    Invitations,
}

impl Related<super::cases::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cases.def()
    }
}

impl Related<super::invitations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Invitations.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
