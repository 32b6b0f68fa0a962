//! The timeline: each block's host transport (or the plugin's own clock) turned into beats at
//! samples, with the tempo and metre in force. Beats are anchored (a beat at an absolute sample)
//! so a beat's sample does not depend on how the host split the samples into blocks; small
//! differences between a block's reported start and the prediction (tempo changes, fixed-point
//! positions, sub-sample jitter) re-anchor without counting as a jump; loop wraps are found at
//! block boundaries and inside blocks, also as the framework reports them. Capture and playback
//! both read it.

use crate::engine::motif::{sanitize_tempo_bpm, TimeSignature};

/// Smallest difference between a block's reported start and the predicted one that counts as
/// a jump (a locate), in beats; at least half the previous block's length counts too.
pub const JUMP_TOLERANCE_BEATS: f64 = 0.25;

/// How far (in samples) a block's reported start may lie from the anchored timeline and still
/// be taken as the same timeline (float noise in the host's or our own arithmetic).
pub const ANCHOR_SNAP_SAMPLES: f64 = 1e-3;

/// How far (in samples) an event may lie past a sample boundary and still fall on it: CLAP hosts
/// send the song position in fixed point (2⁻³¹ beat), which can land a hair past the exact beat.
pub const SAMPLE_TOLERANCE: f64 = 0.01;

/// Sample rate used until [`Timeline::set_sample_rate`] gives a valid one, Hz.
pub const DEFAULT_SAMPLE_RATE_HZ: f64 = 48_000.0;

/// The host's transport for this block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransportInfo {
    /// Whether the host is playing.
    pub playing: bool,
    /// Tempo, BPM.
    pub tempo_bpm: f64,
    /// Beat position of the block's first sample.
    pub pos_beats: f64,
    /// Seconds of the block's first sample on the host's timeline, if the host gives seconds or
    /// samples (CLAP `song_pos_seconds`, VST3 `projectTimeSamples`): picture time, which beats ÷
    /// tempo is not once the tempo has changed.
    pub pos_seconds: Option<f64>,
    /// The host's time signature, if given.
    pub time_signature: Option<TimeSignature>,
    /// The host's active loop (start, end) in beats, if looping.
    pub loop_range_beats: Option<(f64, f64)>,
    /// Beat of the bar line at or before the block's first sample, if the host gives it (after
    /// a metre change mid-song, bar lines are not whole bars from beat 0). Hosts differ: one
    /// after the position (Ardour) or more than a bar before it is ignored.
    pub bar_start_beats: Option<f64>,
}

/// One block as the host presents it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockInfo {
    /// Samples in the block.
    pub num_samples: u32,
    /// The transport, or `None` when the host gives no usable tempo and position.
    pub transport: Option<TransportInfo>,
}

/// A host loop wrap inside the current block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoopWrap {
    /// Block sample at which the host is back at the loop start (an event at the loop end falls
    /// on this sample, so it belongs after the wrap).
    pub sample: u32,
    /// Loop start, beats.
    pub loop_start_beats: f64,
    /// Loop end, beats.
    pub loop_end_beats: f64,
}

/// What the timeline found at a block's start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockStart {
    /// Beat of the block's first sample.
    pub start_beats: f64,
    /// The timeline does not continue from the last block (a locate, the first block, a change
    /// between the host's timeline and the plugin's own clock, a loop wrap at the boundary).
    pub jumped: bool,
    /// Where the previous timeline would be at the block's first sample (the loop end after a
    /// wrap at the boundary); `None` before any block.
    pub previous_beats: Option<f64>,
    /// A played phrase cannot continue across this block start (the transport stopped, the
    /// timeline changed source, the loop wrapped): it ends at this beat.
    pub phrase_end_beats: Option<f64>,
    /// The bar grid moved without a jump (a metre change mid-song): playback realigns to it.
    pub regridded: bool,
}

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

    /// The block sample at which beat `beats` falls: the first sample whose beat is at or after
    /// it, up to [`SAMPLE_TOLERANCE`] (may be outside the window).
    pub fn sample_of(&self, beats: f64) -> f64 {
        ((beats - self.anchor_beats) / self.beats_per_sample
            - self.anchor_offset_samples
            - SAMPLE_TOLERANCE)
            .ceil()
    }
}

