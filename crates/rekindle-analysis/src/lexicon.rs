//! Lexicons: the topic word lists (data files, user-extendable) and the
//! built-in marker rules (four horsemen, repair, bids, negative cues), all
//! compiled into one Aho-Corasick automaton over normalized text.

use std::sync::Arc;

use aho_corasick::Anchored;
use aho_corasick::MatchKind;
use aho_corasick::automaton::Automaton;
use aho_corasick::automaton::StateID;
use aho_corasick::dfa::DFA;

use crate::rules::{self, Cue};

/// Topic files shipped with rekindle (`data/lexicons/*.txt`), in display order.
pub const BUILT_IN_TOPICS: &[(&str, &str)] = &[
    (
        "drinking",
        include_str!("../../../data/lexicons/drinking.txt"),
    ),
    (
        "jealousy_trust",
        include_str!("../../../data/lexicons/jealousy_trust.txt"),
    ),
    ("money", include_str!("../../../data/lexicons/money.txt")),
    (
        "time_together",
        include_str!("../../../data/lexicons/time_together.txt"),
    ),
    (
        "family_friends",
        include_str!("../../../data/lexicons/family_friends.txt"),
    ),
    ("work", include_str!("../../../data/lexicons/work.txt")),
    (
        "intimacy",
        include_str!("../../../data/lexicons/intimacy.txt"),
    ),
    (
        "phone_social_media",
        include_str!("../../../data/lexicons/phone_social_media.txt"),
    ),
];

/// At most this many topics are used (topic sets are kept as a 64-bit mask);
/// further user topics are ignored and reported in [`Lexicons::ignored`].
pub const MAX_TOPICS: usize = 32;

/// What a pattern in the automaton stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pat {
    /// The cues `Lexicons::phrases[first..first + len]`: the pattern is
    /// their words, or the anchor word of longer phrases, checked where it was
    /// found (see [`Phrase`]).
    Group {
        first: u32,
        len: u16,
    },
    Topic(u8),
    /// "you're so": criticism when a [`Pat::Trait`] follows at once.
    TraitPrefix,
    /// "selfish": criticism right after a [`Pat::TraitPrefix`].
    Trait,
    /// A boundary phrase ("don't contact me"): the message is read closely
    /// by `boundary::detect` (questions, negation, quotes) once classified.
    BoundaryHint,
}

/// A multi-word marker phrase, found through its anchor word: the automaton
/// holds one pattern per anchor word instead of one per phrase (the phrases
/// share few prefixes, and every pattern made the automaton bigger and the
/// pass over each message slower; README "Speed").
#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    /// `" a b c "`, as matched on the normalized text: `phrase_text[at..at + len]`.
    pub at: u32,
    pub len: u16,
    /// Where the anchor's `" word "` starts inside the phrase.
    pub offset: u16,
    pub cue: Cue,
    /// The automaton's match is the cue itself (no phrase to check).
    pub exact: bool,
}

/// A phrase while the groups are built.
struct Pending {
    pat: String,
    offset: usize,
    cue: Cue,
    exact: bool,
}

