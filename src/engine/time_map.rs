//! A file's tempo map and metre map: every tempo and time-signature change, in quarter-note
//! beats from the file start, as a DAW's conductor track holds them. Bar:beat positions follow
//! the metre map (a change starts a new bar, as DAWs count it). Offline only: the maps are
//! `Vec`s, bounded by [`MAX_MAP_CHANGES`].

use super::motif::{sanitize_tempo_bpm, TimeSignature, BEAT_EPSILON};
use super::notation::BarBeat;

/// Most changes a map keeps (tempo and metre each). DAWs write a tempo ramp as a stair of small
/// steps, a few hundred per ramp at most; 4096 holds a song full of them, and keeps every walk
/// over the map short whatever a hostile file declares. Changes past it are dropped and counted
/// in [`TimeMap::num_changes_dropped`].
pub const MAX_MAP_CHANGES: usize = 4096;

/// The tempo a Standard MIDI File plays at before its first tempo event (SMF 1.0).
pub const DEFAULT_TEMPO_BPM: f64 = 120.0;

/// A tempo that holds from `position_beats` until the next change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TempoChange {
    /// Quarter-note beats from the file start.
    pub position_beats: f64,
    /// Beats per minute.
    pub tempo_bpm: f64,
}

/// A metre that holds from `position_beats` (a bar line) until the next change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetreChange {
    /// Quarter-note beats from the file start.
    pub position_beats: f64,
    /// The metre from here on.
    pub time_signature: TimeSignature,
}

/// The tempo and metre maps of a timeline. Each map has an entry at beat 0 (the SMF defaults,
/// 120 BPM and 4/4, when the file sets none there), positions strictly increase, and no entry
/// repeats the value before it. Past the last entry the last one holds.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeMap {
    tempo_changes: Vec<TempoChange>,
    metre_changes: Vec<MetreChange>,
    /// Changes beyond [`MAX_MAP_CHANGES`] that were left out.
    pub num_changes_dropped: usize,
}

impl Default for TimeMap {
    fn default() -> Self {
        Self::constant(TimeSignature::default(), DEFAULT_TEMPO_BPM)
    }
}

/// The beat at `seconds` from beat 0 through `changes` (sorted by position, the first at beat
/// 0, each tempo holding until the next; a list without changes counts 120 BPM). Allocation-free:
/// hit lock reads a known tempo map with it on the audio thread.
pub fn beats_at_seconds(changes: &[TempoChange], seconds: f64) -> f64 {
    let Some(first) = changes.first() else {
        return seconds * 2.0;
    };
    let mut elapsed = 0.0;
    let mut position = 0.0;
    let mut tempo = first.tempo_bpm;
    for change in &changes[1..] {
        let until = elapsed + (change.position_beats - position) * 60.0 / tempo;
        if until > seconds {
            break;
        }
        elapsed = until;
        position = change.position_beats;
        tempo = change.tempo_bpm;
    }
    position + (seconds - elapsed) * tempo / 60.0
}

impl TimeMap {
    /// One metre and one tempo throughout.
    pub fn constant(time_signature: TimeSignature, tempo_bpm: f64) -> Self {
        Self {
            tempo_changes: vec![TempoChange {
                position_beats: 0.0,
                tempo_bpm: sanitize_tempo_bpm(tempo_bpm),
            }],
            metre_changes: vec![MetreChange {
                position_beats: 0.0,
                time_signature,
            }],
            num_changes_dropped: 0,
        }
    }

