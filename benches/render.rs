//! Render time per character for 16-, 64- and 256-note motifs (goal: ≤ 50 µs for 64 notes), and
//! for the far-apart motifs that once hung the bar loops (a second note at 1e7, 1e16 or 1e300
//! beats, cut at the motif's bar limit; full intensity, largest augmentation): the timing that
//! `tests/engine_bounds.rs` only guards against hangs.
//! `cargo bench --bench render --no-default-features`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use reprise::engine::character::{render, Character, CharacterSettings};
use reprise::engine::motif::{Motif, Note, TimeSignature};
use reprise::engine::rendering::Rendering;

/// A deterministic stepwise-with-leaps melody of `num_notes` eighth and quarter notes.
fn motif(num_notes: usize) -> Motif {
    let mut motif = Motif::new(TimeSignature::new(4, 4), 100.0);
    let mut start = 0.0;
    for i in 0..num_notes {
        let length = if i % 3 == 2 { 1.0 } else { 0.5 };
        let key = 60 + [0, 2, 4, 5, 7, 4, 2, 9, 7, 5][i % 10] + if i % 20 >= 10 { 2 } else { 0 };
        motif.push(Note {
            start_beats: start,
            length_beats: length,
            key,
            velocity: 0.7,
            channel: 0,
        });
        start += length;
    }
    motif.finish();
    motif
}

/// A note at 0 and one `far` beats later (cut at the bar limit), in 3/4.
fn far_apart_motif(far: f64) -> Motif {
    let mut motif = Motif::new(TimeSignature::new(3, 4), 90.0);
    for (start_beats, key) in [(0.0, 62), (far, 69)] {
        motif.push(Note {
            start_beats,
            length_beats: 1.0,
            key,
            velocity: 0.6,
            channel: 0,
        });
    }
    motif.finish();
    motif
}

fn bench_render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render");
    let mut out = Rendering::new();
    for num_notes in [16, 64, 256] {
        let motif = motif(num_notes);
        for character in Character::ALL {
            let settings = CharacterSettings {
                character,
                intensity: 1.0,
                ..CharacterSettings::default()
            };
            group.bench_with_input(
                BenchmarkId::new(character.name(), num_notes),
                &motif,
                |b, motif| b.iter(|| render(std::hint::black_box(motif), &settings, &mut out)),
            );
        }
    }
    for far in [1e7, 1e16, 1e300] {
        let motif = far_apart_motif(far);
        for character in Character::ALL {
            let settings = CharacterSettings {
                character,
                intensity: 1.0,
                augmentation: 4.0,
                ..CharacterSettings::default()
            };
            group.bench_with_input(
                BenchmarkId::new(format!("far_apart_{}", character.name()), far),
                &motif,
                |b, motif| b.iter(|| render(std::hint::black_box(motif), &settings, &mut out)),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
