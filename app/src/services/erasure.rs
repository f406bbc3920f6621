//! Erasure and retention: removing a partner's or a whole case's content, on the
//! therapist's request or when a closed case has been kept as long as its therapist's
//! retention setting says. Everything happens in one transaction, and the audit trail keeps
//! a tombstone — what kinds of record were erased and how many, when and by whom, never
//! their content. The audit entries themselves are never touched.
//!
//! What goes: the partner's answers, drafts and shared copies with the comments on them,
//! their answers to scored measures,
//! the wishes between the partners with their offers and agreements, check-ins, step 5
//! writing, private notes and the replies to them, consultation links, the bodies of every
//! email about them (unsent ones are cancelled), their name, email and pronouns (the partner
//! row stays as "Erased", so the case and the trail keep their shape), and their client
//! account with its sessions, second factor and links (it is deleted: they are signed out at
//! once and cannot sign in again). For a whole case, also the therapist's notes, the notes
//! on its assignments, its proposed consultation times and its name (the case stays,
//! closed, as "Erased case N").

use super::{
    access::{owned_case, partner_of_case, partners_of},
    audit::{self, AuditAction, AuditEvent},
    sessions, Actor,
};
use crate::{
    domain::{case::CaseStatus, homework::ResponseStatus, outbox::EmailStatus},
    entities::{
        account_links, agreements, assignments, cases, check_ins, comments, consultation_slots, invitations,
        measure_answers, offers, outbox_emails, pact_entries, partners, password_resets, pending_sign_ins,
        private_note_replies, private_notes, recovery_codes, responses, second_factors, slot_links,
        therapy_session_topics, therapy_sessions, users, wishes,
    },
    error::AppError,
};
use chrono::{DateTime, Months, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect, QueryTrait, TransactionSession,
    TransactionTrait,
};
use std::collections::BTreeMap;

/// What to erase in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The whole case: both partners' content and the therapist's.
    Case,
    /// One partner's content (the partner's id).
    Partner(i32),
}

impl Scope {
    /// Reads the form's choice: `case`, or a partner's id.
    pub fn parse(text: &str) -> Result<Scope, AppError> {
        match text.trim() {
            "case" => Ok(Scope::Case),
            other => other
                .parse::<i32>()
                .map(Scope::Partner)
                .map_err(|_| AppError::invalid("scope", "Choose what to erase.")),
        }
    }
}

/// How many records of each kind were erased, by kind (`answers`, `check_ins`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erased(pub BTreeMap<&'static str, u64>);

impl Erased {
    fn add(&mut self, kind: &'static str, count: u64) {
        if count > 0 {
            *self.0.entry(kind).or_default() += count;
        }
    }

    /// How many records of `kind` were erased.
    pub fn count(&self, kind: &str) -> u64 {
        self.0.get(kind).copied().unwrap_or(0)
    }
}

