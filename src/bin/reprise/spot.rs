//! `reprise spot`: Find Tempo — the tempo and the place of bar 1 that put a spotting list's
//! `must` hits on bar lines (and `should` hits on beats), written as a tempo-map .mid to drag
//! into the DAW (a plugin cannot set the host's tempo).

use std::io::Write;
use std::path::Path;

use reprise::engine::hit_sources::{hits_from_edl, hits_from_midi_markers};
use reprise::engine::hits::{read_spotting_list, HitList, Importance};
use reprise::engine::midi_file::write_tracks_in_map;
use reprise::engine::motif::TimeSignature;
use reprise::engine::notation::BarBeat;
use reprise::engine::spot::{find_tempo, SpotRequest};
use reprise::engine::time_map::{MetreChange, TempoChange, TimeMap};
use reprise::engine::timecode::{frames_to_seconds, parse_timecode, FrameRate, Timecode};

use crate::args::write_output;
use crate::error::{CliError, CliResult};
use crate::wording::{count, metre_text};

/// A bar-1 offset closer than this to a bar line needs no lead-in bar, seconds (well under a
/// frame at any rate).
const NO_LEAD_IN_SECONDS: f64 = 0.001;

/// What `reprise spot` was asked.
pub struct SpotArgs<'a> {
    pub hits: &'a Path,
    pub rate: FrameRate,
    pub start_tc: Option<&'a str>,
    pub metre: TimeSignature,
    pub tempo_range_bpm: (f64, f64),
    pub preferred_tempo_bpm: f64,
    pub output: Option<&'a Path>,
}

/// Reads a tempo range `60-140`.
pub fn parse_tempo_range(text: &str) -> Result<(f64, f64), String> {
    let bad = || format!("{text:?} is not a tempo range such as 60-140 (BPM)");
    let (low, high) = text.split_once('-').ok_or_else(bad)?;
    let low: f64 = low.trim().parse().map_err(|_| bad())?;
    let high: f64 = high.trim().parse().map_err(|_| bad())?;
    if !(low >= 20.0 && high <= 400.0 && low <= high) {
        return Err(format!(
            "the tempo range {text} must lie within 20-400 BPM, slowest first"
        ));
    }
    Ok((low, high))
}

/// Reads a frame rate (`23.976`, `29.97df` …).
pub fn parse_fps(text: &str) -> Result<FrameRate, String> {
    FrameRate::parse(text).ok_or_else(|| {
        let ids: Vec<&str> = FrameRate::ALL.iter().map(|rate| rate.id()).collect();
        format!(
            "{text:?} is not a frame rate; use one of {}",
            ids.join(", ")
        )
    })
}

/// Reads a metre `3/4`.
pub fn parse_metre(text: &str) -> Result<TimeSignature, String> {
    let bad = || format!("{text:?} is not a metre such as 3/4 or 6/8");
    let (numerator, denominator) = text.trim().split_once('/').ok_or_else(bad)?;
    let numerator: u8 = numerator.parse().map_err(|_| bad())?;
    let denominator: u8 = denominator.parse().map_err(|_| bad())?;
    if numerator == 0 || !denominator.is_power_of_two() || denominator > 32 {
        return Err(bad());
    }
    Ok(TimeSignature::new(numerator, denominator))
}

