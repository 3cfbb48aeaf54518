//! `rekindle sentiment`, `classify` and `analyze`.

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use rekindle_analysis::{
    AnalysisOptions, Lexicons, Prepared, Who, analyze_prepared, classify, summarize,
};
use rekindle_chat::{ChatChoice, ParseOptions};
use rekindle_store::SqliteVault;

use crate::commands::user_error;

/// Built-in lexicons plus the user's own files (see `rekindle_app::postmortem`).
pub fn lexicons(data_dir: Option<&Path>) -> Lexicons {
    rekindle_app::postmortem::user_lexicons(data_dir)
}

/// One line in, one JSON object out, full precision (shortest round-trip floats).
pub fn sentiment() -> Result<()> {
    let analyzer = rekindle_vader::Analyzer::shared();
    json_lines(|line| analyzer.polarity_scores(line))
}

/// `rekindle classify`: each line alone (streaming), or with `as_chat` all
/// lines as one chat (`negative` at the share estimated from them together).
pub fn classify_lines(data_dir: Option<&Path>, as_chat: bool) -> Result<()> {
    let lex = lexicons(data_dir);
    if !as_chat {
        return json_lines(|line| classify(line, &lex));
    }
    let lines: Vec<String> = std::io::stdin()
        .lock()
        .lines()
        .collect::<std::io::Result<_>>()
        .context(STDIN_ERROR)?;
    let (classified, share) = rekindle_analysis::classify_chat(&lines, &lex);
    errln!(
        "Read as one chat of {} messages: `negative` decided at an estimated {:.1} % share of negative messages (a few lines stay near the 5 % default).",
        lines.len(),
        100.0 * share
    );
    write_json_lines(classified.into_iter().map(Ok))
}

/// Each line of stdin through `f`, one JSON object per line on stdout.
fn json_lines<T: serde::Serialize>(f: impl Fn(&str) -> T) -> Result<()> {
    write_json_lines(
        std::io::stdin()
            .lock()
            .lines()
            .map(|line| Ok(f(&line.context(STDIN_ERROR)?))),
    )
}

const STDIN_ERROR: &str = "Could not read standard input (is it text?).";

/// One JSON object per line on stdout; stops quietly when stdout is closed (`| head`).
fn write_json_lines<T: serde::Serialize>(items: impl Iterator<Item = Result<T>>) -> Result<()> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    for item in items {
        let json = serde_json::to_string(&item?).context("Could not write JSON.")?;
        if writeln!(out, "{json}").is_err() {
            return Ok(());
        }
    }
    out.flush().ok();
    Ok(())
}

fn parse_date(s: &Option<String>, what: &str) -> Result<Option<jiff::civil::Date>> {
    match s {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| user_error(format!("{what} should be a date like 2024-03-15."))),
    }
}

/// A store failure as is; anything else as a plain message.
fn store_error(e: rekindle_app::method::MethodError) -> anyhow::Error {
    match e {
        rekindle_app::method::MethodError::Store(s) => anyhow::Error::from(s),
        other => user_error(other.to_string()),
    }
}

fn no_chat() -> anyhow::Error {
    user_error(
        "No chat is stored yet: import one with `rekindle import FILE`, or give a file to analyse.",
    )
}

pub struct AnalyzeArgs<'a> {
    pub file: Option<&'a Path>,
    pub json: bool,
    pub since: Option<String>,
    pub until: Option<String>,
    pub me: Option<String>,
    pub ex: Option<String>,
    /// Quiet hours after which a message starts a conversation.
    pub gap_hours: u32,
    /// Without a file, the stored chat's id (else the chosen or first
    /// one); with a file holding several chats, the one to read.
    pub chat: Option<String>,
}

/// `--chat` without a file names a stored chat by its number.
fn stored_chat_id(chat: Option<&str>) -> Result<Option<i64>> {
    chat.map(|c| {
        c.trim().parse::<i64>().map_err(|_| {
            user_error(format!(
                "“{}” is not a chat's id: without a file, --chat takes the number `rekindle chats list` shows.",
                crate::term::clean(c)
            ))
        })
    })
    .transpose()
}

