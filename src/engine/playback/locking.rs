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
use crate::engine::fill::{MAX_FIT_BARS, MAX_RING_BARS, MIN_BUTTON_BARS};
use crate::engine::hit_lock::{
    plan, replan, replan_end, warp_into_end, HitOutcome, HitTarget, Layout, LockedStatement,
    Placement, Statement, Targets, Warp, STINGER_GUARD_SECONDS,
};
use crate::engine::hits::{Lands, MAX_HITS};
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
    /// The segment plays the fitted ending ([`EndFit`]) rather than the rendering.
    pub plays_end_fit: bool,
}

/// The fitted ending on the next `end` hit (Fit to the end hit): a variation of `body_bars`
/// whole bars from `launch_beats` (a launch of the running rendering), then a button on the
/// bar line the cut falls nearest, pushed onto the cut and ringing `ring_bars` after it. The
/// live engine fills it ([`crate::engine::fill::Filler::fill_to_button`]); hit lock plays it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EndFit {
    /// Index of the `end` hit (the picture's time order).
    pub hit_index: usize,
    /// Song beat where the fitted variation starts (a bar line).
    pub launch_beats: f64,
    /// Whole bars before the button.
    pub body_bars: u32,
    /// How long the button rings after the cut, bars.
    pub ring_bars: f64,
}

