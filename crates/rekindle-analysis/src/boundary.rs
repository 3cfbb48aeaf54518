//! Boundaries: a message in which its writer ends the relationship, asks for no
//! contact, asks for space or time, or says they blocked the other person.
//!
//! Why this matters more than any other reading: rekindle must never help
//! anyone push past a "no". A boundary found in the chat is shown first on the
//! post-mortem and pauses everything that reaches out to the ex until the user
//! has recorded what it means (see `rekindle_core::safety`).
//!
//! How: a message is read clause by clause (split at `. ! ? ; ,` and line
//! breaks). A clause sets a boundary when it contains one of the phrases below
//! as whole words, and
//! - it is not a question ("are you breaking up with me?", "do you need space?"),
//! - no negator stands in the three words before the phrase ("i don't need
//!   space", "i'm not breaking up with you", "i would never block you"),
//! - it is not conditional ("if you text her again i'll block you" is a threat,
//!   not a boundary) and not reported speech ("she said 'i need space' lol").
//!
//! Phrases are written for the writer's own voice: "we're done", "stop texting
//! me", "i need space", "i blocked you". Boundaries are rare, so a cheap
//! prefilter (a few distinctive word stems, case-insensitive) decides which
//! messages are read closely at all.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Serialize;

/// What the writer of a message set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryKind {
    /// Ends the relationship.
    Ended,
    /// Asks not to be contacted.
    NoContact,
    /// Asks for space or time.
    Space,
    /// Says they blocked the other person.
    Blocked,
}

impl BoundaryKind {
    /// Stable names, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            BoundaryKind::Ended => "ended",
            BoundaryKind::NoContact => "no_contact",
            BoundaryKind::Space => "space",
            BoundaryKind::Blocked => "blocked",
        }
    }

    /// One byte for the compact rows (0 = none).
    pub(crate) fn code(self) -> u8 {
        match self {
            BoundaryKind::Ended => 1,
            BoundaryKind::NoContact => 2,
            BoundaryKind::Space => 3,
            BoundaryKind::Blocked => 4,
        }
    }

    pub(crate) fn from_code(code: u8) -> Option<BoundaryKind> {
        match code {
            1 => Some(BoundaryKind::Ended),
            2 => Some(BoundaryKind::NoContact),
            3 => Some(BoundaryKind::Space),
            4 => Some(BoundaryKind::Blocked),
            _ => None,
        }
    }

    /// Every kind, in the order of the learned layer's model columns.
    pub const ALL: [BoundaryKind; 4] = [
        BoundaryKind::Ended,
        BoundaryKind::NoContact,
        BoundaryKind::Space,
        BoundaryKind::Blocked,
    ];

    /// When one message sets several, the one that asks the most of the
    /// other person is reported: blocked, no contact, ended, space.
    fn rank(self) -> u8 {
        match self {
            // A block is done, not asked: it already means no contact
            // ("i've blocked you everywhere. leave me alone").
            BoundaryKind::Blocked => 4,
            BoundaryKind::NoContact => 3,
            BoundaryKind::Ended => 2,
            BoundaryKind::Space => 1,
        }
    }

    /// The kind reported for a message that sets `kinds` (by the phrases or
    /// the learned layer): the one of highest [`BoundaryKind::rank`], except
    /// that a request for no contact beside one for time is a request for
    /// space ("I need some space, please don't text me, I'll message you when
    /// I'm ready": the no-contact words say how to give the time asked for).
    pub(crate) fn strongest(kinds: impl IntoIterator<Item = BoundaryKind>) -> Option<BoundaryKind> {
        let mut best: Option<BoundaryKind> = None;
        let mut asks_for_time = false;
        for kind in kinds {
            asks_for_time |= kind == BoundaryKind::Space;
            if best.is_none_or(|b| kind.rank() > b.rank()) {
                best = Some(kind);
            }
        }
        if best == Some(BoundaryKind::NoContact) && asks_for_time {
            return Some(BoundaryKind::Space);
        }
        best
    }
}

use BoundaryKind::*;

