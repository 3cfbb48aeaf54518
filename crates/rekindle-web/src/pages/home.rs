use askama::Template;

use axum::http::StatusCode;
use axum::response::Response;
use rekindle_app::progress::{DueCheckIn, Progress};
use rekindle_core::steps::{Availability, STEPS};

use super::{Chrome, method_error, render, store_error, with_vault};
use crate::state::AppState;

pub struct StepView {
    pub number: u8,
    pub title: &'static str,
    pub question: &'static str,
    pub path: &'static str,
    pub ready: bool,
    /// How far this step has come, in plain words.
    pub status: String,
    /// The step to take next: marked on the page.
    pub next: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    name: String,
    /// Nothing written down yet: welcomed as a first visit.
    first_visit: bool,
    /// Check-ins still to do today (or this week): shown first.
    due: Vec<DueCheckIn>,
    steps: Vec<StepView>,
    /// One of the steps is marked as the next.
    has_next: bool,
    /// A safety message shown above everything, when there is one.
    banner: Option<(String, &'static str, &'static str)>,
}

/// "1 problem", "3 problems".
fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// What a step holds so far, said plainly; the words never grade the person.
fn step_status(number: u8, p: &Progress) -> String {
    match number {
        1 if p.is_empty() => "Start here: describe the relationship and how it ended.".into(),
        1 => [
            if p.relationship {
                "The relationship is written down".to_string()
            } else {
                "The relationship is not written down yet".to_string()
            },
            count(p.chats, "chat imported", "chats imported"),
            count(p.problems, "problem named", "problems named"),
        ]
        .join(" · "),
        2 if p.problems == 0 => {
            "Once you have named a problem, plan your answer to it here.".into()
        }
        2 if p.answered == p.problems => format!(
            "Every problem has a plan ({}).",
            count(p.problems, "problem", "problems")
        ),
        2 => format!(
            "{} of {} have a plan; the others are waiting for your answer.",
            p.answered,
            count(p.problems, "problem", "problems")
        ),
        3 if p.commitments == 0 => "Asked once a plan has a commitment.".into(),
        3 => format!(
            "Readiness answered for {} of {}. {}",
            p.readiness_answered,
            count(p.commitments, "commitment", "commitments"),
            match p.last_self_check {
                Some(d) => format!("Commitment questions last answered on {d}."),
                None => "Commitment questions not answered yet.".into(),
            }
        ),
        4 if p.commitments == 0 => "Your record starts with your first commitment.".into(),
        4 => format!(
            "{} {}.",
            if p.due.is_empty() {
                "Today's check-ins are done.".to_string()
            } else {
                format!("{} to do now.", count(p.due.len(), "check-in", "check-ins"))
            },
            count(p.checkins, "check-in recorded", "check-ins recorded"),
        ),
        5 => {
            let triggers = if p.triggers == 0 {
                "No triggers named yet.".to_string()
            } else {
                format!("{}.", count(p.triggers, "trigger named", "triggers named"))
            };
            match p.last_audit {
                Some(d) => format!("{triggers} Drinking check done on {d}."),
                None => triggers,
            }
        }
        6 if p.supporters == 0 => "No one added yet.".into(),
        6 => format!(
            "{} in your support network.",
            count(p.supporters, "person", "people")
        ),
        7 if p.books == 0 => "No books on your list yet.".into(),
        7 => format!(
            "{} on your list · {}.",
            count(p.books, "book", "books"),
            count(p.takeaways, "takeaway", "takeaways")
        ),
        8 if p.shares == 0 && !p.letter => "Nothing shared yet: only ever when you choose.".into(),
        8 => {
            let mut parts = Vec::new();
            if p.shares > 0 {
                parts.push(count(p.shares, "share link made", "share links made"));
            }
            if p.letter {
                parts.push("a letter draft saved".to_string());
            }
            let mut s = parts.join(" · ");
            if let Some(first) = s.get(..1) {
                s = format!("{}{}.", first.to_uppercase(), &s[1..]);
            }
            s
        }
        _ => String::new(),
    }
}

/// The step to suggest next: the first one with nothing (or not enough) in it.
fn next_step(p: &Progress) -> Option<u8> {
    if p.is_empty() || p.problems == 0 {
        Some(1)
    } else if p.answered < p.problems {
        Some(2)
    } else if !p.due.is_empty() {
        Some(4)
    } else {
        None
    }
}

pub async fn home(state: AppState) -> Response {
    let today = state.today();
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
            Err(r @ rekindle_core::safety::Refusal::DangerInChat { .. }) => Some((r.explain(), "/h/safe", "Answer it")),
            Err(r) => Some((r.explain(), "/h/no", "Your recovery track")),
        };
        let progress =
            rekindle_app::progress::progress(inner.vault()?, today).map_err(method_error)?;
        let next = next_step(&progress);
        let steps = STEPS
            .iter()
            .map(|s| StepView {
                number: s.number,
                title: s.title,
                question: s.question,
                path: s.path,
                ready: s.availability == Availability::Ready,
                status: step_status(s.number, &progress),
                next: next == Some(s.number),
            })
            .collect();
        Ok(HomePage {
            chrome: Chrome::for_page(inner, "Home", "home"),
            name: rel.map(|r| r.my_name).unwrap_or_default(),
            first_visit: progress.is_empty(),
            due: progress.due,
            steps,
            has_next: next.is_some(),
            banner,
        })
    });
    match result {
        Ok(page) => render(StatusCode::OK, &page),
        Err(r) => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_says_where_it_stands_and_a_new_vault_starts_at_step_1() {
        let empty = Progress::default();
        assert_eq!(next_step(&empty), Some(1));
        for n in 1..=8 {
            assert!(!step_status(n, &empty).is_empty(), "step {n} says nothing");
        }
        assert!(step_status(1, &empty).starts_with("Start here"));

        let p = Progress {
            relationship: true,
            chats: 1,
            problems: 3,
            answered: 1,
            commitments: 1,
            readiness_answered: 1,
            checkins: 12,
            due: vec![DueCheckIn {
                plan_id: 2,
                title: "No alcohol".into(),
            }],
            triggers: 2,
            supporters: 1,
            books: 2,
            takeaways: 1,
            shares: 1,
            letter: true,
            ..Progress::default()
        };
        assert_eq!(next_step(&p), Some(2));
        assert_eq!(
            step_status(1, &p),
            "The relationship is written down · 1 chat imported · 3 problems named"
        );
        assert_eq!(
            step_status(2, &p),
            "1 of 3 problems have a plan; the others are waiting for your answer."
        );
        assert!(step_status(3, &p).contains("not answered yet"));
        assert_eq!(
            step_status(4, &p),
            "1 check-in to do now. 12 check-ins recorded."
        );
        assert_eq!(step_status(5, &p), "2 triggers named.");
        assert_eq!(step_status(6, &p), "1 person in your support network.");
        assert_eq!(step_status(7, &p), "2 books on your list · 1 takeaway.");
        assert_eq!(
            step_status(8, &p),
            "1 share link made · a letter draft saved."
        );
        let planned = Progress { answered: 3, ..p };
        assert_eq!(next_step(&planned), Some(4), "the check-in is next");
    }

    #[test]
    fn step_names_are_the_menu_s_names() {
        let menu = include_str!("../../templates/nav_links.html");
        for s in STEPS {
            let as_link = format!(">{}</a>", s.title);
            let as_group = format!("aria-label=\"{}\"", s.title);
            assert!(
                menu.contains(&as_link) || menu.contains(&as_group),
                "step {} \"{}\" is not a name in the menu",
                s.number,
                s.title
            );
        }
    }
}
