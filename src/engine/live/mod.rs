//! The live engine the plugin runs in `process()`: capture → library slot → character rendering
//! → sample-accurate scheduler, plus pass-through of the notes played, on the host's timeline
//! (or the plugin's own tempo when the host gives none).
//!
//! Per block: [`LiveEngine::begin_block`] (settings, transport, jumps), then
//! [`LiveEngine::process_events`] for the block's input events (possibly in several chunks),
//! then [`LiveEngine::end_block`]. Output events come out in time order. Any change while notes
//! sound — settings, slot, a new captured motif, a transport stop, jump or loop wrap, a reset —
//! ends them at that sample (and lifts the pedal), then playback continues in the new setting
//! from the current position. Nothing here allocates after [`LiveEngine::new`].
//!
//! One concept per file: `settings.rs` (what the parameters decide), `timeline.rs` (transport →
//! beats at samples), and here the engine that ties capture, library, rendering and scheduler.

mod settings;
mod timeline;

pub use settings::{LaunchQuantize, LiveCapture, LiveSettings, PlaybackMode, TriggerTranspose};
pub use timeline::{BlockInfo, TransportInfo, ANCHOR_SNAP_SAMPLES, JUMP_TOLERANCE_BEATS};

use super::capture::PhraseCapture;
use super::character::render;
use super::event::{Event, EventKind, CC_SUSTAIN};
use super::event_buffer::EventBuffer;
use super::key::{Key, Mode};
use super::motif::{Motif, TimeSignature};
use super::processor::Processor;
use super::rendering::Rendering;
use super::scale::Scale;
use super::scheduler::Scheduler;
use settings::capture_settings;

/// Number of motif slots in the library.
pub const NUM_SLOTS: usize = 8;

/// The live engine. Owner: the audio thread. Built once with [`LiveEngine::new`] (allocates).
pub struct LiveEngine {
    processor: Processor,
    capture: Box<PhraseCapture>,
    slots: Box<[Motif; NUM_SLOTS]>,
    /// Increments whenever a slot's motif changes (for the plugin to publish the library).
    library_revision: u64,
    /// Increments whenever the rendering is redone.
    render_revision: u64,
    rendering: Rendering,
    scheduler: Scheduler,
    settings: LiveSettings,
    /// The rendering no longer matches settings, slot or trigger: render before scheduling.
    should_render: bool,
    /// Transposition added by the held trigger key: (semitones, steps).
    trigger_shift: (i32, i32),
    /// The trigger key being held (channel, key), in key-trigger mode.
    trigger_key: Option<(u8, u8)>,
    // Timeline of the current block.
    /// The timeline's anchor: a beat at an absolute sample; beats elsewhere are counted from it
    /// in whole samples (see [`BeatWindow`]), so they do not depend on block splits.
    anchor_beats: f64,
    /// Absolute sample position (since the engine started) of the anchor; fractional at a loop
    /// wrap, where the loop end falls between samples.
    anchor_sample: f64,
    /// Absolute sample of the current block's first sample.
    block_sample: u64,
    beats_per_sample: f64,
    num_samples: u32,
    playing: bool,
    on_host_timeline: bool,
    tempo_bpm: f64,
    time_signature: Option<TimeSignature>,
    /// The last metre the host gave (4/4 before any); capture uses it while the host gives none.
    last_host_time_signature: TimeSignature,
    /// Length of the last block, beats.
    last_block_beats: f64,
    /// Beat the next block should start at if nothing jumped.
    expected_next_beats: Option<f64>,
    /// The plugin's own clock, in beats at the own tempo.
    own_clock_beats: f64,
    /// Next sample of the block still to schedule.
    cursor: u32,
    /// Motifs captured so far (to notice a new one).
    num_captured_seen: u64,
    /// The active slot's motif was replaced from outside: end its notes at the next block.
    restart_pending: bool,
    /// A host loop wrap inside this block: (sample, loop start beat, loop end beat).
    pending_wrap: Option<(u32, f64, f64)>,
}

impl Default for LiveEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveEngine {
    /// A new engine with empty slots. Allocates (call from `Default`/`initialize()`).
    pub fn new() -> Self {
        let settings = LiveSettings::default();
        Self {
            processor: Processor::default(),
            capture: Box::new(PhraseCapture::new(capture_settings(&settings))),
            slots: Box::new(std::array::from_fn(|_| Motif::default())),
            library_revision: 0,
            render_revision: 0,
            rendering: Rendering::new(),
            scheduler: Scheduler::new(),
            settings,
            should_render: true,
            trigger_shift: (0, 0),
            trigger_key: None,
            anchor_beats: 0.0,
            anchor_sample: 0.0,
            block_sample: 0,
            beats_per_sample: 0.0,
            num_samples: 0,
            playing: false,
            on_host_timeline: false,
            tempo_bpm: 120.0,
            time_signature: None,
            last_host_time_signature: TimeSignature::default(),
            last_block_beats: 0.0,
            expected_next_beats: None,
            own_clock_beats: 0.0,
            cursor: 0,
            num_captured_seen: 0,
            restart_pending: false,
            pending_wrap: None,
        }
    }

