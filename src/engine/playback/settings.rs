//! What the parameters decide for the live engine: playback mode, launch, trigger, capture,
//! and which of them are structural (a change ends sounding notes) or only shape the rendering.

use crate::engine::articulation::ArticulationSettings;
use crate::engine::audio_capture::{AudioSource, AudioTracking};
use crate::engine::capture::{CaptureMode, CaptureSettings};
use crate::engine::character::CharacterSettings;
use crate::engine::choice::Choice;
use crate::engine::quantize::Quantize;

/// How renderings are started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlaybackMode {
    /// Renderings do not play (capture and pass-through still work).
    Off,
    /// Plays aligned to the host's bars while the transport runs (own tempo without transport).
    #[default]
    FollowTransport,
    /// A note in the trigger range starts the rendering transposed to that key.
    KeyTrigger,
}

impl PlaybackMode {
    /// The choices, in their frozen order.
    pub const CHOICES: [Choice<PlaybackMode>; 3] = [
        Choice {
            value: PlaybackMode::Off,
            id: "off",
            label: "Off",
        },
        Choice {
            value: PlaybackMode::FollowTransport,
            id: "follow",
            label: "Follow transport",
        },
        Choice {
            value: PlaybackMode::KeyTrigger,
            id: "trigger",
            label: "Key trigger",
        },
    ];
}

/// Where a rendering starts in follow-transport mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LaunchQuantize {
    /// At the current position.
    Off,
    /// At the next beat.
    Beat,
    /// At the next bar line.
    #[default]
    Bar,
}

impl LaunchQuantize {
    /// The choices, in their frozen order.
    pub const CHOICES: [Choice<LaunchQuantize>; 3] = [
        Choice {
            value: LaunchQuantize::Off,
            id: "off",
            label: "Immediately",
        },
        Choice {
            value: LaunchQuantize::Beat,
            id: "beat",
            label: "Next beat",
        },
        Choice {
            value: LaunchQuantize::Bar,
            id: "bar",
            label: "Next bar",
        },
    ];
}

/// How a trigger key transposes the rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TriggerTranspose {
    /// By scale steps within the motif's key.
    #[default]
    Diatonic,
    /// By semitones.
    Chromatic,
}

impl TriggerTranspose {
    /// The choices, in their frozen order.
    pub const CHOICES: [Choice<TriggerTranspose>; 2] = [
        Choice {
            value: TriggerTranspose::Diatonic,
            id: "diatonic",
            label: "Diatonic",
        },
        Choice {
            value: TriggerTranspose::Chromatic,
            id: "chromatic",
            label: "Chromatic",
        },
    ];
}

/// When the plugin captures phrases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LiveCapture {
    /// Never.
    Off,
    /// Every phrase played replaces the active slot's motif.
    #[default]
    AlwaysListening,
    /// The next phrase after `arm` turns on.
    Armed,
}

impl LiveCapture {
    /// The choices, in their frozen order.
    pub const CHOICES: [Choice<LiveCapture>; 3] = [
        Choice {
            value: LiveCapture::Off,
            id: "off",
            label: "Off",
        },
        Choice {
            value: LiveCapture::AlwaysListening,
            id: "always",
            label: "Always listening",
        },
        Choice {
            value: LiveCapture::Armed,
            id: "armed",
            label: "Armed",
        },
    ];
}

/// Everything the parameters decide. Compared block by block: a change ends sounding notes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveSettings {
    /// Character and operators.
    pub character: CharacterSettings,
    /// Active library slot, 0-based.
    pub active_slot: usize,
    /// How renderings start.
    pub playback_mode: PlaybackMode,
    /// Launch point in follow mode.
    pub launch_quantize: LaunchQuantize,
    /// Loop (true) or one-shot.
    pub looping: bool,
    /// Forward the notes played.
    pub pass_through: bool,
    /// Lowest trigger key (key-trigger mode).
    pub trigger_low_key: u8,
    /// Highest trigger key.
    pub trigger_high_key: u8,
    /// How trigger keys transpose.
    pub trigger_transpose: TriggerTranspose,
    /// Tempo when the host gives none, BPM.
    pub own_tempo_bpm: f64,
    /// Capture mode.
    pub capture: LiveCapture,
    /// Silence that ends a phrase, beats.
    pub capture_gap_beats: f64,
    /// Quantize on capture.
    pub capture_quantize: Option<Quantize>,
    /// Armed capture: arms on the change from off to on.
    pub arm: bool,
    /// Capture hears channel 10 (General MIDI drums) too.
    pub capture_drums: bool,
    /// Where capture hears notes: MIDI, the audio input, or both.
    pub capture_source: AudioSource,
    /// How the audio input is tracked.
    pub audio: AudioTracking,
    /// Hit lock: in Follow transport, statements are placed and pushed so their climax, first
    /// note … lands on the picture's hits (on by default; without hits it does nothing).
    pub hit_lock: bool,
    /// A key that taps hits while the transport plays (any channel): each press is stamped at
    /// its sample in picture time and goes to the editor; it is neither played nor captured.
    pub tap_key: Option<u8>,
    /// Hit lock's stingers are laid over the running rendering (their head's notes on top of
    /// it) rather than played instead of it (the loop rests around the head). Off by default.
    pub stingers_over: bool,
    /// Fit: the rendering is a variation of exactly this many bars, its button (the tonic) the
    /// last bar ([`crate::engine::fill`]); `None` = the character's own length.
    pub fit_bars: Option<u32>,
    /// Fit to the next `end` hit (with hit lock): the running rendering is fitted at its last
    /// launch before the cut so its button (the tonic) starts on the cut, and nothing plays
    /// after the cut but the button's ring.
    pub fit_to_end_hit: bool,
    /// How long the button rings after the cut, bars (0.5 to 1).
    pub end_ring_bars: f64,
    /// The sample library's articulations: profile, roles, track delay.
    pub articulation: ArticulationSettings,
}

