//! Translation between nice-plug's note events and the engine's [`Event`]s. Pure mapping, no
//! musical decisions; never allocates.

use nice_plug::midi::{Channel, Key, VoiceID};
use nice_plug::prelude::*;

use crate::engine::event::{Event, EventKind};

/// The engine event for a host event, or `None` for events the engine does not take (SysEx,
/// note expressions, events addressed to a wildcard key or channel).
pub fn to_engine<S: SysExMessage>(event: &NoteEvent<S>) -> Option<Event> {
    let timing_samples = event.timing();
    let kind = match *event {
        NoteEvent::NoteOn {
            voice_id,
            channel: Channel::Number(channel),
            key: Key::Number(key),
            velocity,
            ..
        } => EventKind::NoteOn {
            channel,
            key,
            velocity,
            note_id: voice_id.id(),
        },
        NoteEvent::NoteOff {
            voice_id,
            channel: Channel::Number(channel),
            key: Key::Number(key),
            velocity,
            ..
        } => EventKind::NoteOff {
            channel,
            key,
            velocity,
            note_id: voice_id.id(),
        },
        NoteEvent::MidiCC {
            channel, cc, value, ..
        } => EventKind::ControlChange { channel, cc, value },
        NoteEvent::MidiPitchBend { .. }
        | NoteEvent::MidiChannelPressure { .. }
        | NoteEvent::PolyPressure { .. }
        | NoteEvent::MidiProgramChange { .. } => match event.as_midi()? {
            nice_plug::midi::MidiResult::Basic(bytes) => EventKind::OtherMidi { bytes },
            nice_plug::midi::MidiResult::SysEx(..) => return None,
        },
        _ => return None,
    };
    Some(Event {
        timing_samples,
        kind,
    })
}

/// The host event for an engine event.
pub fn to_host<S: SysExMessage>(event: &Event) -> Option<NoteEvent<S>> {
    let timing = event.timing_samples;
    let voice = |note_id: Option<i32>| note_id.map_or(VoiceID::Wildcard, VoiceID::ID);
    Some(match event.kind {
        EventKind::NoteOn {
            channel,
            key,
            velocity,
            note_id,
        } => NoteEvent::NoteOn {
            timing,
            voice_id: voice(note_id),
            channel: Channel::Number(channel),
            key: Key::Number(key),
            velocity,
        },
        EventKind::NoteOff {
            channel,
            key,
            velocity,
            note_id,
        } => NoteEvent::NoteOff {
            timing,
            voice_id: voice(note_id),
            channel: Channel::Number(channel),
            key: Key::Number(key),
            velocity,
        },
        EventKind::ControlChange { channel, cc, value } => NoteEvent::MidiCC {
            timing,
            channel,
            cc,
            value,
        },
        EventKind::OtherMidi { bytes } => NoteEvent::from_midi(timing, &bytes).ok()?,
    })
}
