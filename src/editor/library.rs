//! The Library panel: the eight slots (pick, rename), importing a .mid into the active slot
//! (also by dropping a file on the window) and exporting the motif with its three renderings.

use nice_plug::prelude::*;

use super::widgets::set_param;
use super::EditorState;
use crate::engine::character::{render, Character};
use crate::engine::midi_file::{
    motif_from_performance, read_performance, write_tracks, ExportTrack,
};
use crate::engine::motif::Note;
use crate::engine::rendering::Rendering;
use crate::shared::Command;

pub fn draw(ui: &mut egui::Ui, state: &mut EditorState, setter: Option<&ParamSetter>) {
    let names = state.params.library.0.names();
    let active = state.snapshot.active_slot;
    ui.horizontal_wrapped(|ui| {
        ui.label("Library:");
        for (slot, name) in names.iter().enumerate() {
            let count = state.snapshot.slot_num_notes[slot];
            let text = if count == 0 {
                format!("{} (empty)", name)
            } else {
                format!("{} ({count})", name)
            };
            if ui
                .add(egui::Button::selectable(slot == active, text))
                .clicked()
            {
                set_param(setter, &state.params.slot, slot as i32 + 1);
            }
        }
    });
    ui.horizontal(|ui| {
        ui.label("Name");
        ui.add(
            egui::TextEdit::singleline(&mut state.rename)
                .desired_width(160.0)
                .hint_text(names[active].as_str()),
        );
        if ui.button("Rename slot").clicked() && !state.rename.trim().is_empty() {
            state.params.library.0.set_name(active, state.rename.trim());
            state.message = Some(format!(
                "Slot {} renamed to {}.",
                active + 1,
                state.rename.trim()
            ));
            state.rename.clear();
        }
    });
    ui.horizontal(|ui| {
        ui.label(".mid path");
        ui.add(
            egui::TextEdit::singleline(&mut state.import_path)
                .desired_width(220.0)
                .hint_text("/path/to/motif.mid"),
        );
        if ui.button("Import into slot").clicked() {
            state.message = Some(import(state));
        }
        ui.add(
            egui::TextEdit::singleline(&mut state.export_path)
                .desired_width(220.0)
                .hint_text("/path/to/export.mid"),
        );
        if ui.button("Export motif + characters").clicked() {
            state.message = Some(export(state));
        }
    });
    // Files dropped onto the window are imported into the active slot.
    let dropped: Vec<std::path::PathBuf> = ui.ctx().input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .filter(|p| !p.as_os_str().is_empty())
            .collect()
    });
    if let Some(path) = dropped.first() {
        state.import_path = path.display().to_string();
        state.message = Some(import(state));
    }
}

fn import(state: &mut EditorState) -> String {
    let path = state.import_path.trim().to_owned();
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => return format!("Import failed: cannot read {path}: {e}"),
    };
    let performance = match read_performance(&bytes, None) {
        Ok(performance) => performance,
        Err(e) => return format!("Import failed: {path}: {e}"),
    };
    let motif = motif_from_performance(&performance);
    let slot = state.snapshot.active_slot;
    let num_notes = motif.len();
    if state.shared.send(Command::SetSlot { slot, motif }) {
        format!("Imported {num_notes} notes into slot {}.", slot + 1)
    } else {
        "Import failed: the command queue is full; try again.".into()
    }
}

fn export(state: &EditorState) -> String {
    let path = state.export_path.trim();
    let motif = &state.snapshot.motif;
    if motif.is_empty() {
        return "Export failed: the active slot has no motif.".into();
    }
    let settings = state.params.to_live_settings().character;
    let renderings: Vec<(&str, Vec<Note>, Rendering)> = [
        ("Piano", Character::Piano),
        ("Swell", Character::Swell),
        ("Distant", Character::Distant),
    ]
    .into_iter()
    .map(|(name, character)| {
        let mut out = Rendering::new();
        render(
            motif,
            &crate::engine::character::CharacterSettings {
                character,
                ..settings
            },
            &mut out,
        );
        (name, out.notes.iter().map(|n| n.as_note()).collect(), out)
    })
    .collect();
    let mut tracks = vec![ExportTrack {
        name: "Motif",
        notes: motif.notes(),
        ccs: &[],
        programs: &[],
    }];
    tracks.extend(renderings.iter().map(|(name, notes, out)| ExportTrack {
        name,
        notes,
        ccs: &out.ccs,
        programs: &[],
    }));
    let bytes = write_tracks(&tracks, motif.time_signature, motif.tempo_bpm, motif.key());
    match std::fs::write(path, bytes) {
        Ok(()) => format!("Exported the motif and the three characters to {path}."),
        Err(e) => format!("Export failed: cannot write {path}: {e}"),
    }
}
