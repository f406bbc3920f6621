//! Accounts: therapist sign-up (confirmed by email), the operator's invitation of a
//! therapist, and sign-in for every role.
//!
//! Sign-up answers the same for every email, known or not: what happened arrives by email
//! (a confirmation link for a new account, "someone tried to sign up with your address"
//! for an existing one). A new therapist may sign in and create cases at once, but nothing
//! is sent from their account to anyone else until they confirm their address
//! ([`super::outbox::check_allowance`]). An unconfirmed therapist account whose links have
//! all expired holds its email for nobody: the next sign-up, operator's invitation or
//! joining client with that email retires it ([`retire_if_stale`]).

use super::{
    audit::{self, AuditAction, AuditEvent},
    email, outbox, passwords, sessions,
    throttle::{self, PER_ACCOUNT, PER_ADDRESS},
    tokens::SecretToken,
    Actor,
};
use crate::{
    domain::{outbox::AccountLinkPurpose, EmailAddress, Password, PersonName, Role},
    entities::{account_links, users},
    error::{AppError, FieldContext, SIGN_IN_REFUSED},
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, SqlErr, TransactionSession, TransactionTrait,
};
use std::net::IpAddr;

/// How long a sign-up's confirmation link works.
pub const CONFIRM_LINK_HOURS: i64 = 24;
/// How long the operator's invitation link works.
pub const INVITE_LINK_DAYS: i64 = 7;

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

fn account_event(actor_user_id: Option<i32>, action: AuditAction, user_id: i32) -> AuditEvent<'static> {
    AuditEvent { actor_user_id, action, record_type: "user", record_id: user_id.to_string() }
}

/// Starts a therapist sign-up. The answer is the same whatever the email: a new address
/// gets an unconfirmed account and a confirmation link (valid [`CONFIRM_LINK_HOURS`]);
/// an address that has an account gets an email saying someone tried to sign up with it.
/// Every path hashes the password once, so the time taken tells nothing either.
pub async fn sign_up_therapist(
    db: &(impl ConnectionTrait + TransactionTrait),
    form: TherapistSignUp,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let password_hash = passwords::hash(&form.password).await?;
    let txn = db.begin().await?;
    let existing = retire_if_stale(&txn, &form.email, now).await?;
    if let Some(user) = existing {
        outbox::enqueue_account_email(
            &txn,
            to_address(&form.email, "", email::sign_up_attempted()),
            None,
            now,
        )
        .await?;
        audit::record(&txn, account_event(None, AuditAction::SignUpForExistingEmail, user.id), now).await?;
        txn.commit().await?;
        return Ok(());
    }
    let user_id =
        match insert_therapist(&txn, &form.email, form.display_name.as_str(), password_hash, now).await {
            Ok(user_id) => user_id,
            // Two sign-ups racing for one email: the other one's email is on its way.
            Err(None) => return Ok(()),
            Err(Some(error)) => return Err(error),
        };
    let link_id =
        new_link(&txn, user_id, AccountLinkPurpose::ConfirmEmail, Duration::hours(CONFIRM_LINK_HOURS), now)
            .await?;
    let content = email::confirm_sign_up(form.display_name.as_str(), CONFIRM_LINK_HOURS);
    outbox::enqueue_account_email(
        &txn,
        to_address(&form.email, form.display_name.as_str(), content),
        Some(link_id),
        now,
    )
    .await?;
    audit::record(&txn, account_event(Some(user_id), AuditAction::AccountCreated, user_id), now).await?;
    txn.commit().await?;
    Ok(())
}

fn to_address(email: &EmailAddress, name: &str, content: email::EmailContent) -> outbox::NewEmail {
    outbox::NewEmail {
        case_id: None,
        partner_id: None,
        invitation_id: None,
        kind: outbox::EmailKind::Account,
        to_address: email.as_str().to_owned(),
        to_name: name.to_owned(),
        from_name: "Babysteps".to_owned(),
        reply_to: None,
        content,
    }
}

