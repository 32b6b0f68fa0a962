//! Which articulation each note of a rendering asks for: a [`Role`] per note, decided by the
//! character, never changed inside a legato line.
//!
//! - **Swell** plays its line **legato**; a surge — the phrase that comes in after a break
//!   before the climax — is played **long hard** or **tremolo** (a setting), the line's own
//!   legato resuming after the next break.
//! - **Distant** plays **long soft** (flautando, sul tasto), or — a setting — **long muted**
//!   (con sordino) or **harmonics**: a memory, never a statement.
//! - **Piano** asks for none (it pedals); so does a rendering with no character.
//!
//! A role changes only at a phrase break — a rest of at least [`PHRASE_BREAK_BEATS`] in the
//! melody — or on a note after a rest, so a legato transition is never split by a switch.
//! Every voice sounding in a phrase (doubling, harmony, bass) takes that phrase's role.

use crate::engine::character::Character;
use crate::engine::climax::climax_beats;
use crate::engine::rendering::{Rendering, Voice};

/// What a passage asks of the instrument, whatever a library calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Connected notes with the library's legato transitions (Swell's line).
    Legato,
    /// Long notes with a hard attack (marcato, cuivré): a surge.
    LongHard,
    /// Bowed tremolo: a surge's agitation.
    Tremolo,
    /// Long and soft: flautando, sul tasto (Distant).
    LongSoft,
    /// Long, con sordino (Distant, a setting).
    LongMuted,
    /// Harmonics (Distant, a setting).
    Harmonics,
}

impl Role {
    /// Every role, in this order (profiles list theirs in it).
    pub const ALL: [Role; 6] = [
        Role::Legato,
        Role::LongHard,
        Role::Tremolo,
        Role::LongSoft,
        Role::LongMuted,
        Role::Harmonics,
    ];

    /// The name used in profile files and the CLI (`legato`, `long-hard` …).
    pub fn id(self) -> &'static str {
        match self {
            Role::Legato => "legato",
            Role::LongHard => "long-hard",
            Role::Tremolo => "tremolo",
            Role::LongSoft => "long-soft",
            Role::LongMuted => "long-muted",
            Role::Harmonics => "harmonics",
        }
    }

    /// The role named `id` (as [`id`](Self::id) writes it).
    pub fn from_id(id: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.id() == id)
    }
}

/// The settings that pick among a character's roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleChoice {
    /// Swell's surge (the phrase after a break before the climax): long hard or tremolo.
    pub surge: Role,
    /// Distant's colour: long soft, long muted or harmonics.
    pub distant: Role,
    /// One role for every note, whatever the character (a per-slot override).
    pub forced: Option<Role>,
}

impl Default for RoleChoice {
    fn default() -> Self {
        Self {
            surge: Role::LongHard,
            distant: Role::LongSoft,
            forced: None,
        }
    }
}

/// A silence in the melody at least this long is a phrase break, beats (a sixteenth note: a
/// detached line's gaps — a note held 90 % of its length leaves a tenth of a beat — stay
/// inside the phrase; a written rest does not).
pub const PHRASE_BREAK_BEATS: f64 = 0.25;

/// Notes this close to a phrase's first melody note belong with it (a chord's humanized
/// voices), beats: a thirty-second note.
pub const CHORD_BEATS: f64 = 0.125;

/// The role of each of `rendering`'s notes (in its order) into `out` (cleared first; `None`:
/// the character asks for none). `out` has room for the rendering's notes: never allocates
/// beyond what it holds.
pub fn assign_roles(
    rendering: &Rendering,
    character: Character,
    choice: RoleChoice,
    out: &mut Vec<Option<Role>>,
) {
    out.clear();
    let base = match (choice.forced, character) {
        (Some(role), _) => Some(role),
        (None, Character::Swell) => Some(Role::Legato),
        (None, Character::Distant) => Some(choice.distant),
        (None, Character::Piano | Character::None) => None,
    };
    // The surge: Swell's phrase that starts after a break and holds the climax.
    let surge = match (choice.forced, character) {
        (None, Character::Swell) => surge_span(rendering, character),
        _ => None,
    };
    for note in rendering.notes.iter() {
        let role = match surge {
            Some((from, until))
                if note.start_beats >= from - CHORD_BEATS
                    && note.start_beats < until - CHORD_BEATS =>
            {
                Some(choice.surge)
            }
            _ => base,
        };
        out.push(role);
    }
}

