//! `reprise spot`: Find Tempo — the tempo and the place of bar 1 that put a spotting list's
//! `must` hits on bar lines (and `should` hits on beats), written as a tempo-map .mid to drag
//! into the DAW (a plugin cannot set the host's tempo).

use std::io::Write;
use std::path::Path;

use reprise::engine::hit_sources::hits_from_file;
use reprise::engine::hits::{HitList, Importance};
use reprise::engine::midi_file::write_tracks_in_map;
use reprise::engine::motif::TimeSignature;
use reprise::engine::notation::BarBeat;
use reprise::engine::spot::{find_tempo, stepped_map, SpotRequest, MAX_TEMPO_STEP_RATIO};
use reprise::engine::time_map::{MetreChange, TempoChange, TimeMap};
use reprise::engine::timecode::{frames_to_seconds, parse_timecode, FrameRate, Timecode};

use crate::args::{same_file, write_output, TEMPO_RANGE_BPM};
use crate::error::{CliError, CliResult};
use crate::wording::{count, metre_text};

/// A bar-1 offset closer than this to a bar line needs no lead-in bar, seconds (well under a
/// frame at any rate).
const NO_LEAD_IN_SECONDS: f64 = 0.001;
/// A must hit farther than this from its bar line (frames) is reported: delivery QC flags
/// music a frame off a picture event, and rounding to frames costs half of one.
const HALF_FRAME: f64 = 0.5;

/// What `reprise spot` was asked.
pub struct SpotArgs<'a> {
    pub hits: &'a Path,
    pub rate: FrameRate,
    pub start_tc: Option<&'a str>,
    pub metre: TimeSignature,
    pub tempo_range_bpm: (f64, f64),
    pub preferred_tempo_bpm: f64,
    pub output: Option<&'a Path>,
    /// Write a map with tempo steps at bar lines that lands every `must` hit.
    pub stepped: bool,
}

