//! Seeded humanize: small timing and velocity deviations that drift smoothly through the phrase
//! (correlated, not white noise) and grow toward the phrase end, where players take time.
//! The same seed always gives the same result.

use crate::engine::motif::BEAT_EPSILON;
use crate::engine::rendering::Rendering;
use crate::engine::rng::Rng;

/// Largest timing deviation at amount 1, in beats (before the phrase-end growth).
pub const MAX_TIMING_BEATS: f64 = 0.03;
/// Largest velocity deviation at amount 1 (fraction of full scale).
pub const MAX_VELOCITY: f32 = 0.06;

/// The most humanize with `amount` moves any onset, in beats: the random walk at most doubled
/// toward the phrase end, plus the phrase-end lateness.
pub fn max_timing_shift_beats(amount: f64) -> f64 {
    3.0 * amount.clamp(0.0, 1.0) * MAX_TIMING_BEATS
}

/// Applies humanize with `amount` 0–1 and `seed`. Notes are taken in onset order; deviations
/// follow a smoothed random walk, and near the end the timing is pushed later (a slight
/// broadening). Notes sharing an onset keep sharing it, the onset order is kept, and onsets never
/// go below 0.
pub fn humanize(rendering: &mut Rendering, amount: f64, seed: u64) {
    let amount = if amount.is_finite() {
        amount.clamp(0.0, 1.0)
    } else {
        0.0
    };
    if amount == 0.0 || rendering.notes.is_empty() {
        return;
    }
    rendering.finish();
    let mut rng = Rng::new(seed);
    let end = rendering.notes_end_beats().max(BEAT_EPSILON);
    let (mut timing_walk, mut velocity_walk) = (0.0f64, 0.0f64);
    // Notes struck together (a chord) move together: one timing shift per distinct onset.
    let mut previous_onset = f64::NAN;
    // Onset order is kept: a group never moves to or before the previous group's new onset.
    let (mut previous_new_onset, mut new_onset) = (f64::NEG_INFINITY, 0.0);
    for note in &mut rendering.notes {
        velocity_walk = 0.7 * velocity_walk + 0.3 * rng.signed_unit();
        if note.start_beats != previous_onset {
            previous_onset = note.start_beats;
            timing_walk = 0.7 * timing_walk + 0.3 * rng.signed_unit();
            let position = note.start_beats / end;
            let phrase_end_growth = 1.0 + position * position;
            let late = amount * MAX_TIMING_BEATS * position * position;
            let shift = amount * MAX_TIMING_BEATS * timing_walk * phrase_end_growth + late;
            new_onset = (note.start_beats + shift)
                .max(0.0)
                .max(previous_new_onset + 1e-4);
            previous_new_onset = new_onset;
        }
        note.start_beats = new_onset;
        note.velocity = (note.velocity + (amount as f32) * MAX_VELOCITY * velocity_walk as f32)
            .clamp(0.01, 1.0);
    }
}
