//! Therapy sessions and the session summary: the case's sessions with their notes, recording
//! a session, scheduling, moving and cancelling the next one, and the one-page summary to
//! prepare a session from. The therapist of the case only; times are in their time zone.
// A server function takes its form's fields as arguments, one each: recording a session
// has ten (a DAP note is three fields), and the `server` macro does not carry an `allow`
// on the function to the browser build's copy of it.
#![allow(clippy::too_many_arguments)]

use super::{
    exchange::{CaseExchangeView, CheckInView, NoteView},
    measures::PointView,
};
use crate::{
    domain::therapy_session::{NoteFormat, SessionStatus},
    error::AppError,
};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::{
        domain::{
            date_text,
            dates::FormDateTime,
            therapy_session::{
                parse_note_text, Attendance, SessionMinutes, SessionNote, TopicKind, TopicRef,
            },
            time_zone::TimeZoneName,
        },
        entities::partners,
        services::{
            clock::{self, zone_of},
            settings, summary, therapy_sessions,
        },
    },
};

/// Something a session note points to, shown as a link to where it is on the case page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicView {
    /// The form value (`wish:12`).
    pub value: String,
    /// "Wish from Alex: Ask about my day".
    pub title: String,
    /// Where it is on the case page.
    pub href: String,
}

/// One session on the case page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TherapySessionView {
    /// The session.
    pub id: i32,
    /// Held, scheduled or cancelled.
    pub status: SessionStatus,
    /// When, in the therapist's time zone ("Wednesday 2 December 2026, 10:00 (CET)").
    pub when: String,
    /// When, as a `datetime-local` value in the therapist's time zone (to move it).
    pub local_value: String,
    /// Length in minutes.
    pub minutes: i32,
    /// Who attended ("Alex and Sam", "Alex alone").
    pub attended: String,
    /// How the note is written.
    pub note_format: NoteFormat,
    /// The free-text note.
    pub note: String,
    /// Data (a DAP note).
    pub data: String,
    /// Assessment (a DAP note).
    pub assessment: String,
    /// Plan (a DAP note).
    pub plan: String,
    /// What was discussed.
    pub topics: Vec<TopicView>,
}

/// A case's sessions for its therapist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TherapySessionsView {
    /// The case.
    pub case_id: i32,
    /// Every session, newest first.
    pub sessions: Vec<TherapySessionView>,
    /// What a new note may point to.
    pub topics: Vec<TopicView>,
    /// Who may attend: `(value, label)`, both first.
    pub attendance: Vec<(String, String)>,
    /// The therapist's time zone.
    pub time_zone: String,
    /// True when the case is closed.
    pub closed: bool,
}

#[cfg(feature = "ssr")]
fn attended(attendance: Attendance, partners: &[partners::Model]) -> String {
    let name = |position: i16| {
        partners.iter().find(|p| p.position == position).map(|p| p.first_name.clone()).unwrap_or_default()
    };
    match attendance {
        Attendance::Both => format!("{} and {}", name(1), name(2)),
        Attendance::PartnerA => format!("{} alone", name(1)),
        Attendance::PartnerB => format!("{} alone", name(2)),
    }
}

#[cfg(feature = "ssr")]
fn topic_view(topic: therapy_sessions::Topic, case_id: i32) -> TopicView {
    let anchor = match topic.reference.kind {
        TopicKind::Wish | TopicKind::Agreement => "wishes-heading",
        TopicKind::PrivateNote => "notes-from-clients",
        TopicKind::Conversation => "pact-heading",
    };
    TopicView {
        value: topic.reference.form_value(),
        title: topic.title,
        href: format!("/cases/{case_id}#{anchor}"),
    }
}

