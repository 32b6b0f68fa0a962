//! The live engine the plugin runs: one entry in three calls — [`LiveEngine::prepare`] (sample
//! rate), [`LiveEngine::reset`] (everything sounding ends, playback starts afresh) and
//! [`LiveEngine::process`] (one block: its settings, transport and input events in, its output
//! events out, in time order).
//!
//! Inside a block the engine walks the input events in time order: before each, the rendering
//! is scheduled up to the event's sample (a loop wrap or a finished phrase on the way is handled
//! at its own sample); then the event goes to capture and pass-through. Nothing here allocates
//! after [`LiveEngine::new`].

use super::follow::{realign_to_bars, rejoin_song, Follow, Stage};
use super::heard::{Hearing, HEARD_CHANNEL};
use super::library::{Library, NUM_SLOTS};
use super::locking::{HitLock, SecondsSource};
use super::pass_through::PassThrough;
use super::scheduler::Scheduler;
use super::settings::{capture_settings, LiveCapture, LiveSettings, PlaybackMode};
use super::timeline::{BlockInfo, Timeline, DEFAULT_SAMPLE_RATE_HZ};
use super::voices::Voices;
use std::borrow::Borrow;

use super::scheduler::Overlay;
use crate::engine::articulation::{LiveArticulator, Role};
use crate::engine::audio_capture::TrackerReadout;
use crate::engine::capture::PhraseCapture;
use crate::engine::character::render;
use crate::engine::event::{is_sustain_down, Event, EventKind, CC_SUSTAIN, NUM_CHANNELS, NUM_KEYS};
use crate::engine::event_buffer::EventBuffer;
use crate::engine::fill::Filler;
use crate::engine::hit_lock::{HitOutcome, Warp};
use crate::engine::key::Key;
use crate::engine::motif::Motif;
use crate::engine::picture::Picture;
use crate::engine::rendering::{Rendering, Voice, MAX_RENDER_CCS, MAX_RENDER_NOTES};

/// Input events per block the output buffer is sized for (the plugin's host queue is made this
/// large; more are still taken, and what does not fit in the output is counted as dropped, with
/// due note-offs sent first thing in the next block).
pub const MAX_IN_EVENTS_PER_BLOCK: usize = 8192;

/// Output buffer capacity that suffices for a block of up to `MAX_IN_EVENTS_PER_BLOCK` input
/// events: each passed through with an off before it (a displaced note), a release of every cell
/// and pedal, and the rendering's events of a window (each with a possible displacement).
pub const MAX_OUT_EVENTS_PER_BLOCK: usize = 2 * MAX_IN_EVENTS_PER_BLOCK
    + NUM_CHANNELS * NUM_KEYS
    + NUM_CHANNELS
    + 2 * (2 * MAX_RENDER_NOTES + MAX_RENDER_CCS);

/// The live engine. Owner: the audio thread. Built once with [`LiveEngine::new`] (allocates).
pub struct LiveEngine {
    timeline: Timeline,
    /// What the output sounds, whoever sent it.
    voices: Voices,
    pass_through: PassThrough,
    capture: Box<PhraseCapture>,
    library: Library,
    /// Increments whenever the rendering is redone.
    render_revision: u64,
    /// Increments whenever what [`rendering`](Self::rendering) shows changes (a new
    /// rendering, the fitted ending made again, or playback switching between them).
    shown_revision: u64,
    rendering: Rendering,
    scheduler: Scheduler,
    settings: LiveSettings,
    /// The rendering no longer matches settings, slot or trigger: render before scheduling.
    should_render: bool,
    /// Playback's reaction to the song and the trigger keys (owns the trigger key).
    follow: Follow,
    /// Next sample of the block still to schedule.
    cursor: u32,
    /// Motifs captured so far (to notice a new one).
    num_captured_seen: u64,
    /// The active slot's motif was replaced from outside: end its notes at the next block.
    restart_pending: bool,
    /// [`reset`](Self::reset) asked for everything to end at the next block's first sample.
    should_release_all: bool,
    /// The audio input's note tracker (made by [`prepare`](Self::prepare)) and its counters.
    hearing: Hearing,
    /// [`REPLACEMENT_GUARD_MS`] in samples at the prepared rate.
    replacement_guard_samples: u32,
    /// Hit lock: the picture's hits and the layout that lands on them.
    locking: Box<HitLock>,
    /// Whether the scheduler plays a hit-locked segment (to go back to the plain loop).
    lock_applied: bool,
    /// Song beat where the hit-locked segment in force ends (infinite when none).
    segment_until_beats: f64,
    /// Song beat where the stinger laid over the rendering ends and the next takes over
    /// (infinite when none).
    overlay_until_beats: f64,
    /// Taps of the tap key so far, and the picture time of the last, seconds.
    taps: (u64, f64),
    /// The buffers Fit fills in (made once: filling never allocates).
    filler: Box<Filler>,
    /// The buffers the fitted ending on the next `end` hit is made in (its rendering is
    /// played by the segment that ends on the cut).
    end_filler: Box<Filler>,
    /// What the fitted ending in `end_filler` was made for: (render revision, bars before the
    /// button, ring bars, whether it could be made).
    end_fit_made: Option<(u64, u32, f64, bool)>,
    /// Whether the segment in force plays the fitted ending (else the rendering).
    plays_end_fit: bool,
    /// Puts the sample library's switches in (its buffers made once).
    articulator: Box<LiveArticulator>,
    /// What goes out when a profile is chosen: the rendering and the fitted ending with
    /// their switches and leads.
    sent: Box<Sent>,
}

