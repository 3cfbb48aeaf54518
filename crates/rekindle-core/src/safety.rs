//! Safety first (domain.md §0, §E, §F): the safety screen and the gate that
//! every reconciliation feature must pass. Items are our own neutral
//! wording: the licences of HITS and WAST are unclear (domain.md §F), so
//! none of their items are used.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::form::FormErrors;

/// One question of the screen; `toward_me` tells the direction.
pub struct ScreenItem {
    pub key: &'static str,
    pub text: &'static str,
    pub toward_me: bool,
}

pub const SCREEN: [ScreenItem; 13] = [
    ScreenItem {
        key: "hurt_me",
        text: "Did they ever push, hit, grab, choke or otherwise physically hurt you?",
        toward_me: true,
    },
    ScreenItem {
        key: "threatened_me",
        text: "Did they threaten to hurt you, your children, your pets, or themselves, or to expose private things about you?",
        toward_me: true,
    },
    ScreenItem {
        key: "put_down_me",
        text: "Did they insult, humiliate or scream at you again and again?",
        toward_me: true,
    },
    ScreenItem {
        key: "afraid",
        text: "Are you, or were you, afraid of them?",
        toward_me: true,
    },
    ScreenItem {
        key: "monitored",
        text: "Did they check your phone, messages or location, or follow where you went?",
        toward_me: true,
    },
    ScreenItem {
        key: "isolated",
        text: "Did they keep you from friends, family, work or help?",
        toward_me: true,
    },
    ScreenItem {
        key: "controlled",
        text: "Did they control your money, what you wore, where you went or when you slept?",
        toward_me: true,
    },
    ScreenItem {
        key: "forced",
        text: "Did they pressure or force you into sex or other things you did not want?",
        toward_me: true,
    },
    ScreenItem {
        key: "order",
        text: "Is there a protection or restraining order between you (in either direction)?",
        toward_me: true,
    },
    ScreenItem {
        key: "hurt_them",
        text: "Did you ever push, hit, grab or otherwise physically hurt them?",
        toward_me: false,
    },
    ScreenItem {
        key: "threatened_them",
        text: "Did you ever threaten them, or scare them on purpose?",
        toward_me: false,
    },
    ScreenItem {
        key: "controlled_them",
        text: "Did you check their phone or location, or control their money, friends or movements?",
        toward_me: false,
    },
    ScreenItem {
        key: "they_afraid",
        text: "Might they be afraid of you?",
        toward_me: false,
    },
];

/// Each item is answered yes, no, or not sure; "not sure" counts as a sign
/// of risk, because the cost of a wrong "safe" is so much higher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Yes,
    No,
    NotSure,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenResult {
    pub on: Date,
    /// Answers in the order of [`SCREEN`].
    pub answers: Vec<Answer>,
}

impl ScreenResult {
    fn any(&self, toward_me: bool) -> bool {
        SCREEN
            .iter()
            .zip(&self.answers)
            .any(|(item, a)| item.toward_me == toward_me && *a != Answer::No)
    }

    /// Signs that the user was hurt, threatened, controlled or is afraid.
    pub fn risk_to_me(&self) -> bool {
        self.any(true)
    }

    /// Signs that the user hurt, threatened or controlled the ex.
    pub fn risk_from_me(&self) -> bool {
        self.any(false)
    }

    pub fn locks(&self) -> bool {
        self.risk_to_me() || self.risk_from_me()
    }

    /// What was answered that turned the lock on, in the person's words:
    /// "You answered yes to: “…”" / "You were not sure about: “…”".
    pub fn named_answers(&self) -> Vec<String> {
        SCREEN
            .iter()
            .zip(&self.answers)
            .filter_map(|(item, a)| match a {
                Answer::Yes => Some(format!("You answered yes to: “{}”", item.text)),
                Answer::NotSure => Some(format!("You were not sure about: “{}”", item.text)),
                Answer::No => None,
            })
            .collect()
    }
}

/// After answers that lock, the questions can be taken again only this long
/// after the last time: a pause that helps make sure the new answers are the
/// person's own and not given under pressure (or in a hurry to lift the lock).
pub const RETAKE_WAIT_HOURS: i64 = 24;

