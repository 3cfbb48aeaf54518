//! How common negative messages are in one chat, and the threshold that goes
//! with it.
//!
//! The learned layer's margin becomes a probability by Platt scaling
//! ([`Calibration`]), calibrated to its training data, where a known share of
//! texts is negative. The threshold with the best F1 depends on how common
//! negative messages are where it is used, and chats differ: a calm one may
//! have 1 % negative messages, a chat that ended in fights far more. So each
//! chat's share is estimated from the chat's own margins, without labels, by
//! EM (Saerens, Latinne & Decaestecker 2002, "Adjusting the outputs of a
//! classifier to new a priori probabilities"), with a Beta prior worth
//! [`PRIOR_WEIGHT`] messages at [`DEFAULT_SHARE`] so that a short chat (or one
//! line) stays near the default. The trainer writes the threshold for each
//! share of [`GRID`] (probability at that share ≥ F*/2, Lipton et al. 2014;
//! see examples/train.rs); a chat uses the grid share nearest its estimate.

/// Shares of negative messages the model has a threshold for.
pub const GRID: [f64; 15] = [
    0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.065, 0.08, 0.10, 0.13, 0.16, 0.20, 0.25, 0.32, 0.40,
];

/// The share assumed when there is nothing to go on (everyday chat).
pub const DEFAULT_SHARE: f64 = 0.05;

/// Index of [`DEFAULT_SHARE`] in [`GRID`].
pub const DEFAULT_INDEX: usize = 5;

/// How many messages' worth of belief in [`DEFAULT_SHARE`] the estimate starts from.
pub const PRIOR_WEIGHT: f64 = 100.0;

/// Histogram bins per unit of margin, and the margin range covered.
const BINS_PER_UNIT: f32 = 32.0;
const RANGE: f32 = 16.0;
const BINS: usize = (2.0 * RANGE * BINS_PER_UNIT) as usize;

/// A message without a learned margin (empty text, no model).
pub const NO_BIN: u16 = u16::MAX;

/// The learned margins of one chat, in bins of 1/32.
#[derive(Debug, Clone, PartialEq)]
pub struct MarginHistogram {
    counts: Vec<u32>,
}

impl Default for MarginHistogram {
    fn default() -> Self {
        MarginHistogram {
            counts: vec![0; BINS],
        }
    }
}

impl MarginHistogram {
    /// The bin of a margin (margins beyond ±16 go to the end bins).
    pub fn bin(margin: f32) -> u16 {
        if margin.is_nan() {
            return NO_BIN;
        }
        let x = ((margin + RANGE) * BINS_PER_UNIT).floor();
        x.clamp(0.0, (BINS - 1) as f32) as u16
    }

    /// Count one message by its bin (from [`MarginHistogram::bin`]); [`NO_BIN`] is skipped.
    pub fn add_bin(&mut self, bin: u16) {
        if let Some(c) = self.counts.get_mut(usize::from(bin)) {
            *c += 1;
        }
    }

    /// Count one message by its margin.
    pub fn add(&mut self, margin: f32) {
        self.add_bin(MarginHistogram::bin(margin));
    }

    /// Messages counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum()
    }

    fn center(bin: usize) -> f64 {
        (bin as f64 + 0.5) / f64::from(BINS_PER_UNIT) - f64::from(RANGE)
    }
}

/// How a learned margin becomes a probability: `sigmoid(a * margin + b)` is
/// calibrated (Platt scaling, fitted by the trainer on out-of-fold margins) for
/// texts of which `share` are negative.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    pub share: f64,
    pub a: f64,
    pub b: f64,
}

impl Calibration {
    /// The probability that a message with this margin is negative, at the training share.
    pub fn probability(&self, margin: f64) -> f64 {
        1.0 / (1.0 + (-(self.a * margin + self.b)).exp())
    }
}

/// The EM estimate of the share of negative messages, clamped to the grid.
pub fn estimate_share(hist: &MarginHistogram, calibration: &Calibration) -> f64 {
    let s = calibration.share.clamp(1e-3, 1.0 - 1e-3);
    let n = hist.total() as f64;
    let probs: Vec<(f64, f64)> = hist
        .counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(bin, &c)| {
            (
                f64::from(c),
                calibration.probability(MarginHistogram::center(bin)),
            )
        })
        .collect();
    let mut share = DEFAULT_SHARE;
    for _ in 0..1000 {
        let (a, b) = (share / s, (1.0 - share) / (1.0 - s));
        let expected: f64 = probs
            .iter()
            .map(|&(c, p)| c * a * p / (a * p + b * (1.0 - p)))
            .sum();
        let next = (expected + PRIOR_WEIGHT * DEFAULT_SHARE) / (n + PRIOR_WEIGHT);
        let done = (next - share).abs() < 1e-9;
        share = next;
        if done {
            break;
        }
    }
    share.clamp(GRID[0], GRID[GRID.len() - 1])
}

