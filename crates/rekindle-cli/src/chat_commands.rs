//! `rekindle convert` and `rekindle import`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rekindle_app::import::{self, ImportError, ImportReport, Roles};
use rekindle_chat::{ChatChoice, ChatInfo, DateOrder, Format, ParseError, ParseOptions, Summary};
use rekindle_store::SqliteVault;

use crate::commands::user_error;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum OutputFormat {
    Jsonl,
    Csv,
}

#[derive(clap::Args, Debug, Clone)]
pub struct ParseArgs {
    /// Read the file as this format instead of detecting it: whatsapp, telegram, messenger, csv
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    format: Option<Format>,
    /// For WhatsApp files whose dates cannot tell: dmy (day first), mdy (month first) or ymd
    #[arg(long, value_name = "ORDER", value_parser = parse_order)]
    date_order: Option<DateOrder>,
    /// For an export holding several chats (a Telegram full export, a Messenger/Instagram zip
    /// with several conversations): the chat to read, by its exact name or its id. Without it
    /// such an export is not read and its chats are listed
    #[arg(long, value_name = "NAME|ID")]
    chat: Option<String>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse::<Format>().map_err(|e| e.to_string())
}

fn parse_order(s: &str) -> Result<DateOrder, String> {
    s.parse::<DateOrder>().map_err(|e| e.to_string())
}

impl ParseArgs {
    fn options(&self) -> ParseOptions {
        ParseOptions {
            format: self.format,
            date_order: self.date_order,
            chat: match &self.chat {
                Some(c) => ChatChoice::Pick(c.clone()),
                None => ChatChoice::Ask,
            },
        }
    }
}

/// The export given: one file read in pieces (a big WhatsApp export is never
/// whole in memory), or the parts of one Messenger conversation read whole.
fn export_source(
    files: &[PathBuf],
    options: &rekindle_chat::ParseOptions,
) -> Result<Box<dyn import::ExportSource>> {
    Ok(match files {
        [file] => Box::new(rekindle_app::export_reader::scan_export_file(
            file, options,
        )?),
        _ => Box::new(import::InMemory(read_files(files)?)),
    })
}

/// Reads every file given; several must be the parts of one Messenger/Instagram
/// conversation. Each is prepared in place (lines that are not UTF-8 blanked
/// without a second copy of the file).
fn read_files(files: &[PathBuf]) -> Result<Vec<rekindle_chat::Prepared>> {
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        out.push(rekindle_chat::prepare(import::read_export_file(f)?));
    }
    Ok(out)
}

/// Most chats listed when the person must choose one (the rest are counted).
const LISTED_CHATS: usize = 15;

/// The errors about several chats or several files, worded for the command
/// line: the chats to choose from and how (`--chat`), the files by name.
pub(crate) fn explain(e: ImportError, files: &[PathBuf]) -> anyhow::Error {
    let file = |part: usize| -> String {
        match files.get(part.wrapping_sub(1)) {
            Some(f) => format!("“{}”", f.display()),
            None => format!("file {part}"),
        }
    };
    match e {
        ImportError::ChooseChat { chats, problem } => user_error(choose_message(&problem, &chats)),
        ImportError::Parse(ParseError::PartsDiffer { part, first, other }) => user_error(format!(
            "{} is not part of the same conversation as {}: the first is {first}, the other {other}. Give only the message_1.json, message_2.json, … files of one conversation.",
            file(part),
            file(1)
        )),
        ImportError::Parse(ParseError::PartsUnsupported { part, what }) => user_error(format!(
            "Several files can be read together only when they are the parts (message_1.json, message_2.json, …) of one Messenger or Instagram conversation, but {} is {what}; give it on its own.",
            file(part)
        )),
        ImportError::Parse(ParseError::InPart { part, error }) => {
            user_error(format!("{}: {error}", file(part)))
        }
        other => other.into(),
    }
}

/// Why a chat must be chosen, the chats (most messages first, at most
/// [`LISTED_CHATS`]) and how to choose one.
fn choose_message(problem: &ParseError, chats: &[ChatInfo]) -> String {
    let n = chats.len();
    let plural = |n: usize| if n == 1 { "chat" } else { "chats" };
    let mut out = match problem {
        ParseError::NoSuchChat { format, given, .. } => format!(
            "No chat in this {} export has the name or id “{given}”. It holds {} {}:\n",
            format.display_name(),
            thousands(n as u64),
            plural(n)
        ),
        ParseError::SameNameChats { format, given, .. } => format!(
            "{} chats in this {} export are named “{given}”; choose one by its id:\n",
            thousands(n as u64),
            format.display_name()
        ),
        ParseError::ChooseChat { format, .. } => format!(
            "This {} export holds {} {}; rekindle reads one chat at a time:\n",
            format.display_name(),
            thousands(n as u64),
            plural(n)
        ),
        other => format!("{other}\n"),
    };
    let mut sorted: Vec<&ChatInfo> = chats.iter().collect();
    sorted.sort_by_key(|c| std::cmp::Reverse(c.messages));
    for c in sorted.iter().take(LISTED_CHATS) {
        out.push_str(&format!("  {c}\n"));
    }
    if n > LISTED_CHATS {
        out.push_str(&format!(
            "  … and {} more with fewer messages.\n",
            thousands((n - LISTED_CHATS) as u64)
        ));
    }
    let example = sorted
        .first()
        .map(|c| match &c.id {
            Some(id) if !id.contains(char::is_whitespace) => id.clone(),
            Some(id) => format!("\"{id}\""),
            None => format!("\"{}\"", c.display_name()),
        })
        .unwrap_or_else(|| "NAME".into());
    out.push_str(&format!(
        "Run the same command again with --chat and the chat's name or id, for example --chat {example}"
    ));
    out
}

