//! A therapist's cases: creating, editing and following one couple.

mod detail;
mod exchange;
mod follow_up;
mod form;
mod homework;
mod overview;

pub use detail::CasePage;
pub use form::{EditCasePage, NewCasePage};
