//! The Picture panel: the frame rate, the timecode of the song's zero (typed, or calibrated from
//! where the playhead is), hit lock and the tap key, and the hit list — add by timecode, tap,
//! import (CSV spotting list, EDL cuts, .mid markers), change what lands and how much it
//! matters, nudge by a frame, retime to a typed timecode (and rename), delete — with where each
//! hit's note lands.
//!
//! The picture lives in the saved state ([`crate::library_state::SharedLibrary`], main thread);
//! every change is also sent to the audio thread as a command.

use nice_plug::prelude::*;

use super::widgets::param_widget;
use super::EditorState;
use crate::engine::hit_lock::HitOutcome;
use crate::engine::hit_sources::hits_from_file;
use crate::engine::hits::{Hit, HitList, HitName, Importance, Lands};
use crate::engine::midi_file::read_performance;
use crate::engine::picture::{Picture, TempoList, TempoSource};
use crate::engine::timecode::{nearest_frame, parse_timecode, FrameRate};
use crate::shared::Command;

/// What the panel's text fields hold. Owner: the GUI thread.
#[derive(Debug, Clone, Default)]
pub struct PictureDraft {
    /// Timecode typed for a new hit, or for calibration.
    pub timecode: String,
    /// Name typed for a new hit.
    pub name: String,
    /// Path typed for import.
    pub import_path: String,
    /// Path typed for a tempo map import.
    pub tempo_map_path: String,
    /// Taps already turned into hits.
    pub taps_seen: Option<u64>,
}

/// How a hit's landing reads: on the frame, or how many frames early or late; what does not
/// land says why.
pub fn landing_text(
    outcome: HitOutcome,
    miss_seconds: Option<f64>,
    lands: Lands,
    rate: FrameRate,
) -> String {
    match (lands, outcome, miss_seconds) {
        (Lands::End, HitOutcome::NotHandled | HitOutcome::Unplanned, _) => {
            "end: the button lands here with Fit to end hit on (and in reprise fit)".into()
        }
        (_, HitOutcome::Conflict, _) => {
            "not landed: an earlier must hit takes the statement".into()
        }
        (_, HitOutcome::Guarded, _) => "ignored: within 2 s of the stinger before".into(),
        (_, _, None) => "not planned (Follow transport, loop and hit lock on?)".into(),
        (_, _, Some(seconds)) => {
            let frames = (seconds * rate.fps()).round() as i64;
            match frames {
                0 => "on the frame".into(),
                f if f < 0 => format!("{} frame{} early", -f, plural(-f)),
                f => format!("{f} frame{} late", plural(f)),
            }
        }
    }
}

/// What hit lock places hits by: the imported map, the map learnt from playback, or the tempo
/// in force.
pub fn tempo_ahead_text(picture: &Picture) -> String {
    let count = picture.tempo_map.as_slice().len();
    match (picture.tempo_map.is_empty(), picture.tempo_source) {
        (true, _) => "Tempo ahead: the tempo in force (a tempo change is learnt as the song plays from its zero)".into(),
        (false, TempoSource::Imported) => format!("Tempo ahead: the imported map ({count} tempos)"),
        (false, TempoSource::Learnt) => {
            format!("Tempo ahead: learnt from playback ({count} tempos)")
        }
    }
}

fn plural(count: i64) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// Saves `picture` with the project and hands it to the audio thread.
fn commit(state: &mut EditorState, picture: Picture) {
    state.params.library.0.set_picture(picture);
    if !state.shared.send(Command::SetPicture { picture }) {
        state.message =
            Some("The picture could not reach playback (queue full); try again.".into());
    }
}

/// A hit list with `edit` applied to hit `index` (the list stays in time order).
fn with_hit(list: &HitList, index: usize, edit: impl Fn(&mut Hit) -> bool) -> HitList {
    let mut out = HitList::default();
    for (i, hit) in list.iter().enumerate() {
        let mut hit = *hit;
        if i == index && !edit(&mut hit) {
            continue;
        }
        out.push(hit);
    }
    out
}

