//! Server functions for steps 3 to 5 and private notes: the client's wishes, answers and
//! agreements, weekly check-ins, the letting-go pact, notes to the therapist; and the
//! therapist's view of all of it on the case page.

use crate::{
    domain::{
        baby_steps::ProgrammeContent,
        case::ConfidentialityPolicy,
        exchange::{OfferStatus, WishState},
        local_time::LocalTime,
        safety::SafetyInfo,
    },
    error::AppError,
};
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::{
        domain::{baby_steps::WISH_KINDS, dates::FormDate, exchange::WishAction},
        entities::partners,
        services::{clock, exchange},
    },
};

/// One offer in a wish's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferView {
    /// The smaller step.
    pub text: String,
    /// Where the offer stands.
    pub status: OfferStatus,
}

/// A wish as its viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishView {
    /// The wish.
    pub id: i32,
    /// Its version (sent back with every action).
    pub version: i32,
    /// Who made it (first name).
    pub wisher: String,
    /// What they would like.
    pub text: String,
    /// Its kind's label.
    pub kind: String,
    /// Its kind's stored name.
    pub kind_key: String,
    /// How much it matters, 1 to 3.
    pub importance: i16,
    /// Where it stands.
    pub state: WishState,
    /// How easy the addressee said giving feels, 1 to 5.
    pub ease: Option<i16>,
    /// Every smaller step offered, oldest first.
    pub offers: Vec<OfferView>,
    /// The wish's earlier wordings, oldest first (it was reworded).
    pub earlier_wordings: Vec<String>,
}

/// One partner's progress through steps 3 and 4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerProgressView {
    /// The partner.
    pub partner_id: i32,
    /// First name.
    pub partner: String,
    /// Wishes addressed to them that they have answered.
    pub answered: usize,
    /// Wishes addressed to them.
    pub to_answer: usize,
    /// Agreements they give and practise.
    pub practising: usize,
    /// Every wish they made was declined for now.
    pub all_declined: bool,
    /// The therapist has not cleared that yet (the case page and caseload show a flag).
    pub flagged: bool,
}

/// Where a couple stands in Baby Steps: the open steps, and each partner's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressView {
    /// The numbers of the open steps (empty when Baby Steps is not assigned).
    pub open_steps: Vec<i16>,
    /// Partner A, then partner B.
    pub partners: Vec<PartnerProgressView>,
}

impl ProgressView {
    /// True when step `number` is open.
    pub fn is_open(&self, number: i16) -> bool {
        self.open_steps.contains(&number)
    }

    /// The progress in sentences: "Sam has answered 4 of 6 wishes." and, once step 4 is
    /// open, how many agreements each partner practises. Nothing before step 3 opens.
    pub fn sentences(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.is_open(crate::domain::baby_steps::WISHES_STEP) {
            for p in &self.partners {
                let noun = if p.to_answer == 1 { "wish" } else { "wishes" };
                lines.push(format!("{} has answered {} of {} {noun}.", p.partner, p.answered, p.to_answer));
            }
        }
        if self.is_open(crate::domain::baby_steps::AGREEMENTS_STEP) {
            for p in &self.partners {
                lines.push(match p.practising {
                    0 => format!("{} has not chosen an agreement to practise yet.", p.partner),
                    1 => format!("{} practises 1 agreement.", p.partner),
                    n => format!("{} practises {n} agreements.", p.partner),
                });
            }
        }
        lines
    }
}

#[cfg(feature = "ssr")]
impl From<exchange::Progress> for ProgressView {
    fn from(progress: exchange::Progress) -> Self {
        ProgressView {
            open_steps: progress.open_steps,
            partners: progress
                .partners
                .into_iter()
                .map(|p| PartnerProgressView {
                    partner_id: p.partner_id,
                    partner: p.first_name,
                    answered: p.answered,
                    to_answer: p.to_answer,
                    practising: p.practising,
                    all_declined: p.all_declined,
                    flagged: p.flagged,
                })
                .collect(),
        }
    }
}

/// An agreement to practise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementView {
    /// The agreement.
    pub id: i32,
    /// What will be done.
    pub text: String,
    /// Who gives it (first name).
    pub giver: String,
    /// Who receives it (first name).
    pub receiver: String,
    /// How easy it feels, 1 to 5.
    pub ease: Option<i16>,
    /// How often, per week.
    pub times_per_week: i16,
    /// The giver chose to practise it.
    pub chosen: bool,
}

