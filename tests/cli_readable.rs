//! Issue 12: the command-line tool as a musician reads it — note names, bar:beat positions in
//! the motif's metre, tracks and channels counted from 1 in text and JSON alike — and as a
//! shell uses it: a closed pipe ends quietly, negative numbers reach the range checks, `render`
//! never overwrites its input, `capture` never mixes two takes and writes nothing when it fails.
//! Issue 23: note names spelled in the key; every usage error exits 2 and says what is accepted;
//! `render` makes a missing output folder.

#[allow(dead_code)]
#[path = "common/cli_run.rs"]
mod cli_run;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cli_run::{note, reprise, scratch, stderr_lines, write_notes, write_ode};
use reprise::engine::motif::{Note, TimeSignature};

/// A waltz (3/4): D4 on beat 1, F4 on beat 2½, A4 at bar 2, with `velocity` 0.5.
fn write_waltz(dir: &Path) -> PathBuf {
    let notes = [
        Note {
            velocity: 0.5,
            ..note(0.0, 1.5, 62)
        },
        note(1.5, 1.5, 65),
        note(3.0, 3.0, 69),
    ];
    let path = dir.join("waltz.mid");
    write_notes(&path, "Waltz", &notes, TimeSignature::new(3, 4), 84.0);
    path
}

