//! Issue 27: audio capture in a real room. Under steady background noise — white, pink, brown,
//! mains hum, a fan — the tracker follows the noise floor: noise alone gives no notes at any
//! level, a hum is not taken for a note, and a tone (a low cello-like one included) played over
//! the noise is found with its key and onset; a solo singer (scoops, vibrato, consonants) in a
//! room with a fan is captured with the keys sung. Same rules as the clean scenarios: causal,
//! block size independent, no allocation.

#[path = "common/ending_keys.rs"]
mod ending_keys;
#[path = "common/noise.rs"]
mod noise;
#[path = "common/room.rs"]
mod room;
#[path = "common/singer.rs"]
mod singer;

use ending_keys::with_ending_keys;
use noise::{level_over_notes, mix, noise, Noise};
use reprise::engine::audio_capture::{NoteTracker, PitchRange, TrackedNote, TrackerSettings};
use room::{convolve, impulse_response, Room};
use singer::{sing, Voice};

#[cfg(not(all(feature = "plugin", debug_assertions)))]
#[global_allocator]
static ALLOCATOR: nice_assert_no_alloc::AllocDisabler = nice_assert_no_alloc::AllocDisabler;

const TAU: f64 = std::f64::consts::TAU;
const RATE: f64 = 48_000.0;

fn hz(midi: f64) -> f64 {
    440.0 * 2f64.powf((midi - 69.0) / 12.0)
}

fn track(signal: &[f32], settings: TrackerSettings, block: usize) -> Vec<TrackedNote> {
    let mut tracker = NoteTracker::new(RATE, settings);
    let mut notes = Vec::with_capacity(1024);
    for chunk in signal.chunks(block) {
        nice_assert_no_alloc::assert_no_alloc(|| {
            tracker.process(chunk, chunk, &mut |n| notes.push(n));
        });
    }
    tracker.finish(&mut |n| notes.push(n));
    notes
}

fn ons(notes: &[TrackedNote]) -> Vec<&TrackedNote> {
    notes.iter().filter(|n| n.is_on).collect()
}

/// Notes (MIDI key, start s, end s) as a bowed instrument plays them: eight harmonics falling
/// as 1/h, a 60 ms attack, a 4 Hz vibrato of ±20 cents, at `amplitude`.
fn bowed(notes: &[(u8, f64, f64)], length_s: f64, amplitude: f64) -> Vec<f32> {
    bowed_with_attack(notes, length_s, amplitude, 0.06)
}

/// As [`bowed`], with an attack (a linear swell) of `attack_s`.
fn bowed_with_attack(
    notes: &[(u8, f64, f64)],
    length_s: f64,
    amplitude: f64,
    attack_s: f64,
) -> Vec<f32> {
    let len = (length_s * RATE) as usize;
    let mut out = vec![0.0f32; len];
    for &(key, start_s, end_s) in notes {
        let mut phase = 0.0f64;
        let (start, end) = ((start_s * RATE) as usize, (end_s * RATE) as usize);
        for (n, sample) in out.iter_mut().enumerate().take(end.min(len)).skip(start) {
            let t = (n - start) as f64 / RATE;
            let cents = 20.0 * (TAU * 4.0 * t).sin();
            phase += TAU * hz(f64::from(key) + cents / 100.0) / RATE;
            let ramp = (t / attack_s).min(1.0) * (((end - n) as f64 / RATE) / 0.03).min(1.0);
            let wave: f64 = (1..=8).map(|h| (phase * h as f64).sin() / h as f64).sum();
            *sample += (amplitude * ramp * wave / 2.0) as f32;
        }
    }
    out
}

/// A phrase of `notes` over `kind` noise at `snr_db` (signal RMS over its notes, less the
/// noise's RMS), the phrase peaking near `level_db`.
fn phrase_in_noise(
    notes: &[(u8, f64, f64)],
    length_s: f64,
    kind: Noise,
    snr_db: f64,
    level_db: f64,
    seed: u64,
) -> Vec<f32> {
    let clean = bowed(notes, length_s, 1.0);
    let gain = 10f64.powf((level_db - level_over_notes(&clean, notes, RATE)) / 20.0) as f32;
    let clean: Vec<f32> = clean.iter().map(|s| s * gain).collect();
    let background = noise(kind, RATE, clean.len(), level_db - snr_db, seed);
    mix(&clean, &background)
}

