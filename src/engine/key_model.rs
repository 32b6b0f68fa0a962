//! The learned key model: a linear score for each of the 24 keys from four
//! transposition-invariant features of a melody, trained as a softmax (multinomial logistic)
//! regression on a development set of folk-tune openings. `cargo run --release --example
//! key_train` trains it, reports its cross-validated accuracy and writes the weights
//! (`key_weights.rs`). Scoring is a few hundred multiply-adds: real-time safe, no allocation.

use super::key::{
    correlation, ALBRECHT_SHANAHAN_MAJOR, ALBRECHT_SHANAHAN_MINOR, TEMPERLEY_KOSTKA_PAYNE_MAJOR,
    TEMPERLEY_KOSTKA_PAYNE_MINOR,
};
use super::key_weights::LEARNED_WEIGHTS;
use super::motif::Note;

/// Number of 12-bin feature blocks.
pub const NUM_FEATURE_BLOCKS: usize = 4;
/// Number of published-profile fits per key (Temperley–Kostka–Payne, Albrecht–Shanahan).
pub const NUM_PROFILE_FITS: usize = 2;

/// What the model reads of a melody, per absolute pitch class (index 0 = C):
/// 0. share of the melody's duration (each note capped at 2 beats), summing to 1;
/// 1. share of the duration of notes that start on a beat (metrically strong), summing to 1
///    (all 0 when no note starts on a beat);
/// 2. the first note's pitch class (one-hot);
/// 3. the last note's pitch class (one-hot);
///
/// and per key, how well the duration shares fit the Temperley–Kostka–Payne and
/// Albrecht–Shanahan profiles of that key (correlation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyFeatures {
    /// The blocks, in the order above.
    pub blocks: [[f64; 12]; NUM_FEATURE_BLOCKS],
    /// Per key (index `tonic * 2 + mode`): correlation with each profile.
    pub profile_fit: [[f64; NUM_PROFILE_FITS]; 24],
}

/// Model weights (mode 0 major, 1 minor).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyWeights {
    /// `[mode][block][semitones above the tonic]`.
    pub blocks: [[[f64; 12]; NUM_FEATURE_BLOCKS]; 2],
    /// `[mode][profile]`: weight of each profile fit.
    pub profile_fit: [[f64; NUM_PROFILE_FITS]; 2],
    /// Per mode.
    pub bias: [f64; 2],
}

/// How far an onset may lie from a whole beat and still count as on the beat, in beats.
const ON_BEAT_TOLERANCE_BEATS: f64 = 1e-3;

/// The features of `notes` (any order). All zero for no notes. Never allocates.
pub fn key_features(notes: &[Note]) -> KeyFeatures {
    let mut blocks = [[0.0; 12]; NUM_FEATURE_BLOCKS];
    let mut first: Option<&Note> = None;
    let mut last: Option<&Note> = None;
    for note in notes {
        let pc = (note.key % 12) as usize;
        let weight = note.length_beats.clamp(0.0, 2.0);
        blocks[0][pc] += weight;
        let beat_phase = note.start_beats - note.start_beats.round();
        if beat_phase.abs() <= ON_BEAT_TOLERANCE_BEATS {
            blocks[1][pc] += weight;
        }
        if first.is_none_or(|f| note.start_beats < f.start_beats) {
            first = Some(note);
        }
        if last.is_none_or(|l| note.start_beats >= l.start_beats) {
            last = Some(note);
        }
    }
    for block in &mut blocks[..2] {
        let total: f64 = block.iter().sum();
        if total > 0.0 {
            for value in block.iter_mut() {
                *value /= total;
            }
        }
    }
    if let (Some(first), Some(last)) = (first, last) {
        blocks[2][(first.key % 12) as usize] = 1.0;
        blocks[3][(last.key % 12) as usize] = 1.0;
    }
    let profiles = [
        [&TEMPERLEY_KOSTKA_PAYNE_MAJOR, &ALBRECHT_SHANAHAN_MAJOR],
        [&TEMPERLEY_KOSTKA_PAYNE_MINOR, &ALBRECHT_SHANAHAN_MINOR],
    ];
    let mut profile_fit = [[0.0; NUM_PROFILE_FITS]; 24];
    for tonic in 0..12 {
        for (mode, mode_profiles) in profiles.iter().enumerate() {
            for (fit, profile) in mode_profiles.iter().enumerate() {
                let rotated: [f64; 12] = std::array::from_fn(|i| profile[(i + 12 - tonic) % 12]);
                profile_fit[tonic * 2 + mode][fit] = correlation(&blocks[0], &rotated);
            }
        }
    }
    KeyFeatures {
        blocks,
        profile_fit,
    }
}

/// The model's score (logit) of every key, in the order C major, C minor, C♯ major, … (index
/// `tonic * 2 + mode`).
pub fn key_logits(features: &KeyFeatures, weights: &KeyWeights) -> [f64; 24] {
    let mut logits = [0.0; 24];
    for tonic in 0..12 {
        for mode in 0..2 {
            let mut z = weights.bias[mode];
            for (block, block_weights) in features.blocks.iter().zip(&weights.blocks[mode]) {
                for (interval, weight) in block_weights.iter().enumerate() {
                    z += weight * block[(tonic + interval) % 12];
                }
            }
            for (fit, weight) in features.profile_fit[tonic * 2 + mode]
                .iter()
                .zip(&weights.profile_fit[mode])
            {
                z += weight * fit;
            }
            logits[tonic * 2 + mode] = z;
        }
    }
    logits
}

/// Softmax of `logits`, in place: probabilities summing to 1.
pub fn softmax(logits: &mut [f64; 24]) {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for z in logits.iter_mut() {
        *z = (*z - max).exp();
        total += *z;
    }
    for z in logits.iter_mut() {
        *z /= total;
    }
}

/// The probability of every key under the shipped weights (order as [`key_logits`]).
pub fn key_probabilities(notes: &[Note]) -> [f64; 24] {
    let mut p = key_logits(&key_features(notes), &LEARNED_WEIGHTS);
    softmax(&mut p);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(start_beats: f64, length_beats: f64, key: u8) -> Note {
        Note {
            start_beats,
            length_beats,
            key,
            velocity: 0.7,
            channel: 0,
        }
    }

    #[test]
    fn features_are_shares_and_one_hots() {
        let notes = [note(0.0, 1.0, 60), note(1.5, 0.5, 62), note(2.0, 4.0, 67)];
        let f = key_features(&notes);
        assert!((f.blocks[0].iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Durations 1, 0.5, 2 (capped): G has 2 / 3.5.
        assert!((f.blocks[0][7] - 2.0 / 3.5).abs() < 1e-12);
        // On the beat: C (1) and G (2); D starts off the beat.
        assert_eq!(f.blocks[1][2], 0.0);
        assert!((f.blocks[1][0] - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(f.blocks[2][0], 1.0);
        assert_eq!(f.blocks[3][7], 1.0);
    }

    #[test]
    fn scores_move_with_transposition() {
        let notes = [note(0.0, 1.0, 60), note(1.0, 1.0, 64), note(2.0, 2.0, 67)];
        let moved: Vec<Note> = notes
            .iter()
            .map(|n| note(n.start_beats, n.length_beats, n.key + 5))
            .collect();
        let (a, b) = (key_probabilities(&notes), key_probabilities(&moved));
        for tonic in 0..12 {
            for mode in 0..2 {
                let shifted = ((tonic + 5) % 12) * 2 + mode;
                assert!((a[tonic * 2 + mode] - b[shifted]).abs() < 1e-12);
            }
        }
        assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
