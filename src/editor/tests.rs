//! The editor driven headless with egui_kittest: clicks go through the `ParamSetter`, imports go
//! through the command queue to the audio side and come back in the snapshot, renames land in
//! the saved state, and a full queue shows in the status line.

use std::sync::{Arc, Mutex};

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use nice_plug::params::persist::PersistentField;
use nice_plug::prelude::*;

use super::{draw_editor, EditorState, Tab};
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
                programs: &[],
            }],
            TimeSignature::default(),
            100.0,
            None,
        ),
    )
    .unwrap();
    let (mut state, mut audio, _library) = editor();
    state.tab = Tab::Library;
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
    harness.get_by_label("Motif note D4 at beat 0.00, 1.00 beats (bar:beat 1:1)");
    harness.get_by_label("Motif note A4 at beat 1.00, 2.00 beats (bar:beat 1:2)");
    harness.get_by_label_contains("Imported 2 notes into slot 1");
    let _ = std::fs::remove_file(path);
}

#[test]
fn a_renamed_slot_lands_in_the_saved_state() {
    let (mut state, _audio, library) = editor();
    state.tab = Tab::Library;
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
        num_pitch_classes: 7,
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

/// A harness at the editor's default size (900×760) with a recording host behind the setter.
fn default_size_harness(
    state: EditorState,
) -> (
    egui_kittest::Harness<'static, EditorState>,
    Arc<RecordingHost>,
) {
    let host = Arc::new(RecordingHost::default());
    let setter_host = host.clone();
    let harness = Harness::builder()
        .with_size(egui::vec2(900.0, 760.0))
        .build_ui_state(
            move |ui, state: &mut EditorState| {
                let setter = ParamSetter::new(&*setter_host);
                draw_editor(ui, state, Some(&setter));
            },
            state,
        );
    (harness, host)
}

/// Asserts the widget labelled `label` lies inside the 900×760 window.
fn assert_in_view(harness: &egui_kittest::Harness<'_, EditorState>, label: &str) {
    let rect = harness.get_by_label(label).rect();
    assert!(
        rect.min.x >= 0.0 && rect.min.y >= 0.0 && rect.max.x <= 900.0 && rect.max.y <= 760.0,
        "{label} at {rect:?} is outside the 900×760 window"
    );
}

/// Issue 12: at the default size every operator and setting is reachable without scrolling:
/// a click on its tab shows it inside the window, with the rolls and lanes still in view.
#[test]
fn everything_is_in_reach_at_the_default_size() {
    let (mut state, _audio, _library) = editor();
    state.snapshot.motif = crate::engine::demo::demo_motif();
    let (mut harness, _host) = default_size_harness(state);
    let panels: [(&str, &[&str]); 7] = [
        (
            "Capture",
            &[
                "Arm capture (not armed)",
                "Clear slot",
                "Capture",
                "Silence to end phrase",
                "Quantize",
                "Quantize strength",
                "Capture channel 10 (drums)",
            ],
        ),
        (
            "Audio",
            &[
                "Capture from",
                "Audio input",
                "Audio range",
                "Audio gate",
                "Snap audio to locked key",
            ],
        ),
        ("Key", &[]),
        ("Operators", &super::operators::LABELS),
        ("Playback", &super::playback::LABELS),
        ("Articulations", &super::articulations::LABELS),
        (
            "Library",
            &[
                "Rename slot",
                "Import into slot",
                "Export motif + characters",
            ],
        ),
    ];
    for (tab, labels) in panels {
        harness.get_all_by_label(tab).next().expect("tab").click();
        harness.run();
        for label in labels {
            // Some labels (Capture, Quantize) name both a tab or a row and its widget: the
            // row label is the last one drawn.
            let rect = harness
                .get_all_by_label(label)
                .last()
                .unwrap_or_else(|| panic!("{label} on the {tab} tab"))
                .rect();
            assert!(
                rect.max.y <= 760.0 && rect.max.x <= 900.0,
                "{tab} tab: {label} at {rect:?} is below or beside the 900×760 window"
            );
        }
        for always in ["Piano", "Swell", "Distant", "Sustain pedal (CC64)"] {
            assert_in_view(&harness, always);
        }
    }
}

/// Issue 12: the rolls show note names on the key axis and bar numbers on the time axis, in the
/// motif's metre (the demo motif is in 3/4: 24 beats are 8 bars).
#[test]
fn the_rolls_show_note_names_and_bar_numbers() {
    let (mut state, _audio, _library) = editor();
    let motif = crate::engine::demo::demo_motif();
    let bars = (motif.length_beats / motif.time_signature.bar_length_beats()).round() as i64;
    // The demo (D4 and up) is shown with two keys of margin: its rows are small, so the C of
    // each octave is named.
    state.snapshot.motif = motif;
    let (harness, _host) = default_size_harness(state);
    assert_in_view(&harness, "Motif key C4");
    assert_in_view(&harness, "Rendering key C4");
    for bar in 1..=bars {
        assert_in_view(&harness, &format!("Motif bar {bar}"));
    }
    assert!(harness
        .query_by_label(&format!("Motif bar {}", bars + 1))
        .is_none());
    harness.get_by_label_contains("notes, 3/4");
}

/// Issue 23: note names are spelled in the motif's key, in ASCII as the key readout is: B♭ in F
/// major (not A#), the raised 7th of C♯ minor as B♯ (not C); on the rolls and in the Audio
/// tab's note heard.
#[test]
fn note_names_are_spelled_in_the_key() {
    use crate::engine::key::Key;
    use crate::engine::motif::Motif;
    use std::sync::atomic::Ordering;
    let motif_in = |key: &str, keys: &[u8]| {
        let mut motif = Motif::new(TimeSignature::new(4, 4), 120.0);
        for (idx, &key_number) in keys.iter().enumerate() {
            motif.push(Note {
                start_beats: idx as f64,
                length_beats: 1.0,
                key: key_number,
                velocity: 0.8,
                channel: 0,
            });
        }
        motif.finish();
        motif.locked_key = Key::parse(key);
        motif
    };
    let (mut state, _audio, _library) = editor();
    // F major: F A B♭ C, the B♭ in the octave above middle C's.
    state.snapshot.motif = motif_in("F major", &[65, 69, 70, 72]);
    let (harness, _host) = default_size_harness(state);
    harness.get_by_label_contains("Motif note Bb4 at beat 2.00");
    assert!(harness.query_by_label_contains("A#").is_none());
    drop(harness);

    let (mut state, _audio, _library) = editor();
    // C♯ minor: C♯ D♯ E B♯ C♯, the B♯ sounding as C5 (key 72) is written B♯4.
    state.snapshot.motif = motif_in("C# minor", &[73, 75, 76, 72, 73]);
    let readouts = state.shared.readouts.clone();
    let key = state.snapshot.motif.key();
    let (harness, _host) = default_size_harness(state);
    harness.get_by_label_contains("Motif note B#4 at beat 3.00");
    readouts.audio_level_db.store(-20.0, Ordering::Relaxed);
    readouts.audio_pitch_midi.store(72.0, Ordering::Relaxed);
    readouts.audio_note.store(73, Ordering::Relaxed);
    assert_eq!(
        super::audio::readout_text(&readouts, true, key),
        "Audio in: -20 dB · pitch B#4 +0 cents · hearing B#4"
    );
    // The rendering's key follows a chromatic transposition and a mode change.
    let f_major = Key::parse("F major");
    assert_eq!(
        super::piano_roll::rendering_key(f_major, 2, None),
        Key::parse("G major")
    );
    assert_eq!(
        super::piano_roll::rendering_key(
            f_major,
            0,
            Some(crate::engine::scale::ScaleMode::HarmonicMinor)
        ),
        Key::parse("F minor")
    );
}

/// Issue 12: the arm button says whether capture is armed, and the dynamics lane names the
/// controller actually sent.
#[test]
fn the_arm_button_and_the_dynamics_lane_say_what_they_do() {
    let (state, _audio, _library) = editor();
    let (mut harness, host) = default_size_harness(state);
    harness.get_by_label("Arm capture (not armed)").click();
    harness.run();
    assert_eq!(
        host.gestures.lock().unwrap().clone(),
        vec!["begin Arm capture", "set Arm capture 1", "end Arm capture"]
    );
    assert_eq!(
        super::capture::arm_text(true),
        "Armed: waiting for the next phrase"
    );
    assert_in_view(&harness, "Dynamics sent as CC1 (modulation)");
}

/// When the engine disarms itself after taking the armed phrase, the editor turns the Arm
/// capture parameter off too: the button stops saying "armed" and the next click arms again.
#[test]
fn the_arm_parameter_follows_the_engine_disarming_itself() {
    use nice_plug::params::Params;
    use std::sync::atomic::Ordering;
    let (state, _audio, _library) = editor();
    let readouts = state.shared.readouts.clone();
    let params = state.params.clone();
    let arm_ptr = params
        .param_map()
        .into_iter()
        .find(|(id, ..)| id == "capture_arm")
        .map(|(_, ptr, _)| ptr)
        .unwrap();
    // SAFETY: the pointer comes from `params`, alive for the whole test.
    unsafe { arm_ptr._internal_set_normalized_value(1.0) };
    readouts.capture_armed.store(true, Ordering::Relaxed);
    let (mut harness, host) = default_size_harness(state);
    harness.run();
    harness.get_by_label("Armed: waiting for the next phrase");
    assert!(
        host.gestures.lock().unwrap().is_empty(),
        "armed: nothing to do"
    );
    // The engine took the phrase and disarmed.
    readouts.capture_armed.store(false, Ordering::Relaxed);
    harness.run();
    assert_eq!(
        host.gestures.lock().unwrap()[..3],
        ["begin Arm capture", "set Arm capture 0", "end Arm capture"]
    );
}

/// Issue 26: the Articulations tab says what each voice plays and how many notes went late.
#[test]
fn the_articulations_tab_shows_what_each_voice_plays_and_the_late_notes() {
    use crate::engine::articulation::Role;
    use std::sync::atomic::Ordering;
    let (mut state, _audio, _library) = editor();
    let readouts = state.shared.readouts.clone();
    state.tab = Tab::Articulations;
    let (mut harness, _host) = default_size_harness(state);
    harness.get_by_label("Profile");
    assert_eq!(
        super::articulations::readout_text(&readouts),
        ("Playing now: nothing".to_owned(), None)
    );
    readouts.sounding_roles[0].store(
        crate::shared::role_code(Some(Role::Legato)),
        Ordering::Relaxed,
    );
    readouts.sounding_roles[3].store(
        crate::shared::role_code(Some(Role::LongHard)),
        Ordering::Relaxed,
    );
    readouts.late_notes.store(2, Ordering::Relaxed);
    let (playing, late) = super::articulations::readout_text(&readouts);
    assert_eq!(playing, "Playing now: Melody legato · Bass long-hard");
    assert!(late.is_some_and(|text| text.starts_with("2 notes sent late")));
    harness.run();
}

/// Issue 13: the Audio tab shows the input level, the live pitch with cents and the note heard.
#[test]
fn the_audio_tab_shows_level_pitch_and_the_note_heard() {
    use std::sync::atomic::Ordering;
    let (mut state, _audio, _library) = editor();
    let readouts = state.shared.readouts.clone();
    state.tab = Tab::Audio;
    let (mut harness, _host) = default_size_harness(state);
    harness.get_by_label("Audio in: not listened to (Capture from is MIDI)");
    readouts.audio_level_db.store(-23.4, Ordering::Relaxed);
    readouts.audio_pitch_midi.store(69.12, Ordering::Relaxed);
    readouts.audio_note.store(70, Ordering::Relaxed);
    assert_eq!(
        super::audio::readout_text(&readouts, true, None),
        "Audio in: -23 dB · pitch A4 +12 cents · hearing A4"
    );
    readouts.audio_pitch_midi.store(0.0, Ordering::Relaxed);
    readouts.audio_note.store(0, Ordering::Relaxed);
    assert_eq!(
        super::audio::readout_text(&readouts, true, None),
        "Audio in: -23 dB · no pitch"
    );
    harness.run();
}

#[test]
fn hits_imported_nudged_and_tapped_in_the_picture_tab_reach_the_state_and_the_audio_side() {
    use std::sync::atomic::Ordering;
    let path = std::env::temp_dir().join(format!("reprise-editor-hits-{}.csv", std::process::id()));
    std::fs::write(
        &path,
        "timecode,name,lands\n01:00:14:12,door slam,climax\n01:00:20:00,cut to exterior,start\n",
    )
    .unwrap();
    let (mut state, mut audio, library) = editor();
    state.tab = Tab::Picture;
    state.picture.import_path = path.display().to_string();
    state.picture.timecode = "01:00:00:00".into();
    let mut harness = Harness::new_ui_state(
        |ui, state: &mut EditorState| draw_editor(ui, state, None),
        state,
    );
    // The song's zero is 01:00:00:00, so the door slam is frame 348 at 24 fps.
    harness.get_by_label("Set zero").click();
    harness.run();
    harness.get_by_label("Import hits").click();
    harness.run();
    harness.get_by_label_contains("Imported 2 hits");
    harness.get_by_label("door slam");
    // The fit settings sit in the tab: Fit to bars, Fit to end hit and the ring after the cut.
    harness.get_by_label("Fit to end hit");
    harness.get_by_label("Ring after cut");
    harness.get_by_label("Fit to bars");
    let picture = library.0.picture();
    assert_eq!(
        picture.hits.iter().map(|h| h.frame).collect::<Vec<_>>(),
        [348, 480]
    );
    // Nudge the door slam a frame later.
    harness.get_all_by_label("+1").next().unwrap().click();
    harness.run();
    assert_eq!(library.0.picture().hits.iter().next().unwrap().frame, 349);
    // Retime the door slam to a typed timecode, renamed.
    harness.state_mut().picture.timecode = "01:00:15:00".into();
    harness.state_mut().picture.name = "slam".into();
    harness.run();
    harness.get_all_by_label("Retime").next().unwrap().click();
    harness.run();
    let first = *library.0.picture().hits.iter().next().unwrap();
    assert_eq!((first.frame, first.name.as_str()), (360, "slam"));
    harness.state_mut().picture.name.clear();
    // A tap of the tap key at 2.51 s snaps to frame 60.
    let readouts = harness.state().shared.readouts.clone();
    readouts
        .hits
        .last_tap_seconds
        .store(2.51, Ordering::Relaxed);
    readouts.hits.tap_count.store(1, Ordering::Release);
    harness.run();
    let frames: Vec<i64> = library.0.picture().hits.iter().map(|h| h.frame).collect();
    assert_eq!(frames, [60, 360, 480]);
    // Each change went to the audio side too; the last one holds all three hits.
    let mut last = None;
    while let Some(command) = audio.next_command() {
        if let Command::SetPicture { picture } = command {
            last = Some(picture);
        }
    }
    assert_eq!(last.expect("a picture command").hits.len(), 3);
    // A tempo map imported from a .mid goes with the picture.
    let map_path =
        std::env::temp_dir().join(format!("reprise-editor-map-{}.mid", std::process::id()));
    let map = crate::engine::time_map::TimeMap::from_changes(
        &[
            crate::engine::time_map::TempoChange {
                position_beats: 0.0,
                tempo_bpm: 96.0,
            },
            crate::engine::time_map::TempoChange {
                position_beats: 24.0,
                tempo_bpm: 120.0,
            },
        ],
        &[],
    );
    let bytes = crate::engine::midi_file::write_tracks_in_map(
        &[ExportTrack {
            name: "map",
            notes: &[Note {
                start_beats: 0.0,
                length_beats: 1.0,
                key: 60,
                velocity: 0.7,
                channel: 0,
            }],
            ccs: &[],
            programs: &[],
        }],
        &map,
        None,
    );
    std::fs::write(&map_path, bytes).unwrap();
    harness.state_mut().picture.tempo_map_path = map_path.display().to_string();
    harness.run();
    harness.get_by_label("Import tempo map").click();
    harness.run();
    harness.get_by_label_contains("Tempo ahead: the imported map (2 tempos)");
    assert_eq!(library.0.picture().tempo_map.as_slice().len(), 2);
    // Forgetting it goes back to the tempo in force, learning afresh.
    harness.get_by_label("Forget the map").click();
    harness.run();
    harness.get_by_label_contains("Tempo ahead: the tempo in force");
    let picture = library.0.picture();
    assert!(picture.tempo_map.is_empty());
    assert_eq!(
        picture.tempo_source,
        crate::engine::picture::TempoSource::Learnt
    );
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(map_path);
}

/// Issue 24: the hit lane above the rendering shows each hit and where its note lands, in
/// frames, whatever the tab.
#[test]
fn the_hit_lane_shows_each_hit_and_where_its_note_lands() {
    use crate::engine::hit_lock::HitOutcome;
    use crate::engine::hits::{Hit, HitName, Importance, Lands};
    use crate::engine::picture::Picture;
    let (state, _audio, library) = editor();
    let mut picture = Picture {
        start_frame: 86_400,
        ..Picture::default()
    };
    for (frame, name, lands) in [
        (348, "door slam", Lands::Climax),
        (480, "cut to exterior", Lands::Start),
    ] {
        picture.hits.push(Hit {
            frame,
            name: HitName::new(name),
            lands,
            importance: Importance::Must,
        });
    }
    library.0.set_picture(picture);
    let readouts = state.shared.readouts.clone();
    readouts.hits.set_outcome(0, HitOutcome::Locked, Some(0.0));
    readouts
        .hits
        .set_outcome(1, HitOutcome::Missed { by_beats: 0.25 }, Some(0.125));
    let (mut harness, _host) = default_size_harness(state);
    harness.run();
    harness.get_by_label_contains("Hits — 2 on the picture");
    harness.get_by_label("Hit door slam at 01:00:14:12 (climax, must): on the frame");
    harness.get_by_label("Hit cut to exterior at 01:00:20:00 (start, must): 3 frames late");
}
