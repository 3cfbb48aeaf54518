//! rekindle-app: the use cases both shells share. Each one joins a pure
//! engine (rekindle-chat, rekindle-core) to the store; neither shell holds
//! any of this logic.

pub mod backup;
pub mod boundaries;
pub mod crisis;
pub mod danger;
pub mod export_reader;
pub mod import;
pub mod letter;
pub mod method;
pub mod outlook;
pub mod postmortem;
pub mod progress;
pub mod redact;
pub mod relationship;
pub mod report;
pub mod retract;
pub mod safety;
pub mod seal;
pub mod share;
pub mod support;
pub mod topics;
