//! Picture time: frame rates, SMPTE timecode, and exact conversions between timecode, frame
//! numbers and seconds.
//!
//! Frames are integers and rates are exact ratios (29.97 is 30000/1001 frames a second), so a
//! timecode → frame → timecode round trip is exact and seconds are computed once from an
//! integer frame count. Drop-frame timecode is counted as SMPTE 12M counts it: at 29.97 the
//! frame numbers 00 and 01 are skipped at the start of every minute except minutes 00, 10, 20,
//! 30, 40 and 50 (at 59.94, 00 to 03), so the timecode keeps up with the clock on the wall.

use std::fmt;

use super::choice::Choice;

/// A picture frame rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameRate {
    /// 24000/1001 (film transferred to NTSC video), non-drop.
    Fps23_976,
    /// 24 (film).
    Fps24,
    /// 25 (PAL).
    Fps25,
    /// 30000/1001, drop-frame.
    Fps29_97Drop,
    /// 30000/1001, non-drop.
    Fps29_97,
    /// 30.
    Fps30,
    /// 48 (high frame rate film).
    Fps48,
    /// 50.
    Fps50,
    /// 60000/1001, drop-frame.
    Fps59_94Drop,
    /// 60000/1001, non-drop.
    Fps59_94,
    /// 60.
    Fps60,
}

impl FrameRate {
    /// Every rate, in the order a menu shows them (frozen: saved as their ids).
    pub const ALL: [FrameRate; 11] = [
        FrameRate::Fps23_976,
        FrameRate::Fps24,
        FrameRate::Fps25,
        FrameRate::Fps29_97Drop,
        FrameRate::Fps29_97,
        FrameRate::Fps30,
        FrameRate::Fps48,
        FrameRate::Fps50,
        FrameRate::Fps59_94Drop,
        FrameRate::Fps59_94,
        FrameRate::Fps60,
    ];

    /// The rates as a setting offers them.
    pub const CHOICES: [Choice<FrameRate>; 11] = [
        Choice {
            value: FrameRate::Fps23_976,
            id: "23.976",
            label: "23.976",
        },
        Choice {
            value: FrameRate::Fps24,
            id: "24",
            label: "24",
        },
        Choice {
            value: FrameRate::Fps25,
            id: "25",
            label: "25",
        },
        Choice {
            value: FrameRate::Fps29_97Drop,
            id: "29.97df",
            label: "29.97 drop-frame",
        },
        Choice {
            value: FrameRate::Fps29_97,
            id: "29.97",
            label: "29.97 non-drop",
        },
        Choice {
            value: FrameRate::Fps30,
            id: "30",
            label: "30",
        },
        Choice {
            value: FrameRate::Fps48,
            id: "48",
            label: "48",
        },
        Choice {
            value: FrameRate::Fps50,
            id: "50",
            label: "50",
        },
        Choice {
            value: FrameRate::Fps59_94Drop,
            id: "59.94df",
            label: "59.94 drop-frame",
        },
        Choice {
            value: FrameRate::Fps59_94,
            id: "59.94",
            label: "59.94 non-drop",
        },
        Choice {
            value: FrameRate::Fps60,
            id: "60",
            label: "60",
        },
    ];

    /// Frames a second as an exact ratio (numerator, denominator): 30000/1001 for 29.97.
    pub fn frames_per_second(self) -> (i64, i64) {
        match self {
            FrameRate::Fps23_976 => (24_000, 1001),
            FrameRate::Fps24 => (24, 1),
            FrameRate::Fps25 => (25, 1),
            FrameRate::Fps29_97Drop | FrameRate::Fps29_97 => (30_000, 1001),
            FrameRate::Fps30 => (30, 1),
            FrameRate::Fps48 => (48, 1),
            FrameRate::Fps50 => (50, 1),
            FrameRate::Fps59_94Drop | FrameRate::Fps59_94 => (60_000, 1001),
            FrameRate::Fps60 => (60, 1),
        }
    }

