//! The built-in demo performance `demo/performance.mid` used by the README's first command.
//! It is generated from the note list below (regenerate with `REPRISE_WRITE_DEMO=1`) and must
//! stay in sync with it; the test also checks the CLI finds its three phrases.

use reprise::engine::capture::{segment_performance, CaptureSettings};
use reprise::engine::midi_file::{read_performance, write_tracks, ExportTrack};
use reprise::engine::motif::{Note, TimeSignature};

/// "Scarborough Fair" (traditional) opening in D minor, played twice with rubato and a rest
/// between, then a short answering phrase with a held chord — as a composer might noodle it.
fn demo_notes() -> Vec<Note> {
    let mut notes = Vec::new();
    let mut add = |start_beats: f64, length_beats: f64, key: u8, velocity_7bit: u8| {
        notes.push(Note {
            start_beats,
            length_beats,
            key,
            velocity: velocity_7bit as f32 / 127.0,
            channel: 0,
        });
    };
    // 3/4 at 84 BPM. Phrase 1 (bars 1–4).
    for &(start, length, key, velocity) in &[
        (0.0, 1.9, 62, 70),
        (2.0, 0.95, 62, 64),
        (3.0, 1.0, 69, 78),
        (4.02, 0.9, 69, 72),
        (5.0, 1.4, 64, 66),
        (6.5, 0.45, 65, 60),
        (7.0, 0.95, 64, 62),
        (8.0, 3.6, 62, 58),
    ] {
        add(start, length, key, velocity);
    }
    // Phrase 2 after a three-beat rest: the same line a little slower and louder.
    for &(start, length, key, velocity) in &[
        (15.0, 2.0, 62, 80),
        (17.05, 1.0, 62, 76),
        (18.1, 1.0, 69, 90),
        (19.15, 1.0, 69, 86),
        (20.2, 1.5, 64, 80),
        (21.75, 0.5, 65, 74),
        (22.3, 1.0, 64, 70),
        (23.4, 3.9, 62, 64),
    ] {
        add(start, length, key, velocity);
    }
    // Phrase 3: an answer over a held D minor chord.
    for &(start, length, key, velocity) in &[
        (30.0, 6.0, 50, 50),
        (30.0, 6.0, 57, 48),
        (30.0, 1.0, 72, 70),
        (31.0, 1.0, 69, 66),
        (32.0, 1.0, 67, 62),
        (33.0, 3.0, 69, 58),
    ] {
        add(start, length, key, velocity);
    }
    notes
}

#[test]
fn demo_performance_is_up_to_date_and_has_three_phrases() {
    let bytes = write_tracks(
        &[ExportTrack {
            name: "Demo take",
            notes: &demo_notes(),
            ccs: &[],
            programs: &[],
        }],
        TimeSignature::new(3, 4),
        84.0,
        None,
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/performance.mid");
    if std::env::var_os("REPRISE_WRITE_DEMO").is_some() {
        std::fs::write(&path, &bytes).unwrap();
    }
    assert_eq!(
        std::fs::read(&path).ok().as_deref(),
        Some(&bytes[..]),
        "demo/performance.mid is stale"
    );
    let phrases = segment_performance(
        &read_performance(&bytes, None).unwrap(),
        CaptureSettings::default(),
    );
    assert_eq!(phrases.len(), 3);
    assert_eq!(phrases[0].motif.len(), 8);
    assert_eq!(phrases[2].motif.len(), 6);
}
