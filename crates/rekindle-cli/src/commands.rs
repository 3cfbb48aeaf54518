//! One function per subcommand.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use rekindle_core::passphrase::PassphraseProblem;
use rekindle_store::{DataDir, ExportDocument, SqliteVault, Store, StoreError, fsutil};

use crate::passphrase_input::{self, ENV_NEW_PASSPHRASE, ENV_PASSPHRASE};
use crate::{Cli, Command};

/// Input problems (the person can fix them) exit with 2; anything else with 1.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    if let Some(e) = err.downcast_ref::<StoreError>() {
        return match e {
            StoreError::Io { .. } | StoreError::Database(_) | StoreError::DiskFull => 1,
            _ => 2,
        };
    }
    if err.downcast_ref::<PassphraseProblem>().is_some()
        || err.downcast_ref::<UserError>().is_some()
    {
        return 2;
    }
    if let Some(e) = err.downcast_ref::<rekindle_app::import::ImportError>() {
        return if e.is_user_error() { 2 } else { 1 };
    }
    1
}

/// The outermost message only: one sentence, no chain, no backtrace.
pub fn plain_message(err: &anyhow::Error) -> String {
    err.to_string()
}

/// A mistake in what the person asked for, worded for them.
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

pub fn user_error(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UserError(msg.into()))
}

fn data_dir_path(cli: &Cli) -> Result<PathBuf> {
    if let Some(d) = &cli.data_dir {
        return Ok(d.clone());
    }
    dirs::data_dir().map(|d| d.join("rekindle")).ok_or_else(|| {
        user_error("Could not find a data folder on this computer; use --data-dir DIR.")
    })
}

/// The data folder of a command that needs a vault there already: a
/// missing folder (a mistyped --data-dir) is said, never created.
fn existing_dir(path: &Path) -> Result<DataDir> {
    if !path.is_dir() {
        return Err(StoreError::NoVault(path.to_path_buf()).into());
    }
    Ok(DataDir::open(path)?)
}

/// "a second", "16 seconds", "5 minutes".
fn seconds_in_words(s: u64) -> String {
    match s {
        ..=1 => "a second".to_string(),
        2..=90 => format!("{s} seconds"),
        _ => format!("{} minutes", s.div_ceil(60)),
    }
}

/// After wrong passphrases in a row (counted in the data folder, so across
/// runs), the next try waits: 1 s, 2 s, 4 s, … up to 5 minutes (issue 18,
/// item 5). The folder's lock is held meanwhile, so tries cannot run side by
/// side either. Called before a passphrase is asked for or checked.
pub fn wait_after_wrong_passphrases(dir: &DataDir) {
    let failures = dir.unlock_failures();
    let wait = failures.remaining(rekindle_store::backoff::now_seconds());
    if wait == 0 {
        return;
    }
    let tries = match failures.count {
        1 => "a wrong passphrase".to_string(),
        n => format!("{n} wrong passphrases in a row"),
    };
    errln!(
        "After {tries}, rekindle waits {} before the next try.",
        seconds_in_words(wait)
    );
    std::thread::sleep(std::time::Duration::from_secs(wait));
}

fn open_vault(cli: &Cli, dir: &DataDir) -> Result<SqliteVault> {
    if !dir.has_vault() {
        return Err(StoreError::NoVault(dir.path().to_path_buf()).into());
    }
    wait_after_wrong_passphrases(dir);
    let pass = passphrase_input::obtain(
        cli.passphrase_file.as_deref(),
        ENV_PASSPHRASE,
        "Passphrase: ",
    )?;
    let vault = dir.unlock(&pass)?;
    if crisis_words_given(cli) {
        let country = vault.settings().ok().and_then(|s| s.country);
        crate::safety_commands::crisis_card(country.as_deref());
    }
    Ok(vault)
}

