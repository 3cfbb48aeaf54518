//! Optional redaction of third parties' contact details on import
//! (security.md item 62): phone numbers and e-mail addresses in message text,
//! in sender names, in the chat's title and in the excerpts of lines that
//! could not be read are replaced before storing, so the vault keeps only what
//! the person needs.
//!
//! What counts as a phone number: a run of 7 or more digits, however long,
//! that may be split by spaces, dots, dashes, slashes, brackets and a leading
//! `+` (so numbers written side by side, or glued to words, go too). What is
//! kept: dates written with dots, slashes or dashes (`12.03.2024`,
//! `2024-03-12`), year and clock-time ranges (`2019-2024`, `21.30-22.45`),
//! clock times and anything with fewer than 7 digits. A false positive costs a
//! reference number; a miss costs someone's privacy.

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

/// The value of a decimal digit: ASCII, full-width and the Arabic-Indic,
/// Persian, Devanagari and Bengali digits people type phone numbers in.
fn digit(c: char) -> Option<u32> {
    let zero = match c {
        '0'..='9' => '0',
        '\u{ff10}'..='\u{ff19}' => '\u{ff10}',
        '\u{0660}'..='\u{0669}' => '\u{0660}',
        '\u{06f0}'..='\u{06f9}' => '\u{06f0}',
        '\u{0966}'..='\u{096f}' => '\u{0966}',
        '\u{09e6}'..='\u{09ef}' => '\u{09e6}',
        _ => return None,
    };
    Some(c as u32 - zero as u32)
}

fn is_digit(c: char) -> bool {
    digit(c).is_some()
}

/// Spaces (also the non-breaking and thin ones).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{2007}' | '\u{2009}' | '\u{202f}')
}

/// What may stand between the digits of one phone number.
fn is_separator(c: char) -> bool {
    is_space(c)
        || matches!(
            c,
            '-' | '.'
                | '('
                | ')'
                | '+'
                | '/'
                | '\u{2010}'
                | '\u{2011}'
                | '\u{2012}'
                | '\u{2013}'
                | '\u{ff0b}'
        )
}

/// Replaces e-mail addresses and phone numbers with [`EMAIL`] and [`PHONE`].
/// Returns the text unchanged (borrowed) when there is nothing to redact.
pub fn redact(text: &str) -> Cow<'_, str> {
    redact_with(text, &|_| PHONE.to_string())
}

/// [`redact`] for a name (a sender, a chat's title): a phone number becomes
/// "[phone number ABC]", where the three letters come from the number's
/// digits, so two people known only by their numbers stay apart (the same
/// number always gets the same letters) while the number itself is gone.
pub fn redact_name(name: &str) -> Cow<'_, str> {
    redact_with(name, &|digits| format!("[phone number {}]", tag(digits)))
}

/// Three letters from a digit string (FNV-1a; 17,576 values, so they tell a
/// handful of numbers apart without saying which number it was).
fn tag(digits: &[u32]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for d in digits {
        h ^= u64::from(*d);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (0..3)
        .map(|i| {
            let n = (h >> (i * 16)) % 26;
            char::from(b'A' + n as u8)
        })
        .collect()
}

fn redact_with<'a>(text: &'a str, phone: &dyn Fn(&[u32]) -> String) -> Cow<'a, str> {
    if text.is_ascii() && !text.bytes().any(|b| b == b'@' || b.is_ascii_digit()) {
        return Cow::Borrowed(text);
    }
    let after_emails = redact_emails(text);
    let after_phones = redact_phones(&after_emails, phone);
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

/// Whether a number group starts at `i`: a digit, or `+`/`(` (possibly
/// several, possibly with a space) right before one.
fn group_starts(chars: &[char], i: usize) -> bool {
    if is_digit(chars[i]) {
        return true;
    }
    if !matches!(chars[i], '+' | '(' | '\u{ff0b}') {
        return false;
    }
    chars[i + 1..]
        .iter()
        .take(3)
        .find(|c| !matches!(c, '+' | '(' | ' ' | '\u{ff0b}'))
        .is_some_and(|c| is_digit(*c))
}

