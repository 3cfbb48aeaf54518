//! The learned half of the threat reading of `danger.rs` (README "Signs of
//! danger"): a logistic regression over the message's words, negated words and
//! word pairs, trained on the project's own labelled lines
//! (`examples/train_danger.rs`, data/models/danger.tsv), in the horsemen
//! layer's model shape so that the same code reads it. Asked for messages
//! that passed the prefilter and hold no threat by the patterns, and, at a
//! stricter threshold, for messages with no prefilter piece at all (veiled
//! threats, session 20); only where the message has a word for the reader
//! ("you", "your", "u"...): a threat is made to someone.

use std::sync::OnceLock;

use crate::horsemen_learned::HorsemenModel;

pub(crate) const MODEL_TEXT: &str = include_str!("../../../data/models/danger.tsv");

fn model() -> Option<&'static HorsemenModel> {
    static MODEL: OnceLock<Option<HorsemenModel>> = OnceLock::new();
    crate::horsemen_learned::parsed_once(&MODEL, MODEL_TEXT)
}

/// The shipped model, for the test that it parses.
#[cfg(test)]
fn shipped() -> Result<HorsemenModel, String> {
    HorsemenModel::parse(MODEL_TEXT)
}

/// Fewest words the layer reads: shorter messages hold too little for it.
const MIN_WORDS: usize = 3;
/// Most words the layer reads: its false alarms on everyday dialogue were long
/// formal turns with many "your" (a shop's or a bank's); threats in a chat
/// are short (QUALITY_LOG.md, session 19, variant DG4).
const MAX_WORDS: usize = 20;

/// Whether the layer reads a threat in normalized text.
pub(crate) fn threatens(norm: &str) -> bool {
    threatens_by(norm, 0.0)
}

/// [`threatens`] with the threshold raised by `margin`.
pub(crate) fn threatens_by(norm: &str, margin: f32) -> bool {
    let Some(m) = model() else {
        return false;
    };
    let words = norm.split(' ').count();
    if !(MIN_WORDS..=MAX_WORDS).contains(&words)
        || !norm.split(' ').any(crate::pressure_learned::is_reader)
    {
        return false;
    }
    m.margins(norm)[0] >= m.thresholds()[0] + THRESHOLD_SHIFT + margin
}

/// Added to the threshold the trainer chose for out-of-fold precision
/// (session 22, variant DT): a missed threat costs more than a question about
/// a message that was not one. On the used sets threats found 247 → 280 of 520
/// for 14 → 18 of 880 look-alikes and 38 → 67 of 37,507 everyday lines
/// flagged; held out (danger_g.tsv) 38 → 45 of 80 threats, look-alikes 1 → 1 of
/// 140 (QUALITY_LOG.md).
const THRESHOLD_SHIFT: f32 = -1.0;

#[cfg(test)]
mod tests {
    use super::*;

    /// Wordings no phrase of danger.rs holds, and their look-alikes.
    #[test]
    fn the_layer_reads_threats_in_other_words() {
        for t in [
            "you will pay for this, i promise you that",
            "i will ruin your life and everyone in it",
        ] {
            assert!(threatens(&crate::text::normalize(t)), "{t}");
            assert!(crate::danger::detect(t).is_some(), "{t}");
        }
        for t in [
            "you will pay for dinner this time, i promise",
            "see you at 8",
            "ill pay you back friday",
        ] {
            assert!(crate::danger::detect(t).is_none(), "{t}");
        }
    }

    #[test]
    fn the_shipped_model_parses() {
        let m = shipped().expect("data/models/danger.tsv parses");
        assert!(m.features() > 1000);
    }
}
