//! Signing in (with a second-factor code when the account has one) and creating a
//! therapist account.

mod sign_in;
mod sign_in_code;
mod sign_up;

pub use sign_in::SignInPage;
pub use sign_in_code::SignInCodePage;
pub use sign_up::SignUpPage;