/// The articulated renderings (see [`LiveEngine::articulator`]).
struct Sent {
    /// Whether a profile is in force (else the plain renderings go out).
    articulated: bool,
    /// The rendering with its switches.
    rendering: Rendering,
    /// The fitted ending with its switches.
    end_fit: Rendering,
    /// The role of each note of the rendering (as [`LiveEngine::loop_rendering`] holds them).
    roles: Vec<Option<Role>>,
    /// The role of each note of the fitted ending.
    end_roles: Vec<Option<Role>>,
}

/// Segment changes of a hit-locked layout handled inside one stretch of samples (each locked
/// statement brings two: its start and the loop's return after it; more in one stretch means
/// statements shorter than the stretch, which play from the next stretch).
const MAX_SEGMENT_CHANGES_PER_STRETCH: usize = 8;

/// A rendering note due less than this before a captured phrase replaces the rendering is not
/// started (milliseconds): the replacement would end it at once, and a note a few samples long
/// is a click, not a note. Below the shortest note a player means (about 30 ms), above a host's
/// timing jitter of a few samples.
pub const REPLACEMENT_GUARD_MS: f64 = 10.0;

/// [`REPLACEMENT_GUARD_MS`] at `sample_rate_hz`, in samples.
fn guard_samples(sample_rate_hz: f64) -> u32 {
    (REPLACEMENT_GUARD_MS / 1000.0 * sample_rate_hz).round() as u32
}

impl Default for LiveEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveEngine {
    /// A new engine with empty slots, at 48 kHz until [`prepare`](Self::prepare). Allocates
    /// (call from `Default`/`initialize()`).
    pub fn new() -> Self {
        let settings = LiveSettings::default();
        Self {
            timeline: Timeline::default(),
            voices: Voices::new(),
            pass_through: PassThrough::default(),
            capture: Box::new(PhraseCapture::new(capture_settings(&settings))),
            library: Library::new(),
            render_revision: 0,
            shown_revision: 0,
            rendering: Rendering::new(),
            scheduler: Scheduler::new(),
            settings,
            should_render: true,
            follow: Follow::default(),
            cursor: 0,
            num_captured_seen: 0,
            restart_pending: false,
            should_release_all: false,
            hearing: Hearing::default(),
            replacement_guard_samples: guard_samples(DEFAULT_SAMPLE_RATE_HZ),
            locking: Box::default(),
            lock_applied: false,
            segment_until_beats: f64::INFINITY,
            overlay_until_beats: f64::INFINITY,
            taps: (0, 0.0),
            filler: Box::new(Filler::new()),
            end_filler: Box::new(Filler::new()),
            end_fit_made: None,
            plays_end_fit: false,
            articulator: Box::new(LiveArticulator::new()),
            sent: Box::new(Sent {
                articulated: false,
                rendering: Rendering::new(),
                end_fit: Rendering::new(),
                roles: Vec::with_capacity(MAX_RENDER_NOTES),
                end_roles: Vec::with_capacity(MAX_RENDER_NOTES),
            }),
        }
    }

    /// Sets the sample rate (activation) and makes the audio note tracker for it (allocates:
    /// call from `initialize()`/`activate()`). Whatever sounds ends at the next block and
    /// playback starts afresh, as after [`reset`](Self::reset).
    pub fn prepare(&mut self, sample_rate_hz: f64) {
        self.timeline.set_sample_rate(sample_rate_hz);
        self.scheduler.set_sample_rate(sample_rate_hz);
        self.replacement_guard_samples = guard_samples(self.timeline.sample_rate_hz());
        self.hearing
            .prepare(sample_rate_hz, self.settings.audio.tracker_settings(None));
        self.reset();
    }

    /// Everything sounding ends at the first sample of the next block, and playback starts
    /// afresh there (for host calls that cannot write events: reset, deactivate).
    pub fn reset(&mut self) {
        self.should_release_all = true;
        self.timeline.reset();
    }

