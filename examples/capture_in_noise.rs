//! Audio capture in a room (issue 27): note F of the live note tracker on General MIDI
//! instruments rendered by RustySynth from a SoundFont and on a synthetic solo singer (male and
//! female; `tests/common/singer.rs`), in conditions that are not one recipe — clean, white /
//! pink / brown noise, mains hum, a fan and babble (six `espeak-ng` talkers) at 10, 20 and 30 dB
//! SNR, the synthesizer's own reverb and two synthetic rooms (0.35 s close, 1.6 s far) — at
//! levels from −40 to −6 dBFS; per instrument family and condition, pooled, with the median
//! emission latency and onset-stamp error.
//!
//! `cargo run --release --example capture_in_noise -- [SOUNDFONT.sf2] [--seed N] [--motifs N]
//! [--aubio] [--pyin PYTHON]`
//!
//! SNR is the signal's power over the spans where its notes sound, less the noise's power over
//! the whole item. A note is found when a note-on of its key starts within 50 ms of its onset
//! (each note-on matches one note at most). Without `espeak-ng` the babble condition is
//! skipped (said so). `--aubio` also scores `aubionotes` (Debian `aubio-tools`, default
//! settings, offline) on the same items as a baseline; `--pyin PYTHON` scores pYIN (librosa's,
//! segmented into notes by `scripts/pyin_notes.py`, offline), run by a Python that has librosa.

#[path = "../tests/common/babble.rs"]
mod babble;
#[path = "../tests/common/ending_keys.rs"]
mod ending_keys;
#[path = "../tests/common/noise.rs"]
mod noise;
#[path = "../tests/common/room.rs"]
mod room;
#[path = "../tests/common/singer.rs"]
mod singer;

use babble::Babble;
use ending_keys::with_ending_keys;
use noise::{level_over_notes, mix, noise, Noise};
use reprise::engine::audio_capture::{NoteTracker, PitchRange, TrackedNote, TrackerSettings};
use reprise::engine::rng::Rng;
use reprise::synth::{load_soundfont, SoundFont};
use room::{convolve, impulse_response, Room};
use rustysynth::{Synthesizer, SynthesizerSettings};
use singer::{sing, Voice};
use std::sync::Arc;

const RATE: f64 = 48_000.0;
const BLOCK: usize = 64;
const ONSET_TOLERANCE_S: f64 = 0.05;

/// Where a family's sound comes from.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// A General MIDI program of the SoundFont.
    Program(u8),
    /// The synthetic singer.
    Singer(Voice),
}

/// (family, source, lowest key, highest key, the tracker's range).
const FAMILIES: [(&str, Source, u8, u8, PitchRange); 10] = [
    ("piano", Source::Program(0), 55, 84, PitchRange::Voice),
    ("flute", Source::Program(73), 72, 93, PitchRange::High),
    ("clarinet", Source::Program(71), 55, 82, PitchRange::Voice),
    ("violin", Source::Program(40), 62, 91, PitchRange::High),
    ("cello", Source::Program(42), 40, 67, PitchRange::Low),
    ("trumpet", Source::Program(56), 58, 82, PitchRange::High),
    ("choir", Source::Program(52), 55, 76, PitchRange::Voice),
    ("synth lead", Source::Program(80), 57, 81, PitchRange::Voice),
    (
        "singer (m)",
        Source::Singer(Voice::Male),
        45,
        67,
        PitchRange::Voice,
    ),
    (
        "singer (f)",
        Source::Singer(Voice::Female),
        57,
        79,
        PitchRange::Voice,
    ),
];

