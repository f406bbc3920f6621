//! Opening the database and bringing its schema up to date.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr};
use std::time::Duration;

/// Opens a connection pool for `url` (`sqlite://…` or `postgres://…`).
///
/// SQLite is opened in WAL mode with foreign keys on, a busy timeout, and a pool of one
/// connection: SQLite runs one writer at a time anyway, and a single connection means a
/// request waits its turn instead of ever meeting `SQLITE_BUSY`.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        options.max_connections(1).min_connections(1).map_sqlx_sqlite_opts(|sqlite| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            sqlite
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    } else {
        options.max_connections(16).min_connections(1);
    }
    Database::connect(options).await
}

/// Applies every migration not yet applied.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Brings the query planner's statistics up to date where they are missing or stale. On
/// SQLite this is `PRAGMA optimize` over every table, as SQLite advises for a connection
/// that stays open (at start-up, then daily): it analyses only tables that were never
/// analysed or changed much. Without statistics SQLite guessed, for one, that "What's new"
/// should visit each of a therapist's cases rather than the few waiting items. PostgreSQL's
/// autovacuum keeps its statistics itself.
pub async fn refresh_statistics(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        // 0x10000: check every table, not only those this connection used lately; 0x10: with
        // SQLite's own cap on the rows each analysis reads, so a large database does not
        // hold the one connection for long; 0x02: analyse the tables that need it.
        db.execute_unprepared("PRAGMA optimize=0x10012").await?;
    }
    Ok(())
}

/// True when the database answers a trivial query.
pub async fn is_reachable(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}
