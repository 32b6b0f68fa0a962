//! Articulations in the plugin: the rendering the scheduler plays, with a profile's switches
//! put in on the audio thread (no allocation: the factory profiles and every buffer are made
//! once, in [`LiveArticulator::new`]).
//!
//! Unlike the offline [`super::articulate`], nothing is moved in time here: each note and
//! switch carries a *lead* ([`RenderedNote::lead_seconds`], [`CcPoint::lead_seconds`]) and the
//! scheduler sends it that long before its beat at the tempo in force, so a note sounds on its
//! beat (and, with Hit lock, on the hit) whatever the tempo does before it. The scheduler also
//! chases the articulation in force after a start, locate or loop wrap.

use super::profile::{Profile, Switch, FACTORY_PROFILES};
use super::role::{assign_roles, Role, RoleChoice};
use super::switches::{routed_points, Routes, Switcher, SWITCH_LEAD_SECONDS};
use crate::engine::character::Character;
use crate::engine::event::NUM_CHANNELS;
use crate::engine::rendering::{CcPoint, RenderedNote, Rendering, Voice, PROGRAM_CHANGE_CC};

/// Held keyswitch notes tracked at once (a profile holds one per exclusive group; four groups
/// on every channel is more than any library has).
const MAX_HELD_KEYS: usize = 4 * NUM_CHANNELS;

/// A latched keyswitch's length after the beat of the note it serves, beats: it is released
/// as that note sounds (it went out a switch's lead, plus the note's delay, before).
const LATCHED_BEATS: f64 = 1e-6;

/// What the plugin's articulation settings ask for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArticulationSettings {
    /// The factory profile ([`FACTORY_PROFILES`] index), or `None`: notes only, as before.
    pub profile: Option<usize>,
    /// The roles chosen per character.
    pub choice: RoleChoice,
    /// The delay the composer already gives the track, ms (negative track delay as a positive
    /// number): subtracted from every articulation's delay.
    pub track_delay_ms: f64,
}

impl Default for ArticulationSettings {
    fn default() -> Self {
        Self {
            profile: None,
            choice: RoleChoice::default(),
            track_delay_ms: 0.0,
        }
    }
}

/// Puts a profile's switches into live renderings. Owner: the audio thread. Built once
/// (allocates); [`articulate`](Self::articulate) never allocates.
#[derive(Debug, Clone)]
pub struct LiveArticulator {
    /// The factory profiles with their keyswitch zones.
    profiles: Vec<(Profile, Vec<(u8, u8)>)>,
    /// Keyswitch notes held until their articulation ends: (channel, index in the output).
    held: Vec<(u8, usize)>,
}

impl Default for LiveArticulator {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveArticulator {
    /// Builds the factory profiles and the buffers. Allocates.
    pub fn new() -> Self {
        Self {
            profiles: FACTORY_PROFILES
                .iter()
                .map(|(_, make)| {
                    let profile = make();
                    let zones = profile.keyswitch_zones();
                    (profile, zones)
                })
                .collect(),
            held: Vec::with_capacity(MAX_HELD_KEYS),
        }
    }

    /// The factory profile at `index`, if any.
    pub fn profile(&self, index: usize) -> Option<&Profile> {
        self.profiles.get(index).map(|(profile, _)| profile)
    }