/// Words of self-harm or danger in anything typed on the command line (or in
/// the text file given to `letter --check`): asked once, through the one
/// decision in rekindle-app.
fn crisis_words_given(cli: &Cli) -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut typed: Vec<String> = args;
    if let Command::Letter { check, sent, .. } = &cli.command {
        for file in [check, sent].into_iter().flatten() {
            if let Ok(text) = crate::letter_commands::read_letter_file(file) {
                typed.push(text);
            }
        }
    }
    rekindle_app::crisis::mentions(typed.iter().map(String::as_str))
}

pub fn run(cli: Cli) -> Result<()> {
    if let Command::Helplines { country, json } = &cli.command {
        return crate::safety_commands::helplines(country.as_deref(), *json);
    }
    match &cli.command {
        Command::Host(cmd) => return crate::host_commands::run(cmd),
        Command::Sentiment => return crate::analysis_commands::sentiment(),
        Command::Classify { as_chat } => {
            let dir = data_dir_path(&cli).ok();
            return crate::analysis_commands::classify_lines(dir.as_deref(), *as_chat);
        }
        Command::Analyze { file: Some(_), .. } => {
            let dir = data_dir_path(&cli).ok();
            if let Some(args) = analyze_args(&cli.command) {
                return crate::analysis_commands::analyze_cmd(None, dir.as_deref(), args);
            }
        }
        _ => {}
    }
    let path = data_dir_path(&cli)?;
    match &cli.command {
        Command::Init => init(&cli, &path),
        Command::Serve { port } => serve(&cli, &path, *port),
        Command::LoginLink => crate::control::login_link(&path),
        Command::Passwd {
            new_passphrase_file,
        } => passwd(&cli, &path, new_passphrase_file.as_deref()),
        Command::Export { out } => export(&cli, &path, out.as_deref()),
        Command::Restore { file } => restore(&cli, &path, file),
        Command::Backup { file } => backup(&cli, &path, file),
        Command::DeleteVault { yes } => delete_vault(&cli, &path, *yes),
        Command::Status { json } => status(&cli, &path, *json),
        Command::Duress(cmd) => {
            let dir = existing_dir(&path)?;
            crate::duress_commands::duress_cmd(cli.passphrase_file.as_deref(), &dir, cmd)
        }
        Command::Relationship(cmd) => {
            let dir = existing_dir(&path)?;
            crate::relationship_commands::relationship_cmd(&mut open_vault(&cli, &dir)?, cmd)
        }
        Command::Settings(cmd) => {
            let dir = existing_dir(&path)?;
            crate::relationship_commands::settings_cmd(&mut open_vault(&cli, &dir)?, cmd)
        }
        Command::Pause { plan, json } | Command::Resume { plan, json } => {
            let dir = existing_dir(&path)?;
            let paused = matches!(cli.command, Command::Pause { .. });
            crate::recovery_commands::pause(&mut open_vault(&cli, &dir)?, *plan, paused, *json)
        }
        Command::ReadinessHistory { plan, json } => {
            let dir = existing_dir(&path)?;
            crate::recovery_commands::readiness_history(&open_vault(&cli, &dir)?, *plan, *json)
        }
        Command::SelfCheck(cmd) => {
            let dir = existing_dir(&path)?;
            crate::recovery_commands::self_check_cmd(&mut open_vault(&cli, &dir)?, cmd)
        }
        Command::TheirWords(cmd) => {
            let dir = existing_dir(&path)?;
            crate::recovery_commands::their_words_cmd(&mut open_vault(&cli, &dir)?, cmd)
        }
        Command::Triggers { plan, json } => {
            let dir = existing_dir(&path)?;
            crate::recovery_commands::triggers(&open_vault(&cli, &dir)?, *plan, *json)
        }
        Command::AuditCHistory { json } => {
            let dir = existing_dir(&path)?;
            crate::recovery_commands::audit_history(&open_vault(&cli, &dir)?, *json)
        }
        Command::AlcoholFree(cmd) => {
            let dir = existing_dir(&path)?;
            crate::recovery_commands::alcohol_free_cmd(&mut open_vault(&cli, &dir)?, cmd)
        }
        Command::Supporter(cmd) => {
            let dir = existing_dir(&path)?;
            crate::support_commands::supporter_cmd(&mut open_vault(&cli, &dir)?, cmd)
        }
        Command::Book(cmd) => {
            let dir = existing_dir(&path)?;
            crate::support_commands::book_cmd(&mut open_vault(&cli, &dir)?, cmd)
        }
        Command::Takeaway(cmd) => {
            let dir = existing_dir(&path)?;
            crate::support_commands::takeaway_cmd(&mut open_vault(&cli, &dir)?, cmd)
        }
        Command::Problem(cmd) => {
            let dir = existing_dir(&path)?;
            crate::method_commands::problem(&mut open_vault(&cli, &dir)?, cmd)
        }
        Command::Plan(args) => {
            let dir = existing_dir(&path)?;
            crate::method_commands::plan(&mut open_vault(&cli, &dir)?, args)
        }
        Command::Checkin(args) => {
            let dir = existing_dir(&path)?;
            crate::method_commands::checkin(&mut open_vault(&cli, &dir)?, args)
        }
        Command::Record { json } => {
            let dir = existing_dir(&path)?;
            crate::method_commands::record(&open_vault(&cli, &dir)?, *json)
        }
        Command::Readiness(args) => {
            let dir = existing_dir(&path)?;
            crate::method_commands::readiness(&mut open_vault(&cli, &dir)?, args)
        }
        Command::Outlook { json, chat } => {
            let dir = existing_dir(&path)?;
            crate::method_commands::outlook(&open_vault(&cli, &dir)?, &path, *json, *chat)
        }
        Command::Trigger(args) => {
            let dir = existing_dir(&path)?;
            crate::method_commands::trigger(&mut open_vault(&cli, &dir)?, args)
        }
        Command::Pattern { json } => {
            let dir = existing_dir(&path)?;
            crate::method_commands::pattern(&open_vault(&cli, &dir)?, *json)
        }
        Command::AuditC(args) => {
            let dir = existing_dir(&path)?;
            crate::method_commands::audit_c(&mut open_vault(&cli, &dir)?, args)
        }
        Command::Reminders(args) => crate::method_commands::reminders(args),
        Command::Safety(cmd) => {
            let dir = existing_dir(&path)?;
            crate::safety_commands::safety_cmd(&mut open_vault(&cli, &dir)?, cmd)
        }
        Command::Withdraw(args) => {
            let dir = existing_dir(&path)?;
            crate::retract_commands::withdraw(&mut open_vault(&cli, &dir)?, args)
        }
        Command::BringBack(args) => {
            let dir = existing_dir(&path)?;
            crate::retract_commands::bring_back(&mut open_vault(&cli, &dir)?, args)
        }
        Command::Withdrawn { json } => {
            let dir = existing_dir(&path)?;
            crate::retract_commands::withdrawn(&open_vault(&cli, &dir)?, *json)
        }
        Command::Helplines { .. } => Ok(()),
        Command::Sentiment | Command::Classify { .. } | Command::Host(_) => Ok(()),
        Command::Analyze { .. } => {
            let dir = existing_dir(&path)?;
            let vault = open_vault(&cli, &dir)?;
            match analyze_args(&cli.command) {
                Some(args) => {
                    crate::analysis_commands::analyze_cmd(Some(&vault), Some(&path), args)
                }
                None => Ok(()),
            }
        }
        Command::Chats(cmd) => {
            let dir = existing_dir(&path)?;
            crate::chats_commands::chats_cmd(&mut open_vault(&cli, &dir)?, cmd)
        }
        Command::Topics(cmd) => {
            let dir = existing_dir(&path)?;
            crate::topics_commands::topics_cmd(&mut open_vault(&cli, &dir)?, &path, cmd)
        }
        Command::Share(cmd) => {
            if let crate::share_commands::ShareCmd::Serve { .. } = cmd {
                // The share listener needs no vault key and no lock.
                return crate::share_commands::share_cmd(None, &path, cmd);
            }
            let dir = existing_dir(&path)?;
            let mut vault = open_vault(&cli, &dir)?;
            crate::share_commands::share_cmd(Some(&mut vault), &path, cmd)
        }
        Command::Letter {
            json,
            check,
            sent,
            reply,
            history,
        } => {
            let dir = existing_dir(&path)?;
            let mut vault = open_vault(&cli, &dir)?;
            match (sent, reply, history) {
                (Some(file), _, _) => crate::letter_commands::sent(&mut vault, file, *json),
                (_, Some(answer), _) => crate::letter_commands::reply(&mut vault, answer, *json),
                (_, _, true) => crate::letter_commands::history(&vault, *json),
                _ => crate::share_commands::letter_cmd(&vault, *json, check.as_deref()),
            }
        }
        Command::Report {
            sections,
            out,
            seal_passphrase_file,
            json,
        } => {
            let dir = existing_dir(&path)?;
            crate::share_commands::report_cmd(
                &open_vault(&cli, &dir)?,
                sections,
                out,
                seal_passphrase_file.as_deref(),
                *json,
            )
        }
        Command::Convert { files, to, parse } => crate::chat_commands::convert(files, *to, parse),
        Command::Import {
            files,
            me,
            ex,
            json,
            redact_contacts,
            parse,
        } => {
            let dir = existing_dir(&path)?;
            let mut vault = open_vault(&cli, &dir)?;
            crate::chat_commands::import(
                &mut vault,
                &path,
                files,
                me.clone(),
                ex.clone(),
                *json,
                *redact_contacts,
                parse,
            )
        }
    }
}

