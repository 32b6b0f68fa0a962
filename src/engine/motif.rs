//! The motif: the phrase a composer played, in musical time (beats), with its metre, tempo and
//! key. Fixed capacity so it can be built, copied and stored on the audio thread.

use super::key::{estimate_key, Key, KeyEstimate, DEFAULT_PROFILES};
pub use super::note::Note;

/// Most notes a motif holds. A longer phrase is cut and flagged [`Motif::truncated`].
pub const MAX_MOTIF_NOTES: usize = 256;

/// Two beat positions closer than this are the same position: the float noise of beat
/// arithmetic (sums of note lengths, bar multiples). Far below a sample at any tempo and rate
/// (a sample at 999 BPM and 192 kHz is 8.7e-5 beats), so it never merges distinct events.
pub const BEAT_EPSILON: f64 = 1e-9;
/// Longest motif, in bars of its own metre. A note starting later is dropped and a note running
/// past is shortened to end there; both flag [`Motif::truncated`]. This bounds everything that
/// walks a motif or its rendering bar by bar, whatever a state, a `.mid` file or a capture holds.
pub const MAX_MOTIF_BARS: usize = 256;

const EMPTY_NOTE: Note = Note {
    start_beats: 0.0,
    length_beats: 0.0,
    key: 0,
    velocity: 0.0,
    channel: 0,
};

/// A time signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeSignature {
    /// Beats per bar as written (the upper number), ≥ 1.
    pub numerator: u8,
    /// Note value of one written beat (the lower number): 1, 2, 4, 8, 16 or 32.
    pub denominator: u8,
}

impl Default for TimeSignature {
    fn default() -> Self {
        Self {
            numerator: 4,
            denominator: 4,
        }
    }
}

impl TimeSignature {
    /// A time signature, with nonsense (0 or non-power-of-two denominators) replaced by 4/4
    /// parts so bar arithmetic can never divide by zero.
    pub fn new(numerator: u8, denominator: u8) -> Self {
        let numerator = numerator.max(1);
        let denominator = if denominator.is_power_of_two() && denominator <= 64 {
            denominator
        } else {
            4
        };
        Self {
            numerator,
            denominator,
        }
    }

    /// Length of one bar in quarter-note beats (6/8 → 3.0, 3/4 → 3.0, 4/4 → 4.0).
    pub fn bar_length_beats(&self) -> f64 {
        self.numerator as f64 * 4.0 / self.denominator as f64
    }

    /// Whether the metre is compound: its beat is a dotted note of three written units (6/8,
    /// 9/8, 12/8, 6/16 …), as a musician counts it.
    pub fn is_compound(&self) -> bool {
        self.numerator > 3 && self.numerator.is_multiple_of(3) && self.denominator >= 8
    }

    /// Length of one beat of the metre, in quarter-note beats: the written unit (3/4 → 1.0, 2/2
    /// → 2.0, 7/8 → 0.5), or the dotted unit in a compound metre (6/8 → 1.5, 12/8 → 1.5).
    pub fn pulse_length_beats(&self) -> f64 {
        let unit = 4.0 / self.denominator as f64;
        if self.is_compound() {
            3.0 * unit
        } else {
            unit
        }
    }
}

/// A captured or imported phrase.
///
/// Plain data (`Copy`-sized array, no heap): cloning never allocates, so motifs can move between
/// capture, library slots and renderers on the audio thread.
#[derive(Debug, Clone, PartialEq)]
pub struct Motif {
    /// Storage; only the first `num_notes` entries are meaningful.
    notes: [Note; MAX_MOTIF_NOTES],
    /// Number of valid notes.
    num_notes: usize,
    /// Length in beats, a whole number of bars of `time_signature` (at least one bar).
    pub length_beats: f64,
    /// The metre the phrase was played in.
    pub time_signature: TimeSignature,
    /// The tempo the phrase was played at, in beats per minute.
    pub tempo_bpm: f64,
    /// Key found by analysis (see [`super::key::estimate_key`]); `None` until analysed.
    pub detected_key: Option<KeyEstimate>,
    /// Key the composer locked; overrides the detected one when set.
    pub locked_key: Option<Key>,
    /// Whether notes were cut because the phrase had more than [`MAX_MOTIF_NOTES`] notes or ran
    /// past [`MAX_MOTIF_BARS`] bars.
    pub truncated: bool,
}

