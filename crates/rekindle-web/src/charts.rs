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
    // Drawn at about 1.6 px per unit: a calendar, not a poster, on a wide
    // screen; narrower screens shrink it (max-width in app.css).
    let (px_width, px_height) = (width * 8 / 5, height * 8 / 5);
    let mut svg = String::new();
    // Several calendars share a page: the title is the svg's own child, with no id to repeat.
    let _ = write!(
        svg,
        r#"<svg class="heatmap" viewBox="0 0 {width} {height}" width="{px_width}" height="{px_height}" role="img" preserveAspectRatio="xMinYMin meet"><title>Calendar of the last {weeks} weeks: each square is a {}; colours show kept, lapse, did not apply, no check-in or paused.</title>"#,
        if weekly { "week" } else { "day" }
    );
    if !weekly {
        for (i, name) in ["Mon", "", "Wed", "", "Fri", "", "Sun"].iter().enumerate() {
            let y = 18 + i as i64 * (CELL + GAP) + CELL - 3;
            let _ = write!(svg, r#"<text x="0" y="{y}" class="axis">{name}</text>"#);
        }
    }
    let mut labelled = false;
    for w in 0..weeks {
        let week_start = first_monday.checked_add(w.weeks()).unwrap_or(first_monday);
        let x = left + w * (CELL + GAP);
        let mut cells = String::new();
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
                cells,
                r#"<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="3" class="c-{}"><title>{label}</title></rect>"#,
                status_class(p.status)
            );
        }
        // A month's name stands over its first week, and over the first
        // drawn week when a month has begun before the record did; never
        // over weeks with nothing in them yet.
        if !cells.is_empty() {
            let next_month_soon = (1..=2).any(|ahead| {
                first_monday
                    .checked_add((w + ahead).weeks())
                    .is_ok_and(|d| d.day() <= 7 && w + ahead < weeks)
            });
            if week_start.day() <= 7 || (!labelled && !next_month_soon) {
                let _ = write!(
                    svg,
                    r#"<text x="{x}" y="11" class="axis">{}</text>"#,
                    week_start.strftime("%b")
                );
                labelled = true;
            }
        }
        svg.push_str(&cells);
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

// ----- the post-mortem's charts -----
//
// One geometry for all of them: a viewBox 400 units wide whose text is
// [`FONT`] units. The page shows a chart at most 36rem wide; on a 390 px
// phone it is about 324 px wide, so its text renders at 16 × 324 / 400 ≈
// 13 px. Wider screens make it larger, and the stylesheet sets a smaller
// size there (`svg.chart` font-size); labels are laid out for the phone's.
// Names go into tooltips (`<title>`), escaped.

/// Width of a chart's viewBox.
pub const WIDTH: f64 = 400.0;
/// Text size in viewBox units (the phone's; see above).
pub const FONT: f64 = 16.0;
/// Average width of a digit or letter, a little generous (digits are
/// 0.64 em in DejaVu Sans, the fallback font on Linux).
const CHAR: f64 = 0.64 * FONT;
const RIGHT: f64 = 10.0;
const TOP: f64 = 12.0;
const PLOT_H: f64 = 150.0;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Text for SVG markup: names and labels are escaped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Width of a label in viewBox units (estimated).
fn text_width(s: &str) -> f64 {
    s.chars().count() as f64 * CHAR
}

/// One label under a time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Where, in months from the start of the first month.
    pub at: f64,
    pub label: String,
    /// 0: the first row under the axis, 1: the second.
    pub row: u8,
}

/// A run of calendar months from `first` ("2024-03"), `n` of them.
#[derive(Debug, Clone)]
pub struct MonthAxis {
    year: i32,
    /// 0 for January.
    month: i32,
    n: usize,
}

impl MonthAxis {
    /// `None` when `first` is not a month key.
    pub fn new(first: &str, n: usize) -> Option<MonthAxis> {
        let (y, m) = first.split_once('-')?;
        let (year, month): (i32, i32) = (y.parse().ok()?, m.parse().ok()?);
        (1..=12).contains(&month).then_some(MonthAxis {
            year,
            month: month - 1,
            n: n.max(1),
        })
    }

    /// (year, month 0-11) of month `i` of the run.
    fn ym(&self, i: usize) -> (i32, i32) {
        let k = self.month + i as i32;
        (self.year + k.div_euclid(12), k.rem_euclid(12))
    }

