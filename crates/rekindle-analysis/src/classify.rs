//! Per-message classification: VADER tone plus conversational rules.

use std::cell::RefCell;

use rekindle_vader::{Analyzer, Scores};
use serde::Serialize;

use crate::lexicon::{Lexicons, Pat};
use crate::rules::{CURT, CURT_NEEDS_STOP, Cue};

/// One of Gottman's four horsemen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Horseman {
    Criticism,
    Contempt,
    Defensiveness,
    Stonewalling,
}

impl Horseman {
    /// All four, in this order (also the bit order of masks).
    pub const ALL: [Horseman; 4] = [
        Horseman::Criticism,
        Horseman::Contempt,
        Horseman::Defensiveness,
        Horseman::Stonewalling,
    ];

    /// Lowercase name as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Horseman::Criticism => "criticism",
            Horseman::Contempt => "contempt",
            Horseman::Defensiveness => "defensiveness",
            Horseman::Stonewalling => "stonewalling",
        }
    }

    /// The horsemen whose [`Horseman::bit`] is set, in the order of [`Horseman::ALL`].
    pub(crate) fn from_bits(bits: u8) -> Vec<Horseman> {
        Horseman::ALL
            .into_iter()
            .filter(|h| bits & h.bit() != 0)
            .collect()
    }

    pub(crate) fn bit(self) -> u8 {
        match self {
            Horseman::Criticism => 1,
            Horseman::Contempt => 2,
            Horseman::Defensiveness => 4,
            Horseman::Stonewalling => 8,
        }
    }
}

/// What the analysis sees in one message (the JSON of `rekindle classify`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// VADER scores, bit-for-bit those of vaderSentiment 3.3.2.
    pub sentiment: Scores,
    /// The message reads as negative (anger, disgust, fear, sadness, hostility).
    pub negative: bool,
    /// Four-horsemen markers found, in the order criticism, contempt, defensiveness, stonewalling.
    pub horsemen: Vec<Horseman>,
    /// A repair attempt or apology.
    pub repair: bool,
    /// Topic names whose lexicon matched.
    pub topics: Vec<String>,
}

/// The weights of the negative score. `negative` is
/// `-compound + sum(cue weights) + horsemen weights - repair >= threshold`.
/// `Weights::default()` is what [`classify`] uses.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub threshold: f64,
    pub cue_scale: f64,
    pub pos_scale: f64,
    pub criticism: f64,
    pub contempt: f64,
    pub defensiveness: f64,
    pub stonewalling: f64,
    pub repair: f64,
    /// Decide with the learned layer (`learned.rs`, data/models/negative.tsv)
    /// on top of the rules; `false` = the rules alone (`score >= threshold`).
    pub learned: bool,
    /// Record the learned layer's inputs for the trainer (`learned::dense_features`).
    pub capture: bool,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            threshold: 0.3,
            cue_scale: 1.0,
            pos_scale: 1.0,
            criticism: 0.5,
            contempt: 0.6,
            defensiveness: 0.5,
            stonewalling: 0.5,
            repair: 0.2,
            learned: true,
            capture: false,
        }
    }
}

/// Compact form used by the analysis (no allocation per message).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Compact {
    pub scores: Scores,
    pub negative: bool,
    /// The rules alone (without the learned layer) call it negative.
    pub rules_negative: bool,
    /// Bits of [`Horseman::bit`].
    pub horsemen: u8,
    pub repair: bool,
    pub bid: bool,
    pub breakup: bool,
    /// Bit i = topic i of the lexicons.
    pub topics: u64,
    /// Whitespace-separated words (saturating).
    pub words: u16,
    /// How many of the grid thresholds the message reaches (`learned::Model::level`):
    /// `negative` at the chat's own share of negative messages (see `base_rate`).
    pub level: u8,
    /// The learned margin's histogram bin, or `base_rate::NO_BIN`.
    pub margin_bin: u16,
    /// A boundary phrase matched (whole words): worth reading closely.
    pub boundary_hint: bool,
}

