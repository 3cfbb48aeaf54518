//! Step 1's evidence: what the chat shows, with every number open to the
//! messages behind it, and a finding turned into a problem in one click.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use rekindle_analysis::{Analysis, Ending, Horseman, Message, Role, summarize};
use rekindle_app::postmortem::{self, FINDING_SHOWN, Finding};
use rekindle_core::FormErrors;

use super::{Chrome, method_error, not_found_page, render, store_error, with_vault};
use crate::charts;
use crate::security::RawForm;
use std::sync::Arc;

use crate::state::{AppState, Inner, PostmortemCache};

pub struct EpisodeRow {
    pub id: usize,
    pub date: String,
    pub topics: String,
    pub messages: usize,
    pub how: String,
}

#[derive(Template)]
#[template(path = "postmortem.html")]
struct PostmortemPage {
    chrome: Chrome,
    empty: bool,
    /// The chat read, when the user has several ("WhatsApp “Alex”, 1,204 messages").
    reading: Option<String>,
    analysed: usize,
    /// The chat's estimated share of negative messages, "2 %" (how `negative` was decided).
    negative_share: String,
    summary: Vec<String>,
    names: Vec<String>,
    volume_svg: String,
    volume_rows: Vec<(String, Vec<usize>)>,
    tone_svg: String,
    tone_rows: Vec<(String, String)>,
    /// (month, what changed, finding key)
    turning: Vec<(String, String, String)>,
    calendar_svg: String,
    /// (horseman, [(count, finding key)] per person in `names`)
    horsemen_rows: Vec<(String, Vec<(usize, String)>)>,
    /// (measure, [(count, finding key)] per person in `names`)
    number_rows: Vec<(String, Vec<(usize, String)>)>,
    /// (topic, messages, finding key, arguments)
    topic_rows: Vec<(String, usize, String, usize)>,
    episodes: Vec<EpisodeRow>,
    /// Boundaries, newest first: (sentence, finding key, set by the ex and
    /// asks something of the user: offer "record their answer").
    boundaries: Vec<(String, String, bool)>,
}

/// What the cached analysis depends on: the chat, how many messages it has,
/// who is who, and the version of the user's word lists (built in, the data
/// folder's files, the changes kept in the vault: `rekindle_app::topics`).
fn cache_key(chat: &rekindle_store::chats::ChatInfo, lists_version: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (chat.id, chat.messages, &chat.me, &chat.ex).hash(&mut h);
    lists_version.hash(&mut h);
    h.finish()
}

/// Messages of the analysed chat a page shows: `(index, message)` by index.
type Shown = Vec<(usize, Message)>;

/// Analyses the stored chat (off the async workers: a long history takes a
/// moment), or takes the analysis made for the same chat; then reads from
/// the vault the messages `pick` chooses, under the same lock as the check
/// that the analysis is of the chat as stored now.
async fn analysed(
    state: &AppState,
    pick: impl Fn(&Analysis) -> Vec<usize> + Send + 'static,
) -> Result<Option<(PostmortemCache, Shown)>, Response> {
    let worker = state.clone();
    tokio::task::spawn_blocking(move || {
        let data_dir = worker.data_dir().map(|d| d.path().to_path_buf());
        // A chat changed while it was analysed (an import in another tab) is
        // analysed again; the third time the lock is held throughout.
        for attempt in 0..3 {
            let mut inner = worker.lock();
            let Some(info) = postmortem::analysed_chat(inner.vault()?).map_err(method_error)?
            else {
                return Ok(None);
            };
            let lists = rekindle_app::topics::lists(inner.vault()?, data_dir.as_deref())
                .map_err(method_error)?;
            let key = cache_key(&info, &lists.version);
            let mut cached = inner
                .postmortem
                .as_ref()
                .filter(|(k, _)| *k == key)
                .map(|(_, c)| c.clone());
            if cached.is_none() {
                let lex = lists.lexicons();
                // From the chat's snapshot when current (made at import), else
                // classified now and the snapshot stored for next time.
                let prepared = postmortem::prepare_chat_cached(inner.vault()?, &info, &lex)
                    .map_err(method_error)?;
                if attempt < 2 {
                    drop(inner);
                    let result: PostmortemCache = Arc::new(prepared.analyse());
                    let mut inner = worker.lock();
                    // Not if the vault was locked meanwhile: it goes with the key.
                    if inner.vault.is_some() {
                        inner.postmortem = Some((key, result));
                    }
                    // Then check again that it is of the chat as stored now.
                    continue;
                }
                let result: PostmortemCache = Arc::new(prepared.analyse());
                inner.postmortem = Some((key, result.clone()));
                cached = Some(result);
            }
            let Some(cached) = cached else {
                continue;
            };
            let wanted = pick(&cached.analysis);
            let shown = if wanted.is_empty() {
                Vec::new()
            } else {
                cached
                    .messages(inner.vault()?, &wanted)
                    .map_err(method_error)?
            };
            return Ok(Some((cached, shown)));
        }
        // Not reached: the last attempt returns.
        Err(store_error(&rekindle_store::StoreError::Corrupt))
    })
    .await
    .map_err(|_| store_error(&rekindle_store::StoreError::Corrupt))?
}