    /// The library's motifs (an empty motif = an empty slot).
    pub fn slots(&self) -> &[Motif; NUM_SLOTS] {
        &self.slots
    }

    /// Replaces a slot's motif (state load, import). Ends the notes of the rendering at the next
    /// block start if it was the active slot.
    pub fn set_slot(&mut self, slot: usize, motif: &Motif) {
        if slot < NUM_SLOTS {
            self.slots[slot].clone_from(motif);
            self.library_revision += 1;
            if slot == self.settings.active_slot {
                self.should_render = true;
                self.restart_pending = true;
            }
        }
    }

    /// Changes whenever a slot's motif changes.
    pub fn library_revision(&self) -> u64 {
        self.library_revision
    }

    /// Changes whenever the rendering is redone.
    pub fn render_revision(&self) -> u64 {
        self.render_revision
    }

    /// The active slot, 0-based.
    pub fn active_slot(&self) -> usize {
        self.settings.active_slot.min(NUM_SLOTS - 1)
    }

    /// Where playback is in the rendering, in rendering beats, or `None` when not playing.
    pub fn playhead_beats(&self) -> Option<f64> {
        let launch = self.scheduler.launch_beats()?;
        let length = self.rendering.length_beats;
        let position = self.beats_at(self.num_samples) - launch;
        if length.is_nan() || length <= 0.0 || position < 0.0 {
            return None;
        }
        if self.scheduler.is_looping() {
            Some(position.rem_euclid(length))
        } else {
            (position < length).then_some(position)
        }
    }

    /// Empties a slot (its rendering's notes end at the next block if it is active).
    pub fn clear_slot(&mut self, slot: usize) {
        if slot < NUM_SLOTS {
            let empty = Motif::new(self.slots[slot].time_signature, self.slots[slot].tempo_bpm);
            self.set_slot(slot, &empty);
        }
    }

    /// Locks (or with `None` unlocks) a slot's key.
    pub fn lock_key(&mut self, slot: usize, key: Option<Key>) {
        if slot < NUM_SLOTS {
            let mut motif = self.slots[slot].clone();
            motif.locked_key = key;
            self.set_slot(slot, &motif);
        }
    }

    /// The current rendering (for display and tests).
    pub fn rendering(&self) -> &Rendering {
        &self.rendering
    }

    /// Where the scheduler's rendering beat 0 lies on the timeline, if playing.
    pub fn launch_beats(&self) -> Option<f64> {
        self.scheduler.launch_beats()
    }

    /// Events dropped because an output buffer was full (rendering side).
    pub fn num_dropped(&self) -> u64 {
        self.scheduler.num_dropped()
    }

    /// Phrase notes captured so far in the phrase in progress.
    pub fn num_phrase_notes(&self) -> usize {
        self.capture.num_phrase_notes()
    }

    /// Reset or deactivate: everything sounding ends at the first sample of the next block, and
    /// playback starts afresh.
    pub fn request_release_all(&mut self) {
        self.processor.request_release_all();
        self.expected_next_beats = None;
    }

    /// Starts a block: applies `settings`, reads the timeline, handles stops, jumps and loop
    /// wraps. May write events at sample 0.
    pub fn begin_block(
        &mut self,
        block: &BlockInfo,
        settings: &LiveSettings,
        out: &mut EventBuffer,
    ) {
        self.cursor = 0;
        self.num_samples = block.num_samples;
        if self.processor.release_if_requested(out) {
            // Every output note was just ended, rendering notes included.
            self.scheduler.forget();
            self.trigger_key = None;
        }
        let restart = std::mem::take(&mut self.restart_pending);
        self.apply_settings(settings, restart, out);
        self.read_timeline(block, out);
        self.take_new_capture(0, out);
        if self.should_render {
            self.render_now();
        }
    }

