//! The audit trail as the therapist reads it (one case, or their whole account) and as a CSV
//! download, and a client's "who has opened my writing".
//!
//! The CSV is served by a plain axum route ([`export_csv`], `GET /audit/export`), so a link
//! downloads it with or without JavaScript; it is authorized exactly like the view (the
//! same scope functions) and audited.

use crate::{
    domain::{audit::AuditOutcome, local_time::LocalTime},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::{
        domain::{
            audit::{action_label, AuditFilter, AuditPageNumber},
            date_text,
        },
        services::audit::view::{self, AuditPage, AuditRow, AuditScope, WritingOpened, AUDIT_PAGE_SIZE},
        services::clock,
    },
};

/// The path of the CSV download.
pub const EXPORT_PATH: &str = "/audit/export";

/// One audit entry as the view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRowView {
    /// The entry's id.
    pub id: i64,
    /// When, in the therapist's time zone.
    pub occurred_at: LocalTime,
    /// Who acted ("You", a partner's first name; empty when no one was signed in).
    pub actor: String,
    /// What happened, in words.
    pub action: String,
    /// Allowed or refused.
    pub outcome: AuditOutcome,
    /// The case's label, if the entry concerns a case.
    pub case_label: Option<String>,
    /// The partner's first name, if the entry concerns one partner.
    pub partner: Option<String>,
    /// The record acted on, e.g. `assignment 12`, or the endpoint of a refused request.
    pub record: String,
    /// The client's network address.
    pub client_address: Option<String>,
    /// The session's reference (its row id).
    pub session_ref: Option<i32>,
}

/// A choice in a filter's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterChoice {
    /// The form value.
    pub value: String,
    /// What people read.
    pub label: String,
}

/// One page of an audit view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPageView {
    /// The case's id and label, for a case's view.
    pub case: Option<(i32, String)>,
    /// The entries, newest first.
    pub rows: Vec<AuditRowView>,
    /// Entries matching the filter.
    pub total: u64,
    /// The page shown, from 1.
    pub page: u64,
    /// Entries per page.
    pub per_page: u64,
    /// Partners to filter by.
    pub partners: Vec<FilterChoice>,
    /// Actions to filter by.
    pub actions: Vec<FilterChoice>,
}

/// One time the therapist opened the client's writing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WritingOpenedView {
    /// The therapist's name.
    pub therapist_name: String,
    /// What they opened.
    pub what: String,
    /// When, in the therapist's time zone.
    pub at: LocalTime,
}

#[cfg(feature = "ssr")]
impl AuditRowView {
    /// An entry as the view shows it, its time in `time_zone` (the therapist's).
    fn new(row: AuditRow, time_zone: &str) -> Self {
        let entry = row.entry;
        Self {
            id: entry.id,
            occurred_at: clock::local(time_zone, entry.occurred_at),
            actor: row.actor,
            action: action_label(&entry.action),
            outcome: entry.outcome,
            case_label: row.case_label,
            partner: row.partner,
            record: format!("{} {}", entry.record_type, entry.record_id).trim().to_owned(),
            client_address: entry.client_address,
            session_ref: entry.session_ref,
        }
    }
}

#[cfg(feature = "ssr")]
impl AuditPageView {
    /// One page of entries, their times in `time_zone` (the therapist's).
    fn new(page: AuditPage, time_zone: &str) -> Self {
        let several_cases = page.case.is_none();
        Self {
            case: page.case,
            rows: page.rows.into_iter().map(|row| AuditRowView::new(row, time_zone)).collect(),
            total: page.total,
            page: page.page.get(),
            per_page: AUDIT_PAGE_SIZE,
            partners: page
                .partners
                .into_iter()
                .map(|p| FilterChoice {
                    value: p.id.to_string(),
                    label: if several_cases {
                        format!("{} ({})", p.first_name, p.case_label)
                    } else {
                        p.first_name
                    },
                })
                .collect(),
            actions: page
                .actions
                .into_iter()
                .map(|action| FilterChoice { label: action_label(&action), value: action })
                .collect(),
        }
    }
}

#[cfg(feature = "ssr")]
impl WritingOpenedView {
    /// One opening, its time in `time_zone` (the therapist's).
    fn new(opened: WritingOpened, time_zone: &str) -> Self {
        let what = match opened.action.as_str() {
            "case.viewed" => "your case page",
            "homework.review_opened" => "your answers",
            "private_note.read" => "your private note",
            _ => "your writing",
        };
        Self {
            therapist_name: opened.therapist_name,
            what: what.to_owned(),
            at: clock::local(time_zone, opened.at),
        }
    }
}

