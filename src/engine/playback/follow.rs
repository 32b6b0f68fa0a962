//! How playback follows the timeline and the trigger keys: it stops with the transport, rejoins
//! the song at the next launch point after a jump, and in key-trigger mode belongs to the held
//! key (carrying on across loop wraps, jumps and stops while the key is held).
//!
//! [`Follow`] owns the trigger key and the transposition it adds; everything else it acts on
//! (scheduler, what sounds) belongs to the live engine and is lent for one call as a [`Stage`].

use super::scheduler::Scheduler;
use super::settings::{LaunchQuantize, LiveSettings, PlaybackMode, TriggerTranspose};
use super::timeline::Timeline;
use super::voices::{Owner, Voices};
use crate::engine::event_buffer::EventBuffer;
use crate::engine::key::{Key, Mode};
use crate::engine::motif::{Motif, BEAT_EPSILON};
use crate::engine::scale::Scale;

/// Transposition a held trigger key adds to the rendering.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TriggerShift {
    /// Chromatic shift, semitones.
    pub semitones: i32,
    /// Diatonic shift, scale steps.
    pub steps: i32,
}

/// What following acts on, lent by the live engine for one call.
pub struct Stage<'a> {
    /// The settings in force.
    pub settings: &'a LiveSettings,
    /// The song's timeline.
    pub timeline: &'a Timeline,
    /// The active slot's motif (its metre when the host gives none, its key).
    pub motif: &'a Motif,
    /// Plays the rendering.
    pub scheduler: &'a mut Scheduler,
    /// What the output sounds.
    pub voices: &'a mut Voices,
}

/// Playback's reaction to the song and to the trigger keys. Owner: the live engine (audio
/// thread); plain data, never allocates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Follow {
    /// The trigger key being held (channel, key), in key-trigger mode.
    trigger_key: Option<(u8, u8)>,
    /// Transposition added by the held (or last) trigger key.
    shift: TriggerShift,
}

impl Follow {
    /// The trigger key being held (channel, key), if any.
    pub fn trigger_key(&self) -> Option<(u8, u8)> {
        self.trigger_key
    }

    /// The transposition the trigger key adds to the rendering.
    pub fn shift(&self) -> TriggerShift {
        self.shift
    }

    /// Playback stopped without the key's release (reset, a stopping setting change): the key
    /// no longer holds the rendering.
    pub fn forget_trigger(&mut self) {
        self.trigger_key = None;
    }

    /// Playback's reaction to the timeline at `timing` (block start or a loop wrap): stops with
    /// the transport, and after a jump ends the sounding notes and rejoins the rendering.
    /// `previous_beats` is where the old timeline would have been at `timing`.
    pub fn follow_timeline(
        &mut self,
        stage: &mut Stage<'_>,
        start: f64,
        timing: u32,
        jumped: bool,
        previous_beats: Option<f64>,
        out: &mut EventBuffer,
    ) {
        let launched = stage.scheduler.launch_beats().is_some();
        match stage.settings.playback_mode {
            PlaybackMode::Off => {
                if launched {
                    stage.scheduler.stop(timing, out, stage.voices);
                }
            }
            PlaybackMode::FollowTransport => {
                if !stage.timeline.is_playing() {
                    if launched || stage.voices.owns_any(Owner::Rendering) {
                        stage.scheduler.stop(timing, out, stage.voices);
                    }
                    return;
                }
                if !jumped && launched {
                    return;
                }
                stage.scheduler.end_notes(timing, out, stage.voices);
                rejoin_song(stage, start);
            }
            PlaybackMode::KeyTrigger => {
                if jumped && launched {
                    match (self.trigger_key, previous_beats) {
                        // The key is still held: a triggered rendering belongs to the key, not
                        // to the song, so it carries on across loop wraps, jumps and stops.
                        (Some(_), Some(previous)) => stage
                            .scheduler
                            .shift_timeline(start - previous, stage.voices),
                        _ => {
                            stage.scheduler.stop(timing, out, stage.voices);
                            self.trigger_key = None;
                        }
                    }
                }
            }
        }
    }

    /// Whether `key` starts the rendering (key-trigger mode, inside the trigger range).
    pub fn is_trigger_key(settings: &LiveSettings, key: u8) -> bool {
        settings.playback_mode == PlaybackMode::KeyTrigger
            && (settings.trigger_low_key..=settings.trigger_high_key).contains(&key)
    }

