//! Accounts: therapist sign-up and sign-in for every role.

use super::{
    audit::{self, AuditAction, AuditEvent},
    passwords,
    throttle::{self, PER_ACCOUNT, PER_ADDRESS},
    Actor,
};
use crate::{
    domain::{EmailAddress, Password, PersonName, Role},
    entities::users,
    error::{AppError, FieldContext, EMAIL_TAKEN, SIGN_IN_REFUSED},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, SqlErr, TransactionSession,
    TransactionTrait,
};

/// A therapist's sign-up form, parsed.
#[derive(Debug, Clone)]
pub struct TherapistSignUp {
    /// The therapist's name as clients will see it.
    pub display_name: PersonName,
    /// Their sign-in email.
    pub email: EmailAddress,
    /// Their chosen password.
    pub password: Password,
}

impl TherapistSignUp {
    /// Parses the raw form, naming the field of the first problem found.
    pub fn parse(display_name: &str, email: &str, password: &str) -> Result<Self, AppError> {
        let display_name = PersonName::parse(display_name).field("display_name")?;
        let email = EmailAddress::parse(email).field("email")?;
        let password = Password::parse(password, Some(email.as_str())).field("password")?;
        Ok(Self { display_name, email, password })
    }
}

/// Creates a therapist account. The email must not be in use (compared without case).
pub async fn sign_up_therapist(
    db: &(impl ConnectionTrait + TransactionTrait),
    form: TherapistSignUp,
    now: DateTime<Utc>,
) -> Result<Actor, AppError> {
    let taken =
        users::Entity::find().filter(users::Column::Email.eq(form.email.as_str())).one(db).await?.is_some();
    if taken {
        return Err(AppError::invalid("email", EMAIL_TAKEN));
    }
    let password_hash = passwords::hash(&form.password).await?;
    let txn = db.begin().await?;
    let inserted = users::Entity::insert(users::ActiveModel {
        email: Set(form.email.as_str().to_owned()),
        display_name: Set(form.display_name.as_str().to_owned()),
        password_hash: Set(password_hash),
        role: Set(Role::Therapist),
        created_at: Set(now),
        updated_at: Set(now),
        // New therapists are asked to set up a second factor (they may turn this off).
        second_factor_required: Set(true),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    let user_id = match inserted {
        Ok(result) => result.last_insert_id,
        // Two sign-ups racing for one email: the loser is told as if it had been checked.
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(AppError::invalid("email", EMAIL_TAKEN));
        }
        Err(error) => return Err(error.into()),
    };
    audit::record(
        &txn,
        AuditEvent {
            actor_user_id: Some(user_id),
            action: AuditAction::AccountCreated,
            record_type: "user",
            record_id: user_id.to_string(),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Actor { user_id, role: Role::Therapist })
}

/// A sign-in attempt as it arrived.
#[derive(Debug, Clone, Copy)]
pub struct SignInAttempt<'a> {
    /// The email as typed.
    pub email: &'a str,
    /// The password as typed (never logged).
    pub password: &'a str,
    /// The client's network address, for the per-address throttle.
    pub client_address: &'a str,
}

/// Checks credentials, slowed down per account and per address after repeated failures.
/// Every refusal reads the same, whether or not the email has an account.
pub async fn sign_in(
    db: &impl ConnectionTrait,
    attempt: SignInAttempt<'_>,
    now: DateTime<Utc>,
) -> Result<Actor, AppError> {
    let email = EmailAddress::parse(attempt.email).field("email")?;
    if attempt.password.is_empty() {
        return Err(AppError::invalid("password", "Enter your password."));
    }
    let account_key = throttle::account_key(email.as_str());
    let address_key = throttle::address_key(attempt.client_address);
    throttle::check(db, &address_key, PER_ADDRESS, now).await?;
    throttle::check(db, &account_key, PER_ACCOUNT, now).await?;

    let user = users::Entity::find().filter(users::Column::Email.eq(email.as_str())).one(db).await?;
    let verified =
        passwords::verify(attempt.password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    match user {
        Some(user) if verified => {
            let role = user.role;
            throttle::clear(db, &account_key).await?;
            Ok(Actor { user_id: user.id, role })
        }
        user => {
            throttle::record_failure(db, &account_key, PER_ACCOUNT, now).await?;
            throttle::record_failure(db, &address_key, PER_ADDRESS, now).await?;
            // An unknown email is recorded too, with no account and nothing of the email.
            let record_id = user.as_ref().map_or_else(String::new, |user| user.id.to_string());
            let event = AuditEvent {
                actor_user_id: None,
                action: AuditAction::SignInFailed,
                record_type: "user",
                record_id,
            };
            match user {
                Some(user) => audit::record_for_account(db, event, user.id, now).await?,
                None => audit::record(db, event, now).await?,
            }
            Err(AppError::invalid("", SIGN_IN_REFUSED))
        }
    }
}

/// What the signed-in person may know about their own account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnAccount {
    /// The account id.
    pub user_id: i32,
    /// Their name.
    pub display_name: String,
    /// Their email.
    pub email: String,
    /// Their role.
    pub role: Role,
}

/// The actor's own account.
pub async fn own_account(db: &impl ConnectionTrait, actor: Actor) -> Result<OwnAccount, AppError> {
    let user = users::Entity::find_by_id(actor.user_id).one(db).await?.ok_or(AppError::Unauthenticated)?;
    Ok(OwnAccount { user_id: user.id, display_name: user.display_name, email: user.email, role: actor.role })
}

/// Creates a client account (inside the caller's transaction, when a partner joins).
pub async fn create_client(
    db: &impl ConnectionTrait,
    email: &EmailAddress,
    display_name: &str,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let inserted = users::Entity::insert(users::ActiveModel {
        email: Set(email.as_str().to_owned()),
        display_name: Set(display_name.to_owned()),
        password_hash: Set(password_hash),
        role: Set(Role::Client),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await;
    match inserted {
        Ok(result) => Ok(result.last_insert_id),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(AppError::conflict(
                "An account with this email already exists. Sign in to accept the invitation.",
            ))
        }
        Err(error) => Err(error.into()),
    }
}
