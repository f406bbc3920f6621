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

impl AppError {
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
                AppError::invalid("", "Some of the form could not be read. Please check it and try again.")
            }
            ServerFnErrorErr::Deserialization(_) => AppError::Network,
            // Registration, serialization, middleware and server errors: never expose the text.
            _ => AppError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> Self {
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
    fn statuses_follow_the_kind() {
        assert_eq!(AppError::Unauthenticated.status_code(), 401);
        assert_eq!(AppError::Forbidden.status_code(), 403);
        assert_eq!(AppError::NotFound.status_code(), 404);
        assert_eq!(AppError::invalid("x", "y").status_code(), 422);
    }
}