/// When the questions may be taken again: `None` = now. `last_taken` is when
/// the latest screen was saved; only a screen that locks makes the person wait.
pub fn retake_from(
    latest: Option<(&ScreenResult, jiff::Timestamp)>,
    now: jiff::Timestamp,
) -> Option<jiff::Timestamp> {
    let (screen, at) = latest?;
    if !screen.locks() {
        return None;
    }
    let from = at
        .checked_add(jiff::Span::new().hours(RETAKE_WAIT_HOURS))
        .ok()?;
    (now < from).then_some(from)
}

/// Parses the screen form: every item must be answered.
pub fn validate_screen(
    fields: &[(String, String)],
    today: Date,
) -> Result<ScreenResult, FormErrors> {
    let mut e = FormErrors::default();
    let mut answers = Vec::with_capacity(SCREEN.len());
    for item in &SCREEN {
        let raw = fields
            .iter()
            .find(|(k, _)| k == item.key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        match raw {
            "yes" => answers.push(Answer::Yes),
            "no" => answers.push(Answer::No),
            "not_sure" => answers.push(Answer::NotSure),
            _ => {
                e.add(
                    item.key,
                    "Please answer this question (yes, no, or not sure).",
                );
                answers.push(Answer::NotSure);
            }
        }
    }
    if !e.is_empty() {
        return Err(e);
    }
    Ok(ScreenResult { on: today, answers })
}

/// How the ex said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExNoKind {
    SaidNo,
    AskedNoContact,
    Blocked,
}

impl ExNoKind {
    pub const ALL: [ExNoKind; 3] = [
        ExNoKind::SaidNo,
        ExNoKind::AskedNoContact,
        ExNoKind::Blocked,
    ];
    pub fn key(self) -> &'static str {
        match self {
            ExNoKind::SaidNo => "said_no",
            ExNoKind::AskedNoContact => "no_contact",
            ExNoKind::Blocked => "blocked",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ExNoKind::SaidNo => "They said no to getting back together",
            ExNoKind::AskedNoContact => "They asked me not to contact them",
            ExNoKind::Blocked => "They blocked me",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s.trim())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExNo {
    pub on: Date,
    pub kind: ExNoKind,
}

/// A boundary the ex set in the imported chat (found by the analysis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatBoundaryKind {
    Ended,
    NoContact,
    Space,
    Blocked,
}

impl ChatBoundaryKind {
    pub fn key(self) -> &'static str {
        match self {
            ChatBoundaryKind::Ended => "ended",
            ChatBoundaryKind::NoContact => "no_contact",
            ChatBoundaryKind::Space => "space",
            ChatBoundaryKind::Blocked => "blocked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            ChatBoundaryKind::Ended,
            ChatBoundaryKind::NoContact,
            ChatBoundaryKind::Space,
            ChatBoundaryKind::Blocked,
        ]
        .into_iter()
        .find(|k| k.key() == s)
    }

    /// "asked for no contact", for sentences.
    pub fn phrase(self) -> &'static str {
        match self {
            ChatBoundaryKind::Ended => "ended the relationship",
            ChatBoundaryKind::NoContact => "asked you not to contact them",
            ChatBoundaryKind::Space => "asked for space",
            ChatBoundaryKind::Blocked => "said they had blocked you",
        }
    }

    /// The "their no" this boundary is, when the user records it.
    pub fn as_ex_no(self) -> Option<ExNoKind> {
        match self {
            ChatBoundaryKind::NoContact => Some(ExNoKind::AskedNoContact),
            ChatBoundaryKind::Blocked => Some(ExNoKind::Blocked),
            ChatBoundaryKind::Ended | ChatBoundaryKind::Space => None,
        }
    }
}

/// One boundary the ex set in the chat, and what the user said about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatBoundary {
    /// The day of the message.
    pub on: Date,
    pub kind: ChatBoundaryKind,
    /// The user's messages after it that got no reply.
    pub unanswered_after: u32,
    /// The ex wrote again later, after the user had written.
    pub reopened: bool,
    /// The user has answered the question this boundary raises (recorded it as
    /// their no, or said it is not one).
    pub answered: bool,
}

