//! The motif library as saved with the host project: a versioned JSON schema, and the lock-free
//! hand-over between the audio thread (which captures motifs) and the host's state calls.
//!
//! Audio → main: after every library change the audio thread publishes the slots into a triple
//! buffer; saving reads the latest copy. Main → audio: loading parses the JSON into a second
//! triple buffer and raises a flag the audio thread checks at the top of each block. The audio
//! thread never locks; the mutexes below are only taken by the host's state calls.
//!
//! Loading is lenient: old, newer or damaged state keeps every slot and note that can be read,
//! uses defaults for the rest, never panics, and raises [`SharedLibrary::state_fallback`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use nice_plug::params::persist::PersistentField;
use serde_json::{json, Value};

use crate::engine::key::{estimate_key, Key, DEFAULT_PROFILES};
use crate::engine::live::NUM_SLOTS;
use crate::engine::motif::{Motif, Note, TimeSignature};

/// Schema version written by this build.
pub const LIBRARY_SCHEMA_VERSION: u64 = 1;

/// The library's motifs (an empty motif is an empty slot).
pub type Slots = Box<[Motif; NUM_SLOTS]>;

fn empty_slots() -> Slots {
    Box::new(std::array::from_fn(|_| Motif::default()))
}

/// State shared between the host's state calls and the audio thread.
pub struct SharedLibrary {
    /// Latest slots published by the audio thread. Locked only when saving.
    published: Mutex<triple_buffer::Output<Slots>>,
    /// Slots parsed from a loaded state, for the audio thread. Locked only when loading.
    loaded: Mutex<triple_buffer::Input<Slots>>,
    /// Set when `loaded` holds a library the audio thread has not applied yet.
    should_load: AtomicBool,
    /// Set when the last loaded state was old, newer or damaged and defaults filled in.
    state_fallback: AtomicBool,
    /// Slot names (saved with the state). Locked only by state calls and the editor.
    names: Mutex<[String; NUM_SLOTS]>,
}

impl SharedLibrary {
    /// Whether the last loaded state needed fallbacks (the editor shows it).
    pub fn state_fallback(&self) -> bool {
        self.state_fallback.load(Ordering::Relaxed)
    }

    /// Renames a slot (GUI thread; saved with the next state save).
    pub fn set_name(&self, slot: usize, name: &str) {
        if let (Ok(mut names), true) = (self.names.lock(), slot < NUM_SLOTS) {
            names[slot] = name.chars().take(64).collect();
        }
    }

    /// The slot names.
    pub fn names(&self) -> [String; NUM_SLOTS] {
        self.names
            .lock()
            .map(|names| names.clone())
            .unwrap_or_else(|_| default_names())
    }
}

fn default_names() -> [String; NUM_SLOTS] {
    std::array::from_fn(|i| format!("Slot {}", i + 1))
}

/// The persisted field: a handle to the shared library.
#[derive(Clone)]
pub struct LibraryHandle(pub Arc<SharedLibrary>);

/// The audio thread's ends of the two triple buffers.
pub struct LibraryAudioSide {
    publish: triple_buffer::Input<Slots>,
    loaded: triple_buffer::Output<Slots>,
}

impl LibraryHandle {
    /// A library with empty slots, and the audio thread's side of it. Allocates.
    pub fn new() -> (Self, LibraryAudioSide) {
        let (publish, published) = triple_buffer::triple_buffer(&empty_slots());
        let (loaded_input, loaded) = triple_buffer::triple_buffer(&empty_slots());
        let shared = SharedLibrary {
            published: Mutex::new(published),
            loaded: Mutex::new(loaded_input),
            should_load: AtomicBool::new(false),
            state_fallback: AtomicBool::new(false),
            names: Mutex::new(default_names()),
        };
        (Self(Arc::new(shared)), LibraryAudioSide { publish, loaded })
    }
}

