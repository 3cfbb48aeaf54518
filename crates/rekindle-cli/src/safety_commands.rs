//! `rekindle safety …` and `rekindle helplines`.

use anyhow::{Context, Result};
use clap::Subcommand;
use rekindle_app::method::MethodError;
use rekindle_app::safety;
use rekindle_core::helplines::HelpLines;
use rekindle_core::safety::{SCREEN, reconciliation_allowed};
use rekindle_store::SqliteVault;

use crate::commands::user_error;

#[derive(Subcommand, Debug)]
pub enum SafetyCmd {
    /// Is help to reconcile available, and if not, why (the safety lock, their answer)
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Take the safety questions: --answers with one of yes/no/not_sure per question, in order (see --help)
    #[command(long_about = safety_questions_help())]
    Screen {
        /// Comma-separated answers, one per question, in the order listed above
        #[arg(long)]
        answers: String,
        #[arg(long)]
        json: bool,
    },
    /// Record that they said no (said_no), asked for no contact (no_contact) or blocked you (blocked). Final.
    No {
        #[arg(long)]
        kind: String,
        #[arg(long)]
        json: bool,
    },
    /// A boundary they set in the imported chat (no contact, space, a block): show it, or answer it
    /// with --record (it is their no) or --not-a-no (it is not what it means now). Outreach waits for the answer.
    Boundary {
        /// Record it as their answer (final)
        #[arg(long, conflicts_with = "not_a_no")]
        record: bool,
        /// It is not what it means now (for example, you have both talked kindly since)
        #[arg(long)]
        not_a_no: bool,
        #[arg(long)]
        json: bool,
    },
    /// A sign of danger in the imported chat (a threat, or a message saying someone was hurt): show it
    /// (with the message itself),
    /// or answer it with --happened (that is how it was: help to reach out stays off) or --not-meant
    /// (a joke, a quote, a film). Help to reconcile waits for the answer.
    Danger {
        /// That is how it was
        #[arg(long, conflicts_with = "not_meant")]
        happened: bool,
        /// It was not meant that way (a joke between you, a quote, a film or a game)
        #[arg(long)]
        not_meant: bool,
        #[arg(long)]
        json: bool,
    },
}

fn safety_questions_help() -> String {
    let mut s = String::from(
        "Answer each question yes, no or not_sure (not sure counts as a sign of risk):\n",
    );
    for (i, q) in SCREEN.iter().enumerate() {
        s.push_str(&format!("  {}. {}\n", i + 1, q.text));
    }
    s
}

fn today() -> jiff::civil::Date {
    rekindle_core::method::checkin::local_day(jiff::Timestamp::now(), &jiff::tz::TimeZone::system())
}

fn err(e: MethodError) -> anyhow::Error {
    match e {
        MethodError::Form(f) => user_error(f.summary()),
        MethodError::NotFound => user_error("Not found."),
        MethodError::Refused(r) => user_error(r.explain()),
        MethodError::Store(s) => s.into(),
    }
}

