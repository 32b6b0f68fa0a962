//! Trains the learned key model and measures it honestly. On the development set
//! (`tests/data/key_dev_set.txt`, folk-tune openings from music21's `oneills1850` and
//! `airdsAirs`): 5-fold cross-validation, the regularisation chosen inside each training part by
//! an inner 4-fold cross-validation, accuracy reported on the held-out folds only, side by side
//! with the Temperley–Kostka–Payne and Albrecht–Shanahan profiles and the previous default on
//! the same folds. Then the hand-transcribed 50-melody set (never used for training) as a second
//! held-out check. With `--write`, trains on the whole development set and writes
//! `src/engine/key_weights.rs`.
//!
//! `cargo run --release --example key_train [-- --write]`

// Shared with the tests; the example reads only keys and notes.
#[allow(dead_code)]
#[path = "../tests/common/melody_sets.rs"]
mod melody_sets;

use reprise::engine::key::{
    estimate_key, Key, Mode, ProfileSet, CLEAR_PROBABILITY, LIKELY_PROBABILITY,
};
use reprise::engine::key_model::{
    key_features, key_logits, softmax, KeyFeatures, KeyWeights, NUM_FEATURE_BLOCKS,
    NUM_PROFILE_FITS,
};
use reprise::engine::motif::Note;
use reprise::engine::rng::Rng;

/// Regularisation strengths tried (L2 on the weights, per sample).
const LAMBDAS: [f64; 4] = [1e-5, 1e-4, 1e-3, 1e-2];
const OUTER_FOLDS: usize = 5;
const INNER_FOLDS: usize = 4;
const ITERATIONS: usize = 800;

