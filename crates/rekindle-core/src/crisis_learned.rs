//! The learned half of the crisis check: a logistic model per sign (self-harm,
//! danger) over the words of a text, its word pairs, and the words a negator
//! reaches ("!hurt" in "not going to hurt"). Phrases find what is said in a
//! known way; veiled texts ("i gave my cat to my sister just in case") share
//! words more than phrases, and this layer reads those words.
//!
//! Trained by `cargo run -p rekindle-core --example train_crisis` on the
//! project's own labelled texts (data/models/crisis.tsv says which); its
//! thresholds keep false alarms rare on ordinary text (CRISIS_LOG.md).

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::crisis::normalize;

const MODEL_TEXT: &str = include_str!("../../../data/models/crisis.tsv");

/// Words that deny the next few words.
const NEGATORS: &[&str] = &[
    "not", "never", "no", "dont", "doesnt", "didnt", "wont", "wouldnt", "isnt", "wasnt", "cant",
    "cannot", "nothing", "without",
];

/// How many words a negator reaches.
const NEGATION_SCOPE: usize = 3;

/// The features of a text: each distinct word (with "!" when a negator reaches
/// it) and each pair of neighbouring words in a clause.
pub fn features(text: &str) -> Vec<String> {
    let norm = normalize(text);
    let mut out: Vec<String> = Vec::new();
    for clause in norm.split(" . ") {
        let words: Vec<&str> = clause.split_whitespace().filter(|w| *w != ".").collect();
        let mut scope = 0usize;
        for (i, w) in words.iter().enumerate() {
            if NEGATORS.contains(w) {
                out.push((*w).to_string());
                scope = NEGATION_SCOPE;
            } else if scope > 0 {
                out.push(format!("!{w}"));
                scope -= 1;
            } else {
                out.push((*w).to_string());
            }
            if let Some(next) = words.get(i + 1) {
                out.push(format!("{w} {next}"));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Two logistic models and their decision margins.
pub struct Model {
    bias: [f32; 2],
    threshold: [f32; 2],
    weights: HashMap<String, [f32; 2]>,
}

impl Model {
    /// Parses the model file: `#` comments, `bias A B`, `threshold A B`, then
    /// `feature TAB self_harm TAB danger`.
    pub fn parse(text: &str) -> Result<Model, String> {
        let mut model = Model {
            bias: [0.0; 2],
            threshold: [f32::INFINITY; 2],
            weights: HashMap::new(),
        };
        let pair = |a: &str, b: &str, line: usize| -> Result<[f32; 2], String> {
            match (a.parse::<f32>(), b.parse::<f32>()) {
                (Ok(x), Ok(y)) => Ok([x, y]),
                _ => Err(format!("line {line}: not two numbers")),
            }
        };
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            match cols.as_slice() {
                ["bias", a, b] => model.bias = pair(a, b, n + 1)?,
                ["threshold", a, b] => model.threshold = pair(a, b, n + 1)?,
                [feature, a, b] => {
                    model
                        .weights
                        .insert((*feature).to_string(), pair(a, b, n + 1)?);
                }
                _ => return Err(format!("line {}: expected three columns", n + 1)),
            }
        }
        Ok(model)
    }

    /// The two margins (log-odds) of a text.
    pub fn margins(&self, text: &str) -> [f32; 2] {
        let mut z = self.bias;
        for f in features(text) {
            if let Some(w) = self.weights.get(&f) {
                z[0] += w[0];
                z[1] += w[1];
            }
        }
        z
    }

    /// Whether each sign reaches its threshold.
    pub fn signs(&self, text: &str) -> [bool; 2] {
        let z = self.margins(text);
        [z[0] >= self.threshold[0], z[1] >= self.threshold[1]]
    }
}

/// The shipped model (an empty one if its file were broken: the phrases still
/// run, and a unit test fails).
pub static MODEL: LazyLock<Model> = LazyLock::new(|| {
    Model::parse(MODEL_TEXT).unwrap_or(Model {
        bias: [0.0; 2],
        threshold: [f32::INFINITY; 2],
        weights: HashMap::new(),
    })
});

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_parses_and_has_thresholds() {
        let m = Model::parse(MODEL_TEXT).unwrap();
        assert!(m.weights.len() > 100);
        assert!(m.threshold.iter().all(|t| t.is_finite()));
    }

    #[test]
    fn features_mark_what_a_negator_reaches_and_pair_words_in_a_clause() {
        let f = features("im not going to hurt myself. ok");
        assert!(f.contains(&"!hurt".to_string()));
        assert!(f.contains(&"!going".to_string()));
        assert!(f.contains(&"myself".to_string()));
        assert!(f.contains(&"hurt myself".to_string()));
        assert!(!f.iter().any(|x| x == "myself ok"));
    }

    #[test]
    fn a_broken_file_is_an_error_not_a_panic() {
        assert!(Model::parse("bias x y").is_err());
        assert!(Model::parse("a\tb").is_err());
    }
}
