//! `rekindle duress set|off`: the opt-in duress passphrase (security.md
//! item 58). Typed at any unlock (here or in the browser), it either erases
//! the vault and shows a new, empty one, or opens an empty decoy vault.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Subcommand;
use rekindle_store::{DataDir, DuressAction, StoreError};

use crate::commands::user_error;
use crate::passphrase_input::{self, ENV_PASSPHRASE};

/// Where a script gives the duress passphrase (less safe, like the others).
pub use crate::passphrase_input::ENV_DURESS_PASSPHRASE;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Action {
    /// Destroy the vault for good, then show a new, empty vault
    Erase,
    /// Open a separate, empty vault; your own vault stays as it is
    Decoy,
}

const DURESS_ABOUT: &str = "A second passphrase for when someone makes you open rekindle. Typed wherever \
rekindle asks for your passphrase (here or in the browser), it does what you chose:\n\n\
  erase  the vault's key is overwritten (so its data can never be decrypted again) and its files are \
removed; then a new, empty vault opens under the duress passphrase.\n\
  decoy  a separate, empty vault opens; your own vault stays as it is and opens with your passphrase.\n\n\
Either way the person watching sees an empty vault. Checking a passphrase takes the same time whichever \
one it is. Limits: backups and exports you made earlier are not touched; someone who can read the data \
folder can see that a second key slot (and, for decoy, a second vault file) exists; erase cannot undo \
copies made before. Remove it with `rekindle duress off`.";

#[derive(Subcommand, Debug)]
pub enum DuressCmd {
    /// Set (or replace) the duress passphrase and what it does: erase or decoy
    #[command(long_about = DURESS_ABOUT)]
    Set {
        /// erase: destroy the vault, then show a new empty one; decoy: open a separate empty vault
        #[arg(long, value_enum)]
        action: Action,
        /// Read the duress passphrase from this file (or set REKINDLE_DURESS_PASSPHRASE)
        #[arg(long, value_name = "FILE")]
        duress_passphrase_file: Option<PathBuf>,
    },
    /// Remove the duress passphrase (and the decoy vault, if there is one)
    Off,
}

pub fn duress_cmd(passphrase_file: Option<&Path>, dir: &DataDir, cmd: &DuressCmd) -> Result<()> {
    if !dir.has_vault() {
        return Err(StoreError::NoVault(dir.path().to_path_buf()).into());
    }
    let pass = passphrase_input::obtain(passphrase_file, ENV_PASSPHRASE, "Your passphrase: ")?;
    match cmd {
        DuressCmd::Set {
            action,
            duress_passphrase_file,
        } => {
            if passphrase_input::given(duress_passphrase_file.as_deref(), ENV_DURESS_PASSPHRASE)?
                .is_none()
                && std::io::stdin().is_terminal()
            {
                errln!(
                    "Now choose the duress passphrase: a different one, that you can type under pressure."
                );
            }
            let duress = passphrase_input::obtain_new(
                duress_passphrase_file.as_deref(),
                ENV_DURESS_PASSPHRASE,
            )?;
            if duress.as_str() == pass.as_str() {
                return Err(user_error(
                    "The duress passphrase must be different from your passphrase. Nothing was changed.",
                ));
            }
            let action = match action {
                Action::Erase => DuressAction::Erase,
                Action::Decoy => DuressAction::Decoy,
            };
            dir.set_duress(&pass, &duress, action)?;
            match action {
                DuressAction::Erase => outln!(
                    "Duress passphrase set. Typed wherever rekindle asks for your passphrase, it destroys your vault for good and then shows a new, empty vault. Backups you made earlier are not touched. Remove it with `rekindle duress off`."
                ),
                DuressAction::Decoy => outln!(
                    "Duress passphrase set. Typed wherever rekindle asks for your passphrase, it opens a separate, empty vault; your own vault stays as it is and opens with your passphrase. Remove it with `rekindle duress off`."
                ),
            }
        }
        DuressCmd::Off => {
            dir.duress_off(&pass)?;
            outln!(
                "There is no duress passphrase now (a decoy vault, if there was one, is deleted)."
            );
        }
    }
    Ok(())
}
