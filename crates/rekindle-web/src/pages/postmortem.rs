//! Step 1's evidence: what the chat shows, with every number open to the
//! messages behind it, and a finding turned into a problem in one click.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use rekindle_analysis::{Analysis, Ending, Horseman, Lexicons, Message, Role, summarize};
use rekindle_app::method::MethodError;
use rekindle_app::postmortem;
use rekindle_core::FormErrors;

use super::{Chrome, not_found_page, render, store_error, with_vault};
use crate::charts;
use crate::security::RawForm;
use crate::state::AppState;

fn method_error(e: MethodError) -> Response {
    match e {
        MethodError::Store(s) => store_error(&s),
        _ => not_found_page(),
    }
}

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
    analysed: usize,
    summary: Vec<String>,
    names: Vec<String>,
    volume_svg: String,
    volume_rows: Vec<(String, Vec<usize>)>,
    tone_svg: String,
    tone_rows: Vec<(String, String)>,
    turning: Vec<(String, String)>,
    calendar_svg: String,
    horsemen_rows: Vec<(String, [usize; 4])>,
    episodes: Vec<EpisodeRow>,
}

fn lexicons(state: &AppState) -> Lexicons {
    postmortem::user_lexicons(Some(state.0.data_dir.path()))
}

/// Reads the stored chat and analyses it (off the async workers: a long
/// history takes a moment).
async fn analysed(state: &AppState) -> Result<Option<(Vec<Message>, Analysis)>, Response> {
    let worker = state.clone();
    let lex = lexicons(state);
    tokio::task::spawn_blocking(move || {
        let mut inner = worker.lock();
        let vault = inner.vault()?;
        let chat = postmortem::stored_chat(vault).map_err(method_error)?;
        drop(inner);
        Ok(chat.map(|(messages, who)| {
            let a = postmortem::run(&messages, &who, &lex);
            (messages, a)
        }))
    })
    .await
    .map_err(|_| store_error(&rekindle_store::StoreError::Corrupt))?
}

fn ending(e: Ending) -> &'static str {
    match e {
        Ending::Repair => "ended with a repair or apology",
        Ending::Silence => "ended in silence",
        Ending::Breakup => "ended with talk of breaking up",
        Ending::MovedOn => "faded as the talk moved on",
    }
}

pub async fn page(State(state): State<AppState>) -> Response {
    let result = match analysed(&state).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let inner = state.lock();
    let chrome = Chrome::for_page(&inner, "What the chat shows", "w");
    drop(inner);
    let Some((_, a)) = result else {
        return render(
            StatusCode::OK,
            &PostmortemPage {
                chrome,
                empty: true,
                analysed: 0,
                summary: vec![],
                names: vec![],
                volume_svg: String::new(),
                volume_rows: vec![],
                tone_svg: String::new(),
                tone_rows: vec![],
                turning: vec![],
                calendar_svg: String::new(),
                horsemen_rows: vec![],
                episodes: vec![],
            },
        );
    };
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
        .map(|t| {
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
            (t.month.clone(), what)
        })
        .collect();
    let mut horsemen_rows: Vec<(String, [usize; 4])> =
        names.iter().map(|n| (n.clone(), [0; 4])).collect();
    for e in &a.conflicts {
        for m in &e.horsemen {
            if let Some(row) = horsemen_rows.iter_mut().find(|(n, _)| *n == m.person) {
                let k = match m.kind {
                    Horseman::Criticism => 0,
                    Horseman::Contempt => 1,
                    Horseman::Defensiveness => 2,
                    Horseman::Stonewalling => 3,
                };
                row.1[k] += 1;
            }
        }
    }
    horsemen_rows.retain(|(_, c)| c.iter().any(|x| *x > 0));
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
                e.escalated_by
                    .as_ref()
                    .map(|p| format!("escalated by {p}; "))
                    .unwrap_or_default(),
                ending(e.ended_by)
            ),
        })
        .collect();
    let page = PostmortemPage {
        chrome,
        empty: false,
        analysed: a.analysed,
        summary: summarize(&a),
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

pub async fn evidence(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<usize>() else {
        return not_found_page();
    };
    let Some((messages, a)) = (match analysed(&state).await {
        Ok(r) => r,
        Err(r) => return r,
    }) else {
        return not_found_page();
    };
    let Some(e) = a.conflicts.iter().find(|e| e.id == id) else {
        return not_found_page();
    };
    let me = a.person(Role::Me).map(|p| p.name.clone());
    let from = e.start.saturating_sub(3);
    let to = (e.end + 3).min(messages.len().saturating_sub(1));
    let rows = (from..=to)
        .filter_map(|i| messages.get(i).map(|m| (i, m)))
        .map(|(i, m)| {
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

/// One click: the problem form opens filled from the finding, evidence attached.
pub async fn make_problem(State(state): State<AppState>, RawForm(pairs): RawForm) -> Response {
    let Some(id) = pairs
        .iter()
        .find(|(k, _)| k == "episode")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    else {
        return not_found_page();
    };
    let Some((messages, a)) = (match analysed(&state).await {
        Ok(r) => r,
        Err(r) => return r,
    }) else {
        return not_found_page();
    };
    let Some(form) = postmortem::problem_from_episode(&a, id, &messages) else {
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
