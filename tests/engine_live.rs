//! The live engine driven headless, through the same calls the plugin makes per block
//! (`prepare`, `process`), under the allocation guard: the conditions a
//! DAW creates (metres, tempos) tested without a host.

use reprise::engine::event::Event;
use reprise::engine::event_buffer::EventBuffer;
use reprise::engine::motif::TimeSignature;
use reprise::engine::playback::voices::Owner;
use reprise::engine::playback::{
    BlockInfo, LiveEngine, LiveSettings, PlaybackMode, TransportInfo, MAX_OUT_EVENTS_PER_BLOCK,
};

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
        bar_start_beats: None,
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
    let mut input: Vec<(u64, Event)> = Vec::new();
    for &(start, length, key) in notes {
        let on = (start * samples_per_beat).round() as u64;
        let off = ((start + length) * samples_per_beat).round() as u64;
        input.push((on, Event::note_on(0, 0, key, 0.7, None)));
        input.push((off, Event::note_off(0, 0, key, 0.0, None)));
    }
    input.sort_by_key(|&(sample, _)| sample);
    let num_blocks = (total_beats * samples_per_beat / BLOCK as f64).ceil() as u64;
    let blocks: Vec<HostBlock> = (0..num_blocks)
        .map(|idx| {
            let beats = (idx * BLOCK as u64) as f64 / samples_per_beat;
            (BLOCK, transport(beats, tempo_bpm, time_signature))
        })
        .collect();
    drive(&mut engine, &blocks, |_| settings, &input);
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

/// A note as heard at the output: (channel, key), first sample, last sample + 1.
#[derive(Debug, Clone, Copy, PartialEq)]
struct HeardNote {
    channel: u8,
    key: u8,
    on: u64,
    off: Option<u64>,
}

/// Reads output events as a sampler would: a note-on starts a voice on (channel, key); a
/// note-on for a sounding cell is a defect (counted); a note-off ends the cell's voice.
#[derive(Default)]
struct Sampler {
    notes: Vec<HeardNote>,
    double_strikes: usize,
    stray_offs: usize,
}

impl Sampler {
    fn hear(&mut self, block_start: u64, events: &[Event]) {
        use reprise::engine::event::EventKind;
        for event in events {
            let at = block_start + event.timing_samples as u64;
            match event.kind {
                EventKind::NoteOn {
                    channel,
                    key,
                    velocity,
                    ..
                } if velocity > 0.0 => {
                    if self.sounding(channel, key).is_some() {
                        self.double_strikes += 1;
                    }
                    self.notes.push(HeardNote {
                        channel,
                        key,
                        on: at,
                        off: None,
                    });
                }
                EventKind::NoteOn { channel, key, .. }
                | EventKind::NoteOff { channel, key, .. } => match self.sounding(channel, key) {
                    Some(idx) => self.notes[idx].off = Some(at),
                    None => self.stray_offs += 1,
                },
                _ => {}
            }
        }
    }

    fn sounding(&self, channel: u8, key: u8) -> Option<usize> {
        self.notes
            .iter()
            .rposition(|n| n.channel == channel && n.key == key && n.off.is_none())
    }
}

/// The host's side of one block: its length and the transport it reports.
type HostBlock = (u32, TransportInfo);

/// Runs `engine` over the host's blocks, with `settings_at(block index)` as each block's
/// settings and `input` (absolute sample, event) played in, under the allocation guard; hears the
/// output. Returns what was heard and the samples run.
fn drive(
    engine: &mut LiveEngine,
    blocks: &[HostBlock],
    settings_at: impl Fn(usize) -> LiveSettings,
    input: &[(u64, Event)],
) -> (Sampler, u64) {
    let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
    let mut events: Vec<Event> = Vec::with_capacity(input.len());
    let mut sampler = Sampler::default();
    let mut now = 0u64;
    let mut next = 0;
    for (idx, &(num_samples, transport)) in blocks.iter().enumerate() {
        take_block_input(input, &mut next, now, num_samples, &mut events);
        let settings = settings_at(idx);
        let block = BlockInfo {
            num_samples,
            transport: Some(transport),
        };
        nice_assert_no_alloc::assert_no_alloc(|| {
            engine.process(&block, &settings, &events, &mut out);
        });
        sampler.hear(now, out.as_slice());
        out.clear();
        now += num_samples as u64;
    }
    assert_sampler_invariants(engine, &mut sampler, now, &mut out);
    (sampler, now)
}

/// What must hold whatever the scenario: no note-on for a sounding cell and no note-off
/// without its note-on (as a sampler reads the output); once the transport stops, no rendering
/// note sounds; after a reset nothing sounds at all. Runs the stop and the reset on `engine`
/// (after sample `now`); the notes the two blocks end get their offs in `sampler`.
fn assert_sampler_invariants(
    engine: &mut LiveEngine,
    sampler: &mut Sampler,
    now: u64,
    out: &mut EventBuffer,
) {
    let stopped = BlockInfo {
        num_samples: 64,
        transport: Some(TransportInfo {
            playing: false,
            ..transport(0.0, 120.0, TimeSignature::new(4, 4))
        }),
    };
    let settings = LiveSettings::default();
    nice_assert_no_alloc::assert_no_alloc(|| {
        engine.process(&stopped, &settings, [] as [Event; 0], out);
    });
    sampler.hear(now, out.as_slice());
    out.clear();
    assert!(
        !engine.voices().owns_any(Owner::Rendering),
        "a rendering note sounds after the transport stopped"
    );
    engine.reset();
    nice_assert_no_alloc::assert_no_alloc(|| {
        engine.process(&stopped, &settings, [] as [Event; 0], out);
    });
    sampler.hear(now + 64, out.as_slice());
    out.clear();
    assert!(
        engine.voices().is_silent(),
        "something sounds after a reset"
    );
    assert_eq!(sampler.double_strikes, 0, "note-ons for a sounding key");
    assert_eq!(sampler.stray_offs, 0, "note-offs without a note-on");
    let open: Vec<&HeardNote> = sampler.notes.iter().filter(|n| n.off.is_none()).collect();
    assert!(open.is_empty(), "notes left sounding: {open:?}");
}

/// Moves the `input` events (absolute sample, event) that fall in the block starting at `now`
/// into `events`, with block-relative timings; `next` is the first event not yet taken.
fn take_block_input(
    input: &[(u64, Event)],
    next: &mut usize,
    now: u64,
    num_samples: u32,
    events: &mut Vec<Event>,
) {
    events.clear();
    while *next < input.len() && input[*next].0 < now + num_samples as u64 {
        let (sample, event) = input[*next];
        events.push(Event {
            timing_samples: (sample - now) as u32,
            ..event
        });
        *next += 1;
    }
}

