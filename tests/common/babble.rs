//! Babble for the audio-capture evaluation (issue 27): several talkers at once, spoken by
//! `espeak-ng` (Debian package `espeak-ng`) in different languages, voices, speeds and pitches,
//! so the background has pitch of its own — the hardest noise for a pitch tracker. The talkers
//! are made once ([`Babble::new`]); each item takes an excerpt of every talker from its own
//! offset.
#![allow(dead_code)]

use reprise::engine::rng::Rng;
use std::path::Path;
use std::process::Command;

/// (espeak-ng voice, words per minute, pitch 0–99): six talkers, three lower and three higher.
const TALKERS: [(&str, u32, u32); 6] = [
    ("en-us+m3", 165, 40),
    ("en-gb+f2", 175, 60),
    ("de+m1", 155, 35),
    ("fr+f3", 180, 65),
    ("es+m4", 170, 45),
    ("it+f1", 160, 55),
];

/// What they say (written for this file).
const TEXT: &str = "The rain had stopped by the time the last train left the station, and the \
    lamps along the river came on one by one. Nobody on the bridge was in a hurry; a dog walked \
    its owner past the bakery, a cyclist rang twice for no reason, and somewhere above the \
    market a window opened and somebody began to practise scales on an old piano. Seven boats, \
    three of them painted blue, waited for the tide to turn.";

/// The talkers' recordings, resampled to the evaluation's rate.
pub struct Babble {
    talkers: Vec<Vec<f32>>,
}

impl Babble {
    /// Speaks [`TEXT`] with every talker into `scratch` (a folder for the WAVs) and reads them
    /// back at `rate`. `Err` says what failed (e.g. `espeak-ng` not installed).
    pub fn new(rate: f64, scratch: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
        let mut talkers = Vec::new();
        for (i, (voice, speed, pitch)) in TALKERS.iter().enumerate() {
            let wav = scratch.join(format!("talker{i}.wav"));
            let status = Command::new("espeak-ng")
                .args([
                    "-v",
                    voice,
                    "-s",
                    &speed.to_string(),
                    "-p",
                    &pitch.to_string(),
                ])
                .arg("-w")
                .arg(&wav)
                .arg(TEXT)
                .status()
                .map_err(|e| format!("espeak-ng: {e}"))?;
            if !status.success() {
                return Err(format!("espeak-ng -v {voice} failed: {status}"));
            }
            talkers.push(read_resampled(&wav, rate)?);
        }
        Ok(Self { talkers })
    }

    /// `length` samples of all talkers at once, each from a seeded offset, scaled to an RMS of
    /// `level_db` dBFS.
    pub fn excerpt(&self, length: usize, level_db: f64, seed: u64) -> Vec<f32> {
        let mut rng = Rng::new(seed ^ 0x4241_4242);
        let mut out = vec![0.0f32; length];
        for talker in &self.talkers {
            let offset = (rng.unit() * talker.len() as f64) as usize;
            for (n, sample) in out.iter_mut().enumerate() {
                *sample += talker[(offset + n) % talker.len()];
            }
        }
        let power = out.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / length.max(1) as f64;
        let gain = (10f64.powf(level_db / 10.0) / power.max(1e-20)).sqrt() as f32;
        out.iter().map(|s| s * gain).collect()
    }
}

/// A mono 16-bit WAV resampled (linearly) to `rate`.
fn read_resampled(path: &Path, rate: f64) -> Result<Vec<f32>, String> {
    let mut reader =
        hound::WavReader::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let source_rate = f64::from(reader.spec().sample_rate);
    let samples: Vec<f32> = reader
        .samples::<i16>()
        .map(|s| s.map(|v| f32::from(v) / 32768.0))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if samples.len() < 2 {
        return Err(format!("{}: no speech", path.display()));
    }
    let length = (samples.len() as f64 * rate / source_rate) as usize;
    Ok((0..length)
        .map(|n| {
            let x = n as f64 * source_rate / rate;
            let i = (x as usize).min(samples.len() - 2);
            let frac = (x - i as f64) as f32;
            samples[i] * (1.0 - frac) + samples[i + 1] * frac
        })
        .collect())
}
