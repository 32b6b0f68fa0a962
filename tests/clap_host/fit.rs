//! Fit through a real CLAP host (issue 25): with "Fit to bars" at 12 in the project's state,
//! Follow transport plays a 12-bar variation — the tonic button on bar 12's downbeat, the
//! theme again on bar 13 — in random blocks, every note ended; the setting is saved with the
//! project. (The debug plugin aborts if its audio thread allocates, so the fill made in
//! `process` is checked for that too.)

use crate::host::{
    assert_balanced, motif, saved_library, state_json, transport, Layout, OutEvent, OutKind,
    PluginUnderTest, Rng,
};
use reprise::library_schema::{default_names, empty_slots, library_json};

const SAMPLE_RATE: f64 = 48_000.0;
const TEMPO_BPM: f64 = 120.0;

/// Note-ons on channel 1 as (sample, key).
fn melody_ons(out: &[OutEvent]) -> Vec<(u64, i16)> {
    out.iter()
        .filter_map(|e| match e.kind {
            OutKind::NoteOn {
                channel: 0, key, ..
            } => Some((e.time_samples, key)),
            _ => None,
        })
        .collect()
}

#[test]
fn fit_to_twelve_bars_loops_a_twelve_bar_variation_ending_on_the_tonic() {
    // Two bars in C major, 4/4, ending away from the tonic.
    let theme = motif(&[
        (0.0, 1.0, 60),
        (1.0, 1.0, 64),
        (2.0, 1.0, 67),
        (3.0, 1.0, 65),
        (4.0, 2.0, 64),
        (6.0, 2.0, 62),
    ]);
    let samples_per_beat = SAMPLE_RATE * 60.0 / TEMPO_BPM;
    let end = (26.0 * 4.0 * samples_per_beat) as u64;
    for seed in [1, 2] {
        let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 4096);
        let mut slots = empty_slots();
        slots[0] = theme.clone();
        plugin.load_library(
            library_json(&slots, &default_names(), &Default::default()),
            &[
                ("character", serde_json::json!({"string": "piano"})),
                ("capture_mode", serde_json::json!({"string": "off"})),
                ("fit_bars", serde_json::json!({"i32": 12})),
                ("humanize", serde_json::json!({"f32": 0.0})),
            ],
        );
        let mut rng = Rng::new(seed);
        let mut out = plugin.run_with_transport(
            &[],
            end,
            || rng.range(1, 2048) as usize,
            |sample| {
                Some(transport(
                    sample as f64 / samples_per_beat,
                    TEMPO_BPM,
                    true,
                    None,
                ))
            },
        );
        out.extend(plugin.run_with_transport(
            &[],
            end + 64,
            || 64,
            |_| {
                Some(transport(
                    end as f64 / samples_per_beat,
                    TEMPO_BPM,
                    false,
                    None,
                ))
            },
        ));
        assert_balanced(&out, "fit");
        let ons = melody_ons(&out);
        for cycle in 0..2u64 {
            let bar = |n: u64| ((n + 12 * cycle - 1) as f64 * 4.0 * samples_per_beat) as u64;
            // The button: a C on bar 12's downbeat, nothing else in its bar.
            assert!(
                ons.iter().any(|&(at, key)| at == bar(12) && key % 12 == 0),
                "seed {seed}: no tonic on bar {} ({:?})",
                12 + 12 * cycle,
                ons.iter()
                    .filter(|o| o.0 >= bar(11) && o.0 < bar(13))
                    .collect::<Vec<_>>()
            );
            assert!(
                !ons.iter().any(|&(at, _)| at > bar(12) && at < bar(13)),
                "seed {seed}: the button's bar holds only the button"
            );
            // The theme's first note opens the cycle.
            assert!(
                ons.iter().any(|&(at, key)| at == bar(1) && key % 12 == 0),
                "seed {seed}: cycle {cycle} opens on the theme's C: {:?}",
                &ons[..ons.len().min(6)]
            );
        }
        let state = state_json(&plugin.save_state());
        assert_eq!(state["params"]["fit_bars"], serde_json::json!({"i32": 12}));
        assert_eq!(saved_library(&plugin.save_state())["version"], 3);
    }
}
