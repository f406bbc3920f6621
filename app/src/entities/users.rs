//! `SeaORM` entity for the `users` table.

use crate::domain::{outbox::Digest, Role};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub time_zone: String,
    pub practice_name: String,
    #[sea_orm(column_type = "Text")]
    pub signature: String,
    pub booking_url: String,
    pub digest: Digest,
    pub reminders: bool,
    pub crisis_line: String,
    pub reply_within_days: Option<i16>,
    pub second_factor_required: bool,
    pub email_verified_at: Option<DateTimeUtc>,
    pub retention_years: i16,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::sessions::Entity")]
    Sessions,
}

impl Related<super::sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sessions.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
