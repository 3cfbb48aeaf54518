//! Temporary: classify each line of a file a few times (for instruction counts).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let texts: Vec<String> = std::fs::read_to_string(&args[1])
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    let lex = rekindle_analysis::Lexicons::built_in();
    let w = rekindle_analysis::Weights::default();
    let mut n = 0usize;
    for t in &texts {
        n += usize::from(rekindle_analysis::negative_with(t, &lex, &w));
    }
    let t0 = std::time::Instant::now();
    for _ in 0..3 {
        for t in &texts {
            n += usize::from(rekindle_analysis::negative_with(t, &lex, &w));
        }
    }
    println!(
        "{n} {:.0} ns/msg",
        t0.elapsed().as_nanos() as f64 / (3 * texts.len()) as f64
    );
}
