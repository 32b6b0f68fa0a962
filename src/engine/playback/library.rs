//! The engine's library: the motif in each slot, and a revision that changes with any of them
//! (for the plugin to publish the library for saving and the editor).

use crate::engine::key::Key;
use crate::engine::motif::Motif;

/// Number of motif slots in the library.
pub const NUM_SLOTS: usize = 8;

/// The slots. Owner: the audio thread. Built with [`Library::new`] (allocates); replacing a
/// slot's motif reuses its storage where it can.
#[derive(Debug, Clone)]
pub struct Library {
    slots: Box<[Motif; NUM_SLOTS]>,
    /// Increments whenever a slot's motif changes.
    revision: u64,
}

impl Default for Library {
    fn default() -> Self {
        Self::new()
    }
}

impl Library {
    /// Empty slots. Allocates.
    pub fn new() -> Self {
        Self {
            slots: Box::new(std::array::from_fn(|_| Motif::default())),
            revision: 0,
        }
    }

    /// The motifs (an empty motif = an empty slot).
    pub fn slots(&self) -> &[Motif; NUM_SLOTS] {
        &self.slots
    }

    /// The motif in `slot` (the last slot for an index past the end).
    pub fn slot(&self, slot: usize) -> &Motif {
        &self.slots[slot.min(NUM_SLOTS - 1)]
    }

    /// Changes whenever a slot's motif changes.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Replaces a slot's motif. Returns false for a slot index past the end (nothing changes).
    pub fn set(&mut self, slot: usize, motif: &Motif) -> bool {
        let Some(target) = self.slots.get_mut(slot) else {
            return false;
        };
        target.clone_from(motif);
        self.revision += 1;
        true
    }

    /// A newly captured phrase replaces the slot's motif; the slot's key lock belongs to the
    /// slot, so it stays unless the capture brought a lock of its own.
    pub fn take_capture(&mut self, slot: usize, captured: &Motif) {
        let slot = slot.min(NUM_SLOTS - 1);
        let locked_key = self.slots[slot].locked_key;
        self.slots[slot].clone_from(captured);
        if self.slots[slot].locked_key.is_none() {
            self.slots[slot].locked_key = locked_key;
        }
        self.revision += 1;
    }

    /// Empties a slot, keeping its metre and tempo. Returns false for an index past the end.
    pub fn clear(&mut self, slot: usize) -> bool {
        let Some(target) = self.slots.get_mut(slot) else {
            return false;
        };
        *target = Motif::new(target.time_signature, target.tempo_bpm);
        self.revision += 1;
        true
    }

    /// Locks a slot's key to `key` (unlocks for `None`). Returns false for an index past the
    /// end.
    pub fn lock_key(&mut self, slot: usize, key: Option<Key>) -> bool {
        let Some(target) = self.slots.get_mut(slot) else {
            return false;
        };
        target.locked_key = key;
        self.revision += 1;
        true
    }
}
