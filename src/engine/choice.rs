//! Choice lists: every value an engine setting offers, in its frozen order, each with a stable
//! id (hosts save it in projects) and a label (what the composer reads). The plugin's enum
//! parameters, the editor and the command line are all built from these lists, so a setting
//! cannot exist in one place and be missing in another.
//!
//! Order and ids are frozen: new values are only ever appended.

/// One entry of a choice list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice<T: 'static> {
    /// The engine value.
    pub value: T,
    /// Stable id saved in host projects (lower-case ASCII); never changes once shipped.
    pub id: &'static str,
    /// Label shown to the composer (parameter text, editor, help).
    pub label: &'static str,
}

/// The labels of a choice list, in order (usable in `const` and `static` items).
pub const fn labels<T: Copy, const N: usize>(choices: &[Choice<T>; N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut idx = 0;
    while idx < N {
        out[idx] = choices[idx].label;
        idx += 1;
    }
    out
}

/// The ids of a choice list, in order (usable in `const` and `static` items).
pub const fn ids<T: Copy, const N: usize>(choices: &[Choice<T>; N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut idx = 0;
    while idx < N {
        out[idx] = choices[idx].id;
        idx += 1;
    }
    out
}

/// Index of `value` in `choices` (0 when absent). Allocation-free; lists are short.
pub fn index_of<T: Copy + PartialEq>(choices: &[Choice<T>], value: T) -> usize {
    choices
        .iter()
        .position(|choice| choice.value == value)
        .unwrap_or(0)
}

/// The value at `index`, or the first one when out of range.
pub fn value_at<T: Copy>(choices: &[Choice<T>], index: usize) -> T {
    choices.get(index).unwrap_or(&choices[0]).value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::character::{ChannelLayout, Character, Retrograde};
    use crate::engine::ops::dynamics::DynamicsCc;
    use crate::engine::playback::{LaunchQuantize, LiveCapture, PlaybackMode, TriggerTranspose};
    use crate::engine::quantize::{Grid, GRID_CHOICES};
    use crate::engine::scale::{ScaleMode, MODE_CHANGE_CHOICES};

    fn check<T: Copy + PartialEq + std::fmt::Debug>(choices: &[Choice<T>]) {
        for (idx, choice) in choices.iter().enumerate() {
            assert_eq!(
                index_of(choices, choice.value),
                idx,
                "{choice:?} listed twice"
            );
            assert_eq!(value_at(choices, idx), choice.value);
            assert!(
                choice
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "id {:?}",
                choice.id
            );
            assert!(!choice.label.is_empty());
            let same_id = choices.iter().filter(|c| c.id == choice.id).count();
            assert_eq!(same_id, 1, "id {:?} twice", choice.id);
        }
        assert_eq!(value_at(choices, 999), choices[0].value);
    }

    #[test]
    fn every_list_is_consistent_and_complete() {
        check(&Character::CHOICES);
        check(&Retrograde::CHOICES);
        check(&ChannelLayout::CHOICES);
        check(&PlaybackMode::CHOICES);
        check(&LaunchQuantize::CHOICES);
        check(&TriggerTranspose::CHOICES);
        check(&LiveCapture::CHOICES);
        check(&DynamicsCc::CHOICES);
        check(&MODE_CHANGE_CHOICES);
        check(&GRID_CHOICES);
        // Every engine mode and grid is offered (a missing one was a defect).
        for mode in ScaleMode::ALL {
            assert!(MODE_CHANGE_CHOICES.iter().any(|c| c.value == Some(mode)));
        }
        for grid in Grid::ALL {
            assert!(GRID_CHOICES.iter().any(|c| c.value == Some(grid)));
        }
        for character in Character::ALL {
            assert!(Character::CHOICES.iter().any(|c| c.value == character));
        }
        assert_eq!(labels(&Character::CHOICES), ["Piano", "Swell", "Distant"]);
        assert_eq!(ids(&LiveCapture::CHOICES), ["off", "always", "armed"]);
    }
}
