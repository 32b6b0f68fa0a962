//! Echo: r repeats at a delay, each quieter by a factor, optionally stepping in pitch.

use super::key_range::{place_key, KeyRangePolicy};
use super::transpose::diatonic_step;
use crate::engine::rendering::Rendering;
use crate::engine::scale::Scale;

/// Echo settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Echo {
    /// Number of repeats.
    pub repeats: usize,
    /// Delay between repeats, in beats.
    pub delay_beats: f64,
    /// Velocity multiplier per repeat (e.g. 0.6).
    pub velocity_factor: f32,
    /// Scale steps added per repeat (0 = same pitch).
    pub step_degrees: i32,
}

/// Appends `echo.repeats` delayed copies of every note present now.
pub fn echo(rendering: &mut Rendering, settings: Echo, scale: Scale, policy: KeyRangePolicy) {
    let count = rendering.notes.len();
    let mut end = rendering.length_beats;
    for repeat in 1..=settings.repeats {
        let velocity_scale = settings.velocity_factor.powi(repeat as i32);
        for i in 0..count {
            let source = rendering.notes[i];
            let pitch = diatonic_step(
                scale,
                source.key as i32,
                settings.step_degrees * repeat as i32,
            );
            let Some(key) = place_key(pitch, policy) else {
                rendering.num_dropped += 1;
                continue;
            };
            let mut copy = source;
            copy.key = key;
            copy.start_beats = source.start_beats + settings.delay_beats * repeat as f64;
            copy.velocity = (source.velocity * velocity_scale).clamp(0.0, 1.0);
            if rendering.push_note(copy) {
                end = end.max(copy.end_beats());
            }
        }
    }
    rendering.length_beats = end;
}
