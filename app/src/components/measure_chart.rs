//! A scored measure's totals over time as a server-rendered SVG line chart, one line per
//! partner, with the measure's cut-off bands shaded behind; always with a table of the
//! same numbers (for screen readers and exact values).

use crate::domain::date_text;
use crate::{api::measures::ScheduleView, domain::measure::Score};
use chrono::NaiveDate;
use leptos::prelude::*;

const WIDTH: f32 = 640.0;
const HEIGHT: f32 = 260.0;
const LEFT: f32 = 44.0;
const RIGHT: f32 = 16.0;
const TOP: f32 = 16.0;
const BOTTOM: f32 = 40.0;

const COLOURS: [&str; 2] = ["#2f6f6a", "#7a4fa3"];
/// The legend's swatch class for each of [`COLOURS`] (`style/main.css`): the page's content
/// security policy allows no inline style.
const SWATCHES: [&str; 2] = ["legend-swatch swatch-teal", "legend-swatch swatch-purple"];
const BAND_FILLS: [&str; 2] = ["#eef4f3", "#f6f1fa"];

/// Where a total falls vertically, between the measure's lowest and highest total.
fn y_of(value: Score, low: Score, high: Score) -> f32 {
    let span = (high.hundredths() - low.hundredths()).max(1) as f32;
    let share =
        (value.hundredths().clamp(low.hundredths(), high.hundredths()) - low.hundredths()) as f32 / span;
    TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - share)
}

/// Where a due date falls horizontally among all the dates drawn.
fn x_of(dates: &[NaiveDate], date: NaiveDate) -> f32 {
    let index = dates.iter().position(|d| *d == date).unwrap_or(0) as f32;
    let span = (dates.len().max(2) - 1) as f32;
    LEFT + (WIDTH - LEFT - RIGHT) * if dates.len() == 1 { 0.5 } else { index / span }
}

/// The chart and its table for one scheduled measure.
#[component]
pub fn MeasureChart(
    /// The schedule with each partner's totals.
    schedule: ScheduleView,
) -> impl IntoView {
    let mut dates: Vec<NaiveDate> =
        schedule.partners.iter().flat_map(|p| p.points.iter().map(|point| point.due_on)).collect();
    dates.sort();
    dates.dedup();
    if dates.is_empty() {
        return view! { <p>"No answers yet."</p> }.into_any();
    }
    let (low, high) = (schedule.low, schedule.high);
    let caption = format!("{}: each partner's total over time ({low} to {high})", schedule.title);
    let title_id = format!("measure-chart-{}", schedule.id);
    let bands = schedule
        .bands
        .iter()
        .enumerate()
        .map(|(index, band)| {
            let (top, bottom) = (y_of(band.to, low, high), y_of(band.from, low, high));
            view! {
                <g class="band">
                    <rect x=LEFT y=format!("{top:.1}") width=WIDTH - LEFT - RIGHT height=format!("{:.1}", (bottom - top).max(1.0)) fill=BAND_FILLS[index % 2]/>
                    <text x=WIDTH - RIGHT - 4.0 y=format!("{:.1}", top + 12.0) text-anchor="end" font-size="11" fill="#4a5560">{band.label.clone()}</text>
                </g>
            }
        })
        .collect_view();
    let grid = [low, high]
        .into_iter()
        .chain(schedule.bands.iter().map(|b| b.from))
        .map(|value| {
            let y = y_of(value, low, high);
            view! {
                <line x1=LEFT x2=WIDTH - RIGHT y1=y y2=y stroke="#d8dde3"/>
                <text x=LEFT - 6.0 y=y + 4.0 text-anchor="end" font-size="12">{value.to_string()}</text>
            }
        })
        .collect_view();
    let labels = dates
        .iter()
        .map(|date| {
            view! { <text x=x_of(&dates, *date) y=HEIGHT - 16.0 text-anchor="middle" font-size="12">{date_text::day_month(date)}</text> }
        })
        .collect_view();
    let lines = schedule
        .partners
        .iter()
        .enumerate()
        .map(|(index, partner)| {
            let colour = COLOURS[index % COLOURS.len()];
            let dash = if index % 2 == 1 { "6 4" } else { "" };
            let points: Vec<(f32, f32)> =
                partner.points.iter().map(|p| (x_of(&dates, p.due_on), y_of(p.total, low, high))).collect();
            let path = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
            view! {
                <g class="series">
                    <polyline points=path fill="none" stroke=colour stroke-width="2.5" stroke-dasharray=dash/>
                    {partner
                        .points
                        .iter()
                        .zip(points.iter())
                        .map(|(point, (x, y))| {
                            view! {
                                <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="4" fill=colour data-series=partner.first_name.clone()>
                                    <title>{format!("{}, {}: {}", partner.first_name, date_text::day_month(&point.due_on), point.total)}</title>
                                </circle>
                            }
                        })
                        .collect_view()}
                </g>
            }
        })
        .collect_view();
    let legend = schedule
        .partners
        .iter()
        .enumerate()
        .map(|(index, partner)| {
            view! {
                <li>
                    <span class=SWATCHES[index % SWATCHES.len()] class:legend-dashed=index % 2 == 1></span>
                    {partner.first_name.clone()}
                </li>
            }
        })
        .collect_view();
    let mut rows: Vec<(NaiveDate, String, String, String, i32)> = schedule
        .partners
        .iter()
        .flat_map(|partner| {
            partner.points.iter().map(|p| {
                (
                    p.due_on,
                    partner.first_name.clone(),
                    p.total.to_string(),
                    p.band.clone().unwrap_or_default(),
                    p.version,
                )
            })
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let rows = rows
        .into_iter()
        .map(|(date, partner, total, band, version)| {
            view! {
                <tr>
                    <td>{date_text::day_month_year(&date)}</td>
                    <td>{partner}</td>
                    <td>{total}</td>
                    <td>{band}</td>
                    <td>{version}</td>
                </tr>
            }
        })
        .collect_view();
    let labelled_by = title_id.clone();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=labelled_by class="chart-svg">
                <title id=title_id>{caption.clone()}</title>
                {bands}
                {grid}
                {labels}
                {lines}
            </svg>
            <figcaption>
                <ul class="legend">{legend}</ul>
            </figcaption>
            <details class="chart-table">
                <summary>"The same numbers as a table"</summary>
                <table>
                    <caption>{caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Due"</th>
                            <th scope="col">"Partner"</th>
                            <th scope="col">"Total"</th>
                            <th scope="col">"Band"</th>
                            <th scope="col">"Version"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_map_into_the_plot_area() {
        let (low, high) = (Score::whole(0), Score::whole(24));
        assert_eq!(y_of(high, low, high), TOP);
        assert_eq!(y_of(low, low, high), HEIGHT - BOTTOM);
        assert_eq!(y_of(Score::whole(30), low, high), TOP, "clamped");
        let dates =
            [NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 16).unwrap()];
        assert_eq!(x_of(&dates, dates[0]), LEFT);
        assert_eq!(x_of(&dates, dates[1]), WIDTH - RIGHT);
    }
}
