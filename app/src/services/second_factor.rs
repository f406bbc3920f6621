//! A second factor for every account: a time-based code (RFC 6238: HMAC-SHA1, six digits,
//! 30-second steps, one step of clock drift either way) from any authenticator app, with
//! ten single-use recovery codes.
//!
//! Enrolling and removing need the account's password again. Enrolling shows the secret
//! (as a QR code and as text) and the ten recovery codes until a first code confirms it,
//! for at most [`ENROLMENT_MINUTES`]; after that neither is ever shown again. The recovery
//! codes are derived from the secret (SHA-256 of it and the code's number), so the set-up
//! page can show them on a plain page load, before confirming, with JavaScript or without,
//! and nothing more than the secret is kept meanwhile. Whoever holds the secret can make
//! codes from the app anyway, so deriving them gives nobody more. The secret is kept in the
//! database sealed with the server's key ([`super::sealing`]), never as its base32 text;
//! recovery codes only as the SHA-256 of their 100 random bits. A server with the wrong key
//! refuses codes from the app with a clear message (recovery codes still work).
//!
//! Sign-in with a second factor is two steps: a correct password starts a *pending*
//! sign-in (a random token for the browser, only its hash stored, valid
//! [`PENDING_SIGN_IN_MINUTES`], single-use), and a code with that token starts the session.
//! Wrong codes are throttled per account like passwords; a code's time step is accepted
//! at most once, and never one at or before the last accepted step.

use super::{
    audit::{self, AuditAction, AuditEvent},
    passwords,
    sealing::{self, SealingKey},
    throttle::{self, PER_ACCOUNT},
    tokens::SecretToken,
    Actor,
};
use crate::{
    components::url::encode_query_value,
    domain::{
        second_factor::{grouped, SecondFactorCode, RECOVERY_CODE_CHARS},
        Role,
    },
    entities::{pending_sign_ins, recovery_codes, second_factors, users},
    error::{AppError, FieldContext, CODE_REFUSED, PASSWORD_REFUSED, SIGN_IN_EXPIRED, TOTP_UNREADABLE},
};
use base64::{engine::general_purpose::STANDARD, Engine as _};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, SqlErr, TransactionSession, TransactionTrait,
};
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};

/// How long a sign-in waits for its code.
pub const PENDING_SIGN_IN_MINUTES: i64 = 5;
/// How long a started enrolment shows its secret and waits for a first code.
pub const ENROLMENT_MINUTES: i64 = 10;
/// How many recovery codes an enrolment gives.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// The name authenticator apps show beside the account.
const ISSUER: &str = "Babysteps";
/// The base32 alphabet (RFC 4648) recovery codes are written in.
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The account's second factor as its owner may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactorStatus {
    /// A second factor is set up: sign-in asks for a code.
    pub enrolled: bool,
    /// The account asks for a second factor (a therapist's setting).
    pub required: bool,
    /// Unused recovery codes left.
    pub recovery_codes_left: u64,
    /// A started enrolment still waiting for its first code.
    pub enrolment: Option<Enrolment>,
}

/// What an enrolment shows while it waits for its first code, to the owner only.
#[derive(Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// The secret in base32, in groups of four for typing.
    pub secret: String,
    /// The recovery codes this enrolment gives, grouped for reading.
    pub recovery_codes: Vec<String>,
    /// A QR code of the `otpauth://` link, as an SVG `data:` URL for an `<img>`.
    pub qr_image: String,
    /// When the enrolment stops waiting.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

/// The throttle key for an account's codes. Apart from the password's key, so a correct
/// password (which clears that one) never clears the count of wrong codes.
fn code_key(user_id: i32) -> String {
    format!("second_factor:{user_id}")
}

/// What a secret is sealed to: its column and row, so it opens nowhere else.
fn sealing_context(user_id: i32) -> String {
    format!("second_factors.secret:{user_id}")
}

/// The factor's secret in base32. A value stored before sealing existed is read as it is
/// (the server seals those when it starts: [`seal_stored_secrets`]).
fn secret_of(factor: &second_factors::Model, key: &SealingKey) -> Result<String, sealing::Unopenable> {
    if !sealing::is_sealed(&factor.secret) {
        return Ok(factor.secret.clone());
    }
    key.open(&factor.secret, &sealing_context(factor.user_id)).inspect_err(|_| {
        tracing::error!(
            user_id = factor.user_id,
            "a second factor's secret does not open with this server's SEALING_KEY"
        );
    })
}

