//! Issue 24 (first part): `reprise spot` — Find Tempo from a spotting list, written as a
//! tempo-map .mid that, read back through its own tempo events, puts every `must` hit on a bar
//! line of the music within half a frame.

#[allow(dead_code)]
#[path = "common/cli_run.rs"]
mod cli_run;

use midly::{MetaMessage, Smf, Timing, TrackEventKind};

use cli_run::{reprise, scratch, stderr_lines};
use reprise::engine::timecode::{FrameRate, Timecode};

/// Seconds of the first `bars` bar lines of a tempo-map file, read through its own tempo and
/// time-signature events (a lead-in bar in another metre included).
fn bar_lines_seconds(bytes: &[u8], bars: usize) -> Vec<f64> {
    let smf = Smf::parse(bytes).expect("a MIDI file");
    let Timing::Metrical(ticks) = smf.header.timing else {
        panic!("metrical timing");
    };
    let ticks_per_beat = f64::from(ticks.as_int());
    // (beat, microseconds per quarter) and (beat, quarters per bar) of every change, in order.
    let mut tempos: Vec<(f64, f64)> = Vec::new();
    let mut metres: Vec<(f64, f64)> = Vec::new();
    for track in &smf.tracks {
        let mut tick = 0u64;
        for event in track {
            tick += u64::from(event.delta.as_int());
            let beat = tick as f64 / ticks_per_beat;
            match event.kind {
                TrackEventKind::Meta(MetaMessage::Tempo(us)) => {
                    tempos.push((beat, f64::from(us.as_int())))
                }
                TrackEventKind::Meta(MetaMessage::TimeSignature(n, d, _, _)) => {
                    metres.push((beat, f64::from(n) * 4.0 / f64::from(1u32 << d)))
                }
                _ => {}
            }
        }
    }
    tempos.sort_by(|a, b| a.0.total_cmp(&b.0));
    metres.sort_by(|a, b| a.0.total_cmp(&b.0));
    let seconds_at = |target: f64| {
        let (mut seconds, mut position, mut us) = (0.0, 0.0, 500_000.0);
        for &(at, tempo) in &tempos {
            if at >= target {
                break;
            }
            seconds += (at - position) * us / 1e6;
            position = at;
            us = tempo;
        }
        seconds + (target - position) * us / 1e6
    };
    let mut lines = Vec::new();
    let mut beat = 0.0;
    for _ in 0..bars {
        lines.push(seconds_at(beat));
        let bar = metres
            .iter()
            .rfind(|m| m.0 <= beat + 1e-9)
            .map_or(4.0, |m| m.1);
        beat += bar;
    }
    lines
}

/// Whether every time in `seconds` lies within half a frame (at `fps`) of a bar line.
fn all_on_bar_lines(seconds: &[f64], lines: &[f64], fps: f64) -> Result<(), String> {
    for &time in seconds {
        let nearest = lines
            .iter()
            .map(|line| (line - time).abs())
            .fold(f64::INFINITY, f64::min);
        if nearest > 0.5 / fps {
            return Err(format!(
                "a must hit at {time:.4} s is {nearest:.4} s from the nearest bar line {lines:?}"
            ));
        }
    }
    Ok(())
}

/// Runs `reprise spot` with `args`; it must succeed. Returns what it printed.
fn spot(args: &[&str]) -> String {
    let output = reprise(&[&["spot"], args].concat());
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout} {:?}",
        stderr_lines(&output)
    );
    stdout
}

