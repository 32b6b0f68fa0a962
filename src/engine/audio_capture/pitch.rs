//! Pitch of a short monophonic segment: McLeod's normalised square difference function (NSDF)
//! computed through the autocorrelation of a real FFT, the first key maximum above 90 % of the
//! highest as the period (parabolic interpolation), and an octave check (a clearly stronger
//! maximum at twice the lag means the fundamental is an octave lower), and a harmonics check on
//! a Hann-windowed spectrum: two notes sounding together (a sampler's release under the next
//! note) are periodic at their common subharmonic, whose harmonics 1, 5 and 7 are silent, so
//! such a reading is not taken for one note's pitch.
//!
//! McLeod & Wyvill, "A smarter way to find pitch", ICMC 2005.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

/// Longest segment analysed, samples (at the analysis rate).
pub const MAX_SEGMENT: usize = 1024;
/// A key maximum counts when it reaches this share of the highest one (McLeod's k).
const PEAK_SHARE: f32 = 0.9;
/// The octave check: the maximum at a multiple of the lag must beat the chosen one by this much.
const OCTAVE_MARGIN: f32 = 0.04;
/// Least share of the power at harmonics 1–8 of an estimate that harmonics 1, 5 and 7 must
/// carry (a common subharmonic of two notes has none there).
const MIN_COPRIME_SHARE: f32 = 0.01;
/// The harmonics check needs this many samples (below, a low note's partials blur together).
pub const MIN_HARMONICS_SEGMENT: usize = 512;

/// One pitch estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PitchEstimate {
    /// Fundamental frequency, Hz.
    pub frequency_hz: f32,
    /// How periodic the segment is: the NSDF at the period, 0–1 (noise is low, a steady tone
    /// near 1).
    pub clarity: f32,
    /// The share of the power at harmonics 1–8 that lies at harmonics 1, 5 and 7, 0–1 (1 when
    /// the segment is too short to tell): near 0 for two notes read as their common
    /// subharmonic.
    pub coprime_share: f32,
    /// The share of the power at harmonics 1–8 that lies at the fundamental, 0–1 (1 when the
    /// segment is too short to tell): near 0 for notes read at a common subharmonic.
    pub fundamental_share: f32,
}

impl PitchEstimate {
    /// The pitch as a fractional MIDI key (69 = A4 = 440 Hz).
    pub fn midi(&self) -> f32 {
        69.0 + 12.0 * (self.frequency_hz / 440.0).log2()
    }
}

/// The FFT plans and scratch buffers of the pitch detector. Made once (allocates); each
/// estimate is allocation-free. Owner: the tracker (audio thread).
pub struct PitchDetector {
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
    time: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    nsdf: Vec<f32>,
    /// The harmonics check: a Hann-windowed FFT of the segment, zero-padded to
    /// [`MAX_SEGMENT`].
    harmonics_fft: Arc<dyn RealToComplex<f32>>,
    windowed: Vec<f32>,
    harmonics: Vec<Complex<f32>>,
}

impl std::fmt::Debug for PitchDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PitchDetector").finish_non_exhaustive()
    }
}

impl Default for PitchDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl PitchDetector {
    /// Plans the FFTs for segments up to [`MAX_SEGMENT`] samples. Allocates.
    pub fn new() -> Self {
        let size = 2 * MAX_SEGMENT;
        let mut planner = RealFftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(size);
        let inverse = planner.plan_fft_inverse(size);
        let harmonics_fft = planner.plan_fft_forward(MAX_SEGMENT);
        let scratch_len = forward
            .get_scratch_len()
            .max(inverse.get_scratch_len())
            .max(harmonics_fft.get_scratch_len());
        Self {
            time: forward.make_input_vec(),
            spectrum: forward.make_output_vec(),
            scratch: vec![Complex::new(0.0, 0.0); scratch_len],
            nsdf: vec![0.0; MAX_SEGMENT],
            windowed: harmonics_fft.make_input_vec(),
            harmonics: harmonics_fft.make_output_vec(),
            harmonics_fft,
            forward,
            inverse,
        }
    }

