//! Text normalization shared by the lexicons and the classifier.

/// Lowercase; curly apostrophes become `'`; letters, digits and in-word
/// apostrophes form words; each emoji/symbol is a word of its own (variation
/// selectors and joiners dropped); everything else separates words. Words are
/// joined by single spaces.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    normalize_into(text, &mut out);
    out
}

/// [`normalize`] into a buffer (cleared first).
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let c = match c {
            '\u{2019}' | '\u{2018}' | '`' | '\u{00b4}' => '\'',
            _ => c,
        };
        if c.is_alphanumeric() {
            if !in_word && !out.is_empty() {
                out.push(' ');
            }
            for l in c.to_lowercase() {
                out.push(l);
            }
            in_word = true;
        } else if c == '\'' {
            // Keep an apostrophe only between two letters ("don't").
            let next_alpha = chars.peek().is_some_and(|n| n.is_alphanumeric());
            if in_word && next_alpha {
                out.push('\'');
            } else {
                in_word = false;
            }
        } else if is_symbol(c) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push(c);
            in_word = false;
        } else {
            in_word = false;
        }
    }
}

/// Emoji and pictographs worth keeping as words.
fn is_symbol(c: char) -> bool {
    let u = c as u32;
    (0x2600..=0x27BF).contains(&u) || (0x1F300..=0x1FAFF).contains(&u) || u == 0x2764
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn words_apostrophes_emoji() {
        assert_eq!(normalize("Don’t   DO that!!🙄🙄"), "don't do that 🙄 🙄");
        assert_eq!(normalize("'quoted' k."), "quoted k");
        assert_eq!(normalize("❤️ love"), "❤ love");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("...?!"), "");
    }
}
