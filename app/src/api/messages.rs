//! Follow-up emails: the composer's starting point, sending, the therapist's templates, and
//! the public page behind a proposed consultation time's link.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::{
        domain::follow_up,
        domain::{homework::Recipients, time_zone::TimeZoneName},
        services::{clock::local, messages},
    },
};

/// A template the composer can start from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageTemplateView {
    /// The therapist's template (none: the built-in one).
    pub id: Option<i32>,
    /// Its name.
    pub name: String,
    /// Subject with placeholders.
    pub subject: String,
    /// Body with placeholders.
    pub body: String,
}

/// A proposed consultation time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotView {
    /// When, in the therapist's time zone.
    pub when: String,
    /// Who chose it, if anyone.
    pub chosen_by: Option<String>,
}

/// What the composer starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposeView {
    /// Partner A's and partner B's first names.
    pub partners: Vec<String>,
    /// The neutral progress sentence.
    pub progress_summary: String,
    /// The therapist's name.
    pub therapist_name: String,
    /// The practice's name.
    pub practice_name: String,
    /// The booking link from settings.
    pub booking_url: String,
    /// The therapist's time zone.
    pub time_zone: String,
    /// The built-in follow-up first, then the therapist's own.
    pub templates: Vec<MessageTemplateView>,
    /// Times proposed so far.
    pub slots: Vec<SlotView>,
}

#[cfg(feature = "ssr")]
impl ComposeView {
    /// The composer's starting point: the case's defaults and the therapist's templates
    /// after the built-in one.
    pub fn new(
        defaults: messages::ComposeDefaults,
        own: Vec<crate::entities::message_templates::Model>,
    ) -> Self {
        let (name, subject, body) = follow_up::BUILT_IN;
        let mut templates = vec![MessageTemplateView {
            id: None,
            name: name.to_owned(),
            subject: subject.to_owned(),
            body: body.to_owned(),
        }];
        templates.extend(own.into_iter().map(|t| MessageTemplateView {
            id: Some(t.id),
            name: t.name,
            subject: t.subject,
            body: t.body,
        }));
        ComposeView {
            slots: defaults
                .slots
                .iter()
                .map(|slot| SlotView {
                    when: local(&defaults.therapist.time_zone, slot.starts_at).short(),
                    chosen_by: slot
                        .chosen_by_partner_id
                        .and_then(|id| defaults.partners.iter().find(|p| p.id == id))
                        .map(|p| p.first_name.clone()),
                })
                .collect(),
            partners: defaults.partners.iter().map(|p| p.first_name.clone()).collect(),
            progress_summary: defaults.progress_summary,
            therapist_name: defaults.therapist.display_name,
            practice_name: defaults.therapist.practice_name,
            booking_url: defaults.therapist.booking_url,
            time_zone: defaults.therapist.time_zone,
            templates,
        }
    }
}

/// A `datetime-local` value read in the therapist's time zone (none when empty): a time
/// that has passed or falls in a daylight-saving gap is refused at `field`.
#[cfg(feature = "ssr")]
pub(crate) fn local_time(
    field: &str,
    value: &str,
    zone: TimeZoneName,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    zone.future_instant(value, now).map(Some).map_err(|problem| AppError::invalid(field, problem.0))
}

/// The follow-up as the composer posts it, its times read in the therapist's zone
/// (`when`: the send time and the proposed consultation times).
#[cfg(feature = "ssr")]
fn follow_up(
    recipients: &str,
    subject: String,
    body: String,
    progress_summary: String,
    when: (&str, &[String]),
    zone: TimeZoneName,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<messages::FollowUp, AppError> {
    let (send_at, times) = when;
    let mut proposed = Vec::new();
    for (i, time) in times.iter().enumerate() {
        let read = local_time("times", time, zone, now).map_err(|refused| match refused {
            AppError::Invalid { field, message } => {
                AppError::Invalid { field, message: format!("Time {}: {message}", i + 1) }
            }
            other => other,
        })?;
        proposed.extend(read);
    }
    Ok(messages::FollowUp {
        recipients: Recipients::parse(recipients)
            .map_err(|_| AppError::invalid("recipients", "Choose who the message is for."))?,
        subject,
        body,
        progress_summary,
        send_at: local_time("send_at", send_at, zone, now)?,
        times: proposed,
    })
}

/// Sends a follow-up now (empty `send_at`) or at a time, to `both`, `a` or `b`, with up to
/// three proposed consultation times. Times are in the therapist's time zone.
#[server(endpoint = "messages/send")]
pub async fn send_follow_up(
    case_id: i32,
    recipients: String,
    subject: String,
    body: String,
    #[server(default)] progress_summary: String,
    #[server(default)] send_at: String,
    #[server(default)] times: Vec<String>,
) -> Result<usize, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let zone = TimeZoneName::stored(&crate::services::settings::account(req.db(), actor).await?.time_zone);
    let now = request::now();
    let message = follow_up(&recipients, subject, body, progress_summary, (&send_at, &times), zone, now)?;
    let sent = messages::send_follow_up(req.db(), actor, case_id, message, now).await?;
    req.state.mail.wake_worker();
    Ok(sent)
}

/// Creates or edits one of the therapist's follow-up templates. Returns its id.
#[server(endpoint = "messages/save_template")]
pub async fn save_message_template(
    template_id: Option<i32>,
    name: String,
    subject: String,
    body: String,
) -> Result<i32, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    messages::save_template(req.db(), actor, template_id, &name, &subject, &body, request::now()).await
}

/// What a consultation link offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotLinkView {
    /// When, in the therapist's time zone.
    pub when: String,
    /// The therapist's name.
    pub therapist_name: String,
    /// `open`, `used`, `taken` or `expired`.
    pub state: String,
}

#[cfg(feature = "ssr")]
impl From<messages::SlotLinkInfo> for SlotLinkView {
    fn from(info: messages::SlotLinkInfo) -> Self {
        SlotLinkView {
            when: local(&info.time_zone, info.starts_at).long(),
            therapist_name: info.therapist_name,
            state: match info.state {
                messages::SlotLinkState::Open => "open",
                messages::SlotLinkState::Used => "used",
                messages::SlotLinkState::Taken => "taken",
                messages::SlotLinkState::Expired => "expired",
            }
            .to_owned(),
        }
    }
}

/// Reads a consultation link (changes nothing).
#[server(endpoint = "consult/lookup")]
pub async fn load_slot_link(token: String) -> Result<SlotLinkView, AppError> {
    let req = request::current()?;
    Ok(messages::slot_link(req.db(), &token, request::now()).await?.into())
}

/// Confirms the time behind a consultation link (once).
#[server(endpoint = "consult/choose")]
pub async fn choose_consultation(token: String) -> Result<(), AppError> {
    let req = request::current()?;
    messages::choose_slot(req.db(), &token, request::now()).await?;
    req.state.mail.wake_worker();
    Ok(())
}
