//! Service tests for the sample practice, on SQLite and PostgreSQL with a fixed clock: the
//! three fictional couples are built through the services and marked, nothing is emailed
//! or planned for them, they are removed completely (every table counted before and after),
//! and only their own therapist may view them as a partner or remove them — never for a
//! real case, never as a write.

use crate::support;

use app::{
    domain::exchange::WishState,
    entities::{
        audit_entries, cases as case_rows, check_ins, outbox_emails, partners, reminder_log, users, wishes,
    },
    error::AppError,
    services::{
        caseload, homework, invitations, passwords, reminders,
        sample::{self, SAMPLE_DOMAIN},
        Actor,
    },
};
use chrono::Duration;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Statement,
};
use std::collections::BTreeMap;
use support::fixtures::*;

/// The number of rows in every table but the append-only audit trail (and the migrations').
async fn row_counts(db: &DatabaseConnection) -> BTreeMap<String, i64> {
    let backend = db.get_database_backend();
    let list = match backend {
        DatabaseBackend::Sqlite => {
            "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        _ => "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'",
    };
    let mut counts = BTreeMap::new();
    for row in db.query_all_raw(Statement::from_string(backend, list)).await.unwrap() {
        let table: String = row.try_get("", "t").unwrap();
        if table == "audit_entries" || table == "seaql_migrations" {
            continue;
        }
        let sql = format!("SELECT COUNT(*) AS n FROM \"{table}\"");
        let row = db.query_one_raw(Statement::from_string(backend, sql)).await.unwrap().unwrap();
        counts.insert(table, row.try_get::<i64>("", "n").unwrap());
    }
    assert!(counts.len() > 20, "every table is counted: {counts:?}");
    counts
}

/// The therapist's sample cases, by label: Alex & Sam, Jordan & Casey, Robin & Kai.
async fn sample_cases(db: &DatabaseConnection, therapist: Actor) -> Vec<case_rows::Model> {
    case_rows::Entity::find()
        .filter(case_rows::Column::TherapistId.eq(therapist.user_id))
        .filter(case_rows::Column::IsSample.eq(true))
        .order_by_asc(case_rows::Column::Label)
        .all(db)
        .await
        .unwrap()
}

async fn partners_of(db: &DatabaseConnection, case_id: i32) -> Vec<partners::Model> {
    app::services::access::partners_of(db, case_id).await.unwrap()
}

/// The couples are real data at the promised points, marked, and silent; removing them
/// leaves every table as it was, with one audit line saying so.
async fn sample_couples_are_built_marked_silent_and_removed_completely(db: &DatabaseConnection) {
    // A real couple first, so the built-in programme and real rows exist around the samples.
    let real = couple_past_step_1(db, "real").await;
    let therapist = therapist(db, "new.therapist@example.org").await;
    let before = row_counts(db).await;

    sample::add_sample_couples(db, therapist, t0()).await.unwrap();
    let cases = sample_cases(db, therapist).await;
    let labels: Vec<&str> = cases.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["Sample: Alex & Sam", "Sample: Jordan & Casey", "Sample: Robin & Kai"]);
    let (alex_and_sam, jordan_and_casey, robin_and_kai) = (&cases[0], &cases[1], &cases[2]);
    let all_partners: Vec<partners::Model> = partners::Entity::find()
        .filter(partners::Column::CaseId.is_in(cases.iter().map(|c| c.id)))
        .all(db)
        .await
        .unwrap();
    assert_eq!(all_partners.len(), 6);
    for partner in &all_partners {
        assert!(partner.email.ends_with(SAMPLE_DOMAIN), "{}", partner.email);
        assert!(partner.joined_at.is_some());
        let account =
            users::Entity::find_by_id(partner.client_user_id.unwrap()).one(db).await.unwrap().unwrap();
        assert_eq!(account.password_hash, passwords::NO_PASSWORD, "nobody can sign in as a sample partner");
    }

    // Robin & Kai: step 1, Robin submitted, Kai not.
    let step1 = steps(db, robin_and_kai.id).await[0].id;
    let both = partners_of(db, robin_and_kai.id).await;
    let robin = homework::partner_homework(db, &both[0]).await.unwrap().items;
    let kai = homework::partner_homework(db, &both[1]).await.unwrap().items;
    let status =
        |items: &[homework::HomeworkItem]| items.iter().find(|i| i.assignment.id == step1).map(|i| i.status);
    assert!(status(&robin).unwrap().is_done());
    assert!(!status(&kai).unwrap().is_done());
    // Alex & Sam: a smaller step waits for Alex.
    let pending = wishes::Entity::find()
        .filter(wishes::Column::CaseId.eq(alex_and_sam.id))
        .filter(wishes::Column::State.eq(WishState::OfferPending))
        .count(db)
        .await
        .unwrap();
    assert_eq!(pending, 1);
    // Jordan & Casey: eight weeks of check-ins from both, and the pact confirmed.
    let weeks = check_ins::Entity::find()
        .filter(check_ins::Column::CaseId.eq(jordan_and_casey.id))
        .count(db)
        .await
        .unwrap();
    assert_eq!(weeks, 16);
    assert!(jordan_and_casey.pact_completed_at.is_some());

    // Marked on the caseload.
    let query = caseload::CaseloadQuery {
        search: String::new(),
        status: None,
        sort: caseload::CaseloadSort::Label,
        page: 1,
        per_page: 25,
    };
    let page = caseload::caseload(db, therapist, &query, t0()).await.unwrap();
    assert_eq!(page.rows.iter().filter(|row| row.case.is_sample).count(), 3);
    assert_eq!(page.sample_cases, 3);
    assert_eq!(sample::sample_count(db, therapist).await.unwrap(), 3);
    let past_the_end = caseload::CaseloadQuery { page: 9, ..query };
    assert_eq!(caseload::caseload(db, therapist, &past_the_end, t0()).await.unwrap().sample_cases, 3);

    // No email queued, nothing logged for the planner, also after days of planning.
    let about_samples = || async {
        outbox_emails::Entity::find()
            .filter(outbox_emails::Column::CaseId.is_in(cases.iter().map(|c| c.id)))
            .count(db)
            .await
            .unwrap()
            + outbox_emails::Entity::find()
                .filter(outbox_emails::Column::ToAddress.like(format!("%{SAMPLE_DOMAIN}")))
                .count(db)
                .await
                .unwrap()
    };
    assert_eq!(about_samples().await, 0);
    assert_eq!(reminder_log::Entity::find().count(db).await.unwrap(), before["reminder_log"] as u64);
    for hours in (0..24 * 8).step_by(7) {
        reminders::run_due(db, t0() + Duration::hours(hours)).await.unwrap();
    }
    assert_eq!(about_samples().await, 0, "the planner passes sample couples by");
    let real_reminders = outbox_emails::Entity::find()
        .filter(outbox_emails::Column::CaseId.eq(real.case_id))
        .count(db)
        .await
        .unwrap();
    assert!(real_reminders > 0, "the real couple still gets theirs");

    // Added once only.
    assert!(matches!(sample::add_sample_couples(db, therapist, t0()).await, Err(AppError::Conflict { .. })));

    // Removed completely, in one go.
    let planned = row_counts(db).await;
    assert_eq!(sample::remove_sample_couples(db, therapist, t0()).await.unwrap(), 3);
    assert!(sample_cases(db, therapist).await.is_empty());
    let mut after = row_counts(db).await;
    // The real couple's reminders were queued meanwhile; nothing else may differ.
    for table in ["outbox_emails", "reminder_log"] {
        after.insert(table.to_owned(), before[table]);
    }
    assert_eq!(after, before);
    assert_eq!(planned["outbox_emails"], row_counts(db).await["outbox_emails"]);
    let removed = audit_entries::Entity::find()
        .filter(audit_entries::Column::Action.eq("samples.removed"))
        .filter(audit_entries::Column::ActorUserId.eq(therapist.user_id))
        .count(db)
        .await
        .unwrap();
    assert_eq!(removed, 1);
    // And they can be added again.
    sample::add_sample_couples(db, therapist, t0()).await.unwrap();
    assert_eq!(sample_cases(db, therapist).await.len(), 3);
}

