//! The mail worker against a real SMTP server (maildev, from end2end/node_modules) on
//! loopback, against one that refuses every recipient, and against a sender that fails on
//! purpose; and the log never names a recipient.

mod support;

use app::{
    domain::outbox::EmailStatus,
    entities::outbox_emails,
    services::{
        accounts::TherapistSignUp,
        cases::{self, CaseDraft, PartnerFields},
        invitations::{self, InvitationLookup},
        tokens::SecretToken,
        Actor,
    },
};
use chrono::Utc;
use lettre::Message;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};
use server::{
    config::{Config, SmtpConfig, SmtpTls},
    mail::{MailWorker, SendFailure, Sender, SmtpSender},
};
use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};
use tokio::sync::{watch, Notify};

const PASSWORD: &str = "a calm and quiet river";

/// The tests here run one at a time: the log test's subscriber is per thread, and tracing
/// caches per call site whether anyone listens, so a worker logging in a parallel test
/// can make the log test miss its line.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn database(name: &str) -> (DatabaseConnection, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!("bs_mail_{}_{name}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
    let vars = HashMap::from([("DATABASE_URL".to_owned(), format!("sqlite://{}", path.display()))]);
    let config = Config::from_vars(&vars).unwrap();
    (server::open_database(&config).await.unwrap(), path)
}

/// A therapist with one case whose two partners have both been invited.
async fn two_invitations(db: &DatabaseConnection) -> Actor {
    let form = TherapistSignUp::parse("Dr Ana Ruiz", "ana@example.org", PASSWORD).unwrap();
    let therapist = support::verified_therapist(db, form, Utc::now()).await;
    let fields =
        |first_name, email| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks: "unsure" };
    let draft = CaseDraft::parse(
        "Alex & Sam",
        "no_secrets",
        fields("Alex", "alex@example.org"),
        fields("Sam", "sam@example.org"),
    )
    .unwrap();
    let case_id = cases::create_case(db, therapist, draft, Utc::now()).await.unwrap();
    for partner in app::services::access::partners_of(db, case_id).await.unwrap() {
        invitations::invite(db, therapist, case_id, partner.id, Utc::now()).await.unwrap();
    }
    therapist
}

fn worker<S: Sender>(db: &DatabaseConnection, sender: S) -> MailWorker<S> {
    MailWorker {
        db: db.clone(),
        sender,
        from: "Babysteps <no-reply@babysteps.test>".parse().unwrap(),
        public_base_url: "http://127.0.0.1:3000".to_owned(),
        wakeup: Arc::new(Notify::new()),
        poll_interval: Duration::from_secs(60),
    }
}

