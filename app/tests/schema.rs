//! The schema's shape, read from the migrated database itself: every foreign key that a
//! query looks rows up by has an index that starts with it (neither SQLite nor PostgreSQL
//! makes one), so a read by case, partner or user never scans its whole table; and the
//! records job's statistics refresh gives SQLite's query planner statistics to go by — on
//! SQLite and PostgreSQL.

use crate::support;

use app::services::database;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use support::fixtures::couple;

/// Foreign keys no query looks rows up by: a measure's answers are found by schedule and
/// partner, and the version an answer was given on is read from the answer.
const NEVER_LOOKED_UP_BY: [(&str, &str); 1] = [("measure_answers", "measure_version_id")];

/// `(table, column)` of each single-column foreign key that is not the first column of any
/// index, sorted.
async fn unindexed_foreign_keys(db: &DatabaseConnection) -> Vec<(String, String)> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Sqlite => {
            r#"SELECT m.name AS tbl, f."from" AS col
               FROM sqlite_master m, pragma_foreign_key_list(m.name) f
               WHERE m.type = 'table' AND NOT EXISTS (
                   SELECT 1 FROM pragma_index_list(m.name) l, pragma_index_info(l.name) i
                   WHERE i.seqno = 0 AND i.name = f."from")"#
        }
        _ => {
            r#"SELECT c.conrelid::regclass::text AS tbl, a.attname::text AS col
               FROM pg_constraint c
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
               WHERE c.contype = 'f' AND NOT EXISTS (
                   SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])"#
        }
    };
    let mut found: Vec<(String, String)> = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.try_get::<String>("", "tbl").unwrap(), row.try_get::<String>("", "col").unwrap()))
        .collect();
    found.sort();
    found
}

async fn every_looked_up_foreign_key_has_an_index(db: &DatabaseConnection) {
    let unindexed = unindexed_foreign_keys(db).await;
    let expected: Vec<(String, String)> =
        NEVER_LOOKED_UP_BY.iter().map(|(t, c)| ((*t).to_owned(), (*c).to_owned())).collect();
    assert_eq!(unindexed, expected, "foreign keys without an index that starts with them");
}

async fn statistics_are_refreshed(db: &DatabaseConnection) {
    for n in 0..3 {
        couple(db, &format!("statistics-{n}")).await;
    }
    database::refresh_statistics(db).await.unwrap();
    database::refresh_statistics(db).await.expect("a second refresh with nothing changed");
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        let sql = "SELECT COUNT(*) AS n FROM sqlite_stat1 WHERE tbl IN ('cases', 'partners')";
        let row =
            db.query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, sql)).await.unwrap().unwrap();
        let analysed: i64 = row.try_get("", "n").unwrap();
        assert!(analysed >= 2, "statistics for the cases' and partners' indexes: {analysed}");
    }
}

on_both_databases!(every_looked_up_foreign_key_has_an_index, statistics_are_refreshed);
