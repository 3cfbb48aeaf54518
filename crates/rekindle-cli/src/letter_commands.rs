//! `rekindle letter --sent FILE`, `--reply yes|no` and `--history`: what
//! happened to the letter after it was written. Sending waits for the same
//! gate as the web page; recording their reply never does (a "no" must
//! always be recordable).

use std::path::Path;

use anyhow::Result;
use rekindle_app::letter;
use rekindle_store::SqliteVault;

use crate::commands::user_error;
use crate::common::{app_error, print_json, today};

const NO_SENT: &str = "No letter is marked as sent yet, so there is no reply to record.";

/// The most a letter file may hold (the draft keeps 20,000 characters).
const MAX_LETTER_BYTES: u64 = 256 * 1024;

/// A letter's text from a file: a regular text file of a letter's size, or
/// a plain message (a FIFO or /dev/zero is refused before anything is read).
pub fn read_letter_file(file: &Path) -> Result<String> {
    use rekindle_store::fsutil::{ReadLimitedError, read_limited};
    let bytes = read_limited(file, MAX_LETTER_BYTES).map_err(|e| {
        user_error(match e {
            ReadLimitedError::NotAFile => format!(
                "{} is not a regular file; give your letter as a text file.",
                file.display()
            ),
            ReadLimitedError::TooLarge { .. } => {
                format!("{} is too large to be a letter.", file.display())
            }
            ReadLimitedError::Io(e) => format!("Could not read {}: {e}.", file.display()),
        })
    })?;
    String::from_utf8(bytes).map_err(|_| {
        user_error(format!(
            "{} is not a text file; give your letter as plain text.",
            file.display()
        ))
    })
}

/// "I have sent it": the text in `file` is saved as the letter and marked sent.
pub fn sent(vault: &mut SqliteVault, file: &Path, json: bool) -> Result<()> {
    let today = today();
    let now = jiff::Timestamp::now();
    // The gate first, before the file is even read.
    if let Err(r) =
        letter::gate(vault, &jiff::tz::TimeZone::system(), today).map_err(|e| app_error(e, ""))?
    {
        return Err(user_error(r.explain()));
    }
    let text = read_letter_file(file)?;
    if text.trim().is_empty() {
        return Err(user_error(format!(
            "{} is empty; give the letter as you sent it. Nothing was recorded.",
            file.display()
        )));
    }
    let id = letter::save(vault, &text, today, now).map_err(|e| app_error(e, NO_SENT))?;
    letter::mark_sent(vault, today, now).map_err(|e| app_error(e, NO_SENT))?;
    if json {
        return print_json(&serde_json::json!({ "id": id, "sent_on": today }));
    }
    outln!(
        "Noted: you sent it on {today}. rekindle helps with nothing more until they reply; \
         no reply is an answer too. When they answer: `rekindle letter --reply yes` or `--reply no`."
    );
    Ok(())
}

/// Their reply to the letter that was sent: yes (they want to talk) or no (final).
pub fn reply(vault: &mut SqliteVault, answer: &str, json: bool) -> Result<()> {
    let yes = match answer.trim().to_lowercase().as_str() {
        "yes" => true,
        "no" => false,
        other => {
            return Err(user_error(format!(
                "--reply takes yes (they want to talk) or no (they said no), not “{other}”. Nothing was recorded."
            )));
        }
    };
    if !letter::awaiting_reply(vault).map_err(|e| app_error(e, NO_SENT))? {
        let any_sent = letter::letters(vault)
            .map_err(|e| app_error(e, NO_SENT))?
            .iter()
            .any(|(_, l)| l.sent_on.is_some());
        return Err(user_error(if any_sent {
            "Their reply to your letter is already recorded. Nothing was changed."
        } else {
            NO_SENT
        }));
    }
    letter::record_reply(vault, yes, today(), jiff::Timestamp::now())
        .map_err(|e| app_error(e, NO_SENT))?;
    if json {
        return print_json(&serde_json::json!({ "reply": if yes { "yes" } else { "no" } }));
    }
    if yes {
        outln!("Recorded: they want to talk. Go gently, and keep your record going.");
    } else {
        outln!(
            "Recorded: they said no. That is their answer, and rekindle respects it: it will not help with reaching out from now on and turns to your own recovery."
        );
    }
    Ok(())
}

/// The letters: when each was sent and the reply. Their text is shown only
/// while the letter may be worked on, as on the web page.
pub fn history(vault: &SqliteVault, json: bool) -> Result<()> {
    let all = letter::letters(vault).map_err(|e| app_error(e, NO_SENT))?;
    let refusal = letter::gate(vault, &jiff::tz::TimeZone::system(), today())
        .map_err(|e| app_error(e, NO_SENT))?
        .err();
    let open = refusal.is_none();
    if json {
        let rows: Vec<_> = all
            .iter()
            .map(|(id, l)| {
                serde_json::json!({
                    "id": id,
                    "sent_on": l.sent_on,
                    "reply": l.reply,
                    "text": open.then_some(&l.text),
                })
            })
            .collect();
        return print_json(&serde_json::json!({
            "letters": rows,
            "awaiting_reply": letter::awaiting_reply(vault).map_err(|e| app_error(e, NO_SENT))?,
            "refusal": refusal.as_ref().map(|r| r.explain()),
        }));
    }
    if all.is_empty() {
        outln!("No letter saved or sent yet.");
    }
    for (id, l) in &all {
        let state = match (&l.sent_on, l.reply.as_deref()) {
            (None, _) => "a draft, not sent".to_string(),
            (Some(d), None) => format!("sent on {d}, no reply recorded"),
            (Some(d), Some("yes")) => format!("sent on {d}; they want to talk"),
            (Some(d), Some(_)) => format!("sent on {d}; they said no"),
        };
        outln!("{id:>3}  {state}");
        if open {
            outln!("     {}", l.text.trim().replace('\n', "\n     "));
        }
    }
    if let Some(r) = refusal {
        outln!("{}", r.explain());
    }
    Ok(())
}
