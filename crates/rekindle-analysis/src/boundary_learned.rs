//! The learned half of boundary detection (README "Boundaries").
//!
//! The phrase list of `boundary.rs` finds the boundaries worded as it expects
//! and, on sentences written by people who never saw it, misses about a third
//! of them ("i need to not hear from you for a while", "you won't be able to
//! reach me on here anymore"). This layer reads the words, negated words and
//! neighbouring word pairs of the message's own clauses (not questions, not
//! quoted: [`crate::boundary::layer_text`]) with one logistic regression per
//! kind, trained on the project's own labelled lines
//! (`examples/train_boundary.rs`, data/models/boundary.tsv). It is asked only
//! when no phrase matched and the message holds a piece of the phrases'
//! prefilter, and it adds endings, no-contact requests and blocks, never a
//! request for space. The model has the shape of the horsemen layer's (four
//! kinds, hashed features), so it is read by the same code.

use std::sync::OnceLock;

use crate::boundary::BoundaryKind;
use crate::horsemen_learned::HorsemenModel;

pub(crate) const MODEL_TEXT: &str = include_str!("../../../data/models/boundary.tsv");

/// The shipped model, parsed once; `None` if the file does not parse (a unit
/// test makes sure it does), and then only the phrases decide.
pub(crate) fn model() -> Option<&'static HorsemenModel> {
    static MODEL: OnceLock<Option<HorsemenModel>> = OnceLock::new();
    crate::horsemen_learned::parsed_once(&MODEL, MODEL_TEXT)
}

/// The shipped model (for the trainer's and the evaluation's reports).
#[doc(hidden)]
pub fn shipped() -> Result<HorsemenModel, String> {
    HorsemenModel::parse(MODEL_TEXT)
}

/// The boundary the layer reads in the message's own words
/// ([`crate::boundary::layer_text`]), if any: an ending, a request for no
/// contact or a block. Never a request for space: chats are full of talk about
/// time and distance that sets no boundary (an answer to one, an evening
/// alone), and every false alarm of the layer on held-out chats was one
/// (QUALITY_LOG.md, session 12); the phrases find the requests for space.
pub(crate) fn detect_in(norm: &str) -> Option<BoundaryKind> {
    let m = model()?;
    if norm.split(' ').count() < 2 {
        return None;
    }
    decide(m.margins(norm), m.thresholds()).filter(|k| *k != BoundaryKind::Space)
}

/// Of the kinds whose margin reaches its threshold, the one that asks the most
/// of the other person (as for the phrases); a request for no contact beside
/// one for time is a request for space ("give me a few weeks, don't text me").
pub fn decide(margins: [f32; 4], thresholds: [f32; 4]) -> Option<BoundaryKind> {
    BoundaryKind::strongest(
        BoundaryKind::ALL
            .iter()
            .zip(margins.iter().zip(&thresholds))
            .filter(|(_, (m, t))| m >= t)
            .map(|(k, _)| *k),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_parses() {
        let m = shipped().expect("data/models/boundary.tsv parses");
        assert!(m.features() > 100);
    }

    #[test]
    fn the_strongest_kind_wins_and_no_contact_beside_time_is_space() {
        let t = [0.0; 4];
        assert_eq!(decide([-1.0; 4], t), None);
        assert_eq!(
            decide([1.0, -1.0, -1.0, -1.0], t),
            Some(BoundaryKind::Ended)
        );
        assert_eq!(
            decide([1.0, 1.0, -1.0, -1.0], t),
            Some(BoundaryKind::NoContact)
        );
        assert_eq!(decide([-1.0, 1.0, 1.0, -1.0], t), Some(BoundaryKind::Space));
        assert_eq!(
            decide([1.0, -1.0, -1.0, 1.0], t),
            Some(BoundaryKind::Blocked)
        );
    }
}
