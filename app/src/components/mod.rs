//! Pieces of UI shared by several pages.

pub mod chart;
pub mod dates;
pub mod email_table;
pub mod error_notice;
pub mod focus;
pub mod form;
pub mod guard;
pub mod header;
pub mod measure_chart;
pub mod pact_follow_up;
pub mod progress;
pub mod questions;
pub mod safety;
pub mod sample;
pub mod second_factor_notice;
pub mod url;