    /// Handles the block's input events (sorted, timings inside the block and not before
    /// earlier calls'), scheduling the rendering up to each event and finally up to
    /// `until_sample`.
    pub fn process_events(&mut self, events: &[Event], until_sample: u32, out: &mut EventBuffer) {
        for event in events {
            let timing = event.timing_samples.clamp(
                self.cursor,
                self.num_samples.saturating_sub(1).max(self.cursor),
            );
            self.schedule_until(timing, out);
            let event = Event {
                timing_samples: timing,
                ..*event
            };
            self.handle_event(&event, out);
        }
        self.schedule_until(until_sample.min(self.num_samples), out);
    }

    /// Finishes the block: schedules the rest and advances the clocks.
    pub fn end_block(&mut self, out: &mut EventBuffer) {
        self.schedule_until(self.num_samples, out);
        let block_beats = self.num_samples as f64 * self.beats_per_sample;
        self.expected_next_beats = Some(self.beats_at(self.num_samples));
        self.last_block_beats = block_beats;
        self.block_sample += self.num_samples as u64;
        if !self.on_host_timeline {
            self.own_clock_beats += block_beats;
        }
    }

    fn apply_settings(&mut self, settings: &LiveSettings, restart: bool, out: &mut EventBuffer) {
        let previous = self.settings;
        if previous.structural_part() != settings.structural_part() || restart {
            self.scheduler
                .end_notes(0, out, self.processor.sounding_mut());
            self.should_render = true;
        } else if previous.playback_part() != settings.playback_part() {
            self.should_render = true;
            self.scheduler.rendering_replaced();
        }
        if previous.playback_mode != settings.playback_mode
            || previous.launch_quantize != settings.launch_quantize
        {
            self.scheduler.stop(0, out, self.processor.sounding_mut());
            self.trigger_key = None;
        }
        if previous.looping != settings.looping {
            if let Some(launch) = self.scheduler.launch_beats() {
                self.scheduler.launch(launch, settings.looping);
            }
        }
        if previous.pass_through != settings.pass_through {
            self.processor
                .set_pass_through(settings.pass_through, 0, out);
        }
        if capture_settings(&previous) != capture_settings(settings) {
            self.capture.set_settings(capture_settings(settings));
        }
        if settings.capture == LiveCapture::Off && previous.capture != LiveCapture::Off {
            // Capture stops hearing the keyboard (off, or bypassed): a phrase in progress would
            // wait forever for the releases it no longer hears.
            self.capture.clear_phrase();
        }
        if settings.capture == LiveCapture::Armed && settings.arm && !previous.arm {
            self.capture.arm();
        }
        self.settings = *settings;
    }

    fn schedule_until(&mut self, sample: u32, out: &mut EventBuffer) {
        // A phrase whose silence gap ends inside this stretch completes at that very sample (not
        // at the next block start), before anything played after it is heard.
        if self.settings.capture != LiveCapture::Off && sample > self.cursor {
            if let Some(complete) = self.capture.completion_beats() {
                let at = self.window(self.cursor, sample).sample_of(complete);
                // Past a loop wrap in this stretch the wrap itself completes the phrase.
                let limit = self
                    .pending_wrap
                    .map_or(sample, |(wrap, _, _)| wrap.min(sample));
                if at < limit as f64 {
                    let at = at.max(self.cursor as f64) as u32;
                    self.schedule_range(at, out);
                    self.take_new_capture_at(at, complete.max(self.beats_at(at)), out);
                }
            }
        }
        if let Some((wrap_sample, loop_start, loop_end)) = self.pending_wrap {
            if sample > wrap_sample {
                self.schedule_range(wrap_sample, out);
                self.pending_wrap = None;
                // The host loops back: from here the timeline continues at the loop start.
                self.capture.flush(loop_end);
                // The new timeline starts exactly where the old one reaches the loop end.
                self.anchor_sample += (loop_end - self.anchor_beats) / self.beats_per_sample;
                self.anchor_beats = loop_start;
                self.follow_timeline(loop_start, wrap_sample, true, Some(loop_end), out);
                self.take_new_capture(wrap_sample, out);
            }
        }
        self.schedule_range(sample, out);
    }

    fn schedule_range(&mut self, sample: u32, out: &mut EventBuffer) {
        if sample <= self.cursor {
            return;
        }
        let window = self.window(self.cursor, sample);
        if self.settings.playback_mode != PlaybackMode::Off && !self.rendering.notes.is_empty() {
            self.scheduler
                .schedule(&self.rendering, window, out, self.processor.sounding_mut());
        }
        self.cursor = sample;
    }

    fn is_trigger_key(&self, key: u8) -> bool {
        self.settings.playback_mode == PlaybackMode::KeyTrigger
            && (self.settings.trigger_low_key..=self.settings.trigger_high_key).contains(&key)
    }

