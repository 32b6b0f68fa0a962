//! The one table of what Reprise's output is sounding: every (channel, key) cell with its owner
//! (the composer's playing passed through, or the rendering) and, for a rendering note, which
//! note it is and when it ends; and the sustain pedal per channel with its owner. The mechanism
//! behind "never a stuck note, never a key held twice".
//!
//! Every note-on and pedal-down Reprise writes goes through [`Voices::start`] and
//! [`Voices::control_change`]; every note-off through [`Voices::end`] or a release. One
//! collision policy: a note-on for a cell that already sounds first ends the sounding note at the
//! same sample, so the output never holds a key twice and no note-off goes out without its
//! note-on.

use crate::engine::event::{
    cell_of, channel_key_of, is_sustain_down, Event, NoteId, CC_SUSTAIN, NUM_CHANNELS, NUM_KEYS,
};
use crate::engine::event_buffer::EventBuffer;

/// Number of (channel, key) cells.
pub const NUM_CELLS: usize = NUM_CHANNELS * NUM_KEYS;

/// Who sent a sounding note or a held pedal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A played note forwarded by pass-through.
    PassThrough,
    /// A note of the rendering, sent by the scheduler.
    Rendering,
}

/// Which rendering note sounds in a cell, and until when. Its end is fixed when it starts, so a
/// new rendering (a shaping setting moved) never changes when a sounding note ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenderedVoice {
    /// Loop cycle the note was started in.
    pub cycle: u32,
    /// Index of the note in the rendering it was started from.
    pub index: u32,
    /// Host beat at which it ends.
    pub end_beats: f64,
    /// The scheduler's rendering generation it was started under.
    pub generation: u32,
}

/// One (channel, key) cell.
#[derive(Debug, Clone, Copy)]
struct Cell {
    /// Who sounds the cell; `None` = silent.
    owner: Option<Owner>,
    /// Played note-ons on this cell not yet released by the host (a sequencer can strike a key
    /// again before releasing it). The output holds the cell once; it ends with the last
    /// release. Always 1 for a rendering note.
    num_held: u16,
    /// Host note id of the most recent note-on, used for the note-off we send.
    note_id: NoteId,
    /// The rendering note, while `owner` is [`Owner::Rendering`].
    rendered: RenderedVoice,
    /// Its note-off was due but did not fit in the output: it goes out first thing in the
    /// next block ([`Voices::send_pending_releases`]).
    release_pending: bool,
}

const SILENT: Cell = Cell {
    owner: None,
    num_held: 0,
    note_id: None,
    rendered: RenderedVoice {
        cycle: 0,
        index: 0,
        end_beats: 0.0,
        generation: 0,
    },
    release_pending: false,
};

/// The table. Owner: the audio thread. Built with [`Voices::new`] (allocates its list of
/// rendering cells); no other method allocates.
#[derive(Debug, Clone)]
pub struct Voices {
    /// Indexed by `channel * NUM_KEYS + key`.
    cells: Box<[Cell; NUM_CELLS]>,
    /// Who holds the sustain pedal down (CC64 ≥ 64 sent without a lift) on each channel.
    pedal_down: [Option<Owner>; NUM_CHANNELS],
    /// Cells the rendering sounds, in no order (capacity `NUM_CELLS`): the scheduler scans them
    /// for due note-offs without visiting every cell.
    rendering_cells: Vec<u16>,
    /// Number of sounding cells.
    num_sounding: u32,
    /// Number of cells with `release_pending`.
    num_pending_releases: u32,
}

impl Default for Voices {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether a release of `only` (`None` = everyone) ends something `owner` holds.
fn released_by(owner: Option<Owner>, only: Option<Owner>) -> bool {
    owner.is_some() && (only.is_none() || owner == only)
}

impl Voices {
    /// Everything silent. Allocates.
    pub fn new() -> Self {
        Self {
            cells: Box::new([SILENT; NUM_CELLS]),
            pedal_down: [None; NUM_CHANNELS],
            rendering_cells: Vec::with_capacity(NUM_CELLS),
            num_sounding: 0,
            num_pending_releases: 0,
        }
    }

