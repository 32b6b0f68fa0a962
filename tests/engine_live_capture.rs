//! The live engine, headless: capture while the song plays — phrases take the song's metre,
//! tempo and bar lines, complete at their silence gap and come in at the next launch point,
//! whatever the block sizes.
//!
//! Which level owns what: engine scenarios (these files, headless) own timing to the sample,
//! block-split equivalence and the allocation guard; the built plugin in a CLAP host
//! (`tests/clap_host`) owns what a host sees of it (events, parameters, state); a real DAW
//! (`tests/daw`, Ardour) owns what a composer's session does.

#[path = "common/live.rs"]
mod live;
use live::*;

/// Issue 10, defect 1: a phrase played in a 3/4 song at 90 BPM was stored as 4/4 at 120 BPM.
#[test]
fn capture_takes_the_songs_metre_and_tempo() {
    for (numerator, denominator, tempo) in
        [(3u8, 4u8, 90.0), (6, 8, 72.0), (7, 8, 132.0), (5, 4, 100.0)]
    {
        let metre = TimeSignature::new(numerator, denominator);
        let bar = metre.bar_length_beats();
        // A phrase starting one beat into the second bar, about a bar and a half long.
        let start = bar + 1.0;
        let notes = [
            (start, 0.5, 62),
            (start + 0.5, 0.5, 65),
            (start + 1.0, bar, 69),
        ];
        let engine = play_phrase(&notes, tempo, metre, start + bar + 8.0);
        let motif = &engine.slots()[0];
        assert_eq!(motif.len(), 3, "{numerator}/{denominator}: captured");
        assert_eq!(
            motif.time_signature, metre,
            "{numerator}/{denominator}: metre kept"
        );
        assert!(
            (motif.tempo_bpm - tempo).abs() < 1e-9,
            "{numerator}/{denominator}: tempo {}",
            motif.tempo_bpm
        );
        // Aligned to the song's bar line before the first note (an upbeat stays an upbeat) and
        // a whole number of the song's bars long.
        assert!(
            (motif.notes()[0].start_beats - 1.0).abs() < 1e-3,
            "{:?}",
            motif.notes()[0]
        );
        let bars = motif.length_beats / bar;
        assert!(
            (bars - bars.round()).abs() < 1e-9 && bars >= 1.0,
            "{bars} bars"
        );
    }
}

/// Issue 10, defect 7: hold a key, bypass (capture off), release it while bypassed, un-bypass,
/// play a phrase: it was never captured. Turning capture off drops the phrase in progress.
#[test]
fn a_key_released_while_capture_is_off_does_not_wedge_capture() {
    let mut engine = Box::new(LiveEngine::new());
    let listening = LiveSettings {
        playback_mode: PlaybackMode::Off,
        ..LiveSettings::default()
    };
    let bypassed = LiveSettings {
        capture: reprise::engine::playback::LiveCapture::Off,
        ..listening
    };
    let beat = 24_000u64; // at 120 BPM
    let input = [
        (beat, Event::note_on(0, 0, 50, 0.7, None)),
        (3 * beat, Event::note_off(0, 0, 50, 0.0, None)), // released while bypassed
        (8 * beat, Event::note_on(0, 0, 62, 0.7, None)),
        (8 * beat + beat / 2, Event::note_off(0, 0, 62, 0.0, None)),
        (9 * beat, Event::note_on(0, 0, 65, 0.7, None)),
        (9 * beat + beat / 2, Event::note_off(0, 0, 65, 0.0, None)),
    ];
    let blocks = ramp_blocks(120.0, 120.0, 1.0, 16.0, 512);
    let block_of_beat = |b: u64| (b * beat / 512) as usize;
    drive(
        &mut engine,
        &blocks,
        |idx| {
            if (block_of_beat(2)..block_of_beat(5)).contains(&idx) {
                bypassed
            } else {
                listening
            }
        },
        &input,
    );
    let keys: Vec<u8> = engine.slots()[0].notes().iter().map(|n| n.key).collect();
    assert_eq!(
        keys,
        [62, 65],
        "the phrase after the bypass is captured, alone"
    );
}

