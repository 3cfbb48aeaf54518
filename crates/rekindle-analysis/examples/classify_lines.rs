//! Print the classification of each line of stdin (for looking at rules).
use std::io::BufRead;

fn main() {
    let lex = rekindle_analysis::Lexicons::built_in();
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let c = rekindle_analysis::classify(&line, &lex);
        let h: Vec<&str> = c.horsemen.iter().map(|h| h.as_str()).collect();
        let p: Vec<&str> = c.pressure.iter().map(|p| p.as_str()).collect();
        println!(
            "{line}\t{:.3}\t{:?}\t{:?}\trepair={} negative={}",
            c.sentiment.compound, h, p, c.repair, c.negative
        );
    }
}
