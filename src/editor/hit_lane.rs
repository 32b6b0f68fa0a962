//! The hit lane, drawn above the rendering: the picture's hits on a timeline of picture time
//! (seconds from the song's zero, labelled in timecode), each with where its note will land —
//! a dot on the hit when it lands on the frame, a dot early or late with the frames off when it
//! misses — and the playhead. Every hit is an accessible widget saying the same in words.

use egui::{Color32, Pos2, Rect, Role, Sense, Stroke, Ui, WidgetInfo};

use super::piano_roll::roll_frame;
use super::picture::landing_text;
use crate::engine::picture::Picture;
use crate::engine::timecode::frames_to_seconds;
use crate::shared::HitReadouts;

/// Picture time shown after the last hit, seconds (room for its name and a late landing).
const TAIL_SECONDS: f64 = 2.0;
/// The shortest span the lane shows, seconds (a single early hit is not drawn edge to edge).
const MIN_SPAN_SECONDS: f64 = 10.0;
/// Height of the lane, points.
const LANE_HEIGHT: f32 = 34.0;

/// The span of picture time the lane shows: from the song's zero (or the earliest hit, when one
/// lies before it) to the last hit plus [`TAIL_SECONDS`], at least [`MIN_SPAN_SECONDS`].
pub fn lane_span_seconds(picture: &Picture) -> (f64, f64) {
    let times = picture
        .hits
        .iter()
        .map(|hit| frames_to_seconds(hit.frame, picture.rate));
    let (first, last) = times.fold((0.0f64, 0.0f64), |(lo, hi), t| (lo.min(t), hi.max(t)));
    let end = (last + TAIL_SECONDS).max(first + MIN_SPAN_SECONDS);
    (first, end)
}

/// x of picture time `seconds` inside `rect` showing `span`.
pub fn seconds_to_x(rect: Rect, seconds: f64, (start, end): (f64, f64)) -> f32 {
    let fraction = if end > start {
        ((seconds - start) / (end - start)).clamp(0.0, 1.0)
    } else {
        0.0
    };
    rect.left() + rect.width() * fraction as f32
}

/// Draws the lane when the picture has hits: each hit, where its note lands, the playhead at
/// `playhead_seconds` (picture time of the last block).
pub fn draw(ui: &mut Ui, picture: &Picture, readouts: &HitReadouts, playhead_seconds: f64) {
    if picture.hits.is_empty() {
        return;
    }
    let rect = roll_frame(
        ui,
        LANE_HEIGHT,
        &format!(
            "Hits — {} on the picture (where each note lands)",
            picture.hits.len()
        ),
    );
    let span = lane_span_seconds(picture);
    let weak = ui.visuals().weak_text_color();
    for (index, hit) in picture.hits.iter().enumerate() {
        let hit_seconds = frames_to_seconds(hit.frame, picture.rate);
        let x = seconds_to_x(rect, hit_seconds, span);
        ui.painter().line_segment(
            [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
            Stroke::new(1.5, Color32::from_rgb(0xe0, 0x60, 0x80)),
        );
        let landing = landing_text(
            readouts.outcome(index),
            readouts.miss_seconds(index),
            hit.lands,
            picture.rate,
        );
        if let Some(miss) = readouts.miss_seconds(index) {
            let on_frame = (miss * picture.rate.fps()).round() == 0.0;
            let colour = if on_frame {
                Color32::from_rgb(0x70, 0xad, 0x47)
            } else {
                Color32::from_rgb(0xff, 0xc0, 0x00)
            };
            let landing_x = seconds_to_x(rect, hit_seconds + miss, span);
            ui.painter()
                .circle_filled(Pos2::new(landing_x, rect.center().y + 6.0), 4.0, colour);
        }
        let name = hit.name.as_str();
        let galley =
            ui.painter()
                .layout_no_wrap(name.to_owned(), egui::FontId::proportional(10.0), weak);
        let text_pos = Pos2::new(x + 2.0, rect.top() + 1.0);
        let text_rect = Rect::from_min_size(text_pos, galley.size());
        ui.painter().galley(text_pos, galley, weak);
        let label = format!(
            "Hit {name} at {} ({}, {}): {landing}",
            picture.timecode_of(hit.frame).display(picture.rate),
            hit.lands.name(),
            hit.importance.name(),
        );
        let response = ui.interact(
            text_rect.union(Rect::from_min_max(
                Pos2::new(x - 3.0, rect.top()),
                Pos2::new(x + 3.0, rect.bottom()),
            )),
            ui.scope_id().with(("hit-lane", index)),
            Sense::hover(),
        );
        response.widget_info(|| WidgetInfo::labeled(Role::Label, true, label.clone()));
        response.on_hover_text(label);
    }
    if playhead_seconds.is_finite() && playhead_seconds >= span.0 && playhead_seconds <= span.1 {
        let x = seconds_to_x(rect, playhead_seconds, span);
        ui.painter().line_segment(
            [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
            Stroke::new(2.0, Color32::WHITE),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::hits::{Hit, HitName, Importance, Lands};
    use crate::engine::timecode::FrameRate;

    #[test]
    fn the_lane_spans_the_hits_and_maps_seconds_into_it() {
        let mut picture = Picture {
            rate: FrameRate::Fps24,
            ..Picture::default()
        };
        assert_eq!(lane_span_seconds(&picture), (0.0, MIN_SPAN_SECONDS));
        for frame in [-24, 480] {
            picture.hits.push(Hit {
                frame,
                name: HitName::new("h"),
                lands: Lands::Climax,
                importance: Importance::Must,
            });
        }
        // From a second before zero to 20 s + the tail.
        assert_eq!(lane_span_seconds(&picture), (-1.0, 22.0));
        let rect = Rect::from_min_size(Pos2::new(0.0, 0.0), egui::Vec2::new(230.0, 10.0));
        assert_eq!(seconds_to_x(rect, -1.0, (-1.0, 22.0)), 0.0);
        assert_eq!(seconds_to_x(rect, 22.0, (-1.0, 22.0)), 230.0);
        assert_eq!(seconds_to_x(rect, 10.5, (-1.0, 22.0)), 115.0);
        assert_eq!(seconds_to_x(rect, 99.0, (-1.0, 22.0)), 230.0, "clamped");
    }
}
