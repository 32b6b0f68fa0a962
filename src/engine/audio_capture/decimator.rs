//! From the host's sample rate to the analysis rate: a DC blocker, then a windowed-sinc
//! low-pass and integer decimation, so the tracker analyses about 22 kHz whatever the host runs
//! at (22.05 kHz to 192 kHz and beyond) and its frame sizes mean the same time everywhere.

use std::f64::consts::PI;

/// The analysis rate aimed at, Hz.
pub const TARGET_RATE_HZ: f64 = 22_050.0;
/// Filter taps per unit of decimation (a longer filter for a larger factor keeps the same
/// transition band relative to the analysis rate).
const TAPS_PER_FACTOR: usize = 16;

/// Integer decimation with an anti-alias FIR. Owner: the tracker (audio thread).
#[derive(Debug, Clone)]
pub struct Decimator {
    factor: usize,
    taps: Vec<f32>,
    /// The last `taps.len()` inputs, as a ring (written at `write`).
    history: Vec<f32>,
    write: usize,
    /// Inputs seen since the last output (0..factor).
    phase: usize,
    /// DC blocker state (one pole at about 20 Hz).
    dc_previous_in: f32,
    dc_previous_out: f32,
    dc_pole: f32,
}

impl Decimator {
    /// A decimator for `sample_rate_hz` (clamped to 1 kHz–1 MHz). Allocates.
    pub fn new(sample_rate_hz: f64) -> Self {
        let rate = if sample_rate_hz.is_finite() {
            sample_rate_hz.clamp(1_000.0, 1_000_000.0)
        } else {
            48_000.0
        };
        let factor = ((rate / TARGET_RATE_HZ).round() as usize).max(1);
        let num_taps = if factor == 1 {
            1
        } else {
            TAPS_PER_FACTOR * factor + 1
        };
        let mut taps = vec![0.0f32; num_taps];
        if factor == 1 {
            taps[0] = 1.0;
        } else {
            // Cut-off at 0.45 of the analysis rate (0.9 of its Nyquist), Blackman window.
            let cutoff = 0.45 / factor as f64;
            let middle = (num_taps - 1) as f64 / 2.0;
            let mut total = 0.0;
            for (j, tap) in taps.iter_mut().enumerate() {
                let t = j as f64 - middle;
                let sinc = if t == 0.0 {
                    2.0 * cutoff
                } else {
                    (2.0 * PI * cutoff * t).sin() / (PI * t)
                };
                let w = 0.42 - 0.5 * (2.0 * PI * j as f64 / (num_taps - 1) as f64).cos()
                    + 0.08 * (4.0 * PI * j as f64 / (num_taps - 1) as f64).cos();
                *tap = (sinc * w) as f32;
                total += sinc * w;
            }
            for tap in taps.iter_mut() {
                *tap /= total as f32;
            }
        }
        Self {
            factor,
            history: vec![0.0; num_taps],
            taps,
            write: 0,
            phase: 0,
            dc_previous_in: 0.0,
            dc_previous_out: 0.0,
            dc_pole: (1.0 - 2.0 * std::f64::consts::PI * 20.0 / rate) as f32,
        }
    }

    /// The decimation factor (host samples per analysis sample).
    pub fn factor(&self) -> usize {
        self.factor
    }

    /// The analysis rate, Hz.
    pub fn analysis_rate_hz(&self, sample_rate_hz: f64) -> f64 {
        sample_rate_hz / self.factor as f64
    }

    /// The filter's delay, host samples: an analysis sample describes the input this long
    /// before the last host sample that produced it.
    pub fn delay_samples(&self) -> usize {
        (self.taps.len() - 1) / 2
    }

    /// Forgets all input.
    pub fn reset(&mut self) {
        self.history.iter_mut().for_each(|h| *h = 0.0);
        self.write = 0;
        self.phase = 0;
        self.dc_previous_in = 0.0;
        self.dc_previous_out = 0.0;
    }

    /// Takes one host sample (non-finite counts as silence); returns an analysis sample every
    /// `factor` inputs.
    pub fn push(&mut self, sample: f32) -> Option<f32> {
        let sample = if sample.is_finite() {
            sample.clamp(-8.0, 8.0)
        } else {
            0.0
        };
        let blocked = sample - self.dc_previous_in + self.dc_pole * self.dc_previous_out;
        self.dc_previous_in = sample;
        // Flush subnormals so a decaying tail never slows the filter.
        self.dc_previous_out = if blocked.abs() < 1e-20 { 0.0 } else { blocked };
        let len = self.history.len();
        self.history[self.write] = self.dc_previous_out;
        self.write = (self.write + 1) % len;
        self.phase += 1;
        if self.phase < self.factor {
            return None;
        }
        self.phase = 0;
        // Newest sample is at write - 1; tap j multiplies the input j samples back.
        let mut acc = 0.0f32;
        let mut index = self.write;
        for tap in &self.taps {
            index = if index == 0 { len - 1 } else { index - 1 };
            acc += tap * self.history[index];
        }
        Some(acc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_aim_at_about_22_khz() {
        for (rate, factor) in [
            (22_050.0, 1),
            (44_100.0, 2),
            (48_000.0, 2),
            (96_000.0, 4),
            (192_000.0, 9),
            (8_000.0, 1),
        ] {
            assert_eq!(Decimator::new(rate).factor(), factor, "{rate}");
        }
    }

    #[test]
    fn passes_a_tone_and_stops_what_would_alias() {
        let rate = 96_000.0;
        let level = |frequency: f64| {
            let mut d = Decimator::new(rate);
            let mut peak = 0.0f32;
            for n in 0..96_000 {
                let x = (2.0 * PI * frequency * n as f64 / rate).sin() as f32;
                if let Some(y) = d.push(x) {
                    if n > 48_000 {
                        peak = peak.max(y.abs());
                    }
                }
            }
            peak
        };
        assert!((level(440.0) - 1.0).abs() < 0.02, "{}", level(440.0));
        // 20 kHz would fold to 4 kHz at 24 kHz: it must be gone.
        assert!(level(20_000.0) < 0.01, "{}", level(20_000.0));
    }

    #[test]
    fn non_finite_input_is_silence() {
        let mut d = Decimator::new(48_000.0);
        for n in 0..1000 {
            let x = if n % 3 == 0 { f32::NAN } else { f32::INFINITY };
            if let Some(y) = d.push(x) {
                assert_eq!(y, 0.0);
            }
        }
    }
}
