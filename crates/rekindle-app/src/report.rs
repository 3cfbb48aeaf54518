//! The progress report: exactly the sections the person picks. Check-in
//! notes (the private journal), chat messages, the ex's words and the safety
//! answers never leave in a report, a sealed file or a share link
//! (security.md item 33).

use jiff::civil::Date;
use rekindle_core::method::checkin::Outcome;
use rekindle_core::method::plan::Plan;
use rekindle_core::method::problem::Problem;
use rekindle_core::method::record::RateWindow;
use rekindle_store::Store;
use serde::Serialize;

use crate::method::{self, MethodError};

/// The sections a report can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sections {
    pub wrong: bool,
    pub changed: bool,
    pub record: bool,
    pub confirmations: bool,
}

impl Sections {
    pub fn from_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Sections {
        let mut s = Sections {
            wrong: false,
            changed: false,
            record: false,
            confirmations: false,
        };
        for k in keys {
            match k {
                "wrong" => s.wrong = true,
                "changed" => s.changed = true,
                "record" => s.record = true,
                "confirmations" => s.confirmations = true,
                _ => {}
            }
        }
        s
    }

    pub fn any(&self) -> bool {
        self.wrong || self.changed || self.record || self.confirmations
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportProblem {
    pub problem: Problem,
    pub plan: Option<Plan>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportCommitment {
    pub title: String,
    pub start: Date,
    pub current_streak: u32,
    pub longest_streak: u32,
    pub kept: u32,
    pub lapsed: u32,
    pub missed: u32,
    pub windows: Vec<RateWindow>,
    pub weekly: bool,
    /// Every lapse, with its date: a record without its lapses is not honest.
    pub lapses: Vec<Date>,
    /// Days whose check-in was written down later than the day after: shown,
    /// marked "added later", and not part of the record that outreach counts.
    pub added_later: Vec<Date>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportConfirmation {
    pub on: Date,
    pub by: String,
    pub milestone: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub made_on: Date,
    /// Milestones confirmed by allies through a share link, as they wrote them.
    pub confirmations: Vec<ReportConfirmation>,
    pub sections: Sections,
    pub my_view: Option<String>,
    pub problems: Vec<ReportProblem>,
    pub commitments: Vec<ReportCommitment>,
    /// The safety lock is on or they said no: the report is for the user's own
    /// helpers only, and says so.
    pub for_helpers_only: bool,
}

pub fn build(store: &dyn Store, sections: Sections, today: Date) -> Result<Report, MethodError> {
    let my_view = if sections.wrong {
        store
            .relationship()?
            .map(|r| r.my_view)
            .filter(|v| !v.is_empty())
    } else {
        None
    };
    let problems = if sections.wrong || sections.changed {
        method::problems(store)?
            .into_iter()
            .map(|p| ReportProblem {
                problem: p.problem,
                plan: p.plan,
            })
            .collect()
    } else {
        Vec::new()
    };
    let commitments = if sections.record {
        method::commitments(store, today)?
            .into_iter()
            .map(|c| ReportCommitment {
                title: c.commitment.title.clone(),
                start: c.commitment.start,
                current_streak: c.summary.current_streak,
                longest_streak: c.summary.longest_streak,
                kept: c.summary.kept,
                lapsed: c.summary.lapsed,
                missed: c.summary.missed,
                windows: c.summary.windows.clone(),
                weekly: c.summary.weekly,
                lapses: c
                    .checkins
                    .values()
                    .filter(|x| x.outcome == Outcome::Lapsed)
                    .map(|x| x.day)
                    .collect(),
                added_later: c
                    .checkins
                    .values()
                    .filter(|x| !x.counts_as_recorded())
                    .map(|x| x.day)
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let confirmations = if sections.confirmations {
        let tz = jiff::tz::TimeZone::system();
        crate::share::confirmations(store)?
            .into_iter()
            .map(|c| ReportConfirmation {
                on: c.at.to_zoned_datetime(tz.clone()).date(),
                by: c.by,
                milestone: c.milestone,
                note: c.note,
            })
            .collect()
    } else {
        Vec::new()
    };
    let facts = crate::safety::facts(store, &jiff::tz::TimeZone::system())?;
    let for_helpers_only =
        rekindle_core::safety::safety_lock(&facts).is_some() || facts.ex_no.is_some();
    Ok(Report {
        for_helpers_only,
        made_on: today,
        confirmations,
        sections,
        my_view,
        problems,
        commitments,
    })
}