pub fn safety_cmd(vault: &mut SqliteVault, cmd: &SafetyCmd) -> Result<()> {
    let tz = jiff::tz::TimeZone::system();
    match cmd {
        SafetyCmd::Status { json } => {
            let facts = safety::facts(vault, &tz).map_err(err)?;
            let decision = reconciliation_allowed(&facts);
            if *json {
                let out = serde_json::json!({
                    "reconciliation_help": decision.is_ok(),
                    "refusal": decision.as_ref().err(),
                    "explanation": decision.as_ref().err().map(|r| r.explain()),
                    "screen_taken": facts.latest_screen.as_ref().map(|s| s.on),
                    "ex_said_no": facts.ex_no.as_ref().map(|n| n.kind.key()),
                    "chat_boundaries": facts.chat_boundaries,
                    "chat_danger": facts.chat_danger,
                    "lock_events": safety::lock_events(vault).map_err(err)?,
                    "lock_reasons": safety::lock_reasons(vault).map_err(err)?,
                });
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&out).context("Could not write JSON.")?
                );
            } else {
                match decision {
                    Ok(()) => outln!(
                        "Help to reconcile is available. Safety questions last taken on {}.",
                        facts
                            .latest_screen
                            .map(|s| s.on.to_string())
                            .unwrap_or_default()
                    ),
                    Err(r) => {
                        for reason in safety::lock_reasons(vault).map_err(err)? {
                            outln!("{reason}");
                        }
                        outln!("{}", r.explain());
                    }
                }
            }
            Ok(())
        }
        SafetyCmd::Screen { answers, json } => {
            let given: Vec<&str> = answers.split(',').map(str::trim).collect();
            if given.len() != SCREEN.len() {
                return Err(user_error(format!(
                    "Give {} answers (one per question, see `rekindle safety screen --help`); you gave {}.",
                    SCREEN.len(),
                    given.len()
                )));
            }
            let fields: Vec<(String, String)> = SCREEN
                .iter()
                .zip(given)
                .map(|(q, a)| (q.key.to_string(), a.to_string()))
                .collect();
            let r = safety::take_screen(vault, &fields, &tz, today(), jiff::Timestamp::now())
                .map_err(err)?;
            if *json {
                let facts = safety::facts(vault, &tz).map_err(err)?;
                let decision = reconciliation_allowed(&facts);
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "on": r.on,
                        "signs_of_risk": r.locks(),
                        "reconciliation_help": decision.is_ok(),
                        "explanation": decision.as_ref().err().map(|r| r.explain()),
                    }))
                    .context("Could not write JSON.")?
                );
                return Ok(());
            }
            if r.locks() {
                let facts = safety::facts(vault, &tz).map_err(err)?;
                if let Err(refusal) = reconciliation_allowed(&facts) {
                    outln!("{}", refusal.explain());
                }
                outln!("Help lines: `rekindle helplines`.");
            } else {
                outln!(
                    "Saved. No signs of risk in your answers. You can take the questions again at any time."
                );
            }
            Ok(())
        }
        SafetyCmd::Boundary {
            record,
            not_a_no,
            json,
        } => {
            let facts = safety::facts(vault, &tz).map_err(err)?;
            let pending = rekindle_core::safety::pending_boundary(&facts.chat_boundaries).cloned();
            if !record && !not_a_no {
                if *json {
                    outln!(
                        "{}",
                        serde_json::to_string_pretty(&serde_json::json!({
                            "pending": pending,
                            "boundaries": facts.chat_boundaries,
                        }))
                        .context("Could not write JSON.")?
                    );
                } else {
                    match &pending {
                        Some(b) => outln!(
                            "{}\nAnswer with `rekindle safety boundary --record` (it is their no) or `--not-a-no` (it is not what it means now).",
                            rekindle_core::safety::Refusal::BoundaryInChat {
                                on: b.on,
                                kind: b.kind
                            }
                            .explain()
                        ),
                        None => outln!("No boundary from the chat is waiting for your answer."),
                    }
                }
                return Ok(());
            }
            let Some(_) = pending else {
                return Err(user_error(
                    "No boundary from the chat is waiting for your answer.",
                ));
            };
            let b = rekindle_app::boundaries::answer_pending(
                vault,
                *record,
                today(),
                jiff::Timestamp::now(),
            )
            .map_err(err)?;
            if *json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"answered": b, "recorded": record})
                    )
                    .context("Could not write JSON.")?
                );
            } else if *record {
                outln!(
                    "Recorded as their answer. rekindle will not help with reaching out from now on; it turns to your own recovery."
                );
            } else {
                outln!(
                    "Noted: that boundary is not what it means now. Messages sent after it without a reply still count as outreach already made."
                );
            }
            Ok(())
        }
        SafetyCmd::Danger {
            happened,
            not_meant,
            json,
        } => {
            let facts = safety::facts(vault, &tz).map_err(err)?;
            let pending = rekindle_core::safety::pending_danger(&facts.chat_danger).cloned();
            if !happened && !not_meant {
                // The message itself, found again in the chat (the sign keeps no text).
                let message = rekindle_app::danger::pending_message(vault).map_err(err)?;
                if *json {
                    outln!(
                        "{}",
                        serde_json::to_string_pretty(&serde_json::json!({
                            "pending": pending,
                            "message": message,
                            "signs": facts.chat_danger,
                        }))
                        .context("Could not write JSON.")?
                    );
                } else {
                    let quoted = message.map(|m| format!("\nThe message: \u{201c}{m}\u{201d}"));
                    match rekindle_core::safety::danger_refusal(&facts.chat_danger) {
                        Some(r) => outln!(
                            "{}{}\nAnswer with `rekindle safety danger --happened` (that is how it was) or `--not-meant` (a joke, a quote, a film). Help lines: `rekindle helplines`.",
                            r.explain(),
                            quoted.unwrap_or_default()
                        ),
                        None => {
                            outln!("No sign of danger from the chat is waiting for your answer.")
                        }
                    }
                }
                return Ok(());
            }
            if pending.is_none() {
                return Err(user_error(
                    "No sign of danger from the chat is waiting for your answer.",
                ));
            }
            let d = safety::answer_danger(vault, *happened, &tz, today(), jiff::Timestamp::now())
                .map_err(err)?;
            if *json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({"answered": d}))
                        .context("Could not write JSON.")?
                );
            } else if *happened {
                outln!(
                    "Thank you for saying so. Help to reconcile or reach out is off; your own goals, the help lines (`rekindle helplines`) and the safety plan stay."
                );
            } else {
                outln!("Noted: that message was not meant that way.");
            }
            Ok(())
        }
        SafetyCmd::No { kind, json } => {
            if let Some(no) = safety::facts(vault, &tz).map_err(err)?.ex_no {
                if *json {
                    outln!(
                        "{}",
                        serde_json::json!({"kind": no.kind.key(), "already_recorded": true})
                    );
                } else {
                    outln!("Their answer is already recorded.");
                }
                return Ok(());
            }
            let no = safety::record_ex_no(vault, kind, today(), jiff::Timestamp::now())
                .map_err(|_| user_error("--kind must be said_no, no_contact or blocked."))?;
            if *json {
                outln!(
                    "{}",
                    serde_json::json!({"kind": no.kind.key(), "already_recorded": false})
                );
                return Ok(());
            }
            outln!(
                "Recorded: {}. rekindle will not help with reaching out from now on; it turns to your own recovery.",
                no.kind.label()
            );
            Ok(())
        }
    }
}

