//! Hits from what picture editors and DAWs export besides a spotting list: the cuts of a CMX 3600
//! edit decision list (each event's record-in timecode) and the marker events of a .mid file.

use std::fmt;

use super::hits::{
    read_spotting_list, Hit, HitList, HitName, Importance, Lands, SpottingError, MAX_HITS,
};
use super::midi_file::read_markers;
use super::timecode::{nearest_frame, FrameRate, TimecodeError, WrittenTimecode};

/// Why an EDL or a marker file gave no hits.
#[derive(Debug, Clone, PartialEq)]
pub enum HitSourceError {
    /// An event line's record-in timecode could not be read.
    Timecode {
        /// Line number, from 1.
        line: usize,
        /// What was wrong.
        error: TimecodeError,
    },
    /// The EDL's frame code mode (`FCM:`) disagrees with the chosen rate's.
    FrameCodeMode {
        /// Whether the EDL says drop-frame.
        edl_drop_frame: bool,
        /// The chosen rate.
        rate: FrameRate,
    },
    /// The .mid file could not be read.
    Midi {
        /// The parser's message.
        message: String,
    },
    /// More cuts or markers than a list holds.
    TooMany {
        /// How many there are.
        count: usize,
    },
    /// No event lines, or no markers.
    Empty,
}

impl fmt::Display for HitSourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HitSourceError::Timecode { line, error } => write!(f, "line {line}: {error}"),
            HitSourceError::FrameCodeMode {
                edl_drop_frame,
                rate,
            } => write!(
                f,
                "the EDL is {} but the rate is {}",
                if *edl_drop_frame {
                    "drop-frame (FCM: DROP FRAME)"
                } else {
                    "non-drop (FCM: NON-DROP FRAME)"
                },
                rate.id()
            ),
            HitSourceError::Midi { message } => write!(f, "not a readable MIDI file: {message}"),
            HitSourceError::TooMany { count } => {
                write!(f, "{count} hits; a list holds at most {MAX_HITS}")
            }
            HitSourceError::Empty => write!(f, "no cuts or markers found"),
        }
    }
}

impl std::error::Error for HitSourceError {}

/// Whether a token looks like a timecode (`01:00:05:00`, `01:00:05;00`).
fn is_timecode(token: &str) -> bool {
    token.len() == 11 && token.bytes().filter(|b| b.is_ascii_digit()).count() == 8
}

/// The cuts of a CMX 3600 EDL: each event's record-in (the third of the four timecodes on its
/// line), as `start` hits that `should` land, named after the event and its reel, from
/// `start_frame`. Audio-only events and repeated record-ins (the two sides of a dissolve) are
/// left out. `FCM:` lines must agree with `rate`.
pub fn hits_from_edl(
    text: &str,
    rate: FrameRate,
    start_frame: i64,
) -> Result<HitList, HitSourceError> {
    let mut hits = HitList::default();
    let mut count = 0;
    let mut last_frame = None;
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        let upper = line.trim().to_ascii_uppercase();
        if let Some(mode) = upper.strip_prefix("FCM:") {
            let edl_drop_frame = !mode.contains("NON") && mode.contains("DROP");
            if edl_drop_frame != rate.is_drop_frame() {
                return Err(HitSourceError::FrameCodeMode {
                    edl_drop_frame,
                    rate,
                });
            }
            continue;
        }
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let timecodes: Vec<&str> = tokens.iter().copied().filter(|t| is_timecode(t)).collect();
        let is_event = tokens
            .first()
            .is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit()));
        if !is_event || timecodes.len() < 4 {
            continue;
        }
        // Event, reel, track (V, A, A2, AA/V, B …), transition, [duration], four timecodes.
        let track = tokens.get(2).copied().unwrap_or("");
        if !track.contains('V') && !track.contains('B') {
            continue;
        }
        let record_in = timecodes[timecodes.len() - 2];
        let written =
            WrittenTimecode::parse(record_in).map_err(|error| HitSourceError::Timecode {
                line: line_number,
                error,
            })?;
        // EDLs often write drop-frame with `:`; the FCM line says which it is.
        let frame = written
            .timecode
            .to_frames(rate)
            .map_err(|error| HitSourceError::Timecode {
                line: line_number,
                error,
            })?;
        let frame = rate.frames_after(frame, start_frame);
        if last_frame == Some(frame) {
            continue;
        }
        last_frame = Some(frame);
        count += 1;
        let reel = tokens.get(1).copied().unwrap_or("");
        hits.push(Hit {
            frame,
            name: HitName::new(&format!("cut {} ({reel})", tokens[0])),
            lands: Lands::Start,
            importance: Importance::Should,
        });
    }
    match count {
        0 => Err(HitSourceError::Empty),
        n if n > MAX_HITS => Err(HitSourceError::TooMany { count: n }),
        _ => Ok(hits),
    }
}

