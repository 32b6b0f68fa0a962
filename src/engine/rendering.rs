//! A rendering: the timed output of a character applied to a motif — notes and controller
//! points in beats, on one or more channels. Fixed capacity, filled without allocation.

use super::motif::Note;

/// Most notes a rendering holds (a 256-note motif with doubling, harmony and echoes fits).
pub const MAX_RENDER_NOTES: usize = 4096;
/// Most controller points a rendering holds.
pub const MAX_RENDER_CCS: usize = 4096;
/// Most bars any bar-by-bar pass over a rendering visits (pedal changes, left-hand downbeats).
/// A motif is at most [`super::motif::MAX_MOTIF_BARS`] bars; stretched by the largest
/// augmentation and a character's own broadening it stays well below this.
pub const MAX_RENDER_BARS: usize = 4096;

/// Number of bar lines at `first_bar_beats + k × bar_length_beats` (k = 0, 1, …) before
/// `end_beats`, capped at [`MAX_RENDER_BARS`]: the count a bar loop runs for. Zero for a
/// non-positive or non-finite bar length.
pub fn bar_count(first_bar_beats: f64, end_beats: f64, bar_length_beats: f64) -> usize {
    if !bar_length_beats.is_finite() || bar_length_beats <= 0.0 {
        return 0;
    }
    let bars = ((end_beats - first_bar_beats) / bar_length_beats).ceil();
    if bars.is_nan() || bars <= 0.0 {
        0
    } else {
        bars.min(MAX_RENDER_BARS as f64) as usize
    }
}

/// The role of a rendered note; decides its output channel in the split layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Voice {
    /// The motif's line (keeps its interval sequence in Piano and Swell).
    Melody,
    /// Octave doubling of the melody.
    Doubling,
    /// Diatonic third or sixth below the melody.
    Harmony,
    /// Sustained bass pedal or the piano's left hand.
    Bass,
    /// A keyswitch note: it tells a sample library which articulation to play, and sounds
    /// nothing (added on the way out by [`crate::engine::articulation`]).
    Keyswitch,
}

impl Voice {
    /// Channel offset from the base channel in the split layout.
    pub fn channel_offset(self) -> u8 {
        match self {
            Voice::Melody => 0,
            Voice::Doubling => 1,
            Voice::Harmony => 2,
            Voice::Bass => 3,
            Voice::Keyswitch => 0,
        }
    }
}

/// A rendered note.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderedNote {
    /// Onset in beats from the rendering's start.
    pub start_beats: f64,
    /// Duration in beats (> 0).
    pub length_beats: f64,
    /// MIDI key 0–127.
    pub key: u8,
    /// Velocity 0–1.
    pub velocity: f32,
    /// Output channel 0–15.
    pub channel: u8,
    /// Role.
    pub voice: Voice,
    /// How long before its beat the note-on goes out, seconds (a sample library's articulation
    /// that speaks late, compensated; a switch before the note it serves); 0 = on the beat. The
    /// note-off stays on its beat.
    pub lead_seconds: f32,
}

impl RenderedNote {
    /// End in beats.
    pub fn end_beats(&self) -> f64 {
        self.start_beats + self.length_beats
    }

    /// As a plain motif note.
    pub fn as_note(&self) -> Note {
        Note {
            start_beats: self.start_beats,
            length_beats: self.length_beats,
            key: self.key,
            velocity: self.velocity,
            channel: self.channel,
        }
    }
}

/// A controller value at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CcPoint {
    /// Time in beats from the rendering's start.
    pub beats: f64,
    /// Channel 0–15.
    pub channel: u8,
    /// Controller number (1, 11, 64 …).
    pub cc: u8,
    /// Value 0–1 (MIDI value / 127).
    pub value: f32,
    /// How long before its beat the point goes out, seconds: an articulation switch goes out
    /// ahead of the note it serves (always > 0 for a switch); dynamics and pedal never lead (0).
    pub lead_seconds: f32,
}

