//! Deleting a therapist's account. It is possible only with no open case (active or paused,
//! sample couples included) and once the record of every closed case has been downloaded
//! since it closed, or the case erased: clinical records are never lost by a click.
//!
//! In one transaction: each closed case's content is erased as on request (with its
//! tombstone), every session, second factor, recovery code and link of the account is
//! deleted, the bodies of emails to the therapist are emptied, and the account row keeps
//! only its id and role ("Deleted account", an address nobody can own, no password), so the
//! audit trail's entries still name an account. The therapist's own exercises and measures
//! stay, unattributed to any person.

use super::{
    super::{
        audit::{self, AuditAction},
        erasure, passwords, sessions,
        throttle::{self, PER_ACCOUNT, PER_ADDRESS},
        Actor,
    },
    event, CURRENT_PASSWORD_WRONG,
};
use crate::{
    domain::{case::CaseStatus, Role},
    entities::{
        account_links, audit_entries, cases, outbox_emails, password_resets, pending_sign_ins,
        recovery_codes, second_factors, users,
    },
    error::AppError,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};

/// The request as it came from the form.
#[derive(Debug, Clone, Copy)]
pub struct AccountDeletion<'a> {
    /// The current password as typed (never logged).
    pub current_password: &'a str,
    /// The "I understand" box was ticked.
    pub confirmed: bool,
    /// The client's network address, for the per-address throttle.
    pub client_address: std::net::IpAddr,
}

/// What the account row says once deleted.
pub const DELETED_NAME: &str = "Deleted account";

/// Deletes the signed-in therapist's account (see the module's doc). Refusals: a wrong or
/// missing password and an unticked box at their fields; open cases, or closed cases whose
/// record was not downloaded, as a conflict that names them.
pub async fn delete_therapist_account(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    deletion: AccountDeletion<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    actor.require_role(Role::Therapist)?;
    let user = users::Entity::find_by_id(actor.user_id).one(db).await?.ok_or(AppError::Unauthenticated)?;
    if deletion.current_password.is_empty() {
        return Err(AppError::invalid("current_password", "Enter your current password."));
    }
    if !deletion.confirmed {
        return Err(AppError::invalid("confirm", "Tick the box to confirm you want your account deleted."));
    }
    let account_key = throttle::account_key(&user.email);
    let address_key = throttle::address_key(deletion.client_address);
    throttle::reserve(db, &address_key, PER_ADDRESS, now).await?;
    throttle::reserve(db, &account_key, PER_ACCOUNT, now).await?;
    if !passwords::verify(deletion.current_password, Some(&user.password_hash)).await? {
        audit::record(db, event(Some(user.id), AuditAction::AccountDeletionRefused, user.id), now).await?;
        return Err(AppError::invalid("current_password", CURRENT_PASSWORD_WRONG));
    }
    throttle::clear(db, &account_key).await?;
    throttle::release(db, &address_key).await?;

    let txn = db.begin().await?;
    let own_cases = cases::Entity::find()
        .filter(cases::Column::TherapistId.eq(user.id))
        .order_by_asc(cases::Column::Id)
        .all(&txn)
        .await?;
    let open: Vec<&str> =
        own_cases.iter().filter(|c| c.status != CaseStatus::Closed).map(|c| c.label.as_str()).collect();
    if !open.is_empty() {
        return Err(AppError::conflict(format!(
            "Close or erase every open case before deleting your account (still open: {}).",
            open.join(", ")
        )));
    }
    let mut kept = Vec::new();
    let mut not_downloaded = Vec::new();
    for case in own_cases.into_iter().filter(|c| c.erased_at.is_none()) {
        let exported = audit_entries::Entity::find()
            .filter(audit_entries::Column::CaseId.eq(case.id))
            .filter(audit_entries::Column::Action.eq(AuditAction::CaseExported.as_str()))
            .filter(audit_entries::Column::OccurredAt.gte(case.status_changed_at))
            .count(&txn)
            .await?;
        if exported == 0 {
            not_downloaded.push(case.label.clone());
        }
        kept.push(case);
    }
    if !not_downloaded.is_empty() {
        return Err(AppError::conflict(format!(
            "Download the record of each closed case (on its Records page), or erase it, before \
             deleting your account (not downloaded since it closed: {}).",
            not_downloaded.join(", ")
        )));
    }
    for case in kept {
        erasure::erase_closed_case(&txn, actor, case, now).await?;
    }
    sessions::end_all_for_user(&txn, user.id, now).await?;
    second_factors::Entity::delete_many()
        .filter(second_factors::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    recovery_codes::Entity::delete_many()
        .filter(recovery_codes::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    password_resets::Entity::delete_many()
        .filter(password_resets::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    pending_sign_ins::Entity::delete_many()
        .filter(pending_sign_ins::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    account_links::Entity::delete_many().filter(account_links::Column::UserId.eq(user.id)).exec(&txn).await?;
    erasure::empty_emails(&txn, outbox_emails::Column::ToAddress.eq(user.email.clone()), now).await?;
    let user_id = user.id;
    let mut active = user.into_active_model();
    active.email = Set(format!("{user_id}.deleted@invalid"));
    active.display_name = Set(DELETED_NAME.to_owned());
    active.password_hash = Set(passwords::NO_PASSWORD.to_owned());
    active.practice_name = Set(String::new());
    active.signature = Set(String::new());
    active.booking_url = Set(String::new());
    active.crisis_line = Set(String::new());
    active.reply_within_days = Set(None);
    active.second_factor_required = Set(false);
    active.email_verified_at = Set(None);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    audit::record(&txn, event(Some(user_id), AuditAction::AccountDeleted, user_id), now).await?;
    txn.commit().await?;
    Ok(())
}