/// The analysis kept for the chat the post-mortem reads, when it is still of
/// that chat as stored now; never analyses (the outlook reads it if at hand).
pub(crate) fn kept_analysis(
    inner: &mut Inner,
    data_dir: Option<&std::path::Path>,
) -> Result<Option<PostmortemCache>, Response> {
    let Some(info) = postmortem::analysed_chat(inner.vault()?).map_err(method_error)? else {
        return Ok(None);
    };
    let lists = rekindle_app::topics::lists(inner.vault()?, data_dir).map_err(method_error)?;
    let key = cache_key(&info, &lists.version);
    Ok(inner
        .postmortem
        .as_ref()
        .filter(|(k, _)| *k == key)
        .map(|(_, c)| c.clone()))
}

/// [`analysed`], with "no chat stored" as the not-found page.
async fn analysed_chat(
    state: &AppState,
    pick: impl Fn(&Analysis) -> Vec<usize> + Send + 'static,
) -> Result<(PostmortemCache, Shown), Response> {
    analysed(state, pick).await?.ok_or_else(not_found_page)
}

/// The message at `index` among those read.
fn shown(messages: &Shown, index: usize) -> Option<&Message> {
    messages
        .binary_search_by_key(&index, |(i, _)| *i)
        .ok()
        .and_then(|k| messages.get(k))
        .map(|(_, m)| m)
}

fn ending(e: Ending) -> &'static str {
    match e {
        Ending::Repair => "ended with a repair or apology",
        Ending::Silence => "ended in silence",
        Ending::Breakup => "ended with talk of breaking up",
        Ending::MovedOn => "faded as the talk moved on",
    }
}

/// Which chat the page reads, when there is more than one to choose from.
fn reading_line(vault: &dyn rekindle_store::Store, id: i64) -> Option<String> {
    let chats = vault.chats().ok()?;
    if chats.len() < 2 {
        return None;
    }
    let chat = chats.into_iter().find(|c| c.id == id)?;
    let format = chat
        .format
        .parse::<rekindle_chat::Format>()
        .map(|f| f.display_name())
        .unwrap_or("Chat");
    let title = chat.title.map(|t| format!(" “{t}”")).unwrap_or_default();
    Some(format!("{format}{title}, {} messages", chat.messages))
}

