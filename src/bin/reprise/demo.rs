//! `reprise demo`: the built-in motif (the opening of "Scarborough Fair", traditional) and its
//! three renderings, with a summary of each file.

use std::io::Write;
use std::path::Path;

use reprise::engine::character::{render, Character, CharacterSettings};
use reprise::engine::midi_file::write_motif;
use reprise::engine::rendering::Rendering;
use reprise::engine::time_map::TimeMap;

use crate::args::{check_unit, tidy};
use crate::audio::Listener;
use crate::error::{CliError, CliResult};
use crate::render::{summary, write_renderings};
use crate::wording::{bars_of, count};

/// `audio`: also write each rendering as a WAV heard through the SoundFont given (or found).
pub fn demo(
    out: &mut dyn Write,
    output_dir: &Path,
    intensity: f64,
    seed: u64,
    audio: Option<Option<&Path>>,
) -> CliResult {
    check_unit("intensity", intensity)?;
    // The SoundFont first: a missing or damaged one is said before anything is written.
    let listener = audio.map(Listener::new).transpose()?;
    std::fs::create_dir_all(output_dir)
        .map_err(|e| CliError::failed(format!("cannot create {}: {e}", output_dir.display())))?;
    let motif = reprise::engine::demo::demo_motif();
    let motif_path = output_dir.join("motif.mid");
    std::fs::write(&motif_path, write_motif(&motif))
        .map_err(|e| CliError::failed(format!("cannot write {}: {e}", motif_path.display())))?;
    writeln!(
        out,
        "motif.mid: Scarborough Fair (traditional), {}, {} at {} BPM, {}",
        count(motif.len(), "note", "notes"),
        bars_of(
            motif.length_beats / motif.time_signature.bar_length_beats(),
            motif.time_signature
        ),
        tidy(motif.tempo_bpm, 2),
        motif
            .key()
            .map_or_else(|| "no key".to_owned(), |k| k.to_string())
    )?;
    let time_map = TimeMap::constant(motif.time_signature, motif.tempo_bpm);
    let mut all = Vec::new();
    for character in Character::ALL {
        let settings = CharacterSettings {
            character,
            intensity,
            seed,
            ..CharacterSettings::default()
        };
        let mut rendering = Rendering::new();
        render(&motif, &settings, &mut rendering);
        let path = output_dir.join(format!("{}.mid", character.name()));
        write_renderings(&path, &motif, &time_map, &[(character, rendering.clone())])?;
        writeln!(
            out,
            "{}.mid: {}",
            character.name(),
            summary(&rendering, &motif)
        )?;
        if let Some(listener) = &listener {
            let wav = output_dir.join(format!("{}.wav", character.name()));
            let sound = listener.render(&[(character, &rendering)], &time_map)?;
            let line = listener.write(&wav, &sound, &[])?;
            writeln!(out, "{line}")?;
        }
        all.push((character, rendering));
    }
    write_renderings(&output_dir.join("all.mid"), &motif, &time_map, &all)?;
    writeln!(
        out,
        "all.mid: the three characters on three tracks -> {}",
        output_dir.display()
    )?;
    Ok(())
}
