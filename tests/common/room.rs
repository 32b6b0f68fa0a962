//! Rooms for the audio-capture evaluation (issue 27): a synthetic impulse response — the direct
//! sound, a few early reflections, and a late tail of noise decaying by 60 dB over the room's
//! reverberation time, darker as it decays — and FFT convolution with it. Seeded, so the same
//! room comes back.
#![allow(dead_code)]

use realfft::RealFftPlanner;
use reprise::engine::rng::Rng;

/// A room: reverberation time and how loud the direct sound is against the rest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Room {
    /// Time for the tail to fall 60 dB, s.
    pub rt60_s: f64,
    /// Direct sound's energy over the reflections' and tail's, dB (negative: far from the
    /// microphone).
    pub direct_to_reverb_db: f64,
}

impl Room {
    /// A small room, close microphone (a laptop in a study).
    pub const SMALL: Room = Room {
        rt60_s: 0.35,
        direct_to_reverb_db: 6.0,
    };
    /// A live room or church, the microphone some metres off.
    pub const LARGE: Room = Room {
        rt60_s: 1.6,
        direct_to_reverb_db: -3.0,
    };
}

/// Early reflections: (delay s, gain) before scaling; the tail starts after the last.
const EARLY_REFLECTIONS: [(f64, f64); 6] = [
    (0.0031, 0.55),
    (0.0057, -0.45),
    (0.0089, 0.4),
    (0.0123, -0.35),
    (0.0171, 0.3),
    (0.0229, -0.25),
];
/// Where the diffuse tail begins, s.
const TAIL_START_S: f64 = 0.02;

/// The impulse response of `room` at `rate` (direct sound 1.0 at sample 0).
pub fn impulse_response(room: Room, rate: f64, seed: u64) -> Vec<f64> {
    let length = (room.rt60_s * rate) as usize + 1;
    let mut rng = Rng::new(seed ^ 0x524F_4F4D);
    let mut reverb = vec![0.0f64; length];
    for (delay_s, gain) in EARLY_REFLECTIONS {
        let at = (delay_s * rate) as usize;
        if at < length {
            reverb[at] += gain;
        }
    }
    // Tail: noise × exp decay (−60 dB at rt60), through a one-pole low-pass whose cutoff falls
    // from 8 kHz to 2 kHz over the decay (air and walls absorb the highs first).
    let mut low = 0.0f64;
    for (n, value) in reverb
        .iter_mut()
        .enumerate()
        .skip((TAIL_START_S * rate) as usize)
    {
        let t = n as f64 / rate;
        let decay = 10f64.powf(-3.0 * t / room.rt60_s);
        let cutoff_hz = 8000.0 - 6000.0 * (t / room.rt60_s).min(1.0);
        let a = (-std::f64::consts::TAU * cutoff_hz / rate).exp();
        low = a * low + (1.0 - a) * (2.0 * rng.unit() - 1.0);
        *value += 0.6 * decay * low;
    }
    let reverb_energy: f64 = reverb.iter().map(|v| v * v).sum();
    let scale = (10f64.powf(-room.direct_to_reverb_db / 10.0) / reverb_energy.max(1e-12)).sqrt();
    let mut response: Vec<f64> = reverb.iter().map(|v| v * scale).collect();
    response[0] = 1.0;
    response
}

/// `signal` convolved with `response` (the full length: signal + response − 1 samples).
pub fn convolve(signal: &[f32], response: &[f64]) -> Vec<f32> {
    let out_length = signal.len() + response.len() - 1;
    let size = out_length.next_power_of_two();
    let mut planner = RealFftPlanner::<f64>::new();
    let forward = planner.plan_fft_forward(size);
    let inverse = planner.plan_fft_inverse(size);
    let mut a = forward.make_input_vec();
    for (slot, s) in a.iter_mut().zip(signal) {
        *slot = f64::from(*s);
    }
    let mut b = forward.make_input_vec();
    b[..response.len()].copy_from_slice(response);
    let (mut spectrum_a, mut spectrum_b) = (forward.make_output_vec(), forward.make_output_vec());
    forward
        .process(&mut a, &mut spectrum_a)
        .expect("sizes match");
    forward
        .process(&mut b, &mut spectrum_b)
        .expect("sizes match");
    for (x, y) in spectrum_a.iter_mut().zip(&spectrum_b) {
        *x *= y;
    }
    let mut out = inverse.make_output_vec();
    inverse
        .process(&mut spectrum_a, &mut out)
        .expect("sizes match");
    out[..out_length]
        .iter()
        .map(|v| (v / size as f64) as f32)
        .collect()
}
