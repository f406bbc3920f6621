//! The email outbox. Every email is written here in the transaction that causes it; a
//! worker sends it after commit, with retries and backoff. Rows are claimed with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several servers never send one email twice;
//! a claim left by a crashed worker is taken over after a lease.

use super::{access::OwnedCase, email::EmailContent, Actor};
pub use crate::domain::outbox::{EmailKind, EmailStatus};
use crate::{
    domain::Role,
    entities::{cases, outbox_emails, users},
    error::AppError,
};

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
};
use std::sync::atomic::{AtomicU32, Ordering};

/// An email to queue.
#[derive(Debug, Clone)]
pub struct NewEmail {
    /// The case it concerns (for the case's email history).
    pub case_id: Option<i32>,
    /// The partner it goes to, if any.
    pub partner_id: Option<i32>,
    /// The invitation whose link it carries, if any.
    pub invitation_id: Option<i32>,
    /// What it is for.
    pub kind: EmailKind,
    /// Recipient address.
    pub to_address: String,
    /// Recipient name.
    pub to_name: String,
    /// Sender display name (the therapist's).
    pub from_name: String,
    /// Where replies go (the therapist's address).
    pub reply_to: Option<String>,
    /// Subject and bodies.
    pub content: EmailContent,
}

impl NewEmail {
    /// A notice from Babysteps to a therapist about one of their cases (or their practice).
    pub fn to_therapist(
        therapist: &crate::entities::users::Model,
        case_id: Option<i32>,
        kind: EmailKind,
        content: EmailContent,
    ) -> Self {
        NewEmail {
            case_id,
            partner_id: None,
            invitation_id: None,
            kind,
            to_address: therapist.email.clone(),
            to_name: therapist.display_name.clone(),
            from_name: "Babysteps".to_owned(),
            reply_to: None,
            content,
        }
    }
}

/// Queues an email to be sent from `send_at` (quiet hours, a chosen time), inside the
/// caller's transaction.
pub async fn enqueue_at(
    db: &impl ConnectionTrait,
    email: NewEmail,
    send_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    insert(db, email, None, None, send_at, now).await
}

/// Queues an email about the recipient's own account, carrying the account link
/// `account_link_id` (minted when it is sent) if any.
pub async fn enqueue_account_email(
    db: &impl ConnectionTrait,
    email: NewEmail,
    account_link_id: Option<i32>,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    insert(db, email, None, account_link_id, now, now).await
}

/// The daily limit on emails from one therapist account to others (`DAILY_EMAIL_LIMIT`).
static DAILY_EMAIL_LIMIT: AtomicU32 = AtomicU32::new(DEFAULT_DAILY_EMAIL_LIMIT);

/// The daily limit when none is configured.
pub const DEFAULT_DAILY_EMAIL_LIMIT: u32 = 200;

/// Sets the daily limit for this process (at start-up, from `DAILY_EMAIL_LIMIT`).
pub fn set_daily_email_limit(limit: u32) {
    DAILY_EMAIL_LIMIT.store(limit, Ordering::Relaxed);
}

/// The daily limit in force.
pub fn daily_email_limit() -> u32 {
    DAILY_EMAIL_LIMIT.load(Ordering::Relaxed)
}

/// Whether the therapist may queue `adding` more emails to clients now; call it inside the
/// transaction that queues them, so a refusal writes nothing. Refused until the therapist
/// has confirmed their email, and once the emails queued to clients of their cases in the
/// last 24 hours would pass the daily limit.
pub async fn check_allowance(
    db: &impl ConnectionTrait,
    therapist_id: i32,
    adding: u64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let therapist =
        users::Entity::find_by_id(therapist_id).one(db).await?.ok_or(AppError::Unauthenticated)?;
    if therapist.email_verified_at.is_none() {
        return Err(AppError::conflict(UNVERIFIED));
    }
    let own_cases = cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .filter(cases::Column::TherapistId.eq(therapist_id))
        .into_query();
    let queued = outbox_emails::Entity::find()
        .filter(outbox_emails::Column::CaseId.in_subquery(own_cases))
        .filter(outbox_emails::Column::PartnerId.is_not_null())
        .filter(outbox_emails::Column::CreatedAt.gt(now - Duration::hours(24)))
        .count(db)
        .await?;
    let limit = u64::from(daily_email_limit());
    if queued + adding > limit {
        return Err(AppError::conflict(format!(
            "You have reached today's limit of {limit} emails to clients. Nothing was sent; \
             try again tomorrow, or ask the operator of this Babysteps to raise the limit."
        )));
    }
    Ok(())
}

