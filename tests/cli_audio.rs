//! Issue 26, "hear it without a DAW": renderings played through a General MIDI SoundFont
//! (`reprise render --wav`, `reprise demo --audio`, [`reprise::synth`]). Each character's melody
//! of several melodies, heard alone through a GM piano, is tracked back by Reprise's own audio
//! tracker (`reprise listen`) and matched to the rendering's notes (same key, onset ±50 ms):
//! note F ≥ 0.9. A missing or damaged SoundFont is a clear error and nothing is written.
//!
//! Needs a General MIDI SoundFont (`$REPRISE_SOUNDFONT` or Debian's `timgm6mb-soundfont`);
//! `scripts/test.sh` skips this file, saying SKIP, when there is none.

#[allow(dead_code)]
#[path = "common/cli_run.rs"]
mod cli_run;

#[allow(dead_code)]
#[path = "common/melody_sets.rs"]
mod melody_sets;

use std::path::Path;

use cli_run::{reprise, scratch, write_ode};
use reprise::engine::character::{render, Character, CharacterSettings};
use reprise::engine::motif::{Motif, TimeSignature};
use reprise::engine::rendering::{Rendering, Voice};
use reprise::engine::time_map::TimeMap;
use reprise::synth::{find_soundfont, load_soundfont, render_audio, write_wav};

/// How far a heard onset may lie from the rendered one, seconds (the bound).
const ONSET_TOLERANCE_S: f64 = 0.050;
/// The sample rate the melodies are rendered and tracked at, Hz (the tracker's lowest: the
/// test runs in a debug build).
const TEST_RATE_HZ: u32 = 22_050;

fn soundfont() -> std::path::PathBuf {
    find_soundfont(None).unwrap_or_else(|e| {
        panic!("{e} (scripts/test.sh skips this test, saying SKIP, when there is none)")
    })
}

/// The rendering's melody voice alone.
fn melody_of(rendering: &Rendering) -> Rendering {
    let mut melody = Rendering::new();
    for note in rendering.voice(Voice::Melody) {
        melody.push_note(*note);
    }
    melody.finish();
    melody.length_beats = rendering.length_beats;
    melody
}

/// The tracker's range for `keys`: voice (E2–C6) when they fit, else high (G3–C7), else low.
fn range_for(melody: &Rendering) -> &'static str {
    let low = melody.notes.iter().map(|n| n.key).min().unwrap_or(60);
    let high = melody.notes.iter().map(|n| n.key).max().unwrap_or(60);
    if (40..=84).contains(&low) && (40..=84).contains(&high) {
        "voice"
    } else if low >= 55 && high <= 96 {
        "high"
    } else {
        "low"
    }
}

/// (onset seconds, key) of each note `reprise listen` hears in `wav`.
fn listen(wav: &Path, csv: &Path, range: &str) -> Vec<(f64, u8)> {
    let run = reprise(&[
        "listen",
        wav.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--range",
        range,
    ]);
    if !run.status.success() {
        return Vec::new();
    }
    std::fs::read_to_string(csv)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            (fields[0].parse().unwrap(), fields[2].parse().unwrap())
        })
        .collect()
}

/// True positives: rendered notes with a heard note of the same key within the tolerance
/// (each heard note matched once).
fn matches(rendered: &[(f64, u8)], heard: &[(f64, u8)]) -> usize {
    let mut used = vec![false; heard.len()];
    let mut found = 0;
    for &(onset, key) in rendered {
        let best = heard
            .iter()
            .enumerate()
            .filter(|(i, h)| !used[*i] && h.1 == key && (h.0 - onset).abs() <= ONSET_TOLERANCE_S)
            .min_by(|a, b| (a.1 .0 - onset).abs().total_cmp(&(b.1 .0 - onset).abs()));
        if let Some((i, _)) = best {
            used[i] = true;
            found += 1;
        }
    }
    found
}

