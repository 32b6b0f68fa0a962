//! Issue 23: a .mid file's tempo and metre maps are read, shown and written back (item 7); the
//! CLI's wording reads as a musician writes it (item 8); a file cut short says so (item 11).

#[allow(dead_code)]
#[path = "common/cli_run.rs"]
mod cli_run;

use std::path::{Path, PathBuf};

use midly::num::{u15, u24, u28, u4, u7};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};

use cli_run::{note, reprise, scratch, stderr_lines, write_notes};
use reprise::engine::motif::TimeSignature;

/// Resolution of the DAW export built below, ticks per quarter note.
const TICKS_PER_BEAT: u32 = 480;

fn event(delta_ticks: u32, kind: TrackEventKind<'static>) -> TrackEvent<'static> {
    TrackEvent {
        delta: u28::new(delta_ticks),
        kind,
    }
}

fn tempo(delta_ticks: u32, bpm: u32) -> TrackEvent<'static> {
    event(
        delta_ticks,
        TrackEventKind::Meta(MetaMessage::Tempo(u24::new(60_000_000 / bpm))),
    )
}

fn metre(delta_ticks: u32, numerator: u8, denominator_pow2: u8) -> TrackEvent<'static> {
    event(
        delta_ticks,
        TrackEventKind::Meta(MetaMessage::TimeSignature(
            numerator,
            denominator_pow2,
            24,
            8,
        )),
    )
}

fn key_event(delta_ticks: u32, key: u8, down: bool) -> TrackEvent<'static> {
    let message = if down {
        MidiMessage::NoteOn {
            key: u7::new(key),
            vel: u7::new(100),
        }
    } else {
        MidiMessage::NoteOff {
            key: u7::new(key),
            vel: u7::new(0),
        }
    };
    event(
        delta_ticks,
        TrackEventKind::Midi {
            channel: u4::new(0),
            message,
        },
    )
}

/// The melody of [`write_daw_export`]: quarter notes `(beat, key)` on the beats 0, 2, 4, 6, 8
/// and 11 — the last one on the DAW's 4:1.
const MELODY: [(u32, u8); 6] = [(0, 60), (2, 62), (4, 64), (6, 65), (8, 67), (11, 69)];

/// A DAW export: a conductor track at 100 BPM in 4/4 that turns to 80 BPM and 3/4 at bar 3
/// (beat 8), and a "Melody" track of [`MELODY`].
fn write_daw_export(dir: &Path) -> PathBuf {
    write_daw_export_of(dir, "export.mid", &MELODY)
}

/// [`write_daw_export`] with other quarter notes `(beat, key)`.
fn write_daw_export_of(dir: &Path, name: &str, notes: &[(u32, u8)]) -> PathBuf {
    let bar_3 = 8 * TICKS_PER_BEAT;
    let conductor = vec![
        event(0, TrackEventKind::Meta(MetaMessage::TrackName(b"Tempo"))),
        tempo(0, 100),
        metre(0, 4, 2),
        tempo(bar_3, 80),
        metre(0, 3, 2),
        event(0, TrackEventKind::Meta(MetaMessage::EndOfTrack)),
    ];
    let mut melody = vec![event(
        0,
        TrackEventKind::Meta(MetaMessage::TrackName(b"Melody")),
    )];
    let mut last_tick = 0;
    for &(beat, key) in notes {
        let on = beat * TICKS_PER_BEAT;
        melody.push(key_event(on - last_tick, key, true));
        melody.push(key_event(TICKS_PER_BEAT, key, false));
        last_tick = on + TICKS_PER_BEAT;
    }
    melody.push(event(0, TrackEventKind::Meta(MetaMessage::EndOfTrack)));
    let mut smf = Smf::new(Header::new(
        Format::Parallel,
        Timing::Metrical(u15::new(TICKS_PER_BEAT as u16)),
    ));
    smf.tracks.push(conductor);
    smf.tracks.push(melody);
    let path = dir.join(name);
    smf.save(&path).unwrap();
    path
}

