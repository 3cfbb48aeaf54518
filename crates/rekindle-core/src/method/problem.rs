//! "What went wrong": one problem of the relationship, with its root cause.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::form::{FormErrors, clean_text};

macro_rules! choice_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => ($key:literal, $label:literal)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable name used in forms, the CLI and the export.
            pub fn key(self) -> &'static str { match self { $($name::$variant => $key),+ } }
            /// Words for the person.
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.key() == s)
            }
            /// The keys, for error messages and `--help`.
            pub fn keys() -> String { Self::ALL.iter().map(|v| v.key()).collect::<Vec<_>>().join(", ") }
        }
    };
}
pub(crate) use choice_enum;

choice_enum!(
    /// The taxonomy of SPEC §1a.
    Category {
        TrustJealousy => ("trust", "Trust and jealousy"),
        Infidelity => ("infidelity", "Infidelity"),
        SubstanceUse => ("substance", "Drinking or other substances"),
        Conflict => ("conflict", "Conflict and communication"),
        Commitment => ("commitment", "Commitment and the future"),
        TimeAttention => ("time", "Time and attention"),
        Money => ("money", "Money"),
        FamilyFriends => ("family", "Family and friends"),
        Distance => ("distance", "Distance"),
        Intimacy => ("intimacy", "Intimacy"),
        GrowingApart => ("apart", "Growing apart"),
        SafetyAbuse => ("safety", "Safety or abuse"),
        Other => ("other", "Something else"),
    }
);

choice_enum!(
    /// Whose behaviour the problem was.
    Whose {
        Mine => ("mine", "Mine"),
        Theirs => ("theirs", "Theirs"),
        Both => ("both", "Both of us"),
        Circumstances => ("circumstances", "Circumstances"),
    }
);

choice_enum!(
    Frequency {
        Once => ("once", "Once"),
        Sometimes => ("sometimes", "Sometimes"),
        Often => ("often", "Often"),
        Constantly => ("constantly", "Nearly all the time"),
    }
);

pub const MAX_WHYS: usize = 5;
const MAX_TITLE: usize = 120;
const MAX_TEXT: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    pub title: String,
    pub category: Category,
    pub whose: Whose,
    pub frequency: Frequency,
    /// 1 (minor) to 5 (it ended the relationship).
    pub severity: u8,
    pub since: Option<Date>,
    pub description: String,
    /// The answer to "what was my part?", asked for every problem.
    pub my_part: String,
    /// The "why?" chain: each answer asks "why?" of the one before.
    pub whys: Vec<String>,
    pub evidence: String,
    /// Messages of an imported chat that show it (made from the chat's
    /// findings); each keeps a short quote for when the chat is gone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<MessageLink>,
}

/// At most this many messages are linked to one problem.
pub const MAX_LINKS: usize = 25;
/// A linked message's quote keeps at most this many characters.
pub const QUOTE_CHARS: usize = 140;

/// One message of a stored chat, by the chat's id and the message's place in
/// it, with what it said when it was linked (time, sender, a short quote):
/// shown instead when the chat was deleted or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageLink {
    pub chat: i64,
    pub position: u64,
    /// "2024-03-01 21:07", as the chat showed it.
    pub time: String,
    #[serde(default)]
    pub sender: String,
    pub quote: String,
}

impl MessageLink {
    /// `text` cut to [`QUOTE_CHARS`] characters, with "…" when cut.
    pub fn quote_of(text: &str) -> String {
        let mut chars = text.chars();
        let mut q: String = chars.by_ref().take(QUOTE_CHARS).collect();
        if chars.next().is_some() {
            q.push('…');
        }
        q
    }
}

/// The links of a problem form (`links` holds them as JSON); `None` when
/// the field cannot be read, empty when it is blank.
pub fn parse_links(raw: &str) -> Option<Vec<MessageLink>> {
    if raw.trim().is_empty() {
        return Some(Vec::new());
    }
    serde_json::from_str(raw).ok()
}