    /// Processes one block: applies `settings` at its first sample, follows the transport, takes
    /// the input `events` (sorted by time, timings inside the block; hosts guarantee both, and
    /// anything else is clamped into order) and writes the output in time order. Events that do
    /// not fit in `out` are dropped and counted; a note-off that does not fit stays in the table
    /// and goes out with the next release.
    pub fn process<E: Borrow<Event>>(
        &mut self,
        block: &BlockInfo,
        settings: &LiveSettings,
        events: impl IntoIterator<Item = E>,
        out: &mut EventBuffer,
    ) {
        self.process_with_audio(block, settings, events, [&[], &[]], out);
    }

    /// [`process`](Self::process) with the block's stereo audio input (`[left, right]`, each
    /// `block.num_samples` long, or empty when there is none): when capture hears audio, the
    /// note tracker listens to it and the notes it hears enter the phrase capture at their
    /// onsets (see [`hear_audio`](Self::hear_audio)).
    pub fn process_with_audio<E: Borrow<Event>>(
        &mut self,
        block: &BlockInfo,
        settings: &LiveSettings,
        events: impl IntoIterator<Item = E>,
        audio: [&[f32]; 2],
        out: &mut EventBuffer,
    ) {
        self.begin_block(block, settings, out);
        self.hear_audio(audio, out);
        let last_sample = block.num_samples.saturating_sub(1);
        for event in events {
            let event = *event.borrow();
            let timing = event
                .timing_samples
                .clamp(self.cursor, last_sample.max(self.cursor));
            self.schedule_until(timing, out);
            self.handle_event(
                &Event {
                    timing_samples: timing,
                    ..event
                },
                out,
            );
        }
        self.schedule_until(block.num_samples, out);
        self.timeline.end_block();
    }

    /// The library's motifs (an empty motif = an empty slot).
    pub fn slots(&self) -> &[Motif; NUM_SLOTS] {
        self.library.slots()
    }

    /// Replaces a slot's motif (state load, import). If it is the active slot, its rendering's
    /// notes end at the next block start.
    pub fn set_slot(&mut self, slot: usize, motif: &Motif) {
        let changed = self.library.set(slot, motif);
        self.slot_changed(slot, changed);
    }

    /// Empties a slot (its rendering's notes end at the next block if it is active).
    pub fn clear_slot(&mut self, slot: usize) {
        let changed = self.library.clear(slot);
        self.slot_changed(slot, changed);
    }

    /// Locks (or with `None` unlocks) a slot's key.
    pub fn lock_key(&mut self, slot: usize, key: Option<Key>) {
        let changed = self.library.lock_key(slot, key);
        self.slot_changed(slot, changed);
    }

    fn slot_changed(&mut self, slot: usize, changed: bool) {
        if changed && slot == self.settings.active_slot {
            self.should_render = true;
            self.restart_pending = true;
        }
    }

    /// Changes whenever a slot's motif changes.
    pub fn library_revision(&self) -> u64 {
        self.library.revision()
    }

    /// Changes whenever the rendering is redone.
    pub fn render_revision(&self) -> u64 {
        self.render_revision
    }

    /// Changes whenever what [`rendering`](Self::rendering) shows changes (for the editor).
    pub fn shown_revision(&self) -> u64 {
        self.shown_revision
    }

    /// The active slot, 0-based.
    pub fn active_slot(&self) -> usize {
        self.settings.active_slot.min(NUM_SLOTS - 1)
    }

    /// Where playback is in the rendering, in rendering beats, or `None` when not playing.
    pub fn playhead_beats(&self) -> Option<f64> {
        let launch = self.scheduler.launch_beats()?;
        let length = self.rendering().length_beats;
        let position = self.timeline.beats_at(self.timeline.num_samples()) - launch;
        if length.is_nan() || length <= 0.0 || position < 0.0 {
            return None;
        }
        if self.scheduler.is_looping() {
            Some(position.rem_euclid(length))
        } else {
            (position < length).then_some(position)
        }
    }

    /// The rendering playing (the loop's, or the fitted ending while it plays), for display.
    pub fn rendering(&self) -> &Rendering {
        playing(self.plays_end_fit, &self.end_filler, &self.rendering)
    }

    /// The looping rendering (the character's, or Fit to bars'), whatever plays now.
    pub fn loop_rendering(&self) -> &Rendering {
        &self.rendering
    }

    /// What the output sounds now.
    pub fn voices(&self) -> &Voices {
        &self.voices
    }

    /// Where the scheduler's rendering beat 0 lies on the timeline, if playing.
    pub fn launch_beats(&self) -> Option<f64> {
        self.scheduler.launch_beats()
    }

    /// Rendered notes sent later than their articulation's delay asked (due too soon after a
    /// start or locate to go out that early).
    pub fn num_late(&self) -> u64 {
        self.scheduler.num_late()
    }

