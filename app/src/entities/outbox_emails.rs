//! `SeaORM` entity for the `outbox_emails` table.

use crate::domain::outbox::{EmailKind, EmailStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_emails")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub case_id: Option<i32>,
    pub partner_id: Option<i32>,
    pub invitation_id: Option<i32>,
    pub kind: EmailKind,
    pub to_address: String,
    pub to_name: String,
    pub from_name: String,
    pub reply_to: Option<String>,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub text_body: String,
    #[sea_orm(column_type = "Text")]
    pub html_body: String,
    #[sea_orm(unique)]
    pub message_id: String,
    pub status: EmailStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub claimed_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub calendar: Option<String>,
    pub account_link_id: Option<i32>,
    pub whats_new_done_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
