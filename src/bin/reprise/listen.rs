//! `reprise listen IN.wav`: the audio note tracker, fed block by block as the plugin would be,
//! on a recorded voice or instrument line; writes the notes it hears as a motif .mid and/or a
//! CSV (`onset_s,offset_s,midi_pitch,velocity,emit_s`, `emit_s` being the end of the block whose
//! processing reported the note-on) and prints a summary.

use std::io::Write;
use std::path::{Path, PathBuf};

use reprise::engine::audio_capture::{NoteTracker, PitchRange, TrackedNote, TrackerSettings};
use reprise::engine::event::fraction_to_midi_7bit;
use reprise::engine::key::{estimate_key, DEFAULT_PROFILES};
use reprise::engine::midi_file::{write_tracks, ExportTrack};
use reprise::engine::motif::{Note, TimeSignature};
use reprise::engine::spelling::NoteName;

use crate::args::{same_file, tidy, write_output, TEMPO_RANGE_BPM};
use crate::error::{CliError, CliResult};
use crate::wording::count;

/// What `listen` was asked to do.
pub struct ListenRequest<'a> {
    pub file: &'a Path,
    pub motif: Option<&'a PathBuf>,
    pub csv: Option<&'a PathBuf>,
    /// Samples per block fed to the tracker, 1–16384 (checked here).
    pub block: i64,
    pub range: PitchRange,
    /// Tempo the motif's beats are counted at, BPM.
    pub tempo_bpm: f64,
}

/// One note heard: on and off.
struct Heard {
    key: u8,
    velocity: f32,
    onset_samples: u64,
    offset_samples: u64,
    /// The end of the block whose processing reported the note-on, samples.
    emit_samples: u64,
}

/// The samples of a WAV file as stereo frames (mono duplicated; more channels: the first two).
fn read_wav(file: &Path) -> Result<(f64, Vec<f32>, Vec<f32>), CliError> {
    let fail =
        |e: hound::Error| CliError::failed(format!("{}: cannot read as WAV: {e}", file.display()));
    let mut reader = hound::WavReader::open(file).map_err(fail)?;
    let spec = reader.spec();
    if spec.channels == 0 || spec.sample_rate == 0 {
        return Err(CliError::failed(format!(
            "{}: the WAV header declares {} channel(s) at {} Hz",
            file.display(),
            spec.channels,
            spec.sample_rate
        )));
    }
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(fail)?,
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
                .map_err(fail)?
        }
    };
    let channels = spec.channels as usize;
    let frames = interleaved.len() / channels;
    let mut left = Vec::with_capacity(frames);
    let mut right = Vec::with_capacity(frames);
    for frame in interleaved.chunks_exact(channels) {
        left.push(frame[0]);
        right.push(if channels > 1 { frame[1] } else { frame[0] });
    }
    Ok((f64::from(spec.sample_rate), left, right))
}

/// Lowest accepted `--block`, samples.
const MIN_BLOCK_SAMPLES: i64 = 1;
/// Highest accepted `--block`, samples: the largest block a host is expected to send.
const MAX_BLOCK_SAMPLES: i64 = 16_384;

pub fn listen(out: &mut dyn Write, request: &ListenRequest<'_>) -> CliResult {
    if !(MIN_BLOCK_SAMPLES..=MAX_BLOCK_SAMPLES).contains(&request.block) {
        return Err(CliError::usage(format!(
            "--block must be between {MIN_BLOCK_SAMPLES} and {MAX_BLOCK_SAMPLES} samples, not {}",
            request.block
        )));
    }
    if !(request.tempo_bpm.is_finite() && TEMPO_RANGE_BPM.contains(&request.tempo_bpm)) {
        return Err(CliError::usage(format!(
            "--tempo must be between {} and {} BPM, not {}",
            TEMPO_RANGE_BPM.start(),
            TEMPO_RANGE_BPM.end(),
            request.tempo_bpm
        )));
    }
    check_outputs(request)?;
    let block = request.block as usize;
    let (rate, left, right) = read_wav(request.file)?;
    let heard = track_notes(rate, &left, &right, block, request.range);
    let duration_s = tidy(left.len() as f64 / rate, 3);
    if heard.is_empty() {
        let (low, high) = request.range.keys();
        return Err(CliError::failed(format!(
            "{}: nothing was heard in {duration_s} s (no steady pitch between {} and {}); \
             nothing written",
            request.file.display(),
            NoteName::plain(low),
            NoteName::plain(high)
        )));
    }
    let notes = as_motif_notes(&heard, rate, request.tempo_bpm);
    let key = estimate_key(
        &notes,
        TimeSignature::default().bar_length_beats(),
        DEFAULT_PROFILES,
    );
    if let Some(csv) = request.csv {
        write_csv(csv, &heard, rate)?;
    }
    if let Some(motif_path) = request.motif {
        write_motif(motif_path, &notes, request.tempo_bpm)?;
    }
    writeln!(
        out,
        "{}: {} heard in {duration_s} s at {} Hz (blocks of {})",
        request.file.display(),
        count(heard.len(), "note", "notes"),
        rate,
        request.block
    )?;
    if let Some(estimate) = key {
        writeln!(out, "key: {}", estimate.describe(|k| k.to_string()))?;
    }
    let seconds = |samples: u64| samples as f64 / rate;
    for note in &heard {
        writeln!(
            out,
            "{:>9.3} s {:>9.3} s {:>5} {:>4} vel {:>3} (reported {:.1} ms after the onset)",
            seconds(note.onset_samples),
            seconds(note.offset_samples),
            NoteName::in_optional_key(note.key, key.map(|e| e.best.key)),
            note.key,
            fraction_to_midi_7bit(note.velocity),
            1000.0 * seconds(note.emit_samples.saturating_sub(note.onset_samples))
        )?;
    }
    for path in [request.motif, request.csv].into_iter().flatten() {
        writeln!(out, "-> {}", path.display())?;
    }
    Ok(())
}

