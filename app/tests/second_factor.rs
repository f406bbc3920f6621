//! Service tests for the second factor (`services/second_factor.rs`): enrolment needs the
//! password and a valid code, sign-in takes a code on a second step, a code is accepted
//! once, wrong codes are throttled, recovery codes work once, removal needs the password,
//! and a pending sign-in expires and works once — on SQLite and PostgreSQL, on the fixed
//! clock (codes are computed from the secret with the same crate).

use crate::support;

use app::{
    domain::Role,
    entities::{audit_entries, second_factors},
    error::{AppError, CODE_REFUSED, SIGN_IN_EXPIRED, TOTP_UNREADABLE},
    services::{
        accounts::{self, SignInAttempt},
        sealing::SealingKey,
        second_factor::{self, SealingReport, PENDING_SIGN_IN_MINUTES, RECOVERY_CODE_COUNT},
        sessions::{self, SessionPolicy},
        tokens::SecretToken,
        Actor,
    },
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{sea_query::Expr, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use support::fixtures::{couple, t0, therapist, PASSWORD};
use totp_rs::{Builder, Secret};

/// The code an authenticator app with `secret` (as the page shows it) gives at `at`.
fn code_at(secret: &str, at: DateTime<Utc>) -> String {
    let secret = Secret::try_from_base32(secret.replace(' ', "")).unwrap();
    let totp = Builder::new().with_secret(secret).build().unwrap();
    totp.generate(u64::try_from(at.timestamp()).unwrap()).to_string()
}

/// The server's sealing key in these tests.
fn key() -> SealingKey {
    SealingKey::from_text("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=").unwrap()
}

/// Another server's key.
fn other_key() -> SealingKey {
    SealingKey::from_text("CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=").unwrap()
}

/// A six-digit code that is not `code`.
fn other_than(code: &str) -> &'static str {
    if code == "000000" {
        "111111"
    } else {
        "000000"
    }
}

async fn audited(db: &DatabaseConnection, action: &str) -> u64 {
    audit_entries::Entity::find().filter(audit_entries::Column::Action.eq(action)).count(db).await.unwrap()
}

/// A therapist who set up a second factor at `t0`: the account, its secret and its
/// recovery codes.
async fn enrolled(db: &DatabaseConnection, email: &str) -> (Actor, String, Vec<String>) {
    let actor = therapist(db, email).await;
    second_factor::start_enrolment(db, &key(), actor, PASSWORD, t0()).await.unwrap();
    let secret = second_factor::status(db, &key(), actor, t0()).await.unwrap().enrolment.unwrap().secret;
    let codes =
        second_factor::confirm_enrolment(db, &key(), actor, &code_at(&secret, t0()), t0()).await.unwrap();
    (actor, secret, codes)
}

/// A correct password for `email` at `at`, and the pending sign-in it starts.
async fn password_step(db: &DatabaseConnection, email: &str, at: DateTime<Utc>) -> SecretToken {
    let attempt = SignInAttempt { email, password: PASSWORD, client_address: "192.0.2.10".parse().unwrap() };
    let actor = accounts::sign_in(db, attempt, at).await.unwrap();
    second_factor::begin_sign_in(db, actor, at).await.unwrap().expect("a pending sign-in")
}

async fn enrolment_needs_password_and_a_valid_code(db: &DatabaseConnection) {
    let actor = therapist(db, "ana@example.org").await;
    let wrong = second_factor::start_enrolment(db, &key(), actor, "not my password", t0()).await.unwrap_err();
    assert!(wrong.message_for("password").is_some(), "{wrong:?}");
    assert_eq!(second_factor::status(db, &key(), actor, t0()).await.unwrap().enrolment, None);

    second_factor::start_enrolment(db, &key(), actor, PASSWORD, t0()).await.unwrap();
    let status = second_factor::status(db, &key(), actor, t0()).await.unwrap();
    assert!(!status.enrolled);
    let enrolment = status.enrolment.unwrap();
    assert!(enrolment.qr_image.starts_with("data:image/svg+xml;base64,"));
    // 160 bits in base32 (32 characters), grouped in fours.
    assert_eq!(enrolment.secret.replace(' ', "").len(), 32);
    let right = code_at(&enrolment.secret, t0());

    let refused =
        second_factor::confirm_enrolment(db, &key(), actor, other_than(&right), t0()).await.unwrap_err();
    assert_eq!(refused, AppError::invalid("code", CODE_REFUSED));
    assert!(!second_factor::status(db, &key(), actor, t0()).await.unwrap().enrolled);
    assert_eq!(audited(db, "second_factor.code_refused").await, 1);

    let codes = second_factor::confirm_enrolment(db, &key(), actor, &right, t0()).await.unwrap();
    assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
    let status = second_factor::status(db, &key(), actor, t0()).await.unwrap();
    assert!(status.enrolled);
    assert_eq!(status.enrolment, None, "the secret is never shown again");
    assert_eq!(status.recovery_codes_left, RECOVERY_CODE_COUNT as u64);
    assert_eq!(audited(db, "second_factor.enrolled").await, 1);
    // Only hashes of recovery codes are stored.
    let stored = app::entities::recovery_codes::Entity::find().all(db).await.unwrap();
    for code in &codes {
        assert!(stored.iter().all(|row| !row.code_hash.contains(&code.replace('-', ""))));
    }
    // A second set-up needs the first removed.
    let again = second_factor::start_enrolment(db, &key(), actor, PASSWORD, t0()).await.unwrap_err();
    assert!(matches!(again, AppError::Conflict { .. }), "{again:?}");
}

async fn a_started_enrolment_ends_after_ten_minutes(db: &DatabaseConnection) {
    let actor = therapist(db, "kai@example.org").await;
    second_factor::start_enrolment(db, &key(), actor, PASSWORD, t0()).await.unwrap();
    let secret = second_factor::status(db, &key(), actor, t0()).await.unwrap().enrolment.unwrap().secret;
    let later = t0() + Duration::minutes(10);
    assert_eq!(second_factor::status(db, &key(), actor, later).await.unwrap().enrolment, None);
    let error = second_factor::confirm_enrolment(db, &key(), actor, &code_at(&secret, later), later)
        .await
        .unwrap_err();
    assert!(matches!(error, AppError::Conflict { .. }), "{error:?}");
}

async fn sign_in_takes_a_code_on_a_second_step(db: &DatabaseConnection) {
    let (actor, secret, _) = enrolled(db, "ana@example.org").await;
    let at = t0() + Duration::minutes(1);
    let token = password_step(db, "ana@example.org", at).await;
    let signed_in =
        second_factor::finish_sign_in(db, &key(), &token, &code_at(&secret, at), at).await.unwrap();
    assert_eq!(signed_in, actor);
    assert_eq!(audited(db, "second_factor.code_accepted").await, 1);

    // An account without a second factor signs in with the password alone.
    let other = therapist(db, "ben@example.org").await;
    assert_eq!(second_factor::begin_sign_in(db, other, at).await.unwrap(), None);
}

async fn a_code_is_accepted_once(db: &DatabaseConnection) {
    let (_, secret, _) = enrolled(db, "ana@example.org").await;
    // The code that confirmed the enrolment (step of t0) cannot sign in, even within drift.
    let at = t0() + Duration::seconds(30);
    let token = password_step(db, "ana@example.org", at).await;
    let reused =
        second_factor::finish_sign_in(db, &key(), &token, &code_at(&secret, t0()), at).await.unwrap_err();
    assert_eq!(reused, AppError::invalid("code", CODE_REFUSED));
    // The current code works once…
    let current = code_at(&secret, at);
    second_factor::finish_sign_in(db, &key(), &token, &current, at).await.unwrap();
    // …and not again on another sign-in in the same step.
    let token = password_step(db, "ana@example.org", at).await;
    let again = second_factor::finish_sign_in(db, &key(), &token, &current, at).await.unwrap_err();
    assert_eq!(again, AppError::invalid("code", CODE_REFUSED));
    // Nor is an earlier step's code (still within drift) accepted after a later one.
    let later = at + Duration::seconds(30);
    second_factor::finish_sign_in(db, &key(), &token, &code_at(&secret, later), later).await.unwrap();
    let token = password_step(db, "ana@example.org", later).await;
    let earlier = second_factor::finish_sign_in(db, &key(), &token, &current, later).await.unwrap_err();
    assert_eq!(earlier, AppError::invalid("code", CODE_REFUSED));
}

async fn wrong_codes_are_throttled_per_account(db: &DatabaseConnection) {
    let (_, secret, _) = enrolled(db, "ana@example.org").await;
    let at = t0() + Duration::minutes(1);
    let right = code_at(&secret, at);
    let token = password_step(db, "ana@example.org", at).await;
    for _ in 0..5 {
        second_factor::finish_sign_in(db, &key(), &token, other_than(&right), at).await.unwrap_err();
    }
    assert_eq!(audited(db, "second_factor.code_refused").await, 5);
    // Even the right code must wait now, and a correct password does not lift the wait.
    let token = password_step(db, "ana@example.org", at).await;
    let error = second_factor::finish_sign_in(db, &key(), &token, &right, at).await.unwrap_err();
    assert!(matches!(error, AppError::RateLimited { .. }), "{error:?}");
    // After the wait the right code works.
    let later = at + Duration::seconds(3);
    second_factor::finish_sign_in(db, &key(), &token, &code_at(&secret, later), later).await.unwrap();
}

async fn recovery_codes_work_once(db: &DatabaseConnection) {
    let (actor, _, codes) = enrolled(db, "ana@example.org").await;
    let at = t0() + Duration::minutes(1);
    let token = password_step(db, "ana@example.org", at).await;
    // Typed in upper case, with spaces for hyphens: the same code.
    let typed = codes[3].to_uppercase().replace('-', " ");
    assert_eq!(second_factor::finish_sign_in(db, &key(), &token, &typed, at).await.unwrap(), actor);
    assert_eq!(audited(db, "second_factor.recovery_code_used").await, 1);
    assert_eq!(
        second_factor::status(db, &key(), actor, at).await.unwrap().recovery_codes_left,
        RECOVERY_CODE_COUNT as u64 - 1
    );
    let token = password_step(db, "ana@example.org", at).await;
    let again = second_factor::finish_sign_in(db, &key(), &token, &codes[3], at).await.unwrap_err();
    assert_eq!(again, AppError::invalid("code", CODE_REFUSED));
    // Another account's recovery code is no use here.
    let (_, _, others) = enrolled(db, "ben@example.org").await;
    let foreign = second_factor::finish_sign_in(db, &key(), &token, &others[0], at).await.unwrap_err();
    assert_eq!(foreign, AppError::invalid("code", CODE_REFUSED));
    second_factor::finish_sign_in(db, &key(), &token, &codes[4], at).await.unwrap();
}

async fn removing_needs_the_password(db: &DatabaseConnection) {
    let (actor, _, _) = enrolled(db, "ana@example.org").await;
    let wrong = second_factor::remove(db, actor, "not my password", t0()).await.unwrap_err();
    assert!(wrong.message_for("password").is_some(), "{wrong:?}");
    assert!(second_factor::status(db, &key(), actor, t0()).await.unwrap().enrolled);

    second_factor::remove(db, actor, PASSWORD, t0()).await.unwrap();
    let status = second_factor::status(db, &key(), actor, t0()).await.unwrap();
    assert!(!status.enrolled);
    assert_eq!(status.recovery_codes_left, 0);
    assert_eq!(audited(db, "second_factor.removed").await, 1);
    assert_eq!(app::entities::recovery_codes::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(second_factor::begin_sign_in(db, actor, t0()).await.unwrap(), None);
}

async fn a_pending_sign_in_expires_and_works_once(db: &DatabaseConnection) {
    let (_, secret, _) = enrolled(db, "ana@example.org").await;
    let at = t0() + Duration::minutes(1);
    let token = password_step(db, "ana@example.org", at).await;
    let late = at + Duration::minutes(PENDING_SIGN_IN_MINUTES);
    let expired =
        second_factor::finish_sign_in(db, &key(), &token, &code_at(&secret, late), late).await.unwrap_err();
    assert_eq!(expired, AppError::invalid("", SIGN_IN_EXPIRED));

    let token = password_step(db, "ana@example.org", late).await;
    let just_in_time = late + Duration::minutes(PENDING_SIGN_IN_MINUTES) - Duration::seconds(1);
    second_factor::finish_sign_in(db, &key(), &token, &code_at(&secret, just_in_time), just_in_time)
        .await
        .unwrap();
    let next = just_in_time + Duration::seconds(30);
    let reused =
        second_factor::finish_sign_in(db, &key(), &token, &code_at(&secret, next), next).await.unwrap_err();
    assert_eq!(reused, AppError::invalid("", SIGN_IN_EXPIRED));
    // Only the token's hash is stored.
    let stored = app::entities::pending_sign_ins::Entity::find().all(db).await.unwrap();
    assert!(stored.iter().all(|row| row.token_hash != token.expose()));
    let forged = SecretToken::from_text("not-a-token");
    let error = second_factor::finish_sign_in(db, &key(), &forged, "123456", next).await.unwrap_err();
    assert_eq!(error, AppError::invalid("", SIGN_IN_EXPIRED));
}

/// Whether the banner asking `actor` to set up a second factor shows: read, as each request
/// reads it, with the session.
async fn asked_to_set_one_up(db: &DatabaseConnection, actor: Actor) -> bool {
    let policy = SessionPolicy::default();
    let token = sessions::start(db, actor, policy, t0()).await.unwrap();
    sessions::authenticate_account(db, &token, policy, t0()).await.unwrap().unwrap().second_factor_missing()
}

async fn therapists_are_asked_to_set_one_up(db: &DatabaseConnection) {
    let couple = couple(db, "sf").await;
    assert!(second_factor::status(db, &key(), couple.therapist, t0()).await.unwrap().required);
    assert!(asked_to_set_one_up(db, couple.therapist).await);
    // Clients may set one up, but nothing asks them to, and the setting is not theirs.
    assert_eq!(couple.a.role, Role::Client);
    assert!(!asked_to_set_one_up(db, couple.a).await);
    let refused = second_factor::set_required(db, couple.a, true, t0()).await.unwrap_err();
    assert_eq!(refused, AppError::Forbidden);
    // A client enrols like anyone.
    second_factor::start_enrolment(db, &key(), couple.a, PASSWORD, t0()).await.unwrap();
    let secret = second_factor::status(db, &key(), couple.a, t0()).await.unwrap().enrolment.unwrap().secret;
    second_factor::confirm_enrolment(db, &key(), couple.a, &code_at(&secret, t0()), t0()).await.unwrap();
    assert!(second_factor::status(db, &key(), couple.a, t0()).await.unwrap().enrolled);
    // A started enrolment is not enough for the therapist: only a confirmed one ends the
    // reminder.
    second_factor::start_enrolment(db, &key(), couple.therapist, PASSWORD, t0()).await.unwrap();
    assert!(asked_to_set_one_up(db, couple.therapist).await);
    let secret =
        second_factor::status(db, &key(), couple.therapist, t0()).await.unwrap().enrolment.unwrap().secret;
    second_factor::confirm_enrolment(db, &key(), couple.therapist, &code_at(&secret, t0()), t0())
        .await
        .unwrap();
    assert!(!asked_to_set_one_up(db, couple.therapist).await);
    // Another therapist may turn the requirement off, and the reminder goes.
    let other = therapist(db, "sf-other@example.org").await;
    assert!(asked_to_set_one_up(db, other).await);
    second_factor::set_required(db, other, false, t0()).await.unwrap();
    assert!(!asked_to_set_one_up(db, other).await);
}

/// The secret's column as stored.
async fn stored_secret(db: &DatabaseConnection, actor: Actor) -> String {
    second_factors::Entity::find_by_id(actor.user_id).one(db).await.unwrap().unwrap().secret
}

async fn the_secret_is_sealed_at_rest(db: &DatabaseConnection) {
    let actor = therapist(db, "ana@example.org").await;
    second_factor::start_enrolment(db, &key(), actor, PASSWORD, t0()).await.unwrap();
    let shown = second_factor::status(db, &key(), actor, t0()).await.unwrap().enrolment.unwrap().secret;
    let plain = shown.replace(' ', "");
    let stored = stored_secret(db, actor).await;
    assert!(stored.starts_with("v1:"), "{stored}");
    assert!(!stored.contains(&plain), "{stored}");
    second_factor::confirm_enrolment(db, &key(), actor, &code_at(&shown, t0()), t0()).await.unwrap();
    assert!(!stored_secret(db, actor).await.contains(&plain));
    // Sign-in with a code from the app still works.
    let at = t0() + Duration::minutes(1);
    let token = password_step(db, "ana@example.org", at).await;
    assert_eq!(
        second_factor::finish_sign_in(db, &key(), &token, &code_at(&shown, at), at).await.unwrap(),
        actor
    );
}

async fn plain_text_secrets_are_sealed_at_start_up(db: &DatabaseConnection) {
    let (actor, shown, _) = enrolled(db, "ana@example.org").await;
    let plain = shown.replace(' ', "");
    // A secret stored before sealing existed.
    second_factors::Entity::update_many()
        .col_expr(second_factors::Column::Secret, Expr::value(plain.clone()))
        .filter(second_factors::Column::UserId.eq(actor.user_id))
        .exec(db)
        .await
        .unwrap();
    // It still works as it is…
    let at = t0() + Duration::minutes(1);
    let token = password_step(db, "ana@example.org", at).await;
    second_factor::finish_sign_in(db, &key(), &token, &code_at(&shown, at), at).await.unwrap();
    // …and start-up seals it, once.
    let report = second_factor::seal_stored_secrets(db, &key()).await.unwrap();
    assert_eq!(report, SealingReport { sealed_now: 1, unopenable: 0 });
    let stored = stored_secret(db, actor).await;
    assert!(stored.starts_with("v1:") && !stored.contains(&plain), "{stored}");
    assert_eq!(second_factor::seal_stored_secrets(db, &key()).await.unwrap(), SealingReport::default());
    let later = at + Duration::minutes(1);
    let token = password_step(db, "ana@example.org", later).await;
    second_factor::finish_sign_in(db, &key(), &token, &code_at(&shown, later), later).await.unwrap();
    // A server started with another key notices at once.
    let report = second_factor::seal_stored_secrets(db, &other_key()).await.unwrap();
    assert_eq!(report, SealingReport { sealed_now: 0, unopenable: 1 });
}

async fn a_wrong_key_refuses_cleanly(db: &DatabaseConnection) {
    let (actor, shown, codes) = enrolled(db, "ana@example.org").await;
    let at = t0() + Duration::minutes(1);
    let token = password_step(db, "ana@example.org", at).await;
    // A code from the app cannot be checked: a clear refusal at the field, not a 500.
    let refused =
        second_factor::finish_sign_in(db, &other_key(), &token, &code_at(&shown, at), at).await.unwrap_err();
    assert_eq!(refused, AppError::invalid("code", TOTP_UNREADABLE));
    assert_eq!(refused.status_code(), 422);
    // A recovery code still signs in.
    assert_eq!(second_factor::finish_sign_in(db, &other_key(), &token, &codes[0], at).await.unwrap(), actor);
    // The status page still answers; a started set-up it cannot open is simply gone.
    assert!(second_factor::status(db, &other_key(), actor, at).await.unwrap().enrolled);
    let other = therapist(db, "ben@example.org").await;
    second_factor::start_enrolment(db, &key(), other, PASSWORD, t0()).await.unwrap();
    let status = second_factor::status(db, &other_key(), other, t0()).await.unwrap();
    assert_eq!(status.enrolment, None);
    let ended = second_factor::confirm_enrolment(db, &other_key(), other, "123456", t0()).await.unwrap_err();
    assert_eq!(ended.status_code(), 409, "{ended:?}");
}

on_both_databases!(
    the_secret_is_sealed_at_rest,
    plain_text_secrets_are_sealed_at_start_up,
    a_wrong_key_refuses_cleanly,
    enrolment_needs_password_and_a_valid_code,
    a_started_enrolment_ends_after_ten_minutes,
    sign_in_takes_a_code_on_a_second_step,
    a_code_is_accepted_once,
    wrong_codes_are_throttled_per_account,
    recovery_codes_work_once,
    removing_needs_the_password,
    a_pending_sign_in_expires_and_works_once,
    therapists_are_asked_to_set_one_up,
);
