//! The egui editor: see, shape and keep the motif. Everything is drawn by [`draw_editor`], a
//! plain function over `egui::Ui` and an [`EditorState`], so it runs headless in tests.
//!
//! Layout (everything in reach at the default 900×760, no scrolling): the title and status
//! line, the Character panel, a row of tabs (Capture · Audio · Key · Operators · Playback · Library
//! · Picture · Articulations)
//! with one panel below it, and the piano rolls. One file per panel.
//!
//! The editor never touches the audio thread's data: it reads the latest
//! [`EditorSnapshot`](crate::shared::EditorSnapshot) and atomics, sends [`Command`]s through a
//! bounded queue, and changes parameters only through nice-plug's `ParamSetter` gestures.

mod articulations;
mod audio;
mod capture;
mod character;
mod hit_lane;
mod key;
mod library;
mod operators;
mod piano_roll;
mod picture;
mod playback;
mod status;
mod widgets;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use nice_plug::prelude::*;
use nice_plug_egui::{Frame, NiceEguiApp};

use crate::params::RepriseParams;
use crate::shared::{EditorSnapshot, GuiSide};
use status::CounterWarnings;
#[cfg(test)]
use status::COUNTER_WARNING_SECONDS;

/// The editor's tabs, left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    /// Capture mode, arming, silence, quantize.
    #[default]
    Capture,
    /// Capture from audio: source, input, range, gate, snap; the live level and pitch.
    Audio,
    /// The key readout and locks.
    Key,
    /// Transposition, inversion, retrograde, augmentation, mode, humanize.
    Operators,
    /// Playback mode, launch, trigger keys, output channels and controllers.
    Playback,
    /// Slots, import and export.
    Library,
    /// Frame rate, start timecode, hits and hit lock.
    Picture,
    /// The sample library's articulations: profile, roles, track delay; what each voice plays.
    Articulations,
}

impl Tab {
    /// All tabs with their titles, in order.
    pub const ALL: [(Tab, &'static str); 8] = [
        (Tab::Capture, "Capture"),
        (Tab::Audio, "Audio"),
        (Tab::Key, "Key"),
        (Tab::Operators, "Operators"),
        (Tab::Playback, "Playback"),
        (Tab::Library, "Library"),
        (Tab::Picture, "Picture"),
        (Tab::Articulations, "Articulations"),
    ];
}

/// The editor's state. Owner: the GUI thread.
pub struct EditorState {
    /// Parameters shared with the audio thread.
    pub params: Arc<RepriseParams>,
    /// The GUI side of the audio ↔ GUI hand-over.
    pub shared: GuiSide,
    /// The snapshot being shown (copied from the shared one when it changes).
    pub snapshot: EditorSnapshot,
    /// Path typed for import.
    pub import_path: String,
    /// Path typed for export.
    pub export_path: String,
    /// Text of the rename field.
    pub rename: String,
    /// Result of the last action, shown in the status line.
    pub message: Option<String>,
    /// The tab shown.
    pub tab: Tab,
    /// The Picture panel's text fields.
    pub picture: picture::PictureDraft,
    /// The engine's armed state last frame (to follow it when it disarms itself).
    engine_was_armed: bool,
    /// The event counters' warnings (each shows while its counter recently grew).
    warnings: CounterWarnings,
}

impl EditorState {
    /// A state over `params` and the GUI side of the shared state.
    pub fn new(params: Arc<RepriseParams>, shared: GuiSide) -> Self {
        Self {
            params,
            shared,
            snapshot: EditorSnapshot::new(),
            import_path: String::new(),
            export_path: String::new(),
            rename: String::new(),
            message: None,
            tab: Tab::default(),
            picture: picture::PictureDraft::default(),
            engine_was_armed: false,
            warnings: CounterWarnings::default(),
        }
    }

