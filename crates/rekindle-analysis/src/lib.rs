//! The chat post-mortem, pure: messages in, data out (no files, no network).
//!
//! - [`classify`]: what one message shows (VADER tone, `negative`, four horsemen,
//!   repair, topics) — the JSON of `rekindle classify`.
//! - [`analyze`]: the whole chat, with the indices of the messages behind
//!   every number — the JSON of `rekindle analyze --json` (shape in README.md).
//! - [`summarize`]: kind, factual sentences from an [`Analysis`].
//! - [`Lexicons`]: topic word lists (`data/lexicons/*.txt`, user-extendable) and rules.

mod analyze;
pub mod base_rate;
pub mod boundary;
pub mod boundary_learned;
mod changepoint;
mod classify;
pub mod danger;
mod danger_learned;
#[doc(hidden)]
pub mod exchange;
#[doc(hidden)]
pub mod horsemen_learned;
#[doc(hidden)]
pub mod learned;
mod lexicon;
mod prepared;
#[doc(hidden)]
pub mod pressure_learned;
mod rules;
pub mod snapshot;
mod summary;
pub mod text;
pub mod threats;

pub use analyze::*;
pub use boundary::BoundaryKind;
pub use changepoint::{Segment, binary_segmentation, default_penalty, segments};
pub use classify::{
    Classification, Horseman, Pressure, Weights, classify, classify_chat, classify_many,
    classify_rules_only, horsemen_layer_mask, negative_with, negatives_as_chat, vader_negative,
};
pub use lexicon::{BUILT_IN_TOPICS, Lexicons, MAX_TOPICS, parse_lexicon_file};
pub use prepared::Prepared;
pub use rekindle_chat::{Message, MessageKind};
pub use rekindle_vader::Scores;
pub use snapshot::{SnapshotError, fingerprint};
pub use summary::{month_name, summarize, topic_label};

/// Builds VADER and the learned layers the analysis of a chat reads now
/// (each is otherwise built on its first use): a caller with a thread to
/// spare starts this beside its own set-up, so that no message waits for a
/// model to be parsed. The pressure layer is not among them: only
/// [`classify()`] reads it (parsing it would cost the analysis CPU and memory).
pub fn warm_up() {
    rekindle_vader::Analyzer::shared();
    learned::model();
    horsemen_learned::model();
    boundary_learned::model();
}
