//! The three characters — Piano, Swell, Distant — as fixed recipes of operators driven by one
//! Intensity macro plus the shared controls (transpose, invert, retrograde, augmentation, mode,
//! dynamics CC, channel layout, humanize, seed).
//!
//! [`render`] fills a caller-owned [`Rendering`] without allocating: the plugin can call it on
//! the audio thread when a parameter changes. Same motif + settings + seed → same rendering.

pub mod distant;
pub mod piano;
pub mod swell;

use super::choice::Choice;
use super::key::{Key, Mode};
use super::motif::{whole_bars_beats, Motif, TimeSignature};
use super::ops::augmentation::{augment, nearest_metric_factor};
use super::ops::dynamics::DynamicsCc;
use super::ops::inversion::invert;
use super::ops::key_range::KeyRangePolicy;
use super::ops::mode_change::change_mode;
use super::ops::retrograde::{retrograde_full, retrograde_pitches};
use super::ops::transpose::{transpose_chromatic, transpose_diatonic};
use super::rendering::{RenderedNote, Rendering, Voice};
use super::scale::{Scale, ScaleMode};

/// The character a motif is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Character {
    /// Vulnerable, intimate solo piano line.
    #[default]
    Piano,
    /// Orchestral surge.
    Swell,
    /// Distant, whispering memory.
    Distant,
    /// No character: only the shared operators the user set (for checking them one by one).
    None,
}

impl Character {
    /// The three characters.
    pub const ALL: [Character; 3] = [Character::Piano, Character::Swell, Character::Distant];

    /// The characters a parameter offers, in their frozen order.
    pub const CHOICES: [Choice<Character>; 3] = [
        Choice {
            value: Character::Piano,
            id: "piano",
            label: "Piano",
        },
        Choice {
            value: Character::Swell,
            id: "swell",
            label: "Swell",
        },
        Choice {
            value: Character::Distant,
            id: "distant",
            label: "Distant",
        },
    ];

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Character::Piano => "piano",
            Character::Swell => "swell",
            Character::Distant => "distant",
            Character::None => "none",
        }
    }

    /// Parses a [`name`](Self::name).
    pub fn parse(text: &str) -> Option<Character> {
        let text = text.trim().to_ascii_lowercase();
        [
            Character::Piano,
            Character::Swell,
            Character::Distant,
            Character::None,
        ]
        .into_iter()
        .find(|c| c.name() == text)
    }
}

/// Retrograde choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Retrograde {
    /// Forwards.
    #[default]
    Off,
    /// Pitches backwards, rhythm kept.
    Pitches,
    /// Pitches and rhythm backwards.
    Full,
}

impl Retrograde {
    /// The choices, in their frozen order.
    pub const CHOICES: [Choice<Retrograde>; 3] = [
        Choice {
            value: Retrograde::Off,
            id: "off",
            label: "Off",
        },
        Choice {
            value: Retrograde::Pitches,
            id: "pitches",
            label: "Pitches",
        },
        Choice {
            value: Retrograde::Full,
            id: "full",
            label: "Full",
        },
    ];
}

/// Where the voices go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChannelLayout {
    /// Every voice on the base channel.
    Single,
    /// Melody on the base channel, then doubling, harmony, bass on the following channels.
    #[default]
    Split,
}

impl ChannelLayout {
    /// The choices, in their frozen order.
    pub const CHOICES: [Choice<ChannelLayout>; 2] = [
        Choice {
            value: ChannelLayout::Split,
            id: "split",
            label: "Voices on consecutive channels",
        },
        Choice {
            value: ChannelLayout::Single,
            id: "single",
            label: "All on one channel",
        },
    ];
}