/// A condition: a noise at an SNR, babble at an SNR, a reverb (the synthesizer's or a room),
/// or clean.
#[derive(Debug, Clone, Copy)]
enum Condition {
    Clean,
    Reverb,
    Room(&'static str, Room),
    Noise(Noise, f64),
    Babble(f64),
}

impl Condition {
    fn name(self) -> String {
        match self {
            Condition::Clean => "clean".into(),
            Condition::Reverb => "reverb".into(),
            Condition::Room(name, _) => format!("room {name}"),
            Condition::Noise(kind, snr) => format!("{kind:?} {snr:.0} dB"),
            Condition::Babble(snr) => format!("babble {snr:.0} dB"),
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

/// The medium room the singer is heard in for the "reverb" condition (it has no synthesizer
/// reverb of its own).
const SINGER_REVERB: Room = Room {
    rt60_s: 0.8,
    direct_to_reverb_db: 0.0,
};

/// `notes` from `source`, mono, dry (or with the synthesizer's reverb / the singer's medium room
/// when `reverb`).
fn make(
    soundfont: &Arc<SoundFont>,
    source: Source,
    notes: &[(u8, f64, f64)],
    reverb: bool,
    seed: u64,
) -> Vec<f32> {
    match source {
        Source::Program(program) => render(soundfont, program, notes, reverb),
        Source::Singer(voice) => {
            let dry = sing(notes, voice, RATE, seed);
            if reverb {
                convolve(&dry, &impulse_response(SINGER_REVERB, RATE, seed))
            } else {
                dry
            }
        }
    }
}

/// `aubionotes` stamps onsets this much late (its analysis buffer; median on clean piano items
/// of this set: 45–51 ms): its onsets are moved back by it, so the 50 ms window judges its
/// pitch and segmentation, not its buffering.
const AUBIO_ONSET_LAG_S: f64 = 0.049;

/// The notes `aubionotes` (default settings) finds in `signal`, as note-ons and -offs;
/// `Err` if it cannot be run.
fn aubio_notes(signal: &[f32], scratch: &std::path::Path) -> Result<Vec<TrackedNote>, String> {
    let wav = scratch.join("item.wav");
    write_wav(signal, &wav)?;
    let output = std::process::Command::new("aubionotes")
        .arg("-i")
        .arg(&wav)
        .output()
        .map_err(|e| format!("aubionotes: {e}"))?;
    if !output.status.success() {
        return Err(format!("aubionotes failed: {}", output.status));
    }
    let mut notes = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        notes.extend(note_line(line));
    }
    Ok(as_tracked(&notes, AUBIO_ONSET_LAG_S))
}

/// A baseline's note line, "<midi key> <onset s> <offset s>" (aubionotes' and
/// `pyin_notes.py`'s form): (key, onset s, offset s), or `None` for any other line.
fn note_line(line: &str) -> Option<(u8, f64, f64)> {
    let fields: Vec<f64> = line
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    match fields[..] {
        [midi, on_s, off_s] => Some((midi.round().clamp(0.0, 127.0) as u8, on_s, off_s)),
        _ => None,
    }
}

/// Writes `signal` as a 16-bit mono WAV at [`RATE`].
fn write_wav(signal: &[f32], wav: &std::path::Path) -> Result<(), String> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE as u32,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(wav, spec).map_err(|e| e.to_string())?;
    for s in signal {
        writer
            .write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16)
            .map_err(|e| e.to_string())?;
    }
    writer.finalize().map_err(|e| e.to_string())
}

/// A note list (key, onset s, offset s) as note-ons and -offs, onsets moved back by `lag_s`.
fn as_tracked(notes: &[(u8, f64, f64)], lag_s: f64) -> Vec<TrackedNote> {
    let at = |t: f64| ((t - lag_s).max(0.0) * RATE) as u64;
    let mut out = Vec::with_capacity(2 * notes.len());
    for &(key, on_s, off_s) in notes {
        for (is_on, t) in [(true, on_s), (false, off_s)] {
            out.push(TrackedNote {
                is_on,
                key,
                at_samples: at(t),
                reported_at_samples: at(t),
                final_key: key,
                velocity: 0.5,
            });
        }
    }
    out
}

/// The onsets of `scripts/pyin_notes.py` come this much late, s (its onset detector's peak
/// follows the attack: median signed error +26.9 ms over the matched notes of a one-motif run on
/// TimGM6mb): they are moved back by it before scoring, as aubionotes' are, so the 50 ms window
/// judges pitch and segmentation, not the lag.
const PYIN_ONSET_LAG_S: f64 = 0.027;

/// The pYIN baseline: `scripts/pyin_notes.py` (librosa's pYIN and a simple segmentation) run
/// once by a Python that has librosa, fed one WAV per item.
struct Pyin {
    child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::BufReader<std::process::ChildStdout>,
}

impl Pyin {
    fn start(python: &str) -> Result<Self, String> {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pyin_notes.py");
        let mut child = std::process::Command::new(python)
            .arg(script)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("{python}: {e}"))?;
        let input = child.stdin.take().ok_or("no stdin")?;
        let output = std::io::BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(Self {
            child,
            input,
            output,
        })
    }

