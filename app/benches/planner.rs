//! Reminder planner benchmark: seeds 1,000, 10,000 and 100,000 active cases (one therapist
//! per 50 cases, half of them on the daily digest; each case with a joined partner, an
//! invited one and an assignment, 1 in 100 due tomorrow, 1 in 50 with a fresh submission)
//! and times one pass of `reminders::run_due`: the first (which queues the reminders and
//! digests due) and a second (which finds everything already sent).
//!
//! `make bench` runs it on SQLite, and on PostgreSQL when `BENCH_POSTGRES_URL` is set.

use app::{
    domain::{
        case::{CaseStatus, ConfidentialityPolicy, Seeks},
        homework::{Recipients, ResponseStatus},
        outbox::Digest,
        Role,
    },
    entities::{assignments, cases, exercise_versions, partners, responses, users},
    services::{
        accounts::{self, TherapistSignUp},
        cases::{create_case, CaseDraft, PartnerFields},
        database, homework, reminders,
    },
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, TransactionTrait};
use std::time::Instant;

/// Any failure while seeding or measuring ends the benchmark with its message.
type Outcome<T = ()> = Result<T, Box<dyn std::error::Error>>;

const SIZES: [i32; 3] = [1_000, 10_000, 100_000];
/// Seeded rows' ids start here, clear of the rows the services made.
const BASE: i32 = 1_000_000;
/// Rows per insert (below both databases' bind limits for every table here).
const CHUNK: i32 = 500;
const CASES_PER_THERAPIST: i32 = 50;

/// A Tuesday morning in November 2026, outside everyone's quiet hours.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap()
}

fn user(id: i32, role: Role, digest: Digest) -> users::ActiveModel {
    users::ActiveModel {
        id: Set(id),
        email: Set(format!("u{id}@example.org")),
        display_name: Set(format!("User {id}")),
        password_hash: Set("not a hash".into()),
        role: Set(role),
        created_at: Set(now()),
        updated_at: Set(now()),
        time_zone: Set("Europe/London".into()),
        practice_name: Set(String::new()),
        signature: Set(String::new()),
        booking_url: Set(String::new()),
        digest: Set(digest),
        reminders: Set(true),
        crisis_line: Set(String::new()),
        reply_within_days: Set(None),
        second_factor_required: Set(false),
        email_verified_at: Set(Some(now())),
        retention_years: Set(7),
    }
}

/// One real case with Baby Steps assigned, for an exercise version the seeded assignments use.
async fn exercise_version(db: &DatabaseConnection) -> Outcome<i32> {
    let form = TherapistSignUp::parse("Bench Therapist", "bench@example.org", "a calm and quiet river")?;
    let invited = accounts::invite_therapist(db, &form.email, false, now()).await?;
    let (_, token) = accounts::mint_link_token(db, invited.link_id, now()).await?.ok_or("no link")?;
    let owner =
        accounts::complete_invitation(db, &token, "Bench Therapist", form.password.expose(), now()).await?;
    let fields =
        |first_name, email| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks: "unsure" };
    let draft = CaseDraft::parse(
        "Real",
        "no_secrets",
        fields("Ann", "ann@example.org"),
        fields("Bo", "bo@example.org"),
    )?;
    let case_id = create_case(db, owner, draft, now()).await?;
    homework::assign_programme(db, owner, case_id, homework::ProgrammeChoice::whole(None, ""), now()).await?;
    Ok(exercise_versions::Entity::find().one(db).await?.ok_or("no exercise version")?.id)
}

