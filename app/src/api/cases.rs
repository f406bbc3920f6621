//! The therapist's caseload and case pages, and the client's view of their own case.

use super::{
    exchange::{CaseExchangeView, NoteView, ProgressView},
    homework::{CaseHomeworkView, HomeworkListItem},
    messages::ComposeView,
    templates::TemplateSummary,
};
use crate::{
    domain::{
        case::{CaseStatus, ConfidentialityPolicy, InvitationState, Seeks},
        closeness::ClosenessWeek,
        local_time::LocalTime,
        outbox::EmailStatus,
        safety::SafetyInfo,
    },
    error::AppError,
};
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::domain::case::CaseTab,
    crate::services::{
        case_page, caseload,
        caseload::{CaseloadQuery, CaseloadSort},
        cases::{self, CaseDraft, PartnerFields},
        clock, erasure, outbox,
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
    /// Of those, the ones a partner marked urgent.
    pub urgent_notes: usize,
    /// First names of partners every one of whose wishes was declined (the therapist has
    /// not cleared the flag).
    pub declined_flags: Vec<String>,
    /// Each partner's closeness ratings week by week, oldest first, at most the last eight
    /// weeks with a check-in.
    pub closeness: Vec<ClosenessWeek>,
    /// A fictional sample couple (badge "Sample").
    pub is_sample: bool,
}

/// A case with unread urgent private notes, listed above the caseload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrgentCase {
    /// The case id.
    pub id: i32,
    /// The case's name.
    pub label: String,
    /// How many urgent notes wait to be opened.
    pub notes: usize,
}

/// One page of the caseload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseloadView {
    /// Every case with unread urgent private notes (whatever the page, search or filter).
    pub urgent: Vec<UrgentCase>,
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
    /// How many sample couples the therapist has (any page, any search).
    pub sample_cases: u64,
    /// How many items "What's new" holds.
    pub whats_new: u64,
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
    /// Where its delivery is.
    pub status: EmailStatus,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When it was queued, in the therapist's time zone.
    pub created_at: LocalTime,
    /// When it was delivered, in the therapist's time zone.
    pub sent_at: Option<LocalTime>,
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
    /// A fictional sample couple: marked, never emailed, viewable as each partner.
    pub is_sample: bool,
    /// Baby Steps was assigned without sexual content.
    pub without_sexual_content: bool,
}

/// One tab of the therapist's case page, loaded in one call: what every tab shows (the
/// case, its partners, the retention facts) and the tab's own content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CasePageView {
    /// The case and its partners.
    pub case: CaseView,
    /// False when no SMTP server is configured (email waits in the outbox).
    pub smtp_configured: bool,
    /// Erasure and retention facts for the case.
    pub records: CaseRecordsView,
    /// The tab's own content.
    pub tab: CaseTabView,
}

/// The content of one tab of the case page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CaseTabView {
    /// Where each partner is and what needs the therapist now.
    Overview(CaseOverviewView),
    /// Assignments and each partner's progress, and the therapist's exercises to assign.
    Homework {
        /// Assignments and each partner's progress.
        homework: CaseHomeworkView,
        /// The therapist's own exercises, to assign.
        templates: Vec<TemplateSummary>,
        /// The measures that can be scheduled, and each schedule's totals.
        measures: super::measures::CaseMeasuresView,
    },
    /// Steps 3 to 5.
    Together(CaseExchangeView),
    /// The partners' private notes with the therapist's replies (the therapist's own
    /// notes are in [`CaseView::notes`]).
    Notes {
        /// Urgent unread first, then newest first.
        notes: Vec<NoteView>,
        /// The sessions held and scheduled, and the forms' choices.
        sessions: super::therapy_sessions::TherapySessionsView,
    },
    /// The follow-up composer and the case's emails.
    Messages {
        /// The follow-up composer's starting point.
        compose: ComposeView,
        /// Emails about this case, newest first.
        emails: Vec<EmailView>,
    },
}

