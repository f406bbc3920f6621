//! Service tests for accounts, sessions, the sign-in throttle and the audit trail, run on
//! SQLite and on PostgreSQL.

mod support;

use app::{
    domain::Role,
    entities::{audit_entries, sessions as session_rows},
    error::{AppError, SIGN_IN_REFUSED},
    services::{
        accounts::{self, SignInAttempt, TherapistSignUp},
        sessions::{self, SessionPolicy},
    },
};
use chrono::Duration;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryOrder};

use support::fixtures::{t0 as start_time, therapist, PASSWORD};

fn attempt<'a>(email: &'a str, password: &'a str) -> SignInAttempt<'a> {
    SignInAttempt { email, password, client_address: "192.0.2.10" }
}

async fn sign_up_then_sign_in(db: &DatabaseConnection) {
    let actor = therapist(db, "Ana@Example.org").await;
    assert_eq!(actor.role, Role::Therapist);
    // Case does not matter at sign-in.
    let signed_in = accounts::sign_in(db, attempt("ana@EXAMPLE.org", PASSWORD), start_time()).await.unwrap();
    assert_eq!(signed_in, actor);
}

async fn emails_are_unique_without_case(db: &DatabaseConnection) {
    therapist(db, "sam@example.org").await;
    let form = TherapistSignUp::parse("Sam Again", "SAM@example.ORG", PASSWORD).unwrap();
    let error = accounts::sign_up_therapist(db, form, start_time()).await.unwrap_err();
    assert!(error.message_for("email").is_some(), "{error:?}");
}

async fn refusals_do_not_reveal_the_account(db: &DatabaseConnection) {
    therapist(db, "kim@example.org").await;
    let wrong = accounts::sign_in(db, attempt("kim@example.org", "not the password"), start_time())
        .await
        .unwrap_err();
    let unknown =
        accounts::sign_in(db, attempt("nobody@example.org", PASSWORD), start_time()).await.unwrap_err();
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, AppError::invalid("", SIGN_IN_REFUSED));
}

async fn repeated_failures_are_slowed_per_account(db: &DatabaseConnection) {
    therapist(db, "lee@example.org").await;
    let now = start_time();
    for _ in 0..5 {
        accounts::sign_in(db, attempt("lee@example.org", "wrong password!"), now).await.unwrap_err();
    }
    // Even the right password must wait now.
    let error = accounts::sign_in(db, attempt("lee@example.org", PASSWORD), now).await.unwrap_err();
    assert!(
        matches!(error, AppError::RateLimited { retry_after_secs } if retry_after_secs >= 1),
        "{error:?}"
    );
    // Another account from another address is not affected.
    therapist(db, "other@example.org").await;
    let other =
        SignInAttempt { email: "other@example.org", password: PASSWORD, client_address: "198.51.100.7" };
    accounts::sign_in(db, other, now).await.unwrap();
    // After the wait, the right password works and clears the count.
    let later = now + Duration::seconds(3);
    accounts::sign_in(db, attempt("lee@example.org", PASSWORD), later).await.unwrap();
    accounts::sign_in(db, attempt("lee@example.org", "wrong password!"), later).await.unwrap_err();
    accounts::sign_in(db, attempt("lee@example.org", PASSWORD), later).await.unwrap();
}

async fn repeated_failures_are_slowed_per_address(db: &DatabaseConnection) {
    therapist(db, "max@example.org").await;
    let now = start_time();
    for n in 0..30 {
        let email = format!("guess{n}@example.org");
        accounts::sign_in(db, attempt(&email, "guessing away"), now).await.unwrap_err();
    }
    let error = accounts::sign_in(db, attempt("max@example.org", PASSWORD), now).await.unwrap_err();
    assert!(matches!(error, AppError::RateLimited { .. }), "{error:?}");
}