/// Adds a hit at `frame` (from the song's zero); says what happened.
fn add_hit(state: &mut EditorState, frame: i64, name: &str) -> String {
    let mut picture = state.params.library.0.picture();
    let name = if name.trim().is_empty() {
        format!("hit {}", picture.hits.len() + 1)
    } else {
        name.trim().to_owned()
    };
    let added = picture.hits.push(Hit {
        frame,
        name: HitName::new(&name),
        lands: Lands::Climax,
        importance: Importance::Must,
    });
    if !added {
        return "The hit list is full (64 hits).".into();
    }
    let timecode = picture.timecode_of(frame).display(picture.rate).to_string();
    commit(state, picture);
    format!("Added \"{name}\" at {timecode}.")
}

/// Reads the file at the typed path into the hit list (replacing it).
fn import(state: &mut EditorState) -> String {
    let path = std::path::PathBuf::from(state.picture.import_path.trim());
    let mut picture = state.params.library.0.picture();
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => return format!("Import failed: cannot read {}: {e}", path.display()),
    };
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    match hits_from_file(&extension, &bytes, picture.rate, picture.start_frame) {
        Ok(hits) => {
            let count = hits.len();
            picture.hits = hits;
            commit(state, picture);
            format!("Imported {count} hits from {}.", path.display())
        }
        Err(e) => format!("Import failed: {}: {e}", path.display()),
    }
}

/// Reads the tempo map of the .mid at the typed path into the picture (hit lock then places
/// hits by it, while it agrees with the host's position).
fn import_tempo_map(state: &mut EditorState) -> String {
    let path = std::path::PathBuf::from(state.picture.tempo_map_path.trim());
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => return format!("Import failed: cannot read {}: {e}", path.display()),
    };
    let performance = match read_performance(&bytes, None) {
        Ok(performance) => performance,
        Err(e) => return format!("Import failed: {}: {e}", path.display()),
    };
    let (tempo_map, left_out) = TempoList::from_changes(performance.time_map.tempo_changes());
    let count = tempo_map.as_slice().len();
    let mut picture = state.params.library.0.picture();
    picture.tempo_map = tempo_map;
    picture.tempo_source = TempoSource::Imported;
    commit(state, picture);
    if left_out > 0 {
        format!(
            "Imported the tempo map ({count} tempos); {left_out} more than a picture holds were left out."
        )
    } else {
        format!(
            "Imported the tempo map ({count} tempos) from {}.",
            path.display()
        )
    }
}

/// Turns new taps of the tap key into hits (each snapped to the nearest frame).
pub fn take_taps(state: &mut EditorState) {
    use std::sync::atomic::Ordering;
    let hits = &state.shared.readouts.hits;
    let count = hits.tap_count.load(Ordering::Acquire);
    let seconds = hits.last_tap_seconds.load(Ordering::Relaxed);
    let seen = state.picture.taps_seen.replace(count);
    // Taps before the editor opened are not ones the composer is looking at; several taps
    // between two frames of the editor keep the last.
    if seen.is_some_and(|seen| count > seen) {
        let rate = state.params.library.0.picture().rate;
        let message = add_hit(state, nearest_frame(seconds, rate), "tap");
        state.message = Some(message);
    }
}

