//! Reprise's musical engine. Nothing in here depends on the plugin framework or the GUI: the
//! crate builds it alone with `--no-default-features`, and CI does exactly that.
//!
//! Data path: capture → motif → operators → character → scheduler → output.
//! - [`capture`] hears timed note events and cuts phrases into [`motif::Motif`]s
//!   ([`quantize`] on the way, [`key`] finding at the end);
//! - [`midi_file`] reads and writes Standard MIDI Files;
//! - [`character`] renders a motif through the [`ops`] as Piano, Swell or Distant into a
//!   [`rendering::Rendering`];
//! - [`playback`] plays it live on the host's timeline: the plugin's one entry point
//!   ([`playback::LiveEngine`]), with the table of sounding voices that guarantees every
//!   note-off.

pub mod articulation;
pub mod audio_capture;
pub mod capture;
pub mod character;
pub mod choice;
pub mod climax;
pub mod demo;
pub mod event;
pub mod event_buffer;
pub mod fill;
pub mod hit_lock;
pub mod hit_sources;
pub mod hits;
pub mod key;
pub mod key_model;
pub mod key_profiles;
pub mod key_weights;
pub mod midi_file;
pub mod motif;
pub mod notation;
pub mod note;
pub mod ops;
pub mod parameter_sweep;
pub mod performance;
pub mod picture;
pub mod playback;
pub mod quantize;
pub mod rendering;
pub mod rng;
pub mod scale;
pub mod spelling;
pub mod spot;
pub mod tempo_learner;
pub mod time_map;
pub mod timecode;
