//! Issue 13: notes sung into the live engine's audio input become the active slot's motif,
//! placed where they were sung (not where the tracker recognised them), in whatever blocks the
//! host sends, without allocating; MIDI-only capture ignores the audio, audio-only capture
//! ignores MIDI notes.

#[path = "common/sung_phrase.rs"]
mod sung_phrase;

use reprise::engine::audio_capture::AudioSource;
use reprise::engine::event::Event;
use reprise::engine::event_buffer::EventBuffer;
use reprise::engine::motif::{Motif, TimeSignature};
use reprise::engine::playback::{
    BlockInfo, LiveEngine, LiveSettings, TransportInfo, MAX_OUT_EVENTS_PER_BLOCK,
};
use reprise::engine::rng::Rng;
use sung_phrase::SUNG;

// The allocation guard. With the plugin feature in a debug build, nice-plug already installs
// this allocator for the whole binary; otherwise this test binary installs it.
#[cfg(not(all(feature = "plugin", debug_assertions)))]
#[global_allocator]
static ALLOCATOR: nice_assert_no_alloc::AllocDisabler = nice_assert_no_alloc::AllocDisabler;

const RATE: f64 = 48_000.0;
const TEMPO: f64 = sung_phrase::TEMPO_BPM;

fn sung_audio(seconds: f64) -> Vec<f32> {
    (0..(seconds * RATE) as usize)
        .map(|n| sung_phrase::sample_at(n as f64 / RATE))
        .collect()
}

fn settings(source: AudioSource) -> LiveSettings {
    LiveSettings {
        capture_source: source,
        ..LiveSettings::default()
    }
}

/// Runs the engine over `audio` (and `midi`: (sample, event)) in blocks whose sizes come from
/// `block_size`, with the transport playing from beat 0; returns the active slot's motif.
fn run(
    audio: &[f32],
    midi: &[(usize, Event)],
    settings: &LiveSettings,
    block_size: impl FnMut() -> usize,
) -> Motif {
    run_on(audio, midi, settings, block_size, |start| {
        start as f64 * TEMPO / 60.0 / RATE
    })
}

/// [`run`] with the host's song position of each block's first sample from `pos_beats`.
fn run_on(
    audio: &[f32],
    midi: &[(usize, Event)],
    settings: &LiveSettings,
    mut block_size: impl FnMut() -> usize,
    pos_beats: impl Fn(usize) -> f64,
) -> Motif {
    let mut engine = Box::new(LiveEngine::new());
    engine.prepare(RATE);
    let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
    let mut start = 0;
    while start < audio.len() {
        let end = (start + block_size()).min(audio.len());
        let block = BlockInfo {
            num_samples: (end - start) as u32,
            transport: Some(TransportInfo {
                pos_seconds: None,
                playing: true,
                tempo_bpm: TEMPO,
                pos_beats: pos_beats(start),
                time_signature: Some(TimeSignature::new(4, 4)),
                loop_range_beats: None,
                bar_start_beats: None,
            }),
        };
        let events: Vec<Event> = midi
            .iter()
            .filter(|(at, _)| (start..end).contains(at))
            .map(|&(at, e)| Event {
                timing_samples: (at - start) as u32,
                ..e
            })
            .collect();
        let samples = &audio[start..end];
        nice_assert_no_alloc::assert_no_alloc(|| {
            engine.process_with_audio(&block, settings, &events, [samples, samples], &mut out);
        });
        out.clear();
        start = end;
    }
    engine.slots()[0].clone()
}

#[test]
fn a_sung_phrase_becomes_the_motif_where_it_was_sung() {
    let audio = sung_audio(8.0);
    let motif = run(&audio, &[], &settings(AudioSource::Audio), || 256);
    let keys: Vec<u8> = motif.notes().iter().map(|n| n.key).collect();
    assert_eq!(keys, [62, 65, 69, 67], "{:?}", motif.notes());
    // The motif starts on the bar line before the first note (beat 4 = bar 2): onsets relative
    // to it are 0, 1, 2, 2.5 beats; 10 ms is 0.02 beats at 120 BPM.
    for (note, &(_, start, length)) in motif.notes().iter().zip(&SUNG) {
        let onset_ms = (note.start_beats - (start - 4.0)) * 500.0;
        assert!(
            onset_ms.abs() < 10.0,
            "{note:?}: onset off by {onset_ms} ms"
        );
        let length_ms = (note.length_beats - (length - 0.04)) * 500.0;
        assert!(
            length_ms.abs() < 40.0,
            "{note:?}: length off by {length_ms} ms"
        );
    }
}

#[test]
fn the_hosts_block_sizes_change_nothing() {
    let audio = sung_audio(8.0);
    let whole = run(&audio, &[], &settings(AudioSource::Audio), || 4096);
    assert_eq!(whole.len(), 4);
    let mut rng = Rng::new(5);
    let split = run(&audio, &[], &settings(AudioSource::Audio), || {
        1 + (rng.next_u64() % 2048) as usize
    });
    assert_eq!(split.notes(), whole.notes());
    let single = run(&audio, &[], &settings(AudioSource::Audio), || 1);
    assert_eq!(single.notes(), whole.notes());
}

