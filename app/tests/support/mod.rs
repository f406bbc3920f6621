//! Test databases: each test gets its own fresh, migrated database — a temporary SQLite
//! file, or a uniquely named PostgreSQL database. PostgreSQL must be reachable: a test that
//! cannot reach it fails, it never skips.

#![allow(dead_code)]

pub mod fixtures;
pub mod test_files;

use app::services::database;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use std::sync::atomic::{AtomicU32, Ordering};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    /// A temporary SQLite file.
    Sqlite,
    /// A new database on the local PostgreSQL server.
    Postgres,
}

/// A fresh database that is removed by [`TestDb::finish`].
pub struct TestDb {
    /// The connection to use.
    pub db: DatabaseConnection,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Database { server_url: String, name: String },
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("bs_test_{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst), nanos)
}

/// The PostgreSQL server tests use (`TEST_POSTGRES_URL`, default the local server).
pub fn postgres_server_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// Creates and migrates a fresh database on `backend`.
pub async fn fresh(backend: Backend) -> TestDb {
    let name = unique_name();
    match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            let db = database::connect(&format!("sqlite://{}", path.display())).await.expect("open sqlite");
            database::migrate(&db).await.expect("migrate sqlite");
            TestDb { db, cleanup: Cleanup::File(path) }
        }
        Backend::Postgres => {
            let server_url = postgres_server_url();
            let admin = Database::connect(format!("{server_url}/postgres"))
                .await
                .expect("PostgreSQL must be reachable for the PostgreSQL suite (set TEST_POSTGRES_URL)");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            admin.close().await.ok();
            let db = database::connect(&format!("{server_url}/{name}")).await.expect("open postgres");
            database::migrate(&db).await.expect("migrate postgres");
            TestDb { db, cleanup: Cleanup::Database { server_url, name } }
        }
    }
}

impl TestDb {
    /// Closes and removes the database.
    pub async fn finish(self) {
        self.db.close().await.ok();
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
                }
            }
            Cleanup::Database { server_url, name } => {
                if let Ok(admin) = Database::connect(format!("{server_url}/postgres")).await {
                    admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                        .ok();
                    admin.close().await.ok();
                }
            }
        }
    }
}

/// Runs `scenario(&db)` as two tests, `<scenario>::sqlite` and `<scenario>::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($($scenario:ident),+ $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let test_db = $crate::support::fresh($crate::support::Backend::Sqlite).await;
                    super::$scenario(&test_db.db).await;
                    test_db.finish().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let test_db = $crate::support::fresh($crate::support::Backend::Postgres).await;
                    super::$scenario(&test_db.db).await;
                    test_db.finish().await;
                }
            }
        )+
    };
}