/// Inserts an unconfirmed therapist; `Err(None)` when the email was taken meanwhile.
async fn insert_therapist(
    db: &impl ConnectionTrait,
    email: &EmailAddress,
    display_name: &str,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<i32, Option<AppError>> {
    let inserted = users::Entity::insert(users::ActiveModel {
        email: Set(email.as_str().to_owned()),
        display_name: Set(display_name.to_owned()),
        password_hash: Set(password_hash),
        role: Set(Role::Therapist),
        created_at: Set(now),
        updated_at: Set(now),
        // New therapists are asked to set up a second factor (they may turn this off).
        second_factor_required: Set(true),
        email_verified_at: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await;
    match inserted {
        Ok(result) => Ok(result.last_insert_id),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Err(None),
        Err(error) => Err(Some(error.into())),
    }
}

async fn new_link(
    db: &impl ConnectionTrait,
    user_id: i32,
    purpose: AccountLinkPurpose,
    lifetime: Duration,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    Ok(account_links::Entity::insert(account_links::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(purpose),
        token_hash: Set(None),
        created_at: Set(now),
        expires_at: Set(now + lifetime),
        used_at: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?
    .last_insert_id)
}

/// True for a therapist account whose email was never confirmed and none of whose links
/// still works: it holds its address for nobody.
pub async fn is_stale(
    db: &impl ConnectionTrait,
    user: &users::Model,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    if user.role != Role::Therapist || user.email_verified_at.is_some() {
        return Ok(false);
    }
    let live = account_links::Entity::find()
        .filter(account_links::Column::UserId.eq(user.id))
        .filter(account_links::Column::UsedAt.is_null())
        .filter(account_links::Column::ExpiresAt.gt(now))
        .one(db)
        .await?;
    Ok(live.is_none())
}

/// The account that holds `email`, if any. A stale unconfirmed therapist account (see
/// [`is_stale`]) is retired first: its email becomes `<id>.retired@invalid`, its sessions
/// and links end, and what it wrote stays with it, reaching nobody. Call it inside the
/// transaction that then uses the email.
pub async fn retire_if_stale(
    db: &impl ConnectionTrait,
    email: &EmailAddress,
    now: DateTime<Utc>,
) -> Result<Option<users::Model>, AppError> {
    let Some(user) = users::Entity::find().filter(users::Column::Email.eq(email.as_str())).one(db).await?
    else {
        return Ok(None);
    };
    if !is_stale(db, &user, now).await? {
        return Ok(Some(user));
    }
    retire(db, user, now).await?;
    Ok(None)
}

async fn retire(db: &impl ConnectionTrait, user: users::Model, now: DateTime<Utc>) -> Result<(), AppError> {
    let user_id = user.id;
    let mut active = user.into_active_model();
    active.email = Set(format!("{user_id}.retired@invalid"));
    active.updated_at = Set(now);
    active.update(db).await?;
    account_links::Entity::update_many()
        .col_expr(account_links::Column::UsedAt, Expr::value(now))
        .filter(account_links::Column::UserId.eq(user_id))
        .filter(account_links::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    sessions::end_all_for_user(db, user_id, now).await?;
    audit::record(db, account_event(None, AuditAction::AccountRetired, user_id), now).await
}

/// Mints a fresh token for an unused, unexpired account link (replacing any earlier one).
/// `None` when the link can no longer be used.
pub async fn mint_link_token(
    db: &impl ConnectionTrait,
    link_id: i32,
    now: DateTime<Utc>,
) -> Result<Option<(AccountLinkPurpose, SecretToken)>, AppError> {
    let Some(link) = account_links::Entity::find_by_id(link_id).one(db).await? else {
        return Ok(None);
    };
    if link.used_at.is_some() || link.expires_at <= now {
        return Ok(None);
    }
    let token = SecretToken::generate();
    let purpose = link.purpose;
    let mut active = link.into_active_model();
    active.token_hash = Set(Some(token.hash()));
    active.update(db).await?;
    Ok(Some((purpose, token)))
}

/// The page an account link opens, relative to the site.
pub fn link_path(purpose: AccountLinkPurpose, token: &SecretToken) -> String {
    match purpose {
        AccountLinkPurpose::ConfirmEmail => format!("/confirm-email/{}", token.expose()),
        AccountLinkPurpose::SetPassword => format!("/welcome/{}", token.expose()),
    }
}

/// The link a token opens, when it works: its row and its account.
async fn usable_link(
    db: &impl ConnectionTrait,
    token: &SecretToken,
    purpose: AccountLinkPurpose,
    now: DateTime<Utc>,
) -> Result<(account_links::Model, users::Model), AppError> {
    let link = account_links::Entity::find()
        .filter(account_links::Column::TokenHash.eq(token.hash()))
        .filter(account_links::Column::Purpose.eq(purpose))
        .one(db)
        .await?;
    let again = match purpose {
        AccountLinkPurpose::ConfirmEmail => "Sign up again to get a new one.",
        AccountLinkPurpose::SetPassword => "Ask the operator of this Babysteps for a new one.",
    };
    let Some(link) = link else {
        return Err(AppError::conflict(format!(
            "This link is not valid. Check that you copied all of it. {again}"
        )));
    };
    if link.used_at.is_some() {
        return Err(AppError::conflict(
            "This link has already been used. Sign in with your email and password.",
        ));
    }
    if link.expires_at <= now {
        return Err(AppError::conflict(format!("This link has expired. {again}")));
    }
    let user = users::Entity::find_by_id(link.user_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok((link, user))
}

/// Marks the link used, once: `false` when another request used it first.
async fn use_link(db: &impl ConnectionTrait, link_id: i32, now: DateTime<Utc>) -> Result<bool, AppError> {
    let used = account_links::Entity::update_many()
        .col_expr(account_links::Column::UsedAt, Expr::value(now))
        .filter(account_links::Column::Id.eq(link_id))
        .filter(account_links::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(used.rows_affected == 1)
}

/// Confirms a sign-up: the link proves the mailbox, the password proves the person who
/// signed up (so whoever receives a sign-up they did not make cannot confirm it for
/// someone else). Throttled like a sign-in; signs the therapist in.
pub async fn confirm_email(
    db: &(impl ConnectionTrait + TransactionTrait),
    token: &SecretToken,
    password: &str,
    client_address: IpAddr,
    now: DateTime<Utc>,
) -> Result<Actor, AppError> {
    let (link, user) = usable_link(db, token, AccountLinkPurpose::ConfirmEmail, now).await?;
    let attempt = SignInAttempt { email: &user.email, password, client_address };
    let actor = sign_in(db, attempt, now).await?;
    let txn = db.begin().await?;
    if !use_link(&txn, link.id, now).await? {
        return Err(AppError::conflict(
            "This link has already been used. Sign in with your email and password.",
        ));
    }
    users::Entity::update_many()
        .col_expr(users::Column::EmailVerifiedAt, Expr::value(Some(now)))
        .filter(users::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    audit::record(&txn, account_event(Some(user.id), AuditAction::EmailConfirmed, user.id), now).await?;
    txn.commit().await?;
    Ok(actor)
}

/// What the operator's invitation made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvitedTherapist {
    /// The new account (no name or password yet).
    pub user_id: i32,
    /// Its single-use set-password link (valid [`INVITE_LINK_DAYS`]).
    pub link_id: i32,
}

/// The operator creates a therapist account for `email`: no password yet, and a link to
/// choose name and password. With `queue_email` the link is emailed (minted when sent);
/// otherwise the caller mints it with [`mint_link_token`] and passes it on. Refused when the
/// email has an account, unless it is an unconfirmed therapist account, which is retired
/// (the operator vouches for the address).
pub async fn invite_therapist(
    db: &(impl ConnectionTrait + TransactionTrait),
    email: &EmailAddress,
    queue_email: bool,
    now: DateTime<Utc>,
) -> Result<InvitedTherapist, AppError> {
    let txn = db.begin().await?;
    if let Some(user) =
        users::Entity::find().filter(users::Column::Email.eq(email.as_str())).one(&txn).await?
    {
        if user.role == Role::Therapist && user.email_verified_at.is_none() {
            retire(&txn, user, now).await?;
        } else {
            return Err(AppError::conflict(format!("{} already has an account.", email.as_str())));
        }
    }
    let user_id = insert_therapist(&txn, email, "New therapist", passwords::NO_PASSWORD.to_owned(), now)
        .await
        .map_err(|error| {
            error.unwrap_or_else(|| AppError::conflict(format!("{} already has an account.", email.as_str())))
        })?;
    let link_id =
        new_link(&txn, user_id, AccountLinkPurpose::SetPassword, Duration::days(INVITE_LINK_DAYS), now)
            .await?;
    if queue_email {
        let content = email::therapist_invitation(INVITE_LINK_DAYS);
        outbox::enqueue_account_email(&txn, to_address(email, "", content), Some(link_id), now).await?;
    }
    audit::record(&txn, account_event(None, AuditAction::TherapistInvited, user_id), now).await?;
    txn.commit().await?;
    Ok(InvitedTherapist { user_id, link_id })
}

/// An invited therapist chooses their name and password through their link; this confirms
/// their email and signs them in.
pub async fn complete_invitation(
    db: &(impl ConnectionTrait + TransactionTrait),
    token: &SecretToken,
    display_name: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Actor, AppError> {
    let (link, user) = usable_link(db, token, AccountLinkPurpose::SetPassword, now).await?;
    let display_name = PersonName::parse(display_name).field("display_name")?;
    let password = Password::parse(password, Some(&user.email)).field("password")?;
    let password_hash = passwords::hash(&password).await?;
    let txn = db.begin().await?;
    if !use_link(&txn, link.id, now).await? {
        return Err(AppError::conflict(
            "This link has already been used. Sign in with your email and password.",
        ));
    }
    let user_id = user.id;
    let mut active = user.into_active_model();
    active.display_name = Set(display_name.as_str().to_owned());
    active.password_hash = Set(password_hash);
    active.email_verified_at = Set(Some(now));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    audit::record(&txn, account_event(Some(user_id), AuditAction::InvitationCompleted, user_id), now).await?;
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
    pub client_address: IpAddr,
}

/// Checks credentials, slowed down per account and per address after repeated failures.
/// Each attempt is reserved in both throttles before the password is checked, so parallel
/// guesses get no more checks than the policy allows; a correct password gives the
/// attempts back. Every refusal reads the same, whether or not the email has an account.
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
    throttle::reserve(db, &address_key, PER_ADDRESS, now).await?;
    throttle::reserve(db, &account_key, PER_ACCOUNT, now).await?;

    let user = users::Entity::find().filter(users::Column::Email.eq(email.as_str())).one(db).await?;
    let verified =
        passwords::verify(attempt.password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    match user {
        Some(user) if verified => {
            throttle::clear(db, &account_key).await?;
            throttle::release(db, &address_key).await?;
            Ok(Actor { user_id: user.id, role: user.role })
        }
        user => {
            // The attempt was counted before the check. An unknown email is recorded too, with no account and nothing of the email.
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

/// Creates a client account (inside the caller's transaction, when a partner joins). The
/// invitation link proved the address, so it counts as confirmed.
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
        email_verified_at: Set(Some(now)),
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