/// The tempo changes (beat, BPM) and metre changes (beat, numerator, denominator) of a .mid
/// file, read straight from its events.
type Maps = (Vec<(f64, u32)>, Vec<(f64, u8, u8)>);

fn maps_of(path: &Path) -> Maps {
    let bytes = std::fs::read(path).unwrap();
    let smf = Smf::parse(&bytes).unwrap();
    let Timing::Metrical(ticks_per_beat) = smf.header.timing else {
        panic!("Reprise writes metrical files");
    };
    let beats = |ticks: u32| f64::from(ticks) / f64::from(ticks_per_beat.as_int());
    let (mut tempo, mut metre) = (Vec::new(), Vec::new());
    for track in &smf.tracks {
        let mut ticks = 0;
        for event in track {
            ticks += event.delta.as_int();
            match event.kind {
                TrackEventKind::Meta(MetaMessage::Tempo(us)) => tempo.push((
                    beats(ticks),
                    (60_000_000.0 / f64::from(us.as_int())).round() as u32,
                )),
                TrackEventKind::Meta(MetaMessage::TimeSignature(n, d, _, _)) => {
                    metre.push((beats(ticks), n, 1 << d))
                }
                _ => {}
            }
        }
    }
    (tempo, metre)
}

fn stdout_text(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The bar:beat and note name of each row of `analyze`'s note table.
fn rows(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|words| words.len() == 7 && words[0].contains(':'))
        .map(|words| (words[0].to_owned(), words[2].to_owned()))
        .collect()
}