/// The case page's overview: where each partner is and what needs the therapist now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOverviewView {
    /// Assignments and each partner's progress.
    pub homework: CaseHomeworkView,
    /// Which steps are open, each partner's progress through steps 3 and 4 and the
    /// declined-everything flags.
    pub progress: ProgressView,
    /// Private notes the therapist has not opened (who and when, never what).
    pub unread_notes: Vec<UnreadNoteView>,
    /// Each partner's closeness trend, partner A first.
    pub closeness: Vec<PartnerCloseness>,
    /// The therapist's date (homework due before it is overdue).
    pub today: NaiveDate,
}

/// A private note not opened yet, as the overview lists it: its text stays behind the
/// "Open note" button on the notes tab, which marks it read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreadNoteView {
    /// Who wrote it (first name).
    pub partner: String,
    /// The writer marked it urgent.
    pub urgent: bool,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// One partner's weekly closeness (the average of their emotional and physical ratings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerCloseness {
    /// First name.
    pub partner: String,
    /// In tenths (0–100 for 0–10), oldest week first, at most the last eight weeks.
    pub trend: Vec<u8>,
}

/// What the case page says about erasure and retention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecordsView {
    /// How many years the therapist keeps closed cases (Settings).
    pub retention_years: i16,
    /// For a closed case not yet purged: when the retention job purges its content.
    pub purge_on: Option<DateTime<Utc>>,
    /// When the case's content was erased (on request or by retention), if it was.
    pub erased_at: Option<DateTime<Utc>>,
    /// The partners whose content was erased.
    pub erased_partners: Vec<i32>,
}

/// What a client sees of their own case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientHomeView {
    /// The client's first name.
    pub own_first_name: String,
    /// The kind of closeness the programme assumes the client seeks.
    pub own_seeks: Seeks,
    /// Their partner's first name.
    pub partner_first_name: String,
    /// Their therapist's name.
    pub therapist_name: String,
    /// The case's confidentiality policy.
    pub policy: ConfidentialityPolicy,
    /// The case's status.
    pub status: CaseStatus,
    /// Why the client no longer reaches the case's content (closed, or they were removed);
    /// they can still send a private note and download their own writing.
    pub no_access: Option<String>,
    /// The therapist's crisis line and usual reply time.
    pub safety: SafetyInfo,
    /// Where the couple stands in Baby Steps (none once the client has no access).
    pub progress: Option<super::exchange::ProgressView>,
}

/// A client's own writing, to read on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnWritingView {
    /// The document.
    pub text: String,
}

#[cfg(feature = "ssr")]
impl From<crate::services::own_writing::OwnWriting> for OwnWritingView {
    fn from(writing: crate::services::own_writing::OwnWriting) -> Self {
        Self { text: writing.text }
    }
}

