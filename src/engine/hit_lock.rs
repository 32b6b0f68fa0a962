//! Hit lock: where a statement of the rendering starts, and how its own time bends on the way
//! into a hit, so that the note a hit asks for (the climax, the first note) sounds on the hit.
//!
//! A statement starts on a bar line of the song (or on a beat when no bar line fits) chosen so
//! the note falls as near the hit as the grid allows; the rest is closed by a **push**: over the
//! bars before the note the rendering's own time runs up to [`MAX_PUSH_RATIO`] faster or slower
//! (an accelerando or ritardando into the hit), and after it the rendering rejoins its grid by
//! the next bar line. Everything here is plain fixed-size data: it runs on the audio thread
//! every block, and offline in `reprise fit`.
//!
//! Positions are beats on the song's timeline ("host beats"); a statement's own positions are
//! rendering-local beats from its first bar line.

use super::hits::{Importance, Lands, MAX_HITS};

/// How much faster or slower than the song the rendering's own time may run on the approach to a
/// hit, and on the way back to the grid after it (0.10 = 10 %): a conductor's push or hold into
/// a hit that the players follow without hearing a change of tempo. Beyond it the note plays at
/// its grid position and the miss is reported.
pub const MAX_PUSH_RATIO: f64 = 0.10;

/// A landing within this of the hit counts as on it, beats (float noise).
const ON_HIT_BEATS: f64 = 1e-9;

/// Most bars an approach may reach back, or a return to the grid may reach forward (bounds the
/// searches; a statement is at most a few dozen bars).
const MAX_SEARCH_BARS: usize = 256;

/// Most points of a [`Warp`].
const MAX_WARP_POINTS: usize = 4;

/// A monotone piecewise-linear map from a statement's own beats to beats from its launch: where
/// each of its events sounds. Between points it interpolates; before the first point and after
/// the last it runs at the song's tempo (slope 1) with that point's shift. No points = the
/// identity (the statement plays on the grid). Plain data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Warp {
    /// (own beats, beats from launch), increasing in both.
    points: [(f64, f64); MAX_WARP_POINTS],
    len: usize,
}

impl Default for Warp {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl Warp {
    /// Every event on the grid.
    pub const IDENTITY: Warp = Warp {
        points: [(0.0, 0.0); MAX_WARP_POINTS],
        len: 0,
    };

    /// A warp through `points` ((own beats, beats from launch), increasing in both; at most
    /// four, more are ignored).
    pub fn through(points: &[(f64, f64)]) -> Warp {
        let mut warp = Warp::IDENTITY;
        for &point in points.iter().take(MAX_WARP_POINTS) {
            warp.points[warp.len] = point;
            warp.len += 1;
        }
        warp
    }

    /// Whether every event stays on the grid.
    pub fn is_identity(&self) -> bool {
        self.points().iter().all(|(own, at)| own == at)
    }

    /// The points.
    pub fn points(&self) -> &[(f64, f64)] {
        &self.points[..self.len]
    }

    /// Where the event at `own_beats` of the statement sounds, beats from the launch.
    pub fn at(&self, own_beats: f64) -> f64 {
        piecewise_linear(self.points(), own_beats, |&(own, at)| (own, at))
    }

    /// The statement's own beat that sounds at `at_beats` from the launch (the inverse of
    /// [`at`](Self::at)).
    pub fn own_at(&self, at_beats: f64) -> f64 {
        piecewise_linear(self.points(), at_beats, |&(own, at)| (at, own))
    }

    /// The largest distance between an event's grid position and where it sounds, beats.
    pub fn max_shift_beats(&self) -> f64 {
        self.points()
            .iter()
            .map(|(own, at)| (at - own).abs())
            .fold(0.0, f64::max)
    }

    /// How far the warp moves the statement's earliest events (negative = earlier), beats.
    pub fn lead_in_shift_beats(&self) -> f64 {
        self.points().first().map_or(0.0, |(own, at)| at - own)
    }