thread_local! {
    static BUF: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Classify one message.
pub fn classify(text: &str, lexicons: &Lexicons) -> Classification {
    let c = classify_compact(text, lexicons, &Weights::default());
    expand(&c, lexicons)
}

/// Classify many messages on all cores; same results as [`classify`] in input order.
pub fn classify_many<S: AsRef<str> + Sync>(
    texts: &[S],
    lexicons: &Lexicons,
) -> Vec<Classification> {
    use rayon::prelude::*;
    texts
        .par_iter()
        .with_min_len(256)
        .map(|t| classify(t.as_ref(), lexicons))
        .collect()
}

/// Classify the messages of one chat: as [`classify_many`], except that
/// `negative` is decided at the share of negative messages estimated from all
/// of them together, as the analysis does (see [`crate::base_rate`]). Returns
/// the classifications, in input order, and that share.
pub fn classify_chat<S: AsRef<str> + Sync>(
    texts: &[S],
    lexicons: &Lexicons,
) -> (Vec<Classification>, f64) {
    let (compacts, share) = compacts_as_chat(texts, lexicons, &Weights::default());
    let out = compacts.iter().map(|c| expand(c, lexicons)).collect();
    (out, share)
}

/// Only the `negative` flags of [`classify_chat`], with custom weights (for `examples/eval.rs`).
#[doc(hidden)]
pub fn negatives_as_chat<S: AsRef<str> + Sync>(
    texts: &[S],
    lexicons: &Lexicons,
    w: &Weights,
) -> (Vec<bool>, f64) {
    let (compacts, share) = compacts_as_chat(texts, lexicons, w);
    (compacts.iter().map(|c| c.negative).collect(), share)
}

fn compacts_as_chat<S: AsRef<str> + Sync>(
    texts: &[S],
    lexicons: &Lexicons,
    w: &Weights,
) -> (Vec<Compact>, f64) {
    use crate::base_rate::{self, MarginHistogram};
    use rayon::prelude::*;
    let mut compacts: Vec<Compact> = texts
        .par_iter()
        .with_min_len(256)
        .map(|t| classify_compact(t.as_ref(), lexicons, w))
        .collect();
    let mut margins = MarginHistogram::default();
    for c in &compacts {
        margins.add_bin(c.margin_bin);
    }
    let Some(index) = own_share_index(&margins).filter(|_| w.learned) else {
        return (compacts, base_rate::DEFAULT_SHARE);
    };
    let steps = crate::learned::model().map_or(0, |m| m.vader_steps());
    for c in &mut compacts {
        let vader = c.scores.compound <= -0.05;
        c.negative = base_rate::negative_in_chat(c.level, vader, index, steps);
    }
    (compacts, base_rate::GRID[index])
}

/// The grid share at which a chat's `negative` flags are decided, estimated
/// from its learned margins; `None` without a model that has thresholds by share.
pub(crate) fn own_share_index(margins: &crate::base_rate::MarginHistogram) -> Option<usize> {
    use crate::base_rate;
    let calibration = crate::learned::model()?.calibration()?;
    Some(base_rate::grid_index(base_rate::estimate_share(
        margins,
        &calibration,
    )))
}

/// Only the `negative` flag with custom weights (for tuning in `examples/eval.rs`).
#[doc(hidden)]
pub fn negative_with(text: &str, lexicons: &Lexicons, w: &Weights) -> bool {
    classify_compact(text, lexicons, w).negative
}

/// Plain-VADER baseline: compound <= -0.05.
#[doc(hidden)]
pub fn vader_negative(text: &str) -> bool {
    Analyzer::shared().polarity_scores(text).compound <= -0.05
}

pub(crate) fn expand(c: &Compact, lexicons: &Lexicons) -> Classification {
    Classification {
        sentiment: c.scores,
        negative: c.negative,
        horsemen: Horseman::from_bits(c.horsemen),
        repair: c.repair,
        topics: (0..lexicons.topic_count().min(64))
            .filter(|i| c.topics & (1u64 << i) != 0)
            .filter_map(|i| lexicons.topic_name(i).map(str::to_string))
            .collect(),
    }
}

const NEGATORS: &[&str] = &[
    "not", "no", "never", "don't", "dont", "isn't", "wasn't", "aren't", "ain't", "didn't",
    "doesn't", "won't", "nothing", "without", "hardly",
];

pub(crate) fn classify_compact(text: &str, lexicons: &Lexicons, w: &Weights) -> Compact {
    let scores = Analyzer::shared().polarity_scores(text);
    BUF.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => rules_on(text, scores, lexicons, w, &mut buf),
        Err(_) => rules_on(text, scores, lexicons, w, &mut String::new()),
    })
}