/// Refuses an output that is the recording (or is both outputs): the notes must never replace
/// the audio they were heard in, and the CSV and the motif must not overwrite each other.
fn check_outputs(request: &ListenRequest<'_>) -> CliResult {
    for (flag, output) in [("-o", request.motif), ("--csv", request.csv)] {
        if let Some(output) = output.filter(|output| is_same_path(request.file, output)) {
            return Err(CliError::failed(format!(
                "{flag} {} is the input file; refusing to overwrite the recording with its notes",
                output.display()
            )));
        }
    }
    if let (Some(motif), Some(csv)) = (request.motif, request.csv) {
        if is_same_path(motif, csv) {
            return Err(CliError::failed(format!(
                "-o and --csv both name {}; give each its own file",
                csv.display()
            )));
        }
    }
    Ok(())
}

/// Whether two paths name one file: the same file on disk, or (for files not written yet) the
/// same path as written.
fn is_same_path(a: &Path, b: &Path) -> bool {
    a == b || same_file(a, b)
}

/// Feeds the recording to the tracker in blocks of `block` samples, as a host would, and
/// returns the notes it heard with the end of the block that reported each.
fn track_notes(
    rate: f64,
    left: &[f32],
    right: &[f32],
    block: usize,
    range: PitchRange,
) -> Vec<Heard> {
    let mut tracker = NoteTracker::new(rate, TrackerSettings::for_range(range));
    let mut heard: Vec<Heard> = Vec::new();
    let mut open: Option<Heard> = None;
    let mut on_event = |event: TrackedNote, block_end: u64, heard: &mut Vec<Heard>| {
        if event.is_on {
            open = Some(Heard {
                key: event.key,
                velocity: event.velocity,
                onset_samples: event.at_samples,
                offset_samples: event.at_samples,
                emit_samples: block_end,
            });
        } else if let Some(mut note) = open.take() {
            note.offset_samples = event.at_samples;
            // The key the whole note is heard as (a vibrato's centre).
            note.key = event.final_key;
            heard.push(note);
        }
    };
    let mut start = 0;
    while start < left.len() {
        let end = (start + block).min(left.len());
        let mut events = Vec::new();
        tracker.process(&left[start..end], &right[start..end], &mut |e| {
            events.push(e)
        });
        for event in events {
            on_event(event, end as u64, &mut heard);
        }
        start = end;
    }
    let mut events = Vec::new();
    tracker.finish(&mut |e| events.push(e));
    for event in events {
        on_event(event, left.len() as u64, &mut heard);
    }
    heard
}

/// Writes the heard notes as CSV: `onset_s,offset_s,midi_pitch,velocity,emit_s` (its folder
/// made if missing).
fn write_csv(csv: &Path, heard: &[Heard], rate: f64) -> CliResult {
    let seconds = |samples: u64| samples as f64 / rate;
    let mut text = String::from("onset_s,offset_s,midi_pitch,velocity,emit_s\n");
    for note in heard {
        text.push_str(&format!(
            "{:.6},{:.6},{},{},{:.6}\n",
            seconds(note.onset_samples),
            seconds(note.offset_samples),
            note.key,
            fraction_to_midi_7bit(note.velocity),
            seconds(note.emit_samples)
        ));
    }
    write_output(csv, text.as_bytes())
}

/// The heard notes as motif notes at `tempo_bpm` (onsets in seconds become beats at that
/// tempo).
fn as_motif_notes(heard: &[Heard], rate: f64, tempo_bpm: f64) -> Vec<Note> {
    let seconds = |samples: u64| samples as f64 / rate;
    let beats_per_second = tempo_bpm / 60.0;
    heard
        .iter()
        .map(|n| Note {
            start_beats: seconds(n.onset_samples) * beats_per_second,
            length_beats: (seconds(n.offset_samples - n.onset_samples) * beats_per_second)
                .max(MIN_NOTE_BEATS),
            key: n.key,
            velocity: n.velocity,
            channel: 0,
        })
        .collect()
}

/// Shortest note written to the motif, beats: a 64th note, so a blip still has a length.
const MIN_NOTE_BEATS: f64 = 1.0 / 64.0;

/// Writes `notes` as a one-track motif .mid at `tempo_bpm` (its folder made if missing).
fn write_motif(motif_path: &Path, notes: &[Note], tempo_bpm: f64) -> CliResult {
    let bytes = write_tracks(
        &[ExportTrack {
            name: "Heard",
            notes,
            ccs: &[],
            programs: &[],
        }],
        TimeSignature::default(),
        tempo_bpm,
        None,
    );
    write_output(motif_path, &bytes)
}