    /// Frames counted in one timecode second (the frame field runs 0 to this − 1): 24 at
    /// 23.976, 30 at 29.97.
    pub fn timecode_base(self) -> i64 {
        let (numerator, denominator) = self.frames_per_second();
        (numerator + denominator - 1) / denominator
    }

    /// Whether timecode at this rate is drop-frame.
    pub fn is_drop_frame(self) -> bool {
        matches!(self, FrameRate::Fps29_97Drop | FrameRate::Fps59_94Drop)
    }

    /// Frame numbers skipped at the start of each minute not divisible by ten (drop-frame):
    /// 2 at 29.97, 4 at 59.94 (a fifteenth of the frames counted in a second); 0 otherwise.
    fn dropped_per_minute(self) -> i64 {
        if self.is_drop_frame() {
            self.timecode_base() / DROP_FRAME_DIVISOR
        } else {
            0
        }
    }

    /// Frames a second as a number (29.97002997 …).
    pub fn fps(self) -> f64 {
        let (numerator, denominator) = self.frames_per_second();
        numerator as f64 / denominator as f64
    }

    /// Timecode frame numbers in a day (24 hours of timecode).
    pub fn frames_per_day(self) -> i64 {
        Timecode {
            hours: 23,
            minutes: 59,
            seconds: 59,
            frames: (self.timecode_base() - 1) as u8,
        }
        .to_frames(self)
        .unwrap_or(0)
            + 1
    }

    /// `frame − start_frame` taken the short way round the 24-hour timecode clock: a hit at
    /// 00:00:05:00 after a start at 23:59:50:00 is 15 s later, not a day earlier.
    pub fn frames_after(self, frame: i64, start_frame: i64) -> i64 {
        let day = self.frames_per_day().max(1);
        let relative = (frame - start_frame).rem_euclid(day);
        if relative > day / 2 {
            relative - day
        } else {
            relative
        }
    }

    /// The rate with id `text` (`"29.97df"`, `"24"` …; `"29.97 DF"` and `"29.97 drop"` too).
    pub fn parse(text: &str) -> Option<FrameRate> {
        let text = text.trim().to_ascii_lowercase().replace([' ', '-'], "");
        let text = text
            .replace("dropframe", "df")
            .replace("drop", "df")
            .replace("nondf", "")
            .replace("ndf", "");
        Self::CHOICES
            .iter()
            .find(|choice| choice.id == text)
            .map(|choice| choice.value)
    }

    /// The id (`"29.97df"`).
    pub fn id(self) -> &'static str {
        Self::CHOICES
            .iter()
            .find(|choice| choice.value == self)
            .map_or("24", |choice| choice.id)
    }
}

/// A SMPTE timecode: hours, minutes, seconds and frames as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timecode {
    /// Hours, 0–23.
    pub hours: u8,
    /// Minutes, 0–59.
    pub minutes: u8,
    /// Seconds, 0–59.
    pub seconds: u8,
    /// Frames, 0 to the rate's timecode base − 1.
    pub frames: u8,
}

/// Why a timecode was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimecodeError {
    /// Not `HH:MM:SS:FF` (or `HH:MM:SS;FF`).
    Malformed {
        /// What was given.
        text: String,
    },
    /// A field beyond its range (minutes ≥ 60, frames ≥ the rate's base …).
    OutOfRange {
        /// The timecode as written.
        timecode: String,
        /// Which field.
        field: &'static str,
    },
    /// A frame number drop-frame timecode skips (e.g. 00:01:00;00 at 29.97 DF).
    DroppedFrame {
        /// The timecode as written.
        timecode: String,
        /// How many numbers the rate skips each minute (2 at 29.97, 4 at 59.94).
        skipped_per_minute: u8,
    },
    /// `;` (drop-frame) written for a non-drop rate, or `:` for a drop-frame one.
    WrongSeparator {
        /// The timecode as written.
        timecode: String,
        /// The rate it was read at.
        rate: FrameRate,
    },
}

