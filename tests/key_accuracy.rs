//! Key-finding accuracy on a hand-transcribed set of public-domain melodies with known keys.
//! The figures are reported in BENCHMARKS.md (`cargo run --example key_accuracy`).

#[path = "common/melodies.rs"]
mod melodies;

use reprise::engine::key::{estimate_key, DEFAULT_PROFILES};

#[test]
fn default_key_finder_is_right_on_at_least_85_percent_of_the_melody_set() {
    let set = melodies::load();
    assert!(
        set.len() >= 40,
        "the test set needs at least 40 melodies, has {}",
        set.len()
    );
    let mut wrong = Vec::new();
    for melody in &set {
        let estimate = estimate_key(&melody.notes, DEFAULT_PROFILES).expect("melody has notes");
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
    for melody in melodies::load() {
        let original = estimate_key(&melody.notes, DEFAULT_PROFILES)
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
        let shifted = estimate_key(&moved, DEFAULT_PROFILES).unwrap().best.key;
        assert_eq!(shifted.tonic, (original.tonic + 3) % 12, "{}", melody.name);
        assert_eq!(shifted.mode, original.mode, "{}", melody.name);
    }
}