pub fn convert(files: &[PathBuf], to: OutputFormat, args: &ParseArgs) -> Result<()> {
    let options = args.options();
    let mut source = export_source(files, &options)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut write_error: Option<std::io::Error> = None;
    if let OutputFormat::Csv = to {
        rekindle_chat::write_csv_header(&mut out).context("Could not write the output.")?;
    }
    let mut write = |m: rekindle_chat::MessageRef<'_>| {
        if write_error.is_some() {
            return;
        }
        let r = match to {
            OutputFormat::Jsonl => rekindle_chat::write_jsonl(&m, &mut out),
            OutputFormat::Csv => rekindle_chat::write_csv(&m, &mut out),
        };
        if let Err(e) = r {
            write_error = Some(e);
        }
    };
    let summary = source
        .parse(&options, &mut write)
        .map_err(|e| explain(e, files))?;
    if let Some(e) = write_error {
        // A closed pipe (`| head`) is not a failure worth a message.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Ok(());
        }
        return Err(e).context("Could not write the output.");
    }
    if let Err(e) = out.flush()
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e).context("Could not write the output.");
    }
    err!("{}", describe(&summary));
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn import(
    vault: &mut SqliteVault,
    data_dir: &Path,
    files: &[PathBuf],
    me: Option<String>,
    ex: Option<String>,
    json: bool,
    redact: bool,
    args: &ParseArgs,
) -> Result<()> {
    let options = args.options();
    let mut source = export_source(files, &options)?;
    // Every message is classified once while it is stored (no text kept), so
    // the post-mortem of a long history opens at once; with the user's word
    // lists, as the post-mortem reads them. Not being able to is no import error.
    let lexicons = rekindle_app::topics::lexicons(vault, Some(data_dir))
        .inspect_err(|e| tracing::warn!(event = "snapshot_failed", error = %e))
        .ok();
    let bar = crate::progress::bar("Importing", "messages", json);
    // Once every message is read, what is left is storing and the snapshot.
    let mut spinner = None;
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
        if done == total && spinner.is_none() {
            bar.finish_and_clear();
            spinner = Some(crate::progress::spinner("Preparing the post-mortem", json));
        }
    };
    let roles = Roles { me, ex, redact };
    let now = jiff::Timestamp::now();
    let imported = import::import_from(
        vault,
        source.as_mut(),
        &options,
        &roles,
        now,
        &mut progress,
        lexicons.as_ref(),
    );
    bar.finish_and_clear();
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let report = imported.map_err(|e| explain(e, files))?;
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| user_error(e.to_string()))?
        );
    } else {
        out!("{}", describe_import(&report));
    }
    Ok(())
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn day(t: Option<jiff::civil::DateTime>) -> String {
    t.map(|t| t.strftime("%-d %b %Y %H:%M").to_string())
        .unwrap_or_else(|| "?".into())
}

/// The plain-language summary of a parse, shared by convert and import.
pub fn describe(s: &Summary) -> String {
    let mut out = format!(
        "Read {} messages ({}) from {} to {}.\n",
        thousands(s.messages as u64),
        s.format.display_name(),
        day(s.first),
        day(s.last)
    );
    if !s.per_sender.is_empty() {
        let people: Vec<String> = s
            .per_sender
            .iter()
            .take(10)
            .map(|(n, c)| format!("{n}: {}", thousands(*c as u64)))
            .collect();
        out.push_str(&format!("Messages per person: {}.\n", people.join(", ")));
    }
    for w in &s.warnings {
        out.push_str(&format!("Note: {w}\n"));
    }
    if s.skipped_count > 0 {
        out.push_str(&format!(
            "{} line(s) could not be read and were left out; the first ones:\n",
            thousands(s.skipped_count as u64)
        ));
        for l in s.skipped.iter().take(5) {
            out.push_str(&format!(
                "  line {}: {} (“{}”)\n",
                l.line, l.reason, l.excerpt
            ));
        }
    }
    out
}

fn describe_import(r: &ImportReport) -> String {
    let mut out = describe(&r.summary);
    out.push_str(&format!(
        "Stored {} new message(s) in your vault; {} were already there.\n",
        thousands(r.counts.added),
        thousands(r.counts.already_had)
    ));
    match (&r.me, &r.ex) {
        (Some(me), Some(ex)) => out.push_str(&format!("You are “{me}”; your ex is “{ex}”.\n")),
        _ => out.push_str(
            "Tell rekindle who is who with --me NAME --ex NAME (or on the import page), so the analysis can tell you apart.\n",
        ),
    }
    out
}