/// Training iterations (`REPRISE_KEY_ITERATIONS` overrides [`ITERATIONS`] for experiments).
fn iterations() -> usize {
    std::env::var("REPRISE_KEY_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ITERATIONS)
}
const SEED: u64 = 0x004B_4559;

/// Mode balancing (see [`train`]); `REPRISE_KEY_BALANCE` overrides it for experiments.
fn balance() -> f64 {
    std::env::var("REPRISE_KEY_BALANCE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.5)
}

/// One labelled example.
#[derive(Clone)]
struct Sample {
    features: KeyFeatures,
    notes: Vec<Note>,
    key: Key,
}

fn key_index(key: Key) -> usize {
    key.tonic as usize * 2 + usize::from(key.mode == Mode::Minor)
}

fn key_of_index(index: usize) -> Key {
    Key::new(
        (index / 2) as u8,
        if index.is_multiple_of(2) {
            Mode::Major
        } else {
            Mode::Minor
        },
    )
}

/// Number of trained block weights (per mode, block and interval).
const NUM_BLOCK_PARAMS: usize = 2 * NUM_FEATURE_BLOCKS * 12;
/// Where the profile-fit weights start, then the biases.
const FIT_PARAMS: usize = NUM_BLOCK_PARAMS;
const BIAS_PARAMS: usize = FIT_PARAMS + 2 * NUM_PROFILE_FITS;
/// Number of trained parameters: blocks, profile fits, biases.
const NUM_PARAMS: usize = BIAS_PARAMS + 2;

/// Which feature blocks the model may use (all unless `REPRISE_KEY_BLOCKS` lists some, e.g.
/// `0,1,2,3`, for experiments); a left-out block is zero in every sample.
fn enabled_blocks() -> [bool; NUM_FEATURE_BLOCKS] {
    match std::env::var("REPRISE_KEY_BLOCKS") {
        Ok(list) => {
            let mut enabled = [false; NUM_FEATURE_BLOCKS];
            for item in list.split(',') {
                let block: usize = item
                    .trim()
                    .parse()
                    .expect("REPRISE_KEY_BLOCKS: block numbers");
                enabled[block] = true;
            }
            enabled
        }
        Err(_) => [true; NUM_FEATURE_BLOCKS],
    }
}

fn unpack(p: &[f64; NUM_PARAMS]) -> KeyWeights {
    let mut weights = KeyWeights {
        blocks: [[[0.0; 12]; NUM_FEATURE_BLOCKS]; 2],
        profile_fit: [[0.0; NUM_PROFILE_FITS]; 2],
        bias: [0.0; 2],
    };
    for mode in 0..2 {
        for block in 0..NUM_FEATURE_BLOCKS {
            for i in 0..12 {
                weights.blocks[mode][block][i] = p[(mode * NUM_FEATURE_BLOCKS + block) * 12 + i];
            }
        }
        for fit in 0..NUM_PROFILE_FITS {
            weights.profile_fit[mode][fit] = p[FIT_PARAMS + mode * NUM_PROFILE_FITS + fit];
        }
        weights.bias[mode] = p[BIAS_PARAMS + mode];
    }
    weights
}

/// Full-batch Adam on the weighted mean cross-entropy plus `lambda`·‖W‖² (biases free).
/// `balance` 0–1: how far each mode's samples are weighted toward equal total weight (0: as
/// they come; 1: minor and major weigh the same).
fn train(samples: &[&Sample], lambda: f64, balance: f64) -> KeyWeights {
    let mut params = [0.0f64; NUM_PARAMS];
    let (mut m, mut v) = ([0.0f64; NUM_PARAMS], [0.0f64; NUM_PARAMS]);
    let (rate, beta1, beta2) = (0.05, 0.9, 0.999);
    let num_minor = samples.iter().filter(|s| s.key.mode == Mode::Minor).count() as f64;
    let num_major = samples.len() as f64 - num_minor;
    let sample_weight = |sample: &Sample| {
        if num_minor == 0.0 || num_major == 0.0 {
            return 1.0;
        }
        let share = if sample.key.mode == Mode::Minor {
            num_minor
        } else {
            num_major
        } / samples.len() as f64;
        (0.5 / share).powf(balance)
    };
    for step in 1..=iterations() {
        let weights = unpack(&params);
        let mut grad = [0.0f64; NUM_PARAMS];
        let mut total_weight = 0.0;
        for sample in samples {
            let sample_weight = sample_weight(sample);
            total_weight += sample_weight;
            let mut p = key_logits(&sample.features, &weights);
            softmax(&mut p);
            let target = key_index(sample.key);
            for (k, pk) in p.iter().enumerate() {
                let c = sample_weight * (pk - if k == target { 1.0 } else { 0.0 });
                let (tonic, mode) = (k / 2, k % 2);
                for block in 0..NUM_FEATURE_BLOCKS {
                    let features = &sample.features.blocks[block];
                    for i in 0..12 {
                        grad[(mode * NUM_FEATURE_BLOCKS + block) * 12 + i] +=
                            c * features[(tonic + i) % 12];
                    }
                }
                for fit in 0..NUM_PROFILE_FITS {
                    grad[FIT_PARAMS + mode * NUM_PROFILE_FITS + fit] +=
                        c * sample.features.profile_fit[k][fit];
                }
                grad[BIAS_PARAMS + mode] += c;
            }
        }
        for (i, g) in grad.iter_mut().enumerate() {
            *g /= total_weight;
            if i < BIAS_PARAMS {
                *g += 2.0 * lambda * params[i];
            }
        }
        for i in 0..NUM_PARAMS {
            m[i] = beta1 * m[i] + (1.0 - beta1) * grad[i];
            v[i] = beta2 * v[i] + (1.0 - beta2) * grad[i] * grad[i];
            let m_hat = m[i] / (1.0 - beta1.powi(step as i32));
            let v_hat = v[i] / (1.0 - beta2.powi(step as i32));
            params[i] -= rate * m_hat / (v_hat.sqrt() + 1e-9);
        }
    }
    unpack(&params)
}

/// The keys of a method, best first.
trait Method {
    fn rank(&self, sample: &Sample) -> [Key; 24];
}

struct Learned(KeyWeights);

impl Learned {
    /// The best key's probability.
    fn top_probability(&self, sample: &Sample) -> f64 {
        let mut p = key_logits(&sample.features, &self.0);
        softmax(&mut p);
        p.iter().copied().fold(0.0, f64::max)
    }
}

impl Method for Learned {
    fn rank(&self, sample: &Sample) -> [Key; 24] {
        let logits = key_logits(&sample.features, &self.0);
        let mut order: [usize; 24] = std::array::from_fn(|i| i);
        order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]).then(a.cmp(&b)));
        order.map(key_of_index)
    }
}

struct Profiles(ProfileSet);

impl Method for Profiles {
    fn rank(&self, sample: &Sample) -> [Key; 24] {
        let estimate = estimate_key(&sample.notes, self.0).expect("notes");
        estimate.ranked.map(|c| c.key)
    }
}

/// Correct counts of one method on a set of samples.
#[derive(Default, Clone, Copy)]
struct Tally {
    total: usize,
    exact: usize,
    top3: usize,
    major: (usize, usize),
    minor: (usize, usize),
    /// (total, exact) by note count 4–7, 8–11, 12–16.
    by_length: [(usize, usize); 3],
}

impl Tally {
    fn add(&mut self, sample: &Sample, ranked: &[Key; 24]) {
        let exact = ranked[0] == sample.key;
        self.total += 1;
        self.exact += exact as usize;
        self.top3 += ranked[..3].contains(&sample.key) as usize;
        let mode = if sample.key.mode == Mode::Major {
            &mut self.major
        } else {
            &mut self.minor
        };
        mode.0 += 1;
        mode.1 += exact as usize;
        let bucket = match sample.notes.len() {
            0..=7 => 0,
            8..=11 => 1,
            _ => 2,
        };
        self.by_length[bucket].0 += 1;
        self.by_length[bucket].1 += exact as usize;
    }

