//! Audio capture in a room (issue 27): note F of the live note tracker on General MIDI
//! instruments rendered by RustySynth from a SoundFont, in conditions that are not one recipe —
//! clean, white / pink / brown noise, mains hum and a fan at 10, 20 and 30 dB SNR, and the
//! synthesizer's own reverb — at levels from −40 to −6 dBFS; per instrument family and
//! condition, pooled, with the median emission latency and onset-stamp error.
//!
//! `cargo run --release --example capture_in_noise -- [SOUNDFONT.sf2] [--seed N] [--motifs N]`
//!
//! SNR is the signal's power over the spans where its notes sound, less the noise's power over
//! the whole item. A note is found when a note-on of its key starts within 50 ms of its onset
//! (each note-on matches one note at most).

#[path = "../tests/common/noise.rs"]
mod noise;

use noise::{mix, noise, rms_db, Noise};
use reprise::engine::audio_capture::{NoteTracker, PitchRange, TrackedNote, TrackerSettings};
use reprise::engine::rng::Rng;
use reprise::synth::{load_soundfont, SoundFont};
use rustysynth::{Synthesizer, SynthesizerSettings};
use std::sync::Arc;

const RATE: f64 = 48_000.0;
const BLOCK: usize = 64;
const ONSET_TOLERANCE_S: f64 = 0.05;

/// (family, General MIDI program, lowest key, highest key, the tracker's range).
const FAMILIES: [(&str, u8, u8, u8, PitchRange); 8] = [
    ("piano", 0, 55, 84, PitchRange::Voice),
    ("flute", 73, 72, 93, PitchRange::High),
    ("clarinet", 71, 55, 82, PitchRange::Voice),
    ("violin", 40, 62, 91, PitchRange::High),
    ("cello", 42, 40, 67, PitchRange::Low),
    ("trumpet", 56, 58, 82, PitchRange::High),
    ("choir", 52, 55, 76, PitchRange::Voice),
    ("synth lead", 80, 57, 81, PitchRange::Voice),
];

/// A condition: a noise at an SNR, or the synthesizer's reverb, or clean.
#[derive(Debug, Clone, Copy)]
enum Condition {
    Clean,
    Reverb,
    Noise(Noise, f64),
}

impl Condition {
    fn name(self) -> String {
        match self {
            Condition::Clean => "clean".into(),
            Condition::Reverb => "reverb".into(),
            Condition::Noise(kind, snr) => format!("{kind:?} {snr:.0} dB"),
        }
    }
}

/// A motif: (key, onset s, offset s), 6–10 notes, mostly steps, 90–130 BPM.
fn motif(rng: &mut Rng, low: u8, high: u8) -> Vec<(u8, f64, f64)> {
    let beat = 60.0 / (90.0 + 40.0 * rng.unit());
    let mut key = i32::from(low) + 4 + (rng.unit() * f64::from(high - low - 8)) as i32;
    let mut t = 0.6;
    let count = 6 + (rng.unit() * 5.0) as usize;
    let steps = [-2, -1, 1, 2, 2, -2, 3, -3, 4, -5, 5, 7];
    let lengths = [0.5, 0.5, 0.75, 1.0, 1.0, 1.5];
    let mut notes = Vec::new();
    for _ in 0..count {
        let step = steps[(rng.unit() * steps.len() as f64) as usize % steps.len()];
        let mut next = (key + step).clamp(i32::from(low), i32::from(high));
        if next == key {
            next = (key + 2).min(i32::from(high));
        }
        key = next;
        let length = beat * lengths[(rng.unit() * lengths.len() as f64) as usize % lengths.len()];
        let gap = if rng.unit() < 0.3 { 0.0 } else { beat * 0.1 };
        notes.push((key as u8, t, t + length - gap));
        t += length;
    }
    notes
}

/// `notes` played by `program` through `soundfont` (reverb and chorus as asked), mono.
fn render(
    soundfont: &Arc<SoundFont>,
    program: u8,
    notes: &[(u8, f64, f64)],
    reverb: bool,
) -> Vec<f32> {
    let mut settings = SynthesizerSettings::new(RATE as i32);
    settings.enable_reverb_and_chorus = reverb;
    let mut synth = Synthesizer::new(soundfont, &settings).expect("a synthesizer");
    synth.process_midi_message(0, 0xC0, i32::from(program), 0);
    let end = notes.last().map_or(1.0, |n| n.2) + 1.5;
    let total = (end * RATE) as usize;
    let (mut left, mut right) = (vec![0.0f32; total], vec![0.0f32; total]);
    let mut events: Vec<(usize, bool, u8)> = notes
        .iter()
        .flat_map(|&(key, on, off)| {
            [
                ((on * RATE) as usize, true, key),
                ((off * RATE) as usize, false, key),
            ]
        })
        .collect();
    events.sort_by_key(|&(at, on, _)| (at, on));
    let mut done = 0;
    for (at, on, key) in events {
        if at > done {
            synth.render(&mut left[done..at], &mut right[done..at]);
            done = at;
        }
        if on {
            synth.note_on(0, i32::from(key), 100);
        } else {
            synth.note_off(0, i32::from(key));
        }
    }
    synth.render(&mut left[done..], &mut right[done..]);
    left.iter()
        .zip(&right)
        .map(|(l, r)| 0.5 * (l + r))
        .collect()
}