    /// The fastest or slowest the statement's time runs against the song anywhere, as the
    /// largest |own-time rate − 1| (0 = on the song's tempo throughout).
    pub fn largest_push(&self) -> f64 {
        self.points()
            .windows(2)
            .map(|pair| push_of(pair[1].0 - pair[0].0, pair[1].1 - pair[0].1))
            .fold(0.0, f64::max)
    }
}

/// |rate − 1| of a stretch of `own_beats` of the statement sounding over `song_beats` of the
/// song (infinite for an empty or backward stretch).
fn push_of(own_beats: f64, song_beats: f64) -> f64 {
    if own_beats <= 0.0 && song_beats <= 0.0 {
        return 0.0;
    }
    if own_beats <= 0.0 || song_beats <= 0.0 {
        return f64::INFINITY;
    }
    (own_beats / song_beats - 1.0).abs()
}

/// Whether a stretch of `own_beats` may sound over `song_beats` (within [`MAX_PUSH_RATIO`]).
fn within_push(own_beats: f64, song_beats: f64) -> bool {
    push_of(own_beats, song_beats) <= MAX_PUSH_RATIO + 1e-12
}

/// The shape of a statement, for placing it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Statement {
    /// Its length (whole bars), beats.
    pub length_beats: f64,
    /// One bar of the song's metre, beats.
    pub bar_beats: f64,
    /// One beat of the metre (the dotted quarter in compound metres), beats.
    pub pulse_beats: f64,
    /// Its first note's onset, beats (humanizing can move it off beat 0): a target at or
    /// before it is the statement's first moment, which simply starts at the hit.
    pub first_onset_beats: f64,
}

impl Statement {
    fn is_valid(&self) -> bool {
        [self.length_beats, self.bar_beats, self.pulse_beats]
            .iter()
            .all(|v| v.is_finite() && *v > 0.0)
    }
}

/// The warp that moves the note at `target_beats` of the statement by `shift_beats` and leaves
/// the rest on the grid: an approach from the latest bar line before the note from which the
/// push stays within [`MAX_PUSH_RATIO`] (none when the note is the statement's first moment),
/// and a return to the grid at the first bar line after it that keeps the same bound. `None`
/// when no such bar lines exist inside the statement.
pub fn warp_onto(target_beats: f64, shift_beats: f64, statement: &Statement) -> Option<Warp> {
    if !statement.is_valid() || !target_beats.is_finite() || !shift_beats.is_finite() {
        return None;
    }
    if shift_beats.abs() <= ON_HIT_BEATS {
        return Some(Warp::IDENTITY);
    }
    let bar = statement.bar_beats;
    let landing = target_beats + shift_beats;
    let approach_from = if target_beats <= statement.first_onset_beats.max(0.0) + ON_HIT_BEATS {
        // The statement's first note: it simply starts at the hit.
        None
    } else {
        let mut from = ((target_beats - ON_HIT_BEATS) / bar).floor() * bar;
        let mut found = None;
        for _ in 0..MAX_SEARCH_BARS {
            if from < -ON_HIT_BEATS {
                break;
            }
            if within_push(target_beats - from, landing - from) {
                found = Some(from.max(0.0));
                break;
            }
            from -= bar;
        }
        Some(found?)
    };
    let mut back = ((target_beats + ON_HIT_BEATS) / bar).ceil() * bar;
    if back <= target_beats + ON_HIT_BEATS {
        back += bar;
    }
    let mut rejoin = None;
    for _ in 0..MAX_SEARCH_BARS {
        if back > statement.length_beats + ON_HIT_BEATS {
            break;
        }
        if within_push(back - target_beats, back - landing) {
            rejoin = Some(back);
            break;
        }
        back += bar;
    }
    let back = rejoin?;
    Some(match approach_from {
        Some(from) => Warp::through(&[(from, from), (target_beats, landing), (back, back)]),
        None => Warp::through(&[(target_beats, landing), (back, back)]),
    })
}