#[cfg(feature = "ssr")]
fn session_view(
    entry: therapy_sessions::SessionEntry,
    partners: &[partners::Model],
    zone: chrono_tz::Tz,
) -> TherapySessionView {
    let s = entry.session;
    let local = s.starts_at.with_timezone(&zone);
    TherapySessionView {
        id: s.id,
        status: s.status,
        when: local.format("%A %-d %B %Y, %H:%M (%Z)").to_string(),
        local_value: date_text::field_date_time(&local),
        minutes: s.minutes,
        attended: attended(s.attendance, partners),
        note_format: s.note_format,
        note: s.note,
        data: s.note_data,
        assessment: s.note_assessment,
        plan: s.note_plan,
        topics: entry.topics.into_iter().map(|t| topic_view(t, s.case_id)).collect(),
    }
}

#[cfg(feature = "ssr")]
impl TherapySessionsView {
    /// The sessions of case `case_id` as its notes tab shows them.
    pub(crate) fn new(case_id: i32, found: therapy_sessions::CaseSessions) -> Self {
        let zone = zone_of(&found.time_zone);
        let attendance =
            Attendance::ALL.iter().map(|a| (a.as_str().to_owned(), attended(*a, &found.partners))).collect();
        TherapySessionsView {
            case_id,
            sessions: found.sessions.into_iter().map(|s| session_view(s, &found.partners, zone)).collect(),
            topics: found.topics.into_iter().map(|t| topic_view(t, case_id)).collect(),
            attendance,
            time_zone: found.time_zone,
            closed: found.closed,
        }
    }
}

/// When, how long and who, as a form posts them, read in the therapist's time zone.
#[cfg(feature = "ssr")]
async fn session_time(
    req: &request::Request,
    starts_at: &str,
    minutes: &str,
    attendance: &str,
) -> Result<therapy_sessions::SessionTime, AppError> {
    use crate::error::FieldContext;
    let zone = TimeZoneName::stored(&settings::account(req.db(), req.actor().await?).await?.time_zone);
    if starts_at.trim().is_empty() {
        return Err(AppError::invalid("starts_at", "Enter the date and time."));
    }
    let wall = FormDateTime::parse(starts_at).field("starts_at")?.date_time();
    Ok(therapy_sessions::SessionTime {
        starts_at: zone.instant(wall).field("starts_at")?,
        minutes: SessionMinutes::parse(minutes).field("minutes")?,
        attendance: Attendance::parse(attendance).field("attendance")?,
    })
}

/// Records a session held with the couple: when (`datetime-local`), its length, who
/// attended (`both`, `a`, `b`), the note (`note_format` `free` with `note`, or `dap` with
/// `data`, `assessment` and `plan`) and what was discussed (`topics`, e.g. `wish:12`).
#[server(endpoint = "therapy_sessions/record")]
pub async fn record_therapy_session(
    case_id: i32,
    starts_at: String,
    minutes: String,
    attendance: String,
    note_format: String,
    #[server(default)] note: String,
    #[server(default)] data: String,
    #[server(default)] assessment: String,
    #[server(default)] plan: String,
    #[server(default)] topics: Vec<String>,
) -> Result<i32, AppError> {
    use crate::error::FieldContext;
    let req = request::current()?;
    let actor = req.actor().await?;
    let time = session_time(&req, &starts_at, &minutes, &attendance).await?;
    let note = match NoteFormat::parse(&note_format).field("note_format")? {
        NoteFormat::Free => SessionNote::Free(parse_note_text(&note).field("note")?),
        NoteFormat::Dap => SessionNote::Dap {
            data: parse_note_text(&data).field("data")?,
            assessment: parse_note_text(&assessment).field("assessment")?,
            plan: parse_note_text(&plan).field("plan")?,
        },
    };
    let topics = topics.iter().map(|t| TopicRef::parse(t)).collect::<Result<_, _>>().field("topics")?;
    let held = therapy_sessions::HeldSession { time, note, topics };
    therapy_sessions::record(req.db(), actor, case_id, held, request::now()).await
}

/// Schedules the next session; each attending partner who joined gets an invitation.
#[server(endpoint = "therapy_sessions/schedule")]
pub async fn schedule_therapy_session(
    case_id: i32,
    starts_at: String,
    minutes: String,
    attendance: String,
) -> Result<i32, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let time = session_time(&req, &starts_at, &minutes, &attendance).await?;
    let id = therapy_sessions::schedule(req.db(), actor, case_id, time, request::now()).await?;
    req.state.mail.wake_worker();
    Ok(id)
}

