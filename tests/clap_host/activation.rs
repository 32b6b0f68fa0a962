//! Activation at many sample rates and block sizes, in both audio layouts.

use crate::host::{InEvent, InKind, Layout, OutKind, PluginUnderTest, Rng, PASS_THROUGH_ONLY};

const SAMPLE_RATES_HZ: [f64; 7] = [
    8_000.0, 22_050.0, 44_100.0, 48_000.0, 96_000.0, 192_000.0, 768_000.0,
];
const BLOCK_SIZES: [usize; 6] = [1, 64, 511, 4096, 8192, 16384];

/// A short note and a CC that must come out untouched whatever the block size.
fn probe_events() -> Vec<InEvent> {
    vec![
        InEvent {
            time_samples: 3,
            kind: InKind::NoteOn {
                channel: 0,
                key: 60,
                velocity: 0.75,
                note_id: 1,
            },
        },
        InEvent {
            time_samples: 70,
            kind: InKind::Midi {
                bytes: [0xB0, 1, 99],
            },
        },
        InEvent {
            time_samples: 600,
            kind: InKind::NoteOff {
                channel: 0,
                key: 60,
                note_id: 1,
            },
        },
    ]
}

fn assert_probe_output(out: &[crate::host::OutEvent], context: &str) {
    assert_eq!(out.len(), 3, "{context}: {out:?}");
    assert_eq!(out[0].time_samples, 3, "{context}");
    assert!(
        matches!(
            out[0].kind,
            OutKind::NoteOn {
                channel: 0,
                key: 60,
                note_id: 1,
                ..
            }
        ),
        "{context}: {out:?}"
    );
    assert_eq!(out[1].time_samples, 70, "{context}");
    assert_eq!(
        out[1].kind,
        OutKind::Midi {
            bytes: [0xB0, 1, 99]
        },
        "{context}"
    );
    assert_eq!(out[2].time_samples, 600, "{context}");
    assert!(
        matches!(
            out[2].kind,
            OutKind::NoteOff {
                channel: 0,
                key: 60,
                note_id: 1
            }
        ),
        "{context}: {out:?}"
    );
}

#[test]
fn activates_and_passes_events_at_every_sample_rate_and_block_size() {
    for layout in [Layout::Stereo, Layout::MidiOnly] {
        for sample_rate in SAMPLE_RATES_HZ {
            for max_block in BLOCK_SIZES {
                let mut plugin =
                    PluginUnderTest::start_with(layout, sample_rate, max_block, PASS_THROUGH_ONLY);
                let out = plugin.run(&probe_events(), (2 * max_block).max(1024) as u64, || {
                    max_block
                });
                assert_probe_output(
                    &out,
                    &format!("{layout:?} {sample_rate} Hz, blocks of {max_block}"),
                );
            }
        }
    }
}

#[test]
fn seeded_random_block_sizes_keep_event_times() {
    for seed in 1..=20u64 {
        let mut rng = Rng::new(seed);
        let layout = if seed % 2 == 0 {
            Layout::Stereo
        } else {
            Layout::MidiOnly
        };
        let mut plugin = PluginUnderTest::start_with(layout, 48_000.0, 4096, PASS_THROUGH_ONLY);
        let out = plugin.run(&probe_events(), 1024, || rng.range(1, 700) as usize);
        assert_probe_output(&out, &format!("seed {seed}, {layout:?}"));
    }
}

#[test]
fn reactivation_at_another_sample_rate_keeps_working() {
    let mut plugin = PluginUnderTest::start_with(Layout::Stereo, 44_100.0, 512, PASS_THROUGH_ONLY);
    let _ = plugin.run(&[], 2048, || 512);
    plugin.deactivate();
    plugin.sample_rate = 96_000.0;
    plugin.activate();
    let start = plugin.now_samples;
    let events: Vec<InEvent> = probe_events()
        .into_iter()
        .map(|e| InEvent {
            time_samples: e.time_samples + start,
            ..e
        })
        .collect();
    let out = plugin.run(&events, start + 1024, || 100);
    let shifted: Vec<_> = out
        .into_iter()
        .map(|e| crate::host::OutEvent {
            time_samples: e.time_samples - start,
            ..e
        })
        .collect();
    assert_probe_output(&shifted, "after reactivation");
}
