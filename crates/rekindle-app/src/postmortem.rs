//! The chat post-mortem over the stored chat, and turning its findings into
//! problems with the evidence attached.

use rekindle_analysis::{
    Analysis, AnalysisOptions, Episode, Horseman, Lexicons, Message, MessageKind, Prepared, Who,
    analyze, analyze_prepared,
};
use rekindle_chat::MessageRef;
use rekindle_core::method::problem::{Category, MessageLink, ProblemForm, links_field};
use rekindle_store::Store;
use rekindle_store::chats::{ChatInfo, StoredMessage};

use crate::import::from_local_ms;
use crate::method::MethodError;

/// The chat the post-mortem reads: the one the user chose
/// ([`choose_chat`]) while it has messages, otherwise the first one with
/// messages.
pub fn analysed_chat(store: &dyn Store) -> Result<Option<ChatInfo>, MethodError> {
    let chosen = store.settings()?.analysed_chat;
    let chats = store.chats()?;
    let pick = chosen
        .and_then(|id| chats.iter().position(|c| c.id == id && c.messages > 0))
        .or_else(|| chats.iter().position(|c| c.messages > 0));
    Ok(pick.and_then(|i| chats.into_iter().nth(i)))
}

/// A stored chat by id, or [`MethodError::NotFound`].
pub fn chat_by_id(store: &dyn Store, id: i64) -> Result<ChatInfo, MethodError> {
    store
        .chats()?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(MethodError::NotFound)
}

/// Makes the post-mortem read chat `id` from now on.
pub fn choose_chat(store: &mut dyn Store, id: i64) -> Result<ChatInfo, MethodError> {
    let chat = chat_by_id(store, id)?;
    let mut settings = store.settings()?;
    settings.analysed_chat = Some(id);
    store.save_settings(&settings)?;
    Ok(chat)
}

/// Says who is who in chat `id`: `me` and `ex` are sender names of that
/// chat (an empty name leaves the role unset). Both shells call this; a name
/// that is not a sender of the chat, or the same person twice, is a form
/// error and nothing is saved.
pub fn set_roles(
    store: &mut dyn Store,
    id: i64,
    me: &str,
    ex: &str,
) -> Result<ChatInfo, MethodError> {
    let chat = chat_by_id(store, id)?;
    let known = |name: &str| chat.senders.iter().any(|(n, _)| n == name);
    let (me, ex) = (me.trim(), ex.trim());
    let mut errors = rekindle_core::FormErrors::default();
    if let Some(field) = [("me", me), ("ex", ex)]
        .into_iter()
        .find(|(_, n)| !n.is_empty() && !known(n))
        .map(|(f, _)| f)
    {
        errors.add(
            field,
            "Please choose names from the list of people in this chat. Nothing was saved.",
        );
    } else if !me.is_empty() && me == ex {
        errors.add(
            "ex",
            "You and your ex must be two different people in the chat. Nothing was saved.",
        );
    }
    if !errors.is_empty() {
        return Err(MethodError::Form(errors));
    }
    let role = |n: &str| (!n.is_empty()).then(|| n.to_string());
    let (me, ex) = (role(me), role(ex));
    store.set_chat_roles(id, me.as_deref(), ex.as_deref())?;
    chat_by_id(store, id)
}

/// Deletes chat `id` with its messages and imports (problems keep the
/// excerpts they quoted); if the post-mortem read it, it reads the first
/// remaining chat. Returns what was deleted.
pub fn delete_chat(store: &mut dyn Store, id: i64) -> Result<ChatInfo, MethodError> {
    let chat = chat_by_id(store, id)?;
    store.delete_chat(id)?;
    let mut settings = store.settings()?;
    if settings.analysed_chat == Some(id) {
        settings.analysed_chat = None;
        store.save_settings(&settings)?;
    }
    Ok(chat)
}

/// Who is who in a stored chat.
fn who(chat: &ChatInfo) -> Who {
    Who {
        me: chat.me.clone(),
        ex: chat.ex.clone(),
    }
}

/// A stored message as the parser hands it out, or `None` when its stored
/// time cannot be read.
fn message_ref(m: &StoredMessage) -> Option<MessageRef<'_>> {
    stored_ref(
        m.local_ms,
        m.offset_seconds,
        m.sender.as_deref(),
        &m.text,
        &m.kind,
    )
}

/// A message from the columns it is stored with, as the post-mortem reads it
/// back ([`message_ref`]; the import classifies with the same, so that what it
/// classifies while storing is what a read-back gives).
pub(crate) fn stored_ref<'a>(
    local_ms: i64,
    offset_seconds: Option<i32>,
    sender: Option<&'a str>,
    text: &'a str,
    kind: &str,
) -> Option<MessageRef<'a>> {
    Some(MessageRef {
        time: from_local_ms(local_ms)?,
        offset_seconds,
        sender,
        text: std::borrow::Cow::Borrowed(text),
        kind: kind.parse().unwrap_or(MessageKind::Other),
    })
}

