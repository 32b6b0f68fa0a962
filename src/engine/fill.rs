//! Filling a scene: a variation built to last exactly as long as the picture needs (issue 25).
//!
//! The variation is put together from whole bars of the song, never stretched: statements of
//! the motif in the character (each as [`render`] makes it), a sequence of the head motif in the
//! middle (its first one or two bars, each time a scale step higher) to take up the bars whole
//! statements leave, and a **button** — the tonic, in every voice that was sounding, from a
//! downbeat to the very end. With the song's tempo (or tempo map) the length in seconds is a
//! number of beats; the body takes whole bars and the button the rest, between half a bar and a
//! bar and a half. Allowed a tempo change of a few percent, the tempo (the whole map) is scaled
//! so the length is whole bars and the button exactly one bar; otherwise the button is held to
//! the length and how far it runs past (or short of) one bar is reported.
//!
//! Off the audio thread (the CLI; the plugin's fit runs on the main thread): it allocates.

use super::character::{render, Character, CharacterSettings};
use super::hit_lock::MAX_PUSH_RATIO;
use super::key::Key;
use super::motif::{Motif, Note, TimeSignature, BEAT_EPSILON};
use super::ops::fragment::head_length;
use super::rendering::{CcPoint, RenderedNote, Rendering, Voice};
use super::scale::Scale;
use super::time_map::{MetreChange, TempoChange, TimeMap};

/// The shortest button, bars: a cadence needs at least half a bar to be heard as one.
pub const MIN_BUTTON_BARS: f64 = 0.5;
/// Bars of the head a sequence step takes at most (a fragment of the motif: its first bars).
pub const MAX_FRAGMENT_BARS: usize = 2;
/// Scale steps a sequence climbs before it starts again from the head's own pitch.
pub const MAX_SEQUENCE_STEPS: i32 = 3;
/// The longest fill, seconds (a cue, not a film).
pub const MAX_FILL_SECONDS: f64 = 3600.0;
/// Gap left before a key is struck again on its channel, ms at the fill's tempo (as renderings
/// leave: a sampler releases the voice first).
const REPEATED_KEY_GAP_MS: f64 = 15.0;

/// How long the fill must last.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FillLength {
    /// Seconds from the song's zero to the end of the button's ring.
    Seconds(f64),
    /// Whole bars of the motif's metre (the button is the last).
    Bars(u32),
    /// The button starts on a cut (an `end` hit), `seconds` from the song's zero, and rings
    /// `ring_bars` bars after it: the bars before the cut are pushed (up to
    /// [`MAX_PUSH_RATIO`] faster or slower, as hit lock pushes into a hit) so the cut falls on
    /// a bar line.
    ButtonAt {
        /// The cut, seconds from the song's zero.
        seconds: f64,
        /// How long the button rings after it, bars (at most one).
        ring_bars: f64,
    },
}

/// The bars before a cut played faster or slower so the cut falls on a bar line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Push {
    /// Fill beat where the push starts (a bar line).
    pub from_beats: f64,
    /// Fill beat where it ends: the cut.
    pub to_beats: f64,
    /// The tempo factor over it (above 1: faster).
    pub ratio: f64,
}

/// The longest ring after a cut, bars (the bound: the button rings at most a bar).
pub const MAX_RING_BARS: f64 = 1.0;

/// What a fill is asked for.
#[derive(Debug, Clone)]
pub struct FillRequest {
    /// The length.
    pub length: FillLength,
    /// The song's tempo map from its zero (one change for a steady tempo).
    pub tempo_map: Vec<TempoChange>,
    /// How far the tempo may be scaled to make the length whole bars (0.03 = ±3 %).
    pub allow_tempo_ratio: f64,
    /// Only the head and the button (a sting): no whole statement.
    pub sting: bool,
}

/// What a piece of the fill is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PieceKind {
    /// The motif in the character, taking `bars` bars (all of it, or — Distant — with fewer
    /// echoes).
    Statement {
        /// Bars it takes in the fill.
        bars: usize,
    },
    /// The head — the motif's first `head_bars` bars — in the character, `steps` scale steps
    /// above the motif (a sequence), taking `bars` bars (all of its rendering, or at least all
    /// of its first statement: Distant's echoes may be fewer).
    Fragment {
        /// Bars of the motif it takes.
        head_bars: usize,
        /// Scale steps up.
        steps: i32,
        /// Bars it takes in the fill.
        bars: usize,
    },
    /// A head cut short to the `bars` bars left, inside its first statement (liquidation: the
    /// head's beginning only).
    Liquidation {
        /// Bars of the motif it takes.
        head_bars: usize,
        /// Scale steps up.
        steps: i32,
        /// Bars it takes in the fill.
        bars: usize,
    },
    /// The closing tonic.
    Button,
}

/// One piece, where it starts and how long it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    /// What it is.
    pub kind: PieceKind,
    /// Song beat it starts on (a bar line).
    pub start_beats: f64,
    /// Its length, beats.
    pub length_beats: f64,
}

/// A fill.
#[derive(Debug, Clone)]
pub struct Fill {
    /// The notes, sorted by onset; the button's end is the fill's end.
    pub notes: Vec<RenderedNote>,
    /// Controller points, sorted; none after the end.
    pub ccs: Vec<CcPoint>,
    /// The pieces in order, the button last.
    pub pieces: Vec<Piece>,
    /// The tempo map it is written with (the request's, scaled when the tempo was changed).
    pub tempo_map: TimeMap,
    /// The factor the tempo was scaled by (1 = unchanged).
    pub tempo_ratio: f64,
    /// End of the fill, beats (the button's note-offs).
    pub end_beats: f64,
    /// End of the fill, seconds through `tempo_map`.
    pub end_seconds: f64,
    /// How much longer than one bar the button is held (negative: shorter), bars; 0 when the
    /// length is whole bars (and for a button on a cut).
    pub button_remainder_bars: f64,
    /// The push into a cut, if one was needed.
    pub push: Option<Push>,
    /// Where the button starts minus the cut, seconds (0 on the cut; else the push it needed
    /// exceeds [`MAX_PUSH_RATIO`] and the button plays on the nearest bar line).
    pub cut_miss_seconds: f64,
}