#[test]
fn the_source_decides_what_capture_hears() {
    let audio = sung_audio(8.0);
    // A MIDI phrase later in the song: C5 E5 at beats 12 and 13.
    let beat = (RATE * 60.0 / TEMPO) as usize;
    let midi = [
        (12 * beat, Event::note_on(0, 0, 72, 0.8, None)),
        (12 * beat + beat / 2, Event::note_off(0, 0, 72, 0.0, None)),
        (13 * beat, Event::note_on(0, 0, 76, 0.8, None)),
        (13 * beat + beat / 2, Event::note_off(0, 0, 76, 0.0, None)),
    ];
    let mut long_audio = audio.clone();
    long_audio.resize((18.0 * 0.5 * RATE) as usize, 0.0);
    let keys = |m: &Motif| m.notes().iter().map(|n| n.key).collect::<Vec<_>>();
    // MIDI only (the default): the sung notes are not captured; the last phrase is the MIDI one.
    let midi_only = run(&long_audio, &midi, &settings(AudioSource::Midi), || 512);
    assert_eq!(keys(&midi_only), [72, 76]);
    // Audio only: the MIDI notes are not captured; the sung phrase stays the motif.
    let audio_only = run(&long_audio, &midi, &settings(AudioSource::Audio), || 512);
    assert_eq!(keys(&audio_only), [62, 65, 69, 67]);
    // Both: each phrase in turn; the last one is the MIDI phrase.
    let both = run(&long_audio, &midi, &settings(AudioSource::Both), || 512);
    assert_eq!(keys(&both), [72, 76]);
}

/// A note sung just before the host jumps (a locate while recording) is reported after the
/// jump: it belongs where the new timeline begins, not before it on the new timeline.
#[test]
fn a_note_reported_after_a_jump_is_not_placed_before_the_jump() {
    // One note (G3) from 1.0 s to 1.5 s; the host locates to beat 100 (a bar line) at 1.008 s,
    // after the onset and before the tracker can have reported it (its estimates need two of
    // the note's 5.1 ms periods first).
    let audio: Vec<f32> = (0..(6.0 * RATE) as usize)
        .map(|n| {
            let t = n as f64 / RATE;
            if !(1.0..1.5).contains(&t) {
                return 0.0;
            }
            let ramp = ((t - 1.0) / 0.005).min(1.0) * ((1.5 - t) / 0.005).min(1.0);
            (0.3 * ramp * (std::f64::consts::TAU * 196.0 * (t - 1.0)).sin()) as f32
        })
        .collect();
    let jump_at = 48_384; // 1.008 s, a block boundary for 128-sample blocks
    let motif = run_on(
        &audio,
        &[],
        &settings(AudioSource::Audio),
        || 128,
        |start| {
            if start < jump_at {
                start as f64 * TEMPO / 60.0 / RATE
            } else {
                100.0 + (start - jump_at) as f64 * TEMPO / 60.0 / RATE
            }
        },
    );
    let notes = motif.notes();
    assert_eq!(notes.iter().map(|n| n.key).collect::<Vec<_>>(), [55]);
    // On the new timeline the note starts at the jump (beat 100, the motif's bar line), not
    // 8 ms before it (which would put it at the end of the bar before).
    assert!(notes[0].start_beats.abs() < 1e-6, "{:?}", notes[0]);
}

/// Armed capture from audio takes the sung phrase, then disarms itself (what the editor's arm
/// button follows).
#[test]
fn armed_capture_takes_the_sung_phrase_and_disarms() {
    use reprise::engine::playback::LiveCapture;
    let audio = sung_audio(8.0);
    let settings = LiveSettings {
        capture: LiveCapture::Armed,
        arm: true,
        ..settings(AudioSource::Audio)
    };
    let mut engine = Box::new(LiveEngine::new());
    engine.prepare(RATE);
    let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
    let mut armed_at = Vec::new();
    for (index, block) in audio.chunks(512).enumerate() {
        let info = BlockInfo {
            num_samples: block.len() as u32,
            transport: Some(TransportInfo {
                pos_seconds: None,
                playing: true,
                tempo_bpm: TEMPO,
                pos_beats: (index * 512) as f64 * TEMPO / 60.0 / RATE,
                time_signature: Some(TimeSignature::new(4, 4)),
                loop_range_beats: None,
                bar_start_beats: None,
            }),
        };
        engine.process_with_audio(&info, &settings, [] as [Event; 0], [block, block], &mut out);
        out.clear();
        armed_at.push(engine.capture_is_armed());
    }
    assert!(armed_at[0], "armed from the first block");
    assert!(
        !armed_at.last().unwrap(),
        "disarmed once the phrase was taken"
    );
    assert_eq!(engine.slots()[0].len(), 4);
}
