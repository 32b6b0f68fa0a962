//! The note tracker: from samples to time-stamped notes, causally and block-size independent.
//!
//! Per hop of [`HOP`] analysis samples (about 2.9 ms at 22 kHz) it measures the level and the
//! spectral flux, and runs a small state machine:
//!
//! - **Silent**: the newest hop's level rising above the gate opens a *candidate* note, its
//!   onset placed at the start of the rise (searched back a few hops, then to the sample).
//! - **Candidate**: the pitch of the audio since the onset is estimated every hop; two estimates
//!   in a row within a third of a semitone make the note: a note-on is reported *now*, stamped
//!   at the onset. No steady pitch within [`CANDIDATE_TIMEOUT_HOPS`] (a cough, a door): the
//!   sound is ignored until silence, a new attack or a clear pitch that holds (a note swelling
//!   out of a background louder than the gate).
//! - **Note**: it ends (note-off stamped where the level fell) when the level drops below the gate
//!   (less a hysteresis) or 40 dB under the note's peak; on a re-attack (a jump in level with new
//!   spectral energy: repeated notes); on a rise of the level out of a dip whose audio has a new
//!   pitch, steady in two estimates and another key (the next note entering under a long
//!   release); or on a pitch change (legato), seen two ways: a new pitch
//!   steady within a third of a semitone for [`STEADY_HOPS`] (75 ms, longer than vibrato of
//!   ±1 semitone ever holds still; 29 ms after a note whose pitch stood still), or — under
//!   vibrato — the centre of the pitch's swing over the
//!   last [`SLOW_WINDOW_HOPS`] (185 ms) moved at least 0.8 semitone from the centre over the
//!   185 ms before. Either way the change is stamped where the estimates first leaned to the new
//!   pitch (a sung glide: where it began, by how long its estimates took over its later half),
//!   searched back — through a stretch of unclear readings (two notes overlapping in a
//!   release: no clear pitch, or their common subharmonic) to the last one that still read the
//!   old pitch, so a note swelling in under the previous one's release is not stamped late.
//!
//! A note-off carries the key the whole note is best heard as (its mean pitch: the centre of a
//! vibrato, not the extreme the note-on may have caught; the pitch an attack that sounded the
//! octave below settled on), for capture to keep.
//!
//! Times are host sample indices since the tracker was made or reset.

use super::decimator::Decimator;
use super::histogram::{PitchHistogram, TrimmedPitch};
use super::history::{HopHistory, HISTORY};
use super::noise_floor::{Heard, NoiseFloor};
use super::onset::{level_db, Flux, FLUX_FRAME};
use super::pitch::{PitchDetector, PitchEstimate, MAX_SEGMENT, MIN_HARMONICS_SEGMENT};
use super::settings::TrackerSettings;
use crate::engine::scale::Scale;