/// "View as" and removal belong to the samples' own therapist; a real case is never
/// viewable as a partner; the preview cannot write, and sample partners get no email even
/// when the therapist tries.
async fn only_the_owner_views_or_removes_and_nothing_writes(db: &DatabaseConnection) {
    let real = couple(db, "owner").await;
    let owner = real.therapist;
    sample::add_sample_couples(db, owner, t0()).await.unwrap();
    let cases = sample_cases(db, owner).await;
    let alex_and_sam = &cases[0];
    let alex = partners_of(db, alex_and_sam.id).await[0].clone();

    let page = sample::view_as(db, owner, alex_and_sam.id, alex.id, t0()).await.unwrap();
    assert_eq!(page.case.own.first_name, "Alex");
    assert_eq!(page.case.other.first_name, "Sam");
    assert!(!page.homework.is_empty());
    let viewed = audit_entries::Entity::find()
        .filter(audit_entries::Column::Action.eq("sample.viewed_as"))
        .filter(audit_entries::Column::ActorUserId.eq(owner.user_id))
        .count(db)
        .await
        .unwrap();
    assert_eq!(viewed, 1, "audited as the therapist's");

    // Another therapist: not found, and their removal touches nothing of the owner's.
    let other = therapist(db, "other@example.org").await;
    assert_eq!(
        sample::view_as(db, other, alex_and_sam.id, alex.id, t0()).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(sample::remove_sample_couples(db, other, t0()).await.unwrap(), 0);
    assert_eq!(sample_cases(db, owner).await.len(), 3);
    // A client: forbidden, for view and removal alike.
    assert_eq!(
        sample::view_as(db, real.a, alex_and_sam.id, alex.id, t0()).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(sample::remove_sample_couples(db, real.a, t0()).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(sample::add_sample_couples(db, real.a, t0()).await.unwrap_err(), AppError::Forbidden);
    // A real case of the same therapist: never viewable as a partner.
    let real_partner = partners_of(db, real.case_id).await[0].id;
    assert_eq!(
        sample::view_as(db, owner, real.case_id, real_partner, t0()).await.unwrap_err(),
        AppError::Forbidden
    );
    // A partner of another case: not found.
    assert_eq!(
        sample::view_as(db, owner, alex_and_sam.id, real_partner, t0()).await.unwrap_err(),
        AppError::NotFound
    );

    // Writing as the viewed partner is refused: the therapist is not that client.
    let step1 = steps(db, alex_and_sam.id).await[0].id;
    let write =
        homework::save_answers(db, owner, step1, 0, &step1_for_alex(), homework::SaveIntent::Draft, t0())
            .await;
    assert_eq!(write.unwrap_err(), AppError::Forbidden);
    // And the therapist's own emails to sample partners are refused, writing nothing.
    let invite = invitations::invite(db, owner, alex_and_sam.id, alex.id, t0()).await.unwrap_err();
    assert!(matches!(invite, AppError::Conflict { .. }), "{invite:?}");
    let queued = outbox_emails::Entity::find()
        .filter(outbox_emails::Column::CaseId.is_in(cases.iter().map(|c| c.id)))
        .count(db)
        .await
        .unwrap();
    assert_eq!(queued, 0);
}

on_both_databases!(
    sample_couples_are_built_marked_silent_and_removed_completely,
    only_the_owner_views_or_removes_and_nothing_writes,
);
