//! The sample-accurate scheduler: plays a [`Rendering`] (musical time) against a block's beat
//! timeline (host transport or the plugin's own clock), looping or once, and guarantees that
//! every note it starts gets its note-off.
//!
//! Sample of an event at host beat `h` in a block starting at beat `b0` with `beats_per_sample`:
//! the first sample whose beat is at or after `h`, i.e. `ceil((h − b0) / beats_per_sample)`,
//! with a tolerance of [`SAMPLE_TOLERANCE`] samples: CLAP hosts send the song position in fixed
//! point (2⁻³¹ beat), which can land a hair past the exact beat. At one sample, note-offs come
//! before controllers, which come before note-ons.

use super::event::{Event, CC_SUSTAIN, NUM_CHANNELS, NUM_KEYS};
use super::event_buffer::EventBuffer;
use super::note_table::{Owner, SoundingNotes};
use super::rendering::{Rendering, MAX_RENDER_CCS, MAX_RENDER_NOTES};

/// How far (in samples) an event may lie past a sample boundary and still fall on it.
pub const SAMPLE_TOLERANCE: f64 = 0.01;

/// The owner-table cell of a (channel, key).
fn note_cell(channel: u8, key: u8) -> u32 {
    channel as u32 * NUM_KEYS as u32 + key as u32
}

/// Owner value meaning "no rendering note sounds here".
const NO_OWNER: u32 = u32::MAX;
/// Capacity of the per-window candidate list.
const MAX_WINDOW_EVENTS: usize = 2 * MAX_RENDER_NOTES + MAX_RENDER_CCS;

/// A stretch of samples with its beat timeline. Beats are counted from an anchor (a beat at a
/// sample) in whole samples, so a beat's sample does not depend on how the samples since the
/// anchor were split into blocks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeatWindow {
    /// Beat position of the anchor.
    pub anchor_beats: f64,
    /// Samples from the anchor to the block's first sample (a whole number; negative when the
    /// anchor lies inside the block, e.g. at a loop wrap).
    pub anchor_offset_samples: f64,
    /// Beats per sample (tempo / 60 / sample rate), > 0.
    pub beats_per_sample: f64,
    /// First sample of the window, relative to the block start.
    pub start_sample: u32,
    /// One past the last sample of the window, relative to the block start.
    pub end_sample: u32,
}

impl BeatWindow {
    /// The beat position of a sample of the block.
    pub fn beats_at(&self, sample: u32) -> f64 {
        self.anchor_beats + (self.anchor_offset_samples + sample as f64) * self.beats_per_sample
    }

    /// The latest beat whose events fall before `sample` (an event at beat `h` falls on
    /// `sample_of(h)`, so every `h` up to this one lands on an earlier sample).
    pub fn last_beat_before(&self, sample: u32) -> f64 {
        self.anchor_beats
            + (self.anchor_offset_samples + sample as f64 - 1.0 + SAMPLE_TOLERANCE)
                * self.beats_per_sample
    }

    /// The sample an event at beat `beats` goes out at if it is due in this window: it falls
    /// before the window's end; one that fell before the window's start (it was due earlier and
    /// is not yet sent) goes out at the window's first sample.
    pub fn due_sample(&self, beats: f64) -> Option<u32> {
        let sample = self.sample_of(beats);
        (sample < self.end_sample as f64).then(|| sample.max(self.start_sample as f64) as u32)
    }

    /// The block sample at which beat `beats` falls (may be outside the window).
    pub fn sample_of(&self, beats: f64) -> f64 {
        ((beats - self.anchor_beats) / self.beats_per_sample
            - self.anchor_offset_samples
            - SAMPLE_TOLERANCE)
            .ceil()
    }
}

/// One candidate event of a window, before sorting.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    sample: u32,
    /// 0 note-off, 1 controller, 2 note-on.
    rank: u8,
    /// Cycle of the loop the event belongs to.
    cycle: u32,
    /// Index into the rendering's notes or controller points.
    index: u32,
    /// Host beat of the event.
    beats: f64,
    /// For note-offs: the channel × key cell of the note to end.
    cell: u32,
}

/// A rendering note this scheduler has sounding. Its end is fixed when it starts, so a new
/// rendering (a shaping setting moved) never changes when a sounding note ends.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ActiveNote {
    /// Loop cycle and note index it was started from (its identity in the owner table).
    cycle: u32,
    index: u32,
    /// Channel × key cell.
    cell: u32,
    /// Host beat at which it ends.
    end_beats: f64,
    /// [`Scheduler::rendering_generation`] it was started under.
    generation: u32,
}

