//! End-to-end tests: the built Reprise plugin loaded by a real CLAP host (clack-host).
//!
//! Run under `cargo nextest run`: in debug builds the plugin aborts the process if its audio
//! thread allocates (nice-plug `assert_process_allocs`), and nextest confines that to one test.

#[path = "../common/built_plugin.rs"]
mod built_plugin;
#[path = "../common/first_take.rs"]
mod first_take;
mod host;

mod activation;
mod adversarial;
mod audio_capture;
mod editor_window;
mod fit;
mod live;
mod params_state;
mod passthrough;
mod picture;
