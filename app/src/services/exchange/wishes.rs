//! Steps 3 and 4: wishes (from step 1 lists or added), their threads of smaller steps,
//! and the agreements both partners choose to practise, easiest first.

use super::super::{
    access::{couple_of, partners_of, refuse_if_partner_removed, refuse_unless_active, OwnedCase},
    audit::{self, AuditAction, AuditEvent},
    email, reminders, Actor,
};
use super::{
    step_1_revealed,
    steps::{open_next_steps, require_step},
};
use crate::{
    domain::{
        answers::{Answer, Answers},
        baby_steps::{self, ProgrammeContent},
        exchange::{self, OfferStatus, Side, WishAction, WishState},
    },
    entities::{agreements, cases, offers, partners, wishes},
    error::{AppError, FieldContext},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};

/// Turns the behaviours on a partner's step 1 list into wishes to the other partner: every
/// item of a submitted (or, after a reopen, resubmitted) list becomes a wish exactly once,
/// whatever other wishes the partner has added meanwhile.
pub async fn wishes_from_step_1(
    db: &impl ConnectionTrait,
    partner: &partners::Model,
    answers: &Answers,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    // Each item with the kind its writer chose for it (an untagged item is "everyday").
    let items: Vec<(&str, &str)> = match answers.get("behaviours") {
        Some(Answer::List(items)) => items.iter().map(|text| (text.as_str(), "everyday")).collect(),
        Some(Answer::TaggedList(items)) => items
            .iter()
            .map(|item| (item.text.as_str(), item.kind.as_deref().unwrap_or("everyday")))
            .collect(),
        _ => return Ok(()),
    };
    let already: Vec<String> = wishes::Entity::find()
        .filter(wishes::Column::WisherId.eq(partner.id))
        .filter(wishes::Column::Step1Item.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|wish| wish.step_1_item)
        .collect();
    let other = partners_of(db, partner.case_id)
        .await?
        .into_iter()
        .find(|p| p.id != partner.id)
        .ok_or(AppError::Internal)?;
    let mut added: Vec<String> = Vec::new();
    for (item, kind) in items {
        let Ok(text) = exchange::parse_wish_text(item) else { continue };
        // Kinds were checked against the couple's programme when step 1 was saved.
        let kind = ProgrammeContent::Full.parse_wish_kind(kind).unwrap_or("everyday");
        let key = exchange::step_1_item_key(&text);
        if already.contains(&key) || added.contains(&key) {
            continue;
        }
        let wish = NewWish {
            case_id: partner.case_id,
            wisher_id: partner.id,
            addressee_id: other.id,
            text,
            kind,
            importance: 2,
            step_1_item: Some(key.clone()),
        };
        insert_wish(db, wish, now).await?;
        added.push(key);
    }
    Ok(())
}

/// A wish about to be stored: from one partner of a case to the other.
struct NewWish<'a> {
    case_id: i32,
    wisher_id: i32,
    addressee_id: i32,
    text: String,
    kind: &'a str,
    importance: i16,
    /// The step 1 list item it came from (none for a wish added on the wishes page).
    step_1_item: Option<String>,
}

async fn insert_wish(
    db: &impl ConnectionTrait,
    wish: NewWish<'_>,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    Ok(wishes::Entity::insert(wishes::ActiveModel {
        case_id: Set(wish.case_id),
        wisher_id: Set(wish.wisher_id),
        addressee_id: Set(wish.addressee_id),
        text: Set(wish.text),
        kind: Set(wish.kind.to_owned()),
        importance: Set(wish.importance),
        step_1_item: Set(wish.step_1_item),
        state: Set(WishState::Open),
        ease: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?
    .last_insert_id)
}

/// A wish with every offer in its thread, oldest first.
#[derive(Debug, Clone)]
pub struct WishThread {
    /// The wish.
    pub wish: wishes::Model,
    /// The smaller steps offered.
    pub offers: Vec<offers::Model>,
}