    /// The articulation each voice plays now (melody, doubling, harmony, bass — see
    /// [`Voice::channel_offset`]): the role of its last note started at the playhead, when a
    /// profile is in force and playback runs.
    pub fn sounding_roles(&self) -> [Option<Role>; 4] {
        let mut out = [None; 4];
        let Some(playhead) = self.playhead_beats() else {
            return out;
        };
        if !self.sent.articulated {
            return out;
        }
        let roles = if self.plays_end_fit {
            &self.sent.end_roles
        } else {
            &self.sent.roles
        };
        let notes = &self.rendering().notes;
        for (note, role) in notes.iter().zip(roles.iter()) {
            if note.start_beats > playhead {
                break;
            }
            let slot = usize::from(note.voice.channel_offset()).min(3);
            if note.voice != Voice::Keyswitch {
                out[slot] = *role;
            }
        }
        out
    }

    /// What goes out now (the rendering playing with its switches and leads, when a profile is
    /// in force), for tests and reports.
    pub fn sent_rendering(&self) -> &Rendering {
        sent(
            self.plays_end_fit,
            &self.end_filler,
            &self.rendering,
            &self.sent,
        )
    }

    /// Events dropped because an output buffer was full (rendering side).
    pub fn num_dropped(&self) -> u64 {
        self.scheduler.num_dropped()
    }

    /// Whether armed capture is armed now (it disarms itself once it took a phrase); false in
    /// the other capture modes.
    pub fn capture_is_armed(&self) -> bool {
        self.settings.capture == LiveCapture::Armed && self.capture.is_listening()
    }

    /// Phrase notes captured so far in the phrase in progress.
    pub fn num_phrase_notes(&self) -> usize {
        self.capture.num_phrase_notes()
    }

    /// Starts a block: a requested release, the settings, the timeline (stops, jumps, loop
    /// wraps at the boundary). May write events at sample 0.
    fn begin_block(&mut self, block: &BlockInfo, settings: &LiveSettings, out: &mut EventBuffer) {
        self.cursor = 0;
        self.voices.send_pending_releases(0, out);
        if self.should_release_all {
            if self.voices.release_all(0, out) == 0 {
                self.should_release_all = false;
            }
            // Every output note was just ended, the rendering's included.
            self.scheduler.stop(0, out, &mut self.voices);
            self.follow.forget_trigger();
        }
        let restart = std::mem::take(&mut self.restart_pending);
        self.apply_settings(settings, restart, out);
        let start = self
            .timeline
            .begin_block(block, self.settings.own_tempo_bpm);
        self.locking.begin_block(
            block.transport.and_then(|t| t.pos_seconds),
            &self.timeline,
            start.jumped,
        );
        // Capture records phrases in the metre and tempo in force.
        self.capture
            .set_time_signature(self.timeline.capture_time_signature());
        self.capture
            .set_bar_origin_beats(self.timeline.bar_origin_beats());
        self.capture.set_tempo_bpm(self.timeline.tempo_bpm());
        if let Some(end) = start.phrase_end_beats {
            // The phrase in progress ends where its clock stopped (taken just below).
            self.capture.flush(end);
        }
        let (follow, mut stage) = self.follow_parts();
        follow.follow_timeline(
            &mut stage,
            start.start_beats,
            0,
            start.jumped,
            start.previous_beats,
            out,
        );
        if start.regridded
            && self.settings.playback_mode == PlaybackMode::FollowTransport
            && self.timeline.is_playing()
            && self.scheduler.launch_beats().is_some()
        {
            realign_to_bars(&mut self.follow_parts().1, start.start_beats);
        }
        self.take_new_capture(0, out);
        if self.should_render {
            self.render_now();
        }
        self.apply_hit_lock(0);
    }

    /// Plans hit lock for this block and puts the segment in force at `sample` into the
    /// scheduler; goes back to the plain loop when hit lock stops.
    fn apply_hit_lock(&mut self, sample: u32) {
        let enabled = self.settings.hit_lock
            && self.settings.playback_mode == PlaybackMode::FollowTransport
            && self.timeline.is_playing()
            && self.scheduler.launch_beats().is_some();
        let metre = self
            .timeline
            .time_signature()
            .unwrap_or(self.library.slot(self.settings.active_slot).time_signature);
        let applied = self
            .scheduler
            .segment()
            .map(|(launch, warp, _, _)| (launch, warp));
        let active = self.locking.plan_block(
            enabled,
            self.settings.stingers_over,
            self.settings.looping,
            self.settings
                .fit_to_end_hit
                .then_some(self.settings.end_ring_bars),
            self.library
                .slot(self.settings.active_slot)
                .time_signature
                .bar_length_beats(),
            &self.timeline,
            metre,
            self.rendering.length_beats,
            applied,
            self.scheduler.handled_until_beats(),
        );
        if active {
            self.make_end_fit();
        } else {
            self.segment_until_beats = f64::INFINITY;
            self.overlay_until_beats = f64::INFINITY;
            self.scheduler.set_overlay(None);
            self.play_end_fit(false);
            if std::mem::take(&mut self.lock_applied) && self.scheduler.launch_beats().is_some() {
                let beats = self.timeline.beats_at(sample);
                rejoin_song(&mut self.follow_parts().1, beats);
            }
            return;
        }
        let beats = self.timeline.beats_at(sample);
        self.apply_segment_at(beats);
        self.apply_overlay_at(beats);
    }