/// The exchange as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeView {
    /// The client's partner's first name.
    pub partner: String,
    /// True once both have shared step 1 (the partner's wishes are visible).
    pub revealed: bool,
    /// The client's own wishes.
    pub my_wishes: Vec<WishView>,
    /// The partner's wishes to the client.
    pub their_wishes: Vec<WishView>,
    /// Agreements the client gives, easiest first.
    pub i_give: Vec<AgreementView>,
    /// Agreements the partner gives the client.
    pub i_receive: Vec<AgreementView>,
    /// Which steps are open, and how far each partner is.
    pub progress: ProgressView,
    /// Every wish the client made was declined for now (they read a supportive sentence).
    pub all_mine_declined: bool,
    /// Whether the couple's programme speaks of sexual intimacy (wish kinds, consent).
    pub content: ProgrammeContent,
}

/// One weekly check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInView {
    /// Whose (first name).
    pub partner: String,
    /// The Monday of its week.
    pub week_start: NaiveDate,
    /// Did they do their part: `done`, `partly`, `not_yet`.
    pub my_part: String,
    /// Did they notice their partner's.
    pub noticed: String,
    /// Emotional closeness, 0 to 10.
    pub emotional: i16,
    /// Physical closeness, 0 to 10.
    pub physical: i16,
    /// Their note (the therapist and the writer only).
    pub note: String,
}

/// The client's practice page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeView {
    /// The client's first name.
    pub me: String,
    /// The partner's first name.
    pub partner: String,
    /// Weeks a check-in may be written for, newest first.
    pub weeks: Vec<NaiveDate>,
    /// The client's own check-ins, oldest first.
    pub mine: Vec<CheckInView>,
    /// The partner's ratings (no answers or note), only when both agreed to share.
    pub partner_ratings: Vec<CheckInView>,
    /// The client agreed to share ratings.
    pub i_share: bool,
    /// What the client chose to practise.
    pub practising: Vec<AgreementView>,
    /// The case's confidentiality policy (what the therapist may do with the note).
    pub policy: ConfidentialityPolicy,
    /// True once step 4 is open (check-ins can be written).
    pub open: bool,
    /// Whether the couple's programme speaks of sexual intimacy (the consent wording).
    pub content: ProgrammeContent,
}

/// One partner's step 5 entry as the viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PactEntryView {
    /// The partner's id.
    pub partner_id: i32,
    /// First name.
    pub partner: String,
    /// What they are letting go of (blank for the other partner unless shared).
    pub letting_go: String,
    /// Shared with the partner.
    pub shared: bool,
    /// Would like one more guided conversation first (the request is open).
    pub wants_conversation: bool,
    /// When the therapist marked their last request for one more conversation as held.
    pub conversation_held_on: Option<NaiveDate>,
    /// When they confirmed the pact.
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// Step 5 as the viewer may see it: the viewer's own entry first for a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PactView {
    /// Both entries (own first for a client; A then B for the therapist).
    pub entries: Vec<PactEntryView>,
    /// When both confirmed.
    pub completed_at: Option<DateTime<Utc>>,
    /// The date the therapist set to revisit the pact.
    pub revisit_on: Option<NaiveDate>,
    /// True once step 5 is open.
    pub open: bool,
}

/// The therapist's reply to a private note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyView {
    /// The reply.
    pub body: String,
    /// When it was sent (in the therapist's time zone).
    pub created_at: LocalTime,
    /// When the partner who wrote the note opened it.
    pub read_at: Option<LocalTime>,
}

/// A private note to the therapist, with the therapist's replies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    /// The note.
    pub id: i32,
    /// Who wrote it (first name).
    pub partner: String,
    /// The message.
    pub body: String,
    /// When (in the therapist's time zone).
    pub created_at: LocalTime,
    /// When the therapist opened it (none: not yet).
    pub read_at: Option<LocalTime>,
    /// The writer marked it urgent.
    pub urgent: bool,
    /// The therapist's replies, oldest first.
    pub replies: Vec<ReplyView>,
}

impl NoteView {
    /// True until the therapist opens it.
    pub fn unread(&self) -> bool {
        self.read_at.is_none()
    }
}

/// The client's private note page: their own notes with replies, what their case's policy
/// means for them, and what their therapist said about getting help and hearing back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateNotesView {
    /// The client's notes, newest first.
    pub notes: Vec<NoteView>,
    /// The case's confidentiality policy.
    pub policy: ConfidentialityPolicy,
    /// The therapist's crisis line and usual reply time.
    pub safety: SafetyInfo,
}

