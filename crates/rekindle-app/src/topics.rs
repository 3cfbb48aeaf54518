//! The topic word lists the post-mortem counts with, as the user keeps them.
//!
//! Three sources, merged in this order:
//! 1. the built-in lists (`data/lexicons/*.txt`, compiled in);
//! 2. the `*.txt` files in the data folder's `lexicons/` (the older way to
//!    extend them; still read, never moved or changed: see [`folder_files`]);
//! 3. the user's changes, kept in the vault: words added to a topic, words
//!    removed from it, and topics of their own. One item of kind
//!    [`TOPIC_WORDS`] holds them all; every change saves a new version of it
//!    (versions are append-only, so a removal is a new version too).
//!
//! The merged lists ([`TopicLists`]) carry a `version` (a hash of every
//! topic's words): a change to any source changes it, and the web's cached
//! post-mortem keys on it, so the next analysis uses the new words.

use std::path::Path;

use jiff::Timestamp;
use rekindle_analysis::{BUILT_IN_TOPICS, Lexicons, MAX_TOPICS, parse_lexicon_file, topic_label};
use rekindle_core::FormErrors;
use rekindle_store::Store;
use serde::{Deserialize, Serialize};

use crate::method::MethodError;

/// The item kind holding the user's changes to the word lists.
pub const TOPIC_WORDS: &str = "topic_words";
/// The longest word or phrase, in characters.
pub const MAX_WORD_CHARS: usize = 40;
/// Letters before a trailing `*` ("dr*" would match far too many words).
pub const MIN_STEM_CHARS: usize = 3;
/// The longest name of a topic of the user's own, in characters.
pub const MAX_NAME_CHARS: usize = 30;
/// Words of the user's own in one topic, at most.
pub const MAX_ADDED_PER_TOPIC: usize = 200;

/// The user's changes to one topic, as stored. A topic that is not among the
/// built-in lists or the folder's files is a topic of the user's own: its
/// words are all in `added`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicEdit {
    /// The topic's key ("drinking", "time_together").
    pub topic: String,
    /// Entries added, normalized as in the list files ("pub", "night out", "hangover*").
    #[serde(default)]
    pub added: Vec<String>,
    /// Entries of the built-in lists or the folder's files taken out.
    #[serde(default)]
    pub removed: Vec<String>,
}

/// Everything the user changed, as stored (the current version of the item).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicEdits {
    pub topics: Vec<TopicEdit>,
}

/// Where a topic comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicSource {
    /// One of rekindle's own lists.
    BuiltIn,
    /// A file in the data folder's `lexicons/`.
    File,
    /// Made by the user (web page or `rekindle topics add --new`).
    Yours,
}

/// One topic as the post-mortem will use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicList {
    /// Its key, as in the analysis ("jealousy_trust").
    pub topic: String,
    /// Its name in plain words ("jealousy and trust").
    pub label: String,
    pub source: TopicSource,
    /// Every entry the post-mortem looks for, in order.
    pub words: Vec<String>,
    /// Those of `words` the user added.
    pub added: Vec<String>,
    /// Entries of the built-in list or the files the user took out.
    pub removed: Vec<String>,
    /// Those of `words` that come from the folder's files.
    pub from_files: Vec<String>,
}

/// The merged lists: what the next analysis counts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicLists {
    /// Changes whenever any topic's words change (16 hex digits).
    pub version: String,
    pub topics: Vec<TopicList>,
    /// Topics past the most the analysis counts ([`MAX_TOPICS`]); not used.
    pub ignored: Vec<String>,
}

impl TopicLists {
    /// The compiled lists for the analysis (~15 ms).
    pub fn lexicons(&self) -> Lexicons {
        Lexicons::from_topics(
            self.topics
                .iter()
                .map(|t| (t.topic.clone(), t.words.clone()))
                .collect(),
        )
    }

