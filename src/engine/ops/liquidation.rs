//! Liquidation: the fragment repeated, losing a distinctive feature (its last note) each time,
//! quieter, down to its first two notes (one note alone no longer recalls the motif).

use super::echo::Fade;
use crate::engine::motif::BEAT_EPSILON;
use crate::engine::rendering::Rendering;

/// Fewest notes a liquidated statement keeps.
pub const MIN_LIQUIDATED_NOTES: usize = 2;

/// Appends shrinking repeats of the rendering's current notes (taken as the fragment), each
/// starting on the first whole number of bars (of `bar_length_beats`) after the fragment's own
/// start that leaves at least `gap_beats` after the previous statement ends — so each repeat
/// keeps the fragment's place in the bar — and quieter by `fade`. Stops at
/// [`MIN_LIQUIDATED_NOTES`] notes (or the fragment's own size, if smaller) or after
/// `max_repeats`.
pub fn liquidate(
    rendering: &mut Rendering,
    max_repeats: usize,
    gap_beats: f64,
    bar_length_beats: f64,
    fade: Fade,
) {
    rendering.finish();
    let fragment_len = rendering.notes.len();
    if fragment_len == 0 {
        return;
    }
    let fragment_start = rendering.notes[0].start_beats;
    let mut statement_end = rendering.notes_end_beats();
    let min_keep = MIN_LIQUIDATED_NOTES.min(fragment_len);
    for repeat in 1..=max_repeats {
        let keep = fragment_len.saturating_sub(repeat).max(min_keep);
        let earliest = statement_end + gap_beats.max(0.0) - fragment_start;
        let offset = if bar_length_beats.is_finite() && bar_length_beats > 0.0 {
            (earliest / bar_length_beats - BEAT_EPSILON).ceil() * bar_length_beats
        } else {
            earliest
        };
        let mut end = statement_end;
        for i in 0..keep {
            let source = rendering.notes[i];
            let mut copy = source;
            copy.start_beats = source.start_beats + offset;
            copy.velocity = fade.after(source.velocity, repeat as u32);
            if rendering.push_note(copy) {
                end = end.max(copy.end_beats());
            }
        }
        statement_end = end;
        if keep == min_keep {
            break;
        }
    }
    rendering.length_beats = rendering.length_beats.max(statement_end);
}