#[cfg(feature = "ssr")]
fn note_view(thread: exchange::NoteThread, partners: &[partners::Model], time_zone: &str) -> NoteView {
    let note = thread.note;
    let local = |at| clock::local(time_zone, at);
    NoteView {
        id: note.id,
        partner: first_name(partners, note.partner_id),
        body: note.body,
        created_at: local(note.created_at),
        read_at: note.read_at.map(local),
        urgent: note.urgent,
        replies: thread
            .replies
            .into_iter()
            .map(|r| ReplyView {
                body: r.body,
                created_at: local(r.created_at),
                read_at: r.read_at.map(local),
            })
            .collect(),
    }
}

#[cfg(feature = "ssr")]
impl PrivateNotesView {
    /// The client's notes, their times in `time_zone` (their therapist's).
    fn new(mine: exchange::MyNotes, time_zone: &str) -> Self {
        PrivateNotesView {
            notes: mine.threads.into_iter().map(|t| note_view(t, &[], time_zone)).collect(),
            policy: mine.policy,
            safety: mine.safety,
        }
    }
}

/// Everything of steps 3 to 5 on the therapist's case page (its "Together" tab).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseExchangeView {
    /// Which steps are open, and how far each partner is.
    pub progress: ProgressView,
    /// Every wish with its thread.
    pub wishes: Vec<WishView>,
    /// Every agreement.
    pub agreements: Vec<AgreementView>,
    /// Every check-in, oldest week first.
    pub check_ins: Vec<CheckInView>,
    /// Step 5.
    pub pact: PactView,
}

#[cfg(feature = "ssr")]
impl CaseExchangeView {
    /// The therapist's view of steps 3 to 5.
    pub fn new(
        board: exchange::Board,
        practice: exchange::Practice,
        pact: exchange::Pact,
    ) -> Result<Self, AppError> {
        Ok(Self {
            progress: board.progress.into(),
            wishes: board
                .wishes
                .into_iter()
                .map(|t| wish_view(t, &board.partners))
                .collect::<Result<_, _>>()?,
            agreements: board.agreements.into_iter().map(|a| agreement_view(a, &board.partners)).collect(),
            check_ins: practice.check_ins.into_iter().map(|c| check_in_view(c, &practice.partners)).collect(),
            pact: pact_view(pact),
        })
    }
}

/// The therapist's view of a case's private notes, each named by its writer.
#[cfg(feature = "ssr")]
pub fn case_note_views(
    notes: Vec<exchange::NoteThread>,
    partners: &[partners::Model],
    time_zone: &str,
) -> Vec<NoteView> {
    notes.into_iter().map(|t| note_view(t, partners, time_zone)).collect()
}

#[cfg(feature = "ssr")]
fn first_name(partners: &[partners::Model], id: i32) -> String {
    partners.iter().find(|p| p.id == id).map(|p| p.first_name.clone()).unwrap_or_default()
}

#[cfg(feature = "ssr")]
fn wish_view(thread: exchange::WishThread, partners: &[partners::Model]) -> Result<WishView, AppError> {
    let wish = thread.wish;
    Ok(WishView {
        id: wish.id,
        version: wish.version,
        wisher: first_name(partners, wish.wisher_id),
        kind: WISH_KINDS.iter().find(|(k, _)| *k == wish.kind).map_or("", |(_, label)| *label).to_owned(),
        kind_key: wish.kind.clone(),
        text: wish.text,
        importance: wish.importance,
        state: wish.state,
        ease: wish.ease,
        offers: thread.offers.into_iter().map(|o| OfferView { text: o.text, status: o.status }).collect(),
        earlier_wordings: crate::domain::exchange::earlier_wordings(&wish.earlier_wordings),
    })
}

#[cfg(feature = "ssr")]
fn agreement_view(a: crate::entities::agreements::Model, partners: &[partners::Model]) -> AgreementView {
    AgreementView {
        id: a.id,
        giver: first_name(partners, a.giver_id),
        receiver: first_name(partners, a.receiver_id),
        text: a.text,
        ease: a.ease,
        times_per_week: a.times_per_week,
        chosen: a.chosen,
    }
}

#[cfg(feature = "ssr")]
fn check_in_view(c: crate::entities::check_ins::Model, partners: &[partners::Model]) -> CheckInView {
    CheckInView {
        partner: first_name(partners, c.partner_id),
        week_start: c.week_start,
        my_part: c.my_part,
        noticed: c.noticed,
        emotional: c.emotional,
        physical: c.physical,
        note: c.note,
    }
}

