//! Therapy sessions (`therapy_sessions`; `sessions` are sign-ins): the therapist records a
//! session they held with a couple — when, how long, who attended, a note (free text or
//! Data / Assessment / Plan) pointing to what was discussed — and schedules the next one.
//! Each attending partner who has joined gets a neutral email with an `.ics` invitation
//! (`METHOD:REQUEST`), an updated one when the session moves (same UID, higher SEQUENCE)
//! and a cancellation (`METHOD:CANCEL`). Notes are the therapist's alone; every read and
//! write is audited.

use super::{
    access::{owned_case, OwnedCase},
    audit::{self, AuditAction, AuditEvent},
    clock,
    email::{self, SessionNotice},
    exchange, outbox, settings, Actor,
};
use crate::{
    domain::{
        case::CaseStatus,
        therapy_session::{Attendance, SessionMinutes, SessionNote, SessionStatus, TopicKind, TopicRef},
    },
    entities::{
        agreements, cases, pact_entries, partners, therapy_session_topics, therapy_sessions, users, wishes,
    },
    error::AppError,
};
use chrono::{DateTime, Duration, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};

/// When a session is (or was), how long, and who attends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTime {
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// How long it lasts.
    pub minutes: SessionMinutes,
    /// Who attends.
    pub attendance: Attendance,
}

/// A session the therapist held, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldSession {
    /// When, how long, who attended.
    pub time: SessionTime,
    /// The therapist's note.
    pub note: SessionNote,
    /// What was discussed.
    pub topics: Vec<TopicRef>,
}

/// One thing a session note points to, with a title to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    /// What it is.
    pub reference: TopicRef,
    /// "Wish from Alex: Ask about my day".
    pub title: String,
}

/// A session with what its note points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEntry {
    /// The session.
    pub session: therapy_sessions::Model,
    /// What was discussed, in the order chosen.
    pub topics: Vec<Topic>,
}

/// The case's sessions as the therapist's case page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSessions {
    /// Partner A and partner B.
    pub partners: Vec<partners::Model>,
    /// Every session, newest first.
    pub sessions: Vec<SessionEntry>,
    /// What a new note may point to.
    pub topics: Vec<Topic>,
    /// The therapist's time zone (sessions are shown and entered in it).
    pub time_zone: String,
    /// True when the case is closed (nothing can be recorded or scheduled).
    pub closed: bool,
}

fn event(actor: Actor, action: AuditAction, session_id: i32, case_id: i32) -> audit::AuditEntry<'static> {
    AuditEvent::by(actor, action, "therapy_session", session_id).concerning(case_id, None)
}

