//! Seriousness and the relapse guard from the terminal: the self-check,
//! their words, readiness history, triggers, pausing a commitment,
//! alcohol-free days and the AUDIT-C history. Each is a thin shell over the
//! use case the web page calls.

use anyhow::Result;
use clap::{Args, Subcommand};
use rekindle_app::method;
use rekindle_core::method::readiness::{SELF_CHECK, SelfCheckForm, WORDS_TO_ASK};
use rekindle_store::SqliteVault;

use crate::common::{app_error, print_json, today};

const NO_COMMITMENT: &str =
    "There is no commitment with that number; `rekindle record` lists them.";

fn self_check_help() -> String {
    let mut s = String::from(
        "Four questions in rekindle's own words, each answered 0 (not at all) to 8 (completely). \
There is no score: the answers are for you to look at over time.\n\n",
    );
    for (key, question) in SELF_CHECK {
        s.push_str(&format!("  --{key}: {question}\n"));
    }
    s
}

#[derive(Subcommand, Debug)]
pub enum SelfCheckCmd {
    /// Answer the four self-check questions (0–8 each; see --help)
    #[command(long_about = self_check_help())]
    Add(SelfCheckArgs),
    /// Your earlier answers, oldest first
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct SelfCheckArgs {
    /// How good was the relationship for you, most of the time? 0–8
    #[arg(long, value_name = "0-8")]
    satisfaction: String,
    /// How much would you miss out on if you built a good life without it? 0–8
    #[arg(long, value_name = "0-8")]
    alternatives: String,
    /// How much have you put in that you would lose if it stays over? 0–8
    #[arg(long, value_name = "0-8")]
    investment: String,
    /// How much do you want to be in it for the long term, with the changes it needs? 0–8
    #[arg(long, value_name = "0-8")]
    commitment: String,
    /// Anything you noticed while answering
    #[arg(long, default_value = "")]
    note: String,
    #[arg(long)]
    json: bool,
}

pub fn self_check_cmd(vault: &mut SqliteVault, cmd: &SelfCheckCmd) -> Result<()> {
    match cmd {
        SelfCheckCmd::Add(a) => {
            let form = SelfCheckForm {
                satisfaction: a.satisfaction.clone(),
                alternatives: a.alternatives.clone(),
                investment: a.investment.clone(),
                commitment: a.commitment.clone(),
                note: a.note.clone(),
            };
            let saved = method::save_self_check(vault, &form, today(), jiff::Timestamp::now())
                .map_err(|e| app_error(e, "Not found."))?;
            if a.json {
                return print_json(&saved);
            }
            outln!(
                "Saved your answers for {}. There is no score: compare them with later ones (`rekindle self-check list`).",
                saved.on
            );
            Ok(())
        }
        SelfCheckCmd::List { json } => {
            let all = method::self_checks(vault).map_err(|e| app_error(e, "Not found."))?;
            if *json {
                return print_json(&all);
            }
            if all.is_empty() {
                outln!(
                    "No answers yet. Take the self-check with `rekindle self-check add` (see its --help)."
                );
                return Ok(());
            }
            let keys: Vec<&str> = SELF_CHECK.iter().map(|(k, _)| *k).collect();
            outln!("{:<12}{}", "date", keys.join("  "));
            for s in &all {
                let cells: Vec<String> = keys
                    .iter()
                    .zip(s.answers)
                    .map(|(k, n)| format!("{n:>width$}", width = k.len()))
                    .collect();
                outln!("{:<12}{}", s.on.to_string(), cells.join("  "));
                if !s.note.is_empty() {
                    outln!("            {}", s.note);
                }
            }
            Ok(())
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum TheirWordsCmd {
    /// Write down what they told you, in their words (nothing more: rekindle never scores them)
    Add {
        /// What they said, as far as you remember
        #[arg(long)]
        said: String,
        /// When (YYYY-MM-DD, default today)
        #[arg(long, default_value = "")]
        on: String,
        #[arg(long)]
        json: bool,
    },
    /// What they said, oldest first (and, when it is right to ask, words that leave them free to say no)
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn their_words_cmd(vault: &mut SqliteVault, cmd: &TheirWordsCmd) -> Result<()> {
    match cmd {
        TheirWordsCmd::Add { said, on, json } => {
            let a = method::save_ex_answer(vault, said, on, today(), jiff::Timestamp::now())
                .map_err(|e| app_error(e, "Not found."))?;
            if *json {
                return print_json(&a);
            }
            outln!("Saved what they said on {}.", a.on);
            Ok(())
        }
        TheirWordsCmd::List { json } => {
            let all = method::ex_answers(vault).map_err(|e| app_error(e, "Not found."))?;
            // The words to ask are offered only where the web page offers
            // them: not under the safety lock, not after their no.
            let facts = rekindle_app::safety::facts(vault, &jiff::tz::TimeZone::system())
                .map_err(|e| app_error(e, "Not found."))?;
            let refusal = rekindle_core::safety::reconciliation_allowed(&facts).err();
            if *json {
                return print_json(&serde_json::json!({
                    "said": all,
                    "words_to_ask": if refusal.is_none() { WORDS_TO_ASK.to_vec() } else { Vec::new() },
                    "refusal": refusal.as_ref().map(|r| r.explain()),
                }));
            }
            outln!(
                "You cannot know how ready they are, and rekindle will not guess or score it. Only they can say."
            );
            match &refusal {
                Some(r) => outln!("{}", r.explain()),
                None => {
                    outln!(
                        "If and when it is right to ask, words like these leave them free to say no:"
                    );
                    for w in WORDS_TO_ASK {
                        outln!("  {w}");
                    }
                }
            }
            outln!();
            if all.is_empty() {
                outln!(
                    "Nothing written down yet. If they tell you something: `rekindle their-words add --said \"…\"`."
                );
            }
            for a in &all {
                outln!("{}: “{}”", a.on, a.said);
            }
            Ok(())
        }
    }
}

/// The commitments, after checking that `plan` (when given) is one of them.
fn commitments_with(vault: &SqliteVault, plan: Option<i64>) -> Result<Vec<method::CommitmentView>> {
    let commitments =
        method::commitments(vault, today()).map_err(|e| app_error(e, NO_COMMITMENT))?;
    match plan {
        Some(p) if !commitments.iter().any(|c| c.plan_id == p) => {
            Err(crate::commands::user_error(NO_COMMITMENT))
        }
        _ => Ok(commitments),
    }
}

/// `rekindle readiness-history`: every readiness answer, oldest first.
pub fn readiness_history(vault: &SqliteVault, plan: Option<i64>, json: bool) -> Result<()> {
    let commitments = commitments_with(vault, plan)?;
    let all: Vec<_> = method::readiness(vault)
        .map_err(|e| app_error(e, NO_COMMITMENT))?
        .into_iter()
        .filter(|r| plan.is_none_or(|p| r.plan_id == p))
        .collect();
    if json {
        return print_json(&all);
    }
    if all.is_empty() {
        outln!(
            "No readiness answers yet. Answer with `rekindle readiness PLAN --importance N --confidence N --stage …`."
        );
    }
    for r in &all {
        let title = commitments
            .iter()
            .find(|c| c.plan_id == r.plan_id)
            .map_or("", |c| c.commitment.title.as_str());
        outln!(
            "{}  {} ({}): importance {}/10, confidence {}/10, “{}”",
            r.on,
            title,
            r.plan_id,
            r.importance,
            r.confidence,
            r.stage.label()
        );
        if !r.note.is_empty() {
            outln!("    {}", r.note);
        }
    }
    Ok(())
}

/// `rekindle triggers`: the triggers named for each commitment, with the
/// plan for each and the number to edit or withdraw one by.
pub fn triggers(vault: &SqliteVault, plan: Option<i64>, json: bool) -> Result<()> {
    let commitments = commitments_with(vault, plan)?;
    let all: Vec<_> = method::triggers(vault)
        .map_err(|e| app_error(e, NO_COMMITMENT))?
        .into_iter()
        .filter(|(_, t)| plan.is_none_or(|p| t.plan_id == p))
        .collect();
    if json {
        let rows: Vec<_> = all
            .iter()
            .map(|(id, t)| {
                let mut v = serde_json::to_value(t).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("id".into(), serde_json::json!(id));
                }
                v
            })
            .collect();
        return print_json(&rows);
    }
    if all.is_empty() {
        outln!(
            "No triggers named yet. Name one with `rekindle trigger PLAN --kind … --description … --coping …`."
        );
    }
    for c in &commitments {
        let mine: Vec<_> = all.iter().filter(|(_, t)| t.plan_id == c.plan_id).collect();
        if mine.is_empty() {
            continue;
        }
        outln!("{:>3}  {}", c.plan_id, c.commitment.title);
        for (id, t) in mine {
            outln!("     [{id}] {} — {}", t.kind.label(), t.description);
            outln!("       plan: {}", t.coping);
        }
    }
    if !all.is_empty() {
        outln!("Take one back with `rekindle withdraw trigger ID` (the number in brackets).");
    }
    Ok(())
}

/// `rekindle pause` and `rekindle resume`.
pub fn pause(vault: &mut SqliteVault, plan: i64, paused: bool, json: bool) -> Result<()> {
    let today = today();
    method::set_paused(vault, plan, paused, today, jiff::Timestamp::now())
        .map_err(|e| app_error(e, NO_COMMITMENT))?;
    let c = method::commitments(vault, today)
        .map_err(|e| app_error(e, NO_COMMITMENT))?
        .into_iter()
        .find(|c| c.plan_id == plan)
        .ok_or_else(|| crate::commands::user_error(NO_COMMITMENT))?;
    if json {
        return print_json(&serde_json::json!({
            "plan_id": plan,
            "paused": c.commitment.is_paused_on(today),
            "pauses": c.commitment.pauses,
        }));
    }
    if paused {
        outln!(
            "Paused “{}” from {today}: days while it is paused are neither kept nor missed. Resume with `rekindle resume {plan}`.",
            c.commitment.title
        );
    } else {
        outln!("“{}” is running again from today.", c.commitment.title);
    }
    Ok(())
}

#[derive(Subcommand, Debug)]
pub enum AlcoholFreeCmd {
    /// Record a day without alcohol: a kept check-in on each daily commitment about drinking
    Record {
        /// The day (YYYY-MM-DD, default today; earlier days are marked late)
        #[arg(long, default_value = "")]
        day: String,
        #[arg(long)]
        json: bool,
    },
    /// The alcohol-free days you recorded in the last N days
    List {
        /// How many days back (1–3660)
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=3660))]
        days: i64,
        #[arg(long)]
        json: bool,
    },
}

pub fn alcohol_free_cmd(vault: &mut SqliteVault, cmd: &AlcoholFreeCmd) -> Result<()> {
    let today = today();
    match cmd {
        AlcoholFreeCmd::Record { day, json } => {
            let saved = method::record_alcohol_free_day(vault, day, today, jiff::Timestamp::now())
                .map_err(|e| app_error(e, NO_COMMITMENT))?;
            if *json {
                let rows: Vec<_> = saved
                    .iter()
                    .map(|(plan, c)| serde_json::json!({"plan_id": plan, "checkin": c}))
                    .collect();
                return print_json(&rows);
            }
            if let Some((_, c)) = saved.first() {
                outln!(
                    "Recorded {} as alcohol-free ({} commitment(s) kept).",
                    c.day,
                    saved.len()
                );
            }
            Ok(())
        }
        AlcoholFreeCmd::List { days, json } => {
            let list = method::alcohol_free_day_list(vault, today, *days)
                .map_err(|e| app_error(e, NO_COMMITMENT))?;
            if *json {
                return print_json(&serde_json::json!({
                    "days": days,
                    "alcohol_free": list.as_ref().map(Vec::len),
                    "dates": list,
                }));
            }
            match list {
                None => outln!(
                    "No plan for a drinking problem yet, so no alcohol-free days are counted."
                ),
                Some(d) => {
                    outln!(
                        "{} alcohol-free day(s) (kept) in the last {days} days.",
                        d.len()
                    );
                    for day in d {
                        outln!("  {day}");
                    }
                }
            }
            Ok(())
        }
    }
}

/// `rekindle audit-c-history`: every AUDIT-C screen taken, oldest first.
pub fn audit_history(vault: &SqliteVault, json: bool) -> Result<()> {
    let all = method::audits(vault).map_err(|e| app_error(e, "Not found."))?;
    if json {
        let rows: Vec<_> = all
            .iter()
            .map(|a| {
                serde_json::json!({
                    "on": a.on, "answers": a.answers, "sex": a.sex,
                    "score": a.score(), "cutoff": a.cutoff(), "positive": a.positive(),
                })
            })
            .collect();
        return print_json(&rows);
    }
    if all.is_empty() {
        outln!("No AUDIT-C answers yet: `rekindle audit-c --help`.");
    }
    for a in &all {
        outln!(
            "{}  score {} of 12 ({} the line of {})",
            a.on,
            a.score(),
            if a.positive() { "at or above" } else { "below" },
            a.cutoff()
        );
    }
    Ok(())
}