/// Where Swell's surge lies: from the first melody note after the last phrase break before the
/// climax to the next phrase break after it (melody onsets; `None` when the line does not break
/// before its climax: then it is legato throughout).
fn surge_span(rendering: &Rendering, character: Character) -> Option<(f64, f64)> {
    let climax = climax_beats(rendering, character)?;
    let mut start = None;
    let mut previous_end: Option<f64> = None;
    let mut until = f64::INFINITY;
    for note in rendering.voice(Voice::Melody) {
        let breaks = previous_end.is_some_and(|end| note.start_beats - end >= PHRASE_BREAK_BEATS);
        if note.start_beats <= climax {
            if breaks {
                start = Some(note.start_beats);
            }
        } else if breaks {
            until = note.start_beats;
            break;
        }
        previous_end =
            Some(previous_end.map_or(note.end_beats(), |e: f64| e.max(note.end_beats())));
    }
    start.map(|from| (from, until))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rendering::RenderedNote;

    fn line(notes: &[(f64, f64)]) -> Rendering {
        let mut rendering = Rendering::new();
        for (i, &(start, length)) in notes.iter().enumerate() {
            rendering.push_note(RenderedNote {
                lead_seconds: 0.0,
                start_beats: start,
                length_beats: length,
                key: 60 + i as u8,
                velocity: 0.5 + 0.04 * i as f32,
                channel: 0,
                voice: Voice::Melody,
            });
        }
        rendering.finish();
        rendering
    }

    #[test]
    fn swell_is_legato_and_its_surge_starts_at_the_break_before_the_climax() {
        // A legato phrase, a rest, then the phrase rising to the last (loudest, highest) note.
        let rendering = line(&[(0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (4.0, 1.0), (5.0, 2.0)]);
        let mut roles = Vec::new();
        assign_roles(
            &rendering,
            Character::Swell,
            RoleChoice::default(),
            &mut roles,
        );
        assert_eq!(
            roles,
            vec![
                Some(Role::Legato),
                Some(Role::Legato),
                Some(Role::Legato),
                Some(Role::LongHard),
                Some(Role::LongHard)
            ]
        );
        // Without a break the line stays legato to the end.
        let unbroken = line(&[(0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (3.0, 2.0)]);
        assign_roles(
            &unbroken,
            Character::Swell,
            RoleChoice::default(),
            &mut roles,
        );
        assert!(roles.iter().all(|r| *r == Some(Role::Legato)));
    }

    #[test]
    fn distant_takes_its_colour_piano_none_and_an_override_wins() {
        let rendering = line(&[(0.0, 1.0), (2.0, 1.0)]);
        let mut roles = Vec::new();
        let muted = RoleChoice {
            distant: Role::LongMuted,
            ..RoleChoice::default()
        };
        assign_roles(&rendering, Character::Distant, muted, &mut roles);
        assert!(roles.iter().all(|r| *r == Some(Role::LongMuted)));
        assign_roles(
            &rendering,
            Character::Piano,
            RoleChoice::default(),
            &mut roles,
        );
        assert!(roles.iter().all(|r| r.is_none()));
        let forced = RoleChoice {
            forced: Some(Role::Tremolo),
            ..RoleChoice::default()
        };
        assign_roles(&rendering, Character::Piano, forced, &mut roles);
        assert!(roles.iter().all(|r| *r == Some(Role::Tremolo)));
    }
}
