//! The therapist's caseload and case pages, and the client's view of their own case.

use crate::{
    domain::case::{CaseStatus, ConfidentialityPolicy, InvitationState, Seeks},
    error::AppError,
};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::services::{
        cases::{self, CaseDraft, CaseloadQuery, CaseloadSort, PartnerFields},
        outbox,
    },
};

/// Rows per caseload page.
pub const CASELOAD_PAGE_SIZE: u64 = 25;

/// One partner in a caseload row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerSummary {
    /// First name.
    pub first_name: String,
    /// What they seek.
    pub seeks: Seeks,
    /// Their invitation state.
    pub invitation: InvitationState,
}

/// One caseload row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseloadRow {
    /// The case id.
    pub id: i32,
    /// The case's name.
    pub label: String,
    /// Its status.
    pub status: CaseStatus,
    /// Both partners.
    pub partners: Vec<PartnerSummary>,
    /// When a client of the case last did something.
    pub last_client_activity_at: Option<DateTime<Utc>>,
    /// When the case last changed.
    pub updated_at: DateTime<Utc>,
    /// Submissions waiting for the therapist's review.
    pub waiting_for_review: usize,
    /// The Baby Steps step the couple is on (none before it is assigned).
    pub current_step: Option<i16>,
    /// Assignments past their due date and not finished.
    pub overdue: usize,
    /// Private notes not yet read.
    pub unread_notes: usize,
    /// Weekly average closeness in tenths (0–100 for 0–10), oldest week first, at most the
    /// last eight weeks.
    pub closeness_trend: Vec<u8>,
}

/// One page of the caseload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseloadView {
    /// This page's rows.
    pub rows: Vec<CaseloadRow>,
    /// Cases matching the search and filter.
    pub total: u64,
    /// The page shown, from 1.
    pub page: u64,
    /// Rows per page.
    pub per_page: u64,
    /// False when the search and filter were empty and there are no cases at all.
    pub has_any_cases: bool,
}

/// A partner on the therapist's case page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerView {
    /// The partner's id.
    pub id: i32,
    /// First name.
    pub first_name: String,
    /// Last name, if given.
    pub last_name: Option<String>,
    /// Email.
    pub email: String,
    /// Pronouns, if given.
    pub pronouns: Option<String>,
    /// What they seek.
    pub seeks: Seeks,
    /// Their invitation state.
    pub invitation: InvitationState,
}

/// One email in a case's history or the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailView {
    /// The email's id.
    pub id: i32,
    /// Recipient name and address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// `pending`, `sending`, `sent` or `failed`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it was delivered.
    pub sent_at: Option<DateTime<Utc>>,
    /// True for an unsent invitation whose link the therapist may open themselves.
    pub is_unsent_invitation: bool,
}

/// Everything on the therapist's case page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    /// The case id.
    pub id: i32,
    /// Its name.
    pub label: String,
    /// Its status.
    pub status: CaseStatus,
    /// When the status last changed.
    pub status_changed_at: DateTime<Utc>,
    /// The confidentiality policy.
    pub policy: ConfidentialityPolicy,
    /// The therapist's private notes.
    pub notes: String,
    /// Partner A and partner B.
    pub partners: Vec<PartnerView>,
    /// Emails about this case, newest first.
    pub emails: Vec<EmailView>,
    /// False when no SMTP server is configured (email waits in the outbox).
    pub smtp_configured: bool,
}

/// What a client sees of their own case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientHomeView {
    /// The client's first name.
    pub own_first_name: String,
    /// Their partner's first name.
    pub partner_first_name: String,
    /// Their therapist's name.
    pub therapist_name: String,
    /// The case's confidentiality policy.
    pub policy: ConfidentialityPolicy,
    /// The case's status.
    pub status: CaseStatus,
}

#[cfg(feature = "ssr")]
impl EmailView {
    /// The wire form of an outbox row (its bodies stay on the server).
    pub fn from_row(row: crate::entities::outbox_emails::Model) -> Self {
        let is_unsent_invitation =
            row.invitation_id.is_some() && row.status != outbox::EmailStatus::Sent.as_str();
        Self {
            id: row.id,
            to: format!("{} <{}>", row.to_name, row.to_address),
            subject: row.subject,
            status: row.status,
            attempts: row.attempts,
            last_error: row.last_error,
            created_at: row.created_at,
            sent_at: row.sent_at,
            is_unsent_invitation,
        }
    }
}

#[cfg(feature = "ssr")]
fn stored<T>(parsed: Result<T, crate::domain::InvalidInput>) -> Result<T, AppError> {
    parsed.map_err(|_| {
        tracing::error!("unreadable value stored in the database");
        AppError::Internal
    })
}