    /// Where `date` ("2024-03-18") falls, in months from the start.
    pub fn at_date(&self, date: &str) -> Option<f64> {
        let y: i32 = date.get(..4)?.parse().ok()?;
        let m: i32 = date.get(5..7)?.parse().ok()?;
        let d: i32 = date.get(8..10)?.parse().ok()?;
        let k = (y - self.year) * 12 + (m - 1 - self.month);
        Some(f64::from(k) + f64::from(d - 1) / 30.5)
    }

    /// The labels for a plot `width` units wide: month names as often as
    /// they fit (every month, 2nd, 3rd or 6th), and every year (under its
    /// January; the first, partial year at the start when there is room).
    /// Years go on the second row when months are named, else on the first.
    pub fn ticks(&self, width: f64) -> Vec<Tick> {
        let ppm = width / self.n as f64;
        let month_room = text_width("May") + 6.0;
        let step = [1usize, 2, 3, 6]
            .into_iter()
            .find(|s| *s as f64 * ppm >= month_room);
        let mut out = Vec::new();
        if let Some(step) = step {
            for i in 0..self.n {
                let (_, m) = self.ym(i);
                if (m as usize).is_multiple_of(step) {
                    out.push(Tick {
                        at: i as f64 + 0.5,
                        label: MONTHS[m as usize].to_string(),
                        row: 0,
                    });
                }
            }
        }
        let row = u8::from(step.is_some());
        // Every year by its full number when that fits, else as ’17 (still
        // every year), else every 2nd, 5th, ... year in full.
        let full_room = text_width("2024") + 6.0;
        let short_room = text_width("’24") + 6.0;
        let short = 12.0 * ppm < full_room && 12.0 * ppm >= short_room;
        let year_room = if short { short_room } else { full_room };
        let every = [1i32, 2, 5, 10, 20, 50]
            .into_iter()
            .find(|s| 12.0 * f64::from(*s) * ppm >= year_room)
            .unwrap_or(100);
        // Years are labelled at their left edge (January), so a label
        // reaches to the right: the first partial year only when the next
        // January is far enough away.
        let mut last_end = f64::NEG_INFINITY;
        for i in 0..self.n {
            let (y, m) = self.ym(i);
            let labelled = (m == 0 && y.rem_euclid(every) == 0) || i == 0;
            if !labelled {
                continue;
            }
            let mut at = i as f64;
            if i == 0 && m != 0 {
                let next_january = (12 - m) as f64;
                if next_january < self.n as f64 && next_january * ppm < year_room {
                    continue;
                }
            }
            // A last year too short for its number: the number ends at the
            // chart's edge, if that leaves room after the year before.
            let text = year_room - 6.0;
            if at * ppm + text > width + RIGHT {
                at = (width + RIGHT - text) / ppm;
            }
            if at * ppm < last_end {
                continue;
            }
            last_end = at * ppm + year_room;
            out.push(Tick {
                at,
                label: if short {
                    format!("’{:02}", y.rem_euclid(100))
                } else {
                    y.to_string()
                },
                row,
            });
        }
        out
    }

    /// Whether month `i` is a January (a year line is drawn there).
    fn january(&self, i: usize) -> bool {
        self.ym(i).1 == 0
    }
}

/// The top of a y axis and its step: 1, 2 or 5 times a power of ten, at
/// most four steps, the top at or above `max`.
pub fn nice_scale(max: f64) -> (f64, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / 4.0;
    let pow = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * pow)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * pow);
    ((max / step).ceil() * step, step)
}

/// "1,200", "12k", "0.5": a tick value short enough for the axis.
pub fn short_number(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v >= 1000.0 {
        let v = v.round() as u64;
        format!("{},{:03}", v / 1000, v % 1000)
    } else if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// How a chart's y values are read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// Counts from 0.
    Count,
    /// A share from 0 to 1, labelled in per cent.
    Share,
    /// Minutes, on a log scale (1 min to a day).
    Minutes,
}

/// One bar of a time chart: `parts` stacked, one per person.
#[derive(Debug, Clone)]
pub struct Stack {
    /// Where it starts and how wide it is, in months from the axis's start.
    pub at: f64,
    pub width: f64,
    pub parts: Vec<usize>,
    /// "March 2024", "week of 4 March 2024": for the tooltip.
    pub label: String,
    /// Opens the messages behind the bar.
    pub href: Option<String>,
}

