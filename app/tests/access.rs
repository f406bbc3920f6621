//! Service tests for who keeps access when the therapist pauses or closes a case or removes
//! one partner from it — on SQLite and PostgreSQL. A closed case ends its clients' sessions
//! and their reach into the case (a private note and their own writing stay); a removed
//! partner is signed out, reaches nothing, and their writing no longer reaches the other
//! partner; a paused case can be read but takes no new move.

use crate::support;

use app::{
    domain::{case::CaseStatus, exchange::WishAction},
    error::AppError,
    services::{
        cases, exchange, homework, invitations, own_writing, reminders,
        sessions::{self, SessionPolicy},
    },
};
use sea_orm::DatabaseConnection;
use support::fixtures::*;

fn check_in(week: chrono::NaiveDate) -> exchange::CheckInForm {
    exchange::CheckInForm {
        week_start: week,
        my_part: "done".into(),
        noticed: "done".into(),
        emotional: 5,
        physical: 5,
        note: String::new(),
    }
}

fn is_no_access(error: AppError) -> bool {
    matches!(error, AppError::NoAccess { .. })
}

async fn closing_a_case_ends_its_clients_access(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "close").await;
    share_step_1(db, &c).await;
    open_exchange(db, &c).await;
    let step1 = steps(db, c.case_id).await[0].id;
    let policy = SessionPolicy::default();
    let a_session = sessions::start(db, c.a, policy, t0()).await.unwrap();
    let b_session = sessions::start(db, c.b, policy, t0()).await.unwrap();
    exchange::send_private_note(db, c.a, "Before closing", false, t0()).await.unwrap();

    cases::set_status(db, c.therapist, c.case_id, CaseStatus::Closed, t0()).await.unwrap();
    // Both partners are signed out at once.
    for token in [&a_session, &b_session] {
        assert_eq!(sessions::authenticate(db, token, policy, t0()).await.unwrap(), None);
    }
    // Nothing of the case's content is reachable any more, the partner's shared answers included.
    for client in [c.a, c.b] {
        assert!(is_no_access(homework::open_sheet(db, client, step1, t0()).await.unwrap_err()));
        assert!(is_no_access(homework::my_homework(db, client).await.unwrap_err()));
        assert!(is_no_access(exchange::board(db, client, t0()).await.unwrap_err()));
        assert!(is_no_access(exchange::practice(db, client, t0()).await.unwrap_err()));
        assert!(is_no_access(exchange::pact(db, client, t0()).await.unwrap_err()));
        // The home page says why; a private note and the client's own writing remain.
        let home = cases::client_case(db, client, t0()).await.unwrap();
        assert!(home.no_access.unwrap().contains("closed"));
        exchange::send_private_note(db, client, "After closing", false, t0()).await.unwrap();
        assert_eq!(
            exchange::my_private_notes(db, client, t0()).await.unwrap().threads.len(),
            1 + usize::from(client == c.a)
        );
    }
    let alex = own_writing::own_writing(db, c.a, t0()).await.unwrap();
    assert!(alex.text.contains("Feeling heard at the end of the day."), "{}", alex.text);
    assert!(alex.text.contains("Before closing") && alex.text.contains("After closing"));
    assert!(!alex.text.contains("Being held without a reason."), "nothing Sam wrote: {}", alex.text);
    let download = app::services::export::client_export(db, c.a, t0()).await.unwrap();
    assert!(download.file_name.starts_with("babysteps-alex-") && download.file_name.ends_with(".zip"));
}

