//! `rekindle chats`: the stored chats, which one the post-mortem reads, and
//! deleting one.

use anyhow::Result;
use clap::Subcommand;
use rekindle_app::method::MethodError;
use rekindle_app::postmortem;
use rekindle_chat::Format;
use rekindle_store::{SqliteVault, Store};

use crate::commands::user_error;

#[derive(Subcommand, Debug)]
pub enum ChatsCmd {
    /// List the stored chats: id, format, messages, who is who, and which one the post-mortem reads
    List {
        /// Print machine-readable JSON
        #[arg(long)]
        json: bool,
    },
    /// Say who is who in a chat: which sender is you and which is your ex (names from `rekindle chats list`)
    Roles {
        /// The chat's id (see `rekindle chats list`)
        id: i64,
        /// Your name as a sender of this chat ("" to unset)
        #[arg(long, value_name = "NAME")]
        me: String,
        /// Your ex's name as a sender of this chat ("" to unset)
        #[arg(long, value_name = "NAME")]
        ex: String,
        #[arg(long)]
        json: bool,
    },
    /// Make the post-mortem (the web page and `rekindle analyze`) read this chat
    Use {
        /// The chat's id (see `rekindle chats list`)
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Delete a chat with all its messages and the record of its imports
    Delete {
        /// The chat's id (see `rekindle chats list`)
        id: i64,
        /// Confirm: the messages are gone for good (problems keep the lines they quoted)
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
}

fn method_error(e: MethodError) -> anyhow::Error {
    match e {
        MethodError::NotFound => user_error(
            "There is no chat with that id. `rekindle chats list` shows the ids of your chats.",
        ),
        MethodError::Store(s) => anyhow::Error::from(s),
        other => user_error(other.to_string()),
    }
}

fn format_name(format: &str) -> &'static str {
    format
        .parse::<Format>()
        .map(|f| f.display_name())
        .unwrap_or("Chat")
}

pub fn chats_cmd(vault: &mut SqliteVault, cmd: &ChatsCmd) -> Result<()> {
    match cmd {
        ChatsCmd::List { json } => list(vault, *json),
        ChatsCmd::Roles { id, me, ex, json } => {
            let chat = postmortem::set_roles(vault, *id, me, ex).map_err(|e| match e {
                // Name the choices: the web page offers them as a list.
                MethodError::Form(f) => user_error(format!(
                    "{} The people in chat {id}: {}.",
                    f.summary(),
                    postmortem::chat_by_id(vault, *id)
                        .map(|c| c
                            .senders
                            .into_iter()
                            .map(|(n, _)| format!("“{n}”"))
                            .collect::<Vec<_>>()
                            .join(", "))
                        .unwrap_or_default()
                )),
                other => method_error(other),
            })?;
            if *json {
                return crate::common::print_json(
                    &serde_json::json!({"id": chat.id, "me": chat.me, "ex": chat.ex}),
                );
            }
            match (&chat.me, &chat.ex) {
                (Some(me), Some(ex)) => outln!(
                    "Saved: in chat {} you are “{me}” and your ex is “{ex}”.",
                    chat.id
                ),
                (Some(me), None) => outln!(
                    "Saved: in chat {} you are “{me}”; your ex is not chosen yet.",
                    chat.id
                ),
                (None, Some(ex)) => outln!(
                    "Saved: in chat {} your ex is “{ex}”; you are not chosen yet.",
                    chat.id
                ),
                (None, None) => outln!(
                    "Saved: nobody in chat {} is marked as you or your ex.",
                    chat.id
                ),
            }
            Ok(())
        }
        ChatsCmd::Use { id, json } => {
            let chat = postmortem::choose_chat(vault, *id).map_err(method_error)?;
            if *json {
                return crate::common::print_json(
                    &serde_json::json!({"id": chat.id, "analysed": true}),
                );
            }
            outln!(
                "The post-mortem now reads chat {} ({}, {} messages).",
                chat.id,
                format_name(&chat.format),
                chat.messages
            );
            Ok(())
        }
        ChatsCmd::Delete { id, yes, json } => {
            let chat = postmortem::chat_by_id(vault, *id).map_err(method_error)?;
            if !yes {
                return Err(user_error(format!(
                    "This deletes chat {} ({}, {} messages) from your vault for good. Problems you made from it keep the lines they quoted. To go ahead, run again with --yes.",
                    chat.id,
                    format_name(&chat.format),
                    chat.messages
                )));
            }
            postmortem::delete_chat(vault, *id).map_err(method_error)?;
            if *json {
                return crate::common::print_json(
                    &serde_json::json!({"id": chat.id, "deleted_messages": chat.messages}),
                );
            }
            outln!(
                "Deleted chat {} and its {} messages. Backups made earlier still hold it; delete those yourself if you want it gone everywhere.",
                chat.id,
                chat.messages
            );
            Ok(())
        }
    }
}

fn list(vault: &SqliteVault, json: bool) -> Result<()> {
    let chats = vault.chats()?;
    let read = postmortem::analysed_chat(vault)
        .map_err(method_error)?
        .map(|c| c.id);
    if json {
        let rows: Vec<serde_json::Value> = chats
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id,
                    "format": c.format,
                    "title": c.title,
                    "messages": c.messages,
                    "me": c.me,
                    "ex": c.ex,
                    "senders": c.senders.iter().map(|(n, m)| serde_json::json!({"name": n, "messages": m})).collect::<Vec<_>>(),
                    "analysed": read == Some(c.id),
                })
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    if chats.is_empty() {
        outln!("No chat stored yet. Import one with `rekindle import FILE`.");
        return Ok(());
    }
    for c in &chats {
        let title = c
            .title
            .as_deref()
            .map(|t| format!(" “{t}”"))
            .unwrap_or_default();
        let mark = if read == Some(c.id) {
            "  ← the post-mortem reads this one"
        } else {
            ""
        };
        outln!(
            "{:>4}  {}{title}, {} messages{mark}",
            c.id,
            format_name(&c.format),
            c.messages
        );
        let who: Vec<String> = c
            .senders
            .iter()
            .map(|(n, m)| {
                let role = if c.me.as_deref() == Some(n.as_str()) {
                    " (you)"
                } else if c.ex.as_deref() == Some(n.as_str()) {
                    " (your ex)"
                } else {
                    ""
                };
                format!("{n}{role}: {m}")
            })
            .collect();
        if !who.is_empty() {
            outln!("      {}", who.join(", "));
        }
    }
    if chats.len() > 1 {
        outln!("Choose the chat to read with `rekindle chats use ID`.");
    }
    Ok(())
}
