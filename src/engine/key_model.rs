//! The learned key model: a linear score for each of the 24 keys from transposition-invariant
//! features of a melody (pitch-class shares, cadence, melodic cues, profile fits), trained as a softmax (multinomial logistic)
//! regression on a development set of folk-tune openings. `cargo run --release --example
//! key_train` trains it, reports its cross-validated accuracy and writes the weights
//! (`key_weights.rs`). Scoring is a few thousand multiply-adds: real-time safe, no allocation.

use super::key_profiles::{
    correlation, ALBRECHT_SHANAHAN_MAJOR, ALBRECHT_SHANAHAN_MINOR, TEMPERLEY_KOSTKA_PAYNE_MAJOR,
    TEMPERLEY_KOSTKA_PAYNE_MINOR,
};
use super::note::Note;

/// Number of 12-bin feature blocks.
pub const NUM_FEATURE_BLOCKS: usize = 14;
/// Number of published-profile fits per key (Temperley–Kostka–Payne, Albrecht–Shanahan).
pub const NUM_PROFILE_FITS: usize = 2;

/// What the model reads of a melody, per absolute pitch class (index 0 = C):
/// 0. share of the melody's duration (each note capped at 2 beats), summing to 1;
/// 1. share of the duration of notes that start on a beat (metrically strong), summing to 1
///    (all 0 when no note starts on a beat);
/// 2. the first note's pitch class (one-hot);
/// 3. the last note's pitch class (one-hot);
/// 4. the second-to-last note's pitch class (one-hot; the cadence's approach);
/// 5. the longest note's pitch class (one-hot, shared among equally long notes);
/// 6. the lowest note's pitch class (one-hot);
/// 7. pitch classes reached by a rising semitone (a leading tone resolving), shares;
/// 8. pitch classes of notes reached or left by a leap of a third or more (chord tones),
///    duration shares;
/// 9. which pitch classes occur at all (1 or 0);
/// 10. share of the duration of notes that start on a bar line ("downbeats"; each capped at 2
///     beats), summing to 1 (all 0 when no note starts on a bar line);
/// 11. the first downbeat note's pitch class (one-hot);
/// 12. the last downbeat note's pitch class (one-hot);
/// 13. the lowest downbeat note's pitch class (one-hot);
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

/// How far an onset may lie from a whole beat (or a bar line) and still count as on it, in
/// beats.
const ON_BEAT_TOLERANCE_BEATS: f64 = 1e-3;

/// The features of `notes` (any order; beat 0 is a bar line, as in a [`Motif`]) in a metre whose
/// bar is `bar_length_beats` quarter-note beats long (4/4 → 4, 6/8 → 3; a non-positive or
/// non-finite length counts as 4/4). All zero for no notes. Never allocates.
///
/// [`Motif`]: super::motif::Motif
pub fn key_features(notes: &[Note], bar_length_beats: f64) -> KeyFeatures {
    let bar_beats = if bar_length_beats.is_finite() && bar_length_beats > 0.0 {
        bar_length_beats
    } else {
        4.0
    };
    let mut blocks = [[0.0; 12]; NUM_FEATURE_BLOCKS];
    let mut first: Option<usize> = None;
    let mut longest_beats = 0.0f64;
    let mut lowest: Option<u8> = None;
    // Downbeat notes: the first and last in time order, the lowest.
    let (mut first_down, mut last_down) = (None::<usize>, None::<usize>);
    let mut lowest_down: Option<u8> = None;
    for (index, note) in notes.iter().enumerate() {
        let pc = (note.key % 12) as usize;
        let weight = note.length_beats.clamp(0.0, 2.0);
        blocks[0][pc] += weight;
        blocks[9][pc] = 1.0;
        let beat_phase = note.start_beats - note.start_beats.round();
        if beat_phase.abs() <= ON_BEAT_TOLERANCE_BEATS {
            blocks[1][pc] += weight;
        }
        let bar_phase_beats = note.start_beats - (note.start_beats / bar_beats).round() * bar_beats;
        if bar_phase_beats.abs() <= ON_BEAT_TOLERANCE_BEATS {
            blocks[10][pc] += weight;
            if first_down.is_none_or(|f| before(note, index, &notes[f], f)) {
                first_down = Some(index);
            }
            if last_down.is_none_or(|l| before(&notes[l], l, note, index)) {
                last_down = Some(index);
            }
            lowest_down = Some(lowest_down.map_or(note.key, |low| low.min(note.key)));
        }
        if first.is_none_or(|f| before(note, index, &notes[f], f)) {
            first = Some(index);
        }
        longest_beats = longest_beats.max(note.length_beats);
        lowest = Some(lowest.map_or(note.key, |low| low.min(note.key)));
    }
    if let (Some(first_down), Some(last_down), Some(lowest_down)) =
        (first_down, last_down, lowest_down)
    {
        blocks[11][(notes[first_down].key % 12) as usize] = 1.0;
        blocks[12][(notes[last_down].key % 12) as usize] = 1.0;
        blocks[13][(lowest_down % 12) as usize] = 1.0;
    }
    let Some(first) = first else {
        return KeyFeatures {
            blocks,
            profile_fit: [[0.0; NUM_PROFILE_FITS]; 24],
        };
    };
    let (previous, current) = walk_melody(notes, first, &mut blocks);
    blocks[2][(notes[first].key % 12) as usize] = 1.0;
    blocks[3][(notes[current].key % 12) as usize] = 1.0;
    if let Some(previous) = previous {
        blocks[4][(notes[previous].key % 12) as usize] = 1.0;
    }
    for note in notes {
        if note.length_beats >= longest_beats - ON_BEAT_TOLERANCE_BEATS {
            blocks[5][(note.key % 12) as usize] += 1.0;
        }
    }
    if let Some(lowest) = lowest {
        blocks[6][(lowest % 12) as usize] = 1.0;
    }
    for block in [0, 1, 5, 7, 8, 10] {
        let total: f64 = blocks[block].iter().sum();
        if total > 0.0 {
            for value in blocks[block].iter_mut() {
                *value /= total;
            }
        }
    }
    KeyFeatures {
        blocks,
        profile_fit: profile_fits(&blocks[0]),
    }
}