#[cfg(feature = "ssr")]
impl EmailView {
    /// The wire form of an outbox row (its bodies stay on the server), its times in
    /// `time_zone` (the therapist's).
    pub fn from_row(row: crate::entities::outbox_emails::Model, time_zone: &str) -> Self {
        let is_unsent_invitation = row.invitation_id.is_some() && row.status != outbox::EmailStatus::Sent;
        Self {
            id: row.id,
            to: format!("{} <{}>", row.to_name, row.to_address),
            subject: row.subject,
            status: row.status,
            attempts: row.attempts,
            last_error: row.last_error,
            created_at: clock::local(time_zone, row.created_at),
            sent_at: row.sent_at.map(|at| clock::local(time_zone, at)),
            is_unsent_invitation,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<caseload::CaseloadRow> for CaseloadRow {
    fn from(row: caseload::CaseloadRow) -> Self {
        let weeks = row.closeness.len();
        CaseloadRow {
            is_sample: row.case.is_sample,
            id: row.case.id,
            label: row.case.label,
            status: row.case.status,
            partners: row
                .partners
                .into_iter()
                .map(|(partner, invitation)| PartnerSummary {
                    first_name: partner.first_name,
                    seeks: partner.seeks,
                    invitation,
                })
                .collect(),
            last_client_activity_at: row.case.last_client_activity_at,
            updated_at: row.case.updated_at,
            waiting_for_review: row.homework.waiting_for_review,
            current_step: row.homework.current_step,
            overdue: row.homework.overdue,
            unread_notes: row.unread_notes,
            urgent_notes: row.urgent_notes,
            declined_flags: row.declined_flags,
            closeness: row.closeness.into_iter().skip(weeks.saturating_sub(8)).collect(),
        }
    }
}

#[cfg(feature = "ssr")]
impl CaseloadView {
    /// The wire form of one caseload page.
    fn new(found: caseload::CaseloadPage, query: &CaseloadQuery) -> Self {
        let unfiltered = query.search.trim().is_empty() && query.status.is_none();
        CaseloadView {
            sample_cases: found.sample_cases,
            has_any_cases: !(unfiltered && found.total == 0),
            urgent: found
                .urgent
                .into_iter()
                .map(|case| UrgentCase { id: case.case_id, label: case.label, notes: case.notes })
                .collect(),
            rows: found.rows.into_iter().map(CaseloadRow::from).collect(),
            total: found.total,
            page: query.page,
            per_page: query.per_page,
            whats_new: found.whats_new,
        }
    }
}

/// The caseload query the page's search box, filters and page number ask for.
#[cfg(feature = "ssr")]
fn caseload_query(search: &str, status: &str, sort: &str, page: u64) -> CaseloadQuery {
    CaseloadQuery {
        search: search.chars().take(100).collect(),
        status: CaseStatus::parse(status).ok(),
        sort: CaseloadSort::from_query(sort),
        page: page.max(1),
        per_page: CASELOAD_PAGE_SIZE,
    }
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
    let account = req.account().await?;
    let query = caseload_query(&search, &status, &sort, page);
    let actor = crate::services::Actor::of(&account);
    let found =
        caseload::caseload_in_zone(req.db(), actor, &account.time_zone, &query, request::now()).await?;
    Ok(CaseloadView::new(found, &query))
}

/// A case form as submitted: its label and policy, and each partner's fields (`a_…` for
/// partner A, `b_…` for partner B).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseForm {
    /// The caseload label.
    pub label: String,
    /// `no_secrets` or `limited_secrets`.
    pub confidentiality_policy: String,
    /// Partner A's first name.
    pub a_first_name: String,
    /// Partner A's last name.
    pub a_last_name: String,
    /// Partner A's email.
    pub a_email: String,
    /// Partner A's pronouns.
    pub a_pronouns: String,
    /// What partner A seeks.
    pub a_seeks: String,
    /// Partner B's first name.
    pub b_first_name: String,
    /// Partner B's last name.
    pub b_last_name: String,
    /// Partner B's email.
    pub b_email: String,
    /// Partner B's pronouns.
    pub b_pronouns: String,
    /// What partner B seeks.
    pub b_seeks: String,
}

#[cfg(feature = "ssr")]
impl CaseForm {
    /// The form parsed: every field checked, with a message at the field that is wrong.
    fn parse(&self) -> Result<CaseDraft, AppError> {
        let partner_a = PartnerFields {
            first_name: &self.a_first_name,
            last_name: &self.a_last_name,
            email: &self.a_email,
            pronouns: &self.a_pronouns,
            seeks: &self.a_seeks,
        };
        let partner_b = PartnerFields {
            first_name: &self.b_first_name,
            last_name: &self.b_last_name,
            email: &self.b_email,
            pronouns: &self.b_pronouns,
            seeks: &self.b_seeks,
        };
        CaseDraft::parse(&self.label, &self.confidentiality_policy, partner_a, partner_b)
    }
}

/// Creates a case (no `case_id`) or saves an edited one, then opens its page.
#[server(endpoint = "cases/save")]
pub async fn save_case(
    #[server(default)] case_id: Option<i32>,
    #[server(flatten)] form: CaseForm,
) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let case_id = cases::save_case(req.db(), actor, case_id, form.parse()?, request::now()).await?;
    leptos_axum::redirect(&format!("/cases/{case_id}"));
    Ok(())
}

#[cfg(feature = "ssr")]
impl From<cases::CaseDetail> for CaseView {
    fn from(detail: cases::CaseDetail) -> Self {
        CaseView {
            is_sample: detail.case.is_sample,
            without_sexual_content: detail.case.without_sexual_content,
            id: detail.case.id,
            label: detail.case.label,
            status: detail.case.status,
            status_changed_at: detail.case.status_changed_at,
            policy: detail.case.confidentiality_policy,
            notes: detail.case.therapist_notes,
            partners: detail
                .partners
                .into_iter()
                .map(|(partner, invitation)| PartnerView {
                    id: partner.id,
                    first_name: partner.first_name,
                    last_name: partner.last_name,
                    email: partner.email,
                    pronouns: partner.pronouns,
                    seeks: partner.seeks,
                    invitation,
                })
                .collect(),
        }
    }
}

#[cfg(feature = "ssr")]
impl CaseRecordsView {
    /// The retention facts of a case whose therapist keeps closed cases `retention_years`.
    fn new(detail: &cases::CaseDetail, retention_years: i16) -> Self {
        let case = &detail.case;
        CaseRecordsView {
            retention_years,
            purge_on: (case.status == CaseStatus::Closed && case.erased_at.is_none())
                .then(|| erasure::purge_date(case.status_changed_at, retention_years)),
            erased_at: case.erased_at,
            erased_partners: detail
                .partners
                .iter()
                .filter(|(p, _)| p.erased_at.is_some())
                .map(|(p, _)| p.id)
                .collect(),
        }
    }
}

/// Each partner's weekly closeness, the last eight weeks, in tenths.
#[cfg(feature = "ssr")]
fn partner_closeness(
    partners: &[crate::entities::partners::Model],
    check_ins: &[crate::entities::check_ins::Model],
) -> Vec<PartnerCloseness> {
    partners
        .iter()
        .map(|partner| {
            let weeks: Vec<u8> = check_ins
                .iter()
                .filter(|c| c.partner_id == partner.id)
                .map(|c| ((i32::from(c.emotional) + i32::from(c.physical)) * 5).clamp(0, 100) as u8)
                .collect();
            let trend = weeks[weeks.len().saturating_sub(8)..].to_vec();
            PartnerCloseness { partner: partner.first_name.clone(), trend }
        })
        .collect()
}

/// The case page's wire form: the case, the retention facts and one tab's content.
#[cfg(feature = "ssr")]
async fn case_page_view(
    db: &sea_orm::DatabaseConnection,
    account: &crate::entities::users::Model,
    case_id: i32,
    tab: CaseTab,
) -> Result<(cases::CaseDetail, CaseTabView), AppError> {
    use super::exchange::case_note_views;
    let actor = crate::services::Actor::of(account);
    let now = request::now();
    Ok(match tab {
        CaseTab::Overview => {
            let found = case_page::case_overview(db, actor, case_id, &account.time_zone, now).await?;
            let partners: Vec<_> = found.detail.partners.iter().map(|(p, _)| p.clone()).collect();
            let name = |id: i32| {
                partners.iter().find(|p| p.id == id).map(|p| p.first_name.clone()).unwrap_or_default()
            };
            let overview = CaseOverviewView {
                unread_notes: found
                    .unread_notes
                    .iter()
                    .map(|n| UnreadNoteView {
                        partner: name(n.partner_id),
                        urgent: n.urgent,
                        created_at: n.created_at,
                    })
                    .collect(),
                closeness: partner_closeness(&partners, &found.check_ins),
                homework: CaseHomeworkView::new(found.homework, &account.time_zone),
                progress: found.progress.into(),
                today: found.today,
            };
            (found.detail, CaseTabView::Overview(overview))
        }
        CaseTab::Homework => {
            let found = case_page::case_homework_tab(db, actor, case_id, now).await?;
            let templates = found.templates.into_iter().map(TemplateSummary::from).collect();
            (
                found.detail,
                CaseTabView::Homework {
                    homework: CaseHomeworkView::new(found.homework, &account.time_zone),
                    templates,
                    measures: found.measures.into(),
                },
            )
        }
        CaseTab::Together => {
            let found = case_page::case_together(db, actor, case_id, now).await?;
            (
                found.detail,
                CaseTabView::Together(CaseExchangeView::new(found.board, found.practice, found.pact)?),
            )
        }
        CaseTab::Notes => {
            let found = case_page::case_notes(db, actor, case_id, &account.time_zone, now).await?;
            let partners: Vec<_> = found.detail.partners.iter().map(|(p, _)| p.clone()).collect();
            (
                found.detail,
                CaseTabView::Notes {
                    notes: case_note_views(found.notes, &partners, &account.time_zone),
                    sessions: super::therapy_sessions::TherapySessionsView::new(case_id, found.sessions),
                },
            )
        }
        CaseTab::Messages => {
            let found = case_page::case_messages(db, actor, case_id, now).await?;
            let compose = ComposeView::new(found.compose, found.message_templates);
            (
                found.detail,
                CaseTabView::Messages {
                    compose,
                    emails: found
                        .emails
                        .into_iter()
                        .map(|row| EmailView::from_row(row, &account.time_zone))
                        .collect(),
                },
            )
        }
    })
}

/// A case and its partners, for the edit form.
#[server(endpoint = "cases/get")]
pub async fn load_case(case_id: i32) -> Result<CaseView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    Ok(cases::case_detail(req.db(), actor, case_id, request::now()).await?.into())
}