impl ChatBoundary {
    /// Unanswered messages after it that count as contact already made: any
    /// after a request for no contact, space or a block; two or more after an
    /// ending (one "take care" after a breakup is not pressing).
    pub fn pressing_messages(&self) -> u32 {
        match self.kind {
            ChatBoundaryKind::Ended if self.unanswered_after < 2 => 0,
            _ => self.unanswered_after,
        }
    }
}

/// The boundary that pauses outreach until the user answers: the ex's latest
/// request for no contact or space, or block, that they did not reopen.
pub fn pending_boundary(boundaries: &[ChatBoundary]) -> Option<&ChatBoundary> {
    boundaries
        .iter()
        .filter(|b| b.kind != ChatBoundaryKind::Ended && !b.reopened)
        .max_by_key(|b| b.on)
        .filter(|b| !b.answered)
}

/// What a sign of danger in an imported chat shows (found by the analysis,
/// `rekindle_analysis::danger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatDangerKind {
    /// The writer threatens the reader, or someone or something of theirs.
    Threat,
    /// The writer says the reader hurt them, or that they are afraid of them.
    Violence,
}

/// What the user said about a sign of danger in the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "answer")]
pub enum DangerAnswer {
    /// "Yes, that is how it was": the safety lock goes on, as for a screen
    /// with risk (re-taking the screen later is what turns it off).
    Happened { on: Date },
    /// "No: a joke, a quote, something else."
    NotMeant,
}

/// One sign of danger in an imported chat, and the user's answer to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatDanger {
    /// The day of the message.
    pub on: Date,
    pub kind: ChatDangerKind,
    /// The ex wrote it (else the user did).
    pub by_ex: bool,
    pub answer: Option<DangerAnswer>,
}

impl ChatDanger {
    /// Whether the message points at the ex as the danger: their threat, or
    /// the user writing that they were hurt by them.
    pub fn ex_is_the_danger(&self) -> bool {
        match self.kind {
            ChatDangerKind::Threat => self.by_ex,
            ChatDangerKind::Violence => !self.by_ex,
        }
    }

    /// "they seem to threaten you or someone close to you", for sentences.
    pub fn phrase(&self) -> &'static str {
        match (self.kind, self.by_ex) {
            (ChatDangerKind::Threat, true) => {
                "they seem to threaten you, or someone or something close to you"
            }
            (ChatDangerKind::Threat, false) => {
                "you seem to threaten them, or someone or something close to them"
            }
            (ChatDangerKind::Violence, true) => {
                "they write that you hurt them, or that they are afraid of you"
            }
            (ChatDangerKind::Violence, false) => {
                "you write that they hurt you, or that you are afraid of them"
            }
        }
    }
}

/// The sign of danger that pauses reconciliation help until the user answers
/// it: the latest one not answered yet.
pub fn pending_danger(signs: &[ChatDanger]) -> Option<&ChatDanger> {
    signs
        .iter()
        .filter(|d| d.answer.is_none())
        .max_by_key(|d| d.on)
}

/// The refusal a sign waiting for an answer gives ([`pending_danger`]), with
/// how many signs the chat shows: what the gate, the safety page and the CLI say.
pub fn danger_refusal(signs: &[ChatDanger]) -> Option<Refusal> {
    pending_danger(signs).map(|d| Refusal::DangerInChat {
        on: d.on,
        kind: d.kind,
        by_ex: d.by_ex,
        count: u32::try_from(signs.len()).unwrap_or(u32::MAX),
    })
}

/// Everything the gate looks at.
#[derive(Debug, Clone, Default)]
pub struct SafetyFacts {
    pub latest_screen: Option<ScreenResult>,
    /// Dates on which a problem was marked as safety/abuse.
    pub abuse_problems_marked: Vec<Date>,
    pub ex_no: Option<ExNo>,
    /// When the relationship ended, if known.
    pub ended_on: Option<Date>,
    /// The first day of the track record (earliest commitment start with a check-in).
    pub record_started: Option<Date>,
    /// Outreach messages already sent, and whether the last got a reply.
    pub outreach_sent: u32,
    pub last_outreach_answered: bool,
    /// Boundaries the ex set in the imported chat.
    pub chat_boundaries: Vec<ChatBoundary>,
    /// Signs of danger in the imported chat, by either person.
    pub chat_danger: Vec<ChatDanger>,
}

