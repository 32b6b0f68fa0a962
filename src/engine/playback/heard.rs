//! Notes heard in the audio input enter the phrase capture: the live engine feeds each block's
//! input to its [`NoteTracker`](crate::engine::audio_capture::NoteTracker) and places every
//! note it reports at its onset on the song's timeline — in the past when the tracker needed a
//! few milliseconds to be sure — so a sung motif is captured where it was sung, not where it
//! was recognised. From there the notes are phrase notes like played ones (silence gap, armed
//! or always listening, quantize, key finding, slots). They are never forwarded as MIDI: the
//! audio itself passes through.

use super::engine::LiveEngine;
use super::settings::LiveCapture;
use crate::engine::audio_capture::{TrackedNote, TrackerReadout};
use crate::engine::event_buffer::EventBuffer;

/// Notes heard per block that enter capture (a 16 384-sample block at 48 kHz holds a third of a
/// second: far fewer notes than this); more are dropped and counted.
pub const MAX_HEARD_PER_BLOCK: usize = 64;
/// The MIDI channel heard notes are captured on (channel 1).
pub const HEARD_CHANNEL: u8 = 0;

impl LiveEngine {
    /// Tracks this block's audio when capture hears audio (else ends a note the tracker was
    /// following), and gives what it heard to capture at the onsets.
    pub(super) fn hear_audio(&mut self, audio: [&[f32]; 2], out: &mut EventBuffer) {
        let listening =
            self.settings.capture != LiveCapture::Off && self.settings.capture_source.hears_audio();
        let locked_key = self.library.slot(self.active_slot()).locked_key;
        let tracker_settings = self.settings.audio.tracker_settings(locked_key);
        let Some(tracker) = self.tracker.as_deref_mut() else {
            return;
        };
        tracker.set_settings(tracker_settings);
        let block_start = tracker.consumed_samples();
        let mut heard = [TrackedNote {
            is_on: false,
            key: 0,
            final_key: 0,
            velocity: 0.0,
            at_samples: 0,
            reported_at_samples: 0,
        }; MAX_HEARD_PER_BLOCK];
        let mut count = 0usize;
        let mut dropped = 0u64;
        let mut keep = |note: TrackedNote| {
            if count < MAX_HEARD_PER_BLOCK {
                heard[count] = note;
                count += 1;
            } else {
                dropped += 1;
            }
        };
        let [left, right] = audio;
        let hearing = listening && !left.is_empty();
        if hearing {
            let right = if right.len() == left.len() {
                right
            } else {
                left
            };
            tracker.process(left, right, &mut keep);
        } else if self.tracker_was_hearing {
            // Capture stopped hearing audio: a note being heard ends now, and the tracker starts
            // afresh when it hears again (no stale audio in its frames).
            tracker.reset(&mut keep);
        }
        self.tracker_was_hearing = hearing;
        self.num_heard_dropped += dropped;
        for note in &heard[..count] {
            // Negative: the onset lies before this block.
            let offset = note.at_samples as f64 - block_start as f64;
            let beats = self.timeline.beats_at_offset(offset);
            if note.is_on {
                self.capture
                    .note_on(beats, HEARD_CHANNEL, note.key, note.velocity);
            } else {
                // The note is kept as the key its whole pitch says (a vibrato's centre).
                if note.final_key != note.key {
                    self.capture
                        .retune(beats, HEARD_CHANNEL, note.key, note.final_key);
                }
                self.capture.note_off(beats, HEARD_CHANNEL, note.final_key);
            }
            self.take_new_capture(0, out);
        }
    }

    /// What the audio input sounds like now (level, live pitch, the note being heard), or
    /// `None` before [`prepare`](Self::prepare).
    pub fn audio_readout(&self) -> Option<TrackerReadout> {
        self.tracker.as_deref().map(|t| t.readout())
    }

    /// Heard notes dropped because a block held more than [`MAX_HEARD_PER_BLOCK`].
    pub fn num_heard_dropped(&self) -> u64 {
        self.num_heard_dropped
    }
}
