//! How a sample library is told which articulation to play: a [`Profile`] turns each [`Role`]
//! into events ([`Switch`]es) — a UACC value on CC32, a keyswitch note, a program change, a
//! channel — plus the controller the library reads its dynamics from.
//!
//! Six factory profiles ([`FACTORY_PROFILES`]), each citing its source in
//! `docs/sample-libraries.md`; a user profile is a JSON file of the same shape
//! ([`Profile::from_json`]).

use serde::{Deserialize, Serialize};

use super::role::Role;
use crate::engine::ops::dynamics::DynamicsCc;

/// One event of a switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Switch {
    /// A controller value (UACC: CC32 carries the articulation's number).
    Cc {
        /// Controller number 0–127.
        cc: u8,
        /// Value 0–127.
        value: u8,
    },
    /// A keyswitch note: struck at `velocity` (UACC KS and some libraries read the velocity),
    /// and released at once (latched) or held while the articulation lasts (`held`).
    Key {
        /// MIDI key 0–127 (60 = middle C, whatever octave name the vendor gives it).
        key: u8,
        /// Velocity 1–127.
        velocity: u8,
        /// Held while the articulation lasts, else a short latched note.
        #[serde(default)]
        held: bool,
    },
    /// A program change (0-based: General MIDI's "String Ensemble 1", number 49, is 48).
    Program {
        /// Program 0–127.
        program: u8,
    },
    /// The notes go out on this channel (0-based; 9, General MIDI's drums, is refused).
    Channel {
        /// Channel 0–15.
        channel: u8,
    },
}

/// A library's switches, per role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Short name (`spitfire-uacc`), as the CLI takes it.
    pub id: String,
    /// What it is for, as a composer reads it.
    pub name: String,
    /// The controller(s) the library reads dynamics from.
    #[serde(default)]
    pub dynamics: DynamicsChoice,
    /// Each role's switches, all sent together (several for libraries with separate exclusive
    /// groups, e.g. an articulation key, legato on/off and sordino on/off). A role missing here
    /// falls back to its nearest ([`Profile::switches_for`]).
    pub roles: Vec<RoleSwitches>,
    /// How late each articulation speaks after its note-on (the notes go out that much early);
    /// none = every note on its beat.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delays: Vec<Delay>,
}

/// How late a library's articulation speaks after its note-on, for one role, kind of note and
/// velocity zone.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Delay {
    /// The role.
    #[serde(with = "role_id")]
    pub role: Role,
    /// Which notes: a legato transition (the note joins the one before it) or a first note
    /// (after a rest); `None` = both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onset: Option<Onset>,
    /// The zone's lowest velocity (1–127).
    #[serde(default = "lowest_velocity")]
    pub velocity_from: u8,
    /// The zone's highest velocity (1–127).
    #[serde(default = "highest_velocity")]
    pub velocity_to: u8,
    /// How late the sound comes, milliseconds.
    pub ms: f64,
}

fn lowest_velocity() -> u8 {
    1
}

fn highest_velocity() -> u8 {
    127
}

/// A note's onset as a legato library plays it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Onset {
    /// The note joins the one before it (a legato transition).
    Transition,
    /// The note comes after a rest.
    First,
}

/// One role's switches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleSwitches {
    /// The role (`legato`, `long-hard`, `tremolo`, `long-soft`, `long-muted`, `harmonics`).
    #[serde(with = "role_id")]
    pub role: Role,
    /// Its switches, sent in this order.
    pub switches: Vec<Switch>,
}

/// The dynamics controller as a profile names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DynamicsChoice {
    /// CC1 (most orchestral libraries).
    #[default]
    Cc1,
    /// CC11 (General MIDI).
    Cc11,
    /// Both.
    Both,
}

impl DynamicsChoice {
    /// The engine's setting for it.
    pub fn as_dynamics_cc(self) -> DynamicsCc {
        match self {
            DynamicsChoice::Cc1 => DynamicsCc::Modulation,
            DynamicsChoice::Cc11 => DynamicsCc::Expression,
            DynamicsChoice::Both => DynamicsCc::Both,
        }
    }
}

