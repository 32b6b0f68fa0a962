//! Issue 13: the audio note tracker on synthetic signals whose truth is known — exact pitch and
//! onset of clean tones, vibrato without false splits, repeated notes split, legato changes,
//! silence and noise giving nothing, DC and full-scale squares handled, NaN/inf ignored without
//! poisoning the state — and the same notes whatever the block size or the sample rate, without
//! allocating.

use reprise::engine::audio_capture::{NoteTracker, PitchRange, TrackedNote, TrackerSettings};
use reprise::engine::rng::Rng;

// The allocation guard. With the plugin feature in a debug build, nice-plug already installs
// this allocator for the whole binary; otherwise this test binary installs it.
#[cfg(not(all(feature = "plugin", debug_assertions)))]
#[global_allocator]
static ALLOCATOR: nice_assert_no_alloc::AllocDisabler = nice_assert_no_alloc::AllocDisabler;

const TAU: f64 = std::f64::consts::TAU;

fn hz(midi: f64) -> f64 {
    440.0 * 2f64.powf((midi - 69.0) / 12.0)
}

/// A note of a synthetic signal: pitch (MIDI, fractional allowed), start and end in seconds,
/// peak amplitude.
#[derive(Clone, Copy)]
struct Tone {
    midi: f64,
    start_s: f64,
    end_s: f64,
    amplitude: f64,
}

/// Harmonic tones (1, ½, ⅓ … of 5 partials) with 5 ms linear attack and release ramps.
fn render(tones: &[Tone], rate: f64, length_s: f64, vibrato: Option<(f64, f64)>) -> Vec<f32> {
    let len = (length_s * rate) as usize;
    let mut out = vec![0.0f32; len];
    for tone in tones {
        let mut phase = 0.0f64;
        let (start, end) = ((tone.start_s * rate) as usize, (tone.end_s * rate) as usize);
        for (n, sample) in out.iter_mut().enumerate().take(end.min(len)).skip(start) {
            let t = (n - start) as f64 / rate;
            let cents = vibrato.map_or(0.0, |(depth_cents, rate_hz)| {
                depth_cents * (TAU * rate_hz * t).sin()
            });
            phase += TAU * hz(tone.midi + cents / 100.0) / rate;
            let ramp_in = (t / 0.005).min(1.0);
            let ramp_out = (((end - n) as f64 / rate) / 0.005).min(1.0);
            let wave: f64 = (1..=5).map(|h| (phase * h as f64).sin() / h as f64).sum();
            *sample += (tone.amplitude * ramp_in * ramp_out * wave / 1.5) as f32;
        }
    }
    out
}

/// One phase-continuous tone sounding over `span_s` of a `length_s` signal: at time `t`
/// (seconds) it has the pitch (MIDI) and amplitude `at(t)`, and partials 1 and 2 (the second at
/// `second` times the first's amplitude).
fn continuous(
    rate: f64,
    length_s: f64,
    span_s: std::ops::Range<f64>,
    second: f64,
    at: impl Fn(f64) -> (f64, f64),
) -> Vec<f32> {
    let mut signal = vec![0.0f32; (length_s * rate) as usize];
    let mut phase = 0.0f64;
    for (n, sample) in signal.iter_mut().enumerate() {
        let t = n as f64 / rate;
        if !span_s.contains(&t) {
            continue;
        }
        let (midi, amplitude) = at(t);
        phase += TAU * hz(midi) / rate;
        *sample = (amplitude * (phase.sin() + second * (2.0 * phase).sin())) as f32;
    }
    signal
}

fn track(signal: &[f32], rate: f64, settings: TrackerSettings, block: usize) -> Vec<TrackedNote> {
    let mut tracker = NoteTracker::new(rate, settings);
    let mut notes = Vec::new();
    for chunk in signal.chunks(block) {
        tracker.process(chunk, chunk, &mut |n| notes.push(n));
    }
    tracker.finish(&mut |n| notes.push(n));
    notes
}

/// Sample rates and block sizes hosts use, down to one sample and up to 4096, for the tests of
/// sampler-like overlaps.
const HOST_CONDITIONS: [(f64, usize); 4] = [
    (48_000.0, 64),
    (44_100.0, 1),
    (96_000.0, 4096),
    (22_050.0, 333),
];

