//! Taking things back (issue 17 item 3): every item the person wrote can be
//! withdrawn and brought back.
//!
//! Nothing is destroyed. Withdrawing a stored item appends a version that
//! marks it withdrawn ([`rekindle_store::items::withdrawal`]), so it leaves
//! every list, count and view; restoring appends its data again. A
//! commitment lives inside its plan, and a takeaway inside its book: taking
//! one back moves it to the plan's (book's) withdrawn list in a new version.
//! Check-ins are never touched: those of a withdrawn commitment stay in the
//! record, marked with the day it was withdrawn, and no longer count.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rekindle_core::FormErrors;
use rekindle_core::letter::Letter;
use rekindle_core::method::checkin::{CheckIn, local_day};
use rekindle_core::method::guard::Trigger;
use rekindle_core::method::plan::{Plan, WithdrawnCommitment};
use rekindle_core::method::problem::Problem;
use rekindle_core::support::{MyBook, Supporter, WithdrawnTakeaway};
use rekindle_store::Store;
use rekindle_store::items::{Item, withdrawal};
use serde::Serialize;

use crate::letter::LETTER;
use crate::method::{CHECKIN, MethodError, PLAN, PROBLEM, TRIGGER};
use crate::support::{BOOK, SUPPORTER};

/// What can be taken back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Problem,
    Plan,
    Commitment,
    Trigger,
    Supporter,
    Book,
    Takeaway,
    Letter,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Problem,
        Kind::Plan,
        Kind::Commitment,
        Kind::Trigger,
        Kind::Supporter,
        Kind::Book,
        Kind::Takeaway,
        Kind::Letter,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Problem => "problem",
            Kind::Plan => "plan",
            Kind::Commitment => "commitment",
            Kind::Trigger => "trigger",
            Kind::Supporter => "supporter",
            Kind::Book => "book",
            Kind::Takeaway => "takeaway",
            Kind::Letter => "letter",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim().to_ascii_lowercase();
        Kind::ALL.into_iter().find(|k| k.key() == s)
    }

    /// The keys, for help texts and messages.
    pub fn keys() -> String {
        Kind::ALL.map(Kind::key).join(", ")
    }

    /// What the person reads ("this problem", "this supporter").
    pub fn label(self) -> &'static str {
        match self {
            Kind::Problem => "problem",
            Kind::Plan => "plan",
            Kind::Commitment => "commitment",
            Kind::Trigger => "trigger",
            Kind::Supporter => "person in your support network",
            Kind::Book => "book",
            Kind::Takeaway => "takeaway",
            Kind::Letter => "letter",
        }
    }

    /// What withdrawing it changes, in plain words.
    pub fn effect(self) -> &'static str {
        match self {
            Kind::Problem => {
                "It leaves your list of problems, your progress and your reports, with its plan and commitment."
            }
            Kind::Plan => {
                "The problem goes back to having no plan; its commitment stops counting. Check-ins you made stay in your record, marked as withdrawn."
            }
            Kind::Commitment => {
                "It stops counting in your record from now on. The check-ins you made stay in the record, marked “commitment withdrawn”."
            }
            Kind::Trigger => "It leaves your list of triggers and tempting situations.",
            Kind::Supporter => "They leave your support network list.",
            Kind::Book => "It leaves your reading list, with its takeaways.",
            Kind::Takeaway => "It leaves the book's takeaways.",
            Kind::Letter => "It leaves your letters.",
        }
    }

    /// The stored kind of item it lives in.
    fn item_kind(self) -> &'static str {
        match self {
            Kind::Problem => PROBLEM,
            Kind::Plan | Kind::Commitment => PLAN,
            Kind::Trigger => TRIGGER,
            Kind::Supporter => SUPPORTER,
            Kind::Book | Kind::Takeaway => BOOK,
            Kind::Letter => LETTER,
        }
    }
}

/// One item to take back or bring back: its id and, for a takeaway (and a
/// withdrawn commitment), its number within the book (plan), 1 first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub kind: Kind,
    pub id: i64,
    pub n: Option<usize>,
}