/// What [`seal_stored_secrets`] found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SealingReport {
    /// Secrets stored as plain text, sealed now.
    pub sealed_now: u64,
    /// Sealed secrets this server's key does not open (another key, or damaged).
    pub unopenable: u64,
}

/// At start-up: seals every secret still stored as plain text, and counts the sealed ones
/// that `key` does not open (so a wrong key is noticed at once, not at someone's sign-in).
pub async fn seal_stored_secrets(
    db: &impl ConnectionTrait,
    key: &SealingKey,
) -> Result<SealingReport, AppError> {
    let mut report = SealingReport::default();
    let stored: Vec<(i32, String)> = second_factors::Entity::find()
        .select_only()
        .column(second_factors::Column::UserId)
        .column(second_factors::Column::Secret)
        .into_tuple()
        .all(db)
        .await?;
    for (user_id, secret) in stored {
        if sealing::is_sealed(&secret) {
            if key.open(&secret, &sealing_context(user_id)).is_err() {
                report.unopenable += 1;
            }
            continue;
        }
        // Only if it is still the same plain text (a concurrent change wins).
        let updated = second_factors::Entity::update_many()
            .col_expr(
                second_factors::Column::Secret,
                Expr::value(key.seal(&secret, &sealing_context(user_id))),
            )
            .filter(second_factors::Column::UserId.eq(user_id))
            .filter(second_factors::Column::Secret.eq(secret))
            .exec(db)
            .await?;
        report.sealed_now += updated.rows_affected;
    }
    Ok(report)
}

async fn account(db: &impl ConnectionTrait, user_id: i32) -> Result<users::Model, AppError> {
    users::Entity::find_by_id(user_id).one(db).await?.ok_or(AppError::Unauthenticated)
}

