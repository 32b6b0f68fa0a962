//! Key-finding accuracy: the default (learned) finder on the hand-transcribed melodies, which
//! it was never trained on, and on its own development set (an in-sample guard against a broken
//! weights file; the held-out cross-validated figures are in BENCHMARKS.md, from
//! `cargo run --release --example key_train`).

#[path = "common/melody_sets.rs"]
mod melody_sets;
use reprise::engine::key::{estimate_key, DEFAULT_PROFILES};

#[test]
fn the_shipped_model_fits_its_development_set() {
    let set = melody_sets::load_dev_set();
    assert!(set.len() >= 500, "{} motifs", set.len());
    let (mut exact, mut top3) = (0, 0);
    for melody in &set {
        let estimate = estimate_key(&melody.notes, melody.bar_length_beats, DEFAULT_PROFILES)
            .unwrap_or_else(|| panic!("{} has no notes", melody.name));
        exact += usize::from(estimate.best.key == melody.key);
        top3 += usize::from(estimate.ranked[..3].iter().any(|c| c.key == melody.key));
    }
    let n = set.len() as f64;
    assert!(exact as f64 / n >= 0.85, "exact {exact}/{}", set.len());
    assert!(top3 as f64 / n >= 0.97, "top 3 {top3}/{}", set.len());
}

/// The least share of development-set tunes that must end on their label's tonic. The set as
/// generated has 82.8 % (2358 of 2849); a final field read from the wrong column or shifted by
/// an interval would give about 1/12, so half is a safe line between them.
const MIN_LABEL_CONSISTENT_SHARE: f64 = 0.5;

#[test]
fn the_development_set_records_each_tunes_final_note() {
    let set = melody_sets::load_dev_set();
    let checks: Vec<Option<bool>> = set.iter().map(|m| m.ends_on_tonic()).collect();
    assert!(checks.iter().all(Option::is_some), "a motif has no final");
    let consistent = checks.iter().filter(|c| **c == Some(true)).count();
    assert!(
        consistent as f64 / set.len() as f64 >= MIN_LABEL_CONSISTENT_SHARE,
        "only {consistent}/{} tunes end on their label's tonic",
        set.len()
    );
    assert!(set.iter().all(|m| m.final_pitch_class < Some(12)));
}

#[test]
fn default_key_finder_is_right_on_at_least_85_percent_of_the_melody_set() {
    let set = melody_sets::load_test_set();
    assert!(
        set.len() >= 40,
        "the test set needs at least 40 melodies, has {}",
        set.len()
    );
    let mut wrong = Vec::new();
    for melody in &set {
        let estimate = estimate_key(&melody.notes, melody.bar_length_beats, DEFAULT_PROFILES)
            .expect("melody has notes");
        if estimate.best.key != melody.key {
            wrong.push(format!(
                "{}: {} (expected {})",
                melody.name, estimate.best.key, melody.key
            ));
        }
    }
    let accuracy = 1.0 - wrong.len() as f64 / set.len() as f64;
    assert!(
        accuracy >= 0.85,
        "accuracy {:.1} %; wrong: {wrong:#?}",
        accuracy * 100.0
    );
}

#[test]
fn transposing_the_whole_set_keeps_the_results_consistent() {
    // Key finding must be transposition-invariant: every melody moved up a minor third gets the
    // same verdict, moved up a minor third.
    for melody in melody_sets::load_test_set() {
        let original = estimate_key(&melody.notes, melody.bar_length_beats, DEFAULT_PROFILES)
            .unwrap()
            .best
            .key;
        let moved: Vec<_> = melody
            .notes
            .iter()
            .map(|n| reprise::engine::motif::Note {
                key: n.key + 3,
                ..*n
            })
            .collect();
        let shifted = estimate_key(&moved, melody.bar_length_beats, DEFAULT_PROFILES)
            .unwrap()
            .best
            .key;
        assert_eq!(shifted.tonic, (original.tonic + 3) % 12, "{}", melody.name);
        assert_eq!(shifted.mode, original.mode, "{}", melody.name);
    }
}
