//! "What will you do differently?": the plan that answers one problem.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::problem::{Whose, choice_enum, parse_choice};
use crate::form::{FormErrors, clean_text};

/// "If <situation>, then I will <action>" (an implementation intention).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IfThen {
    pub when: String,
    pub then: String,
}

choice_enum!(
    /// How a commitment is measured.
    CommitmentKind {
        Daily => ("daily", "Every day: kept or not"),
        DailyLimit => ("limit", "Every day: a count that stays within a limit"),
        Weekly => ("weekly", "Every week: kept or not"),
    }
);

/// A span when a commitment was paused (holiday, illness): those days are
/// neither kept nor missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pause {
    pub from: Date,
    /// `None` while still paused.
    pub until: Option<Date>,
}

impl Pause {
    pub fn covers(&self, day: Date) -> bool {
        day >= self.from && self.until.is_none_or(|u| day <= u)
    }
}

/// A measurable promise with a start date and a clear meaning of "lapse".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    pub title: String,
    pub kind: CommitmentKind,
    /// For `DailyLimit`: the most allowed per day (e.g. 0 drinks, 2 drinks).
    pub limit: Option<u32>,
    /// For `DailyLimit`: what is counted ("drinks").
    pub unit: String,
    pub start: Date,
    /// What would count as a lapse, in the person's own words.
    pub lapse_means: String,
    #[serde(default)]
    pub pauses: Vec<Pause>,
}

impl Commitment {
    pub fn is_paused_on(&self, day: Date) -> bool {
        self.pauses.iter().any(|p| p.covers(day))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub problem_id: i64,
    /// The one-sentence answer to "what will you do to prevent it?".
    pub prevention: String,
    pub if_then: Vec<IfThen>,
    pub commitment: Option<Commitment>,
    /// For the ex's behaviour: what the user needs to see before reconciling.
    pub condition: String,
    /// Commitments taken back, newest last. Their check-ins stay in the
    /// record, marked, and no longer count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawn: Vec<WithdrawnCommitment>,
}

/// A commitment the person took back, and the day they did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawnCommitment {
    pub commitment: Commitment,
    pub on: Date,
}

impl WithdrawnCommitment {
    /// Whether `day` was lived under this commitment (its start to the day
    /// it was withdrawn): a check-in of that day is its record.
    pub fn covers(&self, day: Date) -> bool {
        day >= self.commitment.start && day <= self.on
    }
}

impl Plan {
    /// Whether a check-in of `day` belongs to a withdrawn commitment (it
    /// stays in the record, marked, and does not count for the current one).
    pub fn withdrawn_covers(&self, day: Date) -> bool {
        self.withdrawn.iter().any(|w| w.covers(day))
    }
}

/// What a problem still needs before it counts as answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Missing {
    Prevention,
    IfThen,
    Commitment,
    Condition,
}

impl Missing {
    pub fn label(self) -> &'static str {
        match self {
            Missing::Prevention => "a one-sentence answer to “what will I do differently?”",
            Missing::IfThen => "at least one if-then plan",
            Missing::Commitment => "a measurable commitment",
            Missing::Condition => "the condition you need to see from them",
        }
    }
}

/// A problem is answered only when every part its kind needs is there:
/// the user's own (or shared, or circumstantial) problems need a prevention
/// sentence, an if-then plan and a commitment; the ex's behaviour needs the
/// prevention sentence and the condition to see before reconciling; a
/// shared problem needs both.
pub fn missing(whose: Whose, plan: Option<&Plan>) -> Vec<Missing> {
    let mut out = Vec::new();
    let (prevention, if_then, commitment, condition) = match plan {
        Some(p) => (
            !p.prevention.trim().is_empty(),
            !p.if_then.is_empty(),
            p.commitment.is_some(),
            !p.condition.trim().is_empty(),
        ),
        None => (false, false, false, false),
    };
    if !prevention {
        out.push(Missing::Prevention);
    }
    let needs_action = whose != Whose::Theirs;
    let needs_condition = matches!(whose, Whose::Theirs | Whose::Both);
    if needs_action && !if_then {
        out.push(Missing::IfThen);
    }
    if needs_action && !commitment {
        out.push(Missing::Commitment);
    }
    if needs_condition && !condition {
        out.push(Missing::Condition);
    }
    out
}