impl Default for LiveSettings {
    fn default() -> Self {
        Self {
            character: CharacterSettings::default(),
            active_slot: 0,
            playback_mode: PlaybackMode::FollowTransport,
            launch_quantize: LaunchQuantize::Bar,
            looping: true,
            pass_through: true,
            trigger_low_key: 36,
            trigger_high_key: 59,
            trigger_transpose: TriggerTranspose::Diatonic,
            own_tempo_bpm: 120.0,
            capture: LiveCapture::AlwaysListening,
            capture_gap_beats: 2.0,
            capture_quantize: None,
            arm: false,
            capture_drums: false,
            capture_source: AudioSource::Midi,
            audio: AudioTracking::default(),
            hit_lock: true,
            tap_key: None,
            stingers_over: false,
            fit_bars: None,
            fit_to_end_hit: false,
            end_ring_bars: 1.0,
            articulation: ArticulationSettings::default(),
        }
    }
}

/// What a change of settings does to the notes sounding: the rule the live engine follows
/// (and the parameter reference reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeEffect {
    /// The rendering's sounding notes end at the change (a structural setting changed, or
    /// playback stopped or restarted).
    pub ends_rendering_notes: bool,
    /// The forwarded (played) notes end at the change (pass-through turned off).
    pub ends_forwarded_notes: bool,
    /// The rendering is made again from the motif (what plays next changes).
    pub rerenders: bool,
}

impl LiveSettings {
    /// What changing from `self` to `next` does to the notes sounding.
    pub fn change_effect(&self, next: &LiveSettings) -> ChangeEffect {
        ChangeEffect {
            ends_rendering_notes: self.structural_part() != next.structural_part()
                || self.stops_playback(next),
            ends_forwarded_notes: self.pass_through && !next.pass_through,
            rerenders: self.playback_part() != next.playback_part(),
        }
    }

    /// Whether the change to `next` stops playback (mode or launch changed): it starts afresh.
    pub(super) fn stops_playback(&self, next: &LiveSettings) -> bool {
        self.playback_mode != next.playback_mode || self.launch_quantize != next.launch_quantize
    }

    /// The structural settings: a change to any of them ends the sounding rendering notes
    /// (cleanly, at that sample) before playback continues. The others — intensity, humanize,
    /// augmentation, seed, softest velocity, dynamics controller — only shape the rendering: a change re-renders
    /// and sounding notes keep their own end, so automating them never chops notes.
    pub(super) fn structural_part(&self) -> impl PartialEq {
        let mut character = self.character;
        character.intensity = 0.0;
        character.humanize = 0.0;
        character.augmentation = 1.0;
        character.seed = 0;
        character.softest_velocity = 0;
        character.dynamics_cc = Default::default();
        let mut settings = *self;
        settings.character = character;
        settings.playback_part()
    }

    /// The settings that decide what plays (a change to any of them re-renders).
    pub(super) fn playback_part(
        &self,
    ) -> (
        CharacterSettings,
        usize,
        PlaybackMode,
        LaunchQuantize,
        bool,
        u8,
        u8,
        TriggerTranspose,
        Option<u32>,
        ArticulationSettings,
    ) {
        (
            self.character,
            self.active_slot,
            self.playback_mode,
            self.launch_quantize,
            self.looping,
            self.trigger_low_key,
            self.trigger_high_key,
            self.trigger_transpose,
            self.fit_bars,
            self.articulation,
        )
    }
}

/// The phrase-capture settings the live settings describe.
pub(super) fn capture_settings(settings: &LiveSettings) -> CaptureSettings {
    CaptureSettings {
        gap_beats: settings.capture_gap_beats,
        mode: if settings.capture == LiveCapture::Armed {
            CaptureMode::Armed
        } else {
            CaptureMode::AlwaysListening
        },
        align_to_bars: true,
        quantize: settings.capture_quantize,
        locked_key: settings.character.key,
        include_drums: settings.capture_drums,
    }
}
