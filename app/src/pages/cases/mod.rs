//! A therapist's cases: creating, editing and following one couple.

mod detail;
mod exchange;
mod follow_up;
mod form;
mod homework;
mod measures;
mod overview;
mod sessions;
mod summary;
mod view_as;

pub use detail::CasePage;
pub use form::{EditCasePage, NewCasePage};
pub use summary::SessionSummaryPage;
pub use view_as::ViewAsPage;
