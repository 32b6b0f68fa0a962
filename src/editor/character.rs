//! The Character panel, always in view: the three characters as large buttons, and Intensity.

use nice_plug::prelude::*;

use super::widgets::{param_widget, set_param};
use crate::engine::character::Character;
use crate::params::{Pick, RepriseParams};

pub fn draw(ui: &mut egui::Ui, params: &RepriseParams, setter: Option<&ParamSetter>) {
    ui.horizontal(|ui| {
        let current = params.character.value();
        for choice in Character::CHOICES {
            let (choice, name) = (Pick(choice.value), choice.label);
            let button =
                egui::Button::selectable(current == choice, egui::RichText::new(name).size(18.0));
            if ui.add_sized([110.0, 34.0], button).clicked() {
                set_param(setter, &params.character, choice);
            }
        }
        ui.label("Intensity");
        param_widget(ui, &params.intensity, setter);
    });
}
