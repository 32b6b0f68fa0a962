//! Everything that crosses between the audio thread and the editor, built as (audio side, GUI
//! side) pairs in the plugin's `Default`, before the host runs anything.
//!
//! - Audio → GUI: the latest [`EditorSnapshot`] (active motif, its rendering, library summary)
//!   through a triple buffer (latest wins, never blocks), and scalar readouts (playhead, notes in
//!   the phrase being captured, dropped events) as atomics.
//! - GUI → audio: [`Command`]s (import into a slot, clear a slot, lock a key) through a bounded
//!   SPSC queue. A full queue is counted and shown, never waited on.
//!
//! Parameters are not here: the editor changes them only through nice-plug's `ParamSetter`.

use crate::engine::articulation::Role;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

use atomic_float::{AtomicF32, AtomicF64};
use std::sync::Arc;

use crate::engine::hit_lock::HitOutcome;
use crate::engine::hits::MAX_HITS;
use crate::engine::key::Key;
use crate::engine::motif::Motif;
use crate::engine::picture::Picture;
use crate::engine::playback::NUM_SLOTS;
use crate::engine::rendering::Rendering;

/// Commands the GUI can queue at once before the audio thread takes them.
pub const COMMAND_QUEUE_CAPACITY: usize = 16;

/// What the editor draws. Published by the audio thread when something changed.
#[derive(Debug, Clone, PartialEq)]
pub struct EditorSnapshot {
    /// Increments with every publication.
    pub revision: u64,
    /// The active slot, 0-based.
    pub active_slot: usize,
    /// The active slot's motif.
    pub motif: Motif,
    /// Its rendering in the current character.
    pub rendering: Rendering,
    /// Notes in each slot (0 = empty).
    pub slot_num_notes: [usize; NUM_SLOTS],
}

impl EditorSnapshot {
    /// An empty snapshot with full rendering capacity. Allocates.
    pub fn new() -> Self {
        Self {
            revision: 0,
            active_slot: 0,
            motif: Motif::default(),
            rendering: Rendering::new(),
            slot_num_notes: [0; NUM_SLOTS],
        }
    }
}

impl Default for EditorSnapshot {
    fn default() -> Self {
        Self::new()
    }
}

// A command is dropped on whichever thread pops it, including the audio thread: it must own
// nothing that frees memory.
const _: () = assert!(!std::mem::needs_drop::<Command>());

/// A request from the editor to the audio thread.
// The motif travels by value on purpose: nothing is allocated or freed on the audio thread, and
// the queue's slots are allocated once.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Command {
    /// Put a motif (e.g. imported from a .mid) into a slot.
    SetSlot {
        /// Slot, 0-based.
        slot: usize,
        /// The motif (by value: nothing to free on the audio thread).
        motif: Motif,
    },
    /// Empty a slot.
    ClearSlot {
        /// Slot, 0-based.
        slot: usize,
    },
    /// Lock a slot's key (or unlock with `None`).
    LockKey {
        /// Slot, 0-based.
        slot: usize,
        /// The key, or `None` to use the detected one.
        key: Option<Key>,
    },
    /// Replace the picture hit lock lands on (frame rate, start timecode, hits).
    SetPicture {
        /// The picture (by value: nothing to free on the audio thread).
        picture: Picture,
    },
}