async fn seed(db: &DatabaseConnection, count: i32) -> Outcome {
    let version = exercise_version(db).await?;
    let tomorrow = now().date_naive() + Duration::days(1);
    let txn = db.begin().await?;
    let therapists = (count + CASES_PER_THERAPIST - 1) / CASES_PER_THERAPIST;
    for start in (0..therapists).step_by(CHUNK as usize) {
        let rows = (start..(start + CHUNK).min(therapists)).map(|t| {
            let digest = if t % 2 == 0 { Digest::Daily } else { Digest::Immediate };
            user(2 * BASE + t, Role::Therapist, digest)
        });
        users::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    for start in (0..count).step_by(CHUNK as usize) {
        let chunk: Vec<i32> = (start..(start + CHUNK).min(count)).collect();
        let clients = chunk.iter().map(|n| user(BASE + n, Role::Client, Digest::Immediate));
        users::Entity::insert_many(clients).exec_without_returning(&txn).await?;
        let rows = chunk.iter().map(|n| cases::ActiveModel {
            id: Set(BASE + n),
            therapist_id: Set(2 * BASE + n / CASES_PER_THERAPIST),
            label: Set(format!("Couple {n:06}")),
            status: Set(if n % 10 == 9 { CaseStatus::Paused } else { CaseStatus::Active }),
            status_changed_at: Set(now()),
            confidentiality_policy: Set(ConfidentialityPolicy::NoSecrets),
            therapist_notes: Set(String::new()),
            last_client_activity_at: Set(None),
            created_at: Set(now()),
            updated_at: Set(now()),
            pact_completed_at: Set(None),
            erased_at: Set(None),
            is_sample: Set(false),
            pact_revisit_on: Set(None),
            without_sexual_content: Set(false),
        });
        cases::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        let rows = chunk.iter().flat_map(|n| {
            [(1_i16, Some(BASE + n)), (2_i16, None)].map(|(position, client)| partners::ActiveModel {
                id: Set(2 * (BASE + n) + i32::from(position) - 1),
                case_id: Set(BASE + n),
                position: Set(position),
                first_name: Set(format!("P{n}")),
                last_name: Set(None),
                email: Set(format!("p{position}.{n}@example.org")),
                pronouns: Set(None),
                seeks: Set(Seeks::Unsure),
                client_user_id: Set(client),
                joined_at: Set(client.map(|_| now())),
                share_ratings: Set(false),
                removed_at: Set(None),
                declined_flag_cleared_at: Set(None),
                erased_at: Set(None),
            })
        });
        partners::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        let rows = chunk.iter().map(|n| assignments::ActiveModel {
            id: Set(BASE + n),
            case_id: Set(BASE + n),
            exercise_version_id: Set(version),
            programme_key: Set(None),
            step_number: Set(None),
            recipients: Set(Recipients::Both),
            mutual_reveal: Set(false),
            due_on: Set(Some(if n % 100 == 0 { tomorrow } else { tomorrow + Duration::days(30) })),
            note: Set(String::new()),
            unlocked_at: Set(Some(now())),
            created_at: Set(now()),
            skipped_at: Set(None),
            skip_reason: Set(String::new()),
        });
        assignments::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        let submitted: Vec<&i32> = chunk.iter().filter(|n| *n % 50 == 1).collect();
        if !submitted.is_empty() {
            let rows = submitted.into_iter().map(|n| responses::ActiveModel {
                id: Set(BASE + n),
                assignment_id: Set(BASE + n),
                partner_id: Set(2 * (BASE + n)),
                answers: Set("{}".into()),
                status: Set(ResponseStatus::Submitted),
                revision: Set(1),
                submitted_at: Set(Some(now() - Duration::hours(1))),
                reviewed_at: Set(None),
                shared_at: Set(None),
                shared_answers: Set(None),
                updated_at: Set(now()),
                share_done_at: Set(None),
                submission_done_revision: Set(None),
            });
            responses::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

async fn bench(backend: &str, url: &str, size: i32) -> Outcome {
    let db = database::connect(url).await?;
    database::migrate(&db).await?;
    let seeding = Instant::now();
    seed(&db, size).await?;
    let seeded = seeding.elapsed();
    let mut cells = Vec::new();
    for _ in 0..2 {
        let started = Instant::now();
        let queued = reminders::run_due(&db, now()).await?;
        cells.push((started.elapsed().as_secs_f64() * 1000.0, queued));
    }
    println!(
        "planner  {backend:<9} {size:>7} active+paused cases  first pass {:>9.1} ms ({:>5} queued)  second pass {:>9.1} ms ({} queued)  [seeded in {:.1} s]",
        cells[0].0,
        cells[0].1,
        cells[1].0,
        cells[1].1,
        seeded.as_secs_f64()
    );
    db.close().await.ok();
    Ok(())
}

#[tokio::main]
async fn main() -> Outcome {
    let sizes: Vec<i32> = match std::env::var("BENCH_PLANNER_SIZES") {
        Ok(list) => list.split(',').filter_map(|size| size.trim().parse().ok()).collect(),
        Err(_) => SIZES.to_vec(),
    };
    let dir = std::env::temp_dir();
    for &size in &sizes {
        let path = dir.join(format!("babysteps_planner_{}_{size}.db", std::process::id()));
        bench("sqlite", &format!("sqlite://{}", path.display()), size).await?;
        for suffix in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
        }
    }
    if let Ok(server) = std::env::var("BENCH_POSTGRES_URL") {
        for &size in &sizes {
            let name = format!("babysteps_planner_{}_{size}", std::process::id());
            let admin = sea_orm::Database::connect(format!("{server}/postgres")).await?;
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
            let measured = bench("postgres", &format!("{server}/{name}"), size).await;
            admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.ok();
            measured?;
        }
    }
    Ok(())
}