/// Phrases in normalized form (lowercase words, `'` kept). `noneg`: the
/// phrase carries its own negation ("don't contact me"), so a negator before
/// it is part of the request, not a denial.
const PHRASES: &[(&str, BoundaryKind)] = &[
    // --- Ended: the writer ends it.
    ("i'm breaking up with you", Ended),
    ("im breaking up with you", Ended),
    ("i am breaking up with you", Ended),
    ("i want to break up", Ended),
    ("i wanna break up", Ended),
    ("we should break up", Ended),
    ("we need to break up", Ended),
    ("let's break up", Ended),
    ("lets break up", Ended),
    ("we're breaking up", Ended),
    ("we are breaking up", Ended),
    ("it's over", Ended),
    ("its over", Ended),
    ("it is over", Ended),
    ("this is over", Ended),
    ("we're over", Ended),
    ("were over", Ended),
    ("we are over", Ended),
    ("we're done", Ended),
    ("we are done", Ended),
    ("we're through", Ended),
    ("we are through", Ended),
    ("we're finished", Ended),
    ("we are finished", Ended),
    ("i'm done with us", Ended),
    ("im done with us", Ended),
    ("i'm done with this relationship", Ended),
    ("i'm done with you", Ended),
    ("im done with you", Ended),
    ("i am done with you", Ended),
    ("i'm leaving you", Ended),
    ("im leaving you", Ended),
    ("i am leaving you", Ended),
    ("i want a divorce", Ended),
    ("i'm filing for divorce", Ended),
    ("i'm ending this", Ended),
    ("im ending this", Ended),
    ("i'm ending things", Ended),
    ("i'm ending it", Ended),
    ("i want to end this", Ended),
    ("i want to end things", Ended),
    ("i want to end it", Ended),
    ("i want out", Ended),
    ("we should end things", Ended),
    ("we should end this", Ended),
    ("we should end it", Ended),
    ("we need to end things", Ended),
    ("we need to end this", Ended),
    ("let's end things", Ended),
    ("let's end this", Ended),
    ("lets end this", Ended),
    ("i've decided to end things", Ended),
    ("i've decided to end this", Ended),
    ("i don't want to be with you anymore", Ended),
    ("i dont want to be with you anymore", Ended),
    ("i don't want to be together anymore", Ended),
    ("i dont want to be together anymore", Ended),
    ("i don't want to be in this relationship", Ended),
    ("i don't want this relationship anymore", Ended),
    ("i'm not in love with you anymore", Ended),
    ("i'm not in love with you any more", Ended),
    ("this relationship is over", Ended),
    ("our relationship is over", Ended),
    ("we should see other people", Ended),
    ("stop seeing each other", Ended),
    ("should call it quits", Ended),
    ("let's call it quits", Ended),
    ("lets call it quits", Ended),
    ("i'm calling it quits", Ended),
    ("im calling it quits", Ended),
    ("we're calling it quits", Ended),
    ("i want to call it quits", Ended),
    ("i can't be with you anymore", Ended),
    ("i cant be with you anymore", Ended),
    ("i can't be in this relationship anymore", Ended),
    ("we're not together anymore", Ended),
    ("we are not together anymore", Ended),
    // --- No contact.
    ("don't contact me", NoContact),
    ("dont contact me", NoContact),
    ("do not contact me", NoContact),
    ("don't ever contact me", NoContact),
    ("never contact me", NoContact),
    ("stop contacting me", NoContact),
    ("don't text me", NoContact),
    ("dont text me", NoContact),
    ("do not text me", NoContact),
    ("don't ever text me", NoContact),
    ("stop texting me", NoContact),
    ("don't message me", NoContact),
    ("dont message me", NoContact),
    ("do not message me", NoContact),
    ("stop messaging me", NoContact),
    ("don't call me", NoContact),
    ("dont call me", NoContact),
    ("do not call me", NoContact),
    ("stop calling me", NoContact),
    // Asked without the "me" (session 15, chats7): "please stop messaging for
    // now" (time: `space`, as "for a while" makes it).
    ("please stop messaging", NoContact),
    ("please stop texting", NoContact),
    ("please stop calling", NoContact),
    ("please stop contacting", NoContact),
    ("pls stop messaging", NoContact),
    ("pls stop texting", NoContact),
    ("don't write to me", NoContact),
    ("stop writing to me", NoContact),
    ("don't reach out", NoContact),
    ("dont reach out", NoContact),
    ("do not reach out", NoContact),
    ("stop reaching out", NoContact),
    ("lose my number", NoContact),
    ("delete my number", NoContact),
    ("leave me alone", NoContact),
    ("i want no contact", NoContact),
    ("i need no contact", NoContact),
    ("no contact from now", NoContact),
    ("i'm going no contact", NoContact),
    ("going no contact", NoContact),
    ("i need to not hear from you", NoContact),
    ("i don't want to hear from you", NoContact),
    ("i dont want to hear from you", NoContact),
    ("i do not want to hear from you", NoContact),
    ("i don't want you to contact me", NoContact),
    ("i don't want you to text me", NoContact),
    ("never talk to me again", NoContact),
    ("never speak to me again", NoContact),
    ("don't talk to me again", NoContact),
    ("don't talk to me ever again", NoContact),
    ("don't come near me", NoContact),
    ("stay away from me", NoContact),
    ("don't come to my", NoContact),
    ("don't show up at my", NoContact),
    // Texting shorthand for the same request ("no texts pls" reads "no texts please").
    ("no texts please", NoContact),
    ("no texting please", NoContact),
    ("no calls please", NoContact),
    ("no calls or texts please", NoContact),
    ("no texts or calls please", NoContact),
    ("no messages please", NoContact),
    // --- Space or time.
    ("i need space", Space),
    ("i need some space", Space),
    ("i need a little space", Space),
    ("i need more space", Space),
    ("need space from you", Space),
    ("give me space", Space),
    ("give me some space", Space),
    ("give me a little space", Space),
    ("i need time apart", Space),
    ("i need some time apart", Space),
    ("we need time apart", Space),
    ("we need some time apart", Space),
    ("we need space", Space),
    ("we need some space", Space),
    ("i need some time to think", Space),
    // Session 16 (variant BX): time away from the other, said plainly.
    ("time away from you", Space),
    ("time without you", Space),
    ("days without you", Space),
    ("weeks without you", Space),
    ("i need some time away", Space),
    ("i need time away", Space),
    // Only as the whole rest of a clause (`needs_the_clause_end`): "I need
    // some time." asks for it; "I need some time to get ready" does not.
    ("i need some time", Space),
    ("i need time", Space),
    ("i need time to think", Space),
    ("i need time to myself", Space),
    ("i need some time alone", Space),
    ("i need time alone", Space),
    // Session 15 (chats7): "i'm going home. i need to be alone for a bit";
    // not "i need to be alone with you for a bit" (see `alone_with`).
    ("i need to be alone", Space),
    ("i need some distance", Space),
    ("i need distance", Space),
    ("i need a break from us", Space),
    ("i need a break from you", Space),
    ("i need a break from this", Space),
    ("we should take a break", Space),
    ("we need to take a break", Space),
    ("we need a break", Space),
    ("let's take a break", Space),
    ("lets take a break", Space),
    ("i want to take a break", Space),
    ("i need some time to myself", Space),
    ("i need a bit of space", Space),
    ("i need a breather", Space),
    ("i need to step back", Space),
    ("i need to take a step back", Space),
    ("i need some room", Space),
    ("i need room to think", Space),
    ("i need a week", Space),
    ("i need a couple of days", Space),
    ("i need a couple days", Space),
    ("give me this week", Space),
    ("give me the week", Space),
    ("give me the weekend", Space),
    ("give me a couple of days", Space),
    ("give me a couple days", Space),
    ("i need a few days", Space),
    ("i need a few weeks", Space),
    ("give me a few days", Space),
    ("give me a few weeks", Space),
    // "give me till saturday": time asked for until a day, not an hour ("give
    // me till 5, nearly done").
    ("give me till monday", Space),
    ("give me till tuesday", Space),
    ("give me till wednesday", Space),
    ("give me till thursday", Space),
    ("give me till friday", Space),
    ("give me till saturday", Space),
    ("give me till sunday", Space),
    ("give me till the weekend", Space),
    ("give me till next week", Space),
    ("give me till the end of the week", Space),
    ("give me until monday", Space),
    ("give me until tuesday", Space),
    ("give me until wednesday", Space),
    ("give me until thursday", Space),
    ("give me until friday", Space),
    ("give me until saturday", Space),
    ("give me until sunday", Space),
    ("give me until the weekend", Space),
    ("give me until next week", Space),
    ("give me until the end of the week", Space),
    // --- Blocked.
    ("i blocked you", Blocked),
    ("i've blocked you", Blocked),
    ("ive blocked you", Blocked),
    ("i have blocked you", Blocked),
    ("i'm blocking you", Blocked),
    ("im blocking you", Blocked),
    ("i am blocking you", Blocked),
    ("blocking you now", Blocked),
    ("blocking you everywhere", Blocked),
    ("blocked you everywhere", Blocked),
    ("i'm going to block you", Blocked),
    ("i'm gonna block you", Blocked),
    ("i'll block you", Blocked),
    ("ill block you", Blocked),
    ("i blocked your number", Blocked),
    ("i've blocked your number", Blocked),
    ("i'm blocking your number", Blocked),
];

