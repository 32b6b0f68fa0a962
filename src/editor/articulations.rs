//! The Articulations panel: which sample library profile Reprise switches, the roles Swell's
//! surge and Distant ask for, the track delay already applied in the host, and what each voice
//! plays now (with the notes that went out late).

use std::sync::atomic::Ordering;

use nice_plug::prelude::*;

use super::widgets::{param_grid, param_widget, ParamRow};
use super::EditorState;
use crate::shared::{role_of_code, Readouts};

/// The settings' labels, in the order shown.
pub const LABELS: [&str; 4] = ["Profile", "Swell surge", "Distant colour", "Track delay"];

/// The voices, as the readout names them (the order of [`crate::shared::Readouts::sounding_roles`]).
const VOICES: [&str; 4] = ["Melody", "Doubling", "Harmony", "Bass"];

pub fn draw(ui: &mut egui::Ui, state: &mut EditorState, setter: Option<&ParamSetter>) {
    let params = state.params.clone();
    let widgets: [ParamRow; 4] = [
        &|ui| param_widget(ui, &params.articulations, setter),
        &|ui| param_widget(ui, &params.surge_role, setter),
        &|ui| param_widget(ui, &params.distant_role, setter),
        &|ui| param_widget(ui, &params.track_delay, setter),
    ];
    let rows: Vec<(&str, ParamRow)> = LABELS.into_iter().zip(widgets).collect();
    param_grid(ui, "articulations", &rows);
    if params.articulations.value().0.is_none() {
        ui.label("Notes only: no switches are sent. Pick your library's profile to switch its articulations.");
        return;
    }
    let (playing, late) = readout_text(&state.shared.readouts);
    ui.label(playing);
    if let Some(late) = late {
        ui.colored_label(egui::Color32::YELLOW, late);
    }
}

/// What the readouts say: the articulation each voice plays now, and the notes sent late (if
/// any).
pub fn readout_text(readouts: &Readouts) -> (String, Option<String>) {
    let voices: Vec<String> = VOICES
        .iter()
        .zip(readouts.sounding_roles.iter())
        .filter_map(|(name, code)| {
            role_of_code(code.load(Ordering::Relaxed)).map(|role| format!("{name} {}", role.id()))
        })
        .collect();
    let playing = if voices.is_empty() {
        "Playing now: nothing".to_owned()
    } else {
        format!("Playing now: {}", voices.join(" · "))
    };
    let late = readouts.late_notes.load(Ordering::Relaxed);
    let late = (late > 0).then(|| {
        format!(
            "{late} note{} sent late: due sooner after a start or locate than its articulation's delay",
            if late == 1 { "" } else { "s" }
        )
    });
    (playing, late)
}
