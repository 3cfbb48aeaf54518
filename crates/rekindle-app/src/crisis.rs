//! Crisis help wherever words are typed: the one decision both shells ask
//! about every piece of free text a person gives (notes, the letter, reasons,
//! takeaways, confirmations). Each text is read on its own by
//! `rekindle_core::crisis::crisis_signs` (phrases, then a learned layer).

/// True when any of the texts mentions self-harm or danger.
pub fn mentions<'a>(texts: impl IntoIterator<Item = &'a str>) -> bool {
    texts
        .into_iter()
        .any(rekindle_core::safety::mentions_crisis)
}

#[cfg(test)]
mod tests {
    #[test]
    fn any_text_can_raise_it() {
        assert!(super::mentions(["fine today", "honestly I want to die"]));
        assert!(!super::mentions(["fine today", "kept it"]));
        assert!(!super::mentions(std::iter::empty()));
    }
}