/// One point of a line.
#[derive(Debug, Clone)]
pub struct Point {
    pub value: f64,
    pub tip: String,
    pub href: Option<String>,
}

/// One line of a time chart, a point per month (`None`: a gap).
#[derive(Debug, Clone)]
pub struct Line {
    /// CSS class: p0 / p1 for the people, q for a third series.
    pub class: &'static str,
    pub points: Vec<Option<Point>>,
}

/// The frame of a time chart: the svg element, y grid with labels, the
/// year lines and the month axis. Returns the markup so far, the plot's
/// left edge and the function from y value to viewBox y.
struct Frame {
    svg: String,
    left: f64,
    plot_w: f64,
    ppm: f64,
    y: Box<dyn Fn(f64) -> f64>,
}

fn y_ticks(scale: Scale, max: f64) -> (Vec<(f64, String)>, f64, f64) {
    match scale {
        Scale::Count | Scale::Share => {
            let (top, step) = if scale == Scale::Share {
                let (t, s) = nice_scale((max * 100.0).max(1.0));
                (t / 100.0, s / 100.0)
            } else {
                // Whole numbers: a count has no half steps.
                let (t, s) = nice_scale(max.max(1.0));
                let s = s.max(1.0);
                ((t / s).ceil() * s, s)
            };
            let mut ticks = Vec::new();
            let mut v = 0.0;
            while v <= top + step / 2.0 {
                let label = if scale == Scale::Share {
                    format!("{} %", short_number((v * 100.0 * 10.0).round() / 10.0))
                } else {
                    short_number(v)
                };
                ticks.push((v, label));
                v += step;
            }
            (ticks, 0.0, top)
        }
        Scale::Minutes => {
            let all = [
                (1.0, "1 min"),
                (10.0, "10 min"),
                (60.0, "1 h"),
                (360.0, "6 h"),
                (1440.0, "1 day"),
            ];
            // At least a minute to an hour, so quick replies sit low on
            // the chart rather than on a scale of one value.
            let top = all
                .iter()
                .map(|t| t.0)
                .find(|t| *t >= max.max(60.0))
                .unwrap_or(1440.0);
            let ticks = all
                .iter()
                .filter(|t| t.0 <= top)
                .map(|(v, l)| (*v, l.to_string()))
                .collect();
            (ticks, 1.0, top)
        }
    }
}

fn frame(id: &str, title: &str, axis: &MonthAxis, scale: Scale, max: f64) -> Frame {
    let (ticks, bottom, top) = y_ticks(scale, max);
    let widest = ticks.iter().map(|(_, l)| text_width(l)).fold(0.0, f64::max);
    let left = (widest + 8.0).ceil();
    let plot_w = WIDTH - left - RIGHT;
    let ppm = plot_w / axis.n as f64;
    let month_ticks = axis.ticks(plot_w);
    let rows = month_ticks.iter().map(|t| t.row + 1).max().unwrap_or(1);
    let height = TOP + PLOT_H + 6.0 + f64::from(rows) * (FONT + 4.0);
    let base = TOP + PLOT_H;
    let y: Box<dyn Fn(f64) -> f64> = if scale == Scale::Minutes {
        let (lo, hi) = (bottom.ln(), top.ln());
        Box::new(move |v: f64| {
            let v = v.clamp(bottom, top).ln();
            base - (v - lo) / (hi - lo) * PLOT_H
        })
    } else {
        Box::new(move |v: f64| base - (v - bottom) / (top - bottom) * PLOT_H)
    };
    let mut svg = String::new();
    // A group, not an image: its bars and dots are links, and an image's parts cannot be reached.
    let _ = write!(
        svg,
        r#"<svg class="chart" id="{id}" viewBox="0 0 {WIDTH} {height:.0}" width="100%" font-size="{FONT}" role="group" aria-labelledby="{id}-title"><title id="{id}-title">{}</title>"#,
        esc(title)
    );
    for (v, label) in &ticks {
        let yy = y(*v);
        let _ = write!(
            svg,
            r#"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" class="grid"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="ax">{}</text>"#,
            WIDTH - RIGHT,
            left - 4.0,
            yy + FONT * 0.35,
            esc(label)
        );
    }
    for i in 0..axis.n {
        if axis.january(i) && i > 0 {
            let x = left + i as f64 * ppm;
            let _ = write!(
                svg,
                r#"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" class="year"/>"#,
                base + 4.0
            );
        }
    }
    for t in &month_ticks {
        let x = left + t.at * ppm;
        let yy = base + 4.0 + f64::from(t.row + 1) * (FONT + 2.0);
        let anchor = if t.row == 0 && t.label.len() == 3 {
            "middle"
        } else {
            "start"
        };
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="{yy:.1}" text-anchor="{anchor}" class="ax">{}</text>"#,
            esc(&t.label)
        );
    }
    let _ = write!(
        svg,
        r#"<line x1="{left}" y1="{base}" x2="{:.1}" y2="{base}" class="baseline"/>"#,
        WIDTH - RIGHT
    );
    Frame {
        svg,
        left,
        plot_w,
        ppm,
        y,
    }
}

