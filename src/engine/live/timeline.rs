//! The live engine's timeline: each block's host transport (or the plugin's own clock) turned
//! into beats at samples, anchored so that positions do not depend on block splits; jumps,
//! loop wraps (also at block boundaries and as the framework reports them) and what playback
//! does about them.

use super::{LaunchQuantize, LiveEngine, PlaybackMode, NUM_SLOTS};
use crate::engine::event_buffer::EventBuffer;
use crate::engine::motif::{Motif, TimeSignature};
use crate::engine::scheduler::BeatWindow;

/// Smallest difference between a block's reported start and the predicted one that counts as
/// a jump (a locate), in beats; at least half the previous block's length counts too.
pub const JUMP_TOLERANCE_BEATS: f64 = 0.25;

/// How far (in samples) a block's reported start may lie from the anchored timeline and still
/// be taken as the same timeline (float noise in the host's or our own arithmetic).
pub const ANCHOR_SNAP_SAMPLES: f64 = 1e-3;

/// The host's transport for this block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransportInfo {
    /// Whether the host is playing.
    pub playing: bool,
    /// Tempo, BPM.
    pub tempo_bpm: f64,
    /// Beat position of the block's first sample.
    pub pos_beats: f64,
    /// The host's time signature, if given.
    pub time_signature: Option<TimeSignature>,
    /// The host's active loop (start, end) in beats, if looping.
    pub loop_range_beats: Option<(f64, f64)>,
}

/// One block as the host presents it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockInfo {
    /// Samples in the block.
    pub num_samples: u32,
    /// Sample rate, Hz.
    pub sample_rate: f64,
    /// The transport, or `None` when the host gives no usable tempo and position.
    pub transport: Option<TransportInfo>,
}

