//! The words of each topic the post-mortem counts: view them, add and remove
//! words, make a topic of one's own. Kept in the vault (`rekindle_app::topics`);
//! the next analysis uses them (the cached one keys on the lists' version).

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rekindle_app::method::MethodError;
use rekindle_app::topics::{self, TopicLists, TopicSource};
use rekindle_core::FormErrors;
use serde::Deserialize;

use super::{Chrome, method_error, render, with_vault};
use crate::security::{CsrfForm, RawForm};
use crate::state::{AppState, Inner};

pub struct TopicView {
    pub index: usize,
    pub key: String,
    pub label: String,
    /// (entry, added by the user)
    pub words: Vec<(String, bool)>,
    /// Entries the user took out, joined for reading.
    pub removed: String,
    /// Where the topic comes from, when not built in.
    pub source: &'static str,
    pub open: bool,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
    /// What was typed in its "add" field (kept after an error).
    pub typed: String,
}

#[derive(Template)]
#[template(path = "topics.html")]
struct TopicsPage {
    chrome: Chrome,
    topics: Vec<TopicView>,
    /// A notice for the whole page (a topic that is gone).
    notice: Option<&'static str>,
    new_name: String,
    new_words: String,
    new_errors: FormErrors,
    /// Topics past the most the analysis counts.
    ignored: String,
}

/// What the page shows after a change: which topic, what was done.
#[derive(Default)]
struct Shown {
    topic: Option<String>,
    notice: Option<&'static str>,
    error: Option<String>,
    typed: String,
    new_name: String,
    new_words: String,
    new_errors: FormErrors,
}

