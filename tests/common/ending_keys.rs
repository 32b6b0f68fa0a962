//! What capture keeps of tracked notes: each note-on with the key its note-off ends as (the
//! note's mean pitch, `TrackedNote::final_key`; the engine retunes the captured note to it and
//! `reprise listen` writes it). Shared by the noise scenarios and the capture evaluation.
#![allow(dead_code)]

use reprise::engine::audio_capture::TrackedNote;

/// Every note-on of `notes` (in the tracker's order) with the key its note-off ends as (its own
/// key when no note-off follows).
pub fn with_ending_keys(notes: &[TrackedNote]) -> Vec<(&TrackedNote, u8)> {
    notes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.is_on)
        .map(|(i, on)| {
            let ending_key = notes[i + 1..]
                .iter()
                .find(|off| !off.is_on && off.key == on.key)
                .map_or(on.key, |off| off.final_key);
            (on, ending_key)
        })
        .collect()
}
