//! Reprise: a real-time MIDI effect that captures a motif and re-renders it live as Piano, Swell
//! or Distant.
//!
//! - [`engine`]: the musical engine. No plugin framework, no GUI; builds alone with
//!   `cargo build --no-default-features`.
//! - The plugin layer (feature `plugin`, on by default): the nice-plug CLAP/VST3 wrapper, its
//!   parameters and the egui editor. It translates host events to engine events and back and holds
//!   no musical logic.

pub mod engine;
/// Hearing renderings without a DAW: General MIDI through a SoundFont (offline, the CLI).
pub mod synth;

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

/// Whether a new plugin instance starts with the built-in demo motif in slot 1. Off in the
/// plugin (a DAW project starts empty); the standalone app turns it on before it starts, with
/// [`start_with_demo_motif`]. A run-time switch rather than a cargo feature, so building the
/// workspace never changes what the plugin bundle does.
#[cfg(feature = "plugin")]
pub(crate) static STARTS_WITH_DEMO_MOTIF: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// The SoundFont the standalone app plays its output through (`--soundfont`): a plugin
/// instance activated while one is set makes a [`synth::Monitor`] and writes what its output
/// sounds like into its audio outputs. Unset in the plugin (the DAW's instruments play).
#[cfg(feature = "plugin")]
pub(crate) static MONITOR_SOUNDFONT: std::sync::Mutex<Option<std::sync::Arc<synth::SoundFont>>> =
    std::sync::Mutex::new(None);

/// Makes every plugin instance activated from now on play its output through `soundfont`
/// into its audio outputs (the standalone app, which has no instrument after it).
#[cfg(feature = "plugin")]
pub fn monitor_through(soundfont: std::sync::Arc<synth::SoundFont>) {
    if let Ok(mut slot) = MONITOR_SOUNDFONT.lock() {
        *slot = Some(soundfont);
    }
}

/// Makes every plugin instance created from now on start with the demo motif in slot 1 (the
/// standalone app calls this first).
#[cfg(feature = "plugin")]
pub fn start_with_demo_motif() {
    STARTS_WITH_DEMO_MOTIF.store(true, std::sync::atomic::Ordering::Relaxed);
}
