//! The motif library as saved in host projects: serde-derived, versioned documents, and the one
//! pair of functions that writes ([`library_json`]) and reads ([`parse_library`]) them. Tests and
//! benches build library JSON with `library_json` too, so there is no second copy of the schema.
//!
//! Reading is lenient and bounded. Every field is [`Lenient`]: a value of the wrong type is noted
//! and replaced by its default instead of failing the document, so a damaged, older or newer
//! state keeps everything readable. What was dropped, cut or defaulted is counted in a
//! [`LoadReport`]. Notes, slots and names are bounded
//! ([`crate::engine::motif::MAX_MOTIF_NOTES`],
//! [`crate::engine::motif::MAX_MOTIF_BARS`], [`NUM_SLOTS`], [`MAX_SLOT_NAME_CHARS`]).
//!
//! Versions: 1 wrote each note as an array `[start, length, key, velocity, channel]`; 2 writes
//! an object with named fields, so a newer build's extra fields are simply ignored; 3 (this
//! build) adds the `picture` (frame rate, start timecode, hits). [`migrate`] turns older
//! documents into the current shape before they are read (a document without a picture has the
//! default one: 24 fps, 00:00:00:00, no hits).
//!
//! Main thread only (host state calls, the editor): reading allocates.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::engine::hits::{Hit, HitName, Importance, Lands, MAX_HITS};
use crate::engine::key::Key;
use crate::engine::motif::{whole_bars_beats, Motif, Note, TimeSignature};
use crate::engine::picture::{Picture, TempoList, TempoSource, MAX_PICTURE_TEMPOS};
use crate::engine::playback::NUM_SLOTS;
use crate::engine::time_map::TempoChange;
use crate::engine::timecode::{nearest_frame, FrameRate, WrittenTimecode};

/// Schema version written by this build.
pub const LIBRARY_SCHEMA_VERSION: u64 = 3;
/// Longest slot name kept, in characters.
pub const MAX_SLOT_NAME_CHARS: usize = 64;

/// The library's motifs (an empty motif is an empty slot).
pub type Slots = Box<[Motif; NUM_SLOTS]>;

/// Eight empty slots. Allocates.
pub fn empty_slots() -> Slots {
    Box::new(std::array::from_fn(|_| Motif::default()))
}

/// The names slots get when none were saved: "Slot 1" … "Slot 8".
pub fn default_names() -> [String; NUM_SLOTS] {
    std::array::from_fn(|i| format!("Slot {}", i + 1))
}

/// A field read leniently: absent, present but unreadable (wrong type, out of range for its
/// type), or a value. Written as the value (or `null`).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Lenient<T> {
    /// Not in the document.
    #[default]
    Missing,
    /// In the document, but not readable as `T`.
    Unreadable,
    /// Read.
    Value(T),
}

impl<T> Lenient<T> {
    /// Whether the field was not in the document (such fields are not written either).
    pub fn is_missing(&self) -> bool {
        matches!(self, Lenient::Missing)
    }

    /// The value, or `None` with `report.fields_defaulted` counted when it was missing or
    /// unreadable.
    fn or_count(self, report: &mut LoadReport) -> Option<T> {
        match self {
            Lenient::Value(value) => Some(value),
            Lenient::Missing | Lenient::Unreadable => {
                report.fields_defaulted += 1;
                None
            }
        }
    }
}

impl<T: Serialize> Serialize for Lenient<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Lenient::Value(value) => value.serialize(serializer),
            Lenient::Missing | Lenient::Unreadable => serializer.serialize_none(),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Any JSON value is accepted here; only its conversion to `T` may fail.
        let value = Value::deserialize(deserializer)?;
        Ok(T::deserialize(value).map_or(Lenient::Unreadable, Lenient::Value))
    }
}

/// The saved library.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LibraryDoc {
    /// Schema version.
    pub version: Lenient<u64>,
    /// The slots, in order (slot 1 first).
    pub slots: Lenient<Vec<Lenient<SlotDoc>>>,
    /// The picture the cue is scored to (schema 3).
    #[serde(skip_serializing_if = "Lenient::is_missing")]
    pub picture: Lenient<PictureDoc>,
}

/// The picture (schema 3).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PictureDoc {
    /// The frame rate's id: `"23.976"`, `"24"`, `"29.97df"` ….
    pub frame_rate: Lenient<String>,
    /// The timecode of the song's zero, `"01:00:00:00"` (`;` before the frames for drop-frame).
    pub start_timecode: Lenient<String>,
    /// The hits, in time order.
    pub hits: Lenient<Vec<Lenient<HitDoc>>>,
    /// The song's tempo map, imported or learnt from playback (absent when none).
    #[serde(skip_serializing_if = "Lenient::is_missing")]
    pub tempo_map: Lenient<Vec<Lenient<TempoDoc>>>,
    /// Where the tempo map comes from: `"imported"` or `"learnt"` (absent when there is no
    /// map; a map without it was imported).
    #[serde(skip_serializing_if = "Lenient::is_missing")]
    pub tempo_map_source: Lenient<String>,
}

/// One tempo of a picture's tempo map (schema 3).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TempoDoc {
    /// Quarter-note beats from the song's zero.
    pub beat: Lenient<f64>,
    /// Beats per minute from there.
    pub bpm: Lenient<f64>,
}

/// One hit (schema 3).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HitDoc {
    /// Its name.
    pub name: Lenient<String>,
    /// Frames from the song's zero at the picture's rate.
    #[serde(skip_serializing_if = "Lenient::is_missing")]
    pub frame: Lenient<i64>,
    /// Seconds from the song's zero: accepted on reading instead of `frame`.
    #[serde(skip_serializing_if = "Lenient::is_missing")]
    pub seconds: Lenient<f64>,
    /// `climax`, `start`, `stinger` or `end`.
    pub lands: Lenient<String>,
    /// `must` or `should`.
    pub importance: Lenient<String>,
}