pub async fn page(state: AppState) -> Response {
    let result = match analysed(&state, |_| Vec::new()).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut inner = state.lock();
    let chrome = Chrome::for_page(&inner, "What the chat shows", "w");
    let reading = match (&result, inner.vault()) {
        (Some((data, _)), Ok(vault)) => reading_line(vault, data.chat_id()),
        _ => None,
    };
    drop(inner);
    let Some((data, _)) = result else {
        return render(
            StatusCode::OK,
            &PostmortemPage {
                chrome,
                empty: true,
                reading: None,
                analysed: 0,
                negative_share: String::new(),
                summary: vec![],
                names: vec![],
                volume_svg: String::new(),
                volume_rows: vec![],
                tone_svg: String::new(),
                tone_rows: vec![],
                turning: vec![],
                calendar_svg: String::new(),
                horsemen_rows: vec![],
                number_rows: vec![],
                topic_rows: vec![],
                episodes: vec![],
                boundaries: vec![],
            },
        );
    };
    let a = &data.analysis;
    // The user first, then the ex, then anyone else.
    let mut order: Vec<usize> = (0..a.people.len()).collect();
    order.sort_by_key(|&i| match a.people[i].role {
        Role::Me => 0,
        Role::Ex => 1,
        Role::Other => 2,
    });
    let names: Vec<String> = order
        .iter()
        .take(2)
        .map(|&i| a.people[i].name.clone())
        .collect();
    let volume_rows: Vec<(String, Vec<usize>)> = a
        .months
        .iter()
        .map(|m| {
            (
                m.key.clone(),
                order
                    .iter()
                    .take(2)
                    .map(|&i| m.per_person.get(i).map(|c| c.messages).unwrap_or(0))
                    .collect(),
            )
        })
        .collect();
    let tone: Vec<(String, Option<f64>)> = a
        .months
        .iter()
        .map(|m| (m.key.clone(), m.tone_mean))
        .collect();
    let tone_turns: Vec<usize> = a
        .turning_points
        .iter()
        .filter(|t| t.series == "tone")
        .map(|t| t.month_index)
        .collect();
    let turning = a
        .turning_points
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let what = match t.series.as_str() {
                "volume" => format!(
                    "messages went from about {:.0} to {:.0} a month",
                    t.before, t.after
                ),
                "tone" => format!(
                    "the average tone went from {:.2} to {:.2}",
                    t.before, t.after
                ),
                _ => format!(
                    "arguments went from {:.1} to {:.1} a month",
                    t.before, t.after
                ),
            };
            (t.month.clone(), what, format!("t-{i}"))
        })
        .collect();
    let count = |f: Finding| (f.messages(a).map(|x| x.0).unwrap_or(0), f.key());
    // One row per measure, one column per person: three columns fit a phone.
    let people: Vec<usize> = order.iter().take(2).copied().collect();
    let row = |label: &str, f: &dyn Fn(usize) -> Finding| {
        let cells: Vec<(usize, String)> = people.iter().map(|&p| count(f(p))).collect();
        (label.to_string(), cells)
    };
    let mut horsemen_rows: Vec<(String, Vec<(usize, String)>)> = Horseman::ALL
        .into_iter()
        .map(|kind| {
            let label = match kind {
                Horseman::Criticism => "Criticism",
                Horseman::Contempt => "Contempt",
                Horseman::Defensiveness => "Defensiveness",
                Horseman::Stonewalling => "Stonewalling",
            };
            row(label, &|person| Finding::Horseman { person, kind })
        })
        .collect();
    if horsemen_rows
        .iter()
        .all(|(_, c)| c.iter().all(|x| x.0 == 0))
    {
        horsemen_rows.clear();
    }
    let number_rows: Vec<(String, Vec<(usize, String)>)> = vec![
        row("Conversations started", &Finding::Starts),
        row("Messages late at night", &Finding::LateNight),
        row("Messages that read as negative", &Finding::Negative),
        row("Apologies and repairs", &Finding::Repairs),
        row("Small bids for attention", &Finding::Bids),
    ];
    let topic_rows: Vec<(String, usize, String, usize)> = a
        .topics
        .iter()
        .enumerate()
        .filter(|(_, t)| t.messages.count > 0)
        .map(|(i, t)| {
            (
                t.topic.replace(['_', '-'], " "),
                t.messages.count,
                Finding::Topic(i).key(),
                t.episodes,
            )
        })
        .collect();
    let episodes = a
        .conflicts
        .iter()
        .rev()
        .take(50)
        .map(|e| EpisodeRow {
            id: e.id,
            date: e
                .start_time
                .get(..16)
                .unwrap_or(&e.start_time)
                .replace('T', " "),
            topics: if e.topics.is_empty() {
                "no clear topic".into()
            } else {
                e.topics.join(", ").replace('_', " ")
            },
            messages: e.messages,
            how: format!(
                "{}{}",
                match (&e.one_sided_by, a.person(rekindle_analysis::Role::Me)) {
                    (Some(p), Some(me)) if *p == me.name => {
                        "you were harsh; they stayed calm or apologised; ".to_string()
                    }
                    (Some(_), Some(_)) =>
                        "they were harsh; you stayed calm or apologised; ".to_string(),
                    (Some(p), None) => format!("only {p} was harsh; "),
                    (None, _) => e
                        .escalated_by
                        .as_ref()
                        .map(|p| format!("escalated by {p}; "))
                        .unwrap_or_default(),
                },
                ending(e.ended_by)
            ),
        })
        .collect();
    let boundaries = a
        .boundaries
        .iter()
        .enumerate()
        .rev()
        .take(10)
        .map(|(i, b)| {
            let me = b.role == rekindle_analysis::Role::Me;
            let who = if me {
                "You".to_string()
            } else {
                b.person.clone()
            };
            let what = rekindle_app::postmortem::boundary_phrase(b.kind);
            let day = b.time.get(..10).unwrap_or(&b.time);
            let mut s = format!("{day}: {who} {what}.");
            if b.unanswered_after > 0 {
                s.push_str(&format!(
                    " After it, {} {} message{} that got no reply.",
                    if me { "they sent" } else { "you sent" },
                    b.unanswered_after,
                    if b.unanswered_after == 1 { "" } else { "s" }
                ));
            }
            let asks = b.role == rekindle_analysis::Role::Ex
                && b.kind != rekindle_analysis::BoundaryKind::Ended;
            (s, Finding::Boundary(i).key(), asks)
        })
        .collect();
    let page = PostmortemPage {
        chrome,
        boundaries,
        empty: false,
        reading,
        analysed: a.analysed,
        negative_share: percent(a.settings.negative_share),
        summary: summarize(a),
        volume_svg: charts::monthly_volume(&volume_rows, &names),
        tone_svg: charts::tone_trend(&tone, &tone_turns),
        tone_rows: tone
            .iter()
            .map(|(m, v)| {
                (
                    m.clone(),
                    v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into()),
                )
            })
            .collect(),
        calendar_svg: charts::conflict_calendar(
            &a.months
                .iter()
                .map(|m| (m.key.clone(), m.conflicts))
                .collect::<Vec<_>>(),
        ),
        volume_rows,
        names,
        turning,
        horsemen_rows,
        number_rows,
        topic_rows,
        episodes,
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage {
    chrome: Chrome,
    id: usize,
    heading: String,
    /// (time, sender, text, marks, negative, mine)
    messages: Vec<(String, String, String, String, bool, bool)>,
}

