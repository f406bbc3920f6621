//! `SeaORM` entity for the `whats_new_done` table.

use crate::domain::whats_new::WhatsNewKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "whats_new_done")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub therapist_id: i32,
    pub kind: WhatsNewKind,
    pub record_id: i32,
    pub version: i32,
    pub done_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
