//! Phrase capture: hears a performance as timed note events and turns each phrase into a
//! [`Motif`]. A phrase ends after a silence of `gap_beats`.
//!
//! Fed with musical time (beats) by the caller, which gets it from the host transport or from its
//! own tempo when there is none. Handles real playing: chords, overlapping and repeated keys,
//! velocity-0 note-ons, stray note-offs, and the sustain pedal (a key released while the pedal is
//! down keeps sounding until the pedal lifts or the key is struck again, as on a piano).
//!
//! Fixed capacity, no allocation after construction: safe on the audio thread.

use super::event::{cell_of, NUM_CHANNELS, NUM_KEYS};
use super::key::Key;
use super::motif::{sanitize_tempo_bpm, Motif, Note, TimeSignature, MAX_MOTIF_NOTES};
use super::performance::{Performance, PerformanceEvent, DRUM_CHANNEL};
use super::quantize::Quantize;
use crate::engine::motif::BEAT_EPSILON;

/// Default silence that ends a phrase, in beats.
pub const DEFAULT_GAP_BEATS: f64 = 2.0;

/// When a phrase is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureMode {
    /// Every phrase played becomes the new motif.
    AlwaysListening,
    /// Only the next phrase after [`PhraseCapture::arm`] is taken; then capture disarms.
    Armed,
}

/// Capture settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaptureSettings {
    /// Silence that ends a phrase, in beats (> 0).
    pub gap_beats: f64,
    /// Always listening or armed.
    pub mode: CaptureMode,
    /// Start the motif at the bar line at or before its first note (keeps an upbeat an upbeat);
    /// otherwise the first note is at beat 0. Its length is whole bars either way.
    pub align_to_bars: bool,
    /// Quantize applied to the captured notes, or `None` for timing as played.
    pub quantize: Option<Quantize>,
    /// Key the composer locked, copied into each motif.
    pub locked_key: Option<Key>,
    /// Hear notes on MIDI channel 10 (General MIDI drums) too; by default they are drum hits,
    /// not melody, and are ignored.
    pub include_drums: bool,
}

impl Default for CaptureSettings {
    fn default() -> Self {
        Self {
            gap_beats: DEFAULT_GAP_BEATS,
            mode: CaptureMode::AlwaysListening,
            align_to_bars: true,
            quantize: None,
            locked_key: None,
            include_drums: false,
        }
    }
}

/// A note of the phrase being captured, in absolute beats.
#[derive(Debug, Clone, Copy)]
struct OpenNote {
    start_beats: f64,
    /// `None` while sounding.
    end_beats: Option<f64>,
    key: u8,
    channel: u8,
    velocity: f32,
    /// The key is up but the sustain pedal keeps the note sounding.
    held_by_pedal: bool,
}

const NO_NOTE: u16 = u16::MAX;
/// A key sounding whose note did not fit in the phrase (it was cut): it is not recorded, but
/// the phrase goes on until it is released.
const UNRECORDED: u16 = u16::MAX - 1;

/// The capture state machine. Owner: the audio thread (or the CLI, which feeds a file through it
/// exactly as the plugin would).
#[derive(Debug, Clone)]
pub struct PhraseCapture {
    settings: CaptureSettings,
    time_signature: TimeSignature,
    /// A bar line of the input timeline, beats: bar lines lie whole bars of `time_signature`
    /// from it (after a metre change mid-song they do not lie whole bars from beat 0).
    bar_origin_beats: f64,
    tempo_bpm: f64,
    /// Notes of the phrase in progress, in arrival order.
    notes: [OpenNote; MAX_MOTIF_NOTES],
    num_notes: usize,
    /// More notes arrived than fit.
    truncated: bool,
    /// For each channel × key: index into `notes` of the note sounding there, or `NO_NOTE`.
    sounding: [u16; NUM_CHANNELS * NUM_KEYS],
    /// Number of notes in `notes` with `end_beats == None`.
    num_sounding: usize,
    pedal_down: [bool; NUM_CHANNELS],
    /// Latest note end of the phrase so far, in beats.
    last_end_beats: f64,
    /// Armed mode: whether the next phrase will be taken.
    armed: bool,
    /// The last finished motif.
    motif: Motif,
    /// Number of motifs finished since construction (lets callers notice a new one).
    num_captured: u64,
    /// Where the last motif's beat 0 lies on the input timeline, in beats.
    motif_origin_beats: f64,
}