    /// The topic a person means by `name`: its key ("time_together") or its
    /// name in plain words ("time together", "Jealousy and trust").
    pub fn find(&self, name: &str) -> Option<&TopicList> {
        let key = topic_key(name);
        if key.is_empty() {
            return None;
        }
        self.topics
            .iter()
            .find(|t| t.topic == key || topic_key(&t.label) == key)
    }

    /// "drinking, money, …" for messages that list the topics.
    fn names(&self) -> String {
        self.topics
            .iter()
            .map(|t| t.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A topic's key from a name or file name: lowercase letters and digits,
/// anything else one `_` ("Time together" → "time_together").
pub fn topic_key(name: &str) -> String {
    let mut key = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            key.extend(c.to_lowercase());
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    key.trim_end_matches('_').to_string()
}

/// The `*.txt` files in `<data dir>/lexicons/`, `(topic, contents)`, sorted
/// by name: the older way to extend the lists, still read as it was (the
/// files stay where they are and are never changed; the vault's changes
/// apply on top of them). Unreadable files are left out.
pub fn folder_files(data_dir: Option<&Path>) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    if let Some(dir) = data_dir.map(|d| d.join(rekindle_store::LEXICONS_DIR))
        && let Ok(entries) = std::fs::read_dir(&dir)
    {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "txt")
                && let (Some(stem), Ok(text)) = (
                    p.file_stem().and_then(|s| s.to_str()),
                    std::fs::read_to_string(&p),
                )
            {
                files.push((stem.to_string(), text));
            }
        }
    }
    files.sort();
    files
}

/// The built-in lists plus the folder's files, before the user's changes:
/// `(key, entries, source, entries from files)`.
fn base_topics(files: &[(String, String)]) -> Vec<(String, Vec<String>, TopicSource, Vec<String>)> {
    let mut topics: Vec<(String, Vec<String>, TopicSource, Vec<String>)> = BUILT_IN_TOPICS
        .iter()
        .map(|(name, text)| {
            (
                name.to_string(),
                parse_lexicon_file(text),
                TopicSource::BuiltIn,
                Vec::new(),
            )
        })
        .collect();
    for (name, contents) in files {
        let key = topic_key(name);
        if key.is_empty() {
            continue;
        }
        let entries = parse_lexicon_file(contents);
        match topics.iter_mut().find(|t| t.0 == key) {
            Some(t) => {
                for e in entries {
                    if !t.1.contains(&e) {
                        t.1.push(e.clone());
                        t.3.push(e);
                    }
                }
            }
            None => {
                let mut list = Vec::new();
                for e in entries {
                    if !list.contains(&e) {
                        list.push(e);
                    }
                }
                topics.push((key, list.clone(), TopicSource::File, list));
            }
        }
    }
    topics
}

/// The lists the analysis uses: built-in, then the folder's `files`, then
/// the user's `edits` (words added, words removed, topics of their own).
pub fn merge(files: &[(String, String)], edits: &TopicEdits) -> TopicLists {
    let mut topics: Vec<TopicList> = base_topics(files)
        .into_iter()
        .map(|(topic, words, source, from_files)| TopicList {
            label: topic_label(&topic),
            topic,
            source,
            words,
            added: Vec::new(),
            removed: Vec::new(),
            from_files,
        })
        .collect();
    for edit in &edits.topics {
        let key = topic_key(&edit.topic);
        if key.is_empty() {
            continue;
        }
        let i = match topics.iter().position(|t| t.topic == key) {
            Some(i) => i,
            None => {
                topics.push(TopicList {
                    label: topic_label(&key),
                    topic: key,
                    source: TopicSource::Yours,
                    words: Vec::new(),
                    added: Vec::new(),
                    removed: Vec::new(),
                    from_files: Vec::new(),
                });
                topics.len() - 1
            }
        };
        let Some(t) = topics.get_mut(i) else {
            continue;
        };
        for r in &edit.removed {
            if let Some(k) = t.words.iter().position(|w| w == r) {
                t.words.remove(k);
                t.from_files.retain(|w| w != r);
                t.removed.push(r.clone());
            }
        }
        for a in &edit.added {
            if !t.words.contains(a) {
                t.words.push(a.clone());
                t.added.push(a.clone());
            }
        }
    }
    // A topic of the user's own with no words left is gone.
    topics.retain(|t| t.source != TopicSource::Yours || !t.words.is_empty());
    let ignored = topics
        .iter()
        .skip(MAX_TOPICS)
        .map(|t| t.topic.clone())
        .collect();
    TopicLists {
        version: version_of(&topics),
        topics,
        ignored,
    }
}

