//! Issue 24: `reprise fit --hits` — the rendering as the plugin plays it against a picture's
//! hits, written with the song's tempo map. Read back with `midly` through the file's own tempo
//! events, every `climax` and `start` hit's note starts within 1 ms of its hit, under a steady
//! tempo and under a tempo map that changes before the hits; inputs are never overwritten.

#[allow(dead_code)]
#[path = "common/cli_run.rs"]
mod cli_run;

#[path = "common/midi_read.rs"]
mod midi_read;

use cli_run::{note, reprise, scratch, write_notes};
use midi_read::read_back;
use reprise::engine::character::{render, Character, CharacterSettings};
use reprise::engine::climax::climax_beats;
use reprise::engine::midi_file::{write_tracks_in_map, ExportTrack};
use reprise::engine::motif::{Motif, Note, TimeSignature};
use reprise::engine::rendering::{Rendering, Voice};
use reprise::engine::time_map::{TempoChange, TimeMap};
use reprise::engine::timecode::{frames_to_seconds, FrameRate};

/// Note-ons of a .mid file as (channel, key, seconds), timed through its own tempo events.
fn note_ons_seconds(bytes: &[u8]) -> Vec<(u8, u8, f64)> {
    read_back(bytes)
        .0
        .into_iter()
        .map(|n| (n.channel, n.key, n.on_seconds))
        .collect()
}

/// A two-bar theme rising to its peak (B4) on beat 6.
fn theme() -> Vec<Note> {
    [62u8, 64, 66, 67, 69, 69, 71, 66]
        .iter()
        .enumerate()
        .map(|(i, &key)| note(i as f64, 0.9, key))
        .collect()
}

/// Swell's rendering of the theme as the CLI renders it (default humanize and seed).
fn swell_rendering(path: &std::path::Path) -> Rendering {
    let bytes = std::fs::read(path).unwrap();
    let performance = reprise::engine::midi_file::read_performance(&bytes, None).unwrap();
    let motif: Motif = reprise::engine::midi_file::motif_from_performance(&performance);
    let mut rendering = Rendering::new();
    render(
        &motif,
        &CharacterSettings {
            character: Character::Swell,
            intensity: 0.5,
            ..CharacterSettings::default()
        },
        &mut rendering,
    );
    rendering
}

/// The onset of (channel, key) nearest `seconds`, and its distance in ms.
fn nearest_ms(ons: &[(u8, u8, f64)], (channel, key): (u8, u8), seconds: f64) -> (f64, f64) {
    ons.iter()
        .filter(|o| o.0 == channel && o.1 == key)
        .map(|o| (o.2, (o.2 - seconds).abs() * 1000.0))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("the note is in the file")
}

fn hits_csv(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("hits.csv");
    std::fs::write(
        &path,
        "timecode,name,lands\n\
         01:00:14:12,door slam,climax\n\
         01:00:31:03,cut to exterior,start\n",
    )
    .unwrap();
    path
}

#[test]
fn climax_and_start_hits_land_within_a_millisecond_through_the_files_tempo_map() {
    let dir = scratch("fit");
    let motif = dir.join("theme.mid");
    write_notes(&motif, "Theme", &theme(), TimeSignature::new(4, 4), 96.0);
    let hits = hits_csv(&dir);
    let rendering = swell_rendering(&motif);
    let at = climax_beats(&rendering, Character::Swell).unwrap();
    let climax = rendering
        .voice(Voice::Melody)
        .find(|n| n.start_beats == at)
        .map(|n| (n.channel, n.key))
        .unwrap();
    let first = rendering.notes.first().map(|n| (n.channel, n.key)).unwrap();
    // A tempo map that steps from 96 to 104 BPM at beat 12, before both hits.
    let map_path = dir.join("map.mid");
    let map = TimeMap::from_changes(
        &[
            TempoChange {
                position_beats: 0.0,
                tempo_bpm: 96.0,
            },
            TempoChange {
                position_beats: 12.0,
                tempo_bpm: 104.0,
            },
        ],
        &[],
    );
    std::fs::write(
        &map_path,
        write_tracks_in_map(
            &[ExportTrack {
                name: "map",
                notes: &[note(0.0, 1.0, 60)],
                ccs: &[],
                programs: &[],
            }],
            &map,
            None,
        ),
    )
    .unwrap();
    let tempo_args: [&[&str]; 2] = [
        &["--tempo", "96"],
        &["--tempo-map", map_path.to_str().unwrap()],
    ];
    for (run, tempo) in tempo_args.into_iter().enumerate() {
        let out = dir.join(format!("fitted-{run}.mid"));
        let mut args = vec![
            "fit",
            motif.to_str().unwrap(),
            "--character",
            "swell",
            "--hits",
            hits.to_str().unwrap(),
            "--fps",
            "24",
            "--start-tc",
            "01:00:00:00",
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(tempo);
        let output = reprise(&args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("door slam (climax, must): lands on the frame"),
            "{stdout}"
        );
        let ons = note_ons_seconds(&std::fs::read(&out).unwrap());
        let door = frames_to_seconds(14 * 24 + 12, FrameRate::Fps24);
        let (at, ms) = nearest_ms(&ons, climax, door);
        assert!(
            ms <= 1.0,
            "run {run}: climax at {at:.4} s, the door slam at {door:.4} s"
        );
        let cut = frames_to_seconds(31 * 24 + 3, FrameRate::Fps24);
        let (at, ms) = nearest_ms(&ons, first, cut);
        assert!(
            ms <= 1.0,
            "run {run}: first note at {at:.4} s, the cut at {cut:.4} s"
        );
    }
}

/// Runs `reprise fit` on `motif` and `hits` at 24 fps in Piano, writing `output`, with `tempo`
/// (its flags; none to leave it out).
fn fit_piano(
    motif: &std::path::Path,
    hits: &std::path::Path,
    tempo: &[&str],
    output: &std::path::Path,
) -> std::process::Output {
    let mut args = vec![
        "fit",
        motif.to_str().unwrap(),
        "--character",
        "piano",
        "--hits",
        hits.to_str().unwrap(),
        "--fps",
        "24",
        "-o",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(tempo);
    reprise(&args)
}

#[test]
fn fit_never_writes_over_an_input() {
    let dir = scratch("fit-inputs");
    let motif = dir.join("theme.mid");
    write_notes(&motif, "Theme", &theme(), TimeSignature::new(4, 4), 96.0);
    let hits = hits_csv(&dir);
    let before = std::fs::read(&motif).unwrap();
    for target in [&motif, &hits] {
        let output = fit_piano(&motif, &hits, &["--tempo", "96"], target);
        assert_eq!(output.status.code(), Some(2), "refused as a usage error");
    }
    assert_eq!(
        std::fs::read(&motif).unwrap(),
        before,
        "the motif is untouched"
    );
    // Without a tempo it says what is missing.
    let output = fit_piano(&motif, &hits, &[], &dir.join("out.mid"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--tempo"));
}