/// The timeline. Owner: the audio thread; plain data, never allocates.
#[derive(Debug, Clone)]
pub struct Timeline {
    sample_rate_hz: f64,
    /// The anchor: a beat at an absolute sample; beats elsewhere are counted from it in whole
    /// samples.
    anchor_beats: f64,
    /// Absolute sample position (since the engine started) of the anchor; fractional at a loop
    /// wrap, where the loop end falls between samples.
    anchor_sample: f64,
    /// The absolute sample since which the timeline runs on without a break (no jump, stop,
    /// change of clock or loop wrap): an event stamped earlier is not on this timeline.
    continuous_since_sample: f64,
    /// Absolute sample of the current block's first sample.
    block_sample: u64,
    beats_per_sample: f64,
    num_samples: u32,
    playing: bool,
    on_host: bool,
    tempo_bpm: f64,
    time_signature: Option<TimeSignature>,
    /// The last metre the host gave (4/4 before any).
    last_host_time_signature: TimeSignature,
    /// A bar line of the current metre, beats: the bar grid is this plus whole bars.
    bar_origin_beats: f64,
    /// Length of the last block, beats.
    last_block_beats: f64,
    /// Beat the next block should start at if nothing jumped.
    expected_next_beats: Option<f64>,
    /// The plugin's own clock, in beats at the own tempo.
    own_clock_beats: f64,
    /// A host loop wrap inside this block, not yet passed.
    pending_wrap: Option<LoopWrap>,
    /// The loop range (start, end) the previous block reported, beats: a wrap can arrive with
    /// the loop already changed (a loop rewritten in another metre while it plays).
    last_loop_range_beats: Option<(f64, f64)>,
    /// The host has reported a bar start no bar line can have (after the position, or off the
    /// grid while the song played on in one metre): its bar starts are not used again.
    host_bar_starts_unreliable: bool,
}

impl Default for Timeline {
    fn default() -> Self {
        Self {
            sample_rate_hz: DEFAULT_SAMPLE_RATE_HZ,
            anchor_beats: 0.0,
            anchor_sample: 0.0,
            continuous_since_sample: 0.0,
            block_sample: 0,
            beats_per_sample: 0.0,
            num_samples: 0,
            playing: false,
            on_host: false,
            tempo_bpm: 120.0,
            time_signature: None,
            last_host_time_signature: TimeSignature::default(),
            bar_origin_beats: 0.0,
            last_block_beats: 0.0,
            expected_next_beats: None,
            own_clock_beats: 0.0,
            pending_wrap: None,
            last_loop_range_beats: None,
            host_bar_starts_unreliable: false,
        }
    }
}

impl Timeline {
    /// Sets the sample rate (an invalid one keeps the current rate).
    pub fn set_sample_rate(&mut self, sample_rate_hz: f64) {
        if sample_rate_hz.is_finite() && sample_rate_hz > 0.0 {
            self.sample_rate_hz = sample_rate_hz;
        }
    }

    /// The sample rate, Hz.
    pub fn sample_rate_hz(&self) -> f64 {
        self.sample_rate_hz
    }

    /// The next block starts a new timeline (counts as a jump).
    pub fn reset(&mut self) {
        self.expected_next_beats = None;
        self.pending_wrap = None;
    }