/// The note-ons' keys and times, s.
fn keys_and_times(notes: &[TrackedNote]) -> Vec<(u8, f64)> {
    ons(notes)
        .iter()
        .map(|n| (n.key, n.at_samples as f64 / RATE))
        .collect()
}

/// How many of `truth`'s notes were found: a note-on of the same key within 50 ms of the onset.
fn found(notes: &[TrackedNote], truth: &[(u8, f64, f64)]) -> usize {
    truth
        .iter()
        .filter(|&&(key, start, _)| {
            ons(notes)
                .iter()
                .any(|n| n.key == key && (n.at_samples as f64 / RATE - start).abs() <= 0.05)
        })
        .count()
}

/// Three notes of a cello line in its low register (C3, G2, A2), after 1.5 s of the room alone.
const CELLO: [(u8, f64, f64); 3] = [(48, 1.5, 2.3), (43, 2.5, 3.3), (45, 3.5, 4.4)];
/// A bowed legato line (A3, D4, C4, E4; no gaps), for the large room.
const LEGATO_LINE: [(u8, f64, f64); 4] = [
    (57, 1.0, 1.6),
    (62, 1.6, 2.2),
    (60, 2.2, 2.8),
    (64, 2.8, 3.6),
];
/// A sung line (A3, C4, E4, D4).
const VOICE: [(u8, f64, f64); 4] = [
    (57, 1.5, 2.0),
    (60, 2.2, 2.7),
    (64, 2.9, 3.4),
    (62, 3.6, 4.4),
];

#[test]
fn noise_alone_gives_no_notes_at_any_level() {
    for kind in Noise::ALL {
        for level_db in [-60.0, -50.0, -45.0, -40.0, -25.0, -10.0] {
            let background = noise(kind, RATE, (5.0 * RATE) as usize, level_db, 7);
            for range in [PitchRange::Voice, PitchRange::Low] {
                let notes = track(&background, TrackerSettings::for_range(range), 480);
                assert!(
                    ons(&notes).is_empty(),
                    "{kind:?} at {level_db} dBFS ({range:?}): {:?}",
                    ons(&notes)
                );
            }
        }
    }
}

/// Restless noise (a fan's band, brown noise) at and just over the gate's level keeps opening
/// candidates, and now and then two overlapping windows of it read the same clear-looking
/// pitch: before the rule that a sound not standing out of the background needs a pitch held
/// over several hops, a fan at −45 dBFS gave about one false note a second (114 in these 80 s).
/// Allowed: one false note in 20 s of each (kind, level), the known remainder being swells of
/// the noise that stand out of a floor learnt while it dipped.
#[test]
fn restless_noise_at_the_gates_level_seldom_makes_a_note() {
    const SEEDS: u64 = 16;
    const SECONDS: f64 = 10.0;
    for kind in [Noise::Fan, Noise::Brown] {
        for level_db in [-45.0, -40.0] {
            let mut false_notes = Vec::new();
            for seed in 1..=SEEDS {
                let background = noise(kind, RATE, (SECONDS * RATE) as usize, level_db, seed);
                let notes = track(
                    &background,
                    TrackerSettings::for_range(PitchRange::Voice),
                    480,
                );
                false_notes.extend(ons(&notes).iter().map(|n| (seed, n.key, n.at_samples)));
            }
            let allowed = (SEEDS as f64 * SECONDS / 20.0) as usize;
            assert!(
                false_notes.len() <= allowed,
                "{kind:?} at {level_db} dBFS: {} false notes in {} s (at most {allowed}): {false_notes:?}",
                false_notes.len(),
                SEEDS as f64 * SECONDS
            );
        }
    }
}