/// Analysis samples per hop.
pub const HOP: usize = 64;
/// A candidate still without a pitch this many hops after it opened (46 ms: longer than the
/// attack of a clear note, as long as a sung "s") opened on something that was not the note.
const LATE_PITCH_HOPS: u64 = 16;
/// A candidate's first pitch rising out of its sound this many analysis samples (or more) after
/// the candidate opened starts the note there (4 hops, 12 ms: well inside a note's attack).
const LATE_ATTACK_SAMPLES: u64 = 4 * HOP as u64;
/// Analysis samples kept (a power of two, more than any frame).
const RING: usize = 4096;
/// The level is the RMS over this many hops (about 11 ms).
const LEVEL_HOPS: usize = 4;
/// A candidate without a steady pitch for this many hops (about 200 ms) is not a note.
pub const CANDIDATE_TIMEOUT_HOPS: u64 = 70;
/// The longest swell searched back for where a note found by its pitch in the background rose
/// out of it, hops (about 170 ms: a slow bow).
const MAX_SWELL_HOPS: u64 = 64;
/// A note found in the background rose out of it where the level stood this far over the
/// background's, dB: the note as loud as the background itself.
const SWELL_OVER_BACKGROUND_DB: f32 = 3.0;
/// Hops from which an unpitched sound heard over digital silence is learnt as the background
/// at once: most of a candidate's time ([`CANDIDATE_TIMEOUT_HOPS`]), all of it that sound.
const LEARN_HOPS: u64 = 64;
/// Hops a new pitch must hold to end a note by a pitch change (about 75 ms).
pub const STEADY_HOPS: usize = 26;
/// Of those, at least this many must have a confident estimate (two notes overlapping in a
/// sampler's release are not periodic for a few hops).
const STEADY_MIN_ESTIMATES: usize = 20;
/// Hops a new pitch must hold to end a note whose pitch has stood still (no vibrato) by a
/// pitch change (about 29 ms): with no swing to mistake for a change, a steady new key needs no
/// longer than a few of its estimates.
const QUICK_STEADY_HOPS: usize = 10;
/// Of those, at least this many must have a confident estimate.
const QUICK_MIN_ESTIMATES: usize = 8;
/// A note's pitch stood still when, over this many hops before the change (about 100 ms: half
/// the slowest vibrato's cycle, so a vibrato's whole swing shows) …
const QUICK_STILL_HOPS: u64 = 35;
/// … its estimates swung by at most this, semitones (a still note's estimates by about 0.1; a
/// vibrato of ±0.25 semitone by 0.5). Taken just before the window, not over the whole note: a
/// singer's vibrato can set in late.
const QUICK_MAX_SWING: f32 = 0.5;
/// The pitch it had is the mean of at least this many estimates (about 46 ms of the note).
const QUICK_MIN_BEFORE: u32 = 16;
/// Hops of each of the two windows a vibrato-robust pitch change is judged on (about 185 ms:
/// three quarters of the slowest vibrato's cycle, so each window's centre — the middle of its
/// highest and lowest pitch — is within a sixth of a semitone of the vibrato's).
pub const SLOW_WINDOW_HOPS: usize = 64;
/// The slow test: the newer window's centre at least this far from the older one's, semitones …
const SLOW_CHANGE_SEMITONES: f32 = 0.8;
/// … with the newer window swinging by at most this (a vibrato of ±1 semitone swings 2).
const SLOW_MAX_SWING: f32 = 2.5;
/// Hops after an onset in which no re-attack is looked for (the attack itself rises).
const REFRACTORY_HOPS: u64 = 16;
/// The gate's hysteresis: a note ends this far below the gate, dB.
const GATE_HYSTERESIS_DB: f32 = 3.0;
/// A note ends this far below its peak level, dB (a long decay into reverb).
const DECAY_END_DB: f32 = 40.0;
/// Re-attack: a level jump of this much over the level 22–44 ms earlier, dB, alone …
const REATTACK_ALONE_DB: f32 = 10.0;
/// … or this much with a spectral-flux peak.
const REATTACK_WITH_FLUX_DB: f32 = 5.0;
/// Least periodicity for a pitch estimate to count while a note is being found (two estimates
/// must agree, so a looser one is safe and finds a note sooner) …
const MIN_CLARITY_ONSET: f32 = 0.7;
/// … and while a note sounds, where a stricter one keeps a release's blur out of the legato
/// decisions.
const MIN_CLARITY_NOTE: f32 = 0.9;
/// A candidate that has not stood out of a known background by its margin makes a note only
/// after this many hops in a row (about 16 ms) of clear estimates ([`MIN_CLARITY_NOTE`]) each
/// agreeing with the one before: steady noise at the gate's level (a fan, brown noise) reads
/// as a clear pitch now and then, but not for long.
const IN_NOISE_AGREEING_HOPS: u8 = 6;
/// Two estimates agree within this, semitones.
const AGREE_SEMITONES: f32 = 0.35;
/// A held pitch change: at least this far from the note's mean pitch, semitones.
const PITCH_CHANGE_SEMITONES: f32 = 0.75;
/// Analysis samples of audio a note's pitch is estimated on while it sounds.
const NOTE_SEGMENT: usize = 768;
/// A pitch change in a note's first hops (about 100 ms) re-keys it instead of splitting it: the
/// attack's first estimates were off (a flute's chiff), not a new note.
const MIN_SPLIT_HOPS: u64 = 35;
/// A pitch change of an octave, within this many semitones, …
const OCTAVE_SLIP_SEMITONES: f32 = 0.5;
/// … that began within this many hops (about 93 ms) of the note's onset re-keys the note
/// instead of splitting off a note an octave away: an attack can sound the octave below
/// (FluidR3's flute on A5 does for 40–50 ms), and no melody leaps an octave off a blip that
/// short.
const ATTACK_SLIP_HOPS: u64 = MIN_SPLIT_HOPS;
/// An estimate this far from the sounding note's key is a slip (an octave, a subharmonic of an
/// overlapping release), not the note's pitch, semitones.
const SLIP_SEMITONES: f32 = 3.0;
/// A candidate whose level has stayed within this of the gate, dB, was opened by the
/// background's swing (noise at the gate's level) or a breath: a strong attack then moves its
/// onset to the attack. A note's own first hop is well above it.
const QUIET_CANDIDATE_DB: f32 = 6.0;
/// A re-attack needs the level to have dipped this far under the note's peak first (a note's
/// own slow attack only rises), dB.
const REATTACK_DIP_DB: f32 = 6.0;
/// A rise of the level out of a dip by this much, dB, is checked for a new note's pitch …
const RISE_DB: f32 = 3.0;
/// … for at most this many hops (about 115 ms: a bowed note's pitch settles slowly) …
const RISE_TIMEOUT_HOPS: u64 = 40;
/// … with estimates at least this periodic …
const MIN_CLARITY_RISE: f32 = 0.9;
/// … and stamped at most this many hops (about 100 ms) before the rise was seen.
const MAX_RISE_HOPS: u64 = 35;
/// A pitch change is stamped back through at most this many hops (about 175 ms) of unclear
/// estimates before the new pitch's first one, to the last that read the old pitch.
const MAX_UNCLEAR_HOPS: u64 = 60;
/// In a large room the estimates between two notes can stay unclear far longer than
/// [`MAX_UNCLEAR_HOPS`] (the old note's tail and the new note mixed): a pitch change's stamp
/// then looks for the new note's attack (a flux peak) through that whole stretch, back to the
/// old pitch's last clear reading (however far back) and this many hops (about 21 ms) past it.
/// Chosen on FluidR3 (issue 27's development set) from 8, 16, 30 and 80 hops: further back it
/// finds the change of a sung vowel, which a singer makes before the pitch moves.
const REVERB_REACH_PAST_OLD_HOPS: u64 = 8;
/// With no clear reading of the old pitch, the attack is looked for up to this many hops (about
/// 210 ms) before the new pitch's first estimate.
const REVERB_REACH_HOPS: u64 = 80;
/// The far attack must be this many times the strongest flux peak near the pitch change.
const REVERB_PEAK_RATIO: f32 = 2.5;
/// A reading more than [`SLIP_SEMITONES`] under the sounding note needs at least this share of
/// its power at harmonics 1, 5 and 7 to count (a genuine lower note has it; the common
/// subharmonic of two overlapping notes has not) …
const SUBHARMONIC_MIN_SHARE: f32 = 0.05;
/// … and at least this share at its fundamental alone: in a large room three notes can ring
/// together (the tail of two and the next), and their common subharmonic then has the new note
/// itself as its 5th harmonic, but nothing at its fundamental. Chosen on FluidR3 (issue 27's
/// development set) from 0.02, 0.05, 0.1 and 0.2, which scored within 0.003 of each other
/// (pooled note F; 0.635 with none); the middle one is kept.
const SUBHARMONIC_MIN_FUNDAMENTAL_SHARE: f32 = 0.05;
/// A glided pitch change (a singer's portamento) is timed by how long its estimates took from
/// the midpoint of the interval to this share of the way to the new pitch …
const GLIDE_LATE_SHARE: f32 = 0.75;
/// … and a glide's start lies this many of its middle halves (the way from a quarter to three
/// quarters) before its midpoint: 1.5 for a glide eased in and out like a sung portamento (a
/// raised cosine covers the middle half in a third of its time), 1 for a straight one. The
/// development set (FluidR3's instruments and the singer generator) scored alike with 1 and
/// 1.5 (pooled note F within 0.002); 1.5 is the shape of a sung glide.
const GLIDE_START_SPANS: f32 = 1.5;
/// A glide's stamp moves back at most this many hops (about 64 ms) before its midpoint: half a
/// slow portamento of 130 ms.
const MAX_GLIDE_BACK_HOPS: u64 = 24;
/// Spectral flux is measured up to this frequency, Hz: attacks of voices and instruments show
/// there; above it lie breath and bow noise.
const FLUX_TOP_HZ: f32 = 5_000.0;
/// A rise is measured against the level this many hops back, before the attack being judged
/// ...
const RISE_BASE_FROM_HOPS: u64 = 8;
/// ... averaged over this many hops up to that point.
const RISE_BASE_HOPS: u64 = 16;
/// The level a rise is measured from is at least this far under the gate, dB: a rise out of
/// deep silence counts from there, not from the noise floor's own fluctuations.
const RISE_FLOOR_UNDER_GATE_DB: f32 = 20.0;
/// Hops of flux averaged to judge the newest one.
const FLUX_MEAN_HOPS: u64 = 16;
/// A flux peak is more than this times the recent mean ...
const FLUX_PEAK_RATIO: f32 = 2.0;
/// ... plus this floor (flux units), so a near-silent mean does not make every hop a peak.
const FLUX_PEAK_FLOOR: f32 = 1.0;
/// Peak level that maps to velocity 0, dBFS (a quiet hum).
const VELOCITY_ZERO_DB: f32 = -54.0;
/// Levels this far above [`VELOCITY_ZERO_DB`] map to full velocity (-6 dBFS), dB.
const VELOCITY_RANGE_DB: f32 = 48.0;
/// Lowest velocity a heard note gets (still audible on a sampler).
const MIN_VELOCITY: f32 = 0.05;
/// Quiet input is taken for the background only this many hops (about 1 s) after a note last
/// sounded: a note's tail (a piano's pedalled release) is not the room.
const TAIL_HOPS: u64 = 345;
/// The 11 ms level lags a release by about two hops: a release is stamped that much earlier.
const RELEASE_LAG_HOPS: u64 = 2;

/// A note starting or ending.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackedNote {
    /// `true` for a note-on, `false` for its note-off.
    pub is_on: bool,
    /// MIDI key (a note-off has its note-on's key).
    pub key: u8,
    /// The key the whole note is best heard as: for a note-off, from its mean pitch (it can
    /// differ from `key` when the note-on caught a vibrato's extreme); for a note-on, `key`.
    pub final_key: u8,
    /// Velocity 0–1 (note-on; the note-on's for a note-off).
    pub velocity: f32,
    /// When the note started or ended, host samples since the tracker began.
    pub at_samples: u64,
    /// When the tracker knew it: host samples consumed when the event was reported.
    pub reported_at_samples: u64,
}

/// What the editor shows live.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TrackerReadout {
    /// Input level, dBFS (RMS over about 11 ms).
    pub level_db: f32,
    /// The latest confident pitch estimate while a sound is tracked, fractional MIDI key.
    pub pitch_midi: Option<f32>,
    /// The key of the note sounding, if any.
    pub sounding_key: Option<u8>,
}

/// A sample count on the analysis clock: samples of the decimated signal the tracker analyses
/// (its own rate, below the host's). Host-rate sample counts are plain `u64`
/// ([`TrackedNote::at_samples`], [`NoteTracker::consumed_samples`]); [`NoteTracker::host_time`]
/// converts. A distinct type so the two clocks cannot be mixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
struct AnalysisSample(u64);

impl AnalysisSample {
    /// The count as a number.
    fn get(self) -> u64 {
        self.0
    }

    /// The slot of this sample in the analysis ring.
    fn ring_slot(self) -> usize {
        (self.0 % RING as u64) as usize
    }

    /// `samples` earlier, not before the start.
    fn saturating_sub(self, samples: u64) -> AnalysisSample {
        AnalysisSample(self.0.saturating_sub(samples))
    }
}

impl std::ops::Add<u64> for AnalysisSample {
    type Output = AnalysisSample;
    fn add(self, samples: u64) -> AnalysisSample {
        AnalysisSample(self.0 + samples)
    }
}

impl std::ops::AddAssign<u64> for AnalysisSample {
    fn add_assign(&mut self, samples: u64) {
        self.0 += samples;
    }
}

impl std::ops::Sub<u64> for AnalysisSample {
    type Output = AnalysisSample;
    fn sub(self, samples: u64) -> AnalysisSample {
        AnalysisSample(self.0 - samples)
    }
}

