//! Mode change: keep every note's scale-degree index, change the scale (C major → C minor,
//! D minor → D Dorian …).

use super::key_range::{map_keys, KeyRangePolicy};
use crate::engine::motif::BEAT_EPSILON;
use crate::engine::rendering::Rendering;
use crate::engine::scale::{Scale, ScaleMode};

/// Re-spells every note from `from` into the same tonic's `to` mode, degree by degree;
/// chromatic notes keep their offset from their degree.
pub fn change_mode(rendering: &mut Rendering, from: Scale, to: ScaleMode, policy: KeyRangePolicy) {
    change_mode_from(rendering, from, to, 0.0, policy);
}

/// [`change_mode`] for the notes starting at or after `from_beats` only.
pub fn change_mode_from(
    rendering: &mut Rendering,
    from: Scale,
    to: ScaleMode,
    from_beats: f64,
    policy: KeyRangePolicy,
) {
    let target = Scale {
        tonic: from.tonic,
        mode: to,
    };
    map_keys(
        rendering,
        policy,
        |note| note.start_beats >= from_beats - BEAT_EPSILON,
        |note| target.pitch_of(from.position_of(note.key as i32)),
    );
}
