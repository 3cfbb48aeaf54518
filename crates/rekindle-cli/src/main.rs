//! `rekindle`: the command line. It parses arguments, opens the vault and
//! calls the same functions the web app uses; nothing else.

#[cfg(not(unix))]
compile_error!(
    "rekindle supports Linux and macOS only (Unix permissions keep the data folder private). See README.md, \"Platforms\"."
);

/// `println!` and friends for text a person reads: every line goes through
/// [`term::clean`], so untrusted text cannot drive the terminal.
macro_rules! outln {
    () => { println!() };
    ($($arg:tt)*) => { println!("{}", $crate::term::clean(&format!($($arg)*))) };
}
macro_rules! out {
    ($($arg:tt)*) => { print!("{}", $crate::term::clean(&format!($($arg)*))) };
}
macro_rules! errln {
    () => { eprintln!() };
    ($($arg:tt)*) => { eprintln!("{}", $crate::term::clean(&format!($($arg)*))) };
}
macro_rules! err {
    ($($arg:tt)*) => { eprint!("{}", $crate::term::clean(&format!($($arg)*))) };
}

mod analysis_commands;
mod chat_commands;
mod chats_commands;
mod commands;
mod common;
mod control;
mod duress_commands;
mod hardening;
mod host_commands;
mod letter_commands;
mod method_commands;
mod passphrase_input;
mod progress;
mod recovery_commands;
mod relationship_commands;
mod retract_commands;
mod safety_commands;
mod share_commands;
mod support_commands;
mod term;
mod topics_commands;
mod wipe_alloc;

