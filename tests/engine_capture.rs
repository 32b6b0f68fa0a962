//! Capture segmentation on scripted performances: rubato, pauses just under and over the
//! silence threshold, overlaps, repeated keys, the sustain pedal, chords, stray note-offs,
//! quantize, armed capture and overflow.

use reprise::engine::capture::{CaptureMode, CaptureSettings, PhraseCapture};
use reprise::engine::motif::{Motif, TimeSignature, MAX_MOTIF_NOTES};
use reprise::engine::quantize::{Grid, Quantize};

/// A scripted event: (beats, what).
#[derive(Clone, Copy)]
enum Ev {
    On(f64, u8, f32),
    Off(f64, u8),
    Pedal(f64, bool),
    Tick(f64),
}

/// Feeds the script (channel 0) and returns every motif captured, the way the plugin would:
/// time is advanced before each event.
fn play(settings: CaptureSettings, script: &[Ev]) -> Vec<Motif> {
    let mut capture = Box::new(PhraseCapture::new(settings));
    let mut motifs = Vec::new();
    let mut seen = 0;
    for &event in script {
        let beats = match event {
            Ev::On(b, ..) | Ev::Off(b, _) | Ev::Pedal(b, _) | Ev::Tick(b) => b,
        };
        capture.advance(beats);
        match event {
            Ev::On(b, key, velocity) => capture.note_on(b, 0, key, velocity),
            Ev::Off(b, key) => capture.note_off(b, 0, key),
            Ev::Pedal(b, down) => capture.sustain(b, 0, down),
            Ev::Tick(_) => {}
        }
        if capture.num_captured() != seen {
            seen = capture.num_captured();
            motifs.push(capture.motif().clone());
        }
    }
    motifs
}

fn keys(motif: &Motif) -> Vec<u8> {
    motif.notes().iter().map(|n| n.key).collect()
}