    /// The normalised square difference function of `segment` (at most [`MAX_SEGMENT`]
    /// samples) into `self.nsdf`, through the autocorrelation by FFT, for lags up to
    /// `max_lag + 2` (less than the segment). Returns the last lag filled; `None` for a silent
    /// or non-finite segment.
    fn fill_nsdf(&mut self, segment: &[f32], max_lag: usize) -> Option<usize> {
        let len = segment.len();
        // Autocorrelation r(τ) through |FFT|² of the zero-padded segment.
        self.time.iter_mut().for_each(|t| *t = 0.0);
        self.time[..len].copy_from_slice(segment);
        let energy: f32 = segment.iter().map(|x| x * x).sum();
        if energy <= 1e-12 || !energy.is_finite() {
            return None;
        }
        self.forward
            .process_with_scratch(&mut self.time, &mut self.spectrum, &mut self.scratch)
            .ok()?;
        for bin in self.spectrum.iter_mut() {
            *bin = Complex::new(bin.norm_sqr(), 0.0);
        }
        // The DC and Nyquist bins are real by construction.
        self.inverse
            .process_with_scratch(&mut self.spectrum, &mut self.time, &mut self.scratch)
            .ok()?;
        let norm = 1.0 / (2 * MAX_SEGMENT) as f32;
        // m(τ) = Σ x_j² + x_{j+τ}² over the overlap, updated from m(τ − 1).
        let mut m = 2.0 * energy;
        let upper = (max_lag + 2).min(len - 1);
        for tau in 0..=upper {
            if tau > 0 {
                m -= segment[tau - 1] * segment[tau - 1] + segment[len - tau] * segment[len - tau];
            }
            self.nsdf[tau] = if m > 1e-12 {
                2.0 * self.time[tau] * norm / m
            } else {
                0.0
            };
        }
        Some(upper)
    }

    /// The pitch of `segment` (at most [`MAX_SEGMENT`] samples are used, the newest), searched
    /// between `min_hz` and `max_hz` at `rate_hz`; `None` when no period fits (silence, too
    /// short a segment for the lowest pitch, no maximum).
    pub fn estimate(
        &mut self,
        segment: &[f32],
        rate_hz: f32,
        min_hz: f32,
        max_hz: f32,
    ) -> Option<PitchEstimate> {
        let segment = &segment[segment.len().saturating_sub(MAX_SEGMENT)..];
        let len = segment.len();
        let min_lag = ((rate_hz / max_hz).floor() as usize).max(2);
        // The period must fit twice into the segment.
        let max_lag = ((rate_hz / min_hz).ceil() as usize).min(len / 2);
        if max_lag <= min_lag + 2 {
            return None;
        }
        let upper = self.fill_nsdf(segment, max_lag)?;
        let nsdf = &self.nsdf[..=upper];
        let lag = first_key_maximum(nsdf, min_lag, max_lag)?;
        let lag = octave_checked(nsdf, lag, max_lag);
        let (shift, peak) = interpolated(nsdf, lag, upper);
        let period = lag as f32 + shift;
        // Two notes sounding together (a release under the next note) are periodic at their
        // common subharmonic, whose own harmonics 1, 5 and 7 are silent: not one note's pitch.
        let (coprime_share, fundamental_share) = self.harmonic_shares(segment, period);
        if coprime_share < MIN_COPRIME_SHARE {
            return None;
        }
        Some(PitchEstimate {
            coprime_share,
            fundamental_share,
            frequency_hz: rate_hz / period,
            clarity: peak.clamp(0.0, 1.0),
        })
    }
}

impl PitchDetector {
    /// The shares of the power at harmonics 1–8 of the period `period` (samples) of `segment`
    /// that lie (a) at harmonics 1, 5 and 7 — those no two notes at 2, 3 or 4 times its
    /// frequency have — and (b) at harmonic 1 alone. Both 1 for a segment too short to resolve
    /// them (under [`MIN_HARMONICS_SEGMENT`]).
    fn harmonic_shares(&mut self, segment: &[f32], period: f32) -> (f32, f32) {
        let len = segment.len().min(MAX_SEGMENT);
        if len < MIN_HARMONICS_SEGMENT {
            return (1.0, 1.0);
        }
        // Hann window by a rotating phasor (no per-sample cosine).
        let step = std::f64::consts::TAU / len as f64;
        let (step_cos, step_sin) = (step.cos(), step.sin());
        let (mut cos, mut sin) = (1.0f64, 0.0f64);
        for (out, &x) in self.windowed.iter_mut().zip(segment) {
            *out = x * (0.5 - 0.5 * cos) as f32;
            (cos, sin) = (
                cos * step_cos - sin * step_sin,
                sin * step_cos + cos * step_sin,
            );
        }
        self.windowed[len..].iter_mut().for_each(|x| *x = 0.0);
        if self
            .harmonics_fft
            .process_with_scratch(&mut self.windowed, &mut self.harmonics, &mut self.scratch)
            .is_err()
        {
            return (1.0, 1.0);
        }
        let last_bin = self.harmonics.len() - 1;
        let (mut coprime, mut fundamental, mut total) = (0.0f32, 0.0f32, 0.0f32);
        for harmonic in 1..=8usize {
            let centre = (harmonic as f32 * MAX_SEGMENT as f32 / period).round() as usize;
            if centre + 1 > last_bin {
                break;
            }
            let power = self.harmonics[centre.saturating_sub(1)..=centre + 1]
                .iter()
                .map(|bin| bin.norm_sqr())
                .fold(0.0f32, f32::max);
            total += power;
            if matches!(harmonic, 1 | 5 | 7) {
                coprime += power;
            }
            if harmonic == 1 {
                fundamental = power;
            }
        }
        if total > 0.0 {
            (coprime / total, fundamental / total)
        } else {
            (1.0, 1.0)
        }
    }
}