/// Makes every waiting email due now, as if its backoff had passed.
async fn skip_backoff(db: &DatabaseConnection) {
    db.execute_unprepared("UPDATE outbox_emails SET next_attempt_at = '2000-01-01T00:00:00+00:00'")
        .await
        .unwrap();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// maildev on loopback, stopped when dropped.
struct MailDev {
    child: Child,
    web_port: u16,
}

impl MailDev {
    fn start(smtp_port: u16) -> Self {
        let binary =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/node_modules/.bin/maildev");
        assert!(binary.exists(), "maildev is missing: run `make test` (it installs end2end's npm packages)");
        let web_port = free_port();
        let child = Command::new(binary)
            .args(["--smtp", &smtp_port.to_string(), "--ip", "127.0.0.1"])
            .args(["--web", &web_port.to_string(), "--web-ip", "127.0.0.1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start maildev");
        Self { child, web_port }
    }

    async fn wait_until_ready(&self) {
        for _ in 0..100 {
            if reqwest::get(format!("http://127.0.0.1:{}/api/healthz", self.web_port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("maildev did not start");
    }

    async fn source(&self, id: &str) -> String {
        let url = format!("http://127.0.0.1:{}/api/email/{id}/source", self.web_port);
        reqwest::get(url).await.unwrap().text().await.unwrap()
    }

    async fn emails(&self) -> Vec<serde_json::Value> {
        reqwest::get(format!("http://127.0.0.1:{}/api/email", self.web_port))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

impl Drop for MailDev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn smtp_down_then_up_delivers_every_email_once() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let (db, _path) = database("down_then_up").await;
    two_invitations(&db).await;
    let smtp_port = free_port();
    let smtp = SmtpConfig {
        host: "127.0.0.1".into(),
        port: smtp_port,
        tls: SmtpTls::None,
        credentials: None,
        from: "Babysteps <no-reply@babysteps.test>".into(),
    };
    let worker = worker(&db, SmtpSender::new(&smtp).unwrap());
    let (_stop, running) = watch::channel(false);

    // Nothing listens yet: both emails wait for a retry, with a reason for the therapist.
    assert_eq!(worker.send_due(&running).await.unwrap(), 0);
    let waiting = outbox_emails::Entity::find().all(&db).await.unwrap();
    assert!(waiting
        .iter()
        .all(|row| row.status == EmailStatus::Pending && row.attempts == 1 && row.last_error.is_some()));

    let maildev = MailDev::start(smtp_port);
    maildev.wait_until_ready().await;
    skip_backoff(&db).await;
    assert_eq!(worker.send_due(&running).await.unwrap(), 2);
    skip_backoff(&db).await;
    assert_eq!(worker.send_due(&running).await.unwrap(), 0, "nothing is sent twice");

    let received = maildev.emails().await;
    assert_eq!(received.len(), 2);
    let stored = outbox_emails::Entity::find().all(&db).await.unwrap();
    for email in &received {
        assert_eq!(email["subject"], "Your invitation to Babysteps");
        let text = email["text"].as_str().unwrap();
        let message_id = email["headers"]["message-id"].as_str().unwrap();
        assert!(stored.iter().any(|row| format!("<{}>", row.message_id) == message_id), "stable Message-ID");
        assert_eq!(email["from"][0]["name"], "Dr Ana Ruiz");
        let source = maildev.source(email["id"].as_str().unwrap()).await;
        assert!(source.contains("Reply-To: ana@example.org"), "replies go to the therapist: {source}");
        assert!(source.contains("multipart/alternative"), "plain text and HTML parts");
        assert!(
            email["html"].as_str().is_some_and(|html| html.contains("/join/")),
            "an HTML part with the link"
        );
        // The link in the email works.
        let token = text.split("/join/").nth(1).unwrap().split_whitespace().next().unwrap();
        let lookup = invitations::lookup(&db, &SecretToken::from_text(token), Utc::now()).await.unwrap();
        assert!(matches!(lookup, InvitationLookup::Valid(_)), "{lookup:?}");
        for clinical in ["therapy", "intimacy", "resentment"] {
            assert!(!text.to_lowercase().contains(clinical));
        }
    }
    assert!(stored.iter().all(|row| row.status == EmailStatus::Sent && row.sent_at.is_some()));
}

/// Fails the first `failures` sends, then succeeds; counts deliveries.
struct FlakySender {
    failures: usize,
    calls: Arc<AtomicUsize>,
    delivered: Arc<AtomicUsize>,
    delay: Duration,
}

impl Sender for FlakySender {
    async fn send(&self, _message: Message) -> Result<(), SendFailure> {
        tokio::time::sleep(self.delay).await;
        if self.calls.fetch_add(1, Ordering::SeqCst) < self.failures {
            return Err(SendFailure {
                permanent: false,
                reason: "Could not reach the mail server.".into(),
                smtp_code: None,
            });
        }
        self.delivered.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test]
async fn failing_then_recovering_gives_exactly_one_delivery_each() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let (db, _path) = database("flaky").await;
    two_invitations(&db).await;
    let delivered = Arc::new(AtomicUsize::new(0));
    let sender = FlakySender {
        failures: 3,
        calls: Arc::default(),
        delivered: delivered.clone(),
        delay: Duration::ZERO,
    };
    let worker = worker(&db, sender);
    let (_stop, running) = watch::channel(false);
    for _ in 0..5 {
        worker.send_due(&running).await.unwrap();
        skip_backoff(&db).await;
    }
    assert_eq!(delivered.load(Ordering::SeqCst), 2);
    let rows = outbox_emails::Entity::find().all(&db).await.unwrap();
    assert!(rows.iter().all(|row| row.status == EmailStatus::Sent));
    assert_eq!(rows.iter().map(|row| row.attempts).sum::<i32>(), 5, "three failures and two deliveries");
}

#[tokio::test]
async fn on_shutdown_the_email_being_sent_is_finished() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let (db, _path) = database("shutdown").await;
    two_invitations(&db).await;
    let delivered = Arc::new(AtomicUsize::new(0));
    let sender = FlakySender {
        failures: 0,
        calls: Arc::default(),
        delivered: delivered.clone(),
        delay: Duration::from_millis(400),
    };
    let (stop, running) = watch::channel(false);
    let task = tokio::spawn(worker(&db, sender).run(running));
    tokio::time::sleep(Duration::from_millis(150)).await;
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), task).await.expect("worker stops").unwrap();
    // The first send was under way and finished; the second was not started.
    assert_eq!(delivered.load(Ordering::SeqCst), 1);
    let rows = outbox_emails::Entity::find().all(&db).await.unwrap();
    assert_eq!(rows.iter().filter(|row| row.status == EmailStatus::Sent).count(), 1);
}

/// An SMTP server on loopback that refuses every recipient, quoting the address as real
/// servers do. Returns its port.
async fn refusing_smtp_server() -> u16 {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 refusing.test ESMTP\r\n").await.ok();
                while let Ok(Some(line)) = lines.next_line().await {
                    let command = line.to_ascii_uppercase();
                    let reply = if command.starts_with("RCPT") {
                        let address = line.split_once(':').map_or("", |(_, address)| address.trim());
                        format!("550 5.1.1 {address}: Recipient address rejected\r\n")
                    } else if command.starts_with("QUIT") {
                        "221 Bye\r\n".to_owned()
                    } else {
                        "250 OK\r\n".to_owned()
                    };
                    if write.write_all(reply.as_bytes()).await.is_err() || command.starts_with("QUIT") {
                        break;
                    }
                }
            });
        }
    });
    port
}