/// Plays a rendering. Owner: the audio thread. Built once with [`Scheduler::new`] (allocates the
/// window scratch list); everything else is allocation-free.
#[derive(Debug, Clone)]
pub struct Scheduler {
    /// Host beat where the rendering's beat 0 lies; `None` = not playing.
    launch_beats: Option<f64>,
    /// Note-ons and controllers before this host beat are skipped (a launch in the middle of a
    /// loop cycle starts sounding at the launch point, not before).
    mute_until_beats: f64,
    /// Whether the rendering repeats every `length_beats`.
    looping: bool,
    /// Host beat up to which onsets and controllers have been handled (sent or skipped), so the
    /// next window starts right after it whatever the next block's reported position: a block
    /// that starts a little later than predicted (a tempo ramp, position jitter) sends what fell
    /// in between at its first sample, one that starts a little earlier sends nothing twice.
    /// `None` after a launch: the first window starts at its own first sample.
    handled_until_beats: Option<f64>,
    /// For each channel × key: the id of the rendering note sounding there, or `NO_OWNER`.
    owner: [u32; NUM_CHANNELS * NUM_KEYS],
    /// The rendering notes sounding now; mirrors `owner`. Fixed capacity (one per channel × key).
    active: Vec<ActiveNote>,
    /// Channels on which this scheduler put the sustain pedal down.
    pedal_down: [bool; NUM_CHANNELS],
    /// Per-window scratch list (fixed capacity).
    candidates: Vec<Candidate>,
    /// Increments when the rendering is replaced while notes sound ([`Self::rendering_replaced`]).
    rendering_generation: u32,
    /// Events not written because the output buffer was full.
    num_dropped: u64,
}

impl Default for Scheduler {
    fn default() -> Self {
        Self::new()
    }
}

impl Scheduler {
    /// A stopped scheduler. Allocates its scratch list.
    pub fn new() -> Self {
        Self {
            launch_beats: None,
            mute_until_beats: f64::NEG_INFINITY,
            looping: true,
            handled_until_beats: None,
            owner: [NO_OWNER; NUM_CHANNELS * NUM_KEYS],
            active: Vec::with_capacity(NUM_CHANNELS * NUM_KEYS),
            pedal_down: [false; NUM_CHANNELS],
            candidates: Vec::with_capacity(MAX_WINDOW_EVENTS),
            rendering_generation: 0,
            num_dropped: 0,
        }
    }

    /// Starts the rendering with its beat 0 at host beat `launch_beats`.
    pub fn launch(&mut self, launch_beats: f64, looping: bool) {
        self.launch_from(launch_beats, looping, f64::NEG_INFINITY);
    }

    /// Starts the rendering with its beat 0 at host beat `launch_beats`, sounding only from host
    /// beat `start_beats` on (a loop joined in the middle of a cycle).
    pub fn launch_from(&mut self, launch_beats: f64, looping: bool, start_beats: f64) {
        self.launch_beats = launch_beats.is_finite().then_some(launch_beats);
        self.looping = looping;
        self.mute_until_beats = start_beats;
        self.handled_until_beats = None;
    }

    /// The rendering was replaced by one with other shaping (intensity, humanize, …) while its
    /// notes may sound: they keep their own ends, and an onset of the new rendering on a key
    /// that such a note still holds is taken as that note (no second strike, no cut).
    pub fn rendering_replaced(&mut self) {
        self.rendering_generation = self.rendering_generation.wrapping_add(1);
    }

    /// The host timeline moved by `delta_beats` (a loop wrap, a jump, a stop onto the plugin's
    /// own clock) while the rendering should carry on where it was: every position it keeps
    /// moves with it, so sounding notes end and the next ones start as if nothing happened.
    pub fn shift_timeline(&mut self, delta_beats: f64) {
        if !delta_beats.is_finite() {
            return;
        }
        if let Some(launch) = self.launch_beats.as_mut() {
            *launch += delta_beats;
        }
        self.mute_until_beats += delta_beats;
        if let Some(handled) = self.handled_until_beats.as_mut() {
            *handled += delta_beats;
        }
        for active in &mut self.active {
            active.end_beats += delta_beats;
        }
    }

