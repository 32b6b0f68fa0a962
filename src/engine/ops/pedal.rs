//! CC64 sustain pedalling: re-pedal at every bar line (up just before, down just after), so
//! harmonies do not smear across bars; every pedal-down is lifted before the rendering ends.

use crate::engine::event::CC_SUSTAIN;
use crate::engine::rendering::{CcPoint, Rendering};

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
        beats,
        channel,
        cc: CC_SUSTAIN,
        value: if down { 1.0 } else { 0.0 },
    };
    let first_down = first + REPEDAL_GAP_BEATS.min((last_end - first) / 4.0);
    rendering.push_cc(point(first_down, true));
    if bar_length_beats > 0.0 {
        let mut bar = (first / bar_length_beats).floor() * bar_length_beats + bar_length_beats;
        while bar + REPEDAL_GAP_BEATS < last_end - REPEDAL_GAP_BEATS {
            // A bar line right after the first press needs no change of pedal.
            if bar - REPEDAL_GAP_BEATS > first_down {
                rendering.push_cc(point(bar - REPEDAL_GAP_BEATS, false));
                rendering.push_cc(point(bar + REPEDAL_GAP_BEATS, true));
            }
            bar += bar_length_beats;
        }
    }
    rendering.push_cc(point(last_end, false));
}
