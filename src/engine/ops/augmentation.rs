//! Augmentation / diminution (tᵢ' = k·tᵢ, dᵢ' = k·dᵢ) by factors that keep the song's metre, and
//! a ritardando inside the last bar.
//!
//! A factor keeps the metre when it maps every bar line to a bar line and every beat to a beat:
//! only whole numbers do (k·bar is k bars; k·beat is k beats). Diminution (½, ¼) puts two or four
//! of the motif's bars into one: its bar lines fall on half or quarter bars.

use crate::engine::motif::{TimeSignature, BEAT_EPSILON};
use crate::engine::rendering::Rendering;

/// The augmentation factors offered to the user, in ascending order. 1–4 keep the metre (bar
/// lines on bar lines, beats on beats); ½ and ¼ are diminutions that put two or four of the
/// motif's bars into one bar.
pub const METRIC_FACTORS: [f64; 6] = [0.25, 0.5, 1.0, 2.0, 3.0, 4.0];

/// The offered factor nearest to `factor` (compared as ratios, so 1.4 → 1 and 1.5 → 2); 1 for a
/// factor that is not a positive number.
pub fn nearest_metric_factor(factor: f64) -> f64 {
    if !(factor.is_finite() && factor > 0.0) {
        return 1.0;
    }
    let mut best = 1.0;
    for candidate in METRIC_FACTORS {
        if (factor / candidate).ln().abs() < (factor / best).ln().abs() - BEAT_EPSILON {
            best = candidate;
        }
    }
    best
}

/// Whether `factor` maps every bar line to a bar line and every beat to a beat (a whole number).
pub fn keeps_metre(factor: f64) -> bool {
    factor >= 1.0 && (factor - factor.round()).abs() < BEAT_EPSILON
}

/// Stretches onsets, lengths and the rendering's length by `factor` (> 1 augments, < 1
/// diminishes). Non-positive or non-finite factors are ignored. The characters and the user's
/// setting only pass [`METRIC_FACTORS`].
pub fn augment(rendering: &mut Rendering, factor: f64) {
    if !(factor.is_finite() && factor > 0.0) {
        return;
    }
    for note in &mut rendering.notes {
        note.start_beats *= factor;
        note.length_beats *= factor;
    }
    for point in &mut rendering.ccs {
        point.beats *= factor;
    }
    rendering.length_beats *= factor;
}

/// Slows down inside the last bar that holds an onset: time from that bar line on is warped by
/// t ↦ t + amount·(t − bar)²/(2·bar length), so the local tempo falls to 1 / (1 + amount) of the
/// original at the bar's end. Notes before the bar keep their onsets (their ends may stretch).
/// The last note (with the notes struck with it, within `spread_beats`) then lands on the beat
/// of `metre` nearest its slowed onset, after the note ahead of it and not past the bar's last
/// beat: it still starts on a beat of the last bar. Onsets within `spread_beats` of a bar line
/// count as on it (a final downbeat played a little early is a downbeat, only held longer).
/// When the bar cannot slow without breaking those rules, its onsets stay and only the last
/// notes are held longer. Sorts the notes.
pub fn ritardando_in_last_bar(
    rendering: &mut Rendering,
    metre: TimeSignature,
    amount: f64,
    spread_beats: f64,
) {
    rendering.finish();
    let Some(last) = rendering.notes.last() else {
        return;
    };
    if !(amount.is_finite() && amount > 0.0) {
        return;
    }
    let spread = if spread_beats.is_finite() {
        spread_beats.clamp(BEAT_EPSILON, metre.pulse_length_beats() / 4.0)
    } else {
        BEAT_EPSILON
    };
    let bar = metre.bar_length_beats();
    let pulse = metre.pulse_length_beats();
    // The last group: the final note and those struck with it.
    let group_onset = rendering
        .notes
        .iter()
        .rev()
        .take_while(|n| n.start_beats >= last.start_beats - spread)
        .map(|n| n.start_beats)
        .fold(last.start_beats, f64::min);
    let bar_start = ((group_onset + spread) / bar).floor() * bar;
    let in_group = |start: f64| start >= group_onset - BEAT_EPSILON;
    if group_onset <= bar_start + spread {
        // The final notes are the last bar's downbeat: nothing to slow, they are held longer.
        hold_from(rendering, group_onset - BEAT_EPSILON, 1.0 + amount);
        return;
    }
    let warp = |t: f64| {
        if t <= bar_start {
            t
        } else {
            t + amount * (t - bar_start) * (t - bar_start) / (2.0 * bar)
        }
    };
    let ahead = rendering
        .notes
        .iter()
        .rev()
        .find(|n| !in_group(n.start_beats))
        .map_or(f64::NEG_INFINITY, |n| warp(n.start_beats));
    // The beat nearest the slowed onset, after the note ahead, not past the bar's last beat
    // (or, for a final note written after that beat, the next bar line).
    let last_beat = (bar_start + bar - pulse).max(((group_onset - spread) / pulse).ceil() * pulse);
    let earliest = ((ahead + spread) / pulse).ceil() * pulse;
    let nearest = (warp(group_onset) / pulse).round() * pulse;
    let landing = nearest.min(last_beat).max(earliest);
    if landing > last_beat + BEAT_EPSILON {
        hold_from(rendering, group_onset - BEAT_EPSILON, 1.0 + amount);
        return;
    }
    for note in &mut rendering.notes {
        let end = warp(note.end_beats());
        note.start_beats = if in_group(note.start_beats) {
            landing
        } else {
            warp(note.start_beats)
        };
        // The warp only lengthens; a note moved on to a beat keeps at least its own length.
        note.length_beats = (end - note.start_beats).max(note.length_beats);
    }
    rendering.length_beats = rendering.length_beats.max(rendering.notes_end_beats());
}

/// Holds the notes starting at or after `from_beats` `factor` times as long (a closing
/// ritardando that cannot move them), the rendering growing to hold them.
fn hold_from(rendering: &mut Rendering, from_beats: f64, factor: f64) {
    for note in rendering
        .notes
        .iter_mut()
        .filter(|n| n.start_beats >= from_beats)
    {
        note.length_beats *= factor;
    }
    rendering.length_beats = rendering.length_beats.max(rendering.notes_end_beats());
}
