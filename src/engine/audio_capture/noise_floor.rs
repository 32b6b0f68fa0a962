//! The background's level, followed while nothing is being heard as a note, so the level a
//! note needs follows the room: a sound must stand [`MARGIN_DB`] above the background (more
//! over a restless one) to open a note, and a note ends when it falls back into it. The
//! user's gate is the upper bound: in a quiet room the threshold comes down to the background
//! plus the margin (a quiet note — a voice memo at −40 dBFS, a low note's soft attack — is
//! heard), never below [`LOWEST_THRESHOLD_DB`]; over a background louder than that, the gate
//! holds, the background is an unpitched sound the tracker ignores, and notes are found by
//! their attacks out of it.
//!
//! Followed on the tracker's 11 ms level, in decibels: quickly downwards ([`FALL_TIME_S`]), and
//! upwards with a time constant of [`RISE_TIME_S`] — but only from unpitched sound that rose
//! out of silence, or from quiet input a second after the last note (never from a note or its
//! tail): see the tracker. Over digital silence (the analysis pipeline's first hops, an edit's
//! gap) the first unpitched sound is learnt at once from the stretch it has sounded
//! ([`NoiseFloor::learn`]); the background's swing is learnt only from unpitched sound heard
//! whole, never from quiet hops (the background's dips alone).
//!
//! Chosen on the development set of `examples/capture_in_noise.rs` (FluidR3): pooled note F
//! 0.657 with the gate as a lower bound, 0.695 with no gate, 0.749 with the gate as the upper
//! bound (BENCHMARKS.md).

/// A sound must stand this far above the background to be a note, dB: a note at 10 dB SNR
/// (its power over the noise's) is 10.4 dB above it, while the 11 ms level of steady noise
/// stays within about ±4 dB of its mean (brown noise, the most restless of the usual ones).
pub const MARGIN_DB: f32 = 8.0;

/// How fast the background estimate rises towards a louder background, seconds (time constant
/// in decibels: 90 % of the way in 2.3 × this).
pub const RISE_TIME_S: f32 = 0.2;

/// How fast it falls towards a quieter one, seconds: quickly (a note's release decaying into
/// the room is followed down), but not at once, or a restless noise's dips would pull it
/// under the noise.
pub const FALL_TIME_S: f32 = 0.05;

/// A restless background (brown noise, a fan's narrow band, a hum's ripple: their 11 ms level
/// swings by 10 dB and more) needs this many times its mean deviation from the estimate as its
/// margin, when that is more than [`MARGIN_DB`].
pub const SPREAD_FACTOR: f32 = 4.0;

/// The lowest the threshold comes down to in a silent room, dBFS: a note quieter than this
/// (25 dB under the default gate) is below a laptop microphone's own noise.
pub const LOWEST_THRESHOLD_DB: f32 = -70.0;

/// The quietest background followed, dBFS (digital silence reads −120).
const FLOOR_DB: f32 = -120.0;

/// An estimate under this is digital silence (a host's or a converter's start, an edit's
/// gap), not a room: quieter than a 16-bit recording's own dither (about −96 dBFS). The first
/// unpitched sound heard over it is learnt at once (its level and its swing over a candidate's
/// time: [`NoiseFloor::learn`]), rather than climbed to from silence (half a second for a
/// −35 dBFS fan).
const DIGITAL_SILENCE_DB: f32 = -100.0;

/// What one hop is to the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// A note, its tail, or a sound being tried as one: not the background.
    Note,
    /// Quiet input, long enough after a note that its tail has died away.
    Quiet,
    /// A sound that has gone on for a candidate's time without a pitch (a fan, a hiss).
    Unpitched,
}

/// The background level. Owner: the tracker. Plain data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseFloor {
    /// The estimate, dBFS.
    level_db: f32,
    /// Share of the distance to a louder level closed per hop.
    rise_per_hop: f32,
    /// Share of the distance to a quieter level closed per hop.
    fall_per_hop: f32,
    /// How far the background's level strays from the estimate, on average, dB (followed with
    /// the rise's time constant, while background).
    spread_db: f32,
    /// Whether any background has been heard yet.
    learnt: bool,
}

impl NoiseFloor {
    /// A floor for hops of `hop_seconds`, starting at digital silence.
    pub fn new(hop_seconds: f32) -> Self {
        let share = |time_s: f32| {
            if hop_seconds.is_finite() && hop_seconds > 0.0 {
                (hop_seconds / time_s).min(1.0)
            } else {
                0.0
            }
        };
        Self {
            level_db: FLOOR_DB,
            rise_per_hop: share(RISE_TIME_S),
            fall_per_hop: share(FALL_TIME_S),
            spread_db: 0.0,
            learnt: false,
        }
    }

    /// Follows one hop's `level_db`: down at once; up only while it is background (no note is
    /// sounding or being found).
    pub fn follow(&mut self, level_db: f32, heard: Heard) {
        if !level_db.is_finite() {
            return;
        }
        let background = heard != Heard::Note;
        let level = level_db.max(FLOOR_DB);
        if background && !self.learnt {
            // The first background heard is the estimate (no slow climb from silence).
            self.level_db = level;
            self.learnt = true;
            return;
        }
        let off = (level - self.level_db).abs();
        if heard == Heard::Unpitched && off < 2.0 * MARGIN_DB {
            // The background's own swing (a larger step is a change of background, or a
            // sound: it moves the estimate, not the margin). Only from a sound heard whole:
            // quiet hops are the background's dips alone (its peaks open candidates), and
            // would shrink the swing.
            self.spread_db += (off - self.spread_db) * self.rise_per_hop;
        }
        if level < self.level_db {
            self.level_db += (level - self.level_db) * self.fall_per_hop;
        } else if background {
            self.level_db += (level - self.level_db) * self.rise_per_hop;
        }
    }

