//! What the composer chooses for audio capture.

use crate::engine::choice::Choice;
use crate::engine::key::Key;

/// Where capture hears notes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AudioSource {
    /// MIDI notes only (audio passes through unheard).
    #[default]
    Midi,
    /// The audio input only.
    Audio,
    /// Both: MIDI notes and notes tracked from the audio input.
    Both,
}

impl AudioSource {
    /// The choices, in their frozen order.
    pub const CHOICES: [Choice<AudioSource>; 3] = [
        Choice {
            value: AudioSource::Midi,
            id: "midi",
            label: "MIDI",
        },
        Choice {
            value: AudioSource::Audio,
            id: "audio",
            label: "Audio",
        },
        Choice {
            value: AudioSource::Both,
            id: "both",
            label: "MIDI + audio",
        },
    ];

    /// Whether the audio input is tracked.
    pub fn hears_audio(self) -> bool {
        self != AudioSource::Midi
    }

    /// Whether MIDI notes are captured.
    pub fn hears_midi(self) -> bool {
        self != AudioSource::Audio
    }
}

/// Which input channel the tracker listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputChannel {
    /// The left channel (a microphone on input 1).
    Left,
    /// The right channel.
    Right,
    /// Left and right averaged.
    #[default]
    Sum,
}

impl InputChannel {
    /// The choices, in their frozen order.
    pub const CHOICES: [Choice<InputChannel>; 3] = [
        Choice {
            value: InputChannel::Left,
            id: "left",
            label: "Left",
        },
        Choice {
            value: InputChannel::Right,
            id: "right",
            label: "Right",
        },
        Choice {
            value: InputChannel::Sum,
            id: "sum",
            label: "Left + right",
        },
    ];

    /// The sample the tracker hears from one stereo frame.
    pub fn pick(self, left: f32, right: f32) -> f32 {
        match self {
            InputChannel::Left => left,
            InputChannel::Right => right,
            InputChannel::Sum => 0.5 * (left + right),
        }
    }
}

/// The pitch range the tracker searches (narrower is faster to decide and less often wrong by
/// an octave).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PitchRange {
    /// A singing, humming or whistling voice: E2–C6 (82–1047 Hz).
    #[default]
    Voice,
    /// Cello, bassoon, trombone, bass voice: C2–C5 (65–523 Hz).
    Low,
    /// Flute, violin, trumpet, whistle: G3–C7 (196–2093 Hz).
    High,
}

impl PitchRange {
    /// The choices, in their frozen order.
    pub const CHOICES: [Choice<PitchRange>; 3] = [
        Choice {
            value: PitchRange::Voice,
            id: "voice",
            label: "Voice",
        },
        Choice {
            value: PitchRange::Low,
            id: "low",
            label: "Low instrument",
        },
        Choice {
            value: PitchRange::High,
            id: "high",
            label: "High instrument",
        },
    ];

    /// Lowest and highest MIDI key searched.
    pub fn keys(self) -> (u8, u8) {
        match self {
            PitchRange::Voice => (40, 84),
            PitchRange::Low => (36, 72),
            PitchRange::High => (55, 96),
        }
    }

    /// Parses `voice`, `low` or `high`.
    pub fn parse(text: &str) -> Option<PitchRange> {
        PitchRange::CHOICES
            .iter()
            .find(|c| c.id == text.trim().to_ascii_lowercase())
            .map(|c| c.value)
    }
}

/// Default gate: quieter input than this is silence, dBFS.
pub const DEFAULT_GATE_DB: f32 = -45.0;

/// The tracker's settings. Cheap to copy; changed between blocks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackerSettings {
    /// Which input channel is heard.
    pub input_channel: InputChannel,
    /// Lowest MIDI key a note may have (the search range starts a little below).
    pub min_key: u8,
    /// Highest MIDI key a note may have.
    pub max_key: u8,
    /// Below this level (dBFS, RMS over ~11 ms) the input is silence: notes end, none start.
    pub gate_db: f32,
    /// Snap detected pitches to the nearest note of this key's scale (major or natural minor).
    pub snap_to_key: Option<Key>,
}

impl Default for TrackerSettings {
    fn default() -> Self {
        Self::for_range(PitchRange::Voice)
    }
}

impl TrackerSettings {
    /// Defaults for a range preset.
    pub fn for_range(range: PitchRange) -> Self {
        let (min_key, max_key) = range.keys();
        Self {
            input_channel: InputChannel::Sum,
            min_key,
            max_key,
            gate_db: DEFAULT_GATE_DB,
            snap_to_key: None,
        }
    }
}

/// How the live engine tracks its audio input: what the plugin's parameters choose.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioTracking {
    /// Which input channel is heard.
    pub input_channel: InputChannel,
    /// The pitch range searched.
    pub range: PitchRange,
    /// Silence below this, dBFS.
    pub gate_db: f32,
    /// Snap pitches to the scale of the active slot's locked key (when one is locked).
    pub snap_to_locked_key: bool,
}

impl Default for AudioTracking {
    fn default() -> Self {
        Self {
            input_channel: InputChannel::Sum,
            range: PitchRange::Voice,
            gate_db: DEFAULT_GATE_DB,
            snap_to_locked_key: false,
        }
    }
}

impl AudioTracking {
    /// The tracker settings, given the active slot's locked key.
    pub fn tracker_settings(&self, locked_key: Option<Key>) -> TrackerSettings {
        TrackerSettings {
            input_channel: self.input_channel,
            gate_db: if self.gate_db.is_finite() {
                self.gate_db.clamp(-90.0, 0.0)
            } else {
                DEFAULT_GATE_DB
            },
            snap_to_key: if self.snap_to_locked_key {
                locked_key
            } else {
                None
            },
            ..TrackerSettings::for_range(self.range)
        }
    }
}
