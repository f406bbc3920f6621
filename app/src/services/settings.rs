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

/// Today's date where the account lives (UTC if its time zone is unreadable).
pub fn today_in(time_zone: &str, now: DateTime<Utc>) -> NaiveDate {
    match time_zone.parse::<Tz>() {
        Ok(zone) => now.with_timezone(&zone).date_naive(),
        Err(_) => now.date_naive(),
    }
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