fn init(cli: &Cli, path: &Path) -> Result<()> {
    let dir = DataDir::open(path)?;
    if dir.has_vault() {
        return Err(StoreError::AlreadyExists(path.to_path_buf()).into());
    }
    let pass = passphrase_input::obtain_new(cli.passphrase_file.as_deref(), ENV_PASSPHRASE)?;
    let before = dir.kept_aside();
    dir.create(&pass, dir.kdf_target())?;
    outln!("Created your encrypted vault in {}.", path.display());
    outln!("Keep your passphrase safe: it cannot be recovered.");
    for kept in dir.kept_aside().iter().filter(|k| !before.contains(k)) {
        errln!(
            "A vault file without its key file was here; it was kept, not deleted, as {}. If you find its key file (a backup's FILE.key), put both in an empty folder as vault.db and vault.key to open it.",
            kept.display()
        );
    }
    Ok(())
}

fn serve(cli: &Cli, path: &Path, port: Option<u16>) -> Result<()> {
    let dir = DataDir::open(path)?;
    // A key file without its vault file is refused before the server
    // starts (a damaged vault file is found at the first unlock: that
    // needs the key).
    dir.check_vault_file()?;
    // With a passphrase given up front the vault opens (or is created) now;
    // otherwise the browser asks for it on the first page.
    let vault = match passphrase_input::given(cli.passphrase_file.as_deref(), ENV_PASSPHRASE)? {
        Some(pass) if dir.has_vault() => {
            wait_after_wrong_passphrases(&dir);
            Some(dir.unlock(&pass)?)
        }
        Some(pass) => {
            rekindle_core::passphrase::check_new(&pass, None)?;
            Some(dir.create(&pass, dir.kdf_target())?)
        }
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("Could not start the web server.")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port.unwrap_or(0)))
            .await
            .map_err(|e| {
                user_error(format!(
                    "Could not listen on 127.0.0.1:{}: {e}.",
                    port.unwrap_or(0)
                ))
            })?;
        let bound = listener
            .local_addr()
            .context("Could not read the server address.")?
            .port();
        let announce: rekindle_web::Announce = Arc::new(|url: &str| {
            outln!("rekindle is locked. To open it again, use this new private link: {url}");
            let _ = std::io::stdout().flush();
        });
        // Every page under a random path for this launch, where the session
        // cookie is scoped: browsers send cookies to every port of 127.0.0.1.
        let base = rekindle_web::state::random_base()
            .context("Could not make this launch's private address.")?;
        let folder = dir.path().to_path_buf();
        let state = rekindle_web::AppState::new_at(
            dir,
            vault,
            bound,
            base,
            Arc::new(rekindle_web::SystemClock),
            announce,
        );
        let control = crate::control::listen(&folder, state.clone());
        let url = state
            .new_login_url()
            .context("Could not create a login link.")?;
        outln!(
            "rekindle is running. Open this private link in your browser (it works once): {url}"
        );
        outln!("Press Ctrl+C here to stop.");
        std::io::stdout().flush().ok();
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let served = rekindle_web::serve(listener, state, shutdown).await;
        if let Some(task) = control {
            task.abort();
            let _ = std::fs::remove_file(folder.join(rekindle_store::CONTROL_SOCKET));
        }
        served.context("The web server stopped unexpectedly.")?;
        outln!("rekindle stopped; your vault is locked.");
        Ok(())
    })
}