/// 1.5 s of one note released into the next, as a sampler plays them: `first` = (MIDI key,
/// release start s, release length s) sounds from 0.1 s and fades as the square of a ramp;
/// `second` = (MIDI key, start s, swell length s) swells in linearly and ends at 1.3 s.
fn release_into(rate: f64, first: (f64, f64, f64), second: (f64, f64, f64)) -> Vec<f32> {
    let (first_key, release_at_s, release_s) = first;
    let (second_key, second_at_s, swell_s) = second;
    let fading = continuous(rate, 1.5, 0.1..release_at_s + release_s, 0.6, |t| {
        let ramp = ((t - 0.1) / 0.005).min(1.0);
        let release = (1.0 - (t - release_at_s).max(0.0) / release_s).max(0.0);
        (first_key, 0.4 * ramp * release * release)
    });
    let swelling = continuous(rate, 1.5, second_at_s..1.3, 0.6, |t| {
        let swell = ((t - second_at_s) / swell_s).min(1.0);
        let ramp = ((1.3 - t) / 0.005).min(1.0);
        (second_key, 0.4 * swell * ramp)
    });
    fading.iter().zip(&swelling).map(|(a, b)| a + b).collect()
}

fn ons(notes: &[TrackedNote]) -> Vec<&TrackedNote> {
    notes.iter().filter(|n| n.is_on).collect()
}

fn voice() -> TrackerSettings {
    TrackerSettings::for_range(PitchRange::Voice)
}

/// Every note-on has its note-off after it, on the same key, before the next note-on.
fn assert_well_formed(notes: &[TrackedNote]) {
    let mut sounding: Option<&TrackedNote> = None;
    for note in notes {
        match (note.is_on, sounding) {
            (true, None) => sounding = Some(note),
            (false, Some(on)) => {
                assert_eq!(note.key, on.key, "{notes:?}");
                assert!(note.at_samples > on.at_samples, "{notes:?}");
                sounding = None;
            }
            _ => panic!("unbalanced: {notes:?}"),
        }
        assert!(note.reported_at_samples >= note.at_samples, "{note:?}");
    }
    assert!(sounding.is_none(), "a note was never ended: {notes:?}");
}

#[test]
fn a_clean_tone_has_its_exact_pitch_and_onset() {
    let rate = 48_000.0;
    for midi in [40.0, 57.0, 69.0, 81.0] {
        let tone = Tone {
            midi,
            start_s: 0.2,
            end_s: 0.8,
            amplitude: 0.5,
        };
        let notes = track(&render(&[tone], rate, 1.2, None), rate, voice(), 256);
        assert_well_formed(&notes);
        let on = ons(&notes);
        assert_eq!(on.len(), 1, "MIDI {midi}: {notes:?}");
        assert_eq!(on[0].key, midi as u8);
        let onset_error_ms = (on[0].at_samples as f64 / rate - 0.2) * 1000.0;
        assert!(
            onset_error_ms.abs() < 3.0,
            "MIDI {midi}: onset off by {onset_error_ms} ms"
        );
        let latency_ms = (on[0].reported_at_samples - on[0].at_samples) as f64 / rate * 1000.0;
        assert!(
            latency_ms < 45.0,
            "MIDI {midi}: reported {latency_ms} ms after the onset"
        );
        let off_error_ms = (notes[1].at_samples as f64 / rate - 0.8) * 1000.0;
        assert!(
            off_error_ms.abs() < 25.0,
            "MIDI {midi}: offset off by {off_error_ms} ms"
        );
        assert!(
            on[0].velocity > 0.5,
            "a loud tone: velocity {}",
            on[0].velocity
        );
    }
}

#[test]
fn vibrato_of_a_semitone_is_one_note() {
    let rate = 44_100.0;
    for vibrato_hz in [4.0, 5.5, 7.0] {
        let tone = Tone {
            midi: 64.0,
            start_s: 0.1,
            end_s: 1.9,
            amplitude: 0.4,
        };
        let notes = track(
            &render(&[tone], rate, 2.2, Some((100.0, vibrato_hz))),
            rate,
            voice(),
            512,
        );
        assert_well_formed(&notes);
        let on = ons(&notes);
        assert_eq!(on.len(), 1, "{vibrato_hz} Hz vibrato: {notes:?}");
        assert!((63..=65).contains(&on[0].key), "{:?}", on[0]);
    }
}

