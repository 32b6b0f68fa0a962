//! The live engine, headless: following the host's transport — tempo ramps and steps, metres
//! and metre changes, loops (at block boundaries and inside blocks), jitter, automation and
//! block splits — with every event on its beat, struck once and ended.
//!
//! Which level owns what: engine scenarios (these files, headless) own timing to the sample,
//! block-split equivalence and the allocation guard; the built plugin in a CLAP host
//! (`tests/clap_host`) owns what a host sees of it (events, parameters, state); a real DAW
//! (`tests/daw`, Ardour) owns what a composer's session does.

#[path = "common/live.rs"]
mod live;
use live::*;

/// Issue 10, defect 2: a 4-bar ritardando 120→60 with 4096-sample blocks was taken for a jump at
/// every block (notes ended, muted to the next bar): 5 notes instead of 32.
#[test]
fn a_ritardando_plays_every_note_once_and_in_full() {
    for block in [64u32, 512, 4096, 8192] {
        let mut engine = Box::new(LiveEngine::new());
        engine.set_slot(0, &eighths_motif(0.45));
        let blocks = ramp_blocks(120.0, 60.0, 16.0, 16.0, block);
        let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
        let shortest_samples = 0.4 * 60.0 / 120.0 * SAMPLE_RATE; // 0.4 beat at the fastest tempo
        let played: Vec<&HeardNote> = heard.notes.iter().collect();
        assert_eq!(heard.double_strikes, 0, "block {block}");
        assert_eq!(heard.stray_offs, 0, "block {block}");
        assert!(
            (32..=33).contains(&played.len()),
            "block {block}: {} notes in 16 beats of eighths",
            played.len()
        );
        for note in &played[..32] {
            let off = note.off.unwrap_or(u64::MAX);
            assert!(
                (off - note.on) as f64 >= shortest_samples,
                "block {block}: a note cut to {} samples",
                off - note.on
            );
        }
    }
}

/// Issue 10, defect 5: a staccato note whose on and off fall in one scheduling window rang until
/// the next loop cycle; every note must end at its own length.
#[test]
fn a_note_that_starts_and_ends_in_one_block_gets_its_off_in_that_block() {
    for block in [256u32, 4096, 16384] {
        let mut engine = Box::new(LiveEngine::new());
        engine.set_slot(0, &eighths_motif(0.05)); // 1 200 samples at 120 BPM
        let blocks = ramp_blocks(120.0, 120.0, 1.0, 8.0, block);
        let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
        let total: u64 = blocks.iter().map(|&(n, _)| n as u64).sum();
        assert!(
            heard.notes.len() >= 15,
            "block {block}: {}",
            heard.notes.len()
        );
        for note in heard.notes.iter().filter(|n| n.on + 1_300 < total) {
            let length = note.off.map(|off| off - note.on);
            assert!(
                length.is_some_and(|l| l.abs_diff(1_200) <= 1),
                "block {block}: staccato note lasted {length:?} samples"
            );
        }
    }
}

/// Issue 10, defect 5: host positions a fraction of a sample off the prediction (fixed-point
/// positions) must neither drop a note-off nor strike a note twice.
#[test]
fn sub_sample_position_jitter_loses_no_note_off_and_doubles_no_note() {
    let mut engine = Box::new(LiveEngine::new());
    engine.set_slot(0, &eighths_motif(0.45));
    // 600-sample blocks: every onset (12 000) and every end (10 800) lies on a block boundary.
    let mut blocks = ramp_blocks(120.0, 120.0, 1.0, 16.0, 600);
    let beats_per_sample = 120.0 / 60.0 / SAMPLE_RATE;
    for (idx, (_, transport)) in blocks.iter_mut().enumerate() {
        // −0.45 … +0.45 sample, alternating sign, never zero.
        let jitter = (((idx * 7919) % 97) as f64 / 97.0 * 0.35 + 0.1)
            * if idx % 2 == 0 { 1.0 } else { -1.0 };
        transport.pos_beats = (transport.pos_beats + jitter * beats_per_sample).max(0.0);
    }
    let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
    assert_eq!(heard.double_strikes, 0);
    assert_eq!(heard.stray_offs, 0);
    // Eighths every 12 000 samples at 120 BPM, from sample 0 to the end of the run.
    let total: u64 = blocks.iter().map(|&(n, _)| n as u64).sum();
    assert_eq!(
        heard.notes.len() as u64,
        total.div_ceil(12_000),
        "every eighth, once"
    );
    for note in &heard.notes[..31] {
        let length = note.off.map(|off| off - note.on);
        assert!(
            length.is_some_and(|l| l.abs_diff(10_800) <= 2),
            "a note lasted {length:?} samples (0.45 beat = 10 800)"
        );
    }
}