/// Everything about the exchange one person may see.
#[derive(Debug, Clone)]
pub struct Board {
    /// Partner A and partner B.
    pub partners: Vec<partners::Model>,
    /// True once both partners have shared step 1.
    pub revealed: bool,
    /// Which steps are open, and how far each partner is with steps 3 and 4.
    pub progress: super::Progress,
    /// The wishes this person may see, with their threads.
    pub wishes: Vec<WishThread>,
    /// Agreements in force (none withdrawn), easiest first.
    pub agreements: Vec<agreements::Model>,
    /// Whether the couple's programme speaks of sexual intimacy (wish kinds, consent
    /// wording).
    pub content: ProgrammeContent,
}

async fn board_of(
    db: &impl ConnectionTrait,
    case: &cases::Model,
    partners: Vec<partners::Model>,
    viewer: Option<&partners::Model>,
) -> Result<Board, AppError> {
    let case_id = case.id;
    let revealed = step_1_revealed(db, case_id).await?;
    let all_wishes = wishes::Entity::find()
        .filter(wishes::Column::CaseId.eq(case_id))
        .order_by_asc(wishes::Column::Id)
        .all(db)
        .await?;
    let mut found = all_wishes.clone();
    // A partner sees their own wishes, and the other's once both have shared step 1; nothing
    // a removed partner wrote (their wishes, their offers) reaches the one who stays.
    let removed: Vec<i32> = partners.iter().filter(|p| p.removed_at.is_some()).map(|p| p.id).collect();
    if let Some(viewer) = viewer {
        found.retain(|wish| wish.wisher_id == viewer.id || (revealed && !removed.contains(&wish.wisher_id)));
    }
    let ids: Vec<i32> = found.iter().map(|w| w.id).collect();
    let all_offers = if ids.is_empty() {
        Vec::new()
    } else {
        offers::Entity::find()
            .filter(offers::Column::WishId.is_in(ids))
            .order_by_asc(offers::Column::Id)
            .all(db)
            .await?
    };
    let wishes = found
        .into_iter()
        .map(|wish| WishThread {
            offers: all_offers
                .iter()
                .filter(|o| o.wish_id == wish.id)
                .filter(|_| viewer.is_none() || !removed.contains(&wish.addressee_id))
                .cloned()
                .collect(),
            wish,
        })
        .collect();
    // A withdrawn agreement (a yes taken back, or one being made smaller) is given by
    // nobody: it leaves both lists until it is agreed again.
    let mut agreements = agreements::Entity::find()
        .filter(agreements::Column::CaseId.eq(case_id))
        .filter(agreements::Column::WithdrawnAt.is_null())
        .all(db)
        .await?;
    let progress =
        super::steps::progress_of(super::open_steps(db, case_id).await?, &partners, &all_wishes, &agreements);
    if viewer.is_some() {
        agreements.retain(|a| !removed.contains(&a.giver_id) && !removed.contains(&a.receiver_id));
    }
    agreements.sort_by_key(|a| (std::cmp::Reverse(a.ease.unwrap_or(0)), a.id));
    Ok(Board { partners, revealed, progress, wishes, agreements, content: content_of(case) })
}

/// The signed-in client's view of the exchange (audited as a read of their wishes).
pub async fn board(db: &impl ConnectionTrait, actor: Actor, now: DateTime<Utc>) -> Result<Board, AppError> {
    let couple = couple_of(db, actor).await?;
    let partners = partners_of(db, couple.case.id).await?;
    let board = board_of(db, &couple.case, partners, Some(&couple.me)).await?;
    let event = AuditEvent::by(actor, AuditAction::WishesViewed, "case", couple.case.id);
    audit::record(db, event.concerning(couple.case.id, Some(couple.me.id)), now).await?;
    Ok(board)
}

/// The therapist's view of a case's exchange (everything).
pub async fn case_board(db: &impl ConnectionTrait, case: &OwnedCase) -> Result<Board, AppError> {
    board_of(db, case, case.partners(db).await?.to_vec(), None).await
}

/// Whether a couple's programme speaks of sexual intimacy (their wish kinds follow it).
fn content_of(case: &cases::Model) -> ProgrammeContent {
    ProgrammeContent::from_flag(case.without_sexual_content)
}