#[test]
fn repeated_notes_are_split_with_or_without_a_gap() {
    let rate = 48_000.0;
    // Four notes of 180 ms with 40 ms of silence between them …
    let gapped: Vec<Tone> = (0..4)
        .map(|i| Tone {
            midi: 62.0,
            start_s: 0.1 + 0.22 * i as f64,
            end_s: 0.28 + 0.22 * i as f64,
            amplitude: 0.5,
        })
        .collect();
    let notes = track(&render(&gapped, rate, 1.2, None), rate, voice(), 128);
    assert_well_formed(&notes);
    assert_eq!(ons(&notes).len(), 4, "{notes:?}");
    // … and re-attacked without silence: each note decays, the next starts loud.
    let signal = continuous(rate, 1.2, 0.1..1.0, 0.4, |t| {
        let since = (t - 0.1) % 0.225;
        let envelope = (since / 0.004).min(1.0) * (-since / 0.05).exp().max(0.05);
        (62.0, 0.6 * envelope)
    });
    let notes = track(&signal, rate, voice(), 128);
    assert_well_formed(&notes);
    assert_eq!(ons(&notes).len(), 4, "re-attacks: {notes:?}");
}

#[test]
fn a_legato_line_splits_where_the_pitch_changes() {
    let rate = 48_000.0;
    // C4 D4 E4 F4 as one continuous tone (phase-continuous steps, steady amplitude).
    let steps = [60.0, 62.0, 64.0, 65.0];
    let signal = continuous(rate, 1.8, 0.1..1.7, 0.3, |t| {
        let step = (((t - 0.1) / 0.4) as usize).min(3);
        let ramp = ((t - 0.1) / 0.005).min(1.0) * ((1.7 - t) / 0.005).min(1.0);
        (steps[step], 0.4 * ramp)
    });
    let notes = track(&signal, rate, voice(), 64);
    assert_well_formed(&notes);
    let keys: Vec<u8> = ons(&notes).iter().map(|n| n.key).collect();
    assert_eq!(keys, [60, 62, 64, 65], "{notes:?}");
    for (i, on) in ons(&notes).iter().enumerate().skip(1) {
        let truth = 0.1 + 0.4 * i as f64;
        let error_ms = (on.at_samples as f64 / rate - truth) * 1000.0;
        assert!(error_ms.abs() < 40.0, "step {i}: stamped {error_ms} ms off");
    }
}

#[test]
fn silence_noise_and_dc_alone_give_nothing() {
    let rate = 48_000.0;
    let silence = vec![0.0f32; 48_000];
    assert!(track(&silence, rate, voice(), 480).is_empty());
    let mut rng = Rng::new(3);
    let noise: Vec<f32> = (0..96_000)
        .map(|_| 0.3 * ((rng.next_u64() % 20_001) as f32 / 10_000.0 - 1.0))
        .collect();
    let notes = track(&noise, rate, voice(), 480);
    assert!(notes.is_empty(), "noise: {notes:?}");
    let dc = vec![0.7f32; 96_000];
    assert!(track(&dc, rate, voice(), 480).is_empty(), "DC");
}

#[test]
fn dc_offset_and_full_scale_squares_are_handled() {
    let rate = 48_000.0;
    let tone = Tone {
        midi: 69.0,
        start_s: 0.2,
        end_s: 0.7,
        amplitude: 0.3,
    };
    let with_dc: Vec<f32> = render(&[tone], rate, 1.0, None)
        .into_iter()
        .map(|x| x + 0.5)
        .collect();
    let keys: Vec<u8> = ons(&track(&with_dc, rate, voice(), 256))
        .iter()
        .map(|n| n.key)
        .collect();
    assert_eq!(keys, [69]);
    // A full-scale square wave at A3 (220 Hz), clipping hard.
    let square: Vec<f32> = (0..48_000)
        .map(|n| {
            if n < 9_600 {
                0.0
            } else if ((n as f64 * 220.0 / rate) % 1.0) < 0.5 {
                1.0
            } else {
                -1.0
            }
        })
        .collect();
    let notes = track(&square, rate, voice(), 256);
    assert_well_formed(&notes);
    assert_eq!(ons(&notes).iter().map(|n| n.key).collect::<Vec<_>>(), [57]);
}