    fn notes(
        &mut self,
        signal: &[f32],
        scratch: &std::path::Path,
    ) -> Result<Vec<TrackedNote>, String> {
        use std::io::{BufRead, Write};
        let wav = scratch.join("pyin-item.wav");
        write_wav(signal, &wav)?;
        writeln!(self.input, "{}", wav.display()).map_err(|e| e.to_string())?;
        self.input.flush().map_err(|e| e.to_string())?;
        let mut notes = Vec::new();
        loop {
            let mut line = String::new();
            if self
                .output
                .read_line(&mut line)
                .map_err(|e| e.to_string())?
                == 0
            {
                return Err("pyin_notes.py ended early".into());
            }
            if line.trim() == "END" {
                break;
            }
            if let Some(why) = line.trim().strip_prefix("ERROR ") {
                return Err(format!("pyin_notes.py on {}: {why}", wav.display()));
            }
            notes.extend(note_line(&line));
        }
        Ok(as_tracked(&notes, PYIN_ONSET_LAG_S))
    }
}

impl Drop for Pyin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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

/// Counts of one scorer on a set of items.
#[derive(Default)]
struct Tally {
    truth: usize,
    /// Notes found with the note-on's key (what is heard live).
    found: usize,
    /// Notes found with the key the note ends with (what the captured motif keeps: the tracker
    /// retunes a note-on that caught a scoop or a vibrato's extreme at its note-off).
    found_final: usize,
    ons: usize,
    /// Note-ons an octave above or below the note sounding at their onset (final keys).
    octave_ons: usize,
    latencies: Vec<f64>,
    /// The latencies of notes that follow a rest of at least [`REST_S`] (or start the item).
    latencies_after_rest: Vec<f64>,
    onset_errors: Vec<f64>,
    /// Found note-on minus the note's onset, s (a baseline's constant lag shows here).
    signed_onset_errors: Vec<f64>,
}

/// A gap this long or longer before a note is a rest (the note starts out of silence or a
/// tail); shorter, the note follows legato or repeated close.
const REST_S: f64 = 0.03;

impl Tally {
    fn add(&mut self, truth: &[(u8, f64, f64)], notes: &[TrackedNote]) {
        let ons = with_ending_keys(notes);
        self.truth += truth.len();
        self.ons += ons.len();
        // Note-ons an octave off the note sounding then (the pitch read at twice or half the
        // frequency), by their final keys.
        self.octave_ons += ons
            .iter()
            .filter(|(n, final_key)| {
                let at = n.at_samples as f64 / RATE;
                truth.iter().any(|&(key, on, off)| {
                    at >= on - ONSET_TOLERANCE_S
                        && at < off
                        && (i16::from(*final_key) - i16::from(key)).abs() == 12
                })
            })
            .count();
        for final_keys in [false, true] {
            let mut used = vec![false; ons.len()];
            for (t, &(key, onset, _)) in truth.iter().enumerate() {
                let after_rest = t == 0 || onset - truth[t - 1].2 >= REST_S;
                let best = ons
                    .iter()
                    .enumerate()
                    .filter(|(i, (n, final_key))| {
                        !used[*i]
                            && if final_keys {
                                *final_key == key
                            } else {
                                n.key == key
                            }
                    })
                    .map(|(i, (n, _))| (i, n.at_samples as f64 / RATE - onset))
                    .filter(|(_, error)| error.abs() <= ONSET_TOLERANCE_S)
                    .min_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
                let Some((i, error)) = best else {
                    continue;
                };
                used[i] = true;
                if final_keys {
                    self.found_final += 1;
                } else {
                    self.found += 1;
                    self.onset_errors.push(error.abs());
                    self.signed_onset_errors.push(error);
                    let latency = ons[i].0.reported_at_samples as f64 / RATE - onset;
                    self.latencies.push(latency);
                    if after_rest {
                        self.latencies_after_rest.push(latency);
                    }
                }
            }
        }
    }

