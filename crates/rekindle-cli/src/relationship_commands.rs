//! `rekindle relationship show|set` and `rekindle settings show|set`: the
//! relationship page's facts and the settings page, through the same
//! validation and storage as the web pages.

use anyhow::Result;
use clap::{Args, Subcommand};
use rekindle_app::relationship;
use rekindle_core::relationship::{RelationshipForm, WhoEnded};
use rekindle_store::{SqliteVault, Store};

use crate::commands::user_error;
use crate::common::{app_error, print_json, today};

#[derive(Subcommand, Debug)]
pub enum RelationshipCmd {
    /// Show what you wrote about the relationship
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Write or change the facts of the relationship; what you leave out stays as it was
    /// (the earlier version is kept)
    Set(Box<RelationshipArgs>),
}

#[derive(Args, Debug)]
pub struct RelationshipArgs {
    /// Your name (or a nickname)
    #[arg(long, value_name = "NAME")]
    my_name: Option<String>,
    /// Your pronouns, in your words (e.g. she/her)
    #[arg(long, value_name = "WORDS")]
    my_pronouns: Option<String>,
    /// Their name (a first name or a nickname is enough)
    #[arg(long, value_name = "NAME")]
    their_name: Option<String>,
    /// Their pronouns, in your words
    #[arg(long, value_name = "WORDS")]
    their_pronouns: Option<String>,
    /// When it started (YYYY-MM-DD; "" to clear)
    #[arg(long, value_name = "DATE")]
    started_on: Option<String>,
    /// When it ended (YYYY-MM-DD; "" to clear)
    #[arg(long, value_name = "DATE")]
    ended_on: Option<String>,
    /// Who ended it: them, me, both, unclear ("" for not said)
    #[arg(long, value_name = "WHO")]
    who_ended: Option<String>,
    /// How it ended, in your words
    #[arg(long, value_name = "TEXT")]
    how_it_ended: Option<String>,
    /// The reasons they gave
    #[arg(long, value_name = "TEXT")]
    reasons_given: Option<String>,
    /// Your own view of why
    #[arg(long, value_name = "TEXT")]
    my_view: Option<String>,
    #[arg(long)]
    json: bool,
}

impl RelationshipArgs {
    /// The saved form with the fields given here put in.
    fn apply(&self, mut f: RelationshipForm) -> RelationshipForm {
        let put = |field: &mut String, given: &Option<String>| {
            if let Some(v) = given {
                field.clone_from(v);
            }
        };
        put(&mut f.my_name, &self.my_name);
        put(&mut f.my_pronouns, &self.my_pronouns);
        put(&mut f.their_name, &self.their_name);
        put(&mut f.their_pronouns, &self.their_pronouns);
        put(&mut f.started_on, &self.started_on);
        put(&mut f.ended_on, &self.ended_on);
        put(&mut f.who_ended, &self.who_ended);
        put(&mut f.how_it_ended, &self.how_it_ended);
        put(&mut f.reasons_given, &self.reasons_given);
        put(&mut f.my_view, &self.my_view);
        f
    }

    fn any(&self) -> bool {
        [
            &self.my_name,
            &self.my_pronouns,
            &self.their_name,
            &self.their_pronouns,
            &self.started_on,
            &self.ended_on,
            &self.who_ended,
            &self.how_it_ended,
            &self.reasons_given,
            &self.my_view,
        ]
        .iter()
        .any(|f| f.is_some())
    }
}

const NOT_FOUND: &str = "There is nothing to show yet.";

fn who_label(key: &str) -> &'static str {
    match WhoEnded::parse(key) {
        Some(WhoEnded::Unsaid) | None => "not said",
        Some(w) => w.label(),
    }
}

pub fn relationship_cmd(vault: &mut SqliteVault, cmd: &RelationshipCmd) -> Result<()> {
    match cmd {
        RelationshipCmd::Show { json } => {
            let (form, versions) =
                relationship::current(vault).map_err(|e| app_error(e, NOT_FOUND))?;
            if *json {
                return print_json(&serde_json::json!({
                    "saved": versions > 0,
                    "versions": versions,
                    "relationship": form,
                }));
            }
            if versions == 0 {
                outln!(
                    "Nothing written about the relationship yet. Start with `rekindle relationship set --their-name NAME`."
                );
                return Ok(());
            }
            show(&form);
            if versions > 1 {
                outln!("({versions} versions saved; the earlier ones are kept.)");
            }
            Ok(())
        }
        RelationshipCmd::Set(args) => {
            if !args.any() {
                return Err(user_error(
                    "Give at least one thing to write down, e.g. --their-name NAME (see `rekindle relationship set --help`). Nothing was changed.",
                ));
            }
            let (saved, before) =
                relationship::current(vault).map_err(|e| app_error(e, NOT_FOUND))?;
            let form = args.apply(saved);
            let (rel, crisis) = relationship::save(vault, &form, today(), jiff::Timestamp::now())
                .map_err(|e| app_error(e, NOT_FOUND))?;
            if args.json {
                return print_json(&serde_json::json!({
                    "relationship": RelationshipForm::from(&rel),
                    "crisis": crisis,
                }));
            }
            if before > 0 {
                outln!("Saved. The earlier version is kept.");
            } else {
                outln!("Saved.");
            }
            if crisis {
                outln!("What you wrote sounds heavy. Help lines: `rekindle helplines`.");
            }
            Ok(())
        }
    }
}