    /// The maps from changes in any order (sorted here; of changes at the same position the
    /// last given wins). Negative and non-finite positions are taken as 0.
    pub fn from_changes(tempo_changes: &[TempoChange], metre_changes: &[MetreChange]) -> Self {
        let mut num_changes_dropped = 0;
        let tempo = normalized(
            tempo_changes,
            TempoChange {
                position_beats: 0.0,
                tempo_bpm: DEFAULT_TEMPO_BPM,
            },
            |c| c.position_beats,
            |c, position_beats| TempoChange {
                position_beats,
                tempo_bpm: sanitize_tempo_bpm(c.tempo_bpm),
            },
            |a, b| a.tempo_bpm == b.tempo_bpm,
            &mut num_changes_dropped,
        );
        let metre = normalized(
            metre_changes,
            MetreChange {
                position_beats: 0.0,
                time_signature: TimeSignature::default(),
            },
            |c| c.position_beats,
            |c, position_beats| MetreChange {
                position_beats,
                ..*c
            },
            |a, b| a.time_signature == b.time_signature,
            &mut num_changes_dropped,
        );
        Self {
            tempo_changes: tempo,
            metre_changes: metre,
            num_changes_dropped,
        }
    }

    /// Every tempo, the first at beat 0.
    pub fn tempo_changes(&self) -> &[TempoChange] {
        &self.tempo_changes
    }

    /// Every metre, the first at beat 0.
    pub fn metre_changes(&self) -> &[MetreChange] {
        &self.metre_changes
    }

    /// The tempo in force at `position_beats`, BPM.
    pub fn tempo_at(&self, position_beats: f64) -> f64 {
        let idx = last_at_or_before(&self.tempo_changes, position_beats, |c| c.position_beats);
        self.tempo_changes[idx].tempo_bpm
    }

    /// Seconds from beat 0 to `position_beats` through the tempo map (each tempo holds until the
    /// next change). Negative positions count back at the first tempo.
    pub fn seconds_at(&self, position_beats: f64) -> f64 {
        let mut seconds = 0.0;
        let mut position = 0.0;
        let mut tempo = self.tempo_changes[0].tempo_bpm;
        for change in &self.tempo_changes[1..] {
            if change.position_beats >= position_beats {
                break;
            }
            seconds += (change.position_beats - position) * 60.0 / tempo;
            position = change.position_beats;
            tempo = change.tempo_bpm;
        }
        seconds + (position_beats - position) * 60.0 / tempo
    }

    /// The beat at `seconds` from beat 0 (the inverse of [`seconds_at`](Self::seconds_at)).
    pub fn beats_at_seconds(&self, seconds: f64) -> f64 {
        beats_at_seconds(&self.tempo_changes, seconds)
    }

    /// The metre in force at `position_beats`.
    pub fn metre_at(&self, position_beats: f64) -> TimeSignature {
        let idx = last_at_or_before(&self.metre_changes, position_beats, |c| c.position_beats);
        self.metre_changes[idx].time_signature
    }

    /// The metre change in force at `position_beats` (its position is a bar line).
    pub fn metre_change_at(&self, position_beats: f64) -> MetreChange {
        self.metre_changes
            [last_at_or_before(&self.metre_changes, position_beats, |c| c.position_beats)]
    }

    /// Where `position_beats` falls on the bar ruler: bars of each metre counted from its
    /// change, a change starting a new bar (a bar cut short by a change still counts as one).
    pub fn bar_beat(&self, position_beats: f64) -> BarBeat {
        let idx = last_at_or_before(&self.metre_changes, position_beats, |c| c.position_beats);
        let change = self.metre_changes[idx];
        let within = BarBeat::of(
            position_beats - change.position_beats,
            change.time_signature,
        );
        BarBeat {
            bar: self.bar_number_at_change(idx) + within.bar - 1,
            beat: within.beat,
        }
    }

    /// The bar line at or before `position_beats`, beats.
    pub fn bar_line_at_or_before(&self, position_beats: f64) -> f64 {
        let idx = last_at_or_before(&self.metre_changes, position_beats, |c| c.position_beats);
        let change = self.metre_changes[idx];
        let bar = change.time_signature.bar_length_beats();
        let bars = ((position_beats - change.position_beats) / bar + BEAT_EPSILON).floor();
        change.position_beats + bars * bar
    }

