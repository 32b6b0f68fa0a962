//! Putting a profile's switches into a rendering's events (offline: the CLI), with the rules a
//! sampler needs:
//! - a switch goes out [`SWITCH_LEAD_SECONDS`] (1 ms) before the note it serves; a note that
//!   falls within 1 ms of the start waits until 1 ms (its end stays);
//! - only when the articulation on that channel changes (a chord, a legato line: one switch);
//! - a keyswitch note always gets its note-off (a latched one when the note it serves begins,
//!   a held one when the next articulation takes over or the rendering ends);
//! - a rendered note that would fall on a keyswitch key (it would switch, not sound) moves by
//!   an octave, away from the keyswitch range;
//! - a profile that routes articulations to channels takes the notes there, with the dynamics
//!   and pedal of the channel they came from.

use super::profile::{Onset, Profile, Switch};
use super::role::Role;
use crate::engine::event::NUM_CHANNELS;
use crate::engine::rendering::{CcPoint, RenderedNote, Rendering, Voice};
use crate::engine::time_map::TimeMap;

/// How long before the note it serves a switch goes out, seconds (a sampler must have changed
/// articulation when the note arrives; 1 ms is 48 samples at 48 kHz, more than any host's
/// event ordering within a sample needs, and far below what a player hears).
pub const SWITCH_LEAD_SECONDS: f64 = 0.001;

/// A program change at a beat.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgramPoint {
    /// Beats from the rendering's start.
    pub beats: f64,
    /// Channel 0–15.
    pub channel: u8,
    /// Program 0–127.
    pub program: u8,
}

/// A rendering with its articulations switched.
#[derive(Debug, Clone, Default)]
pub struct Articulated {
    /// The rendering's notes, routed, moved off keyswitch keys and (at the start) waiting for
    /// their switch; in onset order.
    pub notes: Vec<RenderedNote>,
    /// The keyswitch notes.
    pub keyswitches: Vec<RenderedNote>,
    /// Controller points: the rendering's (also on the channels its notes were routed to) and
    /// the switches'.
    pub ccs: Vec<CcPoint>,
    /// Program changes.
    pub programs: Vec<ProgramPoint>,
    /// The switch events, each with the onset of the note it serves: (switch beats, note beats).
    pub switch_times: Vec<(f64, f64)>,
    /// Notes moved by an octave off the keyswitch keys.
    pub num_moved: usize,
    /// Notes that waited for their switch (within 1 ms of the start).
    pub num_waited: usize,
    /// Notes sent early by their articulation's delay: (index in the rendering, beats early).
    pub compensated: Vec<(usize, f64)>,
    /// Notes whose delay reaches before the rendering's start: sent at once, late.
    pub num_late: usize,
}

/// When the events go out.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Timing {
    /// The resolution the events will be written at (a MIDI file's tick; 0 for exact times):
    /// the switch lead is one grid step longer, so rounding both times to the grid never brings
    /// a switch within 1 ms of its note.
    pub grid_beats: f64,
    /// The delay the composer already gives the track (negative track delay, as a positive
    /// number of ms): the profile's delays less this, so nothing is compensated twice.
    pub track_delay_ms: f64,
}

/// A legato transition: the note starts no later than this after the previous note on its
/// channel ends, beats (touching notes; float noise of the rendering's arithmetic).
const TOUCHING_BEATS: f64 = 1e-6;

/// Notes struck this close together on a channel are one chord, beats (a thirty-second note:
/// humanize moves a chord's voices a few milliseconds apart): they share their onset's kind,
/// and so their delay.
const CHORD_BEATS: f64 = 0.125;

/// The last onset on a channel, for telling transitions, chords and first notes apart.
#[derive(Debug, Clone, Copy)]
struct LastOnset {
    start_beats: f64,
    end_beats: f64,
    role: Option<Role>,
    onset: Onset,
}