/// Everything that shapes a rendering.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CharacterSettings {
    /// The character.
    pub character: Character,
    /// The macro, 0–1.
    pub intensity: f64,
    /// Chromatic transposition, semitones.
    pub transpose_semitones: i32,
    /// Diatonic transposition, scale steps.
    pub transpose_steps: i32,
    /// Diatonic inversion around the first note.
    pub invert: bool,
    /// Retrograde.
    pub retrograde: Retrograde,
    /// User augmentation factor on top of the character's own: one of
    /// [`METRIC_FACTORS`](super::ops::augmentation::METRIC_FACTORS) (1 = none); other values
    /// take the nearest.
    pub augmentation: f64,
    /// Mode change to apply (same tonic), if any.
    pub mode: Option<ScaleMode>,
    /// Key to use instead of the motif's locked/detected key.
    pub key: Option<Key>,
    /// Controller(s) for dynamics curves.
    pub dynamics_cc: DynamicsCc,
    /// Voices on one channel or split.
    pub channel_layout: ChannelLayout,
    /// Base output channel, 0–15.
    pub base_channel: u8,
    /// Humanize amount, 0–1.
    pub humanize: f64,
    /// Seed for humanize and drift.
    pub seed: u64,
    /// What to do with keys pushed out of 0–127.
    pub key_policy: KeyRangePolicy,
    /// Softest velocity (MIDI 1–127) Distant's fading statements and echoes may reach: the
    /// level the composer's instrument still sounds (default
    /// [`AUDIBLE_FLOOR_VELOCITY`](distant::AUDIBLE_FLOOR_VELOCITY)).
    pub softest_velocity: u8,
    /// Tempo the rendering will be played at, in BPM (sets the legato overlap in beats); `None`
    /// = the motif's tempo.
    pub playback_tempo_bpm: Option<f64>,
}

impl Default for CharacterSettings {
    fn default() -> Self {
        Self {
            character: Character::Piano,
            intensity: 0.5,
            transpose_semitones: 0,
            transpose_steps: 0,
            invert: false,
            retrograde: Retrograde::Off,
            augmentation: 1.0,
            mode: None,
            key: None,
            dynamics_cc: DynamicsCc::Modulation,
            channel_layout: ChannelLayout::Split,
            base_channel: 0,
            humanize: 0.3,
            seed: 1,
            key_policy: KeyRangePolicy::OctaveFold,
            softest_velocity: distant::AUDIBLE_FLOOR_VELOCITY as u8,
            playback_tempo_bpm: None,
        }
    }
}

impl CharacterSettings {
    /// Output channel of a voice under the layout. In the split layout the voices take the
    /// base channel and the ones after it, wrapping past channel 16 to channel 1 (so they stay
    /// on separate channels whatever the base; see [`Self::split_wraps`]).
    pub fn channel_for(&self, voice: Voice) -> u8 {
        let base = self.base_channel.min(15);
        match self.channel_layout {
            ChannelLayout::Single => base,
            ChannelLayout::Split => (base + voice.channel_offset()) % 16,
        }
    }

    /// Whether the split layout's voices run past channel 16 and wrap to channel 1 (a base
    /// channel above 13, counting from 1), which a composer should be told.
    pub fn split_wraps(&self) -> bool {
        self.channel_layout == ChannelLayout::Split
            && self.base_channel.min(15) + Voice::Bass.channel_offset() > 15
    }

    fn intensity(&self) -> f64 {
        if self.intensity.is_finite() {
            self.intensity.clamp(0.0, 1.0)
        } else {
            0.5
        }
    }
}

/// Renders `motif` with `settings` into `out` (cleared first). Never allocates.
pub fn render(motif: &Motif, settings: &CharacterSettings, out: &mut Rendering) {
    out.clear();
    for note in motif.notes() {
        out.push_note(RenderedNote {
            lead_seconds: 0.0,
            start_beats: note.start_beats,
            length_beats: note.length_beats,
            key: note.key,
            velocity: note.velocity,
            channel: 0,
            voice: Voice::Melody,
        });
    }
    out.length_beats = motif.length_beats;
    if out.notes.is_empty() {
        return;
    }
    let key = settings
        .key
        .or(motif.key())
        .unwrap_or(Key::new(0, Mode::Major));
    let mut scale = Scale::from(key);
    apply_shared_operators(
        out,
        settings,
        &mut scale,
        motif.time_signature.pulse_length_beats(),
    );

    let tempo_bpm = settings.playback_tempo_bpm.unwrap_or(motif.tempo_bpm);
    let context = RecipeContext {
        scale,
        intensity: settings.intensity(),
        metre: motif.time_signature,
        tempo_bpm: super::motif::sanitize_tempo_bpm(tempo_bpm),
    };
    match settings.character {
        Character::Piano => piano::render(out, settings, &context),
        Character::Swell => swell::render(out, settings, &context),
        Character::Distant => distant::render(out, settings, &context),
        Character::None => assign_channels(out, settings),
    }
    // No voice ever holds a (channel, key) twice: a sampler would cut the repeated note short.
    out.separate_repeated_keys(REPEATED_KEY_GAP_MS / 1000.0 * context.tempo_bpm / 60.0);
    out.finish();
    let end = out.notes_end_beats();
    let cc_end = out.ccs.iter().map(|p| p.beats).fold(0.0, f64::max);
    out.length_beats =
        whole_bars_beats(end.max(cc_end).max(out.length_beats), motif.time_signature);
}

