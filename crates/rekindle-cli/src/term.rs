//! Text for the terminal. Sender names, chat titles and an ally's
//! confirmations come from files and from anyone holding a share link; an
//! escape sequence among them could retitle the window, hide lines or fake
//! output. Every line the CLI prints for a person goes through [`clean`]:
//! control characters (all but newline and tab) and the bidirectional
//! overrides are shown as visible `\u{..}` escapes instead of acting.
//! Machine output (JSON) is unchanged by it: JSON escapes them already.

use std::borrow::Cow;

fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if unsafe_char(c) {
                    format!("\\u{{{:x}}}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn escapes_become_visible_and_plain_text_is_untouched() {
        assert_eq!(clean("Jo (sister)\n\tok"), "Jo (sister)\n\tok");
        assert_eq!(clean("Sam\u{1b}]0;pwned\u{7}"), "Sam\\u{1b}]0;pwned\\u{7}");
        assert_eq!(clean("a\rb\u{9b}c"), "a\\u{d}b\\u{9b}c");
        assert_eq!(clean("\u{202E}evil"), "\\u{202e}evil");
        assert_eq!(clean("Zoë 💬"), "Zoë 💬");
    }
}
