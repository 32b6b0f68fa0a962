//! A solo singing voice with known notes (issue 27), for the audio-capture evaluation and tests:
//! a glottal pulse train (Rosenberg's flow shape, differentiated) whose pitch scoops up into
//! each note sung out of silence, glides (portamento) into a note sung legato, and carries a
//! vibrato that sets in after the attack, with a little jitter; shaped by the formants of a
//! vowel chosen per note (five vowels, moved between over 60 ms), with breath noise and an
//! unvoiced consonant burst (t, k, s, sh, h) just before most notes. FluidSynth's "choir aahs"
//! is a choir; this is one singer. Seeded, so the truth is known.
#![allow(dead_code)]

use reprise::engine::rng::Rng;

const TAU: f64 = std::f64::consts::TAU;

/// Formants (Hz) F1–F4 of the vowels /a/, /e/, /i/, /o/, /u/ (averages for a sung voice; the
/// female voice scales them by [`FEMALE_FORMANT_SCALE`]).
const VOWELS: [[f64; 4]; 5] = [
    [730.0, 1090.0, 2440.0, 3400.0],
    [530.0, 1840.0, 2480.0, 3500.0],
    [300.0, 2200.0, 2950.0, 3600.0],
    [570.0, 840.0, 2410.0, 3300.0],
    [320.0, 870.0, 2240.0, 3300.0],
];
/// Formant bandwidths (Hz) of F1–F4.
const BANDWIDTHS_HZ: [f64; 4] = [80.0, 100.0, 140.0, 200.0];
/// Formant gains of F1–F4 (the higher formants weaker, as in a voice).
const FORMANT_GAINS: [f64; 4] = [1.0, 0.6, 0.25, 0.12];
/// Female formants lie higher (a shorter vocal tract).
const FEMALE_FORMANT_SCALE: f64 = 1.15;

/// Who sings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Voice {
    /// A baritone, sung roughly G2–G4.
    Male,
    /// A mezzo, sung roughly G3–A5.
    Female,
}

impl Voice {
    /// The lowest and highest MIDI keys the generator's motifs use for this voice.
    pub fn keys(self) -> (u8, u8) {
        match self {
            Voice::Male => (45, 67),
            Voice::Female => (57, 79),
        }
    }
}

/// A second-order resonator (a two-pole band-pass at `centre_hz`, unit gain at its peak).
#[derive(Clone, Copy, Default)]
struct Resonator {
    y1: f64,
    y2: f64,
}

