//! The honest letter: a draft built from the record, never from tactics.
//! Acknowledgement of the user's part, what changed with the evidence, an
//! invitation with no pressure, and respect for a no.

use serde::{Deserialize, Serialize};

/// What the draft is built from (all of it the user's own record).
#[derive(Debug, Clone, Default)]
pub struct LetterFacts {
    pub their_name: String,
    pub my_name: String,
    /// (problem title, my part) for problems that were mine or shared.
    pub my_parts: Vec<(String, String)>,
    /// (prevention sentence, commitment title, days kept, kept-rate over 30 days in %, lapses).
    pub changes: Vec<(String, String, u32, Option<u32>, u32)>,
    pub confirmations: usize,
    pub record_days: i64,
}

/// Builds the first draft. Plain words, no promises the record cannot back.
pub fn draft(f: &LetterFacts) -> String {
    let mut out = String::new();
    let name = if f.their_name.is_empty() {
        "you".to_string()
    } else {
        f.their_name.clone()
    };
    out.push_str(&format!("Dear {name},\n\n"));
    out.push_str("I'm writing once, and I don't expect anything back. I've spent the time since we broke up looking honestly at what went wrong, and at my part in it.\n\n");
    for (title, part) in &f.my_parts {
        match in_my_own_voice(part) {
            Some(words) => out.push_str(&format!(
                "About {}: {} I'm sorry.\n",
                title.to_lowercase(),
                ensure_period(&words)
            )),
            None => out.push_str(&format!(
                "About {}: I see now that I contributed to it, and I'm sorry.\n",
                title.to_lowercase()
            )),
        }
    }
    if !f.changes.is_empty() {
        out.push_str("\nThis is what I have changed, and what the record shows:\n");
        for (prevention, title, kept, rate, lapses) in &f.changes {
            let rate = rate
                .map(|r| format!(", {r}% of days in the last month"))
                .unwrap_or_default();
            let lapses = match lapses {
                0 => String::new(),
                1 => " I had one lapse, and I wrote it down too.".to_string(),
                n => format!(" I had {n} lapses, and I wrote them down too."),
            };
            out.push_str(&format!(
                "- {} ({}: {kept} days kept{rate}).{lapses}\n",
                ensure_period_less(prevention.trim()),
                title
            ));
        }
    }
    if f.confirmations > 0 {
        out.push_str(&format!(
            "\nPeople who know me have confirmed {} of these milestones.\n",
            f.confirmations
        ));
    }
    out.push_str("\nIf you ever want to talk, I would listen. If you don't, I understand and I will respect that — you don't need to reply, and I won't write again unless you do.\n\n");
    if !f.my_name.is_empty() {
        out.push_str(&format!("{}\n", f.my_name));
    }
    out
}

/// The user's "my part" note as a sentence of the letter, when it reads in
/// their own voice to the ex: first person ("I drank and said hurtful things"),
/// or a bare verb that becomes first person ("said hurtful things" -> "I said
/// hurtful things"). A note about the ex in the third person ("made her feel
/// stupid") was written for the user, not to them: it is not quoted, and
/// the letter says the same thing plainly instead.
pub fn in_my_own_voice(note: &str) -> Option<String> {
    let t = note.trim();
    if t.is_empty() || t.chars().count() > 300 {
        return None;
    }
    let lower = t.to_lowercase().replace('’', "'");
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    const ABOUT_THEM: [&str; 9] = [
        "she", "her", "hers", "he", "him", "his", "she's", "he's", "herself",
    ];
    if words
        .iter()
        .any(|w| ABOUT_THEM.contains(w) || *w == "himself")
    {
        return None;
    }
    let first = words.first().copied().unwrap_or("");
    const FIRST_PERSON: [&str; 8] = ["i", "i'm", "i've", "i'd", "i'll", "my", "me", "we"];
    if FIRST_PERSON.contains(&first) {
        let mut c = t.chars();
        return c
            .next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str());
    }
    // A note that starts with a past-tense verb ("said", "drank", "made", "kept",
    // "ignored", "forgot"...) is the user's own action without its subject.
    let past = first.ends_with("ed")
        || [
            "said", "drank", "made", "kept", "forgot", "lied", "left", "let", "took", "got", "put",
            "broke", "went", "came", "told", "yelled", "shouted", "spent", "didn't", "wasn't",
            "couldn't", "wouldn't", "never", "always", "often", "stopped", "was",
        ]
        .contains(&first);
    if past {
        let mut c = t.chars();
        return c
            .next()
            .map(|f| format!("I {}{}", f.to_lowercase(), c.as_str()));
    }
    None
}

fn ensure_period(s: &str) -> String {
    if s.ends_with(['.', '!', '?']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

fn ensure_period_less(s: &str) -> String {
    s.trim_end_matches(['.', '!']).to_string()
}

/// Splits a draft into sentences for checking, keeping their text.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        current.push(ch);
        if matches!(ch, '.' | '!' | '?' | '\n') {
            let t = current.trim().to_string();
            if t.chars().any(char::is_alphabetic) {
                out.push(t);
            }
            current.clear();
        }
    }
    let t = current.trim().to_string();
    if t.chars().any(char::is_alphabetic) {
        out.push(t);
    }
    out
}

