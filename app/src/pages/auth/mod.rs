//! Signing in (with a second-factor code when the account has one), creating a therapist
//! account, and the pages account emails lead to.

mod account_links;
mod sign_in;
mod sign_in_code;
mod sign_up;

pub use account_links::{ConfirmEmailPage, SignUpSentPage, WelcomePage};
pub use sign_in::SignInPage;
pub use sign_in_code::SignInCodePage;
pub use sign_up::SignUpPage;

/// The password rule, as the forms explain it.
const PASSWORD_HINT: &str =
    "At least 12 characters. A few unrelated words make a strong password you can remember.";
