//! The Audio tab: capture from a voice or an instrument line — where capture listens (MIDI,
//! audio, both), which input channel, the pitch range, the gate and key snapping — and what the
//! tracker hears right now: the input level, the live pitch (note name and cents) and the note
//! being heard.

use std::sync::atomic::Ordering;

use nice_plug::prelude::*;

use super::widgets::{param_grid, param_widget, ParamRow};
use super::EditorState;
use crate::engine::key::Key;
use crate::engine::spelling::NoteName;
use crate::shared::Readouts;

/// The live line: level, pitch with cents, the note heard (spelled in `key`, the motif's, when
/// there is one: the phrase being sung is most likely in it); or why nothing is heard.
pub fn readout_text(readouts: &Readouts, hears_audio: bool, key: Option<Key>) -> String {
    if !hears_audio {
        return "Audio in: not listened to (Capture from is MIDI)".to_owned();
    }
    let level = readouts.audio_level_db.load(Ordering::Relaxed);
    let pitch = readouts.audio_pitch_midi.load(Ordering::Relaxed);
    let note = readouts.audio_note.load(Ordering::Relaxed);
    let mut text = format!("Audio in: {:.0} dB", level.max(-120.0));
    if pitch > 0.0 && pitch.is_finite() {
        let nearest = pitch.round().clamp(0.0, 127.0);
        let cents = ((pitch - nearest) * 100.0).round() as i32;
        text.push_str(&format!(
            " · pitch {} {cents:+} cents",
            NoteName::in_optional_key(nearest as u8, key).ascii()
        ));
    } else {
        text.push_str(" · no pitch");
    }
    if (1..=128).contains(&note) {
        let heard = NoteName::in_optional_key((note - 1) as u8, key);
        text.push_str(&format!(" · hearing {}", heard.ascii()));
    }
    text
}

pub fn draw(ui: &mut egui::Ui, state: &mut EditorState, setter: Option<&ParamSetter>) {
    let params = state.params.clone();
    let hears_audio = params.capture_source.value().0.hears_audio();
    let readouts = &state.shared.readouts;
    let key = state.snapshot.motif.key();
    ui.horizontal(|ui| {
        // A level meter from −60 to 0 dBFS.
        let level = readouts.audio_level_db.load(Ordering::Relaxed);
        let fill = if hears_audio {
            ((level + 60.0) / 60.0).clamp(0.0, 1.0)
        } else {
            0.0
        };
        ui.add(egui::ProgressBar::new(fill).desired_width(120.0));
        ui.label(readout_text(readouts, hears_audio, key));
    });
    let rows: [(&str, ParamRow); 5] = [
        ("Capture from", &|ui| {
            param_widget(ui, &params.capture_source, setter)
        }),
        ("Audio input", &|ui| {
            param_widget(ui, &params.audio_input, setter)
        }),
        ("Audio range", &|ui| {
            param_widget(ui, &params.audio_range, setter)
        }),
        ("Audio gate", &|ui| {
            param_widget(ui, &params.audio_gate, setter)
        }),
        ("Snap audio to locked key", &|ui| {
            param_widget(ui, &params.audio_snap, setter)
        }),
    ];
    param_grid(ui, "audio", &rows);
}