/// Issue 10, defect 6: each automation point of Intensity (likewise humanize, augmentation,
/// seed) ended every sounding note and re-rendered: a ramp left 13 ms stubs of 1 s notes. Now a
/// sounding note keeps its length, whatever the automation does meanwhile.
#[test]
fn automating_shaping_settings_every_64_samples_never_chops_a_note() {
    use reprise::engine::character::Character;
    let lanes: [(&str, Automation); 3] = [
        ("intensity", |mut s, t| {
            s.character.intensity = t;
            s
        }),
        ("augmentation + humanize", |mut s, t| {
            s.character.augmentation = 1.0 + t;
            s.character.humanize = t;
            s
        }),
        ("seed", |mut s, t| {
            s.character.seed = 1 + (t * 50.0) as u64;
            s
        }),
    ];
    for (lane, apply) in lanes {
        let mut engine = Box::new(LiveEngine::new());
        engine.set_slot(0, &eighths_motif(0.45));
        let mut base = plain_playback();
        base.character.character = Character::Swell;
        let total_blocks = (16.0 * 24_000.0 / 64.0) as usize;
        let (heard, end) = run_automated(&mut engine, 16.0, |idx| {
            apply(base, idx as f64 / total_blocks as f64)
        });
        assert_eq!(heard.double_strikes, 0, "{lane}");
        assert_eq!(heard.stray_offs, 0, "{lane}");
        assert!(heard.notes.len() >= 16, "{lane}: {}", heard.notes.len());
        // Swell's shortest notes are well over a quarter beat (6 000 samples at 120 BPM); a
        // chopped note would be a stub of one automation step (the transport stop at `end`
        // ends what still sounds).
        for note in &heard.notes {
            let off = note.off.unwrap_or(end);
            let length = off - note.on;
            assert!(
                length >= 6_000 || off >= end,
                "{lane}: a note on {} lasted {length} samples",
                note.key
            );
        }
    }
}

/// Issue 10, defect 4: an onset at the loop end was struck, ended and struck again a sample
/// later (the wrap used a 1e-6-sample tolerance, onsets 0.01). At the wrap the host is at the
/// loop start: the loop-start onset sounds, once.
#[test]
fn an_onset_at_the_loop_end_is_struck_once() {
    // The loop end (beat 4) falls 0.005 samples after sample 100 000: past the sample by less
    // than the onsets' tolerance, more than the old wrap tolerance.
    let tempo = 4.0 * 60.0 * SAMPLE_RATE / 100_000.005;
    let beats_per_sample = tempo / 60.0 / SAMPLE_RATE;
    let mut blocks = Vec::new();
    let mut beats = 0.0f64;
    for _ in 0..(3.0 * 4.0 / beats_per_sample / 512.0) as usize {
        let mut info = transport(beats, tempo, TimeSignature::new(4, 4));
        info.loop_range_beats = Some((0.0, 4.0));
        blocks.push((512u32, info));
        beats += 512.0 * beats_per_sample;
        if beats >= 4.0 {
            beats -= 4.0;
        }
    }
    // A two-bar motif: its second bar starts with key 60 too, exactly at the loop end.
    let mut motif = eighths_motif(0.45);
    let mut two_bars = reprise::engine::motif::Motif::new(TimeSignature::new(4, 4), 120.0);
    for note in motif.notes() {
        two_bars.push(*note);
        two_bars.push(reprise::engine::motif::Note {
            start_beats: note.start_beats + 4.0,
            ..*note
        });
    }
    two_bars.finish();
    motif.clone_from(&two_bars);
    let mut engine = Box::new(LiveEngine::new());
    engine.set_slot(0, &motif);
    let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
    assert_eq!(heard.double_strikes, 0);
    let strikes_of_60: Vec<u64> = heard
        .notes
        .iter()
        .filter(|n| n.key == 60)
        .map(|n| n.on)
        .collect();
    for pair in strikes_of_60.windows(2) {
        assert!(
            pair[1] - pair[0] > 1_000,
            "key 60 struck twice in a row: {strikes_of_60:?}"
        );
    }
    assert!(strikes_of_60.len() >= 3, "{strikes_of_60:?}");
}

