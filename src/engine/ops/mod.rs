//! Operators: small musical transformations shared by the characters, each usable on its own.
//! Every operator works in place on a caller-owned [`Rendering`](super::rendering::Rendering),
//! never allocates, is deterministic (seeded where random), keeps keys inside 0–127 (octave fold
//! or drop, never wrap) and leaves notes as (start, length) pairs, so every note-on has its
//! note-off by construction.

pub mod augmentation;
pub mod dynamics;
pub mod echo;
pub mod fragment;
pub mod humanize;
pub mod inversion;
pub mod key_range;
pub mod legato;
pub mod liquidation;
pub mod mode_change;
pub mod pedal;
pub mod retrograde;
pub mod transpose;
pub mod voicing;