#[test]
fn nan_and_infinity_are_ignored_without_poisoning_the_state() {
    let rate = 48_000.0;
    let tones = [
        Tone {
            midi: 67.0,
            start_s: 0.1,
            end_s: 0.4,
            amplitude: 0.5,
        },
        Tone {
            midi: 72.0,
            start_s: 0.8,
            end_s: 1.1,
            amplitude: 0.5,
        },
    ];
    let mut signal = render(&tones, rate, 1.3, None);
    for (i, sample) in signal.iter_mut().enumerate().skip(24_000).take(4_800) {
        *sample = match i % 3 {
            0 => f32::NAN,
            1 => f32::INFINITY,
            _ => f32::NEG_INFINITY,
        };
    }
    let notes = track(&signal, rate, voice(), 333);
    assert_well_formed(&notes);
    let keys: Vec<u8> = ons(&notes).iter().map(|n| n.key).collect();
    assert_eq!(keys, [67, 72], "{notes:?}");
}

fn melody(rate: f64) -> Vec<f32> {
    let tones: Vec<Tone> = [62.0, 65.0, 69.0, 67.0, 65.0, 64.0, 62.0]
        .iter()
        .enumerate()
        .map(|(i, &midi)| Tone {
            midi,
            start_s: 0.1 + 0.3 * i as f64,
            end_s: 0.35 + 0.3 * i as f64,
            amplitude: 0.3 + 0.05 * i as f64,
        })
        .collect();
    render(&tones, rate, 2.4, Some((30.0, 5.0)))
}

#[test]
fn the_block_size_changes_nothing() {
    let rate = 48_000.0;
    let signal = melody(rate);
    let whole = track(&signal, rate, voice(), signal.len());
    assert_eq!(ons(&whole).len(), 7, "{whole:?}");
    let mut rng = Rng::new(11);
    for _ in 0..4 {
        let mut tracker = NoteTracker::new(rate, voice());
        let mut split = Vec::new();
        let mut start = 0;
        while start < signal.len() {
            let block = 1 + (rng.next_u64() % 4096) as usize;
            let end = (start + block).min(signal.len());
            tracker.process(&signal[start..end], &signal[start..end], &mut |n| {
                split.push(n)
            });
            start = end;
        }
        tracker.finish(&mut |n| split.push(n));
        assert_eq!(split, whole);
    }
    for block in [1, 64, 16_384] {
        assert_eq!(
            track(&signal, rate, voice(), block),
            whole,
            "blocks of {block}"
        );
    }
}

#[test]
fn every_sample_rate_hears_the_same_notes() {
    let reference = track(&melody(48_000.0), 48_000.0, voice(), 512);
    let keys = |notes: &[TrackedNote]| ons(notes).iter().map(|n| n.key).collect::<Vec<_>>();
    for rate in [22_050.0, 44_100.0, 96_000.0, 192_000.0] {
        let notes = track(&melody(rate), rate, voice(), 512);
        assert_well_formed(&notes);
        assert_eq!(keys(&notes), keys(&reference), "{rate} Hz");
        for (a, b) in ons(&notes).iter().zip(ons(&reference)) {
            let ms = (a.at_samples as f64 / rate - b.at_samples as f64 / 48_000.0) * 1000.0;
            assert!(ms.abs() < 3.0, "{rate} Hz: onset differs by {ms} ms");
        }
    }
}

#[test]
fn extreme_rates_and_blocks_do_not_panic() {
    for rate in [8_000.0, 768_000.0, 0.0, f64::NAN] {
        let mut tracker = NoteTracker::new(rate, voice());
        let noise: Vec<f32> = (0..20_000)
            .map(|n| ((n * 7919) % 200) as f32 / 100.0 - 1.0)
            .collect();
        tracker.process(&noise, &noise, &mut |_| {});
        tracker.finish(&mut |_| {});
    }
}

