//! Cutdowns (issue 25): the Scarborough Fair demo motif filled to 60, 30, 15 and 10 s and a
//! sting, in Swell at intensity 0.8 (goal: all five under 20 ms); and the plugin's worst case,
//! Fit at its most (64 bars) in each character at full intensity, made on the audio thread
//! in buffers made once.
//! `cargo bench --bench fill --no-default-features`

use criterion::{criterion_group, criterion_main, Criterion};
use reprise::engine::character::{Character, CharacterSettings};
use reprise::engine::demo::demo_motif;
use reprise::engine::fill::{fill, FillLength, FillRequest, Filler, MAX_FIT_BARS};
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

fn live_fit(c: &mut Criterion) {
    let motif = demo_motif();
    let mut filler = Filler::new();
    for character in Character::ALL {
        let settings = CharacterSettings {
            character,
            intensity: 1.0,
            ..CharacterSettings::default()
        };
        c.bench_function(
            &format!("Fit {MAX_FIT_BARS} bars, {character:?} at 100 %"),
            |b| {
                b.iter(|| {
                    std::hint::black_box(
                        filler
                            .fill_bars(&motif, &settings, MAX_FIT_BARS, 96.0)
                            .map(|r| r.notes.len())
                            .ok(),
                    )
                })
            },
        );
        // Fit to end hit: the longest fitted ending (64 bars before the cut, a bar of ring).
        c.bench_function(
            &format!("Fit to end hit, {MAX_FIT_BARS} bars and a ring, {character:?} at 100 %"),
            |b| {
                b.iter(|| {
                    std::hint::black_box(
                        filler
                            .fill_to_button(&motif, &settings, MAX_FIT_BARS, 1.0, 96.0)
                            .map(|r| r.notes.len())
                            .ok(),
                    )
                })
            },
        );
    }
}

criterion_group!(benches, cutdowns, live_fit);
criterion_main!(benches);