/// Adds a wish to the other partner.
pub async fn add_wish(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    text: &str,
    kind: &str,
    importance: i16,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let text = exchange::parse_wish_text(text).field("text")?;
    let importance = exchange::parse_importance(importance).field("importance")?;
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    let kind = content_of(&couple.case).parse_wish_kind(kind).field("kind")?;
    refuse_unless_active(&couple.case)?;
    refuse_if_partner_removed(&couple.other)?;
    require_step(&txn, couple.case.id, baby_steps::WISHES_STEP).await?;
    let wish = NewWish {
        case_id: couple.case.id,
        wisher_id: couple.me.id,
        addressee_id: couple.other.id,
        text,
        kind,
        importance,
        step_1_item: None,
    };
    let id = insert_wish(&txn, wish, now).await?;
    let event = AuditEvent::by(actor, AuditAction::WishChanged, "wish", id);
    audit::record(&txn, event.concerning(couple.case.id, Some(couple.me.id)), now).await?;
    txn.commit().await?;
    Ok(id)
}

/// The wisher changes a wish's kind or how much it matters (seen at `version`).
pub async fn retag_wish(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    wish_id: i32,
    version: i32,
    kind: &str,
    importance: i16,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let importance = exchange::parse_importance(importance).field("importance")?;
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    let kind = content_of(&couple.case).parse_wish_kind(kind).field("kind")?;
    refuse_unless_active(&couple.case)?;
    let wish = wishes::Entity::find_by_id(wish_id)
        .filter(wishes::Column::CaseId.eq(couple.case.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if wish.wisher_id != couple.me.id {
        return Err(AppError::conflict("Only the partner who made this wish can change it."));
    }
    require_step(&txn, couple.case.id, baby_steps::WISHES_STEP).await?;
    if wish.state == WishState::Withdrawn {
        return Err(AppError::conflict("This wish was withdrawn, so it can't be changed."));
    }
    let changed = wishes::Entity::update_many()
        .col_expr(wishes::Column::Kind, Expr::value(kind))
        .col_expr(wishes::Column::Importance, Expr::value(importance))
        .col_expr(wishes::Column::Version, Expr::value(version + 1))
        .col_expr(wishes::Column::UpdatedAt, Expr::value(now))
        .filter(wishes::Column::Id.eq(wish.id))
        .filter(wishes::Column::Version.eq(version))
        .exec(&txn)
        .await?
        .rows_affected;
    if changed == 0 {
        return Err(AppError::conflict("This wish changed a moment ago. Reload to see the latest."));
    }
    let event = AuditEvent::by(actor, AuditAction::WishChanged, "wish", wish.id);
    audit::record(&txn, event.concerning(couple.case.id, Some(couple.me.id)), now).await?;
    txn.commit().await?;
    Ok(())
}

/// What comes with an action on a wish: the smaller step's words and how easy it feels.
#[derive(Debug, Clone, Default)]
pub struct ActionDetails {
    /// The smaller step offered (for `SmallerStep`).
    pub offer: String,
    /// How easy giving feels, 1 to 5 (for `Yes` and `SmallerStep`).
    pub ease: Option<i16>,
}

/// One partner acts on a wish seen at `version`. If the other partner acted first, nothing
/// changes and the caller is told to look again.
pub async fn act_on_wish(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    wish_id: i32,
    version: i32,
    action: WishAction,
    details: ActionDetails,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let ease = match action {
        WishAction::Yes | WishAction::SmallerStep => {
            Some(exchange::parse_ease(details.ease.unwrap_or(0)).field("ease")?)
        }
        _ => None,
    };
    let offer = match action {
        WishAction::SmallerStep => Some(exchange::parse_wish_text(&details.offer).field("offer")?),
        WishAction::Reword => return Err(AppError::invalid("text", "Write the new words for your wish.")),
        _ => None,
    };
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    refuse_unless_active(&couple.case)?;
    refuse_if_partner_removed(&couple.other)?;
    let wish = wishes::Entity::find_by_id(wish_id)
        .filter(wishes::Column::CaseId.eq(couple.case.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let side = if wish.wisher_id == couple.me.id { Side::Wisher } else { Side::Addressee };
    if side == Side::Addressee && !step_1_revealed(&txn, couple.case.id).await? {
        return Err(AppError::NotFound);
    }
    require_step(&txn, couple.case.id, baby_steps::WISHES_STEP).await?;
    let state = wish.state;
    let next = exchange::transition(state, side, action).map_err(AppError::conflict)?;
    let mut update = wishes::Entity::update_many()
        .col_expr(wishes::Column::State, Expr::value(next))
        .col_expr(wishes::Column::Version, Expr::value(version + 1))
        .col_expr(wishes::Column::UpdatedAt, Expr::value(now));
    if ease.is_some() {
        update = update.col_expr(wishes::Column::Ease, Expr::value(ease));
    }
    let changed = update
        .filter(wishes::Column::Id.eq(wish.id))
        .filter(wishes::Column::Version.eq(version))
        .exec(&txn)
        .await?
        .rows_affected;
    if changed == 0 {
        return Err(AppError::conflict(
            "This wish changed a moment ago (perhaps your partner answered it). Reload to see the latest.",
        ));
    }
    let pending_offer = offers::Entity::find()
        .filter(offers::Column::WishId.eq(wish.id))
        .filter(offers::Column::Status.eq(OfferStatus::Proposed))
        .one(&txn)
        .await?;
    match action {
        WishAction::Yes => {
            agree(&txn, &wish, &wish.text, ease, now).await?;
        }
        WishAction::SmallerStep => {
            // Making an agreement smaller again sets it aside until the new step is accepted:
            // the giver never has to keep giving more than they now offer.
            if state == WishState::Agreed {
                set_aside(&txn, wish.id, now).await?;
            }
            offers::Entity::insert(offers::ActiveModel {
                wish_id: Set(wish.id),
                text: Set(offer.unwrap_or_default()),
                status: Set(OfferStatus::Proposed),
                created_at: Set(now),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
        }
        WishAction::AcceptOffer | WishAction::AskDifferent => {
            let offer = pending_offer.ok_or(AppError::Internal)?;
            let accepted = action == WishAction::AcceptOffer;
            if accepted {
                agree(&txn, &wish, &offer.text, wish.ease, now).await?;
            }
            let mut offer = offer.into_active_model();
            offer.status = Set(if accepted { OfferStatus::Accepted } else { OfferStatus::Declined });
            offer.update(&txn).await?;
        }
        WishAction::Withdraw => {
            if let Some(offer) = pending_offer {
                let mut offer = offer.into_active_model();
                offer.status = Set(OfferStatus::Declined);
                offer.update(&txn).await?;
            }
        }
        WishAction::TakeBack => {
            // No reason asked; the wisher is told kindly on their page and by a neutral email.
            set_aside(&txn, wish.id, now).await?;
            let content = email::client_notice(&couple.other.first_name, email::ClientNotice::ExchangeUpdate);
            let key = format!("taken_back:{}:{}", wish.id, version + 1);
            reminders::notify_client(&txn, &couple.other, &key, content, now).await?;
        }
        WishAction::AskClarify => {
            // A neutral email: the wisher is asked to look at their wish again.
            let content = email::client_notice(&couple.other.first_name, email::ClientNotice::ExchangeUpdate);
            let key = format!("clarify:{}:{}", wish.id, version + 1);
            reminders::notify_client(&txn, &couple.other, &key, content, now).await?;
        }
        WishAction::NotNow | WishAction::Reword => {}
    }
    let event = AuditEvent::by(actor, AuditAction::WishChanged, "wish", wish.id);
    audit::record(&txn, event.concerning(couple.case.id, Some(couple.me.id)), now).await?;
    open_next_steps(&txn, couple.case.id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The wisher rewords their wish (seen at `version`) while it is unanswered, for instance
/// after the addressee asked what it means: the earlier wording stays in the thread, and
/// the wish waits for an answer again.
pub async fn reword_wish(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    wish_id: i32,
    version: i32,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let text = exchange::parse_wish_text(text).field("text")?;
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    refuse_unless_active(&couple.case)?;
    let wish = wishes::Entity::find_by_id(wish_id)
        .filter(wishes::Column::CaseId.eq(couple.case.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let side = if wish.wisher_id == couple.me.id { Side::Wisher } else { Side::Addressee };
    if side == Side::Addressee && !step_1_revealed(&txn, couple.case.id).await? {
        return Err(AppError::NotFound);
    }
    require_step(&txn, couple.case.id, baby_steps::WISHES_STEP).await?;
    let next = exchange::transition(wish.state, side, WishAction::Reword).map_err(AppError::conflict)?;
    if text == wish.text {
        return Err(AppError::invalid("text", "Change the words to reword your wish."));
    }
    let earlier = exchange::with_earlier_wording(&wish.earlier_wordings, &wish.text);
    let changed = wishes::Entity::update_many()
        .col_expr(wishes::Column::Text, Expr::value(text))
        .col_expr(wishes::Column::EarlierWordings, Expr::value(earlier))
        .col_expr(wishes::Column::State, Expr::value(next))
        .col_expr(wishes::Column::Version, Expr::value(version + 1))
        .col_expr(wishes::Column::UpdatedAt, Expr::value(now))
        .filter(wishes::Column::Id.eq(wish.id))
        .filter(wishes::Column::Version.eq(version))
        .exec(&txn)
        .await?
        .rows_affected;
    if changed == 0 {
        return Err(AppError::conflict(
            "This wish changed a moment ago (perhaps your partner answered it). Reload to see the latest.",
        ));
    }
    let event = AuditEvent::by(actor, AuditAction::WishChanged, "wish", wish.id);
    audit::record(&txn, event.concerning(couple.case.id, Some(couple.me.id)), now).await?;
    txn.commit().await?;
    Ok(())
}

/// Sets a wish's agreement aside: it leaves "what you give", is no longer practised, and
/// its check-in reminders stop.
async fn set_aside(db: &impl ConnectionTrait, wish_id: i32, now: DateTime<Utc>) -> Result<(), AppError> {
    agreements::Entity::update_many()
        .col_expr(agreements::Column::WithdrawnAt, Expr::value(Some(now)))
        .col_expr(agreements::Column::Chosen, Expr::value(false))
        .filter(agreements::Column::WishId.eq(wish_id))
        .filter(agreements::Column::WithdrawnAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Records what was agreed on a wish: a new agreement, or the wish's earlier one (set aside
/// when a yes was taken back or made smaller) in force again with its new words.
async fn agree(
    db: &impl ConnectionTrait,
    wish: &wishes::Model,
    text: &str,
    ease: Option<i16>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let earlier = agreements::Entity::find().filter(agreements::Column::WishId.eq(wish.id)).one(db).await?;
    if let Some(earlier) = earlier {
        let mut active = earlier.into_active_model();
        active.text = Set(text.to_owned());
        active.ease = Set(ease);
        active.chosen = Set(false);
        active.withdrawn_at = Set(None);
        active.update(db).await?;
        return Ok(());
    }
    agreements::Entity::insert(agreements::ActiveModel {
        case_id: Set(wish.case_id),
        wish_id: Set(wish.id),
        giver_id: Set(wish.addressee_id),
        receiver_id: Set(wish.wisher_id),
        text: Set(text.to_owned()),
        ease: Set(ease),
        times_per_week: Set(1),
        chosen: Set(false),
        created_at: Set(now),
        withdrawn_at: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// The giver chooses (or stops choosing) an agreement to practise, and how often.
pub async fn choose_agreement(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    agreement_id: i32,
    chosen: bool,
    times_per_week: i16,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !(1..=7).contains(&times_per_week) {
        return Err(AppError::invalid("times_per_week", "Choose 1 to 7 times a week."));
    }
    let txn = db.begin().await?;
    let couple = couple_of(&txn, actor).await?;
    refuse_unless_active(&couple.case)?;
    let agreement = agreements::Entity::find_by_id(agreement_id)
        .filter(agreements::Column::CaseId.eq(couple.case.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if agreement.giver_id != couple.me.id {
        return Err(AppError::conflict("Only the partner who gives this can choose to practise it."));
    }
    if agreement.withdrawn_at.is_some() {
        return Err(AppError::conflict("This agreement was set aside, so it can't be practised now."));
    }
    require_step(&txn, couple.case.id, baby_steps::AGREEMENTS_STEP).await?;
    let mut active = agreement.into_active_model();
    active.chosen = Set(chosen);
    active.times_per_week = Set(times_per_week);
    active.update(&txn).await?;
    let event = AuditEvent::by(actor, AuditAction::AgreementChosen, "agreement", agreement_id);
    audit::record(&txn, event.concerning(couple.case.id, Some(couple.me.id)), now).await?;
    open_next_steps(&txn, couple.case.id, now).await?;
    txn.commit().await?;
    Ok(())
}
