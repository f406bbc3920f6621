//! Service tests for the account page's work: changing the password, resetting a forgotten
//! one by email, the devices (sessions) an account is signed in on, and deleting a
//! therapist's account. Run on SQLite and on PostgreSQL.

use crate::support;

use app::{
    domain::case::CaseStatus,
    domain::device::DeviceLabel,
    entities::{
        audit_entries, cases as case_rows, outbox_emails, password_resets, sessions as session_rows, users,
    },
    error::{AppError, SIGN_IN_REFUSED},
    services::{
        account::{
            self,
            deletion::{self, AccountDeletion, DELETED_NAME},
            devices, reset, PasswordChange, CURRENT_PASSWORD_WRONG,
        },
        accounts::{self, SignInAttempt},
        cases, email, export,
        sessions::{self, SessionPolicy},
        tokens::SecretToken,
        Actor,
    },
};
use chrono::Duration;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use support::fixtures::{couple, t0, therapist, PASSWORD};

const NEW_PASSWORD: &str = "a brand new morning walk";

fn change<'a>(current: &'a str, new: &'a str) -> PasswordChange<'a> {
    PasswordChange {
        current_password: current,
        new_password: new,
        client_address: "192.0.2.20".parse().unwrap(),
    }
}

async fn signs_in(db: &DatabaseConnection, email: &str, password: &str) -> bool {
    let attempt = SignInAttempt { email, password, client_address: "198.51.100.1".parse().unwrap() };
    match accounts::sign_in(db, attempt, t0()).await {
        Ok(_) => true,
        Err(error) => {
            assert_eq!(error, AppError::invalid("", SIGN_IN_REFUSED));
            false
        }
    }
}

