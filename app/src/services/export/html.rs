//! `record.html`: the same records as `record.json`, to read and print. The stylesheet is
//! inside the file; in print each programme step (and step 5) starts a new page and the two
//! partners' writing stands side by side. Check-ins are a table, a week to a row with both
//! partners, followed by the closeness chart as inline SVG (drawn from the ratings gathered
//! while the rows streamed past: four small numbers a week). Every text is escaped.

use super::{
    schema::{AnswerRecord, CheckInRecord, Header, Item, RecordKind, ResponseRecord, Section},
    Emit,
};
use crate::domain::therapy_session::NoteFormat;
use chrono::{DateTime, NaiveDate, Utc};
use std::io::{self, Write};

/// The stylesheet, screen and print.
const STYLE: &str = "body{font-family:Georgia,serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}\
h1,h2,h3,h4{font-family:Helvetica,Arial,sans-serif}\
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.9rem}\
th,td{border:1px solid #bbb;padding:.3rem .45rem;text-align:left;vertical-align:top}\
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}\
.partner{border-top:3px solid #2f6f6a;padding-top:.3rem}\
.partner:nth-child(2){border-top-color:#7a4fa3}\
.answer{white-space:pre-wrap;margin:0 0 .8rem}\
.meta{color:#555;font-size:.85rem}\
.text{white-space:pre-wrap}\
svg{max-width:100%;height:auto}\
@media print{body{margin:0;max-width:none}.step{break-before:page;page-break-before:always}\
h2{break-after:avoid}tr,.partner dd{break-inside:avoid}a{color:inherit;text-decoration:none}}";

const CHART_WIDTH: f32 = 720.0;
const CHART_HEIGHT: f32 = 260.0;
const CHART_MARGIN: f32 = 36.0;
const COLOURS: [&str; 4] = ["#2f6f6a", "#7fb8b2", "#7a4fa3", "#c3a6e0"];

/// Text made safe for HTML.
fn escape(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => safe.push_str("&amp;"),
            '<' => safe.push_str("&lt;"),
            '>' => safe.push_str("&gt;"),
            '"' => safe.push_str("&quot;"),
            '\'' => safe.push_str("&#39;"),
            _ => safe.push(c),
        }
    }
    safe
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| at.format("%-d %b %Y %H:%M UTC").to_string()).unwrap_or_default()
}

/// Writes `record.html`.
#[derive(Debug, Default)]
pub struct HtmlOut {
    /// The partners' ids and first names, A first.
    partners: Vec<(i32, String)>,
    /// The open list, to close.
    open: Option<Section>,
    /// The check-ins of the week being gathered into one row.
    week: Vec<CheckInRecord>,
    /// Every rating seen: week, partner's column, emotional, physical.
    ratings: Vec<(NaiveDate, usize, i16, i16)>,
}

impl HtmlOut {
    fn name(&self, partner_id: i32) -> String {
        self.partners.iter().find(|(id, _)| *id == partner_id).map(|(_, n)| escape(n)).unwrap_or_default()
    }

    fn column(&self, partner_id: i32) -> usize {
        self.partners.iter().position(|(id, _)| *id == partner_id).unwrap_or(0)
    }

    fn answers(out: &mut impl Write, answers: &[AnswerRecord]) -> io::Result<()> {
        if answers.is_empty() {
            return writeln!(out, "<p class=\"meta\">Nothing written.</p>");
        }
        writeln!(out, "<dl>")?;
        for answer in answers {
            writeln!(
                out,
                "<dt>{}</dt><dd class=\"answer\">{}</dd>",
                escape(&answer.prompt),
                escape(&answer.answer)
            )?;
        }
        writeln!(out, "</dl>")
    }