async fn sessions_last_until_idle_or_absolute_timeout(db: &DatabaseConnection) {
    let actor = therapist(db, "jo@example.org").await;
    let policy = SessionPolicy { idle_timeout: Duration::minutes(30), absolute_timeout: Duration::hours(12) };
    let t0 = start_time();
    let token = sessions::start(db, actor, policy, t0).await.unwrap();
    assert_eq!(
        sessions::authenticate(db, &token, policy, t0 + Duration::minutes(29)).await.unwrap(),
        Some(actor)
    );

    // Kept alive by use, it still ends at the absolute timeout.
    let mut now = t0;
    while now < t0 + Duration::hours(11) {
        now += Duration::minutes(20);
        assert_eq!(sessions::authenticate(db, &token, policy, now).await.unwrap(), Some(actor), "at {now}");
    }
    assert_eq!(sessions::authenticate(db, &token, policy, t0 + Duration::hours(12)).await.unwrap(), None);

    // Left idle, it ends after the idle timeout, and is deleted.
    let idle = sessions::start(db, actor, policy, t0).await.unwrap();
    assert_eq!(sessions::authenticate(db, &idle, policy, t0 + Duration::minutes(31)).await.unwrap(), None);
    assert_eq!(sessions::authenticate(db, &idle, policy, t0 + Duration::minutes(1)).await.unwrap(), None);
}

async fn sign_out_ends_the_session_on_the_server(db: &DatabaseConnection) {
    let actor = therapist(db, "pat@example.org").await;
    let policy = SessionPolicy::default();
    let token = sessions::start(db, actor, policy, start_time()).await.unwrap();
    let other_device = sessions::start(db, actor, policy, start_time()).await.unwrap();
    assert_ne!(token, other_device, "every sign-in gets a new token");
    sessions::end(db, &token, start_time()).await.unwrap();
    assert_eq!(sessions::authenticate(db, &token, policy, start_time()).await.unwrap(), None);
    assert_eq!(sessions::authenticate(db, &other_device, policy, start_time()).await.unwrap(), Some(actor));
}

async fn only_token_hashes_are_stored(db: &DatabaseConnection) {
    let actor = therapist(db, "ray@example.org").await;
    let token = sessions::start(db, actor, SessionPolicy::default(), start_time()).await.unwrap();
    let rows = session_rows::Entity::find().all(db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].token_hash, token.expose());
    assert!(!rows[0].token_hash.contains(token.expose()));
}

async fn account_events_are_audited_and_append_only(db: &DatabaseConnection) {
    let actor = therapist(db, "val@example.org").await;
    accounts::sign_in(db, attempt("val@example.org", "wrong password!"), start_time()).await.unwrap_err();
    let token = sessions::start(db, actor, SessionPolicy::default(), start_time()).await.unwrap();
    sessions::end(db, &token, start_time()).await.unwrap();
    let actions: Vec<String> = audit_entries::Entity::find()
        .order_by_asc(audit_entries::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert_eq!(actions, ["account.created", "session.refused", "session.started", "session.ended"]);

    let update = db.execute_unprepared("UPDATE audit_entries SET action = 'erased'").await;
    assert!(update.is_err(), "audit entries must not be updated");
    let delete = db.execute_unprepared("DELETE FROM audit_entries").await;
    assert!(delete.is_err(), "audit entries must not be deleted");
    assert_eq!(audit_entries::Entity::find().count(db).await.unwrap(), 4);
}

async fn concurrent_sign_ups_all_succeed(db: &DatabaseConnection) {
    let mut tasks = Vec::new();
    for n in 0..16 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let form =
                TherapistSignUp::parse("Busy Practice", &format!("t{n}@example.org"), PASSWORD).unwrap();
            let actor = accounts::sign_up_therapist(&db, form, start_time()).await?;
            sessions::start(&db, actor, SessionPolicy::default(), start_time()).await?;
            Ok::<_, AppError>(())
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(session_rows::Entity::find().count(db).await.unwrap(), 16);
}

on_both_databases!(
    sign_up_then_sign_in,
    emails_are_unique_without_case,
    refusals_do_not_reveal_the_account,
    repeated_failures_are_slowed_per_account,
    repeated_failures_are_slowed_per_address,
    sessions_last_until_idle_or_absolute_timeout,
    sign_out_ends_the_session_on_the_server,
    only_token_hashes_are_stored,
    account_events_are_audited_and_append_only,
    concurrent_sign_ups_all_succeed,
);