fn approx(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn a_phrase_ends_after_the_silence_threshold_not_before() {
    // Gap 2 beats. Pause of 1.99 beats inside the phrase: still one phrase.
    let script = [
        Ev::On(0.0, 60, 0.8),
        Ev::Off(1.0, 60),
        Ev::On(2.99, 62, 0.8),
        Ev::Off(4.0, 62),
        Ev::Tick(5.99),
    ];
    assert!(
        play(CaptureSettings::default(), &script).is_empty(),
        "ended before the threshold"
    );
    let mut ended = script.to_vec();
    ended.push(Ev::Tick(6.0));
    let motifs = play(CaptureSettings::default(), &ended);
    assert_eq!(motifs.len(), 1);
    assert_eq!(keys(&motifs[0]), vec![60, 62]);
}

#[test]
fn a_pause_just_over_the_threshold_splits_two_phrases() {
    let script = [
        Ev::On(0.0, 60, 0.8),
        Ev::Off(1.0, 60),
        Ev::On(3.01, 64, 0.8), // 2.01 beats of silence
        Ev::Off(4.0, 64),
        Ev::Tick(10.0),
    ];
    let motifs = play(CaptureSettings::default(), &script);
    assert_eq!(motifs.len(), 2);
    assert_eq!(keys(&motifs[0]), vec![60]);
    assert_eq!(keys(&motifs[1]), vec![64]);
    // The second phrase starts on the bar line before it (beat 0 of bar 1): onset 3.01.
    assert!(approx(motifs[1].notes()[0].start_beats, 3.01));
}

#[test]
fn rubato_keeps_played_timing_and_whole_bar_length() {
    let script = [
        Ev::On(0.0, 67, 0.6),
        Ev::Off(0.93, 67),
        Ev::On(1.07, 69, 0.7),
        Ev::Off(2.2, 69),
        Ev::On(2.31, 71, 0.65),
        Ev::Off(4.6, 71),
        Ev::Tick(8.0),
    ];
    let motif = &play(CaptureSettings::default(), &script)[0];
    let timings: Vec<(f64, f64)> = motif
        .notes()
        .iter()
        .map(|n| (n.start_beats, n.length_beats))
        .collect();
    for ((start, length), (want_start, want_length)) in
        timings
            .iter()
            .zip([(0.0, 0.93), (1.07, 1.13), (2.31, 2.29)])
    {
        assert!(
            approx(*start, want_start) && approx(*length, want_length),
            "{timings:?}"
        );
    }
    assert_eq!(
        motif.length_beats, 8.0,
        "4.6 beats rounds up to two 4/4 bars"
    );
}

#[test]
fn an_upbeat_stays_an_upbeat() {
    let script = [
        Ev::On(3.0, 60, 0.8),
        Ev::Off(4.0, 60),
        Ev::On(4.0, 65, 0.8),
        Ev::Off(6.0, 65),
        Ev::Tick(9.0),
    ];
    let motif = &play(CaptureSettings::default(), &script)[0];
    assert_eq!(motif.notes()[0].start_beats, 3.0);
    assert_eq!(motif.notes()[1].start_beats, 4.0);
    assert_eq!(motif.length_beats, 8.0);
    let unaligned = CaptureSettings {
        align_to_bars: false,
        ..CaptureSettings::default()
    };
    let motif = &play(unaligned, &script)[0];
    assert_eq!(motif.notes()[0].start_beats, 0.0);
    assert_eq!(motif.length_beats, 4.0);
}

#[test]
fn chords_and_overlapping_notes_are_kept() {
    let script = [
        Ev::On(0.0, 60, 0.8),
        Ev::On(0.0, 64, 0.8),
        Ev::On(0.01, 67, 0.8),
        Ev::On(0.9, 72, 0.8), // legato overlap: starts before the chord is released
        Ev::Off(1.0, 60),
        Ev::Off(1.0, 64),
        Ev::Off(1.02, 67),
        Ev::Off(2.0, 72),
        Ev::Tick(5.0),
    ];
    let motif = &play(CaptureSettings::default(), &script)[0];
    assert_eq!(keys(motif), vec![60, 64, 67, 72]);
    assert!(
        approx(motif.notes()[3].start_beats, 0.9) && approx(motif.notes()[3].length_beats, 1.1)
    );
}

#[test]
fn a_repeated_key_ends_the_earlier_note_and_velocity_zero_is_a_note_off() {
    let script = [
        Ev::On(0.0, 60, 0.8),
        Ev::On(0.5, 60, 0.9), // struck again without a release (some keyboards do this)
        Ev::On(1.0, 60, 0.0), // velocity-0 note-on = release
        Ev::Off(1.5, 60),     // stray: nothing sounds on 60 any more
        Ev::Off(1.6, 61),     // stray: never played
        Ev::Tick(4.0),
    ];
    let motif = &play(CaptureSettings::default(), &script)[0];
    assert_eq!(motif.len(), 2);
    assert!(approx(motif.notes()[0].length_beats, 0.5));
    assert!(
        approx(motif.notes()[1].start_beats, 0.5) && approx(motif.notes()[1].length_beats, 0.5)
    );
    assert_eq!(motif.notes()[1].velocity, 0.9);
}

#[test]
fn sustain_pedal_extends_released_notes_until_it_lifts() {
    let script = [
        Ev::Pedal(0.0, true),
        Ev::On(0.0, 48, 0.7),
        Ev::Off(0.5, 48), // held by the pedal
        Ev::On(1.0, 55, 0.7),
        Ev::Off(1.5, 55),
        Ev::On(2.0, 48, 0.7), // re-striking a pedalled key ends the ringing one
        Ev::Off(2.5, 48),
        Ev::Pedal(3.0, false), // lifts: everything released ends here
        Ev::Tick(4.9),         // silence counts from the pedal lift, not from the key releases
    ];
    assert!(play(CaptureSettings::default(), &script).is_empty());
    let mut script = script.to_vec();
    script.push(Ev::Tick(5.0));
    let motif = &play(CaptureSettings::default(), &script)[0];
    let lengths: Vec<(u8, f64, f64)> = motif
        .notes()
        .iter()
        .map(|n| (n.key, n.start_beats, n.length_beats))
        .collect();
    assert_eq!(
        lengths,
        vec![(48, 0.0, 2.0), (55, 1.0, 2.0), (48, 2.0, 1.0)]
    );
}

#[test]
fn a_held_key_is_not_ended_by_the_pedal_lift() {
    let script = [
        Ev::Pedal(0.0, true),
        Ev::On(0.0, 60, 0.5),
        Ev::Pedal(1.0, false),
        Ev::Off(3.0, 60),
        Ev::Tick(6.0),
    ];
    let motif = &play(CaptureSettings::default(), &script)[0];
    assert!(approx(motif.notes()[0].length_beats, 3.0));
}

#[test]
fn quantize_on_capture_is_exact_at_full_strength() {
    let settings = CaptureSettings {
        quantize: Some(Quantize {
            grid: Grid::Sixteenth,
            strength: 1.0,
        }),
        ..CaptureSettings::default()
    };
    let script = [
        Ev::On(0.03, 60, 0.8),
        Ev::Off(0.52, 60),
        Ev::On(0.74, 62, 0.8),
        Ev::Off(1.26, 62),
        Ev::On(1.49, 64, 0.8),
        Ev::Off(2.9, 64),
        Ev::Tick(6.0),
    ];
    let motif = &play(settings, &script)[0];
    let timings: Vec<(f64, f64)> = motif
        .notes()
        .iter()
        .map(|n| (n.start_beats, n.end_beats()))
        .collect();
    assert_eq!(timings, vec![(0.0, 0.5), (0.75, 1.25), (1.5, 3.0)]);
    let triplets = CaptureSettings {
        quantize: Some(Quantize {
            grid: Grid::EighthTriplet,
            strength: 1.0,
        }),
        ..CaptureSettings::default()
    };
    let script = [
        Ev::On(0.0, 60, 0.8),
        Ev::Off(0.3, 60),
        Ev::On(0.35, 62, 0.8),
        Ev::Off(0.7, 62),
        Ev::Tick(5.0),
    ];
    let motif = &play(triplets, &script)[0];
    assert!(approx(motif.notes()[1].start_beats, 1.0 / 3.0));
    assert!(approx(motif.notes()[1].end_beats(), 2.0 / 3.0));
}

#[test]
fn quantize_strength_moves_part_way() {
    let settings = CaptureSettings {
        quantize: Some(Quantize {
            grid: Grid::Quarter,
            strength: 0.8,
        }),
        align_to_bars: true,
        ..CaptureSettings::default()
    };
    let script = [
        Ev::On(0.0, 60, 0.8),
        Ev::Off(0.9, 60),
        Ev::On(1.2, 62, 0.8),
        Ev::Off(2.0, 62),
        Ev::Tick(5.0),
    ];
    let motif = &play(settings, &script)[0];
    assert!(
        approx(motif.notes()[1].start_beats, 1.04),
        "{:?}",
        motif.notes()
    );
}

#[test]
fn armed_capture_takes_only_the_next_phrase() {
    let settings = CaptureSettings {
        mode: CaptureMode::Armed,
        ..CaptureSettings::default()
    };
    let mut capture = Box::new(PhraseCapture::new(settings));
    capture.note_on(0.0, 0, 60, 0.8);
    capture.note_off(1.0, 0, 60);
    assert!(!capture.advance(10.0), "not armed: nothing is captured");
    capture.arm();
    capture.note_on(10.0, 0, 62, 0.8);
    capture.note_off(11.0, 0, 62);
    assert!(capture.advance(13.0));
    assert_eq!(keys(capture.motif()), vec![62]);
    assert!(!capture.is_listening(), "disarmed after one phrase");
    capture.note_on(20.0, 0, 64, 0.8);
    capture.note_off(21.0, 0, 64);
    assert!(!capture.advance(30.0));
    assert_eq!(keys(capture.motif()), vec![62]);
}

#[test]
fn an_overlong_phrase_is_cut_and_flagged_not_crashed() {
    let mut script = Vec::new();
    for i in 0..(MAX_MOTIF_NOTES + 50) {
        let beats = i as f64 * 0.25;
        script.push(Ev::On(beats, 60 + (i % 12) as u8, 0.5));
        script.push(Ev::Off(beats + 0.2, 60 + (i % 12) as u8));
    }
    script.push(Ev::Tick(1000.0));
    let motif = &play(CaptureSettings::default(), &script)[0];
    assert_eq!(motif.len(), MAX_MOTIF_NOTES);
    assert!(motif.truncated);
}

/// Issue 11, item 5: drum hits on channel 10 played into capture became melody notes. Capture
/// ignores channel 10 unless asked to hear it.
#[test]
fn capture_ignores_channel_10_unless_asked() {
    for include_drums in [false, true] {
        let settings = CaptureSettings {
            include_drums,
            ..CaptureSettings::default()
        };
        let mut capture = Box::new(PhraseCapture::new(settings));
        capture.note_on(0.0, 0, 60, 0.8);
        capture.note_on(0.0, 9, 36, 0.9);
        capture.note_off(0.5, 9, 36);
        capture.note_off(1.0, 0, 60);
        capture.note_on(1.0, 9, 42, 0.9);
        capture.note_off(1.2, 9, 42);
        assert!(capture.advance(5.0));
        let keys: Vec<u8> = capture.motif().notes().iter().map(|n| n.key).collect();
        if include_drums {
            assert_eq!(keys, vec![36, 60, 42]);
        } else {
            assert_eq!(keys, vec![60]);
        }
    }
}

/// A phrase longer than the motif can hold is cut, but it still ends only after the silence
/// that follows the last note played (it used to end a gap after the last note it kept, in the
/// middle of the playing, and take the dense opening as a new motif).
#[test]
fn an_overlong_phrase_ends_after_the_playing_stops_not_when_it_is_full() {
    let mut capture = Box::new(PhraseCapture::new(CaptureSettings::default()));
    let num_played = MAX_MOTIF_NOTES * 3;
    let mut completed_at = None;
    for i in 0..num_played {
        let beats = i as f64 * 0.25;
        let key = 60 + (i % 12) as u8;
        if capture.advance(beats) && completed_at.is_none() {
            completed_at = Some(beats);
        }
        capture.note_on(beats, 0, key, 0.5);
        capture.note_off(beats + 0.2, 0, key);
    }
    assert_eq!(completed_at, None, "completed while still playing");
    let last_release = (num_played - 1) as f64 * 0.25 + 0.2;
    assert!(!capture.advance(last_release + 1.9));
    assert!(capture.advance(last_release + 2.0));
    assert_eq!(capture.motif().len(), MAX_MOTIF_NOTES);
    assert!(capture.motif().truncated);
}

#[test]
fn metre_and_tempo_are_recorded_and_a_key_is_detected() {
    let mut capture = Box::new(PhraseCapture::new(CaptureSettings::default()));
    capture.set_time_signature(TimeSignature::new(3, 4));
    capture.set_tempo_bpm(72.0);
    for (i, key) in [67u8, 64, 60, 64, 67, 72].into_iter().enumerate() {
        capture.note_on(i as f64, 0, key, 0.7);
        capture.note_off(i as f64 + 0.9, 0, key);
    }
    assert!(capture.flush(6.0));
    let motif = capture.motif();
    assert_eq!(motif.time_signature, TimeSignature::new(3, 4));
    assert_eq!(motif.tempo_bpm, 72.0);
    assert_eq!(motif.length_beats, 6.0);
    let key = motif.key().expect("a key");
    assert_eq!(
        (key.tonic, key.mode),
        (0, reprise::engine::key::Mode::Major)
    );
}

#[test]
fn capture_never_allocates_while_fed() {
    // The engine's own allocation guard: the plugin runs capture on the audio thread.
    let mut capture = Box::new(PhraseCapture::new(CaptureSettings {
        quantize: Some(Quantize {
            grid: Grid::Sixteenth,
            strength: 0.5,
        }),
        ..CaptureSettings::default()
    }));
    // Aborts the test process (a failure under nextest) if anything inside allocates.
    nice_assert_no_alloc::assert_no_alloc(|| {
        for i in 0..400 {
            let beats = i as f64 * 0.3;
            capture.note_on(beats, (i % 3) as u8, 40 + (i % 40) as u8, 0.5);
            capture.sustain(beats, 0, i % 7 == 0);
            capture.note_off(beats + 0.2, (i % 3) as u8, 40 + (i % 40) as u8);
            capture.advance(beats + if i % 50 == 0 { 10.0 } else { 0.25 });
        }
        assert!(capture.flush(1000.0));
    });
    assert!(capture.num_captured() >= 2);
}

// The engine's allocation guard. With the plugin feature in a debug build, nice-plug already
// installs this allocator for the whole binary; otherwise this test binary installs it.
#[cfg(not(all(feature = "plugin", debug_assertions)))]
#[global_allocator]
static ALLOCATOR: nice_assert_no_alloc::AllocDisabler = nice_assert_no_alloc::AllocDisabler;

/// Issue 13: a note heard in audio whose pitch became clear only as it went on is kept at the
/// retuned key, ends by that key's release, and its old key is free.
#[test]
fn a_retuned_note_is_kept_at_its_new_key_and_ends_there() {
    let mut capture = Box::new(PhraseCapture::new(CaptureSettings::default()));
    capture.note_on(0.0, 0, 63, 0.7);
    capture.retune(0.5, 0, 63, 64);
    // The old key no longer sounds: its release is a stray note-off.
    capture.note_off(0.9, 0, 63);
    assert!(!capture.advance(10.0), "the retuned note still sounds");
    capture.note_off(1.0, 0, 64);
    assert!(capture.advance(10.0));
    let notes: Vec<(u8, f64)> = capture
        .motif()
        .notes()
        .iter()
        .map(|n| (n.key, n.length_beats))
        .collect();
    assert_eq!(notes, [(64, 1.0)]);
}
