//! The method (SPEC §1a, §2–§5): problems, the plan for each, commitments,
//! check-ins and the honest track record built from them.

pub mod checkin;
pub mod guard;
pub mod outlook;
pub mod plan;
pub mod problem;
pub mod readiness;
pub mod record;
pub mod reminders;