#[cfg(feature = "ssr")]
fn pact_view(pact: exchange::Pact) -> PactView {
    PactView {
        entries: pact
            .entries
            .into_iter()
            .map(|(partner, entry)| PactEntryView {
                partner_id: partner.id,
                partner: partner.first_name,
                letting_go: entry.as_ref().map(|e| e.letting_go.clone()).unwrap_or_default(),
                shared: entry.as_ref().is_some_and(|e| e.shared),
                wants_conversation: entry
                    .as_ref()
                    .is_some_and(|e| exchange::conversation_request(e).is_open()),
                conversation_held_on: entry.as_ref().and_then(|e| e.conversation_held_on),
                confirmed_at: entry.and_then(|e| e.confirmed_at),
            })
            .collect(),
        completed_at: pact.completed_at,
        revisit_on: pact.revisit_on,
        open: pact.open,
    }
}

#[cfg(feature = "ssr")]
impl ExchangeView {
    /// The client's view of the exchange, split into their wishes and their partner's.
    fn new(board: exchange::Board, actor: crate::services::Actor) -> Result<Self, AppError> {
        let me = board
            .partners
            .iter()
            .find(|p| p.client_user_id == Some(actor.user_id))
            .ok_or(AppError::NotFound)?
            .clone();
        let partner =
            board.partners.iter().find(|p| p.id != me.id).map(|p| p.first_name.clone()).unwrap_or_default();
        let (mut my_wishes, mut their_wishes) = (Vec::new(), Vec::new());
        for thread in board.wishes {
            let mine = thread.wish.wisher_id == me.id;
            let view = wish_view(thread, &board.partners)?;
            if mine {
                my_wishes.push(view)
            } else {
                their_wishes.push(view)
            }
        }
        let (i_give, i_receive): (Vec<_>, Vec<_>) =
            board.agreements.into_iter().partition(|a| a.giver_id == me.id);
        let all_mine_declined =
            board.progress.partners.iter().any(|p| p.partner_id == me.id && p.all_declined);
        Ok(ExchangeView {
            partner,
            content: board.content,
            revealed: board.revealed,
            progress: board.progress.into(),
            all_mine_declined,
            my_wishes,
            their_wishes,
            i_give: i_give.into_iter().map(|a| agreement_view(a, &board.partners)).collect(),
            i_receive: i_receive.into_iter().map(|a| agreement_view(a, &board.partners)).collect(),
        })
    }
}

/// The client's wishes, their partner's wishes to them, and their agreements.
#[server(endpoint = "exchange/board")]
pub async fn load_exchange() -> Result<ExchangeView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    ExchangeView::new(exchange::board(req.db(), actor, request::now()).await?, actor)
}

/// Adds a wish for the partner.
#[server(endpoint = "exchange/add_wish")]
pub async fn add_wish(text: String, kind: String, importance: i16) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    exchange::add_wish(req.db(), actor, &text, &kind, importance, request::now()).await.map(|_| ())
}

/// Acts on a wish seen at `version`: `yes`, `smaller_step` (with `offer`), `not_now`,
/// `take_back` (the giver's yes), `ask_clarify` ("what do you mean?"), `accept_offer`,
/// `ask_different` or `withdraw`; `ease` is
/// 1 to 5 for yes and smaller steps.
#[server(endpoint = "exchange/act")]
pub async fn act_on_wish(
    wish_id: i32,
    version: i32,
    action: String,
    #[server(default)] offer: String,
    #[server(default)] ease: String,
) -> Result<(), AppError> {
    use crate::error::FieldContext;
    let req = request::current()?;
    let actor = req.actor().await?;
    let action = WishAction::parse(&action).field("action")?;
    let details = exchange::ActionDetails { offer, ease: ease.trim().parse().ok() };
    exchange::act_on_wish(req.db(), actor, wish_id, version, action, details, request::now()).await?;
    req.state.mail.wake_worker();
    Ok(())
}

/// The wisher changes a wish's kind and importance.
#[server(endpoint = "exchange/retag")]
pub async fn retag_wish(wish_id: i32, version: i32, kind: String, importance: i16) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    exchange::retag_wish(req.db(), actor, wish_id, version, &kind, importance, request::now()).await
}

/// The wisher rewords their unanswered wish seen at `version` (the thread keeps the
/// earlier wording).
#[server(endpoint = "exchange/reword")]
pub async fn reword_wish(wish_id: i32, version: i32, text: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    exchange::reword_wish(req.db(), actor, wish_id, version, &text, request::now()).await
}

