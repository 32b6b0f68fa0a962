//! Reprise: a real-time MIDI effect that captures a motif and re-renders it live as Piano, Swell
//! or Distant.
//!
//! - [`engine`]: the musical engine. No plugin framework, no GUI; builds alone with
//!   `cargo build --no-default-features`.
//! - The plugin layer (feature `plugin`, on by default): the nice-plug CLAP/VST3 wrapper, its
//!   parameters and the egui editor. It translates host events to engine events and back and holds
//!   no musical logic.

pub mod engine;

#[cfg(feature = "plugin")]
mod editor;
#[cfg(feature = "plugin")]
mod host_events;
#[cfg(feature = "plugin")]
pub mod library_schema;
#[cfg(feature = "plugin")]
pub mod library_state;
// Only its test uses it: it checks and rewrites docs/parameters.md.
#[cfg(all(feature = "plugin", test))]
mod param_reference;
#[cfg(feature = "plugin")]
mod params;
#[cfg(feature = "plugin")]
mod plugin;
#[cfg(feature = "plugin")]
pub mod shared;

#[cfg(feature = "plugin")]
pub use editor::{draw_editor, EditorState};
#[cfg(feature = "plugin")]
pub use params::{Pick, RepriseParams};
#[cfg(feature = "plugin")]
pub use plugin::Reprise;
