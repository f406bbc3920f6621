//! A therapist's cases: creating, editing and following one couple.

mod detail;
mod follow_up;
mod form;
mod homework;
mod together;

pub use detail::CasePage;
pub use form::{EditCasePage, NewCasePage};