/// Every phrase (the classifier's automaton matches them on every message
/// at no extra pass; `detect` then reads only the messages that have one).
pub(crate) fn phrases() -> impl Iterator<Item = &'static str> {
    PHRASES.iter().map(|(p, _)| *p)
}

/// Phrases whose wording is itself a request not to do something.
fn carries_own_negation(phrase: &str) -> bool {
    phrase.starts_with("don't")
        || phrase.starts_with("dont")
        || phrase.starts_with("do not")
        || phrase.starts_with("never")
        || phrase.starts_with("stop")
        || phrase.starts_with("i don't")
        || phrase.starts_with("i dont")
        || phrase.starts_with("i do not")
}

/// Pieces of text one of which every phrase contains, chosen to be rare in
/// everyday chat (a message without any of them is not read closely: nearly
/// every message). No apostrophes, so curly and straight ones both match; a
/// test checks that every phrase contains one.
const PREFILTER: &[&str] = &[
    "break up",
    "breaking up",
    "s over",
    "re over",
    "are over",
    "re done",
    "are done",
    "re through",
    "are through",
    "re finished",
    "are finished",
    "done with",
    "leaving you",
    "divorce",
    "end this",
    "end things",
    "end it",
    "ending",
    "want out",
    "with you any",
    "together any",
    "this relationship",
    "relationship is over",
    "other people",
    "contact",
    "text me",
    "texting me",
    "messaging me",
    "stop messaging",
    "stop texting",
    "stop calling",
    "calling me",
    "message me",
    "call me",
    "write to me",
    "writing to me",
    "reach out",
    "reaching out",
    "my number",
    "leave me alone",
    "hear from you",
    "to me again",
    "to me ever",
    "near me",
    "away from me",
    "come to my",
    "show up at my",
    "space",
    "time apart",
    "time to think",
    "time to myself",
    "time alone",
    "be alone",
    "distance",
    "a break",
    "few days",
    "few weeks",
    "block",
    "some time",
    "need time",
    "time away",
    "without you",
    "seeing each other",
    "quits",
    "give me t",
    "give me u",
    "give me a",
    "breather",
    "step back",
    "some room",
    "room to think",
    "a week",
    "couple",
    "no text",
    "no call",
    "no messages",
];

const NEGATORS: &[&str] = &[
    "not", "no", "never", "don't", "dont", "didn't", "didnt", "won't", "wont", "wouldn't",
    "wouldnt", "isn't", "isnt", "aren't", "arent", "wasn't", "ain't", "can't", "cant", "doesn't",
    "doesnt", "nobody", "hardly",
];

