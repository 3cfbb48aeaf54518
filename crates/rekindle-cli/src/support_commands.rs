//! `rekindle supporter`, `book` and `takeaway`: the support network and the
//! reading list (steps 6 and 7), through the same use cases as the web pages.

use anyhow::Result;
use clap::Subcommand;
use rekindle_app::method::MethodError;
use rekindle_app::support;
use rekindle_core::support::{MyBookForm, ReadingStatus, Role, SupporterForm};
use rekindle_store::SqliteVault;

use crate::common::{app_error, print_json};

#[derive(Subcommand, Debug)]
pub enum SupporterCmd {
    /// Add someone to your support network
    Add(SupporterArgs),
    /// Change someone's details (the earlier version is kept)
    Edit {
        /// Their number (see `rekindle supporter list`)
        id: i64,
        #[command(flatten)]
        args: SupporterArgs,
    },
    /// List your support network
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct SupporterArgs {
    /// Their name (a first name or nickname is enough)
    #[arg(long)]
    name: String,
    /// ally, accountability, sponsor, counsellor, doctor, other
    #[arg(long)]
    role: String,
    /// How to reach them (phone, e-mail…)
    #[arg(long, default_value = "")]
    contact: String,
    /// What they help you with
    #[arg(long, default_value = "")]
    helps_with: String,
    #[arg(long)]
    json: bool,
}

const NO_SUPPORTER: &str =
    "There is no one with that number in your support network; see `rekindle supporter list`.";

const NO_BOOK: &str = "There is no book with that number on your list; see `rekindle book list`.";

pub fn supporter_cmd(vault: &mut SqliteVault, cmd: &SupporterCmd) -> Result<()> {
    match cmd {
        SupporterCmd::Add(a) | SupporterCmd::Edit { args: a, .. } => {
            let form = SupporterForm {
                name: a.name.clone(),
                role: a.role.clone(),
                contact: a.contact.clone(),
                helps_with: a.helps_with.clone(),
            };
            let now = jiff::Timestamp::now();
            let edited = match cmd {
                SupporterCmd::Edit { id, .. } => Some(*id),
                _ => None,
            };
            let id = match edited {
                Some(id) => support::update_supporter(vault, id, &form, now).map(|()| id),
                None => support::save_supporter(vault, &form, now),
            }
            .map_err(|e| choice_error(e, "role", &Role::keys(), NO_SUPPORTER))?;
            if a.json {
                let all = support::supporters(vault).map_err(|e| app_error(e, NO_SUPPORTER))?;
                let saved = all.iter().find(|(i, _)| *i == id).map(|(_, s)| s);
                return print_json(&serde_json::json!({ "id": id, "supporter": saved }));
            }
            if edited.is_some() {
                outln!(
                    "Changes saved for {} ({id}); the earlier version stays in your vault's history.",
                    form.name.trim()
                );
            } else {
                outln!(
                    "Added {} ({}) to your support network.",
                    form.name.trim(),
                    id
                );
            }
            Ok(())
        }
        SupporterCmd::List { json } => {
            let all = support::supporters(vault).map_err(|e| app_error(e, "Not found."))?;
            if *json {
                let rows: Vec<_> = all
                    .iter()
                    .map(|(id, s)| serde_json::json!({ "id": id, "supporter": s }))
                    .collect();
                return print_json(&rows);
            }
            if all.is_empty() {
                outln!(
                    "Nobody in your support network yet. Add someone with `rekindle supporter add --name NAME --role ally`."
                );
            }
            for (id, s) in &all {
                outln!("{id:>3}  {} — {}", s.name, s.role.label());
                if !s.contact.is_empty() {
                    outln!("     contact: {}", s.contact);
                }
                if !s.helps_with.is_empty() {
                    outln!("     helps with: {}", s.helps_with);
                }
            }
            Ok(())
        }
    }
}

/// A use case's failure; when it is about the choice `field`, the choices
/// are named (the web page offers a list; a terminal cannot).
fn choice_error(e: MethodError, field: &str, keys: &str, not_found: &str) -> anyhow::Error {
    match e {
        MethodError::Form(f) if f.get(field).is_some() => crate::commands::user_error(format!(
            "{} The {field} is one of: {keys}. Nothing was saved.",
            f.summary()
        )),
        e => app_error(e, not_found),
    }
}

#[derive(Subcommand, Debug)]
pub enum BookCmd {
    /// Put a book on your reading list: your own (--title) or a suggested one (--suggested ID)
    Add {
        /// The book's title
        #[arg(
            long,
            required_unless_present = "suggested",
            conflicts_with = "suggested"
        )]
        title: Option<String>,
        /// Its author
        #[arg(long, default_value = "")]
        author: String,
        /// want, reading, finished
        #[arg(long, default_value = "")]
        status: String,
        /// A suggested book's id (see `rekindle book list`)
        #[arg(long, value_name = "ID")]
        suggested: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Change a book's title, author or status (the earlier version is kept)
    Edit {
        /// The book's number (see `rekindle book list`)
        id: i64,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        author: String,
        /// want, reading, finished
        #[arg(long, default_value = "")]
        status: String,
        #[arg(long)]
        json: bool,
    },
    /// Your reading list with its takeaways, and the books suggested for your problems
    List {
        #[arg(long)]
        json: bool,
    },
    /// Mark how far you are with a book on your list: want, reading, finished
    Status {
        /// The book's number (see `rekindle book list`)
        id: i64,
        /// want, reading or finished
        status: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn book_cmd(vault: &mut SqliteVault, cmd: &BookCmd) -> Result<()> {
    let now = jiff::Timestamp::now();
    match cmd {
        BookCmd::Add {
            title,
            author,
            status,
            suggested,
            json,
        } => {
            let id = match (suggested, title) {
                (Some(key), _) => support::add_curated(vault, key.trim(), now).map_err(|e| {
                    app_error(
                        e,
                        &format!(
                            "There is no suggested book “{}”; `rekindle book list` shows their ids.",
                            key.trim()
                        ),
                    )
                })?,
                (None, title) => {
                    let form = MyBookForm {
                        title: title.clone().unwrap_or_default(),
                        author: author.clone(),
                        status: status.clone(),
                    };
                    support::add_book(vault, &form, now)
                        .map_err(|e| choice_error(e, "status", &ReadingStatus::keys(), NO_BOOK))?
                }
            };
            let books = support::books(vault).map_err(|e| app_error(e, NO_BOOK))?;
            let book = books.iter().find(|(i, _)| *i == id).map(|(_, b)| b);
            if *json {
                return print_json(&serde_json::json!({ "id": id, "book": book }));
            }
            if let Some(b) = book {
                outln!("On your reading list as number {id}: {}.", b.title);
            }
            Ok(())
        }
        BookCmd::Edit {
            id,
            title,
            author,
            status,
            json,
        } => {
            let form = MyBookForm {
                title: title.clone(),
                author: author.clone(),
                status: status.clone(),
            };
            support::update_book(vault, *id, &form, now)
                .map_err(|e| choice_error(e, "status", &ReadingStatus::keys(), NO_BOOK))?;
            let books = support::books(vault).map_err(|e| app_error(e, NO_BOOK))?;
            let book = books.iter().find(|(i, _)| i == id).map(|(_, b)| b);
            if *json {
                return print_json(&serde_json::json!({ "id": id, "book": book }));
            }
            outln!("Changes saved; the earlier version stays in your vault's history.");
            Ok(())
        }
        BookCmd::List { json } => list(vault, *json),
        BookCmd::Status { id, status, json } => {
            support::set_status(vault, *id, status, now)
                .map_err(|e| choice_error(e, "status", &ReadingStatus::keys(), NO_BOOK))?;
            let books = support::books(vault).map_err(|e| app_error(e, NO_BOOK))?;
            let book = books.iter().find(|(i, _)| i == id).map(|(_, b)| b);
            if *json {
                return print_json(&serde_json::json!({ "id": id, "book": book }));
            }
            if let Some(b) = book {
                outln!("“{}”: {}.", b.title, b.status.label());
            }
            Ok(())
        }
    }
}

fn list(vault: &SqliteVault, json: bool) -> Result<()> {
    let mine = support::books(vault).map_err(|e| app_error(e, NO_BOOK))?;
    let suggested = support::suggestions(vault).map_err(|e| app_error(e, NO_BOOK))?;
    if json {
        return print_json(&serde_json::json!({
            "mine": mine.iter().map(|(id, b)| serde_json::json!({"id": id, "book": b})).collect::<Vec<_>>(),
            "suggested": suggested.iter().map(|(b, hits)| serde_json::json!({
                "book": b,
                "helps_with": hits.iter().map(|c| c.key()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }));
    }
    if mine.is_empty() {
        outln!("Your reading list is empty.");
    } else {
        outln!("Your reading list:");
    }
    for (id, b) in &mine {
        let author = if b.author.is_empty() {
            String::new()
        } else {
            format!(" by {}", b.author)
        };
        outln!("{id:>3}  {}{author} — {}", b.title, b.status.label());
        for (i, t) in b.takeaways.iter().enumerate() {
            outln!("     {}. {t}", i + 1);
        }
    }
    if !suggested.is_empty() {
        outln!();
        outln!("Suggested for your problems (add one with `rekindle book add --suggested ID`):");
        for (b, hits) in &suggested {
            let why = hits
                .iter()
                .map(|c| c.label())
                .collect::<Vec<_>>()
                .join(", ");
            outln!("  {}  {} by {}", b.id, b.title, b.author);
            outln!("      {}", b.teaches);
            if !why.is_empty() {
                outln!("      helps with: {why}");
            }
        }
    }
    Ok(())
}

#[derive(Subcommand, Debug)]
pub enum TakeawayCmd {
    /// Write down what you took from a book, in a sentence
    Add {
        /// The book's number (see `rekindle book list`)
        book: i64,
        /// The takeaway
        text: String,
        #[arg(long)]
        json: bool,
    },
    /// Rewrite a takeaway (the earlier version is kept)
    Edit {
        /// The book's number (see `rekindle book list`)
        book: i64,
        /// Which of its takeaways: 1 for the first
        number: usize,
        /// The new text
        text: String,
        #[arg(long)]
        json: bool,
    },
    /// Every takeaway, with the book it came from
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn takeaway_cmd(vault: &mut SqliteVault, cmd: &TakeawayCmd) -> Result<()> {
    match cmd {
        TakeawayCmd::Add { book, text, json } => {
            support::add_takeaway(vault, *book, text, jiff::Timestamp::now())
                .map_err(|e| app_error(e, NO_BOOK))?;
            let books = support::books(vault).map_err(|e| app_error(e, NO_BOOK))?;
            let saved = books.iter().find(|(i, _)| i == book).map(|(_, b)| b);
            if *json {
                return print_json(&serde_json::json!({
                    "book_id": book,
                    "index": saved.map(|b| b.takeaways.len().saturating_sub(1)),
                    "takeaway": saved.and_then(|b| b.takeaways.last()),
                }));
            }
            outln!(
                "Saved. Turn it into an if-then plan with `rekindle plan PROBLEM --if … --then …`."
            );
            Ok(())
        }
        TakeawayCmd::Edit {
            book,
            number,
            text,
            json,
        } => {
            let missing =
                "That book has no takeaway with that number; `rekindle takeaway list` shows them.";
            let index = number
                .checked_sub(1)
                .ok_or_else(|| crate::commands::user_error(missing))?;
            support::edit_takeaway(vault, *book, index, text, jiff::Timestamp::now())
                .map_err(|e| app_error(e, missing))?;
            if *json {
                return print_json(&serde_json::json!({
                    "book_id": book,
                    "index": index,
                    "takeaway": text.trim(),
                }));
            }
            outln!("Changes saved; the earlier version stays in your vault's history.");
            Ok(())
        }
        TakeawayCmd::List { json } => {
            let books = support::books(vault).map_err(|e| app_error(e, NO_BOOK))?;
            let rows: Vec<(i64, &str, usize, &String)> = books
                .iter()
                .flat_map(|(id, b)| {
                    b.takeaways
                        .iter()
                        .enumerate()
                        .map(move |(i, t)| (*id, b.title.as_str(), i, t))
                })
                .collect();
            if *json {
                let out: Vec<_> = rows
                    .iter()
                    .map(|(id, title, i, t)| {
                        serde_json::json!({"book_id": id, "book": title, "index": i, "takeaway": t})
                    })
                    .collect();
                return print_json(&out);
            }
            if rows.is_empty() {
                outln!(
                    "No takeaways yet. Add one with `rekindle takeaway add BOOK \"what I learned\"`."
                );
            }
            for (id, title, _, t) in rows {
                outln!("“{t}” — {title} ({id})");
            }
            Ok(())
        }
    }
}
