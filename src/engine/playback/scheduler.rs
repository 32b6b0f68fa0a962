//! The sample-accurate scheduler: plays a [`Rendering`] (musical time) against a block's beat
//! timeline (host transport or the plugin's own clock), looping or once, and guarantees that
//! every note it starts gets its note-off. What sounds is kept in the one [`Voices`] table; the
//! scheduler only decides what is due.
//!
//! Sample of an event at host beat `h` in a block starting at beat `b0` with `beats_per_sample`:
//! the first sample whose beat is at or after `h`, i.e. `ceil((h − b0) / beats_per_sample)`,
//! with a tolerance of [`SAMPLE_TOLERANCE`](super::timeline::SAMPLE_TOLERANCE) samples: CLAP hosts send the song position in fixed
//! point (2⁻³¹ beat), which can land a hair past the exact beat. At one sample, note-offs come
//! before controllers, which come before note-ons.

use super::timeline::BeatWindow;
use super::timeline::DEFAULT_SAMPLE_RATE_HZ;
use super::voices::{Owner, RenderedVoice, Voices};
use crate::engine::articulation::switches::SWITCH_LEAD_SECONDS;
use crate::engine::event::CC_SUSTAIN;
use crate::engine::event::NUM_CHANNELS;
use crate::engine::event::{cell_of, channel_key_of, is_sustain_down};
use crate::engine::event::{Event, EventKind};
use crate::engine::event_buffer::EventBuffer;
use crate::engine::hit_lock::Warp;
use crate::engine::motif::BEAT_EPSILON;
use crate::engine::rendering::{
    CcPoint, RenderedNote, Rendering, Voice, MAX_RENDER_CCS, MAX_RENDER_NOTES, PROGRAM_CHANGE_CC,
};

/// Loop cycles of the rendering one window may cover beyond its first: a window longer than
/// 64 rendering lengths (a tiny rendering in a huge block) plays its first 65 cycles.
const MAX_CYCLES_PER_WINDOW: u64 = 64;

/// Capacity of the per-window candidate list.
const MAX_WINDOW_EVENTS: usize = 2 * MAX_RENDER_NOTES + MAX_RENDER_CCS;

/// What a candidate event is; at one sample they go out in this order: note-offs first (a key
/// is free before it is struck again), then controllers (a level or pedal before the note it
/// shapes), then note-ons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    NoteOff,
    Controller,
    NoteOn,
}

/// One candidate event of a window, before sorting.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    sample: u32,
    rank: Rank,
    /// Cycle of the loop the event belongs to.
    cycle: u32,
    /// Index into the rendering's notes or controller points.
    index: u32,
    /// Host beat of the event.
    beats: f64,
    /// For note-offs: the channel × key cell of the note to end.
    cell: u32,
}

/// A stinger laid over the running rendering (hit lock): the notes of the rendering's first
/// `plays_beats` (its head), from host beat `launch_beats`, where `warp` puts them. Only notes:
/// the head's controllers would fight the running rendering's dynamics and pedal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlay {
    /// Host beat of the head's beat 0.
    pub launch_beats: f64,
    /// Where its notes sound, from the launch.
    pub warp: Warp,
    /// How much of the rendering it plays, rendering beats.
    pub plays_beats: f64,
}

/// How a window times its events' leads.
#[derive(Debug, Clone, Copy)]
struct Leads {
    /// Beats per second at the window's tempo.
    beats_per_second: f64,
    /// … and at the last window's (what was handled there was judged with it).
    previous_beats_per_second: f64,
    /// How long a note due right after the launch waits for its switch, beats (a switch's lead
    /// when the rendering is articulated, else 0).
    wait_beats: f64,
}

