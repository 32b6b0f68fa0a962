//! Key finding for short melodies: a duration-weighted pitch-class profile correlated with
//! published key profiles (Krumhansl–Schmuckler method), with tie-breaks a musician would use.
//!
//! The published profiles are in `key_profiles.rs`; the learned model in `key_model.rs`, its
//! weights in `key_weights.rs`.

use super::key_profiles::{
    correlation, Profile, ALBRECHT_SHANAHAN_MAJOR, ALBRECHT_SHANAHAN_MINOR,
    KRUMHANSL_KESSLER_MAJOR, KRUMHANSL_KESSLER_MINOR, TEMPERLEY_KOSTKA_PAYNE_MAJOR,
    TEMPERLEY_KOSTKA_PAYNE_MINOR, TEMPERLEY_MAJOR, TEMPERLEY_MINOR,
};
use super::key_weights::LEARNED_WEIGHTS;
use super::note::Note;

/// Major or (natural/harmonic) minor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Ionian major.
    Major,
    /// Minor (natural minor scale; the raised 7th is a chromatic neighbour).
    Minor,
}

impl Mode {
    /// Lower-case name: `major` / `minor`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Major => "major",
            Mode::Minor => "minor",
        }
    }
}

/// A key: tonic pitch class and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// Tonic pitch class, 0 = C … 11 = B.
    pub tonic: u8,
    /// Major or minor.
    pub mode: Mode,
}

/// Pitch-class names with sharps (note names on a keyboard axis).
pub const PITCH_CLASS_NAMES: [&str; 12] = [
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
];

/// Tonics of the major keys as musicians spell them (the spelling with fewer accidentals; F♯
/// over G♭), in ASCII (`b` flat, `#` sharp), by pitch class.
const MAJOR_TONICS: [&str; 12] = [
    "C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B",
];
/// Tonics of the minor keys as musicians spell them (C♯ minor, E♭ minor, G♯ minor, B♭ minor).
const MINOR_TONICS: [&str; 12] = [
    "C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B",
];
/// [`MAJOR_TONICS`] with the musical signs ♭ and ♯, for display.
const MAJOR_TONIC_SIGNS: [&str; 12] = [
    "C", "D♭", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B",
];
/// [`MINOR_TONICS`] with the musical signs, for display.
const MINOR_TONIC_SIGNS: [&str; 12] = [
    "C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "G♯", "A", "B♭", "B",
];

impl Key {
    /// A key from a pitch class (taken mod 12) and mode.
    pub fn new(tonic: u8, mode: Mode) -> Self {
        Self {
            tonic: tonic % 12,
            mode,
        }
    }

    /// Tonic spelled as musicians spell this key, in ASCII: `Eb` (E♭ major), `C#` (C♯ minor),
    /// `Bb`, `F#`. For JSON and saved state; [`Self::parse`] reads it back.
    pub fn tonic_name(&self) -> &'static str {
        match self.mode {
            Mode::Major => MAJOR_TONICS[self.tonic as usize % 12],
            Mode::Minor => MINOR_TONICS[self.tonic as usize % 12],
        }
    }

    /// [`tonic_name`](Self::tonic_name) with the signs ♭ and ♯, for display (`E♭`).
    pub fn tonic_symbol(&self) -> &'static str {
        match self.mode {
            Mode::Major => MAJOR_TONIC_SIGNS[self.tonic as usize % 12],
            Mode::Minor => MINOR_TONIC_SIGNS[self.tonic as usize % 12],
        }
    }

    /// Parses `C#:minor`, `Db major`, `E♭ major`, `f#m`, `A` (major) … Sharps and flats are
    /// both accepted, as `#`/`♯` and `b`/`♭`; the key is the pitch class (D♯ major = E♭ major).
    pub fn parse(text: &str) -> Option<Key> {
        let text = text.trim().replace('♭', "b").replace('♯', "#");
        let text = text.as_str();
        let split = text.find([':', ' ']).unwrap_or(text.len());
        let (tonic_text, mode_text) = text.split_at(split);
        let mode_text = mode_text
            .trim_start_matches([':', ' '])
            .to_ascii_lowercase();
        let mut chars = tonic_text.chars();
        let letter = chars.next()?.to_ascii_uppercase();
        let natural: i32 = match letter {
            'C' => 0,
            'D' => 2,
            'E' => 4,
            'F' => 5,
            'G' => 7,
            'A' => 9,
            'B' => 11,
            _ => return None,
        };
        let rest: String = chars.collect();
        let (accidental, short_mode) = match rest.as_str() {
            "" => (0, ""),
            "#" => (1, ""),
            "b" => (-1, ""),
            "m" => (0, "m"),
            "#m" => (1, "m"),
            "bm" => (-1, "m"),
            _ => return None,
        };
        let mode = match (mode_text.as_str(), short_mode) {
            ("", "m") | ("minor", "") | ("min", "") => Mode::Minor,
            ("", "") | ("major", "") | ("maj", "") => Mode::Major,
            _ => return None,
        };
        Some(Key::new((natural + accidental).rem_euclid(12) as u8, mode))
    }
}