impl Default for Motif {
    fn default() -> Self {
        Self {
            notes: [EMPTY_NOTE; MAX_MOTIF_NOTES],
            num_notes: 0,
            length_beats: TimeSignature::default().bar_length_beats(),
            time_signature: TimeSignature::default(),
            tempo_bpm: 120.0,
            detected_key: None,
            locked_key: None,
            truncated: false,
        }
    }
}

impl Motif {
    /// An empty motif in the given metre and tempo.
    pub fn new(time_signature: TimeSignature, tempo_bpm: f64) -> Self {
        Self {
            time_signature,
            tempo_bpm: sanitize_tempo_bpm(tempo_bpm),
            length_beats: time_signature.bar_length_beats(),
            ..Self::default()
        }
    }

    /// The notes, sorted by onset (then key, channel, length) once [`finish`](Self::finish) ran.
    pub fn notes(&self) -> &[Note] {
        &self.notes[..self.num_notes]
    }

    /// Number of notes.
    pub fn len(&self) -> usize {
        self.num_notes
    }

    /// Whether the motif has no notes.
    pub fn is_empty(&self) -> bool {
        self.num_notes == 0
    }

    /// Longest this motif may be, in beats: [`MAX_MOTIF_BARS`] bars of its metre.
    pub fn max_length_beats(&self) -> f64 {
        MAX_MOTIF_BARS as f64 * self.time_signature.bar_length_beats()
    }

    /// Adds a note; when full, sets [`truncated`](Self::truncated) and drops it. Notes with
    /// non-finite or non-positive timing, or out-of-range key/channel, are dropped. A note
    /// starting at or after [`max_length_beats`](Self::max_length_beats) is dropped, one running
    /// past it is shortened; both set `truncated`. Returns whether the note was kept.
    pub fn push(&mut self, note: Note) -> bool {
        let valid = note.start_beats.is_finite()
            && note.length_beats.is_finite()
            && note.start_beats >= 0.0
            && note.length_beats > 0.0
            && note.key < 128
            && note.channel < 16;
        if !valid {
            return false;
        }
        let max_beats = self.max_length_beats();
        if self.num_notes == MAX_MOTIF_NOTES || note.start_beats >= max_beats {
            self.truncated = true;
            return false;
        }
        let mut length_beats = note.length_beats;
        if note.end_beats() > max_beats {
            length_beats = max_beats - note.start_beats;
            self.truncated = true;
        }
        self.notes[self.num_notes] = Note {
            velocity: sanitize_velocity(note.velocity),
            length_beats,
            ..note
        };
        self.num_notes += 1;
        true
    }

    /// Sorts the notes by onset then key, sets the length to the whole number of bars that holds
    /// the last note end (at least one bar), and estimates the key
    /// ([`detected_key`](Self::detected_key)): every motif, however it was made (capture,
    /// import, state, demo), knows its key the same way. Never allocates (the key finder does not
    /// either), so it runs on the audio thread when capture finishes a phrase.
    pub fn finish(&mut self) {
        // Insertion sort: allocation-free, stable, and motifs are short and nearly sorted.
        let notes = &mut self.notes[..self.num_notes];
        for i in 1..notes.len() {
            let mut j = i;
            while j > 0 && note_order(&notes[j - 1], &notes[j]) == std::cmp::Ordering::Greater {
                notes.swap(j - 1, j);
                j -= 1;
            }
        }
        let end_beats = self.notes().iter().map(Note::end_beats).fold(0.0, f64::max);
        self.length_beats = whole_bars_beats(end_beats, self.time_signature);
        self.detected_key = estimate_key(
            self.notes(),
            self.time_signature.bar_length_beats(),
            DEFAULT_PROFILES,
        );
    }

    /// The key diatonic operations use: the locked key, else the detected one.
    pub fn key(&self) -> Option<Key> {
        self.locked_key
            .or(self.detected_key.map(|estimate| estimate.best.key))
    }
}

