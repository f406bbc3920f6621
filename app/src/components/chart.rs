//! Closeness over the weeks as a server-rendered SVG line chart, always with a table of
//! the same numbers for screen readers and for reading exact values, and (for the
//! therapist) the gap between the partners; a small per-partner trend for the caseload; and
//! a small trend line for the case overview.

use crate::domain::date_text;
use crate::{
    api::exchange::CheckInView,
    domain::closeness::{self, ClosenessWeek, Gap, Ratings},
};
use chrono::NaiveDate;
use leptos::prelude::*;

const WIDTH: f32 = 640.0;
const HEIGHT: f32 = 260.0;
const LEFT: f32 = 36.0;
const RIGHT: f32 = 16.0;
const TOP: f32 = 16.0;
const BOTTOM: f32 = 40.0;

/// One line of the chart: whose, which rating, and its points by week.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// "Alex – emotional".
    pub label: String,
    /// `(week, value 0–10)`, oldest first.
    pub points: Vec<(NaiveDate, i16)>,
}

/// The lines for check-ins: each partner's emotional and physical closeness.
pub fn closeness_series(check_ins: &[CheckInView]) -> Vec<Series> {
    let mut partners: Vec<String> = Vec::new();
    for check_in in check_ins {
        if !partners.contains(&check_in.partner) {
            partners.push(check_in.partner.clone());
        }
    }
    let mut series = Vec::new();
    for partner in partners {
        let mine: Vec<&CheckInView> = check_ins.iter().filter(|c| c.partner == partner).collect();
        series.push(Series {
            label: format!("{partner} – emotional"),
            points: mine.iter().map(|c| (c.week_start, c.emotional)).collect(),
        });
        series.push(Series {
            label: format!("{partner} – physical"),
            points: mine.iter().map(|c| (c.week_start, c.physical)).collect(),
        });
    }
    series
}

/// Where a week and a value fall on the chart.
fn position(weeks: &[NaiveDate], week: NaiveDate, value: i16) -> (f32, f32) {
    let index = weeks.iter().position(|w| *w == week).unwrap_or(0) as f32;
    let span = (weeks.len().max(2) - 1) as f32;
    let x = LEFT + (WIDTH - LEFT - RIGHT) * if weeks.len() == 1 { 0.5 } else { index / span };
    let y = TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - f32::from(value.clamp(0, 10)) / 10.0);
    (x, y)
}

const COLOURS: [&str; 4] = ["#2f6f6a", "#7fb8b2", "#7a4fa3", "#c3a6e0"];
/// The legend's swatch class for each of [`COLOURS`] (`style/main.css`): the page's content
/// security policy allows no inline style.
const SWATCHES: [&str; 4] = [
    "legend-swatch swatch-teal",
    "legend-swatch swatch-light-teal",
    "legend-swatch swatch-purple",
    "legend-swatch swatch-light-purple",
];

/// The difference between the partners each week both checked in: an emotional and a
/// physical line.
pub fn gap_series(check_ins: &[CheckInView]) -> Vec<Series> {
    let weeks = gap_weeks(check_ins);
    let line = |label: &str, pick: fn(Gap) -> i16| Series {
        label: label.to_owned(),
        points: weeks.iter().filter_map(|w| w.gap().map(|gap| (w.week_start, pick(gap)))).collect(),
    };
    let series = vec![
        line("Difference – emotional", |gap| gap.emotional),
        line("Difference – physical", |gap| gap.physical),
    ];
    if series[0].points.is_empty() {
        Vec::new()
    } else {
        series
    }
}

/// The check-ins as weeks of two partners (the first partner named is "A").
fn gap_weeks(check_ins: &[CheckInView]) -> Vec<ClosenessWeek> {
    let first = check_ins.first().map(|c| c.partner.clone()).unwrap_or_default();
    closeness::weeks(check_ins.iter().map(|c| {
        (c.week_start, c.partner == first, Ratings { emotional: c.emotional, physical: c.physical })
    }))
}