impl Fill {
    /// How many statements it holds.
    pub fn num_statements(&self) -> usize {
        self.pieces
            .iter()
            .filter(|p| matches!(p.kind, PieceKind::Statement { .. }))
            .count()
    }

    /// The button.
    pub fn button(&self) -> Piece {
        *self.pieces.last().expect("a fill ends with its button")
    }
}

/// Why a fill cannot be made.
#[derive(Debug, Clone, PartialEq)]
pub enum FillError {
    /// The motif has no notes.
    EmptyMotif,
    /// The length is not a positive number of seconds up to [`MAX_FILL_SECONDS`] (or bars up to
    /// what that allows).
    BadLength {
        /// What was asked, seconds (bars are converted at the tempo).
        seconds: f64,
    },
    /// The tempo map is empty or has a tempo that is not positive.
    BadTempo,
    /// The motif's key cannot be told (a button needs a tonic).
    NoKey,
    /// The fill has more notes or controller points than a rendering holds (a very long fill
    /// of a busy motif): nothing is written rather than a fill with notes missing.
    TooManyNotes {
        /// How many were left out.
        dropped: u32,
    },
}

impl std::fmt::Display for FillError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FillError::EmptyMotif => write!(f, "the motif has no notes"),
            FillError::BadLength { seconds } => write!(
                f,
                "a length of {seconds} s cannot be filled (give 0.1 s to {MAX_FILL_SECONDS} s)"
            ),
            FillError::BadTempo => write!(f, "the tempo map needs a tempo above 0 from beat 0"),
            FillError::NoKey => write!(f, "the motif's key cannot be told; lock one (--key)"),
            FillError::TooManyNotes { dropped } => write!(
                f,
                "the fill would need {dropped} more notes than one rendering holds; ask for a shorter length"
            ),
        }
    }
}

impl std::error::Error for FillError {}

/// The shortest fill, seconds (a frame at 10 fps: anything shorter is not a cue).
const MIN_FILL_SECONDS: f64 = 0.1;

/// Builds the fill of `motif` in `settings` for `request`.
pub fn fill(
    motif: &Motif,
    settings: &CharacterSettings,
    request: &FillRequest,
) -> Result<Fill, FillError> {
    if motif.is_empty() {
        return Err(FillError::EmptyMotif);
    }
    let first = request.tempo_map.first().ok_or(FillError::BadTempo)?;
    if first.position_beats.abs() > BEAT_EPSILON
        || request
            .tempo_map
            .iter()
            .any(|c| !(c.tempo_bpm.is_finite() && c.tempo_bpm > 0.0))
    {
        return Err(FillError::BadTempo);
    }
    let key = settings.key.or(motif.key()).ok_or(FillError::NoKey)?;
    let metre = motif.time_signature;
    let bar = metre.bar_length_beats();
    let base_map = TimeMap::from_changes(&request.tempo_map, &[]);
    // The length in beats at the song's own tempo.
    let (total_beats, seconds) = match request.length {
        FillLength::Seconds(seconds) => (base_map.beats_at_seconds(seconds), seconds),
        FillLength::Bars(bars) => {
            let beats = f64::from(bars) * bar;
            (beats, base_map.seconds_at(beats))
        }
        FillLength::ButtonAt { seconds, .. } => (base_map.beats_at_seconds(seconds), seconds),
    };
    if !(seconds.is_finite() && (MIN_FILL_SECONDS..=MAX_FILL_SECONDS).contains(&seconds)) {
        return Err(FillError::BadLength { seconds });
    }
    let total_bars = total_beats / bar;
    let (ratio, tempo_map, end_beats, body_bars, button_remainder_bars, push, cut_miss_seconds) =
        match request.length {
            FillLength::ButtonAt { ring_bars, .. } => {
                let ring_bars = if ring_bars.is_nan() {
                    MAX_RING_BARS
                } else {
                    ring_bars
                };
                let ring = ring_bars.clamp(MIN_BUTTON_BARS, MAX_RING_BARS) * bar;
                let (body_bars, push) = push_onto_bar_line(total_bars);
                let push = push.map(|p| Push {
                    from_beats: p.from_beats * bar,
                    to_beats: p.to_beats * bar,
                    ratio: p.ratio,
                });
                let tempo_map = pushed_map(&request.tempo_map, total_beats, push, metre);
                let button = body_bars as f64 * bar;
                let miss = tempo_map.seconds_at(button) - seconds;
                (1.0, tempo_map, button + ring, body_bars, 0.0, push, miss)
            }
            _ => {
                // Whole bars: as asked, or by scaling the tempo within the allowed change.
                let (ratio, whole_bars) = whole_bar_scaling(total_bars, request.allow_tempo_ratio);
                let tempo_map = scaled_map(&request.tempo_map, ratio, metre);
                let end_beats = total_beats * ratio;
                let body_bars = match whole_bars {
                    Some(bars) => bars.saturating_sub(1),
                    None => ((end_beats / bar) - MIN_BUTTON_BARS).floor().max(0.0) as usize,
                };
                let remainder = match whole_bars {
                    Some(_) => 0.0,
                    None => (end_beats - body_bars as f64 * bar) / bar - 1.0,
                };
                (ratio, tempo_map, end_beats, body_bars, remainder, None, 0.0)
            }
        };
    if body_bars > MAX_FILL_BARS {
        return Err(FillError::BadLength { seconds });
    }
    let mut filler = Filler::offline();
    let tempo_at_end = tempo_map.tempo_at(end_beats);
    filler.assemble(
        motif,
        settings,
        Assembly {
            key,
            body_bars,
            end_beats,
            sting: request.sting,
            tempo_bpm: first.tempo_bpm * ratio,
            gap_beats: REPEATED_KEY_GAP_MS / 1000.0 * tempo_at_end / 60.0,
        },
    )?;
    let out = &filler.out;
    let pieces = filler.pieces().to_vec();
    let end_seconds = tempo_map.seconds_at(end_beats);
    Ok(Fill {
        notes: out.notes.clone(),
        ccs: out.ccs.clone(),
        pieces,
        tempo_map,
        tempo_ratio: ratio,
        end_beats,
        end_seconds,
        button_remainder_bars,
        push,
        cut_miss_seconds,
    })
}