/// A key shown in ASCII (`Eb major`), for fonts without ♭ and ♯ (the editor's). See
/// [`Key::ascii`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsciiKey(pub Key);

impl std::fmt::Display for AsciiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0.tonic_name(), self.0.mode.name())
    }
}

impl Key {
    /// The key for display in ASCII (`Eb major`); `Display` on the key itself uses ♭ and ♯.
    pub fn ascii(self) -> AsciiKey {
        AsciiKey(self)
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.tonic_symbol(), self.mode.name())
    }
}

/// One key with its correlation score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyCandidate {
    /// The key.
    pub key: Key,
    /// With the learned model, the key's probability 0–1; with a profile set, the correlation
    /// of the motif's profile with the key's, −1…1.
    pub score: f64,
}

/// Scores closer than this to the best count as tied; tie-breaks then decide.
pub const TIE_TOLERANCE: f64 = 0.02;

/// Result of key finding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyEstimate {
    /// The chosen key (after tie-breaks) and its score.
    pub best: KeyCandidate,
    /// Score of `best` minus the best score of any other key, ≥ 0 (0 when a tie-break chose a
    /// key that did not have the top score, or on an exact tie).
    pub confidence: f64,
    /// All 24 keys, best first (the chosen key is element 0).
    pub ranked: [KeyCandidate; 24],
    /// How many of `ranked` (from the start) were within [`TIE_TOLERANCE`] of the top score.
    pub num_tied: usize,
    /// The finder that scored the keys.
    pub finder: ProfileSet,
    /// How many different pitch classes the melody has (1–12).
    pub num_pitch_classes: usize,
}

/// Fewest different pitch classes a melody needs for any verdict but "ambiguous". One pitch
/// class says nothing of a key: it is the tonic, third or fifth of half a dozen keys, and which
/// of them the finder ranks first is only its prior.
pub const MIN_PITCH_CLASSES_FOR_A_KEY: usize = 2;

/// With the learned model: the best key's probability from which the verdict is "clear".
/// How often such verdicts are right on held-out motifs is reported by `examples/key_train.rs`.
pub const CLEAR_PROBABILITY: f64 = 0.7;
/// With the learned model: the best key's probability from which it is "likely" (below it:
/// "ambiguous").
pub const LIKELY_PROBABILITY: f64 = 0.4;

/// How sure the key finder is, in a musician's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCertainty {
    /// One key clearly (learned model: probability ≥ [`CLEAR_PROBABILITY`]).
    Clear,
    /// Probably this key (probability ≥ [`LIKELY_PROBABILITY`]), with others possible.
    Likely,
    /// Two or more keys fit about as well.
    Ambiguous,
}

impl KeyCertainty {
    /// Lower-case word: `clear`, `likely`, `ambiguous`.
    pub fn word(self) -> &'static str {
        match self {
            KeyCertainty::Clear => "clear",
            KeyCertainty::Likely => "likely",
            KeyCertainty::Ambiguous => "ambiguous",
        }
    }
}

impl KeyEstimate {
    /// The keys that were tied with the best (including it).
    pub fn tied(&self) -> &[KeyCandidate] {
        &self.ranked[..self.num_tied]
    }

    /// How sure the finder is. With the learned model, from the best key's probability; with a
    /// profile set, from the margin to the next key (≥ 0.1 clear, ≥ 0.03 likely) — correlations
    /// are not probabilities.
    pub fn certainty(&self) -> KeyCertainty {
        let (clear, likely, value) = if self.finder == ProfileSet::Learned {
            (CLEAR_PROBABILITY, LIKELY_PROBABILITY, self.best.score)
        } else {
            (0.1, 0.03, self.confidence)
        };
        if self.num_tied > 1
            || value < likely
            || self.num_pitch_classes < MIN_PITCH_CLASSES_FOR_A_KEY
        {
            KeyCertainty::Ambiguous
        } else if value < clear {
            KeyCertainty::Likely
        } else {
            KeyCertainty::Clear
        }
    }

