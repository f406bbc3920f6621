//! Reading the trail: a therapist's view of one case's entries or of their whole account
//! (their own actions, their cases' entries and entries about their account), filtered,
//! newest first and paged in the database; and a client's "who has opened my writing".
//! A therapist never sees an entry of another therapist's case or account.

use super::super::{
    access::{client_membership, owned_case, OwnedCase},
    clock, Actor,
};
use super::{record, AuditAction, AuditEntry, AuditEvent, THERAPIST_READS};
use crate::{
    domain::{
        audit::{AuditFilter, AuditPageNumber},
        Role,
    },
    entities::{audit_entries, cases, partners, users},
    error::AppError,
};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::Query, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use std::collections::HashMap;

/// Entries per page of the view.
pub const AUDIT_PAGE_SIZE: u64 = 50;

/// The most entries one CSV file holds (newest first); narrow the dates for older ones.
pub const MAX_EXPORT_ROWS: u64 = 100_000;

/// How many of the therapist's readings a client sees.
const WRITING_OPENED_SHOWN: u64 = 20;

/// Whose entries a view shows.
#[derive(Debug, Clone)]
pub enum AuditScope {
    /// One of the therapist's cases.
    Case(Box<OwnedCase>),
    /// The therapist's whole account.
    Account(i32),
}

/// A partner the view can be filtered by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerChoice {
    /// The partner's id.
    pub id: i32,
    /// Their first name.
    pub first_name: String,
    /// Their case's label.
    pub case_label: String,
}

/// One entry with the names a person reads.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// The stored entry.
    pub entry: audit_entries::Model,
    /// Who acted: "You", a partner's first name, or empty when no one was signed in.
    pub actor: String,
    /// The case's label, if the entry concerns a case.
    pub case_label: Option<String>,
    /// The partner's first name, if the entry concerns one partner.
    pub partner: Option<String>,
}

/// One page of a view.
#[derive(Debug, Clone)]
pub struct AuditPage {
    /// The case, for a case's view.
    pub case: Option<(i32, String)>,
    /// The entries, newest first.
    pub rows: Vec<AuditRow>,
    /// How many entries match the filter.
    pub total: u64,
    /// This page.
    pub page: AuditPageNumber,
    /// The partners the view can be filtered by.
    pub partners: Vec<PartnerChoice>,
    /// The actions that occur in the view's entries, to filter by.
    pub actions: Vec<String>,
}

/// Names for a view's rows: partners by id and by their account, and case labels.
struct Names {
    partners: Vec<PartnerChoice>,
    by_account: HashMap<i32, String>,
    cases: HashMap<i32, String>,
}

/// The case's therapist, or "not found"; clients are refused (403).
pub async fn case_scope(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
) -> Result<AuditScope, AppError> {
    Ok(AuditScope::Case(Box::new(owned_case(db, actor, case_id).await?)))
}

/// The therapist's own account; clients are refused (403).
pub fn account_scope(actor: Actor) -> Result<AuditScope, AppError> {
    actor.require_role(Role::Therapist)?;
    Ok(AuditScope::Account(actor.user_id))
}

impl AuditScope {
    /// The therapist whose view it is.
    fn therapist_id(&self) -> i32 {
        match self {
            AuditScope::Case(case) => case.therapist_id,
            AuditScope::Account(id) => *id,
        }
    }

    /// The entries in scope: the case's, or the account's own actions, its cases' entries and
    /// the entries about the account itself.
    fn condition(&self) -> Condition {
        match self {
            AuditScope::Case(case) => Condition::all().add(audit_entries::Column::CaseId.eq(case.id)),
            AuditScope::Account(therapist_id) => {
                let own_cases = Query::select()
                    .column(cases::Column::Id)
                    .from(cases::Entity)
                    .and_where(cases::Column::TherapistId.eq(*therapist_id))
                    .to_owned();
                Condition::any()
                    .add(audit_entries::Column::ActorUserId.eq(*therapist_id))
                    .add(audit_entries::Column::CaseId.in_subquery(own_cases))
                    .add(
                        Condition::all()
                            .add(audit_entries::Column::RecordType.eq("user"))
                            .add(audit_entries::Column::RecordId.eq(therapist_id.to_string())),
                    )
            }
        }
    }