/// Most bars the plugin's Fit offers: its fill is made on the audio thread and must fit a live
/// rendering (4096 notes: 64 bars of Swell at full intensity take about 3 000).
pub const MAX_FIT_BARS: u32 = 64;

/// Most whole bars a fill's body takes (its list of pieces is sized for it; an hour at 400 BPM
/// in 2/4 would be 12 000).
pub const MAX_FILL_BARS: usize = 1024;
/// Pieces a fill holds at most: one a bar, and the button.
const MAX_PIECES: usize = MAX_FILL_BARS + 1;

/// What [`Filler::assemble`] puts together.
#[derive(Debug, Clone, Copy)]
struct Assembly {
    /// The key the motif is read in.
    key: Key,
    /// Whole bars before the button.
    body_bars: usize,
    /// Where the button ends, beats.
    end_beats: f64,
    /// Only the head (a sting).
    sting: bool,
    /// The tempo the pieces are rendered for (legato overlaps), BPM.
    tempo_bpm: f64,
    /// Gap before a key is struck again on its channel, beats.
    gap_beats: f64,
}

/// The buffers a fill is made in, made once ([`Filler::new`] allocates); filling never
/// allocates, so the plugin fits on the audio thread (`benches/fill.rs` has its worst case).
/// Owner: whoever fills (the live engine, the CLI).
pub struct Filler {
    /// A statement of the motif in the character.
    statement: Rendering,
    /// A head's rendering (sizes, then each head piece in turn).
    head: Rendering,
    /// The fill.
    out: Rendering,
    /// Its pieces, in order, the button last.
    pieces: Box<[Piece]>,
    num_pieces: usize,
    /// The plan before it is placed.
    plan: Box<[PieceKind]>,
}

impl Default for Filler {
    fn default() -> Self {
        Self::new()
    }
}

/// Notes and controller points an offline fill (the CLI's) holds: [`MAX_FILL_BARS`] bars of
/// a busy character (Swell doubles, harmonises and adds a bass: about 50 notes a bar).
pub const MAX_OFFLINE_FILL_EVENTS: usize = 1 << 16;

impl Filler {
    /// Buffers for fills of up to [`MAX_FILL_BARS`] bars, the fill as large as a live rendering
    /// ([`crate::engine::rendering::MAX_RENDER_NOTES`] notes). Allocates.
    pub fn new() -> Self {
        Self::with_fill_capacity(Rendering::new())
    }

    /// Buffers for an offline fill as large as [`MAX_OFFLINE_FILL_EVENTS`]. Allocates.
    pub fn offline() -> Self {
        Self::with_fill_capacity(Rendering::with_capacity(
            MAX_OFFLINE_FILL_EVENTS,
            MAX_OFFLINE_FILL_EVENTS,
        ))
    }

    fn with_fill_capacity(out: Rendering) -> Self {
        let none = Piece {
            kind: PieceKind::Button,
            start_beats: 0.0,
            length_beats: 0.0,
        };
        Self {
            statement: Rendering::new(),
            head: Rendering::new(),
            out,
            pieces: vec![none; MAX_PIECES].into_boxed_slice(),
            num_pieces: 0,
            plan: vec![PieceKind::Button; MAX_PIECES].into_boxed_slice(),
        }
    }

    /// The last fill.
    pub fn rendering(&self) -> &Rendering {
        &self.out
    }

