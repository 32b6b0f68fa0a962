//! Dynamics curves on CC1 (dynamics) and/or CC11 (expression): u^γ between two levels up to a
//! climax, then an easing to an end level.

use crate::engine::choice::Choice;
use crate::engine::event::{CC_EXPRESSION, CC_MODULATION};
use crate::engine::motif::BEAT_EPSILON;
use crate::engine::rendering::{CcPoint, Rendering};

/// Which controller(s) carry the dynamics curve (libraries differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DynamicsCc {
    /// CC1 (modulation wheel: "dynamics" in most orchestral libraries).
    #[default]
    Modulation,
    /// CC11 (expression).
    Expression,
    /// Both CC1 and CC11 with the same curve.
    Both,
    /// No controller curve.
    None,
}

impl DynamicsCc {
    /// The choices, in their frozen order.
    pub const CHOICES: [Choice<DynamicsCc>; 4] = [
        Choice {
            value: DynamicsCc::Modulation,
            id: "cc1",
            label: "CC1 (dynamics)",
        },
        Choice {
            value: DynamicsCc::Expression,
            id: "cc11",
            label: "CC11 (expression)",
        },
        Choice {
            value: DynamicsCc::Both,
            id: "both",
            label: "CC1 + CC11",
        },
        Choice {
            value: DynamicsCc::None,
            id: "none",
            label: "None",
        },
    ];

    /// The controller numbers to write.
    pub fn controllers(self) -> &'static [u8] {
        match self {
            DynamicsCc::Modulation => &[CC_MODULATION],
            DynamicsCc::Expression => &[CC_EXPRESSION],
            DynamicsCc::Both => &[CC_MODULATION, CC_EXPRESSION],
            DynamicsCc::None => &[],
        }
    }

    /// Command-line name: `1`, `11`, `both`, `none`.
    pub fn parse(text: &str) -> Option<DynamicsCc> {
        match text.trim().to_ascii_lowercase().as_str() {
            "1" | "cc1" | "modulation" => Some(DynamicsCc::Modulation),
            "11" | "cc11" | "expression" => Some(DynamicsCc::Expression),
            "both" => Some(DynamicsCc::Both),
            "none" => Some(DynamicsCc::None),
            _ => None,
        }
    }
}

/// How early a controller value is sent before the note it shapes, in beats (1/960 beat: about
/// 0.5 ms at 120 BPM, a couple of dozen samples), so the instrument has it when the note starts.
pub const CC_LEAD_BEATS: f64 = 1.0 / 960.0;

/// Most grid points written per curve and controller (besides one point per note onset).
pub const MAX_GRID_POINTS: usize = 128;

/// A curve shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DynamicsCurve {
    /// Level at the start, 0–1.
    pub start_level: f32,
    /// Level at the climax, 0–1.
    pub climax_level: f32,
    /// Level at the end, 0–1.
    pub end_level: f32,
    /// Time of the climax, in beats.
    pub climax_beats: f64,
    /// Time of the end, in beats.
    pub end_beats: f64,
    /// Shape exponent: u^γ from start to climax (γ > 1 holds back then surges).
    pub gamma: f64,
}

impl DynamicsCurve {
    /// The level at `beats` (monotone from start to climax, then linear to the end level).
    pub fn level_at(&self, beats: f64) -> f32 {
        if beats <= self.climax_beats {
            let u = if self.climax_beats > 0.0 {
                (beats / self.climax_beats).clamp(0.0, 1.0)
            } else {
                1.0
            };
            self.start_level
                + (self.climax_level - self.start_level) * u.powf(self.gamma.max(0.01)) as f32
        } else {
            let span = (self.end_beats - self.climax_beats).max(BEAT_EPSILON);
            let u = ((beats - self.climax_beats) / span).clamp(0.0, 1.0) as f32;
            self.climax_level + (self.end_level - self.climax_level) * u
        }
    }
}

/// Writes the curve on `channel` for every controller of `cc`: a point every `step_beats` and one
/// [`CC_LEAD_BEATS`] before each note onset on that channel. Each point carries the curve's value
/// [`CC_LEAD_BEATS`] later than its own time, so a note finds its level already set and the
/// sequence stays monotone where the curve is.
pub fn write_curve(
    rendering: &mut Rendering,
    cc: DynamicsCc,
    channel: u8,
    curve: DynamicsCurve,
    step_beats: f64,
) {
    let step = if step_beats.is_finite() && step_beats > 0.0 {
        step_beats
    } else {
        0.25
    };
    // At most MAX_GRID_POINTS grid points per curve, so long (augmented) renderings keep within
    // the rendering's controller capacity.
    let step = step.max(curve.end_beats / MAX_GRID_POINTS as f64);
    for &controller in cc.controllers() {
        let num_steps = (curve.end_beats / step)
            .ceil()
            .clamp(0.0, MAX_GRID_POINTS as f64) as usize;
        for i in 0..=num_steps {
            let beats = (i as f64 * step).min(curve.end_beats);
            let point = CcPoint {
                lead_seconds: 0.0,
                beats,
                channel,
                cc: controller,
                value: curve.level_at(beats + CC_LEAD_BEATS),
            };
            rendering.push_cc(point);
        }
        let count = rendering.notes.len();
        for i in 0..count {
            let note = rendering.notes[i];
            if note.channel != channel {
                continue;
            }
            let beats = (note.start_beats - CC_LEAD_BEATS).max(0.0);
            rendering.push_cc(CcPoint {
                lead_seconds: 0.0,
                beats,
                channel,
                cc: controller,
                value: curve.level_at(beats + CC_LEAD_BEATS),
            });
        }
    }
}
