//! Optional redaction of third parties' contact details on import
//! (security.md item 62): phone numbers and e-mail addresses in message text
//! are replaced before storing, so the vault keeps only what the person needs.

use std::borrow::Cow;

pub const PHONE: &str = "[phone number]";
pub const EMAIL: &str = "[e-mail address]";

/// Minimum digits for a run to count as a phone number (shorter runs are
/// times, amounts, years).
const MIN_PHONE_DIGITS: usize = 7;

fn is_email_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_email_domain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

/// Replaces e-mail addresses and phone numbers. Returns the text unchanged
/// (borrowed) when there is nothing to redact.
pub fn redact(text: &str) -> Cow<'_, str> {
    if !text.bytes().any(|b| b == b'@' || b.is_ascii_digit()) {
        return Cow::Borrowed(text);
    }
    let after_emails = redact_emails(text);
    let after_phones = redact_phones(&after_emails);
    if after_phones == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(after_phones)
    }
}

fn redact_emails(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < chars.len() {
        if chars[i] == '@' {
            let mut start = i;
            while start > 0 && is_email_local(chars[start - 1]) {
                start -= 1;
            }
            let mut end = i + 1;
            while end < chars.len() && is_email_domain(chars[end]) {
                end += 1;
            }
            // Trailing dots belong to the sentence, not the address.
            while end > i + 1 && chars[end - 1] == '.' {
                end -= 1;
            }
            let domain: String = chars[i + 1..end].iter().collect();
            let has_dot = domain.contains('.') && !domain.starts_with('.');
            if start < i && has_dot && start >= copied {
                out.extend(&chars[copied..start]);
                out.push_str(EMAIL);
                copied = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out.extend(&chars[copied.min(chars.len())..]);
    out
}

fn redact_phones(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts = c.is_ascii_digit()
            || ((c == '+' || c == '(') && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()));
        // Any run of 7–15 digits goes, even glued to letters: a false
        // positive costs a reference number, a miss costs someone's privacy.
        if starts {
            let mut end = i;
            let mut digits = 0;
            let mut last_digit_end = i;
            while end < chars.len() {
                let d = chars[end];
                if d.is_ascii_digit() {
                    digits += 1;
                    last_digit_end = end + 1;
                } else if !matches!(d, ' ' | '-' | '.' | '(' | ')' | '+' | '/') {
                    break;
                }
                end += 1;
            }
            if (MIN_PHONE_DIGITS..=15).contains(&digits) {
                out.push_str(PHONE);
                i = last_digit_end;
                continue;
            }
            out.extend(&chars[i..last_digit_end.max(i + 1)]);
            i = last_digit_end.max(i + 1);
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_emails_are_replaced_and_ordinary_numbers_kept() {
        assert_eq!(
            redact("call me on +44 7700 900123 or mail jo.smith+x@mail.example.org."),
            "call me on [phone number] or mail [e-mail address]."
        );
        assert_eq!(redact("(555) 123-4567 tonight"), "[phone number] tonight");
        assert_eq!(redact("0176/12345678"), "[phone number]");
        for keep in [
            "see you at 21:30",
            "it cost 1200 euros",
            "back in 2024",
            "room 12, floor 3",
            "user@localhost",
            "no numbers here",
        ] {
            assert_eq!(redact(keep), keep);
        }
    }

    proptest::proptest! {
        #[test]
        fn redacted_text_has_no_long_digit_runs_or_addresses(s in "[a-z0-9 @.+()-]{0,80}") {
            let r = redact(&s);
            let digits_in_a_row = r.split(|c: char| !(c.is_ascii_digit() || " -.()+/".contains(c)))
                .map(|run| run.chars().filter(char::is_ascii_digit).count())
                .max()
                .unwrap_or(0);
            proptest::prop_assert!(!(MIN_PHONE_DIGITS..=15).contains(&digits_in_a_row), "{s:?} -> {r:?}");
        }
    }
}