/// Words that, before the phrase in the same clause, make it a report or a
/// condition rather than the writer's own request.
const NOT_OWN: &[&str] = &[
    "if", "unless", "said", "says", "saying", "told", "tells", "asked", "whether", "when",
];

/// Each phrase split into words, by its first word. Every word of a message
/// read closely is looked up here, so the hasher is a fast one (rustc-hash).
type Split =
    rustc_hash::FxHashMap<&'static str, Vec<(Vec<&'static str>, &'static str, BoundaryKind)>>;

static SPLIT: LazyLock<Split> = LazyLock::new(|| {
    let mut m = Split::default();
    for &(phrase, kind) in PHRASES {
        let parts: Vec<&'static str> = phrase.split(' ').collect();
        if let Some(first) = parts.first().copied() {
            m.entry(first).or_default().push((parts, phrase, kind));
        }
    }
    m
});

static PREFILTER_AC: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(PREFILTER)
        .ok()
});

/// The boundary a message sets, if any: the phrases below, and where none
/// matched, the learned layer (`boundary_learned`), which reads the wordings
/// no phrase holds ("you won't hear from me on here again, i've deleted you");
/// both only for messages that hold a piece of the prefilter.
pub fn detect(text: &str) -> Option<BoundaryKind> {
    if !passes_prefilter(text) {
        return None;
    }
    let clauses = normalized_clauses(text);
    by_phrases(&clauses).or_else(|| {
        let own = own_words(&clauses);
        holds_layer_piece(&own)
            .then(|| crate::boundary_learned::detect_in(&own))
            .flatten()
    })
}

/// The message's clauses ([`clauses`]), each normalized, with whether it is a
/// question; empty ones left out. Split once, read by the phrases and the layer.
fn normalized_clauses(text: &str) -> Vec<(String, bool)> {
    clauses(text)
        .into_iter()
        .map(|(c, question)| (crate::text::normalize(&c), question))
        .filter(|(n, _)| !n.is_empty())
        .collect()
}

/// Whether the text holds one of the [`PREFILTER`] pieces (case-insensitive).
fn passes_prefilter(text: &str) -> bool {
    PREFILTER_AC.as_ref().is_some_and(|ac| ac.is_match(text))
}

/// Prefilter pieces that are word stems ("blocked", "contacting", "no texts"):
/// every other piece must end where a word ends when it gates the learned
/// layer, so that "call meeting" and "a weekend" are not read as "call me"
/// and "a week".
const PIECE_STEMS: &[&str] = &[
    "block",
    "contact",
    "no text",
    "no call",
    "give me t",
    "give me u",
    "divorce",
    "distance",
    "space",
    "breather",
    "step back",
    "some room",
    "room to think",
];

/// The pieces that gate the learned layer, as patterns on normalized text
/// with a space before and after its words: a stem as it is, any other piece
/// with the space that ends its last word. The classifier's automaton holds
/// them, so that a chat's messages are read closely only when one is there.
pub(crate) fn layer_pieces() -> impl Iterator<Item = String> {
    PREFILTER.iter().map(|p| {
        if PIECE_STEMS.contains(p) {
            (*p).to_string()
        } else {
            format!("{p} ")
        }
    })
}

/// Whether normalized words hold a piece of [`layer_pieces`].
fn holds_layer_piece(norm: &str) -> bool {
    static AC: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(layer_pieces())
            .ok()
    });
    let padded = format!(" {norm} ");
    AC.as_ref().is_some_and(|ac| ac.is_match(&padded))
}

/// The message's own words as the learned layer reads them: its clauses that
/// are not questions, without quoted text, normalized (`text::normalize`) and
/// joined. "do u need space?" and "she said 'we're done'" leave nothing, nor
/// does time asked for a task ("give me till friday to pay you back").
pub fn layer_text(text: &str) -> String {
    own_words(&normalized_clauses(text))
}

/// [`layer_text`] of clauses already normalized.
fn own_words(clauses: &[(String, bool)]) -> String {
    let mut out = String::new();
    for (norm, question) in clauses {
        if *question {
            continue;
        }
        let words: Vec<&str> = norm.split(' ').collect();
        if time_for_a_task(&words) || has_one_more_and(&words) || asks_someone_else(&words) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(norm);
    }
    out
}

/// [`detect`] by the phrases alone (the trainer compares the two).
#[doc(hidden)]
pub fn detect_by_phrases(text: &str) -> Option<BoundaryKind> {
    if !passes_prefilter(text) {
        return None;
    }
    by_phrases(&normalized_clauses(text))
}

