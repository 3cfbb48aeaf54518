//! `rekindle problem`, `plan`, `checkin` and `record`: the method from the
//! terminal, through the same validation and storage as the web pages.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use rekindle_app::method::{self, MethodError};
use rekindle_core::method::checkin::{CheckInForm, Outcome};
use rekindle_core::method::plan::{CommitmentKind, PlanForm};
use rekindle_core::method::problem::ProblemForm;
use rekindle_store::SqliteVault;

use crate::commands::user_error;

#[derive(Subcommand, Debug)]
pub enum ProblemCmd {
    /// Write down a problem of the relationship
    Add(ProblemArgs),
    /// Change a problem (the earlier version is kept)
    Edit {
        /// The problem's number (see `rekindle problem list`)
        id: i64,
        #[command(flatten)]
        args: ProblemArgs,
    },
    /// List the problems and what each still needs
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct ProblemArgs {
    /// A short name, e.g. "My drinking at parties"
    #[arg(long)]
    title: String,
    /// trust, infidelity, substance, conflict, commitment, time, money, family, distance, intimacy, apart, safety, other
    #[arg(long)]
    category: String,
    /// mine, theirs, both, circumstances
    #[arg(long)]
    whose: String,
    /// once, sometimes, often, constantly
    #[arg(long)]
    frequency: String,
    /// 1 (minor) to 5 (it ended things)
    #[arg(long)]
    severity: String,
    /// Since when (YYYY-MM-DD)
    #[arg(long, default_value = "")]
    since: String,
    /// What happened
    #[arg(long, default_value = "")]
    description: String,
    /// What was my part?
    #[arg(long, default_value = "")]
    my_part: String,
    /// A "why?" answer; repeat up to five times, each asking why of the one before
    #[arg(long = "why")]
    whys: Vec<String>,
    /// What shows it happened
    #[arg(long, default_value = "")]
    evidence: String,
    /// Print the saved problem as JSON
    #[arg(long)]
    json: bool,
}

impl ProblemArgs {
    fn form(&self) -> ProblemForm {
        let why = |i: usize| self.whys.get(i).cloned().unwrap_or_default();
        ProblemForm {
            title: self.title.clone(),
            category: self.category.clone(),
            whose: self.whose.clone(),
            frequency: self.frequency.clone(),
            severity: self.severity.clone(),
            since: self.since.clone(),
            description: self.description.clone(),
            my_part: self.my_part.clone(),
            why1: why(0),
            why2: why(1),
            why3: why(2),
            why4: why(3),
            why5: why(4),
            evidence: self.evidence.clone(),
            links: String::new(),
        }
    }
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The problem's number
    problem: i64,
    /// In one sentence: what will you do to prevent it from happening again?
    #[arg(long, default_value = "")]
    prevention: String,
    /// The situation of an if-then plan ("someone offers me a drink"); pair each with --then
    #[arg(long = "if")]
    ifs: Vec<String>,
    /// What you will do then ("I ask for sparkling water")
    #[arg(long = "then")]
    thens: Vec<String>,
    /// The measurable commitment, e.g. "No alcohol"
    #[arg(long, default_value = "")]
    commitment: String,
    /// daily, limit (a daily count with a limit) or weekly
    #[arg(long, default_value = "")]
    kind: String,
    /// For --kind limit: the most allowed per day
    #[arg(long, default_value = "")]
    limit: String,
    /// For --kind limit: what is counted ("drinks")
    #[arg(long, default_value = "")]
    unit: String,
    /// Start date (YYYY-MM-DD, default today)
    #[arg(long, default_value = "")]
    start: String,
    /// What would count as a lapse
    #[arg(long, default_value = "")]
    lapse_means: String,
    /// For the ex's behaviour: what you need to see before reconciling
    #[arg(long, default_value = "")]
    condition: String,
    /// Print the problem with its saved plan as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct CheckInArgs {
    /// The commitment's number (see `rekindle record`); without it, asks for each commitment in turn
    plan: Option<i64>,
    /// Kept it
    #[arg(long, conflicts_with_all = ["lapsed", "na"])]
    kept: bool,
    /// Lapsed (a lapse is information, not failure)
    #[arg(long, conflicts_with = "na")]
    lapsed: bool,
    /// Didn't apply
    #[arg(long)]
    na: bool,
    /// For a daily limit: how many
    #[arg(long, default_value = "")]
    count: String,
    /// The day (YYYY-MM-DD, default today; earlier days are marked late)
    #[arg(long, default_value = "")]
    day: String,
    #[arg(long, default_value = "")]
    note: String,
    /// The trigger you met
    #[arg(long, default_value = "")]
    trigger: String,
    /// What you did instead, or what led to a lapse
    #[arg(long, default_value = "")]
    instead: String,
    #[arg(long)]
    json: bool,
}

fn today() -> jiff::civil::Date {
    rekindle_core::method::checkin::local_day(jiff::Timestamp::now(), &jiff::tz::TimeZone::system())
}

fn method_error(e: MethodError) -> anyhow::Error {
    match e {
        MethodError::Form(errors) => user_error(errors.summary()),
        MethodError::NotFound => user_error(
            "There is no item with that number; see `rekindle problem list` or `rekindle record`.",
        ),
        MethodError::Refused(r) => user_error(r.explain()),
        MethodError::Store(s) => s.into(),
    }
}

pub fn problem(vault: &mut SqliteVault, cmd: &ProblemCmd) -> Result<()> {
    match cmd {
        ProblemCmd::Add(args) | ProblemCmd::Edit { args, .. } => {
            let id = match cmd {
                ProblemCmd::Edit { id, .. } => Some(*id),
                _ => None,
            };
            let mut form = args.form();
            // An edit keeps the chat messages the problem links to (made on
            // the web page; the command line has no way to change them).
            if let Some(id) = id
                && let Ok(view) = method::problem(vault, id)
            {
                form.links = rekindle_core::method::problem::links_field(&view.problem.links);
            }
            let saved = method::save_problem(vault, id, &form, today(), jiff::Timestamp::now())
                .map_err(method_error)?;
            if args.json {
                let view = method::problem(vault, saved).map_err(method_error)?;
                return crate::common::print_json(&view);
            }
            outln!(
                "Saved problem {saved}. Next: `rekindle plan {saved} --prevention \"…\" --if \"…\" --then \"…\" --commitment \"…\" --kind daily`."
            );
            Ok(())
        }
        ProblemCmd::List { json } => {
            let problems = method::problems(vault).map_err(method_error)?;
            if *json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&problems).context("Could not write JSON.")?
                );
                return Ok(());
            }
            if problems.is_empty() {
                outln!(
                    "No problems yet. Add one with `rekindle problem add --title … --category … --whose … --frequency … --severity …`."
                );
            }
            for p in &problems {
                let status = if p.answered() {
                    "answered".to_string()
                } else {
                    format!(
                        "still needs {}",
                        p.missing
                            .iter()
                            .map(|m| m.label())
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                };
                outln!(
                    "{:>3}  {}  [{}; {}; {}/5]  {}",
                    p.id,
                    p.problem.title,
                    p.problem.category.label(),
                    p.problem.whose.label(),
                    p.problem.severity,
                    status
                );
            }
            Ok(())
        }
    }
}