/// The warp that moves the note at `target_beats` by `shift_beats` with nothing after it to
/// rejoin (a fitted ending: its button lands on a cut and only rings after it): an approach from
/// the latest bar line before the note from which the push stays within [`MAX_PUSH_RATIO`],
/// and the song's tempo after the note. `None` when no bar line of the statement allows it.
pub fn warp_into_end(target_beats: f64, shift_beats: f64, bar_beats: f64) -> Option<Warp> {
    if !(target_beats.is_finite() && shift_beats.is_finite() && bar_beats > 0.0) {
        return None;
    }
    if shift_beats.abs() <= ON_HIT_BEATS {
        return Some(Warp::IDENTITY);
    }
    let landing = target_beats + shift_beats;
    let mut from = ((target_beats - ON_HIT_BEATS) / bar_beats).floor() * bar_beats;
    for _ in 0..MAX_SEARCH_BARS {
        if from < -ON_HIT_BEATS {
            return None;
        }
        if within_push(target_beats - from, landing - from) {
            return Some(Warp::through(&[
                (from.max(0.0), from.max(0.0)),
                (target_beats, landing),
            ]));
        }
        from -= bar_beats;
    }
    None
}

/// Where a statement starts and how it bends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Song beat of the statement's first bar line (its own beat 0).
    pub launch_beats: f64,
    /// Where its events sound, from the launch.
    pub warp: Warp,
    /// Where the note lands minus the hit, beats (0 when locked).
    pub miss_beats: f64,
}

impl Placement {
    /// Song beat of the statement's earliest sound (its launch, or earlier when its first note
    /// is pushed ahead onto a hit).
    pub fn first_beats(&self) -> f64 {
        self.launch_beats + self.warp.lead_in_shift_beats().min(0.0)
    }
}

/// The value at `x` of the piecewise-linear map through `points` (each read as (x, y) by
/// `xy`, sorted by x), continued with slope 1 before the first and after the last point.
fn piecewise_linear(points: &[(f64, f64)], x: f64, xy: impl Fn(&(f64, f64)) -> (f64, f64)) -> f64 {
    let Some((first_x, first_y)) = points.first().map(&xy) else {
        return x;
    };
    if x <= first_x {
        return x - first_x + first_y;
    }
    for pair in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (xy(&pair[0]), xy(&pair[1]));
        if x <= x1 {
            let span = x1 - x0;
            return if span > 0.0 {
                y0 + (x - x0) / span * (y1 - y0)
            } else {
                y1
            };
        }
    }
    let (last_x, last_y) = xy(&points[points.len() - 1]);
    x - last_x + last_y
}

/// Places a statement so its note at `target_beats` sounds at song beat `hit_beats`: the
/// statement starts on the bar line of the song's grid (`origin_beats` + whole bars) nearest the
/// ideal start, or failing that on a beat, no earlier than `not_before_beats`, and is pushed
/// into the hit ([`warp_onto`]). When no start keeps the push within bounds, it starts on the
/// nearest bar line and plays on the grid; [`Placement::miss_beats`] says by how much it misses.
pub fn place(
    target_beats: f64,
    hit_beats: f64,
    origin_beats: f64,
    statement: &Statement,
    not_before_beats: f64,
) -> Option<Placement> {
    if !statement.is_valid() || !target_beats.is_finite() || !hit_beats.is_finite() {
        return None;
    }
    let ideal = hit_beats - target_beats;
    let steps = [statement.bar_beats, statement.pulse_beats];
    let num_steps = if statement.pulse_beats < statement.bar_beats {
        2
    } else {
        1
    };
    for &step in &steps[..num_steps] {
        let nearest = ((ideal - origin_beats) / step).round();
        let mut best: Option<Placement> = None;
        for delta in [0.0, -1.0, 1.0, -2.0, 2.0] {
            let launch = origin_beats + (nearest + delta) * step;
            if launch < not_before_beats - ON_HIT_BEATS {
                continue;
            }
            let shift = hit_beats - (launch + target_beats);
            let Some(warp) = warp_onto(target_beats, shift, statement) else {
                continue;
            };
            let better = best.is_none_or(|b| {
                (b.launch_beats + target_beats - hit_beats).abs() > shift.abs() + ON_HIT_BEATS
            });
            if better {
                best = Some(Placement {
                    launch_beats: launch,
                    warp,
                    miss_beats: 0.0,
                });
            }
        }
        if best.is_some() {
            return best;
        }
    }
    let bar = statement.bar_beats;
    let mut bars = ((ideal - origin_beats) / bar).round();
    let earliest = ((not_before_beats - origin_beats) / bar - ON_HIT_BEATS).ceil();
    if not_before_beats.is_finite() && bars < earliest {
        bars = earliest;
    }
    let launch = origin_beats + bars * bar;
    Some(Placement {
        launch_beats: launch,
        warp: Warp::IDENTITY,
        miss_beats: launch + target_beats - hit_beats,
    })
}