/// The index of the grid share nearest to `share` (on a log scale).
pub fn grid_index(share: f64) -> usize {
    let l = share.max(1e-6).ln();
    let mut best = (f64::INFINITY, DEFAULT_INDEX);
    for (i, g) in GRID.iter().enumerate() {
        let d = (g.ln() - l).abs();
        if d < best.0 {
            best = (d, i);
        }
    }
    best.1
}

/// Whether a message at `level` (how many grid thresholds its margin reaches,
/// see `learned::Model::level`) is negative at grid share `index`.
pub fn negative_at(level: u8, index: usize) -> bool {
    usize::from(level) + index >= GRID.len()
}

/// The decision in a chat read at grid share `index`, with VADER agreement:
/// a message that reaches at least the lowest threshold (`level > 0`) and that
/// plain VADER calls negative is judged `steps` grid shares higher (beyond the
/// grid: at its highest share), but only in a chat read at [`DEFAULT_SHARE`]
/// or more. The agreement stands for negatives the learned words miss on text
/// unlike their training data (spoken lines, where the chat's share is also
/// underestimated); a chat estimated calmer than the default is left to the
/// learned reading, so a mild line in a calm chat stays unflagged.
#[inline]
pub fn negative_in_chat(level: u8, vader_negative: bool, index: usize, steps: u8) -> bool {
    let boost = vader_negative && level > 0 && index >= DEFAULT_INDEX;
    let level = if boost {
        level.saturating_add(steps)
    } else {
        level
    };
    negative_at(level, index)
}

/// The grid share at which a message read alone is judged (20 %).
///
/// One line gives nothing to estimate a share from, and the share that suits
/// calm talk (2-5 % negative) loses most heated lines, while the one that
/// suits a heated exchange (20-30 %) flags calm talk's mild words. Judged over
/// written and spoken tuning sets at their own shares and resampled to 2-40 %,
/// the 20 % share with VADER's agreement weighed by how sure VADER is has the
/// least bad worst case (QUALITY_LOG.md, session 25, variant AM).
pub const ALONE_INDEX: usize = 11;

/// Plain VADER's compound at or below which it is clearly negative.
pub const VADER_CLEAR: f64 = -0.4;

/// Plain VADER's threshold for a negative message.
pub const VADER_NEGATIVE: f64 = -0.05;

