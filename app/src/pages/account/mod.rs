//! The signed-in person's own account: its second factor.

pub mod second_factor;