    /// Reads a block's transport: the host's while it plays; while it is stopped the plugin's
    /// own clock runs at the host's tempo (played phrases still need time to pass); with no
    /// transport at all, at `own_tempo_bpm` (and counts as playing).
    pub fn begin_block(&mut self, block: &BlockInfo, own_tempo_bpm: f64) -> BlockStart {
        self.num_samples = block.num_samples;
        let valid = block
            .transport
            .filter(|t| t.tempo_bpm.is_finite() && t.tempo_bpm > 0.0 && t.pos_beats.is_finite());
        let (start, tempo, playing, on_host) = self.clock(valid, own_tempo_bpm);
        self.time_signature = block.transport.and_then(|t| t.time_signature);
        let previous_metre = self.last_host_time_signature;
        if let Some(metre) = self.time_signature {
            self.last_host_time_signature = metre;
        }
        let beats_per_sample = tempo / 60.0 / self.sample_rate_hz;
        let loop_range = valid.and_then(|t| t.loop_range_beats);
        let boundary_wrap =
            self.boundary_wrap(start, playing && on_host, beats_per_sample, loop_range);
        self.last_loop_range_beats = loop_range;
        let start = boundary_wrap.map_or(start, |(wrapped_start, _)| wrapped_start);
        let jumped = self.is_jump(start, on_host);
        let stopped = self.playing && !playing;
        let source_changed = on_host != self.on_host;
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
        if jumped || stopped || source_changed || boundary_wrap.is_some() {
            self.continuous_since_sample = self.block_sample as f64;
        }
        self.beats_per_sample = beats_per_sample;
        self.tempo_bpm = tempo;
        self.playing = playing;
        self.on_host = on_host;
        let start = self.beats_at(0);
        let phrase_end_beats = (source_changed || stopped || boundary_wrap.is_some())
            .then(|| self.expected_next_beats.unwrap_or(start));
        let metre_changed = self.last_host_time_signature != previous_metre;
        let host_bar_start = valid.filter(|t| t.playing).and_then(|t| t.bar_start_beats);
        let continuing = !(jumped || metre_changed || boundary_wrap.is_some());
        let host_bar_start = self.trusted_bar_start(start, host_bar_start, continuing);
        let regridded = self.update_bar_grid(
            start,
            previous_metre,
            metre_changed,
            jumped || boundary_wrap.is_some(),
            host_bar_start,
        ) && !jumped;
        self.pending_wrap = self.wrap_inside(block);
        BlockStart {
            start_beats: start,
            jumped,
            previous_beats: match boundary_wrap {
                Some((_, loop_end)) => Some(loop_end),
                None => self.expected_next_beats,
            },
            phrase_end_beats,
            regridded,
        }
    }

    /// Which clock runs this block: (start beat, tempo, playing, on the host's timeline). The
    /// host's while it plays; while it is stopped the plugin's own clock runs at the host's
    /// tempo (played phrases still need time to pass); with no usable transport, at
    /// `own_tempo_bpm` (and counts as playing).
    fn clock(&self, valid: Option<TransportInfo>, own_tempo_bpm: f64) -> (f64, f64, bool, bool) {
        match valid {
            Some(t) if t.playing => (t.pos_beats, t.tempo_bpm, true, true),
            Some(t) => (
                self.own_clock_beats,
                t.tempo_bpm.clamp(1.0, 999.0),
                false,
                false,
            ),
            None => (
                self.own_clock_beats,
                sanitize_tempo_bpm(own_tempo_bpm),
                true,
                false,
            ),
        }
    }

    /// Whether a block starting at `start` (on the host's timeline or not) breaks from the
    /// prediction. Only a difference large in musical terms is a jump: tempo ramps inside a
    /// block, tempo changes and fixed-point positions all move the next block's start a
    /// little, and playback continues seamlessly across them.
    fn is_jump(&self, start: f64, on_host: bool) -> bool {
        match self.expected_next_beats {
            Some(expected) => {
                let tolerance = JUMP_TOLERANCE_BEATS.max(0.5 * self.last_block_beats);
                on_host != self.on_host || (start - expected).abs() > tolerance
            }
            None => true,
        }
    }

    /// The host's bar start, if it can be trusted. A host that ever reports one that no bar line
    /// can be is not trusted again: Ardour 7 reports the bar's index plus one, times four
    /// quarters, whatever the metre (4.0 at position 0; 8.0 at quarter 5 of a 3/4 song; 24.0
    /// at quarter 27.5 of a 5/4 song, whose bar line is 25), so a bar start after the position,
    /// or one off the grid while the song `continuing`ly plays in one metre, marks it.
    fn trusted_bar_start(
        &mut self,
        start: f64,
        host_bar_start: Option<f64>,
        continuing: bool,
    ) -> Option<f64> {
        let bar_start = host_bar_start.filter(|b| b.is_finite())?;
        let bar = self.last_host_time_signature.bar_length_beats();
        let tolerance = 1e-6;
        let after_position = bar_start > start + tolerance;
        let off_grid = continuing && self.on_host && start - bar_start < bar + tolerance && {
            let bars = (bar_start - self.bar_origin_beats) / bar;
            (bars - bars.round()).abs() * bar > tolerance
        };
        if after_position || off_grid {
            self.host_bar_starts_unreliable = true;
        }
        (!self.host_bar_starts_unreliable).then_some(bar_start)
    }