/// The therapist clears the flag that every wish of one partner was declined.
#[server(endpoint = "exchange/clear_flag")]
pub async fn clear_declined_flag(case_id: i32, partner_id: i32) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    exchange::clear_declined_flag(req.db(), actor, case_id, partner_id, request::now()).await
}

/// Chooses (`chosen` = true) an agreement the client gives, and how often per week.
#[server(endpoint = "exchange/choose")]
pub async fn choose_agreement(agreement_id: i32, chosen: bool, times_per_week: i16) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    exchange::choose_agreement(req.db(), actor, agreement_id, chosen, times_per_week, request::now()).await
}

#[cfg(feature = "ssr")]
impl PracticeView {
    /// The client's practice page: their check-ins, the weeks they may write for, their
    /// partner's ratings (only with mutual consent) and what they are practising.
    fn new(
        practice: exchange::Practice,
        board: exchange::Board,
        actor: crate::services::Actor,
        today: NaiveDate,
    ) -> Result<Self, AppError> {
        let me = practice
            .partners
            .iter()
            .find(|p| p.client_user_id == Some(actor.user_id))
            .ok_or(AppError::NotFound)?
            .clone();
        let this_week = crate::services::clock::week_start(today);
        let weeks =
            (0..=exchange::CHECK_IN_WEEKS_BACK).map(|n| this_week - chrono::Duration::weeks(n)).collect();
        let partner_ratings = practice
            .partner_ratings
            .iter()
            .map(|(id, week, emotional, physical)| CheckInView {
                partner: first_name(&practice.partners, *id),
                week_start: *week,
                my_part: String::new(),
                noticed: String::new(),
                emotional: *emotional,
                physical: *physical,
                note: String::new(),
            })
            .collect();
        Ok(PracticeView {
            me: me.first_name.clone(),
            partner: practice
                .partners
                .iter()
                .find(|p| p.id != me.id)
                .map(|p| p.first_name.clone())
                .unwrap_or_default(),
            weeks,
            mine: practice.check_ins.into_iter().map(|c| check_in_view(c, &practice.partners)).collect(),
            partner_ratings,
            i_share: me.share_ratings,
            policy: practice.policy,
            open: practice.open,
            content: board.content,
            practising: board
                .agreements
                .into_iter()
                .filter(|a| a.giver_id == me.id && a.chosen)
                .map(|a| agreement_view(a, &practice.partners))
                .collect(),
        })
    }
}

/// The client's check-ins and, with mutual consent, their partner's ratings.
#[server(endpoint = "exchange/practice")]
pub async fn load_practice() -> Result<PracticeView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let practice = exchange::practice(req.db(), actor, request::now()).await?;
    let board = exchange::board(req.db(), actor, request::now()).await?;
    PracticeView::new(practice, board, actor, request::now().date_naive())
}

/// A weekly check-in as the form posts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInFields {
    /// The Monday of the week, `YYYY-MM-DD`.
    pub week_start: String,
    /// Did I do my part.
    pub my_part: String,
    /// Did I notice my partner's.
    pub noticed: String,
    /// Emotional closeness, 0 to 10.
    pub emotional: String,
    /// Physical closeness, 0 to 10.
    pub physical: String,
    /// An optional note.
    #[serde(default)]
    pub note: String,
}

#[cfg(feature = "ssr")]
impl CheckInFields {
    /// The check-in with its week and ratings read, or the field that could not be read.
    fn parse(self) -> Result<exchange::CheckInForm, AppError> {
        let week_start = FormDate::parse(&self.week_start)
            .map_err(|problem| AppError::invalid("week_start", problem.0))?
            .date();
        let rating = |field: &str, value: &str| {
            value.trim().parse::<i16>().map_err(|_| AppError::invalid(field, "Choose a number from 0 to 10."))
        };
        Ok(exchange::CheckInForm {
            week_start,
            emotional: rating("emotional", &self.emotional)?,
            physical: rating("physical", &self.physical)?,
            my_part: self.my_part,
            noticed: self.noticed,
            note: self.note,
        })
    }
}

/// Saves the client's check-in for the week starting `week_start` (a Monday).
#[server(endpoint = "exchange/check_in")]
pub async fn save_check_in(#[server(flatten)] form: CheckInFields) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    exchange::save_check_in(req.db(), actor, form.parse()?, request::now()).await
}

