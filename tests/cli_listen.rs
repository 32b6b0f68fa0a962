//! Issue 13: `reprise listen` runs the audio note tracker on a WAV file block by block, as the
//! plugin would be fed, and writes what it heard as CSV (onset_s, offset_s, midi_pitch,
//! velocity, emit_s) and as a motif .mid; any common rate, bit depth and channel count; a bad
//! file or setting is one clear line.
//! Issue 23: never overwrites the recording, says so when nothing was heard (and writes
//! nothing), makes a missing output folder, spells the notes in the key it hears.

#[allow(dead_code)]
#[path = "common/cli_run.rs"]
mod cli_run;

use std::path::{Path, PathBuf};

use cli_run::{reprise, scratch, stderr_lines};
use reprise::engine::midi_file::{read_performance, PerformanceEvent};

/// (MIDI key, start s, end s) of the test melody.
const MELODY: [(f64, f64, f64); 3] = [(62.0, 0.20, 0.55), (66.0, 0.70, 1.05), (69.0, 1.20, 1.70)];

fn signal(rate: f64) -> Vec<f32> {
    signal_of(rate, &MELODY)
}

/// Two seconds of `melody` ((MIDI key, start s, end s) each), or of silence when it is empty.
fn signal_of(rate: f64, melody: &[(f64, f64, f64)]) -> Vec<f32> {
    let len = (2.0 * rate) as usize;
    let mut out = vec![0.0f32; len];
    for &(midi, start, end) in melody {
        let frequency = 440.0 * 2f64.powf((midi - 69.0) / 12.0);
        for (n, sample) in out.iter_mut().enumerate() {
            let t = n as f64 / rate;
            if t < start || t >= end {
                continue;
            }
            let ramp = ((t - start) / 0.005).min(1.0) * ((end - t) / 0.005).min(1.0);
            let phase = std::f64::consts::TAU * frequency * (t - start);
            *sample += (0.4 * ramp * (phase.sin() + 0.3 * (2.0 * phase).sin())) as f32;
        }
    }
    out
}

fn write_wav(path: &Path, rate: u32, channels: u16, format: hound::SampleFormat, bits: u16) {
    write_samples(path, rate, channels, format, bits, &signal(f64::from(rate)));
}

/// Writes `samples` (one channel's) as a WAV file, the same in every channel.
fn write_samples(
    path: &Path,
    rate: u32,
    channels: u16,
    format: hound::SampleFormat,
    bits: u16,
    samples: &[f32],
) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: format,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for &x in samples {
        for _ in 0..channels {
            match format {
                hound::SampleFormat::Float => writer.write_sample(x).unwrap(),
                hound::SampleFormat::Int => {
                    let scale = ((1i64 << (bits - 1)) - 1) as f32;
                    writer.write_sample((x * scale) as i32).unwrap()
                }
            }
        }
    }
    writer.finalize().unwrap();
}

fn rows(csv: &Path) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("onset_s,offset_s,midi_pitch,velocity,emit_s")
    );
    lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect()
}

#[test]
fn listen_writes_the_notes_it_hears_as_csv_and_motif() {
    let dir = scratch("listen");
    let cases: [(u32, u16, hound::SampleFormat, u16); 4] = [
        (44_100, 1, hound::SampleFormat::Int, 16),
        (48_000, 2, hound::SampleFormat::Int, 24),
        (96_000, 2, hound::SampleFormat::Float, 32),
        (22_050, 1, hound::SampleFormat::Int, 8),
    ];
    for (rate, channels, format, bits) in cases {
        let wav = dir.join(format!("line-{rate}-{channels}-{bits}.wav"));
        write_wav(&wav, rate, channels, format, bits);
        let (csv, mid): (PathBuf, PathBuf) = (dir.join("notes.csv"), dir.join("heard.mid"));
        let block = 256;
        let output = reprise(&[
            "listen",
            wav.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
            "-o",
            mid.to_str().unwrap(),
            "--block",
            &block.to_string(),
        ]);
        assert!(output.status.success(), "{:?}", stderr_lines(&output));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("3 notes heard"), "{rate} Hz: {stdout}");
        let rows = rows(&csv);
        assert_eq!(rows.len(), 3, "{rate} Hz");
        for (row, &(midi, start, end)) in rows.iter().zip(&MELODY) {
            let (onset, offset, pitch, velocity, emit) = (row[0], row[1], row[2], row[3], row[4]);
            assert_eq!(pitch, midi, "{rate} Hz");
            assert!(
                (onset - start).abs() < 0.005,
                "{rate} Hz: onset {onset} vs {start}"
            );
            assert!(
                (offset - end).abs() < 0.03,
                "{rate} Hz: offset {offset} vs {end}"
            );
            assert!((1.0..=127.0).contains(&velocity));
            // emit_s is the end of a block, after the onset, within tens of milliseconds.
            let blocks = emit * f64::from(rate) / block as f64;
            assert!(
                (blocks - blocks.round()).abs() < 1e-3,
                "{rate} Hz: emit {emit}"
            );
            assert!(
                emit >= onset && emit - onset < 0.06,
                "{rate} Hz: emit {emit}, onset {onset}"
            );
        }
        let performance = read_performance(&std::fs::read(&mid).unwrap(), None).unwrap();
        let keys: Vec<u8> = performance
            .events
            .iter()
            .filter_map(|e| match e.kind {
                PerformanceEvent::NoteOn { key, .. } => Some(key),
                _ => None,
            })
            .collect();
        assert_eq!(keys, [62, 66, 69], "{rate} Hz motif");
    }
}