/// The [`CcPoint::cc`] that stands for a program change (its value × 127 is the program): not
/// a MIDI controller number, so nothing else can mean it.
pub const PROGRAM_CHANGE_CC: u8 = 128;

/// Notes and controller points of one rendering.
///
/// Owner: whoever renders (the audio thread in the plugin, the CLI offline). Made once with
/// [`Rendering::new`] (allocates); [`clear`](Self::clear), pushes and the operators never
/// allocate: pushes beyond capacity are dropped and counted in
/// [`num_dropped`](Self::num_dropped).
#[derive(Debug, PartialEq)]
pub struct Rendering {
    /// The notes (order is whatever the operators left; [`finish`](Self::finish) sorts them).
    pub notes: Vec<RenderedNote>,
    /// The controller points (sorted by [`finish`](Self::finish)).
    pub ccs: Vec<CcPoint>,
    /// Length of the rendering in beats (whole bars of the motif's metre, after stretching).
    pub length_beats: f64,
    /// Notes or points dropped because a buffer was full, or notes dropped because their key
    /// could not be placed in 0–127.
    pub num_dropped: u32,
    /// Octaves (up positive) the operators moved whole lines by to keep them in 0–127 with their
    /// contour (a transposition past the keyboard's end); 0 normally. For reporting.
    pub octaves_shifted_to_fit: i32,
    /// The longest lead of its notes and points, seconds (0 unless articulated for a sample
    /// library; the scheduler looks this far ahead).
    pub max_lead_seconds: f32,
    /// Most notes it holds ([`MAX_RENDER_NOTES`] unless made larger offline).
    note_capacity: usize,
    /// Most controller points it holds.
    cc_capacity: usize,
}

impl Clone for Rendering {
    fn clone(&self) -> Self {
        let mut copy = Self::with_capacity(self.note_capacity, self.cc_capacity);
        copy.clone_from(self);
        copy
    }

    /// Copies into the existing buffers: never allocates when `self` has full capacity (as every
    /// rendering made by [`Rendering::new`] does), so the audio thread can publish copies.
    fn clone_from(&mut self, source: &Self) {
        self.notes.clear();
        self.notes
            .extend_from_slice(&source.notes[..source.notes.len().min(self.note_capacity)]);
        self.ccs.clear();
        self.ccs
            .extend_from_slice(&source.ccs[..source.ccs.len().min(self.cc_capacity)]);
        self.length_beats = source.length_beats;
        self.num_dropped = source.num_dropped;
        self.octaves_shifted_to_fit = source.octaves_shifted_to_fit;
        self.max_lead_seconds = source.max_lead_seconds;
    }
}

impl Default for Rendering {
    fn default() -> Self {
        Self::new()
    }
}

impl Rendering {
    /// An empty rendering with full capacity. Allocates.
    pub fn new() -> Self {
        Self::with_capacity(MAX_RENDER_NOTES, MAX_RENDER_CCS)
    }

    /// An empty rendering holding up to `notes` notes and `ccs` controller points (offline
    /// work larger than a live rendering: a long fill). Allocates.
    pub fn with_capacity(notes: usize, ccs: usize) -> Self {
        Self {
            notes: Vec::with_capacity(notes),
            ccs: Vec::with_capacity(ccs),
            length_beats: 0.0,
            num_dropped: 0,
            octaves_shifted_to_fit: 0,
            max_lead_seconds: 0.0,
            note_capacity: notes,
            cc_capacity: ccs,
        }
    }

    /// Empties the rendering, keeping capacity.
    pub fn clear(&mut self) {
        self.notes.clear();
        self.ccs.clear();
        self.length_beats = 0.0;
        self.num_dropped = 0;
        self.octaves_shifted_to_fit = 0;
        self.max_lead_seconds = 0.0;
    }

    /// Adds a note if there is room and it is well formed; returns whether it was kept.
    pub fn push_note(&mut self, note: RenderedNote) -> bool {
        let valid = note.start_beats.is_finite()
            && note.length_beats.is_finite()
            && note.length_beats > 0.0
            && note.start_beats >= 0.0
            && note.key < 128
            && note.channel < 16;
        if !valid || self.notes.len() >= self.note_capacity {
            self.num_dropped += 1;
            return false;
        }
        self.notes.push(note);
        true
    }

