//! The piano roll: the captured motif above its current rendering (a colour per output channel),
//! with lanes for the dynamics controller and the sustain pedal, and the playhead. Note names on
//! the key axis, bar numbers (in the motif's metre) on the time axis. Layout math is in small
//! pure functions; every note, key name and bar number is an accessible widget with a label.
//! Note names are spelled in the key (B♭, not A♯, in F major), in ASCII as the key readout is.

use egui::{Color32, Pos2, Rect, Role, Sense, Stroke, StrokeKind, Ui, Vec2, WidgetInfo};

use crate::engine::event::{is_sustain_down, CC_EXPRESSION, CC_MODULATION, CC_SUSTAIN};
use crate::engine::key::{Key, Mode};
use crate::engine::motif::Motif;
use crate::engine::motif::BEAT_EPSILON;
use crate::engine::notation::BarBeat;
use crate::engine::ops::dynamics::DynamicsCc;
use crate::engine::rendering::Rendering;
use crate::engine::scale::ScaleMode;
use crate::engine::spelling::NoteName;

/// Colours of output channels 1–8 (repeating).
pub const CHANNEL_COLOURS: [Color32; 8] = [
    Color32::from_rgb(0x5b, 0x9b, 0xd5),
    Color32::from_rgb(0xed, 0x7d, 0x31),
    Color32::from_rgb(0x70, 0xad, 0x47),
    Color32::from_rgb(0xff, 0xc0, 0x00),
    Color32::from_rgb(0xa5, 0x6c, 0xc1),
    Color32::from_rgb(0x4b, 0xc0, 0xc0),
    Color32::from_rgb(0xe0, 0x60, 0x80),
    Color32::from_rgb(0x9e, 0x9e, 0x9e),
];

/// x of a beat inside `rect` for a view `length_beats` long.
pub fn beat_to_x(rect: Rect, beats: f64, length_beats: f64) -> f32 {
    let fraction = if length_beats > 0.0 {
        (beats / length_beats).clamp(0.0, 1.0)
    } else {
        0.0
    };
    rect.left() + rect.width() * fraction as f32
}

/// y of the top of a key's row inside `rect` showing keys `low..=high` (high at the top).
pub fn key_to_y(rect: Rect, key: u8, low: u8, high: u8) -> f32 {
    let rows = (high.saturating_sub(low) as f32 + 1.0).max(1.0);
    let row = high.saturating_sub(key.clamp(low, high)) as f32;
    rect.top() + rect.height() * row / rows
}

/// Key range to show: the notes' range with two keys of margin, at least an octave.
pub fn key_span(keys: impl Iterator<Item = u8>) -> (u8, u8) {
    let (low, high) = keys.fold((127u8, 0u8), |(lo, hi), k| (lo.min(k), hi.max(k)));
    if low > high {
        return (60, 72);
    }
    let (mut low, mut high) = (low.saturating_sub(2), high.saturating_add(2).min(127));
    while high - low < 12 {
        low = low.saturating_sub(1);
        high = (high + 1).min(127);
    }
    (low, high)
}

/// Width of the key axis (note names) left of each roll, points.
pub const KEY_AXIS_WIDTH: f32 = 34.0;
/// Most beat lines drawn per roll (a 256-bar motif would otherwise draw thousands).
const MAX_GRID_LINES: usize = 512;

/// The frame of one lane: its title, then the lane (right of a key-axis gutter).
pub(super) fn roll_frame(ui: &mut Ui, height: f32, title: &str) -> Rect {
    ui.label(title);
    let (outer, _) = ui.allocate_exact_size(
        Vec2::new(ui.available_width().max(200.0), height),
        Sense::hover(),
    );
    let rect = Rect::from_min_max(
        Pos2::new(outer.left() + KEY_AXIS_WIDTH, outer.top()),
        outer.max,
    );
    ui.painter()
        .rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
    rect
}

/// A small accessible text: painted at `pos` (left-top), labelled `label` for screen readers
/// and tests.
fn axis_text(ui: &mut Ui, pos: Pos2, text: &str, label: String, id: egui::Id) {
    let galley = ui.painter().layout_no_wrap(
        text.to_owned(),
        egui::FontId::proportional(10.0),
        ui.visuals().weak_text_color(),
    );
    let rect = Rect::from_min_size(pos, galley.size());
    ui.painter()
        .galley(pos, galley, ui.visuals().weak_text_color());
    let response = ui.interact(rect, id, Sense::hover());
    response.widget_info(|| WidgetInfo::labeled(Role::Label, true, label.clone()));
}