/// The decisions made for each note, in onset order, by the offline [`articulate`] and the
/// live [`super::live::LiveArticulator`] alike: its channel (a profile may route), its key (off
/// the keyswitch keys), its kind of onset and so its delay, and whether its articulation
/// changes (the switches to send). Never allocates.
#[derive(Debug, Clone)]
pub struct Switcher<'a> {
    profile: &'a Profile,
    zones: &'a [(u8, u8)],
    track_delay_ms: f64,
    /// The articulation in force on each output channel.
    current: [Option<Role>; NUM_CHANNELS],
    /// Per output channel: where the notes sounding end, the role, and the last onset with its
    /// kind — a note joining the notes before it is a legato transition, one struck with them
    /// (a chord) shares their onset's kind.
    last: [Option<LastOnset>; NUM_CHANNELS],
}

/// What [`Switcher::step`] decided for one note.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// The note on its output channel, off the keyswitch keys (times unchanged).
    pub note: RenderedNote,
    /// Whether its key moved by an octave off a keyswitch.
    pub moved: bool,
    /// How late its articulation speaks, less the track's delay, ms (≥ 0): it goes out that
    /// much early.
    pub delay_ms: f64,
    /// The switches to send before it (its articulation changes on its channel); empty when
    /// none.
    pub switches: &'a [Switch],
}

impl<'a> Switcher<'a> {
    /// A switcher for `profile` (with its [`Profile::keyswitch_zones`]), nothing in force yet.
    pub fn new(profile: &'a Profile, zones: &'a [(u8, u8)], track_delay_ms: f64) -> Self {
        Self {
            profile,
            zones,
            track_delay_ms: if track_delay_ms.is_finite() {
                track_delay_ms
            } else {
                0.0
            },
            current: [None; NUM_CHANNELS],
            last: [None; NUM_CHANNELS],
        }
    }

    /// The next note (in onset order) with its role.
    pub fn step(&mut self, note: &RenderedNote, role: Option<Role>) -> Step<'a> {
        let profile: &'a Profile = self.profile;
        let switches = role.map_or(&[][..], |role| profile.switches_for(role));
        let channel = switches
            .iter()
            .find_map(|s| match s {
                Switch::Channel { channel } => Some(*channel),
                _ => None,
            })
            .unwrap_or(note.channel)
            .min(NUM_CHANNELS as u8 - 1);
        let mut note = RenderedNote { channel, ..*note };
        let moved = in_zones(note.key, self.zones);
        if moved {
            note.key = off_the_keyswitches(note.key, self.zones);
        }
        let slot = &mut self.last[usize::from(channel)];
        let onset = match *slot {
            Some(l) if l.role == role && note.start_beats - l.start_beats <= CHORD_BEATS => l.onset,
            Some(l) if l.role == role && note.start_beats <= l.end_beats + TOUCHING_BEATS => {
                Onset::Transition
            }
            _ => Onset::First,
        };
        let ends = note.end_beats();
        *slot = Some(match *slot {
            Some(l) if note.start_beats - l.start_beats <= CHORD_BEATS => LastOnset {
                end_beats: l.end_beats.max(ends),
                ..l
            },
            Some(l) => LastOnset {
                start_beats: note.start_beats,
                end_beats: l.end_beats.max(ends),
                role,
                onset,
            },
            None => LastOnset {
                start_beats: note.start_beats,
                end_beats: ends,
                role,
                onset,
            },
        });
        let delay_ms = role.map_or(0.0, |role| {
            let velocity = (note.velocity.clamp(0.0, 1.0) * 127.0).round().max(1.0) as u8;
            (profile.delay_ms(role, onset, velocity) - self.track_delay_ms).max(0.0)
        });
        let current = &mut self.current[usize::from(channel)];
        let changes = role.is_some() && *current != role;
        if role.is_some() {
            *current = role;
        }
        let sends = switches
            .iter()
            .any(|s| !matches!(s, Switch::Channel { .. }));
        Step {
            note,
            moved,
            delay_ms,
            switches: if changes && sends { switches } else { &[] },
        }
    }
}

