//! The Playback panel: how renderings start and where their notes go (pass-through, playback
//! mode, launch, loop, trigger keys, dynamics controller, channels, tempo without transport).

use nice_plug::prelude::*;

use super::widgets::{param_grid, param_widget, ParamRow};
use crate::params::RepriseParams;

/// The playback settings' labels, in the order shown.
pub const LABELS: [&str; 12] = [
    "Playback",
    "Launch",
    "Loop",
    "Pass-through",
    "Trigger low key",
    "Trigger high key",
    "Trigger transpose",
    "Dynamics CC",
    "Channels",
    "Base channel",
    "Tempo (no transport)",
    "Bypass",
];

pub fn draw(ui: &mut egui::Ui, params: &RepriseParams, setter: Option<&ParamSetter>) {
    let widgets: [ParamRow; 12] = [
        &|ui| param_widget(ui, &params.playback, setter),
        &|ui| param_widget(ui, &params.launch_quantize, setter),
        &|ui| param_widget(ui, &params.looping, setter),
        &|ui| param_widget(ui, &params.pass_through, setter),
        &|ui| param_widget(ui, &params.trigger_low, setter),
        &|ui| param_widget(ui, &params.trigger_high, setter),
        &|ui| param_widget(ui, &params.trigger_transpose, setter),
        &|ui| param_widget(ui, &params.dynamics_cc, setter),
        &|ui| param_widget(ui, &params.channel_layout, setter),
        &|ui| param_widget(ui, &params.base_channel, setter),
        &|ui| param_widget(ui, &params.tempo, setter),
        &|ui| param_widget(ui, &params.bypass, setter),
    ];
    let rows: Vec<(&str, ParamRow)> = LABELS.into_iter().zip(widgets).collect();
    param_grid(ui, "playback", &rows);
}