#[test]
fn spot_finds_the_tempo_that_puts_must_hits_on_bar_lines() {
    let dir = scratch("spot");
    let rate = FrameRate::Fps23_976;
    // A cue in 3/4 at 97.31 BPM whose bar 1 is 2.25 s after 01:00:00:00: hits on bar lines
    // 1, 5, 12, 20 and 31, and a glance on a beat.
    let (tempo, offset) = (97.31, 2.25);
    let bar = 3.0 * 60.0 / tempo;
    let start = 86_400; // 01:00:00:00 at 23.976 (non-drop): 86 400 frames
    let frame_at = |seconds: f64| (seconds * 24_000.0 / 1001.0).round() as i64;
    let mut csv = String::from("timecode,name,lands,importance\n");
    let mut must_seconds = Vec::new();
    for (i, bar_index) in [0, 4, 11, 19, 30].into_iter().enumerate() {
        let seconds = offset + bar_index as f64 * bar;
        let frame = frame_at(seconds);
        must_seconds.push(frame as f64 * 1001.0 / 24_000.0);
        csv.push_str(&format!(
            "{},hit {i},climax,must\n",
            Timecode::from_frames(start + frame, rate).display(rate)
        ));
    }
    let glance = frame_at(offset + 7.0 * bar + 2.0 * 60.0 / tempo);
    csv.push_str(&format!(
        "{},glance,start,should\n",
        Timecode::from_frames(start + glance, rate).display(rate)
    ));
    let list = dir.join("hits.csv");
    std::fs::write(&list, csv).unwrap();
    let map = dir.join("map/tempo.mid");
    let stdout = spot(&[
        list.to_str().unwrap(),
        "--fps",
        "23.976",
        "--start-tc",
        "01:00:00:00",
        "--metre",
        "3/4",
        "--tempo-range",
        "60-140",
        "--tempo",
        "100",
        "-o",
        map.to_str().unwrap(),
    ]);
    assert!(stdout.contains("BPM in 3/4"), "{stdout}");
    assert!(!stdout.contains("more than half a frame off"), "{stdout}");
    // Read back through the file's own tempo events: each must hit within half a frame of a
    // bar line of the map.
    let bytes = std::fs::read(&map).unwrap();
    let lines = bar_lines_seconds(&bytes, 60);
    if let Err(message) = all_on_bar_lines(&must_seconds, &lines, 24_000.0 / 1001.0) {
        panic!("{message}\n{stdout}");
    }
}