mod role_id {
    use super::Role;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(role: &Role, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(role.id())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Role, D::Error> {
        let id = String::deserialize(deserializer)?;
        Role::from_id(&id).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown role \"{id}\" (legato, long-hard, tremolo, long-soft, long-muted, harmonics)"
            ))
        })
    }
}

/// Why a profile file cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileError {
    /// Not the documented JSON (the parser's message, with line and column).
    Json {
        /// What the parser said.
        message: String,
    },
    /// A value out of its MIDI range, or channel 10.
    BadValue {
        /// The role it belongs to.
        role: &'static str,
        /// What is wrong.
        what: String,
    },
    /// No role has a switch.
    Empty,
}

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProfileError::Json { message } => write!(f, "not a profile: {message}"),
            ProfileError::BadValue { role, what } => write!(f, "role {role}: {what}"),
            ProfileError::Empty => write!(f, "the profile switches no role"),
        }
    }
}

impl std::error::Error for ProfileError {}

/// Keyswitch keys at most this far apart (semitones) belong to one zone: an octave, the span
/// of a library's keyswitch block.
pub const KEYSWITCH_ZONE_GAP: u8 = 12;

/// The longest delay a profile may give, ms (the slowest legato transitions measured are a
/// third of a second; a second is surely a typo).
pub const MAX_DELAY_MS: f64 = 1000.0;

/// Where a role missing from a profile goes instead, nearest first (a tremolo played long and
/// hard, a harmonic played soft …); the last resort is legato, then nothing.
fn fallbacks(role: Role) -> &'static [Role] {
    match role {
        Role::Legato => &[],
        Role::LongHard => &[Role::Legato],
        Role::Tremolo => &[Role::LongHard, Role::Legato],
        Role::LongSoft => &[Role::LongMuted, Role::Legato],
        Role::LongMuted => &[Role::LongSoft, Role::Legato],
        Role::Harmonics => &[Role::LongSoft, Role::LongMuted, Role::Legato],
    }
}

impl Profile {
    /// Reads a profile from its JSON text and checks it.
    pub fn from_json(text: &str) -> Result<Profile, ProfileError> {
        let profile: Profile = serde_json::from_str(text).map_err(|e| ProfileError::Json {
            message: e.to_string(),
        })?;
        profile.check()?;
        Ok(profile)
    }