/// Issue 10, defect 11: each new capture dropped the slot's key lock.
#[test]
fn a_new_capture_keeps_the_slots_key_lock() {
    use reprise::engine::key::Key;
    let mut engine = Box::new(LiveEngine::new());
    engine.set_slot(0, &eighths_motif(0.45));
    let lock = Key::parse("D:minor").unwrap();
    engine.lock_key(0, Some(lock));
    let settings = LiveSettings {
        playback_mode: PlaybackMode::Off,
        ..LiveSettings::default()
    };
    let beat = 24_000u64;
    let input = [
        (beat, Event::note_on(0, 0, 62, 0.7, None)),
        (2 * beat, Event::note_off(0, 0, 62, 0.0, None)),
    ];
    drive(
        &mut engine,
        &ramp_blocks(120.0, 120.0, 1.0, 8.0, 512),
        |_| settings,
        &input,
    );
    assert_eq!(engine.slots()[0].notes()[0].key, 62, "captured");
    assert_eq!(engine.slots()[0].locked_key, Some(lock), "the lock stays");
}

/// Issue 10, defect 11: capture completed only at block starts, so when a phrase came in (and
/// whether the next onset joined it) depended on the block size, and the new motif came in
/// mid-bar. Now a phrase completes at the sample its silence gap ends, and its rendering comes
/// in at the next launch point (bar): the output is the same for any split.
#[test]
fn captured_phrases_come_in_at_the_next_bar_whatever_the_block_size() {
    use reprise::engine::rng::Rng;
    let sample_rate = 48_000.0;
    let tempo = 100.0;
    let samples_per_beat = 60.0 * sample_rate / tempo; // 28 800
    let settings = LiveSettings {
        capture: reprise::engine::playback::LiveCapture::AlwaysListening,
        capture_gap_beats: 1.5,
        ..plain_playback()
    };
    // Three phrases on channel 3; the third starts just after the second one's gap.
    let mut input: Vec<(u64, Event)> = Vec::new();
    let phrase = |start_beats: f64, keys: &[u8], input: &mut Vec<(u64, Event)>| {
        for (i, &key) in keys.iter().enumerate() {
            let on = ((start_beats + i as f64 * 0.5) * samples_per_beat) as u64;
            input.push((on, Event::note_on(0, 2, key, 0.7, None)));
            input.push((
                on + (0.4 * samples_per_beat) as u64,
                Event::note_off(0, 2, key, 0.0, None),
            ));
        }
    };
    phrase(1.25, &[60, 64, 67], &mut input);
    phrase(9.1, &[62, 65, 69, 72], &mut input);
    // Second phrase's last release: 9.1 + 1.5 + 0.4 = 11.0; its gap ends at 12.5.
    phrase(12.5 + 0.01, &[57, 60], &mut input);
    input.sort_by_key(|&(sample, _)| sample);
    let run = |next_block: &mut dyn FnMut() -> u32| {
        let mut engine = Box::new(LiveEngine::new());
        let song = SteadySong {
            sample_rate,
            tempo,
            loop_beats: None,
            total_samples: (30.0 * samples_per_beat) as u64,
            automation_every_samples: None,
        };
        let out = output_with_blocks(&mut engine, &settings, song, next_block, &input);
        (out, engine.slots()[0].clone())
    };
    let (reference, motif) = run(&mut || 16_384);
    let keys: Vec<u8> = motif.notes().iter().map(|n| n.key).collect();
    assert_eq!(keys, [57, 60], "the third phrase is a phrase of its own");
    // The first phrase completes at beat 1.25 + 1.0 + 0.4 + 1.5 = 4.15; its rendering (on
    // channel 1) comes in at the next bar line of the 3/4 song, beat 6, with the phrase's own
    // offset from its bar line (1.25 beats): first note at beat 7.25.
    let first_rendered = reference
        .iter()
        .find(|(_, e)| {
            matches!(
                e.kind,
                reprise::engine::event::EventKind::NoteOn { channel: 0, .. }
            )
        })
        .map(|&(sample, _)| sample as f64 / samples_per_beat);
    assert!(
        first_rendered.is_some_and(|beats| (beats - 7.25).abs() < 1e-3),
        "first rendered note at beat {first_rendered:?}"
    );
    for (seed, max_block) in [(7u64, 16_384u64), (8, 700), (9, 64)] {
        let mut rng = Rng::new(seed);
        let (split, _) = run(&mut || 1 + (rng.next_u64() % max_block) as u32);
        assert!(
            split == reference,
            "splits up to {max_block} change the output"
        );
    }
}