    /// Who sounds `channel`/`key`, if anyone.
    pub fn owner(&self, channel: u8, key: u8) -> Option<Owner> {
        self.cells[cell_of(channel, key)?].owner
    }

    /// Whether `channel`/`key` sounds.
    pub fn is_sounding(&self, channel: u8, key: u8) -> bool {
        self.owner(channel, key).is_some()
    }

    /// The rendering note sounding in `cell`, if the rendering owns it.
    pub fn rendered(&self, cell: usize) -> Option<RenderedVoice> {
        let cell = self.cells.get(cell)?;
        (cell.owner == Some(Owner::Rendering)).then_some(cell.rendered)
    }

    /// The cells the rendering sounds (in no particular order).
    pub fn rendering_cells(&self) -> &[u16] {
        &self.rendering_cells
    }

    /// Who holds the sustain pedal down on `channel`.
    pub fn pedal(&self, channel: u8) -> Option<Owner> {
        *self.pedal_down.get(channel as usize)?
    }

    /// Number of sounding cells.
    pub fn num_sounding(&self) -> u32 {
        self.num_sounding
    }

    /// Whether nothing sounds and no pedal is held.
    pub fn is_silent(&self) -> bool {
        self.num_sounding == 0 && self.pedal_down.iter().all(Option::is_none)
    }

    /// Whether `owner` sounds any note or holds any pedal.
    pub fn owns_any(&self, owner: Owner) -> bool {
        let notes = match owner {
            Owner::Rendering => !self.rendering_cells.is_empty(),
            Owner::PassThrough => self.num_sounding as usize > self.rendering_cells.len(),
        };
        notes || self.pedal_down.contains(&Some(owner))
    }

    /// Writes a note-on for `owner` at `timing_samples`. The collision policy: if the cell
    /// already sounds, its note is ended first at the same sample (off, then on), and that
    /// note's own later note-off will not be sent. A played key struck again while the host
    /// still holds it counts one more hold (its note ends with the last release). `rendered`
    /// identifies a rendering note (ignored for pass-through). Returns false, changing nothing,
    /// if the events do not fit in `out`; out-of-range cells are never sent (returns false).
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        &mut self,
        channel: u8,
        key: u8,
        velocity: f32,
        note_id: NoteId,
        owner: Owner,
        rendered: Option<RenderedVoice>,
        timing_samples: u32,
        out: &mut EventBuffer,
    ) -> bool {
        let Some(idx) = cell_of(channel, key) else {
            return false;
        };
        let sounding = self.cells[idx].owner.is_some();
        let needed = if sounding { 2 } else { 1 };
        if out.remaining() < needed {
            out.count_dropped(needed as u64);
            return false;
        }
        let previous = self.cells[idx];
        if sounding {
            let _ = out.push(Event::note_off(
                timing_samples,
                channel,
                key,
                0.0,
                previous.note_id,
            ));
        }
        let _ = out.push(Event::note_on(
            timing_samples,
            channel,
            key,
            velocity,
            note_id,
        ));
        let num_held = match (previous.owner, owner) {
            (Some(Owner::PassThrough), Owner::PassThrough) => previous.num_held.saturating_add(1),
            _ => 1,
        };
        self.set_cell(
            idx,
            Cell {
                owner: Some(owner),
                num_held,
                note_id,
                rendered: rendered.unwrap_or(SILENT.rendered),
                release_pending: false,
            },
        );
        true
    }

    /// Ends `owner`'s note on `channel`/`key` at `timing_samples` with release `velocity`, if
    /// `owner` sounds it: a played note only at its last release. The note-off carries the id
    /// of the note-on that sounds. Returns whether the note-off went out; one that is due but
    /// does not fit in `out` is kept and sent first thing in the next block (the note never
    /// hangs).
    pub fn end(
        &mut self,
        channel: u8,
        key: u8,
        owner: Owner,
        velocity: f32,
        timing_samples: u32,
        out: &mut EventBuffer,
    ) -> bool {
        let Some(idx) = cell_of(channel, key) else {
            return false;
        };
        let cell = self.cells[idx];
        if cell.owner != Some(owner) || cell.release_pending {
            return false;
        }
        if cell.num_held > 1 {
            self.cells[idx].num_held -= 1;
            return false;
        }
        if out
            .push(Event::note_off(
                timing_samples,
                channel,
                key,
                velocity,
                cell.note_id,
            ))
            .is_err()
        {
            self.cells[idx].release_pending = true;
            self.num_pending_releases += 1;
            return false;
        }
        self.set_cell(idx, SILENT);
        true
    }

