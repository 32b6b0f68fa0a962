//! Doubling and voicing: octave doubling, a diatonic third/sixth below, a sustained bass pedal.

use super::key_range::{place_key, KeyRangePolicy};
use super::transpose::diatonic_step;
use crate::engine::motif::BEAT_EPSILON;
use crate::engine::rendering::{RenderedNote, Rendering, Voice};
use crate::engine::scale::Scale;

/// Adds a voice derived from every `source` note: its key from `pitch_of` (placed by `policy`),
/// its velocity scaled by `velocity_scale`, same timing.
fn add_voice(
    rendering: &mut Rendering,
    source: Voice,
    voice: Voice,
    velocity_scale: f32,
    policy: KeyRangePolicy,
    pitch_of: impl Fn(u8) -> i32,
) {
    let count = rendering.notes.len();
    for i in 0..count {
        let note = rendering.notes[i];
        if note.voice != source {
            continue;
        }
        match place_key(pitch_of(note.key), policy) {
            Some(key) => {
                rendering.push_note(RenderedNote {
                    key,
                    voice,
                    velocity: note.velocity * velocity_scale,
                    ..note
                });
            }
            None => rendering.num_dropped += 1,
        }
    }
}

/// Adds a copy of every `source` note `semitones` away (±12 for octaves) as `voice`.
pub fn double(
    rendering: &mut Rendering,
    source: Voice,
    semitones: i32,
    voice: Voice,
    policy: KeyRangePolicy,
) {
    add_voice(rendering, source, voice, 1.0, policy, |key| {
        key as i32 + semitones
    });
}

/// Adds a voice `steps_below` scale degrees under every `source` note (2 = a third, 5 = a
/// sixth), in `scale`, a little softer.
pub fn add_diatonic_below(
    rendering: &mut Rendering,
    source: Voice,
    scale: Scale,
    steps_below: i32,
    voice: Voice,
    policy: KeyRangePolicy,
) {
    add_voice(rendering, source, voice, 0.85, policy, |key| {
        diatonic_step(scale, key as i32, -steps_below)
    });
}

/// Adds the tonic of `scale` in the bass register (C2–B2, MIDI 36–47) held from the first onset
/// to the end of the rendering, at `velocity`.
pub fn add_bass_pedal(
    rendering: &mut Rendering,
    scale: Scale,
    velocity: f32,
    bar_length_beats: f64,
) {
    let Some(start) = rendering.first_onset_beats() else {
        return;
    };
    // It holds to the bar line after the last note (on the output's bar grid).
    let end = rendering.notes_end_beats().max(rendering.length_beats);
    let end = if bar_length_beats.is_finite() && bar_length_beats > 0.0 {
        (end / bar_length_beats - BEAT_EPSILON).ceil() * bar_length_beats
    } else {
        end
    };
    let key = 36 + scale.tonic;
    rendering.push_note(RenderedNote {
        lead_seconds: 0.0,
        start_beats: start,
        length_beats: (end - start).max(0.25),
        key,
        velocity,
        channel: 0,
        voice: Voice::Bass,
    });
}