#[test]
fn analyze_follows_the_files_tempo_and_metre_maps() {
    let dir = scratch("maps-analyze");
    let export = write_daw_export(&dir);
    let output = reprise(&["analyze", export.to_str().unwrap()]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let text = stdout_text(&output);
    let positions: Vec<String> = rows(&text).into_iter().map(|(at, _)| at).collect();
    assert_eq!(
        positions,
        ["1:1", "1:3", "2:1", "2:3", "3:1", "4:1"],
        "{text}"
    );
    assert!(
        text.contains("the metre changes at 3:1 (4/4 → 3/4)"),
        "{text}"
    );
    assert!(
        text.contains("the tempo changes at 3:1 (100 → 80 BPM)"),
        "{text}"
    );
    assert!(
        text.contains("4 bars (2 bars of 4/4, then 2 bars of 3/4), starting at 100 BPM"),
        "{text}"
    );

    let output = reprise(&["analyze", export.to_str().unwrap(), "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["notes"][5]["position"], "4:1");
    assert_eq!(json["metre_map"][1]["position"], "3:1");
    assert_eq!(json["tempo_map"][1]["tempo_bpm"], 80.0);
    assert_eq!(json["length_bars"], 4.0);

    // A melody starting in bar 4 is in 3/4 at 80 BPM, and says where it starts in the file.
    let late = write_daw_export_of(&dir, "late.mid", &[(11, 60), (12, 62), (13, 64)]);
    let output = reprise(&["analyze", late.to_str().unwrap()]);
    let text = stdout_text(&output);
    assert!(text.contains("from the file's bar 4"), "{text}");
    assert!(
        text.contains("3 notes, 1 bar of 3/4 (3 beats) at 80 BPM"),
        "{text}"
    );
}

#[test]
fn render_and_capture_write_the_inputs_tempo_and_metre_maps() {
    let dir = scratch("maps-render");
    let export = write_daw_export(&dir);
    let rendered = dir.join("piano.mid");
    let output = reprise(&[
        "render",
        export.to_str().unwrap(),
        "--character",
        "piano",
        "-o",
        rendered.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    // The engine renders in the metre at the start; it says so.
    let stderr = stderr_lines(&output).join("\n");
    assert!(
        stderr.contains("metre changes at 3:1 (4/4 → 3/4)"),
        "{stderr}"
    );

    // 100 BPM and 4/4 from the start, 80 BPM and 3/4 from bar 3 (beat 8).
    let expected: Maps = (vec![(0.0, 100), (8.0, 80)], vec![(0.0, 4, 4), (8.0, 3, 4)]);
    assert_eq!(maps_of(&rendered), expected);

    // Capture: one phrase (no gap of 4 beats), written with the same maps.
    let phrases = dir.join("phrases");
    let output = reprise(&[
        "capture",
        export.to_str().unwrap(),
        "-o",
        phrases.to_str().unwrap(),
        "--gap-beats",
        "4",
    ]);
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let text = stdout_text(&output);
    assert!(text.contains("metre changes at 3:1 (4/4 → 3/4)"), "{text}");
    assert_eq!(maps_of(&phrases.join("phrase_01.mid")), expected);
}

#[test]
fn counts_bars_and_tracks_are_worded_as_a_musician_writes_them() {
    let dir = scratch("maps-wording");
    let single = dir.join("single.mid");
    write_notes(
        &single,
        "Solo",
        &[note(0.0, 1.0, 60)],
        TimeSignature::new(4, 4),
        90.0,
    );
    let output = reprise(&["analyze", single.to_str().unwrap()]);
    let text = stdout_text(&output);
    assert!(text.contains("track 2 \"Solo\" of 2"), "{text}");
    assert!(text.contains("1 note, 1 bar of 4/4"), "{text}");
    // One pitch is no key to be sure of: C major is among the candidates, none is certain.
    let key_line = text
        .lines()
        .find(|l| l.starts_with("key: "))
        .unwrap_or_default();
    assert!(key_line.starts_with("key: ambiguous between "), "{text}");
    assert!(key_line.contains("C major"), "{text}");

    let output = reprise(&["analyze", single.to_str().unwrap(), "--track", "1"]);
    assert_eq!(
        stderr_lines(&output),
        [format!(
            "reprise: {}: track 1 contains no notes; the notes are on track 2 \"Solo\"",
            single.display()
        )]
    );

    // 6/8: bar:beat counts eighths, and so does the length column.
    let jig = dir.join("jig.mid");
    write_notes(
        &jig,
        "Jig",
        &[note(0.0, 1.5, 62), note(1.5, 1.5, 66), note(3.0, 3.0, 69)],
        TimeSignature::new(6, 8),
        120.0,
    );
    let output = reprise(&["analyze", jig.to_str().unwrap()]);
    let text = stdout_text(&output);
    let lengths: Vec<(String, String)> = text
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|words| words.len() == 7 && words[0].contains(':'))
        .map(|words| (words[0].to_owned(), words[1].to_owned()))
        .collect();
    let expected = [("1:1", "3"), ("1:4", "3"), ("2:1", "6")].map(|(a, b)| (a.into(), b.into()));
    assert_eq!(lengths, expected, "{text}");
    assert!(text.contains("2 bars of 6/8 (12 beats)"), "{text}");

    // The demo is in 3/4: "bars of 3/4", never "3/4 bars".
    let output = reprise(&["demo", "-o", dir.join("demo").to_str().unwrap()]);
    let text = stdout_text(&output);
    assert!(text.contains(" bars of 3/4"), "{text}");
    assert!(!text.contains("3/4 bars"), "{text}");
}

#[test]
fn a_file_cut_short_says_so_and_how_much_was_read() {
    let dir = scratch("maps-cut");
    let whole = dir.join("whole.mid");
    let notes: Vec<_> = (0..16).map(|i| note(i as f64, 1.0, 60 + i as u8)).collect();
    write_notes(&whole, "Run", &notes, TimeSignature::new(4, 4), 100.0);
    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.join("cut.mid");
    std::fs::write(&cut, &bytes[..100]).unwrap();

    let output = reprise(&["analyze", cut.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = stderr_lines(&output).join("\n");
    assert!(
        stderr.contains(&format!(
            "is cut short: it has 100 of the {} bytes its chunks announce",
            bytes.len()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 of its 2 tracks end properly"),
        "{stderr}"
    );

    let rendered = dir.join("out.mid");
    let output = reprise(&[
        "render",
        cut.to_str().unwrap(),
        "--character",
        "piano",
        "-o",
        rendered.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(!rendered.exists(), "nothing is written from a damaged file");
}