/// The filter form's fields, parsed; a refusal names its field.
#[cfg(feature = "ssr")]
fn filter(partner: &str, action: &str, from: &str, to: &str) -> Result<AuditFilter, AppError> {
    AuditFilter::parse(partner, action, from, to).map_err(|(field, error)| AppError::invalid(field, error.0))
}

/// One page of a case's audit entries, for its therapist ("not found" for anyone else).
#[server(endpoint = "audit/case")]
pub async fn load_case_audit(
    case_id: i32,
    partner: String,
    action: String,
    from: String,
    to: String,
    page: u64,
) -> Result<AuditPageView, AppError> {
    let req = request::current()?;
    let account = req.account().await?;
    let actor = crate::services::Actor::of(&account);
    let filter = filter(&partner, &action, &from, &to)?;
    let scope = view::case_scope(req.db(), actor, case_id).await?;
    let page = AuditPageNumber::clamped(page);
    let found = view::audit_page(req.db(), actor, scope, &filter, page, request::now()).await?;
    Ok(AuditPageView::new(found, &account.time_zone))
}

/// One page of the therapist's whole account's audit entries.
#[server(endpoint = "audit/account")]
pub async fn load_account_audit(
    partner: String,
    action: String,
    from: String,
    to: String,
    page: u64,
) -> Result<AuditPageView, AppError> {
    let req = request::current()?;
    let account = req.account().await?;
    let actor = crate::services::Actor::of(&account);
    let filter = filter(&partner, &action, &from, &to)?;
    let scope = view::account_scope(actor)?;
    let page = AuditPageNumber::clamped(page);
    let found = view::audit_page(req.db(), actor, scope, &filter, page, request::now()).await?;
    Ok(AuditPageView::new(found, &account.time_zone))
}

/// For a client: the latest times their therapist opened their writing.
#[server(endpoint = "audit/writing_opened")]
pub async fn load_writing_opened() -> Result<Vec<WritingOpenedView>, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let opened = view::writing_opened(req.db(), actor).await?;
    let zone = crate::services::settings::reading_zone(req.db(), actor).await?;
    Ok(opened.into_iter().map(|o| WritingOpenedView::new(o, &zone)).collect())
}

/// The query of a CSV download: the view's filter, and the case for a case's entries (empty
/// for the whole account).
#[cfg(feature = "ssr")]
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    case: String,
    partner: String,
    action: String,
    from: String,
    to: String,
}

/// A response of [`export_csv`] names its endpoint in this extension, so the server's
/// request layer records a refusal of it like a refused server function.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy)]
pub struct AuditedRoute(pub &'static str);

/// `GET /audit/export`: the entries of a case's view (`?case=`) or of the account's, with
/// the same filter, as a CSV file. Authorized like the view; the download is audited.
#[cfg(feature = "ssr")]
pub async fn export_csv(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    parts: http::request::Parts,
    axum::extract::Query(query): axum::extract::Query<ExportQuery>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use http::{header, StatusCode};
    let req = request::Request::from_route(state, parts);
    let mut response = match export(&req, &query).await {
        Ok((file_name, text)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
            ],
            text,
        )
            .into_response(),
        Err(error) => {
            let status =
                StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, error.to_string()).into_response()
        }
    };
    response.extensions_mut().insert(AuditedRoute("audit/export"));
    response
}

#[cfg(feature = "ssr")]
async fn export(req: &request::Request, query: &ExportQuery) -> Result<(String, String), AppError> {
    use crate::services::audit::export::to_csv;
    let actor = req.actor().await?;
    let filter = filter(&query.partner, &query.action, &query.from, &query.to)?;
    let (scope, name): (AuditScope, String) = match query.case.trim() {
        "" => (view::account_scope(actor)?, "audit-account".to_owned()),
        text => {
            let case_id = text.parse().map_err(|_| AppError::NotFound)?;
            (view::case_scope(req.db(), actor, case_id).await?, format!("audit-case-{case_id}"))
        }
    };
    let now = request::now();
    let rows = view::export_rows(req.db(), actor, scope, &filter, now).await?;
    Ok((format!("{name}-{}.csv", date_text::field_date(&now)), to_csv(&rows)?))
}
