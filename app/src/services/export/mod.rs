//! Record exports, streamed as a ZIP with `record.json` (documented in [`schema`]) and
//! `record.html` (printable):
//!
//! - [`case_export`]: a therapist's whole record of one of their cases — the case, both
//!   partners, the therapist's notes, every response (drafts marked), comments, the exchange,
//!   check-ins with the closeness chart, step 5, private notes and replies, the emails about
//!   the case, the therapy sessions with their notes, each partner's measure totals and the
//!   case's audit trail.
//! - [`client_export`]: a client's own writing and what was shared with them — never the
//!   other partner's unshared answers, drafts, check-in notes, unshared ratings or step 5,
//!   private notes, comments to them, nor the therapist's notes; their own questionnaire
//!   totals, never the other partner's. After the case is closed or the client removed, only
//!   their own writing.
//!
//! Both authorize, write the audit entry, and return an [`Export`] whose
//! [`Export::write`] then reads the records page by page (check-ins and audit entries a page
//! at a time, assignments a few at a time) and writes each page into the archive, passing
//! full chunks to the download as it goes (see [`sink`]). The two files are written one
//! after the other, each in its own pass over the records.

mod html;
mod json;
pub mod schema;
pub mod sink;

use super::{
    access::{client_membership, no_access_reason, other_partner, owned_case, partners_of},
    audit::{self, AuditAction, AuditEvent},
    exchange::step_1_revealed,
    homework::content_of,
    measures, Actor,
};
use crate::{
    domain::answers::{form_value, Answers},
    entities::{
        agreements, assignments, audit_entries, cases, check_ins, comments, exercise_versions, offers,
        outbox_emails, pact_entries, partners, private_note_replies, private_notes, responses,
        therapy_session_topics, therapy_sessions, wishes,
    },
    error::AppError,
};
use chrono::{DateTime, Utc};
use schema::*;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use sink::{failed, ChunkSender, ZipOut};
use std::io::{self, Write};

/// Check-ins read at a time.
const CHECK_IN_PAGE: u64 = 200;
/// Audit entries read at a time.
const AUDIT_PAGE: u64 = 500;
/// Assignments (with their responses and comments) read at a time.
const ASSIGNMENT_PAGE: u64 = 10;
/// Emails read at a time.
const EMAIL_PAGE: u64 = 500;

/// One way of writing the records into a file (`record.json` or `record.html`).
pub trait Emit {
    /// The file's start: its version and kind, the case and the partners.
    fn begin(&mut self, out: &mut impl Write, header: &Header) -> io::Result<()>;
    /// A new list starts (the previous one, if any, ends).
    fn section(&mut self, out: &mut impl Write, section: Section) -> io::Result<()>;
    /// One element of the current list.
    fn item(&mut self, out: &mut impl Write, item: &Item) -> io::Result<()>;
    /// The file's end.
    fn end(&mut self, out: &mut impl Write) -> io::Result<()>;
}

/// Who the export is for, and so what it may hold.
#[derive(Debug, Clone)]
enum Viewer {
    /// The case's therapist: everything.
    Therapist,
    /// A partner: their own writing, and what the other partner shared with them.
    Client {
        /// The client's partner id.
        me: i32,
        /// The other partner's id.
        other: i32,
        /// Whether the client still reaches shared content (case not closed, neither
        /// partner removed). When false, the export holds only their own writing.
        sees_shared: bool,
        /// Both partners agreed to share closeness ratings.
        ratings_shared: bool,
        /// Both shared step 1, so the wishes are visible to both.
        wishes_visible: bool,
    },
}

/// An authorized, audited export, ready to be written.
#[derive(Debug, Clone)]
pub struct Export {
    /// A file name for the ZIP, e.g. `babysteps-case-12-2026-11-29.zip`.
    pub file_name: String,
    case: cases::Model,
    partners: Vec<partners::Model>,
    viewer: Viewer,
    now: DateTime<Utc>,
}

/// A slug of a name for a file name.
fn slug(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase()
}

/// A therapist's export of one of their cases ("not found" for anyone else's case, refused
/// for clients). Audited as `case.exported`.
pub async fn case_export(
    db: &impl ConnectionTrait,
    actor: Actor,
    case_id: i32,
    now: DateTime<Utc>,
) -> Result<Export, AppError> {
    let case = owned_case(db, actor, case_id).await?.into_model();
    let partners = partners_of(db, case.id).await?;
    audit::record(db, AuditEvent::by(actor, AuditAction::CaseExported, "case", case.id), now).await?;
    Ok(Export {
        file_name: format!("babysteps-case-{}-{}.zip", case.id, now.format("%Y-%m-%d")),
        case,
        partners,
        viewer: Viewer::Therapist,
        now,
    })
}

