//! Service tests for steps 3 to 5: wishes and their threads, agreements, check-ins with
//! consented rating sharing, the pact and private notes — on SQLite and PostgreSQL.

use crate::support;

use app::{
    domain::exchange::WishState,
    error::AppError,
    services::{
        case_page::{case_notes, case_together},
        caseload, cases, clock, exchange,
    },
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use support::fixtures::*;

fn wish_by<'a>(board: &'a exchange::Board, text: &str) -> &'a app::entities::wishes::Model {
    &board.wishes.iter().find(|t| t.wish.text == text).unwrap().wish
}
async fn the_exchange_follows_its_rules(db: &DatabaseConnection) {
    use app::domain::exchange::WishAction::*;
    let c = couple_past_step_1(db, "exchange").await;
    open_exchange(db, &c).await;
    // Step 1's lists became wishes; each partner sees only their own until both share.
    let alex_board = exchange::board(db, c.a, t0()).await.unwrap();
    assert_eq!(alex_board.wishes.len(), 2);
    assert!(!alex_board.revealed);
    let sam_board = exchange::board(db, c.b, t0()).await.unwrap();
    assert_eq!(
        sam_board.wishes.iter().map(|t| t.wish.text.as_str()).collect::<Vec<_>>(),
        ["Hug me when you come home"]
    );
    let ask = wish_by(&alex_board, "Ask about my day").clone();
    let early = exchange::act_on_wish(db, c.b, ask.id, ask.version, Yes, details("", 5), t0()).await;
    assert_eq!(early.unwrap_err(), AppError::NotFound, "Sam cannot act on a wish Sam cannot see");

    share_step_1(db, &c).await;
    assert_eq!(exchange::board(db, c.b, t0()).await.unwrap().wishes.len(), 3);
    // Only the addressee answers; a smaller step needs words and an ease rating.
    let own = exchange::act_on_wish(db, c.a, ask.id, ask.version, Yes, details("", 5), t0()).await;
    assert!(matches!(own.unwrap_err(), AppError::Conflict { .. }));
    let wordless =
        exchange::act_on_wish(db, c.b, ask.id, ask.version, SmallerStep, details(" ", 4), t0()).await;
    assert!(wordless.unwrap_err().message_for("offer").is_some());
    exchange::act_on_wish(
        db,
        c.b,
        ask.id,
        ask.version,
        SmallerStep,
        details("Ask one question at dinner", 4),
        t0(),
    )
    .await
    .unwrap();
    // The wisher asks for a different step, then accepts the next one.
    let ask = wish_by(&exchange::board(db, c.a, t0()).await.unwrap(), "Ask about my day").clone();
    assert_eq!(ask.state, WishState::OfferPending);
    exchange::act_on_wish(db, c.a, ask.id, ask.version, AskDifferent, details("", 0), t0()).await.unwrap();
    let stale = exchange::act_on_wish(db, c.b, ask.id, ask.version, SmallerStep, details("x", 3), t0()).await;
    assert!(stale.unwrap_err().to_string().contains("changed a moment ago"));
    exchange::act_on_wish(
        db,
        c.b,
        ask.id,
        ask.version + 1,
        SmallerStep,
        details("Ask at the weekend", 5),
        t0(),
    )
    .await
    .unwrap();
    exchange::act_on_wish(db, c.a, ask.id, ask.version + 2, AcceptOffer, details("", 0), t0()).await.unwrap();
    let board = exchange::board(db, c.a, t0()).await.unwrap();
    let thread = board.wishes.iter().find(|t| t.wish.id == ask.id).unwrap();
    assert_eq!(thread.wish.state, WishState::Agreed);
    let statuses: Vec<&str> = thread.offers.iter().map(|o| o.status.as_str()).collect();
    assert_eq!(statuses, ["declined", "accepted"], "the thread keeps every offer");
    assert_eq!(board.agreements.len(), 1);
    assert_eq!(board.agreements[0].text, "Ask at the weekend");

    // A withdrawn wish cannot be agreed.
    let phones = wish_by(&board, "Put phones away at dinner").clone();
    exchange::act_on_wish(db, c.a, phones.id, phones.version, Withdraw, details("", 0), t0()).await.unwrap();
    let late = exchange::act_on_wish(db, c.b, phones.id, phones.version + 1, Yes, details("", 5), t0()).await;
    assert!(late.unwrap_err().to_string().contains("withdrawn"));

    // Only the giver chooses an agreement to practise, 1 to 7 times a week.
    let agreement = board.agreements[0].id;
    assert!(matches!(
        exchange::choose_agreement(db, c.a, agreement, true, 2, t0()).await.unwrap_err(),
        AppError::Conflict { .. }
    ));
    assert!(exchange::choose_agreement(db, c.b, agreement, true, 9, t0())
        .await
        .unwrap_err()
        .message_for("times_per_week")
        .is_some());
    exchange::choose_agreement(db, c.b, agreement, true, 2, t0()).await.unwrap();
    // Sam's own wish, answered "yes" by Alex, is an agreement Alex gives.
    let hug = wish_by(&board, "Hug me when you come home").clone();
    exchange::act_on_wish(db, c.a, hug.id, hug.version, Yes, details("", 3), t0()).await.unwrap();
    let agreements = exchange::board(db, c.b, t0()).await.unwrap().agreements;
    assert_eq!(agreements.len(), 2);
    assert_eq!(agreements[0].text, "Ask at the weekend", "easiest first");

    // Only the wisher re-tags a wish, on the version they saw.
    let hug_now =
        wish_by(&exchange::board(db, c.b, t0()).await.unwrap(), "Hug me when you come home").clone();
    assert!(matches!(
        exchange::retag_wish(db, c.a, hug.id, hug_now.version, "physical", 3, t0()).await.unwrap_err(),
        AppError::Conflict { .. }
    ));
    assert!(exchange::retag_wish(db, c.b, hug.id, hug_now.version, "romantic", 3, t0())
        .await
        .unwrap_err()
        .message_for("kind")
        .is_some());
    exchange::retag_wish(db, c.b, hug.id, hug_now.version, "physical", 3, t0()).await.unwrap();
    let stale = exchange::retag_wish(db, c.b, hug.id, hug_now.version, "sexual", 1, t0()).await;
    assert!(matches!(stale.unwrap_err(), AppError::Conflict { .. }));
    let retagged =
        wish_by(&exchange::board(db, c.b, t0()).await.unwrap(), "Hug me when you come home").clone();
    assert_eq!((retagged.kind.as_str(), retagged.importance), ("physical", 3));

    // Another couple's client and therapist get nothing; a closed case accepts nothing.
    let other = couple(db, "exchange-other").await;
    assert_eq!(
        exchange::act_on_wish(db, other.a, hug.id, 1, Yes, details("", 3), t0()).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        case_together(db, other.therapist, c.case_id, t0()).await.map(|page| page.board).unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        case_together(db, c.therapist, c.case_id, t0()).await.map(|page| page.board).unwrap().wishes.len(),
        3
    );
    cases::set_status(db, c.therapist, c.case_id, app::domain::case::CaseStatus::Closed, t0()).await.unwrap();
    assert!(matches!(
        exchange::add_wish(db, c.a, "Walk together", "everyday", 2, t0()).await.unwrap_err(),
        AppError::NoAccess { .. }
    ));
}
fn details(offer: &str, ease: i16) -> exchange::ActionDetails {
    exchange::ActionDetails { offer: offer.to_owned(), ease: (ease > 0).then_some(ease) }
}
async fn both_partners_acting_at_once_never_lose_an_update(db: &DatabaseConnection) {
    use app::domain::exchange::WishAction::*;
    let c = couple_past_step_1(db, "race").await;
    share_step_1(db, &c).await;
    open_exchange(db, &c).await;
    for round in 0..4 {
        let text = format!("Wish {round}");
        let id = exchange::add_wish(db, c.a, &text, "emotional", 3, t0()).await.unwrap();
        // Sam answers while Alex withdraws, both from version 1: exactly one wins.
        let (answer, withdraw) = tokio::join!(
            exchange::act_on_wish(db, c.b, id, 1, SmallerStep, details("A smaller one", 4), t0()),
            exchange::act_on_wish(db, c.a, id, 1, Withdraw, details("", 0), t0()),
        );
        assert!(answer.is_ok() != withdraw.is_ok(), "round {round}: {answer:?} / {withdraw:?}");
        let loser = answer.err().or(withdraw.err()).unwrap();
        assert!(matches!(loser, AppError::Conflict { .. }), "{loser:?}");
        let board = exchange::board(db, c.a, t0()).await.unwrap();
        let wish = wish_by(&board, &text);
        assert_eq!(wish.version, 2);
        let offers = &board.wishes.iter().find(|t| t.wish.id == id).unwrap().offers;
        assert_eq!(
            offers.len(),
            usize::from(wish.state == WishState::OfferPending),
            "no offer without its state"
        );
    }
}
async fn check_ins_share_ratings_only_by_mutual_consent(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "checkin").await;
    open_exchange(db, &c).await;
    let this_week = clock::week_start(t0().date_naive());
    let form = |week: chrono::NaiveDate, emotional: i16| exchange::CheckInForm {
        week_start: week,
        my_part: "done".into(),
        noticed: "partly".into(),
        emotional,
        physical: 4,
        note: "PRIVATE-NOTE".into(),
    };
    let last_week = this_week - chrono::Duration::weeks(1);
    exchange::save_check_in(db, c.a, form(last_week, 3), t0()).await.unwrap();
    exchange::save_check_in(db, c.a, form(this_week, 5), t0()).await.unwrap();
    exchange::save_check_in(db, c.a, form(this_week, 6), t0()).await.unwrap();
    exchange::save_check_in(db, c.b, form(this_week, 7), t0()).await.unwrap();
    let future =
        exchange::save_check_in(db, c.a, form(this_week + chrono::Duration::weeks(1), 5), t0()).await;
    assert!(future.unwrap_err().message_for("week_start").is_some());
    let tuesday =
        exchange::save_check_in(db, c.a, form(this_week + chrono::Duration::days(1), 5), t0()).await;
    assert!(tuesday.unwrap_err().message_for("week_start").is_some());
    let mut bad = form(this_week, 11);
    bad.my_part = "maybe".into();
    assert!(exchange::save_check_in(db, c.a, bad, t0()).await.unwrap_err().message_for("my_part").is_some());

    let alex = exchange::practice(db, c.a, t0()).await.unwrap();
    assert_eq!(
        alex.check_ins.iter().map(|c| c.emotional).collect::<Vec<_>>(),
        [3, 6],
        "a week is corrected, not doubled"
    );
    assert!(alex.partner_ratings.is_empty());
    exchange::set_share_ratings(db, c.a, true, t0()).await.unwrap();
    assert!(
        exchange::practice(db, c.a, t0()).await.unwrap().partner_ratings.is_empty(),
        "one consent is not enough"
    );
    exchange::set_share_ratings(db, c.b, true, t0()).await.unwrap();
    let alex = exchange::practice(db, c.a, t0()).await.unwrap();
    assert_eq!(alex.partner_ratings.iter().map(|r| r.2).collect::<Vec<_>>(), [7]);
    // Sam never receives Alex's check-in answers or note, only the shared ratings.
    let sam = exchange::practice(db, c.b, t0()).await.unwrap();
    assert!(sam.check_ins.iter().all(|check_in| check_in.partner_id != alex.check_ins[0].partner_id));
    assert_eq!(
        case_together(db, c.therapist, c.case_id, t0())
            .await
            .map(|page| page.practice)
            .unwrap()
            .check_ins
            .len(),
        3
    );
    let other = couple(db, "checkin-other").await;
    assert_eq!(
        case_together(db, other.therapist, c.case_id, t0()).await.map(|page| page.practice).unwrap_err(),
        AppError::NotFound
    );
    assert!(exchange::practice(db, other.a, t0()).await.unwrap().check_ins.is_empty());
}
async fn the_pact_and_private_notes(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "pact").await;
    open_exchange(db, &c).await;
    exchange::save_pact(db, c.a, "Old hurt about holidays", false, true, false, t0()).await.unwrap();
    let sam_view = exchange::pact(db, c.b, t0()).await.unwrap();
    assert_eq!(sam_view.entries[0].1.as_ref().unwrap().letting_go, "", "unshared writing stays private");
    assert!(
        sam_view.entries[0].1.as_ref().unwrap().wants_conversation,
        "the request for one more conversation is seen by the partner, as its label says"
    );
    let therapist_view = case_together(db, c.therapist, c.case_id, t0()).await.map(|page| page.pact).unwrap();
    assert_eq!(therapist_view.entries[0].1.as_ref().unwrap().letting_go, "Old hurt about holidays");
    // Alex asked for one more conversation: Alex confirms once the therapist marks it held.
    let alex = therapist_view.entries[0].0.id;
    exchange::mark_conversation_held(db, c.therapist, c.case_id, alex, t0().date_naive(), t0())
        .await
        .unwrap();
    exchange::save_pact(db, c.a, "Old hurt about holidays", true, false, true, t0()).await.unwrap();
    assert_eq!(
        exchange::pact(db, c.b, t0()).await.unwrap().entries[0].1.as_ref().unwrap().letting_go,
        "Old hurt about holidays"
    );
    let again = exchange::save_pact(db, c.a, "changed", true, false, true, t0()).await.unwrap_err();
    assert!(matches!(again, AppError::Conflict { .. }));
    let empty = exchange::save_pact(db, c.b, " ", false, false, true, t0()).await.unwrap_err();
    assert!(empty.message_for("letting_go").is_some());
    exchange::save_pact(db, c.b, "Keeping score", false, false, true, t0()).await.unwrap();
    let done = exchange::pact(db, c.a, t0()).await.unwrap();
    assert_eq!(done.completed_at, Some(t0()));
    let emails = app::entities::outbox_emails::Entity::find()
        .filter(app::entities::outbox_emails::Column::Kind.eq("case_update"))
        .filter(app::entities::outbox_emails::Column::CaseId.eq(c.case_id))
        .all(db)
        .await
        .unwrap();
    assert_eq!(emails.len(), 1, "the therapist is told once");
    assert!(!emails[0].text_body.contains("Keeping score") && !emails[0].text_body.contains("Alex"));

    // A private note reaches the therapist only, and shows as unread on the caseload.
    exchange::send_private_note(db, c.a, "PRIVATE: I feel unsafe at home", false, t0()).await.unwrap();
    assert!(exchange::send_private_note(db, c.a, "  ", false, t0())
        .await
        .unwrap_err()
        .message_for("body")
        .is_some());
    assert!(exchange::my_private_notes(db, c.b, t0()).await.unwrap().threads.is_empty());
    assert_eq!(exchange::my_private_notes(db, c.a, t0()).await.unwrap().threads.len(), 1);
    let query = caseload::CaseloadQuery {
        search: String::new(),
        status: None,
        sort: caseload::CaseloadSort::RecentlyUpdated,
        page: 1,
        per_page: 20,
    };
    let unread = |page: caseload::CaseloadPage| {
        page.rows.into_iter().find(|r| r.case.id == c.case_id).unwrap().unread_notes
    };
    assert_eq!(unread(caseload::caseload(db, c.therapist, &query, t0()).await.unwrap()), 1);
    let notes = case_notes(db, c.therapist, c.case_id, "UTC", t0()).await.map(|page| page.notes).unwrap();
    assert_eq!(notes[0].note.body, "PRIVATE: I feel unsafe at home");
    assert_eq!(
        unread(caseload::caseload(db, c.therapist, &query, t0()).await.unwrap()),
        1,
        "loading the case page opens no note"
    );
    exchange::mark_private_note_read(db, c.therapist, notes[0].note.id, t0()).await.unwrap();
    assert_eq!(unread(caseload::caseload(db, c.therapist, &query, t0()).await.unwrap()), 0);
    assert_eq!(
        case_notes(db, c.b, c.case_id, "UTC", t0()).await.map(|page| page.notes).unwrap_err(),
        AppError::Forbidden
    );
}

