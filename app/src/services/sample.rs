//! A sample practice: three fictional couples a therapist may add to explore the app, and
//! remove again in one click.
//!
//! They are built by the ordinary services, acting as the therapist and as each fictional
//! partner, inside one transaction, with times set back (every service takes `now`), so
//! their data is as consistent as a real couple's:
//!
//! - Robin & Kai are at step 1, Robin has submitted it;
//! - Alex & Sam are in the middle of the exchange: Sam offered a smaller step that waits for
//!   Alex;
//! - Jordan & Casey have eight weeks of check-ins and a confirmed pact.
//!
//! Their cases carry `is_sample`. Nothing is ever emailed about them (the automatic emails
//! skip them, the therapist's own emails to them are refused, and the outbox refuses any
//! email about a sample case or to a `.invalid` address), the reminder planner and the
//! retention job pass them by, and their partners' accounts have no password: nobody can
//! sign in as them. The therapist may see a sample partner's home read-only
//! ([`view_as`]); that works for sample cases only.

use super::{
    access::{self, owned_case, partner_of_case, partners_of},
    accounts,
    audit::{self, AuditAction, AuditEvent},
    cases::{self, CaseDraft, ClientCase, ClientHomePage, PartnerFields},
    clock::{today_in, week_start},
    exchange::{self, ActionDetails, CheckInForm},
    homework::{self, SaveIntent},
    measures, passwords, settings, Actor,
};
use crate::{
    domain::{exchange::WishAction, EmailAddress, Role},
    entities::{
        account_links, agreements, assignments, cases as case_rows, check_ins, comments, consultation_slots,
        invitations, offers, outbox_emails, pact_entries, partners, password_resets, pending_sign_ins,
        private_note_replies, private_notes, recovery_codes, responses, second_factors, sessions, slot_links,
        users, wishes,
    },
    error::AppError,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::Expr, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, TransactionSession, TransactionTrait,
};
use std::collections::BTreeMap;

/// The reserved domain of every sample partner's address: `.invalid` can never be mailed
/// (RFC 2606).
pub const SAMPLE_DOMAIN: &str = "example.invalid";

/// How many sample cases the therapist has.
pub async fn sample_count(db: &impl ConnectionTrait, actor: Actor) -> Result<u64, AppError> {
    actor.require_role(Role::Therapist)?;
    Ok(case_rows::Entity::find()
        .filter(case_rows::Column::TherapistId.eq(actor.user_id))
        .filter(case_rows::Column::IsSample.eq(true))
        .count(db)
        .await?)
}

/// Adds the three sample couples to the therapist's caseload, in one transaction (all or
/// nothing). Refused while the therapist still has sample couples.
pub async fn add_sample_couples(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    actor.require_role(Role::Therapist)?;
    let txn = db.begin().await?;
    if sample_count(&txn, actor).await? > 0 {
        return Err(AppError::conflict("Your sample couples are already on your caseload."));
    }
    at_step_1(&txn, actor, now).await?;
    in_the_exchange(&txn, actor, now).await?;
    with_a_pact(&txn, actor, now).await?;
    let event = AuditEvent::by(actor, AuditAction::SamplesAdded, "user", actor.user_id);
    audit::record(&txn, event, now).await?;
    txn.commit().await?;
    tracing::info!(therapist = actor.user_id, "sample couples added");
    Ok(())
}

/// One fictional couple as the services see it: the case and both partners' actors.
struct SampleCouple {
    case_id: i32,
    a: Actor,
    b: Actor,
}

/// Creates a sample case (marked before anything else happens in it), lets both partners
/// join, and assigns Baby Steps — all at `at`.
async fn sample_case(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    label: &str,
    (a_name, a_seeks): (&str, &str),
    (b_name, b_seeks): (&str, &str),
    at: DateTime<Utc>,
) -> Result<SampleCouple, AppError> {
    let email = |name: &str| format!("{}.{}@{SAMPLE_DOMAIN}", name.to_lowercase(), actor.user_id);
    let (a_email, b_email) = (email(a_name), email(b_name));
    let fields = |first_name, email, seeks| PartnerFields {
        first_name,
        last_name: "Example",
        email,
        pronouns: "",
        seeks,
    };
    let draft = CaseDraft::parse(
        label,
        "no_secrets",
        fields(a_name, &a_email, a_seeks),
        fields(b_name, &b_email, b_seeks),
    )?;
    let case_id = cases::create_case(db, actor, draft, at).await?;
    case_rows::Entity::update_many()
        .col_expr(case_rows::Column::IsSample, Expr::value(true))
        .filter(case_rows::Column::Id.eq(case_id))
        .exec(db)
        .await?;
    let mut joined = Vec::new();
    for partner in partners_of(db, case_id).await? {
        joined.push(join(db, &partner, at).await?);
    }
    homework::assign_programme(db, actor, case_id, homework::ProgrammeChoice::whole(None, ""), at).await?;
    Ok(SampleCouple { case_id, a: joined[0], b: joined[1] })
}

