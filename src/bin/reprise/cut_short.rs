//! A .mid file that ends before its chunks say it should: what was read, and why a command
//! that read it still fails.

use std::path::Path;

use reprise::engine::midi_file::{Performance, PerformanceEvent};

use crate::error::{CliError, CliResult};
use crate::wording::count;

/// Fails when the file is cut short, saying how much of it was read: the command that calls
/// this last (`analyze`) has shown what was read; `writes` names what a command refuses to
/// write from a damaged file (`render`, `capture`).
pub fn refuse_cut_short(file: &Path, performance: &Performance, writes: Option<&str>) -> CliResult {
    let Some(cut) = performance.cut_short else {
        return Ok(());
    };
    let num_notes = performance
        .events
        .iter()
        .filter(|e| matches!(e.kind, PerformanceEvent::NoteOn { .. }))
        .count();
    let read_up_to = performance.events.last().map_or(0.0, |e| e.beats);
    let percent_read = 100.0 * cut.num_bytes_read as f64 / cut.num_bytes_declared.max(1) as f64;
    let consequence = match writes {
        Some(what) => format!("; no {what} written from a damaged file"),
        None => "; the notes after the cut are missing".to_owned(),
    };
    Err(CliError::failed(format!(
        "{} is cut short: it has {} of the {} bytes its chunks announce ({:.0}%), {} of its {} \
         end properly; read {} of track {}, up to {}{consequence}",
        file.display(),
        cut.num_bytes_read,
        cut.num_bytes_declared,
        percent_read.floor(),
        cut.num_tracks_complete,
        count(cut.num_tracks_declared, "track", "tracks"),
        count(num_notes, "note", "notes"),
        performance.track_idx + 1,
        performance.time_map.bar_beat(read_up_to),
    )))
}
