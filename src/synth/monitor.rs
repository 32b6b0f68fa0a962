//! Hearing the plugin's output live (the standalone app's `--soundfont`): each block's events,
//! as the General MIDI profile sends them, played through a SoundFont into the block's audio.
//!
//! Owner: the audio thread. Made in `initialize()` ([`Monitor::new`] allocates the
//! synthesizer); [`Monitor::play`] never allocates (rustysynth's voices and buffers are made
//! with the synthesizer).

use std::sync::Arc;

use rustysynth::{SoundFont, Synthesizer, SynthesizerSettings};

use super::{gm_controller, gm_program, gm_velocity, SynthError, GM_DRUM_CHANNEL, MAKEUP_GAIN_DB};
use crate::engine::character::Character;
use crate::engine::event::{Event, EventKind, NUM_CHANNELS};
use crate::engine::rendering::Voice;

/// The channel a voice on General MIDI's drum channel is heard on instead (the last one).
const DRUM_CHANNEL_REPLACEMENT: u8 = 15;

/// A General MIDI synthesizer playing the output. See the module documentation.
pub struct Monitor {
    synthesizer: Synthesizer,
    /// The character whose programs are set (re-sent when it changes).
    programs_for: Option<Character>,
    /// [`MAKEUP_GAIN_DB`] as a factor.
    gain: f32,
}

impl Monitor {
    /// A synthesizer for `soundfont` at `sample_rate_hz` (16–192 kHz). Allocates.
    pub fn new(soundfont: &Arc<SoundFont>, sample_rate_hz: f64) -> Result<Self, SynthError> {
        let rate = sample_rate_hz.round();
        if !(16_000.0..=192_000.0).contains(&rate) {
            return Err(SynthError::BadSampleRate {
                sample_rate_hz: rate.max(0.0) as u32,
            });
        }
        let settings = SynthesizerSettings::new(rate as i32);
        let synthesizer =
            Synthesizer::new(soundfont, &settings).map_err(|e| SynthError::Damaged {
                path: "(SoundFont)".into(),
                reason: format!("{e:?}"),
            })?;
        Ok(Self {
            synthesizer,
            programs_for: None,
            gain: 10f32.powf(MAKEUP_GAIN_DB / 20.0),
        })
    }

    /// Plays `events` (one block's output, in time order, timings inside the block) into
    /// `left` and `right` (overwritten; the block's length), with `character`'s programs.
    pub fn play(
        &mut self,
        character: Character,
        events: &[Event],
        left: &mut [f32],
        right: &mut [f32],
    ) {
        let length = left.len().min(right.len());
        if self.programs_for != Some(character) {
            self.programs_for = Some(character);
            let program = i32::from(gm_program(character, Voice::Melody));
            for channel in 0..NUM_CHANNELS as i32 {
                self.synthesizer
                    .process_midi_message(channel, 0xC0, program, 0);
            }
        }
        let mut done = 0usize;
        for event in events {
            let at = (event.timing_samples as usize).min(length);
            if at > done {
                self.synthesizer
                    .render(&mut left[done..at], &mut right[done..at]);
                done = at;
            }
            self.send(event.kind);
        }
        if length > done {
            self.synthesizer
                .render(&mut left[done..length], &mut right[done..length]);
        }
        for sample in left[..length].iter_mut().chain(right[..length].iter_mut()) {
            *sample *= self.gain;
        }
    }

    /// Ends every note at once (transport reset, deactivation).
    pub fn silence(&mut self) {
        self.synthesizer.note_off_all(true);
    }

    fn send(&mut self, kind: EventKind) {
        let heard_on = |channel: u8| {
            i32::from(if channel == GM_DRUM_CHANNEL {
                DRUM_CHANNEL_REPLACEMENT
            } else {
                channel
            })
        };
        match kind {
            EventKind::NoteOn {
                channel,
                key,
                velocity,
                ..
            } if velocity > 0.0 => self.synthesizer.note_on(
                heard_on(channel),
                i32::from(key),
                i32::from(gm_velocity(velocity)),
            ),
            EventKind::NoteOn { channel, key, .. } | EventKind::NoteOff { channel, key, .. } => {
                self.synthesizer.note_off(heard_on(channel), i32::from(key))
            }
            EventKind::ControlChange { channel, cc, value } => {
                // Live, a rendering's CC1 is its dynamics curve (the profile sends it as CC11).
                if let Some((cc, value)) = gm_controller(cc, value, false) {
                    self.synthesizer.process_midi_message(
                        heard_on(channel),
                        0xB0,
                        i32::from(cc),
                        i32::from(value),
                    );
                }
            }
            EventKind::OtherMidi { bytes } => {
                let channel = bytes[0] & 0x0F;
                self.synthesizer.process_midi_message(
                    heard_on(channel),
                    i32::from(bytes[0] & 0xF0),
                    i32::from(bytes[1]),
                    i32::from(bytes[2]),
                );
            }
        }
    }
}
