//! "The relationship": the facts the post-mortem starts from (SPEC §1a).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::form::{FormErrors, clean_text};

const MAX_NAME: usize = 80;
const MAX_PRONOUNS: usize = 40;
const MAX_STORY: usize = 10_000;

/// Who ended the relationship, as the user remembers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WhoEnded {
    #[default]
    Unsaid,
    Them,
    Me,
    Both,
    Unclear,
}

impl WhoEnded {
    pub const ALL: [WhoEnded; 5] = [
        WhoEnded::Unsaid,
        WhoEnded::Them,
        WhoEnded::Me,
        WhoEnded::Both,
        WhoEnded::Unclear,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WhoEnded::Unsaid => "",
            WhoEnded::Them => "them",
            WhoEnded::Me => "me",
            WhoEnded::Both => "both",
            WhoEnded::Unclear => "unclear",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WhoEnded::Unsaid => "— choose —",
            WhoEnded::Them => "They ended it",
            WhoEnded::Me => "I ended it",
            WhoEnded::Both => "We decided together",
            WhoEnded::Unclear => "It's not clear",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.as_str() == s.trim())
    }
}

/// The saved, valid description of the relationship. Any genders, any names:
/// pronouns are free text so nobody is forced into a fixed list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Relationship {
    pub my_name: String,
    pub my_pronouns: String,
    pub their_name: String,
    pub their_pronouns: String,
    pub started_on: Option<Date>,
    pub ended_on: Option<Date>,
    pub who_ended: WhoEnded,
    pub how_it_ended: String,
    pub reasons_given: String,
    pub my_view: String,
}

/// Exactly what a form (web or CLI) submits: every field a string, nothing trusted yet.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RelationshipForm {
    #[serde(default)]
    pub my_name: String,
    #[serde(default)]
    pub my_pronouns: String,
    #[serde(default)]
    pub their_name: String,
    #[serde(default)]
    pub their_pronouns: String,
    #[serde(default)]
    pub started_on: String,
    #[serde(default)]
    pub ended_on: String,
    #[serde(default)]
    pub who_ended: String,
    #[serde(default)]
    pub how_it_ended: String,
    #[serde(default)]
    pub reasons_given: String,
    #[serde(default)]
    pub my_view: String,
}

impl From<&Relationship> for RelationshipForm {
    fn from(r: &Relationship) -> Self {
        RelationshipForm {
            my_name: r.my_name.clone(),
            my_pronouns: r.my_pronouns.clone(),
            their_name: r.their_name.clone(),
            their_pronouns: r.their_pronouns.clone(),
            started_on: r.started_on.map(|d| d.to_string()).unwrap_or_default(),
            ended_on: r.ended_on.map(|d| d.to_string()).unwrap_or_default(),
            who_ended: r.who_ended.as_str().to_string(),
            how_it_ended: r.how_it_ended.clone(),
            reasons_given: r.reasons_given.clone(),
            my_view: r.my_view.clone(),
        }
    }
}

impl RelationshipForm {
    /// Checks every field and returns either a valid `Relationship` or every
    /// problem at once, so the person can fix them all in one go.
    /// `today` is passed in (no clock here) to refuse dates in the future.
    pub fn validate(&self, today: Date) -> Result<Relationship, FormErrors> {
        let mut errors = FormErrors::default();
        let my_name = clean_text(&mut errors, "my_name", "Your name", &self.my_name, MAX_NAME);
        if my_name.contains('\n') {
            errors.add("my_name", "Your name should fit on one line.");
        }
        let their_name = clean_text(
            &mut errors,
            "their_name",
            "Their name",
            &self.their_name,
            MAX_NAME,
        );
        if their_name.contains('\n') {
            errors.add("their_name", "Their name should fit on one line.");
        }
        if their_name.is_empty() {
            errors.add(
                "their_name",
                "Please give their name (a first name or a nickname is enough).",
            );
        }
        let my_pronouns = clean_text(
            &mut errors,
            "my_pronouns",
            "Your pronouns",
            &self.my_pronouns,
            MAX_PRONOUNS,
        );
        let their_pronouns = clean_text(
            &mut errors,
            "their_pronouns",
            "Their pronouns",
            &self.their_pronouns,
            MAX_PRONOUNS,
        );
        let started_on = parse_date(
            &mut errors,
            "started_on",
            "The start date",
            &self.started_on,
            today,
        );
        let ended_on = parse_date(
            &mut errors,
            "ended_on",
            "The end date",
            &self.ended_on,
            today,
        );
        if let (Some(s), Some(e)) = (started_on, ended_on)
            && e < s
        {
            errors.add(
                "ended_on",
                "The end date is before the start date; please check both.",
            );
        }
        let who_ended = match WhoEnded::parse(&self.who_ended) {
            Some(w) => w,
            None => {
                errors.add(
                    "who_ended",
                    "Please pick one of the choices for who ended it.",
                );
                WhoEnded::Unsaid
            }
        };
        let how_it_ended = clean_text(
            &mut errors,
            "how_it_ended",
            "How it ended",
            &self.how_it_ended,
            MAX_STORY,
        );
        let reasons_given = clean_text(
            &mut errors,
            "reasons_given",
            "The reasons they gave",
            &self.reasons_given,
            MAX_STORY,
        );
        let my_view = clean_text(
            &mut errors,
            "my_view",
            "Your own view",
            &self.my_view,
            MAX_STORY,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Relationship {
            my_name,
            my_pronouns,
            their_name,
            their_pronouns,
            started_on,
            ended_on,
            who_ended,
            how_it_ended,
            reasons_given,
            my_view,
        })
    }
}