/// One page of the caseload: search by name, filter by status, sort, page.
#[server(endpoint = "cases/caseload")]
pub async fn load_caseload(
    search: String,
    status: String,
    sort: String,
    page: u64,
) -> Result<CaseloadView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let status = CaseStatus::parse(&status).ok();
    let query = CaseloadQuery {
        search: search.chars().take(100).collect(),
        status,
        sort: CaseloadSort::from_query(&sort),
        page: page.max(1),
        per_page: CASELOAD_PAGE_SIZE,
    };
    let found = cases::caseload(req.db(), actor, &query, request::now()).await?;
    let rows = found
        .rows
        .into_iter()
        .map(|row| {
            Ok(CaseloadRow {
                id: row.case.id,
                label: row.case.label,
                status: stored(CaseStatus::parse(&row.case.status))?,
                partners: row
                    .partners
                    .into_iter()
                    .map(|(partner, invitation)| {
                        Ok(PartnerSummary {
                            first_name: partner.first_name,
                            seeks: stored(Seeks::parse(&partner.seeks))?,
                            invitation,
                        })
                    })
                    .collect::<Result<_, AppError>>()?,
                last_client_activity_at: row.case.last_client_activity_at,
                updated_at: row.case.updated_at,
                waiting_for_review: row.homework.waiting_for_review,
                current_step: row.homework.current_step,
                overdue: row.homework.overdue,
                unread_notes: row.unread_notes,
                closeness_trend: {
                    let weeks = row.closeness_trend.len();
                    row.closeness_trend
                        .into_iter()
                        .skip(weeks.saturating_sub(8))
                        .map(|(_, v)| (v * 10.0).round().clamp(0.0, 100.0) as u8)
                        .collect()
                },
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let unfiltered = query.search.trim().is_empty() && query.status.is_none();
    Ok(CaseloadView {
        has_any_cases: !(unfiltered && found.total == 0),
        rows,
        total: found.total,
        page: query.page,
        per_page: CASELOAD_PAGE_SIZE,
    })
}

/// Creates a case (no `case_id`) or saves an edited one, then opens its page.
#[server(endpoint = "cases/save")]
#[allow(clippy::too_many_arguments)]
pub async fn save_case(
    #[server(default)] case_id: Option<i32>,
    label: String,
    confidentiality_policy: String,
    a_first_name: String,
    a_last_name: String,
    a_email: String,
    a_pronouns: String,
    a_seeks: String,
    b_first_name: String,
    b_last_name: String,
    b_email: String,
    b_pronouns: String,
    b_seeks: String,
) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let partner_a = PartnerFields {
        first_name: &a_first_name,
        last_name: &a_last_name,
        email: &a_email,
        pronouns: &a_pronouns,
        seeks: &a_seeks,
    };
    let partner_b = PartnerFields {
        first_name: &b_first_name,
        last_name: &b_last_name,
        email: &b_email,
        pronouns: &b_pronouns,
        seeks: &b_seeks,
    };
    let draft = CaseDraft::parse(&label, &confidentiality_policy, partner_a, partner_b)?;
    let case_id = match case_id {
        None => cases::create_case(req.db(), actor, draft, request::now()).await?,
        Some(case_id) => {
            cases::update_case(req.db(), actor, case_id, draft, request::now()).await?;
            case_id
        }
    };
    leptos_axum::redirect(&format!("/cases/{case_id}"));
    Ok(())
}

/// The therapist's case page.
#[server(endpoint = "cases/get")]
pub async fn load_case(case_id: i32) -> Result<CaseView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let detail = cases::case_detail(req.db(), actor, case_id, request::now()).await?;
    let emails =
        outbox::case_history(req.db(), case_id).await?.into_iter().map(EmailView::from_row).collect();
    Ok(CaseView {
        id: detail.case.id,
        label: detail.case.label,
        status: stored(CaseStatus::parse(&detail.case.status))?,
        status_changed_at: detail.case.status_changed_at,
        policy: stored(ConfidentialityPolicy::parse(&detail.case.confidentiality_policy))?,
        notes: detail.case.therapist_notes,
        partners: detail
            .partners
            .into_iter()
            .map(|(partner, invitation)| {
                Ok(PartnerView {
                    id: partner.id,
                    first_name: partner.first_name,
                    last_name: partner.last_name,
                    email: partner.email,
                    pronouns: partner.pronouns,
                    seeks: stored(Seeks::parse(&partner.seeks))?,
                    invitation,
                })
            })
            .collect::<Result<_, AppError>>()?,
        emails,
        smtp_configured: req.state.mail.smtp_configured,
    })
}

/// Pauses, closes or reopens a case.
#[server(endpoint = "cases/status")]
pub async fn set_case_status(case_id: i32, status: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let status = CaseStatus::parse(&status).map_err(|error| AppError::invalid("status", error.0))?;
    cases::set_status(req.db(), actor, case_id, status, request::now()).await
}

/// Saves the therapist's private notes on a case.
#[server(endpoint = "cases/notes")]
pub async fn save_case_notes(case_id: i32, notes: String) -> Result<(), AppError> {
    let req = request::current()?;
    use crate::{domain::case::TherapistNotes, error::FieldContext};
    let actor = req.actor().await?;
    let notes = TherapistNotes::parse(&notes).field("notes")?;
    cases::update_notes(req.db(), actor, case_id, notes, request::now()).await
}

/// The signed-in client's view of their case.
#[server(endpoint = "client/home")]
pub async fn load_client_home() -> Result<ClientHomeView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let found = cases::client_case(req.db(), actor, request::now()).await?;
    Ok(ClientHomeView {
        own_first_name: found.own.first_name,
        partner_first_name: found.other.first_name,
        therapist_name: found.therapist_name,
        policy: stored(ConfidentialityPolicy::parse(&found.case.confidentiality_policy))?,
        status: stored(CaseStatus::parse(&found.case.status))?,
    })
}
