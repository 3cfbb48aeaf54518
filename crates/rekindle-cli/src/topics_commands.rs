//! `rekindle topics`: the words of each topic the post-mortem counts, kept
//! in the vault: list them, add words, remove words, make a topic.

use std::path::Path;

use anyhow::Result;
use clap::Subcommand;
use rekindle_app::method::MethodError;
use rekindle_app::topics::{self, TopicLists, TopicSource};
use rekindle_store::SqliteVault;

use crate::commands::user_error;

#[derive(Subcommand, Debug)]
pub enum TopicsCmd {
    /// The topics and their words (built in, from files in the data folder's lexicons/, and yours)
    List {
        /// Print machine-readable JSON
        #[arg(long)]
        json: bool,
    },
    /// Add words or phrases to a topic (`--new` makes a topic of your own); the next analysis uses them
    #[command(
        long_about = "Add words or phrases to a topic; the next analysis (the web page and `rekindle analyze` of the stored chat) uses them.\n\n\
A word matches whole words only; end it with * to match any ending (\"pint*\" finds pints). Give a phrase of several \
words in quotes (\"night out\"), or several words in one argument separated by commas. A word you removed earlier is put back.\n\n\
With --new, TOPIC is the name of a topic of your own, made with these words."
    )]
    Add {
        /// The topic, as `rekindle topics list` names it ("drinking", "time together")
        topic: String,
        /// The words or phrases to add
        #[arg(required = true, num_args = 1.., value_name = "WORD")]
        words: Vec<String>,
        /// Make TOPIC a new topic of your own
        #[arg(long)]
        new: bool,
        /// Print what changed as JSON
        #[arg(long)]
        json: bool,
    },
    /// Take words or phrases out of a topic (a topic of your own without words is gone)
    Remove {
        /// The topic, as `rekindle topics list` names it
        topic: String,
        /// The words or phrases to take out, as listed
        #[arg(required = true, num_args = 1.., value_name = "WORD")]
        words: Vec<String>,
        /// Print what changed as JSON
        #[arg(long)]
        json: bool,
    },
}

fn method_error(e: MethodError) -> anyhow::Error {
    match e {
        MethodError::Store(s) => anyhow::Error::from(s),
        MethodError::Form(f) => user_error(format!("Nothing was changed. {}", f.summary())),
        other => user_error(other.to_string()),
    }
}

pub fn topics_cmd(vault: &mut SqliteVault, data_dir: &Path, cmd: &TopicsCmd) -> Result<()> {
    let now = jiff::Timestamp::now();
    match cmd {
        TopicsCmd::List { json } => {
            let lists = topics::lists(vault, Some(data_dir)).map_err(method_error)?;
            if *json {
                outln!("{}", serde_json::to_string_pretty(&lists)?);
            } else {
                print_lists(&lists);
            }
            Ok(())
        }
        TopicsCmd::Add {
            topic,
            words,
            new,
            json,
        } => {
            let changed = if *new {
                topics::new_topic(vault, Some(data_dir), topic, words, now)
            } else {
                topics::add_words(vault, Some(data_dir), topic, words, now)
            }
            .map_err(|e| match e {
                MethodError::Form(f) if f.get("topic").is_some() => user_error(format!(
                    "Nothing was changed. {} To make a new topic of your own, add --new.",
                    f.summary()
                )),
                e => method_error(e),
            })?;
            if *json {
                return crate::common::print_json(&serde_json::json!({
                    "topic": changed.label, "added": changed.words, "new": new,
                }));
            }
            outln!(
                "{} {}: {}. The next analysis of your chat uses {}.",
                if *new { "Made the topic" } else { "Added to" },
                changed.label,
                changed.words.join(", "),
                if changed.words.len() == 1 {
                    "it"
                } else {
                    "them"
                }
            );
            Ok(())
        }
        TopicsCmd::Remove { topic, words, json } => {
            let changed = topics::remove_words(vault, Some(data_dir), topic, words, now)
                .map_err(method_error)?;
            let gone = changed.lists.find(&changed.topic).is_none();
            if *json {
                return crate::common::print_json(&serde_json::json!({
                    "topic": changed.label, "removed": changed.words, "topic_gone": gone,
                }));
            }
            outln!(
                "Removed from {}: {}.{} The next analysis of your chat leaves {} out.",
                changed.label,
                changed.words.join(", "),
                if gone {
                    " It had no words left, so the topic is gone."
                } else {
                    ""
                },
                if changed.words.len() == 1 {
                    "it"
                } else {
                    "them"
                }
            );
            Ok(())
        }
    }
}

fn print_lists(lists: &TopicLists) {
    outln!("The words each topic is counted by. A word matches whole words; * matches any ending.");
    for t in &lists.topics {
        let whose = match t.source {
            TopicSource::BuiltIn => "",
            TopicSource::File => " (from a file in the data folder's lexicons/)",
            TopicSource::Yours => " (your own topic)",
        };
        outln!();
        outln!("{} — {} words{whose}", t.label, t.words.len());
        outln!("  {}", t.words.join(", "));
        let added: Vec<&String> = t
            .added
            .iter()
            .filter(|_| t.source != TopicSource::Yours)
            .collect();
        if !added.is_empty() {
            outln!(
                "  You added: {}",
                added
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if !t.removed.is_empty() {
            outln!(
                "  You took out: {} (add a word again to put it back)",
                t.removed.join(", ")
            );
        }
    }
    if !lists.ignored.is_empty() {
        outln!();
        outln!(
            "Not counted (the post-mortem counts at most {} topics): {}",
            rekindle_analysis::MAX_TOPICS,
            lists.ignored.join(", ")
        );
    }
    outln!();
    outln!(
        "Change them with `rekindle topics add TOPIC WORD…` and `rekindle topics remove TOPIC WORD…`."
    );
}
