//! The plugin's automatable parameters. Their string ids (`#[id = …]`) are frozen: hosts store
//! automation and state under them (the CLAP id is a hash of the string). Enum variant ids are
//! frozen too.

use std::sync::Arc;

use nice_plug::prelude::*;

use crate::engine::capture::DEFAULT_GAP_BEATS;
use crate::engine::character::{ChannelLayout, Character, CharacterSettings, Retrograde};
use crate::engine::live::{
    LaunchQuantize, LiveCapture, LiveSettings, PlaybackMode, TriggerTranspose, NUM_SLOTS,
};
use crate::engine::ops::dynamics::DynamicsCc;
use crate::engine::quantize::{Grid, Quantize};
use crate::engine::scale::ScaleMode;
use crate::library_state::LibraryHandle;

/// The three characters.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharacterChoice {
    /// Vulnerable, intimate solo piano line.
    #[id = "piano"]
    #[name = "Piano"]
    Piano,
    /// Orchestral surge.
    #[id = "swell"]
    #[name = "Swell"]
    Swell,
    /// Distant, whispering memory.
    #[id = "distant"]
    #[name = "Distant"]
    Distant,
}

/// Playback mode.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaybackChoice {
    #[id = "off"]
    #[name = "Off"]
    Off,
    #[id = "follow"]
    #[name = "Follow transport"]
    Follow,
    #[id = "trigger"]
    #[name = "Key trigger"]
    KeyTrigger,
}

/// Launch quantize.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchChoice {
    #[id = "off"]
    #[name = "Immediately"]
    Off,
    #[id = "beat"]
    #[name = "Next beat"]
    Beat,
    #[id = "bar"]
    #[name = "Next bar"]
    Bar,
}

/// Trigger transposition.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerTransposeChoice {
    #[id = "diatonic"]
    #[name = "Diatonic"]
    Diatonic,
    #[id = "chromatic"]
    #[name = "Chromatic"]
    Chromatic,
}

/// Retrograde.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetrogradeChoice {
    #[id = "off"]
    #[name = "Off"]
    Off,
    #[id = "pitches"]
    #[name = "Pitches"]
    Pitches,
    #[id = "full"]
    #[name = "Full"]
    Full,
}

/// Mode change.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeChoice {
    #[id = "keep"]
    #[name = "Keep"]
    Keep,
    #[id = "major"]
    #[name = "Major"]
    Major,
    #[id = "minor"]
    #[name = "Minor"]
    Minor,
    #[id = "harmonic_minor"]
    #[name = "Harmonic minor"]
    HarmonicMinor,
    #[id = "dorian"]
    #[name = "Dorian"]
    Dorian,
    #[id = "phrygian"]
    #[name = "Phrygian"]
    Phrygian,
    #[id = "lydian"]
    #[name = "Lydian"]
    Lydian,
    #[id = "mixolydian"]
    #[name = "Mixolydian"]
    Mixolydian,
}

/// Dynamics controller.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DynamicsChoice {
    #[id = "cc1"]
    #[name = "CC1 (dynamics)"]
    Cc1,
    #[id = "cc11"]
    #[name = "CC11 (expression)"]
    Cc11,
    #[id = "both"]
    #[name = "CC1 + CC11"]
    Both,
    #[id = "none"]
    #[name = "None"]
    None,
}

/// Channel layout.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelsChoice {
    #[id = "split"]
    #[name = "Voices on consecutive channels"]
    Split,
    #[id = "single"]
    #[name = "All on one channel"]
    Single,
}

/// Capture mode.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureChoice {
    #[id = "off"]
    #[name = "Off"]
    Off,
    #[id = "always"]
    #[name = "Always listening"]
    Always,
    #[id = "armed"]
    #[name = "Armed"]
    Armed,
}

/// Quantize on capture.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantizeChoice {
    #[id = "off"]
    #[name = "Off"]
    Off,
    #[id = "q4"]
    #[name = "1/4"]
    Quarter,
    #[id = "q8"]
    #[name = "1/8"]
    Eighth,
    #[id = "q16"]
    #[name = "1/16"]
    Sixteenth,
    #[id = "q32"]
    #[name = "1/32"]
    ThirtySecond,
    #[id = "q4t"]
    #[name = "1/4 triplet"]
    QuarterTriplet,
    #[id = "q8t"]
    #[name = "1/8 triplet"]
    EighthTriplet,
    #[id = "q16t"]
    #[name = "1/16 triplet"]
    SixteenthTriplet,
}

