//! Hit lock in live playback: the picture's hits, turned block by block into the song beats
//! where they fall (from the host's seconds timeline and the tempo in force), planned into
//! locked statements ([`crate::engine::hit_lock`]), and handed to the scheduler as the segment
//! in force at each point of the block.
//!
//! The segments of a hit-locked song, in time order: the rendering loops from the song's bar
//! grid as in Follow transport; a cycle that would still sound where a locked statement begins
//! is not started; the locked statement plays once, bent into its hit; the loop resumes at the
//! first bar line after it. The layout depends only on the hits, the tempo and the grid, so a
//! locate joins it where it would be sounding. A statement already sounding keeps its start and
//! only re-bends the rest of its approach as the tempo unfolds.

use super::timeline::Timeline;
use crate::engine::character::Character;
use crate::engine::climax;
use crate::engine::hit_lock::{
    plan, replan, HitOutcome, HitTarget, Layout, Placement, Statement, Targets, Warp,
    STINGER_GUARD_SECONDS,
};
use crate::engine::hits::MAX_HITS;
use crate::engine::motif::{TimeSignature, BEAT_EPSILON};
use crate::engine::picture::{Picture, TempoList, TempoSource};
use crate::engine::rendering::Rendering;
use crate::engine::tempo_learner::TempoLearner;
use crate::engine::time_map::{self, TempoChange};
use crate::engine::timecode::frames_to_seconds;

/// Most tempo changes a known tempo map holds (a cue's map; more are ignored).
pub const MAX_KNOWN_TEMPOS: usize = 256;

/// A known tempo ahead (imported, e.g. the map `reprise fit` plays): the song's beat at a
/// picture time is read from it instead of from the tempo in force, as long as it agrees with
/// the host where playback is. Fixed size, plain data.
#[derive(Debug, Clone, Copy)]
struct KnownTempo {
    changes: [TempoChange; MAX_KNOWN_TEMPOS],
    len: usize,
}

/// How far (beats) the host's position may lie from a known tempo map's and the map still be
/// used: a sample or two of rounding; more means the song's tempo is not that map any more.
const KNOWN_TEMPO_AGREEMENT_BEATS: f64 = 1e-3;

impl KnownTempo {
    /// The beat at `seconds` from the song's zero.
    fn beats_at_seconds(&self, seconds: f64) -> f64 {
        time_map::beats_at_seconds(&self.changes[..self.len], seconds)
    }
}

/// A segment of the layout: the scheduler's launch, the warp of its first cycle and the beat by
/// which its cycles must end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// Song beat of the segment's rendering beat 0.
    pub launch_beats: f64,
    /// Where the first cycle's events sound.
    pub warp: Warp,
    /// How much of the first cycle plays, its own beats (a stinger plays the statement's head;
    /// infinite = all of it).
    pub first_cycle_beats: f64,
    /// Cycles not ended by this beat are not started.
    pub cycles_end_by_beats: f64,
    /// Song beat where the next segment takes over (infinite for the last).
    pub until_beats: f64,
}

/// Where the seconds of the song's timeline come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecondsSource {
    /// The host's seconds or sample timeline.
    #[default]
    Host,
    /// The host gives neither: beats ÷ tempo, integrated block by block (wrong after a locate
    /// across a tempo change: the editor says so).
    Integrated,
}

/// Hit lock's state. Owner: the live engine (audio thread); plain data, never allocates.
#[derive(Debug, Clone)]
pub struct HitLock {
    picture: Picture,
    /// Each hit's time from the song's zero, seconds (exact from its frame).
    hit_seconds: [f64; MAX_HITS],
    /// The hits as song beats this block.
    hits: [HitTarget; MAX_HITS],
    num_hits: usize,
    targets: Targets,
    layout: Layout,
    /// Stingers laid over the running rendering (when they are), in time order, apart from
    /// `layout`.
    stingers: Layout,
    /// The locked statement sounding: (hit index, launch beats), kept as the tempo unfolds.
    sounding: Option<(usize, f64)>,
    /// Seconds at the current block's first sample.
    block_seconds: f64,
    /// Seconds and samples of the previous block (for integrating without host seconds).
    last_block: Option<(f64, u32)>,
    seconds_source: SecondsSource,
    /// Whether a layout is in force this block.
    active: bool,
    /// Whether the rendering loops between the locked statements (else they alone play).
    looping: bool,
    /// The grid of the last plan: (bar origin, bar length, statement length), beats.
    grid: (f64, f64, f64),
    /// What became of each hit, as last planned while the hit was still ahead (a hit that
    /// passed keeps what happened, not what a plan made afterwards would do).
    outcomes: [(HitOutcome, Option<f64>); MAX_HITS],
    /// A known tempo map, if any (inline: setting it never allocates).
    known_tempo: Option<KnownTempo>,
    /// Whether the known map was imported (else it is the learner's, kept up to date).
    imported_tempo: bool,
    /// The tempo map learnt from playback (used when none was imported).
    learner: TempoLearner,
    /// What the last plan was made from (the hits' beats are in `planned_beats`): an unchanged
    /// song (steady tempo, no locate, same rendering) keeps the plan rather than making it
    /// again every block.
    plan_key: Option<PlanKey>,
    /// The hits' song beats the last plan used.
    planned_beats: [f64; MAX_HITS],
}