/// Agrees (`share` = true) or stops agreeing to show closeness ratings to the partner.
#[server(endpoint = "exchange/share_ratings")]
pub async fn share_ratings(share: bool) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    exchange::set_share_ratings(req.db(), actor, share, request::now()).await
}

/// Step 5 as the client sees it (their own entry first).
#[server(endpoint = "exchange/pact")]
pub async fn load_pact() -> Result<PactView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let pact = exchange::pact(req.db(), actor, request::now()).await?;
    let mut view = pact_view(pact.clone());
    let own = pact.entries.iter().position(|(p, _)| p.client_user_id == Some(actor.user_id)).unwrap_or(0);
    view.entries.swap(0, own);
    Ok(view)
}

/// Step 5 as the form posts it; checkboxes arrive only when ticked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PactFields {
    /// What the client is letting go of.
    pub letting_go: String,
    /// Share it with the partner.
    #[serde(default)]
    pub shared: Option<String>,
    /// Ask the therapist for one more guided conversation (before confirming).
    #[serde(default)]
    pub wants_conversation: Option<String>,
    /// `yes` also confirms the pact.
    #[serde(default)]
    pub confirm: Option<String>,
}

/// Saves step 5 (`confirm` = "yes" also confirms the pact).
#[server(endpoint = "exchange/save_pact")]
pub async fn save_pact(#[server(flatten)] form: PactFields) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let (shared, conversation, confirm) =
        (form.shared.is_some(), form.wants_conversation.is_some(), form.confirm.as_deref() == Some("yes"));
    exchange::save_pact(req.db(), actor, &form.letting_go, shared, conversation, confirm, request::now())
        .await?;
    req.state.mail.wake_worker();
    Ok(())
}

/// A date from a date field, for `field`: empty for none.
#[cfg(feature = "ssr")]
fn optional_date(field: &str, text: &str) -> Result<Option<NaiveDate>, AppError> {
    match text.trim() {
        "" => Ok(None),
        text => FormDate::parse(text)
            .map(|date| Some(date.date()))
            .map_err(|problem| AppError::invalid(field, problem.0)),
    }
}

/// The therapist marks a partner's request for one more conversation as held on `held_on`.
#[server(endpoint = "exchange/conversation_held")]
pub async fn mark_conversation_held(case_id: i32, partner_id: i32, held_on: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let held_on = optional_date("held_on", &held_on)?
        .ok_or_else(|| AppError::invalid("held_on", "Enter the day the conversation was held."))?;
    exchange::mark_conversation_held(req.db(), actor, case_id, partner_id, held_on, request::now()).await
}

/// The therapist sets the date to revisit the pact (an empty date clears it).
#[server(endpoint = "exchange/pact_revisit")]
pub async fn set_pact_revisit(case_id: i32, revisit_on: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let revisit_on = optional_date("revisit_on", &revisit_on)?;
    exchange::set_pact_revisit(req.db(), actor, case_id, revisit_on, request::now()).await
}

/// Sends the therapist a private note (`urgent` arrives only when ticked).
#[server(endpoint = "notes/send")]
pub async fn send_private_note(
    body: String,
    #[server(default)] urgent: Option<String>,
) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    exchange::send_private_note(req.db(), actor, &body, urgent.is_some(), request::now()).await?;
    req.state.mail.wake_worker();
    Ok(())
}

/// The client's private note page: their notes with replies, their policy, the crisis line.
#[server(endpoint = "notes/mine")]
pub async fn load_my_notes() -> Result<PrivateNotesView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let mine = exchange::my_private_notes(req.db(), actor, request::now()).await?;
    let zone = crate::services::settings::reading_zone(req.db(), actor).await?;
    Ok(PrivateNotesView::new(mine, &zone))
}

/// The therapist opens a private note, which marks it read; returns when it was first read.
#[server(endpoint = "notes/read")]
pub async fn mark_private_note_read(note_id: i32) -> Result<DateTime<Utc>, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    exchange::mark_private_note_read(req.db(), actor, note_id, request::now()).await
}

/// The therapist replies to a private note (to the partner who wrote it only).
#[server(endpoint = "notes/reply")]
pub async fn reply_to_private_note(note_id: i32, body: String) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    exchange::reply_to_private_note(req.db(), actor, note_id, &body, request::now()).await?;
    req.state.mail.wake_worker();
    Ok(())
}

/// The client who wrote a note marks the therapist's replies to it read.
#[server(endpoint = "notes/replies_read")]
pub async fn mark_replies_read(note_id: i32) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    exchange::mark_replies_read(req.db(), actor, note_id, request::now()).await
}
