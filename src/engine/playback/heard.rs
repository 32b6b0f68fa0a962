//! Hearing the audio input: [`Hearing`] owns the [`NoteTracker`] and its counters, feeds it each
//! block's audio while capture listens to audio, and returns the notes it heard with their
//! onsets relative to the block. The live engine places them on the song's timeline — in the
//! past when the tracker needed a few milliseconds to be sure — so a sung motif is captured
//! where it was sung, not where it was recognised. From there the notes are phrase notes like
//! played ones (silence gap, armed or always listening, quantize, key finding, slots). They are
//! never forwarded as MIDI: the audio itself passes through.

use crate::engine::audio_capture::{NoteTracker, TrackedNote, TrackerReadout, TrackerSettings};

/// Notes heard per block that enter capture (a 16 384-sample block at 48 kHz holds a third of a
/// second: far fewer notes than this); more are dropped and counted.
pub const MAX_HEARD_PER_BLOCK: usize = 64;
/// The MIDI channel heard notes are captured on (channel 1).
pub const HEARD_CHANNEL: u8 = 0;

const NO_NOTE: TrackedNote = TrackedNote {
    is_on: false,
    key: 0,
    final_key: 0,
    velocity: 0.0,
    at_samples: 0,
    reported_at_samples: 0,
};

/// The notes heard in one block, in the order the tracker reported them.
#[derive(Debug, Clone, Copy)]
pub struct HeardNotes {
    notes: [TrackedNote; MAX_HEARD_PER_BLOCK],
    count: usize,
    /// The tracker's sample count at the block's first sample.
    block_start_samples: u64,
}

impl HeardNotes {
    const NONE: HeardNotes = HeardNotes {
        notes: [NO_NOTE; MAX_HEARD_PER_BLOCK],
        count: 0,
        block_start_samples: 0,
    };

    /// Each note with its onset (or release) in samples from the block's first sample:
    /// negative when it lies before the block.
    pub fn iter(&self) -> impl Iterator<Item = (f64, &TrackedNote)> {
        self.notes[..self.count].iter().map(|note| {
            (
                note.at_samples as f64 - self.block_start_samples as f64,
                note,
            )
        })
    }
}

/// The audio input's note tracker and what it heard. Owner: the live engine (audio thread);
/// the tracker is made by [`prepare`](Self::prepare) (allocates), everything else is
/// allocation-free.
#[derive(Default)]
pub struct Hearing {
    tracker: Option<Box<NoteTracker>>,
    /// The tracker was fed audio in the last block.
    was_hearing: bool,
    /// Notes heard that did not fit a block's [`HeardNotes`].
    num_dropped: u64,
}

impl Hearing {
    /// Makes the tracker for `sample_rate_hz` (allocates: call from `initialize()`/`activate()`).
    pub fn prepare(&mut self, sample_rate_hz: f64, settings: TrackerSettings) {
        self.tracker = Some(Box::new(NoteTracker::new(sample_rate_hz, settings)));
    }

    /// Tracks this block's audio (`[left, right]`, `right` empty or as long as `left`) when
    /// `listening`; otherwise ends a note the tracker was following. Returns the notes heard.
    pub fn hear(
        &mut self,
        audio: [&[f32]; 2],
        listening: bool,
        settings: TrackerSettings,
    ) -> HeardNotes {
        let mut heard = HeardNotes::NONE;
        let Some(tracker) = self.tracker.as_deref_mut() else {
            return heard;
        };
        tracker.set_settings(settings);
        heard.block_start_samples = tracker.consumed_samples();
        let mut dropped = 0u64;
        let mut keep = |note: TrackedNote| {
            if heard.count < MAX_HEARD_PER_BLOCK {
                heard.notes[heard.count] = note;
                heard.count += 1;
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
        } else if self.was_hearing {
            // Capture stopped hearing audio: a note being heard ends now, and the tracker starts
            // afresh when it hears again (no stale audio in its frames).
            tracker.reset(&mut keep);
        }
        self.was_hearing = hearing;
        self.num_dropped += dropped;
        heard
    }

    /// What the audio input sounds like now (level, live pitch, the note being heard), or
    /// `None` before [`prepare`](Self::prepare).
    pub fn readout(&self) -> Option<TrackerReadout> {
        self.tracker.as_deref().map(|t| t.readout())
    }

    /// Heard notes dropped because a block held more than [`MAX_HEARD_PER_BLOCK`].
    pub fn num_dropped(&self) -> u64 {
        self.num_dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::audio_capture::AudioTracking;

    #[test]
    fn hearing_silence_or_nothing_reports_no_note() {
        let settings = AudioTracking::default().tracker_settings(None);
        let mut hearing = Hearing::default();
        // Before prepare there is no tracker: nothing heard, no readout.
        assert_eq!(
            hearing
                .hear([&[0.0; 256], &[]], true, settings)
                .iter()
                .count(),
            0
        );
        assert!(hearing.readout().is_none());
        hearing.prepare(48_000.0, settings);
        let silence = vec![0.0f32; 4800];
        for _ in 0..20 {
            let heard = hearing.hear([&silence, &silence], true, settings);
            assert_eq!(heard.iter().count(), 0);
        }
        assert_eq!(hearing.num_dropped(), 0);
        assert!(hearing.readout().is_some());
    }
}
