//! Getting help and learning (steps 6–7): the support network, the reading
//! list and the takeaways that turn into plans.

use serde::{Deserialize, Serialize};

use crate::form::{FormErrors, clean_text, refuse_bidi};
use crate::method::problem::{Category, choice_enum, parse_choice};

choice_enum!(
    Role {
        Ally => ("ally", "A friend or family member"),
        Accountability => ("accountability", "An accountability partner"),
        Sponsor => ("sponsor", "A sponsor or peer-support member"),
        Counsellor => ("counsellor", "A counsellor or therapist"),
        Doctor => ("doctor", "A doctor"),
        Other => ("other", "Someone else"),
    }
);

/// Someone in the person's support network. Contact details stay in the
/// vault; rekindle never contacts anyone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supporter {
    pub name: String,
    pub role: Role,
    pub contact: String,
    pub helps_with: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SupporterForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub helps_with: String,
}

impl SupporterForm {
    /// The form filled in with a saved supporter, for editing.
    pub fn from_supporter(s: &Supporter) -> SupporterForm {
        SupporterForm {
            name: s.name.clone(),
            role: s.role.key().to_string(),
            contact: s.contact.clone(),
            helps_with: s.helps_with.clone(),
        }
    }

    pub fn validate(&self) -> Result<Supporter, FormErrors> {
        let mut e = FormErrors::default();
        let name = clean_text(&mut e, "name", "The name", &self.name, 80);
        if name.is_empty() {
            e.add(
                "name",
                "Please give a name (a first name or nickname is enough).",
            );
        }
        let role = parse_choice(
            &mut e,
            "role",
            &self.role,
            Role::parse,
            "Please choose who they are to you.",
        );
        let contact = clean_text(&mut e, "contact", "The contact details", &self.contact, 200);
        let helps_with = clean_text(
            &mut e,
            "helps_with",
            "What they help with",
            &self.helps_with,
            500,
        );
        match role {
            Some(role) if e.is_empty() => Ok(Supporter {
                name,
                role,
                contact,
                helps_with,
            }),
            _ => Err(e),
        }
    }
}

/// A book of the curated list (data/reading_list.json).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CuratedBook {
    pub id: String,
    pub title: String,
    pub author: String,
    pub teaches: String,
    /// Problem category keys it helps with; "*" for everyone.
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingList {
    pub about: String,
    pub books: Vec<CuratedBook>,
}

pub const READING_LIST: &str = include_str!("../../../data/reading_list.json");

impl ReadingList {
    pub fn built_in() -> ReadingList {
        serde_json::from_str(READING_LIST).unwrap_or(ReadingList {
            about: String::new(),
            books: Vec::new(),
        })
    }

    /// Books for the person's problem categories first (most matches first),
    /// then the ones for everyone.
    pub fn recommend(&self, categories: &[Category]) -> Vec<(&CuratedBook, Vec<Category>)> {
        let mut out: Vec<(&CuratedBook, Vec<Category>)> = self
            .books
            .iter()
            .map(|b| {
                let hits: Vec<Category> = categories
                    .iter()
                    .copied()
                    .filter(|c| b.categories.iter().any(|k| k == c.key()))
                    .collect();
                (b, hits)
            })
            .filter(|(b, hits)| !hits.is_empty() || b.categories.iter().any(|k| k == "*"))
            .collect();
        out.sort_by_key(|b| std::cmp::Reverse(b.1.len()));
        out
    }
}

choice_enum!(
    ReadingStatus {
        WantToRead => ("want", "Want to read"),
        Reading => ("reading", "Reading"),
        Finished => ("finished", "Finished"),
    }
);

/// A book on the person's own list, with what they took from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MyBook {
    pub title: String,
    pub author: String,
    pub status: ReadingStatus,
    /// From the curated list, when it came from there.
    pub curated_id: Option<String>,
    pub takeaways: Vec<String>,
    /// Takeaways taken back (kept so they can be brought back).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawn_takeaways: Vec<WithdrawnTakeaway>,
}

/// A takeaway the person took back, and the day they did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawnTakeaway {
    pub text: String,
    pub on: jiff::civil::Date,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MyBookForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub status: String,
}

impl MyBookForm {
    /// The form filled in with a saved book, for editing.
    pub fn from_book(b: &MyBook) -> MyBookForm {
        MyBookForm {
            title: b.title.clone(),
            author: b.author.clone(),
            status: b.status.key().to_string(),
        }
    }

    pub fn validate(&self) -> Result<MyBook, FormErrors> {
        let mut e = FormErrors::default();
        let title = clean_text(&mut e, "title", "The title", &self.title, 200);
        if title.is_empty() {
            e.add("title", "Please give the book's title.");
        }
        let author = clean_text(&mut e, "author", "The author", &self.author, 200);
        let status = if self.status.trim().is_empty() {
            Some(ReadingStatus::WantToRead)
        } else {
            parse_choice(
                &mut e,
                "status",
                &self.status,
                ReadingStatus::parse,
                "Please choose a reading status.",
            )
        };
        match status {
            Some(status) if e.is_empty() => Ok(MyBook {
                title,
                author,
                status,
                curated_id: None,
                takeaways: Vec::new(),
                withdrawn_takeaways: Vec::new(),
            }),
            _ => Err(e),
        }
    }
}

pub fn validate_takeaway(text: &str) -> Result<String, FormErrors> {
    let mut e = FormErrors::default();
    let t = clean_text(&mut e, "takeaway", "The takeaway", text, 500);
    if t.is_empty() {
        e.add("takeaway", "Please write the takeaway in a sentence.");
    }
    if e.is_empty() { Ok(t) } else { Err(e) }
}

