//! Cutdowns (issue 25): the Scarborough Fair demo motif filled to 60, 30, 15 and 10 s and a
//! sting, in Swell at intensity 0.8 (goal: all five under 20 ms).
//! `cargo bench --bench fill --no-default-features`

use criterion::{criterion_group, criterion_main, Criterion};
use reprise::engine::character::{Character, CharacterSettings};
use reprise::engine::demo::demo_motif;
use reprise::engine::fill::{fill, FillLength, FillRequest};
use reprise::engine::time_map::TempoChange;

fn cutdowns(c: &mut Criterion) {
    let motif = demo_motif();
    let settings = CharacterSettings {
        character: Character::Swell,
        intensity: 0.8,
        humanize: 0.0,
        ..CharacterSettings::default()
    };
    let request = |length, sting| FillRequest {
        length,
        tempo_map: vec![TempoChange {
            position_beats: 0.0,
            tempo_bpm: 96.0,
        }],
        allow_tempo_ratio: 0.03,
        sting,
    };
    let requests = [
        request(FillLength::Seconds(60.0), false),
        request(FillLength::Seconds(30.0), false),
        request(FillLength::Seconds(15.0), false),
        request(FillLength::Seconds(10.0), false),
        request(FillLength::Bars(2), true),
    ];
    c.bench_function("five cutdowns (60, 30, 15, 10 s and a sting)", |b| {
        b.iter(|| {
            for request in &requests {
                std::hint::black_box(fill(&motif, &settings, std::hint::black_box(request)).ok());
            }
        })
    });
}

criterion_group!(benches, cutdowns);
criterion_main!(benches);