/// Samples from `earlier` to `self`.
impl std::ops::Sub for AnalysisSample {
    type Output = u64;
    fn sub(self, earlier: AnalysisSample) -> u64 {
        self.0 - earlier.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Silent,
    /// Sound without a pitch yet; `onset` in analysis samples.
    Candidate {
        onset: AnalysisSample,
        opened_hop: u64,
        last_midi: Option<f32>,
        peak_db: f32,
        /// Hops in a row whose estimate agreed with the one before (counted while the sound
        /// does not stand out of the background, see [`IN_NOISE_AGREEING_HOPS`]).
        agreed_hops: u8,
    },
    /// Sound that is not a note (no steady pitch): ignored until silence, a new attack or a
    /// clear pitch that holds (a note swelling out of the background).
    Unpitched {
        opened_hop: u64,
        /// The heard key of the note whose tail this is (not the background), or `None`: it rose
        /// out of silence without a pitch (a noise: the background is learnt from it).
        tail_of: Option<u8>,
        /// The clear pitch read in the last hop, not the tail's key: one that holds to the next
        /// hop is a note in the background.
        last_pitch: Option<f32>,
    },
    Note(Sounding),
}

/// What one hop's measurement gives the phases.
#[derive(Debug, Clone, Copy)]
struct HopMeasure {
    /// Level of the last [`LEVEL_HOPS`] hops, dBFS.
    level: f32,
    /// Rise of `level` over the level [`RISE_BASE_FROM_HOPS`] hops back, dB.
    rise_db: f32,
    /// The hop's spectral flux stands out from the recent ones (an attack).
    flux_peak: bool,
    /// The hop's slot in the hop history.
    index: usize,
    /// Host samples consumed when the hop was measured (a note reported now).
    now: u64,
}

/// The note being heard.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Sounding {
    /// The key its note-on was reported with (its note-off carries it too, to pair with it).
    key: u8,
    /// The key it is heard as: `key`, unless its attack sounded an octave off (then the key of
    /// the pitch it settled on), for the pitch tests and the note-off's final key.
    heard_key: u8,
    velocity: f32,
    /// Onset, analysis samples.
    onset: AnalysisSample,
    opened_hop: u64,
    peak_db: f32,
    /// The first hop whose pitch estimate belongs to this note.
    first_hop: u64,
    /// The lowest level since the last peak, dB (a dip before a re-attack).
    dip_db: f32,
    /// The hop the level was at `dip_db`.
    dip_hop: u64,
    /// A rise out of a dip being checked for a new note's pitch.
    rise: Option<Rise>,
}

/// A rise of the level out of a dip while a note sounds: perhaps the next note, entering under
/// the last one's release (bowed and blown notes, a sampler's long release).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rise {
    /// Where the rise began, analysis samples.
    onset: AnalysisSample,
    opened_hop: u64,
    /// The previous pitch estimate of the audio since `onset`.
    last_midi: Option<f32>,
}

/// The causal monophonic note tracker. Owner: the audio thread (or the CLI). Allocates only in
/// [`NoteTracker::new`].
pub struct NoteTracker {
    settings: TrackerSettings,
    decimator: Decimator,
    analysis_rate_hz: f32,
    /// Host samples per analysis sample.
    factor: u64,
    /// The decimator's delay, host samples.
    delay_samples: u64,
    ring: Vec<f32>,
    /// Analysis samples produced so far.
    analysed: AnalysisSample,
    /// Host samples consumed so far.
    consumed: u64,
    /// Level, flux and pitch of the latest hops, and the hop count.
    history: HopHistory,
    /// The sounding note's pitch estimates in quarter-semitone bins (its final key: robust to
    /// octave slips, centred on a vibrato).
    note_histogram: PitchHistogram,
    segment: Vec<f32>,
    pitch: PitchDetector,
    flux: Flux,
    phase: Phase,
    readout: TrackerReadout,
    /// The background's level: a note must stand out of it.
    noise_floor: NoiseFloor,
    /// The last hop a note sounded (`None` before any).
    last_sound_hop: Option<u64>,
}

impl std::fmt::Debug for NoteTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoteTracker")
            .field("settings", &self.settings)
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

impl NoteTracker {
    /// A tracker for `sample_rate_hz`. Allocates (FFT plans, buffers): call from
    /// `initialize()`/`prepare()`, never from `process()`.
    pub fn new(sample_rate_hz: f64, settings: TrackerSettings) -> Self {
        let decimator = Decimator::new(sample_rate_hz);
        let rate = if sample_rate_hz.is_finite() && sample_rate_hz > 0.0 {
            sample_rate_hz
        } else {
            48_000.0
        };
        let analysis_rate_hz = decimator.analysis_rate_hz(rate) as f32;
        Self {
            settings,
            analysis_rate_hz,
            factor: decimator.factor() as u64,
            delay_samples: decimator.delay_samples() as u64,
            decimator,
            ring: vec![0.0; RING],
            analysed: AnalysisSample(0),
            consumed: 0,
            history: HopHistory::EMPTY,
            note_histogram: PitchHistogram::EMPTY,
            segment: vec![0.0; MAX_SEGMENT.max(FLUX_FRAME)],
            pitch: PitchDetector::new(),
            flux: Flux::new(),
            phase: Phase::Silent,
            readout: TrackerReadout {
                level_db: -120.0,
                ..TrackerReadout::default()
            },
            noise_floor: NoiseFloor::new(HOP as f32 / analysis_rate_hz),
            last_sound_hop: None,
        }
    }

    /// Changes the settings (between blocks; a sounding note keeps going).
    pub fn set_settings(&mut self, settings: TrackerSettings) {
        self.settings = settings;
    }

    /// The settings.
    pub fn settings(&self) -> TrackerSettings {
        self.settings
    }

    /// What the editor shows.
    pub fn readout(&self) -> TrackerReadout {
        self.readout
    }

    /// The background the tracker has learnt (its level and margin).
    pub fn noise_floor(&self) -> &NoiseFloor {
        &self.noise_floor
    }

    /// Host samples consumed since the tracker was made or reset.
    pub fn consumed_samples(&self) -> u64 {
        self.consumed
    }

    /// Ends a sounding note (reported through `emit`, stamped now) and forgets all input; times
    /// count from 0 again.
    pub fn reset(&mut self, emit: &mut impl FnMut(TrackedNote)) {
        self.finish(emit);
        self.decimator.reset();
        self.flux.reset();
        self.ring.iter_mut().for_each(|s| *s = 0.0);
        self.analysed = AnalysisSample(0);
        self.consumed = 0;
        self.history = HopHistory::EMPTY;
        self.phase = Phase::Silent;
        self.noise_floor.reset();
        self.last_sound_hop = None;
        self.readout = TrackerReadout {
            level_db: -120.0,
            ..TrackerReadout::default()
        };
    }

    /// Ends a sounding note now (the end of a file, a stop).
    pub fn finish(&mut self, emit: &mut impl FnMut(TrackedNote)) {
        if let Phase::Note(note) = self.phase {
            let at = self.analysed.max(note.onset + 1);
            emit(self.note_off(&note, at, self.histogram_pitch()));
        }
        self.phase = Phase::Silent;
        self.readout.sounding_key = None;
    }

    /// The note-off of `note` at analysis sample `at`, its final key from `mean_pitch`.
    fn note_off(
        &self,
        note: &Sounding,
        at: AnalysisSample,
        mean_pitch: Option<f32>,
    ) -> TrackedNote {
        TrackedNote {
            is_on: false,
            key: note.key,
            final_key: mean_pitch.map_or(note.heard_key, |p| self.key_for(p)),
            velocity: note.velocity,
            at_samples: self.host_time(at).max(self.host_time(note.onset) + 1),
            reported_at_samples: self.consumed,
        }
    }

    /// Feeds one block of stereo input (`left` and `right` the same length; pass the same slice
    /// twice for mono). Notes found are reported through `emit`, in time order. Never allocates.
    pub fn process(&mut self, left: &[f32], right: &[f32], emit: &mut impl FnMut(TrackedNote)) {
        let channel = self.settings.input_channel;
        for (&l, &r) in left.iter().zip(right) {
            self.consumed += 1;
            if let Some(y) = self.decimator.push(channel.pick(l, r)) {
                self.ring[self.analysed.ring_slot()] = y;
                self.analysed += 1;
                if self.analysed.get().is_multiple_of(HOP as u64) {
                    self.hop(emit);
                }
            }
        }
    }

    /// The host sample an analysis sample index describes.
    fn host_time(&self, analysis_index: AnalysisSample) -> u64 {
        (analysis_index.get() * self.factor + self.factor - 1).saturating_sub(self.delay_samples)
    }

    /// Copies the newest `len` analysis samples into `self.segment[..len]`.
    fn copy_newest(&mut self, len: usize) {
        self.copy_ending(len, 0);
    }

