//! The table of notes Reprise has sent and not yet ended: the mechanism behind "never a stuck
//! note".
//!
//! Every note-on Reprise emits is recorded here; every note-off it emits is checked against it.
//! When anything interrupts playback, [`SoundingNotes::release_all`] writes the note-offs (and
//! sustain-pedal lifts) for whatever is still sounding.

use super::event::{Event, NoteId, CC_SUSTAIN, NUM_CHANNELS, NUM_KEYS};
use super::event_buffer::EventBuffer;

/// Who sent a sounding note or a held pedal: the composer's playing passed through, or the
/// rendering. One owner per cell: [`SoundingNotes::displace`] ends the other owner's note first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A played note forwarded by pass-through.
    PassThrough,
    /// A note of the rendering, sent by the scheduler.
    Rendering,
}

/// One (channel, key) cell of the table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Cell {
    /// How many note-ons on this channel and key are still open (the same key may be struck
    /// again before it was released).
    num_open: u16,
    /// Host note id of the most recent open note-on, used for the note-off we send.
    note_id: NoteId,
    /// Who sent the open note-ons (meaningful while `num_open > 0`).
    owner: Option<Owner>,
}

/// Notes and pedals Reprise has turned on and not yet off.
///
/// Owner: the audio thread. Fixed size (16 × 128 cells); no method allocates.
#[derive(Debug, Clone)]
pub struct SoundingNotes {
    /// Indexed by `channel * NUM_KEYS + key`.
    cells: [Cell; NUM_CHANNELS * NUM_KEYS],
    /// Who has a sustain pedal down (CC64 ≥ 64 sent without a lift) on each channel.
    pedal_down: [Option<Owner>; NUM_CHANNELS],
    /// Sum of `num_open` over all cells.
    num_open_total: u32,
}

impl Default for SoundingNotes {
    fn default() -> Self {
        Self {
            cells: [Cell::default(); NUM_CHANNELS * NUM_KEYS],
            pedal_down: [None; NUM_CHANNELS],
            num_open_total: 0,
        }
    }
}

fn cell_idx(channel: u8, key: u8) -> Option<usize> {
    let (channel, key) = (channel as usize, key as usize);
    (channel < NUM_CHANNELS && key < NUM_KEYS).then_some(channel * NUM_KEYS + key)
}

impl SoundingNotes {
    /// Records a note-on `owner` sent. Out-of-range channel/key are ignored (never sent).
    pub fn note_on(&mut self, channel: u8, key: u8, note_id: NoteId, owner: Owner) {
        if let Some(idx) = cell_idx(channel, key) {
            let cell = &mut self.cells[idx];
            cell.owner = Some(owner);
            // Saturate rather than overflow: 65 535 strikes of one key without a release is
            // already a host bug, and the table must never panic.
            if cell.num_open < u16::MAX {
                cell.num_open += 1;
                self.num_open_total += 1;
            }
            cell.note_id = note_id;
        }
    }

    /// Records a note-off if that note is sounding. Returns whether it was: a `false` means the
    /// note-off has no matching note-on and must not be sent.
    pub fn note_off(&mut self, channel: u8, key: u8) -> bool {
        let Some(idx) = cell_idx(channel, key) else {
            return false;
        };
        let cell = &mut self.cells[idx];
        if cell.num_open == 0 {
            return false;
        }
        cell.num_open -= 1;
        self.num_open_total -= 1;
        true
    }

    /// Records a control change `owner` sent (only the sustain pedal matters here).
    pub fn control_change(&mut self, channel: u8, cc: u8, value: f32, owner: Owner) {
        if cc == CC_SUSTAIN && (channel as usize) < NUM_CHANNELS {
            // MIDI convention: 64 and above is "down".
            self.pedal_down[channel as usize] = (value >= 63.5 / 127.0).then_some(owner);
        }
    }

    /// Whether a note on `channel`/`key` is sounding.
    pub fn is_sounding(&self, channel: u8, key: u8) -> bool {
        cell_idx(channel, key).is_some_and(|idx| self.cells[idx].num_open > 0)
    }

    /// Who sounds `channel`/`key`, if anyone.
    pub fn owner(&self, channel: u8, key: u8) -> Option<Owner> {
        let cell = self.cells[cell_idx(channel, key)?];
        (cell.num_open > 0).then_some(cell.owner).flatten()
    }

    /// The collision policy: before `owner` sounds `channel`/`key`, a note another owner sounds
    /// there is ended at `timing_samples` (off, then the new on: the instrument never holds the
    /// key twice), and that owner's own note-off will not be sent. Returns false if the
    /// note-off did not fit in `out` (the new note-on must then not be sent either).
    pub fn displace(
        &mut self,
        channel: u8,
        key: u8,
        owner: Owner,
        timing_samples: u32,
        out: &mut EventBuffer,
    ) -> bool {
        let Some(idx) = cell_idx(channel, key) else {
            return true;
        };
        if self.cells[idx].num_open == 0 || self.cells[idx].owner == Some(owner) {
            return true;
        }
        let note_id = self.cells[idx].note_id;
        if out
            .push(Event::note_off(timing_samples, channel, key, 0.0, note_id))
            .is_err()
        {
            return false;
        }
        self.num_open_total -= self.cells[idx].num_open as u32;
        self.cells[idx].num_open = 0;
        self.cells[idx].owner = None;
        true
    }

    /// Number of open note-ons over all channels and keys.
    pub fn num_sounding(&self) -> u32 {
        self.num_open_total
    }