#[test]
fn a_hum_is_not_taken_for_a_note_and_a_voice_over_it_is_heard() {
    for mains in [50.0, 60.0] {
        let hum = noise(Noise::Hum(mains), RATE, (5.0 * RATE) as usize, -30.0, 1);
        for range in [PitchRange::Voice, PitchRange::Low] {
            let notes = track(&hum, TrackerSettings::for_range(range), 256);
            assert!(
                ons(&notes).is_empty(),
                "{mains} Hz hum ({range:?}): {notes:?}"
            );
        }
        let sung = phrase_in_noise(&VOICE, 5.0, Noise::Hum(mains), 20.0, -20.0, 1);
        let notes = track(&sung, TrackerSettings::for_range(PitchRange::Voice), 256);
        assert_eq!(
            found(&notes, &VOICE),
            VOICE.len(),
            "{mains} Hz hum: {:?}",
            ons(&notes)
        );
    }
}

#[test]
fn a_low_line_under_steady_noise_is_found_with_its_keys() {
    let mut report = Vec::new();
    for kind in [Noise::White, Noise::Pink, Noise::Brown, Noise::Fan] {
        for (name, line, range) in [
            ("cello", &CELLO[..], PitchRange::Low),
            ("voice", &VOICE[..], PitchRange::Voice),
        ] {
            // Quiet and loud: a laptop memo at -30 dBFS, a close microphone at -10.
            for level_db in [-30.0, -10.0] {
                let signal = phrase_in_noise(line, 5.0, kind, 20.0, level_db, 3);
                let notes = track(&signal, TrackerSettings::for_range(range), 64);
                let hits = found(&notes, line);
                report.push(format!("{name} {kind:?} {level_db}: {hits}/{}", line.len()));
                // Known (issue 27 note): in brown noise a note is sometimes stamped more than
                // 50 ms early (the noise's swell before it reads as its attack).
                let allowed_misses = usize::from(kind == Noise::Brown);
                assert!(
                    hits + allowed_misses >= line.len(),
                    "{name} in {kind:?} noise at 20 dB SNR, {level_db} dBFS: {hits} of {} \
                     found: {:?}",
                    line.len(),
                    ons(&notes)
                );
                // No note beyond the line's (the noise is not heard as notes).
                assert!(
                    ons(&notes).len() <= line.len() + 1,
                    "{name} {kind:?}: {:?}",
                    ons(&notes)
                );
            }
        }
    }
    eprintln!("{}", report.join("; "));
}

/// The same notes, stamped at the same samples, whatever the host's block size: a cello line in
/// pink noise, and a legato line in a large room (its pitch changes are stamped by the attack
/// search through the long unclear stretch between notes).
#[test]
fn the_block_size_changes_nothing_in_noise() {
    let in_noise = phrase_in_noise(&CELLO, 5.0, Noise::Pink, 20.0, -20.0, 5);
    let in_a_large_room = convolve(
        &bowed(&LEGATO_LINE, 4.5, 0.3),
        &impulse_response(Room::LARGE, RATE, 1),
    );
    // Sung glides (their stamps moved back to where they began) and attacks that sound the
    // octave below (re-keyed notes).
    let glides = sing(&legato_sung_line(Voice::Female), Voice::Female, RATE, 2);
    let mut octave_low_attacks = vec![0.0f32; (2.6 * RATE) as usize];
    blown(&mut octave_low_attacks, hz(81.0), (0.5, 0.9), 0.045);
    blown(&mut octave_low_attacks, hz(80.0), (1.1, 1.5), 0.045);
    blown(&mut octave_low_attacks, hz(81.0), (1.8, 2.4), 0.2);
    let stamps = |notes: &[TrackedNote]| -> Vec<(bool, u8, u8, u64)> {
        notes
            .iter()
            .map(|n| (n.is_on, n.key, n.final_key, n.at_samples))
            .collect()
    };
    for (name, signal, range) in [
        ("cello in pink noise", &in_noise, PitchRange::Low),
        (
            "legato line in a large room",
            &in_a_large_room,
            PitchRange::Voice,
        ),
        ("sung glides", &glides, PitchRange::Voice),
        (
            "attacks an octave low",
            &octave_low_attacks,
            PitchRange::High,
        ),
    ] {
        let settings = TrackerSettings::for_range(range);
        let reference = stamps(&track(signal, settings, 64));
        assert!(reference.len() >= 6, "{name}: {reference:?}");
        for block in [1, 333, 4096] {
            let notes = track(signal, settings, block);
            assert_eq!(stamps(&notes), reference, "{name}, block {block}");
        }
    }
}