    /// The last fill's pieces, the button last.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces[..self.num_pieces]
    }

    /// Fills `bars` whole bars of the motif's metre (the button the last) for playback at
    /// `tempo_bpm`, as the plugin's Fit setting does. Never allocates.
    pub fn fill_bars(
        &mut self,
        motif: &Motif,
        settings: &CharacterSettings,
        bars: u32,
        tempo_bpm: f64,
    ) -> Result<&Rendering, FillError> {
        let bars = bars.clamp(1, MAX_FILL_BARS as u32);
        self.fill_live(motif, settings, bars - 1, 1.0, tempo_bpm)
    }

    /// Fills `body_bars` whole bars of the motif's metre and then a button that rings
    /// `ring_bars` bars ([`MIN_BUTTON_BARS`] to [`MAX_RING_BARS`]), for playback at `tempo_bpm`:
    /// the plugin's ending on a cut (the button's onset is the cut). Never allocates.
    pub fn fill_to_button(
        &mut self,
        motif: &Motif,
        settings: &CharacterSettings,
        body_bars: u32,
        ring_bars: f64,
        tempo_bpm: f64,
    ) -> Result<&Rendering, FillError> {
        let ring_bars = if ring_bars.is_nan() {
            MAX_RING_BARS
        } else {
            ring_bars.clamp(MIN_BUTTON_BARS, MAX_RING_BARS)
        };
        self.fill_live(motif, settings, body_bars, ring_bars, tempo_bpm)
    }

    /// The plugin's fills: `body_bars` whole bars (at most [`MAX_FILL_BARS`]), then a button
    /// `button_bars` long, for playback at `tempo_bpm`. Never allocates.
    fn fill_live(
        &mut self,
        motif: &Motif,
        settings: &CharacterSettings,
        body_bars: u32,
        button_bars: f64,
        tempo_bpm: f64,
    ) -> Result<&Rendering, FillError> {
        if motif.is_empty() {
            return Err(FillError::EmptyMotif);
        }
        let key = settings.key.or(motif.key()).ok_or(FillError::NoKey)?;
        let bar = motif.time_signature.bar_length_beats();
        let tempo_bpm = super::motif::sanitize_tempo_bpm(tempo_bpm);
        let body_bars = (body_bars as usize).min(MAX_FILL_BARS);
        self.assemble(
            motif,
            settings,
            Assembly {
                key,
                body_bars,
                end_beats: (body_bars as f64 + button_bars) * bar,
                sting: false,
                tempo_bpm,
                gap_beats: REPEATED_KEY_GAP_MS / 1000.0 * tempo_bpm / 60.0,
            },
        )?;
        Ok(&self.out)
    }

    /// Puts the pieces and the button together into `out` (cleared first). Never allocates.
    fn assemble(
        &mut self,
        motif: &Motif,
        settings: &CharacterSettings,
        job: Assembly,
    ) -> Result<(), FillError> {
        let bar = motif.time_signature.bar_length_beats();
        let mut rendered_settings = *settings;
        rendered_settings.key = Some(job.key);
        rendered_settings.playback_tempo_bpm = Some(job.tempo_bpm);
        let echoes = settings.character == Character::Distant;
        render(motif, &rendered_settings, &mut self.statement);
        let statement_notes = echoes.then(|| head_notes(motif, &mut self.head));
        let statement_size = size(&self.statement, bar, statement_notes);
        // The head's sizes: one per head length (a character may broaden them).
        let mut heads = [(0usize, Size { core: 0, full: 0 }); MAX_FRAGMENT_BARS];
        let num_heads = motif_bars(motif).min(MAX_FRAGMENT_BARS);
        for (index, head) in heads.iter_mut().take(num_heads).enumerate() {
            let head_bars = index + 1;
            let head_motif = head_motif(motif, job.key, head_bars);
            let core_notes = echoes.then(|| head_notes(&head_motif, &mut self.head));
            render(&head_motif, &rendered_settings, &mut self.head);
            *head = (head_bars, size(&self.head, bar, core_notes));
        }
        let num_planned = plan_pieces(
            job.body_bars,
            statement_size,
            &heads[..num_heads],
            job.sting,
            &mut self.plan,
        );
        self.out.clear();
        self.num_pieces = 0;
        let mut at_bars = 0usize;
        for index in 0..num_planned {
            let kind = self.plan[index];
            let bars = match kind {
                PieceKind::Statement { bars } => {
                    append(
                        &mut self.out,
                        &self.statement,
                        at_bars as f64 * bar,
                        bars as f64 * bar,
                    );
                    bars
                }
                PieceKind::Fragment {
                    head_bars,
                    steps,
                    bars,
                }
                | PieceKind::Liquidation {
                    head_bars,
                    steps,
                    bars,
                } => {
                    let mut head_settings = rendered_settings;
                    head_settings.transpose_steps += steps;
                    render(
                        &head_motif(motif, job.key, head_bars),
                        &head_settings,
                        &mut self.head,
                    );
                    append(
                        &mut self.out,
                        &self.head,
                        at_bars as f64 * bar,
                        bars as f64 * bar,
                    );
                    bars
                }
                PieceKind::Button => 0,
            };
            self.pieces[self.num_pieces] = Piece {
                kind,
                start_beats: at_bars as f64 * bar,
                length_beats: bars as f64 * bar,
            };
            self.num_pieces += 1;
            at_bars += bars;
        }
        let button_start = job.body_bars as f64 * bar;
        add_button(
            &mut self.out,
            rendering_tonic(job.key, settings),
            button_start,
            job.end_beats,
            settings,
        );
        self.pieces[self.num_pieces] = Piece {
            kind: PieceKind::Button,
            start_beats: button_start,
            length_beats: job.end_beats - button_start,
        };
        self.num_pieces += 1;
        self.out.separate_repeated_keys(job.gap_beats);
        self.out.finish();
        end_everything_by(&mut self.out, job.end_beats);
        self.out.length_beats = job.end_beats;
        if self.out.num_dropped > 0 {
            return Err(FillError::TooManyNotes {
                dropped: self.out.num_dropped,
            });
        }
        Ok(())
    }
}

/// The whole bars before a cut `cut_bars` bars (at the song's tempo) from the start, and the
/// push that puts the cut on that bar line (its start and end counted in bars here): the bars just before it played faster (to fit a bar
/// more) or slower (a bar less), as few as keep the change within [`MAX_PUSH_RATIO`]; the
/// shorter push wins, then the smaller change. A cut already on a bar line needs none; one no
/// push reaches (too near the start) keeps the bar line nearest it.
fn push_onto_bar_line(cut_bars: f64) -> (usize, Option<Push>) {
    let nearest = cut_bars.round();
    if (cut_bars - nearest).abs() < 1e-9 {
        return (nearest as usize, None);
    }
    let mut best: Option<(usize, usize, f64)> = None; // (bars, approach bars, ratio)
    for bars in [cut_bars.floor(), cut_bars.ceil()] {
        if bars < 1.0 {
            continue;
        }
        // The approach's k bars sound in the time of k − d bars.
        let d = bars - cut_bars;
        let least = if d > 0.0 {
            (1.0 + MAX_PUSH_RATIO) * d / MAX_PUSH_RATIO
        } else {
            (1.0 - MAX_PUSH_RATIO) * -d / MAX_PUSH_RATIO
        };
        let k = (least - 1e-9).ceil().max(1.0);
        if k > bars {
            continue;
        }
        let ratio = k / (k - d);
        let better = best.is_none_or(|(_, best_k, best_ratio)| {
            (k as usize, (ratio - 1.0).abs()) < (best_k, (best_ratio - 1.0).abs())
        });
        if better {
            best = Some((bars as usize, k as usize, ratio));
        }
    }
    match best {
        Some((bars, k, ratio)) => (
            bars,
            Some(Push {
                from_beats: (bars - k) as f64,
                to_beats: bars as f64,
                ratio,
            }),
        ),
        None => ((nearest.max(0.0)) as usize, None),
    }
}