async fn actions(db: &DatabaseConnection) -> Vec<String> {
    audit_entries::Entity::find()
        .order_by_asc(audit_entries::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect()
}

async fn live(db: &DatabaseConnection, token: &SecretToken) -> Option<Actor> {
    sessions::authenticate(db, token, SessionPolicy::default(), t0()).await.unwrap()
}

async fn changing_the_password_needs_the_current_one_and_ends_other_sessions(db: &DatabaseConnection) {
    let actor = therapist(db, "ana@example.org").await;
    let policy = SessionPolicy::default();
    let here = sessions::start(db, actor, policy, t0()).await.unwrap();
    let elsewhere = sessions::start(db, actor, policy, t0()).await.unwrap();

    let wrong = account::change_password(db, actor, &here, change("not my password", NEW_PASSWORD), t0())
        .await
        .unwrap_err();
    assert_eq!(wrong, AppError::invalid("current_password", CURRENT_PASSWORD_WRONG));
    let weak = account::change_password(db, actor, &here, change(PASSWORD, "short"), t0()).await.unwrap_err();
    assert!(weak.message_for("new_password").is_some(), "{weak:?}");
    assert!(signs_in(db, "ana@example.org", PASSWORD).await, "nothing changed yet");
    assert_eq!(live(db, &elsewhere).await, Some(actor));

    account::change_password(db, actor, &here, change(PASSWORD, NEW_PASSWORD), t0()).await.unwrap();
    assert_eq!(live(db, &here).await, Some(actor), "the current session stays");
    assert_eq!(live(db, &elsewhere).await, None, "every other session ends");
    assert!(!signs_in(db, "ana@example.org", PASSWORD).await);
    assert!(signs_in(db, "ana@example.org", NEW_PASSWORD).await);
    let trail = actions(db).await;
    assert!(trail.contains(&"account.password_change_refused".to_owned()), "{trail:?}");
    assert!(trail.contains(&"account.password_changed".to_owned()), "{trail:?}");
}

async fn wrong_current_passwords_are_throttled_like_sign_in(db: &DatabaseConnection) {
    let actor = therapist(db, "lee@example.org").await;
    let here = sessions::start(db, actor, SessionPolicy::default(), t0()).await.unwrap();
    for _ in 0..5 {
        account::change_password(db, actor, &here, change("guess guess guess", NEW_PASSWORD), t0())
            .await
            .unwrap_err();
    }
    let error =
        account::change_password(db, actor, &here, change(PASSWORD, NEW_PASSWORD), t0()).await.unwrap_err();
    assert!(matches!(error, AppError::RateLimited { .. }), "{error:?}");
    // The counter is the sign-in's: signing in must wait too.
    let attempt = SignInAttempt {
        email: "lee@example.org",
        password: PASSWORD,
        client_address: "203.0.113.9".parse().unwrap(),
    };
    assert!(matches!(accounts::sign_in(db, attempt, t0()).await, Err(AppError::RateLimited { .. })));
}

/// The reset link the mail worker would put in the email: the token it mints when sending.
async fn send_reset_email(db: &DatabaseConnection, to: &str) -> SecretToken {
    let row = outbox_emails::Entity::find()
        .filter(outbox_emails::Column::ToAddress.eq(to))
        .filter(outbox_emails::Column::Kind.eq("password_reset"))
        .order_by_desc(outbox_emails::Column::Id)
        .one(db)
        .await
        .unwrap()
        .expect("a reset email was queued");
    reset::mint_token(db, row.id, t0()).await.unwrap().expect("a usable link")
}

async fn reset_emails(db: &DatabaseConnection) -> Vec<outbox_emails::Model> {
    outbox_emails::Entity::find()
        .filter(outbox_emails::Column::Kind.eq("password_reset"))
        .all(db)
        .await
        .unwrap()
}

async fn a_reset_link_works_once_and_ends_every_session(db: &DatabaseConnection) {
    let actor = therapist(db, "kim@example.org").await;
    let policy = SessionPolicy::default();
    let one = sessions::start(db, actor, policy, t0()).await.unwrap();
    let two = sessions::start(db, actor, policy, t0()).await.unwrap();
    reset::request_reset(db, "Kim@Example.org", "192.0.2.1".parse().unwrap(), t0()).await.unwrap();

    // The outbox holds no usable link: the text has a placeholder, the row no hash.
    let queued = reset_emails(db).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].subject, "Your Babysteps password");
    assert!(queued[0].text_body.contains(email::LINK_PLACEHOLDER) && queued[0].case_id.is_none());
    let row = password_resets::Entity::find().one(db).await.unwrap().unwrap();
    assert_eq!(row.token_hash, None);

    let token = send_reset_email(db, "kim@example.org").await;
    assert_eq!(reset::link_path(&token), format!("/reset-password/{}", token.expose()));
    let stored = password_resets::Entity::find().one(db).await.unwrap().unwrap().token_hash.unwrap();
    assert_eq!(stored, token.hash(), "only the hash is stored");
    assert_eq!(reset::check_link(db, &token, t0()).await.unwrap(), reset::ResetLink::Valid);

    let weak = reset::reset_password(db, &token, "kim@example.org", t0()).await.unwrap_err();
    assert!(weak.message_for("password").is_some(), "the usual rules: {weak:?}");
    reset::reset_password(db, &token, NEW_PASSWORD, t0()).await.unwrap();
    assert_eq!(live(db, &one).await, None);
    assert_eq!(live(db, &two).await, None);
    assert!(signs_in(db, "kim@example.org", NEW_PASSWORD).await);
    assert!(!signs_in(db, "kim@example.org", PASSWORD).await);

    assert_eq!(reset::check_link(db, &token, t0()).await.unwrap(), reset::ResetLink::Used);
    let again = reset::reset_password(db, &token, "yet another long one", t0()).await.unwrap_err();
    assert_eq!(again, AppError::conflict(reset::LINK_USED));
    assert!(signs_in(db, "kim@example.org", NEW_PASSWORD).await, "the second use changed nothing");
    let forged = SecretToken::generate();
    assert_eq!(reset::check_link(db, &forged, t0()).await.unwrap(), reset::ResetLink::Unknown);
    assert_eq!(reset::reset_password(db, &forged, NEW_PASSWORD, t0()).await, Err(AppError::NotFound));
    let trail = actions(db).await;
    for action in ["account.password_reset_requested", "account.password_reset", "sessions.ended"] {
        assert!(trail.contains(&action.to_owned()), "{action}: {trail:?}");
    }
}

