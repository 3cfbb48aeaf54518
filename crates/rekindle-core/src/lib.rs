//! rekindle-core: the method's rules as pure data and functions.
//!
//! Nothing in this crate reads the clock, the disk or the network: callers pass
//! "today" and other facts in, which keeps every rule testable and fuzzable.

pub mod crisis;
pub mod crisis_learned;
pub mod form;
pub mod helplines;
pub mod letter;
pub mod method;
pub mod passphrase;
pub mod relationship;
pub mod safety;
pub mod settings;
pub mod steps;
pub mod support;

pub use form::{FieldError, FormErrors};
