//! The one error type that crosses the wire. Its text is always written for the person
//! using the app; internal details (database errors) are logged on the server and never sent.

use crate::domain::InvalidInput;
use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// What went wrong with a request, as the browser learns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    /// No session, or it has ended.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// Signed in, but this action is not theirs to take.
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// A client whose case was closed, or who was removed from it, no longer reaches its
    /// content; the message says what they can still do.
    #[error("{message}")]
    NoAccess {
        /// What happened and what is still possible, in plain words.
        message: String,
    },
    /// The record does not exist, or its existence is private to someone else.
    #[error("We could not find that.")]
    NotFound,
    /// One input was refused; `field` names the form field the message belongs to.
    #[error("{message}")]
    Invalid {
        /// The form field's name (empty for the form as a whole).
        field: String,
        /// What to change, in plain words.
        message: String,
    },
    /// The request clashes with the current state (a duplicate, a stale edit).
    #[error("{message}")]
    Conflict {
        /// What clashed, in plain words.
        message: String,
    },
    /// Too many attempts in a short time.
    #[error("Too many attempts. Please wait {retry_after_secs} seconds and try again.")]
    RateLimited {
        /// How long to wait before trying again.
        retry_after_secs: u64,
    },
    /// The browser could not reach the server, or could not read its answer.
    #[error("We could not reach Babysteps. Check your connection and try again.")]
    Network,
    /// Something failed on the server; the details are in the server log only.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
}

/// The one message for every refused sign-in: it never says whether the email exists.
pub const SIGN_IN_REFUSED: &str = "That email and password do not match an account.";
/// The message for a write that clashed with the same write made at the same moment.
pub const WRITE_CLASHED: &str = "This was saved from somewhere else at the same moment. Please try again.";

/// The message for a second-factor code that was wrong, used before or too late.
pub const CODE_REFUSED: &str = "That code did not work. Check your authenticator app and try again.";
/// The message for a sign-in whose code step has expired or was already finished.
pub const SIGN_IN_EXPIRED: &str = "This sign-in has expired. Please sign in again.";
/// The message for a wrong password where an action asks for it again (setting up or
/// removing a second factor).
pub const PASSWORD_REFUSED: &str = "That is not your password.";
/// The message for a code from the app when this server cannot read the account's stored
/// secret (its sealing key is not the one the secret was sealed with).
pub const TOTP_UNREADABLE: &str = "Codes from your app cannot be checked on this server right now. \
     Sign in with one of your recovery codes, or ask the practice's administrator.";

/// The only messages an error read from a link keeps: fixed sentences a person needs to
/// correct a public form (sign-in, sign-up, the sign-in code) without JavaScript.
const LINK_MESSAGES: &[&str] =
    &[SIGN_IN_REFUSED, CODE_REFUSED, SIGN_IN_EXPIRED, TOTP_UNREADABLE, PASSWORD_REFUSED];
/// The refusal of a request whose form could not be read at all.
const UNREADABLE_FORM: &str = "Some of the form could not be read. Please check it and try again.";
/// The longest wait an error read from a link may announce (the sign-in throttle's longest).
const LINK_MAX_WAIT_SECS: u64 = 15 * 60;

impl AppError {
    /// The error as a page may show it when it was read from a link, not from the server's
    /// answer. Without JavaScript a failed form post is redirected back with the error in
    /// the query (`__err`); anyone can write such a link, so only the kind and field are
    /// kept, with a fixed sentence for the kind (or one of [`LINK_MESSAGES`]).
    pub fn from_link(self) -> Self {
        match self {
            AppError::Invalid { field, message } => {
                let message = match LINK_MESSAGES.iter().find(|known| **known == message) {
                    Some(known) => known,
                    None if field.is_empty() => "Please check the form and try again.",
                    None => "Please check this field and try again.",
                };
                AppError::invalid(&field, message)
            }
            AppError::NoAccess { .. } => {
                AppError::no_access("You can no longer open this. Sign in to see what you can still do.")
            }
            AppError::Conflict { .. } => {
                AppError::conflict("That could not be done as things stand. Reload the page and try again.")
            }
            AppError::RateLimited { retry_after_secs } => {
                AppError::RateLimited { retry_after_secs: retry_after_secs.min(LINK_MAX_WAIT_SECS) }
            }
            fixed => fixed,
        }
    }

