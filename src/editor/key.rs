//! The key readout: the detected key in a musician's words ("clear", "likely; or …",
//! "ambiguous between E♭ major and C minor"), spelled as musicians spell it, with one-click
//! locks for the candidates when the finder is unsure.

use super::EditorState;
use crate::engine::key::KeyCertainty;
use crate::shared::Command;

pub fn draw(ui: &mut egui::Ui, state: &mut EditorState) {
    let motif = &state.snapshot.motif;
    let slot = state.snapshot.active_slot;
    ui.horizontal_wrapped(|ui| {
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
