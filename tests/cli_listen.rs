//! Issue 13: `reprise listen` runs the audio note tracker on a WAV file block by block, as the
//! plugin would be fed, and writes what it heard as CSV (onset_s, offset_s, midi_pitch,
//! velocity, emit_s) and as a motif .mid; any common rate, bit depth and channel count; a bad
//! file or setting is one clear line.

#[allow(dead_code)]
#[path = "common/cli_run.rs"]
mod cli_run;

use std::path::{Path, PathBuf};

use cli_run::{reprise, scratch, stderr_lines};
use reprise::engine::midi_file::{read_performance, PerformanceEvent};

/// (MIDI key, start s, end s) of the test melody.
const MELODY: [(f64, f64, f64); 3] = [(62.0, 0.20, 0.55), (66.0, 0.70, 1.05), (69.0, 1.20, 1.70)];

fn signal(rate: f64) -> Vec<f32> {
    let len = (2.0 * rate) as usize;
    let mut out = vec![0.0f32; len];
    for &(midi, start, end) in &MELODY {
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
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: format,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for x in signal(f64::from(rate)) {
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
        assert!(stdout.contains("3 note(s) heard"), "{rate} Hz: {stdout}");
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