async fn a_reset_link_expires_after_30_minutes(db: &DatabaseConnection) {
    therapist(db, "jo@example.org").await;
    reset::request_reset(db, "jo@example.org", "192.0.2.1".parse().unwrap(), t0()).await.unwrap();
    let token = send_reset_email(db, "jo@example.org").await;
    let almost = t0() + Duration::minutes(29) + Duration::seconds(59);
    assert_eq!(reset::check_link(db, &token, almost).await.unwrap(), reset::ResetLink::Valid);
    let late = t0() + Duration::minutes(30);
    assert_eq!(reset::check_link(db, &token, late).await.unwrap(), reset::ResetLink::Expired);
    let error = reset::reset_password(db, &token, NEW_PASSWORD, late).await.unwrap_err();
    assert_eq!(error, AppError::conflict(reset::LINK_EXPIRED));
    // The worker cannot mint a link for an email sent too late either.
    let row = reset_emails(db).await.remove(0);
    assert_eq!(reset::mint_token(db, row.id, late).await.unwrap(), None);
    assert!(signs_in(db, "jo@example.org", PASSWORD).await);
}

async fn a_newer_request_retires_the_older_link(db: &DatabaseConnection) {
    therapist(db, "max@example.org").await;
    reset::request_reset(db, "max@example.org", "192.0.2.1".parse().unwrap(), t0()).await.unwrap();
    let first = send_reset_email(db, "max@example.org").await;
    let later = t0() + Duration::minutes(1);
    reset::request_reset(db, "max@example.org", "192.0.2.1".parse().unwrap(), later).await.unwrap();
    assert_eq!(reset::check_link(db, &first, later).await.unwrap(), reset::ResetLink::Expired);
    let second = send_reset_email(db, "max@example.org").await;
    assert_eq!(reset::check_link(db, &second, later).await.unwrap(), reset::ResetLink::Valid);
}

async fn unknown_and_client_emails_get_the_same_answer(db: &DatabaseConnection) {
    couple(db, "same").await;
    let therapist_answer =
        reset::request_reset(db, "t.same@example.org", "192.0.2.1".parse().unwrap(), t0()).await;
    let client_answer =
        reset::request_reset(db, "a.same@example.org", "192.0.2.1".parse().unwrap(), t0()).await;
    let unknown_answer =
        reset::request_reset(db, "nobody@example.org", "192.0.2.1".parse().unwrap(), t0()).await;
    assert_eq!(therapist_answer, Ok(()));
    assert_eq!(client_answer, therapist_answer);
    assert_eq!(unknown_answer, therapist_answer);
    // A malformed address is refused alike, at its field.
    let malformed = reset::request_reset(db, "not an email", "192.0.2.1".parse().unwrap(), t0()).await;
    assert!(malformed.unwrap_err().message_for("email").is_some());
    // Only the two accounts got an email; the unknown address got nothing.
    let mut to: Vec<String> = reset_emails(db).await.into_iter().map(|email| email.to_address).collect();
    to.sort();
    assert_eq!(to, ["a.same@example.org", "t.same@example.org"]);
    // Too many requests for one email are refused alike, whether or not it has an account.
    for _ in 0..2 {
        reset::request_reset(db, "t.same@example.org", "192.0.2.1".parse().unwrap(), t0()).await.unwrap();
        reset::request_reset(db, "nobody@example.org", "192.0.2.1".parse().unwrap(), t0()).await.unwrap();
    }
    let known = reset::request_reset(db, "t.same@example.org", "192.0.2.1".parse().unwrap(), t0()).await;
    let unknown = reset::request_reset(db, "nobody@example.org", "192.0.2.1".parse().unwrap(), t0()).await;
    assert!(matches!(known, Err(AppError::RateLimited { .. })), "{known:?}");
    assert_eq!(known, unknown);
    // A client's reset works like a therapist's.
    let token = send_reset_email(db, "a.same@example.org").await;
    reset::reset_password(db, &token, NEW_PASSWORD, t0()).await.unwrap();
    assert!(signs_in(db, "a.same@example.org", NEW_PASSWORD).await);
}