/// The case's sessions, newest first, with what each note points to (no audit entry: the
/// callers record their own read).
pub async fn sessions_of(db: &impl ConnectionTrait, case: &OwnedCase) -> Result<Vec<SessionEntry>, AppError> {
    let sessions = therapy_sessions::Entity::find()
        .filter(therapy_sessions::Column::CaseId.eq(case.id))
        .order_by_desc(therapy_sessions::Column::StartsAt)
        .order_by_desc(therapy_sessions::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i32> = sessions.iter().map(|s| s.id).collect();
    let links = if ids.is_empty() {
        Vec::new()
    } else {
        therapy_session_topics::Entity::find()
            .filter(therapy_session_topics::Column::SessionId.is_in(ids))
            .order_by_asc(therapy_session_topics::Column::Id)
            .all(db)
            .await?
    };
    let available = if links.is_empty() { Vec::new() } else { topics_of(db, case).await? };
    Ok(sessions
        .into_iter()
        .map(|session| {
            let topics = links
                .iter()
                .filter(|link| link.session_id == session.id)
                .map(|link| {
                    let reference = TopicRef { kind: link.kind, id: link.record_id };
                    available.iter().find(|t| t.reference == reference).cloned().unwrap_or(Topic {
                        reference,
                        title: format!("{} (no longer there)", link.kind.label()),
                    })
                })
                .collect();
            SessionEntry { session, topics }
        })
        .collect())
}

/// What a session note of this case may point to: its wishes, agreements, private notes
/// and step 5 requests for one more conversation, each with a title.
async fn topics_of(db: &impl ConnectionTrait, case: &OwnedCase) -> Result<Vec<Topic>, AppError> {
    let partners = case.partners(db).await?;
    let name =
        |id: i32| partners.iter().find(|p| p.id == id).map(|p| p.first_name.clone()).unwrap_or_default();
    let mut topics = Vec::new();
    for wish in wishes::Entity::find()
        .filter(wishes::Column::CaseId.eq(case.id))
        .order_by_asc(wishes::Column::Id)
        .all(db)
        .await?
    {
        topics.push(Topic {
            reference: TopicRef { kind: TopicKind::Wish, id: wish.id },
            title: format!("Wish from {}: {}", name(wish.wisher_id), wish.text),
        });
    }
    for agreement in agreements::Entity::find()
        .filter(agreements::Column::CaseId.eq(case.id))
        .order_by_asc(agreements::Column::Id)
        .all(db)
        .await?
    {
        topics.push(Topic {
            reference: TopicRef { kind: TopicKind::Agreement, id: agreement.id },
            title: format!("Agreement, {} gives: {}", name(agreement.giver_id), agreement.text),
        });
    }
    // Kept newest first by the case; topics list them oldest first.
    for note in case.private_notes(db).await?.iter().rev() {
        topics.push(Topic {
            reference: TopicRef { kind: TopicKind::PrivateNote, id: note.id },
            title: format!(
                "Private note from {}, {}{}",
                name(note.partner_id),
                note.created_at.format("%-d %b %Y"),
                if note.urgent { " (urgent)" } else { "" }
            ),
        });
    }
    for entry in pact_entries::Entity::find()
        .filter(pact_entries::Column::CaseId.eq(case.id))
        .filter(pact_entries::Column::WantsConversation.eq(true))
        .order_by_asc(pact_entries::Column::Id)
        .all(db)
        .await?
    {
        topics.push(Topic {
            reference: TopicRef { kind: TopicKind::Conversation, id: entry.id },
            title: format!(
                "{} asked for one more conversation (step 5): held in this session",
                name(entry.partner_id)
            ),
        });
    }
    Ok(topics)
}

/// The case's sessions, for the therapist whose case `case` is (the notes tab has checked)
/// and whose time zone is `time_zone`; audited as a read of the session notes.
pub async fn case_sessions(
    db: &impl ConnectionTrait,
    actor: Actor,
    case: &OwnedCase,
    time_zone: &str,
    now: DateTime<Utc>,
) -> Result<CaseSessions, AppError> {
    let result = CaseSessions {
        partners: case.partners(db).await?.to_vec(),
        sessions: sessions_of(db, case).await?,
        topics: topics_of(db, case).await?,
        time_zone: time_zone.to_owned(),
        closed: case.status == CaseStatus::Closed,
    };
    audit::record(db, AuditEvent::by(actor, AuditAction::SessionNotesViewed, "case", case.id), now).await?;
    Ok(result)
}

async fn therapist_of(db: &impl ConnectionTrait, case: &cases::Model) -> Result<users::Model, AppError> {
    users::Entity::find_by_id(case.therapist_id).one(db).await?.ok_or(AppError::Internal)
}

fn refuse_if_closed(case: &cases::Model) -> Result<(), AppError> {
    if case.status == CaseStatus::Closed {
        Err(AppError::conflict("This case is closed. Reopen it to record or schedule sessions."))
    } else {
        Ok(())
    }
}

/// A calendar identity that stays the session's for good.
fn new_calendar_uid() -> String {
    format!(
        "session-{}@babysteps",
        super::tokens::SecretToken::generate().hash().chars().take(24).collect::<String>()
    )
}

/// Records a session the therapist held, with its note and what it pointed to. A step 5
/// request for one more conversation that the note points to is marked as held on the
/// session's day (in the therapist's time zone).
pub async fn record(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    held: HeldSession,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?;
    refuse_if_closed(&case)?;
    if held.time.starts_at > now + Duration::days(1) {
        return Err(AppError::invalid(
            "starts_at",
            "A session you record has taken place: choose a past time, or schedule it instead.",
        ));
    }
    let known = topics_of(&txn, &case).await?;
    let mut topics: Vec<TopicRef> = Vec::new();
    for topic in held.topics {
        if !known.iter().any(|t| t.reference == topic) {
            return Err(AppError::invalid("topics", "Choose what was discussed from the list."));
        }
        if !topics.contains(&topic) {
            topics.push(topic);
        }
    }
    let (note, data, assessment, plan) = match &held.note {
        SessionNote::Free(text) => (text.clone(), String::new(), String::new(), String::new()),
        SessionNote::Dap { data, assessment, plan } => {
            (String::new(), data.clone(), assessment.clone(), plan.clone())
        }
    };
    let session = therapy_sessions::ActiveModel {
        case_id: Set(case.id),
        status: Set(SessionStatus::Held),
        starts_at: Set(held.time.starts_at),
        minutes: Set(held.time.minutes.get()),
        attendance: Set(held.time.attendance),
        note_format: Set(held.note.format()),
        note: Set(note),
        note_data: Set(data),
        note_assessment: Set(assessment),
        note_plan: Set(plan),
        calendar_uid: Set(new_calendar_uid()),
        calendar_sequence: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let time_zone = settings::account(&txn, actor).await?.time_zone;
    let held_on = held.time.starts_at.with_timezone(&clock::zone_of(&time_zone)).date_naive();
    for topic in topics {
        therapy_session_topics::ActiveModel {
            session_id: Set(session.id),
            kind: Set(topic.kind),
            record_id: Set(topic.id),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        // A step 5 conversation request discussed in the session was held in it.
        if topic.kind == TopicKind::Conversation {
            let entry = pact_entries::Entity::find_by_id(topic.id).one(&txn).await?;
            exchange::hold_conversation(&txn, actor, entry, held_on, now).await?;
        }
    }
    audit::record(&txn, event(actor, AuditAction::SessionRecorded, session.id, case.id), now).await?;
    txn.commit().await?;
    Ok(session.id)
}

/// Schedules the next session; each attending partner who has joined gets a neutral email
/// with the calendar invitation, queued in the same transaction.
pub async fn schedule(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    case_id: i32,
    time: SessionTime,
    now: DateTime<Utc>,
) -> Result<i32, AppError> {
    if time.starts_at <= now {
        return Err(AppError::invalid("starts_at", "Choose a time in the future."));
    }
    let txn = db.begin().await?;
    let case = owned_case(&txn, actor, case_id).await?;
    refuse_if_closed(&case)?;
    let session = therapy_sessions::ActiveModel {
        case_id: Set(case.id),
        status: Set(SessionStatus::Scheduled),
        starts_at: Set(time.starts_at),
        minutes: Set(time.minutes.get()),
        attendance: Set(time.attendance),
        note_format: Set(crate::domain::therapy_session::NoteFormat::Free),
        note: Set(String::new()),
        note_data: Set(String::new()),
        note_assessment: Set(String::new()),
        note_plan: Set(String::new()),
        calendar_uid: Set(new_calendar_uid()),
        calendar_sequence: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    send_calendar(&txn, actor, &case, &session, SessionNotice::Booked, now).await?;
    audit::record(&txn, event(actor, AuditAction::SessionScheduled, session.id, case.id), now).await?;
    txn.commit().await?;
    Ok(session.id)
}

/// The scheduled session `session_id` of one of the actor's cases, with its case.
async fn scheduled(
    db: &impl ConnectionTrait,
    actor: Actor,
    session_id: i32,
) -> Result<(OwnedCase, therapy_sessions::Model), AppError> {
    let session = therapy_sessions::Entity::find_by_id(session_id).one(db).await?;
    // Only the case's therapist learns whether the session exists.
    let case = owned_case(db, actor, session.as_ref().map_or(0, |s| s.case_id)).await?;
    let session = session.ok_or(AppError::NotFound)?;
    if session.status != SessionStatus::Scheduled {
        return Err(AppError::conflict("Only a scheduled session can be moved or cancelled."));
    }
    Ok((case, session))
}

/// Moves a scheduled session to a new time (and length): the attending partners who have
/// joined get an updated invitation (same UID, the next SEQUENCE).
pub async fn reschedule(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    session_id: i32,
    starts_at: DateTime<Utc>,
    minutes: SessionMinutes,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let (case, session) = scheduled(&txn, actor, session_id).await?;
    refuse_if_closed(&case)?;
    if starts_at <= now {
        return Err(AppError::invalid("starts_at", "Choose a time in the future."));
    }
    let sequence = session.calendar_sequence + 1;
    let mut active = session.into_active_model();
    active.starts_at = Set(starts_at);
    active.minutes = Set(minutes.get());
    active.calendar_sequence = Set(sequence);
    active.updated_at = Set(now);
    let session = active.update(&txn).await?;
    send_calendar(&txn, actor, &case, &session, SessionNotice::Moved, now).await?;
    audit::record(&txn, event(actor, AuditAction::SessionMoved, session.id, case.id), now).await?;
    txn.commit().await?;
    Ok(())
}

/// Cancels a scheduled session: the attending partners who have joined get a
/// cancellation (`METHOD:CANCEL`, same UID, the next SEQUENCE).
pub async fn cancel(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: Actor,
    session_id: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin().await?;
    let (case, session) = scheduled(&txn, actor, session_id).await?;
    let sequence = session.calendar_sequence + 1;
    let mut active = session.into_active_model();
    active.status = Set(SessionStatus::Cancelled);
    active.calendar_sequence = Set(sequence);
    active.updated_at = Set(now);
    let session = active.update(&txn).await?;
    send_calendar(&txn, actor, &case, &session, SessionNotice::Cancelled, now).await?;
    audit::record(&txn, event(actor, AuditAction::SessionCancelled, session.id, case.id), now).await?;
    txn.commit().await?;
    Ok(())
}

/// Queues the session's calendar email to each attending partner who has joined (and is
/// still on the case), counted against the therapist's daily limit.
async fn send_calendar(
    db: &impl ConnectionTrait,
    actor: Actor,
    case: &OwnedCase,
    session: &therapy_sessions::Model,
    notice: SessionNotice,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let recipients: Vec<partners::Model> = case
        .partners(db)
        .await?
        .iter()
        .filter(|p| session.attendance.includes(p.position))
        .filter(|p| p.client_user_id.is_some() && p.removed_at.is_none())
        .cloned()
        .collect();
    if recipients.is_empty() {
        return Ok(());
    }
    outbox::check_allowance(db, actor.user_id, recipients.len() as u64, now).await?;
    let therapist = therapist_of(db, case).await?;
    let zone = clock::zone_of(&therapist.time_zone);
    let when = session.starts_at.with_timezone(&zone).format("%A %-d %B %Y, %H:%M (%Z)").to_string();
    let summary = email::calendar_summary(&therapist.display_name);
    for partner in recipients {
        let invitation = CalendarInvitation {
            uid: &session.calendar_uid,
            sequence: session.calendar_sequence,
            starts_at: session.starts_at,
            minutes: session.minutes,
            summary: &summary,
            organizer: &therapist.email,
            attendee: &partner.email,
            cancelled: notice == SessionNotice::Cancelled,
        };
        outbox::enqueue_with_calendar(
            db,
            outbox::NewEmail {
                case_id: Some(case.id),
                partner_id: Some(partner.id),
                invitation_id: None,
                kind: outbox::EmailKind::Calendar,
                to_address: partner.email.clone(),
                to_name: partner.first_name.clone(),
                from_name: therapist.display_name.clone(),
                reply_to: Some(therapist.email.clone()),
                content: email::session_calendar(notice, &partner.first_name, &therapist.display_name, &when),
            },
            invitation.ics(now),
            now,
        )
        .await?;
    }
    Ok(())
}

/// One scheduled session's iCalendar (RFC 5545) invitation or cancellation, for one
/// attendee. The title is neutral, since calendars are often shared.
#[derive(Debug, Clone, Copy)]
pub struct CalendarInvitation<'a> {
    /// The session's lasting identity.
    pub uid: &'a str,
    /// Raised by each change.
    pub sequence: i32,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// How long it lasts.
    pub minutes: i32,
    /// The entry's title.
    pub summary: &'a str,
    /// The therapist's address.
    pub organizer: &'a str,
    /// The partner's address.
    pub attendee: &'a str,
    /// True for a cancellation (`METHOD:CANCEL`, `STATUS:CANCELLED`).
    pub cancelled: bool,
}

impl CalendarInvitation<'_> {
    /// The `.ics` text, stamped `now`; times are in UTC.
    pub fn ics(&self, now: DateTime<Utc>) -> String {
        let mut event = icalendar::Event::new();
        event
            .uid(self.uid)
            .sequence(u32::try_from(self.sequence).unwrap_or(0))
            .timestamp(now)
            .starts(self.starts_at)
            .ends(self.starts_at + Duration::minutes(i64::from(self.minutes)))
            .summary(self.summary)
            .add_property("ORGANIZER", format!("mailto:{}", self.organizer))
            .add_multi_property("ATTENDEE", &format!("mailto:{}", self.attendee))
            .status(if self.cancelled { EventStatus::Cancelled } else { EventStatus::Confirmed });
        let mut calendar = Calendar::empty();
        calendar
            .append_property(("VERSION", "2.0"))
            .append_property(("PRODID", "-//Babysteps//Sessions//EN"))
            .append_property(("METHOD", if self.cancelled { "CANCEL" } else { "REQUEST" }))
            .push(event.done());
        calendar.done().to_string()
    }
}