/// Scalar readouts, written by the audio thread (and the GUI for its own counter).
#[derive(Debug, Default)]
pub struct Readouts {
    /// Position in the rendering, beats; NaN when not playing (one atomic, so the value and
    /// its "none" can never tear apart).
    playhead_beats: AtomicF64,
    /// Notes in the phrase being captured.
    pub phrase_notes: AtomicU32,
    /// Whether capture is listening.
    pub listening: AtomicBool,
    /// Whether armed capture is armed now (the engine disarms itself once it took a phrase).
    pub capture_armed: AtomicBool,
    /// The audio input's level, dBFS (−120 when silent or not heard).
    pub audio_level_db: AtomicF32,
    /// The pitch heard in the audio input, fractional MIDI key; 0 when none.
    pub audio_pitch_midi: AtomicF32,
    /// The note being heard in the audio input: MIDI key + 1; 0 when none.
    pub audio_note: AtomicU32,
    /// Output events dropped because a buffer was full, since the plugin started.
    pub dropped_events: AtomicU64,
    /// Commands the GUI could not queue because the queue was full.
    pub commands_refused: AtomicU64,
    /// What hit lock made of each hit.
    pub hits: HitReadouts,
    /// The articulation each voice plays now (melody, doubling, harmony, bass): the role's
    /// index in [`Role::ALL`] + 1; 0 when none (no profile, not playing, or a role-less voice).
    pub sounding_roles: [AtomicU32; 4],
    /// Rendered notes sent later than their articulation's delay asked (due too soon after a
    /// start or locate), since the plugin started.
    pub late_notes: AtomicU64,
}

/// [`Readouts::sounding_roles`]' code for `role`.
pub fn role_code(role: Option<Role>) -> u32 {
    role.and_then(|role| Role::ALL.iter().position(|r| *r == role))
        .map_or(0, |index| index as u32 + 1)
}

/// The role [`role_code`] wrote.
pub fn role_of_code(code: u32) -> Option<Role> {
    code.checked_sub(1)
        .and_then(|index| Role::ALL.get(index as usize).copied())
}

/// Hit lock's readouts, per hit in the picture's time order (audio thread writes, editor reads).
#[derive(Debug)]
pub struct HitReadouts {
    /// Whether the host gives picture time (seconds or samples); else Reprise integrates beats ÷
    /// tempo, which a locate across a tempo change puts wrong.
    pub host_gives_seconds: AtomicBool,
    /// Landing − hit, seconds; NaN when the hit's note does not land (no plan, a conflict, a
    /// kind this version does not land).
    miss_seconds: [AtomicF64; MAX_HITS],
    /// Why a hit does not land ([`HitOutcome`] as [`outcome_code`]).
    outcomes: [AtomicU32; MAX_HITS],
    /// Taps of the tap key so far.
    pub tap_count: AtomicU64,
    /// Picture time of the last tap, seconds.
    pub last_tap_seconds: AtomicF64,
    /// Picture time at the last block's start, seconds (for a tap button and calibration).
    pub playhead_seconds: AtomicF64,
}

impl Default for HitReadouts {
    fn default() -> Self {
        Self {
            host_gives_seconds: AtomicBool::new(true),
            miss_seconds: std::array::from_fn(|_| AtomicF64::new(f64::NAN)),
            outcomes: std::array::from_fn(|_| AtomicU32::new(0)),
            tap_count: AtomicU64::new(0),
            last_tap_seconds: AtomicF64::new(0.0),
            playhead_seconds: AtomicF64::new(0.0),
        }
    }
}

impl HitReadouts {
    /// Hit `index`'s landing − hit, seconds, or `None` when it does not land.
    pub fn miss_seconds(&self, index: usize) -> Option<f64> {
        let seconds = self.miss_seconds.get(index)?.load(Ordering::Relaxed);
        (!seconds.is_nan()).then_some(seconds)
    }

    /// Sets hit `index`'s outcome and landing − hit (audio thread).
    pub fn set_outcome(&self, index: usize, outcome: HitOutcome, seconds: Option<f64>) {
        if let (Some(slot), Some(code)) = (self.miss_seconds.get(index), self.outcomes.get(index)) {
            slot.store(seconds.unwrap_or(f64::NAN), Ordering::Relaxed);
            code.store(outcome_code(outcome), Ordering::Relaxed);
        }
    }

    /// Hit `index`'s outcome (the miss itself is [`miss_seconds`](Self::miss_seconds)).
    pub fn outcome(&self, index: usize) -> HitOutcome {
        match self.outcomes.get(index).map(|c| c.load(Ordering::Relaxed)) {
            Some(1) => HitOutcome::Locked,
            Some(2) => HitOutcome::Missed { by_beats: 0.0 },
            Some(3) => HitOutcome::Conflict,
            Some(4) => HitOutcome::Guarded,
            Some(5) => HitOutcome::NotHandled,
            _ => HitOutcome::Unplanned,
        }
    }
}

