//! Taking things back (issue 17 item 3): the confirmation step before an
//! item is withdrawn, the "Withdrawn items" list with its undo, and the edit
//! pages of the items that had none (supporter, book, takeaway, trigger).

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::tz::TimeZone;
use rekindle_app::method::{self as m, MethodError};
use rekindle_app::retract::{self, Kind, Target, Withdrawn, WithdrawnRecord};
use rekindle_app::support;
use rekindle_core::FormErrors;
use rekindle_core::method::guard::{TriggerForm, TriggerKind};
use rekindle_core::support::{MyBookForm, ReadingStatus, Role, SupporterForm};
use serde::Deserialize;

use super::{Chrome, method_error, not_found_page, render, with_vault};
use crate::security::{CsrfForm, RawForm};
use crate::state::{AppState, Inner};

/// Where an item of `kind` is listed.
fn home_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Problem | Kind::Plan => "/p",
        Kind::Commitment => "/t",
        Kind::Trigger => "/g",
        Kind::Supporter => "/n",
        Kind::Book | Kind::Takeaway => "/l",
        Kind::Letter => "/x/letter",
    }
}

/// The name of that place, for "back to …" links.
fn home_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Problem | Kind::Plan => "your problems and plans",
        Kind::Commitment => "your record",
        Kind::Trigger => "Guard against repeats",
        Kind::Supporter => "your support network",
        Kind::Book | Kind::Takeaway => "your reading list",
        Kind::Letter => "your letter",
    }
}

/// The message a list page shows after `?saved=…`.
pub fn saved_message(saved: Option<&str>) -> Option<String> {
    saved.map(|s| match s {
        "edited" => {
            "Your changes are saved. The earlier version stays in your vault's history.".to_string()
        }
        _ => "Saved.".to_string(),
    })
}

fn target(kind: &str, id: &str) -> Option<Target> {
    Target::parse(kind, id)
}

#[derive(Template)]
#[template(path = "withdraw.html")]
struct ConfirmPage {
    chrome: Chrome,
    kind: Kind,
    title: String,
    action: String,
    back: &'static str,
}

