//! Reprise's musical engine. Nothing in here depends on the plugin framework or the GUI: the
//! crate builds it alone with `--no-default-features`, and CI does exactly that.
//!
//! Data path: capture → motif → operators → character → scheduler → output. At this stage the
//! engine routes played events through ([`processor::Processor`]) while tracking every sounding
//! note ([`note_table::SoundingNotes`]) so that note-offs can always be guaranteed.
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

pub mod event;
pub mod event_buffer;
pub mod note_table;
pub mod processor;