/// [`drive`] with fixed settings and no input.
fn run_blocks(engine: &mut LiveEngine, settings: &LiveSettings, blocks: &[HostBlock]) -> Sampler {
    drive(engine, blocks, |_| *settings, &[]).0
}

/// A one-bar 4/4 motif of eight eighth notes on eight different keys (each 0.45 beats long).
fn eighths_motif(length_beats: f64) -> reprise::engine::motif::Motif {
    use reprise::engine::motif::{Motif, Note};
    let mut motif = Motif::new(TimeSignature::new(4, 4), 120.0);
    for (i, key) in [60u8, 62, 64, 65, 67, 69, 71, 72].into_iter().enumerate() {
        motif.push(Note {
            start_beats: i as f64 * 0.5,
            length_beats,
            key,
            velocity: 0.6,
            channel: 0,
        });
    }
    motif.finish();
    motif
}

/// Follow-transport playback of the motif exactly as it is (no character), looping.
fn plain_playback() -> LiveSettings {
    use reprise::engine::character::{Character, CharacterSettings};
    LiveSettings {
        character: CharacterSettings {
            character: Character::None,
            humanize: 0.0,
            ..CharacterSettings::default()
        },
        playback_mode: PlaybackMode::FollowTransport,
        looping: true,
        capture: reprise::engine::playback::LiveCapture::Off,
        ..LiveSettings::default()
    }
}

/// A host ramping its tempo linearly from `from_bpm` to `to_bpm` over `ramp_beats` (tempo changes
/// continuously inside each block; each block reports the tempo at its start), then steady,
/// in blocks of `block` samples, until `total_beats`.
fn ramp_blocks(
    from_bpm: f64,
    to_bpm: f64,
    ramp_beats: f64,
    total_beats: f64,
    block: u32,
) -> Vec<HostBlock> {
    let tempo_at = |beats: f64| {
        let t = (beats / ramp_beats).clamp(0.0, 1.0);
        from_bpm + (to_bpm - from_bpm) * t
    };
    let mut blocks = Vec::new();
    let mut beats = 0.0f64;
    while beats < total_beats {
        blocks.push((
            block,
            transport(beats, tempo_at(beats), TimeSignature::new(4, 4)),
        ));
        for _ in 0..block {
            beats += tempo_at(beats) / 60.0 / SAMPLE_RATE;
        }
    }
    blocks
}

/// Issue 10, defect 2: a 4-bar ritardando 120→60 with 4096-sample blocks was taken for a jump at
/// every block (notes ended, muted to the next bar): 5 notes instead of 32.
#[test]
fn a_ritardando_plays_every_note_once_and_in_full() {
    for block in [64u32, 512, 4096, 8192] {
        let mut engine = Box::new(LiveEngine::new());
        engine.set_slot(0, &eighths_motif(0.45));
        let blocks = ramp_blocks(120.0, 60.0, 16.0, 16.0, block);
        let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
        let shortest_samples = 0.4 * 60.0 / 120.0 * SAMPLE_RATE; // 0.4 beat at the fastest tempo
        let played: Vec<&HeardNote> = heard.notes.iter().collect();
        assert_eq!(heard.double_strikes, 0, "block {block}");
        assert_eq!(heard.stray_offs, 0, "block {block}");
        assert!(
            (32..=33).contains(&played.len()),
            "block {block}: {} notes in 16 beats of eighths",
            played.len()
        );
        for note in &played[..32] {
            let off = note.off.unwrap_or(u64::MAX);
            assert!(
                (off - note.on) as f64 >= shortest_samples,
                "block {block}: a note cut to {} samples",
                off - note.on
            );
        }
    }
}

/// Issue 10, defect 5: a staccato note whose on and off fall in one scheduling window rang until
/// the next loop cycle; every note must end at its own length.
#[test]
fn a_note_that_starts_and_ends_in_one_block_gets_its_off_in_that_block() {
    for block in [256u32, 4096, 16384] {
        let mut engine = Box::new(LiveEngine::new());
        engine.set_slot(0, &eighths_motif(0.05)); // 1 200 samples at 120 BPM
        let blocks = ramp_blocks(120.0, 120.0, 1.0, 8.0, block);
        let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
        let total: u64 = blocks.iter().map(|&(n, _)| n as u64).sum();
        assert!(
            heard.notes.len() >= 15,
            "block {block}: {}",
            heard.notes.len()
        );
        for note in heard.notes.iter().filter(|n| n.on + 1_300 < total) {
            let length = note.off.map(|off| off - note.on);
            assert!(
                length.is_some_and(|l| l.abs_diff(1_200) <= 1),
                "block {block}: staccato note lasted {length:?} samples"
            );
        }
    }
}

/// Issue 10, defect 5: host positions a fraction of a sample off the prediction (fixed-point
/// positions) must neither drop a note-off nor strike a note twice.
#[test]
fn sub_sample_position_jitter_loses_no_note_off_and_doubles_no_note() {
    let mut engine = Box::new(LiveEngine::new());
    engine.set_slot(0, &eighths_motif(0.45));
    // 600-sample blocks: every onset (12 000) and every end (10 800) lies on a block boundary.
    let mut blocks = ramp_blocks(120.0, 120.0, 1.0, 16.0, 600);
    let beats_per_sample = 120.0 / 60.0 / SAMPLE_RATE;
    for (idx, (_, transport)) in blocks.iter_mut().enumerate() {
        // −0.45 … +0.45 sample, alternating sign, never zero.
        let jitter = (((idx * 7919) % 97) as f64 / 97.0 * 0.35 + 0.1)
            * if idx % 2 == 0 { 1.0 } else { -1.0 };
        transport.pos_beats = (transport.pos_beats + jitter * beats_per_sample).max(0.0);
    }
    let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
    assert_eq!(heard.double_strikes, 0);
    assert_eq!(heard.stray_offs, 0);
    // Eighths every 12 000 samples at 120 BPM, from sample 0 to the end of the run.
    let total: u64 = blocks.iter().map(|&(n, _)| n as u64).sum();
    assert_eq!(
        heard.notes.len() as u64,
        total.div_ceil(12_000),
        "every eighth, once"
    );
    for note in &heard.notes[..31] {
        let length = note.off.map(|off| off - note.on);
        assert!(
            length.is_some_and(|l| l.abs_diff(10_800) <= 2),
            "a note lasted {length:?} samples (0.45 beat = 10 800)"
        );
    }
}

/// [`drive`] in 64-sample blocks at a steady 120 BPM for `beats`, with per-block settings.
fn run_automated(
    engine: &mut LiveEngine,
    beats: f64,
    settings_at: impl Fn(usize) -> LiveSettings,
) -> (Sampler, u64) {
    drive(
        engine,
        &ramp_blocks(120.0, 120.0, 1.0, beats, 64),
        settings_at,
        &[],
    )
}

/// An automation lane: the settings at lane position 0–1.
type Automation = fn(LiveSettings, f64) -> LiveSettings;

