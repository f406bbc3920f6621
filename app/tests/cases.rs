//! Service tests for couple cases, the caseload, invitations and the outbox, run on SQLite
//! and on PostgreSQL.

use crate::support;

use app::{
    domain::{
        case::{CaseStatus, ConfidentialityPolicy, InvitationState, TherapistNotes},
        Role,
    },
    entities::{audit_entries, invitations as invitation_rows, outbox_emails},
    error::AppError,
    services::{
        access,
        accounts::{self},
        caseload::{self, CaseloadQuery, CaseloadSort},
        cases::{self, CaseDraft, PartnerFields},
        invitations::{self, InvitationLookup},
        outbox,
        tokens::SecretToken,
        Actor,
    },
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};

use support::fixtures::{t0, therapist, PASSWORD};

fn partner<'a>(first_name: &'a str, email: &'a str, seeks: &'a str) -> PartnerFields<'a> {
    PartnerFields { first_name, last_name: "", email, pronouns: "", seeks }
}

fn draft(label: &str, a_email: &str, b_email: &str) -> CaseDraft {
    CaseDraft::parse(
        label,
        "no_secrets",
        partner("Alex", a_email, "emotional"),
        partner("Sam", b_email, "physical"),
    )
    .unwrap()
}

async fn new_case(db: &DatabaseConnection, owner: Actor, label: &str, n: u32) -> i32 {
    let a = format!("a{n}.{}@example.org", owner.user_id);
    let b = format!("b{n}.{}@example.org", owner.user_id);
    cases::create_case(db, owner, draft(label, &a, &b), t0()).await.unwrap()
}

async fn partner_ids(db: &DatabaseConnection, case_id: i32) -> Vec<i32> {
    access::partners_of(db, case_id).await.unwrap().into_iter().map(|p| p.id).collect()
}

