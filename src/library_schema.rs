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
//! Versions: 1 wrote each note as an array `[start, length, key, velocity, channel]`; 2 (this
//! build) writes an object with named fields, so a newer build's extra fields are simply
//! ignored. [`migrate`] turns older documents into the current shape before they are read.
//!
//! Main thread only (host state calls, the editor): reading allocates.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::engine::key::{estimate_key, Key, DEFAULT_PROFILES};
use crate::engine::live::NUM_SLOTS;
use crate::engine::motif::{whole_bars_beats, Motif, Note, TimeSignature};

/// Schema version written by this build.
pub const LIBRARY_SCHEMA_VERSION: u64 = 2;
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
    /// What was dropped, cut or defaulted.
    pub report: LoadReport,
}

/// The JSON of a library, in the current schema.
pub fn library_json(slots: &[Motif; NUM_SLOTS], names: &[String; NUM_SLOTS]) -> Value {
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
    };
    // Plain data with string keys: serialising it cannot fail.
    serde_json::to_value(doc).unwrap_or(Value::Null)
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

/// Reads a library leniently: whatever is readable is kept, the rest is counted in the report.
/// Never panics; time and memory are linear in the document's size.
pub fn parse_library(value: Value) -> ParsedLibrary {
    let mut report = LoadReport::default();
    let mut slots = empty_slots();
    let mut names = default_names();
    match value.get("version").and_then(Value::as_u64) {
        Some(version) if (1..=LIBRARY_SCHEMA_VERSION).contains(&version) => {}
        _ => report.version_unknown = true,
    }
    let doc = match LibraryDoc::deserialize(migrate(value)) {
        Ok(doc) => doc,
        Err(_) => {
            report.not_a_library = true;
            return ParsedLibrary {
                slots,
                names,
                report,
            };
        }
    };
    let Lenient::Value(slot_docs) = doc.slots else {
        report.not_a_library = true;
        return ParsedLibrary {
            slots,
            names,
            report,
        };
    };
    report.slots_ignored += slot_docs.len().saturating_sub(NUM_SLOTS);
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
            slots[idx] = read_motif(motif_doc, &mut report);
        }
    }
    ParsedLibrary {
        slots,
        names,
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
    match doc.locked_key.or_count(report) {
        Some(Some(text)) => {
            motif.locked_key = Key::parse(&text);
            if motif.locked_key.is_none() {
                report.fields_defaulted += 1;
            }
        }
        Some(None) | None => {}
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
    motif.detected_key = estimate_key(motif.notes(), DEFAULT_PROFILES);
    motif
}
