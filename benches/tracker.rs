//! CPU cost of the audio note tracker (issue 13; goal: ≤ 2 % of one core at 48 kHz with
//! 64-sample blocks). Criterion times one second of a sung-like melody (notes, vibrato,
//! silences) fed in 64-sample blocks; the share of a core is that time over one second.
//! `cargo bench --bench tracker --no-default-features`

use criterion::{criterion_group, criterion_main, Criterion};
use reprise::engine::audio_capture::{NoteTracker, PitchRange, TrackerSettings};

const RATE: f64 = 48_000.0;

/// One second: four notes with vibrato and short silences between them.
fn melody() -> Vec<f32> {
    let len = RATE as usize;
    (0..len)
        .map(|n| {
            let t = n as f64 / RATE;
            let index = (t / 0.25) as usize;
            let within = t - index as f64 * 0.25;
            if within > 0.22 {
                return 0.0;
            }
            let key = [62.0, 65.0, 69.0, 67.0][index.min(3)];
            let f = 440.0 * 2f64.powf((key - 69.0) / 12.0);
            let vibrato = 0.004 * (std::f64::consts::TAU * 5.5 * t).sin();
            let phase = std::f64::consts::TAU * f * within * (1.0 + vibrato);
            (0.3 * (phase.sin() + 0.4 * (2.0 * phase).sin())) as f32
        })
        .collect()
}

fn bench_tracker(c: &mut Criterion) {
    let signal = melody();
    let mut tracker = NoteTracker::new(RATE, TrackerSettings::for_range(PitchRange::Voice));
    let mut group = c.benchmark_group("tracker");
    group.bench_function("one second at 48 kHz in 64-sample blocks", |b| {
        b.iter(|| {
            let mut notes = 0usize;
            for block in signal.chunks(64) {
                tracker.process(block, block, &mut |_| notes += 1);
            }
            notes
        })
    });
    group.finish();
}

criterion_group!(benches, bench_tracker);
criterion_main!(benches);
