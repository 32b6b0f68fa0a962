//! Doubling and voicing: octave doubling, a diatonic third/sixth below, a sustained bass pedal.

use super::key_range::{place_key, KeyRangePolicy};
use super::transpose::diatonic_step;
use crate::engine::rendering::{RenderedNote, Rendering, Voice};
use crate::engine::scale::Scale;

/// Adds a copy of every `source` note `semitones` away (±12 for octaves) as `voice`.
pub fn double(
    rendering: &mut Rendering,
    source: Voice,
    semitones: i32,
    voice: Voice,
    policy: KeyRangePolicy,
) {
    let count = rendering.notes.len();
    for i in 0..count {
        let note = rendering.notes[i];
        if note.voice != source {
            continue;
        }
        match place_key(note.key as i32 + semitones, policy) {
            Some(key) => {
                rendering.push_note(RenderedNote { key, voice, ..note });
            }
            None => rendering.num_dropped += 1,
        }
    }
}

/// Adds a voice `steps_below` scale degrees under every `source` note (2 = a third, 5 = a
/// sixth), in `scale`.
pub fn add_diatonic_below(
    rendering: &mut Rendering,
    source: Voice,
    scale: Scale,
    steps_below: i32,
    voice: Voice,
    policy: KeyRangePolicy,
) {
    let count = rendering.notes.len();
    for i in 0..count {
        let note = rendering.notes[i];
        if note.voice != source {
            continue;
        }
        match place_key(diatonic_step(scale, note.key as i32, -steps_below), policy) {
            Some(key) => {
                rendering.push_note(RenderedNote {
                    key,
                    voice,
                    velocity: note.velocity * 0.85,
                    ..note
                });
            }
            None => rendering.num_dropped += 1,
        }
    }
}

/// Adds the tonic of `scale` in the bass register (C2–B2, MIDI 36–47) held from the first onset
/// to the end of the rendering, at `velocity`.
pub fn add_bass_pedal(rendering: &mut Rendering, scale: Scale, velocity: f32) {
    let Some(start) = rendering.first_onset_beats() else {
        return;
    };
    let end = rendering.notes_end_beats().max(rendering.length_beats);
    let key = 36 + scale.tonic;
    rendering.push_note(RenderedNote {
        start_beats: start,
        length_beats: (end - start).max(0.25),
        key,
        velocity,
        channel: 0,
        voice: Voice::Bass,
    });
}
