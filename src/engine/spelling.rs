//! Note names spelled in a key, as a musician writes them: B♭ in F major and D minor (not A♯),
//! the raised 7th of C♯ minor as B♯ (not C), F♯ in G major. Shared by the CLI and the editor so
//! every note name Reprise prints is written the same way.
//!
//! The rule, by where the note sits relative to the key's tonic:
//! - a note of the key's scale takes that degree's letter (the letters run on from the tonic's
//!   spelling: E♭ major is E♭ F G A♭ B♭ C D);
//! - in minor, the raised 6th and 7th are written as raised degrees (F♯ and G♯ in A minor, B♯
//!   in C♯ minor, F𝄪 — printed F♯♯ — in G♯ minor);
//! - any other note is written as the chromatic degree musicians usually write: in major the
//!   raised 1st and 4th and the lowered 3rd, 6th and 7th (C♯ E♭ F♯ A♭ B♭ in C major; F and C
//!   in D major, B in F major), in minor the lowered 2nd and the raised 3rd and 4th (B♭ C♯ D♯ in
//!   A minor, E♯ in C♯ minor); where that would need a double sharp or flat, on the other
//!   neighbouring letter (G, not F𝄪, in F♯ major).
//!
//! The octave number follows the written letter: B♯3 sounds as MIDI key 60 (C4), C♭4 as 59.
//! Without a key, black keys are written with sharps ([`NoteName::plain`]).

use super::key::{Key, Mode};

/// The seven letters, C first (MIDI octaves start on C).
const LETTERS: [char; 7] = ['C', 'D', 'E', 'F', 'G', 'A', 'B'];

/// Pitch class of each letter without accidental, by letter index (C = 0 … B = 6).
const NATURAL_PITCH_CLASSES: [i32; 7] = [0, 2, 4, 5, 7, 9, 11];

/// How a note a given number of semitones above the tonic is written in a key: the scale
/// degree (0 = the tonic … 6 = the 7th) whose letter it takes, and for a chromatic note the
/// other neighbouring degree, used when the first would need a double accidental.
type WrittenDegree = (u8, Option<u8>);

/// [`WrittenDegree`]s in major, by semitones above the tonic: scale notes on their degree;
/// chromatic notes as the raised 1st and 4th and the lowered 3rd, 6th and 7th.
const MAJOR_WRITTEN_DEGREES: [WrittenDegree; 12] = [
    (0, None),
    (0, Some(1)),
    (1, None),
    (2, Some(1)),
    (2, None),
    (3, None),
    (3, Some(4)),
    (4, None),
    (5, Some(4)),
    (5, None),
    (6, Some(5)),
    (6, None),
];

/// [`WrittenDegree`]s in minor, by semitones above the tonic: natural minor on its degrees, the
/// raised 6th (9 semitones) and 7th (11) on the 6th and 7th; chromatic notes as the lowered 2nd
/// and the raised 3rd and 4th.
const MINOR_WRITTEN_DEGREES: [WrittenDegree; 12] = [
    (0, None),
    (1, Some(0)),
    (1, None),
    (2, None),
    (2, Some(3)),
    (3, None),
    (3, Some(4)),
    (4, None),
    (5, None),
    (5, None),
    (6, None),
    (6, None),
];

/// A chromatic note needing this many semitones of accidental (a double sharp or flat) is
/// written on its other neighbouring letter: double accidentals are for scale notes only
/// (G♯ minor's raised 7th, F𝄪), where the letter carries the harmony.
const DOUBLE_ACCIDENTAL_SEMITONES: i32 = 2;

/// Letter index of each pitch class when black keys are written with sharps (no key known).
const SHARP_LETTERS: [u8; 12] = [0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 5, 6];

/// A written note: letter, accidental and octave. `Display` uses the signs ♯ and ♭ (as the key
/// line does: `E♭ major`); [`NoteName::ascii`] writes `#` and `b` for fonts and formats without
/// them (as [`Key::ascii`] does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoteName {
    /// Letter index, 0 = C … 6 = B.
    pub letter: u8,
    /// Semitones the accidental moves the letter: +1 sharp, −1 flat, ±2 double, 0 none.
    pub accidental_semitones: i8,
    /// Octave of the written letter, C4 = MIDI key 60 (so B♯3 is key 60).
    pub octave: i32,
}