impl Target {
    /// `id` is a number, or `BOOK.N` for a takeaway (`PLAN.N` for a
    /// withdrawn commitment). `None` when it is not one.
    pub fn parse(kind: &str, id: &str) -> Option<Target> {
        let kind = Kind::parse(kind)?;
        let (id, n) = match id.trim().split_once('.') {
            Some((a, b)) => (a, Some(b.parse::<usize>().ok().filter(|n| *n >= 1)?)),
            None => (id.trim(), None),
        };
        let id = id.parse::<i64>().ok().filter(|i| *i > 0)?;
        if n.is_some() && !matches!(kind, Kind::Takeaway | Kind::Commitment) {
            return None;
        }
        Some(Target { kind, id, n })
    }

    /// The id as the person types it (`12`, `12.2`).
    pub fn id_text(&self) -> String {
        match self.n {
            Some(n) => format!("{}.{n}", self.id),
            None => self.id.to_string(),
        }
    }
}

/// What was taken back or brought back, for the message and `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Done {
    pub kind: Kind,
    pub id: String,
    pub title: String,
}

/// One withdrawn item on the "Withdrawn items" list.
#[derive(Debug, Clone, Serialize)]
pub struct Withdrawn {
    pub kind: Kind,
    /// What `restore` takes.
    pub id: String,
    pub title: String,
    pub on: Date,
}