    /// Whether the rendering repeats.
    pub fn is_looping(&self) -> bool {
        self.looping
    }

    /// Where the rendering's beat 0 lies, if launched.
    pub fn launch_beats(&self) -> Option<f64> {
        self.launch_beats
    }

    /// Whether any rendering note or pedal is sounding.
    pub fn is_sounding(&self) -> bool {
        self.owner.iter().any(|&o| o != NO_OWNER) || self.pedal_down.iter().any(|&d| d)
    }

    /// Events dropped because the output was full.
    pub fn num_dropped(&self) -> u64 {
        self.num_dropped
    }

    /// Ends every rendering note (and lifts the pedals it put down) at `timing_samples`, keeping
    /// the launch point so playback can continue from the current position.
    pub fn end_notes(
        &mut self,
        timing_samples: u32,
        out: &mut EventBuffer,
        sounding: &mut SoundingNotes,
    ) {
        for cell in 0..self.owner.len() {
            if self.owner[cell] == NO_OWNER {
                continue;
            }
            let (channel, key) = ((cell / NUM_KEYS) as u8, (cell % NUM_KEYS) as u8);
            // Someone else (a played note-off on the same key) may already have ended it.
            if sounding.owner(channel, key) != Some(Owner::Rendering) {
                self.clear_owner(cell);
                continue;
            }
            if out
                .push(Event::note_off(timing_samples, channel, key, 0.0, None))
                .is_ok()
            {
                sounding.note_off(channel, key);
                self.clear_owner(cell);
            } else {
                self.num_dropped += 1;
            }
        }
        for channel in 0..NUM_CHANNELS {
            if self.pedal_down[channel] {
                if out
                    .push(Event::control_change(
                        timing_samples,
                        channel as u8,
                        CC_SUSTAIN,
                        0.0,
                    ))
                    .is_ok()
                {
                    sounding.control_change(channel as u8, CC_SUSTAIN, 0.0, Owner::Rendering);
                    self.pedal_down[channel] = false;
                } else {
                    self.num_dropped += 1;
                }
            }
        }
    }

    /// [`end_notes`](Self::end_notes) and forget the launch point.
    pub fn stop(
        &mut self,
        timing_samples: u32,
        out: &mut EventBuffer,
        sounding: &mut SoundingNotes,
    ) {
        self.end_notes(timing_samples, out, sounding);
        self.launch_beats = None;
        self.handled_until_beats = None;
    }

    /// Forgets what sounds without sending anything (someone else already ended it all, e.g. the
    /// plugin's release of every output note on reset) and stops.
    pub fn forget(&mut self) {
        self.owner = [NO_OWNER; NUM_CHANNELS * NUM_KEYS];
        self.active.clear();
        self.pedal_down = [false; NUM_CHANNELS];
        self.launch_beats = None;
        self.handled_until_beats = None;
    }

