//! `rekindle withdraw`, `bring-back` and `withdrawn` (take anything back,
//! nothing is deleted), and `rekindle supporter` / `book`: the support
//! network and the reading list, with editing.

use anyhow::{Context, Result};
use clap::Args;
use rekindle_app::method::MethodError;
use rekindle_app::retract::{self, Kind, Target};
use rekindle_store::SqliteVault;

use crate::commands::user_error;

fn today() -> jiff::civil::Date {
    rekindle_core::method::checkin::local_day(jiff::Timestamp::now(), &jiff::tz::TimeZone::system())
}

fn json_out<T: serde::Serialize>(v: &T) -> Result<()> {
    outln!(
        "{}",
        serde_json::to_string_pretty(v).context("Could not write JSON.")?
    );
    Ok(())
}

fn unknown(kind: &str, id: &str) -> anyhow::Error {
    user_error(format!(
        "There is no {kind} with the number {id} to change; `rekindle withdrawn` lists what was taken back, and `rekindle problem list`, `record`, `supporter list` and `book list` show the rest."
    ))
}

fn error(e: MethodError, kind: &str, id: &str) -> anyhow::Error {
    match e {
        MethodError::NotFound => unknown(kind, id),
        MethodError::Form(errors) => user_error(errors.summary()),
        MethodError::Refused(r) => user_error(r.explain()),
        MethodError::Store(s) => s.into(),
    }
}

fn target(kind: &str, id: &str) -> Result<Target> {
    if Kind::parse(kind).is_none() {
        return Err(user_error(format!(
            "“{kind}” is not something that can be taken back; choose one of: {}.",
            Kind::keys()
        )));
    }
    Target::parse(kind, id).ok_or_else(|| {
        user_error(format!(
            "“{id}” is not an item number: use the number from the list (for a takeaway, BOOK.N, e.g. 4.2)."
        ))
    })
}

#[derive(Args, Debug)]
pub struct TargetArgs {
    /// problem, plan, commitment, trigger, supporter, book, takeaway or letter
    kind: String,
    /// Its number (a commitment: its plan's number from `rekindle record`; a takeaway: BOOK.N, e.g. 4.2)
    id: String,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
}

pub fn withdraw(vault: &mut SqliteVault, a: &TargetArgs) -> Result<()> {
    let t = target(&a.kind, &a.id)?;
    let done = retract::withdraw(vault, &t, today(), jiff::Timestamp::now())
        .map_err(|e| error(e, t.kind.key(), &a.id))?;
    if a.json {
        return json_out(&done);
    }
    outln!(
        "Withdrawn: {} {} “{}”. It no longer counts anywhere, and nothing was deleted. Changed your mind? `rekindle withdrawn` lists it with the command that brings it back.",
        done.kind.key(),
        done.id,
        done.title
    );
    Ok(())
}

pub fn bring_back(vault: &mut SqliteVault, a: &TargetArgs) -> Result<()> {
    let t = target(&a.kind, &a.id)?;
    let done = retract::restore(vault, &t, jiff::Timestamp::now())
        .map_err(|e| error(e, &format!("withdrawn {}", t.kind.key()), &a.id))?;
    if a.json {
        return json_out(&done);
    }
    outln!(
        "Brought back: {} “{}”, just as it was.",
        done.kind.key(),
        done.title
    );
    Ok(())
}

pub fn withdrawn(vault: &SqliteVault, json: bool) -> Result<()> {
    let tz = jiff::tz::TimeZone::system();
    let items = retract::withdrawn(vault, &tz).map_err(|e| error(e, "item", ""))?;
    let records = retract::withdrawn_records(vault, &tz).map_err(|e| error(e, "item", ""))?;
    if json {
        return json_out(&serde_json::json!({ "items": items, "records": records }));
    }
    if items.is_empty() {
        outln!("Nothing is withdrawn.");
    }
    for w in &items {
        outln!(
            "{} {}: “{}” (withdrawn on {}) — bring it back: rekindle bring-back {} {}",
            w.kind.key(),
            w.id,
            w.title,
            w.on,
            w.kind.key(),
            w.id
        );
    }
    for r in &records {
        outln!(
            "Commitment “{}”, withdrawn on {}: {} check-in(s) stay in the record, marked, and no longer count.",
            r.title,
            r.withdrawn_on,
            r.checkins.len()
        );
    }
    Ok(())
}
