//! Background noises for the audio-capture scenarios (issue 27), made here with a seeded
//! generator so the truth is known: white, pink (Paul Kellet's filter), brown (leaky
//! integrated white), mains hum (50 or 60 Hz with harmonics) and a fan (a broad band of noise
//! round 200 Hz with a blade tone). Each is scaled to an RMS level in dBFS.
#![allow(dead_code)]

use reprise::engine::rng::Rng;

const TAU: f64 = std::f64::consts::TAU;

/// A kind of background noise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Noise {
    White,
    Pink,
    Brown,
    /// Mains hum at this frequency (50 or 60 Hz) with harmonics 2–5.
    Hum(f64),
    Fan,
}

impl Noise {
    pub const ALL: [Noise; 6] = [
        Noise::White,
        Noise::Pink,
        Noise::Brown,
        Noise::Hum(50.0),
        Noise::Hum(60.0),
        Noise::Fan,
    ];
}

/// RMS of `samples`, dBFS.
pub fn rms_db(samples: &[f32]) -> f64 {
    let power =
        samples.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / samples.len().max(1) as f64;
    10.0 * power.max(1e-20).log10()
}

/// The RMS level of `signal` (at `rate`) over the spans where `notes` (key, onset s, offset s)
/// sound, dBFS: the signal side of every SNR in the noise scenarios and the evaluation.
pub fn level_over_notes(signal: &[f32], notes: &[(u8, f64, f64)], rate: f64) -> f64 {
    let sounding: Vec<f32> = notes
        .iter()
        .flat_map(|&(_, on_s, off_s)| {
            let end = ((off_s * rate) as usize).min(signal.len());
            signal[((on_s * rate) as usize).min(end)..end]
                .iter()
                .copied()
        })
        .collect();
    rms_db(&sounding)
}

/// `length` samples of `noise` at `rate`, scaled to an RMS of `level_db` dBFS.
pub fn noise(kind: Noise, rate: f64, length: usize, level_db: f64, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let mut out = vec![0.0f32; length];
    match kind {
        Noise::White => {
            for s in out.iter_mut() {
                *s = rng.signed_unit() as f32;
            }
        }
        Noise::Pink => {
            let mut b = [0.0f64; 7];
            for s in out.iter_mut() {
                let white = rng.signed_unit();
                b[0] = 0.99886 * b[0] + white * 0.0555179;
                b[1] = 0.99332 * b[1] + white * 0.0750759;
                b[2] = 0.96900 * b[2] + white * 0.1538520;
                b[3] = 0.86650 * b[3] + white * 0.3104856;
                b[4] = 0.55000 * b[4] + white * 0.5329522;
                b[5] = -0.7616 * b[5] - white * 0.0168980;
                *s = (b.iter().sum::<f64>() + white * 0.5362) as f32;
                b[6] = white * 0.115926;
            }
        }
        Noise::Brown => {
            let mut y = 0.0f64;
            for s in out.iter_mut() {
                y = 0.998 * y + 0.05 * rng.signed_unit();
                *s = y as f32;
            }
        }
        Noise::Hum(mains_hz) => {
            for (n, s) in out.iter_mut().enumerate() {
                let t = n as f64 / rate;
                *s = (1..=5)
                    .map(|h| (TAU * mains_hz * h as f64 * t).sin() / h as f64)
                    .sum::<f64>() as f32;
            }
        }
        Noise::Fan => {
            // A two-pole resonator round 200 Hz on white noise (a broad band, Q 0.7: a narrower
            // one reads as a pitch — see the issue-27 note), and the blade tone (a wobbling
            // 120 Hz) under it.
            let (f0, q) = (200.0, 0.7);
            let w = TAU * f0 / rate;
            let r = 1.0 - w / (2.0 * q);
            let (a1, a2) = (2.0 * r * w.cos(), -r * r);
            let (mut y1, mut y2) = (0.0f64, 0.0f64);
            for (n, s) in out.iter_mut().enumerate() {
                let y = rng.signed_unit() + a1 * y1 + a2 * y2;
                y2 = y1;
                y1 = y;
                let t = n as f64 / rate;
                let blade = (TAU * 120.0 * t + 0.3 * (TAU * 0.7 * t).sin()).sin();
                *s = (y * 0.05 + 0.3 * blade * 0.05 * 3.0) as f32;
            }
        }
    }
    let gain = 10f64.powf((level_db - rms_db(&out)) / 20.0);
    for s in out.iter_mut() {
        *s = (f64::from(*s) * gain) as f32;
    }
    out
}

/// `signal` plus `background`, sample by sample (the shorter's length).
pub fn mix(signal: &[f32], background: &[f32]) -> Vec<f32> {
    signal.iter().zip(background).map(|(a, b)| a + b).collect()
}