/// Issue 10, defect 6: each automation point of Intensity (likewise humanize, augmentation,
/// seed) ended every sounding note and re-rendered: a ramp left 13 ms stubs of 1 s notes. Now a
/// sounding note keeps its length, whatever the automation does meanwhile.
#[test]
fn automating_shaping_settings_every_64_samples_never_chops_a_note() {
    use reprise::engine::character::Character;
    let lanes: [(&str, Automation); 3] = [
        ("intensity", |mut s, t| {
            s.character.intensity = t;
            s
        }),
        ("augmentation + humanize", |mut s, t| {
            s.character.augmentation = 1.0 + t;
            s.character.humanize = t;
            s
        }),
        ("seed", |mut s, t| {
            s.character.seed = 1 + (t * 50.0) as u64;
            s
        }),
    ];
    for (lane, apply) in lanes {
        let mut engine = Box::new(LiveEngine::new());
        engine.set_slot(0, &eighths_motif(0.45));
        let mut base = plain_playback();
        base.character.character = Character::Swell;
        let total_blocks = (16.0 * 24_000.0 / 64.0) as usize;
        let (heard, end) = run_automated(&mut engine, 16.0, |idx| {
            apply(base, idx as f64 / total_blocks as f64)
        });
        assert_eq!(heard.double_strikes, 0, "{lane}");
        assert_eq!(heard.stray_offs, 0, "{lane}");
        assert!(heard.notes.len() >= 16, "{lane}: {}", heard.notes.len());
        // Swell's shortest notes are well over a quarter beat (6 000 samples at 120 BPM); a
        // chopped note would be a stub of one automation step (the transport stop at `end`
        // ends what still sounds).
        for note in &heard.notes {
            let off = note.off.unwrap_or(end);
            let length = off - note.on;
            assert!(
                length >= 6_000 || off >= end,
                "{lane}: a note on {} lasted {length} samples",
                note.key
            );
        }
    }
}

/// Issue 10, defect 4: an onset at the loop end was struck, ended and struck again a sample
/// later (the wrap used a 1e-6-sample tolerance, onsets 0.01). At the wrap the host is at the
/// loop start: the loop-start onset sounds, once.
#[test]
fn an_onset_at_the_loop_end_is_struck_once() {
    // The loop end (beat 4) falls 0.005 samples after sample 100 000: past the sample by less
    // than the onsets' tolerance, more than the old wrap tolerance.
    let tempo = 4.0 * 60.0 * SAMPLE_RATE / 100_000.005;
    let beats_per_sample = tempo / 60.0 / SAMPLE_RATE;
    let mut blocks = Vec::new();
    let mut beats = 0.0f64;
    for _ in 0..(3.0 * 4.0 / beats_per_sample / 512.0) as usize {
        let mut info = transport(beats, tempo, TimeSignature::new(4, 4));
        info.loop_range_beats = Some((0.0, 4.0));
        blocks.push((512u32, info));
        beats += 512.0 * beats_per_sample;
        if beats >= 4.0 {
            beats -= 4.0;
        }
    }
    // A two-bar motif: its second bar starts with key 60 too, exactly at the loop end.
    let mut motif = eighths_motif(0.45);
    let mut two_bars = reprise::engine::motif::Motif::new(TimeSignature::new(4, 4), 120.0);
    for note in motif.notes() {
        two_bars.push(*note);
        two_bars.push(reprise::engine::motif::Note {
            start_beats: note.start_beats + 4.0,
            ..*note
        });
    }
    two_bars.finish();
    motif.clone_from(&two_bars);
    let mut engine = Box::new(LiveEngine::new());
    engine.set_slot(0, &motif);
    let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
    assert_eq!(heard.double_strikes, 0);
    let strikes_of_60: Vec<u64> = heard
        .notes
        .iter()
        .filter(|n| n.key == 60)
        .map(|n| n.on)
        .collect();
    for pair in strikes_of_60.windows(2) {
        assert!(
            pair[1] - pair[0] > 1_000,
            "key 60 struck twice in a row: {strikes_of_60:?}"
        );
    }
    assert!(strikes_of_60.len() >= 3, "{strikes_of_60:?}");
}

/// Issue 10, defect 7: hold a key, bypass (capture off), release it while bypassed, un-bypass,
/// play a phrase: it was never captured. Turning capture off drops the phrase in progress.
#[test]
fn a_key_released_while_capture_is_off_does_not_wedge_capture() {
    let mut engine = Box::new(LiveEngine::new());
    let listening = LiveSettings {
        playback_mode: PlaybackMode::Off,
        ..LiveSettings::default()
    };
    let bypassed = LiveSettings {
        capture: reprise::engine::playback::LiveCapture::Off,
        ..listening
    };
    let beat = 24_000u64; // at 120 BPM
    let input = [
        (beat, Event::note_on(0, 0, 50, 0.7, None)),
        (3 * beat, Event::note_off(0, 0, 50, 0.0, None)), // released while bypassed
        (8 * beat, Event::note_on(0, 0, 62, 0.7, None)),
        (8 * beat + beat / 2, Event::note_off(0, 0, 62, 0.0, None)),
        (9 * beat, Event::note_on(0, 0, 65, 0.7, None)),
        (9 * beat + beat / 2, Event::note_off(0, 0, 65, 0.0, None)),
    ];
    let blocks = ramp_blocks(120.0, 120.0, 1.0, 16.0, 512);
    let block_of_beat = |b: u64| (b * beat / 512) as usize;
    drive(
        &mut engine,
        &blocks,
        |idx| {
            if (block_of_beat(2)..block_of_beat(5)).contains(&idx) {
                bypassed
            } else {
                listening
            }
        },
        &input,
    );
    let keys: Vec<u8> = engine.slots()[0].notes().iter().map(|n| n.key).collect();
    assert_eq!(
        keys,
        [62, 65],
        "the phrase after the bypass is captured, alone"
    );
}

/// Issue 10, defect 11: each new capture dropped the slot's key lock.
#[test]
fn a_new_capture_keeps_the_slots_key_lock() {
    use reprise::engine::key::Key;
    let mut engine = Box::new(LiveEngine::new());
    engine.set_slot(0, &eighths_motif(0.45));
    let lock = Key::parse("D:minor").unwrap();
    engine.lock_key(0, Some(lock));
    let settings = LiveSettings {
        playback_mode: PlaybackMode::Off,
        ..LiveSettings::default()
    };
    let beat = 24_000u64;
    let input = [
        (beat, Event::note_on(0, 0, 62, 0.7, None)),
        (2 * beat, Event::note_off(0, 0, 62, 0.0, None)),
    ];
    drive(
        &mut engine,
        &ramp_blocks(120.0, 120.0, 1.0, 8.0, 512),
        |_| settings,
        &input,
    );
    assert_eq!(engine.slots()[0].notes()[0].key, 62, "captured");
    assert_eq!(engine.slots()[0].locked_key, Some(lock), "the lock stays");
}

