//! The engine's per-block entry point: takes the block's input events, writes the block's output
//! events. For now it routes the played notes through (pass-through) while keeping the table of
//! sounding notes; capture, characters and playback plug in here in later stages.

use super::event::{Event, EventKind};
use super::event_buffer::EventBuffer;
use super::note_table::{Owner, SoundingNotes};

/// Capacity of the output event buffer the plugin allocates for one block, in events.
///
/// A block can carry at most the host's input events plus one release per open note and pedal;
/// hosts deliver at most a few thousand events per block in practice.
pub const MAX_OUT_EVENTS_PER_BLOCK: usize = 8192;

/// Reprise's real-time engine state.
///
/// Owner: the audio thread. Built once (in the plugin's `Default`/`initialize()`); `process`,
/// `set_pass_through` and `request_release_all` never allocate and never panic.
#[derive(Debug, Clone)]
pub struct Processor {
    /// Notes and pedals that went out and have not been ended yet.
    sounding: SoundingNotes,
    /// Whether played notes are forwarded to the output.
    pass_through: bool,
    /// Set by [`request_release_all`](Self::request_release_all): the next block starts by ending
    /// everything that sounds.
    should_release_all: bool,
}

impl Default for Processor {
    fn default() -> Self {
        Self {
            sounding: SoundingNotes::default(),
            pass_through: true,
            should_release_all: false,
        }
    }
}

impl Processor {
    /// Whether played notes are forwarded.
    pub fn pass_through(&self) -> bool {
        self.pass_through
    }

    /// Turns pass-through of played notes on or off at `timing_samples`. Turning it off ends the
    /// notes it had forwarded at that sample, so none is left hanging.
    pub fn set_pass_through(&mut self, enabled: bool, timing_samples: u32, out: &mut EventBuffer) {
        if self.pass_through && !enabled {
            // Only what was played: the rendering's notes and pedal are not pass-through's.
            self.sounding
                .release_owner(Owner::PassThrough, timing_samples, out);
        }
        self.pass_through = enabled;
    }

    /// Asks the next [`process`](Self::process) call to end every sounding note and pedal at its
    /// first sample. For host calls that cannot emit events themselves (`reset`, deactivate).
    pub fn request_release_all(&mut self) {
        self.should_release_all = true;
    }

    /// The notes that are sounding on the output.
    pub fn sounding(&self) -> &SoundingNotes {
        &self.sounding
    }

    /// Processes one block. `events_in` must be sorted by time (hosts guarantee it); the output
    /// keeps that order. Events that do not fit in `out` are dropped and counted by `out`; a note-off
    /// that does not fit stays in the table and is sent by the next release.
    pub fn process(&mut self, events_in: &[Event], out: &mut EventBuffer) {
        self.release_if_requested(out);
        for event in events_in {
            self.route(event, out);
        }
    }

    /// Ends everything at sample 0 if [`request_release_all`](Self::request_release_all) asked
    /// for it. Returns whether a release happened (so other owners of output notes can forget
    /// theirs: they were ended too).
    pub fn release_if_requested(&mut self, out: &mut EventBuffer) -> bool {
        if !self.should_release_all {
            return false;
        }
        if self.sounding.release_all(0, out) == 0 {
            self.should_release_all = false;
        }
        true
    }

    /// The table of sounding output notes, for other sources of output (the scheduler) to
    /// record into.
    pub fn sounding_mut(&mut self) -> &mut SoundingNotes {
        &mut self.sounding
    }

    /// Routes one played event: forwarded if pass-through is on (note-offs only if their note-on
    /// went out), controllers and other messages always. Out-of-range events are ignored.
    pub fn route(&mut self, event: &Event, out: &mut EventBuffer) {
        if !event.is_in_midi_range() {
            return;
        }
        match event.kind {
            EventKind::NoteOn {
                channel,
                key,
                velocity,
                note_id,
            } if velocity > 0.0 => {
                if self.pass_through
                    && self.sounding.displace(
                        channel,
                        key,
                        Owner::PassThrough,
                        event.timing_samples,
                        out,
                    )
                    && out.push(*event).is_ok()
                {
                    self.sounding
                        .note_on(channel, key, note_id, Owner::PassThrough);
                }
            }
            // A note-on with velocity 0 is a note-off in MIDI.
            EventKind::NoteOn {
                channel,
                key,
                note_id,
                ..
            } => {
                let note_off = Event::note_off(event.timing_samples, channel, key, 0.0, note_id);
                self.route_note_off(&note_off, channel, key, out);
            }
            EventKind::NoteOff { channel, key, .. } => {
                self.route_note_off(event, channel, key, out)
            }
            EventKind::ControlChange { channel, cc, value } => {
                if out.push(*event).is_ok() {
                    self.sounding
                        .control_change(channel, cc, value, Owner::PassThrough);
                }
            }
            EventKind::OtherMidi { .. } => {
                let _ = out.push(*event);
            }
        }
    }

