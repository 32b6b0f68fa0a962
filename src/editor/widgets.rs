//! Small widgets the editor's panels share: parameter grids and sliders, and parameter changes
//! as complete host gestures.

use nice_plug::prelude::*;
use nice_plug_egui::widgets::ParamSlider;

/// One row of a parameter grid: draws the parameter's widget.
pub(super) type ParamRow<'a> = &'a dyn Fn(&mut egui::Ui);

/// Labelled parameter widgets in two label–widget pairs per row.
pub(super) fn param_grid(ui: &mut egui::Ui, id: &str, rows: &[(&str, ParamRow)]) {
    egui::Grid::new(id)
        .num_columns(4)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for (i, (name, widget)) in rows.iter().enumerate() {
                ui.label(*name);
                widget(ui);
                if i % 2 == 1 {
                    ui.end_row();
                }
            }
        });
}

/// One parameter change as a complete host gesture.
pub(super) fn set_param<P: Param>(setter: Option<&ParamSetter>, param: &P, value: P::Plain) {
    if let Some(setter) = setter {
        setter.begin_set_parameter(param);
        setter.set_parameter(param, value);
        setter.end_set_parameter(param);
    }
}

pub(super) fn param_widget<P: Param>(ui: &mut egui::Ui, param: &P, setter: Option<&ParamSetter>) {
    match setter {
        Some(setter) => {
            ui.add(ParamSlider::for_param(param, setter));
        }
        None => {
            ui.label(param.to_string());
        }
    }
}
