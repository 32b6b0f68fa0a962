//! The plugin's automatable parameters. Their string ids (`#[id = …]`) are frozen: hosts store
//! automation and state under them (the CLAP id is a hash of the string). Enum variant ids are
//! frozen too.

use std::sync::Arc;

use nice_plug::prelude::*;

use crate::engine::articulation::choices::{
    DistantRole, SurgeRole, DISTANT_CHOICES, MAX_TRACK_DELAY_MS, PROFILE_CHOICES, SURGE_CHOICES,
};
use crate::engine::articulation::{ArticulationSettings, Role, RoleChoice};
use crate::engine::audio_capture::{
    AudioSource, AudioTracking, InputChannel, PitchRange, DEFAULT_GATE_DB,
};
use crate::engine::capture::DEFAULT_GAP_BEATS;
use crate::engine::character::{distant, ChannelLayout, Character, CharacterSettings, Retrograde};
use crate::engine::choice;
use crate::engine::fill::{MAX_FIT_BARS, MAX_RING_BARS, MIN_BUTTON_BARS};
use crate::engine::ops::augmentation::{keeps_metre, nearest_metric_factor};
use crate::engine::ops::dynamics::DynamicsCc;
use crate::engine::playback::{
    LaunchQuantize, LiveCapture, LiveSettings, PlaybackMode, TriggerTranspose, NUM_SLOTS,
};
use crate::engine::quantize::{Grid, Quantize, GRID_CHOICES};
use crate::engine::scale::{ScaleMode, MODE_CHANGE_CHOICES};
use crate::library_state::LibraryHandle;

/// An engine value picked by an enum parameter. The parameter's variants, their order, stable
/// ids and labels all come from the engine's choice list ([`crate::engine::choice`]): there is no
/// second copy of any enum here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pick<T>(pub T);

/// Implements nice-plug's [`Enum`] for `Pick<value>` from an engine choice list.
macro_rules! enum_from_choices {
    ($($value:ty => $choices:expr),+ $(,)?) => {$(
        impl Enum for Pick<$value> {
            fn variants() -> &'static [&'static str] {
                static LABELS: [&str; $choices.len()] = choice::labels(&$choices);
                &LABELS
            }

            fn ids() -> Option<&'static [&'static str]> {
                static IDS: [&str; $choices.len()] = choice::ids(&$choices);
                Some(&IDS)
            }

            fn to_index(self) -> usize {
                choice::index_of(&$choices, self.0)
            }

            fn from_index(index: usize) -> Self {
                Self(choice::value_at(&$choices, index))
            }
        }
    )+};
}