#[test]
fn bad_files_and_settings_are_one_line_errors() {
    let dir = scratch("listen-errors");
    let garbage = dir.join("garbage.wav");
    std::fs::write(&garbage, b"RIFF nonsense").unwrap();
    let wav = dir.join("ok.wav");
    write_wav(&wav, 48_000, 1, hound::SampleFormat::Int, 16);
    let cases: [(&[&str], &str); 4] = [
        (&["listen", "/nonexistent.wav"], "cannot read as WAV"),
        (&["listen", garbage.to_str().unwrap()], "cannot read as WAV"),
        (
            &["listen", wav.to_str().unwrap(), "--block", "0"],
            "--block must be between 1 and 16384 samples, not 0",
        ),
        (
            &["listen", wav.to_str().unwrap(), "--range", "tuba"],
            "is not a range (voice, low, high)",
        ),
    ];
    for (args, expected) in cases {
        let output = reprise(args);
        assert!(!output.status.success(), "{args:?}");
        let stderr = stderr_lines(&output);
        assert_eq!(stderr.len(), 1, "{args:?}: {stderr:?}");
        assert!(stderr[0].contains(expected), "{args:?}: {stderr:?}");
    }
}

/// Issue 23: an output that is the recording is refused (`-o` and `--csv` alike, also through
/// another spelling of its path), as `render` refuses to overwrite its input; so are `-o` and
/// `--csv` naming one file.
#[test]
fn listen_never_overwrites_its_recording() {
    let dir = scratch("listen-overwrite");
    let wav = dir.join("memo.wav");
    write_wav(&wav, 48_000, 1, hound::SampleFormat::Int, 16);
    let before = std::fs::read(&wav).unwrap();
    let wav_arg = wav.to_str().unwrap();
    let other_spelling = dir.join(".").join("memo.wav");
    let other_spelling = other_spelling.to_str().unwrap();
    let both = dir.join("both.out");
    let both = both.to_str().unwrap();
    let cases: [&[&str]; 4] = [
        &["listen", wav_arg, "-o", wav_arg],
        &["listen", wav_arg, "--csv", wav_arg],
        &["listen", wav_arg, "-o", other_spelling],
        &["listen", wav_arg, "-o", both, "--csv", both],
    ];
    for args in cases {
        let output = reprise(args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = stderr_lines(&output);
        assert_eq!(stderr.len(), 1, "{args:?}: {stderr:?}");
        assert!(
            stderr[0].contains("is the input file") || stderr[0].contains("both name"),
            "{args:?}: {stderr:?}"
        );
        assert_eq!(
            std::fs::read(&wav).unwrap(),
            before,
            "{args:?}: the recording"
        );
        assert!(!Path::new(both).exists(), "{args:?}: nothing written");
    }
}

/// Issue 23: a recording in which nothing is heard is an error (exit 1) that says so, and
/// nothing is written (an empty .mid would only be refused by `analyze` later).
#[test]
fn listen_on_silence_says_nothing_was_heard_and_writes_nothing() {
    let dir = scratch("listen-silence");
    let wav = dir.join("silence.wav");
    write_samples(
        &wav,
        44_100,
        1,
        hound::SampleFormat::Int,
        16,
        &signal_of(44_100.0, &[]),
    );
    let (mid, csv) = (dir.join("heard.mid"), dir.join("heard.csv"));
    let output = reprise(&[
        "listen",
        wav.to_str().unwrap(),
        "-o",
        mid.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr_lines(&output);
    assert_eq!(stderr.len(), 1, "{stderr:?}");
    assert!(stderr[0].contains("nothing was heard"), "{stderr:?}");
    assert!(output.stdout.is_empty());
    assert!(!mid.exists() && !csv.exists(), "nothing written");
}

/// Issue 23: a missing output folder is made (as `capture` and `demo` do); the notes are
/// spelled in the key heard (a line with a B♭ is not written A#), and a bad setting is a
/// usage error (exit 2).
#[test]
fn listen_makes_its_folder_spells_in_the_key_and_exits_2_on_bad_settings() {
    let dir = scratch("listen-folder");
    let wav = dir.join("line.wav");
    // D F A B♭ A: D minor (or F major); either way the B♭ is a B♭.
    let line = [
        (62.0, 0.10, 0.40),
        (65.0, 0.45, 0.75),
        (69.0, 0.80, 1.10),
        (70.0, 1.15, 1.45),
        (69.0, 1.50, 1.90),
    ];
    write_samples(
        &wav,
        48_000,
        1,
        hound::SampleFormat::Int,
        16,
        &signal_of(48_000.0, &line),
    );
    let mid = dir.join("new").join("heard.mid");
    let csv = dir.join("other").join("deeper").join("heard.csv");
    let output = reprise(&[
        "listen",
        wav.to_str().unwrap(),
        "-o",
        mid.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    assert!(mid.is_file() && csv.is_file());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("5 notes heard"), "{stdout}");
    assert!(stdout.contains(" B♭4 "), "{stdout}");
    assert!(!stdout.contains("A#"), "{stdout}");

    for bad in [["--block", "0"], ["--tempo", "1000"]] {
        let mut args = vec!["listen", wav.to_str().unwrap()];
        args.extend_from_slice(&bad);
        let output = reprise(&args);
        assert_eq!(output.status.code(), Some(2), "{bad:?}");
    }
}
