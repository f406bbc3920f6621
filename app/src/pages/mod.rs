//! One module per area of the app; each page is a routed component.

pub mod account;
pub mod audit;
pub mod auth;
pub mod caseload;
pub mod cases;
pub mod client;
pub mod consult;
pub mod exchange;
pub mod exercises;
pub mod home;
pub mod join;
pub mod measures;
pub mod not_found;
pub mod outbox;
pub mod review;
pub mod settings;
pub mod whats_new;
