//! Guarding against repeats: triggers and high-risk situations with their
//! plans, the lapse pattern, and the AUDIT-C alcohol screen.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::checkin::{CheckIn, Outcome};
use super::problem::{choice_enum, parse_choice};
use crate::form::{FormErrors, clean_text};

choice_enum!(
    TriggerKind {
        Person => ("person", "A person"),
        Place => ("place", "A place"),
        Time => ("time", "A time"),
        Mood => ("mood", "A mood"),
        Other => ("other", "Something else"),
    }
);

/// A high-risk situation and what the person will do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    pub plan_id: i64,
    pub kind: TriggerKind,
    pub description: String,
    /// How to avoid it, or how to cope when it comes.
    pub coping: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub coping: String,
}

impl TriggerForm {
    /// The form filled in with a saved trigger, for editing.
    pub fn from_trigger(t: &Trigger) -> TriggerForm {
        TriggerForm {
            kind: t.kind.key().to_string(),
            description: t.description.clone(),
            coping: t.coping.clone(),
        }
    }

    pub fn validate(&self, plan_id: i64) -> Result<Trigger, FormErrors> {
        let mut e = FormErrors::default();
        let kind = parse_choice(
            &mut e,
            "kind",
            &self.kind,
            TriggerKind::parse,
            "Please choose what kind of trigger this is.",
        );
        let description = clean_text(&mut e, "description", "The trigger", &self.description, 300);
        if description.is_empty() {
            e.add(
                "description",
                "Please describe the trigger, for example “Friday drinks after work”.",
            );
        }
        let coping = clean_text(&mut e, "coping", "The plan", &self.coping, 1_000);
        if coping.is_empty() {
            e.add(
                "coping",
                "Please say how you will avoid it or cope with it.",
            );
        }
        match kind {
            Some(kind) if e.is_empty() => Ok(Trigger {
                plan_id,
                kind,
                description,
                coping,
            }),
            _ => Err(e),
        }
    }
}

/// What lapses have in common: the triggers named before them, the weekdays
/// and the hours they were written down.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LapsePattern {
    pub lapses: u32,
    /// Trigger text (as first written, case-insensitively grouped) → lapses, most first.
    pub triggers: Vec<(String, u32)>,
    /// Monday first.
    pub weekdays: [u32; 7],
    /// Hour of day (0–23) of lapses recorded on the day itself.
    pub hours: [u32; 24],
}

/// `checkins`: current check-ins with, where known, the hour the lapse was
/// recorded on its own day.
pub fn lapse_pattern<'a>(
    checkins: impl IntoIterator<Item = (&'a CheckIn, Option<i8>)>,
) -> LapsePattern {
    let mut p = LapsePattern::default();
    let mut triggers: BTreeMap<String, (String, u32)> = BTreeMap::new();
    for (c, hour) in checkins {
        if c.outcome != Outcome::Lapsed {
            continue;
        }
        p.lapses += 1;
        p.weekdays[c.day.weekday().to_monday_zero_offset() as usize] += 1;
        if let Some(h) = hour.filter(|h| (0..24).contains(h)) {
            p.hours[h as usize] += 1;
        }
        let t = c.trigger.trim();
        if !t.is_empty() {
            let entry = triggers
                .entry(t.to_lowercase())
                .or_insert_with(|| (t.to_string(), 0));
            entry.1 += 1;
        }
    }
    let mut list: Vec<(String, u32)> = triggers.into_values().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    p.triggers = list;
    p
}

choice_enum!(
    Sex {
        Female => ("female", "Female"),
        Male => ("male", "Male"),
        Unsaid => ("unsaid", "Another answer, or I'd rather not say"),
    }
);

