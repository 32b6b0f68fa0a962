//! CC64 sustain pedalling: re-pedal at every bar line (up just before, down just after), so
//! harmonies do not smear across bars; every pedal-down is lifted before the rendering ends.

use crate::engine::event::CC_SUSTAIN;
use crate::engine::rendering::{bar_count, CcPoint, Rendering};

/// How far before a bar line the pedal comes up, and after it goes down, in beats.
pub const REPEDAL_GAP_BEATS: f64 = 0.05;

/// Writes pedal changes on `channel`: down just after the first onset, up-then-down around each
/// bar line inside the notes' span, up at the last note end.
pub fn repedal(rendering: &mut Rendering, channel: u8, bar_length_beats: f64) {
    let Some(first) = rendering.first_onset_beats() else {
        return;
    };
    let last_end = rendering.notes_end_beats();
    let point = |beats: f64, down: bool| CcPoint {
        lead_seconds: 0.0,
        beats,
        channel,
        cc: CC_SUSTAIN,
        value: if down { 1.0 } else { 0.0 },
    };
    let first_down = first + REPEDAL_GAP_BEATS.min((last_end - first) / 4.0);
    rendering.push_cc(point(first_down, true));
    // Bar lines strictly inside the notes' span, leaving room for the up-down pair.
    let first_bar = (first / bar_length_beats).floor() * bar_length_beats + bar_length_beats;
    let last_line = last_end - 2.0 * REPEDAL_GAP_BEATS;
    for idx in 0..bar_count(first_bar, last_line, bar_length_beats) {
        let bar = first_bar + idx as f64 * bar_length_beats;
        // A bar line right after the first press needs no change of pedal.
        if bar - REPEDAL_GAP_BEATS > first_down && bar < last_line {
            rendering.push_cc(point(bar - REPEDAL_GAP_BEATS, false));
            rendering.push_cc(point(bar + REPEDAL_GAP_BEATS, true));
        }
    }
    rendering.push_cc(point(last_end, false));
}