    /// The audit entry written when this view is opened or exported.
    fn event(&self, actor: Actor, action: AuditAction) -> AuditEntry<'static> {
        match self {
            AuditScope::Case(case) => AuditEvent::by(actor, action, "case", case.id).into(),
            AuditScope::Account(id) => AuditEvent::by(actor, action, "user", *id).into(),
        }
    }

    async fn names(&self, db: &impl ConnectionTrait) -> Result<Names, AppError> {
        let own_cases: Vec<(i32, String)> = match self {
            AuditScope::Case(case) => vec![(case.id, case.label.clone())],
            AuditScope::Account(therapist_id) => {
                cases::Entity::find()
                    .select_only()
                    .column(cases::Column::Id)
                    .column(cases::Column::Label)
                    .filter(cases::Column::TherapistId.eq(*therapist_id))
                    .into_tuple()
                    .all(db)
                    .await?
            }
        };
        let cases: HashMap<i32, String> = own_cases.into_iter().collect();
        let mut found = partners::Entity::find()
            .filter(partners::Column::CaseId.is_in(cases.keys().copied()))
            .all(db)
            .await?;
        found.sort_by(|a, b| {
            (&cases[&a.case_id], a.case_id, a.position).cmp(&(&cases[&b.case_id], b.case_id, b.position))
        });
        let by_account =
            found.iter().filter_map(|p| p.client_user_id.map(|user| (user, p.first_name.clone()))).collect();
        let partners = found
            .into_iter()
            .map(|p| PartnerChoice {
                id: p.id,
                case_label: cases[&p.case_id].clone(),
                first_name: p.first_name,
            })
            .collect();
        Ok(Names { partners, by_account, cases })
    }
}

/// The start of `day` in `zone`, as an instant (the first valid local time on a day that
/// begins in a daylight-saving gap).
fn start_of(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    zone.from_local_datetime(&midnight)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_else(|| midnight.and_utc())
}

/// The scope's entries matching `filter` (dates in `zone`), newest first.
fn matching(scope: &AuditScope, filter: &AuditFilter, zone: Tz) -> Select<audit_entries::Entity> {
    let mut select = audit_entries::Entity::find().filter(scope.condition());
    if let Some(partner) = filter.partner_id {
        select = select.filter(audit_entries::Column::PartnerId.eq(partner));
    }
    if let Some(action) = &filter.action {
        select = select.filter(audit_entries::Column::Action.eq(action.as_str()));
    }
    if let Some(from) = filter.from {
        select = select.filter(audit_entries::Column::OccurredAt.gte(start_of(from, zone)));
    }
    if let Some(after) = filter.to.and_then(|to| to.succ_opt()) {
        select = select.filter(audit_entries::Column::OccurredAt.lt(start_of(after, zone)));
    }
    select.order_by_desc(audit_entries::Column::OccurredAt).order_by_desc(audit_entries::Column::Id)
}

async fn time_zone(db: &impl ConnectionTrait, user_id: i32) -> Result<Tz, AppError> {
    let zone: Option<String> = users::Entity::find_by_id(user_id)
        .select_only()
        .column(users::Column::TimeZone)
        .into_tuple()
        .one(db)
        .await?;
    Ok(clock::zone_of(zone.as_deref().unwrap_or("UTC")))
}

fn rows(entries: Vec<audit_entries::Model>, names: &Names, viewer: i32) -> Vec<AuditRow> {
    let partner_names: HashMap<i32, &str> =
        names.partners.iter().map(|p| (p.id, p.first_name.as_str())).collect();
    entries
        .into_iter()
        .map(|entry| AuditRow {
            actor: match entry.actor_user_id {
                Some(id) if id == viewer => "You".to_owned(),
                Some(id) => {
                    names.by_account.get(&id).cloned().unwrap_or_else(|| "Another account".to_owned())
                }
                None => String::new(),
            },
            case_label: entry.case_id.and_then(|id| names.cases.get(&id).cloned()),
            partner: entry.partner_id.and_then(|id| partner_names.get(&id).map(|name| (*name).to_owned())),
            entry,
        })
        .collect()
}

