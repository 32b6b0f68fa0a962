//! `reprise analyze`: a .mid file's notes, length, metre, tempo and key, as a musician reads
//! them: note names (C4 = 60), positions as bar:beat following the file's metre map, lengths
//! in the same written beats, channels 1–16 and tracks counted from 1 with their names (as a
//! DAW shows them), velocity 1–127 beside the 0–1 value, and the tempo and metre changes the
//! motif spans. Text and JSON say the same thing.

use std::io::Write;
use std::path::Path;

use serde_json::json;

use reprise::engine::event::fraction_to_midi_7bit;
use reprise::engine::key::{Key, KeyCandidate, KeyEstimate};
use reprise::engine::midi_file::{
    motif_from_performance, motif_origin_beats, track_label, Performance,
};
use reprise::engine::motif::{Motif, TimeSignature, MAX_MOTIF_NOTES};
use reprise::engine::spelling::NoteName;
use reprise::engine::time_map::TimeMap;

use crate::args::{load, tidy, Source};
use crate::cut_short::refuse_cut_short;
use crate::error::CliResult;
use crate::wording::{bars_of, beat_unit, changes_spanned, count, metre_text, written_beats};

/// The motif of a file with the file's tempo and metre maps seen from its first bar.
struct Reading<'a> {
    motif: Motif,
    /// The file's maps from the motif's beat 0.
    map: TimeMap,
    /// Where the motif ends on the map's bar ruler: the bar line at or after its last note.
    end_beats: f64,
    /// The file's bar where the motif starts (1 = the file's first bar).
    first_bar: i64,
    performance: &'a Performance,
}

impl<'a> Reading<'a> {
    fn new(performance: &'a Performance, locked_key: Option<Key>) -> Self {
        let mut motif = motif_from_performance(performance);
        motif.locked_key = locked_key;
        let origin_beats = motif_origin_beats(performance);
        let map = performance.time_map.from_origin(origin_beats);
        let last_end = motif
            .notes()
            .iter()
            .map(|n| n.end_beats())
            .fold(0.0, f64::max);
        let end_beats = map.bar_line_at_or_after(last_end).max(
            // At least one bar, as the motif is.
            map.bar_line_at_or_after(map.metre_at(0.0).bar_length_beats()),
        );
        Self {
            motif,
            map,
            end_beats,
            first_bar: performance.time_map.bar_beat(origin_beats).bar,
            performance,
        }
    }

    /// Whether the motif runs into another metre.
    fn spans_metre_change(&self) -> bool {
        !self
            .map
            .metre_changes_within(0.0, self.end_beats)
            .is_empty()
    }

    /// The motif's length in bars of each metre: "4 bars of 3/4", or "4 bars: 2 bars of 4/4,
    /// then 2 bars of 3/4".
    fn length_text(&self) -> String {
        let by_metre = self.map.bars_by_metre(self.end_beats);
        let total: f64 = by_metre.iter().map(|(_, bars)| bars).sum();
        match by_metre.as_slice() {
            [(metre, _)] => format!(
                "{} ({} beats)",
                bars_of(self.motif.length_beats / metre.bar_length_beats(), *metre),
                tidy(written_beats(self.motif.length_beats, *metre), 3)
            ),
            parts => format!(
                "{} {} ({}),",
                tidy(total, 3),
                if total == 1.0 { "bar" } else { "bars" },
                parts
                    .iter()
                    .map(|(metre, bars)| bars_of(*bars, *metre))
                    .collect::<Vec<_>>()
                    .join(", then ")
            ),
        }
    }
}

pub fn analyze(
    out: &mut dyn Write,
    file: &Path,
    source: Source,
    as_json: bool,
    locked_key: Option<Key>,
) -> CliResult {
    let performance = load(file, source)?;
    let reading = Reading::new(&performance, locked_key);
    if as_json {
        writeln!(out, "{}", analysis_json(&reading))?;
    } else {
        print_analysis(out, file, &reading)?;
    }
    // What was read is shown; the command still fails, so no script takes it for the file.
    refuse_cut_short(file, &performance, None)
}