/// Why a therapist whose email is not confirmed cannot write to anyone yet.
pub const UNVERIFIED: &str = "Confirm your email address first: open the link we emailed you when you \
     signed up. Until then nothing can be sent from your account.";

/// Queues an email carrying a calendar invitation (an iCalendar text).
pub async fn enqueue_with_calendar(
    db: &impl ConnectionTrait,
    email: NewEmail,
    calendar: String,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    insert(db, email, Some(calendar), None, now, now).await
}

/// Attempts before an email is marked failed.
pub const MAX_ATTEMPTS: i32 = 8;

/// How long a worker's claim lasts before another worker may take the email over.
pub const CLAIM_LEASE_SECS: i64 = 120;

/// The wait before retry number `attempts` (1-based): 30 s, 1 min, 2 min, … up to 1 hour.
pub fn retry_delay(attempts: i32) -> Duration {
    let doublings = (attempts.max(1) - 1).min(10) as u32;
    Duration::seconds((30_i64 << doublings).min(3600))
}

/// Queues an email inside the caller's transaction: it exists only if that commits.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    email: NewEmail,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    insert(db, email, None, None, now, now).await
}

async fn insert(
    db: &impl ConnectionTrait,
    email: NewEmail,
    calendar: Option<String>,
    account_link_id: Option<i32>,
    send_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    // The last guard for the sample practice: every path above already skips or refuses
    // these, so reaching here is a bug, refused rather than queued.
    if is_unmailable(&email.to_address)
        || match email.case_id {
            Some(case_id) => is_sample_case(db, case_id).await?,
            None => false,
        }
    {
        tracing::error!(kind = ?email.kind, "an email about a sample couple was refused");
        return Err(AppError::conflict(NO_EMAIL));
    }
    let mut random = [0_u8; 12];
    rand::rng().fill_bytes(&mut random);
    let unique: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let id = outbox_emails::Entity::insert(outbox_emails::ActiveModel {
        case_id: Set(email.case_id),
        partner_id: Set(email.partner_id),
        invitation_id: Set(email.invitation_id),
        kind: Set(email.kind),
        to_address: Set(email.to_address),
        to_name: Set(email.to_name),
        from_name: Set(email.from_name),
        reply_to: Set(email.reply_to),
        subject: Set(email.content.subject),
        text_body: Set(email.content.text),
        html_body: Set(email.content.html),
        message_id: Set(format!("{unique}@babysteps")),
        status: Set(EmailStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(send_at),
        claimed_at: Set(None),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(now),
        calendar: Set(calendar),
        account_link_id: Set(account_link_id),
        ..Default::default()
    })
    .exec(db)
    .await?
    .last_insert_id;
    Ok(id)
}

/// Claims up to `limit` emails that are due (or whose claim has lapsed) for this worker.
/// On PostgreSQL concurrent claimers skip each other's rows; SQLite runs one sender.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<outbox_emails::Model>, AppError> {
    let lapsed = now - Duration::seconds(CLAIM_LEASE_SECS);
    let backend = db.get_database_backend();
    let lock = if backend == DatabaseBackend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE outbox_emails SET status = 'sending', claimed_at = $1, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM outbox_emails \
           WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND claimed_at < $2) \
           ORDER BY id LIMIT {limit}{lock}) \
         RETURNING *"
    );
    let statement = Statement::from_sql_and_values(backend, sql, [now.into(), lapsed.into()]);
    let mut claimed = outbox_emails::Entity::find().from_raw_sql(statement).all(db).await?;
    claimed.sort_by_key(|row| row.id);
    Ok(claimed)
}