/// One tab of the therapist's case page (`tab`: empty for the overview, or `homework`,
/// `together`, `notes`, `messages`), in one call.
#[server(endpoint = "cases/page")]
pub async fn load_case_page(case_id: i32, #[server(default)] tab: String) -> Result<CasePageView, AppError> {
    let req = request::current()?;
    let account = req.account().await?;
    let tab = CaseTab::parse(&tab).map_err(|error| AppError::invalid("tab", error.0))?;
    let (detail, tab) = case_page_view(req.db(), &account, case_id, tab).await?;
    Ok(CasePageView {
        records: CaseRecordsView::new(&detail, account.retention_years),
        case: detail.into(),
        smtp_configured: req.state.mail.smtp_configured,
        tab,
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

/// Removes one partner from a case: their access ends at once.
#[server(endpoint = "cases/remove_partner")]
pub async fn remove_partner(case_id: i32, partner_id: i32) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    cases::remove_partner(req.db(), actor, case_id, partner_id, request::now()).await
}

/// What an erasure removed, by kind, for the confirmation on the case page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasedView {
    /// `(kind, count)`, e.g. `("answers", 4)`.
    pub counts: Vec<(String, u64)>,
}

/// Erases one partner's content (`scope` = the partner's id) or the whole case's
/// (`scope` = `case`), once the therapist ticked `understood`.
#[server(endpoint = "cases/erase")]
pub async fn erase_content(
    case_id: i32,
    scope: String,
    #[server(default)] understood: Option<String>,
) -> Result<ErasedView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    // Whose case it is comes first: nobody else learns anything about their input.
    crate::services::access::owned_case(req.db(), actor, case_id).await?;
    let scope = erasure::Scope::parse(&scope)?;
    if understood.is_none() {
        return Err(AppError::invalid("understood", "Tick the box to confirm that this cannot be undone."));
    }
    let erased = erasure::erase(req.db(), actor, case_id, scope, request::now()).await?;
    Ok(ErasedView { counts: erased.0.into_iter().map(|(kind, count)| (kind.to_owned(), count)).collect() })
}