fn note_order(a: &Note, b: &Note) -> std::cmp::Ordering {
    a.start_beats
        .total_cmp(&b.start_beats)
        .then(a.key.cmp(&b.key))
        .then(a.channel.cmp(&b.channel))
        .then(a.length_beats.total_cmp(&b.length_beats))
}

/// `end_beats` rounded up to whole bars (at least one). A note ending a hair after a bar line
/// (float noise below 1e-6 beats) does not add a bar.
pub fn whole_bars_beats(end_beats: f64, time_signature: TimeSignature) -> f64 {
    let bar = time_signature.bar_length_beats();
    let bars = ((end_beats - 1e-6) / bar).ceil().max(1.0);
    bars * bar
}

/// Tempo clamped to 1–999 BPM; non-finite becomes 120.
pub fn sanitize_tempo_bpm(tempo_bpm: f64) -> f64 {
    if tempo_bpm.is_finite() {
        tempo_bpm.clamp(1.0, 999.0)
    } else {
        120.0
    }
}

fn sanitize_velocity(velocity: f32) -> f32 {
    if velocity.is_finite() {
        velocity.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(start_beats: f64, length_beats: f64, key: u8) -> Note {
        Note {
            start_beats,
            length_beats,
            key,
            velocity: 0.8,
            channel: 0,
        }
    }

    #[test]
    fn length_is_rounded_up_to_whole_bars() {
        let mut motif = Motif::new(TimeSignature::new(3, 4), 90.0);
        motif.push(note(0.0, 1.0, 60));
        motif.push(note(3.0, 0.5, 62));
        motif.finish();
        assert_eq!(motif.length_beats, 6.0);
        let mut exact = Motif::new(TimeSignature::new(4, 4), 90.0);
        exact.push(note(0.0, 4.0, 60));
        exact.finish();
        assert_eq!(exact.length_beats, 4.0);
    }

    #[test]
    fn six_eight_bar_is_three_quarter_beats() {
        assert_eq!(TimeSignature::new(6, 8).bar_length_beats(), 3.0);
        assert_eq!(
            TimeSignature::new(0, 3),
            TimeSignature {
                numerator: 1,
                denominator: 4
            }
        );
    }

    #[test]
    fn overflow_sets_truncated_instead_of_failing() {
        let mut motif = Motif::default();
        for i in 0..(MAX_MOTIF_NOTES + 10) {
            motif.push(note(i as f64 * 0.25, 0.25, 60));
        }
        assert_eq!(motif.len(), MAX_MOTIF_NOTES);
        assert!(motif.truncated);
    }

    #[test]
    fn finish_sorts_by_onset_then_key() {
        let mut motif = Motif::default();
        motif.push(note(1.0, 1.0, 64));
        motif.push(note(0.0, 1.0, 67));
        motif.push(note(0.0, 1.0, 60));
        motif.finish();
        let keys: Vec<u8> = motif.notes().iter().map(|n| n.key).collect();
        assert_eq!(keys, vec![60, 67, 64]);
    }

    #[test]
    fn far_off_notes_are_cut_at_the_bar_limit_and_flagged() {
        let mut motif = Motif::new(TimeSignature::new(3, 4), 90.0);
        let limit = MAX_MOTIF_BARS as f64 * 3.0;
        assert!(motif.push(note(0.0, 1.0, 60)));
        assert!(!motif.truncated);
        assert!(
            !motif.push(note(1e16, 1.0, 62)),
            "a note past the limit is dropped"
        );
        assert!(motif.truncated);
        let mut long = Motif::new(TimeSignature::new(3, 4), 90.0);
        assert!(
            long.push(note(limit - 1.0, 1e300, 64)),
            "a note running past is shortened"
        );
        assert!(long.truncated);
        long.finish();
        assert_eq!(long.notes()[0].end_beats(), limit);
        assert_eq!(long.length_beats, limit);
    }

    #[test]
    fn invalid_notes_are_dropped() {
        let mut motif = Motif::default();
        assert!(!motif.push(note(f64::NAN, 1.0, 60)));
        assert!(!motif.push(note(0.0, 0.0, 60)));
        assert!(!motif.push(note(0.0, 1.0, 128)));
        assert!(!motif.push(note(-1.0, 1.0, 60)));
        assert!(motif.is_empty());
    }
}