#[test]
fn tracking_never_allocates() {
    let rate = 48_000.0;
    let signal = melody(rate);
    let mut tracker = NoteTracker::new(rate, voice());
    let mut count = 0usize;
    nice_assert_no_alloc::assert_no_alloc(|| {
        for chunk in signal.chunks(64) {
            tracker.process(chunk, chunk, &mut |_| count += 1);
        }
        tracker.finish(&mut |_| count += 1);
    });
    assert_eq!(count, 14);
}

#[test]
fn snapping_to_the_locked_key_moves_out_of_scale_pitches() {
    use reprise::engine::key::Key;
    let rate = 48_000.0;
    // A slightly flat F#4 (−40 cents) in C major snaps to … the nearest scale note: G4 or F4.
    let tone = Tone {
        midi: 66.0 - 0.4,
        start_s: 0.1,
        end_s: 0.6,
        amplitude: 0.5,
    };
    let signal = render(&[tone], rate, 0.8, None);
    let free = track(&signal, rate, voice(), 256);
    assert_eq!(ons(&free)[0].key, 66);
    let snapped = track(
        &signal,
        rate,
        TrackerSettings {
            snap_to_key: Key::parse("C major"),
            ..voice()
        },
        256,
    );
    assert_eq!(
        ons(&snapped)[0].key,
        65,
        "F#4 −40 cents is nearer F4 than G4"
    );
}

/// A moment the pitch reads an octave low (an ensemble's overlapping release, a cracked note)
/// does not give the note the wrong key, nor hide the legato steps after it: each note ends
/// with the key it was sung at (what capture keeps).
#[test]
fn an_octave_slip_keeps_the_notes_keys_and_the_legato_steps() {
    for (rate, block) in HOST_CONDITIONS {
        let signal = continuous(rate, 1.5, 0.1..1.3, 0.3, |t| {
            let midi = match t {
                t if (0.25..0.30).contains(&t) => 50.0,
                t if t < 0.5 => 62.0,
                t if t < 0.9 => 64.0,
                _ => 66.0,
            };
            let ramp = ((t - 0.1) / 0.005).min(1.0) * ((1.3 - t) / 0.005).min(1.0);
            (midi, 0.4 * ramp)
        });
        let notes = track(&signal, rate, voice(), block);
        assert_well_formed(&notes);
        let final_keys: Vec<u8> = notes
            .iter()
            .filter(|n| !n.is_on)
            .map(|n| n.final_key)
            .collect();
        assert_eq!(
            final_keys,
            [62, 64, 66],
            "{rate} Hz, blocks of {block}: {notes:?}"
        );
    }
}

/// A bowed or sung note swelling in under the previous note's release (as sampled cellos and
/// choirs do, with no gap and no attack transient): while both sound, the estimates read a
/// common subharmonic or nothing clear, and the new pitch only shows once the old one has faded.
/// The new note is still stamped where it began, within 40 ms, not where its pitch won.
#[test]
fn a_note_swelling_under_a_release_is_stamped_where_it_began() {
    let low = TrackerSettings::for_range(PitchRange::Low);
    for (rate, block) in HOST_CONDITIONS {
        // D3 held, released from 0.6 s over 200 ms; A3 from 0.6 s, swelling in over 120 ms.
        let signal = release_into(rate, (50.0, 0.6, 0.2), (57.0, 0.6, 0.12));
        let notes = track(&signal, rate, low, block);
        assert_well_formed(&notes);
        let on = ons(&notes);
        assert_eq!(
            on.iter().map(|n| n.key).collect::<Vec<_>>(),
            [50, 57],
            "{rate} Hz, blocks of {block}: {notes:?}"
        );
        let stamped_s = on[1].at_samples as f64 / rate;
        assert!(
            (stamped_s - 0.6).abs() <= 0.04,
            "{rate} Hz, blocks of {block}: A3 stamped at {stamped_s:.3} s, began at 0.600 s"
        );
    }
}