/// The inputs of a plan besides the hits' beats.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PlanKey {
    origin_beats: f64,
    statement: Statement,
    targets: Targets,
    num_hits: usize,
    tempo_bpm: f64,
    stingers_over: bool,
}

/// Hit positions closer than this to the last plan's are the same (beats): float and
/// fixed-point noise of block-by-block arithmetic (a hundredth of a sample at 300 BPM, 48 kHz).
const SAME_PLAN_BEATS: f64 = 1e-6;

impl Default for HitLock {
    fn default() -> Self {
        Self {
            picture: Picture::default(),
            hit_seconds: [0.0; MAX_HITS],
            hits: [HitTarget {
                beats: 0.0,
                lands: Default::default(),
                importance: Default::default(),
            }; MAX_HITS],
            num_hits: 0,
            targets: Targets::default(),
            layout: Layout::default(),
            stingers: Layout::default(),
            sounding: None,
            block_seconds: 0.0,
            last_block: None,
            seconds_source: SecondsSource::Host,
            active: false,
            looping: true,
            grid: (0.0, 4.0, 4.0),
            outcomes: [(HitOutcome::Unplanned, None); MAX_HITS],
            known_tempo: None,
            imported_tempo: false,
            learner: TempoLearner::default(),
            plan_key: None,
            planned_beats: [0.0; MAX_HITS],
        }
    }
}

impl HitLock {
    /// Takes a new picture (its hits, and its tempo map if it has one, replace the old ones from
    /// the next block).
    pub fn set_picture(&mut self, picture: &Picture) {
        self.picture = *picture;
        self.plan_key = None;
        self.num_hits = 0;
        for hit in picture.hits.iter().take(MAX_HITS) {
            self.hit_seconds[self.num_hits] = frames_to_seconds(hit.frame, picture.rate);
            self.hits[self.num_hits] = HitTarget {
                beats: 0.0,
                lands: hit.lands,
                importance: hit.importance,
            };
            self.num_hits += 1;
        }
        self.sounding = None;
        self.outcomes = [(HitOutcome::Unplanned, None); MAX_HITS];
        // The picture's tempo map is the tempo ahead: an imported one as it is, a learnt one
        // kept learning.
        match picture.tempo_source {
            TempoSource::Imported => self.set_tempo_map(picture.tempo_map.as_slice()),
            TempoSource::Learnt => {
                self.learner.seed(&picture.tempo_map);
                self.imported_tempo = false;
                self.set_known_tempo(picture.tempo_map.as_slice());
            }
        }
    }

    /// Takes an imported tempo map (the song's tempo changes from its zero; an empty slice
    /// forgets it): hits are placed by it rather than by the tempo in force while it agrees with
    /// the host, and nothing is learnt over it. Never allocates.
    pub fn set_tempo_map(&mut self, changes: &[TempoChange]) {
        self.imported_tempo = true;
        self.learner.seed(&TempoList::default());
        self.set_known_tempo(changes);
    }

    /// The tempo map learnt from playback and its generation (counting its changes), unless a
    /// map was imported.
    pub fn learnt_tempo(&self) -> Option<(&TempoList, u64)> {
        (!self.imported_tempo).then(|| (self.learner.map(), self.learner.generation()))
    }

    /// Places hits by `changes` from the next plan (empty: by the tempo in force).
    fn set_known_tempo(&mut self, changes: &[TempoChange]) {
        self.plan_key = None;
        if changes
            .first()
            .is_none_or(|c| c.tempo_bpm.is_nan() || c.tempo_bpm <= 0.0)
        {
            self.known_tempo = None;
            return;
        }
        let mut known = KnownTempo {
            changes: [changes[0]; MAX_KNOWN_TEMPOS],
            len: 0,
        };
        for change in changes.iter().take(MAX_KNOWN_TEMPOS) {
            if change.tempo_bpm > 0.0 && change.position_beats.is_finite() {
                known.changes[known.len] = *change;
                known.len += 1;
            }
        }
        self.known_tempo = Some(known);
    }

    /// The picture in force.
    pub fn picture(&self) -> &Picture {
        &self.picture
    }

    /// The rendering changed: its climax and first note are found again.
    pub fn set_rendering(&mut self, rendering: &Rendering, character: Character) {
        self.targets = climax::targets(rendering, character);
    }