impl fmt::Display for TimecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimecodeError::Malformed { text } => {
                write!(
                    f,
                    "{text:?} is not a timecode (HH:MM:SS:FF, or HH:MM:SS;FF for drop-frame)"
                )
            }
            TimecodeError::OutOfRange { timecode, field } => {
                write!(f, "{timecode}: the {field} are out of range")
            }
            TimecodeError::DroppedFrame {
                timecode,
                skipped_per_minute,
            } => write!(
                f,
                "{timecode} does not exist in drop-frame timecode (frames 00 to {:02} are \
                 skipped at each minute not divisible by ten)",
                skipped_per_minute.saturating_sub(1)
            ),
            TimecodeError::WrongSeparator { timecode, rate } => write!(
                f,
                "{timecode}: `;` before the frames marks drop-frame, `:` non-drop; the rate is {}",
                rate.id()
            ),
        }
    }
}

impl std::error::Error for TimecodeError {}

/// A parsed timecode and whether it was written drop-frame (`;` before the frames).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenTimecode {
    /// The fields.
    pub timecode: Timecode,
    /// Whether `;` (or `.`) came before the frames.
    pub drop_frame: bool,
}

impl WrittenTimecode {
    /// Parses `HH:MM:SS:FF` or `HH:MM:SS;FF` (`;` or `.` before the frames marks drop-frame).
    pub fn parse(text: &str) -> Result<WrittenTimecode, TimecodeError> {
        let malformed = || TimecodeError::Malformed {
            text: text.to_owned(),
        };
        let trimmed = text.trim();
        let split_at = trimmed.rfind([':', ';', '.']).ok_or_else(malformed)?;
        let drop_frame = trimmed[split_at..].starts_with([';', '.']);
        let mut fields = trimmed[..split_at].split(':');
        let mut next = || -> Result<u8, TimecodeError> {
            let field = fields.next().ok_or_else(malformed)?;
            if field.is_empty() || field.len() > 2 || !field.bytes().all(|b| b.is_ascii_digit()) {
                return Err(malformed());
            }
            field.parse().map_err(|_| malformed())
        };
        let (hours, minutes, seconds) = (next()?, next()?, next()?);
        if fields.next().is_some() {
            return Err(malformed());
        }
        let frames_text = &trimmed[split_at + 1..];
        if frames_text.is_empty()
            || frames_text.len() > 2
            || !frames_text.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(malformed());
        }
        let frames = frames_text.parse().map_err(|_| malformed())?;
        Ok(WrittenTimecode {
            timecode: Timecode {
                hours,
                minutes,
                seconds,
                frames,
            },
            drop_frame,
        })
    }
}

/// Ten minutes, in minutes: drop-frame skips no frames at minutes divisible by this.
const MINUTES_PER_DROP_CYCLE: i64 = 10;
/// Drop-frame skips a fifteenth of a second's frame count each minute (30 → 2, 60 → 4): what
/// 1000/1001 of the nominal rate loses in a minute, rounded as SMPTE 12M does.
const DROP_FRAME_DIVISOR: i64 = 15;

impl Timecode {
    /// The frame number of this timecode at `rate`, counting from 00:00:00:00 = frame 0.
    pub fn to_frames(self, rate: FrameRate) -> Result<i64, TimecodeError> {
        let base = rate.timecode_base();
        let out_of_range = |field| TimecodeError::OutOfRange {
            timecode: self.display(rate).to_string(),
            field,
        };
        if self.hours > 23 {
            return Err(out_of_range("hours"));
        }
        if self.minutes > 59 {
            return Err(out_of_range("minutes"));
        }
        if self.seconds > 59 {
            return Err(out_of_range("seconds"));
        }
        if i64::from(self.frames) >= base {
            return Err(out_of_range("frames"));
        }
        let dropped = rate.dropped_per_minute();
        let total_minutes = 60 * i64::from(self.hours) + i64::from(self.minutes);
        if dropped > 0
            && self.seconds == 0
            && i64::from(self.frames) < dropped
            && total_minutes % MINUTES_PER_DROP_CYCLE != 0
        {
            return Err(TimecodeError::DroppedFrame {
                timecode: self.display(rate).to_string(),
                skipped_per_minute: dropped as u8,
            });
        }
        let counted =
            (total_minutes * 60 + i64::from(self.seconds)) * base + i64::from(self.frames);
        Ok(counted - dropped * (total_minutes - total_minutes / MINUTES_PER_DROP_CYCLE))
    }