/// A detached sung line (key, onset s, offset s): gaps of 120 ms, so each note is sung anew
/// (a scoop from below, most with a consonant), in the voice's middle register.
fn sung_line(voice: Voice) -> Vec<(u8, f64, f64)> {
    let (low, _) = voice.keys();
    [7u8, 11, 9, 4, 6, 2]
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let on = 1.5 + 0.6 * i as f64;
            (low + step, on, on + 0.48)
        })
        .collect()
}

#[test]
fn a_singer_in_a_small_room_in_pink_noise_is_captured_with_the_keys_sung() {
    let mut report = Vec::new();
    for voice in [Voice::Male, Voice::Female] {
        for seed in [1u64, 2, 3] {
            let line = sung_line(voice);
            let dry = sing(&line, voice, RATE, seed);
            let wet = convolve(&dry, &impulse_response(Room::SMALL, RATE, seed));
            let level_db = -24.0;
            let gain = 10f64.powf((level_db - level_over_notes(&wet, &line, RATE)) / 20.0) as f32;
            let wet: Vec<f32> = wet.iter().map(|s| s * gain).collect();
            let signal = mix(
                &wet,
                &noise(Noise::Pink, RATE, wet.len(), level_db - 20.0, seed),
            );
            let notes = track(&signal, TrackerSettings::for_range(PitchRange::Voice), 64);
            // What capture keeps: each note-off's key (the note's mean pitch), at its note-on's
            // onset.
            let captured: Vec<(u8, f64)> = with_ending_keys(&notes)
                .into_iter()
                .map(|(on, key)| (key, on.at_samples as f64 / RATE))
                .collect();
            // Known (issue 27 note): a note sung after a gap is stamped where the gap's quietest
            // point or its consonant began, up to about 120 ms before the vowel, when the room and
            // the noise hold the previous note open through the gap.
            let kept = line
                .iter()
                .filter(|&&(key, start, _)| {
                    captured
                        .iter()
                        .any(|&(k, at)| k == key && (at - start).abs() <= 0.12)
                })
                .count();
            report.push(format!("{voice:?} seed {seed}: {kept}/{}", line.len()));
            // One note in six may be lost or mis-keyed.
            assert!(
                kept + 1 >= line.len(),
                "{voice:?} seed {seed}: {kept} of {} captured with their keys: {captured:?}",
                line.len()
            );
            // Known (issue 27 note): a scoop held past 100 ms can be split off as a note of its
            // own (the key below, at the same onset), and a vowel change can read an octave up.
            // At most one extra note in two.
            assert!(
                2 * ons(&notes).len() <= 3 * line.len(),
                "{voice:?} seed {seed}: {:?}",
                ons(&notes)
            );
        }
    }
    eprintln!("{}", report.join("; "));
}

#[test]
fn a_note_sung_after_a_hiss_is_stamped_at_its_vowel() {
    // "s" then the vowel: 80 ms of hiss (white noise, differentiated: a fricative's high band)
    // ending where an A3 begins, after a second of quiet room.
    let truth = [(57u8, 1.0, 1.6)];
    let mut signal = bowed(&truth, 2.2, 0.3);
    let mut rng = reprise::engine::rng::Rng::new(9);
    let (from, to) = ((0.92 * RATE) as usize, (1.0 * RATE) as usize);
    let mut previous = 0.0;
    for sample in &mut signal[from..to] {
        let white = rng.unit() - 0.5;
        *sample += (0.15 * (white - previous)) as f32;
        previous = white;
    }
    let room = noise(Noise::Pink, RATE, signal.len(), -60.0, 4);
    let signal = mix(&signal, &room);
    let notes = track(&signal, TrackerSettings::for_range(PitchRange::Voice), 64);
    let on = ons(&notes);
    assert_eq!(on.len(), 1, "{on:?}");
    assert_eq!(on[0].key, 57);
    let error_s = on[0].at_samples as f64 / RATE - 1.0;
    assert!(
        error_s.abs() <= 0.02,
        "stamped {:.1} ms from the vowel (the hiss began 80 ms before it)",
        error_s * 1000.0
    );
}

