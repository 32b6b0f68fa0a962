//! Swell — orchestral surge: a legato line, broadened 2× from mid intensity, doubled an octave below on its own
//! channel, with a third below and a bass pedal at higher intensity, under a crescendo on the
//! dynamics controller that rises without a dip to the climax.

use super::{assign_channels, CharacterSettings, RecipeContext};
use crate::engine::motif::BEAT_EPSILON;
use crate::engine::ops::augmentation::augment;
use crate::engine::ops::dynamics::{write_curve, DynamicsCurve};
use crate::engine::ops::humanize::humanize;
use crate::engine::ops::legato::legato;
use crate::engine::ops::voicing::{add_bass_pedal, add_diatonic_below, double};
use crate::engine::rendering::{Rendering, Voice};

/// Legato overlap between consecutive melody notes, in milliseconds at playback tempo.
pub const LEGATO_OVERLAP_MS: f64 = 20.0;
/// Dynamics level at the start (MIDI value).
pub const START_LEVEL: f32 = 30.0;
/// Intensity from which the third-below voice plays.
pub const HARMONY_INTENSITY: f64 = 0.5;
/// Intensity from which the line is broadened by [`BROADEN_FACTOR`].
pub const BROADEN_INTENSITY: f64 = 0.5;
/// Broadening factor: a whole number, so the motif's bar lines and beats stay the song's.
pub const BROADEN_FACTOR: f64 = 2.0;
/// Intensity from which the bass pedal plays.
pub const BASS_INTENSITY: f64 = 0.7;
/// Dynamics level at the climax at intensity 0 (MIDI value); intensity adds up to
/// [`CLIMAX_LEVEL_RISE`].
pub const CLIMAX_LEVEL_AT_ZERO: f32 = 60.0;
/// What full intensity adds to the climax level (MIDI value): 60 + 60 = 120.
pub const CLIMAX_LEVEL_RISE: f32 = 60.0;

pub(super) fn render(out: &mut Rendering, settings: &CharacterSettings, context: &RecipeContext) {
    let intensity = context.intensity;
    // Broadening by metric means: legato holds every note into the next, and from
    // BROADEN_INTENSITY the values double (bar lines stay bar lines, beats stay beats).
    if intensity >= BROADEN_INTENSITY {
        augment(out, BROADEN_FACTOR);
    }
    humanize(out, settings.humanize * 0.5, settings.seed);
    let overlap_beats = LEGATO_OVERLAP_MS / 1000.0 * context.tempo_bpm / 60.0;
    legato(out, Voice::Melody, overlap_beats);

    // Climax: the highest melody note if it falls in the middle of the phrase, else ~75 %.
    let end = out.notes_end_beats();
    let highest = out.notes.iter().max_by(|a, b| {
        a.key
            .cmp(&b.key)
            .then(b.start_beats.total_cmp(&a.start_beats))
    });
    let climax_beats = match highest {
        Some(note) if note.start_beats >= 0.4 * end && note.start_beats <= 0.9 * end => {
            note.start_beats
        }
        _ => 0.75 * end,
    };
    let climax_level = (CLIMAX_LEVEL_AT_ZERO + CLIMAX_LEVEL_RISE * intensity as f32).min(127.0);
    // Velocities rise with the crescendo and ease after the climax.
    for note in &mut out.notes {
        let u = if climax_beats > 0.0 {
            (note.start_beats / climax_beats).min(1.0)
        } else {
            1.0
        };
        let after = if note.start_beats > climax_beats {
            (note.start_beats - climax_beats) / (end - climax_beats).max(BEAT_EPSILON)
        } else {
            0.0
        };
        let velocity = 50.0 + (climax_level - 50.0) * (u as f32).powf(1.3) - 12.0 * after as f32;
        note.velocity = (velocity / 127.0).clamp(0.05, 1.0);
    }

    // Weight: the octave below (or above when the line is too low), on its own channel.
    let lowest = out.notes.iter().map(|n| n.key).min().unwrap_or(60);
    let octave = if lowest >= 12 + 21 { -12 } else { 12 };
    double(
        out,
        Voice::Melody,
        octave,
        Voice::Doubling,
        settings.key_policy,
    );
    if intensity >= HARMONY_INTENSITY {
        add_diatonic_below(
            out,
            Voice::Melody,
            context.scale,
            2,
            Voice::Harmony,
            settings.key_policy,
        );
    }
    if intensity >= BASS_INTENSITY {
        add_bass_pedal(out, context.scale, 0.55, context.metre.bar_length_beats());
    }
    assign_channels(out, settings);

    let curve = DynamicsCurve {
        start_level: START_LEVEL / 127.0,
        climax_level: climax_level / 127.0,
        end_level: (climax_level - 15.0).max(START_LEVEL) / 127.0,
        climax_beats,
        end_beats: end,
        gamma: 1.6,
    };
    let mut written = [false; 16];
    for voice in [Voice::Melody, Voice::Doubling, Voice::Harmony, Voice::Bass] {
        let channel = settings.channel_for(voice);
        if !written[channel as usize] && out.notes.iter().any(|n| n.channel == channel) {
            write_curve(out, settings.dynamics_cc, channel, curve, 0.25);
            written[channel as usize] = true;
        }
    }
}
