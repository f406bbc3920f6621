//! An account's own settings. For now: the time zone that due dates and "overdue" follow.

use super::{
    audit::{self, AuditAction, AuditEvent},
    Actor,
};
use crate::{entities::users, error::AppError};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};

/// Reads an IANA time zone name such as `Europe/London`.
pub fn parse_time_zone(name: &str) -> Result<Tz, AppError> {
    name.trim().parse::<Tz>().map_err(|_| {
        AppError::invalid("time_zone", "Enter a time zone such as Europe/London or America/New_York.")
    })
}

/// The signed-in account.
pub async fn account(db: &impl ConnectionTrait, actor: Actor) -> Result<users::Model, AppError> {
    users::Entity::find_by_id(actor.user_id).one(db).await?.ok_or(AppError::Unauthenticated)
}

/// Changes the account's time zone.
pub async fn set_time_zone(
    db: &impl ConnectionTrait,
    actor: Actor,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let zone = parse_time_zone(name)?;
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
}

/// Saves a therapist's settings; each bad field is refused with its own message.
pub async fn save_therapist_settings(
    db: &impl ConnectionTrait,
    actor: Actor,
    form: TherapistSettings,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    use crate::domain::PersonName;
    use crate::error::FieldContext;
    actor.require_role(crate::domain::Role::Therapist)?;
    let display_name = PersonName::parse(&form.display_name).field("display_name")?;
    let zone = parse_time_zone(&form.time_zone)?;
    let practice_name = form.practice_name.trim();
    if practice_name.chars().count() > 120 {
        return Err(AppError::invalid("practice_name", "Keep the practice name to 120 characters."));
    }
    let signature = form.signature.trim();
    if signature.chars().count() > 1_000 {
        return Err(AppError::invalid("signature", "Keep the signature to 1,000 characters."));
    }
    let booking_url = form.booking_url.trim();
    if !booking_url.is_empty()
        && (booking_url.len() > 300
            || !(booking_url.starts_with("https://") || booking_url.starts_with("http://"))
            || booking_url.contains(char::is_whitespace))
    {
        return Err(AppError::invalid("booking_url", "Enter a web address starting with https://"));
    }
    if form.digest != "immediate" && form.digest != "daily" {
        return Err(AppError::invalid("digest", "Choose at once or a daily digest."));
    }
    let mut active = account(db, actor).await?.into_active_model();
    active.display_name = Set(display_name.as_str().to_owned());
    active.practice_name = Set(practice_name.to_owned());
    active.signature = Set(signature.to_owned());
    active.time_zone = Set(zone.name().to_owned());
    active.booking_url = Set(booking_url.to_owned());
    active.digest = Set(form.digest);
    active.reminders = Set(form.reminders);
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

/// Today's date where the account lives (UTC if its time zone is unreadable).
pub fn today_in(time_zone: &str, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&super::reminders::zone_of(time_zone)).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(parse_time_zone(" Europe/London ").map(|z| z.name()), Ok("Europe/London"));
        assert!(parse_time_zone("Mars/Olympus").unwrap_err().message_for("time_zone").is_some());
        assert!(parse_time_zone("").is_err());
    }

    #[test]
    fn today_follows_the_time_zone() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).unwrap();
        assert_eq!(today_in("UTC", now), NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
        assert_eq!(today_in("America/Los_Angeles", now), NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        assert_eq!(today_in("Asia/Tokyo", now), NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
        assert_eq!(today_in("not a zone", now), NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
    }
}
