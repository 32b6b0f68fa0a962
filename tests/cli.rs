//! End-to-end tests of the `reprise` command-line tool.

#[path = "common/cli_run.rs"]
mod cli_run;

use std::path::{Path, PathBuf};

use cli_run::{note, reprise, scratch, stderr_lines, write_notes, write_ode};

use reprise::engine::capture::{segment_performance, CaptureSettings};
use reprise::engine::midi_file::{motif_from_performance, read_performance};
use reprise::engine::motif::{Note, TimeSignature};

#[test]
fn analyze_json_reports_notes_metre_tempo_and_key() {
    let dir = scratch("analyze-json");
    let file = write_ode(&dir);
    let output = reprise(&["analyze", file.to_str().unwrap(), "--json"]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    let notes = json["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 15);
    assert_eq!(notes[0]["start_beats"], 0.0);
    assert_eq!(notes[0]["length_beats"], 1.0);
    assert_eq!(notes[0]["key"], 66);
    assert_eq!(
        notes[0]["channel"], 1,
        "channels count from 1, as in the text"
    );
    assert!((notes[0]["velocity"].as_f64().unwrap() - 0.8).abs() < 0.01);
    assert_eq!(json["length_beats"], 16.0);
    assert_eq!(json["time_signature"], serde_json::json!([4, 4]));
    assert_eq!(json["tempo_bpm"], 96.0);
    assert_eq!(json["key"]["tonic"], "D");
    assert_eq!(json["key"]["mode"], "major");
    assert!(json["key"]["confidence"].as_f64().unwrap() >= 0.0);
    let candidates = json["key"]["candidates"].as_array().unwrap();
    assert!(candidates.len() >= 3);
    assert_eq!(candidates[0]["tonic"], "D");
    assert!(candidates[0]["score"].as_f64().unwrap() >= candidates[1]["score"].as_f64().unwrap());
}

#[test]
fn analyze_text_and_locked_key() {
    let dir = scratch("analyze-text");
    let file = write_ode(&dir);
    let output = reprise(&["analyze", file.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(text.contains("15 notes"), "{text}");
    assert!(text.contains("key: D major"), "{text}");
    let locked = reprise(&[
        "analyze",
        file.to_str().unwrap(),
        "--key",
        "B:minor",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&locked.stdout).unwrap();
    assert_eq!(
        (
            json["key"]["tonic"].as_str(),
            json["key"]["locked"].as_bool()
        ),
        (Some("B"), Some(true))
    );
}

/// Issue 11, item 8: `--key "Eb major"` printed `D# major`; tonics are spelled as musicians
/// spell them, in text (with ♭ and ♯) and JSON (ASCII `b` and `#`), either spelling accepted.
#[test]
fn keys_are_spelled_with_flats_and_sharps_as_musicians_do() {
    let dir = scratch("spelling");
    let file = write_ode(&dir);
    for (given, text_name, tonic, mode) in [
        ("Eb major", "E♭ major", "Eb", "major"),
        ("D# major", "E♭ major", "Eb", "major"),
        ("A#:minor", "B♭ minor", "Bb", "minor"),
        ("F♯ minor", "F♯ minor", "F#", "minor"),
    ] {
        let path = file.to_str().unwrap();
        let output = reprise(&["analyze", path, "--key", given]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{given}");
        assert!(
            text.contains(&format!("key: {text_name} (locked)")),
            "{given}: {text}"
        );
        let output = reprise(&["analyze", path, "--key", given, "--json"]);
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["key"]["tonic"], tonic, "{given}");
        assert_eq!(json["key"]["mode"], mode, "{given}");
    }
}

#[test]
fn errors_are_one_line_and_non_zero() {
    let dir = scratch("errors");
    let ode = write_ode(&dir);
    let garbage = dir.join("garbage.mid");
    std::fs::write(&garbage, b"definitely not a midi file").unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["analyze", "/nonexistent/x.mid"], "cannot read"),
        (
            &["analyze", garbage.to_str().unwrap()],
            "not a valid MIDI file",
        ),
        (
            &["analyze", ode.to_str().unwrap(), "--track", "7"],
            "track 7 does not exist",
        ),
        (
            &[
                "capture",
                ode.to_str().unwrap(),
                "-o",
                dir.to_str().unwrap(),
                "--quantize",
                "1/5",
            ],
            "not a grid",
        ),
        (
            &[
                "capture",
                ode.to_str().unwrap(),
                "-o",
                dir.to_str().unwrap(),
                "--gap-beats",
                "-1",
            ],
            "gap",
        ),
    ];
    for (args, expected) in cases {
        let output = reprise(args);
        assert!(!output.status.success(), "{args:?} succeeded");
        // A panic would exit with 101 and print a multi-line message.
        assert_ne!(output.status.code(), Some(101), "{args:?} panicked");
        let lines = stderr_lines(&output);
        assert_eq!(lines.len(), 1, "{args:?}: {lines:?}");
        assert!(lines[0].contains(expected), "{args:?}: {lines:?}");
    }
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["analyze", "--help"],
        &["capture", "--help"],
    ] {
        let output = reprise(args);
        assert!(output.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

/// A performance of three phrases separated by long rests, with the pedal in the second.
fn write_performance(dir: &Path) -> PathBuf {
    let mut notes = vec![note(0.0, 1.0, 60), note(1.0, 1.0, 62), note(2.0, 2.0, 64)];
    // Phrase 2 after 4 beats of silence, with a chord.
    notes.extend([note(8.0, 1.0, 67), note(8.0, 1.0, 71), note(9.0, 3.0, 72)]);
    // Phrase 3 after 1.9 + 2.5 beats: the 1.9-beat pause stays inside it.
    notes.extend([
        note(14.5, 0.6, 69),
        note(17.0, 1.0, 65),
        note(18.0, 1.03, 64),
    ]);
    let path = dir.join("performance.mid");
    write_notes(&path, "Take 1", &notes, TimeSignature::new(4, 4), 110.0);
    path
}

#[test]
fn capture_writes_one_motif_per_phrase_like_the_plugin() {
    let dir = scratch("capture");
    let performance_path = write_performance(&dir);
    let out_dir = dir.join("phrases");
    let output = reprise(&[
        "capture",
        performance_path.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        "--gap-beats",
        "2",
    ]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("3 phrases"), "{stdout}");

    // The engine's live capture, fed the same file, finds the same phrases.
    let performance = read_performance(&std::fs::read(&performance_path).unwrap(), None).unwrap();
    let expected = segment_performance(&performance, CaptureSettings::default());
    assert_eq!(expected.len(), 3);
    let expected_keys = [vec![60, 62, 64], vec![67, 71, 72], vec![69, 65, 64]];
    for (i, phrase) in expected.iter().enumerate() {
        let path = out_dir.join(format!("phrase_{:02}.mid", i + 1));
        let written = motif_from_performance(
            &read_performance(&std::fs::read(&path).unwrap(), None).unwrap(),
        );
        let keys: Vec<u8> = written.notes().iter().map(|n| n.key).collect();
        assert_eq!(keys, expected_keys[i]);
        assert_eq!(written.len(), phrase.motif.len());
        for (a, b) in written.notes().iter().zip(phrase.motif.notes()) {
            assert!(
                (a.start_beats - b.start_beats).abs() < 1e-3
                    && (a.length_beats - b.length_beats).abs() < 1e-3
            );
        }
    }
    assert!(!out_dir.join("phrase_04.mid").exists());
}

#[test]
fn capture_quantizes_when_asked() {
    let dir = scratch("capture-quantize");
    let notes = [note(0.04, 0.9, 60), note(1.1, 0.8, 62), note(1.97, 1.0, 64)];
    let path = dir.join("loose.mid");
    write_notes(&path, "Loose", &notes, TimeSignature::default(), 100.0);
    let out_dir = dir.join("out");
    let output = reprise(&[
        "capture",
        path.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        "--quantize",
        "1/4",
        "--strength",
        "100",
    ]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let motif = motif_from_performance(
        &read_performance(&std::fs::read(out_dir.join("phrase_01.mid")).unwrap(), None).unwrap(),
    );
    let onsets: Vec<f64> = motif.notes().iter().map(|n| n.start_beats).collect();
    assert_eq!(onsets, vec![0.0, 1.0, 2.0]);
}

/// Every (track index, controller) pair in a file, via midly directly.
fn controllers_by_track(bytes: &[u8]) -> Vec<(usize, u8)> {
    let smf = midly::Smf::parse(bytes).unwrap();
    let mut found = Vec::new();
    for (track_idx, track) in smf.tracks.iter().enumerate() {
        for event in track {
            if let midly::TrackEventKind::Midi {
                message: midly::MidiMessage::Controller { controller, .. },
                ..
            } = event.kind
            {
                found.push((track_idx, controller.as_int()));
            }
        }
    }
    found
}

#[test]
fn demo_renders_the_built_in_motif_in_all_three_characters() {
    let dir = scratch("demo");
    let output = reprise(&["demo", "-o", dir.to_str().unwrap()]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for name in ["motif", "piano", "swell", "distant"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("{name}.mid: "))),
            "{stdout}"
        );
        let bytes = std::fs::read(dir.join(format!("{name}.mid"))).unwrap();
        let motif = motif_from_performance(&read_performance(&bytes, None).unwrap());
        assert!(!motif.is_empty(), "{name}");
    }
    let all = std::fs::read(dir.join("all.mid")).unwrap();
    let performance = read_performance(&all, None).unwrap();
    assert_eq!(
        performance.num_tracks, 4,
        "conductor + Piano, Swell, Distant"
    );
    // Every note-on in the file has its note-off on the same track, channel and key.
    let smf = midly::Smf::parse(&all).unwrap();
    for (track_idx, track) in smf.tracks.iter().enumerate() {
        let mut open = std::collections::HashMap::<(u8, u8), i32>::new();
        for event in track {
            if let midly::TrackEventKind::Midi { channel, message } = event.kind {
                match message {
                    midly::MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => {
                        *open.entry((channel.as_int(), key.as_int())).or_default() += 1
                    }
                    midly::MidiMessage::NoteOn { key, .. }
                    | midly::MidiMessage::NoteOff { key, .. } => {
                        let count = open.entry((channel.as_int(), key.as_int())).or_default();
                        assert!(*count > 0, "track {track_idx}: note-off without note-on");
                        *count -= 1;
                    }
                    _ => {}
                }
            }
        }
        assert!(
            open.values().all(|&n| n == 0),
            "track {track_idx}: hanging notes {open:?}"
        );
    }
    let controllers = controllers_by_track(&all);
    assert!(controllers.contains(&(1, 64)), "Piano pedals");
    assert!(controllers.contains(&(2, 1)), "Swell has its CC1 crescendo");
}

#[test]
fn render_with_character_none_applies_only_the_given_operators() {
    let dir = scratch("render-none");
    let input = dir.join("in.mid");
    let notes = [note(0.0, 1.0, 60), note(1.0, 1.0, 64), note(2.0, 2.0, 67)];
    write_notes(&input, "In", &notes, TimeSignature::default(), 120.0);
    let cases: [(&[&str], Vec<u8>); 4] = [
        (&["--transpose-semitones", "-3"], vec![57, 61, 64]),
        (
            &["--transpose-steps", "1", "--key", "C:major"],
            vec![62, 65, 69],
        ),
        (&["--invert", "--key", "C:major"], vec![60, 57, 53]),
        (&["--retrograde"], vec![67, 64, 60]),
    ];
    for (extra, expected) in cases {
        let output_path = dir.join("out.mid");
        let mut args = vec![
            "render",
            input.to_str().unwrap(),
            "--character",
            "none",
            "-o",
            output_path.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let output = reprise(&args);
        assert!(
            output.status.success(),
            "{extra:?}: {:?}",
            stderr_lines(&output)
        );
        let motif = motif_from_performance(
            &read_performance(&std::fs::read(&output_path).unwrap(), None).unwrap(),
        );
        let keys: Vec<u8> = motif.notes().iter().map(|n| n.key).collect();
        assert_eq!(keys, expected, "{extra:?}");
    }
    // Augmentation doubles onsets and lengths.
    let output_path = dir.join("augmented.mid");
    let output = reprise(&[
        "render",
        input.to_str().unwrap(),
        "--character",
        "none",
        "--augment",
        "2",
        "-o",
        output_path.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    let motif = motif_from_performance(
        &read_performance(&std::fs::read(&output_path).unwrap(), None).unwrap(),
    );
    let timings: Vec<(f64, f64)> = motif
        .notes()
        .iter()
        .map(|n| (n.start_beats, n.length_beats))
        .collect();
    assert_eq!(timings, vec![(0.0, 2.0), (2.0, 2.0), (4.0, 4.0)]);
}

/// Issue 11, item 3: `--transpose-semitones 1000` exited 0 with each note folded on its own
/// (an opening leap up became a leap down). Requests past the keyboard are refused; a line
/// pushed past 0–127 moves as a whole by octaves, and the CLI says so.
#[test]
fn transpositions_keep_the_contour_and_say_when_they_moved_the_line() {
    let dir = scratch("transpose-contour");
    let file = write_ode(&dir);
    let out = dir.join("high.mid");
    let path = file.to_str().unwrap();
    let output = reprise(&[
        "render",
        path,
        "--character",
        "none",
        "--transpose-semitones",
        "1000",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("between -127 and 127"), "{stderr}");
    let output = reprise(&[
        "render",
        path,
        "--character",
        "none",
        "--transpose-semitones",
        "100",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("moved down 4 octave(s)"), "{stderr}");
    let rendered =
        motif_from_performance(&read_performance(&std::fs::read(&out).unwrap(), None).unwrap());
    let original =
        motif_from_performance(&read_performance(&std::fs::read(&file).unwrap(), None).unwrap());
    let intervals = |m: &reprise::engine::motif::Motif| -> Vec<i32> {
        m.notes()
            .windows(2)
            .map(|w| w[1].key as i32 - w[0].key as i32)
            .collect()
    };
    assert_eq!(intervals(&rendered), intervals(&original));
    assert_eq!(
        rendered.notes()[0].key as i32,
        original.notes()[0].key as i32 + 100 - 48
    );
}

/// Issue 11, item 5: drums on channel 10 mixed into the melody track were analysed as melody.
/// They are ignored with a note on stderr; `--include-drums` keeps them.
#[test]
fn drums_on_channel_10_are_ignored_and_said_so() {
    let dir = scratch("drums");
    let mut notes: Vec<Note> = (0..8)
        .map(|i| note(i as f64, 1.0, 60 + 2 * (i % 4) as u8))
        .collect();
    for i in 0..16 {
        notes.push(Note {
            channel: 9,
            ..note(i as f64 * 0.5, 0.25, if i % 2 == 0 { 36 } else { 42 })
        });
    }
    let path = dir.join("band.mid");
    write_notes(&path, "Band", &notes, TimeSignature::new(4, 4), 100.0);
    let output = reprise(&["analyze", path.to_str().unwrap(), "--json"]);
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["notes"].as_array().unwrap().len(), 8);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("16 notes on channel 10"), "{stderr}");
    let output = reprise(&[
        "analyze",
        path.to_str().unwrap(),
        "--json",
        "--include-drums",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["notes"].as_array().unwrap().len(), 24);
    assert!(output.stderr.is_empty());
}

/// Issue 11, item 4: `--base-channel 15` put Swell's third and octave doubling both on channel
/// 16 without a word. The split voices now wrap past 16 onto separate channels, and the CLI
/// says where each voice went.
#[test]
fn split_voices_past_channel_16_wrap_onto_separate_channels_and_say_so() {
    let dir = scratch("channel-wrap");
    let file = write_ode(&dir);
    let out = dir.join("wrapped.mid");
    let output = reprise(&[
        "render",
        file.to_str().unwrap(),
        "--character",
        "swell",
        "--intensity",
        "1",
        "--base-channel",
        "15",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("melody 15, doubling 16, harmony 1, bass 2"),
        "{stderr}"
    );
    let performance = read_performance(&std::fs::read(&out).unwrap(), None).unwrap();
    let mut channels: Vec<u8> = performance
        .events
        .iter()
        .filter_map(|e| match e.kind {
            reprise::engine::midi_file::PerformanceEvent::NoteOn { channel, .. } => Some(channel),
            _ => None,
        })
        .collect();
    channels.sort_unstable();
    channels.dedup();
    assert_eq!(channels, vec![0, 1, 14, 15], "one channel per voice");
    // A base that leaves room says nothing.
    let output = reprise(&[
        "render",
        file.to_str().unwrap(),
        "--character",
        "swell",
        "--base-channel",
        "13",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    assert!(!String::from_utf8_lossy(&output.stderr).contains("wrap"));
}

#[test]
fn render_all_writes_three_tracks_and_bad_settings_are_one_line_errors() {
    let dir = scratch("render-all");
    let file = write_ode(&dir);
    let out = dir.join("all.mid");
    let output = reprise(&[
        "render",
        file.to_str().unwrap(),
        "--all",
        "--channels",
        "single",
        "--base-channel",
        "5",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let bytes = std::fs::read(&out).unwrap();
    for track in 1..=3 {
        let motif = motif_from_performance(&read_performance(&bytes, Some(track)).unwrap());
        assert!(
            motif.notes().iter().all(|n| n.channel == 4),
            "track {track} on channel 5"
        );
    }
    for (args, expected) in [
        (
            vec!["--character", "swell", "--intensity", "2"],
            "--intensity must be between 0 and 1",
        ),
        (vec!["--character", "loud"], "not a character"),
        (
            vec!["--mode", "bebop", "--character", "piano"],
            "not a mode",
        ),
        (vec!["--character", "piano", "--augment", "9"], "--augment"),
        (vec![], "--character"),
    ] {
        let mut full = vec![
            "render",
            file.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        full.extend(args.iter().copied());
        let output = reprise(&full);
        assert!(!output.status.success(), "{args:?}");
        let lines = stderr_lines(&output);
        assert_eq!(lines.len(), 1, "{args:?}: {lines:?}");
        assert!(lines[0].contains(expected), "{args:?}: {lines:?}");
    }
}
