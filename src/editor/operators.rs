//! The Operators panel: what is done to the motif before the character plays it
//! (transposition, inversion, retrograde, augmentation, mode, humanize).

use nice_plug::prelude::*;

use super::widgets::{param_grid, param_widget, ParamRow};
use crate::params::RepriseParams;

/// The operators' labels, in the order shown (the editor tests reach each one).
pub const LABELS: [&str; 8] = [
    "Transpose",
    "Transpose steps",
    "Invert",
    "Retrograde",
    "Augmentation",
    "Mode",
    "Humanize",
    "Seed",
];

pub fn draw(ui: &mut egui::Ui, params: &RepriseParams, setter: Option<&ParamSetter>) {
    let widgets: [ParamRow; 8] = [
        &|ui| param_widget(ui, &params.transpose_semitones, setter),
        &|ui| param_widget(ui, &params.transpose_steps, setter),
        &|ui| param_widget(ui, &params.invert, setter),
        &|ui| param_widget(ui, &params.retrograde, setter),
        &|ui| param_widget(ui, &params.augmentation, setter),
        &|ui| param_widget(ui, &params.mode, setter),
        &|ui| param_widget(ui, &params.humanize, setter),
        &|ui| param_widget(ui, &params.seed, setter),
    ];
    let rows: Vec<(&str, ParamRow)> = LABELS.into_iter().zip(widgets).collect();
    param_grid(ui, "operators", &rows);
}
