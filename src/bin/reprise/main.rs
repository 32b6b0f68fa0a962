//! `reprise`: the Reprise engine on the command line — analyze a .mid, capture phrases from a
//! performance exactly as the plugin would, render a motif in a character, render the demo.
//! One file per command; shared argument types in `args.rs`.
//!
//! Errors print one line on stderr and exit with a non-zero code; a closed standard output
//! (`reprise analyze x.mid | head -1`) ends the command quietly.

mod analyze;
mod args;
mod articulations;
mod audio;
mod capture;
mod cut_short;
mod demo;
mod error;
mod fill;
mod fit;
mod listen;
mod render;
mod spot;
mod wording;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use reprise::engine::audio_capture::PitchRange;
use reprise::engine::capture::DEFAULT_GAP_BEATS;
use reprise::engine::character::{distant, ChannelLayout, Character};
use reprise::engine::key::Key;
use reprise::engine::ops::dynamics::DynamicsCc;
use reprise::engine::quantize::Grid;
use reprise::engine::scale::ScaleMode;

use args::{
    parse_channels, parse_character, parse_dynamics_cc, parse_grid, parse_key, parse_mode,
    parse_range, parse_track, Source,
};
use error::CliError;

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
        /// Track to read, counting from 1 as a DAW lists the file's tracks; default: the first
        /// track with notes.
        #[arg(long, value_parser = parse_track, allow_negative_numbers = true)]
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
        /// Track to read, counting from 1 as a DAW lists the file's tracks; default: the first
        /// track with notes.
        #[arg(long, value_parser = parse_track, allow_negative_numbers = true)]
        track: Option<usize>,
        /// Delete the phrase files of an earlier take in the folder first (without it, a
        /// folder holding phrase_NN.mid files is refused).
        #[arg(long)]
        replace: bool,
    },
    /// Render a motif .mid in a character (or all three) to a new .mid.
    Render(RenderArgs),
    /// Hear a sung, hummed, whistled or played line in a WAV file (the plugin's audio capture,
    /// fed block by block) and write its notes.
    Listen {
        /// The WAV file (any common rate and bit depth, mono or stereo).
        file: PathBuf,
        /// Write the notes as a motif .mid (its folder is created if missing; never the WAV).
        #[arg(short = 'o', long = "output")]
        motif: Option<PathBuf>,
        /// Write the notes as CSV: onset_s,offset_s,midi_pitch,velocity,emit_s (its folder is
        /// created if missing; never the WAV).
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Samples per block fed to the tracker, as a host would (1–16384).
        #[arg(long, default_value_t = 256, allow_negative_numbers = true)]
        block: i64,
        /// Pitch range: voice (E2–C6), low (C2–C5) or high (G3–C7).
        #[arg(long, value_parser = parse_range, default_value = "voice")]
        range: PitchRange,
        /// Tempo the motif's beats are counted at, BPM.
        #[arg(long, default_value_t = 120.0, allow_negative_numbers = true)]
        tempo: f64,
    },
    /// Find Tempo: the tempo and bar-1 offset that put a spotting list's must hits on bar
    /// lines (should hits on beats); writes it as a tempo-map .mid for the DAW.
    Spot {
        /// The spotting list: CSV with the header timecode,name,lands[,importance].
        hits: PathBuf,
        /// Picture frame rate: 23.976, 24, 25, 29.97df, 29.97, 30, 48, 50, 59.94df, 59.94, 60.
        #[arg(long, value_parser = spot::parse_fps)]
        fps: reprise::engine::timecode::FrameRate,
        /// Timecode of the song's zero (e.g. 01:00:00:00; `;` before the frames for drop-frame).
        #[arg(long)]
        start_tc: Option<String>,
        /// The music's metre: must hits go on its bar lines.
        #[arg(long, value_parser = spot::parse_metre, default_value = "4/4")]
        metre: reprise::engine::motif::TimeSignature,
        /// Slowest and fastest tempo to try, BPM.
        #[arg(long, value_parser = spot::parse_tempo_range, default_value = "40-200")]
        tempo_range: (f64, f64),
        /// The motif's own tempo: among equally good answers, the nearest wins.
        #[arg(long, default_value_t = 120.0)]
        tempo: f64,
        /// Write the answer as a tempo-map .mid (its folder is created if missing).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Write a map with tempo steps at bar lines (each at most 10 % where the hits allow)
        /// that puts every `must` hit on a bar line.
        #[arg(long)]
        stepped: bool,
    },
    /// Fit the variation to picture: with --hits, the rendering as the plugin plays it
    /// against them (Hit lock), each `climax`, `start` or `stinger` note on its frame where the
    /// 10 % push allows (an `end` hit instead makes it a fill that ends on that cut); with
    /// --length, a variation built of whole bars that ends exactly then (its button, the
    /// tonic, held to the end); with --cutdowns, one such fill per length (and a sting).
    Fit {
        /// The motif (.mid).
        file: PathBuf,
        /// piano, swell, distant or none.
        #[arg(long, value_parser = parse_character)]
        character: Character,
        /// Intensity 0–1.
        #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
        intensity: f64,
        /// The hits: a spotting list (.csv), an EDL's cuts (.edl) or a .mid's markers.
        #[arg(long)]
        hits: Option<PathBuf>,
        /// The picture's frame rate (23.976, 24, 25, 29.97df, 29.97, 30, 48, 50, 59.94df,
        /// 59.94, 60); needed with --hits.
        #[arg(long, value_parser = spot::parse_fps)]
        fps: Option<reprise::engine::timecode::FrameRate>,
        /// Fill to this length: seconds (23.4s) or bars (12bars).
        #[arg(long, value_parser = fill::parse_length, conflicts_with = "cutdowns")]
        length: Option<reprise::engine::fill::FillLength>,
        /// Fill each of these lengths (seconds, e.g. 60,30,15,10) into the output folder.
        #[arg(long)]
        cutdowns: Option<String>,
        /// With --cutdowns: also sting.mid, the head ending on the tonic in 2 bars.
        #[arg(long)]
        sting: bool,
        /// With --length or --cutdowns: open with a pickup — the scale step below the first
        /// note, a beat before the first downbeat (the file starts a bar early; the length is
        /// counted from the downbeat).
        #[arg(long)]
        pickup: bool,
        /// How far a fill may change the tempo so the length is whole bars (e.g. 3%); the
        /// button is held to the length otherwise.
        #[arg(long, value_parser = fill::parse_allow_tempo, default_value = "0%")]
        allow_tempo: f64,
        /// With an `end` hit: how long the button rings after the cut, bars (0.5 to 1).
        #[arg(long, default_value_t = 1.0, value_parser = fill::parse_ring)]
        ring: f64,
        /// The timecode of the song's zero (e.g. 01:00:00:00).
        #[arg(long)]
        start_tc: Option<String>,
        /// A steady song tempo, BPM.
        #[arg(long, conflicts_with = "tempo_map", allow_negative_numbers = true)]
        tempo: Option<f64>,
        /// The song's tempo and metre map (.mid, e.g. from `reprise spot` or the DAW).
        #[arg(long)]
        tempo_map: Option<PathBuf>,
        /// The .mid to write (never one of the inputs); with --cutdowns, the folder.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Track of the motif file, from 1.
        #[arg(long, value_parser = parse_track, allow_negative_numbers = true)]
        track: Option<usize>,
    },
    /// The factory articulation profiles for sample libraries (--articulations).
    Profiles {
        /// Print this profile as JSON (a template for a profile file of your own).
        #[arg(long)]
        show: Option<String>,
    },
    /// Render the built-in demo motif (Scarborough Fair) in all three characters.
    Demo {
        /// Directory for motif.mid, piano.mid, swell.mid, distant.mid and all.mid.
        #[arg(short = 'o', long = "output")]
        output_dir: PathBuf,
        /// Intensity 0–1.
        #[arg(long, default_value_t = 0.7, allow_negative_numbers = true)]
        intensity: f64,
        /// Seed for humanize and drift.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also write piano.wav, swell.wav and distant.wav: each rendering heard through a
        /// General MIDI SoundFont.
        #[arg(long)]
        audio: bool,
        /// The SoundFont (.sf2) for --audio (default: $REPRISE_SOUNDFONT, else the system's
        /// General MIDI SoundFont).
        #[arg(long, requires = "audio")]
        soundfont: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
pub struct RenderArgs {
    /// The motif to render (the whole chosen track is the motif).
    pub file: PathBuf,
    /// Output .mid file (its folder is created if missing; never the input).
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// piano, swell, distant, or none (only the operators given).
    #[arg(long, value_parser = parse_character, required_unless_present = "all")]
    pub character: Option<Character>,
    /// Render Piano, Swell and Distant on three tracks.
    #[arg(long, conflicts_with = "character")]
    pub all: bool,
    /// Intensity 0–1.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub intensity: f64,
    /// Key to use instead of the detected one, e.g. C#:minor.
    #[arg(long, value_parser = parse_key)]
    pub key: Option<Key>,
    /// Chromatic transposition in semitones.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub transpose_semitones: i32,
    /// Diatonic transposition in scale steps.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub transpose_steps: i32,
    /// Diatonic inversion around the first note.
    #[arg(long)]
    pub invert: bool,
    /// Pitches backwards, rhythm kept.
    #[arg(long, conflicts_with = "retrograde_full")]
    pub retrograde: bool,
    /// Pitches and rhythm backwards.
    #[arg(long)]
    pub retrograde_full: bool,
    /// Augmentation factor: 1, 2, 3 or 4 keep the song's metre (2 = twice as slow); 0.5 and
    /// 0.25 are diminutions that put two or four of the motif's bars in one bar.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub augment: f64,
    /// Change mode: major, minor, harmonic-minor (or "harmonic minor"), dorian, phrygian,
    /// lydian, mixolydian, locrian.
    #[arg(long, value_parser = parse_mode)]
    pub mode: Option<ScaleMode>,
    /// Dynamics controller: 1, 11, both or none.
    #[arg(long, value_parser = parse_dynamics_cc, default_value = "1")]
    pub dynamics_cc: DynamicsCc,
    /// single: all voices on one channel; split: voices on consecutive channels.
    #[arg(long, value_parser = parse_channels, default_value = "split")]
    pub channels: ChannelLayout,
    /// First output channel, 1–16.
    #[arg(
        long,
        default_value_t = 1,
        value_parser = clap::value_parser!(u8).range(1..=16),
        allow_negative_numbers = true
    )]
    pub base_channel: u8,
    /// Humanize amount 0–1.
    #[arg(long, default_value_t = 0.3, allow_negative_numbers = true)]
    pub humanize: f64,
    /// Seed for humanize and drift.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Softest velocity (1–45) Distant's fading echoes reach: the quietest your instrument still
    /// sounds.
    #[arg(
        long,
        default_value_t = distant::AUDIBLE_FLOOR_VELOCITY as u8,
        value_parser = clap::value_parser!(u8).range(1..=distant::MAX_VELOCITY as i64),
        allow_negative_numbers = true
    )]
    pub softest_velocity: u8,
    /// Track to read, counting from 1 as a DAW lists the file's tracks; default: the first
    /// track with notes.
    #[arg(long, value_parser = parse_track, allow_negative_numbers = true)]
    pub track: Option<usize>,
    /// Switch a sample library's articulations from the character's roles: a factory profile
    /// (see `reprise profiles`) or a JSON profile file. The profile's dynamics controller
    /// replaces --dynamics-cc.
    #[arg(long)]
    pub articulations: Option<String>,
    /// With a .reabank for --articulations: the bank whose name holds this (default: the
    /// file's first bank).
    #[arg(long, requires = "articulations")]
    pub bank: Option<String>,
    /// With --articulations: the negative delay your track already has, ms (given as a
    /// positive number): the profile's delays less this, so nothing is compensated twice.
    #[arg(long, default_value_t = 0.0, requires = "articulations")]
    pub track_delay: f64,
    /// With --articulations: one role for every note (legato, long-hard, tremolo, long-soft,
    /// long-muted, harmonics) instead of the character's.
    #[arg(long, value_parser = parse_role, requires = "articulations")]
    pub role: Option<reprise::engine::articulation::Role>,
    /// With --articulations: Swell's surge (the phrase after a break before the climax),
    /// long-hard or tremolo.
    #[arg(long, value_parser = parse_surge, default_value = "long-hard", requires = "articulations")]
    pub surge: reprise::engine::articulation::Role,
    /// With --articulations: Distant's colour, long-soft, long-muted or harmonics.
    #[arg(long, value_parser = parse_distant_role, default_value = "long-soft", requires = "articulations")]
    pub distant_role: reprise::engine::articulation::Role,
    /// Also write the rendering as audio (48 kHz WAV), heard through a General MIDI SoundFont;
    /// with --all one file per character (OUT.piano.wav …).
    #[arg(long)]
    pub wav: Option<PathBuf>,
    /// The SoundFont (.sf2) for --wav (default: $REPRISE_SOUNDFONT, else the system's General
    /// MIDI SoundFont).
    #[arg(long, requires = "wav")]
    pub soundfont: Option<PathBuf>,
}