/// Re-plans a statement already sounding (its launch fixed) as the tempo unfolds: from
/// `now_beats` (beats from the launch, as far as its events have been played) its note at
/// `target_beats` is aimed at `hit_beats` (from the launch). Before the approach has begun the
/// plan is made afresh ([`warp_onto`]); inside it, the rest of the approach bends from where
/// playback is, within [`MAX_PUSH_RATIO`] (the note lands as near as the bound allows, and the
/// returned miss says how near); past the note, nothing changes. Returns the warp and the miss
/// (beats, landing − hit).
pub fn replan(
    current: &Warp,
    now_beats: f64,
    target_beats: f64,
    hit_beats: f64,
    statement: &Statement,
) -> (Warp, f64) {
    replan_with(current, now_beats, target_beats, hit_beats, statement, true)
}

/// [`replan`] for a fitted ending, whose button only rings after the note: nothing rejoins
/// the grid after it ([`warp_into_end`]).
pub fn replan_end(
    current: &Warp,
    now_beats: f64,
    target_beats: f64,
    hit_beats: f64,
    statement: &Statement,
) -> (Warp, f64) {
    replan_with(
        current,
        now_beats,
        target_beats,
        hit_beats,
        statement,
        false,
    )
}

fn replan_with(
    current: &Warp,
    now_beats: f64,
    target_beats: f64,
    hit_beats: f64,
    statement: &Statement,
    rejoin_grid: bool,
) -> (Warp, f64) {
    let landed = current.at(target_beats);
    let now_own = current.own_at(now_beats);
    if !(now_own.is_finite() && hit_beats.is_finite()) || now_own >= target_beats - ON_HIT_BEATS {
        return (*current, landed - hit_beats);
    }
    let approach_begun = current
        .points()
        .first()
        .is_some_and(|&(own, _)| now_own > own + ON_HIT_BEATS && own < target_beats);
    if !approach_begun {
        let warp = if rejoin_grid {
            warp_onto(target_beats, hit_beats - target_beats, statement)
        } else {
            warp_into_end(target_beats, hit_beats - target_beats, statement.bar_beats)
        };
        return match warp {
            Some(warp) => (warp, 0.0),
            None => (Warp::IDENTITY, target_beats - hit_beats),
        };
    }
    let own_span = target_beats - now_own;
    let fastest = own_span / (1.0 + MAX_PUSH_RATIO);
    let slowest = own_span / (1.0 - MAX_PUSH_RATIO);
    let song_span = (hit_beats - now_beats).clamp(fastest, slowest);
    let landing = now_beats + song_span;
    if !rejoin_grid {
        let warp = Warp::through(&[(now_own, now_beats), (target_beats, landing)]);
        return (warp, landing - hit_beats);
    }
    let bar = statement.bar_beats;
    let mut back = ((target_beats + ON_HIT_BEATS) / bar).ceil() * bar;
    if back <= target_beats + ON_HIT_BEATS {
        back += bar;
    }
    // The first bar line after the note from which the way back keeps the bound, else the first
    // that is still ahead of the landing (the statement's end at the latest).
    let mut first_ahead = None;
    let mut rejoin = None;
    for _ in 0..MAX_SEARCH_BARS {
        if back > statement.length_beats.max(target_beats) + bar + ON_HIT_BEATS {
            break;
        }
        if back > landing && first_ahead.is_none() {
            first_ahead = Some(back);
        }
        if within_push(back - target_beats, back - landing) {
            rejoin = Some(back);
            break;
        }
        back += bar;
    }
    let warp = match rejoin.or(first_ahead) {
        Some(back) => Warp::through(&[(now_own, now_beats), (target_beats, landing), (back, back)]),
        None => Warp::through(&[(now_own, now_beats), (target_beats, landing)]),
    };
    (warp, landing - hit_beats)
}

/// Locked, or missed by the placement's miss.
fn outcome_of(placement: &Placement) -> HitOutcome {
    if placement.miss_beats.abs() <= LOCKED_BEATS {
        HitOutcome::Locked
    } else {
        HitOutcome::Missed {
            by_beats: placement.miss_beats,
        }
    }
}