#[global_allocator]
static ALLOCATOR: wipe_alloc::WipeOnFree = wipe_alloc::WipeOnFree;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "rekindle",
    version,
    propagate_version = true,
    about = "A private, local workbench for understanding a breakup and proving real change.",
    long_about = "rekindle keeps everything on this computer, encrypted with your passphrase.\n\
                  Start it with `rekindle serve` and open the private link it prints.\n\n\
                  Scripts can give the passphrase with --passphrase-file FILE, or with the\n\
                  REKINDLE_PASSPHRASE variable (less safe: other programs you run can read it)."
)]
struct Cli {
    /// Folder for the vault [default: ~/.local/share/rekindle, or the platform's data folder]
    #[arg(long, global = true, env = "REKINDLE_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Read the passphrase from the first line of this file instead of asking
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new, empty encrypted vault
    Init,
    /// Start the private web app on this computer and print its one-time link
    Serve {
        /// Port on 127.0.0.1 [default: a random free port]
        #[arg(long, value_name = "N")]
        port: Option<u16>,
    },
    /// Print a new one-time link to the running `rekindle serve` (the earlier link stops working)
    #[command(name = "login-link")]
    LoginLink,
    /// Change the passphrase (the data stays encrypted with the same key)
    Passwd {
        /// Read the new passphrase from this file (or set REKINDLE_NEW_PASSPHRASE)
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Write everything in the vault as one JSON document (not encrypted!)
    Export {
        /// Write to this file (created private, 0600) instead of standard output
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Create a new vault from an export file
    Restore {
        /// The JSON file written by `rekindle export`
        file: PathBuf,
    },
    /// Copy the vault, still encrypted, to a new file and its key to FILE.key (safe while `rekindle serve` runs)
    Backup {
        /// The new backup file; neither it nor FILE.key may exist yet
        file: PathBuf,
    },
    /// Delete the vault for good: its key is destroyed first, then its files (backups made earlier are yours to delete)
    #[command(
        name = "delete-vault",
        long_about = "Delete the vault for good. The passphrase is asked to make sure it is you; then the vault's \
key is overwritten (so the data can never be decrypted again) and its files are removed: vault.db with its \
-wal and -shm, vault.key, temporary files, vault files kept aside earlier and the share links' folder. \
The data folder, its empty lock file and your own word lists (lexicons/) stay.\n\n\
Backups and exports you made earlier are not touched: they are yours to delete.\n\n\
Stop `rekindle serve` first. Without --yes you are asked to type DELETE (in a terminal)."
    )]
    DeleteVault {
        /// Confirm without being asked (needed when not typing in a terminal)
        #[arg(long)]
        yes: bool,
    },
    /// A second passphrase for when someone makes you open rekindle: it erases the vault or opens an empty decoy (set, off)
    #[command(subcommand)]
    Duress(duress_commands::DuressCmd),
    /// Read a chat export and print one normalized message per line, storing nothing
    #[command(
        long_about = "Read a chat export (WhatsApp .txt or .zip, Telegram result.json, Messenger/Instagram \
message_N.json, or CSV with time,sender,text) and write one message per line to standard output.\n\n\
JSONL lines are {\"time\": \"YYYY-MM-DDTHH:MM:SS\" (local time as exported, with an offset only when the \
format has one), \"sender\": name or null, \"text\": ..., \"kind\": \"text\"|\"media\"|\"system\"|\"deleted\"|\"other\"}.\n\
A summary (messages per sender, first and last time, unreadable lines) goes to standard error.\n\n\
Several files are read as one chat when they are the parts of one Messenger/Instagram conversation \
(message_1.json message_2.json …): messages in time order, each once. A Messenger/Instagram zip is read \
the same way, one folder per conversation.\n\n\
An export holding several chats (a Telegram full export, or a zip with several conversations) needs \
--chat NAME|ID; without it rekindle lists the chats (name, id, messages) and reads nothing."
    )]
    Convert {
        /// The export file, or the parts message_1.json message_2.json … of one Messenger/Instagram conversation
        #[arg(required = true, num_args = 1.., value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value = "jsonl")]
        to: chat_commands::OutputFormat,
        #[command(flatten)]
        parse: chat_commands::ParseArgs,
    },
    /// Import a chat export into the vault (importing the same chat again adds only new messages)
    #[command(
        long_about = "Import a chat export into the vault (importing the same chat again adds only new messages).\n\n\
Several files are imported as one chat when they are the parts of one Messenger/Instagram conversation \
(message_1.json message_2.json …); files of different conversations are refused.\n\n\
An export holding several chats (a Telegram full export, or a Messenger/Instagram zip with several \
conversations) needs --chat NAME|ID; without it rekindle lists the chats (name, id, messages) and imports nothing."
    )]
    Import {
        /// The export file (WhatsApp .txt or .zip, Telegram result.json, Messenger/Instagram JSON or zip, CSV),
        /// or the parts message_1.json message_2.json … of one Messenger/Instagram conversation
        #[arg(required = true, num_args = 1.., value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Your name as it appears in the chat
        #[arg(long, value_name = "NAME")]
        me: Option<String>,
        /// Your ex's name as it appears in the chat
        #[arg(long, value_name = "NAME")]
        ex: Option<String>,
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
        /// Replace phone numbers and e-mail addresses in what is stored: messages, sender names, the chat's title
        #[arg(long)]
        redact_contacts: bool,
        #[command(flatten)]
        parse: chat_commands::ParseArgs,
    },
    /// The relationship: names, pronouns, dates, how it ended, the reasons given, your view
    #[command(subcommand)]
    Relationship(relationship_commands::RelationshipCmd),
    /// Problems of the relationship: add, edit, list
    #[command(subcommand)]
    Problem(method_commands::ProblemCmd),
    /// The plan for a problem: prevention, if-then plans, a commitment, the condition for the ex
    Plan(method_commands::PlanArgs),
    /// Check in: kept, lapsed or not applicable, for one commitment or each in turn
    Checkin(method_commands::CheckInArgs),
    /// The track record: streaks and kept-rates per commitment
    Record {
        #[arg(long)]
        json: bool,
    },
    /// Pause a commitment (holiday, illness): paused days are neither kept nor missed
    Pause {
        /// The commitment's number (see `rekindle record`)
        plan: i64,
        #[arg(long)]
        json: bool,
    },
    /// Resume a paused commitment from today
    Resume {
        /// The commitment's number (see `rekindle record`)
        plan: i64,
        #[arg(long)]
        json: bool,
    },
    /// How ready you are for a commitment: two 0–10 rulers and where you stand (weekly)
    Readiness(method_commands::ReadinessArgs),
    /// Your readiness answers over time, oldest first
    #[command(name = "readiness-history")]
    ReadinessHistory {
        /// Only this commitment (its number from `rekindle record`)
        #[arg(long, value_name = "ID")]
        plan: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// The self-check: four questions about the relationship, for you to look at over time
    #[command(name = "self-check", subcommand)]
    SelfCheck(recovery_commands::SelfCheckCmd),
    /// What your ex told you, written down in their words (never a score of them)
    #[command(name = "their-words", subcommand)]
    TheirWords(recovery_commands::TheirWordsCmd),
    /// The honest outlook: what your record and answers suggest, each point with its source (never a score of them, never a promise)
    Outlook {
        #[arg(long)]
        json: bool,
        /// Also read the stored chat's post-mortem, to check your plan against what the arguments were about (a long chat takes a few seconds)
        #[arg(long)]
        chat: bool,
    },
    /// Name a trigger or high-risk situation for a commitment, with your plan for it
    Trigger(method_commands::TriggerArgs),
    /// List the triggers you named, per commitment, with your plan for each
    Triggers {
        /// Only this commitment (its number from `rekindle record`)
        #[arg(long, value_name = "ID")]
        plan: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// What lapses have in common: triggers, weekdays
    Pattern {
        #[arg(long)]
        json: bool,
    },
    /// The three AUDIT-C drinking questions (paraphrased), scored 0–12
    #[command(name = "audit-c")]
    AuditC(method_commands::AuditArgs),
    /// Your AUDIT-C answers over time, with their scores
    #[command(name = "audit-c-history")]
    AuditCHistory {
        #[arg(long)]
        json: bool,
    },
    /// Alcohol-free days: record one, or list them
    #[command(name = "alcohol-free", subcommand)]
    AlcoholFree(recovery_commands::AlcoholFreeCmd),
    /// Your support network: allies and professionals (add, edit, list; withdraw with `rekindle withdraw supporter ID`)
    #[command(subcommand)]
    Supporter(support_commands::SupporterCmd),
    /// Your reading list and the books suggested for your problems (add, edit, list, status; withdraw with `rekindle withdraw book ID`)
    #[command(subcommand)]
    Book(support_commands::BookCmd),
    /// What you took from the books you read (add, edit, list; withdraw with `rekindle withdraw takeaway BOOK.N`)
    #[command(subcommand)]
    Takeaway(support_commands::TakeawayCmd),
    /// Check-in reminders as a calendar file whose titles reveal nothing
    Reminders(method_commands::RemindersArgs),
    /// Safety first: the safety questions, the lock, their answer
    #[command(subcommand)]
    Safety(safety_commands::SafetyCmd),
    /// Take back a problem, plan, commitment, trigger, supporter, book, takeaway or letter (nothing is deleted; check-ins stay in the record, marked)
    Withdraw(retract_commands::TargetArgs),
    /// Bring back something you withdrew, just as it was (see `rekindle withdrawn`)
    BringBack(retract_commands::TargetArgs),
    /// What you took back, and the check-ins of withdrawn commitments
    Withdrawn {
        /// Print machine-readable JSON
        #[arg(long)]
        json: bool,
    },
    /// Help lines for danger, crisis, abuse and alcohol (no vault needed)
    Helplines {
        /// Two-letter country code, e.g. US or GB
        #[arg(long)]
        country: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Share links for an ally or counsellor: create, list, revoke, serve
    #[command(subcommand)]
    Share(share_commands::ShareCmd),
    /// Write the progress report (picked sections) to a file, printable or sealed
    Report {
        /// Sections: wrong, changed, record, confirmations (comma-separated; check-in notes are never included)
        #[arg(long, default_value = "wrong,changed,record")]
        sections: String,
        /// The file to write (must not exist)
        #[arg(long, short)]
        out: PathBuf,
        /// Seal it: read the share passphrase (12+ characters) from this file
        #[arg(long, value_name = "FILE")]
        seal_passphrase_file: Option<PathBuf>,
        /// Print what was written as JSON
        #[arg(long)]
        json: bool,
    },
    /// An honest letter built from your record (only when safe and when the record allows)
    Letter {
        #[arg(long)]
        json: bool,
        /// Check your own text (a file) for the four horsemen instead of drafting
        #[arg(long, value_name = "FILE")]
        check: Option<PathBuf>,
        /// You have sent the letter: record it, with its text as you sent it (a file).
        /// rekindle then helps with nothing more until they reply
        #[arg(long, value_name = "FILE", conflicts_with_all = ["check", "reply", "history"])]
        sent: Option<PathBuf>,
        /// Their reply to the letter you sent: yes (they want to talk) or no (final)
        #[arg(long, value_name = "yes|no", conflicts_with_all = ["check", "history"])]
        reply: Option<String>,
        /// The letters saved and sent, and the replies
        #[arg(long, conflicts_with = "check")]
        history: bool,
    },
    /// VADER sentiment (exact vaderSentiment 3.3.2): one line of text in, one JSON object out
    Sentiment,
    /// What the analysis sees in each line of stdin: tone, negative, the four horsemen, repair, topics, pressure on the other, signs of danger (JSON lines)
    Classify {
        /// Read every line first and decide `negative` at the share of negative messages
        /// estimated from all of them, as `analyze` does for a chat (default: each line alone)
        #[arg(long)]
        as_chat: bool,
    },
    /// The post-mortem of a chat: of FILE directly (nothing stored), or of the stored chat
    Analyze {
        /// An export file to analyse without storing it
        file: Option<PathBuf>,
        /// The full, documented JSON instead of plain sentences
        #[arg(long)]
        json: bool,
        /// Only messages on or after this day (YYYY-MM-DD)
        #[arg(long)]
        since: Option<String>,
        /// Only messages on or before this day
        #[arg(long)]
        until: Option<String>,
        /// Your name in the chat (else what was saved at import)
        #[arg(long)]
        me: Option<String>,
        /// Your ex's name in the chat
        #[arg(long)]
        ex: Option<String>,
        /// A message after this many quiet hours starts a new conversation (1-168)
        #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=168))]
        gap_hours: u32,
        /// Without FILE: the stored chat to analyse (its id from `rekindle chats list`; default: the one
        /// chosen with `rekindle chats use`, else the first). With FILE holding several chats (a Telegram
        /// full export, a Messenger/Instagram zip): the chat to read, by its exact name or id; without it
        /// such a file is not read and its chats are listed
        #[arg(long, value_name = "ID|NAME")]
        chat: Option<String>,
    },
    /// The stored chats: list them, choose the one the post-mortem reads, delete one
    #[command(subcommand)]
    Chats(chats_commands::ChatsCmd),
    /// The words of each topic the post-mortem counts (drinking, money, …): list, add, remove; kept in the vault
    #[command(subcommand)]
    Topics(topics_commands::TopicsCmd),
    /// Settings: discreet mode, the idle lock, the help lines' country (show, set)
    #[command(subcommand)]
    Settings(relationship_commands::SettingsCmd),
    /// Hosted mode: run rekindle for many people on PostgreSQL (init, serve, invite, accounts)
    Host(host_commands::HostCmd),
    /// Show where the vault is and what it holds (counts only, never content)
    Status {
        /// Print machine-readable JSON
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    hardening::harden_process();
    // Before anything else runs (one thread): the passphrase variables leave
    // the environment for wiped-on-drop memory.
    passphrase_input::take_from_environment();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap quotes a value it refuses as given: an escape sequence in
            // it would reach the terminal, so its message is cleaned too.
            let text = e.render().to_string();
            if e.use_stderr() {
                err!("{text}");
            } else {
                out!("{text}");
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let listener = matches!(
        cli.command,
        Command::Serve { .. }
            | Command::Host(_)
            | Command::Share(share_commands::ShareCmd::Serve { .. })
    );
    if !listener {
        hardening::quiet_on_closed_pipe();
    }
    // The web shells receive passphrases over HTTP (wipe_alloc.rs).
    if matches!(cli.command, Command::Serve { .. } | Command::Host(_)) {
        wipe_alloc::wipe_freed_memory();
    }
    // The server logs its events (ids and kinds only, never user text) to the
    // terminal; one-shot commands stay quiet apart from their one-line answer.
    let default_level = if matches!(cli.command, Command::Serve { .. } | Command::Host(_)) {
        "info"
    } else {
        "error"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("REKINDLE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            errln!("rekindle: {}", commands::plain_message(&err));
            ExitCode::from(commands::exit_code(&err))
        }
    }
}
