//! Learning the song's tempo map from playback, so that a later pass knows the tempo ahead.
//!
//! A plugin is told the tempo in force, never the tempo to come (HOSTS.md). Hit lock places a
//! hit by the tempo map when it has one; without an imported map it uses the map this learner
//! builds: while the song plays on from a position the map explains (its zero, or anywhere the
//! map's beat at the host's seconds is the host's beat), every tempo the host reports that the
//! map does not already say there replaces the map from that beat on. The first pass from the
//! song's zero over a tempo change teaches it; the next pass lands hits after the change. A
//! position the map cannot explain (a locate past a change not yet heard, a host without
//! seconds) teaches nothing until playback starts again where it can.

use super::picture::TempoList;
use super::time_map::{self, TempoChange};

/// How far (beats) the host's beat may lie from the map's at the host's seconds and the map
/// still explain the position: a sample or two of rounding; more means the song's tempo was
/// different somewhere before.
pub const AGREEMENT_BEATS: f64 = 1e-3;

/// Tempi closer than this are the same (BPM): hosts report tempo as a float (a 0.01 BPM
/// difference moves a note by 1/10 000 of a beat per bar of 4/4 at 100 BPM).
const SAME_TEMPO_BPM: f64 = 1e-3;

/// The learner. Owner: hit lock (audio thread); plain data, never allocates.
#[derive(Debug, Clone, Copy, Default)]
pub struct TempoLearner {
    map: TempoList,
    /// Whether the position of the last block was explained by the map (so this block's tempo
    /// may be learnt).
    following: bool,
    /// With an empty map: the tempo in force from the song's zero, as long as it holds, BPM.
    base_tempo: f64,
    /// Counts every change of the map (and every seeding), so readers can tell a new map.
    generation: u64,
}

impl TempoLearner {
    /// Starts from `map` (a saved learnt map, or empty to learn afresh).
    pub fn seed(&mut self, map: &TempoList) {
        self.map = *map;
        self.following = false;
        self.generation += 1;
    }

    /// The map learnt so far (empty: the tempo has not been seen to change).
    pub fn map(&self) -> &TempoList {
        &self.map
    }