/// The song's map as the fill plays it: unchanged up to the push, every tempo within it scaled
/// by its ratio (and its beats spread by it), then from the cut on the song's tempo at the cut.
/// `cut_beats` is the cut's song beat.
fn pushed_map(
    changes: &[TempoChange],
    cut_beats: f64,
    push: Option<Push>,
    metre: TimeSignature,
) -> TimeMap {
    let metre_map = [MetreChange {
        position_beats: 0.0,
        time_signature: metre,
    }];
    let Some(push) = push else {
        return TimeMap::from_changes(changes, &metre_map);
    };
    let song = TimeMap::from_changes(changes, &[]);
    let (from, to) = (push.from_beats, push.to_beats);
    let mut out: Vec<TempoChange> = changes
        .iter()
        .filter(|c| c.position_beats < from - BEAT_EPSILON)
        .copied()
        .collect();
    out.push(TempoChange {
        position_beats: from,
        tempo_bpm: song.tempo_at(from) * push.ratio,
    });
    for change in changes
        .iter()
        .filter(|c| c.position_beats > from + BEAT_EPSILON && c.position_beats < cut_beats)
    {
        out.push(TempoChange {
            position_beats: from + push.ratio * (change.position_beats - from),
            tempo_bpm: change.tempo_bpm * push.ratio,
        });
    }
    out.push(TempoChange {
        position_beats: to,
        tempo_bpm: song.tempo_at(cut_beats),
    });
    TimeMap::from_changes(&out, &metre_map)
}

/// The factor the tempo is scaled by and the whole bars that gives: the whole number of bars
/// nearest `total_bars` whose scaling is within `allow` (the smallest change wins), or, when
/// none is, no scaling and `None`. A length already whole bars (within float noise) needs none.
fn whole_bar_scaling(total_bars: f64, allow: f64) -> (f64, Option<usize>) {
    let nearest = total_bars.round();
    if nearest >= 1.0 && (total_bars - nearest).abs() < 1e-9 {
        return (1.0, Some(nearest as usize));
    }
    let allow = if allow.is_finite() {
        allow.max(0.0)
    } else {
        0.0
    };
    let mut best: Option<(f64, usize)> = None;
    for bars in [total_bars.floor(), total_bars.ceil()] {
        if bars < 1.0 {
            continue;
        }
        let ratio = bars / total_bars;
        if (ratio - 1.0).abs() <= allow + 1e-12
            && best.is_none_or(|(r, _)| (ratio - 1.0).abs() < (r - 1.0).abs())
        {
            best = Some((ratio, bars as usize));
        }
    }
    match best {
        Some((ratio, bars)) => (ratio, Some(bars)),
        None => (1.0, None),
    }
}

/// `changes` with every tempo multiplied by `ratio` and every position kept (beats stay where
/// they are in the music; seconds shrink by the ratio), in `metre`.
fn scaled_map(changes: &[TempoChange], ratio: f64, metre: TimeSignature) -> TimeMap {
    let scaled: Vec<TempoChange> = changes
        .iter()
        .map(|c| TempoChange {
            position_beats: c.position_beats,
            tempo_bpm: c.tempo_bpm * ratio,
        })
        .collect();
    TimeMap::from_changes(
        &scaled,
        &[MetreChange {
            position_beats: 0.0,
            time_signature: metre,
        }],
    )
}

/// The motif's length, whole bars.
fn motif_bars(motif: &Motif) -> usize {
    (motif.length_beats / motif.time_signature.bar_length_beats())
        .round()
        .max(1.0) as usize
}

/// How many bars a piece's rendering takes: all of it (`full`: to the bar of its last onset;
/// a note ringing on is cut where the next piece starts), and at least (`core`: its first
/// statement, before any echo).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Bars up to the first statement's last onset.
    pub core: usize,
    /// Bars up to the last onset.
    pub full: usize,
}

/// The [`Size`] of `rendering`; `core_notes`: how many melody notes make its first statement
/// (all when `None`).
fn size(rendering: &Rendering, bar: f64, core_notes: Option<usize>) -> Size {
    let bars_to = |beats: f64| (beats / bar + BEAT_EPSILON).floor().max(0.0) as usize + 1;
    let last_onset = rendering
        .notes
        .iter()
        .map(|n| n.start_beats)
        .fold(0.0, f64::max);
    let full = bars_to(last_onset);
    // Renderings are sorted by onset (`Rendering::finish`).
    let core = match core_notes {
        Some(count) => rendering
            .notes
            .iter()
            .filter(|n| n.voice == Voice::Melody)
            .take(count.max(1))
            .last()
            .map_or(full, |n| bars_to(n.start_beats)),
        None => full,
    };
    Size {
        core: core.min(full),
        full,
    }
}

/// How many notes Distant keeps of `motif` as its head (its first statement before the echoes);
/// `rendering` is scratch. Never allocates.
pub fn head_notes(motif: &Motif, rendering: &mut Rendering) -> usize {
    rendering.clear();
    for note in motif.notes() {
        rendering.push_note(RenderedNote {
            lead_seconds: 0.0,
            start_beats: note.start_beats,
            length_beats: note.length_beats,
            key: note.key,
            velocity: note.velocity,
            channel: 0,
            voice: Voice::Melody,
        });
    }
    rendering.finish();
    head_length(rendering)
}

