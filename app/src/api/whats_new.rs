//! What's new for the therapist: the list across their cases, marking one item or all of
//! them done.

use crate::{
    domain::{local_time::LocalTime, whats_new::WhatsNewKind},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::services::{clock, whats_new},
};

/// One item of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsNewItemView {
    /// What happened.
    pub kind: WhatsNewKind,
    /// The record it is about (with `kind` and `version`, what marking it done names).
    pub record_id: i32,
    /// Which event of that record.
    pub version: i32,
    /// When, in the therapist's time zone.
    pub at: LocalTime,
    /// The case's name.
    pub case_label: String,
    /// What happened, in words ("Sam submitted Step 1").
    pub text: String,
    /// Where the therapist deals with it.
    pub link: String,
}

/// The therapist's list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsNewView {
    /// The newest items not marked done.
    pub items: Vec<WhatsNewItemView>,
}

#[cfg(feature = "ssr")]
impl WhatsNewItemView {
    /// An item as the list shows it, its time in `time_zone` (the therapist's).
    fn new(item: whats_new::WhatsNewItem, time_zone: &str) -> Self {
        let who = item.partner.clone().unwrap_or_else(|| "A partner".to_owned());
        let title = item.title.clone().unwrap_or_else(|| "homework".to_owned());
        let text = match item.kind {
            WhatsNewKind::Submission => format!("{who} submitted {title}"),
            WhatsNewKind::Share => format!("{who} shared {title}"),
            WhatsNewKind::PrivateNote => format!("{who} wrote you a private note"),
            WhatsNewKind::TimeChosen => format!("{who} chose a consultation time"),
            WhatsNewKind::EmailFailed => match item.partner {
                Some(name) => format!("An email to {name} could not be delivered"),
                None => "An email could not be delivered".to_owned(),
            },
        };
        Self {
            kind: item.kind,
            record_id: item.record_id,
            version: item.version,
            at: clock::local(time_zone, item.at),
            case_label: item.case_label,
            text,
            link: item.link,
        }
    }
}

/// The therapist's "What's new" (audited).
#[server(endpoint = "whats_new/list")]
pub async fn load_whats_new() -> Result<WhatsNewView, AppError> {
    let req = request::current()?;
    let account = req.account().await?;
    let actor = crate::services::Actor::of(&account);
    let items = whats_new::items(req.db(), actor, request::now()).await?;
    Ok(WhatsNewView {
        items: items.into_iter().map(|item| WhatsNewItemView::new(item, &account.time_zone)).collect(),
    })
}

/// Marks one item done.
#[server(endpoint = "whats_new/done")]
pub async fn mark_whats_new_done(kind: String, record_id: i32, version: i32) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let kind = WhatsNewKind::parse(&kind).map_err(|_| AppError::NotFound)?;
    whats_new::mark_done(req.db(), actor, kind, record_id, version, request::now()).await
}

/// Marks every item done; returns how many.
#[server(endpoint = "whats_new/done_all")]
pub async fn mark_all_whats_new_done() -> Result<usize, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    whats_new::mark_all_done(req.db(), actor, request::now()).await
}