    fn response(&self, out: &mut impl Write, response: Option<&ResponseRecord>) -> io::Result<()> {
        let Some(response) = response else {
            return writeln!(out, "<p class=\"meta\">No response.</p>");
        };
        let status = response.status.map(|s| s.label()).unwrap_or("shared with you");
        writeln!(
            out,
            "<p class=\"meta\">{}{}{}</p>",
            escape(status),
            response.submitted_at.map(|at| format!(" · submitted {}", when(Some(at)))).unwrap_or_default(),
            response.shared_at.map(|at| format!(" · shared {}", when(Some(at)))).unwrap_or_default(),
        )?;
        Self::answers(out, &response.answers)?;
        if let Some(shared) = &response.shared_answers {
            writeln!(out, "<h5>The version the other partner sees</h5>")?;
            Self::answers(out, shared)?;
        }
        for comment in &response.comments {
            writeln!(
                out,
                "<p class=\"text\"><strong>Therapist's comment</strong> ({}): {}</p>",
                when(Some(comment.created_at)),
                escape(&comment.body)
            )?;
        }
        Ok(())
    }

    fn check_in_cells(&self, check_in: Option<&CheckInRecord>) -> String {
        match check_in {
            None => "<td></td><td></td><td></td>".to_owned(),
            Some(c) => format!(
                "<td>{} / {}</td><td>{} · {}</td><td class=\"text\">{}</td>",
                c.emotional,
                c.physical,
                escape(c.my_part.as_deref().unwrap_or("–")),
                escape(c.noticed.as_deref().unwrap_or("–")),
                escape(c.note.as_deref().unwrap_or("")),
            ),
        }
    }

    /// Writes the gathered week as one row.
    fn week_row(&mut self, out: &mut impl Write) -> io::Result<()> {
        let Some(first) = self.week.first() else {
            return Ok(());
        };
        let mut row = format!("<tr><td>{}</td>", first.week_start);
        for (id, _) in &self.partners {
            row.push_str(&self.check_in_cells(self.week.iter().find(|c| c.partner_id == *id)));
        }
        self.week.clear();
        writeln!(out, "{row}</tr>")
    }

    /// The closeness chart: a line per partner and rating, weeks along, 0–10 up.
    fn chart(&self, out: &mut impl Write) -> io::Result<()> {
        let mut weeks: Vec<NaiveDate> = self.ratings.iter().map(|r| r.0).collect();
        weeks.dedup();
        if weeks.is_empty() {
            return writeln!(out, "<p class=\"meta\">No check-ins.</p>");
        }
        let span = (weeks.len().max(2) - 1) as f32;
        let x = |week: NaiveDate| {
            let index = weeks.partition_point(|w| *w < week) as f32;
            CHART_MARGIN + (CHART_WIDTH - 2.0 * CHART_MARGIN) * index / span
        };
        let y = |value: i16| {
            CHART_MARGIN + (CHART_HEIGHT - 2.0 * CHART_MARGIN) * (1.0 - f32::from(value.clamp(0, 10)) / 10.0)
        };
        writeln!(
            out,
            "<svg role=\"img\" aria-labelledby=\"chart-title\" viewBox=\"0 0 {CHART_WIDTH} {CHART_HEIGHT}\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"chart-title\">Closeness over the weeks, 0 to 10</title>"
        )?;
        for value in [0, 5, 10] {
            writeln!(
                out,
                "<line x1=\"{m}\" x2=\"{w}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#ddd\"/><text x=\"4\" y=\"{ty}\" font-size=\"11\">{value}</text>",
                m = CHART_MARGIN,
                w = CHART_WIDTH - CHART_MARGIN,
                y = y(value),
                ty = y(value) + 4.0
            )?;
        }
        let mut legend = 0;
        for (column, (_, name)) in self.partners.iter().enumerate() {
            for (index, label) in ["emotional", "physical"].into_iter().enumerate() {
                let points: Vec<String> = self
                    .ratings
                    .iter()
                    .filter(|r| r.1 == column)
                    .map(|r| format!("{:.1},{:.1}", x(r.0), y(if index == 0 { r.2 } else { r.3 })))
                    .collect();
                if points.is_empty() {
                    continue;
                }
                let colour = COLOURS[(column * 2 + index) % COLOURS.len()];
                let dash = if index == 1 { " stroke-dasharray=\"6 4\"" } else { "" };
                writeln!(
                    out,
                    "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash} points=\"{}\"/>",
                    points.join(" ")
                )?;
                writeln!(
                    out,
                    "<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"{colour}\">{} – {label}</text>",
                    CHART_MARGIN + 150.0 * legend as f32,
                    CHART_HEIGHT - 8.0,
                    escape(name)
                )?;
                legend += 1;
            }
        }
        writeln!(
            out,
            "<text x=\"{m}\" y=\"{ty}\" font-size=\"11\">{}</text><text x=\"{r}\" y=\"{ty}\" font-size=\"11\" text-anchor=\"end\">{}</text></svg>",
            weeks[0],
            weeks[weeks.len() - 1],
            m = CHART_MARGIN,
            r = CHART_WIDTH - CHART_MARGIN,
            ty = CHART_HEIGHT - 22.0,
        )
    }