    fn accuracy(&self) -> f64 {
        self.exact as f64 / self.total.max(1) as f64
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "—".to_owned();
    }
    format!("{:.1} %", 100.0 * part as f64 / whole as f64)
}

/// Splits `0..n` into `folds` interleaved folds of a seeded shuffle.
fn folds(n: usize, folds: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(seed);
    for i in (1..n).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    let mut out = vec![Vec::new(); folds];
    for (position, index) in order.into_iter().enumerate() {
        out[position % folds].push(index);
    }
    out
}

/// The λ with the best inner cross-validated accuracy on `train_idx`.
fn choose_lambda(samples: &[Sample], train_idx: &[usize], seed: u64) -> f64 {
    // For quick experiments only: a fixed λ skips the inner cross-validation.
    if let Some(lambda) = std::env::var("REPRISE_KEY_LAMBDA")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return lambda;
    }
    let inner = folds(train_idx.len(), INNER_FOLDS, seed);
    let mut best = (LAMBDAS[0], -1.0);
    for lambda in LAMBDAS {
        let mut tally = Tally::default();
        for held in &inner {
            let held_set: std::collections::HashSet<usize> = held.iter().copied().collect();
            let training: Vec<&Sample> = (0..train_idx.len())
                .filter(|i| !held_set.contains(i))
                .map(|i| &samples[train_idx[i]])
                .collect();
            let model = Learned(train(&training, lambda, balance()));
            for &i in held {
                let sample = &samples[train_idx[i]];
                tally.add(sample, &model.rank(sample));
            }
        }
        if tally.accuracy() > best.1 {
            best = (lambda, tally.accuracy());
        }
    }
    best.0
}

fn report(name: &str, tally: &Tally) {
    println!(
        "| {name} | {} | {} | {} ({}/{}) | {} ({}/{}) | {} | {} | {} |",
        percent(tally.exact, tally.total),
        percent(tally.top3, tally.total),
        percent(tally.major.1, tally.major.0),
        tally.major.1,
        tally.major.0,
        percent(tally.minor.1, tally.minor.0),
        tally.minor.1,
        tally.minor.0,
        percent(tally.by_length[0].1, tally.by_length[0].0),
        percent(tally.by_length[1].1, tally.by_length[1].0),
        percent(tally.by_length[2].1, tally.by_length[2].0),
    );
}

fn to_sample(notes: Vec<Note>, key: Key) -> Sample {
    let mut features = key_features(&notes);
    for (block, enabled) in features.blocks.iter_mut().zip(enabled_blocks()) {
        if !enabled {
            *block = [0.0; 12];
        }
    }
    Sample {
        features,
        notes,
        key,
    }
}

