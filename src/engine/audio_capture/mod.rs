//! Capture from audio: a causal monophonic note tracker. A voice, a whistle or one instrument
//! line comes in as samples; notes come out, each time-stamped at its estimated onset although
//! it is reported a little later (the detector needs a few milliseconds of the note to know its
//! pitch), so a captured motif is never late by the detector's delay.
//!
//! Data path: [`decimator`] (DC block, anti-alias filter, integer decimation to an analysis rate
//! near 22 kHz whatever the host rate) → per hop of 64 analysis samples: loudness, [`onset`]
//! detection (energy rise, spectral flux with a maximum filter), [`pitch`] (McLeod's normalised
//! square difference function through a real FFT, with an octave check) → [`tracker`]'s note
//! state machine (attack, stable pitch → note-on; release, re-attack or a held pitch change →
//! note-off). [`settings`] holds what the user chooses (input channel, range, gate, snap);
//! [`noise_floor`] follows the background, so a note must stand out of it as well as pass the
//! gate.
//!
//! Every buffer and FFT plan is made by [`NoteTracker::new`] for a sample rate; processing never
//! allocates, locks or logs, and the results do not depend on how the input is cut into blocks.

pub mod decimator;
mod histogram;
mod history;
pub mod noise_floor;
pub mod onset;
pub mod pitch;
pub mod settings;
pub mod tracker;

pub use settings::{
    AudioSource, AudioTracking, InputChannel, PitchRange, TrackerSettings, DEFAULT_GATE_DB,
};
pub use tracker::{NoteTracker, TrackedNote, TrackerReadout, HOP};
