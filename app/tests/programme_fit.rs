//! Service tests for the rest of issue 13 — step 5 asked once (one more conversation as a
//! request the therapist marks held; a date to revisit the pact with a check-in reminder
//! to both partners), clarifying a wish, and a "something new" email when a step opens —
//! on SQLite and PostgreSQL.

use crate::support;

use app::{
    domain::{baby_steps::ProgrammeContent, pact::CONFIRM_WHILE_OPEN},
    entities::{cases, reminder_log},
    error::AppError,
    services::{
        case_page::{case_notes, case_together},
        exchange,
        homework::{self, SaveIntent},
        reminders,
    },
};
use chrono::{Duration, TimeZone, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use support::fixtures::*;

/// The idempotency keys of the pact revisit reminders queued so far.
async fn revisit_keys(db: &DatabaseConnection) -> Vec<String> {
    let mut keys: Vec<String> = reminder_log::Entity::find()
        .filter(reminder_log::Column::IdempotencyKey.starts_with("pact_revisit:"))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.idempotency_key)
        .collect();
    keys.sort();
    keys
}

async fn one_more_conversation_is_a_request_the_therapist_marks_held(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "conversation").await;
    open_exchange(db, &c).await;
    let other = couple(db, "conversation-other").await;
    let page = case_together(db, c.therapist, c.case_id, t0()).await.unwrap();
    let (alex, sam) = (page.pact.entries[0].0.id, page.pact.entries[1].0.id);
    let today = t0().date_naive();

    // Nothing to mark before anyone asks.
    let early = exchange::mark_conversation_held(db, c.therapist, c.case_id, alex, today, t0()).await;
    assert!(matches!(early.unwrap_err(), AppError::Conflict { .. }));

    // Alex asks while saving; asking and confirming at once is refused.
    let both = exchange::save_pact(db, c.a, "Old hurt", false, true, true, t0()).await.unwrap_err();
    assert_eq!(both, AppError::conflict(CONFIRM_WHILE_OPEN));
    exchange::save_pact(db, c.a, "Old hurt", false, true, false, t0()).await.unwrap();
    let refused = exchange::save_pact(db, c.a, "Old hurt", false, false, true, t0()).await.unwrap_err();
    assert_eq!(refused, AppError::conflict(CONFIRM_WHILE_OPEN), "no confirming while my own request is open");
    // Asking again while open keeps the first request.
    exchange::save_pact(db, c.a, "Old hurt", false, true, false, t0() + Duration::hours(1)).await.unwrap();
    let entry = exchange::pact(db, c.b, t0()).await.unwrap().entries[0].1.clone().unwrap();
    assert_eq!(entry.conversation_requested_at, Some(t0()));
    assert!(exchange::conversation_request(&entry).is_open(), "Sam sees that Alex asked");
    // Sam's own confirmation is not held back by Alex's request.
    exchange::save_pact(db, c.b, "Keeping score", false, false, true, t0()).await.unwrap();

    // Only the case's therapist marks it held, on a day that has come.
    for (who, expected) in
        [(c.a, AppError::Forbidden), (c.b, AppError::Forbidden), (other.therapist, AppError::NotFound)]
    {
        let refused = exchange::mark_conversation_held(db, who, c.case_id, alex, today, t0()).await;
        assert_eq!(refused.unwrap_err(), expected);
    }
    let ahead = today + Duration::days(2);
    let future = exchange::mark_conversation_held(db, c.therapist, c.case_id, alex, ahead, t0()).await;
    assert!(future.unwrap_err().message_for("held_on").is_some());
    let wrong_partner = exchange::mark_conversation_held(
        db,
        c.therapist,
        c.case_id,
        other_partner(db, &other).await,
        today,
        t0(),
    );
    assert_eq!(wrong_partner.await.unwrap_err(), AppError::NotFound, "a partner of another case");
    let not_asked = exchange::mark_conversation_held(db, c.therapist, c.case_id, sam, today, t0()).await;
    assert!(matches!(not_asked.unwrap_err(), AppError::Conflict { .. }), "Sam never asked");
    exchange::mark_conversation_held(db, c.therapist, c.case_id, alex, today, t0()).await.unwrap();
    let again = exchange::mark_conversation_held(db, c.therapist, c.case_id, alex, today, t0()).await;
    assert!(matches!(again.unwrap_err(), AppError::Conflict { .. }), "held once");

    let seen =
        case_together(db, c.therapist, c.case_id, t0()).await.unwrap().pact.entries[0].1.clone().unwrap();
    assert_eq!(seen.conversation_held_on, Some(today));
    assert!(!exchange::conversation_request(&seen).is_open());
    exchange::save_pact(db, c.a, "Old hurt", false, false, true, t0()).await.unwrap();
    assert_eq!(exchange::pact(db, c.a, t0()).await.unwrap().completed_at, Some(t0()));
}

