//! Seriousness: is the person ready to change (per commitment), and how
//! committed are they to the relationship? Self-written neutral items: the
//! licences of the published instruments are unclear (domain.md §B–§C), so
//! none of their wording is used. The ex is never scored by the user.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::problem::{choice_enum, parse_choice};
use crate::form::{FormErrors, clean_text};

choice_enum!(
    /// Where the person stands with a change, in their own words.
    Stage {
        NotSure => ("not_sure", "I'm not sure I need to change this"),
        Thinking => ("thinking", "I'm thinking about changing it"),
        Preparing => ("preparing", "I'm getting ready to change it"),
        Doing => ("doing", "I'm changing it now"),
        Keeping => ("keeping", "I've changed it and I'm keeping it up"),
    }
);

/// One answer to the two 0–10 rulers and the stage, for one commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Readiness {
    pub plan_id: i64,
    pub on: Date,
    /// "How important is this change to you?" 0–10.
    pub importance: u8,
    /// "How sure are you that you can make it?" 0–10.
    pub confidence: u8,
    pub stage: Stage,
    pub note: String,
}

/// The rulers are asked again once a week.
pub fn readiness_due(last: Option<Date>, today: Date) -> bool {
    match last {
        None => true,
        Some(d) => d
            .checked_add(7.days())
            .map(|next| next <= today)
            .unwrap_or(true),
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReadinessForm {
    #[serde(default)]
    pub importance: String,
    #[serde(default)]
    pub confidence: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub note: String,
}

fn ruler(e: &mut FormErrors, field: &'static str, raw: &str, what: &str) -> Option<u8> {
    match raw.trim().parse::<u8>() {
        Ok(n) if n <= 10 => Some(n),
        _ => {
            e.add(field, format!("Please choose {what} from 0 to 10."));
            None
        }
    }
}

impl ReadinessForm {
    pub fn validate(&self, plan_id: i64, today: Date) -> Result<Readiness, FormErrors> {
        let mut e = FormErrors::default();
        let importance = ruler(
            &mut e,
            "importance",
            &self.importance,
            "how important it is",
        );
        let confidence = ruler(&mut e, "confidence", &self.confidence, "how sure you are");
        let stage = parse_choice(
            &mut e,
            "stage",
            &self.stage,
            Stage::parse,
            "Please choose where you stand.",
        );
        let note = clean_text(&mut e, "note", "The note", &self.note, 1_000);
        match (importance, confidence, stage) {
            (Some(importance), Some(confidence), Some(stage)) if e.is_empty() => Ok(Readiness {
                plan_id,
                on: today,
                importance,
                confidence,
                stage,
                note,
            }),
            _ => Err(e),
        }
    }
}

/// The four self-check questions (own wording, 0–8 scale), after the four
/// constructs of the investment model: satisfaction, alternatives,
/// investment, commitment.
pub const SELF_CHECK: [(&str, &str); 4] = [
    (
        "satisfaction",
        "Looking back honestly, how good was the relationship for you, most of the time?",
    ),
    (
        "alternatives",
        "How much would you miss out on if you built a good life without this relationship?",
    ),
    (
        "investment",
        "How much have you put into this relationship that you would lose if it stays over?",
    ),
    (
        "commitment",
        "How much do you want to be in this relationship for the long term, with the changes it needs?",
    ),
];

/// A self-check question's short name in plain words, for table headings
/// (the keys are the model's terms, not words to show).
pub fn self_check_label(key: &str) -> &'static str {
    match key {
        "satisfaction" => "How good it was",
        "alternatives" => "What you'd miss",
        "investment" => "What you put in",
        "commitment" => "Wanting it to last",
        _ => "Answer",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelfCheck {
    pub on: Date,
    /// Answers 0–8 in the order of [`SELF_CHECK`].
    pub answers: [u8; 4],
    pub note: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SelfCheckForm {
    #[serde(default)]
    pub satisfaction: String,
    #[serde(default)]
    pub alternatives: String,
    #[serde(default)]
    pub investment: String,
    #[serde(default)]
    pub commitment: String,
    #[serde(default)]
    pub note: String,
}

impl SelfCheckForm {
    pub fn validate(&self, today: Date) -> Result<SelfCheck, FormErrors> {
        let mut e = FormErrors::default();
        let raw = [
            &self.satisfaction,
            &self.alternatives,
            &self.investment,
            &self.commitment,
        ];
        let mut answers = [0u8; 4];
        for (i, ((field, question), value)) in SELF_CHECK.iter().zip(raw).enumerate() {
            match value.trim().parse::<u8>() {
                Ok(n) if n <= 8 => answers[i] = n,
                // Name the question: the summary at the top lists all of them.
                _ => e.add(
                    field,
                    format!(
                        "Question {} (“{question}”) has no answer yet: please choose a number from 0 (not at all) to 8 (completely).",
                        i + 1
                    ),
                ),
            }
        }
        let note = clean_text(&mut e, "note", "The note", &self.note, 1_000);
        if !e.is_empty() {
            return Err(e);
        }
        Ok(SelfCheck {
            on: today,
            answers,
            note,
        })
    }
}

/// What the ex said, written down by the user only when the ex said it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExAnswer {
    pub on: Date,
    pub said: String,
}

pub fn validate_ex_answer(said: &str, on: &str, today: Date) -> Result<ExAnswer, FormErrors> {
    let mut e = FormErrors::default();
    let said = clean_text(&mut e, "said", "What they said", said, 2_000);
    if said.is_empty() {
        e.add(
            "said",
            "Write what they said, in their words as far as you remember.",
        );
    }
    let on =
        super::problem::parse_optional_date(&mut e, "on", "The date", on, today).unwrap_or(today);
    if !e.is_empty() {
        return Err(e);
    }
    Ok(ExAnswer { on, said })
}

/// Words to ask the ex, offered instead of any score of them.
pub const WORDS_TO_ASK: [&str; 3] = [
    "“I've been working on what went wrong, especially my part in it. I'm not asking for anything now. If you ever want to talk about whether there is anything left to build on, I'd listen — and I'll respect it if there isn't.”",
    "“What would you need to see from me, if anything, before you would even consider talking about us again?”",
    "“Is there anything you want me to stop doing, so you feel respected?”",
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn every_self_check_question_has_a_plain_short_name() {
        for (key, _) in SELF_CHECK {
            let label = self_check_label(key);
            assert_ne!(label, "Answer", "{key}");
            assert!(
                !label.to_lowercase().contains(key),
                "{key} shows its raw name"
            );
        }
    }

    #[test]
    fn rulers_stage_and_weekly_re_ask() {
        let today = date(2026, 11, 26);
        let r = ReadinessForm {
            importance: "9".into(),
            confidence: "4".into(),
            stage: "preparing".into(),
            note: String::new(),
        }
        .validate(3, today)
        .unwrap();
        assert_eq!(
            (r.importance, r.confidence, r.stage),
            (9, 4, Stage::Preparing)
        );
        let e = ReadinessForm {
            importance: "11".into(),
            confidence: "-1".into(),
            stage: "x".into(),
            note: String::new(),
        }
        .validate(3, today)
        .unwrap_err();
        assert!(
            e.get("importance").is_some()
                && e.get("confidence").is_some()
                && e.get("stage").is_some()
        );
        assert!(readiness_due(None, today));
        assert!(!readiness_due(Some(date(2026, 11, 20)), today));
        assert!(readiness_due(Some(date(2026, 11, 19)), today));
    }

    #[test]
    fn self_check_bounds() {
        let today = date(2026, 11, 26);
        let ok = SelfCheckForm {
            satisfaction: "6".into(),
            alternatives: "3".into(),
            investment: "8".into(),
            commitment: "7".into(),
            note: String::new(),
        };
        assert_eq!(ok.validate(today).unwrap().answers, [6, 3, 8, 7]);
        let bad = SelfCheckForm {
            satisfaction: "9".into(),
            ..ok
        };
        assert!(
            bad.validate(today)
                .unwrap_err()
                .get("satisfaction")
                .is_some()
        );
        assert!(validate_ex_answer("  ", "", today).is_err());
        assert_eq!(
            validate_ex_answer("I need time", "", today).unwrap().on,
            today
        );
    }
}