    /// The keys worth offering when the finder is unsure: the best, and the next ones that come
    /// close (at least a third of the best's probability with the learned model; the tied ones
    /// with a profile set), at most three.
    pub fn alternatives(&self) -> &[KeyCandidate] {
        let count = if self.finder == ProfileSet::Learned {
            1 + self.ranked[1..3]
                .iter()
                .take_while(|c| c.score >= self.best.score / 3.0)
                .count()
        } else {
            self.num_tied.clamp(1, 3)
        };
        &self.ranked[..count]
    }

    /// The verdict in words, with `name` spelling each key (e.g. `|k| k.to_string()`):
    /// "E♭ major (clear)", "E♭ major (likely; or C minor)", "ambiguous between F major, A major
    /// and D minor".
    pub fn describe(&self, name: impl Fn(Key) -> String) -> String {
        let others: Vec<String> = self.alternatives()[1..]
            .iter()
            .map(|c| name(c.key))
            .collect();
        match self.certainty() {
            KeyCertainty::Ambiguous if !others.is_empty() => {
                let (last, between) = others.split_last().expect("not empty");
                let mut first = vec![name(self.best.key)];
                first.extend_from_slice(between);
                format!("ambiguous between {} and {last}", first.join(", "))
            }
            KeyCertainty::Likely if !others.is_empty() => {
                format!("{} (likely; or {})", name(self.best.key), others.join(", "))
            }
            certainty => format!("{} ({})", name(self.best.key), certainty.word()),
        }
    }
}

/// How the finder scores keys: the learned model, or correlation with published profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileSet {
    /// The learned model (`key_model.rs`): the default.
    Learned,
    /// Albrecht–Shanahan only.
    AlbrechtShanahan,
    /// Temperley's 1999 revised profile only.
    Temperley,
    /// Temperley–Kostka–Payne only.
    TemperleyKostkaPayne,
    /// Krumhansl–Kessler only.
    KrumhanslKessler,
    /// Mean of the Albrecht–Shanahan and Temperley 1999 correlations (the default before the
    /// learned model).
    AlbrechtShanahanTemperley,
}

impl ProfileSet {
    fn profiles(self) -> &'static [(&'static Profile, &'static Profile)] {
        match self {
            ProfileSet::Learned => &[],
            ProfileSet::TemperleyKostkaPayne => {
                &[(&TEMPERLEY_KOSTKA_PAYNE_MAJOR, &TEMPERLEY_KOSTKA_PAYNE_MINOR)]
            }
            ProfileSet::AlbrechtShanahan => &[(&ALBRECHT_SHANAHAN_MAJOR, &ALBRECHT_SHANAHAN_MINOR)],
            ProfileSet::Temperley => &[(&TEMPERLEY_MAJOR, &TEMPERLEY_MINOR)],
            ProfileSet::KrumhanslKessler => &[(&KRUMHANSL_KESSLER_MAJOR, &KRUMHANSL_KESSLER_MINOR)],
            ProfileSet::AlbrechtShanahanTemperley => &[
                (&ALBRECHT_SHANAHAN_MAJOR, &ALBRECHT_SHANAHAN_MINOR),
                (&TEMPERLEY_MAJOR, &TEMPERLEY_MINOR),
            ],
        }
    }
}

/// The default key finder.
pub const DEFAULT_PROFILES: ProfileSet = ProfileSet::Learned;

/// Duration-weighted pitch-class histogram. A note's weight is its length in beats, capped at
/// 2 beats so one held final note cannot drown the melody. Never allocates.
pub fn pitch_class_weights(notes: &[Note]) -> [f64; 12] {
    let mut weights = [0.0; 12];
    for note in notes {
        weights[(note.key % 12) as usize] += note.length_beats.clamp(0.0, 2.0);
    }
    weights
}

