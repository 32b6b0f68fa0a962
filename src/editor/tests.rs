//! The editor driven headless with egui_kittest: clicks go through the `ParamSetter`, imports go
//! through the command queue to the audio side and come back in the snapshot, renames land in
//! the saved state, and a full queue shows in the status line.

use std::sync::{Arc, Mutex};

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use nice_plug::params::persist::PersistentField;
use nice_plug::prelude::*;

use super::{draw_editor, EditorState};
use crate::engine::midi_file::{write_tracks, ExportTrack};
use crate::engine::motif::{Note, TimeSignature};
use crate::library_state::LibraryHandle;
use crate::params::RepriseParams;
use crate::shared::{shared_state, AudioSide, Command, COMMAND_QUEUE_CAPACITY};

/// A host stand-in that records every parameter gesture.
#[derive(Default)]
struct RecordingHost {
    gestures: Mutex<Vec<String>>,
}

impl GuiContextInner for RecordingHost {
    fn plugin_api(&self) -> nice_plug::prelude::PluginApi {
        nice_plug::prelude::PluginApi::Clap
    }
    unsafe fn raw_begin_set_parameter(&self, param: ParamPtr) {
        // SAFETY: the pointer comes from a live `RepriseParams` owned by the test.
        let name = unsafe { param.name() }.to_owned();
        self.gestures.lock().unwrap().push(format!("begin {name}"));
    }
    unsafe fn raw_set_parameter_normalized(&self, param: ParamPtr, normalized: f32) {
        // SAFETY: as above.
        let name = unsafe { param.name() }.to_owned();
        self.gestures
            .lock()
            .unwrap()
            .push(format!("set {name} {normalized}"));
    }
    unsafe fn raw_end_set_parameter(&self, param: ParamPtr) {
        // SAFETY: as above.
        let name = unsafe { param.name() }.to_owned();
        self.gestures.lock().unwrap().push(format!("end {name}"));
    }
    fn get_state(&self) -> PluginState {
        unimplemented!("not used by the editor")
    }
    fn set_state(&self, _state: PluginState) {}
    fn request_restart(&self) {}
}

fn editor() -> (EditorState, AudioSide, LibraryHandle) {
    let (library, _) = LibraryHandle::new();
    let params = Arc::new(RepriseParams::new(library.clone()));
    let (audio, gui) = shared_state();
    (EditorState::new(params, gui), audio, library)
}

#[test]
fn clicking_a_character_button_sets_the_parameter_through_the_setter() {
    let host = Arc::new(RecordingHost::default());
    let (state, _audio, _library) = editor();
    let setter_host = host.clone();
    let mut harness = Harness::new_ui_state(
        move |ui, state: &mut EditorState| {
            let setter = ParamSetter::new(&*setter_host);
            draw_editor(ui, state, Some(&setter));
        },
        state,
    );
    harness.get_by_label("Swell").click();
    harness.run();
    let gestures = host.gestures.lock().unwrap().clone();
    assert_eq!(
        gestures,
        vec!["begin Character", "set Character 0.5", "end Character"]
    );
}

#[test]
fn an_imported_motif_appears_in_the_piano_roll() {
    let path =
        std::env::temp_dir().join(format!("reprise-editor-import-{}.mid", std::process::id()));
    let notes = [
        Note {
            start_beats: 0.0,
            length_beats: 1.0,
            key: 62,
            velocity: 0.7,
            channel: 0,
        },
        Note {
            start_beats: 1.0,
            length_beats: 2.0,
            key: 69,
            velocity: 0.7,
            channel: 0,
        },
    ];
    std::fs::write(
        &path,
        write_tracks(
            &[ExportTrack {
                name: "t",
                notes: &notes,
                ccs: &[],
            }],
            TimeSignature::default(),
            100.0,
            None,
        ),
    )
    .unwrap();
    let (mut state, mut audio, _library) = editor();
    state.import_path = path.display().to_string();
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut EditorState| draw_editor(ui, state, None),
        state,
    );
    harness.get_by_label("Import into slot").click();
    harness.run();
    // The audio side takes the command and publishes the new snapshot, as the plugin does.
    let Some(Command::SetSlot { slot, motif }) = audio.next_command() else {
        panic!("no import command queued")
    };
    assert_eq!(slot, 0);
    audio.publish(|snapshot| {
        snapshot.motif = motif.clone();
        snapshot.slot_num_notes[0] = motif.len();
    });
    harness.run();
    harness.get_by_label("Motif note D4 at beat 0.00, 1.00 beats");
    harness.get_by_label("Motif note A4 at beat 1.00, 2.00 beats");
    harness.get_by_label_contains("Imported 2 notes into slot 1");
    let _ = std::fs::remove_file(path);
}