/// Collects what the log would print.
#[derive(Clone, Default)]
struct LogCapture(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogCapture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_refusal_is_logged_with_its_smtp_code_and_outbox_id_never_the_recipient() {
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let log = LogCapture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer({
            let log = log.clone();
            move || log.clone()
        })
        .finish();
    // A current-thread runtime: everything the worker and lettre do is logged here.
    let _logging = tracing::subscriber::set_default(subscriber);
    let (db, _path) = database("refused").await;
    two_invitations(&db).await;
    let smtp = SmtpConfig {
        host: "127.0.0.1".to_owned(),
        port: refusing_smtp_server().await,
        tls: SmtpTls::None,
        credentials: None,
        from: "Babysteps <no-reply@babysteps.test>".to_owned(),
    };
    let worker = worker(&db, SmtpSender::new(&smtp).unwrap());
    let (_stop, running) = watch::channel(false);
    assert_eq!(worker.send_due(&running).await.unwrap(), 0);

    let rows = outbox_emails::Entity::find().all(&db).await.unwrap();
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row.status, EmailStatus::Failed, "a refusal is permanent");
        let line = text
            .lines()
            .find(|line| line.contains(&format!("email_id={}", row.id)))
            .unwrap_or_else(|| panic!("a log line for email {}:\n{text}", row.id));
        assert!(line.contains("smtp_code=550"), "{line}");
        assert!(!text.contains(&row.to_address), "the recipient is in the log:\n{text}");
    }
}

/// The text of every `tracing::…!(…)` call in the Rust files below `dir`.
fn log_calls(dir: &std::path::Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            log_calls(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for level in ["trace", "debug", "info", "warn", "error"] {
                for (at, _) in text.match_indices(&format!("tracing::{level}!(")) {
                    let call: String = text[at..].chars().take_while(|c| *c != ';').collect();
                    found.push(format!("{}: {call}", path.display()));
                }
            }
        }
    }
}

#[test]
fn no_log_call_names_a_recipient() {
    let mut calls = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    log_calls(&root.join("src"), &mut calls);
    log_calls(&root.join("../app/src"), &mut calls);
    assert!(calls.len() > 10, "the log calls were found: {calls:?}");
    for call in calls {
        for word in ["to_address", "to_name", "recipient", ".email"] {
            assert!(!call.contains(word), "a log call names a recipient: {call}");
        }
    }
}

/// Keeps every message it is given, as sent.
struct RecordingSender(Arc<std::sync::Mutex<Vec<String>>>);

impl Sender for RecordingSender {
    async fn send(&self, message: Message) -> Result<(), SendFailure> {
        self.0.lock().unwrap().push(String::from_utf8_lossy(&message.formatted()).into_owned());
        Ok(())
    }
}

#[tokio::test]
async fn a_password_reset_link_is_minted_only_as_its_email_is_sent() {
    use app::services::account::reset;
    let _one_at_a_time = ONE_AT_A_TIME.lock().await;
    let (db, _path) = database("reset").await;
    two_invitations(&db).await;
    reset::request_reset(&db, "ana@example.org", "192.0.2.1".parse().unwrap(), Utc::now()).await.unwrap();
    let queued = outbox_emails::Entity::find().all(&db).await.unwrap();
    let reset_row = queued.iter().find(|row| row.kind.as_str() == "password_reset").expect("queued");
    assert!(!reset_row.text_body.contains("/reset-password/"), "no link in the outbox");

    let sent = Arc::new(std::sync::Mutex::new(Vec::new()));
    let worker = worker(&db, RecordingSender(sent.clone()));
    let (_stop, running) = watch::channel(false);
    assert_eq!(worker.send_due(&running).await.unwrap(), 3);
    let sent = sent.lock().unwrap().clone();
    let message = sent.iter().find(|m| m.contains("Your Babysteps password")).expect("the reset email");
    // Undo quoted-printable's soft line breaks; a token has no `=` of its own.
    let unfolded = message.replace("=\r\n", "");
    let start = unfolded.find("http://127.0.0.1:3000/reset-password/").expect("a reset link") + 37;
    let token: String = unfolded[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(token.len(), 43, "{token}");
    let token = SecretToken::from_text(&token);
    assert_eq!(reset::check_link(&db, &token, Utc::now()).await.unwrap(), reset::ResetLink::Valid);
    let stored = outbox_emails::Entity::find_by_id(reset_row.id).one(&db).await.unwrap().unwrap();
    assert!(!stored.text_body.contains(token.expose()) && stored.status == EmailStatus::Sent);
}
