//! Cost of the plugin's `process()` per 64-sample block at 48 kHz, through a real CLAP host
//! (clack-host) loading the release build: Swell at full intensity playing while 4 notes per
//! block are played in (passed through and captured), against the same configuration bypassed
//! (pure pass-through of the same notes), and the same Swell with Hit lock planning 64 picture
//! hits every block, in the same run. Only the plugin's `process` call is
//! timed: the test host builds every block's events, transport and audio ports beforehand.
//! Criterion gives the means (`iter_custom` with the plugin's own time); a second pass
//! alternates 50 000 single blocks of each for the median and p99.
//! `cargo bench --bench process`

#[path = "../tests/common/built_plugin.rs"]
mod built_plugin;
#[allow(dead_code)]
#[path = "../tests/clap_host/host.rs"]
mod host;

use std::time::Duration;

use clack_host::events::event_types::TransportEvent;
use clack_host::prelude::EventBuffer;
use criterion::{criterion_group, criterion_main, Criterion};
use host::{in_event_buffer, transport, InKind, Layout, PluginUnderTest};

const BLOCK: usize = 64;
const SAMPLE_RATE: f64 = 48_000.0;
/// Blocks in one prepared cycle of input (the performance repeats after it).
const CYCLE_BLOCKS: usize = 1024;

/// What the instance under test does.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Bypass on: pure pass-through.
    Bypassed,
    /// Swell playing.
    Swell,
    /// Swell playing with Hit lock and 64 climax hits (one every 6 s) to plan every block.
    SwellHitLock,
}

/// A plugin with a motif in slot 1, Swell at full intensity, capture always listening, per
/// `mode`.
fn plugin(mode: Mode) -> PluginUnderTest {
    let mut params = vec![("Character", 1.0), ("Intensity", 1.0)];
    if mode == Mode::Bypassed {
        params.push(("Bypass", 1.0));
    }
    let mut plugin = PluginUnderTest::start_with(Layout::Stereo, SAMPLE_RATE, BLOCK, &params);
    let notes: Vec<(f64, f64, u8)> = (0..64)
        .map(|i| {
            (
                i as f64 * 0.25,
                0.25,
                60 + [0, 2, 4, 5, 7, 9, 11, 12][i % 8],
            )
        })
        .collect();
    let mut picture = reprise::engine::picture::Picture::default();
    if mode == Mode::SwellHitLock {
        for i in 0..reprise::engine::hits::MAX_HITS as i64 {
            picture.hits.push(reprise::engine::hits::Hit {
                frame: 96 + i * 144,
                name: reprise::engine::hits::HitName::new("hit"),
                lands: reprise::engine::hits::Lands::Climax,
                importance: reprise::engine::hits::Importance::Must,
            });
        }
    }
    let mut slots = reprise::library_schema::empty_slots();
    slots[0] = host::motif(&notes);
    plugin.load_library(
        reprise::library_schema::library_json(
            &slots,
            &reprise::library_schema::default_names(),
            &picture,
        ),
        &[],
    );
    plugin
}

/// The host's side of `CYCLE_BLOCKS` blocks, built before any timing: each block's input (4
/// notes, each struck and released inside the block) and transport (playing at 120 BPM).
struct Prepared {
    events: Vec<EventBuffer>,
    transports: Vec<TransportEvent>,
}

fn prepare() -> Prepared {
    let scale = [72u16, 74, 76, 77, 79, 81, 83, 84];
    let mut events = Vec::with_capacity(CYCLE_BLOCKS);
    let mut transports = Vec::with_capacity(CYCLE_BLOCKS);
    for block_idx in 0..CYCLE_BLOCKS {
        let mut block = Vec::new();
        for n in 0..4u32 {
            let key = scale[(block_idx * 4 + n as usize) % scale.len()];
            let note_id = (block_idx * 4) as u32 + n;
            block.push((
                n * 16,
                InKind::NoteOn {
                    channel: 0,
                    key,
                    velocity: 0.6,
                    note_id,
                },
            ));
            block.push((
                n * 16 + 8,
                InKind::NoteOff {
                    channel: 0,
                    key,
                    note_id,
                },
            ));
        }
        events.push(in_event_buffer(&block));
        let beats = (block_idx * BLOCK) as f64 * 120.0 / 60.0 / SAMPLE_RATE;
        transports.push(transport(beats, 120.0, true, None));
    }
    Prepared { events, transports }
}

/// One instance under test with its prepared input and a reused output buffer.
struct Runner {
    plugin: PluginUnderTest,
    out: EventBuffer,
    block_idx: usize,
    /// Output events of every block so far.
    num_out_events: usize,
}