    /// The timecode of frame number `frame` at `rate` (wrapping past 24 hours, as timecode
    /// does; a negative frame counts back from 24:00:00:00).
    pub fn from_frames(frame: i64, rate: FrameRate) -> Timecode {
        let base = rate.timecode_base();
        let dropped = rate.dropped_per_minute();
        let mut frame = frame.rem_euclid(rate.frames_per_day().max(1));
        if dropped > 0 {
            // Put back the skipped numbers: 9 drops in every ten minutes (none in the first
            // minute of each ten), then count as if nothing were skipped.
            let per_ten_minutes = MINUTES_PER_DROP_CYCLE * 60 * base - 9 * dropped;
            let per_minute = 60 * base - dropped;
            let tens = frame / per_ten_minutes;
            let within = frame % per_ten_minutes;
            frame += 9 * dropped * tens;
            if within >= dropped {
                frame += dropped * ((within - dropped) / per_minute);
            }
        }
        let frames = frame % base;
        let total_seconds = frame / base;
        Timecode {
            hours: (total_seconds / 3600 % 24) as u8,
            minutes: (total_seconds / 60 % 60) as u8,
            seconds: (total_seconds % 60) as u8,
            frames: frames as u8,
        }
    }

    /// Writes the timecode as for `rate`: `;` before the frames when it is drop-frame.
    pub fn display(self, rate: FrameRate) -> impl fmt::Display {
        TimecodeAt {
            timecode: self,
            drop_frame: rate.is_drop_frame(),
        }
    }
}

/// A timecode with its separator (see [`Timecode::display`]).
struct TimecodeAt {
    timecode: Timecode,
    drop_frame: bool,
}

impl fmt::Display for TimecodeAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.timecode;
        let separator = if self.drop_frame { ';' } else { ':' };
        write!(
            f,
            "{:02}:{:02}:{:02}{separator}{:02}",
            t.hours, t.minutes, t.seconds, t.frames
        )
    }
}

/// Reads `text` as a timecode at `rate`; `;` is required for a drop-frame rate and refused for a
/// non-drop one, so a composer's mistyped rate is caught rather than read a few frames off.
pub fn parse_timecode(text: &str, rate: FrameRate) -> Result<i64, TimecodeError> {
    let written = WrittenTimecode::parse(text)?;
    if written.drop_frame != rate.is_drop_frame() {
        return Err(TimecodeError::WrongSeparator {
            timecode: text.trim().to_owned(),
            rate,
        });
    }
    written.timecode.to_frames(rate)
}

/// Seconds from frame 0 to the start of frame `frame` (exact ratio, one rounding at the end).
pub fn frames_to_seconds(frame: i64, rate: FrameRate) -> f64 {
    let (numerator, denominator) = rate.frames_per_second();
    (frame as f64 * denominator as f64) / numerator as f64
}