/// A note name as the editor writes it: in `key` when there is one, in ASCII (the editor's
/// fonts have no ♭ or ♯, as the key readout says `Bb major`).
fn written(key_number: u8, key: Option<Key>) -> String {
    NoteName::in_optional_key(key_number, key)
        .ascii()
        .to_string()
}

/// The key a rendering of a motif in `motif_key` sounds in: moved by the chromatic
/// `transpose_semitones`, and with a mode change in the changed mode's family (minor for the
/// minor, harmonic minor, dorian, phrygian and locrian modes; major for the others). Diatonic
/// transposition stays in the key.
pub fn rendering_key(
    motif_key: Option<Key>,
    transpose_semitones: i32,
    mode_change: Option<ScaleMode>,
) -> Option<Key> {
    motif_key.map(|key| {
        let mode = match mode_change {
            None => key.mode,
            Some(ScaleMode::Major | ScaleMode::Lydian | ScaleMode::Mixolydian) => Mode::Major,
            Some(
                ScaleMode::Minor
                | ScaleMode::HarmonicMinor
                | ScaleMode::Dorian
                | ScaleMode::Phrygian
                | ScaleMode::Locrian,
            ) => Mode::Minor,
        };
        let tonic = (i32::from(key.tonic) + transpose_semitones).rem_euclid(12) as u8;
        Key::new(tonic, mode)
    })
}

/// Note names on the key axis of a roll showing keys `low..=high`, spelled in `key`: every row
/// when rows are tall enough to read, else the C of each octave (and the lowest key).
fn key_axis(ui: &mut Ui, rect: Rect, (low, high): (u8, u8), key: Option<Key>, roll: &str) {
    let row_height = rect.height() / (high - low + 1) as f32;
    for key_number in low..=high {
        // Small rows: the C of each octave, and the lowest key unless a C is close by.
        let c_nearby = (low..=low.saturating_add(2).min(high)).any(|k| k % 12 == 0);
        if row_height < 10.0 && key_number % 12 != 0 && (key_number != low || c_nearby) {
            continue;
        }
        let name = written(key_number, key);
        let top = key_to_y(rect, key_number, low, high);
        let y = top + (row_height - 10.0).max(0.0) / 2.0;
        axis_text(
            ui,
            Pos2::new(rect.left() - KEY_AXIS_WIDTH + 2.0, y),
            &name,
            format!("{roll} key {name}"),
            ui.scope_id().with((roll, "key", key_number)),
        );
    }
}

/// Beat lines (bar lines stronger) and bar numbers, counting from 1, in the motif's metre.
fn grid(ui: &mut Ui, rect: Rect, length_beats: f64, bar_beats: f64, roll: &str) {
    let num_beats = (length_beats.max(0.0).floor() as usize + 1).min(MAX_GRID_LINES);
    for beat_index in 0..num_beats {
        let beat = beat_index as f64;
        let x = beat_to_x(rect, beat, length_beats);
        let bar_position = if bar_beats > 0.0 {
            beat / bar_beats
        } else {
            0.5
        };
        let on_bar = (bar_position - bar_position.round()).abs() < 1e-6;
        let colour = if on_bar {
            ui.visuals().weak_text_color()
        } else {
            ui.visuals().faint_bg_color
        };
        ui.painter().line_segment(
            [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
            Stroke::new(1.0, colour),
        );
        if on_bar && beat < length_beats - BEAT_EPSILON {
            let bar = bar_position.round() as i64 + 1;
            axis_text(
                ui,
                Pos2::new(x + 2.0, rect.top() + 1.0),
                &bar.to_string(),
                format!("{roll} bar {bar}"),
                ui.scope_id().with((roll, "bar", bar)),
            );
        }
    }
}

/// The dynamics lane's title: the controller actually sent.
pub fn dynamics_title(cc: DynamicsCc) -> &'static str {
    match cc {
        DynamicsCc::Modulation => "Dynamics sent as CC1 (modulation)",
        DynamicsCc::Expression => "Dynamics sent as CC11 (expression)",
        DynamicsCc::Both => "Dynamics sent as CC1 and CC11",
        DynamicsCc::None => "Dynamics: no controller sent (Dynamics CC is None)",
    }
}