/// A host transport at a steady tempo in 3/4, optionally looping.
#[derive(Clone, Copy)]
struct SteadySong {
    sample_rate: f64,
    tempo: f64,
    loop_beats: Option<(f64, f64)>,
    total_samples: u64,
    /// Intensity and humanize automated in steps at every multiple of this many samples (the
    /// framework splits blocks at each automation point, so no block crosses one).
    automation_every_samples: Option<u64>,
}

/// Runs `engine` over a steady transport (with an optional host loop) for `total_samples`, in
/// blocks from `next_block`, playing `input`; returns every output event as (absolute sample,
/// event with timing 0).
fn output_with_blocks(
    engine: &mut LiveEngine,
    settings: &LiveSettings,
    song: SteadySong,
    mut next_block: impl FnMut() -> u32,
    input: &[(u64, Event)],
) -> Vec<(u64, Event)> {
    let SteadySong {
        sample_rate,
        tempo,
        loop_beats,
        total_samples,
        automation_every_samples,
    } = song;
    engine.prepare(sample_rate);
    let beats_per_sample = tempo / 60.0 / sample_rate;
    let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
    let mut heard = Vec::new();
    let mut sampler = Sampler::default();
    let mut events: Vec<Event> = Vec::with_capacity(input.len());
    let (mut now, mut next) = (0u64, 0usize);
    // The host's song position, wrapping at the loop end like a host does.
    let position_at = |sample: u64| {
        let beats = sample as f64 * beats_per_sample;
        match loop_beats {
            Some((start, end)) if beats >= end => start + (beats - end) % (end - start),
            _ => beats,
        }
    };
    while now < total_samples {
        let mut num_samples = next_block()
            .clamp(1, 16_384)
            .min((total_samples - now) as u32);
        let mut block_settings = *settings;
        if let Some(every) = automation_every_samples {
            let step = now / every;
            num_samples = num_samples.min(((step + 1) * every - now) as u32);
            // A ramp up and down over 20 steps.
            let position = (step % 20) as f64 / 10.0;
            let ramp = if position <= 1.0 {
                position
            } else {
                2.0 - position
            };
            block_settings.character.intensity = ramp;
            block_settings.character.humanize = 1.0 - ramp;
        }
        let settings = &block_settings;
        take_block_input(input, &mut next, now, num_samples, &mut events);
        let mut info = transport(position_at(now), tempo, TimeSignature::new(3, 4));
        info.loop_range_beats = loop_beats;
        let block = BlockInfo {
            num_samples,
            transport: Some(info),
        };
        nice_assert_no_alloc::assert_no_alloc(|| {
            engine.process(&block, settings, &events, &mut out);
        });
        sampler.hear(now, out.as_slice());
        heard.extend(out.as_slice().iter().map(|e| {
            (
                now + e.timing_samples as u64,
                Event {
                    timing_samples: 0,
                    ..*e
                },
            )
        }));
        out.clear();
        now += num_samples as u64;
    }
    assert_sampler_invariants(engine, &mut sampler, now, &mut out);
    heard
}

/// The output is a function of the music, not of the block size: the same transport (3/4, a
/// host loop that wraps inside blocks), the same played notes and the same automation (none, or
/// Intensity and Humanize stepped every 50 ms), processed in 16 384-sample blocks and in seeded
/// random splits of 1–16 384 (and 1–64) samples, give the same events at the same samples, at
/// 22.05–192 kHz, for Piano and Swell.
#[test]
fn block_splits_do_not_change_the_output() {
    use reprise::engine::character::Character;
    use reprise::engine::rng::Rng;
    for sample_rate in [22_050.0, 44_100.0, 48_000.0, 96_000.0, 192_000.0] {
        let mut unautomated: Vec<(Character, Vec<(u64, Event)>)> = Vec::new();
        for (character, automated) in [
            (Character::Piano, false),
            (Character::Swell, false),
            (Character::Piano, true),
            (Character::Swell, true),
        ] {
            let tempo = 97.0;
            let samples_per_beat = 60.0 * sample_rate / tempo;
            let total = (40.0 * samples_per_beat) as u64;
            let mut settings = plain_playback();
            settings.character.character = character;
            settings.character.intensity = 0.9;
            settings.character.humanize = 0.4;
            // Played along on channel 5 (passed through), away from the rendering's channels.
            let input: Vec<(u64, Event)> = (0..30u64)
                .flat_map(|i| {
                    let on = (i as f64 * 1.3 * samples_per_beat) as u64 + 17;
                    let key = 40 + (i * 7 % 24) as u8;
                    [
                        (on, Event::note_on(0, 5, key, 0.5, None)),
                        (
                            on + (0.7 * samples_per_beat) as u64,
                            Event::note_off(0, 5, key, 0.0, None),
                        ),
                    ]
                })
                .collect();
            let mut input = input;
            input.sort_by_key(|&(sample, _)| sample);
            let run = |next_block: &mut dyn FnMut() -> u32| {
                let mut engine = Box::new(LiveEngine::new());
                engine.set_slot(0, &eighths_motif(0.45));
                let song = SteadySong {
                    sample_rate,
                    tempo,
                    loop_beats: Some((6.0, 21.0)),
                    total_samples: total,
                    automation_every_samples: automated.then_some((sample_rate / 20.0) as u64),
                };
                output_with_blocks(&mut engine, &settings, song, next_block, &input)
            };
            let reference = run(&mut || 16_384);
            assert!(reference.len() > 100, "{} events", reference.len());
            // The automation really shapes the output (else this case would prove nothing).
            match unautomated.iter().find(|(c, _)| *c == character) {
                Some((_, plain)) => assert!(automated && *plain != reference, "{character:?}"),
                None => unautomated.push((character, reference.clone())),
            }
            for (seed, max_block) in [(1u64, 16_384u64), (2, 4_096), (3, 64)] {
                let mut rng = Rng::new(seed);
                let split = run(&mut || 1 + (rng.next_u64() % max_block) as u32);
                if split != reference {
                    let first_difference = split
                        .iter()
                        .zip(&reference)
                        .position(|(a, b)| a != b)
                        .unwrap_or(split.len().min(reference.len()));
                    panic!(
                        "{sample_rate} Hz {character:?} (automated: {automated}), splits up to {max_block}: {} vs {} events, \
                         first difference at {first_difference}: {:?} vs {:?}",
                        split.len(),
                        reference.len(),
                        split.get(first_difference),
                        reference.get(first_difference)
                    );
                }
            }
        }
    }
}

