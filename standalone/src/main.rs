//! Reprise without a DAW: `reprise-standalone --backend jack` (or `alsa`), or
//! `--backend dummy` headless. The first library slot holds the built-in demo motif so there is
//! something to hear and see at once. `--help` lists the audio and MIDI options.

fn main() {
    nice_plug::nice_export_standalone::<reprise::Reprise>();
}
