//! An account's own settings: the time zone that due dates and "overdue" follow; for a
//! therapist also their name, practice, signature, booking link, email preferences, and
//! what clients are told beside the private note (crisis line, usual reply time); for a
//! client their reminders.

use super::{
    audit::{self, AuditAction, AuditEvent},
    clock, Actor,
};
use crate::{
    domain::{outbox::Digest, retention::RetentionYears, safety::SafetyInfo, Role},
    entities::users,
    error::AppError,
    error::FieldContext,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel, QuerySelect,
};

/// The signed-in account.
pub async fn account(db: &impl ConnectionTrait, actor: Actor) -> Result<users::Model, AppError> {
    users::Entity::find_by_id(actor.user_id).one(db).await?.ok_or(AppError::Unauthenticated)
}

/// The time zone the actor reads times in (an IANA name): a therapist's own; for a client,
/// their therapist's (clients are shown times labelled with that zone).
pub async fn reading_zone(db: &impl ConnectionTrait, actor: Actor) -> Result<String, AppError> {
    let therapist_id = match actor.role {
        Role::Therapist => actor.user_id,
        Role::Client => super::access::client_membership(db, actor).await?.1.therapist_id,
    };
    let zone: Option<String> = users::Entity::find_by_id(therapist_id)
        .select_only()
        .column(users::Column::TimeZone)
        .into_tuple()
        .one(db)
        .await?;
    Ok(zone.unwrap_or_else(|| "UTC".to_owned()))
}

/// The crisis line and usual reply time a therapist set, as clients are shown them.
pub fn safety_of(therapist: &users::Model) -> SafetyInfo {
    SafetyInfo { crisis_line: therapist.crisis_line.clone(), reply_within_days: therapist.reply_within_days }
}

/// Changes the account's time zone.
pub async fn set_time_zone(
    db: &impl ConnectionTrait,
    actor: Actor,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let zone = clock::parse_time_zone(name)?;
    let mut active = account(db, actor).await?.into_active_model();
    active.time_zone = Set(zone.name().to_owned());
    active.updated_at = Set(now);
    active.update(db).await?;
    audit::record(db, AuditEvent::by(actor, AuditAction::SettingsChanged, "user", actor.user_id), now).await
}

/// A therapist's settings as submitted.
#[derive(Debug, Clone)]
pub struct TherapistSettings {
    /// The name clients and emails show.
    pub display_name: String,
    /// The practice's name (for `{practice_name}`).
    pub practice_name: String,
    /// Added under follow-ups.
    pub signature: String,
    /// An IANA time zone.
    pub time_zone: String,
    /// Where clients book a consultation (for `{booking_link}`); empty or http(s).
    pub booking_url: String,
    /// `immediate` or `daily`: how the therapist hears of submissions.
    pub digest: String,
    /// Whether clients get automatic reminders.
    pub reminders: bool,
    /// One line clients see beside the private note: where to get help in an emergency
    /// (blank: the app's default).
    pub crisis_line: String,
    /// "Usually replies within N days", 1 to 14 (blank: not said).
    pub reply_within_days: String,
}

/// Saves a therapist's settings; each bad field is refused with its own message.
pub async fn save_therapist_settings(
    db: &impl ConnectionTrait,
    actor: Actor,
    form: TherapistSettings,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    use crate::domain::{
        plain_text,
        safety::{parse_reply_days, CrisisLine},
        PersonName,
    };
    actor.require_role(crate::domain::Role::Therapist)?;
    let display_name = PersonName::parse(&form.display_name).field("display_name")?;
    let zone = clock::parse_time_zone(&form.time_zone)?;
    let practice_name = form.practice_name.trim();
    if practice_name.chars().count() > 120 {
        return Err(AppError::invalid("practice_name", "Keep the practice name to 120 characters."));
    }
    plain_text(practice_name, false).field("practice_name")?;
    let signature = form.signature.trim();
    if signature.chars().count() > 1_000 {
        return Err(AppError::invalid("signature", "Keep the signature to 1,000 characters."));
    }
    plain_text(signature, true).field("signature")?;
    let booking_url = form.booking_url.trim();
    if !booking_url.is_empty()
        && (booking_url.len() > 300
            || !(booking_url.starts_with("https://") || booking_url.starts_with("http://"))
            || booking_url.contains(|c: char| c.is_whitespace() || c.is_control()))
    {
        return Err(AppError::invalid("booking_url", "Enter a web address starting with https://"));
    }
    let digest = Digest::parse(&form.digest)
        .map_err(|_| AppError::invalid("digest", "Choose at once or a daily digest."))?;
    let crisis_line = CrisisLine::parse(&form.crisis_line).field("crisis_line")?;
    let reply_within_days = parse_reply_days(&form.reply_within_days).field("reply_within_days")?;
    let mut active = account(db, actor).await?.into_active_model();
    active.display_name = Set(display_name.as_str().to_owned());
    active.practice_name = Set(practice_name.to_owned());
    active.signature = Set(signature.to_owned());
    active.time_zone = Set(zone.name().to_owned());
    active.booking_url = Set(booking_url.to_owned());
    active.digest = Set(digest);
    active.reminders = Set(form.reminders);
    active.crisis_line = Set(crisis_line.as_str().to_owned());
    active.reply_within_days = Set(reply_within_days);
    active.updated_at = Set(now);
    active.update(db).await?;
    audit::record(db, AuditEvent::by(actor, AuditAction::SettingsChanged, "user", actor.user_id), now).await
}

/// A client turns automatic reminders on or off (invitations and the therapist's own
/// messages still arrive).
pub async fn set_reminders(
    db: &impl ConnectionTrait,
    actor: Actor,
    on: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut active = account(db, actor).await?.into_active_model();
    active.reminders = Set(on);
    active.updated_at = Set(now);
    active.update(db).await?;
    audit::record(db, AuditEvent::by(actor, AuditAction::SettingsChanged, "user", actor.user_id), now).await
}

/// A therapist sets how many years closed cases are kept before their content is purged
/// (1 to 50; anything else is refused at the field).
pub async fn set_retention_years(
    db: &impl ConnectionTrait,
    actor: Actor,
    years: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    actor.require_role(crate::domain::Role::Therapist)?;
    let years = RetentionYears::parse(years).field("retention_years")?;
    let mut active = account(db, actor).await?.into_active_model();
    active.retention_years = Set(years.years());
    active.updated_at = Set(now);
    active.update(db).await?;
    audit::record(db, AuditEvent::by(actor, AuditAction::SettingsChanged, "user", actor.user_id), now).await
}