/// Scores all 24 keys for a pitch-class histogram: the mean correlation with the profiles of
/// `profiles`, each rotated to the key's tonic. Order: C major, C minor, C# major, … (All 0 for
/// [`ProfileSet::Learned`], which scores notes, not a histogram: see [`estimate_key`].)
pub fn score_keys(weights: &[f64; 12], profiles: ProfileSet) -> [KeyCandidate; 24] {
    let mut scores = [KeyCandidate {
        key: Key::new(0, Mode::Major),
        score: 0.0,
    }; 24];
    for tonic in 0..12u8 {
        for (mode_idx, mode) in [Mode::Major, Mode::Minor].into_iter().enumerate() {
            let mut total = 0.0;
            for (major, minor) in profiles.profiles() {
                let profile = if mode == Mode::Major { *major } else { *minor };
                let mut rotated = [0.0; 12];
                for (i, value) in rotated.iter_mut().enumerate() {
                    *value = profile[(i + 12 - tonic as usize) % 12];
                }
                total += correlation(weights, &rotated);
            }
            scores[tonic as usize * 2 + mode_idx] = KeyCandidate {
                key: Key::new(tonic, mode),
                score: total / profiles.profiles().len().max(1) as f64,
            };
        }
    }
    scores
}

/// The order [`score_keys`] lists keys in (C major, C minor, C♯ major, …): the last tie-break.
fn listing_order(candidate: &KeyCandidate) -> usize {
    candidate.key.tonic as usize * 2 + usize::from(candidate.key.mode == Mode::Minor)
}

/// Orders the `tied` block of candidates by the tie-breaks a musician uses: the key whose tonic
/// is the last note, else the first, else the longest; then the heavier tonic triad in
/// `weights`; equal ranks keep score order, then listing order. No allocation.
fn break_ties(notes: &[Note], weights: &[f64; 12], tied: &mut [KeyCandidate]) {
    let by_start = |a: &&Note, b: &&Note| a.start_beats.total_cmp(&b.start_beats);
    let (Some(first), Some(last), Some(longest)) = (
        notes.iter().min_by(by_start),
        notes.iter().max_by(by_start),
        notes
            .iter()
            .max_by(|a, b| a.length_beats.total_cmp(&b.length_beats)),
    ) else {
        return;
    };
    let tie_break_rank = |candidate: &KeyCandidate| -> (u8, f64) {
        let tonic = candidate.key.tonic;
        let rule = if last.key % 12 == tonic {
            0
        } else if first.key % 12 == tonic {
            1
        } else if longest.key % 12 == tonic {
            2
        } else {
            3
        };
        let third = if candidate.key.mode == Mode::Major {
            4
        } else {
            3
        };
        let triad_weight = weights[tonic as usize]
            + weights[((tonic + third) % 12) as usize]
            + weights[((tonic + 7) % 12) as usize];
        (rule, -triad_weight)
    };
    tied.sort_unstable_by(|a, b| {
        let (rule_a, triad_a) = tie_break_rank(a);
        let (rule_b, triad_b) = tie_break_rank(b);
        rule_a
            .cmp(&rule_b)
            .then(triad_a.total_cmp(&triad_b))
            .then(b.score.total_cmp(&a.score))
            .then(listing_order(a).cmp(&listing_order(b)))
    });
}