/// Every item of a submitted step 1 list becomes a wish exactly once: also when the partner
/// added a wish of their own first, and after a reopen adds items to the list.
async fn every_step_1_item_becomes_a_wish_exactly_once(db: &DatabaseConnection) {
    use app::services::homework::{self, SaveIntent};
    let c = couple(db, "wishes-once").await;
    homework::assign_programme(db, c.therapist, c.case_id, homework::ProgrammeChoice::whole(None, ""), t0())
        .await
        .unwrap();
    let step1 = steps(db, c.case_id).await[0].id;
    // The therapist opened the wishes early, and Alex adds one before submitting step 1.
    open_exchange(db, &c).await;
    exchange::add_wish(db, c.a, "Cook together on Sundays", "everyday", 2, t0()).await.unwrap();
    let list = |items: &str| answers(&[("emotional_meaning", "Feeling heard"), ("behaviours", items)]);
    homework::save_answers(
        db,
        c.a,
        step1,
        0,
        &list("Ask about my day\nPut phones away at dinner"),
        SaveIntent::Submit,
        t0(),
    )
    .await
    .unwrap();
    let texts = |board: exchange::Board| {
        let mut texts: Vec<String> = board.wishes.into_iter().map(|t| t.wish.text).collect();
        texts.sort();
        texts
    };
    assert_eq!(
        texts(exchange::board(db, c.a, t0()).await.unwrap()),
        ["Ask about my day", "Cook together on Sundays", "Put phones away at dinner"]
    );
    // Reopened, one item added and one re-typed with other spacing and case: only the new
    // one is added.
    let alex = homework::open_sheet(db, c.a, step1, t0()).await.unwrap().response.unwrap();
    homework::set_reviewed(db, c.therapist, alex.id, false, t0()).await.unwrap();
    let longer = list("ask about  my day\nPut phones away at dinner\nPlan one evening out a month");
    homework::save_answers(db, c.a, step1, alex.revision, &longer, SaveIntent::Submit, t0()).await.unwrap();
    assert_eq!(
        texts(exchange::board(db, c.a, t0()).await.unwrap()),
        [
            "Ask about my day",
            "Cook together on Sundays",
            "Plan one evening out a month",
            "Put phones away at dinner"
        ]
    );
}

