//! The plugin's Fit (issue 25): with "Fit to bars" at N, Follow transport plays a variation of
//! exactly N bars of the song's metre — its button, the tonic, on bar N — and loops it; the
//! fill is made on the audio thread without allocating, the output is the same at every block
//! size, and no key is held twice.

#[path = "common/live.rs"]
mod live;

use live::*;
use reprise::engine::character::{Character, CharacterSettings};
use reprise::engine::key::{Key, Mode};
use reprise::engine::motif::{Motif, Note};
use reprise::engine::playback::LiveCapture;

/// A two-bar 3/4 theme in G major.
fn theme() -> Motif {
    let mut motif = Motif::new(TimeSignature::new(3, 4), 100.0);
    for (start, length, key) in [
        (0.0, 1.0, 67),
        (1.0, 1.0, 71),
        (2.0, 1.0, 74),
        (3.0, 1.5, 72),
        (4.5, 0.5, 71),
        (5.0, 1.0, 69),
    ] {
        motif.push(Note {
            start_beats: start,
            length_beats: length * 0.9,
            key,
            velocity: 0.7,
            channel: 0,
        });
    }
    motif.finish();
    motif.locked_key = Some(Key::new(7, Mode::Major));
    motif
}

fn fitted(character: Character, bars: u32) -> LiveSettings {
    LiveSettings {
        character: CharacterSettings {
            character,
            intensity: 0.8,
            humanize: 0.0,
            ..CharacterSettings::default()
        },
        playback_mode: PlaybackMode::FollowTransport,
        looping: true,
        capture: LiveCapture::Off,
        fit_bars: Some(bars),
        ..LiveSettings::default()
    }
}

/// The length of the rendering the engine plays with `settings` (after one block), beats.
fn rendering_beats(settings: &LiveSettings) -> f64 {
    let mut engine = Box::new(LiveEngine::new());
    engine.prepare(SAMPLE_RATE);
    engine.set_slot(0, &theme());
    let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
    let block = BlockInfo {
        num_samples: BLOCK,
        transport: Some(transport(0.0, 120.0, TimeSignature::new(3, 4))),
    };
    nice_assert_no_alloc::assert_no_alloc(|| {
        engine.process(&block, settings, [] as [Event; 0], &mut out);
    });
    engine.rendering().length_beats
}

/// Plays 26 bars of 3/4 at 120 BPM in blocks of `block` samples; returns the note-ons
/// (sample, channel, key) and the engine.
fn play(settings: &LiveSettings, block: u32) -> (Vec<(u64, u8, u8)>, Box<LiveEngine>) {
    let mut engine = Box::new(LiveEngine::new());
    engine.prepare(SAMPLE_RATE);
    engine.set_slot(0, &theme());
    let beats_per_sample = 120.0 / 60.0 / SAMPLE_RATE;
    let total = (26.0 * 3.0 / beats_per_sample) as u64;
    let blocks: Vec<HostBlock> = (0..total.div_ceil(u64::from(block)))
        .map(|i| {
            let beats = (i * u64::from(block)) as f64 * beats_per_sample;
            (block, transport(beats, 120.0, TimeSignature::new(3, 4)))
        })
        .collect();
    let (sampler, _) = drive(&mut engine, &blocks, |_| *settings, &[]);
    // The song's 26 bars (the last block may run past them).
    let mut ons: Vec<(u64, u8, u8)> = sampler
        .notes
        .iter()
        .filter(|n| n.on < total)
        .map(|n| (n.on, n.channel, n.key))
        .collect();
    ons.sort_unstable();
    (ons, engine)
}

#[test]
fn fit_plays_exactly_the_bars_asked_with_the_tonic_on_the_last() {
    for character in Character::ALL {
        let settings = fitted(character, 12);
        let (ons, _) = play(&settings, 512);
        assert_eq!(
            rendering_beats(&settings),
            36.0,
            "{character:?}: 12 bars of 3/4"
        );
        // The button: bar 12's downbeat, the tonic G in the melody, and again a cycle later.
        let samples_per_beat = SAMPLE_RATE * 60.0 / 120.0;
        for cycle in 0..2u64 {
            let button = ((33.0 + 36.0 * cycle as f64) * samples_per_beat).round() as u64;
            assert!(
                ons.iter()
                    .any(|&(on, channel, key)| on == button && channel == 0 && key % 12 == 7),
                "{character:?}: no tonic on bar {} ({button})",
                12 + 12 * cycle
            );
            // Nothing starts in the button's bar after its downbeat.
            let bar_end = button + (3.0 * samples_per_beat) as u64;
            assert!(
                !ons.iter().any(|&(on, ..)| on > button && on < bar_end),
                "{character:?}: the button's bar holds only the button"
            );
        }
    }
}

#[test]
fn a_fit_sounds_the_same_at_every_block_size() {
    let settings = fitted(Character::Swell, 9);
    let (reference, _) = play(&settings, 512);
    for block in [64, 1000, 4096] {
        let (ons, _) = play(&settings, block);
        let only_here: Vec<_> = ons.iter().filter(|o| !reference.contains(o)).collect();
        let only_there: Vec<_> = reference.iter().filter(|o| !ons.contains(o)).collect();
        assert_eq!(
            ons, reference,
            "block {block}: only at {block}: {only_here:?}; only at 512: {only_there:?}"
        );
    }
    // Off: the character's own length (Swell's broadened theme), not 9 bars.
    assert_eq!(rendering_beats(&settings), 27.0);
    let off = LiveSettings {
        fit_bars: None,
        ..settings
    };
    assert_ne!(rendering_beats(&off), 27.0);
}