fn parse_date(
    errors: &mut FormErrors,
    field: &'static str,
    label: &str,
    raw: &str,
    today: Date,
) -> Option<Date> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<Date>() {
        Ok(d) if d > today => {
            errors.add(field, format!("{label} is in the future; please check it."));
            None
        }
        Ok(d) if d.year() < 1900 => {
            errors.add(
                field,
                format!("{label} looks too early; please check the year."),
            );
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(
                field,
                format!("{label} should be a date like 2024-03-15 (year-month-day)."),
            );
            None
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn form() -> RelationshipForm {
        RelationshipForm {
            my_name: "  Sam ".into(),
            my_pronouns: "they/them".into(),
            their_name: "Alex".into(),
            their_pronouns: "she/her".into(),
            started_on: "2019-05-01".into(),
            ended_on: "2024-10-02".into(),
            who_ended: "them".into(),
            how_it_ended: "A long talk.\r\nThen silence.".into(),
            reasons_given: "Drinking".into(),
            my_view: "I wasn't there for her.".into(),
        }
    }

    const TODAY: Date = date(2026, 11, 26);

    #[test]
    fn valid_form_is_trimmed_and_normalised() {
        let r = form().validate(TODAY).unwrap();
        assert_eq!(r.my_name, "Sam");
        assert_eq!(r.how_it_ended, "A long talk.\nThen silence.");
        assert_eq!(r.who_ended, WhoEnded::Them);
        assert_eq!(r.started_on, Some(date(2019, 5, 1)));
    }

    #[test]
    fn round_trips_through_the_form() {
        let r = form().validate(TODAY).unwrap();
        let again = RelationshipForm::from(&r).validate(TODAY).unwrap();
        assert_eq!(r, again);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut f = form();
        f.their_name = " ".into();
        f.started_on = "15/03/2024".into();
        f.ended_on = "2030-01-01".into();
        f.who_ended = "the cat".into();
        let e = f.validate(TODAY).unwrap_err();
        assert!(e.get("their_name").unwrap().contains("their name"));
        assert!(e.get("started_on").unwrap().contains("2024-03-15"));
        assert!(e.get("ended_on").unwrap().contains("future"));
        assert!(e.get("who_ended").is_some());
    }

    #[test]
    fn end_before_start_is_refused() {
        let mut f = form();
        f.ended_on = "2018-01-01".into();
        let e = f.validate(TODAY).unwrap_err();
        assert!(e.get("ended_on").unwrap().contains("before the start"));
    }

    #[test]
    fn overlong_and_control_characters_are_refused() {
        let mut f = form();
        f.my_view = "x".repeat(MAX_STORY + 1);
        f.my_name = "Sam\u{7}".into();
        let e = f.validate(TODAY).unwrap_err();
        assert!(e.get("my_view").unwrap().contains("too long"));
        assert!(e.get("my_name").unwrap().contains("control"));
    }

    #[test]
    fn unknown_fields_are_rejected_by_the_form_type() {
        let json = r#"{"their_name":"Alex","owner_id":"7"}"#;
        assert!(serde_json::from_str::<RelationshipForm>(json).is_err());
    }

    proptest::proptest! {
        #[test]
        fn validation_never_panics(name in ".{0,100}", d in ".{0,12}", who in ".{0,8}") {
            let f = RelationshipForm { their_name: name, started_on: d.clone(), ended_on: d, who_ended: who, ..Default::default() };
            let _ = f.validate(TODAY);
        }
    }
}