fn passwd(cli: &Cli, path: &Path, new_file: Option<&Path>) -> Result<()> {
    let dir = existing_dir(path)?;
    if !dir.has_vault() {
        return Err(StoreError::NoVault(path.to_path_buf()).into());
    }
    wait_after_wrong_passphrases(&dir);
    let old = passphrase_input::obtain(
        cli.passphrase_file.as_deref(),
        ENV_PASSPHRASE,
        "Current passphrase: ",
    )?;
    // Check the old one first so nobody types a new one for nothing.
    drop(dir.unlock(&old)?);
    let new = passphrase_input::obtain_new(new_file, ENV_NEW_PASSPHRASE)?;
    dir.change_passphrase(&old, &new)?;
    outln!("Passphrase changed. Use the new one from now on.");
    Ok(())
}

fn export(cli: &Cli, path: &Path, out: Option<&Path>) -> Result<()> {
    let dir = existing_dir(path)?;
    let vault = open_vault(cli, &dir)?;
    let json = crate::progress::with_spinner("Exporting", false, || {
        vault.export().and_then(|doc| doc.to_json())
    })?;
    match out {
        Some(file) => {
            if file.exists() {
                return Err(user_error(format!(
                    "{} already exists; choose a new file name so nothing is overwritten.",
                    file.display()
                )));
            }
            fsutil::write_atomic(file, format!("{json}\n").as_bytes())?;
            errln!(
                "Exported everything to {}. This file is NOT encrypted: keep it somewhere private.",
                file.display()
            );
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{json}").context("Could not write the export.")?;
        }
    }
    Ok(())
}