impl LibraryAudioSide {
    /// Publishes the current slots for saving. Audio thread; copies, never allocates.
    pub fn publish(&mut self, slots: &[Motif; NUM_SLOTS]) {
        // Slot by slot, so no 50 kB temporary lands on the audio thread's stack.
        for (published, slot) in self.publish.input_buffer_mut().iter_mut().zip(slots) {
            published.clone_from(slot);
        }
        self.publish.publish();
    }

    /// The slots of a freshly loaded state, once. Audio thread; never blocks.
    pub fn take_loaded(&mut self, shared: &SharedLibrary) -> Option<&[Motif; NUM_SLOTS]> {
        if shared.should_load.swap(false, Ordering::AcqRel) {
            Some(self.loaded.read())
        } else {
            None
        }
    }
}

impl<'a> PersistentField<'a, Value> for LibraryHandle {
    fn set(&self, new_value: Value) {
        let (slots, names, fallback) = parse_library(&new_value);
        if let Ok(mut loaded) = self.0.loaded.lock() {
            loaded.write(slots);
            self.0.should_load.store(true, Ordering::Release);
        }
        if let Ok(mut current) = self.0.names.lock() {
            *current = names;
        }
        self.0.state_fallback.store(fallback, Ordering::Relaxed);
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&Value) -> R,
    {
        let names = self.0.names();
        let value = match self.0.published.lock() {
            Ok(mut published) => library_json(published.read(), &names),
            Err(_) => library_json(&empty_slots(), &names),
        };
        f(&value)
    }
}

/// The JSON of a library (schema version 1).
pub fn library_json(slots: &[Motif; NUM_SLOTS], names: &[String; NUM_SLOTS]) -> Value {
    let slots: Vec<Value> = slots
        .iter()
        .zip(names)
        .map(|(motif, name)| {
            let motif_json = (!motif.is_empty()).then(|| {
                let notes: Vec<Value> = motif
                    .notes()
                    .iter()
                    .map(|n| json!([n.start_beats, n.length_beats, n.key, n.velocity, n.channel]))
                    .collect();
                json!({
                    "notes": notes,
                    "length_beats": motif.length_beats,
                    "time_signature": [motif.time_signature.numerator, motif.time_signature.denominator],
                    "tempo_bpm": motif.tempo_bpm,
                    "locked_key": motif.locked_key.map(|k| format!("{}:{}", k.tonic_name(), k.mode.name())),
                    "truncated": motif.truncated,
                })
            });
            json!({ "name": name, "motif": motif_json })
        })
        .collect();
    json!({ "version": LIBRARY_SCHEMA_VERSION, "slots": slots })
}

/// Reads a library leniently: (slots, names, whether anything needed a fallback).
pub fn parse_library(value: &Value) -> (Slots, [String; NUM_SLOTS], bool) {
    let mut slots = empty_slots();
    let mut names = default_names();
    let mut fallback = false;
    match value.get("version").and_then(Value::as_u64) {
        Some(LIBRARY_SCHEMA_VERSION) => {}
        // Newer or unknown: read what is recognisable.
        _ => fallback = true,
    }
    let Some(slot_values) = value.get("slots").and_then(Value::as_array) else {
        return (slots, names, true);
    };
    if slot_values.len() > NUM_SLOTS {
        fallback = true;
    }
    for (idx, slot_value) in slot_values.iter().take(NUM_SLOTS).enumerate() {
        match slot_value.get("name").and_then(Value::as_str) {
            Some(name) => names[idx] = name.chars().take(64).collect(),
            None => fallback = true,
        }
        match slot_value.get("motif") {
            None | Some(Value::Null) => {}
            Some(motif_value) => {
                let (motif, motif_fallback) = parse_motif(motif_value);
                slots[idx] = motif;
                fallback |= motif_fallback;
            }
        }
    }
    (slots, names, fallback)
}

