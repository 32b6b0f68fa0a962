//! Reprise's musical engine. Nothing in here depends on the plugin framework or the GUI: the
//! crate builds it alone with `--no-default-features`, and CI does exactly that.
//!
//! Data path: capture → motif → operators → character → scheduler → output.
//! - [`capture`] hears timed note events and cuts phrases into [`motif::Motif`]s
//!   ([`quantize`] on the way, [`key`] finding at the end);
//! - [`midi_file`] reads and writes Standard MIDI Files;
//! - [`processor`] is the per-block entry point the plugin calls; for now it routes played
//!   events through while [`note_table`] tracks every sounding note so note-offs are guaranteed.
//!
//! ```
//! use reprise::engine::{event::Event, event_buffer::EventBuffer, processor::Processor};
//!
//! let mut processor = Processor::default();
//! let mut out = EventBuffer::with_capacity(16); // allocate up front, never in process
//! processor.process(&[Event::note_on(12, 0, 60, 0.8, None)], &mut out);
//! assert_eq!(out.as_slice(), &[Event::note_on(12, 0, 60, 0.8, None)]);
//! assert!(processor.sounding().is_sounding(0, 60));
//! ```

pub mod capture;
pub mod character;
pub mod choice;
pub mod demo;
pub mod event;
pub mod event_buffer;
pub mod key;
pub mod live;
pub mod midi_file;
pub mod motif;
pub mod note_table;
pub mod ops;
pub mod processor;
pub mod quantize;
pub mod rendering;
pub mod rng;
pub mod scale;
pub mod scheduler;