/// A landing within this of the hit counts as locked, beats (a millionth of a beat: far below
/// a sample at any tempo).
const LOCKED_BEATS: f64 = 1e-6;

/// One hit as hit lock sees it: where it falls on the song's timeline and what lands there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HitTarget {
    /// Song beat of the hit (estimated from the tempo ahead).
    pub beats: f64,
    /// What of the statement lands on it.
    pub lands: Lands,
    /// Whether it must land.
    pub importance: Importance,
}

/// What hit lock made of a hit.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum HitOutcome {
    /// Not planned (hit lock off, no hits, nothing to land).
    #[default]
    Unplanned,
    /// The note lands on the hit.
    Locked,
    /// The note plays at its grid position, this many beats from the hit (landing − hit): the
    /// push it needed exceeds [`MAX_PUSH_RATIO`].
    Missed {
        /// Landing − hit, beats.
        by_beats: f64,
    },
    /// Another hit took the statement it would need (the earlier `must` wins).
    Conflict,
    /// A stinger within [`STINGER_GUARD_SECONDS`] of the one before: ignored.
    Guarded,
    /// The hit's kind lands nothing here: an `end` hit while Fit to the end hit is off (or
    /// before it is the next one ahead, or when no fit can be made).
    NotHandled,
}

/// A stinger this soon after the previous one is ignored, seconds (two stingers this close
/// would cut each other off; a composer spotting a flurry of hits wants the first).
pub const STINGER_GUARD_SECONDS: f64 = 2.0;

/// A stinger plays the head of the statement: at most this many bars of it.
pub const STINGER_BARS: f64 = 2.0;

/// A placed statement and the hit it serves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LockedStatement {
    /// Index of the hit in the list given to [`plan`].
    pub hit_index: usize,
    /// The statement's own beat that lands on the hit.
    pub target_beats: f64,
    /// Where it starts and how it bends.
    pub placement: Placement,
    /// How much of it plays, its own beats (the whole statement, or a stinger's head).
    pub length_beats: f64,
}

/// The statements hit lock places, in time order, and what became of every hit.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    statements: [Option<LockedStatement>; MAX_HITS],
    len: usize,
    outcomes: [HitOutcome; MAX_HITS],
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            statements: [None; MAX_HITS],
            len: 0,
            outcomes: [HitOutcome::Unplanned; MAX_HITS],
        }
    }
}

impl Layout {
    /// The placed statements, in time order.
    pub fn statements(&self) -> impl Iterator<Item = &LockedStatement> {
        self.statements[..self.len].iter().flatten()
    }

    /// The number of placed statements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no statement is placed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `index`th statement in time order.
    pub fn get(&self, index: usize) -> Option<&LockedStatement> {
        self.statements[..self.len].get(index)?.as_ref()
    }

    /// What became of hit `index`.
    pub fn outcome(&self, index: usize) -> HitOutcome {
        self.outcomes.get(index).copied().unwrap_or_default()
    }

    /// Replaces statement `index`'s placement (a statement already sounding, re-planned).
    pub fn set_placement(&mut self, index: usize, placement: Placement) {
        if let Some(Some(statement)) = self.statements[..self.len].get_mut(index) {
            statement.placement = placement;
            let hit = statement.hit_index;
            if hit < MAX_HITS {
                self.outcomes[hit] = outcome_of(&placement);
            }
        }
    }

    /// The statement in force at song beat `beats`: the last whose first sound is at or before
    /// it, with its index.
    pub fn in_force_at(&self, beats: f64) -> Option<(usize, &LockedStatement)> {
        self.statements()
            .enumerate()
            .take_while(|(_, s)| s.placement.first_beats() <= beats)
            .last()
    }

    /// Adds `statement` (in time order) and records its hit's outcome; false when the layout
    /// is full.
    pub fn add(&mut self, statement: LockedStatement) -> bool {
        if self.len >= MAX_HITS {
            return false;
        }
        self.insert(statement);
        if statement.hit_index < MAX_HITS {
            self.outcomes[statement.hit_index] = outcome_of(&statement.placement);
        }
        true
    }

