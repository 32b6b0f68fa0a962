//! The Capture panel: how phrases are heard and cut (mode, arming, silence, quantize, drums)
//! and clearing the active slot.

use nice_plug::prelude::*;

use super::widgets::{param_grid, set_param, ParamRow};
use super::EditorState;
use crate::shared::Command;

/// The arm button's text: what it does now, and whether capture is armed.
pub fn arm_text(armed: bool) -> &'static str {
    if armed {
        "Armed: waiting for the next phrase"
    } else {
        "Arm capture (not armed)"
    }
}

/// Keeps the Arm capture parameter true to the engine: when the engine disarms itself after
/// taking a phrase, the parameter is turned off too, so the button never claims "armed" and
/// the next click arms again (arming happens on the change from off to on). Every frame,
/// whatever the tab.
pub fn follow_engine_arming(state: &mut EditorState, setter: Option<&ParamSetter>) {
    let armed = state
        .shared
        .readouts
        .capture_armed
        .load(std::sync::atomic::Ordering::Relaxed);
    if state.engine_was_armed && !armed && state.params.capture_arm.value() {
        set_param(setter, &state.params.capture_arm, false);
    }
    state.engine_was_armed = armed;
}

pub fn draw(ui: &mut egui::Ui, state: &mut EditorState, setter: Option<&ParamSetter>) {
    let params = state.params.clone();
    ui.horizontal(|ui| {
        let armed = params.capture_arm.value();
        let engine_armed = state.engine_was_armed;
        if ui
            .add(egui::Button::selectable(
                armed || engine_armed,
                arm_text(armed || engine_armed),
            ))
            .clicked()
        {
            set_param(setter, &params.capture_arm, !armed);
        }
        if ui.button("Clear slot").clicked() {
            let slot = state.snapshot.active_slot;
            if state.shared.send(Command::ClearSlot { slot }) {
                state.message = Some(format!("Slot {} cleared.", slot + 1));
            }
        }
    });
    let rows: [(&str, ParamRow); 5] = [
        ("Capture", &|ui| {
            super::widgets::param_widget(ui, &params.capture_mode, setter)
        }),
        ("Silence to end phrase", &|ui| {
            super::widgets::param_widget(ui, &params.silence_beats, setter)
        }),
        ("Quantize", &|ui| {
            super::widgets::param_widget(ui, &params.quantize, setter)
        }),
        ("Quantize strength", &|ui| {
            super::widgets::param_widget(ui, &params.quantize_strength, setter)
        }),
        ("Capture channel 10 (drums)", &|ui| {
            super::widgets::param_widget(ui, &params.capture_drums, setter)
        }),
    ];
    param_grid(ui, "capture", &rows);
}