    /// Makes the fitted ending hit lock planned (when it is not made yet for this rendering,
    /// these bars and this ring); one that cannot be made is dropped from the plan. Never
    /// allocates (the filler's buffers are made in [`new`](Self::new); `benches/fill.rs` has
    /// its worst case).
    fn make_end_fit(&mut self) {
        let Some(fit) = self.locking.end_fit() else {
            return;
        };
        let key = (self.render_revision, fit.body_bars, fit.ring_bars);
        let made = match self.end_fit_made {
            Some((revision, bars, ring, made)) if (revision, bars, ring) == key => made,
            _ => {
                let settings = self.render_settings();
                let motif = self.library.slot(self.settings.active_slot);
                let made = self
                    .end_filler
                    .fill_to_button(
                        motif,
                        &settings,
                        fit.body_bars,
                        fit.ring_bars,
                        self.timeline.tempo_bpm(),
                    )
                    .is_ok();
                if made {
                    self.articulator.articulate(
                        self.end_filler.rendering(),
                        self.settings.character.character,
                        &self.settings.articulation,
                        &mut self.sent.end_fit,
                        &mut self.sent.end_roles,
                    );
                }
                self.end_fit_made = Some((key.0, key.1, key.2, made));
                if self.plays_end_fit {
                    // The ending sounding was made again (a new take, a setting): its notes
                    // keep their ends, the new one plays on from here.
                    self.scheduler.rendering_replaced();
                    self.shown_revision = self.shown_revision.wrapping_add(1);
                }
                made
            }
        };
        if !made {
            self.locking.drop_end_fit();
        }
    }

    /// Switches what the scheduler plays between the rendering and the fitted ending (notes of
    /// the one keep their ends while the other plays on).
    fn play_end_fit(&mut self, plays: bool) {
        if plays != self.plays_end_fit {
            self.plays_end_fit = plays;
            self.scheduler.rendering_replaced();
            self.shown_revision = self.shown_revision.wrapping_add(1);
        }
    }

    /// Lays the stinger that sounds at song beat `beats`, or the next, over the rendering.
    fn apply_overlay_at(&mut self, beats: f64) {
        let segment = self.locking.overlay_at(beats);
        self.scheduler.set_overlay(segment.map(|s| Overlay {
            launch_beats: s.launch_beats,
            warp: s.warp,
            plays_beats: s.first_cycle_beats,
        }));
        self.overlay_until_beats = segment.map_or(f64::INFINITY, |s| s.until_beats);
    }

    /// Puts the hit-locked segment in force at song beat `beats` into the scheduler.
    fn apply_segment_at(&mut self, beats: f64) {
        let segment = self.locking.segment_at(beats);
        self.play_end_fit(segment.plays_end_fit);
        let wanted = (
            segment.launch_beats,
            segment.warp,
            segment.first_cycle_beats,
            segment.cycles_end_by_beats,
        );
        if self.scheduler.segment() != Some(wanted) {
            self.scheduler.lock_segment(
                segment.launch_beats,
                segment.warp,
                segment.first_cycle_beats,
                segment.cycles_end_by_beats,
                true,
            );
        }
        self.lock_applied = true;
        self.segment_until_beats = segment.until_beats;
    }

    /// Schedules up to `sample`, switching hit-locked segments and laid-over stingers at their
    /// own samples on the way.
    fn schedule_segments_until(&mut self, sample: u32, out: &mut EventBuffer) {
        for _ in 0..MAX_SEGMENT_CHANGES_PER_STRETCH {
            if !self.lock_applied || sample <= self.cursor {
                break;
            }
            let until = self.segment_until_beats.min(self.overlay_until_beats);
            if !until.is_finite() {
                break;
            }
            let at = self.timeline.window(self.cursor, sample).sample_of(until);
            if at >= f64::from(sample) {
                break;
            }
            let at = at.max(f64::from(self.cursor)) as u32;
            self.schedule_range(at, out);
            if self.segment_until_beats <= until {
                self.apply_segment_at(until);
            }
            if self.overlay_until_beats <= until {
                self.apply_overlay_at(until);
            }
        }
        self.schedule_range(sample, out);
    }

    /// Takes the picture (frame rate, start, hits) hit lock lands on. Plain copy: call from the
    /// audio thread with a value made elsewhere.
    pub fn set_picture(&mut self, picture: &Picture) {
        self.locking.set_picture(picture);
    }

    /// Takes the song's tempo map (changes from its zero) as imported, for hit lock to place
    /// hits by instead of the tempo in force while it agrees with the host (nothing is learnt
    /// over it). Never allocates.
    pub fn set_tempo_map(&mut self, changes: &[crate::engine::time_map::TempoChange]) {
        self.locking.set_tempo_map(changes);
    }