/// Walks the melody once in time order from `first`: half steps up into a pitch class (block
/// 7) and notes reached or left by a leap (block 8). Returns the last two notes (the one before
/// the last, if any, and the last).
fn walk_melody(
    notes: &[Note],
    first: usize,
    blocks: &mut [[f64; 12]; NUM_FEATURE_BLOCKS],
) -> (Option<usize>, usize) {
    // Motifs keep their notes in time order, so the successor is usually the next index.
    let in_order = notes
        .windows(2)
        .all(|pair| pair[0].start_beats <= pair[1].start_beats);
    let next_of = |current: usize| -> Option<usize> {
        if in_order {
            return (current + 1 < notes.len()).then_some(current + 1);
        }
        let mut best: Option<usize> = None;
        for (index, note) in notes.iter().enumerate() {
            if before(&notes[current], current, note, index)
                && best.is_none_or(|b| before(note, index, &notes[b], b))
            {
                best = Some(index);
            }
        }
        best
    };
    // Walk the melody once in time order: intervals, the last two notes.
    let (mut previous, mut current) = (None::<usize>, first);
    let mut leap_at = [false; 2]; // [reached by a leap, left by a leap] of `current`
    for _ in 0..notes.len() {
        let next = next_of(current);
        let note = &notes[current];
        if let Some(next) = next {
            let interval = i32::from(notes[next].key) - i32::from(note.key);
            leap_at[1] = interval.abs() >= 3;
            if interval == 1 {
                blocks[7][(notes[next].key % 12) as usize] += 1.0;
            }
        } else {
            leap_at[1] = false;
        }
        if leap_at[0] || leap_at[1] {
            blocks[8][(note.key % 12) as usize] += note.length_beats.clamp(0.0, 2.0);
        }
        leap_at[0] = leap_at[1];
        match next {
            Some(next) => {
                previous = Some(current);
                current = next;
            }
            None => break,
        }
    }
    (previous, current)
}

/// The correlation of the duration shares `shares` with the published profiles
/// (Temperley–Kostka–Payne, Albrecht–Shanahan) rotated to each of the 24 keys.
fn profile_fits(shares: &[f64; 12]) -> [[f64; NUM_PROFILE_FITS]; 24] {
    let profiles = [
        [&TEMPERLEY_KOSTKA_PAYNE_MAJOR, &ALBRECHT_SHANAHAN_MAJOR],
        [&TEMPERLEY_KOSTKA_PAYNE_MINOR, &ALBRECHT_SHANAHAN_MINOR],
    ];
    let mut profile_fit = [[0.0; NUM_PROFILE_FITS]; 24];
    for tonic in 0..12 {
        for (mode, mode_profiles) in profiles.iter().enumerate() {
            for (fit, profile) in mode_profiles.iter().enumerate() {
                let rotated: [f64; 12] = std::array::from_fn(|i| profile[(i + 12 - tonic) % 12]);
                profile_fit[tonic * 2 + mode][fit] = correlation(shares, &rotated);
            }
        }
    }
    profile_fit
}

