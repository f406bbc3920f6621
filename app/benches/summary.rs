//! Session summary benchmark: one couple a year into the programme — both joined, Baby
//! Steps assigned with step 1 submitted and shared, wishes and answers, 52 weekly
//! check-ins from each partner (each with a note), twelve private notes and 26 recorded
//! sessions — and times the one read the summary page makes (`services::summary`).
//!
//! `make bench` runs it on SQLite; `BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432`
//! runs it on PostgreSQL too.

use app::{
    domain::therapy_session::{Attendance, SessionMinutes, SessionNote},
    entities::{check_ins, invitations, wishes},
    services::{
        access::partners_of,
        accounts::{self, TherapistSignUp},
        cases::{self, CaseDraft, PartnerFields},
        database, exchange,
        homework::{self, SaveIntent},
        invitations as invites, summary,
        therapy_sessions::{self, HeldSession, SessionTime},
        Actor,
    },
};
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use std::{collections::BTreeMap, time::Instant};

/// Any failure while seeding or measuring ends the benchmark with its message.
type Outcome<T = ()> = Result<T, Box<dyn std::error::Error>>;
const RUNS: usize = 30;
const WEEKS: i64 = 52;

fn stats(mut micros: Vec<u128>) -> (u128, u128) {
    micros.sort_unstable();
    (micros[micros.len() / 2], micros[(micros.len() * 95 / 100).min(micros.len() - 1)])
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A therapist and a couple who joined a year before `now`, with a year of data.
async fn seed(db: &DatabaseConnection, now: DateTime<Utc>) -> Outcome<(Actor, i32)> {
    let start = now - Duration::weeks(WEEKS);
    let form = TherapistSignUp::parse("Bench Therapist", "bench@example.org", "a calm and quiet river")?;
    let invited = accounts::invite_therapist(db, &form.email, false, start).await?;
    let (_, token) = accounts::mint_link_token(db, invited.link_id, start).await?.ok_or("no link")?;
    let therapist =
        accounts::complete_invitation(db, &token, form.display_name.as_str(), form.password.expose(), start)
            .await?;
    let fields =
        |first_name, email| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks: "unsure" };
    let draft = CaseDraft::parse(
        "Alex & Sam",
        "no_secrets",
        fields("Alex", "alex@example.org"),
        fields("Sam", "sam@example.org"),
    )?;
    let case_id = cases::create_case(db, therapist, draft, start).await?;
    let mut clients = Vec::new();
    for partner in partners_of(db, case_id).await? {
        invites::invite(db, therapist, case_id, partner.id, start).await?;
        let invitation = invitations::Entity::find()
            .filter(invitations::Column::PartnerId.eq(partner.id))
            .one(db)
            .await?
            .ok_or("no invitation")?;
        let token = invites::mint_token(db, invitation.id, start).await?.ok_or("no token")?;
        clients
            .push(invites::accept_with_new_account(db, &token, "a calm and quiet river", true, start).await?);
    }
    let (a, b) = (clients[0], clients[1]);
    homework::assign_programme(db, therapist, case_id, homework::ProgrammeChoice::whole(None, ""), start)
        .await?;
    let steps = app::entities::assignments::Entity::find()
        .filter(app::entities::assignments::Column::CaseId.eq(case_id))
        .order_by_asc(app::entities::assignments::Column::StepNumber)
        .all(db)
        .await?;
    let step1 = steps[0].id;
    let list = "Ask about my day\nPut phones away at dinner\nPlan a walk on Sundays\nSay goodnight";
    for client in [a, b] {
        let mine = answers(&[("emotional_meaning", "Feeling heard."), ("behaviours", list)]);
        homework::save_answers(db, client, step1, 0, &mine, SaveIntent::Submit, start).await?;
        homework::share(db, client, step1, start).await?;
    }
    for step in steps.iter().filter(|s| s.step_number >= Some(3)) {
        homework::unlock_early(db, therapist, step.id, start).await?;
    }
    // Each partner says yes to half the wishes addressed to them, "not for now" to the rest.
    let all = wishes::Entity::find().filter(wishes::Column::CaseId.eq(case_id)).all(db).await?;
    for (index, wish) in all.iter().enumerate() {
        let addressee = if partners_of(db, case_id).await?[0].id == wish.addressee_id { a } else { b };
        let (action, ease) = if index % 2 == 0 {
            (app::domain::exchange::WishAction::Yes, Some(3))
        } else {
            (app::domain::exchange::WishAction::NotNow, None)
        };
        let details = exchange::ActionDetails { offer: String::new(), ease };
        exchange::act_on_wish(db, addressee, wish.id, wish.version, action, details, start).await?;
    }
    // A year of weekly check-ins from both partners, written straight in (the service only
    // takes the last few weeks).
    let partners = partners_of(db, case_id).await?;
    let first_monday = start.date_naive() - Duration::days(i64::from(start.weekday().num_days_from_monday()));
    let rows = (0..WEEKS).flat_map(|week| {
        partners.iter().map(move |partner| check_ins::ActiveModel {
            case_id: Set(case_id),
            partner_id: Set(partner.id),
            week_start: Set(first_monday + Duration::weeks(week)),
            my_part: Set("done".into()),
            noticed: Set("partly".into()),
            emotional: Set(((week + i64::from(partner.position)) % 11) as i16),
            physical: Set(((week * 3 + i64::from(partner.position)) % 11) as i16),
            note: Set("A week with ups and downs; we talked on Sunday.".into()),
            updated_at: Set(start + Duration::weeks(week)),
            ..Default::default()
        })
    });
    check_ins::Entity::insert_many(rows).exec_without_returning(db).await?;
    for n in 0..12 {
        let writer = if n % 2 == 0 { a } else { b };
        exchange::send_private_note(
            db,
            writer,
            "Something I wanted you to know.",
            n % 5 == 0,
            start + Duration::weeks(n * 4),
        )
        .await?;
    }
    for n in 0..26 {
        let held = HeldSession {
            time: SessionTime {
                starts_at: start + Duration::weeks(n * 2),
                minutes: SessionMinutes::parse("50")?,
                attendance: Attendance::Both,
            },
            note: SessionNote::Dap {
                data: "Data.".into(),
                assessment: "Assessment.".into(),
                plan: "Plan.".into(),
            },
            topics: vec![],
        };
        therapy_sessions::record(db, therapist, case_id, held, start + Duration::weeks(n * 2)).await?;
    }
    Ok((therapist, case_id))
}