/// A sample partner joins: a client account with no password (nobody can sign in as it),
/// linked to the partner row. No invitation: there is nobody to send it to.
async fn join(
    db: &impl ConnectionTrait,
    partner: &partners::Model,
    at: DateTime<Utc>,
) -> Result<Actor, AppError> {
    let email = EmailAddress::parse(&partner.email).map_err(|_| AppError::Internal)?;
    let name = format!("{} Example", partner.first_name);
    let user_id = accounts::create_client(db, &email, &name, passwords::NO_PASSWORD.to_owned(), at).await?;
    partners::Entity::update_many()
        .col_expr(partners::Column::ClientUserId, Expr::value(user_id))
        .col_expr(partners::Column::JoinedAt, Expr::value(at))
        .filter(partners::Column::Id.eq(partner.id))
        .exec(db)
        .await?;
    Ok(Actor { user_id, role: Role::Client })
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// Step 1 of an emotional-closeness seeker (two behaviours to wish for).
fn emotional_step_1(first: &str, second: &str) -> BTreeMap<String, String> {
    answers(&[
        ("emotional_meaning", "Feeling that we are on the same side at the end of a long day."),
        ("behaviours", &format!("{first}\n{second}")),
    ])
}

/// Step 1 of a physical-closeness seeker (one behaviour to wish for).
fn physical_step_1(behaviour: &str) -> BTreeMap<String, String> {
    answers(&[
        ("physical_meaning", "Being close without it having to lead anywhere."),
        ("behaviours", behaviour),
    ])
}

/// The couple's Baby Steps assignments, step 1 first.
async fn step_ids(db: &impl ConnectionTrait, case_id: i32) -> Result<Vec<i32>, AppError> {
    Ok(assignments::Entity::find()
        .select_only()
        .column(assignments::Column::Id)
        .filter(assignments::Column::CaseId.eq(case_id))
        .order_by_asc(assignments::Column::StepNumber)
        .into_tuple()
        .all(db)
        .await?)
}

/// Both partners submit and share step 1, then submit step 2 (step 3 opens).
async fn through_step_2(
    db: &(impl ConnectionTrait + TransactionTrait),
    c: &SampleCouple,
    (a_step_1, b_step_1): (BTreeMap<String, String>, BTreeMap<String, String>),
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let steps = step_ids(db, c.case_id).await?;
    homework::save_answers(db, c.a, steps[0], 0, &a_step_1, SaveIntent::Submit, at).await?;
    homework::save_answers(db, c.b, steps[0], 0, &b_step_1, SaveIntent::Submit, at + Duration::hours(5))
        .await?;
    let shared = at + Duration::days(1);
    homework::share(db, c.a, steps[0], shared).await?;
    homework::share(db, c.b, steps[0], shared + Duration::hours(2)).await?;
    let talked = answers(&[("learned", "We both want more unhurried time together.")]);
    let talked_at = at + Duration::days(6);
    for client in [c.a, c.b] {
        homework::save_answers(db, client, steps[1], 0, &talked, SaveIntent::Submit, talked_at).await?;
    }
    Ok(())
}

/// The wish `text` as its addressee sees it (id and version).
async fn wish(
    db: &(impl ConnectionTrait + TransactionTrait),
    addressee: Actor,
    text: &str,
    at: DateTime<Utc>,
) -> Result<wishes::Model, AppError> {
    let board = exchange::board(db, addressee, at).await?;
    board
        .wishes
        .into_iter()
        .map(|thread| thread.wish)
        .find(|wish| wish.text == text)
        .ok_or(AppError::Internal)
}

/// The addressee acts on the wish `text`.
async fn act(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    text: &str,
    action: WishAction,
    offer: &str,
    ease: Option<i16>,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let found = wish(db, actor, text, at).await?;
    let details = ActionDetails { offer: offer.to_owned(), ease };
    exchange::act_on_wish(db, actor, found.id, found.version, action, details, at).await
}

/// Robin & Kai: step 1, with Robin's submitted and Kai's not started.
async fn at_step_1(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let start = now - Duration::days(4);
    let c = sample_case(db, actor, "Sample: Robin & Kai", ("Robin", "emotional"), ("Kai", "physical"), start)
        .await?;
    let steps = step_ids(db, c.case_id).await?;
    let robin = emotional_step_1("Ask how my day went, and listen", "Plan one evening a week together");
    homework::save_answers(db, c.a, steps[0], 0, &robin, SaveIntent::Submit, now - Duration::days(2)).await?;
    Ok(())
}

/// Alex & Sam: in the exchange (step 3). Sam said yes to one of Alex's wishes and offered a
/// smaller step for the other, which waits for Alex; Alex said yes to Sam's wish.
async fn in_the_exchange(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let start = now - Duration::days(24);
    let c = sample_case(db, actor, "Sample: Alex & Sam", ("Alex", "emotional"), ("Sam", "physical"), start)
        .await?;
    let alex = emotional_step_1("Ask about my day", "Put phones away at dinner");
    let sam = physical_step_1("Hug me when you come home");
    through_step_2(db, &c, (alex, sam), start + Duration::days(2)).await?;
    let answered = now - Duration::days(5);
    act(db, c.b, "Ask about my day", WishAction::Yes, "", Some(4), answered).await?;
    act(
        db,
        c.b,
        "Put phones away at dinner",
        WishAction::SmallerStep,
        "Phones away for the first ten minutes of dinner",
        Some(3),
        answered + Duration::hours(1),
    )
    .await?;
    act(db, c.a, "Hug me when you come home", WishAction::Yes, "", Some(5), now - Duration::days(3)).await?;
    Ok(())
}

/// Jordan & Casey: every wish agreed, each practising, eight weekly check-ins with
/// closeness slowly rising, ratings shared, and the pact confirmed by both.
async fn with_a_pact(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let this_week = week_start(now.date_naive());
    let first_week = this_week - Duration::weeks(8);
    let monday = |week: chrono::NaiveDate| week.and_hms_opt(18, 0, 0).map(|t| t.and_utc()).unwrap_or(now);
    let start = monday(first_week) - Duration::weeks(3);
    let c = sample_case(
        db,
        actor,
        "Sample: Jordan & Casey",
        ("Jordan", "emotional"),
        ("Casey", "physical"),
        start,
    )
    .await?;
    let jordan = emotional_step_1("Tell me one good thing about your day", "Walk together on Sundays");
    let casey = physical_step_1("Hold my hand when we go out");
    through_step_2(db, &c, (jordan, casey), start + Duration::days(1)).await?;
    let agreed = start + Duration::days(10);
    act(db, c.b, "Tell me one good thing about your day", WishAction::Yes, "", Some(5), agreed).await?;
    act(db, c.b, "Walk together on Sundays", WishAction::Yes, "", Some(3), agreed).await?;
    act(db, c.a, "Hold my hand when we go out", WishAction::Yes, "", Some(4), agreed).await?;
    let board = exchange::board(db, c.a, agreed).await?;
    let partners = partners_of(db, c.case_id).await?;
    for agreement in &board.agreements {
        let giver = if agreement.giver_id == partners[0].id { c.a } else { c.b };
        exchange::choose_agreement(db, giver, agreement.id, true, 3, agreed + Duration::hours(1)).await?;
    }
    for client in [c.a, c.b] {
        exchange::set_share_ratings(db, client, true, agreed + Duration::hours(2)).await?;
    }
    for week in 0..8_i16 {
        let week_start = first_week + Duration::weeks(i64::from(week));
        let at = monday(week_start) + Duration::days(6);
        for (client, base) in [(c.a, 4_i16), (c.b, 3_i16)] {
            let form = CheckInForm {
                week_start,
                my_part: if week < 2 { "partly" } else { "done" }.to_owned(),
                noticed: if week < 3 { "partly" } else { "done" }.to_owned(),
                emotional: (base + week / 2).min(10),
                physical: (base + (week + 1) / 2).min(10),
                note: String::new(),
            };
            exchange::save_check_in(db, client, form, at).await?;
        }
    }
    let confirmed = now - Duration::days(2);
    exchange::save_pact(db, c.a, "Keeping score of who did more at home.", true, false, true, confirmed)
        .await?;
    exchange::save_pact(db, c.b, "The holiday we never talked about.", false, false, true, confirmed).await?;
    Ok(())
}

/// Removes every sample couple of the therapist completely — every row that belongs to
/// them, their partners' accounts included — in one transaction. The audit trail keeps its
/// entries (it is append-only; they hold no content) and gains one saying samples were
/// removed. Returns how many cases were removed.
pub async fn remove_sample_couples(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    actor.require_role(Role::Therapist)?;
    let txn = db.begin().await?;
    let case_ids: Vec<i32> = case_rows::Entity::find()
        .select_only()
        .column(case_rows::Column::Id)
        .filter(case_rows::Column::TherapistId.eq(actor.user_id))
        .filter(case_rows::Column::IsSample.eq(true))
        .into_tuple()
        .all(&txn)
        .await?;
    if case_ids.is_empty() {
        return Ok(0);
    }
    let sample_partners =
        partners::Entity::find().filter(partners::Column::CaseId.is_in(case_ids.clone())).all(&txn).await?;
    let partner_ids: Vec<i32> = sample_partners.iter().map(|p| p.id).collect();
    let user_ids: Vec<i32> = sample_partners.iter().filter_map(|p| p.client_user_id).collect();
    delete_rows(&txn, &case_ids, &partner_ids, &user_ids).await?;
    let event = AuditEvent {
        actor_user_id: Some(actor.user_id),
        action: AuditAction::SamplesRemoved,
        record_type: "user",
        record_id: actor.user_id.to_string(),
    };
    audit::record(&txn, event, now).await?;
    txn.commit().await?;
    tracing::info!(therapist = actor.user_id, cases = case_ids.len(), "sample couples removed");
    Ok(case_ids.len())
}

/// Deletes the rows of the given sample cases, their partners and their partners' accounts,
/// children before parents (so no foreign key is ever left dangling, on either database).
async fn delete_rows(
    db: &impl ConnectionTrait,
    case_ids: &[i32],
    partner_ids: &[i32],
    user_ids: &[i32],
) -> Result<(), AppError> {
    let cases = || case_ids.iter().copied();
    let partners = || partner_ids.iter().copied();
    let users = || user_ids.iter().copied();
    let assignment_ids = assignments::Entity::find()
        .select_only()
        .column(assignments::Column::Id)
        .filter(assignments::Column::CaseId.is_in(cases()))
        .into_query();
    let response_ids = responses::Entity::find()
        .select_only()
        .column(responses::Column::Id)
        .filter(responses::Column::AssignmentId.in_subquery(assignment_ids.clone()))
        .into_query();
    comments::Entity::delete_many()
        .filter(comments::Column::ResponseId.in_subquery(response_ids))
        .exec(db)
        .await?;
    responses::Entity::delete_many()
        .filter(responses::Column::AssignmentId.in_subquery(assignment_ids))
        .exec(db)
        .await?;
    assignments::Entity::delete_many().filter(assignments::Column::CaseId.is_in(cases())).exec(db).await?;
    let wish_ids = wishes::Entity::find()
        .select_only()
        .column(wishes::Column::Id)
        .filter(wishes::Column::CaseId.is_in(cases()))
        .into_query();
    agreements::Entity::delete_many().filter(agreements::Column::CaseId.is_in(cases())).exec(db).await?;
    offers::Entity::delete_many().filter(offers::Column::WishId.in_subquery(wish_ids)).exec(db).await?;
    wishes::Entity::delete_many().filter(wishes::Column::CaseId.is_in(cases())).exec(db).await?;
    check_ins::Entity::delete_many().filter(check_ins::Column::CaseId.is_in(cases())).exec(db).await?;
    pact_entries::Entity::delete_many().filter(pact_entries::Column::CaseId.is_in(cases())).exec(db).await?;
    let note_ids = private_notes::Entity::find()
        .select_only()
        .column(private_notes::Column::Id)
        .filter(private_notes::Column::CaseId.is_in(cases()))
        .into_query();
    private_note_replies::Entity::delete_many()
        .filter(private_note_replies::Column::NoteId.in_subquery(note_ids))
        .exec(db)
        .await?;
    private_notes::Entity::delete_many()
        .filter(private_notes::Column::CaseId.is_in(cases()))
        .exec(db)
        .await?;
    slot_links::Entity::delete_many()
        .filter(slot_links::Column::PartnerId.is_in(partners()))
        .exec(db)
        .await?;
    consultation_slots::Entity::delete_many()
        .filter(consultation_slots::Column::CaseId.is_in(cases()))
        .exec(db)
        .await?;
    password_resets::Entity::delete_many()
        .filter(password_resets::Column::UserId.is_in(users()))
        .exec(db)
        .await?;
    outbox_emails::Entity::delete_many()
        .filter(
            Condition::any()
                .add(outbox_emails::Column::CaseId.is_in(cases()))
                .add(outbox_emails::Column::PartnerId.is_in(partners())),
        )
        .exec(db)
        .await?;
    invitations::Entity::delete_many()
        .filter(invitations::Column::PartnerId.is_in(partners()))
        .exec(db)
        .await?;
    sessions::Entity::delete_many().filter(sessions::Column::UserId.is_in(users())).exec(db).await?;
    pending_sign_ins::Entity::delete_many()
        .filter(pending_sign_ins::Column::UserId.is_in(users()))
        .exec(db)
        .await?;
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.is_in(users()))
        .exec(db)
        .await?;
    second_factors::Entity::delete_many()
        .filter(second_factors::Column::UserId.is_in(users()))
        .exec(db)
        .await?;
    account_links::Entity::delete_many()
        .filter(account_links::Column::UserId.is_in(users()))
        .exec(db)
        .await?;
    partners::Entity::delete_many().filter(partners::Column::CaseId.is_in(cases())).exec(db).await?;
    case_rows::Entity::delete_many().filter(case_rows::Column::Id.is_in(cases())).exec(db).await?;
    users::Entity::delete_many()
        .filter(users::Column::Id.is_in(users()))
        .filter(users::Column::Role.eq(Role::Client))
        .exec(db)
        .await?;
    Ok(())
}

