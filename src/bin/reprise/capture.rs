//! `reprise capture`: plays a performance .mid into the capture exactly as the plugin hears it
//! live and writes each phrase as `DIR/phrase_NN.mid`. A folder holding phrases of an earlier
//! take is refused unless `--replace` clears them; nothing is written when the command fails.

use std::io::Write;
use std::path::{Path, PathBuf};

use reprise::engine::capture::{segment_performance, CaptureSettings, CapturedPhrase};
use reprise::engine::midi_file::write_motif_in_map;
use reprise::engine::quantize::{Grid, Quantize};
use reprise::engine::time_map::TimeMap;

use crate::args::{load, Source};
use crate::cut_short::refuse_cut_short;
use crate::error::{CliError, CliResult};
use crate::wording::{bars_of, changes_between, count, key_verdict, metre_text};

/// What `capture` was asked to do.
pub struct CaptureRequest<'a> {
    pub file: &'a Path,
    pub output_dir: &'a Path,
    /// Silence that ends a phrase, beats.
    pub gap_beats: f64,
    pub grid: Option<Grid>,
    /// Quantize strength, percent 0–100.
    pub strength_percent: f64,
    pub source: Source,
    /// Delete phrase files of an earlier take in `output_dir` first.
    pub replace: bool,
}

/// Whether `name` is a file this command writes (`phrase_NN.mid`).
fn is_phrase_file(name: &str) -> bool {
    name.strip_prefix("phrase_")
        .and_then(|rest| rest.strip_suffix(".mid"))
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The phrase files already in `dir` (none if it does not exist).
fn earlier_phrases(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    if !dir.is_dir() {
        return Err(CliError::failed(format!(
            "{} exists and is not a folder",
            dir.display()
        )));
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CliError::failed(format!("cannot read {}: {e}", dir.display())))?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_str().is_some_and(is_phrase_file))
        .map(|entry| entry.path())
        .collect();
    found.sort();
    Ok(found)
}

pub fn capture(out: &mut dyn Write, request: &CaptureRequest<'_>) -> CliResult {
    let CaptureRequest {
        file,
        output_dir,
        gap_beats,
        grid,
        strength_percent,
        source,
        replace,
    } = *request;
    if !(gap_beats.is_finite() && gap_beats > 0.0) {
        return Err(CliError::usage(format!(
            "--gap-beats must be a positive number of beats, not {gap_beats}"
        )));
    }
    if !(0.0..=100.0).contains(&strength_percent) {
        return Err(CliError::usage(format!(
            "--strength must be between 0 and 100, not {strength_percent}"
        )));
    }
    // Everything that can fail before anything is written: the input, the folder's contents.
    let performance = load(file, source)?;
    refuse_cut_short(file, &performance, Some("phrase files"))?;
    let earlier = earlier_phrases(output_dir)?;
    if !earlier.is_empty() && !replace {
        return Err(CliError::failed(format!(
            "{} already holds {} phrase file(s) from an earlier take; use another folder, or \
             --replace to delete them first",
            output_dir.display(),
            earlier.len()
        )));
    }
    let settings = CaptureSettings {
        gap_beats,
        quantize: grid.map(|grid| Quantize {
            grid,
            strength: strength_percent / 100.0,
        }),
        include_drums: source.include_drums,
        ..CaptureSettings::default()
    };
    let phrases = segment_performance(&performance, settings);
    let files: Vec<(PathBuf, Vec<u8>)> = phrases
        .iter()
        .enumerate()
        .map(|(index, phrase)| {
            (
                output_dir.join(format!("phrase_{:02}.mid", index + 1)),
                write_motif_in_map(
                    &phrase.motif,
                    &performance.time_map.from_origin(phrase.origin_beats),
                ),
            )
        })
        .collect();
    replace_take(output_dir, &earlier, &files)?;

    report_take(
        out,
        request,
        &performance.time_map,
        &earlier,
        &phrases,
        &files,
    )
}

/// Writes the take's phrase `files` into `output_dir` (made if missing) after deleting the
/// earlier take's `earlier` files; a file that cannot be written removes the ones written
/// before it, so no half take is left behind.
fn replace_take(output_dir: &Path, earlier: &[PathBuf], files: &[(PathBuf, Vec<u8>)]) -> CliResult {
    std::fs::create_dir_all(output_dir)
        .map_err(|e| CliError::failed(format!("cannot create {}: {e}", output_dir.display())))?;
    for path in earlier {
        std::fs::remove_file(path)
            .map_err(|e| CliError::failed(format!("cannot delete {}: {e}", path.display())))?;
    }
    for (done, (path, bytes)) in files.iter().enumerate() {
        if let Err(error) = std::fs::write(path, bytes) {
            // Leave no half take behind.
            for (written, _) in &files[..=done] {
                let _ = std::fs::remove_file(written);
            }
            return Err(CliError::failed(format!(
                "cannot write {}: {error}",
                path.display()
            )));
        }
    }
    Ok(())
}

/// Prints what the take gave: the phrases, where each starts (on the file's bar ruler), its
/// notes, length, key and the tempo and metre changes it spans, and the file it went to.
fn report_take(
    out: &mut dyn Write,
    request: &CaptureRequest<'_>,
    time_map: &TimeMap,
    earlier: &[PathBuf],
    phrases: &[CapturedPhrase],
    files: &[(PathBuf, Vec<u8>)],
) -> CliResult {
    let (file, gap_beats) = (request.file, request.gap_beats);
    writeln!(
        out,
        "{} in {} (gap {} beats){}",
        count(phrases.len(), "phrase", "phrases"),
        file.display(),
        gap_beats,
        if earlier.is_empty() {
            String::new()
        } else {
            format!(
                "; {} of the earlier take deleted",
                count(earlier.len(), "phrase file", "phrase files")
            )
        }
    )?;
    for (index, (phrase, (path, _))) in phrases.iter().zip(files).enumerate() {
        let motif = &phrase.motif;
        let key = motif.locked_key.map_or_else(
            || {
                motif
                    .detected_key
                    .map_or_else(|| "no key".to_owned(), |e| key_verdict(&e))
            },
            |k| format!("{k} (locked)"),
        );
        let start = time_map.bar_beat(phrase.origin_beats);
        let bars = motif.length_beats / motif.time_signature.bar_length_beats();
        let end_beats = phrase.origin_beats + motif.length_beats;
        let changes = changes_between(time_map, phrase.origin_beats, end_beats);
        writeln!(
            out,
            "phrase {}: bar {} (at {start}), {}{}, {}, {}{} -> {}",
            index + 1,
            start.bar,
            count(motif.len(), "note", "notes"),
            if motif.truncated { " (truncated)" } else { "" },
            bars_of(bars, motif.time_signature),
            key,
            if changes.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} (written into the phrase file; the phrase is captured in {})",
                    changes.join("; "),
                    metre_text(motif.time_signature)
                )
            },
            path.display()
        )?;
    }
    Ok(())
}