impl PhraseCapture {
    /// A capture in 4/4 at 120 BPM. Allocates nothing on the heap (the struct is large: box or
    /// embed it once).
    pub fn new(settings: CaptureSettings) -> Self {
        Self {
            settings: sanitize_settings(settings),
            time_signature: TimeSignature::default(),
            bar_origin_beats: 0.0,
            tempo_bpm: 120.0,
            notes: [OpenNote {
                start_beats: 0.0,
                end_beats: None,
                key: 0,
                channel: 0,
                velocity: 0.0,
                held_by_pedal: false,
            }; MAX_MOTIF_NOTES],
            num_notes: 0,
            truncated: false,
            sounding: [NO_NOTE; NUM_CHANNELS * NUM_KEYS],
            num_sounding: 0,
            pedal_down: [false; NUM_CHANNELS],
            last_end_beats: 0.0,
            armed: false,
            motif: Motif::default(),
            num_captured: 0,
            motif_origin_beats: 0.0,
        }
    }

    /// Current settings.
    pub fn settings(&self) -> &CaptureSettings {
        &self.settings
    }

    /// Changes the settings; a phrase in progress continues under the new ones.
    pub fn set_settings(&mut self, settings: CaptureSettings) {
        self.settings = sanitize_settings(settings);
    }

    /// Sets the metre used for bar alignment and the motif's length.
    pub fn set_time_signature(&mut self, time_signature: TimeSignature) {
        self.time_signature = time_signature;
    }

    /// Sets a bar line of the input timeline, in beats (0 until set): phrases are aligned to
    /// the bar lines whole bars of the time signature from it.
    pub fn set_bar_origin_beats(&mut self, bar_origin_beats: f64) {
        if bar_origin_beats.is_finite() {
            self.bar_origin_beats = bar_origin_beats;
        }
    }

    /// Sets the tempo recorded in motifs, in BPM.
    pub fn set_tempo_bpm(&mut self, tempo_bpm: f64) {
        self.tempo_bpm = sanitize_tempo_bpm(tempo_bpm);
    }

    /// Armed mode: take the next phrase (one that starts after this call).
    pub fn arm(&mut self) {
        self.armed = true;
    }

    /// Whether the next phrase will be taken (always true when always listening).
    pub fn is_listening(&self) -> bool {
        self.settings.mode == CaptureMode::AlwaysListening || self.armed
    }

    /// Notes in the phrase in progress.
    pub fn num_phrase_notes(&self) -> usize {
        self.num_notes
    }

    /// The last finished motif.
    pub fn motif(&self) -> &Motif {
        &self.motif
    }

    /// Where the last motif's beat 0 lies on the input timeline, in beats.
    pub fn motif_origin_beats(&self) -> f64 {
        self.motif_origin_beats
    }

    /// How many motifs have been finished.
    pub fn num_captured(&self) -> u64 {
        self.num_captured
    }

    /// Forgets the phrase in progress (not the last motif).
    pub fn clear_phrase(&mut self) {
        self.num_notes = 0;
        self.truncated = false;
        self.sounding = [NO_NOTE; NUM_CHANNELS * NUM_KEYS];
        self.num_sounding = 0;
        self.last_end_beats = 0.0;
    }

    /// A key goes down at `beats`. Velocity 0 is a note-off.
    pub fn note_on(&mut self, beats: f64, channel: u8, key: u8, velocity: f32) {
        // NaN counts as 0 (a release), like a velocity-0 note-on.
        if velocity.is_nan() || velocity <= 0.0 {
            self.note_off(beats, channel, key);
            return;
        }
        let Some(cell) = cell_of(channel, key) else {
            return;
        };
        if !beats.is_finite() || (channel == DRUM_CHANNEL && !self.settings.include_drums) {
            return;
        }
        // A note after a long enough silence starts a new phrase: finish the previous one first.
        self.advance(beats);
        if !self.is_listening() {
            return;
        }
        // Striking a key that still sounds (held, or ringing on the pedal) ends the old note.
        if self.sounding[cell] != NO_NOTE {
            self.end_note(cell, beats);
        }
        if self.num_notes == MAX_MOTIF_NOTES {
            // The phrase is full, but the player is still playing: the phrase ends only after
            // the silence gap that follows this note too.
            self.truncated = true;
            self.sounding[cell] = UNRECORDED;
            self.num_sounding += 1;
            return;
        }
        self.notes[self.num_notes] = OpenNote {
            start_beats: beats,
            end_beats: None,
            key,
            channel,
            velocity: velocity.min(1.0),
            held_by_pedal: false,
        };
        self.sounding[cell] = self.num_notes as u16;
        self.num_notes += 1;
        self.num_sounding += 1;
    }