impl NoteName {
    /// `key_number` (MIDI key) written in `key`; see the module documentation for the rule.
    pub fn in_key(key_number: u8, key: Key) -> Self {
        let pitch_class = i32::from(key_number % 12);
        let relative = (pitch_class - i32::from(key.tonic)).rem_euclid(12) as usize;
        let (preferred, alternative) = match key.mode {
            Mode::Major => MAJOR_WRITTEN_DEGREES[relative],
            Mode::Minor => MINOR_WRITTEN_DEGREES[relative],
        };
        let tonic = tonic_letter(key);
        let on_degree = |degree: u8| {
            let letter = (tonic + degree) % 7;
            (letter, accidental_on(letter, pitch_class))
        };
        let mut written = on_degree(preferred);
        if let Some(other) = alternative.map(on_degree) {
            if written.1.abs() >= DOUBLE_ACCIDENTAL_SEMITONES && other.1.abs() < written.1.abs() {
                written = other;
            }
        }
        Self::written(key_number, written.0, written.1)
    }

    /// `key_number` written in `key` when there is one, else [`plain`](Self::plain).
    pub fn in_optional_key(key_number: u8, key: Option<Key>) -> Self {
        key.map_or_else(
            || Self::plain(key_number),
            |key| Self::in_key(key_number, key),
        )
    }

    /// `key_number` with no key to spell it in: black keys with sharps (`C♯4` for 61).
    pub fn plain(key_number: u8) -> Self {
        let pitch_class = i32::from(key_number % 12);
        let letter = SHARP_LETTERS[pitch_class as usize];
        Self::written(key_number, letter, accidental_on(letter, pitch_class))
    }

    /// The name of `key_number` written with `letter` and `accidental` semitones.
    fn written(key_number: u8, letter: u8, accidental: i32) -> Self {
        let natural_key = i32::from(key_number) - accidental;
        Self {
            letter,
            accidental_semitones: accidental as i8,
            octave: natural_key.div_euclid(12) - 1,
        }
    }

    /// The name in ASCII (`Bb5`, `F#2`); `Display` on the name itself uses ♭ and ♯.
    pub fn ascii(self) -> AsciiNoteName {
        AsciiNoteName(self)
    }

    /// Writes the letter, the accidental as `sharp`/`flat` repeated, and the octave.
    fn write_with(
        &self,
        f: &mut std::fmt::Formatter<'_>,
        sharp: &str,
        flat: &str,
    ) -> std::fmt::Result {
        let mut text = String::with_capacity(8);
        text.push(LETTERS[self.letter as usize % 7]);
        let sign = if self.accidental_semitones > 0 {
            sharp
        } else {
            flat
        };
        for _ in 0..self.accidental_semitones.unsigned_abs() {
            text.push_str(sign);
        }
        text.push_str(&self.octave.to_string());
        // `pad` so column widths (`{:>5}`) apply to the whole name.
        f.pad(&text)
    }
}

impl std::fmt::Display for NoteName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.write_with(f, "♯", "♭")
    }
}

/// A note name shown in ASCII (`Bb5`), for JSON and fonts without ♭ and ♯ (the editor's). See
/// [`NoteName::ascii`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsciiNoteName(pub NoteName);

impl std::fmt::Display for AsciiNoteName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.write_with(f, "#", "b")
    }
}

/// Letter index of the key's tonic as the key is spelled (E♭ major: E; C♯ minor: C).
fn tonic_letter(key: Key) -> u8 {
    let first = key.tonic_name().chars().next().unwrap_or('C');
    LETTERS
        .iter()
        .position(|&letter| letter == first)
        .unwrap_or(0) as u8
}

