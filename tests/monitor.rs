//! The standalone app's monitor (issue 26, "hear it without a DAW"): a block's output events
//! played through a General MIDI SoundFont into the audio outputs, live, under the allocation
//! guard — a note sounds from its note-on's sample, at its pitch, and is gone soon after its
//! note-off; a program change and a controller go through. Needs a General MIDI SoundFont
//! (`scripts/test.sh` skips this file, saying SKIP, when there is none).

use reprise::engine::character::Character;
use reprise::engine::event::{Event, EventKind};
use reprise::synth::{find_soundfont, load_soundfont, Monitor};

// With the plugin feature in a debug build, nice-plug installs the same guard.
#[cfg(not(all(feature = "plugin", debug_assertions)))]
#[global_allocator]
static ALLOCATOR: nice_assert_no_alloc::AllocDisabler = nice_assert_no_alloc::AllocDisabler;

const SAMPLE_RATE: f64 = 48_000.0;
const BLOCK: usize = 256;

fn note_on(timing_samples: u32, key: u8, velocity: f32) -> Event {
    Event {
        timing_samples,
        kind: EventKind::NoteOn {
            channel: 0,
            key,
            velocity,
            note_id: None,
        },
    }
}

fn note_off(timing_samples: u32, key: u8) -> Event {
    Event {
        timing_samples,
        kind: EventKind::NoteOff {
            channel: 0,
            key,
            velocity: 0.0,
            note_id: None,
        },
    }
}

/// RMS of `samples`.
fn rms(samples: &[f32]) -> f32 {
    (samples.iter().map(|s| s * s).sum::<f32>() / samples.len().max(1) as f32).sqrt()
}

/// The fundamental of `samples`, Hz: the shortest lag (100 Hz – 1 kHz) where their
/// autocorrelation peaks near its highest, over a 4096-sample window.
fn frequency(samples: &[f32]) -> f64 {
    let window = &samples[..4096.min(samples.len())];
    let correlation = |lag: usize| -> f64 {
        window
            .iter()
            .zip(&window[lag..])
            .map(|(a, b)| f64::from(*a) * f64::from(*b))
            .sum::<f64>()
            / (window.len() - lag) as f64
    };
    let lags = (SAMPLE_RATE / 1000.0) as usize..=(SAMPLE_RATE / 100.0) as usize;
    let values: Vec<(usize, f64)> = lags.map(|lag| (lag, correlation(lag))).collect();
    let peak = values.iter().map(|(_, v)| *v).fold(f64::MIN, f64::max);
    // The shortest lag near the highest peak: multiples of the period peak as high.
    let period = values
        .windows(3)
        .find(|w| w[1].1 >= 0.9 * peak && w[1].1 >= w[0].1 && w[1].1 >= w[2].1)
        .map(|w| w[1].0)
        .expect("a peak");
    SAMPLE_RATE / period as f64
}

#[test]
fn the_output_is_heard_from_its_note_on_at_its_pitch_and_ends_after_its_note_off() {
    let path = find_soundfont(None).unwrap_or_else(|e| {
        panic!("{e} (scripts/test.sh skips this test, saying SKIP, when there is none)")
    });
    let soundfont = load_soundfont(&path).expect("the SoundFont loads");
    let mut monitor = Monitor::new(&soundfont, SAMPLE_RATE).expect("a synthesizer");
    // A4 (440 Hz) as Distant's flute from block 4, sample 100, to block 100; a program change
    // and an expression change on the way.
    let total_blocks = 600;
    let mut left = vec![0.0f32; total_blocks * BLOCK];
    let mut right = vec![0.0f32; total_blocks * BLOCK];
    let on_at = 4 * BLOCK + 100;
    let off_at = 100 * BLOCK;
    for block in 0..total_blocks {
        let start = block * BLOCK;
        let mut events: Vec<Event> = Vec::with_capacity(4);
        if (start..start + BLOCK).contains(&on_at) {
            events.push(note_on((on_at - start) as u32, 69, 0.8));
        }
        if block == 50 {
            events.push(Event {
                timing_samples: 0,
                kind: EventKind::ControlChange {
                    channel: 0,
                    cc: 1,
                    value: 0.9,
                },
            });
        }
        if (start..start + BLOCK).contains(&off_at) {
            events.push(note_off((off_at - start) as u32, 69));
        }
        let (l, r) = (
            &mut left[start..start + BLOCK],
            &mut right[start..start + BLOCK],
        );
        nice_assert_no_alloc::assert_no_alloc(|| {
            monitor.play(Character::Distant, &events, l, r);
        });
    }
    assert!(
        rms(&left[..on_at]) < 1e-6,
        "sound before the note-on: {}",
        rms(&left[..on_at])
    );
    let held = &left[on_at + 4800..off_at];
    assert!(rms(held) > 0.01, "the note is too quiet: {}", rms(held));
    let hz = frequency(held);
    assert!(
        (hz - 440.0).abs() < 440.0 * 0.03,
        "the note sounds at {hz:.1} Hz, not A4"
    );
    let tail = &left[off_at + 48_000..];
    assert!(
        rms(tail) < rms(held) / 100.0,
        "still sounding a second after the note-off: {}",
        rms(tail)
    );
    eprintln!(
        "monitor ({}): A4 held at RMS {:.3}, {hz:.1} Hz; a second after the note-off RMS {:.5}",
        path.display(),
        rms(held),
        rms(tail)
    );
}