async fn confirmed_factor(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Option<second_factors::Model>, AppError> {
    // By its key: no `LIMIT` to bind (SQLite re-prepares a bound limit).
    let factor = second_factors::Entity::find_by_id(user_id).all(db).await?.into_iter().next();
    Ok(factor.filter(|factor| factor.confirmed_at.is_some()))
}

/// Checks the account's password again, throttled like sign-in.
async fn check_password(
    db: &impl ConnectionTrait,
    user: &users::Model,
    password: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let key = throttle::account_key(&user.email);
    throttle::reserve(db, &key, PER_ACCOUNT, now).await?;
    if passwords::verify(password, Some(&user.password_hash)).await? {
        throttle::clear(db, &key).await?;
        return Ok(());
    }
    Err(AppError::invalid("password", PASSWORD_REFUSED))
}

fn totp(secret_base32: &str) -> Result<Totp, AppError> {
    let secret = Secret::try_from_base32(secret_base32).map_err(|_| {
        tracing::error!("stored second factor secret unreadable");
        AppError::Internal
    })?;
    Builder::new().with_secret(secret).build().map_err(|error| {
        tracing::error!(%error, "stored second factor secret refused");
        AppError::Internal
    })
}

/// The step a six-digit code belongs to, if it is right now (within one step of drift).
fn matching_step(secret_base32: &str, digits: &str, now: DateTime<Utc>) -> Result<Option<i64>, AppError> {
    let seconds = u64::try_from(now.timestamp()).map_err(|_| AppError::Internal)?;
    Ok(totp(secret_base32)?.check(digits, seconds).and_then(|step| i64::try_from(step).ok()))
}

/// Accepts `digits` for `factor` when it is right now and its step is later than every
/// step accepted before; records the step in the same statement, so two requests racing
/// with one code cannot both succeed.
async fn accept_totp(
    db: &impl ConnectionTrait,
    factor: &second_factors::Model,
    secret: &str,
    digits: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let Some(step) = matching_step(secret, digits, now)? else {
        return Ok(false);
    };
    let updated = second_factors::Entity::update_many()
        .col_expr(second_factors::Column::LastUsedStep, Expr::value(step))
        .filter(second_factors::Column::UserId.eq(factor.user_id))
        .filter(
            Condition::any()
                .add(second_factors::Column::LastUsedStep.is_null())
                .add(second_factors::Column::LastUsedStep.lt(step)),
        )
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Spends one unused recovery code of the account; false when it is unknown or used.
async fn use_recovery_code(
    db: &impl ConnectionTrait,
    user_id: i32,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let updated = recovery_codes::Entity::update_many()
        .col_expr(recovery_codes::Column::UsedAt, Expr::value(now))
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .filter(recovery_codes::Column::CodeHash.eq(recovery_code_hash(code)))
        .filter(recovery_codes::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// The stored hash of a recovery code (normalised: upper case, no separators).
fn recovery_code_hash(normalised: &str) -> String {
    SecretToken::from_text(normalised).hash()
}

/// The recovery codes of the enrolment with this (base32) secret, normalised: each 20
/// base32 characters (100 bits) of SHA-256 over a label, the secret and the code's number.
fn recovery_codes_for(secret_base32: &str) -> Vec<String> {
    (0..RECOVERY_CODE_COUNT)
        .map(|number| {
            let digest = Sha256::new()
                .chain_update(b"babysteps recovery code\0")
                .chain_update(secret_base32.as_bytes())
                .chain_update((number as u32).to_be_bytes())
                .finalize();
            // 256 is a multiple of 32, so each character is uniform.
            digest
                .iter()
                .take(RECOVERY_CODE_CHARS)
                .map(|byte| BASE32[usize::from(byte % 32)] as char)
                .collect()
        })
        .collect()
}

/// A recovery code as the owner reads it: lower case, in groups of five.
fn shown_code(code: &str) -> String {
    grouped(&code.to_ascii_lowercase(), 5, '-')
}

/// What the owner sees of a started enrolment: the grouped secret and its QR code.
fn enrolment_display(
    factor: &second_factors::Model,
    secret: &str,
    email: &str,
) -> Result<Enrolment, AppError> {
    let link = format!(
        "otpauth://totp/{ISSUER}:{label}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits=6&period=30",
        label = encode_query_value(email),
    );
    let qr = qrcode::QrCode::new(link.as_bytes()).map_err(|error| {
        tracing::error!(%error, "QR code for enrolment could not be made");
        AppError::Internal
    })?;
    let svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    Ok(Enrolment {
        secret: grouped(secret, 4, ' '),
        recovery_codes: recovery_codes_for(secret).iter().map(|code| shown_code(code)).collect(),
        qr_image: format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg)),
        expires_at: factor.started_at + Duration::minutes(ENROLMENT_MINUTES),
    })
}

/// The actor's second factor, and a started enrolment's secret while it waits (none when
/// `key` does not open it: starting again makes a new one).
pub async fn status(
    db: &impl ConnectionTrait,
    key: &SealingKey,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<SecondFactorStatus, AppError> {
    let user = account(db, actor.user_id).await?;
    let factor = second_factors::Entity::find_by_id(actor.user_id).one(db).await?;
    let enrolled = factor.as_ref().is_some_and(|factor| factor.confirmed_at.is_some());
    let enrolment = match &factor {
        Some(factor)
            if factor.confirmed_at.is_none()
                && now < factor.started_at + Duration::minutes(ENROLMENT_MINUTES) =>
        {
            match secret_of(factor, key) {
                Ok(secret) => Some(enrolment_display(factor, &secret, &user.email)?),
                Err(sealing::Unopenable) => None,
            }
        }
        _ => None,
    };
    let recovery_codes_left = if enrolled {
        recovery_codes::Entity::find()
            .filter(recovery_codes::Column::UserId.eq(actor.user_id))
            .filter(recovery_codes::Column::UsedAt.is_null())
            .count(db)
            .await?
    } else {
        0
    };
    Ok(SecondFactorStatus { enrolled, required: user.second_factor_required, recovery_codes_left, enrolment })
}

/// Starts an enrolment (the password again): a new secret, shown until a first code
/// confirms it. A started, unconfirmed enrolment is replaced; a confirmed one must be
/// removed first.
pub async fn start_enrolment(
    db: &impl ConnectionTrait,
    key: &SealingKey,
    actor: Actor,
    password: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let user = account(db, actor.user_id).await?;
    check_password(db, &user, password, now).await?;
    second_factors::Entity::delete_many()
        .filter(second_factors::Column::UserId.eq(actor.user_id))
        .filter(second_factors::Column::ConfirmedAt.is_null())
        .exec(db)
        .await?;
    let mut bytes = [0_u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    let inserted = second_factors::Entity::insert(second_factors::ActiveModel {
        user_id: Set(actor.user_id),
        secret: Set(key.seal(&Secret::new_stack(bytes).to_base32(), &sealing_context(actor.user_id))),
        started_at: Set(now),
        confirmed_at: Set(None),
        last_used_step: Set(None),
    })
    .exec_without_returning(db)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(AppError::conflict("A second factor is already set up. Remove it first to set up a new one."))
        }
        Err(error) => Err(error.into()),
    }
}

/// Confirms a started enrolment with a first code from the app. Returns the ten recovery
/// codes (grouped for reading) that the enrolment showed, once more; only their hashes are
/// kept.
pub async fn confirm_enrolment(
    db: &(impl ConnectionTrait + TransactionTrait),
    key: &SealingKey,
    actor: Actor,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    let SecondFactorCode::Totp(digits) = SecondFactorCode::parse(code).field("code")? else {
        return Err(AppError::invalid("code", "Enter the six digits your app shows."));
    };
    let throttle_key = code_key(actor.user_id);
    throttle::reserve(db, &throttle_key, PER_ACCOUNT, now).await?;
    let ended = || AppError::conflict("This set-up has ended. Start again with your password.");
    let factor = second_factors::Entity::find_by_id(actor.user_id)
        .one(db)
        .await?
        .filter(|f| f.confirmed_at.is_none() && now < f.started_at + Duration::minutes(ENROLMENT_MINUTES))
        .ok_or_else(ended)?;
    let secret = secret_of(&factor, key).map_err(|_| ended())?;
    if !accept_totp(db, &factor, &secret, &digits, now).await? {
        audit::record(
            db,
            AuditEvent::by(actor, AuditAction::SecondFactorCodeRefused, "user", actor.user_id),
            now,
        )
        .await?;
        return Err(AppError::invalid("code", CODE_REFUSED));
    }
    let codes = recovery_codes_for(&secret);
    let txn = db.begin().await?;
    let confirmed = second_factors::Entity::update_many()
        .col_expr(second_factors::Column::ConfirmedAt, Expr::value(now))
        .filter(second_factors::Column::UserId.eq(actor.user_id))
        .filter(second_factors::Column::ConfirmedAt.is_null())
        .exec(&txn)
        .await?;
    if confirmed.rows_affected != 1 {
        return Err(AppError::conflict("This set-up has ended. Start again with your password."));
    }
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(actor.user_id))
        .exec(&txn)
        .await?;
    recovery_codes::Entity::insert_many(codes.iter().map(|code| recovery_codes::ActiveModel {
        user_id: Set(actor.user_id),
        code_hash: Set(recovery_code_hash(code)),
        used_at: Set(None),
        ..Default::default()
    }))
    .exec_without_returning(&txn)
    .await?;
    throttle::clear(&txn, &throttle_key).await?;
    audit::record(&txn, AuditEvent::by(actor, AuditAction::SecondFactorEnrolled, "user", actor.user_id), now)
        .await?;
    txn.commit().await?;
    Ok(codes.iter().map(|code| shown_code(code)).collect())
}

/// Removes the actor's second factor and recovery codes (the password again). Sign-in
/// asks for the password alone afterwards.
pub async fn remove(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    password: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let user = account(db, actor.user_id).await?;
    check_password(db, &user, password, now).await?;
    let txn = db.begin().await?;
    let was_enrolled = confirmed_factor(&txn, actor.user_id).await?.is_some();
    second_factors::Entity::delete_by_id(actor.user_id).exec(&txn).await?;
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(actor.user_id))
        .exec(&txn)
        .await?;
    if was_enrolled {
        audit::record(
            &txn,
            AuditEvent::by(actor, AuditAction::SecondFactorRemoved, "user", actor.user_id),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A therapist's setting "require a second factor for my account" (on for new
/// therapists): while on and none is set up, their pages show a banner to set one up.
pub async fn set_required(
    db: &impl ConnectionTrait,
    actor: Actor,
    required: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    actor.require_role(Role::Therapist)?;
    users::Entity::update_many()
        .col_expr(users::Column::SecondFactorRequired, Expr::value(required))
        .col_expr(users::Column::UpdatedAt, Expr::value(now))
        .filter(users::Column::Id.eq(actor.user_id))
        .exec(db)
        .await?;
    audit::record(db, AuditEvent::by(actor, AuditAction::SettingsChanged, "user", actor.user_id), now).await
}

/// After a correct password: `None` when the account has no second factor (start the
/// session), else the token of a new pending sign-in that waits for a code.
pub async fn begin_sign_in(
    db: &impl ConnectionTrait,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Option<SecretToken>, AppError> {
    if confirmed_factor(db, actor.user_id).await?.is_none() {
        return Ok(None);
    }
    pending_sign_ins::Entity::delete_many()
        .filter(pending_sign_ins::Column::UserId.eq(actor.user_id))
        .filter(pending_sign_ins::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    let token = SecretToken::generate();
    pending_sign_ins::Entity::insert(pending_sign_ins::ActiveModel {
        user_id: Set(actor.user_id),
        token_hash: Set(token.hash()),
        created_at: Set(now),
        expires_at: Set(now + Duration::minutes(PENDING_SIGN_IN_MINUTES)),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(Some(token))
}

/// Finishes a pending sign-in with a code from the app or a recovery code. The pending
/// token works once, and only for [`PENDING_SIGN_IN_MINUTES`]; a wrong code counts
/// towards the account's throttle and leaves the token for another try.
pub async fn finish_sign_in(
    db: &(impl ConnectionTrait + TransactionTrait),
    key: &SealingKey,
    token: &SecretToken,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Actor, AppError> {
    let expired = || AppError::invalid("", SIGN_IN_EXPIRED);
    let pending = pending_sign_ins::Entity::find()
        .filter(pending_sign_ins::Column::TokenHash.eq(token.hash()))
        .one(db)
        .await?
        .ok_or_else(expired)?;
    if now >= pending.expires_at {
        pending_sign_ins::Entity::delete_by_id(pending.id).exec(db).await?;
        return Err(expired());
    }
    let code = SecondFactorCode::parse(code).field("code")?;
    let throttle_key = code_key(pending.user_id);
    throttle::reserve(db, &throttle_key, PER_ACCOUNT, now).await?;
    let user = account(db, pending.user_id).await?;
    let factor = confirmed_factor(db, user.id).await?.ok_or_else(expired)?;
    let accepted = match &code {
        SecondFactorCode::Totp(digits) => {
            let secret = secret_of(&factor, key).map_err(|_| AppError::invalid("code", TOTP_UNREADABLE))?;
            accept_totp(db, &factor, &secret, digits, now)
                .await?
                .then_some(AuditAction::SecondFactorCodeAccepted)
        }
        SecondFactorCode::Recovery(text) => {
            use_recovery_code(db, user.id, text, now).await?.then_some(AuditAction::RecoveryCodeUsed)
        }
    };
    let Some(action) = accepted else {
        let event = AuditEvent {
            actor_user_id: None,
            action: AuditAction::SecondFactorCodeRefused,
            record_type: "user",
            record_id: user.id.to_string(),
        };
        audit::record(db, event, now).await?;
        return Err(AppError::invalid("code", CODE_REFUSED));
    };
    let actor = Actor { user_id: user.id, role: user.role };
    let txn = db.begin().await?;
    let claimed = pending_sign_ins::Entity::delete_by_id(pending.id).exec(&txn).await?;
    if claimed.rows_affected != 1 {
        return Err(expired());
    }
    throttle::clear(&txn, &throttle_key).await?;
    audit::record(&txn, AuditEvent::by(actor, action, "user", user.id), now).await?;
    txn.commit().await?;
    Ok(actor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_base32_distinct_and_parse_back() {
        let secret = Secret::new_stack([7; 20]).to_base32();
        let codes = recovery_codes_for(&secret);
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        assert_eq!(codes, recovery_codes_for(&secret), "the same secret gives the same codes");
        let mut distinct = codes.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), RECOVERY_CODE_COUNT);
        assert!(recovery_codes_for(&Secret::new_stack([8; 20]).to_base32())
            .iter()
            .all(|c| !codes.contains(c)));
        for code in codes {
            assert_eq!(code.len(), RECOVERY_CODE_CHARS);
            assert_eq!(
                SecondFactorCode::parse(&shown_code(&code)).unwrap(),
                SecondFactorCode::Recovery(code)
            );
        }
    }

    #[test]
    fn a_code_matches_its_step_only_near_now() {
        let secret = Secret::new_stack([7; 20]).to_base32();
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let code = totp(&secret).unwrap().generate(1_700_000_000).to_string();
        assert_eq!(matching_step(&secret, &code, now).unwrap(), Some(1_700_000_000 / 30));
        assert_eq!(matching_step(&secret, &code, now + Duration::minutes(5)).unwrap(), None);
    }
}