#[test]
fn analyze_speaks_in_note_names_bars_and_beats_in_text_and_json_alike() {
    let dir = scratch("readable");
    let waltz = write_waltz(&dir);
    let output = reprise(&["analyze", waltz.to_str().unwrap()]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    // write_tracks puts the tempo map on track 1 and the notes on track 2, as a DAW lists them,
    // with its name.
    assert!(text.contains("track 2 \"Waltz\" of 2"), "{text}");
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|line| line.split_whitespace().collect())
        .filter(|words: &Vec<&str>| words.first().is_some_and(|w| w.contains(':')))
        .filter(|words| words.len() == 7)
        .collect();
    // bar:beat, beats, note, key, velocity (1-127), (0-1), channel
    assert_eq!(
        rows.iter().map(|r| (r[0], r[2], r[3])).collect::<Vec<_>>(),
        [
            ("1:1", "D4", "62"),
            ("1:2.5", "F4", "65"),
            ("2:1", "A4", "69")
        ],
        "{text}"
    );
    assert_eq!((rows[0][4], rows[0][5], rows[0][6]), ("64", "(0.50)", "1"));

    let output = reprise(&["analyze", waltz.to_str().unwrap(), "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let notes = json["notes"].as_array().unwrap();
    let from_json: Vec<(&str, &str, u64)> = notes
        .iter()
        .map(|n| {
            (
                n["position"].as_str().unwrap(),
                n["name"].as_str().unwrap(),
                n["key"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        from_json,
        [("1:1", "D4", 62), ("1:2.5", "F4", 65), ("2:1", "A4", 69)]
    );
    assert_eq!(notes[0]["velocity_midi"], 64);
    assert_eq!(notes[0]["channel"], 1);
    assert_eq!(json["track"], 2);
    assert_eq!(json["length_bars"], 2.0);
}

#[test]
fn tracks_are_numbered_from_one_as_a_daw_lists_them() {
    let dir = scratch("tracks");
    let ode = write_ode(&dir);
    let ode = ode.to_str().unwrap();
    // Track 1 is the tempo map, track 2 the notes.
    let output = reprise(&["analyze", ode, "--track", "2", "--json"]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        (json["track"].as_u64(), json["num_tracks"].as_u64()),
        (Some(2), Some(2))
    );
    let output = reprise(&["analyze", ode, "--track", "1"]);
    assert_eq!(
        stderr_lines(&output),
        [format!(
            "reprise: {ode}: track 1 contains no notes; the notes are on track 2 \"Ode\""
        )]
    );
    for bad in ["0", "-2"] {
        let output = reprise(&["analyze", ode, "--track", bad]);
        assert_eq!(output.status.code(), Some(2), "--track {bad}");
        let stderr = stderr_lines(&output);
        assert_eq!(stderr.len(), 1, "{stderr:?}");
        assert!(stderr[0].contains("tracks count from 1"), "{stderr:?}");
    }
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let dir = scratch("pipe");
    let ode = write_ode(&dir);
    // The reader is gone before the command writes a byte: every write fails with EPIPE.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_reprise"))
        .args(["analyze", ode.to_str().unwrap()])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(output.status.success(), "{:?}", output.status);
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn negative_numbers_reach_the_range_checks() {
    let dir = scratch("negative");
    let ode = write_ode(&dir);
    let ode = ode.to_str().unwrap();
    let out = dir.join("out.mid");
    let out = out.to_str().unwrap();
    let down = reprise(&[
        "render",
        ode,
        "--character",
        "none",
        "--transpose-semitones",
        "-3",
        "-o",
        out,
    ]);
    assert!(down.status.success(), "{:?}", stderr_lines(&down));
    for (flag, value, message) in [
        (
            "--intensity",
            "-1",
            "--intensity must be between 0 and 1, not -1",
        ),
        (
            "--humanize",
            "-0.5",
            "--humanize must be between 0 and 1, not -0.5",
        ),
        (
            "--augment",
            "-2",
            "--augment must be 1, 2, 3 or 4 (the motif's bar lines stay the song's bar lines) \
             or 0.5 or 0.25 (diminution: two or four of the motif's bars in one bar), not -2",
        ),
        // Issue 23, item 1: a factor that would move the motif's bar lines off the song's.
        (
            "--augment",
            "1.5",
            "--augment must be 1, 2, 3 or 4 (the motif's bar lines stay the song's bar lines) \
             or 0.5 or 0.25 (diminution: two or four of the motif's bars in one bar), not 1.5",
        ),
    ] {
        let output = reprise(&[
            "render",
            ode,
            "--character",
            "piano",
            flag,
            value,
            "-o",
            out,
        ]);
        // A setting out of range is a usage error, as clap's own are (issue 23).
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        assert_eq!(stderr_lines(&output), [format!("reprise: {message}")]);
    }
}

#[test]
fn render_refuses_to_overwrite_its_input() {
    let dir = scratch("overwrite");
    let ode = write_ode(&dir);
    let before = std::fs::read(&ode).unwrap();
    // The same file, also through another spelling of its path.
    let other_spelling = dir.join(".").join("ode.mid");
    for output_path in [ode.clone(), other_spelling] {
        let output = reprise(&[
            "render",
            ode.to_str().unwrap(),
            "--character",
            "piano",
            "-o",
            output_path.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(1));
        let stderr = stderr_lines(&output);
        assert!(stderr[0].contains("is the input file"), "{stderr:?}");
        assert_eq!(
            std::fs::read(&ode).unwrap(),
            before,
            "the motif is untouched"
        );
    }
}

/// Three phrases, then (for the second take) one.
fn write_take(dir: &Path, name: &str, phrases: usize) -> PathBuf {
    let notes: Vec<Note> = (0..phrases)
        .flat_map(|phrase| {
            (0..4).map(move |i| note(phrase as f64 * 12.0 + i as f64, 1.0, 60 + 2 * i as u8))
        })
        .collect();
    let path = dir.join(name);
    write_notes(&path, "Take", &notes, TimeSignature::new(4, 4), 100.0);
    path
}

fn phrase_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn capture_never_mixes_two_takes_and_writes_nothing_when_it_fails() {
    let dir = scratch("takes");
    let first = write_take(&dir, "first.mid", 3);
    let second = write_take(&dir, "second.mid", 1);
    let phrases = dir.join("phrases");
    let phrases_arg = phrases.to_str().unwrap();
    let run = |input: &Path, extra: &[&str]| {
        let mut args = vec!["capture", input.to_str().unwrap(), "-o", phrases_arg];
        args.extend_from_slice(extra);
        reprise(&args)
    };
    assert!(run(&first, &[]).status.success());
    assert_eq!(
        phrase_files(&phrases),
        ["phrase_01.mid", "phrase_02.mid", "phrase_03.mid"]
    );
    let first_take = std::fs::read(phrases.join("phrase_01.mid")).unwrap();

    // A second take into the same folder is refused and changes nothing.
    let refused = run(&second, &[]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = stderr_lines(&refused);
    assert!(
        stderr[0].contains("3 phrase file(s) from an earlier take"),
        "{stderr:?}"
    );
    assert_eq!(phrase_files(&phrases).len(), 3);
    assert_eq!(
        std::fs::read(phrases.join("phrase_01.mid")).unwrap(),
        first_take
    );

    // --replace clears the earlier take: one phrase left, no stale phrase_02/03.
    let replaced = run(&second, &["--replace"]);
    assert!(replaced.status.success(), "{:?}", stderr_lines(&replaced));
    assert!(String::from_utf8_lossy(&replaced.stdout)
        .contains("3 phrase files of the earlier take deleted"));
    assert_eq!(phrase_files(&phrases), ["phrase_01.mid"]);

    // A failing capture creates no folder.
    let garbage = dir.join("garbage.mid");
    std::fs::write(&garbage, b"not midi").unwrap();
    let nowhere = dir.join("never-created");
    let failed = reprise(&[
        "capture",
        garbage.to_str().unwrap(),
        "-o",
        nowhere.to_str().unwrap(),
    ]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(!nowhere.exists(), "nothing written for a failed capture");
}

#[test]
fn render_warns_when_the_input_was_truncated() {
    let dir = scratch("truncated");
    // 300 sixteenth notes: more than a motif holds (256).
    let notes: Vec<Note> = (0..300)
        .map(|i| note(i as f64 * 0.25, 0.25, 60 + (i % 12) as u8))
        .collect();
    let path = dir.join("long.mid");
    write_notes(&path, "Long", &notes, TimeSignature::new(4, 4), 120.0);
    let out = dir.join("out.mid");
    let output = reprise(&[
        "render",
        path.to_str().unwrap(),
        "--character",
        "piano",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let stderr = stderr_lines(&output);
    assert!(
        stderr
            .iter()
            .any(|l| l.starts_with("note: ") && l.contains("only its first 256 notes")),
        "{stderr:?}"
    );
    // A motif that fits gets no such note.
    let ode = write_ode(&dir);
    let output = reprise(&[
        "render",
        ode.to_str().unwrap(),
        "--character",
        "piano",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(output.stderr.is_empty(), "{:?}", stderr_lines(&output));
}

/// The rows of `analyze`'s note table: (note name, MIDI key).
fn note_rows(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|words| words.len() == 7 && words[0].contains(':'))
        .map(|words| (words[2].to_owned(), words[3].to_owned()))
        .collect()
}

/// A motif's keys, the key it is locked to, and how `analyze` should write them.
struct SpellingCase {
    /// `--key`.
    key: &'static str,
    /// MIDI keys, one a beat.
    keys: &'static [u8],
    /// The key line of the text.
    key_line: &'static str,
    /// Note names in the text (♭ and ♯).
    text_names: &'static [&'static str],
    /// Note names in the JSON (ASCII).
    json_names: &'static [&'static str],
}

/// Issue 23: note names are spelled in the key, with the signs the key line uses (♭ and ♯ in
/// text, ASCII in JSON as the key's tonic is): B♭ in F major and D minor, not A♯; the raised
/// 7th of C♯ minor is B♯, written in its letter's octave.
#[test]
fn analyze_spells_notes_in_the_key() {
    let dir = scratch("spelling");
    let cases = [
        SpellingCase {
            key: "F major",
            keys: &[65, 67, 69, 70, 72, 82],
            key_line: "key: F major (locked)",
            text_names: &["F4", "G4", "A4", "B♭4", "C5", "B♭5"],
            json_names: &["F4", "G4", "A4", "Bb4", "C5", "Bb5"],
        },
        SpellingCase {
            key: "D minor",
            keys: &[62, 64, 65, 67, 69, 70],
            key_line: "key: D minor (locked)",
            text_names: &["D4", "E4", "F4", "G4", "A4", "B♭4"],
            json_names: &["D4", "E4", "F4", "G4", "A4", "Bb4"],
        },
        SpellingCase {
            key: "C# minor",
            keys: &[73, 75, 76, 72, 73, 60],
            key_line: "key: C♯ minor (locked)",
            text_names: &["C♯5", "D♯5", "E5", "B♯4", "C♯5", "B♯3"],
            json_names: &["C#5", "D#5", "E5", "B#4", "C#5", "B#3"],
        },
    ];
    for case in cases {
        let SpellingCase {
            key,
            keys,
            key_line,
            text_names,
            json_names,
        } = case;
        // One note per beat, in order (analyze lists them by onset).
        let notes: Vec<Note> = keys
            .iter()
            .enumerate()
            .map(|(idx, &k)| note(idx as f64, 1.0, k))
            .collect();
        let path = dir.join("motif.mid");
        write_notes(&path, "Motif", &notes, TimeSignature::new(4, 4), 100.0);
        let path = path.to_str().unwrap();
        let output = reprise(&["analyze", path, "--key", key]);
        assert!(output.status.success(), "{:?}", stderr_lines(&output));
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains(key_line), "{text}");
        let expected: Vec<(String, String)> = text_names
            .iter()
            .zip(keys)
            .map(|(name, k)| (name.to_string(), k.to_string()))
            .collect();
        assert_eq!(note_rows(&text), expected, "{key}: {text}");

        let output = reprise(&["analyze", path, "--key", key, "--json"]);
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let names: Vec<&str> = json["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, json_names, "{key} (JSON)");
    }

    // Without --key, in the key the finder hears: an F major scale has a B♭.
    let scale: Vec<Note> = [65u8, 67, 69, 70, 72, 74, 76, 77, 72, 65]
        .iter()
        .enumerate()
        .map(|(idx, &k)| note(idx as f64, 1.0, k))
        .collect();
    let path = dir.join("scale.mid");
    write_notes(&path, "Scale", &scale, TimeSignature::new(4, 4), 100.0);
    let output = reprise(&["analyze", path.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("key: F major"), "{text}");
    assert_eq!(note_rows(&text)[3].0, "B♭4", "{text}");
}

/// Issue 23: every usage error exits 2 (clap's and the range checks alike), a percentage given
/// for a 0–1 setting gets the fraction suggested, `--mode` reads words as `--key` does and a bad
/// mode lists the accepted ones.
#[test]
fn usage_errors_exit_2_and_say_what_is_accepted() {
    let dir = scratch("usage");
    let ode = write_ode(&dir);
    let ode = ode.to_str().unwrap();
    let out = dir.join("out.mid");
    let out = out.to_str().unwrap();
    let render = |extra: &[&str]| {
        let mut args = vec!["render", ode, "--character", "piano", "-o", out];
        args.extend_from_slice(extra);
        reprise(&args)
    };
    let phrases = dir.join("phrases");
    let phrases = phrases.to_str().unwrap();
    let cases: [(Vec<&str>, &str); 7] = [
        (
            vec![
                "render",
                ode,
                "--character",
                "piano",
                "-o",
                out,
                "--intensity",
                "2",
            ],
            "--intensity must be between 0 and 1, not 2",
        ),
        (
            vec![
                "render",
                ode,
                "--character",
                "piano",
                "-o",
                out,
                "--intensity",
                "50",
            ],
            "--intensity must be between 0 and 1, not 50 (for 50 %, use 0.5)",
        ),
        (
            vec![
                "render",
                ode,
                "--character",
                "piano",
                "-o",
                out,
                "--transpose-semitones",
                "200",
            ],
            "--transpose-semitones must be between -127 and 127, not 200",
        ),
        (
            vec!["demo", "-o", phrases, "--intensity", "70"],
            "--intensity must be between 0 and 1, not 70 (for 70 %, use 0.7)",
        ),
        (
            vec!["capture", ode, "-o", phrases, "--gap-beats", "0"],
            "--gap-beats must be a positive number of beats, not 0",
        ),
        (
            vec![
                "render",
                ode,
                "--character",
                "piano",
                "-o",
                out,
                "--mode",
                "bebop",
            ],
            "`bebop` is not a mode (major, minor, harmonic-minor, dorian, phrygian, lydian, \
             mixolydian, locrian)",
        ),
        (
            vec!["render", ode, "--character", "tuba", "-o", out],
            "`tuba` is not a character",
        ),
    ];
    for (args, message) in cases {
        let output = reprise(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = stderr_lines(&output);
        assert_eq!(stderr.len(), 1, "{args:?}: {stderr:?}");
        assert!(stderr[0].contains(message), "{args:?}: {stderr:?}");
    }
    assert!(!Path::new(phrases).exists(), "nothing written");
    for mode in ["harmonic minor", "Harmonic-Minor", "harmonic_minor"] {
        let output = render(&["--mode", mode]);
        assert!(
            output.status.success(),
            "{mode}: {:?}",
            stderr_lines(&output)
        );
    }
}

/// Issue 23: `render` makes a missing output folder, as `capture` and `demo` do.
#[test]
fn render_creates_a_missing_output_folder() {
    let dir = scratch("render-folder");
    let ode = write_ode(&dir);
    let out = dir.join("new").join("deeper").join("out.mid");
    let output = reprise(&[
        "render",
        ode.to_str().unwrap(),
        "--all",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    assert!(out.is_file(), "{} written", out.display());
}