/// Visits the chat's messages in time order as the parser hands them out.
/// A stored time that cannot be read is skipped; the store positions of the
/// skipped messages are returned (almost always none).
fn each_message(
    store: &dyn Store,
    chat: &ChatInfo,
    visit: &mut dyn FnMut(MessageRef<'_>),
) -> Result<Vec<u64>, MethodError> {
    let mut position = 0u64;
    let mut skipped = Vec::new();
    store.for_each_message(chat.id, &mut |m| {
        match message_ref(m) {
            Some(r) => visit(r),
            None => skipped.push(position),
        }
        position += 1;
    })?;
    Ok(skipped)
}

/// Every message of one stored chat, in memory, and who is who. Only for
/// small chats and tests: the post-mortem streams ([`prepare_chat`]) and
/// reads the messages it shows ([`StoredAnalysis::messages`]).
pub fn chat_messages(
    store: &dyn Store,
    chat: &ChatInfo,
) -> Result<(Vec<Message>, Who), MethodError> {
    let mut messages = Vec::with_capacity(chat.messages as usize);
    each_message(store, chat, &mut |m| messages.push(m.to_owned_message()))?;
    Ok((messages, who(chat)))
}

/// The stored chat classified for [`rekindle_analysis::analyze_prepared`], streamed
/// from the vault (no copy of every message in memory), and who is who.
pub fn stored_prepared(
    store: &dyn Store,
    lexicons: &Lexicons,
) -> Result<Option<(Prepared, Who)>, MethodError> {
    stored_prepared_chat(store, lexicons, None)
}

/// As [`stored_prepared`], of chat `id` when given ([`MethodError::NotFound`]
/// if there is no such chat), else of [`analysed_chat`].
pub fn stored_prepared_chat(
    store: &dyn Store,
    lexicons: &Lexicons,
    id: Option<i64>,
) -> Result<Option<(Prepared, Who)>, MethodError> {
    let chat = match id {
        Some(id) => Some(chat_by_id(store, id)?),
        None => analysed_chat(store)?,
    };
    let Some(chat) = chat else {
        return Ok(None);
    };
    // Read-only: a current snapshot if there is one (it is made at import).
    let p = match current_snapshot(store, &chat, rekindle_analysis::fingerprint(lexicons))? {
        Some(p) => p,
        None => prepare_chat(store, &chat, lexicons)?,
    };
    Ok(Some((p.prepared, p.who)))
}

/// A stored chat classified and ready to analyse ([`PreparedChat::analyse`]).
#[derive(Debug)]
pub struct PreparedChat {
    chat_id: i64,
    who: Who,
    prepared: Prepared,
    skipped: Vec<u64>,
}

/// Classifies one stored chat, streamed from the vault (no copy of every
/// message in memory). Analysing needs no store, so callers can let go of it.
pub fn prepare_chat(
    store: &dyn Store,
    chat: &ChatInfo,
    lexicons: &Lexicons,
) -> Result<PreparedChat, MethodError> {
    let (prepared, skipped) =
        Prepared::from_source(lexicons, |push| each_message(store, chat, push));
    Ok(PreparedChat {
        chat_id: chat.id,
        who: who(chat),
        prepared,
        skipped: skipped?,
    })
}

/// What a chat's snapshot was made of: the classifier and word lists
/// ([`rekindle_analysis::fingerprint`]) and the chat's message count (a chat
/// only grows: a new import changes the count, deleting it drops the snapshot).
fn snapshot_key(fingerprint: u64, chat: &ChatInfo) -> String {
    format!("rkp1:{fingerprint:016x}:{}", chat.messages)
}

/// A stored chat's snapshot bytes: the store positions skipped (u32 count,
/// u64 each) and then [`Prepared::to_bytes`].
fn snapshot_bytes(p: &PreparedChat, fingerprint: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + 8 * p.skipped.len());
    out.extend_from_slice(&(p.skipped.len() as u32).to_le_bytes());
    for s in &p.skipped {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out.extend_from_slice(&p.prepared.to_bytes(fingerprint));
    out
}

/// The snapshot read back, or `None` if it is damaged or of another
/// fingerprint (then the chat is classified again).
fn from_snapshot(data: &[u8], fingerprint: u64, chat: &ChatInfo) -> Option<PreparedChat> {
    let (count, rest) = data.split_first_chunk::<4>()?;
    let count = u32::from_le_bytes(*count) as usize;
    let (skipped_bytes, rest) = rest.split_at_checked(count.checked_mul(8)?)?;
    let skipped: Vec<u64> = skipped_bytes
        .chunks_exact(8)
        .filter_map(|c| c.try_into().ok().map(u64::from_le_bytes))
        .collect();
    let prepared = Prepared::from_bytes(rest, fingerprint).ok()??;
    Some(PreparedChat {
        chat_id: chat.id,
        who: who(chat),
        prepared,
        skipped,
    })
}

/// The chat's stored snapshot, if it is current.
fn current_snapshot(
    store: &dyn Store,
    chat: &ChatInfo,
    fingerprint: u64,
) -> Result<Option<PreparedChat>, MethodError> {
    Ok(match store.chat_snapshot(chat.id)? {
        Some((key, data)) if key == snapshot_key(fingerprint, chat) => {
            from_snapshot(&data, fingerprint, chat)
        }
        _ => None,
    })
}

/// As [`prepare_chat`], but from the chat's stored snapshot when it is
/// current (a long history opens in a fraction of a second), else classified
/// from its messages and the snapshot stored for next time. A snapshot that
/// cannot be stored is not an error: the analysis is still right.
pub fn prepare_chat_cached(
    store: &mut dyn Store,
    chat: &ChatInfo,
    lexicons: &Lexicons,
) -> Result<PreparedChat, MethodError> {
    let fingerprint = rekindle_analysis::fingerprint(lexicons);
    if let Some(p) = current_snapshot(store, chat, fingerprint)? {
        return Ok(p);
    }
    let p = prepare_chat(store, chat, lexicons)?;
    if let Err(e) = store_snapshot(store, chat, &p, fingerprint) {
        tracing::warn!(event = "snapshot_not_saved", error = %e);
    }
    Ok(p)
}

/// Saves `prepared` (the chat's messages classified in chat order, with the
/// positions of those whose time could not be read) as chat `chat`'s
/// snapshot, as [`prepare_chat_cached`] would have made it.
pub(crate) fn save_snapshot(
    store: &mut dyn Store,
    chat: &ChatInfo,
    lexicons: &Lexicons,
    prepared: Prepared,
    skipped: Vec<u64>,
) -> Result<(), MethodError> {
    let p = PreparedChat {
        chat_id: chat.id,
        who: who(chat),
        prepared,
        skipped,
    };
    store_snapshot(store, chat, &p, rekindle_analysis::fingerprint(lexicons))?;
    Ok(())
}

/// Saves `p` as chat `chat`'s snapshot under the key of `fingerprint` and its
/// message count.
fn store_snapshot(
    store: &mut dyn Store,
    chat: &ChatInfo,
    p: &PreparedChat,
    fingerprint: u64,
) -> Result<(), rekindle_store::StoreError> {
    store.save_chat_snapshot(
        chat.id,
        &snapshot_key(fingerprint, chat),
        &snapshot_bytes(p, fingerprint),
    )
}

/// Makes chat `chat_id`'s snapshot current (after an import), so its first
/// post-mortem view does not classify every message.
pub fn refresh_snapshot(
    store: &mut dyn Store,
    chat_id: i64,
    lexicons: &Lexicons,
) -> Result<(), MethodError> {
    let chat = chat_by_id(store, chat_id)?;
    prepare_chat_cached(store, &chat, lexicons).map(|_| ())
}

impl PreparedChat {
    /// The post-mortem with the default options; the classification is dropped.
    pub fn analyse(self) -> StoredAnalysis {
        StoredAnalysis {
            analysis: analyze_prepared(&self.prepared, &self.who, &AnalysisOptions::default()),
            chat_id: self.chat_id,
            skipped: self.skipped,
        }
    }
}

/// The post-mortem of a stored chat without its messages (what a server
/// keeps between requests): pages read the few messages they show with
/// [`StoredAnalysis::messages`].
#[derive(Debug, Clone)]
pub struct StoredAnalysis {
    pub analysis: Analysis,
    chat_id: i64,
    /// Store positions of messages left out (time unreadable), ascending.
    skipped: Vec<u64>,
}

/// The post-mortem of the stored chat ([`analysed_chat`]), or `None` with no chat.
pub fn analyse_stored(
    store: &dyn Store,
    lexicons: &Lexicons,
) -> Result<Option<StoredAnalysis>, MethodError> {
    let Some(chat) = analysed_chat(store)? else {
        return Ok(None);
    };
    Ok(Some(prepare_chat(store, &chat, lexicons)?.analyse()))
}

impl StoredAnalysis {
    /// The chat it analysed.
    pub fn chat_id(&self) -> i64 {
        self.chat_id
    }

    /// Where analysed message `index` sits in the store's order of the chat
    /// (what a problem's [`MessageLink`] keeps).
    pub fn store_position(&self, index: usize) -> u64 {
        self.position(index)
    }

    /// Where analysed message `index` sits in the store's order of the chat.
    fn position(&self, index: usize) -> u64 {
        let mut position = index as u64;
        for &s in &self.skipped {
            if s > position {
                break;
            }
            position += 1;
        }
        position
    }

    /// The analysed messages at `indices` (indices of the analysis, as in its
    /// evidence), read from the store: `(index, message)` in index order, each
    /// once; indices past the end are left out. Only those messages are read.
    pub fn messages(
        &self,
        store: &dyn Store,
        indices: &[usize],
    ) -> Result<Vec<(usize, Message)>, MethodError> {
        let mut wanted: Vec<usize> = indices
            .iter()
            .copied()
            .filter(|&i| i < self.analysis.messages)
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let positions: Vec<u64> = wanted.iter().map(|&i| self.position(i)).collect();
        let mut out = Vec::with_capacity(wanted.len());
        for (position, m) in store.messages_at(self.chat_id, &positions)? {
            if let (Ok(k), Some(r)) = (positions.binary_search(&position), message_ref(&m)) {
                out.push((wanted[k], r.to_owned_message()));
            }
        }
        Ok(out)
    }
}

/// Built-in lexicons plus the user's own `*.txt` files in `<data dir>/lexicons/`,
/// for what reads no vault (`analyze FILE`, `classify`). The stored chat's
/// post-mortem also applies the changes kept in the vault: [`crate::topics::lexicons`].
pub fn user_lexicons(data_dir: Option<&std::path::Path>) -> Lexicons {
    let files = crate::topics::folder_files(data_dir);
    crate::topics::merge(&files, &Default::default()).lexicons()
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

/// At most this many of an argument's negative messages are quoted as evidence.
pub const EVIDENCE_QUOTED: usize = 3;

/// The messages [`problem_from_episode`] quotes (indices of the analysis).
pub fn quoted_messages(a: &Analysis, episode_id: usize) -> Vec<usize> {
    a.conflicts
        .iter()
        .find(|e| e.id == episode_id)
        .map(|e| {
            e.negative_messages
                .iter()
                .take(EVIDENCE_QUOTED)
                .copied()
                .collect()
        })
        .unwrap_or_default()
}

/// At most this many messages are linked to a problem made from a finding.
pub const EVIDENCE_LINKED: usize = 10;

/// Links to the analysed messages at `indices` (the first
/// [`EVIDENCE_LINKED`] of them found in `messages`, which holds `(index,
/// message)` sorted by index, as [`StoredAnalysis::messages`] returns them):
/// the chat, the message's place in it, and a short quote for when the chat
/// is gone.
pub fn links_to(
    stored: &StoredAnalysis,
    messages: &[(usize, Message)],
    indices: &[usize],
) -> Vec<MessageLink> {
    indices
        .iter()
        .filter_map(|&i| {
            let k = messages.binary_search_by_key(&i, |(k, _)| *k).ok()?;
            let m = &messages.get(k)?.1;
            Some(MessageLink {
                chat: stored.chat_id,
                position: stored.position(i),
                time: m.time.strftime("%Y-%m-%d %H:%M").to_string(),
                sender: m.sender.clone().unwrap_or_default(),
                quote: MessageLink::quote_of(&m.text),
            })
        })
        .take(EVIDENCE_LINKED)
        .collect()
}

/// A problem form filled from a conflict episode, evidence attached (links
/// to its first negative messages). It is only a suggestion: nothing is
/// saved until the person saves the form. `messages` holds at least the
/// [`quoted_messages`], as `(index, message)` sorted by index
/// ([`StoredAnalysis::messages`]).
pub fn problem_from_episode(
    stored: &StoredAnalysis,
    episode_id: usize,
    messages: &[(usize, Message)],
) -> Option<ProblemForm> {
    let a = &stored.analysis;
    let e = a.conflicts.iter().find(|e| e.id == episode_id)?;
    let topic = e
        .topics
        .first()
        .cloned()
        .unwrap_or_else(|| "conflict".into());
    let label = topic.replace(['_', '-'], " ");
    let evidence = format!(
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
    let links = links_to(stored, messages, &quoted_messages(a, episode_id));
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
        links: links_field(&links),
        ..ProblemForm::default()
    })
}

/// A problem form filled from any finding of the page, its first messages
/// linked. Only a suggestion, as [`problem_from_episode`]: the person
/// finishes and saves it. `messages` holds the finding's first messages
/// ([`Finding::messages`]) as [`StoredAnalysis::messages`] returns them.
pub fn problem_from_finding(
    stored: &StoredAnalysis,
    f: Finding,
    messages: &[(usize, Message)],
) -> Option<ProblemForm> {
    let a = &stored.analysis;
    let heading = f.describe(a)?;
    let (count, indices) = f.messages(a)?;
    let person = f.person().and_then(|p| a.people.get(p));
    let name = person.map(|p| p.name.as_str()).unwrap_or("");
    let whose = match person.map(|p| p.role) {
        Some(rekindle_analysis::Role::Me) => "mine",
        Some(rekindle_analysis::Role::Ex) => "theirs",
        _ => "both",
    };
    let title = match f {
        Finding::Horseman { kind, .. } => format!("{} from {name}", capitalize(kind.as_str())),
        Finding::Starts(_) => format!("Who reached out: conversations {name} started"),
        Finding::LateNight(_) => format!("Late-night messages from {name}"),
        Finding::Negative(_) => format!("Harsh or hurt messages from {name}"),
        Finding::Repairs(_) => format!("How {name} apologised and repaired"),
        Finding::Bids(_) => format!("Bids for attention from {name}"),
        Finding::Turning(i) => format!(
            "What changed around {}",
            a.turning_points
                .get(i)
                .map(|t| month_words(&t.month))
                .unwrap_or_default()
        ),
        Finding::Topic(i) => format!(
            "Arguments about {}",
            a.topics
                .get(i)
                .map(|t| t.topic.replace(['_', '-'], " "))
                .unwrap_or_default()
        ),
        Finding::Boundary(i) => {
            let b = a.boundaries.get(i)?;
            format!("When {} {}", b.person, boundary_phrase(b.kind))
        }
        Finding::Month(k) => format!("What happened in {}", month_words(&a.months.get(k)?.key)),
        Finding::Week(k) => format!("The week of {}", day_words(&a.weeks.get(k)?.start)),
        Finding::MonthNegative { month, .. } => format!(
            "Harsh messages from {name} in {}",
            month_words(&a.months.get(month)?.key)
        ),
        Finding::MonthHorsemen(k) => format!(
            "The way we argued in {}",
            month_words(&a.months.get(k)?.key)
        ),
        Finding::MonthRepairs(k) => {
            format!("Repairs in {}", month_words(&a.months.get(k)?.key))
        }
        Finding::MonthArguments(k) => {
            format!("Arguments in {}", month_words(&a.months.get(k)?.key))
        }
        Finding::SlowReplies(_) => format!("Slow replies from {name}"),
        Finding::Hour { hour, .. } => format!("Messages from {name} around {hour:02}:00"),
        Finding::InArguments { harsh: true } => "How harsh our arguments were".to_string(),
        Finding::InArguments { harsh: false } => {
            "Warmth and repair inside our arguments".to_string()
        }
    };
    let category = match f {
        Finding::Topic(i) => a
            .topics
            .get(i)
            .map(|t| category_for_topic(&t.topic))
            .unwrap_or(Category::Conflict),
        Finding::Starts(_)
        | Finding::Bids(_)
        | Finding::SlowReplies(_)
        | Finding::Month(_)
        | Finding::Week(_)
        | Finding::Hour { .. }
        | Finding::LateNight(_) => Category::TimeAttention,
        Finding::Boundary(_) => Category::Other,
        _ => Category::Conflict,
    };
    let frequency = match count {
        0 | 1 => "once",
        2..=9 => "sometimes",
        _ => "often",
    };
    let links = links_to(stored, messages, &indices);
    let title: String = title.chars().take(120).collect();
    Some(ProblemForm {
        title,
        category: category.key().to_string(),
        whose: whose.into(),
        frequency: frequency.into(),
        evidence: format!(
            "From the chat: {heading} {count} message{} in all; {} linked below.",
            if count == 1 { "" } else { "s" },
            if links.len() >= count {
                "they are".to_string()
            } else {
                format!("the first {} are", links.len())
            }
        ),
        links: links_field(&links),
        ..ProblemForm::default()
    })
}

/// A number on the post-mortem page that opens to the messages behind it.
/// Its key is a short, stable URL segment ("s-0": conversations person 0 started).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    /// A horseman in arguments, by one person (index into `Analysis::people`).
    Horseman {
        person: usize,
        kind: Horseman,
    },
    Starts(usize),
    LateNight(usize),
    Negative(usize),
    Repairs(usize),
    Bids(usize),
    /// A turning point (index into `Analysis::turning_points`).
    Turning(usize),
    /// A recurring topic (index into `Analysis::topics`).
    Topic(usize),
    /// A boundary (index into `Analysis::boundaries`) and the unanswered messages after it.
    Boundary(usize),
    /// Every message of a month (index into `Analysis::months`).
    Month(usize),
    /// Every message of a week (index into `Analysis::weeks`).
    Week(usize),
    /// One person's negative messages in a month.
    MonthNegative {
        month: usize,
        person: usize,
    },
    /// Messages marked with a horseman in the arguments of a month.
    MonthHorsemen(usize),
    /// Apologies and repair attempts in a month (everyone's).
    MonthRepairs(usize),
    /// The harsh messages of the arguments that started in a month.
    MonthArguments(usize),
    /// One person's slowest replies.
    SlowReplies(usize),
    /// One person's messages at one hour of the day (0-23).
    Hour {
        person: usize,
        hour: usize,
    },
    /// Inside arguments: the harsh messages, or the warm and repairing ones
    /// (the two sides of the 5:1 ratio).
    InArguments {
        harsh: bool,
    },
}