/// Whether note `a` (at `a_index`) comes before note `b` in time order (ties by index, so the
/// order is total).
fn before(a: &Note, a_index: usize, b: &Note, b_index: usize) -> bool {
    a.start_beats < b.start_beats || (a.start_beats == b.start_beats && a_index < b_index)
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

/// The probability of every key under `weights` (order as [`key_logits`]; the finder passes
/// the shipped `LEARNED_WEIGHTS` of `key_weights.rs`).
/// `bar_length_beats`: see [`key_features`].
pub fn key_probabilities(notes: &[Note], bar_length_beats: f64, weights: &KeyWeights) -> [f64; 24] {
    let mut p = key_logits(&key_features(notes, bar_length_beats), weights);
    softmax(&mut p);
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::key_weights::LEARNED_WEIGHTS;

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
        let f = key_features(&notes, 4.0);
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
    fn cadence_and_melodic_blocks() {
        // B3 C4 E4 D4 C4 (last, long): rising semitone into C, leaps C→E.
        let notes = [
            note(0.0, 0.5, 59),
            note(0.5, 0.5, 60),
            note(1.0, 1.0, 64),
            note(2.0, 0.5, 62),
            note(2.5, 1.5, 60),
        ];
        let f = key_features(&notes, 4.0);
        assert_eq!(f.blocks[3][0], 1.0, "last note C");
        assert_eq!(f.blocks[4][2], 1.0, "second-to-last D");
        assert_eq!(f.blocks[4].iter().sum::<f64>(), 1.0);
        assert_eq!(f.blocks[5][0], 1.0, "longest note C");
        assert_eq!(f.blocks[6][11], 1.0, "lowest note B");
        assert_eq!(
            f.blocks[7][0], 1.0,
            "only C is reached by a rising semitone"
        );
        // Leaps: C4→E4 (4 semitones): C (0.5 beats) and E (1 beat) count.
        assert!((f.blocks[8][4] - 1.0 / 1.5).abs() < 1e-12);
        assert!((f.blocks[8][0] - 0.5 / 1.5).abs() < 1e-12);
        let present: Vec<usize> = (0..12).filter(|&pc| f.blocks[9][pc] == 1.0).collect();
        assert_eq!(present, [0, 2, 4, 11]);
        // The same notes in any order give the same features.
        let mut shuffled = notes;
        shuffled.swap(0, 4);
        shuffled.swap(1, 3);
        assert_eq!(key_features(&shuffled, 4.0), f);
    }

    #[test]
    fn downbeat_blocks_follow_the_bar() {
        // 3/4 with a pickup: E (pickup, beat 2), A (bar 1, 2 beats), C, B (bar 2), E, A (bar 3).
        let notes = [
            note(2.0, 1.0, 64),
            note(3.0, 2.0, 57),
            note(5.0, 1.0, 60),
            note(6.0, 1.0, 59),
            note(7.0, 1.0, 64),
            note(9.0, 3.0, 69),
        ];
        let f = key_features(&notes, 3.0);
        // Downbeats: A3 (2 beats), B3 (1), A4 (3, capped at 2).
        assert!((f.blocks[10][9] - 4.0 / 5.0).abs() < 1e-12);
        assert!((f.blocks[10][11] - 1.0 / 5.0).abs() < 1e-12);
        assert_eq!(f.blocks[10][4], 0.0, "the pickup is not a downbeat");
        assert_eq!(f.blocks[11][9], 1.0, "first downbeat A");
        assert_eq!(f.blocks[12][9], 1.0, "last downbeat A");
        assert_eq!(f.blocks[13][9], 1.0, "lowest downbeat A3");
        assert_eq!(f.blocks[13].iter().sum::<f64>(), 1.0);
        // In 4/4 no note starts on a bar line (onsets 2, 3, 5, 6, 7, 9).
        let in_four = key_features(&notes, 4.0);
        assert!(in_four.blocks[10..].iter().flatten().all(|&v| v == 0.0));
        // An unusable bar length counts as 4/4.
        assert_eq!(key_features(&notes, 0.0), in_four);
        assert_eq!(key_features(&notes, f64::NAN), in_four);
    }

    #[test]
    fn no_notes_and_one_note() {
        let empty = key_features(&[], 4.0);
        assert!(empty.blocks.iter().flatten().all(|&v| v == 0.0));
        let one = key_features(&[note(0.0, 1.0, 67)], 4.0);
        assert_eq!(one.blocks[2][7], 1.0);
        assert_eq!(one.blocks[3][7], 1.0);
        assert!(
            one.blocks[4].iter().all(|&v| v == 0.0),
            "no second-to-last note"
        );
        assert!(one.blocks[8].iter().all(|&v| v == 0.0), "no leap");
    }

    #[test]
    fn scores_move_with_transposition() {
        let notes = [note(0.0, 1.0, 60), note(1.0, 1.0, 64), note(2.0, 2.0, 67)];
        let moved: Vec<Note> = notes
            .iter()
            .map(|n| note(n.start_beats, n.length_beats, n.key + 5))
            .collect();
        let (a, b) = (
            key_probabilities(&notes, 4.0, &LEARNED_WEIGHTS),
            key_probabilities(&moved, 4.0, &LEARNED_WEIGHTS),
        );
        for tonic in 0..12 {
            for mode in 0..2 {
                let shifted = ((tonic + 5) % 12) * 2 + mode;
                assert!((a[tonic * 2 + mode] - b[shifted]).abs() < 1e-12);
            }
        }
        assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