/// The loop cycle number an overlay's notes carry (no loop reaches it: a rendering of at least
/// a beat would need 8 000 years at 1 000 BPM).
const OVERLAY_CYCLE: u32 = u32::MAX;

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
    /// No event of the rendering is due before this host beat (a lower bound, or `None` when
    /// unknown): windows that end before it have nothing to do. Reset by anything that changes
    /// what plays or when.
    next_due_beats: Option<f64>,
    /// Per-window scratch list (fixed capacity).
    candidates: Vec<Candidate>,
    /// Increments when the rendering is replaced while notes sound ([`Self::rendering_replaced`]).
    rendering_generation: u32,
    /// Events not written because the output buffer was full.
    num_dropped: u64,
    /// Onsets due at or after this sample of the current window are not started: the rendering
    /// is replaced there, and a note struck just before would be cut at once (a click). Set
    /// around one call by [`Self::schedule_before_replacement`].
    onsets_held_from_sample: Option<u32>,
    /// Where the events of the first cycle sound (hit lock bends a statement into a hit); the
    /// identity otherwise.
    warp: Warp,
    /// Cycles that would not end by this host beat are not started (a statement locked to a
    /// hit starts there; a half-played statement is never heard). Infinite when none.
    cycles_end_by_beats: f64,
    /// How much of the first cycle plays, rendering beats (a stinger: the head); infinite = all.
    first_cycle_beats: f64,
    /// A stinger laid over the rendering, if one is in force.
    overlay: Option<Overlay>,
    /// Sample rate, Hz (a lead in seconds becomes beats at the window's tempo).
    sample_rate_hz: f64,
    /// Where the rendering's first window after the last launch began: (the host beat after
    /// which its events were due, the beat of its first sample). An event due there whose lead
    /// reaches before that sample goes out late, at it — a note [`SWITCH_LEAD_SECONDS`] after
    /// it, so the articulation chased there comes first. `None` until that window.
    origin_beats: Option<(f64, f64)>,
    /// The articulation in force must be sent again at the next window (a launch, locate or
    /// loop wrap).
    should_chase: bool,
    /// Notes sent later than their lead asked (due too soon after a start or locate).
    num_late: u64,
    /// Beats per second of the last window: what was handled there was judged with leads at
    /// that tempo (a tempo change must neither skip nor repeat an event).
    previous_beats_per_second: Option<f64>,
}

/// A key a sample library reads as a switch, not a note: a chase presses it again.
fn is_switch_note(note: &RenderedNote) -> bool {
    note.voice == Voice::Keyswitch
}