/// At most this many messages are shown for one finding (with context).
pub const FINDING_SHOWN: usize = 25;

/// "2024-03" as "March 2024" (the key itself when it is not a month).
pub fn month_words(key: &str) -> String {
    rekindle_analysis::month_name(key)
}

/// "2024-03-04" as "4 March 2024".
pub fn day_words(date: &str) -> String {
    match (
        date.get(..7),
        date.get(8..10).and_then(|d| d.parse::<u32>().ok()),
    ) {
        (Some(month), Some(day)) => format!("{day} {}", month_words(month)),
        _ => date.to_string(),
    }
}

/// "14 h 5 min", "3 min", "2 days 4 h": a delay as people say it.
pub fn minutes_words(minutes: f64) -> String {
    let m = minutes.round().max(0.0) as u64;
    let (d, h, min) = (m / 1440, (m % 1440) / 60, m % 60);
    match (d, h, min) {
        (0, 0, 0) => "under a minute".to_string(),
        (0, 0, min) => format!("{min} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, min) => format!("{h} h {min} min"),
        (d, 0, _) => format!("{d} day{}", if d == 1 { "" } else { "s" }),
        (d, h, _) => format!("{d} day{} {h} h", if d == 1 { "" } else { "s" }),
    }
}

/// The messages of period `p`, every one counted (at most 500 listed).
fn period_messages(p: &rekindle_analysis::Period) -> (usize, Vec<usize>) {
    match (p.first, p.last) {
        (Some(first), Some(last)) if first <= last => {
            (p.messages, (first..=last).take(500).collect())
        }
        _ => (0, Vec::new()),
    }
}

/// Whether message `i` is in month `m`.
fn in_month(m: &rekindle_analysis::Period, i: usize) -> bool {
    matches!((m.first, m.last), (Some(f), Some(l)) if f <= i && i <= l)
}

impl Finding {
    pub fn key(&self) -> String {
        match *self {
            Finding::Horseman { person, kind } => format!("h-{person}-{}", kind.as_str()),
            Finding::Starts(p) => format!("s-{p}"),
            Finding::LateNight(p) => format!("l-{p}"),
            Finding::Negative(p) => format!("n-{p}"),
            Finding::Repairs(p) => format!("r-{p}"),
            Finding::Bids(p) => format!("b-{p}"),
            Finding::Turning(i) => format!("t-{i}"),
            Finding::Topic(i) => format!("o-{i}"),
            Finding::Boundary(i) => format!("k-{i}"),
            Finding::Month(k) => format!("m-{k}"),
            Finding::Week(k) => format!("w-{k}"),
            Finding::MonthNegative { month, person } => format!("mn-{month}-{person}"),
            Finding::MonthHorsemen(k) => format!("mh-{k}"),
            Finding::MonthRepairs(k) => format!("mr-{k}"),
            Finding::MonthArguments(k) => format!("ma-{k}"),
            Finding::SlowReplies(p) => format!("y-{p}"),
            Finding::Hour { person, hour } => format!("u-{person}-{hour}"),
            Finding::InArguments { harsh } => format!("x-{}", u8::from(harsh)),
        }
    }

    /// The finding of a key; `None` for anything else.
    pub fn parse(key: &str) -> Option<Finding> {
        let mut parts = key.split('-');
        let kind = parts.next()?;
        let n: usize = parts.next()?.parse().ok()?;
        let extra = parts.next();
        if parts.next().is_some() {
            return None;
        }
        // A second number, written as `key` writes it ("1", never "01" or "+1").
        let number = |x: &str| -> Option<usize> {
            let v: usize = x.parse().ok()?;
            (v.to_string() == x).then_some(v)
        };
        if n.to_string() != key.split('-').nth(1)? {
            return None;
        }
        let f = match (kind, extra) {
            ("h", Some(k)) => Finding::Horseman {
                person: n,
                kind: Horseman::ALL.into_iter().find(|h| h.as_str() == k)?,
            },
            ("s", None) => Finding::Starts(n),
            ("l", None) => Finding::LateNight(n),
            ("n", None) => Finding::Negative(n),
            ("r", None) => Finding::Repairs(n),
            ("b", None) => Finding::Bids(n),
            ("t", None) => Finding::Turning(n),
            ("o", None) => Finding::Topic(n),
            ("k", None) => Finding::Boundary(n),
            ("m", None) => Finding::Month(n),
            ("w", None) => Finding::Week(n),
            ("mn", Some(p)) => Finding::MonthNegative {
                month: n,
                person: number(p)?,
            },
            ("mh", None) => Finding::MonthHorsemen(n),
            ("mr", None) => Finding::MonthRepairs(n),
            ("ma", None) => Finding::MonthArguments(n),
            ("y", None) => Finding::SlowReplies(n),
            ("u", Some(h)) => Finding::Hour {
                person: n,
                hour: number(h).filter(|h| *h < 24)?,
            },
            ("x", None) if n < 2 => Finding::InArguments { harsh: n == 1 },
            _ => return None,
        };
        Some(f)
    }

    /// The person the finding is about, if it is about one.
    pub fn person(&self) -> Option<usize> {
        match *self {
            Finding::Horseman { person, .. }
            | Finding::MonthNegative { person, .. }
            | Finding::Hour { person, .. } => Some(person),
            Finding::Starts(p)
            | Finding::LateNight(p)
            | Finding::Negative(p)
            | Finding::Repairs(p)
            | Finding::Bids(p)
            | Finding::SlowReplies(p) => Some(p),
            _ => None,
        }
    }

    /// A heading in plain words, or `None` when the finding is not in this analysis.
    pub fn describe(&self, a: &Analysis) -> Option<String> {
        let name = |p: usize| a.people.get(p).map(|x| x.name.as_str());
        let month = |k: usize| a.months.get(k).map(|m| month_words(&m.key));
        Some(match *self {
            Finding::Horseman { person, kind } => format!(
                "{} in arguments, from {}.",
                capitalize(kind.as_str()),
                name(person)?
            ),
            Finding::Starts(p) => format!("Conversations {} started.", name(p)?),
            Finding::LateNight(p) => format!("Messages {} sent late at night.", name(p)?),
            Finding::Negative(p) => format!("Messages from {} that read as negative.", name(p)?),
            Finding::Repairs(p) => format!("Apologies and repair attempts from {}.", name(p)?),
            Finding::Bids(p) => format!("Small bids for attention from {}.", name(p)?),
            Finding::Turning(i) => {
                let t = a.turning_points.get(i)?;
                format!("Around {}: the first messages of the new level.", t.month)
            }
            Finding::Topic(i) => format!(
                "Messages about {}.",
                a.topics.get(i)?.topic.replace(['_', '-'], " ")
            ),
            Finding::Boundary(i) => {
                let b = a.boundaries.get(i)?;
                format!(
                    "Where {} {}, and the messages after it that got no reply.",
                    b.person,
                    boundary_phrase(b.kind)
                )
            }
            Finding::Month(k) => format!("Messages in {}.", month(k)?),
            Finding::Week(k) => format!(
                "Messages in the week of {}.",
                day_words(&a.weeks.get(k)?.start)
            ),
            Finding::MonthNegative { month: k, person } => format!(
                "Messages from {} in {} that read as negative.",
                name(person)?,
                month(k)?
            ),
            Finding::MonthHorsemen(k) => format!(
                "Criticism, contempt, defensiveness and stonewalling in the arguments of {}.",
                month(k)?
            ),
            Finding::MonthRepairs(k) => {
                format!("Apologies and repair attempts in {}.", month(k)?)
            }
            Finding::MonthArguments(k) => format!(
                "The harsh messages of the arguments that started in {}.",
                month(k)?
            ),
            Finding::SlowReplies(p) => format!(
                "The slowest replies from {}; how long each took is shown with it.",
                name(p)?
            ),
            Finding::Hour { person, hour } => format!(
                "Messages {} sent between {hour:02}:00 and {hour:02}:59.",
                name(person)?
            ),
            Finding::InArguments { harsh: true } => {
                "The harsh messages inside arguments.".to_string()
            }
            Finding::InArguments { harsh: false } => {
                "The warm or repairing messages inside arguments.".to_string()
            }
        })
    }

    /// A note shown with counted message `index` ("replied after 14 h"), if any.
    pub fn note(&self, a: &Analysis, index: usize) -> Option<String> {
        match *self {
            Finding::SlowReplies(p) => a
                .people
                .get(p)?
                .reply_change
                .slowest
                .iter()
                .find(|r| r.index == index)
                .map(|r| format!("replied after {}", minutes_words(r.minutes))),
            Finding::MonthHorsemen(_) | Finding::Horseman { .. } => {
                let kinds: Vec<&str> = a
                    .conflicts
                    .iter()
                    .flat_map(|e| &e.horsemen)
                    .filter(|m| m.index == index)
                    .map(|m| m.kind.as_str())
                    .collect();
                (!kinds.is_empty()).then(|| kinds.join(", "))
            }
            _ => None,
        }
    }

    /// How many messages there are (exact) and the first of them, in chat order.
    pub fn messages(&self, a: &Analysis) -> Option<(usize, Vec<usize>)> {
        let ev = |e: &rekindle_analysis::Evidence| (e.count, e.indices.clone());
        let person = |p: usize| a.people.get(p).map(|x| &x.evidence);
        let sorted = |mut v: Vec<usize>| {
            v.sort_unstable();
            v.dedup();
            (v.len(), v)
        };
        Some(match *self {
            Finding::Horseman { person: p, kind } => {
                let who = &a.people.get(p)?.name;
                sorted(
                    a.conflicts
                        .iter()
                        .flat_map(|e| &e.horsemen)
                        .filter(|m| m.kind == kind && &m.person == who)
                        .map(|m| m.index)
                        .collect(),
                )
            }
            Finding::Starts(p) => ev(&person(p)?.starts),
            Finding::LateNight(p) => ev(&person(p)?.late_night),
            Finding::Negative(p) => ev(&person(p)?.negative),
            Finding::Repairs(p) => ev(&person(p)?.repairs),
            Finding::Bids(p) => ev(&person(p)?.bids),
            Finding::Turning(i) => ev(&a.turning_points.get(i)?.evidence),
            Finding::Topic(i) => ev(&a.topics.get(i)?.messages),
            Finding::Boundary(i) => {
                let b = a.boundaries.get(i)?;
                let mut v = vec![b.index];
                v.extend(&b.unanswered.indices);
                (1 + b.unanswered.count, v)
            }
            Finding::Month(k) => period_messages(a.months.get(k)?),
            Finding::Week(k) => period_messages(a.weeks.get(k)?),
            Finding::MonthNegative {
                month: k,
                person: p,
            } => {
                let m = a.months.get(k)?;
                let count = m.per_person.get(p)?.negative;
                let v = person(p)?
                    .negative
                    .indices
                    .iter()
                    .copied()
                    .filter(|&i| in_month(m, i))
                    .collect();
                (count, v)
            }
            Finding::MonthHorsemen(k) => {
                let m = a.months.get(k)?;
                sorted(
                    a.conflicts
                        .iter()
                        .flat_map(|e| &e.horsemen)
                        .map(|h| h.index)
                        .filter(|&i| in_month(m, i))
                        .collect(),
                )
            }
            Finding::MonthRepairs(k) => {
                let m = a.months.get(k)?;
                let count = m.per_person.iter().map(|c| c.repairs).sum();
                let (_, v) = sorted(
                    a.people
                        .iter()
                        .flat_map(|p| &p.evidence.repairs.indices)
                        .copied()
                        .filter(|&i| in_month(m, i))
                        .collect(),
                );
                (count, v)
            }
            Finding::MonthArguments(k) => {
                let m = a.months.get(k)?;
                sorted(
                    a.conflicts
                        .iter()
                        .filter(|e| in_month(m, e.start))
                        .flat_map(|e| &e.negative_messages)
                        .copied()
                        .collect(),
                )
            }
            Finding::SlowReplies(p) => sorted(
                a.people
                    .get(p)?
                    .reply_change
                    .slowest
                    .iter()
                    .map(|r| r.index)
                    .collect(),
            ),
            Finding::Hour { person: p, hour } => ev(person(p)?.hours.get(hour)?),
            Finding::InArguments { harsh } => sorted(
                a.conflicts
                    .iter()
                    .flat_map(|e| {
                        if harsh {
                            &e.negative_messages
                        } else {
                            &e.positive_messages
                        }
                    })
                    .copied()
                    .collect(),
            ),
        })
    }
}

/// One row of the messages a problem links to, as its page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedRow {
    /// "2024-03-01 21:07".
    pub time: String,
    pub sender: String,
    pub text: String,
    /// One of the linked messages (the others are context).
    pub linked: bool,
    /// Read from the quote kept with the problem: the chat was deleted, or
    /// changed so that the message is no longer where it was.
    pub from_quote: bool,
    /// Written by the user.
    pub mine: bool,
    /// Messages were left out between the row before and this one.
    pub gap_before: bool,
}