/// The three AUDIT-C questions, paraphrased (domain.md §D), each with its
/// five answers scored 0–4.
pub const AUDIT_C: [(&str, [&str; 5]); 3] = [
    (
        "How often do you have a drink that contains alcohol?",
        [
            "Never",
            "Monthly or less",
            "2 to 4 times a month",
            "2 to 3 times a week",
            "4 or more times a week",
        ],
    ),
    (
        "On a typical day when you drink, how many standard drinks do you have?",
        ["1 or 2", "3 or 4", "5 or 6", "7 to 9", "10 or more"],
    ),
    (
        "How often do you have six or more drinks on one occasion?",
        [
            "Never",
            "Less than monthly",
            "Monthly",
            "Weekly",
            "Daily or almost daily",
        ],
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditC {
    pub on: Date,
    pub answers: [u8; 3],
    pub sex: Sex,
}

impl AuditC {
    /// 0–12.
    pub fn score(&self) -> u8 {
        self.answers.iter().sum()
    }

    /// The published cut-offs: 4 or more for men, 3 or more for women; for
    /// anyone else the lower (more careful) one.
    pub fn cutoff(&self) -> u8 {
        match self.sex {
            Sex::Male => 4,
            Sex::Female | Sex::Unsaid => 3,
        }
    }

    pub fn positive(&self) -> bool {
        self.score() >= self.cutoff()
    }
}

/// The screen is offered again a month after the last one.
pub fn audit_due(last: Option<Date>, today: Date) -> bool {
    match last {
        None => true,
        Some(d) => d
            .checked_add(jiff::Span::new().months(1))
            .map(|n| n <= today)
            .unwrap_or(true),
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditCForm {
    #[serde(default)]
    pub q1: String,
    #[serde(default)]
    pub q2: String,
    #[serde(default)]
    pub q3: String,
    #[serde(default)]
    pub sex: String,
}

impl AuditCForm {
    pub fn validate(&self, today: Date) -> Result<AuditC, FormErrors> {
        let mut e = FormErrors::default();
        let mut answers = [0u8; 3];
        for (i, (field, raw)) in [("q1", &self.q1), ("q2", &self.q2), ("q3", &self.q3)]
            .into_iter()
            .enumerate()
        {
            match raw.trim().parse::<u8>() {
                Ok(n) if n <= 4 => answers[i] = n,
                _ => e.add(field, "Please choose one answer."),
            }
        }
        let sex = if self.sex.trim().is_empty() {
            Some(Sex::Unsaid)
        } else {
            parse_choice(
                &mut e,
                "sex",
                &self.sex,
                Sex::parse,
                "Please choose one answer.",
            )
        };
        match sex {
            Some(sex) if e.is_empty() => Ok(AuditC {
                on: today,
                answers,
                sex,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn lapse(day: Date, trigger: &str) -> CheckIn {
        CheckIn {
            plan_id: 1,
            day,
            outcome: Outcome::Lapsed,
            count: None,
            note: String::new(),
            trigger: trigger.into(),
            instead: String::new(),
            recorded_on: day,
        }
    }

    #[test]
    fn audit_c_scores_and_sex_specific_cutoffs() {
        let today = date(2026, 11, 26);
        let a = AuditCForm {
            q1: "2".into(),
            q2: "1".into(),
            q3: "0".into(),
            sex: "male".into(),
        }
        .validate(today)
        .unwrap();
        assert_eq!(a.score(), 3);
        assert!(!a.positive(), "3 is below the cut-off for men");
        let b = AuditC {
            sex: Sex::Female,
            ..a.clone()
        };
        assert!(b.positive(), "3 reaches the cut-off for women");
        let c = AuditC {
            sex: Sex::Unsaid,
            ..a
        };
        assert!(c.positive());
        let max = AuditC {
            on: today,
            answers: [4, 4, 4],
            sex: Sex::Male,
        };
        assert_eq!(max.score(), 12);
        assert!(
            AuditCForm {
                q1: "5".into(),
                ..Default::default()
            }
            .validate(today)
            .is_err()
        );
        assert!(audit_due(Some(date(2026, 10, 26)), today));
        assert!(!audit_due(Some(date(2026, 10, 27)), today));
    }

    #[test]
    fn the_pattern_groups_triggers_and_counts_weekdays_and_hours() {
        let fri = date(2026, 11, 20);
        let sat = date(2026, 11, 21);
        let a = lapse(fri, "Friday drinks");
        let b = lapse(sat, "friday drinks ");
        let c = lapse(date(2026, 11, 27), "Lonely evening");
        let kept = CheckIn {
            outcome: Outcome::Kept,
            ..lapse(sat, "party")
        };
        let p = lapse_pattern([
            (&a, Some(22)),
            (&b, Some(23)),
            (&c, None),
            (&kept, Some(20)),
        ]);
        assert_eq!(p.lapses, 3);
        assert_eq!(
            p.triggers,
            [
                ("Friday drinks".to_string(), 2),
                ("Lonely evening".to_string(), 1)
            ]
        );
        assert_eq!(
            (p.weekdays[4], p.weekdays[5]),
            (2, 1),
            "two Fridays and a Saturday"
        );
        assert_eq!(p.hours[22] + p.hours[23], 2);
    }
}
