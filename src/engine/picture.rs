//! The picture a cue is scored to: its frame rate, the timecode of the song's zero, its hit
//! points and the song's tempo map, imported or learnt from an earlier pass of playback (hit
//! lock places hits by it rather than by the tempo in force). Saved with the project (the library document's
//! `picture`).

use super::hits::HitList;
use super::time_map::TempoChange;
use super::timecode::{FrameRate, Timecode};

/// Most tempo changes a picture's tempo map holds (a cue's map; the rest are dropped, counted).
pub const MAX_PICTURE_TEMPOS: usize = 64;

/// The song's tempo map as imported: changes from the song's zero, the first at beat 0, in
/// order. Fixed size, plain data; empty = none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TempoList {
    changes: [TempoChange; MAX_PICTURE_TEMPOS],
    len: usize,
}

impl Default for TempoList {
    fn default() -> Self {
        Self {
            changes: [TempoChange {
                position_beats: 0.0,
                tempo_bpm: 0.0,
            }; MAX_PICTURE_TEMPOS],
            len: 0,
        }
    }
}

impl TempoList {
    /// The list of `changes` kept as a map: the first must be at beat 0 and every one later than
    /// the one before, with a tempo above 0 (others are skipped); at most
    /// [`MAX_PICTURE_TEMPOS`]. Returns the list and how many changes were left out.
    pub fn from_changes(changes: &[TempoChange]) -> (TempoList, usize) {
        let mut list = TempoList::default();
        let left_out = changes.iter().filter(|c| !list.push(**c)).count();
        (list, left_out)
    }

    /// The changes.
    pub fn as_slice(&self) -> &[TempoChange] {
        &self.changes[..self.len]
    }

    /// Whether there is no map.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The tempo in force at `position_beats` (the first change's before it); `None` for an
    /// empty list.
    pub fn tempo_at(&self, position_beats: f64) -> Option<f64> {
        self.as_slice()
            .iter()
            .take_while(|c| c.position_beats <= position_beats)
            .last()
            .or(self.as_slice().first())
            .map(|c| c.tempo_bpm)
    }

    /// Drops every change at or after `position_beats`.
    pub fn truncate_from(&mut self, position_beats: f64) {
        self.len = self
            .as_slice()
            .iter()
            .take_while(|c| c.position_beats < position_beats)
            .count();
    }

    /// Appends `change` if it keeps the list a map (the first at beat 0, later ones after the
    /// last, a tempo above 0) and there is room; returns whether it did.
    pub fn push(&mut self, change: TempoChange) -> bool {
        let in_order = match self.as_slice().last() {
            None => change.position_beats.abs() < 1e-9,
            Some(last) => change.position_beats > last.position_beats,
        };
        let valid = in_order && change.tempo_bpm.is_finite() && change.tempo_bpm > 0.0;
        if valid && self.len < MAX_PICTURE_TEMPOS {
            self.changes[self.len] = change;
            self.len += 1;
            true
        } else {
            false
        }
    }
}

/// Where a picture's tempo map comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TempoSource {
    /// Learnt from playback: Reprise notes the host's tempo changes as the song plays and keeps
    /// correcting the map (an empty map: nothing learnt yet, or forgotten).
    #[default]
    Learnt,
    /// Imported from a tempo-map .mid: kept as it is (nothing is learnt over it).
    Imported,
}

impl TempoSource {
    /// The saved name (`tempo_map_source`).
    pub fn id(self) -> &'static str {
        match self {
            TempoSource::Learnt => "learnt",
            TempoSource::Imported => "imported",
        }
    }
}

/// A project's picture settings. Plain data (no heap).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Picture {
    /// The picture's frame rate.
    pub rate: FrameRate,
    /// The timecode frame of the song's zero (e.g. 01:00:00:00 = 86 400 at 24 fps).
    pub start_frame: i64,
    /// Hit points, frames from the song's zero.
    pub hits: HitList,
    /// The song's tempo map: imported, or learnt from playback (empty: none yet).
    pub tempo_map: TempoList,
    /// Where `tempo_map` comes from.
    pub tempo_source: TempoSource,
}

impl Default for Picture {
    fn default() -> Self {
        Self {
            rate: FrameRate::Fps24,
            start_frame: 0,
            hits: HitList::default(),
            tempo_map: TempoList::default(),
            tempo_source: TempoSource::Learnt,
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