enum_from_choices! {
    Character => Character::CHOICES,
    PlaybackMode => PlaybackMode::CHOICES,
    LaunchQuantize => LaunchQuantize::CHOICES,
    TriggerTranspose => TriggerTranspose::CHOICES,
    Retrograde => Retrograde::CHOICES,
    Option<ScaleMode> => MODE_CHANGE_CHOICES,
    DynamicsCc => DynamicsCc::CHOICES,
    ChannelLayout => ChannelLayout::CHOICES,
    LiveCapture => LiveCapture::CHOICES,
    Option<Grid> => GRID_CHOICES,
    AudioSource => AudioSource::CHOICES,
    InputChannel => InputChannel::CHOICES,
    PitchRange => PitchRange::CHOICES,
    Option<usize> => PROFILE_CHOICES,
    SurgeRole => SURGE_CHOICES,
    DistantRole => DISTANT_CHOICES,
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
    pub character: EnumParam<Pick<Character>>,
    /// The character macro, 0–1.
    #[id = "intensity"]
    pub intensity: FloatParam,
    /// Active library slot, 1–8.
    #[id = "slot"]
    pub slot: IntParam,
    /// How renderings start.
    #[id = "playback"]
    pub playback: EnumParam<Pick<PlaybackMode>>,
    /// Where follow-transport playback starts.
    #[id = "launch_quantize"]
    pub launch_quantize: EnumParam<Pick<LaunchQuantize>>,
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
    pub trigger_transpose: EnumParam<Pick<TriggerTranspose>>,
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
    pub retrograde: EnumParam<Pick<Retrograde>>,
    /// Augmentation factor.
    #[id = "augmentation"]
    pub augmentation: FloatParam,
    /// Mode change.
    #[id = "mode"]
    pub mode: EnumParam<Pick<Option<ScaleMode>>>,
    /// Dynamics controller.
    #[id = "dynamics_cc"]
    pub dynamics_cc: EnumParam<Pick<DynamicsCc>>,
    /// Channel layout.
    #[id = "channel_layout"]
    pub channel_layout: EnumParam<Pick<ChannelLayout>>,
    /// First output channel, 1–16.
    #[id = "base_channel"]
    pub base_channel: IntParam,
    /// Humanize amount.
    #[id = "humanize"]
    pub humanize: FloatParam,
    /// Seed for humanize and drift.
    #[id = "seed"]
    pub seed: IntParam,
    /// Softest velocity Distant's fading echoes reach (MIDI 1–45).
    #[id = "softest_velocity"]
    pub softest_velocity: IntParam,
    /// Capture mode.
    #[id = "capture_mode"]
    pub capture_mode: EnumParam<Pick<LiveCapture>>,
    /// Armed capture: turning this on arms the next phrase.
    #[id = "capture_arm"]
    pub capture_arm: BoolParam,
    /// Silence that ends a phrase, beats.
    #[id = "silence_beats"]
    pub silence_beats: FloatParam,
    /// Quantize on capture.
    #[id = "quantize"]
    pub quantize: EnumParam<Pick<Option<Grid>>>,
    /// Quantize strength.
    #[id = "quantize_strength"]
    pub quantize_strength: FloatParam,
    /// Capture hears MIDI channel 10 (General MIDI drums) too; off by default, as drum hits are
    /// not a melody.
    #[id = "capture_drums"]
    pub capture_drums: BoolParam,
    /// Where capture hears notes: MIDI, the audio input (a voice or instrument line), or both.
    #[id = "capture_source"]
    pub capture_source: EnumParam<Pick<AudioSource>>,
    /// Which audio input channel the note tracker hears.
    #[id = "audio_input"]
    pub audio_input: EnumParam<Pick<InputChannel>>,
    /// The pitch range the tracker searches.
    #[id = "audio_range"]
    pub audio_range: EnumParam<Pick<PitchRange>>,
    /// Audio quieter than this is silence, dBFS (the tracker's sensitivity).
    #[id = "audio_gate"]
    pub audio_gate: FloatParam,
    /// Snap heard pitches to the scale of the active slot's locked key.
    #[id = "audio_snap"]
    pub audio_snap: BoolParam,
    /// Tempo used when the host gives none, BPM.
    #[id = "tempo"]
    pub tempo: FloatParam,
    /// The host's bypass: renderings stop (their notes end at that sample) and everything played
    /// passes through untouched.
    #[id = "bypass"]
    pub bypass: BoolParam,
    /// Hit lock: in Follow transport, statements land their climax or first note on the
    /// picture's hits (saved with the project); off = the plain loop on the song's grid.
    #[id = "hit_lock"]
    pub hit_lock: BoolParam,
    /// A key that taps hits while the transport plays (−1 = off).
    #[id = "tap_key"]
    pub tap_key: IntParam,
    /// Hit lock's stingers: laid over the running rendering (on) or played instead of it (off).
    #[id = "stinger_over"]
    pub stinger_over: BoolParam,
    /// Fit: the rendering lasts exactly this many bars, ending on a tonic button (0 = off).
    #[id = "fit_bars"]
    pub fit_bars: IntParam,
    /// Fit to the next `end` hit: the rendering's last launch before a cut plays a variation
    /// whose button starts on the cut (with hit lock).
    #[id = "fit_end_hit"]
    pub fit_end_hit: BoolParam,
    /// How long the button rings after the cut, bars.
    #[id = "end_ring"]
    pub end_ring: FloatParam,
    /// The sample library's articulation profile (notes only by default).
    #[id = "articulations"]
    pub articulations: EnumParam<Pick<Option<usize>>>,
    /// Swell's surge articulation.
    #[id = "surge_role"]
    pub surge_role: EnumParam<Pick<SurgeRole>>,
    /// Distant's articulation.
    #[id = "distant_role"]
    pub distant_role: EnumParam<Pick<DistantRole>>,
    /// The delay the track already has in the host (as a positive number), ms: taken off each
    /// articulation's delay so nothing is compensated twice.
    #[id = "track_delay"]
    pub track_delay: FloatParam,
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
    ///
    /// Long by design (one statement per parameter): it is the one list of the plugin's
    /// parameters, names, ranges and defaults as a host sees them, in the order of their frozen
    /// ids (`tests/data/param_snapshot.txt`); splitting it would scatter that list.
    pub fn new(library: LibraryHandle) -> Self {
        Self {
            library,
            pass_through: BoolParam::new("Pass-through", true),
            character: EnumParam::new("Character", Pick(Character::Piano)),
            intensity: percent("Intensity", 0.5),
            slot: IntParam::new(
                "Slot",
                1,
                IntRange::Linear {
                    min: 1,
                    max: NUM_SLOTS as i32,
                },
            ),
            playback: EnumParam::new("Playback", Pick(PlaybackMode::FollowTransport)),
            launch_quantize: EnumParam::new("Launch", Pick(LaunchQuantize::Bar)),
            looping: BoolParam::new("Loop", true)
                .with_value_to_string(Arc::new(
                    |on| {
                        if on {
                            "Loop".into()
                        } else {
                            "One-shot".into()
                        }
                    },
                ))
                // The inverse of the text above (hosts parse what they showed), plus On/Off.
                .with_string_to_value(Arc::new(|text| {
                    match text.trim().to_ascii_lowercase().as_str() {
                        "loop" | "on" | "1" | "true" => Some(true),
                        "one-shot" | "one shot" | "off" | "0" | "false" => Some(false),
                        _ => None,
                    }
                })),
            trigger_low: key_param("Trigger low key", 36),
            trigger_high: key_param("Trigger high key", 59),
            trigger_transpose: EnumParam::new(
                "Trigger transpose",
                Pick(TriggerTranspose::Diatonic),
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
            retrograde: EnumParam::new("Retrograde", Pick(Retrograde::Off)),
            augmentation: FloatParam::new(
                "Augmentation",
                1.0,
                FloatRange::Skewed {
                    min: 0.25,
                    max: 4.0,
                    factor: FloatRange::skew_factor(-1.0),
                },
            )
            .with_value_to_string(Arc::new(augmentation_to_string))
            .with_string_to_value(Arc::new(augmentation_from_string)),
            mode: EnumParam::new("Mode", Pick(None)),
            dynamics_cc: EnumParam::new("Dynamics CC", Pick(DynamicsCc::Modulation)),
            channel_layout: EnumParam::new("Channels", Pick(ChannelLayout::Split)),
            base_channel: IntParam::new("Base channel", 1, IntRange::Linear { min: 1, max: 16 }),
            humanize: percent("Humanize", 0.3),
            seed: IntParam::new("Seed", 1, IntRange::Linear { min: 1, max: 9999 }),
            softest_velocity: IntParam::new(
                "Softest velocity",
                distant::AUDIBLE_FLOOR_VELOCITY as i32,
                IntRange::Linear {
                    min: 1,
                    max: distant::MAX_VELOCITY as i32,
                },
            ),
            capture_mode: EnumParam::new("Capture", Pick(LiveCapture::AlwaysListening)),
            capture_arm: BoolParam::new("Arm capture", false),
            silence_beats: FloatParam::new(
                "Silence to end phrase",
                DEFAULT_GAP_BEATS as f32,
                FloatRange::Linear { min: 0.5, max: 8.0 },
            )
            .with_unit(" beats")
            .with_step_size(0.25),
            quantize: EnumParam::new("Quantize", Pick(None)),
            quantize_strength: percent("Quantize strength", 1.0),
            capture_drums: BoolParam::new("Capture channel 10 (drums)", false),
            capture_source: EnumParam::new("Capture from", Pick(AudioSource::Midi)),
            audio_input: EnumParam::new("Audio input", Pick(InputChannel::Sum)),
            audio_range: EnumParam::new("Audio range", Pick(PitchRange::Voice)),
            audio_gate: FloatParam::new(
                "Audio gate",
                DEFAULT_GATE_DB,
                FloatRange::Linear {
                    min: -80.0,
                    max: -10.0,
                },
            )
            .with_unit(" dB")
            .with_step_size(0.5),
            audio_snap: BoolParam::new("Snap audio to locked key", false),
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
            hit_lock: BoolParam::new("Hit lock", true),
            stinger_over: BoolParam::new("Stinger over rendering", false),
            fit_end_hit: BoolParam::new("Fit to end hit", false),
            end_ring: FloatParam::new(
                "Ring after cut",
                1.0,
                FloatRange::Linear {
                    min: MIN_BUTTON_BARS as f32,
                    max: MAX_RING_BARS as f32,
                },
            )
            .with_unit(" bar")
            .with_step_size(0.05),
            articulations: EnumParam::new("Articulations", Pick(None)),
            surge_role: EnumParam::new("Swell surge", Pick(SurgeRole(Role::LongHard))),
            distant_role: EnumParam::new("Distant colour", Pick(DistantRole(Role::LongSoft))),
            track_delay: FloatParam::new(
                "Track delay",
                0.0,
                FloatRange::Linear {
                    min: 0.0,
                    max: MAX_TRACK_DELAY_MS as f32,
                },
            )
            .with_unit(" ms")
            .with_step_size(1.0),
            fit_bars: IntParam::new(
                "Fit to bars",
                0,
                IntRange::Linear {
                    min: 0,
                    max: MAX_FIT_BARS as i32,
                },
            )
            .with_value_to_string(Arc::new(|bars| {
                if bars <= 0 {
                    "Off".into()
                } else {
                    format!("{bars} bars")
                }
            }))
            .with_string_to_value(Arc::new(|text| {
                let text = text.trim();
                if text.eq_ignore_ascii_case("off") {
                    Some(0)
                } else {
                    text.trim_end_matches("bars")
                        .trim_end_matches("bar")
                        .trim()
                        .parse()
                        .ok()
                }
            })),
            tap_key: IntParam::new("Tap key", -1, IntRange::Linear { min: -1, max: 127 })
                .with_value_to_string(Arc::new(|key| {
                    if key < 0 {
                        "Off".into()
                    } else {
                        formatters::v2s_i32_key_formatter()(key)
                    }
                }))
                .with_string_to_value(Arc::new(|text| {
                    if text.trim().eq_ignore_ascii_case("off") {
                        Some(-1)
                    } else {
                        formatters::s2v_i32_key_formatter()(text)
                    }
                })),
        }
    }

    /// The engine settings the parameters describe. Cheap; called at the top of every block.
    pub fn to_live_settings(&self) -> LiveSettings {
        let character = CharacterSettings {
            character: self.character.value().0,
            intensity: self.intensity.value() as f64,
            transpose_semitones: self.transpose_semitones.value(),
            transpose_steps: self.transpose_steps.value(),
            invert: self.invert.value(),
            retrograde: self.retrograde.value().0,
            augmentation: self.augmentation.value() as f64,
            mode: self.mode.value().0,
            key: None,
            dynamics_cc: self.dynamics_cc.value().0,
            channel_layout: self.channel_layout.value().0,
            base_channel: (self.base_channel.value() - 1).clamp(0, 15) as u8,
            humanize: self.humanize.value() as f64,
            seed: self.seed.value().max(1) as u64,
            softest_velocity: self.softest_velocity.value().clamp(1, 127) as u8,
            ..CharacterSettings::default()
        };
        let (low, high) = (self.trigger_low.value(), self.trigger_high.value());
        let bypass = self.bypass.value();
        LiveSettings {
            character,
            active_slot: (self.slot.value() - 1).clamp(0, NUM_SLOTS as i32 - 1) as usize,
            playback_mode: if bypass {
                PlaybackMode::Off
            } else {
                self.playback.value().0
            },
            launch_quantize: self.launch_quantize.value().0,
            looping: self.looping.value(),
            pass_through: self.pass_through.value() || bypass,
            trigger_low_key: low.min(high).clamp(0, 127) as u8,
            trigger_high_key: low.max(high).clamp(0, 127) as u8,
            trigger_transpose: self.trigger_transpose.value().0,
            own_tempo_bpm: self.tempo.value() as f64,
            capture: if bypass {
                LiveCapture::Off
            } else {
                self.capture_mode.value().0
            },
            capture_gap_beats: self.silence_beats.value() as f64,
            capture_quantize: self.quantize.value().0.map(|grid| Quantize {
                grid,
                strength: self.quantize_strength.value() as f64,
            }),
            arm: self.capture_arm.value(),
            capture_drums: self.capture_drums.value(),
            capture_source: self.capture_source.value().0,
            audio: AudioTracking {
                input_channel: self.audio_input.value().0,
                range: self.audio_range.value().0,
                gate_db: self.audio_gate.value(),
                snap_to_locked_key: self.audio_snap.value(),
            },
            hit_lock: self.hit_lock.value(),
            tap_key: u8::try_from(self.tap_key.value()).ok().filter(|k| *k < 128),
            stingers_over: self.stinger_over.value(),
            fit_bars: u32::try_from(self.fit_bars.value())
                .ok()
                .filter(|bars| *bars > 0),
            fit_to_end_hit: self.fit_end_hit.value(),
            end_ring_bars: f64::from(self.end_ring.value()),
            articulation: ArticulationSettings {
                profile: self.articulations.value().0,
                choice: RoleChoice {
                    surge: self.surge_role.value().0 .0,
                    distant: self.distant_role.value().0 .0,
                    forced: None,
                },
                track_delay_ms: f64::from(self.track_delay.value()),
            },
        }
    }
}

/// What the Augmentation parameter shows: the factor the rendering uses (the nearest metric
/// one, see [`nearest_metric_factor`]) and, for a diminution, what it does to the metre.
fn augmentation_to_string(value: f32) -> String {
    let factor = nearest_metric_factor(f64::from(value));
    if keeps_metre(factor) {
        format!("×{factor}")
    } else {
        format!("×{factor} ({} bars in 1)", (1.0 / factor).round())
    }
}

/// Reads what [`augmentation_to_string`] writes (`×2`, `×0.5 (2 bars in 1)`), or a plain number.
fn augmentation_from_string(text: &str) -> Option<f32> {
    let number: String = text
        .trim()
        .trim_start_matches(['×', 'x', 'X'])
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    number.parse::<f32>().ok().filter(|f| *f > 0.0)
}
