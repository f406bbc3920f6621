//! Shared look-ups that decide who reaches what: a therapist's own case, the signed-in
//! client's couple, a case's partners and the other partner, and the closed-case refusal.
//! Every service that touches case data starts here, so each rule is said once.

use super::Actor;
use crate::{
    domain::{case::CaseStatus, Role},
    entities::{cases, partners},
    error::AppError,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// A case whose therapist is the actor. Only [`owned_case`] makes one, so a reader that
/// takes an `&OwnedCase` cannot be reached without that check.
#[derive(Debug, Clone)]
pub struct OwnedCase(cases::Model);

impl std::ops::Deref for OwnedCase {
    type Target = cases::Model;

    fn deref(&self) -> &cases::Model {
        &self.0
    }
}

impl OwnedCase {
    /// The case row, to change it.
    pub fn into_model(self) -> cases::Model {
        self.0
    }
}

/// The therapist's case, or "not found" for anyone else (its existence is private).
pub async fn owned_case(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
) -> Result<OwnedCase, AppError> {
    actor.require_role(Role::Therapist)?;
    cases::Entity::find_by_id(case_id)
        .filter(cases::Column::TherapistId.eq(actor.user_id))
        .one(db)
        .await?
        .map(OwnedCase)
        .ok_or(AppError::NotFound)
}

/// A case by id, for flows whose credential is a link rather than a session.
pub async fn case_by_id(db: &impl ConnectionTrait, case_id: i32) -> Result<cases::Model, AppError> {
    cases::Entity::find_by_id(case_id).one(db).await?.ok_or(AppError::NotFound)
}

/// The case's two partners, partner A first.
pub async fn partners_of(db: &impl ConnectionTrait, case_id: i32) -> Result<Vec<partners::Model>, AppError> {
    Ok(partners::Entity::find()
        .filter(partners::Column::CaseId.eq(case_id))
        .order_by_asc(partners::Column::Position)
        .all(db)
        .await?)
}

/// The signed-in client's partner row and case.
pub(crate) async fn client_partner(
    db: &impl ConnectionTrait,
    actor: Actor,
) -> Result<(partners::Model, cases::Model), AppError> {
    actor.require_role(Role::Client)?;
    let partner = partners::Entity::find()
        .filter(partners::Column::ClientUserId.eq(actor.user_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let case = cases::Entity::find_by_id(partner.case_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok((partner, case))
}

/// The signed-in client, their case and the other partner.
#[derive(Debug, Clone)]
pub struct Couple {
    /// The signed-in client's partner row.
    pub me: partners::Model,
    /// The other partner.
    pub other: partners::Model,
    /// Their case.
    pub case: cases::Model,
}

/// The signed-in client's couple ("not found" for anyone who is not a joined partner).
pub async fn couple_of(db: &impl ConnectionTrait, actor: Actor) -> Result<Couple, AppError> {
    let (me, case) = client_partner(db, actor).await?;
    let other = other_partner(partners_of(db, case.id).await?, &me)?;
    Ok(Couple { me, other, case })
}

/// The partner of `me` among a case's partners.
pub fn other_partner(
    partners: Vec<partners::Model>,
    me: &partners::Model,
) -> Result<partners::Model, AppError> {
    partners.into_iter().find(|p| p.id != me.id).ok_or(AppError::NotFound)
}

/// Refuses a client's change to a closed case.
pub fn refuse_if_closed(case: &cases::Model) -> Result<(), AppError> {
    if case.status == CaseStatus::Closed {
        return Err(AppError::conflict("Your therapist has closed this work, so it can't be changed now."));
    }
    Ok(())
}