/// Bars over months (or weeks), stacked per person; each bar's parts say
/// in their tooltip whose they are, and a bar opens its messages.
pub fn stacked_bars(
    id: &str,
    title: &str,
    axis: &MonthAxis,
    bars: &[Stack],
    names: &[String],
    unit: &str,
) -> String {
    let max = bars
        .iter()
        .map(|b| b.parts.iter().sum::<usize>())
        .max()
        .unwrap_or(0) as f64;
    let f = frame(id, title, axis, Scale::Count, max);
    let mut svg = f.svg;
    for b in bars {
        let total: usize = b.parts.iter().sum();
        if total == 0 {
            continue;
        }
        let x = f.left + b.at * f.ppm;
        // A gap between bars when there is room for one.
        let w = (b.width * f.ppm - if b.width * f.ppm > 4.0 { 1.0 } else { 0.0 }).max(0.6);
        let w = w.min(f.left + f.plot_w - x).max(0.3);
        if let Some(h) = &b.href {
            let _ = write!(svg, r#"<a href="{}" tabindex="-1">"#, esc(h));
        }
        let mut below = 0usize;
        for (p, n) in b.parts.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let (y0, y1) = ((f.y)(below as f64), (f.y)((below + n) as f64));
            below += n;
            let who = names
                .get(p)
                .map(|n| format!(" from {}", esc(n)))
                .unwrap_or_default();
            let _ = write!(
                svg,
                r#"<rect x="{x:.2}" y="{y1:.2}" width="{w:.2}" height="{:.2}" class="p{}"><title>{}: {n} {unit}{who} ({total} in all)</title></rect>"#,
                (y0 - y1).max(0.5),
                p.min(2),
                esc(&b.label)
            );
        }
        if b.href.is_some() {
            svg.push_str("</a>");
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Lines over months, one per series, with a dot per month (its tooltip
/// says what and whose; a dot opens its messages). `marks` are months
/// drawn as dashed lines (turning points).
pub fn month_lines(
    id: &str,
    title: &str,
    axis: &MonthAxis,
    lines: &[Line],
    scale: Scale,
    marks: &[(usize, String)],
) -> String {
    let max = lines
        .iter()
        .flat_map(|l| l.points.iter().flatten())
        .map(|p| p.value)
        .fold(0.0, f64::max);
    let f = frame(id, title, axis, scale, max);
    let mut svg = f.svg;
    let x = |i: usize| f.left + (i as f64 + 0.5) * f.ppm;
    for (i, label) in marks {
        let _ = write!(
            svg,
            r#"<line x1="{:.1}" y1="{TOP}" x2="{:.1}" y2="{:.1}" class="turn"><title>{}</title></line>"#,
            f.left + *i as f64 * f.ppm,
            f.left + *i as f64 * f.ppm,
            TOP + PLOT_H,
            esc(label)
        );
    }
    let r = (f.ppm / 2.5).clamp(1.2, 3.5);
    for line in lines {
        // One polyline per unbroken stretch.
        let mut stretch: Vec<String> = Vec::new();
        let flush = |stretch: &mut Vec<String>, svg: &mut String| {
            if stretch.len() > 1 {
                let _ = write!(
                    svg,
                    r#"<polyline points="{}" class="line {}"/>"#,
                    stretch.join(" "),
                    line.class
                );
            }
            stretch.clear();
        };
        for (i, p) in line.points.iter().enumerate() {
            match p {
                Some(p) => stretch.push(format!("{:.1},{:.1}", x(i), (f.y)(p.value))),
                None => flush(&mut stretch, &mut svg),
            }
        }
        flush(&mut stretch, &mut svg);
        for (i, p) in line.points.iter().enumerate() {
            let Some(p) = p else { continue };
            if let Some(h) = &p.href {
                let _ = write!(svg, r#"<a href="{}" tabindex="-1">"#, esc(h));
            }
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="{r:.1}" class="dot {}"><title>{}</title></circle>"#,
                x(i),
                (f.y)(p.value),
                line.class,
                esc(&p.tip)
            );
            if p.href.is_some() {
                svg.push_str("</a>");
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Messages per hour of the day, one bar per person in each hour; a bar
/// opens that person's messages of that hour (`href(person, hour)`).
pub fn hour_bars(
    id: &str,
    title: &str,
    hours: &[[usize; 24]],
    names: &[String],
    href: &dyn Fn(usize, usize) -> String,
) -> String {
    let people = hours.len().clamp(1, 2);
    let max = hours
        .iter()
        .take(2)
        .flat_map(|h| h.iter().copied())
        .max()
        .unwrap_or(0) as f64;
    let (top, step) = nice_scale(max.max(1.0));
    let step = step.max(1.0);
    let top = (top / step).ceil() * step;
    let widest = text_width(&short_number(top));
    let left = (widest + 8.0).ceil();
    let plot_w = WIDTH - left - RIGHT;
    let per_hour = plot_w / 24.0;
    let base = TOP + PLOT_H;
    let y = |v: f64| base - v / top * PLOT_H;
    let height = base + 6.0 + FONT + 4.0;
    let mut svg = String::new();
    // A group, not an image: its bars and dots are links, and an image's parts cannot be reached.
    let _ = write!(
        svg,
        r#"<svg class="chart" id="{id}" viewBox="0 0 {WIDTH} {height:.0}" width="100%" font-size="{FONT}" role="group" aria-labelledby="{id}-title"><title id="{id}-title">{}</title>"#,
        esc(title)
    );
    let mut v = 0.0;
    while v <= top + step / 2.0 {
        let _ = write!(
            svg,
            r#"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" class="grid"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="ax">{}</text>"#,
            y(v),
            WIDTH - RIGHT,
            y(v),
            left - 4.0,
            y(v) + FONT * 0.35,
            short_number(v)
        );
        v += step;
    }
    for h in (0..24).step_by(6) {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="ax">{h}:00</text>"#,
            (left + h as f64 * per_hour).max(left + text_width("0:00") / 2.0),
            base + 4.0 + FONT + 2.0
        );
    }
    let bar = ((per_hour - 1.0) / people as f64).max(0.5);
    for (p, counts) in hours.iter().take(2).enumerate() {
        let who = esc(names.get(p).map(String::as_str).unwrap_or(""));
        for (h, n) in counts.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let x = left + h as f64 * per_hour + p as f64 * bar;
            let _ = write!(
                svg,
                r#"<a href="{}" tabindex="-1"><rect x="{x:.2}" y="{:.2}" width="{bar:.2}" height="{:.2}" class="p{p}"><title>{who}, {h:02}:00 to {h:02}:59: {n} message{}</title></rect></a>"#,
                esc(&href(p, h)),
                y(*n as f64),
                (base - y(*n as f64)).max(0.5),
                if *n == 1 { "" } else { "s" }
            );
        }
    }
    let _ = write!(
        svg,
        r#"<line x1="{left}" y1="{base}" x2="{:.1}" y2="{base}" class="baseline"/>"#,
        WIDTH - RIGHT
    );
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// The labels of a chart: (row, text).
    fn labels(axis: &MonthAxis, width: f64) -> Vec<(u8, String)> {
        axis.ticks(width)
            .into_iter()
            .map(|t| (t.row, t.label))
            .collect()
    }

    /// The years named, "’17" read as "2017".
    fn years(l: &[(u8, String)]) -> Vec<String> {
        l.iter()
            .filter(|(_, t)| t.chars().all(|c| c.is_ascii_digit()) || t.starts_with('’'))
            .map(|(_, t)| match t.strip_prefix('’') {
                Some(yy) => format!("20{yy}"),
                None => t.clone(),
            })
            .collect()
    }

    fn months(l: &[(u8, String)]) -> Vec<&str> {
        l.iter()
            .filter(|(_, t)| t.len() == 3)
            .map(|(_, t)| t.as_str())
            .collect()
    }

    #[test]
    fn axis_of_two_months_names_both_and_the_year() {
        let l = labels(&MonthAxis::new("2024-03", 2).unwrap(), 350.0);
        assert_eq!(months(&l), ["Mar", "Apr"]);
        assert_eq!(years(&l), ["2024"]);
        // Across new year: both years.
        let l = labels(&MonthAxis::new("2024-12", 2).unwrap(), 350.0);
        assert_eq!(months(&l), ["Dec", "Jan"]);
        assert_eq!(years(&l), ["2024", "2025"]);
    }

    #[test]
    fn axis_of_two_years_names_every_quarter_and_every_year() {
        let l = labels(&MonthAxis::new("2023-01", 24).unwrap(), 340.0);
        assert_eq!(
            months(&l),
            ["Jan", "Apr", "Jul", "Oct", "Jan", "Apr", "Jul", "Oct"]
        );
        assert_eq!(years(&l), ["2023", "2024"]);
        assert!(l.iter().all(|(row, t)| (*row == 1) == (t.len() == 4)));
        assert!(
            !l.iter().any(|(_, t)| t.starts_with('’')),
            "room for full years"
        );
        // Starting in May: the first year still named (there is room before January).
        let l = labels(&MonthAxis::new("2023-05", 24).unwrap(), 340.0);
        assert_eq!(years(&l), ["2023", "2024", "2025"]);
    }

    #[test]
    fn axis_of_eight_years_names_every_year() {
        for (first, want) in [
            (
                "2016-01",
                vec![
                    "2016", "2017", "2018", "2019", "2020", "2021", "2022", "2023",
                ],
            ),
            // From July to June: the half year at the start is too narrow
            // for its name (its edge is still drawn); the last one's fits.
            (
                "2016-07",
                vec![
                    "2017", "2018", "2019", "2020", "2021", "2022", "2023", "2024",
                ],
            ),
        ] {
            let axis = MonthAxis::new(first, 96).unwrap();
            let l = labels(&axis, 340.0);
            assert_eq!(years(&l), want, "{first}");
            // On a wider plot, as full numbers.
            let wide = labels(&axis, 600.0);
            assert_eq!(years(&wide), want, "{first}");
            assert!(!wide.iter().any(|(_, t)| t.starts_with('’')));
            assert!(months(&l).is_empty(), "no room for month names");
            assert!(l.iter().all(|(row, _)| *row == 0));
        }
        // Twenty years on a phone: every fifth year.
        let l = labels(&MonthAxis::new("2000-01", 240).unwrap(), 340.0);
        assert_eq!(years(&l), ["2000", "2005", "2010", "2015"]);
        for first in ["2016-01", "2016-07"] {
            let axis = MonthAxis::new(first, 96).unwrap();
            // No two labels overlap, and none runs off the chart.
            let ticks = axis.ticks(340.0);
            let ppm = 340.0 / 96.0;
            for w in ticks.windows(2) {
                assert!(
                    w[0].at * ppm + text_width(&w[0].label) <= w[1].at * ppm,
                    "{w:?}"
                );
            }
            let last = ticks.last().unwrap();
            assert!(last.at * ppm + text_width(&last.label) <= 340.0 + RIGHT);
        }
    }

    #[test]
    fn y_scales_are_round() {
        assert_eq!(nice_scale(7.0), (8.0, 2.0));
        assert_eq!(nice_scale(412.0), (600.0, 200.0));
        assert_eq!(nice_scale(0.0), (1.0, 0.5));
        assert_eq!(
            y_ticks(Scale::Count, 1.0).0,
            [(0.0, "0".to_string()), (1.0, "1".to_string())],
            "no half arguments"
        );
        let (ticks, bottom, top) = y_ticks(Scale::Minutes, 1.0);
        assert_eq!(
            (bottom, top),
            (1.0, 60.0),
            "quick replies still get a scale"
        );
        assert_eq!(ticks.len(), 3);
        assert_eq!(short_number(1200.0), "1,200");
        assert_eq!(short_number(25_000.0), "25k");
    }

    fn names() -> Vec<String> {
        vec!["Alex".to_string(), "Sam <3 & co".to_string()]
    }

    #[test]
    fn tooltips_name_the_people_escaped() {
        let axis = MonthAxis::new("2024-01", 3).unwrap();
        let bars: Vec<Stack> = (0..3)
            .map(|i| Stack {
                at: i as f64,
                width: 1.0,
                parts: vec![10 + i, 4],
                label: format!("month {i}"),
                href: Some(format!("/w/f/m-{i}")),
            })
            .collect();
        let svg = stacked_bars(
            "vol",
            "Messages per month",
            &axis,
            &bars,
            &names(),
            "messages",
        );
        assert!(
            svg.contains("<title>month 0: 10 messages from Alex (14 in all)</title>"),
            "{svg}"
        );
        assert!(svg.contains("4 messages from Sam &lt;3 &amp; co"));
        assert!(!svg.contains("person 1") && !svg.contains("<3 &"));
        assert!(svg.contains(r#"<a href="/w/f/m-2" tabindex="-1">"#));
        let svg = hour_bars(
            "hours",
            "By hour",
            &[[1; 24], [2; 24]],
            &names(),
            &|p, h| format!("/w/f/u-{p}-{h}"),
        );
        assert!(svg.contains("<title>Alex, 23:00 to 23:59: 1 message</title>"));
        assert!(svg.contains("<title>Sam &lt;3 &amp; co, 00:00 to 00:59: 2 messages</title>"));
        let line = Line {
            class: "p1",
            points: vec![
                Some(Point {
                    value: 0.2,
                    tip: "January 2024: 20 % of Sam's messages".into(),
                    href: None,
                }),
                None,
                Some(Point {
                    value: 0.1,
                    tip: "March 2024: 10 %".into(),
                    href: Some("/w/f/mn-2-1".into()),
                }),
            ],
        };
        let svg = month_lines("neg", "Negative", &axis, &[line], Scale::Share, &[]);
        assert!(svg.contains("20 % of Sam&#39;s messages"));
        assert_eq!(svg.matches("<polyline").count(), 0, "a gap breaks the line");
        assert_eq!(svg.matches("<circle").count(), 2);
    }

    /// The width a chart is drawn at on a 390 px phone, in CSS px (the
    /// browser test measures the text there).
    const PHONE_WIDTH: f64 = 324.0;

    #[test]
    fn chart_text_is_at_least_12_px_on_a_phone() {
        const { assert!(FONT * PHONE_WIDTH / WIDTH >= 12.0) };
        let axis = MonthAxis::new("2016-01", 96).unwrap();
        let bars = vec![Stack {
            at: 0.0,
            width: 1.0,
            parts: vec![3],
            label: "x".into(),
            href: None,
        }];
        for svg in [
            stacked_bars("a", "t", &axis, &bars, &names(), "messages"),
            month_lines("b", "t", &axis, &[], Scale::Minutes, &[]),
            hour_bars("c", "t", &[[0; 24]], &names(), &|_, _| String::new()),
        ] {
            assert!(svg.starts_with("<svg class=\"chart\""));
            assert!(svg.contains(&format!(r#"viewBox="0 0 {WIDTH} "#)), "{svg}");
            assert!(svg.contains(&format!(r#"font-size="{FONT}""#)));
            // No text sets a size of its own.
            assert!(!svg.contains("<text font-size") && svg.matches("font-size").count() == 1);
            assert!(svg.contains("<text"));
        }
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
        // The record starts on 17 November: only "Nov" is named, over a drawn week.
        let labels: Vec<&str> = svg
            .split(r#"class="axis">"#)
            .skip(1)
            .filter_map(|t| t.split('<').next())
            .filter(|t| !t.is_empty() && !["Mon", "Wed", "Fri", "Sun"].contains(t))
            .collect();
        assert_eq!(labels, vec!["Nov"]);
        assert!(
            !svg.contains("id="),
            "no id to repeat when a page has several"
        );
        assert!(
            svg.contains(r#"width="401""#),
            "a fixed size, not the page's width"
        );
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
