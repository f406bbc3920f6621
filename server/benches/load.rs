//! Server load benchmark: the real router (built with the release profile by `cargo bench`)
//! serving server-rendered pages to a load generator in the same process, on its own threads.
//!
//! One therapist's caseload grows from 25 to 200 to 10,000 cases, with private notes and
//! consultation times spread over them (see [`case_history`]); the first case is a couple
//! with six months of data (Baby Steps assigned, step 1 submitted and shared by both, steps 3
//! to 5 open, a weekly check-in from each partner for 26 weeks). At each size it measures:
//! - closed loop, 16 connections: requests per second, p50 and p99 latency, and the server's
//!   CPU time per request (read from `/proc/self/task/*/stat` for every thread but the load
//!   generator's, so SQLite's worker threads count; PostgreSQL's own processes do not);
//! - at 200 cases, open loop at a fixed 200 requests per second: p99 latency measured from
//!   the moment each request was due, so a queue that builds up shows;
//! - at the end, the process's resident memory (current and peak).
//!
//! The caseload shows 25 rows a page, so 25 and 10,000 cases compare equal row counts.
//! `make bench` runs it on SQLite, and on PostgreSQL when `BENCH_POSTGRES_URL` is set.
//! `LOAD_SECONDS` sets each measurement's length (default 5); `LOAD_PAGES` limits the
//! pages measured (a comma-separated list of their names in the table, say `case page` to
//! profile that page alone; all of them when unset).

#[path = "../tests/support/mod.rs"]
mod support;

use app::{
    domain::case::{CaseStatus, ConfidentialityPolicy, Seeks},
    entities::{assignments, cases, consultation_slots, partners, private_notes},
    services::{
        clock::week_start,
        exchange::{self, CheckInForm},
        homework::{self, SaveIntent},
        Actor,
    },
};
use chrono::{DateTime, Duration, Utc};
use reqwest::{header, Client};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, TransactionTrait,
};
use server::config::Config;
use std::{collections::HashMap, fmt::Write as _, time::Instant};
use support::{case_with_clients, signed_in, therapist};

/// Any failure ends the benchmark with its message.
type Outcome<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// Concurrent connections of the closed-loop runs.
const CONNECTIONS: usize = 16;
/// The fixed rate of the open-loop runs, in requests per second.
const RATE: u64 = 200;
/// The caseload sizes measured, in order (cases are only ever added).
const SIZES: [usize; 3] = [25, 200, 10_000];
/// The name of the load generator's threads.
const LOAD_THREAD: &str = "bs-load";
/// The name of the server's threads.
const SERVER_THREAD: &str = "bs-server";

/// One measurement's result.
struct Figures {
    requests: usize,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_ms_per_request: f64,
}

/// The paths measured and who opens them.
struct World {
    therapist: Client,
    client: Client,
    case_path: String,
    sheet_path: String,
}

fn seconds() -> u64 {
    std::env::var("LOAD_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5)
}

/// Whether `page` is to be measured (see `LOAD_PAGES`).
fn measured(page: &str) -> bool {
    std::env::var("LOAD_PAGES").map(|pages| pages.split(',').any(|name| name.trim() == page)).unwrap_or(true)
}

/// Clock ticks per second, for the CPU times in `/proc`.
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}

/// CPU time (user + system, in ticks) of the server's threads and SQLite's worker threads
/// (the set-up's own SQLite connection is idle while a measurement runs).
fn server_cpu_ticks() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
    tasks
        .flatten()
        .filter_map(|task| {
            let comm = std::fs::read_to_string(task.path().join("comm")).ok()?;
            let comm = comm.trim();
            if !comm.starts_with(SERVER_THREAD) && !comm.starts_with("sqlx-sqlite") {
                return None;
            }
            let stat = std::fs::read_to_string(task.path().join("stat")).ok()?;
            // Fields after the command's closing parenthesis; utime and stime are 14 and 15.
            let rest = &stat[stat.rfind(')')? + 2..];
            let fields: Vec<&str> = rest.split_whitespace().collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .sum()
}

/// Resident memory now and at its peak, in MB.
fn resident_memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Opens `url` as `client`; a page that does not answer 200 ends the benchmark.
async fn open(client: &Client, url: &str) -> Outcome {
    let response = client.get(url).header(header::ACCEPT, "text/html").send().await?;
    let status = response.status();
    response.bytes().await?;
    if !status.is_success() {
        return Err(format!("{url} answered {status}").into());
    }
    Ok(())
}

fn figures(mut latencies: Vec<f64>, elapsed: f64, ticks: u64) -> Figures {
    latencies.sort_by(f64::total_cmp);
    let requests = latencies.len();
    Figures {
        requests,
        per_second: requests as f64 / elapsed,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        cpu_ms_per_request: ticks as f64 * 1000.0 / clock_ticks() / requests.max(1) as f64,
    }
}

/// [`CONNECTIONS`] requests in flight at all times for [`seconds`].
async fn closed_loop(client: &Client, url: &str) -> Outcome<Figures> {
    open(client, url).await?; // warm-up
    let deadline = Instant::now() + std::time::Duration::from_secs(seconds());
    let cpu_before = server_cpu_ticks();
    let started = Instant::now();
    let workers = (0..CONNECTIONS).map(|_| {
        let (client, url) = (client.clone(), url.to_owned());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let sent = Instant::now();
                open(&client, &url).await.map_err(|e| e.to_string())?;
                latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, String>(latencies)
        })
    });
    let mut latencies = Vec::new();
    for worker in workers.collect::<Vec<_>>() {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(figures(latencies, elapsed, server_cpu_ticks() - cpu_before))
}

