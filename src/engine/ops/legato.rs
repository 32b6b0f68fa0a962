//! Legato overlap: each note of a voice lasts until a little after the next one starts, so
//! legato patches connect.

use crate::engine::motif::BEAT_EPSILON;
use crate::engine::rendering::{Rendering, Voice};

/// Extends every `voice` note to `overlap_beats` past the next onset of that voice (notes of a
/// chord share the next onset). Sorts the rendering first; the last notes keep their length.
pub fn legato(rendering: &mut Rendering, voice: Voice, overlap_beats: f64) {
    rendering.finish();
    let count = rendering.notes.len();
    for i in 0..count {
        if rendering.notes[i].voice != voice {
            continue;
        }
        let start = rendering.notes[i].start_beats;
        let next_onset = rendering.notes[i + 1..]
            .iter()
            .filter(|n| n.voice == voice && n.start_beats > start + BEAT_EPSILON)
            .map(|n| n.start_beats)
            .next();
        if let Some(next) = next_onset {
            rendering.notes[i].length_beats = next - start + overlap_beats.max(0.0);
        }
    }
}