    /// The tempo map hit lock learnt from playback and its generation (counting its changes),
    /// unless a map was imported. Audio thread.
    pub fn learnt_tempo(&self) -> Option<(&crate::engine::picture::TempoList, u64)> {
        self.locking.learnt_tempo()
    }

    /// The fitted ending hit lock plans on the next `end` hit (Fit to end hit), if any, and its
    /// rendering (made when it is planned).
    pub fn end_fit(&self) -> Option<(super::locking::EndFit, &Rendering)> {
        self.locking
            .end_fit()
            .map(|fit| (fit, self.end_filler.rendering()))
    }

    /// The picture in force.
    pub fn picture(&self) -> &Picture {
        self.locking.picture()
    }

    /// What hit lock made of hit `index` (the picture's time order) at the last plan.
    pub fn hit_outcome(&self, index: usize) -> HitOutcome {
        self.locking.outcome(index)
    }

    /// Taps of the tap key so far, and the picture time of the last one, seconds.
    pub fn taps(&self) -> (u64, f64) {
        self.taps
    }

    /// Picture time at the current block's first sample, seconds (the host's, or integrated).
    pub fn block_seconds(&self) -> f64 {
        self.locking.block_seconds()
    }

    /// How far hit `index`'s note lands from it, seconds (0 = on it; `None` = it does not land).
    pub fn hit_miss_seconds(&self, index: usize) -> Option<f64> {
        self.locking.miss_seconds(index)
    }

    /// Where picture time comes from: the host's seconds, or beats ÷ tempo integrated.
    pub fn seconds_source(&self) -> SecondsSource {
        self.locking.seconds_source()
    }

    /// The hit-locked segment in force: (launch, first cycle's warp), if any.
    pub fn locked_segment(&self) -> Option<(f64, Warp)> {
        self.lock_applied
            .then(|| self.scheduler.segment().map(|(l, w, _, _)| (l, w)))
            .flatten()
    }