/// Issue 10, defect 9: notes played along on the melody channel gave a note-on for a key the
/// rendering already held (and the reverse); a sampler hears one voice and releases it at the
/// first note-off. One collision policy now: a new note-on for a sounding cell first ends the
/// old one at that sample, and the displaced note's own note-off is not sent.
#[test]
fn playing_along_on_the_rendering_channel_never_holds_a_key_twice() {
    let mut engine = Box::new(LiveEngine::new());
    engine.set_slot(0, &eighths_motif(0.45));
    let beat = 24_000u64;
    let mut input = Vec::new();
    // The rendering plays 60 62 64 65 67 69 71 72 in eighths on channel 1 (index 0); the
    // composer plays the same keys, a little early, late and long, on the same channel.
    for (i, key) in [60u8, 64, 67, 72, 62, 69].into_iter().enumerate() {
        let on = i as u64 * 2 * beat + beat / 8 + (i as u64 % 3) * 1_000;
        input.push((on, Event::note_on(0, 0, key, 0.6, None)));
        input.push((on + beat * 3 / 2, Event::note_off(0, 0, key, 0.0, None)));
    }
    input.sort_by_key(|&(sample, _)| sample);
    let blocks = ramp_blocks(120.0, 120.0, 1.0, 16.0, 512);
    let (heard, _) = drive(&mut engine, &blocks, |_| plain_playback(), &input);
    assert_eq!(heard.double_strikes, 0, "a key was struck while it sounded");
    assert_eq!(
        heard.stray_offs, 0,
        "a note-off for a key that was not sounding"
    );
}

/// Issue 10, defect 10: turning Pass-through off also ended the rendering's notes and lifted
/// its pedal, after which the scheduler believed the pedal was still down and skipped the next
/// pedal-down. Pass-through only owns what was played.
#[test]
fn toggling_pass_through_leaves_the_rendering_alone() {
    use reprise::engine::character::Character;
    let mut settings = plain_playback();
    settings.character.character = Character::Piano;
    settings.character.intensity = 0.8;
    let blocks = ramp_blocks(120.0, 120.0, 1.0, 24.0, 512);
    let run = |toggle: bool| {
        let mut engine = Box::new(LiveEngine::new());
        engine.set_slot(0, &eighths_motif(0.45));
        drive(
            &mut engine,
            &blocks,
            |idx| LiveSettings {
                pass_through: !(toggle && (idx / 40) % 2 == 1),
                ..settings
            },
            &[],
        )
        .0
        .notes
    };
    let steady = run(false);
    assert!(steady.len() > 20);
    assert_eq!(
        run(true),
        steady,
        "the rendering is the same with pass-through toggled"
    );
}

/// Issue 10, defect 8: a held trigger key stopped at a loop wrap or a transport stop and did not
/// come back while still held. A triggered rendering belongs to the key: it carries on.
#[test]
fn a_held_trigger_key_plays_on_across_loop_wraps_and_a_stop() {
    let beat = 24_000u64; // 120 BPM
    let mut blocks = Vec::new();
    let mut beats = 0.0f64;
    for idx in 0..(14 * beat / 512) {
        // Looping 0–4 beats for 10 beats of time, then stopped.
        let playing = idx * 512 < 10 * beat;
        let mut info = transport(beats, 120.0, TimeSignature::new(4, 4));
        info.playing = playing;
        info.loop_range_beats = Some((0.0, 4.0));
        blocks.push((512u32, info));
        if playing {
            beats += 512.0 / beat as f64;
            if beats >= 4.0 {
                beats -= 4.0;
            }
        }
    }
    let settings = LiveSettings {
        playback_mode: PlaybackMode::KeyTrigger,
        ..plain_playback()
    };
    let input = [
        (beat / 2, Event::note_on(0, 0, 48, 0.8, None)),
        (13 * beat + beat / 2, Event::note_off(0, 0, 48, 0.0, None)),
    ];
    let mut engine = Box::new(LiveEngine::new());
    engine.set_slot(0, &eighths_motif(0.45));
    let (heard, _) = drive(&mut engine, &blocks, |_| settings, &input);
    assert_eq!(heard.double_strikes, 0);
    assert_eq!(heard.stray_offs, 0);
    // Held 13 beats: 26 eighths of the looping one-bar rendering, and silence after the release.
    let while_held = heard
        .notes
        .iter()
        .filter(|n| n.on >= beat / 2 && n.on < 13 * beat + beat / 2)
        .count();
    assert!(
        (25..=27).contains(&while_held),
        "{while_held} notes while the key was held"
    );
    assert!(
        heard.notes.iter().all(|n| n.off.is_some()),
        "everything ends at the release"
    );
}

/// Issue 10, defect 11: capture completed only at block starts, so when a phrase came in (and
/// whether the next onset joined it) depended on the block size, and the new motif came in
/// mid-bar. Now a phrase completes at the sample its silence gap ends, and its rendering comes
/// in at the next launch point (bar): the output is the same for any split.
#[test]
fn captured_phrases_come_in_at_the_next_bar_whatever_the_block_size() {
    use reprise::engine::rng::Rng;
    let sample_rate = 48_000.0;
    let tempo = 100.0;
    let samples_per_beat = 60.0 * sample_rate / tempo; // 28 800
    let settings = LiveSettings {
        capture: reprise::engine::playback::LiveCapture::AlwaysListening,
        capture_gap_beats: 1.5,
        ..plain_playback()
    };
    // Three phrases on channel 3; the third starts just after the second one's gap.
    let mut input: Vec<(u64, Event)> = Vec::new();
    let phrase = |start_beats: f64, keys: &[u8], input: &mut Vec<(u64, Event)>| {
        for (i, &key) in keys.iter().enumerate() {
            let on = ((start_beats + i as f64 * 0.5) * samples_per_beat) as u64;
            input.push((on, Event::note_on(0, 2, key, 0.7, None)));
            input.push((
                on + (0.4 * samples_per_beat) as u64,
                Event::note_off(0, 2, key, 0.0, None),
            ));
        }
    };
    phrase(1.25, &[60, 64, 67], &mut input);
    phrase(9.1, &[62, 65, 69, 72], &mut input);
    // Second phrase's last release: 9.1 + 1.5 + 0.4 = 11.0; its gap ends at 12.5.
    phrase(12.5 + 0.01, &[57, 60], &mut input);
    input.sort_by_key(|&(sample, _)| sample);
    let run = |next_block: &mut dyn FnMut() -> u32| {
        let mut engine = Box::new(LiveEngine::new());
        let song = SteadySong {
            sample_rate,
            tempo,
            loop_beats: None,
            total_samples: (30.0 * samples_per_beat) as u64,
            automation_every_samples: None,
        };
        let out = output_with_blocks(&mut engine, &settings, song, next_block, &input);
        (out, engine.slots()[0].clone())
    };
    let (reference, motif) = run(&mut || 16_384);
    let keys: Vec<u8> = motif.notes().iter().map(|n| n.key).collect();
    assert_eq!(keys, [57, 60], "the third phrase is a phrase of its own");
    // The first phrase completes at beat 1.25 + 1.0 + 0.4 + 1.5 = 4.15; its rendering (on
    // channel 1) comes in at the next bar line of the 3/4 song, beat 6, with the phrase's own
    // offset from its bar line (1.25 beats): first note at beat 7.25.
    let first_rendered = reference
        .iter()
        .find(|(_, e)| {
            matches!(
                e.kind,
                reprise::engine::event::EventKind::NoteOn { channel: 0, .. }
            )
        })
        .map(|&(sample, _)| sample as f64 / samples_per_beat);
    assert!(
        first_rendered.is_some_and(|beats| (beats - 7.25).abs() < 1e-3),
        "first rendered note at beat {first_rendered:?}"
    );
    for (seed, max_block) in [(7u64, 16_384u64), (8, 700), (9, 64)] {
        let mut rng = Rng::new(seed);
        let (split, _) = run(&mut || 1 + (rng.next_u64() % max_block) as u32);
        assert!(
            split == reference,
            "splits up to {max_block} change the output"
        );
    }
}