    /// Whether nothing is sounding and no pedal is held.
    pub fn is_silent(&self) -> bool {
        self.num_open_total == 0 && self.pedal_down.iter().all(Option::is_none)
    }

    /// Writes a note-off for every open note-on and a pedal lift for every held pedal, all at
    /// `timing_samples`, and forgets them. Never allocates.
    ///
    /// Entries are removed only once their event fits in `out`; returns the number of events that
    /// did not fit and are still pending (call again next block). Normally 0.
    pub fn release_all(&mut self, timing_samples: u32, out: &mut EventBuffer) -> u32 {
        self.release(None, timing_samples, out)
    }

    /// [`release_all`](Self::release_all) for one owner's notes and pedals only (pass-through
    /// turned off ends what was played, not the rendering).
    pub fn release_owner(
        &mut self,
        owner: Owner,
        timing_samples: u32,
        out: &mut EventBuffer,
    ) -> u32 {
        self.release(Some(owner), timing_samples, out)
    }

    fn release(&mut self, only: Option<Owner>, timing_samples: u32, out: &mut EventBuffer) -> u32 {
        if self.is_silent() {
            return 0;
        }
        let matches = |owner: Option<Owner>| only.is_none() || owner == only;
        for idx in 0..self.cells.len() {
            if !matches(self.cells[idx].owner) {
                continue;
            }
            while self.cells[idx].num_open > 0 {
                let channel = (idx / NUM_KEYS) as u8;
                let key = (idx % NUM_KEYS) as u8;
                let note_id = self.cells[idx].note_id;
                if out
                    .push(Event::note_off(timing_samples, channel, key, 0.0, note_id))
                    .is_err()
                {
                    return self.num_pending();
                }
                self.cells[idx].num_open -= 1;
                self.num_open_total -= 1;
            }
        }
        for channel in 0..NUM_CHANNELS {
            if self.pedal_down[channel].is_some() && matches(self.pedal_down[channel]) {
                if out
                    .push(Event::control_change(
                        timing_samples,
                        channel as u8,
                        CC_SUSTAIN,
                        0.0,
                    ))
                    .is_err()
                {
                    return self.num_pending();
                }
                self.pedal_down[channel] = None;
            }
        }
        0
    }

    fn num_pending(&self) -> u32 {
        self.num_open_total + self.pedal_down.iter().filter(|down| down.is_some()).count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::EventKind;

    #[test]
    fn note_off_without_note_on_is_refused() {
        let mut table = SoundingNotes::default();
        assert!(!table.note_off(0, 60));
        table.note_on(0, 60, None, Owner::PassThrough);
        assert!(table.note_off(0, 60));
        assert!(!table.note_off(0, 60));
    }

    #[test]
    fn repeated_strikes_need_as_many_releases() {
        let mut table = SoundingNotes::default();
        table.note_on(3, 64, Some(1), Owner::PassThrough);
        table.note_on(3, 64, Some(2), Owner::PassThrough);
        assert_eq!(table.num_sounding(), 2);
        assert!(table.note_off(3, 64));
        assert!(table.is_sounding(3, 64));
        assert!(table.note_off(3, 64));
        assert!(!table.is_sounding(3, 64));
    }

    #[test]
    fn release_all_ends_every_note_and_lifts_pedals() {
        let mut table = SoundingNotes::default();
        table.note_on(0, 60, Some(7), Owner::PassThrough);
        table.note_on(0, 60, Some(8), Owner::PassThrough);
        table.note_on(15, 127, None, Owner::Rendering);
        table.control_change(2, CC_SUSTAIN, 1.0, Owner::Rendering);
        let mut out = EventBuffer::with_capacity(16);
        assert_eq!(table.release_all(42, &mut out), 0);
        assert!(table.is_silent());
        let events = out.as_slice();
        assert_eq!(events.len(), 4);
        assert!(events.iter().all(|e| e.timing_samples == 42));
        let num_offs = events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::NoteOff { .. }))
            .count();
        assert_eq!(num_offs, 3);
        assert!(events.contains(&Event::note_off(42, 0, 60, 0.0, Some(8))));
        assert!(events.contains(&Event::note_off(42, 15, 127, 0.0, None)));
        assert!(events.contains(&Event::control_change(42, 2, CC_SUSTAIN, 0.0)));
    }

    #[test]
    fn release_all_keeps_what_does_not_fit() {
        let mut table = SoundingNotes::default();
        for key in 0..5 {
            table.note_on(0, key, None, Owner::PassThrough);
        }
        let mut out = EventBuffer::with_capacity(2);
        assert_eq!(table.release_all(0, &mut out), 3);
        out.clear();
        assert_eq!(table.release_all(0, &mut out), 1);
        out.clear();
        assert_eq!(table.release_all(0, &mut out), 0);
        assert!(table.is_silent());
    }

    #[test]
    fn out_of_range_notes_are_ignored() {
        let mut table = SoundingNotes::default();
        table.note_on(16, 60, None, Owner::PassThrough);
        table.note_on(0, 128, None, Owner::PassThrough);
        assert_eq!(table.num_sounding(), 0);
        assert!(!table.note_off(16, 60));
    }

    #[test]
    fn pedal_threshold_follows_midi_convention() {
        let mut table = SoundingNotes::default();
        table.control_change(0, CC_SUSTAIN, 63.0 / 127.0, Owner::PassThrough);
        assert!(table.is_silent());
        table.control_change(0, CC_SUSTAIN, 64.0 / 127.0, Owner::PassThrough);
        assert!(!table.is_silent());
        table.control_change(0, CC_SUSTAIN, 0.0, Owner::PassThrough);
        assert!(table.is_silent());
    }
}
