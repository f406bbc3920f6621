//! Records upkeep in the server: after the mail worker sends a follow-up with consultation
//! times, no table holds a usable consultation token and no sent email keeps its body (on
//! SQLite and PostgreSQL); `server backup` writes a SQLite copy that opens as the database
//! and lets its accounts sign in; on PostgreSQL it writes nothing and points to pg_dump.

use crate::support;

use app::{
    entities::outbox_emails,
    services::{
        accounts::{self, SignInAttempt},
        messages,
    },
};
use chrono::Utc;
use lettre::Message;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, Statement};
use server::mail::{MailWorker, SendFailure, Sender};
use std::{sync::Arc, time::Duration};
use support::{case_with_clients, start_server_on, therapist, Backend, PASSWORD};
use tokio::sync::{watch, Notify};

/// Keeps every message it is given, as sent.
struct RecordingSender(Arc<std::sync::Mutex<Vec<String>>>);

impl Sender for RecordingSender {
    async fn send(&self, message: Message) -> Result<(), SendFailure> {
        self.0.lock().unwrap().push(String::from_utf8_lossy(&message.formatted()).into_owned());
        Ok(())
    }
}

/// Every text column of every table: `(table, column)`.
async fn text_columns(db: &DatabaseConnection) -> Vec<(String, String)> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
             WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character')"
        }
        _ => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND (upper(p.type) LIKE '%CHAR%' OR upper(p.type) LIKE '%TEXT%' \
             OR upper(p.type) LIKE '%CLOB%' OR p.type = '')"
        }
    };
    let rows = db.query_all_raw(Statement::from_string(backend, sql)).await.unwrap();
    rows.iter()
        .map(|row| (row.try_get::<String>("", "t").unwrap(), row.try_get::<String>("", "c").unwrap()))
        .collect()
}

/// The `(table, column)` pairs where some row's text contains `needle`.
async fn columns_containing(db: &DatabaseConnection, needle: &str) -> Vec<(String, String)> {
    let backend = db.get_database_backend();
    let columns = text_columns(db).await;
    assert!(columns.iter().any(|(t, c)| t == "outbox_emails" && c == "text_body"), "{columns:?}");
    let mut found = Vec::new();
    for (table, column) in columns {
        let test = match backend {
            DatabaseBackend::Postgres => format!("strpos(\"{column}\", $1) > 0"),
            _ => format!("instr(\"{column}\", $1) > 0"),
        };
        let sql = format!("SELECT COUNT(*) AS n FROM \"{table}\" WHERE {test}");
        let row = db
            .query_one_raw(Statement::from_sql_and_values(backend, sql, [needle.into()]))
            .await
            .unwrap()
            .unwrap();
        if row.try_get::<i64>("", "n").unwrap() > 0 {
            found.push((table, column));
        }
    }
    found
}