    /// Writes the rendering's events that fall inside `window`, in time order.
    pub fn schedule(
        &mut self,
        rendering: &Rendering,
        window: BeatWindow,
        out: &mut EventBuffer,
        sounding: &mut SoundingNotes,
    ) {
        let Some(launch) = self.launch_beats else {
            return;
        };
        if window.end_sample <= window.start_sample
            || !(window.beats_per_sample.is_finite() && window.beats_per_sample > 0.0)
            || rendering.notes.is_empty()
        {
            return;
        }
        let length = rendering.length_beats;
        if !(length.is_finite() && length > 0.0) {
            return;
        }
        // Onsets and controllers due in this window: after what was handled, up to the last
        // beat before the window's end.
        let window_first = window.last_beat_before(window.start_sample);
        let due_after = self.handled_until_beats.unwrap_or(window_first);
        let due_until = window.last_beat_before(window.end_sample);
        self.handled_until_beats = Some(due_after.max(due_until));
        // Rendering-local beats covered (a sample of margin; the due test below decides).
        let local_start = due_after.min(window_first) - launch - window.beats_per_sample;
        let local_end = window.beats_at(window.end_sample) - launch + window.beats_per_sample;
        if local_end < 0.0 {
            return;
        }
        let first_cycle = if self.looping {
            (local_start / length).floor().max(0.0) as u64
        } else {
            0
        };
        let last_cycle = if self.looping {
            (local_end / length).floor().max(0.0) as u64
        } else {
            0
        };
        self.candidates.clear();
        // Note-offs: only notes this scheduler has sounding can end, and every one whose end is
        // due goes out (at its sample, or at the first one if it is already past).
        for active_idx in 0..self.active.len() {
            let active = self.active[active_idx];
            if let Some(sample) = window.due_sample(active.end_beats) {
                self.push_candidate(Candidate {
                    sample,
                    rank: 0,
                    cycle: active.cycle,
                    index: active.index,
                    beats: active.end_beats,
                    cell: active.cell,
                });
            }
        }
        for cycle in first_cycle..=last_cycle.min(first_cycle + 64) {
            let offset = launch + cycle as f64 * length;
            // Rendering-local span of the window in this cycle.
            let span = (local_start + launch - offset, local_end + launch - offset);
            let due = (due_after, due_until);
            let first_note = rendering.notes.partition_point(|n| n.start_beats < span.0);
            self.push_span(
                rendering.notes.len(),
                first_note,
                |i| rendering.notes[i].start_beats,
                2,
                cycle as u32,
                offset,
                span.1,
                due,
                &window,
            );
            let first_point = rendering.ccs.partition_point(|p| p.beats < span.0);
            self.push_span(
                rendering.ccs.len(),
                first_point,
                |i| rendering.ccs[i].beats,
                1,
                cycle as u32,
                offset,
                span.1,
                due,
                &window,
            );
        }
        // A note that starts and ends inside this window gets its note-off here too (at least a
        // sample after its onset; when there is no later sample in the window, the next window's
        // note-off scan ends it at its first sample).
        for i in 0..self.candidates.len() {
            let onset = self.candidates[i];
            if onset.rank != 2 {
                continue;
            }
            let note = rendering.notes[onset.index as usize];
            let end = onset.beats + note.length_beats;
            if let Some(sample) = window.due_sample(end) {
                let sample = sample.max(onset.sample + 1);
                if sample < window.end_sample {
                    self.push_candidate(Candidate {
                        sample,
                        rank: 0,
                        beats: end,
                        cell: note_cell(note.channel, note.key),
                        ..onset
                    });
                }
            }
        }
        // Unique keys (cycle, index and cell included: after a re-render an older note and a
        // new one can share cycle and index), so an unstable sort is deterministic.
        self.candidates
            .sort_unstable_by_key(|c| (c.sample, c.rank, c.cycle, c.index, c.cell));
        for i in 0..self.candidates.len() {
            let candidate = self.candidates[i];
            match candidate.rank {
                2 => self.note_on(rendering, candidate, out, sounding),
                0 => self.note_off(candidate, out, sounding),
                _ => self.controller(rendering, candidate, out, sounding),
            }
        }
    }

    /// Adds the onsets (`rank` 2) or controller points (`rank` 1) of one loop cycle that fall in
    /// the window. The items are sorted by time (`beats_of`), so the scan starts at `first` and
    /// stops past `span_end_beats`; anything before the mute point is skipped (a note without an
    /// onset never gets an owner, so its note-off is skipped too).
    #[allow(clippy::too_many_arguments)]
    fn push_span(
        &mut self,
        count: usize,
        first: usize,
        beats_of: impl Fn(usize) -> f64,
        rank: u8,
        cycle: u32,
        offset_beats: f64,
        span_end_beats: f64,
        (due_after, due_until): (f64, f64),
        window: &BeatWindow,
    ) {
        for index in first..count {
            let beats = beats_of(index);
            if beats > span_end_beats {
                break;
            }
            let host_beats = offset_beats + beats;
            if host_beats < self.mute_until_beats - 1e-9
                || host_beats <= due_after
                || host_beats > due_until
            {
                continue;
            }
            if let Some(sample) = window.due_sample(host_beats) {
                self.push_candidate(Candidate {
                    sample,
                    rank,
                    cycle,
                    index: index as u32,
                    beats: host_beats,
                    cell: 0,
                });
            }
        }
    }

    fn push_candidate(&mut self, candidate: Candidate) {
        if self.candidates.len() < self.candidates.capacity() {
            self.candidates.push(candidate);
        } else {
            self.num_dropped += 1;
        }
    }

    fn set_owner(&mut self, cell: usize, candidate: Candidate, end_beats: f64) {
        self.clear_owner(cell);
        self.owner[cell] = Self::note_uid(candidate);
        if self.active.len() < self.active.capacity() {
            self.active.push(ActiveNote {
                cycle: candidate.cycle,
                index: candidate.index,
                cell: cell as u32,
                end_beats,
                generation: self.rendering_generation,
            });
        }
    }

