//! The learned half of `pressure` (README "Pressure", "The learned layer").
//!
//! Phrase rules find the pressure they were written for and miss new
//! phrasings (held-out sentences: 57 % of pressuring sentences found). This
//! layer reads the words and word pairs of the whole message with one
//! logistic regression per kind, trained on the project's own labelled
//! sentences (`examples/train_pressure.rs`, data/models/pressure.tsv), and
//! adds the kinds it is confident of to the kinds the rules found. It only
//! ever adds: everything the rules decide (negation, quotes, softening) stays.
//! It runs in [`crate::classify`] (the CLI's `classify`, the letter check),
//! not in the analysis of whole chats, which does not report pressure.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::classify::Pressure;
use crate::learned::{NEGATED, NEGATION_SCOPE, is_negator};

const KINDS: usize = Pressure::ALL.len();
/// Columns of the model file: one per kind, then [`ANY`].
const COLS: usize = KINDS + 1;
/// The column of the head that reads "some pressure, whatever its kind"
/// (session 14): soft pressure shares its words across kinds ("just", "at
/// least", "still no reply", "so you kind of have to"), and one head trained
/// on every pressuring line sees more of them than each kind's own.
const ANY: usize = KINDS;

pub(crate) const MODEL_TEXT: &str = include_str!("../../../data/models/pressure.tsv");

/// Per-kind weights of one feature, in the order of [`Pressure::ALL`], then
/// the weight of the [`ANY`] head.
type Row = [f32; COLS];

#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct PressureModel {
    bias: Row,
    threshold: Row,
    weights: HashMap<Box<str>, Row>,
}

/// The features of normalized text (`text::normalize`): each word, "!word"
/// for a word up to [`NEGATION_SCOPE`] words after a negator (as the
/// `negative` layer reads them), and each pair of neighbouring words "a b".
/// Pairs carry what single words cannot ("come over", "owe me", "or else").
#[doc(hidden)]
pub fn features(norm: &str, out: &mut Vec<String>) {
    out.clear();
    let mut scope = 0;
    let mut prev: Option<&str> = None;
    for w in norm.split(' ').filter(|w| !w.is_empty()) {
        if is_negator(w.as_bytes()) {
            scope = NEGATION_SCOPE;
            out.push(w.to_string());
        } else if scope > 0 {
            scope -= 1;
            out.push(format!("{NEGATED}{w}"));
        } else {
            out.push(w.to_string());
        }
        if let Some(p) = prev {
            out.push(format!("{p} {w}"));
        }
        prev = Some(w);
    }
}

/// Kinds whose content is the reader.
fn about_the_reader(p: Pressure) -> bool {
    matches!(
        p,
        Pressure::Surveillance
            | Pressure::ShowingUp
            | Pressure::Entitlement
            | Pressure::Threat
            | Pressure::Guilt
    )
}

/// A word for the reader of the message (also the horsemen layer's).
#[doc(hidden)]
pub fn is_reader(w: &str) -> bool {
    matches!(
        w,
        "you"
            | "your"
            | "yours"
            | "you're"
            | "youre"
            | "you've"
            | "you'll"
            | "you'd"
            | "yourself"
            | "u"
            | "ur"
            | "ya"
            | "yall"
            | "y'all"
    )
}

fn row(fields: &[&str], line: usize) -> Result<Row, String> {
    if fields.len() != COLS {
        return Err(format!(
            "pressure model line {line}: {} numbers, expected {COLS}",
            fields.len()
        ));
    }
    let mut r = [0.0; COLS];
    for (o, f) in r.iter_mut().zip(fields) {
        *o = f
            .parse()
            .map_err(|_| format!("pressure model line {line}: bad number {f:?}"))?;
    }
    Ok(r)
}