/// 16 hex digits of SHA-256 over every topic's key and words: the same
/// lists give the same version on every run and every computer.
fn version_of(topics: &[TopicList]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for t in topics.iter().take(MAX_TOPICS) {
        h.update(t.topic.as_bytes());
        h.update([0]);
        for w in &t.words {
            h.update(w.as_bytes());
            h.update([1]);
        }
        h.update([2]);
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The stored changes and the item holding them (the lowest id, when a race
/// ever made two). A version that cannot be read counts as no changes; the
/// next change saves a new version over it.
fn stored_edits(store: &dyn Store) -> Result<(Option<i64>, TopicEdits), MethodError> {
    let items = store.items(TOPIC_WORDS)?;
    let Some(item) = items.into_iter().min_by_key(|i| i.id) else {
        return Ok((None, TopicEdits::default()));
    };
    let edits = item.parse::<TopicEdits>().unwrap_or_else(|| {
        tracing::warn!(event = "topic_words_unreadable", id = item.id);
        TopicEdits::default()
    });
    Ok((Some(item.id), edits))
}

/// The user's lists: built-in, the folder's files (local mode: `data_dir`),
/// and the changes kept in the vault.
pub fn lists(store: &dyn Store, data_dir: Option<&Path>) -> Result<TopicLists, MethodError> {
    let (_, edits) = stored_edits(store)?;
    Ok(merge(&folder_files(data_dir), &edits))
}

/// The compiled lists the post-mortem of the stored chat counts with.
pub fn lexicons(store: &dyn Store, data_dir: Option<&Path>) -> Result<Lexicons, MethodError> {
    Ok(lists(store, data_dir)?.lexicons())
}

/// Words typed in one field: separated by commas, semicolons or new lines.
pub fn split_words(text: &str) -> Vec<String> {
    text.split([',', ';', '\n'])
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// One typed word or phrase as a list entry ("Night  out" → "night out",
/// "Hangover*" → "hangover*"), or what is wrong with it, in plain words.
pub fn clean_word(raw: &str) -> Result<String, String> {
    let typed = raw.trim();
    if typed.chars().any(char::is_control) {
        return Err(format!(
            "“{}” contains invisible control characters; please retype it.",
            typed
                .chars()
                .filter(|c| !c.is_control())
                .collect::<String>()
        ));
    }
    let chars = typed.chars().count();
    if chars > MAX_WORD_CHARS {
        return Err(format!(
            "“{typed}” is too long: please keep a word or phrase under {MAX_WORD_CHARS} characters (it has {chars})."
        ));
    }
    let (stem, star) = match typed.strip_suffix('*') {
        Some(s) => (s.trim_end(), true),
        None => (typed, false),
    };
    if stem.contains('*') {
        return Err(format!(
            "“{typed}”: put * only at the end of a word (“drink*” finds drinks, drinking, drinker)."
        ));
    }
    if let Some(bad) = stem
        .chars()
        .find(|c| !(c.is_alphanumeric() || c.is_whitespace() || matches!(c, '\'' | '’' | '-')))
    {
        return Err(format!(
            "“{typed}” has a character the word lists cannot use (“{bad}”): please use letters, numbers, spaces, hyphens and apostrophes, and * at the end to match any ending."
        ));
    }
    let norm = rekindle_analysis::text::normalize(stem);
    if norm.is_empty() {
        return Err(format!(
            "“{typed}” has no letters or numbers: please type a word."
        ));
    }
    if star && norm.chars().count() < MIN_STEM_CHARS {
        return Err(format!(
            "“{typed}” is too short: put at least {MIN_STEM_CHARS} letters before the *, or it would match too many words."
        ));
    }
    Ok(if star { format!("{norm}*") } else { norm })
}

/// Typed words as entries, each once, or every problem with them.
fn clean_words(typed: &[String], errors: &mut FormErrors, field: &'static str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in typed.iter().flat_map(|t| split_words(t)) {
        match clean_word(&raw) {
            Ok(w) if out.contains(&w) => {
                errors.add(field, format!("You typed “{w}” twice."));
            }
            Ok(w) => out.push(w),
            Err(e) => errors.add(field, e),
        }
    }
    out
}

/// `add` to topic `key` of `edits`, as checked against `lists` (the merged
/// lists of these edits). Returns the words that were new to the list.
pub fn add_to(
    edits: &mut TopicEdits,
    lists: &TopicLists,
    topic: &str,
    typed: &[String],
) -> Result<Vec<String>, FormErrors> {
    let mut errors = FormErrors::default();
    let Some(t) = lists.find(topic) else {
        errors.add(
            "topic",
            format!(
                "There is no topic called “{}”. The topics are: {}.",
                topic.trim(),
                lists.names()
            ),
        );
        return Err(errors);
    };
    let words = clean_words(typed, &mut errors, "words");
    if words.is_empty() && errors.is_empty() {
        errors.add("words", "Please type at least one word to add.");
    }
    for w in &words {
        if t.words.contains(w) {
            errors.add(
                "words",
                format!("“{w}” is already in the list for {}.", t.label),
            );
        }
    }
    let restored = words.iter().filter(|w| t.removed.contains(w)).count();
    let room = MAX_ADDED_PER_TOPIC.saturating_sub(t.added.len());
    if words.len() - restored > room {
        errors.add(
            "words",
            format!(
                "A topic holds at most {MAX_ADDED_PER_TOPIC} words of your own; {} has {}, so you can add {room} more.",
                t.label,
                t.added.len()
            ),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let edit = edit_for(edits, &t.topic);
    for w in &words {
        // A word taken out earlier is put back rather than added twice.
        if let Some(k) = edit.removed.iter().position(|r| r == w) {
            edit.removed.remove(k);
        } else {
            edit.added.push(w.clone());
        }
    }
    tidy(edits);
    Ok(words)
}

/// Takes `typed` out of a topic's list. Returns the words taken out.
pub fn remove_from(
    edits: &mut TopicEdits,
    lists: &TopicLists,
    topic: &str,
    typed: &[String],
) -> Result<Vec<String>, FormErrors> {
    let mut errors = FormErrors::default();
    let Some(t) = lists.find(topic) else {
        errors.add(
            "topic",
            format!(
                "There is no topic called “{}”. The topics are: {}.",
                topic.trim(),
                lists.names()
            ),
        );
        return Err(errors);
    };
    let words = clean_words(typed, &mut errors, "words");
    if words.is_empty() && errors.is_empty() {
        errors.add("words", "Please choose at least one word to remove.");
    }
    for w in &words {
        if !t.words.contains(w) {
            errors.add(
                "words",
                format!("“{w}” is not in the list for {}.", t.label),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let edit = edit_for(edits, &t.topic);
    for w in &words {
        if let Some(k) = edit.added.iter().position(|a| a == w) {
            edit.added.remove(k);
        } else if !edit.removed.contains(w) {
            edit.removed.push(w.clone());
        }
    }
    tidy(edits);
    Ok(words)
}

/// A topic of the user's own: its name and first words. Returns its key.
pub fn new_topic_in(
    edits: &mut TopicEdits,
    lists: &TopicLists,
    name: &str,
    typed: &[String],
) -> Result<String, FormErrors> {
    let mut errors = FormErrors::default();
    let name = name.trim();
    let key = topic_key(name);
    let chars = name.chars().count();
    if name.is_empty() {
        errors.add("name", "Please give the topic a name.");
    } else if chars > MAX_NAME_CHARS {
        errors.add(
            "name",
            format!(
                "The name is too long: please keep it under {MAX_NAME_CHARS} characters (it has {chars})."
            ),
        );
    } else if name
        .chars()
        .any(|c| !(c.is_alphanumeric() || c == ' ' || c == '-' || c == '_'))
    {
        errors.add(
            "name",
            "Please name the topic with letters, numbers, spaces and hyphens only.",
        );
    } else if key.is_empty() {
        errors.add("name", "Please give the topic a name with letters in it.");
    } else if let Some(t) = lists.find(name) {
        errors.add(
            "name",
            format!(
                "There is already a topic called “{}”: add your words to it instead.",
                t.label
            ),
        );
    } else if lists.topics.len() >= MAX_TOPICS {
        errors.add(
            "name",
            format!(
                "You have {} topics, the most the post-mortem can count. Remove every word of a topic you made to make room.",
                lists.topics.len()
            ),
        );
    }
    let words = clean_words(typed, &mut errors, "words");
    if words.is_empty() && errors.get("words").is_none() {
        errors.add("words", "Please give at least one word for the new topic.");
    }
    if words.len() > MAX_ADDED_PER_TOPIC {
        errors.add(
            "words",
            format!("A topic holds at most {MAX_ADDED_PER_TOPIC} words of your own."),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // A leftover entry of the same name (its words all removed) is reused.
    let edit = edit_for(edits, &key);
    edit.removed.clear();
    edit.added = words;
    tidy(edits);
    Ok(key)
}

fn edit_for<'a>(edits: &'a mut TopicEdits, key: &str) -> &'a mut TopicEdit {
    let i = match edits.topics.iter().position(|e| topic_key(&e.topic) == key) {
        Some(i) => i,
        None => {
            edits.topics.push(TopicEdit {
                topic: key.to_string(),
                ..TopicEdit::default()
            });
            edits.topics.len() - 1
        }
    };
    &mut edits.topics[i]
}

/// Drops entries that change nothing.
fn tidy(edits: &mut TopicEdits) {
    edits
        .topics
        .retain(|e| !e.added.is_empty() || !e.removed.is_empty());
}

/// What a change did, for the answer to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The topic's key and its name in plain words.
    pub topic: String,
    pub label: String,
    /// The entries added or taken out.
    pub words: Vec<String>,
    /// The lists after the change.
    pub lists: TopicLists,
}

/// Applies `change` to the stored edits and saves them as a new version.
fn change(
    store: &mut dyn Store,
    data_dir: Option<&Path>,
    at: Timestamp,
    change: impl FnOnce(&mut TopicEdits, &TopicLists) -> Result<(String, Vec<String>), FormErrors>,
) -> Result<Changed, MethodError> {
    let files = folder_files(data_dir);
    let (id, mut edits) = stored_edits(store)?;
    let before = merge(&files, &edits);
    let (topic, words) = change(&mut edits, &before)?;
    let value = serde_json::to_value(&edits).unwrap_or(serde_json::Value::Null);
    store.save_item(TOPIC_WORDS, id, &value, at)?;
    let lists = merge(&files, &edits);
    let label = lists
        .topics
        .iter()
        .find(|t| t.topic == topic)
        .map(|t| t.label.clone())
        .unwrap_or_else(|| topic_label(&topic));
    // Counts only: never a word.
    tracing::info!(event = "topic_words_changed", words = words.len());
    Ok(Changed {
        topic,
        label,
        words,
        lists,
    })
}

/// Adds words to a topic (built-in, from a file, or the user's own).
pub fn add_words(
    store: &mut dyn Store,
    data_dir: Option<&Path>,
    topic: &str,
    words: &[String],
    at: Timestamp,
) -> Result<Changed, MethodError> {
    change(store, data_dir, at, |edits, lists| {
        let key = lists.find(topic).map(|t| t.topic.clone());
        let added = add_to(edits, lists, topic, words)?;
        Ok((key.unwrap_or_default(), added))
    })
}

/// Takes words out of a topic's list.
pub fn remove_words(
    store: &mut dyn Store,
    data_dir: Option<&Path>,
    topic: &str,
    words: &[String],
    at: Timestamp,
) -> Result<Changed, MethodError> {
    change(store, data_dir, at, |edits, lists| {
        let key = lists.find(topic).map(|t| t.topic.clone());
        let removed = remove_from(edits, lists, topic, words)?;
        Ok((key.unwrap_or_default(), removed))
    })
}

/// Makes a topic of the user's own with its first words.
pub fn new_topic(
    store: &mut dyn Store,
    data_dir: Option<&Path>,
    name: &str,
    words: &[String],
    at: Timestamp,
) -> Result<Changed, MethodError> {
    change(store, data_dir, at, |edits, lists| {
        let key = new_topic_in(edits, lists, name, words)?;
        let added = edits
            .topics
            .iter()
            .find(|e| e.topic == key)
            .map(|e| e.added.clone())
            .unwrap_or_default();
        Ok((key, added))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn s(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn topic<'a>(l: &'a TopicLists, key: &str) -> &'a TopicList {
        l.topics.iter().find(|t| t.topic == key).unwrap()
    }

    #[test]
    fn keys_and_names() {
        assert_eq!(topic_key("Time together"), "time_together");
        assert_eq!(topic_key("  time--together  "), "time_together");
        assert_eq!(topic_key("Ämter & Ärger"), "ämter_ärger");
        assert_eq!(topic_key("!!"), "");
        let l = merge(&[], &TopicEdits::default());
        assert_eq!(
            l.find("jealousy and trust").unwrap().topic,
            "jealousy_trust"
        );
        assert_eq!(l.find("Time_Together").unwrap().topic, "time_together");
        assert!(l.find("gaming").is_none());
    }

    #[test]
    fn words_are_cleaned_or_explained() {
        assert_eq!(clean_word(" Night   Out ").unwrap(), "night out");
        assert_eq!(clean_word("Hangover*").unwrap(), "hangover*");
        assert_eq!(clean_word("in-laws").unwrap(), "in laws");
        assert_eq!(clean_word("don’t").unwrap(), "don't");
        assert!(
            clean_word("dr*")
                .unwrap_err()
                .contains("at least 3 letters")
        );
        assert!(clean_word("d*nk").unwrap_err().contains("only at the end"));
        assert!(clean_word("beer!").unwrap_err().contains("(“!”)"));
        assert!(clean_word("--").unwrap_err().contains("no letters"));
        assert!(
            clean_word(&"a".repeat(41))
                .unwrap_err()
                .contains("too long")
        );
        assert!(clean_word("be\u{7}er").unwrap_err().contains("control"));
        assert_eq!(
            split_words("pub, bar\nclub;;  "),
            s(&["pub", "bar", "club"])
        );
    }

    #[test]
    fn built_in_plus_files_plus_edits() {
        let files = vec![
            (
                "money".to_string(),
                "# mine\nlandlord\noverdraft*\nrent\n".to_string(),
            ),
            ("Gaming Nights".to_string(), "xbox\nxbox\n".to_string()),
        ];
        let edits = TopicEdits {
            topics: vec![
                TopicEdit {
                    topic: "drinking".into(),
                    added: s(&["pint*", "drunk*"]),
                    removed: s(&["gin", "not a word of it"]),
                },
                TopicEdit {
                    topic: "money".into(),
                    added: vec![],
                    removed: s(&["overdraft*"]),
                },
                TopicEdit {
                    topic: "pets".into(),
                    added: s(&["dog", "cat"]),
                    removed: vec![],
                },
            ],
        };
        let l = merge(&files, &edits);
        let drinking = topic(&l, "drinking");
        assert_eq!(drinking.source, TopicSource::BuiltIn);
        assert!(drinking.words.contains(&"pint*".to_string()));
        assert!(!drinking.words.contains(&"gin".to_string()));
        // "drunk*" is built in already: not added twice, not counted as the user's.
        assert_eq!(drinking.words.iter().filter(|w| *w == "drunk*").count(), 1);
        assert_eq!(drinking.added, s(&["pint*"]));
        assert_eq!(drinking.removed, s(&["gin"]));
        let money = topic(&l, "money");
        assert!(money.words.contains(&"landlord".to_string()));
        assert!(!money.words.contains(&"overdraft*".to_string()));
        // "rent" is built in: not from the file.
        assert_eq!(money.from_files, s(&["landlord"]));
        assert_eq!(money.removed, s(&["overdraft*"]));
        let gaming = topic(&l, "gaming_nights");
        assert_eq!(
            (gaming.source, gaming.words.clone()),
            (TopicSource::File, s(&["xbox"]))
        );
        assert_eq!(topic(&l, "pets").source, TopicSource::Yours);
        // The lexicons count with exactly these lists.
        let lex = l.lexicons();
        let c = rekindle_analysis::classify("two pints with the dog", &lex);
        assert_eq!(c.topics, ["drinking", "pets"]);
        let c = rekindle_analysis::classify("one more gin", &lex);
        assert!(c.topics.is_empty(), "{:?}", c.topics);
        // The version follows the words, and only them.
        assert_eq!(merge(&files, &edits).version, l.version);
        assert_ne!(merge(&files, &TopicEdits::default()).version, l.version);
        assert_ne!(merge(&[], &edits).version, l.version);
    }

    #[test]
    fn adding_and_removing_round_trip() {
        let mut edits = TopicEdits::default();
        let base = merge(&[], &edits);
        let untouched = base.version.clone();
        // Add to a built-in topic by its plain name, several words in one field.
        let added = add_to(
            &mut edits,
            &base,
            "Drinking",
            &s(&["Karaoke, night out", "pint*"]),
        )
        .unwrap();
        assert_eq!(added, s(&["karaoke", "night out", "pint*"]));
        let l = merge(&[], &edits);
        assert_eq!(topic(&l, "drinking").added, added);
        // Remove one of the user's words and one built-in word.
        remove_from(&mut edits, &l, "drinking", &s(&["karaoke", "gin"])).unwrap();
        let l = merge(&[], &edits);
        assert_eq!(topic(&l, "drinking").added, s(&["night out", "pint*"]));
        assert_eq!(topic(&l, "drinking").removed, s(&["gin"]));
        // Adding the built-in word again puts it back rather than adding it.
        add_to(&mut edits, &l, "drinking", &s(&["gin"])).unwrap();
        let l = merge(&[], &edits);
        assert!(topic(&l, "drinking").removed.is_empty());
        assert!(topic(&l, "drinking").words.contains(&"gin".to_string()));
        // Undo the rest: nothing stored changes the lists any more.
        remove_from(&mut edits, &l, "drinking", &s(&["night out", "pint*"])).unwrap();
        assert!(edits.topics.is_empty());
        assert_eq!(merge(&[], &edits).version, untouched);
    }

    #[test]
    fn mistakes_are_refused_with_plain_words_and_change_nothing() {
        let mut edits = TopicEdits::default();
        let l = merge(&[], &edits);
        let msg = |e: FormErrors| e.summary();
        let e = msg(add_to(&mut edits, &l, "drinkin", &s(&["pub"])).unwrap_err());
        assert!(
            e.contains("no topic called “drinkin”") && e.contains("money"),
            "{e}"
        );
        let e = msg(add_to(&mut edits, &l, "drinking", &s(&["Wine", "karaoke"])).unwrap_err());
        assert!(
            e.contains("“wine” is already in the list for drinking"),
            "{e}"
        );
        let e = msg(add_to(&mut edits, &l, "drinking", &s(&["karaoke, Karaoke"])).unwrap_err());
        assert!(e.contains("twice"), "{e}");
        let e = msg(add_to(&mut edits, &l, "drinking", &s(&[" , "])).unwrap_err());
        assert!(e.contains("at least one word"), "{e}");
        let e = msg(remove_from(&mut edits, &l, "money", &s(&["karaoke"])).unwrap_err());
        assert!(e.contains("“karaoke” is not in the list for money"), "{e}");
        assert!(edits.topics.is_empty(), "nothing changed");
        // The most words of one's own.
        let many: Vec<String> = (0..MAX_ADDED_PER_TOPIC).map(|i| format!("w{i}")).collect();
        add_to(&mut edits, &l, "work", &many).unwrap();
        let l = merge(&[], &edits);
        let e = msg(add_to(&mut edits, &l, "work", &s(&["one more"])).unwrap_err());
        assert!(
            e.contains("at most 200 words") && e.contains("add 0 more"),
            "{e}"
        );
    }

    #[test]
    fn topics_of_ones_own() {
        let mut edits = TopicEdits::default();
        let l = merge(&[], &edits);
        let key =
            new_topic_in(&mut edits, &l, "Gaming nights", &s(&["xbox, playstation"])).unwrap();
        assert_eq!(key, "gaming_nights");
        let l = merge(&[], &edits);
        let t = topic(&l, "gaming_nights");
        assert_eq!(
            (t.label.as_str(), t.source),
            ("gaming nights", TopicSource::Yours)
        );
        assert_eq!(
            l.topics.last().map(|t| t.topic.as_str()),
            Some("gaming_nights")
        );
        let e = new_topic_in(&mut edits, &l, "gaming-nights", &s(&["pc"])).unwrap_err();
        assert!(
            e.summary()
                .contains("already a topic called “gaming nights”")
        );
        let e = new_topic_in(&mut edits, &l, "Jealousy and trust", &s(&["pc"])).unwrap_err();
        assert!(e.summary().contains("already a topic"));
        let e = new_topic_in(&mut edits, &l, "pets & vets", &s(&[])).unwrap_err();
        assert!(e.get("name").unwrap().contains("letters, numbers"));
        assert!(e.get("words").unwrap().contains("at least one word"));
        let e = new_topic_in(&mut edits, &l, &"x".repeat(31), &s(&["a"])).unwrap_err();
        assert!(e.get("name").unwrap().contains("too long"));
        // Removing its last word removes the topic.
        remove_from(
            &mut edits,
            &l,
            "gaming nights",
            &s(&["xbox", "playstation"]),
        )
        .unwrap();
        assert!(merge(&[], &edits).find("gaming_nights").is_none());
        assert!(edits.topics.is_empty());
        // No more than the analysis counts.
        let mut edits = TopicEdits::default();
        for i in 0..MAX_TOPICS - BUILT_IN_TOPICS.len() {
            let l = merge(&[], &edits);
            new_topic_in(&mut edits, &l, &format!("topic {i}"), &s(&["w"])).unwrap();
        }
        let l = merge(&[], &edits);
        assert_eq!(l.topics.len(), MAX_TOPICS);
        let e = new_topic_in(&mut edits, &l, "one too many", &s(&["w"])).unwrap_err();
        assert!(e.summary().contains("the most the post-mortem can count"));
    }
}
