//! Diatonic inversion around an axis note: degree' = 2·degree(axis) − degree.

use super::key_range::{map_keys, KeyRangePolicy};
use crate::engine::rendering::Rendering;
use crate::engine::scale::Scale;

/// Mirrors every note around `axis_pitch` (default: the first note by onset) in `scale`.
/// Chromatic notes mirror their offset too, so a raised note becomes a lowered one; minor's
/// raised 6th and 7th are members of the key ([`Scale::mirror`]).
pub fn invert(
    rendering: &mut Rendering,
    scale: Scale,
    axis_pitch: Option<i32>,
    policy: KeyRangePolicy,
) {
    let first = rendering.notes.iter().min_by(|a, b| {
        a.start_beats
            .total_cmp(&b.start_beats)
            .then(a.key.cmp(&b.key))
    });
    let Some(axis) = axis_pitch.or(first.map(|n| n.key as i32)) else {
        return;
    };
    let axis_degree = scale.position_of(axis).degree;
    map_keys(
        rendering,
        policy,
        |_| true,
        |note| scale.mirror(note.key as i32, axis_degree),
    );
}