    /// Where the seconds come from (the host's, or integrated).
    pub fn seconds_source(&self) -> SecondsSource {
        self.seconds_source
    }

    /// Seconds of the song's timeline at the current block's first sample.
    pub fn block_seconds(&self) -> f64 {
        self.block_seconds
    }

    /// What became of hit `index` (in the picture's time order): as last planned while the hit
    /// was ahead.
    pub fn outcome(&self, index: usize) -> HitOutcome {
        self.outcomes
            .get(index)
            .map_or(HitOutcome::Unplanned, |o| o.0)
    }

    /// How far the note of hit `index` lands from it at the last plan, seconds (landing − hit;
    /// 0 when locked, `None` when it does not land: unplanned, conflict, not handled).
    pub fn miss_seconds(&self, index: usize) -> Option<f64> {
        self.outcomes.get(index).and_then(|o| o.1)
    }

    /// The layout of the last plan.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Reads this block's seconds: the host's when given (`host_seconds`), else the previous
    /// block's plus its length, or beats ÷ tempo after a jump.
    pub fn begin_block(&mut self, host_seconds: Option<f64>, timeline: &Timeline, jumped: bool) {
        let sample_rate = timeline.sample_rate_hz();
        self.block_seconds = match host_seconds.filter(|s| s.is_finite()) {
            Some(seconds) => {
                self.seconds_source = SecondsSource::Host;
                seconds
            }
            None => {
                self.seconds_source = SecondsSource::Integrated;
                match self.last_block {
                    Some((seconds, samples)) if !jumped => {
                        seconds + f64::from(samples) / sample_rate
                    }
                    _ => timeline.beats_at(0) * 60.0 / timeline.tempo_bpm(),
                }
            }
        };
        self.last_block = Some((self.block_seconds, timeline.num_samples()));
        // Learn the tempo map from the host's own seconds (integrated ones assume the tempo in
        // force, so they cannot tell where it changed).
        if !self.imported_tempo
            && self.seconds_source == SecondsSource::Host
            && timeline.is_playing()
            && self.learner.observe(
                self.block_seconds,
                timeline.beats_at(0),
                timeline.tempo_bpm(),
                !jumped,
            )
        {
            let learnt = *self.learner.map();
            self.set_known_tempo(learnt.as_slice());
        }
    }

    /// Plans the layout for this block (`enabled`: hit lock is on and playback follows a
    /// playing transport; `stingers_over`: stingers are laid over the running rendering rather
    /// than played instead of it; `looping`: the rendering loops between the locked statements,
    /// else only they play); returns whether hit lock is in force (else the scheduler keeps the
    /// plain loop or one-shot). `applied` is the scheduler's launch and first-cycle
    /// warp, `handled_beats` how far it has played (for re-planning a statement already
    /// sounding).
    #[allow(clippy::too_many_arguments)]
    pub fn plan_block(
        &mut self,
        enabled: bool,
        stingers_over: bool,
        looping: bool,
        timeline: &Timeline,
        metre: TimeSignature,
        length_beats: f64,
        applied: Option<(f64, Warp)>,
        handled_beats: Option<f64>,
    ) -> bool {
        let tempo = timeline.tempo_bpm();
        self.looping = looping;
        self.active = enabled
            && self.num_hits > 0
            && length_beats.is_finite()
            && length_beats > 0.0
            && tempo.is_finite()
            && tempo > 0.0;
        if !self.active {
            self.sounding = None;
            self.plan_key = None;
            self.stingers = Layout::default();
            if self.num_hits == 0 || !enabled {
                // Nothing to report either (a stop keeps the last plan's outcomes).
                if self.num_hits == 0 {
                    self.layout = Layout::default();
                }
            }
            return false;
        }
        let start_beats = timeline.beats_at(0);
        let known = self.known_tempo.as_ref().filter(|map| {
            (map.beats_at_seconds(self.block_seconds) - start_beats).abs()
                <= KNOWN_TEMPO_AGREEMENT_BEATS
        });
        for i in 0..self.num_hits {
            self.hits[i].beats = match known {
                Some(map) => map.beats_at_seconds(self.hit_seconds[i]),
                None => start_beats + (self.hit_seconds[i] - self.block_seconds) * tempo / 60.0,
            };
        }
        let statement = Statement {
            length_beats,
            bar_beats: metre.bar_length_beats(),
            pulse_beats: metre.pulse_length_beats(),
            first_onset_beats: self.targets.first_beats.unwrap_or(0.0),
        };
        let origin = timeline.bar_origin_beats();
        let key = PlanKey {
            origin_beats: origin,
            statement,
            targets: self.targets,
            num_hits: self.num_hits,
            tempo_bpm: tempo,
            stingers_over,
        };
        let unchanged = self.plan_key == Some(key)
            && self.hits[..self.num_hits]
                .iter()
                .zip(&self.planned_beats)
                .all(|(hit, planned)| (hit.beats - planned).abs() <= SAME_PLAN_BEATS);
        if unchanged {
            self.grid = (origin, statement.bar_beats, length_beats);
            return true;
        }
        self.plan_key = Some(key);
        for (planned, hit) in self
            .planned_beats
            .iter_mut()
            .zip(&self.hits[..self.num_hits])
        {
            *planned = hit.beats;
        }
        plan(
            &self.hits[..self.num_hits],
            &self.targets,
            origin,
            &statement,
            STINGER_GUARD_SECONDS * tempo / 60.0,
            &mut self.layout,
            stingers_over.then_some(&mut self.stingers),
        );
        // The statement already sounding keeps its start; only the rest of its approach bends.
        if let Some((hit, launch)) = self.sounding {
            let index = self.layout.statements().position(|s| s.hit_index == hit);
            let locked = index.and_then(|i| self.layout.get(i)).copied();
            let applied = applied.filter(|(applied_launch, _)| *applied_launch == launch);
            match (index, locked, applied) {
                (Some(index), Some(locked), Some((_, warp))) => {
                    let target = locked.target_beats;
                    let statement = Statement {
                        length_beats: locked.length_beats,
                        ..statement
                    };
                    let now = handled_beats.unwrap_or(start_beats) - launch;
                    let (warp, miss) = replan(
                        &warp,
                        now,
                        target,
                        self.hits[hit].beats - launch,
                        &statement,
                    );
                    self.layout.set_placement(
                        index,
                        Placement {
                            launch_beats: launch,
                            warp,
                            miss_beats: miss,
                        },
                    );
                }
                _ => self.sounding = None,
            }
        }
        self.grid = (origin, statement.bar_beats, length_beats);
        // Outcomes of the hits still ahead (those behind keep what happened).
        for i in 0..self.num_hits {
            if self.hit_seconds[i] >= self.block_seconds {
                let outcome = self.layout.outcome(i);
                let miss = match outcome {
                    HitOutcome::Locked => Some(0.0),
                    HitOutcome::Missed { by_beats } => Some(by_beats * 60.0 / tempo),
                    _ => None,
                };
                self.outcomes[i] = (outcome, miss);
            }
        }
        true
    }