/// One page of the scope's entries matching `filter`, newest first; opening it is audited.
pub async fn audit_page(
    db: &impl ConnectionTrait,
    actor: Actor,
    scope: AuditScope,
    filter: &AuditFilter,
    page: AuditPageNumber,
    now: DateTime<Utc>,
) -> Result<AuditPage, AppError> {
    let therapist_id = scope.therapist_id();
    let zone = time_zone(db, therapist_id).await?;
    let select = matching(&scope, filter, zone);
    let total = select.clone().count(db).await?;
    // Both factors are bounded (page ≤ 10,000, 50 rows), so the offset cannot overflow.
    let entries = select.offset(page.index() * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE).all(db).await?;
    let actions: Vec<String> = audit_entries::Entity::find()
        .select_only()
        .column(audit_entries::Column::Action)
        .distinct()
        .filter(scope.condition())
        .order_by_asc(audit_entries::Column::Action)
        .into_tuple()
        .all(db)
        .await?;
    let names = scope.names(db).await?;
    record(db, scope.event(actor, AuditAction::AuditViewed), now).await?;
    Ok(AuditPage {
        case: match &scope {
            AuditScope::Case(case) => Some((case.id, case.label.clone())),
            AuditScope::Account(_) => None,
        },
        rows: rows(entries, &names, therapist_id),
        total,
        page,
        partners: names.partners,
        actions,
    })
}

/// Every entry of the scope matching `filter` (newest first, at most [`MAX_EXPORT_ROWS`]),
/// for a CSV file; the export is audited.
pub async fn export_rows(
    db: &impl ConnectionTrait,
    actor: Actor,
    scope: AuditScope,
    filter: &AuditFilter,
    now: DateTime<Utc>,
) -> Result<Vec<AuditRow>, AppError> {
    let therapist_id = scope.therapist_id();
    let zone = time_zone(db, therapist_id).await?;
    let entries = matching(&scope, filter, zone).limit(MAX_EXPORT_ROWS).all(db).await?;
    let names = scope.names(db).await?;
    record(db, scope.event(actor, AuditAction::AuditExported), now).await?;
    Ok(rows(entries, &names, therapist_id))
}

/// One time the therapist opened the client's writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WritingOpened {
    /// The therapist's name.
    pub therapist_name: String,
    /// What they opened, as an action's stored name.
    pub action: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// "Who has opened my writing": the latest times the client's therapist opened something
/// holding their writing (the case page, a review, their private note), newest first —
/// only readings by their own therapist that concern them or the couple as a whole.
pub async fn writing_opened(db: &impl ConnectionTrait, actor: Actor) -> Result<Vec<WritingOpened>, AppError> {
    let (partner, case) = client_membership(db, actor).await?;
    let therapist_name: String = users::Entity::find_by_id(case.therapist_id)
        .select_only()
        .column(users::Column::DisplayName)
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or_default();
    let entries = audit_entries::Entity::find()
        .filter(audit_entries::Column::CaseId.eq(case.id))
        .filter(audit_entries::Column::ActorUserId.eq(case.therapist_id))
        .filter(audit_entries::Column::Action.is_in(THERAPIST_READS.map(AuditAction::as_str)))
        .filter(
            Condition::any()
                .add(audit_entries::Column::PartnerId.is_null())
                .add(audit_entries::Column::PartnerId.eq(partner.id)),
        )
        .order_by_desc(audit_entries::Column::OccurredAt)
        .order_by_desc(audit_entries::Column::Id)
        .limit(WRITING_OPENED_SHOWN)
        .all(db)
        .await?;
    Ok(entries
        .into_iter()
        .map(|entry| WritingOpened {
            therapist_name: therapist_name.clone(),
            action: entry.action,
            at: entry.occurred_at,
        })
        .collect())
}