    /// A refusal of one form field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid { field: field.to_owned(), message: message.into() }
    }

    /// A client's refused access to a closed case, or after being removed from it.
    pub fn no_access(message: impl Into<String>) -> Self {
        AppError::NoAccess { message: message.into() }
    }

    /// A clash with the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::Conflict { message: message.into() }
    }

    /// The message for `field`, when this error is about that field.
    pub fn message_for(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid { field: f, message } if f == field => Some(message.clone()),
            _ => None,
        }
    }

    /// True when the error belongs to one field rather than the whole form.
    pub fn is_field_error(&self) -> bool {
        matches!(self, AppError::Invalid { field, .. } if !field.is_empty())
    }

    /// The HTTP status this error is answered with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden | AppError::NoAccess { .. } => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } => 422,
            AppError::Conflict { .. } => 409,
            AppError::RateLimited { .. } => 429,
            AppError::Network => 502,
            AppError::Internal => 500,
        }
    }
}

/// Lets a parse failure name the field it came from: `EmailAddress::parse(x).field("email")?`.
pub trait FieldContext<T> {
    /// Turns an [`InvalidInput`] into [`AppError::Invalid`] for `field`.
    fn field(self, field: &str) -> Result<T, AppError>;
}

impl<T> FieldContext<T> for Result<T, InvalidInput> {
    fn field(self, field: &str) -> Result<T, AppError> {
        self.map_err(|InvalidInput(message)| AppError::invalid(field, message))
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Network,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::invalid("", UNREADABLE_FORM)
            }
            // On the server this is a request body that could not be read (longer than the
            // limit without saying so in advance, or not text): the sender's fault.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) => AppError::invalid("", UNREADABLE_FORM),
            // In the browser it is an answer that could not be read.
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Deserialization(_) => AppError::Network,
            // Registration, serialization, middleware and server errors: never expose the text.
            _ => AppError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    /// A uniqueness clash is two requests writing the same thing at once (a double click, two
    /// tabs): the loser is asked to try again. Its text names the clashing values, so it is
    /// not logged. Anything else is the server's fault.
    fn from(error: sea_orm::DbErr) -> Self {
        if matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) {
            tracing::warn!("a write clashed with another one made at the same time");
            return AppError::conflict(WRITE_CLASHED);
        }
        tracing::error!(%error, "database error");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(error: sea_orm::TransactionError<AppError>) -> Self {
        match error {
            sea_orm::TransactionError::Connection(error) => error.into(),
            sea_orm::TransactionError::Transaction(error) => error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_wire_encoding() {
        for error in [
            AppError::Unauthenticated,
            AppError::invalid("email", "Enter an email address."),
            AppError::RateLimited { retry_after_secs: 30 },
            AppError::Internal,
        ] {
            assert_eq!(AppError::de(error.ser()), error);
        }
    }

    #[test]
    fn server_fn_failures_never_carry_their_text() {
        let error = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "UNIQUE constraint failed: users.email".into(),
        ));
        assert_eq!(error, AppError::Internal);
        assert!(!error.to_string().contains("UNIQUE"));
    }

    #[test]
    fn field_messages_belong_to_their_field() {
        let error = AppError::invalid("email", "Enter an email address.");
        assert_eq!(error.message_for("email").as_deref(), Some("Enter an email address."));
        assert_eq!(error.message_for("password"), None);
        assert!(error.is_field_error());
        assert!(!AppError::Forbidden.is_field_error());
    }

    #[test]
    fn an_error_from_a_link_never_keeps_its_words() {
        let planted = "Your account is locked. Call 555 0100 now.";
        for error in [
            AppError::invalid("", planted),
            AppError::invalid("email", planted),
            AppError::no_access(planted),
            AppError::conflict(planted),
        ] {
            let shown = error.clone().from_link();
            assert!(!shown.to_string().contains("555"), "{error:?}");
            assert_eq!(shown.status_code(), error.status_code());
            assert_eq!(shown.is_field_error(), error.is_field_error());
        }
        assert_eq!(
            AppError::invalid("", SIGN_IN_REFUSED).from_link(),
            AppError::invalid("", SIGN_IN_REFUSED)
        );
        assert_eq!(
            AppError::RateLimited { retry_after_secs: u64::MAX }.from_link(),
            AppError::RateLimited { retry_after_secs: LINK_MAX_WAIT_SECS }
        );
        assert_eq!(AppError::Forbidden.from_link(), AppError::Forbidden);
    }

    #[test]
    fn statuses_follow_the_kind() {
        assert_eq!(AppError::Unauthenticated.status_code(), 401);
        assert_eq!(AppError::Forbidden.status_code(), 403);
        assert_eq!(AppError::NotFound.status_code(), 404);
        assert_eq!(AppError::invalid("x", "y").status_code(), 422);
    }
}