    /// Keeps the bar grid in step with the song; returns whether it moved. Where the grid may
    /// have moved (a metre change, a jump) the host's bar start is used, if it is a bar line at
    /// or before the block start (nice-plug reconstructs it from beat 0 inside split blocks,
    /// which is wrong after a metre change):
    /// - a metre change while playing on: the new metre's bars start at the host's bar start,
    ///   or without one at the last bar line of the old grid at or before the block start
    ///   (hosts change metre at a bar line). The grid origin is that bar line, so a looping
    ///   rendering starts from its beginning there.
    /// - a jump: the grid keeps its origin if the host's bar lines lie on it; otherwise it takes
    ///   their phase (the bar line nearest beat 0 at or after it), the best guess of where a
    ///   multi-bar rendering's cycles fall from one position.
    fn update_bar_grid(
        &mut self,
        start: f64,
        previous_metre: TimeSignature,
        metre_changed: bool,
        jumped: bool,
        host_bar_start: Option<f64>,
    ) -> bool {
        if !(metre_changed || jumped) {
            return false;
        }
        let bar = self.last_host_time_signature.bar_length_beats();
        let tolerance = 1e-6;
        // Only a bar line at or before the position, within one bar of it, is used. Ardour 7
        // reports a bar start *after* the position (VST3 `barPositionMusic`: the bar's index
        // plus one, times four quarters, whatever the metre: 4.0 at position 0, 8.0 at 5.0 in
        // 3/4); such a value, or any other that disagrees with the metre and the position, is
        // ignored and the grid the timeline already follows is kept.
        let consistent = host_bar_start
            .filter(|&b| b.is_finite() && b <= start + tolerance && start - b < bar + tolerance);
        let on_grid = |origin: f64, beats: f64| {
            let bars = (beats - origin) / bar;
            (bars - bars.round()).abs() * bar <= tolerance
        };
        let origin = match consistent {
            Some(bar_start) if !jumped => bar_start,
            Some(bar_start) if !metre_changed && on_grid(self.bar_origin_beats, bar_start) => {
                return false;
            }
            Some(bar_start) => bar_start.rem_euclid(bar),
            None if metre_changed && !jumped => {
                let old_bar = previous_metre.bar_length_beats();
                let bars = ((start - self.bar_origin_beats) / old_bar + tolerance).floor();
                self.bar_origin_beats + bars * old_bar
            }
            None => return false,
        };
        let moved = metre_changed || !on_grid(self.bar_origin_beats, origin);
        self.bar_origin_beats = origin;
        moved
    }

    /// A loop wrap at the block boundary: the prediction has reached the loop end and the host
    /// is back inside the loop. Hosts report the loop start there, but through nice-plug's CLAP
    /// wrapper a transport event inside a host block (a wrap reported mid-block) arrives with
    /// the sub-block's offset × tempo added to its position, so the reported start is not
    /// trusted: the timeline goes on from the loop start by exactly what the prediction ran
    /// past the loop end. Returns (wrapped start, loop end).
    fn boundary_wrap(
        &self,
        start: f64,
        host_playing: bool,
        beats_per_sample: f64,
        loop_range_beats: Option<(f64, f64)>,
    ) -> Option<(f64, f64)> {
        let expected = self.expected_next_beats?;
        let (loop_start, loop_end) = loop_range_beats?;
        // The prediction reached the loop's end as the previous block knew it: the loop may have
        // been rewritten at the wrap (another length, another metre).
        let reached_end = [
            Some(loop_end),
            self.last_loop_range_beats.map(|(_, end)| end),
        ]
        .into_iter()
        .flatten()
        .find(|end| (expected - end).abs() <= beats_per_sample)?;
        let wrapped = host_playing
            && self.on_host
            && self.playing
            && loop_end > loop_start
            && start < expected - beats_per_sample
            && (loop_start - beats_per_sample..loop_end).contains(&start);
        wrapped.then(|| (loop_start + (expected - reached_end).max(0.0), reached_end))
    }