pub const MAX_IF_THEN: usize = 3;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlanForm {
    #[serde(default)]
    pub prevention: String,
    #[serde(default)]
    pub if1: String,
    #[serde(default)]
    pub then1: String,
    #[serde(default)]
    pub if2: String,
    #[serde(default)]
    pub then2: String,
    #[serde(default)]
    pub if3: String,
    #[serde(default)]
    pub then3: String,
    #[serde(default)]
    pub commitment_title: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub limit: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub lapse_means: String,
    #[serde(default)]
    pub condition: String,
}

impl PlanForm {
    pub fn from_plan(p: &Plan) -> PlanForm {
        let it = |i: usize| {
            p.if_then
                .get(i)
                .cloned()
                .map(|x| (x.when, x.then))
                .unwrap_or_default()
        };
        let (if1, then1) = it(0);
        let (if2, then2) = it(1);
        let (if3, then3) = it(2);
        let c = p.commitment.as_ref();
        PlanForm {
            prevention: p.prevention.clone(),
            if1,
            then1,
            if2,
            then2,
            if3,
            then3,
            commitment_title: c.map(|c| c.title.clone()).unwrap_or_default(),
            kind: c.map(|c| c.kind.key().to_string()).unwrap_or_default(),
            limit: c
                .and_then(|c| c.limit)
                .map(|l| l.to_string())
                .unwrap_or_default(),
            unit: c.map(|c| c.unit.clone()).unwrap_or_default(),
            start: c.map(|c| c.start.to_string()).unwrap_or_default(),
            lapse_means: c.map(|c| c.lapse_means.clone()).unwrap_or_default(),
            condition: p.condition.clone(),
        }
    }