fn redact_phones(text: &str, phone: &dyn Fn(&[u32]) -> String) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !group_starts(&chars, i) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The group: digits and separators, up to its last digit. Any run
        // counts, even glued to letters.
        let mut end = i;
        let mut last_digit_end = i;
        while end < chars.len() && (is_digit(chars[end]) || is_separator(chars[end])) {
            if is_digit(chars[end]) {
                last_digit_end = end + 1;
            }
            end += 1;
        }
        let group = &chars[i..last_digit_end];
        redact_group(group, phone, &mut out);
        i = last_digit_end;
    }
    out
}

/// Redacts the phone numbers of one group of digits and separators, keeping
/// dates and ranges that only look long.
fn redact_group(group: &[char], phone: &dyn Fn(&[u32]) -> String, out: &mut String) {
    let digits = |s: &[char]| s.iter().filter_map(|c| digit(*c)).collect::<Vec<u32>>();
    if digits(group).len() < MIN_PHONE_DIGITS || is_range(group) {
        out.extend(group);
        return;
    }
    // Split at spaces into parts; a date is kept and cuts the group, the
    // parts between dates are one number (side-by-side numbers too).
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut j = 0;
    while j < group.len() {
        if is_space(group[j]) {
            j += 1;
            continue;
        }
        let k = group[j..]
            .iter()
            .position(|c| is_space(*c))
            .map_or(group.len(), |p| j + p);
        parts.push((j, k));
        j = k;
    }
    let mut copied = 0;
    let mut run: Option<(usize, usize)> = None;
    let finish = |run: (usize, usize), copied: &mut usize, out: &mut String| {
        out.extend(&group[*copied..run.0]);
        let d = digits(&group[run.0..run.1]);
        if d.len() >= MIN_PHONE_DIGITS {
            out.push_str(&phone(&d));
        } else {
            out.extend(&group[run.0..run.1]);
        }
        *copied = run.1;
    };
    for (a, b) in parts {
        if is_date(&group[a..b]) {
            if let Some(r) = run.take() {
                finish(r, &mut copied, out);
            }
        } else {
            run = Some(run.map_or((a, b), |(s, _)| (s, b)));
        }
    }
    if let Some(r) = run {
        finish(r, &mut copied, out);
    }
    out.extend(&group[copied..]);
}

/// The digit groups of `part` split by `sep`, when every piece is digits.
fn pieces(part: &[char], sep: char) -> Option<Vec<Vec<u32>>> {
    part.split(|c| *c == sep)
        .map(|p| {
            let d: Vec<u32> = p.iter().filter_map(|c| digit(*c)).collect();
            (!d.is_empty() && d.len() == p.len()).then_some(d)
        })
        .collect()
}

fn value(d: &[u32]) -> u32 {
    d.iter()
        .fold(0, |n, x| n.saturating_mul(10).saturating_add(*x))
}

/// A date: day, month and year (either order of day and month; a 2- or
/// 4-digit year) or year, month and day, split by one kind of `.`, `/` or `-`.
fn is_date(part: &[char]) -> bool {
    ['.', '/', '-'].iter().any(|sep| {
        let Some(p) = pieces(part, *sep) else {
            return false;
        };
        if p.len() != 3 {
            return false;
        }
        let (a, b, c) = (&p[0], &p[1], &p[2]);
        let small = |d: &[u32], max: u32| d.len() <= 2 && (1..=max).contains(&value(d));
        let long_year = |d: &[u32]| d.len() == 4 && (1900..=2100).contains(&value(d));
        let year = |d: &[u32]| long_year(d) || d.len() == 2;
        (small(a, 31) && small(b, 12) && year(c))
            || (small(a, 12) && small(b, 31) && year(c))
            || (long_year(a) && small(b, 12) && small(c, 31))
    })
}

