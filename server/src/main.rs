//! `server`: starts Babysteps. Configuration comes from the environment (`server --help`).

use server::config::{help_text, Config};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::args()
        .skip(1)
        .any(|arg| arg == "--help" || arg == "-h")
    {
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
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let db = server::open_database(&config).await?;
    match &config.smtp {
        Some(smtp) => {
            tracing::info!(host = %smtp.host, port = smtp.port, "email goes out through SMTP")
        }
        None => tracing::info!("no SMTP_HOST set: email waits in the outbox"),
    }
    let listener = tokio::net::TcpListener::bind(config.listen_addr)
        .await
        .map_err(|error| {
            format!(
                "LISTEN_ADDR: cannot listen on {} ({error})",
                config.listen_addr
            )
        })?;
    let address = listener.local_addr()?;
    tracing::info!(%address, public = %config.public_base_url, "Babysteps is listening");
    let app = server::router(&config, db.clone());
    server::serve(listener, app, shutdown_signal()).await?;
    db.close().await?;
    tracing::info!("stopped");
    Ok(())
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