/// The phrases' reading of normalized clauses ([`normalized_clauses`]).
fn by_phrases(clauses: &[(String, bool)]) -> Option<BoundaryKind> {
    let mut found: Vec<BoundaryKind> = Vec::new();
    for (norm, question) in clauses {
        if *question {
            continue;
        }
        // Adverbs that do not change a request ("i just need some space",
        // "i really need time to think") are read past.
        let words: Vec<&str> = norm.split(' ').filter(|w| !FILLERS.contains(w)).collect();
        for (at, first) in words.iter().enumerate() {
            let Some(candidates) = SPLIT.get(first) else {
                continue;
            };
            for (parts, phrase, kind) in candidates {
                if words.get(at..at + parts.len()) != Some(parts.as_slice()) {
                    continue;
                }
                let mut kind = *kind;
                let after = words.get(at + parts.len()..).unwrap_or_default();
                if gives_time_for_a_task(phrase, after)
                    || over_a_medium(phrase, after)
                    || ends_a_talk(phrase, after)
                    || calls_names(phrase, after)
                    || (kind == Space && space_from_something_else(phrase, after))
                    || alone_with(phrase, after)
                    || needs_the_clause_end(phrase, after)
                {
                    continue;
                }
                if kind == NoContact && for_a_while(after) {
                    // "i need to not hear from you for a while": time asked for.
                    kind = Space;
                }
                let before = words.get(..at).unwrap_or_default();
                if before.iter().any(|w| NOT_OWN.contains(w)) || one_more_and(before) {
                    continue;
                }
                let near = before
                    .get(before.len().saturating_sub(3)..)
                    .unwrap_or_default();
                if !carries_own_negation(phrase) && near.iter().any(|w| NEGATORS.contains(w)) {
                    continue;
                }
                found.push(kind);
            }
        }
    }
    BoundaryKind::strongest(found)
}

/// "i need some time" asks for time only as the whole rest of its clause:
/// "i need some time to get ready", "i need time for the report" ask for
/// time for something else (session 16).
fn needs_the_clause_end(phrase: &str, after: &[&str]) -> bool {
    const BARE: &[&str] = &["i need some time", "i need time"];
    BARE.contains(&phrase) && !after.is_empty()
}

/// "i need to be alone with you": company asked for, not space.
fn alone_with(phrase: &str, after: &[&str]) -> bool {
    phrase.ends_with(" alone") && after.first() == Some(&"with")
}

/// "one more spoiler and we're done", "another lie and i'm blocking you": a
/// condition (an ultimatum, or a joke), like "if", not an ending or a block.
fn one_more_and(before: &[&str]) -> bool {
    let condition = before
        .windows(2)
        .any(|w| matches!(w, ["one" | "1", "more"]))
        || before.first() == Some(&"another");
    condition && before.last() == Some(&"and")
}

/// "i told lucas to stop texting me", "my sister told me to leave him alone":
/// a request put to someone other than the reader, reported (the phrases skip
/// it by [`NOT_OWN`]; the learned layer does not read it either). "i asked you
/// to stop" is said to the reader and stays.
fn asks_someone_else(words: &[&str]) -> bool {
    words.windows(3).any(|w| {
        matches!(
            w[0],
            "told" | "tells" | "telling" | "asked" | "asks" | "asking"
        ) && !matches!(w[1], "you" | "u" | "ya")
            && w[2] == "to"
    })
}

/// A clause holding a [`one_more_and`] condition anywhere ("one more spoiler
/// and we're done"): the learned layer does not read it.
fn has_one_more_and(words: &[&str]) -> bool {
    words
        .iter()
        .enumerate()
        .any(|(i, w)| *w == "and" && one_more_and(&words[..=i]))
}

/// "sorry this is over text": "over" is the medium, not the end.
fn over_a_medium(phrase: &str, after: &[&str]) -> bool {
    const MEDIA: &[&str] = &[
        "text",
        "texts",
        "txt",
        "the",
        "phone",
        "whatsapp",
        "messenger",
        "email",
        "chat",
        "dm",
        "dms",
        "facetime",
        "video",
        "zoom",
        "message",
        "messages",
        "here",
    ];
    phrase.ends_with(" over") && after.first().is_some_and(|w| MEDIA.contains(w))
}

/// "let's end this argument": a talk ends, not the relationship.
fn ends_a_talk(phrase: &str, after: &[&str]) -> bool {
    const TALKS: &[&str] = &[
        "argument",
        "fight",
        "conversation",
        "convo",
        "discussion",
        "debate",
        "call",
        "chat",
        "row",
        "nonsense",
        "topic",
        "thread",
    ];
    (phrase.ends_with(" this") || phrase.ends_with(" it") || phrase.ends_with(" things"))
        && after.first().is_some_and(|w| TALKS.contains(w))
}

/// "don't call me dramatic": a name, not a call. "don't call me", "don't call
/// me again", "don't call me or text me" stay requests.
fn calls_names(phrase: &str, after: &[&str]) -> bool {
    const CALL_GOES_ON: &[&str] = &[
        "again", "anymore", "ever", "any", "or", "and", "please", "pls", "plz", "until", "till",
        "til", "now", "tonight", "today", "tomorrow", "at", "on", "for", "from", "unless", "ok",
        "okay", "then", "either", "i", "i'm", "im", "i'll", "we", "you", "this", "after",
    ];
    phrase.ends_with(" call me") && after.first().is_some_and(|w| !CALL_GOES_ON.contains(w))
}

/// "i need some room from work", "i need to step back from the project": space
/// from something other than the two of them is no boundary.
fn space_from_something_else(phrase: &str, after: &[&str]) -> bool {
    const US: &[&str] = &[
        "us",
        "you",
        "u",
        "ya",
        "this",
        "it",
        "each",
        "our",
        "everything",
        "all",
    ];
    let the_relationship = after.get(1) == Some(&"the") && after.get(2) == Some(&"relationship");
    !phrase.contains(" from ")
        && after.first() == Some(&"from")
        && after.get(1).is_some_and(|w| !US.contains(w))
        && !the_relationship
}