    /// Counts the map's changes.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Takes a playing block: the host's `seconds` and `beats` at its first sample and its
    /// `tempo_bpm`; `continuous` when it follows the previous block without a jump. Returns
    /// whether the map changed.
    pub fn observe(&mut self, seconds: f64, beats: f64, tempo_bpm: f64, continuous: bool) -> bool {
        if !(seconds.is_finite() && beats.is_finite() && tempo_bpm.is_finite() && tempo_bpm > 0.0) {
            self.following = false;
            return false;
        }
        if !(continuous && self.following) {
            // A start, locate or loop wrap: only a position the map explains can be learnt from.
            // An empty map explains one the tempo in force explains from the song's zero.
            let expected = if self.map.is_empty() {
                seconds * tempo_bpm / 60.0
            } else {
                time_map::beats_at_seconds(self.map.as_slice(), seconds)
            };
            self.following = (expected - beats).abs() <= AGREEMENT_BEATS;
            if !self.following {
                return false;
            }
            if self.map.is_empty() {
                // The tempo in force explains the song so far: remember it only when it
                // changes (until then the tempo in force is the whole map).
                self.base_tempo = tempo_bpm;
                return false;
            }
        }
        let said = self.map.tempo_at(beats).unwrap_or(self.base_tempo);
        if (said - tempo_bpm).abs() <= SAME_TEMPO_BPM {
            return false;
        }
        // Where the tempo changed: hosts report a block's tempo at its start, so a change inside
        // the previous block shows as a beat short of (or past) where the tempo said would put
        // it. With the old tempo `said` (t1) up to beat x and the new one (t2) after, the host's
        // beat b at these seconds, where the old tempo alone predicts b', gives
        // x = (b·t1 − b'·t2) / (t1 − t2); x = b when b = b'.
        let predicted = if self.map.is_empty() {
            seconds * self.base_tempo / 60.0
        } else {
            time_map::beats_at_seconds(self.map.as_slice(), seconds)
        };
        let since = self
            .map
            .as_slice()
            .iter()
            .take_while(|c| c.position_beats < beats)
            .last()
            .map_or(0.0, |c| c.position_beats);
        let beats = if continuous {
            let x = (beats * said - predicted * tempo_bpm) / (said - tempo_bpm);
            if x.is_finite() {
                x.clamp(since.min(beats), beats)
            } else {
                beats
            }
        } else {
            beats
        };
        if self.map.is_empty()
            && !self.map.push(TempoChange {
                position_beats: 0.0,
                tempo_bpm: self.base_tempo,
            })
        {
            self.following = false;
            return false;
        }
        self.map.truncate_from(beats);
        if !self.map.push(TempoChange {
            position_beats: beats,
            tempo_bpm,
        }) {
            // Full (a long ramp; truncating dropped nothing, so nothing changed): the map holds
            // up to here; past it hit lock falls back to the tempo in force, as its agreement
            // check fails.
            self.following = false;
            return false;
        }
        self.generation += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plays `blocks` blocks of `block_seconds` from (`seconds`, `beats`), the tempo given by
    /// `tempo_at(beats)`, as a host would report them; returns the end position.
    fn play(
        learner: &mut TempoLearner,
        (mut seconds, mut beats): (f64, f64),
        blocks: usize,
        block_seconds: f64,
        tempo_at: impl Fn(f64) -> f64,
    ) -> (f64, f64) {
        for block in 0..blocks {
            let tempo = tempo_at(beats);
            learner.observe(seconds, beats, tempo, block > 0);
            seconds += block_seconds;
            beats += block_seconds * tempo / 60.0;
        }
        (seconds, beats)
    }

    /// 120 BPM, then 90 from beat 16 (blocks of 1/8 s = 1/4 beat at 120, so beat 16 is a block
    /// start).
    fn stepped(beats: f64) -> f64 {
        if beats < 16.0 - 1e-9 {
            120.0
        } else {
            90.0
        }
    }

    #[test]
    fn a_pass_from_zero_learns_a_tempo_step_and_the_next_pass_keeps_it() {
        let mut learner = TempoLearner::default();
        play(&mut learner, (0.0, 0.0), 200, 0.125, stepped);
        assert_eq!(
            learner.map().as_slice(),
            &[
                TempoChange {
                    position_beats: 0.0,
                    tempo_bpm: 120.0
                },
                TempoChange {
                    position_beats: 16.0,
                    tempo_bpm: 90.0
                },
            ]
        );
        let generation = learner.generation();
        // The map explains a locate past the step: the next pass changes nothing.
        let seconds_at_20 = 8.0 + 4.0 * 60.0 / 90.0;
        play(&mut learner, (seconds_at_20, 20.0), 50, 0.125, stepped);
        play(&mut learner, (0.0, 0.0), 200, 0.125, stepped);
        assert_eq!(learner.generation(), generation, "nothing new to learn");
    }

    #[test]
    fn a_change_inside_a_block_is_placed_where_it_happened() {
        // 120 BPM, then 90 from beat 16.1: the host reports 90 from the next block's start.
        let mut learner = TempoLearner::default();
        let mut state = (0.0f64, 0.0f64);
        for block in 0..200 {
            let (seconds, beats) = state;
            let tempo = if beats < 16.1 - 1e-9 { 120.0 } else { 90.0 };
            learner.observe(seconds, beats, tempo, block > 0);
            let end_seconds = seconds + 0.125;
            let change_seconds = 16.1 / 2.0;
            let end_beats = if seconds < change_seconds && end_seconds > change_seconds {
                16.1 + (end_seconds - change_seconds) * 1.5
            } else {
                beats + 0.125 * tempo / 60.0
            };
            state = (end_seconds, end_beats);
        }
        let map = learner.map().as_slice();
        assert_eq!(map.len(), 2);
        assert!((map[1].position_beats - 16.1).abs() < 1e-9, "{map:?}");
    }

    #[test]
    fn a_steady_tempo_learns_nothing() {
        let mut learner = TempoLearner::default();
        play(&mut learner, (0.0, 0.0), 100, 0.125, |_| 100.0);
        assert!(learner.map().is_empty());
    }

    #[test]
    fn a_locate_the_map_cannot_explain_teaches_nothing() {
        let mut learner = TempoLearner::default();
        // Start at 12 s, beat 20 (the step before it was never heard): 12 s at 120 is beat 24.
        play(&mut learner, (12.0, 20.0), 100, 0.125, |_| 70.0);
        assert!(learner.map().is_empty(), "{:?}", learner.map());
    }

    #[test]
    fn a_changed_tempo_replaces_the_map_from_where_it_is_heard() {
        let mut learner = TempoLearner::default();
        play(&mut learner, (0.0, 0.0), 200, 0.125, stepped);
        // The composer moves the step from beat 16 to beat 8 and makes it 100 BPM.
        let moved = |beats: f64| if beats < 8.0 - 1e-9 { 120.0 } else { 100.0 };
        play(&mut learner, (0.0, 0.0), 200, 0.125, moved);
        assert_eq!(
            learner.map().as_slice(),
            &[
                TempoChange {
                    position_beats: 0.0,
                    tempo_bpm: 120.0
                },
                TempoChange {
                    position_beats: 8.0,
                    tempo_bpm: 100.0
                },
            ]
        );
    }

    #[test]
    fn a_long_ramp_fills_the_map_and_stops_learning() {
        let mut learner = TempoLearner::default();
        play(&mut learner, (0.0, 0.0), 400, 0.125, |beats| 60.0 + beats);
        assert_eq!(
            learner.map().as_slice().len(),
            crate::engine::picture::MAX_PICTURE_TEMPOS
        );
        let generation = learner.generation();
        play(&mut learner, (100.0, 300.0), 10, 0.125, |beats| {
            60.0 + beats
        });
        assert_eq!(learner.generation(), generation);
    }

    #[test]
    fn seeding_counts_as_a_change_and_nonsense_input_is_ignored() {
        let mut learner = TempoLearner::default();
        learner.seed(&TempoList::default());
        assert_eq!(learner.generation(), 1);
        assert!(!learner.observe(f64::NAN, 0.0, 120.0, false));
        assert!(!learner.observe(0.0, 0.0, 0.0, false));
        assert!(learner.map().is_empty());
    }
}