/// A double click (or two tabs) saving the first draft of step 5 at once: every save is
/// answered, at worst with "try again", and exactly one entry exists afterwards.
async fn saves_at_the_same_moment_are_answered_never_failed(db: &DatabaseConnection) {
    let c = couple_past_step_1(db, "pactrace").await;
    open_exchange(db, &c).await;
    let mut saves = tokio::task::JoinSet::new();
    for round in 0..8 {
        let db = db.clone();
        saves.spawn(async move {
            exchange::save_pact(&db, c.a, &format!("draft {round}"), false, false, false, t0()).await
        });
    }
    while let Some(result) = saves.join_next().await {
        match result.unwrap() {
            Ok(()) | Err(AppError::Conflict { .. }) => {}
            Err(other) => panic!("a save at the same moment failed: {other:?}"),
        }
    }
    let entries = app::entities::pact_entries::Entity::find()
        .filter(app::entities::pact_entries::Column::CaseId.eq(c.case_id))
        .all(db)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1, "one entry, for the partner who saved");
}

/// Steps 3, 4 and 5 open in order: each move is refused with what comes first until its
/// step opens; step 4 opens when both partners answered every wish addressed to them (not
/// when the optional reflection sheet is submitted), step 5 when each practises an
/// agreement from the other's list.
async fn the_steps_open_in_order(db: &DatabaseConnection) {
    use app::{
        domain::exchange::WishAction::*,
        services::homework::{self, SaveIntent},
    };
    let c = couple_past_step_1(db, "order").await;
    share_step_1(db, &c).await;
    let open = || async { exchange::progress(db, c.case_id).await.unwrap().open_steps };
    assert_eq!(open().await, [1, 2], "step 2 opened when both submitted step 1");
    let refused_until = |error: AppError, step: &str| {
        assert!(matches!(&error, AppError::Conflict { message } if message.contains(step)), "{error:?}");
    };
    let ask = wish_by(&exchange::board(db, c.b, t0()).await.unwrap(), "Ask about my day").clone();
    refused_until(
        exchange::add_wish(db, c.a, "Walk together", "everyday", 2, t0()).await.unwrap_err(),
        "step 3",
    );
    refused_until(
        exchange::act_on_wish(db, c.b, ask.id, ask.version, Yes, details("", 4), t0()).await.unwrap_err(),
        "step 3",
    );
    let week = clock::week_start(t0().date_naive());
    refused_until(exchange::save_check_in(db, c.a, check_in(week), t0()).await.unwrap_err(), "step 4");
    refused_until(
        exchange::save_pact(db, c.a, "Old hurt", false, false, false, t0()).await.unwrap_err(),
        "step 5",
    );
    let practice = exchange::practice(db, c.a, t0()).await.unwrap();
    assert!(!practice.open && !exchange::pact(db, c.a, t0()).await.unwrap().open, "the pages say so");

    // Both submit step 2: step 3 opens, and the wishes can be answered.
    let all = steps(db, c.case_id).await;
    let talked = answers(&[("learned", "We both want more time.")]);
    for client in [c.a, c.b] {
        homework::save_answers(db, client, all[1].id, 0, &talked, SaveIntent::Submit, t0()).await.unwrap();
    }
    assert_eq!(open().await, [1, 2, 3]);
    let sam_answered = |progress: exchange::Progress| {
        let sam = progress.partners.iter().find(|p| p.first_name == "Sam").unwrap().clone();
        (sam.answered, sam.to_answer)
    };
    assert_eq!(sam_answered(exchange::progress(db, c.case_id).await.unwrap()), (0, 2));
    // The optional step 3 sheet, submitted by both, opens nothing.
    for client in [c.a, c.b] {
        homework::save_answers(db, client, all[2].id, 0, &answers(&[]), SaveIntent::Submit, t0())
            .await
            .unwrap();
    }
    assert_eq!(open().await, [1, 2, 3], "a reflection sheet does not stand in for the wishes");

    // Sam answers both of Alex's wishes; Alex has not answered Sam's yet.
    exchange::act_on_wish(db, c.b, ask.id, ask.version, Yes, details("", 4), t0()).await.unwrap();
    assert_eq!(sam_answered(exchange::progress(db, c.case_id).await.unwrap()), (1, 2));
    let phones = wish_by(&exchange::board(db, c.b, t0()).await.unwrap(), "Put phones away at dinner").clone();
    exchange::act_on_wish(db, c.b, phones.id, phones.version, NotNow, details("", 0), t0()).await.unwrap();
    let page = case_together(db, c.therapist, c.case_id, t0()).await.unwrap();
    assert_eq!(sam_answered(page.board.progress), (2, 2), "the case page shows it");
    assert_eq!(open().await, [1, 2, 3], "Alex has not answered yet");
    let hug = wish_by(&exchange::board(db, c.a, t0()).await.unwrap(), "Hug me when you come home").clone();
    exchange::act_on_wish(db, c.a, hug.id, hug.version, SmallerStep, details("A hug at the door", 4), t0())
        .await
        .unwrap();
    assert_eq!(open().await, [1, 2, 3, 4], "every wish answered by both");

    // Step 5 waits until each practises one agreement from the other's list.
    refused_until(
        exchange::save_pact(db, c.a, "Old hurt", false, false, false, t0()).await.unwrap_err(),
        "step 5",
    );
    let sams = exchange::board(db, c.b, t0()).await.unwrap().agreements[0].id;
    exchange::choose_agreement(db, c.b, sams, true, 2, t0()).await.unwrap();
    assert_eq!(open().await, [1, 2, 3, 4], "Alex practises nothing yet");
    let hug = wish_by(&exchange::board(db, c.b, t0()).await.unwrap(), "Hug me when you come home").clone();
    exchange::act_on_wish(db, c.b, hug.id, hug.version, AcceptOffer, details("", 0), t0()).await.unwrap();
    let board = exchange::board(db, c.a, t0()).await.unwrap();
    let alexs = board.agreements.iter().find(|a| a.text == "A hug at the door").unwrap().id;
    exchange::choose_agreement(db, c.a, alexs, true, 3, t0()).await.unwrap();
    assert_eq!(open().await, [1, 2, 3, 4, 5]);
    exchange::save_pact(db, c.a, "Old hurt", false, false, false, t0()).await.unwrap();
}

