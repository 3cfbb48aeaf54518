//! Threats to the reader that the phrase lists and the learned pressure layer
//! miss: violence said with any verb ("i will cave your skull in", "ill put a
//! bullet in you"), harm to what the reader loves ("ill poison that stupid
//! dog", "the kids will pay for it"), exposure ("your nudes go in the group
//! chat", "wonder what your mum would think of these photos"), pursuit ("i'll
//! find you. doesnt matter where you go") and the idioms of a veiled threat
//! ("this isnt over", "you have to sleep sometime", "lock your doors").
//!
//! Read by `classify` only (the letter check and `rekindle classify`), never in
//! the analysis of a whole chat, where speed counts. A laugh in the message
//! ("ill kill u if u spoil the finale 😂") or a negator inside the threat ("i
//! would never hurt you") is no threat. Measured on threats_a.tsv (tuning) and
//! threats_b.tsv (held out): QUALITY_LOG.md, session 18, variant VT.

use std::sync::LazyLock;

use regex::Regex;

/// Normalized text ([`crate::text::normalize`]) to the same with apostrophes
/// dropped, so that one pattern reads "i'll" and "ill", "you're" and "youre".
pub(crate) fn plain(norm: &str) -> String {
    norm.chars().filter(|c| *c != '\'' && *c != '’').collect()
}

pub(crate) const ME_FUTURE: &str = r"(?:ill|i will|im going to|im gonna|i am going to|gonna|going to|id|i would|i could|i can|i swear ill|im coming round to|im coming to|i want to|i wanna|ima|imma|let me)";
pub(crate) const YOU: &str = r"(?:you|u|ya|yer|your|ur|yours|youre)";

static PATTERNS: LazyLock<Vec<Regex>> =
    LazyLock::new(|| crate::danger::compile(&pattern_sources()));