/// The pieces before the button for `body_bars` bars: as many whole statements as fit (none for
/// a sting), then one with fewer echoes if its first statement fits in what is left, else the
/// head's sequence in the middle for what is left — after the first statement when there are
/// more, so the variation opens and closes with the theme. `heads` are the head's sizes (motif
/// bars, rendered size), shortest first: the longest whose first statement fits goes each time
/// (with as many of its echoes as fit), and bars fewer than the shortest take it cut short (a
/// liquidation).
/// Writes the plan into `plan` and returns how many pieces it has (at most one a bar). Never
/// allocates.
fn plan_pieces(
    body_bars: usize,
    statement: Size,
    heads: &[(usize, Size)],
    sting: bool,
    plan: &mut [PieceKind],
) -> usize {
    let num_statements = if sting || statement.full == 0 {
        0
    } else {
        body_bars / statement.full
    };
    let mut left = body_bars - num_statements * statement.full;
    let shortened = (!sting && left > 0 && left >= statement.core).then(|| {
        let bars = left;
        left = 0;
        PieceKind::Statement { bars }
    });
    // The first statement, the fragments, the other statements, the shortened one.
    let mut count = 0;
    let mut put = |kind: PieceKind| {
        if count < plan.len() {
            plan[count] = kind;
            count += 1;
        }
    };
    let whole = PieceKind::Statement {
        bars: statement.full,
    };
    if num_statements > 0 {
        put(whole);
    }
    let mut steps = 0;
    while left > 0 {
        let fitting = heads.iter().rev().find(|(_, size)| size.core <= left);
        let piece = match (fitting, heads.first()) {
            (Some(&(head_bars, size)), _) => PieceKind::Fragment {
                head_bars,
                steps,
                bars: size.full.min(left),
            },
            (None, Some(&(head_bars, _))) => PieceKind::Liquidation {
                head_bars,
                steps,
                bars: left,
            },
            (None, None) => break,
        };
        left -= match piece {
            PieceKind::Fragment { bars, .. } | PieceKind::Liquidation { bars, .. } => bars,
            _ => 0,
        };
        put(piece);
        steps = if steps >= MAX_SEQUENCE_STEPS {
            0
        } else {
            steps + 1
        };
    }
    for _ in 1..num_statements {
        put(whole);
    }
    if let Some(shortened) = shortened {
        put(shortened);
    }
    count
}

/// The motif's first `bars` bars, in `key` (the notes that start in them, cut at their end).
fn head_motif(motif: &Motif, key: Key, bars: usize) -> Motif {
    let end = bars as f64 * motif.time_signature.bar_length_beats();
    let mut head = Motif::new(motif.time_signature, motif.tempo_bpm);
    for note in motif
        .notes()
        .iter()
        .filter(|n| n.start_beats < end - BEAT_EPSILON)
    {
        head.push(Note {
            length_beats: note.length_beats.min(end - note.start_beats),
            ..*note
        });
    }
    head.finish();
    head.locked_key = Some(key);
    head
}

/// Appends `piece` at `start_beats`, keeping only what starts within `length_beats` (a note
/// may ring on past it; the next piece's same key cuts it).
fn append(out: &mut Rendering, piece: &Rendering, start_beats: f64, length_beats: f64) {
    for note in &piece.notes {
        if note.start_beats < length_beats - BEAT_EPSILON {
            out.push_note(RenderedNote {
                start_beats: start_beats + note.start_beats,
                length_beats: note.length_beats.min(length_beats - note.start_beats),
                ..*note
            });
        }
    }
    for point in &piece.ccs {
        if point.beats < length_beats - BEAT_EPSILON {
            out.push_cc(CcPoint {
                beats: start_beats + point.beats,
                ..*point
            });
        }
    }
}

/// The tonic pitch class the rendering sounds in (the motif's key moved by the chromatic
/// transposition; a diatonic one stays in the key, a mode change keeps the tonic).
fn rendering_tonic(key: Key, settings: &CharacterSettings) -> u8 {
    (i32::from(key.tonic) + settings.transpose_semitones).rem_euclid(12) as u8
}

/// The button: for every voice sounding in the bar before `start_beats` (the melody at least),
/// the tonic nearest its last note, from `start_beats` to `end_beats`, at its last velocity, on
/// its channel; the pedal (where one was used) lifted at the end.
fn add_button(
    out: &mut Rendering,
    tonic: u8,
    start_beats: f64,
    end_beats: f64,
    settings: &CharacterSettings,
) {
    let voices = [Voice::Melody, Voice::Doubling, Voice::Bass];
    for voice in voices {
        let last = out
            .notes
            .iter()
            .filter(|n| n.voice == voice && n.start_beats < start_beats - BEAT_EPSILON)
            .max_by(|a, b| a.start_beats.total_cmp(&b.start_beats));
        let (reference, velocity, channel) = match (last, voice) {
            (Some(note), _) => (note.key, note.velocity, note.channel),
            (None, Voice::Melody) => (60 + tonic, 0.5, settings.channel_for(Voice::Melody)),
            (None, _) => continue,
        };
        let key = nearest_with_class(reference, tonic);
        out.push_note(RenderedNote {
            lead_seconds: 0.0,
            start_beats,
            length_beats: end_beats - start_beats,
            key,
            velocity,
            channel,
            voice,
        });
    }
    // Whatever the pieces left held ends with the button: the pedal comes up at the end.
    let mut pedalled = [false; 16];
    for point in out
        .ccs
        .iter()
        .filter(|p| p.cc == crate::engine::event::CC_SUSTAIN)
    {
        pedalled[usize::from(point.channel % 16)] = true;
    }
    for channel in 0..16u8 {
        if pedalled[usize::from(channel)] {
            out.push_cc(CcPoint {
                lead_seconds: 0.0,
                beats: end_beats,
                channel,
                cc: crate::engine::event::CC_SUSTAIN,
                value: 0.0,
            });
        }
    }
}

/// The key of pitch class `class` nearest `reference` (the lower one on a tie), within 0–127.
fn nearest_with_class(reference: u8, class: u8) -> u8 {
    let reference = i32::from(reference);
    let below = reference - (reference - i32::from(class)).rem_euclid(12);
    let above = below + 12;
    let key = if reference - below <= above - reference {
        below
    } else {
        above
    };
    let key = if key < 0 { key + 12 } else { key };
    let key = if key > 127 { key - 12 } else { key };
    key as u8
}