pub fn plan(vault: &mut SqliteVault, a: &PlanArgs) -> Result<()> {
    if a.ifs.len() != a.thens.len() {
        return Err(user_error(
            "Give each --if its own --then (they pair up in order).",
        ));
    }
    if a.ifs.len() > rekindle_core::method::plan::MAX_IF_THEN {
        return Err(user_error(
            "Up to three if-then plans per problem; keep the ones that matter most.",
        ));
    }
    let pair = |i: usize| {
        (
            a.ifs.get(i).cloned().unwrap_or_default(),
            a.thens.get(i).cloned().unwrap_or_default(),
        )
    };
    let ((if1, then1), (if2, then2), (if3, then3)) = (pair(0), pair(1), pair(2));
    let form = PlanForm {
        prevention: a.prevention.clone(),
        if1,
        then1,
        if2,
        then2,
        if3,
        then3,
        commitment_title: a.commitment.clone(),
        kind: a.kind.clone(),
        limit: a.limit.clone(),
        unit: a.unit.clone(),
        start: a.start.clone(),
        lapse_means: a.lapse_means.clone(),
        condition: a.condition.clone(),
    };
    let id = method::save_plan(vault, a.problem, &form, today(), jiff::Timestamp::now())
        .map_err(method_error)?;
    let view = method::problem(vault, a.problem).map_err(method_error)?;
    if a.json {
        return crate::common::print_json(&serde_json::json!({
            "plan_id": id,
            "answered": view.answered(),
            "problem": view,
        }));
    }
    if view.answered() {
        outln!("Saved the plan (commitment number {id}). This problem is now answered.");
    } else {
        outln!(
            "Saved the plan (number {id}). Still needed: {}.",
            view.missing
                .iter()
                .map(|m| m.label())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    Ok(())
}

pub fn checkin(vault: &mut SqliteVault, a: &CheckInArgs) -> Result<()> {
    let outcome = if a.kept {
        "kept"
    } else if a.lapsed {
        "lapsed"
    } else if a.na {
        "na"
    } else {
        ""
    };
    let form = |outcome: &str, count: &str| CheckInForm {
        day: a.day.clone(),
        outcome: outcome.to_string(),
        count: count.to_string(),
        note: a.note.clone(),
        trigger: a.trigger.clone(),
        instead: a.instead.clone(),
    };
    let today = today();
    if let Some(plan) = a.plan
        && (!outcome.is_empty() || !a.count.is_empty())
    {
        let c = method::check_in(
            vault,
            plan,
            &form(outcome, &a.count),
            today,
            jiff::Timestamp::now(),
        )
        .map_err(method_error)?;
        if a.json {
            outln!(
                "{}",
                serde_json::to_string(&c).context("Could not write JSON.")?
            );
        } else if c.outcome == Outcome::Lapsed {
            outln!(
                "Recorded a lapse for {}. One slip is data, not failure: what led to it? Add it with --trigger and --instead.",
                c.day
            );
        } else {
            outln!("Checked in for {}: {}.", c.day, c.outcome.label());
        }
        return Ok(());
    }
    // Ask for each commitment in turn (one line per answer; works from a pipe too).
    let commitments = method::commitments(vault, today).map_err(method_error)?;
    let todo: Vec<_> = commitments
        .into_iter()
        .filter(|c| a.plan.is_none_or(|p| p == c.plan_id))
        .collect();
    if todo.is_empty() {
        return Err(user_error(
            "No commitments yet: make a plan with a commitment first (`rekindle plan …`).",
        ));
    }
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut lines = stdin.lock().lines();
    for c in todo {
        let limit = c.commitment.kind == CommitmentKind::DailyLimit;
        if interactive {
            if limit {
                out!(
                    "{} — how many {} today? (limit {}, Enter to skip) ",
                    c.commitment.title,
                    c.commitment.unit,
                    c.commitment.limit.unwrap_or(0)
                );
            } else {
                out!(
                    "{} — [k]ept, [l]apsed, [n]ot applicable, Enter to skip: ",
                    c.commitment.title
                );
            }
            std::io::stdout().flush().ok();
        }
        let Some(line) = lines
            .next()
            .transpose()
            .context("Could not read the answer.")?
        else {
            break;
        };
        let answer = line.trim().to_lowercase();
        if answer.is_empty() {
            continue;
        }
        let f = if limit {
            form("", &answer)
        } else {
            let o = match answer.as_str() {
                "k" | "kept" | "y" | "yes" => "kept",
                "l" | "lapsed" | "n" | "no" => "lapsed",
                "na" | "-" | "not applicable" => "na",
                other => {
                    errln!(
                        "“{other}” is not one of k, l or na; skipped {}.",
                        c.commitment.title
                    );
                    continue;
                }
            };
            form(o, "")
        };
        let saved = method::check_in(vault, c.plan_id, &f, today, jiff::Timestamp::now())
            .map_err(method_error)?;
        outln!("  {}: {}", c.commitment.title, saved.outcome.label());
    }
    Ok(())
}

pub fn record(vault: &SqliteVault, json: bool) -> Result<()> {
    let views = method::commitments(vault, today()).map_err(method_error)?;
    if json {
        let out: Vec<_> = views
            .iter()
            .map(|v| {
                serde_json::json!({
                    "plan_id": v.plan_id,
                    "problem_id": v.problem_id,
                    "commitment": v.commitment,
                    "current_streak": v.summary.current_streak,
                    "longest_streak": v.summary.longest_streak,
                    "kept": v.summary.kept,
                    "lapsed": v.summary.lapsed,
                    "missed": v.summary.missed,
                    "not_applicable": v.summary.not_applicable,
                    "windows": v.summary.windows,
                    "checkins": v.checkins.values().collect::<Vec<_>>(),
                })
            })
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(&out).context("Could not write JSON.")?
        );
        return Ok(());
    }
    if views.is_empty() {
        outln!("No commitments yet.");
    }
    for v in views {
        let unit = |n: u32| match (v.summary.weekly, n) {
            (true, 1) => "week",
            (true, _) => "weeks",
            (false, 1) => "day",
            (false, _) => "days",
        };
        outln!(
            "{:>3}  {}  (for: {})",
            v.plan_id,
            v.commitment.title,
            v.problem_title
        );
        outln!(
            "     streak {} {} (longest {}), kept {}, lapses {}, no check-in {}",
            v.summary.current_streak,
            unit(v.summary.current_streak),
            v.summary.longest_streak,
            v.summary.kept,
            v.summary.lapsed,
            v.summary.missed
        );
        let rates: Vec<String> = v
            .summary
            .windows
            .iter()
            .map(|w| match w.rate {
                Some(r) => format!("{} days {:.0}%", w.days, r * 100.0),
                None => format!("{} days —", w.days),
            })
            .collect();
        outln!("     kept-rate: {}", rates.join(", "));
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct ReadinessArgs {
    /// The commitment's number (see `rekindle record`)
    plan: i64,
    /// How important is this change to you? 0–10
    #[arg(long)]
    importance: String,
    /// How sure are you that you can make it? 0–10
    #[arg(long)]
    confidence: String,
    /// not_sure, thinking, preparing, doing, keeping
    #[arg(long)]
    stage: String,
    #[arg(long, default_value = "")]
    note: String,
    #[arg(long)]
    json: bool,
}

pub fn readiness(vault: &mut SqliteVault, a: &ReadinessArgs) -> Result<()> {
    let form = rekindle_core::method::readiness::ReadinessForm {
        importance: a.importance.clone(),
        confidence: a.confidence.clone(),
        stage: a.stage.clone(),
        note: a.note.clone(),
    };
    let r = method::save_readiness(vault, a.plan, &form, today(), jiff::Timestamp::now())
        .map_err(method_error)?;
    if a.json {
        return crate::common::print_json(&r);
    }
    outln!(
        "Saved: importance {}/10, confidence {}/10, “{}”. Asked again in a week.",
        r.importance,
        r.confidence,
        r.stage.label()
    );
    Ok(())
}

#[derive(Args, Debug)]
pub struct TriggerArgs {
    /// The commitment's number
    plan: i64,
    /// person, place, time, mood, other
    #[arg(long)]
    kind: String,
    /// The trigger, e.g. "Friday drinks after work"
    #[arg(long)]
    description: String,
    /// How you will avoid it or cope
    #[arg(long)]
    coping: String,
    #[arg(long)]
    json: bool,
}

pub fn trigger(vault: &mut SqliteVault, a: &TriggerArgs) -> Result<()> {
    let form = rekindle_core::method::guard::TriggerForm {
        kind: a.kind.clone(),
        description: a.description.clone(),
        coping: a.coping.clone(),
    };
    let t =
        method::save_trigger(vault, a.plan, &form, jiff::Timestamp::now()).map_err(method_error)?;
    if a.json {
        return crate::common::print_json(&t);
    }
    outln!("Saved the trigger and your plan for it.");
    Ok(())
}

pub fn pattern(vault: &SqliteVault, json: bool) -> Result<()> {
    let p = method::pattern(vault, &jiff::tz::TimeZone::system(), today()).map_err(method_error)?;
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&p).context("Could not write JSON.")?
        );
        return Ok(());
    }
    outln!("{} lapse(s) recorded.", p.lapses);
    for (t, n) in &p.triggers {
        outln!("  trigger “{t}”: {n}");
    }
    let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let days: Vec<String> = names
        .iter()
        .zip(p.weekdays)
        .filter(|(_, n)| *n > 0)
        .map(|(d, n)| format!("{d} {n}"))
        .collect();
    if !days.is_empty() {
        outln!("  by weekday: {}", days.join(", "));
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// How often a drink containing alcohol: 0 never, 1 monthly or less, 2 two to four times a month, 3 two to three times a week, 4 four or more times a week
    #[arg(long)]
    q1: String,
    /// Drinks on a typical drinking day: 0 one or two, 1 three or four, 2 five or six, 3 seven to nine, 4 ten or more
    #[arg(long)]
    q2: String,
    /// Six or more on one occasion: 0 never, 1 less than monthly, 2 monthly, 3 weekly, 4 daily or almost daily
    #[arg(long)]
    q3: String,
    /// female, male or unsaid (the cut-off differs)
    #[arg(long, default_value = "unsaid")]
    sex: String,
    #[arg(long)]
    json: bool,
}

pub fn audit_c(vault: &mut SqliteVault, a: &AuditArgs) -> Result<()> {
    let form = rekindle_core::method::guard::AuditCForm {
        q1: a.q1.clone(),
        q2: a.q2.clone(),
        q3: a.q3.clone(),
        sex: a.sex.clone(),
    };
    let r =
        method::save_audit(vault, &form, today(), jiff::Timestamp::now()).map_err(method_error)?;
    if a.json {
        outln!(
            "{}",
            serde_json::json!({"score": r.score(), "cutoff": r.cutoff(), "positive": r.positive(), "on": r.on})
        );
    } else if r.positive() {
        outln!(
            "Score {} of 12: at or above the line ({}) where doctors suggest a conversation about drinking.\n\
             Talk to your doctor or a local alcohol service. US: SAMHSA National Helpline 1-800-662-4357 (free, 24/7). UK: Drinkline 0300 123 1110.\n\
             If you drink heavily every day, don't stop suddenly on your own: ask a doctor for help to stop safely.",
            r.score(),
            r.cutoff()
        );
    } else {
        outln!(
            "Score {} of 12: below the line ({}). Offered again in a month.",
            r.score(),
            r.cutoff()
        );
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct RemindersArgs {
    /// Write a calendar file (the only format for now)
    #[arg(long)]
    ics: bool,
    /// Time of the daily reminder, HH:MM (your local time)
    #[arg(long, default_value = "21:00")]
    time: String,
    /// Write to this file instead of standard output
    #[arg(long, short)]
    out: Option<std::path::PathBuf>,
}

pub fn reminders(a: &RemindersArgs) -> Result<()> {
    if !a.ics {
        return Err(user_error(
            "Add --ics to write the reminders as a calendar file.",
        ));
    }
    let at: jiff::civil::Time = a
        .time
        .parse()
        .map_err(|_| user_error(format!("“{}” is not a time like 21:00.", a.time)))?;
    let ics = rekindle_core::method::reminders::reminders_ics(at, today(), jiff::Timestamp::now());
    match &a.out {
        Some(path) => {
            rekindle_store::fsutil::write_atomic(path, ics.as_bytes())?;
            errln!(
                "Wrote {}: open it with your calendar app. The reminders say only “Daily check-in” and “Weekly check-in”.",
                path.display()
            );
        }
        None => out!("{ics}"),
    }
    Ok(())
}

/// `rekindle outlook`: what the record and the answers suggest, each point
/// with where it comes from; never a score of them, never a promise.
pub fn outlook(
    vault: &SqliteVault,
    data_dir: &std::path::Path,
    json: bool,
    chat: bool,
) -> Result<()> {
    use rekindle_core::method::outlook::Group;
    let analysis = if chat {
        if std::io::stderr().is_terminal() {
            errln!("Reading the chat's post-mortem (a long chat takes a few seconds)…");
        }
        let lexicons =
            rekindle_app::topics::lexicons(vault, Some(data_dir)).map_err(method_error)?;
        rekindle_app::postmortem::analyse_stored(vault, &lexicons).map_err(method_error)?
    } else {
        None
    };
    let o = rekindle_app::outlook::gather(
        vault,
        &jiff::tz::TimeZone::system(),
        today(),
        analysis.as_ref().map(|a| &a.analysis),
    )
    .map_err(method_error)?;
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&o).context("Could not write JSON.")?
        );
        return Ok(());
    }
    outln!("The honest outlook");
    outln!("What your own notes suggest, point by point. Never a score of them, never a promise.");
    if let Some(why) = &o.why {
        outln!();
        outln!("{why}");
        outln!("Help lines: rekindle helplines");
    }
    outln!();
    outln!("{}", o.summary);
    for g in Group::ALL {
        let mut factors = o.in_group(g).peekable();
        if factors.peek().is_none() {
            continue;
        }
        outln!();
        outln!("{}", g.label());
        for f in factors {
            outln!("  [{}] {}", f.leaning.label(), f.title);
            outln!("    {}", f.suggests);
            match f.source.command {
                Some(cmd) => outln!("    from: {} ({cmd})", f.source.page),
                None => outln!("    from: {} (in the web app)", f.source.page),
            }
        }
    }
    Ok(())
}
