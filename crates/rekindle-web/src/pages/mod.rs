//! Page handlers: translate between HTTP and the core/store calls.

pub mod account;
pub mod chats;
pub mod data;
pub mod exit;
pub mod guard;
pub mod help;
pub mod home;
pub mod letter;
pub mod method;
pub mod outlook;
pub mod postmortem;
pub mod relationship;
pub mod report;
pub mod retract;
pub mod settings;
pub mod support;
pub mod topics;
pub mod unlock;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use rekindle_store::StoreError;

use crate::state::{AppState, Inner};

/// What every page's frame needs: its title, the form token, the mode.
pub struct Chrome {
    pub title: String,
    pub csrf: String,
    pub signed_in: bool,
    pub discreet: bool,
    /// The larger-text setting: a class on <html>.
    pub large_text: bool,
    pub section: &'static str,
    /// Words of self-harm or danger were just typed: the crisis card first.
    pub crisis: bool,
    /// Hosted mode, signed in: the menu links to the account page.
    pub account: bool,
    /// Where the notes are kept, for the footer: `Some(true)` on a hosted
    /// server, `Some(false)` on this computer, `None` when the page cannot
    /// tell (an error page before any session): then the footer says neither.
    pub hosted: Option<bool>,
    /// Local mode with the vault open: minutes without a request after which
    /// the server locks it (the page hides itself then, app.js), and the
    /// "Lock now" button shows.
    pub lock_after: Option<u32>,
}

impl Chrome {
    pub fn for_page(inner: &Inner, real_title: &str, section: &'static str) -> Chrome {
        Chrome {
            title: if inner.discreet {
                rekindle_core::settings::DISCREET_TITLE.to_string()
            } else {
                format!("{real_title} · rekindle")
            },
            csrf: inner
                .session
                .as_ref()
                .map(|s| s.csrf.clone())
                .unwrap_or_default(),
            signed_in: inner.session.is_some(),
            discreet: inner.discreet,
            large_text: inner.large_text,
            section,
            crisis: inner.crisis_pending.take(),
            account: inner.account.is_some(),
            hosted: Some(inner.account.is_some()),
            lock_after: (inner.account.is_none()
                && inner.session.is_some()
                && inner.vault.is_some())
            .then_some(if inner.idle_minutes == 0 {
                rekindle_core::settings::DEFAULT_IDLE_MINUTES
            } else {
                inner.idle_minutes
            }),
        }
    }

    /// For pages shown without a session (errors): neutral title, no forms.
    pub fn anonymous(title: &str) -> Chrome {
        Chrome {
            title: title.to_string(),
            csrf: String::new(),
            signed_in: false,
            discreet: true,
            large_text: false,
            section: "",
            crisis: false,
            account: false,
            hosted: None,
            lock_after: None,
        }
    }

    /// A public page (help, limits) seen without a session: it still knows
    /// whether this is a hosted server or this computer.
    pub fn public(state: &AppState, title: &str) -> Chrome {
        Chrome {
            hosted: Some(state.hosted_mode().is_some()),
            ..Chrome::anonymous(title)
        }
    }

    /// The sign-in and sign-up pages of a hosted server.
    pub fn hosted_anonymous(title: &str) -> Chrome {
        Chrome {
            hosted: Some(true),
            ..Chrome::anonymous(title)
        }
    }
}

pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => {
            tracing::error!(event = "template_failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong.").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    chrome: Chrome,
    heading: &'a str,
    text: &'a str,
}

/// A short page with a heading and one paragraph, for errors and notices.
/// Its title is neutral: it may be shown to someone who is not signed in.
pub fn plain_page(status: StatusCode, heading: &str, text: &str) -> Response {
    render(
        status,
        &MessagePage {
            chrome: Chrome::anonymous("Notes"),
            heading,
            text,
        },
    )
}

pub async fn not_found() -> Response {
    not_found_page()
}

pub fn not_found_page() -> Response {
    plain_page(
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is nothing at this address. Use the menu to find your way back.",
    )
}

/// A use case's failure as a page: storage failures explained, anything else
/// (not found, refused, a form error where none is expected) as not found.
pub fn method_error(e: rekindle_app::method::MethodError) -> Response {
    match e {
        rekindle_app::method::MethodError::Store(s) => store_error(&s),
        _ => not_found_page(),
    }
}

/// Turns a storage failure into a page that says what happened and that
/// nothing was lost; the details stay out of the page.
pub fn store_error(e: &StoreError) -> Response {
    tracing::error!(event = "store_error", kind = ?std::mem::discriminant(e));
    match e {
        StoreError::DiskFull => plain_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "The disk is full",
            "Nothing was saved. Free some space on this computer, then go back and save again.",
        ),
        _ => plain_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong while saving or reading",
            "Your earlier data is safe. Please try again; if it keeps happening, restart rekindle.",
        ),
    }
}

impl Inner {
    /// The open vault; a locked one answers with the unlock redirect.
    pub fn vault(&mut self) -> Result<&mut (dyn rekindle_store::Store + Send + 'static), Response> {
        self.vault
            .as_deref_mut()
            .ok_or_else(|| axum::response::Redirect::to("/u").into_response())
    }
}

/// Runs `f` with the unlocked vault, or answers with the unlock redirect.
pub fn with_vault<R>(
    state: &AppState,
    f: impl FnOnce(&mut Inner) -> Result<R, Response>,
) -> Result<R, Response> {
    let mut inner = state.lock();
    if inner.vault.is_none() {
        return Err(axum::response::Redirect::to("/u").into_response());
    }
    f(&mut inner)
}