/// The decision for a message read alone (`rekindle classify` without
/// `--as-chat`): at [`ALONE_INDEX`], a message whose margin reaches the lowest
/// threshold (`level > 0`) is judged 3 grid shares higher when plain VADER is
/// clearly negative and 1 higher when it is mildly negative. A mild VADER
/// negative is mostly calm talk's "no", "sorry" or "problem"; counting it in
/// full would turn those into negatives at this share.
#[inline]
pub fn negative_alone(level: u8, compound: f64) -> bool {
    let steps = match level {
        0 => 0,
        _ if compound <= VADER_CLEAR => 3,
        _ if compound <= VADER_NEGATIVE => 1,
        _ => 0,
    };
    negative_at(level.saturating_add(steps), ALONE_INDEX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sigmoid_inv(p: f64) -> f32 {
        (p / (1.0 - p)).ln() as f32
    }

    fn plain(share: f64) -> Calibration {
        Calibration {
            share,
            a: 1.0,
            b: 0.0,
        }
    }

    #[test]
    fn a_line_alone_weighs_vaders_agreement_by_how_sure_vader_is() {
        assert_eq!(GRID[ALONE_INDEX], 0.20);
        let need = (GRID.len() - ALONE_INDEX) as u8;
        // Without VADER: the 20 % share's own threshold.
        assert!(negative_alone(need, 0.3));
        assert!(!negative_alone(need - 1, 0.3));
        // Mildly negative VADER: one share higher.
        assert!(negative_alone(need - 1, -0.1));
        assert!(!negative_alone(need - 2, -0.1));
        // Clearly negative VADER: three shares higher, so any level counts here.
        assert!(negative_alone(1, -0.6));
        assert!(negative_alone(need - 3, VADER_CLEAR));
        // Below the lowest threshold (or a repair, level 0) VADER alone never decides.
        assert!(!negative_alone(0, -0.95));
        // Beyond the grid the decision saturates.
        assert!(negative_alone(u8::MAX, -0.9));
    }

    #[test]
    fn no_messages_means_the_default() {
        let h = MarginHistogram::default();
        assert!((estimate_share(&h, &plain(0.23)) - DEFAULT_SHARE).abs() < 1e-9);
        assert_eq!(grid_index(DEFAULT_SHARE), DEFAULT_INDEX);
    }

    #[test]
    fn em_finds_the_share_of_a_calibrated_chat() {
        // A chat whose messages are either clearly negative (p = 0.9 under the
        // training share) or clearly not (p = 0.02), 30 % of them negative.
        let s = 0.23;
        let mut h = MarginHistogram::default();
        for i in 0..10_000 {
            h.add(sigmoid_inv(if i % 10 < 3 { 0.97 } else { 0.01 }));
        }
        let share = estimate_share(&h, &plain(s));
        assert!((0.25..0.36).contains(&share), "{share}");
        // A calm chat: hardly anything looks negative.
        let mut calm = MarginHistogram::default();
        for i in 0..10_000 {
            calm.add(sigmoid_inv(if i % 100 == 0 { 0.9 } else { 0.01 }));
        }
        let share = estimate_share(&calm, &plain(s));
        assert!(share < 0.03, "{share}");
        // Platt scaling is applied: margins twice too large for their probability.
        let mut wide = MarginHistogram::default();
        for i in 0..10_000 {
            wide.add(2.0 * sigmoid_inv(if i % 10 < 3 { 0.97 } else { 0.01 }));
        }
        let halved = Calibration {
            share: s,
            a: 0.5,
            b: 0.0,
        };
        let share = estimate_share(&wide, &halved);
        assert!((0.25..0.36).contains(&share), "{share}");
    }

    proptest::proptest! {
        /// More negative-looking messages never lower the estimate, and it stays on the grid.
        #[test]
        fn estimate_is_monotone_and_bounded(
            margins in proptest::collection::vec(-8.0f32..8.0, 0..400),
            shift in 0.0f32..4.0,
        ) {
            let c = plain(0.23);
            let (mut low, mut high) = (MarginHistogram::default(), MarginHistogram::default());
            for &m in &margins {
                low.add(m);
                high.add(m + shift);
            }
            let (a, b) = (estimate_share(&low, &c), estimate_share(&high, &c));
            proptest::prop_assert!(a <= b + 1e-9, "{a} > {b}");
            for x in [a, b] {
                proptest::prop_assert!((GRID[0]..=GRID[GRID.len() - 1]).contains(&x));
            }
        }
    }

    #[test]
    fn a_few_messages_stay_near_the_default() {
        let mut h = MarginHistogram::default();
        h.add(5.0);
        let share = estimate_share(&h, &plain(0.23));
        assert!((0.05..0.07).contains(&share), "{share}");
    }

    #[test]
    fn vader_agreement_only_at_the_default_share_or_above() {
        let steps = 3;
        for index in 0..GRID.len() {
            for level in 0..=GRID.len() as u8 {
                // Without VADER's agreement, or without steps: the plain decision.
                assert_eq!(
                    negative_in_chat(level, false, index, steps),
                    negative_at(level, index)
                );
                assert_eq!(
                    negative_in_chat(level, true, index, 0),
                    negative_at(level, index)
                );
                let agreed = negative_in_chat(level, true, index, steps);
                // At the default share or above: judged `steps` grid shares
                // higher (beyond the grid at its highest share, which any
                // level > 0 reaches).
                let want = if level > 0 && index >= DEFAULT_INDEX {
                    usize::from(level) + index + usize::from(steps) >= GRID.len()
                } else {
                    negative_at(level, index)
                };
                assert_eq!(agreed, want, "level {level} index {index}");
            }
        }
        // At the default share a level three short of the line is negative with VADER.
        let short = (GRID.len() - DEFAULT_INDEX - 3) as u8;
        assert!(!negative_at(short, DEFAULT_INDEX));
        assert!(negative_in_chat(short, true, DEFAULT_INDEX, 3));
        assert!(!negative_in_chat(short, true, DEFAULT_INDEX - 1, 3));
    }

    #[test]
    fn levels_and_indices() {
        assert_eq!(grid_index(0.001), 0);
        assert_eq!(grid_index(0.9), GRID.len() - 1);
        assert_eq!(grid_index(0.021), 2);
        // Level 0 is never negative; the full level always is.
        for i in 0..GRID.len() {
            assert!(!negative_at(0, i));
            assert!(negative_at(GRID.len() as u8, i));
        }
        // A margin reaching only the lowest threshold (highest share) counts at that share only.
        assert!(negative_at(1, GRID.len() - 1));
        assert!(!negative_at(1, GRID.len() - 2));
        assert_eq!(MarginHistogram::bin(f32::NAN), NO_BIN);
        assert_eq!(MarginHistogram::bin(-100.0), 0);
        assert_eq!(usize::from(MarginHistogram::bin(100.0)), BINS - 1);
    }
}