/// Words that make poor anchors: the 200 most frequent words of the GoEmotions
/// training comments (Apache-2.0; counted once, by the normalization here)
/// plus chat spellings. Sorted (binary search).
const COMMON_WORDS: &[&str] = &[
    "2",
    "a",
    "about",
    "actually",
    "after",
    "all",
    "also",
    "always",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "back",
    "bad",
    "be",
    "because",
    "been",
    "before",
    "being",
    "best",
    "better",
    "but",
    "by",
    "can",
    "can't",
    "could",
    "damn",
    "day",
    "did",
    "didn't",
    "do",
    "does",
    "doesn't",
    "doing",
    "don't",
    "down",
    "dude",
    "even",
    "ever",
    "every",
    "everyone",
    "feel",
    "find",
    "first",
    "for",
    "from",
    "fuck",
    "game",
    "get",
    "getting",
    "glad",
    "go",
    "going",
    "good",
    "got",
    "great",
    "guy",
    "had",
    "happy",
    "has",
    "hate",
    "have",
    "he",
    "he's",
    "her",
    "here",
    "him",
    "his",
    "hope",
    "how",
    "i",
    "i'd",
    "i'll",
    "i'm",
    "i've",
    "if",
    "in",
    "into",
    "is",
    "isn't",
    "it",
    "it's",
    "its",
    "just",
    "keep",
    "know",
    "last",
    "life",
    "like",
    "lol",
    "look",
    "looks",
    "lot",
    "love",
    "made",
    "make",
    "makes",
    "man",
    "many",
    "maybe",
    "me",
    "mean",
    "more",
    "most",
    "much",
    "my",
    "name",
    "need",
    "never",
    "new",
    "nice",
    "no",
    "not",
    "now",
    "of",
    "off",
    "oh",
    "old",
    "on",
    "one",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "people",
    "point",
    "post",
    "pretty",
    "probably",
    "really",
    "right",
    "said",
    "same",
    "say",
    "see",
    "she",
    "should",
    "so",
    "some",
    "someone",
    "something",
    "sorry",
    "still",
    "sure",
    "take",
    "than",
    "thank",
    "thanks",
    "that",
    "that's",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "they're",
    "thing",
    "things",
    "think",
    "this",
    "those",
    "though",
    "thought",
    "time",
    "to",
    "too",
    "up",
    "us",
    "very",
    "want",
    "was",
    "way",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "who",
    "why",
    "will",
    "wish",
    "with",
    "work",
    "would",
    "wow",
    "yeah",
    "year",
    "years",
    "yes",
    "you",
    "you're",
    "your",
];

/// Chat spellings that are as common as the words above.
const COMMON_CHAT: &[&str] = &["dont", "im", "lol", "ok", "u", "ur", "youre"];

fn is_common(w: &str) -> bool {
    COMMON_WORDS.binary_search(&w).is_ok() || COMMON_CHAT.contains(&w)
}

/// The word of a phrase the automaton looks for: the longest uncommon one;
/// `None` if all its words are common (then the phrase is a pattern itself).
fn anchor_of(phrase: &str) -> Option<&str> {
    phrase
        .split(' ')
        .filter(|w| !w.is_empty() && !is_common(w))
        .max_by_key(|w| w.len())
}

/// Compiled lexicons. Build once, share (it is `Sync`).
#[derive(Debug, Clone)]
pub struct Lexicons {
    topics: Vec<(String, Vec<String>)>,
    ignored: Vec<String>,
    /// `None` only if the automaton could not be built (then nothing matches).
    /// Walked by [`for_each_match`]; shared, not copied, when lexicons are cloned.
    pub(crate) ac: Option<Arc<DFA>>,
    pub(crate) pats: Vec<Pat>,
    /// The cues of all [`Pat::Group`]s, each group's together (one array,
    /// the phrases' words in one string: few cache lines per match).
    pub(crate) phrases: Vec<Phrase>,
    /// The words of the phrases (`Phrase::at`).
    pub(crate) phrase_text: String,
    /// Single-emoji rule cues, sorted by the emoji (several may share one).
    pub(crate) emoji: Vec<(char, Cue)>,
}

/// Parse one lexicon file: one entry per line, `#` comments, blank lines skipped.
pub fn parse_lexicon_file(contents: &str) -> Vec<String> {
    contents
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .filter_map(|l| {
            let star = l.trim_end().ends_with('*');
            let n = crate::text::normalize(l);
            if n.is_empty() {
                None
            } else if star {
                Some(format!("{n}*"))
            } else {
                Some(n)
            }
        })
        .collect()
}

impl Lexicons {
    /// The built-in lexicons: every file in `data/lexicons/` plus the marker rules.
    pub fn built_in() -> Lexicons {
        let topics = BUILT_IN_TOPICS
            .iter()
            .map(|(name, text)| (name.to_string(), parse_lexicon_file(text)))
            .collect();
        Self::compile(topics, Vec::new())
    }

