//! SeaORM entities: one module per table, in sea-orm-cli's output format, mirroring the
//! migrations. They hold data only; behaviour lives in `crate::services`. A column that
//! holds one of a closed set of names is typed with the domain's stored enum (its CHECK
//! constraint is in the migrations), so an unknown stored value fails to read.

pub mod account_links;
pub mod agreements;
pub mod assignments;
pub mod audit_entries;
pub mod cases;
pub mod check_ins;
pub mod comments;
pub mod consultation_slots;
pub mod exercise_templates;
pub mod exercise_versions;
pub mod invitations;
pub mod measure_answers;
pub mod measure_schedules;
pub mod measure_versions;
pub mod measures;
pub mod message_templates;
pub mod offers;
pub mod outbox_emails;
pub mod pact_entries;
pub mod partners;
pub mod password_resets;
pub mod pending_sign_ins;
pub mod private_note_replies;
pub mod private_notes;
pub mod recovery_codes;
pub mod reminder_log;
pub mod responses;
pub mod second_factors;
pub mod sessions;
pub mod sign_in_throttles;
pub mod slot_links;
pub mod therapy_session_topics;
pub mod therapy_sessions;
pub mod users;
pub mod wishes;
