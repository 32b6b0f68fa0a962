//! Liquidation: the fragment repeated, losing a distinctive feature (its last note) each time,
//! quieter, down to its first two notes (one note alone no longer recalls the motif).

use crate::engine::rendering::Rendering;

/// Fewest notes a liquidated statement keeps.
pub const MIN_LIQUIDATED_NOTES: usize = 2;

/// Appends shrinking repeats of the rendering's current notes (taken as the fragment), each
/// starting `gap_beats` after the previous statement ends and `velocity_factor` quieter. Stops
/// at [`MIN_LIQUIDATED_NOTES`] notes (or the fragment's own size, if smaller) or after
/// `max_repeats`.
pub fn liquidate(
    rendering: &mut Rendering,
    max_repeats: usize,
    gap_beats: f64,
    velocity_factor: f32,
) {
    rendering.finish();
    let fragment_len = rendering.notes.len();
    if fragment_len == 0 {
        return;
    }
    let fragment_start = rendering.notes[0].start_beats;
    let mut statement_end = rendering.notes_end_beats();
    let mut velocity_scale = 1.0f32;
    let min_keep = MIN_LIQUIDATED_NOTES.min(fragment_len);
    for repeat in 1..=max_repeats {
        let keep = fragment_len.saturating_sub(repeat).max(min_keep);
        let offset = statement_end + gap_beats.max(0.0) - fragment_start;
        velocity_scale *= velocity_factor;
        let mut end = statement_end;
        for i in 0..keep {
            let source = rendering.notes[i];
            let mut copy = source;
            copy.start_beats = source.start_beats + offset;
            copy.velocity = (source.velocity * velocity_scale).clamp(0.0, 1.0);
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
