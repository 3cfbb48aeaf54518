use askama::Template;

use axum::http::StatusCode;
use axum::response::Response;
use rekindle_core::steps::{Availability, STEPS};

use super::{Chrome, render, store_error, with_vault};
use crate::state::AppState;

pub struct StepView {
    pub number: u8,
    pub title: &'static str,
    pub question: &'static str,
    pub path: &'static str,
    pub ready: bool,
    pub status: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    name: String,
    steps: Vec<StepView>,
    /// A safety message shown above everything, when there is one.
    banner: Option<(String, &'static str, &'static str)>,
}

pub async fn home(state: AppState) -> Response {
    let result = with_vault(&state, |inner| {
        let rel = inner.vault()?.relationship().map_err(|e| store_error(&e))?;
        let facts = rekindle_app::safety::facts(inner.vault()?, &jiff::tz::TimeZone::system())
            .map_err(|e| match e {
                rekindle_app::method::MethodError::Store(s) => store_error(&s),
                _ => store_error(&rekindle_store::StoreError::Corrupt),
            })?;
        let banner = match rekindle_core::safety::reconciliation_allowed(&facts) {
            Ok(()) => None,
            Err(rekindle_core::safety::Refusal::ScreenNeeded) => Some((
                "Before anything else: a few safety questions, in both directions. They take a minute.".to_string(),
                "/h/screen",
                "Answer the safety questions",
            )),
            Err(r @ rekindle_core::safety::Refusal::SafetyLock { .. }) => Some((r.explain(), "/h/safe", "Help and safety")),
            Err(r) => Some((r.explain(), "/h/no", "Your recovery track")),
        };
        let steps = STEPS
            .iter()
            .map(|s| StepView {
                number: s.number,
                title: s.title,
                question: s.question,
                path: s.path,
                ready: s.availability == Availability::Ready,
                status: match (s.number, &rel) {
                    (1, Some(_)) => {
                        "You have written about the relationship. You can add to it any time."
                            .into()
                    }
                    (1, None) => "Start here: describe the relationship and how it ended.".into(),
                    _ => String::new(),
                },
            })
            .collect();
        Ok(HomePage {
            chrome: Chrome::for_page(inner, "Home", "home"),
            name: rel.map(|r| r.my_name).unwrap_or_default(),
            steps,
            banner,
        })
    });
    match result {
        Ok(page) => render(StatusCode::OK, &page),
        Err(r) => r,
    }
}