/// One request every 1/[`RATE`] s for [`seconds`], each timed from when it was due.
async fn open_loop(client: &Client, url: &str) -> Outcome<Figures> {
    open(client, url).await?;
    let total = RATE * seconds();
    let cpu_before = server_cpu_ticks();
    let started = tokio::time::Instant::now();
    let mut requests = Vec::new();
    for n in 0..total {
        let due = started + std::time::Duration::from_micros(n * 1_000_000 / RATE);
        tokio::time::sleep_until(due).await;
        let (client, url) = (client.clone(), url.to_owned());
        requests.push(tokio::spawn(async move {
            open(&client, &url).await.map_err(|e| e.to_string())?;
            Ok::<_, String>(due.elapsed().as_secs_f64() * 1000.0)
        }));
    }
    let mut latencies = Vec::new();
    for request in requests {
        latencies.push(request.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(figures(latencies, elapsed, server_cpu_ticks() - cpu_before))
}

/// The couple with six months of data, and signed-in clients for the therapist and Alex.
async fn world(db: &DatabaseConnection, base: &str, now: DateTime<Utc>) -> Outcome<World> {
    let owner: Actor = therapist(db, "load@example.org").await;
    let emails = ["alex.load@example.org", "sam.load@example.org"];
    let (case_id, _, clients) =
        case_with_clients(db, owner, "Alex & Sam", ["Alex", "Sam"], emails, &emails).await;
    let start = now - Duration::weeks(27);
    homework::assign_programme(
        db,
        owner,
        case_id,
        homework::ProgrammeChoice::whole(Some(start.date_naive() + Duration::days(7)), ""),
        start,
    )
    .await?;
    let steps = assignments::Entity::find().filter(assignments::Column::CaseId.eq(case_id)).all(db).await?;
    let step_1 = steps.iter().find(|step| step.step_number == Some(1)).ok_or("no step 1")?.id;
    for (client, words) in clients.iter().zip(["Being heard.", "Being held."]) {
        let answers = [
            ("emotional_meaning", words),
            ("physical_meaning", words),
            ("behaviours", "[emotional] Ask about my day\n[physical] Hold my hand"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        homework::save_answers(db, *client, step_1, 0, &answers, SaveIntent::Submit, start).await?;
        homework::share(db, *client, step_1, start).await?;
    }
    for step in steps.iter().filter(|step| step.step_number >= Some(3)) {
        homework::unlock_early(db, owner, step.id, start).await?;
    }
    for week in 0..26 {
        let day = start + Duration::weeks(week + 1);
        for (n, client) in clients.iter().enumerate() {
            let form = CheckInForm {
                week_start: week_start(day.date_naive()),
                my_part: "done".into(),
                noticed: "partly".into(),
                emotional: (3 + (week + n as i64) % 6) as i16,
                physical: (2 + (week * 2 + n as i64) % 7) as i16,
                note: format!("Week {week}: a calmer week."),
            };
            exchange::save_check_in(db, *client, form, day).await?;
        }
    }
    Ok(World {
        therapist: signed_in(base, "load@example.org").await,
        client: signed_in(base, emails[0]).await,
        case_path: format!("/cases/{case_id}"),
        sheet_path: format!("/homework/{step_1}"),
    })
}

/// Adds cases (two partners each, not joined) until the therapist has `total`.
async fn grow_caseload(
    db: &DatabaseConnection,
    therapist_id: i32,
    total: usize,
    now: DateTime<Utc>,
) -> Outcome {
    let have =
        cases::Entity::find().filter(cases::Column::TherapistId.eq(therapist_id)).count(db).await? as usize;
    let txn = db.begin().await?;
    for chunk_start in (have..total).step_by(500) {
        let chunk: Vec<usize> = (chunk_start..(chunk_start + 500).min(total)).collect();
        for n in &chunk {
            let case = cases::ActiveModel {
                therapist_id: Set(therapist_id),
                label: Set(format!("Couple {n:05}")),
                status: Set(if n % 7 == 0 { CaseStatus::Paused } else { CaseStatus::Active }),
                status_changed_at: Set(now),
                confidentiality_policy: Set(ConfidentialityPolicy::NoSecrets),
                therapist_notes: Set(String::new()),
                last_client_activity_at: Set(Some(now - Duration::minutes(*n as i64))),
                created_at: Set(now),
                updated_at: Set(now - Duration::seconds(*n as i64)),
                ..Default::default()
            };
            let case_id = cases::Entity::insert(case).exec(&txn).await?.last_insert_id;
            let mut partner_ids = Vec::new();
            for (position, name) in [(1_i16, "Robin"), (2_i16, "Kim")] {
                let partner = partners::ActiveModel {
                    case_id: Set(case_id),
                    position: Set(position),
                    first_name: Set(format!("{name}{n}")),
                    last_name: Set(None),
                    email: Set(format!("{name}{n}.load@example.org").to_lowercase()),
                    pronouns: Set(None),
                    seeks: Set(Seeks::Unsure),
                    client_user_id: Set(None),
                    joined_at: Set(None),
                    ..Default::default()
                };
                partner_ids.push(partners::Entity::insert(partner).exec(&txn).await?.last_insert_id);
            }
            case_history(&txn, case_id, &partner_ids, *n, now).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// What a practice's case holds besides its partners, so that the planner's statistics
/// (and the reads that start from these tables) see a practice's numbers, not empty tables.
/// History grows with the caseload: a private note from every second case, read and marked
/// done; from every 10th a consultation proposal of two times, one chosen and marked done.
/// What waits for the therapist does not (the same at every size, as the page's rows are):
/// an unread note from each of the first 25 cases whose number is a multiple of 5, the
/// first of them urgent.
async fn case_history(
    db: &impl ConnectionTrait,
    case_id: i32,
    partner_ids: &[i32],
    n: usize,
    now: DateTime<Utc>,
) -> Outcome {
    let note = |partner_id, read_at: Option<DateTime<Utc>>, urgent| private_notes::ActiveModel {
        case_id: Set(case_id),
        partner_id: Set(partner_id),
        body: Set("A note for the therapist.".to_owned()),
        created_at: Set(now - Duration::days(30)),
        read_at: Set(read_at),
        urgent: Set(urgent),
        whats_new_done_at: Set(read_at),
        ..Default::default()
    };
    if n.is_multiple_of(2) {
        let read = note(partner_ids[0], Some(now - Duration::days(29)), false);
        private_notes::Entity::insert(read).exec(db).await?;
    }
    if n < 25 && n.is_multiple_of(5) {
        private_notes::Entity::insert(note(partner_ids[1], None, n == 0)).exec(db).await?;
    }
    if n.is_multiple_of(10) {
        let proposal = format!("load-{case_id}");
        for (hours, chosen) in [(24, true), (48, false)] {
            let slot = consultation_slots::ActiveModel {
                case_id: Set(case_id),
                proposal: Set(proposal.clone()),
                starts_at: Set(now + Duration::hours(hours)),
                chosen_by_partner_id: Set(chosen.then_some(partner_ids[0])),
                chosen_at: Set(chosen.then_some(now - Duration::days(1))),
                created_at: Set(now - Duration::days(2)),
                whats_new_done_at: Set(chosen.then_some(now - Duration::hours(12))),
                ..Default::default()
            };
            consultation_slots::Entity::insert(slot).exec(db).await?;
        }
    }
    Ok(())
}

fn row(table: &mut String, backend: &str, page: &str, size: usize, mode: &str, f: &Figures) {
    let _ = writeln!(
        table,
        "| {backend} | {page} | {size} | {mode} | {} | {:.0} | {:.1} | {:.1} | {:.2} |",
        f.requests, f.per_second, f.p50_ms, f.p99_ms, f.cpu_ms_per_request
    );
}

/// Where a server under test keeps its data.
struct Database {
    url: String,
    /// The PostgreSQL database to drop afterwards.
    postgres: Option<(String, String)>,
}

/// A fresh database for `backend`.
async fn fresh_database(backend: support::Backend, postgres_url: &str) -> Outcome<Database> {
    Ok(match backend {
        support::Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("bs_load_{}.db", std::process::id()));
            for suffix in ["", "-wal", "-shm"] {
                std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
            }
            Database { url: format!("sqlite://{}", path.display()), postgres: None }
        }
        support::Backend::Postgres => {
            let name = format!("bs_load_{}", std::process::id());
            let admin = sea_orm::Database::connect(format!("{postgres_url}/postgres")).await?;
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\"")).await?;
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
            Database {
                url: format!("{postgres_url}/{name}"),
                postgres: Some((postgres_url.to_owned(), name)),
            }
        }
    })
}

/// Starts the server over `database` on `runtime`'s threads; returns its base URL and its
/// own connection pool (its records job refreshes SQLite's statistics on that connection).
fn start_server(
    runtime: &tokio::runtime::Runtime,
    database: &Database,
) -> Outcome<(String, DatabaseConnection)> {
    let vars = HashMap::from([
        ("DATABASE_URL".to_owned(), database.url.clone()),
        ("SEALING_KEY".to_owned(), support::SEALING_KEY.to_owned()),
    ]);
    let config = Config::from_vars(&vars)?;
    runtime.block_on(async move {
        let db = server::open_database(&config).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let state = server::app_state(&config, db.clone(), server::sealing_key(&config)?);
        tokio::spawn(server::serve(listener, server::router(&config, state), std::future::pending()));
        Ok((base, db))
    })
}

/// Every measurement on one database, against the server at `base` whose own pool is
/// `server_db`.
async fn bench(
    db: &DatabaseConnection,
    server_db: &DatabaseConnection,
    base: &str,
    name: &str,
    table: &mut String,
) -> Outcome {
    let now = Utc::now();
    let world = world(db, base, now).await?;
    let therapist_id = app::entities::users::Entity::find()
        .filter(app::entities::users::Column::Email.eq("load@example.org"))
        .one(db)
        .await?
        .ok_or("no therapist")?
        .id;
    for size in SIZES {
        grow_caseload(db, therapist_id, size, now).await?;
        if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            // A running PostgreSQL's autovacuum keeps the planner's statistics current; the
            // rows just added would wait up to a minute for it, so they are analysed now.
            db.execute_unprepared("ANALYZE").await?;
        } else {
            // The server refreshes SQLite's statistics at start-up and daily (the records
            // job, on its own connection: SQLite loads them per connection); the rows just
            // added would wait for the next day, so they are refreshed now, the same way.
            app::services::database::refresh_statistics(server_db).await?;
        }
        let pages = [
            ("caseload", &world.therapist, "/caseload".to_owned()),
            ("case page", &world.therapist, world.case_path.clone()),
            ("client sheet", &world.client, world.sheet_path.clone()),
        ];
        for (page, client, path) in &pages {
            if (size == 25 && *page != "caseload") || !measured(page) {
                continue;
            }
            let url = format!("{base}{path}");
            row(
                table,
                name,
                page,
                size,
                &format!("{CONNECTIONS} connections"),
                &closed_loop(client, &url).await?,
            );
            if size == 200 {
                row(table, name, page, size, &format!("{RATE} req/s"), &open_loop(client, &url).await?);
            }
        }
    }
    Ok(())
}

fn main() -> Outcome {
    // The load generator and the server each run on threads of their own, named, so the
    // server's CPU time can be read apart from the generator's.
    let load = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(LOAD_THREAD)
        .enable_all()
        .build()?;
    let mut table = String::from(
        "| database | page | cases | load | requests | req/s | p50 ms | p99 ms | server CPU ms/req |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    let mut backends = vec![(support::Backend::Sqlite, "SQLite", String::new())];
    if let Ok(url) = std::env::var("BENCH_POSTGRES_URL") {
        backends.push((support::Backend::Postgres, "PostgreSQL", url));
    }
    for (backend, name, postgres_url) in backends {
        let database = load.block_on(fresh_database(backend, &postgres_url))?;
        let server = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(SERVER_THREAD)
            .enable_all()
            .build()?;
        let (base, server_db) = start_server(&server, &database)?;
        load.block_on(async {
            let db = sea_orm::Database::connect(&database.url).await?;
            bench(&db, &server_db, &base, name, &mut table).await?;
            db.close().await?;
            Ok::<_, Box<dyn std::error::Error>>(())
        })?;
        server.shutdown_background();
        if let Some((url, name)) = &database.postgres {
            load.block_on(async {
                let admin = sea_orm::Database::connect(format!("{url}/postgres")).await?;
                admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
                Ok::<_, Box<dyn std::error::Error>>(())
            })?;
        }
    }
    let (rss, peak) = resident_memory();
    println!("{table}");
    println!("Resident memory of the process (server, generator and set-up) after the runs: {rss:.0} MB, peak {peak:.0} MB.");
    Ok(())
}
