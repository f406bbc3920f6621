//! The case page's overview tab: what needs the therapist now (urgent and unread private
//! notes, submissions to review, overdue work, every-wish-declined flags), where each
//! partner is, each partner's closeness trend, the partners with their invitations, and
//! erasing content on request.

use super::{exchange::declined_flags, homework::current_steps};
use crate::domain::date_text;
use crate::{
    api::{
        cases::{
            CaseOverviewView, CaseRecordsView, CaseView, EraseContent, PartnerCloseness, PartnerView,
            RemovePartner,
        },
        exchange::{ClearDeclinedFlag, ProgressView},
        homework::CaseHomeworkView,
        invitations::{InvitePartner, RevokeInvitation},
    },
    components::{
        chart::{closeness_text, sparkline},
        dates::date_time,
        form::{action_error, form_action, Field, FieldIds, FieldLayout, FormError},
        progress::ProgrammeProgress,
    },
    domain::{
        case::{CaseStatus, CaseTab, InvitationState},
        homework::ResponseStatus,
    },
};
use leptos::{either::Either, prelude::*};
use leptos_router::components::A;

/// The overview's actions, whose completion reloads the tab.
#[derive(Clone, Copy)]
pub struct OverviewActions {
    /// Invites a partner (again).
    pub invite: ServerAction<InvitePartner>,
    /// Revokes a waiting invitation.
    pub revoke: ServerAction<RevokeInvitation>,
    /// Removes a partner from the case.
    pub remove_partner: ServerAction<RemovePartner>,
    /// Erases a partner's or the case's content.
    pub erase: ServerAction<EraseContent>,
    /// Clears a partner's "every wish declined" flag.
    pub clear_flag: ServerAction<ClearDeclinedFlag>,
}

impl Default for OverviewActions {
    fn default() -> Self {
        OverviewActions {
            invite: form_action(),
            revoke: form_action(),
            remove_partner: form_action(),
            erase: form_action(),
            clear_flag: form_action(),
        }
    }
}

impl OverviewActions {
    /// Changes whenever one of the actions completes (read in a tracking context).
    pub fn version(&self) -> usize {
        self.invite.version().get()
            + self.revoke.version().get()
            + self.remove_partner.version().get()
            + self.erase.version().get()
            + self.clear_flag.version().get()
    }
}

/// The overview tab.
#[component]
pub fn CaseOverview(
    /// The case and its partners.
    case: CaseView,
    /// The overview's facts.
    overview: CaseOverviewView,
    /// Erasure and retention facts.
    records: CaseRecordsView,
    /// False when invitations wait in the outbox.
    smtp_configured: bool,
    /// The tab's actions.
    actions: OverviewActions,
) -> impl IntoView {
    let case_id = case.id;
    let closed = case.status == CaseStatus::Closed;
    let erasable: Vec<(i32, String)> = case
        .partners
        .iter()
        .filter(|p| !records.erased_partners.contains(&p.id))
        .map(|p| (p.id, p.first_name.clone()))
        .collect();
    view! {
        <NeedsYouNow case_id overview=overview.clone() clear_flag=actions.clear_flag/>
        <div class="overview-grid">
            <WhereEachPartnerIs case_id homework=overview.homework progress=overview.progress/>
            <ClosenessTrends case_id closeness=overview.closeness/>
        </div>
        <Partners case_id partners=case.partners closed smtp_configured actions/>
        {erase_section(case_id, records.erased_at.is_none(), erasable, actions.erase)}
    }
}

/// One thing that needs the therapist, with the link that leads to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attention {
    /// What it is, in a sentence.
    pub text: String,
    /// Where to go.
    pub href: String,
    /// The link's words.
    pub link: String,
    /// An urgent private note.
    pub urgent: bool,
}

