//! Records upkeep in the server: the daily job (retention purges, expired rows and the
//! database's statistics) and the operator's `server backup PATH`.

use app::services::{database, erasure, housekeeping};
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use std::{path::Path, time::Duration};
use tokio::sync::watch;

/// How often the records job runs.
pub const DAILY: Duration = Duration::from_secs(24 * 60 * 60);

/// Runs the records job at start-up and then every `every` until `stop` says so: purges the
/// content of closed cases kept past their therapist's retention (with tombstones), then
/// expired sessions, links, throttles and reminder keys, then refreshes the query planner's
/// statistics. Each run is safe to repeat, and
/// several servers may run it at once (a purged case is not purged again).
pub async fn run_daily(db: DatabaseConnection, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        run_once(&db).await;
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(every) => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// One run of the records job; failures are logged and retried at the next run.
pub async fn run_once(db: &DatabaseConnection) {
    let now = Utc::now();
    match erasure::purge_due(db, now).await {
        Ok(0) => {}
        Ok(cases) => tracing::info!(cases, "retention: closed cases purged"),
        Err(error) => tracing::warn!(%error, "retention purge failed; trying again at the next run"),
    }
    match housekeeping::purge_expired(db, now).await {
        Ok(purged) => tracing::info!(
            sessions = purged.sessions,
            pending_sign_ins = purged.pending_sign_ins,
            invitations = purged.invitations,
            reset_links = purged.reset_links,
            account_links = purged.account_links,
            throttles = purged.throttles,
            reminder_keys = purged.reminder_keys,
            "expired rows purged"
        ),
        Err(error) => tracing::warn!(%error, "purging expired rows failed; trying again at the next run"),
    }
    if let Err(error) = database::refresh_statistics(db).await {
        tracing::warn!(%error, "refreshing the database's statistics failed; trying again at the next run");
    }
}

/// What `server backup` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupOutcome {
    /// A SQLite copy was written to the path.
    Written,
    /// The database is PostgreSQL: nothing was written; `pg_dump` is the way.
    UsePgDump,
}

/// Writes a consistent copy of a SQLite database to `path` (which must not exist yet) with
/// `VACUUM INTO`, which reads one snapshot while the server goes on writing. On PostgreSQL
/// nothing is written.
pub async fn backup(db: &DatabaseConnection, path: &Path) -> Result<BackupOutcome, String> {
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        return Ok(BackupOutcome::UsePgDump);
    }
    if path.exists() {
        return Err(format!("{} already exists; choose a new file name", path.display()));
    }
    let text = path.to_str().ok_or("PATH: use a path that is valid UTF-8")?;
    if text.contains('\0') {
        return Err("PATH: not a valid path".to_owned());
    }
    // A string literal: single quotes doubled.
    let literal = text.replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{literal}'"))
        .await
        .map_err(|error| format!("the backup could not be written to {}: {error}", path.display()))?;
    Ok(BackupOutcome::Written)
}

/// What `server backup` prints for PostgreSQL.
pub const PG_DUMP_ADVICE: &str = "This database is PostgreSQL: back it up with pg_dump, e.g. \
     `pg_dump --format=custom --file=babysteps.dump \"$DATABASE_URL\"`, and restore with pg_restore \
     (see the README's \"Backup and restore\"). Nothing was written.";