fn note_widget(ui: &mut Ui, rect: Rect, id: egui::Id, colour: Color32, label: String) {
    ui.painter().rect_filled(rect, 1.0, colour);
    ui.painter().rect_stroke(
        rect,
        1.0,
        Stroke::new(1.0, Color32::BLACK),
        StrokeKind::Inside,
    );
    let response = ui.interact(rect, id, Sense::hover());
    response.widget_info(|| WidgetInfo::labeled(Role::Label, true, label.clone()));
    response.on_hover_text(label);
}

/// Draws the motif roll (spelled in the motif's key), then `above_rendering` (the hit lane),
/// the rendering roll (spelled in `rendering_key`, with `playhead_beats`) and the controller
/// lanes (the dynamics lane shows `dynamics_cc`, the controller being sent).
pub fn draw(
    ui: &mut Ui,
    motif: &Motif,
    rendering: &Rendering,
    rendering_key: Option<Key>,
    playhead_beats: Option<f64>,
    dynamics_cc: DynamicsCc,
    above_rendering: impl FnOnce(&mut Ui),
) {
    let bar = motif.time_signature.bar_length_beats();
    draw_motif_roll(ui, motif);
    above_rendering(ui);
    let length = rendering.length_beats.max(1.0);
    draw_rendering_roll(ui, rendering, rendering_key, bar, playhead_beats);
    draw_dynamics_lane(ui, rendering, length, dynamics_cc);
    draw_pedal_lane(ui, rendering, length);
}

/// The motif's roll: its notes on its bar grid, each a widget with a spoken label.
fn draw_motif_roll(ui: &mut Ui, motif: &Motif) {
    let metre = motif.time_signature;
    let bar = metre.bar_length_beats();
    let (low, high) = key_span(motif.notes().iter().map(|n| n.key));
    let rect = roll_frame(
        ui,
        100.0,
        &format!(
            "Captured motif — {} notes, {}/{}",
            motif.len(),
            metre.numerator,
            metre.denominator
        ),
    );
    grid(ui, rect, motif.length_beats, bar, "Motif");
    key_axis(ui, rect, (low, high), motif.key(), "Motif");
    let row_height = rect.height() / (high - low + 1) as f32;
    for (idx, note) in motif.notes().iter().enumerate() {
        let top = key_to_y(rect, note.key, low, high);
        let note_rect = Rect::from_min_max(
            Pos2::new(beat_to_x(rect, note.start_beats, motif.length_beats), top),
            Pos2::new(
                beat_to_x(rect, note.end_beats(), motif.length_beats)
                    .max(beat_to_x(rect, note.start_beats, motif.length_beats) + 2.0),
                top + row_height.max(2.0),
            ),
        );
        let label = format!(
            "Motif note {} at beat {:.2}, {:.2} beats (bar:beat {})",
            written(note.key, motif.key()),
            note.start_beats,
            note.length_beats,
            BarBeat::of(note.start_beats, metre)
        );
        note_widget(
            ui,
            note_rect,
            ui.scope_id().with(("motif-note", idx)),
            ui.visuals().text_color(),
            label,
        );
    }
}