/// All parameters. Shared (`Arc`) between the host's threads, the audio thread and the editor;
/// every parameter is atomic inside nice-plug. The motif library is persisted with them.
#[derive(Params)]
pub struct RepriseParams {
    /// The motif library, saved with the project (versioned JSON).
    #[persist = "library"]
    pub library: LibraryHandle,

    /// Forward the notes played. Turning it off ends the forwarded notes at that sample.
    #[id = "pass_through"]
    pub pass_through: BoolParam,
    /// The character renderings play in.
    #[id = "character"]
    pub character: EnumParam<CharacterChoice>,
    /// The character macro, 0–1.
    #[id = "intensity"]
    pub intensity: FloatParam,
    /// Active library slot, 1–8.
    #[id = "slot"]
    pub slot: IntParam,
    /// How renderings start.
    #[id = "playback"]
    pub playback: EnumParam<PlaybackChoice>,
    /// Where follow-transport playback starts.
    #[id = "launch_quantize"]
    pub launch_quantize: EnumParam<LaunchChoice>,
    /// Loop (on) or one-shot (off).
    #[id = "loop"]
    pub looping: BoolParam,
    /// Lowest trigger key.
    #[id = "trigger_low"]
    pub trigger_low: IntParam,
    /// Highest trigger key.
    #[id = "trigger_high"]
    pub trigger_high: IntParam,
    /// How trigger keys transpose.
    #[id = "trigger_transpose"]
    pub trigger_transpose: EnumParam<TriggerTransposeChoice>,
    /// Chromatic transposition, semitones.
    #[id = "transpose_semitones"]
    pub transpose_semitones: IntParam,
    /// Diatonic transposition, scale steps.
    #[id = "transpose_steps"]
    pub transpose_steps: IntParam,
    /// Diatonic inversion.
    #[id = "invert"]
    pub invert: BoolParam,
    /// Retrograde.
    #[id = "retrograde"]
    pub retrograde: EnumParam<RetrogradeChoice>,
    /// Augmentation factor.
    #[id = "augmentation"]
    pub augmentation: FloatParam,
    /// Mode change.
    #[id = "mode"]
    pub mode: EnumParam<ModeChoice>,
    /// Dynamics controller.
    #[id = "dynamics_cc"]
    pub dynamics_cc: EnumParam<DynamicsChoice>,
    /// Channel layout.
    #[id = "channel_layout"]
    pub channel_layout: EnumParam<ChannelsChoice>,
    /// First output channel, 1–16.
    #[id = "base_channel"]
    pub base_channel: IntParam,
    /// Humanize amount.
    #[id = "humanize"]
    pub humanize: FloatParam,
    /// Seed for humanize and drift.
    #[id = "seed"]
    pub seed: IntParam,
    /// Capture mode.
    #[id = "capture_mode"]
    pub capture_mode: EnumParam<CaptureChoice>,
    /// Armed capture: turning this on arms the next phrase.
    #[id = "capture_arm"]
    pub capture_arm: BoolParam,
    /// Silence that ends a phrase, beats.
    #[id = "silence_beats"]
    pub silence_beats: FloatParam,
    /// Quantize on capture.
    #[id = "quantize"]
    pub quantize: EnumParam<QuantizeChoice>,
    /// Quantize strength.
    #[id = "quantize_strength"]
    pub quantize_strength: FloatParam,
    /// Tempo used when the host gives none, BPM.
    #[id = "tempo"]
    pub tempo: FloatParam,
    /// The host's bypass: renderings stop (their notes end at that sample) and everything played
    /// passes through untouched.
    #[id = "bypass"]
    pub bypass: BoolParam,
}

fn percent(name: &str, default: f32) -> FloatParam {
    FloatParam::new(name, default, FloatRange::Linear { min: 0.0, max: 1.0 })
        .with_unit(" %")
        .with_value_to_string(formatters::v2s_f32_percentage(0))
        .with_string_to_value(formatters::s2v_f32_percentage())
}