/// A whole group that is a range of years (`2019-2024`, `2019 – 2024`) or of
/// clock times (`21.30-22.45`).
fn is_range(group: &[char]) -> bool {
    let squeezed: Vec<char> = group.iter().copied().filter(|c| !is_space(*c)).collect();
    let Some(dash) = squeezed
        .iter()
        .position(|c| matches!(c, '-' | '\u{2012}' | '\u{2013}'))
    else {
        return false;
    };
    let (a, b) = (&squeezed[..dash], &squeezed[dash + 1..]);
    let year = |p: &[char]| {
        pieces(p, '.').is_some_and(|d| {
            d.len() == 1 && d[0].len() == 4 && {
                let y = value(&d[0]);
                (1900..=2100).contains(&y)
            }
        })
    };
    let clock = |p: &[char]| {
        pieces(p, '.').is_some_and(|d| {
            d.len() == 2
                && d[0].len() <= 2
                && d[1].len() == 2
                && value(&d[0]) <= 24
                && value(&d[1]) <= 59
        })
    };
    (year(a) && year(b)) || (clock(a) && clock(b))
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
            "on 12.03.2024 at 21:30",
            "on 12.03.2024 21.30",
            "12/03/2024, 21:05",
            "2024-03-12",
            "3/12/24 and 12.3.24",
            "from 2019-2024",
            "2019 – 2024 were hard",
            "open 21.30-22.45",
            "3 kids, 2 cats and 1 dog",
            "I waited 45 minutes, 3 times",
            "12.03.2024 - 15.03.2024",
        ] {
            assert_eq!(redact(keep), keep);
        }
    }

    #[test]
    fn side_by_side_long_and_separated_numbers_are_replaced() {
        for (text, want) in [
            (
                "0176123456 0176987654",
                "[phone number]", // one run of 20 digits: nothing survives
            ),
            ("card 4111111111111111111 ok", "card [phone number] ok"),
            ("+49 (0) 176-1234.5678", "[phone number]"),
            ("+44\u{a0}7700\u{a0}900123", "[phone number]"),
            ("tel:+44 7700 900123", "tel:[phone number]"),
            ("ref12345678abc", "ref[phone number]abc"),
            ("(+33) 6 12 34 56 78!", "[phone number]!"),
            (
                "\u{ff10}\u{ff11}\u{ff17}\u{ff16}\u{ff11}\u{ff12}\u{ff13}\u{ff14}",
                PHONE,
            ),
            ("on 12.03.2024 0176 1234567", "on 12.03.2024 [phone number]"),
            ("0176 1234567 12.03.2024", "[phone number] 12.03.2024"),
        ] {
            assert_eq!(redact(text), want, "{text:?}");
        }
    }

    #[test]
    fn names_that_are_numbers_get_letters_that_tell_them_apart() {
        let a = redact_name("+44 7700 900123");
        let b = redact_name("+44 7700 900124");
        assert!(a.starts_with("[phone number ") && a.ends_with(']'), "{a}");
        assert!(!a.chars().any(|c| c.is_ascii_digit()), "{a}");
        assert_ne!(a, b);
        assert_eq!(
            redact_name("+44 7700 900123"),
            a,
            "the same number, the same name"
        );
        assert_eq!(redact_name("Sam"), "Sam");
        assert_eq!(redact_name("Sam 2"), "Sam 2");
    }

    /// A phone number as people write it: international (`+CC ...`, with or
    /// without `(0)`), national (`0...`, maybe in brackets), split into
    /// chunks by one kind of separator; 7 to 15 digits.
    fn phone_form(d: &[u32], style: u8, chunk: usize, sep: &str) -> String {
        let s = |d: &[u32]| d.iter().map(|x| x.to_string()).collect::<String>();
        let chunks = |d: &[u32]| d.chunks(chunk).map(s).collect::<Vec<_>>().join(sep);
        match style {
            0 => format!("+{} {}", s(&d[..2]), chunks(&d[2..])),
            1 => format!("0{}{sep}{}", s(&d[..3]), chunks(&d[3..])),
            2 => format!("(0{}) {}", s(&d[..3]), chunks(&d[3..])),
            3 => format!("+{} (0) {}", s(&d[..2]), chunks(&d[2..])),
            _ => format!("(+{}) {}", s(&d[..2]), chunks(&d[2..])),
        }
    }

    fn phone() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        (
            proptest::collection::vec(0u32..10, 7..=14),
            0u8..5,
            2usize..=4,
            proptest::sample::select(vec![" ", "-", ".", "/", "\u{a0}", " - "]),
        )
            .prop_map(|(d, style, chunk, sep)| phone_form(&d, style, chunk, sep))
    }

    /// What must be redacted: a phone number, two side by side, a long run.
    fn secret() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            phone(),
            (phone(), phone()).prop_map(|(a, b)| format!("{a} {b}")),
            proptest::collection::vec(0u32..10, 16..=30)
                .prop_map(|d| d.iter().map(|x| x.to_string()).collect()),
        ]
    }

    /// What must be kept: dates, clock times, year ranges, counts, words.
    fn ordinary() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            (1u32..=28, 1u32..=12, 1990u32..2040)
                .prop_map(|(d, m, y)| format!("{d:02}.{m:02}.{y}")),
            (1u32..=28, 1u32..=12, 1990u32..2040).prop_map(|(d, m, y)| format!("{d}/{m}/{y}")),
            (1u32..=28, 1u32..=12, 1990u32..2040)
                .prop_map(|(d, m, y)| format!("{y}-{m:02}-{d:02}")),
            (0u32..24, 0u32..60).prop_map(|(h, m)| format!("{h:02}:{m:02}")),
            (0u32..24, 0u32..60).prop_map(|(h, m)| format!("{h}.{m:02}")),
            (1950u32..2030, 0u32..10).prop_map(|(a, n)| format!("{a}-{}", a + n)),
            (0u32..1_000_000).prop_map(|n| n.to_string()),
            proptest::sample::select(vec!["hello", "see you", "at", "x"]).prop_map(str::to_string),
        ]
    }

    fn digits_of(s: &str) -> String {
        s.chars()
            .filter_map(digit)
            .map(|d| char::from(b'0' + d as u8))
            .collect()
    }

    /// A date-shaped chunk inside a number is read as a date (the documented
    /// exception), so such numbers are not generated.
    fn has_date_part(s: &str) -> bool {
        s.split(is_space)
            .any(|p| is_date(&p.chars().collect::<Vec<_>>()))
    }

    proptest::proptest! {
        #[test]
        fn generated_numbers_go_and_dates_times_and_counts_stay(
            pieces in proptest::collection::vec(
                (proptest::bool::ANY, secret(), ordinary()), 1..6),
            joins in proptest::collection::vec(
                proptest::sample::select(vec![" and ", ", ", "; ", " — ", "\n"]), 6),
        ) {
            let mut text = String::new();
            let mut want = String::new();
            for (n, (is_secret, secret, plain)) in pieces.iter().enumerate() {
                proptest::prop_assume!(!has_date_part(secret));
                if n > 0 {
                    text.push_str(joins[n]);
                    want.push_str(joins[n]);
                }
                if *is_secret {
                    text.push_str(secret);
                    want.push_str(PHONE);
                } else {
                    text.push_str(plain);
                    want.push_str(plain);
                }
            }
            let got = redact(&text);
            proptest::prop_assert_eq!(&got, &want, "from {:?}", text);
            for (is_secret, secret, _) in &pieces {
                if *is_secret {
                    proptest::prop_assert!(!digits_of(&got).contains(&digits_of(secret)));
                }
            }
        }

        #[test]
        fn names_that_hold_a_number_keep_none_of_its_digits(number in phone()) {
            proptest::prop_assume!(!has_date_part(&number));
            let name = redact_name(&number);
            proptest::prop_assert!(digits_of(&name).is_empty(), "{number:?} -> {name:?}");
        }

        #[test]
        fn redacting_twice_changes_nothing_more(s in "[a-z0-9 @.+()/-]{0,80}") {
            let once = redact(&s).into_owned();
            proptest::prop_assert_eq!(redact(&once), once.as_str());
        }
    }
}