/// Nothing sounds past `end_beats`: notes are cut there, later points dropped (a pedal lift
/// exactly at the end stays).
fn end_everything_by(out: &mut Rendering, end_beats: f64) {
    out.notes
        .retain(|n| n.start_beats < end_beats - BEAT_EPSILON);
    for note in &mut out.notes {
        if note.end_beats() > end_beats {
            note.length_beats = end_beats - note.start_beats;
        }
    }
    out.ccs.retain(|p| p.beats <= end_beats + BEAT_EPSILON);
}

/// How long a pickup sounds, of its beat (detached: the downbeat is struck afresh).
const PICKUP_SOUNDING: f64 = 0.9;
/// A pickup's velocity, of the first melody note's (an upbeat leans into the downbeat).
const PICKUP_VELOCITY: f32 = 0.85;

/// Opens `fill` with a pickup: the scale step below its first melody note (in the motif's key),
/// one beat of the metre (the dotted quarter in 6/8) before the first downbeat, detached.
/// Everything else moves a bar later and the tempo and metre maps gain a bar at their start
/// (the song's first tempo and the motif's metre), so the length still counts from the
/// downbeat. Returns the pickup's key; `None` (the fill untouched) without a melody note or a
/// key.
pub fn add_pickup(fill: &mut Fill, motif: &Motif) -> Option<u8> {
    let key = motif.key()?;
    let first = *fill.notes.iter().find(|n| n.voice == Voice::Melody)?;
    let metre = motif.time_signature;
    let bar = metre.bar_length_beats();
    let beat = metre.pulse_length_beats();
    for note in &mut fill.notes {
        note.start_beats += bar;
    }
    for point in &mut fill.ccs {
        point.beats += bar;
    }
    for piece in &mut fill.pieces {
        piece.start_beats += bar;
    }
    if let Some(push) = &mut fill.push {
        push.from_beats += bar;
        push.to_beats += bar;
    }
    let shifted = |position_beats: f64| position_beats + bar;
    let tempos: Vec<TempoChange> = std::iter::once(TempoChange {
        position_beats: 0.0,
        tempo_bpm: fill.tempo_map.tempo_at(0.0),
    })
    .chain(fill.tempo_map.tempo_changes().iter().map(|c| TempoChange {
        position_beats: shifted(c.position_beats),
        ..*c
    }))
    .collect();
    let metres: Vec<MetreChange> = std::iter::once(MetreChange {
        position_beats: 0.0,
        time_signature: metre,
    })
    .chain(fill.tempo_map.metre_changes().iter().map(|c| MetreChange {
        position_beats: shifted(c.position_beats),
        ..*c
    }))
    .collect();
    fill.tempo_map = TimeMap::from_changes(&tempos, &metres);
    fill.end_beats += bar;
    fill.end_seconds = fill.tempo_map.seconds_at(fill.end_beats);
    let pickup_key = Scale::from(key)
        .step(i32::from(first.key), -1)
        .clamp(0, 127) as u8;
    // Each controller curve (dynamics, pedal) starts at the pickup with its first value, so the
    // upbeat finds its level set, as every note of the fill does.
    let lead = super::ops::dynamics::CC_LEAD_BEATS;
    let mut openings: Vec<CcPoint> = Vec::new();
    for point in &fill.ccs {
        if !openings
            .iter()
            .any(|o| (o.channel, o.cc) == (point.channel, point.cc))
        {
            openings.push(CcPoint {
                beats: (bar - beat - lead).max(0.0),
                ..*point
            });
        }
    }
    fill.ccs.splice(0..0, openings);
    fill.notes.insert(
        0,
        RenderedNote {
            start_beats: bar - beat,
            length_beats: beat * PICKUP_SOUNDING,
            key: pickup_key,
            velocity: first.velocity * PICKUP_VELOCITY,
            ..first
        },
    );
    Some(pickup_key)
}

