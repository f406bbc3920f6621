//! The mail worker: sends what the outbox holds over SMTP, after the transaction that
//! queued it has committed. It retries with backoff, marks permanent failures, and on
//! shutdown finishes the email it is sending before it stops.

use crate::config::{SmtpConfig, SmtpTls};
use app::{
    entities::outbox_emails,
    services::{account::reset, accounts, email, invitations, messages, outbox},
};
use chrono::Utc;
use lettre::{
    message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart},
    transport::smtp::authentication::Credentials,
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use sea_orm::DatabaseConnection;
use std::{sync::Arc, time::Duration};
use tokio::sync::{watch, Notify};

/// Why one send failed, with a reason safe to show the therapist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    /// Retrying cannot help (the server refused the message or address).
    pub permanent: bool,
    /// A short reason without secrets.
    pub reason: String,
    /// The mail server's reply code (550, 451, …), when it answered with one.
    pub smtp_code: Option<u16>,
}

/// Something that can deliver one message: SMTP in production, a fake in tests.
pub trait Sender: Send + Sync + 'static {
    /// Delivers the message or says why not.
    fn send(&self, message: Message) -> impl std::future::Future<Output = Result<(), SendFailure>> + Send;
}

/// The secret link of an email being sent.
enum SecretLink {
    /// The email carries no secret.
    None,
    /// A fresh link, minted for this send.
    Minted(String),
    /// The secret can no longer be used: the email fails with this reason.
    Unusable(&'static str),
}

/// Delivers over SMTP with lettre.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpSender {
    /// Builds the transport from the configuration.
    pub fn new(config: &SmtpConfig) -> Result<Self, String> {
        let builder = match config.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                .map_err(|error| format!("SMTP_HOST: {error}"))?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|error| format!("SMTP_HOST: {error}"))?,
        };
        let mut builder = builder.port(config.port).timeout(Some(Duration::from_secs(30)));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self { transport: builder.build() })
    }
}

impl Sender for SmtpSender {
    async fn send(&self, message: Message) -> Result<(), SendFailure> {
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(error) => {
                let permanent = error.is_permanent();
                let reason = if permanent {
                    "The mail server refused this email (check the address)."
                } else if error.is_transient() {
                    "The mail server asked us to try again later."
                } else {
                    "Could not reach the mail server."
                };
                // The error's text is not logged: a refusal quotes the recipient's address.
                let smtp_code = error.status().map(u16::from);
                Err(SendFailure { permanent, reason: reason.to_owned(), smtp_code })
            }
        }
    }
}

/// The worker's settings.
pub struct MailWorker<S> {
    /// Where the outbox lives.
    pub db: DatabaseConnection,
    /// How messages are delivered.
    pub sender: S,
    /// The From address (its display name is replaced by the therapist's).
    pub from: Mailbox,
    /// Links in emails start with this.
    pub public_base_url: String,
    /// Wakes the worker when something is queued.
    pub wakeup: Arc<Notify>,
    /// How often to look for due retries when nothing wakes it.
    pub poll_interval: Duration,
}

