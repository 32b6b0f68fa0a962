//! Scales and scale-degree arithmetic for the diatonic operators.

use super::choice::Choice;
use super::key::{Key, Mode};

/// A seven-note scale type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScaleMode {
    /// Ionian.
    Major,
    /// Aeolian (natural minor).
    Minor,
    /// Minor with a raised 7th.
    HarmonicMinor,
    /// Minor with a raised 6th.
    Dorian,
    /// Minor with a lowered 2nd.
    Phrygian,
    /// Major with a raised 4th.
    Lydian,
    /// Major with a lowered 7th.
    Mixolydian,
    /// Diminished 5th and lowered 2nd.
    Locrian,
}

impl ScaleMode {
    /// All modes.
    pub const ALL: [ScaleMode; 8] = [
        ScaleMode::Major,
        ScaleMode::Minor,
        ScaleMode::HarmonicMinor,
        ScaleMode::Dorian,
        ScaleMode::Phrygian,
        ScaleMode::Lydian,
        ScaleMode::Mixolydian,
        ScaleMode::Locrian,
    ];

    /// Semitones of degrees 1–7 above the tonic.
    pub fn semitones(self) -> [i32; 7] {
        match self {
            ScaleMode::Major => [0, 2, 4, 5, 7, 9, 11],
            ScaleMode::Minor => [0, 2, 3, 5, 7, 8, 10],
            ScaleMode::HarmonicMinor => [0, 2, 3, 5, 7, 8, 11],
            ScaleMode::Dorian => [0, 2, 3, 5, 7, 9, 10],
            ScaleMode::Phrygian => [0, 1, 3, 5, 7, 8, 10],
            ScaleMode::Lydian => [0, 2, 4, 6, 7, 9, 11],
            ScaleMode::Mixolydian => [0, 2, 4, 5, 7, 9, 10],
            ScaleMode::Locrian => [0, 1, 3, 5, 6, 8, 10],
        }
    }

    /// Lower-case name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ScaleMode::Major => "major",
            ScaleMode::Minor => "minor",
            ScaleMode::HarmonicMinor => "harmonic-minor",
            ScaleMode::Dorian => "dorian",
            ScaleMode::Phrygian => "phrygian",
            ScaleMode::Lydian => "lydian",
            ScaleMode::Mixolydian => "mixolydian",
            ScaleMode::Locrian => "locrian",
        }
    }

    /// Parses a [`name`](Self::name) (also `ionian`, `aeolian`), any case, with the words
    /// joined by a space, hyphen or underscore (`harmonic minor`, as a key is `Bb major`).
    pub fn parse(text: &str) -> Option<ScaleMode> {
        let words: Vec<&str> = text
            .split([' ', '-', '_'])
            .filter(|word| !word.is_empty())
            .collect();
        match words.join("-").to_ascii_lowercase().as_str() {
            "ionian" => Some(ScaleMode::Major),
            "aeolian" => Some(ScaleMode::Minor),
            other => ScaleMode::ALL.into_iter().find(|mode| mode.name() == other),
        }
    }
}

/// What a mode-change setting offers: keep the motif's mode, or change to one of the modes.
/// Frozen order (Locrian was added last).
pub const MODE_CHANGE_CHOICES: [Choice<Option<ScaleMode>>; 9] = [
    Choice {
        value: None,
        id: "keep",
        label: "Keep",
    },
    Choice {
        value: Some(ScaleMode::Major),
        id: "major",
        label: "Major",
    },
    Choice {
        value: Some(ScaleMode::Minor),
        id: "minor",
        label: "Minor",
    },
    Choice {
        value: Some(ScaleMode::HarmonicMinor),
        id: "harmonic_minor",
        label: "Harmonic minor",
    },
    Choice {
        value: Some(ScaleMode::Dorian),
        id: "dorian",
        label: "Dorian",
    },
    Choice {
        value: Some(ScaleMode::Phrygian),
        id: "phrygian",
        label: "Phrygian",
    },
    Choice {
        value: Some(ScaleMode::Lydian),
        id: "lydian",
        label: "Lydian",
    },
    Choice {
        value: Some(ScaleMode::Mixolydian),
        id: "mixolydian",
        label: "Mixolydian",
    },
    Choice {
        value: Some(ScaleMode::Locrian),
        id: "locrian",
        label: "Locrian",
    },
];

impl From<Mode> for ScaleMode {
    fn from(mode: Mode) -> Self {
        match mode {
            Mode::Major => ScaleMode::Major,
            Mode::Minor => ScaleMode::Minor,
        }
    }
}

/// A note's place in a scale: an absolute degree (octave × 7 + degree index, so degree 0 is the
/// tonic in MIDI octave 0) and a chromatic offset in semitones from that degree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScalePosition {
    /// Absolute scale degree; can be negative.
    pub degree: i32,
    /// Semitones above the degree's pitch: 0 for scale notes, ±1 (rarely ±2) for chromatic ones.
    pub offset_semitones: i32,
}