    /// Adds a controller point if there is room; returns whether it was kept.
    pub fn push_cc(&mut self, point: CcPoint) -> bool {
        if !point.beats.is_finite() || point.channel >= 16 || self.ccs.len() >= self.cc_capacity {
            self.num_dropped += 1;
            return false;
        }
        self.ccs.push(CcPoint {
            beats: point.beats.max(0.0),
            value: point.value.clamp(0.0, 1.0),
            ..point
        });
        true
    }

    /// Sorts notes (by onset, then channel, then key) and controller points (by time, channel,
    /// controller), without allocating.
    pub fn finish(&mut self) {
        self.notes.sort_unstable_by(|a, b| {
            a.start_beats
                .total_cmp(&b.start_beats)
                .then(a.channel.cmp(&b.channel))
                .then(a.key.cmp(&b.key))
                .then(a.length_beats.total_cmp(&b.length_beats))
        });
        self.ccs.sort_unstable_by(|a, b| {
            a.beats
                .total_cmp(&b.beats)
                .then(a.channel.cmp(&b.channel))
                .then(a.cc.cmp(&b.cc))
        });
    }

    /// Makes sure no (channel, key) is ever held twice, as a sampler needs (it releases a voice
    /// at the first note-off for its key): notes on one channel and key that start together
    /// (voices merged on one channel) become one note (the longer, the louder); a note still
    /// sounding when its key is struck again ends `gap_beats` before the new onset (half the
    /// time between the two onsets if that is shorter). Legato overlaps between different keys
    /// are untouched. Leaves the notes sorted by channel and key; call
    /// [`finish`](Self::finish) after. Never allocates.
    pub fn separate_repeated_keys(&mut self, gap_beats: f64) {
        let gap_beats = if gap_beats.is_finite() {
            gap_beats.max(0.0)
        } else {
            0.0
        };
        self.notes.sort_unstable_by(|a, b| {
            (a.channel, a.key)
                .cmp(&(b.channel, b.key))
                .then(a.start_beats.total_cmp(&b.start_beats))
                .then(b.length_beats.total_cmp(&a.length_beats))
                .then(b.velocity.total_cmp(&a.velocity))
                .then(a.voice.channel_offset().cmp(&b.voice.channel_offset()))
        });
        // Onsets closer than this are the same onset.
        const SAME_ONSET_BEATS: f64 = 1e-6;
        let mut kept = 0;
        for i in 0..self.notes.len() {
            let note = self.notes[i];
            if kept > 0 {
                let previous = &mut self.notes[kept - 1];
                if previous.channel == note.channel && previous.key == note.key {
                    let onset_gap = note.start_beats - previous.start_beats;
                    if onset_gap < SAME_ONSET_BEATS {
                        // Sorted longest and loudest first: the kept note already covers it.
                        previous.length_beats = previous.length_beats.max(note.length_beats);
                        previous.velocity = previous.velocity.max(note.velocity);
                        continue;
                    }
                    if previous.end_beats() > note.start_beats - gap_beats {
                        previous.length_beats = (onset_gap - gap_beats).max(0.5 * onset_gap);
                    }
                }
            }
            self.notes[kept] = note;
            kept += 1;
        }
        self.notes.truncate(kept);
    }

    /// Latest note end, in beats (0 when empty).
    pub fn notes_end_beats(&self) -> f64 {
        self.notes
            .iter()
            .map(RenderedNote::end_beats)
            .fold(0.0, f64::max)
    }

    /// Earliest note onset, in beats, or `None` when empty.
    pub fn first_onset_beats(&self) -> Option<f64> {
        self.notes
            .iter()
            .map(|n| n.start_beats)
            .min_by(f64::total_cmp)
    }

    /// The notes of one voice, in order.
    pub fn voice(&self, voice: Voice) -> impl Iterator<Item = &RenderedNote> {
        self.notes.iter().filter(move |n| n.voice == voice)
    }
}