fn pattern_sources() -> Vec<String> {
    let violent = r"(?:kill|murder|stab|strangle|choke|batter|punch|kick|hurt|smash|cave|bury|drown|end|destroy|ruin|torch|set fire to|put a bullet in|slap|poison|run over|glass|bottle|maim|cripple|shoot (?:you|u) (?:dead|in)|beat (?:you|u) (?:up|senseless|black|to)|hit (?:you|u) (?:so|hard|again|in|with))";
    let property = r"(?:smash|torch|burn|trash|wreck|slash|sugar|put a brick through|set fire to|key|scratch|flood|destroy)";
    let things = r"(?:car|cars|house|flat|place|window|windows|windscreen|tyres|tires|tank|stuff|clothes|things|caravan|bike|shop|restaurant|apartment|laptop|phone|van|truck|everything|garden|office)";
    [
        // Violence and damage said in the first person, to the reader or theirs.
        format!(r"\b{ME_FUTURE} (?:\w+ ){{0,3}}{violent} (?:\w+ ){{0,2}}{YOU}\b"),
        format!(r"\b{ME_FUTURE} (?:\w+ ){{0,3}}{property} (?:\w+ ){{0,2}}(?:your|ur|that|every|everything|the|his|her)(?: \w+){{0,2}} {things}\b"),
        r"\bbreak (?:your|ur|yer) (?:\w+ )?(?:neck|legs|arms|jaw|nose|face|fingers|hands|ribs)\b".to_string(),
        format!(r"\b{ME_FUTURE} (?:\w+ ){{0,2}}(?:beat|kick|knock) (?:the (?:shit|hell|crap) )?out of (?:you|u|ya)\b"),
        r"\b(?:put|putting|send|sending) (?:you|u) (?:in|to) (?:the |a )?(?:hospital|morgue|grave|ground|icu|a&e|ae)\b".to_string(),
        r"\bbreak every bone\b|\bcave (?:your|ur) (?:\w+ )?(?:skull|head|face) in\b|\bkick (?:your|ur|yer) (?:\w+ )?head in\b|\bknock (?:your|ur|yer) teeth\b".to_string(),
        r"\b(?:youre|you are|ur|your) (?:so |a )?(?:dead|dead man|dead woman|dead meat|finished|done for)(?: \w+)?(?: you hear me| mark my words| i promise| i swear)?(?: \.|$)".to_string(),
        r"\bwhen i (?:get my hands on|catch|find|see) (?:you|u)\b|\b(?:pray|hope) i (?:dont|never) (?:catch|find|see) (?:you|u)\b|\b(?:wish|regret) (?:you|u) (?:ever|never) (?:met|knew|crossed) me\b".to_string(),
        // Harm to what they love.
        r"\b(?:kids|children|dog|cat|mum|mom|sister|brother|family|parents|boyfriend|girlfriend|new man|new woman|new bloke|new girl|husband|wife) (?:will|are going to|is going to|gonna) (?:pay|suffer|be sorry|regret)\b".to_string(),
        r"\bif i cant have (?:you|u|the kids|them|her|him) (?:nobody|no one|noone) (?:can|will|else)\b".to_string(),
        r"\b(?:you|u) (?:will never|wont ever|wont|will not|are never going to|aint ever gonna) (?:ever )?see (?:them|the kids|your kids|ur kids|the children|your children|her|him|your son|your daughter|the dog|your dog) again\b".to_string(),
        r"\b(?:keep|lock) (?:her|his|their|your|ur) (?:front )?doors? (?:locked|shut)\b|\block (?:your|ur) doors\b|\b(?:anything|something) (?:bad )?(?:to happen|happening|happened|were to happen|was to happen) to (?:her|him|them|you|u|your|ur|little)\b|\baccidents happen\b|\bbad things (?:tend to )?happen to\b".to_string(),
        r"\b(?:poison|drown|kill|hurt|run over|get rid of|strangle) (?:that|the|your|ur|ya) (?:\w+ )?(?:dog|cat|puppy|kitten|parrot|bird|horse|rabbit|pet|fish|hamster)\b|\b(?:dogs|cats|birds|pets) (?:die|go missing|get hit) all the time\b".to_string(),
        // Exposure.
        r"\b(?:nudes|nude|pics|photos|pictures|videos|vids|chats|screenshots|messages|texts|recordings)\b(?: \w+){0,3} (?:go|goes|going|get|gets|will go|are going) (?:\w+ ){0,2}(?:in|to|on|online|everywhere|round|around)\b".to_string(),
        r"\b(?:wonder|imagine|think about|guess) (?:what|how|if)? ?(?:your|ur|the) (?:\w+ ){0,2}(?:would|will|d|is going to|are going to)? ?(?:think|feel|say|react|do)\b[^.]{0,30}\b(?:these|those|this|the) (?:photos|pics|pictures|videos|vids|chats|texts|messages|screenshots|recordings)\b|\bimagine (?:your|ur) (?:\w+ ){0,2}(?:seeing|finding out|reading|hearing)\b|\b(?:how|what) (?:do|would|will) (?:you|u) think (?:your|ur|the) (?:\w+ ){0,2}(?:will|would|d)? ?(?:feel|think|say)\b|\b(?:about to|going to|gonna) (?:get|learn|find out) (?:an education|the truth|everything|all about) (?:about )?(?:you|u)\b|\bonce (?:she|he|they|your \w+) (?:sees|reads|hears|finds)\b".to_string(),
        // Pursuit.
        r"\b(?:ill|i will|i always|i can always|im gonna|im going to) find (?:you|u)(?: again| wherever| anywhere| no matter| doesnt matter| \.|$)|\bnowhere (?:you|u) (?:can|could) (?:go|hide|run)\b|\bnowhere in (?:this|the) (?:country|world|city|town) (?:you|u) can\b|\b(?:you|u) (?:cant|cannot|can not) hide(?: from me)?\b|\bwont save (?:you|u)\b|\bi (?:followed|was following|have been following|been following) (?:you|u)\b|\bfollowed (?:you|u) (?:to|home|from)\b|\bi know (?:your|ur) (?:route|schedule|routine|new address|address|shifts|timetable)\b|\b(?:im|i am) (?:coming|comin) for (?:you|u)\b|\b(?:coming|comin) for (?:you|u)(?: \.|$| next| soon| tonight)\b".to_string(),
        // Veiled idioms.
        r"\bthis (?:isnt|is not|aint) over\b|\b(?:you|u) (?:have|got) to sleep (?:sometime|at some point|eventually)\b|\bwatch (?:your|ur|yer) back\b|\bsleep with one eye open\b|\b(?:i|ill) (?:always )?get even\b|\b(?:you|u) (?:should|better) be (?:very )?(?:very )?(?:scared|afraid|frightened|worried)\b|\bwont know what hit (?:you|u)\b|\btick tock\b|\bdont get (?:too )?comfortable\b|\blife insurance\b|\benjoy (?:your|ur) (?:last|final)\b|\b(?:brakes|tyres|tires) (?:can|could) (?:be|go|fail)\b|\bnobody (?:would|will|could) (?:even )?hear (?:you|u)\b|\bwhen im done being patient\b|\b(?:karma|payback|revenge) (?:is|s) (?:coming|on its way)\b|\b(?:your|ur) (?:life|world) is (?:about to|gonna|going to) (?:change|end|fall apart)\b|\bi know people\b|\b(?:take|took) everything from (?:you|u)\b|\b(?:hope|hoping) (?:you|u) said goodbye\b|\bsee (?:you|u) soon 🔪|🔪".to_string(),
    ]
    .to_vec()
}

/// Self-harm said to the reader ("answer me or i take them all", "if you sign
/// those papers im killing myself", "youll have my blood on your hands"): the
/// kind `self_harm_leverage`, which a mention of self-harm always is here.
static SELF_HARM: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"\b(?:kill|killing|hang|hanging|hurt|hurting|cut|cutting|drink|drinking|starve|starving|end|ending|off|offing|shoot|shooting|drown|drowning|poison|poisoning|burn|burning|harm|harming|throw|throwing) (?:my ?self|meself)\b",
        r"\b(?:take|taking|swallow|swallowing|down|downing|neck|necking) (?:them all|all of them|the lot|everything|the pills|all the pills|all my pills|the whole (?:bottle|box|packet|pack)|every pill)\b",
        r"\b(?:use|using) it on (?:my ?self|me)\b|\bcutting again\b|\b(?:my )?blood (?:will be |is |ll be )?on (?:your|ur) hands\b|\bmy death (?:will be |is |ll be )?on (?:you|your|ur)\b|\bdrink (?:my ?self|me) to death\b",
    ]
    .iter()
    .filter_map(|p| Regex::new(p).ok())
    .collect()
});