/// The subharmonic guard does not swallow a real leap: a legato drop of an octave, and of an
/// octave and a fifth, each become a new note at the lower key.
#[test]
fn a_legato_leap_down_an_octave_is_a_new_note() {
    for (rate, block) in [(48_000.0, 64), (44_100.0, 333)] {
        for low_key in [50.0, 43.0] {
            let signal = continuous(rate, 1.4, 0.1..1.2, 0.5, |t| {
                let midi = if t < 0.6 { 62.0 } else { low_key };
                let ramp = ((t - 0.1) / 0.005).min(1.0) * ((1.2 - t) / 0.005).min(1.0);
                (midi, 0.4 * ramp)
            });
            let notes = track(&signal, rate, voice(), block);
            assert_well_formed(&notes);
            let keys: Vec<u8> = ons(&notes).iter().map(|n| n.key).collect();
            assert_eq!(
                keys,
                [62, low_key as u8],
                "{rate} Hz, blocks of {block}: {notes:?}"
            );
        }
    }
}

/// The next note entering while the last one's release still sounds (a bowed or blown note
/// after a short rest, in a sampler with a long release) is reported as soon as its own pitch
/// is clear in the rise out of the dip, sooner than the 75 ms a legato change must hold (the
/// code before this test reported it after 103 ms), with its own key (not the two notes'
/// common subharmonic, E3), stamped where it began.
#[test]
fn a_note_entering_under_a_release_is_reported_while_it_rises() {
    for (rate, block) in HOST_CONDITIONS {
        // E4 held, released from 0.7 s over 150 ms; B4 from 0.75 s, swelling in over 20 ms.
        let signal = release_into(rate, (64.0, 0.7, 0.15), (71.0, 0.75, 0.02));
        let notes = track(&signal, rate, voice(), block);
        assert_well_formed(&notes);
        let on = ons(&notes);
        assert_eq!(
            on.iter().map(|n| n.key).collect::<Vec<_>>(),
            [64, 71],
            "{rate} Hz, blocks of {block}: {notes:?}"
        );
        let stamped_s = on[1].at_samples as f64 / rate;
        assert!(
            (stamped_s - 0.75).abs() <= 0.015,
            "{rate} Hz, blocks of {block}: B4 stamped at {stamped_s:.3} s, began at 0.750 s"
        );
        // Reported at the end of the block that found it.
        let latency_s = (on[1].reported_at_samples as f64 - 0.75 * rate) / rate;
        let block_s = block as f64 / rate;
        assert!(
            latency_s <= 0.075 + block_s,
            "{rate} Hz, blocks of {block}: B4 reported {:.1} ms after it began",
            1000.0 * latency_s
        );
    }
}

/// A clean tone from a rest is reported within a few 2.9 ms hops: one to open, then the two
/// agreeing estimates the note needs, taken half a hop apart rather than a hop (A3 needs two of
/// its periods, 9 ms, first). 64-sample blocks at 48 kHz; the code before gave 13.3, 10.7 and
/// 8.0 ms.
#[test]
fn a_clean_tone_from_a_rest_is_reported_within_fifteen_ms() {
    let rate = 48_000.0;
    let mut latencies_ms = Vec::new();
    for midi in [57.0, 69.0, 81.0] {
        let tone = Tone {
            midi,
            start_s: 0.2,
            end_s: 0.8,
            amplitude: 0.5,
        };
        let notes = track(&render(&[tone], rate, 1.2, None), rate, voice(), 64);
        let on = ons(&notes);
        assert_eq!(on.len(), 1, "MIDI {midi}: {notes:?}");
        latencies_ms.push((on[0].reported_at_samples as f64 / rate - 0.2) * 1000.0);
    }
    let limits_ms = [15.0, 9.0, 6.0];
    assert!(
        latencies_ms
            .iter()
            .zip(limits_ms)
            .all(|(&ms, limit)| ms < limit),
        "reported this long after the tone began, ms: {latencies_ms:.1?} (limits {limits_ms:?})"
    );
}

