//! Step 3's honest outlook: what the record, the readiness answers, their
//! own words and boundaries, the safety answers and the post-mortem
//! suggest, each point with the page it comes from. No rule lives here:
//! `rekindle_core::method::outlook` decides, `rekindle_app::outlook` gathers.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::tz::TimeZone;
use rekindle_core::method::outlook::{Factor, Group, Outlook, OwnReason};

use super::{Chrome, method_error, render, with_vault};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "outlook.html")]
struct OutlookPage {
    chrome: Chrome,
    outlook: Outlook,
    /// (heading, its factors), only headings with factors.
    groups: Vec<(&'static str, Vec<Factor>)>,
    /// Where to go for help when only the person's own recovery is spoken about.
    help: Option<(&'static str, &'static str)>,
}

pub async fn page(state: AppState) -> Response {
    let today = state.today();
    let data_dir = state.data_dir().map(|d| d.path().to_path_buf());
    with_vault(&state, |inner| {
        // The chat's post-mortem only when it is already at hand: analysing
        // a long history takes seconds, and this page must open at once.
        let kept = super::postmortem::kept_analysis(inner, data_dir.as_deref())?;
        let outlook = rekindle_app::outlook::gather(
            inner.vault()?,
            &TimeZone::system(),
            today,
            kept.as_ref().map(|k| &k.analysis),
        )
        .map_err(method_error)?;
        let groups = Group::ALL
            .iter()
            .map(|g| (g.label(), outlook.in_group(*g).cloned().collect::<Vec<_>>()))
            .filter(|(_, f)| !f.is_empty())
            .collect();
        let help = outlook.reason.map(|r| match r {
            OwnReason::TheirNo => ("/h/no", "Your recovery track"),
            OwnReason::SafetyToMe | OwnReason::SafetyFromMe => ("/h/safe", "Help and safety"),
        });
        Ok(render(
            StatusCode::OK,
            &OutlookPage {
                chrome: Chrome::for_page(inner, "The honest outlook", "s"),
                outlook,
                groups,
                help,
            },
        ))
    })
    .unwrap_or_else(|r| r)
}