fn main() {
    let write = std::env::args().any(|a| a == "--write");
    let samples: Vec<Sample> = melody_sets::load_dev_set()
        .into_iter()
        .map(|m| to_sample(m.notes, m.key))
        .collect();
    let num_minor = samples.iter().filter(|s| s.key.mode == Mode::Minor).count();
    println!(
        "development set: {} motifs ({} minor), {OUTER_FOLDS}-fold cross-validation, λ from {LAMBDAS:?} by inner {INNER_FOLDS}-fold CV",
        samples.len(),
        num_minor
    );
    let outer = folds(samples.len(), OUTER_FOLDS, SEED);
    let baselines: [(&str, ProfileSet); 3] = [
        (
            "Temperley–Kostka–Payne profile",
            ProfileSet::TemperleyKostkaPayne,
        ),
        ("Albrecht–Shanahan profile", ProfileSet::AlbrechtShanahan),
        (
            "previous default (A–S + Temperley 1999, tie-breaks)",
            ProfileSet::AlbrechtShanahanTemperley,
        ),
    ];
    let mut learned = Tally::default();
    let mut baseline_tallies = [Tally::default(); 3];
    let mut fold_accuracies = Vec::new();
    // (verdicts, right) for "clear", "likely", "ambiguous" on the held-out motifs.
    let mut by_certainty = [(0usize, 0usize); 3];
    for (fold_idx, held) in outer.iter().enumerate() {
        let held_set: std::collections::HashSet<usize> = held.iter().copied().collect();
        let train_idx: Vec<usize> = (0..samples.len())
            .filter(|i| !held_set.contains(i))
            .collect();
        let lambda = choose_lambda(&samples, &train_idx, SEED + 1 + fold_idx as u64);
        let training: Vec<&Sample> = train_idx.iter().map(|&i| &samples[i]).collect();
        let model = Learned(train(&training, lambda, balance()));
        let mut fold = Tally::default();
        for &i in held {
            let ranked = model.rank(&samples[i]);
            learned.add(&samples[i], &ranked);
            let p = model.top_probability(&samples[i]);
            let bucket = if p >= CLEAR_PROBABILITY {
                0
            } else if p >= LIKELY_PROBABILITY {
                1
            } else {
                2
            };
            by_certainty[bucket].0 += 1;
            by_certainty[bucket].1 += usize::from(ranked[0] == samples[i].key);
            fold.add(&samples[i], &ranked);
            for (tally, (_, profiles)) in baseline_tallies.iter_mut().zip(baselines) {
                tally.add(&samples[i], &Profiles(profiles).rank(&samples[i]));
            }
        }
        fold_accuracies.push(fold.accuracy());
        println!(
            "fold {}: {} held out, λ = {lambda}, exact {}",
            fold_idx + 1,
            held.len(),
            percent(fold.exact, fold.total)
        );
    }
    println!();
    println!("Held-out folds pooled:");
    println!("| method | exact | top 3 | major | minor | 4–7 notes | 8–11 notes | 12–16 notes |");
    println!("|---|---|---|---|---|---|---|---|");
    report("learned model", &learned);
    for (tally, (name, _)) in baseline_tallies.iter().zip(baselines) {
        report(name, tally);
    }
    let mean = fold_accuracies.iter().sum::<f64>() / fold_accuracies.len() as f64;
    let spread = fold_accuracies
        .iter()
        .map(|a| (a - mean).powi(2))
        .sum::<f64>()
        .sqrt()
        / (fold_accuracies.len() as f64 - 1.0).sqrt();
    println!(
        "learned, per fold: mean {:.1} %, sd {:.1} points",
        100.0 * mean,
        100.0 * spread
    );

    println!("What the verdicts mean on the held-out motifs (learned model, best key right):");
    for (words, (count, right)) in ["clear", "likely", "ambiguous"].iter().zip(by_certainty) {
        println!(
            "  {words}: {count} motifs ({} of all), best key right {}",
            percent(count, samples.len()),
            percent(right, count)
        );
    }

    // The final model: trained on the whole set, λ chosen by CV on the whole set.
    let all: Vec<usize> = (0..samples.len()).collect();
    let lambda = choose_lambda(&samples, &all, SEED);
    let everything: Vec<&Sample> = samples.iter().collect();
    let weights = train(&everything, lambda, balance());
    println!(
        "final model: λ = {lambda}, trained on all {} motifs",
        samples.len()
    );

    // Second held-out check: the hand-transcribed melodies, never trained on.
    let hand: Vec<Sample> = melody_sets::load_test_set()
        .into_iter()
        .map(|m| to_sample(m.notes, m.key))
        .collect();
    println!();
    println!(
        "Hand-transcribed set ({} melodies, not used for training):",
        hand.len()
    );
    println!("| method | exact | top 3 | major | minor | 4–7 notes | 8–11 notes | 12–16+ notes |");
    println!("|---|---|---|---|---|---|---|---|");
    let final_model = Learned(weights);
    let mut tally = Tally::default();
    for sample in &hand {
        tally.add(sample, &final_model.rank(sample));
    }
    report("learned model", &tally);
    for (name, profiles) in baselines {
        let mut tally = Tally::default();
        for sample in &hand {
            tally.add(sample, &Profiles(profiles).rank(sample));
        }
        report(name, &tally);
    }

    if write {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine/key_weights.rs");
        let row = |values: &[f64]| {
            let values: Vec<String> = values.iter().map(|w| format!("{w:.6}")).collect();
            format!("[{}]", values.join(", "))
        };
        let mut text = String::from(
            "//! Weights of the learned key model (`key_model.rs`). Generated by\n\
             //! `cargo run --release --example key_train -- --write`; do not edit by hand.\n\n\
             use super::key_model::KeyWeights;\n\n\
             /// The shipped weights.\n\
             pub const LEARNED_WEIGHTS: KeyWeights = KeyWeights {\n    blocks: [\n",
        );
        for mode in &weights.blocks {
            text.push_str("        [\n");
            for block in mode {
                text.push_str(&format!("            {},\n", row(block)));
            }
            text.push_str("        ],\n");
        }
        text.push_str("    ],\n    profile_fit: [\n");
        for mode in &weights.profile_fit {
            text.push_str(&format!("        {},\n", row(mode)));
        }
        text.push_str(&format!("    ],\n    bias: {},\n}};\n", row(&weights.bias)));
        std::fs::write(&path, text).expect("write key_weights.rs");
        println!("wrote {}", path.display());
    }
}