/// Parabolic interpolation of the maximum at `lag`: (offset from `lag`, height).
fn interpolated(nsdf: &[f32], lag: usize, upper: usize) -> (f32, f32) {
    let (a, b, c) = (nsdf[lag - 1], nsdf[lag], nsdf[(lag + 1).min(upper)]);
    let denominator = a - 2.0 * b + c;
    if denominator.abs() > 1e-9 {
        let shift = (0.5 * (a - c) / denominator).clamp(-0.5, 0.5);
        (shift, b - 0.25 * (a - c) * shift)
    } else {
        (0.0, b)
    }
}

/// The first key maximum of `nsdf` (the highest value between a positive-going and the next
/// negative-going zero crossing) within `min_lag..=max_lag` that reaches [`PEAK_SHARE`] of the
/// highest one; `None` when there is no positive maximum.
fn first_key_maximum(nsdf: &[f32], min_lag: usize, max_lag: usize) -> Option<usize> {
    let upper = nsdf.len() - 1;
    // Key maxima: the highest value between a positive-going and the next negative-going
    // zero crossing, within the lag range.
    let mut best_overall = 0.0f32;
    let mut first_lag_above: Option<usize> = None;
    // Two passes over at most `upper` lags: find the highest key maximum, then the first
    // one above PEAK_SHARE of it.
    for pass in 0..2 {
        let mut tau = 1;
        // Skip the lobe around τ = 0.
        while tau <= upper && nsdf[tau] > 0.0 {
            tau += 1;
        }
        while tau <= upper {
            while tau <= upper && nsdf[tau] <= 0.0 {
                tau += 1;
            }
            let mut peak_lag = tau;
            while tau <= upper && nsdf[tau] > 0.0 {
                if nsdf[tau] > nsdf[peak_lag] {
                    peak_lag = tau;
                }
                tau += 1;
            }
            if peak_lag > upper || peak_lag < min_lag || peak_lag > max_lag {
                continue;
            }
            let value = nsdf[peak_lag];
            if pass == 0 {
                best_overall = best_overall.max(value);
            } else if value >= PEAK_SHARE * best_overall {
                first_lag_above = Some(peak_lag);
                break;
            }
        }
        if pass == 0 && best_overall <= 0.0 {
            return None;
        }
    }
    first_lag_above
}