    /// The note sounding on (`channel`, `from_key`) is recorded as `to_key` from now on (a note
    /// heard in audio whose pitch became clear only as it went on); a note sounding on `to_key`
    /// ends at `beats` first. Nothing happens when no note sounds on `from_key`.
    pub fn retune(&mut self, beats: f64, channel: u8, from_key: u8, to_key: u8) {
        let (Some(from), Some(to)) = (cell_of(channel, from_key), cell_of(channel, to_key)) else {
            return;
        };
        if from == to || self.sounding[from] == NO_NOTE {
            return;
        }
        if self.sounding[to] != NO_NOTE {
            self.end_note(to, beats);
        }
        let idx = self.sounding[from];
        self.sounding[from] = NO_NOTE;
        self.sounding[to] = idx;
        if idx != UNRECORDED {
            self.notes[idx as usize].key = to_key;
        }
    }

    /// A key comes up at `beats`. Stray note-offs are ignored.
    pub fn note_off(&mut self, beats: f64, channel: u8, key: u8) {
        let Some(cell) = cell_of(channel, key) else {
            return;
        };
        let idx = self.sounding[cell];
        if idx == NO_NOTE || !beats.is_finite() {
            return;
        }
        if self.pedal_down[channel as usize] && idx != UNRECORDED {
            self.notes[idx as usize].held_by_pedal = true;
        } else {
            self.end_note(cell, beats);
        }
    }

    /// The sustain pedal (CC64) on `channel` goes down or up at `beats`. Lifting it ends every
    /// note whose key was released while it was down.
    pub fn sustain(&mut self, beats: f64, channel: u8, down: bool) {
        let channel_idx = channel as usize;
        if channel_idx >= NUM_CHANNELS {
            return;
        }
        let was_down = self.pedal_down[channel_idx];
        self.pedal_down[channel_idx] = down;
        if was_down && !down && beats.is_finite() {
            for key in 0..NUM_KEYS {
                let cell = channel_idx * NUM_KEYS + key;
                let idx = self.sounding[cell];
                if idx != NO_NOTE && idx != UNRECORDED && self.notes[idx as usize].held_by_pedal {
                    self.end_note(cell, beats);
                }
            }
        }
    }

    /// The beat at which the phrase in progress will be complete if nothing more is played
    /// (its last release plus the silence gap), or `None` while nothing is pending or a key is
    /// still down.
    pub fn completion_beats(&self) -> Option<f64> {
        (self.num_notes > 0 && self.num_sounding == 0)
            .then_some(self.last_end_beats + self.settings.gap_beats)
    }

    /// Time moves on to `beats`. When the phrase has been silent for `gap_beats`, it becomes the
    /// new [`motif`](Self::motif) and this returns `true`.
    pub fn advance(&mut self, beats: f64) -> bool {
        if self.num_notes == 0 || self.num_sounding > 0 || !beats.is_finite() {
            return false;
        }
        // At the completion beat itself (last release + gap, as the engine computes it to find
        // the completion's sample) the phrase is complete: rounding must not put it a block late.
        if beats - self.last_end_beats < self.settings.gap_beats - BEAT_EPSILON {
            return false;
        }
        self.finish_phrase();
        true
    }

    /// The performance is over (end of file, transport stop): notes still sounding end at
    /// `beats` and the phrase, if any, becomes the motif. Returns whether a motif was made.
    pub fn flush(&mut self, beats: f64) -> bool {
        if self.num_notes == 0 {
            return false;
        }
        for cell in 0..self.sounding.len() {
            if self.sounding[cell] != NO_NOTE {
                self.end_note(cell, beats);
            }
        }
        self.finish_phrase();
        true
    }