pub fn analyze_cmd(
    vault: Option<&SqliteVault>,
    data_dir: Option<&Path>,
    a: AnalyzeArgs<'_>,
) -> Result<()> {
    let result =
        crate::progress::with_spinner("Reading the chat", a.json, || analyse(vault, data_dir, &a))?;
    if a.json {
        let mut out = BufWriter::new(std::io::stdout().lock());
        serde_json::to_writer_pretty(&mut out, &result).context("Could not write JSON.")?;
        writeln!(out).ok();
        return Ok(());
    }
    outln!("What the chat shows ({} messages):", result.analysed);
    for line in summarize(&result) {
        outln!("- {line}");
    }
    Ok(())
}

/// The post-mortem of the file or the stored chat, with the options given.
fn analyse(
    vault: Option<&SqliteVault>,
    data_dir: Option<&Path>,
    a: &AnalyzeArgs<'_>,
) -> Result<rekindle_analysis::Analysis> {
    // The stored chat is counted with the user's word lists as the vault
    // keeps them (`rekindle topics`); a file given directly, with the
    // built-in lists and the data folder's lexicons/ files.
    let lists = match (a.file, vault) {
        (None, Some(v)) => Some(rekindle_app::topics::lists(v, data_dir).map_err(store_error)?),
        _ => None,
    };
    let compile = || match &lists {
        Some(l) => l.lexicons(),
        None => lexicons(data_dir),
    };
    // The word lists' automaton is built on one thread and VADER and the
    // learned layers on another while the file is read a first time (for
    // the evidence of its dates; each takes milliseconds).
    std::thread::scope(|scope| {
        let building = scope.spawn(compile);
        scope.spawn(rekindle_analysis::warm_up);
        // An export with several chats is read only once one is named, as
        // `convert` and `import` do: never silently the first.
        let options = ParseOptions {
            chat: match &a.chat {
                Some(c) => ChatChoice::Pick(c.clone()),
                None => ChatChoice::Ask,
            },
            ..ParseOptions::default()
        };
        let scanned = a
            .file
            .map(|f| rekindle_app::export_reader::scan_export_file(f, &options))
            .transpose()?;
        let lexicons = building.join().unwrap_or_else(|_| compile());
        // The second reading, in pieces, is classified as it is parsed: a
        // big export is never whole in memory, only its classified rows.
        let parsed = scanned.map(|mut file| {
            let (prepared, summary) =
                Prepared::from_source(&lexicons, |push| file.parse(&options, push));
            summary.map(|summary| (prepared, summary))
        });
        let (prepared, who) = match (parsed, vault) {
            (Some(parsed), _) => {
                let files: Vec<std::path::PathBuf> =
                    a.file.iter().map(|f| f.to_path_buf()).collect();
                let (prepared, summary) =
                    parsed.map_err(|e| crate::chat_commands::explain(e, &files))?;
                let who = Who {
                    me: summary.owner_hint.clone(),
                    ex: None,
                };
                (prepared, who)
            }
            (None, Some(v)) => rekindle_app::postmortem::stored_prepared_chat(
                v,
                &lexicons,
                stored_chat_id(a.chat.as_deref())?,
            )
            .map_err(|e| match e {
                rekindle_app::method::MethodError::NotFound => user_error(
                    "There is no chat with that id. `rekindle chats list` shows the ids of your chats.",
                ),
                e => store_error(e),
            })?
            .ok_or_else(no_chat)?,
            (None, None) => {
                return Err(user_error(
                    "Give an export file, or unlock the vault to analyse the stored chat.",
                ));
            }
        };
        finish_analysis(prepared, who, a)
    })
}

/// The analysis of a prepared chat with the options given.
fn finish_analysis(
    prepared: Prepared,
    mut who: Who,
    a: &AnalyzeArgs<'_>,
) -> Result<rekindle_analysis::Analysis> {
    if a.me.is_some() {
        who.me = a.me.clone();
    }
    if a.ex.is_some() {
        who.ex = a.ex.clone();
    }
    let opts = AnalysisOptions {
        since: parse_date(&a.since, "--since")?,
        until: parse_date(&a.until, "--until")?,
        gap_minutes: a.gap_hours.saturating_mul(60),
        ..AnalysisOptions::default()
    };
    Ok(analyze_prepared(&prepared, &who, &opts))
}
