//! Hearing a rendering without a DAW: its notes and controllers played through a General MIDI
//! SoundFont by a pure-Rust synthesizer (`rustysynth`), as audio.
//!
//! The events go out as the *General MIDI profile* of the sample-library issue shapes them: GM
//! synthesizers read CC1 as vibrato, so the rendering's dynamics curve (CC1, CC11 or both) is
//! sent as CC11 (expression) alone, with the notes' velocities, each scaled into the range a
//! General MIDI SoundFont still sounds ([`GM_VELOCITY_FLOOR`], [`GM_EXPRESSION_FLOOR`]); the
//! sustain pedal and any other controller pass as they are. Each voice gets a General MIDI program suited to the character
//! ([`gm_program`]); a voice on channel 10 (General MIDI's drums) moves to a free channel.
//!
//! Offline (the CLI): loading a SoundFont and rendering allocate. Live (the standalone app):
//! [`Monitor`] plays each block's output as it goes out, allocation-free once made.

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use rustysynth::SoundFont;
use rustysynth::{Synthesizer, SynthesizerSettings};

use crate::engine::character::Character;
use crate::engine::event::{CC_SUSTAIN, NUM_CHANNELS};
use crate::engine::rendering::{Rendering, Voice};
use crate::engine::time_map::TimeMap;

mod monitor;
pub use monitor::Monitor;

/// Where a SoundFont is looked for when none is given: Debian's General MIDI alternatives
/// (`timgm6mb-soundfont`, `fluid-soundfont-gm`, `musescore-general-soundfont-*`) and the
/// freedesktop folder.
pub const SOUNDFONT_SEARCH_PATHS: [&str; 6] = [
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
    "/usr/share/sounds/sf3/default-GM.sf3",
    "/usr/share/soundfonts/default.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
];

/// The environment variable naming a SoundFont to use when none is given on the command line.
pub const SOUNDFONT_ENV: &str = "REPRISE_SOUNDFONT";

/// Audio after the last note-off, seconds: a piano's or a string section's release and the
/// synthesizer's reverb die away rather than being cut.
pub const RELEASE_TAIL_SECONDS: f64 = 2.0;

/// The longest audio rendered, seconds (ten minutes: a cue, not a film; bounds the buffers,
/// which are held whole: 230 MB of stereo samples at 48 kHz).
pub const MAX_AUDIO_SECONDS: f64 = 600.0;

/// The softest velocity sent (of 127): a General MIDI SoundFont's velocity curve is about
/// 40 dB deep and the synthesizer drops voices below its threshold, so a rendering's soft
/// notes (Distant's echoes at 25–32) would be silent; the rendering's velocities are scaled
/// into this floor to 127, keeping their order and spacing.
pub const GM_VELOCITY_FLOOR: f32 = 40.0;

/// The lowest CC11 (expression) sent: General MIDI reads expression as an attenuation in
/// decibels (CC11 22 takes a note about 30 dB down), so the dynamics curve is scaled into this
/// to 127 — it still swells and fades, without taking a soft character below hearing.
pub const GM_EXPRESSION_FLOOR: f32 = 80.0;

/// Gain after the synthesizer, dB: a General MIDI SoundFont renders a single line near
/// −30 dBFS; this brings a mezzo-forte line to about −15 dBFS and a full Swell to full scale
/// (a peak above −1 dBFS is brought down by the CLI, and it says so).
pub const MAKEUP_GAIN_DB: f32 = 15.0;

/// General MIDI's percussion channel (10, 0-based 9): a melodic voice there would play drums.
pub const GM_DRUM_CHANNEL: u8 = 9;

/// General MIDI CC11 (expression): the dynamics controller the GM profile sends.
const CC_EXPRESSION: u8 = 11;
/// CC1 (modulation): vibrato on a GM synthesizer, so the dynamics curve does not go out on it.
const CC_MODULATION: u8 = 1;

/// Why audio cannot be made.
#[derive(Debug)]
pub enum SynthError {
    /// No SoundFont was given and none was found where one usually is.
    NoSoundFont {
        /// The places looked in.
        searched: Vec<PathBuf>,
    },
    /// The SoundFont could not be opened.
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the system said.
        reason: String,
    },
    /// The file is not a SoundFont the synthesizer can read (damaged, or another format).
    Damaged {
        /// The file.
        path: PathBuf,
        /// What the synthesizer said.
        reason: String,
    },
    /// The sample rate is outside what the synthesizer supports (16–192 kHz).
    BadSampleRate {
        /// What was asked, Hz.
        sample_rate_hz: u32,
    },
    /// The rendering would last longer than [`MAX_AUDIO_SECONDS`].
    TooLong {
        /// How long it would be, seconds.
        seconds: f64,
    },
}

