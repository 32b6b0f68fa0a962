//! The egui editor: see, shape and keep the motif. Everything is drawn by [`draw_editor`], a
//! plain function over `egui::Ui` and an [`EditorState`], so it runs headless in tests.
//!
//! The editor never touches the audio thread's data: it reads the latest
//! [`EditorSnapshot`](crate::shared::EditorSnapshot) and atomics, sends [`Command`]s through a
//! bounded queue, and changes parameters only through nice-plug's `ParamSetter` gestures.

mod piano_roll;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use nice_plug::prelude::*;
use nice_plug_egui::widgets::ParamSlider;
use nice_plug_egui::{Frame, NiceEguiApp};

use crate::engine::character::{render, Character};
use crate::engine::key::{estimate_key, DEFAULT_PROFILES};
use crate::engine::midi_file::{
    motif_from_performance, read_performance, write_tracks, ExportTrack,
};
use crate::engine::motif::Note;
use crate::engine::rendering::Rendering;
use crate::params::{Pick, RepriseParams};
use crate::shared::{Command, EditorSnapshot, GuiSide};

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
    /// The event counters' warnings (each shows while its counter recently grew).
    warnings: CounterWarnings,
}

/// How long a counter's warning stays after the counter last grew.
pub const COUNTER_WARNING_SECONDS: f64 = 5.0;

/// Warnings from counters that only grow (refused commands, dropped events): each shows for
/// [`COUNTER_WARNING_SECONDS`] after its counter last grew, then clears itself, so an old event
/// can never hide a later warning. GUI thread.
#[derive(Debug, Default)]
struct CounterWarnings {
    /// Refused commands: (count last seen, seconds it last grew at).
    refused: (u64, Option<f64>),
    /// Dropped events: (count last seen, seconds it last grew at).
    dropped: (u64, Option<f64>),
    /// The clock of the last update, seconds since the editor state was made.
    now_seconds: f64,
}

impl CounterWarnings {
    fn update(&mut self, now_seconds: f64, refused: u64, dropped: u64) {
        self.now_seconds = now_seconds;
        for (seen, count) in [(&mut self.refused, refused), (&mut self.dropped, dropped)] {
            if count > seen.0 {
                *seen = (count, Some(now_seconds));
            }
        }
    }

    /// The count by which the counter grew recently, if it did.
    fn recent(&self, counter: &(u64, Option<f64>)) -> Option<u64> {
        let grew_at = counter.1?;
        (self.now_seconds - grew_at < COUNTER_WARNING_SECONDS).then_some(counter.0)
    }
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

