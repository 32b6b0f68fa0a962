//! Retrograde: the pitches backwards with the rhythm kept, or the whole thing backwards.

use crate::engine::rendering::Rendering;

/// Reverses the order of the pitches over the notes in time order; onsets, lengths and
/// velocities stay where they were. Sorts the notes by onset first.
pub fn retrograde_pitches(rendering: &mut Rendering) {
    rendering.finish();
    let notes = &mut rendering.notes;
    let count = notes.len();
    for i in 0..count / 2 {
        let (left, right) = (notes[i].key, notes[count - 1 - i].key);
        notes[i].key = right;
        notes[count - 1 - i].key = left;
    }
}

/// Plays the notes backwards in time within the span they fill, from the first onset to the
/// last note end: each note starts where its mirror image ended (t' = first + last end − end).
/// The motif's start offset (an upbeat) stays, and no rest is added before the first note.
/// Sorts the result.
pub fn retrograde_full(rendering: &mut Rendering) {
    let Some(first) = rendering.first_onset_beats() else {
        return;
    };
    let last_end = rendering.notes_end_beats();
    for note in &mut rendering.notes {
        note.start_beats = (first + last_end - note.end_beats()).max(0.0);
    }
    rendering.finish();
}
