//! Change points in a monthly series: binary segmentation for a change in mean
//! with a BIC-style penalty.
//!
//! The cost of a segment is its sum of squared deviations from its mean. A
//! segment is split at the point that lowers the total cost most, if the gain
//! exceeds `penalty = 2 · σ² · ln(n)`, where σ² is the noise variance
//! estimated robustly from the first differences
//! (`σ = MAD(diff) / (0.6745 · √2)`); both halves must be at least
//! `min_len` long. Splitting repeats on the halves, at most `max_points` times.

use serde::Serialize;

/// A stretch of the series with its mean (`start` inclusive, `end` exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    pub mean: f64,
}

fn prefix(x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut s = vec![0.0; x.len() + 1];
    let mut q = vec![0.0; x.len() + 1];
    for (i, v) in x.iter().enumerate() {
        s[i + 1] = s[i] + v;
        q[i + 1] = q[i] + v * v;
    }
    (s, q)
}

fn cost(s: &[f64], q: &[f64], a: usize, b: usize) -> f64 {
    let n = (b - a) as f64;
    if n <= 0.0 {
        return 0.0;
    }
    let sum = s[b] - s[a];
    (q[b] - q[a] - sum * sum / n).max(0.0)
}

/// Robust noise variance from first differences.
pub fn noise_variance(x: &[f64]) -> f64 {
    if x.len() < 3 {
        return 0.0;
    }
    let mut d: Vec<f64> = x.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    d.sort_by(f64::total_cmp);
    let mad = d[d.len() / 2];
    let sigma = mad / (0.6745 * std::f64::consts::SQRT_2);
    sigma * sigma
}

/// The default penalty for `x` (see the module docs). Never below a tiny
/// fraction of the series' variance, so a constant series is not split on rounding noise.
pub fn default_penalty(x: &[f64]) -> f64 {
    let n = x.len().max(2) as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    2.0 * noise_variance(x).max(var * 0.01).max(1e-12) * n.ln()
}

/// Change points of `x` (indices where a new segment starts), sorted.
pub fn binary_segmentation(
    x: &[f64],
    min_len: usize,
    penalty: f64,
    max_points: usize,
) -> Vec<usize> {
    let min_len = min_len.max(1);
    if x.len() < 2 * min_len || x.iter().any(|v| !v.is_finite()) {
        return Vec::new();
    }
    let (s, q) = prefix(x);
    let mut segments = vec![(0usize, x.len())];
    let mut points = Vec::new();
    while points.len() < max_points {
        let mut best: Option<(f64, usize, usize)> = None; // (gain, segment index, split)
        for (si, &(a, b)) in segments.iter().enumerate() {
            if b - a < 2 * min_len {
                continue;
            }
            let whole = cost(&s, &q, a, b);
            for k in (a + min_len)..=(b - min_len) {
                let gain = whole - cost(&s, &q, a, k) - cost(&s, &q, k, b);
                if best.is_none_or(|(g, _, _)| gain > g) {
                    best = Some((gain, si, k));
                }
            }
        }
        match best {
            Some((gain, si, k)) if gain > penalty => {
                let (a, b) = segments[si];
                segments[si] = (a, k);
                segments.push((k, b));
                points.push(k);
            }
            _ => break,
        }
    }
    points.sort_unstable();
    points
}

/// Segments between the change points.
pub fn segments(x: &[f64], points: &[usize]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut start = 0;
    for &p in points.iter().chain(std::iter::once(&x.len())) {
        if p > start && p <= x.len() {
            let mean = x[start..p].iter().sum::<f64>() / (p - start) as f64;
            out.push(Segment {
                start,
                end: p,
                mean,
            });
            start = p;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_step() {
        let mut x = vec![10.0, 11.0, 9.0, 10.5, 10.0, 9.5, 10.0, 11.0];
        x.extend([3.0, 2.5, 3.5, 3.0, 2.0, 3.0]);
        let p = binary_segmentation(&x, 2, default_penalty(&x), 3);
        assert_eq!(p, vec![8]);
        let seg = segments(&x, &p);
        assert_eq!(seg.len(), 2);
        assert!(seg[0].mean > 9.0 && seg[1].mean < 4.0);
    }

    #[test]
    fn no_step_in_noise_or_constant() {
        let x = [5.0, 5.2, 4.9, 5.1, 5.0, 4.8, 5.1, 5.0, 4.9, 5.2];
        assert!(binary_segmentation(&x, 2, default_penalty(&x), 3).is_empty());
        let c = [1.0; 12];
        assert!(binary_segmentation(&c, 2, default_penalty(&c), 3).is_empty());
        assert!(binary_segmentation(&[], 2, 1.0, 3).is_empty());
        assert!(binary_segmentation(&[1.0, f64::NAN, 2.0, 3.0], 1, 1.0, 3).is_empty());
    }
}
