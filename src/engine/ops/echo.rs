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
    /// How each repeat gets quieter.
    pub fade: Fade,
    /// Scale steps added per repeat (0 = same pitch).
    pub step_degrees: i32,
}

/// How repeats get quieter: the distance of the velocity above `floor` shrinks by `factor`
/// per repeat, so repeats fade towards the floor and never below it (a note the sampler would
/// not sound is no echo).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fade {
    /// Multiplier per repeat of the velocity's distance above the floor (e.g. 0.6).
    pub factor: f32,
    /// Softest velocity, 0–1 (0 = the plain factor).
    pub floor: f32,
}

impl Fade {
    /// The velocity (0–1) of `velocity` after `repeats` repeats. A source already below the
    /// floor is raised to it.
    pub fn after(&self, velocity: f32, repeats: u32) -> f32 {
        let floor = self.floor.clamp(0.0, 1.0);
        let above = (velocity - floor).max(0.0);
        (floor + above * self.factor.clamp(0.0, 1.0).powi(repeats as i32)).clamp(0.0, 1.0)
    }
}

/// Appends `echo.repeats` delayed copies of every note present now.
pub fn echo(rendering: &mut Rendering, settings: Echo, scale: Scale, policy: KeyRangePolicy) {
    let count = rendering.notes.len();
    let mut end = rendering.length_beats;
    for repeat in 1..=settings.repeats {
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
            copy.velocity = settings.fade.after(source.velocity, repeat as u32);
            if rendering.push_note(copy) {
                end = end.max(copy.end_beats());
            }
        }
    }
    rendering.length_beats = end;
}