impl EndFit {
    /// The fitted variation's length (its body, the button's ring), beats.
    fn length_beats(&self, bar_beats: f64) -> f64 {
        (f64::from(self.body_bars) + self.ring_bars) * bar_beats
    }
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
    /// With Fit to the end hit: how long a button rings after its cut, bars (`None`: off).
    end_ring_bars: Option<f64>,
    /// The fitted ending planned on the next `end` hit, if any.
    end_fit: Option<EndFit>,
    /// One bar of the fitted ending's own metre (the motif's), beats: its bars are counted in
    /// it, while it starts on the song's bar lines.
    fit_bar_beats: f64,
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
    end_ring_bars: Option<f64>,
    /// The `end` hit the fitted ending serves (the next one whose ring has not ended).
    next_end: Option<usize>,
    fit_bar_beats: f64,
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
            end_ring_bars: None,
            end_fit: None,
            fit_bar_beats: 4.0,
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
        self.end_fit = None;
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
    /// else only they play; `end_ring_bars`: with Fit to the end hit, how long the button rings
    /// after the cut, bars); returns whether hit lock is in force (else the scheduler keeps the
    /// plain loop or one-shot). `applied` is the scheduler's launch and first-cycle
    /// warp, `handled_beats` how far it has played (for re-planning a statement already
    /// sounding).
    #[allow(clippy::too_many_arguments)]
    pub fn plan_block(
        &mut self,
        enabled: bool,
        stingers_over: bool,
        looping: bool,
        end_ring_bars: Option<f64>,
        fit_bar_beats: f64,
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
        self.end_ring_bars = end_ring_bars.map(|ring| ring.clamp(MIN_BUTTON_BARS, MAX_RING_BARS));
        if fit_bar_beats.is_finite() && fit_bar_beats > 0.0 {
            self.fit_bar_beats = fit_bar_beats;
        }
        if !self.active {
            self.sounding = None;
            self.end_fit = None;
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
            end_ring_bars: self.end_ring_bars,
            next_end: self.next_end_hit(start_beats),
            fit_bar_beats: self.fit_bar_beats,
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
        self.plan_end(key.next_end, origin, &statement, length_beats);
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
                    let replan = if self.hits[hit].lands == Lands::End {
                        replan_end
                    } else {
                        replan
                    };
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

    /// The fitted ending planned on the next `end` hit (Fit to the end hit), if any.
    pub fn end_fit(&self) -> Option<EndFit> {
        self.end_fit
    }

    /// The fitted ending cannot be made (no key, too many notes): its hit lands nothing and the
    /// rendering plays on as without it (until the next plan asks again).
    pub fn drop_end_fit(&mut self) {
        if let Some(fit) = self.end_fit.take() {
            self.layout.remove_hit(fit.hit_index);
            self.layout
                .set_outcome(fit.hit_index, HitOutcome::NotHandled);
            if self.hit_seconds[fit.hit_index] >= self.block_seconds {
                self.outcomes[fit.hit_index] = (HitOutcome::NotHandled, None);
            }
            if self.sounding.is_some_and(|(hit, _)| hit == fit.hit_index) {
                self.sounding = None;
            }
        }
    }

    /// With Fit to the end hit: the first `end` hit whose button has not finished ringing at
    /// song beat `now_beats` (the hits are in time order).
    fn next_end_hit(&self, now_beats: f64) -> Option<usize> {
        let ring = self.end_ring_bars? * self.fit_bar_beats;
        (0..self.num_hits)
            .find(|&i| self.hits[i].lands == Lands::End && self.hits[i].beats + ring > now_beats)
    }

    /// Whether hit `index` is a cut the music ends on: an `end` hit with Fit to the end hit on
    /// whose fitted ending was placed (one that could not be made, or lost to an earlier `must`,
    /// leaves the rendering playing on as without it).
    fn is_cut(&self, index: usize) -> bool {
        self.end_ring_bars.is_some()
            && self.hits[index].lands == Lands::End
            && (self.end_fit.is_some_and(|fit| fit.hit_index == index)
                || matches!(
                    self.outcomes[index].0,
                    HitOutcome::Locked | HitOutcome::Missed { .. }
                ))
    }

    /// The song beats of the cuts ([`is_cut`](Self::is_cut)).
    fn cuts(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.num_hits)
            .filter(|&i| self.is_cut(i))
            .map(|i| self.hits[i].beats)
    }

    /// Whether the scene ended between `after_beats` (exclusive) and `beats`: a cut falls there
    /// (after a cut nothing plays until the next locked statement).
    fn scene_ended(&self, after_beats: f64, beats: f64) -> bool {
        self.cuts()
            .any(|cut| cut > after_beats + BEAT_EPSILON && cut <= beats + BEAT_EPSILON)
    }

    /// The first cut after song beat `beats`, else infinity.
    fn next_cut_after(&self, beats: f64) -> f64 {
        self.cuts()
            .filter(|&cut| cut > beats + BEAT_EPSILON)
            .fold(f64::INFINITY, f64::min)
    }

    /// Plans the fitted ending on `end hit `next` (after the other hits are planned): where it
    /// starts ([`end_launch`](Self::end_launch); kept while it sounds), how many bars it takes,
    /// and the push of its button onto the cut. The hit's outcome says what became of it.
    fn plan_end(
        &mut self,
        next: Option<usize>,
        origin_beats: f64,
        statement: &Statement,
        loop_beats: f64,
    ) {
        let previous = self.end_fit.take();
        let (Some(index), Some(ring_bars)) = (next, self.end_ring_bars) else {
            return;
        };
        let bar = self.fit_bar_beats;
        let hit = self.hits[index].beats;
        // A fitted ending already sounding keeps its start and its bars (only its push bends).
        let kept = previous.filter(|fit| {
            fit.hit_index == index && self.sounding == Some((index, fit.launch_beats))
        });
        let start = match kept {
            Some(fit) => Some((fit.launch_beats, fit.body_bars)),
            None => self.end_launch(index, origin_beats, statement.bar_beats, loop_beats),
        };
        let Some((launch_beats, body_bars)) = start else {
            self.layout.set_outcome(index, HitOutcome::NotHandled);
            return;
        };
        let fit = EndFit {
            hit_index: index,
            launch_beats,
            body_bars,
            ring_bars,
        };
        let target = f64::from(body_bars) * bar;
        let shift = hit - (launch_beats + target);
        let placement = match warp_into_end(target, shift, bar) {
            Some(warp) => Placement {
                launch_beats,
                warp,
                miss_beats: 0.0,
            },
            None => Placement {
                launch_beats,
                warp: Warp::IDENTITY,
                miss_beats: -shift,
            },
        };
        let length_beats = fit.length_beats(bar);
        if self.layout.overlaps(&placement, length_beats) {
            self.layout.set_outcome(index, HitOutcome::Conflict);
            return;
        }
        if self.layout.add(LockedStatement {
            hit_index: index,
            target_beats: target,
            placement,
            length_beats,
        }) {
            self.end_fit = Some(fit);
        }
    }

    /// Where the fitted ending on a cut at song beat `hit_beats` starts, and its whole bars
    /// before the button. It replaces the running rendering from one of its launches in the
    /// stretch the cut falls in (after the locked statements that end before it, else from the
    /// grid's `origin_beats`): the last launch that leaves room for the whole rendering
    /// (`loop_beats`) before the cut, so the full theme is heard once more, else the first; when
    /// nothing plays there (after an earlier cut, or with the loop off) from the stretch's
    /// first bar line. Never more than [`MAX_FIT_BARS`] bars before the cut. The bars are the
    /// whole bars nearest the cut whose button the push can move onto it, else the nearest.
    fn end_launch(
        &self,
        index: usize,
        origin_beats: f64,
        grid_bar_beats: f64,
        loop_beats: f64,
    ) -> Option<(f64, u32)> {
        let hit_beats = self.hits[index].beats;
        // The song's bar lines (where it starts) and the fit's own bar (what it counts).
        let bar_beats = self.fit_bar_beats;
        let bar_line_at_or_after = |at: f64| {
            origin_beats + ((at - origin_beats) / grid_bar_beats - 1e-9).ceil() * grid_bar_beats
        };
        let before = self
            .layout
            .statements()
            .filter(|s| s.placement.launch_beats + s.length_beats <= hit_beats + BEAT_EPSILON)
            .map(|s| {
                (
                    s.placement.launch_beats + s.length_beats,
                    s.placement.first_beats(),
                )
            })
            .fold(None, |latest: Option<(f64, f64)>, s| match latest {
                Some(l) if l.0 >= s.0 => Some(l),
                _ => Some(s),
            });
        let (mut stretch_start, after) = match before {
            Some((end, first)) => (bar_line_at_or_after(end), first),
            None => (origin_beats, f64::NEG_INFINITY),
        };
        // An earlier cut in the stretch ends the scene before this one: this scene starts on
        // the first bar line after that cut's ring, in silence.
        let ring = self.end_ring_bars.unwrap_or(0.0) * bar_beats;
        let earlier_cut = (0..index)
            .filter(|&i| self.is_cut(i))
            .map(|i| self.hits[i].beats)
            .filter(|&cut| cut > after + BEAT_EPSILON && cut < hit_beats - BEAT_EPSILON)
            .fold(None, |latest: Option<f64>, cut| {
                Some(latest.map_or(cut, |l| l.max(cut)))
            });
        if let Some(cut) = earlier_cut {
            stretch_start = stretch_start.max(bar_line_at_or_after(cut + ring));
        }
        let silent =
            !self.looping || earlier_cut.is_some() || self.scene_ended(after, stretch_start);
        let mut launch = if silent || !(loop_beats.is_finite() && loop_beats > 0.0) {
            stretch_start
        } else {
            let room = loop_beats.max(bar_beats);
            let launches = ((hit_beats - stretch_start - room) / loop_beats + 1e-9).floor();
            stretch_start + launches.max(0.0) * loop_beats
        };
        launch = launch.max(bar_line_at_or_after(
            hit_beats - f64::from(MAX_FIT_BARS) * bar_beats,
        ));
        let span_bars = (hit_beats - launch) / bar_beats;
        let nearest = span_bars.round();
        let mut choice = None;
        for bars in [nearest, span_bars.floor(), span_bars.ceil()] {
            if !(1.0..=f64::from(MAX_FIT_BARS)).contains(&bars) {
                continue;
            }
            let target = bars * bar_beats;
            if choice.is_none() {
                choice = Some(bars as u32);
            }
            if warp_into_end(target, hit_beats - launch - target, bar_beats).is_some() {
                choice = Some(bars as u32);
                break;
            }
        }
        choice.map(|bars| (launch, bars))
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
            plays_end_fit: false,
        })
    }

    /// The stretch between statements from `launch_beats` to `until_beats`, at song beat
    /// `beats`, the statement before it having started at `after_beats`: the loop plays
    /// (cycles that end before the next statement), or with the loop off nothing does; nor
    /// after a cut (Fit to the end hit), which ends the stretch where it falls.
    fn gap(&self, launch_beats: f64, after_beats: f64, until_beats: f64, beats: f64) -> Segment {
        let ended = self.scene_ended(after_beats, beats);
        Segment {
            launch_beats,
            warp: Warp::IDENTITY,
            first_cycle_beats: f64::INFINITY,
            cycles_end_by_beats: if self.looping && !ended {
                until_beats
            } else {
                launch_beats
            },
            until_beats: until_beats.min(self.next_cut_after(beats)),
            plays_end_fit: false,
        }
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
        let Some((index, locked)) = self.layout.in_force_at(beats + BEAT_EPSILON) else {
            self.sounding = None;
            return self.gap(origin, f64::NEG_INFINITY, next_first(0), beats);
        };
        let launch = locked.placement.launch_beats;
        let plays_end_fit = self
            .end_fit
            .is_some_and(|fit| fit.hit_index == locked.hit_index);
        // A fitted ending is its own rendering, as long as it is; a statement plays the loop's.
        let plays = if plays_end_fit {
            locked.length_beats
        } else {
            locked.length_beats.min(length)
        };
        let end = launch + plays;
        if beats < end - BEAT_EPSILON {
            self.sounding = Some((locked.hit_index, launch));
            return Segment {
                launch_beats: launch,
                warp: locked.placement.warp,
                first_cycle_beats: plays,
                cycles_end_by_beats: end,
                until_beats: end,
                plays_end_fit,
            };
        }
        self.sounding = None;
        let first = locked.placement.first_beats();
        self.gap(
            bar_line_at_or_after(end),
            first,
            next_first(index + 1),
            beats,
        )
    }
}
