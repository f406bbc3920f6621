//! Server functions: thin adapters from a request to a service and back to a wire type.

pub mod auth;
#[cfg(feature = "ssr")]
pub(crate) mod request;
