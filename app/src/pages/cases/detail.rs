//! The therapist's case page: both partners and their invitations, the case's status,
//! private notes and the case's email history.

use crate::api::page_data::page_data;

use super::{
    exchange::{exchange_sections, NoteActions},
    follow_up::FollowUpComposer,
    homework::{homework_section, HomeworkActions},
    sessions::TherapySessions,
};
use crate::{
    api::{
        cases::{
            load_case_page, CasePageView, CaseRecordsView, EraseContent, PartnerView, RemovePartner,
            SaveCaseNotes, SetCaseStatus,
        },
        invitations::{InvitePartner, RevokeInvitation},
    },
    components::{
        dates::short_date,
        email_table::EmailTable,
        form::{action_error, form_action, Field, FieldIds, FieldLayout, FormError, TextArea},
        guard::RequireRole,
    },
    domain::{
        case::{CaseStatus, InvitationState, MAX_NOTES_CHARS},
        Role,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// The actions on a case page, whose completion reloads the page's data.
#[derive(Clone, Copy)]
struct CaseActions {
    set_status: ServerAction<SetCaseStatus>,
    save_notes: ServerAction<SaveCaseNotes>,
    invite: ServerAction<InvitePartner>,
    revoke: ServerAction<RevokeInvitation>,
    remove_partner: ServerAction<RemovePartner>,
    erase: ServerAction<EraseContent>,
    homework: HomeworkActions,
    notes: NoteActions,
}

/// The case page.
#[component]
pub fn CasePage() -> impl IntoView {
    let params = use_params_map();
    let case_id = move || params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let actions = CaseActions {
        set_status: form_action(),
        save_notes: form_action(),
        invite: form_action(),
        revoke: form_action(),
        remove_partner: form_action(),
        erase: form_action(),
        homework: HomeworkActions::default(),
        notes: NoteActions::default(),
    };
    let case = page_data(
        move || {
            (
                case_id(),
                actions.set_status.version().get(),
                actions.invite.version().get(),
                actions.revoke.version().get(),
                actions.remove_partner.version().get(),
                actions.erase.version().get(),
                actions.homework.assign.version().get(),
                actions.homework.unlock.version().get(),
                actions.homework.assign_exercise.version().get(),
                actions.notes.open.version().get(),
                actions.notes.reply.version().get(),
                actions.notes.clear_flag.version().get() + actions.notes.pact.version(),
            )
        },
        |(id, ..)| load_case_page(id),
    );
    view! {
        <RequireRole role=Role::Therapist>
            <Transition fallback=|| view! { <p class="loading">"Loading the case…"</p> }>
                {move || Suspend::new(async move { case.await.map(|page| case_page(page, actions)) })}
            </Transition>
        </RequireRole>
    }
}

fn case_page(page: CasePageView, actions: CaseActions) -> impl IntoView {
    let CasePageView {
        case,
        homework,
        exchange,
        compose,
        templates,
        emails,
        smtp_configured,
        records: retention,
    } = page;
    let status_error = action_error(actions.set_status.value());
    let invite_error = Signal::derive(move || {
        actions
            .invite
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| actions.revoke.value().get().and_then(Result::err))
            .or_else(|| actions.remove_partner.value().get().and_then(Result::err))
    });
    let notes_error = action_error(actions.save_notes.value());
    let notes_saved = move || matches!(actions.save_notes.value().get(), Some(Ok(())));
    let edit = format!("/cases/{}/edit", case.id);
    let records = format!("/cases/{}/audit", case.id);
    let closed = case.status == CaseStatus::Closed;
    let status_buttons: Vec<(CaseStatus, &str)> = match case.status {
        CaseStatus::Active => vec![(CaseStatus::Paused, "Pause case"), (CaseStatus::Closed, "Close case")],
        CaseStatus::Paused => vec![(CaseStatus::Active, "Resume case"), (CaseStatus::Closed, "Close case")],
        CaseStatus::Closed => vec![(CaseStatus::Active, "Reopen case")],
    };
    let case_id = case.id;
    let partner_names: Vec<String> = case.partners.iter().map(|p| p.first_name.clone()).collect();
    let erasable: Vec<(i32, String)> = case
        .partners
        .iter()
        .filter(|p| !retention.erased_partners.contains(&p.id))
        .map(|p| (p.id, p.first_name.clone()))
        .collect();
    let urgent: Vec<String> =
        exchange.notes.iter().filter(|n| n.urgent && n.unread()).map(|n| n.partner.clone()).collect();
    view! {
        <Title text=case.label.clone()/>
        <article class="case" aria-labelledby="case-title">
            <div class="page-heading">
                <h1 id="case-title">{case.label.clone()}</h1>
                <span class=format!("badge badge-{}", case.status.as_str())>{case.status.label()}</span>
            </div>
            {crate::components::sample::sample_notice(&case)}
            {(!urgent.is_empty()).then(|| view! {
                <section class="notice notice-urgent" aria-labelledby="urgent-notes-title">
                    <h2 id="urgent-notes-title">"Urgent"</h2>
                    <p>
                        {match urgent.as_slice() {
                            [one] => format!("{one} marked a private note urgent. "),
                            _ => format!("{} urgent private notes are waiting. ", urgent.len()),
                        }}
                        <a href="#notes-from-clients">"Go to the private notes"</a>
                    </p>
                </section>
            })}
            <p class="aside">
                {format!("{} since {}. ", case.status.label(), short_date(case.status_changed_at))}
                {format!("Confidentiality policy: {}.", case.policy.label())}
            </p>
            {retention_notice(&retention)}
            <div class="case-actions">
                <A href=edit attr:class="button-secondary">"Edit case"</A>
                <A href=records attr:class="button-secondary">"Records"</A>
                <a href=crate::api::export::case_export_href(case.id) class="button-secondary" download="" rel="external">"Download the case record (ZIP)"</a>
                {status_buttons
                    .into_iter()
                    .map(|(status, label)| {
                        view! {
                            <ActionForm action=actions.set_status attr:class="inline-form">
                                <input type="hidden" name="case_id" value=case_id/>
                                <input type="hidden" name="status" value=status.as_str()/>
                                <button type="submit" class="button-secondary">{label}</button>
                            </ActionForm>
                        }
                    })
                    .collect_view()}
            </div>
            <FormError error=status_error/>

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
                    {case.partners.into_iter().map(|partner| partner_card(case_id, partner, closed, actions)).collect_view()}
                </div>
            </section>

            {homework_section(case_id, closed, homework, templates, partner_names, actions.homework)}
            {exchange_sections(case_id, exchange, actions.notes)}
            <TherapySessions case_id=case_id/>
            {super::measures::case_measures_section(case_id)}

            <section aria-labelledby="notes-title">
                <h2 id="notes-title">"Your notes"</h2>
                <ActionForm action=actions.save_notes>
                    <input type="hidden" name="case_id" value=case_id/>
                    <TextArea
                        label="General notes"
                        name="notes"
                        hint="Only you can read these. Clients never see them."
                        max_length=MAX_NOTES_CHARS
                        value=case.notes
                        error=notes_error
                    />
                    <div class="form-actions">
                        <button type="submit" class="button-secondary">"Save notes"</button>
                        <span role="status" class="saved-note">{move || notes_saved().then_some("Notes saved.")}</span>
                    </div>
                </ActionForm>
            </section>

            <section aria-labelledby="follow-up-title">
                <h2 id="follow-up-title">"Follow-up email"</h2>
                {(!compose.slots.is_empty()).then(|| view! {
                    <h3>"Proposed consultation times"</h3>
                    <ul>
                        {compose.slots.iter().map(|slot| view! {
                            <li>{match &slot.chosen_by {
                                Some(name) => format!("{} — chosen by {name}", slot.when),
                                None => format!("{} — not chosen", slot.when),
                            }}</li>
                        }).collect_view()}
                    </ul>
                })}
                {(!closed).then(|| view! { <FollowUpComposer case_id=case_id compose=compose.clone()/> })}
            </section>

            <section aria-labelledby="emails-title">
                <h2 id="emails-title">"Emails"</h2>
                <EmailTable emails=emails/>
            </section>

            {erase_section(case_id, retention.erased_at.is_none(), erasable, actions.erase)}
        </article>
    }
}

fn partner_card(case_id: i32, partner: PartnerView, closed: bool, actions: CaseActions) -> impl IntoView {
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

/// When a closed case will be purged, or when its content was erased.
fn retention_notice(records: &CaseRecordsView) -> impl IntoView {
    let text = match (records.erased_at, records.purge_on) {
        (Some(at), _) => Some(format!("This case's content was erased on {}.", short_date(at))),
        (None, Some(on)) => Some(format!(
            "Closed cases are kept {} years (Settings): this case's content will be purged on {}.",
            records.retention_years,
            short_date(on)
        )),
        (None, None) => None,
    };
    text.map(|text| view! { <p class="notice notice-info retention-notice">{text}</p> })
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