/// "... for a while", "for now", "for a bit", "tonight", "till tomorrow": a
/// span that makes a request not to be contacted a request for time.
fn for_a_while(after: &[&str]) -> bool {
    const SHORT: &[&str] = &[
        "tonight", "today", "tomorrow", "tmrw", "tmr", "2nite", "tonite",
    ];
    let span = after.windows(3).any(|w| {
        w[0] == "for"
            && (matches!(
                w[1],
                "a" | "now" | "some" | "awhile" | "abit" | "few" | "couple"
            ) || (w[1] == "the" && w[2] == "time"))
    }) || after.ends_with(&["for", "now"])
        // "leave me alone tonight", "don't call me till tomorrow".
        || after.iter().take(3).any(|w| SHORT.contains(w));
    span && !after
        .iter()
        .any(|w| matches!(*w, "ever" | "forever" | "good" | "life"))
}

/// "give me a couple days to sort the money", "give me till friday to pay you
/// back": time asked for a task, not from the other person. Time "to think"
/// or "to clear my head" is still a request for space.
fn gives_time_for_a_task(phrase: &str, after: &[&str]) -> bool {
    phrase.starts_with("give me") && purpose_is_a_task(after)
}

/// Words after a span of time that make it time for a task: "to" and a verb
/// other than one of reflection ("to pay you back", not "to think").
fn purpose_is_a_task(after: &[&str]) -> bool {
    const REFLECT: &[&str] = &[
        "think", "process", "clear", "cool", "calm", "breathe", "myself", "heal", "figure",
    ];
    after.first() == Some(&"to") && !after.get(1).is_some_and(|w| REFLECT.contains(w))
}

/// A clause (normalized words) that asks for time for a task: a span of time
/// ("till friday", "a couple of days", "an hour") followed by a purpose that is
/// a task ([`purpose_is_a_task`]). The learned layer does not read such
/// clauses, as the phrases do not.
fn time_for_a_task(words: &[&str]) -> bool {
    const SPAN_ENDS: &[&str] = &[
        "minute",
        "minutes",
        "min",
        "mins",
        "hour",
        "hours",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "weekend",
        "tonight",
        "tomorrow",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "while",
        "time",
    ];
    words.iter().enumerate().any(|(i, w)| {
        SPAN_ENDS.contains(w) && purpose_is_a_task(words.get(i + 1..).unwrap_or_default())
    })
}

/// Adverbs read past when matching a phrase.
const FILLERS: &[&str] = &[
    "just",
    "really",
    "honestly",
    "actually",
    "genuinely",
    "seriously",
    "truly",
    "kinda",
];

/// The clauses of a message, each with whether it ends in a question mark.
/// Text inside quotation marks is left out (someone else's words).
fn clauses(text: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    // Runs of ordinary characters are copied as slices, not one by one.
    let mut run_start = 0;
    for (i, c) in text.char_indices() {
        let special = matches!(
            c,
            '"' | '\u{201c}'
                | '\u{201d}'
                | '\u{00ab}'
                | '\u{00bb}'
                | '.'
                | '!'
                | ';'
                | ','
                | '\n'
                | '\r'
                | '?'
        );
        if !special {
            continue;
        }
        if !quoted {
            cur.push_str(&text[run_start..i]);
        }
        run_start = i + c.len_utf8();
        match c {
            '"' | '\u{201c}' | '\u{201d}' | '\u{00ab}' | '\u{00bb}' => {
                quoted = !quoted;
                cur.push(' ');
            }
            _ if quoted => {}
            _ => {
                let question = c == '?';
                if !cur.trim().is_empty() {
                    out.push((std::mem::take(&mut cur), question));
                } else if question {
                    // "why?? stop texting me" — the mark belongs to the clause before.
                    if let Some(last) = out.last_mut() {
                        last.1 = true;
                    }
                }
                cur.clear();
            }
        }
    }
    if !quoted {
        cur.push_str(&text[run_start..]);
    }
    if !cur.trim().is_empty() {
        out.push((cur, false));
    }
    out
}

/// The setter's own follow-up at `next` after their message at `last`,
/// before anyone answered: past this gap it starts a new conversation rather
/// than continuing the boundary ("thanks for leaving me alone" four days
/// later). Two hours: a boundary and its own follow-ups are one sitting.
pub(crate) fn reopens(last: jiff::civil::DateTime, next: jiff::civil::DateTime) -> bool {
    last.checked_add(jiff::SignedDuration::from_hours(2))
        .is_ok_and(|limit| next > limit)
}

/// A boundary found by [`Scan`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// Position of the message among those pushed.
    pub index: usize,
    pub time: jiff::civil::DateTime,
    pub person: String,
    pub kind: BoundaryKind,
    /// The other people's messages after it before the one who set it replied.
    pub unanswered_after: usize,
    /// The one who set it wrote again after someone else had written: the
    /// conversation reopened (it may still be their no; the person decides).
    pub setter_wrote_again: bool,
}

/// Finds boundaries in a stream of messages (in chat order) without keeping
/// the messages: what an import needs to tell the safety gate, at the cost of
/// one [`detect`] per text.
#[derive(Debug, Default)]
pub struct Scan {
    found: Vec<Found>,
    /// Boundaries whose setter has not replied yet: (index into `found`,
    /// someone else has written since, the setter's latest message).
    open: Vec<(usize, bool, jiff::civil::DateTime)>,
    pushed: usize,
}

impl Scan {
    pub fn new() -> Scan {
        Scan::default()
    }