impl Runner {
    fn new(mode: Mode) -> Self {
        Self {
            plugin: plugin(mode),
            out: EventBuffer::with_capacity(1 << 16),
            block_idx: 0,
            num_out_events: 0,
        }
    }

    /// One block; returns the time the plugin's `process` took.
    fn block(&mut self, prepared: &Prepared) -> Duration {
        let i = self.block_idx % CYCLE_BLOCKS;
        self.block_idx += 1;
        // The song position runs on across cycles (the prepared transports repeat their
        // positions every cycle, which the plugin would take for a locate).
        let mut transport = prepared.transports[i];
        let cycle_beats = (CYCLE_BLOCKS * BLOCK) as f64 * 2.0 / SAMPLE_RATE;
        let cycles = (self.block_idx - 1) / CYCLE_BLOCKS;
        transport.song_pos_beats = clack_host::utils::BeatTime::from_float(
            transport.song_pos_beats.to_float() + cycles as f64 * cycle_beats,
        );
        let elapsed =
            self.plugin
                .process_timed(BLOCK, &prepared.events[i], &mut self.out, Some(&transport));
        self.num_out_events += self.out.len() as usize;
        elapsed
    }
}

fn bench_process(c: &mut Criterion) {
    let prepared = prepare();
    // The rendering really plays (more output than the pass-through of the played notes) and
    // the bypassed instance only passes the notes through.
    let (mut check_on, mut check_off) = (Runner::new(Mode::Swell), Runner::new(Mode::Bypassed));
    for _ in 0..8000 {
        check_on.block(&prepared);
        check_off.block(&prepared);
    }
    assert_eq!(
        check_off.num_out_events,
        8000 * 8,
        "bypassed: pure pass-through"
    );
    // Swell's long surging notes and their CC curves: about 90 events a second here.
    assert!(
        check_on.num_out_events > check_off.num_out_events + 500,
        "the Swell rendering is not playing ({} events)",
        check_on.num_out_events
    );

    let mut group = c.benchmark_group("process_64_samples_4_notes_per_block");
    for (name, mode) in [
        ("bypassed", Mode::Bypassed),
        ("swell_full_intensity", Mode::Swell),
        ("swell_hit_lock_64_hits", Mode::SwellHitLock),
    ] {
        let mut runner = Runner::new(mode);
        group.bench_function(name, |b| {
            b.iter_custom(|iters| (0..iters).map(|_| runner.block(&prepared)).sum())
        });
    }
    group.finish();

    // Median and p99 of single blocks, the two configurations alternating (and which goes
    // first alternating too) in the same run.
    let mut runners = [
        Runner::new(Mode::Bypassed),
        Runner::new(Mode::Swell),
        Runner::new(Mode::SwellHitLock),
    ];
    for runner in &mut runners {
        for _ in 0..2000 {
            runner.block(&prepared);
        }
    }
    let mut times: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for round in 0..50_000usize {
        for k in 0..3 {
            let which = (k + round) % 3;
            let elapsed = runners[which].block(&prepared);
            times[which].push(elapsed.as_nanos() as f64 / 1000.0);
        }
    }
    let stats = |times: &mut Vec<f64>| {
        times.sort_by(f64::total_cmp);
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        (mean, times[times.len() / 2], times[times.len() * 99 / 100])
    };
    let (off_mean, off_median, off_p99) = stats(&mut times[0]);
    let (on_mean, on_median, on_p99) = stats(&mut times[1]);
    let (hit_mean, hit_median, hit_p99) = stats(&mut times[2]);
    println!("plugin process() µs per block (50 000 blocks of {BLOCK} samples, 4 notes each): mean / median / p99");
    println!("  bypassed (pure pass-through): {off_mean:.2} / {off_median:.2} / {off_p99:.2}");
    println!("  Swell at full intensity:      {on_mean:.2} / {on_median:.2} / {on_p99:.2}");
    println!("  Swell with Hit lock, 64 hits: {hit_mean:.2} / {hit_median:.2} / {hit_p99:.2}");
    println!(
        "  ratio Swell / bypassed (mean, median): {:.2}×, {:.2}×",
        on_mean / off_mean,
        on_median / off_median
    );
    println!(
        "  ratio Hit lock / bypassed (mean, median): {:.2}×, {:.2}×",
        hit_mean / off_mean,
        hit_median / off_median
    );
}

criterion_group!(benches, bench_process);
criterion_main!(benches);