pub fn spot(out: &mut dyn Write, args: &SpotArgs) -> CliResult {
    let start_frame = match args.start_tc {
        Some(text) => parse_timecode(text, args.rate)
            .map_err(|e| CliError::usage(format!("--start-tc: {e}")))?,
        None => 0,
    };
    let hits = read_hits(args.hits, args.rate, start_frame)?;
    let answer = find_tempo(&SpotRequest {
        hits: &hits,
        rate: args.rate,
        metre: args.metre,
        tempo_range_bpm: args.tempo_range_bpm,
        preferred_tempo_bpm: args.preferred_tempo_bpm,
    })
    .ok_or_else(|| CliError::failed("no tempo to try in that range"))?;
    let tc = |frame: i64| Timecode::from_frames(frame + start_frame, args.rate).display(args.rate);
    let fps = {
        let (numerator, denominator) = args.rate.frames_per_second();
        numerator as f64 / denominator as f64
    };
    let bar_one_frame = (answer.bar_one_seconds * fps).round() as i64;
    writeln!(
        out,
        "Find Tempo: {:.2} BPM in {}, bar 1 at {:.3} s after the song's zero ({} at {} fps)",
        answer.tempo_bpm,
        metre_text(args.metre),
        answer.bar_one_seconds,
        tc(bar_one_frame),
        args.rate.id()
    )?;
    writeln!(
        out,
        "must hits on bar lines: at most {:.2} frames off; should hits on beats: RMS {:.2} frames",
        answer.max_must_frames, answer.rms_should_frames
    )?;
    let beat_seconds = 60.0 / answer.tempo_bpm;
    let pulse_seconds = args.metre.pulse_length_beats() * beat_seconds;
    for (i, hit) in hits.iter().enumerate() {
        // The grid point the hit is measured against (bar line or beat), as bar:beat.
        let seconds = frames_to_seconds(hit.frame, args.rate);
        let pulses = ((seconds - answer.bar_one_seconds) / pulse_seconds).round();
        let position = BarBeat::of(pulses * args.metre.pulse_length_beats(), args.metre);
        writeln!(
            out,
            "  {}  {:<24} {:<7} {:<6} {:>7}  {:+.2} frames",
            tc(hit.frame),
            hit.name.as_str(),
            hit.lands.name(),
            hit.importance.name(),
            position.to_string(),
            -answer.frames_off[i]
        )?;
    }
    let misses = hits
        .iter()
        .zip(answer.frames_off)
        .filter(|(hit, off)| hit.importance == Importance::Must && off.abs() > 0.5)
        .count();
    if misses > 0 {
        writeln!(
            out,
            "{} more than half a frame off: no steady tempo in the range lands them all; a \
             tempo change between them would",
            count(misses, "must hit", "must hits")
        )?;
    }
    writeln!(
        out,
        "(bar:beat of the music, bar 1 at the answer's offset; frames off: + the hit is after \
         its bar line or beat)"
    )?;
    if let Some(path) = args.output {
        let map = tempo_map(args.metre, answer.tempo_bpm, answer.bar_one_seconds);
        write_output(path, &write_tracks_in_map(&[], &map.0, None))?;
        match map.1 {
            Some(lead_in_bpm) => writeln!(
                out,
                "-> {} (its first bar is a lead-in at {lead_in_bpm:.3} BPM; the music's bar 1 is \
                 the map's bar 2)",
                path.display()
            )?,
            None => writeln!(out, "-> {} (bar 1 at the song's zero)", path.display())?,
        }
    }
    Ok(())
}

/// The hits of a spotting list (`.csv`), an edit decision list (`.edl`: its cuts) or a .mid
/// file (`.mid`, `.midi`: its markers, whose zero is the song's zero).
fn read_hits(path: &Path, rate: FrameRate, start_frame: i64) -> Result<HitList, CliError> {
    let fail = |e: &dyn std::fmt::Display| CliError::failed(format!("{}: {e}", path.display()));
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::failed(format!("cannot read {}: {e}", path.display())))?;
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "mid" | "midi" => hits_from_midi_markers(&bytes, rate).map_err(|e| fail(&e)),
        "edl" => {
            hits_from_edl(&String::from_utf8_lossy(&bytes), rate, start_frame).map_err(|e| fail(&e))
        }
        _ => read_spotting_list(&String::from_utf8_lossy(&bytes), rate, start_frame)
            .map_err(|e| fail(&e)),
    }
}

/// The tempo map that puts bar 1 of the music at `bar_one_seconds` (within one bar from the
/// song's zero): a lead-in bar between half and one and a half bars long at its own tempo, then
/// `tempo_bpm`. Returns the map and the lead-in's tempo, if there is one.
fn tempo_map(metre: TimeSignature, tempo_bpm: f64, bar_one_seconds: f64) -> (TimeMap, Option<f64>) {
    let bar_beats = metre.bar_length_beats();
    let bar_seconds = bar_beats * 60.0 / tempo_bpm;
    let offset = bar_one_seconds.rem_euclid(bar_seconds);
    if offset < NO_LEAD_IN_SECONDS || bar_seconds - offset < NO_LEAD_IN_SECONDS {
        return (TimeMap::constant(metre, tempo_bpm), None);
    }
    let lead_in_seconds = if offset >= bar_seconds / 2.0 {
        offset
    } else {
        offset + bar_seconds
    };
    let lead_in_bpm = bar_beats * 60.0 / lead_in_seconds;
    let map = TimeMap::from_changes(
        &[
            TempoChange {
                position_beats: 0.0,
                tempo_bpm: lead_in_bpm,
            },
            TempoChange {
                position_beats: bar_beats,
                tempo_bpm,
            },
        ],
        &[MetreChange {
            position_beats: 0.0,
            time_signature: metre,
        }],
    );
    (map, Some(lead_in_bpm))
}
