//! Caseload benchmark: seeds one therapist's caseload with 10 and with 10,000 cases (two
//! partners each, plus another therapist's cases beside them) and times the queries the
//! caseload page makes: the first page, a later page, a name search and a status filter.
//!
//! `make bench` runs it on SQLite; `BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432`
//! runs it on PostgreSQL too.

use app::{
    domain::case::{CaseStatus, ConfidentialityPolicy, Seeks},
    entities::{cases, partners},
    services::{
        accounts::{self, TherapistSignUp},
        caseload::{caseload, CaseloadQuery, CaseloadSort},
        database, Actor,
    },
};
use chrono::{Duration, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, TransactionTrait};
use std::time::Instant;

const SIZES: [usize; 2] = [10, 10_000];

/// Any failure while seeding or measuring ends the benchmark with its message.
type Outcome<T = ()> = Result<T, Box<dyn std::error::Error>>;
const RUNS: usize = 30;

async fn seed(db: &DatabaseConnection, therapist: Actor, count: usize) -> Outcome {
    let now = Utc::now();
    let txn = db.begin().await?;
    for chunk_start in (0..count).step_by(500) {
        let chunk: Vec<usize> = (chunk_start..(chunk_start + 500).min(count)).collect();
        let first_id = cases::Entity::find().all(&txn).await?.len() as i32 + 1;
        let rows = chunk.iter().map(|n| cases::ActiveModel {
            therapist_id: Set(therapist.user_id),
            label: Set(format!("Couple {n:05}")),
            status: Set(if n % 7 == 0 { CaseStatus::Paused } else { CaseStatus::Active }),
            status_changed_at: Set(now),
            confidentiality_policy: Set(ConfidentialityPolicy::NoSecrets),
            therapist_notes: Set(String::new()),
            last_client_activity_at: Set(Some(now - Duration::minutes(*n as i64))),
            created_at: Set(now),
            updated_at: Set(now - Duration::seconds(*n as i64)),
            ..Default::default()
        });
        cases::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        let partner_rows = chunk.iter().enumerate().flat_map(|(i, n)| {
            let case_id = first_id + i as i32;
            [(1_i16, "Alex"), (2_i16, "Sam")].map(|(position, name)| partners::ActiveModel {
                case_id: Set(case_id),
                position: Set(position),
                first_name: Set(format!("{name}{n}")),
                last_name: Set(None),
                email: Set(format!("{name}{n}.{}@example.org", therapist.user_id).to_lowercase()),
                pronouns: Set(None),
                seeks: Set(Seeks::Unsure),
                client_user_id: Set(None),
                joined_at: Set(None),
                ..Default::default()
            })
        });
        partners::Entity::insert_many(partner_rows).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

fn stats(mut micros: Vec<u128>) -> (u128, u128) {
    micros.sort_unstable();
    (micros[micros.len() / 2], micros[(micros.len() * 95 / 100).min(micros.len() - 1)])
}

/// A confirmed therapist, made the way the operator's `invite-therapist` link makes one.
async fn verified_therapist(
    db: &sea_orm::DatabaseConnection,
    form: TherapistSignUp,
    now: chrono::DateTime<Utc>,
) -> Result<app::services::Actor, Box<dyn std::error::Error>> {
    let invited = accounts::invite_therapist(db, &form.email, false, now).await?;
    let (_, token) = accounts::mint_link_token(db, invited.link_id, now).await?.ok_or("no link")?;
    Ok(accounts::complete_invitation(db, &token, form.display_name.as_str(), form.password.expose(), now)
        .await?)
}

async fn bench(backend: &str, url: &str, size: usize) -> Outcome {
    let db = database::connect(url).await?;
    database::migrate(&db).await?;
    let sign_up = |email: &str| TherapistSignUp::parse("Bench Therapist", email, "a calm and quiet river");
    let therapist = verified_therapist(&db, sign_up("bench@example.org")?, Utc::now()).await?;
    let neighbour = verified_therapist(&db, sign_up("other@example.org")?, Utc::now()).await?;
    seed(&db, neighbour, size / 2).await?;
    seed(&db, therapist, size).await?;
    let queries = [
        (
            "first page",
            CaseloadQuery {
                search: String::new(),
                status: None,
                sort: CaseloadSort::RecentlyUpdated,
                page: 1,
                per_page: 25,
            },
        ),
        (
            "page 40 by name",
            CaseloadQuery {
                search: String::new(),
                status: None,
                sort: CaseloadSort::Label,
                page: 40,
                per_page: 25,
            },
        ),
        (
            "search \"sam99\"",
            CaseloadQuery {
                search: "sam99".into(),
                status: None,
                sort: CaseloadSort::Label,
                page: 1,
                per_page: 25,
            },
        ),
        (
            "paused only",
            CaseloadQuery {
                search: String::new(),
                status: Some(CaseStatus::Paused),
                sort: CaseloadSort::LastActivity,
                page: 1,
                per_page: 25,
            },
        ),
    ];
    for (name, query) in queries {
        let mut timings = Vec::with_capacity(RUNS);
        let mut total = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let page = caseload(&db, therapist, &query, Utc::now()).await?;
            timings.push(started.elapsed().as_micros());
            total = page.total;
        }
        let (median, p95) = stats(timings);
        println!(
            "{backend:<10} {size:>6} cases  {name:<18} matches {total:>6}  median {:>7.2} ms  p95 {:>7.2} ms",
            median as f64 / 1000.0,
            p95 as f64 / 1000.0
        );
    }
    db.close().await.ok();
    Ok(())
}

#[tokio::main]
async fn main() -> Outcome {
    let dir = std::env::temp_dir();
    for size in SIZES {
        let path = dir.join(format!("babysteps_bench_{}_{size}.db", std::process::id()));
        bench("sqlite", &format!("sqlite://{}", path.display()), size).await?;
        for suffix in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
        }
    }
    if let Ok(server) = std::env::var("BENCH_POSTGRES_URL") {
        for size in SIZES {
            let name = format!("babysteps_bench_{}_{size}", std::process::id());
            let admin = sea_orm::Database::connect(format!("{server}/postgres")).await?;
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
            let measured = bench("postgres", &format!("{server}/{name}"), size).await;
            admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.ok();
            measured?;
        }
    }
    Ok(())
}
