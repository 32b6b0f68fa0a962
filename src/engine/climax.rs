//! The notes of a statement that a picture hit can take: its climax and its first note.
//!
//! - Swell and Piano: the climax is the melody's last highest note (in Swell the CC crescendo
//!   peaks there).
//! - Distant: the head's first note (a memory has no peak; its entrance is the moment).
//! - No character: as Piano.

use super::character::Character;
use super::hit_lock::Targets;
use super::rendering::{Rendering, Voice};

/// The rendering's climax onset, beats from its start, or `None` for an empty rendering.
pub fn climax_beats(rendering: &Rendering, character: Character) -> Option<f64> {
    let mut melody = rendering.voice(Voice::Melody);
    match character {
        Character::Distant => melody.next().map(|n| n.start_beats),
        Character::Piano | Character::Swell | Character::None => melody
            .fold(None, |best: Option<(u8, f64)>, note| match best {
                Some((key, _)) if key > note.key => best,
                // Later notes of the same height win: the last highest.
                Some((key, start)) if key == note.key && start > note.start_beats => best,
                _ => Some((note.key, note.start_beats)),
            })
            .map(|(_, start)| start),
    }
}

/// What hit lock aims at in `rendering`: its climax and its first note.
pub fn targets(rendering: &Rendering, character: Character) -> Targets {
    Targets {
        climax_beats: climax_beats(rendering, character),
        first_beats: rendering.first_onset_beats(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rendering::RenderedNote;

    fn melody(notes: &[(f64, u8)]) -> Rendering {
        let mut rendering = Rendering::new();
        for &(start, key) in notes {
            rendering.push_note(RenderedNote {
                lead_seconds: 0.0,
                start_beats: start,
                length_beats: 0.5,
                key,
                velocity: 0.7,
                channel: 0,
                voice: Voice::Melody,
            });
        }
        rendering.push_note(RenderedNote {
            lead_seconds: 0.0,
            start_beats: 0.5,
            length_beats: 1.0,
            key: 90,
            velocity: 0.7,
            channel: 1,
            voice: Voice::Doubling,
        });
        rendering.finish();
        rendering
    }

    #[test]
    fn the_climax_is_the_melodys_last_highest_note_or_distants_first() {
        let rendering = melody(&[
            (0.0, 60),
            (1.0, 67),
            (2.0, 72),
            (3.0, 65),
            (5.0, 72),
            (6.0, 60),
        ]);
        assert_eq!(climax_beats(&rendering, Character::Swell), Some(5.0));
        assert_eq!(climax_beats(&rendering, Character::Piano), Some(5.0));
        assert_eq!(climax_beats(&rendering, Character::Distant), Some(0.0));
        assert_eq!(climax_beats(&Rendering::new(), Character::Swell), None);
    }
}