/// What needs the therapist now, most pressing first: urgent unread private notes, other
/// unread notes, submissions waiting for review, then open homework past its due date.
pub fn needs_attention(case_id: i32, overview: &CaseOverviewView) -> Vec<Attention> {
    let notes_href = CaseTab::Notes.href(case_id);
    let mut items = Vec::new();
    for note in overview.unread_notes.iter().filter(|n| n.urgent) {
        items.push(Attention {
            text: format!("{} marked a private note urgent ({}).", note.partner, date_time(note.created_at)),
            href: notes_href.clone(),
            link: "Open it under Notes".to_owned(),
            urgent: true,
        });
    }
    let other_notes = overview.unread_notes.iter().filter(|n| !n.urgent).count();
    if other_notes > 0 {
        let mut writers: Vec<&str> = Vec::new();
        for note in overview.unread_notes.iter().filter(|n| !n.urgent) {
            if !writers.contains(&note.partner.as_str()) {
                writers.push(&note.partner);
            }
        }
        let noun = if other_notes == 1 { "private note" } else { "private notes" };
        items.push(Attention {
            text: format!("{other_notes} new {noun} from {}.", writers.join(" and ")),
            href: notes_href,
            link: "Read under Notes".to_owned(),
            urgent: false,
        });
    }
    let open = overview.homework.rows.iter().filter(|row| row.unlocked_at.is_some());
    for row in open.clone() {
        let waiting: Vec<&str> = row
            .partners
            .iter()
            .filter(|p| p.progress == ResponseStatus::Submitted)
            .map(|p| p.first_name.as_str())
            .collect();
        if !waiting.is_empty() {
            items.push(Attention {
                text: format!("{} submitted {}.", waiting.join(" and "), row.title),
                href: format!("/review/{}", row.assignment_id),
                link: format!("Review {}", row.title),
                urgent: false,
            });
        }
    }
    for row in open {
        let Some(due) = row.due_on.filter(|due| *due < overview.today) else { continue };
        let late: Vec<&str> =
            row.partners.iter().filter(|p| !p.progress.is_done()).map(|p| p.first_name.as_str()).collect();
        if !late.is_empty() {
            items.push(Attention {
                text: format!(
                    "{} was due on {}; {} not finished it.",
                    row.title,
                    date_text::day_month_year(&due),
                    match late.as_slice() {
                        [one] => format!("{one} has"),
                        _ => format!("{} have", late.join(" and ")),
                    }
                ),
                href: CaseTab::Homework.href(case_id),
                link: "See the homework".to_owned(),
                urgent: false,
            });
        }
    }
    items
}

/// What needs the therapist now, each with a link to where it is dealt with, and the
/// every-wish-declined flags with their "clear" buttons.
#[component]
pub fn NeedsYouNow(
    /// The case.
    case_id: i32,
    /// The overview's facts.
    overview: CaseOverviewView,
    /// Clears a flag.
    clear_flag: ServerAction<ClearDeclinedFlag>,
) -> impl IntoView {
    let items = needs_attention(case_id, &overview);
    let flagged = overview.progress.partners.iter().any(|p| p.flagged);
    let urgent = items.iter().any(|item| item.urgent);
    view! {
        <section aria-labelledby="needs-you-title" class=if urgent { "needs-you notice-urgent" } else { "needs-you" }>
            <h2 id="needs-you-title">"Needs you now"</h2>
            {if items.is_empty() && !flagged {
                Either::Left(view! { <p>"Nothing is waiting for you on this case."</p> })
            } else {
                Either::Right(view! {
                    <ul class="attention-list">
                        {items.into_iter().map(|item| view! {
                            <li class:attention-urgent=item.urgent>
                                {item.urgent.then(|| view! { <span class="badge badge-urgent">"Urgent"</span>" " })}
                                {item.text}" "
                                <A href=item.href>{item.link}</A>
                            </li>
                        }).collect_view()}
                    </ul>
                })
            }}
            {declined_flags(case_id, &overview.progress, clear_flag)}
        </section>
    }
}