/// One SVG line chart of `series` over `weeks` (0–10), with its legend.
fn line_chart(series: &[Series], weeks: &[NaiveDate], title: String, title_id: String) -> impl IntoView {
    let lines = series
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let colour = COLOURS[index % COLOURS.len()];
            let dash = if index % 2 == 1 { "6 4" } else { "" };
            let points: Vec<(f32, f32)> = line.points.iter().map(|(w, v)| position(weeks, *w, *v)).collect();
            let path = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
            view! {
                <g class="series">
                    <polyline points=path fill="none" stroke=colour stroke-width="2.5" stroke-dasharray=dash/>
                    {line
                        .points
                        .iter()
                        .zip(points.iter())
                        .map(|((week, value), (x, y))| {
                            view! {
                                <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="4" fill=colour data-series=line.label.clone()>
                                    <title>{format!("{}, week of {}: {value}", line.label, date_text::day_month(week))}</title>
                                </circle>
                            }
                        })
                        .collect_view()}
                </g>
            }
        })
        .collect_view();
    let grid = (0..=10)
        .step_by(5)
        .map(|value| {
            let (_, y) = position(weeks, weeks[0], value);
            view! {
                <line x1=LEFT x2=WIDTH - RIGHT y1=y y2=y stroke="#d8dde3"/>
                <text x=LEFT - 8.0 y=y + 4.0 text-anchor="end" font-size="12">{value}</text>
            }
        })
        .collect_view();
    let labels = weeks
        .iter()
        .map(|week| {
            let (x, _) = position(weeks, *week, 0);
            view! { <text x=x y=HEIGHT - 16.0 text-anchor="middle" font-size="12">{date_text::day_month(week)}</text> }
        })
        .collect_view();
    let legend = series
        .iter()
        .enumerate()
        .map(|(index, line)| {
            view! {
                <li>
                    <span class=SWATCHES[index % SWATCHES.len()] class:legend-dashed=index % 2 == 1></span>
                    {line.label.clone()}
                </li>
            }
        })
        .collect_view();
    let labelled_by = title_id.clone();
    view! {
        <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=labelled_by class="chart-svg">
            <title id=title_id>{title}</title>
            {grid}
            {labels}
            {lines}
        </svg>
        <ul class="legend">{legend}</ul>
    }
}

/// The chart and its table. `caption` names what it shows; `with_gap` adds the difference
/// between the partners each week (the therapist's case page).
#[component]
pub fn ClosenessChart(
    /// The check-ins to draw (any partners).
    check_ins: Vec<CheckInView>,
    /// The chart's title.
    caption: String,
    /// Also draw and list the difference between the partners each week.
    #[prop(optional)]
    with_gap: bool,
) -> impl IntoView {
    let series = closeness_series(&check_ins);
    let mut weeks: Vec<NaiveDate> = check_ins.iter().map(|c| c.week_start).collect();
    weeks.sort();
    weeks.dedup();
    if weeks.is_empty() {
        return view! { <p>"No check-ins yet."</p> }.into_any();
    }
    let title_id = format!("chart-{}", caption.len() + weeks.len());
    let gaps = if with_gap { gap_series(&check_ins) } else { Vec::new() };
    let gap_chart = (!gaps.is_empty()).then(|| {
        let gap_rows = gap_weeks(&check_ins)
            .into_iter()
            .filter_map(|week| week.gap().map(|gap| (week.week_start, gap)))
            .map(|(week, gap)| {
                view! {
                    <tr>
                        <td>{date_text::day_month_year(&week)}</td>
                        <td>{gap.emotional}</td>
                        <td>{gap.physical}</td>
                    </tr>
                }
            })
            .collect_view();
        let gap_caption = "The difference between the partners, each week both checked in".to_owned();
        view! {
            <h3 class="chart-subtitle">"The gap between the partners"</h3>
            {line_chart(&gaps, &weeks, gap_caption.clone(), format!("{title_id}-gap"))}
            <details class="chart-table">
                <summary>"The differences as a table"</summary>
                <table>
                    <caption>{gap_caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Week of"</th>
                            <th scope="col">"Emotional difference (0–10)"</th>
                            <th scope="col">"Physical difference (0–10)"</th>
                        </tr>
                    </thead>
                    <tbody>{gap_rows}</tbody>
                </table>
            </details>
        }
    });
    let rows = check_ins
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <td>{date_text::day_month_year(&c.week_start)}</td>
                    <td>{c.partner.clone()}</td>
                    <td>{c.emotional}</td>
                    <td>{c.physical}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            {line_chart(&series, &weeks, caption.clone(), title_id)}
            <details class="chart-table">
                <summary>"The same numbers as a table"</summary>
                <table>
                    <caption>{caption}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Week of"</th>
                            <th scope="col">"Partner"</th>
                            <th scope="col">"Emotional closeness (0–10)"</th>
                            <th scope="col">"Physical closeness (0–10)"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
            {gap_chart}
        </figure>
    }
    .into_any()
}