const MAX_EXPORT_BYTES: u64 = 512 * 1024 * 1024;

fn restore(cli: &Cli, path: &Path, file: &Path) -> Result<()> {
    let bytes = rekindle_store::fsutil::read_limited(file, MAX_EXPORT_BYTES).map_err(|e| {
        user_error(match e {
            rekindle_store::fsutil::ReadLimitedError::NotAFile => format!(
                "{} is not a regular file; give the file `rekindle export` wrote.",
                file.display()
            ),
            rekindle_store::fsutil::ReadLimitedError::TooLarge { .. } => {
                format!("{} is too large to be a rekindle export.", file.display())
            }
            rekindle_store::fsutil::ReadLimitedError::Io(e) => {
                format!("Could not read {}: {e}.", file.display())
            }
        })
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        user_error(format!(
            "{} is not a text file; expected a rekindle export (JSON).",
            file.display()
        ))
    })?;
    // Check the whole file before creating anything.
    let doc = crate::progress::with_spinner("Checking the export", false, || {
        ExportDocument::from_json(&text)
    })?;
    let dir = DataDir::open(path)?;
    if dir.has_vault() {
        return Err(StoreError::AlreadyExists(path.to_path_buf()).into());
    }
    let pass = passphrase_input::obtain_new(cli.passphrase_file.as_deref(), ENV_PASSPHRASE)?;
    let mut vault = dir.create(&pass, dir.kdf_target())?;
    crate::progress::with_spinner("Restoring", false, || vault.restore(&doc))?;
    outln!("Restored your data into a new vault in {}.", path.display());
    Ok(())
}

