//! How musicians write pitches and positions: note names (MIDI 60 = C4; spelled in a key by
//! [`super::spelling`]) and bar:beat positions in a metre. Shared by the CLI and the editor so
//! both say the same thing.

use super::motif::TimeSignature;
use super::spelling::NoteName;
use crate::engine::motif::BEAT_EPSILON;

/// A note name with its octave when no key is known, in ASCII with sharps for black keys: `C4`
/// for MIDI key 60, `F#2` for 42, `C-1` for 0, `G9` for 127. Where the key is known, write
/// [`NoteName::in_key`] instead (B♭ in F major, not A#).
pub fn note_name(key: u8) -> String {
    NoteName::plain(key).ascii().to_string()
}

/// A position as a DAW's bar ruler shows it, counting from 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarBeat {
    /// Bar number, 1 = the first bar.
    pub bar: i64,
    /// Beat within the bar in the metre's written beat (eighths in 6/8), 1 = the downbeat;
    /// fractional between beats (`2.5` = halfway through beat 2).
    pub beat: f64,
}

impl BarBeat {
    /// Where `position_beats` (quarter-note beats from the first bar line) falls in `metre`.
    pub fn of(position_beats: f64, metre: TimeSignature) -> Self {
        let bar_beats = metre.bar_length_beats();
        let written_beat_beats = 4.0 / f64::from(metre.denominator.max(1));
        let bar_index = (position_beats / bar_beats + BEAT_EPSILON).floor();
        let within_beats = (position_beats - bar_index * bar_beats).max(0.0);
        Self {
            bar: bar_index as i64 + 1,
            beat: within_beats / written_beat_beats + 1.0,
        }
    }
}

impl std::fmt::Display for BarBeat {
    /// `3:1` on a downbeat, `3:2.5` between beats (three decimals at most).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let beat = (self.beat * 1000.0).round() / 1000.0;
        write!(f, "{}:{}", self.bar, beat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_names_follow_the_c4_convention() {
        assert_eq!(note_name(60), "C4");
        assert_eq!(note_name(61), "C#4");
        assert_eq!(note_name(42), "F#2");
        assert_eq!(note_name(0), "C-1");
        assert_eq!(note_name(127), "G9");
    }

    #[test]
    fn positions_count_bars_and_written_beats_from_one() {
        let waltz = TimeSignature::new(3, 4);
        assert_eq!(BarBeat::of(0.0, waltz).to_string(), "1:1");
        assert_eq!(BarBeat::of(3.0, waltz).to_string(), "2:1");
        assert_eq!(BarBeat::of(4.5, waltz).to_string(), "2:2.5");
        // 6/8: six eighths per bar; a dotted quarter in is beat 4.
        let jig = TimeSignature::new(6, 8);
        assert_eq!(BarBeat::of(1.5, jig).to_string(), "1:4");
        assert_eq!(BarBeat::of(3.0, jig).to_string(), "2:1");
        // 2/2: half-note beats.
        assert_eq!(
            BarBeat::of(2.0, TimeSignature::new(2, 2)).to_string(),
            "1:2"
        );
        // Float noise just under a bar line still reads as the new bar.
        assert_eq!(BarBeat::of(3.0 - 1e-12, waltz).to_string(), "2:1");
    }
}