fn parse_motif(value: &Value) -> (Motif, bool) {
    let mut fallback = false;
    let time_signature = match value.get("time_signature").and_then(Value::as_array) {
        Some(parts) if parts.len() == 2 => {
            let numerator = parts[0].as_u64().unwrap_or(4).min(255) as u8;
            let denominator = parts[1].as_u64().unwrap_or(4).min(255) as u8;
            TimeSignature::new(numerator, denominator)
        }
        _ => {
            fallback = true;
            TimeSignature::default()
        }
    };
    let tempo_bpm = value
        .get("tempo_bpm")
        .and_then(Value::as_f64)
        .unwrap_or_else(|| {
            fallback = true;
            120.0
        });
    let mut motif = Motif::new(time_signature, tempo_bpm);
    match value.get("notes").and_then(Value::as_array) {
        Some(notes) => {
            for note in notes {
                let parsed =
                    note.as_array()
                        .filter(|fields| fields.len() == 5)
                        .and_then(|fields| {
                            Some(Note {
                                start_beats: fields[0].as_f64()?,
                                length_beats: fields[1].as_f64()?,
                                key: u8::try_from(fields[2].as_u64()?).ok()?,
                                velocity: fields[3].as_f64()? as f32,
                                channel: u8::try_from(fields[4].as_u64()?).ok()?,
                            })
                        });
                match parsed {
                    Some(note) if motif.push(note) => {}
                    _ => fallback = true,
                }
            }
        }
        None => fallback = true,
    }
    motif.truncated |= value
        .get("truncated")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    motif.locked_key = value
        .get("locked_key")
        .and_then(Value::as_str)
        .and_then(Key::parse);
    motif.finish();
    if let Some(length) = value.get("length_beats").and_then(Value::as_f64) {
        if length.is_finite() && length >= motif.length_beats {
            motif.length_beats = crate::engine::motif::whole_bars_beats(length, time_signature);
        }
    }
    motif.detected_key = estimate_key(motif.notes(), DEFAULT_PROFILES);
    (motif, fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_slots() -> Slots {
        let mut slots = empty_slots();
        let mut motif = Motif::new(TimeSignature::new(3, 4), 84.0);
        motif.push(Note {
            start_beats: 0.0,
            length_beats: 1.5,
            key: 62,
            velocity: 0.5,
            channel: 0,
        });
        motif.push(Note {
            start_beats: 1.5,
            length_beats: 1.5,
            key: 69,
            velocity: 0.75,
            channel: 2,
        });
        motif.finish();
        motif.locked_key = Some(Key::parse("D:minor").unwrap());
        motif.detected_key = estimate_key(motif.notes(), DEFAULT_PROFILES);
        slots[3] = motif;
        slots
    }

    #[test]
    fn library_round_trips_through_json() {
        let slots = sample_slots();
        let mut names = default_names();
        names[3] = "Hero theme".into();
        let json = library_json(&slots, &names);
        let text = serde_json::to_string(&json).unwrap();
        let (parsed, parsed_names, fallback) = parse_library(&serde_json::from_str(&text).unwrap());
        assert!(!fallback);
        assert_eq!(parsed_names, names);
        assert_eq!(*parsed, *slots);
    }

    #[test]
    fn damaged_state_keeps_what_it_can_and_says_so() {
        let json = json!({
            "version": 7,
            "slots": [
                {"name": "A", "motif": {"notes": [[0.0, 1.0, 60, 0.5, 0], [0.0, "x", 61, 0.5, 0], [1.0, 1.0, 300, 0.5, 0]],
                                         "time_signature": [4, 4], "tempo_bpm": 90.0}},
                {"name": 12},
                "garbage",
            ]
        });
        let (slots, names, fallback) = parse_library(&json);
        assert!(fallback);
        assert_eq!(slots[0].len(), 1, "the one readable note is kept");
        assert_eq!(names[0], "A");
        assert_eq!(names[1], "Slot 2");
        assert!(slots[1].is_empty() && slots[2].is_empty());
        let (slots, _, fallback) = parse_library(&json!("nonsense"));
        assert!(fallback && slots.iter().all(Motif::is_empty));
    }
}