    /// Closes the open list.
    fn close(&mut self, out: &mut impl Write) -> io::Result<()> {
        match self.open.take() {
            Some(Section::CheckIns) => {
                self.week_row(out)?;
                writeln!(out, "</tbody></table>")?;
                self.chart(out)?;
            }
            Some(
                Section::Wishes
                | Section::Agreements
                | Section::Emails
                | Section::TherapySessions
                | Section::MeasureTotals
                | Section::AuditTrail,
            ) => {
                writeln!(out, "</tbody></table>")?;
            }
            Some(Section::Pact) => writeln!(out, "</div></section>")?,
            Some(Section::Homework | Section::PrivateNotes) | None => {}
        }
        Ok(())
    }
}

impl Emit for HtmlOut {
    fn begin(&mut self, out: &mut impl Write, header: &Header) -> io::Result<()> {
        self.partners = header.partners.iter().map(|p| (p.id, p.first_name.clone())).collect();
        let title = match header.kind {
            RecordKind::CaseRecord => format!("Record of {}", header.case.label),
            RecordKind::ClientRecord => format!("My record: {}", header.case.label),
        };
        writeln!(
            out,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{STYLE}</style></head><body>\n<h1>{t}</h1>\n<p class=\"meta\">Exported from Babysteps on {} · case {} · {} · {}</p>",
            when(Some(header.exported_at)),
            header.case.id,
            header.case.status.label(),
            header.case.confidentiality_policy.label(),
            t = escape(&title),
        )?;
        writeln!(out, "<div class=\"pair\">")?;
        for partner in &header.partners {
            writeln!(
                out,
                "<div class=\"partner\"><h2>{} {} ({})</h2><p class=\"meta\">{}{}{}{}</p></div>",
                escape(&partner.first_name),
                escape(partner.last_name.as_deref().unwrap_or("")),
                partner.position,
                escape(partner.email.as_deref().unwrap_or("")),
                partner.pronouns.as_deref().map(|p| format!(" · {}", escape(p))).unwrap_or_default(),
                partner.seeks.map(|s| format!(" · seeks {}", escape(s.label()))).unwrap_or_default(),
                partner.removed_at.map(|at| format!(" · removed {}", when(Some(at)))).unwrap_or_default(),
            )?;
        }
        writeln!(out, "</div>")?;
        if let Some(notes) = &header.case.therapist_notes {
            writeln!(out, "<h2>Therapist's notes</h2><p class=\"text\">{}</p>", escape(notes))?;
        }
        Ok(())
    }