impl Resonator {
    fn step(&mut self, x: f64, centre_hz: f64, bandwidth_hz: f64, rate: f64) -> f64 {
        let r = (-std::f64::consts::PI * bandwidth_hz / rate).exp();
        let a1 = 2.0 * r * (TAU * centre_hz / rate).cos();
        let a2 = -r * r;
        let y = (1.0 - r) * x + a1 * self.y1 + a2 * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

/// What one note of the line does, drawn once per note.
struct NoteShape {
    key: u8,
    on_s: f64,
    off_s: f64,
    vowel: usize,
    /// Scoop depth below the note at its start, cents (0 when sung legato: then a glide).
    scoop_cents: f64,
    /// Duration of the scoop or glide, s.
    bend_s: f64,
    /// Whether the note glides from the previous one (sung legato).
    legato: bool,
    /// Consonant before the note: (length s, centre Hz) of its noise, or none.
    consonant: Option<(f64, f64)>,
    vibrato_hz: f64,
    vibrato_cents: f64,
    /// When the vibrato sets in after the onset, s.
    vibrato_delay_s: f64,
    /// Attack (amplitude rise) time, s.
    attack_s: f64,
}

/// Notes closer than this are sung legato (a glide, no consonant, no breath).
const LEGATO_GAP_S: f64 = 0.03;

/// `notes` (MIDI key, onset s, offset s; in time order) sung by `voice` at `rate`, mono,
/// peaking near ±1; one second of silence is left after the last note. The onset is where the
/// vowel starts; a consonant sounds in the 15–60 ms before it.
pub fn sing(notes: &[(u8, f64, f64)], voice: Voice, rate: f64, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed ^ 0x5349_4E47);
    let shapes: Vec<NoteShape> = notes
        .iter()
        .enumerate()
        .map(|(i, &(key, on_s, off_s))| {
            // A repeated key is always sung anew (a consonant or a fresh attack).
            let legato = i > 0 && on_s - notes[i - 1].2 < LEGATO_GAP_S && notes[i - 1].0 != key;
            let consonant = (!legato && rng.unit() < 0.75).then(|| {
                let kind = (rng.unit() * 5.0) as usize % 5;
                // t, k, s, sh, h: (length s, centre Hz).
                [
                    (0.015, 4000.0),
                    (0.02, 2000.0),
                    (0.06, 6500.0),
                    (0.05, 3000.0),
                    (0.04, 1500.0),
                ][kind]
            });
            NoteShape {
                key,
                on_s,
                off_s,
                vowel: (rng.unit() * 5.0) as usize % 5,
                scoop_cents: if legato {
                    0.0
                } else {
                    40.0 + 120.0 * rng.unit()
                },
                bend_s: 0.04 + 0.08 * rng.unit(),
                legato,
                consonant,
                vibrato_hz: 4.8 + 1.7 * rng.unit(),
                vibrato_cents: 15.0 + 45.0 * rng.unit(),
                vibrato_delay_s: 0.12 + 0.2 * rng.unit(),
                attack_s: 0.02 + 0.06 * rng.unit(),
            }
        })
        .collect();
    let end_s = notes.last().map_or(0.0, |n| n.2) + 1.0;
    let total = (end_s * rate) as usize;
    let mut out = vec![0.0f32; total];
    let formant_scale = if voice == Voice::Female {
        FEMALE_FORMANT_SCALE
    } else {
        1.0
    };
    let mut resonators = [Resonator::default(); 4];
    let mut consonant_filter = Resonator::default();
    let mut phase = 0.0f64;
    let mut previous_flow = 0.0f64;
    let mut jitter_cents = 0.0f64;
    let mut formants = VOWELS[shapes.first().map_or(0, |s| s.vowel)];
    // Release of the voice after a note's offset, s.
    let release_s = 0.05;
    let mut current = 0usize;
    for (n, sample) in out.iter_mut().enumerate() {
        let t = n as f64 / rate;
        while current + 1 < shapes.len() && t >= shapes[current + 1].on_s - 0.07 {
            current += 1;
        }
        let Some(shape) = shapes.get(current) else {
            break;
        };
        // Before a detached note's onset the previous note is still dying away (its pitch, its
        // release); the consonant may already sound.
        let releasing = (t < shape.on_s && !shape.legato)
            .then(|| current.checked_sub(1).map(|p| &shapes[p]))
            .flatten();
        // Pitch: the note, a scoop or a glide into it, vibrato after the attack, jitter.
        let since_on = t - shape.on_s;
        let mut cents = 100.0 * f64::from(releasing.map_or(shape.key, |p| p.key));
        if since_on < shape.bend_s && releasing.is_none() {
            let progress = (since_on.max(0.0) / shape.bend_s).min(1.0);
            let ease = 0.5 - 0.5 * (std::f64::consts::PI * progress).cos();
            let from = if shape.legato {
                100.0 * f64::from(shapes[current - 1].key)
            } else {
                cents - shape.scoop_cents
            };
            cents = from + (cents - from) * ease;
        }
        if since_on > shape.vibrato_delay_s {
            let depth = ((since_on - shape.vibrato_delay_s) / 0.15).min(1.0) * shape.vibrato_cents;
            cents += depth * (TAU * shape.vibrato_hz * since_on).sin();
        }
        jitter_cents = 0.995 * jitter_cents + 0.4 * (rng.unit() - 0.5);
        cents += jitter_cents;
        let f0 = 440.0 * 2f64.powf((cents / 100.0 - 69.0) / 12.0);
        // Loudness: attack from the onset (from the glide's start when legato), release after
        // the offset.
        let amplitude = if t < shape.on_s && !shape.legato {
            releasing.map_or(0.0, |p| (1.0 - (t - p.off_s) / release_s).clamp(0.0, 1.0))
        } else if t < shape.off_s {
            if shape.legato {
                1.0
            } else {
                (since_on / shape.attack_s).min(1.0)
            }
        } else {
            (1.0 - (t - shape.off_s) / release_s).max(0.0)
        };
        // Glottal flow (Rosenberg): rises over 40 % of the period, closes over 16 %.
        phase += f0 / rate;
        phase -= phase.floor();
        let flow = if phase < 0.4 {
            0.5 - 0.5 * (std::f64::consts::PI * phase / 0.4).cos()
        } else if phase < 0.56 {
            (std::f64::consts::PI * 0.5 * (phase - 0.4) / 0.16).cos()
        } else {
            0.0
        };
        let excitation = (flow - previous_flow) * rate / f0.max(1.0) * 0.1;
        previous_flow = flow;
        let breath = 0.02 * (rng.unit() - 0.5) * (0.3 + flow);
        let source = amplitude * (excitation + breath);
        // Vowel formants, moved toward the note's vowel over ~60 ms.
        let target = VOWELS[shape.vowel];
        let mut voiced = 0.0;
        for (k, resonator) in resonators.iter_mut().enumerate() {
            formants[k] += (target[k] - formants[k]) * (1.0 / (0.02 * rate)).min(1.0);
            voiced += FORMANT_GAINS[k]
                * resonator.step(source, formants[k] * formant_scale, BANDWIDTHS_HZ[k], rate);
        }
        // The consonant: a band of noise ending at the vowel's onset.
        let mut unvoiced = 0.0;
        if let Some((length_s, centre_hz)) = shape.consonant {
            if t >= shape.on_s - length_s && t < shape.on_s {
                let x = rng.unit() - 0.5;
                unvoiced = 0.6 * consonant_filter.step(x, centre_hz, centre_hz * 0.5, rate) * 4.0;
            }
        }
        *sample = (4.0 * voiced + unvoiced) as f32;
    }
    let peak = out.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    if peak > 0.0 {
        for s in &mut out {
            *s /= peak;
        }
    }
    out
}