fn backup(cli: &Cli, path: &Path, file: &Path) -> Result<()> {
    // Only looks first: a mistyped --data-dir must not create a folder.
    if !path.is_dir() {
        return Err(StoreError::NoVault(path.to_path_buf()).into());
    }
    let key_copy = match DataDir::open(path) {
        Ok(dir) => {
            let vault = open_vault(cli, &dir)?;
            crate::progress::with_spinner("Backing up", false, || dir.backup(&vault, file))?
        }
        // `rekindle serve` holds the folder: the vault is read beside it
        // (a consistent snapshot; the server keeps working).
        Err(StoreError::Locked(_)) => {
            let pass = passphrase_input::obtain(
                cli.passphrase_file.as_deref(),
                ENV_PASSPHRASE,
                "Passphrase: ",
            )?;
            crate::progress::with_spinner("Backing up", false, || {
                DataDir::backup_beside_running(path, &pass, file)
            })?
        }
        Err(e) => return Err(e.into()),
    };
    outln!(
        "Backed up the encrypted vault to {} (with its key file {}). Both are needed, with your passphrase, to restore.",
        file.display(),
        key_copy.display()
    );
    Ok(())
}

/// The word to type to confirm `delete-vault` in a terminal.
const DELETE_WORD: &str = "DELETE";

fn delete_vault(cli: &Cli, path: &Path, yes: bool) -> Result<()> {
    // Only looks first: a mistyped --data-dir must not create a folder.
    if !path.is_dir() {
        return Err(user_error(format!(
            "There is no data folder at {}, so there is no vault to delete. Nothing was changed.",
            path.display()
        )));
    }
    let dir = match DataDir::open(path) {
        Ok(dir) => dir,
        Err(StoreError::Locked(_)) => {
            return Err(user_error(format!(
                "rekindle is running with the data folder {} (`rekindle serve` in another window or terminal). \
                 Stop it first (Ctrl+C there), then run `rekindle delete-vault` again. Nothing was deleted.",
                path.display()
            )));
        }
        Err(e) => return Err(e.into()),
    };
    if !dir.has_vault() {
        return Err(user_error(format!(
            "There is no vault in {}, so there is nothing to delete.",
            path.display()
        )));
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(user_error(
                "This deletes your vault and everything in it for good; it cannot be undone. \
                 To go ahead, run again with --yes. Nothing was deleted.",
            ));
        }
        errln!(
            "This deletes your vault in {} and everything in it, for good: it cannot be undone. \
             Backups and exports you made earlier are not touched; they are yours to delete.",
            path.display()
        );
        err!("To go ahead, type {DELETE_WORD} and press Enter: ");
        let _ = std::io::stderr().flush();
        let mut typed = String::new();
        std::io::stdin()
            .read_line(&mut typed)
            .context("Could not read your answer.")?;
        // Any case: typing the word at all is the deliberate act.
        if !typed.trim().eq_ignore_ascii_case(DELETE_WORD) {
            return Err(user_error(format!(
                "You did not type {DELETE_WORD}, so nothing was deleted."
            )));
        }
    }
    wait_after_wrong_passphrases(&dir);
    let pass = passphrase_input::obtain(
        cli.passphrase_file.as_deref(),
        ENV_PASSPHRASE,
        "Your passphrase (to make sure it is you): ",
    )?;
    let erased = dir.erase(&pass)?;
    outln!(
        "Your vault was deleted: its key was destroyed first, then its files, and share links made from it stopped working. \
         Backups and exports you made earlier are not touched: they are yours to delete."
    );
    if let Some(lexicons) = erased.kept_lexicons {
        outln!(
            "Your own word lists in {} were left as they are; delete that folder yourself if you want them gone too.",
            lexicons.display()
        );
    }
    Ok(())
}

