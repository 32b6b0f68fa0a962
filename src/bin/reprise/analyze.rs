//! `reprise analyze`: a .mid file's notes, length, metre, tempo and key, as a musician reads
//! them: note names (C4 = 60), positions as bar:beat in the motif's metre, channels 1–16 and
//! tracks counted from 1 (as a DAW shows them), velocity 1–127 beside the 0–1 value. Text and
//! JSON say the same thing.

use std::io::Write;
use std::path::Path;

use serde_json::json;

use reprise::engine::event::fraction_to_midi_7bit;
use reprise::engine::key::{Key, KeyCandidate, KeyEstimate};
use reprise::engine::midi_file::{motif_from_performance, Performance};
use reprise::engine::motif::{Motif, MAX_MOTIF_NOTES};
use reprise::engine::notation::BarBeat;
use reprise::engine::spelling::NoteName;

use crate::args::{load, tidy, Source};
use crate::error::CliResult;

pub fn analyze(
    out: &mut dyn Write,
    file: &Path,
    source: Source,
    as_json: bool,
    locked_key: Option<Key>,
) -> CliResult {
    let performance = load(file, source)?;
    let mut motif = motif_from_performance(&performance);
    motif.locked_key = locked_key;
    if as_json {
        writeln!(out, "{}", analysis_json(&motif, &performance))?;
    } else {
        print_analysis(out, file, &motif, &performance)?;
    }
    Ok(())
}

fn analysis_json(motif: &Motif, performance: &Performance) -> serde_json::Value {
    let metre = motif.time_signature;
    let key = motif.key();
    let notes: Vec<_> = motif
        .notes()
        .iter()
        .map(|n| {
            json!({
                "position": BarBeat::of(n.start_beats, metre).to_string(),
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
    json!({
        "notes": notes,
        "length_beats": tidy(motif.length_beats, 6),
        "length_bars": tidy(motif.length_beats / metre.bar_length_beats(), 3),
        "time_signature": [metre.numerator, metre.denominator],
        "tempo_bpm": tidy(motif.tempo_bpm, 3),
        "key": key,
        "truncated": motif.truncated,
        "track": performance.track_idx + 1,
        "num_tracks": performance.num_tracks,
        "numbering": "track and channel count from 1 as a DAW shows them; position is bar:beat \
                      in the time signature's beats; key is the MIDI note number (60 = C4)",
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

fn print_analysis(
    out: &mut dyn Write,
    file: &Path,
    motif: &Motif,
    performance: &Performance,
) -> CliResult {
    let ts = motif.time_signature;
    writeln!(
        out,
        "{}: track {} of {}",
        file.display(),
        performance.track_idx + 1,
        performance.num_tracks
    )?;
    let truncated = if motif.truncated {
        format!(" (truncated: a motif holds at most {MAX_MOTIF_NOTES} notes)")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} notes{truncated}, {} bars of {}/{} ({} beats) at {} BPM",
        motif.len(),
        tidy(motif.length_beats / ts.bar_length_beats(), 3),
        ts.numerator,
        ts.denominator,
        tidy(motif.length_beats, 3),
        tidy(motif.tempo_bpm, 2),
    )?;
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
        writeln!(
            out,
            "{:>9} {:>8} {:>5} {:>4} {:>12} {:>3}",
            BarBeat::of(note.start_beats, ts).to_string(),
            tidy(note.length_beats, 3),
            NoteName::in_optional_key(note.key, motif.key()),
            note.key,
            velocity,
            note.channel + 1
        )?;
    }
    writeln!(
        out,
        "(bar:beat in {}/{} beats; note names with C4 = key 60; velocity 1-127 (0-1); channels 1-16)",
        ts.numerator, ts.denominator
    )?;
    Ok(())
}
