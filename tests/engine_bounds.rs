//! Far-off and extreme input cannot hang or overload a render: motifs built from arbitrary
//! finite note times, durations, tempos and metres (what a saved state, a `.mid` file or a long
//! capture can hold) are bounded on entry, and every character renders each one bounded (output
//! within its capacities), without allocating and without hanging. How long the far-apart cases
//! take is measured in `benches/render.rs`, not here: a loaded CI machine can slow a render a
//! hundredfold.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use reprise::engine::character::{render, ChannelLayout, Character, CharacterSettings};
use reprise::engine::motif::{Motif, Note, TimeSignature, MAX_MOTIF_BARS};
use reprise::engine::rendering::{Rendering, MAX_RENDER_CCS, MAX_RENDER_NOTES};

#[cfg(not(all(feature = "plugin", debug_assertions)))]
#[global_allocator]
static ALLOCATOR: nice_assert_no_alloc::AllocDisabler = nice_assert_no_alloc::AllocDisabler;

/// One render, in the unoptimised test build, may take this long at most: a hang detector, not a
/// speed claim. The far-apart motifs once walked 1e16 bars (forever); today's renders take well
/// under a millisecond in release and a few in this build (BENCHMARKS.md, `benches/render.rs`),
/// so even a machine slowed a thousandfold stays under it.
const HANG_LIMIT: Duration = Duration::from_secs(5);

/// Any finite f64, with extra weight on the far-off values that once hung the bar loops.
fn finite_beats() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::num::f64::POSITIVE
            | prop::num::f64::NEGATIVE
            | prop::num::f64::ZERO
            | prop::num::f64::SUBNORMAL
            | prop::num::f64::NORMAL,
        Just(1e7),
        Just(1e16),
        Just(f64::MAX),
        0.0f64..64.0,
        (0.0f64..1.0).prop_map(|x| x * 1e300),
    ]
}

fn motif_strategy() -> impl Strategy<Value = Motif> {
    (
        prop::collection::vec(
            (
                finite_beats(),
                finite_beats(),
                0u8..128,
                0.0f32..1.0,
                0u8..16,
            ),
            1..300,
        ),
        any::<u8>(),
        any::<u8>(),
        prop::num::f64::ANY,
    )
        .prop_map(|(notes, numerator, denominator, tempo)| {
            let mut motif = Motif::new(TimeSignature::new(numerator, denominator), tempo);
            for (start_beats, length_beats, key, velocity, channel) in notes {
                motif.push(Note {
                    start_beats,
                    length_beats,
                    key,
                    velocity,
                    channel,
                });
            }
            motif.finish();
            motif
        })
}

fn settings_strategy() -> impl Strategy<Value = CharacterSettings> {
    (
        prop::sample::select(vec![
            Character::Piano,
            Character::Swell,
            Character::Distant,
            Character::None,
        ]),
        0.0f64..=1.0,
        0.25f64..=4.0,
        0.0f64..=1.0,
        1u64..10_000,
        prop::bool::ANY,
    )
        .prop_map(
            |(character, intensity, augmentation, humanize, seed, split)| CharacterSettings {
                character,
                intensity,
                augmentation,
                humanize,
                seed,
                channel_layout: if split {
                    ChannelLayout::Split
                } else {
                    ChannelLayout::Single
                },
                ..CharacterSettings::default()
            },
        )
}

/// Renders `cases` random (motif, settings) pairs from a fixed seed; returns the slowest render.
fn render_random_cases(cases: u32) -> Duration {
    let config = ProptestConfig {
        cases,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5EED_0009),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let worst = std::cell::Cell::new(Duration::ZERO);
    let result = runner.run(
        &(motif_strategy(), settings_strategy(), prop::num::f64::ANY),
        |(motif, mut settings, playback_tempo)| {
            settings.playback_tempo_bpm = Some(playback_tempo);
            // Entry bound: every kept note lies inside the motif's bar limit.
            let limit = MAX_MOTIF_BARS as f64 * motif.time_signature.bar_length_beats();
            prop_assert!(motif.length_beats <= limit + 1e-9);
            for note in motif.notes() {
                prop_assert!(note.start_beats >= 0.0 && note.end_beats() <= limit);
            }
            let mut out = Rendering::new();
            let started = Instant::now();
            nice_assert_no_alloc::assert_no_alloc(|| render(&motif, &settings, &mut out));
            let took = started.elapsed();
            prop_assert!(
                took < HANG_LIMIT,
                "render took {took:?} ({:?})",
                settings.character
            );
            prop_assert!(out.notes.len() <= MAX_RENDER_NOTES && out.ccs.len() <= MAX_RENDER_CCS);
            for note in &out.notes {
                prop_assert!(note.start_beats.is_finite() && note.length_beats.is_finite());
                prop_assert!(note.key < 128 && note.channel < 16);
            }
            for point in &out.ccs {
                prop_assert!(point.beats.is_finite() && point.value.is_finite());
            }
            worst.set(worst.get().max(took));
            Ok(())
        },
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
    worst.get()
}

#[test]
fn arbitrary_finite_motifs_render_bounded_without_hanging() {
    let cases = 400;
    let worst = render_random_cases(cases);
    println!("{cases} random motifs × settings: worst render {worst:?} (budget {HANG_LIMIT:?})");
}

/// The slowest of the three characters at full intensity and the largest augmentation, each
/// rendered under the allocation guard.
fn slowest_full_render(motif: &Motif) -> Duration {
    let mut slowest = Duration::ZERO;
    for character in Character::ALL {
        let settings = CharacterSettings {
            character,
            intensity: 1.0,
            augmentation: 4.0,
            ..CharacterSettings::default()
        };
        let mut out = Rendering::new();
        let started = Instant::now();
        nice_assert_no_alloc::assert_no_alloc(|| render(motif, &settings, &mut out));
        slowest = slowest.max(started.elapsed());
    }
    slowest
}

/// The cases that once hung or took 0.1 s, on their own and reported: a note at 1e7 and at 1e16
/// beats after one at 0, in every character at full intensity and the largest augmentation.
#[test]
fn far_apart_notes_render_bounded_without_hanging() {
    let mut worst = Duration::ZERO;
    for far in [1e7, 1e16, 1e300] {
        let mut motif = Motif::new(TimeSignature::new(3, 4), 90.0);
        motif.push(Note {
            start_beats: 0.0,
            length_beats: 1.0,
            key: 62,
            velocity: 0.6,
            channel: 0,
        });
        assert!(!motif.push(Note {
            start_beats: far,
            length_beats: 1.0,
            key: 69,
            velocity: 0.6,
            channel: 0,
        }));
        assert!(motif.truncated, "the cut is flagged");
        motif.finish();
        worst = worst.max(slowest_full_render(&motif));
    }
    // A note exactly at the limit's edge, running far past it: shortened, still bounded.
    let mut edge = Motif::new(TimeSignature::new(255, 1), 1.0);
    edge.push(Note {
        start_beats: 0.0,
        length_beats: f64::MAX,
        key: 60,
        velocity: 0.5,
        channel: 0,
    });
    edge.finish();
    assert!(edge.truncated);
    worst = worst.max(slowest_full_render(&edge));
    println!("worst far-apart render: {worst:?}");
    assert!(worst < HANG_LIMIT, "{worst:?}");
}