/// One slot.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SlotDoc {
    /// The name the composer gave the slot.
    pub name: Lenient<String>,
    /// The motif, or `null` for an empty slot.
    pub motif: Lenient<Option<MotifDoc>>,
}

/// One motif.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MotifDoc {
    /// The notes.
    pub notes: Lenient<Vec<Lenient<NoteDoc>>>,
    /// Length in beats (whole bars).
    pub length_beats: Lenient<f64>,
    /// `[numerator, denominator]`.
    pub time_signature: Lenient<[u8; 2]>,
    /// Tempo the motif was played at, BPM.
    pub tempo_bpm: Lenient<f64>,
    /// The key the composer locked, as `"D:minor"`, or `null`.
    pub locked_key: Lenient<Option<String>>,
    /// Whether the motif was cut on capture or import.
    pub truncated: Lenient<bool>,
}

/// One note (schema 2). Unknown fields from newer schemas are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NoteDoc {
    /// Onset from the motif's start, beats.
    pub start_beats: f64,
    /// Duration, beats.
    pub length_beats: f64,
    /// MIDI key 0–127.
    pub key: u8,
    /// Velocity 0–1.
    pub velocity: f32,
    /// MIDI channel 0–15.
    pub channel: u8,
}

/// What loading a state kept, dropped, cut or defaulted. All zero/false for a clean load of a
/// state this build wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// The version was missing, unreadable or newer than this build's.
    pub version_unknown: bool,
    /// The document itself was not a library (not an object, or no readable slot list).
    pub not_a_library: bool,
    /// Notes read into slots.
    pub notes_kept: usize,
    /// Notes dropped: unreadable, invalid (non-positive length, key ≥ 128, …), past the motif's
    /// bar limit or beyond its note capacity.
    pub notes_dropped: usize,
    /// Fields missing or unreadable that got their default (tempo, metre, name, …), and values
    /// brought into range (velocity, length).
    pub fields_defaulted: usize,
    /// Slots beyond the library's eight, or unreadable ones.
    pub slots_ignored: usize,
    /// Names cut to [`MAX_SLOT_NAME_CHARS`].
    pub names_cut: usize,
    /// Motifs flagged as cut (note capacity or bar limit).
    pub motifs_truncated: usize,
    /// Hits dropped: unreadable (no frame or seconds, an unknown `lands`) or beyond
    /// [`MAX_HITS`].
    pub hits_dropped: usize,
}

impl LoadReport {
    /// Whether nothing was lost or changed.
    pub fn is_clean(&self) -> bool {
        let kept_only = LoadReport {
            notes_kept: self.notes_kept,
            motifs_truncated: self.motifs_truncated,
            ..LoadReport::default()
        };
        *self == kept_only
    }

