//! Issue 25: `reprise fit --length` and `--cutdowns` — variations filled to a scene's length,
//! read back with `midly` through each file's own tempo events: the last note ends within 1 ms
//! of the length, the button (the tonic) starts on a bar line, a tempo change is written when
//! one is allowed, cutdowns share their opening, an `end` hit is a fill's target, and bad
//! requests are refused without writing anything.

#[allow(dead_code)]
#[path = "common/cli_run.rs"]
mod cli_run;

#[path = "common/midi_read.rs"]
mod midi_read;

use cli_run::{note, reprise, scratch, write_notes};
use midi_read::read_back;
use reprise::engine::motif::{Note, TimeSignature};

/// A two-bar 3/4 theme in D minor rising to A4 and back, ending on D.
fn theme() -> Vec<Note> {
    [
        (0.0, 2.0, 62),
        (2.0, 1.0, 64),
        (3.0, 1.5, 65),
        (4.5, 0.5, 67),
        (5.0, 1.0, 69),
    ]
    .iter()
    .map(|&(start, length, key)| note(start, length * 0.95, key))
    .collect()
}

fn fit(args: &[&str]) -> std::process::Output {
    let mut all = vec!["fit"];
    all.extend_from_slice(args);
    reprise(&all)
}

/// `reprise fit MOTIF --character CHARACTER --tempo TEMPO [more] -o OUT`.
fn fit_at(
    motif: &std::path::Path,
    character: &str,
    tempo: &str,
    more: &[&str],
    out: &std::path::Path,
) -> std::process::Output {
    let mut args = vec![
        motif.to_str().unwrap(),
        "--character",
        character,
        "--tempo",
        tempo,
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(more);
    fit(&args)
}

#[test]
fn a_fill_ends_on_the_length_through_the_files_tempo_map_with_the_button_on_a_downbeat() {
    let dir = scratch("fill-length");
    let motif = dir.join("theme.mid");
    write_notes(&motif, "Theme", &theme(), TimeSignature::new(3, 4), 100.0);
    for character in ["piano", "swell", "distant"] {
        for (length, allow, seconds) in [
            ("23.4s", "0%", 23.4),
            ("23.4s", "3%", 23.4),
            ("9bars", "0%", 16.2),
        ] {
            let out = dir.join(format!("{character}-{length}-{allow}.mid"));
            let output = fit_at(
                &motif,
                character,
                "100",
                &[
                    "--intensity",
                    "0.8",
                    "--length",
                    length,
                    "--allow-tempo",
                    allow,
                ],
                &out,
            );
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(output.status.success(), "{character} {length}: {output:?}");
            let (notes, tempos) = read_back(&std::fs::read(&out).unwrap());
            let end = notes.iter().map(|n| n.off_seconds).fold(0.0, f64::max);
            assert!(
                (end - seconds).abs() <= 1e-3,
                "{character} {length} {allow}: last note ends at {end} s"
            );
            // The button: the latest onset, a D (the tonic), on a bar line of 3/4.
            let last_on = notes.iter().map(|n| n.on_beats).fold(0.0, f64::max);
            assert!(
                (last_on / 3.0 - (last_on / 3.0).round()).abs() < 1e-6,
                "{character} {length}: the button at beat {last_on}"
            );
            assert!(notes
                .iter()
                .filter(|n| (n.on_beats - last_on).abs() < 1e-6)
                .all(|n| n.key % 12 == 2));
            // 23.4 s at 100 BPM is 13 bars of 3/4 exactly: no change needed, none written.
            assert_eq!(tempos, [100.0], "{character} {length} {allow}: {stdout}");
            // Never a key held twice.
            for a in &notes {
                for b in &notes {
                    if a != b && (a.channel, a.key) == (b.channel, b.key) {
                        assert!(
                            a.off_seconds <= b.on_seconds + 1e-9
                                || b.off_seconds <= a.on_seconds + 1e-9,
                            "{character}: key {} held twice",
                            a.key
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn an_allowed_tempo_change_is_written_and_without_it_the_remainder_is_said() {
    let dir = scratch("fill-tempo");
    let motif = dir.join("theme.mid");
    write_notes(&motif, "Theme", &theme(), TimeSignature::new(3, 4), 100.0);
    // 22.9 s at 100 BPM: 12.72 bars. 13 bars need 2.2 % faster; at 1 % the body takes 12
    // bars and the button 0.72 bar.
    let out = dir.join("allowed.mid");
    let output = fit_at(
        &motif,
        "swell",
        "100",
        &["--length", "22.9s", "--allow-tempo", "3%"],
        &out,
    );
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("tempo 100.00 -> 102.18 BPM"), "{stdout}");
    let (notes, tempos) = read_back(&std::fs::read(&out).unwrap());
    assert_eq!(tempos.len(), 1);
    assert!((tempos[0] - 39.0 / 22.9 * 60.0).abs() < 0.01, "{tempos:?}");
    let end = notes.iter().map(|n| n.off_seconds).fold(0.0, f64::max);
    assert!((end - 22.9).abs() <= 1e-3, "ends at {end}");
    // At 1 % the tempo stays and the button is held to the length, as the line says.
    let held = dir.join("held.mid");
    let output = fit_at(
        &motif,
        "swell",
        "100",
        &["--length", "22.9s", "--allow-tempo", "1%"],
        &held,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("the button is held 0.28 bar short of one bar"),
        "{stdout}"
    );
    let (notes, tempos) = read_back(&std::fs::read(&held).unwrap());
    assert_eq!(tempos, [100.0]);
    let end = notes.iter().map(|n| n.off_seconds).fold(0.0, f64::max);
    assert!((end - 22.9).abs() <= 1e-3, "ends at {end}");
}

#[test]
fn cutdowns_share_their_opening_and_each_ends_on_its_length() {
    let dir = scratch("fill-cutdowns");
    let motif = dir.join("theme.mid");
    write_notes(&motif, "Theme", &theme(), TimeSignature::new(3, 4), 100.0);
    let folder = dir.join("cutdowns");
    let output = fit_at(
        &motif,
        "piano",
        "90",
        &["--cutdowns", "60,30,15,10", "--sting"],
        &folder,
    );
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 5, "a line per file: {stdout}");
    let mut openings = Vec::new();
    for (name, seconds) in [
        ("60s", 60.0),
        ("30s", 30.0),
        ("15s", 15.0),
        ("10s", 10.0),
        ("sting", 2.0 * 3.0 * 60.0 / 90.0),
    ] {
        let (notes, _) = read_back(&std::fs::read(folder.join(format!("{name}.mid"))).unwrap());
        let end = notes.iter().map(|n| n.off_seconds).fold(0.0, f64::max);
        assert!((end - seconds).abs() <= 1e-3, "{name}: ends at {end}");
        let mut first_bar: Vec<(u8, u8, i64)> = notes
            .iter()
            .filter(|n| n.on_beats < 3.0 - 1e-9)
            .map(|n| (n.channel, n.key, (n.on_beats * 960.0).round() as i64))
            .collect();
        first_bar.sort_unstable();
        if name != "sting" {
            openings.push((name, first_bar));
        }
    }
    for (name, opening) in &openings {
        assert_eq!(opening, &openings[0].1, "{name} opens as the 60 s cut does");
    }
}

#[test]
fn an_end_hits_cut_is_where_the_button_starts() {
    // The cut at 20.5 s is 11.39 bars of 3/4 at 100 BPM: the 4 bars before it are played 8.86 %
    // slower so the button, the tonic, starts on the cut and rings a bar (1.8 s) after it.
    let dir = scratch("fill-end-hit");
    let motif = dir.join("theme.mid");
    write_notes(&motif, "Theme", &theme(), TimeSignature::new(3, 4), 100.0);
    let hits = dir.join("hits.csv");
    std::fs::write(&hits, "timecode,name,lands\n01:00:20:12,cut to black,end\n").unwrap();
    let out = dir.join("to-the-cut.mid");
    let output = fit_at(
        &motif,
        "swell",
        "100",
        &[
            "--hits",
            hits.to_str().unwrap(),
            "--fps",
            "24",
            "--start-tc",
            "01:00:00:00",
        ],
        &out,
    );
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("the 4 bars before the cut pushed 8.86 % slower"),
        "{stdout}"
    );
    let (notes, tempos) = read_back(&std::fs::read(&out).unwrap());
    let button = notes.iter().map(|n| n.on_seconds).fold(0.0, f64::max);
    assert!(
        (button - 20.5).abs() <= 1e-3,
        "the button at {button} s, the cut at 20.5 s"
    );
    let end = notes.iter().map(|n| n.off_seconds).fold(0.0, f64::max);
    assert!((end - 22.3).abs() <= 1e-3, "rings to {end} s");
    assert_eq!(
        tempos.len(),
        3,
        "the song's tempo, the push, the tempo again: {tempos:?}"
    );
    // 4 bars in the time of 4.39 at 100 BPM: 91.14 BPM, then 100 again from the cut.
    assert!(
        (tempos[1] - 100.0 * 4.0 / (4.0 + 7.0 / 18.0)).abs() < 0.01,
        "{tempos:?}"
    );
    assert_eq!(tempos[2], 100.0);
    // With a length too, the hits are not used, and it says so.
    let both = dir.join("both.mid");
    let output = fit_at(
        &motif,
        "swell",
        "100",
        &[
            "--length",
            "12bars",
            "--hits",
            hits.to_str().unwrap(),
            "--fps",
            "24",
        ],
        &both,
    );
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("not used"));
    // A ring of half a bar.
    let half = dir.join("half-ring.mid");
    let output = fit_at(
        &motif,
        "swell",
        "100",
        &[
            "--hits",
            hits.to_str().unwrap(),
            "--fps",
            "24",
            "--start-tc",
            "01:00:00:00",
            "--ring",
            "0.5",
        ],
        &half,
    );
    assert!(output.status.success(), "{output:?}");
    let (notes, _) = read_back(&std::fs::read(&half).unwrap());
    let end = notes.iter().map(|n| n.off_seconds).fold(0.0, f64::max);
    assert!((end - 21.4).abs() <= 1e-3, "rings to {end} s");
}

#[test]
fn bad_fill_requests_are_refused_and_write_nothing() {
    let dir = scratch("fill-refused");
    let motif = dir.join("theme.mid");
    write_notes(&motif, "Theme", &theme(), TimeSignature::new(3, 4), 100.0);
    let before = std::fs::read(&motif).unwrap();
    let out = dir.join("out.mid");
    for (args, says) in [
        (
            vec!["--length", "23.4s", "-o", motif.to_str().unwrap()],
            "is an input",
        ),
        (
            vec!["--length", "12.5bars", "-o", out.to_str().unwrap()],
            "whole number of bars",
        ),
        (
            vec![
                "--length",
                "23s",
                "--allow-tempo",
                "25%",
                "-o",
                out.to_str().unwrap(),
            ],
            "0 to 10",
        ),
        (
            vec!["--cutdowns", "30,15", "-o", out.to_str().unwrap()],
            "folder",
        ),
        (
            vec!["--length", "23s", "--sting", "-o", out.to_str().unwrap()],
            "--cutdowns",
        ),
        (
            vec![
                "--cutdowns",
                "30,soon",
                "-o",
                dir.join("c").to_str().unwrap(),
            ],
            "soon",
        ),
        (vec!["-o", out.to_str().unwrap()], "--length"),
    ] {
        let mut all = vec![motif.to_str().unwrap(), "--character", "swell"];
        all.extend(args.iter().copied());
        let output = fit(&all);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    // A cutdown named like the motif in the output folder would write over it: refused.
    let named = dir.join("30s.mid");
    std::fs::copy(&motif, &named).unwrap();
    let output = fit(&[
        named.to_str().unwrap(),
        "--character",
        "swell",
        "--cutdowns",
        "30,15",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("is an input"));
    assert_eq!(std::fs::read(&named).unwrap(), before);
    assert!(!dir.join("15s.mid").exists(), "nothing written");
    assert!(!out.exists(), "nothing written");
    assert!(!dir.join("c").exists(), "no folder made");
    assert_eq!(std::fs::read(&motif).unwrap(), before);
}

#[test]
fn a_pickup_leads_into_the_first_downbeat_and_the_length_counts_from_it() {
    let dir = scratch("fill-pickup");
    let motif = dir.join("theme.mid");
    write_notes(&motif, "Theme", &theme(), TimeSignature::new(3, 4), 100.0);
    // 3/4 at 100 BPM: a bar is 1.8 s, a beat 0.6 s.
    let out = dir.join("pickup.mid");
    let output = fit_at(
        &motif,
        "swell",
        "100",
        &["--length", "23.4s", "--pickup"],
        &out,
    );
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("pickup C4 a beat before the first downbeat"),
        "{stdout}"
    );
    let (notes, _) = read_back(&std::fs::read(&out).unwrap());
    let first_on = notes
        .iter()
        .map(|n| n.on_seconds)
        .fold(f64::INFINITY, f64::min);
    // One note a beat before bar 2, the scale step below the theme's first note (D4 -> C4 in D
    // minor), ended before the downbeat; everything else from the downbeat on.
    let pickups: Vec<_> = notes.iter().filter(|n| n.on_seconds < 1.8 - 1e-6).collect();
    assert_eq!(pickups.len(), 1, "{pickups:?}");
    assert!((first_on - 1.2).abs() < 1e-3, "the pickup at {first_on} s");
    assert_eq!(pickups[0].key, 60);
    assert!(pickups[0].off_seconds <= 1.8 + 1e-9);
    assert!(notes
        .iter()
        .filter(|n| n.on_seconds >= 1.8 - 1e-6)
        .any(|n| (n.on_seconds - 1.8).abs() < 1e-3 && n.key == 62));
    // The length counts from the downbeat: the last note ends 23.4 s after it.
    let end = notes.iter().map(|n| n.off_seconds).fold(0.0, f64::max);
    assert!((end - (1.8 + 23.4)).abs() <= 1e-3, "ends at {end} s");
    // With hits, the song's zero stays where the hits are: refused.
    let hits = dir.join("hits.csv");
    std::fs::write(&hits, "timecode,name,lands\n00:00:10:00,cut,end\n").unwrap();
    let output = fit_at(
        &motif,
        "swell",
        "100",
        &["--hits", hits.to_str().unwrap(), "--fps", "24", "--pickup"],
        &dir.join("hits.mid"),
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(!dir.join("hits.mid").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
