//! `reprise fit --length` and `--cutdowns`: the variation filled to a scene's length, or a set
//! of cutdowns and a sting, each written with the tempo map it plays at and described in one
//! line (statements, bars, where the button falls, any tempo change).

use std::io::Write;
use std::path::{Path, PathBuf};

use reprise::engine::character::{Character, CharacterSettings};
use reprise::engine::fill::{
    add_pickup, fill, Fill, FillLength, FillRequest, PieceKind, MAX_RING_BARS, MIN_BUTTON_BARS,
};
use reprise::engine::midi_file::{write_tracks_in_map, ExportTrack};
use reprise::engine::motif::{Motif, Note};
use reprise::engine::spelling::NoteName;
use reprise::engine::time_map::TempoChange;

use crate::args::{same_file, track_name, write_output, TEMPO_RANGE_BPM};
use crate::error::{CliError, CliResult};

/// The largest tempo change `--allow-tempo` may grant (hit lock's push is bounded the same:
/// more is no longer the song's tempo).
pub const MAX_ALLOW_TEMPO_PERCENT: f64 = 10.0;

/// A length as typed: `23.4s`, `23.4` (seconds) or `12bars`.
pub fn parse_length(text: &str) -> Result<FillLength, String> {
    let trimmed = text.trim().to_ascii_lowercase();
    let (number, bars) = if let Some(n) = trimmed.strip_suffix("bars") {
        (n, true)
    } else if let Some(n) = trimmed.strip_suffix("bar") {
        (n, true)
    } else if let Some(n) = trimmed.strip_suffix('s') {
        (n, false)
    } else {
        (trimmed.as_str(), false)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{text:?}: give seconds (23.4s) or bars (12bars)"))?;
    if bars {
        if value.fract() != 0.0 || !(1.0..=4096.0).contains(&value) {
            return Err(format!("{text:?}: give a whole number of bars, 1 to 4096"));
        }
        Ok(FillLength::Bars(value as u32))
    } else if value.is_finite() && value > 0.0 {
        Ok(FillLength::Seconds(value))
    } else {
        Err(format!("{text:?}: give a length above 0 s"))
    }
}

/// `--cutdowns 60,30,15,10`: lengths in seconds (each as [`parse_length`] reads it).
pub fn parse_cutdowns(text: &str) -> Result<Vec<FillLength>, String> {
    let lengths: Vec<FillLength> = text
        .split(',')
        .map(parse_length)
        .collect::<Result<_, _>>()?;
    if lengths.is_empty() {
        return Err("give at least one length".into());
    }
    Ok(lengths)
}

/// `--allow-tempo 3%` (or `3`): the allowed change as a fraction.
pub fn parse_allow_tempo(text: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches('%').trim();
    let percent: f64 = number
        .parse()
        .map_err(|_| format!("{text:?}: give a percentage, e.g. 3%"))?;
    if !(0.0..=MAX_ALLOW_TEMPO_PERCENT).contains(&percent) {
        return Err(format!(
            "{text:?}: give 0 to {MAX_ALLOW_TEMPO_PERCENT} % (more is no longer the song's tempo)"
        ));
    }
    Ok(percent / 100.0)
}

/// `--ring 1`: bars the button rings after a cut, 0.5 to 1.
pub fn parse_ring(text: &str) -> Result<f64, String> {
    let bars: f64 = text
        .trim()
        .trim_end_matches("bars")
        .trim_end_matches("bar")
        .trim()
        .parse()
        .map_err(|_| format!("{text:?}: give bars, e.g. 1"))?;
    if !(MIN_BUTTON_BARS..=MAX_RING_BARS).contains(&bars) {
        return Err(format!(
            "{text:?}: give {MIN_BUTTON_BARS} to {MAX_RING_BARS} bar (the ring after the cut)"
        ));
    }
    Ok(bars)
}

/// What to fill.
pub enum FillWhat {
    /// One length, written to a file.
    One(FillLength),
    /// Cutdowns (and a sting when asked), written into a folder.
    Cutdowns {
        /// The lengths.
        lengths: Vec<FillLength>,
        /// Add `sting.mid`.
        sting: bool,
    },
}

/// Everything the fill mode needs.
pub struct FillArgs<'a> {
    pub motif: &'a Motif,
    pub character: Character,
    pub intensity: f64,
    /// The song's tempo map (one change for a steady tempo).
    pub tempo_map: Vec<TempoChange>,
    pub allow_tempo_ratio: f64,
    pub what: FillWhat,
    pub output: &'a Path,
    /// The files read (never written over, also not as a cutdown in the output folder).
    pub inputs: &'a [&'a Path],
    /// Open each fill with a pickup ([`with_pickup`]).
    pub pickup: bool,
}