/// The output is a function of the music, not of the block size: the same transport (3/4, a
/// host loop that wraps inside blocks), the same played notes and the same automation (none, or
/// Intensity and Humanize stepped every 50 ms), processed in 16 384-sample blocks and in seeded
/// random splits of 1–16 384 (and 1–64) samples, give the same events at the same samples, at
/// 22.05–192 kHz, for Piano and Swell.
#[test]
fn block_splits_do_not_change_the_output() {
    use reprise::engine::character::Character;
    use reprise::engine::rng::Rng;
    for sample_rate in [22_050.0, 44_100.0, 48_000.0, 96_000.0, 192_000.0] {
        let mut unautomated: Vec<(Character, Vec<(u64, Event)>)> = Vec::new();
        for (character, automated) in [
            (Character::Piano, false),
            (Character::Swell, false),
            (Character::Piano, true),
            (Character::Swell, true),
        ] {
            let tempo = 97.0;
            let samples_per_beat = 60.0 * sample_rate / tempo;
            let total = (40.0 * samples_per_beat) as u64;
            let mut settings = plain_playback();
            settings.character.character = character;
            settings.character.intensity = 0.9;
            settings.character.humanize = 0.4;
            // Played along on channel 5 (passed through), away from the rendering's channels.
            let input: Vec<(u64, Event)> = (0..30u64)
                .flat_map(|i| {
                    let on = (i as f64 * 1.3 * samples_per_beat) as u64 + 17;
                    let key = 40 + (i * 7 % 24) as u8;
                    [
                        (on, Event::note_on(0, 5, key, 0.5, None)),
                        (
                            on + (0.7 * samples_per_beat) as u64,
                            Event::note_off(0, 5, key, 0.0, None),
                        ),
                    ]
                })
                .collect();
            let mut input = input;
            input.sort_by_key(|&(sample, _)| sample);
            let run = |next_block: &mut dyn FnMut() -> u32| {
                let mut engine = Box::new(LiveEngine::new());
                engine.set_slot(0, &eighths_motif(0.45));
                let song = SteadySong {
                    sample_rate,
                    tempo,
                    loop_beats: Some((6.0, 21.0)),
                    total_samples: total,
                    automation_every_samples: automated.then_some((sample_rate / 20.0) as u64),
                };
                output_with_blocks(&mut engine, &settings, song, next_block, &input)
            };
            let reference = run(&mut || 16_384);
            assert!(reference.len() > 100, "{} events", reference.len());
            // The automation really shapes the output (else this case would prove nothing).
            match unautomated.iter().find(|(c, _)| *c == character) {
                Some((_, plain)) => assert!(automated && *plain != reference, "{character:?}"),
                None => unautomated.push((character, reference.clone())),
            }
            for (seed, max_block) in [(1u64, 16_384u64), (2, 4_096), (3, 64)] {
                let mut rng = Rng::new(seed);
                let split = run(&mut || 1 + (rng.next_u64() % max_block) as u32);
                if split != reference {
                    let first_difference = split
                        .iter()
                        .zip(&reference)
                        .position(|(a, b)| a != b)
                        .unwrap_or(split.len().min(reference.len()));
                    panic!(
                        "{sample_rate} Hz {character:?} (automated: {automated}), splits up to {max_block}: {} vs {} events, \
                         first difference at {first_difference}: {:?} vs {:?}",
                        split.len(),
                        reference.len(),
                        split.get(first_difference),
                        reference.get(first_difference)
                    );
                }
            }
        }
    }
}