/// A legato line in a large room (RT60 1.6 s, the microphone some metres off): between two
/// notes the old note's tail and the new note mix, and the estimates can stay unclear for a
/// third of a second, so the pitch change is seen late; the new note is stamped at its attack
/// (a spectral-flux peak that stands out in that unclear stretch), not where the pitch flipped.
/// Before, 15 of the 32 notes of eight rooms were found within 50 ms, and the rising fourth
/// A3–D4 in three rooms of eight (its D4 up to 300 ms late). Not yet right: the falling step
/// D4–C4 is late in most rooms (its attack leaves too little new energy over D4's tail to
/// stand out).
#[test]
fn a_legato_line_in_a_large_room_is_stamped_at_its_attacks() {
    /// Of the 32 notes of eight rooms (15 before).
    const MIN_FOUND: usize = 20;
    /// Of the eight rooms, those where A3 and D4 are both found (3 before).
    const MIN_ROOMS_WITH_THE_FOURTH: usize = 6;
    let (mut total, mut rooms_with_the_fourth) = (0, 0);
    let mut report = Vec::new();
    for seed in 1..=8 {
        let dry = bowed(&LEGATO_LINE, 4.5, 0.3);
        let wet = convolve(&dry, &impulse_response(Room::LARGE, RATE, seed));
        let notes = track(&wet, TrackerSettings::for_range(PitchRange::Voice), 480);
        let stamps: Vec<(u8, f64)> = ons(&notes)
            .iter()
            .map(|n| {
                (
                    n.key,
                    (n.at_samples as f64 / RATE * 1000.0).round() / 1000.0,
                )
            })
            .collect();
        report.push(format!("room {seed}: {stamps:?}"));
        total += found(&notes, &LEGATO_LINE);
        rooms_with_the_fourth += usize::from(found(&notes, &LEGATO_LINE[..2]) == 2);
    }
    assert!(
        total >= MIN_FOUND && rooms_with_the_fourth >= MIN_ROOMS_WITH_THE_FOURTH,
        "{total} of 32 notes within 50 ms of their attacks (at least {MIN_FOUND}); A3 and D4 \
         both in {rooms_with_the_fourth} rooms (at least {MIN_ROOMS_WITH_THE_FOURTH}); \
         note-ons (key, s):\n{}",
        report.join("\n")
    );
}

/// A stepwise legato line (E5 F#5 G5 A5 G5 F#5 E5 D5, a note every 300 ms, no gaps), for the
/// large room: three notes ring together there.
const STEPWISE_LINE: [(u8, f64, f64); 8] = [
    (76, 1.0, 1.3),
    (78, 1.3, 1.6),
    (79, 1.6, 1.9),
    (81, 1.9, 2.2),
    (79, 2.2, 2.5),
    (78, 2.5, 2.8),
    (76, 2.8, 3.1),
    (74, 3.1, 3.6),
];