    fn section(&mut self, out: &mut impl Write, section: Section) -> io::Result<()> {
        self.close(out)?;
        self.open = Some(section);
        let names: Vec<String> = self.partners.iter().map(|(_, n)| escape(n)).collect();
        match section {
            Section::Pact => {
                writeln!(out, "<section class=\"step\"><h2>{}</h2><div class=\"pair\">", section.heading())
            }
            Section::Homework | Section::PrivateNotes => writeln!(out, "<h2>{}</h2>", section.heading()),
            Section::Wishes => writeln!(
                out,
                "<h2>{}</h2><table><thead><tr><th>From</th><th>To</th><th>Wish</th><th>State</th><th>Ease</th><th>Offers</th></tr></thead><tbody>",
                section.heading()
            ),
            Section::Agreements => writeln!(
                out,
                "<h2>{}</h2><table><thead><tr><th>Who does it</th><th>For</th><th>What</th><th>Times a week</th><th>Chosen</th></tr></thead><tbody>",
                section.heading()
            ),
            Section::CheckIns => {
                let mut head = String::from("<tr><th rowspan=\"2\">Week</th>");
                for name in &names {
                    head.push_str(&format!("<th colspan=\"3\">{name}</th>"));
                }
                head.push_str("</tr><tr>");
                for _ in &names {
                    head.push_str("<th>Closeness (emotional / physical)</th><th>My part · noticed</th><th>Note</th>");
                }
                writeln!(out, "<section class=\"step\"><h2>{}</h2></section><table><thead>{head}</tr></thead><tbody>", section.heading())
            }
            Section::Emails => writeln!(
                out,
                "<h2>{}</h2><table><thead><tr><th>Queued</th><th>To</th><th>Kind</th><th>Subject</th><th>Status</th><th>Sent</th></tr></thead><tbody>",
                section.heading()
            ),
            Section::TherapySessions => writeln!(
                out,
                "<h2>{}</h2><table><thead><tr><th>When (UTC)</th><th>Status</th><th>Minutes</th><th>Attended</th><th>Note</th><th>Discussed</th></tr></thead><tbody>",
                section.heading()
            ),
            Section::MeasureTotals => writeln!(
                out,
                "<h2>{}</h2><table><thead><tr><th>Measure</th><th>Partner</th><th>Due</th><th>Total</th><th>Band</th><th>Version</th></tr></thead><tbody>",
                section.heading()
            ),
            Section::AuditTrail => writeln!(
                out,
                "<h2 class=\"step\">{}</h2><table><thead><tr><th>When (UTC)</th><th>Account</th><th>Action</th><th>Outcome</th><th>Partner</th><th>Record</th><th>Address</th><th>Session</th></tr></thead><tbody>",
                section.heading()
            ),
        }
    }

