//! The lock-free hand-over of the motif library between the audio thread (which captures
//! motifs) and the host's state calls (which save and load it). The document format is in
//! [`crate::library_schema`].
//!
//! Audio → main: after every library change the audio thread publishes the slots into a triple
//! buffer, stamped with the generation of the last load it applied. Main → audio: loading parses
//! the JSON, keeps a main-thread copy, writes it into a second triple buffer with a new
//! generation and raises a flag the audio thread checks at the top of each block.
//!
//! Saving serialises whichever is newer: the audio thread's publication if it already includes
//! the last load, else the main-thread copy of that load. So a host that loads a project and
//! saves it before any `process()` call (autosave, a frozen or disabled track) saves back what it
//! loaded. The audio thread never locks; the mutexes are only taken by state calls and the editor.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use nice_plug::params::persist::PersistentField;
use serde_json::Value;

use crate::engine::motif::Motif;
use crate::engine::picture::{Picture, TempoList, TempoSource};
use crate::engine::playback::NUM_SLOTS;
use crate::library_schema::{
    default_names, empty_slots, library_json, parse_library, LoadReport, Slots, MAX_SLOT_NAME_CHARS,
};

/// Slots with the generation of the last load they include.
#[derive(Clone)]
pub struct GenerationSlots {
    /// 0 before any load; each load increments it.
    pub load_generation: u64,
    /// The motifs.
    pub slots: Slots,
    /// The picture (hit lock's hits) loaded with them.
    pub picture: Picture,
}

impl GenerationSlots {
    fn empty() -> Self {
        Self {
            load_generation: 0,
            slots: empty_slots(),
            picture: Picture::default(),
        }
    }
}

/// The main thread's side of loading.
struct Loading {
    /// To the audio thread.
    to_audio: triple_buffer::Input<GenerationSlots>,
    /// A copy of the last loaded slots, saved until the audio thread has published them.
    last_loaded: GenerationSlots,
}

/// State shared between the host's state calls, the editor and the audio thread.
pub struct SharedLibrary {
    /// Latest slots published by the audio thread. Locked only when saving.
    published: Mutex<triple_buffer::Output<GenerationSlots>>,
    /// The last load. Locked only by state calls.
    loading: Mutex<Loading>,
    /// Set when the audio thread has a load it has not applied yet.
    should_load: AtomicBool,
    /// What the last load dropped, cut or defaulted. Locked by state calls and the editor.
    report: Mutex<LoadReport>,
    /// Slot names (saved with the state). Locked only by state calls and the editor.
    names: Mutex<[String; NUM_SLOTS]>,
    /// The picture: frame rate, start timecode, hits (saved with the state). Locked only by
    /// state calls and the editor.
    picture: Mutex<Picture>,
    /// The tempo map hit lock learnt from playback, with its generation (audio → main). Locked
    /// only by state calls and the editor.
    learnt_tempo: Mutex<triple_buffer::Output<(u64, TempoList)>>,
    /// The learnt map's generation when the picture was last set: only a later one replaces
    /// the picture's map (so a map the editor just set, or a load, is not undone by an older
    /// publication).
    learnt_seen: AtomicU64,
}

impl SharedLibrary {
    /// What the last load dropped, cut or defaulted (clean before any load).
    pub fn load_report(&self) -> LoadReport {
        self.report.lock().map(|r| *r).unwrap_or_default()
    }

    /// Renames a slot (GUI thread; saved with the next state save).
    pub fn set_name(&self, slot: usize, name: &str) {
        if let (Ok(mut names), true) = (self.names.lock(), slot < NUM_SLOTS) {
            names[slot] = name.chars().take(MAX_SLOT_NAME_CHARS).collect();
        }
    }

    /// The slot names.
    pub fn names(&self) -> [String; NUM_SLOTS] {
        self.names
            .lock()
            .map(|names| names.clone())
            .unwrap_or_else(|_| default_names())
    }

    /// The picture (main thread), with the tempo map learnt from playback since it was set
    /// unless its map was imported.
    pub fn picture(&self) -> Picture {
        let mut picture = self.picture.lock().map(|p| *p).unwrap_or_default();
        if picture.tempo_source == TempoSource::Learnt {
            if let Some((generation, map)) = self.latest_learnt() {
                if generation > self.learnt_seen.load(Ordering::Acquire) {
                    picture.tempo_map = map;
                }
            }
        }
        picture
    }

