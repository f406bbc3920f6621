//! Services: plain async functions over a database connection. Each takes an explicit
//! actor (or, for sign-in and sign-up, the unauthenticated request's facts), checks
//! authorization, and writes the audit trail. They know nothing of HTTP or the UI.

pub mod access;
pub mod account;
pub mod accounts;
pub mod actor;
pub mod audit;
pub mod case_page;
pub mod caseload;
pub mod cases;
pub mod clock;
pub mod database;
pub mod email;
pub mod erasure;
pub mod exchange;
pub mod export;
pub mod homework;
pub mod housekeeping;
pub mod invitations;
pub mod measures;
pub mod messages;
pub mod outbox;
pub mod own_writing;
pub mod passwords;
pub mod reminders;
pub mod request_context;
pub mod sample;
pub mod sealing;
pub mod second_factor;
pub mod sessions;
pub mod settings;
pub mod summary;
pub mod templates;
pub mod therapy_sessions;
pub mod throttle;
pub mod tokens;
pub mod whats_new;

pub use actor::Actor;