/// Why reconciliation help is unavailable, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum Refusal {
    /// The screen has not been taken: safety is checked before any help to reconcile.
    ScreenNeeded,
    /// Signs of harm: reconciliation help is off; help lines and safety planning instead.
    SafetyLock { toward_me: bool, from_me: bool },
    /// The ex said no, asked for no contact, or blocked: their answer is final here.
    ExSaidNo { kind: ExNoKind },
    /// Too soon after the breakup.
    CoolingOff { until: Date },
    /// Too little track record yet.
    RecordTooShort { until: Date },
    /// One considered message only; no reply or a no means stop.
    OutreachUsed,
    /// The chat shows a sign of danger the user has not answered yet.
    DangerInChat {
        on: Date,
        kind: ChatDangerKind,
        by_ex: bool,
        /// How many signs the chat shows, answered or not.
        count: u32,
    },
    /// The chat shows a boundary the user has not answered yet.
    BoundaryInChat { on: Date, kind: ChatBoundaryKind },
    /// Messages already sent after their boundary got no reply.
    UnansweredAfterBoundary {
        on: Date,
        kind: ChatBoundaryKind,
        count: u32,
    },
}

impl Refusal {
    pub fn explain(&self) -> String {
        match self {
            Refusal::ScreenNeeded => "Before rekindle helps with anything that involves reaching out, it asks a few safety questions. It takes a minute.".into(),
            Refusal::SafetyLock { toward_me: true, .. } => "Some of your answers leave a question about your safety open: that you may have been hurt, threatened or controlled, or that you were not sure, which is taken just as seriously here. Couples who break up and get back together report twice the physical violence of those who stay apart, so this app will not help you reconcile while there are signs of danger. Your safety comes first: the help lines and the safety-planning page are here for you.".into(),
            Refusal::SafetyLock { from_me: true, .. } => "Your answers show that you may have hurt, threatened or controlled them. This app will not help you win them back while that is so. Services that help people change how they act in relationships are listed here; working with one is the most honest change you can make.".into(),
            Refusal::SafetyLock { .. } => "Safety comes first: reconciliation help is off.".into(),
            Refusal::ExSaidNo { .. } => "They have given their answer, and it is final here. rekindle will not help draft anything that tries to change their mind or reach them another way. What it can do is help you heal: your own goals, your support, and reading for this time.".into(),
            Refusal::CoolingOff { until } => format!("It is still early after the breakup. Reaching out before {until} tends to reopen the wound for both of you; use this time for the plan and the record."),
            Refusal::RecordTooShort { until } => format!("Reaching out works only with real change to show. Your track record needs at least 30 days; come back from {until}."),
            Refusal::OutreachUsed => "You have already sent your one considered message. If there was no reply, or the reply was no, the respectful answer is to stop.".into(),
            Refusal::DangerInChat { on, kind, by_ex, count } => {
                let sign = ChatDanger { on: *on, kind: *kind, by_ex: *by_ex, answer: None };
                let more = match count {
                    0 | 1 => String::new(),
                    n => format!(" It is one of {n} such messages in your chat."),
                };
                format!("Your chat has a message from {} in which {}.{more} rekindle cannot know what it meant, so it asks you: until you say, nothing that reaches out to them is offered. If you are afraid, or if something happened, the help lines and the safety-planning page are here for you, whatever you answer.", day(*on), sign.phrase())
            }
            Refusal::BoundaryInChat { on, kind } => format!("Your chat shows that on {} they {}. Until you tell rekindle what that means for you, everything that reaches out to them is paused. That is not a judgement of you; it is how rekindle makes sure nobody is pressed past a no.", day(*on), kind.phrase()),
            Refusal::UnansweredAfterBoundary { on, kind, count } => format!("After they {} on {}, {} that got no reply. rekindle counts {} as the outreach already made, so it will not help write more. Waiting for them to reach out is the respectful answer now; your own goals and support are here meanwhile.", kind.phrase(), day(*on), if *count == 1 { "you sent one message".to_string() } else { format!("you sent {count} messages") }, if *count == 1 { "it" } else { "them" }),
        }
    }
}