async fn devices_list_only_the_accounts_own_live_sessions(db: &DatabaseConnection) {
    let c = couple(db, "dev").await;
    let policy = SessionPolicy::default();
    let firefox = DeviceLabel::from_user_agent(
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    );
    let here = sessions::start_on_device(db, c.a, policy, &firefox, t0()).await.unwrap();
    let phone =
        DeviceLabel::from_user_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1");
    sessions::start_on_device(db, c.a, policy, &phone, t0() + Duration::minutes(5)).await.unwrap();
    sessions::start(db, c.b, policy, t0()).await.unwrap();
    let now = t0() + Duration::minutes(10);
    let list = devices::list(db, c.a, &here, policy, now).await.unwrap();
    let labels: Vec<(&str, bool)> = list.iter().map(|d| (d.label.as_str(), d.current)).collect();
    assert_eq!(labels, [("Firefox on Linux", true), ("Safari on iOS", false)]);
    assert_eq!(list[1].signed_in_at, t0() + Duration::minutes(5));
    // An idle session is no longer listed.
    let later = t0() + Duration::minutes(32);
    let list = devices::list(db, c.a, &here, policy, later).await.unwrap();
    assert_eq!(list.len(), 1, "only the session used within 30 minutes: {list:?}");
}

async fn signing_out_one_device_touches_only_own_sessions(db: &DatabaseConnection) {
    let c = couple(db, "one").await;
    let policy = SessionPolicy::default();
    let here = sessions::start(db, c.a, policy, t0()).await.unwrap();
    let other_device = sessions::start(db, c.a, policy, t0()).await.unwrap();
    let partners = sessions::start(db, c.b, policy, t0()).await.unwrap();
    let b_session = devices::list(db, c.b, &partners, policy, t0()).await.unwrap()[0].session_id;
    assert_eq!(devices::sign_out_one(db, c.a, &here, b_session, t0()).await, Err(AppError::NotFound));
    assert_eq!(devices::sign_out_one(db, c.a, &here, 999_999, t0()).await, Err(AppError::NotFound));
    assert_eq!(live(db, &partners).await, Some(c.b));

    let list = devices::list(db, c.a, &here, policy, t0()).await.unwrap();
    let other = list.iter().find(|d| !d.current).unwrap().session_id;
    assert!(!devices::sign_out_one(db, c.a, &here, other, t0()).await.unwrap());
    assert_eq!(live(db, &other_device).await, None);
    assert_eq!(live(db, &here).await, Some(c.a));
    let current = devices::list(db, c.a, &here, policy, t0()).await.unwrap()[0].session_id;
    assert!(devices::sign_out_one(db, c.a, &here, current, t0()).await.unwrap(), "it was this one");
    assert_eq!(live(db, &here).await, None);
    assert!(actions(db).await.contains(&"session.ended_from_account".to_owned()));
}

async fn signing_out_everywhere_ends_every_own_session(db: &DatabaseConnection) {
    let c = couple(db, "all").await;
    let policy = SessionPolicy::default();
    let mine = [
        sessions::start(db, c.a, policy, t0()).await.unwrap(),
        sessions::start(db, c.a, policy, t0()).await.unwrap(),
    ];
    let partners = sessions::start(db, c.b, policy, t0()).await.unwrap();
    devices::sign_out_everywhere(db, c.a, t0()).await.unwrap();
    for token in &mine {
        assert_eq!(live(db, token).await, None);
    }
    assert_eq!(live(db, &partners).await, Some(c.b));
    assert!(actions(db).await.contains(&"sessions.ended_by_owner".to_owned()));
}

fn deletion(password: &str, confirmed: bool) -> AccountDeletion<'_> {
    AccountDeletion { current_password: password, confirmed, client_address: "192.0.2.30".parse().unwrap() }
}

