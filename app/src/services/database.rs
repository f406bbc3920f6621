//! Opening the database and bringing its schema up to date.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
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

/// True when the database answers a trivial query.
pub async fn is_reachable(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}