    fn handle_event(&mut self, event: &Event, out: &mut EventBuffer) {
        let timing = event.timing_samples;
        match event.kind {
            EventKind::NoteOn {
                channel,
                key,
                velocity,
                ..
            } if velocity > 0.0 && self.is_trigger_key(key) => {
                self.trigger(timing, channel, key, out);
                return;
            }
            // Only the release of the key that triggered is consumed; any other release goes on
            // to pass-through, so a note forwarded before the mode or range changed still ends.
            EventKind::NoteOn { channel, key, .. } | EventKind::NoteOff { channel, key, .. }
                if self.trigger_key == Some((channel, key)) =>
            {
                self.trigger_key = None;
                if self.settings.looping {
                    self.scheduler
                        .stop(timing, out, self.processor.sounding_mut());
                }
                return;
            }
            _ => {}
        }
        if self.settings.capture != LiveCapture::Off {
            let beats = self.beats_at(timing);
            match event.kind {
                EventKind::NoteOn {
                    channel,
                    key,
                    velocity,
                    ..
                } => self.capture.note_on(beats, channel, key, velocity),
                EventKind::NoteOff { channel, key, .. } => {
                    self.capture.note_off(beats, channel, key)
                }
                EventKind::ControlChange {
                    channel,
                    cc: CC_SUSTAIN,
                    value,
                } => self.capture.sustain(beats, channel, value >= 63.5 / 127.0),
                _ => {}
            }
            self.take_new_capture(timing, out);
        }
        self.processor.route(event, out);
    }

    /// Starts the rendering at `timing`, transposed so the motif's tonic lands on `key`.
    fn trigger(&mut self, timing: u32, channel: u8, key: u8, out: &mut EventBuffer) {
        self.scheduler
            .end_notes(timing, out, self.processor.sounding_mut());
        let motif = self.active_motif();
        let motif_key = self
            .settings
            .character
            .key
            .or(motif.key())
            .unwrap_or(Key::new(0, Mode::Major));
        let reference = 60 + motif_key.tonic as i32;
        self.trigger_shift = match self.settings.trigger_transpose {
            TriggerTranspose::Chromatic => (key as i32 - reference, 0),
            TriggerTranspose::Diatonic => {
                let scale = Scale::from(motif_key);
                (
                    0,
                    scale.position_of(key as i32).degree - scale.position_of(reference).degree,
                )
            }
        };
        self.trigger_key = Some((channel, key));
        self.render_now();
        self.scheduler
            .launch(self.beats_at(timing), self.settings.looping);
    }

    /// If capture finished a phrase, it becomes the active slot's motif: the rendering's notes end
    /// at `timing` and the new motif plays from the current position.
    fn take_new_capture(&mut self, timing: u32, out: &mut EventBuffer) {
        self.take_new_capture_at(timing, self.beats_at(timing), out);
    }

    /// Completes the phrase in progress if its silence gap has passed at `beats` (the beat of
    /// sample `timing`, or the exact completion beat), and puts a new motif into the active
    /// slot: its rendering comes in at the next launch point, as after a jump.
    fn take_new_capture_at(&mut self, timing: u32, beats: f64, out: &mut EventBuffer) {
        if self.settings.capture != LiveCapture::Off {
            self.capture.advance(beats);
        }
        let captured = self.capture.num_captured();
        if captured == self.num_captured_seen {
            return;
        }
        self.num_captured_seen = captured;
        let slot = self.settings.active_slot.min(NUM_SLOTS - 1);
        // The slot's key lock belongs to the slot: a new phrase keeps it (unless capture itself
        // brought a lock).
        let locked_key = self.slots[slot].locked_key;
        self.slots[slot].clone_from(self.capture.motif());
        if self.slots[slot].locked_key.is_none() {
            self.slots[slot].locked_key = locked_key;
        }
        self.library_revision += 1;
        self.scheduler
            .end_notes(timing, out, self.processor.sounding_mut());
        self.render_now();
        if self.settings.playback_mode == PlaybackMode::FollowTransport
            && self.playing
            && self.scheduler.launch_beats().is_some()
        {
            self.rejoin_song(beats);
        }
    }

    fn render_now(&mut self) {
        self.should_render = false;
        self.render_revision = self.render_revision.wrapping_add(1);
        let mut settings = self.settings.character;
        if self.settings.playback_mode == PlaybackMode::KeyTrigger {
            settings.transpose_semitones += self.trigger_shift.0;
            settings.transpose_steps += self.trigger_shift.1;
        }
        settings.playback_tempo_bpm = Some(self.tempo_bpm);
        let slot = self.settings.active_slot.min(NUM_SLOTS - 1);
        render(&self.slots[slot], &settings, &mut self.rendering);
    }
}
