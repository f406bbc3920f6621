//! `SeaORM` entity for the `audit_entries` table.

use crate::domain::audit::AuditOutcome;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub actor_user_id: Option<i32>,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub occurred_at: DateTimeUtc,
    pub case_id: Option<i32>,
    pub partner_id: Option<i32>,
    pub outcome: AuditOutcome,
    pub client_address: Option<String>,
    pub session_ref: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