async fn bench(backend: &str, url: &str) -> Outcome {
    let db = database::connect(url).await?;
    database::migrate(&db).await?;
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).single().ok_or("no time")?;
    let (therapist, case_id) = seed(&db, now).await?;
    let mut timings = Vec::with_capacity(RUNS);
    let mut check_in_count = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let found = summary::summary(&db, therapist, case_id, now).await?;
        timings.push(started.elapsed().as_micros());
        check_in_count = found.practice.check_ins.len();
    }
    let (median, p95) = stats(timings);
    println!(
        "{backend:<10} summary, a year of weekly check-ins ({check_in_count})  median {:>7.2} ms  p95 {:>7.2} ms",
        median as f64 / 1000.0,
        p95 as f64 / 1000.0
    );
    db.close().await.ok();
    Ok(())
}

#[tokio::main]
async fn main() -> Outcome {
    let path = std::env::temp_dir().join(format!("babysteps_bench_summary_{}.db", std::process::id()));
    bench("sqlite", &format!("sqlite://{}", path.display())).await?;
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", path.display())).ok();
    }
    if let Ok(server) = std::env::var("BENCH_POSTGRES_URL") {
        let name = format!("babysteps_bench_summary_{}", std::process::id());
        let admin = sea_orm::Database::connect(format!("{server}/postgres")).await?;
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
        let measured = bench("postgres", &format!("{server}/{name}")).await;
        admin.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)")).await.ok();
        measured?;
    }
    Ok(())
}
