//! Chromatic and diatonic transposition.

use super::key_range::{map_keys, KeyRangePolicy};
use crate::engine::rendering::Rendering;
use crate::engine::scale::Scale;

/// Moves every note by `semitones`.
pub fn transpose_chromatic(rendering: &mut Rendering, semitones: i32, policy: KeyRangePolicy) {
    if semitones != 0 {
        map_keys(
            rendering,
            policy,
            |_| true,
            |note| (note.key as i32).saturating_add(semitones),
        );
    }
}

/// Moves every note by `steps` scale degrees of `scale`. A chromatic note keeps its offset from
/// its nearest scale degree (F♯ in C major, up a step, becomes G♯).
pub fn transpose_diatonic(
    rendering: &mut Rendering,
    scale: Scale,
    steps: i32,
    policy: KeyRangePolicy,
) {
    if steps != 0 {
        map_keys(
            rendering,
            policy,
            |_| true,
            |note| diatonic_step(scale, note.key as i32, steps),
        );
    }
}

/// `pitch` moved by `steps` degrees of `scale` (see [`Scale::step`]: a chromatic offset is
/// kept, minor's raised 6th and 7th count as members of the key).
pub fn diatonic_step(scale: Scale, pitch: i32, steps: i32) -> i32 {
    scale.step(pitch, steps)
}