    /// The bar line at or after `position_beats`, beats (a metre change is a bar line).
    pub fn bar_line_at_or_after(&self, position_beats: f64) -> f64 {
        let before = self.bar_line_at_or_before(position_beats);
        if (position_beats - before).abs() <= BEAT_EPSILON {
            return before;
        }
        let next_bar = before + self.metre_at(before).bar_length_beats();
        match self
            .metre_changes
            .iter()
            .find(|c| c.position_beats > position_beats)
        {
            Some(change) => next_bar.min(change.position_beats),
            None => next_bar,
        }
    }

    /// The maps as seen from `origin_beats`: what is in force there moves to beat 0, later
    /// changes move back by `origin_beats`, earlier ones are gone.
    pub fn from_origin(&self, origin_beats: f64) -> Self {
        let shift_tempo = |c: &TempoChange| TempoChange {
            position_beats: (c.position_beats - origin_beats).max(0.0),
            ..*c
        };
        let shift_metre = |c: &MetreChange| MetreChange {
            position_beats: (c.position_beats - origin_beats).max(0.0),
            ..*c
        };
        let first_tempo =
            last_at_or_before(&self.tempo_changes, origin_beats, |c| c.position_beats);
        let first_metre =
            last_at_or_before(&self.metre_changes, origin_beats, |c| c.position_beats);
        let tempo: Vec<TempoChange> = self.tempo_changes[first_tempo..]
            .iter()
            .map(shift_tempo)
            .collect();
        let metre: Vec<MetreChange> = self.metre_changes[first_metre..]
            .iter()
            .map(shift_metre)
            .collect();
        Self {
            num_changes_dropped: self.num_changes_dropped,
            ..Self::from_changes(&tempo, &metre)
        }
    }

    /// The tempo changes strictly inside `start_beats..end_beats`, each with the tempo before it.
    pub fn tempo_changes_within(
        &self,
        start_beats: f64,
        end_beats: f64,
    ) -> Vec<(TempoChange, f64)> {
        within(&self.tempo_changes, start_beats, end_beats, |c| {
            c.position_beats
        })
        .map(|(before, change)| (*change, before.tempo_bpm))
        .collect()
    }

    /// The metre changes strictly inside `start_beats..end_beats`, each with the metre before it.
    pub fn metre_changes_within(
        &self,
        start_beats: f64,
        end_beats: f64,
    ) -> Vec<(MetreChange, TimeSignature)> {
        within(&self.metre_changes, start_beats, end_beats, |c| {
            c.position_beats
        })
        .map(|(before, change)| (*change, before.time_signature))
        .collect()
    }

    /// How many bars of each metre lie in `0..end_beats`, in order (fractional for a bar left
    /// unfinished).
    pub fn bars_by_metre(&self, end_beats: f64) -> Vec<(TimeSignature, f64)> {
        let mut bars = Vec::new();
        for (idx, change) in self.metre_changes.iter().enumerate() {
            if change.position_beats >= end_beats - BEAT_EPSILON {
                break;
            }
            let segment_end = self
                .metre_changes
                .get(idx + 1)
                .map_or(end_beats, |next| next.position_beats.min(end_beats));
            let bar = change.time_signature.bar_length_beats();
            let in_segment = (segment_end - change.position_beats) / bar;
            // A bar cut short by the next change counts as a whole bar, as on the ruler.
            let count = if segment_end < end_beats {
                (in_segment - BEAT_EPSILON).ceil()
            } else {
                in_segment
            };
            bars.push((change.time_signature, count));
        }
        bars
    }

    /// The bar number (from 1) of the bar that metre change `idx` starts.
    fn bar_number_at_change(&self, idx: usize) -> i64 {
        let mut bar_number = 1;
        for pair in self.metre_changes[..=idx].windows(2) {
            let bar = pair[0].time_signature.bar_length_beats();
            let span = pair[1].position_beats - pair[0].position_beats;
            bar_number += ((span / bar - BEAT_EPSILON).ceil() as i64).max(1);
        }
        bar_number
    }
}