impl PressureModel {
    /// Reads the model file: `bias`, `threshold` and feature lines, each a
    /// key and one number per kind, tab-separated; `#` lines are comments.
    pub fn parse(text: &str) -> Result<PressureModel, String> {
        let mut bias = None;
        let mut threshold = None;
        let mut weights = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split('\t');
            let key = fields.next().unwrap_or_default();
            let rest: Vec<&str> = fields.collect();
            let r = row(&rest, n + 1)?;
            match key {
                "@bias" => bias = Some(r),
                "@threshold" => threshold = Some(r),
                k => {
                    weights.insert(k.into(), r);
                }
            }
        }
        Ok(PressureModel {
            bias: bias.ok_or("pressure model: no @bias line")?,
            threshold: threshold.ok_or("pressure model: no @threshold line")?,
            weights,
        })
    }

    /// Each kind's margin (log-odds) for the features.
    pub fn margins(&self, feats: &[String]) -> Row {
        let mut m = self.bias;
        for f in feats {
            if let Some(w) = self.weights.get(f.as_str()) {
                for (o, x) in m.iter_mut().zip(w) {
                    *o += x;
                }
            }
        }
        m
    }

    /// Bits of [`Pressure::bit`] for the kinds whose margin reaches its
    /// threshold. The kinds that say something about the reader (their
    /// whereabouts, their place, what they owe, harm to them, their fault)
    /// need a word for them ("you", "your", "u", ...): "People who know me
    /// have confirmed 1 of these milestones" is no surveillance. Pleas,
    /// refusing a no, deadlines and self-harm often leave the reader implicit
    /// ("one more chance, please", "not giving up on us"). When no kind
    /// reaches its threshold but the [`ANY`] head does, in a message with a
    /// word for the reader, it reports the kind nearest its own threshold.
    pub fn kinds(&self, norm: &str) -> u16 {
        let mut feats = Vec::new();
        features(norm, &mut feats);
        let m = self.margins(&feats);
        let to_reader = norm.split(' ').any(is_reader);
        let allowed = || {
            Pressure::ALL
                .iter()
                .enumerate()
                .filter(move |(_, p)| to_reader || !about_the_reader(**p))
        };
        let bits = allowed()
            .filter(|&(k, _)| m[k] >= self.threshold[k])
            .fold(0, |bits, (_, p)| bits | p.bit());
        // The any head reads softer pressure than the kinds' heads, so it
        // asks for a word for the reader whatever the kind: pressure is put
        // on someone ("People who know me have confirmed 1 of these
        // milestones" is none).
        if bits != 0 || m[ANY] < self.threshold[ANY] || !to_reader {
            return bits;
        }
        allowed()
            .max_by(|&(a, _), &(b, _)| {
                (m[a] - self.threshold[a]).total_cmp(&(m[b] - self.threshold[b]))
            })
            .map_or(0, |(_, p)| p.bit())
    }
}

/// The shipped model, parsed once; `None` if the file does not parse (a unit
/// test makes sure it does), and then only the rules decide.
pub(crate) fn model() -> Option<&'static PressureModel> {
    static MODEL: OnceLock<Option<PressureModel>> = OnceLock::new();
    MODEL
        .get_or_init(|| PressureModel::parse(MODEL_TEXT).ok())
        .as_ref()
}

/// The shipped model (for the trainer's and the evaluation's reports).
#[doc(hidden)]
pub fn shipped() -> Result<PressureModel, String> {
    PressureModel::parse(MODEL_TEXT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_parses() {
        let m = shipped().expect("data/models/pressure.tsv parses");
        assert!(m.weights.len() > 100);
    }

    #[test]
    fn features_are_words_negated_words_and_pairs() {
        let mut f = Vec::new();
        features("i won't come over", &mut f);
        assert_eq!(
            f,
            [
                "i",
                "won't",
                "i won't",
                "!come",
                "won't come",
                "!over",
                "come over"
            ]
        );
    }

    #[test]
    fn pressure_is_aimed_at_the_reader() {
        let m = shipped().expect("parses");
        let line =
            crate::text::normalize("People who know me have confirmed 1 of these milestones.");
        assert_eq!(m.kinds(&line), 0);
        let line = crate::text::normalize("saw your car at his place again btw");
        assert_ne!(m.kinds(&line), 0);
    }

    #[test]
    fn the_any_head_reports_the_kind_nearest_its_threshold() {
        // Columns: begging guilt threat ultimatum entitlement showing_up
        // surveillance self_harm_leverage persistence, then ANY.
        let m = PressureModel::parse(
            "@bias\t-5\t-5\t-5\t-5\t-5\t-5\t-5\t-5\t-5\t-7\n\
             @threshold\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\n\
             lunch\t0\t3\t2\t1\t0\t0\t4\t0\t0\t6\n\
             booked\t0\t0\t0\t0\t0\t0\t0\t0\t0\t3\n",
        )
        .expect("parses");
        // The ANY head alone (-7 + 6 + 3 >= 0) reports the kind nearest its
        // threshold (surveillance), in a message with a word for the reader only.
        assert_eq!(
            m.kinds("booked lunch for you"),
            Pressure::Surveillance.bit()
        );
        assert_eq!(m.kinds("booked lunch"), 0);
        // Below the ANY head's threshold (-7 + 6): nothing.
        assert_eq!(m.kinds("lunch"), 0);
    }

    #[test]
    fn a_bad_model_file_is_an_error_not_a_panic() {
        assert!(PressureModel::parse("@bias\t1\n").is_err());
        assert!(PressureModel::parse("word\tx\t0\t0\t0\t0\t0\t0\t0\t0\t0\n").is_err());
        // A model without the ANY column (nine numbers) is refused.
        assert!(
            PressureModel::parse(
                "@bias\t0\t0\t0\t0\t0\t0\t0\t0\t0\n@threshold\t0\t0\t0\t0\t0\t0\t0\t0\t0\n"
            )
            .is_err()
        );
        assert!(PressureModel::parse("# nothing\n").is_err());
    }
}
