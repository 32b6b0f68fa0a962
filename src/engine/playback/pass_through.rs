//! Pass-through of what the composer plays: played notes go to the output through the voices
//! table (so they never collide with the rendering's), controllers and other messages always.

use super::voices::{Owner, Voices};
use crate::engine::event::{Event, EventKind};
use crate::engine::event_buffer::EventBuffer;

/// Whether played notes are forwarded. Owner: the audio thread; plain data, never allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassThrough {
    enabled: bool,
}

impl Default for PassThrough {
    fn default() -> Self {
        Self { enabled: true }
    }
}

impl PassThrough {
    /// Turns forwarding of played notes on or off at `timing_samples`. Turning it off ends the
    /// notes (and the pedal) it had forwarded at that sample; the rendering's are not touched.
    pub fn set_enabled(
        &mut self,
        enabled: bool,
        timing_samples: u32,
        voices: &mut Voices,
        out: &mut EventBuffer,
    ) {
        if self.enabled && !enabled {
            voices.release_owner(Owner::PassThrough, timing_samples, out);
        }
        self.enabled = enabled;
    }

    /// Routes one played event: note-ons forwarded while enabled (a cell the rendering sounds is
    /// taken over: its note ends first); note-offs only for a played note that still sounds;
    /// controllers and other messages always. Out-of-range events are ignored.
    pub fn route(&self, event: &Event, voices: &mut Voices, out: &mut EventBuffer) {
        if !event.is_in_midi_range() {
            return;
        }
        let timing = event.timing_samples;
        match event.kind {
            EventKind::NoteOn {
                channel,
                key,
                velocity,
                note_id,
            } if velocity > 0.0 => {
                if self.enabled {
                    voices.start(
                        channel,
                        key,
                        velocity,
                        note_id,
                        Owner::PassThrough,
                        None,
                        timing,
                        out,
                    );
                }
            }
            // A note-on with velocity 0 is a note-off in MIDI.
            EventKind::NoteOn { channel, key, .. } => {
                voices.end(channel, key, Owner::PassThrough, 0.0, timing, out);
            }
            EventKind::NoteOff {
                channel,
                key,
                velocity,
                ..
            } => {
                voices.end(channel, key, Owner::PassThrough, velocity, timing, out);
            }
            EventKind::ControlChange { channel, cc, value } => {
                voices.control_change(channel, cc, value, Owner::PassThrough, timing, out);
            }
            EventKind::OtherMidi { .. } => {
                let _ = out.push(*event);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pass: &PassThrough, voices: &mut Voices, events: &[Event]) -> Vec<Event> {
        let mut out = EventBuffer::with_capacity(64);
        for event in events {
            pass.route(event, voices, &mut out);
        }
        out.as_slice().to_vec()
    }

    #[test]
    fn passes_notes_ccs_and_other_midi_through_at_their_samples() {
        let mut voices = Voices::new();
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
        assert_eq!(run(&PassThrough::default(), &mut voices, &events), events);
        assert!(voices.is_silent());
    }

    #[test]
    fn a_stray_note_off_is_not_forwarded() {
        let mut voices = Voices::new();
        let out = run(
            &PassThrough::default(),
            &mut voices,
            &[Event::note_off(0, 0, 60, 0.0, None)],
        );
        assert!(out.is_empty());
    }

    #[test]
    fn a_velocity_zero_note_on_ends_the_note() {
        let mut voices = Voices::new();
        let pass = PassThrough::default();
        run(&pass, &mut voices, &[Event::note_on(0, 2, 40, 0.7, None)]);
        let out = run(&pass, &mut voices, &[Event::note_on(5, 2, 40, 0.0, None)]);
        assert_eq!(out, vec![Event::note_off(5, 2, 40, 0.0, None)]);
        assert!(voices.is_silent());
    }

    #[test]
    fn switching_off_releases_forwarded_notes_at_that_sample() {
        let mut voices = Voices::new();
        let mut pass = PassThrough::default();
        run(
            &pass,
            &mut voices,
            &[Event::note_on(0, 0, 60, 0.5, Some(9))],
        );
        let mut out = EventBuffer::with_capacity(8);
        pass.set_enabled(false, 17, &mut voices, &mut out);
        assert_eq!(out.as_slice(), &[Event::note_off(17, 0, 60, 0.0, Some(9))]);
        // The host's own note-off for it now has no note-on on our output: not forwarded.
        let late_off = [Event::note_off(30, 0, 60, 0.0, Some(9))];
        assert!(run(&pass, &mut voices, &late_off).is_empty());
        // New notes are not forwarded while off.
        let new_note = [Event::note_on(0, 0, 62, 0.5, None)];
        assert!(run(&pass, &mut voices, &new_note).is_empty());
    }

    #[test]
    fn a_full_output_never_loses_a_note_off() {
        let mut voices = Voices::new();
        let pass = PassThrough::default();
        let mut out = EventBuffer::with_capacity(1);
        pass.route(&Event::note_on(0, 0, 60, 0.5, None), &mut voices, &mut out);
        // The buffer is full: the note-off cannot go out now, so the note must stay tracked.
        pass.route(&Event::note_off(1, 0, 60, 0.0, None), &mut voices, &mut out);
        assert!(voices.is_sounding(0, 60));
        assert_eq!(out.num_dropped(), 1);
        out.clear();
        voices.send_pending_releases(0, &mut out);
        assert_eq!(out.as_slice(), &[Event::note_off(0, 0, 60, 0.0, None)]);
    }
}