/// How far (semitones) [`Scale::snap`] looks from a pitch's rounding for a note of the key: a
/// whole tone either way always reaches one (no scale has a gap wider than a minor third).
pub const SNAP_REACH_SEMITONES: i32 = 2;

/// A scale: tonic pitch class and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// Tonic pitch class, 0 = C … 11 = B.
    pub tonic: u8,
    /// The scale type.
    pub mode: ScaleMode,
}

impl From<Key> for Scale {
    fn from(key: Key) -> Self {
        Scale {
            tonic: key.tonic % 12,
            mode: key.mode.into(),
        }
    }
}

impl Scale {
    /// The pitch (MIDI key, may be outside 0–127) of an absolute degree.
    pub fn pitch_of_degree(&self, degree: i32) -> i32 {
        let octave = degree.div_euclid(7);
        let index = degree.rem_euclid(7) as usize;
        self.tonic as i32 + octave * 12 + self.mode.semitones()[index]
    }

    /// Where `pitch` sits in the scale. A chromatic note is placed on the nearest scale degree
    /// (the lower one when both are equally near) with its offset, so it keeps that offset when
    /// moved diatonically.
    pub fn position_of(&self, pitch: i32) -> ScalePosition {
        let relative = pitch - self.tonic as i32;
        let octave = relative.div_euclid(12);
        let pitch_class = relative.rem_euclid(12);
        let mut best = ScalePosition {
            degree: octave * 7,
            offset_semitones: pitch_class,
        };
        // Degrees of this octave plus the tonic of the next one (for notes just below it).
        for candidate in 0..=7 {
            let degree = octave * 7 + candidate;
            let offset = pitch - self.pitch_of_degree(degree);
            if offset.abs() < best.offset_semitones.abs()
                || (offset.abs() == best.offset_semitones.abs() && offset > best.offset_semitones)
            {
                best = ScalePosition {
                    degree,
                    offset_semitones: offset,
                };
            }
        }
        best
    }

    /// Whether `pitch` belongs to the key as a musician hears it: a note of the scale, and in
    /// (natural) minor also the raised sixth and seventh of melodic and harmonic minor.
    pub fn admits(&self, pitch: i32) -> bool {
        let pitch_class = (pitch - self.tonic as i32).rem_euclid(12);
        self.mode.semitones().contains(&pitch_class)
            || (self.mode == ScaleMode::Minor && matches!(pitch_class, 9 | 11))
    }

    /// The MIDI key the key [`admits`](Self::admits) nearest to the fractional pitch `midi`,
    /// searched within [`SNAP_REACH_SEMITONES`] of its rounding (the lower on a tie); the
    /// rounding itself when none is in reach.
    pub fn snap(&self, midi: f32) -> u8 {
        let nearest = midi.round().clamp(0.0, 127.0) as u8;
        let mut best = nearest;
        let mut best_distance = f32::INFINITY;
        let reach = SNAP_REACH_SEMITONES;
        for k in (i32::from(nearest) - reach)..=(i32::from(nearest) + reach) {
            if (0..=127).contains(&k) && self.admits(k) {
                let distance = (k as f32 - midi).abs();
                if distance < best_distance {
                    best_distance = distance;
                    best = k as u8;
                }
            }
        }
        best
    }

    /// The pitch of a position (inverse of [`position_of`](Self::position_of)).
    pub fn pitch_of(&self, position: ScalePosition) -> i32 {
        self.pitch_of_degree(position.degree) + position.offset_semitones
    }

    /// Whether `position` is the raised 6th or 7th of a minor scale (melodic and harmonic
    /// minor's, e.g. B♯ in C♯ minor, E♮ in F minor): a member of the key, not a chromatic note.
    /// Natural minor and Dorian have a lowered 7th, natural and harmonic minor a lowered 6th;
    /// one semitone above it is the raised degree.
    pub fn is_raised_minor_degree(&self, position: ScalePosition) -> bool {
        let minor_key = matches!(
            self.mode,
            ScaleMode::Minor | ScaleMode::HarmonicMinor | ScaleMode::Dorian
        );
        let index = position.degree.rem_euclid(7) as usize;
        let lowered = match index {
            5 => self.mode.semitones()[5] == 8,
            6 => self.mode.semitones()[6] == 10,
            _ => false,
        };
        minor_key && lowered && position.offset_semitones == 1
    }

    /// `pitch` moved by `steps` degrees. A chromatic note keeps its offset from its degree (F♯
    /// in C major, up a step, becomes G♯); a raised 6th or 7th of minor is a member of the key,
    /// so moved to another degree it lands on that degree (E→F in F minor, up two steps, is
    /// G→A♭: a half step stays a step) and moved by octaves it stays raised.
    pub fn step(&self, pitch: i32, steps: i32) -> i32 {
        let position = self.position_of(pitch);
        let keeps_degree = steps.rem_euclid(7) == 0;
        let offset_semitones = if self.is_raised_minor_degree(position) && !keeps_degree {
            0
        } else {
            position.offset_semitones
        };
        self.pitch_of(ScalePosition {
            degree: position.degree + steps,
            offset_semitones,
        })
    }