/// Issue 10, defect 3: a loop wrap the host reports as a transport event inside its block
/// reaches the plugin, through nice-plug's CLAP wrapper, as a sub-block whose position has the
/// sub-block's offset added (loop start + offset × tempo). It was read as a jump and the first
/// bar after every such wrap was silent. The engine takes it for the wrap it is.
#[test]
fn a_loop_wrap_reported_inside_a_block_with_the_frameworks_offset_keeps_playing() {
    let (loop_start, loop_end) = (4.0, 12.0);
    let beats_per_sample = 120.0 / 60.0 / SAMPLE_RATE;
    let host_block = 1024u64;
    let mut blocks: Vec<HostBlock> = Vec::new();
    let mut wraps = Vec::new();
    let mut beats = 0.0f64;
    let mut now = 0u64;
    while now < 5 * 192_000 {
        let until_end = ((loop_end - beats) / beats_per_sample).round() as u64;
        let mut info = transport(beats, 120.0, TimeSignature::new(4, 4));
        info.loop_range_beats = Some((loop_start, loop_end));
        if until_end > 0 && until_end < host_block {
            // The host's wrap event at `until_end`: nice-plug splits the block there and adds
            // the offset to the event's position.
            blocks.push((until_end as u32, info));
            let mut after = info;
            after.pos_beats = loop_start + until_end as f64 * beats_per_sample;
            blocks.push(((host_block - until_end) as u32, after));
            wraps.push(now + until_end);
            beats = loop_start + (host_block - until_end) as f64 * beats_per_sample;
        } else {
            blocks.push((host_block as u32, info));
            beats += host_block as f64 * beats_per_sample;
        }
        now += host_block;
    }
    assert!(wraps.len() >= 3);
    let mut engine = Box::new(LiveEngine::new());
    engine.set_slot(0, &eighths_motif(0.45));
    let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
    assert_eq!(heard.double_strikes, 0);
    for &wrap in &wraps {
        // The loop start is a bar line: its first eighth sounds right at the wrap.
        let struck = heard
            .notes
            .iter()
            .any(|n| n.on >= wrap && n.on < wrap + 12_000);
        assert!(struck, "silence after the wrap at sample {wrap}");
    }
}