/// The tonic of the key a motif's fill ends on (for tests and reports).
pub fn button_tonic(motif: &Motif, settings: &CharacterSettings) -> Option<u8> {
    settings
        .key
        .or(motif.key())
        .map(|key| rendering_tonic(key, settings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_vec(
        body_bars: usize,
        statement: Size,
        heads: &[(usize, Size)],
        sting: bool,
    ) -> Vec<PieceKind> {
        let mut plan = vec![PieceKind::Button; MAX_PIECES];
        let count = plan_pieces(body_bars, statement, heads, sting, &mut plan);
        plan.truncate(count);
        plan
    }

    #[test]
    fn a_pickup_in_six_eight_is_a_dotted_quarter_before_the_downbeat_and_the_rest_moves_a_bar() {
        // A 6/8 theme in D major opening on A4: the pickup is G4, the step below.
        let mut motif = Motif::new(TimeSignature::new(6, 8), 90.0);
        for (start, key) in [(0.0, 69), (1.5, 71), (3.0, 74), (4.5, 73), (6.0, 74)] {
            motif.push(Note {
                start_beats: start,
                length_beats: 1.4,
                key,
                velocity: 0.7,
                channel: 0,
            });
        }
        motif.finish();
        let settings = CharacterSettings {
            character: Character::Piano,
            humanize: 0.0,
            ..CharacterSettings::default()
        };
        let request = FillRequest {
            length: FillLength::Bars(4),
            tempo_map: vec![TempoChange {
                position_beats: 0.0,
                tempo_bpm: 90.0,
            }],
            allow_tempo_ratio: 0.0,
            sting: false,
        };
        let plain = fill(&motif, &settings, &request).unwrap();
        let mut with = plain.clone();
        assert_eq!(add_pickup(&mut with, &motif), Some(67));
        let pickup = with.notes[0];
        assert_eq!((pickup.start_beats, pickup.key), (3.0 - 1.5, 67));
        assert!(pickup.end_beats() <= 3.0);
        assert_eq!(with.notes.len(), plain.notes.len() + 1);
        for (moved, note) in with.notes[1..].iter().zip(&plain.notes) {
            assert_eq!(moved.start_beats, note.start_beats + 3.0);
        }
        assert_eq!(with.end_beats, plain.end_beats + 3.0);
        // The length in seconds still counts from the downbeat.
        let bar_seconds = with.tempo_map.seconds_at(3.0);
        assert!((with.end_seconds - bar_seconds - plain.end_seconds).abs() < 1e-9);
        assert_eq!(with.tempo_map.metre_at(0.0), TimeSignature::new(6, 8));
        // The pickup finds its dynamics set: every controller curve starts before it.
        for point in plain.ccs.iter() {
            assert!(
                with.ccs
                    .iter()
                    .any(|p| (p.channel, p.cc) == (point.channel, point.cc)
                        && p.beats <= pickup.start_beats),
                "CC{} on channel {} starts after the pickup",
                point.cc,
                point.channel
            );
        }
        assert!(with.ccs.windows(2).all(|w| w[0].beats <= w[1].beats));
    }

    #[test]
    fn whole_bars_are_found_within_the_allowed_change() {
        assert_eq!(whole_bar_scaling(12.0, 0.0), (1.0, Some(12)));
        // 11.8 bars: 12 is 1.7 % faster, within 3 %.
        let (ratio, bars) = whole_bar_scaling(11.8, 0.03);
        assert_eq!(bars, Some(12));
        assert!((ratio - 12.0 / 11.8).abs() < 1e-12);
        // Not within 1 %: no change, the button is held.
        assert_eq!(whole_bar_scaling(11.8, 0.01), (1.0, None));
        // 11.2 bars: 11 is nearer.
        assert_eq!(whole_bar_scaling(11.2, 0.03).1, Some(11));
    }

    #[test]
    fn pieces_open_and_close_with_the_theme_and_take_every_bar() {
        let bars_of = |plan: &[PieceKind]| -> usize {
            plan.iter()
                .map(|k| match k {
                    PieceKind::Statement { bars }
                    | PieceKind::Fragment { bars, .. }
                    | PieceKind::Liquidation { bars, .. } => *bars,
                    PieceKind::Button => 0,
                })
                .sum()
        };
        let whole = |bars| Size {
            core: bars,
            full: bars,
        };
        let four = PieceKind::Statement { bars: 4 };
        // Heads of 1 and 2 motif bars rendering as 1 and 2 bars.
        let plan = plan_vec(15, whole(4), &[(1, whole(1)), (2, whole(2))], false);
        assert_eq!(bars_of(&plan), 15);
        assert_eq!(plan.first(), Some(&four));
        assert_eq!(plan.last(), Some(&four));
        assert_eq!(
            &plan[1..3],
            &[
                PieceKind::Fragment {
                    head_bars: 2,
                    steps: 0,
                    bars: 2
                },
                PieceKind::Fragment {
                    head_bars: 1,
                    steps: 1,
                    bars: 1
                }
            ],
            "15 = 3 statements + the 2-bar head + the 1-bar head a step higher"
        );
        // Heads broadened to 2 and 4 bars: a bar left over is a liquidation.
        let plan = plan_vec(7, whole(4), &[(1, whole(2)), (2, whole(4))], false);
        assert_eq!(bars_of(&plan), 7);
        assert_eq!(
            plan[1..],
            [
                PieceKind::Fragment {
                    head_bars: 1,
                    steps: 0,
                    bars: 2
                },
                PieceKind::Liquidation {
                    head_bars: 1,
                    steps: 1,
                    bars: 1
                }
            ]
        );
        // Echoes (Distant): a statement of 12 bars whose first statement takes 3, heads of 2
        // (8 with echoes): 17 bars = one statement, then one with fewer echoes.
        let echoing = Size { core: 3, full: 12 };
        assert_eq!(
            plan_vec(17, echoing, &[(1, Size { core: 2, full: 8 })], false),
            [
                PieceKind::Statement { bars: 12 },
                PieceKind::Statement { bars: 5 }
            ]
        );
        // 2 bars: too few for a statement; the head with fewer echoes.
        assert_eq!(
            plan_vec(2, echoing, &[(1, Size { core: 2, full: 8 })], false),
            [PieceKind::Fragment {
                head_bars: 1,
                steps: 0,
                bars: 2
            }]
        );
        // A sting: the head only.
        assert_eq!(
            plan_vec(1, whole(4), &[(1, whole(1))], true),
            vec![PieceKind::Fragment {
                head_bars: 1,
                steps: 0,
                bars: 1
            }]
        );
    }

    #[test]
    fn a_cut_off_the_bar_line_is_reached_by_the_shortest_push() {
        // 12.72 bars: 13 bars need the last 4 a little faster (4 in the time of 3.72: +7.5 %);
        // 12 bars need 7 slower. The shorter push wins.
        let (bars, push) = push_onto_bar_line(12.72);
        assert_eq!(bars, 13);
        let push = push.unwrap();
        assert_eq!((push.from_beats, push.to_beats), (9.0, 13.0));
        assert!((push.ratio - 4.0 / 3.72).abs() < 1e-12);
        assert!(push.ratio - 1.0 <= MAX_PUSH_RATIO);
        // 12.1 bars: 12, the last bar a little slower.
        let (bars, push) = push_onto_bar_line(12.1);
        assert_eq!(bars, 12);
        assert!((push.unwrap().ratio - 1.0 / 1.1).abs() < 1e-12);
        // On a bar line: nothing to push; too near the start: the nearest bar line.
        assert_eq!(push_onto_bar_line(8.0), (8, None));
        assert_eq!(push_onto_bar_line(0.5), (1, None));
    }

    #[test]
    fn the_nearest_tonic_stays_on_the_keyboard() {
        assert_eq!(nearest_with_class(64, 0), 60);
        assert_eq!(nearest_with_class(67, 0), 72);
        assert_eq!(nearest_with_class(66, 0), 60, "a tie goes down");
        assert_eq!(nearest_with_class(2, 11), 11);
        assert_eq!(nearest_with_class(126, 11), 119);
    }
}