/// Saves the therapist's private notes on a case.
#[server(endpoint = "cases/notes")]
pub async fn save_case_notes(case_id: i32, notes: String) -> Result<(), AppError> {
    use crate::{domain::case::TherapistNotes, error::FieldContext};
    let req = request::current()?;
    let actor = req.actor().await?;
    let notes = TherapistNotes::parse(&notes).field("notes")?;
    cases::update_notes(req.db(), actor, case_id, notes, request::now()).await
}

#[cfg(feature = "ssr")]
impl ClientHomeView {
    /// The client's view of their case and, while they reach it, the couple's progress.
    pub(crate) fn new(found: cases::ClientCase, progress: Option<super::exchange::ProgressView>) -> Self {
        ClientHomeView {
            progress,
            own_seeks: found.own.seeks,
            own_first_name: found.own.first_name,
            partner_first_name: found.other.first_name,
            therapist_name: found.therapist_name,
            policy: found.case.confidentiality_policy,
            status: found.case.status,
            no_access: found.no_access,
            safety: found.safety,
        }
    }
}

/// The signed-in client's view of their case.
#[server(endpoint = "client/home")]
pub async fn load_client_home() -> Result<ClientHomeView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let found = cases::client_case(req.db(), actor, request::now()).await?;
    let progress = match found.no_access {
        None => Some(crate::services::exchange::progress(req.db(), found.case.id).await?.into()),
        Some(_) => None,
    };
    Ok(ClientHomeView::new(found, progress))
}

