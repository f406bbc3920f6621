//! Shared look-ups that decide who reaches what: a therapist's own case, the signed-in
//! client's couple, a case's partners and the other partner, and the closed-case refusal.
//! Every service that touches case data starts here, so each rule is said once.

use super::{request_context, Actor};
use crate::{
    domain::{case::CaseStatus, Role},
    entities::{cases, partners, private_notes},
    error::AppError,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use tokio::sync::OnceCell;

/// The join condition from an item to its case by the case's key: `cases.id = case_id + 0`,
/// where `case_id` is the item's column. The `+ 0` means no database can probe the item
/// table's case index with it, so a read that starts from a few items (a partial index of
/// open ones) is never turned into a walk over all of the therapist's cases to probe that
/// index (at 10,000 cases SQLite chose that walk: 1.3 ms a caseload view with nothing open).
pub(crate) fn case_by_key(case_id: Expr) -> Expr {
    Expr::col((cases::Entity, cases::Column::Id)).eq(case_id.add(0))
}

/// A case whose therapist is the actor. Only [`owned_case`] makes one, so a reader that
/// takes an `&OwnedCase` cannot be reached without that check. Its partners are read once,
/// by the first reader that asks for them ([`OwnedCase::partners`]), and so are its private
/// notes ([`OwnedCase::private_notes`]).
#[derive(Debug, Clone)]
pub struct OwnedCase {
    case: cases::Model,
    partners: OnceCell<Vec<partners::Model>>,
    private_notes: OnceCell<Vec<private_notes::Model>>,
}

impl std::ops::Deref for OwnedCase {
    type Target = cases::Model;

    fn deref(&self) -> &cases::Model {
        &self.case
    }
}

impl OwnedCase {
    /// The case row, to change it.
    pub fn into_model(self) -> cases::Model {
        self.case
    }

    /// The case's two partners, partner A first: read on the first call, then kept (a page
    /// that shows the case in several parts reads them once).
    pub async fn partners(&self, db: &impl ConnectionTrait) -> Result<&[partners::Model], AppError> {
        Ok(self.partners.get_or_try_init(|| partners_of(db, self.case.id)).await?)
    }

    /// Keeps the case's partners that a caller read together with more (their invitations),
    /// so that [`OwnedCase::partners`] reads nothing afterwards. Partners already kept stay:
    /// they are the same rows.
    pub fn keep_partners(&self, partners: Vec<partners::Model>) {
        if self.partners.initialized() {
            return;
        }
        // Only fails when already set, which was just checked (and would keep the same rows).
        let _ = self.partners.set(partners);
    }

    /// The case's private notes, newest first: read on the first call, then kept (the notes
    /// tab lists them and offers them as session topics from one read).
    pub async fn private_notes(
        &self,
        db: &impl ConnectionTrait,
    ) -> Result<&[private_notes::Model], AppError> {
        Ok(self
            .private_notes
            .get_or_try_init(|| async {
                private_notes::Entity::find()
                    .filter(private_notes::Column::CaseId.eq(self.case.id))
                    .order_by_desc(private_notes::Column::Id)
                    .all(db)
                    .await
            })
            .await?)
    }
}

/// The therapist's case, or "not found" for anyone else (its existence is private; the
/// refusal is noted for the audit trail).
pub async fn owned_case(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
) -> Result<OwnedCase, AppError> {
    actor.require_role(Role::Therapist)?;
    // The id is the key: no `LIMIT` to bind (SQLite re-prepares a statement with a bound limit).
    let found = cases::Entity::find_by_id(case_id)
        .filter(cases::Column::TherapistId.eq(actor.user_id))
        .all(db)
        .await?
        .into_iter()
        .next();
    found
        .map(|case| OwnedCase { case, partners: OnceCell::new(), private_notes: OnceCell::new() })
        .ok_or_else(|| {
            request_context::note_refusal(404);
            AppError::NotFound
        })
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

/// One partner of a case, by id ("not found" for a partner of another case). The caller
/// checks the case first.
pub async fn partner_of_case(
    db: &impl ConnectionTrait,
    case_id: i32,
    partner_id: i32,
) -> Result<partners::Model, AppError> {
    partners::Entity::find_by_id(partner_id)
        .filter(partners::Column::CaseId.eq(case_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The signed-in client's partner row and case, whatever the case's state: for what a
/// client keeps after a case is closed or they are removed (their home page's notice,
/// private notes to the therapist, their own writing).
pub(crate) async fn client_membership(
    db: &impl ConnectionTrait,
    actor: Actor,
) -> Result<(partners::Model, cases::Model), AppError> {
    actor.require_role(Role::Client)?;
    // One statement for both rows; the client's partner row is unique, so no `LIMIT`.
    let found = partners::Entity::find()
        .find_also_related(cases::Entity)
        .filter(partners::Column::ClientUserId.eq(actor.user_id))
        .all(db)
        .await?
        .into_iter()
        .next();
    match found {
        Some((partner, Some(case))) => Ok((partner, case)),
        _ => Err(AppError::NotFound),
    }
}

/// The signed-in client's partner row and case, for reading or changing the case's content:
/// refused once the therapist has closed the case or removed this partner from it.
pub(crate) async fn client_partner(
    db: &impl ConnectionTrait,
    actor: Actor,
) -> Result<(partners::Model, cases::Model), AppError> {
    let (partner, case) = client_membership(db, actor).await?;
    refuse_if_no_access(&partner, &case)?;
    Ok((partner, case))
}

/// Refuses a client who no longer reaches their case's content (a refusal noted for the
/// audit trail).
pub fn refuse_if_no_access(partner: &partners::Model, case: &cases::Model) -> Result<(), AppError> {
    match no_access_reason(partner, case) {
        Some(refusal) => {
            request_context::note_refusal(403);
            Err(refusal)
        }
        None => Ok(()),
    }
}

/// Why a client no longer reaches their case's content, if they don't.
pub fn no_access_reason(partner: &partners::Model, case: &cases::Model) -> Option<AppError> {
    if partner.removed_at.is_some() {
        return Some(AppError::no_access(
            "Your therapist has ended your access to this case. You can still send them a private note and download your own writing.",
        ));
    }
    if case.status == CaseStatus::Closed {
        return Some(AppError::no_access(
            "Your therapist has closed this work. You can still send them a private note and download your own writing.",
        ));
    }
    None
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

/// The signed-in client's couple, for the case's content ("not found" for anyone who is not
/// a joined partner; refused once the case is closed or this partner removed).
pub async fn couple_of(db: &impl ConnectionTrait, actor: Actor) -> Result<Couple, AppError> {
    let couple = membership_couple_of(db, actor).await?;
    refuse_if_no_access(&couple.me, &couple.case)?;
    Ok(couple)
}

/// The signed-in client's couple whatever the case's state (see [`client_membership`]).
pub async fn membership_couple_of(db: &impl ConnectionTrait, actor: Actor) -> Result<Couple, AppError> {
    let (me, case) = client_membership(db, actor).await?;
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

/// Refuses a new move in the exchange (a wish, an answer, a check-in, the pact) while the
/// therapist has paused or closed the case; reading stays open while paused.
pub fn refuse_unless_active(case: &cases::Model) -> Result<(), AppError> {
    match case.status {
        CaseStatus::Active => Ok(()),
        CaseStatus::Paused => Err(AppError::conflict(
            "Your therapist has paused this work for now. You can read everything, and new steps open again when they resume it.",
        )),
        CaseStatus::Closed => {
            Err(AppError::conflict("Your therapist has closed this work, so it can't be changed now."))
        }
    }
}

/// Refuses a client's change to the other partner once the therapist has removed them.
pub fn refuse_if_partner_removed(other: &partners::Model) -> Result<(), AppError> {
    if other.removed_at.is_some() {
        return Err(AppError::conflict(format!("{} is no longer part of this work.", other.first_name)));
    }
    Ok(())
}