    /// Sends the note-offs that were due but did not fit in an earlier block, at
    /// `timing_samples`. Returns how many are still pending.
    pub fn send_pending_releases(&mut self, timing_samples: u32, out: &mut EventBuffer) -> u32 {
        if self.num_pending_releases == 0 {
            return 0;
        }
        for idx in 0..NUM_CELLS {
            let cell = self.cells[idx];
            if !cell.release_pending {
                continue;
            }
            let (channel, key) = channel_key_of(idx);
            let off = Event::note_off(timing_samples, channel, key, 0.0, cell.note_id);
            if out.push(off).is_err() {
                break;
            }
            self.set_cell(idx, SILENT);
        }
        self.num_pending_releases
    }

    /// Writes a controller for `owner` and records what the sustain pedal does. Returns whether
    /// it fit in `out`.
    pub fn control_change(
        &mut self,
        channel: u8,
        cc: u8,
        value: f32,
        owner: Owner,
        timing_samples: u32,
        out: &mut EventBuffer,
    ) -> bool {
        if out
            .push(Event::control_change(timing_samples, channel, cc, value))
            .is_err()
        {
            return false;
        }
        if cc == CC_SUSTAIN && (channel as usize) < NUM_CHANNELS {
            // MIDI convention: 64 and above is "down".
            self.pedal_down[channel as usize] = is_sustain_down(value).then_some(owner);
        }
        true
    }

    /// Moves the end of every sounding rendering note by `delta_beats` (the host timeline moved
    /// while the rendering carries on where it was).
    pub fn shift_rendering(&mut self, delta_beats: f64) {
        for &idx in &self.rendering_cells {
            self.cells[idx as usize].rendered.end_beats += delta_beats;
        }
    }

    /// Writes a note-off for every sounding note and a lift for every held pedal, all at
    /// `timing_samples`. Entries are removed only once their event fits in `out`; returns the
    /// number still pending (call again next block). Normally 0.
    pub fn release_all(&mut self, timing_samples: u32, out: &mut EventBuffer) -> u32 {
        self.release(None, timing_samples, out)
    }