/// A legato step from a note whose pitch stood still (a clarinet, an organ, a plain synth) is
/// reported within 60 ms of where it began, at every interval but the octave (which can be an
/// attack's slip; see [`an_octave_slip_keeps_the_notes_keys_and_the_legato_steps`]): with no
/// vibrato there is nothing to mistake for a change, so the new key need not hold the 75 ms a
/// swing-proof change needs. The code before reported a semitone step 88 ms late. The same
/// steps under a vibrato of ±0.75 semitone still wait for that (checked: one note per step,
/// none split at a crest).
#[test]
fn a_legato_step_from_a_still_note_is_reported_within_sixty_ms() {
    for (rate, block) in HOST_CONDITIONS {
        for interval in [1.0, 2.0, -3.0, 5.0, -7.0] {
            for vibrato in [0.0, 0.75] {
                let signal = continuous(rate, 1.3, 0.1..1.2, 0.3, |t| {
                    let midi = if t < 0.6 { 64.0 } else { 64.0 + interval };
                    let swing = vibrato * (TAU * 5.5 * t).sin();
                    let ramp = ((t - 0.1) / 0.005).min(1.0) * ((1.2 - t) / 0.005).min(1.0);
                    (midi + swing, 0.4 * ramp)
                });
                let notes = track(&signal, rate, voice(), block);
                assert_well_formed(&notes);
                let on = ons(&notes);
                let keys: Vec<u8> = on.iter().map(|n| n.key).collect();
                let case =
                    format!("{rate} Hz, blocks of {block}, step {interval:+}, vibrato ±{vibrato}");
                assert_eq!(keys.len(), 2, "{case}: {notes:?}");
                let ends: Vec<u8> = notes
                    .iter()
                    .filter(|n| !n.is_on)
                    .map(|n| n.final_key)
                    .collect();
                assert_eq!(ends, [64, (64.0 + interval) as u8], "{case}: {notes:?}");
                if vibrato == 0.0 {
                    let late_ms = (on[1].reported_at_samples as f64 / rate - 0.6) * 1000.0;
                    assert!(
                        late_ms < 60.0,
                        "{case}: reported {late_ms:.1} ms after the step"
                    );
                }
            }
        }
    }
}

/// A dip long before does not stamp the next note there: E4 dips by 8 dB at 0.3 s and creeps
/// back up by 2 dB until B4 enters under its release at 1.0 s. The rise is stamped at most
/// 100 ms before it was seen, so B4 lands within 110 ms of 1.0 s (without that bound: at
/// 0.386 s, by the dip). Within about 100 ms, not exactly: with a creeping level the tracker
/// cannot tell where the rise began.
#[test]
fn a_dip_long_before_the_next_note_does_not_stamp_it() {
    for (rate, block) in HOST_CONDITIONS {
        let first = continuous(rate, 1.6, 0.1..1.15, 0.6, |t| {
            let ramp = ((t - 0.1) / 0.005).min(1.0);
            let level = if t < 0.3 {
                0.4
            } else if t < 0.35 {
                0.4 - 0.25 * (t - 0.3) / 0.05
            } else {
                0.15 + 0.04 * ((t - 0.35) / 0.65).min(1.0)
            };
            let release = (1.0 - (t - 1.0).max(0.0) / 0.15).max(0.0);
            (64.0, level * ramp * release * release)
        });
        let second = continuous(rate, 1.6, 1.0..1.5, 0.6, |t| {
            let swell = ((t - 1.0) / 0.02).min(1.0);
            let ramp = ((1.5 - t) / 0.005).min(1.0);
            (71.0, 0.4 * swell * ramp)
        });
        let signal: Vec<f32> = first.iter().zip(&second).map(|(a, b)| a + b).collect();
        let notes = track(&signal, rate, voice(), block);
        assert_well_formed(&notes);
        let on = ons(&notes);
        assert_eq!(
            on.iter().map(|n| n.key).collect::<Vec<_>>(),
            [64, 71],
            "{rate} Hz, blocks of {block}: {notes:?}"
        );
        let stamped_s = on[1].at_samples as f64 / rate;
        assert!(
            (stamped_s - 1.0).abs() <= 0.11,
            "{rate} Hz, blocks of {block}: B4 stamped at {stamped_s:.3} s, began at 1.000 s"
        );
    }
}