/// The messages `links` point to, read again from the vault, each with
/// `context` messages either side; a link whose chat is gone or whose
/// message is no longer where it was (time and sender differ) shows its
/// quote instead, after the others.
pub fn open_links(
    store: &dyn Store,
    links: &[MessageLink],
    context: usize,
) -> Result<Vec<LinkedRow>, MethodError> {
    let chats = store.chats()?;
    let mut chat_ids: Vec<i64> = Vec::new();
    for l in links {
        if !chat_ids.contains(&l.chat) {
            chat_ids.push(l.chat);
        }
    }
    let mut rows: Vec<LinkedRow> = Vec::new();
    let mut lost: Vec<&MessageLink> = Vec::new();
    for id in chat_ids {
        let of_chat: Vec<&MessageLink> = links.iter().filter(|l| l.chat == id).collect();
        let Some(chat) = chats.iter().find(|c| c.id == id && c.messages > 0) else {
            lost.extend(of_chat);
            continue;
        };
        let total = usize::try_from(chat.messages).unwrap_or(usize::MAX);
        let at: Vec<usize> = of_chat
            .iter()
            .filter_map(|l| usize::try_from(l.position).ok())
            .filter(|&p| p < total)
            .collect();
        let around = with_context(&at, context, total);
        let positions: Vec<u64> = around.iter().map(|(p, _)| *p as u64).collect();
        let read = store.messages_at(id, &positions)?;
        let found = |position: u64| {
            read.binary_search_by_key(&position, |(p, _)| *p)
                .ok()
                .and_then(|k| read.get(k))
                .and_then(|(_, m)| Some((message_ref(m)?, m)))
        };
        let shown_as = |r: &MessageRef<'_>, m: &StoredMessage| {
            (
                r.time.strftime("%Y-%m-%d %H:%M").to_string(),
                m.sender.clone().unwrap_or_default(),
            )
        };
        let mut still: Vec<usize> = Vec::new();
        for l in &of_chat {
            let same = found(l.position)
                .is_some_and(|(r, m)| shown_as(&r, m) == (l.time.clone(), l.sender.clone()));
            match usize::try_from(l.position) {
                Ok(p) if same => still.push(p),
                _ => lost.push(l),
            }
        }
        let mut prev: Option<usize> = None;
        for (p, linked) in with_context(&still, context, total) {
            let Some((r, m)) = found(p as u64) else {
                continue;
            };
            let (time, sender) = shown_as(&r, m);
            rows.push(LinkedRow {
                time,
                mine: chat.me.as_deref().is_some_and(|me| me == sender),
                sender,
                text: m.text.clone(),
                linked,
                from_quote: false,
                gap_before: prev.is_some_and(|q| p > q + 1) || (prev.is_none() && !rows.is_empty()),
            });
            prev = Some(p);
        }
    }
    for (k, l) in lost.into_iter().enumerate() {
        rows.push(LinkedRow {
            time: l.time.clone(),
            sender: l.sender.clone(),
            text: l.quote.clone(),
            linked: true,
            from_quote: true,
            mine: false,
            gap_before: k == 0 && !rows.is_empty(),
        });
    }
    Ok(rows)
}