/// Why a kind of pressure does harm, and a better sentence to say instead
/// (the honest letter offers one message, an invitation, and respect for a no).
pub fn pressure_hint(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "begging" => (
            "Pleading asks them to answer your pain instead of deciding freely.",
            "“If you ever want to talk, I would listen.”",
        ),
        "guilt" => (
            "It makes them responsible for how you feel; that is pressure, not honesty.",
            "“I'm working on how I feel with people who support me; it's not yours to fix.”",
        ),
        "threat" => (
            "A threat, even half-meant, makes it unsafe for them to answer honestly.",
            "Leave it out: nothing good can follow a threat.",
        ),
        "ultimatum" => (
            "A deadline or an “or else” takes their choice away.",
            "“There is no deadline; whatever you decide, I will respect it.”",
        ),
        "entitlement" => (
            "They owe you nothing: not an answer, not an explanation, not another chance.",
            "“You don't owe me a reply.”",
        ),
        "showing_up" => (
            "Turning up uninvited crosses a boundary and can frighten them.",
            "“I won't come by or contact you in any other way.”",
        ),
        "surveillance" => (
            "Watching where they are or who they see is control, and they will feel it.",
            "Leave it out: what they do now is theirs.",
        ),
        "self_harm_leverage" => (
            "Tying your life to their answer puts an impossible weight on them — and you deserve help now. Help lines are one click away.",
            "Please talk to someone today (see “Help lines”), and leave this out of the letter.",
        ),
        "persistence" => (
            "Pressing on after silence or a no is the opposite of respecting it.",
            "“This is the only message I will send.”",
        ),
        _ => (
            "This may read as pressure.",
            "Say it as an invitation they can decline.",
        ),
    }
}

/// The hint for self-harm leverage when the crisis check
/// (`crate::crisis`) does not see thoughts of self-harm in the sentence: the
/// pressure layer also reads sighs and loneliness that way ("I guess I'll
/// just eat alone again"), and telling someone who only sighed that they need
/// help now frightens more than it helps. Help lines are named either way.
pub fn self_harm_leverage_hint_unconfirmed() -> (&'static str, &'static str) {
    (
        "This may read as tying how you are to their answer, which puts a heavy weight on them. If you are having thoughts of hurting yourself, you deserve help now: help lines are one click away.",
        "Say how you are without making it their job: “I'm having a hard time, and I'm getting support.”",
    )
}

/// The Gottman antidote for each horseman, as a rewriting hint.
pub fn antidote(horseman: &str) -> &'static str {
    match horseman {
        "criticism" => {
            "Gentle start-up: talk about one specific thing and your own feeling — “When … happened, I felt …; I need …” — instead of “you always/never”."
        }
        "contempt" => {
            "Respect and appreciation: drop the sarcasm or put-down; say what you feel and need, or something you value in them."
        }
        "defensiveness" => {
            "Take responsibility: “You're right that I …; I'm sorry for my part” — without a “but”."
        }
        "stonewalling" => {
            "Stay present: if something is too hard to say now, say so kindly rather than closing the door."
        }
        _ => "Say it more gently.",
    }
}

/// The user's letter record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Letter {
    pub text: String,
    /// Set when the user says they sent it (rekindle never sends anything).
    pub sent_on: Option<jiff::civil::Date>,
    /// "yes" (they want to talk), "no", or none yet.
    pub reply: Option<String>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_draft_acknowledges_shows_evidence_and_respects_a_no() {
        let f = LetterFacts {
            their_name: "Alex".into(),
            my_name: "Sam".into(),
            my_parts: vec![(
                "My drinking".into(),
                "I drank and said hurtful things".into(),
            )],
            changes: vec![(
                "I will not drink at all.".into(),
                "No alcohol".into(),
                45,
                Some(97),
                1,
            )],
            confirmations: 2,
            record_days: 46,
        };
        let d = draft(&f);
        assert!(d.starts_with("Dear Alex,"));
        // An honest letter never brings up the crisis card (the form that
        // marks it sent posts its text through the crisis check).
        assert!(!crate::crisis::crisis_signs(&d).any(), "{d}");
        for s in sentences(&d) {
            assert!(!crate::crisis::crisis_signs(&s).any(), "{s}");
        }
        assert!(d.contains("About my drinking: I drank and said hurtful things. I'm sorry."));
        assert!(d.contains("No alcohol: 45 days kept, 97% of days in the last month"));
        assert!(d.contains("one lapse"));
        assert!(d.contains("confirmed 2"));
        assert!(d.contains("I will respect that"));
        assert!(!d.to_lowercase().contains("miss me") && !d.to_lowercase().contains("last chance"));
        assert_eq!(sentences("One. Two!\nThree?"), ["One.", "Two!", "Three?"]);
    }

    #[test]
    fn notes_are_quoted_only_in_the_users_own_voice() {
        assert_eq!(
            in_my_own_voice("said hurtful things when drunk").as_deref(),
            Some("I said hurtful things when drunk")
        );
        assert_eq!(
            in_my_own_voice("I mocked your job in front of friends").as_deref(),
            Some("I mocked your job in front of friends")
        );
        for third in [
            "made her feel stupid",
            "I made her feel stupid",
            "ignored him when he needed me",
            "she felt I didn't care",
            "",
        ] {
            assert_eq!(in_my_own_voice(third), None, "{third}");
        }
        let d = draft(&LetterFacts {
            their_name: "Alex".into(),
            my_parts: vec![("Put-downs".into(), "made her feel stupid".into())],
            ..LetterFacts::default()
        });
        assert!(!d.contains(" her "), "{d}");
        assert!(d.contains("About put-downs: I see now that I contributed to it, and I'm sorry."));
    }
}
