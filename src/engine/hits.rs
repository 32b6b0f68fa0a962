//! Hit points on the picture: a moment (a frame from the song's zero), a name, what of the
//! music lands there and how much it matters — and reading them from a spotting list (CSV).
//!
//! A hit list is plain fixed-size data (no heap), so it can travel to the audio thread.

use std::fmt;

use super::timecode::{parse_timecode, FrameRate, TimecodeError};

/// Most hits a list holds.
pub const MAX_HITS: usize = 64;
/// Longest hit name kept, in bytes (longer names are cut at a character boundary).
pub const MAX_HIT_NAME_BYTES: usize = 48;

/// What of the rendering lands on a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lands {
    /// The statement's climax.
    #[default]
    Climax,
    /// The statement's first note.
    Start,
    /// A stinger: the head motif's first note.
    Stinger,
    /// The end of the cue (the closing cadence).
    End,
}

impl Lands {
    /// Every kind, as written in files.
    pub const ALL: [Lands; 4] = [Lands::Climax, Lands::Start, Lands::Stinger, Lands::End];

    /// The name written in files.
    pub fn name(self) -> &'static str {
        match self {
            Lands::Climax => "climax",
            Lands::Start => "start",
            Lands::Stinger => "stinger",
            Lands::End => "end",
        }
    }

    /// Reads a [`name`](Self::name) (any case).
    pub fn parse(text: &str) -> Option<Lands> {
        let text = text.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|lands| lands.name() == text)
    }
}

/// How much a hit matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Importance {
    /// It must land (Find Tempo puts it on a downbeat).
    #[default]
    Must,
    /// It should land if it can (on a beat).
    Should,
}

impl Importance {
    /// The name written in files.
    pub fn name(self) -> &'static str {
        match self {
            Importance::Must => "must",
            Importance::Should => "should",
        }
    }

    /// Reads a [`name`](Self::name) (any case).
    pub fn parse(text: &str) -> Option<Importance> {
        match text.trim().to_ascii_lowercase().as_str() {
            "must" => Some(Importance::Must),
            "should" => Some(Importance::Should),
            _ => None,
        }
    }
}

/// A hit's name in a fixed buffer (UTF-8, at most [`MAX_HIT_NAME_BYTES`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HitName {
    bytes: [u8; MAX_HIT_NAME_BYTES],
    len: u8,
}

impl HitName {
    /// `text`, cut at the last character boundary that fits.
    pub fn new(text: &str) -> Self {
        let text = text.trim();
        let mut end = text.len().min(MAX_HIT_NAME_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0; MAX_HIT_NAME_BYTES];
        bytes[..end].copy_from_slice(&text.as_bytes()[..end]);
        Self {
            bytes,
            len: end as u8,
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        // The bytes are a prefix of a `str` cut at a character boundary.
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }
}

impl fmt::Debug for HitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl fmt::Display for HitName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One hit point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Frames from the song's zero at the picture's frame rate (negative: before it).
    pub frame: i64,
    /// Its name ("door slam").
    pub name: HitName,
    /// What lands on it.
    pub lands: Lands,
    /// How much it matters.
    pub importance: Importance,
}

/// Hits in time order, at most [`MAX_HITS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HitList {
    hits: [Option<Hit>; MAX_HITS],
    len: usize,
}

impl Default for HitList {
    fn default() -> Self {
        Self {
            hits: [None; MAX_HITS],
            len: 0,
        }
    }
}

impl HitList {
    /// The hits, in time order.
    pub fn iter(&self) -> impl Iterator<Item = &Hit> {
        self.hits[..self.len].iter().flatten()
    }

    /// Number of hits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds `hit` in time order; `false` (and nothing added) when the list is full.
    pub fn push(&mut self, hit: Hit) -> bool {
        if self.len == MAX_HITS {
            return false;
        }
        let at = self.hits[..self.len]
            .iter()
            .flatten()
            .take_while(|h| h.frame <= hit.frame)
            .count();
        self.hits.copy_within(at..self.len, at + 1);
        self.hits[at] = Some(hit);
        self.len += 1;
        true
    }
}

/// Why a spotting list was refused (nothing is read from a list with an error).
#[derive(Debug, Clone, PartialEq)]
pub enum SpottingError {
    /// The first line is not the `timecode,name,lands` header.
    MissingHeader {
        /// The first line as found.
        found: String,
    },
    /// A line's timecode could not be read.
    Timecode {
        /// Line number, from 1.
        line: usize,
        /// What was wrong.
        error: TimecodeError,
    },
    /// A line's `lands` or `importance` is not one of the accepted words.
    UnknownWord {
        /// Line number, from 1.
        line: usize,
        /// The column.
        column: &'static str,
        /// What was written.
        found: String,
    },
    /// A line has fewer than three fields.
    ShortLine {
        /// Line number, from 1.
        line: usize,
    },
    /// More hits than a list holds.
    TooMany {
        /// How many the file has.
        count: usize,
    },
    /// The file has a header and no hits.
    Empty,
}

impl fmt::Display for SpottingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpottingError::MissingHeader { found } => write!(
                f,
                "the first line must be the header `timecode,name,lands[,importance]`, not {found:?}"
            ),
            SpottingError::Timecode { line, error } => write!(f, "line {line}: {error}"),
            SpottingError::UnknownWord {
                line,
                column,
                found,
            } => {
                let accepted = if *column == "lands" {
                    "climax, start, stinger or end"
                } else {
                    "must or should"
                };
                write!(f, "line {line}: {column} {found:?} is not {accepted}")
            }
            SpottingError::ShortLine { line } => {
                write!(f, "line {line}: needs timecode, name and lands")
            }
            SpottingError::TooMany { count } => {
                write!(f, "{count} hits; a list holds at most {MAX_HITS}")
            }
            SpottingError::Empty => write!(f, "the list has no hits"),
        }
    }
}

