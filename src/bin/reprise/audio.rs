//! `--wav` (render) and `--audio` (demo): renderings heard through a General MIDI SoundFont and
//! written as WAV files beside the .mid files ([`reprise::synth`]).

use std::path::{Path, PathBuf};

use reprise::engine::character::Character;
use reprise::engine::rendering::Rendering;
use reprise::engine::time_map::TimeMap;
use reprise::synth::{
    find_soundfont, load_soundfont, peak, render_audio, write_wav, Audio, SoundFont,
};

use crate::args::{same_file, tidy};
use crate::error::CliError;

/// The sample rate of the WAV files, Hz (a film's).
pub const AUDIO_SAMPLE_RATE_HZ: u32 = 48_000;

/// A peak above this (linear) is brought down to it: −1 dBFS, a little headroom below full
/// scale so no sample clips when a dense Swell chord stacks voices.
const MAX_PEAK: f32 = 0.891;

/// The SoundFont the renderings are heard through, found and loaded once.
pub struct Listener {
    path: PathBuf,
    font: std::sync::Arc<SoundFont>,
}

impl Listener {
    /// Finds (`given`, `$REPRISE_SOUNDFONT` or a system General MIDI SoundFont) and loads the
    /// SoundFont; a clear error when there is none or it is damaged.
    pub fn new(given: Option<&Path>) -> Result<Self, CliError> {
        let path = find_soundfont(given).map_err(|e| CliError::failed(e.to_string()))?;
        let font = load_soundfont(&path).map_err(|e| CliError::failed(e.to_string()))?;
        Ok(Self { path, font })
    }

    /// Renders `renderings` (timed through `time_map`) to audio, brought down to −1 dBFS
    /// when it peaks above; an error when the SoundFont made no sound.
    pub fn render(
        &self,
        renderings: &[(Character, &Rendering)],
        time_map: &TimeMap,
    ) -> Result<Heard, CliError> {
        let mut audio = render_audio(renderings, time_map, &self.font, AUDIO_SAMPLE_RATE_HZ)
            .map_err(|e| CliError::failed(e.to_string()))?;
        let loudest = peak(&audio);
        if loudest <= 0.0 {
            return Err(CliError::failed(format!(
                "{} made no sound for this rendering (is it a General MIDI SoundFont?); \
                 nothing written",
                self.path.display()
            )));
        }
        let scaled = loudest > MAX_PEAK;
        if scaled {
            scale(&mut audio, MAX_PEAK / loudest);
        }
        Ok(Heard { audio, scaled })
    }

    /// Writes `heard` to `wav`, refusing to write over any of `inputs`; returns the summary
    /// line.
    pub fn write(&self, wav: &Path, heard: &Heard, inputs: &[&Path]) -> Result<String, CliError> {
        // Never over an input, nor over the SoundFont being played.
        let font: &Path = &self.path;
        if let Some(input) = inputs
            .iter()
            .copied()
            .chain(std::iter::once(font))
            .find(|input| same_file(input, wav))
        {
            return Err(CliError::failed(format!(
                "--wav {} is {}; refusing to overwrite it with audio",
                wav.display(),
                input.display()
            )));
        }
        let (audio, scaled) = (&heard.audio, heard.scaled);
        if let Some(folder) = wav.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|e| {
                CliError::failed(format!("cannot create {}: {e}", folder.display()))
            })?;
        }
        write_wav(wav, audio)
            .map_err(|e| CliError::failed(format!("cannot write {}: {e}", wav.display())))?;
        let seconds = audio.left.len() as f64 / f64::from(audio.sample_rate_hz);
        let peak_db = 20.0 * f64::from(peak(audio)).log10();
        Ok(format!(
            "{}: {} s at {} Hz through {}, peak {:.1} dBFS{}",
            wav.display(),
            tidy(seconds, 2),
            audio.sample_rate_hz,
            self.path.display(),
            peak_db,
            if scaled {
                " (brought down to it: it peaked higher)"
            } else {
                ""
            }
        ))
    }
}

/// A rendering heard: its audio, and whether it was brought down to −1 dBFS.
pub struct Heard {
    audio: Audio,
    scaled: bool,
}

fn scale(audio: &mut Audio, factor: f32) {
    for sample in audio.left.iter_mut().chain(audio.right.iter_mut()) {
        *sample *= factor;
    }
}

/// `wav` for one of several characters: `score.wav` → `score.swell.wav`.
pub fn per_character(wav: &Path, character: Character) -> PathBuf {
    let stem = wav
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "rendering".to_owned());
    wav.with_file_name(format!("{stem}.{}.wav", character.name()))
}
