//! Cost of the danger scan per message (import reads every message):
//! `cargo run --release -p rekindle-analysis --example danger_cost -- FILE`
//! (one message per line). Prints µs per message for `danger::detect` and
//! for `threats::threatens` on every line (no prefilter).
#![allow(clippy::unwrap_used)]
fn main() {
    let file = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Compile the regexes and parse the learned layer before timing.
    rekindle_analysis::danger::detect("warm up the regexes: i will kill you");
    rekindle_analysis::danger::detect("you will pay for this, i promise you that");
    let t = std::time::Instant::now();
    let n = lines
        .iter()
        .filter(|l| rekindle_analysis::danger::detect(l).is_some())
        .count();
    let a = t.elapsed();
    let t = std::time::Instant::now();
    let m = lines
        .iter()
        .filter(|l| {
            rekindle_analysis::threats::threatens(l, &rekindle_analysis::text::normalize(l))
        })
        .count();
    let b = t.elapsed();
    let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / lines.len() as f64;
    println!(
        "{} lines: danger::detect {:.3} µs/msg ({n} flagged); threats::threatens on all {:.3} µs/msg ({m})",
        lines.len(),
        per(a),
        per(b)
    );
}