/// Issue 10, defect 3: a loop wrap the host reports as a transport event inside its block
/// reaches the plugin, through nice-plug's CLAP wrapper, as a sub-block whose position has the
/// sub-block's offset added (loop start + offset × tempo). It was read as a jump and the first
/// bar after every such wrap was silent. The engine takes it for the wrap it is.
#[test]
fn a_loop_wrap_reported_inside_a_block_with_the_frameworks_offset_keeps_playing() {
    let (loop_start, loop_end) = (4.0, 12.0);
    let beats_per_sample = 120.0 / 60.0 / SAMPLE_RATE;
    let host_block = 1024u64;
    let mut blocks: Vec<HostBlock> = Vec::new();
    let mut wraps = Vec::new();
    let mut beats = 0.0f64;
    let mut now = 0u64;
    while now < 5 * 192_000 {
        let until_end = ((loop_end - beats) / beats_per_sample).round() as u64;
        let mut info = transport(beats, 120.0, TimeSignature::new(4, 4));
        info.loop_range_beats = Some((loop_start, loop_end));
        if until_end > 0 && until_end < host_block {
            // The host's wrap event at `until_end`: nice-plug splits the block there and adds
            // the offset to the event's position.
            blocks.push((until_end as u32, info));
            let mut after = info;
            after.pos_beats = loop_start + until_end as f64 * beats_per_sample;
            blocks.push(((host_block - until_end) as u32, after));
            wraps.push(now + until_end);
            beats = loop_start + (host_block - until_end) as f64 * beats_per_sample;
        } else {
            blocks.push((host_block as u32, info));
            beats += host_block as f64 * beats_per_sample;
        }
        now += host_block;
    }
    assert!(wraps.len() >= 3);
    let mut engine = Box::new(LiveEngine::new());
    engine.set_slot(0, &eighths_motif(0.45));
    let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
    assert_eq!(heard.double_strikes, 0);
    for &wrap in &wraps {
        // The loop start is a bar line: its first eighth sounds right at the wrap.
        let struck = heard
            .notes
            .iter()
            .any(|n| n.on >= wrap && n.on < wrap + 12_000);
        assert!(struck, "silence after the wrap at sample {wrap}");
    }
}

/// A tempo map: BPM at a beat.
type TempoMap<'a> = dyn Fn(f64) -> f64 + 'a;

/// A song whose tempo and metre are functions of the beat, played from beat 0 to `total_beats`
/// in blocks of `block` samples: the tempo is integrated sample by sample (so it changes inside
/// blocks), and each block reports the tempo and metre at its first sample, with the bar start
/// if `with_bar_start`. `metre_at(beat)` gives the metre and the beat of its bar line at or
/// before that beat. Returns the blocks and the song's beat at every sample.
fn song_blocks(
    tempo_at: &TempoMap<'_>,
    metre_at: &dyn Fn(f64) -> (TimeSignature, f64),
    total_beats: f64,
    block: u32,
    with_bar_start: bool,
) -> (Vec<HostBlock>, Vec<f64>) {
    let mut blocks = Vec::new();
    let mut beat_at_sample = Vec::new();
    let mut beats = 0.0f64;
    while beats < total_beats {
        let (metre, bar_start) = metre_at(beats);
        let mut info = transport(beats, tempo_at(beats), metre);
        info.bar_start_beats = with_bar_start.then_some(bar_start);
        blocks.push((block, info));
        for _ in 0..block {
            beat_at_sample.push(beats);
            beats += tempo_at(beats) / 60.0 / SAMPLE_RATE;
        }
    }
    (blocks, beat_at_sample)
}

/// One bar of `metre` in eighth notes: an accented 72 on the downbeat, then a rising line
/// (each 0.45 beats long).
fn bar_of_eighths(metre: TimeSignature) -> reprise::engine::motif::Motif {
    use reprise::engine::motif::{Motif, Note};
    let mut motif = Motif::new(metre, 120.0);
    let num_eighths = (metre.bar_length_beats() / 0.5).round() as usize;
    for i in 0..num_eighths {
        motif.push(Note {
            start_beats: i as f64 * 0.5,
            length_beats: 0.45,
            key: if i == 0 { 72 } else { 48 + i as u8 },
            velocity: if i == 0 { 0.9 } else { 0.6 },
            channel: 0,
        });
    }
    motif.finish();
    motif
}

