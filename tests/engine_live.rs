//! The live engine driven headless, through the same calls the plugin makes per block
//! (`begin_block`, `process_events`, `end_block`), under the allocation guard: the conditions a
//! DAW creates (metres, tempos) tested without a host.

use reprise::engine::event::Event;
use reprise::engine::event_buffer::EventBuffer;
use reprise::engine::live::{BlockInfo, LiveEngine, LiveSettings, PlaybackMode, TransportInfo};
use reprise::engine::motif::TimeSignature;

#[cfg(not(all(feature = "plugin", debug_assertions)))]
#[global_allocator]
static ALLOCATOR: nice_assert_no_alloc::AllocDisabler = nice_assert_no_alloc::AllocDisabler;

const SAMPLE_RATE: f64 = 48_000.0;
const BLOCK: u32 = 512;

/// A song transport: playing, `tempo_bpm`, `time_signature`, at `pos_beats`.
fn transport(pos_beats: f64, tempo_bpm: f64, time_signature: TimeSignature) -> TransportInfo {
    TransportInfo {
        playing: true,
        tempo_bpm,
        pos_beats,
        time_signature: Some(time_signature),
        loop_range_beats: None,
    }
}

/// Plays `notes` (start beat, length in beats, key) into an engine whose host runs at
/// `tempo_bpm` in `time_signature` from beat 0, for `total_beats`, in `BLOCK`-sample blocks.
/// Returns the engine (its active slot holds the captured phrase).
fn play_phrase(
    notes: &[(f64, f64, u8)],
    tempo_bpm: f64,
    time_signature: TimeSignature,
    total_beats: f64,
) -> Box<LiveEngine> {
    let mut engine = Box::new(LiveEngine::new());
    let settings = LiveSettings {
        playback_mode: PlaybackMode::Off,
        ..LiveSettings::default()
    };
    let samples_per_beat = SAMPLE_RATE * 60.0 / tempo_bpm;
    let mut events: Vec<Event> = Vec::new();
    let mut timed: Vec<(u64, Event)> = Vec::new();
    for &(start, length, key) in notes {
        let on = (start * samples_per_beat).round() as u64;
        let off = ((start + length) * samples_per_beat).round() as u64;
        timed.push((on, Event::note_on(0, 0, key, 0.7, None)));
        timed.push((off, Event::note_off(0, 0, key, 0.0, None)));
    }
    timed.sort_by_key(|&(sample, _)| sample);
    let mut out = EventBuffer::with_capacity(4096);
    let total_samples = (total_beats * samples_per_beat) as u64;
    let mut next = 0;
    let mut now = 0u64;
    while now < total_samples {
        events.clear();
        while next < timed.len() && timed[next].0 < now + BLOCK as u64 {
            let (sample, event) = timed[next];
            events.push(Event {
                timing_samples: (sample - now) as u32,
                ..event
            });
            next += 1;
        }
        let block = BlockInfo {
            num_samples: BLOCK,
            sample_rate: SAMPLE_RATE,
            transport: Some(transport(
                now as f64 / samples_per_beat,
                tempo_bpm,
                time_signature,
            )),
        };
        nice_assert_no_alloc::assert_no_alloc(|| {
            engine.begin_block(&block, &settings, &mut out);
            engine.process_events(&events, BLOCK, &mut out);
            engine.end_block(&mut out);
        });
        out.clear();
        now += BLOCK as u64;
    }
    engine
}

/// Issue 10, defect 1: a phrase played in a 3/4 song at 90 BPM was stored as 4/4 at 120 BPM.
#[test]
fn capture_takes_the_songs_metre_and_tempo() {
    for (numerator, denominator, tempo) in
        [(3u8, 4u8, 90.0), (6, 8, 72.0), (7, 8, 132.0), (5, 4, 100.0)]
    {
        let metre = TimeSignature::new(numerator, denominator);
        let bar = metre.bar_length_beats();
        // A phrase starting one beat into the second bar, about a bar and a half long.
        let start = bar + 1.0;
        let notes = [
            (start, 0.5, 62),
            (start + 0.5, 0.5, 65),
            (start + 1.0, bar, 69),
        ];
        let engine = play_phrase(&notes, tempo, metre, start + bar + 8.0);
        let motif = &engine.slots()[0];
        assert_eq!(motif.len(), 3, "{numerator}/{denominator}: captured");
        assert_eq!(
            motif.time_signature, metre,
            "{numerator}/{denominator}: metre kept"
        );
        assert!(
            (motif.tempo_bpm - tempo).abs() < 1e-9,
            "{numerator}/{denominator}: tempo {}",
            motif.tempo_bpm
        );
        // Aligned to the song's bar line before the first note (an upbeat stays an upbeat) and
        // a whole number of the song's bars long.
        assert!(
            (motif.notes()[0].start_beats - 1.0).abs() < 1e-3,
            "{:?}",
            motif.notes()[0]
        );
        let bars = motif.length_beats / bar;
        assert!(
            (bars - bars.round()).abs() < 1e-9 && bars >= 1.0,
            "{bars} bars"
        );
    }
}