/// A [`HitOutcome`] as one number (its beats are carried as seconds elsewhere).
fn outcome_code(outcome: HitOutcome) -> u32 {
    match outcome {
        HitOutcome::Unplanned => 0,
        HitOutcome::Locked => 1,
        HitOutcome::Missed { .. } => 2,
        HitOutcome::Conflict => 3,
        HitOutcome::Guarded => 4,
        HitOutcome::NotHandled => 5,
    }
}

impl Readouts {
    /// The playhead in rendering beats, or `None` when not playing.
    pub fn playhead_beats(&self) -> Option<f64> {
        let beats = self.playhead_beats.load(Ordering::Relaxed);
        (!beats.is_nan()).then_some(beats)
    }

    /// Sets the playhead (audio thread).
    pub fn set_playhead_beats(&self, beats: Option<f64>) {
        let beats = beats.filter(|b| !b.is_nan()).unwrap_or(f64::NAN);
        self.playhead_beats.store(beats, Ordering::Relaxed);
    }
}

/// The audio thread's side.
pub struct AudioSide {
    snapshot: triple_buffer::Input<EditorSnapshot>,
    commands: rtrb::Consumer<Command>,
    /// Shared readouts.
    pub readouts: Arc<Readouts>,
}

/// The editor's side.
pub struct GuiSide {
    snapshot: triple_buffer::Output<EditorSnapshot>,
    commands: rtrb::Producer<Command>,
    /// Shared readouts.
    pub readouts: Arc<Readouts>,
}

/// Builds both sides. Allocates (call from `Default`).
pub fn shared_state() -> (AudioSide, GuiSide) {
    let (snapshot_input, snapshot_output) = triple_buffer::triple_buffer(&EditorSnapshot::new());
    let (producer, consumer) = rtrb::RingBuffer::new(COMMAND_QUEUE_CAPACITY);
    let readouts = Arc::new(Readouts::default());
    readouts.set_playhead_beats(None);
    (
        AudioSide {
            snapshot: snapshot_input,
            commands: consumer,
            readouts: readouts.clone(),
        },
        GuiSide {
            snapshot: snapshot_output,
            commands: producer,
            readouts,
        },
    )
}

impl AudioSide {
    /// The next queued command, if any. Never blocks.
    pub fn next_command(&mut self) -> Option<Command> {
        self.commands.pop().ok()
    }

    /// Fills the snapshot in place and publishes it. Never allocates: the rendering copy reuses
    /// the snapshot's capacity.
    pub fn publish(&mut self, fill: impl FnOnce(&mut EditorSnapshot)) {
        let snapshot = self.snapshot.input_buffer_mut();
        fill(snapshot);
        snapshot.revision = snapshot.revision.wrapping_add(1);
        // Keep every buffer's revision increasing: the next input buffer starts from this one.
        let revision = snapshot.revision;
        self.snapshot.publish();
        self.snapshot.input_buffer_mut().revision = revision;
    }
}

impl GuiSide {
    /// The latest snapshot.
    pub fn snapshot(&mut self) -> &EditorSnapshot {
        self.snapshot.read()
    }