fn short(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut out: String = line.trim().chars().take(80).collect();
    if line.trim().chars().count() > 80 {
        out.push('…');
    }
    out
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// The stored item behind a target, of the right kind.
fn stored(store: &dyn Store, t: &Target) -> Result<Item, MethodError> {
    store
        .item(t.id)?
        .filter(|i| i.kind == t.kind.item_kind())
        .ok_or(MethodError::NotFound)
}

fn problem_title(store: &dyn Store, problem_id: i64) -> String {
    store
        .item(problem_id)
        .ok()
        .flatten()
        .and_then(|i| i.parse_kept::<Problem>())
        .map(|p| p.title)
        .unwrap_or_default()
}

/// The title of a live (not withdrawn) item, for the confirmation step.
pub fn title(store: &dyn Store, t: &Target) -> Result<String, MethodError> {
    let item = stored(store, t)?;
    let live = || -> Option<String> {
        Some(match t.kind {
            Kind::Problem => item.parse::<Problem>()?.title,
            Kind::Plan => {
                let p = item.parse::<Plan>()?;
                format!("The plan for “{}”", problem_title(store, p.problem_id))
            }
            Kind::Commitment => item.parse::<Plan>()?.commitment?.title,
            Kind::Trigger => item.parse::<Trigger>()?.description,
            Kind::Supporter => item.parse::<Supporter>()?.name,
            Kind::Book => item.parse::<MyBook>()?.title,
            Kind::Takeaway => item
                .parse::<MyBook>()?
                .takeaways
                .get(t.n?.checked_sub(1)?)
                .map(|s| short(s))?,
            Kind::Letter => short(&item.parse::<Letter>()?.text),
        })
    };
    live().ok_or(MethodError::NotFound)
}

/// Takes an item back. `NotFound` if there is no such live item.
pub fn withdraw(
    store: &mut dyn Store,
    t: &Target,
    today: Date,
    at: Timestamp,
) -> Result<Done, MethodError> {
    let title = title(store, t)?;
    let item = stored(store, t)?;
    let data = match t.kind {
        Kind::Commitment => {
            let mut plan: Plan = item.parse().ok_or(MethodError::NotFound)?;
            let commitment = plan.commitment.take().ok_or(MethodError::NotFound)?;
            plan.withdrawn.push(WithdrawnCommitment {
                commitment,
                on: today,
            });
            json(&plan)
        }
        Kind::Takeaway => {
            let mut book: MyBook = item.parse().ok_or(MethodError::NotFound)?;
            let index =
                t.n.and_then(|n| n.checked_sub(1))
                    .ok_or(MethodError::NotFound)?;
            if index >= book.takeaways.len() {
                return Err(MethodError::NotFound);
            }
            let text = book.takeaways.remove(index);
            book.withdrawn_takeaways
                .push(WithdrawnTakeaway { text, on: today });
            json(&book)
        }
        _ => withdrawal(item.current().ok_or(MethodError::NotFound)?, at),
    };
    store.save_item(t.kind.item_kind(), Some(t.id), &data, at)?;
    tracing::info!(event = "item_withdrawn", kind = t.kind.key());
    Ok(Done {
        kind: t.kind,
        id: t.id_text(),
        title,
    })
}

fn refused(message: &str) -> MethodError {
    let mut e = FormErrors::default();
    e.add("restore", message);
    MethodError::Form(e)
}

/// Brings a withdrawn item back as it was. `NotFound` if there is no such
/// withdrawn item; a form error when bringing it back would clash with
/// what replaced it (a problem's new plan, a plan's new commitment).
pub fn restore(store: &mut dyn Store, t: &Target, at: Timestamp) -> Result<Done, MethodError> {
    let item = stored(store, t)?;
    let (data, title) = match t.kind {
        Kind::Commitment => {
            let mut plan: Plan = item.parse().ok_or(MethodError::NotFound)?;
            let index = match t.n {
                Some(n) => n.checked_sub(1).ok_or(MethodError::NotFound)?,
                None => plan
                    .withdrawn
                    .len()
                    .checked_sub(1)
                    .ok_or(MethodError::NotFound)?,
            };
            if index >= plan.withdrawn.len() {
                return Err(MethodError::NotFound);
            }
            if plan.commitment.is_some() {
                return Err(refused(
                    "This plan has a new commitment now. Withdraw that one first, then bring this one back.",
                ));
            }
            let w = plan.withdrawn.remove(index);
            let title = w.commitment.title.clone();
            plan.commitment = Some(w.commitment);
            (json(&plan), title)
        }
        Kind::Takeaway => {
            let mut book: MyBook = item.parse().ok_or(MethodError::NotFound)?;
            let index =
                t.n.and_then(|n| n.checked_sub(1))
                    .ok_or(MethodError::NotFound)?;
            if index >= book.withdrawn_takeaways.len() {
                return Err(MethodError::NotFound);
            }
            let w = book.withdrawn_takeaways.remove(index);
            let title = short(&w.text);
            book.takeaways.push(w.text);
            (json(&book), title)
        }
        _ => {
            if item.withdrawn_at().is_none() {
                return Err(MethodError::NotFound);
            }
            let data = item.kept().cloned().ok_or(MethodError::NotFound)?;
            if t.kind == Kind::Plan {
                let plan: Plan = item.parse_kept().ok_or(MethodError::NotFound)?;
                let has_plan = crate::method::problems(store)?
                    .iter()
                    .any(|p| p.id == plan.problem_id && p.plan_id.is_some());
                if has_plan {
                    return Err(refused(
                        "This problem has a new plan now. Withdraw that one first, then bring this one back.",
                    ));
                }
            }
            let title = kept_title(store, &item, t.kind);
            (data, title)
        }
    };
    store.save_item(t.kind.item_kind(), Some(t.id), &data, at)?;
    tracing::info!(event = "item_restored", kind = t.kind.key());
    Ok(Done {
        kind: t.kind,
        id: t.id_text(),
        title,
    })
}

fn kept_title(store: &dyn Store, item: &Item, kind: Kind) -> String {
    match kind {
        Kind::Problem => item.parse_kept::<Problem>().map(|p| p.title),
        Kind::Plan => item
            .parse_kept::<Plan>()
            .map(|p| format!("The plan for “{}”", problem_title(store, p.problem_id))),
        Kind::Trigger => item.parse_kept::<Trigger>().map(|t| t.description),
        Kind::Supporter => item.parse_kept::<Supporter>().map(|s| s.name),
        Kind::Book => item.parse_kept::<MyBook>().map(|b| b.title),
        Kind::Letter => item.parse_kept::<Letter>().map(|l| short(&l.text)),
        Kind::Commitment | Kind::Takeaway => None,
    }
    .unwrap_or_default()
}

/// Everything withdrawn, newest first.
pub fn withdrawn(store: &dyn Store, tz: &TimeZone) -> Result<Vec<Withdrawn>, MethodError> {
    let mut out = Vec::new();
    for kind in [
        Kind::Problem,
        Kind::Plan,
        Kind::Trigger,
        Kind::Supporter,
        Kind::Book,
        Kind::Letter,
    ] {
        for item in store.items(kind.item_kind())? {
            if let Some(at) = item.withdrawn_at() {
                out.push(Withdrawn {
                    kind,
                    id: item.id.to_string(),
                    title: kept_title(store, &item, kind),
                    on: local_day(at, tz),
                });
            }
        }
    }
    for item in store.items(PLAN)? {
        if let Some(plan) = item.parse::<Plan>() {
            for (i, w) in plan.withdrawn.iter().enumerate() {
                out.push(Withdrawn {
                    kind: Kind::Commitment,
                    id: format!("{}.{}", item.id, i + 1),
                    title: w.commitment.title.clone(),
                    on: w.on,
                });
            }
        }
    }
    for item in store.items(BOOK)? {
        if let Some(book) = item.parse::<MyBook>() {
            for (i, w) in book.withdrawn_takeaways.iter().enumerate() {
                out.push(Withdrawn {
                    kind: Kind::Takeaway,
                    id: format!("{}.{}", item.id, i + 1),
                    title: short(&w.text),
                    on: w.on,
                });
            }
        }
    }
    out.sort_by_key(|w| std::cmp::Reverse(w.on));
    Ok(out)
}

/// The check-ins of a commitment that no longer counts, as they were made.
#[derive(Debug, Clone, Serialize)]
pub struct WithdrawnRecord {
    pub plan_id: i64,
    pub title: String,
    /// The day the commitment (or its plan, or its problem) was withdrawn.
    pub withdrawn_on: Date,
    /// Oldest first; never changed.
    pub checkins: Vec<CheckIn>,
}

/// The record of every withdrawn commitment that has check-ins: withdrawn
/// itself, or with its plan or problem. Oldest withdrawal first.
pub fn withdrawn_records(
    store: &dyn Store,
    tz: &TimeZone,
) -> Result<Vec<WithdrawnRecord>, MethodError> {
    let checkins: Vec<CheckIn> = store
        .items(CHECKIN)?
        .iter()
        .filter_map(|i| i.parse::<CheckIn>())
        .collect();
    let problems = store.items(PROBLEM)?;
    let mut out = Vec::new();
    for item in store.items(PLAN)? {
        let Some(plan) = item.parse_kept::<Plan>() else {
            continue;
        };
        let of_plan = |keep: &dyn Fn(Date) -> bool| -> Vec<CheckIn> {
            checkins
                .iter()
                .filter(|c| c.plan_id == item.id && keep(c.day))
                .cloned()
                .collect()
        };
        for w in &plan.withdrawn {
            out.push(WithdrawnRecord {
                plan_id: item.id,
                title: w.commitment.title.clone(),
                withdrawn_on: w.on,
                checkins: of_plan(&|d| w.covers(d)),
            });
        }
        // The current commitment of a withdrawn plan, or of a withdrawn problem.
        let problem_gone = problems
            .iter()
            .find(|p| p.id == plan.problem_id)
            .and_then(Item::withdrawn_at);
        if let (Some(c), Some(at)) = (&plan.commitment, item.withdrawn_at().or(problem_gone)) {
            out.push(WithdrawnRecord {
                plan_id: item.id,
                title: c.title.clone(),
                withdrawn_on: local_day(at, tz),
                checkins: of_plan(&|d| !plan.withdrawn_covers(d)),
            });
        }
    }
    out.retain(|r| !r.checkins.is_empty());
    out.sort_by_key(|r| r.withdrawn_on);
    Ok(out)
}
