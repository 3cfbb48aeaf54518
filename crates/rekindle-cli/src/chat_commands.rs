//! `rekindle convert` and `rekindle import`.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rekindle_app::import::{self, ImportReport, Roles};
use rekindle_chat::{DateOrder, Format, ParseOptions, Summary};
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
        }
    }
}

pub fn convert(file: &Path, to: OutputFormat, args: &ParseArgs) -> Result<()> {
    let bytes = import::read_export_file(file)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut write_error: Option<std::io::Error> = None;
    if let OutputFormat::Csv = to {
        rekindle_chat::write_csv_header(&mut out).context("Could not write the output.")?;
    }
    let summary = rekindle_chat::parse(&bytes, &args.options(), &mut |m| {
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
    })
    .map_err(rekindle_app::import::ImportError::from)?;
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

pub fn import(
    vault: &mut SqliteVault,
    file: &Path,
    me: Option<String>,
    ex: Option<String>,
    json: bool,
    redact: bool,
    args: &ParseArgs,
) -> Result<()> {
    let bytes = import::read_export_file(file)?;
    let bar = if json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0).with_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} messages ({eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        )
    };
    bar.set_message("Importing");
    let report = import::import(
        vault,
        &bytes,
        &args.options(),
        &Roles { me, ex, redact },
        jiff::Timestamp::now(),
        &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    )?;
    bar.finish_and_clear();
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