async fn a_therapist_deletes_their_account_once_every_case_is_closed_and_downloaded(db: &DatabaseConnection) {
    let c = couple(db, "deleting").await;
    let delete = |password: &'static str, confirmed: bool, at| {
        deletion::delete_therapist_account(db, c.therapist, deletion(password, confirmed), at)
    };
    // A client has no account to delete this way.
    let refused = deletion::delete_therapist_account(db, c.a, deletion(PASSWORD, true), t0()).await;
    assert_eq!(refused.unwrap_err(), AppError::Forbidden);
    // The password and the tick, at their fields.
    let wrong = delete("not my password", true, t0()).await.unwrap_err();
    assert_eq!(wrong.message_for("current_password"), Some(CURRENT_PASSWORD_WRONG.to_owned()));
    assert!(actions(db).await.contains(&"account.deletion_refused".to_owned()));
    assert!(delete(PASSWORD, false, t0()).await.unwrap_err().message_for("confirm").is_some());
    // An open case holds it back, by name.
    let open = delete(PASSWORD, true, t0()).await.unwrap_err();
    assert!(matches!(&open, AppError::Conflict { message } if message.contains("Alex & Sam")), "{open:?}");
    // Closed but never downloaded: still refused.
    cases::set_status(db, c.therapist, c.case_id, CaseStatus::Closed, t0()).await.unwrap();
    let later = t0() + Duration::minutes(5);
    let undownloaded = delete(PASSWORD, true, later).await.unwrap_err();
    assert!(
        matches!(&undownloaded, AppError::Conflict { message } if message.contains("Download")),
        "{undownloaded:?}"
    );
    let still = users::Entity::find_by_id(c.therapist.user_id).one(db).await.unwrap().unwrap();
    assert_eq!(still.email, "t.deleting@example.org", "nothing changed while refused");

    // Downloaded: the account goes, with the case's content.
    export::case_export(db, c.therapist, c.case_id, later).await.unwrap();
    delete(PASSWORD, true, later + Duration::minutes(1)).await.unwrap();
    let trail = actions(db).await;
    assert_eq!(trail.last().map(String::as_str), Some("account.deleted"), "{trail:?}");
    assert!(trail.contains(&"content.erased".to_owned()), "the case's tombstone: {trail:?}");
    let gone = users::Entity::find_by_id(c.therapist.user_id).one(db).await.unwrap().unwrap();
    assert_eq!(gone.email, format!("{}.deleted@invalid", gone.id));
    assert_eq!((gone.display_name.as_str(), gone.practice_name.as_str()), (DELETED_NAME, ""));
    assert!(!signs_in(db, "t.deleting@example.org", PASSWORD).await, "nobody signs in as it again");
    let live = session_rows::Entity::find()
        .filter(session_rows::Column::UserId.eq(c.therapist.user_id))
        .all(db)
        .await
        .unwrap();
    assert!(live.is_empty(), "every session ended");
    let case = case_rows::Entity::find_by_id(c.case_id).one(db).await.unwrap().unwrap();
    assert!(case.erased_at.is_some() && case.label.starts_with("Erased case"), "{case:?}");
    assert!(
        users::Entity::find_by_id(c.a.user_id).one(db).await.unwrap().is_none(),
        "the partners' accounts go"
    );
    // The address is free for a new account.
    therapist(db, "t.deleting@example.org").await;
}

on_both_databases!(
    a_therapist_deletes_their_account_once_every_case_is_closed_and_downloaded,
    changing_the_password_needs_the_current_one_and_ends_other_sessions,
    wrong_current_passwords_are_throttled_like_sign_in,
    a_reset_link_works_once_and_ends_every_session,
    a_reset_link_expires_after_30_minutes,
    a_newer_request_retires_the_older_link,
    unknown_and_client_emails_get_the_same_answer,
    devices_list_only_the_accounts_own_live_sessions,
    signing_out_one_device_touches_only_own_sessions,
    signing_out_everywhere_ends_every_own_session,
);