    /// One message; `text` is `None` for media and system lines.
    pub fn push(&mut self, sender: Option<&str>, time: jiff::civil::DateTime, text: Option<&str>) {
        let index = self.pushed;
        self.pushed += 1;
        let Some(sender) = sender else { return };
        let found = &mut self.found;
        self.open.retain_mut(|(i, seen_other, last_own)| {
            let Some(b) = found.get_mut(*i) else {
                return false;
            };
            if b.person == sender {
                if *seen_other || reopens(*last_own, time) {
                    b.setter_wrote_again = true;
                    return false;
                }
                *last_own = time;
            } else {
                b.unanswered_after += 1;
                *seen_other = true;
            }
            true
        });
        if let Some(kind) = text.and_then(detect) {
            self.open.push((self.found.len(), false, time));
            self.found.push(Found {
                index,
                time,
                person: sender.to_string(),
                kind,
                unanswered_after: 0,
                setter_wrote_again: false,
            });
        }
    }

    pub fn finish(self) -> Vec<Found> {
        self.found
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<&'static str> {
        detect(text).map(BoundaryKind::as_str)
    }

    #[test]
    fn time_away_and_common_endings_and_their_look_alikes() {
        // Session 16 (variant BX).
        for t in [
            "I need some time.",
            "i need time",
            "I need some time without you at the flat.",
            "i need some time away from you",
            "a few weeks without you would help me think",
        ] {
            assert_eq!(kind(t), Some("space"), "{t}");
        }
        for t in [
            "we should stop seeing each other",
            "i think we should call it quits",
            "i'm calling it quits",
        ] {
            assert_eq!(kind(t), Some("ended"), "{t}");
        }
        for t in [
            "I need some time to get ready, 10 min",
            "i need time for the report",
            "I need some time away from work",
            "I don't need time",
            "she said she needs time",
            "i can't stop seeing you in my dreams",
            "they called it quits at half time",
        ] {
            assert_eq!(kind(t), None, "{t}");
        }
    }

    #[test]
    fn every_phrase_passes_the_prefilter_with_either_apostrophe() {
        let ac = PREFILTER_AC.as_ref().unwrap();
        for (p, _) in PHRASES {
            assert!(ac.is_match(p), "{p}");
            assert!(ac.is_match(&p.replace('\'', "\u{2019}")), "{p}");
            assert!(detect(p).is_some(), "{p}");
        }
    }

    #[test]
    fn each_kind_in_the_writers_own_voice() {
        assert_eq!(kind("give me till saturday, no texts pls"), Some("space"));
        assert_eq!(kind("give me until the weekend to think"), Some("space"));
        assert_eq!(
            kind("no calls or texts please. i mean it"),
            Some("no_contact")
        );
        assert_eq!(kind("I'm breaking up with you. I'm sorry."), Some("ended"));
        assert_eq!(kind("it's over between us"), Some("ended"));
        assert_eq!(kind("Please don't contact me again"), Some("no_contact"));
        assert_eq!(kind("stop texting me"), Some("no_contact"));
        assert_eq!(kind("Lose my number"), Some("no_contact"));
        assert_eq!(kind("i need some space right now"), Some("space"));
        assert_eq!(kind("give me a few weeks please"), Some("space"));
        assert_eq!(kind("I’ve blocked you on everything"), Some("blocked"));
    }

    #[test]
    fn session_13_wordings_and_their_look_alikes() {
        // Endings in plain words; "over" as the medium is none.
        assert_eq!(
            kind("I think we should end things. I'm sorry I made you guess"),
            Some("ended")
        );
        assert_eq!(
            kind("i think we should end it, properly and kindly"),
            Some("ended")
        );
        assert_eq!(kind("we should end this argument and get food"), None);
        assert_eq!(
            kind("let's end this conversation before it gets worse"),
            None
        );
        assert_eq!(
            kind("I'm sorry this is over text, I need some space"),
            Some("space")
        );
        assert_eq!(kind("sorry this is over whatsapp"), None);
        assert_eq!(kind("it's over. I mean it"), Some("ended"));
        // "don't call me" a name vs a call.
        assert_eq!(kind("don't call me dramatic"), None);
        assert_eq!(kind("dont call me a liar when you know it's true"), None);
        assert_eq!(kind("don't call me again"), Some("no_contact"));
        assert_eq!(kind("please don't call me."), Some("no_contact"));
        assert_eq!(kind("don't call me or text me"), Some("no_contact"));
        // Stepping back, room, not hearing from someone for a while: space.
        assert_eq!(
            kind("i think i need to step back for a bit. not forever"),
            Some("space")
        );
        assert_eq!(
            kind("I just need some room to think about what I want"),
            Some("space")
        );
        assert_eq!(
            kind("I need to not hear from you for a while. When I'm ready I'll reach out"),
            Some("space")
        );
        assert_eq!(
            kind("i need to not hear from you. ever."),
            Some("no_contact")
        );
        assert_eq!(
            kind("don't contact me for a while, i mean it"),
            Some("space")
        );
        // A night or a day asked for is time (session 14, chats6).
        assert_eq!(
            kind("You know what, just leave me alone tonight. I can't look at you"),
            Some("space")
        );
        assert_eq!(kind("don't call me till tomorrow"), Some("space"));
        assert_eq!(
            kind("please stop messaging for now. I'll talk to you when I'm ready."),
            Some("space")
        );
        assert_eq!(kind("please stop texting, I mean it"), Some("no_contact"));
        assert_eq!(
            kind("I'm going home. I need to be alone for a bit after today"),
            Some("space")
        );
        assert_eq!(kind("i need to be alone with you this weekend 😍"), None);
        assert_eq!(
            kind("i told lucas to stop texting me. deleted his number"),
            None
        );
        assert_eq!(
            kind("I asked you to stop. I've blocked you now. Please respect it."),
            Some("blocked")
        );
        // A condition is no ending (session 15).
        assert_eq!(kind("one more spoiler and we're done 😤"), None);
        assert_eq!(kind("1 more lie and i'm blocking you"), None);
        assert_eq!(kind("another excuse and we're over"), None);
        assert_eq!(
            kind("one more thing and then we're done with the flat. we're done, i mean it"),
            Some("ended")
        );
        assert_eq!(
            kind("leave me alone. forever. tonight i'm blocking you"),
            Some("blocked")
        );
        assert_eq!(
            kind("don't contact me ever again, not for a while, never"),
            Some("no_contact")
        );
        // Space from something else is none.
        assert_eq!(kind("i need to step back from the project at work"), None);
        assert_eq!(kind("i need some room from my mum tbh"), None);
        assert_eq!(
            kind("i need to step back from us for a while"),
            Some("space")
        );
        // A block is done, not asked: it wins over a request in the same message.
        assert_eq!(
            kind("I've blocked you here and everywhere else. Please leave me alone."),
            Some("blocked")
        );
    }

