//! Mode change: keep every note's scale-degree index, change the scale (C major → C minor,
//! D minor → D Dorian …).

use super::key_range::{map_keys, KeyRangePolicy};
use crate::engine::motif::BEAT_EPSILON;
use crate::engine::rendering::Rendering;
use crate::engine::scale::{Scale, ScaleMode};

/// Re-spells every note from `from` into the same tonic's `to` mode, degree by degree;
/// chromatic notes keep their offset from their degree, and minor's raised 6th and 7th stay
/// raised, so a leading tone stays a leading tone ([`Scale::in_mode`]).
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
    map_keys(
        rendering,
        policy,
        |note| note.start_beats >= from_beats - BEAT_EPSILON,
        |note| from.in_mode(note.key as i32, to),
    );
}
