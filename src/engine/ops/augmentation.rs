//! Augmentation / diminution (tᵢ' = k·tᵢ, dᵢ' = k·dᵢ) and a ritardando over the phrase end.

use crate::engine::rendering::Rendering;

/// Stretches onsets, lengths and the rendering's length by `factor` (> 1 augments, < 1
/// diminishes). Non-positive or non-finite factors are ignored.
pub fn augment(rendering: &mut Rendering, factor: f64) {
    if !(factor.is_finite() && factor > 0.0) {
        return;
    }
    for note in &mut rendering.notes {
        note.start_beats *= factor;
        note.length_beats *= factor;
    }
    for point in &mut rendering.ccs {
        point.beats *= factor;
    }
    rendering.length_beats *= factor;
}

/// Slows the tempo progressively from `from_fraction` of the phrase (e.g. 0.75 = its last
/// quarter) to its end, where the local tempo is `1 / (1 + amount)` of the original. Time before
/// the onset of the slowing is unchanged; the rendering gets longer by `amount / 2` of the slowed
/// span.
pub fn ritardando(rendering: &mut Rendering, from_fraction: f64, amount: f64) {
    let end = rendering.notes_end_beats();
    if end <= 0.0 || !(amount.is_finite() && amount > 0.0) {
        return;
    }
    let start = end * from_fraction.clamp(0.0, 1.0);
    let span = end - start;
    if span <= 0.0 {
        return;
    }
    let warp = |t: f64| {
        if t <= start {
            t
        } else {
            t + amount * (t - start) * (t - start) / (2.0 * span)
        }
    };
    for note in &mut rendering.notes {
        let (new_start, new_end) = (warp(note.start_beats), warp(note.end_beats()));
        note.start_beats = new_start;
        note.length_beats = new_end - new_start;
    }
    rendering.length_beats = rendering.length_beats.max(warp(end));
}
