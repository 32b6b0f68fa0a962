//! The picture a cue is scored to: its frame rate, the timecode of the song's zero and its hit
//! points. Saved with the project (the library document's `picture`).

use super::hits::HitList;
use super::timecode::{FrameRate, Timecode};

/// A project's picture settings. Plain data (no heap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picture {
    /// The picture's frame rate.
    pub rate: FrameRate,
    /// The timecode frame of the song's zero (e.g. 01:00:00:00 = 86 400 at 24 fps).
    pub start_frame: i64,
    /// Hit points, frames from the song's zero.
    pub hits: HitList,
}

impl Default for Picture {
    fn default() -> Self {
        Self {
            rate: FrameRate::Fps24,
            start_frame: 0,
            hits: HitList::default(),
        }
    }
}

impl Picture {
    /// The timecode of the song's zero.
    pub fn start_timecode(&self) -> Timecode {
        Timecode::from_frames(self.start_frame, self.rate)
    }

    /// The timecode of `frame` frames from the song's zero.
    pub fn timecode_of(&self, frame: i64) -> Timecode {
        Timecode::from_frames(self.start_frame.saturating_add(frame), self.rate)
    }
}
