//! Prints key-finding accuracy on the hand-transcribed melody set for every finder (the learned
//! default and each profile set), and the melodies each gets wrong.
//! `cargo run --example key_accuracy`

// Shared with the tests; this example reads only the hand-transcribed set.
#[allow(dead_code)]
#[path = "../tests/common/melody_sets.rs"]
mod melody_sets;

use reprise::engine::key::{estimate_key, ProfileSet};

fn main() {
    let set = melody_sets::load_test_set();
    let num_minor = set
        .iter()
        .filter(|m| m.key.mode == reprise::engine::key::Mode::Minor)
        .count();
    println!("{} melodies ({} minor)", set.len(), num_minor);
    for profiles in [
        ProfileSet::Learned,
        ProfileSet::TemperleyKostkaPayne,
        ProfileSet::AlbrechtShanahanTemperley,
        ProfileSet::AlbrechtShanahan,
        ProfileSet::Temperley,
        ProfileSet::KrumhanslKessler,
    ] {
        let mut wrong = Vec::new();
        let mut num_tied = 0;
        for melody in &set {
            let estimate =
                estimate_key(&melody.notes, melody.bar_length_beats, profiles).expect("notes");
            if estimate.num_tied > 1 {
                num_tied += 1;
            }
            if estimate.best.key != melody.key {
                wrong.push(format!(
                    "{} → {} (is {})",
                    melody.name, estimate.best.key, melody.key
                ));
            }
        }
        let correct = set.len() - wrong.len();
        println!(
            "{profiles:?}: {correct}/{} = {:.1} % ({num_tied} decided by tie-break)",
            set.len(),
            100.0 * correct as f64 / set.len() as f64
        );
        for line in wrong {
            println!("    wrong: {line}");
        }
    }
}