/// Moves a scheduled session; its partners get an updated invitation.
#[server(endpoint = "therapy_sessions/move")]
pub async fn move_therapy_session(
    session_id: i32,
    starts_at: String,
    minutes: String,
) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let time = session_time(&req, &starts_at, &minutes, "both").await?;
    therapy_sessions::reschedule(req.db(), actor, session_id, time.starts_at, time.minutes, request::now())
        .await?;
    req.state.mail.wake_worker();
    Ok(())
}

/// Cancels a scheduled session; its partners get a cancellation.
#[server(endpoint = "therapy_sessions/cancel")]
pub async fn cancel_therapy_session(session_id: i32) -> Result<(), AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    therapy_sessions::cancel(req.db(), actor, session_id, request::now()).await?;
    req.state.mail.wake_worker();
    Ok(())
}

/// One piece of homework handed in or shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandedInView {
    /// The exercise's title.
    pub title: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// What one partner did since the last session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    /// First name.
    pub partner: String,
    /// Homework submitted.
    pub submitted: Vec<HandedInView>,
    /// Homework shared with the other partner.
    pub shared: Vec<HandedInView>,
    /// Wishes they made.
    pub asked: Vec<String>,
    /// Wishes to them they declined for now or took their yes back from.
    pub declined: Vec<String>,
}

/// One step of the programme with each partner's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepStatusView {
    /// The exercise's title.
    pub title: String,
    /// Open for the partners.
    pub open: bool,
    /// `(partner, status label)`, A then B.
    pub partners: Vec<(String, String)>,
}

/// The one-page session summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummaryView {
    /// The case.
    pub case_id: i32,
    /// The case's name.
    pub label: String,
    /// "since the session of …" or "since the start".
    pub since: String,
    /// Each partner's activity since then.
    pub activity: Vec<ActivityView>,
    /// Private notes since then, urgent first (an unopened note's text is left out: it is
    /// read only when opened on the case page).
    pub notes: Vec<NoteView>,
    /// The programme's steps with each partner's status.
    pub steps: Vec<StepStatusView>,
    /// Wishes, agreements, check-ins, the pact and each partner's progress.
    pub exchange: CaseExchangeView,
    /// Each partner's latest two totals of each measure scheduled for the case.
    pub measures: Vec<LatestTotalsView>,
    /// Per week: `(week, [(partner, emotional, physical)], gap)` with the gap the difference
    /// of the partners' mean closeness, when both checked in.
    pub closeness: Vec<WeekClosenessView>,
    /// The last recorded session, with its note.
    pub last_session: Option<TherapySessionView>,
    /// The next scheduled session.
    pub next_session: Option<TherapySessionView>,
}

/// One partner's latest totals of one measure, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestTotalsView {
    /// The measure's title.
    pub title: String,
    /// The partner's first name.
    pub partner: String,
    /// At most two totals, newest first.
    pub latest: Vec<PointView>,
}

/// One week's closeness for the table under the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekClosenessView {
    /// The Monday of the week.
    pub week_start: chrono::NaiveDate,
    /// Each partner's check-in that week, A then B (none: no check-in).
    pub partners: Vec<Option<CheckInView>>,
    /// The gap between the partners' mean closeness (emotional and physical), in tenths
    /// of a point, when both checked in.
    pub gap_tenths: Option<i16>,
}