pub async fn evidence(state: AppState, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<usize>() else {
        return not_found_page();
    };
    let (data, messages) = match analysed_chat(&state, move |a| episode_messages(a, id)).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let a = &data.analysis;
    let Some(e) = a.conflicts.iter().find(|e| e.id == id) else {
        return not_found_page();
    };
    let me = a.person(Role::Me).map(|p| p.name.clone());
    let rows = messages
        .iter()
        .map(|(i, m)| {
            let i = *i;
            let marks: Vec<String> = e
                .horsemen
                .iter()
                .filter(|h| h.index == i)
                .map(|h| {
                    serde_json::to_value(h.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                })
                .chain(e.repair_messages.contains(&i).then(|| "repair".to_string()))
                .collect();
            (
                m.time.strftime("%Y-%m-%d %H:%M").to_string(),
                m.sender.clone().unwrap_or_default(),
                m.text.clone(),
                marks.join(", "),
                e.negative_messages.contains(&i),
                m.sender.is_some() && m.sender == me,
            )
        })
        .collect();
    let inner = state.lock();
    render(
        StatusCode::OK,
        &EvidencePage {
            chrome: Chrome::for_page(&inner, "Messages", "w"),
            id,
            heading: format!(
                "An argument on {}.",
                e.start_time.get(..10).unwrap_or(&e.start_time)
            ),
            messages: rows,
        },
    )
}

/// The messages an argument's page shows: three either side of it.
fn episode_messages(a: &Analysis, id: usize) -> Vec<usize> {
    let Some(e) = a.conflicts.iter().find(|e| e.id == id) else {
        return Vec::new();
    };
    let from = e.start.saturating_sub(3);
    let to = (e.end + 3).min(a.messages.saturating_sub(1));
    (from..=to).collect()
}

/// The messages a finding's page shows, `(index, counted)`: the first
/// [`FINDING_SHOWN`] behind the number, each with two either side.
fn finding_rows(f: Finding, a: &Analysis) -> Vec<(usize, bool)> {
    let Some((_, indices)) = f.messages(a) else {
        return Vec::new();
    };
    let shown = indices.len().min(FINDING_SHOWN);
    postmortem::with_context(&indices[..shown], 2, a.messages)
}

#[derive(Template)]
#[template(path = "finding.html")]
struct FindingPage {
    chrome: Chrome,
    heading: String,
    count: usize,
    shown: usize,
    /// (time, sender, text, counted, mine, gap before)
    messages: Vec<(String, String, String, bool, bool, bool)>,
}

/// The messages behind one number of the page, each with two messages of
/// context either side.
pub async fn finding(state: AppState, Path(key): Path<String>) -> Response {
    let Some(f) = Finding::parse(&key) else {
        return not_found_page();
    };
    let (data, messages) = match analysed_chat(&state, move |a| {
        finding_rows(f, a).into_iter().map(|(i, _)| i).collect()
    })
    .await
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    let a = &data.analysis;
    let (Some(heading), Some((count, indices))) = (f.describe(a), f.messages(a)) else {
        return not_found_page();
    };
    let shown_count = indices.len().min(FINDING_SHOWN);
    let me = a.person(Role::Me).map(|p| p.name.clone());
    let mut prev: Option<usize> = None;
    let rows = finding_rows(f, a)
        .into_iter()
        .filter_map(|(i, counted)| {
            let m = shown(&messages, i)?;
            let gap = prev.is_some_and(|p| i > p + 1);
            prev = Some(i);
            Some((
                m.time.strftime("%Y-%m-%d %H:%M").to_string(),
                m.sender.clone().unwrap_or_default(),
                m.text.clone(),
                counted,
                m.sender.is_some() && m.sender == me,
                gap,
            ))
        })
        .collect();
    let inner = state.lock();
    render(
        StatusCode::OK,
        &FindingPage {
            chrome: Chrome::for_page(&inner, "Messages", "w"),
            heading,
            count,
            shown: shown_count,
            messages: rows,
        },
    )
}

/// One click: the problem form opens filled from the finding, evidence attached.
pub async fn make_problem(state: AppState, RawForm(pairs): RawForm) -> Response {
    let Some(id) = pairs
        .iter()
        .find(|(k, _)| k == "episode")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    else {
        return not_found_page();
    };
    let (data, messages) =
        match analysed_chat(&state, move |a| postmortem::quoted_messages(a, id)).await {
            Ok(r) => r,
            Err(r) => return r,
        };
    let Some(form) = postmortem::problem_from_episode(&data.analysis, id, &messages) else {
        return not_found_page();
    };
    with_vault(&state, |inner| {
        Ok(super::method::problem_form_page(
            inner,
            form,
            FormErrors::default(),
        ))
    })
    .unwrap_or_else(|r| r)
}

/// A share as a person would say it: "1.5 %" below 10 %, else "20 %".
fn percent(share: f64) -> String {
    let p = 100.0 * share;
    if p < 10.0 {
        format!("{:.1} %", p).replace(".0 %", " %")
    } else {
        format!("{p:.0} %")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shares_read_as_people_say_them() {
        assert_eq!(super::percent(0.05), "5 %");
        assert_eq!(super::percent(0.015), "1.5 %");
        assert_eq!(super::percent(0.2), "20 %");
        assert_eq!(super::percent(0.065), "6.5 %");
    }
}
