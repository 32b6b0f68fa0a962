//! Live playback, one concept per file, in the order the data flows through a block:
//!
//! - [`timeline`]: the host transport (or the plugin's own clock) as beats at samples, with the
//!   tempo and metre in force; jumps, loop wraps;
//! - [`settings`]: what the parameters decide, and which changes end notes;
//! - [`library`]: the motif slots;
//! - [`locking`]: hit lock — where the picture's hits fall this block, and the segment of the
//!   hit-locked layout in force (launch, bend into the hit);
//! - [`scheduler`]: the rendering's events due in a stretch of samples;
//! - [`pass_through`]: the notes played, forwarded;
//! - [`voices`]: the one table of what the output sounds (owner per cell, pedal), with the
//!   collision policy;
//! - [`follow`]: how playback follows the transport and the trigger keys;
//! - [`engine`]: [`LiveEngine`], the `prepare / reset / process` entry that ties capture,
//!   library, rendering, scheduler and pass-through together.
//!
//! ```
//! use reprise::engine::event::Event;
//! use reprise::engine::event_buffer::EventBuffer;
//! use reprise::engine::playback::{BlockInfo, LiveEngine, LiveSettings, MAX_OUT_EVENTS_PER_BLOCK};
//!
//! let mut engine = LiveEngine::new(); // allocates: in `initialize()`, never in `process`
//! engine.prepare(48_000.0);
//! let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
//! let block = BlockInfo { num_samples: 64, transport: None };
//! let played = [Event::note_on(12, 0, 60, 0.8, None)];
//! engine.process(&block, &LiveSettings::default(), &played, &mut out);
//! assert_eq!(out.as_slice(), &played); // passed through at its sample
//! assert!(engine.voices().is_sounding(0, 60));
//! ```

pub mod engine;
pub mod follow;
pub mod heard;
pub mod library;
pub mod locking;
pub mod pass_through;
pub mod scheduler;
pub mod settings;
pub mod timeline;
pub mod voices;

pub use engine::{
    LiveEngine, MAX_IN_EVENTS_PER_BLOCK, MAX_OUT_EVENTS_PER_BLOCK, REPLACEMENT_GUARD_MS,
};
pub use library::NUM_SLOTS;
pub use settings::{
    ChangeEffect, LaunchQuantize, LiveCapture, LiveSettings, PlaybackMode, TriggerTranspose,
};
pub use timeline::{BlockInfo, TransportInfo, ANCHOR_SNAP_SAMPLES, JUMP_TOLERANCE_BEATS};
