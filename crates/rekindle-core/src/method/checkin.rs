//! A check-in: one answer for one commitment on one day.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use super::plan::{Commitment, CommitmentKind};
use super::problem::choice_enum;
use crate::form::{FormErrors, clean_text};

choice_enum!(
    Outcome {
        Kept => ("kept", "Kept"),
        Lapsed => ("lapsed", "Lapsed"),
        NotApplicable => ("na", "Didn't apply today"),
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    /// The item id of the plan whose commitment this answers.
    pub plan_id: i64,
    /// The day the answer is about (the person's own calendar day).
    pub day: Date,
    pub outcome: Outcome,
    /// For a daily limit: how many.
    pub count: Option<u32>,
    pub note: String,
    /// The trigger met, if any (free text, or a named trigger).
    pub trigger: String,
    /// What was done instead (or what led to the lapse).
    pub instead: String,
    /// The day it was written down; later than `day` means a late entry.
    pub recorded_on: Date,
}

impl CheckIn {
    /// Entered after the day it is about: shown as late, never hidden.
    pub fn is_late(&self) -> bool {
        self.recorded_on > self.day
    }

    /// Counts toward the track record that outreach and sharing rely on:
    /// written down on its day, or the next (a check-in after midnight for
    /// the evening before). Entries added later stay in the record, marked
    /// "added later", but prove nothing about the days they claim.
    pub fn counts_as_recorded(&self) -> bool {
        self.recorded_on <= self.day.tomorrow().unwrap_or(self.day)
    }
}

/// The first day of the honest track record: the earliest day on which a
/// check-in was written down on time (from the clock, never the day it
/// claims). `None` when there is none.
pub fn record_started<'a>(checkins: impl IntoIterator<Item = &'a CheckIn>) -> Option<Date> {
    checkins
        .into_iter()
        .filter(|c| c.counts_as_recorded())
        .map(|c| c.recorded_on)
        .min()
}

/// The person's calendar day at an instant, in their time zone. Across a
/// DST change a day is 23 or 25 hours long, but still exactly one day.
pub fn local_day(at: Timestamp, tz: &TimeZone) -> Date {
    at.to_zoned_datetime(tz.clone()).date()
}

/// How far back a check-in may be entered (then it is marked late).
pub const MAX_LATE_DAYS: i64 = 30;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInForm {
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub count: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub trigger: String,
    #[serde(default)]
    pub instead: String,
}

