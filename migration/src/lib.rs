//! The Babysteps schema as ordered migrations. The same migrations run on SQLite and
//! PostgreSQL; they are applied at server start-up and by every test database.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_accounts;
mod m20261125_000002_audit;
mod m20261125_000003_cases;
mod m20261125_000004_homework;
mod m20261125_000005_time_zones;
mod m20261125_000006_exchange;
mod m20261125_000007_messages;
mod m20261129_000008_stored_values;
mod m20261129_000009_privacy;
mod m20261129_000010_safety_channel;
mod m20261129_000011_second_factor;
mod m20261129_000012_password_resets;
mod m20261129_000013_verified_sign_up;
mod m20261129_000014_audit_trail;
mod m20261129_000015_retention;
mod m20261129_000016_sealed_secrets;
mod m20261129_000017_programme_order;
mod m20261129_000018_therapy_sessions;
mod m20261129_000019_measures;
mod m20261129_000021_whats_new;
mod m20261129_000022_programme_fit;
mod m20261129_000023_sample_practice;
mod m20261129_000024_without_sexual_content;
mod m20261129_000025_skipped_steps;
mod m20261130_000026_caseload_indexes;
mod m20261130_000027_foreign_key_indexes;
mod m20261130_000028_unread_notes_index;
mod m20261130_000029_whats_new_on_items;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_accounts::Migration),
            Box::new(m20261125_000002_audit::Migration),
            Box::new(m20261125_000003_cases::Migration),
            Box::new(m20261125_000004_homework::Migration),
            Box::new(m20261125_000005_time_zones::Migration),
            Box::new(m20261125_000006_exchange::Migration),
            Box::new(m20261125_000007_messages::Migration),
            Box::new(m20261129_000008_stored_values::Migration),
            Box::new(m20261129_000009_privacy::Migration),
            Box::new(m20261129_000010_safety_channel::Migration),
            Box::new(m20261129_000011_second_factor::Migration),
            Box::new(m20261129_000012_password_resets::Migration),
            Box::new(m20261129_000013_verified_sign_up::Migration),
            Box::new(m20261129_000014_audit_trail::Migration),
            Box::new(m20261129_000015_retention::Migration),
            Box::new(m20261129_000016_sealed_secrets::Migration),
            Box::new(m20261129_000017_programme_order::Migration),
            Box::new(m20261129_000018_therapy_sessions::Migration),
            Box::new(m20261129_000019_measures::Migration),
            Box::new(m20261129_000021_whats_new::Migration),
            Box::new(m20261129_000022_programme_fit::Migration),
            Box::new(m20261129_000023_sample_practice::Migration),
            Box::new(m20261129_000024_without_sexual_content::Migration),
            Box::new(m20261129_000025_skipped_steps::Migration),
            Box::new(m20261130_000026_caseload_indexes::Migration),
            Box::new(m20261130_000027_foreign_key_indexes::Migration),
            Box::new(m20261130_000028_unread_notes_index::Migration),
            Box::new(m20261130_000029_whats_new_on_items::Migration),
        ]
    }
}