/// The marker (and cue point) events of a .mid file, at their times through the file's tempo
/// map, snapped to the nearest frame of `rate` (the file's zero is the song's zero). A marker's
/// text is its name; a trailing `climax`, `start`, `stinger` or `end`, and `must` or `should`,
/// choose what lands and how much it matters (default `climax`, `must`).
pub fn hits_from_midi_markers(bytes: &[u8], rate: FrameRate) -> Result<HitList, HitSourceError> {
    let (map, markers) = read_markers(bytes).map_err(|e| HitSourceError::Midi {
        message: e.to_string(),
    })?;
    if markers.is_empty() {
        return Err(HitSourceError::Empty);
    }
    if markers.len() > MAX_HITS {
        return Err(HitSourceError::TooMany {
            count: markers.len(),
        });
    }
    let mut hits = HitList::default();
    for (beats, text) in markers {
        let (name, lands, importance) = marker_words(&text);
        hits.push(Hit {
            frame: nearest_frame(map.seconds_at(beats), rate),
            name: HitName::new(name),
            lands,
            importance,
        });
    }
    Ok(hits)
}

/// A marker's name and the trailing words that say what lands and how much it matters.
fn marker_words(text: &str) -> (&str, Lands, Importance) {
    let (mut lands, mut importance) = (Lands::Climax, Importance::Must);
    let mut name = text.trim();
    // At most the two trailing words are settings.
    for _ in 0..2 {
        let Some((rest, last)) = name.rsplit_once(char::is_whitespace) else {
            break;
        };
        if let Some(word) = Lands::parse(last) {
            lands = word;
        } else if let Some(word) = Importance::parse(last) {
            importance = word;
        } else {
            break;
        }
        name = rest.trim_end();
    }
    (name, lands, importance)
}

/// Why a hit file gave no hits.
#[derive(Debug, Clone, PartialEq)]
pub enum HitFileError {
    /// A spotting list (CSV) that could not be read.
    Spotting(SpottingError),
    /// An EDL or a .mid file that gave no hits.
    Source(HitSourceError),
}

impl fmt::Display for HitFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HitFileError::Spotting(e) => e.fmt(f),
            HitFileError::Source(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for HitFileError {}

/// The hits of a file by its `extension` (any case): a .mid file's markers (`mid`, `midi`;
/// their zero is the song's zero), an edit decision list's cuts (`edl`), else a spotting list
/// (CSV). Timecodes count from `start_frame` (the song's zero) at `rate`.
pub fn hits_from_file(
    extension: &str,
    bytes: &[u8],
    rate: FrameRate,
    start_frame: i64,
) -> Result<HitList, HitFileError> {
    match extension.to_ascii_lowercase().as_str() {
        "mid" | "midi" => hits_from_midi_markers(bytes, rate).map_err(HitFileError::Source),
        "edl" => hits_from_edl(&String::from_utf8_lossy(bytes), rate, start_frame)
            .map_err(HitFileError::Source),
        _ => read_spotting_list(&String::from_utf8_lossy(bytes), rate, start_frame)
            .map_err(HitFileError::Spotting),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::timecode::parse_timecode;

    const EDL: &str = "TITLE: REEL 1 LOCK\n\
FCM: NON-DROP FRAME\n\
\n\
001  A001C003 V     C        14:02:11:04 14:02:15:00 01:00:00:00 01:00:03:20\n\
002  A002C010 V     C        09:40:01:10 09:40:04:00 01:00:03:20 01:00:06:10\n\
003  A002C010 A     C        09:40:01:10 09:40:04:00 01:00:03:20 01:00:06:10\n\
004  A003C001 V     C        10:00:00:00 10:00:00:00 01:00:06:10 01:00:06:10\n\
004  A004C002 V     D    024 11:11:11:00 11:11:15:00 01:00:06:10 01:00:10:10\n\
* FROM CLIP NAME: GLANCE.MOV\n";

    #[test]
    fn an_edls_video_cuts_become_start_hits() {
        let start = parse_timecode("01:00:00:00", FrameRate::Fps24).unwrap();
        let hits = hits_from_edl(EDL, FrameRate::Fps24, start).unwrap();
        let got: Vec<(i64, &str)> = hits.iter().map(|h| (h.frame, h.name.as_str())).collect();
        // 01:00:03:20 = 92 frames; 01:00:06:10 = 154 (the dissolve's two sides are one cut;
        // the audio event is not a cut).
        assert_eq!(
            got,
            vec![
                (0, "cut 001 (A001C003)"),
                (92, "cut 002 (A002C010)"),
                (154, "cut 004 (A003C001)")
            ]
        );
        assert!(hits.iter().all(|h| h.lands == Lands::Start));
        assert!(matches!(
            hits_from_edl(EDL, FrameRate::Fps29_97Drop, 0),
            Err(HitSourceError::FrameCodeMode { .. })
        ));
        assert_eq!(
            hits_from_edl("TITLE: x\n", FrameRate::Fps24, 0),
            Err(HitSourceError::Empty)
        );
    }

    #[test]
    fn marker_words_choose_what_lands() {
        assert_eq!(
            marker_words("door slam stinger should"),
            ("door slam", Lands::Stinger, Importance::Should)
        );
        assert_eq!(
            marker_words("glance"),
            ("glance", Lands::Climax, Importance::Must)
        );
        assert_eq!(
            marker_words("the end"),
            ("the", Lands::End, Importance::Must)
        );
    }
}
