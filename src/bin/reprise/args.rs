//! Argument types shared by the commands: value parsers with musician-readable errors, and the
//! track/drum choice of a .mid input.

use std::path::Path;

use reprise::engine::character::{ChannelLayout, Character};
use reprise::engine::key::Key;
use reprise::engine::midi_file::{read_performance_with_drums, Performance};
use reprise::engine::ops::dynamics::DynamicsCc;
use reprise::engine::quantize::Grid;
use reprise::engine::scale::ScaleMode;
use reprise::engine::time_map::MAX_MAP_CHANGES;

use crate::error::{note, CliError};

pub fn parse_character(text: &str) -> Result<Character, String> {
    Character::parse(text)
        .ok_or_else(|| format!("`{text}` is not a character (piano, swell, distant, none)"))
}

pub fn parse_mode(text: &str) -> Result<ScaleMode, String> {
    ScaleMode::parse(text).ok_or_else(|| {
        let accepted: Vec<&str> = ScaleMode::ALL.iter().map(|mode| mode.name()).collect();
        format!("`{text}` is not a mode ({})", accepted.join(", "))
    })
}

pub fn parse_dynamics_cc(text: &str) -> Result<DynamicsCc, String> {
    DynamicsCc::parse(text)
        .ok_or_else(|| format!("`{text}` is not a dynamics controller (1, 11, both, none)"))
}

pub fn parse_channels(text: &str) -> Result<ChannelLayout, String> {
    match text {
        "single" => Ok(ChannelLayout::Single),
        "split" => Ok(ChannelLayout::Split),
        _ => Err(format!("`{text}` is not a channel layout (single, split)")),
    }
}

pub fn parse_key(text: &str) -> Result<Key, String> {
    Key::parse(text).ok_or_else(|| format!("`{text}` is not a key (try C#:minor or Bb major)"))
}

pub fn parse_grid(text: &str) -> Result<Grid, String> {
    Grid::parse(text).ok_or_else(|| {
        format!("`{text}` is not a grid (1/4, 1/8, 1/16, 1/32, or with t for triplets)")
    })
}

pub fn parse_range(text: &str) -> Result<reprise::engine::audio_capture::PitchRange, String> {
    reprise::engine::audio_capture::PitchRange::parse(text)
        .ok_or_else(|| format!("`{text}` is not a range (voice, low, high)"))
}

/// A track number as a DAW lists a file's tracks: 1 = the first track in the file.
pub fn parse_track(text: &str) -> Result<usize, String> {
    match text.trim().parse::<i64>() {
        Ok(number) if number >= 1 => Ok(number as usize),
        Ok(_) => Err(format!(
            "`{text}` is not a track number: tracks count from 1, as a DAW lists them"
        )),
        Err(_) => Err(format!("`{text}` is not a track number (1, 2, …)")),
    }
}

/// Which notes of a file to read.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    /// Track number counting from 1; `None` = the first track with notes.
    pub track_number: Option<usize>,
    /// Keep notes on channel 10 (General MIDI drums).
    pub include_drums: bool,
}

/// Reads a performance; says on stderr how many drum notes (channel 10) were left out.
pub fn load(file: &Path, source: Source) -> Result<Performance, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let track_idx = source.track_number.map(|number| number - 1);
    let performance = read_performance_with_drums(&bytes, track_idx, source.include_drums)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let num_drum_notes = performance.num_drum_notes_ignored;
    if num_drum_notes > 0 {
        note(format_args!(
            "{num_drum_notes} {} on channel 10 (General MIDI drums) ignored; --include-drums \
             keeps them",
            if num_drum_notes == 1 { "note" } else { "notes" }
        ));
    }
    let num_dropped = performance.time_map.num_changes_dropped;
    if num_dropped > 0 {
        note(format_args!(
            "{}: {num_dropped} tempo or metre changes past the first {MAX_MAP_CHANGES} of a map \
             ignored; the last one read holds to the end",
            file.display()
        ));
    }
    Ok(performance)
}

/// Largest value of a 0–1 setting read as a percentage typed by mistake (`--intensity 50`, as
/// the plugin shows 50 %): up to 100 the error suggests the fraction.
const MAX_PERCENT: f64 = 100.0;

/// `--name` must lie in 0–1 (a usage error otherwise); a percentage gets the fraction suggested.
pub fn check_unit(name: &str, value: f64) -> Result<(), CliError> {
    if (0.0..=1.0).contains(&value) {
        return Ok(());
    }
    let hint = if value > 1.0 && value <= MAX_PERCENT {
        format!(" (for {value} %, use {})", value / MAX_PERCENT)
    } else {
        String::new()
    };
    Err(CliError::usage(format!(
        "--{name} must be between 0 and 1, not {value}{hint}"
    )))
}

/// Whether `output` names the same file as `input` (also through another path to it).
pub fn same_file(input: &Path, output: &Path) -> bool {
    match (input.canonicalize(), output.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Accepted tempos, BPM (`listen --tempo`, `spot --tempo` and `--tempo-range`): the plugin's
/// own tempo range and then some, so a motif's beats stay a musical length.
pub const TEMPO_RANGE_BPM: std::ops::RangeInclusive<f64> = 20.0..=400.0;

/// Writes `bytes` to `path`, creating its folder first if it is missing.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|e| CliError::failed(format!("cannot create {}: {e}", folder.display())))?;
    }
    std::fs::write(path, bytes)
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))
}

/// Rounds away float noise for display (1e-6 beats is far below any musical resolution).
pub fn tidy(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

/// A written track's name for a character: `Swell`, `Piano`, `Distant`.
pub fn track_name(character: Character) -> String {
    let name = character.name();
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}