/// The frame whose start is nearest `seconds` (a tap or a host time snapped to picture).
pub fn nearest_frame(seconds: f64, rate: FrameRate) -> i64 {
    let (numerator, denominator) = rate.frames_per_second();
    (seconds * numerator as f64 / denominator as f64).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tc(text: &str, rate: FrameRate) -> i64 {
        parse_timecode(text, rate).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn known_drop_frame_pairs() {
        use FrameRate::*;
        // SMPTE 12M: 00:01:00;02 is the first frame of minute 1 at 29.97 DF.
        assert_eq!(tc("00:01:00;02", Fps29_97Drop), 1800);
        assert_eq!(tc("00:00:59;29", Fps29_97Drop), 1799);
        assert_eq!(tc("00:10:00;00", Fps29_97Drop), 17_982);
        assert_eq!(tc("01:00:00;00", Fps29_97Drop), 107_892);
        // 59.94 DF skips four numbers.
        assert_eq!(tc("00:01:00;04", Fps59_94Drop), 3600);
        assert_eq!(tc("01:00:00;00", Fps59_94Drop), 215_784);
        // Non-drop 29.97 counts every number: an hour of timecode is 3603.6 s on the clock.
        assert_eq!(tc("01:00:00:00", Fps29_97), 108_000);
        assert!((frames_to_seconds(108_000, Fps29_97) - 3603.6).abs() < 1e-9);
        // Drop-frame keeps up with the clock: an hour of timecode is 3.6 ms short of 3600 s.
        assert!((frames_to_seconds(107_892, Fps29_97Drop) - 3599.9964).abs() < 1e-9);
        assert_eq!(tc("01:00:00:00", Fps24), 86_400);
        assert_eq!(tc("01:00:00:00", Fps23_976), 86_400);
        assert_eq!(tc("00:00:14:12", Fps24), 348);
    }

    #[test]
    fn skipped_numbers_and_bad_input_are_refused() {
        use FrameRate::*;
        assert!(matches!(
            parse_timecode("00:01:00;00", Fps29_97Drop),
            Err(TimecodeError::DroppedFrame { .. })
        ));
        assert!(matches!(
            parse_timecode("00:01:00;03", Fps59_94Drop),
            Err(TimecodeError::DroppedFrame { .. })
        ));
        assert!(matches!(
            parse_timecode("00:00:00:24", Fps24),
            Err(TimecodeError::OutOfRange {
                field: "frames",
                ..
            })
        ));
        assert!(matches!(
            parse_timecode("00:01:00:02", Fps29_97Drop),
            Err(TimecodeError::WrongSeparator { .. })
        ));
        assert!(matches!(
            parse_timecode("1:00:00", Fps24),
            Err(TimecodeError::Malformed { .. })
        ));
        assert!(matches!(
            parse_timecode("01:xx:00:00", Fps24),
            Err(TimecodeError::Malformed { .. })
        ));
    }

    #[test]
    fn every_frame_round_trips_through_its_timecode() {
        for rate in FrameRate::ALL {
            // Two hours of frames, and around the 24-hour wrap.
            let per_second = rate.timecode_base();
            for frame in (0..2 * 3600 * per_second).chain(86_000 * per_second..86_300 * per_second)
            {
                let timecode = Timecode::from_frames(frame, rate);
                let back = timecode.to_frames(rate).unwrap_or_else(|e| {
                    panic!("{} frame {frame}: {e}", rate.id());
                });
                assert_eq!(back, frame, "{} {}", rate.id(), timecode.display(rate));
            }
        }
    }

    #[test]
    fn rates_parse_and_snap() {
        assert_eq!(FrameRate::parse("29.97 DF"), Some(FrameRate::Fps29_97Drop));
        assert_eq!(FrameRate::parse("29.97df"), Some(FrameRate::Fps29_97Drop));
        assert_eq!(FrameRate::parse("29.97"), Some(FrameRate::Fps29_97));
        assert_eq!(
            FrameRate::parse("59.94 drop-frame"),
            Some(FrameRate::Fps59_94Drop)
        );
        assert_eq!(FrameRate::parse("23.976"), Some(FrameRate::Fps23_976));
        assert_eq!(FrameRate::parse("31"), None);
        for rate in FrameRate::ALL {
            assert_eq!(FrameRate::parse(rate.id()), Some(rate));
            // The start of every frame snaps back to that frame.
            for frame in [0, 1, 347, 348, 107_892] {
                assert_eq!(nearest_frame(frames_to_seconds(frame, rate), rate), frame);
            }
        }
        // 14.5 s at 24 fps is frame 348; a tap 10 ms later still snaps to it.
        assert_eq!(nearest_frame(14.51, FrameRate::Fps24), 348);
        // Across midnight the short way round.
        let rate = FrameRate::Fps24;
        let start = parse_timecode("23:59:50:00", rate).unwrap();
        let hit = parse_timecode("00:00:05:00", rate).unwrap();
        assert_eq!(rate.frames_after(hit, start), 15 * 24);
        assert_eq!(rate.frames_after(start, hit), -15 * 24);
    }
}