fn analysis_json(reading: &Reading) -> serde_json::Value {
    let (motif, performance, map) = (&reading.motif, reading.performance, &reading.map);
    let metre = motif.time_signature;
    let key = motif.key();
    let notes: Vec<_> = motif
        .notes()
        .iter()
        .map(|n| {
            json!({
                "position": map.bar_beat(n.start_beats).to_string(),
                "start_beats": tidy(n.start_beats, 6),
                "length_beats": tidy(n.length_beats, 6),
                "name": NoteName::in_optional_key(n.key, key).ascii().to_string(),
                "key": n.key,
                "velocity": tidy(n.velocity as f64, 4),
                "velocity_midi": fraction_to_midi_7bit(n.velocity),
                "channel": n.channel + 1,
            })
        })
        .collect();
    let key = match (motif.locked_key, motif.detected_key) {
        (Some(locked), estimate) => json!({
            "tonic": locked.tonic_name(),
            "mode": locked.mode.name(),
            "locked": true,
            "confidence": estimate.map(|e| tidy(e.confidence, 4)),
            "candidates": estimate.map(|e| candidates_json(&e)).unwrap_or_default(),
        }),
        (None, Some(estimate)) => json!({
            "tonic": estimate.best.key.tonic_name(),
            "mode": estimate.best.key.mode.name(),
            "locked": false,
            "confidence": tidy(estimate.confidence, 4),
            "certainty": estimate.certainty().word(),
            "verdict": estimate.describe(|k| k.ascii().to_string()),
            "candidates": candidates_json(&estimate),
        }),
        (None, None) => serde_json::Value::Null,
    };
    let tempo_map: Vec<_> = map
        .tempo_changes()
        .iter()
        .map(|c| {
            json!({
                "position": map.bar_beat(c.position_beats).to_string(),
                "start_beats": tidy(c.position_beats, 6),
                "tempo_bpm": tidy(c.tempo_bpm, 3),
            })
        })
        .collect();
    let metre_map: Vec<_> = map
        .metre_changes()
        .iter()
        .map(|c| {
            json!({
                "position": map.bar_beat(c.position_beats).to_string(),
                "start_beats": tidy(c.position_beats, 6),
                "time_signature": [c.time_signature.numerator, c.time_signature.denominator],
            })
        })
        .collect();
    let length_bars: f64 = map
        .bars_by_metre(reading.end_beats)
        .iter()
        .map(|(_, bars)| bars)
        .sum();
    json!({
        "notes": notes,
        "length_beats": tidy(motif.length_beats, 6),
        "length_bars": tidy(
            if reading.spans_metre_change() {
                length_bars
            } else {
                motif.length_beats / metre.bar_length_beats()
            },
            3
        ),
        "time_signature": [metre.numerator, metre.denominator],
        "tempo_bpm": tidy(motif.tempo_bpm, 3),
        "tempo_map": tempo_map,
        "metre_map": metre_map,
        "changes": changes_spanned(map, reading.end_beats),
        "key": key,
        "truncated": motif.truncated,
        "cut_short": performance.cut_short.map(|c| json!({
            "bytes_read": c.num_bytes_read,
            "bytes_declared": c.num_bytes_declared,
            "tracks_declared": c.num_tracks_declared,
            "tracks_complete": c.num_tracks_complete,
        })),
        "track": performance.track_idx + 1,
        "first_bar_in_file": reading.first_bar,
        "track_name": performance.track_names.get(performance.track_idx).cloned().flatten(),
        "num_tracks": performance.num_tracks,
        "numbering": "track and channel count from 1 as a DAW shows them; position is bar:beat \
                      following the file's metre map, in each metre's written beats; \
                      start_beats and length_beats count quarter notes from the motif's first \
                      bar line; key is the MIDI note number (60 = C4)",
    })
}

/// The tied candidates, and at least the three best keys so alternatives are visible.
fn shown_candidates(estimate: &KeyEstimate) -> &[KeyCandidate] {
    &estimate.ranked[..estimate.num_tied.max(3)]
}

fn candidates_json(estimate: &KeyEstimate) -> Vec<serde_json::Value> {
    shown_candidates(estimate)
        .iter()
        .map(|c| {
            json!({
                "tonic": c.key.tonic_name(),
                "mode": c.key.mode.name(),
                "score": tidy(c.score, 4),
            })
        })
        .collect()
}

