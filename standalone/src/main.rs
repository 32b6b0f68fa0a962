//! Reprise without a DAW: `reprise-standalone --backend jack` (or `alsa`), or
//! `--backend dummy` headless. The first library slot holds the built-in demo motif so there is
//! something to hear and see at once, and the transport runs at the demo's tempo and metre
//! (84 BPM, 3/4) unless `--tempo`/`--timesig-num`/`--timesig-denom` say otherwise. `--help`
//! lists the audio and MIDI options. `--soundfont FILE.sf2` plays the output through that
//! General MIDI SoundFont into the audio outputs, so it is heard without an instrument
//! (`--soundfont default` takes `$REPRISE_SOUNDFONT` or the system's General MIDI SoundFont).
//! Says what it is doing on stderr; exits non-zero when its audio/MIDI backend cannot start,
//! the window cannot open or the SoundFont cannot be read.

use std::io::Write;
use std::process::ExitCode;

/// The arguments with the demo motif's tempo and metre added where the user gave none.
fn with_demo_transport(args: Vec<String>) -> Vec<String> {
    let demo = reprise::engine::demo::demo_motif();
    let given = |args: &[String], flag: &str| {
        args.iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
    };
    let mut args = args;
    let defaults = [
        ("--tempo", demo.tempo_bpm.to_string()),
        ("--timesig-num", demo.time_signature.numerator.to_string()),
        (
            "--timesig-denom",
            demo.time_signature.denominator.to_string(),
        ),
    ];
    for (flag, value) in defaults {
        if !given(&args, flag) {
            args.push(flag.to_owned());
            args.push(value);
        }
    }
    args
}

/// The value after `flag` in `args` (`--flag value` or `--flag=value`).
fn value_of<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    let prefix = format!("{flag}=");
    args.iter().enumerate().find_map(|(i, arg)| {
        if arg == flag {
            args.get(i + 1).map(String::as_str)
        } else {
            arg.strip_prefix(&prefix)
        }
    })
}

/// `args` without `--soundfont VALUE` / `--soundfont=VALUE`, and that value.
fn take_soundfont(args: Vec<String>) -> (Vec<String>, Option<String>) {
    let mut rest = Vec::with_capacity(args.len());
    let mut soundfont = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--soundfont" {
            soundfont = Some(args.next().unwrap_or_default());
        } else if let Some(value) = arg.strip_prefix("--soundfont=") {
            soundfont = Some(value.to_owned());
        } else {
            rest.push(arg);
        }
    }
    (rest, soundfont)
}

/// Loads the SoundFont `given` names (`default`: the one found as the CLI finds it) and makes
/// the plugin play its output through it; says which, or why not.
fn monitor_through(given: &str) -> Result<(), String> {
    let path = if given == "default" || given.is_empty() {
        None
    } else {
        Some(std::path::Path::new(given))
    };
    let path = reprise::synth::find_soundfont(path).map_err(|e| e.to_string())?;
    let soundfont = reprise::synth::load_soundfont(&path).map_err(|e| e.to_string())?;
    reprise::monitor_through(soundfont);
    let _ = writeln!(
        std::io::stderr(),
        "reprise-standalone: playing the output through {} (General MIDI) into the audio outputs",
        path.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    let (args, soundfont) = take_soundfont(std::env::args().collect());
    let args = with_demo_transport(args);
    let asks_for_help = args
        .iter()
        .any(|a| a == "--help" || a == "-h" || a == "--version" || a == "-V");
    if !asks_for_help {
        let demo = reprise::engine::demo::demo_motif();
        let key = demo
            .key()
            .map_or_else(|| "no key".to_owned(), |k| k.ascii().to_string());
        let _ = writeln!(
            std::io::stderr(),
            "reprise-standalone: slot 1 holds the demo motif, Scarborough Fair (traditional): \
             {} notes, {}/{}, {key}; transport at {} BPM {}/{}; backend {}",
            demo.len(),
            demo.time_signature.numerator,
            demo.time_signature.denominator,
            value_of(&args, "--tempo").unwrap_or("?"),
            value_of(&args, "--timesig-num").unwrap_or("?"),
            value_of(&args, "--timesig-denom").unwrap_or("?"),
            value_of(&args, "--backend")
                .or_else(|| value_of(&args, "-b"))
                .unwrap_or("auto (JACK, else ALSA, else the silent dummy backend)"),
        );
    }
    if let Some(given) = soundfont.filter(|_| !asks_for_help) {
        if let Err(error) = monitor_through(&given) {
            let _ = writeln!(std::io::stderr(), "reprise-standalone: {error}");
            return ExitCode::FAILURE;
        }
    }
    reprise::start_with_demo_motif();
    if nice_plug::prelude::nice_export_standalone_with_args::<reprise::Reprise, _>(args) {
        ExitCode::SUCCESS
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "reprise-standalone: the audio/MIDI backend could not start or the window could not \
             open (see the error above); `--backend dummy` runs without audio"
        );
        ExitCode::FAILURE
    }
}
