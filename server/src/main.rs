//! `server`: starts Babysteps; `server invite-therapist EMAIL` creates a therapist account
//! for the operator; `server backup PATH` copies a SQLite database while it runs.
//! Configuration comes from the environment (`server --help`).

use server::{
    config::{help_text, Config},
    mail::{MailWorker, SmtpSender},
};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::args().skip(1).any(|arg| arg == "--help" || arg == "-h") {
        print!("{}", help_text());
        return ExitCode::SUCCESS;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();

    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.as_slice() {
        [] => run(config).await,
        [command, email] if command == "invite-therapist" => invite_therapist(&config, email).await,
        [command, path] if command == "backup" => backup(&config, path).await,
        _ => Err("unknown command; see `server --help`".into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let db = server::open_database(&config).await?;
    let sealing_key = server::sealing_key(&config)?;
    server::seal_stored_secrets(&db, &sealing_key).await?;
    let state = server::app_state(&config, db.clone(), sealing_key);
    let (stop_worker, worker_stopped) = tokio::sync::watch::channel(false);
    let worker = match &config.smtp {
        Some(smtp) => {
            tracing::info!(host = %smtp.host, port = smtp.port, "email goes out through SMTP");
            let worker = MailWorker {
                db: db.clone(),
                sender: SmtpSender::new(smtp)?,
                from: smtp.from.parse().map_err(|_| "SMTP_FROM: not a valid address")?,
                public_base_url: config.public_base_url.clone(),
                wakeup: state.mail.wakeup.clone(),
                poll_interval: std::time::Duration::from_secs(15),
            };
            Some(tokio::spawn(worker.run(worker_stopped)))
        }
        None => {
            tracing::info!("no SMTP_HOST set: email waits in the outbox");
            None
        }
    };
    // Automatic emails are planned from what is stored, once a minute (restart-safe).
    let planner = tokio::spawn(server::mail::plan_reminders(
        db.clone(),
        state.mail.wakeup.clone(),
        worker_stopped_for_planner(&stop_worker),
    ));
    // Retention purges and expired rows, at start-up and then daily.
    let records = tokio::spawn(server::records::run_daily(
        db.clone(),
        server::records::DAILY,
        worker_stopped_for_planner(&stop_worker),
    ));
    let listener = tokio::net::TcpListener::bind(config.listen_addr)
        .await
        .map_err(|error| format!("LISTEN_ADDR: cannot listen on {} ({error})", config.listen_addr))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, public = %config.public_base_url, "Babysteps is listening");
    let app = server::router(&config, state);
    server::serve(listener, app, shutdown_signal()).await?;
    // Requests are finished; let the mail worker finish the email it is sending.
    let _ = stop_worker.send(true);
    let _ = planner.await;
    let _ = records.await;
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    db.close().await?;
    tracing::info!("stopped");
    Ok(())
}

/// Creates a therapist account for `email` and emails them a link to set it up, or, when no
/// SMTP server is configured, prints that link for the operator to pass on. The link's token
/// is shown only there, never logged.
async fn invite_therapist(config: &Config, email: &str) -> Result<(), Box<dyn std::error::Error>> {
    let email = app::domain::EmailAddress::parse(email).map_err(|invalid| format!("EMAIL: {}", invalid.0))?;
    let db = server::open_database(config).await?;
    let now = chrono::Utc::now();
    let emailed = config.smtp.is_some();
    let invited = app::services::accounts::invite_therapist(&db, &email, emailed, now).await?;
    if emailed {
        println!(
            "Invited {}: an email with a link to set up the account is queued; the server sends it \
             (the link works once, for {} days).",
            email.as_str(),
            app::services::accounts::INVITE_LINK_DAYS
        );
    } else {
        let (purpose, token) = app::services::accounts::mint_link_token(&db, invited.link_id, now)
            .await?
            .ok_or("the new link could not be made")?;
        println!(
            "Created a therapist account for {}. No SMTP_HOST is set, so nothing was emailed: give them \
             this link yourself (it works once, for {} days):\n{}{}",
            email.as_str(),
            app::services::accounts::INVITE_LINK_DAYS,
            config.public_base_url,
            app::services::accounts::link_path(purpose, &token)
        );
    }
    db.close().await?;
    Ok(())
}

/// Writes a consistent copy of the SQLite database to `path` while the server may be
/// running; on PostgreSQL, says that `pg_dump` is the way (exit status 1).
async fn backup(config: &Config, path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let db = server::open_database(config).await?;
    let outcome = server::records::backup(&db, std::path::Path::new(path)).await;
    db.close().await?;
    match outcome? {
        server::records::BackupOutcome::Written => {
            println!("Backed up the database to {path} (a consistent copy; see the README to restore it).");
            Ok(())
        }
        server::records::BackupOutcome::UsePgDump => Err(server::records::PG_DUMP_ADVICE.into()),
    }
}

/// Another receiver of the stop signal, for the reminder planner and the records job.
fn worker_stopped_for_planner(stop: &tokio::sync::watch::Sender<bool>) -> tokio::sync::watch::Receiver<bool> {
    stop.subscribe()
}

/// Completes on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
