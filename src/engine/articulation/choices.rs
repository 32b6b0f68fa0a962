//! The articulation settings the plugin and the editor offer, as choice lists (frozen order
//! and ids, see [`crate::engine::choice`]).

use super::profile::FACTORY_PROFILES;
use super::role::Role;
use crate::engine::choice::Choice;

/// The profile parameter: notes only, or one of the factory profiles (the value is its index
/// in [`FACTORY_PROFILES`]; the ids are the profiles' ids, as the CLI takes them).
pub const PROFILE_CHOICES: [Choice<Option<usize>>; 1 + FACTORY_PROFILES.len()] = [
    Choice {
        value: None,
        id: "off",
        label: "Notes only",
    },
    Choice {
        value: Some(0),
        id: "spitfire-uacc",
        label: "Spitfire UACC (CC32)",
    },
    Choice {
        value: Some(1),
        id: "uacc-keyswitch",
        label: "UACC keyswitch",
    },
    Choice {
        value: Some(2),
        id: "general-midi",
        label: "General MIDI programs",
    },
    Choice {
        value: Some(3),
        id: "cinematic-studio-strings",
        label: "Cinematic Studio Strings",
    },
    Choice {
        value: Some(4),
        id: "channel-per-articulation",
        label: "Channel per articulation",
    },
    Choice {
        value: Some(5),
        id: "reaticulate-programs",
        label: "Reaticulate programs",
    },
];

/// The role Swell's surge asks for (a type of its own, so its setting and Distant's are two
/// choice lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurgeRole(pub Role);

/// The role Distant asks for (see [`SurgeRole`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DistantRole(pub Role);

/// Swell's surge (the phrase after a break before the climax).
pub const SURGE_CHOICES: [Choice<SurgeRole>; 2] = [
    Choice {
        value: SurgeRole(Role::LongHard),
        id: "long-hard",
        label: "Long hard (marcato)",
    },
    Choice {
        value: SurgeRole(Role::Tremolo),
        id: "tremolo",
        label: "Tremolo",
    },
];

/// Distant's colour.
pub const DISTANT_CHOICES: [Choice<DistantRole>; 3] = [
    Choice {
        value: DistantRole(Role::LongSoft),
        id: "long-soft",
        label: "Long soft (flautando)",
    },
    Choice {
        value: DistantRole(Role::LongMuted),
        id: "long-muted",
        label: "Con sordino",
    },
    Choice {
        value: DistantRole(Role::Harmonics),
        id: "harmonics",
        label: "Harmonics",
    },
];

/// The longest track delay the composer can say the track already has, ms (longer than any
/// library's published or measured delay, see `docs/sample-libraries.md`).
pub const MAX_TRACK_DELAY_MS: f64 = 500.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_choices_name_the_factory_profiles_in_their_order() {
        for (index, (id, _)) in FACTORY_PROFILES.iter().enumerate() {
            assert_eq!(PROFILE_CHOICES[index + 1].id, *id);
            assert_eq!(PROFILE_CHOICES[index + 1].value, Some(index));
        }
    }
}