/// A partner id of another couple.
async fn other_partner(db: &DatabaseConnection, other: &Couple) -> i32 {
    app::services::access::partners_of(db, other.case_id).await.unwrap()[0].id
}

async fn a_pact_revisit_date_sends_both_partners_a_check_in(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "revisit").await;
    let other = couple(db, "revisit-other").await;
    // A Thursday, so no weekly Sunday check-in reminder mixes in.
    let on = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let early = exchange::set_pact_revisit(db, c.therapist, c.case_id, Some(on), t0()).await.unwrap_err();
    assert!(matches!(early, AppError::Conflict { .. }), "step 5 is not open yet");
    open_exchange(db, &c).await;
    for (who, expected) in [(c.a, AppError::Forbidden), (other.therapist, AppError::NotFound)] {
        let refused = exchange::set_pact_revisit(db, who, c.case_id, Some(on), t0()).await;
        assert_eq!(refused.unwrap_err(), expected);
    }
    let past = t0().date_naive() - Duration::days(1);
    let refused = exchange::set_pact_revisit(db, c.therapist, c.case_id, Some(past), t0()).await.unwrap_err();
    assert!(refused.message_for("revisit_on").is_some());
    exchange::set_pact_revisit(db, c.therapist, c.case_id, Some(on), t0()).await.unwrap();
    assert_eq!(
        exchange::pact(db, c.a, t0()).await.unwrap().revisit_on,
        Some(on),
        "the partners see the date"
    );

    // Nothing the day before; on the day, outside quiet hours, one check-in each, once.
    reminders::run_due(db, Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap()).await.unwrap();
    assert!(revisit_keys(db).await.is_empty());
    let noon = Utc.with_ymd_and_hms(2026, 12, 3, 12, 0, 0).unwrap();
    reminders::run_due(db, noon).await.unwrap();
    reminders::run_due(db, noon + Duration::minutes(5)).await.unwrap();
    let partners = app::services::access::partners_of(db, c.case_id).await.unwrap();
    let mut expected: Vec<String> = partners.iter().map(|p| format!("pact_revisit:{}:{on}", p.id)).collect();
    expected.sort();
    assert_eq!(revisit_keys(db).await, expected);
    let reminders = emails_of(db, c.case_id, "reminder").await;
    assert_eq!(reminders.len(), 2);
    assert!(reminders
        .iter()
        .all(|email| !email.text_body.contains("pact") && !email.text_body.contains("resent")));

    // Clearing the date stops it (a later date would plan again).
    exchange::set_pact_revisit(db, c.therapist, c.case_id, None, t0()).await.unwrap();
    assert_eq!(exchange::pact(db, c.a, t0()).await.unwrap().revisit_on, None);
}

fn answer(ease: i16) -> exchange::ActionDetails {
    exchange::ActionDetails { offer: String::new(), ease: Some(ease) }
}