    /// Replaces the picture (main thread; saved with the next state save).
    pub fn set_picture(&self, picture: Picture) {
        if let Ok(mut current) = self.picture.lock() {
            *current = picture;
        }
        let seen = self.latest_learnt().map_or(0, |(generation, _)| generation);
        self.learnt_seen.store(seen, Ordering::Release);
    }

    /// The audio thread's latest learnt tempo map and its generation.
    fn latest_learnt(&self) -> Option<(u64, TempoList)> {
        self.learnt_tempo
            .lock()
            .ok()
            .map(|mut output| *output.read())
    }

    /// The library as it would be saved now (main thread).
    pub fn to_json(&self) -> Value {
        let names = self.names();
        let picture = self.picture();
        let (Ok(loading), Ok(mut published)) = (self.loading.lock(), self.published.lock()) else {
            return library_json(&empty_slots(), &names, &picture);
        };
        let published = published.read();
        if published.load_generation >= loading.last_loaded.load_generation {
            library_json(&published.slots, &names, &picture)
        } else {
            library_json(&loading.last_loaded.slots, &names, &picture)
        }
    }

    /// Loads a library document (main thread): parses it, keeps a copy for saving and hands it
    /// to the audio thread.
    pub fn load_json(&self, value: Value) {
        let parsed = parse_library(value);
        if let Ok(mut loading) = self.loading.lock() {
            let generation = loading.last_loaded.load_generation + 1;
            loading.last_loaded = GenerationSlots {
                load_generation: generation,
                slots: parsed.slots,
                picture: parsed.picture,
            };
            let copy = loading.last_loaded.clone();
            loading.to_audio.write(copy);
            self.should_load.store(true, Ordering::Release);
        }
        if let Ok(mut names) = self.names.lock() {
            *names = parsed.names;
        }
        self.set_picture(parsed.picture);
        if let Ok(mut report) = self.report.lock() {
            *report = parsed.report;
        }
    }
}

/// The persisted field: a handle to the shared library.
#[derive(Clone)]
pub struct LibraryHandle(pub Arc<SharedLibrary>);

/// The audio thread's ends of the two triple buffers.
pub struct LibraryAudioSide {
    publish: triple_buffer::Input<GenerationSlots>,
    loaded: triple_buffer::Output<GenerationSlots>,
    /// The learnt tempo map, to the main thread.
    learnt_tempo: triple_buffer::Input<(u64, TempoList)>,
    /// Generation of the last load applied.
    applied_generation: u64,
}

impl LibraryHandle {
    /// A library with empty slots, and the audio thread's side of it. Allocates.
    pub fn new() -> (Self, LibraryAudioSide) {
        let (publish, published) = triple_buffer::triple_buffer(&GenerationSlots::empty());
        let (to_audio, loaded) = triple_buffer::triple_buffer(&GenerationSlots::empty());
        let (learnt_input, learnt_output) =
            triple_buffer::triple_buffer(&(0, TempoList::default()));
        let shared = SharedLibrary {
            published: Mutex::new(published),
            loading: Mutex::new(Loading {
                to_audio,
                last_loaded: GenerationSlots::empty(),
            }),
            should_load: AtomicBool::new(false),
            report: Mutex::new(LoadReport::default()),
            names: Mutex::new(default_names()),
            picture: Mutex::new(Picture::default()),
            learnt_tempo: Mutex::new(learnt_output),
            learnt_seen: AtomicU64::new(0),
        };
        let audio = LibraryAudioSide {
            publish,
            loaded,
            learnt_tempo: learnt_input,
            applied_generation: 0,
        };
        (Self(Arc::new(shared)), audio)
    }
}

impl LibraryAudioSide {
    /// Publishes the current slots for saving. Audio thread (or before the host runs anything);
    /// copies, never allocates.
    pub fn publish(&mut self, slots: &[Motif; NUM_SLOTS]) {
        let buffer = self.publish.input_buffer_mut();
        buffer.load_generation = self.applied_generation;
        // Slot by slot, so no 50 kB temporary lands on the audio thread's stack.
        for (published, slot) in buffer.slots.iter_mut().zip(slots) {
            published.clone_from(slot);
        }
        self.publish.publish();
    }

    /// Publishes the tempo map hit lock learnt (`generation` counts its changes) for saving
    /// with the picture. Audio thread; copies, never allocates.
    pub fn publish_learnt_tempo(&mut self, generation: u64, map: &TempoList) {
        self.learnt_tempo.write((generation, *map));
    }