/// Self-harm said in the message (never in play).
pub fn self_harm_spans(text: &str, norm: &str) -> Vec<String> {
    if laughs(text) {
        return Vec::new();
    }
    let p = plain(norm);
    let mut found = Vec::new();
    for re in SELF_HARM.iter() {
        for m in re.find_iter(&p) {
            let before: Vec<&str> = p
                .get(..m.start())
                .unwrap_or("")
                .split_whitespace()
                .rev()
                .take(4)
                .collect();
            if !before.iter().any(|w| DENIALS.contains(w)) {
                found.push(m.as_str().to_string());
            }
        }
    }
    found
}

/// Words that undo a threat inside its own span: "i would never hurt you".
pub(crate) const DENIALS: &[&str] = &[
    "never", "not", "dont", "wont", "wouldnt", "didnt", "cant", "couldnt", "no",
];

/// A laugh: the threat is play.
pub(crate) fn laughs(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["😂", "🤣", "😆", "😜", "😝", "🙃"]
        .iter()
        .any(|e| lower.contains(e))
        || lower.split(|c: char| !c.is_alphanumeric()).any(|w| {
            matches!(w, "lol" | "lmao" | "lmfao" | "jk" | "rofl" | "laughing")
                || w.starts_with("haha")
        })
}

/// A game: "im gonna destroy you at mario kart", "ill kick your butt at padel".
static GAME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\b(?:game|games|match|rematch|mario|kart|fifa|chess|scrabble|padel|tennis|golf|football|fantasy|quiz|trivia|pool|darts|monopoly|uno|cards|poker|race|bowling|squash|pickleball|board game|xbox|playstation|ps5)\b").ok()
});

/// A threat to the reader, theirs or their name, in the message.
pub fn threatens(text: &str, norm: &str) -> bool {
    !in_play(text, norm) && threats_in(&plain(norm)).next().is_some()
}

/// The spans of the message that count as threats (none in play or a game).
pub fn threat_spans(text: &str, norm: &str) -> Vec<String> {
    if in_play(text, norm) {
        return Vec::new();
    }
    threats_in(&plain(norm)).map(str::to_string).collect()
}

/// A laugh or a game in the message: its threats are play.
pub(crate) fn in_play(text: &str, norm: &str) -> bool {
    laughs(text) || GAME.as_ref().is_some_and(|g| g.is_match(norm))
}

/// The threats in `p` (normalized, apostrophes dropped), lazily: `threatens`
/// stops at the first.
fn threats_in(p: &str) -> impl Iterator<Item = &str> {
    PATTERNS
        .iter()
        .flat_map(move |re| re.find_iter(p))
        .filter(move |m| {
            let span: Vec<&str> = m.as_str().split_whitespace().collect();
            // A denial inside the threat, or just before it.
            let before = p
                .get(..m.start())
                .unwrap_or("")
                .split_whitespace()
                .next_back();
            // "ill kill myself if you go" is self-harm, not a threat to the reader.
            let own = span
                .iter()
                .any(|w| matches!(*w, "myself" | "meself" | "self"));
            !own && !span.iter().skip(1).any(|w| DENIALS.contains(w))
                && !before.is_some_and(|w| DENIALS.contains(&w))
        })
        .map(|m| m.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize;

    fn t(s: &str) -> bool {
        threatens(s, &normalize(s))
    }

    #[test]
    fn threats_said_many_ways_are_found() {
        for s in [
            "if you don't answer me i'll kill you",
            "i will cave your skull in",
            "ill poison that dog",
            "reply or your nudes go in the group chat",
            "i'll find you. doesnt matter where you go",
            "this isnt over",
            "you have to sleep sometime",
        ] {
            assert!(t(s), "{s}");
        }
    }

    #[test]
    fn self_harm_said_to_the_reader_is_found_and_a_denial_is_not() {
        let sh = |s: &str| !self_harm_spans(s, &normalize(s)).is_empty();
        assert!(sh("answer me or i take them all"));
        assert!(sh("youll have my blood on your hands"));
        assert!(!sh(
            "i'm not going to hurt myself, please don't worry about me"
        ));
    }

    #[test]
    fn play_denials_and_errands_are_not_threats() {
        for s in [
            "ill kill u if u spoil the finale 😂",
            "i would never hurt you",
            "i'll find you a seat at the front",
            "i'll get you a coffee on the way",
            "my mum will kill me",
            "i'll kill myself if you go",
            "if you turn up again i will call the police",
        ] {
            assert!(!t(s), "{s}");
        }
    }
}