/// Invites a partner and returns a working link token, as the mail worker would mint it.
async fn invite_and_mint(
    db: &DatabaseConnection,
    owner: Actor,
    case_id: i32,
    partner_id: i32,
    now: DateTime<Utc>,
) -> SecretToken {
    invitations::invite(db, owner, case_id, partner_id, now).await.unwrap();
    let invitation = invitation_rows::Entity::find()
        .filter(invitation_rows::Column::PartnerId.eq(partner_id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .max_by_key(|i| i.id)
        .unwrap();
    invitations::mint_token(db, invitation.id, now).await.unwrap().unwrap()
}

/// A joined client of a fresh case of `owner`.
async fn joined_client(db: &DatabaseConnection, owner: Actor, n: u32) -> (i32, Actor) {
    let case_id = new_case(db, owner, "Joined couple", n).await;
    let partner_id = partner_ids(db, case_id).await[0];
    let token = invite_and_mint(db, owner, case_id, partner_id, t0()).await;
    let client = invitations::accept_with_new_account(db, &token, PASSWORD, true, t0()).await.unwrap();
    (case_id, client)
}

async fn case_lifecycle(db: &DatabaseConnection) {
    let owner = therapist(db, "ana@example.org").await;
    let case_id = new_case(db, owner, "Alex & Sam", 1).await;
    let detail = cases::case_detail(db, owner, case_id, t0()).await.unwrap();
    assert_eq!(detail.case.status, CaseStatus::Active);
    assert_eq!(detail.partners.len(), 2);
    assert!(detail.partners.iter().all(|(_, state)| *state == InvitationState::NotInvited));

    let edited = CaseDraft::parse(
        "Alex and Sam",
        "limited_secrets",
        PartnerFields {
            first_name: "Alexis",
            last_name: "Kim",
            email: "a1.1@example.org",
            pronouns: "they/them",
            seeks: "unsure",
        },
        partner("Sam", "b1.1@example.org", "physical"),
    )
    .unwrap();
    cases::update_case(db, owner, case_id, edited, t0()).await.unwrap();
    cases::update_notes(db, owner, case_id, TherapistNotes::parse("First session went well.").unwrap(), t0())
        .await
        .unwrap();
    let detail = cases::case_detail(db, owner, case_id, t0()).await.unwrap();
    assert_eq!(detail.case.label, "Alex and Sam");
    assert_eq!(detail.case.confidentiality_policy, ConfidentialityPolicy::LimitedSecrets);
    assert_eq!(detail.case.therapist_notes, "First session went well.");
    assert_eq!(detail.partners[0].0.pronouns.as_deref(), Some("they/them"));

    let later = t0() + Duration::days(3);
    cases::set_status(db, owner, case_id, CaseStatus::Paused, later).await.unwrap();
    cases::set_status(db, owner, case_id, CaseStatus::Closed, later).await.unwrap();
    let closed = cases::case_detail(db, owner, case_id, later).await.unwrap();
    assert_eq!((closed.case.status.as_str(), closed.case.status_changed_at), ("closed", later));
    cases::set_status(db, owner, case_id, CaseStatus::Active, later).await.unwrap();

    let actions: Vec<String> = audit_entries::Entity::find()
        .filter(audit_entries::Column::RecordType.eq("case"))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    for expected in
        ["case.created", "case.updated", "case.notes_updated", "case.status_changed", "case.viewed"]
    {
        assert!(actions.iter().any(|a| a == expected), "missing {expected} in {actions:?}");
    }
}

async fn bad_case_input_changes_nothing(db: &DatabaseConnection) {
    let owner = therapist(db, "ana@example.org").await;
    let same = CaseDraft::parse(
        "X",
        "no_secrets",
        partner("A", "same@example.org", "emotional"),
        partner("B", "SAME@example.org", "physical"),
    );
    assert_eq!(
        same.unwrap_err().message_for("b_email").as_deref(),
        Some("Each partner needs their own email address.")
    );
    let long = "n".repeat(61);
    let too_long = CaseDraft::parse(
        "X",
        "no_secrets",
        partner(&long, "a@example.org", "emotional"),
        partner("B", "b@example.org", "physical"),
    );
    assert!(too_long.unwrap_err().message_for("a_first_name").is_some());
    let bad_email = CaseDraft::parse(
        "X",
        "no_secrets",
        partner("A", "nope", "emotional"),
        partner("B", "b@example.org", "physical"),
    );
    assert!(bad_email.unwrap_err().message_for("a_email").is_some());
    let bad_seeks = CaseDraft::parse(
        "X",
        "no_secrets",
        partner("A", "a@example.org", "male"),
        partner("B", "b@example.org", "physical"),
    );
    assert!(bad_seeks.unwrap_err().message_for("a_seeks").is_some());
    assert!(TherapistNotes::parse(&"n".repeat(20_001)).is_err());

    // Inviting a partner of a closed case is refused and queues nothing.
    let case_id = new_case(db, owner, "Closed", 1).await;
    cases::set_status(db, owner, case_id, CaseStatus::Closed, t0()).await.unwrap();
    let partner_id = partner_ids(db, case_id).await[0];
    let error = invitations::invite(db, owner, case_id, partner_id, t0()).await.unwrap_err();
    assert!(matches!(error, AppError::Conflict { .. }), "{error:?}");
    assert_eq!(outbox_emails::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(invitation_rows::Entity::find().count(db).await.unwrap(), 0);
}

async fn only_the_owner_reaches_a_case(db: &DatabaseConnection) {
    let owner = therapist(db, "ana@example.org").await;
    let other = therapist(db, "ben@example.org").await;
    let case_id = new_case(db, owner, "Private couple", 1).await;
    let (_, own_client) = joined_client(db, owner, 2).await;
    let (_, foreign_client) = joined_client(db, other, 3).await;
    let partner_id = partner_ids(db, case_id).await[1];
    let notes = || TherapistNotes::parse("x").unwrap();

    // Another therapist: the case does not exist for them.
    assert_eq!(cases::case_detail(db, other, case_id, t0()).await.unwrap_err(), AppError::NotFound);
    assert_eq!(cases::update_notes(db, other, case_id, notes(), t0()).await.unwrap_err(), AppError::NotFound);
    assert_eq!(
        cases::set_status(db, other, case_id, CaseStatus::Closed, t0()).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        cases::update_case(db, other, case_id, draft("X", "x1@e.org", "x2@e.org"), t0()).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        invitations::invite(db, other, case_id, partner_id, t0()).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        invitations::revoke(db, other, case_id, partner_id, t0()).await.unwrap_err(),
        AppError::NotFound
    );
    // A partner id of another case, used with one's own case, is not found either.
    let own_case = new_case(db, other, "Other's couple", 4).await;
    assert_eq!(
        invitations::invite(db, other, own_case, partner_id, t0()).await.unwrap_err(),
        AppError::NotFound
    );

    // Clients, of this case or another, may not use therapist services at all.
    for client in [own_client, foreign_client] {
        assert_eq!(cases::case_detail(db, client, case_id, t0()).await.unwrap_err(), AppError::Forbidden);
        assert_eq!(
            cases::update_notes(db, client, case_id, notes(), t0()).await.unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            invitations::invite(db, client, case_id, partner_id, t0()).await.unwrap_err(),
            AppError::Forbidden
        );
        let query = CaseloadQuery {
            search: String::new(),
            status: None,
            sort: CaseloadSort::Label,
            page: 1,
            per_page: 25,
        };
        assert_eq!(caseload::caseload(db, client, &query, t0()).await.unwrap_err(), AppError::Forbidden);
        assert_eq!(outbox::therapist_outbox(db, client, 10, t0()).await.unwrap_err(), AppError::Forbidden);
    }
    // Therapist notes never reach a client: the client's view of their case has none.
    cases::update_notes(db, owner, case_id, TherapistNotes::parse("private").unwrap(), t0()).await.unwrap();
    let seen = cases::client_case(db, own_client, t0()).await.unwrap();
    assert_ne!(seen.case.id, case_id);
    // A therapist has no client view.
    assert_eq!(cases::client_case(db, owner, t0()).await.unwrap_err(), AppError::Forbidden);
    // The other therapist's outbox shows none of the owner's emails.
    assert!(outbox::therapist_outbox(db, other, 100, t0())
        .await
        .unwrap()
        .iter()
        .all(|e| e.case_id != Some(case_id)));
}

async fn caseload_searches_filters_sorts_and_pages(db: &DatabaseConnection) {
    let owner = therapist(db, "ana@example.org").await;
    let other = therapist(db, "ben@example.org").await;
    new_case(db, other, "Not mine", 99).await;
    for n in 0..30 {
        new_case(db, owner, &format!("Couple {n:02}"), n).await;
    }
    let zed = new_case(db, owner, "Zed & Quinn", 100).await;
    cases::set_status(db, owner, zed, CaseStatus::Paused, t0()).await.unwrap();
    let query = |search: &str, status: Option<CaseStatus>, page: u64| CaseloadQuery {
        search: search.to_owned(),
        status,
        sort: CaseloadSort::Label,
        page,
        per_page: 10,
    };
    let first = caseload::caseload(db, owner, &query("", None, 1), t0()).await.unwrap();
    assert_eq!(first.total, 31);
    assert_eq!(first.rows.len(), 10);
    assert_eq!(first.rows[0].case.label, "Couple 00");
    assert_eq!(first.rows[0].partners.len(), 2);
    let last = caseload::caseload(db, owner, &query("", None, 4), t0()).await.unwrap();
    assert_eq!(last.rows.len(), 1);
    assert_eq!(last.rows[0].case.label, "Zed & Quinn");
    let paused = caseload::caseload(db, owner, &query("", Some(CaseStatus::Paused), 1), t0()).await.unwrap();
    assert_eq!((paused.total, paused.rows[0].case.id), (1, zed));
    let by_label = caseload::caseload(db, owner, &query("zed", None, 1), t0()).await.unwrap();
    assert_eq!(by_label.total, 1);
    // Partner first names are searched too, without case; "%" is taken literally.
    let by_partner = caseload::caseload(db, owner, &query("ALEX", None, 1), t0()).await.unwrap();
    assert_eq!(by_partner.total, 31);
    let literal = caseload::caseload(db, owner, &query("%", None, 1), t0()).await.unwrap();
    assert_eq!(literal.total, 0);
    assert_eq!(last.total, 31);
    // A page past the last counts on its own, to the same figures.
    let beyond = caseload::caseload(db, owner, &query("", None, 99), t0()).await.unwrap();
    assert!(beyond.rows.is_empty());
    assert_eq!(
        (beyond.total, beyond.whats_new, beyond.sample_cases),
        (first.total, first.whats_new, first.sample_cases)
    );
    let nothing = caseload::caseload(db, owner, &query("nobody by this name", None, 1), t0()).await.unwrap();
    assert_eq!((nothing.total, nothing.rows.len()), (0, 0));
    for absurd in [0, 100_001, 400_000_000_000_000_000, u64::MAX] {
        let refused = caseload::caseload(db, owner, &query("", None, absurd), t0()).await.unwrap_err();
        assert!(refused.message_for("page").is_some(), "page {absurd}: {refused:?}");
    }
    let last_possible = caseload::caseload(db, owner, &query("", None, 100_000), t0()).await.unwrap();
    assert!(last_possible.rows.is_empty());
}

async fn invitations_expire_work_once_and_can_be_revoked(db: &DatabaseConnection) {
    let owner = therapist(db, "ana@example.org").await;
    let case_id = new_case(db, owner, "Alex & Sam", 1).await;
    let [alex, sam] = partner_ids(db, case_id).await[..] else { panic!("two partners") };

    // The invitation email is queued with the invitation, and holds no token.
    let token = invite_and_mint(db, owner, case_id, alex, t0()).await;
    let queued = outbox_emails::Entity::find().all(db).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert!(!queued[0].text_body.contains(token.expose()) && queued[0].text_body.contains("{link}"));
    assert!(matches!(invitations::lookup(db, &token, t0()).await.unwrap(), InvitationLookup::Valid(_)));

    // After 7 days it has expired.
    let late = t0() + Duration::days(7) + Duration::seconds(1);
    assert_eq!(invitations::lookup(db, &token, late).await.unwrap(), InvitationLookup::Expired);
    let error = invitations::accept_with_new_account(db, &token, PASSWORD, true, late).await.unwrap_err();
    assert!(error.to_string().contains("expired"), "{error}");

    // Sending again makes the old link stop working.
    let newer = invite_and_mint(db, owner, case_id, alex, t0()).await;
    assert_eq!(invitations::lookup(db, &token, t0()).await.unwrap(), InvitationLookup::Revoked);
    // Must agree, and choose a good password.
    let error = invitations::accept_with_new_account(db, &newer, PASSWORD, false, t0()).await.unwrap_err();
    assert!(error.message_for("agree").is_some());
    let error = invitations::accept_with_new_account(db, &newer, "short", true, t0()).await.unwrap_err();
    assert!(error.message_for("password").is_some());
    let client = invitations::accept_with_new_account(db, &newer, PASSWORD, true, t0()).await.unwrap();
    assert_eq!(client.role, Role::Client);
    // Used once only.
    assert_eq!(invitations::lookup(db, &newer, t0()).await.unwrap(), InvitationLookup::Used);
    let again = invitations::accept_with_new_account(db, &newer, PASSWORD, true, t0()).await.unwrap_err();
    assert!(again.to_string().contains("already been used"), "{again}");
    let home = cases::client_case(db, client, t0()).await.unwrap();
    assert_eq!((home.own.first_name.as_str(), home.other.first_name.as_str()), ("Alex", "Sam"));
    assert_eq!(home.therapist_name, "Dr Ana Ruiz");
    // The joined partner signs in with the invited address.
    let signed_in = accounts::sign_in(
        db,
        accounts::SignInAttempt {
            email: "a1.1@example.org",
            password: PASSWORD,
            client_address: "192.0.2.1".parse().unwrap(),
        },
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(signed_in, client);

    // Revoked links say so.
    let sams = invite_and_mint(db, owner, case_id, sam, t0()).await;
    invitations::revoke(db, owner, case_id, sam, t0()).await.unwrap();
    assert_eq!(invitations::lookup(db, &sams, t0()).await.unwrap(), InvitationLookup::Revoked);
    let detail = cases::case_detail(db, owner, case_id, t0()).await.unwrap();
    let states: Vec<InvitationState> = detail.partners.iter().map(|(_, s)| *s).collect();
    assert_eq!(states, [InvitationState::Joined, InvitationState::Revoked]);
    // A joined partner cannot be invited again.
    assert!(matches!(
        invitations::invite(db, owner, case_id, alex, t0()).await.unwrap_err(),
        AppError::Conflict { .. }
    ));
}

async fn an_existing_account_signs_in_to_accept(db: &DatabaseConnection) {
    let owner = therapist(db, "ana@example.org").await;
    let (_, first_client) = joined_client(db, owner, 1).await;
    let case_id = new_case(db, owner, "Second couple", 2).await;
    let partner_id = partner_ids(db, case_id).await[0];
    let token = invite_and_mint(db, owner, case_id, partner_id, t0()).await;
    // The invited email has no account: signing in as someone else does not take it.
    let error = invitations::accept_signed_in(db, first_client, &token, true, t0()).await.unwrap_err();
    assert!(error.to_string().contains("different email"), "{error}");
    // An address that already has an account must sign in rather than make a new one.
    let case_b = new_case(db, owner, "Third couple", 3).await;
    let partners_b = access::partners_of(db, case_b).await.unwrap();
    let reuse = CaseDraft::parse(
        "Third couple",
        "no_secrets",
        partner("Alex", "a1.1@example.org", "emotional"),
        partner("Sam", &partners_b[1].email, "physical"),
    )
    .unwrap();
    cases::update_case(db, owner, case_b, reuse, t0()).await.unwrap();
    let token_b = invite_and_mint(db, owner, case_b, partners_b[0].id, t0()).await;
    match invitations::lookup(db, &token_b, t0()).await.unwrap() {
        InvitationLookup::Valid(details) => assert!(details.has_account),
        other => panic!("{other:?}"),
    }
    let error = invitations::accept_with_new_account(db, &token_b, PASSWORD, true, t0()).await.unwrap_err();
    assert!(error.to_string().contains("Sign in"), "{error}");
    // Signed in, a client who already belongs to a couple cannot join a second one.
    let error = invitations::accept_signed_in(db, first_client, &token_b, true, t0()).await.unwrap_err();
    assert!(error.to_string().contains("already belongs"), "{error}");
}

async fn outbox_rows_exist_only_when_their_transaction_commits(db: &DatabaseConnection) {
    let email = || outbox::NewEmail {
        case_id: None,
        partner_id: None,
        invitation_id: None,
        kind: outbox::EmailKind::Invitation,
        to_address: "sam@example.org".into(),
        to_name: "Sam".into(),
        from_name: "Dr Ana Ruiz".into(),
        reply_to: None,
        content: app::services::email::invitation("Sam", "Dr Ana Ruiz"),
    };
    let txn = db.begin().await.unwrap();
    outbox::enqueue(&txn, email(), t0()).await.unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(outbox_emails::Entity::find().count(db).await.unwrap(), 0);
    let txn = db.begin().await.unwrap();
    outbox::enqueue(&txn, email(), t0()).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(outbox_emails::Entity::find().count(db).await.unwrap(), 1);
}

async fn failed_sends_back_off_and_lapsed_claims_are_taken_over(db: &DatabaseConnection) {
    let owner = therapist(db, "ana@example.org").await;
    let case_id = new_case(db, owner, "Alex & Sam", 1).await;
    invitations::invite(db, owner, case_id, partner_ids(db, case_id).await[0], t0()).await.unwrap();
    let claimed = outbox::claim_due(db, 10, t0()).await.unwrap();
    assert_eq!((claimed.len(), claimed[0].attempts, claimed[0].status.as_str()), (1, 1, "sending"));
    // Claimed rows are not handed out twice while the claim lasts.
    assert!(outbox::claim_due(db, 10, t0() + Duration::seconds(5)).await.unwrap().is_empty());
    // A failed attempt waits 30 s before it is due again.
    outbox::mark_attempt_failed(db, &claimed[0], false, "Could not reach the mail server.", t0())
        .await
        .unwrap();
    assert!(outbox::claim_due(db, 10, t0() + Duration::seconds(29)).await.unwrap().is_empty());
    let again = outbox::claim_due(db, 10, t0() + Duration::seconds(31)).await.unwrap();
    assert_eq!(again[0].attempts, 2);
    // The worker dies mid-send: after the lease another takes the email over.
    let later = t0() + Duration::seconds(31 + outbox::CLAIM_LEASE_SECS + 1);
    let taken_over = outbox::claim_due(db, 10, later).await.unwrap();
    assert_eq!((taken_over.len(), taken_over[0].attempts), (1, 3));
    outbox::mark_sent(db, taken_over[0].id, later).await.unwrap();
    assert!(outbox::claim_due(db, 10, later + Duration::days(1)).await.unwrap().is_empty());
    // A permanent failure is final and shown with its reason.
    invitations::invite(db, owner, case_id, partner_ids(db, case_id).await[1], t0()).await.unwrap();
    let row = outbox::claim_due(db, 10, later).await.unwrap().remove(0);
    let status = outbox::mark_attempt_failed(db, &row, true, "The mail server refused this email.", later)
        .await
        .unwrap();
    assert_eq!(status, outbox::EmailStatus::Failed);
    assert!(outbox::claim_due(db, 10, later + Duration::days(1)).await.unwrap().is_empty());
    let shown = outbox::therapist_outbox(db, owner, 10, later).await.unwrap();
    assert_eq!(shown[0].last_error.as_deref(), Some("The mail server refused this email."));
}

async fn revealing_an_unsent_link_makes_a_working_one(db: &DatabaseConnection) {
    let owner = therapist(db, "ana@example.org").await;
    let other = therapist(db, "ben@example.org").await;
    let case_id = new_case(db, owner, "Alex & Sam", 1).await;
    invitations::invite(db, owner, case_id, partner_ids(db, case_id).await[0], t0()).await.unwrap();
    let email_id = outbox_emails::Entity::find().one(db).await.unwrap().unwrap().id;
    assert_eq!(
        invitations::reveal_unsent_link(db, other, email_id, t0()).await.unwrap_err(),
        AppError::NotFound
    );
    let first = invitations::reveal_unsent_link(db, owner, email_id, t0()).await.unwrap();
    let second = invitations::reveal_unsent_link(db, owner, email_id, t0()).await.unwrap();
    let token = |path: &str| SecretToken::from_text(path.trim_start_matches("/join/"));
    assert_eq!(invitations::lookup(db, &token(&first), t0()).await.unwrap(), InvitationLookup::Unknown);
    assert!(matches!(
        invitations::lookup(db, &token(&second), t0()).await.unwrap(),
        InvitationLookup::Valid(_)
    ));
}

async fn stored_names_outside_their_set_are_refused(db: &DatabaseConnection) {
    let owner = therapist(db, "ana@example.org").await;
    let case_id = new_case(db, owner, "Alex & Sam", 1).await;
    for (column, value) in [("status", "archived"), ("confidentiality_policy", "anything goes")] {
        let sql = format!("UPDATE cases SET {column} = '{value}' WHERE id = {case_id}");
        assert!(db.execute_unprepared(&sql).await.is_err(), "cases.{column} took {value}");
    }
    for (table, column) in [("partners", "seeks"), ("users", "role")] {
        let sql = format!("UPDATE {table} SET {column} = 'admin'");
        assert!(db.execute_unprepared(&sql).await.is_err(), "{table}.{column} took an unknown name");
    }
    // The known names still go in.
    db.execute_unprepared(&format!("UPDATE cases SET status = 'paused' WHERE id = {case_id}")).await.unwrap();
    assert_eq!(cases::case_detail(db, owner, case_id, t0()).await.unwrap().case.status, CaseStatus::Paused);
}

on_both_databases!(
    stored_names_outside_their_set_are_refused,
    case_lifecycle,
    bad_case_input_changes_nothing,
    only_the_owner_reaches_a_case,
    caseload_searches_filters_sorts_and_pages,
    invitations_expire_work_once_and_can_be_revoked,
    an_existing_account_signs_in_to_accept,
    outbox_rows_exist_only_when_their_transaction_commits,
    failed_sends_back_off_and_lapsed_claims_are_taken_over,
    revealing_an_unsent_link_makes_a_working_one,
);

/// Two senders on one PostgreSQL database never claim the same email.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_postgres_never_claim_one_email_twice() {
    let test_db = support::fresh(support::Backend::Postgres).await;
    let db = &test_db.db;
    let owner = therapist(db, "ana@example.org").await;
    for n in 0..20 {
        let case_id = new_case(db, owner, "Couple", n).await;
        for partner_id in partner_ids(db, case_id).await {
            invitations::invite(db, owner, case_id, partner_id, t0()).await.unwrap();
        }
    }
    let second = app::services::database::connect(&format!(
        "{}/{}",
        support::postgres_server_url(),
        db.get_postgres_connection_pool().connect_options().get_database().unwrap_or_default()
    ))
    .await
    .unwrap();
    let claim_all = |db: DatabaseConnection| async move {
        let mut mine = Vec::new();
        loop {
            let batch = outbox::claim_due(&db, 3, t0()).await.unwrap();
            if batch.is_empty() {
                return mine;
            }
            mine.extend(batch.into_iter().map(|row| row.id));
            tokio::task::yield_now().await;
        }
    };
    let (a, b) = tokio::join!(tokio::spawn(claim_all(db.clone())), tokio::spawn(claim_all(second.clone())));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut all: Vec<i32> = a.iter().chain(b.iter()).copied().collect();
    all.sort_unstable();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "an email was claimed twice");
    assert_eq!(all.len(), 40);
    second.close().await.ok();
    test_db.finish().await;
}