    fn apply_settings(&mut self, settings: &LiveSettings, restart: bool, out: &mut EventBuffer) {
        let previous = self.settings;
        if previous.structural_part() != settings.structural_part() || restart {
            self.scheduler.end_notes(0, out, &mut self.voices);
            self.should_render = true;
        } else if previous.playback_part() != settings.playback_part() {
            self.should_render = true;
            self.scheduler.rendering_replaced();
        }
        if previous.stops_playback(settings) {
            self.scheduler.stop(0, out, &mut self.voices);
            self.follow.forget_trigger();
        }
        if previous.looping != settings.looping {
            if let Some(launch) = self.scheduler.launch_beats() {
                self.scheduler.launch(launch, settings.looping);
            }
        }
        if previous.pass_through != settings.pass_through {
            self.pass_through
                .set_enabled(settings.pass_through, 0, &mut self.voices, out);
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

    /// Schedules the rendering up to (not including) `sample`, handling on the way a phrase
    /// whose silence gap ends and a loop wrap, each at its own sample.
    fn schedule_until(&mut self, sample: u32, out: &mut EventBuffer) {
        // A phrase whose silence gap ends inside this stretch completes at that very sample (not
        // at the next block start), before anything played after it is heard.
        if self.settings.capture != LiveCapture::Off && sample > self.cursor {
            if let Some(complete) = self.capture.completion_beats() {
                let at = self
                    .timeline
                    .window(self.cursor, sample)
                    .sample_of(complete);
                // Past a loop wrap in this stretch the wrap itself completes the phrase.
                let limit = self
                    .timeline
                    .pending_wrap()
                    .map_or(sample, |wrap| wrap.sample.min(sample));
                let guard = self.replacement_guard_samples;
                if at < limit as f64 {
                    let at = at.max(self.cursor as f64) as u32;
                    self.schedule_range_before_replacement(at, at.saturating_sub(guard), out);
                    let beats = complete.max(self.timeline.beats_at(at));
                    self.take_new_capture_at(at, beats, out);
                } else if limit == sample && at < f64::from(sample.saturating_add(guard)) {
                    // It completes just after this stretch: the onsets just before it wait too
                    // (by then they are past, so they are not sent late either). Should the
                    // phrase not complete after all — a key pressed in those last 10 ms, a tempo
                    // change, capture switched off — those onsets stay unplayed: a rare, short
                    // silence, where playing them would click in the common case.
                    let hold_from = (at as u32).saturating_sub(guard).max(self.cursor);
                    self.schedule_range_before_replacement(sample, hold_from, out);
                }
            }
        }
        if let Some(wrap) = self.timeline.pending_wrap() {
            if sample > wrap.sample {
                self.schedule_segments_until(wrap.sample, out);
                self.timeline.take_wrap();
                // The host loops back: the phrase in progress ends at the loop end, and from
                // here the timeline continues at the loop start.
                self.capture.flush(wrap.loop_end_beats);
                let (follow, mut stage) = self.follow_parts();
                follow.follow_timeline(
                    &mut stage,
                    wrap.loop_start_beats,
                    wrap.sample,
                    true,
                    Some(wrap.loop_end_beats),
                    out,
                );
                self.take_new_capture(wrap.sample, out);
                self.apply_hit_lock(wrap.sample);
            }
        }
        self.schedule_segments_until(sample, out);
    }

    /// [`schedule_range`](Self::schedule_range) up to `sample`, where a new motif replaces the
    /// rendering: onsets from `hold_from_sample` on are not started.
    fn schedule_range_before_replacement(
        &mut self,
        sample: u32,
        hold_from_sample: u32,
        out: &mut EventBuffer,
    ) {
        if sample <= self.cursor {
            return;
        }
        let window = self.timeline.window(self.cursor, sample);
        let rendering = sent(
            self.plays_end_fit,
            &self.end_filler,
            &self.rendering,
            &self.sent,
        );
        if self.settings.playback_mode != PlaybackMode::Off && !rendering.notes.is_empty() {
            self.scheduler.schedule_before_replacement(
                rendering,
                window,
                hold_from_sample,
                out,
                &mut self.voices,
            );
        }
        self.cursor = sample;
    }

    fn schedule_range(&mut self, sample: u32, out: &mut EventBuffer) {
        if sample <= self.cursor {
            return;
        }
        let window = self.timeline.window(self.cursor, sample);
        let rendering = sent(
            self.plays_end_fit,
            &self.end_filler,
            &self.rendering,
            &self.sent,
        );
        if self.settings.playback_mode != PlaybackMode::Off && !rendering.notes.is_empty() {
            self.scheduler
                .schedule(rendering, window, out, &mut self.voices);
        }
        self.cursor = sample;
    }

    fn handle_event(&mut self, event: &Event, out: &mut EventBuffer) {
        let timing = event.timing_samples;
        match event.kind {
            // A tap: a hit at this sample's picture time (its release goes on to pass-through,
            // which sends nothing for a key it never started).
            EventKind::NoteOn { key, velocity, .. }
                if velocity > 0.0 && self.settings.tap_key == Some(key) =>
            {
                if self.timeline.is_playing() {
                    let seconds = self.locking.block_seconds()
                        + f64::from(timing) / self.timeline.sample_rate_hz();
                    self.taps = (self.taps.0.wrapping_add(1), seconds);
                }
                return;
            }
            EventKind::NoteOn {
                channel,
                key,
                velocity,
                ..
            } if velocity > 0.0 && Follow::is_trigger_key(&self.settings, key) => {
                self.trigger(timing, channel, key, out);
                return;
            }
            // Only the release of the key that triggered is consumed; any other release goes on
            // to pass-through, so a note forwarded before the mode or range changed still ends.
            EventKind::NoteOn { channel, key, .. } | EventKind::NoteOff { channel, key, .. }
                if self.follow.trigger_key() == Some((channel, key)) =>
            {
                let (follow, mut stage) = self.follow_parts();
                follow.release(&mut stage, timing, out);
                return;
            }
            _ => {}
        }
        if self.settings.capture != LiveCapture::Off && self.settings.capture_source.hears_midi() {
            let beats = self.timeline.beats_at(timing);
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
                } => self.capture.sustain(beats, channel, is_sustain_down(value)),
                _ => {}
            }
            self.take_new_capture(timing, out);
        }
        self.pass_through.route(event, &mut self.voices, out);
    }

    /// If capture finished a phrase, it becomes the active slot's motif (see
    /// [`take_new_capture_at`](Self::take_new_capture_at)).
    fn take_new_capture(&mut self, timing: u32, out: &mut EventBuffer) {
        self.take_new_capture_at(timing, self.timeline.beats_at(timing), out);
    }

    /// Completes the phrase in progress if its silence gap has passed at `beats` (the beat of
    /// sample `timing`, or the exact completion beat), and puts a new motif into the active
    /// slot: the old rendering's notes end at `timing` and the new one comes in at the next
    /// launch point, as after a jump.
    fn take_new_capture_at(&mut self, timing: u32, beats: f64, out: &mut EventBuffer) {
        if self.settings.capture != LiveCapture::Off {
            self.capture.advance(beats);
        }
        let captured = self.capture.num_captured();
        if captured == self.num_captured_seen {
            return;
        }
        self.num_captured_seen = captured;
        self.library
            .take_capture(self.settings.active_slot, self.capture.motif());
        self.scheduler.end_notes(timing, out, &mut self.voices);
        self.render_now();
        if self.settings.playback_mode == PlaybackMode::FollowTransport
            && self.timeline.is_playing()
            && self.scheduler.launch_beats().is_some()
        {
            rejoin_song(&mut self.follow_parts().1, beats);
            self.apply_hit_lock(timing);
        }
    }

