//! Fixtures every service test shares: the fixed clock, a therapist, a couple who have
//! joined, step 1 answers, and the emails a case has queued.

use app::{
    entities::assignments,
    services::{
        accounts::{self, TherapistSignUp},
        cases::{self, CaseDraft, PartnerFields},
        homework::{self, SaveIntent},
        invitations, Actor,
    },
};
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;

/// The password every test account uses.
pub const PASSWORD: &str = "a calm and quiet river";

/// A new therapist account with this email, confirmed.
pub async fn therapist(db: &DatabaseConnection, email: &str) -> Actor {
    let form = TherapistSignUp::parse("Dr Ana Ruiz", email, PASSWORD).unwrap();
    verified_therapist(db, form, t0()).await
}

/// A therapist whose email is confirmed, made the way the operator's `invite-therapist`
/// and its link make one (sign-up itself no longer signs anyone in).
pub async fn verified_therapist(db: &DatabaseConnection, form: TherapistSignUp, now: DateTime<Utc>) -> Actor {
    let invited = accounts::invite_therapist(db, &form.email, false, now).await.unwrap();
    let (_, token) = accounts::mint_link_token(db, invited.link_id, now).await.unwrap().unwrap();
    accounts::complete_invitation(db, &token, form.display_name.as_str(), form.password.expose(), now)
        .await
        .unwrap()
}

/// The fixed clock every service test starts from (a Wednesday, 09:00 UTC).
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}
/// A therapist and a couple whose partners have both joined.
pub struct Couple {
    /// Their therapist.
    pub therapist: Actor,
    /// Their case.
    pub case_id: i32,
    /// Partner A, joined.
    pub a: Actor,
    /// Partner B, joined.
    pub b: Actor,
}
/// A new therapist with a new case whose two partners are invited and have joined
/// (Alex seeks emotional connection, Sam physical closeness).
pub async fn couple(db: &DatabaseConnection, tag: &str) -> Couple {
    let form = TherapistSignUp::parse("Dr Ana Ruiz", &format!("t.{tag}@example.org"), PASSWORD).unwrap();
    let therapist = verified_therapist(db, form, t0()).await;
    let (a_email, b_email) = (format!("a.{tag}@example.org"), format!("b.{tag}@example.org"));
    let fields =
        |first_name, email, seeks| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks };
    let draft = CaseDraft::parse(
        "Alex & Sam",
        "no_secrets",
        fields("Alex", &a_email, "emotional"),
        fields("Sam", &b_email, "physical"),
    )
    .unwrap();
    let case_id = cases::create_case(db, therapist, draft, t0()).await.unwrap();
    let mut clients = Vec::new();
    for partner in app::services::access::partners_of(db, case_id).await.unwrap() {
        invitations::invite(db, therapist, case_id, partner.id, t0()).await.unwrap();
        let invitation = app::entities::invitations::Entity::find()
            .filter(app::entities::invitations::Column::PartnerId.eq(partner.id))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let token = invitations::mint_token(db, invitation.id, t0()).await.unwrap().unwrap();
        clients.push(invitations::accept_with_new_account(db, &token, PASSWORD, true, t0()).await.unwrap());
    }
    Couple { therapist, case_id, a: clients[0], b: clients[1] }
}
/// A case's assignments, step 1 first.
pub async fn steps(db: &DatabaseConnection, case_id: i32) -> Vec<assignments::Model> {
    assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .order_by_asc(assignments::Column::StepNumber)
        .all(db)
        .await
        .unwrap()
}
/// Form answers from (question, value) pairs.
pub fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}
/// Alex's step 1 (emotional questions and two behaviours).
pub fn step1_for_alex() -> BTreeMap<String, String> {
    answers(&[
        ("emotional_meaning", "Feeling heard at the end of the day."),
        ("behaviours", "Ask about my day\nPut phones away at dinner"),
    ])
}
/// Sam's step 1 (physical questions and one behaviour).
pub fn step1_for_sam() -> BTreeMap<String, String> {
    answers(&[
        ("physical_meaning", "Being held without a reason."),
        ("behaviours", "Hug me when you come home"),
    ])
}
/// A couple who have both submitted and shared step 1 (so each has wishes to the other).
/// A couple who have both submitted step 1.
pub async fn couple_past_step_1(db: &DatabaseConnection, tag: &str) -> Couple {
    let c = couple(db, tag).await;
    homework::assign_programme(db, c.therapist, c.case_id, homework::ProgrammeChoice::whole(None, ""), t0())
        .await
        .unwrap();
    let step1 = steps(db, c.case_id).await[0].id;
    homework::save_answers(db, c.a, step1, 0, &step1_for_alex(), SaveIntent::Submit, t0()).await.unwrap();
    homework::save_answers(db, c.b, step1, 0, &step1_for_sam(), SaveIntent::Submit, t0()).await.unwrap();
    c
}
/// The therapist opens steps 3 to 5 early, so the exchange's moves are allowed before
/// the partners reach them in order.
pub async fn open_exchange(db: &DatabaseConnection, c: &Couple) {
    for step in steps(db, c.case_id).await.into_iter().filter(|s| s.step_number >= Some(3)) {
        homework::unlock_early(db, c.therapist, step.id, t0()).await.unwrap();
    }
}
/// Both partners share their submitted step 1 (the mutual reveal).
pub async fn share_step_1(db: &DatabaseConnection, c: &Couple) {
    let step1 = steps(db, c.case_id).await[0].id;
    homework::share(db, c.a, step1, t0()).await.unwrap();
    homework::share(db, c.b, step1, t0()).await.unwrap();
}
/// A case's queued emails of one kind, oldest first.
pub async fn emails_of(
    db: &DatabaseConnection,
    case_id: i32,
    kind: &str,
) -> Vec<app::entities::outbox_emails::Model> {
    app::entities::outbox_emails::Entity::find()
        .filter(app::entities::outbox_emails::Column::CaseId.eq(case_id))
        .filter(app::entities::outbox_emails::Column::Kind.eq(kind))
        .order_by_asc(app::entities::outbox_emails::Column::Id)
        .all(db)
        .await
        .unwrap()
}
/// Another couple, both joined, in an existing therapist's caseload (`tag` makes the emails
/// unique; `label` names the case).
pub async fn couple_for(db: &DatabaseConnection, therapist: Actor, tag: &str, label: &str) -> Couple {
    let (a_email, b_email) = (format!("a.{tag}@example.org"), format!("b.{tag}@example.org"));
    let fields =
        |first_name, email, seeks| PartnerFields { first_name, last_name: "", email, pronouns: "", seeks };
    let draft = CaseDraft::parse(
        label,
        "no_secrets",
        fields("Alex", &a_email, "emotional"),
        fields("Sam", &b_email, "physical"),
    )
    .unwrap();
    let case_id = cases::create_case(db, therapist, draft, t0()).await.unwrap();
    let mut clients = Vec::new();
    for partner in app::services::access::partners_of(db, case_id).await.unwrap() {
        invitations::invite(db, therapist, case_id, partner.id, t0()).await.unwrap();
        let invitation = app::entities::invitations::Entity::find()
            .filter(app::entities::invitations::Column::PartnerId.eq(partner.id))
            .one(db)
            .await
            .unwrap()
            .unwrap();
        let token = invitations::mint_token(db, invitation.id, t0()).await.unwrap().unwrap();
        clients.push(invitations::accept_with_new_account(db, &token, PASSWORD, true, t0()).await.unwrap());
    }
    Couple { therapist, case_id, a: clients[0], b: clients[1] }
}