    fn clear_owner(&mut self, cell: usize) {
        if self.owner[cell] == NO_OWNER {
            return;
        }
        self.owner[cell] = NO_OWNER;
        if let Some(position) = self.active.iter().position(|a| a.cell as usize == cell) {
            self.active.swap_remove(position);
        }
    }

    fn note_uid(candidate: Candidate) -> u32 {
        ((candidate.cycle & 0x7FFFF) << 12) | (candidate.index & 0xFFF)
    }

    fn note_on(
        &mut self,
        rendering: &Rendering,
        candidate: Candidate,
        out: &mut EventBuffer,
        sounding: &mut SoundingNotes,
    ) {
        let note = rendering.notes[candidate.index as usize];
        let cell = note_cell(note.channel, note.key) as usize;
        // A note of an earlier rendering still holds this key and lasts past this onset: it is
        // the same note handed over, not a new attack.
        let handed_over = self.active.iter().any(|a| {
            a.cell as usize == cell
                && a.generation != self.rendering_generation
                && candidate.beats < a.end_beats
        });
        let ours = sounding.owner(note.channel, note.key) == Some(Owner::Rendering);
        if handed_over && self.owner[cell] != NO_OWNER && ours {
            return;
        }
        // A cell this scheduler no longer sounds (a played note took it over) is not ours.
        if self.owner[cell] != NO_OWNER && !ours {
            self.clear_owner(cell);
        }
        // A played note holds the key: the collision policy ends it first.
        if !sounding.displace(
            note.channel,
            note.key,
            Owner::Rendering,
            candidate.sample,
            out,
        ) {
            self.num_dropped += 1;
            return;
        }
        // The same key struck again while it sounds: release it first, so the instrument hears
        // off-then-on and the earlier note's own off is skipped later.
        if self.owner[cell] != NO_OWNER {
            if out
                .push(Event::note_off(
                    candidate.sample,
                    note.channel,
                    note.key,
                    0.0,
                    None,
                ))
                .is_err()
            {
                self.num_dropped += 1;
                return;
            }
            sounding.note_off(note.channel, note.key);
            self.clear_owner(cell);
        }
        if out
            .push(Event::note_on(
                candidate.sample,
                note.channel,
                note.key,
                note.velocity.max(1.0 / 127.0),
                None,
            ))
            .is_ok()
        {
            sounding.note_on(note.channel, note.key, None, Owner::Rendering);
            self.set_owner(cell, candidate, candidate.beats + note.length_beats);
        } else {
            self.num_dropped += 1;
        }
    }

    fn note_off(
        &mut self,
        candidate: Candidate,
        out: &mut EventBuffer,
        sounding: &mut SoundingNotes,
    ) {
        let cell = candidate.cell as usize;
        let (channel, key) = ((cell / NUM_KEYS) as u8, (cell % NUM_KEYS) as u8);
        if self.owner[cell] != Self::note_uid(candidate) {
            return;
        }
        if sounding.owner(channel, key) != Some(Owner::Rendering) {
            // Already ended by someone else (a played note-off on the same key).
            self.clear_owner(cell);
            return;
        }
        if out
            .push(Event::note_off(candidate.sample, channel, key, 0.0, None))
            .is_ok()
        {
            sounding.note_off(channel, key);
            self.clear_owner(cell);
        } else {
            self.num_dropped += 1;
        }
    }

    fn controller(
        &mut self,
        rendering: &Rendering,
        candidate: Candidate,
        out: &mut EventBuffer,
        sounding: &mut SoundingNotes,
    ) {
        let point = rendering.ccs[candidate.index as usize];
        if point.cc == CC_SUSTAIN {
            let down = point.value >= 0.5;
            // A lift without a press from this scheduler (e.g. launched mid-phrase) is skipped.
            if !down && !self.pedal_down[point.channel as usize] {
                return;
            }
            if down && self.pedal_down[point.channel as usize] {
                return;
            }
        }
        if out
            .push(Event::control_change(
                candidate.sample,
                point.channel,
                point.cc,
                point.value,
            ))
            .is_ok()
        {
            sounding.control_change(point.channel, point.cc, point.value, Owner::Rendering);
            if point.cc == CC_SUSTAIN {
                self.pedal_down[point.channel as usize] = point.value >= 0.5;
            }
        } else {
            self.num_dropped += 1;
        }
    }
}