/// `rendering` with `profile`'s switches for `roles` (one per note, as
/// [`super::role::assign_roles`] gives), timed through `time_map`; each note sent early by its
/// articulation's delay ([`Profile::delay_ms`], less the track's), so it *sounds* on its beat.
pub fn articulate(
    rendering: &Rendering,
    roles: &[Option<Role>],
    profile: &Profile,
    time_map: &TimeMap,
    timing: Timing,
) -> Articulated {
    let grid_beats = timing.grid_beats;
    let grid = if grid_beats.is_finite() {
        grid_beats.max(0.0)
    } else {
        0.0
    };
    let lead_at =
        |beats: f64| SWITCH_LEAD_SECONDS * time_map.tempo_at(beats.max(0.0)) / 60.0 + grid;
    let zones = profile.keyswitch_zones();
    let mut switcher = Switcher::new(profile, &zones, timing.track_delay_ms);
    let mut out = Articulated::default();
    // The held keyswitch notes (output channel, index into `out.keyswitches`).
    let mut held: Vec<(u8, usize)> = Vec::new();
    // Which output channels each source channel's notes went to (its controllers follow).
    let mut routed: Routes = [[false; NUM_CHANNELS]; NUM_CHANNELS];
    for (index, source) in rendering.notes.iter().enumerate() {
        let role = roles.get(index).copied().flatten();
        let step = switcher.step(source, role);
        let mut note = step.note;
        let channel = note.channel;
        routed[usize::from(source.channel) % NUM_CHANNELS][usize::from(channel)] = true;
        if step.moved {
            out.num_moved += 1;
        }
        // The delay: the note goes out that much early so it sounds on its beat.
        if step.delay_ms > 0.0 {
            let early = step.delay_ms / 1000.0 * time_map.tempo_at(note.start_beats) / 60.0;
            let end = note.end_beats();
            if note.start_beats - early < 0.0 {
                out.num_late += 1;
            }
            note.start_beats = (note.start_beats - early).max(0.0);
            note.length_beats = end - note.start_beats;
            out.compensated.push((index, early));
        }
        if !step.switches.is_empty() {
            let lead = lead_at(note.start_beats);
            let mut at = note.start_beats - lead;
            if at < 0.0 {
                // Within 1 ms of the start: the note waits for its switch.
                at = 0.0;
                let end = note.end_beats();
                note.start_beats = lead;
                note.length_beats = (end - lead).max(lead);
                out.num_waited += 1;
            }
            // The held keys of the articulation that ends are released as the new one comes.
            held.retain(|&(held_channel, key_index)| {
                if held_channel == channel {
                    let key = &mut out.keyswitches[key_index];
                    key.length_beats = (at - key.start_beats).max(lead / 2.0);
                    false
                } else {
                    true
                }
            });
            for switch in step.switches {
                match *switch {
                    Switch::Cc { cc, value } => out.ccs.push(CcPoint {
                        beats: at,
                        channel,
                        cc,
                        value: f32::from(value) / 127.0,
                        lead_seconds: 0.0,
                    }),
                    Switch::Program { program } => out.programs.push(ProgramPoint {
                        beats: at,
                        channel,
                        program,
                    }),
                    Switch::Key {
                        key,
                        velocity,
                        held: is_held,
                    } => {
                        out.keyswitches.push(RenderedNote {
                            start_beats: at,
                            // Latched: released as the note it serves begins.
                            length_beats: note.start_beats - at,
                            key,
                            velocity: f32::from(velocity) / 127.0,
                            channel,
                            voice: Voice::Keyswitch,
                            lead_seconds: 0.0,
                        });
                        if is_held {
                            held.push((channel, out.keyswitches.len() - 1));
                        }
                    }
                    Switch::Channel { .. } => {}
                }
                out.switch_times.push((at, note.start_beats));
            }
        }
        out.notes.push(note);
    }
    // Held keys still down are released with the rendering's end.
    let end = rendering
        .length_beats
        .max(out.notes.iter().map(|n| n.end_beats()).fold(0.0, f64::max));
    for (_, key_index) in held {
        let key = &mut out.keyswitches[key_index];
        key.length_beats = (end - key.start_beats).max(key.length_beats);
    }
    out.ccs.extend(routed_points(&rendering.ccs, &routed));
    out.notes
        .sort_by(|a, b| a.start_beats.total_cmp(&b.start_beats));
    out.ccs.sort_by(|a, b| a.beats.total_cmp(&b.beats));
    out.programs.sort_by(|a, b| a.beats.total_cmp(&b.beats));
    out
}

/// Which output channels each source channel's notes went to, `[source][output]`.
pub type Routes = [[bool; NUM_CHANNELS]; NUM_CHANNELS];

