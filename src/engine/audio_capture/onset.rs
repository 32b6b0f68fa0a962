//! Onset evidence per hop: the input level (RMS over the last few hops, dBFS) and spectral flux
//! with a maximum filter over frequency (the "SuperFlux" idea: a partial that moves by a bin or
//! two under vibrato is not new energy, a new note's partials are).
//!
//! Böck & Widmer, "Maximum filter vibrato suppression for onset detection", DAFx 2013.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

/// Spectral-flux frame, analysis samples (about 23 ms at 22 kHz).
pub const FLUX_FRAME: usize = 512;
/// Bins either side searched by the maximum filter.
const MAX_FILTER_BINS: usize = 1;
/// Compression of magnitudes before differencing: log(1 + γ·|X|).
const LOG_GAMMA: f32 = 100.0;

/// Level of `mean_square` in dBFS (a full-scale sine is about −3 dB), floored at −120.
pub fn level_db(mean_square: f32) -> f32 {
    if mean_square > 1e-12 {
        10.0 * mean_square.log10()
    } else {
        -120.0
    }
}

/// Spectral flux between consecutive frames. Owner: the tracker (audio thread). Allocates only
/// in [`Flux::new`].
pub struct Flux {
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    frame: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    previous: Vec<f32>,
    current: Vec<f32>,
    has_previous: bool,
}

impl std::fmt::Debug for Flux {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flux").finish_non_exhaustive()
    }
}

impl Default for Flux {
    fn default() -> Self {
        Self::new()
    }
}

impl Flux {
    /// Plans the FFT and makes the buffers. Allocates.
    pub fn new() -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let fft = planner.plan_fft_forward(FLUX_FRAME);
        let bins = FLUX_FRAME / 2 + 1;
        let window = (0..FLUX_FRAME)
            .map(|n| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * n as f32 / FLUX_FRAME as f32).cos())
            .collect();
        Self {
            frame: fft.make_input_vec(),
            spectrum: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            previous: vec![0.0; bins],
            current: vec![0.0; bins],
            has_previous: false,
            window,
            fft,
        }
    }

    /// Forgets the previous frame.
    pub fn reset(&mut self) {
        self.has_previous = false;
    }

    /// The flux of the newest frame `samples` (exactly [`FLUX_FRAME`] long, oldest first)
    /// against the previous call's frame, summed over bins `low_bin..high_bin`: how much new
    /// (compressed) magnitude appeared. 0 for the first frame.
    pub fn next(&mut self, samples: &[f32], low_bin: usize, high_bin: usize) -> f32 {
        for ((out, x), w) in self.frame.iter_mut().zip(samples).zip(&self.window) {
            *out = x * w;
        }
        if self
            .fft
            .process_with_scratch(&mut self.frame, &mut self.spectrum, &mut self.scratch)
            .is_err()
        {
            return 0.0;
        }
        for (magnitude, bin) in self.current.iter_mut().zip(&self.spectrum) {
            *magnitude = (1.0 + LOG_GAMMA * bin.norm()).ln();
        }
        let bins = self.current.len();
        let (low, high) = (low_bin.min(bins), high_bin.min(bins));
        let mut flux = 0.0;
        if self.has_previous {
            for k in low..high {
                let from = k.saturating_sub(MAX_FILTER_BINS);
                let to = (k + MAX_FILTER_BINS + 1).min(bins);
                let reference = self.previous[from..to]
                    .iter()
                    .copied()
                    .fold(0.0f32, f32::max);
                flux += (self.current[k] - reference).max(0.0);
            }
        }
        std::mem::swap(&mut self.previous, &mut self.current);
        self.has_previous = true;
        flux
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_in_dbfs() {
        assert!((level_db(0.5) - (-3.0103)).abs() < 1e-3);
        assert_eq!(level_db(0.0), -120.0);
    }

    #[test]
    fn a_new_tone_has_flux_and_a_steady_one_hardly_any() {
        let mut flux = Flux::new();
        let rate = 22_050.0f32;
        let frame = |start: usize, f: f32, on_from: usize| -> Vec<f32> {
            (start..start + FLUX_FRAME)
                .map(|n| {
                    if n >= on_from {
                        (2.0 * std::f32::consts::PI * f * n as f32 / rate).sin() * 0.5
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        let _ = flux.next(&frame(0, 440.0, usize::MAX), 1, 200);
        let onset = flux.next(&frame(64, 440.0, 300), 1, 200);
        let steady_a = flux.next(&frame(2000, 440.0, 0), 1, 200);
        let steady_b = flux.next(&frame(2064, 440.0, 0), 1, 200);
        assert!(
            onset > 10.0 * steady_b.max(0.01),
            "{onset} vs {steady_a}, {steady_b}"
        );
    }
}