fn check_in(week: chrono::NaiveDate) -> exchange::CheckInForm {
    exchange::CheckInForm {
        week_start: week,
        my_part: "done".into(),
        noticed: "partly".into(),
        emotional: 5,
        physical: 5,
        note: String::new(),
    }
}

/// Consent can change: the giver makes an agreement smaller again or takes the yes back;
/// the agreement leaves "what you give", its check-in reminders stop, and the wisher is
/// told by a neutral email.
async fn a_yes_can_be_made_smaller_or_taken_back(db: &DatabaseConnection) {
    use app::{domain::exchange::WishAction::*, services::reminders};
    use chrono::TimeZone;
    let c = couple_past_step_1(db, "consent").await;
    share_step_1(db, &c).await;
    open_exchange(db, &c).await;
    let ask = wish_by(&exchange::board(db, c.b, t0()).await.unwrap(), "Ask about my day").clone();
    exchange::act_on_wish(db, c.b, ask.id, ask.version, Yes, details("", 4), t0()).await.unwrap();
    let agreement = exchange::board(db, c.b, t0()).await.unwrap().agreements[0].id;
    exchange::choose_agreement(db, c.b, agreement, true, 2, t0()).await.unwrap();
    // Sunday: Sam, who practises, is reminded to check in.
    let sam_reminders = || async {
        emails_of(db, c.case_id, "reminder").await.into_iter().filter(|e| e.to_name == "Sam").count()
    };
    let sunday = chrono::Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    reminders::run_due(db, sunday).await.unwrap();
    assert_eq!(sam_reminders().await, 1);

    // Only Sam, who gave the yes, can take it back; no reason is asked.
    let ask = wish_by(&exchange::board(db, c.a, t0()).await.unwrap(), "Ask about my day").clone();
    let monday = sunday + chrono::Duration::days(1);
    let wrong = exchange::act_on_wish(db, c.a, ask.id, ask.version, TakeBack, details("", 0), monday).await;
    assert!(matches!(wrong.unwrap_err(), AppError::Conflict { .. }));
    exchange::act_on_wish(db, c.b, ask.id, ask.version, TakeBack, details("", 0), monday).await.unwrap();
    let alex = exchange::board(db, c.a, monday).await.unwrap();
    assert_eq!(wish_by(&alex, "Ask about my day").state, WishState::TakenBack);
    assert!(alex.agreements.is_empty(), "it leaves what Sam gives, for both");
    assert!(exchange::board(db, c.b, monday).await.unwrap().agreements.is_empty());
    let told: Vec<_> = emails_of(db, c.case_id, "notification")
        .await
        .into_iter()
        .filter(|e| e.to_name == "Alex" && e.text_body.contains("There is an update for you in Babysteps."))
        .collect();
    assert_eq!(told.len(), 1, "Alex is told, once");
    assert!(!told[0].text_body.contains("Ask about my day") && !told[0].text_body.contains("Sam"));
    let withdrawn = exchange::choose_agreement(db, c.b, agreement, true, 2, monday).await.unwrap_err();
    assert!(matches!(withdrawn, AppError::Conflict { .. }), "a withdrawn agreement is not practised");
    // The next Sunday Sam, who practises nothing now, is not reminded.
    reminders::run_due(db, sunday + chrono::Duration::days(7)).await.unwrap();
    assert_eq!(sam_reminders().await, 1, "withdrawing a yes stops its reminders");

    // Sam says yes again, then makes it smaller: the agreement is set aside until Alex
    // accepts the smaller step, and comes back with its new words.
    let ask = wish_by(&exchange::board(db, c.b, monday).await.unwrap(), "Ask about my day").clone();
    exchange::act_on_wish(db, c.b, ask.id, ask.version, Yes, details("", 3), monday).await.unwrap();
    assert_eq!(
        exchange::board(db, c.b, monday).await.unwrap().agreements[0].id,
        agreement,
        "the same agreement"
    );
    let smaller = details("Ask about my day on Sundays", 5);
    exchange::act_on_wish(db, c.b, ask.id, ask.version + 1, SmallerStep, smaller, monday).await.unwrap();
    let board = exchange::board(db, c.a, monday).await.unwrap();
    assert_eq!(wish_by(&board, "Ask about my day").state, WishState::OfferPending);
    assert!(board.agreements.is_empty(), "set aside while the smaller step waits");
    exchange::act_on_wish(db, c.a, ask.id, ask.version + 2, AcceptOffer, details("", 0), monday)
        .await
        .unwrap();
    let board = exchange::board(db, c.b, monday).await.unwrap();
    assert_eq!(board.agreements.len(), 1);
    assert_eq!(
        (board.agreements[0].id, board.agreements[0].text.as_str()),
        (agreement, "Ask about my day on Sundays")
    );
    assert!(!board.agreements[0].chosen, "practising it again is Sam's choice");
}