    /// Whether the estimate is digital silence (under −100 dBFS), not a room.
    pub fn is_silence(&self) -> bool {
        self.level_db < DIGITAL_SILENCE_DB
    }

    /// Learns the background at once from a stretch of it, `levels_db` (oldest first): the
    /// estimate and its spread become what following it from the stretch's start gives, the
    /// spread as the mean distance of each level from the estimate then (not climbed to over
    /// the rise's time constant, which is longer than the stretch).
    pub fn learn(&mut self, levels_db: impl IntoIterator<Item = f32>) {
        let mut estimate = f32::NAN;
        let (mut strayed, mut count) = (0.0, 0u32);
        for level in levels_db {
            if !level.is_finite() {
                continue;
            }
            let level = level.max(FLOOR_DB);
            if count == 0 {
                estimate = level;
            } else {
                strayed += (level - estimate).abs();
                let share = if level < estimate {
                    self.fall_per_hop
                } else {
                    self.rise_per_hop
                };
                estimate += (level - estimate) * share;
            }
            count += 1;
        }
        if count > 1 {
            self.level_db = estimate;
            self.spread_db = strayed / (count - 1) as f32;
            self.learnt = true;
        }
    }

    /// Whether a background has been heard since the start or the last reset.
    pub fn is_learnt(&self) -> bool {
        self.learnt
    }

    /// The background's level, dBFS.
    pub fn level_db(&self) -> f32 {
        self.level_db
    }

    /// The margin a sound needs above the background: [`MARGIN_DB`], or more over a restless
    /// background ([`SPREAD_FACTOR`]).
    pub fn margin_db(&self) -> f32 {
        MARGIN_DB.max(SPREAD_FACTOR * self.spread_db)
    }

    /// The level a sound needs to be heard as a note: the background plus its margin (not
    /// below [`LOWEST_THRESHOLD_DB`]), at most the user's `gate_db`; the gate until a
    /// background has been heard.
    pub fn threshold_db(&self, gate_db: f32) -> f32 {
        if !self.learnt {
            return gate_db;
        }
        gate_db.min((self.level_db + self.margin_db()).max(LOWEST_THRESHOLD_DB))
    }

    /// Back to digital silence (the tracker's reset).
    pub fn reset(&mut self) {
        self.level_db = FLOOR_DB;
        self.spread_db = 0.0;
        self.learnt = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_learns_a_steady_background_and_never_rises_under_a_note() {
        let hop = 64.0 / 22_050.0;
        let mut floor = NoiseFloor::new(hop);
        let hops_per_second = (1.0 / hop) as usize;
        for _ in 0..2 * hops_per_second {
            floor.follow(-30.0, Heard::Quiet);
        }
        assert!(
            (floor.level_db() + 30.0).abs() < 0.5,
            "{}",
            floor.level_db()
        );
        // Louder than the gate allows: the gate holds.
        assert_eq!(floor.threshold_db(-45.0), -45.0);
        // A loud note does not raise it; a quiet moment lowers it at once.
        for _ in 0..hops_per_second {
            floor.follow(-6.0, Heard::Note);
        }
        assert!(floor.level_db() < -29.0);
        for _ in 0..hops_per_second {
            floor.follow(-50.0, Heard::Note);
        }
        assert!(
            (floor.level_db() + 50.0).abs() < 0.5,
            "{}",
            floor.level_db()
        );
        assert!(floor.threshold_db(-45.0) <= -45.0);
        // A quiet room brings the threshold down to the background and its margin, not below
        // the lowest.
        for _ in 0..2 * hops_per_second {
            floor.follow(-70.0, Heard::Quiet);
        }
        let expected = -70.0 + floor.margin_db();
        assert!((floor.threshold_db(-45.0) - expected).abs() < 0.5);
        for _ in 0..2 * hops_per_second {
            floor.follow(-100.0, Heard::Quiet);
        }
        assert_eq!(floor.threshold_db(-45.0), LOWEST_THRESHOLD_DB);
        let before = floor.level_db();
        floor.follow(f32::NAN, Heard::Quiet);
        assert_eq!(floor.level_db(), before);
    }

    #[test]
    fn it_learns_a_stretch_of_background_at_once_over_digital_silence() {
        let hop = 64.0 / 22_050.0;
        let mut floor = NoiseFloor::new(hop);
        floor.follow(-120.0, Heard::Quiet);
        assert!(floor.is_learnt() && floor.is_silence());
        // A fan swinging 6 dB either side of -40 dBFS, heard for a candidate's time.
        let levels = (0..64).map(|i| if i % 2 == 0 { -34.0 } else { -46.0 });
        floor.learn(levels);
        assert!(!floor.is_silence());
        assert!(
            (-47.0..-34.0).contains(&floor.level_db()),
            "{}",
            floor.level_db()
        );
        // Its swing is learnt with it: the margin is wider than the plain one.
        assert!(floor.margin_db() > MARGIN_DB, "{}", floor.margin_db());
        // Nothing to learn from: unchanged.
        let before = floor;
        floor.learn([f32::NAN]);
        assert_eq!(floor, before);
    }
}