/// Index of the last entry at or before `position_beats` (0 if none: the first entry is at 0).
fn last_at_or_before<T>(entries: &[T], position_beats: f64, position: impl Fn(&T) -> f64) -> usize {
    entries
        .iter()
        .rposition(|e| position(e) <= position_beats + BEAT_EPSILON)
        .unwrap_or(0)
}

/// The entries strictly inside `start..end`, each paired with the entry before it.
fn within<T>(
    entries: &[T],
    start_beats: f64,
    end_beats: f64,
    position: impl Fn(&T) -> f64,
) -> impl Iterator<Item = (&T, &T)> {
    entries.windows(2).filter_map(move |pair| {
        let at = position(&pair[1]);
        (at > start_beats + BEAT_EPSILON && at < end_beats - BEAT_EPSILON)
            .then_some((&pair[0], &pair[1]))
    })
}

/// Sorted by position, one entry per position (the last given), the first at 0 (`default`
/// there if none), no entry repeating the one before, at most [`MAX_MAP_CHANGES`].
fn normalized<T: Copy>(
    changes: &[T],
    default: T,
    position: impl Fn(&T) -> f64,
    at: impl Fn(&T, f64) -> T,
    same_value: impl Fn(&T, &T) -> bool,
    num_dropped: &mut usize,
) -> Vec<T> {
    let mut sorted: Vec<T> = changes
        .iter()
        .map(|c| {
            let p = position(c);
            at(c, if p.is_finite() { p.max(0.0) } else { 0.0 })
        })
        .collect();
    // Stable: of changes at one position the one given last stays last.
    sorted.sort_by(|a, b| position(a).total_cmp(&position(b)));
    let mut map: Vec<T> = Vec::with_capacity(sorted.len().min(MAX_MAP_CHANGES) + 1);
    map.push(default);
    for change in sorted {
        let last = map.len() - 1;
        if position(&change) <= position(&map[last]) + BEAT_EPSILON {
            map[last] = at(&change, position(&map[last]));
        } else if map.len() == MAX_MAP_CHANGES {
            *num_dropped += 1;
            continue;
        } else {
            map.push(change);
        }
        // A change to the value already in force is no change.
        let last = map.len() - 1;
        if last > 0 && same_value(&map[last - 1], &map[last]) {
            map.pop();
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_follow_the_tempo_map() {
        let map = TimeMap::from_changes(
            &[
                TempoChange {
                    position_beats: 0.0,
                    tempo_bpm: 120.0,
                },
                TempoChange {
                    position_beats: 4.0,
                    tempo_bpm: 60.0,
                },
            ],
            &[],
        );
        assert_eq!(map.seconds_at(2.0), 1.0);
        assert_eq!(map.seconds_at(4.0), 2.0);
        assert_eq!(map.seconds_at(5.0), 3.0);
        assert_eq!(map.seconds_at(-2.0), -1.0);
    }

    fn metre(position_beats: f64, numerator: u8, denominator: u8) -> MetreChange {
        MetreChange {
            position_beats,
            time_signature: TimeSignature::new(numerator, denominator),
        }
    }

    fn tempo(position_beats: f64, tempo_bpm: f64) -> TempoChange {
        TempoChange {
            position_beats,
            tempo_bpm,
        }
    }

    /// 4/4 for two bars, then 3/4; 100 BPM, then 80 from bar 3.
    fn daw_export() -> TimeMap {
        TimeMap::from_changes(
            &[tempo(0.0, 100.0), tempo(8.0, 80.0)],
            &[metre(0.0, 4, 4), metre(8.0, 3, 4)],
        )
    }

    #[test]
    fn bar_beat_follows_the_metre_map() {
        let map = daw_export();
        assert_eq!(map.bar_beat(0.0).to_string(), "1:1");
        assert_eq!(map.bar_beat(7.0).to_string(), "2:4");
        assert_eq!(map.bar_beat(8.0).to_string(), "3:1");
        assert_eq!(map.bar_beat(11.0).to_string(), "4:1");
        assert_eq!(map.bar_beat(12.5).to_string(), "4:2.5");
        assert_eq!(map.tempo_at(7.9), 100.0);
        assert_eq!(map.tempo_at(8.0), 80.0);
        assert_eq!(map.metre_at(100.0), TimeSignature::new(3, 4));
    }

    #[test]
    fn a_change_off_the_bar_grid_starts_a_new_bar() {
        // 4/4 cut short after two beats by 3/4: that half bar is bar 1, the 3/4 starts bar 2.
        let map = TimeMap::from_changes(&[], &[metre(0.0, 4, 4), metre(2.0, 3, 4)]);
        assert_eq!(map.bar_beat(2.0).to_string(), "2:1");
        assert_eq!(map.bar_beat(5.0).to_string(), "3:1");
        assert_eq!(map.bar_line_at_or_after(1.0), 2.0);
    }

    #[test]
    fn maps_start_at_zero_with_the_smf_defaults_and_drop_repeats() {
        let map = TimeMap::from_changes(
            &[tempo(4.0, 90.0), tempo(6.0, 90.0)],
            &[metre(0.0, 4, 4), metre(4.0, 4, 4)],
        );
        assert_eq!(map.tempo_changes(), [tempo(0.0, 120.0), tempo(4.0, 90.0)]);
        assert_eq!(map.metre_changes(), [metre(0.0, 4, 4)]);
    }

    #[test]
    fn seen_from_a_bar_line_the_maps_move_back() {
        let map = daw_export().from_origin(4.0);
        assert_eq!(map.tempo_changes(), [tempo(0.0, 100.0), tempo(4.0, 80.0)]);
        assert_eq!(map.metre_changes(), [metre(0.0, 4, 4), metre(4.0, 3, 4)]);
        let later = daw_export().from_origin(11.0);
        assert_eq!(later.metre_changes(), [metre(0.0, 3, 4)]);
    }

    #[test]
    fn bars_are_counted_per_metre() {
        let map = daw_export();
        assert_eq!(
            map.bars_by_metre(14.0),
            [
                (TimeSignature::new(4, 4), 2.0),
                (TimeSignature::new(3, 4), 2.0)
            ]
        );
        let within = map.metre_changes_within(0.0, 14.0);
        assert_eq!(within.len(), 1);
        assert_eq!(within[0].1, TimeSignature::new(4, 4));
        assert!(map.tempo_changes_within(8.0, 14.0).is_empty());
    }

    #[test]
    fn the_maps_are_bounded() {
        let many: Vec<TempoChange> = (0..MAX_MAP_CHANGES + 10)
            .map(|i| tempo(i as f64, 60.0 + (i % 2) as f64))
            .collect();
        let map = TimeMap::from_changes(&many, &[]);
        assert_eq!(map.tempo_changes().len(), MAX_MAP_CHANGES);
        assert_eq!(map.num_changes_dropped, 10);
    }

    #[test]
    fn seconds_and_beats_invert_each_other_through_tempo_changes() {
        let map = TimeMap::from_changes(
            &[
                TempoChange {
                    position_beats: 0.0,
                    tempo_bpm: 120.0,
                },
                TempoChange {
                    position_beats: 8.0,
                    tempo_bpm: 90.0,
                },
            ],
            &[],
        );
        for beats in [0.0, 3.5, 8.0, 8.25, 40.0] {
            let seconds = map.seconds_at(beats);
            assert!(
                (map.beats_at_seconds(seconds) - beats).abs() < 1e-9,
                "{beats}"
            );
        }
        assert!((map.beats_at_seconds(5.0) - 9.5).abs() < 1e-9);
    }
}