async fn a_wish_can_be_clarified_and_reworded_while_unanswered(db: &DatabaseConnection) {
    use app::domain::exchange::{WishAction, WishState};
    let c = couple_past_step_1(db, "clarify").await;
    open_exchange(db, &c).await;
    share_step_1(db, &c).await;
    let other = couple(db, "clarify-other").await;
    let hug = |board: &exchange::Board| {
        board.wishes.iter().find(|t| t.wish.text.contains("Hug")).unwrap().wish.clone()
    };
    let wish = hug(&exchange::board(db, c.a, t0()).await.unwrap());
    let before = emails_of(db, c.case_id, "notification").await.len();

    // Only the addressee (Alex) asks what it means, once.
    let by_wisher =
        exchange::act_on_wish(db, c.b, wish.id, wish.version, WishAction::AskClarify, answer(3), t0());
    assert!(matches!(by_wisher.await.unwrap_err(), AppError::Conflict { .. }));
    exchange::act_on_wish(db, c.a, wish.id, wish.version, WishAction::AskClarify, answer(3), t0())
        .await
        .unwrap();
    let asked = hug(&exchange::board(db, c.b, t0()).await.unwrap());
    assert_eq!(asked.state, WishState::ClarifyAsked);
    let twice =
        exchange::act_on_wish(db, c.a, wish.id, asked.version, WishAction::AskClarify, answer(3), t0());
    assert!(matches!(twice.await.unwrap_err(), AppError::Conflict { .. }));
    let alex = exchange::progress(db, c.case_id).await.unwrap().partners[0].clone();
    assert_eq!((alex.answered, alex.step_3_done), (0, false), "asking is not answering");
    let told = emails_of(db, c.case_id, "notification").await;
    assert_eq!(told.len(), before + 1, "Sam is told, neutrally, to look again");
    assert!(!told.last().unwrap().text_body.contains("Hug"));

    // Only the wisher (Sam) rewords; others cannot even find the wish.
    let new_words = "Hug me for a minute when you come home";
    let by_addressee = exchange::reword_wish(db, c.a, wish.id, asked.version, new_words, t0()).await;
    assert!(matches!(by_addressee.unwrap_err(), AppError::Conflict { .. }));
    let stranger = exchange::reword_wish(db, other.b, wish.id, asked.version, new_words, t0()).await;
    assert_eq!(stranger.unwrap_err(), AppError::NotFound);
    let empty = exchange::reword_wish(db, c.b, wish.id, asked.version, "  ", t0()).await.unwrap_err();
    assert!(empty.message_for("text").is_some());
    exchange::reword_wish(db, c.b, wish.id, asked.version, new_words, t0()).await.unwrap();
    let stale = exchange::reword_wish(db, c.b, wish.id, asked.version, "Hold me", t0()).await;
    assert!(matches!(stale.unwrap_err(), AppError::Conflict { .. }), "seen at an old version");

    // Both partners and the therapist see the new words and the earlier wording.
    for board in [
        exchange::board(db, c.a, t0()).await.unwrap(),
        exchange::board(db, c.b, t0()).await.unwrap(),
        case_together(db, c.therapist, c.case_id, t0()).await.unwrap().board,
    ] {
        let reworded = hug(&board);
        assert_eq!(reworded.text, new_words);
        assert_eq!(reworded.state, WishState::Open);
        assert_eq!(
            app::domain::exchange::earlier_wordings(&reworded.earlier_wordings),
            ["Hug me when you come home"]
        );
    }

    // Once answered, the words stay as they were agreed.
    let reworded = hug(&exchange::board(db, c.a, t0()).await.unwrap());
    exchange::act_on_wish(db, c.a, wish.id, reworded.version, WishAction::Yes, answer(4), t0())
        .await
        .unwrap();
    let agreed = hug(&exchange::board(db, c.b, t0()).await.unwrap());
    let late = exchange::reword_wish(db, c.b, wish.id, agreed.version, "Hold me", t0()).await;
    assert!(matches!(late.unwrap_err(), AppError::Conflict { .. }));
    let clarify_late =
        exchange::act_on_wish(db, c.a, wish.id, agreed.version, WishAction::AskClarify, answer(3), t0());
    assert!(matches!(clarify_late.await.unwrap_err(), AppError::Conflict { .. }));
}