/// What an ally wrote on a share page to confirm a milestone, checked like
/// the owner's own input before it enters the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllyConfirmation {
    pub milestone: String,
    pub by: String,
    pub note: String,
}

/// Longest name an ally can sign a confirmation with (the share page's limit too).
pub const ALLY_NAME_CHARS: usize = 80;
/// Longest note on a confirmation (the share page's limit too).
pub const ALLY_NOTE_CHARS: usize = 500;
/// Longest milestone named by a confirmation (a commitment or check-in from
/// the shared report; longer ones are cut, as the report shows them).
pub const ALLY_MILESTONE_CHARS: usize = 300;

/// Checks a confirmation from a share page: a name (required) and a note of
/// one line each, without control characters or direction-changing
/// characters; the milestone (text of the owner's report, sent back) is cut
/// to [`ALLY_MILESTONE_CHARS`] and checked for the same characters.
pub fn validate_ally_confirmation(
    milestone: &str,
    by: &str,
    note: &str,
) -> Result<AllyConfirmation, FormErrors> {
    let mut e = FormErrors::default();
    let milestone: String = milestone.chars().take(ALLY_MILESTONE_CHARS).collect();
    let milestone = clean_text(
        &mut e,
        "milestone",
        "The milestone",
        &milestone,
        ALLY_MILESTONE_CHARS,
    );
    refuse_bidi(&mut e, "milestone", "The milestone", &milestone);
    let by = clean_text(&mut e, "by", "Your name", by, ALLY_NAME_CHARS);
    let note = clean_text(&mut e, "note", "The note", note, ALLY_NOTE_CHARS);
    for (field, label, text) in [("by", "Your name", &by), ("note", "The note", &note)] {
        // One line each: a line break in a name or note hides the rest.
        if text.contains(['\n', '\t']) {
            e.add(
                field,
                format!("{label} must be one line; please retype it."),
            );
        }
        refuse_bidi(&mut e, field, label, text);
    }
    if by.is_empty() {
        e.add(
            "by",
            "Please write your name, so they know who confirmed it.",
        );
    }
    if milestone.is_empty() {
        e.add(
            "milestone",
            "The confirmation does not say which milestone it is for.",
        );
    }
    if e.is_empty() {
        Ok(AllyConfirmation {
            milestone,
            by,
            note,
        })
    } else {
        Err(e)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_allys_confirmation_is_checked_like_the_owners_input() {
        let ok = validate_ally_confirmation("No alcohol", " Jo (sister) ", "Proud of you").unwrap();
        assert_eq!(ok.by, "Jo (sister)");
        let long_milestone = "m".repeat(ALLY_MILESTONE_CHARS + 50);
        assert_eq!(
            validate_ally_confirmation(&long_milestone, "Jo", "")
                .unwrap()
                .milestone
                .chars()
                .count(),
            ALLY_MILESTONE_CHARS
        );
        let refused = |m: &str, by: &str, note: &str, field: &str, words: &str| {
            let e = validate_ally_confirmation(m, by, note).unwrap_err();
            let msg = e.get(field).unwrap_or_else(|| panic!("{field}: {e:?}"));
            assert!(msg.contains(words), "{msg}");
        };
        refused("No alcohol", "", "", "by", "Please write your name");
        refused("No alcohol", &"j".repeat(81), "", "by", "too long");
        refused("No alcohol", "Jo", &"n".repeat(501), "note", "too long");
        refused(
            "No alcohol",
            "Jo\u{1b}]0;pwned\u{7}",
            "",
            "by",
            "control characters",
        );
        refused(
            "No alcohol",
            "Jo",
            "fine\u{8}\u{8}\u{8}",
            "note",
            "control characters",
        );
        refused("No alcohol", "Jo", "a\nb", "note", "one line");
        refused("No alcohol", "\u{202E}oJ", "", "by", "direction");
        refused(
            "No alcohol",
            "Jo",
            "x\u{2067}y\u{2069}",
            "note",
            "direction",
        );
        refused("No \u{202D}alcohol", "Jo", "", "milestone", "direction");
        refused("   ", "Jo", "", "milestone", "which milestone");
    }

    #[test]
    fn the_list_parses_and_recommends_by_category() {
        let list: ReadingList = serde_json::from_str(READING_LIST).unwrap();
        assert_eq!(list.books.len(), 14);
        for b in &list.books {
            for c in &b.categories {
                assert!(
                    c == "*" || Category::parse(c).is_some(),
                    "{} has unknown category {c}",
                    b.id
                );
            }
        }
        let rec = list.recommend(&[Category::SubstanceUse]);
        assert_eq!(rec[0].0.id, "controlling-drinking");
        assert!(
            rec.iter()
                .all(|(b, hits)| !hits.is_empty() || b.categories.contains(&"*".to_string()))
        );
        assert!(
            !list
                .recommend(&[Category::SafetyAbuse])
                .iter()
                .any(|(b, _)| b.id == "seven-principles")
        );
    }

    #[test]
    fn forms_validate() {
        assert!(
            SupporterForm {
                name: "Jo".into(),
                role: "ally".into(),
                ..Default::default()
            }
            .validate()
            .is_ok()
        );
        assert!(
            SupporterForm {
                name: "".into(),
                role: "boss".into(),
                ..Default::default()
            }
            .validate()
            .unwrap_err()
            .0
            .len()
                == 2
        );
        assert_eq!(
            MyBookForm {
                title: "Attached".into(),
                ..Default::default()
            }
            .validate()
            .unwrap()
            .status,
            ReadingStatus::WantToRead
        );
        assert!(validate_takeaway("  ").is_err());
    }
}
