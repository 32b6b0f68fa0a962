//! A note: onset and length in beats, key, velocity, channel. Motifs and the key finder read it.

/// One note of a motif.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Note {
    /// Onset from the motif's start, in beats (quarter notes).
    pub start_beats: f64,
    /// Duration in beats; always > 0.
    pub length_beats: f64,
    /// MIDI key, 0–127.
    pub key: u8,
    /// Velocity as a fraction, 0.0–1.0.
    pub velocity: f32,
    /// MIDI channel, 0–15.
    pub channel: u8,
}

impl Note {
    /// End of the note, in beats from the motif's start.
    pub fn end_beats(&self) -> f64 {
        self.start_beats + self.length_beats
    }
}
