//! The track record: streaks and kept-rates, computed honestly.
//!
//! Rules (documented for the person too):
//! - Days (or weeks, for weekly commitments) run from the commitment's start
//!   to today. Paused periods count for nothing.
//! - Each period is kept, lapsed, not applicable, missed (no answer), or —
//!   for the current period only — still open.
//! - A streak is a run of kept periods; "not applicable", paused and the
//!   still-open current period neither count nor break it; a lapse or a
//!   missed period ends it.
//! - The kept-rate over the last 7/30/90 days is kept ÷ (kept + lapsed +
//!   missed): a period nobody answered is not quietly counted as kept.

use std::collections::BTreeMap;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::Serialize;

use super::checkin::Outcome;
use super::plan::{Commitment, CommitmentKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodStatus {
    Kept,
    Lapsed,
    NotApplicable,
    Missed,
    Paused,
    Open,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub first_day: Date,
    pub last_day: Date,
    pub status: PeriodStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RateWindow {
    pub days: u16,
    pub kept: u32,
    pub lapsed: u32,
    pub missed: u32,
    /// kept ÷ (kept + lapsed + missed); `None` when nothing was due yet.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordSummary {
    pub weekly: bool,
    pub current_streak: u32,
    pub longest_streak: u32,
    pub kept: u32,
    pub lapsed: u32,
    pub not_applicable: u32,
    pub missed: u32,
    pub windows: Vec<RateWindow>,
    pub periods: Vec<Period>,
}

pub const WINDOWS: [u16; 3] = [7, 30, 90];

fn monday_of(d: Date) -> Date {
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(back.days()).unwrap_or(d)
}

fn next_day(d: Date) -> Option<Date> {
    d.checked_add(1.day()).ok()
}

/// Splits start..=today into periods and gives each its status. Answers
/// after today or before the start are ignored.
pub fn periods(c: &Commitment, answers: &BTreeMap<Date, Outcome>, today: Date) -> Vec<Period> {
    let mut out = Vec::new();
    if today < c.start {
        return out;
    }
    let weekly = c.kind == CommitmentKind::Weekly;
    let mut first = if weekly { monday_of(c.start) } else { c.start };
    // Bounded: a commitment older than ~30 years is not a real case.
    for _ in 0..11_000 {
        if first > today {
            break;
        }
        let last = if weekly {
            first.checked_add(6.days()).unwrap_or(first)
        } else {
            first
        };
        let active: Vec<Date> = days(first.max(c.start), last.min(today))
            .into_iter()
            .filter(|d| !c.is_paused_on(*d))
            .collect();
        let answer = answers
            .range(first.max(c.start)..=last.min(today))
            .rfind(|(d, _)| !c.is_paused_on(**d))
            .map(|(_, o)| *o);
        let is_current = last >= today;
        let status = if active.is_empty() {
            PeriodStatus::Paused
        } else {
            match answer {
                Some(Outcome::Kept) => PeriodStatus::Kept,
                Some(Outcome::Lapsed) => PeriodStatus::Lapsed,
                Some(Outcome::NotApplicable) => PeriodStatus::NotApplicable,
                None if is_current => PeriodStatus::Open,
                None => PeriodStatus::Missed,
            }
        };
        out.push(Period {
            first_day: first,
            last_day: last,
            status,
        });
        match last.checked_add(1.day()) {
            Ok(n) => first = n,
            Err(_) => break,
        }
    }
    out
}

fn days(from: Date, to: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        out.push(d);
        match next_day(d) {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

/// Everything the track-record page and report show for one commitment.
pub fn summarize(c: &Commitment, answers: &BTreeMap<Date, Outcome>, today: Date) -> RecordSummary {
    let periods = periods(c, answers, today);
    let count = |s: PeriodStatus| periods.iter().filter(|p| p.status == s).count() as u32;
    let mut current_streak = 0;
    for p in periods.iter().rev() {
        match p.status {
            PeriodStatus::Kept => current_streak += 1,
            PeriodStatus::Lapsed | PeriodStatus::Missed => break,
            PeriodStatus::NotApplicable | PeriodStatus::Paused | PeriodStatus::Open => {}
        }
    }
    let mut longest_streak = 0;
    let mut run = 0;
    for p in &periods {
        match p.status {
            PeriodStatus::Kept => {
                run += 1;
                longest_streak = longest_streak.max(run);
            }
            PeriodStatus::Lapsed | PeriodStatus::Missed => run = 0,
            _ => {}
        }
    }
    let windows = WINDOWS
        .iter()
        .map(|&n| {
            let from = today.checked_sub(i64::from(n - 1).days()).unwrap_or(today);
            let inside: Vec<&Period> = periods.iter().filter(|p| p.last_day >= from).collect();
            let kept = inside
                .iter()
                .filter(|p| p.status == PeriodStatus::Kept)
                .count() as u32;
            let lapsed = inside
                .iter()
                .filter(|p| p.status == PeriodStatus::Lapsed)
                .count() as u32;
            let missed = inside
                .iter()
                .filter(|p| p.status == PeriodStatus::Missed)
                .count() as u32;
            let due = kept + lapsed + missed;
            RateWindow {
                days: n,
                kept,
                lapsed,
                missed,
                rate: (due > 0).then(|| f64::from(kept) / f64::from(due)),
            }
        })
        .collect();
    RecordSummary {
        weekly: c.kind == CommitmentKind::Weekly,
        current_streak,
        longest_streak,
        kept: count(PeriodStatus::Kept),
        lapsed: count(PeriodStatus::Lapsed),
        not_applicable: count(PeriodStatus::NotApplicable),
        missed: count(PeriodStatus::Missed),
        windows,
        periods,
    }
}

/// Which weekdays lapses fall on (Monday first), for the pattern view.
pub fn lapses_by_weekday(answers: &BTreeMap<Date, Outcome>) -> [u32; 7] {
    let mut out = [0; 7];
    for (d, o) in answers {
        if *o == Outcome::Lapsed {
            out[d.weekday().to_monday_zero_offset() as usize] += 1;
        }
    }
    out
}

pub const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::method::plan::Pause;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn commitment(kind: CommitmentKind, start: Date) -> Commitment {
        Commitment {
            title: "No alcohol".into(),
            kind,
            limit: None,
            unit: String::new(),
            start,
            lapse_means: String::new(),
            pauses: vec![],
        }
    }

    fn answers(start: Date, pattern: &str) -> BTreeMap<Date, Outcome> {
        pattern
            .chars()
            .enumerate()
            .filter_map(|(i, ch)| {
                let o = match ch {
                    'k' => Outcome::Kept,
                    'l' => Outcome::Lapsed,
                    'n' => Outcome::NotApplicable,
                    _ => return None,
                };
                Some((start.checked_add((i as i64).days()).unwrap(), o))
            })
            .collect()
    }

    const START: Date = date(2026, 3, 20);

    #[test]
    fn streaks_rates_and_missed_days() {
        let c = commitment(CommitmentKind::Daily, START);
        // 10 days: k k l k k . k n k (today open)
        let a = answers(START, "kklkk.knk");
        let today = date(2026, 3, 29);
        let s = summarize(&c, &a, today);
        assert_eq!(s.periods.last().unwrap().status, PeriodStatus::Open);
        assert_eq!(
            s.current_streak, 2,
            "n neither counts nor breaks; today is still open"
        );
        assert_eq!(s.longest_streak, 2);
        assert_eq!((s.kept, s.lapsed, s.missed, s.not_applicable), (6, 1, 1, 1));
        let w7 = s.windows[0];
        assert_eq!((w7.kept, w7.lapsed, w7.missed), (4, 0, 1));
        assert_eq!(w7.rate, Some(4.0 / 5.0));
        let w30 = s.windows[1];
        assert_eq!(w30.rate, Some(6.0 / 8.0));
    }

    #[test]
    fn a_lapse_today_ends_the_streak_and_stays_visible() {
        let c = commitment(CommitmentKind::Daily, START);
        let mut a = answers(START, "kkkkk");
        let today = date(2026, 3, 25);
        assert_eq!(summarize(&c, &a, today).current_streak, 5);
        a.insert(today, Outcome::Lapsed);
        let s = summarize(&c, &a, today);
        assert_eq!(s.current_streak, 0);
        assert_eq!(s.longest_streak, 5);
        assert_eq!(s.lapsed, 1);
    }

    #[test]
    fn paused_days_count_for_nothing() {
        let mut c = commitment(CommitmentKind::Daily, START);
        c.pauses.push(Pause {
            from: date(2026, 3, 22),
            until: Some(date(2026, 3, 24)),
        });
        // k k (paused x3, unanswered) k k
        let a = answers(START, "kk...kk");
        let s = summarize(&c, &a, date(2026, 3, 26));
        assert_eq!(s.current_streak, 4);
        assert_eq!(s.missed, 0);
        assert_eq!(
            s.periods
                .iter()
                .filter(|p| p.status == PeriodStatus::Paused)
                .count(),
            3
        );
    }

    #[test]
    fn weekly_commitments_count_weeks() {
        // Friday 2026-03-20 starts; weeks begin on Mondays.
        let c = commitment(CommitmentKind::Weekly, START);
        let mut a = BTreeMap::new();
        a.insert(date(2026, 3, 21), Outcome::Kept); // week of 16 Mar
        a.insert(date(2026, 3, 25), Outcome::Kept); // week of 23 Mar
        // week of 30 Mar: nothing (missed); week of 6 Apr: current, open
        let s = summarize(&c, &a, date(2026, 4, 8));
        let statuses: Vec<_> = s.periods.iter().map(|p| p.status).collect();
        assert_eq!(
            statuses,
            [
                PeriodStatus::Kept,
                PeriodStatus::Kept,
                PeriodStatus::Missed,
                PeriodStatus::Open
            ]
        );
        assert!(s.weekly);
        assert_eq!(s.current_streak, 0);
        assert_eq!(s.longest_streak, 2);
    }

    #[test]
    fn the_dst_weekend_is_two_ordinary_days() {
        // Calendar days are civil dates: 29 March (23 hours in Europe) is one day.
        let c = commitment(CommitmentKind::Daily, date(2026, 3, 28));
        let a = answers(date(2026, 3, 28), "kkk");
        let s = summarize(&c, &a, date(2026, 3, 30));
        assert_eq!(s.periods.len(), 3);
        assert_eq!(s.current_streak, 3);
    }

    fn outcome() -> impl Strategy<Value = Option<Outcome>> {
        prop_oneof![
            Just(None),
            Just(Some(Outcome::Kept)),
            Just(Some(Outcome::Lapsed)),
            Just(Some(Outcome::NotApplicable)),
        ]
    }

    fn brute_force_current(statuses: &[PeriodStatus]) -> u32 {
        let mut n = 0;
        for s in statuses.iter().rev() {
            match s {
                PeriodStatus::Kept => n += 1,
                PeriodStatus::Lapsed | PeriodStatus::Missed => return n,
                _ => {}
            }
        }
        n
    }

    proptest! {
        #[test]
        fn streak_and_rate_invariants(
            pattern in proptest::collection::vec(outcome(), 0..120),
            offset in 0i64..3000,
            weekly in any::<bool>(),
            pause in proptest::option::of((0i64..100, 0i64..20)),
        ) {
            let start = date(2020, 1, 1).checked_add(offset.days()).unwrap();
            let kind = if weekly { CommitmentKind::Weekly } else { CommitmentKind::Daily };
            let mut c = commitment(kind, start);
            if let Some((from, len)) = pause {
                let f = start.checked_add(from.days()).unwrap();
                c.pauses.push(Pause { from: f, until: Some(f.checked_add(len.days()).unwrap()) });
            }
            let a: BTreeMap<Date, Outcome> = pattern.iter().enumerate()
                .filter_map(|(i, o)| o.map(|o| (start.checked_add((i as i64).days()).unwrap(), o)))
                .collect();
            let today = start.checked_add((pattern.len() as i64).days()).unwrap();
            let s = summarize(&c, &a, today);
            prop_assert!(s.current_streak <= s.longest_streak);
            prop_assert!(s.longest_streak <= s.kept);
            let statuses: Vec<_> = s.periods.iter().map(|p| p.status).collect();
            prop_assert_eq!(s.current_streak, brute_force_current(&statuses));
            prop_assert!(statuses.iter().rev().skip(1).all(|st| *st != PeriodStatus::Open), "only the current period may be open");
            for w in &s.windows {
                if let Some(r) = w.rate { prop_assert!((0.0..=1.0).contains(&r)); }
            }
            // Windows nest: a longer window never holds fewer answers.
            prop_assert!(s.windows[0].kept <= s.windows[1].kept && s.windows[1].kept <= s.windows[2].kept);
            // Every day from start to today lies in exactly one period.
            if let (Some(f), Some(l)) = (s.periods.first(), s.periods.last()) {
                prop_assert!(f.first_day <= start && l.last_day >= today);
                for pair in s.periods.windows(2) {
                    prop_assert_eq!(pair[0].last_day.checked_add(1.day()).unwrap(), pair[1].first_day);
                }
            }
            // A lapse today ends the current streak (unless today is paused).
            let mut with_lapse = a.clone();
            with_lapse.insert(today, Outcome::Lapsed);
            if !c.is_paused_on(today) {
                prop_assert_eq!(summarize(&c, &with_lapse, today).current_streak, 0);
            }
            // Moving the whole record in time changes nothing (no clock, no zone inside).
            if !weekly {
                let shift = 400i64;
                let mut c2 = c.clone();
                c2.start = c.start.checked_add(shift.days()).unwrap();
                for p in &mut c2.pauses {
                    p.from = p.from.checked_add(shift.days()).unwrap();
                    p.until = p.until.map(|u| u.checked_add(shift.days()).unwrap());
                }
                let a2: BTreeMap<Date, Outcome> = a.iter().map(|(d, o)| (d.checked_add(shift.days()).unwrap(), *o)).collect();
                let s2 = summarize(&c2, &a2, today.checked_add(shift.days()).unwrap());
                prop_assert_eq!((s2.current_streak, s2.longest_streak, s2.kept, s2.missed), (s.current_streak, s.longest_streak, s.kept, s.missed));
            }
        }
    }
}
