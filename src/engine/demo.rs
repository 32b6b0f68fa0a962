//! The built-in demo motif: the opening phrase of "Scarborough Fair" (traditional English
//! ballad, public domain) in D minor (Dorian colour), 3/4 at 84 BPM.

use super::key::{Key, Mode};
use super::motif::{Motif, Note, TimeSignature};

/// (start beats, length beats, key, velocity 0–127) of the demo phrase.
const DEMO_NOTES: [(f64, f64, u8, u8); 11] = [
    (0.0, 2.0, 62, 72),
    (2.0, 1.0, 62, 66),
    (3.0, 1.5, 69, 80),
    (4.5, 0.5, 69, 70),
    (5.0, 1.0, 69, 74),
    (6.0, 1.0, 64, 68),
    (7.0, 0.5, 65, 64),
    (7.5, 0.5, 64, 60),
    (8.0, 3.0, 62, 62),
    (11.0, 0.5, 60, 56),
    (11.5, 0.5, 62, 58),
];

/// The demo motif, with its key (D minor) detected like any capture would.
pub fn demo_motif() -> Motif {
    let mut motif = Motif::new(TimeSignature::new(3, 4), 84.0);
    for (start_beats, length_beats, key, velocity) in DEMO_NOTES {
        motif.push(Note {
            start_beats,
            length_beats,
            key,
            velocity: velocity as f32 / 127.0,
            channel: 0,
        });
    }
    motif.finish();
    motif
}

/// The key the demo is in.
pub const DEMO_KEY: Key = Key {
    tonic: 2,
    mode: Mode::Minor,
};