/// Issue 21 (found in Ardour): a phrase whose silence gap ends exactly on a bar line replaces
/// the rendering there, and the new rendering comes in on that bar line, whether a host block
/// starts at that sample or the bar line falls inside a block.
#[test]
fn a_phrase_completing_on_a_bar_line_comes_in_there_whatever_the_blocks() {
    let sample_rate = 48_000.0;
    let tempo = 100.0;
    let samples_per_beat = 60.0 * sample_rate / tempo; // 28 800
    let settings = LiveSettings {
        capture: reprise::engine::playback::LiveCapture::AlwaysListening,
        capture_gap_beats: 2.0,
        ..plain_playback()
    };
    // A phrase whose last release is at beat 4: its gap ends at beat 6, a 3/4 bar line.
    let mut input: Vec<(u64, Event)> = Vec::new();
    for (start, end, key) in [(3.0, 3.5, 67u8), (3.5, 4.0, 65)] {
        input.push((
            (start * samples_per_beat) as u64,
            Event::note_on(0, 0, key, 0.7, None),
        ));
        input.push((
            (end * samples_per_beat) as u64,
            Event::note_off(0, 0, key, 0.0, None),
        ));
    }
    input.sort_by_key(|&(sample, event)| {
        (
            sample,
            matches!(event.kind, reprise::engine::event::EventKind::NoteOn { .. }),
        )
    });
    let run = |block: u32| {
        let mut engine = Box::new(LiveEngine::new());
        // The slot already plays a motif with an onset on every beat (also on the bar line).
        engine.set_slot(0, &eighths_motif(0.45));
        let song = SteadySong {
            sample_rate,
            tempo,
            loop_beats: None,
            total_samples: (15.0 * samples_per_beat) as u64,
            automation_every_samples: None,
        };
        output_with_blocks(&mut engine, &settings, song, &mut || block, &input)
    };
    // 960 divides the bar line's sample (172 800); 1024 puts it inside a block.
    let on_boundary = run(960);
    let inside = run(1024);
    use reprise::engine::event::EventKind;
    // No note is struck and ended at one sample (the old rendering's onset on the bar line where
    // the new phrase replaces it).
    for (what, out) in [
        ("on a block boundary", &on_boundary),
        ("inside a block", &inside),
    ] {
        for (sample, event) in out.iter() {
            if let EventKind::NoteOn { channel, key, .. } = event.kind {
                let blip = out.iter().any(|(s, e)| {
                    s == sample
                        && matches!(e.kind, EventKind::NoteOff { channel: c, key: k, .. }
                            if c == channel && k == key)
                });
                assert!(
                    !blip,
                    "bar line {what}: key {key} struck and ended at sample {sample}"
                );
            }
        }
    }
    // The new motif starts on its first note, a bar line: it comes in on the bar line at beat 6.
    let bar_line = (6.0 * samples_per_beat) as u64;
    let struck_at_bar = |out: &[(u64, Event)]| {
        out.iter()
            .filter(|(s, e)| *s == bar_line && matches!(e.kind, EventKind::NoteOn { .. }))
            .count()
    };
    assert!(
        struck_at_bar(&on_boundary) > 0,
        "the new phrase does not come in on the bar line"
    );
    assert!(
        on_boundary == inside,
        "the block boundary changes the output"
    );
    for block in [1, 37, 512, 4096] {
        assert!(
            run(block) == on_boundary,
            "blocks of {block} change the output"
        );
    }
}