/// A closeness trend in words (values in tenths, 0–100): the text beside and inside every
/// trend line.
pub fn closeness_text(values: &[u8]) -> String {
    match (values.first(), values.last()) {
        (Some(first), Some(last)) if values.len() > 1 => format!(
            "Closeness trend over {} weeks: from {:.1} to {:.1} out of 10",
            values.len(),
            f32::from(*first) / 10.0,
            f32::from(*last) / 10.0
        ),
        (Some(only), _) => format!("Closeness: {:.1} out of 10 (one week)", f32::from(*only) / 10.0),
        _ => "No check-ins yet".to_owned(),
    }
}

/// A tiny trend line (values in tenths, 0–100), with a text equivalent; its colour comes
/// from the style sheet, so it follows the colour scheme.
pub fn sparkline(values: &[u8]) -> impl IntoView {
    let label = closeness_text(values);
    let span = (values.len().max(2) - 1) as f32;
    let points = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!("{:.1},{:.1}", 2.0 + 76.0 * i as f32 / span, 22.0 - 20.0 * f32::from(*v) / 100.0)
        })
        .collect::<Vec<_>>()
        .join(" ");
    let aria_label = label.clone();
    view! {
        <svg class="sparkline" viewBox="0 0 80 24" width="80" height="24" role="img" aria-label=aria_label>
            <title>{label}</title>
            <polyline points=points fill="none" stroke="currentColor" stroke-width="2"/>
        </svg>
    }
}

/// Where a value (0–10) falls on the caseload's small chart, for week `index` of `count`.
fn spark_point(index: usize, count: usize, value: i16) -> String {
    let span = (count.max(2) - 1) as f32;
    let x = if count == 1 { 48.0 } else { 2.0 + 92.0 * index as f32 / span };
    format!("{x:.1},{:.1}", 26.0 - 24.0 * f32::from(value.clamp(0, 10)) / 10.0)
}