fn page(inner: &mut Inner, lists: &TopicLists, shown: Shown, status: StatusCode) -> Response {
    let mut placed = false;
    let topics = lists
        .topics
        .iter()
        .enumerate()
        .map(|(index, t)| {
            let this = shown.topic.as_deref() == Some(t.topic.as_str());
            placed |= this;
            TopicView {
                index,
                key: t.topic.clone(),
                label: capitalize(&t.label),
                words: t
                    .words
                    .iter()
                    .map(|w| {
                        (
                            w.clone(),
                            t.added.contains(w) && t.source != TopicSource::Yours,
                        )
                    })
                    .collect(),
                removed: t.removed.join(", "),
                source: match t.source {
                    TopicSource::BuiltIn => "",
                    TopicSource::File => "From a word list file added to rekindle's own folder.",
                    TopicSource::Yours => "A topic you made.",
                },
                open: this,
                notice: if this { shown.notice } else { None },
                error: if this { shown.error.clone() } else { None },
                typed: if this {
                    shown.typed.clone()
                } else {
                    String::new()
                },
            }
        })
        .collect();
    render(
        status,
        &TopicsPage {
            chrome: Chrome::for_page(inner, "The words of each topic", "w"),
            topics,
            notice: if placed { None } else { shown.notice },
            new_name: shown.new_name,
            new_words: shown.new_words,
            new_errors: shown.new_errors,
            ignored: lists.ignored.join(", "),
        },
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[derive(Deserialize)]
pub struct DoneQuery {
    /// The topic changed (its place in the list) and what was done.
    saved: Option<usize>,
    did: Option<String>,
}

fn notice_for(did: Option<&str>) -> Option<&'static str> {
    Some(match did? {
        "added" => "Added. The post-mortem counts with them the next time you open it.",
        "removed" => "Removed. The post-mortem leaves them out the next time you open it.",
        "new" => "Your topic is made. The post-mortem counts it the next time you open it.",
        "gone" => "Removed. That topic had no words left, so it is gone.",
        _ => return None,
    })
}

pub async fn show(state: AppState, Query(q): Query<DoneQuery>) -> Response {
    let data_dir = state.data_dir().map(|d| d.path().to_path_buf());
    with_vault(&state, |inner| {
        let lists = topics::lists(inner.vault()?, data_dir.as_deref()).map_err(method_error)?;
        let shown = Shown {
            topic: q
                .saved
                .and_then(|i| lists.topics.get(i))
                .map(|t| t.topic.clone()),
            notice: notice_for(q.did.as_deref()),
            ..Shown::default()
        };
        Ok(page(inner, &lists, shown, StatusCode::OK))
    })
    .unwrap_or_else(|r| r)
}

/// After a change: back to the page, the topic open and in view.
fn done(lists: &TopicLists, topic: &str, did: &str) -> Response {
    match lists.topics.iter().position(|t| t.topic == topic) {
        Some(i) => Redirect::to(&format!("/w/words?saved={i}&did={did}#topic-{i}")).into_response(),
        None => Redirect::to("/w/words?did=gone").into_response(),
    }
}

/// A change refused: the page again, the message beside the form.
fn refused(
    inner: &mut Inner,
    data_dir: Option<&std::path::Path>,
    e: MethodError,
    shown: impl FnOnce(FormErrors) -> Shown,
) -> Result<Response, Response> {
    let MethodError::Form(errors) = e else {
        return Err(method_error(e));
    };
    let lists = topics::lists(inner.vault()?, data_dir).map_err(method_error)?;
    Ok(page(
        inner,
        &lists,
        shown(errors),
        StatusCode::UNPROCESSABLE_ENTITY,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddForm {
    topic: String,
    #[serde(default)]
    words: String,
}

pub async fn add(state: AppState, CsrfForm(form): CsrfForm<AddForm>) -> Response {
    let now = state.now();
    let data_dir = state.data_dir().map(|d| d.path().to_path_buf());
    with_vault(&state, |inner| {
        let result = topics::add_words(
            inner.vault()?,
            data_dir.as_deref(),
            &form.topic,
            std::slice::from_ref(&form.words),
            now,
        );
        match result {
            Ok(c) => Ok(done(&c.lists, &c.topic, "added")),
            Err(MethodError::Form(e)) if e.get("topic").is_some() => Err(super::not_found_page()),
            Err(e) => refused(inner, data_dir.as_deref(), e, |errors| Shown {
                topic: Some(form.topic.clone()),
                error: Some(format!("Nothing was added. {}", errors.summary())),
                typed: form.words.clone(),
                ..Shown::default()
            }),
        }
    })
    .unwrap_or_else(|r| r)
}

/// The ticked words of one topic (`topic`, then `word` once per box).
pub async fn remove(state: AppState, RawForm(pairs): RawForm) -> Response {
    let now = state.now();
    let data_dir = state.data_dir().map(|d| d.path().to_path_buf());
    let topic = pairs
        .iter()
        .find(|(k, _)| k == "topic")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let words: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "word")
        .map(|(_, v)| v.clone())
        .collect();
    with_vault(&state, |inner| {
        match topics::remove_words(inner.vault()?, data_dir.as_deref(), &topic, &words, now) {
            Ok(c) => Ok(done(&c.lists, &c.topic, "removed")),
            Err(MethodError::Form(e)) if e.get("topic").is_some() => Err(super::not_found_page()),
            Err(e) => refused(inner, data_dir.as_deref(), e, |errors| Shown {
                topic: Some(topic.clone()),
                error: Some(format!("Nothing was removed. {}", errors.summary())),
                ..Shown::default()
            }),
        }
    })
    .unwrap_or_else(|r| r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    words: String,
}

pub async fn new_topic(state: AppState, CsrfForm(form): CsrfForm<NewForm>) -> Response {
    let now = state.now();
    let data_dir = state.data_dir().map(|d| d.path().to_path_buf());
    with_vault(&state, |inner| {
        match topics::new_topic(
            inner.vault()?,
            data_dir.as_deref(),
            &form.name,
            std::slice::from_ref(&form.words),
            now,
        ) {
            Ok(c) => Ok(done(&c.lists, &c.topic, "new")),
            Err(e) => refused(inner, data_dir.as_deref(), e, |errors| Shown {
                new_name: form.name.clone(),
                new_words: form.words.clone(),
                new_errors: errors,
                ..Shown::default()
            }),
        }
    })
    .unwrap_or_else(|r| r)
}