/// The rendering's roll (a colour per output channel) and the playhead.
fn draw_rendering_roll(
    ui: &mut Ui,
    rendering: &Rendering,
    key: Option<Key>,
    bar: f64,
    playhead_beats: Option<f64>,
) {
    let (low, high) = key_span(rendering.notes.iter().map(|n| n.key));
    let length = rendering.length_beats.max(1.0);
    let rect = roll_frame(
        ui,
        140.0,
        &format!("Rendering — {} notes", rendering.notes.len()),
    );
    grid(ui, rect, length, bar, "Rendering");
    key_axis(ui, rect, (low, high), key, "Rendering");
    let row_height = rect.height() / (high - low + 1) as f32;
    for (idx, note) in rendering.notes.iter().enumerate().take(2048) {
        let top = key_to_y(rect, note.key, low, high);
        let x0 = beat_to_x(rect, note.start_beats, length);
        let note_rect = Rect::from_min_max(
            Pos2::new(x0, top),
            Pos2::new(
                beat_to_x(rect, note.end_beats(), length).max(x0 + 2.0),
                top + row_height.max(2.0),
            ),
        );
        let label = format!(
            "Rendered note {} at beat {:.2}, {:.2} beats, channel {}",
            written(note.key, key),
            note.start_beats,
            note.length_beats,
            note.channel + 1
        );
        note_widget(
            ui,
            note_rect,
            ui.scope_id().with(("rendered-note", idx)),
            CHANNEL_COLOURS[note.channel as usize % 8],
            label,
        );
    }
    if let Some(beats) = playhead_beats {
        let x = beat_to_x(rect, beats, length);
        ui.painter().line_segment(
            [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
            Stroke::new(2.0, Color32::WHITE),
        );
    }
}

/// The dynamics controller lane: the controller sent, on the melody channel.
fn draw_dynamics_lane(ui: &mut Ui, rendering: &Rendering, length: f64, dynamics_cc: DynamicsCc) {
    let lane = roll_frame(ui, 36.0, dynamics_title(dynamics_cc));
    let melody_channel = rendering
        .notes
        .iter()
        .find(|n| n.voice == crate::engine::rendering::Voice::Melody)
        .map_or(0, |n| n.channel);
    let points: Vec<Pos2> = rendering
        .ccs
        .iter()
        .filter(|p| {
            let sent = match dynamics_cc {
                DynamicsCc::Modulation | DynamicsCc::Both => CC_MODULATION,
                DynamicsCc::Expression => CC_EXPRESSION,
                DynamicsCc::None => return false,
            };
            p.cc == sent && p.channel == melody_channel
        })
        .map(|p| {
            Pos2::new(
                beat_to_x(lane, p.beats, length),
                lane.bottom() - lane.height() * p.value,
            )
        })
        .collect();
    if points.len() >= 2 {
        ui.painter().add(egui::Shape::line(
            points,
            Stroke::new(1.5, CHANNEL_COLOURS[0]),
        ));
    }
}

/// The sustain pedal lane: a bar wherever the pedal is down.
fn draw_pedal_lane(ui: &mut Ui, rendering: &Rendering, length: f64) {
    let pedal = roll_frame(ui, 16.0, "Sustain pedal (CC64)");
    let mut down_since: Option<f64> = None;
    for point in rendering.ccs.iter().filter(|p| p.cc == CC_SUSTAIN) {
        match (is_sustain_down(point.value), down_since) {
            (true, None) => down_since = Some(point.beats),
            (false, Some(start)) => {
                let r = Rect::from_min_max(
                    Pos2::new(beat_to_x(pedal, start, length), pedal.top() + 3.0),
                    Pos2::new(beat_to_x(pedal, point.beats, length), pedal.bottom() - 3.0),
                );
                ui.painter().rect_filled(r, 1.0, CHANNEL_COLOURS[2]);
                down_since = None;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dynamics_lane_names_the_controller_sent() {
        assert!(dynamics_title(DynamicsCc::Expression).contains("CC11"));
        assert!(!dynamics_title(DynamicsCc::Expression).contains("CC1 "));
        assert!(dynamics_title(DynamicsCc::None).contains("no controller"));
    }

    #[test]
    fn layout_math_maps_beats_and_keys_into_the_rect() {
        let rect = Rect::from_min_size(Pos2::new(10.0, 20.0), Vec2::new(400.0, 130.0));
        assert_eq!(beat_to_x(rect, 0.0, 8.0), 10.0);
        assert_eq!(beat_to_x(rect, 4.0, 8.0), 210.0);
        assert_eq!(
            beat_to_x(rect, 99.0, 8.0),
            410.0,
            "clamped to the right edge"
        );
        assert_eq!(key_to_y(rect, 72, 60, 72), 20.0, "highest key at the top");
        assert_eq!(key_to_y(rect, 60, 60, 72), 20.0 + 130.0 * 12.0 / 13.0);
        assert_eq!(
            key_span([64u8, 65].into_iter()),
            (58, 71),
            "widened evenly to at least an octave"
        );
    }
}