    /// The profile as JSON (the documented user-file format).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks every value is in its MIDI range and no switch routes to channel 10.
    pub fn check(&self) -> Result<(), ProfileError> {
        if self.roles.iter().all(|r| r.switches.is_empty()) {
            return Err(ProfileError::Empty);
        }
        for delay in &self.delays {
            if !(delay.ms.is_finite() && (0.0..=MAX_DELAY_MS).contains(&delay.ms)) {
                return Err(ProfileError::BadValue {
                    role: delay.role.id(),
                    what: format!("a delay of {} ms (give 0 to {MAX_DELAY_MS})", delay.ms),
                });
            }
            if delay.velocity_from == 0
                || delay.velocity_from > delay.velocity_to
                || delay.velocity_to > 127
            {
                return Err(ProfileError::BadValue {
                    role: delay.role.id(),
                    what: format!(
                        "the velocity zone {}-{} (give 1-127, lowest first)",
                        delay.velocity_from, delay.velocity_to
                    ),
                });
            }
        }
        for role in &self.roles {
            for switch in &role.switches {
                let bad = |what: String| ProfileError::BadValue {
                    role: role.role.id(),
                    what,
                };
                match *switch {
                    Switch::Cc { cc, value } if cc > 127 || value > 127 => {
                        return Err(bad(format!("CC {cc} value {value} is not 0-127")))
                    }
                    Switch::Key { key, velocity, .. }
                        if key > 127 || !(1..=127).contains(&velocity) =>
                    {
                        return Err(bad(format!(
                            "key {key} velocity {velocity} (key 0-127, velocity 1-127)"
                        )))
                    }
                    Switch::Program { program } if program > 127 => {
                        return Err(bad(format!("program {program} is not 0-127")))
                    }
                    Switch::Channel { channel } if channel > 15 => {
                        return Err(bad(format!("channel {channel} is not 0-15")))
                    }
                    Switch::Channel { channel: 9 } => {
                        return Err(bad(
                            "channel 9 (10 counted from 1) is General MIDI's drums; use another"
                                .to_owned(),
                        ))
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The switches for `role`: its own, else its nearest fallback's, else none.
    pub fn switches_for(&self, role: Role) -> &[Switch] {
        std::iter::once(role)
            .chain(fallbacks(role).iter().copied())
            .find_map(|r| {
                self.roles
                    .iter()
                    .find(|rs| rs.role == r && !rs.switches.is_empty())
            })
            .map_or(&[], |rs| rs.switches.as_slice())
    }

    /// The keyswitch zones, lowest first: its keyswitch keys, those within an octave of each
    /// other joined into one zone with the keys between them (a library's keyswitches sit
    /// together, and the keys between switch articulations this profile does not use). A
    /// rendered note in a zone would switch, not sound: it moves by octaves.
    pub fn keyswitch_zones(&self) -> Vec<(u8, u8)> {
        let mut keys: Vec<u8> = self
            .roles
            .iter()
            .flat_map(|r| &r.switches)
            .filter_map(|s| match s {
                Switch::Key { key, .. } => Some(*key),
                _ => None,
            })
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let mut zones: Vec<(u8, u8)> = Vec::new();
        for key in keys {
            match zones.last_mut() {
                Some(zone) if key - zone.1 <= KEYSWITCH_ZONE_GAP => zone.1 = key,
                _ => zones.push((key, key)),
            }
        }
        zones
    }

    /// How late `role` speaks for a note of `velocity` (1–127) with this `onset`, ms (0 when
    /// the profile says nothing; the first matching entry counts).
    pub fn delay_ms(&self, role: Role, onset: Onset, velocity: u8) -> f64 {
        self.delays
            .iter()
            .find(|d| {
                d.role == role
                    && d.onset.is_none_or(|o| o == onset)
                    && (d.velocity_from..=d.velocity_to).contains(&velocity)
            })
            .map_or(0.0, |d| d.ms)
    }

    /// The factory profile named `id`.
    pub fn factory(id: &str) -> Option<Profile> {
        FACTORY_PROFILES
            .iter()
            .find(|(factory_id, _)| *factory_id == id)
            .map(|(_, make)| make())
    }
}

/// A factory profile: its id and how it is made.
pub type FactoryProfile = (&'static str, fn() -> Profile);

/// The six factory profiles (sources in `docs/sample-libraries.md`).
pub const FACTORY_PROFILES: [FactoryProfile; 6] = [
    ("spitfire-uacc", spitfire_uacc),
    ("uacc-keyswitch", uacc_keyswitch),
    ("general-midi", general_midi),
    ("cinematic-studio-strings", cinematic_studio_strings),
    ("channel-per-articulation", channel_per_articulation),
    ("reaticulate-programs", reaticulate_programs),
];

fn profile(id: &str, name: &str, dynamics: DynamicsChoice, roles: &[(Role, &[Switch])]) -> Profile {
    Profile {
        id: id.to_owned(),
        name: name.to_owned(),
        dynamics,
        roles: roles
            .iter()
            .map(|(role, switches)| RoleSwitches {
                role: *role,
                switches: switches.to_vec(),
            })
            .collect(),
        delays: Vec::new(),
    }
}

/// Spitfire's Universal Articulation Control Change values (UACC v2: legato 20, long 1, con
/// sordino 7, flautando 8, long marcato/cuivré 9, harmonics 10, tremolo 11).
const UACC: [(Role, u8); 6] = [
    (Role::Legato, 20),
    (Role::LongHard, 9),
    (Role::Tremolo, 11),
    (Role::LongSoft, 8),
    (Role::LongMuted, 7),
    (Role::Harmonics, 10),
];

/// The controller UACC is sent on.
pub const UACC_CC: u8 = 32;

/// The key UACC KS listens on by default (MIDI 0; set the key your patch shows in red).
pub const UACC_KS_KEY: u8 = 0;

fn spitfire_uacc() -> Profile {
    let switches: Vec<(Role, [Switch; 1])> = UACC
        .iter()
        .map(|&(role, value)| (role, [Switch::Cc { cc: UACC_CC, value }]))
        .collect();
    let roles: Vec<(Role, &[Switch])> = switches.iter().map(|(r, s)| (*r, &s[..])).collect();
    profile(
        "spitfire-uacc",
        "Spitfire UACC (CC32), dynamics on CC1",
        DynamicsChoice::Cc1,
        &roles,
    )
}

fn uacc_keyswitch() -> Profile {
    let switches: Vec<(Role, [Switch; 1])> = UACC
        .iter()
        .map(|&(role, value)| {
            (
                role,
                [Switch::Key {
                    key: UACC_KS_KEY,
                    velocity: value,
                    held: false,
                }],
            )
        })
        .collect();
    let roles: Vec<(Role, &[Switch])> = switches.iter().map(|(r, s)| (*r, &s[..])).collect();
    profile(
        "uacc-keyswitch",
        "Spitfire UACC KS: one keyswitch key, the velocity carries the UACC value",
        DynamicsChoice::Cc1,
        &roles,
    )
}

fn general_midi() -> Profile {
    // General MIDI 1 programs, 0-based: 48 String Ensemble 1, 49 String Ensemble 2 (slower,
    // softer), 44 Tremolo Strings. GM has no harmonics or con sordino patch.
    let program = |program| Switch::Program { program };
    profile(
        "general-midi",
        "General MIDI: string programs, dynamics on CC11 (GM reads CC1 as vibrato)",
        DynamicsChoice::Cc11,
        &[
            (Role::Legato, &[program(48)]),
            (Role::LongHard, &[program(48)]),
            (Role::Tremolo, &[program(44)]),
            (Role::LongSoft, &[program(49)]),
            (Role::LongMuted, &[program(49)]),
            (Role::Harmonics, &[program(49)]),
        ],
    )
}

fn cinematic_studio_strings() -> Profile {
    // The section patch's keyswitches (MIDI keys; CSS 1.7): 24 sustain (velocity 1: standard
    // legato speed), 25 tremolo, 28 harmonics; legato on/off on 32 (velocity 65 on, 1 off);
    // con sordino on/off on 35 (127 on, 1 off). Three exclusive groups, so each role sets all
    // three. CSS has no flautando: long soft is its con sordino, non-legato.
    let key = |key, velocity| Switch::Key {
        key,
        velocity,
        held: false,
    };
    let mut css = profile(
        "cinematic-studio-strings",
        "Cinematic Studio Strings 1.7, section patch keyswitches (MIDI 24-35)",
        DynamicsChoice::Cc1,
        &[
            (Role::Legato, &[key(24, 1), key(32, 65), key(35, 1)]),
            (Role::LongHard, &[key(24, 1), key(32, 1), key(35, 1)]),
            (Role::Tremolo, &[key(25, 127), key(32, 1), key(35, 1)]),
            (Role::LongSoft, &[key(24, 1), key(32, 1), key(35, 127)]),
            (Role::LongMuted, &[key(24, 1), key(32, 65), key(35, 127)]),
            (Role::Harmonics, &[key(28, 127), key(32, 1), key(35, 1)]),
        ],
    );
    // Community-measured (3YY3/cinematic-studio-templates, CSS 1.7 expressive legato): a
    // legato transition speaks 333 ms late at velocity 1-64 (slow), 250 ms at 65-100, 100 ms
    // at 101-127; a first note and the other longs about 60 ms.
    let delay = |role, onset, (velocity_from, velocity_to), ms| Delay {
        role,
        onset,
        velocity_from,
        velocity_to,
        ms,
    };
    let transition = Some(Onset::Transition);
    css.delays = vec![
        delay(Role::Legato, transition, (1, 64), 333.0),
        delay(Role::Legato, transition, (65, 100), 250.0),
        delay(Role::Legato, transition, (101, 127), 100.0),
        delay(Role::Legato, Some(Onset::First), (1, 127), 60.0),
        delay(Role::LongHard, None, (1, 127), 60.0),
        delay(Role::Tremolo, None, (1, 127), 60.0),
        delay(Role::LongSoft, None, (1, 127), 60.0),
        delay(Role::LongMuted, transition, (1, 64), 333.0),
        delay(Role::LongMuted, transition, (65, 100), 250.0),
        delay(Role::LongMuted, transition, (101, 127), 100.0),
        delay(Role::LongMuted, Some(Onset::First), (1, 127), 60.0),
        delay(Role::Harmonics, None, (1, 127), 60.0),
    ];
    css
}

fn channel_per_articulation() -> Profile {
    // Channels 11-16 (0-based 10-15): one instrument per articulation in a multi-timbral
    // sampler or a DAW's channel split, never channel 10 (GM drums).
    let channel = |channel| Switch::Channel { channel };
    profile(
        "channel-per-articulation",
        "One channel per articulation: 11 legato, 12 long hard, 13 tremolo, 14 long soft, 15 muted, 16 harmonics",
        DynamicsChoice::Cc1,
        &[
            (Role::Legato, &[channel(10)]),
            (Role::LongHard, &[channel(11)]),
            (Role::Tremolo, &[channel(12)]),
            (Role::LongSoft, &[channel(13)]),
            (Role::LongMuted, &[channel(14)]),
            (Role::Harmonics, &[channel(15)]),
        ],
    )
}

fn reaticulate_programs() -> Profile {
    // Reaticulate selects articulations by program change; its suggested program numbers are
    // UACC's (legato 20, long 1, muted 7, soft 17 sul tasto, long hard 9, harmonics 10,
    // tremolo 11), so its banks for most libraries answer these.
    let program = |program| Switch::Program { program };
    profile(
        "reaticulate-programs",
        "Program changes with Reaticulate's (UACC) numbers, for a Reaticulate bank to switch",
        DynamicsChoice::Cc1,
        &[
            (Role::Legato, &[program(20)]),
            (Role::LongHard, &[program(9)]),
            (Role::Tremolo, &[program(11)]),
            (Role::LongSoft, &[program(17)]),
            (Role::LongMuted, &[program(7)]),
            (Role::Harmonics, &[program(10)]),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_factory_profile_is_valid_round_trips_as_json_and_switches_every_role() {
        for (id, make) in FACTORY_PROFILES {
            let profile = make();
            assert_eq!(profile.id, id);
            profile.check().unwrap();
            let back = Profile::from_json(&profile.to_json()).unwrap();
            assert_eq!(back, profile, "{id}");
            for role in Role::ALL {
                assert!(!profile.switches_for(role).is_empty(), "{id}: {role:?}");
            }
        }
    }

    #[test]
    fn a_bad_profile_file_says_what_is_wrong() {
        let drums = r#"{"id":"x","name":"x","roles":[{"role":"legato","switches":[{"type":"channel","channel":9}]}]}"#;
        let error = Profile::from_json(drums).unwrap_err();
        assert!(error.to_string().contains("drums"), "{error}");
        let unknown = r#"{"id":"x","name":"x","roles":[{"role":"spiccato","switches":[]}]}"#;
        let error = Profile::from_json(unknown).unwrap_err();
        assert!(error.to_string().contains("unknown role"), "{error}");
        assert!(Profile::from_json("{").is_err());
    }

    #[test]
    fn a_missing_role_falls_back_to_its_nearest() {
        let profile = profile(
            "x",
            "x",
            DynamicsChoice::Cc1,
            &[
                (Role::Legato, &[Switch::Cc { cc: 32, value: 20 }]),
                (Role::LongSoft, &[Switch::Cc { cc: 32, value: 8 }]),
            ],
        );
        assert_eq!(
            profile.switches_for(Role::Harmonics),
            &[Switch::Cc { cc: 32, value: 8 }]
        );
        assert_eq!(
            profile.switches_for(Role::Tremolo),
            &[Switch::Cc { cc: 32, value: 20 }]
        );
    }
}