/// The links as the form's hidden field carries them.
pub fn links_field(links: &[MessageLink]) -> String {
    if links.is_empty() {
        return String::new();
    }
    serde_json::to_string(links).unwrap_or_default()
}

impl Problem {
    /// A problem marked as safety/abuse turns reconciliation help off (safety issue).
    pub fn is_safety(&self) -> bool {
        self.category == Category::SafetyAbuse
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub whose: String,
    #[serde(default)]
    pub frequency: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub my_part: String,
    #[serde(default)]
    pub why1: String,
    #[serde(default)]
    pub why2: String,
    #[serde(default)]
    pub why3: String,
    #[serde(default)]
    pub why4: String,
    #[serde(default)]
    pub why5: String,
    #[serde(default)]
    pub evidence: String,
    /// The linked messages as JSON ([`links_field`]); a hidden field.
    #[serde(default)]
    pub links: String,
}

impl From<&Problem> for ProblemForm {
    fn from(p: &Problem) -> Self {
        let why = |i: usize| p.whys.get(i).cloned().unwrap_or_default();
        ProblemForm {
            title: p.title.clone(),
            category: p.category.key().into(),
            whose: p.whose.key().into(),
            frequency: p.frequency.key().into(),
            severity: p.severity.to_string(),
            since: p.since.map(|d| d.to_string()).unwrap_or_default(),
            description: p.description.clone(),
            my_part: p.my_part.clone(),
            why1: why(0),
            why2: why(1),
            why3: why(2),
            why4: why(3),
            why5: why(4),
            evidence: p.evidence.clone(),
            links: links_field(&p.links),
        }
    }
}

pub(crate) fn parse_choice<T>(
    errors: &mut FormErrors,
    field: &'static str,
    raw: &str,
    parse: impl Fn(&str) -> Option<T>,
    message: &str,
) -> Option<T> {
    let v = parse(raw);
    if v.is_none() {
        errors.add(field, message.to_string());
    }
    v
}

pub(crate) fn parse_optional_date(
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

impl ProblemForm {
    pub fn validate(&self, today: Date) -> Result<Problem, FormErrors> {
        let mut e = FormErrors::default();
        let title = clean_text(&mut e, "title", "The short name", &self.title, MAX_TITLE);
        if title.is_empty() {
            e.add(
                "title",
                "Please give the problem a short name, for example “My drinking at parties”.",
            );
        }
        if title.contains('\n') {
            e.add("title", "The short name should fit on one line.");
        }
        let category = parse_choice(
            &mut e,
            "category",
            &self.category,
            Category::parse,
            "Please choose what kind of problem this was.",
        );
        let whose = parse_choice(
            &mut e,
            "whose",
            &self.whose,
            Whose::parse,
            "Please choose whose behaviour this was.",
        );
        let frequency = parse_choice(
            &mut e,
            "frequency",
            &self.frequency,
            Frequency::parse,
            "Please choose how often it happened.",
        );
        let severity = match self.severity.trim().parse::<u8>() {
            Ok(n @ 1..=5) => Some(n),
            _ => {
                e.add("severity", "Please choose how serious it was, from 1 to 5.");
                None
            }
        };
        let since = parse_optional_date(&mut e, "since", "“Since when”", &self.since, today);
        let description = clean_text(
            &mut e,
            "description",
            "What happened",
            &self.description,
            MAX_TEXT,
        );
        let my_part = clean_text(&mut e, "my_part", "Your part", &self.my_part, MAX_TEXT);
        let evidence = clean_text(&mut e, "evidence", "The evidence", &self.evidence, MAX_TEXT);
        let links = match parse_links(&self.links) {
            Some(l) if l.len() <= MAX_LINKS && l.iter().all(link_ok) => l,
            _ => {
                e.add(
                    "evidence",
                    "The linked chat messages could not be read; please make the problem from the chat page again.",
                );
                Vec::new()
            }
        };
        let raw_whys = [&self.why1, &self.why2, &self.why3, &self.why4, &self.why5];
        let fields = ["why1", "why2", "why3", "why4", "why5"];
        let mut whys = Vec::new();
        for (raw, field) in raw_whys.iter().zip(fields) {
            let w = clean_text(&mut e, field, "A “why?” answer", raw, 1_000);
            if !w.is_empty() {
                whys.push(w);
            }
        }
        match (category, whose, frequency, severity) {
            (Some(category), Some(whose), Some(frequency), Some(severity)) if e.is_empty() => {
                Ok(Problem {
                    title,
                    category,
                    whose,
                    frequency,
                    severity,
                    since,
                    description,
                    my_part,
                    whys,
                    evidence,
                    links,
                })
            }
            _ => Err(e),
        }
    }
}

/// A link as this app makes it: short, one-line time and sender, no control
/// characters in the quote.
fn link_ok(l: &MessageLink) -> bool {
    let plain = |s: &str, max: usize| s.chars().count() <= max && !s.chars().any(char::is_control);
    l.chat > 0
        && plain(&l.time, 40)
        && plain(&l.sender, 200)
        && l.quote.chars().count() <= QUOTE_CHARS + 1
        && !l.quote.chars().any(|c| c.is_control() && c != '\n')
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 26);

    fn form() -> ProblemForm {
        ProblemForm {
            title: "My drinking at parties".into(),
            category: "substance".into(),
            whose: "mine".into(),
            frequency: "often".into(),
            severity: "5".into(),
            since: "2022-06-01".into(),
            why1: "I drink when I feel left out".into(),
            why3: "I never learned to say no".into(),
            ..Default::default()
        }
    }

    #[test]
    fn valid_problem_and_round_trip() {
        let p = form().validate(TODAY).unwrap();
        assert_eq!(p.category, Category::SubstanceUse);
        assert_eq!(
            p.whys,
            ["I drink when I feel left out", "I never learned to say no"]
        );
        assert_eq!(ProblemForm::from(&p).validate(TODAY).unwrap(), p);
    }

    #[test]
    fn all_problems_reported() {
        let f = ProblemForm {
            severity: "9".into(),
            since: "yesterday".into(),
            ..Default::default()
        };
        let e = f.validate(TODAY).unwrap_err();
        for field in [
            "title",
            "category",
            "whose",
            "frequency",
            "severity",
            "since",
        ] {
            assert!(e.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn linked_messages_round_trip_and_junk_is_refused() {
        let links = vec![MessageLink {
            chat: 3,
            position: 41,
            time: "2024-03-01 21:07".into(),
            sender: "Sam".into(),
            quote: MessageLink::quote_of(&"you never listen ".repeat(20)),
        }];
        assert_eq!(links[0].quote.chars().count(), QUOTE_CHARS + 1);
        assert!(links[0].quote.ends_with('…'));
        let f = ProblemForm {
            links: links_field(&links),
            ..form()
        };
        let p = f.validate(TODAY).unwrap();
        assert_eq!(p.links, links);
        assert_eq!(ProblemForm::from(&p).validate(TODAY).unwrap(), p);
        // A problem saved before links existed still reads, and writes none.
        let mut old = serde_json::to_value(form().validate(TODAY).unwrap()).unwrap();
        assert!(old.get("links").is_none());
        old.as_object_mut().unwrap().remove("links");
        assert!(
            serde_json::from_value::<Problem>(old)
                .unwrap()
                .links
                .is_empty()
        );
        for junk in [
            "not json".to_string(),
            r#"[{"chat":0,"position":1,"time":"x","quote":"y"}]"#.to_string(),
            links_field(&vec![links[0].clone(); MAX_LINKS + 1]),
        ] {
            let e = ProblemForm {
                links: junk.clone(),
                ..form()
            }
            .validate(TODAY)
            .unwrap_err();
            assert!(e.get("evidence").is_some(), "{junk}");
        }
    }

    #[test]
    fn keys_are_unique_and_parse_back() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.key()), Some(*c));
        }
        let mut keys: Vec<_> = Category::ALL.iter().map(|c| c.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 13);
    }
}