    /// One line for the composer, e.g. "2 notes dropped, 1 value reset".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.not_a_library {
            parts.push("not a Reprise library".to_string());
        }
        if self.version_unknown {
            parts.push("unknown version".to_string());
        }
        for (count, what) in [
            (self.notes_dropped, "note(s) dropped"),
            (self.fields_defaulted, "value(s) reset to defaults"),
            (self.slots_ignored, "slot(s) ignored"),
            (self.names_cut, "name(s) shortened"),
            (self.hits_dropped, "hit(s) dropped"),
        ] {
            if count > 0 {
                parts.push(format!("{count} {what}"));
            }
        }
        if parts.is_empty() {
            "loaded intact".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// A library read from a state: the slots, their names and what the reading changed.
#[derive(Debug, Clone)]
pub struct ParsedLibrary {
    /// The motifs.
    pub slots: Slots,
    /// The slot names.
    pub names: [String; NUM_SLOTS],
    /// The picture.
    pub picture: Picture,
    /// What was dropped, cut or defaulted.
    pub report: LoadReport,
}

/// The JSON of a library, in the current schema.
pub fn library_json(
    slots: &[Motif; NUM_SLOTS],
    names: &[String; NUM_SLOTS],
    picture: &Picture,
) -> Value {
    let slots = slots
        .iter()
        .zip(names)
        .map(|(motif, name)| {
            Lenient::Value(SlotDoc {
                name: Lenient::Value(name.clone()),
                motif: Lenient::Value((!motif.is_empty()).then(|| motif_doc(motif))),
            })
        })
        .collect();
    let doc = LibraryDoc {
        version: Lenient::Value(LIBRARY_SCHEMA_VERSION),
        slots: Lenient::Value(slots),
        picture: Lenient::Value(picture_doc(picture)),
    };
    // Plain data with string keys: serialising it cannot fail.
    serde_json::to_value(doc).unwrap_or(Value::Null)
}

fn picture_doc(picture: &Picture) -> PictureDoc {
    let hits = picture
        .hits
        .iter()
        .map(|hit| {
            Lenient::Value(HitDoc {
                name: Lenient::Value(hit.name.as_str().to_owned()),
                frame: Lenient::Value(hit.frame),
                seconds: Lenient::Missing,
                lands: Lenient::Value(hit.lands.name().to_owned()),
                importance: Lenient::Value(hit.importance.name().to_owned()),
            })
        })
        .collect();
    let tempo_map = if picture.tempo_map.is_empty() {
        Lenient::Missing
    } else {
        Lenient::Value(
            picture
                .tempo_map
                .as_slice()
                .iter()
                .map(|change| {
                    Lenient::Value(TempoDoc {
                        beat: Lenient::Value(change.position_beats),
                        bpm: Lenient::Value(change.tempo_bpm),
                    })
                })
                .collect(),
        )
    };
    PictureDoc {
        frame_rate: Lenient::Value(picture.rate.id().to_owned()),
        start_timecode: Lenient::Value(picture.start_timecode().display(picture.rate).to_string()),
        hits: Lenient::Value(hits),
        tempo_map_source: if picture.tempo_map.is_empty() {
            Lenient::Missing
        } else {
            Lenient::Value(picture.tempo_source.id().to_owned())
        },
        tempo_map,
    }
}

/// Tempos an imported map may hold, BPM (the engine's own range: `sanitize_tempo_bpm`).
const SAVED_TEMPO_RANGE_BPM: std::ops::RangeInclusive<f64> = 1.0..=999.0;

/// Seconds in a day: hits lie within a day of the song's zero (timecode's range).
const SECONDS_PER_DAY: f64 = 86_400.0;

/// Most hit entries read; later ones are counted as dropped without being read.
pub const MAX_HIT_ENTRIES_READ: usize = 16 * MAX_HITS;

/// Reads the picture leniently: an unknown rate or start timecode takes the default (counted),
/// an unreadable hit is dropped (counted), at most [`MAX_HITS`] are kept.
fn read_picture(doc: PictureDoc, report: &mut LoadReport) -> Picture {
    let mut picture = Picture::default();
    if let Some(id) = doc.frame_rate.or_count(report) {
        match FrameRate::parse(&id) {
            Some(rate) => picture.rate = rate,
            None => report.fields_defaulted += 1,
        }
    }
    if let Some(text) = doc.start_timecode.or_count(report) {
        // Either separator is accepted here: the rate says whether it is drop-frame.
        match WrittenTimecode::parse(&text).and_then(|w| w.timecode.to_frames(picture.rate)) {
            Ok(frame) => picture.start_frame = frame,
            Err(_) => report.fields_defaulted += 1,
        }
    }
    for hit in doc.hits.or_count(report).unwrap_or_default() {
        let Some(hit) = read_hit(hit, picture.rate, report) else {
            report.hits_dropped += 1;
            continue;
        };
        if !picture.hits.push(hit) {
            report.hits_dropped += 1;
        }
    }
    // The tempo map: readable entries in order, the first at beat 0, at most
    // MAX_PICTURE_TEMPOS (a damaged entry, or one out of order, is counted and left out).
    let mut changes = [TempoChange {
        position_beats: 0.0,
        tempo_bpm: 0.0,
    }; MAX_PICTURE_TEMPOS];
    let mut num_changes = 0;
    // No map is the usual case (nothing to count); an unreadable one counts.
    let entries = match doc.tempo_map {
        Lenient::Value(entries) => entries,
        Lenient::Missing => Vec::new(),
        Lenient::Unreadable => {
            report.fields_defaulted += 1;
            Vec::new()
        }
    };
    for entry in entries.into_iter().take(MAX_PICTURE_TEMPOS * 16) {
        let read = match entry {
            Lenient::Value(TempoDoc {
                beat: Lenient::Value(beat),
                bpm: Lenient::Value(bpm),
            }) if beat.is_finite() && (SAVED_TEMPO_RANGE_BPM).contains(&bpm) => Some(TempoChange {
                position_beats: beat,
                tempo_bpm: bpm,
            }),
            _ => None,
        };
        match read {
            Some(change) if num_changes < MAX_PICTURE_TEMPOS => {
                changes[num_changes] = change;
                num_changes += 1;
            }
            _ => report.fields_defaulted += 1,
        }
    }
    let (tempo_map, left_out) = TempoList::from_changes(&changes[..num_changes]);
    report.fields_defaulted += left_out;
    picture.tempo_map = tempo_map;
    // A map saved without its source was imported (the first schema 3 maps were); no map
    // leaves learning on.
    picture.tempo_source = match doc.tempo_map_source {
        _ if picture.tempo_map.is_empty() => TempoSource::Learnt,
        Lenient::Value(id) if id == TempoSource::Learnt.id() => TempoSource::Learnt,
        Lenient::Value(id) if id == TempoSource::Imported.id() => TempoSource::Imported,
        Lenient::Missing => TempoSource::Imported,
        _ => {
            report.fields_defaulted += 1;
            TempoSource::Imported
        }
    };
    picture
}

/// One hit, or `None` when it has no readable time (within a day of the song's zero) or
/// `lands`. An unknown importance is `must`, counted as defaulted.
fn read_hit(doc: Lenient<HitDoc>, rate: FrameRate, report: &mut LoadReport) -> Option<Hit> {
    let Lenient::Value(doc) = doc else {
        return None;
    };
    let day_frames = rate.frames_per_day();
    let frame = match (doc.frame, doc.seconds) {
        (Lenient::Value(frame), _) => frame,
        (_, Lenient::Value(seconds)) if seconds.is_finite() => {
            nearest_frame(seconds.clamp(-SECONDS_PER_DAY, SECONDS_PER_DAY), rate)
        }
        _ => return None,
    };
    if frame.abs() > day_frames {
        return None;
    }
    let Lenient::Value(lands) = doc.lands else {
        return None;
    };
    let importance = match doc.importance {
        Lenient::Value(word) => Importance::parse(&word).unwrap_or_else(|| {
            report.fields_defaulted += 1;
            Importance::default()
        }),
        _ => Importance::default(),
    };
    let name = match doc.name {
        Lenient::Value(name) => name,
        _ => String::new(),
    };
    Some(Hit {
        frame,
        name: HitName::new(&name),
        lands: Lands::parse(&lands)?,
        importance,
    })
}

fn motif_doc(motif: &Motif) -> MotifDoc {
    let notes = motif
        .notes()
        .iter()
        .map(|n| {
            Lenient::Value(NoteDoc {
                start_beats: n.start_beats,
                length_beats: n.length_beats,
                key: n.key,
                velocity: n.velocity,
                channel: n.channel,
            })
        })
        .collect();
    let signature = motif.time_signature;
    MotifDoc {
        notes: Lenient::Value(notes),
        length_beats: Lenient::Value(motif.length_beats),
        time_signature: Lenient::Value([signature.numerator, signature.denominator]),
        tempo_bpm: Lenient::Value(motif.tempo_bpm),
        locked_key: Lenient::Value(
            motif
                .locked_key
                .map(|k| format!("{}:{}", k.tonic_name(), k.mode.name())),
        ),
        truncated: Lenient::Value(motif.truncated),
    }
}

/// Brings an older document into the current shape (the migration hook). Version 1 (or no
/// version) wrote notes as arrays: each array of at least five elements becomes a note object
/// from its first five (later elements were never defined); shorter ones stay unreadable.
pub fn migrate(mut value: Value) -> Value {
    let version = value.get("version").and_then(Value::as_u64);
    // 2 → 3 added the picture, which is read as the default when absent: nothing to change.
    if version.is_some_and(|v| v >= 2) {
        return value;
    }
    let Some(slots) = value.get_mut("slots").and_then(Value::as_array_mut) else {
        return value;
    };
    for slot in slots.iter_mut() {
        let Some(notes) = slot
            .get_mut("motif")
            .and_then(|m| m.get_mut("notes"))
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for note in notes.iter_mut() {
            let Some(fields) = note.as_array() else {
                continue;
            };
            if fields.len() >= 5 {
                *note = serde_json::json!({
                    "start_beats": fields[0],
                    "length_beats": fields[1],
                    "key": fields[2],
                    "velocity": fields[3],
                    "channel": fields[4],
                });
            }
        }
    }
    value
}

/// Most note entries read per motif; later ones are counted as dropped without being read (a
/// motif keeps at most [`crate::engine::motif::MAX_MOTIF_NOTES`] anyway).
pub const MAX_NOTE_ENTRIES_READ: usize = 16 * crate::engine::motif::MAX_MOTIF_NOTES;

/// Cuts the document's arrays to what can be used before anything is read, so the work that
/// follows is bounded whatever the document's size: slots past the eighth and note entries past
/// [`MAX_NOTE_ENTRIES_READ`] are counted and removed. Returns which slots lost note entries.
fn bound_sizes(value: &mut Value, report: &mut LoadReport) -> [bool; NUM_SLOTS] {
    let mut cut = [false; NUM_SLOTS];
    if let Some(hits) = value
        .pointer_mut("/picture/hits")
        .and_then(Value::as_array_mut)
    {
        report.hits_dropped += hits.len().saturating_sub(MAX_HIT_ENTRIES_READ);
        hits.truncate(MAX_HIT_ENTRIES_READ);
    }
    let Some(slots) = value.get_mut("slots").and_then(Value::as_array_mut) else {
        return cut;
    };
    report.slots_ignored += slots.len().saturating_sub(NUM_SLOTS);
    slots.truncate(NUM_SLOTS);
    for (slot, was_cut) in slots.iter_mut().zip(&mut cut) {
        let Some(notes) = slot
            .pointer_mut("/motif/notes")
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        if notes.len() > MAX_NOTE_ENTRIES_READ {
            report.notes_dropped += notes.len() - MAX_NOTE_ENTRIES_READ;
            notes.truncate(MAX_NOTE_ENTRIES_READ);
            *was_cut = true;
        }
    }
    cut
}

/// Reads a library leniently: whatever is readable is kept, the rest is counted in the report.
/// Never panics; the work is linear in the document's size and bounded after the first pass.
pub fn parse_library(mut value: Value) -> ParsedLibrary {
    let mut report = LoadReport::default();
    let mut slots = empty_slots();
    let mut names = default_names();
    match value.get("version").and_then(Value::as_u64) {
        Some(version) if (1..=LIBRARY_SCHEMA_VERSION).contains(&version) => {}
        _ => report.version_unknown = true,
    }
    let notes_cut = bound_sizes(&mut value, &mut report);
    let doc = match LibraryDoc::deserialize(migrate(value)) {
        Ok(doc) => doc,
        Err(_) => {
            report.not_a_library = true;
            return ParsedLibrary {
                slots,
                names,
                picture: Picture::default(),
                report,
            };
        }
    };
    let picture = match doc.picture {
        Lenient::Value(picture) => read_picture(picture, &mut report),
        Lenient::Missing => Picture::default(),
        Lenient::Unreadable => {
            report.fields_defaulted += 1;
            Picture::default()
        }
    };
    let Lenient::Value(slot_docs) = doc.slots else {
        report.not_a_library = true;
        return ParsedLibrary {
            slots,
            names,
            picture: Picture::default(),
            report,
        };
    };
    for (idx, slot_doc) in slot_docs.into_iter().take(NUM_SLOTS).enumerate() {
        let Lenient::Value(slot_doc) = slot_doc else {
            report.slots_ignored += 1;
            continue;
        };
        if let Some(name) = slot_doc.name.or_count(&mut report) {
            if name.chars().count() > MAX_SLOT_NAME_CHARS {
                report.names_cut += 1;
            }
            names[idx] = name.chars().take(MAX_SLOT_NAME_CHARS).collect();
        }
        if let Some(Some(motif_doc)) = slot_doc.motif.or_count(&mut report) {
            let motif = read_motif(motif_doc, &mut report);
            // A motif with no readable note is an empty slot (saved as `null`).
            if !motif.is_empty() {
                slots[idx] = motif;
            }
            if notes_cut[idx] && !slots[idx].truncated {
                slots[idx].truncated = true;
                report.motifs_truncated += 1;
            }
        }
    }
    ParsedLibrary {
        slots,
        names,
        picture,
        report,
    }
}

fn read_motif(doc: MotifDoc, report: &mut LoadReport) -> Motif {
    let time_signature = match doc.time_signature.or_count(report) {
        Some([numerator, denominator]) => {
            let signature = TimeSignature::new(numerator, denominator);
            if [signature.numerator, signature.denominator] != [numerator, denominator] {
                report.fields_defaulted += 1;
            }
            signature
        }
        None => TimeSignature::default(),
    };
    let tempo_bpm = doc.tempo_bpm.or_count(report).unwrap_or(120.0);
    let mut motif = Motif::new(time_signature, tempo_bpm);
    if motif.tempo_bpm != tempo_bpm {
        report.fields_defaulted += 1;
    }
    for note in doc.notes.or_count(report).unwrap_or_default() {
        let Lenient::Value(note) = note else {
            report.notes_dropped += 1;
            continue;
        };
        if !(0.0..=1.0).contains(&note.velocity) {
            report.fields_defaulted += 1;
        }
        let kept = motif.push(Note {
            start_beats: note.start_beats,
            length_beats: note.length_beats,
            key: note.key,
            velocity: note.velocity,
            channel: note.channel,
        });
        if kept {
            report.notes_kept += 1;
        } else {
            report.notes_dropped += 1;
        }
    }
    motif.truncated |= doc.truncated.or_count(report).unwrap_or(false);
    if motif.truncated {
        report.motifs_truncated += 1;
    }
    if let Some(Some(text)) = doc.locked_key.or_count(report) {
        motif.locked_key = Key::parse(&text);
        if motif.locked_key.is_none() {
            report.fields_defaulted += 1;
        }
    }
    motif.finish();
    // A saved length may be longer than the notes (trailing rest), never past the bar limit.
    if let Some(length) = doc.length_beats.or_count(report) {
        if length.is_finite() && length >= motif.length_beats {
            let limit = motif.max_length_beats();
            if length > limit {
                report.fields_defaulted += 1;
            }
            motif.length_beats = whole_bars_beats(length.min(limit), time_signature);
        }
    }
    motif
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::motif::{MAX_MOTIF_BARS, MAX_MOTIF_NOTES};
    use crate::engine::rng::Rng;
    use serde_json::json;

    fn sample_slots() -> Slots {
        let mut slots = empty_slots();
        for (slot, (numerator, tempo)) in [(0usize, (3u8, 84.0)), (3, (4, 120.0)), (7, (7, 140.0))]
        {
            let mut motif = Motif::new(TimeSignature::new(numerator, 8), tempo);
            for i in 0..12 {
                motif.push(Note {
                    start_beats: i as f64 * 0.5,
                    length_beats: 0.5,
                    key: 60 + (i * 5 % 12) as u8,
                    velocity: 0.25 + i as f32 / 20.0,
                    channel: (i % 3) as u8,
                });
            }
            motif.finish();
            motif.locked_key = (slot == 3).then(|| Key::parse("D:minor").unwrap());
            slots[slot] = motif;
        }
        slots
    }

    fn sample_names() -> [String; NUM_SLOTS] {
        let mut names = default_names();
        names[0] = "Hero theme".into();
        names
    }

    #[test]
    fn library_round_trips_through_json_text() {
        let (slots, names) = (sample_slots(), sample_names());
        let text =
            serde_json::to_string(&library_json(&slots, &names, &Picture::default())).unwrap();
        let parsed = parse_library(serde_json::from_str(&text).unwrap());
        assert!(parsed.report.is_clean(), "{:?}", parsed.report);
        assert_eq!(parsed.names, names);
        assert_eq!(*parsed.slots, *slots);
        assert_eq!(parsed.report.notes_kept, 36);
    }

    /// Issue 24: the picture (frame rate, start timecode, hits) is saved with the project and
    /// read back exactly; a schema-2 document has the default picture and loads cleanly.
    #[test]
    fn the_picture_round_trips_and_schema_2_reads_without_one() {
        use crate::engine::timecode::parse_timecode;
        let rate = FrameRate::Fps29_97Drop;
        let mut picture = Picture {
            rate,
            start_frame: parse_timecode("01:00:00;00", rate).unwrap(),
            ..Picture::default()
        };
        for (frame, name, lands, importance) in [
            (348, "door slam", Lands::Climax, Importance::Must),
            (1800, "glance", Lands::Start, Importance::Should),
            (-12, "pre-lap", Lands::Stinger, Importance::Must),
        ] {
            picture.hits.push(Hit {
                frame,
                name: HitName::new(name),
                lands,
                importance,
            });
        }
        let (slots, names) = (sample_slots(), sample_names());
        let document = library_json(&slots, &names, &picture);
        assert_eq!(document["version"], json!(3));
        assert_eq!(document["picture"]["frame_rate"], json!("29.97df"));
        assert_eq!(document["picture"]["start_timecode"], json!("01:00:00;00"));
        assert_eq!(
            document["picture"]["hits"][0],
            json!({"name": "pre-lap", "frame": -12, "lands": "stinger", "importance": "must"})
        );
        let text = serde_json::to_string(&document).unwrap();
        let parsed = parse_library(serde_json::from_str(&text).unwrap());
        assert!(parsed.report.is_clean(), "{:?}", parsed.report);
        assert_eq!(parsed.picture, picture);
        assert_eq!(*parsed.slots, *slots);
        // Schema 2 (no picture): the default picture, nothing reported.
        let mut old = library_json(&slots, &names, &Picture::default());
        old["version"] = json!(2);
        old.as_object_mut().unwrap().remove("picture");
        let parsed = parse_library(old);
        assert!(parsed.report.is_clean(), "{:?}", parsed.report);
        assert_eq!(parsed.picture, Picture::default());
        assert_eq!(*parsed.slots, *slots);
    }

    /// An imported tempo map is saved with the picture and read back; damaged, out-of-order
    /// or out-of-range entries are left out and counted, and a map whose first entry is not at
    /// beat 0 is not kept.
    #[test]
    fn a_pictures_tempo_map_round_trips_and_is_read_leniently() {
        let changes = [
            TempoChange {
                position_beats: 0.0,
                tempo_bpm: 96.0,
            },
            TempoChange {
                position_beats: 24.0,
                tempo_bpm: 120.0,
            },
        ];
        let picture = Picture {
            tempo_map: TempoList::from_changes(&changes).0,
            ..Picture::default()
        };
        let (slots, names) = (sample_slots(), sample_names());
        let document = library_json(&slots, &names, &picture);
        assert_eq!(
            document["picture"]["tempo_map"],
            json!([{"beat": 0.0, "bpm": 96.0}, {"beat": 24.0, "bpm": 120.0}])
        );
        let parsed = parse_library(document.clone());
        assert!(parsed.report.is_clean(), "{:?}", parsed.report);
        assert_eq!(parsed.picture.tempo_map.as_slice(), &changes);
        let mut damaged = document;
        damaged["picture"]["tempo_map"] = json!([
            {"beat": 0.0, "bpm": 96.0},
            {"beat": 12.0, "bpm": "fast"},
            {"beat": 8.0, "bpm": 100.0},
            {"beat": 4.0, "bpm": 90.0},
            {"beat": 30.0, "bpm": 5000.0}
        ]);
        let parsed = parse_library(damaged.clone());
        assert_eq!(parsed.report.fields_defaulted, 3, "{:?}", parsed.report);
        assert_eq!(parsed.picture.tempo_map.as_slice().len(), 2);
        assert_eq!(parsed.picture.tempo_map.as_slice()[1].position_beats, 8.0);
        // Where the map comes from: saved, read back; a map without it was imported; an
        // unknown source is counted.
        assert_eq!(document_source(&picture), json!("learnt"));
        let imported = Picture {
            tempo_source: TempoSource::Imported,
            ..picture
        };
        assert_eq!(document_source(&imported), json!("imported"));
        let parsed = parse_library(library_json(&slots, &names, &imported));
        assert_eq!(parsed.picture.tempo_source, TempoSource::Imported);
        damaged["picture"]["tempo_map_source"] = json!("learnt");
        assert_eq!(
            parse_library(damaged.clone()).picture.tempo_source,
            TempoSource::Learnt
        );
        damaged["picture"]
            .as_object_mut()
            .unwrap()
            .remove("tempo_map_source");
        assert_eq!(
            parse_library(damaged.clone()).picture.tempo_source,
            TempoSource::Imported
        );
        damaged["picture"]["tempo_map_source"] = json!("dreamt");
        let parsed = parse_library(damaged);
        assert_eq!(parsed.picture.tempo_source, TempoSource::Imported);
        assert_eq!(parsed.report.fields_defaulted, 4, "{:?}", parsed.report);
        // No map: no source written.
        let none = library_json(&slots, &names, &Picture::default());
        assert!(none["picture"].get("tempo_map_source").is_none());
    }

    fn document_source(picture: &Picture) -> Value {
        library_json(&sample_slots(), &sample_names(), picture)["picture"]["tempo_map_source"]
            .clone()
    }

    /// Issue 24: hits are read leniently and bounded: `seconds` instead of `frame`, unreadable
    /// hits dropped and counted, at most 64 kept, an unknown rate reset to the default.
    #[test]
    fn hits_are_read_leniently_and_bounded() {
        let mut hits = vec![
            json!({"name": "door slam", "seconds": 14.5, "lands": "climax", "importance": "must"}),
            json!({"name": "no time", "lands": "climax"}),
            json!({"name": "bad lands", "frame": 10, "lands": "boom"}),
            json!("not a hit"),
        ];
        hits.extend((0..70).map(|i| json!({"frame": 1000 + i, "lands": "start"})));
        let document = json!({
            "version": 3,
            "slots": [],
            "picture": {"frame_rate": "24", "start_timecode": "01:00:00:00", "hits": hits},
        });
        let parsed = parse_library(document);
        assert_eq!(parsed.picture.hits.len(), MAX_HITS);
        let first = parsed.picture.hits.iter().next().unwrap();
        assert_eq!((first.frame, first.name.as_str()), (348, "door slam"));
        // 3 unreadable + 7 past the 64 kept.
        assert_eq!(parsed.report.hits_dropped, 10);
        assert_eq!(parsed.picture.start_frame, 86_400);
        let unknown_rate = parse_library(json!({
            "version": 3,
            "slots": [],
            "picture": {"frame_rate": "31", "start_timecode": "00:00:00:00", "hits": []},
        }));
        assert_eq!(unknown_rate.picture.rate, FrameRate::Fps24);
        assert_eq!(unknown_rate.report.fields_defaulted, 1);
    }

    #[test]
    fn version_1_arrays_migrate_and_a_sixth_field_keeps_the_five_known_ones() {
        let document = json!({
            "version": 1,
            "slots": [{"name": "Old", "motif": {
                "notes": [[0.0, 1.0, 60, 0.5, 0], [1.0, 1.0, 62, 0.5, 0, "a newer field"], [2.0, 1.0]],
                "time_signature": [3, 4], "tempo_bpm": 90.0, "length_beats": 3.0,
                "locked_key": null, "truncated": false}}]
        });
        let parsed = parse_library(document);
        let keys: Vec<u8> = parsed.slots[0].notes().iter().map(|n| n.key).collect();
        assert_eq!(keys, [60, 62], "the six-field note is kept");
        assert_eq!(
            parsed.report.notes_dropped, 1,
            "the two-field note is not readable"
        );
        assert!(!parsed.report.version_unknown);
        assert_eq!(parsed.slots[0].time_signature, TimeSignature::new(3, 4));
        // Newer schema: object notes with extra fields keep their known ones; flagged as newer.
        let newer = json!({"version": 4, "slots": [{"name": "New", "future": 1, "motif": {
            "notes": [{"start_beats": 0.0, "length_beats": 1.0, "key": 64, "velocity": 0.5,
                       "channel": 1, "articulation": "legato"}],
            "time_signature": [4, 4], "tempo_bpm": 100.0, "colour": "blue"}}]});
        let parsed = parse_library(newer);
        assert_eq!(parsed.slots[0].notes()[0].key, 64);
        assert_eq!(parsed.slots[0].notes()[0].channel, 1);
        assert!(parsed.report.version_unknown && !parsed.report.is_clean());
    }

    #[test]
    fn damaged_state_keeps_what_it_can_and_says_so() {
        let document = json!({
            "version": 2,
            "slots": [
                {"name": "A", "motif": {"notes": [
                    {"start_beats": 0.0, "length_beats": 1.0, "key": 60, "velocity": 0.5, "channel": 0},
                    {"start_beats": 0.0, "length_beats": "x", "key": 61, "velocity": 0.5, "channel": 0},
                    {"start_beats": 1.0, "length_beats": 1.0, "key": 300, "velocity": 0.5, "channel": 0},
                    {"start_beats": 1.0, "length_beats": -1.0, "key": 62, "velocity": 0.5, "channel": 0},
                    {"start_beats": 1e16, "length_beats": 1.0, "key": 63, "velocity": 0.5, "channel": 0},
                    {"start_beats": 2.0, "length_beats": 1.0, "key": 64, "velocity": 9.0, "channel": 0},
                    {"start_beats": 3.0, "length_beats": 1.0, "key": 65, "velocity": 0.5, "channel": 99}],
                    "time_signature": [0, 3], "tempo_bpm": "fast", "length_beats": 1e300}},
                {"name": 12},
                "garbage",
                {"name": "x".repeat(500), "motif": {"notes": "none"}},
            ]
        });
        let parsed = parse_library(document);
        let report = parsed.report;
        let kept: Vec<u8> = parsed.slots[0].notes().iter().map(|n| n.key).collect();
        assert_eq!(kept, [60, 64], "the readable, valid notes are kept");
        assert_eq!(
            parsed.slots[0].notes()[1].velocity,
            1.0,
            "velocity brought into range"
        );
        assert_eq!(report.notes_dropped, 5);
        assert!(
            parsed.slots[0].truncated,
            "the note past the bar limit is flagged"
        );
        assert_eq!(parsed.slots[0].tempo_bpm, 120.0);
        let limit = MAX_MOTIF_BARS as f64 * parsed.slots[0].time_signature.bar_length_beats();
        assert_eq!(parsed.slots[0].length_beats, limit, "saved length capped");
        assert_eq!(parsed.names[0], "A");
        assert_eq!(parsed.names[1], "Slot 2");
        assert_eq!(parsed.names[3].chars().count(), MAX_SLOT_NAME_CHARS);
        assert_eq!(report.names_cut, 1);
        assert_eq!(report.slots_ignored, 1, "the garbage slot");
        assert!(parsed.slots[1..].iter().all(Motif::is_empty));
        assert!(!report.is_clean());
        for not_a_library in [
            json!("nonsense"),
            json!(null),
            json!([1, 2]),
            json!({"slots": 5}),
        ] {
            let parsed = parse_library(not_a_library);
            assert!(parsed.report.not_a_library && parsed.slots.iter().all(Motif::is_empty));
        }
    }

    #[test]
    fn huge_documents_are_bounded() {
        let note = json!({"start_beats": 0.0, "length_beats": 1.0, "key": 60, "velocity": 0.5, "channel": 0});
        let many_notes: Vec<Value> = (0..200_000)
            .map(|i| {
                let mut n = note.clone();
                n["start_beats"] = json!(i as f64 * 0.25);
                n
            })
            .collect();
        let slot = json!({"name": "n".repeat(10 << 20), "motif": {"notes": many_notes,
            "time_signature": [4, 4], "tempo_bpm": 1e308}});
        let slots: Vec<Value> = (0..1_000).map(|_| json!({"name": "dup"})).collect();
        let document =
            json!({"version": 2, "slots": std::iter::once(slot).chain(slots).collect::<Vec<_>>()});
        let started = std::time::Instant::now();
        let parsed = parse_library(document);
        let took = started.elapsed();
        assert!(took < std::time::Duration::from_secs(5), "{took:?}");
        assert_eq!(parsed.slots[0].len(), MAX_MOTIF_NOTES);
        assert!(parsed.slots[0].truncated);
        assert_eq!(parsed.slots[0].tempo_bpm, 999.0);
        assert_eq!(parsed.names[0].chars().count(), MAX_SLOT_NAME_CHARS);
        assert_eq!(parsed.names[1], "dup");
        assert_eq!(parsed.report.slots_ignored, 1_001 - NUM_SLOTS);
        assert_eq!(parsed.report.notes_dropped, 200_000 - MAX_MOTIF_NOTES);
    }

    /// A hostile replacement for any value: wrong types, extreme and out-of-range numbers.
    fn hostile_value(rng: &mut Rng) -> Value {
        match rng.next_u64() % 16 {
            0 => json!(null),
            1 => json!("NaN"),
            2 => json!(true),
            3 => json!([]),
            4 => json!({}),
            5 => json!(-1),
            6 => json!(1e308),
            7 => json!(-1e308),
            8 => json!(u64::MAX),
            9 => json!(i64::MIN),
            10 => json!(300),
            11 => json!(5e-324),
            12 => json!([1, 2, 3, 4, 5, 6, 7]),
            13 => json!({"start_beats": 1.0, "length_beats": 1.0, "key": 60, "velocity": 0.5,
                         "channel": 0, "extra": [1]}),
            14 => json!("x".repeat((rng.next_u64() % 200) as usize)),
            _ => json!(rng.signed_unit() * 1e6),
        }
    }

    /// JSON pointers to every value in `value`.
    fn pointers(value: &Value, prefix: String, out: &mut Vec<String>) {
        match value {
            Value::Array(items) => {
                for (idx, item) in items.iter().enumerate() {
                    pointers(item, format!("{prefix}/{idx}"), out);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    pointers(item, format!("{prefix}/{key}"), out);
                }
            }
            _ => {}
        }
        out.push(prefix);
    }

    fn mutate(document: &mut Value, rng: &mut Rng) {
        let mut all = Vec::new();
        pointers(document, String::new(), &mut all);
        let target = all[(rng.next_u64() as usize) % all.len()].clone();
        let Some(node) = document.pointer_mut(&target) else {
            return;
        };
        match rng.next_u64() % 6 {
            // Wrong type or hostile number.
            0..=2 => *node = hostile_value(rng),
            // A field removed.
            3 => {
                if let Value::Object(map) = node {
                    if let Some(key) = map.keys().next().cloned() {
                        map.remove(&key);
                    }
                }
            }
            // An unknown field or element added (a newer schema).
            4 => match node {
                Value::Object(map) => {
                    map.insert("from_the_future".into(), hostile_value(rng));
                }
                Value::Array(items) => items.push(hostile_value(rng)),
                _ => {}
            },
            // An element duplicated (duplicate slots and notes).
            _ => {
                if let Value::Array(items) = node {
                    if let Some(first) = items.first().cloned() {
                        items.insert(0, first);
                    }
                }
            }
        }
    }

    fn check_invariants(parsed: &ParsedLibrary) {
        for (motif, name) in parsed.slots.iter().zip(&parsed.names) {
            assert!(name.chars().count() <= MAX_SLOT_NAME_CHARS);
            assert!(motif.len() <= MAX_MOTIF_NOTES);
            assert!(
                motif.length_beats.is_finite() && motif.length_beats <= motif.max_length_beats()
            );
            assert!((1.0..=999.0).contains(&motif.tempo_bpm));
            for note in motif.notes() {
                assert!(note.key < 128 && note.channel < 16);
                assert!((0.0..=1.0).contains(&note.velocity));
                assert!(note.start_beats >= 0.0 && note.length_beats > 0.0);
                assert!(note.end_beats() <= motif.max_length_beats());
            }
        }
    }

    /// Mutation fuzzing of the library JSON itself (random bytes never reach this parser: the
    /// framework rejects them first). Each case: 1–8 mutations of a valid library; the parse
    /// keeps valid data only, counts what it changed, and what it returns saves and loads back
    /// identically and cleanly.
    #[test]
    fn mutated_libraries_keep_what_is_readable_and_reload_cleanly() {
        const CASES: usize = 3_000;
        let valid = library_json(&sample_slots(), &sample_names(), &Picture::default());
        let mut rng = Rng::new(0x51A7E);
        let mut totals = LoadReport::default();
        let mut flagged = 0;
        let mut worst = std::time::Duration::ZERO;
        for _ in 0..CASES {
            let mut document = valid.clone();
            for _ in 0..1 + rng.next_u64() % 8 {
                mutate(&mut document, &mut rng);
            }
            let started = std::time::Instant::now();
            let parsed = parse_library(document);
            worst = worst.max(started.elapsed());
            check_invariants(&parsed);
            let report = parsed.report;
            flagged += usize::from(!report.is_clean());
            totals.notes_kept += report.notes_kept;
            totals.notes_dropped += report.notes_dropped;
            totals.fields_defaulted += report.fields_defaulted;
            totals.slots_ignored += report.slots_ignored;
            // What a hostile load leaves is a valid library: saved and loaded again, it is
            // identical and clean.
            let again = parse_library(library_json(&parsed.slots, &parsed.names, &parsed.picture));
            assert!(again.report.is_clean(), "{:?}", again.report);
            for slot in 0..NUM_SLOTS {
                // Compared without printing: a motif's debug output is its 256-note array.
                assert!(
                    again.slots[slot] == parsed.slots[slot],
                    "slot {slot} changed on reload"
                );
            }
            assert_eq!(again.names, parsed.names);
        }
        println!(
            "{CASES} mutated libraries: {flagged} flagged; notes kept {}, dropped {}; \
             values defaulted {}; slots ignored {}; slowest parse {worst:?}",
            totals.notes_kept, totals.notes_dropped, totals.fields_defaulted, totals.slots_ignored
        );
        assert!(flagged > CASES / 2, "most mutations are noticed");
        assert!(totals.notes_kept > CASES * 20, "readable notes survive");
    }
}