    fn end_note(&mut self, cell: usize, beats: f64) {
        let idx = self.sounding[cell] as usize;
        self.sounding[cell] = NO_NOTE;
        if idx == UNRECORDED as usize {
            self.num_sounding -= 1;
            if beats.is_finite() {
                self.last_end_beats = self.last_end_beats.max(beats);
            }
            return;
        }
        let note = &mut self.notes[idx];
        // Time never runs backwards inside a note; a zero-length note gets a tiny length.
        let end = if beats > note.start_beats {
            beats
        } else {
            note.start_beats + 1e-3
        };
        note.end_beats = Some(end);
        note.held_by_pedal = false;
        self.num_sounding -= 1;
        self.last_end_beats = self.last_end_beats.max(end);
    }

    fn finish_phrase(&mut self) {
        let first_onset = self.notes[..self.num_notes]
            .iter()
            .map(|n| n.start_beats)
            .fold(f64::INFINITY, f64::min);
        let bar = self.time_signature.bar_length_beats();
        let origin = if self.settings.align_to_bars {
            // A sample's worth of float noise past a bar line is on it.
            let bars = ((first_onset - self.bar_origin_beats) / bar + BEAT_EPSILON).floor();
            self.bar_origin_beats + bars * bar
        } else {
            first_onset
        };
        let mut motif = Motif::new(self.time_signature, self.tempo_bpm);
        for open in &self.notes[..self.num_notes] {
            let end = open
                .end_beats
                .unwrap_or(self.last_end_beats.max(open.start_beats + 1e-3));
            let mut note = Note {
                start_beats: open.start_beats - origin,
                length_beats: end - open.start_beats,
                key: open.key,
                velocity: open.velocity,
                channel: open.channel,
            };
            if let Some(quantize) = self.settings.quantize {
                note = quantize.apply(&note);
            }
            motif.push(note);
        }
        motif.truncated |= self.truncated;
        motif.finish();
        motif.locked_key = self.settings.locked_key;
        self.motif = motif;
        self.motif_origin_beats = origin;
        self.num_captured += 1;
        if self.settings.mode == CaptureMode::Armed {
            self.armed = false;
        }
        self.clear_phrase();
    }
}

/// A phrase found in a performance: where it starts on the performance's timeline and its motif.
#[derive(Debug, Clone, PartialEq)]
pub struct CapturedPhrase {
    /// Beat position of the motif's beat 0 in the performance.
    pub origin_beats: f64,
    /// The phrase.
    pub motif: Motif,
}

/// Feeds a whole performance through a [`PhraseCapture`] exactly as the plugin hears it live,
/// event by event, and returns every phrase. Each phrase is in the metre and tempo of the
/// file's maps where it starts (its beat 0 a bar line of the metre map). Offline helper: allocates the result.
pub fn segment_performance(
    performance: &Performance,
    settings: CaptureSettings,
) -> Vec<CapturedPhrase> {
    let mut capture = Box::new(PhraseCapture::new(settings));
    capture.set_time_signature(performance.time_signature);
    capture.set_tempo_bpm(performance.tempo_bpm);
    let mut phrases = Vec::new();
    let mut take = |capture: &PhraseCapture| {
        phrases.push(CapturedPhrase {
            origin_beats: capture.motif_origin_beats(),
            motif: capture.motif().clone(),
        });
    };
    for event in &performance.events {
        if capture.advance(event.beats) {
            take(&capture);
        }
        if capture.num_phrase_notes() == 0 {
            // A phrase takes the metre, bar lines and tempo in force where it starts, as the
            // plugin would from a host playing the file's maps.
            let metre = performance.time_map.metre_change_at(event.beats);
            capture.set_time_signature(metre.time_signature);
            capture.set_bar_origin_beats(metre.position_beats);
            capture.set_tempo_bpm(performance.time_map.tempo_at(event.beats));
        }
        match event.kind {
            // `advance` above already closed any phrase that ended before this event.
            PerformanceEvent::NoteOn {
                channel,
                key,
                velocity,
            } => capture.note_on(event.beats, channel, key, velocity),
            PerformanceEvent::NoteOff { channel, key } => {
                capture.note_off(event.beats, channel, key)
            }
            PerformanceEvent::Sustain { channel, down } => {
                capture.sustain(event.beats, channel, down)
            }
        }
    }
    let end_beats = performance.events.last().map_or(0.0, |e| e.beats);
    if capture.flush(end_beats) {
        take(&capture);
    }
    phrases
}

fn sanitize_settings(mut settings: CaptureSettings) -> CaptureSettings {
    if !(settings.gap_beats.is_finite() && settings.gap_beats > 0.0) {
        settings.gap_beats = DEFAULT_GAP_BEATS;
    }
    settings
}