/// "3 March 2024".
fn day(d: Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

/// Minimum time after the breakup before any outreach help.
pub const COOLING_OFF_DAYS: i64 = 30;
/// Minimum track record before any outreach help.
pub const MIN_RECORD_DAYS: i64 = 30;

/// Is the safety lock on? On when the latest screen shows any risk, or a
/// problem was marked as abuse after the latest screen. Only re-taking the
/// screen (without risk) turns it off.
pub fn safety_lock(f: &SafetyFacts) -> Option<Refusal> {
    if let Some(s) = f.latest_screen.as_ref().filter(|s| s.locks()) {
        return Some(Refusal::SafetyLock {
            toward_me: s.risk_to_me(),
            from_me: s.risk_from_me(),
        });
    }
    // What the user said since the latest screen: a problem marked as abuse,
    // or a sign of danger in the chat confirmed ("that is how it was").
    let since_screen = |d: &Date| f.latest_screen.as_ref().is_none_or(|s| *d >= s.on);
    let confirmed = |toward_me: bool| {
        f.chat_danger.iter().any(|d| {
            d.ex_is_the_danger() == toward_me
                && matches!(d.answer, Some(DangerAnswer::Happened { on }) if since_screen(&on))
        })
    };
    let toward_me = f.abuse_problems_marked.iter().any(since_screen) || confirmed(true);
    let from_me = confirmed(false);
    (toward_me || from_me).then_some(Refusal::SafetyLock { toward_me, from_me })
}

/// May any reconciliation feature (words to ask, letter, outreach) be offered?
/// Checked in order of importance; the first refusal is the reason shown.
pub fn reconciliation_allowed(f: &SafetyFacts) -> Result<(), Refusal> {
    if let Some(r) = safety_lock(f) {
        return Err(r);
    }
    if let Some(r) = danger_refusal(&f.chat_danger) {
        return Err(r);
    }
    if f.latest_screen.is_none() {
        return Err(Refusal::ScreenNeeded);
    }
    if let Some(no) = &f.ex_no {
        return Err(Refusal::ExSaidNo { kind: no.kind });
    }
    if let Some(b) = pending_boundary(&f.chat_boundaries) {
        return Err(Refusal::BoundaryInChat {
            on: b.on,
            kind: b.kind,
        });
    }
    Ok(())
}

/// May the user be helped to send a message to the ex now?
pub fn outreach_allowed(f: &SafetyFacts, today: Date) -> Result<(), Refusal> {
    reconciliation_allowed(f)?;
    if let Some(b) = f
        .chat_boundaries
        .iter()
        .filter(|b| !b.reopened && b.pressing_messages() > 0)
        .max_by_key(|b| b.on)
    {
        return Err(Refusal::UnansweredAfterBoundary {
            on: b.on,
            kind: b.kind,
            count: b.pressing_messages(),
        });
    }
    if let Some(ended) = f.ended_on {
        let until = ended
            .checked_add(jiff::Span::new().days(COOLING_OFF_DAYS))
            .unwrap_or(ended);
        if today < until {
            return Err(Refusal::CoolingOff { until });
        }
    }
    match f.record_started {
        None => {
            return Err(Refusal::RecordTooShort {
                until: today
                    .checked_add(jiff::Span::new().days(MIN_RECORD_DAYS))
                    .unwrap_or(today),
            });
        }
        Some(start) => {
            let until = start
                .checked_add(jiff::Span::new().days(MIN_RECORD_DAYS))
                .unwrap_or(start);
            if today < until {
                return Err(Refusal::RecordTooShort { until });
            }
        }
    }
    if f.outreach_sent >= 1 && !f.last_outreach_answered {
        return Err(Refusal::OutreachUsed);
    }
    Ok(())
}

/// True when free text shows thoughts of self-harm or danger from someone:
/// the crisis card comes first. The check and its measured sets:
/// `crate::crisis` and docs/safety.md ("Crisis words").
pub fn mentions_crisis(text: &str) -> bool {
    crate::crisis::crisis_signs(text).any()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 26);

    fn screen(yes: &[&str], not_sure: &[&str]) -> ScreenResult {
        let fields: Vec<(String, String)> = SCREEN
            .iter()
            .map(|i| {
                let v = if yes.contains(&i.key) {
                    "yes"
                } else if not_sure.contains(&i.key) {
                    "not_sure"
                } else {
                    "no"
                };
                (i.key.to_string(), v.to_string())
            })
            .collect();
        validate_screen(&fields, TODAY).unwrap()
    }

    fn sign(kind: ChatDangerKind, by_ex: bool, answer: Option<DangerAnswer>) -> ChatDanger {
        ChatDanger {
            on: date(2024, 3, 12),
            kind,
            by_ex,
            answer,
        }
    }

    /// A sign of danger in the chat waits for an answer before anything but
    /// the lock; confirmed, it locks toward whoever it points at, until a
    /// later screen without risk; "not meant" lets the rest of the gate decide.
    #[test]
    fn a_sign_of_danger_in_the_chat_is_asked_about_then_locks_by_its_direction() {
        let clean = screen(&[], &[]);
        let with = |signs: Vec<ChatDanger>, latest: Option<ScreenResult>| SafetyFacts {
            latest_screen: latest,
            chat_danger: signs,
            ..Default::default()
        };
        // Asked even before the screen is taken.
        let f = with(vec![sign(ChatDangerKind::Threat, true, None)], None);
        assert!(matches!(
            reconciliation_allowed(&f),
            Err(Refusal::DangerInChat {
                by_ex: true,
                count: 1,
                ..
            })
        ));
        for (kind, by_ex, toward_me) in [
            (ChatDangerKind::Threat, true, true),
            (ChatDangerKind::Threat, false, false),
            (ChatDangerKind::Violence, true, false),
            (ChatDangerKind::Violence, false, true),
        ] {
            let happened = Some(DangerAnswer::Happened { on: TODAY });
            let f = with(vec![sign(kind, by_ex, happened)], Some(clean.clone()));
            assert_eq!(
                reconciliation_allowed(&f),
                Err(Refusal::SafetyLock {
                    toward_me,
                    from_me: !toward_me
                }),
                "{kind:?} by_ex {by_ex}"
            );
            // A screen without risk taken after the answer turns it off.
            let mut later = clean.clone();
            later.on = TODAY.tomorrow().unwrap();
            assert_eq!(
                reconciliation_allowed(&with(vec![sign(kind, by_ex, happened)], Some(later))),
                Ok(())
            );
        }
        let f = with(
            vec![sign(
                ChatDangerKind::Threat,
                true,
                Some(DangerAnswer::NotMeant),
            )],
            Some(clean),
        );
        assert_eq!(reconciliation_allowed(&f), Ok(()));
        assert!(pending_danger(&f.chat_danger).is_none());
    }

    #[test]
    fn every_single_sign_of_risk_locks_in_the_right_direction() {
        for item in &SCREEN {
            for how in ["yes", "not_sure"] {
                let s = if how == "yes" {
                    screen(&[item.key], &[])
                } else {
                    screen(&[], &[item.key])
                };
                let facts = SafetyFacts {
                    latest_screen: Some(s.clone()),
                    ..Default::default()
                };
                match reconciliation_allowed(&facts) {
                    Err(Refusal::SafetyLock { toward_me, from_me }) => {
                        assert_eq!(toward_me, item.toward_me, "{}", item.key);
                        assert_eq!(from_me, !item.toward_me, "{}", item.key);
                    }
                    other => panic!("{} {how}: {other:?}", item.key),
                }
            }
        }
        let clean = SafetyFacts {
            latest_screen: Some(screen(&[], &[])),
            ..Default::default()
        };
        assert_eq!(reconciliation_allowed(&clean), Ok(()));
    }

    #[test]
    fn every_combination_of_two_answers_locks_iff_either_is_not_no() {
        for (i, a) in SCREEN.iter().enumerate() {
            for b in SCREEN.iter().skip(i + 1) {
                let answers = ["yes", "no", "not_sure"];
                let pairs = answers
                    .iter()
                    .flat_map(|va| answers.iter().map(move |vb| (*va, *vb)));
                let mut tried = 0;
                for (va, vb) in pairs {
                    tried += 1;
                    let mut yes = vec![];
                    let mut ns = vec![];
                    for (k, v) in [(a.key, va), (b.key, vb)] {
                        match v {
                            "yes" => yes.push(k),
                            "not_sure" => ns.push(k),
                            _ => {}
                        }
                    }
                    let s = screen(&yes, &ns);
                    assert_eq!(
                        s.locks(),
                        !(va == "no" && vb == "no"),
                        "{}={va}, {}={vb}",
                        a.key,
                        b.key
                    );
                }
                assert_eq!(tried, 9, "all nine pairs of answers");
            }
        }
    }

    #[test]
    fn the_lock_names_what_was_answered_and_retaking_waits_a_day() {
        let s = screen(&[], &["afraid"]);
        assert_eq!(
            s.named_answers(),
            vec!["You were not sure about: “Are you, or were you, afraid of them?”".to_string()]
        );
        let t0 = jiff::Timestamp::from_second(1_780_000_000).unwrap();
        let later = |h: i64| t0.checked_add(jiff::Span::new().hours(h)).unwrap();
        assert_eq!(retake_from(Some((&s, t0)), later(23)), Some(later(24)));
        assert_eq!(retake_from(Some((&s, t0)), later(24)), None);
        // A screen without risk can be taken again at once; so can the first one.
        assert_eq!(retake_from(Some((&screen(&[], &[]), t0)), t0), None);
        assert_eq!(retake_from(None, t0), None);
        let explained = Refusal::SafetyLock {
            toward_me: true,
            from_me: false,
        }
        .explain();
        assert!(explained.contains("not sure"), "{explained}");
    }

    #[test]
    fn an_unanswered_item_is_refused() {
        let fields = vec![("hurt_me".to_string(), "no".to_string())];
        let e = validate_screen(&fields, TODAY).unwrap_err();
        assert_eq!(e.0.len(), SCREEN.len() - 1);
    }

    #[test]
    fn no_screen_means_no_reconciliation_help() {
        assert_eq!(
            reconciliation_allowed(&SafetyFacts::default()),
            Err(Refusal::ScreenNeeded)
        );
    }

    #[test]
    fn a_problem_marked_as_abuse_locks_until_the_screen_is_retaken() {
        let earlier = ScreenResult {
            on: date(2026, 11, 1),
            ..screen(&[], &[])
        };
        let mut f = SafetyFacts {
            latest_screen: Some(earlier),
            abuse_problems_marked: vec![date(2026, 11, 10)],
            ..Default::default()
        };
        assert!(matches!(
            reconciliation_allowed(&f),
            Err(Refusal::SafetyLock { .. })
        ));
        f.latest_screen = Some(ScreenResult {
            on: date(2026, 11, 20),
            ..screen(&[], &[])
        });
        assert_eq!(reconciliation_allowed(&f), Ok(()));
    }

    #[test]
    fn the_exs_no_is_final_and_outreach_has_its_limits() {
        let clean = Some(screen(&[], &[]));
        let f = SafetyFacts {
            latest_screen: clean.clone(),
            ex_no: Some(ExNo {
                on: TODAY,
                kind: ExNoKind::Blocked,
            }),
            ..Default::default()
        };
        assert_eq!(
            outreach_allowed(&f, TODAY),
            Err(Refusal::ExSaidNo {
                kind: ExNoKind::Blocked
            })
        );
        let f = SafetyFacts {
            latest_screen: clean.clone(),
            ended_on: Some(date(2026, 11, 10)),
            record_started: Some(date(2026, 9, 1)),
            ..Default::default()
        };
        assert_eq!(
            outreach_allowed(&f, TODAY),
            Err(Refusal::CoolingOff {
                until: date(2026, 12, 10)
            })
        );
        let f = SafetyFacts {
            latest_screen: clean.clone(),
            ended_on: Some(date(2026, 1, 1)),
            record_started: Some(date(2026, 11, 1)),
            ..Default::default()
        };
        assert_eq!(
            outreach_allowed(&f, TODAY),
            Err(Refusal::RecordTooShort {
                until: date(2026, 12, 1)
            })
        );
        let ok = SafetyFacts {
            latest_screen: clean,
            ended_on: Some(date(2026, 1, 1)),
            record_started: Some(date(2026, 9, 1)),
            ..Default::default()
        };
        assert_eq!(outreach_allowed(&ok, TODAY), Ok(()));
        let used = SafetyFacts {
            outreach_sent: 1,
            ..ok.clone()
        };
        assert_eq!(outreach_allowed(&used, TODAY), Err(Refusal::OutreachUsed));
        let answered = SafetyFacts {
            outreach_sent: 1,
            last_outreach_answered: true,
            ..ok
        };
        assert_eq!(outreach_allowed(&answered, TODAY), Ok(()));
    }

    fn open_facts() -> SafetyFacts {
        SafetyFacts {
            latest_screen: Some(screen(&[], &[])),
            ended_on: Some(date(2026, 1, 1)),
            record_started: Some(date(2026, 9, 1)),
            ..Default::default()
        }
    }

    fn boundary(kind: ChatBoundaryKind, unanswered: u32) -> ChatBoundary {
        ChatBoundary {
            on: date(2026, 3, 3),
            kind,
            unanswered_after: unanswered,
            reopened: false,
            answered: false,
        }
    }

    #[test]
    fn a_request_for_no_contact_in_the_chat_pauses_outreach_until_answered() {
        for kind in [
            ChatBoundaryKind::NoContact,
            ChatBoundaryKind::Blocked,
            ChatBoundaryKind::Space,
        ] {
            let mut f = open_facts();
            f.chat_boundaries = vec![boundary(kind, 0)];
            assert_eq!(
                outreach_allowed(&f, TODAY),
                Err(Refusal::BoundaryInChat {
                    on: date(2026, 3, 3),
                    kind
                })
            );
            assert!(reconciliation_allowed(&f).is_err());
            let text = Refusal::BoundaryInChat {
                on: date(2026, 3, 3),
                kind,
            }
            .explain();
            assert!(text.contains("3 March 2026"), "{text}");
            f.chat_boundaries[0].answered = true;
            assert_eq!(outreach_allowed(&f, TODAY), Ok(()), "{kind:?} answered");
            f.chat_boundaries[0].answered = false;
            f.chat_boundaries[0].reopened = true;
            assert_eq!(outreach_allowed(&f, TODAY), Ok(()), "{kind:?} reopened");
        }
        // Their ending alone is the premise of the app, not a pause.
        let mut f = open_facts();
        f.chat_boundaries = vec![boundary(ChatBoundaryKind::Ended, 0)];
        assert_eq!(outreach_allowed(&f, TODAY), Ok(()));
    }

    #[test]
    fn unanswered_messages_after_their_boundary_count_as_outreach_made() {
        let mut f = open_facts();
        let mut b = boundary(ChatBoundaryKind::NoContact, 4);
        b.answered = true;
        f.chat_boundaries = vec![b];
        assert_eq!(
            outreach_allowed(&f, TODAY),
            Err(Refusal::UnansweredAfterBoundary {
                on: date(2026, 3, 3),
                kind: ChatBoundaryKind::NoContact,
                count: 4
            })
        );
        // After an ending, one message is not pressing; two are.
        f.chat_boundaries = vec![boundary(ChatBoundaryKind::Ended, 1)];
        assert_eq!(outreach_allowed(&f, TODAY), Ok(()));
        f.chat_boundaries = vec![boundary(ChatBoundaryKind::Ended, 2)];
        let r = outreach_allowed(&f, TODAY).unwrap_err();
        assert!(
            r.explain().contains("you sent 2 messages"),
            "{}",
            r.explain()
        );
        // They wrote again: the talk reopened.
        f.chat_boundaries[0].reopened = true;
        assert_eq!(outreach_allowed(&f, TODAY), Ok(()));
    }

    #[test]
    fn crisis_words_are_found_in_any_case_and_ordinary_words_are_not() {
        for t in [
            "I want to die",
            "Honestly I can’t go on",
            "SUICIDE",
            "he said he's going to kill me",
        ] {
            assert!(mentions_crisis(t), "{t}");
        }
        for t in [
            "killer workout today",
            "I died laughing",
            "kept it, felt good",
            "cut back on coffee",
        ] {
            assert!(!mentions_crisis(t), "{t}");
        }
    }
}