    /// `built_in` plus the user's files: `(name, contents)` where name is the topic
    /// (the file name without `.txt`). A known topic gets the entries added; a
    /// new name becomes a new topic (up to [`MAX_TOPICS`]).
    pub fn with_user_files(built_in: Lexicons, files: &[(&str, &str)]) -> Lexicons {
        // Compiling the automaton takes ~15 ms: not again for nothing.
        if files.is_empty() {
            return built_in;
        }
        let mut topics = built_in.topics;
        let mut ignored = built_in.ignored;
        for (name, contents) in files {
            let name = topic_name(name);
            if name.is_empty() {
                continue;
            }
            let entries = parse_lexicon_file(contents);
            if let Some((_, list)) = topics.iter_mut().find(|(n, _)| *n == name) {
                for e in entries {
                    if !list.contains(&e) {
                        list.push(e);
                    }
                }
            } else if topics.len() < MAX_TOPICS {
                topics.push((name, entries));
            } else {
                ignored.push(name);
            }
        }
        Self::compile(topics, ignored)
    }

    /// Exactly these topics, `(name, entries)` in order (entries as
    /// [`parse_lexicon_file`] gives them: normalized, a trailing `*` for any
    /// ending), plus the marker rules. Topics past [`MAX_TOPICS`] are
    /// ignored and reported in [`Lexicons::ignored`]. The user's own lists
    /// (built-in ones with words added or removed) are made this way.
    pub fn from_topics(mut topics: Vec<(String, Vec<String>)>) -> Lexicons {
        let ignored = if topics.len() > MAX_TOPICS {
            topics
                .split_off(MAX_TOPICS)
                .into_iter()
                .map(|t| t.0)
                .collect()
        } else {
            Vec::new()
        };
        Self::compile(topics, ignored)
    }

    /// Topic names in order (the index is the bit in a topic mask).
    pub fn topic_names(&self) -> impl Iterator<Item = &str> {
        self.topics.iter().map(|(n, _)| n.as_str())
    }

    /// The name of topic `i`.
    pub fn topic_name(&self, i: usize) -> Option<&str> {
        self.topics.get(i).map(|(n, _)| n.as_str())
    }

    /// Number of topics.
    pub fn topic_count(&self) -> usize {
        self.topics.len()
    }