/// Records a delivery and empties the email's bodies and calendar attachment: what was
/// written lives in the recipient's mailbox, not here. Subject, recipient, status and times
/// stay for the therapist's email history.
pub async fn mark_sent(db: &impl ConnectionTrait, id: i32, now: DateTime<Utc>) -> Result<(), AppError> {
    outbox_emails::Entity::update_many()
        .col_expr(outbox_emails::Column::Status, Expr::value(EmailStatus::Sent.as_str()))
        .col_expr(outbox_emails::Column::TextBody, Expr::value(""))
        .col_expr(outbox_emails::Column::HtmlBody, Expr::value(""))
        .col_expr(outbox_emails::Column::Calendar, Expr::value(Option::<String>::None))
        .col_expr(outbox_emails::Column::SentAt, Expr::value(now))
        .col_expr(outbox_emails::Column::ClaimedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(outbox_emails::Column::LastError, Expr::value(Option::<String>::None))
        .filter(outbox_emails::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: retried later, or failed for good when `permanent` or out of
/// attempts. `reason` is shown to the therapist, so it must hold no secrets.
pub async fn mark_attempt_failed(
    db: &impl ConnectionTrait,
    row: &outbox_emails::Model,
    permanent: bool,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<EmailStatus, AppError> {
    let give_up = permanent || row.attempts >= MAX_ATTEMPTS;
    let status = if give_up { EmailStatus::Failed } else { EmailStatus::Pending };
    let reason: String = reason.chars().take(300).collect();
    outbox_emails::Entity::update_many()
        .col_expr(outbox_emails::Column::Status, Expr::value(status.as_str()))
        .col_expr(outbox_emails::Column::NextAttemptAt, Expr::value(now + retry_delay(row.attempts)))
        .col_expr(outbox_emails::Column::ClaimedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(outbox_emails::Column::LastError, Expr::value(Some(reason)))
        .filter(outbox_emails::Column::Id.eq(row.id))
        .exec(db)
        .await?;
    Ok(status)
}

/// The therapist's outbox: emails of their cases, newest first.
pub async fn therapist_outbox(
    db: &impl ConnectionTrait,
    actor: Actor,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<Vec<outbox_emails::Model>, AppError> {
    actor.require_role(Role::Therapist)?;
    super::audit::record(
        db,
        super::audit::AuditEvent {
            actor_user_id: Some(actor.user_id),
            action: super::audit::AuditAction::OutboxViewed,
            record_type: "therapist",
            record_id: actor.user_id.to_string(),
        },
        now,
    )
    .await?;
    let own_cases = cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .filter(cases::Column::TherapistId.eq(actor.user_id))
        .into_query();
    Ok(outbox_emails::Entity::find()
        .filter(outbox_emails::Column::CaseId.in_subquery(own_cases))
        .order_by_desc(outbox_emails::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The email history of one of the therapist's cases, newest first.
pub async fn case_history(
    db: &impl ConnectionTrait,
    case: &OwnedCase,
) -> Result<Vec<outbox_emails::Model>, AppError> {
    Ok(outbox_emails::Entity::find()
        .filter(outbox_emails::Column::CaseId.eq(case.id))
        .order_by_desc(outbox_emails::Column::Id)
        .all(db)
        .await?)
}

/// Whether an address is under the reserved `invalid` top-level domain, which no email
/// can ever reach (sample partners, retired accounts).
pub fn is_unmailable(address: &str) -> bool {
    let address = address.trim().to_ascii_lowercase();
    address.ends_with(".invalid") || address.ends_with("@invalid")
}

/// Whether the case is a sample (false for a case that does not exist).
pub async fn is_sample_case(db: &impl ConnectionTrait, case_id: i32) -> Result<bool, AppError> {
    use crate::entities::cases;
    use sea_orm::QuerySelect;
    let found: Option<bool> = cases::Entity::find_by_id(case_id)
        .select_only()
        .column(cases::Column::IsSample)
        .into_tuple()
        .one(db)
        .await?;
    Ok(found.unwrap_or(false))
}

/// The refusal for an email a therapist would send to a sample couple.
pub const NO_EMAIL: &str = "Sample couples are fictional: nothing is ever emailed to them.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(1), Duration::seconds(30));
        assert_eq!(retry_delay(2), Duration::seconds(60));
        assert_eq!(retry_delay(3), Duration::seconds(120));
        assert_eq!(retry_delay(8), Duration::seconds(3600));
        assert_eq!(retry_delay(100), Duration::seconds(3600));
    }
}
