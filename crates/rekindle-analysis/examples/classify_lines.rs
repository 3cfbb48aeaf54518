//! Print the classification of each line of stdin (for looking at rules).
use std::io::BufRead;

fn main() {
    let lex = rekindle_analysis::Lexicons::built_in();
    let layer = rekindle_analysis::horsemen_learned::shipped().ok();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let c = rekindle_analysis::classify(&line, &lex);
        let h: Vec<&str> = c.horsemen.iter().map(|h| h.as_str()).collect();
        let p: Vec<&str> = c.pressure.iter().map(|p| p.as_str()).collect();
        let rules = rekindle_analysis::classify_rules_only(&line, &lex);
        let rp: Vec<&str> = rules.pressure.iter().map(|p| p.as_str()).collect();
        // The horsemen layer's margins less their thresholds (>= 0 = flagged
        // where the layer may act).
        let above: Vec<String> = layer
            .as_ref()
            .map(|m| {
                let norm = rekindle_analysis::text::normalize(&line);
                let (ms, ts) = (m.margins(&norm), m.thresholds());
                ms.iter()
                    .zip(ts)
                    .map(|(a, t)| format!("{:+.1}", a - t))
                    .collect()
            })
            .unwrap_or_default();
        println!(
            "{line}\t{:.3}\t{:?}\t{:?} (rules {:?})\trepair={} negative={}\tlayer={}",
            c.sentiment.compound,
            h,
            p,
            rp,
            c.repair,
            c.negative,
            above.join(",")
        );
    }
}