    /// `pitch` mirrored around the degree `axis_degree`: degree' = 2·axis − degree. A chromatic
    /// note mirrors its offset (raised becomes lowered); a raised 6th or 7th of minor is a
    /// member of the key and lands on its mirror degree (the leading tone a step below the tonic
    /// mirrors to the step above it).
    pub fn mirror(&self, pitch: i32, axis_degree: i32) -> i32 {
        let position = self.position_of(pitch);
        let degree = 2 * axis_degree - position.degree;
        let offset_semitones = if !self.is_raised_minor_degree(position) {
            -position.offset_semitones
        } else if degree == position.degree {
            // A raised degree on the axis is the axis: it stays.
            position.offset_semitones
        } else {
            0
        };
        self.pitch_of(ScalePosition {
            degree,
            offset_semitones,
        })
    }

    /// `pitch` (in this scale) with the same tonic in `mode`, degree by degree. A chromatic note
    /// keeps its offset from its degree; a raised 6th or 7th of minor stays raised — at least
    /// the major scale's 6th or 7th — so a leading tone stays a leading tone (E in F minor is E
    /// in F major; B♯ in C♯ minor is B♯ in C♯ major and in C♯ Dorian).
    pub fn in_mode(&self, pitch: i32, mode: ScaleMode) -> i32 {
        let target = Scale {
            tonic: self.tonic,
            mode,
        };
        let position = self.position_of(pitch);
        if self.is_raised_minor_degree(position) {
            let major = Scale {
                tonic: self.tonic,
                mode: ScaleMode::Major,
            };
            target
                .pitch_of_degree(position.degree)
                .max(major.pitch_of_degree(position.degree))
        } else {
            target.pitch_of(position)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_admits_its_raised_sixth_and_seventh_and_snaps_to_them() {
        let a_minor = Scale {
            tonic: 9,
            mode: ScaleMode::Minor,
        };
        // G♯ (the leading tone) and F♯ (the raised sixth) belong to A minor; C♯ does not.
        assert!(a_minor.admits(68) && a_minor.admits(66) && !a_minor.admits(61));
        assert_eq!(a_minor.snap(67.9), 68);
        assert_eq!(a_minor.snap(60.8), 60, "a C♯ just above C goes to C");
        assert_eq!(a_minor.snap(61.2), 62, "a C♯ nearer D goes to D");
        let c_major = Scale {
            tonic: 0,
            mode: ScaleMode::Major,
        };
        assert!(!c_major.admits(68));
        // Halfway between G and A♭ in C major: A♭ is not in the key, G is.
        assert_eq!(c_major.snap(67.5), 67);
    }

    #[test]
    fn scale_notes_have_zero_offset_and_round_trip() {
        let scale = Scale {
            tonic: 2,
            mode: ScaleMode::Minor,
        };
        for pitch in 0..128 {
            let position = scale.position_of(pitch);
            assert_eq!(scale.pitch_of(position), pitch);
        }
        // D minor: D4 = 62 is degree 5*7 = 35, F4 = 65 degree 37.
        assert_eq!(
            scale.position_of(62),
            ScalePosition {
                degree: 35,
                offset_semitones: 0
            }
        );
        assert_eq!(
            scale.position_of(65),
            ScalePosition {
                degree: 37,
                offset_semitones: 0
            }
        );
    }

    #[test]
    fn chromatic_notes_sit_on_the_lower_nearest_degree() {
        let c_major = Scale {
            tonic: 0,
            mode: ScaleMode::Major,
        };
        // F#4 (66) is between F (65) and G (67): placed on F with +1.
        assert_eq!(
            c_major.position_of(66),
            ScalePosition {
                degree: 38,
                offset_semitones: 1
            }
        );
        // B♭3 (58) between A (57) and B (59): on A +1.
        assert_eq!(
            c_major.position_of(58),
            ScalePosition {
                degree: 33,
                offset_semitones: 1
            }
        );
    }

    #[test]
    fn mode_names_round_trip() {
        for mode in ScaleMode::ALL {
            assert_eq!(ScaleMode::parse(mode.name()), Some(mode));
        }
        assert_eq!(ScaleMode::parse("Aeolian"), Some(ScaleMode::Minor));
        assert_eq!(ScaleMode::parse("bebop"), None);
        // Issue 23: written as words, as a key is (`Bb major`).
        for spelled in [
            "harmonic minor",
            "Harmonic Minor",
            "harmonic_minor",
            " harmonic  minor ",
        ] {
            assert_eq!(
                ScaleMode::parse(spelled),
                Some(ScaleMode::HarmonicMinor),
                "{spelled}"
            );
        }
        assert_eq!(ScaleMode::parse("harmonic"), None);
    }
}