    /// A trigger key goes down: it holds the rendering from now on, transposed so the motif's
    /// tonic lands on `key`. The engine then re-renders with [`shift`](Self::shift) and
    /// launches at the key's sample.
    pub fn press(&mut self, settings: &LiveSettings, motif: &Motif, channel: u8, key: u8) {
        let motif_key = settings
            .character
            .key
            .or(motif.key())
            .unwrap_or(Key::new(0, Mode::Major));
        let reference = 60 + motif_key.tonic as i32;
        self.shift = match settings.trigger_transpose {
            TriggerTranspose::Chromatic => TriggerShift {
                semitones: key as i32 - reference,
                steps: 0,
            },
            TriggerTranspose::Diatonic => {
                let scale = Scale::from(motif_key);
                TriggerShift {
                    semitones: 0,
                    steps: scale.position_of(key as i32).degree
                        - scale.position_of(reference).degree,
                }
            }
        };
        self.trigger_key = Some((channel, key));
    }

    /// The trigger key was released: a looping rendering stops, a one-shot plays out.
    pub fn release(&mut self, stage: &mut Stage<'_>, timing: u32, out: &mut EventBuffer) {
        self.trigger_key = None;
        if stage.settings.looping {
            stage.scheduler.stop(timing, out, stage.voices);
        }
    }
}

/// Follow-transport playback (re)joins the song at the launch point at or after `beats`.
pub fn rejoin_song(stage: &mut Stage<'_>, beats: f64) {
    let launch_point = launch_point(stage, beats);
    if stage.settings.looping {
        // Looping renderings are locked to the song's bar grid (bar 1, or the first bar of the
        // current metre, is a rendering beat 0), so a position always sounds the same, whatever
        // happened before. Sound starts at the launch point.
        stage
            .scheduler
            .launch_from(stage.timeline.bar_origin_beats(), true, launch_point);
    } else {
        stage.scheduler.launch(launch_point, false);
    }
}

/// The song's bar grid moved at `beats` (a metre change): a looping rendering realigns to the
/// new bars from their first bar line — if the host reported the change only at the first
/// block start after that bar line, the onsets since it go out at once rather than a bar later
/// — and a one-shot from the next launch point. What sounds plays out.
pub fn realign_to_bars(stage: &mut Stage<'_>, beats: f64) {
    let origin = stage.timeline.bar_origin_beats();
    let passed_beats = beats - origin;
    let just_passed =
        (0.0..=stage.timeline.last_block_beats() + BEAT_EPSILON).contains(&passed_beats);
    if stage.settings.looping && just_passed {
        stage.scheduler.launch_from(origin, true, origin);
        stage.scheduler.catch_up_from(origin);
    } else {
        rejoin_song(stage, beats);
    }
}

/// The launch point at or after `beats` per the launch quantize setting, on the song's bar grid
/// (bars of the song's metre, the motif's without a host metre, from the grid origin).
fn launch_point(stage: &Stage<'_>, beats: f64) -> f64 {
    let bar = stage
        .timeline
        .time_signature()
        .unwrap_or(stage.motif.time_signature)
        .bar_length_beats();
    let grid = match stage.settings.launch_quantize {
        LaunchQuantize::Off => return beats,
        LaunchQuantize::Beat => 1.0,
        LaunchQuantize::Bar => bar,
    };
    // A position up to a sample past a grid line (fixed-point host positions) is on it.
    let tolerance = stage.timeline.beats_per_sample().max(BEAT_EPSILON);
    let origin = stage.timeline.bar_origin_beats();
    origin + ((beats - tolerance - origin) / grid).ceil() * grid
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::motif::{Note, TimeSignature};

    fn d_minor_motif() -> Motif {
        let mut motif = Motif::new(TimeSignature::new(4, 4), 120.0);
        for (i, key) in [62u8, 64, 65, 67, 69, 65, 61, 62].into_iter().enumerate() {
            motif.push(Note {
                start_beats: i as f64 * 0.5,
                length_beats: 0.45,
                key,
                velocity: 0.6,
                channel: 0,
            });
        }
        motif.locked_key = Key::parse("D:minor");
        motif.finish();
        motif
    }

    #[test]
    fn a_trigger_key_transposes_the_tonic_onto_itself_and_is_held_until_released() {
        let motif = d_minor_motif();
        let mut settings = LiveSettings {
            playback_mode: PlaybackMode::KeyTrigger,
            ..LiveSettings::default()
        };
        assert!(Follow::is_trigger_key(&settings, 45));
        let mut follow = Follow::default();
        // The reference is the tonic in octave 4 (D4, 62). A2 (45) lies 10 steps of D minor
        // below it: 3 steps down to A3, 7 more to A2.
        follow.press(&settings, &motif, 2, 45);
        assert_eq!(follow.trigger_key(), Some((2, 45)));
        assert_eq!(follow.shift().semitones, 0);
        assert_eq!(follow.shift().steps, -10);
        settings.trigger_transpose = TriggerTranspose::Chromatic;
        follow.press(&settings, &motif, 2, 45);
        assert_eq!(follow.shift().semitones, 45 - 62);
        follow.forget_trigger();
        assert_eq!(follow.trigger_key(), None);
    }
}