    /// Writes `input` with the switches of `settings`' profile for `character`'s roles into
    /// `out` (same length; notes routed and moved off the keyswitch keys, each with its lead;
    /// switch points and keyswitch notes added), and each input note's role into `roles` (made
    /// with [`crate::engine::rendering::MAX_RENDER_NOTES`] capacity). Returns false, leaving `out` alone and `roles`
    /// empty, when no profile is chosen.
    pub fn articulate(
        &mut self,
        input: &Rendering,
        character: Character,
        settings: &ArticulationSettings,
        out: &mut Rendering,
        roles: &mut Vec<Option<Role>>,
    ) -> bool {
        roles.clear();
        let Some((profile, zones)) = settings.profile.and_then(|i| self.profiles.get(i)) else {
            return false;
        };
        out.clear();
        out.length_beats = input.length_beats;
        out.num_dropped = input.num_dropped;
        out.octaves_shifted_to_fit = input.octaves_shifted_to_fit;
        assign_roles(input, character, settings.choice, roles);
        self.held.clear();
        let mut switcher = Switcher::new(profile, zones, settings.track_delay_ms);
        let mut routed: Routes = [[false; NUM_CHANNELS]; NUM_CHANNELS];
        let mut max_lead = 0.0f32;
        for (index, source) in input.notes.iter().enumerate() {
            let role = roles.get(index).copied().flatten();
            let step = switcher.step(source, role);
            let channel = step.note.channel;
            routed[usize::from(source.channel) % NUM_CHANNELS][usize::from(channel)] = true;
            let note_lead = (step.delay_ms / 1000.0) as f32;
            if !step.switches.is_empty() {
                let lead = note_lead + SWITCH_LEAD_SECONDS as f32;
                max_lead = max_lead.max(lead);
                let beats = step.note.start_beats;
                // The held keys of the articulation that ends are released as the new one's
                // note sounds.
                let notes = &mut out.notes;
                self.held.retain(|&(held_channel, key_index)| {
                    if held_channel != channel {
                        return true;
                    }
                    if let Some(key) = notes.get_mut(key_index) {
                        key.length_beats = (beats - key.start_beats).max(LATCHED_BEATS);
                    }
                    false
                });
                for switch in step.switches {
                    match *switch {
                        Switch::Cc { cc, value } => {
                            out.push_cc(CcPoint {
                                beats,
                                channel,
                                cc,
                                value: f32::from(value) / 127.0,
                                lead_seconds: lead,
                            });
                        }
                        Switch::Program { program } => {
                            out.push_cc(CcPoint {
                                beats,
                                channel,
                                cc: PROGRAM_CHANGE_CC,
                                value: f32::from(program) / 127.0,
                                lead_seconds: lead,
                            });
                        }
                        Switch::Key {
                            key,
                            velocity,
                            held,
                        } => {
                            let pushed = out.push_note(RenderedNote {
                                start_beats: beats,
                                length_beats: LATCHED_BEATS,
                                key,
                                velocity: f32::from(velocity) / 127.0,
                                channel,
                                voice: Voice::Keyswitch,
                                lead_seconds: lead,
                            });
                            if pushed && held && self.held.len() < self.held.capacity() {
                                self.held.push((channel, out.notes.len() - 1));
                            }
                        }
                        Switch::Channel { .. } => {}
                    }
                }
            }
            max_lead = max_lead.max(note_lead);
            out.push_note(RenderedNote {
                lead_seconds: note_lead,
                ..step.note
            });
        }
        // Held keys still down are released with the rendering's end.
        let end = input.length_beats;
        for &(_, key_index) in &self.held {
            if let Some(key) = out.notes.get_mut(key_index) {
                key.length_beats = (end - key.start_beats).max(LATCHED_BEATS);
            }
        }
        for point in routed_points(&input.ccs, &routed) {
            out.push_cc(point);
        }
        out.max_lead_seconds = max_lead;
        out.finish();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::character::{render, CharacterSettings};
    use crate::engine::rendering::{MAX_RENDER_CCS, MAX_RENDER_NOTES};

    #[test]
    fn every_factory_profile_articulates_swell() {
        let motif = crate::engine::demo::demo_motif();
        let mut rendering = Rendering::new();
        render(
            &motif,
            &CharacterSettings {
                character: Character::Swell,
                ..CharacterSettings::default()
            },
            &mut rendering,
        );
        let mut articulator = LiveArticulator::new();
        let mut out = Rendering::with_capacity(MAX_RENDER_NOTES, MAX_RENDER_CCS);
        let mut roles = Vec::with_capacity(MAX_RENDER_NOTES);
        assert!(!articulator.articulate(
            &rendering,
            Character::Swell,
            &ArticulationSettings::default(),
            &mut out,
            &mut roles
        ));
        for (index, (id, _)) in FACTORY_PROFILES.iter().enumerate() {
            let settings = ArticulationSettings {
                profile: Some(index),
                ..ArticulationSettings::default()
            };
            assert!(articulator.articulate(
                &rendering,
                Character::Swell,
                &settings,
                &mut out,
                &mut roles
            ));
            assert_eq!(roles.len(), rendering.notes.len());
            let played = out.notes.iter().filter(|n| n.voice != Voice::Keyswitch);
            assert_eq!(played.count(), rendering.notes.len(), "{id}");
            assert!(out.notes.iter().all(|n| n.channel != 9), "{id}");
            let switches = out.ccs.iter().filter(|p| p.lead_seconds > 0.0).count()
                + out
                    .notes
                    .iter()
                    .filter(|n| n.voice == Voice::Keyswitch)
                    .count();
            assert!(
                switches > 0 || *id == "channel-per-articulation",
                "{id}: no switch"
            );
            assert!(out.max_lead_seconds >= 0.0);
        }
    }
}