/// The client asks their therapist to change which kind of closeness the programme
/// assumes they seek (`emotional`, `physical` or `unsure`): a private note in fixed words.
#[server(endpoint = "client/ask_seeks_change")]
pub async fn ask_seeks_change(seeks: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let seeks = Seeks::parse(&seeks)
        .map_err(|_| AppError::invalid("seeks", "Choose what you would like more of."))?;
    crate::services::exchange::ask_seeks_change(req.db(), actor, seeks, request::now()).await?;
    req.state.mail.wake_worker();
    Ok(())
}

/// Everything "My homework" shows, loaded in one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyHomeworkView {
    /// The client's case, partner and therapist.
    pub home: ClientHomeView,
    /// What is assigned to the client (empty once they no longer reach the case).
    pub items: Vec<HomeworkListItem>,
    /// Whether the client gets email reminders.
    pub reminders: bool,
    /// The questionnaires scheduled for the client (empty once they no longer reach the case).
    pub measures: Vec<super::measures::ClientMeasureView>,
}

#[cfg(feature = "ssr")]
impl MyHomeworkView {
    /// A client's home as read by the service, with their reminder setting.
    pub(crate) fn new(page: cases::ClientHomePage, reminders: bool) -> Self {
        MyHomeworkView {
            home: ClientHomeView::new(page.case, page.progress.map(Into::into)),
            items: page.homework.into_iter().map(HomeworkListItem::from).collect(),
            reminders,
            measures: page.measures.into_iter().map(Into::into).collect(),
        }
    }
}

/// The signed-in client's "My homework" page, in one call.
#[server(endpoint = "client/homework_page")]
pub async fn load_my_homework_page() -> Result<MyHomeworkView, AppError> {
    let req = request::current()?;
    let account = req.account().await?;
    let page =
        cases::client_home_page(req.db(), crate::services::Actor::of(&account), request::now()).await?;
    Ok(MyHomeworkView::new(page, account.reminders))
}

/// Everything the signed-in client wrote, to read (also after the case is closed).
#[server(endpoint = "client/my_writing")]
pub async fn load_own_writing() -> Result<OwnWritingView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    Ok(crate::services::own_writing::own_writing(req.db(), actor, request::now()).await?.into())
}
