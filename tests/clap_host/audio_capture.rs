//! Issue 13 through the built plugin: audio of a sung phrase sent into its stereo input becomes
//! the captured motif in its saved state (capture from audio), while the audio itself passes
//! through unchanged; with the default (MIDI) capture source the same audio captures nothing.

#[path = "../common/sung_phrase.rs"]
mod sung_phrase;

use sung_phrase::SUNG;

use crate::host::{param_id, saved_library, transport, InEvent, InKind, Layout, PluginUnderTest};

const SAMPLE_RATE: f64 = 48_000.0;
const TEMPO: f64 = sung_phrase::TEMPO_BPM;

/// The phrase on both channels.
fn sung(time_samples: u64, _channel: usize) -> f32 {
    sung_phrase::sample_at(time_samples as f64 / SAMPLE_RATE)
}

/// Runs 8 seconds of the sung input with the transport playing; returns the saved slot-1 notes
/// as (key, start beat) and whether the output audio equalled the input in every block.
fn sing_into(capture_from_audio: bool) -> (Vec<(u64, f64)>, bool) {
    let mut plugin = PluginUnderTest::start(Layout::Stereo, SAMPLE_RATE, 512);
    plugin.input_signal = sung;
    // "Capture from" = Audio (choice 1), as a host automates it, at the first sample.
    let id = param_id(plugin.instance(), "Capture from");
    let source = [InEvent {
        time_samples: 0,
        kind: InKind::Param {
            param_id: id,
            value: 1.0,
        },
    }];
    let end = (8.0 * SAMPLE_RATE) as u64;
    let mut passed_through = true;
    while plugin.now_samples < end {
        let start = plugin.now_samples;
        let pos = start as f64 * TEMPO / 60.0 / SAMPLE_RATE;
        let events: &[InEvent] = if start == 0 && capture_from_audio {
            &source
        } else {
            &[]
        };
        plugin.process(512, events, Some(&transport(pos, TEMPO, true, None)));
        let [left, right] = plugin.last_output_audio(512);
        for (i, (&l, &r)) in left.iter().zip(right).enumerate() {
            let expected = sung(start + i as u64, 0);
            passed_through &= l == expected && r == expected;
        }
    }
    let library = saved_library(&plugin.save_state());
    let notes = library["slots"][0]["motif"]["notes"]
        .as_array()
        .map(|notes| {
            notes
                .iter()
                .map(|n| {
                    (
                        n["key"].as_u64().unwrap(),
                        n["start_beats"].as_f64().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (notes, passed_through)
}

#[test]
fn a_sung_phrase_is_captured_into_the_saved_state() {
    let (notes, passed_through) = sing_into(true);
    assert!(passed_through, "the audio passes through unchanged");
    let keys: Vec<u64> = notes.iter().map(|n| n.0).collect();
    assert_eq!(keys, [62, 65, 69, 67], "{notes:?}");
    // Placed where they were sung: the motif starts at the bar line (beat 4).
    for (&(_, start), &(_, sung_start, _)) in notes.iter().zip(&SUNG) {
        let error_ms = (start - (sung_start - 4.0)) * 500.0;
        assert!(
            error_ms.abs() < 10.0,
            "onset off by {error_ms} ms: {notes:?}"
        );
    }
}

#[test]
fn with_midi_capture_the_same_audio_captures_nothing() {
    let (notes, passed_through) = sing_into(false);
    assert!(passed_through);
    assert!(notes.is_empty(), "{notes:?}");
}