/// The accidental, in semitones (−6…5), that writes `pitch_class` with `letter`.
fn accidental_on(letter: u8, pitch_class: i32) -> i32 {
    (pitch_class - NATURAL_PITCH_CLASSES[letter as usize] + 6).rem_euclid(12) - 6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spelled(key_number: u8, key: &str) -> String {
        NoteName::in_key(key_number, Key::parse(key).unwrap()).to_string()
    }

    #[test]
    fn flats_in_flat_keys_and_sharps_in_sharp_keys() {
        // Issue 23: B♭ in F major and D minor, not A♯.
        assert_eq!(spelled(82, "F major"), "B♭5");
        assert_eq!(spelled(58, "D minor"), "B♭3");
        assert_eq!(spelled(66, "G major"), "F♯4");
        let e_flat_major: Vec<String> = [63, 65, 67, 68, 70, 72, 74, 75]
            .map(|k| spelled(k, "Eb major"))
            .into();
        assert_eq!(
            e_flat_major,
            ["E♭4", "F4", "G4", "A♭4", "B♭4", "C5", "D5", "E♭5"]
        );
        assert_eq!(spelled(65, "F# major"), "E♯4");
    }

    #[test]
    fn the_raised_6th_and_7th_of_minor_are_raised_degrees() {
        // Issue 23: the raised 7th of C♯ minor is B♯, written in the octave of its letter.
        assert_eq!(spelled(72, "C# minor"), "B♯4");
        assert_eq!(spelled(60, "C# minor"), "B♯3");
        assert_eq!(spelled(68, "A minor"), "G♯4");
        assert_eq!(spelled(66, "A minor"), "F♯4");
        assert_eq!(spelled(67, "G# minor"), "F♯♯4");
        assert_eq!(spelled(62, "Eb minor"), "D4");
        assert_eq!(spelled(60, "Eb minor"), "C4");
    }

    #[test]
    fn chromatic_notes_are_the_usual_chromatic_degrees() {
        let c_major: Vec<String> = [61, 63, 66, 68, 70].map(|k| spelled(k, "C major")).into();
        assert_eq!(c_major, ["C♯4", "E♭4", "F♯4", "A♭4", "B♭4"]);
        let a_minor: Vec<String> = [70, 61, 63].map(|k| spelled(k, "A minor")).into();
        assert_eq!(a_minor, ["B♭4", "C♯4", "D♯4"]);
        assert_eq!(spelled(65, "D major"), "F4", "not E♯");
        assert_eq!(spelled(64, "Db major"), "F♭4", "the lowered 3rd");
        assert_eq!(spelled(65, "C# minor"), "E♯4", "the raised 3rd");
        assert_eq!(spelled(71, "F major"), "B4", "the raised 4th");
        assert_eq!(spelled(67, "F# major"), "G4", "not F𝄪");
    }

    #[test]
    fn ascii_and_plain_names() {
        let f_major = Key::parse("F major").unwrap();
        assert_eq!(NoteName::in_key(82, f_major).ascii().to_string(), "Bb5");
        assert_eq!(
            NoteName::in_key(72, Key::parse("C# minor").unwrap())
                .ascii()
                .to_string(),
            "B#4"
        );
        assert_eq!(NoteName::plain(61).to_string(), "C♯4");
        assert_eq!(NoteName::plain(0).ascii().to_string(), "C-1");
        assert_eq!(NoteName::plain(127).to_string(), "G9");
        assert_eq!(format!("{:>5}", NoteName::in_key(82, f_major)), "  B♭5");
        for key_number in 0..=127 {
            for tonic in 0..12 {
                for mode in [Mode::Major, Mode::Minor] {
                    let name = NoteName::in_key(key_number, Key::new(tonic, mode));
                    let sounding = (name.octave + 1) * 12
                        + NATURAL_PITCH_CLASSES[name.letter as usize]
                        + i32::from(name.accidental_semitones);
                    assert_eq!(
                        sounding,
                        i32::from(key_number),
                        "{name} in {tonic} {mode:?}"
                    );
                    assert!(name.accidental_semitones.abs() <= 2, "{name}");
                }
            }
        }
    }
}
