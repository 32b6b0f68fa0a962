//! Reprise without a DAW: `reprise-standalone --backend jack` (or `alsa`), or
//! `--backend dummy` headless. The first library slot holds the built-in demo motif so there is
//! something to hear and see at once, and the transport runs at the demo's tempo and metre
//! (84 BPM, 3/4) unless `--tempo`/`--timesig-num`/`--timesig-denom` say otherwise. `--help`
//! lists the audio and MIDI options. Says what it is doing on stderr; exits non-zero when its
//! audio/MIDI backend cannot start or the window cannot open.

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

fn main() -> ExitCode {
    let args = with_demo_transport(std::env::args().collect());
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