    /// The slots and picture of a freshly loaded state, once. Audio thread; never blocks. The caller applies
    /// them and then [`publish`](Self::publish)es.
    pub fn take_loaded(
        &mut self,
        shared: &SharedLibrary,
    ) -> Option<(&[Motif; NUM_SLOTS], &Picture)> {
        if shared.should_load.swap(false, Ordering::AcqRel) {
            let loaded = self.loaded.read();
            self.applied_generation = loaded.load_generation;
            Some((&loaded.slots, &loaded.picture))
        } else {
            None
        }
    }
}

impl<'a> PersistentField<'a, Value> for LibraryHandle {
    fn set(&self, new_value: Value) {
        self.0.load_json(new_value);
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&Value) -> R,
    {
        f(&self.0.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::key::Key;
    use crate::engine::motif::{Note, TimeSignature};

    fn sample_slots() -> Slots {
        let mut slots = empty_slots();
        let mut motif = Motif::new(TimeSignature::new(3, 4), 84.0);
        for (start, key, channel) in [(0.0, 62, 0), (1.5, 69, 2)] {
            motif.push(Note {
                start_beats: start,
                length_beats: 1.5,
                key,
                velocity: 0.5,
                channel,
            });
        }
        motif.finish();
        motif.locked_key = Some(Key::parse("D:minor").unwrap());
        slots[3] = motif;
        slots
    }

    /// A tempo map learnt on the audio thread is saved with the picture; a picture set after
    /// it (the editor's "Forget the map", a load) is not undone by that older publication; an
    /// imported map is never replaced by a learnt one.
    #[test]
    fn a_learnt_tempo_map_is_saved_with_the_picture() {
        use crate::engine::time_map::TempoChange;
        let (handle, mut audio) = LibraryHandle::new();
        let learnt = TempoList::from_changes(&[
            TempoChange {
                position_beats: 0.0,
                tempo_bpm: 120.0,
            },
            TempoChange {
                position_beats: 16.0,
                tempo_bpm: 90.0,
            },
        ])
        .0;
        audio.publish_learnt_tempo(3, &learnt);
        assert_eq!(handle.0.picture().tempo_map, learnt);
        let saved = handle.map(|v| v.clone());
        assert_eq!(saved["picture"]["tempo_map_source"], "learnt");
        assert_eq!(saved["picture"]["tempo_map"][1]["bpm"], 90.0);
        // Forgotten: the publication before does not bring it back; the next one does.
        handle.0.set_picture(Picture::default());
        assert!(handle.0.picture().tempo_map.is_empty());
        audio.publish_learnt_tempo(4, &learnt);
        assert_eq!(handle.0.picture().tempo_map, learnt);
        // Imported: kept whatever is learnt.
        let imported = Picture {
            tempo_map: TempoList::from_changes(&learnt.as_slice()[..1]).0,
            tempo_source: TempoSource::Imported,
            ..Picture::default()
        };
        handle.0.set_picture(imported);
        audio.publish_learnt_tempo(5, &learnt);
        assert_eq!(handle.0.picture(), imported);
    }

    /// The defect: a save right after a load, with no audio block in between, lost every motif.
    #[test]
    fn saving_before_any_block_returns_what_was_loaded() {
        let (handle, mut audio) = LibraryHandle::new();
        let mut names = default_names();
        names[3] = "Hero theme".into();
        let document = library_json(&sample_slots(), &names, &Picture::default());
        handle.set(document.clone());
        let saved = handle.map(|v| v.clone());
        assert_eq!(saved, document, "saved before the audio thread ran");
        // Load → save → load → save is stable.
        handle.set(saved.clone());
        assert_eq!(handle.map(|v| v.clone()), document);

        // Once the audio thread applied the load and published, its copy is saved.
        let mut live_slots = empty_slots();
        let (loaded, _picture) = audio.take_loaded(&handle.0).expect("a load is pending");
        live_slots.clone_from_slice(loaded);
        live_slots[0] = sample_slots()[3].clone();
        audio.publish(&live_slots);
        let saved = handle.map(|v| v.clone());
        assert_eq!(saved["slots"][0]["motif"], document["slots"][3]["motif"]);
        assert_eq!(saved["slots"][3]["motif"], document["slots"][3]["motif"]);

        // A new load not yet applied wins over the older publication.
        handle.set(library_json(
            &empty_slots(),
            &default_names(),
            &Picture::default(),
        ));
        assert!(handle.map(|v| v["slots"][0]["motif"].is_null()));
    }
}