/// Finds the key of a melody whose bar is `bar_length_beats` quarter-note beats long (beat 0 is
/// a bar line, as in a motif; the learned finder reads which notes fall on bar lines, the
/// profile finders ignore it). `None` for a motif without notes. Never allocates.
///
/// Keys within [`TIE_TOLERANCE`] of the top score are tied; among them the winner is the one
/// whose tonic is the last note's pitch class, else the first note's, else the longest note's,
/// else the one whose tonic triad covers most of the melody's duration, else the top score.
pub fn estimate_key(
    notes: &[Note],
    bar_length_beats: f64,
    profiles: ProfileSet,
) -> Option<KeyEstimate> {
    if notes.is_empty() {
        return None;
    }
    let weights = pitch_class_weights(notes);
    let mut ranked = if profiles == ProfileSet::Learned {
        let probabilities =
            super::key_model::key_probabilities(notes, bar_length_beats, &LEARNED_WEIGHTS);
        std::array::from_fn(|i| KeyCandidate {
            key: Key::new((i / 2) as u8, [Mode::Major, Mode::Minor][i % 2]),
            score: probabilities[i],
        })
    } else {
        score_keys(&weights, profiles)
    };
    // Unstable sorts with explicit tie-breaks (the order `score_keys` lists keys in): the same
    // result as a stable sort, and never a scratch allocation (this runs on the audio thread).
    ranked.sort_unstable_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(listing_order(a).cmp(&listing_order(b)))
    });
    let top = ranked[0].score;
    // The learned model already weighs first and last notes: only its exact ties are ties.
    let tolerance = if profiles == ProfileSet::Learned {
        1e-12
    } else {
        TIE_TOLERANCE
    };
    let num_tied = ranked
        .iter()
        .take_while(|c| top - c.score <= tolerance)
        .count();

    break_ties(notes, &weights, &mut ranked[..num_tied]);
    let best = ranked[0];
    let second_best = ranked[1..]
        .iter()
        .map(|c| c.score)
        .fold(f64::NEG_INFINITY, f64::max);
    let confidence = (best.score - second_best).max(0.0);
    let mut pitch_classes = [false; 12];
    for note in notes {
        pitch_classes[(note.key % 12) as usize] = true;
    }
    Some(KeyEstimate {
        best,
        confidence,
        ranked,
        num_tied,
        finder: profiles,
        num_pitch_classes: pitch_classes.iter().filter(|&&p| p).count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn melody(keys_and_lengths: &[(u8, f64)]) -> Vec<Note> {
        let mut start = 0.0;
        keys_and_lengths
            .iter()
            .map(|&(key, length)| {
                let note = Note {
                    start_beats: start,
                    length_beats: length,
                    key,
                    velocity: 0.8,
                    channel: 0,
                };
                start += length;
                note
            })
            .collect()
    }

    /// A C major scale up an octave, the top note held.
    const C_MAJOR_SCALE: [(u8, f64); 8] = [
        (60, 1.0),
        (62, 1.0),
        (64, 1.0),
        (65, 1.0),
        (67, 1.0),
        (69, 1.0),
        (71, 1.0),
        (72, 2.0),
    ];

    #[test]
    fn c_major_scale_is_c_major() {
        let notes = melody(&C_MAJOR_SCALE);
        let estimate = estimate_key(&notes, 4.0, DEFAULT_PROFILES).unwrap();
        assert_eq!(estimate.best.key, Key::new(0, Mode::Major));
    }

    #[test]
    fn a_harmonic_minor_line_is_a_minor() {
        let notes = melody(&[
            (69, 1.0),
            (71, 0.5),
            (72, 0.5),
            (74, 1.0),
            (76, 1.0),
            (77, 0.5),
            (80, 0.5),
            (81, 2.0),
            (76, 1.0),
            (69, 2.0),
        ]);
        let estimate = estimate_key(&notes, 4.0, DEFAULT_PROFILES).unwrap();
        assert_eq!(estimate.best.key, Key::new(9, Mode::Minor));
        assert!(estimate.confidence > 0.0);
    }

    #[test]
    fn transposing_a_melody_transposes_its_key() {
        let base = [
            (60, 1.0),
            (64, 1.0),
            (67, 1.0),
            (65, 0.5),
            (64, 0.5),
            (62, 1.0),
            (60, 2.0),
        ];
        let c = estimate_key(&melody(&base), 4.0, DEFAULT_PROFILES)
            .unwrap()
            .best
            .key;
        for shift in 1..12u8 {
            let moved: Vec<(u8, f64)> = base.iter().map(|&(k, l)| (k + shift, l)).collect();
            let key = estimate_key(&melody(&moved), 4.0, DEFAULT_PROFILES)
                .unwrap()
                .best
                .key;
            assert_eq!(key, Key::new(c.tonic + shift, c.mode), "shift {shift}");
        }
    }

    #[test]
    fn ambiguous_fifth_resolves_to_the_tonic_of_first_and_last_note() {
        // A bare fifth C–G fits C major and C minor (and more) equally; the profile finder's
        // tie-break picks a key on C because the melody starts and ends there.
        let notes = melody(&[(60, 1.0), (67, 1.0), (60, 1.0)]);
        let estimate = estimate_key(&notes, 4.0, ProfileSet::AlbrechtShanahanTemperley).unwrap();
        assert!(estimate.num_tied >= 2, "{:?}", estimate.tied());
        assert_eq!(estimate.best.key.tonic, 0);
        assert_eq!(estimate.certainty(), KeyCertainty::Ambiguous);
        // The learned model says C too, and that it is not sure of the mode.
        let learned = estimate_key(&notes, 4.0, ProfileSet::Learned).unwrap();
        assert_eq!(learned.best.key.tonic, 0);
        assert_ne!(learned.certainty(), KeyCertainty::Clear);
        assert!((learned.ranked.iter().map(|c| c.score).sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn certainty_is_worded_for_musicians() {
        let mut line = C_MAJOR_SCALE.to_vec();
        line.extend([(67, 1.0), (64, 1.0), (60, 2.0)]);
        let scale = melody(&line);
        let estimate = estimate_key(&scale, 4.0, DEFAULT_PROFILES).unwrap();
        assert_eq!(estimate.certainty(), KeyCertainty::Clear);
        assert_eq!(estimate.describe(|k| k.to_string()), "C major (clear)");
    }

    /// Issue 23, item 8: three candidates read as prose, and one pitch is no key to be sure of.
    #[test]
    fn verdicts_list_keys_as_prose_and_one_pitch_is_never_sure() {
        let mut estimate =
            estimate_key(&melody(&C_MAJOR_SCALE), 4.0, ProfileSet::Temperley).unwrap();
        let candidates = ["F major", "A major", "D minor"].map(|k| KeyCandidate {
            key: Key::parse(k).unwrap(),
            score: 0.9,
        });
        estimate.ranked[..3].copy_from_slice(&candidates);
        estimate.best = candidates[0];
        estimate.num_tied = 3;
        assert_eq!(
            estimate.describe(|k| k.to_string()),
            "ambiguous between F major, A major and D minor"
        );

        for finder in [ProfileSet::Learned, DEFAULT_PROFILES, ProfileSet::Temperley] {
            let one_note = estimate_key(&melody(&[(60, 4.0)]), 4.0, finder).unwrap();
            assert_eq!(one_note.certainty(), KeyCertainty::Ambiguous, "{finder:?}");
            let repeated = estimate_key(&melody(&[(62, 1.0), (74, 1.0), (62, 2.0)]), 4.0, finder);
            assert_eq!(repeated.unwrap().certainty(), KeyCertainty::Ambiguous);
        }
    }

    #[test]
    fn empty_motif_has_no_key() {
        assert!(estimate_key(&[], 4.0, DEFAULT_PROFILES).is_none());
    }

    /// Issue 11, item 8: keys printed with sharps only (`--key "Eb major"` showed `D# major`).
    #[test]
    fn tonics_are_spelled_as_musicians_spell_them() {
        let spelled = |text: &str| Key::parse(text).unwrap().to_string();
        assert_eq!(spelled("Eb major"), "E♭ major");
        assert_eq!(spelled("D# major"), "E♭ major");
        assert_eq!(spelled("A#m"), "B♭ minor");
        assert_eq!(spelled("Gb minor"), "F♯ minor");
        assert_eq!(spelled("Db:minor"), "C♯ minor");
        assert_eq!(spelled("C# major"), "D♭ major");
        assert_eq!(spelled("Ab minor"), "G♯ minor");
        assert_eq!(spelled("E♭ major"), "E♭ major");
        assert_eq!(spelled("F♯ minor"), "F♯ minor");
        assert_eq!(Key::parse("Bb minor").unwrap().tonic_name(), "Bb");
        // Every key reads back from its own names.
        for tonic in 0..12 {
            for mode in [Mode::Major, Mode::Minor] {
                let key = Key::new(tonic, mode);
                assert_eq!(Key::parse(&key.to_string()), Some(key));
                let ascii = format!("{}:{}", key.tonic_name(), key.mode.name());
                assert_eq!(Key::parse(&ascii), Some(key));
            }
        }
    }

    #[test]
    fn parses_key_names() {
        assert_eq!(Key::parse("C#:minor"), Some(Key::new(1, Mode::Minor)));
        assert_eq!(Key::parse("Bb major"), Some(Key::new(10, Mode::Major)));
        assert_eq!(Key::parse("f#m"), Some(Key::new(6, Mode::Minor)));
        assert_eq!(Key::parse("E"), Some(Key::new(4, Mode::Major)));
        assert_eq!(Key::parse("H minor"), None);
        assert_eq!(Key::parse("C:lydian"), None);
        assert_eq!(Key::new(1, Mode::Minor).to_string(), "C♯ minor");
    }
}
