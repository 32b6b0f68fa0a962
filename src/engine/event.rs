//! The engine's own timed MIDI events, independent of any plugin framework.
//!
//! The plugin layer translates host events into [`Event`]s, the engine works on them, and the
//! plugin layer translates the results back. Times are sample offsets inside the current block.

/// Number of MIDI channels (0-based channel numbers are `0..NUM_CHANNELS`).
pub const NUM_CHANNELS: usize = 16;
/// Number of MIDI keys (valid keys are `0..NUM_KEYS`).
pub const NUM_KEYS: usize = 128;
/// MIDI controller number of the sustain (damper) pedal.
pub const CC_SUSTAIN: u8 = 64;
/// Controller value (as a fraction, 0–1) from which the sustain pedal counts as down: MIDI's
/// convention, 64 and above of 0–127.
pub const SUSTAIN_DOWN_FROM: f32 = 63.5 / 127.0;

/// Whether a sustain pedal (CC64) value, as a fraction 0–1, holds the pedal down.
pub fn is_sustain_down(value: f32) -> bool {
    value >= SUSTAIN_DOWN_FROM
}

/// The index of a (channel, key) cell in tables of [`NUM_CHANNELS`] × [`NUM_KEYS`], if both are
/// in MIDI range.
pub fn cell_of(channel: u8, key: u8) -> Option<usize> {
    let (channel, key) = (channel as usize, key as usize);
    (channel < NUM_CHANNELS && key < NUM_KEYS).then_some(channel * NUM_KEYS + key)
}

/// The (channel, key) of a cell index (see [`cell_of`]).
pub fn channel_key_of(cell: usize) -> (u8, u8) {
    ((cell / NUM_KEYS) as u8, (cell % NUM_KEYS) as u8)
}

/// MIDI controller number of the modulation wheel (CC1, "dynamics" in most orchestral libraries).
pub const CC_MODULATION: u8 = 1;
/// MIDI controller number of expression (CC11).
pub const CC_EXPRESSION: u8 = 11;

/// Identifies one note instance for hosts that track notes by id (CLAP note ids).
///
/// `None` means the host gave no id; matching then falls back to channel and key.
pub type NoteId = Option<i32>;

/// What an [`Event`] does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventKind {
    /// A key goes down.
    NoteOn {
        /// MIDI channel, 0–15.
        channel: u8,
        /// MIDI key, 0–127.
        key: u8,
        /// Velocity as a fraction, 0.0–1.0 (MIDI velocity / 127).
        velocity: f32,
        /// Host note id, if any.
        note_id: NoteId,
    },
    /// A key comes up.
    NoteOff {
        /// MIDI channel, 0–15.
        channel: u8,
        /// MIDI key, 0–127.
        key: u8,
        /// Release velocity as a fraction, 0.0–1.0.
        velocity: f32,
        /// Host note id, if any.
        note_id: NoteId,
    },
    /// A MIDI control change.
    ControlChange {
        /// MIDI channel, 0–15.
        channel: u8,
        /// Controller number, 0–127.
        cc: u8,
        /// Controller value as a fraction, 0.0–1.0 (MIDI value / 127).
        value: f32,
    },
    /// Any other MIDI channel-voice message (pitch bend, channel or key pressure, program change),
    /// as raw status and data bytes. Passed on unchanged.
    OtherMidi {
        /// Status byte (0x80–0xEF) followed by up to two data bytes.
        bytes: [u8; 3],
    },
}

/// One event at a sample offset inside the current processing block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// Offset from the first sample of the current block, in samples.
    pub timing_samples: u32,
    /// What happens at that sample.
    pub kind: EventKind,
}

impl Event {
    /// A note-on at `timing_samples`.
    pub fn note_on(
        timing_samples: u32,
        channel: u8,
        key: u8,
        velocity: f32,
        note_id: NoteId,
    ) -> Self {
        Self {
            timing_samples,
            kind: EventKind::NoteOn {
                channel,
                key,
                velocity,
                note_id,
            },
        }
    }

    /// A note-off at `timing_samples`.
    pub fn note_off(
        timing_samples: u32,
        channel: u8,
        key: u8,
        velocity: f32,
        note_id: NoteId,
    ) -> Self {
        Self {
            timing_samples,
            kind: EventKind::NoteOff {
                channel,
                key,
                velocity,
                note_id,
            },
        }
    }

    /// A control change at `timing_samples`.
    pub fn control_change(timing_samples: u32, channel: u8, cc: u8, value: f32) -> Self {
        Self {
            timing_samples,
            kind: EventKind::ControlChange { channel, cc, value },
        }
    }

    /// The MIDI channel the event is on.
    pub fn channel(&self) -> u8 {
        match self.kind {
            EventKind::NoteOn { channel, .. }
            | EventKind::NoteOff { channel, .. }
            | EventKind::ControlChange { channel, .. } => channel,
            EventKind::OtherMidi { bytes } => bytes[0] & 0x0f,
        }
    }

    /// Whether channel, key and controller numbers are inside their MIDI ranges.
    pub fn is_in_midi_range(&self) -> bool {
        let channel_ok = (self.channel() as usize) < NUM_CHANNELS;
        match self.kind {
            EventKind::NoteOn { key, .. } | EventKind::NoteOff { key, .. } => {
                channel_ok && (key as usize) < NUM_KEYS
            }
            EventKind::ControlChange { cc, .. } => channel_ok && cc < 128,
            EventKind::OtherMidi { bytes } => (0x80..0xf0).contains(&bytes[0]),
        }
    }
}

/// Converts a 0.0–1.0 controller or velocity fraction to its 7-bit MIDI value (rounded, clamped;
/// NaN becomes 0).
pub fn fraction_to_midi_7bit(fraction: f32) -> u8 {
    if fraction.is_nan() {
        return 0;
    }
    (fraction.clamp(0.0, 1.0) * 127.0).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_bit_conversion_round_trips_every_value() {
        for value in 0u8..=127 {
            assert_eq!(fraction_to_midi_7bit(value as f32 / 127.0), value);
        }
    }

    #[test]
    fn seven_bit_conversion_clamps_and_rejects_nan() {
        assert_eq!(fraction_to_midi_7bit(-3.0), 0);
        assert_eq!(fraction_to_midi_7bit(7.0), 127);
        assert_eq!(fraction_to_midi_7bit(f32::NAN), 0);
    }

    #[test]
    fn range_check_rejects_out_of_range_numbers() {
        assert!(Event::note_on(0, 15, 127, 1.0, None).is_in_midi_range());
        assert!(!Event::note_on(0, 16, 60, 1.0, None).is_in_midi_range());
        assert!(!Event::note_off(0, 0, 128, 0.0, None).is_in_midi_range());
        assert!(!Event::control_change(0, 0, 200, 0.5).is_in_midi_range());
    }
}
