//! Quantize on capture: pull note onsets and ends toward a grid by a strength.

use super::choice::Choice;
use super::motif::Note;

/// Quantize grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grid {
    /// 1/4 notes (1 beat).
    Quarter,
    /// 1/8 notes.
    Eighth,
    /// 1/16 notes.
    Sixteenth,
    /// 1/32 notes.
    ThirtySecond,
    /// 1/4-note triplets (2/3 beat).
    QuarterTriplet,
    /// 1/8-note triplets (1/3 beat).
    EighthTriplet,
    /// 1/16-note triplets (1/6 beat).
    SixteenthTriplet,
    /// 1/32-note triplets (1/12 beat).
    ThirtySecondTriplet,
}

impl Grid {
    /// All grids, coarse to fine.
    pub const ALL: [Grid; 8] = [
        Grid::Quarter,
        Grid::QuarterTriplet,
        Grid::Eighth,
        Grid::EighthTriplet,
        Grid::Sixteenth,
        Grid::SixteenthTriplet,
        Grid::ThirtySecond,
        Grid::ThirtySecondTriplet,
    ];

    /// Grid spacing in beats (quarter notes).
    pub fn step_beats(self) -> f64 {
        match self {
            Grid::Quarter => 1.0,
            Grid::Eighth => 0.5,
            Grid::Sixteenth => 0.25,
            Grid::ThirtySecond => 0.125,
            Grid::QuarterTriplet => 2.0 / 3.0,
            Grid::EighthTriplet => 1.0 / 3.0,
            Grid::SixteenthTriplet => 1.0 / 6.0,
            Grid::ThirtySecondTriplet => 1.0 / 12.0,
        }
    }

    /// The name used on the command line and in the editor: `1/16`, `1/8t`.
    pub fn name(self) -> &'static str {
        match self {
            Grid::Quarter => "1/4",
            Grid::Eighth => "1/8",
            Grid::Sixteenth => "1/16",
            Grid::ThirtySecond => "1/32",
            Grid::QuarterTriplet => "1/4t",
            Grid::EighthTriplet => "1/8t",
            Grid::SixteenthTriplet => "1/16t",
            Grid::ThirtySecondTriplet => "1/32t",
        }
    }

    /// Parses a [`name`](Self::name) (also accepts `1/8T` and `1/8 triplet`).
    pub fn parse(text: &str) -> Option<Grid> {
        let normalized = text.trim().to_ascii_lowercase().replace(" triplet", "t");
        Grid::ALL.into_iter().find(|grid| grid.name() == normalized)
    }
}

/// What a capture-quantize setting offers: off, or one of the grids. Frozen order (the 1/32
/// triplet was added last).
pub const GRID_CHOICES: [Choice<Option<Grid>>; 9] = [
    Choice {
        value: None,
        id: "off",
        label: "Off",
    },
    Choice {
        value: Some(Grid::Quarter),
        id: "q4",
        label: "1/4",
    },
    Choice {
        value: Some(Grid::Eighth),
        id: "q8",
        label: "1/8",
    },
    Choice {
        value: Some(Grid::Sixteenth),
        id: "q16",
        label: "1/16",
    },
    Choice {
        value: Some(Grid::ThirtySecond),
        id: "q32",
        label: "1/32",
    },
    Choice {
        value: Some(Grid::QuarterTriplet),
        id: "q4t",
        label: "1/4 triplet",
    },
    Choice {
        value: Some(Grid::EighthTriplet),
        id: "q8t",
        label: "1/8 triplet",
    },
    Choice {
        value: Some(Grid::SixteenthTriplet),
        id: "q16t",
        label: "1/16 triplet",
    },
    Choice {
        value: Some(Grid::ThirtySecondTriplet),
        id: "q32t",
        label: "1/32 triplet",
    },
];

/// Quantize settings: a grid and how far to move toward it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantize {
    /// The grid.
    pub grid: Grid,
    /// 0.0 (timing as played) … 1.0 (exactly on the grid).
    pub strength: f64,
}

impl Quantize {
    /// Moves `beats` toward the nearest grid line by `strength`.
    pub fn apply_beats(&self, beats: f64) -> f64 {
        let step = self.grid.step_beats();
        let strength = self.strength.clamp(0.0, 1.0);
        let target = (beats / step).round() * step;
        if strength >= 1.0 {
            target
        } else {
            beats + (target - beats) * strength
        }
    }

    /// Quantizes a note's onset and end. A note that would collapse to nothing keeps one grid
    /// step (scaled by strength) of length, so quantizing never deletes notes.
    pub fn apply(&self, note: &Note) -> Note {
        let start_beats = self.apply_beats(note.start_beats).max(0.0);
        let mut end_beats = self.apply_beats(note.end_beats());
        let min_length = (self.grid.step_beats() * self.strength.clamp(0.0, 1.0))
            .max(note.length_beats.min(1e-3));
        if end_beats - start_beats < min_length {
            end_beats = start_beats + min_length;
        }
        Note {
            start_beats,
            length_beats: end_beats - start_beats,
            ..*note
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(start_beats: f64, length_beats: f64) -> Note {
        Note {
            start_beats,
            length_beats,
            key: 60,
            velocity: 0.5,
            channel: 0,
        }
    }

    #[test]
    fn full_strength_lands_exactly_on_the_grid() {
        let quantize = Quantize {
            grid: Grid::Sixteenth,
            strength: 1.0,
        };
        let q = quantize.apply(&note(1.13, 0.4));
        assert_eq!(q.start_beats, 1.25);
        assert_eq!(q.end_beats(), 1.5);
    }

    #[test]
    fn half_strength_moves_half_way() {
        let quantize = Quantize {
            grid: Grid::Quarter,
            strength: 0.5,
        };
        assert!((quantize.apply_beats(2.2) - 2.1).abs() < 1e-12);
        assert!((quantize.apply_beats(2.8) - 2.9).abs() < 1e-12);
    }

    #[test]
    fn zero_strength_keeps_timing() {
        let quantize = Quantize {
            grid: Grid::Eighth,
            strength: 0.0,
        };
        assert_eq!(quantize.apply(&note(0.37, 0.61)), note(0.37, 0.61));
    }

    #[test]
    fn triplet_grid_snaps_to_thirds() {
        let quantize = Quantize {
            grid: Grid::EighthTriplet,
            strength: 1.0,
        };
        for (played, expected) in [(0.30, 1.0 / 3.0), (0.70, 2.0 / 3.0), (1.02, 1.0)] {
            assert!(
                (quantize.apply_beats(played) - expected).abs() < 1e-12,
                "{played}"
            );
        }
    }

    #[test]
    fn a_grace_note_is_not_deleted() {
        let quantize = Quantize {
            grid: Grid::Quarter,
            strength: 1.0,
        };
        let q = quantize.apply(&note(0.9, 0.05));
        assert_eq!(q.start_beats, 1.0);
        assert_eq!(q.length_beats, 1.0);
    }

    #[test]
    fn grid_names_round_trip() {
        for grid in Grid::ALL {
            assert_eq!(Grid::parse(grid.name()), Some(grid));
        }
        assert_eq!(Grid::parse("1/8 triplet"), Some(Grid::EighthTriplet));
        assert_eq!(Grid::parse("1/5"), None);
    }
}
