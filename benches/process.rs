//! Cost of the plugin's `process()` per 64-sample block, through a real CLAP host (clack-host)
//! loading the release build: a Swell rendering playing while played notes are captured, against
//! the same plugin doing plain pass-through, in the same run. Criterion gives the means; a second
//! pass times 20 000 single blocks for the median and p99.
//! `cargo bench --bench process`

#[allow(dead_code)]
#[path = "../tests/clap_host/host.rs"]
mod host;

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use host::{transport, InEvent, InKind, Layout, PluginUnderTest};

const BLOCK: usize = 64;
const SAMPLE_RATE: f64 = 48_000.0;

/// A plugin with a motif in slot 1 and either Swell playback with capture, or pass-through only.
fn plugin(rendering: bool) -> PluginUnderTest {
    let params: &[(&str, f64)] = if rendering {
        &[("Character", 1.0), ("Intensity", 1.0)]
    } else {
        &[("Playback", 0.0), ("Capture", 0.0)]
    };
    let mut plugin = PluginUnderTest::start_with(Layout::Stereo, SAMPLE_RATE, BLOCK, params);
    let notes: Vec<(f64, f64, u8)> = (0..64)
        .map(|i| {
            (
                i as f64 * 0.25,
                0.25,
                60 + [0, 2, 4, 5, 7, 9, 11, 12][i % 8],
            )
        })
        .collect();
    plugin.load_library(host::library_of(&[(0, &host::motif(&notes))]), &[]);
    plugin
}

/// One block at the plugin's current position: transport playing at 120 BPM, and every 8th
/// block a played note-on or note-off (a phrase every few bars, which capture takes in).
fn block(plugin: &mut PluginUnderTest, block_idx: u64) -> usize {
    let now = plugin.now_samples;
    let beats = now as f64 * 120.0 / 60.0 / SAMPLE_RATE;
    let events = match block_idx % 16 {
        0 => vec![InEvent {
            time_samples: now + 7,
            kind: InKind::NoteOn {
                channel: 0,
                key: 72,
                velocity: 0.6,
                note_id: 1,
            },
        }],
        8 => vec![InEvent {
            time_samples: now + 11,
            kind: InKind::NoteOff {
                channel: 0,
                key: 72,
                note_id: 1,
            },
        }],
        _ => Vec::new(),
    };
    plugin
        .process(BLOCK, &events, Some(&transport(beats, 120.0, true, None)))
        .len()
}

fn bench_process(c: &mut Criterion) {
    // The Swell configuration must really be playing (and the other only passing notes through).
    let mut check = plugin(true);
    let rendered: usize = (0..4000).map(|i| block(&mut check, i)).sum();
    assert!(
        rendered > 500,
        "the Swell rendering is not playing ({rendered} events)"
    );

    let mut group = c.benchmark_group("process_64_samples");
    for (name, rendering) in [
        ("pass_through", false),
        ("swell_playing_and_capturing", true),
    ] {
        let mut plugin = plugin(rendering);
        let mut block_idx = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                block_idx += 1;
                block(&mut plugin, block_idx)
            })
        });
    }
    group.finish();

    // Median and p99 of single blocks, both configurations interleaved in the same run.
    let mut plugins = [plugin(false), plugin(true)];
    let mut times = [Vec::new(), Vec::new()];
    for block_idx in 0..20_000u64 {
        for (plugin, times) in plugins.iter_mut().zip(&mut times) {
            let start = Instant::now();
            std::hint::black_box(block(plugin, block_idx));
            times.push(start.elapsed().as_nanos() as f64 / 1000.0);
        }
    }
    let stats = |times: &mut Vec<f64>| {
        times.sort_by(f64::total_cmp);
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        (mean, times[times.len() / 2], times[times.len() * 99 / 100])
    };
    let (pass_mean, pass_median, pass_p99) = stats(&mut times[0]);
    let (swell_mean, swell_median, swell_p99) = stats(&mut times[1]);
    println!("per-block µs (20 000 blocks of {BLOCK} samples): mean / median / p99");
    println!("  pass-through:                {pass_mean:.2} / {pass_median:.2} / {pass_p99:.2}");
    println!("  Swell playing + capturing:   {swell_mean:.2} / {swell_median:.2} / {swell_p99:.2}");
    println!(
        "  ratio (mean, median): {:.2}×, {:.2}×",
        swell_mean / pass_mean,
        swell_median / pass_median
    );
}

criterion_group!(benches, bench_process);
criterion_main!(benches);
