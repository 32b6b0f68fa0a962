//! `reprise render` (a motif .mid in a character, or all three, to a new .mid) and the output
//! shared with `demo`: writing renderings as tracks and a one-line summary of each.

use std::io::Write;
use std::path::Path;

use reprise::engine::character::{render, Character, CharacterSettings, Retrograde};
use reprise::engine::event::fraction_to_midi_7bit;
use reprise::engine::midi_file::{
    motif_from_performance, motif_origin_beats, write_tracks_in_map, ExportTrack,
};
use reprise::engine::motif::{Motif, Note, MAX_MOTIF_NOTES};
use reprise::engine::ops::augmentation::METRIC_FACTORS;
use reprise::engine::rendering::{Rendering, Voice};
use reprise::engine::time_map::TimeMap;

use crate::args::{check_unit, load, same_file, tidy, write_output, Source};
use crate::articulations::{articulated, load_profile};
use crate::audio::{per_character, Listener};
use crate::cut_short::refuse_cut_short;
use crate::error::{note, CliError, CliResult};
use crate::wording::{bars_of, changes_spanned, count, metre_text};
use crate::RenderArgs;
use reprise::engine::articulation::switches::ProgramPoint;
use reprise::engine::articulation::RoleChoice;

pub fn render_command(out: &mut dyn Write, args: &RenderArgs, include_drums: bool) -> CliResult {
    check_args(args)?;
    let source = Source {
        track_number: args.track,
        include_drums,
    };
    // The SoundFont first: a missing or damaged one is said before anything is written.
    let listener = match &args.wav {
        Some(_) => Some(Listener::new(args.soundfont.as_deref())?),
        None => None,
    };
    let profile = args
        .articulations
        .as_deref()
        .map(|spec| load_profile(spec, args.bank.as_deref()))
        .transpose()?;
    let performance = load(&args.file, source)?;
    refuse_cut_short(&args.file, &performance, Some("rendering"))?;
    let motif = motif_from_performance(&performance);
    let time_map = performance
        .time_map
        .from_origin(motif_origin_beats(&performance));
    if motif.truncated {
        note(format_args!(
            "{}: the track has more than {MAX_MOTIF_NOTES} notes or runs past the longest \
             motif; only its first {} notes ({} beats) are rendered",
            args.file.display(),
            motif.len(),
            tidy(motif.length_beats, 3)
        ));
    }
    let mut base = character_settings(args);
    if let Some(profile) = &profile {
        base.dynamics_cc = profile.dynamics.as_dynamics_cc();
    }
    if base.split_wraps() {
        let channel = |voice| base.channel_for(voice) + 1;
        note(format_args!(
            "from base channel {} the split voices wrap past 16: melody {}, doubling {}, \
             harmony {}, bass {} (use --base-channel 13 or lower, or --channels single)",
            args.base_channel,
            channel(Voice::Melody),
            channel(Voice::Doubling),
            channel(Voice::Harmony),
            channel(Voice::Bass)
        ));
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
    // The audio first: a rendering the SoundFont cannot play is said before anything is
    // written.
    let mut sounds = Vec::new();
    if let (Some(listener), Some(wav)) = (&listener, &args.wav) {
        for (character, rendering) in &renderings {
            let path = if renderings.len() > 1 {
                per_character(wav, *character)
            } else {
                wav.clone()
            };
            sounds.push((
                path,
                listener.render(&[(*character, rendering)], &time_map)?,
            ));
        }
    }
    let mut switched = Vec::new();
    match &profile {
        Some(profile) => {
            let choice = RoleChoice {
                surge: args.surge,
                distant: args.distant_role,
                forced: args.role,
            };
            let mut written = Vec::new();
            let mut programs = Vec::new();
            for (character, rendering) in &renderings {
                let (rendering, changes, line) = articulated(
                    *character,
                    rendering,
                    profile,
                    choice,
                    &time_map,
                    args.track_delay,
                );
                written.push((*character, rendering));
                programs.push(changes);
                switched.push(line);
            }
            write_renderings_with_programs(&args.output, &motif, &time_map, &written, &programs)?;
        }
        None => write_renderings(&args.output, &motif, &time_map, &renderings)?,
    }
    let mut heard = Vec::new();
    if let Some(listener) = &listener {
        for (path, sound) in &sounds {
            let profile = args.articulations.as_deref().map(Path::new);
            let inputs: Vec<&Path> = [
                Some(args.file.as_path()),
                Some(args.output.as_path()),
                profile,
            ]
            .into_iter()
            .flatten()
            .collect();
            heard.push(listener.write(path, sound, &inputs)?);
        }
    }
    say_what_the_map_changes(&motif, &time_map, &renderings, args.augment);
    for (index, (character, rendering)) in renderings.iter().enumerate() {
        writeln!(out, "{}: {}", character.name(), summary(rendering, &motif))?;
        if let Some(line) = switched.get(index) {
            writeln!(out, "  {line}")?;
        }
        let octaves = rendering.octaves_shifted_to_fit;
        if octaves != 0 {
            note(format_args!(
                "{}: the line left the MIDI key range (0-127); it was moved {} {} octave(s) \
                 as a whole to fit, keeping its contour",
                character.name(),
                if octaves > 0 { "up" } else { "down" },
                octaves.abs()
            ));
        }
    }
    writeln!(out, "-> {}", args.output.display())?;
    for line in heard {
        writeln!(out, "-> {line}")?;
    }
    Ok(())
}

/// Notes on stderr when the motif or its renderings run through tempo or metre changes: the
/// file keeps them, but the rendering was computed in the metre at the motif's start (pedal
/// and bar-long chords on its bars), and an augmented rendering no longer meets the changes
/// at the same notes.
fn say_what_the_map_changes(
    motif: &Motif,
    time_map: &TimeMap,
    renderings: &[(Character, Rendering)],
    augmentation: f64,
) {
    let end_beats = renderings
        .iter()
        .map(|(_, r)| r.length_beats)
        .fold(motif.length_beats, f64::max);
    let changes = changes_spanned(time_map, end_beats);
    if changes.is_empty() {
        return;
    }
    note(format_args!(
        "{}; the output keeps the input's tempo and metre map, but Reprise computed the \
         rendering in the metre at the motif's start ({}, so pedal changes and held chords \
         follow its bars throughout)",
        changes.join("; "),
        metre_text(motif.time_signature)
    ));
    if augmentation != 1.0 {
        note(format_args!(
            "--augment {augmentation} stretches the notes but not the map: the changes no \
             longer fall at the same notes"
        ));
    }
}

/// Writes renderings as the tracks of one .mid file, named after their characters (its folder
/// made if missing), with the
/// tempo and metre map `time_map` (seen from the motif's beat 0; past its end the last entries
/// hold).
pub fn write_renderings(
    path: &Path,
    motif: &Motif,
    time_map: &TimeMap,
    renderings: &[(Character, Rendering)],
) -> Result<(), CliError> {
    write_renderings_with_programs(path, motif, time_map, renderings, &[])
}

/// [`write_renderings`] with each track's program changes (`programs[i]` for rendering `i`;
/// missing = none).
pub fn write_renderings_with_programs(
    path: &Path,
    motif: &Motif,
    time_map: &TimeMap,
    renderings: &[(Character, Rendering)],
    programs: &[Vec<ProgramPoint>],
) -> Result<(), CliError> {
    let notes: Vec<Vec<Note>> = renderings
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
        .enumerate()
        .map(|(index, (((_, rendering), notes), name))| ExportTrack {
            name,
            notes,
            ccs: &rendering.ccs,
            programs: programs.get(index).map_or(&[][..], |p| p.as_slice()),
        })
        .collect();
    let bytes = write_tracks_in_map(&tracks, time_map, motif.key());
    write_output(path, &bytes)
}

fn title_case(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// One line: notes, channels, velocity and controller ranges, length.
pub fn summary(rendering: &Rendering, motif: &Motif) -> String {
    let mut channels: Vec<u8> = rendering.notes.iter().map(|n| n.channel + 1).collect();
    channels.sort_unstable();
    channels.dedup();
    let velocity = |f: fn(f32, f32) -> f32, start: f32| {
        rendering
            .notes
            .iter()
            .map(|n| fraction_to_midi_7bit(n.velocity) as f32)
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
                .map(|p| fraction_to_midi_7bit(p.value));
            let (low, high) = values.fold((127u8, 0u8), |(lo, hi), v| (lo.min(v), hi.max(v)));
            format!("CC{cc} {low}–{high}")
        })
        .collect();
    let bars = rendering.length_beats / motif.time_signature.bar_length_beats();
    format!(
        "{} on {} {}; velocity {}–{}; {}; {} beats ({})",
        count(rendering.notes.len(), "note", "notes"),
        if channels.len() == 1 {
            "channel"
        } else {
            "channels"
        },
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
        bars_of(tidy(bars, 2), motif.time_signature),
    )
}

/// Refuses out-of-range settings (usage errors) and an output that is the input (a rendering
/// must never overwrite the motif it was made from).
fn check_args(args: &RenderArgs) -> CliResult {
    check_unit("intensity", args.intensity)?;
    check_unit("humanize", args.humanize)?;
    if args.transpose_semitones.abs() > 127 {
        return Err(CliError::usage(format!(
            "--transpose-semitones must be between -127 and 127, not {}",
            args.transpose_semitones
        )));
    }
    if args.transpose_steps.abs() > 75 {
        return Err(CliError::usage(format!(
            "--transpose-steps must be between -75 and 75, not {}",
            args.transpose_steps
        )));
    }
    if !METRIC_FACTORS.contains(&args.augment) {
        return Err(CliError::usage(format!(
            "--augment must be 1, 2, 3 or 4 (the motif's bar lines stay the song's bar lines) \
             or 0.5 or 0.25 (diminution: two or four of the motif's bars in one bar), not {}",
            args.augment
        )));
    }
    let max_delay = reprise::engine::articulation::profile::MAX_DELAY_MS;
    if !(args.track_delay.is_finite() && (0.0..=max_delay).contains(&args.track_delay)) {
        return Err(CliError::usage(format!(
            "--track-delay must be between 0 and {max_delay} ms, not {}",
            args.track_delay
        )));
    }
    if let Some(wav) = &args.wav {
        if wav == &args.output || same_file(&args.output, wav) || same_file(&args.file, wav) {
            return Err(CliError::failed(format!(
                "--wav {} is the {}; give the audio its own file",
                wav.display(),
                if wav == &args.output {
                    "-o file"
                } else {
                    "input file"
                }
            )));
        }
    }
    if same_file(&args.file, &args.output) {
        return Err(CliError::failed(format!(
            "-o {} is the input file; refusing to overwrite the motif with its rendering",
            args.output.display()
        )));
    }
    Ok(())
}

/// The character settings `args` ask for (Piano when no character is given).
fn character_settings(args: &RenderArgs) -> CharacterSettings {
    CharacterSettings {
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
        softest_velocity: args.softest_velocity,
        ..CharacterSettings::default()
    }
}
