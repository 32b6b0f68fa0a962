//! Articulations for sample libraries (issue 26): what a passage of a rendering asks of the
//! instrument (a [`Role`]: legato, long and soft, muted …, chosen from the character — see
//! [`role`]), and how a library is told ([`profile`]: a UACC value, keyswitch notes, a program
//! change, a channel …), put into the rendering's events with the switching rules a sampler
//! needs ([`switches`]: a switch at least 1 ms before the note it serves, keyswitch notes
//! always released, a note that would fall on a keyswitch key moved by an octave, each note
//! sent early by its articulation's delay so it sounds on its beat).
//!
//! The data path: rendering → roles → profile → the events that go out.

pub mod choices;
pub mod live;
pub mod profile;
pub mod reabank;
pub mod role;
pub mod switches;

pub use live::{ArticulationSettings, LiveArticulator};
pub use profile::{Delay, Onset, Profile, Switch, FACTORY_PROFILES};
pub use reabank::{profile_from_reabank, ReabankError};
pub use role::{assign_roles, Role, RoleChoice};
pub use switches::{articulate, Articulated, Timing};
