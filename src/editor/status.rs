//! The status line: warnings first (each counter's warning clears itself a few seconds after
//! the counter last grew), else the last action, else what capture is doing. GUI thread.

use std::sync::atomic::Ordering;

use super::EditorState;

/// How long a counter's warning stays after the counter last grew.
pub const COUNTER_WARNING_SECONDS: f64 = 5.0;

/// Warnings from counters that only grow (refused commands, dropped events): each shows for
/// [`COUNTER_WARNING_SECONDS`] after its counter last grew, then clears itself, so an old event
/// can never hide a later warning. GUI thread.
#[derive(Debug, Default)]
pub(super) struct CounterWarnings {
    /// Refused commands: (count last seen, seconds it last grew at).
    refused: (u64, Option<f64>),
    /// Dropped events: (count last seen, seconds it last grew at).
    dropped: (u64, Option<f64>),
    /// The clock of the last update, seconds since the editor state was made.
    now_seconds: f64,
}

impl CounterWarnings {
    pub(super) fn update(&mut self, now_seconds: f64, refused: u64, dropped: u64) {
        self.now_seconds = now_seconds;
        for (seen, count) in [(&mut self.refused, refused), (&mut self.dropped, dropped)] {
            if count > seen.0 {
                *seen = (count, Some(now_seconds));
            }
        }
    }

    /// The count by which the counter grew recently, if it did.
    fn recent(&self, counter: &(u64, Option<f64>)) -> Option<u64> {
        let grew_at = counter.1?;
        (self.now_seconds - grew_at < COUNTER_WARNING_SECONDS).then_some(counter.0)
    }
}

impl EditorState {
    /// The status line: every current warning first (joined), else the last action, else what
    /// capture is doing. Warnings clear themselves once their cause is gone.
    pub fn status_line(&self) -> String {
        let readouts = &self.shared.readouts;
        let mut warnings = Vec::new();
        if let Some(refused) = self.warnings.recent(&self.warnings.refused) {
            warnings.push(format!(
                "the command queue was full — {refused} action(s) were not applied; try again"
            ));
        }
        let report = self.params.library.0.load_report();
        if !report.is_clean() {
            warnings.push(format!(
                "the saved state was old, newer or damaged ({}) — what could be read was kept",
                report.summary()
            ));
        }
        if self.snapshot.motif.truncated {
            warnings
                .push("the motif was longer than 256 notes or 256 bars and was cut".to_string());
        }
        if let Some(dropped) = self.warnings.recent(&self.warnings.dropped) {
            warnings.push(format!(
                "{dropped} output event(s) were dropped because a buffer was full"
            ));
        }
        if !warnings.is_empty() {
            return format!("Warning: {}.", warnings.join("; "));
        }
        if let Some(message) = &self.message {
            return message.clone();
        }
        if readouts.listening.load(Ordering::Relaxed) {
            match readouts.phrase_notes.load(Ordering::Relaxed) {
                0 => "Listening — play a phrase.".into(),
                n => format!("Listening — captured {n} notes so far."),
            }
        } else {
            "Capture is off.".into()
        }
    }
}