    /// The character settings a rendering (or a fit) is made with now: the trigger's shift in
    /// key-trigger mode, the tempo in force.
    fn render_settings(&self) -> crate::engine::character::CharacterSettings {
        let mut settings = self.settings.character;
        if self.settings.playback_mode == PlaybackMode::KeyTrigger {
            let shift = self.follow.shift();
            settings.transpose_semitones += shift.semitones;
            settings.transpose_steps += shift.steps;
        }
        settings.playback_tempo_bpm = Some(self.timeline.tempo_bpm());
        settings
    }

    fn render_now(&mut self) {
        self.should_render = false;
        self.scheduler.rendering_changed();
        self.render_revision = self.render_revision.wrapping_add(1);
        self.shown_revision = self.shown_revision.wrapping_add(1);
        let settings = self.render_settings();
        let motif = self.library.slot(self.settings.active_slot);
        // Fit: a variation of exactly the bars asked for; should it fail (no key, too many
        // notes), the character's own rendering plays.
        let fitted = self.settings.fit_bars.and_then(|bars| {
            self.filler
                .fill_bars(motif, &settings, bars, self.timeline.tempo_bpm())
                .ok()
        });
        match fitted {
            Some(fill) => self.rendering.clone_from(fill),
            None => render(motif, &settings, &mut self.rendering),
        }
        self.sent.articulated = self.articulator.articulate(
            &self.rendering,
            self.settings.character.character,
            &self.settings.articulation,
            &mut self.sent.rendering,
            &mut self.sent.roles,
        );
        self.locking
            .set_rendering(&self.rendering, self.settings.character.character);
    }

    /// Following and what it acts on, lent for one call.
    fn follow_parts(&mut self) -> (&mut Follow, Stage<'_>) {
        (
            &mut self.follow,
            Stage {
                settings: &self.settings,
                timeline: &self.timeline,
                motif: self.library.slot(self.settings.active_slot),
                scheduler: &mut self.scheduler,
                voices: &mut self.voices,
            },
        )
    }

    /// Starts the rendering at `timing`, transposed so the motif's tonic lands on `key`.
    fn trigger(&mut self, timing: u32, channel: u8, key: u8, out: &mut EventBuffer) {
        self.scheduler.end_notes(timing, out, &mut self.voices);
        let motif = self.library.slot(self.settings.active_slot);
        self.follow.press(&self.settings, motif, channel, key);
        self.render_now();
        self.scheduler
            .launch(self.timeline.beats_at(timing), self.settings.looping);
    }

    /// Tracks this block's audio when capture hears audio (else ends a note the tracker was
    /// following), and gives what it heard to capture at the onsets.
    fn hear_audio(&mut self, audio: [&[f32]; 2], out: &mut EventBuffer) {
        let listening =
            self.settings.capture != LiveCapture::Off && self.settings.capture_source.hears_audio();
        let locked_key = self.library.slot(self.active_slot()).locked_key;
        let tracker_settings = self.settings.audio.tracker_settings(locked_key);
        let heard = self.hearing.hear(audio, listening, tracker_settings);
        for (offset_samples, note) in heard.iter() {
            let beats = self.timeline.beats_at_offset(offset_samples);
            if note.is_on {
                self.capture
                    .note_on(beats, HEARD_CHANNEL, note.key, note.velocity);
            } else {
                // The note is kept as the key its whole pitch says (a vibrato's centre).
                if note.final_key != note.key {
                    self.capture
                        .retune(beats, HEARD_CHANNEL, note.key, note.final_key);
                }
                self.capture.note_off(beats, HEARD_CHANNEL, note.final_key);
            }
            self.take_new_capture(0, out);
        }
    }

    /// What the audio input sounds like now (level, live pitch, the note being heard), or
    /// `None` before [`prepare`](Self::prepare).
    pub fn audio_readout(&self) -> Option<TrackerReadout> {
        self.hearing.readout()
    }

    /// Heard notes dropped because a block held more than
    /// [`MAX_HEARD_PER_BLOCK`](super::heard::MAX_HEARD_PER_BLOCK).
    pub fn num_heard_dropped(&self) -> u64 {
        self.hearing.num_dropped()
    }
}

/// What goes out: what [`playing`] says, with its switches when a profile is in force.
fn sent<'a>(
    plays_end_fit: bool,
    end_filler: &'a Filler,
    rendering: &'a Rendering,
    sent: &'a Sent,
) -> &'a Rendering {
    match (sent.articulated, plays_end_fit) {
        (true, true) => &sent.end_fit,
        (true, false) => &sent.rendering,
        (false, _) => playing(plays_end_fit, end_filler, rendering),
    }
}

/// What the scheduler plays: the fitted ending while it plays (`plays_end_fit`), else the
/// rendering. A free function, so the scheduler can be borrowed beside it.
fn playing<'a>(
    plays_end_fit: bool,
    end_filler: &'a Filler,
    rendering: &'a Rendering,
) -> &'a Rendering {
    if plays_end_fit {
        end_filler.rendering()
    } else {
        rendering
    }
}
