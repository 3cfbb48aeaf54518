//! The honest outlook (SPEC §3): what the person's own record and answers
//! suggest, each factor named with the page it comes from, in one plain
//! sentence, leaning "helps", "works against" or "can't tell yet".
//!
//! Rules (domain.md §0, §A's caveat on prediction, §B):
//! - never a score of the ex, never a forecast of their answer, never a
//!   promise: what they said is quoted, never read into, and always leans
//!   "can't tell yet"; no number here is a likelihood of anything;
//! - a factor leans on what the person can see and change: their record,
//!   their plan, their readiness, and whether they respect a boundary;
//! - under the safety lock or after their no, only the person's own recovery
//!   is spoken about (the record and the readiness for their own changes),
//!   with a sentence that says why.

use jiff::civil::Date;
use serde::Serialize;

use super::problem::{Category, Whose};
use super::readiness::{ExAnswer, Readiness, SelfCheck, Stage};
use super::record::RecordSummary;
use crate::safety::{
    COOLING_OFF_DAYS, ChatBoundaryKind, MIN_RECORD_DAYS, Refusal, SafetyFacts, safety_lock,
};

/// Which way a factor points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Leaning {
    Helps,
    WorksAgainst,
    Unknown,
}

impl Leaning {
    pub fn label(self) -> &'static str {
        match self {
            Leaning::Helps => "helps",
            Leaning::WorksAgainst => "works against",
            Leaning::Unknown => "can't tell yet",
        }
    }

    /// For CSS classes and JSON-like keys.
    pub fn key(self) -> &'static str {
        match self {
            Leaning::Helps => "helps",
            Leaning::WorksAgainst => "works_against",
            Leaning::Unknown => "unknown",
        }
    }
}

/// The heading a factor is listed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Safety,
    WentWrong,
    Record,
    Readiness,
    Them,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::Safety,
        Group::WentWrong,
        Group::Record,
        Group::Readiness,
        Group::Them,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Group::Safety => "Safety first",
            Group::WentWrong => "What went wrong",
            Group::Record => "What you have changed",
            Group::Readiness => "How ready you are",
            Group::Them => "Their side, in their own words",
        }
    }
}

/// What a factor is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Safety,
    Problems,
    Chat,
    Commitment,
    RecordLength,
    Lapses,
    Gaps,
    Confirmations,
    Readiness,
    SelfCheck,
    LookingBack,
    TheirPart,
    TheirWords,
    Boundary,
    Outreach,
    TimeSinceEnd,
}

impl Kind {
    /// Kinds about the person's own recovery: the only ones shown under the
    /// safety lock or after their no.
    pub fn own_recovery(self) -> bool {
        matches!(
            self,
            Kind::Commitment
                | Kind::RecordLength
                | Kind::Lapses
                | Kind::Gaps
                | Kind::Confirmations
                | Kind::Readiness
        )
    }
}

/// Where a factor comes from: the page (and the command, when there is one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub page: &'static str,
    pub path: &'static str,
    pub command: Option<&'static str>,
}

const SAFETY: Source = Source {
    page: "Safety questions",
    path: "/h/screen",
    command: Some("rekindle safety status"),
};
const PLAN: Source = Source {
    page: "Plan",
    path: "/p",
    command: Some("rekindle problem list"),
};
const CHAT: Source = Source {
    page: "What the chat shows",
    path: "/w",
    command: Some("rekindle outlook --chat"),
};
const IMPORT: Source = Source {
    page: "Import your chat",
    path: "/i",
    command: Some("rekindle import FILE"),
};
const RECORD: Source = Source {
    page: "Track record",
    path: "/t",
    command: Some("rekindle record"),
};
const GUARD: Source = Source {
    page: "Guard against repeats",
    path: "/g",
    command: Some("rekindle pattern"),
};
const SHARE: Source = Source {
    page: "Share",
    path: "/x",
    command: Some("rekindle share list"),
};
const SERIOUSNESS: Source = Source {
    page: "Check seriousness",
    path: "/s",
    command: Some("rekindle readiness"),
};
const SELF_CHECK: Source = Source {
    page: "Check seriousness",
    path: "/s",
    command: None,
};
const THEIR_ANSWER: Source = Source {
    page: "Their answer",
    path: "/h/no",
    command: Some("rekindle safety boundary"),
};
const LETTER: Source = Source {
    page: "Letter",
    path: "/x/letter",
    command: Some("rekindle letter"),
};
const RELATIONSHIP: Source = Source {
    page: "The relationship",
    path: "/r",
    command: None,
};

/// One thing the outlook looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Factor {
    pub kind: Kind,
    pub group: Group,
    /// A short name ("No alcohol", "How long the record is").
    pub title: String,
    pub source: Source,
    /// What it suggests, in one plain sentence (sometimes two short ones).
    pub suggests: String,
    pub leaning: Leaning,
}

/// How much the outlook speaks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Everything: the person's side and, in their own words, the ex's.
    Whole,
    /// Only the person's own recovery.
    OwnRecovery,
}

/// Why the outlook speaks only about the person's own recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnReason {
    /// The safety lock: signs that the person was hurt, threatened or controlled.
    SafetyToMe,
    /// The safety lock: signs that the person hurt, threatened or controlled the ex.
    SafetyFromMe,
    /// The ex said no, asked for no contact, or blocked.
    TheirNo,
}

/// The outlook: the factors, and a paragraph that puts them together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outlook {
    pub scope: Scope,
    pub reason: Option<OwnReason>,
    /// Why only the person's own recovery is spoken about, when it is.
    pub why: Option<String>,
    /// The overall paragraph: never a promise, never a score of the ex.
    pub summary: String,
    pub factors: Vec<Factor>,
}

impl Outlook {
    pub fn count(&self, leaning: Leaning) -> usize {
        self.factors.iter().filter(|f| f.leaning == leaning).count()
    }

    /// The factors under one heading, in order.
    pub fn in_group(&self, group: Group) -> impl Iterator<Item = &Factor> {
        self.factors.iter().filter(move |f| f.group == group)
    }
}

/// One commitment with its record and its latest readiness answer.
#[derive(Debug, Clone)]
pub struct CommitmentFacts {
    pub title: String,
    pub summary: RecordSummary,
    /// The day of the latest lapse, if any.
    pub last_lapse: Option<Date>,
    pub readiness: Option<Readiness>,
}