#[test]
fn a_renamed_slot_lands_in_the_saved_state() {
    let (mut state, _audio, library) = editor();
    state.rename = "Hero theme".into();
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut EditorState| draw_editor(ui, state, None),
        state,
    );
    harness.get_by_label("Rename slot").click();
    harness.run();
    let saved = library.map(|value| value.clone());
    assert_eq!(saved["slots"][0]["name"], "Hero theme");
    harness.get_by_label_contains("Hero theme (empty)");
}

#[test]
fn a_full_command_queue_shows_in_the_status_line() {
    let (state, _audio, _library) = editor();
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut EditorState| draw_editor(ui, state, None),
        state,
    );
    for _ in 0..=COMMAND_QUEUE_CAPACITY {
        harness.get_by_label("Clear slot").click();
        harness.run();
    }
    harness.get_by_label_contains("the command queue was full — 1 action(s)");
}

#[test]
fn editor_shows_name_version_and_the_captured_state() {
    let (state, _audio, _library) = editor();
    let harness = Harness::new_ui_state(
        |ui, state: &mut EditorState| draw_editor(ui, state, None),
        state,
    );
    harness.get_by_label(&format!("Reprise {}", env!("CARGO_PKG_VERSION")));
    harness.get_by_label("Key: — (no motif yet)");
    harness.get_by_label_contains("Capture is off");
}

#[test]
fn counter_warnings_clear_themselves_and_never_hide_later_ones() {
    use std::sync::atomic::Ordering;
    let (mut state, _audio, _library) = editor();
    let readouts = state.shared.readouts.clone();
    state.update_warnings(0.0);
    assert!(!state.status_line().starts_with("Warning"));
    readouts.commands_refused.store(1, Ordering::Relaxed);
    state.update_warnings(1.0);
    assert!(state
        .status_line()
        .contains("command queue was full — 1 action"));
    // Later, events are dropped: both show.
    readouts.dropped_events.store(3, Ordering::Relaxed);
    state.update_warnings(2.0);
    let line = state.status_line();
    assert!(
        line.contains("command queue") && line.contains("3 output event(s)"),
        "{line}"
    );
    // The refusal is old now; only the drop remains, then nothing.
    state.update_warnings(1.0 + super::COUNTER_WARNING_SECONDS + 0.1);
    let line = state.status_line();
    assert!(
        !line.contains("command queue") && line.contains("3 output event(s)"),
        "{line}"
    );
    state.update_warnings(2.0 + super::COUNTER_WARNING_SECONDS + 0.1);
    assert!(
        !state.status_line().starts_with("Warning"),
        "{}",
        state.status_line()
    );
    // A new refusal shows again.
    readouts.commands_refused.store(2, Ordering::Relaxed);
    state.update_warnings(20.0);
    assert!(state.status_line().contains("2 action(s)"));
}

/// Issue 11, item 8: the key readout spells tonics as musicians do (E♭ major, not D# major), in
/// ASCII because the editor's fonts have no ♭ or ♯.
#[test]
fn the_key_readout_spells_the_tonic_as_musicians_do() {
    use crate::engine::key::Key;
    let (mut state, _audio, _library) = editor();
    let mut motif = crate::engine::demo::demo_motif();
    motif.locked_key = Key::parse("D# major");
    state.snapshot.motif = motif;
    let harness = Harness::new_ui_state(
        |ui, state: &mut EditorState| draw_editor(ui, state, None),
        state,
    );
    harness.get_by_label("Key: Eb major (locked)");
}

/// Issue 11: confidence in a musician's words, and when the finder is unsure the editor offers
/// each candidate as a one-click lock.
#[test]
fn an_ambiguous_key_offers_its_candidates_as_one_click_locks() {
    use crate::engine::key::{Key, KeyCandidate, KeyEstimate, ProfileSet};
    let (mut state, mut audio, _library) = editor();
    let candidate = |text: &str, score: f64| KeyCandidate {
        key: Key::parse(text).unwrap(),
        score,
    };
    let mut ranked = [candidate("C major", 0.0); 24];
    ranked[0] = candidate("Eb major", 0.38);
    ranked[1] = candidate("C minor", 0.33);
    ranked[2] = candidate("Bb major", 0.05);
    let mut motif = crate::engine::demo::demo_motif();
    motif.locked_key = None;
    motif.detected_key = Some(KeyEstimate {
        best: ranked[0],
        confidence: 0.06,
        ranked,
        num_tied: 1,
        finder: ProfileSet::Learned,
    });
    state.snapshot.motif = motif;
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut EditorState| draw_editor(ui, state, None),
        state,
    );
    harness.get_by_label("Key: ambiguous between Eb major and C minor");
    assert!(harness.query_by_label("Lock Bb major").is_none());
    harness.get_by_label("Lock C minor").click();
    harness.run();
    match audio.next_command() {
        Some(Command::LockKey { slot: 0, key }) => assert_eq!(key, Key::parse("C minor")),
        _ => panic!("the lock did not reach the audio side"),
    }
}