#[test]
fn each_characters_melody_heard_through_a_gm_piano_is_tracked_back_at_note_f_0_9() {
    let font = load_soundfont(&soundfont()).expect("the SoundFont loads");
    let dir = scratch("audio-f");
    let mut motifs: Vec<(String, Motif)> = melody_sets::load_test_set()
        .into_iter()
        .take(4)
        .map(|melody| {
            let mut motif = Motif::new(TimeSignature::new(4, 4), 96.0);
            for note in melody.notes {
                motif.push(note);
            }
            motif.finish();
            (melody.name, motif)
        })
        .collect();
    motifs.push(("demo".to_owned(), reprise::engine::demo::demo_motif()));
    for character in Character::ALL {
        let (mut rendered_total, mut heard_total, mut found_total) = (0, 0, 0);
        for (index, (name, motif)) in motifs.iter().enumerate() {
            let mut rendering = Rendering::new();
            render(
                motif,
                &CharacterSettings {
                    character,
                    humanize: 0.0,
                    ..CharacterSettings::default()
                },
                &mut rendering,
            );
            let melody = melody_of(&rendering);
            let time_map = TimeMap::constant(motif.time_signature, motif.tempo_bpm);
            let audio = render_audio(
                &[(Character::Piano, &melody)],
                &time_map,
                &font,
                TEST_RATE_HZ,
            )
            .expect("rendered");
            let wav = dir.join(format!("{}-{index}.wav", character.name()));
            write_wav(&wav, &audio).unwrap();
            let heard = listen(&wav, &dir.join(format!("{index}.csv")), range_for(&melody));
            let rendered: Vec<(f64, u8)> = melody
                .notes
                .iter()
                .map(|n| (time_map.seconds_at(n.start_beats), n.key))
                .collect();
            let found = matches(&rendered, &heard);
            eprintln!(
                "{}: {name}: {found} of {} rendered notes heard ({} heard)",
                character.name(),
                rendered.len(),
                heard.len()
            );
            rendered_total += rendered.len();
            heard_total += heard.len();
            found_total += found;
        }
        let precision = found_total as f64 / heard_total.max(1) as f64;
        let recall = found_total as f64 / rendered_total.max(1) as f64;
        let f = 2.0 * precision * recall / (precision + recall).max(1e-12);
        eprintln!(
            "{}: note F {f:.3} (precision {precision:.3}, recall {recall:.3}) over {rendered_total} notes",
            character.name()
        );
        assert!(f >= 0.9, "{}: note F {f:.3}", character.name());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn render_wav_and_demo_audio_write_audible_files() {
    let _ = soundfont();
    let dir = scratch("audio-cli");
    let ode = write_ode(&dir);
    let out = dir.join("ode-swell.mid");
    let wav = dir.join("ode-swell.wav");
    let run = reprise(&[
        "render",
        ode.to_str().unwrap(),
        "--character",
        "swell",
        "-o",
        out.to_str().unwrap(),
        "--wav",
        wav.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("ode-swell.wav") && stdout.contains("48000 Hz"),
        "{stdout}"
    );
    let reader = hound::WavReader::open(&wav).expect("a WAV");
    assert_eq!(reader.spec().channels, 2);
    assert_eq!(reader.spec().sample_rate, 48_000);
    let peak = reader
        .into_samples::<i16>()
        .map(|s| s.unwrap().unsigned_abs())
        .max()
        .unwrap();
    assert!(peak > 1000, "audible: peak {peak} of 32767");
    // --all: one file per character.
    let all_wav = dir.join("all.wav");
    let run = reprise(&[
        "render",
        ode.to_str().unwrap(),
        "--all",
        "-o",
        dir.join("all.mid").to_str().unwrap(),
        "--wav",
        all_wav.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for character in ["piano", "swell", "distant"] {
        assert!(
            dir.join(format!("all.{character}.wav")).is_file(),
            "{character}"
        );
    }
    // --wav naming the SoundFont being played: refused, the SoundFont untouched.
    let font = dir.join("font.sf2");
    std::fs::copy(soundfont(), &font).unwrap();
    let before = std::fs::metadata(&font).unwrap().len();
    let run = reprise(&[
        "render",
        ode.to_str().unwrap(),
        "--character",
        "piano",
        "-o",
        dir.join("font-test.mid").to_str().unwrap(),
        "--wav",
        font.to_str().unwrap(),
        "--soundfont",
        font.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    assert_eq!(std::fs::metadata(&font).unwrap().len(), before);
    // demo --audio: a WAV beside each rendering.
    let demo = dir.join("demo");
    let run = reprise(&["demo", "-o", demo.to_str().unwrap(), "--audio"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for character in ["piano", "swell", "distant"] {
        assert!(
            demo.join(format!("{character}.wav")).is_file(),
            "{character}.wav"
        );
        assert!(demo.join(format!("{character}.mid")).is_file());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_or_damaged_soundfont_or_a_wav_over_an_input_is_refused_and_nothing_is_written() {
    let dir = scratch("audio-bad");
    let ode = write_ode(&dir);
    let out = dir.join("out.mid");
    let run = reprise(&[
        "render",
        ode.to_str().unwrap(),
        "--character",
        "piano",
        "-o",
        out.to_str().unwrap(),
        "--wav",
        dir.join("out.wav").to_str().unwrap(),
        "--soundfont",
        "/nonexistent/font.sf2",
    ]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("cannot open the SoundFont"), "{stderr}");
    assert!(!out.exists(), "nothing written");
    let damaged = dir.join("damaged.sf2");
    std::fs::write(
        &damaged,
        b"RIFF\x10\x00\x00\x00sfbkLIST\x04\x00\x00\x00INFO",
    )
    .unwrap();
    let run = reprise(&[
        "render",
        ode.to_str().unwrap(),
        "--character",
        "piano",
        "-o",
        out.to_str().unwrap(),
        "--wav",
        dir.join("out.wav").to_str().unwrap(),
        "--soundfont",
        damaged.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("not a SoundFont that can be read"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists(), "nothing written");
    // The audio may not replace the motif, nor the .mid being written.
    let before = std::fs::read(&ode).unwrap();
    for wav in [ode.to_str().unwrap(), out.to_str().unwrap()] {
        let run = reprise(&[
            "render",
            ode.to_str().unwrap(),
            "--character",
            "piano",
            "-o",
            out.to_str().unwrap(),
            "--wav",
            wav,
        ]);
        assert_eq!(run.status.code(), Some(1), "--wav {wav}");
    }
    assert_eq!(
        std::fs::read(&ode).unwrap(),
        before,
        "the motif is untouched"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
