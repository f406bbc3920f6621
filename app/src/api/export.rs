//! The record downloads, as plain axum routes (a link downloads them with or without
//! JavaScript): `GET /cases/{id}/export` for the case's therapist and `GET /my-writing/export`
//! for a client. Each authorizes and writes its audit entry before the first byte; the ZIP is
//! then written by a task as the body streams (see `services::export`), so memory stays
//! bounded whatever the record's size. A refusal answers 401/403/404 like a server function
//! and is recorded by the server's request layer (through [`AuditedRoute`]).

/// The path of a client's record download.
pub const CLIENT_EXPORT_PATH: &str = "/my-writing/export";

/// The route pattern of a therapist's case export (axum syntax).
pub const CASE_EXPORT_ROUTE: &str = "/cases/{case_id}/export";

/// The link to a case's export.
pub fn case_export_href(case_id: i32) -> String {
    format!("/cases/{case_id}/export")
}

#[cfg(feature = "ssr")]
pub use routes::{case_export, client_export};

#[cfg(feature = "ssr")]
mod routes {
    use crate::{
        api::{audit::AuditedRoute, request},
        domain::Role,
        error::AppError,
        services::export::{self, Export},
        state::AppState,
    };
    use axum::{
        body::Body,
        extract::{Path, State},
        response::{IntoResponse, Response},
    };
    use http::{header, StatusCode};

    /// Chunks (of about 64 KiB) waiting between the writer and the response body.
    const CHUNKS_IN_FLIGHT: usize = 4;

    /// `GET /cases/{case_id}/export`: the case's whole record as a ZIP, for its therapist.
    pub async fn case_export(
        State(state): State<AppState>,
        Path(case_id): Path<String>,
        parts: http::request::Parts,
    ) -> Response {
        let req = request::Request::from_route(state.clone(), parts);
        let prepared = async {
            let actor = req.actor().await?;
            // A client is refused as such whatever the id; a malformed id is no one's case.
            actor.require_role(Role::Therapist)?;
            let case_id = case_id.parse().map_err(|_| AppError::NotFound)?;
            export::case_export(req.db(), actor, case_id, request::now()).await
        };
        respond(state, prepared.await, "cases/export")
    }

    /// `GET /my-writing/export`: a client's own record as a ZIP.
    pub async fn client_export(State(state): State<AppState>, parts: http::request::Parts) -> Response {
        let req = request::Request::from_route(state.clone(), parts);
        let prepared = async {
            let actor = req.actor().await?;
            export::client_export(req.db(), actor, request::now()).await
        };
        respond(state, prepared.await, "client/export")
    }

    /// Streams an authorized export, or answers the refusal.
    fn respond(state: AppState, prepared: Result<Export, AppError>, endpoint: &'static str) -> Response {
        let mut response = match prepared {
            Ok(export) => {
                let file_name = export.file_name.clone();
                let (sender, receiver) = tokio::sync::mpsc::channel(CHUNKS_IN_FLIGHT);
                let db = state.db.clone();
                tokio::spawn(async move {
                    if export.write(&db, sender).await.is_err() {
                        tracing::warn!(endpoint, "an export ended before it was complete");
                    }
                });
                (
                    [
                        (header::CONTENT_TYPE, "application/zip".to_owned()),
                        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
                        (header::CACHE_CONTROL, "no-store".to_owned()),
                    ],
                    Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(receiver)),
                )
                    .into_response()
            }
            Err(error) => {
                let status =
                    StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (status, error.to_string()).into_response()
            }
        };
        response.extensions_mut().insert(AuditedRoute(endpoint));
        response
    }
}