fn show(f: &RelationshipForm) {
    let or_dash = |s: &str| {
        if s.trim().is_empty() {
            "—".to_string()
        } else {
            s.to_string()
        }
    };
    let with_pronouns = |name: &str, pronouns: &str| {
        if pronouns.trim().is_empty() {
            or_dash(name)
        } else {
            format!("{} ({pronouns})", or_dash(name))
        }
    };
    outln!(
        "You:            {}",
        with_pronouns(&f.my_name, &f.my_pronouns)
    );
    outln!(
        "Them:           {}",
        with_pronouns(&f.their_name, &f.their_pronouns)
    );
    outln!("Started:        {}", or_dash(&f.started_on));
    outln!("Ended:          {}", or_dash(&f.ended_on));
    outln!("Who ended it:   {}", who_label(&f.who_ended));
    for (label, text) in [
        ("How it ended", &f.how_it_ended),
        ("The reasons they gave", &f.reasons_given),
        ("Your view", &f.my_view),
    ] {
        if !text.trim().is_empty() {
            outln!("{label}:");
            outln!("  {}", text.replace('\n', "\n  "));
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum SettingsCmd {
    /// Show the settings
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Change settings; what you leave out stays as it was
    Set {
        /// Discreet mode: a neutral title ("Notes") in the browser tab: on or off
        #[arg(long, value_name = "on|off")]
        discreet: Option<String>,
        /// Minutes without activity before the web app locks itself (2–30)
        #[arg(long, value_name = "N")]
        idle_lock_minutes: Option<String>,
        /// The country whose help lines come first: a two-letter code such as US or GB, or "none"
        #[arg(long, value_name = "CODE")]
        country: Option<String>,
        /// Larger text on every page of the web app: on or off
        #[arg(long, value_name = "on|off")]
        large_text: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// An on/off flag's value as the settings form holds it.
fn on_off(flag: &str, value: &str) -> Result<Option<String>> {
    match value.trim().to_lowercase().as_str() {
        "on" | "yes" | "true" => Ok(Some("on".into())),
        "off" | "no" | "false" => Ok(None),
        _ => Err(user_error(format!(
            "{flag} takes on or off, not “{value}”. Nothing was changed."
        ))),
    }
}

fn settings_json(s: &rekindle_core::settings::Settings) -> serde_json::Value {
    serde_json::json!({
        "discreet_mode": s.discreet_mode,
        "idle_lock_minutes": s.idle_lock_minutes,
        "country": s.country,
        "large_text": s.large_text,
    })
}

pub fn settings_cmd(vault: &mut SqliteVault, cmd: &SettingsCmd) -> Result<()> {
    match cmd {
        SettingsCmd::Show { json } => {
            let s = vault.settings()?;
            if *json {
                return print_json(&settings_json(&s));
            }
            outln!(
                "Discreet mode:   {}",
                if s.discreet_mode { "on" } else { "off" }
            );
            outln!(
                "Locks itself after {} minutes without activity",
                s.idle_lock_minutes
            );
            outln!(
                "Help lines for:  {}",
                s.country.as_deref().unwrap_or("no country chosen")
            );
            outln!(
                "Larger text:     {}",
                if s.large_text { "on" } else { "off" }
            );
            Ok(())
        }
        SettingsCmd::Set {
            discreet,
            idle_lock_minutes,
            country,
            large_text,
            json,
        } => {
            if discreet.is_none()
                && idle_lock_minutes.is_none()
                && country.is_none()
                && large_text.is_none()
            {
                return Err(user_error(
                    "Give a setting to change: --discreet on|off, --idle-lock-minutes N, --country CODE or --large-text on|off. Nothing was changed.",
                ));
            }
            let mut form = relationship::settings_form(&vault.settings()?);
            if let Some(d) = discreet {
                form.discreet_mode = on_off("--discreet", d)?;
            }
            if let Some(l) = large_text {
                form.large_text = on_off("--large-text", l)?;
            }
            if let Some(m) = idle_lock_minutes {
                form.idle_lock_minutes.clone_from(m);
            }
            if let Some(c) = country {
                let c = c.trim().to_uppercase();
                form.country = if c == "NONE" { String::new() } else { c };
            }
            let s = relationship::save_settings(vault, &form).map_err(|e| match e {
                // The web page offers a list; here the choices are named.
                rekindle_app::method::MethodError::Form(f) if f.get("country").is_some() => {
                    user_error(format!(
                        "rekindle has help lines for {} only: choose one of them, or none. Nothing was changed.",
                        rekindle_core::helplines::HelpLines::built_in()
                            .countries()
                            .join(", ")
                    ))
                }
                e => app_error(e, NOT_FOUND),
            })?;
            if *json {
                return print_json(&settings_json(&s));
            }
            outln!("Settings saved.");
            Ok(())
        }
    }
}