    #[test]
    fn the_strongest_request_wins_in_one_message() {
        assert_eq!(kind("we're done. don't contact me."), Some("no_contact"));
        assert_eq!(
            kind("I need space, so i blocked you for now"),
            Some("blocked")
        );
    }

    #[test]
    fn denials_questions_conditions_and_quotes_are_not_boundaries() {
        assert_eq!(kind("i don't need space, i need you"), None);
        assert_eq!(kind("I'm not breaking up with you"), None);
        assert_eq!(kind("i would never block you"), None);
        assert_eq!(kind("are you breaking up with me?"), None);
        assert_eq!(kind("do you need some space?"), None);
        assert_eq!(kind("if you text her again i'll block you"), None);
        assert_eq!(kind("she said \"i need space\" lol"), None);
        assert_eq!(kind("my sister told me to leave him alone"), None);
        assert_eq!(kind("it's not over"), None);
    }

    #[test]
    fn a_scan_counts_the_unanswered_messages_and_sees_a_reopened_talk() {
        let t = jiff::civil::date(2024, 3, 1).at(12, 0, 0, 0);
        let mut s = Scan::new();
        s.push(Some("A"), t, Some("hi"));
        s.push(Some("B"), t, Some("please don't contact me again"));
        s.push(Some("B"), t, Some("i mean it"));
        s.push(Some("A"), t, Some("please talk to me"));
        s.push(None, t, None);
        s.push(Some("A"), t, Some("i miss you"));
        let open = s.finish();
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].index, open[0].kind), (1, BoundaryKind::NoContact));
        assert_eq!(open[0].unanswered_after, 2);
        assert!(!open[0].setter_wrote_again);

        let mut s = Scan::new();
        s.push(Some("B"), t, Some("i need some space"));
        s.push(Some("A"), t, Some("ok"));
        s.push(Some("B"), t, Some("thanks, talk next week"));
        let b = s.finish();
        assert_eq!(b[0].unanswered_after, 1);
        assert!(b[0].setter_wrote_again);
    }

    #[test]
    fn the_learned_layer_reads_wordings_no_phrase_holds() {
        // No phrase matches these; the layer does.
        assert_eq!(
            by_phrases_only("i've removed you from everything, no more contact"),
            None
        );
        assert_eq!(
            kind("i've removed you from everything, no more contact"),
            Some("no_contact")
        );
        assert_eq!(
            kind("no more contact please, i'm serious"),
            Some("no_contact")
        );
        assert_eq!(
            kind("you'll find you're blocked on everything now"),
            Some("blocked")
        );
        // Not a request for space from the layer (the phrases find those), and
        // not what shares its words.
        for t in [
            "block the calendar for friday",
            "the drain is blocked again",
            "did you block me??",
            "i'll never block you babe",
            "no contact with the landlord yet, he's ignoring us",
            "a weekend away sounds perfect",
            "free for a call meeting at 3?",
        ] {
            assert_eq!(kind(t), None, "{t}");
        }
    }

    fn by_phrases_only(t: &str) -> Option<&'static str> {
        detect_by_phrases(t).map(BoundaryKind::as_str)
    }

    #[test]
    fn everyday_messages_are_not_boundaries() {
        for t in [
            "the game is over, coming home",
            "are we done with dinner plans?",
            "call me when you land",
            "text me the address",
            "I need some time to get ready, 10 min",
            "I need a break lol this week is insane",
            "love you, see you later",
            "i'm done with work finally",
            "give me a week to finish the report",
            "give me till 5, nearly done",
            "give me till friday to pay you back",
            "give me a couple days to sort the money",
            "no texts from mum today, weird",
            "i need some time to get the money together",
            "i just need a coffee",
            "i really need to cool off, this heat is unreal",
        ] {
            assert_eq!(kind(t), None, "{t}");
        }
    }
}