    fn item(&mut self, out: &mut impl Write, item: &Item) -> io::Result<()> {
        match item {
            Item::Assignment(a) => {
                let step = a.step_number.map(|n| format!("Step {n}: ")).unwrap_or_default();
                writeln!(
                    out,
                    "<section class=\"step\"><h3>{step}{}</h3><p class=\"meta\">Assigned {}{}</p>",
                    escape(&a.title),
                    when(Some(a.created_at)),
                    a.due_on.map(|d| format!(" · due {d}")).unwrap_or_default()
                )?;
                if !a.note.is_empty() {
                    writeln!(out, "<p class=\"text\">{}</p>", escape(&a.note))?;
                }
                writeln!(out, "<div class=\"pair\">")?;
                for (id, name) in &self.partners {
                    writeln!(out, "<div class=\"partner\"><h4>{}</h4>", escape(name))?;
                    self.response(out, a.responses.iter().find(|r| r.partner_id == *id))?;
                    writeln!(out, "</div>")?;
                }
                writeln!(out, "</div></section>")
            }
            Item::Wish(w) => {
                let offers: Vec<String> = w
                    .offers
                    .iter()
                    .map(|o| format!("{} ({})", escape(&o.text), escape(o.status.label())))
                    .collect();
                writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td class=\"text\">{}</td><td>{}</td><td>{}</td><td class=\"text\">{}</td></tr>",
                    self.name(w.wisher_id),
                    self.name(w.addressee_id),
                    escape(&w.text),
                    escape(w.state.label()),
                    w.ease.map(|e| e.to_string()).unwrap_or_default(),
                    offers.join("<br>")
                )
            }
            Item::Agreement(a) => writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"text\">{}</td><td>{}</td><td>{}</td></tr>",
                self.name(a.giver_id),
                self.name(a.receiver_id),
                escape(&a.text),
                a.times_per_week,
                if a.chosen { "yes" } else { "no" }
            ),
            Item::CheckIn(c) => {
                if self.week.first().is_some_and(|first| first.week_start != c.week_start) {
                    self.week_row(out)?;
                }
                self.ratings.push((c.week_start, self.column(c.partner_id), c.emotional, c.physical));
                self.week.push(c.clone());
                Ok(())
            }
            Item::Pact(p) => writeln!(
                out,
                "<div class=\"partner\"><h3>{}</h3><p class=\"text\">{}</p><p class=\"meta\">{}{}{}</p></div>",
                self.name(p.partner_id),
                escape(&p.letting_go),
                if p.shared { "shared with the other partner" } else { "not shared" },
                if p.wants_conversation { " · asked for one more conversation" } else { "" },
                p.confirmed_at.map(|at| format!(" · confirmed {}", when(Some(at)))).unwrap_or_default(),
            ),
            Item::Note(n) => {
                writeln!(
                    out,
                    "<article><h3>{} · {}{}</h3><p class=\"text\">{}</p><p class=\"meta\">{}</p>",
                    self.name(n.partner_id),
                    when(Some(n.created_at)),
                    if n.urgent { " · urgent" } else { "" },
                    escape(&n.body),
                    n.read_at.map(|at| format!("Read {}", when(Some(at)))).unwrap_or_else(|| "Not read yet".into()),
                )?;
                for reply in &n.replies {
                    writeln!(
                        out,
                        "<p class=\"text\"><strong>Reply</strong> ({}): {}</p>",
                        when(Some(reply.created_at)),
                        escape(&reply.body)
                    )?;
                }
                writeln!(out, "</article>")
            }
            Item::Email(e) => writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                when(Some(e.created_at)),
                escape(&e.to_name),
                escape(e.kind.label()),
                escape(&e.subject),
                escape(e.status.label()),
                when(e.sent_at)
            ),
            Item::Session(session) => {
                let note = match session.note_format {
                    NoteFormat::Free => escape(&session.note),
                    NoteFormat::Dap => format!(
                        "<strong>Data</strong>: {}<br><strong>Assessment</strong>: {}<br><strong>Plan</strong>: {}",
                        escape(&session.data),
                        escape(&session.assessment),
                        escape(&session.plan)
                    ),
                };
                writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"text\">{note}</td><td>{}</td></tr>",
                    when(Some(session.starts_at)),
                    escape(session.status.label()),
                    session.minutes,
                    escape(session.attendance.label()),
                    escape(&session.topics.join(", ")),
                )
            }
            Item::MeasureTotal(total) => writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&total.measure),
                self.name(total.partner_id),
                total.due_on,
                escape(&total.total),
                escape(total.band.as_deref().unwrap_or("")),
                total.version,
            ),
            Item::Audit(a) => writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
                a.occurred_at.format("%Y-%m-%d %H:%M:%S"),
                a.actor_user_id.map(|id| id.to_string()).unwrap_or_default(),
                escape(&a.action),
                a.outcome.as_str(),
                a.partner_id.map(|id| self.name(id)).unwrap_or_default(),
                escape(&a.record_type),
                escape(&a.record_id),
                escape(a.client_address.as_deref().unwrap_or("")),
                a.session_ref.map(|id| id.to_string()).unwrap_or_default(),
            ),
        }
    }

    fn end(&mut self, out: &mut impl Write) -> io::Result<()> {
        self.close(out)?;
        writeln!(out, "</body></html>")
    }
}
