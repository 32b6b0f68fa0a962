//! Distant — a whispering memory: the head motif an octave up, very soft, stretched, repeated as
//! fading echoes (or liquidated at the highest intensity), with a low dynamics level, a slight
//! seeded drift and, at higher intensity, a modal "memory colour" on the repeats.

use super::{assign_channels, CharacterSettings, RecipeContext};
use crate::engine::key::Mode;
use crate::engine::motif::BEAT_EPSILON;
use crate::engine::ops::augmentation::augment;
use crate::engine::ops::dynamics::{write_curve, DynamicsCurve};
use crate::engine::ops::echo::{echo, Echo, Fade};
use crate::engine::ops::fragment::fragment;
use crate::engine::ops::humanize::humanize;
use crate::engine::ops::liquidation::liquidate;
use crate::engine::ops::mode_change::change_mode_from;
use crate::engine::rendering::{Rendering, Voice};
use crate::engine::scale::ScaleMode;

/// Loudest Distant velocity (MIDI).
pub const MAX_VELOCITY: f32 = 45.0;
/// Velocity factor per echo repeat (applied to the distance above [`AUDIBLE_FLOOR_VELOCITY`]).
pub const ECHO_DECAY: f32 = 0.6;
/// Softest velocity Distant sends by default (MIDI; the Softest velocity setting moves it):
/// quiet, but above the velocities below about 20 that General MIDI synths and many sample
/// libraries play so softly that an echo disappears (docs/sample-libraries.md, "The audible
/// floor").
pub const AUDIBLE_FLOOR_VELOCITY: f32 = 24.0;
/// Most liquidated repeats (each a note shorter, down to two notes).
pub const LIQUIDATION_REPEATS: usize = 4;
/// Least silence before each echo or liquidated repeat, in bars (then on to the next bar line).
pub const LIQUIDATION_GAP_BARS: f64 = 0.5;
/// Humanize amount Distant applies with the user's humanize at 0: its slight seeded drift.
pub const MIN_DRIFT: f64 = 0.4;
/// Broadening factor: a whole number, so the head's bar lines and beats stay the song's.
pub const BROADEN_FACTOR: f64 = 2.0;
/// Intensity from which repeats take the modal colour.
pub const MODE_COLOUR_INTENSITY: f64 = 0.5;
/// Intensity from which the head liquidates instead of echoing.
pub const LIQUIDATION_INTENSITY: f64 = 0.85;
/// Dynamics controller levels (MIDI values): at the start, at the statement's climax, at the
/// end. A whisper: never above the climax level.
pub const DYNAMICS_LEVELS: (f32, f32, f32) = (AUDIBLE_FLOOR_CC, 32.0, AUDIBLE_FLOOR_CC);
/// Lowest dynamics controller level Distant sends (MIDI value): libraries that crossfade
/// dynamic layers on CC1 or scale volume with CC11 are near silent below about 20.
pub const AUDIBLE_FLOOR_CC: f32 = 22.0;

pub(super) fn render(out: &mut Rendering, settings: &CharacterSettings, context: &RecipeContext) {
    let intensity = context.intensity;
    let floor = f32::from(settings.softest_velocity.clamp(1, MAX_VELOCITY as u8)) / 127.0;
    fragment(out);
    // Far away: an octave up when it fits.
    if out.notes.iter().all(|n| n.key <= 115) {
        for note in &mut out.notes {
            note.key += 12;
        }
    }
    augment(out, BROADEN_FACTOR);
    // Long, blurred notes and soft velocities following the contour.
    for note in &mut out.notes {
        note.length_beats *= 1.3;
        note.velocity = ((22.0 + 18.0 * note.velocity) / 127.0).min(MAX_VELOCITY / 127.0);
    }
    // A slight seeded drift (whatever the humanize setting) on the statement; the repeats carry
    // it, so their velocities decay exactly.
    humanize(
        out,
        (MIN_DRIFT + (1.0 - MIN_DRIFT) * settings.humanize).min(1.0),
        settings.seed,
    );
    for note in &mut out.notes {
        note.velocity = note.velocity.clamp(floor, MAX_VELOCITY / 127.0);
    }
    let statement_end = out.notes_end_beats();
    out.length_beats = statement_end;

    if intensity >= LIQUIDATION_INTENSITY {
        liquidate(
            out,
            LIQUIDATION_REPEATS,
            LIQUIDATION_GAP_BARS * context.metre.bar_length_beats(),
            context.metre.bar_length_beats(),
            Fade {
                factor: ECHO_DECAY,
                floor,
            },
        );
    } else {
        let repeats = 3 + (2.0 * intensity).round() as usize;
        // Whole bars apart, at least half a bar after the statement: each echo keeps the
        // statement's place in the bar.
        let bar = context.metre.bar_length_beats();
        let delay_beats =
            ((statement_end + LIQUIDATION_GAP_BARS * bar) / bar - BEAT_EPSILON).ceil() * bar;
        echo(
            out,
            Echo {
                repeats,
                delay_beats,
                fade: Fade {
                    factor: ECHO_DECAY,
                    floor,
                },
                step_degrees: 0,
            },
            context.scale,
            settings.key_policy,
        );
    }
    // Memory colour on the repeats only, so the first statement keeps the head's intervals.
    if intensity >= MODE_COLOUR_INTENSITY {
        let colour = match context.scale.mode {
            ScaleMode::Major | ScaleMode::Lydian | ScaleMode::Mixolydian => {
                ScaleMode::from(Mode::Minor)
            }
            _ => ScaleMode::Dorian,
        };
        change_mode_from(
            out,
            context.scale,
            colour,
            statement_end,
            settings.key_policy,
        );
    }
    assign_channels(out, settings);
    let end = out.notes_end_beats();
    let curve = DynamicsCurve {
        start_level: DYNAMICS_LEVELS.0 / 127.0,
        climax_level: DYNAMICS_LEVELS.1 / 127.0,
        end_level: DYNAMICS_LEVELS.2 / 127.0,
        climax_beats: statement_end * 0.5,
        end_beats: end,
        gamma: 1.0,
    };
    write_curve(
        out,
        settings.dynamics_cc,
        settings.channel_for(Voice::Melody),
        curve,
        0.5,
    );
}
