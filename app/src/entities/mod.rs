//! SeaORM entities: one module per table, in sea-orm-cli's output format, mirroring the
//! migrations. They hold data only; behaviour lives in `crate::services`.

pub mod audit_entries;
pub mod cases;
pub mod invitations;
pub mod outbox_emails;
pub mod partners;
pub mod sessions;
pub mod sign_in_throttles;
pub mod users;