    fn f(&self) -> f64 {
        f_measure(self.found, self.ons, self.truth)
    }

    fn f_final(&self) -> f64 {
        f_measure(self.found_final, self.ons, self.truth)
    }
}

/// F-measure of `found` matches among `ons` answers and `truth` notes.
fn f_measure(found: usize, ons: usize, truth: usize) -> f64 {
    let precision = found as f64 / ons.max(1) as f64;
    let recall = found as f64 / truth.max(1) as f64;
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// One scorer's tallies: pooled, per condition, per family × condition.
struct Scores {
    pooled: Tally,
    by_condition: Vec<Tally>,
    by_family: Vec<Vec<Tally>>,
}

impl Scores {
    fn new(families: usize, conditions: usize) -> Self {
        Self {
            pooled: Tally::default(),
            by_condition: (0..conditions).map(|_| Tally::default()).collect(),
            by_family: (0..families)
                .map(|_| (0..conditions).map(|_| Tally::default()).collect())
                .collect(),
        }
    }

    fn add(
        &mut self,
        family: usize,
        condition: usize,
        truth: &[(u8, f64, f64)],
        notes: &[TrackedNote],
    ) {
        self.pooled.add(truth, notes);
        self.by_condition[condition].add(truth, notes);
        self.by_family[family][condition].add(truth, notes);
    }

    /// The family × condition table of note F, by the note-on's key or (`final_keys`) by the
    /// key each note ends with.
    fn print_table(&self, conditions: &[Condition], final_keys: bool) {
        let f = |t: &Tally| if final_keys { t.f_final() } else { t.f() };
        println!(
            "| family | {} |",
            conditions
                .iter()
                .map(|c| c.name())
                .collect::<Vec<_>>()
                .join(" | ")
        );
        println!("|---|{}", "---|".repeat(conditions.len()));
        for (family, row) in self.by_family.iter().enumerate() {
            println!(
                "| {} | {} |",
                FAMILIES[family].0,
                row.iter()
                    .map(|t| format!("{:.2}", f(t)))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
        println!(
            "| **all** | {} |",
            self.by_condition
                .iter()
                .map(|t| format!("**{:.2}**", f(t)))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        println!();
    }

    fn print(&mut self, title: &str, conditions: &[Condition], latency: bool) {
        println!("\n## {title}\n");
        println!("By the note-on's key:\n");
        self.print_table(conditions, false);
        println!("By the key each note ends with (what capture keeps):\n");
        self.print_table(conditions, true);
        println!(
            "with the keys notes end with, all conditions: {}",
            self.by_family
                .iter()
                .enumerate()
                .map(|(f, row)| {
                    let (found, ons, truth) = row.iter().fold((0, 0, 0), |(a, b, c), t| {
                        (a + t.found_final, b + t.ons, c + t.truth)
                    });
                    format!("{} {:.2}", FAMILIES[f].0, f_measure(found, ons, truth))
                })
                .collect::<Vec<_>>()
                .join(" · ")
        );
        println!(
            "note-ons an octave off the note sounding, all conditions: {}",
            self.by_family
                .iter()
                .enumerate()
                .map(|(f, row)| {
                    let (octave, ons) = row
                        .iter()
                        .fold((0, 0), |(a, b), t| (a + t.octave_ons, b + t.ons));
                    format!("{} {octave}/{ons}", FAMILIES[f].0)
                })
                .collect::<Vec<_>>()
                .join(" · ")
        );
        if latency {
            println!(
                "median emission latency by family, all conditions: {}",
                self.by_family
                    .iter()
                    .enumerate()
                    .map(|(f, row)| {
                        let mut all: Vec<f64> = row
                            .iter()
                            .flat_map(|t| t.latencies.iter().copied())
                            .collect();
                        let mut after_rest: Vec<f64> = row
                            .iter()
                            .flat_map(|t| t.latencies_after_rest.iter().copied())
                            .collect();
                        format!(
                            "{} {:.0} ms ({:.0} ms after a rest)",
                            FAMILIES[f].0,
                            1000.0 * median(&mut all),
                            1000.0 * median(&mut after_rest)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" · ")
            );
        }
        println!();
        for (condition, tally) in conditions.iter().zip(self.by_condition.iter()) {
            println!(
                "{:>14}: note F {:.3}, ending keys {:.3} ({} of {} notes, {} note-ons)",
                condition.name(),
                tally.f(),
                tally.f_final(),
                tally.found,
                tally.truth,
                tally.ons
            );
        }
        let families_20: Vec<(f64, f64)> = self
            .by_family
            .iter()
            .flat_map(|row| {
                conditions
                    .iter()
                    .zip(row)
                    .filter(|(c, _)| matches!(c, Condition::Noise(_, snr) | Condition::Babble(snr) if *snr == 20.0))
                    .map(|(_, t)| (t.f(), t.f_final()))
            })
            .collect();
        let worst_20 = families_20
            .iter()
            .map(|f| f.0)
            .fold(f64::INFINITY, f64::min);
        let worst_20_final = families_20
            .iter()
            .map(|f| f.1)
            .fold(f64::INFINITY, f64::min);
        print!(
            "pooled: note F {:.3} (with the keys notes end with: {:.3}); worst family × condition at 20 dB SNR {:.2} (ending keys {:.2}); median onset-stamp error {:.1} ms (signed {:+.1} ms)",
            self.pooled.f(),
            self.pooled.f_final(),
            worst_20,
            worst_20_final,
            1000.0 * median(&mut self.pooled.onset_errors),
            1000.0 * median(&mut self.pooled.signed_onset_errors)
        );
        if latency {
            print!(
                "; median emission latency {:.1} ms ({:.1} ms for the {} of {} notes found after a rest of {:.0} ms or more)",
                1000.0 * median(&mut self.pooled.latencies),
                1000.0 * median(&mut self.pooled.latencies_after_rest),
                self.pooled.latencies_after_rest.len(),
                self.pooled.latencies.len(),
                1000.0 * REST_S
            );
        }
        println!();
    }
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
    let with_aubio = args.iter().any(|a| a == "--aubio");
    // `--pyin PYTHON`: also score pYIN, run by that Python (which must have librosa).
    let mut pyin = args
        .iter()
        .position(|a| a == "--pyin")
        .and_then(|i| args.get(i + 1))
        .map(|python| {
            Pyin::start(python).unwrap_or_else(|why| {
                eprintln!("the pYIN baseline cannot start: {why}");
                std::process::exit(2);
            })
        });
    // Debugging: `REPRISE_DUMP=family` lists that family's clean items, truth and found.
    let dump = std::env::var("REPRISE_DUMP").ok();
    // … in the condition named by `REPRISE_DUMP_CONDITION` (default: clean).
    let dump_condition = std::env::var("REPRISE_DUMP_CONDITION").unwrap_or_else(|_| "clean".into());
    let soundfont = load_soundfont(std::path::Path::new(&path)).expect("the SoundFont");
    let scratch = std::env::temp_dir().join(format!("capture_in_noise-{}", std::process::id()));
    let babble = match Babble::new(RATE, &scratch) {
        Ok(babble) => Some(babble),
        Err(why) => {
            println!("SKIP babble: {why}");
            None
        }
    };
    let mut conditions = vec![
        Condition::Clean,
        Condition::Reverb,
        Condition::Room("small", Room::SMALL),
        Condition::Room("large", Room::LARGE),
    ];
    for kind in Noise::ALL {
        conditions.push(Condition::Noise(kind, 20.0));
    }
    if babble.is_some() {
        conditions.push(Condition::Babble(20.0));
    }
    conditions.push(Condition::Noise(Noise::Pink, 10.0));
    conditions.push(Condition::Noise(Noise::Pink, 30.0));
    let mut rng = Rng::new(seed);
    let mut ours = Scores::new(FAMILIES.len(), conditions.len());
    let mut aubio = Scores::new(FAMILIES.len(), conditions.len());
    let mut pyin_scores = Scores::new(FAMILIES.len(), conditions.len());
    for (f, &(family, source, low, high, range)) in FAMILIES.iter().enumerate() {
        let items: Vec<Vec<(u8, f64, f64)>> =
            (0..motifs).map(|_| motif(&mut rng, low, high)).collect();
        for (c, &condition) in conditions.iter().enumerate() {
            for (i, notes) in items.iter().enumerate() {
                let item_seed = seed * 1000 + (f * 100 + i) as u64;
                let dry = make(
                    &soundfont,
                    source,
                    notes,
                    matches!(condition, Condition::Reverb),
                    item_seed,
                );
                let clean = match condition {
                    Condition::Room(_, room) => {
                        convolve(&dry, &impulse_response(room, RATE, item_seed))
                    }
                    _ => dry,
                };
                // A level from -40 to -6 dBFS over the notes.
                let level = -40.0 + 34.0 * rng.unit();
                let gain =
                    10f64.powf((level - level_over_notes(&clean, notes, RATE)) / 20.0) as f32;
                let signal: Vec<f32> = clean.iter().map(|s| s * gain).collect();
                let signal = match (condition, &babble) {
                    (Condition::Noise(kind, snr), _) => {
                        let background = noise(
                            kind,
                            RATE,
                            signal.len(),
                            level - snr,
                            seed * 1000 + i as u64,
                        );
                        mix(&signal, &background)
                    }
                    (Condition::Babble(snr), Some(babble)) => mix(
                        &signal,
                        &babble.excerpt(signal.len(), level - snr, item_seed),
                    ),
                    _ => signal,
                };
                let heard = track(&signal, range);
                if dump.as_deref() == Some(family) && condition.name() == dump_condition {
                    eprintln!("{family} item {i}: truth {notes:.3?}");
                    let events: Vec<(bool, u8, u8, f64, f64)> = heard
                        .iter()
                        .map(|n| {
                            (
                                n.is_on,
                                n.key,
                                n.final_key,
                                n.at_samples as f64 / RATE,
                                n.reported_at_samples as f64 / RATE,
                            )
                        })
                        .collect();
                    eprintln!("  ours (on?, key, final key, s, reported s) {events:.3?}");
                    if with_aubio {
                        let found = aubio_notes(&signal, &scratch).unwrap_or_default();
                        let ons: Vec<(u8, f64)> = found
                            .iter()
                            .filter(|n| n.is_on)
                            .map(|n| (n.key, n.at_samples as f64 / RATE))
                            .collect();
                        eprintln!("  aubio {ons:.3?}");
                    }
                }
                ours.add(f, c, notes, &heard);
                if let Some(pyin) = pyin.as_mut() {
                    match pyin.notes(&signal, &scratch) {
                        Ok(found) => pyin_scores.add(f, c, notes, &found),
                        Err(why) => {
                            eprintln!("pYIN: {why}");
                            let _ = std::fs::remove_dir_all(&scratch);
                            std::process::exit(1);
                        }
                    }
                }
                if with_aubio {
                    match aubio_notes(&signal, &scratch) {
                        Ok(found) => aubio.add(f, c, notes, &found),
                        Err(why) => {
                            eprintln!("aubionotes: {why}");
                            let _ = std::fs::remove_dir_all(&scratch);
                            std::process::exit(1);
                        }
                    }
                }
            }
        }
        eprintln!("{family}: done");
    }
    println!("\n{path}, seed {seed}, {motifs} motifs per family");
    ours.print("Reprise's note tracker (live, causal)", &conditions, true);
    if with_aubio {
        aubio.print("aubionotes (default settings, offline)", &conditions, false);
    }
    if pyin.is_some() {
        pyin_scores.print(
            "pYIN (librosa, segmented by scripts/pyin_notes.py, offline)",
            &conditions,
            false,
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
