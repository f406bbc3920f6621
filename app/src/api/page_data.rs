//! The data a page loads through a server function, as a resource whose server-rendered
//! value reaches the browser in the page and is decoded there with the same JSON decoder
//! (`serde_json::from_slice`) that decodes the server function's own answers. Leptos's
//! default resource codec decodes from a `&str` instead, which puts a second copy of every
//! wire type's decoder into the browser bundle.

use crate::error::AppError;
use leptos::{
    prelude::Resource,
    server::codee::{Decoder, Encoder},
};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// JSON in the page, decoded from its bytes.
pub struct JsonBytes;

impl<T: Serialize> Encoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(value: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(value.as_bytes())
    }
}

/// A page's data: what its server function answered.
pub type PageData<T> = Resource<Result<T, AppError>, JsonBytes>;

/// Loads a page's data with `fetcher` whenever `source` changes (a non-blocking resource,
/// like `Resource::new`).
#[track_caller]
pub fn page_data<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> PageData<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}