/// Silence left between a note and the same key struck again on its channel, in milliseconds
/// at playback tempo: enough for a sampler to release the voice before the new attack.
pub const REPEATED_KEY_GAP_MS: f64 = 15.0;

/// What a recipe needs besides the settings.
pub(crate) struct RecipeContext {
    /// Scale of the (possibly mode-changed) key.
    pub scale: Scale,
    /// Intensity 0–1.
    pub intensity: f64,
    /// The motif's metre (the song's), whose bar lines and beats the rendering keeps.
    pub metre: TimeSignature,
    /// Playback tempo, BPM.
    pub tempo_bpm: f64,
}

/// The shared controls, in a fixed order: mode, inversion, retrograde, transposition, user
/// augmentation. `scale` follows a mode change.
fn apply_shared_operators(
    out: &mut Rendering,
    settings: &CharacterSettings,
    scale: &mut Scale,
    pulse_beats: f64,
) {
    let policy = settings.key_policy;
    if let Some(mode) = settings.mode {
        change_mode(out, *scale, mode, policy);
        scale.mode = mode;
    }
    if settings.invert {
        invert(out, *scale, None, policy);
    }
    match settings.retrograde {
        Retrograde::Off => {}
        Retrograde::Pitches => retrograde_pitches(out),
        Retrograde::Full => retrograde_full(out, pulse_beats),
    }
    transpose_diatonic(out, *scale, settings.transpose_steps, policy);
    transpose_chromatic(out, settings.transpose_semitones, policy);
    if settings.transpose_semitones != 0 {
        scale.tonic = (scale.tonic as i32 + settings.transpose_semitones).rem_euclid(12) as u8;
    }
    // Only factors that keep the metre (or the diminutions ½ and ¼) are offered; any other
    // value (an automation lane between steps, an old session's 1.5) takes the nearest.
    augment(out, nearest_metric_factor(settings.augmentation));
}

/// Puts every note on its voice's channel.
pub(crate) fn assign_channels(out: &mut Rendering, settings: &CharacterSettings) {
    for note in &mut out.notes {
        note.channel = settings.channel_for(note.voice);
    }
}

/// Shifts the melody by whole octaves so the middle of its range lands nearest `center_key`
/// (keys stay in range; intervals are untouched).
pub(crate) fn center_register(out: &mut Rendering, center_key: i32) {
    let min = out.notes.iter().map(|n| n.key as i32).min().unwrap_or(60);
    let max = out.notes.iter().map(|n| n.key as i32).max().unwrap_or(60);
    let mut shift = ((center_key - (min + max) / 2) as f64 / 12.0).round() as i32 * 12;
    // Keys are 0–127, so at most 11 octaves either way.
    for _ in 0..11 {
        if min + shift < 0 {
            shift += 12;
        } else if max + shift > 127 {
            shift -= 12;
        }
    }
    if min + shift >= 0 {
        for note in &mut out.notes {
            note.key = (note.key as i32 + shift) as u8;
        }
    }
}

/// Lowest and highest key of the rendering's notes.
pub(crate) fn key_range(out: &Rendering) -> (u8, u8) {
    out.notes
        .iter()
        .fold((127, 0), |(low, high), n| (low.min(n.key), high.max(n.key)))
}

/// Contour of a pitch within a key range, 0 (lowest) … 1 (highest).
pub(crate) fn contour((low, high): (u8, u8), key: u8) -> f32 {
    if high <= low {
        0.5
    } else {
        (key.saturating_sub(low)) as f32 / (high - low) as f32
    }
}