    /// Records what became of hit `index` without placing a statement for it.
    pub fn set_outcome(&mut self, index: usize, outcome: HitOutcome) {
        if let Some(slot) = self.outcomes.get_mut(index) {
            *slot = outcome;
        }
    }

    /// Takes hit `index`'s statement out of the layout (its outcome stays as it was).
    pub fn remove_hit(&mut self, index: usize) {
        let Some(at) = self.statements[..self.len]
            .iter()
            .position(|s| s.is_some_and(|s| s.hit_index == index))
        else {
            return;
        };
        self.statements.copy_within(at + 1..self.len, at);
        self.len -= 1;
        self.statements[self.len] = None;
    }

    fn insert(&mut self, statement: LockedStatement) {
        if self.len >= MAX_HITS {
            return;
        }
        let at = self.statements[..self.len]
            .iter()
            .flatten()
            .position(|s| s.placement.launch_beats > statement.placement.launch_beats)
            .unwrap_or(self.len);
        self.statements.copy_within(at..self.len, at + 1);
        self.statements[at] = Some(statement);
        self.len += 1;
    }

    /// Whether a statement placed at `placement`, `length_beats` long, would overlap one
    /// already in the layout.
    pub fn overlaps(&self, placement: &Placement, length_beats: f64) -> bool {
        let start = placement.first_beats();
        let end = placement.launch_beats + length_beats;
        self.statements().any(|s| {
            let other_start = s.placement.first_beats();
            let other_end = s.placement.launch_beats + s.length_beats;
            start < other_end - ON_HIT_BEATS && other_start < end - ON_HIT_BEATS
        })
    }
}

/// Where each of a statement's landing notes lies, its own beats.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Targets {
    /// The climax note's onset.
    pub climax_beats: Option<f64>,
    /// The first note's onset.
    pub first_beats: Option<f64>,
}

impl Targets {
    /// The note a hit of kind `lands` takes, if this version handles it.
    pub fn for_lands(&self, lands: Lands) -> Option<f64> {
        match lands {
            Lands::Climax => self.climax_beats,
            Lands::Start | Lands::Stinger => self.first_beats,
            Lands::End => None,
        }
    }
}