async fn no_consultation_token_is_stored(backend: Backend, name: &str) {
    let server = start_server_on(name, backend, &[]).await;
    let db = server.db.clone();
    let owner = therapist(&db, "owner@example.org").await;
    let emails = ["alex@example.org", "sam@example.org"];
    let (case_id, _, _) = case_with_clients(&db, owner, "Alex & Sam", ["Alex", "Sam"], emails, &emails).await;
    let follow_up = messages::FollowUp {
        recipients: app::domain::homework::Recipients::Both,
        subject: "Checking in".into(),
        body: "Hello {first_name}.".into(),
        progress_summary: String::new(),
        send_at: None,
        times: vec![Utc::now() + chrono::Duration::days(30)],
    };
    messages::send_follow_up(&db, owner, case_id, follow_up, Utc::now()).await.unwrap();

    let sent = Arc::new(std::sync::Mutex::new(Vec::new()));
    let worker = MailWorker {
        db: db.clone(),
        sender: RecordingSender(sent.clone()),
        from: "Babysteps <no-reply@babysteps.test>".parse().unwrap(),
        public_base_url: "http://127.0.0.1:3000".to_owned(),
        wakeup: Arc::new(Notify::new()),
        poll_interval: Duration::from_secs(60),
    };
    let (_stop, running) = watch::channel(false);
    worker.send_due(&running).await.unwrap();
    let sent = sent.lock().unwrap().clone();
    let follow_ups: Vec<&String> = sent.iter().filter(|m| m.contains("Checking in")).collect();
    assert_eq!(follow_ups.len(), 2, "both partners got the follow-up");
    for message in follow_ups {
        // Undo quoted-printable's soft line breaks; a token has no `=` of its own.
        let unfolded = message.replace("=\r\n", "");
        let start = unfolded.find("http://127.0.0.1:3000/consult/").expect("a consultation link") + 30;
        let link: String = unfolded[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let (_, secret) = link.split_once('-').unwrap();
        assert_eq!(secret.len(), 43, "{link}");
        // The link works …
        let offered = messages::slot_link(&db, &link, Utc::now()).await.unwrap();
        assert_eq!(offered.state, messages::SlotLinkState::Open);
        // … and no text column of any table holds its secret.
        assert_eq!(columns_containing(&db, secret).await, Vec::<(String, String)>::new());
    }
    for row in outbox_emails::Entity::find().all(&db).await.unwrap() {
        if row.status.as_str() == "sent" {
            assert!(row.text_body.is_empty() && row.html_body.is_empty() && row.calendar.is_none());
            assert!(!row.subject.is_empty() && !row.to_address.is_empty() && row.sent_at.is_some());
        }
    }
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_consultation_token_is_stored_on_sqlite() {
    no_consultation_token_is_stored(Backend::Sqlite, "records_token").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_consultation_token_is_stored_on_postgres() {
    no_consultation_token_is_stored(Backend::Postgres, "records_token").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_opens_as_the_database_and_its_accounts_sign_in() {
    let server = start_server_on("records_backup", Backend::Sqlite, &[]).await;
    let db = server.db.clone();
    let owner = therapist(&db, "owner@example.org").await;
    let emails = ["alex@example.org", "sam@example.org"];
    case_with_clients(&db, owner, "Backed-up couple", ["Alex", "Sam"], emails, &emails[..1]).await;
    let path = std::env::temp_dir().join(format!("bs_backup_{}.db", std::process::id()));
    std::fs::remove_file(&path).ok();

    // The server keeps its connection open (and may write) while the copy is made.
    assert_eq!(server::records::backup(&db, &path).await.unwrap(), server::records::BackupOutcome::Written);
    let again = server::records::backup(&db, &path).await.unwrap_err();
    assert!(again.contains("already exists"), "{again}");

    let restored = app::services::database::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open the backup");
    app::services::database::migrate(&restored).await.expect("the backup is a current schema");
    let address = "192.0.2.7".parse().unwrap();
    for email in ["owner@example.org", "alex@example.org"] {
        let attempt = SignInAttempt { email, password: PASSWORD, client_address: address };
        accounts::sign_in(&restored, attempt, Utc::now()).await.expect("signs in from the backup");
    }
    let cases = app::entities::cases::Entity::find().all(&restored).await.unwrap();
    assert_eq!(cases.iter().map(|c| c.label.as_str()).collect::<Vec<_>>(), ["Backed-up couple"]);
    restored.close().await.ok();
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_the_backup_command_points_to_pg_dump() {
    let server = start_server_on("records_pg_backup", Backend::Postgres, &[]).await;
    let path = std::env::temp_dir().join(format!("bs_pg_backup_{}.db", std::process::id()));
    let outcome = server::records::backup(&server.db, &path).await.unwrap();
    assert_eq!(outcome, server::records::BackupOutcome::UsePgDump);
    assert!(!path.exists(), "nothing is written");
    assert!(server::records::PG_DUMP_ADVICE.contains("pg_dump"));
    server.finish().await;
}