impl LiveEngine {
    pub(super) fn read_timeline(&mut self, block: &BlockInfo, out: &mut EventBuffer) {
        let sample_rate = if block.sample_rate.is_finite() && block.sample_rate > 0.0 {
            block.sample_rate
        } else {
            48_000.0
        };
        // Timeline: the host's while it plays. While it is stopped the plugin's own clock runs at
        // the host's tempo (played phrases still need time to pass); with no transport at all,
        // at the plugin's own tempo (and counts as playing).
        let valid = block
            .transport
            .filter(|t| t.tempo_bpm.is_finite() && t.tempo_bpm > 0.0 && t.pos_beats.is_finite());
        let (start, tempo, playing, on_host) = match valid {
            Some(t) if t.playing => (t.pos_beats, t.tempo_bpm, true, true),
            Some(t) => (
                self.own_clock_beats,
                t.tempo_bpm.clamp(1.0, 999.0),
                false,
                false,
            ),
            None => {
                let tempo = crate::engine::motif::sanitize_tempo_bpm(self.settings.own_tempo_bpm);
                (self.own_clock_beats, tempo, true, false)
            }
        };
        self.time_signature = block.transport.and_then(|t| t.time_signature);
        // Capture records phrases in the metre and tempo in force: the host's, or with no host
        // metre the last one it gave (4/4 before any).
        if let Some(metre) = self.time_signature {
            self.last_host_time_signature = metre;
        }
        self.capture
            .set_time_signature(self.last_host_time_signature);
        self.capture.set_tempo_bpm(tempo);
        let beats_per_sample = tempo / 60.0 / sample_rate;
        // A loop wrap at the block boundary: the prediction has reached the loop end and the
        // host is back inside the loop. Hosts report the loop start there, but through
        // nice-plug's CLAP wrapper a transport event inside a host block (a wrap reported
        // mid-block) arrives with the sub-block's offset × tempo added to its position, so the
        // reported start is not trusted: the timeline goes on from the loop start by exactly
        // what the prediction ran past the loop end.
        let boundary_wrap = match (
            self.expected_next_beats,
            valid.and_then(|t| t.loop_range_beats),
        ) {
            (Some(expected), Some((loop_start, loop_end)))
                if playing
                    && on_host
                    && self.on_host_timeline
                    && self.playing
                    && loop_end > loop_start
                    && (expected - loop_end).abs() <= beats_per_sample
                    && start < expected - beats_per_sample
                    && (loop_start - beats_per_sample..loop_end).contains(&start) =>
            {
                Some((loop_start + (expected - loop_end).max(0.0), loop_end))
            }
            _ => None,
        };
        let start = boundary_wrap.map_or(start, |(wrapped_start, _)| wrapped_start);
        // A block that starts off the prediction is a jump only when the difference is large in
        // musical terms: tempo ramps inside a block, tempo changes and fixed-point positions all
        // move the next block's start a little, and the scheduler continues seamlessly across
        // them (see `Scheduler::handled_until_beats`).
        let jumped = match self.expected_next_beats {
            Some(expected) => {
                let tolerance = JUMP_TOLERANCE_BEATS.max(0.5 * self.last_block_beats);
                on_host != self.on_host_timeline || (start - expected).abs() > tolerance
            }
            None => true,
        };
        let was_playing = self.playing;
        let source_changed = on_host != self.on_host_timeline;
        // Keep the anchor while the timeline runs on unchanged (the reported start is the
        // anchored one up to float noise); otherwise anchor at this block's start.
        let anchored =
            self.anchor_beats + (self.block_sample as f64 - self.anchor_sample) * beats_per_sample;
        let continues = !jumped
            && beats_per_sample == self.beats_per_sample
            && (start - anchored).abs() <= ANCHOR_SNAP_SAMPLES * beats_per_sample;
        if !continues {
            self.anchor_beats = start;
            self.anchor_sample = self.block_sample as f64;
        }
        let start =
            self.anchor_beats + (self.block_sample as f64 - self.anchor_sample) * beats_per_sample;
        self.beats_per_sample = beats_per_sample;
        self.tempo_bpm = tempo;
        self.playing = playing;
        self.on_host_timeline = on_host;
        if source_changed || (was_playing && !playing) || boundary_wrap.is_some() {
            // The phrase in progress ends where its clock stopped (taken by `take_new_capture`).
            let end = self.expected_next_beats.unwrap_or(start);
            self.capture.flush(end);
        }

        self.pending_wrap = None;
        if let Some((loop_start, loop_end)) = block.transport.and_then(|t| t.loop_range_beats) {
            let block_end = self.beats_at(block.num_samples);
            if playing && loop_end > loop_start && start < loop_end && loop_end < block_end {
                // The same rule as every scheduled event (`BeatWindow::sample_of`): the wrap's
                // sample is the one an event at the loop end would fall on, so such an event
                // belongs after the wrap (where the host is back at the loop start), never to
                // both sides of it.
                let sample = self
                    .window(0, block.num_samples)
                    .sample_of(loop_end)
                    .max(1.0) as u32;
                if sample < block.num_samples {
                    self.pending_wrap = Some((sample, loop_start, loop_end));
                }
            }
        }
        let previous = match boundary_wrap {
            Some((_, loop_end)) => Some(loop_end),
            None => self.expected_next_beats,
        };
        self.follow_timeline(start, 0, jumped, previous, out);
    }

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
        match self.settings.playback_mode {
            PlaybackMode::Off => {
                if self.scheduler.launch_beats().is_some() {
                    self.scheduler
                        .stop(timing, out, self.processor.sounding_mut());
                }
            }
            PlaybackMode::FollowTransport => {
                if !self.playing {
                    if self.scheduler.launch_beats().is_some() || self.scheduler.is_sounding() {
                        self.scheduler
                            .stop(timing, out, self.processor.sounding_mut());
                    }
                    return;
                }
                if !jumped && self.scheduler.launch_beats().is_some() {
                    return;
                }
                self.scheduler
                    .end_notes(timing, out, self.processor.sounding_mut());
                self.rejoin_song(start);
            }
            PlaybackMode::KeyTrigger => {
                if jumped && self.scheduler.launch_beats().is_some() {
                    match (self.trigger_key, previous_beats) {
                        // The key is still held: a triggered rendering belongs to the key, not
                        // to the song, so it carries on across loop wraps, jumps and stops.
                        (Some(_), Some(previous)) => {
                            self.scheduler.shift_timeline(start - previous)
                        }
                        _ => {
                            self.scheduler
                                .stop(timing, out, self.processor.sounding_mut());
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
            // Looping renderings are locked to the song: bar 1 is the rendering's beat 0, so a
            // position always sounds the same, whatever happened before. Sound starts at the
            // launch point.
            self.scheduler.launch_from(0.0, true, launch_point);
        } else {
            self.scheduler.launch(launch_point, false);
        }
    }

    /// The launch point at or after `beats` per the launch quantize setting.
    pub(super) fn launch_point(&self, beats: f64) -> f64 {
        let bar = self
            .time_signature
            .unwrap_or(self.active_motif().time_signature)
            .bar_length_beats();
        let grid = match self.settings.launch_quantize {
            LaunchQuantize::Off => return beats,
            LaunchQuantize::Beat => 1.0,
            LaunchQuantize::Bar => bar,
        };
        // A position up to a sample past a grid line (fixed-point host positions) is on it.
        ((beats - self.beats_per_sample.max(1e-9)) / grid).ceil() * grid
    }

    pub(super) fn active_motif(&self) -> &Motif {
        &self.slots[self.settings.active_slot.min(NUM_SLOTS - 1)]
    }

    pub(super) fn beats_at(&self, sample: u32) -> f64 {
        self.window(0, 0).beats_at(sample)
    }

    /// Samples `start_sample..end_sample` of the current block on the anchored timeline.
    pub(super) fn window(&self, start_sample: u32, end_sample: u32) -> BeatWindow {
        BeatWindow {
            anchor_beats: self.anchor_beats,
            anchor_offset_samples: self.block_sample as f64 - self.anchor_sample,
            beats_per_sample: self.beats_per_sample,
            start_sample,
            end_sample,
        }
    }
}