    /// Copies the `len` analysis samples that end `skip` samples before the newest into
    /// `self.segment[..len]` (fewer if not that many were analysed).
    fn copy_ending(&mut self, len: usize, skip: u64) {
        let end = self.analysed.saturating_sub(skip);
        let len = len.min(self.segment.len()).min(end.get() as usize);
        let start = end - len as u64;
        for i in 0..len {
            self.segment[i] = self.ring[(start + i as u64).ring_slot()];
        }
    }

    /// Where the attack that brought the current level began, analysis samples: the first hop
    /// after the last one (within 12 hops) under a tenth of the newest hop's energy (each less
    /// the background's), then the
    /// first sample in that hop above a quarter of the hop's peak.
    fn attack_start(&mut self) -> AnalysisSample {
        // Energies above the background's (its level and half its margin: its usual swing), so
        // an attack out of noise is found where it rose out of it.
        let background =
            10f32.powf((self.noise_floor.level_db() + 0.5 * self.noise_floor.margin_db()) / 10.0);
        let newest = (self.history.energy(0) - background).max(0.0);
        let mut hops_back = 0u64;
        for back in 1..12u64.min(self.history.hops()) {
            if self.history.energy(back) - background < 0.1 * newest {
                break;
            }
            hops_back = back;
        }
        let hop_start = self.analysed - (hops_back + 1) * HOP as u64;
        // To the sample: the first one reaching a quarter of the hop pair's peak.
        let span = (2 * HOP).min((self.analysed - hop_start) as usize);
        let mut peak = 0.0f32;
        for i in 0..span {
            peak = peak.max(self.ring[(hop_start + i as u64).ring_slot()].abs());
        }
        for i in 0..HOP.min(span) {
            if self.ring[(hop_start + i as u64).ring_slot()].abs() >= 0.25 * peak {
                return hop_start + i as u64;
            }
        }
        hop_start
    }

    /// Where a sound with a pitch (found in the background, with no attack) rose out of it:
    /// the start of the earliest hop, at most [`MAX_SWELL_HOPS`] back and not before
    /// `max_hops_back`, from which its 11 ms level has stayed [`SWELL_OVER_BACKGROUND_DB`] over
    /// the background's.
    fn rise_out_of_background(&self, max_hops_back: u64) -> AnalysisSample {
        let over = self.noise_floor.level_db() + SWELL_OVER_BACKGROUND_DB;
        let reach = MAX_SWELL_HOPS
            .min(max_hops_back)
            .min(self.history.hops().saturating_sub(LEVEL_HOPS as u64));
        let mut hops_back = 0u64;
        for back in 1..reach {
            if level_db(self.history.mean_energy(back, back + LEVEL_HOPS as u64)) < over {
                break;
            }
            hops_back = back;
        }
        self.analysed - (hops_back + 1) * HOP as u64
    }

    /// Re-opens the candidate note at the newest attack ([`NoteTracker::attack_start`]) when it
    /// began clearly after the candidate's `onset` (`true`: the phase is the re-opened
    /// candidate's, its pitch not read yet).
    fn restart_at_later_attack(&mut self, onset: AnalysisSample, peak_db: f32) -> bool {
        let attack = self.attack_start();
        if attack <= onset + LATE_ATTACK_SAMPLES {
            return false;
        }
        self.phase = Phase::Candidate {
            onset: attack,
            opened_hop: self.history.hops(),
            last_midi: None,
            peak_db,
            agreed_hops: 0,
        };
        true
    }

    /// A confident pitch estimate (clarity at least `min_clarity`) of the newest `len` samples
    /// within the range.
    fn pitch_of_newest(&mut self, len: usize, min_clarity: f32) -> Option<PitchEstimate> {
        self.pitch_ending(len, 0, min_clarity)
    }

    /// As [`NoteTracker::pitch_of_newest`], of the `len` samples ending `skip` samples before
    /// the newest.
    fn pitch_ending(&mut self, len: usize, skip: u64, min_clarity: f32) -> Option<PitchEstimate> {
        self.copy_ending(len.min(MAX_SEGMENT), skip);
        let len = len
            .min(MAX_SEGMENT)
            .min(self.analysed.saturating_sub(skip).get() as usize);
        let (min_key, max_key) = (
            self.settings.min_key,
            self.settings
                .max_key
                .max(min_key_plus(self.settings.min_key)),
        );
        // Search a little beyond the range, then keep only notes inside it.
        let min_hz = midi_to_hz(f32::from(min_key) - 1.0);
        let max_hz = midi_to_hz(f32::from(max_key) + 1.0).min(0.45 * self.analysis_rate_hz);
        let estimate: PitchEstimate =
            self.pitch
                .estimate(&self.segment[..len], self.analysis_rate_hz, min_hz, max_hz)?;
        let midi = estimate.midi();
        let in_range = midi >= f32::from(min_key) - 0.5 && midi <= f32::from(max_key) + 0.5;
        (estimate.clarity >= min_clarity && in_range && midi.is_finite()).then_some(estimate)
    }

    /// The estimate a candidate's newest one (`estimate`, of the `since_onset` samples since its
    /// onset) must agree with to make a note: the last hop's, `last_midi`, or else one of the
    /// same audio less its newest half hop, so a note is found a hop sooner.
    fn estimate_to_agree_with(
        &mut self,
        estimate: Option<f32>,
        last_midi: Option<f32>,
        since_onset: usize,
    ) -> Option<f32> {
        let Some(newest) = estimate else {
            return last_midi;
        };
        let agrees = |p: Option<f32>| p.is_some_and(|p| (newest - p).abs() <= AGREE_SEMITONES);
        if agrees(last_midi) {
            return last_midi;
        }
        let half_hop = HOP / 2;
        let earlier = self
            .pitch_ending(
                since_onset.saturating_sub(half_hop),
                half_hop as u64,
                MIN_CLARITY_ONSET,
            )
            .map(|e| e.midi());
        if agrees(earlier) {
            earlier
        } else {
            last_midi
        }
    }

    /// The key a pitch is reported as: the nearest key, or the nearest in the locked key's scale.
    fn key_for(&self, midi: f32) -> u8 {
        match self.settings.snap_to_key {
            Some(key) => Scale::from(key).snap(midi),
            None => midi.round().clamp(0.0, 127.0) as u8,
        }
    }

    /// A note's velocity (0–1) from its peak level: linear in dB from
    /// [`VELOCITY_ZERO_DB`] up to [`VELOCITY_RANGE_DB`] above it, never under
    /// [`MIN_VELOCITY`].
    fn velocity_of(peak_db: f32) -> f32 {
        ((peak_db - VELOCITY_ZERO_DB) / VELOCITY_RANGE_DB).clamp(MIN_VELOCITY, 1.0)
    }

    /// One hop of analysis: measure the newest audio, then act on it in the current phase.
    fn hop(&mut self, emit: &mut impl FnMut(TrackedNote)) {
        let measure = self.measure_hop();
        // The background is learnt from a sound that rose out of silence without a pitch, and
        // from quiet input once a note's tail has had time to die away (a tail is not the room).
        let hops = self.history.hops();
        if matches!(self.phase, Phase::Note(_)) {
            self.last_sound_hop = Some(hops);
        }
        // A clear pitch in sound without one so far: a note in the background (a violin's slow
        // swell out of noise louder than the gate), which the background must not learn.
        let unpitched_pitch = match self.phase {
            Phase::Unpitched { tail_of, .. } => self
                .pitch_of_newest(NOTE_SEGMENT, MIN_CLARITY_NOTE)
                .map(|e| e.midi())
                .filter(|&midi| {
                    tail_of.is_none_or(|key| (midi - f32::from(key)).abs() > PITCH_CHANGE_SEMITONES)
                }),
            _ => None,
        };
        let heard = match self.phase {
            Phase::Unpitched { tail_of: None, .. } if unpitched_pitch.is_none() => Heard::Unpitched,
            Phase::Silent
                if self
                    .last_sound_hop
                    .is_none_or(|last| hops.saturating_sub(last) > TAIL_HOPS) =>
            {
                Heard::Quiet
            }
            _ => Heard::Note,
        };
        if heard == Heard::Unpitched && self.noise_floor.is_silence() {
            let mut floor = self.noise_floor;
            floor.learn(self.recent_levels());
            self.noise_floor = floor;
        } else {
            self.noise_floor.follow(measure.level, heard);
        }
        match self.phase {
            Phase::Silent => self.silent_hop(),
            Phase::Unpitched {
                opened_hop,
                tail_of,
                last_pitch,
            } => self.unpitched_hop(
                (opened_hop, tail_of),
                (last_pitch, unpitched_pitch),
                &measure,
            ),
            Phase::Candidate {
                onset,
                opened_hop,
                last_midi,
                peak_db,
                agreed_hops,
            } => self.candidate_hop(
                onset,
                opened_hop,
                (last_midi, agreed_hops),
                peak_db,
                &measure,
                emit,
            ),
            Phase::Note(note) => self.sounding_hop(note, &measure, emit),
        }
    }