async fn a_step_that_opens_says_something_new_after_quiet_hours(db: &DatabaseConnection) {
    use app::{domain::exchange::WishAction, entities::outbox_emails, services::homework};
    let c = couple_past_step_1(db, "opened").await;
    let told = |emails: &[outbox_emails::Model], name: &str| {
        emails
            .iter()
            .filter(|e| e.to_name == name && e.text_body.contains("Something new is waiting"))
            .count()
    };
    let emails = emails_of(db, c.case_id, "notification").await;
    assert_eq!((told(&emails, "Alex"), told(&emails, "Sam")), (2, 2), "step 1 assigned, step 2 opened");

    // The therapist opens step 3 at 23:00: the email waits for 08:00, and says nothing more.
    let night = Utc.with_ymd_and_hms(2026, 11, 25, 23, 0, 0).unwrap();
    let step_3 = steps(db, c.case_id).await[2].id;
    homework::unlock_early(db, c.therapist, step_3, night).await.unwrap();
    homework::unlock_early(db, c.therapist, step_3, night).await.unwrap();
    let emails = emails_of(db, c.case_id, "notification").await;
    assert_eq!((told(&emails, "Alex"), told(&emails, "Sam")), (3, 3), "once per step, however often opened");
    let last = emails.last().unwrap();
    assert_eq!(last.next_attempt_at, Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap(), "quiet hours");
    assert_eq!(last.subject, "Something new in Babysteps");
    assert!(!last.text_body.contains("Step 3") && !last.text_body.contains("wish"), "no clinical content");

    // Step 4 opens by what the partners do (every wish answered): both are told.
    share_step_1(db, &c).await;
    for (who, board_of) in [(c.a, c.a), (c.b, c.b)] {
        let board = exchange::board(db, board_of, t0()).await.unwrap();
        let me = board.partners.iter().find(|p| p.client_user_id == Some(who.user_id)).unwrap().id;
        for thread in board.wishes.iter().filter(|t| t.wish.addressee_id == me) {
            let no = exchange::ActionDetails::default();
            exchange::act_on_wish(db, who, thread.wish.id, thread.wish.version, WishAction::NotNow, no, t0())
                .await
                .unwrap();
        }
    }
    assert!(exchange::progress(db, c.case_id).await.unwrap().is_open(4));
    let emails = emails_of(db, c.case_id, "notification").await;
    assert_eq!((told(&emails, "Alex"), told(&emails, "Sam")), (4, 4), "step 4 opened");
}

async fn a_partner_asks_to_change_what_the_programme_assumes(db: &DatabaseConnection) {
    use app::domain::case::Seeks;
    let c = couple(db, "seeks").await;
    // Alex seeks emotional connection: asking for that again is refused at the field.
    let same = exchange::ask_seeks_change(db, c.a, Seeks::Emotional, t0()).await.unwrap_err();
    assert!(same.message_for("seeks").is_some());
    assert_eq!(
        exchange::ask_seeks_change(db, c.therapist, Seeks::Physical, t0()).await.unwrap_err(),
        AppError::Forbidden
    );
    exchange::ask_seeks_change(db, c.a, Seeks::Unsure, t0()).await.unwrap();
    // The therapist sees the request among the private notes; Sam never does.
    let page = case_notes(db, c.therapist, c.case_id, "UTC", t0()).await.unwrap();
    let notes: Vec<String> = page.notes.iter().map(|t| t.note.body.clone()).collect();
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].contains("More emotional connection") && notes[0].contains("Not sure yet"),
        "{}",
        notes[0]
    );
    assert!(exchange::my_private_notes(db, c.b, t0()).await.unwrap().threads.is_empty());
    assert!(
        app::domain::case::same_kind_warning(Seeks::Physical, Seeks::Physical).is_some(),
        "the case form warns when both seek the same kind"
    );
}

