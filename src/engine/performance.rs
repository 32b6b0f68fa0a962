//! A performance: timed note, release and pedal events of one player, in beats, with the metre
//! and tempo they were played in. The .mid reader produces it; capture segments it into phrases.

use crate::engine::motif::TimeSignature;
use crate::engine::time_map::TimeMap;

/// One performance event, in beats from the start of the file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimedEvent {
    /// Quarter-note beats from the file start.
    pub beats: f64,
    /// What happens.
    pub kind: PerformanceEvent,
}

/// Events of a performance that capture cares about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PerformanceEvent {
    /// Key down (velocity > 0, as a fraction).
    NoteOn { channel: u8, key: u8, velocity: f32 },
    /// Key up (including velocity-0 note-ons).
    NoteOff { channel: u8, key: u8 },
    /// Sustain pedal (CC64) down (≥ 64) or up.
    Sustain { channel: u8, down: bool },
}

/// The events of one track, ready to feed capture or build a motif.
#[derive(Debug, Clone, PartialEq)]
pub struct Performance {
    /// Events sorted by time (file order kept for equal times).
    pub events: Vec<TimedEvent>,
    /// The time signature in force at the file start (4/4 if the file sets none there).
    pub time_signature: TimeSignature,
    /// The tempo in force at the file start, in BPM (120 if the file sets none there).
    pub tempo_bpm: f64,
    /// Every tempo and metre change in the file.
    pub time_map: TimeMap,
    /// Index of the track the events come from.
    pub track_idx: usize,
    /// Number of tracks in the file.
    pub num_tracks: usize,
    /// Notes on channel 10 (drums) in the track that were left out.
    pub num_drum_notes_ignored: usize,
    /// The track names, one per track (`None` for a track without a name).
    pub track_names: Vec<Option<String>>,
    /// Whether the file is cut short, and how much of it was read.
    pub cut_short: Option<CutShort>,
}

/// A file that ends before its header and chunks say it should: what was there was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CutShort {
    /// Bytes the file has.
    pub num_bytes_read: usize,
    /// Bytes the header and chunk lengths announce.
    pub num_bytes_declared: usize,
    /// Tracks the header announces.
    pub num_tracks_declared: usize,
    /// Tracks that end with their End of Track event.
    pub num_tracks_complete: usize,
}

/// MIDI channel 10, 0-based: General MIDI's drum channel. Its notes are drum hits, not a melody.
pub const DRUM_CHANNEL: u8 = 9;