fn key_param(name: &str, default: i32) -> IntParam {
    IntParam::new(name, default, IntRange::Linear { min: 0, max: 127 })
        .with_value_to_string(formatters::v2s_i32_key_formatter())
        .with_string_to_value(formatters::s2v_i32_key_formatter())
}

impl RepriseParams {
    /// Parameters with defaults around a shared library handle.
    pub fn new(library: LibraryHandle) -> Self {
        Self {
            library,
            pass_through: BoolParam::new("Pass-through", true),
            character: EnumParam::new("Character", CharacterChoice::Piano),
            intensity: percent("Intensity", 0.5),
            slot: IntParam::new(
                "Slot",
                1,
                IntRange::Linear {
                    min: 1,
                    max: NUM_SLOTS as i32,
                },
            ),
            playback: EnumParam::new("Playback", PlaybackChoice::Follow),
            launch_quantize: EnumParam::new("Launch", LaunchChoice::Bar),
            looping: BoolParam::new("Loop", true).with_value_to_string(Arc::new(|on| {
                if on {
                    "Loop".into()
                } else {
                    "One-shot".into()
                }
            })),
            trigger_low: key_param("Trigger low key", 36),
            trigger_high: key_param("Trigger high key", 59),
            trigger_transpose: EnumParam::new(
                "Trigger transpose",
                TriggerTransposeChoice::Diatonic,
            ),
            transpose_semitones: IntParam::new(
                "Transpose",
                0,
                IntRange::Linear { min: -24, max: 24 },
            )
            .with_unit(" st"),
            transpose_steps: IntParam::new(
                "Transpose steps",
                0,
                IntRange::Linear { min: -14, max: 14 },
            )
            .with_unit(" steps"),
            invert: BoolParam::new("Invert", false),
            retrograde: EnumParam::new("Retrograde", RetrogradeChoice::Off),
            augmentation: FloatParam::new(
                "Augmentation",
                1.0,
                FloatRange::Skewed {
                    min: 0.25,
                    max: 4.0,
                    factor: FloatRange::skew_factor(-1.0),
                },
            )
            .with_unit("×")
            .with_value_to_string(formatters::v2s_f32_rounded(2)),
            mode: EnumParam::new("Mode", ModeChoice::Keep),
            dynamics_cc: EnumParam::new("Dynamics CC", DynamicsChoice::Cc1),
            channel_layout: EnumParam::new("Channels", ChannelsChoice::Split),
            base_channel: IntParam::new("Base channel", 1, IntRange::Linear { min: 1, max: 16 }),
            humanize: percent("Humanize", 0.3),
            seed: IntParam::new("Seed", 1, IntRange::Linear { min: 1, max: 9999 }),
            capture_mode: EnumParam::new("Capture", CaptureChoice::Always),
            capture_arm: BoolParam::new("Arm capture", false),
            silence_beats: FloatParam::new(
                "Silence to end phrase",
                DEFAULT_GAP_BEATS as f32,
                FloatRange::Linear { min: 0.5, max: 8.0 },
            )
            .with_unit(" beats")
            .with_step_size(0.25),
            quantize: EnumParam::new("Quantize", QuantizeChoice::Off),
            quantize_strength: percent("Quantize strength", 1.0),
            bypass: BoolParam::new("Bypass", false).make_bypass(),
            tempo: FloatParam::new(
                "Tempo (no transport)",
                120.0,
                FloatRange::Linear {
                    min: 30.0,
                    max: 300.0,
                },
            )
            .with_unit(" BPM")
            .with_step_size(0.1),
        }
    }