/// One problem from step 1, and whether step 2 answered it.
#[derive(Debug, Clone)]
pub struct ProblemFacts {
    pub title: String,
    pub category: Category,
    pub whose: Whose,
    pub answered: bool,
    /// The condition to see from them before reconciling is written down.
    pub has_condition: bool,
}

/// A topic that came up again and again in the chat's arguments.
#[derive(Debug, Clone)]
pub struct ChatTopic {
    /// "drinking", "jealousy and trust".
    pub label: String,
    pub category: Category,
    /// In how many arguments it came up.
    pub arguments: usize,
}

/// What is known about the chat without analysing it again.
#[derive(Debug, Clone, Default)]
pub enum ChatFacts {
    /// No chat imported.
    #[default]
    None,
    /// Imported, but its post-mortem was not at hand.
    NotRead { messages: u64 },
    /// Its post-mortem: the topics argued about most, most first.
    Read { topics: Vec<ChatTopic> },
}

/// The one considered message, once the person says they sent it.
#[derive(Debug, Clone, Copy)]
pub struct SentLetter {
    pub sent_on: Date,
    /// `Some(true)`: they answered yes to talking. A no is their no.
    pub reply: Option<bool>,
}

/// Everything the outlook reads, gathered from the store by the caller.
#[derive(Debug, Clone)]
pub struct OutlookInput {
    pub today: Date,
    pub safety: SafetyFacts,
    pub commitments: Vec<CommitmentFacts>,
    pub problems: Vec<ProblemFacts>,
    pub self_check: Option<SelfCheck>,
    /// What the ex said, oldest first.
    pub their_words: Vec<ExAnswer>,
    pub letter: Option<SentLetter>,
    /// Confirmations of progress from people the person shared with.
    pub confirmations: usize,
    pub chat: ChatFacts,
}

impl OutlookInput {
    /// Nothing known yet, as of `today`.
    pub fn empty(today: Date) -> OutlookInput {
        OutlookInput {
            today,
            safety: SafetyFacts::default(),
            commitments: Vec::new(),
            problems: Vec::new(),
            self_check: None,
            their_words: Vec::new(),
            letter: None,
            confirmations: 0,
            chat: ChatFacts::None,
        }
    }
}