    /// Validates a plan. `previous` keeps the pauses of an existing commitment;
    /// `made_on` is the day the plan was first saved (today for a new one): a
    /// commitment cannot start before it, so past days cannot be claimed.
    pub fn validate(
        &self,
        problem_id: i64,
        today: Date,
        previous: Option<&Plan>,
        made_on: Date,
    ) -> Result<Plan, FormErrors> {
        let mut e = FormErrors::default();
        let prevention = clean_text(&mut e, "prevention", "The answer", &self.prevention, 500);
        let pairs = [
            (&self.if1, &self.then1, "if1", "then1"),
            (&self.if2, &self.then2, "if2", "then2"),
            (&self.if3, &self.then3, "if3", "then3"),
        ];
        let mut if_then = Vec::new();
        for (w, t, wf, tf) in pairs {
            let when = clean_text(&mut e, wf, "The “if” part", w, 500);
            let then = clean_text(&mut e, tf, "The “then” part", t, 500);
            match (when.is_empty(), then.is_empty()) {
                (true, true) => {}
                (false, false) => if_then.push(IfThen { when, then }),
                (true, false) => e.add(wf, "Please describe the situation (“If …”) for this plan."),
                (false, true) => e.add(tf, "Please say what you will do (“then I will …”)."),
            }
        }
        let condition = clean_text(&mut e, "condition", "The condition", &self.condition, 1_000);
        let title = clean_text(
            &mut e,
            "commitment_title",
            "The commitment",
            &self.commitment_title,
            200,
        );
        let wants_commitment =
            !title.is_empty() || !self.kind.trim().is_empty() || !self.start.trim().is_empty();
        let commitment = if wants_commitment {
            if title.is_empty() {
                e.add(
                    "commitment_title",
                    "Please name the commitment, for example “No alcohol”.",
                );
            }
            let kind = parse_choice(
                &mut e,
                "kind",
                &self.kind,
                CommitmentKind::parse,
                "Please choose how the commitment is measured.",
            );
            let limit = if kind == Some(CommitmentKind::DailyLimit) {
                match self.limit.trim().parse::<u32>() {
                    Ok(n) if n <= 1_000 => Some(n),
                    _ => {
                        e.add(
                            "limit",
                            "Please give the limit as a whole number, for example 0 or 2.",
                        );
                        None
                    }
                }
            } else {
                None
            };
            let unit = clean_text(&mut e, "unit", "What is counted", &self.unit, 40);
            let start = match self.start.trim().parse::<Date>() {
                Ok(d) if d < made_on.min(today) => {
                    e.add(
                        "start",
                        format!("The start date cannot be before {}, the day this plan was made: the record counts days as they are lived, not days written in afterwards.", made_on.min(today)),
                    );
                    None
                }
                Ok(d)
                    if d.year() >= 1900
                        && d <= today.saturating_add(jiff::Span::new().days(366)) =>
                {
                    Some(d)
                }
                Ok(_) => {
                    e.add("start", "Please choose a start date within the next year.");
                    None
                }
                Err(_) if self.start.trim().is_empty() => Some(today),
                Err(_) => {
                    e.add(
                        "start",
                        "The start date should look like 2024-03-15 (year-month-day).",
                    );
                    None
                }
            };
            let lapse_means = clean_text(
                &mut e,
                "lapse_means",
                "What counts as a lapse",
                &self.lapse_means,
                500,
            );
            match (kind, start) {
                (Some(kind), Some(start)) => Some(Commitment {
                    title: title.clone(),
                    kind,
                    limit,
                    unit,
                    start,
                    lapse_means,
                    pauses: previous
                        .and_then(|p| p.commitment.as_ref())
                        .map(|c| c.pauses.clone())
                        .unwrap_or_default(),
                }),
                _ => None,
            }
        } else {
            None
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(Plan {
            problem_id,
            prevention,
            if_then,
            commitment,
            condition,
            withdrawn: previous.map(|p| p.withdrawn.clone()).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 26);

    #[test]
    fn answered_needs_every_part_for_its_kind() {
        let full = PlanForm {
            prevention: "I will not drink at all.".into(),
            if1: "someone offers me a drink at a party".into(),
            then1: "I ask for sparkling water and text my ally".into(),
            commitment_title: "No alcohol".into(),
            kind: "daily".into(),
            start: "2026-11-20".into(),
            ..Default::default()
        }
        .validate(1, TODAY, None, date(2026, 11, 20))
        .unwrap();
        assert!(missing(Whose::Mine, Some(&full)).is_empty());
        assert_eq!(missing(Whose::Both, Some(&full)), [Missing::Condition]);
        assert_eq!(missing(Whose::Theirs, Some(&full)), [Missing::Condition]);
        assert_eq!(
            missing(Whose::Mine, None),
            [Missing::Prevention, Missing::IfThen, Missing::Commitment]
        );
        let mut no_commitment = full.clone();
        no_commitment.commitment = None;
        assert_eq!(
            missing(Whose::Mine, Some(&no_commitment)),
            [Missing::Commitment]
        );
    }

    #[test]
    fn half_filled_if_then_and_bad_limits_are_explained() {
        let f = PlanForm {
            if1: "I feel lonely".into(),
            commitment_title: "At most two drinks".into(),
            kind: "limit".into(),
            limit: "lots".into(),
            start: "tomorrow".into(),
            ..Default::default()
        };
        let e = f.validate(1, TODAY, None, TODAY).unwrap_err();
        assert!(e.get("then1").is_some());
        assert!(e.get("limit").is_some());
        assert!(e.get("start").is_some());
    }

    #[test]
    fn editing_keeps_pauses() {
        let mut p = PlanForm {
            commitment_title: "No alcohol".into(),
            kind: "daily".into(),
            ..Default::default()
        }
        .validate(1, TODAY, None, TODAY)
        .unwrap();
        assert_eq!(
            p.commitment.as_ref().unwrap().start,
            TODAY,
            "start defaults to today"
        );
        p.commitment.as_mut().unwrap().pauses.push(Pause {
            from: date(2026, 11, 1),
            until: None,
        });
        let again = PlanForm::from_plan(&p)
            .validate(1, TODAY, Some(&p), TODAY)
            .unwrap();
        assert_eq!(again, p);
    }

    #[test]
    fn a_commitment_cannot_start_before_the_plan_was_made() {
        let mut f = PlanForm {
            prevention: "I will not drink".into(),
            commitment_title: "No alcohol".into(),
            kind: "daily".into(),
            start: "2026-10-01".into(),
            ..PlanForm::default()
        };
        let e = f.validate(1, TODAY, None, TODAY).unwrap_err();
        assert!(
            e.get("start")
                .unwrap()
                .contains("the day this plan was made"),
            "{e:?}"
        );
        // An existing plan made on 1 October may start then, not earlier.
        assert!(f.validate(1, TODAY, None, date(2026, 10, 1)).is_ok());
        f.start = "2026-09-30".into();
        assert!(f.validate(1, TODAY, None, date(2026, 10, 1)).is_err());
    }
}
