//! Server-side sessions. The browser holds a random 256-bit token; the database holds only
//! its SHA-256 hash. Sessions end after an idle period or an absolute lifetime.

use super::{
    audit::{self, AuditAction, AuditEvent},
    request_context::{self as context, SessionRef},
    tokens::SecretToken,
    Actor,
};
use crate::{
    domain::device::DeviceLabel,
    entities::{sessions, users},
    error::AppError,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::{Alias, Expr},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IdenStatic, IntoActiveModel, QueryFilter,
    QueryTrait, SelectA, SelectB, TransactionSession, TransactionTrait,
};

/// How long sessions last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused for this long has ended.
    pub idle_timeout: Duration,
    /// A session older than this has ended, however busy.
    pub absolute_timeout: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle_timeout: Duration::minutes(30), absolute_timeout: Duration::hours(12) }
    }
}

/// Sessions this idle are not touched again on every request (saves a write per request).
const TOUCH_INTERVAL_SECS: i64 = 60;

/// Starts a new session for `actor` (a fresh token at every sign-in) and audits it. The
/// device is unknown; sign-in through a browser uses [`start_on_device`].
pub async fn start(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<SecretToken, AppError> {
    start_on_device(db, actor, policy, &DeviceLabel::stored(""), now).await
}

/// Starts a new session for `actor` on the device `device` (shown on the account page),
/// and audits it.
pub async fn start_on_device(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    policy: SessionPolicy,
    device: &DeviceLabel,
    now: DateTime<Utc>,
) -> Result<SecretToken, AppError> {
    let token = SecretToken::generate();
    let txn = db.begin().await?;
    let session_id = sessions::Entity::insert(sessions::ActiveModel {
        user_id: Set(actor.user_id),
        token_hash: Set(token.hash()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + policy.absolute_timeout),
        device: Set(device.as_str().to_owned()),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    context::note_session(SessionRef { session_id, user_id: actor.user_id });
    audit::record_for_account(
        &txn,
        AuditEvent {
            actor_user_id: Some(actor.user_id),
            action: AuditAction::SignedIn,
            record_type: "user",
            record_id: actor.user_id.to_string(),
        },
        actor.user_id,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(token)
}

/// True while a session has neither been idle too long nor outlived its absolute lifetime.
pub fn is_live(session: &sessions::Model, policy: SessionPolicy, now: DateTime<Utc>) -> bool {
    now < session.expires_at && now - session.last_seen_at < policy.idle_timeout
}

/// The actor behind `token`, if its session is still live. Ended sessions are deleted.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    token: &SecretToken,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Option<Actor>, AppError> {
    Ok(authenticate_account(db, token, policy, now).await?.map(|signed_in| Actor::of(&signed_in.account)))
}

/// A live session's account, and whether that account has a confirmed second factor.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The account.
    pub account: users::Model,
    /// A second factor is set up and confirmed.
    pub second_factor_confirmed: bool,
}

impl SignedIn {
    /// True when the account asks for a second factor and has none yet (the banner's case).
    pub fn second_factor_missing(&self) -> bool {
        self.account.second_factor_required && !self.second_factor_confirmed
    }
}

/// Whether the session's account has a confirmed second factor, as a column of the session
/// lookup.
const SECOND_FACTOR_CONFIRMED_SQL: &str = "EXISTS (SELECT 1 FROM second_factors \
    WHERE second_factors.user_id = sessions.user_id AND second_factors.confirmed_at IS NOT NULL)";

/// The account behind `token`, if its session is still live, read in the same statement as
/// the session with whether it has a confirmed second factor (so a request needs no second
/// read of its own account). Ended sessions are deleted.
pub async fn authenticate_account(
    db: &impl ConnectionTrait,
    token: &SecretToken,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Option<SignedIn>, AppError> {
    // The token's hash is unique: no `LIMIT` to bind (SQLite re-prepares a bound limit).
    let mut query = sessions::Entity::find()
        .filter(sessions::Column::TokenHash.eq(token.hash()))
        .find_also_related(users::Entity)
        .into_query();
    query.expr_as(Expr::cust(SECOND_FACTOR_CONFIRMED_SQL), Alias::new("second_factor_confirmed"));
    let Some(row) = db.query_all(&query).await?.into_iter().next() else {
        return Ok(None);
    };
    let session = sessions::Model::from_query_result(&row, SelectA.as_str())?;
    let user = users::Model::from_query_result_optional(&row, SelectB.as_str())?;
    let second_factor_confirmed: bool = row.try_get("", "second_factor_confirmed")?;
    let Some(user) = user else {
        return Ok(None);
    };
    let idle_for = now - session.last_seen_at;
    if !is_live(&session, policy, now) {
        sessions::Entity::delete_by_id(session.id).exec(db).await?;
        return Ok(None);
    }
    context::note_session(SessionRef { session_id: session.id, user_id: user.id });
    if idle_for >= Duration::seconds(TOUCH_INTERVAL_SECS) {
        let mut active = session.into_active_model();
        active.last_seen_at = Set(now);
        active.update(db).await?;
    }
    Ok(Some(SignedIn { account: user, second_factor_confirmed }))
}

/// Ends the session behind `token` on the server, and audits it. Unknown tokens are ignored.
pub async fn end(
    db: &(impl ConnectionTrait + TransactionTrait),
    token: &SecretToken,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let session =
        sessions::Entity::find().filter(sessions::Column::TokenHash.eq(token.hash())).one(&txn).await?;
    if let Some(session) = session {
        sessions::Entity::delete_by_id(session.id).exec(&txn).await?;
        context::note_session(SessionRef { session_id: session.id, user_id: session.user_id });
        audit::record_for_account(
            &txn,
            AuditEvent {
                actor_user_id: Some(session.user_id),
                action: AuditAction::SignedOut,
                record_type: "user",
                record_id: session.user_id.to_string(),
            },
            session.user_id,
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Ends every session of an account at once (its case was closed, or its partner removed
/// from the case), and audits it.
pub async fn end_all_for_user(
    db: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let ended = sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user_id)).exec(db).await?;
    if ended.rows_affected > 0 {
        audit::record_for_account(
            db,
            AuditEvent {
                actor_user_id: None,
                action: AuditAction::SessionsEnded,
                record_type: "user",
                record_id: user_id.to_string(),
            },
            user_id,
            now,
        )
        .await?;
    }
    Ok(())
}
