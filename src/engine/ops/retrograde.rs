//! Retrograde: the pitches backwards with the rhythm kept, or the whole thing backwards.

use crate::engine::motif::BEAT_EPSILON;
use crate::engine::rendering::{RenderedNote, Rendering};

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
/// lasts to the beat (of `pulse_beats`) at or after its sound ends. Notes struck together stay
/// together. Sorts the result. Never allocates.
pub fn retrograde_full(rendering: &mut Rendering, pulse_beats: f64) {
    rendering.finish();
    let Some(first) = rendering.first_onset_beats() else {
        return;
    };
    let notes = &mut rendering.notes;
    let count = notes.len();
    let last_onset = notes[count - 1].start_beats;
    if notes.iter().all(|n| n.start_beats <= first + BEAT_EPSILON) {
        return; // One onset: nothing to reverse.
    }
    let pulse = if pulse_beats.is_finite() && pulse_beats > 0.0 {
        pulse_beats
    } else {
        1.0
    };
    let last_length = notes
        .iter()
        .filter(|n| n.start_beats >= last_onset - BEAT_EPSILON)
        .map(|n| n.length_beats)
        .fold(0.0, f64::max);
    let last_value = written_value(notes, last_onset, last_length, pulse);
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

/// Subdivisions of the beat a motif's onsets may be written on, coarsest first.
const SUBDIVISIONS: [f64; 8] = [1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0];
/// A sound shorter than its written value by up to this share of it is read as that value
/// (a detached quarter sounding 0.85 of a beat is a quarter).
const DETACHED_SHARE: f64 = 0.25;
/// Onsets within this of a grid point are on it, beats (a 1/64 of a beat: far below any
/// written value, above rounding noise).
const ON_GRID_BEATS: f64 = 1.0 / 64.0;

/// The written value of the last note (onset `onset`, sounding `length`): its own length when
/// it ends on the grid the motif's onsets use (legato, or a rest written after it); else up to
/// the next beat when that only adds a detached note's silence; else up to the next point of
/// the onsets' grid.
fn written_value(notes: &[RenderedNote], onset: f64, length: f64, pulse: f64) -> f64 {
    let on = |t: f64, grid: f64| ((t / grid).round() * grid - t).abs() <= ON_GRID_BEATS;
    // The coarsest subdivision of the beat all onsets are written on.
    let grid = SUBDIVISIONS
        .iter()
        .map(|division| pulse / division)
        .find(|&grid| notes.iter().all(|n| on(n.start_beats, grid)))
        .unwrap_or(pulse / SUBDIVISIONS[SUBDIVISIONS.len() - 1]);
    let end = onset + length;
    if on(end, grid) && length > ON_GRID_BEATS {
        return length;
    }
    let to_beat = ((end - ON_GRID_BEATS) / pulse).ceil() * pulse - onset;
    if to_beat > 0.0 && to_beat - length <= DETACHED_SHARE * to_beat {
        return to_beat;
    }
    (((end - ON_GRID_BEATS) / grid).ceil() * grid - onset).max(grid)
}