/// Printed before anything else when typed words mention self-harm or danger
/// (on standard error when the command writes JSON, so scripts still parse it).
pub fn crisis_card(country: Option<&str>) {
    let lines = HelpLines::built_in();
    let mut out = String::from(
        "You matter. What you wrote sounds like you may be in danger or thinking about hurting yourself.\nIf you are in immediate danger, call your emergency number now. You can also reach:\n",
    );
    for l in lines.select(country, "crisis") {
        let how: Vec<String> = [l.phone.clone(), l.text.clone(), l.chat.clone()]
            .into_iter()
            .flatten()
            .collect();
        out.push_str(&format!(
            "  {} ({}): {} [{}]\n",
            l.service,
            l.country,
            how.join(" · "),
            l.hours
        ));
    }
    out.push_str(
        "All help lines: `rekindle helplines`. Your words are saved on this computer only.\n",
    );
    if std::env::args().any(|a| a == "--json") {
        errln!("{out}");
    } else {
        outln!("{out}");
    }
}

pub fn helplines(country: Option<&str>, json: bool) -> Result<()> {
    let lines = HelpLines::built_in();
    let country = country.map(str::to_uppercase);
    if json {
        let selected: Vec<_> = lines
            .services
            .iter()
            .filter(|s| {
                country
                    .as_deref()
                    .is_none_or(|c| s.country == c || s.country == "*")
            })
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(&selected).context("Could not write JSON.")?
        );
        return Ok(());
    }
    for (title, topic) in [
        ("In danger", "danger"),
        ("In crisis", "crisis"),
        ("Abuse", "violence"),
        ("Worried about your own behaviour", "accountability"),
        ("Alcohol and drugs", "alcohol"),
    ] {
        outln!("{title}:");
        for l in lines.select(country.as_deref(), topic) {
            let how: Vec<String> = [l.phone.clone(), l.text.clone(), l.chat.clone()]
                .into_iter()
                .flatten()
                .collect();
            outln!(
                "  {} ({}): {} [{}]",
                l.service,
                l.country,
                how.join(" · "),
                l.hours
            );
        }
    }
    outln!("{}", lines.verified);
    Ok(())
}
