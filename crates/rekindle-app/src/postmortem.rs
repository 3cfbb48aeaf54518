//! The chat post-mortem over the stored chat, and turning its findings into
//! problems with the evidence attached.

use rekindle_analysis::{
    Analysis, AnalysisOptions, Episode, Lexicons, Message, MessageKind, Prepared, Who, analyze,
};
use rekindle_chat::MessageRef;
use rekindle_core::method::problem::{Category, ProblemForm};
use rekindle_store::Store;

use crate::import::from_local_ms;
use crate::method::MethodError;

/// The messages of the stored chat (the first one with messages) and who is who.
pub fn stored_chat(store: &dyn Store) -> Result<Option<(Vec<Message>, Who)>, MethodError> {
    let Some(chat) = store.chats()?.into_iter().find(|c| c.messages > 0) else {
        return Ok(None);
    };
    let mut messages = Vec::with_capacity(chat.messages as usize);
    store.for_each_message(chat.id, &mut |m| {
        if let Some(time) = from_local_ms(m.local_ms) {
            messages.push(Message {
                time,
                offset_seconds: m.offset_seconds,
                sender: m.sender.clone(),
                text: m.text.clone(),
                kind: m.kind.parse().unwrap_or(MessageKind::Other),
            });
        }
    })?;
    Ok(Some((
        messages,
        Who {
            me: chat.me,
            ex: chat.ex,
        },
    )))
}

/// The stored chat classified for [`rekindle_analysis::analyze_prepared`], streamed
/// from the vault (no copy of every message in memory), and who is who.
pub fn stored_prepared(
    store: &dyn Store,
    lexicons: &Lexicons,
) -> Result<Option<(Prepared, Who)>, MethodError> {
    let Some(chat) = store.chats()?.into_iter().find(|c| c.messages > 0) else {
        return Ok(None);
    };
    let (prepared, result) = Prepared::from_source(lexicons, |push| {
        store.for_each_message(chat.id, &mut |m| {
            if let Some(time) = from_local_ms(m.local_ms) {
                push(MessageRef {
                    time,
                    offset_seconds: m.offset_seconds,
                    sender: m.sender.as_deref(),
                    text: std::borrow::Cow::Borrowed(&m.text),
                    kind: m.kind.parse().unwrap_or(MessageKind::Other),
                });
            }
        })
    });
    result?;
    Ok(Some((
        prepared,
        Who {
            me: chat.me,
            ex: chat.ex,
        },
    )))
}

/// Built-in lexicons plus the user's own `*.txt` files in `<data dir>/lexicons/`.
pub fn user_lexicons(data_dir: Option<&std::path::Path>) -> Lexicons {
    let mut files: Vec<(String, String)> = Vec::new();
    if let Some(dir) = data_dir.map(|d| d.join("lexicons"))
        && let Ok(entries) = std::fs::read_dir(&dir)
    {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "txt")
                && let (Some(stem), Ok(text)) = (
                    p.file_stem().and_then(|s| s.to_str()),
                    std::fs::read_to_string(&p),
                )
            {
                files.push((stem.to_string(), text));
            }
        }
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    Lexicons::with_user_files(Lexicons::built_in(), &refs)
}

pub fn run(messages: &[Message], who: &Who, lexicons: &Lexicons) -> Analysis {
    analyze(messages, who, &AnalysisOptions::default(), lexicons)
}

/// The problem category a conflict topic most likely belongs to.
pub fn category_for_topic(topic: &str) -> Category {
    match topic {
        t if t.contains("drink") || t.contains("alcohol") || t.contains("substance") => {
            Category::SubstanceUse
        }
        t if t.contains("jealous") || t.contains("trust") || t.contains("phone") => {
            Category::TrustJealousy
        }
        t if t.contains("money") => Category::Money,
        t if t.contains("time") => Category::TimeAttention,
        t if t.contains("family") || t.contains("friend") => Category::FamilyFriends,
        t if t.contains("intimacy") || t.contains("sex") => Category::Intimacy,
        _ => Category::Conflict,
    }
}

fn ending_words(e: &Episode) -> &'static str {
    match e.ended_by {
        rekindle_analysis::Ending::Repair => "ended with a repair or apology",
        rekindle_analysis::Ending::Silence => "ended in silence",
        rekindle_analysis::Ending::Breakup => "ended with talk of breaking up",
        rekindle_analysis::Ending::MovedOn => "faded as the talk moved on",
    }
}

/// A problem form filled from a conflict episode, evidence attached. It is
/// only a suggestion: nothing is saved until the person saves the form.
pub fn problem_from_episode(
    a: &Analysis,
    episode_id: usize,
    messages: &[Message],
) -> Option<ProblemForm> {
    let e = a.conflicts.iter().find(|e| e.id == episode_id)?;
    let topic = e
        .topics
        .first()
        .cloned()
        .unwrap_or_else(|| "conflict".into());
    let label = topic.replace(['_', '-'], " ");
    let mut evidence = format!(
        "From the chat: an argument on {} ({} messages, {} negative){}{}, which {}.",
        e.start_time.get(..10).unwrap_or(&e.start_time),
        e.messages,
        e.negative,
        e.started_by
            .as_ref()
            .map(|p| format!(", started by {p}"))
            .unwrap_or_default(),
        e.escalated_by
            .as_ref()
            .map(|p| format!(", escalated by {p}"))
            .unwrap_or_default(),
        ending_words(e)
    );
    for &i in e.negative_messages.iter().take(3) {
        if let Some(m) = messages.get(i) {
            let who = m.sender.clone().unwrap_or_default();
            let text: String = m.text.chars().take(140).collect();
            evidence.push_str(&format!(
                "\n- {} {who}: “{text}”",
                m.time.strftime("%Y-%m-%d %H:%M")
            ));
        }
    }
    Some(ProblemForm {
        title: format!("Arguments about {label}"),
        category: category_for_topic(&topic).key().to_string(),
        whose: "both".into(),
        frequency: if a
            .conflicts
            .iter()
            .filter(|x| x.topics.contains(&topic))
            .count()
            > 3
        {
            "often".into()
        } else {
            "sometimes".into()
        },
        severity: String::new(),
        evidence,
        ..ProblemForm::default()
    })
}
