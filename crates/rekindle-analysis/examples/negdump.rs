fn main() {
    let a: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let bytes =
        std::fs::read("crates/rekindle-analysis/tests/data/generated_5000.txt").unwrap_or_default();
    let labels: Vec<bool> =
        std::fs::read_to_string("crates/rekindle-analysis/tests/data/generated_5000.labels")
            .unwrap_or_default()
            .lines()
            .map(|l| l == "1")
            .collect();
    let Ok((msgs, _)) = rekindle_chat::parse_to_vec(&bytes, &Default::default()) else {
        return;
    };
    let lex = rekindle_analysis::Lexicons::built_in();
    for i in a[0]..=a[1] {
        let m = &msgs[i];
        let c = rekindle_analysis::classify(&m.text, &lex);
        println!(
            "{i} {} {} {:?} {} {:.2} {:?} {}",
            labels[i - 1] as u8,
            m.time,
            m.sender.as_deref().unwrap_or("").chars().next(),
            c.negative as u8,
            c.sentiment.compound,
            c.horsemen,
            m.text.replace('\n', " / ")
        );
    }
}