impl std::fmt::Display for SynthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SynthError::NoSoundFont { searched } => write!(
                f,
                "no SoundFont found (looked in ${SOUNDFONT_ENV} and {}); install one \
                 (Debian/Ubuntu: sudo apt install timgm6mb-soundfont) or give --soundfont FILE.sf2",
                searched
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            SynthError::Unreadable { path, reason } => {
                write!(f, "cannot open the SoundFont {}: {reason}", path.display())
            }
            SynthError::Damaged { path, reason } => write!(
                f,
                "{} is not a SoundFont that can be read (damaged or another format): {reason}",
                path.display()
            ),
            SynthError::BadSampleRate { sample_rate_hz } => write!(
                f,
                "a sample rate of {sample_rate_hz} Hz cannot be rendered (give 16000 to 192000)"
            ),
            SynthError::TooLong { seconds } => write!(
                f,
                "{seconds:.0} s of audio is more than the {MAX_AUDIO_SECONDS:.0} s rendered at most"
            ),
        }
    }
}

impl std::error::Error for SynthError {}

/// The SoundFont to use: `given`, else `$REPRISE_SOUNDFONT`, else the first of
/// [`SOUNDFONT_SEARCH_PATHS`] that exists.
pub fn find_soundfont(given: Option<&Path>) -> Result<PathBuf, SynthError> {
    if let Some(path) = given {
        return Ok(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os(SOUNDFONT_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let searched: Vec<PathBuf> = SOUNDFONT_SEARCH_PATHS.iter().map(PathBuf::from).collect();
    searched
        .iter()
        .find(|path| path.is_file())
        .cloned()
        .ok_or(SynthError::NoSoundFont { searched })
}

/// Loads a SoundFont (.sf2).
pub fn load_soundfont(path: &Path) -> Result<Arc<SoundFont>, SynthError> {
    let mut file = std::fs::File::open(path).map_err(|e| SynthError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let damaged = |reason: String| SynthError::Damaged {
        path: path.to_path_buf(),
        reason,
    };
    // The synthesizer's reader can panic on a malformed file (an index past a chunk's end)
    // rather than return its error: such a panic is the file's damage, said as such, never a
    // crash of the command. Its default report is silenced meanwhile (the CLI is
    // single-threaded here; the hook is put back at once).
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let loaded =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| SoundFont::new(&mut file)));
    std::panic::set_hook(previous_hook);
    match loaded {
        Ok(Ok(font)) => Ok(Arc::new(font)),
        Ok(Err(e)) => Err(damaged(format!("{e:?}"))),
        Err(_) => Err(damaged("its chunks do not add up".to_owned())),
    }
}

/// The General MIDI program (0-based) a voice of a character plays on: Piano a grand piano
/// throughout; Swell a string section with contrabasses under it; Distant a flute line over
/// slow strings (a memory, not a statement).
pub fn gm_program(character: Character, voice: Voice) -> u8 {
    // General MIDI 1 program numbers (0-based): 0 Acoustic Grand Piano, 43 Contrabass,
    // 48 String Ensemble 1, 49 String Ensemble 2 (slow strings), 73 Flute.
    match (character, voice) {
        (Character::Piano | Character::None, _) => 0,
        (Character::Swell, Voice::Bass) => 43,
        (Character::Swell, _) => 48,
        (Character::Distant, Voice::Melody) => 73,
        (Character::Distant, _) => 49,
    }
}

/// A rendered velocity (0–1) as the General MIDI profile sends it: scaled into
/// [`GM_VELOCITY_FLOOR`]–127.
pub fn gm_velocity(velocity: f32) -> u8 {
    (GM_VELOCITY_FLOOR + velocity.clamp(0.0, 1.0) * (127.0 - GM_VELOCITY_FLOOR)).round() as u8
}

/// A controller value (0–1) on `cc` as the General MIDI profile sends it: (controller, value),
/// the dynamics curve on CC11 scaled into [`GM_EXPRESSION_FLOOR`]–127 (CC1 becomes CC11, or is
/// dropped when the rendering `sends_expression` itself); `None` when it is not sent.
pub fn gm_controller(cc: u8, value: f32, sends_expression: bool) -> Option<(u8, u8)> {
    let cc = match cc {
        CC_MODULATION if sends_expression => return None,
        CC_MODULATION => CC_EXPRESSION,
        cc if cc > 127 => return None,
        cc => cc,
    };
    let value = value.clamp(0.0, 1.0);
    let value = if cc == CC_EXPRESSION {
        GM_EXPRESSION_FLOOR + value * (127.0 - GM_EXPRESSION_FLOOR)
    } else {
        value * 127.0
    };
    Some((cc, value.round() as u8))
}

/// One event for the synthesizer, at a sample.
#[derive(Debug, Clone, Copy)]
struct SynthEvent {
    sample: u64,
    /// Order at one sample: note-offs, then controllers and programs, then note-ons.
    rank: u8,
    channel: u8,
    kind: SynthKind,
}

#[derive(Debug, Clone, Copy)]
enum SynthKind {
    Program(u8),
    Controller(u8, u8),
    NoteOn(u8, u8),
    NoteOff(u8),
}

/// Stereo audio.
#[derive(Debug, Clone, Default)]
pub struct Audio {
    /// Sample rate, Hz.
    pub sample_rate_hz: u32,
    /// Left channel.
    pub left: Vec<f32>,
    /// Right channel.
    pub right: Vec<f32>,
}

/// Plays `renderings` (each with its character; all from the song's zero, timed through
/// `time_map`) through `soundfont` at `sample_rate_hz`, as the General MIDI profile sends them,
/// with [`RELEASE_TAIL_SECONDS`] after the last note-off.
pub fn render_audio(
    renderings: &[(Character, &Rendering)],
    time_map: &TimeMap,
    soundfont: &Arc<SoundFont>,
    sample_rate_hz: u32,
) -> Result<Audio, SynthError> {
    if !(16_000..=192_000).contains(&sample_rate_hz) {
        return Err(SynthError::BadSampleRate { sample_rate_hz });
    }
    let rate = f64::from(sample_rate_hz);
    let events = gm_events(renderings, time_map, rate);
    let last = events.iter().map(|e| e.sample).max().unwrap_or(0);
    let seconds = last as f64 / rate + RELEASE_TAIL_SECONDS;
    if seconds > MAX_AUDIO_SECONDS {
        return Err(SynthError::TooLong { seconds });
    }
    let total = (seconds * rate).ceil() as usize;
    let settings = SynthesizerSettings::new(sample_rate_hz as i32);
    let mut synthesizer =
        Synthesizer::new(soundfont, &settings).map_err(|e| SynthError::Damaged {
            path: PathBuf::from("(SoundFont)"),
            reason: format!("{e:?}"),
        })?;
    let mut audio = Audio {
        sample_rate_hz,
        left: vec![0.0; total],
        right: vec![0.0; total],
    };
    let mut done = 0usize;
    for event in &events {
        let at = (event.sample as usize).min(total);
        if at > done {
            synthesizer.render(&mut audio.left[done..at], &mut audio.right[done..at]);
            done = at;
        }
        let channel = i32::from(event.channel);
        match event.kind {
            // 0xC0 program change, 0xB0 controller, 0x90 note-on (in process_midi_message).
            SynthKind::Program(program) => {
                synthesizer.process_midi_message(channel, 0xC0, i32::from(program), 0)
            }
            SynthKind::Controller(cc, value) => {
                synthesizer.process_midi_message(channel, 0xB0, i32::from(cc), i32::from(value))
            }
            SynthKind::NoteOn(key, velocity) => {
                synthesizer.note_on(channel, i32::from(key), i32::from(velocity))
            }
            SynthKind::NoteOff(key) => synthesizer.note_off(channel, i32::from(key)),
        }
    }
    if total > done {
        synthesizer.render(&mut audio.left[done..], &mut audio.right[done..]);
    }
    let gain = 10f32.powf(MAKEUP_GAIN_DB / 20.0);
    for sample in audio.left.iter_mut().chain(audio.right.iter_mut()) {
        *sample *= gain;
    }
    Ok(audio)
}

/// The renderings' events as the General MIDI profile sends them, sorted by sample.
fn gm_events(
    renderings: &[(Character, &Rendering)],
    time_map: &TimeMap,
    rate: f64,
) -> Vec<SynthEvent> {
    let sample_at = |beats: f64| (time_map.seconds_at(beats.max(0.0)) * rate).round() as u64;
    // Channels in use, so a voice on the drum channel can move to a free one.
    let mut used = [false; NUM_CHANNELS];
    for (_, rendering) in renderings {
        for note in rendering.notes.iter() {
            used[usize::from(note.channel) % NUM_CHANNELS] = true;
        }
    }
    let free = (0..NUM_CHANNELS as u8)
        .find(|&c| c != GM_DRUM_CHANNEL && !used[usize::from(c)])
        .unwrap_or(15);
    let channel_of = |channel: u8| {
        if channel == GM_DRUM_CHANNEL {
            free
        } else {
            channel
        }
    };
    let mut events = Vec::new();
    // Each channel's program: its melody's when the melody is on it (all voices on one
    // channel), else its first note's voice.
    let mut programs: [Option<u8>; NUM_CHANNELS] = [None; NUM_CHANNELS];
    for (character, rendering) in renderings {
        for note in rendering.notes.iter() {
            let slot = &mut programs[usize::from(channel_of(note.channel))];
            if slot.is_none() || note.voice == Voice::Melody {
                *slot = Some(gm_program(*character, note.voice));
            }
        }
    }
    for (channel, program) in programs.iter().enumerate() {
        if let Some(program) = *program {
            events.push(SynthEvent {
                sample: 0,
                rank: 1,
                channel: channel as u8,
                kind: SynthKind::Program(program),
            });
        }
    }
    let programmed = programs.map(|p| p.is_some());
    for (_, rendering) in renderings {
        for note in rendering.notes.iter() {
            let channel = channel_of(note.channel);
            let velocity = gm_velocity(note.velocity);
            let on = sample_at(note.start_beats);
            events.push(SynthEvent {
                sample: on,
                rank: 2,
                channel,
                kind: SynthKind::NoteOn(note.key, velocity),
            });
            // At least a sample after its onset: at one sample the off would go first and the
            // note would sound on to the end.
            events.push(SynthEvent {
                sample: sample_at(note.start_beats + note.length_beats).max(on + 1),
                rank: 0,
                channel,
                kind: SynthKind::NoteOff(note.key),
            });
        }
        // The dynamics curve goes out on CC11 only: where a rendering sends both CC1 and CC11,
        // its CC11 points already carry it.
        let sends_expression = rendering.ccs.iter().any(|p| p.cc == CC_EXPRESSION);
        for point in rendering.ccs.iter() {
            let Some((cc, value)) = gm_controller(point.cc, point.value, sends_expression) else {
                continue;
            };
            events.push(SynthEvent {
                sample: sample_at(point.beats),
                rank: 1,
                channel: channel_of(point.channel),
                kind: SynthKind::Controller(cc, value),
            });
        }
    }
    // A held pedal is lifted at the end (nothing rings forever).
    for channel in 0..NUM_CHANNELS as u8 {
        if programmed[usize::from(channel)] {
            let end = events.iter().map(|e| e.sample).max().unwrap_or(0);
            events.push(SynthEvent {
                sample: end,
                rank: 1,
                channel,
                kind: SynthKind::Controller(CC_SUSTAIN, 0),
            });
        }
    }
    events.sort_by_key(|e| (e.sample, e.rank));
    events
}

/// Writes `audio` as a 16-bit stereo WAV file (peaks above full scale are clipped).
pub fn write_wav(path: &Path, audio: &Audio) -> Result<(), String> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: audio.sample_rate_hz,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).map_err(|e| e.to_string())?;
    for (l, r) in audio.left.iter().zip(&audio.right) {
        for sample in [l, r] {
            let value = (sample.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16;
            writer.write_sample(value).map_err(|e| e.to_string())?;
        }
    }
    writer.finalize().map_err(|e| e.to_string())
}

/// The loudest sample of `audio` (0–1 and above when it clips).
pub fn peak(audio: &Audio) -> f32 {
    audio
        .left
        .iter()
        .chain(&audio.right)
        .fold(0.0f32, |peak, s| peak.max(s.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::character::{render, CharacterSettings};

    #[test]
    fn dynamics_go_out_on_cc11_and_the_drum_channel_is_avoided() {
        let motif = crate::engine::demo::demo_motif();
        let mut rendering = Rendering::new();
        render(
            &motif,
            &CharacterSettings {
                character: Character::Swell,
                base_channel: 9,
                ..CharacterSettings::default()
            },
            &mut rendering,
        );
        let time_map = TimeMap::constant(motif.time_signature, motif.tempo_bpm);
        let events = gm_events(&[(Character::Swell, &rendering)], &time_map, 48_000.0);
        assert!(events.iter().all(|e| e.channel != GM_DRUM_CHANNEL));
        assert!(!events
            .iter()
            .any(|e| matches!(e.kind, SynthKind::Controller(CC_MODULATION, _))));
        assert!(events
            .iter()
            .any(|e| matches!(e.kind, SynthKind::Controller(CC_EXPRESSION, _))));
        let ons = events
            .iter()
            .filter(|e| matches!(e.kind, SynthKind::NoteOn(..)))
            .count();
        let offs = events
            .iter()
            .filter(|e| matches!(e.kind, SynthKind::NoteOff(..)))
            .count();
        assert_eq!((ons, offs), (rendering.notes.len(), rendering.notes.len()));
        assert!(events.windows(2).all(|w| w[0].sample <= w[1].sample));
    }

    #[test]
    fn a_missing_or_damaged_soundfont_is_a_clear_error() {
        let missing = load_soundfont(Path::new("/nonexistent/x.sf2")).unwrap_err();
        assert!(missing.to_string().contains("cannot open the SoundFont"));
        let dir = std::env::temp_dir().join(format!("reprise-synth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.sf2");
        std::fs::write(&bad, b"RIFF\x04\x00\x00\x00sfbk").unwrap();
        let damaged = load_soundfont(&bad).unwrap_err();
        assert!(
            damaged
                .to_string()
                .contains("not a SoundFont that can be read"),
            "{damaged}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