/// Found in Ardour (issue 23): a captured phrase that completes a few samples after a rendering
/// note is due struck the note and ended it at once — a click, and whether it happened
/// depended on a host's sample of timing jitter. A rendering note due less than
/// `REPLACEMENT_GUARD_MS` before the phrase completes is not started; notes earlier sound whole.
/// Checked for completions before, on and after the note, in blocks of every size.
#[test]
fn a_phrase_completing_just_after_a_rendering_note_never_clicks() {
    use reprise::engine::event::EventKind;
    use reprise::engine::motif::{Motif, Note};
    use reprise::engine::playback::{LiveCapture, REPLACEMENT_GUARD_MS};
    use reprise::engine::rng::Rng;
    let sample_rate = 48_000.0;
    let samples_per_beat = 24_000.0; // 120 BPM
    let settings = LiveSettings {
        capture: LiveCapture::AlwaysListening,
        capture_gap_beats: 2.0,
        ..plain_playback()
    };
    // Two bars looping; the second note is due 62 samples after beat 1 (beat 9 in the loop's
    // second pass), where the phrase below completes.
    let mut motif = Motif::new(TimeSignature::new(4, 4), 120.0);
    for (start_beats, key) in [(0.0, 62u8), (1.0 + 62.0 / samples_per_beat, 64)] {
        motif.push(Note {
            start_beats,
            length_beats: 0.5,
            key,
            velocity: 0.7,
            channel: 0,
        });
    }
    motif.finish();
    let note_sample = (9.0 * samples_per_beat) as u64 + 62;
    let guard_samples = (REPLACEMENT_GUARD_MS / 1000.0 * sample_rate) as u64;
    for lateness in [0u64, 30, 61, 62, 63, 100, 400, guard_samples + 10] {
        // A phrase on channel 2 whose last release is at beat 7 plus `lateness` samples: it
        // completes two beats later.
        let release = (7.0 * samples_per_beat) as u64 + lateness;
        let input = [
            (
                (4.0 * samples_per_beat) as u64,
                Event::note_on(0, 1, 70, 0.7, None),
            ),
            (
                (5.0 * samples_per_beat) as u64,
                Event::note_off(0, 1, 70, 0.0, None),
            ),
            (
                (5.0 * samples_per_beat) as u64,
                Event::note_on(0, 1, 72, 0.7, None),
            ),
            (release, Event::note_off(0, 1, 72, 0.0, None)),
        ];
        let completion = release + (2.0 * samples_per_beat) as u64;
        for (seed, max_block) in [(1u64, 4096u64), (2, 300), (3, 33)] {
            let mut engine = Box::new(LiveEngine::new());
            engine.set_slot(0, &motif);
            let mut rng = Rng::new(seed);
            let song = SteadySong {
                sample_rate,
                tempo: 120.0,
                loop_beats: None,
                total_samples: (12.0 * samples_per_beat) as u64,
                automation_every_samples: None,
            };
            let out = output_with_blocks(
                &mut engine,
                &settings,
                song,
                &mut || 1 + (rng.next_u64() % max_block) as u32,
                &input,
            );
            let on = out.iter().find(|(sample, e)| {
                *sample > note_sample - 100
                    && *sample < note_sample + 100
                    && matches!(
                        e.kind,
                        EventKind::NoteOn {
                            channel: 0,
                            key: 64,
                            ..
                        }
                    )
            });
            let off = on.and_then(|&(on_sample, _)| {
                out.iter().find(|(sample, e)| {
                    *sample >= on_sample
                        && matches!(
                            e.kind,
                            EventKind::NoteOff {
                                channel: 0,
                                key: 64,
                                ..
                            }
                        )
                })
            });
            let context = format!(
                "phrase completing {} samples after the note, blocks up to {max_block}",
                completion as i64 - note_sample as i64
            );
            match (on, off) {
                (None, _) => assert!(
                    completion < note_sample + guard_samples,
                    "{context}: a note due well before the replacement was not played"
                ),
                (Some(&(on_sample, _)), Some(&(off_sample, _))) => {
                    let sounded_ms = (off_sample - on_sample) as f64 / sample_rate * 1000.0;
                    assert!(
                        sounded_ms >= REPLACEMENT_GUARD_MS,
                        "{context}: the note sounded {sounded_ms:.2} ms (a click)"
                    );
                }
                (Some(_), None) => panic!("{context}: the note never ended"),
            }
        }
    }
}
