//! Helpers for the live-engine scenarios (`tests/engine_live_*.rs`): a host's transport and
//! blocks, driving the engine through the calls the plugin makes (`prepare`, `process`) under the
//! allocation guard, and a sampler's reading of the output (no key struck twice, nothing left
//! sounding).
#![allow(dead_code)]

pub use reprise::engine::event::Event;
pub use reprise::engine::event_buffer::EventBuffer;
pub use reprise::engine::motif::TimeSignature;
pub use reprise::engine::playback::voices::Owner;
pub use reprise::engine::playback::{
    BlockInfo, LiveEngine, LiveSettings, PlaybackMode, TransportInfo, MAX_OUT_EVENTS_PER_BLOCK,
};

#[cfg(not(all(feature = "plugin", debug_assertions)))]
#[global_allocator]
static ALLOCATOR: nice_assert_no_alloc::AllocDisabler = nice_assert_no_alloc::AllocDisabler;

/// Sample rate of the scenarios, Hz.
pub const SAMPLE_RATE: f64 = 48_000.0;
/// Block size of the scenarios that use one, samples.
pub const BLOCK: u32 = 512;

/// A song transport: playing, `tempo_bpm`, `time_signature`, at `pos_beats`.
pub fn transport(pos_beats: f64, tempo_bpm: f64, time_signature: TimeSignature) -> TransportInfo {
    TransportInfo {
        pos_seconds: None,
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
pub fn play_phrase(
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

/// A note as heard at the output: (channel, key), first sample, last sample + 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeardNote {
    pub channel: u8,
    pub key: u8,
    pub on: u64,
    pub off: Option<u64>,
}

/// Reads output events as a sampler would: a note-on starts a voice on (channel, key); a
/// note-on for a sounding cell is a defect (counted); a note-off ends the cell's voice.
#[derive(Default)]
pub struct Sampler {
    pub notes: Vec<HeardNote>,
    pub double_strikes: usize,
    pub stray_offs: usize,
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

    /// Hears `events` of a block that starts at absolute sample `block_start`.
    pub fn hear_at(&mut self, block_start: u64, events: &[Event]) {
        self.hear(block_start, events);
    }

    fn sounding(&self, channel: u8, key: u8) -> Option<usize> {
        self.notes
            .iter()
            .rposition(|n| n.channel == channel && n.key == key && n.off.is_none())
    }
}

/// The host's side of one block: its length and the transport it reports.
pub type HostBlock = (u32, TransportInfo);

/// Runs `engine` over the host's blocks, with `settings_at(block index)` as each block's
/// settings and `input` (absolute sample, event) played in, under the allocation guard; hears the
/// output. Returns what was heard and the samples run.
pub fn drive(
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
pub fn assert_sampler_invariants(
    engine: &mut LiveEngine,
    sampler: &mut Sampler,
    now: u64,
    out: &mut EventBuffer,
) {
    let stopped = BlockInfo {
        num_samples: 64,
        transport: Some(TransportInfo {
            pos_seconds: None,
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
pub fn take_block_input(
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
pub fn run_blocks(
    engine: &mut LiveEngine,
    settings: &LiveSettings,
    blocks: &[HostBlock],
) -> Sampler {
    drive(engine, blocks, |_| *settings, &[]).0
}

/// A one-bar 4/4 motif of eight eighth notes on eight different keys (each 0.45 beats long).
pub fn eighths_motif(length_beats: f64) -> reprise::engine::motif::Motif {
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
pub fn plain_playback() -> LiveSettings {
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
pub fn ramp_blocks(
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

/// [`drive`] in 64-sample blocks at a steady 120 BPM for `beats`, with per-block settings.
pub fn run_automated(
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
pub type Automation = fn(LiveSettings, f64) -> LiveSettings;

/// A host transport at a steady tempo in 3/4, optionally looping.
#[derive(Clone, Copy)]
pub struct SteadySong {
    pub sample_rate: f64,
    pub tempo: f64,
    pub loop_beats: Option<(f64, f64)>,
    pub total_samples: u64,
    /// Intensity and humanize automated in steps at every multiple of this many samples (the
    /// framework splits blocks at each automation point, so no block crosses one).
    pub automation_every_samples: Option<u64>,
}

/// Runs `engine` over a steady transport (with an optional host loop) for `total_samples`, in
/// blocks from `next_block`, playing `input`; returns every output event as (absolute sample,
/// event with timing 0).
pub fn output_with_blocks(
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

/// A tempo map: BPM at a beat.
pub type TempoMap<'a> = dyn Fn(f64) -> f64 + 'a;

/// A song whose tempo and metre are functions of the beat, played from beat 0 to `total_beats`
/// in blocks of `block` samples: the tempo is integrated sample by sample (so it changes inside
/// blocks), and each block reports the tempo and metre at its first sample, with the bar start
/// if `with_bar_start`. `metre_at(beat)` gives the metre and the beat of its bar line at or
/// before that beat. Returns the blocks and the song's beat at every sample.
pub fn song_blocks(
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
pub fn bar_of_eighths(metre: TimeSignature) -> reprise::engine::motif::Motif {
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

/// The blocks of a song in `metre` whose tempo is a function of the beat (integrated sample by
/// sample), from song zero to `total_seconds`: each with its absolute first sample, and the
/// host's beats, tempo and seconds (sample ÷ rate) at its start; sized by `block_size(i)`.
pub fn song_blocks_with_seconds(
    metre: TimeSignature,
    sample_rate: f64,
    total_seconds: f64,
    tempo_at: &dyn Fn(f64) -> f64,
    block_size: &dyn Fn(usize) -> u32,
) -> Vec<(u64, HostBlock)> {
    let mut blocks = Vec::new();
    let mut beats = 0.0f64;
    let mut sample = 0u64;
    let total = (total_seconds * sample_rate) as u64;
    let mut index = 0;
    while sample < total {
        let size = block_size(index).max(1);
        let mut info = transport(beats, tempo_at(beats), metre);
        info.pos_seconds = Some(sample as f64 / sample_rate);
        blocks.push((sample, (size, info)));
        for _ in 0..size {
            beats += tempo_at(beats) / 60.0 / sample_rate;
        }
        sample += u64::from(size);
        index += 1;
    }
    blocks
}