pub fn draw(ui: &mut egui::Ui, state: &mut EditorState, setter: Option<&ParamSetter>) {
    let picture = state.params.library.0.picture();
    let shared_readouts = state.shared.readouts.clone();
    let readouts = &shared_readouts.hits;
    let playhead_seconds = readouts
        .playhead_seconds
        .load(std::sync::atomic::Ordering::Relaxed);
    let host_seconds = readouts
        .host_gives_seconds
        .load(std::sync::atomic::Ordering::Relaxed);
    let mut changed: Option<Picture> = None;
    let mut message: Option<String> = None;
    ui.horizontal(|ui| {
        let mut rate = picture.rate;
        egui::ComboBox::from_label("Frame rate")
            .selected_text(rate.id())
            .show_ui(ui, |ui| {
                for choice in FrameRate::ALL {
                    ui.selectable_value(&mut rate, choice, choice.id());
                }
            });
        if rate != picture.rate {
            changed = Some(Picture { rate, ..picture });
        }
        ui.label(format!(
            "Zero at {}",
            picture.start_timecode().display(picture.rate)
        ));
        ui.label("Hit lock");
        param_widget(ui, &state.params.hit_lock, setter);
        ui.label("Stinger over");
        param_widget(ui, &state.params.stinger_over, setter);
        ui.label("Tap key");
        param_widget(ui, &state.params.tap_key, setter);
    });
    ui.horizontal_wrapped(|ui| {
        ui.label("Fit to bars");
        param_widget(ui, &state.params.fit_bars, setter);
        ui.label("Fit to end hit");
        param_widget(ui, &state.params.fit_end_hit, setter);
        ui.label("Ring after cut");
        param_widget(ui, &state.params.end_ring, setter);
    });
    if !host_seconds {
        ui.colored_label(
            egui::Color32::YELLOW,
            "The host gives no picture time: beats / tempo is used",
        );
    }
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut state.picture.timecode)
                .desired_width(96.0)
                .hint_text("01:00:14:12"),
        );
        ui.add(
            egui::TextEdit::singleline(&mut state.picture.name)
                .desired_width(110.0)
                .hint_text("door slam"),
        );
        let typed = state.picture.timecode.clone();
        let parsed = parse_timecode(&typed, picture.rate);
        if ui.button("Add hit").clicked() {
            message = Some(match &parsed {
                Ok(timecode) => {
                    let frame = picture.rate.frames_after(*timecode, picture.start_frame);
                    let name = state.picture.name.clone();
                    add_hit(state, frame, &name)
                }
                Err(e) => format!("Not a timecode: {e}"),
            });
        }
        if ui
            .button("Set zero")
            .on_hover_text("The song's zero is at this timecode")
            .clicked()
        {
            match &parsed {
                Ok(timecode) => {
                    changed = Some(Picture {
                        start_frame: *timecode,
                        ..picture
                    })
                }
                Err(e) => message = Some(format!("Not a timecode: {e}")),
            }
        }
        if ui
            .button("Playhead is here")
            .on_hover_text("Calibrate: the playhead is now at this timecode")
            .clicked()
        {
            match &parsed {
                Ok(timecode) => {
                    let now = nearest_frame(playhead_seconds, picture.rate);
                    changed = Some(Picture {
                        start_frame: timecode - now,
                        ..picture
                    });
                }
                Err(e) => message = Some(format!("Not a timecode: {e}")),
            }
        }
        if ui
            .button("Tap")
            .on_hover_text("A hit where the playhead is")
            .clicked()
        {
            let frame = nearest_frame(playhead_seconds, picture.rate);
            message = Some(add_hit(state, frame, "tap"));
        }
        ui.add(
            egui::TextEdit::singleline(&mut state.picture.import_path)
                .desired_width(150.0)
                .hint_text("/path/hits.csv|.edl|.mid"),
        );
        if ui.button("Import hits").clicked() {
            message = Some(import(state));
        }
    });
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut state.picture.tempo_map_path)
                .desired_width(150.0)
                .hint_text("/path/song-tempo.mid"),
        );
        if ui.button("Import tempo map").clicked() {
            message = Some(import_tempo_map(state));
        }
        let current = changed.unwrap_or(state.params.library.0.picture());
        ui.label(tempo_ahead_text(&current));
        if !current.tempo_map.is_empty() && ui.button("Forget the map").clicked() {
            // Learning starts afresh.
            changed = Some(Picture {
                tempo_map: TempoList::default(),
                tempo_source: TempoSource::Learnt,
                ..current
            });
        }
    });
    let picture = changed.unwrap_or(state.params.library.0.picture());
    egui::ScrollArea::vertical()
        .max_height(48.0)
        .show(ui, |ui| {
            egui::Grid::new("hits").num_columns(6).show(ui, |ui| {
                for (index, hit) in picture.hits.iter().enumerate() {
                    ui.label(
                        picture
                            .timecode_of(hit.frame)
                            .display(picture.rate)
                            .to_string(),
                    );
                    ui.label(hit.name.as_str());
                    if ui
                        .button(hit.lands.name())
                        .on_hover_text("What lands here")
                        .clicked()
                    {
                        let next = Lands::ALL[(Lands::ALL
                            .iter()
                            .position(|l| *l == hit.lands)
                            .unwrap_or(0)
                            + 1)
                            % Lands::ALL.len()];
                        changed = Some(Picture {
                            hits: with_hit(&picture.hits, index, |h| {
                                h.lands = next;
                                true
                            }),
                            ..picture
                        });
                    }
                    if ui.button(hit.importance.name()).clicked() {
                        let next = match hit.importance {
                            Importance::Must => Importance::Should,
                            Importance::Should => Importance::Must,
                        };
                        changed = Some(Picture {
                            hits: with_hit(&picture.hits, index, |h| {
                                h.importance = next;
                                true
                            }),
                            ..picture
                        });
                    }
                    ui.label(landing_text(
                        readouts.outcome(index),
                        readouts.miss_seconds(index),
                        hit.lands,
                        picture.rate,
                    ));
                    ui.horizontal(|ui| {
                        for (label, delta) in [("-1", -1i64), ("+1", 1)] {
                            if ui
                                .small_button(label)
                                .on_hover_text("Nudge by a frame")
                                .clicked()
                            {
                                changed = Some(Picture {
                                    hits: with_hit(&picture.hits, index, |h| {
                                        h.frame += delta;
                                        true
                                    }),
                                    ..picture
                                });
                            }
                        }
                        if ui
                            .small_button("Retime")
                            .on_hover_text(
                                "Move this hit to the timecode typed above (and give it the name \
                                 typed, if any)",
                            )
                            .clicked()
                        {
                            match parse_timecode(&state.picture.timecode, picture.rate) {
                                Ok(timecode) => {
                                    let frame =
                                        picture.rate.frames_after(timecode, picture.start_frame);
                                    let name = state.picture.name.trim().to_owned();
                                    changed = Some(Picture {
                                        hits: with_hit(&picture.hits, index, |h| {
                                            h.frame = frame;
                                            if !name.is_empty() {
                                                h.name = HitName::new(&name);
                                            }
                                            true
                                        }),
                                        ..picture
                                    });
                                }
                                Err(e) => message = Some(format!("Not a timecode: {e}")),
                            }
                        }
                        if ui.small_button("Delete").on_hover_text("Delete").clicked() {
                            changed = Some(Picture {
                                hits: with_hit(&picture.hits, index, |_| false),
                                ..picture
                            });
                        }
                    });
                    ui.end_row();
                }
            });
        });
    if let Some(picture) = changed {
        commit(state, picture);
    }
    if message.is_some() {
        state.message = message;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_landing_reads_in_frames() {
        let rate = FrameRate::Fps24;
        let locked = HitOutcome::Locked;
        let missed = HitOutcome::Missed { by_beats: 0.0 };
        assert_eq!(
            landing_text(locked, Some(0.0), Lands::Climax, rate),
            "on the frame"
        );
        assert_eq!(
            landing_text(missed, Some(-0.125), Lands::Climax, rate),
            "3 frames early"
        );
        assert_eq!(
            landing_text(missed, Some(1.0 / 24.0), Lands::Stinger, rate),
            "1 frame late"
        );
        let unplanned = HitOutcome::Unplanned;
        assert!(landing_text(unplanned, None, Lands::Climax, rate).starts_with("not planned"));
        assert!(landing_text(HitOutcome::NotHandled, None, Lands::End, rate).starts_with("end"));
        assert_eq!(
            landing_text(locked, Some(0.0), Lands::End, rate),
            "on the frame"
        );
        assert!(
            landing_text(HitOutcome::Guarded, None, Lands::Stinger, rate).starts_with("ignored")
        );
    }
}