/// Tempo ramps 60→180 and 180→60 BPM and tempo steps inside blocks, in blocks of 64–8192
/// samples: every note of the eighths motif in the 16 beats played sounds once, on its beat and
/// with its full length in beats. (Inside a block the engine runs at the tempo the block
/// reports; a step inside a block is caught up at the next block start, so near a step the
/// timing may be off by up to one block at the faster tempo.)
#[test]
fn tempo_ramps_and_steps_play_every_note_once_on_its_beat_and_in_full() {
    let ramp = |from: f64, to: f64| move |beats: f64| from + (to - from) * (beats / 16.0).min(1.0);
    let steps = |beats: f64| match beats {
        b if b < 5.3 => 120.0,
        b if b < 9.7 => 60.0,
        _ => 180.0,
    };
    let cases: [(&str, &TempoMap<'_>, bool); 3] = [
        ("ramp 60→180", &ramp(60.0, 180.0), false),
        ("ramp 180→60", &ramp(180.0, 60.0), false),
        ("steps 120→60→180", &steps, true),
    ];
    let four_four = |_: f64| (TimeSignature::new(4, 4), 0.0);
    for (name, tempo_at, stepped) in cases {
        for block in [64u32, 512, 4096, 8192] {
            let (blocks, beat_at) = song_blocks(tempo_at, &four_four, 16.0, block, false);
            let mut engine = Box::new(LiveEngine::new());
            engine.set_slot(0, &eighths_motif(0.45));
            let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
            let beat = |sample: u64| beat_at[(sample as usize).min(beat_at.len() - 1)];
            let tolerance = if stepped {
                0.02 + block as f64 / SAMPLE_RATE * 3.0
            } else {
                0.02
            };
            // Each note heard is the eighth nearest its onset; the 32 eighths of beats 0–16
            // must each be heard exactly once.
            let context = format!("{name}, blocks of {block}");
            let mut times_heard = [0usize; 32];
            for note in &heard.notes {
                let on = beat(note.on);
                let i = (on / 0.5).round() as usize;
                if i >= 32 {
                    continue;
                }
                times_heard[i] += 1;
                let off = beat(note.off.expect("every note ends"));
                assert_eq!(
                    note.key,
                    [60u8, 62, 64, 65, 67, 69, 71, 72][i % 8],
                    "{context}"
                );
                assert!(
                    (on - i as f64 * 0.5).abs() <= tolerance,
                    "{context}: note {i} at beat {on}"
                );
                assert!(
                    (off - on - 0.45).abs() <= tolerance,
                    "{context}: note {i} lasted {} beats",
                    off - on
                );
            }
            assert_eq!(
                times_heard, [1; 32],
                "{context}: times each eighth was heard"
            );
        }
    }
}

/// Playback in 3/4, 6/8, 7/8 and 5/4 songs: a one-bar motif in the song's metre repeats on the
/// song's bar lines (its downbeat note on every bar line, to the sample).
#[test]
fn playback_falls_on_the_songs_bar_lines_in_every_metre() {
    for (numerator, denominator, tempo) in
        [(3u8, 4u8, 90.0), (6, 8, 72.0), (7, 8, 132.0), (5, 4, 100.0)]
    {
        let metre = TimeSignature::new(numerator, denominator);
        let bar = metre.bar_length_beats();
        let (blocks, _) = song_blocks(&|_| tempo, &|_| (metre, 0.0), 6.0 * bar, 480, false);
        let mut engine = Box::new(LiveEngine::new());
        engine.set_slot(0, &bar_of_eighths(metre));
        let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
        let samples_per_beat = 60.0 * SAMPLE_RATE / tempo;
        let end = (6.0 * bar * samples_per_beat) as u64;
        let downbeats: Vec<u64> = heard
            .notes
            .iter()
            .filter(|n| n.key == 72 && n.on < end)
            .map(|n| n.on)
            .collect();
        let bar_lines: Vec<u64> = (0..6)
            .map(|k| (k as f64 * bar * samples_per_beat).ceil() as u64)
            .collect();
        assert_eq!(downbeats, bar_lines, "{numerator}/{denominator}");
        let per_bar = (bar / 0.5).round() as usize;
        let in_six_bars = heard.notes.iter().filter(|n| n.on < end).count();
        assert_eq!(in_six_bars, 6 * per_bar, "{numerator}/{denominator}");
    }
}

/// A metre change mid-song (three bars of 4/4, then 7/8 from beat 12), with and without the
/// host reporting the bar start: playback realigns to the new bar lines (12, 15.5, 19, …), and a
/// phrase played half a beat into the second 7/8 bar is captured from that bar line (15.5),
/// not from a bar line counted in 7/8 from beat 0 (14).
#[test]
fn a_metre_change_mid_song_moves_playback_and_capture_to_the_new_bars() {
    let metre_at = |beats: f64| {
        if beats < 12.0 {
            (TimeSignature::new(4, 4), (beats / 4.0).floor() * 4.0)
        } else {
            let bars = ((beats - 12.0) / 3.5).floor();
            (TimeSignature::new(7, 8), 12.0 + bars * 3.5)
        }
    };
    let tempo = 120.0;
    let samples_per_beat = 60.0 * SAMPLE_RATE / tempo;
    for with_bar_start in [false, true] {
        // Playback.
        let (blocks, _) = song_blocks(&|_| tempo, &metre_at, 12.0 + 5.0 * 3.5, 512, with_bar_start);
        let mut engine = Box::new(LiveEngine::new());
        engine.set_slot(0, &bar_of_eighths(TimeSignature::new(7, 8)));
        let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
        let end = ((12.0 + 5.0 * 3.5) * samples_per_beat) as u64;
        let mut downbeats_after_change: Vec<u64> = heard
            .notes
            .iter()
            .filter(|n| n.key == 72 && n.on >= (12.0 * samples_per_beat) as u64 && n.on < end)
            .map(|n| n.on)
            .collect();
        let bar_lines: Vec<u64> = (0..5)
            .map(|k| ((12.0 + k as f64 * 3.5) * samples_per_beat).ceil() as u64)
            .collect();
        // The host reports the new metre from the first block start after the bar line: the
        // downbeat there comes at that block start, less than a block late.
        let first_late = downbeats_after_change.first().map(|&on| on - bar_lines[0]);
        assert!(
            first_late.is_some_and(|late| late < 512),
            "bar start given: {with_bar_start}: first 7/8 downbeat {first_late:?} samples late"
        );
        downbeats_after_change[0] = bar_lines[0];
        assert_eq!(
            downbeats_after_change, bar_lines,
            "bar start given: {with_bar_start}"
        );

        // Capture.
        let (blocks, _) = song_blocks(&|_| tempo, &metre_at, 30.0, 512, with_bar_start);
        let notes = [(16.0, 0.5, 62u8), (16.5, 0.5, 65), (17.0, 1.0, 69)];
        let mut input: Vec<(u64, Event)> = Vec::new();
        for &(start, length, key) in &notes {
            let on = (start * samples_per_beat).round() as u64;
            let off = ((start + length) * samples_per_beat).round() as u64;
            input.push((on, Event::note_on(0, 0, key, 0.7, None)));
            input.push((off, Event::note_off(0, 0, key, 0.0, None)));
        }
        input.sort_by_key(|&(sample, _)| sample);
        let settings = LiveSettings {
            playback_mode: PlaybackMode::Off,
            ..LiveSettings::default()
        };
        let mut engine = Box::new(LiveEngine::new());
        drive(&mut engine, &blocks, |_| settings, &input);
        let motif = &engine.slots()[0];
        assert_eq!(motif.len(), 3, "bar start given: {with_bar_start}");
        assert_eq!(motif.time_signature, TimeSignature::new(7, 8));
        assert!(
            (motif.notes()[0].start_beats - 0.5).abs() < 1e-3,
            "bar start given: {with_bar_start}: first note at {} beats into the motif",
            motif.notes()[0].start_beats
        );
    }
}

/// Issue 21: a host loop whose bars are rewritten from 3/4 to 7/8 while it loops (the new metre
/// and loop length arrive at the wrap's sample): the first 7/8 bar after the wrap starts the
/// rendering's bar 1 at its beat 0, not mid-cycle, and it is not silent. Also when the host
/// reports the wrap inside its block, which nice-plug's CLAP wrapper passes on as a sub-block
/// whose position has the sub-block's offset added (HOSTS.md, "Loops wrap anywhere").
#[test]
fn a_loop_rewritten_in_another_metre_starts_bar_one_at_the_wrap() {
    let tempo = 120.0;
    let samples_per_beat = 60.0 * SAMPLE_RATE / tempo; // 24 000
    let bps = 1.0 / samples_per_beat;
    let three = TimeSignature::new(3, 4);
    let seven = TimeSignature::new(7, 8);
    let bar_start = |pos: f64, metre: TimeSignature| {
        let bar = metre.bar_length_beats();
        (pos / bar + 1e-9).floor() * bar
    };
    for with_bar_start in [false, true] {
        // Offset of the wrap inside the host's block (0: the host starts a block there).
        for wrap_offset in [0u32, 280] {
            let mut blocks: Vec<HostBlock> = Vec::new();
            let mut push = |len: u32, pos: f64, metre: TimeSignature, loop_end: f64| {
                let mut info = transport(pos, tempo, metre);
                info.loop_range_beats = Some((0.0, loop_end));
                info.bar_start_beats = with_bar_start.then_some(bar_start(pos, metre));
                blocks.push((len, info));
            };
            // Two passes of the 3/4 loop 0–12 in 480-sample blocks; the last host block before
            // the wrap reaches `wrap_offset` samples past it.
            let pass_samples = (12.0 * samples_per_beat) as u32;
            for _ in 0..2 {
                let mut done = 0u32;
                while done < pass_samples {
                    let left = pass_samples - done;
                    let len = if left > 480 + wrap_offset { 480 } else { left };
                    push(len, done as f64 * bps, three, 12.0);
                    done += len;
                }
            }
            // The loop rewritten as four 7/8 bars (0–14). Its first sub-block is reported at
            // the loop start plus the sub-block's offset inside the host block.
            let mut done = 0u32;
            let pass_samples = (14.0 * samples_per_beat) as u32;
            while done < pass_samples {
                let len = if done == 0 && wrap_offset > 0 {
                    480 - wrap_offset
                } else {
                    480
                };
                let reported = if done == 0 {
                    wrap_offset as f64 * bps
                } else {
                    done as f64 * bps
                };
                push(len.min(pass_samples - done), reported, seven, 14.0);
                done += len;
            }
            let mut engine = Box::new(LiveEngine::new());
            engine.set_slot(0, &bar_of_eighths(seven));
            let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
            let wrap = (24.0 * samples_per_beat) as u64;
            let first_bar: Vec<(u64, u8)> = heard
                .notes
                .iter()
                .filter(|n| n.on >= wrap && n.on < wrap + (3.5 * samples_per_beat) as u64)
                .map(|n| (n.on - wrap, n.key))
                .collect();
            let expected: Vec<(u64, u8)> = (0..7)
                .map(|i| {
                    let key = if i == 0 { 72 } else { 48 + i as u8 };
                    ((i as f64 * 0.5 * samples_per_beat) as u64, key)
                })
                .collect();
            assert_eq!(
                first_bar, expected,
                "bar start given: {with_bar_start}, wrap {wrap_offset} samples into a block"
            );
        }
    }
}