/// Issue 27: in a large room the tails of two notes and the next one ring together, and their
/// common subharmonic (two octaves and more under the line: the new note is its 5th harmonic)
/// read as a new note's pitch. A reading that far under the sounding note must have power at
/// its own fundamental. Before, room 5 of 8 gave an A2 (three octaves under the A5 it hid).
#[test]
fn a_large_rooms_tails_are_not_read_as_a_note_far_under_the_line() {
    /// Further under the line's lowest key than this is no note of the line, semitones (the
    /// tracker's own bound for a reading under the sounding note).
    const FAR_UNDER_SEMITONES: u8 = 3;
    /// Of the 64 notes of eight rooms, those found within 50 ms with their keys (29 when the
    /// test was written; a slurred step in a large room is often late, see the test above): a
    /// tracker that heard nothing would pass the first assertion.
    const MIN_FOUND: usize = 29;
    let lowest = STEPWISE_LINE.iter().map(|n| n.0).min().unwrap_or(0);
    let (mut under, mut total) = (Vec::new(), 0);
    for seed in 1..=8 {
        let dry = bowed(&STEPWISE_LINE, 4.5, 0.3);
        let wet = convolve(&dry, &impulse_response(Room::LARGE, RATE, seed));
        let notes = track(&wet, TrackerSettings::for_range(PitchRange::Voice), 480);
        total += found(&notes, &STEPWISE_LINE);
        for n in ons(&notes) {
            if n.final_key + FAR_UNDER_SEMITONES < lowest {
                under.push((seed, n.final_key, n.at_samples as f64 / RATE));
            }
        }
    }
    assert!(
        under.is_empty(),
        "notes far under the line (room, key, s): {under:?}"
    );
    assert!(
        total >= MIN_FOUND,
        "{total} of 64 notes of the line found (at least {MIN_FOUND})"
    );
}

/// A legato sung line (key, onset s, offset s): no gaps, so each note after the first is
/// reached by a glide (portamento, 40–120 ms) from the one before; steps and leaps both ways.
fn legato_sung_line(voice: Voice) -> Vec<(u8, f64, f64)> {
    let (low, _) = voice.keys();
    [4u8, 7, 5, 9, 2, 4, 11, 7]
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let on = 1.0 + 0.5 * i as f64;
            (low + step, on, on + 0.5)
        })
        .collect()
}

/// A sung glide is stamped where it begins, as a musician hears the note change: the pitch
/// estimates first lean to the new note only about halfway through the glide, and until now
/// the note was stamped there, 20–60 ms late (a glide of 40–120 ms). Now the estimates' way
/// from the interval's midpoint to three quarters of it gives the glide's length. Before: 42 of the
/// 84 glided notes of six sung lines within 30 ms of where their glides began.
#[test]
fn a_sung_glide_is_stamped_where_it_begins() {
    /// Of the 84 glided notes (two voices, six seeds, seven glides each); 42 before, 78 now.
    const MIN_ON_TIME: usize = 75;
    /// A glided note counts as on time within this of its glide's start, s.
    const ON_TIME_S: f64 = 0.03;
    let mut on_time = 0;
    let mut errors_ms = Vec::new();
    for voice in [Voice::Male, Voice::Female] {
        for seed in 1u64..=6 {
            let line = legato_sung_line(voice);
            let dry = sing(&line, voice, RATE, seed);
            let level_db = -18.0;
            let gain = 10f64.powf((level_db - level_over_notes(&dry, &line, RATE)) / 20.0) as f32;
            let dry: Vec<f32> = dry.iter().map(|s| s * gain).collect();
            let signal = mix(
                &dry,
                &noise(Noise::Pink, RATE, dry.len(), level_db - 40.0, seed),
            );
            let notes = track(&signal, TrackerSettings::for_range(PitchRange::Voice), 64);
            let captured: Vec<(u8, f64)> = with_ending_keys(&notes)
                .into_iter()
                .map(|(on, key)| (key, on.at_samples as f64 / RATE))
                .collect();
            for &(key, start, _) in &line[1..] {
                let nearest = captured
                    .iter()
                    .filter(|&&(k, _)| k == key)
                    .map(|&(_, at)| at - start)
                    .min_by(|a, b| a.abs().total_cmp(&b.abs()));
                if let Some(error) = nearest {
                    errors_ms.push((1000.0 * error).round() as i64);
                    if error.abs() <= ON_TIME_S {
                        on_time += 1;
                    }
                }
            }
        }
    }
    assert!(
        on_time >= MIN_ON_TIME,
        "{on_time} of 84 glided notes within {} ms of their glides' starts (errors, ms: {errors_ms:?})",
        1000.0 * ON_TIME_S
    );
}