/// Reads a tempo range `60-140`.
pub fn parse_tempo_range(text: &str) -> Result<(f64, f64), String> {
    let bad = || format!("{text:?} is not a tempo range such as 60-140 (BPM)");
    let (low, high) = text.split_once('-').ok_or_else(bad)?;
    let low: f64 = low.trim().parse().map_err(|_| bad())?;
    let high: f64 = high.trim().parse().map_err(|_| bad())?;
    if !(TEMPO_RANGE_BPM.contains(&low) && TEMPO_RANGE_BPM.contains(&high) && low <= high) {
        return Err(format!(
            "the tempo range {text} must lie within {}-{} BPM, slowest first",
            TEMPO_RANGE_BPM.start(),
            TEMPO_RANGE_BPM.end()
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
    if !(args.preferred_tempo_bpm.is_finite()
        && TEMPO_RANGE_BPM.contains(&args.preferred_tempo_bpm))
    {
        return Err(CliError::usage(format!(
            "--tempo must be between {} and {} BPM, not {}",
            TEMPO_RANGE_BPM.start(),
            TEMPO_RANGE_BPM.end(),
            args.preferred_tempo_bpm
        )));
    }
    if let Some(output) = args.output.filter(|output| same_file(args.hits, output)) {
        return Err(CliError::failed(format!(
            "-o {} is the input file; refusing to overwrite the hits with a tempo map",
            output.display()
        )));
    }
    let start_frame = match args.start_tc {
        Some(text) => parse_timecode(text, args.rate)
            .map_err(|e| CliError::usage(format!("--start-tc: {e}")))?,
        None => 0,
    };
    let hits = read_hits(args.hits, args.rate, start_frame)?;
    let request = SpotRequest {
        hits: &hits,
        rate: args.rate,
        metre: args.metre,
        tempo_range_bpm: args.tempo_range_bpm,
        preferred_tempo_bpm: args.preferred_tempo_bpm,
    };
    let answer =
        find_tempo(&request).ok_or_else(|| CliError::failed("no tempo to try in that range"))?;
    let tc = |frame: i64| {
        Timecode::from_frames(frame.saturating_add(start_frame), args.rate).display(args.rate)
    };
    let fps = args.rate.fps();
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
        .filter(|(hit, off)| hit.importance == Importance::Must && off.abs() > HALF_FRAME)
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
    let stepped = if args.stepped {
        let stepped = stepped_map(&request, &answer)
            .ok_or_else(|| CliError::failed("--stepped needs a must hit after bar 1"))?;
        writeln!(
            out,
            "stepped map: every must hit on a bar line; {} (largest step {:.1} %{})",
            stepped
                .steps()
                .iter()
                .map(|s| format!("bar {}: {:.3} BPM", s.bar + 1, s.tempo_bpm))
                .collect::<Vec<_>>()
                .join(", "),
            stepped.largest_step * 100.0,
            if stepped.largest_step > MAX_TEMPO_STEP_RATIO + 1e-9 {
                ": more than 10 %, the hits are too irregular for small steps"
            } else {
                ""
            }
        )?;
        Some(stepped)
    } else {
        None
    };
    if let Some(path) = args.output {
        let mut map = tempo_map(args.metre, answer.tempo_bpm, answer.bar_one_seconds);
        if let Some(stepped) = &stepped {
            // The steps at their bar lines, after the lead-in bar if there is one (which keeps
            // bar 1 where Find Tempo put it); the first replaces the steady tempo at bar 1.
            let lead_in_beats = map.1.map_or(0.0, |(metre, _)| metre.bar_length_beats());
            let mut tempos: Vec<TempoChange> = map
                .0
                .tempo_changes()
                .iter()
                .filter(|c| c.position_beats < lead_in_beats - 1e-9)
                .copied()
                .collect();
            for step in stepped.steps() {
                tempos.push(TempoChange {
                    position_beats: lead_in_beats
                        + f64::from(step.bar) * args.metre.bar_length_beats(),
                    tempo_bpm: step.tempo_bpm,
                });
            }
            map.0 = TimeMap::from_changes(&tempos, map.0.metre_changes());
        }
        write_output(path, &write_tracks_in_map(&[], &map.0, None))?;
        match map.1 {
            Some((lead_in_metre, lead_in_bpm)) => writeln!(
                out,
                "-> {} (its first bar is a lead-in of {} at {lead_in_bpm:.3} BPM, as long as bar \
                 1's offset; the music's bar 1 is the map's bar 2)",
                path.display(),
                metre_text(lead_in_metre)
            )?,
            None => writeln!(out, "-> {} (bar 1 at the song's zero)", path.display())?,
        }
    }
    Ok(())
}

/// The hits of a spotting list (`.csv`), an edit decision list (`.edl`: its cuts) or a .mid
/// file (`.mid`, `.midi`: its markers, whose zero is the song's zero).
pub fn read_hits(path: &Path, rate: FrameRate, start_frame: i64) -> Result<HitList, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::failed(format!("cannot read {}: {e}", path.display())))?;
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    hits_from_file(&extension, &bytes, rate, start_frame)
        .map_err(|e| CliError::failed(format!("{}: {e}", path.display())))
}

/// The tempo map that puts bar 1 of the music at `bar_one_seconds` (within one bar from the
/// song's zero): a lead-in bar exactly that long — as many of the metre's written beats as fit
/// at about `tempo_bpm` (at least one), at the tempo that makes it last the offset — then
/// `tempo_bpm` in the music's metre. Returns the map and the lead-in's (metre, tempo), if any.
fn tempo_map(
    metre: TimeSignature,
    tempo_bpm: f64,
    bar_one_seconds: f64,
) -> (TimeMap, Option<(TimeSignature, f64)>) {
    let bar_seconds = metre.bar_length_beats() * 60.0 / tempo_bpm;
    let offset = bar_one_seconds.rem_euclid(bar_seconds);
    if offset < NO_LEAD_IN_SECONDS || bar_seconds - offset < NO_LEAD_IN_SECONDS {
        return (TimeMap::constant(metre, tempo_bpm), None);
    }
    let unit_beats = 4.0 / f64::from(metre.denominator);
    let units = (offset * tempo_bpm / 60.0 / unit_beats).round().max(1.0);
    let lead_in_metre = TimeSignature::new(units as u8, metre.denominator);
    let lead_in_beats = units * unit_beats;
    let lead_in_bpm = lead_in_beats * 60.0 / offset;
    let map = TimeMap::from_changes(
        &[
            TempoChange {
                position_beats: 0.0,
                tempo_bpm: lead_in_bpm,
            },
            TempoChange {
                position_beats: lead_in_beats,
                tempo_bpm,
            },
        ],
        &[
            MetreChange {
                position_beats: 0.0,
                time_signature: lead_in_metre,
            },
            MetreChange {
                position_beats: lead_in_beats,
                time_signature: metre,
            },
        ],
    );
    (map, Some((lead_in_metre, lead_in_bpm)))
}