    /// The 11 ms levels of the last [`LEARN_HOPS`] hops, oldest first, dBFS.
    fn recent_levels(&self) -> impl Iterator<Item = f32> + '_ {
        let hops = LEARN_HOPS
            .min(self.history.hops())
            .min((HISTORY - LEVEL_HOPS) as u64);
        (0..hops)
            .rev()
            .map(|back| level_db(self.history.mean_energy(back, back + LEVEL_HOPS as u64)))
    }

    /// Level and spectral flux of the newest hop, recorded in the hop history, and what the
    /// phases read of them.
    fn measure_hop(&mut self) -> HopMeasure {
        self.copy_newest(FLUX_FRAME);
        let newest = &self.segment[FLUX_FRAME - HOP..FLUX_FRAME];
        let energy = newest.iter().map(|x| x * x).sum::<f32>() / HOP as f32;
        let flux = if self.analysed.get() >= FLUX_FRAME as u64 {
            let bin_hz = self.analysis_rate_hz / FLUX_FRAME as f32;
            let low = (midi_to_hz(f32::from(self.settings.min_key)) / bin_hz) as usize;
            let high = (FLUX_TOP_HZ / bin_hz) as usize + 1;
            self.flux
                .next(&self.segment[..FLUX_FRAME], low.max(1), high)
        } else {
            0.0
        };
        let index = self.history.push(energy, flux);
        let level = level_db(self.history.mean_energy(0, LEVEL_HOPS as u64));
        let earlier = level_db(
            self.history
                .mean_energy(RISE_BASE_FROM_HOPS, RISE_BASE_HOPS),
        );
        self.readout.level_db = level;
        let rise_db = level - earlier.max(self.gate_db() - RISE_FLOOR_UNDER_GATE_DB);
        let flux_peak = {
            let mut recent = 0.0;
            for back in 1..(FLUX_MEAN_HOPS + 1).min(self.history.hops()) {
                recent += self.history.flux(back);
            }
            let mean = recent / FLUX_MEAN_HOPS as f32;
            flux > FLUX_PEAK_RATIO * mean + FLUX_PEAK_FLOOR
        };
        HopMeasure {
            level,
            rise_db,
            flux_peak,
            index,
            now: self.consumed,
        }
    }

    /// The level a sound must reach to be heard: the user's gate, or the background plus its
    /// margin when that is higher ([`NoiseFloor::threshold_db`]).
    fn gate_db(&self) -> f32 {
        self.noise_floor.threshold_db(self.settings.gate_db)
    }

    /// Silence: a hop above the gate opens a candidate note.
    fn silent_hop(&mut self) {
        // The newest hop's level, not the 11 ms one: a slow attack opens sooner (a click that
        // opens a candidate gives no pitch and is let go).
        if level_db(self.history.mean_energy(0, 1)) > self.gate_db() {
            self.open_candidate();
        }
    }

    /// Sound without a pitch: silence closes it, a new attack or a clear pitch (not the tail's)
    /// that holds from the `last` hop to this one opens a candidate.
    fn unpitched_hop(
        &mut self,
        (opened_hop, tail_of): (u64, Option<u8>),
        (last, pitch): (Option<f32>, Option<f32>),
        m: &HopMeasure,
    ) {
        let pitch_holds =
            matches!((last, pitch), (Some(a), Some(b)) if (a - b).abs() <= AGREE_SEMITONES);
        if m.level < self.gate_db() - GATE_HYSTERESIS_DB {
            self.phase = Phase::Silent;
            self.readout.pitch_midi = None;
        } else if self.history.hops() - opened_hop > REFRACTORY_HOPS
            && (m.rise_db >= REATTACK_ALONE_DB
                || (m.rise_db >= REATTACK_WITH_FLUX_DB && m.flux_peak))
        {
            self.open_candidate();
        } else if self.history.hops() - opened_hop > REFRACTORY_HOPS && pitch_holds {
            let onset = self.rise_out_of_background(self.history.hops() - opened_hop);
            self.open_candidate_at(onset);
        } else {
            self.phase = Phase::Unpitched {
                opened_hop,
                tail_of,
                last_pitch: pitch,
            };
        }
    }

    /// A candidate note: two agreeing pitch estimates make it a note (reported at its onset);
    /// silence or a timeout without a pitch ends it.
    fn candidate_hop(
        &mut self,
        onset: AnalysisSample,
        opened_hop: u64,
        (last_midi, agreed_hops): (Option<f32>, u8),
        peak_db: f32,
        m: &HopMeasure,
        emit: &mut impl FnMut(TrackedNote),
    ) {
        let quiet_so_far = peak_db < self.gate_db() + QUIET_CANDIDATE_DB;
        let peak_db = peak_db.max(m.level);
        // A sound that has not stood out of a known background (the gate held it, not the
        // background's margin: a fan or brown noise at the gate's level) needs a pitch that
        // holds, clear, over several hops: noise gives a clear-looking estimate now and then,
        // and two overlapping windows of it agree. So does a sound heard before any background
        // was (input that starts with noise above the gate).
        let in_noise = !self.noise_floor.is_learnt()
            || peak_db < self.noise_floor.level_db() + self.noise_floor.margin_db();
        if m.level < self.gate_db() - GATE_HYSTERESIS_DB {
            self.phase = Phase::Silent;
            self.readout.pitch_midi = None;
            return;
        }
        if self.history.hops() - opened_hop > CANDIDATE_TIMEOUT_HOPS {
            self.phase = Phase::Unpitched {
                opened_hop: self.history.hops(),
                tail_of: None,
                last_pitch: None,
            };
            return;
        }
        // A strong attack while the candidate, without a pitch yet, had stayed near the gate: the
        // background's swing at the gate's level (or a breath) opened it, and this is the note.
        if last_midi.is_none()
            && quiet_so_far
            && m.rise_db >= REATTACK_ALONE_DB
            && self.restart_at_later_attack(onset, peak_db)
        {
            return;
        }
        let since_onset = (self.analysed - onset) as usize;
        let min_clarity = if in_noise {
            MIN_CLARITY_NOTE
        } else {
            MIN_CLARITY_ONSET
        };
        let estimate = self
            .pitch_of_newest(since_onset, min_clarity)
            .map(|e| e.midi());
        if estimate.is_some() {
            self.readout.pitch_midi = estimate;
        }
        // The first pitch of a sound that had none for a while (a sung "s" before its vowel, a
        // swell of the background): the note starts where this pitched sound rose, if that is
        // clearly later (the consonant is not the note's onset).
        if estimate.is_some()
            && last_midi.is_none()
            && self.history.hops() - opened_hop > LATE_PITCH_HOPS
            && self.restart_at_later_attack(onset, peak_db)
        {
            return;
        }
        let last_midi = if in_noise {
            last_midi
        } else {
            self.estimate_to_agree_with(estimate, last_midi, since_onset)
        };
        match (estimate, last_midi) {
            (Some(midi), Some(previous))
                if in_noise
                    && (midi - previous).abs() <= AGREE_SEMITONES
                    && agreed_hops + 1 < IN_NOISE_AGREEING_HOPS =>
            {
                self.phase = Phase::Candidate {
                    onset,
                    opened_hop,
                    last_midi: Some(midi),
                    peak_db,
                    agreed_hops: agreed_hops + 1,
                };
            }
            (Some(midi), Some(previous)) if (midi - previous).abs() <= AGREE_SEMITONES => {
                let mean = 0.5 * (midi + previous);
                let key = self.key_for(mean);
                let velocity = Self::velocity_of(peak_db);
                emit(TrackedNote {
                    is_on: true,
                    key,
                    final_key: key,
                    velocity,
                    at_samples: self.host_time(onset),
                    reported_at_samples: m.now,
                });
                self.start_histogram(&[midi, previous]);
                self.phase = Phase::Note(Sounding {
                    key,
                    heard_key: key,
                    velocity,
                    onset,
                    opened_hop,
                    peak_db,
                    first_hop: self.history.hops() + 1,
                    dip_db: peak_db,
                    dip_hop: self.history.hops(),
                    rise: None,
                });
                self.readout.sounding_key = Some(key);
            }
            _ => {
                self.phase = Phase::Candidate {
                    onset,
                    opened_hop,
                    last_midi: estimate.or(last_midi),
                    peak_db,
                    agreed_hops: 0,
                };
            }
        }
    }

    /// A sounding note: it ends at silence or its decay, is split at a re-attack, a rise into
    /// another pitch or a steady pitch change, and otherwise goes on.
    fn sounding_hop(
        &mut self,
        mut note: Sounding,
        m: &HopMeasure,
        emit: &mut impl FnMut(TrackedNote),
    ) {
        let level = m.level;
        let gate = self.gate_db();
        if level > note.peak_db {
            note.peak_db = level;
            note.dip_db = level;
            note.dip_hop = self.history.hops();
        } else if level < note.dip_db {
            note.dip_db = level;
            note.dip_hop = self.history.hops();
        }
        // It ends in the background: under the threshold with its pitch lost (while it stands
        // out of the background and its pitch reads clearly as its key, it still sounds: a
        // tremolo's trough, a soft end over a restless background's wide margin), or back in
        // the background itself (which may be louder than the gate: the threshold is the gate).
        let in_background = self.noise_floor.is_learnt()
            && level < self.noise_floor.level_db() + GATE_HYSTERESIS_DB;
        let since_onset = (self.analysed - note.onset) as usize;
        // The note's pitch, read once this hop: here when its level fell under the threshold
        // (does it still sound?), else below (has it changed?).
        let under_threshold = level < gate - GATE_HYSTERESIS_DB;
        let early_reading = (under_threshold && !in_background)
            .then(|| self.pitch_of_newest(since_onset.min(NOTE_SEGMENT), MIN_CLARITY_NOTE));
        let still_sounding = early_reading.flatten().is_some_and(|e| {
            (e.midi() - f32::from(note.heard_key)).abs() <= PITCH_CHANGE_SEMITONES
        });
        if (under_threshold && !still_sounding)
            || in_background
            || level < note.peak_db - DECAY_END_DB
        {
            let at = self.analysed.saturating_sub(RELEASE_LAG_HOPS * HOP as u64);
            emit(self.note_off(&note, at, self.histogram_pitch()));
            // A tail still above the gate is not a new note: wait for silence or an attack.
            self.phase = if level < gate - GATE_HYSTERESIS_DB {
                Phase::Silent
            } else {
                Phase::Unpitched {
                    opened_hop: self.history.hops(),
                    tail_of: Some(note.heard_key),
                    last_pitch: None,
                }
            };
            self.readout.sounding_key = None;
            self.readout.pitch_midi = None;
            return;
        }
        let rise_from_dip = level - note.dip_db;
        if self.history.hops() - note.opened_hop > REFRACTORY_HOPS
            && note.peak_db - note.dip_db >= REATTACK_DIP_DB
            && rise_from_dip >= REATTACK_WITH_FLUX_DB
            && (m.rise_db >= REATTACK_ALONE_DB
                || (m.rise_db >= REATTACK_WITH_FLUX_DB && m.flux_peak))
        {
            let attack = self.attack_start().max(note.onset + 1);
            emit(self.note_off(&note, attack, self.histogram_pitch()));
            self.readout.sounding_key = None;
            self.phase = Phase::Candidate {
                onset: attack,
                opened_hop: self.history.hops(),
                last_midi: None,
                peak_db: level,
                agreed_hops: 0,
            };
            return;
        }
        // A reading well under the note without harmonics of its own (1, 5, 7, the fundamental)
        // is the note and the next one read together (a release under a swelling note, a large
        // room's tail): unclear, not a new pitch.
        let reading = match early_reading {
            Some(reading) => reading,
            None => self.pitch_of_newest(since_onset.min(NOTE_SEGMENT), MIN_CLARITY_NOTE),
        };
        let estimate = reading
            .filter(|e| is_own_pitch(e, note.heard_key))
            .map(|e| e.midi());
        self.history
            .set_pitch(m.index, estimate.unwrap_or(f32::NAN));
        if let Some(midi) = estimate {
            self.readout.pitch_midi = Some(midi);
            self.add_to_histogram(midi);
        }
        if self.rise_into_new_note(&mut note, level, rise_from_dip, emit) {
            return;
        }
        let young = self.history.hops() < note.first_hop + MIN_SPLIT_HOPS;
        if let Some((new_pitch, old_pitch)) = self.pitch_change(&note).filter(|_| !young) {
            let at = self.change_start(new_pitch, old_pitch, note.onset, true);
            let octave = ((new_pitch - old_pitch).abs() - 12.0).abs() <= OCTAVE_SLIP_SEMITONES;
            if octave && at.get() < note.onset.get() + ATTACK_SLIP_HOPS * HOP as u64 {
                // The attack sounded an octave off (a flute's first puffs can sound the octave
                // below): one note, heard as the new pitch from its onset. Its note-on's key
                // cannot be taken back; its note-off carries the new key as the final one.
                self.start_histogram(&[new_pitch]);
                note.heard_key = self.key_for(new_pitch);
                note.first_hop = self.history.hops() + 1;
                self.readout.sounding_key = Some(note.heard_key);
                self.phase = Phase::Note(note);
                return;
            }
            self.next_note(&note, at, (old_pitch, new_pitch), level, emit);
            return;
        }
        self.phase = Phase::Note(note);
    }

    /// Ends `note` at analysis sample `at` (no earlier than just after its onset) and starts the
    /// next one there at `pitches.1` (reported now; the phase becomes the new note's).
    /// `pitches.0` is the old note's pitch when its own estimates cannot tell.
    fn next_note(
        &mut self,
        note: &Sounding,
        at: AnalysisSample,
        pitches: (f32, f32),
        level: f32,
        emit: &mut impl FnMut(TrackedNote),
    ) {
        let (old_pitch, new_pitch) = pitches;
        let at = at.max(note.onset + 1);
        let new_key = self.key_for(new_pitch);
        // The old note's key from its own estimates: those since the change belong to the new
        // note (the windows' centres can straddle a sampler's overlapping release, where the
        // estimates read a common subharmonic).
        let new_hops = self.analysed.get().saturating_sub(at.get()) / HOP as u64;
        let old_key_pitch = self
            .histogram_pitch_without_newest(new_hops, note)
            .unwrap_or(old_pitch);
        emit(self.note_off(note, at, Some(old_key_pitch)));
        let velocity = Self::velocity_of(level);
        emit(TrackedNote {
            is_on: true,
            key: new_key,
            final_key: new_key,
            velocity,
            at_samples: self.host_time(at).max(self.host_time(note.onset) + 1),
            reported_at_samples: self.consumed,
        });
        self.start_histogram(&[new_pitch]);
        self.phase = Phase::Note(Sounding {
            key: new_key,
            heard_key: new_key,
            velocity,
            onset: at,
            opened_hop: self.history.hops(),
            peak_db: level,
            first_hop: self.history.hops() + 1,
            dip_db: level,
            dip_hop: self.history.hops(),
            rise: None,
        });
        self.readout.sounding_key = Some(new_key);
    }

    /// Checks a rise of the level out of a dip for the next note: a new pitch, steady in two
    /// estimates of the audio since the rise began and another key, ends `note` and starts the
    /// new one there, reported now (`true`; the phase is the new note's). Without it, a note
    /// swelling in under a long release would wait for the slower pitch-change tests.
    fn rise_into_new_note(
        &mut self,
        note: &mut Sounding,
        level: f32,
        rise_from_dip: f32,
        emit: &mut impl FnMut(TrackedNote),
    ) -> bool {
        if note.rise.is_none()
            && self.history.hops() - note.opened_hop > REFRACTORY_HOPS
            && note.peak_db - note.dip_db >= REATTACK_DIP_DB
            && rise_from_dip >= RISE_DB
        {
            note.rise = Some(Rise {
                onset: self.rise_start(note.dip_hop).max(note.onset + 1),
                opened_hop: self.history.hops(),
                last_midi: None,
            });
        }
        let Some(mut rise) = note.rise else {
            return false;
        };
        let since = (self.analysed - rise.onset) as usize;
        // The rise's audio holds the old note's release too: a reading well under the note is
        // their common subharmonic unless its own harmonics show (which a short segment cannot
        // tell).
        let estimate = self
            .pitch_of_newest(since, MIN_CLARITY_RISE)
            .filter(|e| {
                since >= MIN_HARMONICS_SEGMENT
                    || e.midi() >= f32::from(note.heard_key) - SLIP_SEMITONES
            })
            .filter(|e| is_own_pitch(e, note.heard_key))
            .map(|e| e.midi());
        let agreed = match (estimate, rise.last_midi) {
            (Some(midi), Some(previous)) if (midi - previous).abs() <= AGREE_SEMITONES => {
                Some(0.5 * (midi + previous))
            }
            _ => None,
        };
        if let Some(new_pitch) = agreed {
            // Either way this dip is spent: the next rise is looked for from a new one.
            note.rise = None;
            note.dip_db = level;
            note.dip_hop = self.history.hops();
            let Some(before) = self.note_histogram.trimmed() else {
                return false;
            };
            let needed = PITCH_CHANGE_SEMITONES.max(0.6 + 1.5 * before.spread);
            let new_key = self.key_for(new_pitch);
            if new_key == note.heard_key || (new_pitch - before.mean).abs() < needed {
                return false;
            }
            // Where the rise began, or earlier where the estimates began to lean to the new
            // pitch (a bowed note grows under the release before their sum turns upward).
            let at = rise
                .onset
                .min(self.change_start(new_pitch, before.mean, note.onset, false));
            self.next_note(note, at, (before.mean, new_pitch), level, emit);
            return true;
        }
        rise.last_midi = estimate.or(rise.last_midi);
        note.rise = Some(rise);
        if self.history.hops() - rise.opened_hop > RISE_TIMEOUT_HOPS {
            note.rise = None;
            note.dip_db = level;
            note.dip_hop = self.history.hops();
        }
        false
    }

    /// Where a rise out of the dip at hop `dip_hop` began, analysis samples: the start of the
    /// quietest hop around the dip (the level lags a hop's energy by about two hops), at most
    /// [`MAX_RISE_HOPS`] back (a dip long before, then a slow creep upward, is no start).
    fn rise_start(&self, dip_hop: u64) -> AnalysisSample {
        let back_to_dip = (self.history.hops() - dip_hop).min(MAX_RISE_HOPS);
        let mut quietest = back_to_dip;
        let mut least = f32::INFINITY;
        for back in back_to_dip.saturating_sub(2)
            ..(back_to_dip + 3)
                .min(self.history.hops())
                .min(HISTORY as u64)
        {
            let energy = self.history.energy(back);
            if energy < least {
                least = energy;
                quietest = back;
            }
        }
        self.analysed - (quietest + 1) * HOP as u64
    }

    /// A pitch change of the sounding note, as (new pitch, the pitch it had): by the quick test
    /// (after a still note: the last [`QUICK_STEADY_HOPS`] estimates within
    /// [`AGREE_SEMITONES`], another key, not the octave), the fast test
    /// (the last [`STEADY_HOPS`] estimates within [`AGREE_SEMITONES`], far enough from the
    /// earlier mean) or the slow one (the centres of the last two [`SLOW_WINDOW_HOPS`] windows
    /// [`SLOW_CHANGE_SEMITONES`] or more apart); only when the new pitch is another key.
    fn pitch_change(&self, note: &Sounding) -> Option<(f32, f32)> {
        let key_changes = |new: f32| self.key_for(new) != note.heard_key;
        // A still note: a new key (not its octave) that holds a few hops is a new note.
        // (The histogram is copied only when a new pitch holds.)
        let quick = QUICK_STEADY_HOPS as u64;
        let quick_change = self
            .steady_pitch(QUICK_STEADY_HOPS, QUICK_MIN_ESTIMATES)
            .and_then(|steady| {
                self.histogram_without_newest(quick, note)
                    .filter(|t| t.count >= QUICK_MIN_BEFORE)
                    .map(|before| (steady, before))
            });
        if let Some((steady, before)) = quick_change {
            let change = (steady - before.mean).abs();
            // The swing before the change, not its in-between estimates: those of the segment
            // that held both pitches.
            let from = quick + (NOTE_SEGMENT / HOP) as u64;
            let own_hops = (self.history.hops() + 1).saturating_sub(note.first_hop);
            let still = from + QUICK_STILL_HOPS <= own_hops
                && self
                    .pitch_span(from, from + QUICK_STILL_HOPS)
                    .is_some_and(|(low, high)| high - low <= QUICK_MAX_SWING);
            // An octave away can be a slip of the estimates (an attack or a breath sounding
            // the octave below for 50 ms): left to the slower test.
            let octave = (change - 12.0).abs() <= OCTAVE_SLIP_SEMITONES;
            if still && change >= PITCH_CHANGE_SEMITONES && !octave && key_changes(steady) {
                return Some((steady, before.mean));
            }
        }
        // The pitch it had: the estimates before the fast window, around their median (the new
        // pitch's first estimates, before a gap of unclear ones, must not pull it).
        let before = self
            .histogram_without_newest(STEADY_HOPS as u64, note)
            .filter(|t| t.count >= 4);
        if let (Some(steady), Some(before)) =
            (self.steady_pitch(STEADY_HOPS, STEADY_MIN_ESTIMATES), before)
        {
            // Under vibrato a still stretch can be its crest: the change must clear the swing.
            let needed = PITCH_CHANGE_SEMITONES.max(0.6 + 1.5 * before.spread);
            if (steady - before.mean).abs() >= needed && key_changes(steady) {
                return Some((steady, before.mean));
            }
        }
        let window = SLOW_WINDOW_HOPS as u64;
        if self.history.hops() < note.first_hop + 2 * window {
            return None;
        }
        let (new_low, new_high) = self.pitch_span(0, window)?;
        let (old_low, old_high) = self.pitch_span(window, 2 * window)?;
        let (new, old) = (0.5 * (new_low + new_high), 0.5 * (old_low + old_high));
        // The newer window must be past the change: its two halves centred alike (across a
        // transition the later half sits higher or lower).
        let (late_low, late_high) = self.pitch_span(0, window / 2)?;
        let (early_low, early_high) = self.pitch_span(window / 2, window)?;
        if (late_low + late_high - early_low - early_high).abs() * 0.5 > 0.6 {
            return None;
        }
        ((new - old).abs() >= SLOW_CHANGE_SEMITONES
            && new_high - new_low <= SLOW_MAX_SWING
            && key_changes(new))
        .then_some((new, old))
    }

    /// The second-lowest and second-highest pitch estimate `from..to` hops back (one outlier
    /// either way ignored), when at least four fifths of them are confident.
    fn pitch_span(&self, from: u64, to: u64) -> Option<(f32, f32)> {
        let (mut low, mut high) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
        let mut count = 0u64;
        for back in from..to {
            let p = self.history.pitch(back);
            if !p.is_finite() {
                continue;
            }
            count += 1;
            if p < low[0] {
                low = [p, low[0]];
            } else if p < low[1] {
                low[1] = p;
            }
            if p > high[0] {
                high = [p, high[0]];
            } else if p > high[1] {
                high[1] = p;
            }
        }
        (count * 5 >= (to - from) * 4).then_some((low[1], high[1]))
    }

    /// Where a pitch change from `old` to `new` began, analysis samples: back from the newest
    /// hop while the estimates lean to the new pitch, less half the estimate's segment (an
    /// estimate flips when about half its audio is the new note), and when `may_glide` (a change
    /// heard without a dip in level) less the first half of a glide
    /// ([`NoteTracker::glide_before_midpoint_hops`]).
    fn change_start(
        &self,
        new: f32,
        old: f32,
        note_onset: AnalysisSample,
        may_glide: bool,
    ) -> AnalysisSample {
        let mut earliest_back = 0u64;
        // Hops back to the newest estimate of the new pitch's first run, and to the last one
        // that still read the old pitch: between them the estimates were unclear or read
        // neither (two notes overlapping in a release read as a common subharmonic).
        let mut last_old_back = None;
        for back in 0..(HISTORY as u64 - 1).min(self.history.hops()) {
            let p = self.history.pitch(back);
            if !p.is_finite() {
                continue;
            }
            if (p - new).abs() < (p - old).abs() && (p - new).abs() <= SLIP_SEMITONES {
                earliest_back = back;
            } else if (p - old).abs() <= SLIP_SEMITONES {
                last_old_back = Some(back);
                break;
            } else if back > earliest_back + MAX_UNCLEAR_HOPS {
                break;
            }
        }
        let half_segment_hops = (NOTE_SEGMENT / 2 / HOP) as u64;
        let mut search_to = earliest_back + half_segment_hops + 48;
        if let Some(old_back) = last_old_back.filter(|&b| b <= earliest_back + MAX_UNCLEAR_HOPS) {
            earliest_back = old_back.saturating_sub(1).max(earliest_back);
            // The old pitch still read clearly there: the new note began within that
            // estimate's segment, no earlier.
            search_to = old_back + half_segment_hops + 1;
        }
        let glide_hops = if may_glide {
            self.glide_before_midpoint_hops(new, old, earliest_back)
        } else {
            0
        };
        let by_pitch = (self.analysed - (earliest_back + glide_hops) * HOP as u64)
            .saturating_sub((NOTE_SEGMENT / 2) as u64);
        // A bow change or a tongued note leaves new spectral energy where it began: the
        // strongest flux peak up to 140 ms before the pitch flipped (and after the old pitch
        // last read clearly), if it stands out, is the better stamp.
        let search_from = earliest_back + half_segment_hops;
        let search_to = search_to.min(self.history.hops().min(HISTORY as u64 - 1));
        let search_lo = search_from.saturating_sub(8);
        let near = self.history.flux_peak(search_lo, search_to);
        let span = search_to.saturating_sub(search_lo).max(1) as f32;
        let stands_out = |flux: f32, total: f32, span: f32| flux > 3.0 * total / span + 1.0;
        // In a reverberant room the old note's tail and the new note mix, and the estimates
        // stay unclear for long: a much stronger flux peak in that stretch (after the old
        // note's own attack) is the new note's.
        let note_hops = self.analysed.0.saturating_sub(note_onset.0) / HOP as u64;
        let reach_to = last_old_back
            .map_or(earliest_back + REVERB_REACH_HOPS, |old_back| {
                old_back + REVERB_REACH_PAST_OLD_HOPS
            })
            .saturating_add(half_segment_hops)
            .min(note_hops.saturating_sub(REFRACTORY_HOPS))
            .min(self.history.hops().min(HISTORY as u64 - 1));
        let far = self.history.flux_peak(search_to.max(search_lo), reach_to);
        let far_span = reach_to.saturating_sub(search_lo).max(1) as f32;
        let stamp = |back: u64| {
            (self.analysed - (back + 1) * HOP as u64).min(by_pitch.max(AnalysisSample(1)))
        };
        match (far.hops_back, near.hops_back) {
            (Some(back), _)
                if far.flux > REVERB_PEAK_RATIO * near.flux
                    && stands_out(far.flux, near.total + far.total, far_span) =>
            {
                stamp(back)
            }
            (_, Some(back)) if stands_out(near.flux, near.total, span) => stamp(back),
            _ => by_pitch,
        }
    }

    /// How many hops a change from `old` to `new`, first leaning to `new` at `midpoint_back`
    /// hops back, began before that midpoint: none for a sudden change (its estimates turn
    /// within about half an estimate's segment), more for a glide, by how long its estimates
    /// took from the midpoint to [`GLIDE_LATE_SHARE`] of the way. Bounded by
    /// [`MAX_GLIDE_BACK_HOPS`].
    ///
    /// Only the glide's later half is measured, and the earlier half taken to be as long: the
    /// old pitch is known only as the old note's mean, which its vibrato pulls a third of a
    /// semitone off, enough to pass its last steady stretch for the glide's start.
    fn glide_before_midpoint_hops(&self, new: f32, old: f32, midpoint_back: u64) -> u64 {
        let interval = new - old;
        if interval.abs() < f32::EPSILON {
            return 0;
        }
        // The share of the way from `old` to `new` an estimate has gone (NaN when unclear).
        let share = |back: u64| (self.history.pitch(back) - old) / interval;
        // Newer than the midpoint: the oldest hop already past the late share.
        let late_back = (0..=midpoint_back)
            .rev()
            .find(|&back| share(back) >= GLIDE_LATE_SHARE)
            .unwrap_or(0);
        // An unclear estimate in the glide: two notes overlapping, not one voice gliding.
        if (late_back..=midpoint_back).any(|back| share(back).is_nan()) {
            return 0;
        }
        // The middle half of the way, from a quarter to three quarters, as the estimates saw it.
        let span_hops = 2.0 * midpoint_back.saturating_sub(late_back) as f32;
        // The segment spreads any change over about `sudden_hops`; a glide's own span adds to
        // that in quadrature (as the spreads of two smoothings do).
        let sudden_hops = (NOTE_SEGMENT / 2 / HOP) as f32;
        let glide_span_hops = (span_hops * span_hops - sudden_hops * sudden_hops)
            .max(0.0)
            .sqrt();
        let back = (GLIDE_START_SPANS * glide_span_hops).round() as u64;
        back.min(MAX_GLIDE_BACK_HOPS)
    }

    /// Starts the sounding note's histogram with `estimates`.
    fn start_histogram(&mut self, estimates: &[f32]) {
        self.note_histogram = PitchHistogram::EMPTY;
        for &midi in estimates {
            self.note_histogram.add(midi);
        }
    }

    fn add_to_histogram(&mut self, midi: f32) {
        self.note_histogram.add(midi);
    }

    /// The sounding note's pitch from its histogram: the mean of the estimates within 1.5
    /// semitones of their median (an octave slip does not pull it; a vibrato's centre).
    fn histogram_pitch(&self) -> Option<f32> {
        self.note_histogram.trimmed().map(|t| t.mean)
    }

    /// The sounding note's pitch as [`NoteTracker::histogram_pitch`], leaving out the estimates
    /// of the newest `hops` hops (those of the note that follows a pitch change); `None` when
    /// no other estimate is left. Copies the 1 KB histogram on the stack; no allocation.
    fn histogram_pitch_without_newest(&self, hops: u64, note: &Sounding) -> Option<f32> {
        self.histogram_without_newest(hops, note).map(|t| t.mean)
    }

    /// The trimmed statistics of the sounding `note`'s histogram without the estimates of the
    /// newest `hops` hops (only its own: hops before its first belong to the note before).
    /// Copies the 1 KB histogram on the stack; no allocation.
    fn histogram_without_newest(&self, hops: u64, note: &Sounding) -> Option<TrimmedPitch> {
        let own_hops = (self.history.hops() + 1).saturating_sub(note.first_hop);
        let mut histogram = self.note_histogram;
        for back in 0..hops.min(own_hops).min(HISTORY as u64) {
            histogram.remove(self.history.pitch(back));
        }
        histogram.trimmed()
    }

    /// Opens a candidate at the start of the current attack.
    fn open_candidate(&mut self) {
        let onset = self.attack_start();
        self.open_candidate_at(onset);
    }

    /// Opens a candidate with its `onset`.
    fn open_candidate_at(&mut self, onset: AnalysisSample) {
        self.phase = Phase::Candidate {
            onset,
            opened_hop: self.history.hops(),
            last_midi: None,
            peak_db: self.readout.level_db,
            agreed_hops: 0,
        };
    }

    /// The mean of the last `hops` pitch estimates when at least `min_estimates` of them, the
    /// newest among them, are confident, and those are within [`AGREE_SEMITONES`] of each
    /// other.
    fn steady_pitch(&self, hops: usize, min_estimates: usize) -> Option<f32> {
        if !self.history.pitch(0).is_finite() {
            return None;
        }
        let (mut low, mut high, mut sum, mut count) = (f32::INFINITY, f32::NEG_INFINITY, 0.0, 0);
        for back in 0..hops as u64 {
            let p = self.history.pitch(back);
            if !p.is_finite() {
                continue;
            }
            low = low.min(p);
            high = high.max(p);
            sum += p;
            count += 1;
        }
        (count >= min_estimates && high - low <= AGREE_SEMITONES).then(|| sum / count as f32)
    }
}

/// Whether `estimate`, read while the note `key` sounds, is a pitch of its own: not more than
/// [`SLIP_SEMITONES`] under the key, or with the harmonics of a note of its own (at 1, 5 and 7
/// and at its fundamental), not the common subharmonic of notes sounding together.
fn is_own_pitch(estimate: &PitchEstimate, key: u8) -> bool {
    estimate.midi() >= f32::from(key) - SLIP_SEMITONES
        || (estimate.coprime_share >= SUBHARMONIC_MIN_SHARE
            && estimate.fundamental_share >= SUBHARMONIC_MIN_FUNDAMENTAL_SHARE)
}

/// At least an octave of range, whatever the settings say.
fn min_key_plus(min_key: u8) -> u8 {
    min_key.saturating_add(12)
}

fn midi_to_hz(midi: f32) -> f32 {
    440.0 * 2f32.powf((midi - 69.0) / 12.0)
}