    /// The engine settings the parameters describe. Cheap; called at the top of every block.
    pub fn to_live_settings(&self) -> LiveSettings {
        let character = CharacterSettings {
            character: match self.character.value() {
                CharacterChoice::Piano => Character::Piano,
                CharacterChoice::Swell => Character::Swell,
                CharacterChoice::Distant => Character::Distant,
            },
            intensity: self.intensity.value() as f64,
            transpose_semitones: self.transpose_semitones.value(),
            transpose_steps: self.transpose_steps.value(),
            invert: self.invert.value(),
            retrograde: match self.retrograde.value() {
                RetrogradeChoice::Off => Retrograde::Off,
                RetrogradeChoice::Pitches => Retrograde::Pitches,
                RetrogradeChoice::Full => Retrograde::Full,
            },
            augmentation: self.augmentation.value() as f64,
            mode: match self.mode.value() {
                ModeChoice::Keep => None,
                ModeChoice::Major => Some(ScaleMode::Major),
                ModeChoice::Minor => Some(ScaleMode::Minor),
                ModeChoice::HarmonicMinor => Some(ScaleMode::HarmonicMinor),
                ModeChoice::Dorian => Some(ScaleMode::Dorian),
                ModeChoice::Phrygian => Some(ScaleMode::Phrygian),
                ModeChoice::Lydian => Some(ScaleMode::Lydian),
                ModeChoice::Mixolydian => Some(ScaleMode::Mixolydian),
            },
            key: None,
            dynamics_cc: match self.dynamics_cc.value() {
                DynamicsChoice::Cc1 => DynamicsCc::Modulation,
                DynamicsChoice::Cc11 => DynamicsCc::Expression,
                DynamicsChoice::Both => DynamicsCc::Both,
                DynamicsChoice::None => DynamicsCc::None,
            },
            channel_layout: match self.channel_layout.value() {
                ChannelsChoice::Split => ChannelLayout::Split,
                ChannelsChoice::Single => ChannelLayout::Single,
            },
            base_channel: (self.base_channel.value() - 1).clamp(0, 15) as u8,
            humanize: self.humanize.value() as f64,
            seed: self.seed.value().max(1) as u64,
            ..CharacterSettings::default()
        };
        let grid = match self.quantize.value() {
            QuantizeChoice::Off => None,
            QuantizeChoice::Quarter => Some(Grid::Quarter),
            QuantizeChoice::Eighth => Some(Grid::Eighth),
            QuantizeChoice::Sixteenth => Some(Grid::Sixteenth),
            QuantizeChoice::ThirtySecond => Some(Grid::ThirtySecond),
            QuantizeChoice::QuarterTriplet => Some(Grid::QuarterTriplet),
            QuantizeChoice::EighthTriplet => Some(Grid::EighthTriplet),
            QuantizeChoice::SixteenthTriplet => Some(Grid::SixteenthTriplet),
        };
        let (low, high) = (self.trigger_low.value(), self.trigger_high.value());
        let bypass = self.bypass.value();
        LiveSettings {
            character,
            active_slot: (self.slot.value() - 1).clamp(0, NUM_SLOTS as i32 - 1) as usize,
            playback_mode: match self.playback.value() {
                _ if bypass => PlaybackMode::Off,
                PlaybackChoice::Off => PlaybackMode::Off,
                PlaybackChoice::Follow => PlaybackMode::FollowTransport,
                PlaybackChoice::KeyTrigger => PlaybackMode::KeyTrigger,
            },
            launch_quantize: match self.launch_quantize.value() {
                LaunchChoice::Off => LaunchQuantize::Off,
                LaunchChoice::Beat => LaunchQuantize::Beat,
                LaunchChoice::Bar => LaunchQuantize::Bar,
            },
            looping: self.looping.value(),
            pass_through: self.pass_through.value() || bypass,
            trigger_low_key: low.min(high).clamp(0, 127) as u8,
            trigger_high_key: low.max(high).clamp(0, 127) as u8,
            trigger_transpose: match self.trigger_transpose.value() {
                TriggerTransposeChoice::Diatonic => TriggerTranspose::Diatonic,
                TriggerTransposeChoice::Chromatic => TriggerTranspose::Chromatic,
            },
            own_tempo_bpm: self.tempo.value() as f64,
            capture: match self.capture_mode.value() {
                _ if bypass => LiveCapture::Off,
                CaptureChoice::Off => LiveCapture::Off,
                CaptureChoice::Always => LiveCapture::AlwaysListening,
                CaptureChoice::Armed => LiveCapture::Armed,
            },
            capture_gap_beats: self.silence_beats.value() as f64,
            capture_quantize: grid.map(|grid| Quantize {
                grid,
                strength: self.quantize_strength.value() as f64,
            }),
            arm: self.capture_arm.value(),
        }
    }
}