/// Plans every hit into `out`: `must` hits first, in the order given (time order), then
/// `should` hits where they fit. Each gets a statement of its own placed by [`place`] — a
/// stinger the statement's head, at most [`STINGER_BARS`] bars, instead of the running
/// rendering, or, with `over` given, laid over it: stingers then go into `over` and neither
/// displace nor conflict with the other statements. One whose statement would overlap a
/// statement already placed (in the same layout) is a [`HitOutcome::Conflict`], a stinger less
/// than `stinger_guard_beats` after the previous stinger is [`HitOutcome::Guarded`]. Every
/// hit's outcome is in `out`. At most [`MAX_HITS`] hits are read.
pub fn plan(
    hits: &[HitTarget],
    targets: &Targets,
    origin_beats: f64,
    statement: &Statement,
    stinger_guard_beats: f64,
    out: &mut Layout,
    mut over: Option<&mut Layout>,
) {
    *out = Layout::default();
    if let Some(over) = over.as_deref_mut() {
        *over = Layout::default();
    }
    let hits = &hits[..hits.len().min(MAX_HITS)];
    let mut last_stinger = f64::NEG_INFINITY;
    for (index, hit) in hits.iter().enumerate() {
        if hit.lands == Lands::Stinger {
            if hit.beats - last_stinger < stinger_guard_beats {
                out.outcomes[index] = HitOutcome::Guarded;
            } else {
                last_stinger = hit.beats;
            }
        }
    }
    let head = Statement {
        length_beats: statement
            .length_beats
            .min(STINGER_BARS * statement.bar_beats),
        ..*statement
    };
    for pass in [Importance::Must, Importance::Should] {
        for (index, hit) in hits.iter().enumerate() {
            if hit.importance != pass || out.outcomes[index] == HitOutcome::Guarded {
                continue;
            }
            let statement = if hit.lands == Lands::Stinger {
                &head
            } else {
                statement
            };
            let Some(target) = targets.for_lands(hit.lands) else {
                out.outcomes[index] = HitOutcome::NotHandled;
                continue;
            };
            let Some(placement) = place(
                target,
                hit.beats,
                origin_beats,
                statement,
                f64::NEG_INFINITY,
            ) else {
                continue;
            };
            let layer = match over.as_deref_mut() {
                Some(over) if hit.lands == Lands::Stinger => over,
                _ => &mut *out,
            };
            if layer.overlaps(&placement, statement.length_beats) {
                out.outcomes[index] = HitOutcome::Conflict;
                continue;
            }
            layer.insert(LockedStatement {
                hit_index: index,
                target_beats: target,
                placement,
                length_beats: statement.length_beats,
            });
            out.outcomes[index] = outcome_of(&placement);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOUR_FOUR_EIGHT_BARS: Statement = Statement {
        length_beats: 32.0,
        bar_beats: 4.0,
        pulse_beats: 1.0,
        first_onset_beats: 0.0,
    };

    #[test]
    fn a_warp_maps_and_inverts_monotonically() {
        let warp = Warp::through(&[(8.0, 8.0), (14.0, 14.3), (16.0, 16.0)]);
        for own in [0.0, 8.0, 10.0, 14.0, 15.0, 16.0, 30.0] {
            let at = warp.at(own);
            assert!((warp.own_at(at) - own).abs() < 1e-12, "{own}");
        }
        assert_eq!(warp.at(14.0), 14.3);
        assert_eq!(warp.at(4.0), 4.0);
        assert_eq!(warp.at(20.0), 20.0);
        assert!((warp.max_shift_beats() - 0.3).abs() < 1e-12);
    }

    #[test]
    fn a_climax_off_the_grid_is_reached_by_a_push_within_ten_percent() {
        // Climax at beat 22 of an 8-bar statement; the hit falls at song beat 87.3.
        let placement = place(22.0, 87.3, 0.0, &FOUR_FOUR_EIGHT_BARS, f64::NEG_INFINITY).unwrap();
        assert_eq!(placement.miss_beats, 0.0);
        // No bar line leaves room to rejoin the grid within the bound after beat 22 (the
        // nearest bar start is 1.3 beats early), so the statement starts on a beat.
        assert_eq!(placement.launch_beats, 65.0);
        let landed = placement.launch_beats + placement.warp.at(22.0);
        assert!((landed - 87.3).abs() < 1e-9, "{landed}");
        assert!(placement.warp.largest_push() <= MAX_PUSH_RATIO + 1e-9);
        // Before the approach and after the return the statement is on the grid.
        assert_eq!(placement.warp.at(0.0), 0.0);
        assert_eq!(placement.warp.at(32.0), 32.0);
    }

    #[test]
    fn a_first_note_starts_at_the_hit_and_rejoins_by_a_bar_line() {
        let placement = place(0.0, 41.2, 0.0, &FOUR_FOUR_EIGHT_BARS, f64::NEG_INFINITY).unwrap();
        let landed = placement.launch_beats + placement.warp.at(0.0);
        assert!((landed - 41.2).abs() < 1e-9);
        assert!(placement.warp.largest_push() <= MAX_PUSH_RATIO + 1e-9);
        assert!(placement.first_beats() <= 41.2 + 1e-9);
    }

    #[test]
    fn a_push_beyond_the_bound_plays_on_the_grid_and_reports_the_miss() {
        // A one-bar statement whose climax is on its last beat: a hit half a beat off the grid
        // would need a 50 % push over three beats … the beat grid gets it nearer, but the bound
        // still cannot be kept over half a beat's return.
        let short = Statement {
            length_beats: 4.0,
            bar_beats: 4.0,
            pulse_beats: 1.0,
            first_onset_beats: 0.0,
        };
        let placement = place(3.0, 10.5, 0.0, &short, f64::NEG_INFINITY).unwrap();
        assert!(placement.miss_beats.abs() > 0.0);
        assert!(placement.warp.is_identity());
        assert_eq!(placement.launch_beats.rem_euclid(4.0), 0.0);
    }

    #[test]
    fn the_earlier_must_wins_and_shoulds_fill_in_where_they_fit() {
        let hits = [
            HitTarget {
                beats: 50.0,
                lands: Lands::Climax,
                importance: Importance::Must,
            },
            HitTarget {
                beats: 60.0,
                lands: Lands::Climax,
                importance: Importance::Must,
            },
            HitTarget {
                beats: 150.0,
                lands: Lands::Start,
                importance: Importance::Should,
            },
            HitTarget {
                beats: 200.0,
                lands: Lands::End,
                importance: Importance::Must,
            },
        ];
        let targets = Targets {
            climax_beats: Some(22.0),
            first_beats: Some(0.0),
        };
        let mut layout = Layout::default();
        plan(
            &hits,
            &targets,
            0.0,
            &FOUR_FOUR_EIGHT_BARS,
            8.0,
            &mut layout,
            None,
        );
        assert_eq!(layout.outcome(0), HitOutcome::Locked);
        assert_eq!(layout.outcome(1), HitOutcome::Conflict);
        assert_eq!(layout.outcome(2), HitOutcome::Locked);
        assert_eq!(layout.outcome(3), HitOutcome::NotHandled);
        assert_eq!(layout.len(), 2);
        let launches: Vec<f64> = layout
            .statements()
            .map(|s| s.placement.launch_beats)
            .collect();
        assert!(launches[0] < launches[1]);
    }

    #[test]
    fn stingers_laid_over_go_apart_and_take_nothing_from_the_other_hits() {
        // A climax statement around beat 50 and a stinger inside it: instead of the running
        // rendering the stinger conflicts; laid over it, both land, the stinger in its layer.
        let hits = [
            HitTarget {
                beats: 50.0,
                lands: Lands::Climax,
                importance: Importance::Must,
            },
            HitTarget {
                beats: 40.0,
                lands: Lands::Stinger,
                importance: Importance::Should,
            },
            HitTarget {
                beats: 41.0,
                lands: Lands::Stinger,
                importance: Importance::Should,
            },
        ];
        let targets = Targets {
            climax_beats: Some(22.0),
            first_beats: Some(0.0),
        };
        let mut layout = Layout::default();
        plan(
            &hits,
            &targets,
            0.0,
            &FOUR_FOUR_EIGHT_BARS,
            8.0,
            &mut layout,
            None,
        );
        assert_eq!(layout.outcome(1), HitOutcome::Conflict);
        let mut over = Layout::default();
        plan(
            &hits,
            &targets,
            0.0,
            &FOUR_FOUR_EIGHT_BARS,
            8.0,
            &mut layout,
            Some(&mut over),
        );
        assert_eq!(layout.outcome(0), HitOutcome::Locked);
        assert_eq!(layout.outcome(1), HitOutcome::Locked);
        assert_eq!(layout.outcome(2), HitOutcome::Guarded);
        assert_eq!((layout.len(), over.len()), (1, 1));
        let stinger = over.get(0).unwrap();
        assert_eq!(stinger.hit_index, 1);
        let landing = stinger.placement.launch_beats + stinger.placement.warp.at(0.0);
        assert!((landing - 40.0).abs() < 1e-9, "{landing}");
        assert_eq!(stinger.length_beats, 8.0, "two bars of the head");
    }

    #[test]
    fn replanning_inside_the_approach_bends_from_where_playback_is() {
        let placement = place(22.0, 22.3, 0.0, &FOUR_FOUR_EIGHT_BARS, f64::NEG_INFINITY).unwrap();
        let warp = placement.warp;
        let now = warp.at(21.0);
        // The tempo changed: the hit is now 0.05 beat later than planned.
        let (replanned, miss) = replan(&warp, now, 22.0, 22.35, &FOUR_FOUR_EIGHT_BARS);
        assert!(miss.abs() < 1e-9);
        assert!((replanned.at(22.0) - 22.35).abs() < 1e-9);
        assert!(
            (replanned.at(21.0) - now).abs() < 1e-9,
            "continuous at the playhead"
        );
        // A change too large for the beat left is reported, landing as near as allowed.
        let (_, miss) = replan(&warp, now, 22.0, 23.5, &FOUR_FOUR_EIGHT_BARS);
        let slowest_landing = now + 1.0 / (1.0 - MAX_PUSH_RATIO);
        assert!((miss - (slowest_landing - 23.5)).abs() < 1e-9, "{miss}");
    }
}