/// A partner who is not sure yet answers one of the two "what does it mean to you"
/// questions, never necessarily the one about sexual intimacy; step 1's items arrive as
/// wishes with the kind chosen as they were written.
async fn roles_without_pressure_and_tagged_wishes(db: &DatabaseConnection) {
    use app::{
        domain::case::Seeks,
        services::homework::{self, SaveIntent},
    };
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
    let c = couple(db, "unsure").await;
    let sam = app::services::access::partners_of(db, c.case_id).await.unwrap()[1].clone();
    let mut unsure = sam.into_active_model();
    unsure.seeks = Set(Seeks::Unsure);
    unsure.update(db).await.unwrap();
    homework::assign_programme(db, c.therapist, c.case_id, homework::ProgrammeChoice::whole(None, ""), t0())
        .await
        .unwrap();
    let step1 = steps(db, c.case_id).await[0].id;
    let sheet = homework::open_sheet(db, c.b, step1, t0()).await.unwrap();
    let keys: Vec<&str> = sheet.exercise.questions.iter().map(|q| q.key.as_str()).collect();
    assert!(keys.contains(&"emotional_meaning") && keys.contains(&"physical_meaning"), "both sets");
    let physical = sheet.exercise.questions.iter().find(|q| q.key == "physical_meaning").unwrap();
    assert!(!physical.required, "the sexual-intimacy question is never required of Sam alone");
    let list = "physical\tHold me when we get home\neveryday\tCook together on Sundays\nWalk after dinner";
    let neither = answers(&[("behaviours", list)]);
    let refused = homework::save_answers(db, c.b, step1, 0, &neither, SaveIntent::Submit, t0()).await;
    assert!(refused.unwrap_err().message_for("answers[emotional_meaning]").is_some());
    let one = answers(&[("emotional_meaning", "Being listened to."), ("behaviours", list)]);
    homework::save_answers(db, c.b, step1, 0, &one, SaveIntent::Submit, t0()).await.unwrap();
    let kinds: Vec<(String, String)> = exchange::board(db, c.b, t0())
        .await
        .unwrap()
        .wishes
        .into_iter()
        .map(|t| (t.wish.text, t.wish.kind))
        .collect();
    let pair = |text: &str, kind: &str| (text.to_owned(), kind.to_owned());
    assert_eq!(
        kinds,
        [
            pair("Hold me when we get home", "physical"),
            pair("Cook together on Sundays", "everyday"),
            pair("Walk after dinner", "everyday"),
        ]
    );
    // Alex, who knows they seek emotional connection, still answers their own question.
    let alex_list = answers(&[("behaviours", "emotional\tAsk about my day")]);
    let refused = homework::save_answers(db, c.a, step1, 0, &alex_list, SaveIntent::Submit, t0()).await;
    assert!(refused.unwrap_err().message_for("answers[emotional_meaning]").is_some());
}