/// A client's export of their own writing and what was shared with them (also after the
/// case is closed or they were removed: then their own writing only). Audited as
/// `own_writing.exported`.
pub async fn client_export(
    db: &impl ConnectionTrait,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Export, AppError> {
    let (me, case) = client_membership(db, actor).await?;
    let partners = partners_of(db, case.id).await?;
    let other = other_partner(partners.clone(), &me)?;
    let sees_shared = no_access_reason(&me, &case).is_none() && other.removed_at.is_none();
    let viewer = Viewer::Client {
        me: me.id,
        other: other.id,
        sees_shared,
        ratings_shared: sees_shared && me.share_ratings && other.share_ratings,
        wishes_visible: sees_shared && step_1_revealed(db, case.id).await?,
    };
    let event = AuditEvent::by(actor, AuditAction::OwnWritingExported, "case", case.id);
    audit::record(db, event.concerning(case.id, Some(me.id)), now).await?;
    Ok(Export {
        file_name: format!("babysteps-{}-{}.zip", slug(&me.first_name), now.format("%Y-%m-%d")),
        case,
        partners,
        viewer,
        now,
    })
}

impl Export {
    /// Writes the ZIP into `sender`, page by page. Stops with an error when the download
    /// is abandoned (the channel closed) or a read fails.
    pub async fn write(self, db: &impl ConnectionTrait, sender: ChunkSender) -> Result<(), AppError> {
        let mut out = ZipOut::new(sender);
        out.start_file("record.json")?;
        self.walk(db, &mut out, &mut json::JsonOut::default()).await?;
        out.start_file("record.html")?;
        self.walk(db, &mut out, &mut html::HtmlOut::default()).await?;
        out.finish().await
    }

    /// The whole ZIP in memory (for tests and the benchmark; the server streams it).
    pub async fn to_bytes(self, db: &impl ConnectionTrait) -> Result<Vec<u8>, AppError> {
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<io::Result<Vec<u8>>>(4);
        let collect = async move {
            let mut all = Vec::new();
            while let Some(chunk) = receiver.recv().await {
                all.extend(chunk.map_err(failed)?);
            }
            Ok::<_, AppError>(all)
        };
        let (written, collected) = tokio::join!(self.write(db, sender), collect);
        written?;
        collected
    }

    fn header(&self) -> Header {
        let therapist = matches!(self.viewer, Viewer::Therapist);
        let me = match self.viewer {
            Viewer::Client { me, .. } => Some(me),
            Viewer::Therapist => None,
        };
        let partners = self
            .partners
            .iter()
            .map(|p| {
                let full = therapist || me == Some(p.id);
                PartnerRecord {
                    id: p.id,
                    position: if p.position <= 1 { "A" } else { "B" },
                    first_name: p.first_name.clone(),
                    last_name: p.last_name.clone().filter(|_| full),
                    email: Some(p.email.clone()).filter(|_| full),
                    pronouns: p.pronouns.clone().filter(|_| full),
                    seeks: Some(p.seeks).filter(|_| full),
                    joined_at: p.joined_at.filter(|_| full),
                    removed_at: p.removed_at.filter(|_| full),
                }
            })
            .collect();
        let case = &self.case;
        Header {
            schema_version: SCHEMA_VERSION,
            kind: if therapist { RecordKind::CaseRecord } else { RecordKind::ClientRecord },
            exported_at: self.now,
            case: CaseRecord {
                id: case.id,
                label: case.label.clone(),
                status: case.status,
                status_changed_at: case.status_changed_at,
                confidentiality_policy: case.confidentiality_policy,
                created_at: case.created_at,
                pact_completed_at: case.pact_completed_at,
                therapist_notes: Some(case.therapist_notes.clone()).filter(|_| therapist),
            },
            partners,
        }
    }

    /// The partners whose own rows (check-ins, notes, pact, emails) the viewer may read in
    /// full.
    fn own_partners(&self) -> Vec<i32> {
        match self.viewer {
            Viewer::Therapist => self.partners.iter().map(|p| p.id).collect(),
            Viewer::Client { me, .. } => vec![me],
        }
    }

    async fn walk(
        &self,
        db: &impl ConnectionTrait,
        out: &mut ZipOut,
        emit: &mut impl Emit,
    ) -> Result<(), AppError> {
        emit.begin(out, &self.header()).map_err(failed)?;
        self.homework(db, out, emit).await?;
        self.exchange(db, out, emit).await?;
        self.check_ins(db, out, emit).await?;
        self.pact(db, out, emit).await?;
        self.notes(db, out, emit).await?;
        self.emails(db, out, emit).await?;
        if matches!(self.viewer, Viewer::Therapist) {
            self.therapy_sessions(db, out, emit).await?;
        }
        self.measure_totals(db, out, emit).await?;
        if matches!(self.viewer, Viewer::Therapist) {
            self.audit_trail(db, out, emit).await?;
        }
        emit.end(out).map_err(failed)?;
        out.pass_on().await
    }

    async fn homework(
        &self,
        db: &impl ConnectionTrait,
        out: &mut ZipOut,
        emit: &mut impl Emit,
    ) -> Result<(), AppError> {
        emit.section(out, Section::Homework).map_err(failed)?;
        let mut page = 0;
        loop {
            let found = assignments::Entity::find()
                .filter(assignments::Column::CaseId.eq(self.case.id))
                .order_by_asc(assignments::Column::CreatedAt)
                .order_by_asc(assignments::Column::Id)
                .offset(page * ASSIGNMENT_PAGE)
                .limit(ASSIGNMENT_PAGE)
                .all(db)
                .await?;
            if found.is_empty() {
                break;
            }
            page += 1;
            let versions = exercise_versions::Entity::find()
                .filter(exercise_versions::Column::Id.is_in(found.iter().map(|a| a.exercise_version_id)))
                .all(db)
                .await?;
            let all_responses = responses::Entity::find()
                .filter(responses::Column::AssignmentId.is_in(found.iter().map(|a| a.id)))
                .all(db)
                .await?;
            let all_comments = comments::Entity::find()
                .filter(comments::Column::ResponseId.is_in(all_responses.iter().map(|r| r.id)))
                .order_by_asc(comments::Column::Id)
                .all(db)
                .await?;
            for assignment in found {
                let version = versions
                    .iter()
                    .find(|v| v.id == assignment.exercise_version_id)
                    .ok_or(AppError::Internal)?;
                let exercise = content_of(version)?;
                let to_records = |stored: &str| -> Result<Vec<AnswerRecord>, AppError> {
                    let answers: Answers = serde_json::from_str(stored).map_err(|_| AppError::Internal)?;
                    Ok(exercise
                        .questions
                        .iter()
                        .filter_map(|q| {
                            answers.get(&q.key).map(|answer| AnswerRecord {
                                question_key: q.key.clone(),
                                prompt: q.prompt.clone(),
                                answer: form_value(answer),
                            })
                        })
                        .collect())
                };
                let mine: Vec<&responses::Model> =
                    all_responses.iter().filter(|r| r.assignment_id == assignment.id).collect();
                let comments_on = |response_id: i32| -> Vec<CommentRecord> {
                    all_comments
                        .iter()
                        .filter(|c| c.response_id == response_id)
                        .map(|c| CommentRecord {
                            id: c.id,
                            question_key: c.question_key.clone(),
                            body: c.body.clone(),
                            created_at: c.created_at,
                            read_at: c.read_at,
                        })
                        .collect()
                };
                let mut records = Vec::new();
                for partner in &self.partners {
                    let Some(response) = mine.iter().find(|r| r.partner_id == partner.id) else {
                        continue;
                    };
                    match &self.viewer {
                        Viewer::Therapist => records.push(ResponseRecord {
                            partner_id: partner.id,
                            status: Some(response.status),
                            submitted_at: response.submitted_at,
                            reviewed_at: response.reviewed_at,
                            shared_at: response.shared_at,
                            answers: to_records(&response.answers)?,
                            shared_answers: match &response.shared_answers {
                                Some(shared) if *shared != response.answers => Some(to_records(shared)?),
                                _ => None,
                            },
                            comments: comments_on(response.id),
                        }),
                        Viewer::Client { me, .. } if *me == partner.id => records.push(ResponseRecord {
                            partner_id: partner.id,
                            status: Some(response.status),
                            submitted_at: response.submitted_at,
                            reviewed_at: response.reviewed_at,
                            shared_at: response.shared_at,
                            answers: to_records(&response.answers)?,
                            shared_answers: None,
                            comments: comments_on(response.id),
                        }),
                        Viewer::Client { me, sees_shared, .. } => {
                            // The other partner's answers: only the version they shared, and
                            // with a mutual reveal only once the client shared too.
                            let own_shared =
                                mine.iter().any(|r| r.partner_id == *me && r.shared_at.is_some());
                            let visible = *sees_shared
                                && response.shared_at.is_some()
                                && (!assignment.mutual_reveal || own_shared);
                            if let Some(shared) = response.shared_answers.as_deref().filter(|_| visible) {
                                records.push(ResponseRecord {
                                    partner_id: partner.id,
                                    status: None,
                                    submitted_at: None,
                                    reviewed_at: None,
                                    shared_at: response.shared_at,
                                    answers: to_records(shared)?,
                                    shared_answers: None,
                                    comments: Vec::new(),
                                });
                            }
                        }
                    }
                }
                if records.is_empty() && !matches!(self.viewer, Viewer::Therapist) {
                    continue;
                }
                let item = Item::Assignment(AssignmentRecord {
                    id: assignment.id,
                    title: exercise.title.clone(),
                    step_number: assignment.step_number,
                    due_on: assignment.due_on,
                    note: assignment.note.clone(),
                    created_at: assignment.created_at,
                    responses: records,
                });
                emit.item(out, &item).map_err(failed)?;
            }
            out.pass_on().await?;
        }
        Ok(())
    }

    async fn exchange(
        &self,
        db: &impl ConnectionTrait,
        out: &mut ZipOut,
        emit: &mut impl Emit,
    ) -> Result<(), AppError> {
        // A client reads every wish of the couple once both shared step 1 (and still reach
        // shared content); before, only their own wishes, without the offers made to them.
        let mut wish_filter = Condition::all().add(wishes::Column::CaseId.eq(self.case.id));
        let all_visible = match self.viewer {
            Viewer::Therapist | Viewer::Client { wishes_visible: true, .. } => true,
            Viewer::Client { me, .. } => {
                wish_filter = wish_filter.add(wishes::Column::WisherId.eq(me));
                false
            }
        };
        let found =
            wishes::Entity::find().filter(wish_filter).order_by_asc(wishes::Column::Id).all(db).await?;
        let found_offers = if all_visible {
            offers::Entity::find()
                .filter(offers::Column::WishId.is_in(found.iter().map(|w| w.id)))
                .order_by_asc(offers::Column::Id)
                .all(db)
                .await?
        } else {
            Vec::new()
        };
        emit.section(out, Section::Wishes).map_err(failed)?;
        for wish in found {
            let item = Item::Wish(WishRecord {
                offers: found_offers
                    .iter()
                    .filter(|o| o.wish_id == wish.id)
                    .map(|o| OfferRecord {
                        id: o.id,
                        text: o.text.clone(),
                        status: o.status,
                        created_at: o.created_at,
                    })
                    .collect(),
                id: wish.id,
                wisher_id: wish.wisher_id,
                addressee_id: wish.addressee_id,
                text: wish.text,
                kind: wish.kind,
                importance: wish.importance,
                state: wish.state,
                ease: wish.ease,
                created_at: wish.created_at,
                updated_at: wish.updated_at,
            });
            emit.item(out, &item).map_err(failed)?;
        }
        emit.section(out, Section::Agreements).map_err(failed)?;
        if all_visible {
            let found = agreements::Entity::find()
                .filter(agreements::Column::CaseId.eq(self.case.id))
                .order_by_asc(agreements::Column::Id)
                .all(db)
                .await?;
            for a in found {
                let item = Item::Agreement(AgreementRecord {
                    id: a.id,
                    wish_id: a.wish_id,
                    giver_id: a.giver_id,
                    receiver_id: a.receiver_id,
                    text: a.text,
                    ease: a.ease,
                    times_per_week: a.times_per_week,
                    chosen: a.chosen,
                    created_at: a.created_at,
                });
                emit.item(out, &item).map_err(failed)?;
            }
        }
        out.pass_on().await
    }

    async fn check_ins(
        &self,
        db: &impl ConnectionTrait,
        out: &mut ZipOut,
        emit: &mut impl Emit,
    ) -> Result<(), AppError> {
        emit.section(out, Section::CheckIns).map_err(failed)?;
        let mut readable = self.own_partners();
        // The other partner's ratings (never their answers or note) when both agreed.
        let ratings_only = match self.viewer {
            Viewer::Client { other, ratings_shared: true, .. } => {
                readable.push(other);
                Some(other)
            }
            _ => None,
        };
        let mut page = 0;
        loop {
            let found = check_ins::Entity::find()
                .filter(check_ins::Column::CaseId.eq(self.case.id))
                .filter(check_ins::Column::PartnerId.is_in(readable.clone()))
                .order_by_asc(check_ins::Column::WeekStart)
                .order_by_asc(check_ins::Column::PartnerId)
                .order_by_asc(check_ins::Column::Id)
                .offset(page * CHECK_IN_PAGE)
                .limit(CHECK_IN_PAGE)
                .all(db)
                .await?;
            if found.is_empty() {
                break;
            }
            page += 1;
            for c in found {
                let full = ratings_only != Some(c.partner_id);
                let item = Item::CheckIn(CheckInRecord {
                    partner_id: c.partner_id,
                    week_start: c.week_start,
                    my_part: Some(c.my_part).filter(|_| full),
                    noticed: Some(c.noticed).filter(|_| full),
                    emotional: c.emotional,
                    physical: c.physical,
                    note: Some(c.note).filter(|_| full),
                });
                emit.item(out, &item).map_err(failed)?;
            }
            out.pass_on().await?;
        }
        Ok(())
    }

    async fn pact(
        &self,
        db: &impl ConnectionTrait,
        out: &mut ZipOut,
        emit: &mut impl Emit,
    ) -> Result<(), AppError> {
        emit.section(out, Section::Pact).map_err(failed)?;
        let found = pact_entries::Entity::find()
            .filter(pact_entries::Column::CaseId.eq(self.case.id))
            .all(db)
            .await?;
        let own = self.own_partners();
        for partner in &self.partners {
            let Some(entry) = found.iter().find(|e| e.partner_id == partner.id) else {
                continue;
            };
            // The other partner's step 5 only if they shared it.
            let visible = own.contains(&entry.partner_id)
                || (matches!(self.viewer, Viewer::Client { sees_shared: true, .. }) && entry.shared);
            if !visible {
                continue;
            }
            let item = Item::Pact(PactRecord {
                partner_id: entry.partner_id,
                letting_go: entry.letting_go.clone(),
                shared: entry.shared,
                wants_conversation: entry.wants_conversation,
                confirmed_at: entry.confirmed_at,
                updated_at: entry.updated_at,
            });
            emit.item(out, &item).map_err(failed)?;
        }
        out.pass_on().await
    }

    async fn notes(
        &self,
        db: &impl ConnectionTrait,
        out: &mut ZipOut,
        emit: &mut impl Emit,
    ) -> Result<(), AppError> {
        emit.section(out, Section::PrivateNotes).map_err(failed)?;
        let found = private_notes::Entity::find()
            .filter(private_notes::Column::CaseId.eq(self.case.id))
            .filter(private_notes::Column::PartnerId.is_in(self.own_partners()))
            .order_by_asc(private_notes::Column::Id)
            .all(db)
            .await?;
        let replies = private_note_replies::Entity::find()
            .filter(private_note_replies::Column::NoteId.is_in(found.iter().map(|n| n.id)))
            .order_by_asc(private_note_replies::Column::Id)
            .all(db)
            .await?;
        for note in found {
            let item = Item::Note(NoteRecord {
                replies: replies
                    .iter()
                    .filter(|r| r.note_id == note.id)
                    .map(|r| ReplyRecord {
                        id: r.id,
                        body: r.body.clone(),
                        created_at: r.created_at,
                        read_at: r.read_at,
                    })
                    .collect(),
                id: note.id,
                partner_id: note.partner_id,
                body: note.body,
                urgent: note.urgent,
                created_at: note.created_at,
                read_at: note.read_at,
            });
            emit.item(out, &item).map_err(failed)?;
        }
        out.pass_on().await
    }

    async fn emails(
        &self,
        db: &impl ConnectionTrait,
        out: &mut ZipOut,
        emit: &mut impl Emit,
    ) -> Result<(), AppError> {
        emit.section(out, Section::Emails).map_err(failed)?;
        let mut condition = Condition::all().add(outbox_emails::Column::CaseId.eq(self.case.id));
        if let Viewer::Client { me, .. } = self.viewer {
            condition = condition.add(outbox_emails::Column::PartnerId.eq(me));
        }
        let mut page = 0;
        loop {
            let found = outbox_emails::Entity::find()
                .filter(condition.clone())
                .order_by_asc(outbox_emails::Column::Id)
                .offset(page * EMAIL_PAGE)
                .limit(EMAIL_PAGE)
                .all(db)
                .await?;
            if found.is_empty() {
                break;
            }
            page += 1;
            for e in found {
                let item = Item::Email(EmailRecord {
                    id: e.id,
                    partner_id: e.partner_id,
                    kind: e.kind,
                    to_name: e.to_name,
                    subject: e.subject,
                    status: e.status,
                    created_at: e.created_at,
                    sent_at: e.sent_at,
                });
                emit.item(out, &item).map_err(failed)?;
            }
            out.pass_on().await?;
        }
        Ok(())
    }

    /// The case's therapy sessions with their notes and topics, oldest first.
    async fn therapy_sessions(
        &self,
        db: &impl ConnectionTrait,
        out: &mut ZipOut,
        emit: &mut impl Emit,
    ) -> Result<(), AppError> {
        emit.section(out, Section::TherapySessions).map_err(failed)?;
        let found = therapy_sessions::Entity::find()
            .filter(therapy_sessions::Column::CaseId.eq(self.case.id))
            .order_by_asc(therapy_sessions::Column::StartsAt)
            .order_by_asc(therapy_sessions::Column::Id)
            .all(db)
            .await?;
        let topics = therapy_session_topics::Entity::find()
            .filter(therapy_session_topics::Column::SessionId.is_in(found.iter().map(|s| s.id)))
            .order_by_asc(therapy_session_topics::Column::Id)
            .all(db)
            .await?;
        for session in found {
            let item = Item::Session(SessionRecord {
                topics: topics
                    .iter()
                    .filter(|t| t.session_id == session.id)
                    .map(|t| format!("{}:{}", t.kind.as_str(), t.record_id))
                    .collect(),
                id: session.id,
                status: session.status,
                starts_at: session.starts_at,
                minutes: session.minutes,
                attendance: session.attendance,
                note_format: session.note_format,
                note: session.note,
                data: session.note_data,
                assessment: session.note_assessment,
                plan: session.note_plan,
            });
            emit.item(out, &item).map_err(failed)?;
        }
        out.pass_on().await
    }

    /// The totals of each measure scheduled for the case: each partner's for the therapist,
    /// the client's own for a client.
    async fn measure_totals(
        &self,
        db: &impl ConnectionTrait,
        out: &mut ZipOut,
        emit: &mut impl Emit,
    ) -> Result<(), AppError> {
        emit.section(out, Section::MeasureTotals).map_err(failed)?;
        let own = self.own_partners();
        for results in measures::case_results(db, self.case.id, &self.partners).await? {
            for partner in results.partners.into_iter().filter(|p| own.contains(&p.partner_id)) {
                for point in partner.points {
                    let item = Item::MeasureTotal(MeasureTotalRecord {
                        schedule_id: results.schedule.id,
                        measure: results.measure.title.clone(),
                        partner_id: partner.partner_id,
                        due_on: point.due_on,
                        total: point.total.to_string(),
                        band: point.band,
                        version: point.version,
                    });
                    emit.item(out, &item).map_err(failed)?;
                }
            }
        }
        out.pass_on().await
    }

    /// The case's audit trail, oldest first, a page at a time (keyset on the entry id).
    async fn audit_trail(
        &self,
        db: &impl ConnectionTrait,
        out: &mut ZipOut,
        emit: &mut impl Emit,
    ) -> Result<(), AppError> {
        emit.section(out, Section::AuditTrail).map_err(failed)?;
        let mut after = 0_i64;
        loop {
            let found = audit_entries::Entity::find()
                .filter(audit_entries::Column::CaseId.eq(self.case.id))
                .filter(audit_entries::Column::Id.gt(after))
                .order_by_asc(audit_entries::Column::Id)
                .limit(AUDIT_PAGE)
                .all(db)
                .await?;
            let Some(last) = found.last() else {
                break;
            };
            after = last.id;
            for entry in found {
                let item = Item::Audit(AuditRecord {
                    id: entry.id,
                    occurred_at: entry.occurred_at,
                    actor_user_id: entry.actor_user_id,
                    action: entry.action,
                    outcome: entry.outcome,
                    partner_id: entry.partner_id,
                    record_type: entry.record_type,
                    record_id: entry.record_id,
                    client_address: entry.client_address,
                    session_ref: entry.session_ref,
                });
                emit.item(out, &item).map_err(failed)?;
            }
            out.pass_on().await?;
        }
        Ok(())
    }
}
