//! Couple cases: creating and editing them, their status and notes, the caseload and the
//! case page. Only the owning therapist reaches a case here; anyone else gets "not found".

use super::{
    access::{owned_case, partner_of_case, partners_of, OwnedCase},
    audit::{self, AuditAction, AuditEvent},
    homework::{self, HomeworkItem},
    invitations::revoke_pending,
    sessions, settings, Actor,
};
use crate::{
    domain::{
        case::{
            parse_last_name, parse_pronouns, CaseLabel, CaseStatus, ConfidentialityPolicy, FirstName,
            InvitationState, Seeks, TherapistNotes,
        },
        safety::SafetyInfo,
        EmailAddress, Role,
    },
    entities::{cases, invitations, partners, users},
    error::{AppError, FieldContext},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, IntoCondition},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, JoinType, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, RelationDef, TransactionSession, TransactionTrait,
};

/// One partner as the therapist typed them, parsed.
#[derive(Debug, Clone)]
pub struct PartnerDraft {
    /// First name (what the app calls them).
    pub first_name: FirstName,
    /// Optional last name.
    pub last_name: Option<String>,
    /// Where the invitation goes.
    pub email: EmailAddress,
    /// Optional pronouns.
    pub pronouns: Option<String>,
    /// What they seek more of.
    pub seeks: Seeks,
}

/// The raw text of one partner's fields, as submitted.
#[derive(Debug, Clone, Default)]
pub struct PartnerFields<'a> {
    /// First name as typed.
    pub first_name: &'a str,
    /// Last name as typed.
    pub last_name: &'a str,
    /// Email as typed.
    pub email: &'a str,
    /// Pronouns as typed.
    pub pronouns: &'a str,
    /// `emotional`, `physical` or `unsure`.
    pub seeks: &'a str,
}

impl PartnerDraft {
    /// Parses one partner's fields; `prefix` (`a_` or `b_`) names the form fields.
    pub fn parse(fields: PartnerFields<'_>, prefix: &str) -> Result<Self, AppError> {
        let field = |name: &str| format!("{prefix}{name}");
        Ok(Self {
            first_name: FirstName::parse(fields.first_name).field(&field("first_name"))?,
            last_name: parse_last_name(fields.last_name).field(&field("last_name"))?,
            email: EmailAddress::parse(fields.email).field(&field("email"))?,
            pronouns: parse_pronouns(fields.pronouns).field(&field("pronouns"))?,
            seeks: Seeks::parse(fields.seeks).field(&field("seeks"))?,
        })
    }
}

/// A whole case form, parsed.
#[derive(Debug, Clone)]
pub struct CaseDraft {
    /// The caseload label.
    pub label: CaseLabel,
    /// The confidentiality policy shown to clients.
    pub policy: ConfidentialityPolicy,
    /// Partner A and partner B.
    pub partners: [PartnerDraft; 2],
}

impl CaseDraft {
    /// Parses the form; the two partners need different email addresses.
    pub fn parse(
        label: &str,
        policy: &str,
        a: PartnerFields<'_>,
        b: PartnerFields<'_>,
    ) -> Result<Self, AppError> {
        let label = CaseLabel::parse(label).field("label")?;
        let policy = ConfidentialityPolicy::parse(policy).field("confidentiality_policy")?;
        let a = PartnerDraft::parse(a, "a_")?;
        let b = PartnerDraft::parse(b, "b_")?;
        if a.email == b.email {
            return Err(AppError::invalid("b_email", "Each partner needs their own email address."));
        }
        Ok(Self { label, policy, partners: [a, b] })
    }
}

fn audit_event(actor: Actor, action: AuditAction, case_id: i32) -> AuditEvent<'static> {
    AuditEvent {
        actor_user_id: Some(actor.user_id),
        action,
        record_type: "case",
        record_id: case_id.to_string(),
    }
}