    /// Queues a command; a full queue is counted in the readouts and reported as `false`.
    pub fn send(&mut self, command: Command) -> bool {
        match self.commands.push(command) {
            Ok(()) => true,
            Err(_) => {
                self.readouts
                    .commands_refused
                    .fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::motif::{Note, TimeSignature};
    use crate::engine::rendering::{RenderedNote, Voice};

    /// A snapshot whose every note carries `stamp`, so a mix of two publications shows.
    fn stamped(snapshot: &mut EditorSnapshot, stamp: u64) {
        let key = (stamp % 100) as u8;
        snapshot.motif = Motif::new(TimeSignature::default(), 120.0);
        for i in 0..(1 + stamp % 50) {
            snapshot.motif.push(Note {
                start_beats: i as f64,
                length_beats: 1.0,
                key,
                velocity: 0.5,
                channel: 0,
            });
        }
        snapshot.rendering.clear();
        for i in 0..(1 + stamp % 300) {
            snapshot.rendering.push_note(RenderedNote {
                lead_seconds: 0.0,
                start_beats: i as f64,
                length_beats: 1.0,
                key,
                velocity: 0.5,
                channel: 0,
                voice: Voice::Melody,
            });
        }
        snapshot.active_slot = (stamp % NUM_SLOTS as u64) as usize;
        snapshot.slot_num_notes = [stamp as usize; NUM_SLOTS];
    }

    #[test]
    fn snapshots_are_never_torn_between_threads() {
        let (mut audio, mut gui) = shared_state();
        let writer = std::thread::spawn(move || {
            for stamp in 1..=20_000u64 {
                audio.publish(|snapshot| stamped(snapshot, stamp));
                while audio.next_command().is_some() {}
            }
        });
        let mut last_revision = 0;
        let mut num_reads = 0;
        while !writer.is_finished() || num_reads < 10 {
            let snapshot = gui.snapshot().clone();
            num_reads += 1;
            if snapshot.revision == 0 {
                continue;
            }
            assert!(snapshot.revision >= last_revision, "revisions go backwards");
            last_revision = snapshot.revision;
            let stamp = snapshot.slot_num_notes[0] as u64;
            let key = (stamp % 100) as u8;
            assert!(
                snapshot.slot_num_notes.iter().all(|&n| n as u64 == stamp),
                "torn library summary"
            );
            assert_eq!(snapshot.motif.len() as u64, 1 + stamp % 50, "torn motif");
            assert!(
                snapshot.motif.notes().iter().all(|n| n.key == key),
                "torn motif notes"
            );
            assert_eq!(
                snapshot.rendering.notes.len() as u64,
                1 + stamp % 300,
                "torn rendering"
            );
            assert!(
                snapshot.rendering.notes.iter().all(|n| n.key == key),
                "torn rendering notes"
            );
            let _ = gui.send(Command::ClearSlot { slot: 0 });
        }
        writer.join().unwrap();
        assert!(num_reads > 10);
    }

    #[test]
    fn publishing_and_taking_commands_never_allocate() {
        let (mut audio, mut gui) = shared_state();
        let mut source = EditorSnapshot::new();
        stamped(&mut source, 299);
        assert!(gui.send(Command::SetSlot {
            slot: 2,
            motif: source.motif.clone()
        }));
        // nice-plug installs the allocation guard as the global allocator in debug builds; this
        // aborts the test if the audio side allocates.
        nice_assert_no_alloc::assert_no_alloc(|| {
            let command = audio.next_command();
            assert!(matches!(command, Some(Command::SetSlot { slot: 2, .. })));
            audio.publish(|snapshot| {
                snapshot.motif.clone_from(&source.motif);
                snapshot.rendering.clone_from(&source.rendering);
                snapshot.slot_num_notes = source.slot_num_notes;
            });
        });
        assert_eq!(gui.snapshot().rendering.notes.len(), 300);
    }

    #[test]
    fn the_playhead_hand_over_keeps_none_and_values_apart() {
        let readouts = Readouts::default();
        for value in [Some(0.0), Some(-0.5), None, Some(1e9), Some(f64::NAN)] {
            readouts.set_playhead_beats(value);
            let expected = value.filter(|v| !v.is_nan());
            assert_eq!(readouts.playhead_beats(), expected);
        }
    }

    #[test]
    fn a_full_queue_is_counted_not_waited_on() {
        let (_audio, mut gui) = shared_state();
        for _ in 0..COMMAND_QUEUE_CAPACITY {
            assert!(gui.send(Command::ClearSlot { slot: 1 }));
        }
        assert!(!gui.send(Command::ClearSlot { slot: 1 }));
        assert_eq!(gui.readouts.commands_refused.load(Ordering::Relaxed), 1);
    }
}