/// Tempo ramps 60→180 and 180→60 BPM and tempo steps inside blocks, in blocks of 64–8192
/// samples: every note of the eighths motif in the 16 beats played sounds once, on its beat and
/// with its full length in beats. (Inside a block the engine runs at the tempo the block
/// reports; a step inside a block is caught up at the next block start, so near a step the
/// timing may be off by up to one block at the faster tempo.)
#[test]
fn tempo_ramps_and_steps_play_every_note_once_on_its_beat_and_in_full() {
    let ramp = |from: f64, to: f64| move |beats: f64| from + (to - from) * (beats / 16.0).min(1.0);
    let steps = |beats: f64| match beats {
        b if b < 5.3 => 120.0,
        b if b < 9.7 => 60.0,
        _ => 180.0,
    };
    let cases: [(&str, &TempoMap<'_>, bool); 3] = [
        ("ramp 60→180", &ramp(60.0, 180.0), false),
        ("ramp 180→60", &ramp(180.0, 60.0), false),
        ("steps 120→60→180", &steps, true),
    ];
    let four_four = |_: f64| (TimeSignature::new(4, 4), 0.0);
    for (name, tempo_at, stepped) in cases {
        for block in [64u32, 512, 4096, 8192] {
            let (blocks, beat_at) = song_blocks(tempo_at, &four_four, 16.0, block, false);
            let mut engine = Box::new(LiveEngine::new());
            engine.set_slot(0, &eighths_motif(0.45));
            let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
            let beat = |sample: u64| beat_at[(sample as usize).min(beat_at.len() - 1)];
            let tolerance = if stepped {
                0.02 + block as f64 / SAMPLE_RATE * 3.0
            } else {
                0.02
            };
            // Each note heard is the eighth nearest its onset; the 32 eighths of beats 0–16
            // must each be heard exactly once.
            let context = format!("{name}, blocks of {block}");
            let mut times_heard = [0usize; 32];
            for note in &heard.notes {
                let on = beat(note.on);
                let i = (on / 0.5).round() as usize;
                if i >= 32 {
                    continue;
                }
                times_heard[i] += 1;
                let off = beat(note.off.expect("every note ends"));
                assert_eq!(
                    note.key,
                    [60u8, 62, 64, 65, 67, 69, 71, 72][i % 8],
                    "{context}"
                );
                assert!(
                    (on - i as f64 * 0.5).abs() <= tolerance,
                    "{context}: note {i} at beat {on}"
                );
                assert!(
                    (off - on - 0.45).abs() <= tolerance,
                    "{context}: note {i} lasted {} beats",
                    off - on
                );
            }
            assert_eq!(
                times_heard, [1; 32],
                "{context}: times each eighth was heard"
            );
        }
    }
}

/// Playback in 3/4, 6/8, 7/8 and 5/4 songs: a one-bar motif in the song's metre repeats on the
/// song's bar lines (its downbeat note on every bar line, to the sample).
#[test]
fn playback_falls_on_the_songs_bar_lines_in_every_metre() {
    for (numerator, denominator, tempo) in
        [(3u8, 4u8, 90.0), (6, 8, 72.0), (7, 8, 132.0), (5, 4, 100.0)]
    {
        let metre = TimeSignature::new(numerator, denominator);
        let bar = metre.bar_length_beats();
        let (blocks, _) = song_blocks(&|_| tempo, &|_| (metre, 0.0), 6.0 * bar, 480, false);
        let mut engine = Box::new(LiveEngine::new());
        engine.set_slot(0, &bar_of_eighths(metre));
        let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
        let samples_per_beat = 60.0 * SAMPLE_RATE / tempo;
        let end = (6.0 * bar * samples_per_beat) as u64;
        let downbeats: Vec<u64> = heard
            .notes
            .iter()
            .filter(|n| n.key == 72 && n.on < end)
            .map(|n| n.on)
            .collect();
        let bar_lines: Vec<u64> = (0..6)
            .map(|k| (k as f64 * bar * samples_per_beat).ceil() as u64)
            .collect();
        assert_eq!(downbeats, bar_lines, "{numerator}/{denominator}");
        let per_bar = (bar / 0.5).round() as usize;
        let in_six_bars = heard.notes.iter().filter(|n| n.on < end).count();
        assert_eq!(in_six_bars, 6 * per_bar, "{numerator}/{denominator}");
    }
}

/// A metre change mid-song (three bars of 4/4, then 7/8 from beat 12), with and without the
/// host reporting the bar start: playback realigns to the new bar lines (12, 15.5, 19, …), and a
/// phrase played half a beat into the second 7/8 bar is captured from that bar line (15.5),
/// not from a bar line counted in 7/8 from beat 0 (14).
#[test]
fn a_metre_change_mid_song_moves_playback_and_capture_to_the_new_bars() {
    let metre_at = |beats: f64| {
        if beats < 12.0 {
            (TimeSignature::new(4, 4), (beats / 4.0).floor() * 4.0)
        } else {
            let bars = ((beats - 12.0) / 3.5).floor();
            (TimeSignature::new(7, 8), 12.0 + bars * 3.5)
        }
    };
    let tempo = 120.0;
    let samples_per_beat = 60.0 * SAMPLE_RATE / tempo;
    for with_bar_start in [false, true] {
        // Playback.
        let (blocks, _) = song_blocks(&|_| tempo, &metre_at, 12.0 + 5.0 * 3.5, 512, with_bar_start);
        let mut engine = Box::new(LiveEngine::new());
        engine.set_slot(0, &bar_of_eighths(TimeSignature::new(7, 8)));
        let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
        let end = ((12.0 + 5.0 * 3.5) * samples_per_beat) as u64;
        let mut downbeats_after_change: Vec<u64> = heard
            .notes
            .iter()
            .filter(|n| n.key == 72 && n.on >= (12.0 * samples_per_beat) as u64 && n.on < end)
            .map(|n| n.on)
            .collect();
        let bar_lines: Vec<u64> = (0..5)
            .map(|k| ((12.0 + k as f64 * 3.5) * samples_per_beat).ceil() as u64)
            .collect();
        // The host reports the new metre from the first block start after the bar line: the
        // downbeat there comes at that block start, less than a block late.
        let first_late = downbeats_after_change.first().map(|&on| on - bar_lines[0]);
        assert!(
            first_late.is_some_and(|late| late < 512),
            "bar start given: {with_bar_start}: first 7/8 downbeat {first_late:?} samples late"
        );
        downbeats_after_change[0] = bar_lines[0];
        assert_eq!(
            downbeats_after_change, bar_lines,
            "bar start given: {with_bar_start}"
        );

        // Capture.
        let (blocks, _) = song_blocks(&|_| tempo, &metre_at, 30.0, 512, with_bar_start);
        let notes = [(16.0, 0.5, 62u8), (16.5, 0.5, 65), (17.0, 1.0, 69)];
        let mut input: Vec<(u64, Event)> = Vec::new();
        for &(start, length, key) in &notes {
            let on = (start * samples_per_beat).round() as u64;
            let off = ((start + length) * samples_per_beat).round() as u64;
            input.push((on, Event::note_on(0, 0, key, 0.7, None)));
            input.push((off, Event::note_off(0, 0, key, 0.0, None)));
        }
        input.sort_by_key(|&(sample, _)| sample);
        let settings = LiveSettings {
            playback_mode: PlaybackMode::Off,
            ..LiveSettings::default()
        };
        let mut engine = Box::new(LiveEngine::new());
        drive(&mut engine, &blocks, |_| settings, &input);
        let motif = &engine.slots()[0];
        assert_eq!(motif.len(), 3, "bar start given: {with_bar_start}");
        assert_eq!(motif.time_signature, TimeSignature::new(7, 8));
        assert!(
            (motif.notes()[0].start_beats - 0.5).abs() < 1e-3,
            "bar start given: {with_bar_start}: first note at {} beats into the motif",
            motif.notes()[0].start_beats
        );
    }
}

/// Issue 21 (found in Ardour): a phrase whose silence gap ends exactly on a bar line replaces
/// the rendering there, and the new rendering comes in on that bar line, whether a host block
/// starts at that sample or the bar line falls inside a block.
#[test]
fn a_phrase_completing_on_a_bar_line_comes_in_there_whatever_the_blocks() {
    let sample_rate = 48_000.0;
    let tempo = 100.0;
    let samples_per_beat = 60.0 * sample_rate / tempo; // 28 800
    let settings = LiveSettings {
        capture: reprise::engine::playback::LiveCapture::AlwaysListening,
        capture_gap_beats: 2.0,
        ..plain_playback()
    };
    // A phrase whose last release is at beat 4: its gap ends at beat 6, a 3/4 bar line.
    let mut input: Vec<(u64, Event)> = Vec::new();
    for (start, end, key) in [(3.0, 3.5, 67u8), (3.5, 4.0, 65)] {
        input.push((
            (start * samples_per_beat) as u64,
            Event::note_on(0, 0, key, 0.7, None),
        ));
        input.push((
            (end * samples_per_beat) as u64,
            Event::note_off(0, 0, key, 0.0, None),
        ));
    }
    input.sort_by_key(|&(sample, event)| {
        (
            sample,
            matches!(event.kind, reprise::engine::event::EventKind::NoteOn { .. }),
        )
    });
    let run = |block: u32| {
        let mut engine = Box::new(LiveEngine::new());
        // The slot already plays a motif with an onset on every beat (also on the bar line).
        engine.set_slot(0, &eighths_motif(0.45));
        let song = SteadySong {
            sample_rate,
            tempo,
            loop_beats: None,
            total_samples: (15.0 * samples_per_beat) as u64,
            automation_every_samples: None,
        };
        output_with_blocks(&mut engine, &settings, song, &mut || block, &input)
    };
    // 960 divides the bar line's sample (172 800); 1024 puts it inside a block.
    let on_boundary = run(960);
    let inside = run(1024);
    use reprise::engine::event::EventKind;
    // No note is struck and ended at one sample (the old rendering's onset on the bar line where
    // the new phrase replaces it).
    for (what, out) in [
        ("on a block boundary", &on_boundary),
        ("inside a block", &inside),
    ] {
        for (sample, event) in out.iter() {
            if let EventKind::NoteOn { channel, key, .. } = event.kind {
                let blip = out.iter().any(|(s, e)| {
                    s == sample
                        && matches!(e.kind, EventKind::NoteOff { channel: c, key: k, .. }
                            if c == channel && k == key)
                });
                assert!(
                    !blip,
                    "bar line {what}: key {key} struck and ended at sample {sample}"
                );
            }
        }
    }
    // The new motif starts on its first note, a bar line: it comes in on the bar line at beat 6.
    let bar_line = (6.0 * samples_per_beat) as u64;
    let struck_at_bar = |out: &[(u64, Event)]| {
        out.iter()
            .filter(|(s, e)| *s == bar_line && matches!(e.kind, EventKind::NoteOn { .. }))
            .count()
    };
    assert!(
        struck_at_bar(&on_boundary) > 0,
        "the new phrase does not come in on the bar line"
    );
    assert!(
        on_boundary == inside,
        "the block boundary changes the output"
    );
    for block in [1, 37, 512, 4096] {
        assert!(
            run(block) == on_boundary,
            "blocks of {block} change the output"
        );
    }
}

/// Issue 21: a host loop whose bars are rewritten from 3/4 to 7/8 while it loops (the new metre
/// and loop length arrive at the wrap's sample): the first 7/8 bar after the wrap starts the
/// rendering's bar 1 at its beat 0, not mid-cycle, and it is not silent. Also when the host
/// reports the wrap inside its block, which nice-plug's CLAP wrapper passes on as a sub-block
/// whose position has the sub-block's offset added (HOSTS.md, "Loops wrap anywhere").
#[test]
fn a_loop_rewritten_in_another_metre_starts_bar_one_at_the_wrap() {
    let tempo = 120.0;
    let samples_per_beat = 60.0 * SAMPLE_RATE / tempo; // 24 000
    let bps = 1.0 / samples_per_beat;
    let three = TimeSignature::new(3, 4);
    let seven = TimeSignature::new(7, 8);
    let bar_start = |pos: f64, metre: TimeSignature| {
        let bar = metre.bar_length_beats();
        (pos / bar + 1e-9).floor() * bar
    };
    for with_bar_start in [false, true] {
        // Offset of the wrap inside the host's block (0: the host starts a block there).
        for wrap_offset in [0u32, 280] {
            let mut blocks: Vec<HostBlock> = Vec::new();
            let mut push = |len: u32, pos: f64, metre: TimeSignature, loop_end: f64| {
                let mut info = transport(pos, tempo, metre);
                info.loop_range_beats = Some((0.0, loop_end));
                info.bar_start_beats = with_bar_start.then_some(bar_start(pos, metre));
                blocks.push((len, info));
            };
            // Two passes of the 3/4 loop 0–12 in 480-sample blocks; the last host block before
            // the wrap reaches `wrap_offset` samples past it.
            let pass_samples = (12.0 * samples_per_beat) as u32;
            for _ in 0..2 {
                let mut done = 0u32;
                while done < pass_samples {
                    let left = pass_samples - done;
                    let len = if left > 480 + wrap_offset { 480 } else { left };
                    push(len, done as f64 * bps, three, 12.0);
                    done += len;
                }
            }
            // The loop rewritten as four 7/8 bars (0–14). Its first sub-block is reported at
            // the loop start plus the sub-block's offset inside the host block.
            let mut done = 0u32;
            let pass_samples = (14.0 * samples_per_beat) as u32;
            while done < pass_samples {
                let len = if done == 0 && wrap_offset > 0 {
                    480 - wrap_offset
                } else {
                    480
                };
                let reported = if done == 0 {
                    wrap_offset as f64 * bps
                } else {
                    done as f64 * bps
                };
                push(len.min(pass_samples - done), reported, seven, 14.0);
                done += len;
            }
            let mut engine = Box::new(LiveEngine::new());
            engine.set_slot(0, &bar_of_eighths(seven));
            let heard = run_blocks(&mut engine, &plain_playback(), &blocks);
            let wrap = (24.0 * samples_per_beat) as u64;
            let first_bar: Vec<(u64, u8)> = heard
                .notes
                .iter()
                .filter(|n| n.on >= wrap && n.on < wrap + (3.5 * samples_per_beat) as u64)
                .map(|n| (n.on - wrap, n.key))
                .collect();
            let expected: Vec<(u64, u8)> = (0..7)
                .map(|i| {
                    let key = if i == 0 { 72 } else { 48 + i as u8 };
                    ((i as f64 * 0.5 * samples_per_beat) as u64, key)
                })
                .collect();
            assert_eq!(
                first_bar, expected,
                "bar start given: {with_bar_start}, wrap {wrap_offset} samples into a block"
            );
        }
    }
}
