//! Progress bars and spinners for work that can take over a second. They
//! draw on standard error only when it is a terminal: a script or a pipe
//! gets no bar, no carriage returns and no escape codes.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether bars may be drawn: standard error is a terminal, and the command
/// does not write machine output (JSON) that a bar could get mixed into.
fn shown(json: bool) -> bool {
    !json && std::io::stderr().is_terminal()
}

/// A bar over `what` ("messages"); its length is set as the work learns it.
pub fn bar(message: &'static str, what: &str, json: bool) -> ProgressBar {
    if !shown(json) {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(&format!(
        "{{msg}} [{{bar:30}}] {{pos}}/{{len}} {what} ({{eta}} left)"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    let bar =
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr()).with_style(style);
    bar.set_message(message);
    bar
}

/// A spinner for work whose length is unknown; it ticks on its own until
/// finished. Call `finish_and_clear` when the work is done.
pub fn spinner(message: &'static str, json: bool) -> ProgressBar {
    if !shown(json) {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        .with_style(ProgressStyle::default_spinner())
        .with_message(message);
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}

/// Runs `work` under a spinner, clearing it whatever the outcome.
pub fn with_spinner<T>(message: &'static str, json: bool, work: impl FnOnce() -> T) -> T {
    let spinner = spinner(message, json);
    let out = work();
    spinner.finish_and_clear();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_output_never_gets_a_bar() {
        assert!(bar("Importing", "messages", true).is_hidden());
        assert!(spinner("Exporting", true).is_hidden());
        assert_eq!(with_spinner("Working", true, || 7), 7);
    }

    #[test]
    fn no_bar_when_standard_error_is_not_a_terminal() {
        // Under `cargo test` standard error is captured or piped, or it is a
        // terminal; either way the bar follows what it is.
        let terminal = std::io::stderr().is_terminal();
        assert_eq!(bar("Importing", "messages", false).is_hidden(), !terminal);
        let s = spinner("Exporting", false);
        assert_eq!(s.is_hidden(), !terminal);
        s.finish_and_clear();
    }
}