fn rules_on(
    text: &str,
    scores: Scores,
    lexicons: &Lexicons,
    w: &Weights,
    buf: &mut String,
) -> Compact {
    buf.clear();
    buf.push(' ');
    let words = crate::text::normalize_append(text, buf);
    buf.push(' ');
    let hay = buf.as_str();
    let norm = &hay[1..hay.len() - 1];

    let mut out = Compact {
        scores,
        words: words.min(usize::from(u16::MAX)) as u16,
        ..Compact::default()
    };
    let mut cue = 0.0f64;
    let mut pos = 0.0f64;
    let mut repair = false;
    let mut repair_block = false;
    let mut weak_defensive = false;
    let mut whatever = false;
    let mut not_whatever = false;
    let mut prefix_end: Option<usize> = None;
    if let Some(ac) = &lexicons.ac {
        for m in ac.find_overlapping_iter(hay) {
            let Some(p) = lexicons.pats.get(m.pattern().as_usize()) else {
                continue;
            };
            match *p {
                Pat::Topic(i) => out.topics |= 1u64 << (i & 63),
                // Matches come in order of their end; a prefix ends with the space
                // the trait word starts with.
                Pat::TraitPrefix => prefix_end = Some(m.end()),
                Pat::Trait => {
                    if prefix_end.is_some_and(|e| m.start() + 1 == e) {
                        out.horsemen |= Horseman::Criticism.bit();
                    }
                }
                Pat::BoundaryHint => out.boundary_hint = true,
                Pat::Cue(c) => match c {
                    Cue::Criticism => out.horsemen |= Horseman::Criticism.bit(),
                    Cue::Contempt => out.horsemen |= Horseman::Contempt.bit(),
                    Cue::Defensive => out.horsemen |= Horseman::Defensiveness.bit(),
                    Cue::DefensiveWeak => weak_defensive = true,
                    Cue::Stonewall => out.horsemen |= Horseman::Stonewalling.bit(),
                    Cue::Whatever => whatever = true,
                    Cue::NotWhatever => not_whatever = true,
                    Cue::Repair => repair = true,
                    Cue::RepairBlock => repair_block = true,
                    Cue::Breakup => out.breakup = true,
                    Cue::Bid => out.bid = true,
                    Cue::Neg(x) => {
                        let v = f64::from(x) / 100.0;
                        if negated(&hay[..m.start()]) {
                            pos += v * 0.5;
                        } else {
                            cue += v;
                        }
                    }
                    Cue::Pos(x) => pos += f64::from(x) / 100.0,
                },
            }
        }
    }
    if whatever && !not_whatever {
        out.horsemen |= Horseman::Stonewalling.bit();
    }
    if is_curt(text, norm) {
        out.horsemen |= Horseman::Stonewalling.bit();
        // VADER reads "fine." / "sure." / "cool." as positive; curt, they are not.
        cue += 0.4;
    }
    out.repair = repair && !repair_block;

    let h = out.horsemen;
    let mut score = -scores.compound + w.cue_scale * cue - w.pos_scale * pos;
    if h & Horseman::Criticism.bit() != 0 {
        score += w.criticism;
    }
    if h & Horseman::Contempt.bit() != 0 {
        score += w.contempt;
    }
    if h & Horseman::Defensiveness.bit() != 0 {
        score += w.defensiveness;
    }
    if h & Horseman::Stonewalling.bit() != 0 {
        score += w.stonewalling;
    }
    if out.repair {
        score -= w.repair;
    }
    let dense = crate::learned::Dense::new(&scores, cue, pos, h, out.repair, score, text);
    if w.capture {
        crate::learned::capture(dense);
    }
    // The learned layer decides (with the rules' numbers as inputs); without it
    // (or if its file did not parse) the rules alone do.
    let learned = if w.learned {
        crate::learned::model().map(|m| {
            let margin = m.margin(norm, &dense);
            let (negative, level) = m.decide_and_level(margin, &dense);
            (negative, level, margin)
        })
    } else {
        None
    };
    out.negative = learned.map_or(score >= w.threshold, |l| l.0) && !norm.is_empty();
    out.rules_negative = score >= w.threshold && !norm.is_empty();
    out.level = match learned {
        _ if norm.is_empty() => 0,
        Some((_, level, _)) => level,
        None if out.negative => crate::base_rate::GRID.len() as u8,
        None => 0,
    };
    out.margin_bin = match learned {
        Some((_, _, margin)) if !norm.is_empty() => crate::base_rate::MarginHistogram::bin(margin),
        _ => crate::base_rate::NO_BIN,
    };
    // "I didn't ..." / "yes but" only count as defensiveness in a heated message.
    if weak_defensive && (out.negative || h != 0) {
        out.horsemen |= Horseman::Defensiveness.bit();
    }
    // A bid is a friendly opening, not a jab.
    if out.negative || out.horsemen & (Horseman::Criticism.bit() | Horseman::Contempt.bit()) != 0 {
        out.bid = false;
    }
    out
}

/// Is the word just before this point a negator ("not upset")?
fn negated(before: &str) -> bool {
    let last = before.trim_end().rsplit(' ').next().unwrap_or("");
    NEGATORS.contains(&last)
}

