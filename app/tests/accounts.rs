//! Service tests for accounts, sessions, the sign-in throttle and the audit trail, run on
//! SQLite and on PostgreSQL.

use crate::support;

use app::{
    domain::{
        homework::Recipients,
        outbox::{AccountLinkPurpose, EmailKind},
        Role,
    },
    entities::{
        account_links, audit_entries, invitations as invitation_rows, outbox_emails,
        sessions as session_rows, users,
    },
    error::{AppError, SIGN_IN_REFUSED},
    services::{
        access,
        accounts::{self, SignInAttempt, TherapistSignUp},
        cases::{self, CaseDraft, PartnerFields},
        invitations, messages, outbox,
        sessions::{self, SessionPolicy},
        throttle::{self, PER_ACCOUNT},
        tokens::SecretToken,
        Actor,
    },
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use std::net::IpAddr;

use support::fixtures::{couple, t0 as start_time, therapist, PASSWORD};

fn attempt<'a>(email: &'a str, password: &'a str) -> SignInAttempt<'a> {
    SignInAttempt { email, password, client_address: ip("192.0.2.10") }
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

async fn sign_up_then_sign_in(db: &DatabaseConnection) {
    let actor = therapist(db, "Ana@Example.org").await;
    assert_eq!(actor.role, Role::Therapist);
    // Case does not matter at sign-in.
    let signed_in = accounts::sign_in(db, attempt("ana@EXAMPLE.org", PASSWORD), start_time()).await.unwrap();
    assert_eq!(signed_in, actor);
}

fn sign_up_form(name: &str, email: &str) -> TherapistSignUp {
    TherapistSignUp::parse(name, email, PASSWORD).unwrap()
}

/// The account emails queued to `address`, oldest first.
async fn account_emails_to(db: &DatabaseConnection, address: &str) -> Vec<outbox_emails::Model> {
    outbox_emails::Entity::find()
        .filter(outbox_emails::Column::ToAddress.eq(address))
        .filter(outbox_emails::Column::Kind.eq(EmailKind::Account))
        .order_by_asc(outbox_emails::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// The user holding `email`, if any.
async fn user(db: &DatabaseConnection, email: &str) -> Option<users::Model> {
    users::Entity::find().filter(users::Column::Email.eq(email)).one(db).await.unwrap()
}

/// A working confirmation token for the latest confirmation email to `address`.
async fn confirmation_token(db: &DatabaseConnection, address: &str, now: DateTime<Utc>) -> SecretToken {
    let email = account_emails_to(db, address).await.pop().unwrap();
    let (purpose, token) =
        accounts::mint_link_token(db, email.account_link_id.unwrap(), now).await.unwrap().unwrap();
    assert_eq!(purpose, AccountLinkPurpose::ConfirmEmail);
    token
}

/// Sign-up answers the same for an unknown email, a therapist's and a client's; what
/// happened arrives by email.
async fn sign_up_answers_the_same_for_every_email(db: &DatabaseConnection) {
    therapist(db, "sam@example.org").await;
    let c = couple(db, "su").await;
    let _ = c;
    let answers = [
        accounts::sign_up_therapist(db, sign_up_form("New Person", "new@example.org"), start_time()).await,
        accounts::sign_up_therapist(db, sign_up_form("Sam Again", "SAM@example.ORG"), start_time()).await,
        accounts::sign_up_therapist(db, sign_up_form("Alex Again", "a.su@example.org"), start_time()).await,
    ];
    assert_eq!(answers, [Ok(()), Ok(()), Ok(())]);
    let new = account_emails_to(db, "new@example.org").await;
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].subject, "Confirm your email for Babysteps");
    assert!(new[0].account_link_id.is_some() && new[0].text_body.contains("{link}"));
    for existing in ["sam@example.org", "a.su@example.org"] {
        let told = account_emails_to(db, existing).await;
        assert_eq!(told.len(), 1, "{existing}");
        assert_eq!(told[0].subject, "Someone tried to sign up with your address");
        assert_eq!(told[0].account_link_id, None);
        assert!(told[0].text_body.contains("{link}/forgot-password"));
    }
    // The existing accounts are untouched: their owners still sign in, the client as a client.
    assert_eq!(user(db, "a.su@example.org").await.unwrap().role, Role::Client);
    accounts::sign_in(db, attempt("sam@example.org", PASSWORD), start_time()).await.unwrap();
    // The new account exists, unconfirmed, and may sign in.
    assert_eq!(user(db, "new@example.org").await.unwrap().email_verified_at, None);
    accounts::sign_in(db, attempt("new@example.org", PASSWORD), start_time()).await.unwrap();
}

/// Until a therapist confirms their email, cases can be made but nothing goes to anyone.
async fn unconfirmed_therapists_send_nothing_to_clients(db: &DatabaseConnection) {
    accounts::sign_up_therapist(db, sign_up_form("Dr New", "fresh@example.org"), start_time()).await.unwrap();
    let actor = accounts::sign_in(db, attempt("fresh@example.org", PASSWORD), start_time()).await.unwrap();
    let case_id = new_case(db, actor, "client-one@example.org", "client-two@example.org").await;
    let partners = access::partners_of(db, case_id).await.unwrap();
    let refused = invitations::invite(db, actor, case_id, partners[0].id, start_time()).await.unwrap_err();
    assert_eq!(refused, AppError::conflict(outbox::UNVERIFIED));
    let follow_up =
        messages::send_follow_up(db, actor, case_id, follow_up(), start_time()).await.unwrap_err();
    assert!(follow_up.message_for("recipients").is_some(), "{follow_up:?}");
    let to_clients = outbox_emails::Entity::find()
        .filter(outbox_emails::Column::Kind.ne(EmailKind::Account))
        .count(db)
        .await
        .unwrap();
    assert_eq!(to_clients, 0);
    assert_eq!(invitation_rows::Entity::find().count(db).await.unwrap(), 0);

    // Confirmed, the same invitation goes out.
    let token = confirmation_token(db, "fresh@example.org", start_time()).await;
    accounts::confirm_email(db, &token, PASSWORD, ip("192.0.2.10"), start_time()).await.unwrap();
    invitations::invite(db, actor, case_id, partners[0].id, start_time()).await.unwrap();
}

fn follow_up() -> messages::FollowUp {
    messages::FollowUp {
        recipients: Recipients::Both,
        subject: "Checking in, {first_name}".into(),
        body: "Hello {first_name}, see you soon.".into(),
        progress_summary: String::new(),
        send_at: None,
        times: vec![],
    }
}

async fn new_case(db: &DatabaseConnection, owner: Actor, a: &str, b: &str) -> i32 {
    let fields =
        |first_name, email| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks: "unsure" };
    let draft = CaseDraft::parse("A & B", "no_secrets", fields("Alex", a), fields("Sam", b)).unwrap();
    cases::create_case(db, owner, draft, start_time()).await.unwrap()
}

/// The confirmation link needs the sign-up's password, works once and only for 24 hours.
async fn confirmation_links_work_once(db: &DatabaseConnection) {
    let now = start_time();
    accounts::sign_up_therapist(db, sign_up_form("Dr New", "once@example.org"), now).await.unwrap();
    let token = confirmation_token(db, "once@example.org", now).await;
    let wrong = accounts::confirm_email(db, &token, "not the password!", ip("192.0.2.10"), now).await;
    assert_eq!(wrong.unwrap_err(), AppError::invalid("", SIGN_IN_REFUSED));
    let actor = accounts::confirm_email(db, &token, PASSWORD, ip("192.0.2.10"), now).await.unwrap();
    assert_eq!(actor.role, Role::Therapist);
    assert_eq!(user(db, "once@example.org").await.unwrap().email_verified_at, Some(now));
    let again = accounts::confirm_email(db, &token, PASSWORD, ip("192.0.2.10"), now).await.unwrap_err();
    assert!(again.to_string().contains("already been used"), "{again:?}");
    // Only the token's hash is stored.
    let link = account_links::Entity::find().one(db).await.unwrap().unwrap();
    assert_eq!(link.token_hash, Some(token.hash()));
    // A link left for more than 24 hours has expired.
    accounts::sign_up_therapist(db, sign_up_form("Dr Late", "late@example.org"), now).await.unwrap();
    let token = confirmation_token(db, "late@example.org", now).await;
    let late = now + Duration::hours(24);
    let expired = accounts::confirm_email(db, &token, PASSWORD, ip("192.0.2.10"), late).await.unwrap_err();
    assert!(expired.to_string().contains("expired"), "{expired:?}");
}

/// An unconfirmed account does not keep the address's owner out once its link has expired:
/// a new sign-up, or a joining client, retires it. Before then it stays.
async fn unconfirmed_accounts_cannot_squat_an_address(db: &DatabaseConnection) {
    let now = start_time();
    accounts::sign_up_therapist(db, sign_up_form("Squatter", "owner@example.org"), now).await.unwrap();
    let squatter = user(db, "owner@example.org").await.unwrap();
    // Within the link's 24 hours, the owner's sign-up is told by email, and nothing changes.
    let soon = now + Duration::hours(23);
    accounts::sign_up_therapist(db, sign_up_form("Real Owner", "owner@example.org"), soon).await.unwrap();
    assert_eq!(user(db, "owner@example.org").await.unwrap().id, squatter.id);
    assert_eq!(account_emails_to(db, "owner@example.org").await.last().unwrap().account_link_id, None);
    // After it, the owner's sign-up replaces the squatter's account.
    let later = now + Duration::hours(25);
    accounts::sign_up_therapist(db, sign_up_form("Real Owner", "owner@example.org"), later).await.unwrap();
    let owner = user(db, "owner@example.org").await.unwrap();
    assert_ne!(owner.id, squatter.id);
    assert_eq!(owner.display_name, "Real Owner");
    let retired = users::Entity::find_by_id(squatter.id).one(db).await.unwrap().unwrap();
    assert_eq!(retired.email, format!("{}.retired@invalid", squatter.id));
    let token = confirmation_token(db, "owner@example.org", later).await;
    assert_eq!(
        accounts::confirm_email(db, &token, PASSWORD, ip("192.0.2.10"), later).await.unwrap().user_id,
        owner.id
    );

    // A client joining with an address a stale unconfirmed account holds.
    accounts::sign_up_therapist(db, sign_up_form("Squatter", "client@example.org"), now).await.unwrap();
    let held = user(db, "client@example.org").await.unwrap();
    let inviter = therapist(db, "inviter@example.org").await;
    let case_id = new_case(db, inviter, "client@example.org", "other-client@example.org").await;
    let partner = access::partners_of(db, case_id).await.unwrap()[0].clone();
    // While its link works, it is a therapist's address: the invitation is refused.
    let refused = invitations::invite(db, inviter, case_id, partner.id, now).await.unwrap_err();
    assert!(refused.to_string().contains("therapist account"), "{refused:?}");
    invitations::invite(db, inviter, case_id, partner.id, later).await.unwrap();
    let invitation = invitation_rows::Entity::find().one(db).await.unwrap().unwrap();
    let token = invitations::mint_token(db, invitation.id, later).await.unwrap().unwrap();
    let client = invitations::accept_with_new_account(db, &token, PASSWORD, true, later).await.unwrap();
    assert_eq!(client.role, Role::Client);
    assert_ne!(client.user_id, held.id);
    assert_eq!(user(db, "client@example.org").await.unwrap().role, Role::Client);
}

/// An invitation to an address that has a (confirmed) therapist account is refused.
async fn invitations_to_a_therapist_address_are_refused(db: &DatabaseConnection) {
    therapist(db, "colleague@example.org").await;
    let owner = therapist(db, "owner@example.org").await;
    let case_id = new_case(db, owner, "COLLEAGUE@example.org", "sam@example.org").await;
    let partners = access::partners_of(db, case_id).await.unwrap();
    let refused = invitations::invite(db, owner, case_id, partners[0].id, start_time()).await.unwrap_err();
    assert!(matches!(refused, AppError::Conflict { .. }));
    assert!(
        refused.to_string().contains("colleague@example.org belongs to a therapist account"),
        "{refused}"
    );
    assert_eq!(
        outbox_emails::Entity::find()
            .filter(outbox_emails::Column::CaseId.eq(case_id))
            .count(db)
            .await
            .unwrap(),
        0
    );
    invitations::invite(db, owner, case_id, partners[1].id, start_time()).await.unwrap();
}

/// A therapist may queue at most the daily limit of emails to clients in 24 hours; the
/// action that would pass it is refused and writes nothing.
async fn the_daily_email_limit_holds(db: &DatabaseConnection) {
    let c = couple(db, "limit").await;
    let limit = u64::from(outbox::daily_email_limit());
    let already = outbox_emails::Entity::find()
        .filter(outbox_emails::Column::CaseId.eq(c.case_id))
        .count(db)
        .await
        .unwrap();
    let partner = access::partners_of(db, c.case_id).await.unwrap()[0].clone();
    let now = start_time() + Duration::hours(1);
    for _ in already..limit - 1 {
        let email = outbox::NewEmail {
            case_id: Some(c.case_id),
            partner_id: Some(partner.id),
            invitation_id: None,
            kind: EmailKind::FollowUp,
            to_address: partner.email.clone(),
            to_name: partner.first_name.clone(),
            from_name: "Dr Ana Ruiz".into(),
            reply_to: None,
            content: app::services::email::sign_up_attempted(),
        };
        outbox::enqueue(db, email, now).await.unwrap();
    }
    // One email left today: a follow-up to both partners would be two.
    let refused = messages::send_follow_up(db, c.therapist, c.case_id, follow_up(), now).await.unwrap_err();
    assert!(refused.to_string().contains(&format!("today's limit of {limit} emails")), "{refused:?}");
    let count =
        || outbox_emails::Entity::find().filter(outbox_emails::Column::CaseId.eq(c.case_id)).count(db);
    assert_eq!(count().await.unwrap(), limit - 1, "nothing written");
    let one = messages::FollowUp { recipients: Recipients::PartnerA, ..follow_up() };
    assert_eq!(messages::send_follow_up(db, c.therapist, c.case_id, one.clone(), now).await.unwrap(), 1);
    assert!(messages::send_follow_up(db, c.therapist, c.case_id, one.clone(), now).await.is_err());
    // A day after the busy hour, the limit has room again (the two invitations at t0 count too).
    let next_day = now + Duration::hours(24) + Duration::seconds(1);
    assert_eq!(messages::send_follow_up(db, c.therapist, c.case_id, one, next_day).await.unwrap(), 1);
}

/// Fills the therapist's allowance for the 24 hours before `now`: emails to the case's
/// partners up to the limit.
async fn use_up_the_daily_limit(db: &DatabaseConnection, case_id: i32, now: DateTime<Utc>) {
    let limit = u64::from(outbox::daily_email_limit());
    let counted = outbox_emails::Entity::find()
        .filter(outbox_emails::Column::CaseId.eq(case_id))
        .filter(outbox_emails::Column::PartnerId.is_not_null())
        .filter(outbox_emails::Column::CreatedAt.gt(now - Duration::hours(24)))
        .count(db)
        .await
        .unwrap();
    let partner = access::partners_of(db, case_id).await.unwrap()[0].clone();
    for _ in counted..limit {
        let email = outbox::NewEmail {
            case_id: Some(case_id),
            partner_id: Some(partner.id),
            invitation_id: None,
            kind: EmailKind::FollowUp,
            to_address: partner.email.clone(),
            to_name: partner.first_name.clone(),
            from_name: "Dr Ana Ruiz".into(),
            reply_to: None,
            content: app::services::email::sign_up_attempted(),
        };
        outbox::enqueue(db, email, now).await.unwrap();
    }
}

/// Every therapist action that emails a client (a reply to a private note, new homework, a
/// comment on homework) keeps to the daily limit: refused with the limit's message at the
/// action, nothing saved; a day later it goes through.
async fn therapist_actions_that_email_clients_keep_the_limit(db: &DatabaseConnection) {
    use app::entities::{assignments, comments, private_note_replies, private_notes, responses};
    use app::services::{exchange, homework};
    let c = couple(db, "actions").await;
    let limit = outbox::daily_email_limit();
    let at_the_limit = |error: AppError| {
        assert!(error.to_string().contains(&format!("today's limit of {limit} emails")), "{error:?}");
        assert_eq!(error.status_code(), 409);
    };
    let emails = || outbox_emails::Entity::find().count(db);

    // Day one: a note from a client, then the limit is reached.
    let day_one = start_time() + Duration::hours(1);
    exchange::send_private_note(db, c.a, "Can we talk before Thursday?", false, day_one).await.unwrap();
    let note = private_notes::Entity::find().one(db).await.unwrap().unwrap();
    use_up_the_daily_limit(db, c.case_id, day_one).await;
    at_the_limit(
        exchange::reply_to_private_note(db, c.therapist, note.id, "Yes, gladly.", day_one).await.unwrap_err(),
    );
    assert_eq!(private_note_replies::Entity::find().count(db).await.unwrap(), 0, "nothing saved");
    at_the_limit(
        homework::assign_programme(
            db,
            c.therapist,
            c.case_id,
            homework::ProgrammeChoice::whole(None, ""),
            day_one,
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(assignments::Entity::find().count(db).await.unwrap(), 0, "nothing saved");

    // Day two: both go through and email the clients; then the limit is reached again.
    let day_two = day_one + Duration::hours(24) + Duration::seconds(1);
    let before = emails().await.unwrap();
    exchange::reply_to_private_note(db, c.therapist, note.id, "Yes, gladly.", day_two).await.unwrap();
    homework::assign_programme(
        db,
        c.therapist,
        c.case_id,
        homework::ProgrammeChoice::whole(None, ""),
        day_two,
    )
    .await
    .unwrap();
    assert_eq!(emails().await.unwrap(), before + 3, "the note's writer and both partners told");
    let step1 = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(c.case_id))
        .filter(assignments::Column::StepNumber.eq(1))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let answers = [("emotional_meaning", "Being heard."), ("behaviours", "Ask about my day")];
    let answers = answers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    homework::save_answers(db, c.a, step1.id, 0, &answers, homework::SaveIntent::Submit, day_two)
        .await
        .unwrap();
    let response = responses::Entity::find().one(db).await.unwrap().unwrap();
    use_up_the_daily_limit(db, c.case_id, day_two).await;
    at_the_limit(
        homework::comment(db, c.therapist, response.id, None, "Thank you.", day_two).await.unwrap_err(),
    );
    assert_eq!(comments::Entity::find().count(db).await.unwrap(), 0, "nothing saved");

    // Day three: the comment goes through.
    let day_three = day_two + Duration::hours(24) + Duration::seconds(1);
    let before = emails().await.unwrap();
    homework::comment(db, c.therapist, response.id, None, "Thank you.", day_three).await.unwrap();
    assert_eq!(emails().await.unwrap(), before + 1);
}

/// 40 wrong passwords at once for one account get no more password checks than the
/// account's free attempts; the owner then gets in once the counter is cleared (as a
/// password reset does).
async fn parallel_guesses_are_counted_before_checking(db: &DatabaseConnection) {
    let actor = therapist(db, "target@example.org").await;
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            accounts::sign_in(&db, attempt("target@example.org", "a wrong guess!"), start_time()).await
        }));
    }
    let mut refused = 0;
    let mut limited = 0;
    for task in tasks {
        match task.await.unwrap() {
            Err(AppError::RateLimited { .. }) => limited += 1,
            Err(error) if error == AppError::invalid("", SIGN_IN_REFUSED) => refused += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    // Every password check of a known account leaves one audit entry.
    let checks = audit_entries::Entity::find()
        .filter(audit_entries::Column::Action.eq("session.refused"))
        .filter(audit_entries::Column::RecordId.eq(actor.user_id.to_string()))
        .count(db)
        .await
        .unwrap();
    assert_eq!(checks, refused);
    assert!(checks <= PER_ACCOUNT.free_failures as u64, "{checks} password checks");
    assert_eq!(refused + limited, 40);
    // The right password from another address must wait too; a reset clears the counter.
    let owner =
        SignInAttempt { email: "target@example.org", password: PASSWORD, client_address: ip("2001:db8::1") };
    assert!(matches!(accounts::sign_in(db, owner, start_time()).await, Err(AppError::RateLimited { .. })));
    throttle::clear(db, &throttle::account_key("target@example.org")).await.unwrap();
    assert_eq!(accounts::sign_in(db, owner, start_time()).await.unwrap(), actor);
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
        SignInAttempt { email: "other@example.org", password: PASSWORD, client_address: ip("198.51.100.7") };
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
    assert_eq!(
        actions,
        [
            "account.therapist_invited",
            "account.invitation_completed",
            "session.refused",
            "session.started",
            "session.ended"
        ]
    );

    let update = db.execute_unprepared("UPDATE audit_entries SET action = 'erased'").await;
    assert!(update.is_err(), "audit entries must not be updated");
    let delete = db.execute_unprepared("DELETE FROM audit_entries").await;
    assert!(delete.is_err(), "audit entries must not be deleted");
    assert_eq!(audit_entries::Entity::find().count(db).await.unwrap(), 5);
}

async fn concurrent_sign_ups_all_succeed(db: &DatabaseConnection) {
    let mut tasks = Vec::new();
    for n in 0..16 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            // Every other one names the same address: one account, one confirmation.
            let email = if n % 2 == 0 { format!("t{n}@example.org") } else { "same@example.org".to_owned() };
            accounts::sign_up_therapist(&db, sign_up_form("Busy Practice", &email), start_time()).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(users::Entity::find().count(db).await.unwrap(), 9);
    let confirmations = outbox_emails::Entity::find()
        .filter(outbox_emails::Column::AccountLinkId.is_not_null())
        .count(db)
        .await
        .unwrap();
    assert_eq!(confirmations, 9);
}

on_both_databases!(
    sign_up_then_sign_in,
    sign_up_answers_the_same_for_every_email,
    unconfirmed_therapists_send_nothing_to_clients,
    confirmation_links_work_once,
    unconfirmed_accounts_cannot_squat_an_address,
    invitations_to_a_therapist_address_are_refused,
    the_daily_email_limit_holds,
    therapist_actions_that_email_clients_keep_the_limit,
    parallel_guesses_are_counted_before_checking,
    refusals_do_not_reveal_the_account,
    repeated_failures_are_slowed_per_account,
    repeated_failures_are_slowed_per_address,
    sessions_last_until_idle_or_absolute_timeout,
    sign_out_ends_the_session_on_the_server,
    only_token_hashes_are_stored,
    account_events_are_audited_and_append_only,
    concurrent_sign_ups_all_succeed,
);