/// A sample partner's "My homework", as that partner would see it, for their therapist to
/// read ("View as Alex"). Only for a partner of one of the therapist's own **sample**
/// cases: another therapist's case is "not found", a real case "forbidden". Audited as the
/// therapist's, never as the fictional client's.
pub async fn view_as(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
    partner_id: i32,
    now: DateTime<Utc>,
) -> Result<ClientHomePage, AppError> {
    let case = owned_case(db, actor, case_id).await?;
    if !case.is_sample {
        super::request_context::note_refusal(403);
        return Err(AppError::Forbidden);
    }
    let own = partner_of_case(db, case_id, partner_id).await?;
    let both = partners_of(db, case_id).await?;
    let other = both.iter().find(|p| p.id != own.id).cloned().ok_or(AppError::NotFound)?;
    let therapist =
        users::Entity::find_by_id(actor.user_id).one(db).await?.ok_or(AppError::Unauthenticated)?;
    let event = AuditEvent::by(actor, AuditAction::SampleViewedAs, "partner", own.id);
    audit::record(db, event.concerning(case_id, Some(own.id)), now).await?;
    let case = case.into_model();
    let no_access = access::no_access_reason(&own, &case).map(|refusal| refusal.to_string());
    let found = homework::partner_homework(db, &own).await?;
    let progress = exchange::progress_with_open_steps(db, case_id, &both, found.open_steps).await?;
    let (homework, measures) = match no_access {
        Some(_) => (Vec::new(), Vec::new()),
        None => (found.items, measures::of_partner(db, &own, today_in(&therapist.time_zone, now)).await?),
    };
    let safety = settings::safety_of(&therapist);
    Ok(ClientHomePage {
        case: ClientCase { case, own, other, therapist_name: therapist.display_name, no_access, safety },
        homework,
        progress: Some(progress),
        measures,
    })
}