/// A controller point that switches an articulation (switch points lead the note they serve;
/// dynamics and pedal never lead).
fn is_switch_point(point: &CcPoint) -> bool {
    point.lead_seconds > 0.0
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
            next_due_beats: None,
            candidates: Vec::with_capacity(MAX_WINDOW_EVENTS),
            rendering_generation: 0,
            num_dropped: 0,
            onsets_held_from_sample: None,
            warp: Warp::IDENTITY,
            cycles_end_by_beats: f64::INFINITY,
            first_cycle_beats: f64::INFINITY,
            overlay: None,
            sample_rate_hz: DEFAULT_SAMPLE_RATE_HZ,
            origin_beats: None,
            should_chase: false,
            num_late: 0,
            previous_beats_per_second: None,
        }
    }

    /// Sets the sample rate, Hz (activation).
    pub fn set_sample_rate(&mut self, sample_rate_hz: f64) {
        if sample_rate_hz.is_finite() && sample_rate_hz > 0.0 {
            self.sample_rate_hz = sample_rate_hz;
        }
    }

    /// Notes sent later than their lead asked: due sooner after a start or locate than their
    /// articulation's delay (see [`crate::engine::articulation`]).
    pub fn num_late(&self) -> u64 {
        self.num_late
    }

    /// Lays `overlay` over the rendering (or with `None` takes it away; notes it started keep
    /// their ends). What has been handled stays handled, so nothing sounds twice.
    pub fn set_overlay(&mut self, overlay: Option<Overlay>) {
        let overlay = overlay.filter(|o| o.launch_beats.is_finite() && o.plays_beats > 0.0);
        if overlay != self.overlay {
            self.overlay = overlay;
            self.next_due_beats = None;
        }
    }

    /// The overlay in force.
    pub fn overlay(&self) -> Option<Overlay> {
        self.overlay
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
        self.next_due_beats = None;
        self.origin_beats = None;
        self.should_chase = true;
        self.previous_beats_per_second = None;
        self.warp = Warp::IDENTITY;
        self.cycles_end_by_beats = f64::INFINITY;
        self.first_cycle_beats = f64::INFINITY;
    }

    /// Plays on from a new launch point without forgetting what was handled or muted (a
    /// segment of a hit-locked layout begins): the first cycle's events sound where `warp` puts
    /// them (only its first `first_cycle_beats`), and cycles that would not end by
    /// `cycles_end_by_beats` are not started.
    pub fn lock_segment(
        &mut self,
        launch_beats: f64,
        warp: Warp,
        first_cycle_beats: f64,
        cycles_end_by_beats: f64,
        looping: bool,
    ) {
        if !launch_beats.is_finite() {
            return;
        }
        self.launch_beats = Some(launch_beats);
        // A handover: what leads from before it goes out at once (late), and the articulation
        // in force is sent again.
        self.origin_beats = None;
        self.should_chase = true;
        self.warp = warp;
        self.cycles_end_by_beats = if cycles_end_by_beats.is_nan() {
            f64::INFINITY
        } else {
            cycles_end_by_beats
        };
        self.first_cycle_beats = if first_cycle_beats.is_nan() {
            f64::INFINITY
        } else {
            first_cycle_beats
        };
        self.looping = looping;
        self.next_due_beats = None;
    }

    /// The segment in force: (launch, warp of its first cycle, how much of it plays, end-by
    /// beat).
    pub fn segment(&self) -> Option<(f64, Warp, f64, f64)> {
        Some((
            self.launch_beats?,
            self.warp,
            self.first_cycle_beats,
            self.cycles_end_by_beats,
        ))
    }

    /// Host beat at which the event at rendering beat `local_beats` of loop `cycle` sounds.
    fn host_beats_of(&self, launch: f64, length: f64, cycle: u32, local_beats: f64) -> f64 {
        if cycle == OVERLAY_CYCLE {
            if let Some(overlay) = self.overlay {
                return overlay.launch_beats + overlay.warp.at(local_beats);
            }
        }
        let offset = launch + f64::from(cycle) * length;
        if cycle == 0 {
            offset + self.warp.at(local_beats)
        } else {
            offset + local_beats
        }
    }

    /// Onsets and controllers from host beat `beats` on are still due (they go out at the next
    /// window's first sample if that lies past them): a launch point the timeline has just
    /// passed, such as a bar line seen only at the next block start.
    pub fn catch_up_from(&mut self, beats: f64) {
        if beats.is_finite() {
            self.handled_until_beats = Some(beats - BEAT_EPSILON);
            self.next_due_beats = None;
        }
    }

    /// The rendering was replaced by one with other shaping (intensity, humanize, …) while its
    /// notes may sound: they keep their own ends, and an onset of the new rendering on a key
    /// that such a note still holds is taken as that note (no second strike, no cut).
    pub fn rendering_replaced(&mut self) {
        self.rendering_generation = self.rendering_generation.wrapping_add(1);
        self.rendering_changed();
    }

    /// The rendering was redone (any change of what it holds): what is due next is recomputed.
    pub fn rendering_changed(&mut self) {
        self.next_due_beats = None;
        // Its articulation may differ (another profile, role or take): sent again.
        self.should_chase = true;
    }

    /// The host timeline moved by `delta_beats` (a loop wrap, a jump, a stop onto the plugin's
    /// own clock) while the rendering should carry on where it was: every position it keeps
    /// moves with it, so sounding notes end and the next ones start as if nothing happened.
    pub fn shift_timeline(&mut self, delta_beats: f64, voices: &mut Voices) {
        if !delta_beats.is_finite() {
            return;
        }
        self.next_due_beats = None;
        if let Some(launch) = self.launch_beats.as_mut() {
            *launch += delta_beats;
        }
        self.mute_until_beats += delta_beats;
        self.cycles_end_by_beats += delta_beats;
        if let Some((due_after, first)) = self.origin_beats.as_mut() {
            *due_after += delta_beats;
            *first += delta_beats;
        }
        if let Some(handled) = self.handled_until_beats.as_mut() {
            *handled += delta_beats;
        }
        voices.shift_rendering(delta_beats);
    }

    /// Host beat up to which onsets and controllers have been handled, if any window ran since
    /// the launch.
    pub fn handled_until_beats(&self) -> Option<f64> {
        self.handled_until_beats
    }

    /// Whether the rendering repeats.
    pub fn is_looping(&self) -> bool {
        self.looping
    }

    /// Where the rendering's beat 0 lies, if launched.
    pub fn launch_beats(&self) -> Option<f64> {
        self.launch_beats
    }

    /// Events dropped because the output was full.
    pub fn num_dropped(&self) -> u64 {
        self.num_dropped
    }

    /// Ends every rendering note (and lifts the pedals it put down) at `timing_samples`, keeping
    /// the launch point so playback can continue from the current position.
    pub fn end_notes(&mut self, timing_samples: u32, out: &mut EventBuffer, voices: &mut Voices) {
        self.num_dropped += voices.release_owner(Owner::Rendering, timing_samples, out) as u64;
    }

    /// [`end_notes`](Self::end_notes) and forget the launch point.
    pub fn stop(&mut self, timing_samples: u32, out: &mut EventBuffer, voices: &mut Voices) {
        self.end_notes(timing_samples, out, voices);
        self.launch_beats = None;
        self.handled_until_beats = None;
        self.next_due_beats = None;
        self.overlay = None;
    }

    /// Writes the rendering's events that fall inside `window`, in time order.
    pub fn schedule(
        &mut self,
        rendering: &Rendering,
        window: BeatWindow,
        out: &mut EventBuffer,
        voices: &mut Voices,
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
        // Articulation leads, in beats at this window's tempo: events are due that much before
        // their beats.
        let beats_per_second = window.beats_per_sample * self.sample_rate_hz;
        let previous_beats_per_second = self
            .previous_beats_per_second
            .replace(beats_per_second)
            .unwrap_or(beats_per_second);
        let max_lead_beats = f64::from(rendering.max_lead_seconds.max(0.0))
            * beats_per_second.max(previous_beats_per_second);
        if self.origin_beats.is_none() {
            self.origin_beats = Some((due_after, window.beats_at(window.start_sample)));
        }
        if self.handled_until_beats.is_some()
            && self
                .next_due_beats
                .is_some_and(|next| due_until + max_lead_beats < next)
        {
            // Nothing falls due in this window (most windows: they end at the next played
            // event, a few samples on).
            self.handled_until_beats = Some(due_after.max(due_until));
            return;
        }
        self.handled_until_beats = Some(due_after.max(due_until));
        // Rendering-local beats covered (a sample of margin; the due test below decides).
        // A warped first cycle sounds up to its largest shift away from its grid positions.
        let margin = window.beats_per_sample + self.warp.max_shift_beats();
        // Events of the launch point waiting a switch's lead after it are still to come.
        let waiting_from = self
            .origin_beats
            .filter(|&(_, origin)| rendering.max_lead_seconds > 0.0 && origin >= due_after - 1.0)
            .map_or(f64::INFINITY, |(origin_due_after, _)| origin_due_after);
        let local_start = due_after.min(window_first).min(waiting_from) - launch - margin;
        let local_end = window.beats_at(window.end_sample) - launch + margin + max_lead_beats;
        if local_end < 0.0 {
            // Nothing of this launch is due yet, but notes started before it (a statement
            // ringing on into the stretch before the next launch) still end on their sample.
            self.candidates.clear();
            self.push_due_note_offs(&window, voices);
            self.send_candidates(rendering, out, voices);
            // Nothing is due before the next of those notes ends or the launch comes.
            let next_end = voices
                .rendering_cells()
                .iter()
                .filter_map(|&cell| voices.rendered(cell as usize))
                .map(|voice| voice.end_beats)
                .fold(f64::INFINITY, f64::min);
            let first_sound = launch + self.warp.lead_in_shift_beats().min(0.0);
            self.next_due_beats = Some(next_end.min(first_sound) - BEAT_EPSILON);
            return;
        }
        let timing = Leads {
            beats_per_second,
            previous_beats_per_second,
            wait_beats: if rendering.max_lead_seconds > 0.0 {
                SWITCH_LEAD_SECONDS * beats_per_second
            } else {
                0.0
            },
        };
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
        self.push_due_note_offs(&window, voices);
        if std::mem::take(&mut self.should_chase) {
            self.push_chase(rendering, launch, &window);
        }
        let cycles = first_cycle..=last_cycle.min(first_cycle + MAX_CYCLES_PER_WINDOW);
        let span = (local_start, local_end);
        self.push_cycles(
            rendering,
            cycles,
            launch,
            span,
            ((due_after, due_until), timing),
            &window,
        );
        self.push_overlay(rendering, (due_after, due_until), &window, timing);
        self.push_inner_note_offs(rendering, launch, &window);
        self.send_candidates(rendering, out, voices);
        let mut next_due = self.next_event_after(rendering, launch, due_until, voices);
        if let Some((_, origin)) = self.origin_beats {
            // A note waiting its switch's lead after the launch is due then, though its own
            // beat may already be past.
            if origin + timing.wait_beats > due_until {
                next_due = next_due.min(origin + timing.wait_beats - BEAT_EPSILON);
            }
        }
        self.next_due_beats = Some(next_due);
    }

    /// [`schedule`](Self::schedule) for a window that ends where the rendering is replaced (a new
    /// motif comes in at its end sample): onsets from `hold_from_sample` on are not started, as
    /// their notes would be ended within a few milliseconds; controllers and note-offs go out.
    pub fn schedule_before_replacement(
        &mut self,
        rendering: &Rendering,
        window: BeatWindow,
        hold_from_sample: u32,
        out: &mut EventBuffer,
        voices: &mut Voices,
    ) {
        self.onsets_held_from_sample = Some(hold_from_sample);
        self.schedule(rendering, window, out, voices);
        self.onsets_held_from_sample = None;
    }

    /// Note-offs: only rendering notes that sound can end, and every one whose end is due goes
    /// out (at its sample, or at the first one if it is already past).
    fn push_due_note_offs(&mut self, window: &BeatWindow, voices: &Voices) {
        for &cell in voices.rendering_cells() {
            let Some(voice) = voices.rendered(cell as usize) else {
                continue;
            };
            if let Some(sample) = window.due_sample(voice.end_beats) {
                self.push_candidate(Candidate {
                    sample,
                    rank: Rank::NoteOff,
                    cycle: voice.cycle,
                    index: voice.index,
                    beats: voice.end_beats,
                    cell: cell as u32,
                });
            }
        }
    }

    /// Onsets and controller points of the loop cycles `cycles` that fall due in the window
    /// (`span`: rendering-local beats it covers from the launch; `due`: host beats after which
    /// and up to which events are due).
    fn push_cycles(
        &mut self,
        rendering: &Rendering,
        cycles: std::ops::RangeInclusive<u64>,
        launch: f64,
        (local_start, local_end): (f64, f64),
        (due, timing): ((f64, f64), Leads),
        window: &BeatWindow,
    ) {
        let length = rendering.length_beats;
        for cycle in cycles {
            let offset = launch + cycle as f64 * length;
            let plays = if cycle == 0 {
                length.min(self.first_cycle_beats)
            } else {
                length
            };
            if offset + plays > self.cycles_end_by_beats + BEAT_EPSILON {
                // This cycle would still sound where the next segment begins.
                break;
            }
            // Rendering-local span of the window in this cycle.
            let span = (local_start + launch - offset, local_end + launch - offset);
            let first_note = rendering.notes.partition_point(|n| n.start_beats < span.0);
            self.push_span(
                timing,
                rendering.notes.len(),
                first_note,
                |i| {
                    let note = &rendering.notes[i];
                    let wait = if is_switch_note(note) {
                        0.0
                    } else {
                        timing.wait_beats
                    };
                    (note.start_beats, f64::from(note.lead_seconds), wait)
                },
                Rank::NoteOn,
                cycle as u32,
                offset,
                span.1,
                due,
                window,
            );
            let first_point = rendering.ccs.partition_point(|p| p.beats < span.0);
            self.push_span(
                timing,
                rendering.ccs.len(),
                first_point,
                |i| {
                    let point = &rendering.ccs[i];
                    (point.beats, f64::from(point.lead_seconds), 0.0)
                },
                Rank::Controller,
                cycle as u32,
                offset,
                span.1,
                due,
                window,
            );
        }
    }

    /// The chase after a launch, locate or loop wrap: on every channel, the articulation in
    /// force where the rendering is joined (its last switches before that point in this loop
    /// cycle, else — from the second cycle on — the cycle's last ones) goes out again at the
    /// window's first sample, before any note (which waits a switch's lead). Keyswitch notes
    /// are struck again, and get their note-offs as usual.
    fn push_chase(&mut self, rendering: &Rendering, launch: f64, window: &BeatWindow) {
        let length = rendering.length_beats;
        // Where the rendering is joined: this window's first sample, or the point it starts
        // sounding from if that is later.
        let origin = window
            .beats_at(window.start_sample)
            .max(self.mute_until_beats);
        let local = origin - launch;
        if local < 0.0 || rendering.max_lead_seconds <= 0.0 {
            // Not joined yet: the first notes' own switches come before them.
            return;
        }
        let cycle = if self.looping {
            (local / length).floor().min(f64::from(u32::MAX - 1))
        } else {
            0.0
        };
        let position = local - cycle * length;
        // Per channel, the beat of the last switch before the position (and of the cycle).
        let mut before = [f64::NEG_INFINITY; NUM_CHANNELS];
        let mut last = [f64::NEG_INFINITY; NUM_CHANNELS];
        let switch_beats = rendering
            .notes
            .iter()
            .filter(|n| is_switch_note(n))
            .map(|n| (n.channel, n.start_beats))
            .chain(
                rendering
                    .ccs
                    .iter()
                    .filter(|p| is_switch_point(p))
                    .map(|p| (p.channel, p.beats)),
            );
        for (channel, beats) in switch_beats {
            let c = usize::from(channel) % NUM_CHANNELS;
            last[c] = last[c].max(beats);
            if beats < position - BEAT_EPSILON {
                before[c] = before[c].max(beats);
            }
        }
        let mut chosen = before;
        if cycle >= 1.0 {
            for (c, beats) in chosen.iter_mut().enumerate() {
                if !beats.is_finite() {
                    *beats = last[c];
                }
            }
        }
        let in_force = |channel: u8, beats: f64| {
            let c = usize::from(channel) % NUM_CHANNELS;
            chosen[c].is_finite() && (beats - chosen[c]).abs() <= BEAT_EPSILON
        };
        let sample = window.start_sample;
        let from_cycle = |beats: f64| {
            if beats < position - BEAT_EPSILON {
                cycle as u32
            } else {
                // The previous cycle's last switches.
                (cycle as u32).saturating_sub(1)
            }
        };
        for index in 0..rendering.ccs.len() {
            let point = rendering.ccs[index];
            if is_switch_point(&point) && in_force(point.channel, point.beats) {
                self.push_candidate(Candidate {
                    sample,
                    rank: Rank::Controller,
                    cycle: from_cycle(point.beats),
                    index: index as u32,
                    beats: origin,
                    cell: 0,
                });
            }
        }
        for index in 0..rendering.notes.len() {
            let note = rendering.notes[index];
            if is_switch_note(&note) && in_force(note.channel, note.start_beats) {
                self.push_candidate(Candidate {
                    sample,
                    rank: Rank::NoteOn,
                    cycle: from_cycle(note.start_beats),
                    index: index as u32,
                    beats: origin,
                    cell: 0,
                });
            }
        }
    }

    /// Onsets of the overlay's head that fall due in the window (`due`: host beats after which
    /// and up to which events are due).
    fn push_overlay(
        &mut self,
        rendering: &Rendering,
        (due_after, due_until): (f64, f64),
        window: &BeatWindow,
        timing: Leads,
    ) {
        let Some(overlay) = self.overlay else {
            return;
        };
        for (index, note) in rendering.notes.iter().enumerate() {
            if note.start_beats >= overlay.plays_beats - BEAT_EPSILON {
                break;
            }
            let host_beats = overlay.launch_beats + overlay.warp.at(note.start_beats);
            let lead = f64::from(note.lead_seconds);
            let send_beats = host_beats - lead * timing.beats_per_second;
            let handled_send = host_beats - lead * timing.previous_beats_per_second;
            if handled_send <= due_after || send_beats > due_until {
                continue;
            }
            if let Some(sample) = window.due_sample(send_beats) {
                self.push_candidate(Candidate {
                    sample,
                    rank: Rank::NoteOn,
                    cycle: OVERLAY_CYCLE,
                    index: index as u32,
                    beats: host_beats,
                    cell: 0,
                });
            }
        }
    }

    /// A note that starts and ends inside this window gets its note-off here too (at least a
    /// sample after its onset; when there is no later sample in the window, the next window's
    /// note-off scan ends it at its first sample).
    fn push_inner_note_offs(&mut self, rendering: &Rendering, launch: f64, window: &BeatWindow) {
        for i in 0..self.candidates.len() {
            let onset = self.candidates[i];
            if onset.rank != Rank::NoteOn {
                continue;
            }
            let note = rendering.notes[onset.index as usize];
            let Some(cell) = cell_of(note.channel, note.key) else {
                continue;
            };
            let end = self.host_beats_of(
                launch,
                rendering.length_beats,
                onset.cycle,
                note.start_beats + note.length_beats,
            );
            if let Some(sample) = window.due_sample(end) {
                let sample = sample.max(onset.sample + 1);
                if sample < window.end_sample {
                    self.push_candidate(Candidate {
                        sample,
                        rank: Rank::NoteOff,
                        beats: end,
                        cell: cell as u32,
                        ..onset
                    });
                }
            }
        }
    }

    /// Sends the window's candidates in time order.
    fn send_candidates(
        &mut self,
        rendering: &Rendering,
        out: &mut EventBuffer,
        voices: &mut Voices,
    ) {
        // Unique keys (cycle, index and cell included: after a re-render an older note and a
        // new one can share cycle and index), so an unstable sort is deterministic.
        self.candidates
            .sort_unstable_by_key(|c| (c.sample, c.rank, c.cycle, c.index, c.cell));
        for i in 0..self.candidates.len() {
            let candidate = self.candidates[i];
            match candidate.rank {
                Rank::NoteOn
                    if self
                        .onsets_held_from_sample
                        .is_some_and(|held| candidate.sample >= held) => {}
                Rank::NoteOn => self.note_on(rendering, candidate, out, voices),
                Rank::NoteOff => self.note_off(candidate, out, voices),
                Rank::Controller => self.controller(rendering, candidate, out, voices),
            }
        }
    }

    /// A lower bound of the host beat of the rendering's next event after `due_until`: the
    /// next onset or controller point (in this cycle or the next) and the earliest end of a
    /// sounding rendering note. Events are due when at or before a window's `due_until`, so a
    /// window whose `due_until` lies before this has nothing to send.
    fn next_event_after(
        &self,
        rendering: &Rendering,
        launch: f64,
        due_until: f64,
        voices: &Voices,
    ) -> f64 {
        if !self.warp.is_identity() {
            // A bent first cycle: no shortcut, every window looks (a lower bound must hold).
            return due_until;
        }
        let length = rendering.length_beats;
        let local = due_until - launch;
        let (cycle_start, in_cycle) = if self.looping && local >= 0.0 {
            let cycle = (local / length).floor();
            (launch + cycle * length, local - cycle * length)
        } else {
            (launch, local)
        };
        // The first item strictly after `in_cycle` in this cycle, else the first of the next
        // cycle (looping), else none.
        let next_in = |beats: &dyn Fn(usize) -> f64, count: usize| -> f64 {
            let mut lo = 0;
            let mut hi = count;
            while lo < hi {
                let mid = (lo + hi) / 2;
                if beats(mid) <= in_cycle {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if lo < count {
                cycle_start + beats(lo)
            } else if self.looping && count > 0 {
                cycle_start + length + beats(0)
            } else {
                f64::INFINITY
            }
        };
        let next_onset = next_in(&|i| rendering.notes[i].start_beats, rendering.notes.len());
        let next_point = next_in(&|i| rendering.ccs[i].beats, rendering.ccs.len());
        let next_end = voices
            .rendering_cells()
            .iter()
            .filter_map(|&cell| voices.rendered(cell as usize))
            .map(|voice| voice.end_beats)
            .fold(f64::INFINITY, f64::min);
        let next_overlay = self.overlay.map_or(f64::INFINITY, |overlay| {
            rendering
                .notes
                .iter()
                .take_while(|n| n.start_beats < overlay.plays_beats - BEAT_EPSILON)
                .map(|n| overlay.launch_beats + overlay.warp.at(n.start_beats))
                .find(|&at| at > due_until)
                .unwrap_or(f64::INFINITY)
        });
        // A little earlier than exact: float noise must never make an event late.
        next_onset.min(next_point).min(next_end).min(next_overlay) - BEAT_EPSILON
    }

    /// Adds the onsets (`Rank::NoteOn`) or controller points (`Rank::Controller`) of one loop cycle that fall in
    /// the window. The items are sorted by time (`beats_of`), so the scan starts at `first` and
    /// stops past `span_end_beats`; anything before the mute point is skipped (a note without an
    /// onset never sounds, so it has no note-off either).
    #[allow(clippy::too_many_arguments)]
    fn push_span(
        &mut self,
        timing: Leads,
        count: usize,
        first: usize,
        beats_of: impl Fn(usize) -> (f64, f64, f64),
        rank: Rank,
        cycle: u32,
        offset_beats: f64,
        span_end_beats: f64,
        (due_after, due_until): (f64, f64),
        window: &BeatWindow,
    ) {
        for index in first..count {
            let (beats, lead_seconds, wait_beats) = beats_of(index);
            if beats > span_end_beats {
                break;
            }
            if cycle == 0 && beats >= self.first_cycle_beats - BEAT_EPSILON {
                // Past a stinger's head.
                break;
            }
            let host_beats = if cycle == 0 {
                offset_beats + self.warp.at(beats)
            } else {
                offset_beats + beats
            };
            if host_beats < self.mute_until_beats - BEAT_EPSILON {
                continue;
            }
            // Sent its lead early; but never before the launch's first window, and a note
            // then waits a switch's lead after it (the articulation chased there comes first).
            // When it goes out at this window's tempo, and when the last window (at its own)
            // took it to go out: handled there if that was at or before `due_after`.
            let mut send_beats = host_beats - lead_seconds * timing.beats_per_second;
            let mut handled_send = host_beats - lead_seconds * timing.previous_beats_per_second;
            let mut late = false;
            if let Some((origin_due_after, origin)) = self.origin_beats {
                if host_beats > origin_due_after && send_beats < origin + wait_beats {
                    late = lead_seconds > 0.0 && wait_beats > 0.0 && rank == Rank::NoteOn;
                    send_beats = origin + wait_beats;
                }
                if host_beats > origin_due_after && handled_send < origin + wait_beats {
                    handled_send = origin + wait_beats;
                }
            }
            if handled_send <= due_after || send_beats > due_until {
                continue;
            }
            if let Some(sample) = window.due_sample(send_beats) {
                if late {
                    self.num_late += 1;
                }
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

    fn note_on(
        &mut self,
        rendering: &Rendering,
        candidate: Candidate,
        out: &mut EventBuffer,
        voices: &mut Voices,
    ) {
        let note = rendering.notes[candidate.index as usize];
        let Some(cell) = cell_of(note.channel, note.key) else {
            return;
        };
        // A note of an earlier rendering still holds this key and lasts past this onset: it is
        // the same note handed over, not a new attack.
        if let Some(voice) = voices.rendered(cell) {
            if voice.generation != self.rendering_generation && candidate.beats < voice.end_beats {
                return;
            }
        }
        // The voices table ends whatever sounds on the cell first (a played note, or this
        // key's earlier rendering note), at this sample.
        let end_beats = match self.launch_beats {
            Some(launch) => self.host_beats_of(
                launch,
                rendering.length_beats,
                candidate.cycle,
                note.start_beats + note.length_beats,
            ),
            None => candidate.beats + note.length_beats,
        };
        let voice = RenderedVoice {
            cycle: candidate.cycle,
            index: candidate.index,
            end_beats,
            generation: self.rendering_generation,
        };
        if !voices.start(
            note.channel,
            note.key,
            note.velocity.max(1.0 / 127.0),
            None,
            Owner::Rendering,
            Some(voice),
            candidate.sample,
            out,
        ) {
            self.num_dropped += 1;
        }
    }

    fn note_off(&mut self, candidate: Candidate, out: &mut EventBuffer, voices: &mut Voices) {
        let cell = candidate.cell as usize;
        // Only the very note this off belongs to, at the end it was given when it started: the
        // cell may since have been struck again, taken over by a played note, or handed over
        // from an earlier rendering (which keeps its own end).
        let Some(voice) = voices.rendered(cell) else {
            return;
        };
        if voice.cycle != candidate.cycle
            || voice.index != candidate.index
            || voice.end_beats != candidate.beats
        {
            return;
        }
        let (channel, key) = channel_key_of(cell);
        if !voices.end(channel, key, Owner::Rendering, 0.0, candidate.sample, out) {
            self.num_dropped += 1;
        }
    }

    fn controller(
        &mut self,
        rendering: &Rendering,
        candidate: Candidate,
        out: &mut EventBuffer,
        voices: &mut Voices,
    ) {
        let point = rendering.ccs[candidate.index as usize];
        if point.cc == PROGRAM_CHANGE_CC {
            let program = (point.value.clamp(0.0, 1.0) * 127.0).round() as u8;
            let event = Event {
                timing_samples: candidate.sample,
                kind: EventKind::OtherMidi {
                    bytes: [0xC0 | (point.channel & 0x0F), program, 0],
                },
            };
            if out.push(event).is_err() {
                self.num_dropped += 1;
            }
            return;
        }
        if point.cc == CC_SUSTAIN {
            let down = is_sustain_down(point.value);
            let ours = voices.pedal(point.channel) == Some(Owner::Rendering);
            // A lift without a press from the rendering (e.g. launched mid-phrase), or a press
            // while its pedal is already down, is skipped.
            if down == ours {
                return;
            }
        }
        if !voices.control_change(
            point.channel,
            point.cc,
            point.value,
            Owner::Rendering,
            candidate.sample,
            out,
        ) {
            self.num_dropped += 1;
        }
    }
}