async fn without_sexual_content_the_programme_and_its_kinds_leave_it_out(db: &DatabaseConnection) {
    let c = couple(db, "gentle").await;
    homework::assign_programme(
        db,
        c.therapist,
        c.case_id,
        homework::ProgrammeChoice {
            content: ProgrammeContent::WithoutSexual,
            ..homework::ProgrammeChoice::whole(None, "")
        },
        t0(),
    )
    .await
    .unwrap();
    let case = cases::Entity::find_by_id(c.case_id).one(db).await.unwrap().unwrap();
    assert!(case.without_sexual_content, "the case keeps the choice");
    let all = steps(db, c.case_id).await;
    // Sam seeks physical closeness: their step 1 questions and help speak of touch and
    // affection only.
    let sheet = homework::open_sheet(db, c.b, all[0].id, t0()).await.unwrap();
    assert_eq!(sheet.content, ProgrammeContent::WithoutSexual);
    let words = serde_json::to_string(&sheet.exercise).unwrap().to_lowercase();
    assert!(!words.contains("sex") && !words.contains("intimacy"), "{words}");
    // A sexual item is refused at the list; the other kinds are kept.
    let sexual = answers(&[("physical_meaning", "Being held."), ("behaviours", "sexual\tSomething")]);
    let refused =
        homework::save_answers(db, c.b, all[0].id, 0, &sexual, SaveIntent::Submit, t0()).await.unwrap_err();
    assert_eq!(
        refused.message_for("answers[behaviours]").or_else(|| refused.message_for("behaviours")),
        Some("Choose emotional, physical or everyday for each item.".to_owned()),
        "{refused:?}"
    );
    let fine = answers(&[("physical_meaning", "Being held."), ("behaviours", "physical\tHold my hand")]);
    homework::save_answers(db, c.b, all[0].id, 0, &fine, SaveIntent::Submit, t0()).await.unwrap();
    homework::save_answers(db, c.a, all[0].id, 0, &step1_for_alex(), SaveIntent::Submit, t0()).await.unwrap();
    share_step_1(db, &c).await;
    open_exchange(db, &c).await;
    // Wishes: no sexual kind, and the consent wording leaves sex out.
    let board = exchange::board(db, c.a, t0()).await.unwrap();
    assert!(board.content.wish_kinds().iter().all(|(key, _)| *key != "sexual"));
    assert!(!board.content.consent_note().to_lowercase().contains("sex"));
    let refused = exchange::add_wish(db, c.a, "Something", "sexual", 2, t0()).await.unwrap_err();
    assert!(refused.message_for("kind").is_some(), "{refused:?}");
    let wish = exchange::add_wish(db, c.a, "Dance with me", "physical", 2, t0()).await.unwrap();
    let retag = exchange::retag_wish(db, c.a, wish, 1, "sexual", 2, t0()).await.unwrap_err();
    assert!(retag.message_for("kind").is_some(), "{retag:?}");
    // Another couple keeps the whole programme and its kinds.
    let whole = couple_past_step_1(db, "whole").await;
    let whole_sheet =
        homework::open_sheet(db, whole.b, steps(db, whole.case_id).await[0].id, t0()).await.unwrap();
    assert!(serde_json::to_string(&whole_sheet.exercise).unwrap().contains("sexual intimacy"));
    assert_eq!(whole_sheet.content, ProgrammeContent::Full);
}

on_both_databases!(
    without_sexual_content_the_programme_and_its_kinds_leave_it_out,
    a_partner_asks_to_change_what_the_programme_assumes,
    a_step_that_opens_says_something_new_after_quiet_hours,
    a_wish_can_be_clarified_and_reworded_while_unanswered,
    one_more_conversation_is_a_request_the_therapist_marks_held,
    a_pact_revisit_date_sends_both_partners_a_check_in,
);