/// "Withdraw this …?": what it changes, that nothing is deleted, and the undo.
pub async fn confirm(state: AppState, Path((kind, id)): Path<(String, String)>) -> Response {
    let Some(t) = target(&kind, &id) else {
        return not_found_page();
    };
    with_vault(&state, |inner| {
        let title = retract::title(inner.vault()?, &t).map_err(method_error)?;
        Ok(render(
            StatusCode::OK,
            &ConfirmPage {
                chrome: Chrome::for_page(inner, "Withdraw", ""),
                kind: t.kind,
                title,
                action: format!("/withdraw/{}/{}", t.kind.key(), t.id_text()),
                back: home_of(t.kind),
            },
        ))
    })
    .unwrap_or_else(|r| r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

pub async fn withdraw(
    state: AppState,
    Path((kind, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Response {
    let Some(t) = target(&kind, &id) else {
        return not_found_page();
    };
    let (today, now) = (state.today(), state.now());
    with_vault(&state, |inner| {
        retract::withdraw(inner.vault()?, &t, today, now).map_err(method_error)
    })
    .map(|done| {
        // A withdrawn commitment is found on the list by its place among the plan's.
        let id = match done.kind {
            Kind::Commitment => "last".to_string(),
            _ => done.id,
        };
        Redirect::to(&format!(
            "/withdrawn?done=withdrawn&kind={}&id={id}",
            done.kind.key()
        ))
        .into_response()
    })
    .unwrap_or_else(|r| r)
}

pub async fn restore(
    state: AppState,
    Path((kind, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Response {
    let Some(t) = target(&kind, &id) else {
        return not_found_page();
    };
    let now = state.now();
    let result = with_vault(&state, |inner| {
        Ok(retract::restore(inner.vault()?, &t, now))
    });
    match result {
        Ok(Ok(done)) => Redirect::to(&format!(
            "/withdrawn?done=restored&kind={}&title={}",
            done.kind.key(),
            urlencode(&done.title)
        ))
        .into_response(),
        Ok(Err(MethodError::Form(errors))) => with_vault(&state, |inner| {
            list_page(inner, None, errors, StatusCode::CONFLICT)
        })
        .unwrap_or_else(|r| r),
        Ok(Err(e)) => method_error(e),
        Err(r) => r,
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("t", s)])
        .map(|q| q.trim_start_matches("t=").to_string())
        .unwrap_or_default()
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
    kind: Option<String>,
    id: Option<String>,
    title: Option<String>,
}

/// What just happened, with the way on.
pub struct Notice {
    text: String,
    link: &'static str,
    link_text: &'static str,
}

#[derive(Template)]
#[template(path = "withdrawn.html")]
struct ListPage {
    chrome: Chrome,
    notice: Option<Notice>,
    errors: FormErrors,
    items: Vec<Withdrawn>,
    records: Vec<WithdrawnRecord>,
}

fn list_page(
    inner: &mut Inner,
    notice: Option<Notice>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, Response> {
    let tz = TimeZone::system();
    let vault = inner.vault()?;
    let items = retract::withdrawn(vault, &tz).map_err(method_error)?;
    let records = retract::withdrawn_records(vault, &tz).map_err(method_error)?;
    Ok(render(
        status,
        &ListPage {
            chrome: Chrome::for_page(inner, "Withdrawn items", "o"),
            notice,
            errors,
            items,
            records,
        },
    ))
}

pub async fn list(state: AppState, Query(q): Query<DoneQuery>) -> Response {
    with_vault(&state, |inner| {
        let kind = q.kind.as_deref().and_then(Kind::parse);
        let notice = match (q.done.as_deref(), kind) {
            (Some("withdrawn"), Some(kind)) => {
                let items = retract::withdrawn(inner.vault()?, &TimeZone::system())
                    .map_err(method_error)?;
                let title = items
                    .iter()
                    .filter(|w| w.kind == kind)
                    .find(|w| {
                        q.id.as_deref() == Some(w.id.as_str())
                            || (q.id.as_deref() == Some("last") && kind == Kind::Commitment)
                    })
                    .map(|w| w.title.clone())
                    .unwrap_or_default();
                Some(Notice {
                    text: format!(
                        "Withdrawn: “{title}”. It no longer counts in your progress, record or reports, and nothing was deleted. Changed your mind? Bring it back below."
                    ),
                    link: home_of(kind),
                    link_text: home_name(kind),
                })
            }
            (Some("restored"), Some(kind)) => Some(Notice {
                text: format!(
                    "“{}” is back, just as it was.",
                    q.title.as_deref().unwrap_or("")
                ),
                link: home_of(kind),
                link_text: home_name(kind),
            }),
            _ => None,
        };
        list_page(inner, notice, FormErrors::default(), StatusCode::OK)
    })
    .unwrap_or_else(|r| r)
}

// ----- editing the items that had no edit page -----

/// One field of the edit form.
pub struct Field {
    name: &'static str,
    label: &'static str,
    value: String,
    /// Choices for a select; empty for a text field.
    options: Vec<(&'static str, &'static str)>,
    long: bool,
    optional: bool,
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    chrome: Chrome,
    heading: String,
    action: String,
    back: &'static str,
    back_name: &'static str,
    fields: Vec<Field>,
    errors: FormErrors,
}

fn text(name: &'static str, label: &'static str, value: &str) -> Field {
    Field {
        name,
        label,
        value: value.to_string(),
        options: Vec::new(),
        long: false,
        optional: false,
    }
}

fn choice(
    name: &'static str,
    label: &'static str,
    value: &str,
    options: Vec<(&'static str, &'static str)>,
) -> Field {
    Field {
        options,
        ..text(name, label, value)
    }
}

fn supporter_fields(f: &SupporterForm) -> Vec<Field> {
    vec![
        text("name", "Name", &f.name),
        choice(
            "role",
            "Who they are to you",
            &f.role,
            Role::ALL.iter().map(|r| (r.key(), r.label())).collect(),
        ),
        Field {
            optional: true,
            ..text("contact", "How to reach them", &f.contact)
        },
        text("helps_with", "What they help with", &f.helps_with),
    ]
}

fn book_fields(f: &MyBookForm) -> Vec<Field> {
    vec![
        text("title", "Title", &f.title),
        Field {
            optional: true,
            ..text("author", "Author", &f.author)
        },
        choice(
            "status",
            "Reading status",
            &f.status,
            ReadingStatus::ALL
                .iter()
                .map(|s| (s.key(), s.label()))
                .collect(),
        ),
    ]
}

fn takeaway_fields(value: &str) -> Vec<Field> {
    vec![Field {
        long: true,
        ..text("takeaway", "The takeaway", value)
    }]
}

fn trigger_fields(f: &TriggerForm) -> Vec<Field> {
    vec![
        choice(
            "kind",
            "What kind",
            &f.kind,
            TriggerKind::ALL
                .iter()
                .map(|k| (k.key(), k.label()))
                .collect(),
        ),
        text("description", "The trigger", &f.description),
        Field {
            long: true,
            ..text("coping", "How you will avoid it or cope", &f.coping)
        },
    ]
}

/// Where the items with their own edit page are edited.
fn own_edit_page(store: &dyn rekindle_store::Store, t: &Target) -> Option<String> {
    match t.kind {
        Kind::Problem => Some(format!("/p/{}", t.id)),
        Kind::Plan | Kind::Commitment => m::problems(store)
            .ok()?
            .into_iter()
            .find(|p| p.plan_id == Some(t.id))
            .map(|p| format!("/p/{}/plan", p.id)),
        Kind::Letter => Some("/x/letter".to_string()),
        _ => None,
    }
}

fn edit_page(
    inner: &mut Inner,
    t: &Target,
    fields: Vec<Field>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, Response> {
    let title = retract::title(inner.vault()?, t).map_err(method_error)?;
    Ok(render(
        status,
        &EditPage {
            chrome: Chrome::for_page(inner, "Edit", ""),
            heading: format!("Edit the {}: {title}", t.kind.label()),
            action: format!("/edit/{}/{}", t.kind.key(), t.id_text()),
            back: home_of(t.kind),
            back_name: home_name(t.kind),
            fields,
            errors,
        },
    ))
}

pub async fn show_edit(state: AppState, Path((kind, id)): Path<(String, String)>) -> Response {
    let Some(t) = target(&kind, &id) else {
        return not_found_page();
    };
    with_vault(&state, |inner| {
        let vault = inner.vault()?;
        if let Some(to) = own_edit_page(vault, &t) {
            return Ok(Redirect::to(&to).into_response());
        }
        let fields = match t.kind {
            Kind::Supporter => supporter_fields(&SupporterForm::from_supporter(
                &support::supporter(vault, t.id).map_err(method_error)?,
            )),
            Kind::Book => book_fields(&MyBookForm::from_book(
                &support::book(vault, t.id).map_err(method_error)?,
            )),
            Kind::Takeaway => {
                let index =
                    t.n.and_then(|n| n.checked_sub(1))
                        .ok_or_else(not_found_page)?;
                takeaway_fields(&support::takeaway(vault, t.id, index).map_err(method_error)?)
            }
            Kind::Trigger => trigger_fields(&TriggerForm::from_trigger(
                &m::trigger(vault, t.id).map_err(method_error)?,
            )),
            _ => return Err(not_found_page()),
        };
        edit_page(inner, &t, fields, FormErrors::default(), StatusCode::OK)
    })
    .unwrap_or_else(|r| r)
}

pub async fn save_edit(
    state: AppState,
    Path((kind, id)): Path<(String, String)>,
    RawForm(pairs): RawForm,
) -> Response {
    let Some(t) = target(&kind, &id) else {
        return not_found_page();
    };
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let now = state.now();
    with_vault(&state, |inner| {
        let vault = inner.vault()?;
        let (result, fields) = match t.kind {
            Kind::Supporter => {
                let f = SupporterForm {
                    name: get("name"),
                    role: get("role"),
                    contact: get("contact"),
                    helps_with: get("helps_with"),
                };
                (
                    support::update_supporter(vault, t.id, &f, now),
                    supporter_fields(&f),
                )
            }
            Kind::Book => {
                let f = MyBookForm {
                    title: get("title"),
                    author: get("author"),
                    status: get("status"),
                };
                (support::update_book(vault, t.id, &f, now), book_fields(&f))
            }
            Kind::Takeaway => {
                let text = get("takeaway");
                let index =
                    t.n.and_then(|n| n.checked_sub(1))
                        .ok_or_else(not_found_page)?;
                (
                    support::edit_takeaway(vault, t.id, index, &text, now),
                    takeaway_fields(&text),
                )
            }
            Kind::Trigger => {
                let f = TriggerForm {
                    kind: get("kind"),
                    description: get("description"),
                    coping: get("coping"),
                };
                (
                    m::update_trigger(vault, t.id, &f, now).map(|_| ()),
                    trigger_fields(&f),
                )
            }
            _ => return Err(not_found_page()),
        };
        match result {
            Ok(()) => {
                Ok(Redirect::to(&format!("{}?saved=edited", home_of(t.kind))).into_response())
            }
            Err(MethodError::Form(errors)) => {
                edit_page(inner, &t, fields, errors, StatusCode::UNPROCESSABLE_ENTITY)
            }
            Err(e) => Err(method_error(e)),
        }
    })
    .unwrap_or_else(|r| r)
}