/// Exit code of every usage error (a flag or value the command line got wrong), whether clap
/// or a command's own range check finds it: 2, the shell convention clap follows.
const USAGE_EXIT_CODE: u8 = 2;

/// Prints clap's help or version (exit 0), or its error on one line of stderr (exit 2).
fn report_usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            ExitCode::from(USAGE_EXIT_CODE)
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
    let _ = writeln!(
        std::io::stderr(),
        "reprise: {} (see reprise --help)",
        message.trim_start_matches("error: ")
    );
    ExitCode::from(USAGE_EXIT_CODE)
}

/// Runs the command `cli` names, writing its report to `out`.
fn run(cli: Cli, out: &mut impl Write) -> Result<(), CliError> {
    let include_drums = cli.include_drums;
    let source = |track_number| Source {
        track_number,
        include_drums,
    };
    match cli.command {
        Command::Analyze {
            file,
            track,
            json,
            key,
        } => analyze::analyze(out, &file, source(track), json, key),
        Command::Capture {
            file,
            output_dir,
            gap_beats,
            quantize,
            strength,
            track,
            replace,
        } => capture::capture(
            out,
            &capture::CaptureRequest {
                file: &file,
                output_dir: &output_dir,
                gap_beats,
                grid: quantize,
                strength_percent: strength,
                source: source(track),
                replace,
            },
        ),
        Command::Render(args) => render::render_command(out, &args, include_drums),
        Command::Listen {
            file,
            motif,
            csv,
            block,
            range,
            tempo,
        } => listen::listen(
            out,
            &listen::ListenRequest {
                file: &file,
                motif: motif.as_ref(),
                csv: csv.as_ref(),
                block,
                range,
                tempo_bpm: tempo,
            },
        ),
        Command::Spot {
            hits,
            fps,
            start_tc,
            metre,
            tempo_range,
            tempo,
            output,
            stepped,
        } => spot::spot(
            out,
            &spot::SpotArgs {
                hits: &hits,
                rate: fps,
                start_tc: start_tc.as_deref(),
                metre,
                tempo_range_bpm: tempo_range,
                preferred_tempo_bpm: tempo,
                output: output.as_deref(),
                stepped,
            },
        ),
        Command::Fit {
            file,
            character,
            intensity,
            hits,
            fps,
            start_tc,
            tempo,
            tempo_map,
            output,
            track,
            length,
            cutdowns,
            sting,
            pickup,
            allow_tempo,
            ring,
        } => fit::fit(
            out,
            &fit::FitArgs {
                file: &file,
                character,
                intensity,
                hits: hits.as_deref(),
                rate: fps,
                start_tc: start_tc.as_deref(),
                length,
                cutdowns: match cutdowns.as_deref().map(fill::parse_cutdowns) {
                    Some(Ok(lengths)) => Some(lengths),
                    Some(Err(e)) => return Err(CliError::usage(format!("--cutdowns {e}"))),
                    None => None,
                },
                sting,
                pickup,
                allow_tempo_ratio: allow_tempo,
                ring_bars: ring,
                tempo_bpm: tempo,
                tempo_map: tempo_map.as_deref(),
                output: &output,
                source: source(track),
            },
        ),
        Command::Profiles { show } => articulations::profiles(out, show.as_deref()),
        Command::Demo {
            output_dir,
            intensity,
            seed,
            audio,
            soundfont,
        } => demo::demo(
            out,
            &output_dir,
            intensity,
            seed,
            audio.then_some(soundfont.as_deref()),
        ),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return report_usage_error(&error),
    };
    let mut out = std::io::stdout().lock();
    let result = run(cli, &mut out);
    let result = result.and_then(|()| out.flush().map_err(CliError::from));
    match result {
        Ok(()) | Err(CliError::ClosedPipe) => ExitCode::SUCCESS,
        Err(CliError::Failed { message }) => {
            let _ = writeln!(std::io::stderr(), "reprise: {message}");
            ExitCode::FAILURE
        }
        Err(CliError::Usage { message }) => {
            let _ = writeln!(std::io::stderr(), "reprise: {message}");
            ExitCode::from(USAGE_EXIT_CODE)
        }
    }
}

/// A role as the CLI names it (`legato`, `long-hard` …).
fn parse_role(text: &str) -> Result<reprise::engine::articulation::Role, String> {
    reprise::engine::articulation::Role::from_id(text.trim()).ok_or_else(|| {
        format!(
            "unknown role {text} (legato, long-hard, tremolo, long-soft, long-muted, harmonics)"
        )
    })
}

/// Swell's surge: long-hard or tremolo.
fn parse_surge(text: &str) -> Result<reprise::engine::articulation::Role, String> {
    use reprise::engine::articulation::Role;
    match parse_role(text)? {
        role @ (Role::LongHard | Role::Tremolo) => Ok(role),
        _ => Err(format!("Swell's surge is long-hard or tremolo, not {text}")),
    }
}

/// Distant's colour: long-soft, long-muted or harmonics.
fn parse_distant_role(text: &str) -> Result<reprise::engine::articulation::Role, String> {
    use reprise::engine::articulation::Role;
    match parse_role(text)? {
        role @ (Role::LongSoft | Role::LongMuted | Role::Harmonics) => Ok(role),
        _ => Err(format!(
            "Distant's colour is long-soft, long-muted or harmonics, not {text}"
        )),
    }
}
