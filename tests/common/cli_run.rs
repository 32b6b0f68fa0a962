//! Helpers for the end-to-end tests of the `reprise` command-line tool: run it, scratch
//! folders, a small motif file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use reprise::engine::midi_file::{write_tracks, ExportTrack};
use reprise::engine::motif::{Note, TimeSignature};

/// Runs the built `reprise` with `args`.
pub fn reprise(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reprise"))
        .args(args)
        .output()
        .expect("run reprise")
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reprise-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn note(start_beats: f64, length_beats: f64, key: u8) -> Note {
    Note {
        start_beats,
        length_beats,
        key,
        velocity: 0.8,
        channel: 0,
    }
}

/// Writes `notes` as a one-track .mid file (tempo and metre on the first track, as
/// `write_tracks` lays them out).
pub fn write_notes(path: &Path, name: &str, notes: &[Note], metre: TimeSignature, tempo_bpm: f64) {
    let bytes = write_tracks(
        &[ExportTrack {
            name,
            notes,
            ccs: &[],
            programs: &[],
        }],
        metre,
        tempo_bpm,
        None,
    );
    std::fs::write(path, bytes).unwrap();
}

/// "Ode to Joy" opening in D major, 4/4 at 96 BPM.
pub fn write_ode(dir: &Path) -> PathBuf {
    let keys = [66u8, 66, 67, 69, 69, 67, 66, 64, 62, 62, 64, 66];
    let mut notes: Vec<Note> = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| note(i as f64, 1.0, k))
        .collect();
    notes.push(note(12.0, 1.5, 66));
    notes.push(note(13.5, 0.5, 64));
    notes.push(note(14.0, 2.0, 64));
    let path = dir.join("ode.mid");
    write_notes(&path, "Ode", &notes, TimeSignature::new(4, 4), 96.0);
    path
}

pub fn stderr_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .map(str::to_owned)
        .collect()
}