    /// The status line: every current warning first (joined), else the last action, else what
    /// capture is doing. Warnings clear themselves once their cause is gone.
    pub fn status_line(&self) -> String {
        let readouts = &self.shared.readouts;
        let mut warnings = Vec::new();
        if let Some(refused) = self.warnings.recent(&self.warnings.refused) {
            warnings.push(format!(
                "the command queue was full — {refused} action(s) were not applied; try again"
            ));
        }
        let report = self.params.library.0.load_report();
        if !report.is_clean() {
            warnings.push(format!(
                "the saved state was old, newer or damaged ({}) — what could be read was kept",
                report.summary()
            ));
        }
        if self.snapshot.motif.truncated {
            warnings
                .push("the motif was longer than 256 notes or 256 bars and was cut".to_string());
        }
        if let Some(dropped) = self.warnings.recent(&self.warnings.dropped) {
            warnings.push(format!(
                "{dropped} output event(s) were dropped because a buffer was full"
            ));
        }
        if !warnings.is_empty() {
            return format!("Warning: {}.", warnings.join("; "));
        }
        if let Some(message) = &self.message {
            return message.clone();
        }
        if readouts.listening.load(Ordering::Relaxed) {
            match readouts.phrase_notes.load(Ordering::Relaxed) {
                0 => "Listening — play a phrase.".into(),
                n => format!("Listening — captured {n} notes so far."),
            }
        } else {
            "Capture is off.".into()
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

/// One row of the operator grid: draws the parameter's widget.
type ParamRow<'a> = &'a dyn Fn(&mut egui::Ui);

/// Title line shown at the top of the editor: name and version.
pub fn title_text() -> String {
    format!("Reprise {}", env!("CARGO_PKG_VERSION"))
}

/// One parameter change as a complete host gesture.
fn set_param<P: Param>(setter: Option<&ParamSetter>, param: &P, value: P::Plain) {
    if let Some(setter) = setter {
        setter.begin_set_parameter(param);
        setter.set_parameter(param, value);
        setter.end_set_parameter(param);
    }
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

/// Draws the whole editor.
pub fn draw_editor(ui: &mut egui::Ui, state: &mut EditorState, setter: Option<&ParamSetter>) {
    state.refresh();
    state.update_warnings(ui.input(|input| input.time));
    let params = state.params.clone();
    ui.heading(title_text());
    ui.label(egui::RichText::new(state.status_line()).strong());
    ui.separator();

    // Characters: three large buttons and Intensity.
    ui.horizontal(|ui| {
        let current = params.character.value();
        for choice in Character::CHOICES {
            let (choice, name) = (Pick(choice.value), choice.label);
            let button =
                egui::Button::selectable(current == choice, egui::RichText::new(name).size(18.0));
            if ui.add_sized([110.0, 36.0], button).clicked() {
                set_param(setter, &params.character, choice);
            }
        }
        ui.label("Intensity");
        param_widget(ui, &params.intensity, setter);
    });
    ui.separator();

    // Capture and key.
    ui.horizontal(|ui| {
        let armed = params.capture_arm.value();
        if ui
            .add(egui::Button::selectable(armed, "Arm capture"))
            .clicked()
        {
            set_param(setter, &params.capture_arm, !armed);
        }
        ui.label("Capture");
        param_widget(ui, &params.capture_mode, setter);
        ui.label("Silence");
        param_widget(ui, &params.silence_beats, setter);
        if ui.button("Clear slot").clicked() {
            let slot = state.snapshot.active_slot;
            if state.shared.send(Command::ClearSlot { slot }) {
                state.message = Some(format!("Slot {} cleared.", slot + 1));
            }
        }
    });
    draw_key(ui, state);
    ui.separator();

    // Library.
    draw_library(ui, state, setter);
    ui.separator();

    // Piano roll.
    let playhead = state.shared.readouts.playhead_beats();
    piano_roll::draw(
        ui,
        &state.snapshot.motif,
        &state.snapshot.rendering,
        playhead,
    );
    ui.separator();

    // Operators and playback.
    egui::CollapsingHeader::new("Playback and operators")
        .default_open(true)
        .show(ui, |ui| {
            egui::Grid::new("operators").num_columns(4).show(ui, |ui| {
                let rows: [(&str, ParamRow); 20] = [
                    ("Pass-through", &|ui| {
                        param_widget(ui, &params.pass_through, setter)
                    }),
                    ("Playback", &|ui| param_widget(ui, &params.playback, setter)),
                    ("Launch", &|ui| {
                        param_widget(ui, &params.launch_quantize, setter)
                    }),
                    ("Loop", &|ui| param_widget(ui, &params.looping, setter)),
                    ("Trigger low", &|ui| {
                        param_widget(ui, &params.trigger_low, setter)
                    }),
                    ("Trigger high", &|ui| {
                        param_widget(ui, &params.trigger_high, setter)
                    }),
                    ("Trigger transpose", &|ui| {
                        param_widget(ui, &params.trigger_transpose, setter)
                    }),
                    ("Transpose", &|ui| {
                        param_widget(ui, &params.transpose_semitones, setter)
                    }),
                    ("Transpose steps", &|ui| {
                        param_widget(ui, &params.transpose_steps, setter)
                    }),
                    ("Invert", &|ui| param_widget(ui, &params.invert, setter)),
                    ("Retrograde", &|ui| {
                        param_widget(ui, &params.retrograde, setter)
                    }),
                    ("Augmentation", &|ui| {
                        param_widget(ui, &params.augmentation, setter)
                    }),
                    ("Mode", &|ui| param_widget(ui, &params.mode, setter)),
                    ("Dynamics CC", &|ui| {
                        param_widget(ui, &params.dynamics_cc, setter)
                    }),
                    ("Channels", &|ui| {
                        param_widget(ui, &params.channel_layout, setter)
                    }),
                    ("Base channel", &|ui| {
                        param_widget(ui, &params.base_channel, setter)
                    }),
                    ("Humanize", &|ui| param_widget(ui, &params.humanize, setter)),
                    ("Seed", &|ui| param_widget(ui, &params.seed, setter)),
                    ("Quantize", &|ui| param_widget(ui, &params.quantize, setter)),
                    ("Tempo (no transport)", &|ui| {
                        param_widget(ui, &params.tempo, setter)
                    }),
                ];
                for (i, (name, widget)) in rows.iter().enumerate() {
                    ui.label(*name);
                    widget(ui);
                    if i % 2 == 1 {
                        ui.end_row();
                    }
                }
            });
        });
}

fn draw_key(ui: &mut egui::Ui, state: &mut EditorState) {
    let motif = &state.snapshot.motif;
    let slot = state.snapshot.active_slot;
    ui.horizontal(|ui| {
        if motif.is_empty() {
            ui.label("Key: — (no motif yet)");
            return;
        }
        if let Some(locked) = motif.locked_key {
            // The editor's fonts have no ♭ or ♯: keys are spelled in ASCII (Eb major).
            ui.label(format!("Key: {} (locked)", locked.ascii()));
            if ui.button("Unlock key").clicked() {
                state.shared.send(Command::LockKey { slot, key: None });
            }
        } else if let Some(estimate) = motif.detected_key {
            use crate::engine::key::KeyCertainty;
            ui.label(format!(
                "Key: {}",
                estimate.describe(|k| k.ascii().to_string())
            ));
            if estimate.certainty() == KeyCertainty::Clear {
                if ui.button("Lock key").clicked() {
                    state.shared.send(Command::LockKey {
                        slot,
                        key: Some(estimate.best.key),
                    });
                }
            } else {
                // Unsure: each candidate is one click away.
                for candidate in estimate.alternatives() {
                    if ui
                        .button(format!("Lock {}", candidate.key.ascii()))
                        .clicked()
                    {
                        state.shared.send(Command::LockKey {
                            slot,
                            key: Some(candidate.key),
                        });
                    }
                }
            }
        }
    });
}

fn draw_library(ui: &mut egui::Ui, state: &mut EditorState, setter: Option<&ParamSetter>) {
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
    let mut motif = motif_from_performance(&performance);
    motif.detected_key = estimate_key(motif.notes(), DEFAULT_PROFILES);
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
    }];
    tracks.extend(renderings.iter().map(|(name, notes, out)| ExportTrack {
        name,
        notes,
        ccs: &out.ccs,
    }));
    let bytes = write_tracks(&tracks, motif.time_signature, motif.tempo_bpm, motif.key());
    match std::fs::write(path, bytes) {
        Ok(()) => format!("Exported the motif and the three characters to {path}."),
        Err(e) => format!("Export failed: cannot write {path}: {e}"),
    }
}

#[cfg(test)]
mod tests;
