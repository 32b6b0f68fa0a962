//! Piano — vulnerable, intimate: one soft line in the middle of the keyboard, breathing time
//! with a ritardando, re-pedalled at bar lines, and at higher intensity a sparse left hand.

use super::{
    assign_channels, center_register, contour, key_range, CharacterSettings, RecipeContext,
};
use crate::engine::motif::BEAT_EPSILON;
use crate::engine::motif::MAX_MOTIF_NOTES;
use crate::engine::ops::augmentation::{augment, ritardando};
use crate::engine::ops::dynamics::{write_curve, DynamicsCurve};
use crate::engine::ops::humanize::humanize;
use crate::engine::ops::pedal::repedal;
use crate::engine::rendering::{bar_count, RenderedNote, Rendering, Voice};
use crate::engine::scale::Scale;

/// Softest and loudest Piano velocity (MIDI), pp–mp.
pub const VELOCITY_RANGE: (f32, f32) = (30.0, 70.0);
/// Intensity from which the left hand plays.
pub const LEFT_HAND_INTENSITY: f64 = 0.5;

pub(super) fn render(out: &mut Rendering, settings: &CharacterSettings, context: &RecipeContext) {
    let intensity = context.intensity;
    // Middle of the keyboard: centre the line on F#4 so it sits inside roughly C3–C6, moved by
    // the octaves the composer transposed by (a transposition up an octave stays one).
    let user_octaves = settings.transpose_semitones / 12 + settings.transpose_steps / 7;
    center_register(out, 66 + 12 * user_octaves.clamp(-5, 5));
    out.finish();

    // Velocity from the contour (higher = a little louder), softer toward the phrase end.
    let end = out.notes_end_beats().max(BEAT_EPSILON);
    let (soft, loud) = VELOCITY_RANGE;
    let range = key_range(out);
    for note in &mut out.notes {
        let position = (note.start_beats / end) as f32;
        let shape = 0.35 + 0.45 * contour(range, note.key) + 0.2 * intensity as f32;
        let fade = 1.0 - 0.35 * position * position;
        note.velocity =
            ((soft + (loud - soft) * shape * fade) / 127.0).clamp(soft / 127.0, loud / 127.0);
    }

    // Breathing: stretch 1.0–1.5 and slow over the last quarter.
    augment(out, 1.0 + 0.5 * intensity);
    ritardando(out, 0.75, 0.3 + 0.4 * intensity);
    humanize(out, settings.humanize, settings.seed);
    for note in &mut out.notes {
        note.velocity = note.velocity.clamp(soft / 127.0, loud / 127.0);
    }

    // Bar-bound events (left hand, pedal changes) fall on the bar lines of the song the
    // rendering plays in — the motif's metre, unstretched — not on the stretched source bars.
    let bar = context.bar_length_beats;
    if intensity >= LEFT_HAND_INTENSITY {
        add_left_hand(out, context, bar, intensity);
    }
    assign_channels(out, settings);
    // The pedal belongs to the piano: on the melody channel (the left hand shares it in the
    // single layout; in the split layout each channel gets its own pedal).
    repedal(out, settings.channel_for(Voice::Melody), bar);
    if settings.channel_for(Voice::Bass) != settings.channel_for(Voice::Melody)
        && intensity >= LEFT_HAND_INTENSITY
    {
        repedal(out, settings.channel_for(Voice::Bass), bar);
    }
    // A gentle level for piano libraries that read CC1/CC11: almost flat, easing at the end.
    let stretched_end = out.notes_end_beats();
    let curve = DynamicsCurve {
        start_level: 0.40,
        climax_level: 0.48,
        end_level: 0.35,
        climax_beats: stretched_end * 0.6,
        end_beats: stretched_end,
        gamma: 1.0,
    };
    write_curve(
        out,
        settings.dynamics_cc,
        settings.channel_for(Voice::Melody),
        curve,
        1.0,
    );
}

/// Scale degrees (0-based) of the left hand's candidate roots: I, IV, V.
const CANDIDATE_ROOT_DEGREES: [i32; 3] = [0, 3, 4];