/// When every wish of a partner is declined, that partner reads a supportive sentence and
/// the therapist sees a flag on the case page and the caseload, which only they can clear.
async fn when_every_wish_is_declined_the_therapist_is_flagged(db: &DatabaseConnection) {
    use app::domain::exchange::WishAction::*;
    let c = couple_past_step_1(db, "declined").await;
    share_step_1(db, &c).await;
    open_exchange(db, &c).await;
    for text in ["Ask about my day", "Put phones away at dinner"] {
        let wish = wish_by(&exchange::board(db, c.b, t0()).await.unwrap(), text).clone();
        exchange::act_on_wish(db, c.b, wish.id, wish.version, NotNow, details("", 0), t0()).await.unwrap();
    }
    let alex_of = |progress: exchange::Progress| {
        progress.partners.into_iter().find(|p| p.first_name == "Alex").unwrap()
    };
    let alex = alex_of(exchange::board(db, c.a, t0()).await.unwrap().progress);
    assert!(alex.all_declined && alex.flagged);
    let sam = alex_of(exchange::board(db, c.b, t0()).await.unwrap().progress);
    assert!(sam.flagged, "the same flag, whoever looks");
    let query = caseload::CaseloadQuery {
        search: String::new(),
        status: None,
        sort: caseload::CaseloadSort::RecentlyUpdated,
        page: 1,
        per_page: 20,
    };
    let flags = || async {
        caseload::caseload(db, c.therapist, &query, t0())
            .await
            .unwrap()
            .rows
            .into_iter()
            .find(|r| r.case.id == c.case_id)
            .unwrap()
            .declined_flags
    };
    assert_eq!(flags().await, ["Alex"]);
    // Only the case's therapist clears it; Alex still reads the supportive sentence.
    assert_eq!(
        exchange::clear_declined_flag(db, c.a, c.case_id, alex.partner_id, t0()).await.unwrap_err(),
        AppError::Forbidden
    );
    let other = couple(db, "declined-other").await;
    assert_eq!(
        exchange::clear_declined_flag(db, other.therapist, c.case_id, alex.partner_id, t0())
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    exchange::clear_declined_flag(db, c.therapist, c.case_id, alex.partner_id, t0()).await.unwrap();
    assert!(flags().await.is_empty());
    let page = case_together(db, c.therapist, c.case_id, t0()).await.unwrap();
    let alex = alex_of(page.board.progress);
    assert!(alex.all_declined && !alex.flagged);
    // A yes ends it.
    let later = t0() + chrono::Duration::hours(1);
    let ask = wish_by(&exchange::board(db, c.b, later).await.unwrap(), "Ask about my day").clone();
    exchange::act_on_wish(db, c.b, ask.id, ask.version, Yes, details("", 2), later).await.unwrap();
    assert!(!alex_of(exchange::board(db, c.a, later).await.unwrap().progress).all_declined);
}

on_both_databases!(
    when_every_wish_is_declined_the_therapist_is_flagged,
    the_steps_open_in_order,
    a_yes_can_be_made_smaller_or_taken_back,
    roles_without_pressure_and_tagged_wishes,
    saves_at_the_same_moment_are_answered_never_failed,
    every_step_1_item_becomes_a_wish_exactly_once,
    the_exchange_follows_its_rules,
    both_partners_acting_at_once_never_lose_an_update,
    check_ins_share_ratings_only_by_mutual_consent,
    the_pact_and_private_notes,
);
