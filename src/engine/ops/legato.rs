//! Holding notes into the next: legato overlap (each note lasts until a little after the next
//! one starts, so legato patches connect) and a hold (each note sounds at least a share of the
//! way to the next, so a line breathes without its onsets moving).

use crate::engine::motif::BEAT_EPSILON;
use crate::engine::rendering::{Rendering, Voice};

/// Extends every `voice` note to `overlap_beats` past the next onset of that voice (notes of a
/// chord share the next onset). Sorts the rendering first; the last notes keep their length.
pub fn legato(rendering: &mut Rendering, voice: Voice, overlap_beats: f64) {
    let overlap = overlap_beats.max(0.0);
    reshape_to_next(rendering, voice, |_, to_next| to_next + overlap);
}

/// Holds every `voice` note for at least `fraction` of the time to the next onset of that voice
/// (longer notes keep their length). Sorts the rendering first; the last notes keep their
/// length.
pub fn hold(rendering: &mut Rendering, voice: Voice, fraction: f64) {
    reshape_to_next(rendering, voice, |length, to_next| {
        length.max(fraction * to_next)
    });
}

/// Sets every `voice` note's length to `new_length(length, beats to the next later onset of the
/// voice)`; notes with no later onset keep theirs. One pass from the end, so linear in notes.
fn reshape_to_next(rendering: &mut Rendering, voice: Voice, new_length: impl Fn(f64, f64) -> f64) {
    rendering.finish();
    // The onset after the current one (strictly later), and the current onset: chord notes
    // share the next onset.
    let mut next_onset = f64::INFINITY;
    let mut current_onset = f64::INFINITY;
    for note in rendering.notes.iter_mut().rev() {
        if note.voice != voice {
            continue;
        }
        if note.start_beats < current_onset - BEAT_EPSILON {
            next_onset = current_onset;
            current_onset = note.start_beats;
        }
        if next_onset.is_finite() {
            note.length_beats = new_length(note.length_beats, next_onset - note.start_beats);
        }
    }
}
