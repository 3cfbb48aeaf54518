//! Inline SVG charts drawn on the server: no script, print-friendly, and
//! readable by screen readers through `<title>` and a table beside them.
//! Only dates, numbers and fixed words go into the SVG, never user text.

use std::fmt::Write;

use jiff::ToSpan;
use jiff::civil::Date;
use rekindle_core::method::record::{Period, PeriodStatus};

fn status_words(s: PeriodStatus) -> &'static str {
    match s {
        PeriodStatus::Kept => "kept",
        PeriodStatus::Lapsed => "lapse",
        PeriodStatus::NotApplicable => "did not apply",
        PeriodStatus::Missed => "no check-in",
        PeriodStatus::Paused => "paused",
        PeriodStatus::Open => "today, not yet checked in",
    }
}

pub fn status_class(s: PeriodStatus) -> &'static str {
    match s {
        PeriodStatus::Kept => "kept",
        PeriodStatus::Lapsed => "lapsed",
        PeriodStatus::NotApplicable => "na",
        PeriodStatus::Missed => "missed",
        PeriodStatus::Paused => "paused",
        PeriodStatus::Open => "open",
    }
}

const CELL: i64 = 14;
const GAP: i64 = 3;

/// A calendar heat-map of the last `weeks` weeks: a column per week, a row
/// per weekday (Monday on top). Weekly commitments get one row.
pub fn heatmap(periods: &[Period], today: Date, weeks: i64, weekly: bool) -> String {
    let monday = today
        .checked_sub(i64::from(today.weekday().to_monday_zero_offset()).days())
        .unwrap_or(today);
    let first_monday = monday.checked_sub((weeks - 1).weeks()).unwrap_or(monday);
    let rows = if weekly { 1 } else { 7 };
    let left = 30;
    let width = left + weeks * (CELL + GAP);
    let height = 18 + rows * (CELL + GAP);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="heatmap" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="hm-title" preserveAspectRatio="xMinYMin meet"><title id="hm-title">Calendar of the last {weeks} weeks: each square is a {}; colours show kept, lapse, did not apply, no check-in or paused.</title>"#,
        if weekly { "week" } else { "day" }
    );
    if !weekly {
        for (i, name) in ["Mon", "", "Wed", "", "Fri", "", "Sun"].iter().enumerate() {
            let y = 18 + i as i64 * (CELL + GAP) + CELL - 3;
            let _ = write!(svg, r#"<text x="0" y="{y}" class="axis">{name}</text>"#);
        }
    }
    for w in 0..weeks {
        let week_start = first_monday.checked_add(w.weeks()).unwrap_or(first_monday);
        let x = left + w * (CELL + GAP);
        if week_start.day() <= 7 {
            let _ = write!(
                svg,
                r#"<text x="{x}" y="11" class="axis">{}</text>"#,
                week_start.strftime("%b")
            );
        }
        for r in 0..rows {
            let day = week_start.checked_add(r.days()).unwrap_or(week_start);
            if day > today {
                continue;
            }
            let found = periods
                .iter()
                .find(|p| p.first_day <= day && day <= p.last_day);
            let Some(p) = found else { continue };
            let y = 18 + r * (CELL + GAP);
            let label = if weekly {
                format!("week of {}: {}", p.first_day, status_words(p.status))
            } else {
                format!("{}: {}", day, status_words(p.status))
            };
            let _ = write!(
                svg,
                r#"<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="3" class="c-{}"><title>{label}</title></rect>"#,
                status_class(p.status)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Kept-rate per week for the last `weeks` weeks, as bars (0–100 %).
pub fn weekly_trend(
    periods: &[Period],
    today: Date,
    weeks: i64,
) -> (String, Vec<(Date, Option<u32>)>) {
    let monday = today
        .checked_sub(i64::from(today.weekday().to_monday_zero_offset()).days())
        .unwrap_or(today);
    let mut data = Vec::new();
    for w in (0..weeks).rev() {
        let start = monday.checked_sub(w.weeks()).unwrap_or(monday);
        let end = start.checked_add(6.days()).unwrap_or(start);
        let inside = periods
            .iter()
            .filter(|p| p.last_day >= start && p.first_day <= end);
        let (mut kept, mut due) = (0u32, 0u32);
        for p in inside {
            match p.status {
                PeriodStatus::Kept => {
                    kept += 1;
                    due += 1;
                }
                PeriodStatus::Lapsed | PeriodStatus::Missed => due += 1,
                _ => {}
            }
        }
        data.push((start, (due > 0).then(|| kept * 100 / due)));
    }
    let (bar, gap, h) = (18i64, 6i64, 80i64);
    let width = 30 + weeks * (bar + gap);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="trend" viewBox="0 0 {width} {}" width="100%" role="img" aria-labelledby="tr-title"><title id="tr-title">Share of days kept, week by week, for the last {weeks} weeks</title>"#,
        h + 20
    );
    let _ = write!(
        svg,
        r#"<text x="0" y="10" class="axis">100%</text><text x="0" y="{}" class="axis">0%</text>"#,
        h + 4
    );
    let _ = write!(
        svg,
        r#"<line x1="28" y1="{h}" x2="{width}" y2="{h}" class="baseline"/>"#
    );
    for (i, (start, pct)) in data.iter().enumerate() {
        let x = 30 + i as i64 * (bar + gap);
        match pct {
            Some(p) => {
                let bh = (i64::from(*p) * (h - 6) / 100).max(2);
                let _ = write!(
                    svg,
                    r#"<rect x="{x}" y="{}" width="{bar}" height="{bh}" rx="2" class="bar"><title>week of {start}: {p}% kept</title></rect>"#,
                    h - bh
                );
            }
            None => {
                let _ = write!(
                    svg,
                    r#"<rect x="{x}" y="{}" width="{bar}" height="2" class="bar-none"><title>week of {start}: nothing due</title></rect>"#,
                    h - 2
                );
            }
        }
    }
    svg.push_str("</svg>");
    (svg, data)
}

/// Lapses per weekday (Monday first) as bars.
pub fn weekday_bars(counts: [u32; 7]) -> String {
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let (bar, gap, h) = (26i64, 8i64, 70i64);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="weekdays" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="wd-title"><title id="wd-title">Lapses by weekday</title>"#,
        7 * (bar + gap),
        h + 16
    );
    for (i, (n, name)) in counts.iter().zip(names).enumerate() {
        let x = i as i64 * (bar + gap);
        let bh = (i64::from(*n) * (h - 4) / i64::from(max)).max(if *n > 0 { 3 } else { 1 });
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{}" width="{bar}" height="{bh}" rx="2" class="{}"><title>{name}: {n}</title></rect><text x="{}" y="{}" class="axis">{name}</text>"#,
            h - bh,
            if *n > 0 { "c-lapsed" } else { "bar-none" },
            x + 3,
            h + 12
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Messages per month per person, as grouped bars (two people at most drawn).
pub fn monthly_volume(months: &[(String, Vec<usize>)], names: &[String]) -> String {
    let max = months
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let n = months.len().max(1) as i64;
    let (h, left) = (120i64, 34i64);
    let group = ((600 - left) / n).clamp(4, 40);
    let bar = (group / 3).max(1);
    let width = left + n * group;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {width} {}" width="100%" role="img" aria-labelledby="vol-title"><title id="vol-title">Messages per month, per person</title>"#,
        h + 22
    );
    let _ = write!(
        svg,
        r#"<text x="0" y="10" class="axis">{max}</text><text x="0" y="{h}" class="axis">0</text><line x1="{}" y1="{h}" x2="{width}" y2="{h}" class="baseline"/>"#,
        left - 4
    );
    for (i, (month, counts)) in months.iter().enumerate() {
        let x0 = left + i as i64 * group;
        for (p, c) in counts.iter().take(2).enumerate() {
            let bh = (*c as i64 * (h - 4) / max as i64).max(if *c > 0 { 1 } else { 0 });
            let who = names.get(p).map(String::as_str).unwrap_or("");
            let _ = write!(
                svg,
                r#"<rect x="{}" y="{}" width="{bar}" height="{bh}" class="p{p}"><title>{month}: {c} messages{}</title></rect>"#,
                x0 + p as i64 * bar,
                h - bh,
                if who.is_empty() {
                    String::new()
                } else {
                    format!(" from person {}", p + 1)
                }
            );
        }
        // The year under each January; the first and last month only when no
        // January label is close enough to collide with them.
        let january_near = |i: usize| {
            months[i.saturating_sub(4)..(i + 5).min(months.len())]
                .iter()
                .any(|(m, _)| m.ends_with("-01"))
        };
        let label = if month.ends_with("-01") {
            Some(month.get(..4).unwrap_or(month))
        } else if (i == 0 || i + 1 == months.len()) && !january_near(i) {
            Some(month.as_str())
        } else {
            None
        };
        if let Some(label) = label {
            let _ = write!(
                svg,
                r#"<text x="{x0}" y="{}" class="axis">{label}</text>"#,
                h + 14
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Mean tone per month (-1 to 1) as a line, with the turning points marked.
pub fn tone_trend(months: &[(String, Option<f64>)], turning: &[usize]) -> String {
    let n = months.len().max(2) as i64;
    let (h, left, width) = (120i64, 34i64, 600i64);
    let step = (width - left) as f64 / (n - 1) as f64;
    let y = |v: f64| (h as f64 / 2.0 - v * (h as f64 / 2.0 - 4.0)).round() as i64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {width} {}" width="100%" role="img" aria-labelledby="tone-title"><title id="tone-title">Average tone of the messages, month by month (above the middle line is warmer, below is harsher); dashed lines mark where it changed</title>"#,
        h + 22
    );
    let _ = write!(
        svg,
        r#"<text x="0" y="10" class="axis">warm</text><text x="0" y="{h}" class="axis">harsh</text><line x1="{left}" y1="{}" x2="{width}" y2="{}" class="baseline"/>"#,
        h / 2,
        h / 2
    );
    for &t in turning {
        let x = left + (t as f64 * step).round() as i64;
        let _ = write!(
            svg,
            r#"<line x1="{x}" y1="2" x2="{x}" y2="{h}" class="turn"><title>Turning point: {}</title></line>"#,
            months.get(t).map(|m| m.0.as_str()).unwrap_or("")
        );
    }
    let points: Vec<String> = months
        .iter()
        .enumerate()
        .filter_map(|(i, (_, v))| {
            v.map(|v| format!("{},{}", left + (i as f64 * step).round() as i64, y(v)))
        })
        .collect();
    let _ = write!(
        svg,
        r#"<polyline points="{}" class="line"/>"#,
        points.join(" ")
    );
    for (i, (m, v)) in months.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                svg,
                r#"<circle cx="{}" cy="{}" r="2.5" class="dot"><title>{m}: {v:.2}</title></circle>"#,
                left + (i as f64 * step).round() as i64,
                y(*v)
            );
        }
        if i == 0 || i + 1 == months.len() {
            let _ = write!(
                svg,
                r#"<text x="{}" y="{}" class="axis">{m}</text>"#,
                (left + (i as f64 * step).round() as i64 - if i == 0 { 0 } else { 40 }).max(0),
                h + 14
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Conflicts per month as a row of calendar squares, darker with more.
pub fn conflict_calendar(months: &[(String, usize)]) -> String {
    // One row per calendar year, one column per month (January first), so a
    // square's place says which month it is.
    let parse = |m: &str| -> Option<(i64, i64)> {
        let (y, mo) = m.split_once('-')?;
        Some((y.parse().ok()?, mo.parse().ok()?))
    };
    let cells: Vec<(i64, i64, &str, usize)> = months
        .iter()
        .filter_map(|(m, c)| parse(m).map(|(y, mo)| (y, mo, m.as_str(), *c)))
        .filter(|(_, mo, _, _)| (1..=12).contains(mo))
        .collect();
    let max = cells.iter().map(|c| c.3).max().unwrap_or(0).max(1);
    let first_year = cells.iter().map(|c| c.0).min().unwrap_or(0);
    let last_year = cells.iter().map(|c| c.0).max().unwrap_or(first_year);
    let rows = last_year - first_year + 1;
    let (cell, gap, top, left) = (22i64, 4i64, 16i64, 40i64);
    let width = 12 * (cell + gap) + left;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="calendar" viewBox="0 0 {width} {}" width="100%" role="img" aria-labelledby="cal-title"><title id="cal-title">Arguments per month, one row per year from January to December: darker squares had more</title>"#,
        top + rows.max(1) * (cell + gap) + 4
    );
    for (col, letter) in "JFMAMJJASOND".chars().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{}" y="11" class="axis">{letter}</text>"#,
            left + col as i64 * (cell + gap) + 7
        );
    }
    for year in first_year..=last_year {
        let _ = write!(
            svg,
            r#"<text x="0" y="{}" class="axis">{year}</text>"#,
            top + (year - first_year) * (cell + gap) + 15
        );
    }
    for (year, month, key, count) in cells {
        let level = if count == 0 {
            0
        } else {
            1 + (count * 3 / max).min(3)
        };
        let _ = write!(
            svg,
            r#"<rect x="{}" y="{}" width="{cell}" height="{cell}" rx="3" class="h{level}"><title>{key}: {count} argument{}</title></rect>"#,
            left + (month - 1) * (cell + gap),
            top + (year - first_year) * (cell + gap),
            if count == 1 { "" } else { "s" }
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn conflict_calendar_puts_each_month_under_its_letter() {
        let months: Vec<(String, usize)> = ["2014-12", "2015-01", "2015-02"]
            .iter()
            .zip([0, 3, 1])
            .map(|(m, c)| (m.to_string(), c))
            .collect();
        let svg = conflict_calendar(&months);
        assert_eq!(svg.matches("<rect").count(), 3);
        // December 2014: last column of the first row; January 2015: first column of the next.
        assert!(svg.contains(r#"<rect x="326" y="16""#), "{svg}");
        assert!(svg.contains(r#"<rect x="40" y="42""#), "{svg}");
        assert!(svg.contains(">2014</text>") && svg.contains(">2015</text>"));
        assert!(svg.contains("<title>2015-01: 3 arguments</title>"));
        assert!(svg.contains("class=\"h4\""), "the busiest month is darkest");
    }

    #[test]
    fn heatmap_has_one_labelled_cell_per_day_up_to_today() {
        let today = date(2026, 11, 26);
        let periods: Vec<Period> = (0..10)
            .map(|i| {
                let d = date(2026, 11, 17).checked_add(i.days()).unwrap();
                Period {
                    first_day: d,
                    last_day: d,
                    status: if i == 3 {
                        PeriodStatus::Lapsed
                    } else {
                        PeriodStatus::Kept
                    },
                }
            })
            .collect();
        let svg = heatmap(&periods, today, 13, false);
        assert_eq!(svg.matches("<rect").count(), 10);
        assert_eq!(svg.matches("c-lapsed").count(), 1);
        assert!(svg.contains("<title>2026-11-20: lapse</title>"));
        let (trend, data) = weekly_trend(&periods, today, 4);
        assert_eq!(data.len(), 4);
        assert_eq!(
            data[2].1,
            Some(83),
            "5 of 6 kept in the week of Monday 16 Nov (17th to 22nd recorded)"
        );
        assert!(trend.contains("week of 2026-11-16: 83% kept"));
    }
}
