//! Retrograde: the pitches backwards with the rhythm kept, or the whole thing backwards.

use crate::engine::motif::BEAT_EPSILON;
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

/// Plays the notes backwards as a musician reads a retrograde: the sequence of note values
/// (inter-onset intervals) reversed, from the same first onset, each note keeping its own value
/// and its sounding length — so a detached note stays detached and onsets stay on the grid the
/// motif's rhythm uses, whatever the articulation. The last note's value, which no onset ends,
/// is its length rounded to the motif's shortest inter-onset interval (at least one of them).
/// Notes struck together stay together. Sorts the result. Never allocates.
pub fn retrograde_full(rendering: &mut Rendering) {
    rendering.finish();
    let Some(first) = rendering.first_onset_beats() else {
        return;
    };
    let notes = &mut rendering.notes;
    let count = notes.len();
    let last_onset = notes[count - 1].start_beats;
    // The shortest inter-onset interval: the unit the last note's value is counted in.
    let mut unit = f64::INFINITY;
    for pair in notes.windows(2) {
        let ioi = pair[1].start_beats - pair[0].start_beats;
        if ioi > BEAT_EPSILON {
            unit = unit.min(ioi);
        }
    }
    if !unit.is_finite() {
        return; // One onset: nothing to reverse.
    }
    let last_length = notes
        .iter()
        .filter(|n| n.start_beats >= last_onset - BEAT_EPSILON)
        .map(|n| n.length_beats)
        .fold(0.0, f64::max);
    let last_value = (last_length / unit).round().max(1.0) * unit;
    let total = last_onset - first + last_value;
    let mut group_start = 0;
    while group_start < count {
        let onset = notes[group_start].start_beats;
        let group_end = group_start
            + notes[group_start..]
                .iter()
                .take_while(|n| n.start_beats <= onset + BEAT_EPSILON)
                .count();
        let value = notes
            .get(group_end)
            .map_or(last_value, |next| next.start_beats - onset);
        // The values before this note, reversed, are the ones after it.
        let new_onset = first + total - (onset - first) - value;
        for note in &mut notes[group_start..group_end] {
            note.start_beats = new_onset.max(0.0);
        }
        group_start = group_end;
    }
    rendering.finish();
}