impl<S: Sender> MailWorker<S> {
    /// Sends due emails until `shutdown` turns true; a send in progress is finished first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!("mail worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.send_due(&shutdown).await {
                Ok(0) => {}
                Ok(sent) => tracing::debug!(sent, "mail worker pass"),
                Err(error) => tracing::error!(?error, "mail worker pass failed"),
            }
            tokio::select! {
                () = self.wakeup.notified() => {}
                () = tokio::time::sleep(self.poll_interval) => {}
                _ = shutdown.changed() => {}
            }
        }
        tracing::info!("mail worker stopped");
    }

    /// One pass: claims due emails and tries each once. Returns how many were delivered.
    pub async fn send_due(&self, shutdown: &watch::Receiver<bool>) -> Result<usize, app::error::AppError> {
        let mut delivered = 0;
        loop {
            let claimed = outbox::claim_due(&self.db, 10, Utc::now()).await?;
            if claimed.is_empty() {
                return Ok(delivered);
            }
            for row in claimed {
                if *shutdown.borrow() {
                    // Unsent claims lapse and are taken over after the lease.
                    return Ok(delivered);
                }
                if self.deliver(&row).await? {
                    delivered += 1;
                }
            }
        }
    }

    async fn deliver(&self, row: &outbox_emails::Model) -> Result<bool, app::error::AppError> {
        let now = Utc::now();
        // Consultation links are minted now too; only their SHA-256 is stored.
        let (text_body, html_body) = messages::mint_consultation_links(&self.db, row).await?;
        let (text, html) = match self.secret_link(row, now).await? {
            SecretLink::Minted(link) => {
                (email::with_link(&text_body, &link), email::with_link(&html_body, &link))
            }
            SecretLink::Unusable(reason) => {
                outbox::mark_attempt_failed(&self.db, row, true, reason, now).await?;
                return Ok(false);
            }
            // No secret: the link is the app's own address.
            SecretLink::None => (
                email::with_link(&text_body, &self.public_base_url),
                email::with_link(&html_body, &self.public_base_url),
            ),
        };
        let message = match self.build_message(row, text, html) {
            Ok(message) => message,
            Err(reason) => {
                outbox::mark_attempt_failed(&self.db, row, true, &reason, now).await?;
                return Ok(false);
            }
        };
        match self.sender.send(message).await {
            Ok(()) => {
                outbox::mark_sent(&self.db, row.id, Utc::now()).await?;
                tracing::info!(email_id = row.id, kind = row.kind.as_str(), "email delivered");
                Ok(true)
            }
            Err(failure) => {
                let status = outbox::mark_attempt_failed(
                    &self.db,
                    row,
                    failure.permanent,
                    &failure.reason,
                    Utc::now(),
                )
                .await?;
                // Never the recipient: the outbox id leads to them for whoever may see it.
                tracing::warn!(
                    email_id = row.id,
                    smtp_code = failure.smtp_code,
                    permanent = failure.permanent,
                    reason = failure.reason,
                    attempts = row.attempts,
                    status = status.as_str(),
                    "email delivery failed"
                );
                Ok(false)
            }
        }
    }

    /// Mints the secret link an email carries (an invitation, an account link, a password
    /// reset), now that
    /// it is being sent.
    async fn secret_link(
        &self,
        row: &outbox_emails::Model,
        now: chrono::DateTime<Utc>,
    ) -> Result<SecretLink, app::error::AppError> {
        if let Some(invitation_id) = row.invitation_id {
            return Ok(match invitations::mint_token(&self.db, invitation_id, now).await? {
                Some(token) => {
                    SecretLink::Minted(format!("{}{}", self.public_base_url, invitations::link_path(&token)))
                }
                None => SecretLink::Unusable("The invitation was revoked or expired before it was sent."),
            });
        }
        if let Some(link_id) = row.account_link_id {
            return Ok(match accounts::mint_link_token(&self.db, link_id, now).await? {
                Some((purpose, token)) => SecretLink::Minted(format!(
                    "{}{}",
                    self.public_base_url,
                    accounts::link_path(purpose, &token)
                )),
                None => SecretLink::Unusable("The link expired before it was sent."),
            });
        }
        if row.kind == outbox::EmailKind::PasswordReset {
            return Ok(match reset::mint_token(&self.db, row.id, now).await? {
                Some(token) => {
                    SecretLink::Minted(format!("{}{}", self.public_base_url, reset::link_path(&token)))
                }
                None => SecretLink::Unusable(
                    "The password reset link expired or was replaced before it was sent.",
                ),
            });
        }
        Ok(SecretLink::None)
    }

    fn build_message(
        &self,
        row: &outbox_emails::Model,
        text: String,
        html: String,
    ) -> Result<Message, String> {
        let from = Mailbox::new(Some(row.from_name.clone()), self.from.email.clone());
        let to: Mailbox = format!("{} <{}>", row.to_name.replace(['<', '>', '"'], ""), row.to_address)
            .parse()
            .map_err(|_| "The recipient's address is not valid.".to_owned())?;
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(format!("<{}>", row.message_id)));
        if let Some(reply_to) = &row.reply_to {
            if let Ok(reply_to) = reply_to.parse::<Mailbox>() {
                builder = builder.reply_to(reply_to);
            }
        }
        let alternative = MultiPart::alternative()
            .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text))
            .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html));
        let body = match &row.calendar {
            // A calendar invitation travels as an attached .ics file.
            // Its MIME method follows the file's own METHOD (a cancellation is CANCEL).
            Some(calendar) => {
                let method = if calendar.contains("\r\nMETHOD:CANCEL\r\n") { "CANCEL" } else { "REQUEST" };
                let content_type =
                    ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                        .map_err(|_| "The calendar invitation could not be attached.".to_owned())?;
                MultiPart::mixed().multipart(alternative).singlepart(
                    Attachment::new("invitation.ics".to_owned()).body(calendar.clone(), content_type),
                )
            }
            None => alternative,
        };
        builder.multipart(body).map_err(|_| "The email could not be put together.".to_owned())
    }
}

/// Plans automatic emails once a minute until `stop` says so, then wakes the mail worker.
/// Each run is safe to repeat: every automatic email has an idempotency key.
pub async fn plan_reminders(
    db: sea_orm::DatabaseConnection,
    wakeup: std::sync::Arc<tokio::sync::Notify>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match app::services::reminders::run_due(&db, Utc::now()).await {
            Ok(0) => {}
            Ok(queued) => {
                tracing::info!(queued, "automatic emails queued");
                wakeup.notify_one();
            }
            Err(error) => {
                tracing::warn!(%error, "planning automatic emails failed; trying again in a minute")
            }
        }
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}