fn track(signal: &[f32], range: PitchRange) -> Vec<TrackedNote> {
    let mut tracker = NoteTracker::new(RATE, TrackerSettings::for_range(range));
    let mut out = Vec::new();
    for chunk in signal.chunks(BLOCK) {
        tracker.process(chunk, chunk, &mut |n| out.push(n));
    }
    tracker.finish(&mut |n| out.push(n));
    out
}

/// (truth notes, found, note-ons, latencies s, onset errors s).
#[derive(Default)]
struct Tally {
    truth: usize,
    found: usize,
    ons: usize,
    latencies: Vec<f64>,
    onset_errors: Vec<f64>,
}

impl Tally {
    fn add(&mut self, truth: &[(u8, f64, f64)], notes: &[TrackedNote]) {
        let ons: Vec<&TrackedNote> = notes.iter().filter(|n| n.is_on).collect();
        let mut used = vec![false; ons.len()];
        self.truth += truth.len();
        self.ons += ons.len();
        for &(key, onset, _) in truth {
            let best = ons
                .iter()
                .enumerate()
                .filter(|(i, n)| !used[*i] && n.key == key)
                .map(|(i, n)| (i, n.at_samples as f64 / RATE - onset))
                .filter(|(_, error)| error.abs() <= ONSET_TOLERANCE_S)
                .min_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
            if let Some((i, error)) = best {
                used[i] = true;
                self.found += 1;
                self.onset_errors.push(error.abs());
                self.latencies
                    .push(ons[i].reported_at_samples as f64 / RATE - onset);
            }
        }
    }

    fn f(&self) -> f64 {
        let precision = self.found as f64 / self.ons.max(1) as f64;
        let recall = self.found as f64 / self.truth.max(1) as f64;
        if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        }
    }
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let path = args
        .iter()
        .find(|a| a.ends_with(".sf2"))
        .cloned()
        .unwrap_or_else(|| "/usr/share/sounds/sf2/FluidR3_GM.sf2".into());
    let seed = value("--seed").unwrap_or(27);
    let motifs = value("--motifs").unwrap_or(4) as usize;
    let soundfont = load_soundfont(std::path::Path::new(&path)).expect("the SoundFont");
    let mut conditions = vec![Condition::Clean, Condition::Reverb];
    for kind in Noise::ALL {
        conditions.push(Condition::Noise(kind, 20.0));
    }
    conditions.push(Condition::Noise(Noise::Pink, 10.0));
    conditions.push(Condition::Noise(Noise::Pink, 30.0));
    let mut rng = Rng::new(seed);
    let mut pooled = Tally::default();
    let mut by_condition: Vec<Tally> = conditions.iter().map(|_| Tally::default()).collect();
    let mut by_family_at_20: Vec<Vec<(String, f64)>> = Vec::new();
    for &(family, program, low, high, range) in &FAMILIES {
        let items: Vec<Vec<(u8, f64, f64)>> =
            (0..motifs).map(|_| motif(&mut rng, low, high)).collect();
        let mut row = Vec::new();
        for (c, &condition) in conditions.iter().enumerate() {
            let mut tally = Tally::default();
            for (i, notes) in items.iter().enumerate() {
                let clean = render(
                    &soundfont,
                    program,
                    notes,
                    matches!(condition, Condition::Reverb),
                );
                // A level from -40 to -6 dBFS over the notes.
                let level = -40.0 + 34.0 * rng.unit();
                let spans: Vec<f32> = notes
                    .iter()
                    .flat_map(|&(_, on, off)| {
                        clean[(on * RATE) as usize..((off * RATE) as usize).min(clean.len())]
                            .iter()
                            .copied()
                    })
                    .collect();
                let gain = 10f64.powf((level - rms_db(&spans)) / 20.0) as f32;
                let signal: Vec<f32> = clean.iter().map(|s| s * gain).collect();
                let signal = match condition {
                    Condition::Noise(kind, snr) => {
                        let background = noise(
                            kind,
                            RATE,
                            signal.len(),
                            level - snr,
                            seed * 1000 + i as u64,
                        );
                        mix(&signal, &background)
                    }
                    _ => signal,
                };
                let heard = track(&signal, range);
                tally.add(notes, &heard);
                by_condition[c].add(notes, &heard);
                pooled.add(notes, &heard);
            }
            row.push((condition.name(), tally.f()));
        }
        println!(
            "{family:>10}: {}",
            row.iter()
                .map(|(name, f)| format!("{name} {f:.2}"))
                .collect::<Vec<_>>()
                .join(" · ")
        );
        by_family_at_20.push(row);
    }
    for (condition, tally) in conditions.iter().zip(by_condition.iter_mut()) {
        println!(
            "{:>14}: note F {:.3} ({} of {} notes, {} note-ons)",
            condition.name(),
            tally.f(),
            tally.found,
            tally.truth,
            tally.ons
        );
    }
    println!(
        "pooled ({path}, seed {seed}, {motifs} motifs per family): note F {:.3}; median emission latency {:.1} ms; median onset-stamp error {:.1} ms",
        pooled.f(),
        1000.0 * median(&mut pooled.latencies),
        1000.0 * median(&mut pooled.onset_errors)
    );
}