/// The octave check of the key maximum at `chosen`: a clearly stronger maximum near 2, 3 or 4
/// times the lag means the lag was a harmonic's period (voices and choirs with weak
/// fundamentals). Returns the lag to use.
fn octave_checked(nsdf: &[f32], chosen: usize, max_lag: usize) -> usize {
    let upper = nsdf.len() - 1;
    let mut lag = chosen;
    // Octave check: a clearly stronger maximum near 2, 3 or 4 times the lag means the lag
    // was a harmonic's period (voices and choirs with weak fundamentals).
    // Also half as much again: with the third and sixth harmonics strongest, the maximum at
    // two thirds of the period comes first. Maxima are compared at their interpolated
    // heights (at high pitches a whole-sample lag misses the top), and a larger multiple
    // must win by more.
    let chosen_height = interpolated(nsdf, chosen, upper).1;
    let mut best_height = chosen_height;
    for twice_multiple in [3usize, 4, 6, 8] {
        let target = twice_multiple * chosen / 2;
        if target + 1 > max_lag.min(upper - 1) {
            break;
        }
        let around = (target - 1..=target + 1).max_by(|&a, &b| nsdf[a].total_cmp(&nsdf[b]));
        if let Some(around) = around {
            let height = interpolated(nsdf, around, upper).1;
            let margin = OCTAVE_MARGIN * (twice_multiple as f32 / 4.0).max(1.0);
            if height > chosen_height + margin && height > best_height {
                lag = around;
                best_height = height;
            }
        }
    }
    lag
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(frequency: f32, rate: f32, len: usize, harmonics: &[f32]) -> Vec<f32> {
        (0..len)
            .map(|n| {
                harmonics
                    .iter()
                    .enumerate()
                    .map(|(h, amp)| {
                        amp * (2.0 * std::f32::consts::PI * frequency * (h + 1) as f32 * n as f32
                            / rate)
                            .sin()
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn finds_the_fundamental_of_clean_and_harmonic_tones() {
        let mut detector = PitchDetector::new();
        let rate = 22_050.0;
        for (frequency, harmonics) in [
            (82.41, vec![1.0, 0.5, 0.3]),
            (220.0, vec![1.0]),
            (440.0, vec![0.3, 1.0, 0.6, 0.4]),
            (1046.5, vec![1.0, 0.2]),
        ] {
            let x = tone(frequency, rate, MAX_SEGMENT, &harmonics);
            let estimate = detector.estimate(&x, rate, 60.0, 2100.0).expect("a pitch");
            let cents = 1200.0 * (estimate.frequency_hz / frequency).log2();
            assert!(
                cents.abs() < 5.0,
                "{frequency} Hz: {} Hz",
                estimate.frequency_hz
            );
            assert!(
                estimate.clarity > 0.9,
                "{frequency}: clarity {}",
                estimate.clarity
            );
        }
    }

    #[test]
    fn a_weak_fundamental_is_not_read_an_octave_up() {
        let mut detector = PitchDetector::new();
        let rate = 22_050.0;
        // A fundamental at 15 % of a strong second harmonic (as in some low voices).
        let x = tone(130.81, rate, MAX_SEGMENT, &[0.15, 1.0, 0.5, 0.3]);
        let estimate = detector.estimate(&x, rate, 60.0, 1100.0).unwrap();
        assert!((estimate.midi() - 48.0).abs() < 0.1, "{}", estimate.midi());
    }

    #[test]
    fn a_fundamental_under_strong_upper_harmonics_is_found() {
        let mut detector = PitchDetector::new();
        let rate = 22_050.0;
        // D4 with the third harmonic strongest, as in a sung "aah".
        let x = tone(293.66, rate, MAX_SEGMENT, &[0.2, 0.3, 1.0, 0.4, 0.2]);
        let estimate = detector.estimate(&x, rate, 60.0, 2100.0).unwrap();
        assert!((estimate.midi() - 62.0).abs() < 0.1, "{}", estimate.midi());
    }

    #[test]
    fn two_notes_read_together_show_no_harmonics_of_their_own() {
        let mut detector = PitchDetector::new();
        let rate = 22_050.0;
        // D3 and A3 at once: periodic at D2, whose harmonics 1, 5 and 7 are silent.
        let d3 = tone(146.83, rate, MAX_SEGMENT, &[1.0, 0.6]);
        let a3 = tone(220.0, rate, MAX_SEGMENT, &[1.0, 0.6]);
        let both: Vec<f32> = d3.iter().zip(&a3).map(|(a, b)| a + b).collect();
        let share = detector
            .estimate(&both, rate, 60.0, 1100.0)
            .map_or(0.0, |e| e.coprime_share);
        assert!(share < 0.02, "mixture: harmonics 1, 5, 7 share {share}");
        // One note, even with a weak fundamental, has them.
        let single = detector
            .estimate(
                &tone(110.0, rate, MAX_SEGMENT, &[0.3, 1.0, 0.6, 0.4, 0.3]),
                rate,
                60.0,
                1100.0,
            )
            .expect("a pitch");
        assert!(
            single.coprime_share > 0.05,
            "single: {}",
            single.coprime_share
        );
    }

    #[test]
    fn noise_and_silence_are_not_pitched() {
        let mut detector = PitchDetector::new();
        let mut rng = crate::engine::rng::Rng::new(7);
        let noise: Vec<f32> = (0..MAX_SEGMENT)
            .map(|_| (rng.next_u64() % 2001) as f32 / 1000.0 - 1.0)
            .collect();
        let clarity = detector
            .estimate(&noise, 22_050.0, 60.0, 2100.0)
            .map_or(0.0, |e| e.clarity);
        assert!(clarity < 0.6, "white noise clarity {clarity}");
        assert!(detector
            .estimate(&[0.0; MAX_SEGMENT], 22_050.0, 60.0, 2100.0)
            .is_none());
        assert!(detector
            .estimate(&[0.5; 10], 22_050.0, 60.0, 2100.0)
            .is_none());
    }
}
