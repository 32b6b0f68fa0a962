//! Fragmentation: the head motif — the first 3–4 notes, or up to the first long note or the
//! first inter-onset interval of at least 1.5× the median (but never fewer than 3 notes when
//! the motif has 3: a 2-note fragment is not recognisable).

use crate::engine::rendering::Rendering;

/// Fewest notes in a head motif (when the motif has that many).
pub const MIN_HEAD_NOTES: usize = 3;
/// Most notes in a head motif.
pub const MAX_HEAD_NOTES: usize = 4;

/// Number of notes (in onset order) that form the head motif of `rendering`'s notes, which must
/// be sorted by onset. Never allocates.
pub fn head_length(rendering: &Rendering) -> usize {
    let notes = &rendering.notes;
    let count = notes.len();
    if count <= MIN_HEAD_NOTES {
        return count;
    }
    // Median inter-onset interval and median length over the first 16 notes (a fixed window: no
    // allocation, and the head lives at the start anyway).
    let window = count.min(16);
    let mut iois = [0.0f64; 16];
    let mut lengths = [0.0f64; 16];
    for i in 0..window {
        lengths[i] = notes[i].length_beats;
        if i + 1 < count {
            iois[i] = notes[i + 1].start_beats - notes[i].start_beats;
        }
    }
    let num_iois = (window).min(count - 1);
    let median_ioi = median(&mut iois[..num_iois]);
    let median_length = median(&mut lengths[..window]);
    for i in 0..count.min(MAX_HEAD_NOTES) {
        let ioi = if i + 1 < count {
            notes[i + 1].start_beats - notes[i].start_beats
        } else {
            f64::INFINITY
        };
        let is_long = notes[i].length_beats >= 1.5 * median_length && median_length > 0.0;
        let is_gap = ioi >= 1.5 * median_ioi && median_ioi > 0.0;
        if is_long || is_gap {
            // A phrase member shorter than the minimum is extended to it.
            return (i + 1).max(MIN_HEAD_NOTES);
        }
    }
    count.min(MAX_HEAD_NOTES)
}

/// Keeps only the head motif; the rendering's length becomes the head's end.
pub fn fragment(rendering: &mut Rendering) {
    rendering.finish();
    let head = head_length(rendering);
    rendering.notes.truncate(head);
    rendering.length_beats = rendering.notes_end_beats();
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_unstable_by(f64::total_cmp);
    values[values.len() / 2]
}