/// Creates a case with its two partners (not yet invited).
pub async fn create_case(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    draft: CaseDraft,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    actor.require_role(Role::Therapist)?;
    let txn = db.begin().await?;
    let case_id = cases::Entity::insert(cases::ActiveModel {
        therapist_id: Set(actor.user_id),
        label: Set(draft.label.as_str().to_owned()),
        status: Set(CaseStatus::Active),
        status_changed_at: Set(now),
        confidentiality_policy: Set(draft.policy),
        therapist_notes: Set(String::new()),
        last_client_activity_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    for (position, partner) in (1_i16..).zip(draft.partners) {
        partners::Entity::insert(partners::ActiveModel {
            case_id: Set(case_id),
            position: Set(position),
            first_name: Set(partner.first_name.as_str().to_owned()),
            last_name: Set(partner.last_name),
            email: Set(partner.email.as_str().to_owned()),
            pronouns: Set(partner.pronouns),
            seeks: Set(partner.seeks),
            client_user_id: Set(None),
            joined_at: Set(None),
            ..Default::default()
        })
        .exec_without_returning(&txn)
        .await?;
    }
    audit::record(&txn, audit_event(actor, AuditAction::CaseCreated, case_id), now).await?;
    txn.commit().await?;
    Ok(case_id)
}

/// Edits a case's label, policy and partners. A partner who has joined keeps their email
/// (it is their sign-in now).
pub async fn update_case(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    draft: CaseDraft,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?;
    let existing = partners_of(&txn, case_id).await?;
    for (partner, (draft, prefix)) in existing.into_iter().zip(draft.partners.into_iter().zip(["a_", "b_"])) {
        if partner.client_user_id.is_some() && partner.email != draft.email.as_str() {
            return Err(AppError::invalid(
                &format!("{prefix}email"),
                "This partner has joined, so their email is their sign-in and cannot be changed here.",
            ));
        }
        let email_changed = partner.email != draft.email.as_str();
        let partner_id = partner.id;
        let mut active = partner.into_active_model();
        active.first_name = Set(draft.first_name.as_str().to_owned());
        active.last_name = Set(draft.last_name);
        active.email = Set(draft.email.as_str().to_owned());
        active.pronouns = Set(draft.pronouns);
        active.seeks = Set(draft.seeks);
        active.update(&txn).await?;
        if email_changed {
            // A link sent to the old address must not let anyone join.
            revoke_pending(&txn, partner_id, now).await?;
        }
    }
    let mut active = case.into_model().into_active_model();
    active.label = Set(draft.label.as_str().to_owned());
    active.confidentiality_policy = Set(draft.policy);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    audit::record(&txn, audit_event(actor, AuditAction::CaseUpdated, case_id), now).await?;
    txn.commit().await?;
    Ok(())
}

/// Pauses, closes or reopens a case.
pub async fn set_status(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    status: CaseStatus,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?;
    if case.status != status {
        let mut active = case.into_model().into_active_model();
        active.status = Set(status);
        active.status_changed_at = Set(now);
        active.updated_at = Set(now);
        active.update(&txn).await?;
        if status == CaseStatus::Closed {
            // Closing ends the clients' access: pending invitations and open sessions.
            for partner in partners_of(&txn, case_id).await? {
                revoke_pending(&txn, partner.id, now).await?;
                if let Some(user_id) = partner.client_user_id {
                    sessions::end_all_for_user(&txn, user_id, now).await?;
                }
            }
        }
        audit::record(&txn, audit_event(actor, AuditAction::CaseStatusChanged, case_id), now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Creates a case (no `case_id`) or saves an edited one; returns its id.
pub async fn save_case(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: Option<i32>,
    draft: CaseDraft,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    match case_id {
        None => create_case(db, actor, draft, now).await,
        Some(case_id) => update_case(db, actor, case_id, draft, now).await.map(|()| case_id),
    }
}

/// Removes one partner from a case (for example after a separation): their access ends at
/// once (sessions and pending invitations), and what they wrote stays with the therapist
/// only. The other partner keeps their own access.
pub async fn remove_partner(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    partner_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?;
    let partner = partner_of_case(&txn, case.id, partner_id).await?;
    if partner.removed_at.is_none() {
        revoke_pending(&txn, partner.id, now).await?;
        if let Some(user_id) = partner.client_user_id {
            sessions::end_all_for_user(&txn, user_id, now).await?;
        }
        let mut active = partner.into_active_model();
        active.removed_at = Set(Some(now));
        active.update(&txn).await?;
        audit::record(&txn, AuditEvent::by(actor, AuditAction::PartnerRemoved, "partner", partner_id), now)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Replaces the therapist's private notes on a case.
pub async fn update_notes(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    notes: TherapistNotes,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?;
    let mut active = case.into_model().into_active_model();
    active.therapist_notes = Set(notes.as_str().to_owned());
    active.updated_at = Set(now);
    active.update(&txn).await?;
    audit::record(&txn, audit_event(actor, AuditAction::CaseNotesUpdated, case_id), now).await?;
    txn.commit().await?;
    Ok(())
}

/// Works out where a partner stands from their latest invitation.
pub fn invitation_state(
    partner: &partners::Model,
    latest: Option<&invitations::Model>,
    now: DateTime<Utc>,
) -> InvitationState {
    if partner.removed_at.is_some() {
        return InvitationState::Removed;
    }
    if partner.client_user_id.is_some() {
        return InvitationState::Joined;
    }
    match latest {
        None => InvitationState::NotInvited,
        Some(invitation) if invitation.revoked_at.is_some() => InvitationState::Revoked,
        Some(invitation) if invitation.used_at.is_some() => InvitationState::Joined,
        Some(invitation) if invitation.expires_at <= now => InvitationState::Expired,
        Some(_) => InvitationState::Invited,
    }
}

/// The partners of these cases, A first, each with their latest invitation: one statement
/// (the caseload's page, a case's page).
pub async fn partners_with_latest_invitation(
    db: &impl ConnectionTrait,
    case_ids: &[i32],
) -> Result<Vec<(partners::Model, Option<invitations::Model>)>, AppError> {
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    let latest_invitation: RelationDef = partners::Entity::belongs_to(invitations::Entity)
        .from(partners::Column::Id)
        .to(invitations::Column::PartnerId)
        .on_condition(|_, _| {
            Expr::cust(
                "invitations.id = (SELECT MAX(newer.id) FROM invitations newer \
                 WHERE newer.partner_id = partners.id)",
            )
            .into_condition()
        })
        .into();
    Ok(partners::Entity::find()
        .join(JoinType::LeftJoin, latest_invitation)
        .select_also(invitations::Entity)
        .filter(partners::Column::CaseId.is_in(case_ids.iter().copied()))
        .order_by_asc(partners::Column::Position)
        .all(db)
        .await?)
}

/// Everything the therapist's case page shows.
#[derive(Debug, Clone)]
pub struct CaseDetail {
    /// The case, notes included.
    pub case: cases::Model,
    /// Its partners with their invitation state.
    pub partners: Vec<(partners::Model, InvitationState)>,
}

/// A case and its partners for its therapist, as the edit form shows them (audited as a
/// read of client data).
pub async fn case_detail(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
    now: DateTime<Utc>,
) -> Result<CaseDetail, AppError> {
    let case = owned_case(db, actor, case_id).await?;
    let detail = detail_of(db, &case, now).await?;
    audit::record(db, audit_event(actor, AuditAction::CaseViewed, case_id), now).await?;
    Ok(detail)
}

/// A checked case with its partners and where each stands with their invitation.
pub async fn detail_of(
    db: &impl ConnectionTrait,
    case: &OwnedCase,
    now: DateTime<Utc>,
) -> Result<CaseDetail, AppError> {
    let with_invitations = partners_with_latest_invitation(db, &[case.id]).await?;
    case.keep_partners(with_invitations.iter().map(|(partner, _)| partner.clone()).collect());
    let partners = with_invitations
        .into_iter()
        .map(|(partner, invitation)| {
            let state = invitation_state(&partner, invitation.as_ref(), now);
            (partner, state)
        })
        .collect();
    Ok(CaseDetail { case: (**case).clone(), partners })
}

/// What a client sees of their own case.
#[derive(Debug, Clone)]
pub struct ClientCase {
    /// The case.
    pub case: cases::Model,
    /// The client's own partner row.
    pub own: partners::Model,
    /// The other partner.
    pub other: partners::Model,
    /// The therapist's display name.
    pub therapist_name: String,
    /// Why the client no longer reaches the case's content (closed, or they were removed).
    pub no_access: Option<String>,
    /// The therapist's crisis line and usual reply time.
    pub safety: SafetyInfo,
}

/// The signed-in client's case, their partner and their therapist (audited).
pub async fn client_case(
    db: &impl ConnectionTrait,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<ClientCase, AppError> {
    Ok(client_case_rows(db, actor, now).await?.case)
}

/// "My homework" as one read: the client's case (audited) and, unless they no longer reach
/// its content, their homework, the couple's progress and their questionnaires.
#[derive(Debug, Clone)]
pub struct ClientHomePage {
    /// The case, both partners and the therapist.
    pub case: ClientCase,
    /// What is assigned to the client, in order (empty without access).
    pub homework: Vec<HomeworkItem>,
    /// Where the couple stands in Baby Steps (none without access).
    pub progress: Option<crate::services::exchange::Progress>,
    /// The questionnaires scheduled for the client (empty without access).
    pub measures: Vec<crate::services::measures::ClientMeasure>,
}

/// The signed-in client's "My homework" (audited once, as [`client_case`]), in five reads
/// and the audit entry: the case with both partners and the therapist, the homework with
/// the client's own statuses, the wishes, the agreements and the questionnaires.
pub async fn client_home_page(
    db: &impl ConnectionTrait,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<ClientHomePage, AppError> {
    let ClientCaseRows { case, both, today } = client_case_rows(db, actor, now).await?;
    if case.no_access.is_some() {
        return Ok(ClientHomePage { case, homework: Vec::new(), progress: None, measures: Vec::new() });
    }
    let homework = homework::partner_homework(db, &case.own).await?;
    let progress =
        crate::services::exchange::progress_with_open_steps(db, case.case.id, &both, homework.open_steps)
            .await?;
    let measures = crate::services::measures::of_partner(db, &case.own, today).await?;
    Ok(ClientHomePage { case, homework: homework.items, progress: Some(progress), measures })
}

/// The client's case, both partner rows in position order, and the therapist's date today.
struct ClientCaseRows {
    case: ClientCase,
    both: Vec<partners::Model>,
    today: chrono::NaiveDate,
}

/// [`client_case`] in one read (both partners of the client's case, each with the case and
/// its therapist) and the audit entry.
async fn client_case_rows(
    db: &impl ConnectionTrait,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<ClientCaseRows, AppError> {
    actor.require_role(Role::Client)?;
    let own_case = partners::Entity::find()
        .select_only()
        .column(partners::Column::CaseId)
        .filter(partners::Column::ClientUserId.eq(actor.user_id))
        .into_query();
    let rows = partners::Entity::find()
        .filter(partners::Column::CaseId.in_subquery(own_case))
        .find_also_related(cases::Entity)
        .and_also_related(users::Entity)
        .order_by_asc(partners::Column::Position)
        .all(db)
        .await?;
    let own_case_id = rows
        .iter()
        .find(|(partner, _, _)| partner.client_user_id == Some(actor.user_id))
        .map(|(partner, _, _)| partner.case_id)
        .ok_or(AppError::NotFound)?;
    let mut both = Vec::new();
    let mut case_and_therapist = None;
    for (partner, case, therapist) in rows {
        if partner.case_id == own_case_id {
            case_and_therapist = case.zip(therapist);
            both.push(partner);
        }
    }
    let Some((case, therapist)) = case_and_therapist else {
        return Err(AppError::NotFound);
    };
    let own = both.iter().find(|partner| partner.client_user_id == Some(actor.user_id)).cloned();
    let own = own.ok_or(AppError::NotFound)?;
    let other = both.iter().find(|partner| partner.id != own.id).cloned().ok_or(AppError::NotFound)?;
    audit::record(db, audit_event(actor, AuditAction::ClientHomeViewed, case.id), now).await?;
    let no_access = super::access::no_access_reason(&own, &case).map(|refusal| refusal.to_string());
    let safety = settings::safety_of(&therapist);
    let today = super::clock::today_in(&therapist.time_zone, now);
    let case = ClientCase { case, own, other, therapist_name: therapist.display_name, no_access, safety };
    Ok(ClientCaseRows { case, both, today })
}