    /// A host loop whose end falls inside this block.
    fn wrap_inside(&self, block: &BlockInfo) -> Option<LoopWrap> {
        let (loop_start, loop_end) = block.transport?.loop_range_beats?;
        let start = self.beats_at(0);
        let block_end = self.beats_at(block.num_samples);
        if !(self.playing && loop_end > loop_start && start < loop_end && loop_end < block_end) {
            return None;
        }
        // The same rule as every scheduled event (`BeatWindow::sample_of`): the wrap's sample is
        // the one an event at the loop end would fall on, so such an event belongs after the
        // wrap (where the host is back at the loop start), never to both sides of it.
        let sample = self
            .window(0, block.num_samples)
            .sample_of(loop_end)
            .max(1.0) as u32;
        (sample < block.num_samples).then_some(LoopWrap {
            sample,
            loop_start_beats: loop_start,
            loop_end_beats: loop_end,
        })
    }

    /// The loop wrap still ahead in this block, if any.
    pub fn pending_wrap(&self) -> Option<LoopWrap> {
        self.pending_wrap
    }

    /// Passes the pending loop wrap: from its sample on, the timeline continues at the loop
    /// start, exactly where the old one reaches the loop end. Returns the wrap.
    pub fn take_wrap(&mut self) -> Option<LoopWrap> {
        let wrap = self.pending_wrap.take()?;
        self.continuous_since_sample = self.block_sample as f64 + wrap.sample as f64;
        self.anchor_sample += (wrap.loop_end_beats - self.anchor_beats) / self.beats_per_sample;
        self.anchor_beats = wrap.loop_start_beats;
        Some(wrap)
    }

    /// Finishes the block: the prediction for the next one, and the clocks advance.
    pub fn end_block(&mut self) {
        let block_beats = self.num_samples as f64 * self.beats_per_sample;
        self.expected_next_beats = Some(self.beats_at(self.num_samples));
        self.last_block_beats = block_beats;
        self.block_sample += self.num_samples as u64;
        if !self.on_host {
            self.own_clock_beats += block_beats;
        }
    }

    /// Beat position of a sample of the current block.
    pub fn beats_at(&self, sample: u32) -> f64 {
        self.window(0, 0).beats_at(sample)
    }

    /// Beat position of a sample counted from the current block's first sample, also before
    /// it (negative `sample`: an event heard late, stamped in the past) on the current tempo.
    /// A stamp from before the last break in the timeline (a jump, a stop, a loop wrap) is not
    /// on this timeline: it counts as the break's first sample.
    pub fn beats_at_offset(&self, sample: f64) -> f64 {
        let sample = sample.max(self.continuous_since_sample - self.block_sample as f64);
        let window = self.window(0, 0);
        window.anchor_beats + (window.anchor_offset_samples + sample) * window.beats_per_sample
    }

    /// Samples `start_sample..end_sample` of the current block on the anchored timeline.
    pub fn window(&self, start_sample: u32, end_sample: u32) -> BeatWindow {
        BeatWindow {
            anchor_beats: self.anchor_beats,
            anchor_offset_samples: self.block_sample as f64 - self.anchor_sample,
            beats_per_sample: self.beats_per_sample,
            start_sample,
            end_sample,
        }
    }

    /// Samples in the current block.
    pub fn num_samples(&self) -> u32 {
        self.num_samples
    }

    /// Length of the previous block, beats (0 before any).
    pub fn last_block_beats(&self) -> f64 {
        self.last_block_beats
    }

    /// Beats per sample in the current block.
    pub fn beats_per_sample(&self) -> f64 {
        self.beats_per_sample
    }

    /// Tempo in force, BPM.
    pub fn tempo_bpm(&self) -> f64 {
        self.tempo_bpm
    }