    /// Forwards a note-off only if its played note-on went out and still sounds (no orphan
    /// note-offs; none for a key the rendering has taken over); it is removed from the table
    /// only once it fits in `out`.
    fn route_note_off(&mut self, event: &Event, channel: u8, key: u8, out: &mut EventBuffer) {
        if self.sounding.owner(channel, key) == Some(Owner::PassThrough) && out.push(*event).is_ok()
        {
            self.sounding.note_off(channel, key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(processor: &mut Processor, events: &[Event]) -> Vec<Event> {
        let mut out = EventBuffer::with_capacity(64);
        processor.process(events, &mut out);
        out.as_slice().to_vec()
    }

    #[test]
    fn passes_notes_ccs_and_other_midi_through_at_their_samples() {
        let mut processor = Processor::default();
        let events = [
            Event::note_on(3, 0, 60, 0.5, Some(1)),
            Event::control_change(10, 1, 1, 0.25),
            Event {
                timing_samples: 11,
                kind: EventKind::OtherMidi {
                    bytes: [0xE0, 0, 64],
                },
            },
            Event::note_off(20, 0, 60, 0.0, Some(1)),
        ];
        assert_eq!(run(&mut processor, &events), events);
        assert!(processor.sounding().is_silent());
    }

    #[test]
    fn stray_note_off_is_not_forwarded() {
        let mut processor = Processor::default();
        assert!(run(&mut processor, &[Event::note_off(0, 0, 60, 0.0, None)]).is_empty());
    }

    #[test]
    fn velocity_zero_note_on_ends_the_note() {
        let mut processor = Processor::default();
        run(&mut processor, &[Event::note_on(0, 2, 40, 0.7, None)]);
        let out = run(&mut processor, &[Event::note_on(5, 2, 40, 0.0, None)]);
        assert_eq!(out, vec![Event::note_off(5, 2, 40, 0.0, None)]);
        assert!(processor.sounding().is_silent());
    }

    #[test]
    fn switching_pass_through_off_releases_forwarded_notes_at_that_sample() {
        let mut processor = Processor::default();
        run(&mut processor, &[Event::note_on(0, 0, 60, 0.5, Some(9))]);
        let mut out = EventBuffer::with_capacity(8);
        processor.set_pass_through(false, 17, &mut out);
        assert_eq!(out.as_slice(), &[Event::note_off(17, 0, 60, 0.0, Some(9))]);
        // The host's own note-off for it now has no note-on on our output: not forwarded.
        assert!(run(&mut processor, &[Event::note_off(30, 0, 60, 0.0, Some(9))]).is_empty());
        // New notes are not forwarded while pass-through is off.
        assert!(run(&mut processor, &[Event::note_on(0, 0, 62, 0.5, None)]).is_empty());
    }

    #[test]
    fn requested_release_happens_at_start_of_next_block() {
        let mut processor = Processor::default();
        run(&mut processor, &[Event::note_on(0, 0, 60, 0.5, None)]);
        processor.request_release_all();
        let out = run(&mut processor, &[Event::note_on(8, 0, 64, 0.5, None)]);
        assert_eq!(
            out,
            vec![
                Event::note_off(0, 0, 60, 0.0, None),
                Event::note_on(8, 0, 64, 0.5, None)
            ]
        );
    }

    #[test]
    fn full_output_never_loses_a_note_off() {
        let mut processor = Processor::default();
        let mut out = EventBuffer::with_capacity(1);
        processor.process(&[Event::note_on(0, 0, 60, 0.5, None)], &mut out);
        // The buffer is full: the note-off cannot go out now, so the note must stay tracked.
        processor.process(&[Event::note_off(1, 0, 60, 0.0, None)], &mut out);
        assert!(processor.sounding().is_sounding(0, 60));
        assert_eq!(out.num_dropped(), 1);
        out.clear();
        processor.request_release_all();
        processor.process(&[], &mut out);
        assert_eq!(out.as_slice(), &[Event::note_off(0, 0, 60, 0.0, None)]);
    }
}
