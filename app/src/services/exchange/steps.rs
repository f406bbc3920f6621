//! Steps in order: the wishes page opens with step 3, agreements and the weekly check-in
//! with step 4, letting go and the pact with step 5, or earlier when the therapist opens a
//! step. Step 4 opens once each partner has answered every wish addressed to them; step 5
//! once each partner practises at least one agreement from the other's list.

use crate::{
    domain::{baby_steps, exchange},
    entities::{agreements, assignments, partners, wishes},
    error::AppError,
    services::{
        access::{owned_case, partner_of_case, partners_of},
        audit::{self, AuditAction, AuditEvent},
        homework, Actor,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, TransactionSession, TransactionTrait,
};

/// The case's Baby Steps steps, step 1 first (none when the programme is not assigned).
async fn programme_steps(
    db: &impl ConnectionTrait,
    case_id: i32,
) -> Result<Vec<assignments::Model>, AppError> {
    let mut steps = assignments::Entity::find()
        .filter(assignments::Column::CaseId.eq(case_id))
        .filter(assignments::Column::ProgrammeKey.eq(baby_steps::PROGRAMME_KEY))
        .all(db)
        .await?;
    steps.sort_by_key(|step| step.step_number);
    Ok(steps)
}

/// The numbers of the case's Baby Steps steps that are open.
pub async fn open_steps(db: &impl ConnectionTrait, case_id: i32) -> Result<Vec<i16>, AppError> {
    Ok(programme_steps(db, case_id)
        .await?
        .into_iter()
        .filter(|step| step.unlocked_at.is_some())
        .filter_map(|step| step.step_number)
        .collect())
}

/// True when the case's Baby Steps step `step` is open.
pub async fn step_is_open(db: &impl ConnectionTrait, case_id: i32, step: i16) -> Result<bool, AppError> {
    Ok(open_steps(db, case_id).await?.contains(&step))
}

/// Refuses a move that belongs to a step not open yet, saying what comes first.
pub async fn require_step(db: &impl ConnectionTrait, case_id: i32, step: i16) -> Result<(), AppError> {
    if step_is_open(db, case_id, step).await? {
        Ok(())
    } else {
        Err(AppError::conflict(baby_steps::what_comes_first(step)))
    }
}

/// One partner's progress through steps 3 and 4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerProgress {
    /// The partner.
    pub partner_id: i32,
    /// Their first name.
    pub first_name: String,
    /// Wishes addressed to them that they have answered.
    pub answered: usize,
    /// Wishes addressed to them (not counting withdrawn ones).
    pub to_answer: usize,
    /// Agreements they give and chose to practise (not counting withdrawn ones).
    pub practising: usize,
    /// True once they have answered every wish addressed to them (step 3 done for them).
    pub step_3_done: bool,
    /// Every wish they made was declined for now.
    pub all_declined: bool,
    /// The therapist should look: every wish declined, and the therapist has not cleared
    /// that since the last change to one of those wishes.
    pub flagged: bool,
}

/// Where a couple stands in the programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The numbers of the open steps (empty when Baby Steps is not assigned).
    pub open_steps: Vec<i16>,
    /// Partner A, then partner B.
    pub partners: Vec<PartnerProgress>,
}

impl Progress {
    /// True when step `number` is open.
    pub fn is_open(&self, number: i16) -> bool {
        self.open_steps.contains(&number)
    }
}

/// A case's progress through the programme. The caller has checked the viewer may see
/// the case; the counts are no one's private answers (both partners see the wishes and
/// their answers once step 1 is shared).
pub async fn progress(db: &impl ConnectionTrait, case_id: i32) -> Result<Progress, AppError> {
    let partners = partners_of(db, case_id).await?;
    progress_with_partners(db, case_id, &partners).await
}

/// [`progress`] for a caller that has already read the case's partners.
pub async fn progress_with_partners(
    db: &impl ConnectionTrait,
    case_id: i32,
    partners: &[partners::Model],
) -> Result<Progress, AppError> {
    progress_with_open_steps(db, case_id, partners, open_steps(db, case_id).await?).await
}

/// [`progress`] for a caller that has already read the case's partners and which of its
/// steps are open (a client's home reads those with their homework).
pub async fn progress_with_open_steps(
    db: &impl ConnectionTrait,
    case_id: i32,
    partners: &[partners::Model],
    open_steps: Vec<i16>,
) -> Result<Progress, AppError> {
    let all_wishes = wishes::Entity::find().filter(wishes::Column::CaseId.eq(case_id)).all(db).await?;
    let all_agreements =
        agreements::Entity::find().filter(agreements::Column::CaseId.eq(case_id)).all(db).await?;
    Ok(progress_of(open_steps, partners, &all_wishes, &all_agreements))
}