/// Makes the fill(s), writes them and prints a line for each.
pub fn fill_to_length(out: &mut dyn Write, args: &FillArgs) -> CliResult {
    if let Some(bad) = args
        .tempo_map
        .iter()
        .find(|c| !TEMPO_RANGE_BPM.contains(&c.tempo_bpm))
    {
        return Err(CliError::usage(format!(
            "a tempo of {} BPM: give {}-{} BPM",
            bad.tempo_bpm,
            TEMPO_RANGE_BPM.start(),
            TEMPO_RANGE_BPM.end()
        )));
    }
    // On the grid: a fill is placed against picture, so no humanize drift.
    let settings = CharacterSettings {
        character: args.character,
        intensity: args.intensity,
        humanize: 0.0,
        ..CharacterSettings::default()
    };
    let request = |length: FillLength, sting: bool| FillRequest {
        length,
        tempo_map: args.tempo_map.clone(),
        allow_tempo_ratio: args.allow_tempo_ratio,
        sting,
    };
    let jobs: Vec<(PathBuf, FillRequest, String)> = match &args.what {
        FillWhat::One(length) => vec![(
            args.output.to_path_buf(),
            request(*length, false),
            length_name(*length),
        )],
        FillWhat::Cutdowns { lengths, sting } => {
            if args.output.extension().is_some_and(|e| e == "mid") {
                return Err(CliError::usage(format!(
                    "--cutdowns writes one file per length into a folder; {} is a .mid",
                    args.output.display()
                )));
            }
            let mut jobs: Vec<_> = lengths
                .iter()
                .map(|&length| {
                    let name = length_name(length);
                    (
                        args.output.join(format!("{name}.mid")),
                        request(length, false),
                        name,
                    )
                })
                .collect();
            if *sting {
                jobs.push((
                    args.output.join("sting.mid"),
                    request(FillLength::Bars(STING_BARS), true),
                    "sting".into(),
                ));
            }
            jobs
        }
    };
    // A cutdown's file may not be an input (the motif called 30s.mid in the output folder).
    if let Some((path, ..)) = jobs
        .iter()
        .find(|(path, ..)| args.inputs.iter().any(|input| same_file(input, path)))
    {
        return Err(CliError::usage(format!(
            "{} is an input and would be written over; choose another folder",
            path.display()
        )));
    }
    // Every fill first: nothing is written when one of them cannot be made.
    let mut fills = Vec::with_capacity(jobs.len());
    for (path, request, name) in jobs {
        let fill = fill(args.motif, &settings, &request)
            .map_err(|e| CliError::failed(format!("{name}: {e}")))?;
        if fill.notes.is_empty() {
            return Err(CliError::failed(format!(
                "{name}: the fill has no notes; nothing written"
            )));
        }
        fills.push((path, fill, name));
    }
    let track_name = track_name(args.character);
    // The summaries count from the downbeat, as the lengths do; then the pickups (which may
    // fail: still nothing written).
    let mut lines = Vec::with_capacity(fills.len());
    for (path, fill, name) in &mut fills {
        let mut line = summary(name, fill, args.motif, path);
        if args.pickup {
            let key = add_pickup(fill, args.motif).ok_or_else(|| {
                CliError::failed(format!(
                    "{name}: no melody note or key for a pickup; nothing written"
                ))
            })?;
            line.push_str(&format!(
                "; pickup {} a beat before the first downbeat (the file starts a bar early)",
                NoteName::in_optional_key(key, args.motif.key())
            ));
        }
        lines.push(line);
    }
    for ((path, fill, _), line) in fills.iter().zip(&lines) {
        let notes: Vec<Note> = fill.notes.iter().map(|n| n.as_note()).collect();
        let bytes = write_tracks_in_map(
            &[ExportTrack {
                name: &track_name,
                notes: &notes,
                ccs: &fill.ccs,
                programs: &[],
            }],
            &fill.tempo_map,
            args.motif.key(),
        );
        write_output(path, &bytes)?;
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// A sting's length: the head and the button.
pub const STING_BARS: u32 = 2;

fn length_name(length: FillLength) -> String {
    match length {
        FillLength::Seconds(seconds) => format!("{}s", crate::args::tidy(seconds, 3)),
        FillLength::Bars(bars) => format!("{bars}bars"),
        FillLength::ButtonAt { seconds, .. } => {
            format!("to the cut at {}s", crate::args::tidy(seconds, 3))
        }
    }
}

/// One line: the pieces, bars, where the button falls and ends, and the tempo change or the
/// button's remainder.
fn summary(name: &str, fill: &Fill, motif: &Motif, path: &Path) -> String {
    let bar = motif.time_signature.bar_length_beats();
    let count = |f: &dyn Fn(&PieceKind) -> bool| fill.pieces.iter().filter(|p| f(&p.kind)).count();
    let statements = count(&|k| matches!(k, PieceKind::Statement { .. }));
    let heads = count(&|k| matches!(k, PieceKind::Fragment { .. }));
    let liquidations = count(&|k| matches!(k, PieceKind::Liquidation { .. }));
    let button = fill.button();
    let button_bar = (button.start_beats / bar).round() as i64 + 1;
    let button_seconds = fill.tempo_map.seconds_at(button.start_beats);
    let mut line = format!(
        "{name}: {} statement{}, {} head{} in sequence{}, {} bars; button on bar {button_bar} \
         ({button_seconds:.3} s), ends at {:.3} s",
        statements,
        plural(statements),
        heads,
        plural(heads),
        if liquidations > 0 {
            format!(", {liquidations} cut short")
        } else {
            String::new()
        },
        crate::args::tidy(fill.end_beats / bar, 2),
        fill.end_seconds,
    );
    if fill.tempo_ratio != 1.0 {
        let first = fill.tempo_map.tempo_at(0.0);
        line += &format!(
            "; tempo {:.2} -> {:.2} BPM ({:+.2} %) for whole bars",
            first / fill.tempo_ratio,
            first,
            100.0 * (fill.tempo_ratio - 1.0)
        );
    }
    if let Some(push) = fill.push {
        line += &format!(
            "; the {} bar{} before the cut pushed {:.2} % {}",
            crate::args::tidy((push.to_beats - push.from_beats) / bar, 2),
            plural(((push.to_beats - push.from_beats) / bar).round() as usize),
            100.0 * (push.ratio - 1.0).abs(),
            if push.ratio > 1.0 { "faster" } else { "slower" }
        );
    }
    if fill.cut_miss_seconds.abs() > 5e-4 {
        line += &format!(
            "; the button lands {:.3} s {} the cut (it needs more than a 10 % push)",
            fill.cut_miss_seconds.abs(),
            if fill.cut_miss_seconds < 0.0 {
                "before"
            } else {
                "after"
            }
        );
    }
    if fill.button_remainder_bars != 0.0 {
        line += &format!(
            "; no whole bars within the allowed tempo change: the button is held {:.2} bar {}",
            fill.button_remainder_bars.abs(),
            if fill.button_remainder_bars > 0.0 {
                "beyond one bar"
            } else {
                "short of one bar"
            }
        );
    }
    line + &format!(" -> {}", path.display())
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_allowances_read_as_typed() {
        assert_eq!(parse_length("23.4s"), Ok(FillLength::Seconds(23.4)));
        assert_eq!(parse_length("30"), Ok(FillLength::Seconds(30.0)));
        assert_eq!(parse_length("12bars"), Ok(FillLength::Bars(12)));
        assert_eq!(parse_length("1 bar"), Ok(FillLength::Bars(1)));
        assert!(parse_length("12.5bars").is_err());
        assert!(parse_length("-3s").is_err());
        assert!(parse_length("soon").is_err());
        assert_eq!(
            parse_cutdowns("60,30,15,10").unwrap(),
            [60.0, 30.0, 15.0, 10.0].map(FillLength::Seconds)
        );
        assert_eq!(parse_allow_tempo("3%"), Ok(0.03));
        assert_eq!(parse_allow_tempo("2.5"), Ok(0.025));
        assert!(parse_allow_tempo("25%").is_err());
    }
}
