//! Piano — vulnerable, intimate: one soft line in the middle of the keyboard, breathing time
//! with a ritardando, re-pedalled at bar lines, and at higher intensity a sparse left hand.

use super::{
    assign_channels, center_register, contour, key_range, CharacterSettings, RecipeContext,
};
use crate::engine::motif::BEAT_EPSILON;
use crate::engine::motif::MAX_MOTIF_NOTES;
use crate::engine::ops::augmentation::{augment, ritardando_in_last_bar};
use crate::engine::ops::dynamics::{write_curve, DynamicsCurve};
use crate::engine::ops::humanize::humanize;
use crate::engine::ops::legato::hold;
use crate::engine::ops::pedal::repedal;
use crate::engine::rendering::{bar_count, RenderedNote, Rendering, Voice};
use crate::engine::scale::Scale;

/// Softest and loudest Piano velocity (MIDI), pp–mp.
pub const VELOCITY_RANGE: (f32, f32) = (30.0, 70.0);
/// Intensity from which the left hand plays.
pub const LEFT_HAND_INTENSITY: f64 = 0.5;
/// Intensity from which the line is broadened, by [`BROADEN_FACTOR`].
pub const BROADEN_INTENSITY: f64 = 0.75;
/// Broadening factor: a whole number, so the motif's bar lines and beats stay the song's.
pub const BROADEN_FACTOR: f64 = 2.0;
/// How much the closing ritardando slows by the end of the last bar, at intensity 0 and 1 (the
/// local tempo falls to 1 / (1 + amount)).
pub const RITARDANDO_AMOUNT: (f64, f64) = (0.3, 0.7);
/// Onsets played this close together (ms) are struck together, and this close to a bar line
/// are on it: a chord's spread or a downbeat played a little early, as hands play.
pub const PLAYED_SPREAD_MS: f64 = 30.0;
/// Shortest sounding length of a melody note as a fraction of the time to the next onset, at
/// intensity 0 and 1: the line breathes by holding its notes, not by moving them.
pub const HOLD_FRACTION: (f64, f64) = (0.6, 0.95);

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

    // Breathing, by metric means: notes held longer into the next one, twice the values from
    // BROADEN_INTENSITY (bar lines stay bar lines, beats stay beats), and a ritardando inside
    // the last bar only.
    hold(
        out,
        Voice::Melody,
        HOLD_FRACTION.0 + (HOLD_FRACTION.1 - HOLD_FRACTION.0) * intensity,
    );
    if intensity >= BROADEN_INTENSITY {
        augment(out, BROADEN_FACTOR);
    }
    let spread_beats = PLAYED_SPREAD_MS / 1000.0 * context.tempo_bpm / 60.0;
    let slowing = RITARDANDO_AMOUNT.0 + (RITARDANDO_AMOUNT.1 - RITARDANDO_AMOUNT.0) * intensity;
    ritardando_in_last_bar(out, context.metre, slowing, spread_beats);
    humanize(out, settings.humanize, settings.seed);
    for note in &mut out.notes {
        note.velocity = note.velocity.clamp(soft / 127.0, loud / 127.0);
    }

    // Bar-bound events (left hand, pedal changes) fall on the bar lines of the song the
    // rendering plays in — the motif's metre, unstretched — not on the stretched source bars.
    let bar = context.metre.bar_length_beats();
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
    // The fifth goes on the bar's middle beat (beat 3 of 4/4, beat 2 of 3/4, the second dotted
    // quarter of 6/8); a bar of one beat has none.
    let pulse = context.metre.pulse_length_beats();
    let pulses = (bar / pulse).round();
    let middle_beat = (pulses / 2.0).floor() * pulse;
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
            let melody = &out.notes[first_candidate..last_candidate];
            let span = (bar_start, bar_start + length);
            let root_key = below_melody(root, lowest_sounding(melody, span));
            let fifth_span = (bar_start + middle_beat, bar_start + middle_beat + length);
            let fifth_key = below_melody(root + 7, lowest_sounding(melody, fifth_span));
            let bass = RenderedNote {
                lead_seconds: 0.0,
                start_beats: bar_start,
                length_beats: length,
                key: root_key.unwrap_or(0),
                velocity,
                channel: 0,
                voice: Voice::Bass,
            };
            if root_key.is_some() {
                out.push_note(bass);
            }
            if let Some(key) = fifth_key
                .filter(|_| intensity >= 0.8 && middle_beat > 0.0 && fifth_span.0 < melody_end)
            {
                let fifth = RenderedNote {
                    start_beats: fifth_span.0,
                    key,
                    velocity: velocity * 0.9,
                    ..bass
                };
                out.push_note(fifth);
            }
        }
    }
}

/// Lowest key the left hand may take (E1): below it a piano's bass is a rumble, so a left-hand
/// note that cannot sit under the melody above it is left out.
pub const LEFT_HAND_LOWEST_KEY: i32 = 28;

/// The lowest melody key sounding at any instant of `(start, end)`, if any sounds.
fn lowest_sounding(melody: &[RenderedNote], (start, end): (f64, f64)) -> Option<u8> {
    melody
        .iter()
        .filter(|n| n.start_beats < end - BEAT_EPSILON && n.end_beats() > start + BEAT_EPSILON)
        .map(|n| n.key)
        .min()
}

/// `key` moved down by octaves until it is below `lowest_melody` (the left hand never crosses
/// the melody), or `None` if that takes it under [`LEFT_HAND_LOWEST_KEY`].
fn below_melody(key: i32, lowest_melody: Option<u8>) -> Option<u8> {
    let mut key = key;
    if let Some(lowest) = lowest_melody {
        // Keys are 0–127: at most 11 octaves.
        for _ in 0..11 {
            if key < i32::from(lowest) {
                break;
            }
            key -= 12;
        }
        if key >= i32::from(lowest) {
            return None;
        }
    }
    (LEFT_HAND_LOWEST_KEY..=127)
        .contains(&key)
        .then_some(key as u8)
}