/// Where each partner is: their first unfinished homework, and how far the couple is in
/// steps 3 to 5.
#[component]
pub fn WhereEachPartnerIs(
    /// The case.
    case_id: i32,
    /// Assignments and each partner's progress.
    homework: CaseHomeworkView,
    /// Steps 3 to 5.
    progress: ProgressView,
) -> impl IntoView {
    let steps = current_steps(&homework.rows);
    view! {
        <section aria-labelledby="where-title" class="card">
            <h2 id="where-title">"Where each partner is"</h2>
            {if steps.is_empty() {
                Either::Left(view! {
                    <p>"Nothing assigned yet. " <A href=CaseTab::Homework.href(case_id)>"Assign homework"</A></p>
                })
            } else {
                Either::Right(view! {
                    <ul class="current-steps">
                        {steps.into_iter().map(|(name, text)| view! { <li><strong>{name}</strong>": "{text}</li> }).collect_view()}
                    </ul>
                })
            }}
            {(!progress.open_steps.is_empty()).then(|| view! {
                <ProgrammeProgress progress=progress.clone() heading_id="overview-progress"/>
            })}
        </section>
    }
}

/// Each partner's closeness over the last weeks: a small line with the same numbers in
/// words; the full chart and its table are on the "Together" tab.
#[component]
pub fn ClosenessTrends(
    /// The case.
    case_id: i32,
    /// Each partner's weekly closeness.
    closeness: Vec<PartnerCloseness>,
) -> impl IntoView {
    let any = closeness.iter().any(|p| !p.trend.is_empty());
    view! {
        <section aria-labelledby="closeness-title" class="card">
            <h2 id="closeness-title">"Closeness"</h2>
            {if any {
                Either::Left(view! {
                    <ul class="closeness-trends">
                        {closeness.into_iter().map(|p| view! {
                            <li>
                                <strong>{p.partner}</strong>" "
                                {(!p.trend.is_empty()).then(|| sparkline(&p.trend))}" "
                                <span>{closeness_text(&p.trend)}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                    <p><A href=CaseTab::Together.href(case_id)>"The check-ins as a chart and a table"</A></p>
                })
            } else {
                Either::Right(view! { <p>"No check-ins yet."</p> })
            }}
        </section>
    }
}

/// Both partners with their details and invitations.
#[component]
pub fn Partners(
    /// The case.
    case_id: i32,
    /// Partner A and partner B.
    partners: Vec<PartnerView>,
    /// A closed case invites nobody.
    closed: bool,
    /// False when invitations wait in the outbox.
    smtp_configured: bool,
    /// Inviting, revoking and removing.
    actions: OverviewActions,
) -> impl IntoView {
    let invite_error = Signal::derive(move || {
        actions
            .invite
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| actions.revoke.value().get().and_then(Result::err))
            .or_else(|| actions.remove_partner.value().get().and_then(Result::err))
    });
    view! {
        <section aria-labelledby="partners-title">
            <h2 id="partners-title">"Partners"</h2>
            <FormError error=invite_error/>
            {(!smtp_configured).then(|| view! {
                <p class="notice notice-info">
                    "No mail server is set up, so invitations wait in your "
                    <A href="/outbox">"outbox"</A>
                    ", where you can open each link and pass it on yourself."
                </p>
            })}
            <div class="partner-cards">
                {partners.into_iter().map(|partner| partner_card(case_id, partner, closed, actions)).collect_view()}
            </div>
        </section>
    }
}

fn partner_card(case_id: i32, partner: PartnerView, closed: bool, actions: OverviewActions) -> impl IntoView {
    let full_name = match &partner.last_name {
        Some(last) => format!("{} {last}", partner.first_name),
        None => partner.first_name.clone(),
    };
    let removed = partner.invitation == InvitationState::Removed;
    let can_invite = !closed && !removed && partner.invitation != InvitationState::Joined;
    let invite_label = match partner.invitation {
        InvitationState::NotInvited => format!("Invite {}", partner.first_name),
        _ => format!("Send {} a new invitation", partner.first_name),
    };
    let can_revoke = partner.invitation == InvitationState::Invited;
    view! {
        <section class="card partner-card" aria-label=full_name.clone()>
            <h3>{full_name.clone()}</h3>
            <dl>
                <dt>"Email"</dt>
                <dd>{partner.email}</dd>
                {partner.pronouns.map(|pronouns| view! { <dt>"Pronouns"</dt><dd>{pronouns}</dd> })}
                <dt>"Seeks more of"</dt>
                <dd>{partner.seeks.label()}</dd>
                <dt>"Invitation"</dt>
                <dd class="invitation-state">{partner.invitation.label()}</dd>
            </dl>
            <div class="case-actions">
                {can_invite.then(|| view! {
                    <ActionForm action=actions.invite attr:class="inline-form">
                        <input type="hidden" name="case_id" value=case_id/>
                        <input type="hidden" name="partner_id" value=partner.id/>
                        <button type="submit" class="button-primary">{invite_label.clone()}</button>
                    </ActionForm>
                })}
                {can_revoke.then(|| view! {
                    <ActionForm action=actions.revoke attr:class="inline-form">
                        <input type="hidden" name="case_id" value=case_id/>
                        <input type="hidden" name="partner_id" value=partner.id/>
                        <button type="submit" class="button-secondary">"Revoke invitation"</button>
                    </ActionForm>
                })}
            </div>
            {(!removed).then(|| {
                let first_name = partner.first_name.clone();
                view! {
                    <details class="remove-partner">
                        <summary>{format!("Remove {first_name} from this case…")}</summary>
                        <p class="field-hint">
                            {format!(
                                "For example after a separation. {first_name}'s access ends at once: they are signed out and can no longer open this case, only send you a private note and download their own writing. What {first_name} wrote stays with you and is no longer shown to their partner."
                            )}
                        </p>
                        <ActionForm action=actions.remove_partner attr:class="inline-form">
                            <input type="hidden" name="case_id" value=case_id/>
                            <input type="hidden" name="partner_id" value=partner.id/>
                            <button type="submit" class="button-danger">{format!("Remove {first_name} now")}</button>
                        </ActionForm>
                    </details>
                }
            })}
        </section>
    }
}

/// The form that erases one partner's content or the whole case's, with what goes and what
/// stays said before the button. Works without JavaScript (a plain form post).
fn erase_section(
    case_id: i32,
    case_has_content: bool,
    partners: Vec<(i32, String)>,
    erase: ServerAction<EraseContent>,
) -> impl IntoView {
    let error = action_error(erase.value());
    let done = move || {
        erase.value().get().and_then(Result::ok).map(|erased| {
            let total: u64 = erased.counts.iter().map(|(_, count)| count).sum();
            format!("Erased {total} records. The audit trail keeps a note of what was erased, without the content.")
        })
    };
    let mut options: Vec<(String, String)> =
        partners.into_iter().map(|(id, name)| (id.to_string(), format!("{name}'s content"))).collect();
    if case_has_content {
        options.push(("case".to_owned(), "The whole case: both partners' content and your notes".to_owned()));
    }
    let scope = FieldIds::for_name("scope");
    let understood = FieldIds::for_name("understood");
    let message =
        move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.message_for(name)));
    (!options.is_empty()).then(|| view! {
        <section aria-labelledby="erase-title">
            <h2 id="erase-title">"Erase content"</h2>
            <details class="erase-content">
                <summary>"Erase a partner's content or the whole case on request…"</summary>
                <p>"Use this when a client asks for their data to be deleted, or when you must not keep it. It cannot be undone: export the record first if you need a copy."</p>
                <p><strong>"What goes: "</strong>"the partner's answers, drafts and shared copies with your comments on them, the wishes between the partners with their answers and agreements (they hold both partners' words), check-ins, step 5 writing, private notes and your replies, consultation links, the text of every email about them (unsent emails are cancelled), their name, email and pronouns, and their client account (they are signed out at once and cannot sign in again). For the whole case, also your notes, the notes on its homework, its proposed consultation times and its name; the case is closed."</p>
                <p><strong>"What stays: "</strong>"the audit trail, untouched, with one more entry saying what kinds of record were erased and how many, when and by you — never their content; the email list's subjects, recipients and times; the partner as \"Erased\"."</p>
                <ActionForm action=erase>
                    <input type="hidden" name="case_id" value=case_id/>
                    <Field ids=scope.clone() label="What to erase" error=message("scope")>
                        <select id=scope.control.clone() name="scope">
                            {options.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                        </select>
                    </Field>
                    <Field ids=understood.clone() label="I understand that this cannot be undone" layout=FieldLayout::Beside error=message("understood")>
                        <input type="checkbox" id=understood.control.clone() name="understood" value="yes"/>
                    </Field>
                    <FormError error=error/>
                    <div class="form-actions">
                        <button type="submit" class="button-danger">"Erase now"</button>
                        <span role="status" class="saved-note">{done}</span>
                    </div>
                </ActionForm>
            </details>
        </section>
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{
        cases::UnreadNoteView,
        homework::{AssignmentRow, PartnerProgress},
    };
    use chrono::{NaiveDate, TimeZone, Utc};

    fn row(id: i32, due: Option<NaiveDate>, progress: [ResponseStatus; 2]) -> AssignmentRow {
        AssignmentRow {
            assignment_id: id,
            step_number: Some(id as i16),
            title: format!("Step {id}"),
            assigned_at: crate::domain::time_zone::TimeZoneName::stored("UTC")
                .local(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()),
            unlocked_at: Some(
                crate::domain::time_zone::TimeZoneName::stored("UTC")
                    .local(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()),
            ),
            due_on: due,
            note: String::new(),
            skipped: None,
            partners: ["Alex", "Sam"]
                .into_iter()
                .zip(progress)
                .map(|(name, progress)| PartnerProgress {
                    first_name: name.to_owned(),
                    progress,
                    submitted_at: None,
                    reviewed_at: None,
                })
                .collect(),
        }
    }

    #[test]
    fn urgent_notes_come_first_then_notes_reviews_and_overdue_work() {
        use ResponseStatus::*;
        let today = NaiveDate::from_ymd_opt(2026, 11, 10).unwrap();
        let note = |partner: &str, urgent| UnreadNoteView {
            partner: partner.to_owned(),
            urgent,
            created_at: Utc.with_ymd_and_hms(2026, 11, 9, 9, 0, 0).unwrap(),
        };
        let overview = CaseOverviewView {
            homework: CaseHomeworkView {
                has_programme: true,
                rows: vec![
                    row(1, Some(today.pred_opt().unwrap()), [Submitted, Draft]),
                    row(2, Some(today), [NotStarted, NotStarted]),
                ],
            },
            progress: ProgressView { open_steps: vec![1, 2], partners: Vec::new() },
            unread_notes: vec![note("Sam", false), note("Alex", true), note("Sam", false)],
            closeness: Vec::new(),
            today,
        };
        let items = needs_attention(7, &overview);
        let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
        assert!(items[0].urgent && texts[0].starts_with("Alex marked a private note urgent"), "{texts:?}");
        assert_eq!(texts[1], "2 new private notes from Sam.");
        assert_eq!(items[1].href, "/cases/7/notes");
        assert_eq!(texts[2], "Alex submitted Step 1.");
        assert_eq!(items[2].href, "/review/1");
        assert_eq!(texts[3], "Step 1 was due on 9 Nov 2026; Sam has not finished it.");
        assert_eq!(items[3].href, "/cases/7/homework");
        assert_eq!(items.len(), 4, "due today is not overdue: {texts:?}");
    }
}
