//! The egui editor. The window shows the plugin's name, version and parameters; the piano roll
//! and library come with later stages. Layout lives in [`draw_editor`], a plain function over
//! `egui::Ui` so it can be tested without a window.

use std::sync::Arc;

use nice_plug::prelude::*;
use nice_plug_egui::widgets::ParamSlider;
use nice_plug_egui::{Frame, NiceEguiApp};

use crate::params::RepriseParams;

/// The editor's state. Owner: the GUI thread (the host's main thread).
pub struct EditorApp {
    /// Parameters shared with the audio thread.
    params: Arc<RepriseParams>,
    /// Set in `build` when the window opens; gives the parameter setter.
    gui_context: Option<nice_plug::context::gui::GuiContext>,
}

impl EditorApp {
    /// An editor over `params`. Called once per plugin instance.
    pub fn new(params: Arc<RepriseParams>) -> Self {
        Self {
            params,
            gui_context: None,
        }
    }
}

impl NiceEguiApp for EditorApp {
    fn build(
        &mut self,
        _egui_ctx: egui::Context,
        nice_gui_ctx: nice_plug::context::gui::GuiContext,
        _frame: &mut Frame,
    ) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        self.gui_context = Some(nice_gui_ctx);
        Ok(())
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut Frame) {
        let setter = self
            .gui_context
            .as_ref()
            .map(|context| context.param_setter());
        draw_editor(ui, &self.params, setter.as_ref());
    }

    fn editor_closed(&mut self) {
        self.gui_context = None;
    }
}

/// Title line shown at the top of the editor: name and version.
pub fn title_text() -> String {
    format!("Reprise {}", env!("CARGO_PKG_VERSION"))
}

/// Draws the whole editor. With a `setter` the parameters are sliders that automate through the
/// host; without one (tests) they are shown as read-only text.
pub fn draw_editor(ui: &mut egui::Ui, params: &RepriseParams, setter: Option<&ParamSetter>) {
    ui.heading(title_text());
    ui.label("Capture a motif, hear it again as Piano, Swell or Distant.");
    ui.separator();
    egui::Grid::new("params").num_columns(2).show(ui, |ui| {
        ui.label("Pass-through");
        param_widget(ui, &params.pass_through, setter);
        ui.end_row();
        ui.label("Character");
        param_widget(ui, &params.character, setter);
        ui.end_row();
        ui.label("Intensity");
        param_widget(ui, &params.intensity, setter);
        ui.end_row();
    });
    ui.separator();
    let status = if params.library.0.state_fallback() {
        "Status: the saved state was old, newer or damaged — what could be read was kept, the rest reset to defaults."
    } else {
        "Status: listening. Play a phrase; it becomes the active slot's motif and plays back in the chosen character."
    };
    ui.label(status);
}

fn param_widget<P: Param>(ui: &mut egui::Ui, param: &P, setter: Option<&ParamSetter>) {
    match setter {
        Some(setter) => {
            ui.add(ParamSlider::for_param(param, setter));
        }
        None => {
            ui.label(param.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every piece of text the editor laid out in one frame.
    fn rendered_texts(params: &RepriseParams) -> Vec<String> {
        let ctx = egui::Context::default();
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            draw_editor(ui, params, None);
        });
        // No renderer here: discard the font texture upload egui asks for.
        output.textures_delta.clear();
        output
            .shapes
            .iter()
            .filter_map(|clipped| match &clipped.shape {
                egui::Shape::Text(text) => Some(text.galley.text().to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn editor_shows_name_version_and_parameter_values() {
        let params = RepriseParams::new(crate::library_state::LibraryHandle::new().0);
        let texts = rendered_texts(&params);
        assert!(
            texts.contains(&format!("Reprise {}", env!("CARGO_PKG_VERSION"))),
            "{texts:?}"
        );
        for expected in ["Pass-through", "Character", "Intensity", "Piano", "50 %"] {
            assert!(
                texts.iter().any(|t| t == expected),
                "missing {expected:?} in {texts:?}"
            );
        }
    }
}