/// A flute-like note (eight harmonics falling as 1/h, a 20 ms attack, a 30 ms release) at
/// `key_hz` from `start` to `end`, s, its first `octave_below_s` sounding the octave below.
fn blown(signal: &mut [f32], key_hz: f64, (start, end): (f64, f64), octave_below_s: f64) {
    let mut phase = 0.0f64;
    let (first, last) = ((start * RATE) as usize, (end * RATE) as usize);
    for (n, sample) in signal.iter_mut().enumerate().take(last).skip(first) {
        let t = (n - first) as f64 / RATE;
        // The octave below, then a 5 ms crossfade up to the note.
        let up = ((t - octave_below_s) / 0.005).clamp(0.0, 1.0);
        phase += TAU * key_hz * (0.5 + 0.5 * up) / RATE;
        let ramp = (t / 0.02).min(1.0) * (((last - n) as f64 / RATE) / 0.03).min(1.0);
        let wave: f64 = (1..=8).map(|h| (phase * h as f64).sin() / h as f64).sum();
        *sample += (0.2 * ramp * wave) as f32;
    }
}

/// An attack that sounds the octave below for its first 45 ms (FluidR3's flute does on A5) is
/// one note of the pitch it settles on, from its onset: before, a 45 ms A4 was reported, then
/// the A5 from where the octave jumped. A melody's real octave leap after a note of 200 ms is
/// still two notes.
#[test]
fn an_attack_sounding_the_octave_below_is_one_note_of_its_settled_pitch() {
    let mut signal = vec![0.0f32; (3.0 * RATE) as usize];
    // A5 and G#5 each blown with a 45 ms octave-low attack; then A4 for 200 ms leaping to A5.
    blown(&mut signal, hz(81.0), (0.5, 0.9), 0.045);
    blown(&mut signal, hz(80.0), (1.1, 1.5), 0.045);
    blown(&mut signal, hz(81.0), (1.8, 2.4), 0.2);
    let room = noise(Noise::Pink, RATE, signal.len(), -60.0, 3);
    let signal = mix(&signal, &room);
    let notes = track(&signal, TrackerSettings::for_range(PitchRange::High), 64);
    let captured: Vec<(u8, f64)> = with_ending_keys(&notes)
        .into_iter()
        .map(|(on, key)| (key, on.at_samples as f64 / RATE))
        .collect();
    let expected = [(81u8, 0.5), (80, 1.1), (69, 1.8), (81, 2.0)];
    assert_eq!(
        captured.len(),
        expected.len(),
        "captured (key, onset s) {captured:?}"
    );
    for (&(key, at), &(want_key, want_at)) in captured.iter().zip(&expected) {
        assert_eq!(key, want_key, "captured (key, onset s) {captured:?}");
        assert!(
            (at - want_at).abs() <= 0.03,
            "captured (key, onset s) {captured:?}"
        );
    }
}

/// Noise at the level of the lowest gate (−70 dBFS) opens candidates now and then; a note that
/// begins while one is open (no pitch read yet) is stamped at its own attack, not where the
/// noise's swing opened the candidate (before: 44 ms early, out of the noise).
#[test]
fn a_note_out_of_noise_at_the_gates_level_is_stamped_at_its_attack() {
    /// The stamp's error allowed, s: a hop and the attack's ramp to a quarter of its peak.
    const ONSET_TOLERANCE_S: f64 = 0.01;
    let starts = [0.5, 1.1, 1.8];
    let mut signal = vec![0.0f32; (2.6 * RATE) as usize];
    for &start in &starts {
        blown(&mut signal, hz(69.0), (start, start + 0.4), 0.0);
    }
    let room = noise(Noise::Pink, RATE, signal.len(), -70.0, 3);
    let signal = mix(&signal, &room);
    let notes = track(&signal, TrackerSettings::for_range(PitchRange::High), 64);
    let on = keys_and_times(&notes);
    assert_eq!(on.len(), starts.len(), "note-ons (key, s) {on:?}");
    for (&(key, at), &start) in on.iter().zip(&starts) {
        assert_eq!(key, 69, "note-ons (key, s) {on:?}");
        assert!(
            (at - start).abs() <= ONSET_TOLERANCE_S,
            "note-ons (key, s) {on:?}"
        );
    }
}