    /// The entries of a topic.
    pub fn topic_entries(&self, name: &str) -> Option<&[String]> {
        self.topics
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| e.as_slice())
    }

    /// User topics that were dropped because there were more than [`MAX_TOPICS`].
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }

    fn compile(topics: Vec<(String, Vec<String>)>, ignored: Vec<String>) -> Lexicons {
        let mut patterns: Vec<String> = Vec::new();
        let mut pats = Vec::new();
        // One automaton pattern per distinct string: a cue's own words, or the
        // anchor word of a longer phrase; every cue that shares it is in its group.
        let mut groups: Vec<Vec<Pending>> = Vec::new();
        let mut group_ids: std::collections::HashMap<String, usize> = Default::default();
        let mut emoji: Vec<(char, Cue)> = Vec::new();
        for (phrase, cue) in rules::CUES {
            let norm = crate::text::normalize(phrase);
            // One emoji: looked up by itself (`Lexicons::emoji`); emoji in the
            // automaton made its byte classes, and so its table, twice as big.
            let mut chars = norm.chars();
            if let (Some(c), None) = (chars.next(), chars.next())
                && !c.is_ascii()
            {
                emoji.push((c, *cue));
                continue;
            }
            // Single words, the score cues (whose sums must not depend on the
            // order they are found in), "haha*" (a trailing star matches any
            // ending, as in the topic files) and phrases of common words only
            // are patterns of their own.
            let (key, ph) = match anchor_of(&norm) {
                Some(a)
                    if norm.contains(' ')
                        && !phrase.ends_with('*')
                        && !matches!(cue, Cue::Neg(_) | Cue::Pos(_)) =>
                {
                    let pat = format!(" {norm} ");
                    let offset = pat.find(&format!(" {a} ")).unwrap_or(0);
                    let ph = Pending {
                        pat,
                        offset,
                        cue: *cue,
                        exact: false,
                    };
                    (pattern(a), ph)
                }
                _ => {
                    let star = if phrase.ends_with('*') { "*" } else { "" };
                    let ph = Pending {
                        pat: String::new(),
                        offset: 0,
                        cue: *cue,
                        exact: true,
                    };
                    (pattern(&format!("{norm}{star}")), ph)
                }
            };
            let id = *group_ids.entry(key.clone()).or_insert_with(|| {
                patterns.push(key);
                pats.push(Pat::Group {
                    first: groups.len() as u32,
                    len: 0,
                });
                groups.push(Vec::new());
                groups.len() - 1
            });
            if let Some(list) = groups.get_mut(id) {
                list.push(ph);
            }
        }
        emoji.sort_by_key(|e| e.0);
        // Flatten the groups: `Pat::Group { first }` held the group's index.
        let mut phrases = Vec::new();
        let mut phrase_text = String::new();
        let mut spans = Vec::with_capacity(groups.len());
        for group in groups {
            spans.push((phrases.len() as u32, group.len() as u16));
            for p in group {
                phrases.push(Phrase {
                    at: phrase_text.len() as u32,
                    len: p.pat.len() as u16,
                    offset: p.offset as u16,
                    cue: p.cue,
                    exact: p.exact,
                });
                phrase_text.push_str(&p.pat);
            }
        }
        for p in &mut pats {
            if let Pat::Group { first, len } = p
                && let Some(&(f, l)) = spans.get(*first as usize)
            {
                (*first, *len) = (f, l);
            }
        }
        // "you're so" + "selfish" is criticism: the two lists are searched
        // separately and joined when a trait word starts where a prefix ends
        // (`classify::rules_on`). All 21 × 35 combinations as patterns made
        // the automaton 5 MB, too big for the CPU's caches.
        for prefix in rules::TRAIT_PREFIXES {
            patterns.push(pattern(&crate::text::normalize(prefix)));
            pats.push(Pat::TraitPrefix);
        }
        for t in rules::TRAITS {
            patterns.push(pattern(&crate::text::normalize(t)));
            pats.push(Pat::Trait);
        }
        for phrase in crate::boundary::phrases() {
            patterns.push(pattern(&crate::text::normalize(phrase)));
            pats.push(Pat::BoundaryHint);
        }
        // The prefilter's pieces too: the learned boundary layer reads the
        // messages that hold one even when no phrase matched.
        for piece in crate::boundary::layer_pieces() {
            patterns.push(piece);
            pats.push(Pat::BoundaryHint);
        }
        for (i, (_, entries)) in topics.iter().enumerate() {
            for e in entries {
                patterns.push(pattern(e));
                pats.push(Pat::Topic(i as u8));
            }
        }
        // A full DFA: a few hundred KB for these patterns, and about twice as fast
        // per byte as the default NFA on the overlapping search every message gets.
        // Built as the DFA itself rather than through `AhoCorasick`, whose
        // search goes through a trait object: see `for_each_match`.
        let ac = aho_corasick::dfa::Builder::new()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&patterns)
            .ok()
            .map(Arc::new);
        Lexicons {
            topics,
            ignored,
            ac,
            pats,
            phrases,
            phrase_text,
            emoji,
        }
    }
}

/// Calls `f(pattern, start, end)` for every match of `dfa` in `hay`,
/// overlapping ones included, in order of their end and, for matches ending
/// at the same byte, in the automaton's order: exactly what
/// `AhoCorasick::find_overlapping_iter` yields. Walked here because the
/// library's iterator goes through a trait object, returns once per match and
/// stores its position on every byte (18 instructions a byte; every message
/// is searched).
#[inline]
pub(crate) fn for_each_match(dfa: &DFA, hay: &[u8], mut f: impl FnMut(usize, usize, usize)) {
    let Ok(mut sid) = dfa.start_state(Anchored::No) else {
        return;
    };
    let mut at = 0;
    while let Some(rest) = hay.get(at..).filter(|r| !r.is_empty()) {
        let (read, next) = run_to_special(dfa, rest, sid);
        (at, sid) = (at + read, next);
        // Without a prefilter only dead and match states are special; a
        // standard unanchored search never reaches the dead one.
        if dfa.is_match(sid) {
            for k in 0..dfa.match_len(sid) {
                let pid = dfa.match_pattern(sid, k);
                f(pid.as_usize(), at - dfa.pattern_len(pid), at);
            }
        }
    }
}