#[cfg(feature = "ssr")]
impl SessionSummaryView {
    fn new(found: summary::Summary, time_zone: &str) -> Result<Self, AppError> {
        let zone = zone_of(time_zone);
        let partners: Vec<partners::Model> = found.activity.iter().map(|a| a.partner.clone()).collect();
        let since = match &found.last_session {
            Some(s) => format!(
                "Since the last session, {}",
                date_text::weekday_long_date(&s.session.starts_at.with_timezone(&zone))
            ),
            None => "Since the start (no session recorded yet)".to_owned(),
        };
        let activity = found
            .activity
            .into_iter()
            .map(|a| ActivityView {
                partner: a.partner.first_name,
                submitted: a.submitted.into_iter().map(|(title, at)| HandedInView { title, at }).collect(),
                shared: a.shared.into_iter().map(|(title, at)| HandedInView { title, at }).collect(),
                asked: a.asked.into_iter().map(|w| w.text).collect(),
                declined: a.declined.into_iter().map(|w| w.text).collect(),
            })
            .collect();
        let notes = found
            .notes
            .into_iter()
            .map(|t| {
                let unread = t.note.read_at.is_none();
                let name = partners.iter().find(|p| p.id == t.note.partner_id).map(|p| p.first_name.clone());
                NoteView {
                    id: t.note.id,
                    partner: name.unwrap_or_default(),
                    body: if unread { String::new() } else { t.note.body },
                    created_at: clock::local(time_zone, t.note.created_at),
                    read_at: t.note.read_at.map(|at| clock::local(time_zone, at)),
                    urgent: t.note.urgent,
                    replies: Vec::new(),
                }
            })
            .collect();
        let steps = found
            .homework
            .assignments
            .iter()
            .filter(|(a, _, _)| a.step_number.is_some())
            .map(|(assignment, title, responses)| StepStatusView {
                title: title.clone(),
                open: assignment.unlocked_at.is_some(),
                partners: found
                    .homework
                    .partners
                    .iter()
                    .zip(responses)
                    .map(|(p, r)| {
                        let label = r.as_ref().map_or("Not started", |r| r.status.label());
                        let shared =
                            if r.as_ref().is_some_and(|r| r.shared_at.is_some()) { ", shared" } else { "" };
                        (p.first_name.clone(), format!("{label}{shared}"))
                    })
                    .collect(),
            })
            .collect();
        let last_session = found.last_session.map(|s| session_view(s, &partners, zone));
        let next_session = found.next_session.map(|s| session_view(s, &partners, zone));
        let exchange = CaseExchangeView::new(found.board, found.practice, found.pact)?;
        let closeness = weekly_closeness(&exchange.check_ins, &partners);
        let measures = found
            .measures
            .into_iter()
            .map(|m| LatestTotalsView {
                title: m.title,
                partner: m.first_name,
                latest: m.latest.into_iter().map(PointView::from).collect(),
            })
            .collect();
        Ok(SessionSummaryView {
            case_id: found.case.id,
            label: found.case.label,
            since,
            activity,
            notes,
            steps,
            exchange,
            measures,
            closeness,
            last_session,
            next_session,
        })
    }
}

/// The check-ins by week, each partner's side by side, with the gap between them.
#[cfg(feature = "ssr")]
fn weekly_closeness(check_ins: &[CheckInView], partners: &[partners::Model]) -> Vec<WeekClosenessView> {
    let mut weeks: Vec<chrono::NaiveDate> = check_ins.iter().map(|c| c.week_start).collect();
    weeks.sort();
    weeks.dedup();
    weeks
        .into_iter()
        .map(|week| {
            let per_partner: Vec<Option<CheckInView>> = partners
                .iter()
                .map(|p| {
                    check_ins.iter().find(|c| c.week_start == week && c.partner == p.first_name).cloned()
                })
                .collect();
            let means: Vec<i16> =
                per_partner.iter().flatten().map(|c| (c.emotional + c.physical) * 5).collect();
            let gap_tenths = match means.as_slice() {
                [a, b] => Some((a - b).abs()),
                _ => None,
            };
            WeekClosenessView { week_start: week, partners: per_partner, gap_tenths }
        })
        .collect()
}

/// The session summary of a case, in one request (audited).
#[server(endpoint = "cases/summary")]
pub async fn load_session_summary(case_id: i32) -> Result<SessionSummaryView, AppError> {
    let req = request::current()?;
    let actor = req.actor().await?;
    let found = summary::summary(req.db(), actor, case_id, request::now()).await?;
    let time_zone = settings::account(req.db(), actor).await?.time_zone;
    SessionSummaryView::new(found, &time_zone)
}
