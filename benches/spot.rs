//! Find Tempo (issue 24): 8 `must` hits over 90 s of 24 fps picture, searched over 40–200 BPM
//! in 0.01 BPM steps (goal: under 200 ms).
//! `cargo bench --bench spot --no-default-features`

use criterion::{criterion_group, criterion_main, Criterion};
use reprise::engine::hits::{Hit, HitList, HitName, Importance, Lands};
use reprise::engine::motif::TimeSignature;
use reprise::engine::spot::{find_tempo, SpotRequest};
use reprise::engine::timecode::{nearest_frame, FrameRate};

fn spot(c: &mut Criterion) {
    let rate = FrameRate::Fps24;
    let mut hits = HitList::default();
    for seconds in [3.2, 11.9, 19.45, 33.0, 47.7, 61.25, 74.0, 88.4] {
        hits.push(Hit {
            frame: nearest_frame(seconds, rate),
            name: HitName::new("hit"),
            lands: Lands::Climax,
            importance: Importance::Must,
        });
    }
    let request = SpotRequest {
        hits: &hits,
        rate,
        metre: TimeSignature::new(4, 4),
        tempo_range_bpm: (40.0, 200.0),
        preferred_tempo_bpm: 100.0,
    };
    c.bench_function("find_tempo 8 hits, 90 s, 40-200 BPM", |b| {
        b.iter(|| find_tempo(std::hint::black_box(&request)))
    });
}

criterion_group!(benches, spot);
criterion_main!(benches);