/// Root on each bar's downbeat, fifth on the bar's middle strong beat (intensity ≥ 0.8), in the
/// octave below C4; the root is that of the tonic, subdominant or dominant triad that best covers
/// the melody in that bar.
/// Which of the candidate triads (bit 0: I, bit 1: IV, bit 2: V) holds each melody note, worked
/// out once per note, not once per bar. The melody is the motif's line (≤ 256 notes).
fn triads_holding(melody: &[RenderedNote], scale: &Scale) -> [u8; MAX_MOTIF_NOTES] {
    let mut in_triads = [0u8; MAX_MOTIF_NOTES];
    for (mask, note) in in_triads.iter_mut().zip(melody) {
        let degree = scale.position_of(note.key as i32).degree.rem_euclid(7);
        for (candidate, root_degree) in CANDIDATE_ROOT_DEGREES.into_iter().enumerate() {
            if [0, 2, 4]
                .iter()
                .any(|step| (root_degree + step).rem_euclid(7) == degree)
            {
                *mask |= 1 << candidate;
            }
        }
    }
    in_triads
}

/// The candidate triad (index into [`CANDIDATE_ROOT_DEGREES`]) whose notes sound longest in
/// the bar `(start, end)`, and that duration in beats (-1 with no note); the tonic on ties.
fn heaviest_triad(
    notes: &[RenderedNote],
    in_triads: &[u8],
    (bar_start, bar_end): (f64, f64),
) -> (usize, f64) {
    let mut best = (0usize, -1.0f64);
    for candidate in 0..CANDIDATE_ROOT_DEGREES.len() {
        let mut weight = 0.0;
        for (note, mask) in notes.iter().zip(in_triads) {
            let overlap = note.end_beats().min(bar_end) - note.start_beats.max(bar_start);
            if overlap > 0.0 && mask & (1 << candidate) != 0 {
                weight += overlap;
            }
        }
        // Prefer the tonic on ties.
        if weight > best.1 + BEAT_EPSILON {
            best = (candidate, weight);
        }
    }
    best
}

fn add_left_hand(out: &mut Rendering, context: &RecipeContext, bar: f64, intensity: f64) {
    // Sorted by onset, so each bar only visits the notes that can overlap it (the scan stays
    // linear in bars + notes, however long the line).
    out.finish();
    let melody_end = out.notes_end_beats();
    let num_melody = out.notes.len();
    let longest = out.notes.iter().map(|n| n.length_beats).fold(0.0, f64::max);
    let scale = context.scale;
    let num_melody = num_melody.min(MAX_MOTIF_NOTES);
    let in_triads = triads_holding(&out.notes[..num_melody], &scale);
    let mut first_candidate = 0;
    for bar_idx in 0..bar_count(0.0, melody_end - BEAT_EPSILON, bar) {
        let bar_start = bar_idx as f64 * bar;
        let bar_end = bar_start + bar;
        while first_candidate < num_melody
            && out.notes[first_candidate].start_beats + longest <= bar_start
        {
            first_candidate += 1;
        }
        let last_candidate = first_candidate
            + out.notes[first_candidate..num_melody]
                .iter()
                .take_while(|n| n.start_beats < bar_end)
                .count();
        let best = heaviest_triad(
            &out.notes[first_candidate..last_candidate],
            &in_triads[first_candidate..last_candidate],
            (bar_start, bar_end),
        );
        if best.1 > 0.0 {
            let root_degree = CANDIDATE_ROOT_DEGREES[best.0];
            let root = 48 + (scale.pitch_of_degree(root_degree).rem_euclid(12))
                - if scale.tonic > 6 { 12 } else { 0 };
            let length = (bar * 0.5).min(melody_end - bar_start).max(0.25);
            let velocity = (34.0 + 8.0 * intensity as f32) / 127.0;
            let bass = RenderedNote {
                start_beats: bar_start,
                length_beats: length,
                key: root as u8,
                velocity,
                channel: 0,
                voice: Voice::Bass,
            };
            out.push_note(bass);
            if intensity >= 0.8 && bar_start + bar * 0.5 < melody_end {
                let fifth = RenderedNote {
                    start_beats: bar_start + bar * 0.5,
                    key: (root + 7) as u8,
                    velocity: velocity * 0.9,
                    ..bass
                };
                out.push_note(fifth);
            }
        }
    }
}
