//! `SeaORM` entity for the `cases` table.

use crate::domain::case::{CaseStatus, ConfidentialityPolicy};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub therapist_id: i32,
    pub label: String,
    pub status: CaseStatus,
    pub status_changed_at: DateTimeUtc,
    pub confidentiality_policy: ConfidentialityPolicy,
    #[sea_orm(column_type = "Text")]
    pub therapist_notes: String,
    pub last_client_activity_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub pact_completed_at: Option<DateTimeUtc>,
    pub erased_at: Option<DateTimeUtc>,
    pub is_sample: bool,
    pub pact_revisit_on: Option<Date>,
    pub without_sexual_content: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::partners::Entity")]
    Partners,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::TherapistId",
        to = "super::users::Column::Id",
        on_update = "NoAction",
        on_delete = "NoAction"
    )]
    Users,
}

impl Related<super::partners::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Partners.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Users.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