/// A curt reply: the whole message is one of [`CURT`]; some need a full stop.
fn is_curt(text: &str, norm: &str) -> bool {
    if norm.len() > 24 || !CURT.contains(&norm) {
        return false;
    }
    if CURT_NEEDS_STOP.contains(&norm) {
        let t = text.trim_end();
        t.ends_with('.') && !t.ends_with("..")
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(t: &str) -> Classification {
        classify(t, &Lexicons::built_in())
    }

    #[test]
    fn criticism() {
        assert!(
            c("You always do this")
                .horsemen
                .contains(&Horseman::Criticism)
        );
        assert!(
            c("you're so selfish")
                .horsemen
                .contains(&Horseman::Criticism)
        );
        assert!(
            c("What's wrong with you?")
                .horsemen
                .contains(&Horseman::Criticism)
        );
        assert!(c("You always do this").negative);
        assert!(
            !c("I always love our walks")
                .horsemen
                .contains(&Horseman::Criticism)
        );
    }

    #[test]
    fn contempt() {
        assert!(c("wow genius 🙄").horsemen.contains(&Horseman::Contempt));
        assert!(c("you're pathetic").horsemen.contains(&Horseman::Contempt));
        assert!(c("oh great, late again").negative);
    }

    #[test]
    fn defensiveness() {
        assert!(
            c("It's not my fault!")
                .horsemen
                .contains(&Horseman::Defensiveness)
        );
        assert!(
            c("That's not true, you're the one who forgot")
                .horsemen
                .contains(&Horseman::Defensiveness)
        );
        // "I didn't" alone in a calm message is not defensiveness.
        assert!(
            !c("I didn't see the game, was it good?")
                .horsemen
                .contains(&Horseman::Defensiveness)
        );
    }

    #[test]
    fn stonewalling() {
        for t in [
            "k",
            "k.",
            "Fine.",
            "whatever",
            "Ok.",
            "leave me alone",
            "I'm done talking",
        ] {
            let r = c(t);
            assert!(r.horsemen.contains(&Horseman::Stonewalling), "{t}");
            assert!(r.negative, "{t}");
        }
        for t in [
            "ok",
            "ok!",
            "okay see you",
            "whatever you want is fine by me",
        ] {
            assert!(!c(t).horsemen.contains(&Horseman::Stonewalling), "{t}");
        }
    }

    #[test]
    fn repair() {
        assert!(c("I'm sorry, I didn't mean it").repair);
        assert!(c("you're right, my bad").repair);
        assert!(!c("sorry not sorry").repair);
        assert!(!c("I'm sorry you feel that way").repair);
        assert!(!c("I'm sorry, I didn't mean it").negative);
    }

    #[test]
    fn negative_cues_and_negation() {
        assert!(c("wtf").negative);
        assert!(c("ugh I'm so sick of this").negative);
        assert!(c("😡😡").negative);
        assert!(c("you idiot").negative);
        assert!(!c("no problem!").negative);
        assert!(!c("I'm not upset, don't worry").negative);
        assert!(!c("").negative);
        assert!(!c("see you at 8").negative);
    }

    #[test]
    fn a_mild_line_in_a_calm_chat_is_read_at_the_calm_share() {
        // As the CLI test of `classify --as-chat`: alone the line is negative;
        // after 2,000 calm lines (share estimated at 1 %) it is not, VADER
        // agreement included.
        let upset = "I'm really upset right now";
        assert!(c(upset).negative);
        let mut texts: Vec<&str> = [
            "see you at 8",
            "haha that was great",
            "thanks for dinner",
            "love you",
        ]
        .iter()
        .cycle()
        .take(2000)
        .copied()
        .collect();
        texts.push(upset);
        let (out, share) = classify_chat(&texts, &Lexicons::built_in());
        assert!((share - 0.01).abs() < 1e-9, "{share}");
        assert!(!out[2000].negative);
    }

    #[test]
    fn topics() {
        let r = c("You were drunk again at the bar");
        assert_eq!(r.topics, vec!["drinking".to_string()]);
        let r = c("stop checking your phone, who is she texting you");
        assert!(r.topics.contains(&"phone_social_media".to_string()));
        assert!(r.topics.contains(&"jealousy_trust".to_string()));
        assert!(c("hello").topics.is_empty());
    }

    #[test]
    fn json_shape() {
        let v = serde_json::to_value(c("you never listen 🙄")).unwrap_or_default();
        assert_eq!(v["horsemen"][0], "criticism");
        assert_eq!(v["horsemen"][1], "contempt");
        assert!(v["sentiment"]["compound"].is_number());
        assert_eq!(v["negative"], true);
        assert_eq!(v["repair"], false);
        assert!(v["topics"].is_array());
    }

    #[test]
    fn user_topics() {
        let lex = Lexicons::with_user_files(
            Lexicons::built_in(),
            &[
                ("gaming.txt", "# mine\nxbox\nplaystation*\n"),
                ("drinking", "prosecco\n"),
            ],
        );
        let r = classify("you and your playstation5 again, and the prosecco", &lex);
        assert!(r.topics.contains(&"gaming".to_string()));
        assert!(r.topics.contains(&"drinking".to_string()));
    }
}