/// The day a case closed at `closed_at` is purged when its therapist keeps closed cases
/// `years` years. A date beyond chrono's range never comes (it is never purged early).
pub fn purge_date(closed_at: DateTime<Utc>, years: i16) -> DateTime<Utc> {
    let months = u32::try_from(years.max(1)).unwrap_or(1) * 12;
    closed_at.checked_add_months(Months::new(months)).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The therapist erases one partner's content, or the whole case's, on request. One
/// transaction; the tombstone names the therapist.
pub async fn erase(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    scope: Scope,
    now: DateTime<Utc>,
) -> Result<Erased, AppError> {
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?.into_model();
    let erased = match scope {
        Scope::Case => {
            let erased = erase_case(&txn, case, now).await?;
            tombstone(&txn, Some(actor.user_id), AuditAction::ContentErased, case_id, None, &erased, now)
                .await?;
            erased
        }
        Scope::Partner(partner_id) => {
            let partner = partner_of_case(&txn, case.id, partner_id)
                .await
                .map_err(|_| AppError::invalid("scope", "Choose one of this case's partners."))?;
            let mut erased = Erased::default();
            erase_partner(&txn, partner, now, &mut erased).await?;
            let event = AuditAction::ContentErased;
            tombstone(&txn, Some(actor.user_id), event, case_id, Some(partner_id), &erased, now).await?;
            erased
        }
    };
    txn.commit().await?;
    Ok(erased)
}

/// Erases a closed case's content as its therapist deletes their account (in the caller's
/// transaction, which has checked the case is theirs), with the tombstone naming them.
pub(super) async fn erase_closed_case(
    db: &impl ConnectionTrait,
    actor: Actor,
    case: cases::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let case_id = case.id;
    let erased = erase_case(db, case, now).await?;
    tombstone(db, Some(actor.user_id), AuditAction::ContentErased, case_id, None, &erased, now).await
}

/// The retention job: purges the content of every closed case its therapist has kept as
/// long as their setting says (and that is not purged yet), one transaction per case, each
/// with a tombstone naming no one. Returns how many cases were purged.
pub async fn purge_due(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let closed: Vec<(i32, DateTime<Utc>, i16)> = cases::Entity::find()
        .select_only()
        .column(cases::Column::Id)
        .column(cases::Column::StatusChangedAt)
        .column(users::Column::RetentionYears)
        .inner_join(users::Entity)
        .filter(cases::Column::Status.eq(CaseStatus::Closed.as_str()))
        .filter(cases::Column::ErasedAt.is_null())
        // Sample couples are removed in one click, never purged as if they were records.
        .filter(cases::Column::IsSample.eq(false))
        .into_tuple()
        .all(db)
        .await?;
    let mut purged = 0;
    for (case_id, closed_at, years) in closed {
        if purge_date(closed_at, years) > now {
            continue;
        }
        let txn = db.begin().await?;
        // Read again inside the transaction: the case may have been reopened meanwhile.
        let Some(case) = cases::Entity::find_by_id(case_id).one(&txn).await? else { continue };
        if case.status != CaseStatus::Closed
            || case.erased_at.is_some()
            || case.status_changed_at != closed_at
        {
            continue;
        }
        let erased = erase_case(&txn, case, now).await?;
        tombstone(&txn, None, AuditAction::ContentPurged, case_id, None, &erased, now).await?;
        txn.commit().await?;
        purged += 1;
    }
    Ok(purged)
}

/// Writes the tombstone: one entry for the erasure (record `case` or `partner`), then one per
/// kind erased, whose record type is `erased.<kind>` and whose record id is the count.
async fn tombstone(
    db: &impl ConnectionTrait,
    actor_user_id: Option<i32>,
    action: AuditAction,
    case_id: i32,
    partner_id: Option<i32>,
    erased: &Erased,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (record_type, record_id) = match partner_id {
        Some(id) => ("partner", id),
        None => ("case", case_id),
    };
    let event = AuditEvent { actor_user_id, action, record_type, record_id: record_id.to_string() };
    audit::record(db, event.concerning(case_id, partner_id), now).await?;
    for (kind, count) in &erased.0 {
        let record_type = format!("erased.{kind}");
        let event =
            AuditEvent { actor_user_id, action, record_type: &record_type, record_id: count.to_string() };
        audit::record(db, event.concerning(case_id, partner_id), now).await?;
    }
    Ok(())
}

/// Erases every partner's content and the case's own, and closes the case.
async fn erase_case(
    db: &impl ConnectionTrait,
    case: cases::Model,
    now: DateTime<Utc>,
) -> Result<Erased, AppError> {
    let mut erased = Erased::default();
    for partner in partners_of(db, case.id).await? {
        erase_partner(db, partner, now, &mut erased).await?;
    }
    // Emails about the case to nobody in particular (notices to the therapist).
    let case_emails = outbox_emails::Column::CaseId.eq(case.id);
    erased.add("email_bodies", empty_emails(db, case_emails, now).await?);
    let notes = assignments::Entity::update_many()
        .col_expr(assignments::Column::Note, Expr::value(""))
        .filter(assignments::Column::CaseId.eq(case.id))
        .filter(assignments::Column::Note.ne(""))
        .exec(db)
        .await?;
    erased.add("assignment_notes", notes.rows_affected);
    let slots = consultation_slots::Entity::delete_many()
        .filter(consultation_slots::Column::CaseId.eq(case.id))
        .exec(db)
        .await?;
    erased.add("consultation_times", slots.rows_affected);
    // Sessions and their notes, with what the notes pointed to.
    let session_ids = therapy_sessions::Entity::find()
        .select_only()
        .column(therapy_sessions::Column::Id)
        .filter(therapy_sessions::Column::CaseId.eq(case.id))
        .into_query();
    therapy_session_topics::Entity::delete_many()
        .filter(therapy_session_topics::Column::SessionId.in_subquery(session_ids))
        .exec(db)
        .await?;
    let sessions = therapy_sessions::Entity::delete_many()
        .filter(therapy_sessions::Column::CaseId.eq(case.id))
        .exec(db)
        .await?;
    erased.add("therapy_sessions", sessions.rows_affected);
    if !case.therapist_notes.is_empty() {
        erased.add("therapist_notes", 1);
    }
    let case_id = case.id;
    let was_closed = case.status == CaseStatus::Closed;
    let mut active = case.into_active_model();
    active.label = Set(format!("Erased case {case_id}"));
    active.therapist_notes = Set(String::new());
    active.pact_completed_at = Set(None);
    if !was_closed {
        active.status = Set(CaseStatus::Closed);
        active.status_changed_at = Set(now);
    }
    active.erased_at = Set(Some(now));
    active.updated_at = Set(now);
    active.update(db).await?;
    Ok(erased)
}

/// Erases one partner's content, deletes their client account (ending its sessions), and
/// leaves the partner row as "Erased", removed from the case.
async fn erase_partner(
    db: &impl ConnectionTrait,
    partner: partners::Model,
    now: DateTime<Utc>,
    erased: &mut Erased,
) -> Result<(), AppError> {
    let partner_id = partner.id;
    let own_responses = responses::Entity::find()
        .select_only()
        .column(responses::Column::Id)
        .filter(responses::Column::PartnerId.eq(partner_id));
    let removed = comments::Entity::delete_many()
        .filter(comments::Column::ResponseId.in_subquery(own_responses.clone().into_query()))
        .exec(db)
        .await?;
    erased.add("comments", removed.rows_affected);
    let drafts = responses::Entity::find()
        .filter(responses::Column::PartnerId.eq(partner_id))
        .filter(responses::Column::Status.eq(ResponseStatus::Draft.as_str()))
        .count(db)
        .await?;
    let removed =
        responses::Entity::delete_many().filter(responses::Column::PartnerId.eq(partner_id)).exec(db).await?;
    erased.add("drafts", drafts);
    erased.add("answers", removed.rows_affected - drafts.min(removed.rows_affected));
    let removed = measure_answers::Entity::delete_many()
        .filter(measure_answers::Column::PartnerId.eq(partner_id))
        .exec(db)
        .await?;
    erased.add("measure_answers", removed.rows_affected);

    // The wishes between the partners hold both partners' words (a wish and the answers
    // to it): they go with either partner's content.
    let their_wishes = Condition::any()
        .add(wishes::Column::WisherId.eq(partner_id))
        .add(wishes::Column::AddresseeId.eq(partner_id));
    let wish_ids =
        wishes::Entity::find().select_only().column(wishes::Column::Id).filter(their_wishes.clone());
    let removed = offers::Entity::delete_many()
        .filter(offers::Column::WishId.in_subquery(wish_ids.clone().into_query()))
        .exec(db)
        .await?;
    erased.add("offers", removed.rows_affected);
    let removed = agreements::Entity::delete_many()
        .filter(
            Condition::any()
                .add(agreements::Column::WishId.in_subquery(wish_ids.into_query()))
                .add(agreements::Column::GiverId.eq(partner_id))
                .add(agreements::Column::ReceiverId.eq(partner_id)),
        )
        .exec(db)
        .await?;
    erased.add("agreements", removed.rows_affected);
    let removed = wishes::Entity::delete_many().filter(their_wishes).exec(db).await?;
    erased.add("wishes", removed.rows_affected);

    let removed =
        check_ins::Entity::delete_many().filter(check_ins::Column::PartnerId.eq(partner_id)).exec(db).await?;
    erased.add("check_ins", removed.rows_affected);
    let removed = pact_entries::Entity::delete_many()
        .filter(pact_entries::Column::PartnerId.eq(partner_id))
        .exec(db)
        .await?;
    erased.add("step_5_entries", removed.rows_affected);
    let note_ids = private_notes::Entity::find()
        .select_only()
        .column(private_notes::Column::Id)
        .filter(private_notes::Column::PartnerId.eq(partner_id));
    let removed = private_note_replies::Entity::delete_many()
        .filter(private_note_replies::Column::NoteId.in_subquery(note_ids.into_query()))
        .exec(db)
        .await?;
    erased.add("private_note_replies", removed.rows_affected);
    let removed = private_notes::Entity::delete_many()
        .filter(private_notes::Column::PartnerId.eq(partner_id))
        .exec(db)
        .await?;
    erased.add("private_notes", removed.rows_affected);
    let removed = slot_links::Entity::delete_many()
        .filter(slot_links::Column::PartnerId.eq(partner_id))
        .exec(db)
        .await?;
    erased.add("consultation_links", removed.rows_affected);
    erased.add("email_bodies", empty_emails(db, outbox_emails::Column::PartnerId.eq(partner_id), now).await?);
    invitations::Entity::delete_many().filter(invitations::Column::PartnerId.eq(partner_id)).exec(db).await?;

    if partner.erased_at.is_none() {
        erased.add("partner_details", 1);
    }
    let client_user_id = partner.client_user_id;
    let mut active = partner.into_active_model();
    active.first_name = Set("Erased".to_owned());
    active.last_name = Set(None);
    active.email = Set(format!("partner-{partner_id}.erased@invalid"));
    active.pronouns = Set(None);
    active.client_user_id = Set(None);
    active.share_ratings = Set(false);
    active.removed_at = Set(Some(now));
    active.erased_at = Set(Some(now));
    // The sessions end (audited as the account's) before the account stops naming the partner.
    if let Some(user_id) = client_user_id {
        sessions::end_all_for_user(db, user_id, now).await?;
    }
    active.update(db).await?;
    if let Some(user_id) = client_user_id {
        delete_client_account(db, user_id).await?;
        erased.add("client_accounts", 1);
    }
    Ok(())
}

/// Deletes a client's account and what hangs on it (its sessions are already ended).
async fn delete_client_account(db: &impl ConnectionTrait, user_id: i32) -> Result<(), AppError> {
    pending_sign_ins::Entity::delete_many()
        .filter(pending_sign_ins::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    recovery_codes::Entity::delete_many().filter(recovery_codes::Column::UserId.eq(user_id)).exec(db).await?;
    second_factors::Entity::delete_many().filter(second_factors::Column::UserId.eq(user_id)).exec(db).await?;
    password_resets::Entity::delete_many()
        .filter(password_resets::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    account_links::Entity::delete_many().filter(account_links::Column::UserId.eq(user_id)).exec(db).await?;
    users::Entity::delete_by_id(user_id).exec(db).await?;
    Ok(())
}

/// Empties the bodies and calendar attachments of the emails `which` selects (subject,
/// recipient, status and times stay) and cancels those not sent yet. Returns how many
/// still had a body.
pub(super) async fn empty_emails(
    db: &impl ConnectionTrait,
    which: sea_orm::sea_query::SimpleExpr,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    outbox_emails::Entity::update_many()
        .col_expr(outbox_emails::Column::Status, Expr::value(EmailStatus::Failed.as_str()))
        .col_expr(outbox_emails::Column::LastError, Expr::value(Some("Erased before it was sent.")))
        .col_expr(outbox_emails::Column::ClaimedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(outbox_emails::Column::NextAttemptAt, Expr::value(now))
        .filter(which.clone())
        .filter(
            outbox_emails::Column::Status
                .is_in([EmailStatus::Pending.as_str(), EmailStatus::Sending.as_str()]),
        )
        .exec(db)
        .await?;
    let emptied = outbox_emails::Entity::update_many()
        .col_expr(outbox_emails::Column::TextBody, Expr::value(""))
        .col_expr(outbox_emails::Column::HtmlBody, Expr::value(""))
        .col_expr(outbox_emails::Column::Calendar, Expr::value(Option::<String>::None))
        .filter(which)
        .filter(
            Condition::any()
                .add(outbox_emails::Column::TextBody.ne(""))
                .add(outbox_emails::Column::HtmlBody.ne(""))
                .add(outbox_emails::Column::Calendar.is_not_null()),
        )
        .exec(db)
        .await?;
    Ok(emptied.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_case_is_purged_on_the_anniversary_of_its_closing() {
        let closed = Utc.with_ymd_and_hms(2024, 2, 29, 10, 0, 0).unwrap();
        assert_eq!(purge_date(closed, 7), Utc.with_ymd_and_hms(2031, 2, 28, 10, 0, 0).unwrap());
        assert_eq!(purge_date(closed, 1), Utc.with_ymd_and_hms(2025, 2, 28, 10, 0, 0).unwrap());
        // Past the end of the calendar: never purged, rather than purged at once.
        assert_eq!(purge_date(DateTime::<Utc>::MAX_UTC, 7), DateTime::<Utc>::MAX_UTC);
        assert!(
            purge_date(DateTime::<Utc>::MAX_UTC - chrono::Duration::days(400), 7)
                > DateTime::<Utc>::MAX_UTC - chrono::Duration::days(1)
        );
    }

    #[test]
    fn the_scope_is_the_case_or_a_partner() {
        assert_eq!(Scope::parse("case").unwrap(), Scope::Case);
        assert_eq!(Scope::parse("12").unwrap(), Scope::Partner(12));
        assert!(Scope::parse("everything").is_err());
    }
}