/// "asked for no contact", for headings about any person.
pub fn boundary_phrase(kind: rekindle_analysis::BoundaryKind) -> &'static str {
    use rekindle_analysis::BoundaryKind as K;
    match kind {
        K::Ended => "ended the relationship",
        K::NoContact => "asked for no contact",
        K::Space => "asked for space",
        K::Blocked => "said they blocked the other",
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Message indices to show for evidence `shown`: each with `context` messages
/// either side, overlapping stretches merged; `(index, is_evidence)` in order.
pub fn with_context(shown: &[usize], context: usize, total: usize) -> Vec<(usize, bool)> {
    let mut out: Vec<(usize, bool)> = Vec::new();
    for &i in shown {
        if i >= total {
            continue;
        }
        let from = i.saturating_sub(context);
        let to = (i + context).min(total.saturating_sub(1));
        for j in from..=to {
            match out.iter_mut().find(|(k, _)| *k == j) {
                Some(slot) => slot.1 |= j == i,
                None => out.push((j, j == i)),
            }
        }
    }
    out.sort_unstable_by_key(|(k, _)| *k);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_keys_round_trip_and_reject_junk() {
        let all = [
            Finding::Horseman {
                person: 1,
                kind: Horseman::Contempt,
            },
            Finding::Starts(0),
            Finding::LateNight(3),
            Finding::Negative(1),
            Finding::Repairs(0),
            Finding::Bids(2),
            Finding::Turning(4),
            Finding::Topic(7),
            Finding::Boundary(2),
            Finding::Month(12),
            Finding::Week(0),
            Finding::MonthNegative {
                month: 3,
                person: 1,
            },
            Finding::MonthHorsemen(5),
            Finding::MonthRepairs(6),
            Finding::MonthArguments(7),
            Finding::SlowReplies(1),
            Finding::Hour {
                person: 0,
                hour: 23,
            },
            Finding::InArguments { harsh: true },
            Finding::InArguments { harsh: false },
        ];
        for f in all {
            assert_eq!(Finding::parse(&f.key()), Some(f), "{}", f.key());
        }
        for junk in [
            "",
            "s",
            "s-",
            "s-x",
            "z-1",
            "h-1",
            "h-1-scorn",
            "s-1-2",
            "t-1-2-3",
            "s--1",
            "s-01",
            "m-+1",
            "u-0-24",
            "u-0-007",
            "u-0",
            "mn-1",
            "x-2",
            "mh-1-1",
        ] {
            assert_eq!(Finding::parse(junk), None, "{junk}");
        }
    }

    #[test]
    fn months_days_and_waits_read_as_people_say_them() {
        assert_eq!(month_words("2024-03"), "March 2024");
        assert_eq!(month_words("2024-13"), "2024-13");
        assert_eq!(day_words("2024-03-04"), "4 March 2024");
        assert_eq!(minutes_words(0.2), "under a minute");
        assert_eq!(minutes_words(12.0), "12 min");
        assert_eq!(minutes_words(60.0), "1 h");
        assert_eq!(minutes_words(845.0), "14 h 5 min");
        assert_eq!(minutes_words(1440.0), "1 day");
        assert_eq!(minutes_words(3000.0), "2 days 2 h");
    }

    #[test]
    fn context_merges_and_marks() {
        assert_eq!(
            with_context(&[0, 3, 9], 2, 10),
            vec![
                (0, true),
                (1, false),
                (2, false),
                (3, true),
                (4, false),
                (5, false),
                (7, false),
                (8, false),
                (9, true)
            ]
        );
        assert!(with_context(&[12], 2, 10).is_empty());
    }

    #[test]
    fn findings_count_what_the_analysis_counts() {
        let text = "1/13/24, 9:00 PM - A: you never listen to me\n\
                    1/13/24, 9:01 PM - B: whatever, you always do this\n\
                    1/13/24, 9:02 PM - A: you're so selfish, what is wrong with you\n\
                    1/13/24, 9:03 PM - B: leave me alone\n\
                    1/13/24, 9:04 PM - A: you are pathetic\n\
                    1/13/24, 9:05 PM - B: k.\n\
                    1/14/24, 8:00 AM - A: good morning, want to get coffee later?\n";
        let Ok((messages, _)) =
            rekindle_chat::parse_to_vec(text.as_bytes(), &rekindle_chat::ParseOptions::default())
        else {
            panic!("parse")
        };
        let a = run(&messages, &Who::default(), &Lexicons::built_in());
        for p in 0..a.people.len() {
            let (n, idx) = Finding::Starts(p).messages(&a).unwrap_or_default();
            assert_eq!(n, a.people[p].totals.starts);
            assert_eq!(idx.len(), n);
            assert!(Finding::Starts(p).describe(&a).is_some());
        }
        assert!(Finding::Starts(9).messages(&a).is_none());
        assert!(Finding::Starts(9).describe(&a).is_none());
        let marks: usize = a.conflicts.iter().map(|e| e.horsemen.len()).sum();
        let mut found = 0;
        for p in 0..a.people.len() {
            for kind in Horseman::ALL {
                found += Finding::Horseman { person: p, kind }
                    .messages(&a)
                    .map(|x| x.0)
                    .unwrap_or(0);
            }
        }
        assert!(marks > 0, "the argument has horsemen");
        assert_eq!(found, marks);
    }
}