    /// The stinger laid over the running rendering that sounds at song beat `beats`, or the next
    /// one (after [`plan_block`](Self::plan_block)): its launch, warp and how much of it plays
    /// as a segment whose `until_beats` is where the one after takes over. `None` when none is
    /// left (or stingers play instead of the rendering).
    pub fn overlay_at(&self, beats: f64) -> Option<Segment> {
        if !self.active {
            return None;
        }
        let mut ahead = self
            .stingers
            .statements()
            .filter(|s| s.placement.launch_beats + s.length_beats > beats + BEAT_EPSILON);
        let stinger = ahead.next()?;
        let end = stinger.placement.launch_beats + stinger.length_beats;
        Some(Segment {
            launch_beats: stinger.placement.launch_beats,
            warp: stinger.placement.warp,
            first_cycle_beats: stinger.length_beats,
            cycles_end_by_beats: end,
            until_beats: end,
        })
    }

    /// The segment in force at song beat `beats` (after [`plan_block`](Self::plan_block)), and
    /// notes whether a locked statement is sounding.
    pub fn segment_at(&mut self, beats: f64) -> Segment {
        let (origin, bar, length) = self.grid;
        let bar_line_at_or_after = |at: f64| origin + ((at - origin) / bar - 1e-9).ceil() * bar;
        let next_first = |index: usize| {
            self.layout
                .get(index)
                .map_or(f64::INFINITY, |s| s.placement.first_beats())
        };
        // Between statements the loop plays (cycles that end before the next statement), or
        // with the loop off nothing does.
        let gap = |launch: f64, until: f64| Segment {
            launch_beats: launch,
            warp: Warp::IDENTITY,
            first_cycle_beats: f64::INFINITY,
            cycles_end_by_beats: if self.looping { until } else { launch },
            until_beats: until,
        };
        let Some((index, locked)) = self.layout.in_force_at(beats + BEAT_EPSILON) else {
            self.sounding = None;
            return gap(origin, next_first(0));
        };
        let launch = locked.placement.launch_beats;
        let plays = locked.length_beats.min(length);
        let end = launch + plays;
        if beats < end - BEAT_EPSILON {
            self.sounding = Some((locked.hit_index, launch));
            return Segment {
                launch_beats: launch,
                warp: locked.placement.warp,
                first_cycle_beats: plays,
                cycles_end_by_beats: end,
                until_beats: end,
            };
        }
        self.sounding = None;
        gap(bar_line_at_or_after(end), next_first(index + 1))
    }
}