/// Steps `sid` over `hay` until it reaches a special (match or dead) state:
/// returns the bytes read and the state. A function of its own, with no call
/// inside the loop, so that the state stays in a register: inlined into the
/// matches' handling the loop spilled everything to the stack.
#[inline(never)]
fn run_to_special(dfa: &DFA, hay: &[u8], mut sid: StateID) -> (usize, StateID) {
    for (i, &b) in hay.iter().enumerate() {
        sid = dfa.next_state(Anchored::No, sid, b);
        if dfa.is_special(sid) {
            return (i + 1, sid);
        }
    }
    (hay.len(), sid)
}

/// Normalized entry -> pattern on the normalized haystack (" a b c "): words
/// match whole words; a trailing `*` matches any ending.
fn pattern(entry: &str) -> String {
    let e = entry.trim();
    if let Some(stem) = e.strip_suffix('*') {
        format!(" {}", stem.trim_end())
    } else {
        format!(" {e} ")
    }
}

fn topic_name(file_name: &str) -> String {
    let n = file_name.trim();
    let n = n.strip_suffix(".txt").unwrap_or(n);
    n.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim_matches('_')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::anchor_of;

    #[test]
    fn anchors_are_uncommon_words() {
        assert_eq!(anchor_of("i'll make your life hell"), Some("hell"));
        assert_eq!(anchor_of("you owe me"), Some("owe"));
        assert_eq!(anchor_of("you're so"), None);
        assert!(super::COMMON_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn exactly_the_topics_given() {
        let l = super::Lexicons::from_topics(vec![
            ("money".into(), vec!["rent".into(), "pay*".into()]),
            ("games".into(), vec![]),
        ]);
        assert_eq!(l.topic_names().collect::<Vec<_>>(), ["money", "games"]);
        let c = crate::classify("can you pay me back the rent", &l);
        assert_eq!(c.topics, ["money"]);
        let many: Vec<(String, Vec<String>)> = (0..super::MAX_TOPICS + 2)
            .map(|i| (format!("t{i}"), vec![format!("w{i}")]))
            .collect();
        let l = super::Lexicons::from_topics(many);
        assert_eq!(l.topic_count(), super::MAX_TOPICS);
        assert_eq!(l.ignored().len(), 2);
    }

    #[test]
    fn automaton_size() {
        use aho_corasick::automaton::Automaton;
        let l = super::Lexicons::built_in();
        if let Some(ac) = &l.ac {
            eprintln!("patterns {} memory {}", l.pats.len(), ac.memory_usage());
        }
    }

    #[test]
    fn the_walk_finds_what_the_library_iterator_finds() {
        // Overlapping patterns, several ending at one byte, a stem ("haha"
        // without its closing space) and repeats.
        let patterns = [
            " you ",
            " you're so ",
            " so ",
            " so selfish ",
            " selfish ",
            " haha",
            " ha",
            "a ",
            " i'm done ",
            " done ",
        ];
        let dfa = aho_corasick::dfa::Builder::new()
            .match_kind(aho_corasick::MatchKind::Standard)
            .prefilter(false)
            .build(patterns)
            .expect("the walked automaton builds");
        let lib = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(patterns)
            .expect("the library's automaton builds");
        for hay in [
            " you're so selfish haha ",
            " ",
            "",
            " hahaha you you you ",
            " i'm done so done a a ",
            " nothing here ",
            " so so so selfish ",
        ] {
            let mut walked = Vec::new();
            super::for_each_match(&dfa, hay.as_bytes(), |p, s, e| walked.push((p, s, e)));
            let found: Vec<_> = lib
                .find_overlapping_iter(hay)
                .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                .collect();
            assert_eq!(walked, found, "{hay:?}");
        }
    }
}