/// The caseload's closeness cell: a small chart of each partner's emotional (solid) and
/// physical (dashed) closeness, the latest gap in words, and every week's numbers with
/// the gap in a table (the text equivalent of the chart).
pub fn closeness_trend(weeks: &[ClosenessWeek], a_name: &str, b_name: &str) -> impl IntoView {
    if weeks.is_empty() {
        return view! { <span class="muted">"No check-ins yet"</span> }.into_any();
    }
    let line = |pick: fn(&ClosenessWeek) -> Option<i16>| {
        weeks
            .iter()
            .enumerate()
            .filter_map(|(index, week)| pick(week).map(|value| spark_point(index, weeks.len(), value)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let lines = [
        (line(|w| w.a.map(|r| r.emotional)), COLOURS[0], ""),
        (line(|w| w.a.map(|r| r.physical)), COLOURS[0], "4 3"),
        (line(|w| w.b.map(|r| r.emotional)), COLOURS[2], ""),
        (line(|w| w.b.map(|r| r.physical)), COLOURS[2], "4 3"),
    ]
    .into_iter()
    .map(|(points, colour, dash)| {
        view! { <polyline points=points fill="none" stroke=colour stroke-width="2" stroke-dasharray=dash/> }
    })
    .collect_view();
    let latest = weeks.iter().rev().find_map(|w| w.gap().map(|gap| (w.week_start, gap)));
    let gap_text = match latest {
        Some((week, gap)) => format!(
            "Gap, week of {}: emotional {}, physical {}",
            date_text::day_month(&week),
            gap.emotional,
            gap.physical
        ),
        None => "No week both checked in yet".to_owned(),
    };
    let label = format!(
        "Closeness over {} weeks, {a_name} in green and {b_name} in purple; emotional solid, physical dashed (numbers in the table below)",
        weeks.len()
    );
    let rating = |r: Option<closeness::Ratings>, pick: fn(closeness::Ratings) -> i16| {
        r.map(|r| pick(r).to_string()).unwrap_or_else(|| "–".to_owned())
    };
    let rows = weeks
        .iter()
        .map(|week| {
            let gap = week.gap();
            view! {
                <tr>
                    <th scope="row">{date_text::day_month(&week.week_start)}</th>
                    <td>{rating(week.a, |r| r.emotional)}</td>
                    <td>{rating(week.a, |r| r.physical)}</td>
                    <td>{rating(week.b, |r| r.emotional)}</td>
                    <td>{rating(week.b, |r| r.physical)}</td>
                    <td>{gap.map(|g| g.emotional.to_string()).unwrap_or_else(|| "–".to_owned())}</td>
                    <td>{gap.map(|g| g.physical.to_string()).unwrap_or_else(|| "–".to_owned())}</td>
                </tr>
            }
        })
        .collect_view();
    let aria_label = label.clone();
    let (a_head, b_head) = (a_name.to_owned(), b_name.to_owned());
    view! {
        <span class="closeness-trend">
            <svg class="sparkline" viewBox="0 0 96 28" width="96" height="28" role="img" aria-label=aria_label>
                <title>{label}</title>
                {lines}
            </svg>
            " "
            <span class="closeness-gap">{gap_text}</span>
            <details class="closeness-weeks">
                <summary>"Week by week"</summary>
                <table>
                    <caption class="visually-hidden">"Closeness ratings (0–10) and the gap, each week"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Week of"</th>
                            <th scope="col">{format!("{a_head}, emotional")}</th>
                            <th scope="col">{format!("{a_head}, physical")}</th>
                            <th scope="col">{format!("{b_head}, emotional")}</th>
                            <th scope="col">{format!("{b_head}, physical")}</th>
                            <th scope="col">"Gap, emotional"</th>
                            <th scope="col">"Gap, physical"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </span>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_in(partner: &str, day: u32, emotional: i16, physical: i16) -> CheckInView {
        CheckInView {
            partner: partner.to_owned(),
            week_start: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            my_part: "done".into(),
            noticed: "done".into(),
            emotional,
            physical,
            note: String::new(),
        }
    }

    #[test]
    fn each_partner_has_an_emotional_and_a_physical_line() {
        let series = closeness_series(&[
            check_in("Alex", 16, 3, 4),
            check_in("Sam", 16, 6, 7),
            check_in("Alex", 23, 5, 5),
        ]);
        let labels: Vec<&str> = series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["Alex – emotional", "Alex – physical", "Sam – emotional", "Sam – physical"]);
        assert_eq!(series[0].points.len(), 2);
    }

    #[test]
    fn the_gap_lines_follow_weeks_both_partners_rated() {
        let series =
            gap_series(&[check_in("Alex", 16, 3, 9), check_in("Sam", 16, 6, 7), check_in("Alex", 23, 5, 5)]);
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].points, [(NaiveDate::from_ymd_opt(2026, 11, 16).unwrap(), 3)]);
        assert_eq!(series[1].points, [(NaiveDate::from_ymd_opt(2026, 11, 16).unwrap(), 2)]);
        assert!(gap_series(&[check_in("Alex", 16, 3, 9)]).is_empty(), "one partner alone has no gap");
    }

    #[test]
    fn the_small_chart_stays_inside_its_box() {
        assert_eq!(spark_point(0, 3, 10), "2.0,2.0");
        assert_eq!(spark_point(2, 3, 0), "94.0,26.0");
        assert_eq!(spark_point(0, 1, 5), "48.0,14.0");
    }

    #[test]
    fn values_map_into_the_plot_area() {
        let weeks =
            [NaiveDate::from_ymd_opt(2026, 11, 16).unwrap(), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()];
        assert_eq!(position(&weeks, weeks[0], 10), (LEFT, TOP));
        assert_eq!(position(&weeks, weeks[1], 0), (WIDTH - RIGHT, HEIGHT - BOTTOM));
    }
}