/// A violin bowed softly in a room whose noise is louder than the gate (pink, at −30 dBFS: the
/// gate holds, and notes are found out of the background): each note swells in over 150 ms
/// and stands only 10 dB over the noise, so no attack stands out of it. The background is
/// learnt from the noise before the first note (not climbed to from the silence before the
/// input began), a note's clear pitch opens it, and the background does not learn the note.
/// Before, none of these notes was found: the background estimate rose with each swell.
#[test]
fn a_soft_bowed_line_in_noise_louder_than_the_gate_is_found() {
    const LINE: [(u8, f64, f64); 3] = [(76, 1.5, 2.3), (71, 2.5, 3.3), (74, 3.5, 4.4)];
    /// The stamp's error allowed, s: the swell is as loud as the noise 47 ms in (a third of
    /// the way), and is stamped where its 11 ms level stands 3 dB over the background's.
    const ONSET_TOLERANCE_S: f64 = 0.07;
    for seed in 1..=4 {
        let clean = bowed_with_attack(&LINE, 5.0, 1.0, 0.15);
        let gain = 10f64.powf((-20.0 - level_over_notes(&clean, &LINE, RATE)) / 20.0) as f32;
        let clean: Vec<f32> = clean.iter().map(|s| s * gain).collect();
        let signal = mix(&clean, &noise(Noise::Pink, RATE, clean.len(), -30.0, seed));
        let notes = track(&signal, TrackerSettings::for_range(PitchRange::High), 64);
        let on = keys_and_times(&notes);
        assert_eq!(
            on.len(),
            LINE.len(),
            "seed {seed}: note-ons (key, s) {on:?}"
        );
        for (&(key, at), &(expected, start, _)) in on.iter().zip(&LINE) {
            assert!(
                key == expected && (at - start).abs() <= ONSET_TOLERANCE_S,
                "seed {seed}: note-ons (key, s) {on:?}"
            );
        }
    }
}

/// A note whose level sinks slowly (a slow tremolo, a synth's envelope) under the threshold
/// a mains hum sets (its ripple needs a wide margin) while its pitch stays clear is one note,
/// not one per swell: a note ends when it falls into the background itself or its pitch is
/// lost. Before, each note was split at its trough.
#[test]
fn a_tremolo_over_a_hum_is_one_note_per_note() {
    const LINE: [(u8, f64, f64); 3] = [(64, 1.5, 2.4), (67, 2.5, 3.4), (62, 3.5, 4.4)];
    /// Tremolo rate, Hz, and the level of its troughs under its peaks, dB.
    const TREMOLO_HZ: f64 = 1.5;
    const TROUGH_DB: f64 = 24.0;
    for mains in [50.0, 60.0] {
        let mut clean = bowed(&LINE, 5.0, 1.0);
        let trough = 10f64.powf(-TROUGH_DB / 20.0);
        for &(_, start, end) in &LINE {
            let (first, last) = ((start * RATE) as usize, (end * RATE) as usize);
            for (n, sample) in clean.iter_mut().enumerate().take(last).skip(first) {
                let t = n as f64 / RATE - start;
                let swing = 0.5 + 0.5 * (TAU * TREMOLO_HZ * t).cos();
                *sample *= (trough + (1.0 - trough) * swing) as f32;
            }
        }
        // Quiet (a memo at -35 dBFS over its notes, 25 dB over the hum): the troughs fall under
        // the gate, not into the hum.
        let gain = 10f64.powf((-35.0 - level_over_notes(&clean, &LINE, RATE)) / 20.0) as f32;
        let clean: Vec<f32> = clean.iter().map(|s| s * gain).collect();
        let signal = mix(
            &clean,
            &noise(Noise::Hum(mains), RATE, clean.len(), -60.0, 1),
        );
        let notes = track(&signal, TrackerSettings::for_range(PitchRange::Voice), 64);
        let on = keys_and_times(&notes);
        assert_eq!(
            on.len(),
            LINE.len(),
            "{mains} Hz hum: note-ons (key, s) {on:?}"
        );
        assert_eq!(found(&notes, &LINE), LINE.len(), "{mains} Hz hum: {on:?}");
    }
}