fn status(cli: &Cli, path: &Path, json: bool) -> Result<()> {
    // Only looks: a mistyped --data-dir must not create a folder tree.
    if !path.is_dir() {
        if json {
            let report = serde_json::json!({
                "data_dir": path.display().to_string(),
                "folder_exists": false,
                "vault_exists": false,
                "unlocked": false,
                "version": env!("CARGO_PKG_VERSION"),
            });
            outln!(
                "{}",
                serde_json::to_string_pretty(&report).map_err(|e| anyhow!(e))?
            );
        } else {
            outln!(
                "Data folder: {} (it does not exist, so there is no vault there yet)",
                path.display()
            );
        }
        return Ok(());
    }
    let dir = DataDir::open(path)?;
    let exists = dir.has_vault();
    let mut report = serde_json::json!({
        "data_dir": path.display().to_string(),
        "vault_exists": exists,
        "version": env!("CARGO_PKG_VERSION"),
    });
    let given = passphrase_input::given(cli.passphrase_file.as_deref(), ENV_PASSPHRASE)?;
    if let (true, Some(pass)) = (exists, given) {
        wait_after_wrong_passphrases(&dir);
        let vault = match dir.unlock(&pass) {
            Ok(vault) => vault,
            // Damage found before opening: said in the report too, then
            // the sentence with what to do (exit 2).
            Err(e @ (StoreError::Damaged(_) | StoreError::MissingDatabase(_))) => {
                report["unlocked"] = serde_json::json!(false);
                report["integrity_ok"] = serde_json::json!(false);
                if json {
                    outln!(
                        "{}",
                        serde_json::to_string_pretty(&report).map_err(|e| anyhow!(e))?
                    );
                } else {
                    outln!("Data folder: {}", path.display());
                    outln!("Vault: integrity PROBLEM (it was not opened)");
                }
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        };
        let counts: serde_json::Map<String, serde_json::Value> = vault
            .counts()?
            .into_iter()
            .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
            .collect();
        report["unlocked"] = serde_json::json!(true);
        report["schema_version"] = serde_json::json!(vault.schema_version()?);
        report["integrity_ok"] = serde_json::json!(vault.integrity_ok()?);
        report["counts"] = serde_json::Value::Object(counts);
    } else {
        report["unlocked"] = serde_json::json!(false);
    }
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| anyhow!(e))?
        );
    } else {
        outln!("Data folder: {}", path.display());
        if !exists {
            outln!("No vault yet. Run `rekindle serve` (or `rekindle init`) to create one.");
        } else if let Some(counts) = report.get("counts").and_then(|c| c.as_object()) {
            outln!(
                "Vault: unlocked, schema {}, integrity {}",
                report["schema_version"],
                if report["integrity_ok"] == true {
                    "ok"
                } else {
                    "PROBLEM"
                }
            );
            for (k, v) in counts {
                outln!("  {k}: {v}");
            }
        } else {
            outln!("Vault: present and locked (give the passphrase to see counts).");
        }
    }
    if report.get("integrity_ok") == Some(&serde_json::json!(false)) {
        return Err(StoreError::Damaged(dir.vault_path()).into());
    }
    Ok(())
}

/// The arguments of `rekindle analyze` (with or without a file).
fn analyze_args(command: &Command) -> Option<crate::analysis_commands::AnalyzeArgs<'_>> {
    let Command::Analyze {
        file,
        json,
        since,
        until,
        me,
        ex,
        gap_hours,
        chat,
    } = command
    else {
        return None;
    };
    Some(crate::analysis_commands::AnalyzeArgs {
        file: file.as_deref(),
        json: *json,
        since: since.clone(),
        until: until.clone(),
        me: me.clone(),
        ex: ex.clone(),
        gap_hours: *gap_hours,
        chat: chat.clone(),
    })
}