/// The rendering's controller `points`, each on the channels its channel's notes were routed
/// to (kept on its own channel when nothing was routed away from it, or some notes stayed).
pub fn routed_points<'r>(
    points: &'r [CcPoint],
    routed: &'r Routes,
) -> impl Iterator<Item = CcPoint> + 'r {
    points.iter().flat_map(move |point| {
        let source = usize::from(point.channel) % NUM_CHANNELS;
        let targets = &routed[source];
        let keep = !targets.iter().any(|&t| t) || targets[source];
        (0..NUM_CHANNELS)
            .filter(move |&channel| {
                if channel == source {
                    keep
                } else {
                    targets[channel]
                }
            })
            .map(move |channel| CcPoint {
                channel: channel as u8,
                ..*point
            })
    })
}

/// Whether `key` lies in one of the keyswitch `zones`.
fn in_zones(key: u8, zones: &[(u8, u8)]) -> bool {
    zones.iter().any(|&(low, high)| (low..=high).contains(&key))
}

/// `key` moved by the fewest octaves (up first) out of every keyswitch zone, within 0–127; a
/// key that no octave frees (zones covering every octave of it) stays.
fn off_the_keyswitches(key: u8, zones: &[(u8, u8)]) -> u8 {
    for octaves in 1..=10i32 {
        for direction in [1, -1] {
            let moved = i32::from(key) + direction * 12 * octaves;
            if (0..=127).contains(&moved) && !in_zones(moved as u8, zones) {
                return moved as u8;
            }
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::articulation::profile::FACTORY_PROFILES;
    use crate::engine::articulation::role::{assign_roles, RoleChoice};
    use crate::engine::character::{render, Character, CharacterSettings};
    use crate::engine::motif::TimeSignature;

    #[test]
    fn a_key_on_a_keyswitch_moves_by_the_fewest_octaves_out_of_every_zone() {
        let block = [(24, 35)];
        for key in 24..=35 {
            let moved = off_the_keyswitches(key, &block);
            assert_eq!(moved, key + 12, "{key} -> {moved}");
        }
        // Two zones far apart: a note between them stays, one in a zone moves an octave.
        let apart = [(24, 24), (108, 108)];
        assert!(!in_zones(60, &apart));
        assert_eq!(off_the_keyswitches(108, &apart), 120);
        assert_eq!(off_the_keyswitches(24, &apart), 36);
        assert_eq!(off_the_keyswitches(120, &[(120, 127)]), 108);
        assert_eq!(off_the_keyswitches(0, &[(0, 0)]), 12);
    }

    #[test]
    fn every_factory_profile_switches_ahead_of_its_note_and_releases_its_keys() {
        let motif = crate::engine::demo::demo_motif();
        let time_map = TimeMap::constant(TimeSignature::new(3, 4), motif.tempo_bpm);
        for character in [Character::Swell, Character::Distant] {
            let mut rendering = Rendering::new();
            render(
                &motif,
                &CharacterSettings {
                    character,
                    ..CharacterSettings::default()
                },
                &mut rendering,
            );
            let mut roles = Vec::new();
            assign_roles(&rendering, character, RoleChoice::default(), &mut roles);
            for (id, make) in FACTORY_PROFILES {
                let profile = make();
                let out = articulate(&rendering, &roles, &profile, &time_map, Timing::default());
                assert_eq!(out.notes.len(), rendering.notes.len());
                for &(switch, note) in &out.switch_times {
                    let ahead = time_map.seconds_at(note) - time_map.seconds_at(switch);
                    assert!(
                        ahead >= SWITCH_LEAD_SECONDS - 1e-9,
                        "{id}: a switch {ahead} s before its note"
                    );
                }
                for key in &out.keyswitches {
                    assert!(
                        key.length_beats > 0.0,
                        "{id}: a keyswitch without its note-off"
                    );
                }
                let zones = profile.keyswitch_zones();
                assert!(out.notes.iter().all(|n| !in_zones(n.key, &zones)), "{id}");
                assert!(out.notes.iter().all(|n| n.channel != 9), "{id}: channel 10");
                assert!(
                    !out.switch_times.is_empty() || id == "channel-per-articulation",
                    "{id}: {character:?} switched nothing"
                );
            }
        }
    }
}
