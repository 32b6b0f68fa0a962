//! How playback follows the timeline and the trigger keys: it stops with the transport, rejoins
//! the song at the next launch point after a jump, and in key-trigger mode belongs to the held
//! key (carrying on across loop wraps, jumps and stops while the key is held).

use super::engine::LiveEngine;
use super::settings::{LaunchQuantize, PlaybackMode, TriggerTranspose};
use crate::engine::event_buffer::EventBuffer;
use crate::engine::key::{Key, Mode};
use crate::engine::motif::BEAT_EPSILON;
use crate::engine::scale::Scale;

/// Transposition a held trigger key adds to the rendering.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TriggerShift {
    /// Chromatic shift, semitones.
    pub semitones: i32,
    /// Diatonic shift, scale steps.
    pub steps: i32,
}

impl LiveEngine {
    /// Playback's reaction to the timeline at `timing` (block start or a loop wrap): stops with
    /// the transport, and after a jump ends the sounding notes and rejoins the rendering.
    /// `previous_beats` is where the old timeline would have been at `timing`.
    pub(super) fn follow_timeline(
        &mut self,
        start: f64,
        timing: u32,
        jumped: bool,
        previous_beats: Option<f64>,
        out: &mut EventBuffer,
    ) {
        let launched = self.scheduler.launch_beats().is_some();
        match self.settings.playback_mode {
            PlaybackMode::Off => {
                if launched {
                    self.scheduler.stop(timing, out, &mut self.voices);
                }
            }
            PlaybackMode::FollowTransport => {
                if !self.timeline.is_playing() {
                    if launched || self.rendering_sounds() {
                        self.scheduler.stop(timing, out, &mut self.voices);
                    }
                    return;
                }
                if !jumped && launched {
                    return;
                }
                self.scheduler.end_notes(timing, out, &mut self.voices);
                self.rejoin_song(start);
            }
            PlaybackMode::KeyTrigger => {
                if jumped && launched {
                    match (self.trigger_key, previous_beats) {
                        // The key is still held: a triggered rendering belongs to the key, not
                        // to the song, so it carries on across loop wraps, jumps and stops.
                        (Some(_), Some(previous)) => self
                            .scheduler
                            .shift_timeline(start - previous, &mut self.voices),
                        _ => {
                            self.scheduler.stop(timing, out, &mut self.voices);
                            self.trigger_key = None;
                        }
                    }
                }
            }
        }
    }

    /// Follow-transport playback (re)joins the song at the launch point at or after `beats`.
    pub(super) fn rejoin_song(&mut self, beats: f64) {
        let launch_point = self.launch_point(beats);
        if self.settings.looping {
            // Looping renderings are locked to the song's bar grid (bar 1, or the first bar of
            // the current metre, is a rendering beat 0), so a position always sounds the same,
            // whatever happened before. Sound starts at the launch point.
            self.scheduler
                .launch_from(self.timeline.bar_origin_beats(), true, launch_point);
        } else {
            self.scheduler.launch(launch_point, false);
        }
    }

    /// The song's bar grid moved at `beats` (a metre change): a looping rendering realigns to
    /// the new bars from their first bar line — if the host reported the change only at the
    /// first block start after that bar line, the onsets since it go out at once rather than a
    /// bar later — and a one-shot from the next launch point. What sounds plays out.
    pub(super) fn realign_to_bars(&mut self, beats: f64) {
        let origin = self.timeline.bar_origin_beats();
        let passed_beats = beats - origin;
        let just_passed =
            (0.0..=self.timeline.last_block_beats() + BEAT_EPSILON).contains(&passed_beats);
        if self.settings.looping && just_passed {
            self.scheduler.launch_from(origin, true, origin);
            self.scheduler.catch_up_from(origin);
        } else {
            self.rejoin_song(beats);
        }
    }

    /// The launch point at or after `beats` per the launch quantize setting, on the song's bar
    /// grid (bars of the song's metre, the motif's without a host metre, from the grid origin).
    pub(super) fn launch_point(&self, beats: f64) -> f64 {
        let bar = self
            .timeline
            .time_signature()
            .unwrap_or(self.library.slot(self.settings.active_slot).time_signature)
            .bar_length_beats();
        let grid = match self.settings.launch_quantize {
            LaunchQuantize::Off => return beats,
            LaunchQuantize::Beat => 1.0,
            LaunchQuantize::Bar => bar,
        };
        // A position up to a sample past a grid line (fixed-point host positions) is on it.
        let tolerance = self.timeline.beats_per_sample().max(BEAT_EPSILON);
        let origin = self.timeline.bar_origin_beats();
        origin + ((beats - tolerance - origin) / grid).ceil() * grid
    }

    pub(super) fn is_trigger_key(&self, key: u8) -> bool {
        self.settings.playback_mode == PlaybackMode::KeyTrigger
            && (self.settings.trigger_low_key..=self.settings.trigger_high_key).contains(&key)
    }

    /// Starts the rendering at `timing`, transposed so the motif's tonic lands on `key`.
    pub(super) fn trigger(&mut self, timing: u32, channel: u8, key: u8, out: &mut EventBuffer) {
        self.scheduler.end_notes(timing, out, &mut self.voices);
        let motif = self.library.slot(self.settings.active_slot);
        let motif_key = self
            .settings
            .character
            .key
            .or(motif.key())
            .unwrap_or(Key::new(0, Mode::Major));
        let reference = 60 + motif_key.tonic as i32;
        self.trigger_shift = match self.settings.trigger_transpose {
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
        self.render_now();
        self.scheduler
            .launch(self.timeline.beats_at(timing), self.settings.looping);
    }

    /// The trigger key was released: a looping rendering stops, a one-shot plays out.
    pub(super) fn release_trigger(&mut self, timing: u32, out: &mut EventBuffer) {
        self.trigger_key = None;
        if self.settings.looping {
            self.scheduler.stop(timing, out, &mut self.voices);
        }
    }
}