async fn a_removed_partner_loses_access_and_their_writing_leaves_the_other(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "remove").await;
    share_step_1(db, &c).await;
    open_exchange(db, &c).await;
    let step1 = steps(db, c.case_id).await[0].id;
    exchange::save_pact(db, c.a, "ALEX-SHARED-LETTING-GO", true, false, false, t0()).await.unwrap();
    let policy = SessionPolicy::default();
    let a_session = sessions::start(db, c.a, policy, t0()).await.unwrap();
    let b_session = sessions::start(db, c.b, policy, t0()).await.unwrap();
    // Before: Sam sees Alex's shared answers, wishes and letting-go text.
    let before = homework::open_sheet(db, c.b, step1, t0()).await.unwrap();
    assert!(before.partner_answers.is_some());
    let alex_partner = app::services::access::partners_of(db, c.case_id).await.unwrap()[0].id;

    // Only the owner may remove a partner.
    let stranger = therapist(db, "stranger.remove@example.org").await;
    let refused = cases::remove_partner(db, stranger, c.case_id, alex_partner, t0()).await;
    assert_eq!(refused.unwrap_err(), AppError::NotFound);
    assert_eq!(
        cases::remove_partner(db, c.b, c.case_id, alex_partner, t0()).await.unwrap_err(),
        AppError::Forbidden
    );
    cases::remove_partner(db, c.therapist, c.case_id, alex_partner, t0()).await.unwrap();

    // Alex is signed out and reaches nothing but a private note and their own writing.
    assert_eq!(sessions::authenticate(db, &a_session, policy, t0()).await.unwrap(), None);
    assert!(sessions::authenticate(db, &b_session, policy, t0()).await.unwrap().is_some(), "Sam stays");
    assert!(is_no_access(homework::open_sheet(db, c.a, step1, t0()).await.unwrap_err()));
    assert!(is_no_access(exchange::board(db, c.a, t0()).await.unwrap_err()));
    assert!(cases::client_case(db, c.a, t0())
        .await
        .unwrap()
        .no_access
        .unwrap()
        .contains("ended your access"));
    exchange::send_private_note(db, c.a, "Still here", false, t0()).await.unwrap();
    assert!(own_writing::own_writing(db, c.a, t0()).await.unwrap().text.contains("Still here"));

    // Sam no longer sees anything Alex wrote, and cannot make new moves towards Alex.
    let after = homework::open_sheet(db, c.b, step1, t0()).await.unwrap();
    assert!(after.partner_answers.is_none());
    let board = exchange::board(db, c.b, t0()).await.unwrap();
    assert!(board.wishes.iter().all(|t| t.wish.wisher_id != alex_partner), "Alex's wishes are hidden");
    let pact = exchange::pact(db, c.b, t0()).await.unwrap();
    assert!(format!("{pact:?}").find("ALEX-SHARED-LETTING-GO").is_none());
    let add = exchange::add_wish(db, c.b, "Walk together", "everyday", 2, t0()).await;
    assert!(matches!(add.unwrap_err(), AppError::Conflict { .. }));
    // Sam's own wish to Alex stays visible to Sam, without Alex's answers.
    let own = board.wishes.iter().find(|t| t.wish.text == "Hug me when you come home").unwrap();
    let act = exchange::act_on_wish(
        db,
        c.b,
        own.wish.id,
        own.wish.version,
        WishAction::Withdraw,
        Default::default(),
        t0(),
    )
    .await;
    assert!(matches!(act.unwrap_err(), AppError::Conflict { .. }));
    // The therapist still has everything Alex wrote, and cannot invite Alex back by mistake.
    let therapist_board = exchange::case_board(
        db,
        &app::services::access::owned_case(db, c.therapist, c.case_id).await.unwrap(),
    )
    .await
    .unwrap();
    assert!(therapist_board.wishes.iter().any(|t| t.wish.wisher_id == alex_partner));
    let invite = invitations::invite(db, c.therapist, c.case_id, alex_partner, t0()).await;
    assert!(matches!(invite.unwrap_err(), AppError::Conflict { .. }));
    let detail = cases::case_detail(db, c.therapist, c.case_id, t0()).await.unwrap();
    assert_eq!(detail.partners[0].1, app::domain::case::InvitationState::Removed);
}

async fn a_paused_case_can_be_read_but_takes_no_new_move(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "pause").await;
    share_step_1(db, &c).await;
    open_exchange(db, &c).await;
    cases::set_status(db, c.therapist, c.case_id, CaseStatus::Paused, t0()).await.unwrap();
    let week = app::services::clock::week_start(t0().date_naive());
    // Reading still works for both, and the home page says it is paused.
    for client in [c.a, c.b] {
        let board = exchange::board(db, client, t0()).await.unwrap();
        assert_eq!(board.wishes.len(), 3);
        exchange::practice(db, client, t0()).await.unwrap();
        let home = cases::client_case(db, client, t0()).await.unwrap();
        assert_eq!((home.case.status, home.no_access), (CaseStatus::Paused, None));
    }
    // New moves wait, each with the reason.
    let paused =
        |error: AppError| matches!(&error, AppError::Conflict { message } if message.contains("paused"));
    assert!(paused(exchange::add_wish(db, c.a, "Walk together", "everyday", 2, t0()).await.unwrap_err()));
    let board = exchange::board(db, c.b, t0()).await.unwrap();
    let wish = board.wishes.iter().find(|t| t.wish.text == "Ask about my day").unwrap().wish.clone();
    let details = exchange::ActionDetails { offer: String::new(), ease: Some(4) };
    assert!(paused(
        exchange::act_on_wish(db, c.b, wish.id, wish.version, WishAction::Yes, details, t0())
            .await
            .unwrap_err()
    ));
    assert!(paused(exchange::save_check_in(db, c.a, check_in(week), t0()).await.unwrap_err()));
    assert!(paused(
        exchange::save_pact(db, c.a, "Old arguments", false, false, true, t0()).await.unwrap_err()
    ));
    // A private note to the therapist always goes.
    exchange::send_private_note(db, c.a, "While paused", false, t0()).await.unwrap();
    // Reminders stop: of two cases with homework due, only the active one is reminded.
    let due = t0().date_naive() + chrono::Duration::days(2);
    let (paused_case, active_case) = (couple(db, "pause-due").await, couple(db, "active-due").await);
    for case in [&paused_case, &active_case] {
        homework::assign_programme(
            db,
            case.therapist,
            case.case_id,
            homework::ProgrammeChoice::whole(Some(due), ""),
            t0(),
        )
        .await
        .unwrap();
    }
    cases::set_status(db, paused_case.therapist, paused_case.case_id, CaseStatus::Paused, t0())
        .await
        .unwrap();
    for hours in (0..24 * 5).step_by(3) {
        reminders::run_due(db, t0() + chrono::Duration::hours(hours)).await.unwrap();
    }
    assert_eq!(emails_of(db, paused_case.case_id, "reminder").await.len(), 0);
    assert!(!emails_of(db, active_case.case_id, "reminder").await.is_empty(), "the active case is reminded");
    // Resumed: moves work again.
    cases::set_status(db, c.therapist, c.case_id, CaseStatus::Active, t0()).await.unwrap();
    exchange::save_check_in(db, c.a, check_in(week), t0()).await.unwrap();
}

on_both_databases!(
    closing_a_case_ends_its_clients_access,
    a_removed_partner_loses_access_and_their_writing_leaves_the_other,
    a_paused_case_can_be_read_but_takes_no_new_move,
);
