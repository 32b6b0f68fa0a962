//! `reprise`: the Reprise engine on the command line — analyze a .mid, capture phrases from a
//! performance exactly as the plugin would.
//!
//! Errors print one line on stderr and exit with a non-zero code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::json;

use reprise::engine::capture::{segment_performance, CaptureSettings, DEFAULT_GAP_BEATS};
use reprise::engine::character::{render, ChannelLayout, Character, CharacterSettings, Retrograde};
use reprise::engine::key::{Key, KeyEstimate};
use reprise::engine::midi_file::{
    motif_from_performance, read_performance_with_drums, write_motif, Performance,
};
use reprise::engine::midi_file::{write_tracks, ExportTrack};
use reprise::engine::motif::Motif;
use reprise::engine::ops::dynamics::DynamicsCc;
use reprise::engine::quantize::{Grid, Quantize};
use reprise::engine::rendering::{Rendering, Voice};
use reprise::engine::scale::ScaleMode;

#[derive(Parser)]
#[command(
    name = "reprise",
    version,
    about = "Capture a motif and hear it again: the Reprise engine offline"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Keep notes on MIDI channel 10 (General MIDI drums); they are ignored by default.
    #[arg(long, global = true)]
    include_drums: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Show a .mid file's notes, length, time signature and detected key.
    Analyze {
        /// The MIDI file to read.
        file: PathBuf,
        /// Track to read (0-based); default: the first track with notes.
        #[arg(long)]
        track: Option<usize>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// Lock the key instead of detecting it, e.g. `C#:minor`, `Bb major`.
        #[arg(long, value_parser = parse_key)]
        key: Option<Key>,
    },
    /// Play a performance .mid into the capture as if live; write each phrase as a motif .mid.
    Capture {
        /// The performance to segment.
        file: PathBuf,
        /// Directory for the phrase files (created if missing).
        #[arg(short = 'o', long = "output")]
        output_dir: PathBuf,
        /// Silence that ends a phrase, in beats.
        #[arg(long, default_value_t = DEFAULT_GAP_BEATS, allow_negative_numbers = true)]
        gap_beats: f64,
        /// Quantize grid: 1/4, 1/8, 1/16, 1/32, or a triplet grid such as 1/8t.
        #[arg(long, value_parser = parse_grid)]
        quantize: Option<Grid>,
        /// Quantize strength in percent (0–100), with --quantize.
        #[arg(
            long,
            default_value_t = 100.0,
            requires = "quantize",
            allow_negative_numbers = true
        )]
        strength: f64,
        /// Track to read (0-based); default: the first track with notes.
        #[arg(long)]
        track: Option<usize>,
    },
    /// Render a motif .mid in a character (or all three) to a new .mid.
    Render(RenderArgs),
    /// Render the built-in demo motif (Scarborough Fair) in all three characters.
    Demo {
        /// Directory for motif.mid, piano.mid, swell.mid, distant.mid and all.mid.
        #[arg(short = 'o', long = "output")]
        output_dir: PathBuf,
        /// Intensity 0–1.
        #[arg(long, default_value_t = 0.7)]
        intensity: f64,
        /// Seed for humanize and drift.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(clap::Args)]
struct RenderArgs {
    /// The motif to render (the whole chosen track is the motif).
    file: PathBuf,
    /// Output .mid file.
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// piano, swell, distant, or none (only the operators given).
    #[arg(long, value_parser = parse_character, required_unless_present = "all")]
    character: Option<Character>,
    /// Render Piano, Swell and Distant on three tracks.
    #[arg(long, conflicts_with = "character")]
    all: bool,
    /// Intensity 0–1.
    #[arg(long, default_value_t = 0.5)]
    intensity: f64,
    /// Key to use instead of the detected one, e.g. C#:minor.
    #[arg(long, value_parser = parse_key)]
    key: Option<Key>,
    /// Chromatic transposition in semitones.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    transpose_semitones: i32,
    /// Diatonic transposition in scale steps.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    transpose_steps: i32,
    /// Diatonic inversion around the first note.
    #[arg(long)]
    invert: bool,
    /// Pitches backwards, rhythm kept.
    #[arg(long, conflicts_with = "retrograde_full")]
    retrograde: bool,
    /// Pitches and rhythm backwards.
    #[arg(long)]
    retrograde_full: bool,
    /// Augmentation factor (0.25–4; 2 = twice as slow, 0.5 = diminution).
    #[arg(long, default_value_t = 1.0)]
    augment: f64,
    /// Change mode: major, minor, harmonic-minor, dorian, phrygian, lydian, mixolydian, locrian.
    #[arg(long, value_parser = parse_mode)]
    mode: Option<ScaleMode>,
    /// Dynamics controller: 1, 11, both or none.
    #[arg(long, value_parser = parse_dynamics_cc, default_value = "1")]
    dynamics_cc: DynamicsCc,
    /// single: all voices on one channel; split: voices on consecutive channels.
    #[arg(long, value_parser = parse_channels, default_value = "split")]
    channels: ChannelLayout,
    /// First output channel, 1–16.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=16))]
    base_channel: u8,
    /// Humanize amount 0–1.
    #[arg(long, default_value_t = 0.3)]
    humanize: f64,
    /// Seed for humanize and drift.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Track to read (0-based); default: the first track with notes.
    #[arg(long)]
    track: Option<usize>,
}

fn parse_character(text: &str) -> Result<Character, String> {
    Character::parse(text)
        .ok_or_else(|| format!("`{text}` is not a character (piano, swell, distant, none)"))
}

fn parse_mode(text: &str) -> Result<ScaleMode, String> {
    ScaleMode::parse(text)
        .ok_or_else(|| format!("`{text}` is not a mode (major, minor, dorian, …)"))
}

fn parse_dynamics_cc(text: &str) -> Result<DynamicsCc, String> {
    DynamicsCc::parse(text)
        .ok_or_else(|| format!("`{text}` is not a dynamics controller (1, 11, both, none)"))
}

fn parse_channels(text: &str) -> Result<ChannelLayout, String> {
    match text {
        "single" => Ok(ChannelLayout::Single),
        "split" => Ok(ChannelLayout::Split),
        _ => Err(format!("`{text}` is not a channel layout (single, split)")),
    }
}

fn parse_key(text: &str) -> Result<Key, String> {
    Key::parse(text).ok_or_else(|| format!("`{text}` is not a key (try C#:minor or Bb major)"))
}

fn parse_grid(text: &str) -> Result<Grid, String> {
    Grid::parse(text).ok_or_else(|| {
        format!("`{text}` is not a grid (1/4, 1/8, 1/16, 1/32, or with t for triplets)")
    })
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            use clap::error::ErrorKind;
            if matches!(
                error.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = error.print();
                return if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            // clap's message is several lines (details, then usage); keep the details on one line.
            let rendered = error.to_string();
            let details: Vec<&str> = rendered
                .lines()
                .take_while(|line| !line.trim().is_empty())
                .map(str::trim)
                .collect();
            let message = details.join(" ");
            eprintln!(
                "reprise: {} (see reprise --help)",
                message.trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    let drums = cli.include_drums;
    let result = match cli.command {
        Command::Analyze {
            file,
            track,
            json,
            key,
        } => analyze(&file, (track, drums), json, key),
        Command::Capture {
            file,
            output_dir,
            gap_beats,
            quantize,
            strength,
            track,
        } => capture(
            &file,
            &output_dir,
            gap_beats,
            quantize,
            strength,
            (track, drums),
        ),
        Command::Render(args) => render_command(&args, drums),
        Command::Demo {
            output_dir,
            intensity,
            seed,
        } => demo(&output_dir, intensity, seed),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("reprise: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Which notes of a file to read: the track (`None` = the first with notes) and whether to keep
/// channel 10 (drums).
type Source = (Option<usize>, bool);

/// Reads a performance; says on stderr how many drum notes (channel 10) were left out.
fn load(file: &Path, (track, include_drums): Source) -> Result<Performance, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let performance = read_performance_with_drums(&bytes, track, include_drums)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    if performance.num_drum_notes_ignored > 0 {
        eprintln!(
            "note: {} note(s) on channel 10 (General MIDI drums) ignored; --include-drums keeps them",
            performance.num_drum_notes_ignored
        );
    }
    Ok(performance)
}

fn analyze(
    file: &Path,
    source: Source,
    as_json: bool,
    locked_key: Option<Key>,
) -> Result<(), String> {
    let performance = load(file, source)?;
    let mut motif = motif_from_performance(&performance);
    motif.detected_key =
        reprise::engine::key::estimate_key(motif.notes(), reprise::engine::key::DEFAULT_PROFILES);
    motif.locked_key = locked_key;
    if as_json {
        println!("{}", analysis_json(&motif, &performance));
    } else {
        print_analysis(file, &motif, &performance);
    }
    Ok(())
}

/// Rounds away float noise for display (1e-6 beats is far below any musical resolution).
fn tidy(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

fn analysis_json(motif: &Motif, performance: &Performance) -> serde_json::Value {
    let notes: Vec<_> = motif
        .notes()
        .iter()
        .map(|n| {
            json!({
                "start_beats": tidy(n.start_beats, 6),
                "length_beats": tidy(n.length_beats, 6),
                "key": n.key,
                "velocity": tidy(n.velocity as f64, 4),
                "channel": n.channel,
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
        "time_signature": [motif.time_signature.numerator, motif.time_signature.denominator],
        "tempo_bpm": tidy(motif.tempo_bpm, 3),
        "key": key,
        "truncated": motif.truncated,
        "track": performance.track_idx,
        "num_tracks": performance.num_tracks,
    })
}

/// The tied candidates, and at least the three best keys so alternatives are visible.
fn shown_candidates(estimate: &KeyEstimate) -> &[reprise::engine::key::KeyCandidate] {
    &estimate.ranked[..estimate.num_tied.max(3)]
}

fn candidates_json(estimate: &KeyEstimate) -> Vec<serde_json::Value> {
    shown_candidates(estimate)
        .iter()
        .map(|c| json!({ "tonic": c.key.tonic_name(), "mode": c.key.mode.name(), "score": tidy(c.score, 4) }))
        .collect()
}

fn print_analysis(file: &Path, motif: &Motif, performance: &Performance) {
    let ts = motif.time_signature;
    println!(
        "{}: track {} of {}",
        file.display(),
        performance.track_idx,
        performance.num_tracks
    );
    println!(
        "{} notes{}, {} beats ({} bars of {}/{}) at {} BPM",
        motif.len(),
        if motif.truncated {
            " (truncated: the motif holds at most 256)"
        } else {
            ""
        },
        tidy(motif.length_beats, 3),
        tidy(motif.length_beats / ts.bar_length_beats(), 3),
        ts.numerator,
        ts.denominator,
        tidy(motif.tempo_bpm, 2),
    );
    if let Some(locked) = motif.locked_key {
        println!("key: {locked} (locked)");
    } else if let Some(estimate) = motif.detected_key {
        let others: Vec<String> = shown_candidates(&estimate)
            .iter()
            .map(|c| format!("{} {:.3}", c.key, c.score))
            .collect();
        println!(
            "key: {}; candidates: {}",
            estimate.describe(|k| k.to_string()),
            others.join(", ")
        );
    }
    println!(
        "{:>10} {:>10} {:>4} {:>5} {:>3}",
        "start", "length", "key", "vel", "ch"
    );
    for note in motif.notes() {
        println!(
            "{:>10.4} {:>10.4} {:>4} {:>5} {:>3}",
            note.start_beats,
            note.length_beats,
            note.key,
            reprise::engine::event::fraction_to_midi_7bit(note.velocity),
            note.channel + 1
        );
    }
}

fn capture(
    file: &Path,
    output_dir: &Path,
    gap_beats: f64,
    grid: Option<Grid>,
    strength_percent: f64,
    source: Source,
) -> Result<(), String> {
    if !(gap_beats.is_finite() && gap_beats > 0.0) {
        return Err(format!(
            "--gap-beats must be a positive number of beats, not {gap_beats}"
        ));
    }
    if !(0.0..=100.0).contains(&strength_percent) {
        return Err(format!(
            "--strength must be between 0 and 100, not {strength_percent}"
        ));
    }
    let performance = load(file, source)?;
    let settings = CaptureSettings {
        gap_beats,
        quantize: grid.map(|grid| Quantize {
            grid,
            strength: strength_percent / 100.0,
        }),
        include_drums: source.1,
        ..CaptureSettings::default()
    };
    let phrases = segment_performance(&performance, settings);
    std::fs::create_dir_all(output_dir)
        .map_err(|e| format!("cannot create {}: {e}", output_dir.display()))?;
    let bar = performance.time_signature.bar_length_beats();
    println!(
        "{} phrase(s) in {} (gap {} beats)",
        phrases.len(),
        file.display(),
        gap_beats
    );
    for (phrase_idx, phrase) in phrases.iter().enumerate() {
        let path = output_dir.join(format!("phrase_{:02}.mid", phrase_idx + 1));
        std::fs::write(&path, write_motif(&phrase.motif))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let key = phrase
            .motif
            .key()
            .map_or_else(|| "no key".to_owned(), |k| k.to_string());
        println!(
            "phrase {}: bar {} (beat {}), {} notes{}, {} bars, {} -> {}",
            phrase_idx + 1,
            (phrase.origin_beats / bar).floor() as i64 + 1,
            tidy(phrase.origin_beats, 3),
            phrase.motif.len(),
            if phrase.motif.truncated {
                " (truncated)"
            } else {
                ""
            },
            tidy(phrase.motif.length_beats / bar, 3),
            key,
            path.display()
        );
    }
    Ok(())
}

fn check_unit(name: &str, value: f64) -> Result<(), String> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(format!("--{name} must be between 0 and 1, not {value}"))
    }
}

fn render_command(args: &RenderArgs, include_drums: bool) -> Result<(), String> {
    check_unit("intensity", args.intensity)?;
    check_unit("humanize", args.humanize)?;
    if args.transpose_semitones.abs() > 127 {
        return Err(format!(
            "--transpose-semitones must be between -127 and 127, not {}",
            args.transpose_semitones
        ));
    }
    if args.transpose_steps.abs() > 75 {
        return Err(format!(
            "--transpose-steps must be between -75 and 75, not {}",
            args.transpose_steps
        ));
    }
    if !(args.augment.is_finite() && (0.25..=4.0).contains(&args.augment)) {
        return Err(format!(
            "--augment must be between 0.25 and 4, not {}",
            args.augment
        ));
    }
    let performance = load(&args.file, (args.track, include_drums))?;
    let mut motif = motif_from_performance(&performance);
    motif.detected_key =
        reprise::engine::key::estimate_key(motif.notes(), reprise::engine::key::DEFAULT_PROFILES);
    let base = CharacterSettings {
        character: args.character.unwrap_or(Character::Piano),
        intensity: args.intensity,
        transpose_semitones: args.transpose_semitones,
        transpose_steps: args.transpose_steps,
        invert: args.invert,
        retrograde: if args.retrograde_full {
            Retrograde::Full
        } else if args.retrograde {
            Retrograde::Pitches
        } else {
            Retrograde::Off
        },
        augmentation: args.augment,
        mode: args.mode,
        key: args.key,
        dynamics_cc: args.dynamics_cc,
        channel_layout: args.channels,
        base_channel: args.base_channel - 1,
        humanize: args.humanize,
        seed: args.seed,
        ..CharacterSettings::default()
    };
    if base.split_wraps() {
        let channel = |voice| base.channel_for(voice) + 1;
        eprintln!(
            "note: from base channel {} the split voices wrap past 16: melody {}, doubling {}, \
             harmony {}, bass {} (use --base-channel 13 or lower, or --channels single)",
            args.base_channel,
            channel(Voice::Melody),
            channel(Voice::Doubling),
            channel(Voice::Harmony),
            channel(Voice::Bass)
        );
    }
    let characters: Vec<Character> = if args.all {
        Character::ALL.to_vec()
    } else {
        vec![base.character]
    };
    let renderings: Vec<(Character, Rendering)> = characters
        .into_iter()
        .map(|character| {
            let mut out = Rendering::new();
            render(&motif, &CharacterSettings { character, ..base }, &mut out);
            (character, out)
        })
        .collect();
    write_renderings(&args.output, &motif, &renderings)?;
    for (character, rendering) in &renderings {
        println!("{}: {}", character.name(), summary(rendering, &motif));
        let octaves = rendering.octaves_shifted_to_fit;
        if octaves != 0 {
            eprintln!(
                "note: {}: the line left the MIDI key range (0-127); it was moved {} {} octave(s) \
                 as a whole to fit, keeping its contour",
                character.name(),
                if octaves > 0 { "up" } else { "down" },
                octaves.abs()
            );
        }
    }
    println!("-> {}", args.output.display());
    Ok(())
}

fn write_renderings(
    path: &Path,
    motif: &Motif,
    renderings: &[(Character, Rendering)],
) -> Result<(), String> {
    let notes: Vec<Vec<reprise::engine::motif::Note>> = renderings
        .iter()
        .map(|(_, r)| r.notes.iter().map(|n| n.as_note()).collect())
        .collect();
    let names: Vec<String> = renderings
        .iter()
        .map(|(c, _)| title_case(c.name()))
        .collect();
    let tracks: Vec<ExportTrack> = renderings
        .iter()
        .zip(&notes)
        .zip(&names)
        .map(|(((_, rendering), notes), name)| ExportTrack {
            name,
            notes,
            ccs: &rendering.ccs,
        })
        .collect();
    let bytes = write_tracks(&tracks, motif.time_signature, motif.tempo_bpm, motif.key());
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn title_case(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// One line: notes, channels, velocity and controller ranges, length.
fn summary(rendering: &Rendering, motif: &Motif) -> String {
    let mut channels: Vec<u8> = rendering.notes.iter().map(|n| n.channel + 1).collect();
    channels.sort_unstable();
    channels.dedup();
    let velocity = |f: fn(f32, f32) -> f32, start: f32| {
        rendering
            .notes
            .iter()
            .map(|n| reprise::engine::event::fraction_to_midi_7bit(n.velocity) as f32)
            .fold(start, f)
    };
    let mut controllers: Vec<u8> = rendering.ccs.iter().map(|p| p.cc).collect();
    controllers.sort_unstable();
    controllers.dedup();
    let cc_ranges: Vec<String> = controllers
        .iter()
        .map(|&cc| {
            let values = rendering
                .ccs
                .iter()
                .filter(|p| p.cc == cc)
                .map(|p| reprise::engine::event::fraction_to_midi_7bit(p.value));
            let (low, high) = values.fold((127u8, 0u8), |(lo, hi), v| (lo.min(v), hi.max(v)));
            format!("CC{cc} {low}–{high}")
        })
        .collect();
    format!(
        "{} notes on channel(s) {}; velocity {}–{}; {}; {} beats ({} bars)",
        rendering.notes.len(),
        channels
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(","),
        velocity(f32::min, 127.0),
        velocity(f32::max, 0.0),
        if cc_ranges.is_empty() {
            "no controllers".to_owned()
        } else {
            cc_ranges.join(", ")
        },
        tidy(rendering.length_beats, 3),
        tidy(
            rendering.length_beats / motif.time_signature.bar_length_beats(),
            2
        ),
    )
}

fn demo(output_dir: &Path, intensity: f64, seed: u64) -> Result<(), String> {
    check_unit("intensity", intensity)?;
    std::fs::create_dir_all(output_dir)
        .map_err(|e| format!("cannot create {}: {e}", output_dir.display()))?;
    let motif = reprise::engine::demo::demo_motif();
    let motif_path = output_dir.join("motif.mid");
    std::fs::write(&motif_path, write_motif(&motif))
        .map_err(|e| format!("cannot write {}: {e}", motif_path.display()))?;
    println!(
        "motif.mid: Scarborough Fair (traditional), {} notes, {} {}/{} bars at {} BPM, {}",
        motif.len(),
        tidy(
            motif.length_beats / motif.time_signature.bar_length_beats(),
            2
        ),
        motif.time_signature.numerator,
        motif.time_signature.denominator,
        motif.tempo_bpm,
        motif
            .key()
            .map_or_else(|| "no key".to_owned(), |k| k.to_string())
    );
    let mut all = Vec::new();
    for character in Character::ALL {
        let settings = CharacterSettings {
            character,
            intensity,
            seed,
            ..CharacterSettings::default()
        };
        let mut out = Rendering::new();
        render(&motif, &settings, &mut out);
        let path = output_dir.join(format!("{}.mid", character.name()));
        write_renderings(&path, &motif, &[(character, out.clone())])?;
        println!("{}.mid: {}", character.name(), summary(&out, &motif));
        all.push((character, out));
    }
    write_renderings(&output_dir.join("all.mid"), &motif, &all)?;
    println!(
        "all.mid: the three characters on three tracks -> {}",
        output_dir.display()
    );
    Ok(())
}