fn print_analysis(out: &mut dyn Write, file: &Path, reading: &Reading) -> CliResult {
    let (motif, performance, map) = (&reading.motif, reading.performance, &reading.map);
    let track_idx = performance.track_idx;
    let name = performance.track_names.get(track_idx).cloned().flatten();
    let from_bar = if reading.first_bar > 1 {
        format!(
            ", from the file's bar {} (bar:beat below counts from there)",
            reading.first_bar
        )
    } else {
        String::new()
    };
    writeln!(
        out,
        "{}: {} of {}{from_bar}",
        file.display(),
        track_label(track_idx, name.as_deref()),
        performance.num_tracks
    )?;
    let truncated = if motif.truncated {
        format!(" (truncated: a motif holds at most {MAX_MOTIF_NOTES} notes)")
    } else {
        String::new()
    };
    let changes = changes_spanned(map, reading.end_beats);
    writeln!(
        out,
        "{}{truncated}, {} {} {} BPM",
        count(motif.len(), "note", "notes"),
        reading.length_text(),
        if changes.is_empty() {
            "at"
        } else {
            "starting at"
        },
        tidy(motif.tempo_bpm, 2),
    )?;
    for change in &changes {
        writeln!(out, "{change}")?;
    }
    if reading.spans_metre_change() {
        writeln!(
            out,
            "Reprise renders a motif in the metre at its start: it takes this one as {}",
            bars_of(
                motif.length_beats / motif.time_signature.bar_length_beats(),
                motif.time_signature
            )
        )?;
    }
    print_key(out, motif)?;
    writeln!(
        out,
        "{:>9} {:>8} {:>5} {:>4} {:>12} {:>3}",
        "bar:beat", "beats", "note", "key", "velocity", "ch"
    )?;
    for note in motif.notes() {
        let velocity = format!(
            "{} ({:.2})",
            fraction_to_midi_7bit(note.velocity),
            note.velocity
        );
        let metre = map.metre_at(note.start_beats);
        writeln!(
            out,
            "{:>9} {:>8} {:>5} {:>4} {:>12} {:>3}",
            map.bar_beat(note.start_beats).to_string(),
            tidy(written_beats(note.length_beats, metre), 3),
            NoteName::in_optional_key(note.key, motif.key()),
            note.key,
            velocity,
            note.channel + 1
        )?;
    }
    writeln!(
        out,
        "({}; note names with C4 = key 60; velocity 1-127 (0-1); channels 1-16)",
        beats_legend(map, reading.end_beats)
    )?;
    Ok(())
}

/// The key line: locked, or the finder's verdict with the best candidates.
fn print_key(out: &mut dyn Write, motif: &Motif) -> CliResult {
    if let Some(locked) = motif.locked_key {
        writeln!(out, "key: {locked} (locked)")?;
    } else if let Some(estimate) = motif.detected_key {
        let others: Vec<String> = shown_candidates(&estimate)
            .iter()
            .map(|c| format!("{} {:.3}", c.key, c.score))
            .collect();
        writeln!(
            out,
            "key: {}; candidates: {}",
            estimate.describe(|k| k.to_string()),
            others.join(", ")
        )?;
    }
    Ok(())
}

/// What the bar:beat and length columns count: "bar:beat and beats in 6/8 eighth notes", or
/// each metre's beat when the motif spans metres with different beats.
fn beats_legend(map: &TimeMap, end_beats: f64) -> String {
    let metres: Vec<TimeSignature> = map
        .bars_by_metre(end_beats)
        .iter()
        .map(|(metre, _)| *metre)
        .collect();
    let mut units: Vec<String> = Vec::new();
    for metre in &metres {
        let unit = format!("{} {}", metre_text(*metre), beat_unit(*metre));
        if !units.contains(&unit) {
            units.push(unit);
        }
    }
    match metres.as_slice() {
        [only] => format!(
            "bar:beat and beats in {} {}",
            metre_text(*only),
            beat_unit(*only)
        ),
        [first, ..] if metres.iter().all(|m| m.denominator == first.denominator) => {
            format!("bar:beat and beats in {}", beat_unit(*first))
        }
        _ => format!(
            "bar:beat and beats in each metre's written beat ({})",
            units.join(", ")
        ),
    }
}