/// A case's progress from its open steps, partners, wishes and agreements (all of them).
pub fn progress_of(
    open_steps: Vec<i16>,
    partners: &[partners::Model],
    all_wishes: &[wishes::Model],
    all_agreements: &[agreements::Model],
) -> Progress {
    let partners = partners
        .iter()
        .map(|partner| {
            let states: Vec<_> =
                all_wishes.iter().filter(|w| w.addressee_id == partner.id).map(|w| w.state).collect();
            let (answered, to_answer) = exchange::wishes_answered(&states);
            let practising = all_agreements
                .iter()
                .filter(|a| a.giver_id == partner.id && a.chosen && a.withdrawn_at.is_none())
                .count();
            let made: Vec<&wishes::Model> = all_wishes.iter().filter(|w| w.wisher_id == partner.id).collect();
            let all_declined = exchange::all_declined(&made.iter().map(|w| w.state).collect::<Vec<_>>());
            let last_change = made.iter().map(|w| w.updated_at).max();
            let cleared =
                partner.declined_flag_cleared_at.is_some_and(|at| last_change.is_some_and(|c| c <= at));
            PartnerProgress {
                all_declined,
                flagged: all_declined && !cleared,
                partner_id: partner.id,
                first_name: partner.first_name.clone(),
                answered,
                to_answer,
                practising,
                step_3_done: exchange::step_3_complete_for(&states),
            }
        })
        .collect();
    Progress { open_steps, partners }
}

/// The therapist clears the flag that every wish of one partner was declined (it comes
/// back if one of those wishes changes and all are declined again).
pub async fn clear_declined_flag(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    partner_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    owned_case(&txn, actor, case_id).await?;
    let partner = partner_of_case(&txn, case_id, partner_id).await?;
    let mut active = partner.into_active_model();
    active.declined_flag_cleared_at = Set(Some(now));
    active.update(&txn).await?;
    let event = AuditEvent::by(actor, AuditAction::DeclinedFlagCleared, "partner", partner_id);
    audit::record(&txn, event.concerning(case_id, Some(partner_id)), now).await?;
    txn.commit().await?;
    Ok(())
}

/// The partners of a page of cases whose wishes were all declined and not cleared, by case:
/// for the caseload (one query for the wishes; the partners are given).
pub async fn declined_flags(
    db: &impl ConnectionTrait,
    partners: &[partners::Model],
    case_ids: &[i32],
) -> Result<std::collections::BTreeMap<i32, Vec<String>>, AppError> {
    let mut flags: std::collections::BTreeMap<i32, Vec<String>> = Default::default();
    if case_ids.is_empty() {
        return Ok(flags);
    }
    let all_wishes =
        wishes::Entity::find().filter(wishes::Column::CaseId.is_in(case_ids.iter().copied())).all(db).await?;
    for case_id in case_ids {
        let theirs: Vec<partners::Model> =
            partners.iter().filter(|p| p.case_id == *case_id).cloned().collect();
        let progress = progress_of(Vec::new(), &theirs, &all_wishes, &[]);
        let names: Vec<String> =
            progress.partners.into_iter().filter(|p| p.flagged).map(|p| p.first_name).collect();
        if !names.is_empty() {
            flags.insert(*case_id, names);
        }
    }
    Ok(flags)
}

/// Opens step 4 when step 3 is complete for both partners, and step 5 when step 4 is
/// complete, inside the caller's transaction, and tells both partners something new is
/// waiting (after their quiet hours). A step once open stays open.
pub async fn open_next_steps(
    db: &impl ConnectionTrait,
    case_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let steps = programme_steps(db, case_id).await?;
    let found = progress(db, case_id).await?;
    let open = |number: i16| found.open_steps.contains(&number);
    let step_3_done = found.partners.len() == 2 && found.partners.iter().all(|p| p.step_3_done);
    let step_4_done =
        exchange::step_4_complete(&found.partners.iter().map(|p| p.practising).collect::<Vec<_>>());
    let mut opening = Vec::new();
    if open(baby_steps::WISHES_STEP) && !open(baby_steps::AGREEMENTS_STEP) && step_3_done {
        opening.push(baby_steps::AGREEMENTS_STEP);
    }
    let step_4_open = open(baby_steps::AGREEMENTS_STEP) || opening.contains(&baby_steps::AGREEMENTS_STEP);
    if step_4_open && !open(baby_steps::PACT_STEP) && step_4_done {
        opening.push(baby_steps::PACT_STEP);
    }
    for step in steps.into_iter().filter(|s| s.step_number.is_some_and(|n| opening.contains(&n))) {
        homework::notify_step_opened(db, &step, now).await?;
        let mut active = step.into_active_model();
        active.unlocked_at = Set(Some(now));
        active.update(db).await?;
    }
    Ok(())
}