    /// [`release_all`](Self::release_all) for one owner's notes and pedals only.
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
        let matches = |owner| released_by(owner, only);
        for idx in 0..NUM_CELLS {
            let cell = self.cells[idx];
            if !matches(cell.owner) {
                continue;
            }
            let (channel, key) = channel_key_of(idx);
            if out
                .push(Event::note_off(
                    timing_samples,
                    channel,
                    key,
                    0.0,
                    cell.note_id,
                ))
                .is_err()
            {
                return self.num_pending(only);
            }
            self.set_cell(idx, SILENT);
        }
        for channel in 0..NUM_CHANNELS {
            if matches(self.pedal_down[channel]) {
                if out
                    .push(Event::control_change(
                        timing_samples,
                        channel as u8,
                        CC_SUSTAIN,
                        0.0,
                    ))
                    .is_err()
                {
                    return self.num_pending(only);
                }
                self.pedal_down[channel] = None;
            }
        }
        0
    }

    fn num_pending(&self, only: Option<Owner>) -> u32 {
        let matches = |owner| released_by(owner, only);
        let notes = self.cells.iter().filter(|c| matches(c.owner)).count();
        let pedals = self.pedal_down.iter().filter(|&&p| matches(p)).count();
        (notes + pedals) as u32
    }

    /// Replaces a cell, keeping the count and the rendering list in step.
    fn set_cell(&mut self, idx: usize, cell: Cell) {
        let before = self.cells[idx].owner;
        if before == Some(Owner::Rendering) && cell.owner != Some(Owner::Rendering) {
            if let Some(position) = self.rendering_cells.iter().position(|&c| c as usize == idx) {
                self.rendering_cells.swap_remove(position);
            }
        }
        if before != Some(Owner::Rendering) && cell.owner == Some(Owner::Rendering) {
            // Capacity is NUM_CELLS, so this never allocates.
            self.rendering_cells.push(idx as u16);
        }
        if self.cells[idx].release_pending {
            self.num_pending_releases -= 1;
        }
        match (before.is_some(), cell.owner.is_some()) {
            (false, true) => self.num_sounding += 1,
            (true, false) => self.num_sounding -= 1,
            _ => {}
        }
        self.cells[idx] = cell;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::EventKind;

    fn start(voices: &mut Voices, channel: u8, key: u8, owner: Owner, out: &mut EventBuffer) {
        assert!(voices.start(channel, key, 0.5, None, owner, None, 0, out));
    }

    #[test]
    fn a_note_off_without_its_note_on_is_refused() {
        let mut voices = Voices::new();
        let mut out = EventBuffer::with_capacity(8);
        assert!(!voices.end(0, 60, Owner::PassThrough, 0.0, 0, &mut out));
        start(&mut voices, 0, 60, Owner::PassThrough, &mut out);
        assert!(voices.end(0, 60, Owner::PassThrough, 0.0, 1, &mut out));
        assert!(!voices.end(0, 60, Owner::PassThrough, 0.0, 2, &mut out));
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn a_key_struck_again_while_held_is_ended_first_and_held_once() {
        let mut voices = Voices::new();
        let mut out = EventBuffer::with_capacity(8);
        start(&mut voices, 3, 64, Owner::PassThrough, &mut out);
        assert!(voices.start(3, 64, 0.5, Some(2), Owner::PassThrough, None, 5, &mut out));
        assert_eq!(
            &out.as_slice()[1..],
            &[
                Event::note_off(5, 3, 64, 0.0, None),
                Event::note_on(5, 3, 64, 0.5, Some(2))
            ]
        );
        assert_eq!(voices.num_sounding(), 1);
        // The first release is the struck-again note's: nothing goes out; the last one ends it.
        assert!(!voices.end(3, 64, Owner::PassThrough, 0.0, 9, &mut out));
        assert!(voices.is_sounding(3, 64));
        assert!(voices.end(3, 64, Owner::PassThrough, 0.0, 12, &mut out));
        assert!(voices.is_silent());
    }

    #[test]
    fn another_owners_note_is_displaced_and_its_own_off_not_sent() {
        let mut voices = Voices::new();
        let mut out = EventBuffer::with_capacity(8);
        start(&mut voices, 0, 60, Owner::Rendering, &mut out);
        start(&mut voices, 0, 60, Owner::PassThrough, &mut out);
        assert_eq!(voices.owner(0, 60), Some(Owner::PassThrough));
        assert!(voices.rendering_cells().is_empty());
        assert!(!voices.end(0, 60, Owner::Rendering, 0.0, 3, &mut out));
        assert_eq!(out.len(), 3);
    }

    #[test]
    fn release_all_ends_every_note_and_lifts_pedals() {
        let mut voices = Voices::new();
        let mut out = EventBuffer::with_capacity(16);
        assert!(voices.start(0, 60, 0.5, Some(8), Owner::PassThrough, None, 0, &mut out));
        start(&mut voices, 15, 127, Owner::Rendering, &mut out);
        assert!(voices.control_change(2, CC_SUSTAIN, 1.0, Owner::Rendering, 0, &mut out));
        out.clear();
        assert_eq!(voices.release_all(42, &mut out), 0);
        assert!(voices.is_silent());
        let events = out.as_slice();
        assert_eq!(events.len(), 3);
        assert!(events.contains(&Event::note_off(42, 0, 60, 0.0, Some(8))));
        assert!(events.contains(&Event::note_off(42, 15, 127, 0.0, None)));
        assert!(events.contains(&Event::control_change(42, 2, CC_SUSTAIN, 0.0)));
    }

    #[test]
    fn releasing_one_owner_leaves_the_other() {
        let mut voices = Voices::new();
        let mut out = EventBuffer::with_capacity(16);
        start(&mut voices, 0, 60, Owner::PassThrough, &mut out);
        start(&mut voices, 0, 62, Owner::Rendering, &mut out);
        assert!(voices.control_change(0, CC_SUSTAIN, 1.0, Owner::Rendering, 0, &mut out));
        out.clear();
        assert_eq!(voices.release_owner(Owner::PassThrough, 7, &mut out), 0);
        assert_eq!(out.as_slice(), &[Event::note_off(7, 0, 60, 0.0, None)]);
        assert_eq!(voices.owner(0, 62), Some(Owner::Rendering));
        assert_eq!(voices.pedal(0), Some(Owner::Rendering));
        assert!(voices.owns_any(Owner::Rendering));
        assert!(!voices.owns_any(Owner::PassThrough));
    }

    #[test]
    fn release_all_keeps_what_does_not_fit() {
        let mut voices = Voices::new();
        let mut out = EventBuffer::with_capacity(8);
        for key in 0..5 {
            start(&mut voices, 0, key, Owner::PassThrough, &mut out);
        }
        let mut out = EventBuffer::with_capacity(2);
        assert_eq!(voices.release_all(0, &mut out), 3);
        out.clear();
        assert_eq!(voices.release_all(0, &mut out), 1);
        out.clear();
        assert_eq!(voices.release_all(0, &mut out), 0);
        assert!(voices.is_silent());
    }

    #[test]
    fn a_note_on_that_does_not_fit_changes_nothing() {
        let mut voices = Voices::new();
        let mut out = EventBuffer::with_capacity(1);
        start(&mut voices, 0, 60, Owner::Rendering, &mut out);
        // Off + on need two slots; none is left.
        assert!(!voices.start(0, 60, 0.5, None, Owner::PassThrough, None, 1, &mut out));
        assert_eq!(voices.owner(0, 60), Some(Owner::Rendering));
        assert_eq!(out.num_dropped(), 2);
    }

    #[test]
    fn a_note_off_that_does_not_fit_goes_out_first_in_the_next_block() {
        let mut voices = Voices::new();
        let mut out = EventBuffer::with_capacity(1);
        start(&mut voices, 0, 60, Owner::PassThrough, &mut out);
        assert!(!voices.end(0, 60, Owner::PassThrough, 0.5, 9, &mut out));
        assert!(voices.is_sounding(0, 60));
        out.clear();
        assert_eq!(voices.send_pending_releases(0, &mut out), 0);
        assert_eq!(out.as_slice(), &[Event::note_off(0, 0, 60, 0.0, None)]);
        assert!(voices.is_silent());
    }

    #[test]
    fn out_of_range_notes_are_never_sent() {
        let mut voices = Voices::new();
        let mut out = EventBuffer::with_capacity(8);
        assert!(!voices.start(16, 60, 0.5, None, Owner::PassThrough, None, 0, &mut out));
        assert!(!voices.start(0, 128, 0.5, None, Owner::PassThrough, None, 0, &mut out));
        assert!(out.is_empty());
        assert_eq!(voices.num_sounding(), 0);
    }

    #[test]
    fn pedal_threshold_follows_midi_convention() {
        let mut voices = Voices::new();
        let mut out = EventBuffer::with_capacity(8);
        voices.control_change(0, CC_SUSTAIN, 63.0 / 127.0, Owner::PassThrough, 0, &mut out);
        assert!(voices.is_silent());
        voices.control_change(0, CC_SUSTAIN, 64.0 / 127.0, Owner::PassThrough, 0, &mut out);
        assert!(!voices.is_silent());
        voices.control_change(0, CC_SUSTAIN, 0.0, Owner::PassThrough, 0, &mut out);
        assert!(voices.is_silent());
        assert!(out
            .as_slice()
            .iter()
            .all(|e| matches!(e.kind, EventKind::ControlChange { .. })));
    }
}
