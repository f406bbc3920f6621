//! Export benchmark: one couple with years of weekly check-ins (both partners, a note each
//! week), the Baby Steps programme, and a long audit trail; the therapist's case export is
//! streamed into a sink that only counts the bytes, as a download would. Prints the export's
//! size, the time it took and the peak memory it added (the process's peak resident set,
//! `VmHWM` in /proc/self/status, reset just before the export, minus the resident set then).
//!
//! `make bench` runs it on SQLite; with `BENCH_POSTGRES_URL` set, on PostgreSQL too.

use app::{
    entities::{audit_entries, check_ins},
    services::{
        access::partners_of,
        accounts::{self, TherapistSignUp},
        cases::{self, CaseDraft, PartnerFields},
        clock, database,
        export::case_export,
        homework, Actor,
    },
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, TransactionTrait};
use std::time::Instant;

/// Any failure while seeding or measuring ends the benchmark with its message.
type Outcome<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// (weeks of check-ins per partner, audit entries): five years, then twenty.
const SIZES: [(i64, usize); 2] = [(260, 20_000), (1_040, 100_000)];

/// A field of /proc/self/status in KiB (Linux), 0 elsewhere.
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with(field))
                .and_then(|line| line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()))
        })
        .unwrap_or(0)
}

/// Resets the peak resident set to the current one (Linux: "5" to /proc/self/clear_refs).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

async fn therapist(db: &DatabaseConnection, now: DateTime<Utc>) -> Outcome<Actor> {
    let form = TherapistSignUp::parse("Bench Therapist", "bench@example.org", "a calm and quiet river")?;
    let invited = accounts::invite_therapist(db, &form.email, false, now).await?;
    let (_, token) = accounts::mint_link_token(db, invited.link_id, now).await?.ok_or("no link")?;
    Ok(accounts::complete_invitation(db, &token, form.display_name.as_str(), form.password.expose(), now)
        .await?)
}

async fn seed(
    db: &DatabaseConnection,
    weeks: i64,
    audit_rows: usize,
    now: DateTime<Utc>,
) -> Outcome<(Actor, i32)> {
    let therapist = therapist(db, now).await?;
    let fields =
        |first_name, email, seeks| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks };
    let draft = CaseDraft::parse(
        "Alex & Sam",
        "no_secrets",
        fields("Alex", "alex@example.org", "emotional"),
        fields("Sam", "sam@example.org", "physical"),
    )?;
    let case_id = cases::create_case(db, therapist, draft, now).await?;
    homework::assign_programme(db, therapist, case_id, homework::ProgrammeChoice::whole(None, ""), now)
        .await?;
    let partners = partners_of(db, case_id).await?;
    let this_week = clock::week_start(now.date_naive());
    let txn = db.begin().await?;
    for partner in &partners {
        for first in (0..weeks).step_by(200) {
            let rows = (first..(first + 200).min(weeks)).map(|back| check_ins::ActiveModel {
                case_id: Set(case_id),
                partner_id: Set(partner.id),
                week_start: Set(this_week - Duration::weeks(back)),
                my_part: Set("done".into()),
                noticed: Set("partly".into()),
                emotional: Set((back % 11) as i16),
                physical: Set(((back + 4) % 11) as i16),
                note: Set(format!("Week {back}: we talked after dinner and it went better than last time. ")
                    .repeat(3)),
                updated_at: Set(now),
                ..Default::default()
            });
            check_ins::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        }
    }
    for first in (0..audit_rows).step_by(1_000) {
        let rows = (first..(first + 1_000).min(audit_rows)).map(|n| audit_entries::ActiveModel {
            actor_user_id: Set(Some(therapist.user_id)),
            action: Set("case.viewed".into()),
            record_type: Set("case".into()),
            record_id: Set(case_id.to_string()),
            occurred_at: Set(now - Duration::minutes((audit_rows - n) as i64)),
            case_id: Set(Some(case_id)),
            partner_id: Set(None),
            outcome: Set(app::domain::audit::AuditOutcome::Allowed),
            client_address: Set(Some("203.0.113.7".into())),
            session_ref: Set(Some(1)),
            ..Default::default()
        });
        audit_entries::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok((therapist, case_id))
}

async fn bench(backend: &str, url: &str, weeks: i64, audit_rows: usize) -> Outcome {
    let db = database::connect(url).await?;
    database::migrate(&db).await?;
    let now = Utc::now();
    let (therapist, case_id) = seed(&db, weeks, audit_rows, now).await?;
    let peak_reset = reset_peak();
    let rss_before = status_kib("VmRSS:");
    let started = Instant::now();
    let export = case_export(&db, therapist, case_id, now).await?;
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    let count = async move {
        let (mut bytes, mut chunks) = (0_usize, 0_usize);
        while let Some(chunk) = receiver.recv().await {
            bytes += chunk?.len();
            chunks += 1;
        }
        Ok::<_, std::io::Error>((bytes, chunks))
    };
    let (written, counted) = tokio::join!(export.write(&db, sender), count);
    written?;
    let (bytes, chunks) = counted?;
    let elapsed = started.elapsed();
    let peak = status_kib("VmHWM:");
    println!(
        "{backend:<10} {weeks:>5} weeks x 2 partners, {audit_rows:>6} audit entries: ZIP {:>7.2} MiB in {chunks:>4} chunks, {:>7.0} ms, peak RSS +{:.1} MiB over {:.1} MiB{}",
        bytes as f64 / 1_048_576.0,
        elapsed.as_secs_f64() * 1000.0,
        peak.saturating_sub(rss_before) as f64 / 1024.0,
        rss_before as f64 / 1024.0,
        if peak_reset { "" } else { " (peak not reset: a lifetime figure)" },
    );
    db.close().await.ok();
    Ok(())
}

#[tokio::main]
async fn main() -> Outcome {
    let dir = std::env::temp_dir();
    for (weeks, audit_rows) in SIZES {
        let path = dir.join(format!("babysteps_export_bench_{}_{weeks}.db", std::process::id()));
        bench("sqlite", &format!("sqlite://{}", path.display()), weeks, audit_rows).await?;
        for suffix in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
        }
    }
    if let Ok(server) = std::env::var("BENCH_POSTGRES_URL") {
        for (weeks, audit_rows) in SIZES {
            let name = format!("babysteps_export_bench_{}_{weeks}", std::process::id());
            let admin = sea_orm::Database::connect(format!("{server}/postgres")).await?;
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
            let measured = bench("postgres", &format!("{server}/{name}"), weeks, audit_rows).await;
            admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.ok();
            measured?;
        }
    }
    Ok(())
}