impl std::error::Error for SpottingError {}

/// Reads a spotting list: a header `timecode,name,lands[,importance]`, then one hit a line
/// (`01:00:14:12,door slam,climax,must`; `;` before the frames for drop-frame, which `rate`
/// must be). Timecodes are taken from `start_frame` (the song's zero, e.g. 01:00:00:00). Blank
/// lines and lines starting with `#` are skipped; a name may be quoted to hold commas.
pub fn read_spotting_list(
    text: &str,
    rate: FrameRate,
    start_frame: i64,
) -> Result<HitList, SpottingError> {
    // A spreadsheet's UTF-8 byte order mark is not part of the header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
    let (_, header) = lines.next().ok_or(SpottingError::Empty)?;
    let header_fields: Vec<String> = split_csv(header)
        .iter()
        .map(|f| f.to_ascii_lowercase())
        .collect();
    if header_fields.len() < 3
        || header_fields[0] != "timecode"
        || header_fields[1] != "name"
        || header_fields[2] != "lands"
    {
        return Err(SpottingError::MissingHeader {
            found: header.to_owned(),
        });
    }
    let mut hits = HitList::default();
    let mut count = 0;
    for (line, text) in lines {
        let fields = split_csv(text);
        if fields.len() < 3 {
            return Err(SpottingError::ShortLine { line });
        }
        let frame = parse_timecode(&fields[0], rate)
            .map_err(|error| SpottingError::Timecode { line, error })?;
        let lands = Lands::parse(&fields[2]).ok_or_else(|| SpottingError::UnknownWord {
            line,
            column: "lands",
            found: fields[2].clone(),
        })?;
        let importance = match fields.get(3).filter(|f| !f.trim().is_empty()) {
            Some(word) => Importance::parse(word).ok_or_else(|| SpottingError::UnknownWord {
                line,
                column: "importance",
                found: word.clone(),
            })?,
            None => Importance::Must,
        };
        count += 1;
        hits.push(Hit {
            frame: rate.frames_after(frame, start_frame),
            name: HitName::new(&fields[1]),
            lands,
            importance,
        });
    }
    if count > MAX_HITS {
        return Err(SpottingError::TooMany { count });
    }
    if count == 0 {
        return Err(SpottingError::Empty);
    }
    Ok(hits)
}

/// The fields of one CSV line: commas separate, double quotes hold commas (`""` is a quote).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(field) = fields.last_mut() {
                    field.push('"');
                }
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            c => {
                if let Some(field) = fields.last_mut() {
                    field.push(c);
                }
            }
        }
    }
    fields.into_iter().map(|f| f.trim().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spotting_list_is_read_in_time_order_from_the_start_timecode() {
        let text = "timecode,name,lands,importance\n\
                    # reel 1\n\
                    01:00:20:00,\"door slam, hall\",climax,must\n\
                    01:00:14:12,glance,start,should\n\
                    01:00:30:00,cut to black,end\n";
        let start = parse_timecode("01:00:00:00", FrameRate::Fps24).unwrap();
        let hits = read_spotting_list(text, FrameRate::Fps24, start).unwrap();
        let got: Vec<(i64, &str, Lands, Importance)> = hits
            .iter()
            .map(|h| (h.frame, h.name.as_str(), h.lands, h.importance))
            .collect();
        assert_eq!(
            got,
            vec![
                (348, "glance", Lands::Start, Importance::Should),
                (480, "door slam, hall", Lands::Climax, Importance::Must),
                (720, "cut to black", Lands::End, Importance::Must),
            ]
        );
    }

    #[test]
    fn bad_lists_say_which_line_and_why() {
        let rate = FrameRate::Fps29_97Drop;
        assert!(matches!(
            read_spotting_list("tc,what\n", rate, 0),
            Err(SpottingError::MissingHeader { .. })
        ));
        assert!(matches!(
            read_spotting_list("timecode,name,lands\n00:01:00;00,x,climax\n", rate, 0),
            Err(SpottingError::Timecode { line: 2, .. })
        ));
        assert!(matches!(
            read_spotting_list("timecode,name,lands\n00:01:00;02,x,boom\n", rate, 0),
            Err(SpottingError::UnknownWord { line: 2, .. })
        ));
        assert_eq!(
            read_spotting_list("timecode,name,lands\n", rate, 0),
            Err(SpottingError::Empty)
        );
        let many: String = std::iter::once("timecode,name,lands\n".to_owned())
            .chain((0..65).map(|i| format!("00:00:{:02};00,h{i},start\n", i % 60)))
            .collect();
        assert!(matches!(
            read_spotting_list(&many, rate, 0),
            Err(SpottingError::TooMany { count: 65 })
        ));
    }

    #[test]
    fn a_spreadsheets_byte_order_mark_is_not_part_of_the_header() {
        let text = "\u{feff}timecode,name,lands\n00:00:01:00,door,climax\n";
        let hits = read_spotting_list(text, FrameRate::Fps24, 0).unwrap();
        assert_eq!(hits.iter().next().map(|h| h.frame), Some(24));
    }

    #[test]
    fn long_names_are_cut_at_a_character() {
        let name = HitName::new(&"é".repeat(40));
        assert_eq!(name.as_str().chars().count(), 24);
    }
}