/// "3 March 2026".
fn day(d: Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

fn days_between(from: Date, to: Date) -> i64 {
    to.since(from).map(|s| i64::from(s.get_days())).unwrap_or(0)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "5,001".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// At most this many characters of their words are quoted in a sentence.
const QUOTE_CHARS: usize = 240;

fn quote(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= QUOTE_CHARS {
        flat
    } else {
        let cut: String = flat.chars().take(QUOTE_CHARS).collect();
        format!("{}…", cut.trim_end())
    }
}

fn factor(
    kind: Kind,
    group: Group,
    title: impl Into<String>,
    source: Source,
    leaning: Leaning,
    suggests: impl Into<String>,
) -> Factor {
    Factor {
        kind,
        group,
        title: title.into(),
        source,
        suggests: suggests.into(),
        leaning,
    }
}

/// The outlook for what is stored.
pub fn outlook(input: &OutlookInput) -> Outlook {
    let reason = match safety_lock(&input.safety) {
        Some(Refusal::SafetyLock { from_me: true, .. }) => Some(OwnReason::SafetyFromMe),
        Some(_) => Some(OwnReason::SafetyToMe),
        None => input.safety.ex_no.as_ref().map(|_| OwnReason::TheirNo),
    };
    let scope = if reason.is_some() {
        Scope::OwnRecovery
    } else {
        Scope::Whole
    };
    let mut factors = Vec::new();
    if scope == Scope::Whole {
        factors.push(safety_factor(input));
        factors.extend(problem_factors(input));
        factors.extend(chat_factors(input));
    }
    factors.extend(record_factors(input, scope));
    factors.extend(readiness_factors(input));
    if scope == Scope::Whole {
        factors.extend(self_check_factors(input));
        factors.extend(their_side_factors(input));
    }
    // Belt and braces: nothing but the person's own recovery under the lock
    // or after their no, whatever a builder above returned.
    if scope == Scope::OwnRecovery {
        factors.retain(|f| f.kind.own_recovery());
    }
    factors.sort_by_key(|f| f.group);
    let why = reason.map(why_own_recovery);
    let summary = summary(scope, input, &factors);
    Outlook {
        scope,
        reason,
        why,
        summary,
        factors,
    }
}

fn why_own_recovery(reason: OwnReason) -> String {
    match reason {
        OwnReason::SafetyToMe => "Your safety answers leave a question about your safety open. So this outlook speaks only about your own recovery: your record and how ready you are for your own changes. It says nothing about reconciling while there are signs of danger; your safety comes first.".into(),
        OwnReason::SafetyFromMe => "Your answers show that you may have hurt, threatened or controlled them. So this outlook speaks only about your own change: your record and how ready you are for it. It says nothing about winning them back while that is so.".into(),
        OwnReason::TheirNo => "They have given their answer, and it is final here. So this outlook speaks only about your own recovery: your record and how ready you are for your own changes.".into(),
    }
}

fn summary(scope: Scope, input: &OutlookInput, factors: &[Factor]) -> String {
    let n = |l: Leaning| factors.iter().filter(|f| f.leaning == l).count();
    let (helps, against, unknown) = (
        n(Leaning::Helps),
        n(Leaning::WorksAgainst),
        n(Leaning::Unknown),
    );
    let tally = |suffix: &str| {
        let mut parts = Vec::new();
        if helps > 0 {
            parts.push(format!(
                "{helps} {}{suffix}",
                if helps == 1 { "helps" } else { "help" }
            ));
        }
        if against > 0 {
            parts.push(format!(
                "{against} {}",
                if against == 1 {
                    "works against"
                } else {
                    "work against"
                }
            ));
        }
        if unknown > 0 {
            parts.push(format!("{unknown} can't be told yet"));
        }
        if helps == 0 && against == 0 {
            return format!(
                "It is too early for {} to say much yet.",
                if factors.len() == 1 {
                    "this point".to_string()
                } else {
                    format!("any of these {} points", factors.len())
                }
            );
        }
        let listed = match parts.len() {
            0 => "none can be told yet".to_string(),
            1 => parts.concat(),
            n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
        };
        format!(
            "Of these {}, {listed}.",
            plural(factors.len(), "point", "points")
        )
    };
    let mut out = Vec::new();
    match scope {
        Scope::Whole => {
            if input.safety.latest_screen.is_none() {
                out.push("Please answer the safety questions first: they come before anything about reconciling.".into());
            }
            out.push(tally(""));
            if against > 0 {
                out.push("What works against you here is mostly in your hands: each point links to the page where you can work on it.".into());
            }
            out.push("Nothing here can tell what they will decide: that is theirs alone. A strong record shows that a change is real; it does not decide their answer, and it is worth having whatever they say.".into());
        }
        Scope::OwnRecovery => {
            out.push(tally(" your recovery"));
            out.push("The changes you make are yours to keep, whatever happens.".into());
        }
    }
    out.join(" ")
}

fn safety_factor(input: &OutlookInput) -> Factor {
    // A sign of danger in the chat that waits for the user's answer comes
    // before anything the screen said.
    if let Some(d) = crate::safety::pending_danger(&input.safety.chat_danger) {
        return factor(
            Kind::Safety,
            Group::Safety,
            "Signs of danger in your chat",
            SAFETY,
            Leaning::WorksAgainst,
            format!(
                "Your chat has a message from {} in which {}. Until you say what it was, on the safety page, nothing here helps you reach out; if you are afraid, the help lines are there now.",
                day(d.on),
                d.phrase()
            ),
        );
    }
    match &input.safety.latest_screen {
        None => factor(
            Kind::Safety,
            Group::Safety,
            "Safety questions",
            SAFETY,
            Leaning::Unknown,
            "You have not answered the safety questions yet. They take a minute, ask in both directions, and come before anything about reconciling.",
        ),
        Some(s) => factor(
            Kind::Safety,
            Group::Safety,
            "Safety questions",
            SAFETY,
            Leaning::Helps,
            format!(
                "Your answers of {} showed no signs of harm in either direction. If anything changes, answer them again.",
                day(s.on)
            ),
        ),
    }
}

fn problem_factors(input: &OutlookInput) -> Vec<Factor> {
    let mut out = Vec::new();
    if input.problems.is_empty() {
        out.push(factor(
            Kind::Problems,
            Group::WentWrong,
            "Problems written down",
            PLAN,
            Leaning::Unknown,
            "You have not written down what went wrong yet. Understanding it, your part included, is where real change starts.",
        ));
        return out;
    }
    let own: Vec<&ProblemFacts> = input
        .problems
        .iter()
        .filter(|p| p.whose != Whose::Theirs)
        .collect();
    let open = own.iter().filter(|p| !p.answered).count();
    out.push(if own.is_empty() {
        factor(
            Kind::Problems,
            Group::WentWrong,
            "Your part",
            PLAN,
            Leaning::Unknown,
            "Every problem you wrote down is marked as theirs. Most breakups have a part for each person; asking “what was my part?” gives you something you can change.",
        )
    } else if open == 0 {
        factor(
            Kind::Problems,
            Group::WentWrong,
            "Your answers to what went wrong",
            PLAN,
            Leaning::Helps,
            format!(
                "{} that {} yours or shared {} a full answer: what you will do differently, an if-then plan and a commitment.",
                if own.len() == 1 { "The one problem".to_string() } else { format!("Each of the {} problems", own.len()) },
                if own.len() == 1 { "is" } else { "are" },
                "has",
            ),
        )
    } else {
        factor(
            Kind::Problems,
            Group::WentWrong,
            "Your answers to what went wrong",
            PLAN,
            Leaning::WorksAgainst,
            format!(
                "{open} of the {} that {} yours or shared still {} a full answer: what you will do differently, an if-then plan and a commitment.",
                plural(own.len(), "problem", "problems"),
                if own.len() == 1 { "is" } else { "are" },
                if open == 1 { "needs" } else { "need" },
            ),
        )
    });
    let theirs: Vec<&ProblemFacts> = input
        .problems
        .iter()
        .filter(|p| matches!(p.whose, Whose::Theirs | Whose::Both))
        .collect();
    if !theirs.is_empty() {
        let without = theirs.iter().filter(|p| !p.has_condition).count();
        out.push(if without > 0 {
            factor(
                Kind::TheirPart,
                Group::Them,
                "What you need to see from them",
                PLAN,
                Leaning::WorksAgainst,
                format!(
                    "For {} that {} partly or wholly theirs, you have not written down what you would need to see from them. Knowing it protects you from the same hurt again.",
                    plural(without, "problem", "problems"),
                    if without == 1 { "was" } else { "were" },
                ),
            )
        } else {
            factor(
                Kind::TheirPart,
                Group::Them,
                "What you need to see from them",
                PLAN,
                Leaning::Unknown,
                "You wrote down what you would need to see from them. Whether that has changed is theirs to show; rekindle does not guess.",
            )
        });
    }
    out
}

fn chat_factors(input: &OutlookInput) -> Vec<Factor> {
    match &input.chat {
        ChatFacts::None => vec![factor(
            Kind::Chat,
            Group::WentWrong,
            "Your chat",
            IMPORT,
            Leaning::Unknown,
            "No chat is imported. If you have your messages, the post-mortem can show what your arguments were about.",
        )],
        ChatFacts::NotRead { messages } => vec![factor(
            Kind::Chat,
            Group::WentWrong,
            "Your chat",
            CHAT,
            Leaning::Unknown,
            format!(
                "Your chat ({} messages) has not been read for this outlook yet. Once its post-mortem is open, this outlook also says whether your plan answers what your arguments were about.",
                thousands(*messages)
            ),
        )],
        ChatFacts::Read { topics } if topics.is_empty() => vec![factor(
            Kind::Chat,
            Group::WentWrong,
            "Your chat",
            CHAT,
            Leaning::Unknown,
            "In the chat, no one topic came up again and again in arguments.",
        )],
        ChatFacts::Read { topics } => topics
            .iter()
            .take(3)
            .map(|t| {
                let matching: Vec<&ProblemFacts> = input
                    .problems
                    .iter()
                    .filter(|p| p.category == t.category)
                    .collect();
                let start = format!(
                    "{} of the arguments in the chat were about {}",
                    t.arguments, t.label
                );
                let (leaning, rest) = match (matching.iter().find(|p| p.answered), matching.first())
                {
                    (Some(p), _) => (
                        Leaning::Helps,
                        format!(", and your problem “{}” has a full answer.", p.title),
                    ),
                    (None, Some(p)) => (
                        Leaning::WorksAgainst,
                        format!(
                            ", and your problem “{}” still needs a full answer.",
                            p.title
                        ),
                    ),
                    (None, None) => (
                        Leaning::WorksAgainst,
                        ", and none of the problems you wrote down is about it yet.".to_string(),
                    ),
                };
                factor(
                    Kind::Chat,
                    Group::WentWrong,
                    format!("Arguments about {}", t.label),
                    CHAT,
                    leaning,
                    format!("{start}{rest}"),
                )
            })
            .collect(),
    }
}

/// The window a commitment's record is read over: 30 days for daily ones,
/// 90 days (about 13 weeks) for weekly ones.
fn window(s: &RecordSummary) -> Option<&super::record::RateWindow> {
    let days = if s.weekly { 90 } else { 30 };
    s.windows.iter().find(|w| w.days == days)
}

fn record_factors(input: &OutlookInput, scope: Scope) -> Vec<Factor> {
    let mut out = Vec::new();
    for c in &input.commitments {
        let s = &c.summary;
        let (unit, units, least) = if s.weekly {
            ("week", "weeks", 3)
        } else {
            ("day", "days", 7)
        };
        let Some(w) = window(s) else { continue };
        let due = w.kept + w.lapsed + w.missed;
        let (leaning, text) = if due == 0 {
            (
                Leaning::Unknown,
                "Nothing is due yet: the record starts with your first check-in.".to_string(),
            )
        } else if due < least {
            (
                Leaning::Unknown,
                format!(
                    "Kept on {} of {} so far. That is a start; a few weeks will show more.",
                    w.kept,
                    plural(due as usize, unit, units)
                ),
            )
        } else {
            let base = format!(
                "In the last {} days: kept on {} of the {} it was due",
                w.days,
                w.kept,
                plural(due as usize, unit, units)
            );
            if w.kept * 5 >= due * 4 {
                let run = if s.current_streak >= 2 {
                    format!(
                        ", {} in a row now",
                        plural(s.current_streak as usize, unit, units)
                    )
                } else {
                    String::new()
                };
                (Leaning::Helps, format!("{base}{run}."))
            } else if w.kept * 2 < due {
                (
                    Leaning::WorksAgainst,
                    format!(
                        "{base}. That is an honest picture, not a verdict: the guard page helps find what gets in the way."
                    ),
                )
            } else {
                (
                    Leaning::Unknown,
                    format!("{base}: real progress, not yet steady."),
                )
            }
        };
        out.push(factor(
            Kind::Commitment,
            Group::Record,
            c.title.clone(),
            RECORD,
            leaning,
            text,
        ));
    }
    out.push(record_length(input, scope));
    let recent_lapses: u32 = input
        .commitments
        .iter()
        .filter_map(|c| c.summary.windows.iter().find(|w| w.days == 30))
        .map(|w| w.lapsed)
        .sum();
    let last_lapse = input.commitments.iter().filter_map(|c| c.last_lapse).max();
    if recent_lapses >= 3 {
        out.push(factor(
            Kind::Lapses,
            Group::Record,
            "Lapses",
            GUARD,
            Leaning::WorksAgainst,
            format!("{recent_lapses} lapses in the last 30 days. A lapse is data, not failure: the guard page shows what led to them and what to plan for."),
        ));
    } else if recent_lapses > 0 {
        out.push(factor(
            Kind::Lapses,
            Group::Record,
            "Lapses",
            GUARD,
            Leaning::Unknown,
            format!(
                "{} in the last 30 days, written down and not hidden. Each one shows what to plan for next.",
                plural(recent_lapses as usize, "lapse", "lapses")
            ),
        ));
    } else if let Some(d) = last_lapse {
        out.push(factor(
            Kind::Lapses,
            Group::Record,
            "Lapses",
            GUARD,
            Leaning::Helps,
            format!(
                "Your last lapse was on {}, more than 30 days ago, and it stays in the record.",
                day(d)
            ),
        ));
    }
    let missed: u32 = input
        .commitments
        .iter()
        .filter_map(|c| c.summary.windows.iter().find(|w| w.days == 30))
        .map(|w| w.missed)
        .sum();
    if missed >= 3 {
        out.push(factor(
            Kind::Gaps,
            Group::Record,
            "Check-ins left open",
            RECORD,
            Leaning::WorksAgainst,
            format!("{missed} check-ins due in the last 30 days were never answered. A day without an answer does not count as kept, so the record shows less than you may have done."),
        ));
    }
    if input.confirmations > 0 {
        out.push(factor(
            Kind::Confirmations,
            Group::Record,
            "Confirmed by people you trust",
            SHARE,
            Leaning::Helps,
            format!(
                "{} from people you shared your progress with: someone else saw the change too.",
                plural(input.confirmations, "confirmation", "confirmations")
            ),
        ));
    }
    out
}

fn record_length(input: &OutlookInput, scope: Scope) -> Factor {
    let title = "How long the record is";
    if input.commitments.is_empty() {
        return factor(
            Kind::RecordLength,
            Group::Record,
            title,
            Source {
                command: Some("rekindle plan"),
                ..PLAN
            },
            Leaning::Unknown,
            "There is no commitment to keep yet. A record of kept commitments is the clearest way to see change; it starts with a plan.",
        );
    }
    let Some(start) = input.safety.record_started else {
        return factor(
            Kind::RecordLength,
            Group::Record,
            title,
            RECORD,
            Leaning::Unknown,
            "Nothing has been written down on its day yet. Only check-ins written down on the day they are about count toward the record.",
        );
    };
    let n = days_between(start, input.today);
    let days = plural(usize::try_from(n).unwrap_or(0), "day", "days");
    let goes_back = if n <= 0 {
        "Your record starts today".to_string()
    } else {
        format!("Your record goes back {days}")
    };
    if n < MIN_RECORD_DAYS {
        match scope {
            Scope::Whole => factor(
                Kind::RecordLength,
                Group::Record,
                title,
                RECORD,
                Leaning::WorksAgainst,
                format!(
                    "{goes_back}. Change shows over weeks and months; rekindle asks for at least {MIN_RECORD_DAYS} days before any reaching out."
                ),
            ),
            Scope::OwnRecovery => factor(
                Kind::RecordLength,
                Group::Record,
                title,
                RECORD,
                Leaning::Unknown,
                format!(
                    "{goes_back}. Change shows over weeks and months; keep going at your own pace."
                ),
            ),
        }
    } else if n < 90 {
        factor(
            Kind::RecordLength,
            Group::Record,
            title,
            RECORD,
            Leaning::Helps,
            format!("Your record goes back {days}, each check-in written down as it happened."),
        )
    } else {
        factor(
            Kind::RecordLength,
            Group::Record,
            title,
            RECORD,
            Leaning::Helps,
            format!("Your record goes back {days}: months of change, written down as it happened."),
        )
    }
}

fn readiness_factors(input: &OutlookInput) -> Vec<Factor> {
    input
        .commitments
        .iter()
        .map(|c| {
            let title = format!("Ready for: {}", c.title);
            let Some(r) = &c.readiness else {
                return factor(
                    Kind::Readiness,
                    Group::Readiness,
                    title,
                    SERIOUSNESS,
                    Leaning::Unknown,
                    "You have not said yet how ready you are for this change. Two quick questions from 0 to 10, once a week.",
                );
            };
            let on = day(r.on);
            let (leaning, text) = if r.importance <= 4 || r.stage == Stage::NotSure {
                (
                    Leaning::WorksAgainst,
                    format!(
                        "On {on} you said this change matters {}/10 to you{}. A change that matters to you yourself is easier to keep: what would make it matter more?",
                        r.importance,
                        if r.stage == Stage::NotSure { ", and you were not sure it needs to change" } else { "" }
                    ),
                )
            } else if r.confidence <= 4 {
                (
                    Leaning::WorksAgainst,
                    format!(
                        "On {on} you felt {}/10 sure you can make this change. Support and a plan for your triggers can raise that: what would add one point?",
                        r.confidence
                    ),
                )
            } else if matches!(r.stage, Stage::Doing | Stage::Keeping)
                && r.importance >= 7
                && r.confidence >= 6
            {
                (
                    Leaning::Helps,
                    format!(
                        "On {on} you said “{}”; it matters {}/10 to you and you feel {}/10 sure you can keep it.",
                        r.stage.label(),
                        r.importance,
                        r.confidence
                    ),
                )
            } else {
                (
                    Leaning::Unknown,
                    format!(
                        "On {on} you said “{}” (it matters {}/10, sure {}/10). Getting ready is a real start; your record will show the rest.",
                        r.stage.label(),
                        r.importance,
                        r.confidence
                    ),
                )
            };
            factor(Kind::Readiness, Group::Readiness, title, SERIOUSNESS, leaning, text)
        })
        .collect()
}

fn self_check_factors(input: &OutlookInput) -> Vec<Factor> {
    let Some(s) = &input.self_check else {
        return vec![factor(
            Kind::SelfCheck,
            Group::Readiness,
            "Your commitment to the relationship",
            SELF_CHECK,
            Leaning::Unknown,
            "You have not answered the four questions about your own commitment yet. They are for you alone: no score, no right answer.",
        )];
    };
    let on = day(s.on);
    let [satisfaction, _, _, commitment] = s.answers;
    let mut out = vec![if commitment >= 6 {
        factor(
            Kind::SelfCheck,
            Group::Readiness,
            "Your commitment to the relationship",
            SELF_CHECK,
            Leaning::Helps,
            format!(
                "On {on} you answered {commitment} of 8 to wanting this relationship for the long term, with the changes it needs."
            ),
        )
    } else if commitment <= 3 {
        factor(
            Kind::SelfCheck,
            Group::Readiness,
            "Your commitment to the relationship",
            SELF_CHECK,
            Leaning::WorksAgainst,
            format!(
                "On {on} you answered {commitment} of 8 to wanting this relationship for the long term, with the changes it needs. It is worth asking yourself gently whether you want them back, or want the hurt to stop."
            ),
        )
    } else {
        factor(
            Kind::SelfCheck,
            Group::Readiness,
            "Your commitment to the relationship",
            SELF_CHECK,
            Leaning::Unknown,
            format!(
                "On {on} you answered {commitment} of 8 to wanting this relationship for the long term, with the changes it needs. Mixed feelings are normal, and worth listening to."
            ),
        )
    }];
    if satisfaction <= 3 {
        out.push(factor(
            Kind::LookingBack,
            Group::Readiness,
            "Looking back",
            SELF_CHECK,
            Leaning::WorksAgainst,
            format!("Looking back, you rated how good the relationship was for you at {satisfaction} of 8. Wanting back something that was mostly not good for you deserves a careful look."),
        ));
    }
    out
}

fn their_side_factors(input: &OutlookInput) -> Vec<Factor> {
    let mut out = Vec::new();
    if let Some(ended) = input.safety.ended_on {
        let n = days_between(ended, input.today);
        if (0..COOLING_OFF_DAYS).contains(&n) {
            out.push(factor(
                Kind::TimeSinceEnd,
                Group::Them,
                "Time since it ended",
                RELATIONSHIP,
                Leaning::WorksAgainst,
                format!(
                    "It ended {} ago. The first weeks are for your own footing; reaching out this early tends to reopen the wound for both of you.",
                    plural(usize::try_from(n).unwrap_or(0), "day", "days")
                ),
            ));
        }
    }
    let mut boundaries: Vec<_> = input.safety.chat_boundaries.iter().collect();
    boundaries.sort_by_key(|b| std::cmp::Reverse(b.on));
    for b in boundaries
        .into_iter()
        .filter(|b| b.kind != ChatBoundaryKind::Ended || b.pressing_messages() > 0)
        .take(3)
    {
        let on = day(b.on);
        let phrase = b.kind.phrase();
        let pressing = b.pressing_messages();
        let (leaning, text) = if b.reopened {
            (
                Leaning::Unknown,
                format!(
                    "On {on} they {phrase} in the chat, and wrote again later. That alone does not say what they want now."
                ),
            )
        } else if pressing > 0 {
            (
                Leaning::WorksAgainst,
                format!(
                    "After they {phrase} on {on}, {} got no reply. Waiting for them to reach out, without another message, is the respectful answer now.",
                    if pressing == 1 {
                        "one message of yours".to_string()
                    } else {
                        format!("{pressing} messages of yours")
                    }
                ),
            )
        } else if !b.answered {
            (
                Leaning::WorksAgainst,
                format!(
                    "On {on} they {phrase} in the chat. Until you say what that means for you, rekindle pauses anything that reaches out to them."
                ),
            )
        } else {
            (
                Leaning::Unknown,
                format!(
                    "On {on} they {phrase} in the chat, and you told rekindle what it means. Their boundary stays theirs to change."
                ),
            )
        };
        out.push(factor(
            Kind::Boundary,
            Group::Them,
            "A boundary in the chat",
            THEIR_ANSWER,
            leaning,
            text,
        ));
    }
    if let Some(l) = input.letter {
        out.push(match l.reply {
            Some(true) => factor(
                Kind::Outreach,
                Group::Them,
                "Your message",
                LETTER,
                Leaning::Helps,
                format!("They answered yes to your message of {}. That is their answer to talking, nothing more: let them set the pace.", day(l.sent_on)),
            ),
            _ => factor(
                Kind::Outreach,
                Group::Them,
                "Your message",
                LETTER,
                Leaning::Unknown,
                format!("You sent your one considered message on {}, and there is no reply so far. Waiting, without another message, is the respectful answer.", day(l.sent_on)),
            ),
        });
    }
    if input.their_words.is_empty() {
        out.push(factor(
            Kind::TheirWords,
            Group::Them,
            "Their words",
            SELF_CHECK,
            Leaning::Unknown,
            "Nothing they said is written down here. Their side is theirs to tell; rekindle never guesses it.",
        ));
    }
    for w in input.their_words.iter().rev().take(2) {
        out.push(factor(
            Kind::TheirWords,
            Group::Them,
            "Their words",
            SELF_CHECK,
            Leaning::Unknown,
            {
                let said = quote(&w.said);
                let stop = if said.ends_with(['.', '!', '?', '…']) {
                    ""
                } else {
                    "."
                };
                format!(
                    "On {} they said: “{said}”{stop} Only they can say what they meant; rekindle reads nothing into it.",
                    day(w.on),
                )
            },
        ));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use jiff::ToSpan;
    use jiff::civil::date;

    use super::*;
    use crate::method::checkin::Outcome;
    use crate::method::plan::{Commitment, CommitmentKind};
    use crate::method::record::summarize;
    use crate::safety::{ChatBoundary, ExNo, ExNoKind, SCREEN, ScreenResult, validate_screen};

    const TODAY: Date = date(2026, 11, 26);

    fn ago(n: i64) -> Date {
        TODAY.checked_sub(n.days()).unwrap()
    }

    fn screen(not_sure: &[&str]) -> ScreenResult {
        let fields: Vec<(String, String)> = SCREEN
            .iter()
            .map(|i| {
                let v = if not_sure.contains(&i.key) {
                    "not_sure"
                } else {
                    "no"
                };
                (i.key.to_string(), v.to_string())
            })
            .collect();
        validate_screen(&fields, ago(60)).unwrap()
    }

    /// A daily commitment started `days` ago; `pattern` from the oldest day:
    /// k kept, l lapsed, anything else unanswered. Today stays open.
    fn commitment(title: &str, days: i64, pattern: &str) -> CommitmentFacts {
        let c = Commitment {
            title: title.into(),
            kind: CommitmentKind::Daily,
            limit: None,
            unit: String::new(),
            start: ago(days),
            lapse_means: String::new(),
            pauses: vec![],
        };
        let answers: BTreeMap<Date, Outcome> = pattern
            .chars()
            .enumerate()
            .filter_map(|(i, ch)| {
                let o = match ch {
                    'k' => Outcome::Kept,
                    'l' => Outcome::Lapsed,
                    _ => return None,
                };
                Some((ago(days - i as i64), o))
            })
            .collect();
        let last_lapse = answers
            .iter()
            .filter(|(_, o)| **o == Outcome::Lapsed)
            .map(|(d, _)| *d)
            .max();
        CommitmentFacts {
            title: title.into(),
            summary: summarize(&c, &answers, TODAY),
            last_lapse,
            readiness: None,
        }
    }

    fn ready(stage: Stage, importance: u8, confidence: u8) -> Option<Readiness> {
        Some(Readiness {
            plan_id: 1,
            on: ago(3),
            importance,
            confidence,
            stage,
            note: String::new(),
        })
    }

    fn strong() -> OutlookInput {
        let mut c = commitment("No alcohol", 40, &"k".repeat(40));
        c.readiness = ready(Stage::Doing, 9, 8);
        OutlookInput {
            safety: SafetyFacts {
                latest_screen: Some(screen(&[])),
                record_started: Some(ago(40)),
                ended_on: Some(ago(120)),
                ..Default::default()
            },
            commitments: vec![c],
            problems: vec![ProblemFacts {
                title: "My drinking".into(),
                category: Category::SubstanceUse,
                whose: Whose::Mine,
                answered: true,
                has_condition: false,
            }],
            self_check: Some(SelfCheck {
                on: ago(5),
                answers: [6, 4, 7, 7],
                note: String::new(),
            }),
            their_words: vec![ExAnswer {
                on: ago(10),
                said: "I miss you, but I need to see it, not hear it.".into(),
            }],
            chat: ChatFacts::Read {
                topics: vec![ChatTopic {
                    label: "drinking".into(),
                    category: Category::SubstanceUse,
                    arguments: 12,
                }],
            },
            ..OutlookInput::empty(TODAY)
        }
    }

    fn leaning_of(o: &Outlook, kind: Kind) -> Vec<Leaning> {
        o.factors
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| f.leaning)
            .collect()
    }

    /// Words that would turn the outlook into a forecast, a score or a promise.
    const NEVER: [&str; 11] = [
        "chance",
        "likely",
        "likelihood",
        "%",
        "percent",
        "odds",
        "probab",
        "guarantee",
        "predict",
        "get back together",
        "will take you back",
    ];

    fn assert_no_forecast(o: &Outlook) {
        let mut all = vec![o.summary.clone()];
        all.extend(o.why.clone());
        for f in &o.factors {
            all.push(f.title.clone());
            all.push(f.suggests.clone());
        }
        for text in all {
            let lower = text.to_lowercase();
            for w in NEVER {
                assert!(!lower.contains(w), "“{w}” in: {text}");
            }
        }
    }

    #[test]
    fn an_empty_vault_says_what_is_missing_and_nothing_helps_yet() {
        let o = outlook(&OutlookInput::empty(TODAY));
        assert_eq!(o.scope, Scope::Whole);
        assert_eq!(o.why, None);
        assert_eq!(o.count(Leaning::Helps), 0);
        assert_eq!(o.count(Leaning::WorksAgainst), 0);
        for kind in [
            Kind::Safety,
            Kind::Problems,
            Kind::Chat,
            Kind::RecordLength,
            Kind::SelfCheck,
            Kind::TheirWords,
        ] {
            assert_eq!(leaning_of(&o, kind), vec![Leaning::Unknown], "{kind:?}");
        }
        assert!(
            o.summary.contains("safety questions first"),
            "{}",
            o.summary
        );
        assert!(o.summary.contains("theirs alone"), "{}", o.summary);
        // Every factor names its page; the safety factor comes first.
        assert_eq!(o.factors[0].kind, Kind::Safety);
        assert!(o.factors.iter().all(|f| f.source.path.starts_with('/')));
        assert_no_forecast(&o);
    }

    #[test]
    fn a_strong_record_helps_and_still_promises_nothing() {
        let o = outlook(&strong());
        assert_eq!(o.scope, Scope::Whole);
        assert_eq!(leaning_of(&o, Kind::Commitment), vec![Leaning::Helps]);
        assert_eq!(leaning_of(&o, Kind::RecordLength), vec![Leaning::Helps]);
        assert_eq!(leaning_of(&o, Kind::Readiness), vec![Leaning::Helps]);
        assert_eq!(leaning_of(&o, Kind::Safety), vec![Leaning::Helps]);
        assert_eq!(leaning_of(&o, Kind::Problems), vec![Leaning::Helps]);
        assert_eq!(leaning_of(&o, Kind::Chat), vec![Leaning::Helps]);
        assert_eq!(leaning_of(&o, Kind::SelfCheck), vec![Leaning::Helps]);
        assert_eq!(o.count(Leaning::WorksAgainst), 0);
        let record = o
            .factors
            .iter()
            .find(|f| f.kind == Kind::Commitment)
            .unwrap();
        assert_eq!(record.source.path, "/t");
        assert!(
            record.suggests.contains("kept on 29 of the 29 days"),
            "{}",
            record.suggests
        );
        // Even the best record does not decide their answer.
        assert!(o.summary.contains("does not decide their answer"));
        assert!(
            o.summary
                .contains("Of these 8 points, 7 help and 1 can't be told yet."),
            "{}",
            o.summary
        );
        // Their words are quoted and never read into, whatever they say.
        let words = o
            .factors
            .iter()
            .find(|f| f.kind == Kind::TheirWords)
            .unwrap();
        assert_eq!(words.leaning, Leaning::Unknown);
        assert!(words.suggests.contains("I miss you"));
        assert_no_forecast(&o);
    }

    #[test]
    fn lapses_and_gaps_are_named_kindly_and_work_against() {
        let mut input = strong();
        // 40 days: kept, then in the last 30: 4 lapses and 4 unanswered days.
        let pattern = format!("{}{}", "k".repeat(11), "kklkk.klkk.lkk.kklkkkkk.kkkkk");
        input.commitments = vec![commitment("No alcohol", 40, &pattern)];
        let o = outlook(&input);
        let lapses = o.factors.iter().find(|f| f.kind == Kind::Lapses).unwrap();
        assert_eq!(lapses.leaning, Leaning::WorksAgainst);
        assert!(lapses.suggests.contains("4 lapses in the last 30 days"));
        assert!(lapses.suggests.contains("data, not failure"));
        assert_eq!(lapses.source.path, "/g");
        assert_eq!(leaning_of(&o, Kind::Gaps), vec![Leaning::WorksAgainst]);
        assert_eq!(leaning_of(&o, Kind::Commitment), vec![Leaning::Unknown]);
        assert!(o.summary.contains("in your hands"));
        // One lapse, long ago: it stays in the record and no longer weighs.
        let mut input = strong();
        let pattern = format!("kkl{}", "k".repeat(37));
        input.commitments = vec![commitment("No alcohol", 40, &pattern)];
        let o = outlook(&input);
        let lapses = o.factors.iter().find(|f| f.kind == Kind::Lapses).unwrap();
        assert_eq!(lapses.leaning, Leaning::Helps);
        assert!(lapses.suggests.contains("stays in the record"));
        // Mostly lapses: an honest picture, not a verdict.
        let mut input = strong();
        input.commitments = vec![commitment("No alcohol", 20, "llllllkkllllklllkll")];
        let o = outlook(&input);
        let record = o
            .factors
            .iter()
            .find(|f| f.kind == Kind::Commitment)
            .unwrap();
        assert_eq!(record.leaning, Leaning::WorksAgainst);
        assert!(record.suggests.contains("not a verdict"));
        assert_no_forecast(&o);
    }

    fn only_own_recovery(o: &Outlook) {
        assert_eq!(o.scope, Scope::OwnRecovery);
        assert!(!o.factors.is_empty());
        for f in &o.factors {
            assert!(f.kind.own_recovery(), "{:?} shown: {}", f.kind, f.suggests);
            assert!(!f.suggests.contains("I miss you"));
            assert!(!f.suggests.contains("reaching out"), "{}", f.suggests);
        }
        assert!(
            !o.summary.contains("they will decide"),
            "nothing about their answer: {}",
            o.summary
        );
        assert!(o.summary.contains("yours to keep"));
        assert_no_forecast(o);
    }

    #[test]
    fn after_their_no_only_the_users_own_recovery() {
        let mut input = strong();
        input.safety.ex_no = Some(ExNo {
            on: ago(2),
            kind: ExNoKind::SaidNo,
        });
        input.letter = Some(SentLetter {
            sent_on: ago(4),
            reply: Some(false),
        });
        let o = outlook(&input);
        only_own_recovery(&o);
        assert_eq!(o.reason, Some(OwnReason::TheirNo));
        assert!(o.why.as_deref().unwrap().contains("final here"));
        assert_eq!(leaning_of(&o, Kind::Commitment), vec![Leaning::Helps]);
        assert_eq!(leaning_of(&o, Kind::Readiness), vec![Leaning::Helps]);
        // A short record is no reason to wait for anyone here.
        input.safety.record_started = Some(ago(10));
        let o = outlook(&input);
        only_own_recovery(&o);
        assert_eq!(leaning_of(&o, Kind::RecordLength), vec![Leaning::Unknown]);
    }

    #[test]
    fn a_sign_of_danger_in_the_chat_waiting_for_an_answer_works_against() {
        let mut input = strong();
        input.safety.chat_danger = vec![crate::safety::ChatDanger {
            on: date(2024, 3, 12),
            kind: crate::safety::ChatDangerKind::Threat,
            by_ex: true,
            answer: None,
        }];
        let o = outlook(&input);
        let f = o.factors.iter().find(|f| f.kind == Kind::Safety).unwrap();
        assert_eq!(f.leaning, Leaning::WorksAgainst);
        assert!(
            f.suggests.contains("they seem to threaten you"),
            "{}",
            f.suggests
        );
        input.safety.chat_danger[0].answer = Some(crate::safety::DangerAnswer::NotMeant);
        let o = outlook(&input);
        let f = o.factors.iter().find(|f| f.kind == Kind::Safety).unwrap();
        assert_eq!(f.leaning, Leaning::Helps);
    }

    #[test]
    fn under_the_safety_lock_only_the_users_own_recovery() {
        for (key, reason) in [
            ("afraid", OwnReason::SafetyToMe),
            ("they_afraid", OwnReason::SafetyFromMe),
        ] {
            let mut input = strong();
            input.safety.latest_screen = Some(screen(&[key]));
            let o = outlook(&input);
            only_own_recovery(&o);
            assert_eq!(o.reason, Some(reason));
            assert!(o.why.as_deref().unwrap().contains("only about your own"));
            assert!(!o.factors.iter().any(|f| f.kind == Kind::Safety));
        }
        // A problem marked as abuse locks as well; the lock comes before their no.
        let mut input = strong();
        input.safety.abuse_problems_marked = vec![ago(1)];
        input.safety.ex_no = Some(ExNo {
            on: ago(1),
            kind: ExNoKind::Blocked,
        });
        let o = outlook(&input);
        only_own_recovery(&o);
        assert_eq!(o.reason, Some(OwnReason::SafetyToMe));
    }

    #[test]
    fn their_boundaries_and_words_are_respected_never_read_into() {
        let mut input = strong();
        input.safety.chat_boundaries = vec![
            ChatBoundary {
                on: ago(200),
                kind: ChatBoundaryKind::Ended,
                unanswered_after: 1,
                reopened: false,
                answered: false,
            },
            ChatBoundary {
                on: ago(100),
                kind: ChatBoundaryKind::Space,
                unanswered_after: 3,
                reopened: false,
                answered: true,
            },
        ];
        input.their_words.push(ExAnswer {
            on: ago(1),
            said: "Maybe one day. ".repeat(40),
        });
        let o = outlook(&input);
        let b: Vec<&Factor> = o
            .factors
            .iter()
            .filter(|f| f.kind == Kind::Boundary)
            .collect();
        assert_eq!(b.len(), 1, "one goodbye after an ending is not pressing");
        assert_eq!(b[0].leaning, Leaning::WorksAgainst);
        assert!(b[0].suggests.contains("3 messages of yours got no reply"));
        assert_eq!(b[0].source.path, "/h/no");
        let words: Vec<&Factor> = o
            .factors
            .iter()
            .filter(|f| f.kind == Kind::TheirWords)
            .collect();
        assert_eq!(words.len(), 2);
        assert!(words.iter().all(|w| w.leaning == Leaning::Unknown));
        assert!(words[0].suggests.contains('…'), "long words are cut");
        // A request for space not yet answered pauses reaching out.
        input.safety.chat_boundaries[1].answered = false;
        input.safety.chat_boundaries[1].unanswered_after = 0;
        let o = outlook(&input);
        let b = o.factors.iter().find(|f| f.kind == Kind::Boundary).unwrap();
        assert!(b.suggests.contains("asked for space"), "{}", b.suggests);
        assert_eq!(b.leaning, Leaning::WorksAgainst);
        assert_no_forecast(&o);
    }

    #[test]
    fn the_chat_post_mortem_is_checked_against_the_plan() {
        let mut input = strong();
        input.chat = ChatFacts::Read {
            topics: vec![
                ChatTopic {
                    label: "drinking".into(),
                    category: Category::SubstanceUse,
                    arguments: 12,
                },
                ChatTopic {
                    label: "money".into(),
                    category: Category::Money,
                    arguments: 4,
                },
            ],
        };
        let o = outlook(&input);
        let chat: Vec<&Factor> = o.factors.iter().filter(|f| f.kind == Kind::Chat).collect();
        assert_eq!(chat[0].leaning, Leaning::Helps);
        assert!(chat[0].suggests.contains("“My drinking” has a full answer"));
        assert_eq!(chat[1].leaning, Leaning::WorksAgainst);
        assert!(chat[1].suggests.contains("none of the problems"));
        input.chat = ChatFacts::NotRead { messages: 5_001 };
        let o = outlook(&input);
        assert!(
            o.factors
                .iter()
                .any(|f| f.suggests.contains("(5,001 messages)")),
            "{:?}",
            o.factors
        );
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(leaning_of(&o, Kind::Chat), vec![Leaning::Unknown]);
        assert_eq!(
            o.factors
                .iter()
                .find(|f| f.kind == Kind::Chat)
                .unwrap()
                .source
                .path,
            "/w"
        );
    }

    #[test]
    fn early_days_and_low_readiness_are_said_plainly() {
        let mut input = strong();
        input.safety.ended_on = Some(ago(10));
        input.safety.record_started = Some(ago(5));
        input.commitments = vec![commitment("No alcohol", 5, "kkkkk")];
        input.commitments[0].readiness = ready(Stage::Thinking, 8, 3);
        input.self_check = Some(SelfCheck {
            on: ago(1),
            answers: [2, 4, 4, 3],
            note: String::new(),
        });
        let o = outlook(&input);
        assert_eq!(
            leaning_of(&o, Kind::TimeSinceEnd),
            vec![Leaning::WorksAgainst]
        );
        assert_eq!(
            leaning_of(&o, Kind::RecordLength),
            vec![Leaning::WorksAgainst]
        );
        assert_eq!(leaning_of(&o, Kind::Commitment), vec![Leaning::Unknown]);
        assert_eq!(leaning_of(&o, Kind::Readiness), vec![Leaning::WorksAgainst]);
        assert_eq!(leaning_of(&o, Kind::SelfCheck), vec![Leaning::WorksAgainst]);
        assert_eq!(
            leaning_of(&o, Kind::LookingBack),
            vec![Leaning::WorksAgainst]
        );
        assert_no_forecast(&o);
        // Factors come grouped in the method's order.
        let groups: Vec<Group> = o.factors.iter().map(|f| f.group).collect();
        let mut sorted = groups.clone();
        sorted.sort();
        assert_eq!(groups, sorted);
    }
}