    /// Whether the timeline runs (the host plays, or there is no host transport).
    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// The host's metre in this block, if it gives one.
    pub fn time_signature(&self) -> Option<TimeSignature> {
        self.time_signature
    }

    /// The metre phrases are recorded in: the host's, or the last one it gave (4/4 before any).
    pub fn capture_time_signature(&self) -> TimeSignature {
        self.last_host_time_signature
    }

    /// A bar line of the song in the current metre, beats: the song's bar lines are this plus
    /// whole bars of [`capture_time_signature`](Self::capture_time_signature).
    /// (0 on the plugin's own clock, whose bars count from its beat 0.)
    pub fn bar_origin_beats(&self) -> f64 {
        if self.on_host {
            self.bar_origin_beats
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn playing_at(pos_beats: f64, tempo_bpm: f64) -> BlockInfo {
        BlockInfo {
            num_samples: 480,
            transport: Some(TransportInfo {
                pos_seconds: None,
                playing: true,
                tempo_bpm,
                pos_beats,
                time_signature: Some(TimeSignature::new(3, 4)),
                loop_range_beats: None,
                bar_start_beats: None,
            }),
        }
    }

    #[test]
    fn a_tempo_change_between_blocks_is_not_a_jump() {
        let mut timeline = Timeline::default();
        assert!(timeline.begin_block(&playing_at(0.0, 120.0), 120.0).jumped);
        timeline.end_block();
        // 480 samples at 120 BPM, 48 kHz = 0.02 beats; the host now plays at 60 BPM.
        let start = timeline.begin_block(&playing_at(0.02, 60.0), 120.0);
        assert!(!start.jumped);
        assert!((start.start_beats - 0.02).abs() < 1e-12);
        assert!((timeline.beats_at(480) - 0.03).abs() < 1e-12);
        assert_eq!(timeline.capture_time_signature(), TimeSignature::new(3, 4));
    }

    #[test]
    fn a_locate_is_a_jump_and_a_stop_ends_the_phrase() {
        let mut timeline = Timeline::default();
        timeline.begin_block(&playing_at(0.0, 120.0), 120.0);
        timeline.end_block();
        let start = timeline.begin_block(&playing_at(8.0, 120.0), 120.0);
        assert!(start.jumped && start.phrase_end_beats.is_none());
        timeline.end_block();
        let mut stopped = playing_at(8.02, 120.0);
        stopped.transport.as_mut().unwrap().playing = false;
        let start = timeline.begin_block(&stopped, 120.0);
        assert_eq!(start.phrase_end_beats, Some(8.02));
        assert!(!timeline.is_playing());
    }

    #[test]
    fn sub_sample_jitter_keeps_the_anchor() {
        let mut timeline = Timeline::default();
        timeline.begin_block(&playing_at(0.0, 120.0), 120.0);
        timeline.end_block();
        let jitter = 1e-4 * 120.0 / 60.0 / 48_000.0;
        let start = timeline.begin_block(&playing_at(0.02 + jitter, 120.0), 120.0);
        assert!(!start.jumped);
        assert_eq!(timeline.window(0, 0).anchor_beats, 0.0);
    }

    #[test]
    fn a_wrap_inside_the_block_reanchors_at_the_loop_start() {
        let mut timeline = Timeline::default();
        let mut block = playing_at(3.99, 120.0);
        block.transport.as_mut().unwrap().loop_range_beats = Some((0.0, 4.0));
        timeline.begin_block(&block, 120.0);
        let wrap = timeline
            .pending_wrap()
            .expect("the loop end is inside the block");
        // 0.01 beats at 2.5e-5 beats per sample = 240 samples.
        assert_eq!(wrap.sample, 240);
        timeline.take_wrap();
        assert!((timeline.beats_at(240)).abs() < 1e-9);
        assert!((timeline.beats_at(480) - 0.01).abs() < 1e-9);
    }

    /// A 480-sample block at 120 BPM, playing at `pos` in `metre`, with the host's bar start.
    fn block(pos: f64, metre: TimeSignature, bar_start: Option<f64>) -> BlockInfo {
        BlockInfo {
            num_samples: 480,
            transport: Some(TransportInfo {
                pos_seconds: None,
                playing: true,
                tempo_bpm: 120.0,
                pos_beats: pos,
                time_signature: Some(metre),
                loop_range_beats: None,
                bar_start_beats: bar_start,
            }),
        }
    }

    #[test]
    fn a_metre_change_starts_the_new_bars_at_the_bar_line_and_a_jump_keeps_the_grid() {
        let (four, seven) = (TimeSignature::new(4, 4), TimeSignature::new(7, 8));
        for bar_start in [None, Some(12.0)] {
            let mut timeline = Timeline::default();
            timeline.begin_block(&block(11.98, four, bar_start.map(|_| 8.0)), 120.0);
            timeline.end_block();
            let start = timeline.begin_block(&block(12.0, seven, bar_start), 120.0);
            assert!(start.regridded && !start.jumped, "{bar_start:?}");
            assert_eq!(timeline.bar_origin_beats(), 12.0, "{bar_start:?}");
            timeline.end_block();
            // A locate to another bar of the same grid keeps the origin.
            let start = timeline.begin_block(&block(19.0, seven, bar_start.map(|_| 19.0)), 120.0);
            assert!(start.jumped && !start.regridded);
            assert_eq!(timeline.bar_origin_beats(), 12.0, "{bar_start:?}");
        }
    }

    #[test]
    fn a_host_bar_start_after_the_position_is_ignored() {
        let three = TimeSignature::new(3, 4);
        // Ardour 7's reports in a 3/4 song: (bar index + 1) x 4 quarters.
        let mut timeline = Timeline::default();
        timeline.begin_block(&block(0.0, three, Some(4.0)), 120.0);
        timeline.end_block();
        assert_eq!(timeline.bar_origin_beats(), 0.0);
        // A locate to beat 5 (bar 2, whose line is beat 3), reported as 8: the grid stays.
        let start = timeline.begin_block(&block(5.0, three, Some(8.0)), 120.0);
        assert!(start.jumped && !start.regridded);
        assert_eq!(timeline.bar_origin_beats(), 0.0);
        timeline.end_block();
        // A bar start more than a bar before the position is not used either.
        let start = timeline.begin_block(&block(20.5, three, Some(14.0)), 120.0);
        assert!(start.jumped && !start.regridded);
        assert_eq!(timeline.bar_origin_beats(), 0.0);
        // This host has reported impossible bar starts: even one that would fit (a bar line of
        // another phase, 19.0) is not used (a host that is right moves the grid: see below).
        timeline.end_block();
        let start = timeline.begin_block(&block(20.0, three, Some(19.0)), 120.0);
        assert!(start.jumped);
        assert_eq!(timeline.bar_origin_beats(), 0.0);
    }

    #[test]
    fn a_host_that_reports_impossible_bar_starts_is_not_trusted_after_a_locate() {
        let five = TimeSignature::new(5, 4);
        // Ardour 7 in 5/4: (bar index + 1) x 4 quarters. At quarter 0 it says 4.
        let ardour = |pos: f64| ((pos / 5.0).floor() + 1.0) * 4.0;
        let mut timeline = Timeline::default();
        timeline.begin_block(&block(0.0, five, Some(ardour(0.0))), 120.0);
        timeline.end_block();
        // A locate to quarter 27.5 (bar 6, whose line is 25), reported as 24: looks like a bar
        // line a bar before the position, but the host is known to be wrong; the grid stays.
        let start = timeline.begin_block(&block(27.5, five, Some(ardour(27.5))), 120.0);
        assert!(start.jumped && !start.regridded);
        assert_eq!(timeline.bar_origin_beats(), 0.0);

        // A host whose bar starts are right: a locate to another phase of the grid moves it.
        let mut timeline = Timeline::default();
        timeline.begin_block(&block(0.0, five, Some(0.0)), 120.0);
        timeline.end_block();
        timeline.begin_block(&block(27.5, five, Some(26.0)), 120.0);
        assert_eq!(timeline.bar_origin_beats(), 1.0);
    }
}