    /// Advances the warnings' clock (seconds, any origin, never decreasing) and reads the
    /// counters. Called every frame by [`draw_editor`] with the wall clock; tests pass their own.
    pub fn update_warnings(&mut self, now_seconds: f64) {
        let readouts = &self.shared.readouts;
        self.warnings.update(
            now_seconds,
            readouts.commands_refused.load(Ordering::Relaxed),
            readouts.dropped_events.load(Ordering::Relaxed),
        );
    }

    /// Takes the latest snapshot if it changed.
    fn refresh(&mut self) {
        let latest = self.shared.snapshot();
        if latest.revision != self.snapshot.revision {
            self.snapshot.clone_from(latest);
        }
    }
}

/// The editor as nice-plug-egui runs it.
pub struct EditorApp {
    state: EditorState,
    /// Set in `build` when the window opens; gives the parameter setter.
    gui_context: Option<nice_plug::context::gui::GuiContext>,
}

impl EditorApp {
    /// An editor over `params` and the GUI side of the shared state.
    pub fn new(params: Arc<RepriseParams>, shared: GuiSide) -> Self {
        Self {
            state: EditorState::new(params, shared),
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
        egui::ScrollArea::vertical()
            .show(ui, |ui| draw_editor(ui, &mut self.state, setter.as_ref()));
        // Keep the playhead moving.
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(33));
    }

    fn editor_closed(&mut self) {
        self.gui_context = None;
    }
}

/// Title line shown at the top of the editor: name and version.
pub fn title_text() -> String {
    format!("Reprise {}", env!("CARGO_PKG_VERSION"))
}

/// Draws the whole editor.
pub fn draw_editor(ui: &mut egui::Ui, state: &mut EditorState, setter: Option<&ParamSetter>) {
    state.refresh();
    state.update_warnings(ui.input(|input| input.time));
    capture::follow_engine_arming(state, setter);
    // Taps become hits whatever the tab shown.
    picture::take_taps(state);
    let params = state.params.clone();
    ui.horizontal(|ui| {
        ui.heading(title_text());
        ui.label(egui::RichText::new(state.status_line()).strong());
    });
    ui.separator();
    character::draw(ui, &params, setter);
    ui.separator();
    ui.horizontal(|ui| {
        for (tab, title) in Tab::ALL {
            let button = egui::Button::selectable(state.tab == tab, title);
            if ui.add_sized([96.0, 24.0], button).clicked() {
                state.tab = tab;
            }
        }
    });
    // One panel at a time, in a frame of fixed height so the rolls below never move.
    let panel_height = 132.0;
    let width = ui.available_width();
    ui.allocate_ui(egui::vec2(width, panel_height), |ui| {
        ui.set_min_size(egui::vec2(width, panel_height));
        match state.tab {
            Tab::Capture => capture::draw(ui, state, setter),
            Tab::Audio => audio::draw(ui, state, setter),
            Tab::Key => key::draw(ui, state),
            Tab::Operators => operators::draw(ui, &params, setter),
            Tab::Playback => playback::draw(ui, &params, setter),
            Tab::Library => library::draw(ui, state, setter),
            Tab::Picture => picture::draw(ui, state, setter),
            Tab::Articulations => articulations::draw(ui, state, setter),
        }
    });
    ui.separator();
    // The key stays in sight whatever the tab: every key-dependent voice follows it.
    if state.tab != Tab::Key {
        key::draw(ui, state);
    }
    let playhead = state.shared.readouts.playhead_beats();
    let rendering_key = piano_roll::rendering_key(
        state.snapshot.motif.key(),
        params.transpose_semitones.value(),
        params.mode.value().0,
    );
    piano_roll::draw(
        ui,
        &state.snapshot.motif,
        &state.snapshot.rendering,
        rendering_key,
        playhead,
        params.dynamics_cc.value().0,
        |ui| {
            let readouts = &state.shared.readouts.hits;
            let playhead_seconds = readouts
                .playhead_seconds
                .load(std::sync::atomic::Ordering::Relaxed);
            hit_lane::draw(ui, &params.library.0.picture(), readouts, playhead_seconds);
        },
    );
}

#[cfg(test)]
mod tests;