impl CheckInForm {
    pub fn validate(
        &self,
        plan_id: i64,
        commitment: &Commitment,
        today: Date,
    ) -> Result<CheckIn, FormErrors> {
        let mut e = FormErrors::default();
        let day = if self.day.trim().is_empty() {
            Some(today)
        } else {
            match self.day.trim().parse::<Date>() {
                Ok(d) if d > today => {
                    e.add("day", "You can only check in for today or an earlier day.");
                    None
                }
                Ok(d) if d < commitment.start => {
                    e.add(
                        "day",
                        format!(
                            "This commitment started on {}; choose a day from then on.",
                            commitment.start
                        ),
                    );
                    None
                }
                Ok(d)
                    if today
                        .since(d)
                        .map(|s| s.get_days() as i64)
                        .unwrap_or(i64::MAX)
                        > MAX_LATE_DAYS =>
                {
                    e.add(
                        "day",
                        format!("Check-ins can be added up to {MAX_LATE_DAYS} days late."),
                    );
                    None
                }
                Ok(d) => Some(d),
                Err(_) => {
                    e.add(
                        "day",
                        "The day should look like 2024-03-15 (year-month-day).",
                    );
                    None
                }
            }
        };
        let count =
            if commitment.kind == CommitmentKind::DailyLimit && !self.count.trim().is_empty() {
                match self.count.trim().parse::<u32>() {
                    Ok(n) if n <= 10_000 => Some(n),
                    _ => {
                        e.add("count", "Please give the count as a whole number.");
                        None
                    }
                }
            } else {
                None
            };
        // With a count, the limit decides: honest by construction.
        let outcome = match (count, commitment.limit) {
            (Some(n), Some(limit)) => Some(if n > limit {
                Outcome::Lapsed
            } else {
                Outcome::Kept
            }),
            _ => {
                let o = Outcome::parse(&self.outcome);
                if o.is_none() {
                    e.add("outcome", "Please choose kept, lapsed, or didn't apply.");
                }
                o
            }
        };
        let note = clean_text(&mut e, "note", "The note", &self.note, 2_000);
        let trigger = clean_text(&mut e, "trigger", "The trigger", &self.trigger, 300);
        let instead = clean_text(
            &mut e,
            "instead",
            "What you did instead",
            &self.instead,
            1_000,
        );
        match (day, outcome) {
            (Some(day), Some(outcome)) if e.is_empty() => Ok(CheckIn {
                plan_id,
                day,
                outcome,
                count,
                note,
                trigger,
                instead,
                recorded_on: today,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod record_tests {
    use super::*;
    use jiff::civil::date;

    fn at(day: Date, recorded_on: Date) -> CheckIn {
        CheckIn {
            plan_id: 1,
            day,
            outcome: Outcome::Kept,
            count: None,
            note: String::new(),
            trigger: String::new(),
            instead: String::new(),
            recorded_on,
        }
    }

    #[test]
    fn backfilled_days_do_not_start_the_record() {
        // 35 past days entered today: the record starts today.
        let today = date(2026, 12, 3);
        let backfill: Vec<CheckIn> = (1..=35)
            .map(|n| at(today.checked_sub(jiff::Span::new().days(n)).unwrap(), today))
            .chain([at(today, today)])
            .collect();
        assert_eq!(record_started(&backfill), Some(today));
        assert!(backfill.iter().filter(|c| c.counts_as_recorded()).count() <= 2);
        // Written on its day, or just after midnight: counts.
        let yesterday = date(2026, 12, 2);
        assert!(at(yesterday, today).counts_as_recorded());
        assert!(!at(date(2026, 12, 1), today).counts_as_recorded());
        assert_eq!(
            record_started(&[at(date(2026, 11, 1), date(2026, 11, 1))]),
            Some(date(2026, 11, 1))
        );
        assert_eq!(
            record_started(&[at(date(2026, 11, 1), date(2026, 11, 20))]),
            None
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn commitment(kind: CommitmentKind, limit: Option<u32>) -> Commitment {
        Commitment {
            title: "Drinks".into(),
            kind,
            limit,
            unit: "drinks".into(),
            start: date(2026, 11, 1),
            lapse_means: String::new(),
            pauses: vec![],
        }
    }

    #[test]
    fn a_count_over_the_limit_is_a_lapse_whatever_was_ticked() {
        let c = commitment(CommitmentKind::DailyLimit, Some(2));
        let f = CheckInForm {
            outcome: "kept".into(),
            count: "3".into(),
            ..Default::default()
        };
        assert_eq!(
            f.validate(7, &c, date(2026, 11, 26)).unwrap().outcome,
            Outcome::Lapsed
        );
        let f = CheckInForm {
            count: "2".into(),
            ..Default::default()
        };
        assert_eq!(
            f.validate(7, &c, date(2026, 11, 26)).unwrap().outcome,
            Outcome::Kept
        );
    }

    #[test]
    fn late_entries_are_marked_and_bounded() {
        let c = commitment(CommitmentKind::Daily, None);
        let today = date(2026, 11, 26);
        let f = CheckInForm {
            day: "2026-11-24".into(),
            outcome: "kept".into(),
            ..Default::default()
        };
        let ci = f.validate(1, &c, today).unwrap();
        assert!(ci.is_late());
        for bad in ["2026-11-27", "2026-10-01", "24/11/2026"] {
            let f = CheckInForm {
                day: bad.into(),
                outcome: "kept".into(),
                ..Default::default()
            };
            assert!(
                f.validate(1, &c, today).unwrap_err().get("day").is_some(),
                "{bad}"
            );
        }
    }

    #[test]
    fn local_day_follows_the_time_zone_across_dst() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        // 2026-03-29: clocks go from 02:00 to 03:00. 23:30 local on both sides.
        let before: Timestamp = "2026-03-28T22:30:00Z".parse().unwrap(); // 23:30 CET
        let after: Timestamp = "2026-03-29T21:30:00Z".parse().unwrap(); // 23:30 CEST
        assert_eq!(local_day(before, &tz), date(2026, 3, 28));
        assert_eq!(local_day(after, &tz), date(2026, 3, 29));
        // The same instant is a different day in Auckland.
        let nz = TimeZone::get("Pacific/Auckland").unwrap();
        assert_eq!(local_day(before, &nz), date(2026, 3, 29));
    }
}
