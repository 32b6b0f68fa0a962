//! Keeping keys inside MIDI's 0–127.

use crate::engine::rendering::Rendering;

/// What to do with a key that lands outside 0–127.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyRangePolicy {
    /// Move it by whole octaves into range (keeps the pitch class).
    #[default]
    OctaveFold,
    /// Remove the note (counted in `Rendering::num_dropped`).
    Drop,
}

/// The key for `pitch` under `policy`: the pitch itself when in range, else folded by octaves or
/// `None` (drop). Never wraps around.
pub fn place_key(pitch: i32, policy: KeyRangePolicy) -> Option<u8> {
    if (0..=127).contains(&pitch) {
        return Some(pitch as u8);
    }
    match policy {
        KeyRangePolicy::Drop => None,
        KeyRangePolicy::OctaveFold => {
            // The nearest octave of the same pitch class inside 0–127 (no loop: any i32 works).
            let folded = if pitch < 0 {
                pitch.rem_euclid(12)
            } else {
                127 - (127 - pitch).rem_euclid(12)
            };
            Some(folded as u8)
        }
    }
}

/// Whole octaves (in semitones) that bring pitches spanning `low..=high` inside 0–127, or 0 when
/// they already fit or cannot all fit.
fn octaves_to_fit(low: i32, high: i32) -> i32 {
    let (low, high) = (low as i64, high as i64);
    let shift = if high - low > 127 {
        0
    } else if high > 127 {
        -((high - 127 + 11) / 12) * 12
    } else if low < 0 {
        ((-low + 11) / 12) * 12
    } else {
        0
    };
    shift as i32
}

/// Applies `new_pitch` to every note selected by `filter`, placing keys by `policy`; notes that
/// must be dropped are removed (order of the others kept) and counted. With
/// [`KeyRangePolicy::OctaveFold`] the contour is kept: if the new pitches leave 0–127, the
/// whole selection moves by the same whole octaves back into range (counted in
/// `Rendering::octaves_shifted_to_fit`), and only a note that still cannot fit is folded alone.
pub fn map_keys(
    rendering: &mut Rendering,
    policy: KeyRangePolicy,
    filter: impl Fn(&crate::engine::rendering::RenderedNote) -> bool,
    new_pitch: impl Fn(&crate::engine::rendering::RenderedNote) -> i32,
) {
    let shift = if policy == KeyRangePolicy::OctaveFold {
        let (low, high) = rendering
            .notes
            .iter()
            .filter(|n| filter(n))
            .map(&new_pitch)
            .fold((i32::MAX, i32::MIN), |(low, high), p| {
                (low.min(p), high.max(p))
            });
        if low <= high {
            octaves_to_fit(low, high)
        } else {
            0
        }
    } else {
        0
    };
    rendering.octaves_shifted_to_fit += shift / 12;
    let mut num_dropped = 0;
    rendering.notes.retain_mut(|note| {
        if !filter(note) {
            return true;
        }
        match place_key(new_pitch(note).saturating_add(shift), policy) {
            Some(key) => {
                note.key = key;
                true
            }
            None => {
                num_dropped += 1;
                false
            }
        }
    });
    rendering.num_dropped += num_dropped;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_by_octaves_and_never_wraps() {
        assert_eq!(place_key(60, KeyRangePolicy::Drop), Some(60));
        assert_eq!(place_key(130, KeyRangePolicy::OctaveFold), Some(118));
        assert_eq!(place_key(-1, KeyRangePolicy::OctaveFold), Some(11));
        assert_eq!(place_key(-25, KeyRangePolicy::OctaveFold), Some(11));
        assert_eq!(place_key(128, KeyRangePolicy::Drop), None);
        assert_eq!(place_key(127, KeyRangePolicy::OctaveFold), Some(127));
        assert_eq!(place_key(0, KeyRangePolicy::OctaveFold), Some(0));
    }

    #[test]
    fn whole_lines_move_by_octaves_into_range() {
        assert_eq!(octaves_to_fit(60, 72), 0);
        assert_eq!(octaves_to_fit(1060, 1072), -948);
        assert_eq!(octaves_to_fit(-5, 10), 12);
        assert_eq!(octaves_to_fit(120, 130), -12);
        assert_eq!(octaves_to_fit(-10, 130), 0);
    }
}