/// Found in review: with bar 1 less than half a bar after zero, the lead-in was a bar and a
/// half long and the first bar line fell inside it. The lead-in is now exactly the offset.
#[test]
fn a_short_offset_gets_a_lead_in_exactly_that_long() {
    let dir = scratch("spot_lead_in");
    let list = dir.join("hits.csv");
    std::fs::write(
        &list,
        "timecode,name,lands\n00:00:00:12,first,climax\n00:00:04:12,second,climax\n",
    )
    .unwrap();
    let map = dir.join("map.mid");
    let stdout = spot(&[
        list.to_str().unwrap(),
        "--fps",
        "24",
        "--tempo-range",
        "120-120",
        "-o",
        map.to_str().unwrap(),
    ]);
    let lines = bar_lines_seconds(&std::fs::read(&map).unwrap(), 8);
    if let Err(message) = all_on_bar_lines(&[0.5, 4.5], &lines, 24.0) {
        panic!("{message}\n{stdout}");
    }
    // The map is never written over the hits.
    let output = reprise(&[
        "spot",
        list.to_str().unwrap(),
        "--fps",
        "24",
        "-o",
        list.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(std::fs::read_to_string(&list)
        .unwrap()
        .starts_with("timecode"));
}

#[test]
fn a_bad_spotting_list_says_which_line() {
    let dir = scratch("spot_bad");
    let list = dir.join("hits.csv");
    std::fs::write(&list, "timecode,name,lands\n00:01:00;00,door,climax\n").unwrap();
    let output = reprise(&["spot", list.to_str().unwrap(), "--fps", "29.97df"]);
    assert_eq!(output.status.code(), Some(1));
    let lines = stderr_lines(&output);
    assert!(
        lines[0].contains("line 2") && lines[0].contains("does not exist in drop-frame"),
        "{lines:?}"
    );
    let output = reprise(&["spot", list.to_str().unwrap(), "--fps", "31"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "an unknown rate is a usage error"
    );
}

/// Hits from a .mid file's markers (through its tempo map: 120 BPM, then 60 BPM from beat 4)
/// and from an EDL's cuts.
#[test]
fn markers_and_edl_cuts_are_read_as_hits() {
    use midly::num::{u15, u24, u28};
    use midly::{Format, Header, MetaMessage, Smf, Timing, TrackEvent, TrackEventKind};
    let dir = scratch("spot_sources");
    let meta = |delta: u32, message: MetaMessage<'static>| TrackEvent {
        delta: u28::new(delta),
        kind: TrackEventKind::Meta(message),
    };
    let mut smf = Smf::new(Header::new(
        Format::SingleTrack,
        Timing::Metrical(u15::new(480)),
    ));
    smf.tracks.push(vec![
        meta(0, MetaMessage::Tempo(u24::new(500_000))),
        meta(960, MetaMessage::Marker(b"door slam climax")),
        meta(960, MetaMessage::Tempo(u24::new(1_000_000))),
        meta(480, MetaMessage::Marker(b"glance start should")),
        meta(0, MetaMessage::EndOfTrack),
    ]);
    let mut bytes = Vec::new();
    smf.write_std(&mut bytes).unwrap();
    let markers = dir.join("markers.mid");
    std::fs::write(&markers, bytes).unwrap();
    let stdout = spot(&[markers.to_str().unwrap(), "--fps", "24"]);
    // Beat 2 at 120 BPM = 1 s = 00:00:01:00; beat 5 = 2 s + 1 s at 60 BPM = 00:00:03:00.
    assert!(stdout.contains("00:00:01:00  door slam"), "{stdout}");
    assert!(stdout.contains("00:00:03:00  glance"), "{stdout}");
    assert!(stdout.contains("start   should"), "{stdout}");
    let edl = dir.join("cut.edl");
    std::fs::write(
        &edl,
        "TITLE: R1\nFCM: NON-DROP FRAME\n\
         001  A001 V     C        10:00:00:00 10:00:02:00 01:00:00:12 01:00:02:12\n\
         002  A002 V     C        11:00:00:00 11:00:02:00 01:00:02:12 01:00:05:00\n",
    )
    .unwrap();
    let stdout = spot(&[
        edl.to_str().unwrap(),
        "--fps",
        "25",
        "--start-tc",
        "01:00:00:00",
    ]);
    assert!(stdout.contains("01:00:00:12  cut 001 (A001)"), "{stdout}");
    assert!(stdout.contains("01:00:02:12  cut 002 (A002)"), "{stdout}");
}

#[test]
fn a_stepped_map_lands_hits_no_steady_tempo_can() {
    let dir = scratch("spot-stepped");
    let rate = FrameRate::Fps24;
    // Hits drifting off any one tempo (100 BPM 4/4 bars are 2.4 s).
    let times = [2.4, 7.2, 12.3, 17.0, 24.4];
    let mut csv = String::from("timecode,name,lands\n");
    let mut must_seconds = Vec::new();
    for (i, t) in times.iter().enumerate() {
        let frame = (t * 24.0_f64).round() as i64;
        must_seconds.push(frame as f64 / 24.0);
        csv.push_str(&format!(
            "{},hit {i},climax\n",
            Timecode::from_frames(frame, rate).display(rate)
        ));
    }
    let list = dir.join("hits.csv");
    std::fs::write(&list, csv).unwrap();
    let steady = dir.join("steady.mid");
    let stepped = dir.join("stepped.mid");
    let common = [
        list.to_str().unwrap(),
        "--fps",
        "24",
        "--metre",
        "4/4",
        "--tempo-range",
        "80-120",
        "--tempo",
        "100",
    ];
    let stdout = spot(&[&common[..], &["-o", steady.to_str().unwrap()]].concat());
    assert!(stdout.contains("no steady tempo"), "{stdout}");
    let lines = bar_lines_seconds(&std::fs::read(&steady).unwrap(), 16);
    assert!(all_on_bar_lines(&must_seconds, &lines, 24.0).is_err());
    let stdout = spot(&[&common[..], &["--stepped", "-o", stepped.to_str().unwrap()]].concat());
    assert!(
        stdout.contains("stepped map: every must hit on a bar line"),
        "{stdout}"
    );
    assert!(!stdout.contains("more than 10 %"), "{stdout}");
    let lines = bar_lines_seconds(&std::fs::read(&stepped).unwrap(), 16);
    all_on_bar_lines(&must_seconds, &lines, 24.0).unwrap();
}
