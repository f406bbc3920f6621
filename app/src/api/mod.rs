//! Server functions: thin adapters from a request to a service and back to a wire type.

pub mod account;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod exchange;
pub mod export;
pub mod homework;
pub mod invitations;
pub mod measures;
pub mod messages;
pub mod page_data;
#[cfg(feature = "ssr")]
pub mod request;
pub mod sample;
pub mod second_factor;
pub mod settings;
pub mod templates;
pub mod therapy_sessions;
pub mod whats_new;
