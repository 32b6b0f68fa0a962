//! A sung phrase with known notes, for the audio-capture tests of the live engine and of the
//! built plugin: D4 F4 A4 G4 at 120 BPM from beat 4, as a voice-like signal (two partials,
//! slight vibrato, 10 ms ramps, 20 ms breaths between notes).

/// The phrase's tempo, BPM.
pub const TEMPO_BPM: f64 = 120.0;
/// (MIDI key, start beat, length in beats).
pub const SUNG: [(u8, f64, f64); 4] = [
    (62, 4.0, 0.75),
    (65, 5.0, 0.75),
    (69, 6.0, 0.5),
    (67, 6.5, 1.25),
];

/// The signal at `t_seconds`.
pub fn sample_at(t_seconds: f64) -> f32 {
    let beat_s = 60.0 / TEMPO_BPM;
    let mut sample = 0.0;
    for &(key, start, length) in &SUNG {
        let (t0, t1) = (start * beat_s, (start + length) * beat_s - 0.02);
        if t_seconds < t0 || t_seconds >= t1 {
            continue;
        }
        let f = 440.0 * 2f64.powf((f64::from(key) - 69.0) / 12.0);
        let ramp = ((t_seconds - t0) / 0.01).min(1.0) * ((t1 - t_seconds) / 0.01).min(1.0);
        let vibrato = 0.003 * (std::f64::consts::TAU * 5.0 * t_seconds).sin();
        let phase = std::f64::consts::TAU * f * (t_seconds - t0) * (1.0 + vibrato);
        sample += 0.3 * ramp * (phase.sin() + 0.4 * (2.0 * phase).sin());
    }
    sample as f32
}
