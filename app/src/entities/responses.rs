//! `SeaORM` entity for the `responses` table.

use crate::domain::homework::ResponseStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "responses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub assignment_id: i32,
    pub partner_id: i32,
    #[sea_orm(column_type = "Text")]
    pub answers: String,
    pub status: ResponseStatus,
    pub revision: i32,
    pub submitted_at: Option<DateTimeUtc>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub shared_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub shared_answers: Option<String>,
    pub updated_at: DateTimeUtc,
    pub share_done_at: Option<DateTimeUtc>,
    pub submission_done_revision: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
